//! Replies the fuzz targets in fuzz/ found mishandled, replayed through the public client against
//! a local server that answers them: vendor error text echoing credentials is redacted in every
//! field an error exposes, and a JSON number reads back as the value it was written for.

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use wxcv::tencentcloud::{QrcodeOcrRequest, TencentCloud, TencentCloudConfig};
use wxcv::wechat::{ScanQrcodeRequest, WeChat, WeChatConfig};
use wxcv::{Error, Image};

/// Serves `body` (with `headers`) to every request; returns the base URL.
async fn serve(headers: &'static [(&'static str, &'static str)], body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(move || async move {
        let mut h = HeaderMap::new();
        h.insert("content-type", "application/json".parse().unwrap());
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        (h, body).into_response()
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn picture() -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/fixtures/qr.png", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn assert_clean(e: &Error, secrets: &[&str]) {
    let api = e.api().unwrap_or_else(|| panic!("not an API error: {e:?}"));
    let shown = [e.to_string(), format!("{e:?}"), api.message.clone(), api.request_id.clone().unwrap_or_default()];
    for s in secrets {
        for text in &shown {
            assert!(!text.contains(s), "{s} shows in {text:?}");
        }
    }
}

async fn wechat_error(headers: &'static [(&'static str, &'static str)], body: &'static str) -> Error {
    let base = serve(headers, body).await;
    let wx = WeChat::new(WeChatConfig::cloudbase().base_url(base)).unwrap();
    wx.img().scan_qrcode(ScanQrcodeRequest::new(Image::bytes(picture()))).await.unwrap_err()
}

#[tokio::test]
async fn a_wechat_request_id_never_carries_a_credential() {
    let e = wechat_error(&[], r#"{"errcode":40001,"errmsg":"invalid credential rid: 64e2f1a0 access_token=TOKEN1SECRET&secret=APPSECRET1"}"#).await;
    assert_clean(&e, &["TOKEN1SECRET", "APPSECRET1"]);
    assert_eq!(e.api().unwrap().request_id.as_deref(), Some("64e2f1a0 access_token=<redacted>&secret=<redacted>"));

    let e = wechat_error(&[("x-openapi-seqid", "seq-1 access_token=TOKEN2SECRET")], r#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#).await;
    assert_clean(&e, &["TOKEN2SECRET"]);
    assert_eq!(e.api().unwrap().request_id.as_deref(), Some("seq-1 access_token=<redacted>"));
}

#[tokio::test]
async fn a_tencent_error_never_carries_a_credential() {
    let base = serve(
        &[],
        r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"cannot validate: Authorization: TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/ocr/tc3_request, SignedHeaders=content-type;host, Signature=be4f67d323c78ab9SIG"},"RequestId":"ed93f3cb secret=KEY3SECRET"}}"#,
    )
    .await;
    let tc = TencentCloud::new(TencentCloudConfig::new("AKIDx", "key").base_url(base)).unwrap();
    let e = tc.ocr().qrcode_ocr(QrcodeOcrRequest::new(Image::url("https://example.com/q.png"))).await.unwrap_err();
    assert_clean(&e, &["be4f67d323c78ab9SIG", "KEY3SECRET"]);
    assert!(e.api().unwrap().message.ends_with("Signature=<redacted>"), "{e}");
}

#[test]
fn a_json_number_reads_back_as_written() {
    // serde_json's default float parser lands one ulp off for some inputs (22e26 read back as
    // 2.2000000000000001e27); the workspace enables float_roundtrip.
    for text in ["22e26", "1.7976931348623157e308", "2.2250738585072014e-308", "0.1", "123456789.12345679"] {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let again: serde_json::Value = serde_json::from_str(&v.to_string()).unwrap();
        assert_eq!(v, again, "{text} -> {v}");
        assert_eq!(v.as_f64(), text.parse::<f64>().ok(), "{text}");
    }
}
