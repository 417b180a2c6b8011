//! The zxing-cpp reader, through the library's C API.
//!
//! The `zxing-cpp` crate builds the C++ library from the source it bundles (with cmake and the
//! machine's C++ compiler) and links it statically; this module calls the C API (`ZXingC.h`)
//! itself. The crate's own wrapper turns every reported format into its Rust enum with
//! `transmute`, and that enum lacks variants the library reports (Code 39 Extended, for one): a
//! Code 39 with shift characters would be undefined behaviour there. Here a format is a plain
//! number that either names one of [`Symbology::ALL`] or is dropped.

use std::ffi::{CStr, c_char, c_int, c_void};

use super::{Found, Symbology};

// Keeps the crate, and with it the static library its build script links, in the build.
use zxingcpp as _;

/// `ZXing_BarcodeFormat`: two ASCII bytes, the symbology's key and the variant's
/// (`ZX_BCF_ID` in BarcodeFormat.h).
type Format = u32;

const fn format(symbology: u8, variant: u8) -> Format {
    symbology as u32 | (variant as u32) << 8
}

/// What is asked for: the vendors' symbologies and no more (no Micro QR, rMQR, Code 32, ISBN...),
/// as variants where the symbology has others.
const WANTED: [Format; 13] = [
    format(b'Q', b'1'), // QR Code Model 1
    format(b'Q', b'2'), // QR Code Model 2
    format(b'd', b' '), // Data Matrix
    format(b'L', b' '), // PDF417 (the symbology: MicroPDF417 is read, then dropped)
    format(b'E', b'1'), // EAN-13
    format(b'E', b'8'), // EAN-8
    format(b'E', b'a'), // UPC-A
    format(b'E', b'e'), // UPC-E
    format(b'C', b' '), // Code 128
    format(b'A', b's'), // Code 39 Standard
    format(b'A', b'e'), // Code 39 Extended (full ASCII)
    format(b'G', b' '), // Code 93
    format(b'L', b'c'), // Compact PDF417
];

/// The symbology of a reported format, if it is one of ours.
fn symbology(reported: Format) -> Option<Symbology> {
    let [key, variant, ..] = reported.to_le_bytes();
    Some(match (key, variant) {
        (b'Q', b' ' | b'1' | b'2') => Symbology::QrCode,
        (b'd', _) => Symbology::DataMatrix,
        (b'L', b' ' | b'c') => Symbology::Pdf417,
        (b'E', b'1') => Symbology::Ean13,
        (b'E', b'8') => Symbology::Ean8,
        (b'E', b'a') => Symbology::UpcA,
        (b'E', b'e') => Symbology::UpcE,
        (b'C', _) => Symbology::Code128,
        (b'A', b' ' | b's' | b'e') => Symbology::Code39,
        (b'G', _) => Symbology::Code93,
        _ => return None,
    })
}

