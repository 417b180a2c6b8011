//! The emulator over real HTTP on loopback: tokens, each endpoint family's behaviour, TC3
//! verification, CloudBase mode, the control API and injected faults, and hostile input.


mod common;
use std::time::Duration;

use serde_json::{Value, json};
use wxcv::rt::Method;
use wxcv::tencentcloud::{self as tc, TencentCloud};
use wxcv::wechat::{self as wx, WeChat};
use wxcv::{Error, ErrorCode};
use wxcv_emulator::{APPID, APPSECRET, Emulator, EmulatorConfig, Fault, SECRET_ID, SECRET_KEY};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn api_code(e: &Error) -> String {
    match e {
        Error::Api(a) => match &a.code {
            ErrorCode::WeChat(n) => n.to_string(),
            ErrorCode::TencentCloud(s) => s.clone(),
        },
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

async fn post_json(url: &str, body: &Value) -> Value {
    reqwest::Client::new().post(url).json(body).send().await.unwrap().json().await.unwrap()
}

async fn token(emu: &Emulator) -> String {
    let v = get_json(&format!("{}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={APPSECRET}", emu.base_url())).await;
    v["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn tokens_expire_overlap_and_are_counted() {
    let emu = Emulator::start().await.unwrap();
    let base = emu.base_url();
    let first = token(&emu).await;
    let v = get_json(&format!("{base}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={APPSECRET}")).await;
    assert_eq!(v["expires_in"], 7200);
    let second = v["access_token"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(emu.token_issues(APPID), 2);

    let call = |t: String| {
        let base = base.clone();
        async move { get_json(&format!("{base}/cgi-bin/media/get?access_token={t}&media_id=nope")).await["errcode"].clone() }
    };
    // Both tokens work (40007 means the token passed); the replaced one for 5 minutes only.
    assert_eq!(call(first.clone()).await, 40007);
    emu.advance_clock(299);
    assert_eq!(call(first.clone()).await, 40007);
    emu.advance_clock(2);
    assert_eq!(call(first.clone()).await, 42001);
    assert_eq!(call(second.clone()).await, 40007);
    emu.advance_clock(7200);
    assert_eq!(call(second).await, 42001);
    assert_eq!(call("not-a-token".into()).await, 40001);
    assert_eq!(get_json(&format!("{base}/cgi-bin/media/get?media_id=x")).await["errcode"], 41001);

    let bad = |q: &'static str| {
        let base = base.clone();
        async move { get_json(&format!("{base}/cgi-bin/token?{q}")).await["errcode"].clone() }
    };
    assert_eq!(bad("grant_type=client_credential&appid=wxnobody&secret=x").await, 40013);
    assert_eq!(bad("grant_type=client_credential&appid=wx0e0a1b2c3d4e5f60&secret=wrong").await, 40125);
    assert_eq!(bad("grant_type=client_credential&appid=wx0e0a1b2c3d4e5f60").await, 41004);
    assert_eq!(bad("grant_type=password&appid=wx0e0a1b2c3d4e5f60&secret=x").await, 40002);
    assert_eq!(emu.token_issues(APPID), 2, "failed requests issue nothing");
}

#[tokio::test]
async fn stable_token_is_reused_until_forced() {
    let emu = Emulator::start().await.unwrap();
    let url = format!("{}/cgi-bin/stable_token", emu.base_url());
    let body = json!({"grant_type": "client_credential", "appid": APPID, "secret": APPSECRET});
    let a = post_json(&url, &body).await;
    let b = post_json(&url, &body).await;
    assert_eq!(a["access_token"], b["access_token"]);
    let mut forced = body.clone();
    forced["force_refresh"] = json!(true);
    let c = post_json(&url, &forced).await;
    assert_ne!(a["access_token"], c["access_token"]);
    assert_eq!(emu.token_issues(APPID), 2);
    assert_eq!(post_json(&url, &json!({"grant_type": "client_credential", "secret": "x"})).await["errcode"], 41002);
    assert_eq!(reqwest::get(&url).await.unwrap().json::<Value>().await.unwrap()["errcode"], 43002);
    // The client, with stable tokens, against the emulator.
    let client = WeChat::new(emu.wechat_config().stable_token(true)).unwrap();
    assert!(client.access_token().await.is_ok());
}

#[tokio::test]
async fn scan_qrcode_reads_the_seed_picture() {
    let emu = Emulator::start().await.unwrap();
    let client = WeChat::new(emu.wechat_config()).unwrap();
    let out = client.img().scan_qrcode(wx::ScanQrcodeRequest::new(fixture("seed-four-codes.jpg"))).await.unwrap();
    assert_eq!(out.img_size, Some(wx::ImgSize { w: 1000, h: 900 }));
    let found: Vec<(&str, &str, bool)> = out.code_results.iter().map(|c| (c.type_name.as_str(), c.data.as_str(), c.pos.is_some())).collect();
    for want in [("QR_CODE", "http://www.qq.com", true), ("QR_CODE", "https://mp.weixin.qq.com", true), ("EAN_13", "5906789678957", false), ("CODE_128", "50090500019191", false)] {
        assert!(found.contains(&want), "{want:?} not in {found:?}");
    }
    assert_eq!(found.len(), 4);
    let qq = out.code_results.iter().find(|c| c.data == "http://www.qq.com").unwrap();
    let lt = &qq.pos.as_ref().unwrap().left_top;
    assert!((lt.x - 585).abs() <= 4 && (lt.y - 378).abs() <= 4, "left_top {lt:?}");
    assert_eq!(emu.token_issues(APPID), 1);
    assert_eq!(emu.calls("img.scan_qrcode"), 1);
}

#[tokio::test]
async fn pictures_by_url_are_fetched_from_loopback_only() {
    let emu = Emulator::start().await.unwrap();
    let client = WeChat::new(emu.wechat_config()).unwrap();
    // Through the control API (what other languages use); the Rust method shares its store.
    let up = reqwest::Client::new().post(format!("{}/__emulator/blobs", emu.base_url())).body(fixture("qr.png")).send().await.unwrap();
    let up: Value = up.json().await.unwrap();
    let url = up["url"].as_str().unwrap().to_string();
    assert_eq!(url, emu.blob_url(fixture("qr.png")).unwrap());
    let out = client.img().scan_qrcode(wx::ScanQrcodeRequest::new(wxcv::Image::Url(url.clone()))).await.unwrap();
    assert_eq!(out.code_results.len(), 1);
    let missing = url.replace(up["sha256"].as_str().unwrap(), "00");
    let e = client.img().scan_qrcode(wx::ScanQrcodeRequest::new(wxcv::Image::Url(missing))).await.unwrap_err();
    assert_eq!(api_code(&e), "101000");
    let e = client.img().scan_qrcode(wx::ScanQrcodeRequest::new(wxcv::Image::Url("http://example.com/a.jpg".into()))).await.unwrap_err();
    assert_eq!(api_code(&e), "101000");
}

/// Raw uploads the client would refuse: the emulator answers with the spec's codes.
#[tokio::test]
async fn bad_uploads_get_the_documented_codes() {
    let emu = Emulator::start().await.unwrap();
    let t = token(&emu).await;
    let send = |bytes: Vec<u8>| {
        let url = format!("{}/cv/img/qrcode?access_token={t}", emu.base_url());
        async move {
            let form = reqwest::multipart::Form::new().part("img", reqwest::multipart::Part::bytes(bytes).file_name("a.jpg"));
            reqwest::Client::new().post(url).multipart(form).send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    assert_eq!(send(Vec::new()).await["errcode"], 101002);
    assert_eq!(send(fixture("not-an-image.jpg")).await["errcode"], 101002);
    assert_eq!(send(vec![0xFF; 2 << 20]).await["errcode"], 101002);
    // A valid PNG header claiming a huge picture: refused by the pixel limit, quickly.
    let started = std::time::Instant::now();
    let v = send(fixture("bomb.png")).await;
    assert_eq!(v["errcode"], 101002);
    assert!(v["errmsg"].as_str().unwrap().contains("pixels"), "{v}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // A truncated PNG: a valid signature and header, then nothing.
    let mut png = fixture("qr.png");
    png.truncate(100);
    assert_eq!(send(png).await["errcode"], 101002);
}

#[tokio::test]
#[allow(deprecated)]
async fn superresolution_upscales_and_media_expire_after_three_days() {
    let emu = Emulator::start().await.unwrap();
    let client = WeChat::new(emu.wechat_config()).unwrap();
    let png = fixture("qr.png");
    let (w, h) = image::load_from_memory(&png).unwrap().to_luma8().dimensions();
    let out = client.img().superresolution(wx::SuperresolutionRequest::new(png)).await.unwrap();
    let media = client.media().get_temp_media(wx::GetTempMediaRequest::new(out.media_id.clone())).await.unwrap();
    assert_eq!(media.content_type, "image/jpeg");
    let big = image::load_from_memory(&media.data).unwrap();
    assert_eq!((big.width(), big.height()), (w * 2, h * 2));
    emu.advance_clock(3 * 24 * 3600 - 60);
    assert!(client.media().get_temp_media(wx::GetTempMediaRequest::new(out.media_id.clone())).await.is_ok());
    emu.advance_clock(120);
    let client = WeChat::new(emu.wechat_config()).unwrap(); // the old token expired with the clock
    let e = client.media().get_temp_media(wx::GetTempMediaRequest::new(out.media_id)).await.unwrap_err();
    assert_eq!(api_code(&e), "40007");
}

#[tokio::test]
async fn ai_crop_follows_the_content() {
    let emu = Emulator::start().await.unwrap();
    let client = WeChat::new(emu.wechat_config()).unwrap();
    // A code in the right part of a wide white picture: crops land on it.
    let mut canvas = image::GrayImage::from_pixel(900, 300, image::Luma([255]));
    let code = image::load_from_memory(&fixture("qr.png")).unwrap().to_luma8();
    let code = image::imageops::resize(&code, 250, 250, image::imageops::FilterType::Nearest);
    image::imageops::overlay(&mut canvas, &code, 600, 25);
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(canvas).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let out = client.img().ai_crop(wx::AiCropRequest::new(png.clone()).ratios(vec![1.0, 0.5])).await.unwrap();
    assert_eq!(out.results.len(), 2);
    let sq = &out.results[0];
    assert_eq!((sq.crop_right - sq.crop_left), (sq.crop_bottom - sq.crop_top), "{sq:?}");
    assert!(sq.crop_left >= 450 && sq.crop_right <= 900, "{sq:?}");
    let tall = &out.results[1];
    assert!((tall.crop_bottom - tall.crop_top) == 2 * (tall.crop_right - tall.crop_left), "{tall:?}");
    assert!(tall.crop_left >= 550 && tall.crop_right <= 900, "{tall:?}");
    let best = client.img().ai_crop(wx::AiCropRequest::new(png)).await.unwrap();
    assert_eq!(best.results.len(), 1);
    assert!(best.results[0].crop_left >= 400, "{:?}", best.results[0]);
}

#[tokio::test]
async fn ocr_answers_registered_fixtures_else_certificate_not_found() {
    let emu = Emulator::start().await.unwrap();
    let client = WeChat::new(emu.wechat_config()).unwrap();
    let pic = fixture("blank.png");
    let reply = json!({"type": "Front", "name": "张三", "id": "110101199001011234", "addr": "北京", "gender": "男", "nationality": "汉"});
    emu.register_ocr("ocr.idcard", &pic, reply).unwrap();
    let out = client.ocr().idcard(wx::IdcardRequest::new(pic.clone()).r#type(wx::OcrMode::Photo)).await.unwrap();
    assert_eq!(out.name.as_deref(), Some("张三"));
    assert_eq!(out.r#type, "Front");
    let e = client.ocr().bankcard(wx::BankcardRequest::new(pic)).await.unwrap_err();
    assert_eq!(api_code(&e), "101001");
    // Through the control API, by cloud name, for another picture.
    let other = fixture("qr.png");
    let v = post_json(
        &format!("{}/__emulator/fixtures/ocr", emu.base_url()),
        &json!({"endpoint": "ocr.bankcard", "image_base64": base64_encode(&other), "reply": {"number": "6222000011112222"}}),
    )
    .await;
    assert_eq!(v["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(client.ocr().bankcard(wx::BankcardRequest::new(other)).await.unwrap().number.as_deref(), Some("6222000011112222"));
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn wxacode_draws_real_codes_and_runs_out() {
    let emu = Emulator::start_with(EmulatorConfig { wxacode_limit: 2, ..EmulatorConfig::default() }, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = WeChat::new(emu.wechat_config()).unwrap();
    let img = client.wxacode().create_qrcode(wx::CreateQrcodeRequest::new("pages/index?id=7").width(300)).await.unwrap();
    assert_eq!(img.content_type, "image/jpeg");
    let pic = image::load_from_memory(&img.data).unwrap();
    assert_eq!((pic.width(), pic.height()), (300, 300));
    let codes = wxcv_emulator::codes::decode(&pic.to_luma8());
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].text, wxcv_emulator::wxacode_link(APPID, "qrcode", &[("path", "pages/index?id=7")]));
    let png = client.wxacode().get(wx::WxacodeGetRequest::new("pages/a").is_hyaline(true)).await.unwrap();
    assert_eq!(png.content_type, "image/png");
    let e = client.wxacode().create_qrcode(wx::CreateQrcodeRequest::new("pages/b")).await.unwrap_err();
    assert_eq!(api_code(&e), "45029");
    // getUnlimited is not counted.
    let u = client.wxacode().get_unlimited(wx::GetUnlimitedRequest::new("a=1&b=2").page("pages/index")).await.unwrap();
    let codes = wxcv_emulator::codes::decode(&image::load_from_memory(&u.data).unwrap().to_luma8());
    assert!(codes[0].text.contains("scene=a%3D1%26b%3D2"), "{}", codes[0].text);
    // What the client refuses, sent raw: the spec's codes.
    let url = format!("{}/wxa/getwxacodeunlimit?access_token={}", emu.base_url(), client.access_token().await.unwrap());
    let raw = |body: Value| {
        let url = url.clone();
        async move { post_json(&url, &body).await["errcode"].clone() }
    };
    assert_eq!(raw(json!({"scene": "x".repeat(33)})).await, 40169);
    assert_eq!(raw(json!({"scene": "中文"})).await, 40129);
    assert_eq!(raw(json!({"scene": "a", "page": "/pages/index"})).await, 41030);
    assert_eq!(raw(json!({"scene": "a", "width": 5000})).await, 40097);
    let not_json = reqwest::Client::new().post(&url).body("scene=a").send().await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(not_json["errcode"], 47001);
    let url = format!("{}/cgi-bin/wxaapp/createwxaqrcode?access_token={}", emu.base_url(), client.access_token().await.unwrap());
    assert_eq!(post_json(&url, &json!({"path": "p".repeat(129)})).await["errcode"], 40159);
}

#[tokio::test]
async fn tencent_qrcode_ocr_and_signatures() {
    let emu = Emulator::start().await.unwrap();
    let client = TencentCloud::new(emu.tencent_config().region("ap-guangzhou")).unwrap();
    let out = client.ocr().qrcode_ocr(tc::QrcodeOcrRequest::new(fixture("seed-four-codes.jpg"))).await.unwrap();
    assert_eq!(out.img_size, Some(tc::QrcodeImgSize { wide: 1000, high: 900 }));
    assert_eq!(out.code_results.len(), 4);
    let ean = out.code_results.iter().find(|c| c.type_name == "EAN-13").expect("EAN-13");
    let lt = &ean.position.as_ref().unwrap().left_top;
    assert_eq!((lt.x, lt.y), (-1, -1));
    assert!(out.code_results.iter().any(|c| c.type_name == "CODE-128" && c.url == "50090500019191"));
    let qr = out.code_results.iter().find(|c| c.type_name == "QR_CODE").unwrap();
    assert!(qr.position.as_ref().unwrap().left_top.x > 0);
    assert_eq!(out.request_id.len(), 36);

    let e = client.ocr().qrcode_ocr(tc::QrcodeOcrRequest::new(fixture("blank.png"))).await.unwrap_err();
    assert_eq!(api_code(&e), "FailedOperation.ImageNoText");

    let wrong_key = TencentCloud::new(tc::TencentCloudConfig::new(SECRET_ID, "not-the-key").base_url(emu.base_url())).unwrap();
    let e = wrong_key.ocr().qrcode_ocr(tc::QrcodeOcrRequest::new(fixture("qr.png"))).await.unwrap_err();
    assert_eq!(api_code(&e), "AuthFailure.SignatureFailure");
    let unknown = TencentCloud::new(tc::TencentCloudConfig::new("AKIDnobody", SECRET_KEY).base_url(emu.base_url())).unwrap();
    let e = unknown.ocr().qrcode_ocr(tc::QrcodeOcrRequest::new(fixture("qr.png"))).await.unwrap_err();
    assert_eq!(api_code(&e), "AuthFailure.SecretIdNotFound");
    emu.advance_clock(301);
    let e = client.ocr().qrcode_ocr(tc::QrcodeOcrRequest::new(fixture("qr.png"))).await.unwrap_err();
    assert_eq!(api_code(&e), "AuthFailure.SignatureExpire");
}

/// Requests the client would never send: action, version, region and body checks.
#[tokio::test]
async fn tencent_rejects_wrong_action_version_region() {
    let emu = Emulator::start().await.unwrap();
    let send = |action: &'static str, version: &'static str, region: &'static str, body: Value| common::signed_tencent(&emu, action, version, region, body);
    let code = |v: &Value| v["Error"]["Code"].as_str().unwrap_or("").to_string();
    assert_eq!(code(&send("Nope", "2018-11-19", "ap-guangzhou", json!({})).await), "InvalidAction");
    assert_eq!(code(&send("QrcodeOCR", "2017-01-01", "ap-guangzhou", json!({})).await), "NoSuchVersion");
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "eu-frankfurt", json!({})).await), "UnsupportedRegion");
    // ap-shanghai is on the vendor's list of QrcodeOCR's regions (issue 17).
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "ap-shanghai", json!({})).await), "FailedOperation.EmptyImageError");
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "ap-beijing", json!({})).await), "FailedOperation.EmptyImageError");
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "ap-beijing", json!({"ImageBase64": "!!!"})).await), "FailedOperation.ImageDecodeFailed");
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "ap-beijing", json!({"ImageBase64": ""})).await), "FailedOperation.EmptyImageError");
    // 10 MB after base64 today (the seed said 3 MB: a 4 MB one is read, a picture or not).
    let four = "A".repeat(4 * 1024 * 1024);
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "ap-beijing", json!({"ImageBase64": four})).await), "FailedOperation.ImageDecodeFailed");
    let big = "A".repeat(10 * 1024 * 1024 + 4);
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "ap-beijing", json!({"ImageBase64": big})).await), "LimitExceeded.TooLargeFileError");
    assert_eq!(code(&send("QrcodeOCR", "2018-11-19", "ap-beijing", json!({"ImageUrl": "http://example.com/x.png"})).await), "FailedOperation.DownLoadError");
    // QueryBarCode: the GTIN check digit, then fixtures (the seed's preloaded).
    assert_eq!(code(&send("QueryBarCode", "2018-11-19", "ap-shanghai", json!({"BarCode": "06941858722887"})).await), "InvalidParameter.InvalidGTINError");
    let ok = send("QueryBarCode", "2018-11-19", "ap-shanghai", json!({"BarCode": "06941858722888"})).await;
    assert_eq!(ok["ProductDataRecords"][0]["ProductName"], "真快洁涂擦式清洁剂", "{ok}");
}

