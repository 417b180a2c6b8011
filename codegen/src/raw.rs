//! The spec as written: serde structs over marked-yaml nodes, every value that a later check may
//! reject kept `Spanned` so the error can name its line.

use indexmap::IndexMap;
use marked_yaml::Spanned;
use serde::Deserialize;

pub type S = Spanned<String>;
pub type Map<T> = IndexMap<S, T>;

#[derive(Debug, Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    /// The doc comment lines every target prints: English, a blank line, Chinese (when given).
    pub fn lines(&self) -> Vec<String> {
        let mut v = vec![self.en.clone()];
        if !self.zh.is_empty() {
            v.push(String::new());
            v.push(self.zh.clone());
        }
        v
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    pub vendor: S,
    pub group: S,
    pub summary: Text,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub host: Option<S>,
    #[serde(default)]
    pub service: Option<S>,
    #[serde(default)]
    pub version: Option<S>,
    #[serde(default)]
    pub enums: Map<RawEnum>,
    #[serde(default)]
    pub models: Map<RawModel>,
    #[serde(default)]
    pub endpoints: Map<RawEndpoint>,
    /// WeChat only, in one file: the cloud-call (wx-server-sdk) shapes every endpoint shares.
    #[serde(default)]
    pub cloud_call: Option<RawCloudCall>,
}

/// The shapes of wx-server-sdk's `cloud.openapi` calls that are not per endpoint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCloudCall {
    #[serde(default)]
    pub source: Option<String>,
    /// A picture input: `{contentType, value}`.
    pub image: RawCloudShape,
    /// A binary reply: `{contentType, buffer}`.
    pub binary: RawCloudShape,
    /// The token parameter's name inside CloudBase (`cloudbase_access_token`).
    pub cloudbase_token_param: S,
}

/// An object of two keys: the MIME type's and the bytes'.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCloudShape {
    pub type_key: S,
    pub data_key: S,
    pub doc: Text,
}

/// spec/scan.yaml: seed 002's `ocr.scan` over endpoints of the vendor files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanFile {
    pub summary: Text,
    #[serde(default)]
    pub source: Option<String>,
    pub kinds: Map<RawScanKind>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScanKind {
    /// The kind's name in every binding's enum and tagged result (PascalCase).
    pub variant: S,
    /// `vendor.group.id` of an endpoint in the spec.
    pub endpoint: S,
    pub doc: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsFile {
    pub vendor: S,
    pub errors: Map<RawError>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawError {
    #[serde(default)]
    pub errmsg: Option<String>,
    pub category: S,
    #[serde(default)]
    pub global: bool,
    /// The exception every binding raises for this code (`CertificateNotFound` ->
    /// `CertificateNotFoundError`); codes of either vendor may share one.
    #[serde(default)]
    pub exception: Option<S>,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    pub doc: Text,
    pub values: Map<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub doc: Text,
    pub fields: Map<RawField>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    #[serde(rename = "type")]
    pub ty: S,
    #[serde(default)]
    pub cloud: Option<S>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub doc: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    #[serde(default)]
    pub cloud: Option<S>,
    #[serde(default = "yes")]
    pub cloud_call: bool,
    #[serde(default)]
    pub aliases: Vec<S>,
    #[serde(default)]
    pub action: Option<S>,
    #[serde(default)]
    pub regions: Vec<S>,
    pub summary: Text,
    pub status: S,
    #[serde(default)]
    pub status_date: Option<S>,
    #[serde(default)]
    pub status_note: Option<Text>,
    #[serde(default)]
    pub unconfirmed: Vec<S>,
    pub method: S,
    pub path: S,
    pub auth: S,
    #[serde(default)]
    pub quota: Option<Text>,
    /// `false` when a repeated call has a cost (it consumes a count-limited quota): the client then
    /// never retries it after a failure it cannot see the outcome of.
    #[serde(default = "yes")]
    pub retry: bool,
    #[serde(default)]
    pub inputs: Map<RawInput>,
    pub output: RawOutput,
    #[serde(default)]
    pub then_fetch: Option<RawThenFetch>,
    #[serde(default)]
    pub errors: Vec<S>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInput {
    #[serde(default, rename = "type")]
    pub ty: Option<S>,
    #[serde(default)]
    pub r#const: Option<S>,
    #[serde(default, rename = "in")]
    pub location: Option<S>,
    #[serde(default)]
    pub wire: Option<S>,
    #[serde(default)]
    pub cloud: Option<S>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub default: Option<S>,
    #[serde(default)]
    pub style: Option<S>,
    #[serde(default)]
    pub url: Option<RawWire>,
    #[serde(default)]
    pub data: Option<RawWire>,
    #[serde(default)]
    pub limits: Option<Spanned<RawLimits>>,
    /// The code the vendor answers when this input breaks a limit, per kind of fault.
    #[serde(default)]
    pub invalid: Map<S>,
    #[serde(default)]
    pub doc: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWire {
    pub wire: S,
    #[serde(rename = "in")]
    pub location: S,
    #[serde(default)]
    pub cloud: Option<S>,
    #[serde(default)]
    pub encoding: Option<S>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub max_bytes: Option<u64>,
    pub max_base64_bytes: Option<u64>,
    pub min_chars: Option<u64>,
    pub max_chars: Option<u64>,
    pub charset: Option<String>,
    pub forbid_prefix: Option<String>,
    pub forbid_chars: Option<String>,
    #[serde(default)]
    pub json_object: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub max_items: Option<u64>,
    pub formats: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    #[serde(default)]
    pub model: Option<S>,
    #[serde(default)]
    pub binary: Option<S>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThenFetch {
    pub endpoint: S,
    pub bind: Map<S>,
}
