//! `wxcv-bench corpus`: a seeded corpus of photo-like barcode pictures and what was drawn in them,
//! for comparing the emulator's decoder with zxing-cpp (`wxcv-bench agree`, bench.py `agree`,
//! xtask's bench_agreement.rs). Nothing of it is committed: the same seed draws the same bytes.
//!
//! Every symbology the emulator reads is drawn under every [`Distortion`] that phone photos and
//! screenshots show, `per_cell` pictures a (symbology, distortion). The codes are the emulator's
//! own drawings ([`codes::encode`]) with random texts valid for their symbology, printed in
//! paper-and-ink tones at a random place of a larger canvas, then distorted, given mild sensor
//! noise and saved as most cameras save them (JPEG, some PNG), each file under 2 MB.
//!
//! `DIR/truth.json` has one entry a picture: `{"file", "distortion", "symbology", "upright",
//! "codes": [{"symbology", "text", "corners"}]}`. `corners` are, for QR and Data Matrix codes, the
//! symbol's outer corners (the edge of its modules, not of the quiet zone) in pixels of the
//! picture, left_top, right_top, right_bottom, left_bottom as the symbol stands upright (the way
//! [`codes::Decoded::corners`] names them), and null for the other symbologies. `upright` is false
//! for pictures turned or tilted (rotation_small, rotation_right, perspective).

use std::f64::consts::TAU;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{GrayImage, ImageEncoder, Luma};
use serde_json::{Value, json};
use wxcv_emulator::codes::{self, Symbology};

use crate::Res;

/// The largest file written: under WeChat's 2 MB upload limit however a megabyte is counted.
const MAX_BYTES: usize = 2_000_000;

/// The longest side of a code (with its quiet zone) but for close-ups, in pixels.
const MAX_CODE_SIDE: u32 = 1400;

/// What is done to the pictures of one column of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Distortion {
    Clean,
    Noise,
    Blur,
    LowContrast,
    UnevenLight,
    Inverted,
    RotationSmall,
    RotationRight,
    Perspective,
    Jpeg,
    SmallModules,
    LargeModules,
    BusyBackground,
    Photo12mp,
    Several,
}

impl Distortion {
    const ALL: [Distortion; 15] = [
        Distortion::Clean,
        Distortion::Noise,
        Distortion::Blur,
        Distortion::LowContrast,
        Distortion::UnevenLight,
        Distortion::Inverted,
        Distortion::RotationSmall,
        Distortion::RotationRight,
        Distortion::Perspective,
        Distortion::Jpeg,
        Distortion::SmallModules,
        Distortion::LargeModules,
        Distortion::BusyBackground,
        Distortion::Photo12mp,
        Distortion::Several,
    ];

    /// The name in truth.json and in the file names.
    fn name(self) -> &'static str {
        match self {
            Distortion::Clean => "clean",
            Distortion::Noise => "noise",
            Distortion::Blur => "blur",
            Distortion::LowContrast => "low_contrast",
            Distortion::UnevenLight => "uneven_light",
            Distortion::Inverted => "inverted",
            Distortion::RotationSmall => "rotation_small",
            Distortion::RotationRight => "rotation_right",
            Distortion::Perspective => "perspective",
            Distortion::Jpeg => "jpeg",
            Distortion::SmallModules => "small_modules",
            Distortion::LargeModules => "large_modules",
            Distortion::BusyBackground => "busy_background",
            Distortion::Photo12mp => "photo_12mp",
            Distortion::Several => "several",
        }
    }

    /// One picture of a `symbology` code under this distortion.
    fn shoot(self, symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
        match self {
            Distortion::Clean => clean(symbology, rng),
            Distortion::Noise => noise(symbology, rng),
            Distortion::Blur => blur(symbology, rng),
            Distortion::LowContrast => low_contrast(symbology, rng),
            Distortion::UnevenLight => uneven_light(symbology, rng),
            Distortion::Inverted => inverted(symbology, rng),
            Distortion::RotationSmall => rotation_small(symbology, rng),
            Distortion::RotationRight => rotation_right(symbology, rng),
            Distortion::Perspective => perspective(symbology, rng),
            Distortion::Jpeg => jpeg(symbology, rng),
            Distortion::SmallModules => small_modules(symbology, rng),
            Distortion::LargeModules => large_modules(symbology, rng),
            Distortion::BusyBackground => busy_background(symbology, rng),
            Distortion::Photo12mp => photo_12mp(symbology, rng),
            Distortion::Several => several(symbology, rng),
        }
    }
}

/// splitmix64: small, fast, and the same numbers on every machine.
struct Rng(u64);

impl Rng {
    /// The stream of one picture: the corpus's seed and the picture's place in the corpus (so a
    /// corpus of fewer pictures a cell holds the same first pictures).
    fn for_picture(seed: u64, place: [u64; 3]) -> Rng {
        let mut rng = Rng(seed);
        for p in place {
            rng.0 = rng.next() ^ p;
        }
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in lo..=hi.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % (u64::from(hi - lo) + 1)) as u32
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of `items` (not empty).
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }

    /// Two independent standard normal numbers (Box-Muller).
    fn gauss2(&mut self) -> (f64, f64) {
        let r = (-2.0 * (1.0 - self.unit()).ln()).sqrt();
        let a = TAU * self.unit();
        (r * a.cos(), r * a.sin())
    }
}

// ---------------------------------------------------------------------------------------------
// Texts

/// A random text valid for `symbology`, of a length such codes usually carry.
fn text(symbology: Symbology, rng: &mut Rng) -> String {
    match symbology {
        // Not starting with 0: that EAN-13 is a UPC-A, and readers report it as one.
        Symbology::Ean13 => with_check_digit(&format!("{}{}", rng.between(1, 9), digits(rng, 11))),
        Symbology::Ean8 => with_check_digit(&digits(rng, 7)),
        Symbology::UpcA => with_check_digit(&digits(rng, 11)),
        Symbology::UpcE => upc_e(&digits(rng, 6)),
        Symbology::Code39 | Symbology::Code93 => {
            let n = rng.between(6, 12);
            (0..n).map(|_| char::from(rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"))).collect()
        }
        Symbology::Code128 => ascii(rng, 6, 16),
        Symbology::DataMatrix => ascii(rng, 6, 40),
        Symbology::Pdf417 => ascii(rng, 10, 80),
        Symbology::QrCode => qr_text(rng),
    }
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.between(0, 9) as u8)).collect()
}

