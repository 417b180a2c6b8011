//! The Rust side of `cargo xtask bench`. Each subcommand prints one JSON object on stdout, which
//! xtask reads; nothing here is timed by a test.
//!
//! - `serve`: the emulator as a server (release build), with canned replies registered for the
//!   benchmark pictures, until stdin closes.
//! - `client`: our client against a raw reqwest exchange, in alternating batches.
//! - `cold`: 1,000 concurrent first calls on a new app; how many tokens were fetched.
//! - `memory`: peak RSS of uploading one picture many times (one side per process).
//! - `decode`: the emulator's decoder on one picture.
//! - `agree`: every picture of a corpus read by one of the emulator's readers (agree.rs).
//! - `corpus`: a seeded corpus of photo-like barcode pictures and what was drawn in them (corpus.rs).

mod agree;
mod corpus;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::{Parser, Subcommand};
use serde::Deserialize;
use serde_json::{Value, json};
use wxcv::wechat::{CodeResult, ImgSize, ScanQrcodeRequest, WeChat, WeChatConfig};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the emulator; register the pictures' decoded codes as canned replies of scanQRCode
    /// and QrcodeOCR, so client benchmarks do not time the decoder.
    Serve {
        #[arg(long = "canned")]
        canned: Vec<std::path::PathBuf>,
    },
    /// Ours against raw reqwest: scanQRCode with the picture, `calls` calls a batch, `rounds`
    /// batches a side, sides alternating, at each concurrency.
    Client {
        #[arg(long)]
        base: String,
        #[arg(long)]
        image: std::path::PathBuf,
        #[arg(long, default_value_t = 2000)]
        calls: usize,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        #[arg(long, value_delimiter = ',', default_value = "1,64")]
        inflight: Vec<usize>,
        /// Profile one side alone (`ours` or `raw`); both by default.
        #[arg(long)]
        only: Option<String>,
    },
    /// `calls` concurrent first calls of a new app; counts the tokens fetched.
    Cold {
        #[arg(long)]
        base: String,
        #[arg(long)]
        image: std::path::PathBuf,
        #[arg(long, default_value_t = 1000)]
        calls: usize,
    },
    /// Peak RSS of uploading the picture `calls` times, one call after another.
    Memory {
        #[arg(long)]
        base: String,
        #[arg(long)]
        image: std::path::PathBuf,
        #[arg(long, default_value_t = 1000)]
        calls: usize,
        /// `ours` or `raw`
        #[arg(long)]
        side: String,
    },
    /// The emulator's decoder (picture file decoded, then every code read) for `seconds`.
    Decode {
        #[arg(long)]
        image: std::path::PathBuf,
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
    /// Every picture of a corpus (`DIR/truth.json`) read by one reader on `jobs` threads.
    Agree {
        #[arg(long)]
        corpus: std::path::PathBuf,
        /// `zxing-cpp` or `rxing`
        #[arg(long, default_value = "zxing-cpp")]
        reader: String,
        #[arg(long, default_value_t = 1)]
        jobs: usize,
    },
    /// Draws a seeded corpus of photo-like barcode pictures into `out`, with `out/truth.json`.
    Corpus {
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Pictures a (symbology, distortion).
        #[arg(long, default_value_t = 3)]
        per_cell: usize,
    },
}

type Res<T> = Result<T, String>;

fn main() {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let out = rt.block_on(async {
        match cli.cmd {
            Cmd::Serve { canned } => serve(canned).await,
            Cmd::Client { base, image, calls, rounds, inflight, only } => client(&base, &read(&image)?, calls, rounds, &inflight, only.as_deref()).await,
            Cmd::Cold { base, image, calls } => cold(&base, &read(&image)?, calls).await,
            Cmd::Memory { base, image, calls, side } => memory(&base, &image, calls, &side).await,
            Cmd::Decode { image, seconds } => decode(&read(&image)?, seconds),
            Cmd::Agree { corpus, reader, jobs } => agree::agree(&corpus, agree::reader(&reader)?, jobs),
            Cmd::Corpus { out, seed, per_cell } => corpus::corpus(&out, seed, per_cell),
        }
    });
    match out {
        // `serve` ends when xtask has gone: nothing left to say, and stdout may be closed.
        Ok(v) if v.get("stopped").is_some() => {}
        Ok(v) => println!("{v}"),
        Err(e) => {
            eprintln!("wxcv-bench: {e}");
            std::process::exit(1);
        }
    }
}

fn read(p: &std::path::Path) -> Res<Bytes> {
    std::fs::read(p).map(Bytes::from).map_err(|e| format!("{}: {e}", p.display()))
}

/// CPU time of the whole process so far (every thread), in nanoseconds.
fn cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Peak and current resident set size of this process, in KiB (/proc/self/status).
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).and_then(|r| r.split_whitespace().next()).and_then(|n| n.parse().ok()).unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

