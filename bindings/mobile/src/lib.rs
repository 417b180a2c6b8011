//! `wxcv_mobile`: the WeChat and Tencent Cloud clients for Kotlin and Swift (uniffi).
//!
//! The endpoint objects, their async methods and the result records are generated from the spec
//! (`src/generated/`); this file holds what they share: the one error type, picture arguments,
//! client options, and the compiled-in emulator for tests. Calls go through the core's
//! `call_dynamic`, so every limit check and token rule of the Rust client applies.

use std::sync::{Arc, Mutex};

use wxcv::rt::{DynArgs, DynReply};

mod generated;
pub use generated::*;

uniffi::setup_scaffolding!();

/// Every failure, with the same fields as the Python and Node error classes.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum WxcvError {
    /// The vendor answered with an error code. `exception` is the spec's name for the code
    /// (`CertificateNotFound`), when it has one.
    #[error("{summary}")]
    Api {
        /// The whole error in one line (what Rust's Display prints).
        summary: String,
        vendor: String,
        endpoint: String,
        code: String,
        errcode: Option<i64>,
        vendor_message: String,
        request_id: Option<String>,
        http_status: u16,
        category: String,
        meaning: Option<String>,
        meaning_zh: Option<String>,
        status_note: Option<String>,
        exception: Option<String>,
    },
    /// An argument breaks a documented limit or has the wrong type; nothing was sent.
    #[error("{summary}")]
    InvalidInput { summary: String, endpoint: String, field: String, detail: String },
    /// The client cannot work as configured.
    #[error("{summary}")]
    Config { summary: String },
    /// No usable reply: connection, timeout (`transport_kind` = "timeout"), broken body, or the
    /// shared token store (`transport_kind` = "token_store").
    #[error("{summary}")]
    Transport { summary: String, endpoint: String, transport_kind: String, http_status: Option<u16> },
    /// A reply that is not what the spec describes.
    #[error("{summary}")]
    Decode { summary: String, endpoint: String, http_status: u16 },
}

impl From<wxcv::Error> for WxcvError {
    fn from(e: wxcv::Error) -> Self {
        let summary = e.to_string();
        match e {
            wxcv::Error::Api(a) => {
                let (code, errcode) = match &a.code {
                    wxcv::ErrorCode::WeChat(n) => (n.to_string(), Some(*n)),
                    wxcv::ErrorCode::TencentCloud(c) => (c.clone(), None),
                };
                let vendor = a.vendor.key();
                WxcvError::Api {
                    exception: generated::exception_name(vendor, &code).map(str::to_string),
                    summary,
                    vendor: vendor.into(),
                    endpoint: a.endpoint.into(),
                    code,
                    errcode,
                    vendor_message: a.message.clone(),
                    request_id: a.request_id.clone(),
                    http_status: a.http_status,
                    category: a.category().as_str().into(),
                    meaning: a.meaning().map(str::to_string),
                    meaning_zh: a.meaning_zh().map(str::to_string),
                    status_note: a.status_note.map(str::to_string),
                }
            }
            wxcv::Error::InvalidInput { endpoint, field, message: detail } => {
                WxcvError::InvalidInput { summary, endpoint: endpoint.into(), field, detail }
            }
            wxcv::Error::Transport { endpoint, kind, .. } => {
                WxcvError::Transport { summary, endpoint: endpoint.into(), transport_kind: kind.name().into(), http_status: kind.http_status() }
            }
            wxcv::Error::Decode { endpoint, http_status, .. } => WxcvError::Decode { summary, endpoint: endpoint.into(), http_status },
            _ => WxcvError::Config { summary },
        }
    }
}

/// A picture argument: bytes to upload, a file read when the call is made, or a URL the vendor fetches.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum ImageInput {
    Bytes { data: Vec<u8>, content_type: Option<String> },
    Path { path: String },
    Url { url: String },
}

impl ImageInput {
    fn into_core(self) -> wxcv::Image {
        match self {
            ImageInput::Bytes { data, content_type: Some(ct) } => wxcv::Image::bytes(data).with_content_type(ct),
            ImageInput::Bytes { data, content_type: None } => wxcv::Image::bytes(data),
            ImageInput::Path { path } => wxcv::Image::path(path),
            ImageInput::Url { url } => wxcv::Image::url(url),
        }
    }
}

