//! Seed 002's `ocr.scan` (spec/scan.yaml) in every target: the kind enum, the tagged result and
//! the dispatch to each kind's endpoint. Each target's file comes from `templates/<target>/scan.*`.

use askama::Template;

use crate::GeneratedFile;
use crate::ir::*;
use crate::names::rust_ident;

fn find<'a>(api: &'a Api, k: &ScanKind) -> (&'a Vendor, &'a Group, &'a Endpoint) {
    let v = api.vendors.iter().find(|v| v.kind == k.vendor).expect("the loader resolved every kind's vendor");
    let (g, e) = v.find_endpoint(&k.group.original, &k.endpoint.original).expect("the loader resolved every kind's endpoint");
    (v, g, e)
}

fn list(xs: impl Iterator<Item = String>) -> String {
    xs.collect::<Vec<_>>().join(", ")
}

pub struct RKind {
    pub wire: String,
    pub variant: String,
    pub doc: String,
    pub vendor: String,
    pub vendor_key: String,
    pub endpoint_name: String,
    pub request: String,
    pub group: String,
    pub method: String,
    pub mode: Option<String>,
    pub model: String,
}

#[derive(Template)]
#[template(path = "rust/scan.rs.txt", escape = "none")]
pub struct RustScan {
    pub header: String,
    pub summary: String,
    pub kinds: Vec<RKind>,
    pub first_wire: String,
    pub first_endpoint: String,
    pub wires: String,
    pub kind_list: String,
    pub wechat_kinds: String,
    pub tencent_kinds: String,
    pub mode_kinds: String,
    pub mode_enum: String,
    pub has_mode: String,
}

/// The kinds that take a mode, by their wire names.
fn mode_kinds(scan: &Scan) -> String {
    list(scan.kinds.iter().filter(|k| k.mode.is_some()).map(|k| k.names.original.clone()))
}

fn of_vendor(scan: &Scan, v: VendorKind) -> String {
    list(scan.kinds.iter().filter(|k| k.vendor == v).map(|k| format!("`{}`", k.names.original)))
}

pub fn rust(api: &Api, scan: &Scan) -> Result<GeneratedFile, askama::Error> {
    let kinds: Vec<RKind> = scan
        .kinds
        .iter()
        .map(|k| {
            let (v, g, e) = find(api, k);
            let cx = crate::rust::Ctx { vendor: v };
            let module = format!("crate::{}", v.kind.key());
            RKind {
                wire: k.names.original.clone(),
                variant: k.names.pascal.clone(),
                doc: k.doc.en.clone(),
                vendor: format!("crate::Vendor::{}", v.kind.client()),
                vendor_key: v.kind.key().to_string(),
                endpoint_name: e.vendor_name().to_string(),
                request: format!("{module}::{}", cx.request_name(g, e)),
                group: rust_ident(&g.names.snake),
                method: rust_ident(&e.names.snake),
                mode: k.mode.as_ref().map(|m| rust_ident(&m.snake)),
                model: format!("{module}::{}", k.model),
            }
        })
        .collect();
    let mode_enum = match scan.kinds.iter().find(|k| k.mode_enum.is_some()) {
        Some(k) => format!("crate::{}::{}", k.vendor.key(), k.mode_enum.as_deref().unwrap_or_default()),
        None => "std::convert::Infallible".into(),
    };
    let with_mode: Vec<String> = kinds.iter().filter(|k| k.mode.is_some()).map(|k| format!("ScanKind::{}", k.variant)).collect();
    let t = RustScan {
        header: crate::rust::header("spec/scan.yaml"),
        summary: scan.summary.en.clone(),
        first_wire: kinds[0].wire.clone(),
        first_endpoint: kinds[0].endpoint_name.clone(),
        wires: list(kinds.iter().map(|k| k.wire.clone())),
        kind_list: list(kinds.iter().map(|k| format!("`{}` → {}", k.wire, k.endpoint_name))),
        wechat_kinds: of_vendor(scan, VendorKind::WeChat),
        tencent_kinds: of_vendor(scan, VendorKind::TencentCloud),
        mode_kinds: mode_kinds(scan),
        mode_enum,
        has_mode: if with_mode.is_empty() { "false".into() } else { format!("matches!(self, {})", with_mode.join(" | ")) },
        kinds,
    };
    Ok(GeneratedFile { path: format!("{}/scan.rs", crate::rust::OUT_DIR), contents: t.render()? + "\n" })
}

