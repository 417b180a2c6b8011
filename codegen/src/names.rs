//! Every case conversion the generator makes, in one place. Templates never change case.

use heck::{ToKebabCase, ToLowerCamelCase, ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

/// One identifier in every case a target needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// As written in the spec (the wire name for fields, the id for endpoints).
    pub original: String,
    pub snake: String,
    pub camel: String,
    pub pascal: String,
    pub kebab: String,
    pub shouty: String,
}

impl Names {
    pub fn new(original: &str) -> Self {
        let snake = original.to_snake_case();
        Names {
            original: original.to_string(),
            camel: snake.to_lower_camel_case(),
            pascal: snake.to_pascal_case(),
            kebab: snake.to_kebab_case(),
            shouty: snake.to_shouty_snake_case(),
            snake,
        }
    }
}

/// wx-server-sdk's rule: every `_x` (x a lowercase letter) becomes `X`; nothing else changes.
pub fn cloud_camel(wire: &str) -> String {
    let mut out = String::with_capacity(wire.len());
    let mut chars = wire.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '_' {
            if let Some(&n) = chars.peek() {
                if n.is_ascii_lowercase() {
                    out.push(n.to_ascii_uppercase());
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// Loose identity of an id and a vendor name: lowercase, underscores dropped
/// (`scan_qrcode` ~ `scanQRCode`, `qrcode_ocr` ~ `QrcodeOCR`).
pub fn loose(s: &str) -> String {
    s.chars().filter(|c| *c != '_').flat_map(|c| c.to_lowercase()).collect()
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "gen",
];

/// A snake_case name usable as a Rust identifier (`type` -> `r#type`).
pub fn rust_ident(snake: &str) -> String {
    if RUST_KEYWORDS.contains(&snake) {
        format!("r#{snake}")
    } else {
        snake.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        let n = Names::new("CodeResults");
        assert_eq!((n.snake.as_str(), n.camel.as_str()), ("code_results", "codeResults"));
        assert_eq!(Names::new("scan_qrcode").kebab, "scan-qrcode");
        assert_eq!(Names::new("ImageBase64").snake, "image_base64");
        assert_eq!(cloud_camel("plate_num_b"), "plateNumB");
        assert_eq!(cloud_camel("left_top"), "leftTop");
        assert_eq!(cloud_camel("type"), "type");
        assert_eq!(loose("scan_qrcode"), loose("scanQRCode"));
        assert_eq!(rust_ident("type"), "r#type");
    }
}
