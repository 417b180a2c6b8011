//! The `wxcv` binary run as a subprocess. Every test clears the environment and sets only what it
//! needs. Tests that need the emulator's routes are marked `#[ignore]`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;
use wxcv::rt::{EndpointInfo, InputKind};

const BIN: &str = env!("CARGO_BIN_EXE_wxcv");
const FOUR_CODES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/seed-four-codes.jpg");

const FAKE_APPID: &str = "wx00000000fakeapp";
const FAKE_SECRET: &str = "fake-app-secret-DO-NOT-PRINT";
const FAKE_SECRET_ID: &str = "AKIDfakefakefake";
const FAKE_SECRET_KEY: &str = "fake-secret-key-DO-NOT-PRINT";
/// Nothing listens on port 1: any attempt to send shows up as a transport error (exit 5).
const UNREACHABLE: &str = "http://127.0.0.1:1";

fn wxcv() -> Command {
    let mut c = Command::new(BIN);
    c.env_clear().stdin(Stdio::null());
    c
}

/// Fake credentials of both vendors, pointed at a port nobody listens on.
fn wxcv_unreachable() -> Command {
    let mut c = wxcv();
    c.env("WECHAT_APPID", FAKE_APPID)
        .env("WECHAT_APPSECRET", FAKE_SECRET)
        .env("WECHAT_BASE_URL", UNREACHABLE)
        .env("TENCENTCLOUD_SECRET_ID", FAKE_SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", FAKE_SECRET_KEY)
        .env("TENCENTCLOUD_BASE_URL", UNREACHABLE);
    c
}

fn run(mut c: Command, args: &[&str]) -> Output {
    c.args(args).output().expect("run wxcv")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Whitespace runs collapsed: help text is wrapped to the terminal width.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn stderr_json(o: &Output) -> Value {
    let err = text(&o.stderr);
    let line = err.lines().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON on stderr: {err}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {err}"))
}

fn stdout_lines(o: &Output) -> Vec<Value> {
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

fn assert_no_secrets(o: &Output) {
    for s in [text(&o.stdout), text(&o.stderr)] {
        for secret in [FAKE_SECRET, FAKE_SECRET_KEY, wxcv_emulator::APPSECRET, wxcv_emulator::SECRET_KEY] {
            assert!(!s.contains(secret), "a secret was printed: {s}");
        }
    }
}

/// A fresh directory under the system's temp dir.
fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!("wxcv-cli-{name}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A file whose magic bytes say PNG: enough for the client's checks (the bytes are never decoded).
fn png_like(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    p
}

fn all_endpoints() -> impl Iterator<Item = &'static EndpointInfo> {
    wxcv::wechat::ENDPOINTS.iter().chain(wxcv::tencentcloud::ENDPOINTS.iter()).copied()
}

/// `img scan-qrcode`, `tc qrcode-ocr`: the spec requires the id to match the cloud name or the
/// action, so the id's kebab form is the command.
fn command_of(ep: &EndpointInfo) -> (String, String) {
    let top = match ep.vendor {
        wxcv::Vendor::WeChat => ep.group.to_string(),
        wxcv::Vendor::TencentCloud => "tc".to_string(),
    };
    (top, ep.id.replace('_', "-"))
}

fn kebab_flag(name: &str) -> String {
    format!("--{}", name.replace('_', "-"))
}

// ---------------------------------------------------------------------------------------------
// Help: generated from the spec's tables

#[test]
fn root_help_lists_every_endpoint_with_its_summary_and_the_exit_codes() {
    let o = run(wxcv(), &["--help"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let help = flat(&text(&o.stdout));
    for ep in all_endpoints() {
        let (top, cmd) = command_of(ep);
        assert!(help.contains(&format!("{top} {cmd}")), "`{top} {cmd}` missing from --help:\n{help}");
        assert!(help.contains(&flat(ep.summary)), "summary of {} missing from --help", ep.name);
    }
    for needle in ["Exit codes", "0 success", "2 invalid input", "3 the vendor answered", "4 credentials", "5 network", "highest code"] {
        assert!(help.contains(needle), "{needle:?} missing from --help:\n{help}");
    }
    for var in ["WECHAT_APPID", "WECHAT_APPSECRET", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"] {
        assert!(help.contains(var), "{var} missing from --help");
    }
}

#[test]
fn every_endpoint_help_shows_summaries_and_flags() {
    for ep in all_endpoints() {
        let (top, cmd) = command_of(ep);
        let o = run(wxcv(), &[&top, &cmd, "--help"]);
        assert!(o.status.success(), "{top} {cmd} --help: {}", text(&o.stderr));
        let help = flat(&text(&o.stdout));
        assert!(help.contains(&flat(ep.summary)), "{top} {cmd}: no summary:\n{help}");
        assert!(help.contains(&flat(ep.summary_zh)), "{top} {cmd}: no Chinese summary:\n{help}");
        for input in ep.inputs {
            match input.kind {
                InputKind::Value { .. } => {
                    let flag = kebab_flag(input.name);
                    assert!(help.contains(&flag), "{top} {cmd}: {flag} missing:\n{help}");
                    if let Some(doc) = input.doc {
                        assert!(help.contains(&flat(doc)), "{top} {cmd}: doc of {flag} missing:\n{help}");
                    }
                }
                InputKind::Image(_) => {
                    let (files, url) = match ep.vendor {
                        wxcv::Vendor::WeChat => ("--img", "--img-url"),
                        wxcv::Vendor::TencentCloud => ("--image", "--image-url"),
                    };
                    assert!(help.contains(&format!("{files} <FILE>")), "{top} {cmd}: {files} missing:\n{help}");
                    assert!(help.contains(&format!("{url} <URL>")), "{top} {cmd}: {url} missing:\n{help}");
                    assert!(help.contains("--jobs"), "{top} {cmd}: --jobs missing");
                }
                InputKind::Const { .. } => {}
            }
        }
        if ep.output == wxcv::rt::OutputKind::Binary {
            assert!(help.contains("--output <FILE>"), "{top} {cmd}: -o missing:\n{help}");
        }
    }
}

#[test]
fn group_help_lists_its_endpoints() {
    let o = run(wxcv(), &["tc", "--help"]);
    assert!(o.status.success());
    let help = text(&o.stdout);
    for ep in wxcv::tencentcloud::ENDPOINTS {
        assert!(help.contains(&command_of(ep).1), "{help}");
    }
    let o = run(wxcv(), &["ocr", "--help"]);
    let help = text(&o.stdout);
    for ep in wxcv::wechat::ENDPOINTS.iter().filter(|e| e.group == "ocr") {
        assert!(help.contains(&command_of(ep).1), "{help}");
    }
}

#[test]
fn enum_values_and_defaults_are_shown() {
    let o = run(wxcv(), &["ocr", "idcard", "--help"]);
    let help = flat(&text(&o.stdout));
    assert!(help.contains("--type <VALUE>"), "{help}");
    assert!(help.contains("possible values: photo, scan"), "{help}");
    assert!(help.contains("vendor default: photo"), "{help}");
    let o = run(wxcv(), &["wxacode", "create-qrcode", "--help"]);
    let help = flat(&text(&o.stdout));
    assert!(help.contains("--width <INT>") && help.contains("280 to 1280"), "{help}");
    assert!(help.contains("--path <TEXT>"), "{help}");
}

/// With no region configured, the request goes out without X-TC-Region; the help says what that means.
#[test]
fn the_region_default_is_documented() {
    for cmd in ["qrcode-ocr", "query-bar-code"] {
        let help = flat(&text(&run(wxcv(), &["tc", cmd, "--help"]).stdout));
        assert!(help.contains("Without either, the request carries no X-TC-Region"), "{cmd}: {help}");
        assert!(help.contains("nearest region"), "{cmd}: {help}");
    }
}

#[test]
fn deprecated_and_offline_endpoints_say_so() {
    for (top, cmd, ep) in [
        ("img", "superresolution", &wxcv::wechat::IMG_SUPERRESOLUTION),
        ("tc", "query-bar-code", &wxcv::tencentcloud::OCR_QUERY_BAR_CODE),
    ] {
        let note = ep.status_text().expect("the spec marks it deprecated or offline");
        for h in ["--help", "-h"] {
            let o = run(wxcv(), &[top, cmd, h]);
            let help = flat(&text(&o.stdout));
            assert!(help.contains(&flat(note)), "{top} {cmd} {h}: no status note:\n{help}");
        }
        let root = flat(&text(&run(wxcv(), &["--help"]).stdout));
        let label = if ep.status == wxcv::rt::Status::Offline { "[offline" } else { "[deprecated" };
        assert!(root.contains(&format!("{top} {cmd} {label}")), "{root}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit 2, naming the field and the limit, before anything is sent. The base URLs
// point at a closed port, so a request that went out would end in exit 5 instead.

fn assert_invalid(args: &[&str], field: &str, needle: &str) {
    let o = run(wxcv_unreachable(), args);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(o.stdout.is_empty(), "{args:?}: {}", text(&o.stdout));
    let j = stderr_json(&o);
    if field.is_empty() {
        // A command line clap refuses: the same JSON error object as every other failure.
        assert_eq!(err.lines().count(), 1, "{args:?}: one JSON line, nothing else: {err}");
        assert_eq!(j["kind"], "usage", "{j}");
        assert_eq!(j["exit_code"], 2, "{j}");
        assert!(j["message"].as_str().unwrap().contains(needle), "{args:?}: {j}");
        for key in ["code", "request_id", "endpoint", "meaning"] {
            assert!(j.get(key).is_some(), "{key} missing: {j}");
        }
        return;
    }
    assert_eq!(j["kind"], "invalid_input", "{j}");
    assert_eq!(j["field"], field, "{j}");
    assert_eq!(j["exit_code"], 2, "{j}");
    let msg = j["message"].as_str().unwrap();
    assert!(msg.contains(field) && msg.contains(needle), "{args:?}: {msg}");
    assert!(j["endpoint"].is_string(), "{j}");
    assert_no_secrets(&o);
}

#[test]
fn scene_over_32_characters_is_refused() {
    let scene = "a".repeat(33);
    assert_invalid(&["wxacode", "get-unlimited", "--scene", &scene, "-o", "/tmp/never.jpg"], "scene", "the limit is 32 characters");
}

#[test]
fn scene_outside_its_charset_is_refused() {
    assert_invalid(&["wxacode", "get-unlimited", "--scene", "a%b", "-o", "/tmp/never.jpg"], "scene", "'%' is not allowed");
}

#[test]
fn width_out_of_range_is_refused() {
    assert_invalid(&["wxacode", "create-qrcode", "--path", "p", "--width", "5000", "-o", "/tmp/never.jpg"], "width", "280..=1280");
    assert_invalid(&["wxacode", "get", "--path", "p", "--width", "-3", "-o", "/tmp/never.jpg"], "width", "280..=1280");
}

#[test]
fn path_over_128_bytes_is_refused() {
    let path = "p".repeat(129);
    assert_invalid(&["wxacode", "create-qrcode", "--path", &path, "-o", "/tmp/never.jpg"], "path", "128 bytes");
}

#[test]
fn too_many_ratios_are_refused() {
    assert_invalid(&["img", "ai-crop", "--img-url", "http://example.com/a.jpg", "--ratios", "1,1.5,2,3,4,5"], "ratios", "at most 5");
}

#[test]
fn a_missing_file_is_refused() {
    assert_invalid(&["img", "scan-qrcode", "--img", "/definitely/not/here.jpg"], "image", "cannot read");
    assert_invalid(&["tc", "qrcode-ocr", "--image", "/definitely/not/here.png"], "image", "cannot read");
}

#[test]
fn a_file_that_is_no_picture_or_too_big_is_refused() {
    let dir = temp_dir("bad-files");
    let text_file = dir.join("notes.png");
    std::fs::write(&text_file, b"hello").unwrap();
    assert_invalid(&["img", "scan-qrcode", "--img", text_file.to_str().unwrap()], "image", "not a picture");
    let mut big = b"\xFF\xD8\xFF\xE0".to_vec();
    big.resize(2 * 1024 * 1024, 0);
    let big_file = dir.join("big.jpg");
    std::fs::write(&big_file, &big).unwrap();
    assert_invalid(&["ocr", "idcard", "--img", big_file.to_str().unwrap()], "image", "the limit is 2097151 bytes");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_url_is_refused() {
    assert_invalid(&["tc", "qrcode-ocr", "--image-url", "ftp://example.com/a.png"], "image", "http or https");
}

#[test]
fn usage_errors_exit_2() {
    assert_invalid(&["ocr", "idcard", "--type", "bogus", "--img-url", "http://example.com/a.jpg"], "", "possible values: photo, scan");
    assert_invalid(&["wxacode", "get", "--path", "p", "--line-color", "red", "-o", "/tmp/never.jpg"], "", "--line-color");
    // A binary reply needs -o.
    assert_invalid(&["wxacode", "create-qrcode", "--path", "p"], "", "--output");
    // An image input needs a file or a URL, not both.
    assert_invalid(&["img", "scan-qrcode"], "", "--img");
    assert_invalid(&["img", "scan-qrcode", "--img", "a.jpg", "--img-url", "http://example.com/a.jpg"], "", "cannot be used with");
    assert_invalid(&["tc", "qrcode-ocr", "--image-url", "http://example.com/a.png", "--region", "mars-1"], "", "--region");
    assert_invalid(&["img", "nope"], "", "unrecognized subcommand");
    assert_invalid(&["img", "scan-qrcode", "--img-url", "http://example.com/a.jpg", "--bogus"], "", "unexpected argument '--bogus'");
}

#[test]
fn a_usage_error_names_the_endpoint_and_its_usage() {
    let o = run(wxcv_unreachable(), &["wxacode", "create-qrcode", "--path", "p"]);
    assert_eq!(o.status.code(), Some(2));
    let j = stderr_json(&o);
    assert_eq!(j["endpoint"], "wxacode.createQRCode", "{j}");
    assert!(j["message"].as_str().unwrap().contains("--output <FILE>"), "{j}");
    assert!(j["usage"].as_str().unwrap().starts_with("wxcv wxacode create-qrcode"), "{j}");
    // Asking for help is no error.
    let o = run(wxcv(), &["img", "scan-qrcode", "--help"]);
    assert!(o.status.success() && text(&o.stdout).contains("Usage:"));
}

#[test]
fn an_unusable_output_path_is_refused_before_the_call() {
    let o = run(wxcv_unreachable(), &["wxacode", "create-qrcode", "--path", "p", "-o", "/definitely/not/here/c.jpg"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let j = stderr_json(&o);
    assert_eq!(j["kind"], "usage");
    assert!(j["message"].as_str().unwrap().contains("does not exist"), "{j}");
}

// ---------------------------------------------------------------------------------------------
// Credentials and network

#[test]
fn missing_credentials_exit_4() {
    let o = run(wxcv(), &["img", "scan-qrcode", "--img-url", "http://example.com/a.jpg"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let j = stderr_json(&o);
    assert_eq!(j["kind"], "config");
    assert!(j["message"].as_str().unwrap().contains("WECHAT_APPID"), "{j}");
    assert_eq!(j["endpoint"], "img.scanQRCode");

    let o = run(wxcv(), &["tc", "query-bar-code", "--bar-code", "6901234567892"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    let j = stderr_json(&o);
    assert!(j["message"].as_str().unwrap().contains("TENCENTCLOUD_SECRET_ID"), "{j}");

    // The token endpoints take appid/secret from the configured app; none is configured.
    let o = run(wxcv(), &["auth", "get-access-token"]);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    assert!(stderr_json(&o)["message"].as_str().unwrap().contains("WECHAT_APPID"));
}

#[test]
fn an_unreachable_vendor_exits_5_without_printing_secrets() {
    for args in [
        &["img", "scan-qrcode", "--img-url", "http://example.com/a.jpg"][..],
        &["tc", "query-bar-code", "--bar-code", "6901234567892"][..],
        &["tc", "qrcode-ocr", "--image-url", "http://example.com/a.png"][..],
        &["auth", "get-access-token"][..],
    ] {
        let o = run(wxcv_unreachable(), args);
        assert_eq!(o.status.code(), Some(5), "{args:?}: {}", text(&o.stderr));
        let j = stderr_json(&o);
        assert_eq!(j["kind"], "transport", "{j}");
        assert_eq!(j["code"], "connect", "{j}");
        for key in ["kind", "code", "message", "request_id", "endpoint", "meaning"] {
            assert!(j.get(key).is_some(), "{key} missing: {j}");
        }
        assert!(o.stdout.is_empty());
        assert_no_secrets(&o);
    }
}

#[test]
fn a_failed_binary_call_leaves_no_file() {
    let dir = temp_dir("no-partial");
    let out = dir.join("code.jpg");
    let o = run(wxcv_unreachable(), &["wxacode", "create-qrcode", "--path", "pages/index", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Batches

#[test]
fn a_batch_prints_one_line_per_file_in_order_and_the_worst_code_wins() {
    let dir = temp_dir("batch");
    let a = png_like(&dir, "a.png");
    let b = png_like(&dir, "b.png");
    let missing = dir.join("missing.png");
    let files = [a.to_str().unwrap(), missing.to_str().unwrap(), b.to_str().unwrap()];
    let mut args = vec!["img", "scan-qrcode", "--jobs", "2", "--img"];
    args.extend(files);
    let o = run(wxcv_unreachable(), &args);
    // The missing file is an input error (2), the others cannot connect (5): 5 wins.
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    let lines = stdout_lines(&o);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for (i, (line, file)) in lines.iter().zip(files).enumerate() {
        assert_eq!(line["file"], file, "{line}");
        assert_eq!(line["index"], i, "{line}");
        assert!(line.get("result").is_none(), "{line}");
    }
    assert_eq!(lines[0]["error"]["kind"], "transport");
    assert_eq!(lines[1]["error"]["kind"], "invalid_input");
    assert_eq!(lines[1]["error"]["exit_code"], 2);
    assert_eq!(lines[2]["error"]["kind"], "transport");
    assert_no_secrets(&o);

    // Input errors only: 2.
    let o = run(wxcv_unreachable(), &["img", "scan-qrcode", "--img", missing.to_str().unwrap(), "/nope/2.jpg"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(stdout_lines(&o).len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// URLs print without their query: two that differ only there are told apart by their index.
#[test]
fn batch_lines_carry_the_input_position() {
    let urls = ["https://example.com/a.jpg?sig=1", "https://example.com/a.jpg?sig=2", "https://example.com/b.jpg"];
    let mut args = vec!["img", "scan-qrcode", "--jobs", "3", "--img-url"];
    args.extend(urls);
    let o = run(wxcv_unreachable(), &args);
    let lines = stdout_lines(&o);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["url"], lines[1]["url"], "the query is not printed");
    assert_eq!(lines[0]["url"], "https://example.com/a.jpg?<redacted>");
    let index: Vec<u64> = lines.iter().map(|l| l["index"].as_u64().unwrap()).collect();
    assert_eq!(index, [0, 1, 2]);
}

#[test]
fn a_directory_runs_one_call_per_picture() {
    let dir = temp_dir("dir");
    png_like(&dir, "2.png");
    png_like(&dir, "1.png");
    std::fs::write(dir.join("readme.txt"), b"not a picture").unwrap();
    let o = run(wxcv_unreachable(), &["tc", "qrcode-ocr", "--image", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5), "{}", text(&o.stderr));
    let lines = stdout_lines(&o);
    let files: Vec<&str> = lines.iter().map(|l| l["file"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 2, "{lines:?}");
    assert!(files[0].ends_with("1.png") && files[1].ends_with("2.png"), "{files:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// `wxcv emulator`

#[test]
fn the_emulator_subcommand_prints_where_it_listens_and_no_secret() {
    let mut child = Command::new(BIN)
        .env_clear()
        .args(["emulator", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start wxcv emulator");
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    let connected = (|| -> Result<Value, String> {
        read.map_err(|e| e.to_string())?;
        let info: Value = serde_json::from_str(&line).map_err(|e| format!("{e}: {line}"))?;
        let base = info["base_url"].as_str().ok_or("no base_url")?;
        let addr = base.strip_prefix("http://").ok_or("not http")?;
        std::net::TcpStream::connect(addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        Ok(info)
    })();
    let _ = child.kill();
    let _ = child.wait();
    let info = connected.unwrap();
    assert_eq!(info["wechat_appid"], wxcv_emulator::APPID, "{info}");
    assert_eq!(info["tencentcloud_secret_id"], wxcv_emulator::SECRET_ID, "{info}");
    assert_eq!(info["env"]["WECHAT_BASE_URL"], info["base_url"]);
    assert!(!line.contains(wxcv_emulator::APPSECRET) && !line.contains(wxcv_emulator::SECRET_KEY), "{line}");
}

// ---------------------------------------------------------------------------------------------
// End to end against the in-process emulator (needs its routes and the fixtures).

#[test]
fn emulator_scan_qrcode_finds_four_codes() {
    let o = run(wxcv(), &["--emulator", "img", "scan-qrcode", "--img", FOUR_CODES]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes = v["code_results"].as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(codes.len(), 4, "{v}");
    assert_eq!(codes.iter().filter(|c| c.get("pos").is_some()).count(), 2, "{v}");
    assert_eq!(v["img_size"]["w"], 1000, "{v}");
    assert_eq!(v["img_size"]["h"], 900, "{v}");
    assert!(v.get("errcode").is_none(), "{v}");
    assert_no_secrets(&o);
}

#[test]
fn emulator_scan_qrcode_camel() {
    // The global flag works after the subcommand too.
    let o = run(wxcv(), &["img", "scan-qrcode", "--img", FOUR_CODES, "--emulator", "--camel"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["codeResults"].as_array().map(Vec::len), Some(4), "{v}");
    assert!(v["codeResults"][0].get("typeName").is_some(), "{v}");
    assert_eq!(v["imgSize"]["w"], 1000, "{v}");
    assert!(v.get("code_results").is_none(), "{v}");
}

#[test]
fn emulator_create_qrcode_writes_a_jpeg() {
    let dir = temp_dir("e2e-wxacode");
    let out = dir.join("c.jpg");
    let o = run(wxcv(), &["--emulator", "wxacode", "create-qrcode", "--path", "pages/index", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");
    let line: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(line["output"], out.to_str().unwrap());
    assert_eq!(line["bytes"], bytes.len());
    assert!(line["content_type"].as_str().unwrap().starts_with("image/"), "{line}");
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "a temporary file was left: {entries:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emulator_tencent_qrcode_ocr() {
    let o = run(wxcv(), &["--emulator", "tc", "qrcode-ocr", "--image", FOUR_CODES]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["CodeResults"].as_array().is_some_and(|c| !c.is_empty()), "{v}");
    // --camel leaves Tencent's PascalCase keys alone.
    let o = run(wxcv(), &["--emulator", "--camel", "tc", "qrcode-ocr", "--image", FOUR_CODES]);
    let c: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(c.get("CodeResults").is_some(), "{c}");
}

#[test]
fn emulator_batch_of_three_in_order() {
    let dir = temp_dir("e2e-batch");
    let files: Vec<PathBuf> = ["3.jpg", "1.jpg", "2.jpg"]
        .iter()
        .map(|n| {
            let p = dir.join(n);
            std::fs::copy(FOUR_CODES, &p).unwrap();
            p
        })
        .collect();
    let mut args = vec!["--emulator", "img", "scan-qrcode", "--jobs", "2", "--img"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let o = run(wxcv(), &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lines = stdout_lines(&o);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for (i, (line, file)) in lines.iter().zip(&files).enumerate() {
        assert_eq!(line["file"], file.to_str().unwrap(), "{line}");
        assert_eq!(line["index"], i, "{line}");
        assert_eq!(line["result"]["code_results"].as_array().map(Vec::len), Some(4), "{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
