//! Barcodes: reading them for scanQRCode and QrcodeOCR, and drawing them for wxacode and the
//! fixtures.
//!
//! Reading is zxing-cpp's ([`Reader::ZxingCpp`], the C++ library built from the source bundled
//! in its Rust crate); rxing, a pure-Rust port of ZXing, draws the codes and stays as the other
//! reader ([`Reader::Rxing`]) that `cargo xtask bench` compares with. Both give their finds to the
//! same merging and ordering, so switching readers is the one line of [`Reader::DEFAULT`].

mod rxing_reader;
mod zxing_reader;

use rxing::common::BitMatrix;
use rxing::datamatrix::encoder::SymbolShapeHint;
use rxing::{BarcodeFormat, EncodeHintValue, EncodeHints, MultiFormatWriter, Writer};

/// A symbology the emulator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbology {
    QrCode,
    DataMatrix,
    Pdf417,
    Ean13,
    Ean8,
    UpcA,
    UpcE,
    Code128,
    Code39,
    Code93,
}

impl Symbology {
    /// Every symbology, 2-D ones first.
    pub const ALL: [Symbology; 10] = [
        Symbology::QrCode,
        Symbology::DataMatrix,
        Symbology::Pdf417,
        Symbology::Ean13,
        Symbology::Ean8,
        Symbology::UpcA,
        Symbology::UpcE,
        Symbology::Code128,
        Symbology::Code39,
        Symbology::Code93,
    ];

    /// The `type_name` WeChat's img.scanQRCode reports.
    pub fn wechat_name(self) -> &'static str {
        match self {
            Symbology::QrCode => "QR_CODE",
            Symbology::DataMatrix => "DATA_MATRIX",
            Symbology::Pdf417 => "PDF_417",
            Symbology::Ean13 => "EAN_13",
            Symbology::Ean8 => "EAN_8",
            Symbology::UpcA => "UPC_A",
            Symbology::UpcE => "UPC_E",
            Symbology::Code128 => "CODE_128",
            Symbology::Code39 => "CODE_39",
            Symbology::Code93 => "CODE_93",
        }
    }

    /// The `TypeName` Tencent Cloud's QrcodeOCR reports.
    pub fn tencent_name(self) -> &'static str {
        match self {
            Symbology::QrCode => "QR_CODE",
            Symbology::DataMatrix => "DATA_MATRIX",
            Symbology::Pdf417 => "PDF_417",
            Symbology::Ean13 => "EAN-13",
            Symbology::Ean8 => "EAN-8",
            Symbology::UpcA => "UPC-A",
            Symbology::UpcE => "UPC-E",
            Symbology::Code128 => "CODE-128",
            Symbology::Code39 => "CODE-39",
            Symbology::Code93 => "CODE-93",
        }
    }

    /// Whether the vendors report the code's corners (only for QR and Data Matrix).
    pub fn reports_position(self) -> bool {
        matches!(self, Symbology::QrCode | Symbology::DataMatrix)
    }

    fn format(self) -> BarcodeFormat {
        match self {
            Symbology::QrCode => BarcodeFormat::QR_CODE,
            Symbology::DataMatrix => BarcodeFormat::DATA_MATRIX,
            Symbology::Pdf417 => BarcodeFormat::PDF_417,
            Symbology::Ean13 => BarcodeFormat::EAN_13,
            Symbology::Ean8 => BarcodeFormat::EAN_8,
            Symbology::UpcA => BarcodeFormat::UPC_A,
            Symbology::UpcE => BarcodeFormat::UPC_E,
            Symbology::Code128 => BarcodeFormat::CODE_128,
            Symbology::Code39 => BarcodeFormat::CODE_39,
            Symbology::Code93 => BarcodeFormat::CODE_93,
        }
    }

    fn from_format(format: BarcodeFormat) -> Option<Symbology> {
        Symbology::ALL.into_iter().find(|s| s.format() == format)
    }

    fn is_linear(self) -> bool {
        !matches!(self, Symbology::QrCode | Symbology::DataMatrix | Symbology::Pdf417)
    }

    /// The quiet zone drawn around a symbol, in modules.
    fn quiet_zone(self) -> u32 {
        match self {
            Symbology::QrCode => 4,
            Symbology::DataMatrix | Symbology::Pdf417 => 2,
            _ => 10,
        }
    }
}

