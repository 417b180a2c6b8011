//! The fault matrix: every way the network and the vendors fail, injected through the emulator's
//! control API, ends in success after bounded retry or in the right typed error, and none hangs.
//! Run with trace logging captured: no app secret, SecretKey or issued token appears in any log
//! line, error message or Debug print.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wxcv::tencentcloud::{QrcodeOcrRequest, TencentCloud};
use wxcv::wechat::{CreateQrcodeRequest, GetUnlimitedRequest, ScanQrcodeRequest, WeChat};
use wxcv::{Category, Error, TransportKind};
use wxcv_emulator::Emulator;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Every log line of the process, at trace level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn fault(emu: &Emulator, f: Value) {
    let r = reqwest::Client::new().post(format!("{}/__emulator/faults", emu.base_url())).json(&f).send().await.unwrap();
    assert!(r.status().is_success(), "{f}");
}

#[derive(Debug)]
enum Want {
    /// Success after this many attempts reached the emulator.
    Ok(u64),
    /// This error after this many attempts.
    Err(fn(&Error) -> bool, u64),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_ends_in_success_or_the_right_error() {
    let logs = Captured::default();
    let sink = logs.clone();
    let _ = tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_ansi(false).with_writer(move || sink.clone()).try_init();

    let emu = Emulator::start().await.unwrap();
    let mut cfg = emu.wechat_config().timeout(Duration::from_millis(800));
    cfg.http.retry.base_delay = Duration::from_millis(20);
    let wx = WeChat::new(cfg).unwrap();
    let mut seen: Vec<String> = Vec::new();
    let token = wx.access_token().await.unwrap();

    let matrix: Vec<(&str, Value, Want)> = vec![
        ("-1 once", json!({"errcode": -1}), Want::Ok(2)),
        ("-1 twice", json!({"errcode": -1, "times": 2}), Want::Ok(3)),
        ("-1 on every attempt", json!({"errcode": -1, "times": 3}), Want::Err(|e| e.category() == Some(Category::System), 3)),
        ("45009", json!({"errcode": 45009}), Want::Err(|e| e.is_rate_limit(), 1)),
        ("45011", json!({"errcode": 45011}), Want::Err(|e| e.is_rate_limit(), 1)),
        ("42001 mid-flight", json!({"errcode": 42001}), Want::Ok(2)),
        ("40001 twice", json!({"errcode": 40001, "times": 2}), Want::Err(|e| e.is_token_error(), 2)),
        ("500", json!({"http_status": 500}), Want::Ok(2)),
        ("502", json!({"http_status": 502}), Want::Ok(2)),
        ("503 on every attempt", json!({"http_status": 503, "times": 3}), Want::Err(|e| matches!(e, Error::Transport { kind: TransportKind::HttpStatus(503), .. }), 3)),
        ("connection reset", json!({"drop": true}), Want::Ok(2)),
        // The emulator logs a call when it answers; the timed-out attempt is dropped unanswered.
        ("timeout", json!({"delay_ms": 3000}), Want::Ok(1)),
        ("truncated body", json!({"truncate": true}), Want::Ok(2)),
        ("HTML body", json!({"non_json": true}), Want::Err(|e| matches!(e, Error::Decode { .. }), 1)),
        ("101001 is not retried", json!({"errcode": 101001}), Want::Err(|e| e.api().is_some_and(|a| a.code.to_string() == "101001"), 1)),
    ];
    for (name, mut f, want) in matrix {
        let before = emu.calls("img.scan_qrcode");
        if f.get("times").is_none() {
            f["times"] = json!(1);
        }
        f["endpoint"] = json!("img.scan_qrcode");
        fault(&emu, f).await;
        let start = Instant::now();
        let r = tokio::time::timeout(Duration::from_secs(15), wx.img().scan_qrcode(ScanQrcodeRequest::new(fixture("qr.png"))))
            .await
            .unwrap_or_else(|_| panic!("{name}: the call hung"));
        let attempts = emu.calls("img.scan_qrcode") - before;
        match (&want, &r) {
            (Want::Ok(n), Ok(_)) => assert_eq!(attempts, *n, "{name}"),
            (Want::Err(is, n), Err(e)) => {
                assert!(is(e), "{name}: wrong error {e:?}");
                assert_eq!(attempts, *n, "{name}: {e}");
                seen.push(e.to_string());
                seen.push(format!("{e:?}"));
            }
            _ => panic!("{name}: expected {want:?}, got {r:?}"),
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{name}: took {:?}", start.elapsed());
    }

    // A JSON error on an image endpoint is an API error, never an image; count-limited endpoints
    // are not sent again after a failure they cannot see the outcome of.
    fault(&emu, json!({"endpoint": "wxacode.get_unlimited", "times": 1, "errcode": 45029})).await;
    let e = wx.wxacode().get_unlimited(GetUnlimitedRequest::new("a=1")).await.unwrap_err();
    assert_eq!(e.api().map(|a| a.code.to_string()), Some("45029".into()), "{e:?}");
    let before = emu.calls("wxacode.create_qrcode");
    fault(&emu, json!({"endpoint": "wxacode.create_qrcode", "times": 1, "http_status": 502})).await;
    let e = wx.wxacode().create_qrcode(CreateQrcodeRequest::new("pages/a")).await.unwrap_err();
    assert!(matches!(e, Error::Transport { kind: TransportKind::HttpStatus(502), .. }), "{e:?}");
    assert_eq!(emu.calls("wxacode.create_qrcode") - before, 1, "createQRCode was retried");
    seen.push(format!("{e:?}"));

    // Tencent Cloud: re-signed on retry; RequestLimitExceeded is a rate-limit error at once.
    let mut tcfg = emu.tencent_config();
    tcfg.http.retry.base_delay = Duration::from_millis(20);
    let tc = TencentCloud::new(tcfg).unwrap();
    let ocr = || tc.ocr().qrcode_ocr(QrcodeOcrRequest::new(fixture("qr.png")));
    fault(&emu, json!({"endpoint": "QrcodeOCR", "times": 2, "errcode": "InternalError"})).await;
    assert!(ocr().await.is_ok());
    fault(&emu, json!({"endpoint": "QrcodeOCR", "times": 1, "http_status": 503})).await;
    assert!(ocr().await.is_ok());
    fault(&emu, json!({"endpoint": "QrcodeOCR", "times": 1, "errcode": "RequestLimitExceeded"})).await;
    let e = ocr().await.unwrap_err();
    assert!(e.is_rate_limit(), "{e:?}");
    seen.push(format!("{e:?} {e}"));
    seen.push(format!("{wx:?} {tc:?}"));

    // Redaction: nothing secret in any log line, message or Debug print.
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned() + &seen.join("\n");
    assert!(text.contains("retrying"), "the trace log was not captured");
    for secret in [wxcv_emulator::APPSECRET, wxcv_emulator::SECRET_KEY, token.as_str()] {
        assert!(!text.contains(secret), "a secret leaked into the logs or errors");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_per_call_shares_the_client() {
    let emu = Emulator::start().await.unwrap();
    let mut cfg = emu.wechat_config().timeout(Duration::from_secs(10));
    cfg.http.retry.base_delay = Duration::from_millis(10);
    let wx = WeChat::new(cfg).unwrap();
    let quick = wx.with_timeout(Duration::from_millis(200));
    wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(fixture("qr.png")))).await.unwrap();

    // Every attempt is slow: the quick handle gives up after its 3 attempts of 200 ms.
    fault(&emu, json!({"endpoint": "img.scan_qrcode", "times": 3, "delay_ms": 1500})).await;
    let started = Instant::now();
    let e = quick.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(fixture("qr.png")))).await.unwrap_err();
    assert!(matches!(e, Error::Transport { kind: TransportKind::Timeout, .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_millis(1400), "{:?}", started.elapsed());

    // The client keeps its own 10 s: the same delay is waited out.
    fault(&emu, json!({"endpoint": "img.scan_qrcode", "times": 1, "delay_ms": 500})).await;
    wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(fixture("qr.png")))).await.unwrap();
    assert_eq!(emu.token_issues(wxcv_emulator::APPID), 1, "the handle shares the token");

    // Tencent Cloud, and the bindings' checked form.
    let tc = TencentCloud::new(emu.tencent_config()).unwrap();
    fault(&emu, json!({"endpoint": "QrcodeOCR", "times": 3, "delay_ms": 1500})).await;
    let e = tc.with_timeout_secs(0.2).unwrap().ocr().qrcode_ocr(QrcodeOcrRequest::new(fixture("qr.png"))).await.unwrap_err();
    assert!(matches!(e, Error::Transport { kind: TransportKind::Timeout, .. }), "{e:?}");
    for bad in [0.0, -1.0, f64::NAN, 1e9] {
        assert!(matches!(wx.with_timeout_secs(bad), Err(Error::Config(_))), "{bad}");
    }
}
