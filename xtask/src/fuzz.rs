//! `cargo xtask fuzz [--seconds N] [--sanitizer none|address] [TARGET...]`: builds the cargo-fuzz
//! targets in `fuzz/` (nightly, into target/fuzz) and runs each for N seconds (default 60) on its
//! committed corpus (`fuzz/corpus/<target>`, read only), new entries going to a scratch corpus
//! under target/fuzz/corpus. Prints runs, execs/s, coverage, corpus size and the outcome of each,
//! then a summary; fails if any target crashed, naming the input that did it.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{cargo, root, run};

const USAGE: &str = "usage: cargo xtask fuzz [--seconds N] [--sanitizer none|address] [TARGET...]";

/// What one run of a target came to.
#[derive(Default)]
struct Outcome {
    runs: Option<u64>,
    execs_per_sec: Option<u64>,
    cov: Option<u64>,
    ft: Option<u64>,
    /// libFuzzer's `corp: N/SIZE`.
    corpus: Option<(u64, String)>,
    /// Why it stopped early (`deadly signal`, `timeout`, `out-of-memory`, ...), if it did.
    failure: Option<String>,
    artifact: Option<String>,
    seconds: f64,
}

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let mut seconds: u64 = 60;
    let mut sanitizer = "none".to_string();
    let mut wanted = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it.next().and_then(|s| s.parse().ok()).filter(|s| *s > 0).ok_or(format!("--seconds takes a whole number above 0\n{USAGE}"))?
            }
            "--sanitizer" => {
                sanitizer = it.next().filter(|s| matches!(s.as_str(), "none" | "address")).cloned().ok_or(format!("--sanitizer is none or address\n{USAGE}"))?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            t if t.starts_with('-') => return Err(format!("unknown option {t}\n{USAGE}")),
            t => wanted.push(t.to_string()),
        }
    }
    let root = root();
    let all = targets(&root)?;
    for t in &wanted {
        if !all.contains(t) {
            return Err(format!("no fuzz target {t}; the targets are: {}", all.join(", ")));
        }
    }
    let selected = if wanted.is_empty() { all.clone() } else { wanted };

    let host = nightly_host()?;
    ensure_cargo_fuzz()?;

    // One target dir under target/, shared by every run; an explicit one, so a CARGO_TARGET_DIR
    // set for the main workspace does not mix nightly fuzz builds into it. An ASan build has its
    // own, so switching does not rebuild everything each time.
    let target_dir = root.join("target/fuzz");
    let build_dir = if sanitizer == "none" { target_dir.clone() } else { target_dir.join(&sanitizer) };
    println!("fuzz: building {} (a clean build takes several minutes; later ones are incremental)", selected.join(", "));
    let t = Instant::now();
    let mut build = nightly_cargo();
    build.args(["fuzz", "build", "--sanitizer", &sanitizer, "--target-dir"]).arg(&build_dir).current_dir(&root);
    if selected.len() == 1 {
        build.arg(&selected[0]);
    }
    run(&mut build)?;
    let build_secs = t.elapsed().as_secs_f64();
    println!("fuzz: targets built in {build_secs:.0} s (sanitizer {sanitizer})");

    let bin_dir = build_dir.join(&host).join("release");
    let mut results = Vec::new();
    for name in &selected {
        let outcome = run_target(&root, &bin_dir, &target_dir, name, seconds)?;
        print_outcome(name, &outcome);
        results.push((name.clone(), outcome));
    }

    println!();
    println!("fuzz summary ({seconds} s a target, build {build_secs:.0} s, sanitizer {sanitizer}):");
    println!("{:<20} {:>11} {:>9} {:>7} {:>7} {:>17}  result", "target", "runs", "execs/s", "cov", "ft", "corpus");
    let num = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    for (name, o) in &results {
        let corpus = o.corpus.as_ref().map_or("?".to_string(), |(n, size)| format!("{n} ({size})"));
        let result = match &o.failure {
            None => "ok".to_string(),
            Some(f) => format!("CRASH ({f})"),
        };
        println!("{:<20} {:>11} {:>9} {:>7} {:>7} {:>17}  {result}", name, num(o.runs), num(o.execs_per_sec), num(o.cov), num(o.ft), corpus);
    }
    let crashed: Vec<String> = results
        .iter()
        .filter(|(_, o)| o.failure.is_some())
        .map(|(name, o)| {
            let input = o.artifact.as_deref().unwrap_or("(no input written; see the log)");
            format!("  {name}: {input}\n    replay: {} {input}", rel(&root, &bin_dir.join(name)))
        })
        .collect();
    // Not "N passed, N failed": CI reads that line as the test count, which `cargo xtask test` gives.
    if crashed.is_empty() {
        println!("fuzz: {} targets ran, none crashed", results.len());
        Ok(())
    } else {
        Err(format!("fuzz: {} target(s) crashed; the inputs that did it:\n{}", crashed.len(), crashed.join("\n")))
    }
}

