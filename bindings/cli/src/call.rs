//! One endpoint's run: arguments read and checked against the spec's limits, the request built
//! from the endpoint's input table, the call (or a batch of calls), the output.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ArgMatches;
use futures_util::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use wxcv::rt::{AuthKind, Check, EndpointInfo, InputInfo, Limits, OutputKind, ValueType, WireRequest};
use wxcv::tencentcloud::{TencentCloud, TencentCloudConfig};
use wxcv::wechat::{Credentials, WeChat, WeChatConfig};
use wxcv::{BinaryImage, Error, Image, Vendor};

use crate::commands::{self, ArgKind, Entry, PICTURE_EXTENSIONS};
use crate::output::{self, CliError, EXIT_OK, Style};

/// Where one image input comes from.
#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    Url(String),
}

impl Source {
    fn image(&self) -> Image {
        match self {
            Source::File(p) => Image::Path(p.clone()),
            Source::Url(u) => Image::Url(u.clone()),
        }
    }
    /// `{"file": ...}` or `{"url": ...}` in batch lines.
    fn label(&self) -> (&'static str, Value) {
        match self {
            Source::File(p) => ("file", p.display().to_string().into()),
            Source::Url(u) => ("url", wxcv::redact_url(u).into()),
        }
    }
}

/// The sources of one call: one per image input.
type Item = Vec<(&'static str, Source)>;

/// The command line, read and checked; nothing sent yet.
struct Plan {
    entry: &'static Entry,
    /// Checked values by input name.
    values: HashMap<&'static str, Value>,
    /// One call each.
    items: Vec<Item>,
    /// The input whose sources make the batch, if this is one.
    batch: Option<&'static str>,
    output: Option<PathBuf>,
    jobs: usize,
    style: Style,
    emulator: bool,
    region: Option<String>,
    /// `--force-refresh` of a token endpoint without such an input of its own.
    force_refresh: bool,
}

pub async fn run(entry: &'static Entry, m: &ArgMatches) -> i32 {
    let ep = entry.ep;
    let plan = match Plan::read(entry, m) {
        Ok(p) => p,
        Err(e) => return output::report(&e, ep.name),
    };
    let backend = match Backend::start(plan.emulator, plan.region.clone()).await {
        Ok(b) => b,
        Err(e) => return output::report(&e, ep.name),
    };
    let mut plan = plan;
    if let Err(e) = plan.fill_credentials(&backend) {
        return output::report(&e, ep.name);
    }
    if plan.batch.is_none() {
        single(&plan, &backend).await
    } else {
        batch(&plan, &backend).await
    }
}

async fn single(plan: &Plan, backend: &Backend) -> i32 {
    let ep = plan.entry.ep;
    let item = plan.items.first().cloned().unwrap_or_default();
    let result = async {
        // Every limit (file size, format, ...) is checked here, before a client even exists.
        let wire = plan.wire(&item).await?;
        let client = backend.client(ep)?;
        let reply = client.call(wire, plan.force_refresh).await?;
        plan.emit(reply, None)
    }
    .await;
    match result {
        Ok(Emitted::Json(v)) => match serde_json::to_string_pretty(&v) {
            Ok(s) => finish(output::stdout_line(&s), ep),
            Err(e) => output::report(&CliError::Local(e.to_string()), ep.name),
        },
        Ok(Emitted::Line(v)) => finish(output::stdout_line(&v.to_string()), ep),
        Ok(Emitted::Nothing) => EXIT_OK,
        Err(e) => output::report(&e, ep.name),
    }
}

fn finish(r: Result<(), CliError>, ep: &EndpointInfo) -> i32 {
    match r {
        Ok(()) => EXIT_OK,
        Err(e) => output::report(&e, ep.name),
    }
}

async fn batch(plan: &Plan, backend: &Backend) -> i32 {
    let ep = plan.entry.ep;
    let client = match backend.client(ep) {
        Ok(c) => c,
        Err(e) => return output::report(&e, ep.name),
    };
    let bar = progress_bar(plan.items.len());
    let batch_input = plan.batch.unwrap_or_default();
    let mut worst = EXIT_OK;
    let mut results = futures_util::stream::iter(plan.items.iter().enumerate())
        .map(|(index, item)| {
            let client = client.clone();
            let bar = bar.clone();
            async move {
                let result = async {
                    let wire = plan.wire(item).await?;
                    let reply = client.call(wire, false).await?;
                    let source = item.iter().find(|(name, _)| *name == batch_input).map(|(_, s)| s);
                    plan.emit(reply, source)
                }
                .await;
                bar.inc(1);
                (index, item, result)
            }
        })
        .buffered(plan.jobs);
    while let Some((index, item, result)) = results.next().await {
        let mut line = serde_json::Map::new();
        // The input's position in the batch: URLs are printed without their query, so two that
        // differ only there would print alike.
        line.insert("index".into(), index.into());
        if let Some((_, source)) = item.iter().find(|(name, _)| *name == batch_input) {
            let (k, v) = source.label();
            line.insert(k.into(), v);
        }
        match result {
            Ok(Emitted::Json(v) | Emitted::Line(v)) => {
                line.insert("result".into(), v);
            }
            Ok(Emitted::Nothing) => {}
            Err(e) => {
                worst = worst.max(e.exit_code());
                line.insert("error".into(), e.to_json(ep.name));
            }
        }
        let text = Value::Object(line).to_string();
        if let Err(e) = bar.suspend(|| output::stdout_line(&text)) {
            bar.finish_and_clear();
            return output::report(&e, ep.name).max(worst);
        }
    }
    bar.finish_and_clear();
    worst
}

/// A bar on stderr while a batch runs; hidden when stderr is not a terminal.
fn progress_bar(n: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} eta {eta}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// What one call printed.
enum Emitted {
    /// A reply: pretty-printed alone, one line in a batch.
    Json(Value),
    /// A summary line (a written picture).
    Line(Value),
    /// The picture's bytes went to stdout.
    Nothing,
}

impl Plan {
    fn read(entry: &'static Entry, m: &ArgMatches) -> Result<Plan, CliError> {
        let ep = entry.ep;
        let mut values = HashMap::new();
        let mut sources: Vec<(&'static str, Vec<Source>, bool)> = Vec::new();
        for a in &entry.args {
            match &a.kind {
                ArgKind::Value { id, ty, .. } => {
                    if let Some(v) = read_value(ep, a.input, m, id, ty)? {
                        values.insert(a.input.name, v);
                    }
                }
                ArgKind::Image { files_id, url_id, files_long, .. } => {
                    let mut list = Vec::new();
                    let mut expanded = false;
                    if let Some(files) = get_many::<PathBuf>(m, files_id)? {
                        for p in files {
                            if p.is_dir() {
                                let found = pictures_in(&p, files_long)?;
                                list.extend(found.into_iter().map(Source::File));
                                expanded = true;
                            } else {
                                list.push(Source::File(p));
                            }
                        }
                    }
                    if let Some(urls) = get_many::<String>(m, url_id)? {
                        list.extend(urls.into_iter().map(Source::Url));
                    }
                    if !list.is_empty() {
                        sources.push((a.input.name, list, expanded));
                    }
                }
                ArgKind::Const { .. } => {}
            }
        }

        let many: Vec<&'static str> = sources.iter().filter(|(_, l, dir)| l.len() > 1 || *dir).map(|(n, _, _)| *n).collect();
        if many.len() > 1 {
            return Err(CliError::Usage(format!(
                "only one image input may take several files; {} each got several",
                many.join(" and ")
            )));
        }
        let batch = many.first().copied();
        // Every list is non-empty; the batch input's list has one entry per call.
        let calls = sources.iter().find(|(n, _, _)| Some(*n) == batch).map_or(1, |(_, l, _)| l.len());
        let items: Vec<Item> = (0..calls)
            .map(|i| sources.iter().map(|(n, l, _)| (*n, l[if Some(*n) == batch { i } else { 0 }].clone())).collect())
            .collect();

        let output: Option<PathBuf> = m.try_get_one::<PathBuf>(commands::ARG_OUTPUT).ok().flatten().cloned();
        if let Some(o) = &output {
            check_output(o, batch.is_some())?;
        }
        let jobs = m.try_get_one::<u32>(commands::ARG_JOBS).ok().flatten().copied().unwrap_or(4).max(1) as usize;
        let flag = |id: &str| m.try_get_one::<bool>(id).ok().flatten().copied().unwrap_or(false);
        Ok(Plan {
            entry,
            values,
            items,
            batch,
            output,
            jobs,
            style: Style { camel: flag(commands::ARG_CAMEL), show_secrets: flag(commands::ARG_SHOW_SECRETS) },
            emulator: flag(commands::ARG_EMULATOR),
            region: m.try_get_one::<String>(commands::ARG_REGION).ok().flatten().cloned(),
            force_refresh: flag(commands::ARG_FORCE_REFRESH),
        })
    }

    /// WeChat's token endpoints take `appid` / `secret` from the configured app when not given.
    fn fill_credentials(&mut self, backend: &Backend) -> Result<(), CliError> {
        let ep = self.entry.ep;
        for a in &self.entry.args {
            let ArgKind::Value { from_credentials: true, .. } = a.kind else { continue };
            if self.values.contains_key(a.input.name) || !a.input.required {
                continue;
            }
            let cfg = backend.wechat_config(ep)?;
            let Credentials::AppSecret { app_id, app_secret } = &cfg.credentials else {
                return Err(Error::Config(format!(
                    "--{} is not given and no app credentials are configured (set {} and {})",
                    crate::names::kebab(a.input.name),
                    wxcv::wechat::ENV_APPID,
                    wxcv::wechat::ENV_APPSECRET
                ))
                .into());
            };
            let v = if a.input.secret { app_secret.expose().to_string() } else { app_id.clone() };
            self.values.insert(a.input.name, Value::String(v));
        }
        Ok(())
    }

    /// The request of one call, inputs in spec order, each where the spec says it travels.
    /// Image limits (size, format, emptiness) are checked here; nothing is sent.
    async fn wire(&self, item: &Item) -> Result<WireRequest, CliError> {
        let ep = self.entry.ep;
        let mut w = WireRequest::new(ep);
        for a in &self.entry.args {
            match &a.kind {
                ArgKind::Const { loc, wire, value } => w.value(*loc, wire, *value, false)?,
                ArgKind::Value { loc, wire, comma, .. } => {
                    if let Some(v) = self.values.get(a.input.name) {
                        w.value(*loc, wire, v, *comma)?;
                    }
                }
                ArgKind::Image { wire, .. } => {
                    if let Some((_, s)) = item.iter().find(|(n, _)| *n == a.input.name) {
                        w.image(a.input.name, s.image(), wire, &a.input.limits).await?;
                    }
                }
            }
        }
        Ok(w)
    }

    /// The reply printed (JSON), or the picture written; `source` names the batch item.
    fn emit(&self, reply: Reply, source: Option<&Source>) -> Result<Emitted, CliError> {
        let ep = self.entry.ep;
        match reply {
            Reply::Json(v) => Ok(Emitted::Json(output::shape(ep.vendor, v, self.style))),
            Reply::Binary(img) => {
                let Some(out) = &self.output else {
                    return Err(CliError::Usage("a binary reply needs -o FILE".into()));
                };
                if out.as_os_str() == "-" {
                    output::stdout_bytes(&img.data)?;
                    return Ok(Emitted::Nothing);
                }
                let path = match source {
                    // A batch writes <dir>/<input stem>.<ext>.
                    Some(s) => out.join(format!("{}.{}", stem(s), extension(&img))),
                    None => out.clone(),
                };
                output::write_atomic(&path, &img.data)
                    .map_err(|e| CliError::Local(format!("cannot write {}: {e}", path.display())))?;
                Ok(Emitted::Line(json!({
                    "output": path.display().to_string(),
                    "content_type": img.content_type,
                    "bytes": img.data.len(),
                })))
            }
        }
    }
}

fn stem(s: &Source) -> String {
    let name = match s {
        Source::File(p) => p.file_stem().map(|s| s.to_string_lossy().into_owned()),
        Source::Url(u) => u.split(['?', '#']).next().and_then(|u| u.rsplit('/').next()).map(|n| {
            n.rsplit_once('.').map(|(a, _)| a).unwrap_or(n).to_string()
        }),
    };
    name.filter(|n| !n.is_empty()).unwrap_or_else(|| "output".into())
}

fn extension(img: &BinaryImage) -> &'static str {
    wxcv::Format::sniff(&img.data).map(|f| f.extension()).unwrap_or("bin")
}

/// The output path is usable before anything is sent (a count-limited code is not wasted).
fn check_output(o: &Path, batch: bool) -> Result<(), CliError> {
    if o.as_os_str() == "-" {
        return if batch { Err(CliError::Usage("-o - cannot take several pictures; give a directory".into())) } else { Ok(()) };
    }
    if batch {
        if !o.is_dir() {
            return Err(CliError::Usage(format!("with several inputs, -o must be an existing directory: {}", o.display())));
        }
        return Ok(());
    }
    if o.is_dir() {
        return Err(CliError::Usage(format!("-o {} is a directory; name a file", o.display())));
    }
    if o.file_name().is_none() {
        return Err(CliError::Usage(format!("-o {} names no file", o.display())));
    }
    let parent = match o.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(CliError::Usage(format!("-o {}: the directory {} does not exist", o.display(), parent.display())));
    }
    Ok(())
}

