//! The soak: 10,000 calls, 64 in flight, on one client against the emulator, with about 5% of the
//! calls meeting a random transient fault (-1, 502, a dropped connection, a truncated body).
//! Every reply must belong to its own request (the picture decides the symbology), and the counts
//! must add up. Run with `cargo xtask soak` (it prints the figures); ignored by `cargo test`.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use serde_json::json;
use wxcv::wechat::{ScanQrcodeRequest, WeChat};
use wxcv_emulator::Emulator;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "run by `cargo xtask soak`"]
async fn soak() {
    let calls: usize = std::env::var("WXCV_SOAK_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let in_flight = 64;
    let seed: u64 = std::env::var("WXCV_SOAK_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5EED_2026);
    let emu = Emulator::start().await.unwrap();
    let mut cfg = emu.wechat_config().timeout(Duration::from_secs(10));
    cfg.http.retry.base_delay = Duration::from_millis(5);
    let wx = WeChat::new(cfg).unwrap();
    let pics = [("qr.png", "QR_CODE"), ("datamatrix.png", "DATA_MATRIX"), ("ean13.png", "EAN_13"), ("code128.png", "CODE_128")];
    let data: Vec<bytes::Bytes> = pics.iter().map(|(f, _)| bytes::Bytes::from(fixture(f))).collect();
    let faults = [json!({"errcode": -1}), json!({"http_status": 502}), json!({"drop": true}), json!({"truncate": true})];
    let http = reqwest::Client::new();
    let mut rng = wxcv_emulator::XorShift::new(seed);
    let plan: Vec<(usize, Option<usize>)> = (0..calls)
        .map(|_| {
            let pic = (rng.next() % 4) as usize;
            let fault = (rng.next() % 100 < 5).then(|| (rng.next() % 4) as usize);
            (pic, fault)
        })
        .collect();
    let injected = plan.iter().filter(|(_, f)| f.is_some()).count();
    let start = Instant::now();
    let results: Vec<(usize, Result<String, String>)> = futures_util::stream::iter(plan.iter().copied().enumerate())
        .map(|(i, (pic, fault))| {
            let (wx, http, data, base) = (wx.clone(), http.clone(), data[pic].clone(), emu.base_url());
            let f = fault.map(|k| faults[k].clone());
            async move {
                if let Some(mut f) = f {
                    f["endpoint"] = json!("img.scan_qrcode");
                    f["times"] = json!(1);
                    http.post(format!("{base}/__emulator/faults")).json(&f).send().await.unwrap();
                }
                let r = wx.img().scan_qrcode(ScanQrcodeRequest::new(wxcv::Image::bytes(data))).await;
                (i, r.map(|ok| ok.code_results.first().map(|c| c.type_name.clone()).unwrap_or_default()).map_err(|e| e.to_string()))
            }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    let elapsed = start.elapsed();
    let mut seen = vec![false; calls];
    let (mut ok, mut failed, mut crossed) = (0, 0, 0);
    for (i, r) in &results {
        assert!(!seen[*i], "call {i} answered twice");
        seen[*i] = true;
        match r {
            Ok(t) if t == pics[plan[*i].0].1 => ok += 1,
            Ok(t) => {
                crossed += 1;
                eprintln!("call {i}: asked {} got {t}", pics[plan[*i].0].1);
            }
            Err(e) => {
                failed += 1;
                eprintln!("call {i}: {e}");
            }
        }
    }
    let served = emu.calls("img.scan_qrcode");
    println!(
        "soak: {calls} calls, {in_flight} in flight, {injected} faults injected ({:.1}%), seed {seed:#x}",
        injected as f64 * 100.0 / calls as f64
    );
    println!(
        "soak: {ok} ok, {failed} failed after retries, {crossed} crossed, 0 lost; {served} answered by the emulator; {} token fetches",
        emu.token_issues(wxcv_emulator::APPID)
    );
    println!("soak: {:.1} s, {:.0} calls/s", elapsed.as_secs_f64(), calls as f64 / elapsed.as_secs_f64());
    assert_eq!(results.len(), calls, "calls lost");
    assert!(seen.iter().all(|s| *s), "calls lost");
    assert_eq!(crossed, 0, "replies crossed between requests");
    assert_eq!(ok + failed, calls);
    // A fault meets one attempt; with 3 attempts a call fails only if three faults meet it.
    assert!(failed * 1000 <= calls, "{failed} calls failed after retries");
    assert_eq!(emu.token_issues(wxcv_emulator::APPID), 1);
}
