//! The `wxcv` binary against an emulator served from this test process (and a redis-server of the
//! test's own where a token store is in play): the token endpoints answer the shared token, log
//! lines at every level hold no secret, and a wrong Redis password is a credential error.

use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use wxcv_emulator::{APPID, APPSECRET, Emulator, Fault, SECRET_ID, SECRET_KEY};

#[path = "../../rust/tests/common/redis_server.rs"]
mod redis_server;
use redis_server::{REDIS_PASSWORD, RedisServer};

const BIN: &str = env!("CARGO_BIN_EXE_wxcv");
const QR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/qr.png");

/// The emulator on a runtime of its own, serving while the test blocks on the command.
struct Served {
    emu: Emulator,
    _rt: tokio::runtime::Runtime,
}

fn emulator() -> Served {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = rt.block_on(Emulator::start()).unwrap();
    Served { emu, _rt: rt }
}

/// `wxcv` with the emulator's credentials in the environment, as a user would set them.
fn wxcv(emu: &Emulator, redis: Option<&str>) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .stdin(Stdio::null())
        .env("WECHAT_APPID", APPID)
        .env("WECHAT_APPSECRET", APPSECRET)
        .env("WECHAT_BASE_URL", emu.base_url())
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("TENCENTCLOUD_BASE_URL", emu.base_url());
    if let Some(r) = redis {
        c.env("WECHAT_REDIS_URL", r).env("WECHAT_REDIS_PREFIX", "cli:");
    }
    c
}

fn run(mut c: Command, args: &[&str]) -> Output {
    c.args(args).output().expect("run wxcv")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn stderr_json(o: &Output) -> Value {
    let err = text(&o.stderr);
    let line = err.lines().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON on stderr: {err}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {err}"))
}

/// The token `auth get-access-token --show-secrets` prints.
fn token_of(o: &Output) -> String {
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stdout)));
    let t = v["access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_string();
    assert!(v["expires_in"].as_i64().is_some_and(|s| (7000..=7200).contains(&s)), "{v}");
    t
}

