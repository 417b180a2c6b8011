//! What the command prints: replies shaped as JSON, pictures written atomically, errors as JSON
//! with their exit codes.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value, json};
use wxcv::{Category, Error, ErrorCode, Vendor};

use crate::names::camel_key;

pub const EXIT_OK: i32 = 0;
pub const EXIT_LOCAL: i32 = 1;
pub const EXIT_INPUT: i32 = 2;
pub const EXIT_API: i32 = 3;
pub const EXIT_AUTH: i32 = 4;
pub const EXIT_NETWORK: i32 = 5;

/// Every failure the command reports.
#[derive(Debug)]
pub enum CliError {
    /// From the core client: invalid input, configuration, the vendor's error, transport, decode.
    Wx(Error),
    /// A command line that cannot work (several batch inputs, -o not a directory, ...); nothing sent.
    Usage(String),
    /// A local failure after the call (the output file cannot be written, the emulator cannot start).
    Local(String),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Wx(e)
    }
}

impl CliError {
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Wx(Error::Api(a)) => match a.category() {
                Category::Token | Category::Auth => EXIT_AUTH,
                _ => EXIT_API,
            },
            CliError::Wx(Error::InvalidInput { .. }) => EXIT_INPUT,
            CliError::Wx(Error::Config(_)) => EXIT_AUTH,
            CliError::Wx(Error::Transport { .. } | Error::Decode { .. }) => EXIT_NETWORK,
            CliError::Wx(_) => EXIT_NETWORK,
            CliError::Usage(_) => EXIT_INPUT,
            CliError::Local(_) => EXIT_LOCAL,
        }
    }

    /// `{kind, code, message, request_id, endpoint, meaning, ...}`; `endpoint` is the vendor's
    /// name of the call (`img.scanQRCode`, `QrcodeOCR`). Built from the core's redacted parts only.
    pub fn to_json(&self, endpoint: &str) -> Value {
        let mut o = Map::new();
        let mut base = |kind: &str, code: Value, message: String, request_id: Option<&str>, ep: &str, meaning: Option<&str>| {
            o.insert("kind".into(), kind.into());
            o.insert("code".into(), code);
            o.insert("message".into(), message.into());
            o.insert("request_id".into(), request_id.map(Value::from).unwrap_or(Value::Null));
            o.insert("endpoint".into(), ep.into());
            o.insert("meaning".into(), meaning.map(Value::from).unwrap_or(Value::Null));
        };
        match self {
            CliError::Wx(Error::Api(a)) => {
                let code = match &a.code {
                    ErrorCode::WeChat(c) => json!(c),
                    ErrorCode::TencentCloud(c) => json!(c),
                };
                base("api", code, a.message.clone(), a.request_id.as_deref(), a.endpoint, a.meaning());
                o.insert("vendor".into(), vendor_name(a.vendor).into());
                o.insert("category".into(), a.category().as_str().into());
                if let Some(zh) = a.meaning_zh() {
                    o.insert("meaning_zh".into(), zh.into());
                }
                o.insert("http_status".into(), a.http_status.into());
                if let Some(n) = a.status_note {
                    o.insert("status_note".into(), n.into());
                }
            }
            CliError::Wx(e @ Error::InvalidInput { endpoint, field, .. }) => {
                base("invalid_input", Value::Null, e.to_string(), None, endpoint, None);
                o.insert("field".into(), field.as_str().into());
            }
            CliError::Wx(e @ Error::Config(_)) => base("config", Value::Null, e.to_string(), None, endpoint, None),
            CliError::Wx(e @ Error::Transport { endpoint, kind, .. }) => {
                let (code, status) = (kind.name(), kind.http_status());
                base("transport", code.into(), e.to_string(), None, endpoint, None);
                if let Some(s) = status {
                    o.insert("http_status".into(), s.into());
                }
            }
            CliError::Wx(e @ Error::Decode { endpoint, http_status, .. }) => {
                base("decode", Value::Null, e.to_string(), None, endpoint, None);
                o.insert("http_status".into(), (*http_status).into());
            }
            CliError::Wx(e) => base("other", Value::Null, e.to_string(), None, endpoint, None),
            CliError::Usage(m) => base("usage", Value::Null, m.clone(), None, endpoint, None),
            CliError::Local(m) => base("local", Value::Null, m.clone(), None, endpoint, None),
        }
        o.insert("exit_code".into(), self.exit_code().into());
        Value::Object(o)
    }
}

fn vendor_name(v: Vendor) -> &'static str {
    match v {
        Vendor::WeChat => "wechat",
        Vendor::TencentCloud => "tencentcloud",
    }
}

/// Prints the error as one JSON line on stderr and returns its exit code.
pub fn report(e: &CliError, endpoint: &str) -> i32 {
    let line = e.to_json(endpoint).to_string();
    let _ = writeln!(io::stderr().lock(), "{line}");
    e.exit_code()
}

/// A command line that cannot be parsed (an unknown flag, a missing one, a bad value): the error
/// object of kind `usage` with the command's usage line, exit code 2.
pub fn report_usage(message: &str, usage: Option<&str>, endpoint: &str) -> i32 {
    let e = CliError::Usage(message.to_string());
    let mut v = e.to_json(endpoint);
    if let (Some(u), Value::Object(o)) = (usage, &mut v) {
        o.insert("usage".into(), u.into());
    }
    let _ = writeln!(io::stderr().lock(), "{v}");
    e.exit_code()
}

/// How replies are printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub camel: bool,
    pub show_secrets: bool,
}