/// The pictures in a directory (not recursive), by name.
fn pictures_in(dir: &Path, flag: &str) -> Result<Vec<PathBuf>, CliError> {
    let rd = std::fs::read_dir(dir).map_err(|e| CliError::Usage(format!("--{flag} {}: {e}", dir.display())))?;
    let mut found: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| PICTURE_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(CliError::Usage(format!(
            "--{flag} {}: no pictures ({}) in this directory",
            dir.display(),
            PICTURE_EXTENSIONS.join(", ")
        )));
    }
    Ok(found)
}

fn get_many<T: Clone + Send + Sync + 'static>(m: &ArgMatches, id: &str) -> Result<Option<Vec<T>>, CliError> {
    m.try_get_many::<T>(id)
        .map(|o| o.map(|v| v.cloned().collect()))
        .map_err(|e| CliError::Usage(format!("internal: argument {id}: {e}")))
}

/// One value input, parsed by clap into the type `commands::parser` gives it, then checked
/// against the spec's limits.
fn read_value(ep: &'static EndpointInfo, input: &InputInfo, m: &ArgMatches, id: &str, ty: &ValueType) -> Result<Option<Value>, CliError> {
    let l = &input.limits;
    let field = input.name;
    let ValueType::List(inner) = ty else {
        return read_scalar(ep, input, m, id, ty);
    };
    match inner {
        ValueType::String | ValueType::Enum(_) => get_many::<String>(m, id)?.map(|v| checked(v, ep, field, l)).transpose(),
        ValueType::Int => get_many::<i64>(m, id)?.map(|v| checked(v, ep, field, l)).transpose(),
        ValueType::Float => get_many::<f64>(m, id)?.map(|v| checked(v, ep, field, l)).transpose(),
        ValueType::Bool => get_many::<bool>(m, id)?.map(|v| count_checked(v, ep, field, l)).transpose(),
        ValueType::Model | ValueType::List(_) => get_many::<Value>(m, id)?.map(|v| count_checked(v, ep, field, l)).transpose(),
    }
}

