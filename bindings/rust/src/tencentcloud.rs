//! The Tencent Cloud API 3.0 client: TC3 signing, regions, the `Response` envelope.
//!
//! ```no_run
//! # async fn demo() -> wxcv::Result<()> {
//! use wxcv::tencentcloud::{TencentCloud, TencentCloudConfig, QrcodeOcrRequest};
//! let tc = TencentCloud::new(TencentCloudConfig::new("AKID...", "secret-key").region("ap-guangzhou"))?;
//! let found = tc.ocr().qrcode_ocr(QrcodeOcrRequest::new(wxcv::Image::path("codes.png"))).await?;
//! println!("{:?}", found.code_results);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

pub use crate::generated::tencentcloud::*;

use crate::error::{ApiError, Error, ErrorCode, Result, TransportKind, Vendor};
use crate::rt::{EndpointInfo, WireRequest};
use crate::tc3;
use crate::transport::{self, HttpConfig};
use crate::Secret;

pub const ENV_SECRET_ID: &str = "TENCENTCLOUD_SECRET_ID";
pub const ENV_SECRET_KEY: &str = "TENCENTCLOUD_SECRET_KEY";
/// Temporary credentials' token (sent as X-TC-Token).
pub const ENV_SESSION_TOKEN: &str = "TENCENTCLOUD_SESSION_TOKEN";
pub const ENV_REGION: &str = "TENCENTCLOUD_REGION";
/// Overrides `https://<service host>` (an emulator, a proxy).
pub const ENV_BASE_URL: &str = "TENCENTCLOUD_BASE_URL";

const CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// A GET's Content-Type: the parameters travel in the query, the body is empty.
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// The largest GET request API 3.0 takes (the vendor's signature page: GET up to 32 KB).
pub const MAX_GET_BYTES: usize = 32 * 1024;

pub use crate::tc3::Method as RequestMethod;

/// Configuration of a [`TencentCloud`] client.
#[derive(Debug, Clone)]
pub struct TencentCloudConfig {
    pub secret_id: String,
    pub secret_key: Secret,
    /// Temporary credentials' session token.
    pub token: Option<Secret>,
    /// `ap-guangzhou`, ...; checked against the regions each action is offered in. `None` (the
    /// default) sends no `X-TC-Region`: the OCR actions take Region as optional, and the domain
    /// `ocr.tencentcloudapi.com` serves the call from the region nearest to the caller.
    pub region: Option<String>,
    /// `zh-CN` or `en-US` for error messages.
    pub language: Option<String>,
    /// Scheme and host every call goes to; `None` for the action's own host. The signature still
    /// names the spec's service (`ocr`).
    pub base_url: Option<String>,
    /// POST (the default: the parameters as a JSON body) or GET (the parameters in the signed
    /// query; the vendor takes GET requests up to 32 KB, so small calls and picture URLs only).
    pub method: RequestMethod,
    pub http: HttpConfig,
}

impl TencentCloudConfig {
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Self {
        TencentCloudConfig {
            secret_id: secret_id.into(),
            secret_key: Secret::new(secret_key),
            token: None,
            region: None,
            language: None,
            base_url: None,
            method: RequestMethod::Post,
            http: HttpConfig::default(),
        }
    }

    /// From `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, and optionally
    /// `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_REGION`, `TENCENTCLOUD_BASE_URL`.
    pub fn from_env() -> Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let id = var(ENV_SECRET_ID).ok_or_else(|| Error::Config(format!("{ENV_SECRET_ID} is not set")))?;
        let key = var(ENV_SECRET_KEY).ok_or_else(|| Error::Config(format!("{ENV_SECRET_KEY} is not set")))?;
        let mut cfg = TencentCloudConfig::new(id, key);
        cfg.token = var(ENV_SESSION_TOKEN).map(Secret::new);
        cfg.region = var(ENV_REGION);
        cfg.base_url = var(ENV_BASE_URL);
        Ok(cfg)
    }

    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }
    pub fn language(mut self, lang: impl Into<String>) -> Self {
        self.language = Some(lang.into());
        self
    }
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.http.timeout = t;
        self
    }
    /// Sends every call as `RequestMethod::Get` (parameters in the signed query) or
    /// `RequestMethod::Post` (the default).
    pub fn method(mut self, m: RequestMethod) -> Self {
        self.method = m;
        self
    }
}

