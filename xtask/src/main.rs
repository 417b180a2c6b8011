//! `cargo xtask codegen [--check]` · `cargo xtask test` · `cargo xtask bench`

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(args.iter().any(|a| a == "--check")),
        Some("test") => test(),
        Some("bench") => Err("`cargo xtask bench` arrives with the benchmarks (issue 8)".to_string()),
        _ => Err("usage: cargo xtask <codegen [--check] | test | bench>".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn codegen(check: bool) -> Result<(), String> {
    let root = root();
    let start = Instant::now();
    let files = wxcv_codegen::generate(&root).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();
    let report = wxcv_codegen::sync_files(&root, &files, check).map_err(|e| e.to_string())?;
    if check {
        if report.is_empty() {
            println!("codegen --check: {} generated files are up to date ({:.1} ms to regenerate)", files.len(), elapsed.as_secs_f64() * 1e3);
            Ok(())
        } else {
            Err(format!(
                "codegen --check: generated files differ from the spec:\n{}\nrun `cargo xtask codegen` and commit the result",
                report.join("\n")
            ))
        }
    } else {
        for r in &report {
            println!("{r}");
        }
        println!("codegen: {} files ({} changed) in {:.1} ms", files.len(), report.len(), elapsed.as_secs_f64() * 1e3);
        Ok(())
    }
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// Runs a test command, echoing its output and adding up the `test result:` lines it prints.
fn run_counted(cmd: &mut Command, totals: &mut (u64, u64, u64)) -> Result<(), String> {
    use std::io::{BufRead, BufReader};
    eprintln!("xtask: running {cmd:?}");
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let out = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(out).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(what), Some(n)) = (words.next(), words.next()) else { continue };
                let Ok(n) = n.parse::<u64>() else { continue };
                match what {
                    "passed" => totals.0 += n,
                    "failed" => totals.1 += n,
                    "ignored" => totals.2 += n,
                    _ => {}
                }
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {status}")) }
}

/// Every test of every language.
fn test() -> Result<(), String> {
    let start = Instant::now();
    codegen(true)?;
    let mut totals = (0, 0, 0);
    // The binding crates (cdylib) build only for their own suites, below.
    let rust = ["--workspace", "--exclude", "wxcv-python", "--exclude", "wxcv-node"];
    let result = run_counted(cargo().arg("test").args(rust).arg("--all-targets"), &mut totals)
        .and_then(|()| run_counted(cargo().arg("test").args(rust).arg("--doc"), &mut totals))
        .and_then(|()| python_tests(&mut totals))
        .and_then(|()| node_tests(&mut totals));
    println!("xtask test took {:.0} s", start.elapsed().as_secs_f64());
    println!("total: {} passed, {} failed, {} skipped", totals.0, totals.1, totals.2);
    result
}

/// The Python package, installed the way a user installs it (`pip install ./bindings/python`, a
/// release build through maturin) into a venv under target/, then its pytest suite.
fn python_tests(totals: &mut (u64, u64, u64)) -> Result<(), String> {
    let root = root();
    let venv = root.join("target/python-venv");
    let python = venv.join("bin/python");
    let t = Instant::now();
    if !python.exists() {
        let host = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(&host).args(["-m", "venv"]).arg(&venv))?;
    }
    // Test tools only; the package itself has no runtime dependency.
    run(Command::new(&python).args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "pytest>=8,<10", "mypy>=1.10,<3"]))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "--force-reinstall", "--no-deps"])
        .arg(root.join("bindings/python"))
        .env("CARGO_TARGET_DIR", root.join("target")))?;
    println!("python: venv ready and package installed in {:.0} s", t.elapsed().as_secs_f64());
    let mut cmd = Command::new(&python);
    cmd.args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "bindings/python/tests"]).current_dir(&root);
    run_pytest(&mut cmd, totals)
}

fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("xtask: running {cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {status}")) }
}

/// Runs pytest, echoing its output and adding its summary line (`41 passed, 1 skipped in 2.1s`).
fn run_pytest(cmd: &mut Command, totals: &mut (u64, u64, u64)) -> Result<(), String> {
    use std::io::{BufRead, BufReader};
    eprintln!("xtask: running {cmd:?}");
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let out = child.stdout.take().expect("piped stdout");
    let mut summary = None;
    for line in BufReader::new(out).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        let l = line.trim_matches(|c: char| c == '=' || c.is_whitespace());
        if l.contains(" in ") && (l.contains(" passed") || l.contains(" failed") || l.contains(" error")) {
            summary = Some(l.to_string());
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let Some(summary) = summary else {
        return Err(format!("{cmd:?} printed no summary ({status})"));
    };
    for part in summary.split(" in ").next().unwrap_or_default().split(',') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else { continue };
        let Ok(n) = n.parse::<u64>() else { continue };
        match what {
            "passed" => totals.0 += n,
            "failed" | "error" | "errors" => totals.1 += n,
            "skipped" | "xfailed" => totals.2 += n,
            _ => {}
        }
    }
    if status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {status}")) }
}

/// The Node package: its dev tools (typescript, @types/node) from the lock file, the addon built
/// in release (as `npm install` builds it), then its node:test suite, which also installs the
/// package into fresh folders from the `npm pack` tarball and from the folder.
fn node_tests(totals: &mut (u64, u64, u64)) -> Result<(), String> {
    let dir = root().join("bindings/node");
    let t = Instant::now();
    if !dir.join("node_modules/typescript").exists() {
        run(Command::new("npm").args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"]).current_dir(&dir))?;
    }
    run(Command::new("node").args(["scripts/build-native.js"]).current_dir(&dir))?;
    println!("node: tools ready and addon built in {:.0} s", t.elapsed().as_secs_f64());
    let mut cmd = Command::new("node");
    cmd.args(["--test", "--test-reporter=tap", "test/"]).current_dir(&dir);
    run_tap(&mut cmd, totals)
}

/// Runs a node:test suite with the TAP reporter, echoing it and adding its `# pass` / `# fail` /
/// `# skipped` counts.
fn run_tap(cmd: &mut Command, totals: &mut (u64, u64, u64)) -> Result<(), String> {
    use std::io::{BufRead, BufReader};
    eprintln!("xtask: running {cmd:?}");
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let out = child.stdout.take().expect("piped stdout");
    let mut seen = false;
    for line in BufReader::new(out).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        let mut words = line.split_whitespace();
        if let (Some("#"), Some(what), Some(n), None) = (words.next(), words.next(), words.next(), words.next()) {
            let Ok(n) = n.parse::<u64>() else { continue };
            match what {
                "pass" => {
                    totals.0 += n;
                    seen = true;
                }
                "fail" | "cancelled" => totals.1 += n,
                "skipped" | "todo" => totals.2 += n,
                _ => {}
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !seen {
        return Err(format!("{cmd:?} printed no TAP summary ({status})"));
    }
    if status.success() { Ok(()) } else { Err(format!("{cmd:?} failed: {status}")) }
}
