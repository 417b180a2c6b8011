//! Access tokens: single flight on a cold cache, refresh at expiry, one bounded retry on a rejected
//! token, shared failure, and no secret or token in any printed text or log line.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use wxcv::wechat::*;
use wxcv::{Category, Error};

fn client(url: &str) -> WeChat {
    WeChat::new(WeChatConfig::new(APPID, SECRET).base_url(url)).unwrap()
}

/// Issues TOKEN-1, TOKEN-2, ... (after `delay`); API calls succeed only with a token in `good`.
async fn token_server(expires_in: u64, delay: Duration, good: fn(&str) -> bool) -> (Server, Arc<AtomicUsize>) {
    let issued = Arc::new(AtomicUsize::new(0));
    let n = issued.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        "/cgi-bin/token" | "/cgi-bin/stable_token" => {
            let k = n.fetch_add(1, Ordering::SeqCst) + 1;
            Reply::json(json!({"access_token": format!("TOKEN-{k}"), "expires_in": expires_in})).delayed(delay)
        }
        _ => match r.q("access_token") {
            Some(t) if good(t) => Reply::json(seed_scan_reply()),
            Some(_) => Reply::json(json!({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})),
            None => Reply::json(json!({"errcode": 41001, "errmsg": "access_token missing"})),
        },
    })
    .await;
    (server, issued)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_cold_calls_make_one_token_request() {
    let (server, issued) = token_server(7200, Duration::from_millis(200), |_| true).await;
    let wx = client(&server.url);
    let start = std::time::Instant::now();
    let calls = (0..1000).map(|_| {
        let wx = wx.clone();
        tokio::spawn(async move { wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await })
    });
    let results = futures_util::future::join_all(calls).await;
    let ok = results.into_iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    println!("single flight: 1000 concurrent cold calls, {} token request(s), {:?}", issued.load(Ordering::SeqCst), start.elapsed());
    assert_eq!(ok, 1000);
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    assert_eq!(server.count("/cgi-bin/token"), 1);
    assert_eq!(server.count("/cv/img/qrcode"), 1000);
}

#[tokio::test]
async fn a_token_is_refreshed_before_it_expires() {
    // expires_in 2 s: the client stops using it after 1 s (half its life).
    let (server, issued) = token_server(2, Duration::ZERO, |_| true).await;
    let wx = client(&server.url);
    wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap();
    wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1, "cached while fresh");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2, "refreshed once stale");
    let tokens: Vec<_> = server.requests().iter().filter_map(|r| r.q("access_token").map(str::to_string)).collect();
    assert_eq!(tokens, ["TOKEN-1", "TOKEN-1", "TOKEN-2"]);
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_and_the_call_retried_once() {
    // TOKEN-1 is rejected (another instance rotated it); TOKEN-2 works.
    let (server, issued) = token_server(7200, Duration::ZERO, |t| t != "TOKEN-1").await;
    let wx = client(&server.url);
    let out = wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap();
    assert_eq!(out.code_results.len(), 4);
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let calls: Vec<_> = server.requests().into_iter().filter(|r| r.path == "/cv/img/qrcode").collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].q("access_token"), Some("TOKEN-1"));
    assert_eq!(calls[1].q("access_token"), Some("TOKEN-2"));
    // The multipart body is rebuilt for the retry, byte for byte.
    assert_eq!(calls[0].multipart()["img"].2, calls[1].multipart()["img"].2);
}

