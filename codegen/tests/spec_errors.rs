//! The loader rejects a malformed spec with `file:line: path: message`, one line per fault.
//!
//! Each test starts from a valid in-memory spec (`WECHAT_*`, `TENCENT_*` below), breaks exactly one
//! thing, and asserts the whole `Display` of the error. Line numbers are looked up in the broken text
//! (`line_of`), so editing the base spec does not renumber every test.

use wxcv_codegen::load::{SourceFile, load};

const WECHAT_ERRORS: &str = r#"vendor: wechat
errors:
  "-1": {errmsg: system error, category: system, global: true, zh: 系统错误, en: System error}
  "101000": {errmsg: invalid image url, category: input, zh: 图片 URL 错误, en: Invalid image URL}
"#;

const WECHAT_IMG: &str = r#"vendor: wechat
group: img
summary: {zh: 图像处理, en: Image processing}
host: api.weixin.qq.com

enums:
  OcrMode:
    doc: {zh: 模式, en: Mode}
    values:
      photo: {zh: 拍照, en: photo}
      scan: {zh: 扫描, en: scan}

models:
  CodeResult:
    doc: {zh: 码, en: A code}
    fields:
      data: {type: string, cloud: data, required: true}
  ScanQrcodeResult:
    doc: {zh: 结果, en: Result}
    fields:
      code_results: {type: "list<CodeResult>", cloud: codeResults}
      media_id: {type: string, cloud: mediaId, required: true}

endpoints:
  scan_qrcode:
    cloud: img.scanQRCode
    summary: {zh: 识别, en: Decode codes}
    status: active
    method: POST
    path: /cv/img/qrcode
    auth: access_token
    inputs:
      image:
        type: image
        required: true
        url: {wire: img_url, in: query, cloud: imgUrl}
        data: {wire: img, in: multipart, cloud: img}
      width:
        type: int
        in: query
        cloud: width
        limits: {min: 1}
      mode:
        type: OcrMode
        in: query
        cloud: mode
        default: photo
      label:
        type: string
        in: query
        cloud: label
        limits: {max_chars: 10}
    output: {model: ScanQrcodeResult}
    then_fetch:
      endpoint: img.get_media
      bind: {media_id: media_id}
    errors: [-1, 101000]
  get_media:
    cloud: img.getMedia
    summary: {zh: 下载, en: Download}
    status: active
    method: GET
    path: /media/get
    auth: access_token
    inputs:
      media_id: {type: string, in: query, cloud: mediaId, required: true}
    output: {binary: image}
    errors: [-1]
"#;

const WECHAT_COMMON: &str = r#"vendor: wechat
group: common
summary: {zh: 共用, en: Shared}

models:
  Pos:
    doc: {zh: 位置, en: A position}
    fields:
      x: {type: int, cloud: x, required: true}
"#;

const TENCENT_ERRORS: &str = r#"vendor: tencentcloud
errors:
  AuthFailure.SignatureFailure: {category: auth, global: true, zh: 签名错误, en: Bad signature}
"#;

const TENCENT_OCR: &str = r#"vendor: tencentcloud
group: ocr
summary: {zh: 文字识别, en: OCR}
host: ocr.tencentcloudapi.com
service: ocr
version: "2018-11-19"

models:
  ReadResult:
    doc: {zh: 识别结果, en: Result of reading}
    fields:
      Text: {type: string, required: true}
      RequestId: {type: string, required: true}

endpoints:
  read_text:
    action: ReadText
    regions: [ap-beijing]
    summary: {zh: 识别文字, en: Read the text in a picture}
    status: active
    method: POST
    path: /
    auth: tc3
    inputs:
      image:
        type: image
        required: true
        url: {wire: ImageUrl, in: json}
        data: {wire: ImageBase64, in: json, encoding: base64}
    output: {model: ReadResult}
"#;

const IMG: &str = "spec/wechat/img.yaml";
const COMMON: &str = "spec/wechat/common.yaml";
const OCR: &str = "spec/tencentcloud/ocr.yaml";

