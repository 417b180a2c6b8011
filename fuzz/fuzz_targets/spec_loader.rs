//! The spec loader (`wxcv_codegen::load::load`): parsing, validation, and, when the spec is
//! accepted, rendering every target from it (what `cargo xtask codegen` does).
//!
//! Input: one selector byte, then a YAML file's text. The file takes the place of the real spec's
//! file number `selector % (files + 1)` (sorted as the loader reads them: spec/tencentcloud/errors.yaml
//! is 0, ..., spec/wechat/wxacode.yaml is 8); the last number adds it as spec/wechat/extra.yaml.
//! The other files of the same vendor stay, so references across files resolve and validation goes
//! deep; the other vendor's files are left out (a YAML parse costs milliseconds: this doubles the
//! runs per second).
//!
//! What must hold: no panic; an accepted spec renders; a refused one names at least one fault,
//! each in one of the files, at a line the file has.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use wxcv_codegen::load::{self, SourceFile};

fn real_spec() -> &'static [(String, String)] {
    static SPEC: OnceLock<Vec<(String, String)>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let files = load::read_dir(&dir, "spec").expect("the fuzz target reads the repository's spec/");
        assert!(!files.is_empty(), "no spec files under {}", dir.display());
        files.into_iter().map(|f| (f.name, f.text)).collect()
    })
}

/// Lines as YAML counts them: `\r\n`, `\r` and `\n` each end one.
fn yaml_lines(text: &str) -> usize {
    text.replace("\r\n", "\n").matches(['\r', '\n']).count() + 1
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else { return };
    // The loader reads files with read_to_string: it never sees anything but UTF-8.
    let Ok(text) = std::str::from_utf8(text) else { return };
    let spec = real_spec();
    let slot = selector as usize % (spec.len() + 1);
    let name = spec.get(slot).map_or("spec/wechat/extra.yaml", |(name, _)| name.as_str());
    let vendor_dir = &name[..name.rfind('/').map_or(0, |i| i + 1)];
    let mut files: Vec<SourceFile> = spec
        .iter()
        .filter(|(n, _)| n.starts_with(vendor_dir) && n != name)
        .map(|(name, text)| SourceFile { name: name.clone(), text: text.clone() })
        .collect();
    files.push(SourceFile { name: name.to_string(), text: text.to_string() });
    files.sort_by(|a, b| a.name.cmp(&b.name));
    match load::load(&files) {
        Ok(api) => {
            if let Err(e) = wxcv_codegen::render_all(&api) {
                panic!("an accepted spec does not render: {e}");
            }
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "a refused spec with no fault");
            for e in &errors.0 {
                let Some(f) = files.iter().find(|f| f.name == e.file) else {
                    panic!("a fault in a file that is not in the spec: {e}");
                };
                assert!(e.line <= yaml_lines(&f.text) + 1, "a fault past the end of {}: {e}", f.name);
            }
            let _ = errors.to_string();
        }
    }
});