/// A picture the vendor sent back (wxacode, media).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BinaryImage {
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A credential (app secret, SecretKey, session token): a `Secret` class in Kotlin and a `Secret`
/// struct in Swift whose `toString()` / `description` is `<redacted>`, so printing options never
/// shows it (uniffi.toml maps it; `Secret.kt` and `Secret.swift` are hand-written beside the
/// generated sources).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretValue(pub String);

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

uniffi::custom_newtype!(SecretValue, String);

/// Options of a WeChat client. With neither `app_id` nor `cloudbase`, the WECHAT_* variables are read.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct WeChatOptions {
    #[uniffi(default)]
    pub app_id: Option<String>,
    #[uniffi(default)]
    pub app_secret: Option<SecretValue>,
    /// CloudBase Run's open API service: no access token.
    #[uniffi(default)]
    pub cloudbase: bool,
    #[uniffi(default)]
    pub base_url: Option<String>,
    #[uniffi(default)]
    pub stable_token: bool,
    #[uniffi(default)]
    pub timeout_seconds: Option<f64>,
    #[uniffi(default)]
    pub from_appid: Option<String>,
    /// `redis://host:port/db`: share access tokens with every process using this Redis.
    #[uniffi(default)]
    pub redis_url: Option<String>,
    /// Key prefix in Redis (default `wxcv:token:`).
    #[uniffi(default)]
    pub redis_prefix: Option<String>,
    /// When Redis fails, fetch a token for this process instead of failing the call.
    #[uniffi(default)]
    pub redis_fallback: bool,
}

/// Options of a Tencent Cloud client. Without a key pair, the TENCENTCLOUD_* variables are read.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct TencentCloudOptions {
    #[uniffi(default)]
    pub secret_id: Option<String>,
    #[uniffi(default)]
    pub secret_key: Option<SecretValue>,
    #[uniffi(default)]
    pub region: Option<String>,
    #[uniffi(default)]
    pub token: Option<SecretValue>,
    #[uniffi(default)]
    pub language: Option<String>,
    #[uniffi(default)]
    pub base_url: Option<String>,
    #[uniffi(default)]
    pub timeout_seconds: Option<f64>,
}

fn config_error(message: impl Into<String>) -> WxcvError {
    WxcvError::Config { summary: format!("configuration error: {}", message.into()) }
}

/// The core client behind every endpoint object.
#[derive(Clone)]
pub(crate) enum Client {
    WeChat(wxcv::wechat::WeChat),
    Tencent(wxcv::tencentcloud::TencentCloud),
}

impl Client {
    pub(crate) fn with_timeout(&self, seconds: f64) -> Result<Client, WxcvError> {
        Ok(match self {
            Client::WeChat(c) => Client::WeChat(c.with_timeout_secs(seconds)?),
            Client::Tencent(c) => Client::Tencent(c.with_timeout_secs(seconds)?),
        })
    }

    fn wechat(o: WeChatOptions) -> Result<Client, WxcvError> {
        let o = wxcv::wechat::WeChatOptions {
            app_id: o.app_id,
            app_secret: o.app_secret.map(|s| wxcv::Secret::new(s.0)),
            cloudbase: o.cloudbase,
            base_url: o.base_url,
            stable_token: Some(o.stable_token),
            timeout: o.timeout_seconds,
            from_appid: o.from_appid,
            redis_url: o.redis_url,
            redis_prefix: o.redis_prefix,
            redis_fallback: o.redis_fallback.then_some(true),
        };
        let cfg = wxcv::wechat::WeChatConfig::from_options(o)?;
        Ok(Client::WeChat(wxcv::wechat::WeChat::new(cfg)?))
    }

    fn tencent(o: TencentCloudOptions) -> Result<Client, WxcvError> {
        let o = wxcv::tencentcloud::TencentCloudOptions {
            secret_id: o.secret_id,
            secret_key: o.secret_key.map(|s| wxcv::Secret::new(s.0)),
            region: o.region,
            token: o.token.map(|s| wxcv::Secret::new(s.0)),
            language: o.language,
            base_url: o.base_url,
            timeout: o.timeout_seconds,
        };
        let cfg = wxcv::tencentcloud::TencentCloudConfig::from_options(o)?;
        Ok(Client::Tencent(wxcv::tencentcloud::TencentCloud::new(cfg)?))
    }

    async fn reply(&self, name: &str, args: DynArgs) -> Result<DynReply, WxcvError> {
        Ok(match self {
            Client::WeChat(c) => c.call_dynamic(name, args).await?,
            Client::Tencent(c) => c.call_dynamic(name, args).await?,
        })
    }