/// The reply as printed: WeChat's success envelope (`errcode: 0`, `errmsg: "ok"`) dropped, as the
/// typed clients do; credentials redacted unless asked for; keys camelCased with `--camel`.
pub fn shape(vendor: Vendor, mut v: Value, style: Style) -> Value {
    if vendor == Vendor::WeChat {
        if let Value::Object(o) = &mut v {
            let ok = match o.get("errcode") {
                None => true,
                Some(c) => c.as_i64() == Some(0) || c.as_str().is_some_and(|s| s.trim() == "0"),
            };
            if ok {
                o.shift_remove("errcode");
                o.shift_remove("errmsg");
            }
        }
    }
    if !style.show_secrets {
        redact(&mut v);
    }
    if style.camel { camelize(v) } else { v }
}

/// Keys naming a credential: `access_token`, `accessToken`, `*_secret`, ...
fn is_secret_key(k: &str) -> bool {
    let k: String = k.chars().filter(|c| *c != '_').collect::<String>().to_lowercase();
    k.ends_with("token") || k.ends_with("secret") || k.ends_with("secretkey")
}

fn redact(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, val) in o.iter_mut() {
                if is_secret_key(k) && val.is_string() {
                    *val = Value::String("<redacted>".into());
                } else {
                    redact(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// Every object key, at any depth, in its cloud-call spelling (`code_results` -> `codeResults`).
pub fn camelize(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (camel_key(&k), camelize(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(camelize).collect()),
        other => other,
    }
}

/// Writes one line on stdout; a closed stdout is a local failure, never a panic.
pub fn stdout_line(s: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    writeln!(out, "{s}").and_then(|_| out.flush()).map_err(|e| CliError::Local(format!("cannot write to stdout: {e}")))
}

pub fn stdout_bytes(b: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(b).and_then(|_| out.flush()).map_err(|e| CliError::Local(format!("cannot write to stdout: {e}")))
}

/// Writes `data` to `path` through a temporary file in the same directory and a rename: the
/// file is either absent, or the previous file, or complete; never half written.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the output path names no file"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.{}-{}.wxcv-tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use wxcv::TransportKind;

    #[test]
    fn camel_converts_nested_keys_only() {
        let v = json!({
            "code_results": [{"type_name": "QR_CODE", "data": "a_b", "pos": {"left_top": {"x": 1, "y": 2}}}],
            "img_size": {"w": 1000, "h": 900}
        });
        let c = camelize(v);
        assert_eq!(
            c,
            json!({
                "codeResults": [{"typeName": "QR_CODE", "data": "a_b", "pos": {"leftTop": {"x": 1, "y": 2}}}],
                "imgSize": {"w": 1000, "h": 900}
            })
        );
        // Tencent's PascalCase keys stay.
        let t = json!({"CodeResults": [{"TypeName": "QR_CODE", "Url": "x"}], "ImgSize": {"Wide": 1}, "RequestId": "r"});
        assert_eq!(camelize(t.clone()), t);
    }

    #[test]
    fn shape_drops_the_success_envelope_and_redacts() {
        let v = json!({"errcode": 0, "errmsg": "ok", "access_token": "TOKEN123", "expires_in": 7200});
        let s = shape(Vendor::WeChat, v.clone(), Style::default());
        assert_eq!(s, json!({"access_token": "<redacted>", "expires_in": 7200}));
        let s = shape(Vendor::WeChat, v, Style { camel: true, show_secrets: true });
        assert_eq!(s, json!({"accessToken": "TOKEN123", "expiresIn": 7200}));
        // Tencent's reply is kept whole.
        let t = json!({"RequestId": "r", "CodeResults": []});
        assert_eq!(shape(Vendor::TencentCloud, t.clone(), Style::default()), t);
    }

    #[test]
    fn exit_codes() {
        assert_eq!(CliError::Wx(Error::Config("x".into())).exit_code(), EXIT_AUTH);
        let e = Error::InvalidInput { endpoint: "wxacode.get", field: "width".into(), message: "m".into() };
        assert_eq!(CliError::Wx(e).exit_code(), EXIT_INPUT);
        let e = Error::Transport { endpoint: "x", kind: TransportKind::Connect, message: "m".into() };
        assert_eq!(CliError::Wx(e).exit_code(), EXIT_NETWORK);
        let api = |info: Option<&'static wxcv::ErrorInfo>| {
            CliError::Wx(Error::Api(Box::new(wxcv::ApiError {
                vendor: Vendor::WeChat,
                endpoint: "img.scanQRCode",
                code: ErrorCode::WeChat(1),
                message: "m".into(),
                request_id: Some("rid".into()),
                http_status: 200,
                info,
                status_note: None,
            })))
        };
        assert_eq!(api(None).exit_code(), EXIT_API);
        let token = wxcv::wechat::ERRORS.iter().find(|e| e.code == "40001").unwrap();
        assert_eq!(api(Some(token)).exit_code(), EXIT_AUTH);
        let j = api(Some(token)).to_json("img.scanQRCode");
        assert_eq!(j["kind"], "api");
        assert_eq!(j["code"], 1);
        assert_eq!(j["request_id"], "rid");
        assert_eq!(j["category"], "token");
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("wxcv-cli-unit-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.jpg");
        write_atomic(&target, b"first").unwrap();
        write_atomic(&target, b"second").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"second");
        // A directory in the way: the write fails and nothing is left behind.
        let blocked = dir.join("blocked");
        fs::create_dir_all(&blocked).unwrap();
        assert!(write_atomic(&blocked, b"x").is_err());
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert!(names.iter().all(|n| !n.contains("wxcv-tmp")), "{names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
