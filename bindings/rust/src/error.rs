//! The one error type every call returns. No variant ever holds an app secret, a SecretKey, an
//! access token or a URL with its query: messages are built from redacted parts only.

use std::fmt;

use crate::rt::EndpointInfo;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which vendor answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    WeChat,
    TencentCloud,
}

impl Vendor {
    /// `wechat` or `tencentcloud`, as the bindings' errors report it.
    pub fn key(self) -> &'static str {
        match self {
            Vendor::WeChat => "wechat",
            Vendor::TencentCloud => "tencentcloud",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Vendor::WeChat => "WeChat",
            Vendor::TencentCloud => "Tencent Cloud",
        })
    }
}

/// What a documented error code means for the caller; from the spec's `category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// The access token is missing, invalid or expired (refreshed and retried once by the client).
    Token,
    /// Credentials or permissions are wrong.
    Auth,
    /// A frequency limit was hit.
    RateLimit,
    /// A count or paid quota ran out.
    Quota,
    /// A vendor-side failure; trying again later may work.
    System,
    /// The request or the image was not acceptable.
    Input,
    /// What was asked for does not exist (no certificate in the picture, expired media, unknown GTIN).
    NotFound,
    /// The action or the service is offline or not opened.
    Unavailable,
    /// A code the spec does not document.
    Unknown,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Token => "token",
            Category::Auth => "auth",
            Category::RateLimit => "rate_limit",
            Category::Quota => "quota",
            Category::System => "system",
            Category::Input => "input",
            Category::NotFound => "not_found",
            Category::Unavailable => "unavailable",
            Category::Unknown => "unknown",
        }
    }
}

/// A documented error code: its meaning in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub errmsg: Option<&'static str>,
    pub category: Category,
    pub global: bool,
    pub zh: &'static str,
    pub en: &'static str,
}

/// An error code as the vendor sends it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// WeChat's numeric `errcode`.
    WeChat(i64),
    /// Tencent Cloud's `Error.Code`, e.g. `AuthFailure.SignatureFailure`.
    TencentCloud(String),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::WeChat(c) => write!(f, "{c}"),
            ErrorCode::TencentCloud(c) => f.write_str(c),
        }
    }
}

/// The vendor answered with an error.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub vendor: Vendor,
    /// The vendor's name of the call: `img.scanQRCode`, `QrcodeOCR`.
    pub endpoint: &'static str,
    pub code: ErrorCode,
    /// The vendor's message (`errmsg` / `Error.Message`).
    pub message: String,
    /// Tencent's `RequestId`, or CloudBase's `x-openapi-seqid`; WeChat's `rid` when its errmsg has one.
    pub request_id: Option<String>,
    /// HTTP status of the reply.
    pub http_status: u16,
    /// The spec's entry for the code, when the spec documents it.
    pub info: Option<&'static ErrorInfo>,
    /// The endpoint's status note when it is offline or deprecated.
    pub status_note: Option<&'static str>,
}

impl ApiError {
    pub fn category(&self) -> Category {
        self.info.map(|i| i.category).unwrap_or(Category::Unknown)
    }
    /// The spec's meaning of the code, in English.
    pub fn meaning(&self) -> Option<&'static str> {
        self.info.map(|i| i.en)
    }
    /// The spec's meaning of the code, in Chinese.
    pub fn meaning_zh(&self) -> Option<&'static str> {
        self.info.map(|i| i.zh)
    }
    /// WeChat's numeric errcode.
    pub fn errcode(&self) -> Option<i64> {
        match self.code {
            ErrorCode::WeChat(c) => Some(c),
            ErrorCode::TencentCloud(_) => None,
        }
    }
}

/// `text` with a part repeated right after itself said once: `"certificate not found: certificate
/// not found"` -> `"certificate not found"` (parts split at `": "`, compared ignoring case).
pub(crate) fn once(text: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in text.split(": ") {
        let same = parts.last().is_some_and(|last: &&str| last.trim().eq_ignore_ascii_case(p.trim()));
        if !same {
            parts.push(p);
        }
    }
    parts.join(": ")
}

