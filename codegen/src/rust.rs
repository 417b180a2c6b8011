//! The Rust target: one module per spec group file, one `mod.rs` per vendor with its error table
//! and the client's group accessors. Every Rust name and type is decided here; the templates
//! under `templates/rust/` only print.

use askama::Template;

use crate::ir::*;
use crate::names::rust_ident;
use crate::GeneratedFile;

pub const OUT_DIR: &str = "bindings/rust/src/generated";

pub(crate) fn header(source: &str) -> String {
    crate::generated_header("//", source)
}

/// Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn opt_lit(s: Option<&str>) -> String {
    match s {
        Some(s) => format!("Some({})", lit(s)),
        None => "None".into(),
    }
}

pub(crate) struct Ctx<'a> {
    pub(crate) vendor: &'a Vendor,
}

impl Ctx<'_> {
    fn ty(&self, t: &Type) -> String {
        t.rust("crate::Image")
    }
    fn client(&self) -> &'static str {
        match self.vendor.kind {
            VendorKind::WeChat => "crate::wechat::WeChat",
            VendorKind::TencentCloud => "crate::tencentcloud::TencentCloud",
        }
    }
    fn vendor_variant(&self) -> &'static str {
        match self.vendor.kind {
            VendorKind::WeChat => "crate::Vendor::WeChat",
            VendorKind::TencentCloud => "crate::Vendor::TencentCloud",
        }
    }
    pub(crate) fn request_name(&self, group: &Group, e: &Endpoint) -> String {
        let shared = self.vendor.endpoints().filter(|(_, x)| x.names.original == e.names.original).count() > 1;
        if shared || e.names.original.len() < 4 {
            format!("{}{}Request", group.names.pascal, e.names.pascal)
        } else {
            format!("{}Request", e.names.pascal)
        }
    }
    /// The runtime's `ValueType` literal for a spec type.
    fn value_type(&self, t: &Type) -> String {
        match t {
            Type::String => "ValueType::String".into(),
            Type::Int => "ValueType::Int".into(),
            Type::Float => "ValueType::Float".into(),
            Type::Bool => "ValueType::Bool".into(),
            Type::Image | Type::Model(_) => "ValueType::Model".into(),
            Type::List(inner) => format!("ValueType::List(&{})", self.value_type(inner)),
            Type::Enum(name) => {
                let values: Vec<String> = self.vendor.enum_values(name).iter().map(|v| lit(v)).collect();
                format!("ValueType::Enum(&[{}])", values.join(", "))
            }
        }
    }
    /// The `InputInfo` literal the emulator and the command line read.
    fn input_info(&self, x: &Input) -> String {
        let kind = match &x.kind {
            InputKind::Image { url, data } => format!(
                "InputKind::Image(ImageWire {{ url: ({}, {}), data: ({}, {}), base64: {} }})",
                loc(url.location), lit(&url.name), loc(data.location), lit(&data.name), data.base64
            ),
            InputKind::Value { ty, wire, comma } => format!(
                "InputKind::Value {{ loc: {}, wire: {}, cloud: {}, ty: {}, comma: {comma} }}",
                loc(wire.location), lit(&wire.name), opt_lit(wire.cloud.as_deref()), self.value_type(ty)
            ),
            InputKind::Const { value, wire } => format!("InputKind::Const {{ loc: {}, wire: {}, value: {} }}", loc(wire.location), lit(&wire.name), lit(value)),
        };
        let invalid: Vec<String> = x.invalid.iter().map(|(k, c)| format!("({}, {})", lit(k), lit(c))).collect();
        let summary = x.doc.as_ref().map(|d| d.en.as_str());
        format!(
            "InputInfo {{ name: {}, kind: {kind}, required: {}, secret: {}, default: {}, limits: {}, invalid: &[{}], doc: {} }}",
            lit(&x.names.snake),
            x.required,
            x.secret,
            opt_lit(x.default.as_deref()),
            limits_lit(&x.limits).unwrap_or_else(|| "Limits::NONE".into()),
            invalid.join(", "),
            opt_lit(summary),
        )
    }
    fn info_name(group: &Group, e: &Endpoint) -> String {
        format!("{}_{}", group.names.shouty, e.names.shouty)
    }
}

