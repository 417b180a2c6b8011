//! The Python target: the typed surface of the `wxcv` package over its small compiled module.
//! One module per vendor (models, enums as `Literal` types, sync and async group classes, the
//! clients), `errors.py` (the exception tree and one class per named error code), the package
//! `__init__.py`, and a snippet calling every endpoint that `mypy --strict` checks in the suite.
//! Every Python name and annotation is decided here; the templates under `templates/python/` only print.

use askama::Template;

use crate::GeneratedFile;
use crate::ir::*;

/// The generated modules; `wxcv.wechat`, `wxcv.tencentcloud` and `wxcv.errors` re-export them.
pub const PACKAGE_DIR: &str = "bindings/python/python/wxcv/_gen";
pub const TESTS_DIR: &str = "bindings/python/tests/generated";

pub(crate) fn header(source: &str) -> String {
    crate::generated_header("#", source)
}

const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
    "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
    "return", "try", "while", "with", "yield",
];

/// A snake_case name usable as a Python identifier (`from` -> `from_`).
pub fn py_ident(snake: &str) -> String {
    if PY_KEYWORDS.contains(&snake) { format!("{snake}_") } else { snake.to_string() }
}

/// A Python string literal (double-quoted, escaped; non-ASCII kept).
fn lit(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text safe inside a triple-quoted docstring.
fn doc(s: &str) -> String {
    s.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

/// A whole docstring, `"""` included, its continuation lines indented by `indent`.
fn docstring(lines: &[String], indent: &str) -> String {
    let lines: Vec<&String> = {
        let mut v: Vec<&String> = lines.iter().collect();
        while v.last().is_some_and(|l| l.is_empty()) {
            v.pop();
        }
        v
    };
    if lines.len() <= 1 {
        return format!("\"\"\"{}\"\"\"", lines.first().map(|s| s.as_str()).unwrap_or(""));
    }
    let mut out = format!("\"\"\"{}", lines[0]);
    for l in &lines[1..] {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(indent);
            out.push_str(l);
        }
    }
    out.push('\n');
    out.push_str(indent);
    out.push_str("\"\"\"");
    out
}

/// A spec text's lines, safe inside a docstring.
fn doc_lines(t: &Text) -> Vec<String> {
    t.lines().iter().map(|l| doc(l)).collect()
}

struct Ctx<'a> {
    vendor: &'a Vendor,
}

impl Ctx<'_> {
    /// The annotation of a model field or an input value.
    fn ty(&self, t: &Type) -> String {
        match t {
            Type::String => "str".into(),
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Bool => "bool".into(),
            Type::Image => "ImageInput".into(),
            Type::List(inner) => format!("List[{}]", self.ty(inner)),
            Type::Model(m) | Type::Enum(m) => m.clone(),
        }
    }
    /// Converts a reply value `v` (already JSON) into the annotated type.
    fn from_json(&self, t: &Type, v: &str) -> String {
        match t {
            Type::Model(m) => format!("{m}.from_dict({v})"),
            Type::List(inner) => match inner.as_ref() {
                Type::Model(_) | Type::List(_) => format!("[{} for x in {v}]", self.from_json(inner, "x")),
                _ => format!("list({v})"),
            },
            _ => v.to_string(),
        }
    }
    /// Converts an attribute value `v` into JSON.
    fn to_json(&self, t: &Type, v: &str) -> String {
        match t {
            Type::Model(_) => format!("{v}.to_dict()"),
            Type::List(inner) => match inner.as_ref() {
                Type::Model(_) | Type::List(_) => format!("[{} for x in {v}]", self.to_json(inner, "x")),
                _ => format!("list({v})"),
            },
            _ => v.to_string(),
        }
    }
    /// A sample value of a type, for the type-check snippet (`m` = the vendor module's alias).
    fn sample(&self, t: &Type, m: &str, depth: usize) -> String {
        match t {
            Type::String => lit("x"),
            Type::Int => "1".into(),
            Type::Float => "1.0".into(),
            Type::Bool => "True".into(),
            Type::Image => "image".into(),
            Type::List(inner) => format!("[{}]", self.sample(inner, m, depth)),
            Type::Enum(e) => lit(self.vendor.enum_values(e).first().map(String::as_str).unwrap_or("")),
            Type::Model(name) => {
                let Some(model) = self.vendor.model(name) else { return "None".into() };
                let args: Vec<String> = model
                    .fields
                    .iter()
                    .filter(|f| f.required || depth == 0)
                    .map(|f| format!("{}={}", py_ident(&f.names.snake), self.sample(&f.ty, m, depth + 1)))
                    .collect();
                format!("{m}.{name}({})", args.join(", "))
            }
        }
    }
}

