//! The HTTP side: one fallback handler that sends each request to the control API, Tencent Cloud
//! (POST / with X-TC-Action) or WeChat (by path), with the bits every vendor shares: reading the
//! body under a limit, multipart, injected faults and the call log.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;

use futures_util::StreamExt as _;
use image::DynamicImage;
use wxcv::rt::{EndpointInfo, InputInfo, InputKind};

use crate::imaging::{self, LoadError};
use crate::inputs::{self, FormField, ImageArg, InputFault, Inputs, Raw};
use crate::state::{Fault, LogEntry, State};

/// A request as the vendor handlers see it.
pub struct Call {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The body was larger than the emulator reads.
    pub too_large: bool,
}

/// What a vendor handler decided.
pub enum Outcome {
    Json(Value),
    Binary { content_type: &'static str, data: Bytes },
    Error { code: String, message: String },
}

pub async fn handle(axum::extract::State(st): axum::extract::State<Arc<State>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if parts.uri.path().starts_with("/__emulator/") {
        let body = match axum::body::to_bytes(body, st.config.max_body_bytes).await {
            Ok(b) => b,
            Err(_) => return json_response(StatusCode::PAYLOAD_TOO_LARGE, &serde_json::json!({"error": "body too large"})),
        };
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        let base = format!("http://{host}");
        return crate::control::handle(&st, &parts.method, parts.uri.path(), &base, body).await;
    }
    let limit = st.config.max_body_bytes;
    let (body, too_large) = match axum::body::to_bytes(body, limit).await {
        Ok(b) => (b, false),
        Err(_) => (Bytes::new(), true),
    };
    let call = Call { method: parts.method, uri: parts.uri, headers: parts.headers, body, too_large };
    // API 3.0 takes POST (JSON body) and GET (parameters in the query); WeChat has no API at `/`,
    // so a GET there with X-TC-Action is Tencent Cloud's.
    if call.uri.path() == "/" && (call.method == Method::POST || (call.method == Method::GET && call.headers.contains_key("x-tc-action"))) {
        crate::tencent::handle(&st, call).await
    } else {
        crate::wechat::handle(&st, call).await
    }
}

/// Reads the query, a multipart form and a JSON object body, whichever the request has.
pub async fn raw_inputs(call: &Call) -> Result<Raw, String> {
    let mut raw = Raw {
        query: axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&call.uri).map(|q| q.0).unwrap_or_default(),
        ..Raw::default()
    };
    let content_type = call.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
        let body = call.body.clone();
        let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
        let mut form = multer::Multipart::new(stream, boundary);
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or("").to_string();
                    let data = field.bytes().await.map_err(|e| e.to_string())?;
                    raw.form.insert(name, FormField { data });
                }
                Ok(None) => break,
                Err(e) => return Err(e.to_string()),
            }
        }
    } else if !call.body.is_empty() && (content_type.contains("json") || call.body.first() == Some(&b'{')) {
        match serde_json::from_slice::<Value>(&call.body) {
            Ok(Value::Object(m)) => raw.json = Some(m),
            _ => return Err("the body is not a JSON object".into()),
        }
    }
    Ok(raw)
}

/// Applies the parts of a fault that act before the call is handled: the delay, and the replies
/// that replace the real one. `Some(response)` means the call ends here.
pub async fn fault_before(f: &Fault, vendor_error: impl FnOnce(&Value) -> Response) -> Option<Response> {
    if let Some(ms) = f.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms.min(120_000))).await;
    }
    if let Some(code) = &f.errcode {
        return Some(vendor_error(code));
    }
    if let Some(status) = f.http_status {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = format!("<html><body><h1>{}</h1></body></html>", status);
        return Some((status, [(header::CONTENT_TYPE, "text/html")], body).into_response());
    }
    if f.non_json {
        return Some(
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], "<html><body>502 Bad Gateway</body></html>").into_response(),
        );
    }
    None
}

/// Applies the parts of a fault that spoil a real reply. `drop`: no response head at all, the
/// connection closes after the request was read (the body stream fails before hyper flushes the
/// head). `truncate`: the head with the full Content-Length and the first half of the body go
/// out, then the connection closes, so the client sees a short body.
pub async fn fault_after(f: Option<&Fault>, resp: Response) -> Response {
    let Some(f) = f.filter(|f| f.drop || f.truncate) else { return resp };
    let (mut parts, body) = resp.into_parts();
    let full = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
    let broken = || std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "fault injected by the emulator");
    if f.drop {
        // Failing on the first poll: hyper has only buffered the head, and drops it unsent.
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Err(broken())];
        return Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)));
    }
    let half = full.slice(..full.len() / 2);
    // The half is handed over, then the stream waits before it fails: hyper writes (flushes) what
    // it holds whenever the body has nothing ready, so head and half are on the wire before the
    // failure closes the connection.
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) }).chain(futures_util::stream::once(async move {
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(broken())
    }));
    Response::from_parts(parts, Body::from_stream(stream))
}