pub struct RField {
    pub ident: String,
    pub ty: String,
    pub attrs: Vec<String>,
    pub doc: Vec<String>,
    pub secret: bool,
}

pub struct RModel {
    pub name: String,
    pub doc: Vec<String>,
    pub fields: Vec<RField>,
    pub has_secret: bool,
}

pub struct REnumValue {
    pub variant: String,
    pub wire: String,
    pub doc: Vec<String>,
}

pub struct REnum {
    pub name: String,
    pub doc: Vec<String>,
    pub values: Vec<REnumValue>,
}

pub struct RInput {
    pub ident: String,
    /// The name errors report: the input's snake id.
    pub field: String,
    pub doc: Vec<String>,
    pub ty: String,
    /// Constructor / setter parameter type (`impl Into<String>`, ...).
    pub param_ty: String,
    /// `.into()` for `impl Into` parameters, empty otherwise.
    pub conv: String,
    pub required: bool,
    pub secret: bool,
    /// "image" | "value" | "const"
    pub kind: &'static str,
    pub loc: String,
    pub wire: String,
    pub comma: bool,
    pub const_value: String,
    pub image_wire: String,
    pub limits: Option<String>,
}

pub struct REndpoint {
    pub fn_name: String,
    pub info: String,
    pub request: String,
    pub doc: Vec<String>,
    pub deprecated: Option<String>,
    pub info_fields: Vec<(String, String)>,
    pub inputs: Vec<RInput>,
    pub has_secret: bool,
    pub ctor_params: String,
    pub call: &'static str,
    pub output: String,
    pub then_fetch: Option<RThenFetch>,
}

pub struct RThenFetch {
    pub fn_name: String,
    pub doc: String,
    pub accessor: String,
    pub target_fn: String,
    pub target_request: String,
    pub args: String,
}

#[derive(Template)]
#[template(path = "rust/group.rs.txt", escape = "none")]
pub struct GroupTemplate {
    pub header: String,
    pub doc: Vec<String>,
    pub group_struct: String,
    pub client: String,
    pub enums: Vec<REnum>,
    pub models: Vec<RModel>,
    pub endpoints: Vec<REndpoint>,
}

pub struct RError {
    pub code: String,
    pub errmsg: String,
    pub category: String,
    pub global: bool,
    pub zh: String,
    pub en: String,
}

pub struct RGroupRef {
    pub module: String,
    pub group_struct: String,
    pub accessor: String,
    pub doc: String,
}

#[derive(Template)]
#[template(path = "rust/vendor_mod.rs.txt", escape = "none")]
pub struct VendorTemplate {
    pub header: String,
    pub client: String,
    pub groups: Vec<RGroupRef>,
    pub errors: Vec<RError>,
    /// `GROUP_ID` statics of every endpoint, in spec order.
    pub endpoints: Vec<String>,
    pub dispatch: Vec<RDispatch>,
    pub vendor: String,
    /// `(GROUP_ID, ReplyModel)` of every JSON endpoint, for the fuzz targets' table.
    pub json_replies: Vec<(String, String)>,
    /// `wechat_json` / `tencent_json`: the fuzz module's check of one reply.
    pub fuzz_decode: String,
    /// Vendor-wide constants from the spec (WeChat: the `cloud_call:` token parameter).
    pub consts: Vec<String>,
}

/// One arm of the generated `call_dynamic`: an endpoint called by name with loose arguments.
pub struct RDispatch {
    /// The match pattern: `"img.scan_qrcode" | "img.scanQRCode"`.
    pub pattern: String,
    pub info: String,
    /// Local bindings, in spec order: `let a_image = args.required_image(ep, "image")?;`
    pub reads: Vec<String>,
    pub request: String,
    pub ctor_args: String,
    /// `if let Some(v) = a_ratios { req = req.ratios(v); }`
    pub sets: Vec<String>,
    /// `self.img().scan_qrcode(req)`
    pub call: String,
    pub binary: bool,
}

#[derive(Template)]
#[template(path = "rust/root_mod.rs.txt", escape = "none")]
pub struct RootTemplate {
    pub scan: bool,
    pub header: String,
    pub vendors: Vec<String>,
}