/// A Tencent Cloud client's settings as the bindings take them (every field optional).
#[derive(Debug, Clone, Default)]
pub struct TencentCloudOptions {
    pub secret_id: Option<String>,
    pub secret_key: Option<Secret>,
    pub region: Option<String>,
    pub token: Option<Secret>,
    pub language: Option<String>,
    pub base_url: Option<String>,
    /// Seconds per attempt.
    pub timeout: Option<f64>,
}

impl TencentCloudConfig {
    /// From options; without a key pair, from the environment ([`Self::from_env`]).
    pub fn from_options(o: TencentCloudOptions) -> Result<Self> {
        let mut cfg = match (o.secret_id, o.secret_key) {
            (Some(id), Some(key)) => TencentCloudConfig::new(id, key.expose()),
            (None, None) => TencentCloudConfig::from_env()?,
            (Some(_), None) => return Err(Error::Config("secret_key / secretKey is required with secret_id / secretId".into())),
            (None, Some(_)) => return Err(Error::Config("secret_id / secretId is required with secret_key / secretKey".into())),
        };
        if let Some(r) = o.region {
            cfg = cfg.region(r);
        }
        if let Some(t) = o.token {
            cfg = cfg.token(t.expose());
        }
        if let Some(l) = o.language {
            cfg = cfg.language(l);
        }
        if let Some(u) = o.base_url {
            cfg = cfg.base_url(u);
        }
        if let Some(t) = transport::timeout_setting(o.timeout)? {
            cfg = cfg.timeout(t);
        }
        Ok(cfg)
    }
}

struct Inner {
    config: TencentCloudConfig,
    base_url: Option<String>,
    http: reqwest::Client,
}

/// A Tencent Cloud client. Cheap to clone.
#[derive(Clone)]
pub struct TencentCloud {
    inner: Arc<Inner>,
    /// Per-attempt timeout of calls through this handle ([`TencentCloud::with_timeout`]).
    timeout: Option<Duration>,
}

impl fmt::Debug for TencentCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentCloud").field("config", &self.inner.config).finish()
    }
}

impl TencentCloud {
    pub fn new(config: TencentCloudConfig) -> Result<Self> {
        if config.secret_id.is_empty() || config.secret_key.expose().is_empty() {
            return Err(Error::Config("the SecretId and the SecretKey must not be empty".into()));
        }
        let base_url = config.base_url.as_deref().map(crate::normalize_base_url).transpose()?;
        let http = transport::build_client(&config.http)?;
        Ok(TencentCloud { inner: Arc::new(Inner { config, base_url, http }), timeout: None })
    }

    pub fn from_env() -> Result<Self> {
        TencentCloud::new(TencentCloudConfig::from_env()?)
    }

    /// Which key and where, for a binding's repr: never the SecretKey or a session token.
    pub fn describe(&self) -> String {
        let cfg = &self.inner.config;
        let mut s = format!("key {}", cfg.secret_id);
        if let Some(r) = &cfg.region {
            s.push_str(&format!(" in {r}"));
        }
        s.push_str(&format!(" at {}", self.inner.base_url.as_deref().unwrap_or("https://ocr.tencentcloudapi.com")));
        s
    }

