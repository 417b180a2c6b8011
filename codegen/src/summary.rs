//! A plain-text table of every endpoint's names in every language, its inputs and limits. Its
//! snapshot (codegen/tests/snapshots) is where a spec change shows at a glance in review.

use std::fmt::Write;

use crate::ir::*;

pub fn render(api: &Api) -> String {
    let mut s = String::new();
    for v in &api.vendors {
        let _ = writeln!(s, "# {}", v.kind.key());
        for (g, e) in v.endpoints() {
            let _ = writeln!(s, "\n{}.{} [{}] {} {}", g.names.snake, e.names.snake, status(e), e.method, e.path);
            let _ = writeln!(s, "  vendor name: {}", e.vendor_name());
            let _ = writeln!(s, "  rust/python: .{}().{}  cli: {} {}", g.names.snake, e.names.snake, g.names.kebab, e.names.kebab);
            if let Some(c) = &e.cloud {
                let _ = writeln!(s, "  node/kotlin/swift: {}.{}{}", c.group, c.method, if e.cloud_call { "" } else { " (no cloud call)" });
            } else {
                let _ = writeln!(s, "  node/kotlin/swift: {}.{}", g.names.camel, e.names.camel);
            }
            for x in &e.inputs {
                let (ty, wire) = match &x.kind {
                    InputKind::Image { url, data } => ("image".to_string(), format!("url->{}:{} data->{}:{}{}", loc(url.location), url.name, loc(data.location), data.name, if data.base64 { " (base64)" } else { "" })),
                    InputKind::Value { ty, wire, .. } => (ty_name(ty), format!("{}:{}", loc(wire.location), wire.name)),
                    InputKind::Const { value, wire } => (format!("const {value}"), format!("{}:{}", loc(wire.location), wire.name)),
                };
                let _ = write!(s, "  - {}: {ty}{} @ {wire}", x.names.snake, if x.required { "" } else { "?" });
                if let Some(d) = &x.default {
                    let _ = write!(s, " = {d}");
                }
                if !x.limits.is_empty() {
                    let _ = write!(s, " limits {}", limits(&x.limits));
                }
                let _ = writeln!(s);
            }
            let out = match &e.output {
                Output::Model(m) => m.clone(),
                Output::Binary => "binary image".into(),
            };
            let _ = writeln!(s, "  -> {out}; errors: {}", e.errors.join(" "));
        }
        let _ = writeln!(s);
    }
    s
}

fn status(e: &Endpoint) -> String {
    match (&e.status.kind, &e.status.date) {
        (StatusKind::Active, _) => "active".into(),
        (StatusKind::Deprecated, None) => "deprecated".into(),
        (StatusKind::Deprecated, Some(d)) => format!("deprecated {d}"),
        (StatusKind::Offline, d) => format!("offline {}", d.as_deref().unwrap_or("")),
    }
}

fn loc(l: Location) -> &'static str {
    match l {
        Location::Query => "query",
        Location::Multipart => "multipart",
        Location::Json => "json",
    }
}

fn ty_name(t: &Type) -> String {
    match t {
        Type::String => "string".into(),
        Type::Int => "int".into(),
        Type::Float => "float".into(),
        Type::Bool => "bool".into(),
        Type::Image => "image".into(),
        Type::List(i) => format!("list<{}>", ty_name(i)),
        Type::Model(m) | Type::Enum(m) => m.clone(),
    }
}

fn limits(l: &Limits) -> String {
    let mut v = Vec::new();
    if let Some(x) = l.max_bytes { v.push(format!("max_bytes={x}")); }
    if let Some(x) = l.max_base64_bytes { v.push(format!("max_base64_bytes={x}")); }
    if let Some(x) = l.min_chars { v.push(format!("min_chars={x}")); }
    if let Some(x) = l.max_chars { v.push(format!("max_chars={x}")); }
    if let Some((w, _)) = &l.charset { v.push(format!("charset={w}")); }
    if let Some(x) = &l.forbid_prefix { v.push(format!("forbid_prefix={x:?}")); }
    if let Some(x) = &l.forbid_chars { v.push(format!("forbid_chars={x:?}")); }
    if l.json_object { v.push("json_object".into()); }
    if let Some(x) = l.min { v.push(format!("min={x}")); }
    if let Some(x) = l.max { v.push(format!("max={x}")); }
    if let Some(x) = l.max_items { v.push(format!("max_items={x}")); }
    if !l.formats.is_empty() { v.push(format!("formats={}", l.formats.join(","))); }
    v.join(" ")
}