fn read_scalar(ep: &'static EndpointInfo, input: &InputInfo, m: &ArgMatches, id: &str, ty: &ValueType) -> Result<Option<Value>, CliError> {
    let l = &input.limits;
    let field = input.name;
    match ty {
        ValueType::String | ValueType::Enum(_) => scalar(get_many::<String>(m, id)?, ep, field, l),
        ValueType::Int => scalar(get_many::<i64>(m, id)?, ep, field, l),
        ValueType::Float => scalar(get_many::<f64>(m, id)?, ep, field, l),
        ValueType::Bool => Ok(get_many::<bool>(m, id)?.and_then(|mut v| v.pop()).map(Value::from)),
        ValueType::Model => {
            let v = get_many::<Value>(m, id)?.and_then(|mut v| v.pop());
            if v.as_ref().is_some_and(|v| !v.is_object()) {
                return Err(invalid(ep, field, "must be a JSON object"));
            }
            Ok(v)
        }
        ValueType::List(_) => read_value(ep, input, m, id, ty),
    }
}

fn invalid(ep: &EndpointInfo, field: &str, message: impl Into<String>) -> CliError {
    Error::InvalidInput { endpoint: ep.name, field: field.into(), message: message.into() }.into()
}

/// A single value checked against the limits.
fn scalar<T: Check + serde::Serialize>(v: Option<Vec<T>>, ep: &'static EndpointInfo, field: &str, l: &Limits) -> Result<Option<Value>, CliError> {
    let Some(x) = v.and_then(|mut v| v.pop()) else { return Ok(None) };
    x.check(ep, field, l)?;
    serde_json::to_value(&x).map(Some).map_err(|e| invalid(ep, field, e.to_string()))
}

