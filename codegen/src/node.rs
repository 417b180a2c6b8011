//! The Node target: the cloud-call-compatible surface of the `wxcv` npm package over its small
//! addon. WeChat endpoints take and return wx-server-sdk's `cloud.openapi` shapes (camelCase names
//! from the spec's cloud names, `errCode` / `errMsg`); Tencent Cloud endpoints take and return the
//! API 3.0 shapes tencentcloud-sdk-nodejs uses (`QrcodeOCR({ ImageUrl })`). Per vendor: a CommonJS
//! module with one table entry per endpoint and one converter per reply model, and its TypeScript
//! declarations; `errors.js` / `errors.d.ts`; and a snippet calling every endpoint that `tsc --strict`
//! checks in the suite.

use std::collections::BTreeMap;

use askama::Template;

use crate::GeneratedFile;
use crate::ir::*;

pub const LIB_DIR: &str = "bindings/node/lib/generated";
pub const TESTS_DIR: &str = "bindings/node/test/generated";

pub(crate) fn header(source: &str) -> String {
    crate::generated_header("//", source)
}

/// A JavaScript string literal.
pub(crate) fn js_lit(s: &str) -> String {
    lit(s)
}

fn lit(s: &str) -> String {
    serde_json_lit(s)
}

fn serde_json_lit(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSDoc block, indented.
fn jsdoc(lines: &[String], indent: &str) -> String {
    let lines: Vec<String> = lines.iter().map(|l| l.replace("*/", "*\\/")).collect();
    let mut v: Vec<&String> = lines.iter().collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    if v.len() <= 1 {
        return format!("/** {} */", v.first().map(|s| s.as_str()).unwrap_or(""));
    }
    let mut out = String::from("/**");
    for l in v {
        out.push('\n');
        out.push_str(indent);
        if l.is_empty() {
            out.push_str(" *");
        } else {
            out.push_str(" * ");
            out.push_str(l);
        }
    }
    out.push('\n');
    out.push_str(indent);
    out.push_str(" */");
    out
}

struct Ctx<'a> {
    vendor: &'a Vendor,
}

impl Ctx<'_> {
    fn wechat(&self) -> bool {
        self.vendor.kind == VendorKind::WeChat
    }
    /// The JavaScript name of a model field: the cloud-call name (WeChat) or the wire name.
    fn field_name(&self, f: &Field) -> String {
        match (&f.cloud, self.wechat()) {
            (Some(c), true) => c.clone(),
            (None, true) => crate::names::cloud_camel(&f.names.original),
            _ => f.names.original.clone(),
        }
    }
    fn ts(&self, t: &Type) -> String {
        match t {
            Type::String => "string".into(),
            Type::Int | Type::Float => "number".into(),
            Type::Bool => "boolean".into(),
            Type::Image => "Buffer".into(),
            Type::List(inner) => format!("{}[]", self.ts(inner)),
            Type::Model(m) => m.clone(),
            Type::Enum(e) => self.vendor.enum_values(e).iter().map(|v| lit(v)).collect::<Vec<_>>().join(" | "),
        }
    }
    /// Wire JSON `v` -> the JavaScript shape.
    fn convert(&self, t: &Type, v: &str) -> String {
        match t {
            Type::Model(m) => format!("m_{m}({v})"),
            Type::List(inner) => match inner.as_ref() {
                Type::Model(_) | Type::List(_) => format!("{v}.map((x) => {})", self.convert(inner, "x")),
                _ => v.to_string(),
            },
            _ => v.to_string(),
        }
    }
    /// JavaScript model value `v` -> wire JSON (model inputs such as `lineColor`).
    fn unconvert(&self, t: &Type, v: &str) -> String {
        match t {
            Type::Model(m) => format!("w_{m}({v})"),
            Type::List(inner) => match inner.as_ref() {
                Type::Model(_) | Type::List(_) => format!("{v}.map((x) => {})", self.unconvert(inner, "x")),
                _ => v.to_string(),
            },
            _ => v.to_string(),
        }
    }
    fn sample(&self, t: &Type, depth: usize) -> String {
        match t {
            Type::String => lit("x"),
            Type::Int | Type::Float => "1".into(),
            Type::Bool => "true".into(),
            Type::Image => "image".into(),
            Type::List(inner) => format!("[{}]", self.sample(inner, depth)),
            Type::Enum(e) => lit(self.vendor.enum_values(e).first().map(String::as_str).unwrap_or("")),
            Type::Model(name) => {
                let Some(m) = self.vendor.model(name) else { return "{}".into() };
                let fields: Vec<String> = m
                    .fields
                    .iter()
                    .filter(|f| f.required || depth == 0)
                    .map(|f| format!("{}: {}", self.field_name(f), self.sample(&f.ty, depth + 1)))
                    .collect();
                format!("{{ {} }}", fields.join(", "))
            }
        }
    }
}

