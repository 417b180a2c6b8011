//! Entry points of the fuzz targets in `fuzz/` (cargo-fuzz; `cargo xtask fuzz`). Each takes the
//! fuzzer's bytes, runs them through the client's real reply parsers and checks what must hold of
//! any reply, so a panic here is a bug in a parser, never in this module. Built only with the
//! `fuzzing` feature; not part of the API.
//!
//! The reply targets share one input format: an optional head, `HTTP/1.1 <status>` then
//! `Name: value` lines and an empty line, then the body. Without a head the whole input is the
//! body of a `200` reply. Lines end with `\n` or `\r\n`; header lines that are not valid HTTP are
//! skipped.
#![doc(hidden)]

use std::fmt::Debug;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error, ErrorCode, Vendor};
use crate::image::Format;
use crate::rt::{EndpointInfo, InputKind, OutputKind};
use crate::tencentcloud as tc;
use crate::transport::Reply;
use crate::wechat as wx;

/// WeChat's JSON replies: the error envelope (`wechat_error`), then the typed decode of every
/// JSON endpoint's reply model and of `serde_json::Value` (what `call_dynamic` and the command
/// line decode into).
pub fn wechat_reply(data: &[u8]) {
    check_tables();
    let reply = reply(data);
    for (ep, decode) in WECHAT_JSON {
        decode(ep, &reply);
    }
    wechat_json::<serde_json::Value>(&wx::IMG_SCAN_QRCODE, &reply);
}

/// Tencent Cloud's `{"Response": ...}` envelope: `Error` / `RequestId` into an API error, else the
/// typed decode of every action's reply model and of `serde_json::Value`.
pub fn tencentcloud_reply(data: &[u8]) {
    check_tables();
    let reply = reply(data);
    for (ep, decode) in TENCENT_JSON {
        decode(ep, &reply);
    }
    tencent_json::<serde_json::Value>(&tc::OCR_QRCODE_OCR, &reply);
}

/// Binary replies (wxacode, media): the path `call_binary` takes (the error envelope, the HTTP
/// status, then `decode_image` and its `Format::sniff`), and the request-side sniffing of every
/// image input's limits (`Limits::check_image`).
pub fn image_reply(data: &[u8]) {
    check_tables();
    let reply = reply(data);
    for ep in wx::ENDPOINTS.iter().copied().filter(|e| e.output == OutputKind::Binary) {
        binary(ep, &reply);
    }

    let format = Format::sniff(&reply.body);
    if let Some(f) = format {
        assert!(f.mime().starts_with("image/") || f == Format::Pdf, "{f:?} has MIME type {}", f.mime());
        assert!(!f.name().is_empty() && !f.extension().is_empty());
        assert!(!looks_like_json(&reply.body), "a JSON body sniffed as {f:?}");
    }
    for ep in wx::ENDPOINTS.iter().chain(tc::ENDPOINTS.iter()) {
        for input in ep.inputs {
            if !matches!(input.kind, InputKind::Image(_)) {
                continue;
            }
            let l = &input.limits;
            match l.check_image(&reply.body) {
                Ok(f) => {
                    assert_eq!(Some(f), format, "check_image and sniff disagree");
                    assert!(!reply.body.is_empty());
                    assert!(l.max_bytes.is_none_or(|m| reply.body.len() as u64 <= m));
                    assert!(l.formats.is_empty() || l.formats.contains(&f), "{f:?} accepted for {}.{}", ep.name, input.name);
                }
                Err(fault) => assert!(!fault.message.is_empty()),
            }
        }
    }
}

type Decode = fn(&'static EndpointInfo, &Reply);

/// Every JSON endpoint's reply model. `check_tables` fails when the spec gains one not listed.
static WECHAT_JSON: &[(&EndpointInfo, Decode)] = &[
    (&wx::AUTH_GET_ACCESS_TOKEN, wechat_json::<wx::AccessToken>),
    (&wx::AUTH_GET_STABLE_ACCESS_TOKEN, wechat_json::<wx::AccessToken>),
    (&wx::IMG_SCAN_QRCODE, wechat_json::<wx::ScanQrcodeResult>),
    (&wx::IMG_SUPERRESOLUTION, wechat_json::<wx::SuperresolutionResult>),
    (&wx::IMG_AI_CROP, wechat_json::<wx::AiCropResult>),
    (&wx::OCR_IDCARD, wechat_json::<wx::IdcardResult>),
    (&wx::OCR_BANKCARD, wechat_json::<wx::BankcardResult>),
    (&wx::OCR_VEHICLE_LICENSE, wechat_json::<wx::VehicleLicenseResult>),
    (&wx::OCR_DRIVER_LICENSE, wechat_json::<wx::DriverLicenseResult>),
    (&wx::OCR_BUSINESS_LICENSE, wechat_json::<wx::BusinessLicenseResult>),
    (&wx::OCR_PRINTED_TEXT, wechat_json::<wx::PrintedTextResult>),
    (&wx::OCR_PLATE_NUMBER, wechat_json::<wx::PlateNumberResult>),
];

static TENCENT_JSON: &[(&EndpointInfo, Decode)] = &[
    (&tc::OCR_QRCODE_OCR, tencent_json::<tc::QrcodeOcrResult>),
    (&tc::OCR_QUERY_BAR_CODE, tencent_json::<tc::QueryBarCodeResult>),
];

/// The lists above name every JSON endpoint of the spec (checked once per process).
fn check_tables() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        for (all, listed) in [(wx::ENDPOINTS, WECHAT_JSON), (tc::ENDPOINTS, TENCENT_JSON)] {
            for ep in all.iter().filter(|e| e.output == OutputKind::Json) {
                assert!(
                    listed.iter().any(|(l, _)| std::ptr::eq(*l, *ep)),
                    "bindings/rust/src/fuzzing.rs lists no reply model for {}: add it",
                    ep.name
                );
            }
        }
    });
}

