//! The WeChat client: configuration, access tokens, the CloudBase open API transport, and the
//! generic exchange the generated endpoint methods call.
//!
//! ```no_run
//! # async fn demo() -> wxcv::Result<()> {
//! use wxcv::wechat::{WeChat, WeChatConfig, ScanQrcodeRequest};
//! let wx = WeChat::new(WeChatConfig::new("wx0123456789abcdef", "app-secret"))?;
//! let found = wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::path("codes.jpg"))).await?;
//! for code in &found.code_results {
//!     println!("{} {}", code.type_name, code.data);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

pub use crate::generated::wechat::*;

use crate::error::{ApiError, Category, Error, ErrorCode, Result, TransportKind, Vendor};
use crate::image::{BinaryImage, Format};
use crate::rt::{AuthKind, EndpointInfo, Method, Part, WireRequest};
use crate::token::TokenCache;
use crate::token_store::{RedisOptions, StoreFailure, TokenStoreConfig};
use crate::transport::{self, HttpConfig, Reply};
use crate::Secret;

/// Environment variables read by [`WeChatConfig::from_env`].
pub const ENV_APPID: &str = "WECHAT_APPID";
pub const ENV_APPSECRET: &str = "WECHAT_APPSECRET";
/// Set to `1` to call through CloudBase Run's open API service (no access token).
pub const ENV_CLOUDBASE: &str = "WECHAT_CLOUDBASE";
/// Overrides `https://api.weixin.qq.com` (an emulator, a proxy).
pub const ENV_BASE_URL: &str = "WECHAT_BASE_URL";
/// Set to `1` to fetch tokens with `cgi-bin/stable_token`.
pub const ENV_STABLE_TOKEN: &str = "WECHAT_STABLE_TOKEN";
/// `redis://host:port/db`: share access tokens with every process using the same Redis.
pub const ENV_REDIS_URL: &str = "WECHAT_REDIS_URL";
/// The Redis key prefix (default `wxcv:token:`).
pub const ENV_REDIS_PREFIX: &str = "WECHAT_REDIS_PREFIX";

/// How calls are authenticated.
#[derive(Clone)]
pub enum Credentials {
    /// App id and secret: the client fetches and caches access tokens.
    AppSecret { app_id: String, app_secret: Secret },
    /// CloudBase Run's open API service: plain HTTP to api.weixin.qq.com, no access_token; the
    /// platform authenticates the call. `from_appid` reuses another account's resources.
    CloudBase { from_appid: Option<String> },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::AppSecret { app_id, app_secret } => {
                f.debug_struct("AppSecret").field("app_id", app_id).field("app_secret", app_secret).finish()
            }
            Credentials::CloudBase { from_appid } => f.debug_struct("CloudBase").field("from_appid", from_appid).finish(),
        }
    }
}

/// Configuration of a [`WeChat`] client.
#[derive(Debug, Clone)]
pub struct WeChatConfig {
    pub credentials: Credentials,
    /// Scheme and host every call goes to; `None` for the vendor's (`https://api.weixin.qq.com`,
    /// or `http://api.weixin.qq.com` for CloudBase).
    pub base_url: Option<String>,
    /// Fetch tokens with `cgi-bin/stable_token` instead of `cgi-bin/token`.
    pub stable_token: bool,
    /// Where access tokens are kept: this process's memory (the default) or a store shared by
    /// every process of the app, such as Redis ([`crate::token_store`]).
    pub token_store: TokenStoreConfig,
    pub http: HttpConfig,
}

impl WeChatConfig {
    pub fn new(app_id: impl Into<String>, app_secret: impl Into<String>) -> Self {
        WeChatConfig {
            credentials: Credentials::AppSecret { app_id: app_id.into(), app_secret: Secret::new(app_secret) },
            base_url: None,
            stable_token: false,
            token_store: TokenStoreConfig::memory(),
            http: HttpConfig::default(),
        }
    }

    /// CloudBase Run's open API service (no access token).
    pub fn cloudbase() -> Self {
        WeChatConfig {
            credentials: Credentials::CloudBase { from_appid: None },
            base_url: None,
            stable_token: false,
            token_store: TokenStoreConfig::memory(),
            http: HttpConfig::default(),
        }
    }

