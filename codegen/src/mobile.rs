//! The mobile target: the uniffi surface of `wxcv_mobile` (Kotlin and Swift come from it through
//! uniffi's bindgen). Per vendor: one uniffi Record per reply model (serde names are the wire
//! names, so the core's JSON reply deserializes straight into it), one uniffi Enum per input enum,
//! one Object per endpoint group with an async method per endpoint, and the client Object.
//! Names are unique across vendors in one uniffi namespace: group objects carry the vendor's
//! prefix, and a model name used by both vendors is a generation error.

use std::collections::BTreeMap;

use askama::Template;

use crate::GeneratedFile;
use crate::ir::*;
use crate::names::rust_ident;

pub const OUT_DIR: &str = "bindings/mobile/src/generated";

pub(crate) fn header(source: &str) -> String {
    crate::generated_header("//", source)
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

struct Ctx<'a> {
    vendor: &'a Vendor,
}

impl Ctx<'_> {
    fn ty(&self, t: &Type) -> String {
        t.rust("crate::ImageInput")
    }
    fn prefix(&self) -> &'static str {
        match self.vendor.kind {
            VendorKind::WeChat => "WeChat",
            VendorKind::TencentCloud => "TencentCloud",
        }
    }
}

pub struct MField {
    pub ident: String,
    pub ty: String,
    pub attrs: Vec<String>,
    pub doc: Vec<String>,
}

pub struct MModel {
    pub name: String,
    pub doc: Vec<String>,
    pub fields: Vec<MField>,
}

pub struct MEnum {
    pub name: String,
    pub doc: Vec<String>,
    /// (variant, wire, doc)
    pub values: Vec<(String, String, String)>,
}

pub struct MMethod {
    pub ident: String,
    pub doc: Vec<String>,
    pub attr: String,
    pub params: String,
    pub body: Vec<String>,
    pub ret: String,
    pub call: String,
    pub binary: bool,
}

pub struct MGroup {
    pub object: String,
    pub accessor: String,
    pub doc: String,
    pub methods: Vec<MMethod>,
}

#[derive(Template)]
#[template(path = "mobile/vendor.rs.txt", escape = "none")]
pub struct VendorTemplate {
    pub header: String,
    pub client: String,
    pub options: String,
    pub ctor: String,
    pub models: Vec<MModel>,
    pub enums: Vec<MEnum>,
    pub groups: Vec<MGroup>,
}

#[derive(Template)]
#[template(path = "mobile/mod.rs.txt", escape = "none")]
pub struct ModTemplate {
    pub header: String,
    pub vendors: Vec<String>,
    /// `("wechat", "101001") => Some("CertificateNotFound"),`
    pub exceptions: Vec<String>,
    pub scan: bool,
}

fn model(cx: &Ctx, m: &Model) -> MModel {
    MModel {
        name: m.names.original.clone(),
        doc: m.doc.lines(),
        fields: m
            .fields
            .iter()
            .map(|f| {
                let base = cx.ty(&f.ty);
                let mut attrs = vec![format!("#[serde(rename = {})]", lit(&f.names.original))];
                let ty = if f.required {
                    base
                } else if matches!(f.ty, Type::List(_)) {
                    attrs.push("#[serde(default)]".into());
                    attrs.push("#[uniffi(default)]".into());
                    base
                } else {
                    attrs.push("#[serde(default, skip_serializing_if = \"Option::is_none\")]".into());
                    attrs.push("#[uniffi(default)]".into());
                    format!("Option<{base}>")
                };
                MField { ident: rust_ident(&f.names.snake), ty, attrs, doc: f.doc.as_ref().map(Text::lines).unwrap_or_default() }
            })
            .collect(),
    }
}

