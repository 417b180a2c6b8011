//! The runtime the generated code calls: endpoint descriptors, limit checks and the wire request
//! builder. Generated code holds data (descriptors, limits); behaviour lives here.

use base64::Engine as _;
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorInfo, Result, Vendor};
use crate::image::{Format, Image};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    AccessToken,
    None,
    Tc3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Deprecated,
    Offline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Json,
    Binary,
}

/// Everything the spec says about one endpoint that the runtime needs at call time.
#[derive(Debug)]
pub struct EndpointInfo {
    pub vendor: Vendor,
    pub group: &'static str,
    pub id: &'static str,
    /// The vendor's name: `img.scanQRCode` (WeChat cloud-call name) or `QrcodeOCR` (Tencent action).
    pub name: &'static str,
    pub method: Method,
    pub host: &'static str,
    pub path: &'static str,
    pub auth: AuthKind,
    pub output: OutputKind,
    /// Some input travels in a JSON body (sent as `{}` even when every such input is absent).
    pub json_body: bool,
    /// Tencent Cloud: action, version, signing service, regions the action is offered in.
    pub action: Option<&'static str>,
    pub version: Option<&'static str>,
    pub service: Option<&'static str>,
    pub regions: &'static [&'static str],
    pub status: Status,
    pub status_date: Option<&'static str>,
    pub status_note: Option<&'static str>,
    /// Codes this endpoint documents (global codes apply too).
    pub errors: &'static [&'static str],
    /// The vendor's whole error table.
    pub error_table: &'static [ErrorInfo],
    /// Safe to send again after a failure whose outcome is unknown (`retry:` in the spec).
    pub retry_safe: bool,
    /// The spec's one-line summary (English, Chinese).
    pub summary: &'static str,
    pub summary_zh: &'static str,
    /// Every input: where it travels, its type, limits and the vendor's reply when it is at fault.
    pub inputs: &'static [InputInfo],
}

/// The type of a value input, as the wire carries it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueType {
    String,
    Int,
    Float,
    Bool,
    /// The enum's wire values.
    Enum(&'static [&'static str]),
    /// A structured value (JSON object).
    Model,
    List(&'static ValueType),
}

/// How one input travels.
#[derive(Debug, Clone, Copy)]
pub enum InputKind {
    Image(ImageWire),
    Value { loc: Loc, wire: &'static str, cloud: Option<&'static str>, ty: ValueType, comma: bool },
    Const { loc: Loc, wire: &'static str, value: &'static str },
}

/// Everything the spec says about one input.
#[derive(Debug)]
pub struct InputInfo {
    /// The snake_case id (the Rust/Python argument name).
    pub name: &'static str,
    pub kind: InputKind,
    pub required: bool,
    pub secret: bool,
    pub default: Option<&'static str>,
    pub limits: Limits,
    /// (fault kind, vendor code) pairs: the vendor's reply when this input breaks a limit.
    pub invalid: &'static [(&'static str, &'static str)],
    pub doc: Option<&'static str>,
}

impl InputInfo {
    /// The code the spec gives for a fault of this kind (`length`, `charset`, ...), else its `default`.
    pub fn invalid_code(&self, fault: &str) -> Option<&'static str> {
        let find = |k: &str| self.invalid.iter().find(|(f, _)| *f == k).map(|(_, c)| *c);
        find(fault).or_else(|| find("default"))
    }
}

impl EndpointInfo {
    /// The input with this snake id.
    pub fn input(&self, name: &str) -> Option<&'static InputInfo> {
        self.inputs.iter().find(|i| i.name == name)
    }
    /// The spec's entry for a code, if the vendor's table has it.
    pub fn error_info(&self, code: &str) -> Option<&'static ErrorInfo> {
        self.error_table.iter().find(|e| e.code == code)
    }
    /// What the caller should know when the endpoint is not active.
    pub fn status_text(&self) -> Option<&'static str> {
        match self.status {
            Status::Active => None,
            _ => self.status_note,
        }
    }
}

/// Where an input travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    Query,
    Multipart,
    Json,
}

/// Documented limits of one input. Generated code writes these as constants.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: Option<u64>,
    pub max_base64_bytes: Option<u64>,
    pub min_chars: Option<u64>,
    pub max_chars: Option<u64>,
    /// (as written in the spec, expanded set of allowed characters)
    pub charset: Option<(&'static str, &'static str)>,
    pub forbid_prefix: Option<&'static str>,
    pub forbid_chars: Option<&'static str>,
    /// The string must hold a JSON object (Tencent OCR's `Config`).
    pub json_object: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub max_items: Option<u64>,
    pub formats: &'static [Format],
}