fn wechat(img: &str) -> Vec<SourceFile> {
    vec![
        SourceFile {
            name: COMMON.into(),
            text: WECHAT_COMMON.into(),
        },
        SourceFile {
            name: "spec/wechat/errors.yaml".into(),
            text: WECHAT_ERRORS.into(),
        },
        SourceFile {
            name: IMG.into(),
            text: img.into(),
        },
    ]
}

fn tencent(ocr: &str) -> Vec<SourceFile> {
    vec![
        SourceFile {
            name: "spec/tencentcloud/errors.yaml".into(),
            text: TENCENT_ERRORS.into(),
        },
        SourceFile {
            name: OCR.into(),
            text: ocr.into(),
        },
    ]
}

/// `text` with the single occurrence of `from` replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} must occur exactly once in the base spec"
    );
    text.replacen(from, to, 1)
}

/// 1-based line of the single occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "{needle:?} must occur exactly once"
    );
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

/// The whole error text; fails if the spec loads.
fn errors(files: &[SourceFile]) -> String {
    match load(files) {
        Ok(_) => panic!("the broken spec loaded without an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn line_of_counts_from_one() {
    assert_eq!(line_of("a\nb\nc\n", "a"), 1);
    assert_eq!(line_of("a\nb\nc\n", "b"), 2);
    assert_eq!(line_of("a\nbx\nc", "x"), 2);
    assert_eq!(line_of("a\nb\nc", "c"), 3);
}

#[test]
fn the_base_specs_load() {
    load(&wechat(WECHAT_IMG)).unwrap_or_else(|e| panic!("{e}"));
    load(&tencent(TENCENT_OCR)).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn unknown_type_of_an_input() {
    let img = edit(WECHAT_IMG, "type: int", "type: integr");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: endpoints.scan_qrcode.inputs.width.type: unknown type "integr""#,
            line_of(&img, "integr")
        )
    );
}

#[test]
fn unknown_type_of_a_model_field() {
    // The path of a field's type ends at the field; an input's ends in `.type`.
    let img = edit(WECHAT_IMG, "list<CodeResult>", "list<CodeResults>");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: models.ScanQrcodeResult.fields.code_results: unknown type "CodeResults""#,
            line_of(&img, "CodeResults>")
        )
    );
}

#[test]
fn unknown_key_at_the_top_level() {
    let img = edit(WECHAT_IMG, "host: api", "hots: api");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: hots: unknown key "hots" (expected one of: vendor, group, summary, source, host, service, version, enums, models, endpoints, cloud_call)"#,
            line_of(&img, "hots")
        )
    );
}

const INPUT_KEYS: &str =
    "type, const, in, wire, cloud, required, secret, default, style, url, data, limits, invalid, doc";

/// A misspelt key inside an input names its own line and its full path (serde's path cannot
/// name spanned map keys, so the loader finds the key in the YAML tree).
#[test]
fn unknown_key_in_an_input_names_its_line_and_path() {
    let img = edit(
        WECHAT_IMG,
        "        limits: {min: 1}\n",
        "        limits: {min: 1}\n        requird: true\n",
    );
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: endpoints.scan_qrcode.inputs.width.requird: unknown key "requird" (expected one of: {INPUT_KEYS})"#,
            line_of(&img, "requird")
        )
    );
}

#[test]
fn unknown_model_in_an_output() {
    let img = edit(
        WECHAT_IMG,
        "{model: ScanQrcodeResult}",
        "{model: ScanResult}",
    );
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: endpoints.scan_qrcode.output.model: unknown model "ScanResult""#,
            line_of(&img, "ScanResult}")
        )
    );
}

#[test]
fn duplicate_model_name_across_files() {
    let img = edit(
        WECHAT_IMG,
        "  CodeResult:\n",
        "  Pos:\n    doc: {zh: 位置, en: A position}\n    fields:\n      y: {type: int, cloud: y}\n  CodeResult:\n",
    );
    // Files load in name order: common.yaml defines Pos first.
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            "{IMG}:{}: models.Pos: duplicate type name (first defined at {COMMON}:{})",
            line_of(&img, "Pos:"),
            line_of(WECHAT_COMMON, "Pos:")
        )
    );
}