fn category(c: Category) -> String {
    let s = match c {
        Category::Token => "Token",
        Category::Auth => "Auth",
        Category::RateLimit => "RateLimit",
        Category::Quota => "Quota",
        Category::System => "System",
        Category::Input => "Input",
        Category::NotFound => "NotFound",
        Category::Unavailable => "Unavailable",
    };
    format!("crate::Category::{s}")
}

fn loc(l: Location) -> String {
    match l {
        Location::Query => "Loc::Query",
        Location::Multipart => "Loc::Multipart",
        Location::Json => "Loc::Json",
    }
    .into()
}

fn limits_lit(l: &Limits) -> Option<String> {
    if l.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let num = |v: f64| if v.fract() == 0.0 { format!("{v:.1}") } else { format!("{v}") };
    if let Some(v) = l.max_bytes {
        parts.push(format!("max_bytes: Some({v})"));
    }
    if let Some(v) = l.max_base64_bytes {
        parts.push(format!("max_base64_bytes: Some({v})"));
    }
    if let Some(v) = l.min_chars {
        parts.push(format!("min_chars: Some({v})"));
    }
    if let Some(v) = l.max_chars {
        parts.push(format!("max_chars: Some({v})"));
    }
    if let Some((w, set)) = &l.charset {
        parts.push(format!("charset: Some(({}, {}))", lit(w), lit(set)));
    }
    if let Some(v) = &l.forbid_prefix {
        parts.push(format!("forbid_prefix: Some({})", lit(v)));
    }
    if let Some(v) = &l.forbid_chars {
        parts.push(format!("forbid_chars: Some({})", lit(v)));
    }
    if l.json_object {
        parts.push("json_object: true".into());
    }
    if let Some(v) = l.min {
        parts.push(format!("min: Some({})", num(v)));
    }
    if let Some(v) = l.max {
        parts.push(format!("max: Some({})", num(v)));
    }
    if let Some(v) = l.max_items {
        parts.push(format!("max_items: Some({v})"));
    }
    if !l.formats.is_empty() {
        let f: Vec<String> = l.formats.iter().map(|f| format!("Format::{}", heck::ToPascalCase::to_pascal_case(f.as_str()))).collect();
        parts.push(format!("formats: &[{}]", f.join(", ")));
    }
    Some(format!("Limits {{ {}, ..Limits::NONE }}", parts.join(", ")))
}

fn model(cx: &Ctx, m: &Model) -> RModel {
    let fields: Vec<RField> = m
        .fields
        .iter()
        .map(|f| {
            let base = cx.ty(&f.ty);
            let is_list = matches!(f.ty, Type::List(_));
            let mut attrs = Vec::new();
            if f.names.original != f.names.snake {
                attrs.push(format!("#[serde(rename = {})]", lit(&f.names.original)));
            }
            let ty = if f.required {
                base
            } else if is_list {
                attrs.push("#[serde(default, skip_serializing_if = \"Vec::is_empty\")]".into());
                base
            } else {
                attrs.push("#[serde(default, skip_serializing_if = \"Option::is_none\")]".into());
                format!("Option<{base}>")
            };
            let mut doc = f.doc.as_ref().map(Text::lines).unwrap_or_default();
            if let Some(c) = &f.cloud {
                if !doc.is_empty() {
                    doc.push(String::new());
                }
                doc.push(format!("Wire name `{}`; cloud-call name `{c}`.", f.names.original));
            }
            RField { ident: rust_ident(&f.names.snake), ty, attrs, doc, secret: f.secret }
        })
        .collect();
    RModel {
        name: m.names.original.clone(),
        doc: m.doc.lines(),
        has_secret: fields.iter().any(|f| f.secret),
        fields,
    }
}

