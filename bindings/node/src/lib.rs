//! The addon of the `wxcv` npm package, deliberately small and generic: a core client that calls
//! endpoints by name (`call_dynamic`) and the compiled-in emulator. The cloud-call-shaped API, the
//! error classes and the TypeScript declarations are generated from the spec (`lib/generated/`).
//!
//! Failures come back as data (`NativeReply.error`, the error's fields as JSON), so the JavaScript
//! layer throws the right `Error` subclass with every field set.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Value, json};
use wxcv::rt::{DynArgs, DynReply};
use wxcv::tencentcloud::{TencentCloud, TencentCloudConfig, TencentCloudOptions};
use wxcv::wechat::{WeChat, WeChatConfig, WeChatOptions};
use wxcv::{Error as CoreError, ErrorCode, Image, Secret};

/// The fields of a core error, for the JavaScript error classes. Messages come from the core's
/// `Display`, which never holds a secret or a token.
fn error_fields(e: &CoreError) -> Value {
    let mut d = json!({"message": e.to_string()});
    let extra = match e {
        CoreError::Api(a) => {
            let (code, errcode) = match &a.code {
                ErrorCode::WeChat(n) => (n.to_string(), Some(*n)),
                ErrorCode::TencentCloud(c) => (c.clone(), None),
            };
            json!({
                "kind": "api",
                "vendor": a.vendor.key(),
                "endpoint": a.endpoint,
                "code": code,
                "errcode": errcode,
                "vendorMessage": a.message,
                "requestId": a.request_id,
                "httpStatus": a.http_status,
                "category": a.category().as_str(),
                "meaning": a.meaning(),
                "meaningZh": a.meaning_zh(),
                "statusNote": a.status_note,
            })
        }
        CoreError::InvalidInput { endpoint, field, message } => json!({"kind": "invalid_input", "endpoint": endpoint, "field": field, "detail": message}),
        CoreError::Config(_) => json!({"kind": "config"}),
        CoreError::Transport { endpoint, kind, .. } => {
            json!({"kind": "transport", "endpoint": endpoint, "transportKind": kind.name(), "httpStatus": kind.http_status()})
        }
        CoreError::Decode { endpoint, http_status, .. } => json!({"kind": "decode", "endpoint": endpoint, "httpStatus": http_status}),
        _ => json!({"kind": "other"}),
    };
    if let (Some(d), Value::Object(extra)) = (d.as_object_mut(), extra) {
        d.extend(extra);
    }
    d
}

/// One picture argument: `kind` is `bytes` (with `data`), `path` or `url` (with `text`).
#[napi(object)]
pub struct ImageArg {
    pub name: String,
    pub kind: String,
    pub data: Option<Buffer>,
    pub text: Option<String>,
    pub content_type: Option<String>,
    pub filename: Option<String>,
}

/// A call's outcome: `json` (the reply's JSON text), `buffer` + `contentType` (a picture), or
/// `error` (the error's fields as JSON).
#[napi(object)]
pub struct NativeReply {
    pub json: Option<String>,
    pub buffer: Option<Buffer>,
    pub content_type: Option<String>,
    pub error: Option<String>,
}

impl NativeReply {
    fn failed(e: &CoreError) -> Self {
        NativeReply { json: None, buffer: None, content_type: None, error: Some(error_fields(e).to_string()) }
    }
}

fn args_of(values_json: &str, images: Vec<ImageArg>) -> std::result::Result<DynArgs, String> {
    let values: serde_json::Map<String, Value> = serde_json::from_str(values_json).map_err(|e| format!("arguments are not a JSON object: {e}"))?;
    let mut args = DynArgs::from_values(values);
    for a in images {
        let image = match (a.kind.as_str(), a.data, a.text) {
            ("bytes", Some(data), _) => {
                let mut img = Image::bytes(bytes::Bytes::from(data.to_vec()));
                if let Some(ct) = a.content_type {
                    img = img.with_content_type(ct);
                }
                if let Some(f) = a.filename {
                    img = img.with_filename(f);
                }
                img
            }
            ("path", _, Some(p)) => Image::path(p),
            ("url", _, Some(u)) => Image::url(u),
            (k, _, _) => return Err(format!("{}: bad picture argument of kind {k:?}", a.name)),
        };
        args.insert_image(a.name, image);
    }
    Ok(args)
}

#[derive(Clone)]
enum Inner {
    WeChat(WeChat),
    Tencent(TencentCloud),
}

/// Options of a WeChat client (see `WeChatOptions` in index.d.ts).
#[napi(object)]
pub struct WeChatInit {
    pub app_id: Option<String>,
    pub app_secret: Option<String>,
    pub cloudbase: Option<bool>,
    pub base_url: Option<String>,
    pub stable_token: Option<bool>,
    /// Seconds.
    pub timeout: Option<f64>,
    pub from_appid: Option<String>,
    pub redis_url: Option<String>,
    pub redis_prefix: Option<String>,
    pub redis_fallback: Option<bool>,
}

/// Options of a Tencent Cloud client.
#[napi(object)]
pub struct TencentCloudInit {
    pub secret_id: Option<String>,
    pub secret_key: Option<String>,
    pub region: Option<String>,
    pub token: Option<String>,
    pub language: Option<String>,
    pub base_url: Option<String>,
    pub timeout: Option<f64>,
}

fn wechat_options(o: WeChatInit) -> WeChatOptions {
    WeChatOptions {
        app_id: o.app_id,
        app_secret: o.app_secret.map(Secret::new),
        cloudbase: o.cloudbase.unwrap_or(false),
        base_url: o.base_url,
        stable_token: o.stable_token,
        timeout: o.timeout,
        from_appid: o.from_appid,
        redis_url: o.redis_url,
        redis_prefix: o.redis_prefix,
        redis_fallback: o.redis_fallback,
    }
}