    /// A client for some calls with another per-attempt timeout: it shares this client's HTTP
    /// pool, so it is cheap; this client keeps its own setting.
    ///
    /// ```no_run
    /// # async fn demo(c: wxcv::tencentcloud::TencentCloud) -> wxcv::Result<()> {
    /// let quick = c.with_timeout(std::time::Duration::from_secs(2));
    /// # Ok(()) }
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        TencentCloud { inner: self.inner.clone(), timeout: Some(timeout) }
    }

    /// [`Self::with_timeout`] in seconds, checked as the bindings' `timeout` options are
    /// (more than 0, at most a day).
    pub fn with_timeout_secs(&self, seconds: f64) -> Result<Self> {
        let t = transport::timeout_setting(Some(seconds))?.unwrap_or(self.inner.config.http.timeout);
        Ok(self.with_timeout(t))
    }

    pub fn config(&self) -> &TencentCloudConfig {
        &self.inner.config
    }

    /// Generated endpoints land here.
    /// Sends a request built from the spec's tables and decodes the reply (typed, or `serde_json::Value`).
    /// The generated methods call this; the command line calls it with requests it builds from `EndpointInfo::inputs`.
    pub async fn call_json<T: DeserializeOwned>(&self, w: WireRequest) -> Result<T> {
        // Each attempt is signed anew (the signature covers the timestamp).
        self.inner.config.http.retry.run(w.endpoint, || self.call_json_once(&w)).await
    }

    async fn call_json_once<T: DeserializeOwned>(&self, w: &WireRequest) -> Result<T> {
        let ep = w.endpoint;
        let span = tracing::info_span!("wxcv.call", vendor = "tencentcloud", endpoint = ep.name);
        async move {
            let cfg = &self.inner.config;
            if let Some(region) = &cfg.region {
                if !ep.regions.is_empty() && !ep.regions.contains(&region.as_str()) {
                    return Err(Error::invalid(ep, "region", format!(
                        "{} is not offered in {region} (offered in: {})", ep.name, ep.regions.join(", ")
                    )));
                }
            }
            let base = match &self.inner.base_url {
                Some(b) => b.clone(),
                None => format!("https://{}", ep.host),
            };
            let url = reqwest::Url::parse(&format!("{base}/")).map_err(|e| Error::Config(format!("bad base URL: {e}")))?;
            let host = match (url.host_str(), url.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_string(),
                (None, _) => return Err(Error::Config("the base URL has no host".into())),
            };
            let (url, query, payload, content_type) = match cfg.method {
                RequestMethod::Post => {
                    let payload = serde_json::to_vec(&w.json).map_err(|e| Error::invalid(ep, "body", e.to_string()))?;
                    (url, String::new(), payload, CONTENT_TYPE)
                }
                RequestMethod::Get => {
                    let query = get_query(&w.json);
                    if query.len() > MAX_GET_BYTES {
                        return Err(Error::invalid(ep, "method", format!(
                            "a GET request carries its parameters in the URL, at most {MAX_GET_BYTES} bytes; these take {} \
                             (send the picture as a URL, or use POST)",
                            query.len()
                        )));
                    }
                    let mut url = url;
                    url.set_query(Some(&query).filter(|q| !q.is_empty()).map(|q| q.as_str()));
                    (url, query, Vec::new(), FORM_CONTENT_TYPE)
                }
            };
            let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
            let sig = tc3::sign_with(
                &tc3::SignInput {
                    secret_id: &cfg.secret_id,
                    secret_key: cfg.secret_key.expose(),
                    service: ep.service.unwrap_or("ocr"),
                    host: &host,
                    content_type,
                    payload: &payload,
                    timestamp,
                },
                cfg.method,
                &query,
            );
            let method = match cfg.method {
                RequestMethod::Post => reqwest::Method::POST,
                RequestMethod::Get => reqwest::Method::GET,
            };
            let mut req = self
                .inner
                .http
                .request(method, url)
                .header("Content-Type", content_type)
                .header("Authorization", sig.authorization)
                .header("X-TC-Action", ep.action.unwrap_or_default())
                .header("X-TC-Version", ep.version.unwrap_or_default())
                .header("X-TC-Timestamp", timestamp.to_string());
            if let Some(t) = self.timeout {
                req = req.timeout(t);
            }
            if let Some(r) = &cfg.region {
                req = req.header("X-TC-Region", r);
            }
            if let Some(t) = &cfg.token {
                req = req.header("X-TC-Token", t.expose());
            }
            if let Some(l) = &cfg.language {
                req = req.header("X-TC-Language", l);
            }
            tracing::debug!(action = ep.action, "sending");
            let reply = transport::send(ep, req.body(payload), cfg.http.max_response_bytes).await?;
            tracing::debug!(status = reply.status, bytes = reply.body.len(), "reply");
            decode(ep, reply.status, &reply.body)
        }
        .instrument(span)
        .await
    }
}

