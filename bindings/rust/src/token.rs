//! WeChat access tokens in a client: a copy in memory used until its refresh is due, one fetch in
//! flight per process however many calls wait (single flight), and behind it the client's
//! [`TokenStore`], which decides across processes who fetches (see [`crate::token_store`]).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::error::{Error, Result};
use crate::token_store::{now_ms, refresh_margin, StoreFailure, StoredToken, TokenStoreConfig};
use crate::Secret;

/// A token and when to stop using it.
#[derive(Clone)]
pub(crate) struct Token {
    pub value: Arc<str>,
    refresh_at: Instant,
    /// Unix milliseconds at which the vendor stops accepting it.
    pub expires_at_ms: u64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("value", &"<redacted>").field("refresh_at", &self.refresh_at).field("expires_at_ms", &self.expires_at_ms).finish()
    }
}

impl Token {
    /// Kept in memory until the store's refresh time (or a few seconds, for a token another
    /// process is already replacing).
    fn from_stored(t: &StoredToken, keep: Option<Duration>) -> Token {
        let now = now_ms();
        let until = Duration::from_millis(t.refresh_at_ms.saturating_sub(now));
        Token { value: t.value.expose().into(), refresh_at: Instant::now() + keep.map_or(until, |k| k.min(until)), expires_at_ms: t.expires_at_ms }
    }

    /// Whole seconds the vendor still accepts it (what a token endpoint's `expires_in` says).
    pub fn expires_in(&self) -> u64 {
        self.expires_at_ms.saturating_sub(now_ms()) / 1000
    }
}

type Flight = Shared<BoxFuture<'static, Result<Token>>>;

#[derive(Default)]
struct State {
    token: Option<Token>,
    /// The last token the vendor rejected here: never taken from the store again, even if
    /// marking it invalid there failed.
    rejected: Option<Arc<str>>,
    flight: Option<(u64, Flight)>,
    next_flight: u64,
}

#[derive(Clone)]
pub(crate) struct TokenCache {
    state: Arc<Mutex<State>>,
    store: TokenStoreConfig,
    /// The store's key: the app id, and `:stable` for stable tokens.
    key: Arc<str>,
}

/// A fetch of a token from the vendor: the value and its `expires_in`.
pub(crate) type FetchResult = Result<(String, u64)>;

impl TokenCache {
    pub fn new(store: TokenStoreConfig, key: String) -> Self {
        TokenCache { state: Arc::default(), store, key: key.into() }
    }

    /// The token in memory, or the result of the one flight in progress, started if none is.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Token>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = FetchResult> + Send + 'static,
    {
        self.flight(fetch, false).await
    }

    /// The store's current token (read there, not from this process's copy: another process may
    /// have replaced it), fetched only when the store has none usable. What the token endpoints
    /// answer.
    pub async fn current<F, Fut>(&self, fetch: F) -> Result<Token>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = FetchResult> + Send + 'static,
    {
        self.flight(fetch, true).await
    }