pub struct PyField {
    pub ident: String,
    pub wire: String,
    pub ann: String,
    /// ` = None`, ` = field(default_factory=list)` or empty.
    pub default: String,
    pub doc: String,
    pub required: bool,
    pub is_list: bool,
    pub from_json: String,
    pub to_json: String,
}

pub struct PyModel {
    pub name: String,
    pub doc: String,
    /// Required fields first (a dataclass needs them before the defaulted ones).
    pub fields: Vec<PyField>,
    pub secret: Vec<String>,
}

pub struct PyEnum {
    pub name: String,
    pub values: String,
    pub doc: String,
}

pub struct PyParam {
    pub ident: String,
    pub key: String,
    pub ann: String,
    pub required: bool,
    pub image: bool,
    pub doc: String,
}

pub struct PyMethod {
    pub name: String,
    /// The vendor's name, for errors raised before the core is called.
    pub display: String,
    /// `{"ratios": ratios}` and `{"image": image}`.
    pub values: String,
    pub images: String,
    /// The name `call_dynamic` takes.
    pub call: String,
    pub params: Vec<PyParam>,
    pub signature: String,
    pub ret: String,
    pub binary: bool,
    pub doc: String,
    pub deprecated: Option<String>,
}

pub struct PyGroup {
    pub attr: String,
    pub class: String,
    pub doc: String,
    pub methods: Vec<PyMethod>,
}

#[derive(Template)]
#[template(path = "python/vendor.py.txt", escape = "none")]
pub struct VendorTemplate {
    pub header: String,
    pub is_wechat: bool,
    pub modes: [Mode; 2],
    pub title: &'static str,
    pub client: &'static str,
    pub enums: Vec<PyEnum>,
    pub models: Vec<PyModel>,
    pub groups: Vec<PyGroup>,
    pub all: Vec<String>,
}

pub struct Mode {
    pub is_async: bool,
}

pub struct PyErrorClass {
    pub name: String,
    pub base: String,
    pub doc: String,
    /// `("wechat", "101001")`, ...
    pub codes: Vec<String>,
}

#[derive(Template)]
#[template(path = "python/errors.py.txt", escape = "none")]
pub struct ErrorsTemplate {
    pub header: String,
    pub classes: Vec<PyErrorClass>,
    /// `("wechat", "101001"): CertificateNotFoundError,`
    pub by_code: Vec<String>,
}

pub struct PyVendorRef {
    pub module: &'static str,
    pub client: &'static str,
    /// The module's alias and the client's variable in the type-check snippet.
    pub alias: &'static str,
    pub var: &'static str,
}

#[derive(Template)]
#[template(path = "python/init.py.txt", escape = "none")]
pub struct InitTemplate {
    pub header: String,
    pub vendors: Vec<PyVendorRef>,
}

pub struct PyCall {
    pub sync_line: String,
    pub async_line: String,
}

#[derive(Template)]
#[template(path = "python/typecheck.py.txt", escape = "none")]
pub struct TypecheckTemplate {
    pub header: String,
    pub vendors: Vec<PyVendorRef>,
    pub calls: Vec<PyCall>,
}

