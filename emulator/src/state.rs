//! The emulator's memory: apps and key pairs, tokens, temporary media, fixtures, faults, the call
//! log and counters, and a clock tests can move forward.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::EmulatorConfig;

/// How long a token lives (seconds), and how long a replaced one stays valid.
pub const TOKEN_TTL: i64 = 7200;
pub const TOKEN_OVERLAP: i64 = 300;
/// How long temporary media live.
pub const MEDIA_TTL: i64 = 3 * 24 * 3600;
/// How far a TC3 timestamp may be from the emulator's clock.
pub const SIGNATURE_WINDOW: i64 = 300;
/// How far the clock may be moved forward in all (a thousand years), so every deadline computed
/// from it (`now + TOKEN_TTL`, ...) stays far from i64's limits.
pub const MAX_CLOCK_OFFSET: i64 = 1000 * 365 * 86_400;
/// Entries kept in the call log.
const LOG_CAPACITY: usize = 10_000;

/// What goes wrong on the next calls of an endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Reply with this vendor code (a WeChat errcode number or a Tencent Cloud code string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errcode: Option<Value>,
    /// Reply with this HTTP status and a short non-JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Wait this long before handling the call (the call then proceeds as usual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Close the connection after reading the request, before any byte of the response (no
    /// head): the client sees a connection closed before a reply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop: bool,
    /// Send the real reply's head (with the full Content-Length) and the first half of its body,
    /// then close the connection: the client sees a short body.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncate: bool,
    /// Reply 200 with an HTML page instead of JSON.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub non_json: bool,
}

/// A fault armed for the next `times` calls of an endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaultRule {
    /// `group.id` (`img.scan_qrcode`), the vendor name (`img.scanQRCode`, `QrcodeOCR`), or `*`.
    pub endpoint: String,
    pub times: u32,
    #[serde(flatten)]
    pub fault: Fault,
}

/// One handled call.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub seq: u64,
    /// Emulator clock, unix seconds.
    pub at: i64,
    pub vendor: &'static str,
    /// `group.id`, or the path when no endpoint matched.
    pub endpoint: String,
    pub http_status: u16,
    /// The vendor code replied (`0` / `"ok"` on success).
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// A fault injected into this call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub appid: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct Media {
    pub content_type: String,
    pub data: Bytes,
    pub expires_at: i64,
}

#[derive(Default)]
pub struct Inner {
    /// appid -> secret
    pub apps: HashMap<String, String>,
    /// SecretId -> SecretKey
    pub keys: HashMap<String, String>,
    pub tokens: HashMap<String, Token>,
    /// appid -> the latest cgi-bin/token token / the latest stable token
    pub latest: HashMap<String, String>,
    pub latest_stable: HashMap<String, String>,
    pub token_issues: BTreeMap<String, u64>,
    pub wxacode_count: BTreeMap<String, u64>,
    pub media: HashMap<String, Media>,
    /// (endpoint key: WeChat `group.id` or Tencent action, sha256 hex of the image) -> reply fields
    pub ocr_fixtures: HashMap<(String, String), Value>,
    /// GTIN -> ProductDataRecords
    pub products: HashMap<String, Value>,
    pub faults: Vec<FaultRule>,
    /// sha256 hex -> bytes uploaded through the control API, served at /__emulator/blobs/<sha256>
    pub blobs: HashMap<String, Bytes>,
    pub log: VecDeque<LogEntry>,
    pub calls: BTreeMap<String, u64>,
    /// (link, width, colour, transparent) -> the code drawn for it, at most DRAWN_MEMO of them
    pub drawn: HashMap<(String, u32, [u8; 3], bool), (&'static str, Bytes)>,
}

/// How many drawn codes the emulator keeps to serve again.
pub const DRAWN_MEMO: usize = 256;

pub struct State {
    pub config: EmulatorConfig,
    clock_offset: AtomicI64,
    seq: AtomicU64,
    pub inner: Mutex<Inner>,
    /// Fetches img_url / ImageUrl (loopback only).
    pub http: reqwest::Client,
}

impl State {
    pub fn new(config: EmulatorConfig) -> State {
        let mut inner = Inner::default();
        inner.apps.insert(crate::APPID.into(), crate::APPSECRET.into());
        inner.keys.insert(crate::SECRET_ID.into(), crate::SECRET_KEY.into());
        inner.products.insert(crate::tencent::SEED_GTIN.into(), crate::tencent::seed_product_records());
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_default();
        State { config, clock_offset: AtomicI64::new(0), seq: AtomicU64::new(0), inner: Mutex::new(inner), http }
    }

