//! Pictures: decoding under a pixel limit, 2x upscaling, content-aware cropping and drawing codes.

use std::io::Cursor;

use image::{DynamicImage, GenericImageView, GrayImage, ImageFormat, ImageReader, Luma, Rgba, RgbaImage};

/// Why a picture could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// Not a picture, or a corrupt one.
    Undecodable(String),
    /// More pixels than the emulator decodes (a decompression bomb, or just huge).
    TooManyPixels { width: u32, height: u32, limit: u64 },
}

/// Decodes a picture, refusing one with more than `max_pixels` before allocating it.
pub fn load(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, LoadError> {
    let reader = || ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| LoadError::Undecodable(e.to_string()));
    let (width, height) = reader()?.into_dimensions().map_err(|e| LoadError::Undecodable(e.to_string()))?;
    if width as u64 * height as u64 > max_pixels || width == 0 || height == 0 {
        return Err(LoadError::TooManyPixels { width, height, limit: max_pixels });
    }
    let mut r = reader()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // Room for the decoded picture at up to 16 bytes a pixel, and no more.
    limits.max_alloc = Some(max_pixels.saturating_mul(16));
    r.limits(limits);
    r.decode().map_err(|e| LoadError::Undecodable(e.to_string()))
}

/// The picture twice as wide and high, as JPEG.
pub fn upscale_2x(img: &DynamicImage) -> Result<Vec<u8>, String> {
    let (w, h) = img.dimensions();
    let big = img.resize_exact(w * 2, h * 2, image::imageops::FilterType::CatmullRom);
    encode(&DynamicImage::ImageRgb8(big.to_rgb8()), ImageFormat::Jpeg)
}

pub fn encode(img: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// A crop rectangle: left, top, right, bottom (right/bottom exclusive), in pixels.
pub type Rect = (i64, i64, i64, i64);

/// Content-aware crops: for each width/height ratio, the largest window of that shape placed
/// where the picture has the most detail (gradient energy). Without ratios, the best window
/// among common shapes and sizes: the one holding most detail per unit of area.
pub fn ai_crop(img: &DynamicImage, ratios: &[f64]) -> Vec<Rect> {
    let (w, h) = img.dimensions();
    // Work on a copy at most 256 px on its long side; map the windows back.
    let scale = (256.0 / w.max(h) as f64).min(1.0);
    let (sw, sh) = (((w as f64 * scale).round() as u32).max(1), ((h as f64 * scale).round() as u32).max(1));
    let small = image::imageops::resize(&img.to_luma8(), sw, sh, image::imageops::FilterType::Triangle);
    let integral = energy_integral(&small);
    let sum = |x0: u32, y0: u32, x1: u32, y1: u32| -> f64 {
        let at = |x: u32, y: u32| integral[(y * (sw + 1) + x) as usize];
        at(x1, y1) - at(x0, y1) - at(x1, y0) + at(x0, y0)
    };
    let total = sum(0, 0, sw, sh).max(1e-9);
    // The best placement of a cw x ch window (small-picture pixels), by energy.
    let place = |cw: u32, ch: u32| -> (f64, u32, u32) {
        let step = ((cw.min(ch) / 32).max(1)) as usize;
        let mut best = (f64::MIN, 0, 0);
        for y in (0..=sh - ch).step_by(step) {
            for x in (0..=sw - cw).step_by(step) {
                let e = sum(x, y, x + cw, y + ch);
                if e > best.0 {
                    best = (e, x, y);
                }
            }
        }
        best
    };
    let window = |ratio: f64, size: f64| -> (u32, u32) {
        let (mut cw, mut ch) = if (sw as f64 / sh as f64) > ratio { (sh as f64 * ratio, sh as f64) } else { (sw as f64, sw as f64 / ratio) };
        cw *= size;
        ch *= size;
        ((cw.round() as u32).clamp(1, sw), (ch.round() as u32).clamp(1, sh))
    };
    // Back to full size: the window's shape is computed on the full picture, so the ratio is
    // exact to the pixel; the small copy only says where it goes.
    let to_rect = |x: u32, y: u32, ratio: f64, size: f64| -> Rect {
        let (fw, fh) = (w as f64, h as f64);
        let (width, height) = if fw / fh > ratio { (fh * size * ratio, fh * size) } else { (fw * size, fw * size / ratio) };
        let (width, height) = ((width.round() as i64).clamp(1, w as i64), (height.round() as i64).clamp(1, h as i64));
        let left = ((x as f64 / scale).round() as i64).clamp(0, w as i64 - width);
        let top = ((y as f64 / scale).round() as i64).clamp(0, h as i64 - height);
        (left, top, left + width, top + height)
    };
    if !ratios.is_empty() {
        return ratios
            .iter()
            .map(|&r| {
                let (cw, ch) = window(r, 1.0);
                let (_, x, y) = place(cw, ch);
                to_rect(x, y, r, 1.0)
            })
            .collect();
    }
    let mut best: Option<(f64, Rect)> = None;
    for r in [w as f64 / h as f64, 1.0, 4.0 / 3.0, 3.0 / 4.0, 16.0 / 9.0, 9.0 / 16.0] {
        for size in [1.0, 0.8, 0.6] {
            let (cw, ch) = window(r, size);
            let (e, x, y) = place(cw, ch);
            let area = (cw * ch) as f64 / (sw * sh) as f64;
            // Detail kept, less a price for area: tight windows around the content win.
            let score = e / total - 0.5 * area;
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, to_rect(x, y, r, size)));
            }
        }
    }
    best.map(|(_, r)| vec![r]).unwrap_or_default()
}

