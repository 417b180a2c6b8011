//! Access tokens shared through a real redis-server (Debian's package; each test starts its own on
//! a free loopback port, with a password that must never be printed):
//! - 4 processes x 250 concurrent calls on a cold store make exactly 1 token request (and, as a
//!   control, 4 without the store);
//! - tokens revoked mid-run (another instance rotated them) cost 0 failed calls and 1 new token;
//! - Redis going away mid-run: a clear `token_store` transport error, or a process-local token when
//!   the config says to fall back; never a hang.
//!
//! The processes are this test binary run again (`child`, ignored otherwise), so each has its own
//! client, runtime and connections, as separate servers would.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wxcv::token_store::{RedisOptions, StoreFailure, TokenStoreConfig};
use wxcv::wechat::{ScanQrcodeRequest, WeChat, WeChatConfig};
use wxcv::{Error, TransportKind};
use wxcv_emulator::{APPID, APPSECRET, Emulator};

fn qr() -> bytes::Bytes {
    std::fs::read(format!("{}/../../tests/fixtures/qr.png", env!("CARGO_MANIFEST_DIR"))).unwrap().into()
}

#[path = "common/redis_server.rs"]
mod redis_server;
use redis_server::{REDIS_PASSWORD, RedisServer};

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

fn config(emu_url: &str, redis: Option<&str>, prefix: &str) -> WeChatConfig {
    let mut cfg = WeChatConfig::new(APPID, APPSECRET).base_url(emu_url).timeout(Duration::from_secs(20));
    cfg.http.retry.base_delay = Duration::from_millis(5);
    match redis {
        Some(url) => cfg.redis(RedisOptions::new(url).prefix(prefix)).unwrap(),
        None => cfg,
    }
}

/// One process of the multi-process tests: `WXCV_CHILD_WORKERS` concurrent workers, each making
/// `WXCV_CHILD_ROUNDS` calls one after another, all starting at `WXCV_CHILD_START_AT` (Unix ms).
/// Prints `CHILD ok=<n> failed=<n>` and the first errors.
#[test]
#[ignore = "a process of the multi-process tests below"]
fn child() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"));
    let (emu, redis, prefix) = (var("WXCV_CHILD_EMULATOR"), std::env::var("WXCV_CHILD_REDIS").ok(), var("WXCV_CHILD_PREFIX"));
    let workers: usize = var("WXCV_CHILD_WORKERS").parse().unwrap();
    let rounds: usize = var("WXCV_CHILD_ROUNDS").parse().unwrap();
    let start_at: u64 = var("WXCV_CHILD_START_AT").parse().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async move {
        let wx = WeChat::new(config(&emu, redis.as_deref(), &prefix)).unwrap();
        let img = qr();
        tokio::time::sleep(Duration::from_millis(start_at.saturating_sub(unix_ms()))).await;
        let tasks: Vec<_> = (0..workers)
            .map(|_| {
                let (wx, img) = (wx.clone(), img.clone());
                tokio::spawn(async move {
                    let mut out = Vec::new();
                    for _ in 0..rounds {
                        let r = wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(img.clone()))).await;
                        out.push(r.map(|v| v.code_results.len()).map_err(|e| e.to_string()));
                    }
                    out
                })
            })
            .collect();
        let (mut ok, mut failed, mut errors) = (0, 0, Vec::new());
        for t in tasks {
            for r in t.await.unwrap() {
                match r {
                    Ok(1) => ok += 1,
                    Ok(n) => {
                        failed += 1;
                        errors.push(format!("{n} codes"));
                    }
                    Err(e) => {
                        failed += 1;
                        errors.push(e);
                    }
                }
            }
        }
        println!("CHILD ok={ok} failed={failed}");
        for e in errors.iter().take(5) {
            println!("CHILD error: {e}");
        }
    });
}

