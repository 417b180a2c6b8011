//! The retry policy, in one place: which failures are retried, how often, and how long to wait.
//!
//! Retried, on endpoints the spec marks safe to repeat (`retry_safe`): connection failures,
//! timeouts, broken or truncated replies, HTTP 5xx without a vendor error, and vendor errors of the
//! `system` category (WeChat `-1`, Tencent `InternalError`, ...). Never retried: rate limits (45009,
//! 45011, RequestLimitExceeded are reported as rate-limit errors at once, so no caller hot-loops),
//! quota, input, auth and not-found errors, malformed 2xx replies. Token errors have their own
//! rule in the WeChat client (refresh once, retry once). Waits are "full jitter" exponential:
//! uniform in [0, min(max_delay, base_delay * 2^n)].

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::error::{Category, Error, Result, TransportKind};
use crate::rt::EndpointInfo;

/// How a client retries; part of [`crate::HttpConfig`].
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 turns retries off. Capped at 10.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(2) }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::default() }
    }

    /// Whether `e` may go away if the same request is sent again.
    pub fn is_transient(e: &Error) -> bool {
        match e {
            Error::Transport { kind, .. } => match kind {
                TransportKind::Connect | TransportKind::Timeout | TransportKind::Io | TransportKind::Body => true,
                TransportKind::HttpStatus(s) => (500..600).contains(s),
                // The token store's own client already retried its connection.
                TransportKind::Other | TransportKind::TokenStore => false,
            },
            Error::Api(a) => a.category() == Category::System,
            _ => false,
        }
    }

    /// The wait before attempt `n + 1` (n >= 1).
    fn delay(&self, n: u32) -> Duration {
        let cap = self.base_delay.saturating_mul(1u32 << n.min(16)).min(self.max_delay);
        let nanos = cap.as_nanos() as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        // A random number from the standard library's per-process hash keys: enough for jitter.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(n);
        Duration::from_nanos(h.finish() % (nanos + 1))
    }

    /// Runs `attempt` until it succeeds, fails for good, or the attempts run out.
    pub(crate) async fn run<T, F, Fut>(&self, ep: &EndpointInfo, mut attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let max = if ep.retry_safe { self.max_attempts.clamp(1, 10) } else { 1 };
        let mut n = 1;
        loop {
            match attempt().await {
                Err(e) if n < max && Self::is_transient(&e) => {
                    let wait = self.delay(n);
                    tracing::info!(endpoint = ep.name, attempt = n, wait_ms = wait.as_millis() as u64, error = %e, "transient failure; retrying");
                    tokio::time::sleep(wait).await;
                    n += 1;
                }
                other => return other,
            }
        }
    }
}