#[test]
fn cloud_name_that_does_not_follow_the_field() {
    let img = edit(WECHAT_IMG, "cloud: codeResults", "cloud: codeResult");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: models.ScanQrcodeResult.fields.code_results.cloud: cloud-call name "codeResult" does not match the field "code_results" (expected "codeResults")"#,
            line_of(&img, "cloud: codeResult}")
        )
    );
}

#[test]
fn missing_cloud_name_of_a_wechat_input() {
    let img = edit(WECHAT_IMG, "        cloud: label\n", "");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: endpoints.scan_qrcode.inputs.label: missing cloud: (the cloud-call name, "label")"#,
            line_of(&img, "label:")
        )
    );
}

#[test]
fn endpoint_id_that_does_not_match_the_cloud_method() {
    let img = edit(WECHAT_IMG, "cloud: img.scanQRCode", "cloud: img.scanCode");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: endpoints.scan_qrcode.cloud: cloud-call method "scanCode" does not match the endpoint id "scan_qrcode""#,
            line_of(&img, "img.scanCode")
        )
    );
}

#[test]
fn tencent_action_that_does_not_match_the_id() {
    let ocr = edit(TENCENT_OCR, "action: ReadText", "action: ReadWords");
    assert_eq!(
        errors(&tencent(&ocr)),
        format!(
            r#"{OCR}:{}: endpoints.read_text.action: action "ReadWords" does not match the endpoint id "read_text""#,
            line_of(&ocr, "ReadWords")
        )
    );
}

#[test]
fn unknown_error_code() {
    let img = edit(WECHAT_IMG, "errors: [-1, 101000]", "errors: [-1, 101001]");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            "{IMG}:{}: endpoints.scan_qrcode.errors: unknown error code 101001 (not in errors.yaml)",
            line_of(&img, "101001")
        )
    );
}

#[test]
fn yaml_syntax_error() {
    let img = edit(WECHAT_IMG, "    method: POST\n", "    method: POST: GET\n");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            "{IMG}:{}: mapping values are not allowed in this context",
            line_of(&img, "POST: GET")
        )
    );
}

#[test]
fn yaml_unclosed_flow_mapping() {
    // The parser notices on the line after the unclosed `{`.
    let img = edit(
        WECHAT_IMG,
        "summary: {zh: 识别, en: Decode codes}",
        "summary: {zh: 识别, en: Decode codes",
    );
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            "{IMG}:{}: while parsing a flow mapping, did not find expected ',' or '}}'",
            line_of(&img, "Decode codes") + 1
        )
    );
}

#[test]
fn duplicate_key() {
    let img = edit(
        WECHAT_IMG,
        "    method: POST\n",
        "    method: POST\n    method: GET\n",
    );
    let (first, second) = (
        line_of(&img, "method: POST"),
        line_of(&img, "method: GET\n    path: /cv"),
    );
    assert_eq!(
        errors(&wechat(&img)),
        format!(r#"{IMG}:{second}: Duplicate key "method" in mapping at {first}:5 and {second}:5"#)
    );
}

#[test]
fn limit_that_does_not_fit_the_type() {
    let img = edit(
        WECHAT_IMG,
        "limits: {max_chars: 10}",
        "limits: {max_items: 10}",
    );
    // The fault is reported at the input's type, which the limit contradicts.
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            "{IMG}:{}: endpoints.scan_qrcode.inputs.label.limits: max_items on an input that is not a list",
            line_of(
                &img,
                "type: string\n        in: query\n        cloud: label"
            )
        )
    );
}

#[test]
fn enum_default_that_is_not_a_value() {
    let img = edit(WECHAT_IMG, "default: photo", "default: fotos");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: endpoints.scan_qrcode.inputs.mode.default: "fotos" is not a value of OcrMode (photo | scan)"#,
            line_of(&img, "fotos")
        )
    );
}

#[test]
fn tencent_field_with_a_cloud_name() {
    let ocr = edit(
        TENCENT_OCR,
        "Text: {type: string, required: true}",
        "Text: {type: string, cloud: text, required: true}",
    );
    assert_eq!(
        errors(&tencent(&ocr)),
        format!(
            "{OCR}:{}: models.ReadResult.fields.Text.cloud: Tencent Cloud names have no cloud-call variant",
            line_of(&ocr, "cloud: text")
        )
    );
}