pub fn json_response(status: StatusCode, v: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], v.to_string()).into_response()
}

/// A JSON reply with exactly `Content-Type: application/json`, as Tencent Cloud's API 3.0 sends
/// it: tencentcloud-sdk-python (>= 3.0.995) reads `Response.Error` only under exactly that type
/// (or `text/plain`), so a `; charset=utf-8` would turn every error into an empty success there.
pub fn tencent_json_response(status: StatusCode, v: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// Records a handled call and returns its response.
pub fn logged(st: &State, mut entry: LogEntry, resp: Response) -> Response {
    entry.http_status = resp.status().as_u16();
    st.record(entry);
    resp
}

pub fn entry(vendor: &'static str, endpoint: String, code: String, appid: Option<String>, fault: Option<Fault>) -> LogEntry {
    LogEntry { seq: 0, at: 0, vendor, endpoint, http_status: 200, code, appid, fault }
}

/// A picture input that cannot be used: an input at fault (the vendor maps its kind to a code),
/// or the emulator's own failure.
pub enum PictureError {
    Input(InputFault),
    Internal(String),
}

/// The picture of a call's image input, uploaded or fetched from a loopback URL and checked
/// against the spec's limits; with the input it came through.
pub async fn picture(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Result<(&'static InputInfo, Bytes), PictureError> {
    let Some((name, arg)) = inp.image() else { return Err(PictureError::Internal("no picture".into())) };
    let input = ep.input(name).ok_or_else(|| PictureError::Internal("no image input".into()))?;
    match arg {
        ImageArg::Data(b) => Ok((input, b.clone())),
        ImageArg::Url(u) => {
            let bytes = fetch(st, u).await.map_err(|m| PictureError::Input(InputFault::new(input, "url", m)))?;
            let wire = match input.kind {
                InputKind::Image(w) => w.url.1,
                _ => name,
            };
            inputs::check_image_bytes(input, wire, &bytes).map_err(PictureError::Input)?;
            Ok((input, bytes))
        }
    }
}

/// Decodes picture bytes off the async threads, under the pixel limit.
pub async fn decode(st: &State, input: &'static InputInfo, bytes: Bytes) -> Result<DynamicImage, PictureError> {
    let max = st.config.max_pixels;
    match tokio::task::spawn_blocking(move || imaging::load(&bytes, max)).await {
        Ok(Ok(img)) => Ok(img),
        Ok(Err(LoadError::TooManyPixels { width, height, limit })) => {
            Err(PictureError::Input(InputFault::new(input, "pixels", format!("{width}x{height} is more than {limit} pixels"))))
        }
        Ok(Err(LoadError::Undecodable(m))) => Err(PictureError::Input(InputFault::new(input, "format", format!("undecodable picture: {m}")))),
        Err(_) => Err(PictureError::Internal("the decoder failed".into())),
    }
}

/// Fetches a picture URL. Only loopback hosts: the emulator never reaches the network.
pub async fn fetch(st: &State, url: &str) -> Result<Bytes, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad URL: {e}"))?;
    let host = parsed.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err("the emulator fetches loopback URLs only".into());
    }
    let resp = st.http.get(parsed).send().await.map_err(|e| format!("fetch failed: {}", e.without_url()))?;
    if !resp.status().is_success() {
        return Err(format!("fetch answered HTTP {}", resp.status().as_u16()));
    }
    // Read at most what the emulator reads of a request body.
    let cap = st.config.max_body_bytes;
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| format!("fetch failed: {}", e.without_url()))?;
        if body.len() + chunk.len() > cap {
            return Err(format!("the picture at the URL is larger than {cap} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// A call's picture for an endpoint that decodes codes: the canned reply registered for it, given
/// as it is without decoding (what the benchmarks use), or the picture decoded.
pub enum Scanned {
    Canned(serde_json::Value),
    Decoded(DynamicImage),
}

pub async fn canned_or_decoded(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Result<Scanned, PictureError> {
    let (input, bytes) = picture(st, ep, inp).await?;
    if let Some(reply) = st.fixture(ep, &bytes) {
        return Ok(Scanned::Canned(reply));
    }
    Ok(Scanned::Decoded(decode(st, input, bytes).await?))
}

/// The reply registered for this endpoint and the call's picture (`POST /__emulator/fixtures/ocr`),
/// once the picture is fetched and known to decode as one: undecodable bytes are the input's
/// documented fault, whatever is registered.
pub async fn fixture_for(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Result<Option<serde_json::Value>, PictureError> {
    let (input, bytes) = picture(st, ep, inp).await?;
    decode(st, input, bytes.clone()).await?;
    Ok(st.fixture(ep, &bytes))
}
