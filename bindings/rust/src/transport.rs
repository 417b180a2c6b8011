//! HTTP: one reqwest client per vendor client, errors turned into redacted `Error::Transport`,
//! replies read into memory with a size cap.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;

use crate::error::{Error, Result, TransportKind};
use crate::rt::EndpointInfo;

/// Settings shared by both vendors' clients.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Whole-request timeout (connect, send, receive).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Replies larger than this are refused (images from wxacode/media are well under it).
    pub max_response_bytes: usize,
    pub user_agent: String,
    /// Retries of transient failures (see [`crate::retry`]).
    pub retry: crate::retry::RetryPolicy,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 32 * 1024 * 1024,
            user_agent: concat!("wxcv/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: crate::retry::RetryPolicy::default(),
        }
    }
}

/// A timeout given in seconds by a binding: (0, 86400], or a configuration error.
pub(crate) fn timeout_setting(seconds: Option<f64>) -> Result<Option<Duration>> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(Error::Config(format!("timeout must be between 0 and 86400 seconds, not {s}"))),
    }
}

pub(crate) fn build_client(cfg: &HttpConfig) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(cfg.timeout)
        .connect_timeout(cfg.connect_timeout)
        .user_agent(cfg.user_agent.clone())
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", e.without_url())))
}

/// A reply read whole.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

/// Sends and reads the reply; every failure is an `Error::Transport` without the URL.
pub(crate) async fn send(ep: &EndpointInfo, req: reqwest::RequestBuilder, max_bytes: usize) -> Result<Reply> {
    let mut resp = req.send().await.map_err(|e| transport_error(ep, e))?;
    let status = resp.status().as_u16();
    let headers = std::mem::take(resp.headers_mut());
    if let Some(len) = resp.content_length() {
        if len as usize > max_bytes {
            return Err(Error::Transport {
                endpoint: ep.name,
                kind: TransportKind::Other,
                message: format!("reply of {len} bytes is over the {max_bytes}-byte limit"),
            });
        }
    }
    let expected = resp.content_length();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| body_error(ep, e, body.len(), expected))? {
        if body.len() + chunk.len() > max_bytes {
            return Err(Error::Transport {
                endpoint: ep.name,
                kind: TransportKind::Other,
                message: format!("reply is over the {max_bytes}-byte limit"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Reply { status, headers, body: Bytes::from(body) })
}

/// The body broke off after its head came: kind `body` (a timeout stays a timeout), saying how
/// much of it arrived.
fn body_error(ep: &EndpointInfo, e: reqwest::Error, got: usize, expected: Option<u64>) -> Error {
    match transport_error(ep, e) {
        Error::Transport { endpoint, kind: TransportKind::Timeout, message } => Error::Transport { endpoint, kind: TransportKind::Timeout, message },
        Error::Transport { endpoint, message, .. } => {
            let of = expected.map(|n| format!(" of {n}")).unwrap_or_default();
            Error::Transport { endpoint, kind: TransportKind::Body, message: format!("the reply broke off after {got}{of} bytes of its body: {message}") }
        }
        other => other,
    }
}

/// reqwest's errors print the URL, which carries access_token or secret: drop it, keep the cause.
pub(crate) fn transport_error(ep: &EndpointInfo, e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_body() || e.is_request() || e.is_decode() {
        TransportKind::Io
    } else {
        TransportKind::Other
    };
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    Error::Transport { endpoint: ep.name, kind, message: redact_text(&message) }
}

/// Scheme, host and path of a URL; the query (tokens, secrets, signatures) is never printed.
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let q = if u.query().is_some() { "?<redacted>" } else { "" };
            format!("{}://{}{}{q}", u.scheme(), u.host_str().unwrap_or(""), u.path())
        }
        Err(_) => "<unparseable url>".to_string(),
    }
}

/// Belt and braces for text from lower layers: blank out anything shaped like a credential
/// query parameter.
pub fn redact_text(s: &str) -> String {
    let mut out = s.to_string();
    for key in ["access_token=", "secret=", "appsecret=", "Signature="] {
        let mut from = 0;
        while let Some(rel) = out[from..].find(key) {
            let start = from + rel + key.len();
            let end = out[start..]
                .find(|c: char| c == '&' || c == ' ' || c == ')' || c == '"')
                .map_or(out.len(), |e| start + e);
            out.replace_range(start..end, "<redacted>");
            from = start + "<redacted>".len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_query() {
        assert_eq!(
            redact_url("https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=a&secret=S3CR3T"),
            "https://api.weixin.qq.com/cgi-bin/token?<redacted>"
        );
        assert_eq!(redact_text("x?access_token=TOKEN&b=1 y"), "x?access_token=<redacted>&b=1 y");
    }
}