/// Every target's `ocr.scan` file.
pub fn render(api: &Api, scan: &Scan) -> Result<Vec<GeneratedFile>, askama::Error> {
    Ok(vec![rust(api, scan)?, python(api, scan)?, node_js(api, scan)?, node_dts(api, scan)?, mobile(api, scan)?])
}

pub struct PyKind {
    pub wire: String,
    pub class_name: String,
    pub doc: String,
    pub call: String,
    pub model: String,
    pub vendor: String,
    pub vendor_key: String,
    pub endpoint_name: String,
    pub group: String,
    pub method: String,
    pub mode: Option<String>,
}

#[derive(Template)]
#[template(path = "python/scan.py.txt", escape = "none")]
pub struct PythonScan {
    pub header: String,
    pub summary: String,
    pub kinds: Vec<PyKind>,
    pub wechat_imports: Vec<String>,
    pub tencent_imports: Vec<String>,
    pub wires: String,
    pub kind_list: String,
    pub wechat_kinds: String,
    pub tencent_kinds: String,
    pub mode_kinds: String,
    pub mode_enum: String,
}

fn imports(scan: &Scan, v: VendorKind) -> Vec<String> {
    let mut xs: Vec<String> = scan.kinds.iter().filter(|k| k.vendor == v).map(|k| k.model.clone()).collect();
    if v == VendorKind::WeChat {
        xs.extend(scan.mode_enum().map(str::to_string));
    }
    xs.sort();
    xs.dedup();
    xs
}

pub fn python(api: &Api, scan: &Scan) -> Result<GeneratedFile, askama::Error> {
    let kinds: Vec<PyKind> = scan
        .kinds
        .iter()
        .map(|k| {
            let (v, g, e) = find(api, k);
            PyKind {
                wire: k.names.original.clone(),
                class_name: format!("{}Scan", k.names.pascal),
                doc: k.doc.en.clone(),
                call: format!("{}.{}.{}", if v.kind == VendorKind::WeChat { "WeChat" } else { "TencentCloud" }, g.names.snake, e.names.snake),
                model: k.model.clone(),
                vendor: v.kind.title().to_string(),
                vendor_key: v.kind.key().to_string(),
                endpoint_name: e.vendor_name().to_string(),
                group: g.names.snake.clone(),
                method: e.names.snake.clone(),
                mode: k.mode.as_ref().map(|m| m.snake.clone()),
            }
        })
        .collect();
    let t = PythonScan {
        header: crate::python::header("spec/scan.yaml"),
        summary: scan.summary.en.clone(),
        wechat_imports: imports(scan, VendorKind::WeChat),
        tencent_imports: imports(scan, VendorKind::TencentCloud),
        wires: list(kinds.iter().map(|k| k.wire.clone())),
        kind_list: list(kinds.iter().map(|k| format!("``{}`` -> {}", k.wire, k.endpoint_name))),
        wechat_kinds: of_vendor(scan, VendorKind::WeChat).replace('`', ""),
        tencent_kinds: of_vendor(scan, VendorKind::TencentCloud).replace('`', ""),
        mode_kinds: mode_kinds(scan),
        mode_enum: scan.mode_enum().unwrap_or("str").to_string(),
        kinds,
    };
    Ok(GeneratedFile { path: format!("{}/scan.py", crate::python::PACKAGE_DIR), contents: t.render()? + "\n" })
}

fn js(s: &str) -> String {
    format!("{s:?}")
}

pub struct NKind {
    pub wire_lit: String,
    pub vendor_lit: String,
    pub client_lit: String,
    pub endpoint_lit: String,
    pub group_lit: String,
    pub method_lit: String,
    pub url_lit: String,
    pub data_lit: String,
    pub mode_lit: String,
    pub doc: String,
    pub result_ts: String,
}