#[test]
fn then_fetch_to_an_unknown_endpoint() {
    let img = edit(
        WECHAT_IMG,
        "endpoint: img.get_media",
        "endpoint: img.get_medium",
    );
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            r#"{IMG}:{}: endpoints.scan_qrcode.then_fetch: unknown endpoint "img.get_medium""#,
            line_of(&img, "get_medium")
        )
    );
}

#[test]
fn then_fetch_to_a_json_endpoint() {
    let img = edit(
        WECHAT_IMG,
        "    output: {binary: image}\n",
        "    output: {model: ScanQrcodeResult}\n",
    );
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            "{IMG}:{}: endpoints.scan_qrcode.then_fetch: then_fetch must name an endpoint with a binary output",
            line_of(&img, "img.get_media")
        )
    );
}

/// Every fault is reported, not just the first, sorted by file and line.
#[test]
fn every_fault_in_file_and_line_order() {
    let img = edit(
        &edit(WECHAT_IMG, "default: photo", "default: fotos"),
        "type: int",
        "type: integr",
    );
    let mut files = wechat(&img);
    files[1].text = edit(WECHAT_ERRORS, "category: input", "category: inptu");
    assert_eq!(
        errors(&files),
        [
            format!(
                r#"spec/wechat/errors.yaml:{}: errors.101000: unknown category "inptu" (token | auth | rate_limit | quota | system | input | not_found | unavailable)"#,
                line_of(&files[1].text, "inptu")
            ),
            format!(r#"{IMG}:{}: endpoints.scan_qrcode.inputs.width.type: unknown type "integr""#, line_of(&img, "integr")),
            format!(
                r#"{IMG}:{}: endpoints.scan_qrcode.inputs.mode.default: "fotos" is not a value of OcrMode (photo | scan)"#,
                line_of(&img, "fotos")
            ),
        ]
        .join("\n")
    );
}

/// A malformed errors.yaml is its own fault only: not "missing", and the endpoints' codes are not
/// all reported unknown.
#[test]
fn malformed_errors_file_is_one_fault() {
    let mut files = wechat(WECHAT_IMG);
    files[1].text = edit(
        WECHAT_ERRORS,
        "category: input,",
        "category: input, glob: true,",
    );
    let e = errors(&files);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.starts_with("spec/wechat/errors.yaml:"), "{e}");
    assert!(
        e.ends_with(
            r#"glob: unknown key "glob" (expected one of: errmsg, category, global, exception, zh, en)"#
        ),
        "{e}"
    );
}

#[test]
fn missing_errors_file() {
    let mut files = wechat(WECHAT_IMG);
    files.remove(1);
    assert_eq!(
        errors(&files),
        [
            format!("{COMMON}:1: spec/wechat/errors.yaml is missing"),
            format!("{IMG}:{}: endpoints.scan_qrcode.errors: unknown error code -1 (not in errors.yaml)", line_of(WECHAT_IMG, "errors: [-1, 101000]")),
            format!("{IMG}:{}: endpoints.scan_qrcode.errors: unknown error code 101000 (not in errors.yaml)", line_of(WECHAT_IMG, "errors: [-1, 101000]")),
            format!("{IMG}:{}: endpoints.get_media.errors: unknown error code -1 (not in errors.yaml)", line_of(WECHAT_IMG, "errors: [-1]\n")),
        ]
        .join("\n")
    );
}