#[tokio::test]
#[allow(deprecated)]
async fn query_bar_code_through_the_client() {
    let emu = Emulator::start().await.unwrap();
    let client = TencentCloud::new(emu.tencent_config()).unwrap();
    let out = client.ocr().query_bar_code(tc::QueryBarCodeRequest::new("06941858722888")).await.unwrap();
    assert_eq!(out.bar_code.as_deref(), Some("06941858722888"));
    assert_eq!(out.product_data_records[0].firm_code.as_deref(), Some("91440300793853037W"));
    emu.register_barcode("4006381333931", json!([{"ProductName": "Stabilo", "ImageLink": []}]));
    let out = client.ocr().query_bar_code(tc::QueryBarCodeRequest::new("4006381333931")).await.unwrap();
    assert_eq!(out.product_data_records[0].product_name.as_deref(), Some("Stabilo"));
    let e = client.ocr().query_bar_code(tc::QueryBarCodeRequest::new("4006381333932")).await.unwrap_err();
    assert_eq!(api_code(&e), "InvalidParameter.InvalidGTINError");
}

#[tokio::test]
async fn cloudbase_mode_needs_no_token_and_sets_seqid() {
    let emu = Emulator::start_with(EmulatorConfig { cloudbase: true, ..EmulatorConfig::default() }, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = WeChat::new(wx::WeChatConfig::cloudbase().base_url(emu.base_url())).unwrap();
    let out = client.img().scan_qrcode(wx::ScanQrcodeRequest::new(fixture("qr.png"))).await.unwrap();
    assert_eq!(out.code_results.len(), 1);
    assert_eq!(emu.token_issues(APPID), 0);
    let resp = reqwest::Client::new()
        .post(format!("{}/cv/img/qrcode", emu.base_url()))
        .multipart(reqwest::multipart::Form::new().part("img", reqwest::multipart::Part::bytes(fixture("qr.png")).file_name("a.png")))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().contains_key("x-openapi-seqid"));
    // Tokens are still checked when given.
    let e = get_json(&format!("{}/cgi-bin/media/get?access_token=bogus&media_id=x", emu.base_url())).await;
    assert_eq!(e["errcode"], 40001);
}

