//! A loopback HTTP server that records every request byte for byte and answers with whatever the
//! test says. Used to pin the exact wire format of each endpoint.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::Response;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The query exactly as it arrived (what a GET's TC3 signature covers).
    pub raw_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers.get(key).and_then(|v| v.to_str().ok())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
    /// Multipart fields: name -> (filename, content type, bytes).
    pub fn multipart(&self) -> BTreeMap<String, (Option<String>, Option<String>, Vec<u8>)> {
        let ct = self.header("content-type").expect("content-type");
        let boundary = ct.split("boundary=").nth(1).expect("boundary").trim_matches('"');
        let delim = format!("--{boundary}");
        let body = &self.body[..];
        let mut out = BTreeMap::new();
        let positions: Vec<usize> = find_all(body, delim.as_bytes());
        for w in positions.windows(2) {
            let part = &body[w[0] + delim.len()..w[1]];
            let part = part.strip_prefix(b"\r\n").unwrap_or(part);
            let part = part.strip_suffix(b"\r\n").unwrap_or(part);
            let split = find_all(part, b"\r\n\r\n")[0];
            let head = std::str::from_utf8(&part[..split]).unwrap();
            let data = part[split + 4..].to_vec();
            let mut name = None;
            let mut filename = None;
            let mut ctype = None;
            for line in head.split("\r\n") {
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("content-disposition") {
                    for attr in line.split(';') {
                        let attr = attr.trim();
                        if let Some(v) = attr.strip_prefix("name=") {
                            name = Some(v.trim_matches('"').to_string());
                        }
                        if let Some(v) = attr.strip_prefix("filename=") {
                            filename = Some(v.trim_matches('"').to_string());
                        }
                    }
                } else if lower.starts_with("content-type") {
                    ctype = Some(line.split_once(':').unwrap().1.trim().to_string());
                }
            }
            out.insert(name.expect("field name"), (filename, ctype, data));
        }
        out
    }
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..hay.len().saturating_sub(needle.len() - 1)).filter(|&i| &hay[i..i + needle.len()] == needle).collect()
}

/// What the server answers.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub delay: Duration,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(v: serde_json::Value) -> Reply {
        Reply { status: 200, content_type: "application/json", body: v.to_string().into_bytes(), delay: Duration::ZERO, headers: vec![] }
    }
    pub fn raw(content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status: 200, content_type, body: body.into(), delay: Duration::ZERO, headers: vec![] }
    }
    pub fn delayed(mut self, d: Duration) -> Reply {
        self.delay = d;
        self
    }
    pub fn status(mut self, s: u16) -> Reply {
        self.status = s;
        self
    }
    pub fn header(mut self, k: &'static str, v: &str) -> Reply {
        self.headers.push((k, v.to_string()));
        self
    }
}

type Responder = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

pub struct Server {
    pub url: String,
    pub log: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    pub async fn start(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Server {
        let responder: Responder = Arc::new(responder);
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let log2 = log.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let responder = responder.clone();
            let log = log2.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 64 * 1024 * 1024).await.unwrap();
                let query = parts
                    .uri
                    .query()
                    .map(|q| url_pairs(q))
                    .unwrap_or_default();
                let rec = Recorded {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    raw_query: parts.uri.query().unwrap_or_default().to_string(),
                    query,
                    headers: parts.headers.clone(),
                    body,
                };
                log.lock().unwrap().push(rec.clone());
                let reply = responder(&rec);
                if !reply.delay.is_zero() {
                    tokio::time::sleep(reply.delay).await;
                }
                let mut b = Response::builder()
                    .status(StatusCode::from_u16(reply.status).unwrap())
                    .header("content-type", reply.content_type);
                for (k, v) in reply.headers {
                    b = b.header(k, v);
                }
                b.body(Body::from(reply.body)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { url, log }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }
    pub fn count(&self, path: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|r| r.path == path).count()
    }
}

fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() + 0 && i + 2 <= b.len() - 1 => {
                out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap());
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// A tiny valid-looking JPEG (magic bytes are all the client checks).
pub fn jpeg(len: usize) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0];
    v.resize(len.max(4), 0x11);
    v
}

pub fn png(len: usize) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.resize(len.max(8), 0x22);
    v
}

pub const APPID: &str = "wx-test-app";
pub const SECRET: &str = "APP-SECRET-never-printed";

/// The seed's scanQRCode example reply (seed 000).
pub fn seed_scan_reply() -> serde_json::Value {
    serde_json::json!({
        "errcode": 0, "errmsg": "ok",
        "code_results": [
            {"type_name": "QR_CODE", "data": "http://www.qq.com", "pos": {"left_top": {"x": 585, "y": 378}, "right_top": {"x": 828, "y": 378}, "right_bottom": {"x": 828, "y": 618}, "left_bottom": {"x": 585, "y": 618}}},
            {"type_name": "QR_CODE", "data": "https://mp.weixin.qq.com", "pos": {"left_top": {"x": 185, "y": 142}, "right_top": {"x": 396, "y": 142}, "right_bottom": {"x": 396, "y": 353}, "left_bottom": {"x": 185, "y": 353}}},
            {"type_name": "EAN_13", "data": "5906789678957"},
            {"type_name": "CODE_128", "data": "50090500019191"}
        ],
        "img_size": {"w": 1000, "h": 900}
    })
}