fn model(cx: &Ctx, m: &Model) -> PyModel {
    let mut fields: Vec<PyField> = m
        .fields
        .iter()
        .map(|f| {
            let ident = py_ident(&f.names.snake);
            let is_list = matches!(f.ty, Type::List(_));
            let base = cx.ty(&f.ty);
            let (ann, default) = if f.required {
                (base, String::new())
            } else if is_list {
                (base, " = field(default_factory=list)".to_string())
            } else {
                (format!("Optional[{base}]"), " = None".to_string())
            };
            let wire = lit(&f.names.original);
            let from_json = if f.required {
                cx.from_json(&f.ty, &format!("d[{wire}]"))
            } else if is_list {
                cx.from_json(&f.ty, &format!("(d.get({wire}) or [])"))
            } else {
                let inner = cx.from_json(&f.ty, &format!("d[{wire}]"));
                format!("{inner} if d.get({wire}) is not None else None")
            };
            let mut doc = f.doc.as_ref().map(doc_lines).unwrap_or_default();
            let mut wire_line = format!("Wire name `{}`", f.names.original);
            if let Some(c) = &f.cloud {
                wire_line.push_str(&format!("; cloud-call name `{c}`"));
            }
            if !doc.is_empty() {
                doc.push(String::new());
            }
            doc.push(wire_line + ".");
            PyField { to_json: cx.to_json(&f.ty, &format!("self.{ident}")), ident, wire, ann, default, doc: docstring(&doc, "    "), required: f.required, is_list, from_json }
        })
        .collect();
    fields.sort_by_key(|f| !f.required);
    PyModel {
        name: m.names.original.clone(),
        doc: docstring(&doc_lines(&m.doc), "    "),
        secret: m.fields.iter().filter(|f| f.secret).map(|f| lit(&py_ident(&f.names.snake))).collect(),
        fields,
    }
}

fn method(cx: &Ctx, g: &Group, e: &Endpoint, fetch: bool) -> PyMethod {
    let params: Vec<PyParam> = e
        .inputs
        .iter()
        .filter(|x| !matches!(x.kind, InputKind::Const { .. }))
        .map(|x| {
            let image = matches!(x.kind, InputKind::Image { .. });
            let ann = match &x.kind {
                InputKind::Image { .. } => "ImageInput".to_string(),
                InputKind::Value { ty, .. } => cx.ty(ty),
                InputKind::Const { .. } => String::new(),
            };
            let mut d = x.doc.as_ref().map(|t| t.en.clone()).unwrap_or_default();
            if let Some(def) = &x.default {
                d.push_str(&format!(" (vendor default: {def})"));
            }
            PyParam { ident: py_ident(&x.names.snake), key: lit(&x.names.snake), ann, required: x.required, image, doc: doc(d.trim()) }
        })
        .collect();
    let mut sig = vec!["self".to_string()];
    sig.extend(params.iter().filter(|p| p.required).map(|p| format!("{}: {}", p.ident, p.ann)));
    let optional: Vec<String> = params.iter().filter(|p| !p.required).map(|p| format!("{}: Optional[{}] = None", p.ident, p.ann)).collect();
    if !optional.is_empty() {
        sig.push("*".into());
        sig.extend(optional);
    }
    let binary = fetch || matches!(e.output, Output::Binary);
    let ret = match (&e.output, binary) {
        (_, true) => "BinaryImage".to_string(),
        (Output::Model(m), false) => m.clone(),
        (Output::Binary, false) => unreachable!(),
    };
    let mut d = doc_lines(&e.summary);
    d.push(String::new());
    d.push(e.wire_line(g, |s| format!("``{s}``"), ""));
    if fetch {
        if let Some(t) = &e.then_fetch {
            d.push(String::new());
            d.push(format!("Then fetches the result with ``{}.{}``: the picture in one call.", t.group, t.endpoint));
        }
    }
    if let Some(q) = &e.quota {
        d.push(String::new());
        d.push(format!("Quota: {}", doc(&q.en)));
    }
    if !e.regions.is_empty() {
        d.push(String::new());
        d.push(format!("Regions: {}.", e.regions.join(", ")));
    }
    let deprecated = e.status_text();
    if let Some(n) = &deprecated {
        d.push(String::new());
        d.push(format!(".. deprecated:: {}", doc(n)));
    }
    if params.iter().any(|p| !p.doc.is_empty()) {
        d.push(String::new());
        d.push("Args:".into());
        for p in &params {
            if !p.doc.is_empty() {
                d.push(format!("    {}: {}", p.ident, p.doc));
            }
        }
    }
    let name = if fetch { format!("{}_fetch", py_ident(&e.names.snake)) } else { py_ident(&e.names.snake) };
    let dict = |image: bool| {
        let items: Vec<String> = params.iter().filter(|p| p.image == image).map(|p| format!("{}: {}", p.key, p.ident)).collect();
        format!("{{{}}}", items.join(", "))
    };
    PyMethod {
        display: lit(e.vendor_name()),
        values: dict(false),
        images: dict(true),
        call: lit(&format!("{}.{}{}", g.names.original, e.names.original, if fetch { "_fetch" } else { "" })),
        name,
        signature: sig.join(", "),
        params,
        ret,
        binary,
        doc: docstring(&d, "        "),
        deprecated: deprecated.map(|n| lit(&n)),
    }
}

