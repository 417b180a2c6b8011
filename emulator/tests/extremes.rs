//! Inputs at the limits of i64 that fuzz/emulator_request found crashing the emulator's handler
//! (an overflow panics in a debug build and wraps in a release one): a clock moved by i64::MAX,
//! and a TC3 timestamp near i64::MIN.

use serde_json::{Value, json};
use wxcv_emulator::state::MAX_CLOCK_OFFSET;
use wxcv_emulator::{APPID, APPSECRET, Emulator, SECRET_ID, SECRET_KEY};

async fn clock(base: &str, seconds: i64) -> (u16, Value) {
    let r = reqwest::Client::new().post(format!("{base}/__emulator/clock")).json(&json!({"advance_seconds": seconds})).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_clock_moves_a_bounded_amount() {
    let emu = Emulator::start().await.unwrap();
    let base = emu.base_url();
    let (status, v) = clock(&base, i64::MAX).await;
    assert_eq!(status, 400, "{v}");
    // As far as it goes, in steps, then no further: every deadline still computes.
    for _ in 0..3 {
        let (status, v) = clock(&base, MAX_CLOCK_OFFSET).await;
        assert_eq!(status, 200, "{v}");
    }
    emu.advance_clock(i64::MAX);
    let (_, v) = clock(&base, 0).await;
    let real = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let now = v["now"].as_i64().unwrap();
    assert!((now - real - MAX_CLOCK_OFFSET).abs() < 60, "{now}");
    let t: Value = reqwest::get(format!("{base}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={APPSECRET}")).await.unwrap().json().await.unwrap();
    assert_eq!(t["expires_in"], 7200, "{t}");
}

#[tokio::test]
async fn a_timestamp_near_the_limits_is_outside_the_window() {
    let emu = Emulator::start().await.unwrap();
    let host = emu.addr().to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    // i64::MIN + now made `timestamp - now` exactly i64::MIN, whose abs() wrapped to itself and
    // passed the 5-minute window in a release build.
    for timestamp in [i64::MIN, i64::MIN + now, i64::MAX, -now] {
        let payload = r#"{"ImageUrl":"http://example.com/x.png"}"#;
        let sig = wxcv::tc3::sign(&wxcv::tc3::SignInput {
            secret_id: SECRET_ID,
            secret_key: SECRET_KEY,
            service: "ocr",
            host: &host,
            content_type: "application/json",
            payload: payload.as_bytes(),
            timestamp,
        });
        let v: Value = reqwest::Client::new()
            .post(format!("{}/", emu.base_url()))
            .header("content-type", "application/json")
            .header("authorization", sig.authorization)
            .header("x-tc-action", "QrcodeOCR")
            .header("x-tc-version", "2018-11-19")
            .header("x-tc-timestamp", timestamp.to_string())
            .body(payload)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["Response"]["Error"]["Code"], "AuthFailure.SignatureExpire", "X-TC-Timestamp {timestamp}: {v}");
    }
}