/// A list checked (item count, then each item), as a JSON array.
fn checked<T: Check + serde::Serialize>(v: Vec<T>, ep: &'static EndpointInfo, field: &str, l: &Limits) -> Result<Value, CliError> {
    v.check(ep, field, l)?;
    serde_json::to_value(&v).map_err(|e| invalid(ep, field, e.to_string()))
}

fn count_checked<T: serde::Serialize>(v: Vec<T>, ep: &'static EndpointInfo, field: &str, l: &Limits) -> Result<Value, CliError> {
    l.check_items(v.len()).map_err(|f| invalid(ep, field, f.message))?;
    serde_json::to_value(&v).map_err(|e| invalid(ep, field, e.to_string()))
}

/// A reply.
enum Reply {
    Json(Value),
    Binary(BinaryImage),
}

#[derive(Clone)]
enum Client {
    WeChat(WeChat),
    Tencent(TencentCloud),
}

impl Client {
    /// `force_refresh`: a token endpoint fetches a new token (see `WeChat::call_token_json`).
    async fn call(&self, w: WireRequest, force_refresh: bool) -> Result<Reply, CliError> {
        let binary = w.endpoint.output == OutputKind::Binary;
        Ok(match (self, binary) {
            (Client::WeChat(c), false) => Reply::Json(c.call_token_json::<Value>(w, force_refresh).await?),
            (Client::WeChat(c), true) => Reply::Binary(c.call_binary(w).await?),
            (Client::Tencent(c), false) => Reply::Json(c.call_json::<Value>(w).await?),
            (Client::Tencent(_), true) => {
                return Err(CliError::Usage(format!("{}: binary Tencent Cloud replies are not supported", w.endpoint.name)));
            }
        })
    }
}

