//! The test pictures of the emulator's barcode reader, drawn from scratch so that they can be
//! checked and regenerated: `cargo run -p wxcv-emulator --example make_fixtures` writes them to the
//! workspace's `tests/fixtures/` with a manifest of what each holds (every binding's suite uses
//! them), and the emulator's decode tests check both that the committed files are what this module
//! draws and that every code in them is read.
//!
//! Everything here is deterministic: whole-pixel arithmetic, rotations by exact sines and cosines,
//! and the `image` crate's encoders, so a run draws the same bytes as the last one.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{GrayImage, ImageEncoder, Luma};

use crate::codes::{self, Symbology};

/// One test picture and the codes it holds.
pub struct Fixture {
    /// File name under `tests/fixtures/`.
    pub file: &'static str,
    pub bytes: Vec<u8>,
    pub expect: Vec<Expected>,
    pub note: &'static str,
}

/// A code a fixture holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub symbology: Symbology,
    pub text: String,
    /// The symbol's outer corners (left_top, right_top, right_bottom, left_bottom in the symbol's
    /// own orientation), for the symbologies whose position the vendors report.
    pub corners: Option<[(i64, i64); 4]>,
}

/// Every fixture, in a fixed order.
pub fn all() -> Vec<Fixture> {
    let mut fixtures = vec![seed()];
    fixtures.extend(singles());
    fixtures.extend([
        qr_rotated_30(),
        datamatrix_rotated_90(),
        ean13_rotated_90(),
        qr_small(),
        code128_scaled_3x(),
        several(),
        Fixture {
            file: "blank.png",
            bytes: png(&GrayImage::from_pixel(400, 300, Luma([255]))),
            expect: Vec::new(),
            note: "a white picture without any code",
        },
        Fixture {
            file: "not-an-image.jpg",
            bytes: b"This file is named .jpg but holds only this line of text.\n".to_vec(),
            expect: Vec::new(),
            note: "text bytes under a picture's name: the vendors reply that the picture is invalid",
        },
        bomb(),
    ]);
    fixtures
}

/// The command that writes the fixtures and their manifest.
pub const GENERATED_BY: &str = "cargo run -p wxcv-emulator --example make_fixtures";

/// `tests/fixtures/manifest.json`: what each fixture holds, with the names each vendor gives the
/// symbologies, for the tests of other languages. Pretty-printed, ending with a newline.
pub fn manifest(fixtures: &[Fixture]) -> String {
    let fixtures: Vec<serde_json::Value> = fixtures
        .iter()
        .map(|f| {
            let expect: Vec<serde_json::Value> = f
                .expect
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "wechat_type": e.symbology.wechat_name(),
                        "tencent_type": e.symbology.tencent_name(),
                        "data": e.text,
                        "pos": e.symbology.reports_position(),
                        "corners": e.corners.map(|c| c.map(|(x, y)| [x, y])),
                    })
                })
                .collect();
            serde_json::json!({ "file": f.file, "note": f.note, "expect": expect })
        })
        .collect();
    let manifest = serde_json::json!({ "generated_by": GENERATED_BY, "fixtures": fixtures });
    let mut text = serde_json::to_string_pretty(&manifest).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// WeChat's documented example reply of img.scanQRCode, drawn: its two QR codes at the positions
/// the documentation gives, and its EAN-13 and Code 128 in the free lower-left part.
pub(crate) fn seed() -> Fixture {
    let mut c = Canvas::new(1000, 900);
    // The documentation gives (585,378)-(828,618) for this one: 243 x 240, which is no square;
    // it is drawn 243 x 243.
    c.place_sized(Symbology::QrCode, "http://www.qq.com", (585, 378, 243, 243));
    c.place_sized(Symbology::QrCode, "https://mp.weixin.qq.com", (185, 142, 211, 211));
    c.place(Symbology::Ean13, "5906789678957", (100, 450), 3, 150);
    c.place(Symbology::Code128, "50090500019191", (100, 690), 3, 150);
    c.fixture_jpeg(
        "seed-four-codes.jpg",
        "WeChat's documented scanQRCode example: two QR codes at the documented corners, an EAN-13 \
         and a Code 128; JPEG quality 90",
    )
}