/// `lo..=hi` printable ASCII characters.
fn ascii(rng: &mut Rng, lo: u32, hi: u32) -> String {
    let n = rng.between(lo, hi);
    (0..n).map(|_| char::from(rng.between(0x20, 0x7e) as u8)).collect()
}

/// `digits` (ASCII digits) and their GTIN check digit.
fn with_check_digit(digits: &str) -> String {
    format!("{digits}{}", wxcv_emulator::gtin_check_digit(digits).unwrap_or_default())
}

/// The 8-digit UPC-E of number system 0 with the six digits `body`, its check digit that of the
/// UPC-A it stands for.
fn upc_e(body: &str) -> String {
    let d: Vec<char> = body.chars().collect();
    let upc_a: String = match d[5] {
        '0'..='2' => [d[0], d[1], d[5], '0', '0', '0', '0', d[2], d[3], d[4]].iter().collect(),
        '3' => [d[0], d[1], d[2], '0', '0', '0', '0', '0', d[3], d[4]].iter().collect(),
        '4' => [d[0], d[1], d[2], d[3], '0', '0', '0', '0', '0', d[4]].iter().collect(),
        _ => [d[0], d[1], d[2], d[3], d[4], '0', '0', '0', '0', d[5]].iter().collect(),
    };
    let check = with_check_digit(&format!("0{upc_a}"));
    format!("0{body}{}", &check[11..])
}

/// What QR codes carry: links, sentences, and Chinese text; 10-120 characters.
fn qr_text(rng: &mut Rng) -> String {
    const HOSTS: [&str; 4] = ["example.com", "wxcv.example.org", "shop.example.cn", "m.example.net"];
    const WORDS: [&str; 16] = [
        "order", "ticket", "table", "scan", "to", "pay", "the", "menu", "seat", "gate", "coupon", "for", "your", "next", "visit", "wifi",
    ];
    const HANZI: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者";
    let hanzi: Vec<char> = HANZI.chars().collect();
    let len = rng.between(10, 120) as usize;
    let mut text = String::new();
    match rng.between(0, 2) {
        0 => {
            text.push_str("https://");
            text.push_str(rng.pick(&HOSTS));
            while text.chars().count() < len {
                text.push(rng.pick(&['/', '/', '?', '&', '=']));
                let n = rng.between(2, 9);
                text.extend((0..n).map(|_| char::from(rng.pick(b"abcdefghijklmnopqrstuvwxyz0123456789"))));
            }
        }
        1 => {
            while text.chars().count() < len {
                text.push_str(rng.pick(&WORDS));
                text.push(rng.pick(&[' ', ' ', ' ', ',', '.']));
            }
        }
        _ => {
            while text.chars().count() < len {
                if rng.chance(0.1) {
                    text.push_str(&digits(rng, 4));
                } else {
                    text.push(rng.pick(&hanzi));
                }
            }
        }
    }
    text.chars().take(len).collect()
}

// ---------------------------------------------------------------------------------------------
// Codes and pictures

/// A code drawn by the emulator one pixel a module: black on white with its quiet zone around it
/// (and for 1-D codes a single row of bars).
struct Drawn {
    symbology: Symbology,
    text: String,
    modules: GrayImage,
    /// The symbol in `modules`, without its quiet zone: left, top, right, bottom (exclusive).
    symbol: [u32; 4],
}

impl Drawn {
    fn new(symbology: Symbology, text: String) -> Res<Drawn> {
        let linear = !is_2d(symbology);
        let draw = |n: u32| if linear { codes::encode(symbology, &text, n, 1) } else { codes::encode(symbology, &text, n, n) };
        // The smallest picture that holds the code has one pixel a module: found by doubling,
        // then halving the gap.
        let (mut lo, mut hi) = (0, 16);
        let mut square = loop {
            match draw(hi) {
                Ok(picture) => break picture,
                Err(e) if hi >= 1 << 12 => return Err(e),
                Err(_) => (lo, hi) = (hi, hi * 2),
            }
        };
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            match draw(mid) {
                Ok(picture) => (hi, square) = (mid, picture),
                Err(_) => lo = mid,
            }
        }
        let [x0, y0, x1, y1] = dark_box(&square).ok_or_else(|| format!("{} {text:?} was drawn without a bar", symbology.wechat_name()))?;
        // The quiet zone is the margin along the side that decided the size; a PDF417 symbol
        // (wider than tall) has more above and below, cut to the same.
        let quiet = if linear { x0 } else { x0.min(y0) };
        let (left, top) = (x0 - quiet, if linear { 0 } else { y0 - quiet });
        let (width, height) = (x1 - x0 + 2 * quiet, if linear { 1 } else { y1 - y0 + 2 * quiet });
        let modules = image::imageops::crop_imm(&square, left, top, width, height).to_image();
        Ok(Drawn { symbology, text, modules, symbol: [x0 - left, y0 - top, x1 - left, y1 - top] })
    }

    /// The code as printed: `px` pixels a module, dark modules in `tones.0` and the rest in
    /// `tones.1`; 1-D bars a quarter to 0.6 of the code's width tall. With where its symbol is.
    fn print(self, px: u32, tones: (u8, u8), rng: &mut Rng) -> (GrayImage, Code) {
        let [x0, y0, x1, y1] = self.symbol.map(|v| v * px);
        let modules = &self.modules;
        let tone = |dark: bool| Luma([if dark { tones.0 } else { tones.1 }]);
        let (picture, corners) = if is_2d(self.symbology) {
            let picture = GrayImage::from_fn(modules.width() * px, modules.height() * px, |x, y| tone(modules.get_pixel(x / px, y / px)[0] < 128));
            (picture, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        } else {
            let bars = (f64::from(x1 - x0) * rng.range(0.25, 0.6)).max(16.0) as u32;
            let quiet = 5 * px;
            let picture = GrayImage::from_fn(modules.width() * px, bars + 2 * quiet, |x, y| {
                tone((quiet..quiet + bars).contains(&y) && modules.get_pixel(x / px, 0)[0] < 128)
            });
            (picture, [(x0, quiet), (x1, quiet), (x1, quiet + bars), (x0, quiet + bars)])
        };
        let code = Code { symbology: self.symbology, text: self.text, corners: corners.map(|(x, y)| (f64::from(x), f64::from(y))) };
        (picture, code)
    }
}