pub struct NField {
    pub js: String,
    pub wire: String,
    pub js_lit: String,
    pub wire_lit: String,
    pub ts: String,
    pub optional: bool,
    pub doc: String,
    pub convert: String,
    pub unconvert: String,
    pub required: bool,
}

pub struct NModel {
    pub name: String,
    pub doc: String,
    pub fields: Vec<NField>,
    /// Used as an input (needs a JS -> wire converter).
    pub input: bool,
}

pub struct NParam {
    pub name: String,
    pub ts: String,
    pub doc: String,
}

pub struct NMethod {
    pub name: String,
    pub doc: String,
    /// `{ call: ..., name: ..., ... }`: the endpoint's table entry for the runtime.
    pub table: String,
    /// The params type (TypeScript).
    pub params_type: String,
    pub params_name: String,
    pub params_optional: bool,
    pub ret: String,
    pub deprecated: bool,
}

pub struct NGroup {
    pub attr: String,
    pub class: String,
    pub doc: String,
    pub methods: Vec<NMethod>,
}

#[derive(Template)]
#[template(path = "node/vendor.js.txt", escape = "none")]
pub struct VendorJs {
    pub header: String,
    pub is_wechat: bool,
    pub client: &'static str,
    pub models: Vec<NModel>,
    pub groups: Vec<NGroup>,
}

#[derive(Template)]
#[template(path = "node/vendor.d.ts.txt", escape = "none")]
pub struct VendorDts {
    pub header: String,
    pub is_wechat: bool,
    pub client: &'static str,
    pub models: Vec<NModel>,
    pub groups: Vec<NGroup>,
    pub params: Vec<(String, String, String)>,
}

pub struct NErrorClass {
    pub name: String,
    pub base: String,
    pub doc: String,
    pub codes: String,
}

/// lib/generated/cloud.js and cloud.d.ts: the spec's `cloud_call:` shapes.
#[derive(Template)]
#[template(path = "node/cloud.js.txt", escape = "none")]
pub struct CloudJs {
    pub header: String,
    pub image_type: String,
    pub image_data: String,
    pub image_type_lit: String,
    pub image_data_lit: String,
    pub image_doc: String,
    pub binary_type: String,
    pub binary_data: String,
    pub binary_type_lit: String,
    pub binary_data_lit: String,
    pub binary_doc: String,
    pub token_lit: String,
}

#[derive(Template)]
#[template(path = "node/cloud.d.ts.txt", escape = "none")]
pub struct CloudDts {
    pub c: CloudJs,
}

fn cloud_files(c: &crate::ir::CloudCall) -> CloudJs {
    CloudJs {
        header: header(&c.file),
        image_type: c.image.type_key.clone(),
        image_data: c.image.data_key.clone(),
        image_type_lit: lit(&c.image.type_key),
        image_data_lit: lit(&c.image.data_key),
        image_doc: jsdoc(&c.image.doc.lines(), ""),
        binary_type: c.binary.type_key.clone(),
        binary_data: c.binary.data_key.clone(),
        binary_type_lit: lit(&c.binary.type_key),
        binary_data_lit: lit(&c.binary.data_key),
        binary_doc: jsdoc(&c.binary.doc.lines(), ""),
        token_lit: lit(&c.cloudbase_token_param),
    }
}

