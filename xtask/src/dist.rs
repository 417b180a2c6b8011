//! `cargo xtask dist`: the artifacts a release publishes, under `target/dist/`, each linked against
//! glibc 2.17 (manylinux2014) so it installs on old Linux without a Rust toolchain:
//!
//! - `wxcv-<v>-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl` (maturin, `--zig`) and the
//!   sdist `wxcv-<v>.tar.gz`, which builds from source where no wheel fits;
//! - `wxcv-linux-x64-gnu-<v>.tgz`, the Node addon as its own platform package (`os`/`cpu`/`libc`),
//!   and `wxcv-<v>.tgz`, the main package taking it as an optional dependency;
//! - `wxcv-<v>-x86_64-unknown-linux-gnu.tar.gz`, the command line with its licence notes;
//! - `SHA256SUMS` for all of them.
//!
//! The build tools (release/requirements.txt) go into a venv under target/dist-tools; the builds
//! go to target/dist-build, apart from the host builds of the test loop. Only the
//! x86_64-unknown-linux-gnu target exists on these machines: release/matrix.toml lists the rest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{root, run};

/// The one Rust target built here, and the glibc floor every artifact is linked against.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";
const GLIBC: &str = "2.17";
/// The Node platform package: napi-rs's `<name>-<platform>-<arch>-<abi>` naming.
const NODE_TRIPLE: &str = "linux-x64-gnu";