/// Runs `n` children against the emulator (and Redis, when given); answers (ok, failed) summed.
fn run_children(n: usize, emu: &str, redis: Option<&str>, prefix: &str, workers: usize, rounds: usize, during: impl FnOnce()) -> (usize, usize) {
    let exe = std::env::current_exe().unwrap();
    let start_at = unix_ms() + 1500;
    let children: Vec<Child> = (0..n)
        .map(|_| {
            let mut c = Command::new(&exe);
            c.args(["child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
                .env("WXCV_CHILD_EMULATOR", emu)
                .env("WXCV_CHILD_PREFIX", prefix)
                .env("WXCV_CHILD_WORKERS", workers.to_string())
                .env("WXCV_CHILD_ROUNDS", rounds.to_string())
                .env("WXCV_CHILD_START_AT", start_at.to_string())
                .stdout(Stdio::piped());
            match redis {
                Some(r) => c.env("WXCV_CHILD_REDIS", r),
                None => c.env_remove("WXCV_CHILD_REDIS"),
            };
            c.spawn().unwrap()
        })
        .collect();
    during();
    let (mut ok, mut failed) = (0, 0);
    for c in children {
        let out = c.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "child failed: {text}");
        assert!(!text.contains(REDIS_PASSWORD), "the Redis password was printed");
        for line in text.lines().filter_map(|l| l.find("CHILD").map(|i| &l[i..])) {
            println!("  {line}");
            if let Some(rest) = line.strip_prefix("CHILD ok=") {
                let (o, f) = rest.split_once(" failed=").unwrap();
                ok += o.parse::<usize>().unwrap();
                failed += f.parse::<usize>().unwrap();
            }
        }
    }
    (ok, failed)
}

/// The emulator on its own runtime thread, so the children's calls are served while this test's
/// thread blocks on them.
struct EmuThread {
    emu: Emulator,
    _rt: tokio::runtime::Runtime,
}

fn emulator() -> EmuThread {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = rt.block_on(Emulator::start()).unwrap();
    EmuThread { emu, _rt: rt }
}

/// The multi-process tests take the machine's cores: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn four_processes_on_a_cold_store_make_one_token_request() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let redis = RedisServer::start();
    let e = emulator();
    let url = e.emu.base_url();

    // Control: without a shared store, each process fetches its own token.
    let (ok, failed) = run_children(4, &url, None, "unused:", 250, 1, || ());
    let alone = e.emu.token_issues(APPID);
    println!("without a shared store: 4 processes x 250 calls, {ok} ok, {failed} failed, {alone} token requests");
    assert_eq!((ok, failed), (1000, 0));
    assert_eq!(alone, 4);

    let started = Instant::now();
    let (ok, failed) = run_children(4, &url, Some(&redis.url()), "cold:", 250, 1, || ());
    let shared = e.emu.token_issues(APPID) - alone;
    println!("with Redis: 4 processes x 250 concurrent calls on a cold store, {ok} ok, {failed} failed, {shared} token request(s), {:?}", started.elapsed());
    assert_eq!((ok, failed), (1000, 0));
    assert_eq!(shared, 1, "exactly one token request for all four processes");
}