#[repr(C)]
struct Opaque {
    _private: [u8; 0],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct PointI {
    x: c_int,
    y: c_int,
}

/// `ZXing_Position`: the corners in the symbol's own orientation.
#[repr(C)]
#[derive(Clone, Copy)]
struct Position {
    top_left: PointI,
    top_right: PointI,
    bottom_right: PointI,
    bottom_left: PointI,
}

/// `ZXing_ImageFormat_Lum`: one byte a pixel.
const IMAGE_FORMAT_LUM: u32 = 0x0100_0000;

unsafe extern "C" {
    fn ZXing_ImageView_new_checked(
        data: *const u8,
        size: c_int,
        width: c_int,
        height: c_int,
        format: u32,
        row_stride: c_int,
        pix_stride: c_int,
    ) -> *mut Opaque;
    fn ZXing_ImageView_delete(iv: *mut Opaque);
    fn ZXing_ReaderOptions_new() -> *mut Opaque;
    fn ZXing_ReaderOptions_delete(opts: *mut Opaque);
    fn ZXing_ReaderOptions_setFormats(opts: *mut Opaque, formats: *const Format, count: c_int);
    fn ZXing_ReadBarcodes(iv: *const Opaque, opts: *const Opaque) -> *mut Opaque;
    fn ZXing_Barcodes_size(barcodes: *const Opaque) -> c_int;
    fn ZXing_Barcodes_at(barcodes: *const Opaque, i: c_int) -> *const Opaque;
    fn ZXing_Barcodes_delete(barcodes: *mut Opaque);
    fn ZXing_Barcode_isValid(barcode: *const Opaque) -> bool;
    fn ZXing_Barcode_format(barcode: *const Opaque) -> Format;
    fn ZXing_Barcode_text(barcode: *const Opaque) -> *mut c_char;
    fn ZXing_Barcode_position(barcode: *const Opaque) -> Position;
    fn ZXing_Barcode_lineCount(barcode: *const Opaque) -> c_int;
    fn ZXing_Barcode_extra(barcode: *const Opaque, key: *const c_char) -> *mut c_char;
    fn ZXing_free(ptr: *mut c_void);
}

/// The text of a string the C API handed over, which is then freed.
///
/// # Safety
/// `ptr` is null or a NUL-terminated string from the C API that nothing else frees.
unsafe fn take(ptr: *mut c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: as the caller promises.
    let text = unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned();
    unsafe { ZXing_free(ptr.cast()) };
    Some(text)
}

/// zxing-cpp gives every UPC as the GTIN-13 it stands for (ISO/IEC 15420's content of "]E0"):
/// a UPC-A as the EAN-13 with a leading 0, a UPC-E as its UPC-A expansion behind a 0. The
/// vendors report them as ZXing does, and so does the emulator: a UPC-A with its 12 digits, a
/// UPC-E with the 8 printed under it (which zxing-cpp keeps in its `UPCE` extra).
fn as_zxing_names_them(symbology: Symbology, text: String, upc_e: Option<String>) -> (Symbology, String) {
    match symbology {
        Symbology::Ean13 if text.len() == 13 && text.starts_with('0') => (Symbology::UpcA, text[1..].to_owned()),
        Symbology::UpcE => (Symbology::UpcE, upc_e.filter(|t| t.len() == 8).unwrap_or(text)),
        _ => (symbology, text),
    }
}

/// Owns a pointer the C API handed over and frees it with its `delete`.
struct Owned(*mut Opaque, unsafe extern "C" fn(*mut Opaque));

impl Owned {
    fn new(ptr: *mut Opaque, delete: unsafe extern "C" fn(*mut Opaque)) -> Option<Owned> {
        (!ptr.is_null()).then_some(Owned(ptr, delete))
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: the pointer came from the C API's constructor that `delete` belongs to, and is
        // freed once.
        unsafe { (self.1)(self.0) }
    }
}

/// Every valid code zxing-cpp reads in `luma`, with the library's default options (TryHarder,
/// TryRotate, TryInvert, TryDownscale; the local-average binarizer) but for the formats.
pub(super) fn read(luma: &image::GrayImage) -> Vec<Found> {
    let (Ok(width), Ok(height), Ok(size)) =
        (c_int::try_from(luma.width()), c_int::try_from(luma.height()), c_int::try_from(luma.as_raw().len()))
    else {
        return Vec::new();
    };
    // SAFETY: the view borrows `luma`'s pixels (width x height bytes, checked against `size` by
    // the library), which outlive it: it is dropped at the end of this function. Every pointer
    // is checked for null before use and freed by its owner; the barcodes read from `results`
    // are borrowed from it and used before it is dropped; `text` is copied, then freed.
    unsafe {
        let image = ZXing_ImageView_new_checked(luma.as_raw().as_ptr(), size, width, height, IMAGE_FORMAT_LUM, 0, 0);
        let Some(image) = Owned::new(image, ZXing_ImageView_delete) else {
            return Vec::new();
        };
        let Some(options) = Owned::new(ZXing_ReaderOptions_new(), ZXing_ReaderOptions_delete) else {
            return Vec::new();
        };
        ZXing_ReaderOptions_setFormats(options.0, WANTED.as_ptr(), WANTED.len() as c_int);
        // A failure inside the library (an exception, caught by the C API) reads as no code.
        let Some(results) = Owned::new(ZXing_ReadBarcodes(image.0, options.0), ZXing_Barcodes_delete) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for i in 0..ZXing_Barcodes_size(results.0) {
            let barcode = ZXing_Barcodes_at(results.0, i);
            if barcode.is_null() || !ZXing_Barcode_isValid(barcode) {
                continue;
            }
            let Some(symbology) = symbology(ZXing_Barcode_format(barcode)) else {
                continue;
            };
            let Some(text) = take(ZXing_Barcode_text(barcode)) else {
                continue;
            };
            let upc_e = match symbology {
                Symbology::UpcE => take(ZXing_Barcode_extra(barcode, c"UPCE".as_ptr())),
                _ => None,
            };
            let (symbology, text) = as_zxing_names_them(symbology, text, upc_e);
            let p = ZXing_Barcode_position(barcode);
            let corner = |q: PointI| (q.x as f32, q.y as f32);
            let corners = [corner(p.top_left), corner(p.top_right), corner(p.bottom_right), corner(p.bottom_left)];
            found.push((Found { symbology, text, corners }, ZXing_Barcode_lineCount(barcode)));
        }
        settle_conflicts(found)
    }
}

/// Drops the weaker of two 1-D readings of one place. A 1-D code's check digit catches one wrong
/// digit but not every misread row, and Code 39 has no check digit at all: on a tilted code
/// zxing-cpp may read, besides the code, a different text of the same symbology on a few rows
/// across it (in the benchmark's corpus, a second EAN-13 on 3 rows inside the true one's 69, a
/// Code 39 on 2 rows inside the true one's 94). Two readings of one symbology family whose places
/// meet cannot both be codes: the one read on more rows stands, and a tie drops both, since a false
/// reading is worse than a miss.
fn settle_conflicts(found: Vec<(Found, c_int)>) -> Vec<Found> {
    let family = |s: Symbology| match s {
        Symbology::Ean13 | Symbology::Ean8 | Symbology::UpcA | Symbology::UpcE => Symbology::Ean13,
        other => other,
    };
    let rival = |a: &Found, b: &Found| {
        a.symbology.is_linear() && family(a.symbology) == family(b.symbology) && a.text != b.text && meet(a, b)
    };
    let weaker: Vec<bool> =
        found.iter().map(|(code, lines)| found.iter().any(|(other, their)| rival(code, other) && their >= lines)).collect();
    found.into_iter().zip(weaker).filter(|(_, weaker)| !weaker).map(|((code, _), _)| code).collect()
}

/// Whether the upright rectangles around two readings overlap.
fn meet(a: &Found, b: &Found) -> bool {
    let (Some([(ax0, ay0), _, (ax1, ay1), _]), Some([(bx0, by0), _, (bx1, by1), _])) =
        (super::bounds(&a.corners), super::bounds(&b.corners))
    else {
        return false;
    };
    ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1
}