/// One code found in a picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub symbology: Symbology,
    pub text: String,
    /// left_top, right_top, right_bottom, left_bottom, in pixels. For QR and Data Matrix, the
    /// symbol's outer corners named as if it stood upright (left_top is the corner at a QR code's
    /// top-left finder pattern, whichever way the picture turns it); for the other symbologies,
    /// the upright rectangle around what was read.
    pub corners: [(i64, i64); 4],
}

/// A barcode reader behind [`decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// zxing-cpp 3.1.1 with its default options (every turn, inverted codes, a downscaled copy
    /// of large pictures), reading only the symbologies of [`Symbology::ALL`].
    ZxingCpp,
    /// rxing 0.9.3 (a pure-Rust ZXing port), in passes: without TryHarder, 1-D codes also turned
    /// by 90 degrees, then with TryHarder when that found nothing.
    Rxing,
}

impl Reader {
    /// The reader of [`decode`]: zxing-cpp, which reads on photos what rxing misses (noise,
    /// inverted codes, perspective, small codes in large pictures) in less time; the figures are
    /// in docs/BENCHMARKS.md.
    pub const DEFAULT: Reader = Reader::ZxingCpp;

    /// The reader's name and version, as the benchmark report prints it.
    pub fn name(self) -> &'static str {
        match self {
            Reader::ZxingCpp => "zxing-cpp 3.1.1",
            Reader::Rxing => "rxing 0.9.3",
        }
    }
}

/// Every code in an 8-bit grey picture, read by [`Reader::DEFAULT`]: QR and Data Matrix codes
/// by decreasing area, then the others from top to bottom (and left to right). Only codes whose
/// check digits and error correction hold are reported. Never panics; a picture without a
/// readable code gives none.
pub fn decode(luma: &image::GrayImage) -> Vec<Decoded> {
    decode_with(Reader::DEFAULT, luma)
}

/// [`decode`] with the given reader.
pub fn decode_with(reader: Reader, luma: &image::GrayImage) -> Vec<Decoded> {
    if luma.width() == 0 || luma.height() == 0 {
        return Vec::new();
    }
    let found = match reader {
        Reader::ZxingCpp => zxing_reader::read(luma),
        Reader::Rxing => rxing_reader::read(luma),
    };
    arrange(found)
}

/// A code as a reader found it, in pixels of the picture read.
struct Found {
    symbology: Symbology,
    text: String,
    /// left_top, right_top, right_bottom, left_bottom.
    corners: [(f32, f32); 4],
}

/// Merges repeats of a code (same symbology and text, overlapping places: the parts searched
/// overlap, and 1-D codes are met on several rows) and puts the codes in their reply order.
fn arrange(found: Vec<Found>) -> Vec<Decoded> {
    let mut codes: Vec<Found> = Vec::new();
    for code in found {
        match codes.iter_mut().find(|c| c.symbology == code.symbology && c.text == code.text && overlap(c, &code)) {
            // The bars of a 1-D code are found on different rows: together they tell its height.
            Some(seen) if !seen.symbology.reports_position() => {
                let points: Vec<(f32, f32)> = seen.corners.iter().chain(&code.corners).copied().collect();
                seen.corners = bounds(&points).unwrap_or(seen.corners);
            }
            Some(_) => {}
            None => codes.push(code),
        }
    }
    let mut codes: Vec<Decoded> = codes
        .into_iter()
        .map(|c| Decoded {
            symbology: c.symbology,
            text: c.text,
            corners: c.corners.map(|(x, y)| (x.round() as i64, y.round() as i64)),
        })
        .collect();
    codes.sort_by_key(|c| {
        if c.symbology.reports_position() {
            (0, -area(&c.corners), 0, 0)
        } else {
            (1, 0, c.corners.iter().map(|p| p.1).min().unwrap_or(0), c.corners.iter().map(|p| p.0).min().unwrap_or(0))
        }
    });
    codes
}