async fn control(base: &str, path: &str, body: Value) -> Res<Value> {
    let r = reqwest::Client::new().post(format!("{base}/__emulator/{path}")).json(&body).send().await.map_err(|e| e.to_string())?;
    let status = r.status();
    let v: Value = r.json().await.map_err(|e| e.to_string())?;
    if status.is_success() { Ok(v) } else { Err(format!("{path}: {status} {v}")) }
}

async fn counters(base: &str) -> Res<Value> {
    reqwest::get(format!("{base}/__emulator/counters")).await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())
}

/// A new app on the emulator (its own token count and code quota).
async fn new_app(base: &str, name: &str) -> Res<(String, String)> {
    let appid = format!("wxbench{name}{:x}", std::process::id() as u64 * 1_000_003 + Instant::now().elapsed().subsec_nanos() as u64);
    let secret = format!("bench-secret-{appid}");
    control(base, "apps", json!({"appid": appid, "secret": secret})).await?;
    Ok((appid, secret))
}

async fn serve(canned: Vec<std::path::PathBuf>) -> Res<Value> {
    let config = wxcv_emulator::EmulatorConfig { wxacode_limit: u64::MAX, ..Default::default() };
    let emu = wxcv_emulator::Emulator::start_with(config, std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await.map_err(|e| e.to_string())?;
    let wx = WeChat::new(emu.wechat_config()).map_err(|e| e.to_string())?;
    let tc = wxcv::tencentcloud::TencentCloud::new(emu.tencent_config()).map_err(|e| e.to_string())?;
    let mut pictures = Vec::new();
    for path in &canned {
        let data = read(path)?;
        // The canned replies are what the emulator decodes in each picture.
        let scan = wx.img().scan_qrcode(ScanQrcodeRequest::new(data.clone())).await.map_err(|e| format!("{}: {e}", path.display()))?;
        let ocr = tc
            .ocr()
            .qrcode_ocr(wxcv::tencentcloud::QrcodeOcrRequest::new(data.clone()))
            .await
            .map_err(|e| format!("{}: {e}", path.display()))?;
        emu.register_ocr("img.scan_qrcode", &data, serde_json::to_value(&scan).map_err(|e| e.to_string())?)?;
        emu.register_ocr("QrcodeOCR", &data, serde_json::to_value(&ocr).map_err(|e| e.to_string())?)?;
        pictures.push(json!({"file": path.display().to_string(), "bytes": data.len(), "codes": scan.code_results.len()}));
    }
    let info = json!({
        "base_url": emu.base_url(),
        "appid": wxcv_emulator::APPID, "secret": wxcv_emulator::APPSECRET,
        "secret_id": wxcv_emulator::SECRET_ID, "secret_key": wxcv_emulator::SECRET_KEY,
        "canned": pictures,
    });
    println!("{info}");
    // Serve until the parent closes stdin (xtask holds it open while the benchmarks run).
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    drop(emu);
    Ok(json!({"stopped": true}))
}

/// One side of the client benchmark: a call of scanQRCode with the picture.
#[derive(Clone)]
enum Side {
    Ours(WeChat),
    Raw(Arc<Raw>),
}

/// What a user writes without this library: one token fetched up front, then a multipart POST
/// with the token in the query, and the reply read into typed structs in one pass.
struct Raw {
    http: reqwest::Client,
    url: String,
}

#[derive(Deserialize)]
struct RawScan {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    code_results: Vec<CodeResult>,
    #[serde(default)]
    img_size: Option<ImgSize>,
}

impl Raw {
    async fn new(base: &str, appid: &str, secret: &str) -> Res<Raw> {
        let http = reqwest::Client::new();
        #[derive(Deserialize)]
        struct Token {
            access_token: String,
        }
        let t: Token = http
            .get(format!("{base}/cgi-bin/token"))
            .query(&[("grant_type", "client_credential"), ("appid", appid), ("secret", secret)])
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        Ok(Raw { http, url: format!("{base}/cv/img/qrcode?access_token={}", t.access_token) })
    }

    async fn scan(&self, picture: Bytes) -> Res<usize> {
        let len = picture.len() as u64;
        let part = reqwest::multipart::Part::stream_with_length(picture, len).file_name("picture.jpg").mime_str("image/jpeg").map_err(|e| e.to_string())?;
        let form = reqwest::multipart::Form::new().part("img", part);
        let body = self.http.post(&self.url).multipart(form).send().await.map_err(|e| e.to_string())?.bytes().await.map_err(|e| e.to_string())?;
        let reply: RawScan = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if reply.errcode != 0 {
            return Err(format!("{} {}", reply.errcode, reply.errmsg));
        }
        let _ = reply.img_size;
        Ok(reply.code_results.len())
    }
}

impl Side {
    async fn call(&self, picture: Bytes) -> Res<usize> {
        match self {
            Side::Ours(wx) => wx.img().scan_qrcode(ScanQrcodeRequest::new(picture)).await.map(|r| r.code_results.len()).map_err(|e| e.to_string()),
            Side::Raw(raw) => raw.scan(picture).await,
        }
    }
}

/// `calls` calls with `inflight` of them at a time: (wall seconds, CPU seconds of the process).
async fn batch(side: &Side, picture: &Bytes, calls: usize, inflight: usize) -> Res<(f64, f64)> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (cpu0, t0) = (cpu_ns(), Instant::now());
    let mut workers = Vec::new();
    for _ in 0..inflight {
        let (side, picture, next) = (side.clone(), picture.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < calls {
                let codes = side.call(picture.clone()).await?;
                if codes == 0 {
                    return Err("a canned reply with no code".to_string());
                }
            }
            Ok::<(), String>(())
        }));
    }
    for w in workers {
        w.await.map_err(|e| e.to_string())??;
    }
    Ok((t0.elapsed().as_secs_f64(), (cpu_ns() - cpu0) as f64 / 1e9))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    let n = xs.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