#[test]
fn tokens_revoked_mid_run_cost_no_failed_call() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let redis = RedisServer::start();
    let e = emulator();
    let url = e.emu.base_url();
    let (workers, rounds) = (250, 4);
    let total = 4 * workers * rounds;
    let mut revoked_at = 0;
    let (ok, failed) = run_children(4, &url, Some(&redis.url()), "rotate:", workers, rounds, || {
        // Revoke once a quarter of the calls are served.
        let deadline = Instant::now() + Duration::from_secs(60);
        while e.emu.calls("img.scan_qrcode") < (total / 4) as u64 {
            assert!(Instant::now() < deadline, "the children made no progress");
            std::thread::sleep(Duration::from_millis(5));
        }
        revoked_at = e.emu.calls("img.scan_qrcode");
        assert!(e.emu.revoke_tokens(APPID) >= 1);
    });
    let issued = e.emu.token_issues(APPID);
    let served = e.emu.calls("img.scan_qrcode");
    println!(
        "rotation: 4 processes x {workers} workers x {rounds} calls, tokens revoked after {revoked_at} calls: {ok} ok, {failed} failed, \
         {issued} token requests, {} calls rejected and retried",
        served - total as u64
    );
    assert_eq!((ok, failed), (total, 0));
    assert!(revoked_at < total as u64 - 1000, "the revocation came mid-run");
    assert!(served > total as u64, "some calls met the revoked token");
    assert_eq!(issued, 2, "one token before, one after the revocation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_away_is_a_clear_error_or_a_fallback_never_a_hang() {
    let mut redis = RedisServer::start();
    let emu = Emulator::start().await.unwrap();
    let strict = WeChat::new(config(&emu.base_url(), Some(&redis.url()), "away:")).unwrap();
    let lenient_cfg = WeChatConfig::new(APPID, APPSECRET).base_url(emu.base_url()).token_store(
        TokenStoreConfig::redis(RedisOptions::new(redis.url()).prefix("away:")).unwrap().on_failure(StoreFailure::FetchLocally),
    );
    let lenient = WeChat::new(lenient_cfg).unwrap();
    let call = |wx: &WeChat| {
        let wx = wx.clone();
        async move { wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(qr()))).await }
    };
    call(&strict).await.unwrap();
    call(&lenient).await.unwrap();
    assert_eq!(emu.token_issues(APPID), 1, "both clients share the one token");
    assert!(format!("{strict:?}").contains("redis") && !format!("{strict:?}").contains(REDIS_PASSWORD));
    assert!(!strict.describe().contains(REDIS_PASSWORD), "{}", strict.describe());

    // Redis goes away, and the token is rotated: every client needs the store now.
    redis.kill();
    emu.revoke_tokens(APPID);
    let started = Instant::now();
    let strict_calls = futures_util::future::join_all((0..50).map(|_| call(&strict)));
    let lenient_calls = futures_util::future::join_all((0..50).map(|_| call(&lenient)));
    let (s, l) = tokio::time::timeout(Duration::from_secs(30), futures_util::future::join(strict_calls, lenient_calls))
        .await
        .expect("calls hung after Redis went away");
    let took = started.elapsed();
    let errors: Vec<&Error> = s.iter().filter_map(|r| r.as_ref().err()).collect();
    println!("Redis gone: strict 50 calls -> {} errors, lenient 50 calls -> {} ok, in {took:?}", errors.len(), l.iter().filter(|r| r.is_ok()).count());
    assert_eq!(errors.len(), 50, "{s:?}");
    for e in &errors {
        assert!(matches!(e, Error::Transport { kind: TransportKind::TokenStore, .. }), "{e:?}");
        let text = format!("{e} {e:?}");
        assert!(text.contains("Redis at redis://") && text.contains(&format!(":{}", redis.port)), "{text}");
        assert!(!text.contains(REDIS_PASSWORD), "{text}");
    }
    println!("  the error: {}", errors[0]);
    assert!(l.iter().all(|r| r.is_ok()), "{l:?}");
    assert_eq!(emu.token_issues(APPID), 2, "the fallback fetched one token for its process");
    assert!(took < Duration::from_secs(15), "bounded by the store's timeouts: {took:?}");
}

#[tokio::test]
async fn an_unreachable_store_is_reported_at_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let emu = Emulator::start().await.unwrap();
    let wx = WeChat::new(config(&emu.base_url(), Some(&format!("redis://:{REDIS_PASSWORD}@127.0.0.1:{port}/0")), "none:")).unwrap();
    let started = Instant::now();
    let e = wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(qr()))).await.unwrap_err();
    assert!(matches!(e, Error::Transport { kind: TransportKind::TokenStore, .. }), "{e:?}");
    assert!(!e.to_string().contains(REDIS_PASSWORD), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(emu.token_issues(APPID), 0, "no token fetched behind the store's back");
    assert_eq!(emu.calls("img.scan_qrcode"), 0);
}

