//! Where WeChat access tokens live: in this process ([`MemoryStore`], the default) or shared by
//! every process of a deployment ([`RedisStore`]).
//!
//! WeChat keeps one live token per app: a process that fetches its own token replaces everyone
//! else's (the old one stays valid five minutes). With a shared store, one process refreshes and
//! the others read what it wrote:
//!
//! 1. a token in the store that is not yet due for refresh is used as it is;
//! 2. otherwise the process takes the refresh lock (`SET lock <fence> NX PX <ttl>`, the fence a
//!    number from `INCR`, so every holder has a larger one than the last), reads again, fetches,
//!    and writes the token with its fence: a write whose fence is not larger than the stored one
//!    is dropped (compare-and-set), so a holder whose lock ran out never replaces a newer token;
//! 3. a process that finds the lock taken uses the stored token while it is still valid (the
//!    refresh happens inside WeChat's five-minute overlap, so it is), or waits and reads again,
//!    for at most `wait` before it reports an error.
//!
//! A token the vendor rejected is marked invalid in the store only while it is still the stored
//! one (compare-and-set again), so a late report never discards a newer token.
//!
//! Tokens are refreshed ahead of expiry: `expires_in.min(600) / 2` seconds early, five minutes for
//! WeChat's 7,200-second tokens, inside the overlap in which the old token still works.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use futures_util::FutureExt;

use crate::error::{Error, Result, TransportKind};
use crate::Secret;

/// A token as the store holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredToken {
    pub value: Secret,
    /// Unix milliseconds after which the token is no longer used at all.
    pub expires_at_ms: u64,
    /// Unix milliseconds after which a refresh is due.
    pub refresh_at_ms: u64,
    /// The fence of the lock its writer held; larger is newer.
    pub fence: u64,
    /// The vendor rejected it.
    pub invalid: bool,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("value", &self.value)
            .field("expires_at_ms", &self.expires_at_ms)
            .field("refresh_at_ms", &self.refresh_at_ms)
            .field("fence", &self.fence)
            .field("invalid", &self.invalid)
            .finish()
    }
}

impl StoredToken {
    /// Valid, and not yet due for refresh at `now_ms`.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        !self.invalid && now_ms < self.refresh_at_ms
    }
    /// Valid at `now_ms` (a refresh may be due).
    pub fn is_usable(&self, now_ms: u64) -> bool {
        // A second of slack for the request still to be made with it.
        !self.invalid && now_ms + 1_000 < self.expires_at_ms
    }
}

/// A place tokens are shared through. Keys are per app (and per token kind); implementations add
/// their own prefix. Every method is bounded in time: an unreachable store is an error, not a wait.
pub trait TokenStore: Send + Sync + fmt::Debug + 'static {
    /// The stored token of `key`, if any.
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>>>;
    /// Takes the refresh lock of `key` for `ttl`: its fence if taken, `None` if someone holds it.
    fn try_lock<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<u64>>>;
    /// Writes `token` unless the stored one has an equal or larger fence (then `false`), and
    /// releases the lock if `token.fence` still holds it.
    fn store<'a>(&'a self, key: &'a str, token: StoredToken) -> BoxFuture<'a, Result<bool>>;
    /// Releases the lock if `fence` still holds it.
    fn unlock<'a>(&'a self, key: &'a str, fence: u64) -> BoxFuture<'a, Result<()>>;
    /// Marks the token invalid if it is still `value`.
    fn invalidate<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<()>>;
    /// Where the store is, for messages (never a password).
    fn describe(&self) -> String;
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// How long before the vendor's expiry a token is refreshed: inside WeChat's 5-minute overlap,
/// and never more than half the token's life.
pub(crate) fn refresh_margin(expires_in: u64) -> Duration {
    Duration::from_secs(expires_in.min(600) / 2)
}

/// Tokens in this process only: the default. Clients given the same `Arc<MemoryStore>` share it.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<MemoryState>,
}

