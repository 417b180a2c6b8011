//! WeChat access tokens: cached, refreshed ahead of expiry, fetched by one request however many
//! calls are waiting (single flight), invalidated only while still the token that failed.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::error::{Error, Result};

/// A token and when to stop using it.
#[derive(Clone)]
pub(crate) struct Token {
    pub value: Arc<str>,
    refresh_at: Instant,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("value", &"<redacted>").field("refresh_at", &self.refresh_at).finish()
    }
}

type Flight = Shared<BoxFuture<'static, Result<Token>>>;

#[derive(Default)]
struct State {
    token: Option<Token>,
    flight: Option<(u64, Flight)>,
    next_flight: u64,
}

#[derive(Clone, Default)]
pub(crate) struct TokenCache {
    state: Arc<Mutex<State>>,
}

/// Refresh this long before the vendor's expiry: inside WeChat's 5-minute overlap, and never more
/// than half the token's life.
fn margin(expires_in: u64) -> Duration {
    Duration::from_secs(expires_in.min(600) / 2)
}

impl TokenCache {
    /// The cached token, or the result of the one fetch in flight, started by `fetch` if none is.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Token>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, u64)>> + Send + 'static,
    {
        let flight = {
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(t) = &st.token {
                if Instant::now() < t.refresh_at {
                    return Ok(t.clone());
                }
            }
            match &st.flight {
                Some((_, f)) => f.clone(),
                None => {
                    let id = st.next_flight;
                    st.next_flight += 1;
                    let state = self.state.clone();
                    let fut = fetch();
                    let flight: Flight = async move {
                        let result = fut.await.map(|(value, expires_in)| Token {
                            value: value.into(),
                            refresh_at: Instant::now() + Duration::from_secs(expires_in) - margin(expires_in),
                        });
                        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
                        if st.flight.as_ref().is_some_and(|(f, _)| *f == id) {
                            st.flight = None;
                        }
                        if let Ok(t) = &result {
                            st.token = Some(t.clone());
                        }
                        result
                    }
                    .boxed()
                    .shared();
                    st.flight = Some((id, flight.clone()));
                    flight
                }
            }
        };
        flight.await
    }

    /// Forgets the token if it is still `failed`; a newer one is kept.
    pub fn invalidate(&self, failed: &str) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.token.as_ref().is_some_and(|t| &*t.value == failed) {
            st.token = None;
        }
    }
}

/// `Error` must be `Clone` for waiters of one flight to share its failure.
const _: fn() = || {
    fn assert_clone<T: Clone>() {}
    assert_clone::<Error>();
};