/// Whether `symbology` is drawn as a 2-D symbol (PDF417 included) rather than a row of bars.
fn is_2d(symbology: Symbology) -> bool {
    matches!(symbology, Symbology::QrCode | Symbology::DataMatrix | Symbology::Pdf417)
}

/// The box of the dark pixels: left, top, right, bottom (exclusive).
fn dark_box(picture: &GrayImage) -> Option<[u32; 4]> {
    let mut found: Option<[u32; 4]> = None;
    for (x, y, p) in picture.enumerate_pixels() {
        if p[0] < 128 {
            let b = found.get_or_insert([x, y, x + 1, y + 1]);
            *b = [b[0].min(x), b[1].min(y), b[2].max(x + 1), b[3].max(y + 1)];
        }
    }
    found
}

/// A code in a picture.
struct Code {
    symbology: Symbology,
    text: String,
    /// The symbol's corners (for 1-D codes the bars'), left_top, right_top, right_bottom,
    /// left_bottom as it stands upright, in pixels of the picture.
    corners: [(f64, f64); 4],
}

/// A picture being made, and the codes in it.
struct Scene {
    picture: GrayImage,
    codes: Vec<Code>,
    /// The background's tone, for what a turn or a tilt uncovers.
    fill: u8,
    /// Whether the codes stand as drawn (not turned nor tilted).
    upright: bool,
}

impl Scene {
    /// Moves every code's corners as the picture was moved: a point at p is now at `to(p)`.
    fn move_corners(&mut self, to: impl Fn((f64, f64)) -> (f64, f64)) {
        for code in &mut self.codes {
            code.corners = code.corners.map(&to);
        }
    }
}

/// A finished picture and how to save it.
struct Shot {
    scene: Scene,
    format: Format,
}

/// A picture's file format (JPEG with its quality).
#[derive(Clone, Copy)]
enum Format {
    Png,
    Jpeg(u8),
}

/// How one code is printed and framed.
struct Print {
    /// Pixels a module.
    px: u32,
    /// The longest the code may be, with its quiet zone (fewer pixels a module if it would be
    /// longer).
    max_side: u32,
    /// Dark modules, and the rest (the quiet zone included).
    tones: (u8, u8),
    /// The canvas around the code.
    fill: u8,
    /// How many times larger than the code the canvas is, each way: from, to.
    grow: (f64, f64),
}

impl Print {
    /// Ink on paper at the symbology's usual size, on a canvas 1.2 to 2 times the code's.
    fn usual(symbology: Symbology, rng: &mut Rng) -> Print {
        let (ink, paper) = (rng.between(10, 60) as u8, rng.between(200, 245) as u8);
        let px = if is_2d(symbology) { rng.between(3, 8) } else { rng.between(2, 4) };
        Print { px, max_side: MAX_CODE_SIDE, tones: (ink, paper), fill: paper, grow: (1.2, 2.0) }
    }

    /// A random code of `symbology`, printed.
    fn code(&self, symbology: Symbology, rng: &mut Rng) -> Res<(GrayImage, Code)> {
        let drawn = Drawn::new(symbology, text(symbology, rng))?;
        let long = drawn.modules.width().max(drawn.modules.height());
        let px = self.px.min(self.max_side / long).max(2);
        Ok(drawn.print(px, self.tones, rng))
    }

    /// The canvas's size around a printed code.
    fn canvas(&self, code: &GrayImage, rng: &mut Rng) -> (u32, u32) {
        let mut grown = |side: u32| (f64::from(side) * rng.range(self.grow.0, self.grow.1)).ceil() as u32;
        (grown(code.width()), grown(code.height()))
    }

    /// One random code of `symbology` at a random place of a plain canvas.
    fn scene(&self, symbology: Symbology, rng: &mut Rng) -> Res<Scene> {
        let (tile, code) = self.code(symbology, rng)?;
        let (width, height) = self.canvas(&tile, rng);
        let canvas = GrayImage::from_pixel(width, height, Luma([self.fill]));
        Ok(place(canvas, &tile, code, self.fill, rng))
    }
}

/// A scene of `tile` (holding `code`) at a random place of `canvas` (no smaller).
fn place(mut canvas: GrayImage, tile: &GrayImage, code: Code, fill: u8, rng: &mut Rng) -> Scene {
    let x = rng.between(0, canvas.width() - tile.width());
    let y = rng.between(0, canvas.height() - tile.height());
    image::imageops::replace(&mut canvas, tile, i64::from(x), i64::from(y));
    let mut scene = Scene { picture: canvas, codes: vec![code], fill, upright: true };
    scene.move_corners(|(cx, cy)| (cx + f64::from(x), cy + f64::from(y)));
    scene
}

/// What a phone's camera adds to every picture but the clean ones: mild sensor noise.
fn camera(scene: &mut Scene, rng: &mut Rng) {
    let sigma = rng.range(2.0, 4.0);
    add_noise(&mut scene.picture, sigma, rng);
}

/// A picture as a phone saves it: with [`camera`] noise, as JPEG at quality 80-92, or as PNG
/// (one in five, and tiny pictures).
fn photo(mut scene: Scene, rng: &mut Rng) -> Shot {
    camera(&mut scene, rng);
    let tiny = scene.picture.width().max(scene.picture.height()) < 256;
    let format = if tiny || rng.chance(0.2) { Format::Png } else { Format::Jpeg(rng.between(80, 92) as u8) };
    Shot { scene, format }
}

