//! Barcode reading for scanQRCode and QrcodeOCR, and drawing for wxacode (rxing).

use rxing::common::{BitMatrix, DetectorRXingResult, HybridBinarizer};
use rxing::datamatrix::DataMatrixReader;
use rxing::datamatrix::encoder::SymbolShapeHint;
use rxing::multi::MultipleBarcodeReader;
use rxing::oned::MultiFormatOneDReader;
use rxing::pdf417::PDF417Reader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::qrcode::decoder::{QRCodeDecoderMetaData, qrcode_decoder};
use rxing::qrcode::detector::Detector as QrDetector;
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, EncodeHintValue, EncodeHints, Luma8Source, MultiFormatWriter,
    Point, RXingResult, Reader, Writer,
};

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

/// Every code in an 8-bit grey picture: QR and Data Matrix codes by decreasing area, then the
/// others from top to bottom (and left to right). Never panics; a picture without a readable code
/// gives none.
///
/// rxing's TryHarder (every row scanned, 1-D codes also tried turned by 90 degrees) costs 3 to 4
/// times as much, so the picture is read without it, 1-D codes also in the picture turned by 90
/// degrees, and read again with TryHarder only when that found nothing.
pub fn decode(luma: &image::GrayImage) -> Vec<Decoded> {
    if luma.width() == 0 || luma.height() == 0 {
        return Vec::new();
    }
    // rxing is a port with plenty of indexing of its own; a picture that trips it must not take the
    // caller down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut found = Vec::new();
        read_picture(luma, false, &mut found);
        if found.is_empty() {
            read_picture(luma, true, &mut found);
        }
        arrange(found)
    }))
    .unwrap_or_default()
}

/// Reads every code in `luma` into `found`.
fn read_picture(luma: &image::GrayImage, try_harder: bool, found: &mut Vec<Found>) {
    let Ok(source) = Luma8Source::new_with_slice(luma.as_raw(), luma.width(), luma.height()) else {
        return;
    };
    let mut image = BinaryBitmap::new(HybridBinarizer::new(source));
    let mut reader = CodeReader::new(Family::All, try_harder);
    // The PDF417 reader finds every symbol at once, in any of the four right-angle turns, and
    // does not depend on TryHarder: it reads the whole picture once, on the first pass.
    if !try_harder {
        if let Ok(results) = PDF417Reader.decode_multiple_with_hints(&mut image, &reader.hints) {
            found.extend(results.iter().filter_map(|r| found_at(r, bounds(r.getPoints())?)));
        }
    }
    scan(&mut image, &mut reader, (0.0, 0.0), 0, found);
    if !try_harder {
        // 1-D codes standing on their side (horizontal bars), read in the picture turned
        // counterclockwise, where the point (x, y) of the picture is at (y, width - x).
        let mut turned = image.rotate_counter_clockwise();
        let start = found.len();
        scan(&mut turned, &mut CodeReader::new(Family::Linear, false), (0.0, 0.0), 0, found);
        let width = luma.width() as f32;
        for code in &mut found[start..] {
            let points = code.corners.map(|(x, y)| Point { x: width - y, y: x });
            code.corners = bounds(&points).unwrap_or(code.corners);
        }
    }
}

/// A code as a reader found it, in pixels of the picture read.
struct Found {
    symbology: Symbology,
    text: String,
    /// left_top, right_top, right_bottom, left_bottom.
    corners: [(f32, f32); 4],
}

/// Which symbologies a [`CodeReader`] reads.
#[derive(Clone, Copy, PartialEq)]
enum Family {
    /// All but PDF417, which is read apart.
    All,
    Linear,
}

/// Reads one code from a picture, trying the symbologies in a fixed order (rxing's
/// MultiFormatReader takes them in the order of a `HashSet`, which changes from run to run, and
/// with it which of several codes it returns and so which parts of the picture are read next), and
/// turns the points each rxing reader reports into the code's corners.
struct CodeReader {
    family: Family,
    hints: DecodeHints,
    linear: MultiFormatOneDReader,
}