/// The token endpoints, asked for the client's own app, answer the shared token instead of
/// replacing it at WeChat (which would start the 5-minute end of every other process's token);
/// a forced refresh fetches one new token through the store's lock, and every process sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_endpoint_answers_the_shared_token_and_fetches_only_when_forced() {
    use wxcv::wechat::{AccessToken, GetAccessTokenRequest, GetStableAccessTokenRequest};
    let redis = RedisServer::start();
    let emu = Emulator::start().await.unwrap();
    let a = WeChat::new(config(&emu.base_url(), Some(&redis.url()), "endpoint:")).unwrap();
    let b = WeChat::new(config(&emu.base_url(), Some(&redis.url()), "endpoint:")).unwrap();
    let get = |wx: &WeChat| {
        let wx = wx.clone();
        async move { wx.auth().get_access_token(GetAccessTokenRequest::new(APPID, APPSECRET)).await.unwrap() }
    };
    let first = get(&a).await;
    assert!((7000..=7200).contains(&first.expires_in), "{first:?}");
    let second = get(&b).await;
    assert_eq!(second.access_token, first.access_token, "another process gets the same token");
    b.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(qr()))).await.unwrap();
    assert_eq!(emu.token_issues(APPID), 1, "one token for the endpoint calls and the API call");

    // Forced: one new token, seen by the other process's next endpoint call and its API calls.
    let w = GetAccessTokenRequest::new(APPID, APPSECRET).into_wire().await.unwrap();
    let forced: AccessToken = a.call_token_json(w, true).await.unwrap();
    assert_ne!(forced.access_token, first.access_token);
    assert_eq!(emu.token_issues(APPID), 2);
    assert_eq!(get(&b).await.access_token, forced.access_token);
    assert_eq!(emu.token_issues(APPID), 2);

    // Two processes forcing at once: one fetches (slowly), the other takes its token.
    let r = reqwest::Client::new()
        .post(format!("{}/__emulator/faults", emu.base_url()))
        .json(&serde_json::json!({"endpoint": "auth.get_access_token", "times": 1, "delay_ms": 2000}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let force = |wx: &WeChat| {
        let wx = wx.clone();
        async move {
            let w = GetAccessTokenRequest::new(APPID, APPSECRET).into_wire().await.unwrap();
            wx.call_token_json::<AccessToken>(w, true).await.unwrap()
        }
    };
    let (x, y) = futures_util::future::join(force(&a), force(&b)).await;
    assert_eq!(x.access_token, y.access_token);
    assert_ne!(x.access_token, forced.access_token);
    assert_eq!(emu.token_issues(APPID), 3, "one fetch for both forced refreshes");

    // Another app's credentials go to the vendor as they are: a wrong secret is WeChat's error.
    let e = a.auth().get_access_token(GetAccessTokenRequest::new(APPID, "not-the-secret")).await.unwrap_err();
    assert_eq!(e.api().map(|a| a.code.to_string()), Some("40125".into()), "{e:?}");

    // The stable kind has its own shared token; its force_refresh is a forced refresh.
    let s1 = a.auth().get_stable_access_token(GetStableAccessTokenRequest::new(APPID, APPSECRET)).await.unwrap();
    let s2 = b.auth().get_stable_access_token(GetStableAccessTokenRequest::new(APPID, APPSECRET)).await.unwrap();
    assert_eq!(s1.access_token, s2.access_token);
    let s3 = b.auth().get_stable_access_token(GetStableAccessTokenRequest::new(APPID, APPSECRET).force_refresh(true)).await.unwrap();
    assert_ne!(s3.access_token, s1.access_token);
    assert_eq!(a.auth().get_stable_access_token(GetStableAccessTokenRequest::new(APPID, APPSECRET)).await.unwrap().access_token, s3.access_token);
}

/// Without a shared store, the in-process cache answers: the endpoint and the API calls share one
/// token.
#[tokio::test]
async fn without_a_store_the_token_endpoint_answers_the_cached_token() {
    use wxcv::wechat::GetAccessTokenRequest;
    let emu = Emulator::start().await.unwrap();
    let wx = WeChat::new(config(&emu.base_url(), None, "")).unwrap();
    wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(qr()))).await.unwrap();
    let t1 = wx.auth().get_access_token(GetAccessTokenRequest::new(APPID, APPSECRET)).await.unwrap();
    let t2 = wx.auth().get_access_token(GetAccessTokenRequest::new(APPID, APPSECRET)).await.unwrap();
    assert_eq!(t1.access_token, t2.access_token);
    assert_eq!(t1.access_token, wx.access_token().await.unwrap());
    assert_eq!(emu.token_issues(APPID), 1);
}

/// A wrong Redis password is a configuration (credential) error, never printed, not a network one.
#[tokio::test]
async fn a_wrong_redis_password_is_a_configuration_error() {
    let redis = RedisServer::start();
    let emu = Emulator::start().await.unwrap();
    for url in [redis.url_with_password("wrong-password-never-printed"), format!("redis://127.0.0.1:{}/0", redis.port)] {
        let wx = WeChat::new(config(&emu.base_url(), Some(&url), "pw:")).unwrap();
        let e = wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(qr()))).await.unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{url}: {e:?}");
        let text = format!("{e} {e:?}");
        assert!(text.contains("Redis at redis://") && text.contains("password"), "{text}");
        assert!(!text.contains("wrong-password-never-printed") && !text.contains(REDIS_PASSWORD), "{text}");
    }
    assert_eq!(emu.token_issues(APPID), 0);
}
