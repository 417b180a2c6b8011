//! Golden tests: each folder under `tests/fixtures/` is a complete minimal spec showing one
//! feature of the format. Every file every target generates from it, and its summary table, is
//! snapshotted (`tests/snapshots/fixtures__<fixture>__<path>.snap`), so a template or loader change
//! shows in review as a diff of the generated code.
//!
//! Also snapshotted: the summary of the real `spec/` (`real_spec_summary`), the table reviewers read
//! when the vendors' docs change.
//!
//! Update after an intended change: `INSTA_UPDATE=always cargo test -p wxcv-codegen --test fixtures`,
//! then read the diff of `tests/snapshots/`.

use std::path::{Path, PathBuf};

use wxcv_codegen::load::{self, SourceFile};
use wxcv_codegen::{GeneratedFile, ir::Api};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_dir(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(name)
}

fn read_fixture(name: &str) -> Vec<SourceFile> {
    let files = load::read_dir(&fixture_dir(name), "spec")
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    assert!(!files.is_empty(), "fixture {name} has no *.yaml files");
    files
}

fn load_files(label: &str, files: &[SourceFile]) -> Api {
    load::load(files).unwrap_or_else(|e| panic!("fixture {label} does not load:\n{e}"))
}

fn render(label: &str, api: &Api) -> (Vec<GeneratedFile>, String) {
    let files = wxcv_codegen::render_all(api)
        .unwrap_or_else(|e| panic!("fixture {label} does not render: {e}"));
    (files, wxcv_codegen::summary::render(api))
}

/// `bindings/rust/src/generated/wechat/demo.rs` -> `bindings_rust_src_generated_wechat_demo.rs`
fn snap_name(path: &str) -> String {
    path.replace('/', "_")
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(true);
    s.set_omit_expression(true);
    s
}

/// Loads, renders and snapshots one fixture; returns the generated files for extra assertions.
fn check_fixture(name: &str) -> (Vec<GeneratedFile>, String) {
    let api = load_files(name, &read_fixture(name));
    let (files, summary) = render(name, &api);
    settings().bind(|| {
        for f in &files {
            insta::assert_snapshot!(format!("{name}__{}", snap_name(&f.path)), &f.contents);
        }
        insta::assert_snapshot!(format!("{name}__summary"), &summary);
    });
    assert_no_stale_snapshots(name, &files);
    (files, summary)
}

/// A snapshot of a file the fixture no longer generates would otherwise linger unnoticed.
fn assert_no_stale_snapshots(name: &str, files: &[GeneratedFile]) {
    let prefix = format!("fixtures__{name}__");
    let mut wanted: Vec<String> = files
        .iter()
        .map(|f| format!("{prefix}{}.snap", snap_name(&f.path)))
        .collect();
    wanted.push(format!("{prefix}summary.snap"));
    let Ok(entries) = std::fs::read_dir(manifest_dir().join("tests/snapshots")) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.starts_with(&prefix) && file.ends_with(".snap") && !wanted.contains(&file) {
            panic!(
                "tests/snapshots/{file} belongs to no file the fixture {name} generates; delete it"
            );
        }
    }
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| {
            panic!(
                "{path} not generated; got {:?}",
                files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        })
        .contents
}

const GEN: &str = "bindings/rust/src/generated";
const PY: &str = "bindings/python/python/wxcv/_gen";

#[test]
fn minimal() {
    let (files, summary) = check_fixture("minimal");
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "bindings/mobile/src/generated/mod.rs".to_string(),
            "bindings/mobile/src/generated/wechat.rs".to_string(),
            "bindings/node/lib/generated/errors.d.ts".to_string(),
            "bindings/node/lib/generated/errors.js".to_string(),
            "bindings/node/lib/generated/wechat.d.ts".to_string(),
            "bindings/node/lib/generated/wechat.js".to_string(),
            "bindings/node/test/generated/typecheck.ts".to_string(),
            format!("{PY}/__init__.py"),
            format!("{PY}/errors.py"),
            format!("{PY}/wechat.py"),
            "bindings/python/tests/generated/typecheck_every_endpoint.py".to_string(),
            format!("{GEN}/mod.rs"),
            format!("{GEN}/wechat/demo.rs"),
            format!("{GEN}/wechat/mod.rs"),
        ]
    );
    let py = file(&files, &format!("{PY}/wechat.py"));
    assert!(py.contains("    def lookup_item(self, item_id: str) -> LookupResult:"));
    assert!(py.contains("    async def lookup_item(self, item_id: str) -> LookupResult:"));
    let demo = file(&files, &format!("{GEN}/wechat/demo.rs"));
    assert!(demo.contains("req: LookupItemRequest) -> crate::Result<LookupResult>"));
    assert!(demo.contains("w.value(Loc::Query, \"item_id\", &self.item_id, false)?;"));
    assert!(summary.contains("demo.lookup_item [active] GET /demo/lookup"));
}