    /// Locks the state. A panic while holding the lock cannot leave it half-written in a way
    /// later calls must avoid, so a poisoned lock is taken over.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The emulator's clock, unix seconds (real time plus what tests advanced).
    pub fn now(&self) -> i64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        real.saturating_add(self.clock_offset.load(Ordering::Relaxed))
    }

    /// Moves the clock by `seconds`; the total offset stays within 0..=[`MAX_CLOCK_OFFSET`].
    pub fn advance_clock(&self, seconds: i64) {
        let _ = self.clock_offset.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| Some(o.saturating_add(seconds).clamp(0, MAX_CLOCK_OFFSET)));
    }

    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A fresh opaque id: hex of a hash over a counter, the time and `salt`.
    pub fn fresh_id(&self, salt: &str, len: usize) -> String {
        let n = self.next_seq();
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update(n.to_le_bytes());
        h.update(nanos.to_le_bytes());
        let mut s = hex::encode(h.finalize());
        s.truncate(len.min(64));
        s
    }

    /// Issues a new cgi-bin/token (or stable) token; a replaced one stays valid 5 more minutes.
    pub fn issue_token(&self, appid: &str, stable: bool) -> (String, i64) {
        let now = self.now();
        let token = format!("EMU{}", self.fresh_id(appid, 60).to_uppercase());
        let mut g = self.lock();
        let latest = if stable { &mut g.latest_stable } else { &mut g.latest };
        let previous = latest.insert(appid.to_string(), token.clone());
        if let Some(prev) = previous {
            if let Some(t) = g.tokens.get_mut(&prev) {
                t.expires_at = t.expires_at.min(now + TOKEN_OVERLAP);
            }
        }
        g.tokens.insert(token.clone(), Token { appid: appid.to_string(), expires_at: now + TOKEN_TTL });
        *g.token_issues.entry(appid.to_string()).or_default() += 1;
        // Forget tokens long dead, so the map stays bounded under load.
        if g.tokens.len() > 10_000 {
            g.tokens.retain(|_, t| t.expires_at > now - TOKEN_TTL);
        }
        (token, TOKEN_TTL)
    }

    /// Ends every token of an app at once (another instance rotated it and the overlap is over,
    /// or the secret was reset): calls with them get 40001. Answers how many were live.
    pub fn revoke_tokens(&self, appid: &str) -> usize {
        let mut g = self.lock();
        let before = g.tokens.len();
        g.tokens.retain(|_, t| t.appid != appid);
        g.latest.remove(appid);
        g.latest_stable.remove(appid);
        before - g.tokens.len()
    }

    /// The live stable token of an app and its remaining lifetime.
    pub fn live_stable_token(&self, appid: &str) -> Option<(String, i64)> {
        let now = self.now();
        let g = self.lock();
        let t = g.latest_stable.get(appid)?;
        let rec = g.tokens.get(t)?;
        (rec.expires_at > now).then(|| (t.clone(), rec.expires_at - now))
    }

    /// Takes one use of the first fault armed for this endpoint.
    pub fn take_fault(&self, id: &str, name: &str) -> Option<Fault> {
        let mut g = self.lock();
        let i = g.faults.iter().position(|r| r.times > 0 && (r.endpoint == id || r.endpoint == name || r.endpoint == "*"))?;
        let rule = &mut g.faults[i];
        rule.times -= 1;
        let fault = rule.fault.clone();
        if rule.times == 0 {
            g.faults.remove(i);
        }
        Some(fault)
    }

    /// Keeps bytes to serve at `/__emulator/blobs/<sha256>`; returns the sha256.
    pub fn add_blob(&self, data: Bytes) -> Result<String, String> {
        let key = digest(&data);
        let mut g = self.lock();
        if g.blobs.len() >= 1000 && !g.blobs.contains_key(&key) {
            return Err("at most 1000 blobs".into());
        }
        g.blobs.insert(key.clone(), data);
        Ok(key)
    }

    pub fn record(&self, mut entry: LogEntry) {
        entry.seq = self.next_seq();
        entry.at = self.now();
        let mut g = self.lock();
        *g.calls.entry(entry.endpoint.clone()).or_default() += 1;
        if g.log.len() == LOG_CAPACITY {
            g.log.pop_front();
        }
        g.log.push_back(entry);
    }
}

impl State {
    /// The reply registered for this endpoint and picture, if any (`POST /__emulator/fixtures/ocr`).
    pub fn fixture(&self, ep: &wxcv::rt::EndpointInfo, picture: &[u8]) -> Option<Value> {
        // No picture is hashed while nothing is registered (every real decode asks first).
        if self.lock().ocr_fixtures.is_empty() {
            return None;
        }
        let key = (crate::control::fixture_key(ep), digest(picture));
        self.lock().ocr_fixtures.get(&key).cloned()
    }
}

/// sha256 hex of some bytes: how OCR fixtures name an image.
pub fn digest(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}
