//! The clap command tree, built at startup from the spec's endpoint tables
//! (`wxcv::wechat::ENDPOINTS`, `wxcv::tencentcloud::ENDPOINTS`). Nothing here names an endpoint.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::builder::{PossibleValuesParser, TypedValueParser, ValueParser};
use clap::{Arg, ArgAction, ArgGroup, Command, value_parser};
use wxcv::Vendor;
use wxcv::rt::{EndpointInfo, ImageWire, InputInfo, InputKind, Limits, Method, OutputKind, Status, ValueType};

use crate::names::{kebab, leak};

/// The top-level command holding every Tencent Cloud action.
pub const TC: &str = "tc";
/// The top-level command running the emulator as a server.
pub const EMULATOR: &str = "emulator";

/// Global flags (valid before or after the subcommands).
pub const ARG_EMULATOR: &str = "emulator";
pub const ARG_CAMEL: &str = "camel";
pub const ARG_SHOW_SECRETS: &str = "show-secrets";
pub const ARG_VERBOSE: &str = "verbose";
pub const ARG_QUIET: &str = "quiet";
/// Per-endpoint fixed flags.
pub const ARG_OUTPUT: &str = "output";
pub const ARG_JOBS: &str = "jobs";
pub const ARG_REGION: &str = "region";
/// On the token endpoints that have no such input of their own (cgi-bin/token).
pub const ARG_FORCE_REFRESH: &str = "force-refresh";

const GLOBAL: &str = "Global options";
/// Width the root help's tables are laid out for (clap re-wraps them on narrower terminals).
const WIDTH: usize = 100;

/// Flags an input may not take: it gets `--<name>-value` instead.
const RESERVED: &[&str] = &["help", "version", ARG_EMULATOR, ARG_CAMEL, ARG_SHOW_SECRETS, ARG_VERBOSE, ARG_QUIET, ARG_OUTPUT, ARG_JOBS, ARG_REGION];

/// File extensions taken from a directory given to an image flag.
pub const PICTURE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "bmp", "gif", "webp", "pdf"];

/// How one input appears on the command line.
#[derive(Debug)]
pub enum ArgKind {
    /// `--<name>`: a value of the spec's type.
    Value {
        id: &'static str,
        long: &'static str,
        loc: wxcv::rt::Loc,
        wire: &'static str,
        ty: ValueType,
        comma: bool,
        /// WeChat's `appid` / `secret` inputs (the token endpoints): taken from the configured
        /// credentials when not given.
        from_credentials: bool,
    },
    /// `--<data wire> FILE...` or `--<url wire> URL...`, one of the two.
    Image {
        files_id: &'static str,
        files_long: &'static str,
        url_id: &'static str,
        url_long: &'static str,
        group_id: &'static str,
        wire: ImageWire,
    },
    /// Always sent; not an argument.
    Const { loc: wxcv::rt::Loc, wire: &'static str, value: &'static str },
}

#[derive(Debug)]
pub struct InputArg {
    pub input: &'static InputInfo,
    pub kind: ArgKind,
}

/// One endpoint's place in the command tree: `wxcv <top> <command>`.
#[derive(Debug)]
pub struct Entry {
    pub top: &'static str,
    pub command: &'static str,
    pub ep: &'static EndpointInfo,
    pub args: Vec<InputArg>,
}

impl Entry {
    pub fn has_images(&self) -> bool {
        self.args.iter().any(|a| matches!(a.kind, ArgKind::Image { .. }))
    }
    /// `img scan-qrcode`
    pub fn path(&self) -> String {
        format!("{} {}", self.top, self.command)
    }
}

/// Every endpoint of both vendors, in spec order (WeChat first).
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let wechat = wxcv::wechat::ENDPOINTS.iter().map(|ep| entry(ep.group, kebab(ep.id), ep));
        // Tencent actions are unique per vendor: `wxcv tc <action-kebab>`.
        let tencent = wxcv::tencentcloud::ENDPOINTS.iter().map(|ep| entry(TC, kebab(ep.action.unwrap_or(ep.name)), ep));
        wechat.chain(tencent).collect()
    })
}

