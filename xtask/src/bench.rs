//! `cargo xtask bench`: every side of every scenario in one run on this machine, against one
//! emulator (release build, its own process, canned replies for the client scenarios), then the
//! ratios on stdout and docs/BENCHMARKS.md with a plot (docs/benchmarks.svg).
//!
//! The Rust side is `wxcv-bench` (bench/src/main.rs), the Python side bench/python/bench.py in a
//! scratch venv (target/bench/venv: the anchors from bench/python/requirements.txt and this
//! package, `pip install ./bindings/python`), the Node side bench/node/bench.js with the anchors
//! from bench/node/package-lock.json (`npm ci` into target/bench/node) and the addon built in release.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

use crate::{bench_agreement, cargo, root, run};

/// The picture of the client scenarios (small, so the client's own work is what counts), the
/// seed-like four-code picture of the decoding scenario, and the memory scenario's 2 MB upload.
pub const CLIENT_PICTURE: &str = "tests/fixtures/qr.png";
pub const FOUR_CODES: &str = "tests/fixtures/seed-four-codes.jpg";
const BIG_BYTES: usize = 2_000_000;

/// What the figures alone do not say; appended to docs/BENCHMARKS.md.
pub const NOTES: &str = "
## Notes

- Ratios are ours over the anchor: requests per second (higher is better), CPU and time per call
  (lower is better). The Python and Node sides share the machine's 2 cores with the emulator, so a
  faster client also leaves the emulator more CPU; that is part of what a user gets.