/// The targets: `fuzz/fuzz_targets/<name>.rs`.
fn targets(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("fuzz/fuzz_targets");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".rs").map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

/// `cargo` of the nightly toolchain, through rustup, without the stable toolchain this xtask runs
/// under leaking in (rustup and cargo pass theirs down in the environment).
fn nightly_cargo() -> Command {
    let mut c = Command::new("rustup");
    c.args(["run", "nightly", "cargo"]);
    for v in ["RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTDOC", "RUSTC_WRAPPER", "RUSTFLAGS", "CARGO_TARGET_DIR"] {
        c.env_remove(v);
    }
    c
}

/// The nightly toolchain's host triple (where cargo-fuzz puts the binaries); an error that says
/// how to install nightly when it is missing.
fn nightly_host() -> Result<String, String> {
    let missing = "cargo xtask fuzz needs the nightly Rust toolchain (cargo-fuzz builds with -Z flags and \
                   sanitizer coverage): install it with `rustup toolchain install nightly --profile minimal`";
    let out = Command::new("rustup").args(["run", "nightly", "rustc", "-vV"]).env_remove("RUSTUP_TOOLCHAIN").output().map_err(|e| format!("{missing} (rustup: {e})"))?;
    if !out.status.success() {
        return Err(format!("{missing}\n{}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let host = text.lines().find_map(|l| l.strip_prefix("host: ")).ok_or("`rustc +nightly -vV` printed no host line")?;
    let version = text.lines().find_map(|l| l.strip_prefix("release: ")).unwrap_or("?");
    println!("fuzz: nightly rustc {version} ({host})");
    Ok(host.to_string())
}

/// cargo-fuzz, installed with `cargo install cargo-fuzz --locked` when it is missing.
fn ensure_cargo_fuzz() -> Result<(), String> {
    let version = || nightly_cargo().args(["fuzz", "--version"]).stderr(Stdio::null()).output().ok().filter(|o| o.status.success());
    if let Some(out) = version() {
        println!("fuzz: {}", String::from_utf8_lossy(&out.stdout).trim());
        return Ok(());
    }
    println!("fuzz: cargo-fuzz is not installed; installing it with `cargo install cargo-fuzz --locked` (once, about two minutes)");
    run(cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    let out = version().ok_or("cargo-fuzz was installed but `cargo fuzz --version` still fails: is ~/.cargo/bin on PATH?")?;
    println!("fuzz: {}", String::from_utf8_lossy(&out.stdout).trim());
    Ok(())
}

/// Runs one target for `seconds` on its committed corpus, new entries into a scratch corpus.
fn run_target(root: &Path, bin_dir: &Path, target_dir: &Path, name: &str, seconds: u64) -> Result<Outcome, String> {
    let bin = bin_dir.join(name);
    let seeds = root.join("fuzz/corpus").join(name);
    let scratch = target_dir.join("corpus").join(name);
    let artifacts = target_dir.join("artifacts").join(name);
    let logs = target_dir.join("logs");
    for d in [&scratch, &artifacts, &logs] {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    let log_path = logs.join(format!("{name}.log"));
    let mut log = std::fs::File::create(&log_path).map_err(|e| format!("cannot write {}: {e}", log_path.display()))?;
    let mut cmd = Command::new(&bin);
    // The first corpus directory receives new entries; the committed one is only read.
    cmd.arg(&scratch).arg(&seeds);
    cmd.arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        // A single input that takes this long is a finding (a hang), not a slow run.
        .arg("-timeout=20")
        .arg("-rss_limit_mb=2048")
        .arg("-print_final_stats=1");
    let dict = root.join("fuzz/dicts").join(format!("{name}.dict"));
    if dict.exists() {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    cmd.current_dir(root).stdout(Stdio::null()).stderr(Stdio::piped());
    println!("\nfuzz: {name} for {seconds} s (log: {})", rel(root, &log_path));
    eprintln!("xtask: running {cmd:?}");
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {}: {e} (was it built?)", bin.display()))?;
    let err = child.stderr.take().expect("piped stderr");
    let mut o = Outcome::default();
    let mut last_status = None;
    // Echo a panic's message (the lines after `panicked at`), not the stack or the input.
    let mut in_panic = false;
    for line in BufReader::new(err).lines() {
        let line = line.map_err(|e| e.to_string())?;
        let _ = writeln!(log, "{line}");
        if in_panic {
            in_panic = !(line.starts_with("note: ") || line.starts_with("stack backtrace:") || line.starts_with("==") || line.contains("ERROR: libFuzzer"));
            if in_panic {
                println!("  {}", truncate(&line, 400));
                continue;
            }
        }
        // Status lines: `#<runs> <event> cov: ... ft: ... corp: ...` (not `###### Recommended dictionary`).
        if line.strip_prefix('#').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
            last_status = Some(line.clone());
            if line.contains("INITED") || line.contains("DONE") {
                println!("  {line}");
            }
        } else if let Some(v) = line.strip_prefix("stat::number_of_executed_units: ") {
            o.runs = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("stat::average_exec_per_sec: ") {
            o.execs_per_sec = v.trim().parse().ok();
        } else if let Some(rest) = line.split("Test unit written to ").nth(1) {
            o.artifact = Some(rest.trim().to_string());
            println!("  {line}");
        } else if let Some(rest) = line.split("ERROR: libFuzzer: ").nth(1) {
            o.failure = Some(rest.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
            println!("  {line}");
        } else if line.contains("panicked at") {
            in_panic = true;
            println!("  {line}");
        } else if line.starts_with("SUMMARY:") || line.contains("Slowest unit") {
            println!("  {line}");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    o.seconds = start.elapsed().as_secs_f64();
    if let Some(s) = &last_status {
        parse_status(s, &mut o);
    }
    if !status.success() && o.failure.is_none() {
        o.failure = Some(format!("exit status {status}"));
    }
    if let Some(a) = &o.artifact {
        o.artifact = Some(rel(root, Path::new(a)));
    }
    Ok(o)
}

/// `#1065905 DONE cov: 670 ft: 2459 corp: 979/105Kb lim: 2435 exec/s: 96900 rss: 29Mb`
fn parse_status(line: &str, o: &mut Outcome) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |key: &str| words.iter().position(|w| *w == key).and_then(|i| words.get(i + 1)).copied();
    if o.runs.is_none() {
        o.runs = words.first().and_then(|w| w.trim_start_matches('#').parse().ok());
    }
    o.cov = after("cov:").and_then(|v| v.parse().ok());
    o.ft = after("ft:").and_then(|v| v.parse().ok());
    if o.execs_per_sec.is_none() {
        o.execs_per_sec = after("exec/s:").and_then(|v| v.parse().ok());
    }
    o.corpus = after("corp:").and_then(|v| {
        let (n, size) = v.split_once('/')?;
        Some((n.parse().ok()?, size.to_string()))
    });
}

fn print_outcome(name: &str, o: &Outcome) {
    let num = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    let corpus = o.corpus.as_ref().map_or("?".to_string(), |(n, size)| format!("{n} entries, {size}"));
    let result = match (&o.failure, &o.artifact) {
        (None, _) => "no crash".to_string(),
        (Some(f), Some(a)) => format!("CRASHED ({f}): {a}"),
        (Some(f), None) => format!("CRASHED ({f})"),
    };
    println!(
        "fuzz: {name}: {} runs in {:.0} s, {} execs/s, cov {} ft {}, corpus {corpus}; {result}",
        num(o.runs),
        o.seconds,
        num(o.execs_per_sec),
        num(o.cov),
        num(o.ft)
    );
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| PathBuf::from(p)).display().to_string()
}
