//! WeChat's side: routes and inputs from the spec's tables, access tokens, and the behaviour of
//! each endpoint family. Replies are the client's generated models, serialized.

use std::sync::Arc;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Map, Value, json};
use wxcv::rt::{AuthKind, EndpointInfo, InputInfo, OutputKind};
use wxcv::wechat as wx;

use crate::imaging;
use crate::inputs::{self, InputFault, Inputs};
use crate::server::{self, Call, Outcome, PictureError};
use crate::state::{MEDIA_TTL, Media, State};

/// The generic errcode when an input names no code of its own.
const INVALID_ARGS: &str = "40097";

pub async fn handle(st: &Arc<State>, call: Call) -> Response {
    let path = call.uri.path().to_string();
    let Some(ep) = wx::ENDPOINTS.iter().copied().find(|e| e.path == path) else {
        let body = json!({"errcode": 404, "errmsg": format!("no such API: {path}")});
        let resp = server::json_response(StatusCode::NOT_FOUND, &body);
        return server::logged(st, server::entry("wechat", path, "404".into(), None, None), resp);
    };
    let id = format!("{}.{}", ep.group, ep.id);
    let fault = st.take_fault(&id, ep.name);
    if let Some(f) = &fault {
        let rid = st.fresh_id("rid", 8);
        if let Some(resp) = server::fault_before(f, |code| error_response(ep, &code_text(code), None, &rid)).await {
            let code = f.errcode.as_ref().map(code_text).unwrap_or_default();
            return server::logged(st, server::entry("wechat", id, code, None, fault.clone()), resp);
        }
    }
    let (outcome, appid, cloudbase) = run(st, ep, &call).await;
    let rid = st.fresh_id("rid", 24);
    let (code, resp) = match outcome {
        Outcome::Json(mut v) => {
            // The token endpoints answer `{access_token, expires_in}` alone; every other JSON
            // success carries errcode 0 and errmsg "ok" first.
            if let (Value::Object(m), false) = (&mut v, ep.group == "auth") {
                let mut out = Map::new();
                out.insert("errcode".into(), json!(0));
                out.insert("errmsg".into(), json!("ok"));
                out.extend(std::mem::take(m));
                v = Value::Object(out);
            }
            ("0".to_string(), server::json_response(StatusCode::OK, &v))
        }
        Outcome::Binary { content_type, data } => ("0".to_string(), ([(header::CONTENT_TYPE, content_type)], data).into_response()),
        Outcome::Error { code, message } => (code.clone(), error_response(ep, &code, Some(&message), &rid)),
    };
    let mut resp = resp;
    if cloudbase {
        if let Ok(v) = HeaderValue::from_str(&rid) {
            resp.headers_mut().insert("x-openapi-seqid", v);
        }
    }
    let resp = server::fault_after(fault.as_ref(), resp).await;
    server::logged(st, server::entry("wechat", id, code, appid, fault), resp)
}

fn code_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `{errcode, errmsg}` with the table's errmsg, a detail when there is one, and a request id.
fn error_response(ep: &EndpointInfo, code: &str, detail: Option<&str>, rid: &str) -> Response {
    let info = ep.error_info(code);
    let base = info.map(|i| i.errmsg.unwrap_or(i.en)).unwrap_or("error");
    let msg = match detail {
        // The table's errmsg is said once: a detail that only repeats it is left out.
        Some(d) if !d.is_empty() && !d.eq_ignore_ascii_case(base) => format!("{base}: {d} rid: {rid}"),
        _ => format!("{base} rid: {rid}"),
    };
    let errcode: Value = code.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(code.to_string()));
    server::json_response(StatusCode::OK, &json!({"errcode": errcode, "errmsg": msg}))
}

fn err(code: impl Into<String>, message: impl Into<String>) -> Outcome {
    Outcome::Error { code: code.into(), message: message.into() }
}

