//! Tencent Cloud API 3.0: TC3 signature checks, action/version/region from the spec, and
//! QrcodeOCR (real decoding), QueryBarCode (GTIN check digit, product records from fixtures) and
//! every other action that reads a picture and answers a JSON model (BusinessCardOCR, PassportOCR,
//! ...: the reply registered for the picture, see [`document_ocr`]).

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use wxcv::rt::{EndpointInfo, InputKind, OutputKind};
use wxcv::tencentcloud as tc;

use crate::inputs::{self, InputFault, Inputs};
use crate::server::{self, Call, Outcome, PictureError};
use crate::state::{SIGNATURE_WINDOW, State};

/// The barcode of the seed's QueryBarCode example, served from the start.
pub const SEED_GTIN: &str = "06941858722888";

/// The seed's ProductDataRecords for [`SEED_GTIN`].
pub fn seed_product_records() -> Value {
    json!([{
        "ProductName": "真快洁涂擦式清洁剂",
        "EnName": "N.F Inunction Detergent",
        "CategoryCode": "47131830",
        "BrandName": "RQC",
        "Type": "125ML",
        "Width": "180.000",
        "Height": "250.000",
        "Depth": "60.000",
        "KeyWord": "安全真快洁",
        "Description": "专利设计突破原有清洁剂的使用方",
        "ImageLink": ["http://www.anccnet.com/userfile/2011219/137935376.jpg"],
        "ManufacturerName": "深圳市绿韵纳米清洁用品有限公司",
        "ManufacturerAddress": "深圳市坪山新区坑梓街道宝红路12号宝红工业园A栋302",
        "FirmCode": "91440300793853037W",
        "CheckResult": "1"
    }])
}

pub async fn handle(st: &Arc<State>, call: Call) -> Response {
    let request_id = uuid_like(st);
    let action = header(&call.headers, "x-tc-action").unwrap_or_default();
    let ep = tc::ENDPOINTS.iter().copied().find(|e| e.action == Some(action.as_str()));
    let id = ep.map(|e| format!("{}.{}", e.group, e.id)).unwrap_or_else(|| format!("action {action}"));
    let fault = ep.and_then(|e| st.take_fault(&id, e.name));
    if let Some(f) = &fault {
        let rid = request_id.clone();
        if let Some(resp) = server::fault_before(f, |code| error_response(&code_text(code), "fault injected by the emulator", &rid)).await {
            let code = f.errcode.as_ref().map(code_text).unwrap_or_default();
            return server::logged(st, server::entry("tencentcloud", id, code, None, fault.clone()), resp);
        }
    }
    let outcome = match ep {
        None if action.is_empty() => err("MissingParameter", "the X-TC-Action header is missing"),
        None => err("InvalidAction", format!("no action {action} in the emulated OCR API")),
        Some(ep) => run(st, ep, &call, &request_id).await,
    };
    let (code, resp) = match outcome {
        Outcome::Json(Value::Object(mut m)) => {
            m.insert("RequestId".into(), json!(request_id));
            ("ok".to_string(), server::tencent_json_response(StatusCode::OK, &json!({ "Response": m })))
        }
        Outcome::Error { code, message } => (code.clone(), error_response(&code, &message, &request_id)),
        Outcome::Json(_) | Outcome::Binary { .. } => ("InternalError".into(), error_response("InternalError", "unexpected reply", &request_id)),
    };
    let resp = server::fault_after(fault.as_ref(), resp).await;
    server::logged(st, server::entry("tencentcloud", id, code, None, fault), resp)
}

fn code_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn error_response(code: &str, message: &str, request_id: &str) -> Response {
    server::tencent_json_response(StatusCode::OK, &json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}))
}

fn err(code: impl Into<String>, message: impl Into<String>) -> Outcome {
    Outcome::Error { code: code.into(), message: message.into() }
}

