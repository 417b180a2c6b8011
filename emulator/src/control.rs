//! The control API tests of every language use (JSON over HTTP under `/__emulator/`):
//!
//! | call | body / answer |
//! |---|---|
//! | `POST /__emulator/faults` | `{"endpoint": "img.scan_qrcode", "times": 2, "errcode": -1}` (or `http_status`, `delay_ms`, `non_json`; `drop`: the connection closes after the request, with no response head; `truncate`: the head with the full Content-Length and half the body, then the connection closes) |
//! | `DELETE /__emulator/faults` | disarms every fault |
//! | `POST /__emulator/fixtures/ocr` | `{"endpoint": "ocr.idcard", "image_base64": "...", "reply": {...}}` (or `"sha256"` instead of the image); any endpoint that reads a picture, WeChat's by `group.id`, Tencent Cloud's by action (`QrcodeOCR`). For `img.scan_qrcode` and `QrcodeOCR` the fixture is a canned reply given without decoding the picture (what the benchmarks use) |
//! | `POST /__emulator/fixtures/barcode` | `{"bar_code": "...", "records": [{ProductDataRecord}, ...]}` |
//! | `POST /__emulator/apps` | `{"appid": "...", "secret": "..."}` adds an app |
//! | `POST /__emulator/keys` | `{"secret_id": "...", "secret_key": "..."}` adds a Tencent Cloud key pair |
//! | `POST /__emulator/tokens/revoke` | `{"appid": "..."}` ends every token of the app now (calls with them get 40001); answers `{"revoked": n}` |
//! | `POST /__emulator/clock` | `{"advance_seconds": 86400}` moves the clock forward; answers `{"now": ...}` |
//! | `POST /__emulator/blobs` | raw bytes; answers `{"url": ".../__emulator/blobs/<sha256>"}`, a loopback URL for img_url / ImageUrl |
//! | `GET /__emulator/log` | `{"calls": [...]}`, the last 10,000 calls |
//! | `GET /__emulator/counters` | `{"token_issues": {appid: n}, "calls": {endpoint: n}, "wxacode": {appid: n}}` |

