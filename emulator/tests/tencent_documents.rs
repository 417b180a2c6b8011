//! Tencent Cloud actions that read a document from a picture and answer a JSON model
//! (BusinessCardOCR, PassportOCR): over real HTTP through the Rust client, the emulator replies with
//! the fixture registered for the picture (typed on the client's side), else the action's
//! "nothing found" code; the picture must decode; BusinessCardOCR's Config must be a JSON object;
//! TC3, version and region are checked as for every action.

// PassportOCR is deprecated (the vendor no longer upgrades it; issue 17): these tests call it on purpose.
#![allow(deprecated)]


mod common;
use serde_json::{Value, json};
use wxcv::tencentcloud::{self as tc, TencentCloud};
use wxcv::{Category, Error, ErrorCode, Image};
use wxcv_emulator::{Emulator, SECRET_ID, SECRET_KEY};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn api(e: &Error) -> &wxcv::ApiError {
    match e {
        Error::Api(a) => a,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn code(e: &Error) -> String {
    match &api(e).code {
        ErrorCode::TencentCloud(s) => s.clone(),
        other => panic!("not a Tencent Cloud code: {other:?}"),
    }
}

/// The Chinese card of the issue's examples (the inner object of `{"Response": ...}`).
fn chinese_card() -> Value {
    json!({
        "BusinessCardInfos": [
            {"Name": "姓名", "Value": "陈思远", "ItemCoord": {"X": 72, "Y": 51, "Width": 98, "Height": 38}},
            {"Name": "职位", "Value": "产品经理", "ItemCoord": {"X": 70, "Y": 104, "Width": 96, "Height": 24}},
            {"Name": "手机", "Value": "+86-139-0000-4512", "ItemCoord": {"X": 118, "Y": 231, "Width": 221, "Height": 23}},
            {"Name": "地址", "Value": "北京市海淀区示例路88号示例大厦12层", "ItemCoord": {"X": 103, "Y": 301, "Width": 392, "Height": 22}}
        ],
        "RetImageBase64": "",
        "Angle": 0,
        "RequestId": "5f0d6c2e-8b1a-4d7e-9c3f-2a6b1e9d4c70"
    })
}

fn passport() -> Value {
    json!({
        "Country": "CHN", "PassportNo": "EJ0017356", "Sex": "F", "Nationality": "CHN",
        "BirthDate": "19881102", "BirthPlace": "GUANGDONG", "IssueDate": "20200605", "IssuePlace": "GUANGDONG",
        "ExpiryDate": "20300604", "Signature": "李华",
        "CodeSet": "POCHNLI<<HUA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
        "CodeCrc": "EJ00173567CHN8811020F3006047<<<<<<<<<<<<<<00",
        "Name": "李华", "FamilyName": "LI", "FirstName": "HUA",
        "PortraitImageInfo": {
            "PortraitImage": "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4sWoaEDFAKAA5tgghqz3S7QAAAABJRU5ErkJggg==",
            "ImageCoordinates": {"X": 41, "Y": 118, "Width": 212, "Height": 268}
        }
    })
}

/// A PNG signature and nothing a decoder can use: the client's format check passes, the picture
/// does not decode.
fn undecodable_png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(b"not really a picture");
    b
}

#[tokio::test]
async fn business_card_fixture_comes_back_typed() {
    let emu = Emulator::start().await.unwrap();
    let client = TencentCloud::new(emu.tencent_config().region("ap-shanghai")).unwrap();
    let card = fixture("blank.png");
    emu.register_ocr("BusinessCardOCR", &card, chinese_card()).unwrap();

    let out = client.ocr().business_card_ocr(tc::BusinessCardOcrRequest::new(card.clone())).await.unwrap();
    assert_eq!(out.business_card_infos.len(), 4);
    assert_eq!(out.business_card_infos[0], tc::BusinessCardInfo {
        name: "姓名".into(),
        value: "陈思远".into(),
        item_coord: tc::ItemCoord { x: 72, y: 51, width: 98, height: 38 },
    });
    assert!(out.business_card_infos.iter().any(|i| i.name == "地址" && i.value.starts_with("北京市")));
    assert_eq!(out.angle, Some(0.0));
    assert_eq!(out.ret_image_base64.as_deref(), Some(""));
    // The call's own request id, not the one in the registered reply.
    assert_eq!(out.request_id.len(), 36);
    assert_ne!(out.request_id, "5f0d6c2e-8b1a-4d7e-9c3f-2a6b1e9d4c70");

    // The same picture by URL (fetched by the emulator), with a Config that is a JSON object.
    let url = emu.blob_url(card.clone()).unwrap();
    let req = tc::BusinessCardOcrRequest::new(Image::Url(url)).config(r#"{"RetImageType":"PROPROCESS"}"#);
    let again = client.ocr().business_card_ocr(req).await.unwrap();
    assert_eq!(again.business_card_infos, out.business_card_infos);
    assert_ne!(again.request_id, out.request_id);

    // A fixture registered for another action does not answer this one.
    let other = fixture("qr.png");
    emu.register_ocr("PassportOCR", &other, passport()).unwrap();
    let e = client.ocr().business_card_ocr(tc::BusinessCardOcrRequest::new(other)).await.unwrap_err();
    assert_eq!(code(&e), "FailedOperation.ImageNoBusinessCard");
}

#[tokio::test]
async fn business_card_without_a_fixture_is_not_found() {
    let emu = Emulator::start().await.unwrap();
    let client = TencentCloud::new(emu.tencent_config()).unwrap();
    let e = client.ocr().business_card_ocr(tc::BusinessCardOcrRequest::new(fixture("qr.png"))).await.unwrap_err();
    assert_eq!(code(&e), "FailedOperation.ImageNoBusinessCard");
    let a = api(&e);
    assert_eq!(a.endpoint, "BusinessCardOCR");
    assert_eq!(a.category(), Category::NotFound);
    assert_eq!(a.meaning(), Some("No business card was found in the picture"));
    assert_eq!(a.request_id.as_deref().map(str::len), Some(36));
    // Reported at once: not_found is not retried.
    assert_eq!(emu.calls("ocr.business_card_ocr"), 1);

    // A picture that does not decode gets the decode-failure code, fixture or not.
    let bad = undecodable_png();
    emu.register_ocr("BusinessCardOCR", &bad, chinese_card()).unwrap();
    let e = client.ocr().business_card_ocr(tc::BusinessCardOcrRequest::new(bad)).await.unwrap_err();
    assert_eq!(code(&e), "FailedOperation.ImageDecodeFailed");
}

#[tokio::test]
async fn business_card_config_must_be_a_json_object() {
    let emu = Emulator::start().await.unwrap();
    let client = TencentCloud::new(emu.tencent_config()).unwrap();
    let card = fixture("blank.png");
    emu.register_ocr("BusinessCardOCR", &card, chinese_card()).unwrap();
    let png = base64_of(&card);
    for bad in ["RetImageType=PROPROCESS", "{RetImageType: PROPROCESS}", "[\"RetImageType\"]", "\"PROPROCESS\"", ""] {
        // The client refuses it (limits.json_object) and sends nothing...
        let before = emu.calls("ocr.business_card_ocr");
        let req = tc::BusinessCardOcrRequest::new(card.clone()).config(bad);
        let e = client.ocr().business_card_ocr(req).await.unwrap_err();
        assert!(matches!(&e, wxcv::Error::InvalidInput { field, .. } if field == "config"), "Config {bad:?}: {e:?}");
        assert_eq!(emu.calls("ocr.business_card_ocr"), before, "Config {bad:?} was sent");
        // ...and the emulator answers the vendor's code to a request that carries it anyway.
        let r = common::signed_tencent(&emu, "BusinessCardOCR", "2018-11-19", "ap-guangzhou", json!({"ImageBase64": png, "Config": bad})).await;
        assert_eq!(r["Error"]["Code"], "InvalidParameter.ConfigFormatError", "Config {bad:?}: {r}");
    }
    // Checked before the picture: a bad Config with a picture that has no fixture.
    let qr = base64_of(&fixture("qr.png"));
    let r = common::signed_tencent(&emu, "BusinessCardOCR", "2018-11-19", "ap-guangzhou", json!({"ImageBase64": qr, "Config": "nope"})).await;
    assert_eq!(r["Error"]["Code"], "InvalidParameter.ConfigFormatError", "{r}");
    let req = tc::BusinessCardOcrRequest::new(card).config(r#"{"RetImageType": "PROPROCESS"}"#);
    assert_eq!(client.ocr().business_card_ocr(req).await.unwrap().business_card_infos.len(), 4);
}

#[tokio::test]
async fn passport_fixture_comes_back_typed_and_none_is_ocr_failed() {
    let emu = Emulator::start().await.unwrap();
    let client = TencentCloud::new(emu.tencent_config().region("ap-beijing")).unwrap();
    let page = fixture("blank.png");
    // Through the control API, by the action's name.
    let registered: Value = reqwest::Client::new()
        .post(format!("{}/__emulator/fixtures/ocr", emu.base_url()))
        .json(&json!({"endpoint": "PassportOCR", "image_base64": base64_of(&page), "reply": passport()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(registered["sha256"].is_string(), "{registered}");

    let req = tc::PassportOcrRequest::new(page.clone()).r#type("CN").crop_portrait(true);
    let out = client.ocr().passport_ocr(req).await.unwrap();
    assert_eq!(out.passport_no.as_deref(), Some("EJ0017356"));
    assert_eq!((out.family_name.as_deref(), out.first_name.as_deref()), (Some("LI"), Some("HUA")));
    assert_eq!(out.code_crc.as_deref().map(str::len), Some(44));
    let portrait = out.portrait_image_info.expect("PortraitImageInfo");
    assert!(portrait.portrait_image.is_some_and(|p| !p.is_empty()));
    assert_eq!(portrait.image_coordinates, Some(tc::ImageCoordinates { x: Some(41), y: Some(118), width: Some(212), height: Some(268) }));
    assert_eq!(out.request_id.len(), 36);

    // No fixture: PassportOCR documents no "no passport" code; FailedOperation.OcrFailed is its
    // code for a recognition that failed. It is a `system` code, so the client's policy retries it
    // (3 attempts) before reporting it.
    let e = client.ocr().passport_ocr(tc::PassportOcrRequest::new(fixture("qr.png"))).await.unwrap_err();
    assert_eq!(code(&e), "FailedOperation.OcrFailed");
    assert_eq!(api(&e).category(), Category::System);
    assert_eq!(emu.calls("ocr.passport_ocr"), 1 + 3);

    let e = client.ocr().passport_ocr(tc::PassportOcrRequest::new(undecodable_png())).await.unwrap_err();
    assert_eq!(code(&e), "FailedOperation.ImageDecodeFailed");
}

#[tokio::test]
async fn a_bad_signature_is_still_rejected() {
    let emu = Emulator::start().await.unwrap();
    let card = fixture("blank.png");
    emu.register_ocr("BusinessCardOCR", &card, chinese_card()).unwrap();
    emu.register_ocr("PassportOCR", &card, passport()).unwrap();
    let wrong_key = TencentCloud::new(tc::TencentCloudConfig::new(SECRET_ID, "not-the-key").base_url(emu.base_url())).unwrap();
    let e = wrong_key.ocr().business_card_ocr(tc::BusinessCardOcrRequest::new(card.clone())).await.unwrap_err();
    assert_eq!(code(&e), "AuthFailure.SignatureFailure");
    // Before the inputs: a bad Config is not what a badly signed call hears about.
    let r = common::signed_tencent_with(&emu, "not-the-key", "BusinessCardOCR", "2018-11-19", "ap-guangzhou", json!({"ImageBase64": base64_of(&card), "Config": "nope"})).await;
    assert_eq!(r["Error"]["Code"], "AuthFailure.SignatureFailure", "{r}");
    let e = wrong_key.ocr().passport_ocr(tc::PassportOcrRequest::new(card.clone())).await.unwrap_err();
    assert_eq!(code(&e), "AuthFailure.SignatureFailure");
    let unknown = TencentCloud::new(tc::TencentCloudConfig::new("AKIDnobody", SECRET_KEY).base_url(emu.base_url())).unwrap();
    let e = unknown.ocr().passport_ocr(tc::PassportOcrRequest::new(card.clone())).await.unwrap_err();
    assert_eq!(code(&e), "AuthFailure.SecretIdNotFound");
    let client = TencentCloud::new(emu.tencent_config()).unwrap();
    emu.advance_clock(301);
    let e = client.ocr().business_card_ocr(tc::BusinessCardOcrRequest::new(card)).await.unwrap_err();
    assert_eq!(code(&e), "AuthFailure.SignatureExpire");
}

/// Requests the client would not send, signed by hand: region, version, inputs.
#[tokio::test]
async fn raw_requests_get_the_spec_codes() {
    let emu = Emulator::start().await.unwrap();
    let send = |action: &'static str, version: &'static str, region: &'static str, body: Value| common::signed_tencent(&emu, action, version, region, body);
    let err = |v: &Value| v["Error"]["Code"].as_str().unwrap_or("").to_string();
    let png = base64_of(&fixture("blank.png"));
    assert_eq!(err(&send("PassportOCR", "2017-01-01", "ap-beijing", json!({"ImageBase64": png})).await), "NoSuchVersion");
    assert_eq!(err(&send("PassportOCR", "2018-11-19", "na-toronto", json!({"ImageBase64": png})).await), "UnsupportedRegion");
    // No picture, or an empty one: no documented code, the spec's `default` for the image input.
    assert_eq!(err(&send("BusinessCardOCR", "2018-11-19", "ap-hongkong", json!({})).await), "FailedOperation.ImageDecodeFailed");
    assert_eq!(err(&send("PassportOCR", "2018-11-19", "ap-hongkong", json!({"ImageBase64": ""})).await), "FailedOperation.ImageDecodeFailed");
    assert_eq!(err(&send("BusinessCardOCR", "2018-11-19", "ap-hongkong", json!({"ImageBase64": "!!!"})).await), "FailedOperation.ImageDecodeFailed");
    let big = "A".repeat(7 * 1024 * 1024 + 4);
    assert_eq!(err(&send("BusinessCardOCR", "2018-11-19", "ap-hongkong", json!({"ImageBase64": big})).await), "LimitExceeded.TooLargeFileError");
    assert_eq!(
        err(&send("BusinessCardOCR", "2018-11-19", "ap-hongkong", json!({"ImageUrl": "http://example.com/card.png"})).await),
        "FailedOperation.DownLoadError"
    );
    // Config sent as something other than a string.
    assert_eq!(
        err(&send("BusinessCardOCR", "2018-11-19", "ap-hongkong", json!({"ImageBase64": png, "Config": {"RetImageType": "PROPROCESS"}})).await),
        "InvalidParameter.ConfigFormatError"
    );
    assert_eq!(err(&send("PassportOCR", "2018-11-19", "ap-beijing", json!({"ImageBase64": png, "CropPortrait": "yes"})).await), "InvalidParameterValue");
    // With a fixture, the reply under the envelope carries this call's RequestId.
    emu.register_ocr("BusinessCardOCR", &fixture("blank.png"), chinese_card()).unwrap();
    let ok = send("BusinessCardOCR", "2018-11-19", "ap-hongkong", json!({"ImageBase64": png, "Config": "{}"})).await;
    assert_eq!(ok["BusinessCardInfos"][0]["Value"], "陈思远", "{ok}");
    assert!(ok["RequestId"].as_str().is_some_and(|r| r.len() == 36 && r != "5f0d6c2e-8b1a-4d7e-9c3f-2a6b1e9d4c70"), "{ok}");
}

fn base64_of(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}