    /// From `WECHAT_APPID` / `WECHAT_APPSECRET` (or `WECHAT_CLOUDBASE=1`), `WECHAT_BASE_URL` and
    /// `WECHAT_STABLE_TOKEN=1`.
    pub fn from_env() -> Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let mut cfg = if var(ENV_CLOUDBASE).is_some_and(|v| v == "1" || v == "true") {
            WeChatConfig::cloudbase()
        } else {
            match (var(ENV_APPID), var(ENV_APPSECRET)) {
                (Some(id), Some(secret)) => WeChatConfig::new(id, secret),
                (None, _) => return Err(Error::Config(format!("{ENV_APPID} is not set (or set {ENV_CLOUDBASE}=1)"))),
                (_, None) => return Err(Error::Config(format!("{ENV_APPSECRET} is not set"))),
            }
        };
        cfg.base_url = var(ENV_BASE_URL);
        cfg.stable_token = var(ENV_STABLE_TOKEN).is_some_and(|v| v == "1" || v == "true");
        if let Some(url) = var(ENV_REDIS_URL) {
            let mut o = RedisOptions::new(url);
            if let Some(p) = var(ENV_REDIS_PREFIX) {
                o = o.prefix(p);
            }
            cfg = cfg.redis(o)?;
        }
        Ok(cfg)
    }

    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }
    pub fn stable_token(mut self, yes: bool) -> Self {
        self.stable_token = yes;
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.http.timeout = t;
        self
    }
    /// Keep access tokens in `store` (shared by every client given the same store).
    pub fn token_store(mut self, store: TokenStoreConfig) -> Self {
        self.token_store = store;
        self
    }
    /// Share access tokens through Redis; failures of Redis are errors (see [`TokenStoreConfig`]
    /// to fall back to a process-local token instead).
    pub fn redis(self, options: RedisOptions) -> Result<Self> {
        Ok(self.token_store(TokenStoreConfig::redis(options)?))
    }
    pub fn from_appid(mut self, appid: impl Into<String>) -> Self {
        if let Credentials::CloudBase { from_appid } = &mut self.credentials {
            *from_appid = Some(appid.into());
        }
        self
    }
}

/// A WeChat client's settings as the bindings take them (every field optional). Messages name each
/// setting in both spellings the bindings use (`app_secret` / `appSecret`).
#[derive(Debug, Clone, Default)]
pub struct WeChatOptions {
    pub app_id: Option<String>,
    pub app_secret: Option<Secret>,
    pub cloudbase: bool,
    pub base_url: Option<String>,
    pub stable_token: Option<bool>,
    /// Seconds per attempt.
    pub timeout: Option<f64>,
    pub from_appid: Option<String>,
    /// `redis://host:port/db`: share access tokens through Redis.
    pub redis_url: Option<String>,
    /// The Redis key prefix (default `wxcv:token:`).
    pub redis_prefix: Option<String>,
    /// When Redis fails, fetch a process-local token instead of failing the call.
    pub redis_fallback: Option<bool>,
}

impl WeChatConfig {
    /// From options; with neither credentials nor `cloudbase`, from the environment ([`Self::from_env`]).
    pub fn from_options(o: WeChatOptions) -> Result<Self> {
        let mut cfg = match (o.app_id, o.app_secret, o.cloudbase) {
            (_, _, true) => WeChatConfig::cloudbase(),
            (Some(id), Some(secret), false) => WeChatConfig::new(id, secret.expose()),
            (None, None, false) => WeChatConfig::from_env()?,
            (Some(_), None, false) => return Err(Error::Config("app_secret / appSecret is required with app_id / appId".into())),
            (None, Some(_), false) => return Err(Error::Config("app_id / appId is required with app_secret / appSecret".into())),
        };
        if let Some(u) = o.base_url {
            cfg = cfg.base_url(u);
        }
        if let Some(s) = o.stable_token {
            cfg = cfg.stable_token(s);
        }
        if let Some(t) = transport::timeout_setting(o.timeout)? {
            cfg = cfg.timeout(t);
        }
        if let Some(a) = o.from_appid {
            if !o.cloudbase {
                return Err(Error::Config("from_appid / fromAppid needs cloudbase".into()));
            }
            cfg = cfg.from_appid(a);
        }
        match (o.redis_url, o.redis_prefix, o.redis_fallback) {
            (Some(url), prefix, fallback) => {
                if o.cloudbase {
                    return Err(Error::Config("redis_url / redisUrl has no use in CloudBase mode (no access token)".into()));
                }
                let mut ro = RedisOptions::new(url);
                if let Some(p) = prefix {
                    ro = ro.prefix(p);
                }
                let mut store = TokenStoreConfig::redis(ro)?;
                if fallback == Some(true) {
                    store = store.on_failure(StoreFailure::FetchLocally);
                }
                cfg = cfg.token_store(store);
            }
            (None, Some(_), _) => return Err(Error::Config("redis_prefix / redisPrefix needs redis_url / redisUrl".into())),
            (None, _, Some(_)) => return Err(Error::Config("redis_fallback / redisFallback needs redis_url / redisUrl".into())),
            (None, None, None) => {}
        }
        Ok(cfg)
    }
}