#[derive(Default)]
struct MemoryState {
    tokens: HashMap<String, StoredToken>,
    locks: HashMap<String, (u64, std::time::Instant)>,
    fence: u64,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryStore")
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
    fn with<T>(&self, f: impl FnOnce(&mut MemoryState) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>>> {
        let t = self.with(|s| s.tokens.get(key).cloned());
        async move { Ok(t) }.boxed()
    }
    fn try_lock<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<u64>>> {
        let fence = self.with(|s| {
            let now = std::time::Instant::now();
            if s.locks.get(key).is_some_and(|(_, until)| *until > now) {
                return None;
            }
            s.fence += 1;
            s.locks.insert(key.to_string(), (s.fence, now + ttl));
            Some(s.fence)
        });
        async move { Ok(fence) }.boxed()
    }
    fn store<'a>(&'a self, key: &'a str, token: StoredToken) -> BoxFuture<'a, Result<bool>> {
        let stored = self.with(|s| {
            let fence = token.fence;
            let newer = s.tokens.get(key).is_none_or(|cur| cur.fence < fence);
            if newer {
                s.tokens.insert(key.to_string(), token);
            }
            if s.locks.get(key).is_some_and(|(f, _)| *f == fence) {
                s.locks.remove(key);
            }
            newer
        });
        async move { Ok(stored) }.boxed()
    }
    fn unlock<'a>(&'a self, key: &'a str, fence: u64) -> BoxFuture<'a, Result<()>> {
        self.with(|s| {
            if s.locks.get(key).is_some_and(|(f, _)| *f == fence) {
                s.locks.remove(key);
            }
        });
        async move { Ok(()) }.boxed()
    }
    fn invalidate<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<()>> {
        self.with(|s| {
            if let Some(t) = s.tokens.get_mut(key) {
                if t.value.expose() == value {
                    t.invalid = true;
                }
            }
        });
        async move { Ok(()) }.boxed()
    }
    fn describe(&self) -> String {
        "memory".into()
    }
}

/// Settings of a [`RedisStore`].
#[derive(Clone, PartialEq, Eq)]
pub struct RedisOptions {
    /// `redis://[:password@]host[:port][/db]` (or `redis+unix:///path`).
    pub url: String,
    /// Prepended to every key: `<prefix><appid>` holds the token, `<prefix><appid>:lock` the
    /// refresh lock, `<prefix><appid>:fence` the fence counter. Default `wxcv:token:`.
    pub prefix: String,
    /// Bound on every Redis command and on connecting. Default 2 s.
    pub op_timeout: Duration,
}

impl fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisOptions")
            .field("url", &redact_redis_url(&self.url))
            .field("prefix", &self.prefix)
            .field("op_timeout", &self.op_timeout)
            .finish()
    }
}

impl RedisOptions {
    pub const DEFAULT_PREFIX: &'static str = "wxcv:token:";

    pub fn new(url: impl Into<String>) -> Self {
        RedisOptions { url: url.into(), prefix: Self::DEFAULT_PREFIX.into(), op_timeout: Duration::from_secs(2) }
    }
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
}

/// The URL with any password replaced by `<redacted>`.
pub fn redact_redis_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("<redacted>"));
            }
            u.to_string().replace("%3Credacted%3E", "<redacted>")
        }
        Err(_) => "<unparseable Redis URL>".into(),
    }
}

/// Tokens in Redis, shared by every process that uses the same server and prefix (the `redis`
/// crate's multiplexed connection manager, which reconnects by itself).
pub struct RedisStore {
    options: RedisOptions,
    client: redis::Client,
    conn: tokio::sync::OnceCell<redis::aio::ConnectionManager>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore").field("options", &self.options).finish()
    }
}

static STORE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(r#"
local cur = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
local mine = tonumber(ARGV[4])
local stored = 0
if mine > cur then
  redis.call('HSET', KEYS[1], 'value', ARGV[1], 'expires_at', ARGV[2], 'refresh_at', ARGV[3], 'fence', ARGV[4], 'invalid', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  stored = 1
end
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return stored
"#));

static UNLOCK_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#));

static INVALIDATE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(r#"
if redis.call('HGET', KEYS[1], 'value') == ARGV[1] then return redis.call('HSET', KEYS[1], 'invalid', '1') end
return 0
"#));

impl RedisStore {
    /// Checks the URL; connects on first use.
    pub fn new(options: RedisOptions) -> Result<Self> {
        let shown = redact_redis_url(&options.url);
        if !(options.url.starts_with("redis://") || options.url.starts_with("redis+unix://") || options.url.starts_with("unix://")) {
            return Err(Error::Config(format!("redis_url / redisUrl must be redis://host[:port][/db] (TLS is not supported), got {shown}")));
        }
        if options.op_timeout.is_zero() {
            return Err(Error::Config("the Redis operation timeout must be more than 0".into()));
        }
        let client = redis::Client::open(options.url.as_str()).map_err(|e| Error::Config(format!("bad Redis URL {shown}: {}", e.category())))?;
        Ok(RedisStore { options, client, conn: tokio::sync::OnceCell::new() })
    }

    fn err(&self, what: &str, detail: impl fmt::Display) -> Error {
        Error::Transport {
            endpoint: "token store",
            kind: TransportKind::TokenStore,
            message: crate::transport::redact_text(&format!("Redis at {} {what}: {detail}", redact_redis_url(&self.options.url))),
        }
    }

    async fn conn(&self) -> Result<redis::aio::ConnectionManager> {
        let t = self.options.op_timeout;
        let c = self
            .conn
            .get_or_try_init(|| async {
                let cfg = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(t))
                    .set_response_timeout(Some(t))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(200));
                redis::aio::ConnectionManager::new_lazy_with_config(self.client.clone(), cfg).map_err(|e| self.err("cannot be set up", e.category()))
            })
            .await?;
        Ok(c.clone())
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.options.prefix, key)
    }

    /// Runs `cmd` under the operation timeout.
    async fn run<T: redis::FromRedisValue>(&self, what: &str, cmd: impl FnOnce(redis::aio::ConnectionManager) -> BoxFuture<'static, redis::RedisResult<T>>) -> Result<T> {
        let conn = self.conn().await?;
        match tokio::time::timeout(self.options.op_timeout, cmd(conn)).await {
            Ok(Ok(v)) => Ok(v),
            // A wrong or missing password is the configuration's fault, not the network's.
            Ok(Err(e)) if is_auth_failure(&e) => Err(Error::Config(format!(
                "Redis at {} refused the credentials of redis_url / redisUrl / {} ({}); check the password in the URL",
                redact_redis_url(&self.options.url),
                crate::wechat::ENV_REDIS_URL,
                e.code().unwrap_or("authentication failed")
            ))),
            Ok(Err(e)) => Err(self.err(&format!("failed to {what}"), redis_detail(&e))),
            Err(_) => Err(self.err(&format!("did not answer to {what} within {:?}", self.options.op_timeout), "timed out")),
        }
    }
}