fn input(cx: &Ctx, x: &Input) -> RInput {
    let mut doc = x.doc.as_ref().map(Text::lines).unwrap_or_default();
    if let Some(d) = &x.default {
        if !doc.is_empty() {
            doc.push(String::new());
        }
        doc.push(format!("Vendor default when absent: `{d}`."));
    }
    let limits = limits_lit(&x.limits);
    let (kind, ty, loc_, wire, comma, const_value, image_wire) = match &x.kind {
        InputKind::Image { url, data } => (
            "image",
            "crate::Image".to_string(),
            String::new(),
            String::new(),
            false,
            String::new(),
            format!(
                "ImageWire {{ url: ({}, {}), data: ({}, {}), base64: {} }}",
                loc(url.location), lit(&url.name), loc(data.location), lit(&data.name), data.base64
            ),
        ),
        InputKind::Value { ty, wire, comma } => ("value", cx.ty(ty), loc(wire.location), lit(&wire.name), *comma, String::new(), String::new()),
        InputKind::Const { value, wire } => ("const", String::new(), loc(wire.location), lit(&wire.name), false, lit(value), String::new()),
    };
    let (param_ty, conv) = match ty.as_str() {
        "String" => ("impl Into<String>".to_string(), ".into()".to_string()),
        "crate::Image" => ("impl Into<crate::Image>".to_string(), ".into()".to_string()),
        other => (other.to_string(), String::new()),
    };
    RInput {
        ident: rust_ident(&x.names.snake),
        field: x.names.snake.clone(),
        doc,
        ty,
        param_ty,
        conv,
        required: x.required,
        secret: x.secret,
        kind,
        loc: loc_,
        wire,
        comma,
        const_value,
        image_wire,
        limits,
    }
}

fn endpoint(cx: &Ctx, g: &Group, e: &Endpoint) -> REndpoint {
    let mut doc = e.summary.lines();
    doc.push(String::new());
    doc.push(e.wire_line(g, md_code, ""));
    if let Some(q) = &e.quota {
        doc.push(String::new());
        doc.push(format!("Quota: {}", q.en));
    }
    if !e.regions.is_empty() {
        doc.push(String::new());
        doc.push(format!("Regions: {}.", e.regions.join(", ")));
    }
    if !e.unconfirmed.is_empty() {
        doc.push(String::new());
        doc.push(format!("Not confirmed by a vendor source: {}.", e.unconfirmed.join(", ")));
    }
    let deprecated = e.status_text().map(|n| match &e.status.date {
        Some(d) => format!("#[deprecated(since = {}, note = {})]", lit(d), lit(&n)),
        None => format!("#[deprecated(note = {})]", lit(&n)),
    });
    let status_note = e.status.note.as_ref().map(|n| match &e.status.date {
        Some(d) => format!("{} ({} {d})", n.en, if e.status.kind == StatusKind::Offline { "offline since" } else { "since" }),
        None => n.en.clone(),
    });
    let json_body = e.inputs.iter().any(|x| match &x.kind {
        InputKind::Image { url, data } => url.location == Location::Json || data.location == Location::Json,
        InputKind::Value { wire, .. } | InputKind::Const { wire, .. } => wire.location == Location::Json,
    });
    let info_fields = vec![
        ("vendor".to_string(), cx.vendor_variant().to_string()),
        ("group".into(), lit(&g.names.original)),
        ("id".into(), lit(&e.names.original)),
        ("name".into(), lit(e.vendor_name())),
        ("method".into(), if e.method == "GET" { "Method::Get".into() } else { "Method::Post".into() }),
        ("host".into(), lit(&e.host)),
        ("path".into(), lit(&e.path)),
        ("auth".into(), match e.auth {
            Auth::AccessToken => "AuthKind::AccessToken".into(),
            Auth::None => "AuthKind::None".into(),
            Auth::Tc3 => "AuthKind::Tc3".into(),
        }),
        ("output".into(), match e.output {
            Output::Model(_) => "OutputKind::Json".into(),
            Output::Binary => "OutputKind::Binary".into(),
        }),
        ("json_body".into(), json_body.to_string()),
        ("action".into(), opt_lit(e.action.as_deref())),
        ("version".into(), opt_lit(if e.action.is_some() { g.version.as_deref() } else { None })),
        ("service".into(), opt_lit(if e.action.is_some() { g.service.as_deref() } else { None })),
        ("regions".into(), format!("&[{}]", e.regions.iter().map(|r| lit(r)).collect::<Vec<_>>().join(", "))),
        ("status".into(), match e.status.kind {
            StatusKind::Active => "Status::Active".into(),
            StatusKind::Deprecated => "Status::Deprecated".into(),
            StatusKind::Offline => "Status::Offline".into(),
        }),
        ("status_date".into(), opt_lit(e.status.date.as_deref())),
        ("status_note".into(), opt_lit(status_note.as_deref())),
        ("errors".into(), format!("&[{}]", e.errors.iter().map(|c| lit(c)).collect::<Vec<_>>().join(", "))),
        ("error_table".into(), "super::ERRORS".into()),
        ("retry_safe".into(), e.retry.to_string()),
        ("summary".into(), lit(&e.summary.en)),
        ("summary_zh".into(), lit(&e.summary.zh)),
        ("inputs".into(), if e.inputs.is_empty() {
            "&[]".into()
        } else {
            format!("&[\n{}    ]", e.inputs.iter().map(|x| format!("        {},\n", cx.input_info(x))).collect::<String>())
        }),
    ];
    let inputs: Vec<RInput> = e.inputs.iter().map(|x| input(cx, x)).collect();
    let (call, output) = match &e.output {
        Output::Model(m) => ("call_json", m.clone()),
        Output::Binary => ("call_binary", "crate::BinaryImage".to_string()),
    };
    let then_fetch = e.then_fetch.as_ref().and_then(|t| {
        let (tg, te) = cx.vendor.find_endpoint(&t.group, &t.endpoint)?;
        let args: Vec<String> = te
            .inputs
            .iter()
            .filter(|x| x.required && !matches!(x.kind, InputKind::Const { .. }))
            .map(|x| {
                let field = t.bind.iter().find(|(i, _)| *i == x.names.original).map(|(_, f)| f.clone()).unwrap_or_default();
                format!("out.{}", rust_ident(&crate::names::Names::new(&field).snake))
            })
            .collect();
        Some(RThenFetch {
            fn_name: format!("{}_fetch", e.names.snake),
            doc: format!("[`Self::{}`], then [`{}::{}`] with its reply: the resulting picture in one call.", rust_ident(&e.names.snake), tg.names.pascal, rust_ident(&te.names.snake)),
            accessor: rust_ident(&tg.names.snake),
            target_fn: rust_ident(&te.names.snake),
            target_request: cx.request_name(tg, te),
            args: args.join(", "),
        })
    });
    REndpoint {
        fn_name: rust_ident(&e.names.snake),
        info: Ctx::info_name(g, e),
        request: cx.request_name(g, e),
        doc,
        deprecated,
        info_fields,
        has_secret: inputs.iter().any(|i| i.secret),
        ctor_params: inputs
            .iter()
            .filter(|x| x.kind != "const" && x.required)
            .map(|x| format!("{}: {}", x.ident, x.param_ty))
            .collect::<Vec<_>>()
            .join(", "),
        inputs,
        call,
        output,
        then_fetch,
    }
}