#[derive(Template)]
#[template(path = "node/scan.js.txt", escape = "none")]
pub struct NodeScanJs {
    pub header: String,
    pub summary: String,
    pub kinds: Vec<NKind>,
    pub kind_list: String,
    pub wechat_kinds: String,
    pub tencent_kinds: String,
    pub mode_kinds: String,
    /// The cloud-call picture's data key (`value`), from the spec's `cloud_call:`.
    pub image_data_lit: String,
}

#[derive(Template)]
#[template(path = "node/scan.d.ts.txt", escape = "none")]
pub struct NodeScanDts {
    pub header: String,
    pub summary: String,
    pub kinds: Vec<NKind>,
    pub kind_list: String,
    pub wechat_kinds: String,
    pub tencent_kinds: String,
    pub wechat_types: String,
    pub tencent_types: String,
}

/// The JavaScript names of a kind's call: group, method, the picture's URL and data parameters
/// and the mode parameter (wx-server-sdk's camelCase for WeChat, API 3.0 names for Tencent Cloud).
fn node_kind(api: &Api, k: &ScanKind) -> NKind {
    let (v, g, e) = find(api, k);
    let wechat = v.kind == VendorKind::WeChat;
    let param = |w: &Wire| if wechat { w.cloud.clone().unwrap_or_else(|| crate::names::cloud_camel(&w.name)) } else { w.name.clone() };
    let (mut url, mut data, mut mode) = (String::new(), String::new(), "null".to_string());
    for x in &e.inputs {
        match &x.kind {
            InputKind::Image { url: u, data: d } if x.names == k.image => {
                url = param(u);
                data = param(d);
            }
            InputKind::Value { wire, .. } if Some(&x.names) == k.mode.as_ref() => mode = js(&param(wire)),
            _ => {}
        }
    }
    let (group, method) = match (wechat, &e.cloud) {
        (true, Some(c)) => (c.group.clone(), c.method.clone()),
        (true, None) => (g.names.camel.clone(), e.names.camel.clone()),
        (false, _) => (g.names.camel.clone(), e.action.clone().unwrap_or_else(|| e.names.pascal.clone())),
    };
    NKind {
        wire_lit: format!("'{}'", k.names.original),
        vendor_lit: js(v.kind.title()),
        client_lit: js(v.kind.key()),
        endpoint_lit: js(e.vendor_name()),
        group_lit: js(&group),
        method_lit: js(&method),
        url_lit: js(&url),
        data_lit: js(&data),
        mode_lit: mode,
        doc: k.doc.en.clone(),
        result_ts: if wechat { format!("CloudResult<{}>", k.model) } else { k.model.clone() },
    }
}

fn node_types(scan: &Scan, v: VendorKind) -> String {
    let mut xs: Vec<String> = scan.kinds.iter().filter(|k| k.vendor == v).map(|k| k.model.clone()).collect();
    xs.sort();
    xs.dedup();
    xs.join(", ")
}

pub fn node_js(api: &Api, scan: &Scan) -> Result<GeneratedFile, askama::Error> {
    let kinds: Vec<NKind> = scan.kinds.iter().map(|k| node_kind(api, k)).collect();
    let t = NodeScanJs {
        header: crate::node::header("spec/scan.yaml"),
        summary: scan.summary.en.clone(),
        kind_list: list(scan.kinds.iter().zip(&kinds).map(|(k, n)| format!("`{}` -> {}", k.names.original, n.endpoint_lit.trim_matches('"')))),
        wechat_kinds: of_vendor(scan, VendorKind::WeChat),
        tencent_kinds: of_vendor(scan, VendorKind::TencentCloud),
        mode_kinds: mode_kinds(scan),
        // A spec without `cloud_call:` (the small fixture specs) keeps wx-server-sdk's key.
        image_data_lit: crate::node::js_lit(api.cloud_call.as_ref().map_or("value", |c| c.image.data_key.as_str())),
        kinds,
    };
    Ok(GeneratedFile { path: format!("{}/scan.js", crate::node::LIB_DIR), contents: t.render()? + "\n" })
}