fn input_error(f: &InputFault) -> Outcome {
    err(f.input.invalid_code(f.kind).unwrap_or(INVALID_ARGS), f.message.clone())
}

/// Authenticates and runs one call. Returns the outcome, the calling app, and whether the call
/// came through CloudBase's open API service (no token).
async fn run(st: &Arc<State>, ep: &'static EndpointInfo, call: &Call) -> (Outcome, Option<String>, bool) {
    if ep.method == wxcv::rt::Method::Post && call.method == Method::GET {
        return (err("43002", "this API requires POST"), None, false);
    }
    let query = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&call.uri).map(|q| q.0).unwrap_or_default();
    let mut appid = None;
    let mut cloudbase = false;
    if ep.auth == AuthKind::AccessToken {
        // `access_token`, or inside CloudBase its own name for it (the spec's cloud_call).
        let token_param = |k: &str| k == "access_token" || k == wx::CLOUDBASE_TOKEN_PARAM;
        match query.iter().find(|(k, v)| token_param(k) && !v.is_empty()).map(|(_, v)| v.as_str()) {
            None if st.config.cloudbase => cloudbase = true,
            None => return (err("41001", "access_token missing"), None, false),
            Some(t) => {
                let rec = st.lock().tokens.get(t).cloned();
                match rec {
                    None => return (err("40001", "invalid credential, access_token is invalid or not latest"), None, false),
                    Some(r) if r.expires_at <= st.now() => return (err("42001", "access_token expired"), Some(r.appid), false),
                    Some(r) => appid = Some(r.appid),
                }
            }
        }
    }
    if call.too_large {
        let code = ep.inputs.iter().find_map(|i| i.invalid_code("size")).unwrap_or("47001");
        return (err(code, format!("the body is larger than {} bytes", st.config.max_body_bytes)), appid, cloudbase);
    }
    let raw = match server::raw_inputs(call).await {
        Ok(r) => r,
        Err(m) => return (err("47001", m), appid, cloudbase),
    };
    if ep.inputs.iter().any(|i| matches!(i.kind, wxcv::rt::InputKind::Value { loc: wxcv::rt::Loc::Json, .. })) && raw.json.is_none() {
        return (err("47001", "the body must be a JSON object"), appid, cloudbase);
    }
    let inputs = match inputs::read(ep, &raw) {
        Ok(i) => i,
        Err(f) => return (input_error(&f), appid, cloudbase),
    };
    let app = appid.clone().unwrap_or_else(|| crate::APPID.to_string());
    let out = behave(st, ep, &inputs, &app).await;
    (out, appid, cloudbase)
}

async fn behave(st: &Arc<State>, ep: &'static EndpointInfo, inp: &Inputs, appid: &str) -> Outcome {
    match (ep.group, ep.id) {
        ("auth", "get_access_token") => token(st, inp, false),
        ("auth", "get_stable_access_token") => token(st, inp, true),
        ("img", "scan_qrcode") => scan(st, ep, inp).await,
        ("img", "superresolution") => superresolution(st, ep, inp).await,
        ("img", "ai_crop") => ai_crop(st, ep, inp).await,
        ("media", "get_temp_media") => media(st, inp),
        ("wxacode", id) => wxacode(st, id, inp, appid).await,
        // Every other endpoint that reads a picture (the OCR family, and any the spec adds):
        // the fixture registered for that picture, else "certificate not found".
        _ if ep.output == OutputKind::Json => ocr_fixture(st, ep, inp).await,
        _ => err("-1", "the emulator has no behaviour for this endpoint"),
    }
}

fn token(st: &State, inp: &Inputs, stable: bool) -> Outcome {
    let appid = inp.str("appid").unwrap_or_default();
    let secret = inp.str("secret").unwrap_or_default();
    let known = st.lock().apps.get(appid).cloned();
    match known {
        None => return err("40013", "invalid appid"),
        Some(s) if s != secret => return err("40125", "invalid appsecret"),
        Some(_) => {}
    }
    let force = inp.bool("force_refresh").unwrap_or(false);
    let (token, expires_in) = match (stable, force, st.live_stable_token(appid)) {
        (true, false, Some(live)) => live,
        _ => st.issue_token(appid, stable),
    };
    model(&wx::AccessToken { access_token: token.into(), expires_in })
}