use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::json_response;
use crate::state::{FaultRule, State, digest};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OcrFixture {
    endpoint: String,
    #[serde(default)]
    image_base64: Option<String>,
    #[serde(default)]
    sha256: Option<String>,
    reply: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BarcodeFixture {
    bar_code: String,
    records: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct App {
    appid: String,
    secret: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Key {
    secret_id: String,
    secret_key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Clock {
    advance_seconds: i64,
}

fn bad(message: impl std::fmt::Display) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!({"error": message.to_string()}))
}

fn ok(v: Value) -> Response {
    json_response(StatusCode::OK, &v)
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(bad)
}

pub async fn handle(st: &State, method: &Method, path: &str, base: &str, body: Bytes) -> Response {
    let route = path.trim_start_matches("/__emulator");
    let result: Result<Response, Response> = (|| {
        Ok(match (method.as_str(), route) {
            ("POST", "/faults") => {
                let rule: FaultRule = parse(&body)?;
                if rule.times == 0 {
                    return Err(bad("times must be at least 1"));
                }
                st.lock().faults.push(rule);
                ok(json!({"armed": true}))
            }
            ("DELETE", "/faults") => {
                st.lock().faults.clear();
                ok(json!({"armed": false}))
            }
            ("POST", "/fixtures/ocr") => {
                let f: OcrFixture = parse(&body)?;
                let digest = match (f.image_base64, f.sha256) {
                    (Some(b), None) => digest(&base64::engine::general_purpose::STANDARD.decode(b.trim()).map_err(bad)?),
                    (None, Some(d)) => d.to_ascii_lowercase(),
                    _ => return Err(bad("give image_base64 or sha256")),
                };
                if !f.reply.is_object() {
                    return Err(bad("reply must be a JSON object"));
                }
                let endpoint = resolve_endpoint(&f.endpoint).ok_or_else(|| bad(format!("no endpoint {} (a WeChat `group.id` or a Tencent Cloud action)", f.endpoint)))?;
                st.lock().ocr_fixtures.insert((endpoint, digest.clone()), f.reply);
                ok(json!({"sha256": digest}))
            }
            ("POST", "/fixtures/barcode") => {
                let f: BarcodeFixture = parse(&body)?;
                serde_json::from_value::<Vec<wxcv::tencentcloud::ProductDataRecord>>(f.records.clone()).map_err(|e| bad(format!("records: {e}")))?;
                st.lock().products.insert(f.bar_code, f.records);
                ok(json!({"registered": true}))
            }
            ("POST", "/apps") => {
                let a: App = parse(&body)?;
                st.lock().apps.insert(a.appid, a.secret);
                ok(json!({"registered": true}))
            }
            ("POST", "/keys") => {
                let k: Key = parse(&body)?;
                st.lock().keys.insert(k.secret_id, k.secret_key);
                ok(json!({"registered": true}))
            }
            ("POST", "/tokens/revoke") => {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Revoke {
                    appid: String,
                }
                let r: Revoke = parse(&body)?;
                ok(json!({"revoked": st.revoke_tokens(&r.appid)}))
            }
            ("POST", "/clock") => {
                let c: Clock = parse(&body)?;
                if c.advance_seconds < 0 {
                    return Err(bad("the clock only moves forward"));
                }
                if c.advance_seconds > crate::state::MAX_CLOCK_OFFSET {
                    return Err(bad(format!("the clock moves at most {} seconds (1000 years)", crate::state::MAX_CLOCK_OFFSET)));
                }
                st.advance_clock(c.advance_seconds);
                ok(json!({"now": st.now()}))
            }
            ("POST", "/blobs") => {
                let key = st.add_blob(body.clone()).map_err(bad)?;
                ok(json!({"url": format!("{base}/__emulator/blobs/{key}"), "sha256": key}))
            }
            ("GET", r) if r.starts_with("/blobs/") => {
                let found = st.lock().blobs.get(&r["/blobs/".len()..]).cloned();
                match found {
                    Some(b) => axum::response::IntoResponse::into_response(([(axum::http::header::CONTENT_TYPE, "application/octet-stream")], b)),
                    None => json_response(StatusCode::NOT_FOUND, &json!({"error": "no such blob"})),
                }
            }
            ("GET", "/log") => ok(json!({"calls": st.lock().log.iter().collect::<Vec<_>>()})),
            ("GET", "/counters") => {
                let g = st.lock();
                ok(json!({"token_issues": g.token_issues, "calls": g.calls, "wxacode": g.wxacode_count}))
            }
            _ => json_response(StatusCode::NOT_FOUND, &json!({"error": format!("no control call {method} {path}")})),
        })
    })();
    result.unwrap_or_else(|e| e)
}

/// The fixture key of an endpoint named by a caller: a WeChat endpoint by `group.id` or its
/// cloud-call name (`ocr.idcard`, `img.scanQRCode`), a Tencent Cloud one by action (`QrcodeOCR`) or
/// `tencentcloud.group.id`; see [`fixture_key`].
pub fn resolve_endpoint(name: &str) -> Option<String> {
    let wechat = wxcv::wechat::ENDPOINTS.iter().find(|e| format!("{}.{}", e.group, e.id) == name || e.name == name);
    let tencent = || wxcv::tencentcloud::ENDPOINTS.iter().find(|e| e.name == name || format!("tencentcloud.{}.{}", e.group, e.id) == name);
    wechat.or_else(tencent).map(|e| fixture_key(e))
}

/// The fixture key of an endpoint (see [`resolve_endpoint`]).
pub fn fixture_key(ep: &wxcv::rt::EndpointInfo) -> String {
    match ep.vendor {
        wxcv::Vendor::WeChat => format!("{}.{}", ep.group, ep.id),
        _ => ep.name.to_string(),
    }
}