/// One upright picture per symbology, a few pixels per module.
fn singles() -> Vec<Fixture> {
    let one = |file: &'static str, symbology: Symbology, text: &str, unit: u32, note: &'static str| {
        let modules = symbol(symbology, text);
        let quiet = 10 * unit;
        let (w, h) = if symbology_is_2d(symbology) {
            (modules.width() * unit, modules.height() * unit)
        } else {
            (modules.width() * unit, 120)
        };
        let mut c = Canvas::new(w + 2 * quiet, h + 2 * quiet.min(40));
        c.place_sized(symbology, text, (quiet, quiet.min(40), w, h));
        c.fixture_png(file, note)
    };
    vec![
        one("qr.png", Symbology::QrCode, "wxcv 二维码 fixture ✓", 6, "a QR code holding UTF-8 text"),
        one("datamatrix.png", Symbology::DataMatrix, "WXCV-DM-0001", 8, "a Data Matrix"),
        one("pdf417.png", Symbology::Pdf417, "wxcv PDF417 fixture 0123456789", 3, "a PDF417"),
        one("ean13.png", Symbology::Ean13, "6901234567892", 3, "an EAN-13"),
        one("ean8.png", Symbology::Ean8, "96385074", 3, "an EAN-8"),
        one("upca.png", Symbology::UpcA, "036000291452", 3, "a UPC-A"),
        one("upce.png", Symbology::UpcE, "01234565", 3, "a UPC-E"),
        one("code128.png", Symbology::Code128, "wxcv-128-Code", 3, "a Code 128"),
        one("code39.png", Symbology::Code39, "WXCV-39 TEST", 3, "a Code 39"),
        one("code93.png", Symbology::Code93, "WXCV-93", 3, "a Code 93"),
    ]
}

pub(crate) fn qr_rotated_30() -> Fixture {
    let mut c = Canvas::new(300, 300);
    c.place(Symbology::QrCode, "rotated by 30 degrees", (40, 40), 8, 0);
    // cos 30° = √3/2, sin 30° = 1/2
    let c = c.rotated(3f64.sqrt() / 2.0, 0.5);
    c.fixture_png("qr-rotated-30.png", "a QR code rotated 30 degrees clockwise (bilinear)")
}

fn datamatrix_rotated_90() -> Fixture {
    let mut c = Canvas::new(260, 200);
    c.place(Symbology::DataMatrix, "rotated by 90 degrees", (40, 30), 6, 0);
    c.rotated_90().fixture_png("datamatrix-rotated-90.png", "a Data Matrix rotated 90 degrees clockwise")
}

fn ean13_rotated_90() -> Fixture {
    let mut c = Canvas::new(360, 200);
    c.place(Symbology::Ean13, "4006381333931", (40, 30), 3, 140);
    c.rotated_90().fixture_png("ean13-rotated-90.png", "an EAN-13 rotated 90 degrees clockwise (vertical bars)")
}

pub(crate) fn qr_small() -> Fixture {
    let mut c = Canvas::new(260, 260);
    c.place(Symbology::QrCode, "https://example.com/wxcv/small-qr-code?size=2px", (40, 40), 4, 0);
    c.scaled(1, 2)
        .fixture_png("qr-small.png", "a QR code drawn at 4 px per module and scaled down by half (2 px modules)")
}

fn code128_scaled_3x() -> Fixture {
    let mut c = Canvas::new(150, 60);
    c.place(Symbology::Code128, "SCALED-3X", (15, 10), 1, 40);
    c.scaled(3, 1).fixture_png("code128-scaled-3x.png", "a Code 128 drawn at 1 px per module and scaled up 3 times")
}

fn several() -> Fixture {
    let mut c = Canvas::new(700, 420);
    c.place(Symbology::QrCode, "several codes: QR", (40, 40), 6, 0);
    c.place(Symbology::DataMatrix, "several codes: DM", (330, 50), 8, 0);
    c.place(Symbology::Code39, "SEVERAL-39", (40, 280), 2, 90);
    c.fixture_png("several.png", "a QR code, a Data Matrix and a Code 39 in one picture")
}

/// A valid PNG of 144 million white pixels that compresses to a fraction of a megabyte: it passes
/// an upload size limit and must be refused by a pixel limit before being decoded.
///
/// The `image` crate's PNG encoder takes the whole picture at once (it cannot be fed row by row),
/// so this allocates the picture once, 144 MB.
fn bomb() -> Fixture {
    let side = 12_000;
    let white = vec![255u8; side * side];
    let mut bytes = Vec::new();
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Best, FilterType::NoFilter)
        .write_image(&white, side as u32, side as u32, image::ExtendedColorType::L8)
        .expect("encoding a PNG into memory cannot fail");
    Fixture {
        file: "bomb.png",
        bytes,
        expect: Vec::new(),
        note: "12000 x 12000 white pixels (144 Mpx) in a small PNG: to be refused by the pixel limit",
    }
}

fn symbology_is_2d(symbology: Symbology) -> bool {
    matches!(symbology, Symbology::QrCode | Symbology::DataMatrix | Symbology::Pdf417)
}

/// The modules of a fixture's code; the fixtures hold only valid data.
fn symbol(symbology: Symbology, text: &str) -> rxing::common::BitMatrix {
    codes::symbol(symbology, text).unwrap_or_else(|e| panic!("fixture data: {e}"))
}