pub fn find(top: &str, command: &str) -> Option<&'static Entry> {
    entries().iter().find(|e| e.top == top && e.command == command)
}

fn entry(top: &'static str, command: String, ep: &'static EndpointInfo) -> Entry {
    let mut used: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    let mut long_for = |wanted: String| -> &'static str {
        let mut long = wanted;
        while used.contains(&long) {
            long.push_str("-value");
        }
        used.push(long.clone());
        leak(long)
    };
    let args = ep
        .inputs
        .iter()
        .map(|input| {
            let kind = match input.kind {
                InputKind::Value { loc, wire, ty, comma, .. } => ArgKind::Value {
                    // Ids apart from the fixed flags' ids, whatever the spec names an input.
                    id: leak(format!("input:{}", input.name)),
                    long: long_for(kebab(input.name)),
                    loc,
                    wire,
                    ty,
                    comma,
                    from_credentials: ep.vendor == Vendor::WeChat && (wire == "appid" || (input.secret && wire == "secret")),
                },
                InputKind::Image(wire) => {
                    // WeChat: --img / --img-url (the wire names). Tencent sends the bytes
                    // base64-encoded in `ImageBase64`: its files flag is the input's own name (--image).
                    let url_long = long_for(kebab(wire.url.1));
                    let files = if wire.base64 { kebab(input.name) } else { kebab(wire.data.1) };
                    ArgKind::Image {
                        files_id: leak(format!("input:{}", input.name)),
                        files_long: long_for(files),
                        url_id: leak(format!("input:{}@url", input.name)),
                        url_long,
                        group_id: leak(format!("input:{}@source", input.name)),
                        wire,
                    }
                }
                InputKind::Const { loc, wire, value } => ArgKind::Const { loc, wire, value },
            };
            InputArg { input, kind }
        })
        .collect();
    Entry { top, command: leak(command), ep, args }
}

/// The whole tree.
pub fn build() -> Command {
    let mut root = Command::new("wxcv")
        .version(env!("CARGO_PKG_VERSION"))
        .about("The WeChat image/OCR APIs and Tencent Cloud's QR/barcode OCR from the command line; every endpoint of the wxcv spec")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .max_term_width(120)
        .arg(
            Arg::new(ARG_EMULATOR)
                .long(ARG_EMULATOR)
                .global(true)
                .help_heading(GLOBAL)
                .action(ArgAction::SetTrue)
                .help("Start the local emulator in this process and call it instead of the vendors (ignores credentials in the environment)"),
        )
        .arg(
            Arg::new(ARG_CAMEL)
                .long(ARG_CAMEL)
                .global(true)
                .help_heading(GLOBAL)
                .action(ArgAction::SetTrue)
                .help("Print reply keys the cloud-call way: code_results -> codeResults (Tencent's PascalCase keys stay)"),
        )
        .arg(
            Arg::new(ARG_SHOW_SECRETS)
                .long(ARG_SHOW_SECRETS)
                .global(true)
                .help_heading(GLOBAL)
                .action(ArgAction::SetTrue)
                .help("Print credentials found in replies (access_token); otherwise they are printed as <redacted>"),
        )
        .arg(
            Arg::new(ARG_VERBOSE)
                .short('v')
                .long(ARG_VERBOSE)
                .global(true)
                .help_heading(GLOBAL)
                .action(ArgAction::Count)
                .help("Log on stderr: -v retries and token fetches, -vv each request and reply, -vvv everything (secrets are always redacted)"),
        )
        .arg(
            Arg::new(ARG_QUIET)
                .short('q')
                .long(ARG_QUIET)
                .global(true)
                .help_heading(GLOBAL)
                .action(ArgAction::SetTrue)
                .conflicts_with(ARG_VERBOSE)
                .help("Log errors only (by default warnings are logged too); RUST_LOG, when set, replaces both flags' filter"),
        )
        .after_help(root_after_help());

    let mut tops: Vec<&'static str> = Vec::new();
    for e in entries() {
        if !tops.contains(&e.top) {
            tops.push(e.top);
        }
    }
    for top in tops {
        let members: Vec<&Entry> = entries().iter().filter(|e| e.top == top).collect();
        let names: Vec<&str> = members.iter().map(|e| e.command).collect();
        let vendor = members[0].ep.vendor;
        let about = if top == TC {
            format!("Tencent Cloud (API 3.0, TC3-signed): {}", names.join(", "))
        } else {
            format!("{vendor} {top}: {}", names.join(", "))
        };
        let cmd = Command::new(top)
            .about(about)
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommands(members.iter().map(|e| endpoint_command(e)));
        root = root.subcommand(cmd);
    }
    root.subcommand(emulator_command())
}

