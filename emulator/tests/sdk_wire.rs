//! What the vendors' own SDKs rely on, over real HTTP: Tencent Cloud's exact
//! `Content-Type: application/json`, API 3.0 GET (parameters in the signed query), the host signed
//! with or without its port, any signed-header list, and WeChat's bare token reply.

use base64::Engine as _;
use serde_json::{Value, json};
use wxcv_emulator::{APPID, APPSECRET, Emulator, SECRET_ID, SECRET_KEY};

/// Sends a request and reads its reply as JSON.
async fn json_of(req: reqwest::RequestBuilder) -> Value {
    req.send().await.unwrap().json().await.unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// One hand-signed API 3.0 request: `headers` are sent as given, `signed` names the ones the
/// signature covers (in that order) with the values it signs them with; `host` is what the
/// signature says the host is, whatever the Host header says.
struct Signed<'a> {
    method: &'a str,
    query: &'a str,
    body: &'a str,
    content_type: &'a str,
    signed_host: String,
    extra_signed: Vec<(&'a str, &'a str)>,
    secret_key: &'a str,
}

impl<'a> Signed<'a> {
    fn post(emu: &Emulator, body: &'a str) -> Self {
        Signed {
            method: "POST",
            query: "",
            body,
            content_type: "application/json",
            signed_host: emu.addr().to_string(),
            extra_signed: Vec::new(),
            secret_key: SECRET_KEY,
        }
    }

    async fn send(&self, emu: &Emulator, action: &str) -> reqwest::Response {
        let ts = now();
        let mut headers = vec![("content-type", self.content_type), ("host", self.signed_host.as_str())];
        headers.extend(self.extra_signed.iter().copied());
        let canonical = wxcv::tc3::canonical_request(self.method, self.query, &headers, &wxcv::tc3::hash_payload(self.body.as_bytes()));
        let (date, scope, sig) = wxcv::tc3::sign_canonical(self.secret_key, "ocr", ts, &canonical);
        assert!(scope.starts_with(&date));
        let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
        let auth = format!("TC3-HMAC-SHA256 Credential={SECRET_ID}/{scope}, SignedHeaders={}, Signature={sig}", names.join(";"));
        let url = if self.query.is_empty() { format!("{}/", emu.base_url()) } else { format!("{}/?{}", emu.base_url(), self.query) };
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut req = reqwest::Client::new()
            .request(method, url)
            .header("content-type", self.content_type)
            .header("authorization", auth)
            .header("x-tc-action", action)
            .header("x-tc-version", "2018-11-19")
            .header("x-tc-timestamp", ts.to_string());
        for (n, v) in &self.extra_signed {
            if !n.eq_ignore_ascii_case("x-tc-action") {
                req = req.header(*n, *v);
            }
        }
        req.body(self.body.to_string()).send().await.unwrap()
    }
}

async fn response(r: reqwest::Response) -> Value {
    r.json::<Value>().await.unwrap()["Response"].clone()
}

fn qr_png() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/qr.png")).unwrap()
}

#[tokio::test]
async fn tencent_replies_say_exactly_application_json_for_results_and_errors() {
    let emu = Emulator::start().await.unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(qr_png());
    let ok = Signed::post(&emu, &json!({"ImageBase64": b64}).to_string()).send(&emu, "QrcodeOCR").await;
    assert_eq!(ok.headers()["content-type"], "application/json");
    let ok = response(ok).await;
    assert!(ok["CodeResults"][0]["Url"].is_string(), "{ok}");

    let mut bad = Signed::post(&emu, r#"{"ImageBase64": "aGVsbG8="}"#);
    bad.secret_key = "not-the-key";
    let bad = bad.send(&emu, "QrcodeOCR").await;
    assert_eq!(bad.headers()["content-type"], "application/json");
    assert_eq!(response(bad).await["Error"]["Code"], "AuthFailure.SignatureFailure");
}

#[tokio::test]
async fn get_carries_the_parameters_in_the_signed_query() {
    let emu = Emulator::start().await.unwrap();
    let url = emu.blob_url(qr_png()).unwrap();
    let query = format!("ImageUrl={}", url.replace(':', "%3A").replace('/', "%2F"));
    let get = Signed { method: "GET", query: &query, body: "", content_type: "application/x-www-form-urlencoded", ..Signed::post(&emu, "") };
    let r = response(get.send(&emu, "QrcodeOCR").await).await;
    assert!(r["CodeResults"][0]["Url"].is_string(), "{r}");

    // The query is signed: another one under the same signature fails.
    let canonical_other = Signed { query: "ImageUrl=http%3A%2F%2F127.0.0.1%2Fother", ..get };
    let ts = now();
    let headers = [("content-type", "application/x-www-form-urlencoded"), ("host", canonical_other.signed_host.as_str())];
    let (_, scope, sig) =
        wxcv::tc3::sign_canonical(SECRET_KEY, "ocr", ts, &wxcv::tc3::canonical_request("GET", &query, &headers, &wxcv::tc3::hash_payload(b"")));
    let r = json_of(reqwest::Client::new()
        .get(format!("{}/?{}", emu.base_url(), canonical_other.query))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("TC3-HMAC-SHA256 Credential={SECRET_ID}/{scope}, SignedHeaders=content-type;host, Signature={sig}"))
        .header("x-tc-action", "QrcodeOCR")
        .header("x-tc-version", "2018-11-19")
        .header("x-tc-timestamp", ts.to_string())).await;
    assert_eq!(r["Response"]["Error"]["Code"], "AuthFailure.SignatureFailure", "{r}");

    // Inputs other than the picture come as text too: a bool written as Python writes it.
    let q = format!("{query}&CropPortrait=True");
    let passport = Signed { method: "GET", query: &q, body: "", content_type: "application/x-www-form-urlencoded", ..Signed::post(&emu, "") };
    let r = response(passport.send(&emu, "PassportOCR").await).await;
    assert_eq!(r["Error"]["Code"], "FailedOperation.OcrFailed", "{r}");
    let q = format!("{query}&CropPortrait=maybe");
    let passport = Signed { query: &q, ..passport };
    let r = response(passport.send(&emu, "PassportOCR").await).await;
    assert!(r["Error"]["Code"].as_str().unwrap().starts_with("InvalidParameter"), "{r}");

    // A GET without X-TC-Action is not Tencent Cloud's: WeChat's 404.
    let plain = reqwest::get(format!("{}/", emu.base_url())).await.unwrap();
    assert_eq!(plain.status(), 404);
}

