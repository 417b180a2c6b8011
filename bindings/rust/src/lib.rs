//! # wxcv
//!
//! The WeChat image APIs (`img.scanQRCode`, `img.superresolution`, `img.aiCrop`, the `ocr.*`
//! family, `wxacode.*`) and Tencent Cloud's QR/barcode OCR (API 3.0), as one typed async client.
//! Every endpoint, input, limit, reply field and error code comes from the YAML spec in `spec/`;
//! the endpoint code under `src/generated/` is written by `cargo xtask codegen`.
//!
//! - [`wechat::WeChat`]: access tokens cached, refreshed ahead of expiry and fetched once however
//!   many calls wait; a rejected token is refreshed and the call retried once; or CloudBase Run's
//!   open API service with no token at all. Tokens can be shared by every process of an app
//!   through Redis ([`token_store`]), so instances never replace each other's token.
//! - [`tencentcloud::TencentCloud`]: TC3-HMAC-SHA256 signing, regions checked per action.
//! - [`scan::Ocr`]: seed 002's `ocr.scan`, one call for every document kind over both clients,
//!   answering a [`scan::ScanResult`] with one variant per kind.
//! - Every documented limit is checked before anything is sent; every failure is one [`Error`].
//! - Secrets and tokens never appear in an error, a `Debug` print, a log line or a printed URL.

mod error;
#[cfg(feature = "fuzzing")] pub mod fuzzing;
mod generated;
mod image;
pub mod retry;
pub mod rt;
/// Seed 002's `ocr.scan` (from spec/scan.yaml): [`scan::Ocr::scan`] reads a picture as one kind of
/// document with that kind's endpoint, WeChat's or Tencent Cloud's.
///
/// ```no_run
/// # async fn run() -> wxcv::Result<()> {
/// use wxcv::scan::{Ocr, ScanKind, ScanRequest, ScanResult};
/// let ocr = Ocr::from_env()?; // WECHAT_APPID / WECHAT_APPSECRET and/or TENCENTCLOUD_SECRET_ID / _KEY
/// match ocr.scan(ScanRequest::new(std::path::PathBuf::from("card.jpg"), ScanKind::IdCard)).await? {
///     ScanResult::IdCard(card) => println!("{:?} {:?}", card.name, card.id),
///     other => println!("{:?}", other.kind()),
/// }
/// # Ok(()) }
/// ```
pub mod scan {
    pub use crate::generated::scan::*;
}
pub mod tc3;
pub mod tencentcloud;
mod token;
pub mod token_store;
mod transport;
pub mod wechat;

pub use error::{ApiError, Category, Error, ErrorCode, ErrorInfo, Result, TransportKind, Vendor};
pub use image::{BinaryImage, Format, Image};
pub use retry::RetryPolicy;
pub use transport::{HttpConfig, redact_text, redact_url};

use std::fmt;

/// A credential: printed as `<redacted>` by `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself, for signing and sending only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `http(s)://host[:port]` without a trailing slash; anything else is a configuration error.
pub(crate) fn normalize_base_url(url: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::Config(format!("bad base URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::Config("the base URL must be http(s)://host[:port]".into()));
    }
    if parsed.query().is_some() {
        return Err(Error::Config("the base URL must not have a query".into()));
    }
    Ok(url.trim_end_matches('/').to_string())
}