async fn client(base: &str, picture: &Bytes, calls: usize, rounds: usize, inflight: &[usize], only: Option<&str>) -> Res<Value> {
    let (appid, secret) = new_app(base, "client").await?;
    let ours = Side::Ours(WeChat::new(WeChatConfig::new(&appid, &secret).base_url(base)).map_err(|e| e.to_string())?);
    let raw = Side::Raw(Arc::new(Raw::new(base, &appid, &secret).await?));
    let mut results = Vec::new();
    for &n in inflight {
        // Warm both (connections, token, allocator) before anything is counted.
        batch(&ours, picture, 200.max(n), n).await?;
        batch(&raw, picture, 200.max(n), n).await?;
        let mut samples: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
        for round in 0..rounds {
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for which in order {
                if only.is_some_and(|o| o != ["ours", "raw"][which]) {
                    continue;
                }
                let side = if which == 0 { &ours } else { &raw };
                samples[which].push(batch(side, picture, calls, n).await?);
            }
        }
        let summary = |s: &Vec<(f64, f64)>| {
            json!({
                "rps": median(s.iter().map(|(wall, _)| calls as f64 / wall).collect()),
                "cpu_us_per_call": median(s.iter().map(|(_, cpu)| cpu * 1e6 / calls as f64).collect()),
                "rps_samples": s.iter().map(|(wall, _)| (calls as f64 / wall).round()).collect::<Vec<_>>(),
            })
        };
        results.push(json!({"inflight": n, "calls_per_batch": calls, "rounds": rounds, "ours": summary(&samples[0]), "raw": summary(&samples[1])}));
    }
    Ok(json!({"scenario": "rust_client", "bytes": picture.len(), "results": results}))
}

async fn cold(base: &str, picture: &Bytes, calls: usize) -> Res<Value> {
    let (appid, secret) = new_app(base, "cold").await?;
    let wx = WeChat::new(WeChatConfig::new(&appid, &secret).base_url(base)).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let (wx, picture) = (wx.clone(), picture.clone());
            tokio::spawn(async move { wx.img().scan_qrcode(ScanQrcodeRequest::new(picture)).await })
        })
        .collect();
    let mut ok = 0;
    let mut failed = Vec::new();
    for t in tasks {
        match t.await {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => failed.push(e.to_string()),
            Err(e) => failed.push(e.to_string()),
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    let c = counters(base).await?;
    failed.truncate(3);
    Ok(json!({"scenario": "cold_token", "side": "rust", "calls": calls, "ok": ok, "failed_sample": failed,
        "token_requests": c["token_issues"][&appid].as_u64().unwrap_or(0), "seconds": wall}))
}

async fn memory(base: &str, path: &std::path::Path, calls: usize, side: &str) -> Res<Value> {
    let (appid, secret) = new_app(base, "mem").await?;
    let s = match side {
        "ours" => Side::Ours(WeChat::new(WeChatConfig::new(&appid, &secret).base_url(base)).map_err(|e| e.to_string())?),
        "raw" => Side::Raw(Arc::new(Raw::new(base, &appid, &secret).await?)),
        other => return Err(format!("--side must be ours or raw, not {other}")),
    };
    // The picture is read from disk for each call, as a server handling uploads would have it.
    let before = rss_kib();
    let t0 = Instant::now();
    for _ in 0..calls {
        let picture = read(path)?;
        s.call(picture).await?;
    }
    let after = rss_kib();
    Ok(json!({"scenario": "memory", "side": format!("rust {side}"), "calls": calls, "peak_rss_kib": after.0,
        "rss_before_kib": before.1, "seconds": t0.elapsed().as_secs_f64()}))
}

fn decode(picture: &Bytes, seconds: f64) -> Res<Value> {
    let once = || -> Res<usize> {
        let img = image::load_from_memory(picture).map_err(|e| e.to_string())?;
        Ok(wxcv_emulator::codes::decode(&img.to_luma8()).len())
    };
    let codes = once()?;
    let mut times = Vec::new();
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs_f64(seconds) || times.len() < 5 {
        let t = Instant::now();
        once()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(json!({"scenario": "decode", "side": format!("ours ({}, in the emulator)", wxcv_emulator::codes::Reader::DEFAULT.name()), "codes": codes, "runs": times.len(), "ms_median": median(times.clone()),
        "ms_min": times.iter().cloned().fold(f64::INFINITY, f64::min)}))
}