#[tokio::test]
async fn the_host_may_be_signed_without_its_port_and_any_header_list_is_verified() {
    let emu = Emulator::start().await.unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(qr_png());
    let body = json!({"ImageBase64": b64}).to_string();
    // tencentcloud-sdk-nodejs: Host 127.0.0.1:PORT on the wire, 127.0.0.1 in the signature.
    let no_port = Signed { signed_host: emu.addr().ip().to_string(), ..Signed::post(&emu, &body) };
    assert!(response(no_port.send(&emu, "QrcodeOCR").await).await["CodeResults"].is_array());
    // A host that is neither is refused.
    let wrong = Signed { signed_host: "ocr.tencentcloudapi.com".into(), ..Signed::post(&emu, &body) };
    assert_eq!(response(wrong.send(&emu, "QrcodeOCR").await).await["Error"]["Code"], "AuthFailure.SignatureFailure");

    // More headers signed, as the vendor's own examples do (x-tc-action, lowercased).
    let more = Signed { extra_signed: vec![("x-tc-action", "qrcodeocr")], ..Signed::post(&emu, &body) };
    assert!(response(more.send(&emu, "QrcodeOCR").await).await["CodeResults"].is_array());
    let custom = Signed { extra_signed: vec![("x-custom", "Value With Case")], ..Signed::post(&emu, &body) };
    assert!(response(custom.send(&emu, "QrcodeOCR").await).await["CodeResults"].is_array());

    // A signed header the request lacks, or a list without host, is refused.
    let ts = now();
    let canonical = wxcv::tc3::canonical_request("POST", "", &[("content-type", "application/json")], &wxcv::tc3::hash_payload(body.as_bytes()));
    let (_, scope, sig) = wxcv::tc3::sign_canonical(SECRET_KEY, "ocr", ts, &canonical);
    for list in ["content-type", "content-type;host;x-absent"] {
        let r = json_of(reqwest::Client::new()
            .post(format!("{}/", emu.base_url()))
            .header("content-type", "application/json")
            .header("authorization", format!("TC3-HMAC-SHA256 Credential={SECRET_ID}/{scope}, SignedHeaders={list}, Signature={sig}"))
            .header("x-tc-action", "QrcodeOCR")
            .header("x-tc-version", "2018-11-19")
            .header("x-tc-timestamp", ts.to_string())
            .body(body.clone())).await;
        assert_eq!(r["Response"]["Error"]["Code"], "AuthFailure.SignatureFailure", "{list}: {r}");
    }
}

#[tokio::test]
async fn the_token_reply_is_access_token_and_expires_in_only() {
    let emu = Emulator::start().await.unwrap();
    let http = reqwest::Client::new();
    let t = json_of(http
        .get(format!("{}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={APPSECRET}", emu.base_url()))).await;
    let keys: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["access_token", "expires_in"], "{t}");
    let s = json_of(http
        .post(format!("{}/cgi-bin/stable_token", emu.base_url()))
        .json(&json!({"grant_type": "client_credential", "appid": APPID, "secret": APPSECRET}))).await;
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["access_token", "expires_in"], "{s}");
    // Other successes still carry errcode 0 first, as WeChat's do.
    let token = t["access_token"].as_str().unwrap();
    let r = json_of(http
        .post(format!("{}/cv/img/qrcode?access_token={token}", emu.base_url()))
        .multipart(reqwest::multipart::Form::new().part("img", reqwest::multipart::Part::bytes(qr_png()).file_name("qr.png")))).await;
    assert_eq!(r["errcode"], 0, "{r}");
}

/// Inside CloudBase the token travels as `cloudbase_access_token` (the spec's cloud_call data):
/// the emulator takes it as it takes `access_token`.
#[tokio::test]
async fn the_cloudbase_token_parameter_is_a_token() {
    let emu = Emulator::start().await.unwrap();
    assert_eq!(wxcv::wechat::CLOUDBASE_TOKEN_PARAM, "cloudbase_access_token");
    let http = reqwest::Client::new();
    let t = json_of(http
        .get(format!("{}/cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={APPSECRET}", emu.base_url()))).await;
    let token = t["access_token"].as_str().unwrap();
    let scan = |param: String| {
        let url = format!("{}/cv/img/qrcode?{param}", emu.base_url());
        let http = http.clone();
        async move {
            let form = reqwest::multipart::Form::new().part("img", reqwest::multipart::Part::bytes(qr_png()).file_name("qr.png"));
            http.post(url).multipart(form).send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    assert_eq!(scan(format!("{}={token}", wxcv::wechat::CLOUDBASE_TOKEN_PARAM)).await["errcode"], 0);
    assert_eq!(scan(format!("{}=nope", wxcv::wechat::CLOUDBASE_TOKEN_PARAM)).await["errcode"], 40001);
    assert_eq!(scan("other_token=x".into()).await["errcode"], 41001);
}
