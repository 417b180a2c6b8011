//! Loads `spec/**/*.yaml`, checks every fact and reference, and lowers the spec into the IR.
//! Every fault names `file:line: path: message`; all faults are reported, not just the first.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use marked_yaml::{LoaderOptions, Spanned};

use crate::ir::*;
use crate::names::{cloud_camel, loose};
use crate::raw::{self, GroupFile, ErrorsFile, RawCloudCall, RawCloudShape, ScanFile, S};
use heck::ToSnakeCase;

/// One fault in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpecError {
    pub file: String,
    pub line: usize,
    pub path: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}:{}: {}: {}", self.file, self.line, self.path, self.message)
        }
    }
}

/// Every fault found, in file and line order.
#[derive(Debug, Clone)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// A spec file's text and its name as reported in errors.
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// Reads every `*.yaml` below `dir` (sorted), naming each `<prefix>/<relative path>`.
pub fn read_dir(dir: &Path, prefix: &str) -> std::io::Result<Vec<SourceFile>> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, std::path::PathBuf)>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let rel_name = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if entry.file_type()?.is_dir() {
                walk(&path, &rel_name, out)?;
            } else if name.ends_with(".yaml") {
                out.push((rel_name, path));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, "", &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|(rel, path)| {
            Ok(SourceFile { name: format!("{prefix}/{rel}"), text: std::fs::read_to_string(path)? })
        })
        .collect()
}

/// Loads the spec under `dir` (reported as `spec/...`).
pub fn load_dir(dir: &Path) -> Result<Api, SpecErrors> {
    let files = read_dir(dir, "spec").map_err(|e| {
        SpecErrors(vec![SpecError {
            file: dir.display().to_string(),
            line: 0,
            path: String::new(),
            message: format!("cannot read the spec: {e}"),
        }])
    })?;
    load(&files)
}

struct Ctx<'a> {
    files: &'a [SourceFile],
    errors: Vec<SpecError>,
}

impl Ctx<'_> {
    fn err_at(&mut self, file: usize, line: usize, path: &str, message: impl Into<String>) {
        self.errors.push(SpecError {
            file: self.files[file].name.clone(),
            line,
            path: path.to_string(),
            message: message.into(),
        });
    }
    fn err<T>(&mut self, file: usize, at: &Spanned<T>, path: &str, message: impl Into<String>) {
        self.err_at(file, line(at), path, message);
    }
}

fn line<T>(s: &Spanned<T>) -> usize {
    s.span().start().map(|m| m.line()).unwrap_or(0)
}

enum Parsed {
    Group(GroupFile),
    Errors(ErrorsFile),
    Scan(ScanFile),
}

/// The one spec file that is not a vendor's.
const SCAN_FILE: &str = "spec/scan.yaml";

/// Loads, validates and lowers a set of spec files.
pub fn load(files: &[SourceFile]) -> Result<Api, SpecErrors> {
    let mut cx = Ctx { files, errors: Vec::new() };
    let mut parsed = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let opts = LoaderOptions::default().error_on_duplicate_keys(true).toplevel_mapping();
        let node = match marked_yaml::parse_yaml_with_options(i, &f.text, opts) {
            Ok(n) => n,
            Err(e) => {
                let (line, msg) = load_error(&e);
                cx.err_at(i, line, "", msg);
                continue;
            }
        };
        let is_errors = f.name.ends_with("/errors.yaml");
        let result = if f.name == SCAN_FILE {
            marked_yaml::from_node::<ScanFile>(&node).map(Parsed::Scan)
        } else if is_errors {
            marked_yaml::from_node::<ErrorsFile>(&node).map(Parsed::Errors)
        } else {
            marked_yaml::from_node::<GroupFile>(&node).map(Parsed::Group)
        };
        match result {
            Ok(p) => parsed.push((i, p)),
            Err(e) => {
                let mut line = e.start_mark().map(|m| m.line()).unwrap_or(0);
                let mut path = e.path().unwrap_or("").trim_start_matches('.').to_string();
                let msg = match &*e {
                    marked_yaml::Error::UnknownFieldError(f, expected, _) => {
                        // serde's path cannot name spanned map keys: find the key in the tree.
                        if let Some((l, p)) = locate_unknown(&node, f, expected, &mut Vec::new()) {
                            (line, path) = (l, p);
                        }
                        format!("unknown key \"{f}\" (expected one of: {})", expected.join(", "))
                    }
                    other => {
                        if path.contains('?') {
                            path = path_at_line(&node, line).unwrap_or(path);
                        }
                        other.to_string()
                    }
                };
                cx.err_at(i, line, &path, msg);
            }
        }
    }

    let mut vendors: BTreeMap<VendorKind, (Vec<(usize, GroupFile)>, Option<(usize, ErrorsFile)>)> =
        BTreeMap::new();
    let mut scan_file = None;
    for (i, p) in parsed {
        let p = match p {
            Parsed::Scan(s) => {
                scan_file = Some((i, s));
                continue;
            }
            other => other,
        };
        let (vendor, at) = match &p {
            Parsed::Group(g) => (&g.vendor, &g.vendor),
            Parsed::Errors(e) => (&e.vendor, &e.vendor),
            Parsed::Scan(_) => continue,
        };
        let kind = match vendor.as_str() {
            "wechat" => VendorKind::WeChat,
            "tencentcloud" => VendorKind::TencentCloud,
            other => {
                cx.err(i, at, "vendor", format!("unknown vendor \"{other}\" (wechat | tencentcloud)"));
                continue;
            }
        };
        let dir = format!("spec/{}/", kind.key());
        if !files[i].name.starts_with(&dir) {
            cx.err(i, at, "vendor", format!("a {} file belongs under {dir}", kind.key()));
        }
        let slot = vendors.entry(kind).or_default();
        match p {
            Parsed::Group(g) => slot.0.push((i, g)),
            Parsed::Scan(_) => {}
            Parsed::Errors(e) => {
                if slot.1.is_some() {
                    cx.err(i, &e.vendor, "", "a second errors file for this vendor");
                } else {
                    slot.1 = Some((i, e));
                }
            }
        }
    }

    let mut api = Api { vendors: Vec::new(), scan: None, cloud_call: None };
    for (kind, (groups, _)) in &vendors {
        for (i, g) in groups {
            let Some(c) = &g.cloud_call else { continue };
            if *kind != VendorKind::WeChat {
                cx.err(*i, &g.vendor, "cloud_call", "cloud_call is WeChat's (wx-server-sdk)");
            } else if api.cloud_call.is_some() {
                cx.err(*i, &c.cloudbase_token_param, "cloud_call", "a second cloud_call block: give it once");
            } else {
                api.cloud_call = Some(lower_cloud_call(&mut cx, *i, c));
            }
        }
    }
    for (kind, (groups, errors)) in vendors {
        if let Some(v) = lower_vendor(&mut cx, kind, groups, errors) {
            api.vendors.push(v);
        }
    }
    if let Some((i, f)) = scan_file {
        api.scan = lower_scan(&mut cx, i, f, &api.vendors);
    }
    // One exception name, one category: bindings derive the class's base from it.
    let mut exceptions: BTreeMap<String, (Category, String)> = BTreeMap::new();
    for v in &api.vendors {
        for e in &v.errors {
            let Some(x) = &e.exception else { continue };
            match exceptions.get(x) {
                Some((c, first)) if *c != e.category => {
                    let file = cx.files.iter().position(|f| f.name == v.errors_file).unwrap_or(0);
                    cx.err_at(file, 0, &format!("errors.{}.exception", e.code), format!(
                        "exception {x} is also used by {first}, of category {}; one exception name needs one category",
                        c.key()
                    ));
                }
                Some(_) => {}
                None => {
                    exceptions.insert(x.clone(), (e.category, format!("{} {}", v.kind.key(), e.code)));
                }
            }
        }
    }
    if cx.errors.is_empty() {
        Ok(api)
    } else {
        cx.errors.sort();
        cx.errors.dedup();
        Err(SpecErrors(cx.errors))
    }
}