impl Limits {
    pub const NONE: Limits = Limits {
        max_bytes: None,
        max_base64_bytes: None,
        min_chars: None,
        max_chars: None,
        charset: None,
        forbid_prefix: None,
        forbid_chars: None,
        json_object: false,
        min: None,
        max: None,
        max_items: None,
        formats: &[],
    };
}

/// A broken limit: the kind of fault (a key of the spec's `invalid:` maps: `length`, `charset`,
/// `prefix`, `chars`, `json`, `range`, `items`, `empty`, `size`, `format`) and what is wrong. The client
/// turns it into [`Error::InvalidInput`]; the emulator into the vendor code the spec gives.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitFault {
    pub kind: &'static str,
    pub message: String,
}

fn fault<T>(kind: &'static str, message: String) -> std::result::Result<T, LimitFault> {
    Err(LimitFault { kind, message })
}

impl Limits {
    /// A string's byte and character counts, character set, prefix and forbidden characters.
    pub fn check_str(&self, s: &str) -> std::result::Result<(), LimitFault> {
        let bytes = s.len() as u64;
        if let Some(max) = self.max_bytes {
            if bytes > max {
                return fault("length", format!("{bytes} bytes long; the limit is {max} bytes"));
            }
        }
        let chars = s.chars().count() as u64;
        if let Some(min) = self.min_chars {
            if chars < min {
                let what = if min == 1 { "must not be empty".to_string() } else { format!("{chars} characters; at least {min} required") };
                return fault("length", what);
            }
        }
        if let Some(max) = self.max_chars {
            if chars > max {
                return fault("length", format!("{chars} characters long; the limit is {max} characters"));
            }
        }
        if let Some((written, set)) = self.charset {
            if let Some(bad) = s.chars().find(|c| !set.contains(*c)) {
                return fault("charset", format!("character {bad:?} is not allowed (allowed: {written})"));
            }
        }
        if let Some(p) = self.forbid_prefix {
            if s.starts_with(p) {
                return fault("prefix", format!("must not start with {p:?}"));
            }
        }
        if let Some(fc) = self.forbid_chars {
            if let Some(bad) = s.chars().find(|c| fc.contains(*c)) {
                return fault("chars", format!("must not contain {bad:?}"));
            }
        }
        if self.json_object && !matches!(serde_json::from_str::<serde_json::Value>(s), Ok(serde_json::Value::Object(_))) {
            return fault("json", "must be a JSON object in a string, such as {\"RetImageType\":\"PROPROCESS\"}".into());
        }
        Ok(())
    }

    /// A number's range.
    pub fn check_number(&self, v: f64) -> std::result::Result<(), LimitFault> {
        if !v.is_finite() {
            return fault("range", format!("{v} is not a finite number"));
        }
        match (self.min, self.max) {
            (Some(min), Some(max)) if v < min || v > max => fault("range", format!("{v} is out of range {min}..={max}")),
            (Some(min), None) if v < min => fault("range", format!("{v} is below the minimum {min}")),
            (None, Some(max)) if v > max => fault("range", format!("{v} is above the maximum {max}")),
            _ => Ok(()),
        }
    }

    /// A list's length.
    pub fn check_items(&self, n: usize) -> std::result::Result<(), LimitFault> {
        match self.max_items {
            Some(max) if n as u64 > max => fault("items", format!("{n} items; at most {max} allowed")),
            _ => Ok(()),
        }
    }

    /// Picture bytes: not empty, under the size limit, and a picture in an accepted format.
    pub fn check_image(&self, data: &[u8]) -> std::result::Result<Format, LimitFault> {
        if data.is_empty() {
            return fault("empty", "the image is empty".into());
        }
        if let Some(max) = self.max_bytes {
            if data.len() as u64 > max {
                return fault("size", too_big(data.len() as u64, max));
            }
        }
        let Some(format) = Format::sniff(data) else {
            return fault("format", "the bytes are not a picture (no JPEG/PNG/GIF/BMP/WebP/PDF signature)".into());
        };
        if !self.formats.is_empty() && !self.formats.contains(&format) {
            let allowed: Vec<&str> = self.formats.iter().map(|f| f.name()).collect();
            return fault("format", format!("{} is not accepted here (accepted: {})", format.name(), allowed.join(", ")));
        }
        Ok(format)
    }
}