#[tokio::test]
async fn injected_faults_hit_the_next_calls_only() {
    let emu = Emulator::start().await.unwrap();
    // Retries off: this test sees each fault as the client's first attempt meets it.
    let mut cfg = emu.wechat_config().timeout(Duration::from_secs(2));
    cfg.http.retry = wxcv::RetryPolicy::none();
    let client = WeChat::new(cfg).unwrap();
    let scan = || client.img().scan_qrcode(wx::ScanQrcodeRequest::new(fixture("qr.png")));
    emu.inject("img.scanQRCode", 1, Fault { errcode: Some(json!(-1)), ..Fault::default() });
    assert_eq!(api_code(&scan().await.unwrap_err()), "-1");
    assert!(scan().await.is_ok());
    // Each fault is told apart by the error it produces.
    let status = |e: &Error| matches!(e, Error::Transport { kind: wxcv::TransportKind::HttpStatus(503), .. });
    let html = |e: &Error| matches!(e, Error::Decode { .. });
    let no_head = |e: &Error| matches!(e, Error::Transport { kind: wxcv::TransportKind::Io, .. });
    let short_body = |e: &Error| matches!(e, Error::Transport { kind: wxcv::TransportKind::Body, message, .. } if message.contains("broke off after"));
    type Is = fn(&Error) -> bool;
    let cases: [(Fault, Is); 4] = [
        (Fault { http_status: Some(503), ..Fault::default() }, status),
        (Fault { non_json: true, ..Fault::default() }, html),
        (Fault { drop: true, ..Fault::default() }, no_head),
        (Fault { truncate: true, ..Fault::default() }, short_body),
    ];
    for (fault, is) in cases {
        emu.inject("img.scan_qrcode", 1, fault.clone());
        let e = scan().await.unwrap_err();
        assert!(is(&e), "{fault:?}: {e:?}");
        assert!(scan().await.is_ok(), "{fault:?} outlived its count");
    }
    emu.inject("img.scan_qrcode", 1, Fault { delay_ms: Some(3000), ..Fault::default() });
    let e = scan().await.unwrap_err();
    assert!(matches!(e, Error::Transport { kind: wxcv::TransportKind::Timeout, .. }), "{e:?}");
    // The log records faults and codes; counters through the control API.
    let log = get_json(&format!("{}/__emulator/log", emu.base_url())).await;
    let calls = log["calls"].as_array().unwrap();
    assert!(calls.iter().any(|c| c["endpoint"] == "img.scan_qrcode" && c["code"] == "-1" && c["fault"]["errcode"] == -1));
    let counters = get_json(&format!("{}/__emulator/counters", emu.base_url())).await;
    assert_eq!(counters["token_issues"][APPID], 1);
    assert!(counters["calls"]["img.scan_qrcode"].as_u64().unwrap() >= 10);
    // Control API: a fault for Tencent by action name, then a clock move.
    post_json(&format!("{}/__emulator/faults", emu.base_url()), &json!({"endpoint": "QrcodeOCR", "times": 1, "errcode": "RequestLimitExceeded"})).await;
    let tcc = TencentCloud::new(emu.tencent_config()).unwrap();
    let e = tcc.ocr().qrcode_ocr(tc::QrcodeOcrRequest::new(fixture("qr.png"))).await.unwrap_err();
    assert_eq!(api_code(&e), "RequestLimitExceeded");
    let bad = reqwest::Client::new().post(format!("{}/__emulator/faults", emu.base_url())).body("{\"endpoint\": 1}").send().await.unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn hostile_requests_get_vendor_shaped_errors() {
    let emu = Emulator::start_with(EmulatorConfig { max_body_bytes: 1 << 20, ..EmulatorConfig::default() }, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let t = token(&emu).await;
    let http = reqwest::Client::new();
    let url = format!("{}/cv/img/qrcode?access_token={t}", emu.base_url());
    let v: Value = http.post(&url).body(vec![0u8; 4 << 20]).header("content-type", "multipart/form-data; boundary=x").send().await.unwrap().json().await.unwrap();
    assert_eq!(v["errcode"], 101002, "{v}");
    let v: Value = http.post(&url).body("--x\r\ngarbage").header("content-type", "multipart/form-data; boundary=x").send().await.unwrap().json().await.unwrap();
    assert!(v["errcode"].as_i64().unwrap() != 0, "{v}");
    let v: Value = http.get(format!("{}/no/such/api", emu.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["errcode"], 404);
    let v: Value = http.post(format!("{}/", emu.base_url())).body("{").send().await.unwrap().json().await.unwrap();
    assert!(v["Response"]["Error"]["Code"].is_string(), "{v}");
    // Still serving.
    assert!(!token(&emu).await.is_empty());
}

/// Every route the spec describes answers (no 404) and with its vendor's error shape.
#[tokio::test]
async fn every_spec_endpoint_is_routed() {
    let emu = Emulator::start().await.unwrap();
    let http = reqwest::Client::new();
    for ep in wx::ENDPOINTS {
        let url = format!("{}{}", emu.base_url(), ep.path);
        let req = if ep.method == Method::Get { http.get(&url) } else { http.post(&url) };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(v["errcode"].as_i64().is_some_and(|c| c != 404 && c != 0), "{}: {v}", ep.name);
    }
    for ep in tc::ENDPOINTS {
        let v: Value = http.post(format!("{}/", emu.base_url())).header("x-tc-action", ep.action.unwrap()).send().await.unwrap().json().await.unwrap();
        assert_eq!(v["Response"]["Error"]["Code"], "AuthFailure.SignatureFailure", "{}", ep.name);
    }
}