fn model<T: serde::Serialize>(m: &T) -> Outcome {
    match serde_json::to_value(m) {
        Ok(v) => Outcome::Json(v),
        Err(e) => err("-1", e.to_string()),
    }
}

fn picture_error(e: PictureError) -> Outcome {
    match e {
        PictureError::Input(f) => input_error(&f),
        PictureError::Internal(m) => err("-1", m),
    }
}

/// A call's picture, decoded under the pixel limit.
async fn decoded(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Result<(&'static InputInfo, image::DynamicImage), Outcome> {
    let (input, bytes) = server::picture(st, ep, inp).await.map_err(picture_error)?;
    let img = server::decode(st, input, bytes).await.map_err(picture_error)?;
    Ok((input, img))
}

async fn scan(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Outcome {
    let img = match server::canned_or_decoded(st, ep, inp).await {
        Ok(server::Scanned::Decoded(i)) => i,
        Ok(server::Scanned::Canned(reply)) => return Outcome::Json(reply),
        Err(e) => return picture_error(e),
    };
    let (w, h) = (img.width(), img.height());
    let found = tokio::task::spawn_blocking(move || crate::codes::decode(&img.to_luma8())).await.unwrap_or_default();
    let pt = |(x, y): (i64, i64)| wx::Point { x, y };
    let code_results = found
        .into_iter()
        .map(|c| wx::CodeResult {
            type_name: c.symbology.wechat_name().to_string(),
            data: c.text,
            pos: c.symbology.reports_position().then(|| wx::Pos {
                left_top: pt(c.corners[0]),
                right_top: pt(c.corners[1]),
                right_bottom: pt(c.corners[2]),
                left_bottom: pt(c.corners[3]),
            }),
        })
        .collect();
    model(&wx::ScanQrcodeResult { code_results, img_size: Some(wx::ImgSize { w: w as i64, h: h as i64 }) })
}

async fn superresolution(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Outcome {
    let (input, img) = match decoded(st, ep, inp).await {
        Ok(d) => d,
        Err(o) => return o,
    };
    if (img.width() as u64 * 2) * (img.height() as u64 * 2) > st.config.max_pixels {
        return input_error(&InputFault::new(input, "pixels", "the 2x picture would exceed the pixel limit"));
    }
    let jpeg = match tokio::task::spawn_blocking(move || imaging::upscale_2x(&img)).await {
        Ok(Ok(j)) => j,
        _ => return err("-1", "upscaling failed"),
    };
    let media_id = st.fresh_id("media", 48);
    let expires_at = st.now() + MEDIA_TTL;
    let mut g = st.lock();
    let now = st.now();
    g.media.retain(|_, m| m.expires_at > now);
    g.media.insert(media_id.clone(), Media { content_type: "image/jpeg".into(), data: Bytes::from(jpeg), expires_at });
    drop(g);
    model(&wx::SuperresolutionResult { media_id })
}

fn media(st: &State, inp: &Inputs) -> Outcome {
    let id = inp.str("media_id").unwrap_or_default();
    let now = st.now();
    let found = st.lock().media.get(id).filter(|m| m.expires_at > now).cloned();
    match found {
        Some(m) => Outcome::Binary { content_type: if m.content_type == "image/png" { "image/png" } else { "image/jpeg" }, data: m.data },
        None => err("40007", "invalid media_id"),
    }
}

async fn ai_crop(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Outcome {
    let img = match decoded(st, ep, inp).await {
        Ok((_, i)) => i,
        Err(o) => return o,
    };
    let ratios: Vec<f64> = inp.values.get("ratios").and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|x| x.as_f64()).collect()).unwrap_or_default();
    let (w, h) = (img.width(), img.height());
    let rects = tokio::task::spawn_blocking(move || imaging::ai_crop(&img, &ratios)).await.unwrap_or_default();
    let results = rects
        .into_iter()
        .map(|(l, t, r, b)| wx::CropResult { crop_left: l, crop_top: t, crop_right: r, crop_bottom: b })
        .collect();
    model(&wx::AiCropResult { results, img_size: Some(wx::ImgSize { w: w as i64, h: h as i64 }) })
}

/// The link a generated code carries: the app, the kind of code and what it opens.
pub fn wxacode_link(appid: &str, kind: &str, params: &[(&str, &str)]) -> String {
    let mut q = String::new();
    for (k, v) in params {
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str(k);
        q.push('=');
        for b in v.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                q.push(b as char);
            } else {
                q.push_str(&format!("%{b:02X}"));
            }
        }
    }
    format!("https://wxacode.emulator.invalid/{kind}/{appid}?{q}")
}