    /// A JSON reply as the generated record `T`.
    pub(crate) async fn json<T: serde::de::DeserializeOwned>(&self, name: &str, args: DynArgs) -> Result<T, WxcvError> {
        match self.reply(name, args).await? {
            DynReply::Json(v) => serde_json::from_value(v).map_err(|e| WxcvError::Decode {
                summary: format!("cannot decode the reply of {name}: {e}"),
                endpoint: name.into(),
                http_status: 200,
            }),
            DynReply::Binary(_) => Err(WxcvError::Decode { summary: format!("{name} sent a picture, not JSON"), endpoint: name.into(), http_status: 200 }),
        }
    }

    pub(crate) async fn binary(&self, name: &str, args: DynArgs) -> Result<BinaryImage, WxcvError> {
        match self.reply(name, args).await? {
            DynReply::Binary(b) => Ok(BinaryImage { content_type: b.content_type, data: b.data.to_vec() }),
            DynReply::Json(_) => Err(WxcvError::Decode { summary: format!("{name} sent JSON, not a picture"), endpoint: name.into(), http_status: 200 }),
        }
    }
}

/// A value argument as JSON, for `call_dynamic`.
pub(crate) fn value<T: serde::Serialize>(args: &mut DynArgs, name: &str, v: &T) {
    if let Ok(v) = serde_json::to_value(v) {
        args.insert_value(name, v);
    }
}

pub(crate) fn image(args: &mut DynArgs, name: &str, v: ImageInput) {
    args.insert_image(name, v.into_core());
}

/// The emulator of both services on a free loopback port, for tests.
#[derive(uniffi::Object)]
pub struct Emulator {
    emu: Mutex<Option<wxcv_emulator::Emulator>>,
    base_url: String,
}

#[uniffi::export(async_runtime = "tokio")]
impl Emulator {
    /// Starts an emulator; `cloudbase` accepts WeChat calls without an access token.
    #[uniffi::constructor]
    pub async fn start(cloudbase: bool) -> Result<Arc<Emulator>, WxcvError> {
        let config = wxcv_emulator::EmulatorConfig { cloudbase, ..Default::default() };
        let emu = wxcv_emulator::Emulator::start_with(config, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| config_error(format!("cannot start the emulator: {e}")))?;
        let base_url = emu.base_url();
        Ok(Arc::new(Emulator { emu: Mutex::new(Some(emu)), base_url }))
    }

    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Options of a WeChat client of the emulator's app.
    pub fn wechat_options(&self) -> WeChatOptions {
        WeChatOptions {
            app_id: Some(wxcv_emulator::APPID.into()),
            app_secret: Some(SecretValue(wxcv_emulator::APPSECRET.into())),
            base_url: Some(self.base_url.clone()),
            ..Default::default()
        }
    }

    /// Options of a Tencent Cloud client with the emulator's key pair.
    pub fn tencentcloud_options(&self) -> TencentCloudOptions {
        TencentCloudOptions {
            secret_id: Some(wxcv_emulator::SECRET_ID.into()),
            secret_key: Some(SecretValue(wxcv_emulator::SECRET_KEY.into())),
            base_url: Some(self.base_url.clone()),
            ..Default::default()
        }
    }

    /// Serves `data` at a loopback URL, for the URL form of picture arguments.
    pub fn blob_url(&self, data: Vec<u8>) -> Result<String, WxcvError> {
        let guard = self.emu.lock().map_err(|_| config_error("emulator lock poisoned"))?;
        let emu = guard.as_ref().ok_or_else(|| config_error("the emulator is closed"))?;
        emu.blob_url(data).map_err(config_error)
    }

    /// Calls of an endpoint so far (`img.scan_qrcode`, `QrcodeOCR`, ...).
    pub fn calls(&self, endpoint: String) -> u64 {
        self.emu.lock().ok().and_then(|g| g.as_ref().map(|e| e.calls(&endpoint))).unwrap_or(0)
    }

    /// Access tokens issued to the emulator's app so far.
    pub fn token_issues(&self) -> u64 {
        self.emu.lock().ok().and_then(|g| g.as_ref().map(|e| e.token_issues(wxcv_emulator::APPID))).unwrap_or(0)
    }

    /// Stops the server (the object's own `close()` / `destroy()` frees it).
    pub fn stop(&self) {
        if let Ok(mut g) = self.emu.lock() {
            g.take();
        }
    }
}