impl CodeReader {
    fn new(family: Family, try_harder: bool) -> CodeReader {
        let formats = Symbology::ALL
            .into_iter()
            .filter(|s| family == Family::All || s.is_linear())
            .map(Symbology::format)
            .collect();
        let hints =
            DecodeHints { PossibleFormats: Some(formats), TryHarder: Some(try_harder), ..DecodeHints::default() };
        CodeReader { family, linear: MultiFormatOneDReader::new(&hints), hints }
    }

    fn read<B: Binarizer>(&mut self, image: &mut BinaryBitmap<B>) -> Option<Found> {
        if let Ok(r) = self.linear.decode_with_hints(image, &self.hints) {
            let reported = bounds(r.getPoints()).unwrap_or_else(|| whole(image));
            return found_at(&r, bars(image, reported));
        }
        if self.family == Family::Linear {
            return None;
        }
        if let Ok(r) = QrReader.decode_with_hints(image, &self.hints) {
            // zxing-cpp's QR reader reports the symbol's outer corners as left_top, right_top,
            // left_bottom, right_bottom; rxing's port adds half a pixel to each, which zxing-cpp
            // only does to round them to whole pixels.
            let [lt, rt, lb, rb] = <[Point; 4]>::try_from(r.getPoints().get(..4)?).ok()?;
            let edge = |p: Point| (p.x - 0.5, p.y - 0.5);
            return found_at(&r, [edge(lt), edge(rt), edge(rb), edge(lb)]);
        }
        if let Ok(r) = DataMatrixReader.decode_with_hints(image, &self.hints) {
            return found_at(&r, data_matrix_corners(image, r.getPoints()));
        }
        qr_by_finder_patterns(image.get_black_matrix(), &self.hints)
    }
}

fn xy(p: Point) -> (f32, f32) {
    (p.x, p.y)
}

fn found_at(r: &RXingResult, corners: [(f32, f32); 4]) -> Option<Found> {
    let symbology = Symbology::from_format(*r.getBarcodeFormat())?;
    Some(Found { symbology, text: r.getText().to_owned(), corners })
}

/// The corners of the whole of `image`.
fn whole<B: Binarizer>(image: &BinaryBitmap<B>) -> [(f32, f32); 4] {
    let (w, h) = (image.get_width() as f32, image.get_height() as f32);
    [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)]
}

