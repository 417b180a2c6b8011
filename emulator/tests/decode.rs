//! The barcode reader against the fixtures of `wxcv_emulator::fixture_gen`: the committed pictures
//! under the workspace's `tests/fixtures/` are what it draws, and every code in them is read, with
//! its symbology, text and (QR, Data Matrix) corners.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use wxcv_emulator::codes;
use wxcv_emulator::fixture_gen::{self, Fixture, GENERATED_BY};

/// How far a reported corner may be from the drawn one, in pixels along each axis.
const CORNER_TOLERANCE: i64 = 4;
/// The emulator's default pixel limit.
const MAX_PIXELS: u64 = 40_000_000;

/// Drawing the fixtures takes a few seconds (the bomb is 144 Mpx): once for all tests.
fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(fixture_gen::all)
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn reader(bytes: &[u8]) -> image::ImageReader<Cursor<&[u8]>> {
    image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().expect("reading from memory cannot fail")
}

#[test]
fn committed_fixtures_are_current() {
    let dir = fixtures_dir();
    let mut stale: Vec<String> = fixtures()
        .iter()
        .filter(|f| std::fs::read(dir.join(f.file)).ok().as_deref() != Some(f.bytes.as_slice()))
        .map(|f| f.file.to_owned())
        .collect();
    if std::fs::read_to_string(dir.join("manifest.json")).ok() != Some(fixture_gen::manifest(fixtures())) {
        stale.push("manifest.json".to_owned());
    }
    assert!(
        stale.is_empty(),
        "tests/fixtures/ differs from what fixture_gen draws ({}); run `{GENERATED_BY}` and commit the result",
        stale.join(", ")
    );
}

#[test]
fn every_code_is_read() {
    let (mut expected, mut read, mut pictures) = (0, 0, 0);
    let mut total = Duration::ZERO;
    let mut failures = Vec::new();
    for fixture in fixtures() {
        match fixture.file {
            "bomb.png" => continue,
            "not-an-image.jpg" => {
                assert!(reader(&fixture.bytes).decode().is_err(), "not-an-image.jpg decodes as a picture");
                continue;
            }
            _ => {}
        }
        let luma = reader(&fixture.bytes).decode().unwrap_or_else(|e| panic!("{}: {e}", fixture.file)).to_luma8();
        let started = Instant::now();
        let codes = codes::decode(&luma);
        let took = started.elapsed();
        total += took;
        pictures += 1;
        println!("{:<26} {:>4} ms  {} of {} codes", fixture.file, took.as_millis(), codes.len(), fixture.expect.len());

        for want in &fixture.expect {
            expected += 1;
            let Some(got) = codes.iter().find(|c| c.symbology == want.symbology && c.text == want.text) else {
                failures.push(format!("{}: {} {:?} not read", fixture.file, want.symbology.wechat_name(), want.text));
                continue;
            };
            read += 1;
            if let Some(corners) = want.corners {
                let off = got.corners.iter().zip(corners).map(|(g, w)| (g.0 - w.0).abs().max((g.1 - w.1).abs())).max();
                println!(
                    "    {} corners {:?}, {} px off at most",
                    want.symbology.wechat_name(),
                    got.corners,
                    off.unwrap_or(0)
                );
                if off > Some(CORNER_TOLERANCE) {
                    failures
                        .push(format!("{}: {:?} at {:?}, drawn at {corners:?}", fixture.file, want.text, got.corners));
                }
            }
        }
        let unexpected: Vec<_> = codes
            .iter()
            .filter(|c| !fixture.expect.iter().any(|e| e.symbology == c.symbology && e.text == c.text))
            .collect();
        if !unexpected.is_empty() {
            failures.push(format!("{}: read codes it does not hold: {unexpected:?}", fixture.file));
        }
    }
    println!(
        "decode rate {read}/{expected}, {:.1} ms per picture over {pictures} pictures (this build's profile)",
        total.as_secs_f64() * 1000.0 / f64::from(pictures)
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn codes_come_in_reply_order() {
    let seed = fixtures().iter().find(|f| f.file == "seed-four-codes.jpg").unwrap();
    let codes = codes::decode(&reader(&seed.bytes).decode().unwrap().to_luma8());
    let texts: Vec<_> = codes.iter().map(|c| c.text.as_str()).collect();
    // The larger QR code first, then the 1-D codes from top to bottom.
    assert_eq!(texts, ["http://www.qq.com", "https://mp.weixin.qq.com", "5906789678957", "50090500019191"]);
}

#[test]
fn the_bomb_is_refused_by_a_pixel_limit() {
    let bomb = fixtures().iter().find(|f| f.file == "bomb.png").unwrap();
    assert!(bomb.bytes.len() < 2 << 20, "bomb.png must pass a 2 MB upload limit");
    let (width, height) = reader(&bomb.bytes).into_dimensions().unwrap();
    assert!(u64::from(width) * u64::from(height) > MAX_PIXELS);

    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS);
    let mut limited = reader(&bomb.bytes);
    limited.limits(limits);
    let started = Instant::now();
    let refused = limited.decode();
    assert!(matches!(refused, Err(image::ImageError::Limits(_))), "{refused:?}");
    assert!(started.elapsed() < Duration::from_secs(1), "refused only after {:?}", started.elapsed());
}

/// Pictures from the benchmark's photo-like corpus (`wxcv-bench corpus --seed 18`, see
/// tests/fixtures/hard/truth.json) that the reader before zxing-cpp (rxing) missed: each of their
/// codes is read, nothing else is, and QR and Data Matrix corners on upright pictures are where
/// they were drawn.
#[test]
fn hard_pictures_are_read() {
    let dir = fixtures_dir().join("hard");
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).expect("tests/fixtures/hard/truth.json"))
            .expect("truth.json is JSON");
    let pictures = truth["pictures"].as_array().expect("a list of pictures");
    assert!(pictures.len() >= 5, "{} hard pictures", pictures.len());
    let mut failures = Vec::new();
    for picture in pictures {
        let file = picture["file"].as_str().expect("a file name");
        let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(bytes.len() < 2 << 20, "{file} is over the 2 MB upload limit");
        let codes = codes::decode(&reader(&bytes).decode().unwrap_or_else(|e| panic!("{file}: {e}")).to_luma8());
        let drawn = picture["codes"].as_array().expect("the codes drawn");
        for want in drawn {
            let (symbology, text) = (want["symbology"].as_str().unwrap(), want["text"].as_str().unwrap());
            let Some(got) = codes.iter().find(|c| c.symbology.wechat_name() == symbology && c.text == text) else {
                failures.push(format!("{file}: {symbology} {text:?} not read"));
                continue;
            };
            let corners = want["corners"].as_array().filter(|_| picture["upright"] == true && got.symbology.reports_position());
            for (g, w) in got.corners.iter().zip(corners.into_iter().flatten()) {
                let (x, y) = (w[0].as_i64().unwrap(), w[1].as_i64().unwrap());
                if (g.0 - x).abs().max((g.1 - y).abs()) > CORNER_TOLERANCE {
                    failures.push(format!("{file}: corners {:?}, drawn at {corners:?}", got.corners));
                    break;
                }
            }
        }
        for c in &codes {
            if !drawn.iter().any(|w| w["symbology"] == c.symbology.wechat_name() && w["text"] == c.text.as_str()) {
                failures.push(format!("{file}: read {} {:?}, which it does not hold", c.symbology.wechat_name(), c.text));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
