//! Each endpoint's exact request on the wire, and each seed's example reply parsed into typed values.

mod common;

use common::*;
use serde_json::json;
use wxcv::tencentcloud::{QrcodeOcrRequest, QueryBarCodeRequest, TencentCloud, TencentCloudConfig};
use wxcv::wechat::*;
use wxcv::{Category, Error, ErrorCode, Image, TransportKind};

/// A WeChat server that issues "TOKEN-1" and answers every other path with `api`.
async fn wechat_server(api: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> (Server, WeChat) {
    let server = Server::start(move |r| {
        if r.path == "/cgi-bin/token" {
            Reply::json(json!({"access_token": "TOKEN-1", "expires_in": 7200}))
        } else {
            api(r)
        }
    })
    .await;
    let wx = WeChat::new(WeChatConfig::new(APPID, SECRET).base_url(&server.url)).unwrap();
    (server, wx)
}

fn api_calls(s: &Server) -> Vec<Recorded> {
    s.requests().into_iter().filter(|r| !r.path.starts_with("/cgi-bin/token")).collect()
}

#[tokio::test]
async fn scan_qrcode_uploads_multipart_and_parses_the_seed_reply() {
    let (server, wx) = wechat_server(|_| Reply::json(seed_scan_reply())).await;
    let img = jpeg(5000);
    let out = wx.img().scan_qrcode(ScanQrcodeRequest::new(img.clone())).await.unwrap();

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "one token request, one call");
    let token = &reqs[0];
    assert_eq!((token.method.as_str(), token.path.as_str()), ("GET", "/cgi-bin/token"));
    assert_eq!(token.query, vec![
        ("grant_type".into(), "client_credential".into()),
        ("appid".into(), APPID.into()),
        ("secret".into(), SECRET.into()),
    ]);
    let call = &reqs[1];
    assert_eq!((call.method.as_str(), call.path.as_str()), ("POST", "/cv/img/qrcode"));
    assert_eq!(call.query, vec![("access_token".to_string(), "TOKEN-1".to_string())]);
    let parts = call.multipart();
    assert_eq!(parts.len(), 1);
    let (filename, ctype, data) = &parts["img"];
    assert_eq!(filename.as_deref(), Some("image.jpg"));
    assert_eq!(ctype.as_deref(), Some("image/jpeg"));
    assert_eq!(data, &img);

    assert_eq!(out.code_results.len(), 4);
    let first = &out.code_results[0];
    assert_eq!((first.type_name.as_str(), first.data.as_str()), ("QR_CODE", "http://www.qq.com"));
    let pos = first.pos.as_ref().unwrap();
    let lt = &pos.left_top;
    assert_eq!((lt.x, lt.y), (585, 378));
    assert_eq!((pos.right_bottom.x, pos.right_bottom.y), (828, 618));
    assert_eq!(out.code_results[2].type_name, "EAN_13");
    assert_eq!(out.code_results[2].pos, None, "barcodes carry no position");
    assert_eq!(out.code_results[3].data, "50090500019191");
    let size = out.img_size.unwrap();
    assert_eq!((size.w, size.h), (1000, 900));
}