/// The fuzzer's bytes as a reply: the optional head, then the body.
fn reply(data: &[u8]) -> Reply {
    let mut status = 200;
    let mut headers = HeaderMap::new();
    let mut body = data;
    if let Some(rest) = data.strip_prefix(b"HTTP/1.1 ") {
        let (line, mut rest) = split_line(rest);
        if let Some(s) = line.get(..3).and_then(|d| std::str::from_utf8(d).ok()).and_then(|d| d.parse::<u16>().ok()) {
            status = s.max(100);
        }
        while !rest.is_empty() {
            let (line, next) = split_line(rest);
            rest = next;
            if line.is_empty() {
                break;
            }
            let Some(colon) = line.iter().position(|b| *b == b':') else { continue };
            let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
                headers.append(n, v);
            }
        }
        body = rest;
    }
    Reply { status, headers, body: Bytes::copy_from_slice(body) }
}

fn split_line(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|c| *c == b'\n') {
        Some(i) => (b[..i].strip_suffix(b"\r").unwrap_or(&b[..i]), &b[i + 1..]),
        None => (b, &[]),
    }
}

fn looks_like_json(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'{')
}

/// What `WeChat::call_json` does with a reply (wechat.rs's private `decode_json`): the error
/// envelope, the HTTP status, then the typed decode.
fn wechat_json<T: DeserializeOwned + Serialize + PartialEq + Debug>(ep: &'static EndpointInfo, reply: &Reply) {
    let envelope = wx::wechat_error(ep, reply);
    if let Some(e) = &envelope {
        check_api_error(e, Vendor::WeChat, reply);
        assert!(looks_like_json(&reply.body), "an API error from a body that is not a JSON object");
        assert_ne!(e.code, ErrorCode::WeChat(0), "errcode 0 reported as an error");
    }
    let result: crate::Result<T> = match envelope {
        Some(e) => Err(Error::Api(Box::new(e))),
        None if !(200..300).contains(&reply.status) => return,
        None => serde_json::from_slice(&reply.body).map_err(|e| Error::decode(ep, reply.status, e.to_string())),
    };
    check_result(result);
}

fn tencent_json<T: DeserializeOwned + Serialize + PartialEq + Debug>(ep: &'static EndpointInfo, reply: &Reply) {
    let result = tc::decode::<T>(ep, reply.status, &reply.body);
    if let Err(Error::Api(e)) = &result {
        check_api_error(e, Vendor::TencentCloud, reply);
        assert!(matches!(e.code, ErrorCode::TencentCloud(_)));
    }
    check_result(result);
}

/// What `WeChat::call_binary` does with a reply.
fn binary(ep: &'static EndpointInfo, reply: &Reply) {
    if let Some(e) = wx::wechat_error(ep, reply) {
        check_api_error(&e, Vendor::WeChat, reply);
        return;
    }
    if !(200..300).contains(&reply.status) {
        return;
    }
    match wx::decode_image(ep, reply) {
        Ok(img) => {
            assert!(!looks_like_json(&reply.body), "a JSON body taken for a picture");
            let format = Format::sniff(&reply.body).expect("a picture without a signature");
            assert!(img.content_type.starts_with("image/") || img.content_type == format.mime(), "content type {:?}", img.content_type);
            assert_eq!(img.data, reply.body);
            let _ = format!("{img:?}");
        }
        Err(e) => {
            assert!(matches!(e, Error::Decode { .. }), "{e:?}");
            check_error_text(&e);
        }
    }
}

fn check_result<T: Serialize + DeserializeOwned + PartialEq + Debug>(result: crate::Result<T>) {
    match result {
        // The models' Serialize and Deserialize agree: what the emulator sends and the bindings
        // hand out (`to_dict`, `from_dict`) reads back the same.
        Ok(v) => {
            let text = serde_json::to_vec(&v).expect("a decoded reply serializes");
            let back: T = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{v:?} does not read back: {e}"));
            assert_eq!(back, v, "reply model round trip");
            let _ = format!("{v:?}");
        }
        Err(e) => check_error_text(&e),
    }
}

fn check_api_error(e: &ApiError, vendor: Vendor, reply: &Reply) {
    assert_eq!(e.vendor, vendor);
    assert_eq!(e.http_status, reply.status);
    if let Some(info) = e.info {
        // Tencent Cloud falls back from `AuthFailure.SignatureExpire` to `AuthFailure`.
        let code = e.code.to_string();
        assert!(code == info.code || code.strip_prefix(info.code).is_some_and(|r| r.starts_with('.')), "{code} has the spec's entry of {}", info.code);
    }
    assert_redacted(&e.message, "message");
    if let Some(r) = &e.request_id {
        assert_redacted(r, "request id");
    }
    let _ = e.category();
}

fn check_error_text(e: &Error) {
    let text = e.to_string();
    assert!(!text.is_empty());
    let _ = format!("{e:?}");
}

/// The vendor's text the client surfaces has every credential-shaped parameter blanked out (the
/// same keys as `transport::redact_text`).
fn assert_redacted(text: &str, what: &str) {
    for key in ["access_token=", "secret=", "appsecret=", "Signature="] {
        for (i, _) in text.match_indices(key) {
            let value = &text[i + key.len()..];
            let end = value.find(['&', ' ', ')', '"']).unwrap_or(value.len());
            assert!(value[..end].is_empty() || value.starts_with("<redacted>"), "{what} keeps a credential: {text:?}");
        }
    }
}