/// The server refused who we are: a wrong password (`WRONGPASS`, a failed `AUTH`), none given
/// (`NOAUTH`), or a user without the right (`NOPERM`).
fn is_auth_failure(e: &redis::RedisError) -> bool {
    e.kind() == redis::ErrorKind::AuthenticationFailed || matches!(e.code(), Some("NOAUTH" | "WRONGPASS" | "NOPERM"))
}

/// A Redis error without anything the server echoed back (it could hold a key's value).
fn redis_detail(e: &redis::RedisError) -> String {
    if e.is_connection_refusal() {
        "connection refused".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else if e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error() {
        format!("connection lost ({})", e.category())
    } else {
        e.category().to_string()
    }
}

impl TokenStore for RedisStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>>> {
        let k = self.key(key);
        async move {
            let fields: Vec<Option<String>> = self
                .run("read the token", move |mut c| {
                    async move { redis::cmd("HMGET").arg(&k).arg(&["value", "expires_at", "refresh_at", "fence", "invalid"]).query_async(&mut c).await }.boxed()
                })
                .await?;
            let num = |i: usize| fields.get(i).cloned().flatten().and_then(|s| s.parse::<u64>().ok());
            let Some(value) = fields.first().cloned().flatten() else { return Ok(None) };
            let (Some(expires_at_ms), Some(refresh_at_ms), Some(fence)) = (num(1), num(2), num(3)) else {
                return Ok(None);
            };
            Ok(Some(StoredToken { value: Secret::new(value), expires_at_ms, refresh_at_ms, fence, invalid: num(4) == Some(1) }))
        }
        .boxed()
    }

    fn try_lock<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<u64>>> {
        let (lock, fence_key) = (self.key(&format!("{key}:lock")), self.key(&format!("{key}:fence")));
        async move {
            let fence: u64 = self.run("take a fence", move |mut c| async move { redis::cmd("INCR").arg(&fence_key).query_async(&mut c).await }.boxed()).await?;
            let px = ttl.as_millis().max(1) as u64;
            let taken: Option<String> = self
                .run("take the refresh lock", move |mut c| {
                    async move { redis::cmd("SET").arg(&lock).arg(fence).arg("NX").arg("PX").arg(px).query_async(&mut c).await }.boxed()
                })
                .await?;
            Ok(taken.map(|_| fence))
        }
        .boxed()
    }

    fn store<'a>(&'a self, key: &'a str, token: StoredToken) -> BoxFuture<'a, Result<bool>> {
        let (k, lock) = (self.key(key), self.key(&format!("{key}:lock")));
        async move {
            // Kept a day past expiry, so the fence outlives the token.
            let keep_ms = token.expires_at_ms.saturating_sub(now_ms()) + 86_400_000;
            let stored: i64 = self
                .run("write the token", move |mut c| {
                    async move {
                        STORE_SCRIPT
                            .key(&k)
                            .key(&lock)
                            .arg(token.value.expose())
                            .arg(token.expires_at_ms)
                            .arg(token.refresh_at_ms)
                            .arg(token.fence)
                            .arg(keep_ms)
                            .invoke_async(&mut c)
                            .await
                    }
                    .boxed()
                })
                .await?;
            Ok(stored == 1)
        }
        .boxed()
    }

    fn unlock<'a>(&'a self, key: &'a str, fence: u64) -> BoxFuture<'a, Result<()>> {
        let lock = self.key(&format!("{key}:lock"));
        async move {
            let _: i64 = self
                .run("release the refresh lock", move |mut c| async move { UNLOCK_SCRIPT.key(&lock).arg(fence).invoke_async(&mut c).await }.boxed())
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn invalidate<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<()>> {
        let k = self.key(key);
        let value = value.to_string();
        async move {
            let _: i64 = self
                .run("mark the token invalid", move |mut c| {
                    async move { INVALIDATE_SCRIPT.key(&k).arg(value).invoke_async(&mut c).await }.boxed()
                })
                .await?;
            Ok(())
        }
        .boxed()
    }

    fn describe(&self) -> String {
        format!("redis {} prefix {:?}", redact_redis_url(&self.options.url), self.options.prefix)
    }
}

/// What a client does when its shared store fails (unreachable, timing out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreFailure {
    /// The call fails with a transport error of kind `token_store`.
    #[default]
    Error,
    /// The client fetches a token of its own and keeps it in memory (logged as a warning). Other
    /// processes' tokens stay valid for WeChat's five-minute overlap, so this buys time, not
    /// correctness: the store should come back.
    FetchLocally,
}

/// A client's token store and how it uses it.
#[derive(Clone, Debug)]
pub struct TokenStoreConfig {
    pub store: Arc<dyn TokenStore>,
    pub on_failure: StoreFailure,
    /// How long the refresh lock is held at most (a crashed holder frees it after this).
    pub lock_ttl: Duration,
    /// How long a process waits for another's refresh before it reports an error.
    pub wait: Duration,
}

impl TokenStoreConfig {
    pub fn new(store: Arc<dyn TokenStore>) -> Self {
        TokenStoreConfig { store, on_failure: StoreFailure::Error, lock_ttl: Duration::from_secs(10), wait: Duration::from_secs(15) }
    }
    /// A fresh in-memory store.
    pub fn memory() -> Self {
        Self::new(Arc::new(MemoryStore::new()))
    }
    /// A Redis store.
    pub fn redis(options: RedisOptions) -> Result<Self> {
        Ok(Self::new(Arc::new(RedisStore::new(options)?)))
    }
    pub fn on_failure(mut self, f: StoreFailure) -> Self {
        self.on_failure = f;
        self
    }
}

impl Default for TokenStoreConfig {
    fn default() -> Self {
        Self::memory()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_redis_url("redis://:hunter2@10.0.0.1:6379/2"), "redis://:<redacted>@10.0.0.1:6379/2");
        assert_eq!(redact_redis_url("redis://user:hunter2@h/0"), "redis://user:<redacted>@h/0");
        assert_eq!(redact_redis_url("redis://h:6379"), "redis://h:6379");
        let o = RedisOptions::new("redis://:hunter2@h:1");
        assert!(!format!("{o:?}").contains("hunter2"));
        let e = RedisStore::new(RedisOptions::new("rediss://:hunter2@h:1")).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[tokio::test]
    async fn memory_store_fences() {
        let s = MemoryStore::new();
        let f1 = s.try_lock("a", Duration::from_secs(5)).await.unwrap().unwrap();
        assert_eq!(s.try_lock("a", Duration::from_secs(5)).await.unwrap(), None, "held");
        let tok = |v: &str, fence| StoredToken { value: Secret::new(v), expires_at_ms: u64::MAX, refresh_at_ms: u64::MAX, fence, invalid: false };
        // The lock runs out; a second holder writes first; the first holder's late write is dropped.
        s.with(|st| st.locks.clear());
        let f2 = s.try_lock("a", Duration::from_secs(5)).await.unwrap().unwrap();
        assert!(f2 > f1);
        assert!(s.store("a", tok("NEW", f2)).await.unwrap());
        assert!(!s.store("a", tok("OLD", f1)).await.unwrap());
        assert_eq!(s.load("a").await.unwrap().unwrap().value.expose(), "NEW");
        // Invalidation only of the token still stored.
        s.invalidate("a", "OLD").await.unwrap();
        assert!(!s.load("a").await.unwrap().unwrap().invalid);
        s.invalidate("a", "NEW").await.unwrap();
        assert!(s.load("a").await.unwrap().unwrap().invalid);
        // The lock was released by the store of f2.
        assert!(s.try_lock("a", Duration::from_secs(5)).await.unwrap().is_some());
    }
}