async fn wxacode(st: &State, id: &str, inp: &Inputs, appid: &str) -> Outcome {
    let width = inp.int("width").unwrap_or(430).clamp(280, 1280) as u32;
    let color = match (inp.bool("auto_color").unwrap_or(false), inp.values.get("line_color")) {
        (false, Some(c)) => {
            let ch = |k: &str| c.get(k).and_then(|v| v.as_i64()).unwrap_or(0).clamp(0, 255) as u8;
            [ch("r"), ch("g"), ch("b")]
        }
        _ => [0, 0, 0],
    };
    let transparent = inp.bool("is_hyaline").unwrap_or(false);
    let env = inp.str("env_version").unwrap_or("release").to_string();
    let link = match id {
        "get_unlimited" => {
            let scene = inp.str("scene").unwrap_or_default();
            let page = inp.str("page").unwrap_or("");
            wxacode_link(appid, "unlimited", &[("scene", scene), ("page", page), ("env_version", &env)])
        }
        "create_qrcode" => wxacode_link(appid, "qrcode", &[("path", inp.str("path").unwrap_or_default())]),
        _ => wxacode_link(appid, "code", &[("path", inp.str("path").unwrap_or_default()), ("env_version", &env)]),
    };
    // get and createQRCode share one count per app; getUnlimited has none.
    if id != "get_unlimited" {
        let mut g = st.lock();
        let n = g.wxacode_count.entry(appid.to_string()).or_default();
        if *n >= st.config.wxacode_limit {
            return err("45029", format!("{} codes already created", st.config.wxacode_limit));
        }
        *n += 1;
    }
    // The same code asked for again is served from a small memo (the benchmarks ask for one code
    // many times; drawing it is what would be timed otherwise).
    let key = (link.clone(), width, color, transparent);
    if let Some((content_type, data)) = st.lock().drawn.get(&key).cloned() {
        return Outcome::Binary { content_type, data };
    }
    match tokio::task::spawn_blocking(move || imaging::draw_code(&link, width, color, transparent)).await {
        Ok(Ok((content_type, data))) => {
            let data = Bytes::from(data);
            let mut g = st.lock();
            if g.drawn.len() >= crate::state::DRAWN_MEMO {
                g.drawn.clear();
            }
            g.drawn.insert(key, (content_type, data.clone()));
            Outcome::Binary { content_type, data }
        }
        _ => err("-1", "could not draw the code"),
    }
}

async fn ocr_fixture(st: &State, ep: &'static EndpointInfo, inp: &Inputs) -> Outcome {
    if inp.image().is_none() {
        return err("-1", "the emulator has no behaviour for this endpoint");
    }
    // The picture must at least be one: undecodable bytes get the documented code.
    match server::fixture_for(st, ep, inp).await {
        Err(e) => picture_error(e),
        Ok(Some(v)) => Outcome::Json(v),
        Ok(None) => err("101001", "certificate not found"),
    }
}