#[derive(Template)]
#[template(path = "node/errors.js.txt", escape = "none")]
pub struct ErrorsJs {
    pub header: String,
    pub classes: Vec<NErrorClass>,
    pub by_code: Vec<String>,
}

#[derive(Template)]
#[template(path = "node/errors.d.ts.txt", escape = "none")]
pub struct ErrorsDts {
    pub header: String,
    pub classes: Vec<NErrorClass>,
}

#[derive(Template)]
#[template(path = "node/typecheck.ts.txt", escape = "none")]
pub struct TypecheckTs {
    pub header: String,
    pub lines: Vec<String>,
}

fn model_used_as_input(v: &Vendor, name: &str) -> bool {
    fn mentions(t: &Type, name: &str) -> bool {
        match t {
            Type::Model(m) => m == name,
            Type::List(i) => mentions(i, name),
            _ => false,
        }
    }
    v.endpoints().any(|(_, e)| {
        e.inputs.iter().any(|x| match &x.kind {
            InputKind::Value { ty, .. } => mentions(ty, name),
            _ => false,
        })
    }) || v.groups.iter().flat_map(|g| &g.models).any(|m| {
        m.fields.iter().any(|f| mentions(&f.ty, name)) && model_used_as_input(v, &m.names.original) && m.names.original != name
    })
}

fn model(cx: &Ctx, m: &Model) -> NModel {
    NModel {
        name: m.names.original.clone(),
        doc: jsdoc(&m.doc.lines(), ""),
        input: model_used_as_input(cx.vendor, &m.names.original),
        fields: m
            .fields
            .iter()
            .map(|f| {
                let js = cx.field_name(f);
                let wire = f.names.original.clone();
                let mut d = f.doc.as_ref().map(Text::lines).unwrap_or_default();
                if !d.is_empty() {
                    d.push(String::new());
                }
                d.push(format!("Wire name `{wire}`."));
                NField {
                    convert: cx.convert(&f.ty, &format!("d[{}]", lit(&wire))),
                    unconvert: cx.unconvert(&f.ty, &format!("o[{}]", lit(&js))),
                    ts: cx.ts(&f.ty),
                    optional: !f.required,
                    required: f.required,
                    doc: jsdoc(&d, "  "),
                    js_lit: lit(&js),
                    wire_lit: lit(&wire),
                    js,
                    wire,
                }
            })
            .collect(),
    }
}

/// (JavaScript group, method) of an endpoint.
fn js_names(cx: &Ctx, g: &Group, e: &Endpoint) -> (String, String) {
    match (cx.wechat(), &e.cloud) {
        (true, Some(c)) => (c.group.clone(), c.method.clone()),
        (true, None) => (g.names.camel.clone(), e.names.camel.clone()),
        (false, _) => (g.names.camel.clone(), e.action.clone().unwrap_or_else(|| e.names.pascal.clone())),
    }
}