/// Summed-area table of the gradient magnitude, (w+1) x (h+1).
fn energy_integral(g: &GrayImage) -> Vec<f64> {
    let (w, h) = g.dimensions();
    let px = |x: u32, y: u32| g.get_pixel(x.min(w - 1), y.min(h - 1)).0[0] as f64;
    let mut t = vec![0.0; ((w + 1) * (h + 1)) as usize];
    for y in 0..h {
        let mut row = 0.0;
        for x in 0..w {
            let gx = px(x + 1, y) - px(x.saturating_sub(1), y);
            let gy = px(x, y + 1) - px(x, y.saturating_sub(1));
            row += (gx * gx + gy * gy).sqrt();
            t[((y + 1) * (w + 1) + x + 1) as usize] = t[(y * (w + 1) + x + 1) as usize] + row;
        }
    }
    t
}

/// A mini program code picture: a QR code of `width` px for `text`, dark modules in `color`,
/// on white (JPEG) or on a transparent background (PNG).
pub fn draw_code(text: &str, width: u32, color: [u8; 3], transparent: bool) -> Result<(&'static str, Vec<u8>), String> {
    let code = crate::codes::encode(crate::codes::Symbology::QrCode, text, width, width)?;
    let mut out = RgbaImage::new(code.width(), code.height());
    for (x, y, Luma([v])) in code.enumerate_pixels() {
        let dark = *v < 128;
        let px = match (dark, transparent) {
            (true, _) => Rgba([color[0], color[1], color[2], 255]),
            (false, true) => Rgba([255, 255, 255, 0]),
            (false, false) => Rgba([255, 255, 255, 255]),
        };
        out.put_pixel(x, y, px);
    }
    if transparent {
        Ok(("image/png", encode(&DynamicImage::ImageRgba8(out), ImageFormat::Png)?))
    } else {
        Ok(("image/jpeg", encode(&DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(out).to_rgb8()), ImageFormat::Jpeg)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_keep_their_ratio() {
        let mut canvas = GrayImage::from_pixel(900, 300, Luma([255]));
        for y in 25..275 {
            for x in 600..850 {
                if (x / 10 + y / 10) % 2 == 0 {
                    canvas.put_pixel(x, y, Luma([0]));
                }
            }
        }
        let img = DynamicImage::ImageLuma8(canvas);
        let r = ai_crop(&img, &[1.0, 0.5, 3.0]);
        let (l, t, rr, b) = r[0];
        assert_eq!((rr - l, b - t), (300, 300));
        assert!(l >= 550 && rr <= 900, "{r:?}");
        let (l, t, rr, b) = r[1];
        assert_eq!((rr - l, b - t), (150, 300));
        assert!(l >= 600 && rr <= 850, "{r:?}");
        assert_eq!(r[2].2 - r[2].0, 900);
    }
}