/// The upright rectangle around `points`.
fn bounds(points: &[Point]) -> Option<[(f32, f32); 4]> {
    let first = points.first()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first.x, first.y, first.x, first.y);
    for p in points {
        (x0, y0, x1, y1) = (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y));
    }
    Some([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
}

/// The rectangle of a 1-D code's bars. rxing reports the two ends of the row it read; the rows
/// above and below that show (mostly) the same bars between those ends belong to the code too.
/// Without them, the parts of the picture above and below the row would each read the same code
/// again.
fn bars<B: Binarizer>(image: &BinaryBitmap<B>, reported: [(f32, f32); 4]) -> [(f32, f32); 4] {
    let [(x0, y0), _, (x1, y1), _] = reported;
    let height = image.get_height();
    let bits = |y: usize| image.get_black_row(y).ok().map(|r| r.into_owned());
    // With TryHarder a code can be read turned, along a column: that is left as reported.
    let reference = match y1 - y0 <= 1.0 && y0 >= 0.0 && (y0 as usize) < height {
        true => bits(y0 as usize),
        false => None,
    };
    let Some(reference) = reference else {
        return reported;
    };
    let (left, right, row) = (x0.max(0.0) as usize, x1 as usize, y0 as usize);
    let right = right.min(reference.get_size().saturating_sub(1));
    let same = |y: usize| {
        bits(y).is_some_and(|r| {
            let differing = (left..=right).filter(|&x| r.get(x) != reference.get(x)).count();
            differing * 4 <= right.saturating_sub(left) + 1
        })
    };
    let mut top = row;
    while top > 0 && same(top - 1) {
        top -= 1;
    }
    let mut bottom = row;
    while bottom + 1 < height && same(bottom + 1) {
        bottom += 1;
    }
    let (top, bottom) = (top as f32, (bottom + 1) as f32);
    [(x0, top), (x1, top), (x1, bottom), (x0, bottom)]
}

/// rxing's Data Matrix reader reports the outer corners left_top, right_top, right_bottom,
/// left_bottom from its zxing-cpp detector, but with TryHarder falls back to ZXing's older
/// detector, which reports the centres of the corner modules as left_top, left_bottom,
/// right_bottom, right_top (the opposite turn, which tells the two apart), and then to reading the
/// whole picture as one symbol, without points.
fn data_matrix_corners<B: Binarizer>(image: &BinaryBitmap<B>, points: &[Point]) -> [(f32, f32); 4] {
    let Some([a, b, c, d]) = points.get(..4).and_then(|p| <[Point; 4]>::try_from(p).ok()) else {
        return whole(image);
    };
    // In picture coordinates (y down), left_top -> right_top -> right_bottom turns clockwise,
    // which is a positive cross product.
    let turn = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
    if turn >= 0.0 { [xy(a), xy(b), xy(c), xy(d)] } else { [xy(a), xy(d), xy(c), xy(b)] }
}

/// ZXing's original QR detector, which rxing tries after zxing-cpp's: it reports the centres of the
/// three finder patterns (left_bottom, left_top, right_top) and maybe of an alignment pattern. The
/// outer corners lie 3.5 modules beyond the finder centres along both sides of the symbol, and the
/// module follows from the distance between the finder centres, which is the symbol's dimension
/// (the width of the grid the detector sampled) less 7 modules.
fn qr_by_finder_patterns(matrix: &BitMatrix, hints: &DecodeHints) -> Option<Found> {
    let detected = QrDetector::new(matrix).detect_with_hints(hints).ok()?;
    let decoded = qrcode_decoder::decode_bitmatrix_with_hints(detected.getBits(), hints).ok()?;
    let [lb, lt, rt] = detected.getPoints().get(..3)?.try_into().ok()?;
    let (lb, lt, rt) = (xy(lb), xy(lt), xy(rt));
    // A mirrored symbol is read with its left_bottom and right_top finders swapped.
    let mirrored = decoded
        .getOther()
        .is_some_and(|o| o.downcast_ref::<QRCodeDecoderMetaData>().is_some_and(QRCodeDecoderMetaData::isMirrored));
    let (lb, rt) = if mirrored { (rt, lb) } else { (lb, rt) };
    let between = detected.getBits().width() as f32 - 7.0;
    if between <= 0.0 {
        return None;
    }
    // One module along the top side and one along the left side.
    let across = ((rt.0 - lt.0) / between, (rt.1 - lt.1) / between);
    let down = ((lb.0 - lt.0) / between, (lb.1 - lt.1) / between);
    let out = |p: (f32, f32), sx: f32, sy: f32| {
        (p.0 + 3.5 * (sx * across.0 + sy * down.0), p.1 + 3.5 * (sx * across.1 + sy * down.1))
    };
    let rb = (rt.0 + lb.0 - lt.0, rt.1 + lb.1 - lt.1);
    Some(Found {
        symbology: Symbology::QrCode,
        text: decoded.getText().to_owned(),
        corners: [out(lt, -1.0, -1.0), out(rt, 1.0, -1.0), out(rb, 1.0, 1.0), out(lb, -1.0, 1.0)],
    })
}

/// Parts of a picture narrower than this are not searched on their own.
const MIN_PART: f32 = 100.0;
/// How many times a part is split around a code found in it.
const MAX_DEPTH: u32 = 4;

/// Reads a code in `image` (a part of the picture at `offset`), then searches the parts left of,
/// above, right of and below it the same way. (ZXing's GenericMultipleBarcodeReader does the same
/// but drops a code whose bounding box meets another's even when they differ.)
fn scan<B: Binarizer>(
    image: &mut BinaryBitmap<B>,
    reader: &mut CodeReader,
    offset: (f32, f32),
    depth: u32,
    found: &mut Vec<Found>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(mut code) = reader.read(image) else {
        return;
    };
    let (width, height) = (image.get_width() as f32, image.get_height() as f32);
    let xs = code.corners.map(|c| c.0.clamp(0.0, width));
    let ys = code.corners.map(|c| c.1.clamp(0.0, height));
    let (x0, x1) = (xs.into_iter().fold(width, f32::min), xs.into_iter().fold(0.0, f32::max));
    let (y0, y1) = (ys.into_iter().fold(height, f32::min), ys.into_iter().fold(0.0, f32::max));
    code.corners = code.corners.map(|(x, y)| (x + offset.0, y + offset.1));
    found.push(code);

    let (w, h) = (width as usize, height as usize);
    let (x0u, x1u, y0u, y1u) = (x0 as usize, x1 as usize, y0 as usize, y1 as usize);
    let parts = [
        (x0 > MIN_PART, (0, 0, x0u, h)),
        (y0 > MIN_PART, (0, 0, w, y0u)),
        (x1 < width - MIN_PART, (x1u, 0, w - x1u, h)),
        (y1 < height - MIN_PART, (0, y1u, w, h - y1u)),
    ];
    for (wanted, (left, top, part_w, part_h)) in parts {
        if wanted {
            let mut part = image.crop(left, top, part_w, part_h);
            scan(&mut part, reader, (offset.0 + left as f32, offset.1 + top as f32), depth + 1, found);
        }
    }
}

/// Merges repeats of a code (same symbology and text, overlapping places: the parts searched
/// overlap, and 1-D codes are met on several rows) and puts the codes in their reply order.
fn arrange(found: Vec<Found>) -> Vec<Decoded> {
    let mut codes: Vec<Found> = Vec::new();
    for code in found {
        match codes.iter_mut().find(|c| c.symbology == code.symbology && c.text == code.text && overlap(c, &code)) {
            // The bars of a 1-D code are found on different rows: together they tell its height.
            Some(seen) if !seen.symbology.reports_position() => {
                let points: Vec<Point> =
                    seen.corners.iter().chain(&code.corners).map(|&(x, y)| Point { x, y }).collect();
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
    use crate::fixture_gen;

    fn luma(bytes: &[u8]) -> image::GrayImage {
        image::load_from_memory(bytes).expect("a fixture picture").to_luma8()
    }

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
        for picture in &pictures {
            assert_eq!(decode(picture), [], "{}x{}", picture.width(), picture.height());
        }
    }

    /// ZXing's QR detector is rxing's second choice, so the fixtures never reach it through
    /// [`decode`]: its corners are checked here.
    #[test]
    fn corners_from_finder_patterns() {
        let hints = CodeReader::new(Family::All, false).hints;
        for fixture in [fixture_gen::seed(), fixture_gen::qr_rotated_30(), fixture_gen::qr_small()] {
            let picture = luma(&fixture.bytes);
            let source = Luma8Source::new_with_slice(picture.as_raw(), picture.width(), picture.height()).unwrap();
            let image = BinaryBitmap::new(HybridBinarizer::new(source));
            let code = qr_by_finder_patterns(image.get_black_matrix(), &hints).expect(fixture.file);
            let expected = fixture.expect.iter().find(|e| e.text == code.text).expect(fixture.file);
            let corners = expected.corners.unwrap();
            for (got, want) in code.corners.iter().zip(corners) {
                let off = (got.0 - want.0 as f32).abs().max((got.1 - want.1 as f32).abs());
                assert!(off <= 3.0, "{}: {:?} instead of {corners:?}", fixture.file, code.corners);
            }
        }
    }
}
