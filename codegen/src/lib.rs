//! The generator: `spec/` -> IR (`load`) -> one module per target, rendered from askama templates
//! under `templates/<target>/`. Deterministic: the same spec always gives the same bytes.

pub mod ir;
pub mod mobile;
pub mod load;
pub mod names;
pub mod node;
pub mod python;
pub mod raw;
pub mod rust;
pub mod summary;

use std::path::Path;

pub use load::{SpecError, SpecErrors};

/// A file a target writes, its path relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("{0}")]
    Spec(#[from] SpecErrors),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
}

/// Every target's files for an already loaded API.
pub fn render_all(api: &ir::Api) -> Result<Vec<GeneratedFile>, GenError> {
    let mut files = rust::render(api)?;
    files.extend(python::render(api)?);
    files.extend(node::render(api)?);
    files.extend(mobile::render(api)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Loads `<root>/spec` and renders every target.
pub fn generate(root: &Path) -> Result<Vec<GeneratedFile>, GenError> {
    let api = load::load_dir(&root.join("spec"))?;
    render_all(&api)
}

/// The folders whose contents are wholly generated (stale files there are removed by codegen).
pub const GENERATED_DIRS: &[&str] = &[rust::OUT_DIR, python::PACKAGE_DIR, python::TESTS_DIR, node::LIB_DIR, node::TESTS_DIR, mobile::OUT_DIR];

/// Writes `files` under `root` (or, with `check`, compares), removing stale files in the
/// generated folders. Returns one line per file that differs.
pub fn sync_files(root: &Path, files: &[GeneratedFile], check: bool) -> std::io::Result<Vec<String>> {
    let mut report = Vec::new();
    let wanted: std::collections::BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for f in files {
        let path = root.join(&f.path);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() != Some(f.contents.as_str()) {
            report.push(format!("{} {}", if current.is_none() { "missing" } else { "changed" }, f.path));
            if !check {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&path, &f.contents)?;
            }
        }
    }
    for dir in GENERATED_DIRS {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
                if !wanted.contains(rel.as_str()) {
                    report.push(format!("stale {rel}"));
                    if !check {
                        std::fs::remove_file(&p)?;
                    }
                }
            }
        }
    }
    report.sort();
    Ok(report)
}