fn input_error(f: &InputFault) -> Outcome {
    let fallback = if f.kind == "missing" { "MissingParameter" } else { "InvalidParameterValue" };
    err(f.input.invalid_code(f.kind).unwrap_or(fallback), f.message.clone())
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

fn uuid_like(st: &State) -> String {
    let h = st.fresh_id("request", 32);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Checks the TC3-HMAC-SHA256 signature the way API 3.0 does.
fn verify(st: &State, ep: &EndpointInfo, call: &Call) -> Result<(), Outcome> {
    let h = &call.headers;
    let auth = header(h, "authorization").ok_or_else(|| err("AuthFailure.SignatureFailure", "the Authorization header is missing"))?;
    let rest = auth
        .strip_prefix("TC3-HMAC-SHA256 ")
        .ok_or_else(|| err("AuthFailure.InvalidAuthorization", "Authorization is not TC3-HMAC-SHA256"))?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',').map(str::trim) {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) = (credential, signed_headers, signature) else {
        return Err(err("AuthFailure.InvalidAuthorization", "Authorization lacks Credential, SignedHeaders or Signature"));
    };
    let mut scope = credential.split('/');
    let (Some(secret_id), Some(date), Some(service), Some("tc3_request"), None) = (scope.next(), scope.next(), scope.next(), scope.next(), scope.next()) else {
        return Err(err("AuthFailure.InvalidAuthorization", "Credential is not SecretId/date/service/tc3_request"));
    };
    // Any list the client chooses, as the real service takes it: lowercase names joined by `;`,
    // content-type and host among them (the two every SDK signs).
    let names: Vec<&str> = signed_headers.split(';').collect();
    if names.iter().any(|n| n.is_empty() || n.chars().any(|c| c.is_ascii_uppercase())) || !names.contains(&"content-type") || !names.contains(&"host") {
        return Err(err("AuthFailure.SignatureFailure", format!("SignedHeaders {signed_headers:?} must be lowercase names joined by ';', content-type and host among them")));
    }
    let key = st.lock().keys.get(secret_id).cloned();
    let Some(secret_key) = key else {
        return Err(err("AuthFailure.SecretIdNotFound", "the SecretId is not found"));
    };
    let timestamp: i64 = header(h, "x-tc-timestamp").and_then(|t| t.parse().ok()).ok_or_else(|| err("MissingParameter", "X-TC-Timestamp is missing"))?;
    let now = st.now();
    // abs_diff: `timestamp - now` overflows for a timestamp near i64's limits (and, wrapped in a
    // release build, `i64::MIN + now` passed the window check).
    if timestamp.abs_diff(now) > SIGNATURE_WINDOW.unsigned_abs() {
        return Err(err("AuthFailure.SignatureExpire", format!("the signature is expired: X-TC-Timestamp {timestamp}, server time {now}")));
    }
    if Some(service) != ep.service {
        return Err(err("AuthFailure.SignatureFailure", format!("the credential scope names service {service}")));
    }
    let mut values = Vec::with_capacity(names.len());
    for name in &names {
        match h.get(*name).map(|v| v.to_str()) {
            Some(Ok(v)) => values.push(v.trim().to_string()),
            _ => return Err(err("AuthFailure.SignatureFailure", format!("the signed header {name} is not in the request"))),
        }
    }
    // The payload hash: of the body, or the literal UNSIGNED-PAYLOAD when the client asks for it
    // (X-TC-Content-SHA256, tencentcloud-sdk-python's unsignedPayload).
    let hashed_payload = match header(h, "x-tc-content-sha256") {
        Some(v) if v == "UNSIGNED-PAYLOAD" => wxcv::tc3::hash_payload(b"UNSIGNED-PAYLOAD"),
        _ => wxcv::tc3::hash_payload(&call.body),
    };
    let query = call.uri.query().unwrap_or("");
    // The host as signed: with the port as sent (tencentcloud-sdk-python), or without it
    // (tencentcloud-sdk-nodejs signs the URL's hostname while sending `Host: name:port`). Values
    // as sent, or lowercased as the vendor's own examples show them.
    let host_at = names.iter().position(|n| *n == "host").unwrap_or(0);
    let mut hosts = vec![values[host_at].clone()];
    if let Some((name, port)) = values[host_at].rsplit_once(':') {
        if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && (!name.contains(':') || name.ends_with(']')) {
            hosts.push(name.to_string());
        }
    }
    for host in &hosts {
        for lower in [false, true] {
            let pairs: Vec<(&str, String)> = names
                .iter()
                .zip(&values)
                .enumerate()
                .map(|(i, (n, v))| {
                    let v = if i == host_at { host.clone() } else { v.clone() };
                    (*n, if lower { v.to_ascii_lowercase() } else { v })
                })
                .collect();
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let canonical = wxcv::tc3::canonical_request(call.method.as_str(), query, &borrowed, &hashed_payload);
            let (expected_date, _, expected) = wxcv::tc3::sign_canonical(&secret_key, service, timestamp, &canonical);
            if date == expected_date && signature == expected {
                return Ok(());
            }
        }
    }
    Err(err("AuthFailure.SignatureFailure", "the request signature we calculated does not match the signature you provided"))
}

async fn run(st: &Arc<State>, ep: &'static EndpointInfo, call: &Call, request_id: &str) -> Outcome {
    if call.too_large {
        return err("LimitExceeded.TooLargeFileError", format!("the body is larger than {} bytes", st.config.max_body_bytes));
    }
    if let Err(o) = verify(st, ep, call) {
        return o;
    }
    match header(&call.headers, "x-tc-version") {
        Some(v) if Some(v.as_str()) == ep.version => {}
        Some(v) => return err("NoSuchVersion", format!("version {v} of {} does not exist", ep.name)),
        None => return err("MissingParameter", "the X-TC-Version header is missing"),
    }
    if let Some(region) = header(&call.headers, "x-tc-region").filter(|r| !r.is_empty()) {
        if !ep.regions.is_empty() && !ep.regions.contains(&region.as_str()) {
            return err("UnsupportedRegion", format!("{} is not offered in {region}", ep.name));
        }
    }
    let raw = match server::raw_inputs(call).await {
        // GET: the parameters are in the query (flattened; every OCR input is a plain value).
        Ok(mut r) if call.method == axum::http::Method::GET => {
            r.json_in_query = true;
            r
        }
        Ok(r) if r.json.is_some() => r,
        _ => return err("InvalidParameter", "the body must be a JSON object"),
    };
    let inp = match inputs::read(ep, &raw) {
        Ok(i) => i,
        Err(f) => return input_error(&f),
    };
    match ep.id {
        "qrcode_ocr" => qrcode_ocr(st, ep, &inp, request_id).await,
        "query_bar_code" => query_bar_code(st, &inp, request_id),
        _ if ep.output == OutputKind::Json && ep.inputs.iter().any(|i| matches!(i.kind, InputKind::Image(_))) => {
            document_ocr(st, ep, &inp, request_id).await
        }
        _ => err("UnsupportedOperation", "the emulator has no behaviour for this action"),
    }
}

fn model<T: serde::Serialize>(m: &T) -> Outcome {
    match serde_json::to_value(m) {
        Ok(v) => Outcome::Json(v),
        Err(e) => err("InternalError", e.to_string()),
    }
}

fn picture_error(e: PictureError) -> Outcome {
    match e {
        PictureError::Input(f) => input_error(&f),
        PictureError::Internal(m) => err("InternalError", m),
    }
}

/// Every action that reads a picture and answers a JSON model, other than QrcodeOCR (which
/// decodes): the picture (uploaded, or fetched from a loopback URL) must decode as one, else the
/// input's code for an undecodable picture (`FailedOperation.ImageDecodeFailed`); then the reply
/// registered for this action and picture (`POST /__emulator/fixtures/ocr` with the action as
/// `endpoint`), with this call's RequestId; with none, [`nothing_found`].
async fn document_ocr(st: &State, ep: &'static EndpointInfo, inp: &Inputs, request_id: &str) -> Outcome {
    let found = match server::fixture_for(st, ep, inp).await {
        Ok(f) => f,
        Err(e) => return picture_error(e),
    };
    match found {
        Some(Value::Object(mut reply)) => {
            // `handle` sets it too; the reply is the call's own either way.
            reply.insert("RequestId".into(), json!(request_id));
            Outcome::Json(Value::Object(reply))
        }
        Some(_) => err("InternalError", format!("the reply registered for {} is not a JSON object", ep.name)),
        None => err(nothing_found(ep), format!("nothing {} reads was found in the picture (no fixture is registered for it)", ep.name)),
    }
}

/// What an action answers for a picture without the document it reads: the first code it documents
/// under `not_found` (BusinessCardOCR: FailedOperation.ImageNoBusinessCard); for an action that
/// documents none, FailedOperation.OcrFailed when it lists it (PassportOCR: its only documented code
/// for a recognition that found nothing; FailedOperation.NoPassport is MLIDPassportOCR's), else the
/// generic FailedOperation.
fn nothing_found(ep: &'static EndpointInfo) -> &'static str {
    let not_found = |c: &str| ep.error_info(c).is_some_and(|i| i.category == wxcv::Category::NotFound && !i.global);
    let codes = || ep.errors.iter().copied();
    codes().find(|c| not_found(c)).or_else(|| codes().find(|c| *c == "FailedOperation.OcrFailed")).unwrap_or("FailedOperation")
}

async fn qrcode_ocr(st: &State, ep: &'static EndpointInfo, inp: &Inputs, request_id: &str) -> Outcome {
    let img = match server::canned_or_decoded(st, ep, inp).await {
        Ok(server::Scanned::Decoded(img)) => img,
        Ok(server::Scanned::Canned(mut reply)) => {
            reply["RequestId"] = request_id.into();
            return Outcome::Json(reply);
        }
        Err(e) => return picture_error(e),
    };
    let (w, h) = (img.width(), img.height());
    let found = tokio::task::spawn_blocking(move || crate::codes::decode(&img.to_luma8())).await.unwrap_or_default();
    if found.is_empty() {
        return err("FailedOperation.ImageNoText", "no QR code or barcode was found in the picture");
    }
    let code_results = found
        .into_iter()
        .map(|c| {
            let at = |i: usize| {
                let (x, y) = if c.symbology.reports_position() { c.corners[i] } else { (-1, -1) };
                tc::Coord { x, y }
            };
            tc::QrcodeResultsInfo {
                type_name: c.symbology.tencent_name().to_string(),
                url: c.text,
                position: Some(tc::QrcodePositionObj { left_top: at(0), right_top: at(1), right_bottom: at(2), left_bottom: at(3) }),
            }
        })
        .collect();
    model(&tc::QrcodeOcrResult { code_results, img_size: Some(tc::QrcodeImgSize { wide: w as i64, high: h as i64 }), request_id: request_id.to_string() })
}

/// GTIN-8/12/13/14: the last digit is the check digit (weights 3,1,3,... from the right).
pub fn gtin_valid(code: &str) -> bool {
    if !matches!(code.len(), 8 | 12 | 13 | 14) || !code.is_ascii() {
        return false;
    }
    let (body, check) = code.split_at(code.len() - 1);
    gtin_check_digit(body).is_some_and(|d| check.as_bytes() == [b'0' + d])
}

/// The GTIN check digit of `body` (weights 3, 1, 3... from the right), or `None` when `body` is not
/// all ASCII digits.
pub fn gtin_check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, b) in body.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        sum += u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

fn query_bar_code(st: &State, inp: &Inputs, request_id: &str) -> Outcome {
    let code = inp.str("bar_code").unwrap_or_default();
    if !gtin_valid(code) {
        return err("InvalidParameter.InvalidGTINError", format!("{code:?} is not a GTIN with a valid check digit"));
    }
    let records = st.lock().products.get(code).cloned();
    let Some(records) = records else {
        return err("ResourceNotFound", format!("no product is registered under {code}"));
    };
    let product_data_records: Vec<tc::ProductDataRecord> = match serde_json::from_value(records) {
        Ok(r) => r,
        Err(e) => return err("InternalError", format!("the registered records do not fit ProductDataRecord: {e}")),
    };
    model(&tc::QueryBarCodeResult { bar_code: Some(code.to_string()), product_data_records, request_id: request_id.to_string() })
}