- Figures move from run to run on this 2-core machine (the tables show one run; the ratios of the
  Python and Node scenarios moved by up to a quarter between this session's runs).
- Run it again with `cargo xtask bench` (about 5 minutes once the release crates are built and the
  anchors installed, which a clean checkout does first); `cargo xtask bench --quick` runs short
  batches to check the harness; `cargo xtask bench --report` writes this page again from the last
  run's figures; `cargo xtask bench --agreement` and `--paced` measure that section again alone.
";

struct Emulator {
    child: Child,
    info: Value,
}

impl Emulator {
    fn base(&self) -> &str {
        self.info["base_url"].as_str().unwrap_or_default()
    }

    /// Moves every thread of the emulator to one core (`Some`), or back to all of them.
    fn pin(&self, core: Option<usize>) {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        if cores < 2 {
            return;
        }
        let list = match core {
            Some(c) => c.to_string(),
            None => format!("0-{}", cores - 1),
        };
        let ok = Command::new("taskset").args(["-a", "-p", "-c", &list, &self.child.id().to_string()]).stdout(Stdio::null()).status().is_ok_and(|s| s.success());
        if !ok {
            eprintln!("bench: could not pin the emulator (taskset); CPU figures will be noisier");
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let root = root();
    if args.iter().any(|a| a == "--report") {
        // docs/BENCHMARKS.md and the plot again from the last run's figures (target/bench/results.json).
        let raw_path = root.join("target/bench/results.json");
        let results: Value = serde_json::from_str(&std::fs::read_to_string(&raw_path).map_err(|e| format!("{}: {e} (run cargo xtask bench first)", raw_path.display()))?)
            .map_err(|e| e.to_string())?;
        return write_report(&root, &results, &raw_path);
    }
    let t0 = Instant::now();
    let scratch = root.join("target/bench");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;

    // Builds and installs first, so nothing is compiled while anything is timed.
    run(cargo().args(["build", "--release", "-q", "-p", "wxcv-bench", "-p", "wxcv-cli"]))?;
    let python = python_env(&root, &scratch)?;
    let bin = root.join("target/release/wxcv-bench");
    let agreement = |quick: bool| {
        let (cli, bench_py) = (root.join("target/release/wxcv"), root.join("bench/python/bench.py"));
        bench_agreement::measure(&scratch, &bin, &cli, &python, &bench_py, quick, &json_of)
    };
    if args.iter().any(|a| a == "--agreement") {
        // Only the decode-agreement section, into the last run's figures.
        let raw_path = scratch.join("results.json");
        let mut results = last_results(&raw_path);
        results["agreement"] = agreement(quick)?;
        std::fs::write(&raw_path, serde_json::to_string_pretty(&results).unwrap_or_default()).map_err(|e| e.to_string())?;
        return write_report(&root, &results, &raw_path);
    }
    let node_modules = node_env(&root, &scratch)?;
    println!("bench: everything built and installed in {:.0} s", t0.elapsed().as_secs_f64());

    let big = scratch.join("picture-2mb.jpg");
    make_big_picture(&root.join(FOUR_CODES), &big)?;
    let emu = start_emulator(&root, &[root.join(CLIENT_PICTURE), root.join(FOUR_CODES), big.clone()])?;
    let base = emu.base().to_string();
    let secret_id = emu.info["secret_id"].as_str().unwrap_or_default().to_string();
    let secret_key = emu.info["secret_key"].as_str().unwrap_or_default().to_string();
    println!("bench: emulator at {base}");

    let picture = root.join(CLIENT_PICTURE);
    let (calls, rounds) = if quick { (300, 2) } else { (3000, 7) };
    let mut results = json!({});
    // Written after every scenario, so a late failure keeps what was measured.
    let raw_path = scratch.join("results.json");
    let save = |r: &Value| std::fs::write(&raw_path, serde_json::to_string_pretty(r).unwrap_or_default()).map_err(|e| e.to_string());

    let py = |scenario: &str| {
        let mut c = Command::new(&python);
        c.arg(root.join("bench/python/bench.py")).arg(scenario).args(["--base", &base, "--secret-id", &secret_id, "--secret-key", &secret_key]);
        c
    };
    let node = |scenario: &str| {
        let mut c = Command::new("node");
        c.arg(root.join("bench/node/bench.js")).arg(scenario).args(["--base", &base]);
        c.env("NODE_PATH", &node_modules).env("TENCENTCLOUD_SECRET_ID", &secret_id).env("TENCENTCLOUD_SECRET_KEY", &secret_key);
        c
    };
    let paced = || -> Result<Value, String> {
        // At the pace of the real services: the emulator answers QrcodeOCR 20 or 50 ms late.
        let seed_like = root.join(FOUR_CODES);
        let calls = if quick { "30" } else { "150" };
        let mut runs = Vec::new();
        for delay in ["20", "50"] {
            runs.push(json_of(py("paced").args(["--calls", calls, "--delay-ms", delay]).arg("--image").arg(&seed_like))?);
            runs.push(json_of(node("paced").args(["--calls", calls, "--delay-ms", delay]).arg("--image").arg(&seed_like))?);
        }
        Ok(Value::Array(runs))
    };
    if args.iter().any(|a| a == "--paced") {
        // Only the paced scenario, into the last run's figures.
        let mut results = last_results(&raw_path);
        results["paced"] = paced()?;
        save(&results)?;
        drop(emu);
        return write_report(&root, &results, &raw_path);
    }
    emu.pin(Some(EMULATOR_CORE));
    let rust_client = json_of(on_client_core(&bin).args(["client", "--base", &base, "--calls", &calls.to_string(), "--rounds", &rounds.to_string()]).arg("--image").arg(&picture))?;
    results["rust_client"] = rust_client;
    emu.pin(None);
    results["rust_instructions"] = instructions(&bin, &base, &picture, quick)?;
    save(&results)?;

    let (py_calls, node_calls, rounds3) = if quick { ("100", "200", "1") } else { ("500", "1000", "3") };
    results["python_rps"] = json_of(py("rps").args(["--calls", py_calls, "--rounds", rounds3]).arg("--image").arg(&picture))?;
    results["node_rps"] = json_of(node("rps").args(["--calls", node_calls, "--rounds", rounds3]).arg("--image").arg(&picture))?;
    save(&results)?;
    results["paced"] = paced()?;
    save(&results)?;

    let mut cold = vec![json_of(Command::new(&bin).args(["cold", "--base", &base]).arg("--image").arg(&picture))?];
    cold.push(json_of(py("cold").args(["--calls", "1000"]))?);
    cold.push(json_of(node("cold").args(["--calls", "1000"]).arg("--image").arg(&picture))?);
    results["cold_token"] = Value::Array(cold);
    save(&results)?;

    let mem_calls = if quick { "100" } else { "1000" };
    let mut memory = Vec::new();
    for side in ["ours", "raw"] {
        memory.push(json_of(Command::new(&bin).args(["memory", "--base", &base, "--calls", mem_calls, "--side", side]).arg("--image").arg(&big))?);
    }
    for side in ["wxcv", "tencentcloud-sdk-python", "wechatpy"] {
        memory.push(json_of(py("memory").args(["--calls", mem_calls, "--side", side]).arg("--image").arg(&big))?);
    }
    for side in ["wxcv", "tencentcloud-sdk-nodejs", "fetch + FormData"] {
        memory.push(json_of(node("memory").args(["--calls", mem_calls, "--side", side]).arg("--image").arg(&big))?);
    }
    results["memory"] = Value::Array(memory);
    save(&results)?;
    drop(emu);

    // Decoding: the two decoders in alternation, each in its own process.
    let four = root.join(FOUR_CODES);
    let mut decode = Vec::new();
    for _ in 0..if quick { 1 } else { 3 } {
        decode.push(json_of(on_client_core(&bin).args(["decode", "--seconds", "3"]).arg("--image").arg(&four))?);
        decode.push(json_of(on_client_core(&python).arg(root.join("bench/python/bench.py")).args(["decode", "--seconds", "3"]).arg("--image").arg(&four))?);
    }
    results["decode"] = Value::Array(decode);
    save(&results)?;
    results["agreement"] = agreement(quick)?;
    save(&results)?;

    results["codegen"] = codegen_times(&root)?;
    results["machine"] = machine();
    results["total_seconds"] = json!(t0.elapsed().as_secs_f64());
    save(&results)?;

    write_report(&root, &results, &raw_path)?;
    println!("bench: {} in all", minutes(t0.elapsed().as_secs_f64()));
    Ok(())
}

/// The last run's figures, to measure one section again into; none without a last run.
fn last_results(raw_path: &Path) -> Value {
    std::fs::read_to_string(raw_path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_else(|| json!({}))
}

/// The ratios on stdout, docs/BENCHMARKS.md and docs/benchmarks.svg from one run's figures.
fn write_report(root: &Path, results: &Value, raw_path: &Path) -> Result<(), String> {
    let report = crate::bench_report::render(results);
    println!("{}", report.summary);
    let docs = root.join("docs");
    std::fs::create_dir_all(&docs).map_err(|e| e.to_string())?;
    std::fs::write(docs.join("BENCHMARKS.md"), &report.markdown).map_err(|e| e.to_string())?;
    run(Command::new(root.join("target/bench/venv/bin/python")).arg(root.join("bench/python/plot.py")).arg(raw_path).arg(docs.join("benchmarks.svg")))?;
    println!("bench: wrote docs/BENCHMARKS.md and docs/benchmarks.svg (raw figures in {})", raw_path.display());
    Ok(())
}

/// Instructions per call of each side, counted by valgrind (callgrind): the same for the same
/// binary and inputs whatever else the machine does, unlike CPU time. Each side runs alone twice,
/// with two numbers of calls; the difference over the difference in calls leaves out start-up and
/// warm-up. `null` without valgrind.
fn instructions(bin: &Path, base: &str, picture: &Path, quick: bool) -> Result<Value, String> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("bench: valgrind is not installed; instruction counts skipped");
        return Ok(Value::Null);
    }
    let (small, large) = if quick { (200, 600) } else { (1000, 3000) };
    let mut out = Vec::new();
    for inflight in [1, 64] {
        let mut row = json!({"inflight": inflight});
        for side in ["ours", "raw"] {
            let mut counts = Vec::new();
            for calls in [small, large] {
                let mut cmd = Command::new("valgrind");
                cmd.args(["--tool=callgrind", "--callgrind-out-file=/dev/null"]).arg(bin).args([
                    "client",
                    "--base",
                    base,
                    "--calls",
                    &calls.to_string(),
                    "--rounds",
                    "1",
                    "--inflight",
                    &inflight.to_string(),
                    "--only",
                    side,
                    "--image",
                ]);
                cmd.arg(picture);
                eprintln!("xtask: running {cmd:?}");
                let o = cmd.output().map_err(|e| format!("cannot run valgrind: {e}"))?;
                let err = String::from_utf8_lossy(&o.stderr);
                let n = err
                    .lines()
                    .find_map(|l| l.split("Collected :").nth(1))
                    .and_then(|n| n.trim().replace(',', "").parse::<f64>().ok())
                    .ok_or_else(|| format!("callgrind reported no count ({}):\n{err}", o.status))?;
                counts.push(n);
            }
            row[side] = json!((counts[1] - counts[0]) / (large - small) as f64);
        }
        out.push(row);
    }
    Ok(Value::Array(out))
}

/// Where CPU time is the measure (the Rust client's CPU per call, the decoders), the emulator runs
/// on one core and the measured process on the other, so neither side of a comparison shares its
/// core with the server (on 2 cores CPU time per call otherwise swung by a third between runs).
/// Requests per second of Python and Node are measured unpinned (the emulator too), as an
/// application on this machine would run.
/// Without `taskset` or with one core, nothing is pinned.
const CLIENT_CORE: usize = 0;
const EMULATOR_CORE: usize = 1;

fn pinned(program: &Path, core: usize) -> Command {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    if cores >= 2 && Command::new("taskset").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let mut c = Command::new("taskset");
        c.arg("-c").arg(core.to_string()).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn on_client_core(program: &Path) -> Command {
    pinned(program, CLIENT_CORE)
}

fn minutes(s: f64) -> String {
    format!("{}:{:02}", (s / 60.0) as u64, (s % 60.0) as u64)
}

/// Runs a benchmark command and reads the JSON object it prints last.
fn json_of(cmd: &mut Command) -> Result<Value, String> {
    eprintln!("xtask: running {cmd:?}");
    let out = cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().rev().find(|l| l.trim_start().starts_with('{')).ok_or_else(|| format!("{cmd:?} printed no result"))?;
    serde_json::from_str(last).map_err(|e| format!("{cmd:?} printed {last:?}: {e}"))
}

/// The scratch venv: the anchors pinned in bench/python/requirements.txt and this package built
/// the way users install it (release, through maturin).
fn python_env(root: &Path, scratch: &Path) -> Result<PathBuf, String> {
    let venv = scratch.join("venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let host = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(&host).args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(&python).args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r"]).arg(root.join("bench/python/requirements.txt")))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "--force-reinstall", "--no-deps"])
        .arg(root.join("bindings/python"))
        .env("CARGO_TARGET_DIR", root.join("target")))?;
    Ok(python)
}

