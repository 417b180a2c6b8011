//! The committed generated files are exactly what the spec and the templates produce today, and
//! producing them is deterministic. (`cargo xtask codegen --check` does the same from the command
//! line; this test makes plain `cargo test` catch a forgotten regeneration.)

use std::path::Path;
use std::time::Instant;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen lives in the workspace")
}

#[test]
fn committed_generated_files_are_up_to_date() {
    let start = Instant::now();
    let files =
        wxcv_codegen::generate(root()).unwrap_or_else(|e| panic!("spec/ does not generate:\n{e}"));
    let elapsed = start.elapsed();
    println!(
        "codegen: {} files ({} bytes) generated in {:.1} ms",
        files.len(),
        files.iter().map(|f| f.contents.len()).sum::<usize>(),
        elapsed.as_secs_f64() * 1e3
    );
    assert!(!files.is_empty(), "the spec generated no files");

    // check = true: compares only, never writes or deletes.
    let report =
        wxcv_codegen::sync_files(root(), &files, true).expect("reading the generated files");
    assert!(
        report.is_empty(),
        "the generated files differ from what spec/ and codegen/templates/ produce:\n  {}\n\
         run `cargo xtask codegen` and commit the result",
        report.join("\n  ")
    );
}

#[test]
fn generation_is_deterministic() {
    let first = wxcv_codegen::generate(root()).unwrap_or_else(|e| panic!("{e}"));
    let second = wxcv_codegen::generate(root()).unwrap_or_else(|e| panic!("{e}"));
    let paths =
        |v: &[wxcv_codegen::GeneratedFile]| v.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(
        paths(&first),
        paths(&second),
        "two runs generated different sets of files"
    );
    for (a, b) in first.iter().zip(&second) {
        assert!(
            a.contents.as_bytes() == b.contents.as_bytes(),
            "{} differs between two runs",
            a.path
        );
    }
    // The summary table is generated from the same IR; it must be stable too.
    let spec = root().join("spec");
    let s1 = wxcv_codegen::summary::render(&wxcv_codegen::load::load_dir(&spec).unwrap());
    let s2 = wxcv_codegen::summary::render(&wxcv_codegen::load::load_dir(&spec).unwrap());
    assert_eq!(s1, s2, "the summary differs between two runs");
}

#[test]
fn generated_paths_stay_in_the_generated_folders() {
    // sync_files removes stale files only under GENERATED_DIRS; a file generated elsewhere would
    // never be cleaned up, and `..` would escape the work tree.
    let files = wxcv_codegen::generate(root()).unwrap_or_else(|e| panic!("{e}"));
    for f in &files {
        assert!(
            wxcv_codegen::GENERATED_DIRS
                .iter()
                .any(|d| f.path.starts_with(&format!("{d}/"))),
            "{} is outside {:?}",
            f.path,
            wxcv_codegen::GENERATED_DIRS
        );
        assert!(
            !f.path.split('/').any(|c| c == ".." || c.is_empty()),
            "{} is not a plain relative path",
            f.path
        );
    }
}

/// The check above can fail: a changed, a missing and a stale file are each reported, and check
/// mode touches nothing.
#[test]
fn check_mode_reports_drift_and_writes_nothing() {
    let files = wxcv_codegen::generate(root()).unwrap_or_else(|e| panic!("{e}"));
    let tmp = std::env::temp_dir().join(format!("wxcv-codegen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for f in &files {
        let p = tmp.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &f.contents).unwrap();
    }
    assert_eq!(
        wxcv_codegen::sync_files(&tmp, &files, true).unwrap(),
        Vec::<String>::new()
    );

    let (changed, missing) = (&files[0].path, &files[1].path);
    std::fs::write(tmp.join(changed), "// edited by hand\n").unwrap();
    std::fs::remove_file(tmp.join(missing)).unwrap();
    let stale = format!(
        "{}/wechat/removed_group.rs",
        wxcv_codegen::GENERATED_DIRS[0]
    );
    std::fs::write(tmp.join(&stale), "// left over\n").unwrap();

    let mut expected = vec![
        format!("changed {changed}"),
        format!("missing {missing}"),
        format!("stale {stale}"),
    ];
    expected.sort();
    assert_eq!(
        wxcv_codegen::sync_files(&tmp, &files, true).unwrap(),
        expected
    );
    assert_eq!(
        std::fs::read_to_string(tmp.join(changed)).unwrap(),
        "// edited by hand\n"
    );
    assert!(
        !tmp.join(missing).exists() && tmp.join(&stale).exists(),
        "check mode wrote or deleted a file"
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}
