//! A local emulator of the WeChat image/OCR APIs and Tencent Cloud OCR (QrcodeOCR, QueryBarCode),
//! driven by the same spec as the client: routes, inputs, limits and error replies come from the
//! generated `EndpointInfo` tables, and replies are built from the client's generated models.
//!
//! The server is the `server` feature (on by default). Without it the crate is a stand-in that
//! keeps the same `Emulator` type and constants, so a binding built without the emulator (the
//! mobile library for apps) compiles unchanged and `Emulator::start` says what is missing; none of
//! the decoding, imaging or HTTP server code is linked in.

#[cfg(feature = "server")]
pub mod codes;
#[cfg(feature = "server")]
pub mod fixture_gen;

#[cfg(not(feature = "server"))]
mod absent;
#[cfg(feature = "server")]
mod control;
#[cfg(feature = "server")]
pub mod imaging;
#[cfg(feature = "server")]
mod inputs;
#[cfg(feature = "server")]
mod server;
#[cfg(feature = "server")]
pub mod state;
#[cfg(feature = "server")]
mod tencent;
#[cfg(feature = "server")]
mod wechat;

#[cfg(feature = "server")]
use std::net::SocketAddr;
#[cfg(feature = "server")]
use std::sync::Arc;

#[cfg(not(feature = "server"))]
pub use absent::Emulator;
#[cfg(feature = "server")]
pub use state::{Fault, FaultRule, LogEntry};
#[cfg(feature = "server")]
pub use tencent::{gtin_check_digit, gtin_valid};
#[cfg(feature = "server")]
pub use wechat::wxacode_link;

/// The app the emulator knows from the start.
pub const APPID: &str = "wx0e0a1b2c3d4e5f60";
pub const APPSECRET: &str = "emulator-app-secret-0123456789abcdef";
/// The Tencent Cloud key pair the emulator knows from the start.
pub const SECRET_ID: &str = "AKIDemulator0123456789abcdefEXAMPLE";
pub const SECRET_KEY: &str = "emulatorSecretKey0123456789EXAMPLE";

/// What the emulator allows and how it behaves.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Accept WeChat calls without access_token (CloudBase Run's open API service).
    pub cloudbase: bool,
    /// Codes an app may create with wxacode.get + createQRCode before 45029.
    pub wxacode_limit: u64,
    /// Largest request body read, in bytes.
    pub max_body_bytes: usize,
    /// Largest picture decoded, in pixels (against decompression bombs).
    pub max_pixels: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig { cloudbase: false, wxacode_limit: 100_000, max_body_bytes: 16 << 20, max_pixels: 40_000_000 }
    }
}

/// A running emulator; stops when dropped.
#[cfg(feature = "server")]
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<state::State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

#[cfg(feature = "server")]
impl Emulator {
    /// Starts on a free loopback port with the default configuration.
    pub async fn start() -> std::io::Result<Emulator> {
        Self::start_with(EmulatorConfig::default(), SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on `addr` (port 0 picks a free one).
    pub async fn start_with(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = Arc::new(state::State::new(config));
        let app = router(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Emulator { addr, state, shutdown: Some(tx) })
    }

    /// Arms a fault for the next `times` calls of an endpoint (`img.scan_qrcode`, `img.scanQRCode`,
    /// `QrcodeOCR` or `*`).
    pub fn inject(&self, endpoint: &str, times: u32, fault: Fault) {
        self.state.lock().faults.push(FaultRule { endpoint: endpoint.to_string(), times, fault });
    }

    /// Registers the reply an endpoint that reads a picture gives for this picture: an OCR endpoint
    /// (`ocr.idcard`, `BusinessCardOCR`, ...), or a canned reply of `img.scan_qrcode` / `QrcodeOCR`
    /// given without decoding the picture.
    pub fn register_ocr(&self, endpoint: &str, image: &[u8], reply: serde_json::Value) -> Result<(), String> {
        let key = control::resolve_endpoint(endpoint).ok_or_else(|| format!("no endpoint {endpoint}"))?;
        self.state.lock().ocr_fixtures.insert((key, state::digest(image)), reply);
        Ok(())
    }

    /// Registers the product records QueryBarCode returns for a barcode.
    pub fn register_barcode(&self, bar_code: &str, records: serde_json::Value) {
        self.state.lock().products.insert(bar_code.to_string(), records);
    }

    /// Serves bytes at a loopback URL of the emulator's, for img_url / ImageUrl.
    pub fn blob_url(&self, data: impl Into<bytes::Bytes>) -> Result<String, String> {
        let key = self.state.add_blob(data.into())?;
        Ok(format!("{}/__emulator/blobs/{key}", self.base_url()))
    }

    /// Adds an app (app id and secret) the token endpoints accept.
    pub fn add_app(&self, appid: &str, secret: &str) {
        self.state.lock().apps.insert(appid.to_string(), secret.to_string());
    }

    /// Moves the emulator's clock forward (token and media expiry, TC3 timestamps).
    pub fn advance_clock(&self, seconds: i64) {
        self.state.advance_clock(seconds.max(0));
    }

    /// Ends every token of an app now, as if another instance had rotated it and the overlap were
    /// over: calls with them get 40001. Answers how many were live.
    pub fn revoke_tokens(&self, appid: &str) -> usize {
        self.state.revoke_tokens(appid)
    }

    /// Tokens issued to an app so far (cgi-bin/token and stable_token together).
    pub fn token_issues(&self, appid: &str) -> u64 {
        self.state.lock().token_issues.get(appid).copied().unwrap_or(0)
    }

    /// Calls handled for an endpoint (`img.scan_qrcode`, ...).
    pub fn calls(&self, endpoint: &str) -> u64 {
        self.state.lock().calls.get(endpoint).copied().unwrap_or(0)
    }

    /// The last calls handled, oldest first.
    pub fn log(&self) -> Vec<LogEntry> {
        self.state.lock().log.iter().cloned().collect()
    }

    /// `http://127.0.0.1:<port>`: the base URL of both vendors' APIs and of the control API.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A WeChat client configuration for the emulator's app.
    pub fn wechat_config(&self) -> wxcv::wechat::WeChatConfig {
        wxcv::wechat::WeChatConfig::new(APPID, APPSECRET).base_url(self.base_url())
    }

    /// A Tencent Cloud client configuration for the emulator's key pair.
    pub fn tencent_config(&self) -> wxcv::tencentcloud::TencentCloudConfig {
        wxcv::tencentcloud::TencentCloudConfig::new(SECRET_ID, SECRET_KEY).base_url(self.base_url())
    }
}

#[cfg(feature = "server")]
impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The emulator's HTTP service over `state`, without a socket: what [`Emulator::start_with`] serves,
/// for driving it in-process (`tower::ServiceExt::oneshot`; the fuzz target in `fuzz/` does).
#[cfg(feature = "server")]
pub fn router(state: Arc<state::State>) -> axum::Router {
    axum::Router::new()
        .fallback(server::handle)
        // The handler reads bodies itself, under the configured limit.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}

/// A small seeded generator (xorshift64*) for reproducible random test traffic: the soak's fault
/// plan and the hostile-input requests. Not for anything secret.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        XorShift(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// One of `xs` (not empty).
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}