    async fn flight<F, Fut>(&self, fetch: F, read_through: bool) -> Result<Token>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = FetchResult> + Send + 'static,
    {
        let flight = {
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(t) = st.token.as_ref().filter(|_| !read_through) {
                if Instant::now() < t.refresh_at {
                    return Ok(t.clone());
                }
            }
            match &st.flight {
                Some((_, f)) => f.clone(),
                None => {
                    let id = st.next_flight;
                    st.next_flight += 1;
                    let (state, store, key) = (self.state.clone(), self.store.clone(), self.key.clone());
                    let rejected = st.rejected.clone();
                    let flight: Flight = async move {
                        let result = acquire(&store, &key, rejected.as_deref(), false, fetch).await;
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

    /// A new token, fetched whatever is cached: through the store's refresh lock, so that when
    /// several processes force a refresh at once one of them fetches and the others take its
    /// token. Used by the token endpoints' `force_refresh`; never by API calls.
    pub async fn refresh<F, Fut>(&self, fetch: F) -> Result<Token>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = FetchResult> + Send + 'static,
    {
        let t = acquire(&self.store, &self.key, None, true, fetch).await?;
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.token = Some(t.clone());
        st.rejected = None;
        Ok(t)
    }

    /// Forgets the token if it is still `failed`, here and in the store; a newer one is kept.
    pub async fn invalidate(&self, failed: &str) {
        {
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if st.token.as_ref().is_some_and(|t| &*t.value == failed) {
                st.token = None;
            }
            st.rejected = Some(failed.into());
        }
        if let Err(e) = self.store.store.invalidate(&self.key, failed).await {
            // The next read of the store reports (or falls back) as configured.
            tracing::warn!(error = %e, "could not mark the rejected token invalid in the token store");
        }
    }
}

/// The token from the store, or fetched by this process if it wins the refresh lock; bounded by
/// the store's `wait` and its per-operation timeouts.
/// With `force`, a stored token is not taken as it is: this process fetches under the lock, or
/// takes the token of another process that wrote a newer one meanwhile.
async fn acquire<F, Fut>(cfg: &TokenStoreConfig, key: &str, rejected: Option<&str>, force: bool, fetch: F) -> Result<Token>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = FetchResult>,
{
    let mut fetch = Some(fetch);
    match acquire_shared(cfg, key, rejected, force, &mut fetch).await {
        Ok(t) => Ok(t),
        Err(Failure::Vendor(e)) => Err(e),
        Err(Failure::Store(e)) => match (cfg.on_failure, fetch.take()) {
            (StoreFailure::FetchLocally, Some(fetch)) => {
                tracing::warn!(store = %cfg.store.describe(), error = %e, "token store failed; fetching a token for this process only");
                let (value, expires_in) = fetch().await?;
                Ok(local_token(value, expires_in))
            }
            _ => Err(e),
        },
    }
}

enum Failure {
    /// The vendor's answer to our fetch: reported as it is.
    Vendor(Error),
    /// The store failed (or we waited too long for another process).
    Store(Error),
}

async fn acquire_shared<F, Fut>(cfg: &TokenStoreConfig, key: &str, rejected: Option<&str>, force: bool, fetch: &mut Option<F>) -> Result<Token, Failure>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = FetchResult>,
{
    let store = &cfg.store;
    let not_rejected = |t: &StoredToken| rejected != Some(t.value.expose());
    // A forced refresh takes only a token written after it began (by another process that
    // refreshed meanwhile); anything else must be fetched again.
    let before = if force { Some(store.load(key).await.map_err(Failure::Store)?.map_or(0, |t| t.fence)) } else { None };
    let fresh = |t: &&StoredToken| match before {
        Some(fence) => t.fence > fence && t.is_usable(now_ms()),
        None => t.is_fresh(now_ms()) && not_rejected(t),
    };
    let deadline = Instant::now() + cfg.wait;
    let mut pause = Duration::from_millis(10);
    loop {
        let current = store.load(key).await.map_err(Failure::Store)?;
        if let Some(t) = current.as_ref().filter(fresh) {
            return Ok(Token::from_stored(t, None));
        }
        match store.try_lock(key, cfg.lock_ttl).await.map_err(Failure::Store)? {
            Some(fence) => {
                // Someone may have written between our read and our lock.
                let again = match store.load(key).await {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = store.unlock(key, fence).await;
                        return Err(Failure::Store(e));
                    }
                };
                if let Some(t) = again.as_ref().filter(fresh) {
                    let _ = store.unlock(key, fence).await;
                    return Ok(Token::from_stored(t, None));
                }
                // This branch always returns, so the fetch is still here; an error, not a panic, if not.
                let Some(f) = fetch.take() else {
                    let _ = store.unlock(key, fence).await;
                    return Err(Failure::Vendor(Error::Config("the access token fetch was already used".into())));
                };
                tracing::info!(store = %store.describe(), fence, force, "fetching a new access token");
                let (value, expires_in) = match f().await {
                    Ok(v) => v,
                    Err(e) => {
                        let _ = store.unlock(key, fence).await;
                        return Err(Failure::Vendor(e));
                    }
                };
                let now = now_ms();
                let t = StoredToken {
                    value: Secret::new(value),
                    expires_at_ms: now + expires_in * 1000,
                    refresh_at_ms: now + (Duration::from_secs(expires_in) - refresh_margin(expires_in)).as_millis() as u64,
                    fence,
                    invalid: false,
                };
                match store.store(key, t.clone()).await {
                    Ok(true) => {}
                    // A newer token is stored (our lock ran out while we fetched): ours is valid
                    // too (WeChat's overlap) and is used for this flight only.
                    Ok(false) => tracing::debug!(fence, "a newer token was stored meanwhile"),
                    // We have a token: use it, and let the next flight find the store's state.
                    Err(e) => tracing::warn!(error = %e, "could not write the new token to the token store"),
                }
                return Ok(Token::from_stored(&t, None));
            }
            None => {
                // Another process is refreshing. Its predecessor is still valid (the refresh
                // happens inside WeChat's overlap): use it, and look again in a moment.
                if let Some(t) = current.as_ref().filter(|t| !force && t.is_usable(now_ms()) && not_rejected(t)) {
                    return Ok(Token::from_stored(t, Some(Duration::from_millis(200))));
                }
                if Instant::now() + pause > deadline {
                    return Err(Failure::Store(Error::Transport {
                        endpoint: "token store",
                        kind: crate::error::TransportKind::TokenStore,
                        message: format!("waited {:?} for another process to refresh the access token in {}", cfg.wait, store.describe()),
                    }));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
        }
    }
}

fn local_token(value: String, expires_in: u64) -> Token {
    Token {
        value: value.into(),
        refresh_at: Instant::now() + Duration::from_secs(expires_in) - refresh_margin(expires_in),
        expires_at_ms: now_ms() + expires_in * 1000,
    }
}

/// `Error` must be `Clone` for waiters of one flight to share its failure.
const _: fn() = || {
    fn assert_clone<T: Clone>() {}
    assert_clone::<Error>();
};