/// `invalid:` names a fault kind the emulator knows and a code the endpoint documents.
#[test]
fn invalid_map_checks_fault_kinds_and_codes() {
    let img = edit(
        WECHAT_IMG,
        "        limits: {max_chars: 10}\n",
        "        limits: {max_chars: 10}\n        invalid: {lenght: 101000, default: 40159}\n",
    );
    let line = line_of(&img, "lenght");
    assert_eq!(
        errors(&wechat(&img)),
        format!(
            "{IMG}:{line}: endpoints.scan_qrcode.inputs.label.invalid.default: unknown error code 40159 (not in errors.yaml)\n\
             {IMG}:{line}: endpoints.scan_qrcode.inputs.label.invalid.lenght: unknown fault kind \"lenght\" (missing | length | charset | prefix | chars | json | range | items | type | url | empty | size | pixels | format | default)"
        )
    );
    // A known code the endpoint does not list.
    let img = edit(WECHAT_IMG, "        limits: {max_chars: 10}\n", "        limits: {max_chars: 10}\n        invalid: {length: 101000}\n");
    let api = load(&wechat(&img)).unwrap_or_else(|e| panic!("{e}"));
    let (_, ep) = api.vendors[0].find_endpoint("img", "scan_qrcode").unwrap();
    let label = ep.inputs.iter().find(|i| i.names.snake == "label").unwrap();
    assert_eq!(label.invalid, vec![("length".to_string(), "101000".to_string())]);
    let get_media = edit(&img, "errors: [-1, 101000]", "errors: [-1]");
    assert_eq!(
        errors(&wechat(&get_media)),
        format!(
            "{IMG}:{}: endpoints.scan_qrcode.inputs.label.invalid.length: error code 101000 is neither in the endpoint's errors nor global",
            line_of(&get_media, "length: 101000")
        )
    );
}

/// `exception:` names a class in every binding: PascalCase without the `Error` suffix, and one
/// name keeps one category (its base class).
#[test]
fn exception_names_are_checked() {
    let mut files = wechat(WECHAT_IMG);
    files[1].text = edit(WECHAT_ERRORS, "category: input,", "category: input, exception: image_url_error,");
    let e = errors(&files);
    assert!(e.contains("errors.101000.exception: an exception name is PascalCase ASCII without the Error suffix"), "{e}");

    files[1].text = edit(WECHAT_ERRORS, "category: input,", "category: input, exception: Failed,");
    files[1].text = edit(&files[1].text, "category: system,", "category: system, exception: Failed,");
    let e = errors(&files);
    assert!(e.contains("exception Failed is also used by wechat"), "{e}");
    assert!(e.contains("one exception name needs one category"), "{e}");

    files[1].text = edit(WECHAT_ERRORS, "category: input,", "category: input, exception: ImageUrl,");
    assert!(load(&files).is_ok());
}

const CLOUD_CALL: &str = r#"
cloud_call:
  image: {type_key: contentType, data_key: value, doc: {zh: 图片, en: A picture}}
  binary: {type_key: contentType, data_key: buffer, doc: {zh: 图片, en: A picture}}
  cloudbase_token_param: cloudbase_access_token
"#;

/// `cloud_call:` (the cloud-call shapes) loads into the IR once, from a WeChat file; its keys are
/// camelCase names, the token parameter snake_case; Tencent Cloud has none.
#[test]
fn cloud_call_shapes_are_checked() {
    let mut files = wechat(WECHAT_IMG);
    files[0].text = format!("{WECHAT_COMMON}{CLOUD_CALL}");
    let api = load(&files).unwrap_or_else(|e| panic!("{e}"));
    let c = api.cloud_call.expect("cloud_call");
    assert_eq!((c.image.data_key.as_str(), c.binary.data_key.as_str(), c.cloudbase_token_param.as_str()), ("value", "buffer", "cloudbase_access_token"));

    let bad = edit(CLOUD_CALL, "data_key: value", "data_key: Value-x");
    files[0].text = format!("{WECHAT_COMMON}{bad}");
    let text = format!("{WECHAT_COMMON}{bad}");
    assert_eq!(
        errors(&files),
        format!(r#"{COMMON}:{}: cloud_call.image.data_key: "Value-x" is not a camelCase name"#, line_of(&text, "Value-x"))
    );
    let bad = edit(CLOUD_CALL, "cloudbase_token_param: cloudbase_access_token", "cloudbase_token_param: CloudBaseToken");
    files[0].text = format!("{WECHAT_COMMON}{bad}");
    let text = format!("{WECHAT_COMMON}{bad}");
    assert_eq!(
        errors(&files),
        format!(r#"{COMMON}:{}: cloud_call.cloudbase_token_param: a query parameter name in snake_case"#, line_of(&text, "CloudBaseToken"))
    );
    let ocr = format!("{TENCENT_OCR}{CLOUD_CALL}");
    assert_eq!(errors(&tencent(&ocr)), format!("{OCR}:1: cloud_call: cloud_call is WeChat's (wx-server-sdk)"));
}