/// Values that documented limits can be checked on.
pub trait Check {
    fn check(&self, ep: &EndpointInfo, field: &str, l: &Limits) -> Result<()>;
}

fn invalid(ep: &EndpointInfo, field: &str) -> impl FnOnce(LimitFault) -> Error {
    move |f| Error::invalid(ep, field, f.message)
}

impl Check for String {
    fn check(&self, ep: &EndpointInfo, field: &str, l: &Limits) -> Result<()> {
        l.check_str(self).map_err(invalid(ep, field))
    }
}

impl Check for i64 {
    fn check(&self, ep: &EndpointInfo, field: &str, l: &Limits) -> Result<()> {
        l.check_number(*self as f64).map_err(invalid(ep, field))
    }
}

impl Check for f64 {
    fn check(&self, ep: &EndpointInfo, field: &str, l: &Limits) -> Result<()> {
        l.check_number(*self).map_err(invalid(ep, field))
    }
}

impl<T: Check> Check for Vec<T> {
    fn check(&self, ep: &EndpointInfo, field: &str, l: &Limits) -> Result<()> {
        l.check_items(self.len()).map_err(invalid(ep, field))?;
        for (i, item) in self.iter().enumerate() {
            item.check(ep, &format!("{field}[{i}]"), l)?;
        }
        Ok(())
    }
}