/// A GET's query: the request's parameters flattened as API 3.0 reads them (a nested object's
/// keys as `Outer.Inner`, list items as `List.0`, `List.1`; booleans `true` / `false`), each
/// percent-encoded (RFC 3986 unreserved characters kept; the signature covers exactly this text).
fn get_query(json: &serde_json::Map<String, Value>) -> String {
    fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
        let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
        match v {
            Value::Null => {}
            Value::Object(m) => m.iter().for_each(|(k, v)| flatten(&key(k), v, out)),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| flatten(&key(&i.to_string()), v, out)),
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    fn encode(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    let mut pairs = Vec::new();
    json.iter().for_each(|(k, v)| flatten(k, v, &mut pairs));
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Tencent Cloud's envelope key inside `Response`: `Error` means the call failed.
pub(crate) struct TencentEnvelope;

impl crate::rt::EnvelopeKeys for TencentEnvelope {
    fn aside<'de, A: serde::de::MapAccess<'de>>(key: &str, map: &mut A) -> std::result::Result<Option<bool>, A::Error> {
        if key == "Error" {
            map.next_value::<serde::de::IgnoredAny>()?;
            return Ok(Some(false));
        }
        Ok(None)
    }
}

/// `{"Response": {...}}` into `T`, or `{"Response": {"Error": {...}, "RequestId"}}` into an API error.
pub(crate) fn decode<T: DeserializeOwned>(ep: &'static EndpointInfo, status: u16, body: &[u8]) -> Result<T> {
    // The usual reply, a 2xx `{"Response": {...}}` without `Error`, in one pass straight into `T`.
    #[derive(serde::Deserialize)]
    struct Fast<T> {
        #[serde(rename = "Response")]
        response: crate::rt::Checked<T, TencentEnvelope>,
    }
    if (200..300).contains(&status) {
        if let Ok(Fast { response }) = serde_json::from_slice::<Fast<T>>(body) {
            if response.ok {
                return Ok(response.value);
            }
        }
    }
    // An error, or anything unusual: read as JSON first, then the envelope.
    let mut v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) if !(200..300).contains(&status) => {
            return Err(Error::Transport {
                endpoint: ep.name,
                kind: TransportKind::HttpStatus(status),
                message: format!("HTTP {status} without a Tencent Cloud envelope ({e})"),
            });
        }
        Err(e) => return Err(Error::decode(ep, status, format!("not JSON: {e}"))),
    };
    let Some(resp) = v.get_mut("Response").map(Value::take) else {
        return Err(Error::decode(ep, status, "no Response object in the reply"));
    };
    if let Some(err) = resp.get("Error") {
        let code = err.get("Code").and_then(Value::as_str).unwrap_or("").to_string();
        // Belt and braces, as for WeChat's errmsg: a gateway echoing the request gets no
        // credential-shaped parameter into an error.
        let message = crate::transport::redact_text(err.get("Message").and_then(Value::as_str).unwrap_or(""));
        let info = ep.error_info(&code).or_else(|| code.split_once('.').and_then(|(head, _)| ep.error_info(head)));
        return Err(Error::Api(Box::new(ApiError {
            vendor: Vendor::TencentCloud,
            endpoint: ep.name,
            code: ErrorCode::TencentCloud(code),
            message,
            request_id: resp.get("RequestId").and_then(Value::as_str).map(crate::transport::redact_text),
            http_status: status,
            info,
            status_note: ep.status_text(),
        })));
    }
    serde_json::from_value(resp).map_err(|e| Error::decode(ep, status, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tencentcloud::{OCR_QRCODE_OCR, QrcodeOcrResult};

    /// The one-pass read and the Value read agree: `Error` anywhere in `Response` is an API error.
    #[test]
    fn the_error_key_is_read_with_the_result() {
        let ok = r#"{"Response":{"CodeResults":[{"TypeName":"QR_CODE","Url":"x"}],"RequestId":"r1"}}"#;
        let r: QrcodeOcrResult = decode(&OCR_QRCODE_OCR, 200, ok.as_bytes()).unwrap();
        assert_eq!((r.code_results.len(), r.request_id.as_str()), (1, "r1"));
        for bad in [
            r#"{"Response":{"Error":{"Code":"FailedOperation.ImageNoText","Message":"no"},"RequestId":"r2"}}"#,
            r#"{"Response":{"RequestId":"r2","CodeResults":[],"Error":{"Code":"InternalError","Message":"late"}}}"#,
        ] {
            let e = decode::<QrcodeOcrResult>(&OCR_QRCODE_OCR, 200, bad.as_bytes()).unwrap_err();
            assert_eq!(e.api().map(|a| a.request_id.clone()), Some(Some("r2".into())), "{bad}: {e:?}");
        }
    }
}
