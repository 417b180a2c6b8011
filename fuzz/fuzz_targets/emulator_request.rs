//! The emulator's request handling: requests of any method, path, query, headers and body, sent
//! to its axum router in-process (`tower::ServiceExt::oneshot`, no socket) on a current-thread
//! runtime with a paused clock (injected delays cost nothing), against a fresh emulator each run.
//!
//! Input: up to 8 requests separated by a line `%%`. Each is HTTP/1.1-like text: a request line
//! `METHOD /path?query` (anything after a second space is ignored), `Name: value` header lines, an
//! empty line, then the body (the rest, byte for byte). A first line `CLOUDBASE` starts the
//! emulator in CloudBase mode. To let the fuzzer past authentication:
//! - the access token `FUZZTOKEN` is valid for the emulator's app (`wx0e0a1b2c3d4e5f60`);
//! - a request with an `x-fuzz-sign` header is sent TC3-signed with the emulator's key pair for
//!   the current time (`Authorization` and `X-TC-Timestamp` replaced; `Host: 127.0.0.1` if none).
//!
//! What must hold: no panic, and until a request reaches the control API (which can arm faults and
//! register arbitrary fixtures), every answer of a vendor route is in a vendor's shape: JSON with
//! an integer `errcode` (WeChat) or a `Response` object with a `RequestId` (Tencent Cloud), or a
//! picture with an image content type.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri, header};
use tower::ServiceExt as _;
use wxcv_emulator::state::{State, Token};
use wxcv::fuzzing::{header_lines, split_line};
use wxcv_emulator::{EmulatorConfig, router};

const SEPARATOR: &[u8] = b"\n%%\n";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().expect("a tokio runtime")
    })
}

/// Fetches of img_url / ImageUrl go to a proxy whose name never resolves: they fail at once,
/// the same way every run, and nothing leaves the process.
fn offline_client() -> reqwest::Client {
    struct NoDns;
    impl reqwest::dns::Resolve for NoDns {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            Box::pin(async { Err("the fuzz target resolves no name".into()) })
        }
    }
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .proxy(reqwest::Proxy::all("http://offline.fuzz.invalid").expect("a proxy URL"))
                .dns_resolver(Arc::new(NoDns))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client")
        })
        .clone()
}

struct Parsed {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
    sign: bool,
}

fn parse(text: &[u8]) -> Option<Parsed> {
    let (line, rest) = split_line(text);
    let mut words = line.split(|b| *b == b' ');
    let method = Method::from_bytes(words.next()?).ok()?;
    let uri = Uri::try_from(words.next()?).ok()?;
    uri.path_and_query()?;
    let (mut headers, rest) = header_lines(rest);
    let sign = headers.remove("x-fuzz-sign").is_some();
    Some(Parsed { method, uri, headers, body: rest.to_vec(), sign })
}

/// Authorization and X-TC-Timestamp as a client holding the emulator's key pair sends them.
fn sign(st: &State, p: &mut Parsed) {
    if !p.headers.contains_key(header::HOST) {
        p.headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1"));
    }
    let text = |h: &HeaderMap, n: HeaderName| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let timestamp = st.now();
    let sig = wxcv::tc3::sign(&wxcv::tc3::SignInput {
        secret_id: wxcv_emulator::SECRET_ID,
        secret_key: wxcv_emulator::SECRET_KEY,
        service: "ocr",
        host: &text(&p.headers, header::HOST),
        content_type: &text(&p.headers, header::CONTENT_TYPE),
        payload: &p.body,
        timestamp,
    });
    if let Ok(v) = HeaderValue::from_str(&sig.authorization) {
        p.headers.insert(header::AUTHORIZATION, v);
    }
    p.headers.insert("x-tc-timestamp", HeaderValue::from(timestamp));
}

/// A vendor route's answer: WeChat's or Tencent Cloud's JSON, or a picture.
fn vendor_shaped(headers: &HeaderMap, body: &[u8]) -> bool {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("image/") {
        return wxcv::Format::sniff(body).is_some();
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        // WeChat's token replies are `{access_token, expires_in}` alone, with no errcode.
        Ok(v) => {
            let token_reply = v.as_object().is_some_and(|o| o.len() == 2 && o.get("access_token").is_some_and(serde_json::Value::is_string) && o.get("expires_in").is_some_and(serde_json::Value::is_i64));
            v.get("errcode").is_some_and(serde_json::Value::is_i64) || v["Response"]["RequestId"].is_string() || token_reply
        }
        Err(_) => false,
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (cloudbase, data) = match data.strip_prefix(b"CLOUDBASE\n") {
        Some(rest) => (true, rest),
        None => (false, data),
    };
    let config = EmulatorConfig { cloudbase, wxacode_limit: 3, max_body_bytes: 256 << 10, max_pixels: 400_000, ..EmulatorConfig::default() };
    let mut state = State::new(config);
    state.http = offline_client();
    state.lock().tokens.insert("FUZZTOKEN".into(), Token { appid: wxcv_emulator::APPID.into(), expires_at: state.now() + 10 * 365 * 86_400 });
    let state = Arc::new(state);
    let app = router(state.clone());
    let mut controlled = false;
    let mut rest = data;
    for _ in 0..8 {
        let text = match rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
            Some(i) => {
                let t = &rest[..i];
                rest = &rest[i + SEPARATOR.len()..];
                t
            }
            None => std::mem::take(&mut rest),
        };
        if let Some(mut p) = parse(text) {
            if p.sign {
                sign(&state, &mut p);
            }
            let control = p.uri.path().starts_with("/__emulator/");
            let mut req = Request::new(Body::from(p.body));
            *req.method_mut() = p.method;
            *req.uri_mut() = p.uri;
            *req.headers_mut() = p.headers;
            let (status, headers, body) = runtime().block_on(async {
                let resp = app.clone().oneshot(req).await.expect("the router is infallible");
                let (parts, body) = resp.into_parts();
                // An armed `drop` / `truncate` fault breaks the body on purpose.
                let body = axum::body::to_bytes(body, usize::MAX).await.ok();
                (parts.status, parts.headers, body)
            });
            if !control && !controlled {
                let body = body.expect("a whole body when no fault is armed");
                assert!(vendor_shaped(&headers, &body), "HTTP {status}, not in a vendor's shape: {:?}", String::from_utf8_lossy(&body[..body.len().min(300)]));
            }
            controlled |= control;
        }
        if rest.is_empty() {
            break;
        }
    }
});