fn vendor_module(cx: &Ctx) -> VendorTemplate {
    let v = cx.vendor;
    let enums: Vec<PyEnum> = v
        .groups
        .iter()
        .flat_map(|g| &g.enums)
        .map(|e| PyEnum {
            name: e.names.original.clone(),
            values: e.values.iter().map(|x| lit(&x.names.original)).collect::<Vec<_>>().join(", "),
            doc: docstring(&doc_lines(&e.doc), ""),
        })
        .collect();
    let models: Vec<PyModel> = v.groups.iter().flat_map(|g| &g.models).map(|m| model(cx, m)).collect();
    let groups: Vec<PyGroup> = v
        .groups
        .iter()
        .filter(|g| !g.endpoints.is_empty())
        .map(|g| PyGroup {
            attr: py_ident(&g.names.snake),
            class: format!("{}Api", g.names.pascal),
            doc: doc(&g.summary.en),
            methods: g
                .endpoints
                .iter()
                .flat_map(|e| {
                    let mut m = vec![method(cx, g, e, false)];
                    if e.then_fetch.is_some() {
                        m.push(method(cx, g, e, true));
                    }
                    m
                })
                .collect(),
        })
        .collect();
    let client = v.kind.client();
    let mut all: Vec<String> = vec![client.to_string(), format!("Async{client}")];
    all.extend(enums.iter().map(|e| e.name.clone()));
    all.extend(models.iter().map(|m| m.name.clone()));
    for g in &groups {
        all.push(g.class.clone());
        all.push(format!("Async{}", g.class));
    }
    VendorTemplate {
        header: header(&format!("spec/{}/", v.kind.key())),
        is_wechat: v.kind == VendorKind::WeChat,
        modes: [Mode { is_async: false }, Mode { is_async: true }],
        title: match v.kind {
            VendorKind::WeChat => "WeChat's image APIs: models, and the sync and async clients",
            VendorKind::TencentCloud => "Tencent Cloud OCR (API 3.0): models, and the sync and async clients",
        },
        client,
        enums,
        models,
        groups,
        all: all.iter().map(|a| lit(a)).collect(),
    }
}