/// Lower case, letters and digits only: what two wordings of the same thing share.
fn gist(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl fmt::Display for ApiError {
    /// Each thing once: the code, the vendor's message, the spec's meaning when it says more than
    /// the message, the status note, the request id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} failed: {}", self.vendor, self.endpoint, self.code)?;
        if !self.message.is_empty() {
            write!(f, " {}", self.message)?;
        }
        if let Some(m) = self.meaning().filter(|m| !gist(m).is_empty() && !gist(&self.message).contains(&gist(m))) {
            write!(f, " ({m})")?;
        }
        if let Some(n) = self.status_note {
            write!(f, "; note: {n}")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " [request id {r}]")?;
        }
        Ok(())
    }
}

/// What went wrong below the HTTP exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Connect,
    Timeout,
    /// The connection broke before a reply's head came (closed or reset while sending or waiting).
    Io,
    /// The reply's head came, then its body broke off (shorter than its Content-Length, or the
    /// connection failed while it was read).
    Body,
    /// An HTTP error status with no vendor error in the body (a proxy's 502, say).
    HttpStatus(u16),
    /// Anything else (TLS, protocol, body too large, ...).
    Other,
    /// The shared token store (Redis) is unreachable or timing out.
    TokenStore,
}

impl TransportKind {
    /// `connect`, `timeout`, `io`, `body`, `http_status`, `other` or `token_store`, as the bindings' errors report it.
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::Connect => "connect",
            TransportKind::Timeout => "timeout",
            TransportKind::Io => "io",
            TransportKind::Body => "body",
            TransportKind::HttpStatus(_) => "http_status",
            TransportKind::Other => "other",
            TransportKind::TokenStore => "token_store",
        }
    }
    /// The HTTP status of `HttpStatus`.
    pub fn http_status(self) -> Option<u16> {
        match self {
            TransportKind::HttpStatus(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The vendor answered with an error code.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// An argument breaks a documented limit; nothing was sent.
    #[error("invalid input for {endpoint}: {field}: {message}")]
    InvalidInput { endpoint: &'static str, field: String, message: String },
    /// The client is configured in a way that cannot work (missing credentials, bad base URL, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// No usable reply: connection, timeout, broken body.
    #[error("transport error calling {endpoint}: {message}")]
    Transport { endpoint: &'static str, kind: TransportKind, message: String },
    /// A reply came but is not what the spec describes.
    #[error("cannot decode the reply of {endpoint} (HTTP {http_status}): {message}")]
    Decode { endpoint: &'static str, http_status: u16, message: String },
}

impl Error {
    pub(crate) fn invalid(ep: &EndpointInfo, field: &str, message: impl Into<String>) -> Self {
        Error::InvalidInput { endpoint: ep.name, field: field.to_string(), message: message.into() }
    }
    pub(crate) fn decode(ep: &EndpointInfo, http_status: u16, message: impl Into<String>) -> Self {
        Error::Decode { endpoint: ep.name, http_status, message: message.into() }
    }
    /// The API error, when the vendor answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(a) => Some(a),
            _ => None,
        }
    }
    /// The spec's category of an API error; `None` for every other kind.
    pub fn category(&self) -> Option<Category> {
        self.api().map(ApiError::category)
    }
    pub fn is_rate_limit(&self) -> bool {
        self.category() == Some(Category::RateLimit)
    }
    pub fn is_token_error(&self) -> bool {
        self.category() == Some(Category::Token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parts_are_said_once() {
        assert_eq!(once("certificate not found: certificate not found"), "certificate not found");
        assert_eq!(once("invalid args: Invalid Args: scene"), "invalid args: scene");
        assert_eq!(once("a: b: a"), "a: b: a");
        assert_eq!(once(""), "");
    }

    #[test]
    fn a_meaning_that_repeats_the_message_is_left_out() {
        static SAME: ErrorInfo = ErrorInfo { code: "1", errmsg: None, category: Category::System, global: false, zh: "", en: "System busy." };
        static MORE: ErrorInfo = ErrorInfo { code: "1", errmsg: None, category: Category::System, global: false, zh: "", en: "The service is busy; try again" };
        let mut e = ApiError {
            vendor: Vendor::WeChat,
            endpoint: "img.scanQRCode",
            code: ErrorCode::WeChat(-1),
            message: "system busy".into(),
            request_id: Some("r1".into()),
            http_status: 200,
            info: Some(&SAME),
            status_note: None,
        };
        assert_eq!(e.to_string(), "WeChat img.scanQRCode failed: -1 system busy [request id r1]");
        e.info = Some(&MORE);
        assert_eq!(e.to_string(), "WeChat img.scanQRCode failed: -1 system busy (The service is busy; try again) [request id r1]");
    }
}
