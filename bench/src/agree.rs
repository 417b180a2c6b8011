//! `wxcv-bench agree`: every picture of a corpus (see corpus.rs) read by one of the emulator's
//! readers, timed per picture the way bench.py's `agree` times zxing-cpp: the file read, the
//! picture decoded (here by the `image` crate) and every code read.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::{Value, json};
use wxcv_emulator::codes::{self, Reader};

use crate::Res;

/// The reader named on the command line.
pub fn reader(name: &str) -> Res<Reader> {
    match name {
        "zxing-cpp" => Ok(Reader::ZxingCpp),
        "rxing" => Ok(Reader::Rxing),
        other => Err(format!("--reader {other:?}: zxing-cpp or rxing")),
    }
}

/// One picture: what `reader` read in it and how long the whole took.
fn read_picture(reader: Reader, path: &Path) -> Res<Value> {
    let t = Instant::now();
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let picture = image::load_from_memory(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let found = codes::decode_with(reader, &picture.to_luma8());
    let seconds = t.elapsed().as_secs_f64();
    let codes: Vec<Value> = found
        .iter()
        .map(|c| {
            json!({"symbology": c.symbology.wechat_name(), "text": c.text,
                "corners": c.corners.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()})
        })
        .collect();
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(json!({"file": file, "seconds": seconds, "codes": codes}))
}

/// Every picture of `corpus/truth.json`, read on `jobs` threads (each takes the next picture).
pub fn agree(corpus: &Path, reader: Reader, jobs: usize) -> Res<Value> {
    let truth_path = corpus.join("truth.json");
    let truth: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(&truth_path).map_err(|e| format!("{}: {e}", truth_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", truth_path.display()))?;
    let paths: Vec<_> = truth.iter().filter_map(|p| p["file"].as_str()).map(|f| corpus.join(f)).collect();
    if let Some(first) = paths.first() {
        read_picture(reader, first)?; // warm, as bench.py is
    }
    let next = AtomicUsize::new(0);
    let pictures: Mutex<Vec<Option<Res<Value>>>> = Mutex::new(vec![None; paths.len()]);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let read = read_picture(reader, path);
                    if let Ok(mut all) = pictures.lock() {
                        all[i] = Some(read);
                    }
                }
            });
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let pictures = pictures.into_inner().map_err(|_| "a reader thread panicked".to_string())?;
    let pictures = pictures.into_iter().map(|p| p.unwrap_or_else(|| Err("a picture was not read".into()))).collect::<Res<Vec<_>>>()?;
    Ok(json!({"scenario": "agree", "side": format!("ours ({})", reader.name()), "jobs": jobs, "wall_seconds": wall, "pictures": pictures}))
}