#[test]
fn image_oneof() {
    let (files, summary) = check_fixture("image_oneof");
    let pic = file(&files, &format!("{GEN}/wechat/pic.rs"));
    assert!(pic.contains(
        "ImageWire { url: (Loc::Query, \"img_url\"), data: (Loc::Multipart, \"img\"), base64: false }, \
         &Limits { max_bytes: Some(2097151), formats: &[Format::Jpeg, Format::Png], ..Limits::NONE }"
    ));
    assert!(summary.contains("- image: image @ url->query:img_url data->multipart:img limits max_bytes=2097151 formats=jpeg,png"));
}

#[test]
fn binary_output() {
    let (files, summary) = check_fixture("binary_output");
    let code = file(&files, &format!("{GEN}/wechat/code.rs"));
    assert!(code.contains("-> crate::Result<crate::BinaryImage>"));
    assert!(code.contains("output: OutputKind::Binary,"));
    assert!(code.contains("json_body: true,"));
    assert!(code.contains("pub line_color: Option<Rgb>,"));
    assert!(code.contains("pub flavor: Option<Flavor>,"));
    assert!(code.contains("Vendor default when absent: `release`."));
    assert!(summary.contains("- flavor: Flavor? @ json:flavor = release"));
    assert!(summary.contains("-> binary image;"));
}

#[test]
fn tencent_action() {
    let (files, summary) = check_fixture("tencent_action");
    let ocr = file(&files, &format!("{GEN}/tencentcloud/ocr.rs"));
    assert!(ocr.contains("regions: &[\"ap-beijing\", \"ap-guangzhou\"],"));
    assert!(ocr.contains("status: Status::Offline,"));
    assert!(ocr.contains("status_date: Some(\"2023-06-01\"),"));
    assert!(ocr.contains("#[deprecated(since = \"2023-06-01\""));
    assert!(ocr.contains("data: (Loc::Json, \"ImageBase64\"), base64: true"));
    assert!(ocr.contains("action: Some(\"ReadText\"),"));
    assert!(summary.contains("ocr.read_text [offline 2023-06-01] POST /"));
    assert!(summary.contains("data->json:ImageBase64 (base64)"));
}

#[test]
fn then_fetch() {
    let (files, summary) = check_fixture("then_fetch");
    let media = file(&files, &format!("{GEN}/wechat/media.rs"));
    assert!(media.contains("pub async fn upscale_fetch("));
    assert!(media.contains("req: UpscaleRequest) -> crate::Result<crate::BinaryImage>"));
    assert!(
        media.contains("self.client.media().get_media(GetMediaRequest::new(out.media_id)).await")
    );
    assert!(summary.contains("media.get_media [active] GET /media/get"));
}

#[test]
fn secret() {
    let (files, _) = check_fixture("secret");
    let token = file(&files, &format!("{GEN}/wechat/token.rs"));
    // Neither struct derives Debug; both print the secret as <redacted>.
    assert!(token.contains("#[derive(Clone, PartialEq, Serialize, Deserialize)]\npub struct AccessToken {"));
    assert!(
        token.contains(
            "#[derive(Clone, PartialEq)]\n#[non_exhaustive]\npub struct GetTokenRequest {"
        )
    );
    assert!(token.contains(".field(\"access_token\", &\"<redacted>\")"));
    assert!(token.contains(".field(\"secret\", &\"<redacted>\")"));
    assert!(token.contains(".field(\"appid\", &self.appid)"));
    assert!(
        !token.contains("&self.secret)"),
        "the secret input is printed somewhere"
    );
    assert!(
        !token.contains("&self.access_token)"),
        "the secret field is printed somewhere"
    );
}

/// The summary of the real spec: one line per fact a reviewer checks against the vendors' docs.
#[test]
fn real_spec_summary() {
    let root = manifest_dir()
        .parent()
        .expect("codegen lives in the workspace");
    let api =
        load::load_dir(&root.join("spec")).unwrap_or_else(|e| panic!("spec/ does not load:\n{e}"));
    settings()
        .bind(|| insta::assert_snapshot!("real_spec_summary", wxcv_codegen::summary::render(&api)));
}