/// The `call_dynamic` arms of one endpoint: the call itself and, with `then_fetch`, the `_fetch` call.
fn dispatch(cx: &Ctx, g: &Group, e: &Endpoint) -> Vec<RDispatch> {
    let mut reads = Vec::new();
    let mut ctor = Vec::new();
    let mut sets = Vec::new();
    for x in &e.inputs {
        let field = &x.names.snake;
        let local = format!("a_{field}");
        let read = match (&x.kind, x.required) {
            (InputKind::Const { .. }, _) => continue,
            (InputKind::Image { .. }, true) => format!("args.required_image(ep, {})?", lit(field)),
            (InputKind::Image { .. }, false) => format!("args.take_image(ep, {})?", lit(field)),
            (InputKind::Value { ty, .. }, true) => format!("args.required::<{}>(ep, {})?", cx.ty(ty), lit(field)),
            (InputKind::Value { ty, .. }, false) => format!("args.take::<{}>(ep, {})?", cx.ty(ty), lit(field)),
        };
        reads.push(format!("let {local} = {read};"));
        if x.required {
            ctor.push(local);
        } else {
            sets.push(format!("if let Some(v) = {local} {{ req = req.{}(v); }}", rust_ident(field)));
        }
    }
    let base = format!("{}.{}", g.names.original, e.names.original);
    let mut pattern = lit(&base);
    if e.vendor_name() != base {
        pattern.push_str(&format!(" | {}", lit(e.vendor_name())));
    }
    let accessor = rust_ident(&g.names.snake);
    let fn_name = rust_ident(&e.names.snake);
    let one = |pattern: String, call: String, binary: bool| RDispatch {
        pattern,
        info: Ctx::info_name(g, e),
        reads: reads.clone(),
        request: cx.request_name(g, e),
        ctor_args: ctor.join(", "),
        sets: sets.clone(),
        call,
        binary,
    };
    let mut out = vec![one(pattern, format!("self.{accessor}().{fn_name}(req)"), matches!(e.output, Output::Binary))];
    if e.then_fetch.is_some() {
        out.push(one(lit(&format!("{base}_fetch")), format!("self.{accessor}().{fn_name}_fetch(req)"), true));
    }
    out
}