/// The upright rectangle around `points`.
fn bounds(points: &[(f32, f32)]) -> Option<[(f32, f32); 4]> {
    let &(x, y) = points.first()?;
    let (mut x0, mut y0, mut x1, mut y1) = (x, y, x, y);
    for &(x, y) in points {
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    Some([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
}

/// Whether two finds are close enough to be one code: their bounding boxes meet, once grown by
/// half their larger side for codes read as a line along one row of their bars.
fn overlap(a: &Found, b: &Found) -> bool {
    let grown = |f: &Found| {
        let xs = f.corners.map(|c| c.0);
        let ys = f.corners.map(|c| c.1);
        let (x0, x1) = (xs.iter().copied().fold(f32::MAX, f32::min), xs.iter().copied().fold(f32::MIN, f32::max));
        let (y0, y1) = (ys.iter().copied().fold(f32::MAX, f32::min), ys.iter().copied().fold(f32::MIN, f32::max));
        let margin = if f.symbology.reports_position() { 0.0 } else { (x1 - x0).max(y1 - y0) / 2.0 };
        (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    };
    let (a, b) = (grown(a), grown(b));
    a.0 <= b.2 && b.0 <= a.2 && a.1 <= b.3 && b.1 <= a.3
}

/// The area of a quadrilateral, in square pixels (shoelace formula).
fn area(corners: &[(i64, i64); 4]) -> i64 {
    let twice: i64 = (0..4)
        .map(|i| {
            let (a, b) = (corners[i], corners[(i + 1) % 4]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum();
    twice.abs() / 2
}

/// Largest picture [`encode`] draws, in pixels.
const MAX_ENCODE_PIXELS: u64 = 64 << 20;

/// Draws `text` as a `symbology` code, black on white, in a picture of exactly `width` x `height`
/// pixels: the symbol is scaled by the largest whole number of pixels per module that leaves its
/// quiet zone around it, and centred. 1-D bars fill the height but for a margin.
pub fn encode(symbology: Symbology, text: &str, width: u32, height: u32) -> Result<image::GrayImage, String> {
    if u64::from(width) * u64::from(height) > MAX_ENCODE_PIXELS {
        return Err(format!("{width}x{height} is larger than {MAX_ENCODE_PIXELS} pixels"));
    }
    let modules = symbol(symbology, text)?;
    let (cols, rows) = (modules.width(), modules.height());
    let quiet = 2 * symbology.quiet_zone();
    let unit = if symbology.is_linear() {
        width / (cols + quiet)
    } else {
        (width / (cols + quiet)).min(height / (rows + quiet))
    };
    if unit == 0 || height == 0 {
        return Err(format!(
            "{width}x{height} pixels cannot hold this {} ({cols}x{rows} modules and a quiet zone)",
            symbology.wechat_name()
        ));
    }
    let mut picture = image::GrayImage::from_pixel(width, height, image::Luma([255]));
    let (w, x) = (cols * unit, (width - cols * unit) / 2);
    let (h, y) = if symbology.is_linear() {
        let margin = (symbology.quiet_zone() * unit).min(height / 8);
        (height - 2 * margin, margin)
    } else {
        (rows * unit, (height - rows * unit) / 2)
    };
    paint(&mut picture, &modules, (x, y, w, h));
    Ok(picture)
}

/// The modules of `text` as a `symbology` code, without quiet zone: one row for 1-D codes, and
/// for PDF417 rows already 4 cells high so that the cells are square. Data Matrix symbols are
/// square, as most printers make them.
pub(crate) fn symbol(symbology: Symbology, text: &str) -> Result<BitMatrix, String> {
    let hints = EncodeHints::default()
        .with(EncodeHintValue::Margin("0".to_owned()))
        .with(EncodeHintValue::DataMatrixShape(SymbolShapeHint::FORCE_SQUARE));
    let failed = |e: &dyn std::fmt::Display| format!("cannot encode {text:?} as {}: {e}", symbology.wechat_name());
    // Like decoding, encoding caller-given text must not panic on an input rxing did not foresee.
    std::panic::catch_unwind(|| MultiFormatWriter.encode_with_hints(text, &symbology.format(), 0, 0, &hints))
        .map_err(|_| failed(&"the encoder failed"))?
        .map_err(|e| failed(&e))
}

/// Paints the dark cells of `modules` black into `rect` = (x, y, width, height) of `picture`,
/// stretching them to fill it exactly (cells may be fractional pixel sizes). Parts outside the
/// picture are left out.
pub(crate) fn paint(picture: &mut image::GrayImage, modules: &BitMatrix, rect: (u32, u32, u32, u32)) {
    let (x0, y0, w, h) = rect;
    let (cols, rows) = (u64::from(modules.width()), u64::from(modules.height()));
    let x_end = x0.saturating_add(w).min(picture.width());
    let y_end = y0.saturating_add(h).min(picture.height());
    for y in y0..y_end {
        let row = (u64::from(y - y0) * rows / u64::from(h)) as u32;
        for x in x0..x_end {
            let col = (u64::from(x - x0) * cols / u64::from(w)) as u32;
            if modules.get(col, row) {
                picture.put_pixel(x, y, image::Luma([0]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let wechat: Vec<_> = Symbology::ALL.iter().map(|s| s.wechat_name()).collect();
        let tencent: Vec<_> = Symbology::ALL.iter().map(|s| s.tencent_name()).collect();
        assert_eq!(
            wechat,
            [
                "QR_CODE",
                "DATA_MATRIX",
                "PDF_417",
                "EAN_13",
                "EAN_8",
                "UPC_A",
                "UPC_E",
                "CODE_128",
                "CODE_39",
                "CODE_93"
            ]
        );
        assert_eq!(
            tencent,
            [
                "QR_CODE",
                "DATA_MATRIX",
                "PDF_417",
                "EAN-13",
                "EAN-8",
                "UPC-A",
                "UPC-E",
                "CODE-128",
                "CODE-39",
                "CODE-93"
            ]
        );
        let positioned: Vec<_> = Symbology::ALL.into_iter().filter(|s| s.reports_position()).collect();
        assert_eq!(positioned, [Symbology::QrCode, Symbology::DataMatrix]);
    }

    #[test]
    fn encoded_codes_read_back() {
        let samples = [
            (Symbology::QrCode, "pages/index/index?scene=a%3D1", 430, 430),
            (Symbology::DataMatrix, "WXCV 0123", 200, 200),
            (Symbology::Pdf417, "wxcv pdf417", 600, 200),
            (Symbology::Ean13, "5906789678957", 400, 150),
            (Symbology::Ean8, "96385074", 300, 120),
            (Symbology::UpcA, "036000291452", 400, 150),
            (Symbology::UpcE, "01234565", 300, 120),
            (Symbology::Code128, "Wxcv-128", 400, 120),
            (Symbology::Code39, "WXCV-39", 400, 120),
            (Symbology::Code93, "WXCV-93", 400, 120),
        ];
        for (symbology, text, width, height) in samples {
            let picture = encode(symbology, text, width, height).unwrap();
            assert_eq!(picture.dimensions(), (width, height));
            let found: Vec<_> = decode(&picture).into_iter().map(|d| (d.symbology, d.text)).collect();
            assert_eq!(found, [(symbology, text.to_owned())], "{}", symbology.wechat_name());
        }
    }

    #[test]
    fn qr_codes_are_drawn_with_their_quiet_zone() {
        let picture = encode(Symbology::QrCode, "pages/index/index", 280, 280).unwrap();
        let modules = symbol(Symbology::QrCode, "pages/index/index").unwrap().width();
        let unit = 280 / (modules + 8);
        let margin = (280 - modules * unit) / 2;
        assert!(margin >= 4 * unit);
        let dark = |x: u32, y: u32| picture.get_pixel(x, y)[0] == 0;
        assert!((0..280).all(|i| !dark(i, margin - 1) && !dark(margin - 1, i)));
        assert!(dark(margin, margin) && dark(margin + modules * unit - 1, margin));
    }

    #[test]
    fn encoding_refuses_what_it_cannot_draw() {
        assert!(encode(Symbology::QrCode, "too small", 20, 20).is_err());
        assert!(encode(Symbology::Ean13, "not digits", 400, 150).is_err());
        assert!(encode(Symbology::QrCode, "", 280, 280).is_err());
        assert!(encode(Symbology::QrCode, "huge", 100_000, 100_000).is_err());
        assert!(encode(Symbology::Code128, "no height", 400, 0).is_err());
    }

    #[test]
    fn odd_pictures_give_no_code() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut noise = |w: u32, h: u32| {
            image::GrayImage::from_fn(w, h, |_, _| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                image::Luma([(seed >> 56) as u8])
            })
        };
        let pictures = [
            image::GrayImage::new(0, 0),
            image::GrayImage::new(0, 10),
            image::GrayImage::new(1, 1),
            image::GrayImage::new(3, 500),
            image::GrayImage::from_pixel(300, 200, image::Luma([0])),
            noise(17, 9),
            noise(64, 64),
            noise(321, 123),
        ];
        for reader in [Reader::ZxingCpp, Reader::Rxing] {
            for picture in &pictures {
                assert_eq!(decode_with(reader, picture), [], "{reader:?} {}x{}", picture.width(), picture.height());
            }
        }
    }
}