/// A white picture being drawn, and the codes drawn on it.
struct Canvas {
    picture: GrayImage,
    expect: Vec<Expected>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        Canvas { picture: GrayImage::from_pixel(width, height, Luma([255])), expect: Vec::new() }
    }

    /// Draws a code with its top-left module at `at`, `unit` pixels per module, and (1-D codes)
    /// bars `bar_height` pixels high.
    fn place(&mut self, symbology: Symbology, text: &str, at: (u32, u32), unit: u32, bar_height: u32) {
        let modules = symbol(symbology, text);
        let height = if symbology_is_2d(symbology) { modules.height() * unit } else { bar_height };
        self.place_sized(symbology, text, (at.0, at.1, modules.width() * unit, height));
    }

    /// Draws a code stretched over `rect` = (x, y, width, height), without its quiet zone.
    fn place_sized(&mut self, symbology: Symbology, text: &str, rect: (u32, u32, u32, u32)) {
        codes::paint(&mut self.picture, &symbol(symbology, text), rect);
        let (x, y, w, h) = (i64::from(rect.0), i64::from(rect.1), i64::from(rect.2), i64::from(rect.3));
        self.expect.push(Expected {
            symbology,
            text: text.to_owned(),
            corners: symbology.reports_position().then_some([(x, y), (x + w, y), (x + w, y + h), (x, y + h)]),
        });
    }

    /// Turned 90 degrees clockwise.
    fn rotated_90(self) -> Canvas {
        let height = i64::from(self.picture.height());
        // Pixel (x, y) moves to (height - 1 - y, x), so the corner point (x, y) to (height - y, x).
        let rotated = image::imageops::rotate90(&self.picture);
        self.map_corners(rotated, |(x, y)| (height - y, x))
    }

    /// Turned clockwise by the angle of cosine `cos` and sine `sin` about its centre, onto a white
    /// canvas large enough to hold it, sampling bilinearly.
    fn rotated(self, cos: f64, sin: f64) -> Canvas {
        let (w, h) = (f64::from(self.picture.width()), f64::from(self.picture.height()));
        let (new_w, new_h) = ((w * cos + h * sin).ceil(), (w * sin + h * cos).ceil());
        let (cx, cy, ncx, ncy) = (w / 2.0, h / 2.0, new_w / 2.0, new_h / 2.0);
        let source = &self.picture;
        let sample = |x: f64, y: f64| -> f64 {
            let (xi, yi) = (x.floor() as i64, y.floor() as i64);
            let at = |x: i64, y: i64| -> f64 {
                if x < 0 || y < 0 || x >= i64::from(source.width()) || y >= i64::from(source.height()) {
                    255.0
                } else {
                    f64::from(source.get_pixel(x as u32, y as u32)[0])
                }
            };
            let (fx, fy) = (x - xi as f64, y - yi as f64);
            let top = at(xi, yi) * (1.0 - fx) + at(xi + 1, yi) * fx;
            let bottom = at(xi, yi + 1) * (1.0 - fx) + at(xi + 1, yi + 1) * fx;
            top * (1.0 - fy) + bottom * fy
        };
        let rotated = GrayImage::from_fn(new_w as u32, new_h as u32, |x, y| {
            // The centre of the output pixel, turned back into the source picture.
            let (dx, dy) = (f64::from(x) + 0.5 - ncx, f64::from(y) + 0.5 - ncy);
            let (sx, sy) = (cx + dx * cos + dy * sin, cy - dx * sin + dy * cos);
            Luma([sample(sx - 0.5, sy - 0.5).round() as u8])
        });
        self.map_corners(rotated, |(x, y)| {
            let (dx, dy) = (x as f64 - cx, y as f64 - cy);
            ((ncx + dx * cos - dy * sin).round() as i64, (ncy + dx * sin + dy * cos).round() as i64)
        })
    }

    /// Scaled by `num / den` (bilinear).
    fn scaled(self, num: u32, den: u32) -> Canvas {
        let (w, h) = (self.picture.width() * num / den, self.picture.height() * num / den);
        let scaled = image::imageops::resize(&self.picture, w, h, image::imageops::FilterType::Triangle);
        let (num, den) = (i64::from(num), i64::from(den));
        self.map_corners(scaled, |(x, y)| (x * num / den, y * num / den))
    }

    fn map_corners(self, picture: GrayImage, f: impl Fn((i64, i64)) -> (i64, i64)) -> Canvas {
        let expect = self.expect.into_iter().map(|e| Expected { corners: e.corners.map(|c| c.map(&f)), ..e }).collect();
        Canvas { picture, expect }
    }

    fn fixture_png(self, file: &'static str, note: &'static str) -> Fixture {
        Fixture { file, bytes: png(&self.picture), expect: self.expect, note }
    }

    fn fixture_jpeg(self, file: &'static str, note: &'static str) -> Fixture {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, 90)
            .encode_image(&self.picture)
            .expect("encoding a JPEG into memory cannot fail");
        Fixture { file, bytes, expect: self.expect, note }
    }
}

fn png(picture: &GrayImage) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, image::ImageFormat::Png).expect("encoding a PNG into memory cannot fail");
    bytes.into_inner()
}