/// Adding an endpoint to the spec adds it to every target's output that lists endpoints.
#[test]
fn added_endpoint_reaches_every_target() {
    const ADDED: &str = "
  count_items:
    cloud: demo.countItems
    summary: {zh: 统计条目, en: Count the items}
    status: active
    method: GET
    path: /demo/count
    auth: access_token
    inputs:
      prefix:
        type: string
        in: query
        cloud: prefix
        required: true
    output: {model: LookupResult}
    errors: [-1]
";
    let before_files = read_fixture("minimal");
    let after_files: Vec<SourceFile> = before_files
        .iter()
        .map(|f| {
            let mut text = f.text.clone();
            if f.name == "spec/wechat/demo.yaml" {
                assert!(
                    text.trim_end().ends_with("errors: [-1]"),
                    "endpoints must stay the last key of demo.yaml"
                );
                text = format!("{}\n{}", text.trim_end(), ADDED.trim_start_matches('\n'));
            }
            SourceFile {
                name: f.name.clone(),
                text,
            }
        })
        .collect();

    let (before, before_summary) = render("minimal", &load_files("minimal", &before_files));
    let (after, after_summary) = render(
        "minimal + count_items",
        &load_files("minimal + count_items", &after_files),
    );

    let group = format!("{GEN}/wechat/demo.rs");
    // Every name the targets derive from the new endpoint.
    let in_group = [
        "req: CountItemsRequest) -> crate::Result<LookupResult>",
        "pub struct CountItemsRequest",
        "pub static DEMO_COUNT_ITEMS: EndpointInfo",
        "name: \"demo.countItems\",",
        "path: \"/demo/count\",",
    ];
    let in_summary = [
        "demo.count_items [active] GET /demo/count",
        "vendor name: demo.countItems",
        "rust/python: .demo().count_items  cli: demo count-items",
        "node/kotlin/swift: demo.countItems",
    ];
    for n in in_group {
        assert!(
            file(&after, &group).contains(n),
            "{group} lacks {n:?} after the endpoint was added"
        );
        assert!(
            !file(&before, &group).contains(n),
            "{group} has {n:?} before the endpoint was added"
        );
    }
    for n in in_summary {
        assert!(
            after_summary.contains(n),
            "summary lacks {n:?} after the endpoint was added"
        );
        assert!(
            !before_summary.contains(n),
            "summary has {n:?} before the endpoint was added"
        );
    }
    // The first endpoint is untouched, and nothing else changes.
    assert!(
        file(&after, &group).contains("req: LookupItemRequest) -> crate::Result<LookupResult>")
    );
    let before_paths: Vec<&str> = before.iter().map(|f| f.path.as_str()).collect();
    let after_paths: Vec<&str> = after.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        before_paths, after_paths,
        "adding an endpoint changed the set of generated files"
    );
    // The vendor module's endpoint list gains the new endpoint; nothing else changes.
    let vendor_mod = group.rsplit_once('/').map(|(dir, _)| format!("{dir}/mod.rs")).unwrap();
    assert!(!file(&before, &vendor_mod).contains("&DEMO_COUNT_ITEMS,"));
    assert!(file(&after, &vendor_mod).contains("&DEMO_COUNT_ITEMS,"), "the vendor's ENDPOINTS lacks the new endpoint");
    // The Python vendor module and the type-check snippet gain it too.
    let py = format!("{PY}/wechat.py");
    let snippet = "bindings/python/tests/generated/typecheck_every_endpoint.py";
    assert!(file(&after, &py).contains("def count_items(self, prefix: str) -> LookupResult:"));
    assert!(!file(&before, &py).contains("count_items"));
    assert!(file(&after, snippet).contains("w.demo.count_items(prefix=\"x\")"));
    // And the Node module, its declarations and its type-check snippet.
    let js = "bindings/node/lib/generated/wechat.js";
    let dts = "bindings/node/lib/generated/wechat.d.ts";
    let ts = "bindings/node/test/generated/typecheck.ts";
    assert!(file(&after, js).contains("countItems(params) {"));
    assert!(file(&after, dts).contains("countItems(params: DemoCountItemsParams): Promise<CloudResult<LookupResult>>;"));
    assert!(file(&after, ts).contains("await wx.demo.countItems({ prefix: \"x\" })"));
    // And the mobile crate's group object.
    let mobile = "bindings/mobile/src/generated/wechat.rs";
    assert!(file(&after, mobile).contains("pub async fn count_items(&self, prefix: String) -> Result<LookupResult, crate::WxcvError>"));
    let touched = [group.as_str(), vendor_mod.as_str(), py.as_str(), snippet, js, dts, ts, mobile];
    for (b, a) in before.iter().zip(&after) {
        if !touched.contains(&b.path.as_str()) {
            assert_eq!(
                b.contents, a.contents,
                "{} changed, but lists no endpoints",
                b.path
            );
        }
    }
    assert!(
        after_summary.starts_with(before_summary.trim_end()),
        "the summary of the first endpoint changed"
    );
}