struct Inner {
    config: WeChatConfig,
    base_url: String,
    http: reqwest::Client,
    /// The tokens of the configured kind (`cgi-bin/token`, or `stable_token` with
    /// [`WeChatConfig::stable_token`]): the ones API calls use.
    tokens: TokenCache,
    /// The other kind's, for its token endpoint alone (the two kinds are independent at WeChat).
    other_tokens: TokenCache,
}

/// A WeChat client. Cheap to clone; clones share the HTTP pool and the token cache.
#[derive(Clone)]
pub struct WeChat {
    inner: Arc<Inner>,
    /// Per-attempt timeout of API calls through this handle ([`WeChat::with_timeout`]).
    timeout: Option<Duration>,
}

impl fmt::Debug for WeChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeChat").field("config", &self.inner.config).finish()
    }
}

impl WeChat {
    pub fn new(config: WeChatConfig) -> Result<Self> {
        let default = match config.credentials {
            Credentials::CloudBase { .. } => "http://api.weixin.qq.com",
            Credentials::AppSecret { .. } => "https://api.weixin.qq.com",
        };
        let base_url = crate::normalize_base_url(config.base_url.as_deref().unwrap_or(default))?;
        if let Credentials::AppSecret { app_id, app_secret } = &config.credentials {
            if app_id.is_empty() || app_secret.expose().is_empty() {
                return Err(Error::Config("the app id and the app secret must not be empty".into()));
            }
        }
        let http = transport::build_client(&config.http)?;
        let key = |stable: bool| match &config.credentials {
            Credentials::AppSecret { app_id, .. } if stable => format!("{app_id}:stable"),
            Credentials::AppSecret { app_id, .. } => app_id.clone(),
            Credentials::CloudBase { .. } => String::new(),
        };
        let tokens = TokenCache::new(config.token_store.clone(), key(config.stable_token));
        let other_tokens = TokenCache::new(config.token_store.clone(), key(!config.stable_token));
        Ok(WeChat { inner: Arc::new(Inner { config, base_url, http, tokens, other_tokens }), timeout: None })
    }

    /// A client configured from the environment (see [`WeChatConfig::from_env`]).
    pub fn from_env() -> Result<Self> {
        WeChat::new(WeChatConfig::from_env()?)
    }

    /// Which account and where, for a binding's repr: never a secret or a token.
    pub fn describe(&self) -> String {
        let cfg = &self.inner.config;
        let who = match &cfg.credentials {
            Credentials::AppSecret { app_id, .. } => format!("app {app_id}"),
            Credentials::CloudBase { from_appid: None } => "CloudBase".to_string(),
            Credentials::CloudBase { from_appid: Some(a) } => format!("CloudBase for {a}"),
        };
        let store = &self.inner.config.token_store.store;
        match store.describe().as_str() {
            "memory" => format!("{who} at {}", self.inner.base_url),
            s => format!("{who} at {}, tokens in {s}", self.inner.base_url),
        }
    }