// ---------------------------------------------------------------------------------------------
// The distortions

/// The reference: black on white, the usual size, PNG, nothing added.
fn clean(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let print = Print { tones: (0, 255), fill: 255, ..Print::usual(symbology, rng) };
    Ok(Shot { scene: print.scene(symbology, rng)?, format: Format::Png })
}

/// Strong sensor noise (Gaussian, sigma 20-40), as in dim light.
fn noise(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let mut scene = Print::usual(symbology, rng).scene(symbology, rng)?;
    let sigma = rng.range(20.0, 40.0);
    add_noise(&mut scene.picture, sigma, rng);
    Ok(photo(scene, rng))
}

/// Out of focus: a Gaussian blur of sigma 1-2.5 pixels.
fn blur(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let mut scene = Print::usual(symbology, rng).scene(symbology, rng)?;
    scene.picture = image::imageops::blur(&scene.picture, rng.range(1.0, 2.5) as f32);
    Ok(photo(scene, rng))
}

/// Faded print: dark modules 90-120, light ones 150-180.
fn low_contrast(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let (dark, light) = (rng.between(90, 120) as u8, rng.between(150, 180) as u8);
    let print = Print { tones: (dark, light), fill: light, ..Print::usual(symbology, rng) };
    Ok(photo(print.scene(symbology, rng)?, rng))
}

/// A shadow or a spotlight across the code: the light falls to a quarter to half.
fn uneven_light(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let mut scene = Print::usual(symbology, rng).scene(symbology, rng)?;
    let c = scene.codes[0].corners;
    let centre = ((c[0].0 + c[2].0) / 2.0, (c[0].1 + c[2].1) / 2.0);
    shade(&mut scene.picture, centre, rng);
    Ok(photo(scene, rng))
}

/// A light code on a dark background (screens, dark labels).
fn inverted(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let usual = Print::usual(symbology, rng);
    let (ink, paper) = usual.tones;
    let print = Print { tones: (paper, ink), fill: ink, ..usual };
    Ok(photo(print.scene(symbology, rng)?, rng))
}

/// Held a little askew: turned by 5-20 degrees either way.
fn rotation_small(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let scene = Print::usual(symbology, rng).scene(symbology, rng)?;
    let degrees = rng.range(5.0, 20.0) * if rng.chance(0.5) { 1.0 } else { -1.0 };
    Ok(photo(rotate(scene, degrees.to_radians()), rng))
}

/// Shot sideways or upside down: turned by 90, 180 or 270 degrees.
fn rotation_right(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let scene = Print::usual(symbology, rng).scene(symbology, rng)?;
    let quarters = rng.between(1, 3);
    Ok(photo(turn(scene, quarters), rng))
}

/// Shot at an angle: one side of the code, or two that meet, shortened by 5-20% at each end (a
/// tilt of up to about 30 degrees).
fn perspective(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let mut scene = Print::usual(symbology, rng).scene(symbology, rng)?;
    let from = scene.codes[0].corners;
    let (width, height) = (from[1].0 - from[0].0, from[3].1 - from[0].1);
    let mut to = from;
    let first = rng.between(0, 3);
    for side in (0..rng.between(1, 2)).map(|i| (first + i) % 4) {
        let t = rng.range(0.05, 0.2);
        match side {
            0 => (to[0].0, to[1].0) = (to[0].0 + t * width, to[1].0 - t * width),
            1 => (to[1].1, to[2].1) = (to[1].1 + t * height, to[2].1 - t * height),
            2 => (to[2].0, to[3].0) = (to[2].0 - t * width, to[3].0 + t * width),
            _ => (to[3].1, to[0].1) = (to[3].1 - t * height, to[0].1 + t * height),
        }
    }
    let h = homography(from, to).ok_or("perspective: the code's corners give no homography")?;
    let back = invert(&h).ok_or("perspective: the homography has no inverse")?;
    let (w, ht) = scene.picture.dimensions();
    scene.picture = warp(&scene.picture, (w, ht), scene.fill, |x, y| project(&back, (x, y)));
    scene.codes[0].corners = to;
    scene.upright = false;
    Ok(photo(scene, rng))
}

/// Compressed hard (messengers, screenshots shared again): JPEG quality 30-70.
fn jpeg(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let mut scene = Print::usual(symbology, rng).scene(symbology, rng)?;
    camera(&mut scene, rng);
    Ok(Shot { scene, format: Format::Jpeg(rng.between(30, 70) as u8) })
}

/// Small or far: 2 pixels a module.
fn small_modules(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let print = Print { px: 2, ..Print::usual(symbology, rng) };
    Ok(photo(print.scene(symbology, rng)?, rng))
}

/// A close-up: 12-20 pixels a module, the code (with its quiet zone) filling most of the frame.
fn large_modules(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let print = Print { px: rng.between(12, 20), max_side: 3000, grow: (1.05, 1.25), ..Print::usual(symbology, rng) };
    Ok(photo(print.scene(symbology, rng)?, rng))
}

/// The code (its quiet zone paper-white) printed on a busy page: boxes, lines, text, gradients.
fn busy_background(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let print = Print { grow: (1.5, 2.0), ..Print::usual(symbology, rng) };
    let (tile, code) = print.code(symbology, rng)?;
    let (width, height) = print.canvas(&tile, rng);
    let canvas = busy(width, height, rng);
    Ok(photo(place(canvas, &tile, code, print.fill, rng), rng))
}

/// A 12-megapixel phone photo (3000 x 4000 either way) of a textured surface with one small
/// code on it (3-5 pixels a module), JPEG quality 85.
fn photo_12mp(symbology: Symbology, rng: &mut Rng) -> Res<Shot> {
    let print = Print { px: rng.between(3, 5), ..Print::usual(symbology, rng) };
    let (tile, code) = print.code(symbology, rng)?;
    let (width, height) = if rng.chance(0.5) { (3000, 4000) } else { (4000, 3000) };
    let canvas = texture(width, height, rng);
    let mut scene = place(canvas, &tile, code, print.fill, rng);
    // Less noise than smaller pictures get: the file must stay under 2 MB at quality 85.
    let sigma = rng.range(1.5, 3.0);
    add_noise(&mut scene.picture, sigma, rng);
    Ok(Shot { scene, format: Format::Jpeg(85) })
}