/// Every token the emulator issues is `EMU` and 60 capitals or digits: any such run in `s`.
fn holds_an_emulator_token(s: &str) -> bool {
    s.match_indices("EMU").any(|(i, _)| {
        let rest = &s[i + 3..];
        rest.len() >= 60 && rest[..60].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

#[test]
fn get_access_token_prints_the_shared_token_and_fetches_only_when_forced() {
    let redis = RedisServer::start();
    let s = emulator();
    let url = redis.url();
    let get = |extra: &[&str]| {
        let mut args = vec!["auth", "get-access-token", "--show-secrets"];
        args.extend_from_slice(extra);
        run(wxcv(&s.emu, Some(&url)), &args)
    };
    let first = token_of(&get(&[]));
    let again = token_of(&get(&[]));
    assert_eq!(again, first, "a second run prints the same token");
    assert_eq!(s.emu.token_issues(APPID), 1, "one fetch for both runs");
    // An API call through the same store uses it too.
    let o = run(wxcv(&s.emu, Some(&url)), &["img", "scan-qrcode", "--img", QR]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(s.emu.token_issues(APPID), 1);

    let forced = token_of(&get(&["--force-refresh"]));
    assert_ne!(forced, first);
    assert_eq!(s.emu.token_issues(APPID), 2);
    assert_eq!(token_of(&get(&[])), forced, "every later run prints the new token");
    assert_eq!(s.emu.token_issues(APPID), 2);

    // The stable kind: shared the same way; its own --force-refresh input forces.
    let stable = |extra: &[&str]| {
        let mut args = vec!["auth", "get-stable-access-token", "--show-secrets"];
        args.extend_from_slice(extra);
        token_of(&run(wxcv(&s.emu, Some(&url)), &args))
    };
    let s1 = stable(&[]);
    assert_eq!(stable(&[]), s1);
    let s2 = stable(&["--force-refresh"]);
    assert_ne!(s2, s1);
    assert_eq!(stable(&[]), s2);

    // Without --show-secrets the token stays hidden.
    let o = run(wxcv(&s.emu, Some(&url)), &["auth", "get-access-token"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!text(&o.stdout).contains(&forced) && text(&o.stdout).contains("<redacted>"), "{}", text(&o.stdout));
    let help = text(&run(wxcv(&s.emu, None), &["auth", "get-access-token", "--help"]).stdout);
    assert!(help.contains("--force-refresh") && help.contains("WECHAT_REDIS_URL"), "{help}");
}

#[test]
fn a_wrong_redis_password_exits_4_without_printing_it() {
    let redis = RedisServer::start();
    let s = emulator();
    for url in [redis.url_with_password("wrong-password-DO-NOT-PRINT"), format!("redis://127.0.0.1:{}/0", redis.port)] {
        let o = run(wxcv(&s.emu, Some(&url)), &["img", "scan-qrcode", "--img", QR]);
        assert_eq!(o.status.code(), Some(4), "{url}: {}", text(&o.stderr));
        let j = stderr_json(&o);
        assert_eq!(j["kind"], "config", "{j}");
        assert!(j["message"].as_str().unwrap().contains("password"), "{j}");
        let all = text(&o.stdout) + &text(&o.stderr);
        assert!(!all.contains("wrong-password-DO-NOT-PRINT") && !all.contains(REDIS_PASSWORD), "{all}");
    }
    assert_eq!(s.emu.token_issues(APPID), 0);
}

/// The fault matrix through the command line at trace level (`-vvv`, and `RUST_LOG=trace`): the
/// retries and token refreshes are logged on stderr, and no app secret, SecretKey, Redis password
/// or issued token appears in any line.
#[test]
fn a_trace_run_of_the_fault_matrix_logs_no_secret() {
    let redis = RedisServer::start();
    let s = emulator();
    let url = redis.url();
    let wechat: Vec<Value> = vec![
        json!({"errcode": -1}),
        json!({"errcode": -1, "times": 3}),
        json!({"errcode": 45009}),
        json!({"errcode": 42001}),
        json!({"errcode": 40001, "times": 2}),
        json!({"http_status": 502}),
        json!({"http_status": 503, "times": 3}),
        json!({"drop": true}),
        json!({"truncate": true}),
        json!({"non_json": true}),
        json!({"errcode": 101001}),
    ];
    let tencent: Vec<Value> = vec![
        json!({"errcode": "InternalError"}),
        json!({"errcode": "RequestLimitExceeded"}),
        json!({"errcode": "AuthFailure.SignatureFailure"}),
        json!({"drop": true}),
        json!({"truncate": true}),
    ];
    let mut logs = String::new();
    let mut outputs = String::new();
    let mut codes = Vec::new();
    let arm = |endpoint: &str, f: &Value| {
        let times = f.get("times").and_then(Value::as_u64).unwrap_or(1) as u32;
        let mut f = f.clone();
        f.as_object_mut().unwrap().remove("times");
        let fault: Fault = serde_json::from_value(f).unwrap();
        s.emu.inject(endpoint, times, fault);
    };
    for (i, f) in wechat.iter().enumerate() {
        arm("img.scan_qrcode", f);
        let mut c = wxcv(&s.emu, Some(&url));
        // Half the runs by flag, half by RUST_LOG.
        let args: &[&str] = if i % 2 == 0 { &["-vvv", "img", "scan-qrcode", "--img", QR] } else { &["img", "scan-qrcode", "--img", QR] };
        if i % 2 == 1 {
            c.env("RUST_LOG", "trace");
        }
        let o = run(c, args);
        codes.push(o.status.code());
        logs.push_str(&text(&o.stderr));
        outputs.push_str(&text(&o.stdout));
    }
    for f in &tencent {
        arm("QrcodeOCR", f);
        let o = run(wxcv(&s.emu, None), &["-vvv", "tc", "qrcode-ocr", "--image", QR]);
        codes.push(o.status.code());
        logs.push_str(&text(&o.stderr));
        outputs.push_str(&text(&o.stdout));
    }
    println!("exit codes: {codes:?}; {} bytes of log", logs.len());
    // The runs did fail and retry, and said so.
    assert!(codes.contains(&Some(0)) && codes.contains(&Some(3)) && codes.contains(&Some(5)), "{codes:?}");
    for needle in ["transient failure; retrying", "token rejected; refreshing and retrying once", "fetching a new access token", "TRACE", "DEBUG"] {
        assert!(logs.contains(needle), "{needle:?} not logged:\n{logs}");
    }
    let all = logs + &outputs;
    for secret in [APPSECRET, SECRET_KEY, REDIS_PASSWORD] {
        assert!(!all.contains(secret), "a secret was logged or printed");
    }
    assert!(!holds_an_emulator_token(&all), "an access token was logged or printed");
}

#[test]
fn verbosity_flags_and_rust_log_choose_what_is_logged() {
    let s = emulator();
    let scan = |args: &[&str], rust_log: Option<&str>| {
        s.emu.inject("img.scan_qrcode", 1, Fault { errcode: Some(json!(-1)), ..Fault::default() });
        let mut c = wxcv(&s.emu, None);
        if let Some(r) = rust_log {
            c.env("RUST_LOG", r);
        }
        let mut all = args.to_vec();
        all.extend(["img", "scan-qrcode", "--img", QR]);
        let o = run(c, &all);
        assert!(o.status.success(), "{}", text(&o.stderr));
        text(&o.stderr)
    };
    // By default (warnings) and with -q: nothing for a call that succeeded after a retry.
    assert_eq!(scan(&[], None), "");
    assert_eq!(scan(&["-q"], None), "");
    let v = scan(&["-v"], None);
    assert!(v.contains("INFO") && v.contains("retrying") && !v.contains("DEBUG"), "{v}");
    let vv = scan(&["-vv"], None);
    assert!(vv.contains("DEBUG") && vv.contains("sending"), "{vv}");
    let env = scan(&[], Some("wxcv=debug"));
    assert!(env.contains("DEBUG") && env.contains("retrying"), "{env}");
    // A filter that cannot be read is a usage error.
    let mut c = wxcv(&s.emu, None);
    c.env("RUST_LOG", "wxcv=loud");
    let o = run(c, &["img", "scan-qrcode", "--img", QR]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert_eq!(stderr_json(&o)["kind"], "usage");
}

/// WeChat's error message says each thing once: the errmsg without its rid, the rid as the
/// request id.
#[test]
fn a_wechat_error_says_each_thing_once() {
    let s = emulator();
    let o = run(wxcv(&s.emu, None), &["ocr", "bankcard", "--img", QR]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let j = stderr_json(&o);
    assert_eq!(j["message"], "certificate not found", "{j}");
    let rid = j["request_id"].as_str().unwrap();
    assert!(rid.len() >= 8 && !j["message"].as_str().unwrap().contains(rid), "{j}");
}
