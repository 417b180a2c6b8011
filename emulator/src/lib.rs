//! A local emulator of the WeChat image/OCR APIs and Tencent Cloud OCR (QrcodeOCR, QueryBarCode),
//! driven by the same spec as the client: routes, inputs, limits and error replies come from the
//! generated `EndpointInfo` tables, and replies are built from the client's generated models.

pub mod codes;

use std::net::SocketAddr;

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
pub struct Emulator {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Emulator {
    /// Starts on a free loopback port with the default configuration.
    pub async fn start() -> std::io::Result<Emulator> {
        Self::start_with(EmulatorConfig::default(), SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_with(_config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(async { let _ = rx.await; }).await;
        });
        Ok(Emulator { addr, shutdown: Some(tx) })
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

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
