//! Name conversions: spec ids and vendor names to command/flag names, and reply keys to the
//! cloud-call (camelCase) spelling.

/// `scan_qrcode` -> `scan-qrcode`, `QrcodeOCR` -> `qrcode-ocr`, `ImageUrl` -> `image-url`,
/// `img_url` -> `img-url`, `BarCode` -> `bar-code`.
pub fn kebab(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '_' | '-' | ' ' | '.') {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // The last capital of an acronym starts a word: `OCRResult` -> `ocr-result`.
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                _ => false,
            };
            if boundary && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The cloud-call (wx-server-sdk) spelling of a reply key: every `_x` becomes `X`
/// (`code_results` -> `codeResults`, `img_size` -> `imgSize`); keys without `_`, such as
/// Tencent's PascalCase ones, stay as they are.
pub fn camel_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '_' {
            match it.next() {
                Some(n) => out.extend(n.to_uppercase()),
                None => out.push('_'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` leaked for the rest of the process: clap's builder wants `&'static str` names, and the
/// command tree is built once at startup.
pub fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_cases() {
        assert_eq!(kebab("scan_qrcode"), "scan-qrcode");
        assert_eq!(kebab("QrcodeOCR"), "qrcode-ocr");
        assert_eq!(kebab("QueryBarCode"), "query-bar-code");
        assert_eq!(kebab("ImageUrl"), "image-url");
        assert_eq!(kebab("ImageBase64"), "image-base64");
        assert_eq!(kebab("img_url"), "img-url");
        assert_eq!(kebab("OCRResult"), "ocr-result");
        assert_eq!(kebab("type"), "type");
        assert_eq!(kebab("line_color"), "line-color");
    }

    #[test]
    fn camel_keys() {
        assert_eq!(camel_key("code_results"), "codeResults");
        assert_eq!(camel_key("img_size"), "imgSize");
        assert_eq!(camel_key("type_name"), "typeName");
        assert_eq!(camel_key("left_top"), "leftTop");
        assert_eq!(camel_key("data"), "data");
        assert_eq!(camel_key("CodeResults"), "CodeResults");
        assert_eq!(camel_key("trailing_"), "trailing_");
    }
}
