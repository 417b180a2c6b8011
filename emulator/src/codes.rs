//! Barcode reading for scanQRCode and QrcodeOCR (rxing). Being written.

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

/// One code found in a picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub symbology: Symbology,
    pub text: String,
    /// left_top, right_top, right_bottom, left_bottom, in pixels.
    pub corners: [(i64, i64); 4],
}

/// Every code in an 8-bit grey picture.
pub fn decode(_luma: &image::GrayImage) -> Vec<Decoded> {
    Vec::new()
}