pub fn dist(_args: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let root = root();
    let out = root.join("target/dist");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot make {}: {e}", out.display()))?;
    let version = version(&root)?;
    let tools = tools(&root)?;
    let mut times = Vec::new();

    let t = Instant::now();
    python(&root, &tools, &out)?;
    times.push(("wheel + sdist", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let notes = third_party_licences(&root)?;
    node(&root, &tools, &out, &version, &notes)?;
    times.push(("npm packages", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    cli(&root, &tools, &out, &version, &notes)?;
    times.push(("command line", t.elapsed().as_secs_f64()));

    checksums(&out)?;
    println!("dist: in {}", out.display());
    for entry in artifacts(&out)? {
        let size = std::fs::metadata(&entry).map(|m| m.len()).unwrap_or(0);
        println!("  {:>9.2} MB  {}", size as f64 / 1e6, entry.file_name().unwrap_or_default().to_string_lossy());
    }
    for (what, secs) in times {
        println!("  {what}: {secs:.0} s");
    }
    println!("dist took {:.0} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// The files in target/dist, sorted (not the staging folder).
pub fn artifacts(out: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .map_err(|e| format!("cannot read {}: {e}", out.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// The workspace version, which the npm package's must equal.
fn version(root: &Path) -> Result<String, String> {
    let version = env!("CARGO_PKG_VERSION").to_string();
    let pkg = read_json(&root.join("bindings/node/package.json"))?;
    match pkg["version"].as_str() {
        Some(v) if v == version => Ok(version),
        other => Err(format!("bindings/node/package.json has version {other:?}, the workspace {version}: make them equal")),
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: impl AsRef<[u8]>) -> Result<(), String> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot make {}: {e}", d.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The venv holding the pinned build tools; answers its bin folder.
pub fn tools(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target/dist-tools");
    let python = venv.join("bin/python");
    if !python.exists() {
        let host = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(host).args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(&python)
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r"])
        .arg(root.join("release/requirements.txt")))?;
    Ok(venv.join("bin"))
}

/// A command with the tools' venv first on PATH (maturin and cargo-zigbuild find zig as
/// `python3 -m ziglang` there) and its own target folder under target/dist-build: maturin and
/// cargo-zigbuild each write their own zig linker wrapper, and cargo rebuilds every crate when the
/// linker changes, so one folder shared by both would rebuild everything on every run.
fn tool(root: &Path, tools: &Path, program: &str) -> Command {
    let mut c = Command::new(tools.join(program));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![tools.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    c.env("PATH", std::env::join_paths(dirs).unwrap_or(path))
        .env("CARGO_TARGET_DIR", root.join("target/dist-build").join(program))
        .current_dir(root);
    c
}

fn python(root: &Path, tools: &Path, out: &Path) -> Result<(), String> {
    let manifest = root.join("bindings/python/Cargo.toml");
    run(tool(root, tools, "maturin")
        .args(["build", "--release", "--zig", "--compatibility", "manylinux2014", "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .arg("--out")
        .arg(out))?;
    run(tool(root, tools, "maturin").args(["sdist", "--manifest-path"]).arg(&manifest).arg("--out").arg(out))
}

/// Builds a crate's artifact with cargo-zigbuild against the glibc floor, stripped; answers its path.
fn zigbuild(root: &Path, tools: &Path, args: &[&str], built: &str) -> Result<PathBuf, String> {
    run(tool(root, tools, "cargo-zigbuild").args(["build", "--release", "--target", &format!("{TARGET}.{GLIBC}")]).args(args))?;
    let path = root.join("target/dist-build/cargo-zigbuild").join(TARGET).join("release").join(built);
    if !path.exists() {
        return Err(format!("cargo-zigbuild wrote no {}", path.display()));
    }
    Ok(path)
}

fn copy_stripped(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(d) = to.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("cannot make {}: {e}", d.display()))?;
    }
    std::fs::copy(from, to).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    // Symbols are not needed to run or load either (the addon's exports are in the dynamic table).
    run(Command::new("strip").arg("--strip-unneeded").arg(to))
}

/// The addon as `wxcv-linux-x64-gnu`, and the main package with it as an optional dependency
/// (added here, as napi-rs's `prepublish` does, so a folder install of the repository never asks
/// the registry for an addon that would not match its sources).
fn node(root: &Path, tools: &Path, out: &Path, version: &str, notes: &str) -> Result<(), String> {
    let built = zigbuild(root, tools, &["--lib", "-p", "wxcv-node"], "libwxcv_node.so")?;
    let stage = root.join("target/dist-stage");
    let _ = std::fs::remove_dir_all(&stage);
    let main = read_json(&root.join("bindings/node/package.json"))?;

    let platform_name = format!("wxcv-{NODE_TRIPLE}");
    let platform = stage.join(&platform_name);
    let addon = format!("wxcv.{NODE_TRIPLE}.node");
    copy_stripped(&built, &platform.join(&addon))?;
    let manifest = serde_json::json!({
        "name": platform_name,
        "version": version,
        "description": format!("The native addon of the wxcv package for Linux x64 with glibc {GLIBC} or newer"),
        "license": main["license"],
        "main": addon,
        "files": [addon, "THIRD-PARTY-LICENSES.md"],
        "os": ["linux"],
        "cpu": ["x64"],
        "libc": ["glibc"],
        "engines": main["engines"],
    });
    write(&platform.join("package.json"), format!("{:#}\n", manifest))?;
    write(&platform.join("README.md"), format!("The native addon of [`wxcv`](../wxcv) for Linux x64 (glibc >= {GLIBC}). Install `wxcv`, which depends on this package where it fits.\n"))?;
    write(&platform.join("THIRD-PARTY-LICENSES.md"), notes)?;
    npm_pack(&platform, out)?;

    let pkg = stage.join("wxcv");
    let src = root.join("bindings/node");
    for item in main["files"].as_array().into_iter().flatten().filter_map(|f| f.as_str()) {
        if item.contains('*') || item == "README.md" {
            continue; // wxcv.*.node: the addon comes from the platform package; the README is the repository's
        }
        copy_tree(&src.join(item.trim_end_matches('/')), &pkg.join(item.trim_end_matches('/')))?;
    }
    std::fs::copy(root.join("README.md"), pkg.join("README.md")).map_err(|e| e.to_string())?;
    let mut manifest = main.clone();
    manifest["optionalDependencies"] = serde_json::json!({ platform_name: version });
    if let Some(scripts) = manifest["scripts"].as_object_mut() {
        scripts.remove("prepack");
    }
    write(&pkg.join("package.json"), format!("{:#}\n", manifest))?;
    npm_pack(&pkg, out)
}

fn npm_pack(dir: &Path, out: &Path) -> Result<(), String> {
    run(Command::new("npm").args(["pack", "--ignore-scripts", "--silent", "--pack-destination"]).arg(out).current_dir(dir))
}

pub fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    if from.is_dir() {
        std::fs::create_dir_all(to).map_err(|e| format!("cannot make {}: {e}", to.display()))?;
        for entry in std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?.flatten() {
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if from.is_file() {
        if let Some(d) = to.parent() {
            std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
        }
        std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("cannot copy {}: {e}", from.display()))
    } else {
        Err(format!("{} is listed in the package's files but does not exist", from.display()))
    }
}

/// The command line in `wxcv-<v>-<target>/`, with the project's licences and the third-party notes.
fn cli(root: &Path, tools: &Path, out: &Path, version: &str, notes: &str) -> Result<(), String> {
    let built = zigbuild(root, tools, &["-p", "wxcv-cli", "--bin", "wxcv"], "wxcv")?;
    let name = format!("wxcv-{version}-{TARGET}");
    let stage = root.join("target/dist-stage").join(&name);
    let _ = std::fs::remove_dir_all(&stage);
    copy_stripped(&built, &stage.join("wxcv"))?;
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        copy_tree(&root.join(file), &stage.join(file))?;
    }
    let readme = std::fs::read_to_string(root.join("release/cli-README.md")).map_err(|e| format!("release/cli-README.md: {e}"))?;
    write(&stage.join("README.md"), readme.replace("{version}", version).replace("{glibc}", GLIBC))?;
    write(&stage.join("THIRD-PARTY-LICENSES.md"), notes)?;
    let tarball = out.join(format!("{name}.tar.gz"));
    run(Command::new("tar")
        .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "-czf"])
        .arg(&tarball)
        .arg("-C")
        .arg(stage.parent().unwrap_or(root))
        .arg(&name))
}

fn checksums(out: &Path) -> Result<(), String> {
    let names: Vec<String> = artifacts(out)?.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())).collect();
    let sums = Command::new("sha256sum").args(&names).current_dir(out).output().map_err(|e| format!("cannot run sha256sum: {e}"))?;
    if !sums.status.success() {
        return Err(format!("sha256sum failed: {}", String::from_utf8_lossy(&sums.stderr)));
    }
    write(&out.join("SHA256SUMS"), sums.stdout)
}

/// The licence of every crate linked into the artifacts (the normal dependencies of the command
/// line and both addons on this target), with the licence files each crate ships.
fn third_party_licences(root: &Path) -> Result<String, String> {
    let meta = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked", "--filter-platform", TARGET])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !meta.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&meta.stderr)));
    }
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let packages: BTreeMap<&str, &serde_json::Value> =
        meta["packages"].as_array().into_iter().flatten().filter_map(|p| Some((p["id"].as_str()?, p))).collect();
    let nodes: BTreeMap<&str, &serde_json::Value> =
        meta["resolve"]["nodes"].as_array().into_iter().flatten().filter_map(|n| Some((n["id"].as_str()?, n))).collect();
    let workspace: BTreeSet<&str> = meta["workspace_members"].as_array().into_iter().flatten().filter_map(|m| m.as_str()).collect();
    let mut todo: Vec<&str> = packages
        .iter()
        .filter(|(id, p)| workspace.contains(*id) && matches!(p["name"].as_str(), Some("wxcv-cli" | "wxcv-node" | "wxcv-python")))
        .map(|(id, _)| *id)
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes.get(id).and_then(|n| n["deps"].as_array()).into_iter().flatten() {
            // Normal dependencies only: build scripts and proc macros are not shipped.
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null());
            let proc_macro = packages
                .get(dep["pkg"].as_str().unwrap_or_default())
                .and_then(|p| p["targets"].as_array())
                .is_some_and(|ts| ts.iter().all(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "proc-macro"))));
            if normal && !proc_macro {
                if let Some(d) = dep["pkg"].as_str() {
                    todo.push(d);
                }
            }
        }
    }
    let mut text = String::from(
        "# Third-party licences\n\nThe wxcv binaries link these crates. Each is listed with its licence as its authors declare it, \
         followed by the licence files it ships.\n\n",
    );
    let mut listed: Vec<&serde_json::Value> = seen.iter().filter(|id| !workspace.contains(*id)).filter_map(|id| packages.get(id).copied()).collect();
    listed.sort_by_key(|p| (p["name"].as_str().unwrap_or_default().to_string(), p["version"].as_str().unwrap_or_default().to_string()));
    for p in listed {
        let (name, version) = (p["name"].as_str().unwrap_or_default(), p["version"].as_str().unwrap_or_default());
        let licence = p["license"].as_str().unwrap_or("(see the licence file below)");
        text.push_str(&format!("## {name} {version}\n\nLicence: {licence}\n\n"));
        let dir = Path::new(p["manifest_path"].as_str().unwrap_or_default()).parent().map(Path::to_path_buf).unwrap_or_default();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|f| {
                let n = f.file_name().unwrap_or_default().to_string_lossy().to_ascii_uppercase();
                f.is_file() && (n.starts_with("LICENSE") || n.starts_with("LICENCE") || n.starts_with("COPYING") || n.starts_with("NOTICE"))
            })
            .collect();
        if let Some(f) = p["license_file"].as_str() {
            files.push(dir.join(f));
        }
        files.sort();
        files.dedup();
        for f in files {
            if let Ok(body) = std::fs::read_to_string(&f) {
                text.push_str(&format!("<details><summary>{}</summary>\n\n```text\n{}\n```\n\n</details>\n\n", f.file_name().unwrap_or_default().to_string_lossy(), body.trim_end()));
            }
        }
        for (crate_name, file, what) in BUNDLED_NOTICES {
            if name != *crate_name {
                continue;
            }
            let path = dir.join(file);
            let body = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e} (the notice of {what})", path.display()))?;
            // The notice is the file's opening comment.
            let notice: String = body.lines().skip(2).take_while(|l| !l.trim_start().starts_with("*/")).collect::<Vec<_>>().join("\n");
            text.push_str(&format!("{what}, from its `{file}`:\n\n```text\n{}\n```\n\n", notice.trim_end()));
        }
    }
    text.push_str(ZIG_LIBCXX_NOTICE);
    Ok(text)
}

/// Code a crate builds from sources it bundles under a licence of their own, whose notice is the
/// opening comment of a file: (crate, file in the crate, what the code is).
const BUNDLED_NOTICES: &[(&str, &str, &str)] =
    &[("zxing-cpp", "zint/backend/common.h", "The crate also builds zint, the barcode encoding library (BSD-3-Clause)")];

/// The artifacts built with zig link its copy of LLVM's libc++ for zxing-cpp's C++ code.
const ZIG_LIBCXX_NOTICE: &str = "## libc++ (LLVM), through zig\n\nLicence: Apache-2.0 WITH LLVM-exception \
    (the exception waives the attribution requirement for compiled forms). The wheel, the Node addon and the \
    command line link zig's copy of LLVM's C++ standard library for zxing-cpp's C++ code.\n";

/// PATH without any folder that holds cargo, rustc or rustup: what a user without Rust has.
pub fn path_without_rust() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let keep: Vec<PathBuf> =
        std::env::split_paths(&path).filter(|d| !["cargo", "rustc", "rustup"].iter().any(|t| d.join(t).exists())).collect();
    std::env::join_paths(keep).unwrap_or_default()
}