fn method(cx: &Ctx, g: &Group, e: &Endpoint, fetch: bool, params: &mut Vec<(String, String, String)>) -> NMethod {
    let (jg, jm) = js_names(cx, g, e);
    let name = if fetch { format!("{jm}Fetch") } else { jm.clone() };
    let params_name = format!("{}{}Params", heck::ToPascalCase::to_pascal_case(jg.as_str()), heck::ToPascalCase::to_pascal_case(name.as_str()));
    let mut values = Vec::new();
    let mut images = Vec::new();
    let mut members = Vec::new();
    let mut alternatives: Vec<(String, String, String, String)> = Vec::new();
    let mut required_any = false;
    for x in &e.inputs {
        let doc = x.doc.as_ref().map(|t| {
            let mut s = t.en.clone();
            if let Some(d) = &x.default {
                s.push_str(&format!(" (vendor default: {d})"));
            }
            s
        });
        match &x.kind {
            InputKind::Const { .. } => {}
            InputKind::Value { ty, wire, .. } => {
                let p = if cx.wechat() { wire.cloud.clone().unwrap_or_else(|| crate::names::cloud_camel(&wire.name)) } else { wire.name.clone() };
                let conv = match ty {
                    Type::Model(_) | Type::List(_) if cx.unconvert(ty, "v") != "v" => format!("(v) => {}", cx.unconvert(ty, "v")),
                    _ => "null".into(),
                };
                values.push(format!("[{}, {}, {conv}]", lit(&p), lit(&x.names.snake)));
                required_any |= x.required;
                members.push(format!(
                    "{}  {}{}: {};",
                    doc.as_ref().map(|d| format!("  {}\n", jsdoc(&[d.clone()], "  "))).unwrap_or_default(),
                    p,
                    if x.required { "" } else { "?" },
                    cx.ts(ty)
                ));
            }
            InputKind::Image { url, data } => {
                let (up, dp) = if cx.wechat() {
                    (url.cloud.clone().unwrap_or_else(|| crate::names::cloud_camel(&url.name)), data.cloud.clone().unwrap_or_else(|| crate::names::cloud_camel(&data.name)))
                } else {
                    (url.name.clone(), data.name.clone())
                };
                images.push(format!("[{}, {}, {}, {}]", lit(&x.names.snake), lit(&up), lit(&dp), data.base64));
                required_any |= x.required;
                let data_ty = if data.base64 { "string | Buffer | Uint8Array" } else { "CloudImage | Buffer | Uint8Array" };
                alternatives.push((up, dp, data_ty.to_string(), doc.unwrap_or_default()));
                let _ = x.required;
            }
        }
    }
    let ret = match (&e.output, fetch) {
        (_, true) | (Output::Binary, _) => if cx.wechat() { "CloudBinary".to_string() } else { "BinaryReply".to_string() },
        (Output::Model(m), false) => if cx.wechat() { format!("CloudResult<{m}>") } else { m.clone() },
    };
    let out = match (&e.output, fetch) {
        (_, true) | (Output::Binary, _) => "null".to_string(),
        (Output::Model(m), false) => format!("m_{m}"),
    };
    let display = e.cloud.as_ref().map(|c| c.full.clone()).unwrap_or_else(|| e.vendor_name().to_string());
    let warning = e.status_text().map(|n| format!(", deprecated: {}", lit(&n))).unwrap_or_default();
    let table = format!(
        "{{ call: {}, name: {}, values: [{}], images: [{}], out: {out}{warning} }}",
        lit(&format!("{}.{}{}", g.names.original, e.names.original, if fetch { "_fetch" } else { "" })),
        lit(&display),
        values.join(", "),
        images.join(", "),
    );
    // The params type: the value members, and for each picture either its URL or its data.
    let base = if members.is_empty() { "{}".to_string() } else { format!("{{\n{}\n}}", members.join("\n")) };
    let mut ty = base;
    for (up, dp, dty, doc) in &alternatives {
        let d = if doc.is_empty() { String::new() } else { format!("  {}\n", jsdoc(&[doc.clone()], "  ")) };
        ty = format!("{ty} & (\n  | {{\n{d}    {up}: string;\n    {dp}?: undefined;\n  }}\n  | {{\n{d}    {dp}: {dty};\n    {up}?: undefined;\n  }}\n)");
    }
    params.push((params_name.clone(), ty, String::new()));
    let mut d = e.summary.lines();
    d.push(String::new());
    d.push(e.wire_line(g, md_code, "openapi."));
    if fetch {
        if let Some(t) = &e.then_fetch {
            d.push(String::new());
            d.push(format!("Then fetches the result with `{}.{}`: the picture in one call.", t.group, t.endpoint));
        }
    }
    if let Some(q) = &e.quota {
        d.push(String::new());
        d.push(format!("Quota: {}", q.en));
    }
    let status = e.status_text();
    let deprecated = status.is_some();
    if let Some(n) = status {
        d.push(String::new());
        d.push(format!("@deprecated {n}"));
    }
    NMethod { name, doc: jsdoc(&d, "  "), table, params_type: String::new(), params_name, params_optional: !required_any, ret, deprecated }
}