fn method(cx: &Ctx, g: &Group, e: &Endpoint, fetch: bool) -> MMethod {
    let mut params = Vec::new();
    let mut defaults = Vec::new();
    let mut body = Vec::new();
    // Required first, in spec order, then the optional ones (defaulted to None).
    let mut inputs: Vec<&Input> = e.inputs.iter().filter(|x| !matches!(x.kind, InputKind::Const { .. })).collect();
    inputs.sort_by_key(|x| !x.required);
    for x in inputs {
        let id = rust_ident(&x.names.snake);
        let key = lit(&x.names.snake);
        let (ty, put) = match &x.kind {
            InputKind::Image { .. } => ("crate::ImageInput".to_string(), format!("crate::image(&mut args, {key}, v)")),
            InputKind::Value { ty, .. } => (cx.ty(ty), format!("crate::value(&mut args, {key}, &v)")),
            InputKind::Const { .. } => continue,
        };
        if x.required {
            params.push(format!("{id}: {ty}"));
            body.push(format!("{{ let v = {id}; {put}; }}"));
        } else {
            params.push(format!("{id}: Option<{ty}>"));
            defaults.push(format!("{id} = None"));
            body.push(format!("if let Some(v) = {id} {{ {put}; }}"));
        }
    }
    let binary = fetch || matches!(e.output, Output::Binary);
    let ret = match &e.output {
        _ if binary => "crate::BinaryImage".to_string(),
        Output::Model(m) => m.clone(),
        Output::Binary => unreachable!(),
    };
    let mut doc = e.summary.lines();
    doc.push(String::new());
    doc.push(e.wire_line(g, md_code, ""));
    if let Some(n) = e.status_text() {
        doc.push(String::new());
        doc.push(format!("Deprecated: {n}"));
    }
    MMethod {
        ident: if fetch { format!("{}_fetch", e.names.snake) } else { rust_ident(&e.names.snake) },
        doc,
        attr: if defaults.is_empty() { String::new() } else { format!("#[uniffi::method(default({}))]", defaults.join(", ")) },
        params: params.join(", "),
        body,
        ret,
        call: lit(&format!("{}.{}{}", g.names.original, e.names.original, if fetch { "_fetch" } else { "" })),
        binary,
    }
}

fn vendor(cx: &Ctx) -> VendorTemplate {
    let v = cx.vendor;
    let prefix = cx.prefix();
    VendorTemplate {
        header: header(&format!("spec/{}/", v.kind.key())),
        client: format!("{prefix}Client"),
        options: format!("crate::{prefix}Options"),
        ctor: match v.kind {
            VendorKind::WeChat => "crate::Client::wechat".into(),
            VendorKind::TencentCloud => "crate::Client::tencent".into(),
        },
        models: v.groups.iter().flat_map(|g| &g.models).map(|m| model(cx, m)).collect(),
        enums: v
            .groups
            .iter()
            .flat_map(|g| &g.enums)
            .map(|e| MEnum {
                name: e.names.original.clone(),
                doc: e.doc.lines(),
                values: e.values.iter().map(|x| (x.names.pascal.clone(), lit(&x.names.original), x.doc.en.clone())).collect(),
            })
            .collect(),
        groups: v
            .groups
            .iter()
            .filter(|g| !g.endpoints.is_empty())
            .map(|g| MGroup {
                object: format!("{prefix}{}Api", g.names.pascal),
                accessor: rust_ident(&g.names.snake),
                doc: g.summary.en.clone(),
                methods: g
                    .endpoints
                    .iter()
                    .flat_map(|e| {
                        let mut v = vec![method(cx, g, e, false)];
                        if e.then_fetch.is_some() {
                            v.push(method(cx, g, e, true));
                        }
                        v
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Renders the mobile target; a model or enum name both vendors define is an error (one uniffi namespace).
pub fn render(api: &Api) -> Result<Vec<GeneratedFile>, askama::Error> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut exceptions = Vec::new();
    for v in &api.vendors {
        for name in v.groups.iter().flat_map(|g| g.models.iter().map(|m| &m.names.original).chain(g.enums.iter().map(|e| &e.names.original))) {
            if let Some(other) = seen.insert(name.clone(), v.kind.key()) {
                if other != v.kind.key() {
                    return Err(askama::Error::Custom(format!("mobile: {name} is defined by both {other} and {}; uniffi needs one name per type", v.kind.key()).into()));
                }
            }
        }
        let t = vendor(&Ctx { vendor: v });
        out.push(GeneratedFile { path: format!("{OUT_DIR}/{}.rs", v.kind.key()), contents: t.render()? + "\n" });
    }
    for x in api.named_exceptions() {
        for (v, code, _) in &x.codes {
            exceptions.push(format!("({}, {}) => Some({}),", lit(v.key()), lit(code), lit(&x.name)));
        }
    }
    let m = ModTemplate { header: header("spec/"), vendors: api.vendors.iter().map(|v| v.kind.key().to_string()).collect(), exceptions, scan: api.scan.is_some() };
    out.push(GeneratedFile { path: format!("{OUT_DIR}/mod.rs"), contents: m.render()? + "\n" });
    Ok(out)
}
