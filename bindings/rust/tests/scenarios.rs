//! The shared scenarios (tests/scenarios.json), replayed by the core client against the emulator.
//! Every binding's suite replays the same file.

use std::path::PathBuf;

use serde_json::{Value, json};
use wxcv::tencentcloud::{self as tc, TencentCloud};
use wxcv::wechat::{self as wx, WeChat};
use wxcv::{BinaryImage, Error, ErrorCode, Image};
use wxcv_emulator::Emulator;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> Vec<u8> {
    let p = root().join("tests/fixtures").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// What a call gave: a vendor-shaped JSON reply, a picture, or an error.
enum Got {
    Json(Value),
    Image(BinaryImage),
    Err(Error),
}

async fn image_arg(emu: &Emulator, spec: &Value) -> Image {
    if let Some(f) = spec.get("file").and_then(Value::as_str) {
        return Image::from(fixture(f));
    }
    if let Some(f) = spec.get("blob").and_then(Value::as_str) {
        return Image::Url(emu.blob_url(fixture(f)).unwrap());
    }
    if let Some(u) = spec.get("url").and_then(Value::as_str) {
        return Image::Url(u.to_string());
    }
    Image::from(spec["text"].as_str().unwrap_or_default().as_bytes().to_vec())
}

fn json_of<T: serde::Serialize>(r: wxcv::Result<T>) -> Got {
    match r {
        Ok(v) => Got::Json(serde_json::to_value(v).unwrap()),
        Err(e) => Got::Err(e),
    }
}

fn bin(r: wxcv::Result<BinaryImage>) -> Got {
    match r {
        Ok(b) => Got::Image(b),
        Err(e) => Got::Err(e),
    }
}

#[allow(deprecated)]
async fn call(emu: &Emulator, w: &WeChat, t: &TencentCloud, name: &str, args: &Value) -> Got {
    let s = |k: &str| args[k].as_str().unwrap_or_default().to_string();
    let img = || image_arg(emu, &args["image"]);
    match name {
        "img.scan_qrcode" => json_of(w.img().scan_qrcode(wx::ScanQrcodeRequest::new(img().await)).await),
        "img.ai_crop" => {
            let mut req = wx::AiCropRequest::new(img().await);
            if let Some(r) = args["ratios"].as_array() {
                req = req.ratios(r.iter().map(|x| x.as_f64().unwrap()).collect());
            }
            json_of(w.img().ai_crop(req).await)
        }
        "ocr.idcard" => json_of(w.ocr().idcard(wx::IdcardRequest::new(img().await).r#type(s("type").parse().unwrap())).await),
        "ocr.bankcard" => json_of(w.ocr().bankcard(wx::BankcardRequest::new(img().await)).await),
        "wxacode.create_qrcode" => {
            let mut req = wx::CreateQrcodeRequest::new(s("path"));
            if let Some(n) = args["width"].as_i64() {
                req = req.width(n);
            }
            bin(w.wxacode().create_qrcode(req).await)
        }
        "wxacode.get_unlimited" => {
            let mut req = wx::GetUnlimitedRequest::new(s("scene"));
            if args["page"].is_string() {
                req = req.page(s("page"));
            }
            if let Some(b) = args["is_hyaline"].as_bool() {
                req = req.is_hyaline(b);
            }
            bin(w.wxacode().get_unlimited(req).await)
        }
        "tc.qrcode_ocr" => json_of(t.ocr().qrcode_ocr(tc::QrcodeOcrRequest::new(img().await)).await),
        "tc.query_bar_code" => json_of(t.ocr().query_bar_code(tc::QueryBarCodeRequest::new(s("bar_code"))).await),
        "tc.business_card_ocr" => {
            let mut req = tc::BusinessCardOcrRequest::new(img().await);
            if args["config"].is_string() {
                req = req.config(s("config"));
            }
            json_of(t.ocr().business_card_ocr(req).await)
        }
        "tc.passport_ocr" => {
            let mut req = tc::PassportOcrRequest::new(img().await);
            if args["type"].is_string() {
                req = req.r#type(s("type"));
            }
            if let Some(b) = args["crop_portrait"].as_bool() {
                req = req.crop_portrait(b);
            }
            json_of(t.ocr().passport_ocr(req).await)
        }
        other => panic!("the Rust harness has no call {other}: add it"),
    }
}

/// `expected` is a subset of `actual` (see tests/scenarios.json's `about`).
fn matches(expected: &Value, actual: Option<&Value>) -> bool {
    match (expected, actual) {
        (Value::String(s), a) if s == "$present" => a.is_some_and(|a| !a.is_null()),
        (Value::String(s), a) if s == "$absent" => a.is_none_or(Value::is_null),
        (Value::Object(e), Some(Value::Object(a))) => e.iter().all(|(k, v)| matches(v, a.get(k))),
        (Value::Array(e), Some(Value::Array(a))) => {
            let mut used = vec![false; a.len()];
            e.len() == a.len()
                && e.iter().all(|x| match (0..a.len()).find(|&i| !used[i] && matches(x, Some(&a[i]))) {
                    Some(i) => {
                        used[i] = true;
                        true
                    }
                    None => false,
                })
        }
        (Value::Number(e), Some(Value::Number(a))) => e.as_f64() == a.as_f64(),
        (e, Some(a)) => e == a,
        (_, None) => false,
    }
}

async fn setup(emu: &Emulator, s: &Value) {
    let http = reqwest::Client::new();
    for f in s["faults"].as_array().into_iter().flatten() {
        let r = http.post(format!("{}/__emulator/faults", emu.base_url())).json(f).send().await.unwrap();
        assert!(r.status().is_success());
    }
    for f in s["ocr_fixtures"].as_array().into_iter().flatten() {
        emu.register_ocr(f["endpoint"].as_str().unwrap(), &fixture(f["file"].as_str().unwrap()), f["reply"].clone()).unwrap();
    }
}

#[tokio::test]
async fn shared_scenarios() {
    let text = std::fs::read_to_string(root().join("tests/scenarios.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let scenarios = file["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 20);
    let mut failures = Vec::new();
    for sc in scenarios {
        // A fresh emulator per scenario: no state leaks from one to the next.
        let emu = Emulator::start().await.unwrap();
        let w = WeChat::new(emu.wechat_config()).unwrap();
        let t = TencentCloud::new(emu.tencent_config()).unwrap();
        let name = sc["name"].as_str().unwrap();
        setup(&emu, &sc["setup"]).await;
        let got = call(&emu, &w, &t, sc["call"].as_str().unwrap(), &sc["args"]).await;
        let expect = &sc["expect"];
        let ok = match (&got, expect) {
            (Got::Json(v), e) if e.get("result").is_some() => matches(&e["result"], Some(v)),
            (Got::Image(b), e) if e.get("image").is_some() => {
                let pic = image::load_from_memory(&b.data).unwrap();
                matches(&e["image"], Some(&json!({"content_type": b.content_type, "width": pic.width(), "height": pic.height()})))
            }
            (Got::Err(err), e) if e.get("error").is_some() => {
                let actual = match err {
                    Error::Api(a) => json!({"kind": "api", "code": match &a.code {
                        ErrorCode::WeChat(n) => n.to_string(),
                        ErrorCode::TencentCloud(c) => c.clone(),
                    }}),
                    Error::InvalidInput { field, .. } => json!({"kind": "invalid_input", "field": field}),
                    other => json!({"kind": format!("{other:?}")}),
                };
                matches(&e["error"], Some(&actual))
            }
            _ => false,
        };
        if !ok {
            let shown = match &got {
                Got::Json(v) => v.to_string(),
                Got::Image(b) => format!("image {} ({} bytes)", b.content_type, b.data.len()),
                Got::Err(e) => format!("{e:?}"),
            };
            failures.push(format!("{name}: expected {expect}, got {shown}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} scenarios failed:\n{}", failures.len(), scenarios.len(), failures.join("\n"));
}
