//! Seed 002's `ocr.scan` (`wxcv::scan::Ocr`) against the emulator: every kind through its endpoint,
//! the tagged result, a missing client as a configuration error with nothing sent, and the mode.

use std::str::FromStr;

use serde_json::Value;
use wxcv::Error;
use wxcv::scan::{Ocr, ScanKind, ScanRequest, ScanResult};
use wxcv::tencentcloud::TencentCloud;
use wxcv::wechat::{OcrMode, WeChat};
use wxcv_emulator::Emulator;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// tests/scan.json, with each kind's fixture registered on the emulator; the picture.
fn setup(emu: &Emulator) -> (Vec<Value>, Vec<u8>) {
    let data: Value = serde_json::from_str(&std::fs::read_to_string(root().join("tests/scan.json")).unwrap()).unwrap();
    let picture = std::fs::read(root().join("tests/fixtures").join(data["picture"].as_str().unwrap())).unwrap();
    let kinds = data["kinds"].as_array().unwrap().clone();
    for k in &kinds {
        emu.register_ocr(k["fixture"].as_str().unwrap(), &picture, k["reply"].clone()).unwrap();
    }
    (kinds, picture)
}

/// How the emulator counts calls of a fixture's endpoint (`group.id`; Tencent fixtures name the action).
fn calls(emu: &Emulator, fixture: &str) -> u64 {
    let name = match wxcv::tencentcloud::ENDPOINTS.iter().find(|e| e.name == fixture) {
        Some(e) => format!("{}.{}", e.group, e.id),
        None => fixture.to_string(),
    };
    emu.calls(&name)
}

/// The first text field of each kind's typed result.
fn value(r: &ScanResult) -> String {
    match r {
        ScanResult::Text(t) => t.items[0].text.clone(),
        ScanResult::IdCard(c) => c.name.clone().unwrap_or_default(),
        ScanResult::BankCard(c) => c.number.clone().unwrap_or_default(),
        ScanResult::DrivingLicense(d) => d.id_num.clone().unwrap_or_default(),
        ScanResult::BusinessCard(b) => b.business_card_infos[0].value.clone(),
        ScanResult::Passport(p) => p.passport_no.clone().unwrap_or_default(),
    }
}

#[tokio::test]
async fn every_kind_answers_its_own_variant() {
    let emu = Emulator::start().await.unwrap();
    let (kinds, picture) = setup(&emu);
    let ocr = Ocr::new().with_wechat(WeChat::new(emu.wechat_config()).unwrap()).with_tencentcloud(TencentCloud::new(emu.tencent_config()).unwrap());
    assert_eq!(kinds.len(), ScanKind::ALL.len(), "tests/scan.json covers every kind");
    for k in &kinds {
        let kind = ScanKind::from_str(k["kind"].as_str().unwrap()).unwrap();
        let before = calls(&emu, k["fixture"].as_str().unwrap());
        let r = ocr.scan(ScanRequest::new(picture.clone(), kind)).await.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(r.kind(), kind);
        assert_eq!(value(&r), k["value"].as_str().unwrap(), "{kind}");
        // Tagged as {"kind": ..., "result": {vendor's fields}}.
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["kind"], k["kind"]);
        assert!(json["result"].is_object(), "{json}");
        let after = calls(&emu, k["fixture"].as_str().unwrap());
        assert!(after > before, "{kind}: the emulator saw no call of {}", k["fixture"]);
    }
    // The endpoint's own errors come through: a picture with no fixture.
    let e = ocr.scan(ScanRequest::new(std::fs::read(root().join("tests/fixtures/qr.png")).unwrap(), ScanKind::Passport)).await.unwrap_err();
    assert!(e.api().is_some(), "{e:?}");
}

#[tokio::test]
async fn a_kind_without_its_client_is_a_config_error_and_nothing_is_sent() {
    let emu = Emulator::start().await.unwrap();
    let (_, picture) = setup(&emu);
    let only_wechat = Ocr::new().with_wechat(WeChat::new(emu.wechat_config()).unwrap());
    for kind in [ScanKind::BusinessCard, ScanKind::Passport] {
        let e = only_wechat.scan(ScanRequest::new(picture.clone(), kind)).await.unwrap_err();
        let Error::Config(m) = &e else { panic!("{kind}: {e:?}") };
        assert!(m.contains("Tencent Cloud") && m.contains(kind.as_str()) && m.contains(kind.endpoint()), "{m}");
    }
    let only_tencent = Ocr::new().with_tencentcloud(TencentCloud::new(emu.tencent_config()).unwrap());
    let e = only_tencent.scan(ScanRequest::new(picture.clone(), ScanKind::IdCard)).await.unwrap_err();
    assert!(matches!(&e, Error::Config(m) if m.contains("WeChat") && m.contains("idcard")), "{e:?}");
    assert_eq!(calls(&emu, "BusinessCardOCR") + calls(&emu, "PassportOCR") + calls(&emu, "ocr.idcard"), 0);
    assert_eq!(emu.token_issues(wxcv_emulator::APPID), 0, "not even a token was fetched");
    // Still good for the kinds it has.
    assert!(matches!(only_wechat.scan(ScanRequest::new(picture, ScanKind::BankCard)).await.unwrap(), ScanResult::BankCard(_)));
}

#[tokio::test]
async fn the_mode_reaches_the_wechat_endpoint_and_is_refused_elsewhere() {
    let emu = Emulator::start().await.unwrap();
    let (_, picture) = setup(&emu);
    let ocr = Ocr::new().with_wechat(WeChat::new(emu.wechat_config()).unwrap()).with_tencentcloud(TencentCloud::new(emu.tencent_config()).unwrap());
    let r = ocr.scan(ScanRequest::new(picture.clone(), ScanKind::IdCard).mode(OcrMode::Scan)).await.unwrap();
    assert!(matches!(r, ScanResult::IdCard(_)));
    // A mode the endpoint does not take never leaves the client.
    let e = ocr.scan(ScanRequest::new(picture, ScanKind::Passport).mode(OcrMode::Photo)).await.unwrap_err();
    assert!(matches!(&e, Error::InvalidInput { field, .. } if field == "mode"), "{e:?}");
    assert_eq!(calls(&emu, "PassportOCR"), 0);
}

#[test]
fn kinds_read_as_callers_write_them() {
    for k in ScanKind::ALL {
        assert_eq!(ScanKind::from_str(k.as_str()).unwrap(), *k);
        assert_eq!(serde_json::to_value(k).unwrap(), Value::String(k.as_str().into()));
    }
    assert_eq!(ScanKind::from_str("drivinglicense").unwrap(), ScanKind::DrivingLicense);
    let e = ScanKind::from_str("invoice").unwrap_err();
    assert!(matches!(&e, Error::InvalidInput { field, message, .. } if field == "kind" && message.contains("passport")), "{e:?}");
}

#[test]
fn from_env_without_any_credentials_names_both() {
    // Only reads variables this test binary does not set.
    if std::env::var_os("WECHAT_APPID").is_some() || std::env::var_os("TENCENTCLOUD_SECRET_ID").is_some() || std::env::var_os("WECHAT_CLOUDBASE").is_some() {
        return;
    }
    let e = Ocr::from_env().unwrap_err();
    assert!(matches!(&e, Error::Config(m) if m.contains("WECHAT_APPID") && m.contains("TENCENTCLOUD_SECRET_ID")), "{e:?}");
}