/// Where calls go: the vendors (credentials from the environment) or the in-process emulator.
struct Backend {
    emulator: Option<wxcv_emulator::Emulator>,
    region: Option<String>,
}

impl Backend {
    async fn start(emulator: bool, region: Option<String>) -> Result<Backend, CliError> {
        let emulator = if emulator {
            Some(
                wxcv_emulator::Emulator::start()
                    .await
                    .map_err(|e| CliError::Local(format!("cannot start the emulator: {e}")))?,
            )
        } else {
            None
        };
        Ok(Backend { emulator, region })
    }

    fn wechat_config(&self, ep: &EndpointInfo) -> Result<WeChatConfig, CliError> {
        if let Some(emu) = &self.emulator {
            return Ok(emu.wechat_config());
        }
        match WeChatConfig::from_env() {
            Ok(c) => Ok(c),
            // The token endpoints themselves need no credentials configured: they take them as inputs.
            Err(_) if ep.auth == AuthKind::None => {
                let base = std::env::var(wxcv::wechat::ENV_BASE_URL).ok().filter(|v| !v.is_empty());
                Ok(WeChatConfig::cloudbase().base_url(base.unwrap_or_else(|| format!("https://{}", ep.host))))
            }
            Err(e) => Err(e.into()),
        }
    }

    fn tencent_config(&self) -> Result<TencentCloudConfig, CliError> {
        let mut cfg = match &self.emulator {
            Some(emu) => emu.tencent_config(),
            None => TencentCloudConfig::from_env()?,
        };
        if let Some(r) = &self.region {
            cfg.region = Some(r.clone());
        }
        Ok(cfg)
    }

    fn client(&self, ep: &EndpointInfo) -> Result<Client, CliError> {
        Ok(match ep.vendor {
            Vendor::WeChat => Client::WeChat(WeChat::new(self.wechat_config(ep)?)?),
            Vendor::TencentCloud => Client::Tencent(TencentCloud::new(self.tencent_config()?)?),
        })
    }
}