fn status_label(ep: &EndpointInfo) -> Option<String> {
    match ep.status {
        Status::Active => None,
        Status::Deprecated => Some(match ep.status_date {
            Some(d) => format!("deprecated since {d}"),
            None => "deprecated".to_string(),
        }),
        Status::Offline => Some(match ep.status_date {
            Some(d) => format!("offline since {d}"),
            None => "offline".to_string(),
        }),
    }
}

fn root_after_help() -> String {
    let width = entries().iter().map(|e| e.path().len()).max().unwrap_or(0);
    let mut s = String::from("Endpoints (`wxcv <group> <endpoint> --help` shows each one's flags):\n");
    for e in entries() {
        let mut summary = e.ep.summary.to_string();
        if let Some(l) = status_label(e.ep) {
            summary = format!("[{l}] {summary}");
        }
        s.push_str(&hanging(&format!("  {:width$}  ", e.path()), &summary));
    }
    s.push_str("\nCredentials (read from the environment unless --emulator is given):\n");
    s.push_str(&hanging("  WeChat: ", "WECHAT_APPID, WECHAT_APPSECRET (or WECHAT_CLOUDBASE=1), WECHAT_BASE_URL, WECHAT_STABLE_TOKEN=1"));
    s.push_str(&hanging(
        "  Tencent Cloud: ",
        "TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN, TENCENTCLOUD_REGION, TENCENTCLOUD_BASE_URL",
    ));
    s.push_str("\nOutput:\n");
    s.push_str(&hanging("  ", "The reply as pretty JSON on stdout (binary replies: the file written by -o FILE)."));
    s.push_str(&hanging(
        "  ",
        "With several files: one JSON object per line, in input order: {\"index\": N, \"file\": ..., \"result\": ...} or {\"index\": N, \"file\": ..., \"error\": ...}; index is the input's position, from 0 (URLs print without their query).",
    ));
    s.push_str(&hanging("  ", "Errors: one JSON object on stderr: kind, code, message, request_id, endpoint, meaning; a command line that cannot be parsed too (kind usage, with its usage line)."));
    s.push_str(&hanging("  ", "Logs: on stderr, with -v / -vv / -vvv (or RUST_LOG); -q keeps errors only."));
    s.push_str("\nExit codes:\n");
    for (code, text) in [
        ("0", "success"),
        ("1", "local failure: the output file cannot be written, the emulator cannot start"),
        ("2", "invalid input or usage: a documented limit is broken, a file is missing or not a picture (nothing was sent)"),
        ("3", "the vendor answered with an error code"),
        ("4", "credentials: missing credentials or bad configuration, rejected credentials, access token or permission errors"),
        ("5", "network: connection, timeout, an HTTP error without a vendor error, an undecodable reply"),
    ] {
        s.push_str(&hanging(&format!("  {code}  "), text));
    }
    s.push_str("  With several files, the highest code of any file wins.");
    s
}

/// `head` then `text` word-wrapped to [`WIDTH`], continuation lines indented under the text.
fn hanging(head: &str, text: &str) -> String {
    let indent = head.chars().count();
    let mut out = head.to_string();
    let mut col = indent;
    for (i, word) in text.split_whitespace().enumerate() {
        let len = word.chars().count();
        if i > 0 && col + 1 + len > WIDTH {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', indent));
            col = indent;
        } else if i > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += len;
    }
    out.push('\n');
    out
}