#[tokio::test]
async fn image_from_a_file_path_keeps_its_name_and_a_url_travels_in_the_query() {
    let (server, wx) = wechat_server(|_| Reply::json(seed_scan_reply())).await;
    let dir = std::env::temp_dir().join(format!("wxcv-wire-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("codes.png");
    std::fs::write(&path, png(300)).unwrap();
    wx.img().scan_qrcode(ScanQrcodeRequest::new(Image::path(&path))).await.unwrap();
    wx.img().scan_qrcode(ScanQrcodeRequest::new(Image::url("https://img.example/a b.jpg"))).await.unwrap();
    let calls = api_calls(&server);
    let (filename, ctype, _) = &calls[0].multipart()["img"];
    assert_eq!((filename.as_deref(), ctype.as_deref()), (Some("codes.png"), Some("image/png")));
    assert_eq!(calls[1].q("img_url"), Some("https://img.example/a b.jpg"));
    assert!(calls[1].body.is_empty(), "a URL call has no body");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn ai_crop_sends_ratios_as_one_comma_field_and_parses_the_seed_reply() {
    let reply = json!({"errcode": 0, "errmsg": "ok",
        "results": [{"crop_left": 112, "crop_top": 0, "crop_right": 839, "crop_bottom": 727},
                    {"crop_left": 0, "crop_top": 205, "crop_right": 965, "crop_bottom": 615}],
        "img_size": {"w": 966, "h": 728}});
    let (server, wx) = wechat_server(move |_| Reply::json(reply.clone())).await;
    let out = wx.img().ai_crop(AiCropRequest::new(jpeg(100)).ratios(vec![1.0, 2.35])).await.unwrap();
    let call = &api_calls(&server)[0];
    assert_eq!(call.path, "/cv/img/aicrop");
    let parts = call.multipart();
    assert_eq!(parts["ratios"].2, b"1.0,2.35".to_vec());
    assert_eq!(parts["ratios"].0, None, "ratios is a plain field");
    assert_eq!(out.results.len(), 2);
    assert_eq!(out.results[1].crop_right, 965);
    assert_eq!(out.img_size.map(|s| (s.w, s.h)), Some((966, 728)));
}

#[tokio::test]
async fn superresolution_fetch_uploads_then_downloads_the_media() {
    let upscaled = png(4096);
    let up = upscaled.clone();
    let (server, wx) = wechat_server(move |r| match r.path.as_str() {
        "/cv/img/superresolution" => Reply::json(json!({"errcode": 0, "errmsg": "ok", "media_id": "MEDIA-1"})),
        "/cgi-bin/media/get" => Reply::raw("image/png", up.clone()),
        _ => Reply::json(json!({"errcode": -1})),
    })
    .await;
    #[allow(deprecated)]
    let out = wx.img().superresolution_fetch(SuperresolutionRequest::new(jpeg(64))).await.unwrap();
    assert_eq!(out.content_type, "image/png");
    assert_eq!(out.data.as_ref(), &upscaled[..]);
    let calls = api_calls(&server);
    assert_eq!(calls.len(), 2);
    assert_eq!((calls[1].method.as_str(), calls[1].path.as_str()), ("GET", "/cgi-bin/media/get"));
    assert_eq!(calls[1].q("media_id"), Some("MEDIA-1"));
    assert_eq!(calls[1].q("access_token"), Some("TOKEN-1"));
}

#[tokio::test]
async fn idcard_sends_the_mode_and_accepts_errcode_as_a_string() {
    // Seed 002's front reply has "errcode": "0" (a string); the back reply a number.
    let (server, wx) = wechat_server(|r| {
        if r.q("type") == Some("photo") {
            Reply::json(json!({"errcode": "0", "errmsg": "ok", "type": "Front", "name": "张三", "id": "123456789012345678",
                "addr": "广东省广州市", "gender": "男", "nationality": "汉"}))
        } else {
            Reply::json(json!({"errcode": 0, "errmsg": "ok", "type": "Back", "valid_date": "20070105-20270105"}))
        }
    })
    .await;
    let front = wx.ocr().idcard(IdcardRequest::new(jpeg(64)).r#type(OcrMode::Photo)).await.unwrap();
    assert_eq!(front.r#type, "Front");
    assert_eq!(front.name.as_deref(), Some("张三"));
    assert_eq!(front.id.as_deref(), Some("123456789012345678"));
    let back = wx.ocr().idcard(IdcardRequest::new(Image::url("https://x.example/b.jpg")).r#type(OcrMode::Scan)).await.unwrap();
    assert_eq!(back.valid_date.as_deref(), Some("20070105-20270105"));
    let calls = api_calls(&server);
    assert_eq!(calls[0].path, "/cv/ocr/idcard");
    assert_eq!(calls[1].q("type"), Some("scan"));
    assert_eq!(calls[1].q("img_url"), Some("https://x.example/b.jpg"));
}

#[tokio::test]
async fn ocr_errors_carry_the_spec_meaning() {
    let (_server, wx) = wechat_server(|_| Reply::json(json!({"errcode": 101001, "errmsg": "certificate not found rid: 64a1-77"}))).await;
    let err = wx.ocr().bankcard(BankcardRequest::new(jpeg(64))).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.code, ErrorCode::WeChat(101001));
    assert_eq!(api.endpoint, "ocr.bankcard");
    assert_eq!(api.category(), Category::NotFound);
    assert_eq!(api.request_id.as_deref(), Some("64a1-77"));
    assert!(api.meaning().unwrap().to_lowercase().contains("certificate") || api.meaning().unwrap().contains("card"), "{:?}", api.meaning());
    assert!(err.to_string().contains("101001"), "{err}");
    // Each thing once: the message without the rid, the rid as the request id only.
    assert_eq!(api.message, "certificate not found");
    let text = err.to_string();
    assert_eq!(text.matches("certificate not found").count(), 1, "{text}");
    assert_eq!(text.matches("64a1-77").count(), 1, "{text}");
}

#[tokio::test]
async fn a_wechat_message_that_repeats_itself_is_said_once() {
    let (_server, wx) = wechat_server(|_| Reply::json(json!({"errcode": 101001, "errmsg": "certificate not found: certificate not found rid: 64a1-78"}))).await;
    let err = wx.ocr().bankcard(BankcardRequest::new(jpeg(64))).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.message, "certificate not found");
    assert_eq!(api.request_id.as_deref(), Some("64a1-78"));
    let text = err.to_string();
    assert_eq!(text, "WeChat ocr.bankcard failed: 101001 certificate not found (No certificate or card was found in the picture) [request id 64a1-78]");
}

#[tokio::test]
async fn create_qrcode_posts_json_and_returns_the_image() {
    let code = jpeg(2048);
    let c2 = code.clone();
    let (server, wx) = wechat_server(move |_| Reply::raw("image/jpeg", c2.clone())).await;
    let out = wx.wxacode().create_qrcode(CreateQrcodeRequest::new("page/index/index").width(430)).await.unwrap();
    assert_eq!(out.content_type, "image/jpeg");
    assert_eq!(out.data.as_ref(), &code[..]);
    let call = &api_calls(&server)[0];
    assert_eq!(call.path, "/cgi-bin/wxaapp/createwxaqrcode");
    assert_eq!(call.header("content-type"), Some("application/json"));
    assert_eq!(std::str::from_utf8(&call.body).unwrap(), r#"{"path":"page/index/index","width":430}"#);
}

#[tokio::test]
async fn a_json_error_is_never_an_image_whatever_the_content_type() {
    let (_server, wx) = wechat_server(|_| Reply::raw("image/jpeg", br#"{"errcode":45029,"errmsg":"max size reach"}"#.to_vec())).await;
    let err = wx.wxacode().create_qrcode(CreateQrcodeRequest::new("p")).await.unwrap_err();
    let api = err.api().expect("typed API error");
    assert_eq!(api.errcode(), Some(45029));
    assert_eq!(api.category(), Category::Quota);

    let (_server, wx) = wechat_server(|_| Reply::raw("image/png", b"<html>bad gateway</html>".to_vec())).await;
    let err = wx.wxacode().create_qrcode(CreateQrcodeRequest::new("p")).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn get_unlimited_sends_every_option_in_json() {
    let (server, wx) = wechat_server(|_| Reply::raw("image/png", png(100))).await;
    let req = GetUnlimitedRequest::new("a=1&b=2")
        .page("pages/index/index")
        .check_path(false)
        .env_version(EnvVersion::Trial)
        .width(280)
        .auto_color(false)
        .line_color(serde_json::from_value(json!({"r": 1, "g": 2, "b": 3})).unwrap())
        .is_hyaline(true);
    wx.wxacode().get_unlimited(req).await.unwrap();
    let call = &api_calls(&server)[0];
    assert_eq!(call.path, "/wxa/getwxacodeunlimit");
    assert_eq!(call.json(), json!({"scene": "a=1&b=2", "page": "pages/index/index", "check_path": false,
        "env_version": "trial", "width": 280, "auto_color": false, "line_color": {"r": 1, "g": 2, "b": 3}, "is_hyaline": true}));
}

/// Every documented limit fails before the network: the server sees nothing.
#[tokio::test]
async fn limits_are_checked_before_any_request() {
    let (server, wx) = wechat_server(|_| Reply::json(json!({"errcode": 0}))).await;
    async fn field_of<T: std::fmt::Debug>(r: wxcv::Result<T>) -> (String, String) {
        match r.unwrap_err() {
            Error::InvalidInput { field, message, .. } => (field, message),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }
    let (f, m) = field_of(wx.wxacode().create_qrcode(CreateQrcodeRequest::new("p").width(1281)).await).await;
    assert_eq!(f, "width");
    assert!(m.contains("280") && m.contains("1280"), "{m}");
    let (f, m) = field_of(wx.wxacode().create_qrcode(CreateQrcodeRequest::new("a".repeat(129))).await).await;
    assert_eq!(f, "path");
    assert!(m.contains("129") && m.contains("128"), "{m}");
    let (f, _) = field_of(wx.wxacode().create_qrcode(CreateQrcodeRequest::new("")).await).await;
    assert_eq!(f, "path");
    let (f, m) = field_of(wx.img().ai_crop(AiCropRequest::new(jpeg(10)).ratios(vec![1.0; 6])).await).await;
    assert_eq!(f, "ratios");
    assert!(m.contains('6') && m.contains('5'), "{m}");
    let (f, m) = field_of(wx.img().scan_qrcode(ScanQrcodeRequest::new(Vec::<u8>::new())).await).await;
    assert_eq!((f.as_str(), m.as_str()), ("image", "the image is empty"));
    let (_, m) = field_of(wx.img().scan_qrcode(ScanQrcodeRequest::new(b"hello, not a picture".to_vec())).await).await;
    assert!(m.contains("not a picture"), "{m}");
    let (_, m) = field_of(wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(2 * 1024 * 1024))).await).await;
    assert!(m.contains("2097152") && m.contains("2097151"), "{m}");
    let (f, m) = field_of(wx.wxacode().get_unlimited(GetUnlimitedRequest::new("a".repeat(33))).await).await;
    assert_eq!(f, "scene");
    assert!(m.contains("32"), "{m}");
    let (_, m) = field_of(wx.wxacode().get_unlimited(GetUnlimitedRequest::new("中文")).await).await;
    assert!(m.contains("not allowed"), "{m}");
    let (f, _) = field_of(wx.wxacode().get_unlimited(GetUnlimitedRequest::new("ok").page("/pages/a")).await).await;
    assert_eq!(f, "page");
    let (f, _) = field_of(wx.img().scan_qrcode(ScanQrcodeRequest::new(Image::url("ftp://x/y.jpg"))).await).await;
    assert_eq!(f, "image");
    let (f, _) = field_of(wx.img().scan_qrcode(ScanQrcodeRequest::new(Image::path("/nonexistent/x.jpg"))).await).await;
    assert_eq!(f, "image");
    assert!(server.requests().is_empty(), "nothing may reach the network: {:?}", server.requests());
}

#[tokio::test]
async fn cloudbase_mode_sends_no_token_and_reports_the_seqid() {
    let server = Server::start(|r| {
        if r.path == "/cv/img/qrcode" && r.q("img_url").is_some() {
            Reply::json(json!({"errcode": 85107, "errmsg": "url not in whitelist"})).header("x-openapi-seqid", "SEQ-9")
        } else {
            Reply::json(seed_scan_reply()).header("x-openapi-seqid", "SEQ-1")
        }
    })
    .await;
    let wx = WeChat::new(WeChatConfig::cloudbase().from_appid("wx-other").base_url(&server.url)).unwrap();
    let out = wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap();
    assert_eq!(out.code_results.len(), 4);
    let err = wx.img().scan_qrcode(ScanQrcodeRequest::new(Image::url("https://x.example/a.jpg"))).await.unwrap_err();
    assert_eq!(err.api().unwrap().request_id.as_deref(), Some("SEQ-9"));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "no token request in CloudBase mode");
    assert!(reqs.iter().all(|r| r.q("access_token").is_none()));
    assert_eq!(reqs[0].q("from_appid"), Some("wx-other"));
}

#[tokio::test]
async fn http_errors_and_dead_servers_are_typed() {
    let (_server, wx) = wechat_server(|_| Reply::raw("text/html", b"<html>502</html>".to_vec()).status(502)).await;
    let err = wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::HttpStatus(502), .. }), "{err:?}");

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let wx = WeChat::new(WeChatConfig::new(APPID, SECRET).base_url(url)).unwrap();
    let err = wx.img().scan_qrcode(ScanQrcodeRequest::new(jpeg(64))).await.unwrap_err();
    assert!(matches!(err, Error::Transport { kind: TransportKind::Connect, .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains(SECRET) && !text.contains("secret="), "{text}");
}

// ---- Tencent Cloud ------------------------------------------------------------------------

const SID: &str = "AKIDtestSecretId";
const SKEY: &str = "TENCENT-SECRET-KEY-never-printed";

fn tc(url: &str) -> TencentCloud {
    TencentCloud::new(TencentCloudConfig::new(SID, SKEY).region("ap-guangzhou").token("TMP-TOKEN").base_url(url)).unwrap()
}

/// Recomputes the signature from what arrived, with the service the spec names (`ocr`).
fn assert_signed(r: &Recorded) {
    let ts: i64 = r.header("x-tc-timestamp").unwrap().parse().unwrap();
    let sig = wxcv::tc3::sign(&wxcv::tc3::SignInput {
        secret_id: SID,
        secret_key: SKEY,
        service: "ocr",
        host: r.header("host").unwrap(),
        content_type: r.header("content-type").unwrap(),
        payload: &r.body,
        timestamp: ts,
    });
    assert_eq!(r.header("authorization"), Some(sig.authorization.as_str()));
    assert!(sig.scope.ends_with("/ocr/tc3_request"));
}

#[tokio::test]
async fn qrcode_ocr_is_signed_and_parses_the_seed_reply() {
    let server = Server::start(|_| {
        Reply::json(json!({"Response": {"CodeResults": [{"TypeName": "QR_CODE", "Url": "http://baike.baidu.com",
            "Position": {"LeftTop": {"X": 0, "Y": 0}, "RightTop": {"X": 380, "Y": 0}, "RightBottom": {"X": 380, "Y": 380}, "LeftBottom": {"X": 0, "Y": 380}}}],
            "ImgSize": {"Wide": 380, "High": 380}, "RequestId": "06c7ba12-ec94-4fd4-be48-239c714f0cf4"}}))
    })
    .await;
    let img = png(1000);
    let out = tc(&server.url).ocr().qrcode_ocr(QrcodeOcrRequest::new(img.clone())).await.unwrap();
    assert_eq!(out.code_results[0].url, "http://baike.baidu.com");
    assert_eq!(out.code_results[0].position.as_ref().map(|p| (p.right_bottom.x, p.right_bottom.y)), Some((380, 380)));
    assert_eq!(out.img_size.map(|s| (s.wide, s.high)), Some((380, 380)));
    assert_eq!(out.request_id, "06c7ba12-ec94-4fd4-be48-239c714f0cf4");

    let r = &server.requests()[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/"));
    assert_eq!(r.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(r.header("x-tc-action"), Some("QrcodeOCR"));
    assert_eq!(r.header("x-tc-version"), Some("2018-11-19"));
    assert_eq!(r.header("x-tc-region"), Some("ap-guangzhou"));
    assert_eq!(r.header("x-tc-token"), Some("TMP-TOKEN"));
    use base64::Engine as _;
    assert_eq!(r.json(), json!({"ImageBase64": base64::engine::general_purpose::STANDARD.encode(&img)}));
    assert_signed(r);

    tc(&server.url).ocr().qrcode_ocr(QrcodeOcrRequest::new(Image::url("https://x.example/q.png"))).await.unwrap();
    assert_eq!(server.requests()[1].json(), json!({"ImageUrl": "https://x.example/q.png"}));
}

/// No region configured: nothing is refused, and the request carries no X-TC-Region (the vendor's
/// domain then serves it from the nearest region).
#[tokio::test]
async fn without_a_region_no_region_header_is_sent() {
    let server = Server::start(|_| Reply::json(json!({"Response": {"CodeResults": [], "RequestId": "r"}}))).await;
    let tc = TencentCloud::new(TencentCloudConfig::new("AKIDEXAMPLE", "SECRET").base_url(&server.url)).unwrap();
    tc.ocr().qrcode_ocr(QrcodeOcrRequest::new(png(100))).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("x-tc-region"), None);
    assert_eq!(r.header("x-tc-action"), Some("QrcodeOCR"));
}

/// `RequestMethod::Get`: the parameters flattened into the query and signed with it (the
/// canonical query string), an empty body, the form Content-Type; POST stays the default.
#[tokio::test]
async fn get_sends_the_parameters_in_the_signed_query() {
    use wxcv::tencentcloud::{BusinessCardOcrRequest, RequestMethod};
    let server = Server::start(|_| Reply::json(json!({"Response": {"CodeResults": [], "BusinessCardInfos": [], "RequestId": "r-get"}}))).await;
    assert_eq!(TencentCloudConfig::new(SID, SKEY).method, RequestMethod::Post);
    let get = TencentCloud::new(TencentCloudConfig::new(SID, SKEY).region("ap-guangzhou").base_url(&server.url).method(RequestMethod::Get)).unwrap();
    get.ocr().qrcode_ocr(QrcodeOcrRequest::new(Image::url("https://x.example/q r.png?a=1&b=~"))).await.unwrap();
    get.ocr()
        .business_card_ocr(BusinessCardOcrRequest::new(Image::url("https://x.example/card.jpg")).config(r#"{"RetImageType":"PROPROCESS"}"#))
        .await
        .unwrap();
    let reqs = server.requests();
    let r = &reqs[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/"));
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(r.raw_query, "ImageUrl=https%3A%2F%2Fx.example%2Fq%20r.png%3Fa%3D1%26b%3D~");
    assert_eq!(r.q("ImageUrl"), Some("https://x.example/q r.png?a=1&b=~"));
    assert_eq!(r.header("x-tc-action"), Some("QrcodeOCR"));
    let ts: i64 = r.header("x-tc-timestamp").unwrap().parse().unwrap();
    let input = wxcv::tc3::SignInput {
        secret_id: SID,
        secret_key: SKEY,
        service: "ocr",
        host: r.header("host").unwrap(),
        content_type: "application/x-www-form-urlencoded",
        payload: b"",
        timestamp: ts,
    };
    let sig = wxcv::tc3::sign_with(&input, RequestMethod::Get, &r.raw_query);
    assert_eq!(r.header("authorization"), Some(sig.authorization.as_str()));
    // The same request signed as a POST, or without its query, is another signature.
    assert_ne!(wxcv::tc3::sign_with(&input, RequestMethod::Get, "").signature, sig.signature);
    assert_ne!(wxcv::tc3::sign(&input).signature, sig.signature);
    assert_eq!(reqs[1].q("Config"), Some(r#"{"RetImageType":"PROPROCESS"}"#));
    assert_eq!(reqs[1].header("x-tc-action"), Some("BusinessCardOCR"));

    // A picture's base64 past the vendor's 32 KB for a GET: refused before sending, naming it.
    let err = get.ocr().qrcode_ocr(QrcodeOcrRequest::new(png(40_000))).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "method"), "{err:?}");
    assert!(err.to_string().contains("32768"), "{err}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn tencent_errors_keep_code_message_and_request_id() {
    let server = Server::start(|_| {
        Reply::json(json!({"Response": {"Error": {"Code": "FailedOperation.ImageDecodeFailed", "Message": "decode failed"}, "RequestId": "REQ-42"}}))
    })
    .await;
    let err = tc(&server.url).ocr().qrcode_ocr(QrcodeOcrRequest::new(png(100))).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.code, ErrorCode::TencentCloud("FailedOperation.ImageDecodeFailed".into()));
    assert_eq!(api.message, "decode failed");
    assert_eq!(api.request_id.as_deref(), Some("REQ-42"));
    assert!(api.meaning().is_some());
    let text = format!("{err} {err:?}");
    assert!(!text.contains(SKEY), "{text}");
}

#[tokio::test]
async fn query_bar_code_is_offline_but_still_callable_and_says_so() {
    let server = Server::start(|r| {
        let code = r.json()["BarCode"].as_str().unwrap().to_string();
        if code == "06941858722888" {
            Reply::json(json!({"Response": {"BarCode": code, "ProductDataRecords": [{"ProductName": "真快洁涂擦式清洁剂", "Width": "180.000",
                "ImageLink": ["http://www.anccnet.com/userfile/2011219/137935376.jpg"], "CheckResult": "1"}], "RequestId": "R1"}}))
        } else {
            Reply::json(json!({"Response": {"Error": {"Code": "ActionOffline", "Message": "offline"}, "RequestId": "R2"}}))
        }
    })
    .await;
    let client = tc(&server.url);
    #[allow(deprecated)]
    let out = client.ocr().query_bar_code(QueryBarCodeRequest::new("06941858722888")).await.unwrap();
    let rec = &out.product_data_records[0];
    assert_eq!(rec.width.as_deref(), Some("180.000"));
    assert_eq!(rec.image_link.len(), 1);
    #[allow(deprecated)]
    let err = client.ocr().query_bar_code(QueryBarCodeRequest::new("123")).await.unwrap_err();
    assert_eq!(err.category(), Some(Category::Unavailable));
    assert!(err.to_string().contains("2023-06-01"), "{err}");
}

#[tokio::test]
async fn an_unsupported_region_fails_before_the_network() {
    let server = Server::start(|_| Reply::json(json!({}))).await;
    let client = TencentCloud::new(TencentCloudConfig::new(SID, SKEY).region("eu-frankfurt").base_url(&server.url)).unwrap();
    let err = client.ocr().qrcode_ocr(QrcodeOcrRequest::new(png(100))).await.unwrap_err();
    match &err {
        Error::InvalidInput { field, message, .. } => {
            assert_eq!(field, "region");
            assert!(message.contains("ap-beijing, ap-guangzhou, ap-hongkong, ap-shanghai, na-toronto"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // The current limit: 10 MB after base64 (the seed's 3 MB is history).
    let err = client.ocr().qrcode_ocr(QrcodeOcrRequest::new(png(10 * 1024 * 1024 / 4 * 3 + 10))).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, message, .. } if field == "image" && message.contains("10485760")), "{err:?}");
    assert!(server.requests().is_empty());
    // What the seed refused and today's page allows is sent: 4 MB after base64, from ap-shanghai.
    let shanghai = TencentCloud::new(TencentCloudConfig::new(SID, SKEY).region("ap-shanghai").base_url(&server.url)).unwrap();
    let _ = shanghai.ocr().qrcode_ocr(QrcodeOcrRequest::new(png(3 * 1024 * 1024))).await;
    assert_eq!(server.requests().len(), 1);
}
