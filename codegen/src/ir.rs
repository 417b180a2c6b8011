//! The intermediate representation: the spec validated, every reference resolved, every name in
//! every case. Targets read only this.

pub use crate::names::Names;
pub use crate::raw::Text;

#[derive(Debug, Clone)]
pub struct Api {
    pub vendors: Vec<Vendor>,
    /// Seed 002's `ocr.scan` (spec/scan.yaml): one call for every document kind.
    pub scan: Option<Scan>,
    /// WeChat's cloud-call shapes (`cloud_call:` in a spec/wechat/ file).
    pub cloud_call: Option<CloudCall>,
}

/// The shapes of wx-server-sdk's `cloud.openapi` calls that are not per endpoint: how a picture
/// goes in, how a binary reply comes out, and the token parameter's name inside CloudBase.
#[derive(Debug, Clone)]
pub struct CloudCall {
    pub file: String,
    pub source: Option<String>,
    pub image: CloudShape,
    pub binary: CloudShape,
    pub cloudbase_token_param: String,
}

/// An object of two keys: the MIME type's (`contentType`) and the bytes' (`value`, `buffer`).
#[derive(Debug, Clone)]
pub struct CloudShape {
    pub type_key: String,
    pub data_key: String,
    pub doc: Text,
}

/// `ocr.scan`: a picture and a document kind in, the kind's endpoint's result out.
#[derive(Debug, Clone)]
pub struct Scan {
    pub summary: Text,
    pub source: Option<String>,
    pub kinds: Vec<ScanKind>,
}

/// One document kind of `ocr.scan` and the endpoint that reads it.
#[derive(Debug, Clone)]
pub struct ScanKind {
    /// `original` is the kind as callers write it (`drivinglicense`); the other cases come from
    /// the spec's `variant` (`DrivingLicense`, `driving_license`, `drivingLicense`).
    pub names: Names,
    pub doc: Text,
    pub vendor: VendorKind,
    /// The endpoint's group and id (`ocr`, `driver_license`).
    pub group: Names,
    pub endpoint: Names,
    /// The endpoint's picture input and, when it has one, its photo/scan mode input (`type`).
    pub image: Names,
    pub mode: Option<Names>,
    /// The mode input's enum (`OcrMode`).
    pub mode_enum: Option<String>,
    /// The endpoint's result model.
    pub model: String,
}