#[tokio::test]
async fn a_token_that_keeps_failing_gives_a_typed_error_after_one_retry() {
    let (server, issued) = token_server(7200, Duration::ZERO, |_| false).await;
    let wx = client(&server.url);
    let err = wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap_err();
    assert_eq!(err.category(), Some(Category::Token));
    assert_eq!(err.api().unwrap().errcode(), Some(40001));
    assert_eq!(server.count("/cv/img/qrcode"), 2, "exactly one retry");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_late_failure_does_not_evict_a_newer_token() {
    // Call A holds TOKEN-1 and fails after call B already replaced it with TOKEN-2.
    let (server, issued) = token_server(7200, Duration::ZERO, |t| t != "TOKEN-1").await;
    let wx = client(&server.url);
    wx.access_token().await.unwrap(); // TOKEN-1 cached
    let a = wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64)));
    let b = wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64)));
    let (a, b) = tokio::join!(a, b);
    a.unwrap();
    b.unwrap();
    // Both saw TOKEN-1 fail; the second invalidation found TOKEN-2 (or a flight) and kept it.
    assert_eq!(issued.load(Ordering::SeqCst), 2, "one refresh for both failures");
    assert_eq!(wx.access_token().await.unwrap(), "TOKEN-2");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_token_fetch_is_shared_by_every_waiter() {
    let server = Server::start(|r| match r.path.as_str() {
        "/cgi-bin/token" => Reply::json(json!({"errcode": 40125, "errmsg": "invalid appsecret"})).delayed(Duration::from_millis(100)),
        _ => Reply::json(seed_scan_reply()),
    })
    .await;
    let wx = client(&server.url);
    let calls = (0..100).map(|_| {
        let wx = wx.clone();
        tokio::spawn(async move { wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await })
    });
    let results = futures_util::future::join_all(calls).await;
    for r in results {
        let err = r.unwrap().unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.errcode(), Some(40125));
        assert_eq!(api.category(), Category::Auth);
        assert_eq!(api.endpoint, "auth.getAccessToken");
        assert!(!format!("{err} {err:?}").contains(SECRET));
    }
    assert_eq!(server.count("/cgi-bin/token"), 1);
    assert_eq!(server.count("/cv/img/qrcode"), 0);
}

#[tokio::test]
async fn stable_token_posts_json() {
    let (server, _) = token_server(7200, Duration::ZERO, |_| true).await;
    let wx = WeChat::new(WeChatConfig::new(APPID, SECRET).base_url(&server.url).stable_token(true)).unwrap();
    wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap();
    let t = &server.requests()[0];
    assert_eq!((t.method.as_str(), t.path.as_str()), ("POST", "/cgi-bin/stable_token"));
    assert!(t.query.is_empty(), "the secret stays out of the URL");
    assert_eq!(t.json(), json!({"grant_type": "client_credential", "appid": APPID, "secret": SECRET}));
}

/// Captures every log line at TRACE.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_and_tokens_never_appear_in_text_or_logs() {
    let cap = Capture::default();
    let writer = cap.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (server, _) = token_server(7200, Duration::ZERO, |t| t != "TOKEN-1").await;
    let wx = client(&server.url);
    let mut text = format!("{wx:?} {:?}", wx.config());
    text += &format!("{:?}", wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await);
    text += &format!("{:?}", GetAccessTokenRequest::new(APPID, SECRET));
    let err = wx.wxacode().create_qrcode(CreateQrcodeRequest::new("p")).await.unwrap_err();
    text += &format!("{err} {err:?}");

    let tc = wxcv::tencentcloud::TencentCloud::new(
        wxcv::tencentcloud::TencentCloudConfig::new("AKID", "TC-SECRET-KEY").token("TC-SESSION").base_url(&server.url),
    )
    .unwrap();
    text += &format!("{tc:?}");
    let e = tc.ocr().qrcode_ocr(wxcv::tencentcloud::QrcodeOcrRequest::new(png(64))).await.unwrap_err();
    text += &format!("{e} {e:?}");

    let logs = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("wxcv.call"), "spans are recorded: {logs}");
    for needle in [SECRET, "TOKEN-1", "TOKEN-2", "TC-SECRET-KEY", "TC-SESSION"] {
        assert!(!text.contains(needle), "{needle} leaked into text: {text}");
        assert!(!logs.contains(needle), "{needle} leaked into logs: {logs}");
    }
    let _ = Error::Config(String::new());
}
