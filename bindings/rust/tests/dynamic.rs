//! `call_dynamic`, the by-name entry the Python, Node and mobile bindings use: it converts loose
//! arguments into the typed request, so the typed call's checks apply, and names what is wrong.

use serde_json::{Value, json};
use wxcv::rt::{DynArgs, DynReply};
use wxcv::tencentcloud::TencentCloud;
use wxcv::wechat::WeChat;
use wxcv::{Error, Image};
use wxcv_emulator::Emulator;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn invalid(r: wxcv::Result<DynReply>) -> (String, String) {
    match r {
        Err(Error::InvalidInput { field, message, .. }) => (field, message),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn by_name_equals_the_typed_call() {
    let emu = Emulator::start().await.unwrap();
    let w = WeChat::new(emu.wechat_config()).unwrap();
    let typed = w.img().scan_qrcode(wxcv::wechat::ScanQrcodeRequest::new(fixture("seed-four-codes.jpg"))).await.unwrap();
    for name in ["img.scan_qrcode", "img.scanQRCode"] {
        let r = w.call_dynamic(name, DynArgs::new().image("image", Image::bytes(fixture("seed-four-codes.jpg")))).await.unwrap();
        assert_eq!(r, DynReply::Json(serde_json::to_value(&typed).unwrap()), "{name}");
    }
    let pic = w.call_dynamic("wxacode.create_qrcode", DynArgs::new().value("path", "pages/a").value("width", 280)).await.unwrap();
    let DynReply::Binary(b) = pic else { panic!("{pic:?}") };
    assert_eq!(b.content_type, "image/jpeg");

    let t = TencentCloud::new(emu.tencent_config()).unwrap();
    let r = t.call_dynamic("QrcodeOCR", DynArgs::new().image("image", Image::bytes(fixture("qr.png")))).await.unwrap();
    let DynReply::Json(v) = r else { panic!() };
    assert_eq!(v["CodeResults"][0]["TypeName"], "QR_CODE");
}

#[tokio::test]
async fn loose_arguments_are_checked_and_named() {
    let emu = Emulator::start().await.unwrap();
    let w = WeChat::new(emu.wechat_config()).unwrap();
    let img = || Image::bytes(fixture("qr.png"));
    let (f, m) = invalid(w.call_dynamic("img.ai_crop", DynArgs::new().image("image", img()).value("ratios", json!([1, 2, 3, 4, 5, 6]))).await);
    assert_eq!(f, "ratios");
    assert!(m.contains('5'), "{m}");
    let (f, m) = invalid(w.call_dynamic("img.ai_crop", DynArgs::new().image("image", img()).value("ratios", "wide")).await);
    assert_eq!(f, "ratios");
    assert!(m.contains("sequence"), "{m}");
    let (f, m) = invalid(w.call_dynamic("ocr.idcard", DynArgs::new().image("image", img()).value("type", "fax")).await);
    assert_eq!(f, "type");
    assert!(m.contains("photo") && m.contains("scan"), "{m}");
    let (f, m) = invalid(w.call_dynamic("img.scan_qrcode", DynArgs::new()).await);
    assert_eq!((f.as_str(), m.as_str()), ("image", "is required"));
    let (f, m) = invalid(w.call_dynamic("img.scan_qrcode", DynArgs::new().image("image", img()).value("ratio", 1)).await);
    assert_eq!(f, "ratio");
    assert!(m.contains("it takes: image"), "{m}");
    let (f, _) = invalid(w.call_dynamic("img.scan_qrcode", DynArgs::new().value("image", "x.jpg")).await);
    assert_eq!(f, "image");
    let (f, _) = invalid(w.call_dynamic("wxacode.create_qrcode", DynArgs::new().image("path", img())).await);
    assert_eq!(f, "path");
    // null is absent, as for an optional argument left out.
    let ok = w.call_dynamic("wxacode.create_qrcode", DynArgs::new().value("path", "p").value("width", Value::Null)).await;
    assert!(ok.is_ok(), "{ok:?}");
    match w.call_dynamic("img.scan_everything", DynArgs::new()).await {
        Err(Error::Config(m)) => assert!(m.contains("img.scan_everything") && m.contains("img.scan_qrcode"), "{m}"),
        other => panic!("{other:?}"),
    }
    // Nothing that was refused reached the emulator.
    assert_eq!(emu.calls("img.ai_crop") + emu.calls("ocr.idcard") + emu.calls("img.scan_qrcode"), 0);
}