impl Scan {
    /// Whether any kind is read by this vendor.
    pub fn uses(&self, v: VendorKind) -> bool {
        self.kinds.iter().any(|k| k.vendor == v)
    }
    /// The mode enum of the kinds that have one (the loader checked there is at most one).
    pub fn mode_enum(&self) -> Option<&str> {
        self.kinds.iter().find_map(|k| k.mode_enum.as_deref())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VendorKind {
    WeChat,
    TencentCloud,
}

impl VendorKind {
    pub fn key(self) -> &'static str {
        match self {
            VendorKind::WeChat => "wechat",
            VendorKind::TencentCloud => "tencentcloud",
        }
    }
    /// The client's name in every binding.
    pub fn client(self) -> &'static str {
        match self {
            VendorKind::WeChat => "WeChat",
            VendorKind::TencentCloud => "TencentCloud",
        }
    }
    /// How the vendor is named in prose.
    pub fn title(self) -> &'static str {
        match self {
            VendorKind::WeChat => "WeChat",
            VendorKind::TencentCloud => "Tencent Cloud",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Vendor {
    pub kind: VendorKind,
    pub groups: Vec<Group>,
    pub errors: Vec<ErrorCode>,
    /// `spec/<vendor>/errors.yaml`, relative to the repository root.
    pub errors_file: String,
}

impl Vendor {
    pub fn endpoints(&self) -> impl Iterator<Item = (&Group, &Endpoint)> {
        self.groups.iter().flat_map(|g| g.endpoints.iter().map(move |e| (g, e)))
    }
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.groups.iter().flat_map(|g| &g.models).find(|m| m.names.original == name)
    }
    pub fn find_endpoint(&self, group: &str, id: &str) -> Option<(&Group, &Endpoint)> {
        self.endpoints().find(|(g, e)| g.names.original == group && e.names.original == id)
    }
    /// The wire values of one of the vendor's enums.
    pub fn enum_values(&self, name: &str) -> Vec<String> {
        self.groups
            .iter()
            .flat_map(|g| &g.enums)
            .find(|e| e.names.original == name)
            .map(|e| e.values.iter().map(|v| v.names.original.clone()).collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    pub names: Names,
    /// The spec file, relative to the repository root (`spec/wechat/img.yaml`).
    pub file: String,
    pub summary: Text,
    pub source: Option<String>,
    pub host: String,
    /// Tencent Cloud: the TC3 signing service and the API version.
    pub service: Option<String>,
    pub version: Option<String>,
    pub enums: Vec<Enum>,
    pub models: Vec<Model>,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub names: Names,
    pub doc: Text,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    /// `wire` is `names.original`.
    pub names: Names,
    pub doc: Text,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub names: Names,
    pub doc: Text,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// `names.original` is the wire name.
    pub names: Names,
    /// The cloud-call (wx-server-sdk) name; WeChat only.
    pub cloud: Option<String>,
    pub ty: Type,
    pub required: bool,
    pub secret: bool,
    pub doc: Option<Text>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    String,
    Int,
    Float,
    Bool,
    Image,
    List(Box<Type>),
    Model(String),
    Enum(String),
}

impl Type {
    /// The Rust type of a value, with `image` for pictures (the core's `crate::Image`, the mobile
    /// crate's `crate::ImageInput`).
    pub fn rust(&self, image: &str) -> String {
        match self {
            Type::String => "String".into(),
            Type::Int => "i64".into(),
            Type::Float => "f64".into(),
            Type::Bool => "bool".into(),
            Type::Image => image.into(),
            Type::List(inner) => format!("Vec<{}>", inner.rust(image)),
            Type::Model(m) | Type::Enum(m) => m.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    AccessToken,
    None,
    Tc3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Active,
    Deprecated,
    Offline,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub kind: StatusKind,
    pub date: Option<String>,
    pub note: Option<Text>,
}

#[derive(Debug, Clone)]
pub struct CloudName {
    /// `img.scanQRCode`
    pub full: String,
    pub group: String,
    pub method: String,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub names: Names,
    pub cloud: Option<CloudName>,
    pub cloud_call: bool,
    pub aliases: Vec<String>,
    pub action: Option<String>,
    pub regions: Vec<String>,
    pub summary: Text,
    pub status: Status,
    pub unconfirmed: Vec<String>,
    pub method: String,
    pub host: String,
    pub path: String,
    pub auth: Auth,
    pub quota: Option<Text>,
    /// Safe to send again after a failure whose outcome is unknown (`retry:` in the spec, default true).
    pub retry: bool,
    pub inputs: Vec<Input>,
    pub output: Output,
    pub then_fetch: Option<ThenFetch>,
    pub errors: Vec<String>,
}

impl Endpoint {
    /// The name the vendor's docs use: `img.scanQRCode` or `QrcodeOCR`.
    pub fn vendor_name(&self) -> &str {
        match (&self.cloud, &self.action) {
            (Some(c), _) => &c.full,
            (None, Some(a)) => a,
            (None, None) => &self.names.original,
        }
    }

    /// Where the call goes, for every target's doc comment: `` `POST /path` · cloud call
    /// `openapi.img.scanQRCode` · action `QrcodeOCR`, version 2018-11-19 ``. `code` quotes an
    /// identifier the target's way (Markdown's backticks, reST's double backticks);
    /// `cloud_prefix` is what the target's callers write before the cloud name.
    pub fn wire_line(&self, g: &Group, code: fn(&str) -> String, cloud_prefix: &str) -> String {
        let mut line = code(&format!("{} {}", self.method, self.path));
        if let Some(c) = &self.cloud {
            line.push_str(&format!(" · cloud call {}", code(&format!("{cloud_prefix}{}", c.full))));
            if !self.cloud_call {
                line.push_str(" (not offered as a cloud call)");
            }
        }
        if let Some(a) = &self.action {
            line.push_str(&format!(" · action {}, version {}", code(a), g.version.as_deref().unwrap_or("")));
        }
        line
    }

    /// `img.superresolution is offline since 2024-01-01: <note>`, or `None` while active: every
    /// target's deprecation warning.
    pub fn status_text(&self) -> Option<String> {
        let what = match self.status.kind {
            StatusKind::Active => return None,
            StatusKind::Offline => "offline",
            StatusKind::Deprecated => "deprecated",
        };
        let mut n = format!("{} is {what}", self.vendor_name());
        if let Some(date) = &self.status.date {
            n.push_str(&format!(" since {date}"));
        }
        if let Some(t) = &self.status.note {
            n.push_str(&format!(": {}", t.en));
        }
        Some(n)
    }
}

/// Markdown's inline code.
pub fn md_code(s: &str) -> String {
    format!("`{s}`")
}

#[derive(Debug, Clone)]
pub enum Output {
    Model(String),
    Binary,
}

#[derive(Debug, Clone)]
pub struct ThenFetch {
    pub group: String,
    pub endpoint: String,
    /// (input id of the fetched endpoint, field wire name of this endpoint's output)
    pub bind: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Query,
    Multipart,
    Json,
}

#[derive(Debug, Clone)]
pub struct Wire {
    pub name: String,
    pub location: Location,
    pub cloud: Option<String>,
    pub base64: bool,
}

#[derive(Debug, Clone)]
pub enum InputKind {
    Image { url: Wire, data: Wire },
    Value { ty: Type, wire: Wire, comma: bool },
    Const { value: String, wire: Wire },
}

#[derive(Debug, Clone)]
pub struct Input {
    pub names: Names,
    pub kind: InputKind,
    pub required: bool,
    pub secret: bool,
    pub default: Option<String>,
    pub limits: Limits,
    /// The vendor's reply when this input is at fault: (fault kind, error code), in spec order.
    pub invalid: Vec<(String, String)>,
    pub doc: Option<Text>,
}

/// Kinds of input fault an `invalid:` map may name (the emulator reports one of these).
pub const FAULT_KINDS: &[&str] = &["missing", "length", "charset", "prefix", "chars", "json", "range", "items", "type", "url", "empty", "size", "pixels", "format", "default"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    pub max_bytes: Option<u64>,
    pub max_base64_bytes: Option<u64>,
    pub min_chars: Option<u64>,
    pub max_chars: Option<u64>,
    /// As written (`0-9A-Za-z!#-`), and expanded into the allowed characters.
    pub charset: Option<(String, String)>,
    pub forbid_prefix: Option<String>,
    pub forbid_chars: Option<String>,
    /// The string must hold a JSON object (Tencent OCR's `Config`).
    pub json_object: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub max_items: Option<u64>,
    pub formats: Vec<String>,
}

impl Limits {
    pub fn is_empty(&self) -> bool {
        *self == Limits::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Token,
    Auth,
    RateLimit,
    Quota,
    System,
    Input,
    NotFound,
    Unavailable,
}

impl Category {
    pub const ALL: [(&'static str, Category); 8] = [
        ("token", Category::Token),
        ("auth", Category::Auth),
        ("rate_limit", Category::RateLimit),
        ("quota", Category::Quota),
        ("system", Category::System),
        ("input", Category::Input),
        ("not_found", Category::NotFound),
        ("unavailable", Category::Unavailable),
    ];
    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, c)| *c == self).map(|(k, _)| *k).unwrap_or("system")
    }
    /// The exception class every binding raises for the category (its base for named codes).
    pub fn error_class(self) -> &'static str {
        match self {
            Category::Token => "TokenError",
            Category::Auth => "AuthenticationError",
            Category::RateLimit => "RateLimitError",
            Category::Quota => "QuotaExceededError",
            Category::System => "ServiceError",
            Category::Input => "BadRequestError",
            Category::NotFound => "NotFoundError",
            Category::Unavailable => "UnavailableError",
        }
    }
}

/// One `exception:` name of the spec and the codes (of either vendor) that raise it.
#[derive(Debug, Clone)]
pub struct NamedException {
    pub name: String,
    pub category: Category,
    /// (vendor, code, English meaning), in spec order.
    pub codes: Vec<(VendorKind, String, String)>,
}

impl Api {
    /// Every `exception:` name, by name (the loader checked that one name has one category).
    pub fn named_exceptions(&self) -> Vec<NamedException> {
        let mut named: std::collections::BTreeMap<&str, NamedException> = std::collections::BTreeMap::new();
        for v in &self.vendors {
            for e in &v.errors {
                if let Some(x) = &e.exception {
                    named
                        .entry(x)
                        .or_insert_with(|| NamedException { name: x.clone(), category: e.category, codes: Vec::new() })
                        .codes
                        .push((v.kind, e.code.clone(), e.text.en.clone()));
                }
            }
        }
        named.into_values().collect()
    }
}

#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: String,
    pub errmsg: Option<String>,
    pub category: Category,
    pub global: bool,
    /// The exception name (PascalCase, without the `Error` suffix) bindings raise for this code.
    pub exception: Option<String>,
    pub text: Text,
}
