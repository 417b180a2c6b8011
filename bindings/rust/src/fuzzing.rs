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
use crate::wechat::{self as wx, looks_like_json};

/// WeChat's JSON replies: the error envelope (`wechat_error`), then the typed decode of every
/// JSON endpoint's reply model and of `serde_json::Value` (what `call_dynamic` and the command
/// line decode into).
pub fn wechat_reply(data: &[u8]) {
    decode_all(data, wx::JSON_REPLIES, wechat_json::<serde_json::Value>);
}

/// Tencent Cloud's `{"Response": ...}` envelope: `Error` / `RequestId` into an API error, else the
/// typed decode of every action's reply model and of `serde_json::Value`.
pub fn tencentcloud_reply(data: &[u8]) {
    decode_all(data, tc::JSON_REPLIES, tencent_json::<serde_json::Value>);
}

/// The fuzzer's bytes as a reply to every JSON endpoint of a vendor (the generated table of reply
/// models), and as loose JSON to its first one.
fn decode_all(data: &[u8], table: &[(&'static EndpointInfo, Decode)], loose: Decode) {
    let reply = reply(data);
    for (ep, decode) in table {
        decode(ep, &reply);
    }
    loose(table[0].0, &reply);
}

/// Binary replies (wxacode, media): the path `call_binary` takes (the error envelope, the HTTP
/// status, then `decode_image` and its `Format::sniff`), and the request-side sniffing of every
/// image input's limits (`Limits::check_image`).
pub fn image_reply(data: &[u8]) {
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

/// A reply decoded as one endpoint's model, with what must hold checked; the generated
/// `JSON_REPLIES` tables of each vendor pair every JSON endpoint with its model.
pub(crate) type Decode = fn(&'static EndpointInfo, &Reply);

/// The fuzzer's bytes as a reply: the optional head, then the body.
fn reply(data: &[u8]) -> Reply {
    let mut status = 200;
    let mut headers = HeaderMap::new();
    let mut body = data;
    if let Some(rest) = data.strip_prefix(b"HTTP/1.1 ") {
        let (line, rest) = split_line(rest);
        if let Some(s) = line.get(..3).and_then(|d| std::str::from_utf8(d).ok()).and_then(|d| d.parse::<u16>().ok()) {
            status = s.max(100);
        }
        (headers, body) = header_lines(rest);
    }
    Reply { status, headers, body: Bytes::copy_from_slice(body) }
}

/// `Name: value` lines up to an empty line, and what follows it: the head of every target's
/// input (the emulator target's requests too). Lines that are not valid HTTP are skipped.
pub fn header_lines(mut rest: &[u8]) -> (HeaderMap, &[u8]) {
    let mut headers = HeaderMap::new();
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
    (headers, rest)
}

/// One line (without `\n` or `\r\n`) and the rest.
pub fn split_line(b: &[u8]) -> (&[u8], &[u8]) {
    match b.iter().position(|c| *c == b'\n') {
        Some(i) => (b[..i].strip_suffix(b"\r").unwrap_or(&b[..i]), &b[i + 1..]),
        None => (b, &[]),
    }
}

/// What `WeChat::call_json` does with a reply (`wechat::decode_json`: the error envelope, the
/// HTTP status, then the typed decode).
pub(crate) fn wechat_json<T: DeserializeOwned + Serialize + PartialEq + Debug>(ep: &'static EndpointInfo, reply: &Reply) {
    if let Some(e) = &wx::wechat_error(ep, reply) {
        check_api_error(e, Vendor::WeChat, reply);
        assert!(looks_like_json(&reply.body), "an API error from a body that is not a JSON object");
        assert_ne!(e.code, ErrorCode::WeChat(0), "errcode 0 reported as an error");
    }
    let out = wx::decode_json::<T>(ep, reply);
    // The one-pass read never lets through what the envelope-first read calls an error.
    if let Some(e) = wx::wechat_error(ep, reply) {
        assert!(matches!(&out, Err(crate::Error::Api(a)) if a.code == e.code), "errcode {} read as {out:?}", e.code);
    }
    check_result(out);
}

pub(crate) fn tencent_json<T: DeserializeOwned + Serialize + PartialEq + Debug>(ep: &'static EndpointInfo, reply: &Reply) {
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