pub fn node_dts(api: &Api, scan: &Scan) -> Result<GeneratedFile, askama::Error> {
    let kinds: Vec<NKind> = scan.kinds.iter().map(|k| node_kind(api, k)).collect();
    let mut wechat_types = node_types(scan, VendorKind::WeChat);
    if scan.uses(VendorKind::WeChat) {
        wechat_types.push_str(", ");
    }
    let t = NodeScanDts {
        header: crate::node::header("spec/scan.yaml"),
        summary: scan.summary.en.clone(),
        kind_list: list(scan.kinds.iter().zip(&kinds).map(|(k, n)| format!("`{}` -> {}", k.names.original, n.endpoint_lit.trim_matches('"')))),
        wechat_kinds: of_vendor(scan, VendorKind::WeChat),
        tencent_kinds: of_vendor(scan, VendorKind::TencentCloud),
        wechat_types: wechat_types.trim_end_matches([',', ' ']).to_string(),
        tencent_types: node_types(scan, VendorKind::TencentCloud),
        kinds,
    };
    Ok(GeneratedFile { path: format!("{}/scan.d.ts", crate::node::LIB_DIR), contents: t.render()? + "\n" })
}

pub struct MKind {
    pub wire: String,
    pub variant: String,
    pub doc: String,
    pub model: String,
    pub vendor: String,
    pub vendor_key: String,
    pub endpoint_name: String,
    pub how: String,
    pub group: String,
    pub method: String,
    pub mode: Option<String>,
    pub extra_args: String,
}

#[derive(Template)]
#[template(path = "mobile/scan.rs.txt", escape = "none")]
pub struct MobileScan {
    pub header: String,
    pub summary: String,
    pub kinds: Vec<MKind>,
    pub kind_list: String,
    pub wechat_kinds: String,
    pub tencent_kinds: String,
    pub mode_kinds: String,
    pub mode_enum: String,
}

pub fn mobile(api: &Api, scan: &Scan) -> Result<GeneratedFile, askama::Error> {
    let kinds: Vec<MKind> = scan
        .kinds
        .iter()
        .map(|k| {
            let (v, g, e) = find(api, k);
            // Every other input of the method is optional (the loader checked): passed as None.
            let others = e.inputs.iter().filter(|x| !matches!(x.kind, InputKind::Const { .. }) && x.names != k.image && Some(&x.names) != k.mode.as_ref()).count();
            MKind {
                wire: k.names.original.clone(),
                variant: k.names.pascal.clone(),
                doc: k.doc.en.clone(),
                model: k.model.clone(),
                vendor: format!("wxcv::Vendor::{}", v.kind.client()),
                vendor_key: v.kind.key().to_string(),
                endpoint_name: e.vendor_name().to_string(),
                how: format!("OcrClient({})", if v.kind == VendorKind::WeChat { "wechat = WeChatClient(...), ..." } else { "..., tencentcloud = TencentCloudClient(...)" }),
                group: rust_ident(&g.names.snake),
                method: rust_ident(&e.names.snake),
                mode: k.mode.as_ref().map(|m| rust_ident(&m.snake)),
                extra_args: ", None".repeat(others),
            }
        })
        .collect();
    let t = MobileScan {
        header: crate::mobile::header("spec/scan.yaml"),
        summary: scan.summary.en.clone(),
        kind_list: list(kinds.iter().map(|k| format!("`{}` -> {}", k.wire, k.endpoint_name))),
        wechat_kinds: of_vendor(scan, VendorKind::WeChat),
        tencent_kinds: of_vendor(scan, VendorKind::TencentCloud),
        mode_kinds: mode_kinds(scan),
        mode_enum: scan.mode_enum().unwrap_or("String").to_string(),
        kinds,
    };
    Ok(GeneratedFile { path: format!("{}/scan.rs", crate::mobile::OUT_DIR), contents: t.render()? + "\n" })
}