fn vendor_files(cx: &Ctx) -> (VendorJs, VendorDts) {
    let v = cx.vendor;
    let models: Vec<NModel> = v.groups.iter().flat_map(|g| &g.models).map(|m| model(cx, m)).collect();
    let mut params = Vec::new();
    // JavaScript groups: WeChat's follow the cloud-call names (media.get_temp_media is
    // openapi.customerServiceMessage.getTempMedia), so several spec groups may meet in one.
    let mut groups: BTreeMap<String, NGroup> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (g, e) in v.endpoints() {
        let (jg, _) = js_names(cx, g, e);
        if !groups.contains_key(&jg) {
            order.push(jg.clone());
            groups.insert(
                jg.clone(),
                NGroup {
                    attr: jg.clone(),
                    class: format!("{}Api", heck::ToPascalCase::to_pascal_case(jg.as_str())),
                    doc: jsdoc(&[g.summary.en.clone()], "  "),
                    methods: Vec::new(),
                },
            );
        }
        let group = groups.get_mut(&jg).expect("inserted above");
        group.methods.push(method(cx, g, e, false, &mut params));
        if e.then_fetch.is_some() {
            group.methods.push(method(cx, g, e, true, &mut params));
        }
    }
    let groups: Vec<NGroup> = order.into_iter().filter_map(|k| groups.remove(&k)).collect();
    let client = v.kind.client();
    let header = header(&format!("spec/{}/", v.kind.key()));
    let js = VendorJs {
        header: header.clone(),
        is_wechat: cx.wechat(),
        client,
        models: models.iter().map(|m| NModel { name: m.name.clone(), doc: m.doc.clone(), input: m.input, fields: m.fields.iter().map(clone_field).collect() }).collect(),
        groups: groups.iter().map(clone_group).collect(),
    };
    let dts = VendorDts { header, is_wechat: cx.wechat(), client, models, groups, params };
    (js, dts)
}

fn clone_field(f: &NField) -> NField {
    NField {
        js: f.js.clone(),
        wire: f.wire.clone(),
        js_lit: f.js_lit.clone(),
        wire_lit: f.wire_lit.clone(),
        ts: f.ts.clone(),
        optional: f.optional,
        doc: f.doc.clone(),
        convert: f.convert.clone(),
        unconvert: f.unconvert.clone(),
        required: f.required,
    }
}

fn clone_group(g: &NGroup) -> NGroup {
    NGroup {
        attr: g.attr.clone(),
        class: g.class.clone(),
        doc: g.doc.clone(),
        methods: g
            .methods
            .iter()
            .map(|m| NMethod {
                name: m.name.clone(),
                doc: m.doc.clone(),
                table: m.table.clone(),
                params_type: m.params_type.clone(),
                params_name: m.params_name.clone(),
                params_optional: m.params_optional,
                ret: m.ret.clone(),
                deprecated: m.deprecated,
            })
            .collect(),
    }
}

fn error_classes(api: &Api) -> (Vec<NErrorClass>, Vec<String>) {
    let mut by_code = Vec::new();
    let classes = api
        .named_exceptions()
        .into_iter()
        .map(|x| {
            let class = format!("{}Error", x.name);
            for (v, c, _) in &x.codes {
                by_code.push(format!("[{}, {class}],", lit(&format!("{} {c}", v.key()))));
            }
            let raised: Vec<String> = x.codes.iter().map(|(v, c, _)| format!("{} `{c}`", v.title())).collect();
            NErrorClass {
                base: x.category.error_class().to_string(),
                doc: jsdoc(&[x.codes[0].2.clone(), String::new(), format!("Thrown for: {}.", raised.join(", "))], ""),
                codes: format!("[{}]", x.codes.iter().map(|(v, c, _)| format!("[{}, {}]", lit(v.key()), lit(c))).collect::<Vec<_>>().join(", ")),
                name: class,
            }
        })
        .collect();
    (classes, by_code)
}