fn endpoint_command(e: &Entry) -> Command {
    let ep = e.ep;
    let mut about = ep.summary.to_string();
    if let Some(l) = status_label(ep) {
        about = format!("[{l}] {about}");
    }
    let long_about = format!("{about}\n{}", ep.summary_zh);

    let mut after = String::new();
    match (ep.status_text(), ep.status_note) {
        (Some(note), _) => {
            let label = status_label(ep).unwrap_or_default();
            let mut label = label;
            if let Some(first) = label.get(0..1) {
                label = first.to_uppercase() + &label[1..];
            }
            let _ = writeln!(after, "{label}: {note}\n");
        }
        (None, Some(note)) => {
            let _ = writeln!(after, "Note: {note}\n");
        }
        (None, None) => {}
    }
    match ep.vendor {
        Vendor::WeChat => {
            let method = match ep.method {
                Method::Get => "GET",
                Method::Post => "POST",
            };
            let _ = write!(after, "Calls {method} {}{} (cloud call {}).", ep.host, ep.path, ep.name);
        }
        Vendor::TencentCloud => {
            let _ = write!(after, "Calls Tencent Cloud action {}", ep.action.unwrap_or(ep.name));
            if let Some(v) = ep.version {
                let _ = write!(after, ", version {v}");
            }
            if !ep.regions.is_empty() {
                let _ = write!(after, "; regions: {}", ep.regions.join(", "));
            }
            after.push('.');
        }
    }
    match ep.output {
        OutputKind::Json => after.push_str(" Prints the reply as JSON."),
        OutputKind::Binary => after.push_str(" Writes the picture to -o FILE and prints {\"output\", \"content_type\", \"bytes\"}."),
    }

    if wxcv::wechat::is_token_endpoint(ep) {
        let _ = write!(
            after,
            "\n\nFor the configured app (WECHAT_APPID / WECHAT_APPSECRET), prints the current token: the one shared through \
             WECHAT_REDIS_URL when set, else this run's own (fetched once). A new token is fetched only when none is usable, or with \
             --force-refresh (through the store's refresh lock), because each fetch starts the 5-minute end of the token every other \
             process uses. expires_in is the seconds the printed token stays valid. With another app's --appid / --secret, the \
             vendor is asked directly."
        );
    }
    let mut cmd = Command::new(e.command).about(about).long_about(long_about).after_help(after);
    for a in &e.args {
        match &a.kind {
            ArgKind::Value { id, long, ty, from_credentials, .. } => {
                cmd = cmd.arg(value_arg(a.input, id, long, ty, *from_credentials));
            }
            ArgKind::Image { files_id, files_long, url_id, url_long, group_id, .. } => {
                let doc = a.input.doc.unwrap_or("the picture");
                let limits = describe_limits(&a.input.limits);
                let files_help = format!(
                    "{doc}; here as one or more files or a directory of pictures, one call each{}",
                    if limits.is_empty() { String::new() } else { format!(" [{limits}]") }
                );
                cmd = cmd
                    .arg(
                        Arg::new(*files_id)
                            .long(*files_long)
                            .value_name("FILE")
                            .num_args(1..)
                            .action(ArgAction::Append)
                            .value_parser(value_parser!(PathBuf))
                            .help(files_help),
                    )
                    .arg(
                        Arg::new(*url_id)
                            .long(*url_long)
                            .value_name("URL")
                            .num_args(1..)
                            .action(ArgAction::Append)
                            .value_parser(ValueParser::string())
                            .help("the picture's http(s) URL, fetched by the vendor; several URLs run one call each"),
                    )
                    .group(ArgGroup::new(*group_id).args([*files_id, *url_id]).required(a.input.required).multiple(false));
            }
            ArgKind::Const { .. } => {}
        }
    }
    if e.has_images() {
        cmd = cmd.arg(
            Arg::new(ARG_JOBS)
                .short('j')
                .long(ARG_JOBS)
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..=256))
                .default_value("4")
                .help("Calls in flight at once when several files are given"),
        );
    }
    if ep.output == OutputKind::Binary {
        let help = if e.has_images() {
            "Where to write the picture (written atomically; `-` writes the bytes to stdout); with several inputs, a directory"
        } else {
            "Where to write the picture (written atomically; `-` writes the bytes to stdout)"
        };
        cmd = cmd.arg(
            Arg::new(ARG_OUTPUT)
                .short('o')
                .long(ARG_OUTPUT)
                .value_name("FILE")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help(help),
        );
    }
    if wxcv::wechat::is_token_endpoint(ep) {
        let has_own = e.args.iter().any(|a| matches!(a.kind, ArgKind::Value { long, .. } if long == ARG_FORCE_REFRESH));
        if !has_own {
            cmd = cmd.arg(
                Arg::new(ARG_FORCE_REFRESH)
                    .long(ARG_FORCE_REFRESH)
                    .action(ArgAction::SetTrue)
                    .help("Fetch a new token even while the current one is valid (through the token store's lock)"),
            );
        }
    }
    if ep.vendor == Vendor::TencentCloud {
        let mut arg = Arg::new(ARG_REGION).long(ARG_REGION).value_name("REGION").help(
            "Tencent Cloud region (overrides TENCENTCLOUD_REGION). Without either, the request carries no X-TC-Region \
             (Region is optional for the OCR actions) and ocr.tencentcloudapi.com serves it from the nearest region",
        );
        if !ep.regions.is_empty() {
            arg = arg.value_parser(PossibleValuesParser::new(ep.regions.iter().copied()));
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

fn value_arg(input: &'static InputInfo, id: &'static str, long: &'static str, ty: &ValueType, from_credentials: bool) -> Arg {
    let mut help = input.doc.unwrap_or(input.name).to_string();
    let limits = describe_limits(&input.limits);
    if !limits.is_empty() {
        let _ = write!(help, " [{limits}]");
    }
    if let Some(d) = input.default {
        let _ = write!(help, " [vendor default: {d}]");
    }
    if from_credentials {
        help.push_str(if input.secret {
            " [default: the configured WECHAT_APPSECRET; avoid passing secrets on the command line]"
        } else {
            " [default: the configured WECHAT_APPID]"
        });
    }
    let mut arg = Arg::new(id).long(long).help(help).required(input.required && !from_credentials);
    arg = match ty {
        ValueType::List(inner) => {
            let a = arg.value_name(value_name(inner)).num_args(1..).action(ArgAction::Append).value_parser(parser(inner));
            let a = if is_number(inner) { a.allow_negative_numbers(true) } else { a };
            // JSON items may hold commas; every other item type is comma separated as well.
            if matches!(inner, ValueType::Model | ValueType::List(_)) { a } else { a.value_delimiter(',') }
        }
        ValueType::Bool => arg
            .value_name("BOOL")
            .num_args(0..=1)
            .default_missing_value("true")
            .action(ArgAction::Set)
            .value_parser(parser(ty)),
        _ => {
            let a = arg.value_name(value_name(ty)).action(ArgAction::Set).value_parser(parser(ty));
            if is_number(ty) { a.allow_negative_numbers(true) } else { a }
        }
    };
    arg
}

fn is_number(ty: &ValueType) -> bool {
    matches!(ty, ValueType::Int | ValueType::Float)
}

fn value_name(ty: &ValueType) -> &'static str {
    match ty {
        ValueType::String => "TEXT",
        ValueType::Int => "INT",
        ValueType::Float => "NUMBER",
        ValueType::Bool => "BOOL",
        ValueType::Enum(_) => "VALUE",
        ValueType::Model | ValueType::List(_) => "JSON",
    }
}

/// The parser of one value of `ty` (a list's items are parsed one by one).
/// What each yields is what `call::read_value` takes out of the matches.
fn parser(ty: &ValueType) -> ValueParser {
    match ty {
        ValueType::String => ValueParser::string(),
        ValueType::Int => value_parser!(i64).into(),
        ValueType::Float => value_parser!(f64).into(),
        ValueType::Bool => ValueParser::new(PossibleValuesParser::new(["true", "false"]).map(|s| s == "true")),
        ValueType::Enum(values) => ValueParser::new(PossibleValuesParser::new(values.iter().copied())),
        ValueType::Model | ValueType::List(_) => ValueParser::new(parse_json),
    }
}

fn parse_json(s: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(s).map_err(|e| format!("not JSON ({e}); for example '{{\"r\":0,\"g\":0,\"b\":0}}'"))
}

/// `1..=32 characters; characters 0-9A-Za-z...`: the documented limits, for help texts.
pub fn describe_limits(l: &Limits) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(max) = l.max_bytes {
        parts.push(if max >= 1024 * 1024 - 1 {
            format!("under {} MB", (max + 1).div_ceil(1024 * 1024))
        } else {
            format!("at most {max} bytes")
        });
    }
    if let Some(max) = l.max_base64_bytes {
        parts.push(format!("at most {} MB after base64", max as f64 / (1024.0 * 1024.0)));
    }
    match (l.min_chars, l.max_chars) {
        (Some(1), None) => parts.push("not empty".into()),
        (Some(min), Some(max)) => parts.push(format!("{min} to {max} characters")),
        (Some(min), None) => parts.push(format!("at least {min} characters")),
        (None, Some(max)) => parts.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    if let Some((written, _)) = l.charset {
        parts.push(format!("characters {written}"));
    }
    if let Some(p) = l.forbid_prefix {
        parts.push(format!("no leading {p}"));
    }
    if let Some(c) = l.forbid_chars {
        parts.push(format!("no {c}"));
    }
    match (l.min, l.max) {
        (Some(min), Some(max)) => parts.push(format!("{min} to {max}")),
        (Some(min), None) => parts.push(format!("at least {min}")),
        (None, Some(max)) => parts.push(format!("at most {max}")),
        (None, None) => {}
    }
    if let Some(n) = l.max_items {
        parts.push(format!("at most {n} items"));
    }
    if !l.formats.is_empty() {
        let f: Vec<&str> = l.formats.iter().map(|f| f.name()).collect();
        parts.push(f.join("/"));
    }
    parts.join("; ")
}

fn emulator_command() -> Command {
    Command::new(EMULATOR)
        .about("Run the local emulator of both vendors' APIs as a server until Ctrl-C")
        .long_about(
            "Run the local emulator of both vendors' APIs as a server until Ctrl-C.\n\
             Prints one JSON line: its base URL, the WeChat app id and the Tencent Cloud key id it knows \
             (never the secrets), and the environment variables that point wxcv at it.",
        )
        .arg(
            Arg::new("port")
                .short('p')
                .long("port")
                .value_name("N")
                .value_parser(value_parser!(u16))
                .default_value("0")
                .help("Port to listen on; 0 picks a free one"),
        )
        .arg(
            Arg::new("host")
                .long("host")
                .value_name("ADDR")
                .value_parser(value_parser!(std::net::IpAddr))
                .default_value("127.0.0.1")
                .help("Address to listen on"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_is_valid() {
        // clap's own consistency checks (duplicate flags, groups naming unknown args, ...).
        build().debug_assert();
    }

    #[test]
    fn every_endpoint_has_an_entry() {
        let n = wxcv::wechat::ENDPOINTS.len() + wxcv::tencentcloud::ENDPOINTS.len();
        assert_eq!(entries().len(), n);
        assert!(find("img", "scan-qrcode").is_some());
        assert!(find(TC, "qrcode-ocr").is_some());
        assert!(find(TC, "query-bar-code").is_some());
    }

    #[test]
    fn image_flags_follow_the_wire_names() {
        let flags = |top, cmd| -> Vec<&'static str> {
            find(top, cmd)
                .unwrap()
                .args
                .iter()
                .filter_map(|a| match a.kind {
                    ArgKind::Image { files_long, url_long, .. } => Some([files_long, url_long]),
                    _ => None,
                })
                .flatten()
                .collect()
        };
        assert_eq!(flags("img", "scan-qrcode"), ["img", "img-url"]);
        assert_eq!(flags(TC, "qrcode-ocr"), ["image", "image-url"]);
    }

    #[test]
    fn limits_read_well() {
        let e = find("wxacode", "get-unlimited").unwrap();
        let scene = e.ep.input("scene").unwrap();
        assert_eq!(describe_limits(&scene.limits), "1 to 32 characters; characters 0-9A-Za-z!#$&'()*+,/:;=?@._~-");
        let img = find("img", "scan-qrcode").unwrap().ep.input("image").unwrap();
        assert_eq!(describe_limits(&img.limits), "under 2 MB; jpeg/png/bmp/gif/webp");
    }
}