/// Where the two forms of an image input travel.
#[derive(Debug, Clone, Copy)]
pub struct ImageWire {
    pub url: (Loc, &'static str),
    pub data: (Loc, &'static str),
    pub base64: bool,
}

/// One multipart field.
#[derive(Debug, Clone)]
pub enum Part {
    Text { name: &'static str, value: String },
    File { name: &'static str, filename: String, content_type: String, data: Bytes },
}

/// A request ready to send: the endpoint and its inputs placed where the spec says.
/// Cheap to clone (image bytes are shared), so a retry rebuilds the HTTP request from it.
#[derive(Debug, Clone)]
pub struct WireRequest {
    pub endpoint: &'static EndpointInfo,
    pub query: Vec<(&'static str, String)>,
    pub json: serde_json::Map<String, Value>,
    pub parts: Vec<Part>,
}

impl WireRequest {
    pub fn new(endpoint: &'static EndpointInfo) -> Self {
        WireRequest { endpoint, query: Vec::new(), json: serde_json::Map::new(), parts: Vec::new() }
    }

    /// Places a value; `comma` joins a list with `,` (form and query lists).
    pub fn value<T: Serialize + ?Sized>(&mut self, loc: Loc, name: &'static str, v: &T, comma: bool) -> Result<()> {
        let value = serde_json::to_value(v).map_err(|e| Error::invalid(self.endpoint, name, e.to_string()))?;
        if loc == Loc::Json {
            self.json.insert(name.to_string(), value);
            return Ok(());
        }
        let text = match (&value, comma) {
            (Value::Array(items), true) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
            (v, _) => scalar_text(v),
        };
        self.text(loc, name, text);
        Ok(())
    }

    fn text(&mut self, loc: Loc, name: &'static str, value: String) {
        match loc {
            Loc::Query => self.query.push((name, value)),
            Loc::Multipart => self.parts.push(Part::Text { name, value }),
            Loc::Json => {
                self.json.insert(name.to_string(), Value::String(value));
            }
        }
    }

    /// Places an image input: a URL where the spec sends URLs, bytes (read from the file when
    /// needed) where it sends data, after checking the documented limits.
    pub async fn image(&mut self, field: &'static str, image: Image, wire: &ImageWire, l: &Limits) -> Result<()> {
        let ep = self.endpoint;
        let (data, content_type, filename) = match image {
            Image::Url(u) => {
                let parsed = reqwest::Url::parse(&u).map_err(|e| Error::invalid(ep, field, format!("not a valid URL: {e}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(Error::invalid(ep, field, "the URL must be http or https"));
                }
                self.text(wire.url.0, wire.url.1, u);
                return Ok(());
            }
            Image::Bytes { data, content_type, filename } => (data, content_type, filename),
            Image::Path(p) => {
                let meta = tokio::fs::metadata(&p).await.map_err(|e| Error::invalid(ep, field, format!("cannot read {}: {e}", p.display())))?;
                // Refuse before reading a huge file into memory.
                if let Some(max) = l.max_bytes {
                    if meta.len() > max {
                        return Err(Error::invalid(ep, field, too_big(meta.len(), max)));
                    }
                }
                let data = tokio::fs::read(&p).await.map_err(|e| Error::invalid(ep, field, format!("cannot read {}: {e}", p.display())))?;
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                (Bytes::from(data), None, name)
            }
        };
        let format = check_image(ep, field, &data, l)?;
        if wire.base64 {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
            if let Some(max) = l.max_base64_bytes {
                if encoded.len() as u64 > max {
                    return Err(Error::invalid(ep, field, format!(
                        "{} bytes after base64 encoding ({} raw); the limit is {max} bytes after encoding",
                        encoded.len(), data.len()
                    )));
                }
            }
            self.text(wire.data.0, wire.data.1, encoded);
        } else {
            let content_type = content_type.unwrap_or_else(|| format.mime().to_string());
            let filename = filename.unwrap_or_else(|| format!("image.{}", format.extension()));
            match wire.data.0 {
                Loc::Multipart => self.parts.push(Part::File { name: wire.data.1, filename, content_type, data }),
                // The loader rejects raw bytes outside multipart; keep the branch total anyway.
                loc => return Err(Error::invalid(ep, field, format!("cannot send raw bytes in {loc:?}"))),
            }
        }
        Ok(())
    }
}

fn too_big(len: u64, max: u64) -> String {
    format!("the image is {len} bytes; the limit is {max} bytes ({})", human(max + 1))
}

fn human(n: u64) -> String {
    if n % (1024 * 1024) == 0 {
        format!("under {} MB", n / (1024 * 1024))
    } else {
        format!("{n} bytes")
    }
}

/// Empty, oversize and non-image bytes never reach the network.
pub fn check_image(ep: &EndpointInfo, field: &str, data: &[u8], l: &Limits) -> Result<Format> {
    l.check_image(data).map_err(invalid(ep, field))
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Arguments of a call made by name ([`crate::wechat::WeChat::call_dynamic`],
/// [`crate::tencentcloud::TencentCloud::call_dynamic`]): values as JSON, pictures as [`Image`]s,
/// keyed by the input's snake_case name. The bindings (Python, Node, mobile) pass their caller's
/// arguments this way; the generated dispatcher turns them into the typed request, so every check
/// of the typed call applies unchanged.
#[derive(Debug, Clone, Default)]
pub struct DynArgs {
    values: serde_json::Map<String, Value>,
    images: Vec<(String, Image)>,
}

impl DynArgs {
    pub fn new() -> Self {
        Self::default()
    }
    /// Values from a JSON object; `null` means absent.
    pub fn from_values(values: serde_json::Map<String, Value>) -> Self {
        DynArgs { values, images: Vec::new() }
    }
    pub fn value(mut self, name: impl Into<String>, v: impl Into<Value>) -> Self {
        self.values.insert(name.into(), v.into());
        self
    }
    pub fn image(mut self, name: impl Into<String>, image: impl Into<Image>) -> Self {
        self.images.push((name.into(), image.into()));
        self
    }
    pub fn insert_value(&mut self, name: impl Into<String>, v: Value) {
        self.values.insert(name.into(), v);
    }
    pub fn insert_image(&mut self, name: impl Into<String>, image: Image) {
        self.images.push((name.into(), image));
    }

    /// An optional value, converted to the input's Rust type.
    pub fn take<T: serde::de::DeserializeOwned>(&mut self, ep: &EndpointInfo, field: &str) -> Result<Option<T>> {
        if self.images.iter().any(|(n, _)| n == field) {
            return Err(Error::invalid(ep, field, "takes a value, not a picture"));
        }
        match self.values.remove(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v).map(Some).map_err(|e| Error::invalid(ep, field, type_message(&e))),
        }
    }
    /// A required value.
    pub fn required<T: serde::de::DeserializeOwned>(&mut self, ep: &EndpointInfo, field: &str) -> Result<T> {
        self.take(ep, field)?.ok_or_else(|| Error::invalid(ep, field, "is required"))
    }
    /// An optional picture.
    pub fn take_image(&mut self, ep: &EndpointInfo, field: &str) -> Result<Option<Image>> {
        if matches!(self.values.get(field), Some(v) if !v.is_null()) {
            return Err(Error::invalid(ep, field, "takes a picture (bytes, a file or a URL)"));
        }
        self.values.remove(field);
        let mut found = None;
        let mut i = 0;
        while i < self.images.len() {
            if self.images[i].0 == field {
                if found.is_some() {
                    return Err(Error::invalid(ep, field, "given more than once"));
                }
                found = Some(self.images.remove(i).1);
            } else {
                i += 1;
            }
        }
        Ok(found)
    }
    /// A required picture.
    pub fn required_image(&mut self, ep: &EndpointInfo, field: &str) -> Result<Image> {
        self.take_image(ep, field)?.ok_or_else(|| Error::invalid(ep, field, "is required"))
    }
    /// Every argument left over is one this endpoint does not take.
    pub fn finish(self, ep: &EndpointInfo) -> Result<()> {
        let extra = self.values.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.as_str()).chain(self.images.iter().map(|(n, _)| n.as_str())).next();
        match extra {
            None => Ok(()),
            Some(name) => {
                let takes: Vec<&str> = ep.inputs.iter().filter(|i| !matches!(i.kind, InputKind::Const { .. })).map(|i| i.name).collect();
                Err(Error::invalid(ep, name, format!("is not an input of {}; it takes: {}", ep.name, takes.join(", "))))
            }
        }
    }
}

/// serde's message, without the line/column of a document the caller never wrote.
fn type_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The reply of a call made by name: the reply as the vendor's JSON (snake_case keys for WeChat,
/// PascalCase for Tencent Cloud, only the fields the spec describes), or a picture.
#[derive(Debug, Clone, PartialEq)]
pub enum DynReply {
    Json(Value),
    Binary(crate::BinaryImage),
}

impl DynReply {
    pub fn json<T: Serialize>(ep: &EndpointInfo, v: &T) -> Result<DynReply> {
        serde_json::to_value(v).map(DynReply::Json).map_err(|e| Error::decode(ep, 200, e.to_string()))
    }
}

/// A name `call_dynamic` does not know.
pub fn unknown_endpoint(vendor: Vendor, name: &str, known: &[&EndpointInfo]) -> Error {
    let names: Vec<String> = known.iter().map(|e| format!("{}.{}", e.group, e.id)).collect();
    Error::Config(format!("{vendor} has no endpoint named {name:?}; known: {}", names.join(", ")))
}

/// A vendor's envelope keys in a reply object (WeChat's `errcode`, Tencent Cloud's `Error`).
pub(crate) trait EnvelopeKeys {
    /// Reads `key`'s value if it is an envelope key: `Some(ok)`, `ok` false when it reports an
    /// error; `None` for the result's own keys (the value is left for the result).
    fn aside<'de, A: serde::de::MapAccess<'de>>(key: &str, map: &mut A) -> std::result::Result<Option<bool>, A::Error>;
}

/// A reply object read as `T` in one pass, with the envelope's keys read aside on the way: `ok`
/// unless one of them reported an error (then the caller reads the reply again the slow way).
pub(crate) struct Checked<T, E> {
    pub value: T,
    pub ok: bool,
    envelope: std::marker::PhantomData<E>,
}

impl<'de, T: serde::Deserialize<'de>, E: EnvelopeKeys> serde::Deserialize<'de> for Checked<T, E> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<T, E>(std::marker::PhantomData<(T, E)>);
        impl<'de, T: serde::Deserialize<'de>, E: EnvelopeKeys> serde::de::Visitor<'de> for V<T, E> {
            type Value = Checked<T, E>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> std::result::Result<Checked<T, E>, A::Error> {
                let mut ok = true;
                let value = T::deserialize(serde::de::value::MapAccessDeserializer::new(Aside::<A, E> { map, ok: &mut ok, envelope: std::marker::PhantomData }))?;
                Ok(Checked { value, ok, envelope: std::marker::PhantomData })
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The reply's map as the result sees it: the envelope's keys taken out.
struct Aside<'a, A, E> {
    map: A,
    ok: &'a mut bool,
    envelope: std::marker::PhantomData<E>,
}

impl<'de, A: serde::de::MapAccess<'de>, E: EnvelopeKeys> serde::de::MapAccess<'de> for Aside<'_, A, E> {
    type Error = A::Error;
    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(&mut self, seed: K) -> std::result::Result<Option<K::Value>, A::Error> {
        loop {
            let Some(Key(key)) = self.map.next_key::<Key<'de>>()? else { return Ok(None) };
            match E::aside(&key, &mut self.map)? {
                Some(ok) => *self.ok &= ok,
                None => return seed.deserialize(serde::de::value::CowStrDeserializer::new(key)).map(Some),
            }
        }
    }
    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(&mut self, seed: V) -> std::result::Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A map key, borrowed from the reply when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}