fn errors_module(api: &Api) -> ErrorsTemplate {
    let mut by_code = Vec::new();
    let classes = api
        .named_exceptions()
        .into_iter()
        .map(|x| {
            let class = format!("{}Error", x.name);
            let raised: Vec<String> = x.codes.iter().map(|(v, c, _)| format!("{} ``{c}``", v.title())).collect();
            let d = vec![doc(&x.codes[0].2), String::new(), format!("Raised for: {}.", raised.join(", "))];
            for (v, c, _) in &x.codes {
                by_code.push(format!("({}, {}): {class},", lit(v.key()), lit(c)));
            }
            PyErrorClass {
                base: x.category.error_class().to_string(),
                codes: x.codes.iter().map(|(v, c, _)| format!("({}, {})", lit(v.key()), lit(c))).collect(),
                doc: docstring(&d, "    "),
                name: class,
            }
        })
        .collect();
    ErrorsTemplate { header: header("spec/*/errors.yaml"), classes, by_code }
}

fn typecheck(api: &Api) -> TypecheckTemplate {
    let mut calls = Vec::new();
    for v in &api.vendors {
        let cx = Ctx { vendor: v };
        let m = match v.kind {
            VendorKind::WeChat => "wx",
            VendorKind::TencentCloud => "tc",
        };
        let var = match v.kind {
            VendorKind::WeChat => "w",
            VendorKind::TencentCloud => "t",
        };
        for (g, e) in v.endpoints() {
            for fetch in [false, true] {
                if fetch && e.then_fetch.is_none() {
                    continue;
                }
                let meth = method(&cx, g, e, fetch);
                let args: Vec<String> = e
                    .inputs
                    .iter()
                    .filter(|x| !matches!(x.kind, InputKind::Const { .. }))
                    .map(|x| {
                        let value = match &x.kind {
                            InputKind::Image { .. } => "image".to_string(),
                            InputKind::Value { ty, .. } => cx.sample(ty, m, 0),
                            InputKind::Const { .. } => String::new(),
                        };
                        format!("{}={value}", py_ident(&x.names.snake))
                    })
                    .collect();
                let ret = if meth.binary { "BinaryImage".to_string() } else { format!("{m}.{}", meth.ret) };
                let local = format!("{}_{}", py_ident(&g.names.snake), meth.name);
                let call = format!("{var}.{}.{}({})", py_ident(&g.names.snake), meth.name, args.join(", "));
                calls.push(PyCall { sync_line: format!("{local}: {ret} = {call}"), async_line: format!("{local}: {ret} = await {call}") });
            }
        }
    }
    TypecheckTemplate { header: header("spec/"), vendors: vendor_refs(api), calls }
}

fn vendor_refs(api: &Api) -> Vec<PyVendorRef> {
    api.vendors
        .iter()
        .map(|v| {
            let (alias, var) = match v.kind {
                VendorKind::WeChat => ("wx", "w"),
                VendorKind::TencentCloud => ("tc", "t"),
            };
            PyVendorRef { module: v.kind.key(), client: v.kind.client(), alias, var }
        })
        .collect()
}

pub fn render(api: &Api) -> Result<Vec<GeneratedFile>, askama::Error> {
    let mut out = Vec::new();
    for v in &api.vendors {
        let t = vendor_module(&Ctx { vendor: v });
        out.push(GeneratedFile { path: format!("{PACKAGE_DIR}/{}.py", v.kind.key()), contents: t.render()? + "\n" });
    }
    let errors = errors_module(api);
    out.push(GeneratedFile { path: format!("{PACKAGE_DIR}/errors.py"), contents: errors.render()? + "\n" });
    let init = InitTemplate { header: header("spec/"), vendors: vendor_refs(api) };
    out.push(GeneratedFile { path: format!("{PACKAGE_DIR}/__init__.py"), contents: init.render()? + "\n" });
    out.push(GeneratedFile { path: format!("{TESTS_DIR}/typecheck_every_endpoint.py"), contents: typecheck(api).render()? + "\n" });
    Ok(out)
}