pub fn render(api: &Api) -> Result<Vec<GeneratedFile>, askama::Error> {
    let mut out = Vec::new();
    let mut vendors = Vec::new();
    for v in &api.vendors {
        let cx = Ctx { vendor: v };
        let key = v.kind.key();
        vendors.push(key.to_string());
        let mut refs = Vec::new();
        for g in &v.groups {
            let t = GroupTemplate {
                header: header(&g.file),
                doc: g.summary.lines(),
                group_struct: g.names.pascal.clone(),
                client: cx.client().to_string(),
                enums: g
                    .enums
                    .iter()
                    .map(|e| REnum {
                        name: e.names.original.clone(),
                        doc: e.doc.lines(),
                        values: e
                            .values
                            .iter()
                            .map(|x| REnumValue { variant: x.names.pascal.clone(), wire: lit(&x.names.original), doc: x.doc.lines() })
                            .collect(),
                    })
                    .collect(),
                models: g.models.iter().map(|m| model(&cx, m)).collect(),
                endpoints: g.endpoints.iter().map(|e| endpoint(&cx, g, e)).collect(),
            };
            out.push(GeneratedFile { path: format!("{OUT_DIR}/{key}/{}.rs", g.names.snake), contents: t.render()? + "\n" });
            if !g.endpoints.is_empty() {
                refs.push(RGroupRef {
                    module: g.names.snake.clone(),
                    group_struct: g.names.pascal.clone(),
                    accessor: rust_ident(&g.names.snake),
                    doc: g.summary.en.clone(),
                });
            } else {
                refs.push(RGroupRef { module: g.names.snake.clone(), group_struct: String::new(), accessor: String::new(), doc: g.summary.en.clone() });
            }
        }
        let consts = match (&api.cloud_call, v.kind) {
            (Some(c), VendorKind::WeChat) => vec![format!(
                "\n/// The access token parameter's name inside CloudBase ({}), where `{}` is WeChat's.\npub const CLOUDBASE_TOKEN_PARAM: &str = {};",
                c.file,
                "access_token",
                lit(&c.cloudbase_token_param)
            )],
            _ => Vec::new(),
        };
        let t = VendorTemplate {
            consts,
            header: header(&format!("spec/{key}/")),
            client: cx.client().to_string(),
            groups: refs,
            endpoints: v.endpoints().map(|(g, e)| Ctx::info_name(g, e)).collect(),
            dispatch: v.endpoints().flat_map(|(g, e)| dispatch(&cx, g, e)).collect(),
            vendor: cx.vendor_variant().to_string(),
            json_replies: v
                .endpoints()
                .filter_map(|(g, e)| match &e.output {
                    Output::Model(m) => Some((Ctx::info_name(g, e), m.clone())),
                    Output::Binary => None,
                })
                .collect(),
            fuzz_decode: match v.kind {
                VendorKind::WeChat => "wechat_json",
                VendorKind::TencentCloud => "tencent_json",
            }
            .to_string(),
            errors: v
                .errors
                .iter()
                .map(|e| RError {
                    code: lit(&e.code),
                    errmsg: opt_lit(e.errmsg.as_deref()),
                    category: category(e.category),
                    global: e.global,
                    zh: lit(&e.text.zh),
                    en: lit(&e.text.en),
                })
                .collect(),
        };
        out.push(GeneratedFile { path: format!("{OUT_DIR}/{key}/mod.rs"), contents: t.render()? + "\n" });
    }
    let t = RootTemplate { header: header("spec/"), vendors, scan: api.scan.is_some() };
    out.push(GeneratedFile { path: format!("{OUT_DIR}/mod.rs"), contents: t.render()? + "\n" });
    Ok(out)
}
