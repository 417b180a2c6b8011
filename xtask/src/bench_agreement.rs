//! The decode-agreement section of `cargo xtask bench`: a generated corpus of photo-like pictures
//! (`wxcv-bench corpus`, seeded; nothing of it is committed) read by zxing-cpp from PyPI with its
//! defaults (bench.py `agree`, Pillow decoding the files) and by the emulator's readers
//! (`wxcv-bench agree`, the `image` crate decoding them), then compared code by code with what
//! was drawn, per distortion and per symbology.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

/// The corpus's seed: the same pictures in every run.
const SEED: &str = "18";
/// How far a reported QR or Data Matrix corner may be from the drawn one on upright pictures.
const CORNER_TOLERANCE: i64 = 4;

/// Generates the corpus and reads it with every side: zxing-cpp and ours at `--jobs` 1 and 2,
/// rxing (the reader before zxing-cpp) at 1; then the command line over the same files at 1 and 2.
/// `json_of` runs a command and reads the JSON object it prints.
pub fn measure(
    scratch: &Path,
    bench_bin: &Path,
    cli_bin: &Path,
    python: &Path,
    bench_py: &Path,
    quick: bool,
    json_of: &dyn Fn(&mut Command) -> Result<Value, String>,
) -> Result<Value, String> {
    let corpus = scratch.join("corpus");
    // A new corpus each run: pictures of an earlier one (another --per-cell) would not be in truth.json.
    if corpus.exists() {
        std::fs::remove_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    }
    let per_cell = if quick { "1" } else { "3" };
    let generated =
        json_of(Command::new(bench_bin).args(["corpus", "--seed", SEED, "--per-cell", per_cell]).arg("--out").arg(&corpus))?;
    let truth_path = corpus.join("truth.json");
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(&truth_path).map_err(|e| format!("{}: {e}", truth_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", truth_path.display()))?;

    let zxing = |jobs: &str| {
        let mut c = Command::new(python);
        c.arg(bench_py).args(["agree", "--jobs", jobs]).arg("--corpus").arg(&corpus);
        c
    };
    let ours = |reader: &str, jobs: &str| {
        let mut c = Command::new(bench_bin);
        c.args(["agree", "--reader", reader, "--jobs", jobs]).arg("--corpus").arg(&corpus);
        c
    };
    // The two at --jobs 1 alternate, twice, so neither always runs on a warmer machine.
    let mut runs = Vec::new();
    for _ in 0..if quick { 1 } else { 2 } {
        runs.push(json_of(&mut zxing("1"))?);
        runs.push(json_of(&mut ours("zxing-cpp", "1"))?);
    }
    runs.push(json_of(&mut zxing("2"))?);
    runs.push(json_of(&mut ours("zxing-cpp", "2"))?);
    runs.push(json_of(&mut ours("rxing", "1"))?);

    // The command line's batch mode over the same files, on its embedded emulator.
    let files: Vec<_> = truth.as_array().into_iter().flatten().filter_map(|p| p["file"].as_str()).map(|f| corpus.join(f)).collect();
    let mut cli = Vec::new();
    for jobs in ["1", "2"] {
        let t = std::time::Instant::now();
        let out = Command::new(cli_bin)
            .args(["--emulator", "img", "scan-qrcode", "--jobs", jobs, "--img"])
            .args(&files)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", cli_bin.display()))?;
        let seconds = t.elapsed().as_secs_f64();
        let lines = String::from_utf8_lossy(&out.stdout).lines().count();
        cli.push(json!({"jobs": jobs.parse::<u32>().unwrap_or(1), "seconds": seconds, "pictures": files.len(), "lines": lines}));
    }
    Ok(json!({"corpus": generated, "seed": SEED, "truth": truth, "runs": runs, "cli": cli}))
}

/// A code as compared: the symbology and the text, with an EAN-13 that starts with 0 taken as the
/// UPC-A it is (both readers report it so).
type Key = (String, String);

fn key(code: &Value) -> Key {
    let symbology = code["symbology"].as_str().unwrap_or("?");
    let text = code["text"].as_str().unwrap_or("");
    match text.strip_prefix('0') {
        Some(rest) if symbology == "EAN_13" && text.len() == 13 => ("UPC_A".into(), rest.into()),
        _ => (symbology.into(), text.into()),
    }
}

fn corners(code: &Value) -> Option<Vec<(i64, i64)>> {
    code["corners"].as_array()?.iter().map(|p| Some((p.get(0)?.as_i64()?, p.get(1)?.as_i64()?))).collect()
}

/// What one side read in one picture, by code.
fn reads(run: &Value) -> BTreeMap<String, Vec<Value>> {
    run["pictures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (p["file"].as_str().unwrap_or("").to_owned(), p["codes"].as_array().cloned().unwrap_or_default()))
        .collect()
}

fn seconds(run: &Value) -> f64 {
    run["pictures"].as_array().into_iter().flatten().map(|p| p["seconds"].as_f64().unwrap_or(0.0)).sum()
}

/// Counts of one row of the agreement table.
#[derive(Default, Clone, Copy)]
struct Tally {
    drawn: u32,
    reference: u32,
    ours: u32,
    only_reference: u32,
    only_ours: u32,
    before: u32,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.drawn += other.drawn;
        self.reference += other.reference;
        self.ours += other.ours;
        self.only_reference += other.only_reference;
        self.only_ours += other.only_ours;
        self.before += other.before;
    }
}

/// The section's markdown, and the ratios it adds to the targets table: (what, ratio, target,
/// higher is better).
pub fn render(a: &Value, md: &mut String) -> Vec<(String, f64, f64, bool)> {
    let runs = a["runs"].as_array().cloned().unwrap_or_default();
    let side = |prefix: &str, jobs: u64| -> Vec<&Value> {
        runs.iter().filter(|r| r["side"].as_str().unwrap_or("").starts_with(prefix) && r["jobs"] == jobs).collect()
    };
    let (reference, ours, before) = (side("zxing-cpp", 1), side("ours (zxing-cpp", 1), side("ours (rxing", 1));
    let (Some(reference_run), Some(ours_run)) = (reference.first(), ours.first()) else {
        let _ = writeln!(md, "\n## Reading photo-like pictures: agreement with zxing-cpp\n\nNot measured in this run.\n");
        return Vec::new();
    };
    let reference_side = reference_run["side"].as_str().unwrap_or("zxing-cpp");
    let ours_side = ours_run["side"].as_str().unwrap_or("ours");
    let ours_reader = ours_side.trim_start_matches("ours (").trim_end_matches(')');
    let (ref_reads, our_reads) = (reads(reference_run), reads(ours_run));
    let before_reads = before.first().map(|r| reads(r)).unwrap_or_default();

    let mut by_distortion: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_symbology: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut false_ref, mut false_ours, mut false_before) = (Vec::new(), Vec::new(), Vec::new());
    let (mut missed, mut corner_checks, mut corners_off) = (Vec::new(), 0, Vec::new());
    let empty = Vec::new();
    for picture in a["truth"].as_array().into_iter().flatten() {
        let file = picture["file"].as_str().unwrap_or("");
        let distortion = picture["distortion"].as_str().unwrap_or("?").to_owned();
        let drawn: Vec<&Value> = picture["codes"].as_array().into_iter().flatten().collect();
        let drawn_keys: BTreeSet<Key> = drawn.iter().map(|c| key(c)).collect();
        let keys = |found: &[Value]| found.iter().map(key).collect::<BTreeSet<Key>>();
        let r = keys(ref_reads.get(file).unwrap_or(&empty));
        let o = keys(our_reads.get(file).unwrap_or(&empty));
        let b = keys(before_reads.get(file).unwrap_or(&empty));
        for (found, out) in [(&r, &mut false_ref), (&o, &mut false_ours), (&b, &mut false_before)] {
            out.extend(found.difference(&drawn_keys).map(|k| format!("{file}: {} {:?}", k.0, k.1)));
        }
        for code in &drawn {
            let k = key(code);
            let t = Tally {
                drawn: 1,
                reference: r.contains(&k) as u32,
                ours: o.contains(&k) as u32,
                only_reference: (r.contains(&k) && !o.contains(&k)) as u32,
                only_ours: (o.contains(&k) && !r.contains(&k)) as u32,
                before: b.contains(&k) as u32,
            };
            if t.only_reference == 1 {
                missed.push(format!("{file} ({} {:?})", k.0, k.1));
            }
            by_distortion.entry(distortion.clone()).or_default().add(t);
            by_symbology.entry(k.0.clone()).or_default().add(t);
            // Corners of QR and Data Matrix codes on upright pictures.
            let positioned = k.0 == "QR_CODE" || k.0 == "DATA_MATRIX";
            if positioned && picture["upright"] == true {
                let (Some(want), Some(got)) = (
                    corners(code),
                    our_reads.get(file).and_then(|f| f.iter().find(|c| key(c) == k)).and_then(corners),
                ) else {
                    continue;
                };
                corner_checks += 1;
                let off = want.iter().zip(&got).map(|(w, g)| (w.0 - g.0).abs().max((w.1 - g.1).abs())).max().unwrap_or(0);
                if off > CORNER_TOLERANCE {
                    corners_off.push(format!("{file}: {off} px"));
                }
            }
        }
    }
    let mut total = Tally::default();
    by_distortion.values().for_each(|t| total.add(*t));

    let corpus = &a["corpus"];
    let _ = writeln!(md, "\n## Reading photo-like pictures: agreement with zxing-cpp\n");
    let _ = writeln!(
        md,
        "A corpus drawn by `wxcv-bench corpus` (bench/src/corpus.rs, seed {}; {} pictures holding {} codes, {:.1} MB, \
         none over the 2 MB upload limit): each symbology both vendors list under each distortion, as phone \
         photos and screenshots show them. The truth is what was drawn; zxing-cpp ({reference_side} from PyPI, its \
         default options, Pillow decoding the file) is the reference. Ours is the emulator's `codes::decode` \
         ({ours_reader}, built from its crate's bundled source; the `image` crate decodes the file); rxing 0.9.3, the reader before it, is in the last column. \
         A code counts as read when the symbology and the text are those drawn; a reading of anything else is false.\n",
        a["seed"].as_str().unwrap_or("?"),
        corpus["pictures"],
        total.drawn,
        corpus["bytes"].as_f64().unwrap_or(0.0) / 1e6,
    );
    let table = |md: &mut String, title: &str, rows: &BTreeMap<String, Tally>| {
        let _ = writeln!(md, "| {title} | codes drawn | zxing-cpp read | ours read | only zxing-cpp | only ours | rxing (before) |");
        let _ = writeln!(md, "|---|---|---|---|---|---|---|");
        for (name, t) in rows.iter().chain([(&"all".to_string(), &total)]) {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {} | {} |",
                t.drawn, t.reference, t.ours, t.only_reference, t.only_ours, t.before
            );
        }
        let _ = writeln!(md);
    };
    table(md, "distortion", &by_distortion);
    table(md, "symbology", &by_symbology);
    let list = |items: &[String]| if items.is_empty() { "none".to_string() } else { items.join("; ") };
    let _ = writeln!(md, "- False readings: zxing-cpp {}, ours {}, rxing {}.", false_ref.len(), false_ours.len(), false_before.len());
    if !false_ours.is_empty() {
        let _ = writeln!(md, "  Ours: {}.", list(&false_ours));
    }
    let _ = writeln!(md, "- Read by zxing-cpp and not by ours: {}.", list(&missed));
    let _ = writeln!(
        md,
        "- Corners: {corner_checks} QR and Data Matrix codes on upright pictures, {} more than {CORNER_TOLERANCE} px from the drawn corners{}.",
        corners_off.len(),
        if corners_off.is_empty() { String::new() } else { format!(" ({})", list(&corners_off)) }
    );

    // Time: the sum of the per-picture times at --jobs 1 (each side's runs, the median of them),
    // and the wall time over the whole corpus at --jobs 2.
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(|a, b| a.total_cmp(b));
        xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let pictures = f64::from(a["truth"].as_array().map_or(0, |t| t.len() as u32)).max(1.0);
    let ref1 = median(reference.iter().map(|r| seconds(r)).collect());
    let ours1 = median(ours.iter().map(|r| seconds(r)).collect());
    let wall = |prefix: &str| side(prefix, 2).first().and_then(|r| r["wall_seconds"].as_f64()).unwrap_or(f64::NAN);
    let (ref2, ours2) = (wall("zxing-cpp"), wall("ours (zxing-cpp"));
    let before1 = before.first().map(|r| seconds(r)).unwrap_or(f64::NAN);
    let _ = writeln!(md, "\n| side | ms per picture, --jobs 1 | ms per picture, --jobs 2 (wall) |");
    let _ = writeln!(md, "|---|---|---|");
    let _ = writeln!(md, "| {reference_side} (Pillow decodes the file) | {:.1} | {:.1} |", ref1 * 1e3 / pictures, ref2 * 1e3 / pictures);
    let _ = writeln!(md, "| ours, {ours_reader} (the `image` crate decodes the file) | {:.1} | {:.1} |", ours1 * 1e3 / pictures, ours2 * 1e3 / pictures);
    let _ = writeln!(md, "| ours before (rxing 0.9.3) | {:.1} | |", before1 * 1e3 / pictures);
    let cli: Vec<String> = a["cli"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{:.1} s at --jobs {}", c["seconds"].as_f64().unwrap_or(f64::NAN), c["jobs"]))
        .collect();
    let _ = writeln!(
        md,
        "\nThe command line over the same {} files (`wxcv --emulator img scan-qrcode --img ... --jobs N`, release \
         build, one JSON line a picture): {}.",
        pictures,
        cli.join(", ")
    );

    let share = if total.reference == 0 { f64::NAN } else { f64::from(total.reference - total.only_reference) / f64::from(total.reference) };
    vec![
        ("Photo-like pictures: share of zxing-cpp's readings ours reads".into(), share, 1.0, true),
        ("Photo-like pictures: false readings by ours (count)".into(), false_ours.len() as f64, 0.0, false),
        ("Photo-like pictures: decode time vs zxing-cpp, --jobs 1".into(), ours1 / ref1, 1.2, false),
        ("Photo-like pictures: decode time vs zxing-cpp, --jobs 2".into(), ours2 / ref2, 1.2, false),
    ]
}