fn key_line(k: &marked_yaml::types::MarkedScalarNode) -> usize {
    k.span().start().map(|m| m.line()).unwrap_or(0)
}

/// The mapping holding `key` among otherwise expected keys: (line of the key, its dotted path).
fn locate_unknown(node: &marked_yaml::Node, key: &str, expected: &[&str], path: &mut Vec<String>) -> Option<(usize, String)> {
    use marked_yaml::Node;
    match node {
        Node::Mapping(m) => {
            if let Some(k) = m.keys().find(|k| k.as_str() == key) {
                if m.keys().all(|k| k.as_str() == key || expected.contains(&k.as_str())) {
                    path.push(key.to_string());
                    return Some((key_line(k), path.join(".")));
                }
            }
            for (k, v) in m.iter() {
                path.push(k.as_str().to_string());
                if let Some(found) = locate_unknown(v, key, expected, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        Node::Sequence(s) => {
            for (i, v) in s.iter().enumerate() {
                path.push(i.to_string());
                if let Some(found) = locate_unknown(v, key, expected, path) {
                    return Some(found);
                }
                path.pop();
            }
            None
        }
        Node::Scalar(_) => None,
    }
}

/// The dotted path of the last key at or before `line` (document order, deepest first).
fn path_at_line(node: &marked_yaml::Node, line: usize) -> Option<String> {
    fn walk(node: &marked_yaml::Node, line: usize, path: &mut Vec<String>, best: &mut Option<(usize, String)>) {
        if let marked_yaml::Node::Mapping(m) = node {
            for (k, v) in m.iter() {
                let l = key_line(k);
                if l > line {
                    break;
                }
                path.push(k.as_str().to_string());
                if best.as_ref().is_none_or(|(bl, _)| l >= *bl) {
                    *best = Some((l, path.join(".")));
                }
                walk(v, line, path, best);
                path.pop();
            }
        }
    }
    let mut best = None;
    walk(node, line, &mut Vec::new(), &mut best);
    best.map(|(_, p)| p)
}

fn load_error(e: &marked_yaml::LoadError) -> (usize, String) {
    use marked_yaml::LoadError::*;
    let text = e.to_string();
    let line = match e {
        TopLevelMustBeMapping(m) | TopLevelMustBeSequence(m) | UnexpectedAnchor(m)
        | MappingKeyMustBeScalar(m) | UnexpectedTag(m) | ScanError(m, _) => m.line(),
        DuplicateKey(d) => d.key.span().start().map(|m| m.line()).unwrap_or(0),
    };
    // Drop the marker prefix the library puts in front; we print our own.
    let msg = match text.split_once(": ") {
        Some((head, rest)) if head.contains("line") || head.chars().any(|c| c.is_ascii_digit()) => rest.to_string(),
        _ => text,
    };
    (line, msg)
}

fn lower_vendor(
    cx: &mut Ctx,
    kind: VendorKind,
    groups: Vec<(usize, GroupFile)>,
    errors: Option<(usize, ErrorsFile)>,
) -> Option<Vendor> {
    let errors_file = format!("spec/{}/errors.yaml", kind.key());
    let mut codes = Vec::new();
    // Present but unreadable: its own fault is reported; it is neither missing nor empty.
    let errors_unreadable = errors.is_none() && cx.files.iter().any(|f| f.name == errors_file);
    match &errors {
        None if errors_unreadable => {}
        None => {
            let i = groups.first().map(|g| g.0)?;
            cx.err_at(i, 1, "", format!("{errors_file} is missing"));
        }
        Some((i, ef)) => {
            for (code, e) in &ef.errors {
                let path = format!("errors.{}", code.as_str());
                let category = match Category::ALL.iter().find(|(k, _)| *k == e.category.as_str()) {
                    Some((_, c)) => *c,
                    None => {
                        cx.err(*i, &e.category, &path, format!(
                            "unknown category \"{}\" ({})",
                            e.category.as_str(),
                            Category::ALL.map(|(k, _)| k).join(" | ")
                        ));
                        Category::System
                    }
                };
                match kind {
                    VendorKind::WeChat if code.parse::<i64>().is_err() => {
                        cx.err(*i, code, &path, "a WeChat errcode is a number");
                    }
                    VendorKind::TencentCloud if code.parse::<i64>().is_ok() || code.contains(' ') => {
                        cx.err(*i, code, &path, "a Tencent Cloud code is a name like AuthFailure.SignatureFailure");
                    }
                    _ => {}
                }
                if let Some(x) = &e.exception {
                    let ok = x.as_str().chars().next().is_some_and(|c| c.is_ascii_uppercase())
                        && x.as_str().chars().all(|c| c.is_ascii_alphanumeric())
                        && !x.as_str().ends_with("Error");
                    if !ok {
                        cx.err(*i, x, &format!("{path}.exception"), "an exception name is PascalCase ASCII without the Error suffix (CertificateNotFound)");
                    }
                }
                codes.push(ErrorCode {
                    code: code.to_string(),
                    errmsg: e.errmsg.clone(),
                    category,
                    global: e.global,
                    exception: e.exception.as_ref().map(|x| x.as_str().to_string()),
                    text: Text { zh: e.zh.clone(), en: e.en.clone() },
                });
            }
        }
    }
    let known_codes: BTreeSet<String> = codes.iter().map(|c| c.code.clone()).collect();
    let known_codes = (!errors_unreadable).then_some(&known_codes);
    let global_codes: BTreeSet<String> = codes.iter().filter(|c| c.global).map(|c| c.code.clone()).collect();

    // Pass 1: every model and enum name of the vendor, for references across files.
    let mut type_names: BTreeMap<String, (bool, usize, usize)> = BTreeMap::new(); // name -> (is_enum, file, line)
    let mut group_names: BTreeMap<String, usize> = BTreeMap::new();
    for (i, g) in &groups {
        if let Some(prev) = group_names.insert(g.group.to_string(), *i) {
            let other = cx.files[prev].name.clone();
            cx.err(*i, &g.group, "group", format!("duplicate group \"{}\" (also in {other})", g.group.as_str()));
        }
        for (name, is_enum) in g.models.keys().map(|k| (k, false)).chain(g.enums.keys().map(|k| (k, true))) {
            let what = if is_enum { "enums" } else { "models" };
            if !is_pascal(name) {
                cx.err(*i, name, &format!("{what}.{}", name.as_str()), "type names are PascalCase");
            }
            if name.ends_with("Request") {
                cx.err(*i, name, &format!("{what}.{}", name.as_str()), "the suffix Request is reserved for generated argument types");
            }
            if groups.iter().any(|(_, g2)| Names::new(&g2.group).pascal == name.as_str()) {
                cx.err(*i, name, &format!("{what}.{}", name.as_str()), "a type may not share its name with a group");
            }
            if let Some((_, f, l)) = type_names.get(name.as_str()) {
                let other = format!("{}:{l}", cx.files[*f].name);
                cx.err(*i, name, &format!("{what}.{}", name.as_str()), format!("duplicate type name (first defined at {other})"));
            } else {
                type_names.insert(name.to_string(), (is_enum, *i, line(name)));
            }
        }
    }

    let mut out_groups = Vec::new();
    for (i, g) in &groups {
        let gname = g.group.as_str();
        if !is_snake(gname) {
            cx.err(*i, &g.group, "group", "group names are snake_case");
        }
        let host = match (&g.host, kind) {
            (Some(h), _) => h.to_string(),
            (None, VendorKind::WeChat) => "api.weixin.qq.com".to_string(),
            (None, VendorKind::TencentCloud) => {
                if !g.endpoints.is_empty() {
                    cx.err(*i, &g.group, "host", "a Tencent Cloud group needs its host");
                }
                String::new()
            }
        };
        if kind == VendorKind::TencentCloud && !g.endpoints.is_empty() {
            if g.service.is_none() {
                cx.err(*i, &g.group, "service", "a Tencent Cloud group needs its signing service");
            }
            if g.version.is_none() {
                cx.err(*i, &g.group, "version", "a Tencent Cloud group needs its API version");
            }
        }
        if kind == VendorKind::WeChat && (g.service.is_some() || g.version.is_some()) {
            cx.err(*i, &g.group, "service", "service and version are Tencent Cloud keys");
        }

        let enums = g
            .enums
            .iter()
            .map(|(name, e)| Enum {
                names: Names::new(name),
                doc: e.doc.clone(),
                values: e.values.iter().map(|(v, d)| EnumValue { names: Names::new(v), doc: d.clone() }).collect(),
            })
            .collect();

        let mut models = Vec::new();
        for (mname, m) in &g.models {
            let mut fields = Vec::new();
            let mut seen = BTreeSet::new();
            for (fname, f) in &m.fields {
                let path = format!("models.{}.fields.{}", mname.as_str(), fname.as_str());
                let names = Names::new(fname);
                if !seen.insert(names.snake.clone()) {
                    cx.err(*i, fname, &path, format!("two fields map to the name \"{}\"", names.snake));
                }
                let ty = resolve_type(cx, *i, &f.ty, &path, &type_names, false);
                let cloud = check_cloud(cx, *i, kind, fname, f.cloud.as_ref(), &path);
                fields.push(Field { names, cloud, ty, required: f.required, secret: f.secret, doc: f.doc.clone() });
            }
            models.push(Model { names: Names::new(mname), doc: m.doc.clone(), fields });
        }

        let mut endpoints = Vec::new();
        for (id, e) in &g.endpoints {
            if let Some(ep) = lower_endpoint(cx, *i, kind, &host, id, e, &type_names, known_codes, &global_codes) {
                endpoints.push(ep);
            }
        }
        out_groups.push(Group {
            names: Names::new(gname),
            file: cx.files[*i].name.clone(),
            summary: g.summary.clone(),
            source: g.source.clone(),
            host,
            service: g.service.as_ref().map(|s| s.to_string()),
            version: g.version.as_ref().map(|s| s.to_string()),
            enums,
            models,
            endpoints,
        });
    }

    let mut vendor = Vendor { kind, groups: out_groups, errors: codes, errors_file };
    check_then_fetch(cx, &groups, &mut vendor);
    Some(vendor)
}

#[allow(clippy::too_many_arguments)]
fn lower_endpoint(
    cx: &mut Ctx,
    i: usize,
    kind: VendorKind,
    host: &str,
    id: &S,
    e: &raw::RawEndpoint,
    types: &BTreeMap<String, (bool, usize, usize)>,
    known_codes: Option<&BTreeSet<String>>,
    global_codes: &BTreeSet<String>,
) -> Option<Endpoint> {
    let base = format!("endpoints.{}", id.as_str());
    if !is_snake(id) {
        cx.err(i, id, &base, "endpoint ids are snake_case");
    }
    let names = Names::new(id);

    // The vendor's own name of the endpoint, and its loose match with the id.
    let mut cloud = None;
    match kind {
        VendorKind::WeChat => {
            if e.action.is_some() || !e.regions.is_empty() {
                cx.err(i, id, &base, "action and regions are Tencent Cloud keys");
            }
            match &e.cloud {
                None => cx.err(i, id, &format!("{base}.cloud"), "a WeChat endpoint needs its cloud-call name (<group>.<method>)"),
                Some(c) => match c.split_once('.') {
                    Some((cg, cm)) if !cg.is_empty() && !cm.is_empty() && !cm.contains('.') => {
                        if loose(cm) != loose(id) {
                            cx.err(i, c, &format!("{base}.cloud"), format!(
                                "cloud-call method \"{cm}\" does not match the endpoint id \"{}\"", id.as_str()
                            ));
                        }
                        cloud = Some(CloudName { full: c.to_string(), group: cg.to_string(), method: cm.to_string() });
                    }
                    _ => cx.err(i, c, &format!("{base}.cloud"), format!("\"{}\" is not <group>.<method>", c.as_str())),
                },
            }
        }
        VendorKind::TencentCloud => {
            if e.cloud.is_some() {
                cx.err(i, id, &format!("{base}.cloud"), "Tencent Cloud actions have no cloud-call name");
            }
            match &e.action {
                None => cx.err(i, id, &format!("{base}.action"), "a Tencent Cloud endpoint needs its action"),
                Some(a) if loose(a) != loose(id) => cx.err(i, a, &format!("{base}.action"), format!(
                    "action \"{}\" does not match the endpoint id \"{}\"", a.as_str(), id.as_str()
                )),
                _ => {}
            }
        }
    }

    let status_kind = match e.status.as_str() {
        "active" => StatusKind::Active,
        "deprecated" => StatusKind::Deprecated,
        "offline" => StatusKind::Offline,
        other => {
            cx.err(i, &e.status, &format!("{base}.status"), format!("unknown status \"{other}\" (active | deprecated | offline)"));
            StatusKind::Active
        }
    };
    if let Some(d) = &e.status_date {
        if !is_date(d) {
            cx.err(i, d, &format!("{base}.status_date"), "dates are YYYY-MM-DD");
        }
    }
    if status_kind == StatusKind::Offline && e.status_date.is_none() {
        cx.err(i, &e.status, &format!("{base}.status_date"), "an offline endpoint needs the date it went offline");
    }

    let method = e.method.to_string();
    if method != "GET" && method != "POST" {
        cx.err(i, &e.method, &format!("{base}.method"), format!("unknown method \"{method}\" (GET | POST)"));
    }
    if !e.path.starts_with('/') {
        cx.err(i, &e.path, &format!("{base}.path"), "paths start with /");
    }
    let auth = match (e.auth.as_str(), kind) {
        ("access_token", VendorKind::WeChat) => Auth::AccessToken,
        ("none", VendorKind::WeChat) => Auth::None,
        ("tc3", VendorKind::TencentCloud) => Auth::Tc3,
        (other, _) => {
            let allowed = if kind == VendorKind::WeChat { "access_token | none" } else { "tc3" };
            cx.err(i, &e.auth, &format!("{base}.auth"), format!("auth \"{other}\" is not one of {allowed} for {}", kind.key()));
            Auth::None
        }
    };

    let mut inputs = Vec::new();
    for (iid, inp) in &e.inputs {
        let path = format!("{base}.inputs.{}", iid.as_str());
        if let Some(input) = lower_input(cx, i, kind, iid, inp, &path, types, &method) {
            inputs.push(input);
        }
    }

    let output = match (&e.output.model, &e.output.binary) {
        (Some(m), None) => {
            match types.get(m.as_str()) {
                Some((false, _, _)) => {}
                _ => cx.err(i, m, &format!("{base}.output.model"), format!("unknown model \"{}\"", m.as_str())),
            }
            Output::Model(m.to_string())
        }
        (None, Some(b)) => {
            if b.as_str() != "image" {
                cx.err(i, b, &format!("{base}.output.binary"), "the only binary output is image");
            }
            Output::Binary
        }
        _ => {
            cx.err(i, id, &format!("{base}.output"), "give exactly one of model or binary");
            Output::Binary
        }
    };

    let mut errors = Vec::new();
    for code in &e.errors {
        if known_codes.is_some_and(|k| !k.contains(code.as_str())) {
            cx.err(i, code, &format!("{base}.errors"), format!("unknown error code {} (not in errors.yaml)", code.as_str()));
        }
        errors.push(code.to_string());
    }
    for (iid, inp) in &e.inputs {
        for (fault, code) in &inp.invalid {
            let p = format!("{base}.inputs.{}.invalid.{}", iid.as_str(), fault.as_str());
            if !crate::ir::FAULT_KINDS.contains(&fault.as_str()) {
                cx.err(i, fault, &p, format!("unknown fault kind \"{}\" ({})", fault.as_str(), crate::ir::FAULT_KINDS.join(" | ")));
            }
            if known_codes.is_some_and(|k| !k.contains(code.as_str())) {
                cx.err(i, code, &p, format!("unknown error code {} (not in errors.yaml)", code.as_str()));
            } else if known_codes.is_some() && !errors.contains(&code.to_string()) && !global_codes.contains(code.as_str()) {
                cx.err(i, code, &p, format!("error code {} is neither in the endpoint's errors nor global", code.as_str()));
            }
        }
    }

    let then_fetch = e.then_fetch.as_ref().map(|t| {
        let (group, endpoint) = t.endpoint.split_once('.').unwrap_or(("", t.endpoint.as_str()));
        ThenFetch {
            group: group.to_string(),
            endpoint: endpoint.to_string(),
            bind: t.bind.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    });
    Some(Endpoint {
        names,
        cloud,
        cloud_call: e.cloud_call,
        aliases: e.aliases.iter().map(|a| a.to_string()).collect(),
        action: e.action.as_ref().map(|a| a.to_string()),
        regions: e.regions.iter().map(|r| r.to_string()).collect(),
        summary: e.summary.clone(),
        status: Status {
            kind: status_kind,
            date: e.status_date.as_ref().map(|d| d.to_string()),
            note: e.status_note.clone(),
        },
        unconfirmed: e.unconfirmed.iter().map(|u| u.to_string()).collect(),
        method,
        host: host.to_string(),
        path: e.path.to_string(),
        auth,
        quota: e.quota.clone(),
        retry: e.retry,
        inputs,
        output,
        then_fetch,
        errors,
    })
}

#[allow(clippy::too_many_arguments)]
fn lower_input(
    cx: &mut Ctx,
    i: usize,
    kind: VendorKind,
    iid: &S,
    inp: &raw::RawInput,
    path: &str,
    types: &BTreeMap<String, (bool, usize, usize)>,
    method: &str,
) -> Option<Input> {
    if !is_snake(iid) {
        cx.err(i, iid, path, "input ids are snake_case");
    }
    let location = |cx: &mut Ctx, loc: &S, p: &str| -> Location {
        let l = match loc.as_str() {
            "query" => Location::Query,
            "multipart" => Location::Multipart,
            "json" => Location::Json,
            other => {
                cx.err(i, loc, p, format!("unknown location \"{other}\" (query | multipart | json)"));
                return Location::Query;
            }
        };
        if method == "GET" && l != Location::Query {
            cx.err(i, loc, p, "a GET request carries inputs in the query only");
        }
        if kind == VendorKind::TencentCloud && l != Location::Json {
            cx.err(i, loc, p, "Tencent Cloud inputs travel in the JSON body");
        }
        l
    };
    let wire_of = |cx: &mut Ctx, w: &raw::RawWire, p: &str| -> Wire {
        let loc = location(cx, &w.location, &format!("{p}.in"));
        let base64 = match w.encoding.as_ref().map(|e| e.as_str()) {
            None => false,
            Some("base64") => true,
            Some(other) => {
                cx.err(i, w.encoding.as_ref().unwrap(), &format!("{p}.encoding"), format!("unknown encoding \"{other}\" (base64)"));
                false
            }
        };
        let cloud = check_cloud(cx, i, kind, &w.wire, w.cloud.as_ref(), p);
        Wire { name: w.wire.to_string(), location: loc, cloud, base64 }
    };

    let limits = lower_limits(cx, i, inp.limits.as_ref(), path);
    let kind_ = match (&inp.ty, &inp.r#const) {
        (Some(t), None) if t.as_str() == "image" => {
            if inp.location.is_some() || inp.wire.is_some() || inp.cloud.is_some() {
                cx.err(i, t, path, "an image input says where it travels in url: and data:");
            }
            let (Some(url), Some(data)) = (&inp.url, &inp.data) else {
                cx.err(i, t, path, "an image input needs both url: and data:");
                return None;
            };
            let url = wire_of(cx, url, &format!("{path}.url"));
            let data = wire_of(cx, data, &format!("{path}.data"));
            if data.location == Location::Query {
                cx.err(i, t, &format!("{path}.data"), "image bytes cannot travel in the query");
            }
            if data.location == Location::Json && !data.base64 {
                cx.err(i, t, &format!("{path}.data"), "image bytes in JSON need encoding: base64");
            }
            InputKind::Image { url, data }
        }
        (Some(t), None) => {
            if inp.url.is_some() || inp.data.is_some() {
                cx.err(i, t, path, "url: and data: belong to image inputs");
            }
            let before = cx.errors.len();
            let ty = resolve_type(cx, i, t, &format!("{path}.type"), types, true);
            // An unresolved type stands in as string; checks against it would only add noise.
            let resolved = cx.errors.len() == before;
            let Some(loc) = &inp.location else {
                cx.err(i, t, &format!("{path}.in"), "say where the input travels (in: query | multipart | json)");
                return None;
            };
            let wire = raw::RawWire {
                wire: inp.wire.clone().unwrap_or_else(|| iid.clone()),
                location: loc.clone(),
                cloud: inp.cloud.clone(),
                encoding: None,
            };
            let wire = wire_of(cx, &wire, path);
            let comma = match inp.style.as_ref().map(|s| s.as_str()) {
                None => false,
                Some("comma") => true,
                Some(other) => {
                    cx.err(i, inp.style.as_ref().unwrap(), &format!("{path}.style"), format!("unknown style \"{other}\" (comma)"));
                    false
                }
            };
            let is_list = matches!(ty, Type::List(_));
            if resolved && comma && !is_list {
                cx.err(i, t, &format!("{path}.style"), "style: comma is for list inputs");
            }
            if is_list && !comma && wire.location != Location::Json {
                cx.err(i, t, &format!("{path}.style"), "a list outside JSON needs style: comma");
            }
            if resolved {
                check_limits_fit(cx, i, t, &ty, &limits, path);
                if let Some(d) = &inp.default {
                    check_default(cx, i, d, &ty, path);
                }
            }
            InputKind::Value { ty, wire, comma }
        }
        (None, Some(c)) => {
            let Some(loc) = &inp.location else {
                cx.err(i, c, &format!("{path}.in"), "say where the constant travels");
                return None;
            };
            let wire = raw::RawWire {
                wire: inp.wire.clone().unwrap_or_else(|| iid.clone()),
                location: loc.clone(),
                cloud: inp.cloud.clone(),
                encoding: None,
            };
            InputKind::Const { value: c.to_string(), wire: wire_of(cx, &wire, path) }
        }
        (Some(t), Some(_)) => {
            cx.err(i, t, path, "give type: or const:, not both");
            return None;
        }
        (None, None) => {
            cx.err(i, iid, path, "an input needs type: or const:");
            return None;
        }
    };
    let wire_name = match &kind_ {
        InputKind::Value { wire, .. } | InputKind::Const { wire, .. } => Some(wire.name.clone()),
        InputKind::Image { .. } => None,
    };
    if let Some(w) = wire_name {
        if crate::names::Names::new(&w).snake != iid.as_str() {
            cx.err(i, iid, &format!("{path}.wire"), format!("wire name \"{w}\" does not match the input id \"{}\"", iid.as_str()));
        }
    }
    Some(Input {
        names: Names::new(iid),
        kind: kind_,
        required: inp.required,
        secret: inp.secret,
        default: inp.default.as_ref().map(|d| d.to_string()),
        limits,
        invalid: inp.invalid.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        doc: inp.doc.clone(),
    })
}

fn lower_limits(cx: &mut Ctx, i: usize, raw: Option<&Spanned<raw::RawLimits>>, path: &str) -> Limits {
    let Some(l) = raw else { return Limits::default() };
    let p = format!("{path}.limits");
    let charset = l.charset.as_ref().map(|c| match expand_charset(c) {
        Ok(set) => (c.clone(), set),
        Err(m) => {
            cx.err(i, l, &format!("{p}.charset"), m);
            (c.clone(), String::new())
        }
    });
    let mut formats = Vec::new();
    for f in l.formats.iter().flatten() {
        if !["jpeg", "png", "gif", "bmp", "webp", "pdf"].contains(&f.as_str()) {
            cx.err(i, l, &format!("{p}.formats"), format!("unknown format \"{f}\" (jpeg | png | gif | bmp | webp | pdf)"));
        }
        formats.push(f.clone());
    }
    if let (Some(a), Some(b)) = (l.min, l.max) {
        if a > b {
            cx.err(i, l, &p, "min is above max");
        }
    }
    if let (Some(a), Some(b)) = (l.min_chars, l.max_chars) {
        if a > b {
            cx.err(i, l, &p, "min_chars is above max_chars");
        }
    }
    Limits {
        max_bytes: l.max_bytes,
        max_base64_bytes: l.max_base64_bytes,
        min_chars: l.min_chars,
        max_chars: l.max_chars,
        charset,
        forbid_prefix: l.forbid_prefix.clone(),
        forbid_chars: l.forbid_chars.clone(),
        json_object: l.json_object,
        min: l.min,
        max: l.max,
        max_items: l.max_items,
        formats,
    }
}

/// Limits must make sense for the type they constrain.
fn check_limits_fit(cx: &mut Ctx, i: usize, at: &S, ty: &Type, l: &Limits, path: &str) {
    let item = match ty {
        Type::List(t) => t.as_ref(),
        t => t,
    };
    let p = format!("{path}.limits");
    let stringy = matches!(item, Type::String);
    let numeric = matches!(item, Type::Int | Type::Float);
    if !stringy && (l.max_bytes.is_some() || l.min_chars.is_some() || l.max_chars.is_some() || l.charset.is_some() || l.forbid_prefix.is_some() || l.forbid_chars.is_some() || l.json_object) {
        cx.err(i, at, &p, "string limits on an input that is not a string");
    }
    if !numeric && (l.min.is_some() || l.max.is_some()) {
        cx.err(i, at, &p, "min/max on an input that is not a number");
    }
    if l.max_items.is_some() && !matches!(ty, Type::List(_)) {
        cx.err(i, at, &p, "max_items on an input that is not a list");
    }
    if l.max_base64_bytes.is_some() || !l.formats.is_empty() {
        cx.err(i, at, &p, "image limits on an input that is not an image");
    }
}

fn check_default(cx: &mut Ctx, i: usize, d: &S, ty: &Type, path: &str) {
    let p = format!("{path}.default");
    let ok = match ty {
        Type::Int => d.parse::<i64>().is_ok(),
        Type::Float => d.parse::<f64>().is_ok(),
        Type::Bool => d.as_str() == "true" || d.as_str() == "false",
        Type::String => true,
        // Enum defaults are checked against the enum's values after lowering (check_then_fetch).
        Type::Enum(_) => true,
        _ => false,
    };
    if !ok {
        cx.err(i, d, &p, format!("default \"{}\" is not a valid value of the input's type", d.as_str()));
    }
}

fn resolve_type(
    cx: &mut Ctx,
    i: usize,
    t: &S,
    path: &str,
    types: &BTreeMap<String, (bool, usize, usize)>,
    input: bool,
) -> Type {
    fn parse(s: &str, types: &BTreeMap<String, (bool, usize, usize)>) -> Result<Type, String> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix("list<").and_then(|r| r.strip_suffix('>')) {
            return Ok(Type::List(Box::new(parse(inner, types)?)));
        }
        Ok(match s {
            "string" => Type::String,
            "int" => Type::Int,
            "float" => Type::Float,
            "bool" => Type::Bool,
            "image" => Type::Image,
            other => match types.get(other) {
                Some((true, _, _)) => Type::Enum(other.to_string()),
                Some((false, _, _)) => Type::Model(other.to_string()),
                None => return Err(format!("unknown type \"{other}\"")),
            },
        })
    }
    match parse(t, types) {
        Ok(Type::Image) if !input => {
            cx.err(i, t, path, "image is an input type; outputs use binary: image");
            Type::String
        }
        Ok(ty) => ty,
        Err(m) => {
            cx.err(i, t, path, m);
            Type::String
        }
    }
}

/// WeChat names must state their cloud-call camelCase name, and it must follow the SDK's rule.
fn check_cloud(cx: &mut Ctx, i: usize, kind: VendorKind, wire: &S, cloud: Option<&S>, path: &str) -> Option<String> {
    match (kind, cloud) {
        (VendorKind::WeChat, None) => {
            cx.err(i, wire, path, format!("missing cloud: (the cloud-call name, \"{}\")", cloud_camel(wire)));
            None
        }
        (VendorKind::WeChat, Some(c)) => {
            let expected = cloud_camel(wire);
            if c.as_str() != expected {
                cx.err(i, c, &format!("{path}.cloud"), format!(
                    "cloud-call name \"{}\" does not match the field \"{}\" (expected \"{expected}\")",
                    c.as_str(), wire.as_str()
                ));
            }
            Some(c.to_string())
        }
        (VendorKind::TencentCloud, Some(c)) => {
            cx.err(i, c, &format!("{path}.cloud"), "Tencent Cloud names have no cloud-call variant");
            None
        }
        (VendorKind::TencentCloud, None) => None,
    }
}

fn check_then_fetch(cx: &mut Ctx, raw_groups: &[(usize, GroupFile)], vendor: &mut Vendor) {
    let snapshot = vendor.clone();
    for (gi, g) in vendor.groups.iter().enumerate() {
        let (file, rg) = &raw_groups[gi];
        for e in &g.endpoints {
            let Some(t) = &e.then_fetch else { continue };
            let re = &rg.endpoints[e.names.original.as_str()];
            let at = &re.then_fetch.as_ref().unwrap().endpoint;
            let path = format!("endpoints.{}.then_fetch", e.names.original);
            if t.group.is_empty() {
                cx.err(*file, at, &path, format!("name the endpoint as <group>.<id>, not \"{}\"", t.endpoint));
                continue;
            }
            let Some((_, target)) = snapshot.find_endpoint(&t.group, &t.endpoint) else {
                cx.err(*file, at, &path, format!("unknown endpoint \"{}.{}\"", t.group, t.endpoint));
                continue;
            };
            if !matches!(target.output, Output::Binary) {
                cx.err(*file, at, &path, "then_fetch must name an endpoint with a binary output");
            }
            let out_model = match &e.output {
                Output::Model(m) => snapshot.model(m),
                Output::Binary => None,
            };
            // An unknown output model is reported at output.model; its fields cannot be checked.
            let unknown_model = matches!(&e.output, Output::Model(_)) && out_model.is_none();
            for (input, field) in &t.bind {
                if !target.inputs.iter().any(|x| &x.names.original == input) {
                    cx.err(*file, at, &path, format!("{}.{} has no input \"{input}\"", t.group, t.endpoint));
                }
                if out_model.is_some_and(|m| m.fields.iter().any(|f| &f.names.original == field && !f.required)) {
                    cx.err(*file, at, &path, format!("the output field \"{field}\" is optional; bind a required one"));
                }
                if !unknown_model && !out_model.is_some_and(|m| m.fields.iter().any(|f| &f.names.original == field)) {
                    cx.err(*file, at, &path, format!("the output has no field \"{field}\""));
                }
            }
            let bound: BTreeSet<&str> = t.bind.iter().map(|(k, _)| k.as_str()).collect();
            for x in &target.inputs {
                if x.required && !bound.contains(x.names.original.as_str()) {
                    cx.err(*file, at, &path, format!("required input \"{}\" is not bound", x.names.original));
                }
            }
        }
    }
    // Enum defaults name a value of the enum.
    for (gi, g) in vendor.groups.iter().enumerate() {
        let (file, rg) = &raw_groups[gi];
        for e in &g.endpoints {
            for x in &e.inputs {
                if let (InputKind::Value { ty: Type::Enum(en), .. }, Some(d)) = (&x.kind, &x.default) {
                    let values: Vec<&str> = snapshot
                        .groups
                        .iter()
                        .flat_map(|g| &g.enums)
                        .filter(|x| &x.names.original == en)
                        .flat_map(|x| x.values.iter().map(|v| v.names.original.as_str()))
                        .collect();
                    if !values.contains(&d.as_str()) {
                        let at = rg.endpoints[e.names.original.as_str()].inputs[x.names.original.as_str()].default.as_ref().unwrap();
                        let path = format!("endpoints.{}.inputs.{}.default", e.names.original, x.names.original);
                        cx.err(*file, at, &path, format!("\"{d}\" is not a value of {en} ({})", values.join(" | ")));
                    }
                }
            }
        }
    }
}

/// `0-9A-Za-z!#-` -> every allowed character, in order, without repeats.
pub fn expand_charset(spec: &str) -> Result<String, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut out: Vec<char> = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if k + 2 < chars.len() && chars[k + 1] == '-' {
            let end = chars[k + 2];
            if end < c {
                return Err(format!("charset range {c}-{end} runs backwards"));
            }
            out.extend(c..=end);
            k += 3;
        } else {
            out.push(c);
            k += 1;
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|c| seen.insert(*c));
    if out.is_empty() {
        return Err("empty charset".into());
    }
    Ok(out.into_iter().collect())
}

/// `cloud_call:`: the keys are camelCase JavaScript identifiers, the token parameter snake_case.
fn lower_cloud_call(cx: &mut Ctx, i: usize, c: &RawCloudCall) -> CloudCall {
    let mut shape = |what: &str, s: &RawCloudShape| {
        for (key, v) in [("type_key", &s.type_key), ("data_key", &s.data_key)] {
            let ok = v.starts_with(|c: char| c.is_ascii_lowercase()) && v.chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                cx.err(i, v, &format!("cloud_call.{what}.{key}"), format!("\"{}\" is not a camelCase name", v.as_str()));
            }
        }
        if s.type_key.as_str() == s.data_key.as_str() {
            cx.err(i, &s.data_key, &format!("cloud_call.{what}.data_key"), "the two keys must differ");
        }
        CloudShape { type_key: s.type_key.to_string(), data_key: s.data_key.to_string(), doc: s.doc.clone() }
    };
    let image = shape("image", &c.image);
    let binary = shape("binary", &c.binary);
    if !is_snake(c.cloudbase_token_param.as_str()) {
        cx.err(i, &c.cloudbase_token_param, "cloud_call.cloudbase_token_param", "a query parameter name in snake_case");
    }
    CloudCall {
        file: cx.files[i].name.clone(),
        source: c.source.clone(),
        image,
        binary,
        cloudbase_token_param: c.cloudbase_token_param.to_string(),
    }
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_pascal(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && s.chars().enumerate().all(|(k, c)| k == 4 || k == 7 || c.is_ascii_digit())
}

/// spec/scan.yaml: every kind names an endpoint that reads one picture, answers a JSON model and
/// needs nothing else but, optionally, a photo/scan mode.
fn lower_scan(cx: &mut Ctx, file: usize, f: ScanFile, vendors: &[Vendor]) -> Option<Scan> {
    let before = cx.errors.len();
    let mut kinds: Vec<ScanKind> = Vec::new();
    for (kind, raw) in &f.kinds {
        let path = format!("kinds.{}", kind.as_str());
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
            cx.err(file, kind, &path, "a kind is lowercase letters and digits, as callers write it (`drivinglicense`)");
        }
        let variant = raw.variant.as_str();
        if !variant.starts_with(|c: char| c.is_ascii_uppercase()) || !variant.chars().all(|c| c.is_ascii_alphanumeric()) {
            cx.err(file, &raw.variant, &format!("{path}.variant"), "the variant is PascalCase (`DrivingLicense`)");
        }
        if kinds.iter().any(|k| k.names.pascal == variant) {
            cx.err(file, &raw.variant, &format!("{path}.variant"), format!("variant {variant} is used twice"));
        }
        let parts: Vec<&str> = raw.endpoint.split('.').collect();
        let [vendor_key, group, id] = parts[..] else {
            cx.err(file, &raw.endpoint, &format!("{path}.endpoint"), "an endpoint is named vendor.group.id (`wechat.ocr.idcard`)");
            continue;
        };
        let Some(vendor) = vendors.iter().find(|v| v.kind.key() == vendor_key) else {
            cx.err(file, &raw.endpoint, &format!("{path}.endpoint"), format!("unknown vendor \"{vendor_key}\" (wechat | tencentcloud)"));
            continue;
        };
        let Some((g, e)) = vendor.find_endpoint(group, id) else {
            cx.err(file, &raw.endpoint, &format!("{path}.endpoint"), format!("no endpoint {id} in spec/{vendor_key}/ group {group}"));
            continue;
        };
        let Output::Model(model) = &e.output else {
            cx.err(file, &raw.endpoint, &format!("{path}.endpoint"), format!("{} answers a picture; a scan kind needs a JSON result", raw.endpoint.as_str()));
            continue;
        };
        let mut image = None;
        let mut mode = None;
        let mut mode_enum = None;
        for x in &e.inputs {
            match &x.kind {
                InputKind::Image { .. } if image.is_none() => image = Some(x.names.clone()),
                InputKind::Value { ty: Type::Enum(name), .. } if mode.is_none() && vendor.enum_values(name).iter().any(|v| v == "photo") => {
                    mode = Some(x.names.clone());
                    mode_enum = Some(name.clone());
                }
                InputKind::Const { .. } => {}
                _ if !x.required => {}
                _ => cx.err(file, &raw.endpoint, &format!("{path}.endpoint"), format!(
                    "{} needs input {}, which a scan cannot give (only the picture and the photo/scan mode)",
                    raw.endpoint.as_str(),
                    x.names.original
                )),
            }
        }
        let Some(image) = image else {
            cx.err(file, &raw.endpoint, &format!("{path}.endpoint"), format!("{} reads no picture", raw.endpoint.as_str()));
            continue;
        };
        if let (Some(m), Some(first)) = (&mode_enum, kinds.iter().find_map(|k| k.mode_enum.clone())) {
            if *m != first {
                cx.err(file, &raw.endpoint, &format!("{path}.endpoint"), format!("mode enum {m} differs from {first}: one mode enum for every kind"));
            }
        }
        let mut names = Names::new(&variant.to_snake_case());
        names.original = kind.to_string();
        kinds.push(ScanKind {
            names,
            doc: raw.doc.clone(),
            vendor: vendor.kind,
            group: g.names.clone(),
            endpoint: e.names.clone(),
            image,
            mode,
            mode_enum,
            model: model.clone(),
        });
    }
    if kinds.is_empty() {
        cx.err_at(file, 0, "kinds", "no kinds");
    }
    (cx.errors.len() == before).then_some(Scan { summary: f.summary, source: f.source, kinds })
}