/// Two to four codes of mixed symbologies (the first of `first`), each on its own label, apart
/// on an 800-1600 pixel picture.
fn several(first: Symbology, rng: &mut Rng) -> Res<Shot> {
    let background = rng.between(150, 230) as u8;
    let label = |symbology: Symbology, rng: &mut Rng| Print { max_side: 700, ..Print::usual(symbology, rng) }.code(symbology, rng);
    let (tile, code) = label(first, rng)?;
    let width = rng.between(800, 1600).max(tile.width() + 40);
    let height = rng.between(800, 1600).max(tile.height() + 40);
    let mut scene = Scene { picture: GrayImage::from_pixel(width, height, Luma([background])), codes: Vec::new(), fill: background, upright: true };
    let mut taken = Vec::new();
    let at = free_spot(&taken, tile.dimensions(), (width, height), rng).ok_or("several: the first code does not fit")?;
    stick(&mut scene, &mut taken, &tile, code, at);
    let wanted = rng.between(2, 4) as usize;
    for _ in 0..12 {
        if scene.codes.len() >= wanted {
            break;
        }
        let symbology = rng.pick(&Symbology::ALL);
        let (tile, code) = label(symbology, rng)?;
        if let Some(at) = free_spot(&taken, tile.dimensions(), (width, height), rng) {
            stick(&mut scene, &mut taken, &tile, code, at);
        }
    }
    if scene.codes.len() < 2 {
        return Err(format!("several: no room for a second code on {width}x{height}"));
    }
    Ok(photo(scene, rng))
}

/// Pastes `tile` (holding `code`) into the scene at `at`, its box added to `taken`.
fn stick(scene: &mut Scene, taken: &mut Vec<[u32; 4]>, tile: &GrayImage, mut code: Code, at: (u32, u32)) {
    let (x, y) = at;
    image::imageops::replace(&mut scene.picture, tile, i64::from(x), i64::from(y));
    code.corners = code.corners.map(|(cx, cy)| (cx + f64::from(x), cy + f64::from(y)));
    taken.push([x, y, x + tile.width(), y + tile.height()]);
    scene.codes.push(code);
}

/// A place for a tile of `size` on a `canvas` that overlaps none of the `taken` boxes (left,
/// top, right, bottom), tried at 100 random places.
fn free_spot(taken: &[[u32; 4]], size: (u32, u32), canvas: (u32, u32), rng: &mut Rng) -> Option<(u32, u32)> {
    if size.0 > canvas.0 || size.1 > canvas.1 {
        return None;
    }
    (0..100).find_map(|_| {
        let (x, y) = (rng.between(0, canvas.0 - size.0), rng.between(0, canvas.1 - size.1));
        let clear = taken.iter().all(|b| x + size.0 <= b[0] || b[2] <= x || y + size.1 <= b[1] || b[3] <= y);
        clear.then_some((x, y))
    })
}

// ---------------------------------------------------------------------------------------------
// Pixels

