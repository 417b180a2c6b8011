//! Helpers shared by the emulator's test files.

use serde_json::Value;
use wxcv_emulator::{Emulator, SECRET_ID, SECRET_KEY};

/// A Tencent Cloud request the client would not send, signed by hand (TC3 with the emulator's key
/// and the current time); answers the reply's `Response` object.
pub async fn signed_tencent(emu: &Emulator, action: &str, version: &str, region: &str, body: Value) -> Value {
    signed_tencent_with(emu, SECRET_KEY, action, version, region, body).await
}

/// [`signed_tencent`] signed with another SecretKey.
pub async fn signed_tencent_with(emu: &Emulator, secret_key: &str, action: &str, version: &str, region: &str, body: Value) -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let host = emu.addr().to_string();
    let payload = body.to_string();
    let sig = wxcv::tc3::sign(&wxcv::tc3::SignInput {
        secret_id: SECRET_ID,
        secret_key,
        service: "ocr",
        host: &host,
        content_type: "application/json; charset=utf-8",
        payload: payload.as_bytes(),
        timestamp: now,
    });
    let v: Value = reqwest::Client::new()
        .post(format!("{}/", emu.base_url()))
        .header("content-type", "application/json; charset=utf-8")
        .header("authorization", sig.authorization)
        .header("x-tc-action", action)
        .header("x-tc-version", version)
        .header("x-tc-region", region)
        .header("x-tc-timestamp", now.to_string())
        .body(payload)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["Response"].clone()
}
