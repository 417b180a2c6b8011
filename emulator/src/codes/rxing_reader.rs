//! The rxing reader: ZXing's readers as rxing ports them, with the multi-code search and the
//! corner conventions the replies need.

use rxing::common::{BitMatrix, DetectorRXingResult, HybridBinarizer};
use rxing::datamatrix::DataMatrixReader;
use rxing::multi::MultipleBarcodeReader;
use rxing::oned::MultiFormatOneDReader;
use rxing::pdf417::PDF417Reader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::qrcode::decoder::{QRCodeDecoderMetaData, qrcode_decoder};
use rxing::qrcode::detector::Detector as QrDetector;
use rxing::{Binarizer, BinaryBitmap, DecodeHints, Luma8Source, Point, RXingResult, Reader};

use super::{Found, Symbology};

/// Every code in `luma`. rxing's TryHarder (every row scanned, 1-D codes also tried turned by 90
/// degrees) costs 3 to 4 times as much, so the picture is read without it, 1-D codes also in the
/// picture turned by 90 degrees, and read again with TryHarder only when that found nothing.
pub(super) fn read(luma: &image::GrayImage) -> Vec<Found> {
    // rxing is a port with plenty of indexing of its own; a picture that trips it must not take the
    // caller down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut found = Vec::new();
        read_picture(luma, false, &mut found);
        if found.is_empty() {
            read_picture(luma, true, &mut found);
        }
        found
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
    super::bounds(&points.iter().map(|&p| xy(p)).collect::<Vec<_>>())
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


#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture_gen;

    /// ZXing's QR detector is rxing's second choice, so the fixtures never reach it through
    /// [`read`]: its corners are checked here.
    #[test]
    fn corners_from_finder_patterns() {
        let hints = CodeReader::new(Family::All, false).hints;
        for fixture in [fixture_gen::seed(), fixture_gen::qr_rotated_30(), fixture_gen::qr_small()] {
            let picture = image::load_from_memory(&fixture.bytes).expect("a fixture picture").to_luma8();
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

    /// The fixtures, read by rxing: every code, as [`super::super::decode`] reads them.
    #[test]
    fn reads_the_fixtures() {
        for fixture in fixture_gen::all() {
            if matches!(fixture.file, "bomb.png" | "not-an-image.jpg") {
                continue;
            }
            let picture = image::load_from_memory(&fixture.bytes).expect("a fixture picture").to_luma8();
            let codes = super::super::decode_with(super::super::Reader::Rxing, &picture);
            for want in &fixture.expect {
                assert!(
                    codes.iter().any(|c| c.symbology == want.symbology && c.text == want.text),
                    "{}: {:?} not read",
                    fixture.file,
                    want.text
                );
            }
        }
    }
}
