//! Pictures going in (bytes, a file, or a URL the vendor fetches) and coming out (bytes with a
//! content type).

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;

/// A picture to send. `From` impls make every endpoint take `Vec<u8>`, `Bytes`, `&[u8]`,
/// a `PathBuf`/`&Path`, or `Image::url(..)`.
#[derive(Clone, PartialEq, Eq)]
pub enum Image {
    /// Bytes in memory. The content type is sniffed from the magic bytes when not given.
    Bytes { data: Bytes, content_type: Option<String>, filename: Option<String> },
    /// A file read when the call is made.
    Path(PathBuf),
    /// A URL the vendor downloads itself (`img_url`, `ImageUrl`).
    Url(String),
}

impl Image {
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Image::Bytes { data: data.into(), content_type: None, filename: None }
    }
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Image::Path(path.into())
    }
    pub fn url(url: impl Into<String>) -> Self {
        Image::Url(url.into())
    }
    /// Sets the content type sent with the bytes (otherwise sniffed).
    pub fn with_content_type(self, ct: impl Into<String>) -> Self {
        match self {
            Image::Bytes { data, filename, .. } => Image::Bytes { data, content_type: Some(ct.into()), filename },
            other => other,
        }
    }
    /// Sets the multipart filename sent with the bytes.
    pub fn with_filename(self, name: impl Into<String>) -> Self {
        match self {
            Image::Bytes { data, content_type, .. } => Image::Bytes { data, content_type, filename: Some(name.into()) },
            other => other,
        }
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Image::Bytes { data, content_type, filename } => f
                .debug_struct("Image::Bytes")
                .field("len", &data.len())
                .field("content_type", content_type)
                .field("filename", filename)
                .finish(),
            Image::Path(p) => f.debug_tuple("Image::Path").field(p).finish(),
            // A URL may carry a signed query; print only scheme, host and path.
            Image::Url(u) => f.debug_tuple("Image::Url").field(&crate::transport::redact_url(u)).finish(),
        }
    }
}

impl From<Vec<u8>> for Image {
    fn from(v: Vec<u8>) -> Self {
        Image::bytes(v)
    }
}
impl From<Bytes> for Image {
    fn from(v: Bytes) -> Self {
        Image::bytes(v)
    }
}
impl From<&[u8]> for Image {
    fn from(v: &[u8]) -> Self {
        Image::bytes(Bytes::copy_from_slice(v))
    }
}
impl From<PathBuf> for Image {
    fn from(p: PathBuf) -> Self {
        Image::Path(p)
    }
}
impl From<&std::path::Path> for Image {
    fn from(p: &std::path::Path) -> Self {
        Image::Path(p.to_path_buf())
    }
}

/// A picture the vendor sent back (wxacode, media).
#[derive(Clone, PartialEq, Eq)]
pub struct BinaryImage {
    pub content_type: String,
    pub data: Bytes,
}

impl fmt::Debug for BinaryImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BinaryImage").field("content_type", &self.content_type).field("len", &self.data.len()).finish()
    }
}

/// Picture formats recognised by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Bmp,
    Webp,
    Pdf,
}

impl Format {
    pub fn sniff(b: &[u8]) -> Option<Format> {
        if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if b.starts_with(b"BM") && b.len() > 14 {
            Some(Format::Bmp)
        } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else if b.starts_with(b"%PDF-") {
            Some(Format::Pdf)
        } else {
            None
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Bmp => "image/bmp",
            Format::Webp => "image/webp",
            Format::Pdf => "application/pdf",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::Webp => "webp",
            Format::Pdf => "pdf",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            other => other.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(Format::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(Format::sniff(b"GIF89a"), Some(Format::Gif));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::sniff(b"{\"errcode\":1}"), None);
        assert_eq!(Format::sniff(b""), None);
    }

    #[test]
    fn debug_hides_url_query_and_bytes() {
        let d = format!("{:?}", Image::url("https://h.example/a.jpg?sig=SECRET"));
        assert!(!d.contains("SECRET"), "{d}");
        let d = format!("{:?}", Image::bytes(vec![1u8; 10]));
        assert!(d.contains("len: 10"), "{d}");
    }
}