/// Adds Gaussian noise of standard deviation `sigma` to every pixel.
fn add_noise(picture: &mut GrayImage, sigma: f64, rng: &mut Rng) {
    for pair in picture.chunks_mut(2) {
        let (a, b) = rng.gauss2();
        for (p, n) in pair.iter_mut().zip([a, b]) {
            *p = (f64::from(*p) + sigma * n).round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// Multiplies in strong uneven light: the soft edge of a shadow through `across`, or a
/// spotlight near it; the darkest parts get a quarter to half of the light.
fn shade(picture: &mut GrayImage, across: (f64, f64), rng: &mut Rng) {
    let (w, h) = (f64::from(picture.width()), f64::from(picture.height()));
    let darkest = rng.range(0.25, 0.5);
    let light: Box<dyn Fn(f64, f64) -> f64> = if rng.chance(0.5) {
        let angle = rng.range(0.0, TAU);
        let (dx, dy) = (angle.cos(), angle.sin());
        let edge = across.0 * dx + across.1 * dy + rng.range(-0.1, 0.1) * w.min(h);
        let soft = rng.range(0.05, 0.3) * w.max(h);
        Box::new(move |x, y| {
            let t = (((x * dx + y * dy - edge) / soft).clamp(-1.0, 1.0) + 1.0) / 2.0;
            1.0 - (1.0 - darkest) * t * t * (3.0 - 2.0 * t)
        })
    } else {
        let centre = (across.0 + rng.range(-0.3, 0.3) * w, across.1 + rng.range(-0.3, 0.3) * h);
        let radius = rng.range(0.3, 0.6) * w.hypot(h);
        Box::new(move |x, y| {
            let d = (x - centre.0).hypot(y - centre.1) / radius;
            darkest + (1.0 - darkest) * (-d * d).exp()
        })
    };
    for (x, y, p) in picture.enumerate_pixels_mut() {
        p[0] = (f64::from(p[0]) * light(f64::from(x) + 0.5, f64::from(y) + 0.5)).round() as u8;
    }
}

/// `picture` at (x, y), bilinearly (pixel (i, j) covers [i, i + 1) x [j, j + 1)); `fill` off it.
fn sample(picture: &GrayImage, x: f64, y: f64, fill: u8) -> f64 {
    let (u, v) = (x - 0.5, y - 0.5);
    let (i, j) = (u.floor(), v.floor());
    let (fx, fy) = (u - i, v - j);
    let (i, j) = (i as i64, j as i64);
    let at = |a: i64, b: i64| {
        if a < 0 || b < 0 || a >= i64::from(picture.width()) || b >= i64::from(picture.height()) {
            f64::from(fill)
        } else {
            f64::from(picture.get_pixel(a as u32, b as u32)[0])
        }
    };
    let top = at(i, j) * (1.0 - fx) + at(i + 1, j) * fx;
    let bottom = at(i, j + 1) * (1.0 - fx) + at(i + 1, j + 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// A `size` picture whose pixel centred at (x, y) is `picture` at `source(x, y)`, bilinearly;
/// `fill` where there is no source.
fn warp(picture: &GrayImage, size: (u32, u32), fill: u8, source: impl Fn(f64, f64) -> Option<(f64, f64)>) -> GrayImage {
    GrayImage::from_fn(size.0, size.1, |x, y| {
        let value = match source(f64::from(x) + 0.5, f64::from(y) + 0.5) {
            Some((sx, sy)) => sample(picture, sx, sy, fill),
            None => f64::from(fill),
        };
        Luma([value.round() as u8])
    })
}

/// The scene turned by `angle` radians about its centre, on a canvas grown to hold all of it.
fn rotate(mut scene: Scene, angle: f64) -> Scene {
    let (w, h) = (f64::from(scene.picture.width()), f64::from(scene.picture.height()));
    let (cos, sin) = (angle.cos(), angle.sin());
    let (nw, nh) = ((w * cos.abs() + h * sin.abs()).ceil(), (w * sin.abs() + h * cos.abs()).ceil());
    let back = |x: f64, y: f64| {
        let (dx, dy) = (x - nw / 2.0, y - nh / 2.0);
        Some((cos * dx + sin * dy + w / 2.0, -sin * dx + cos * dy + h / 2.0))
    };
    scene.picture = warp(&scene.picture, (nw as u32, nh as u32), scene.fill, back);
    scene.move_corners(|(x, y)| {
        let (dx, dy) = (x - w / 2.0, y - h / 2.0);
        (cos * dx - sin * dy + nw / 2.0, sin * dx + cos * dy + nh / 2.0)
    });
    scene.upright = false;
    scene
}

/// The scene turned clockwise by `quarters` (1 to 3) quarter turns.
fn turn(mut scene: Scene, quarters: u32) -> Scene {
    let (w, h) = (f64::from(scene.picture.width()), f64::from(scene.picture.height()));
    match quarters {
        1 => {
            scene.picture = image::imageops::rotate90(&scene.picture);
            scene.move_corners(|(x, y)| (h - y, x));
        }
        2 => {
            scene.picture = image::imageops::rotate180(&scene.picture);
            scene.move_corners(|(x, y)| (w - x, h - y));
        }
        _ => {
            scene.picture = image::imageops::rotate270(&scene.picture);
            scene.move_corners(|(x, y)| (y, w - x));
        }
    }
    scene.upright = false;
    scene
}

type Matrix = [[f64; 3]; 3];

/// The projective map taking each point of `from` to the same of `to` (h33 = 1).
fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<Matrix> {
    let mut rows = [[0.0; 9]; 8];
    for (i, (&(x, y), &(u, v))) in from.iter().zip(&to).enumerate() {
        rows[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        rows[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    let h = solve(rows)?;
    Some([[h[0], h[1], h[2]], [h[3], h[4], h[5]], [h[6], h[7], 1.0]])
}

/// The solution of 8 linear equations (a row: 8 coefficients, then the right-hand side), by
/// Gauss-Jordan elimination with partial pivoting; None when they have no single one.
fn solve(mut rows: [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&a, &b| rows[a][col].abs().total_cmp(&rows[b][col].abs()))?;
        if rows[pivot][col].abs() < 1e-12 {
            return None;
        }
        rows.swap(col, pivot);
        let pivot_row = rows[col];
        for (r, row) in rows.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    Some(std::array::from_fn(|i| rows[i][8] / rows[i][i]))
}

/// The inverse of `m`, None if it has none.
fn invert(m: &Matrix) -> Option<Matrix> {
    let cofactor = |r: usize, c: usize| {
        let (r0, r1, c0, c1) = ((r + 1) % 3, (r + 2) % 3, (c + 1) % 3, (c + 2) % 3);
        m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]
    };
    let det: f64 = (0..3).map(|c| m[0][c] * cofactor(0, c)).sum();
    if det.abs() < 1e-12 {
        return None;
    }
    Some(std::array::from_fn(|r| std::array::from_fn(|c| cofactor(c, r) / det)))
}

/// `p` mapped by the homography `m`; None for points it sends behind the camera.
fn project(m: &Matrix, (x, y): (f64, f64)) -> Option<(f64, f64)> {
    let w = m[2][0] * x + m[2][1] * y + m[2][2];
    (w > 1e-9).then(|| ((m[0][0] * x + m[0][1] * y + m[0][2]) / w, (m[1][0] * x + m[1][1] * y + m[1][2]) / w))
}

/// A printed-looking page: a gradient, then boxes, lines and paragraphs of letter-like strokes.
fn busy(width: u32, height: u32, rng: &mut Rng) -> GrayImage {
    let (from, to) = (rng.range(120.0, 240.0), rng.range(120.0, 240.0));
    let angle = rng.range(0.0, TAU);
    let (dx, dy, span) = (angle.cos(), angle.sin(), f64::from(width + height));
    let mut page = GrayImage::from_fn(width, height, |x, y| {
        let t = ((f64::from(x) * dx + f64::from(y) * dy) / span + 1.0) / 2.0;
        Luma([(from + (to - from) * t).round() as u8])
    });
    let (w, h) = (f64::from(width), f64::from(height));
    for _ in 0..rng.between(6, 16) {
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        let (bw, bh) = (rng.range(0.05, 0.4) * w, rng.range(0.05, 0.4) * h);
        let tone = rng.between(40, 250) as u8;
        fill_rect(&mut page, (x, y), (x + bw, y + bh), tone);
    }
    for _ in 0..rng.between(5, 15) {
        let (a, b) = ((rng.range(0.0, w), rng.range(0.0, h)), (rng.range(0.0, w), rng.range(0.0, h)));
        let (thickness, tone) = (rng.range(1.0, 4.0), rng.between(0, 120) as u8);
        line(&mut page, a, b, thickness, tone);
    }
    for _ in 0..rng.between(3, 8) {
        paragraph(&mut page, rng);
    }
    page
}

/// Lines of words of letter-like marks, somewhere on `page`.
fn paragraph(page: &mut GrayImage, rng: &mut Rng) {
    let size = rng.range(8.0, 18.0);
    let (left, mut y) = (rng.range(0.0, f64::from(page.width())), rng.range(0.0, f64::from(page.height())));
    let tone = rng.between(0, 90) as u8;
    for _ in 0..rng.between(2, 6) {
        let mut x = left;
        for _ in 0..rng.between(3, 10) {
            for _ in 0..rng.between(2, 8) {
                letter(page, (x, y), size, tone, rng);
                x += size * 0.7;
            }
            x += size * 0.6;
        }
        y += size * 1.6;
    }
}

/// Two or three strokes between points of a `size` tall letter's box at `at` (its top left).
fn letter(page: &mut GrayImage, at: (f64, f64), size: f64, tone: u8, rng: &mut Rng) {
    let thickness = (size / 8.0).max(1.0);
    let point = |rng: &mut Rng| (at.0 + f64::from(rng.between(0, 2)) * 0.25 * size, at.1 + f64::from(rng.between(0, 2)) * 0.5 * size);
    for _ in 0..rng.between(2, 3) {
        let (a, b) = (point(rng), point(rng));
        line(page, a, b, thickness, tone);
    }
}

/// Fills the box from `a` (top left) to `b` (bottom right, exclusive) with `tone`, where it is on
/// `page`.
fn fill_rect(page: &mut GrayImage, a: (f64, f64), b: (f64, f64), tone: u8) {
    let clamp = |v: f64, max: u32| v.round().clamp(0.0, f64::from(max)) as u32;
    let (x0, x1) = (clamp(a.0, page.width()), clamp(b.0, page.width()));
    let (y0, y1) = (clamp(a.1, page.height()), clamp(b.1, page.height()));
    for y in y0..y1 {
        for x in x0..x1 {
            page.put_pixel(x, y, Luma([tone]));
        }
    }
}

/// A straight stroke `thickness` pixels wide from `a` to `b`.
fn line(page: &mut GrayImage, a: (f64, f64), b: (f64, f64), thickness: f64, tone: u8) {
    let steps = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil().max(1.0);
    let half = thickness / 2.0;
    for i in 0..=steps as u32 {
        let t = f64::from(i) / steps;
        let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        fill_rect(page, (x - half, y - half), (x + half, y + half), tone);
    }
}

/// A photo's background (a table, a wall): a mid grey with soft blotches at two scales.
fn texture(width: u32, height: u32, rng: &mut Rng) -> GrayImage {
    let base = rng.range(110.0, 190.0);
    let coarse = Blotches::new(width, height, rng.range(300.0, 700.0), rng);
    let fine = Blotches::new(width, height, rng.range(12.0, 30.0), rng);
    let mut picture = GrayImage::new(width, height);
    let mut row = vec![0.0; width as usize];
    for (y, pixels) in picture.chunks_mut(width as usize).enumerate() {
        row.fill(base);
        coarse.add_row(y as f64, 30.0, &mut row);
        fine.add_row(y as f64, 6.0, &mut row);
        for (p, v) in pixels.iter_mut().zip(&row) {
            *p = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    picture
}

/// Value noise: random values in [-1, 1] on a grid `cell` pixels apart, smoothly interpolated.
struct Blotches {
    cell: f64,
    columns: usize,
    values: Vec<f64>,
    /// For each pixel column: the grid column left of it, and the smoothed weight of the next.
    across: Vec<(usize, f64)>,
}

fn smooth(t: f64) -> f64 {
    t * t * (3.0 - 2.0 * t)
}

impl Blotches {
    fn new(width: u32, height: u32, cell: f64, rng: &mut Rng) -> Blotches {
        let columns = (f64::from(width) / cell).ceil() as usize + 2;
        let rows = (f64::from(height) / cell).ceil() as usize + 2;
        let values = (0..columns * rows).map(|_| rng.range(-1.0, 1.0)).collect();
        let across = (0..width)
            .map(|x| {
                let u = f64::from(x) / cell;
                (u as usize, smooth(u.fract()))
            })
            .collect();
        Blotches { cell, columns, values, across }
    }

    /// Adds `weight` times the noise along the pixel row `y` to `row`.
    fn add_row(&self, y: f64, weight: f64, row: &mut [f64]) {
        let v = y / self.cell;
        let (j, fy) = (v as usize, smooth(v.fract()));
        let (top, bottom) = (&self.values[j * self.columns..], &self.values[(j + 1) * self.columns..]);
        for (out, &(i, fx)) in row.iter_mut().zip(&self.across) {
            let upper = top[i] + (top[i + 1] - top[i]) * fx;
            let lower = bottom[i] + (bottom[i + 1] - bottom[i]) * fx;
            *out += weight * (upper + (lower - upper) * fy);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Files

/// The file's bytes and extension: PNG, or JPEG at the quality asked or lower, whichever keeps it
/// within [`MAX_BYTES`] (a PNG too large is saved as JPEG at quality 85 or lower).
fn file_bytes(picture: &GrayImage, format: Format) -> Res<(Vec<u8>, &'static str)> {
    let (w, h) = picture.dimensions();
    let mut quality = match format {
        Format::Png => {
            let mut png = Vec::new();
            PngEncoder::new(&mut png)
                .write_image(picture.as_raw(), w, h, image::ExtendedColorType::L8)
                .map_err(|e| format!("PNG of {w}x{h}: {e}"))?;
            if png.len() <= MAX_BYTES {
                return Ok((png, "png"));
            }
            85
        }
        Format::Jpeg(quality) => quality,
    };
    loop {
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, quality).encode_image(picture).map_err(|e| format!("JPEG of {w}x{h}: {e}"))?;
        if jpeg.len() <= MAX_BYTES {
            return Ok((jpeg, "jpg"));
        }
        if quality <= 30 {
            return Err(format!("a {w}x{h} picture is {} bytes at JPEG quality {quality}, over {MAX_BYTES}", jpeg.len()));
        }
        quality = quality.saturating_sub(5).max(30);
    }
}

/// One picture of the corpus: the `k`th of `distortion` for `symbology`.
#[derive(Clone, Copy)]
struct Job {
    distortion: Distortion,
    symbology: Symbology,
    k: usize,
}

/// A picture's file name, its bytes and its truth entry.
fn make(seed: u64, job: Job) -> Res<(String, Vec<u8>, Value)> {
    let place = |i: Option<usize>| i.unwrap_or(0) as u64;
    let d = place(Distortion::ALL.iter().position(|&d| d == job.distortion));
    let s = place(Symbology::ALL.iter().position(|&s| s == job.symbology));
    let mut rng = Rng::for_picture(seed, [d, s, job.k as u64]);
    let Shot { scene, format } = job.distortion.shoot(job.symbology, &mut rng)?;
    let (bytes, extension) = file_bytes(&scene.picture, format)?;
    let name = job.symbology.wechat_name().trim_end_matches("_CODE").replace('_', "").to_lowercase();
    let file = format!("{name}-{}-{:03}.{extension}", job.distortion.name(), job.k);
    let codes: Vec<Value> = scene
        .codes
        .iter()
        .map(|c| {
            let corners = c.symbology.reports_position().then(|| c.corners.map(|(x, y)| [x.round() as i64, y.round() as i64]));
            json!({"symbology": c.symbology.wechat_name(), "text": c.text, "corners": corners})
        })
        .collect();
    let entry = json!({"file": file, "distortion": job.distortion.name(), "symbology": job.symbology.wechat_name(),
        "upright": scene.upright, "codes": codes});
    Ok((file, bytes, entry))
}

/// Writes the pictures of `distortions` (`per_cell` a symbology) and truth.json into `out`, on
/// as many threads as there are cores; gives the truth entries and the bytes written.
fn write_corpus(out: &Path, seed: u64, per_cell: usize, distortions: &[Distortion]) -> Res<(Vec<Value>, usize)> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let jobs: Vec<Job> = distortions
        .iter()
        .flat_map(|&distortion| Symbology::ALL.into_iter().flat_map(move |symbology| (0..per_cell).map(move |k| Job { distortion, symbology, k })))
        .collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Each thread takes the next picture and keeps what it wrote by the picture's index.
    let mut written: Vec<(usize, Res<(Value, usize)>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&job) = jobs.get(i) else { break mine };
                        let picture = make(seed, job).and_then(|(file, bytes, entry)| {
                            let path = out.join(&file);
                            std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                            Ok((entry, bytes.len()))
                        });
                        mine.push((i, picture));
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().map_err(|_| "a corpus thread panicked".to_string())).collect::<Res<Vec<_>>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    written.sort_by_key(|(i, _)| *i);
    let mut truth = Vec::with_capacity(written.len());
    let mut bytes = 0;
    for (_, picture) in written {
        let (entry, size) = picture?;
        truth.push(entry);
        bytes += size;
    }
    let path = out.join("truth.json");
    let text = serde_json::to_string_pretty(&truth).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((truth, bytes))
}

/// `wxcv-bench corpus`: every distortion, `per_cell` pictures a symbology, into `out`.
pub fn corpus(out: &Path, seed: u64, per_cell: usize) -> Res<Value> {
    let start = Instant::now();
    let (truth, bytes) = write_corpus(out, seed, per_cell, &Distortion::ALL)?;
    let codes: usize = truth.iter().map(|p| p["codes"].as_array().map_or(0, Vec::len)).sum();
    Ok(json!({"pictures": truth.len(), "codes": codes, "bytes": bytes, "seconds": start.elapsed().as_secs_f64()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the target directory (the test binary is in target/<profile>/deps).
    fn scratch(name: &str) -> std::path::PathBuf {
        let exe = std::env::current_exe().expect("the test binary's path");
        let dir = exe.parent().and_then(Path::parent).expect("target/<profile>").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn texts_carry_their_check_digits() {
        assert_eq!(with_check_digit("590678967895"), "5906789678957");
        assert_eq!(with_check_digit("03600029145"), "036000291452");
        assert_eq!(with_check_digit("9638507"), "96385074");
        assert_eq!(upc_e("123456"), "01234565");
        assert_eq!(upc_e("654321"), "06543217");
    }

    #[test]
    fn clean_pictures_read_back_where_drawn() {
        let dir = scratch("corpus-test");
        let (truth, _) = write_corpus(&dir, 7, 2, &[Distortion::Clean]).unwrap();
        assert_eq!(truth.len(), 2 * Symbology::ALL.len());
        for entry in &truth {
            let file = entry["file"].as_str().unwrap();
            let found = codes::decode(&image::open(dir.join(file)).unwrap().to_luma8());
            for code in entry["codes"].as_array().unwrap() {
                let read = found.iter().find(|f| f.symbology.wechat_name() == code["symbology"] && f.text == code["text"]);
                let read = read.unwrap_or_else(|| panic!("{file}: {code} not read (read {found:?})"));
                let Some(corners) = code["corners"].as_array() else { continue };
                for (want, got) in corners.iter().zip(read.corners) {
                    let want = (want[0].as_i64().unwrap(), want[1].as_i64().unwrap());
                    assert!((want.0 - got.0).abs() <= 4 && (want.1 - got.1).abs() <= 4, "{file}: corner {want:?} read at {got:?}");
                }
            }
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_bytes() {
        for distortion in Distortion::ALL {
            let job = Job { distortion, symbology: Symbology::QrCode, k: 1 };
            let (a, b) = (make(3, job).unwrap(), make(3, job).unwrap());
            assert!(a.0 == b.0 && a.1 == b.1 && a.2 == b.2, "{}", distortion.name());
            assert_ne!(make(4, job).unwrap().1, a.1, "{}", distortion.name());
        }
    }
}