/// The Node anchors from bench/node's lock file, and the addon built in release.
fn node_env(root: &Path, scratch: &Path) -> Result<PathBuf, String> {
    let dir = scratch.join("node");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for f in ["package.json", "package-lock.json"] {
        std::fs::copy(root.join("bench/node").join(f), dir.join(f)).map_err(|e| format!("bench/node/{f}: {e}"))?;
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir))?;
    run(Command::new("node").args(["scripts/build-native.js"]).current_dir(root.join("bindings/node")))?;
    Ok(dir.join("node_modules"))
}

/// The four-code picture padded to 2 MB (a JPEG decoder stops at its end marker), so the canned
/// reply is still what the picture holds.
fn make_big_picture(from: &Path, to: &Path) -> Result<(), String> {
    let mut data = std::fs::read(from).map_err(|e| format!("{}: {e}", from.display()))?;
    if data.len() > BIG_BYTES {
        return Err(format!("{} is larger than {BIG_BYTES} bytes", from.display()));
    }
    data.resize(BIG_BYTES, 0);
    std::fs::write(to, data).map_err(|e| e.to_string())
}

fn start_emulator(root: &Path, canned: &[PathBuf]) -> Result<Emulator, String> {
    let mut cmd = Command::new(root.join("target/release/wxcv-bench"));
    cmd.arg("serve");
    for p in canned {
        cmd.arg("--canned").arg(p);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().map_err(|e| format!("cannot start the emulator: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
    let info: Value = serde_json::from_str(&line).map_err(|e| format!("the emulator printed {line:?}: {e}"))?;
    if let Some(stdin) = child.stdin.as_mut() {
        let _ = stdin.flush();
    }
    Ok(Emulator { child, info })
}

/// Full regeneration: the spec generator in this (dev) build, 10 times, and `cargo xtask codegen
/// --check` as a maintainer runs it (spec and the mobile bindgen, with the incremental build).
fn codegen_times(root: &Path) -> Result<Value, String> {
    let mut times = Vec::new();
    let mut files = 0;
    for _ in 0..10 {
        let t = Instant::now();
        files = wxcv_codegen::generate(root).map_err(|e| e.to_string())?.len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let t = Instant::now();
    crate::codegen(true)?;
    Ok(json!({"files": files, "generate_ms_median": times[times.len() / 2], "generate_ms_min": times[0], "check_seconds": t.elapsed().as_secs_f64()}))
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|r| r.trim_start_matches([' ', '\t', ':']).to_string()))
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let version = |cmd: &str, arg: &str| {
        Command::new(cmd).arg(arg).output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
    };
    json!({"cpu": cpu, "cores": cores, "rustc": version("rustc", "--version"), "python": version("python3", "--version"), "node": version("node", "--version")})
}