fn typecheck(api: &Api) -> TypecheckTs {
    let mut lines = Vec::new();
    for v in &api.vendors {
        let cx = Ctx { vendor: v };
        let var = if cx.wechat() { "wx" } else { "tc" };
        let mut dummy = Vec::new();
        for (g, e) in v.endpoints() {
            for fetch in [false, true] {
                if fetch && e.then_fetch.is_none() {
                    continue;
                }
                let m = method(&cx, g, e, fetch, &mut dummy);
                let (jg, _) = js_names(&cx, g, e);
                let mut args = Vec::new();
                for x in &e.inputs {
                    match &x.kind {
                        InputKind::Const { .. } => {}
                        InputKind::Value { ty, wire, .. } => {
                            let p = if cx.wechat() { wire.cloud.clone().unwrap_or_else(|| crate::names::cloud_camel(&wire.name)) } else { wire.name.clone() };
                            args.push(format!("{p}: {}", cx.sample(ty, 0)));
                        }
                        InputKind::Image { data, .. } => {
                            let dp = if cx.wechat() { data.cloud.clone().unwrap_or_else(|| crate::names::cloud_camel(&data.name)) } else { data.name.clone() };
                            let value = if cx.wechat() { "{ contentType: \"image/png\", value: image }" } else { "image.toString(\"base64\")" };
                            args.push(format!("{dp}: {value}"));
                        }
                    }
                }
                let local = format!("{var}_{jg}_{}", m.name);
                lines.push(format!("const {local}: {} = await {var}.{jg}.{}({{ {} }});", qualify(&m.ret, var), m.name, args.join(", ")));
                lines.push(format!("void {local};"));
            }
        }
    }
    TypecheckTs { header: header("spec/"), lines }
}

/// A method's return type as the snippet names it: runtime types bare, models by their vendor module.
fn qualify(ret: &str, var: &str) -> String {
    let ns = if var == "wx" { "wechat" } else { "tencentcloud" };
    match ret.split_once('<') {
        Some((outer, inner)) => format!("{outer}<{ns}.{inner}"),
        None if ret == "CloudBinary" || ret == "BinaryReply" => ret.to_string(),
        None => format!("{ns}.{ret}"),
    }
}

pub fn render(api: &Api) -> Result<Vec<GeneratedFile>, askama::Error> {
    let mut out = Vec::new();
    for v in &api.vendors {
        let (js, dts) = vendor_files(&Ctx { vendor: v });
        out.push(GeneratedFile { path: format!("{LIB_DIR}/{}.js", v.kind.key()), contents: js.render()? + "\n" });
        out.push(GeneratedFile { path: format!("{LIB_DIR}/{}.d.ts", v.kind.key()), contents: dts.render()? + "\n" });
    }
    let (classes, by_code) = error_classes(api);
    let h = header("spec/*/errors.yaml");
    let dts = ErrorsDts {
        header: h.clone(),
        classes: classes.iter().map(|c| NErrorClass { name: c.name.clone(), base: c.base.clone(), doc: c.doc.clone(), codes: c.codes.clone() }).collect(),
    };
    out.push(GeneratedFile { path: format!("{LIB_DIR}/errors.js"), contents: ErrorsJs { header: h, classes, by_code }.render()? + "\n" });
    out.push(GeneratedFile { path: format!("{LIB_DIR}/errors.d.ts"), contents: dts.render()? + "\n" });
    out.push(GeneratedFile { path: format!("{TESTS_DIR}/typecheck.ts"), contents: typecheck(api).render()? + "\n" });
    if let Some(c) = &api.cloud_call {
        out.push(GeneratedFile { path: format!("{LIB_DIR}/cloud.js"), contents: cloud_files(c).render()? + "\n" });
        out.push(GeneratedFile { path: format!("{LIB_DIR}/cloud.d.ts"), contents: CloudDts { c: cloud_files(c) }.render()? + "\n" });
    }
    Ok(out)
}