fn tencent_options(o: TencentCloudInit) -> TencentCloudOptions {
    TencentCloudOptions {
        secret_id: o.secret_id,
        secret_key: o.secret_key.map(Secret::new),
        region: o.region,
        token: o.token.map(Secret::new),
        language: o.language,
        base_url: o.base_url,
        timeout: o.timeout,
    }
}

/// A core client (WeChat or Tencent Cloud); clones share the HTTP pool and the token cache.
#[napi]
pub struct NativeClient {
    inner: Inner,
}

#[napi]
impl NativeClient {
    /// A WeChat client, or throws an error whose message is the error's fields as JSON.
    #[napi(factory)]
    pub fn wechat(options: WeChatInit) -> Result<NativeClient> {
        let client = WeChatConfig::from_options(wechat_options(options)).and_then(WeChat::new).map_err(js_error)?;
        Ok(NativeClient { inner: Inner::WeChat(client) })
    }

    #[napi(factory)]
    pub fn tencentcloud(options: TencentCloudInit) -> Result<NativeClient> {
        let client = TencentCloudConfig::from_options(tencent_options(options)).and_then(TencentCloud::new).map_err(js_error)?;
        Ok(NativeClient { inner: Inner::Tencent(client) })
    }

    /// Calls `name` (`img.scan_qrcode`, `ocr.qrcode_ocr`, ...); never rejects: failures are `{ error }`.
    #[napi]
    pub async fn call(&self, name: String, values_json: String, images: Vec<ImageArg>) -> NativeReply {
        let args = match args_of(&values_json, images) {
            Ok(a) => a,
            Err(m) => return NativeReply::failed(&CoreError::Config(m)),
        };
        let reply = match &self.inner {
            Inner::WeChat(c) => c.call_dynamic(&name, args).await,
            Inner::Tencent(c) => c.call_dynamic(&name, args).await,
        };
        match reply {
            Ok(DynReply::Json(v)) => NativeReply { json: Some(v.to_string()), buffer: None, content_type: None, error: None },
            Ok(DynReply::Binary(b)) => NativeReply { json: None, buffer: Some(b.data.to_vec().into()), content_type: Some(b.content_type), error: None },
            Err(e) => NativeReply::failed(&e),
        }
    }

    /// Which account and where: never a secret or a token.
    #[napi]
    pub fn describe(&self) -> String {
        match &self.inner {
            Inner::WeChat(c) => c.describe(),
            Inner::Tencent(c) => c.describe(),
        }
    }

    /// The same client (pool, tokens) with another per-attempt timeout in seconds.
    #[napi]
    pub fn with_timeout(&self, seconds: f64) -> Result<NativeClient> {
        let inner = match &self.inner {
            Inner::WeChat(c) => Inner::WeChat(c.with_timeout_secs(seconds).map_err(js_error)?),
            Inner::Tencent(c) => Inner::Tencent(c.with_timeout_secs(seconds).map_err(js_error)?),
        };
        Ok(NativeClient { inner })
    }
}

/// A configuration error thrown from a factory: its message is the error's fields as JSON, which
/// the JavaScript layer turns into a `ConfigError`.
fn js_error(e: CoreError) -> napi::Error {
    napi::Error::new(Status::InvalidArg, error_fields(&e).to_string())
}

/// The emulator of both services on a free loopback port.
#[napi]
pub struct NativeEmulator {
    emu: Option<wxcv_emulator::Emulator>,
    base_url: String,
}

#[napi]
impl NativeEmulator {
    #[napi(factory)]
    pub async fn start(cloudbase: Option<bool>) -> Result<NativeEmulator> {
        let config = wxcv_emulator::EmulatorConfig { cloudbase: cloudbase.unwrap_or(false), ..Default::default() };
        let emu = wxcv_emulator::Emulator::start_with(config, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| napi::Error::from_reason(format!("cannot start the emulator: {e}")))?;
        let base_url = emu.base_url();
        Ok(NativeEmulator { emu: Some(emu), base_url })
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    fn live(&self) -> Result<&wxcv_emulator::Emulator> {
        self.emu.as_ref().ok_or_else(|| napi::Error::from_reason("the emulator is closed"))
    }

    #[napi]
    pub fn blob_url(&self, data: Buffer) -> Result<String> {
        self.live()?.blob_url(data.to_vec()).map_err(napi::Error::from_reason)
    }

    #[napi]
    pub fn token_issues(&self, app_id: String) -> Result<u32> {
        Ok(self.live()?.token_issues(&app_id).min(u32::MAX as u64) as u32)
    }

    #[napi]
    pub fn calls(&self, endpoint: String) -> Result<u32> {
        Ok(self.live()?.calls(&endpoint).min(u32::MAX as u64) as u32)
    }

    #[napi]
    pub fn close(&mut self) {
        self.emu = None;
    }
}

/// The emulator's built-in app and key pair.
#[napi(object)]
pub struct EmulatorCredentials {
    pub app_id: String,
    pub app_secret: String,
    pub secret_id: String,
    pub secret_key: String,
}

#[napi]
pub fn emulator_credentials() -> EmulatorCredentials {
    EmulatorCredentials {
        app_id: wxcv_emulator::APPID.into(),
        app_secret: wxcv_emulator::APPSECRET.into(),
        secret_id: wxcv_emulator::SECRET_ID.into(),
        secret_key: wxcv_emulator::SECRET_KEY.into(),
    }
}