    /// A client for some calls with another per-attempt timeout: it shares this client's HTTP
    /// pool and access tokens, so it is cheap; this client keeps its own setting.
    ///
    /// ```no_run
    /// # async fn demo(c: wxcv::wechat::WeChat) -> wxcv::Result<()> {
    /// let quick = c.with_timeout(std::time::Duration::from_secs(2));
    /// # Ok(()) }
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        WeChat { inner: self.inner.clone(), timeout: Some(timeout) }
    }

    /// [`Self::with_timeout`] in seconds, checked as the bindings' `timeout` options are
    /// (more than 0, at most a day).
    pub fn with_timeout_secs(&self, seconds: f64) -> Result<Self> {
        let t = transport::timeout_setting(Some(seconds))?.unwrap_or(self.inner.config.http.timeout);
        Ok(self.with_timeout(t))
    }

    pub fn config(&self) -> &WeChatConfig {
        &self.inner.config
    }

    /// The current access token (fetched when none is cached). CloudBase mode has none.
    pub async fn access_token(&self) -> Result<String> {
        Ok(self.token().await?.to_string())
    }

    async fn token(&self) -> Result<Arc<str>> {
        let fetch = self.fetcher(self.inner.config.stable_token, false)?;
        Ok(self.inner.tokens.get(fetch).await?.value)
    }

    /// What the token endpoints answer for the client's own app: the current shared token (from
    /// this process's cache or the token store; fetched only when none is usable, by one process
    /// and one request however many ask), with the seconds it stays valid. `force_refresh` fetches
    /// a new one through the store's refresh lock (when several force at once, one fetches).
    /// `stable` picks `cgi-bin/stable_token`'s token rather than `cgi-bin/token`'s. Every binding's
    /// `auth.get_access_token` / `get_stable_access_token` call for the configured app lands here.
    pub async fn access_token_reply(&self, stable: bool, force_refresh: bool) -> Result<AccessToken> {
        let cache = if stable == self.inner.config.stable_token { &self.inner.tokens } else { &self.inner.other_tokens };
        let fetch = self.fetcher(stable, force_refresh)?;
        let t = if force_refresh { cache.refresh(fetch).await? } else { cache.current(fetch).await? };
        Ok(AccessToken { access_token: t.value.to_string(), expires_in: i64::try_from(t.expires_in()).unwrap_or(i64::MAX) })
    }

    /// The vendor fetch of a new token of one kind (`force` asks stable_token for a new one even
    /// while the current one is valid; cgi-bin/token always issues a new one).
    fn fetcher(&self, stable: bool, force: bool) -> Result<impl FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = crate::token::FetchResult> + Send>> + Send + 'static> {
        let Credentials::AppSecret { app_id, app_secret } = &self.inner.config.credentials else {
            return Err(Error::Config("CloudBase mode has no access token".into()));
        };
        // The token fetch serves every waiting call: the client's own timeout, not a handle's.
        let this = WeChat { inner: self.inner.clone(), timeout: None };
        let (app_id, app_secret) = (app_id.clone(), app_secret.expose().to_string());
        Ok(move || -> std::pin::Pin<Box<dyn std::future::Future<Output = crate::token::FetchResult> + Send>> {
            Box::pin(async move {
                // Straight to the wire: the token endpoints need no token, and going through
                // `exchange` would make this future recursive.
                let w = if stable {
                    let mut r = GetStableAccessTokenRequest::new(app_id, app_secret);
                    if force {
                        r = r.force_refresh(true);
                    }
                    r.into_wire().await?
                } else {
                    GetAccessTokenRequest::new(app_id, app_secret).into_wire().await?
                };
                tracing::debug!(endpoint = w.endpoint.name, force, "fetching an access token from the vendor");
                let reply = this.send_once(&w, None).await?;
                let tok: AccessToken = decode_json(w.endpoint, &reply)?;
                let expires_in = u64::try_from(tok.expires_in).unwrap_or(0);
                Ok((tok.access_token, expires_in))
            })
        })
    }

    /// `Some((stable, force_refresh))` when `w` asks a token endpoint for the configured app's
    /// token (its appid and secret are the client's own): such a request is answered from the
    /// shared token ([`Self::access_token_reply`]) instead of replacing it at the vendor. A request
    /// for another app, or in CloudBase mode, goes to the vendor as it is.
    pub fn own_token_request(&self, w: &WireRequest) -> Option<(bool, bool)> {
        if !is_token_endpoint(w.endpoint) {
            return None;
        }
        let stable = w.endpoint.name == AUTH_GET_STABLE_ACCESS_TOKEN.name;
        let Credentials::AppSecret { app_id, app_secret } = &self.inner.config.credentials else { return None };
        let input = |name: &str| -> Option<Value> {
            w.query.iter().find(|(k, _)| *k == name).map(|(_, v)| Value::String(v.clone())).or_else(|| w.json.get(name).cloned())
        };
        let same = |name: &str, want: &str| input(name).as_ref().and_then(Value::as_str) == Some(want);
        if !(same("appid", app_id) && same("secret", app_secret.expose())) {
            return None;
        }
        let force = match input("force_refresh") {
            Some(Value::Bool(b)) => b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        Some((stable, force))
    }

    fn uses_token(&self, ep: &EndpointInfo) -> bool {
        ep.auth == AuthKind::AccessToken && matches!(self.inner.config.credentials, Credentials::AppSecret { .. })
    }

    /// Sends the request and reads the reply with `read`; on a token error, refreshes the token
    /// and tries once more.
    async fn exchange<T>(&self, w: &WireRequest, read: fn(&'static EndpointInfo, &Reply) -> Result<T>) -> Result<T> {
        let ep = w.endpoint;
        let span = tracing::info_span!("wxcv.call", vendor = "wechat", endpoint = ep.name);
        async move {
            let mut attempt = 0;
            loop {
                let token = if self.uses_token(ep) { Some(self.token().await?) } else { None };
                let reply = self.send_once(w, token.as_deref()).await?;
                let out = read(ep, &reply);
                if let (Err(Error::Api(e)), Some(t)) = (&out, &token) {
                    if e.category() == Category::Token && attempt == 0 {
                        tracing::info!(code = %e.code, "token rejected; refreshing and retrying once");
                        self.inner.tokens.invalidate(t).await;
                        attempt += 1;
                        continue;
                    }
                }
                return out;
            }
        }
        .instrument(span)
        .await
    }

    async fn send_once(&self, w: &WireRequest, token: Option<&str>) -> Result<Reply> {
        let ep = w.endpoint;
        let url = format!("{}{}", self.inner.base_url, ep.path);
        let method = match ep.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut query: Vec<(&str, &str)> = Vec::with_capacity(w.query.len() + 2);
        if let Some(t) = token {
            query.push(("access_token", t));
        }
        if let Credentials::CloudBase { from_appid: Some(a) } = &self.inner.config.credentials {
            query.push(("from_appid", a));
        }
        query.extend(w.query.iter().map(|(k, v)| (*k, v.as_str())));
        let mut req = self.inner.http.request(method, url);
        if let Some(t) = self.timeout {
            req = req.timeout(t);
        }
        if !query.is_empty() {
            req = req.query(&query);
        }
        if !w.parts.is_empty() {
            let mut form = reqwest::multipart::Form::new();
            for p in &w.parts {
                form = match p {
                    Part::Text { name, value } => form.text(*name, value.clone()),
                    Part::File { name, filename, content_type, data } => {
                        let part = reqwest::multipart::Part::stream_with_length(data.clone(), data.len() as u64)
                            .file_name(filename.clone())
                            .mime_str(content_type)
                            .map_err(|_| Error::invalid(ep, name, format!("invalid content type {content_type:?}")))?;
                        form.part(*name, part)
                    }
                };
            }
            req = req.multipart(form);
        } else if !w.json.is_empty() || (ep.method == Method::Post && ep.json_body) {
            req = req.json(&w.json);
        }
        tracing::debug!(path = ep.path, "sending");
        let reply = transport::send(ep, req, self.inner.config.http.max_response_bytes).await?;
        tracing::debug!(status = reply.status, bytes = reply.body.len(), "reply");
        Ok(reply)
    }

    /// Generated JSON endpoints land here.
    /// Sends a request built from the spec's tables and decodes the reply (typed, or `serde_json::Value`).
    /// The generated methods call this; the command line calls it with requests it builds from `EndpointInfo::inputs`.
    pub async fn call_json<T: DeserializeOwned>(&self, w: WireRequest) -> Result<T> {
        if let Some((stable, force)) = self.own_token_request(&w) {
            return self.token_json(w.endpoint, stable, force).await;
        }
        self.inner.config.http.retry.run(w.endpoint, || self.call_json_once(&w)).await
    }

    /// A token endpoint's request for the configured app ([`Self::own_token_request`]), with the
    /// forced refresh the command line's `--force-refresh` asks for; any other request is sent as
    /// [`Self::call_json`] sends it.
    pub async fn call_token_json<T: DeserializeOwned>(&self, w: WireRequest, force_refresh: bool) -> Result<T> {
        match self.own_token_request(&w) {
            Some((stable, force)) => self.token_json(w.endpoint, stable, force || force_refresh).await,
            None => self.call_json(w).await,
        }
    }

    async fn token_json<T: DeserializeOwned>(&self, ep: &'static EndpointInfo, stable: bool, force: bool) -> Result<T> {
        let span = tracing::info_span!("wxcv.call", vendor = "wechat", endpoint = ep.name);
        let tok = self.access_token_reply(stable, force).instrument(span).await?;
        let v = serde_json::to_value(&tok).map_err(|e| Error::decode(ep, 200, e.to_string()))?;
        serde_json::from_value(v).map_err(|e| Error::decode(ep, 200, e.to_string()))
    }

    async fn call_json_once<T: DeserializeOwned>(&self, w: &WireRequest) -> Result<T> {
        self.exchange(w, decode_json::<T>).await
    }

    /// Generated binary endpoints land here: an image, or a typed error, never JSON as an image.
    pub async fn call_binary(&self, w: WireRequest) -> Result<BinaryImage> {
        self.inner.config.http.retry.run(w.endpoint, || self.call_binary_once(&w)).await
    }

    async fn call_binary_once(&self, w: &WireRequest) -> Result<BinaryImage> {
        self.exchange(w, |ep, reply| {
            if let Some(e) = wechat_error(ep, reply) {
                return Err(Error::Api(Box::new(e)));
            }
            check_status(ep, reply)?;
            decode_image(ep, reply)
        })
        .await
    }
}

/// The token endpoints (`cgi-bin/token`, `cgi-bin/stable_token`): asked for the client's own app,
/// they answer the shared token ([`WeChat::access_token_reply`]).
pub fn is_token_endpoint(ep: &EndpointInfo) -> bool {
    ep.name == AUTH_GET_ACCESS_TOKEN.name || ep.name == AUTH_GET_STABLE_ACCESS_TOKEN.name
}

/// A JSON reply into `T`, after WeChat's error envelope and the HTTP status are checked.
pub(crate) fn decode_json<T: DeserializeOwned>(ep: &'static EndpointInfo, reply: &Reply) -> Result<T> {
    // The usual reply, a 2xx with errcode 0 or none, in one pass: the result's fields and the
    // envelope's read together (benchmarks: the envelope read apart cost 6,600 instructions a call).
    if (200..300).contains(&reply.status) {
        if let Ok(c) = serde_json::from_slice::<crate::rt::Checked<T, WeChatEnvelope>>(&reply.body) {
            if c.ok {
                return Ok(c.value);
            }
        }
    }
    // An error, or anything unusual: the envelope first, then the result, as the vendor documents.
    if let Some(e) = wechat_error(ep, reply) {
        return Err(Error::Api(Box::new(e)));
    }
    decode_body(ep, reply)
}

/// WeChat's envelope keys, read aside from the result: a non-zero `errcode` (a number, or a
/// string that reads as one) is not ok; `errmsg` is skipped.
pub(crate) struct WeChatEnvelope;

impl crate::rt::EnvelopeKeys for WeChatEnvelope {
    fn aside<'de, A: serde::de::MapAccess<'de>>(key: &str, map: &mut A) -> std::result::Result<Option<bool>, A::Error> {
        Ok(match key {
            "errcode" => Some(match map.next_value::<Option<Code>>()? {
                None => true,
                Some(Code::Int(c)) => c == 0,
                Some(Code::Str(s)) => s.trim().parse::<i64>().ok() == Some(0),
            }),
            "errmsg" => {
                map.next_value::<serde::de::IgnoredAny>()?;
                Some(true)
            }
            _ => None,
        })
    }
}

fn decode_body<T: DeserializeOwned>(ep: &'static EndpointInfo, reply: &Reply) -> Result<T> {
    check_status(ep, reply)?;
    serde_json::from_slice(&reply.body).map_err(|e| Error::decode(ep, reply.status, format!("{e}")))
}

fn check_status(ep: &EndpointInfo, reply: &Reply) -> Result<()> {
    if (200..300).contains(&reply.status) {
        Ok(())
    } else {
        Err(Error::Transport {
            endpoint: ep.name,
            kind: TransportKind::HttpStatus(reply.status),
            message: format!("HTTP {} without a WeChat error body", reply.status),
        })
    }
}

/// The picture in a binary reply; JSON and anything without an image signature is an error.
pub(crate) fn decode_image(ep: &EndpointInfo, reply: &Reply) -> Result<BinaryImage> {
    let Some(format) = Format::sniff(&reply.body) else {
        let what = if looks_like_json(&reply.body) { "a JSON body without errcode" } else { "bytes that are not a picture" };
        return Err(Error::decode(ep, reply.status, format!("expected an image, got {what} ({} bytes)", reply.body.len())));
    };
    let content_type = match reply.content_type() {
        Some(ct) if ct.starts_with("image/") => ct.to_string(),
        _ => format.mime().to_string(),
    };
    Ok(BinaryImage { content_type, data: reply.body.clone() })
}

pub(crate) fn looks_like_json(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'{')
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Code {
    Int(i64),
    Str(String),
}

#[derive(Deserialize)]
struct Envelope {
    errcode: Option<Code>,
    #[serde(default)]
    errmsg: String,
}

/// WeChat's error envelope, if the body is one with a non-zero errcode (number or string).
pub(crate) fn wechat_error(ep: &'static EndpointInfo, reply: &Reply) -> Option<ApiError> {
    if !looks_like_json(&reply.body) {
        return None;
    }
    let env: Envelope = serde_json::from_slice(&reply.body).ok()?;
    let code = match env.errcode? {
        Code::Int(c) => c,
        Code::Str(s) => s.trim().parse().ok()?,
    };
    if code == 0 {
        return None;
    }
    // WeChat appends "rid: <id>" to errmsg; CloudBase sends x-openapi-seqid. The id is kept in
    // `request_id` only, so a message says it once.
    let (text, rid) = match env.errmsg.rsplit_once("rid: ") {
        Some((before, r)) => (before.trim_end().trim_end_matches([',', ';', ':']).trim_end(), Some(r.trim())),
        None => (env.errmsg.trim(), None),
    };
    let request_id = rid
        .map(crate::transport::redact_text)
        .or_else(|| reply.header("x-openapi-seqid").map(|r| crate::transport::redact_text(&r)));
    Some(ApiError {
        vendor: Vendor::WeChat,
        endpoint: ep.name,
        code: ErrorCode::WeChat(code),
        message: crate::transport::redact_text(&crate::error::once(text)),
        request_id,
        http_status: reply.status,
        info: ep.error_info(&code.to_string()),
        status_note: ep.status_text(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wechat::{IMG_SCAN_QRCODE, ScanQrcodeResult};

    fn reply(body: &str) -> Reply {
        Reply { status: 200, headers: reqwest::header::HeaderMap::new(), body: bytes::Bytes::from(body.to_string()) }
    }

    /// The one-pass read and the envelope-first read agree on every errcode shape.
    #[test]
    fn the_envelope_is_read_with_the_result() {
        let fields = r#""code_results":[{"type_name":"QR_CODE","data":"x"}],"img_size":{"w":3,"h":4}"#;
        for ok in [format!("{{{fields}}}"), format!(r#"{{"errcode":0,"errmsg":"ok",{fields}}}"#), format!(r#"{{{fields},"errcode":"0"}}"#), format!(r#"{{"errcode":null,{fields}}}"#)] {
            let r: ScanQrcodeResult = decode_json(&IMG_SCAN_QRCODE, &reply(&ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!((r.code_results.len(), r.img_size.map(|s| s.w)), (1, Some(3)), "{ok}");
        }
        for bad in [r#"{"errcode":40001,"errmsg":"invalid credential rid: 1"}"#.to_string(), format!(r#"{{{fields},"errcode":45009,"errmsg":"limit"}}"#), format!(r#"{{"errcode":"40001",{fields}}}"#)] {
            let e = decode_json::<ScanQrcodeResult>(&IMG_SCAN_QRCODE, &reply(&bad)).unwrap_err();
            assert!(e.api().is_some(), "{bad}: {e:?}");
        }
        // A key with escapes is still the field it names.
        let r: ScanQrcodeResult = decode_json(&IMG_SCAN_QRCODE, &reply(r#"{"img\u005fsize":{"w":7,"h":1}}"#)).unwrap();
        assert_eq!(r.img_size.map(|s| s.w), Some(7));
    }
}
