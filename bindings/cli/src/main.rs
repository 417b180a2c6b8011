//! `wxcv`: every endpoint of the wxcv spec (WeChat image/OCR/wxacode APIs, Tencent Cloud QR OCR)
//! on the command line. The subcommands are built at startup from the spec's endpoint tables.

mod call;
mod commands;
mod logging;
mod names;
mod output;
mod serve;

use std::process::ExitCode;

fn main() -> ExitCode {
    let matches = match commands::build().try_get_matches() {
        Ok(m) => m,
        Err(e) => return code(usage_error(e)),
    };
    let leaf = leaf(&matches);
    let verbose = leaf.try_get_one::<u8>(commands::ARG_VERBOSE).ok().flatten().copied().unwrap_or(0);
    let quiet = leaf.try_get_one::<bool>(commands::ARG_QUIET).ok().flatten().copied().unwrap_or(false);
    match logging::filter(verbose, quiet) {
        Ok(f) => logging::init(f),
        Err(e) => return code(output::report(&e, endpoint_in_args())),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            return code(output::report(&output::CliError::Local(format!("cannot start the async runtime: {e}")), ""));
        }
    };
    code(runtime.block_on(dispatch(matches)))
}

/// The matches of the innermost subcommand, where the global flags are propagated to.
fn leaf(m: &clap::ArgMatches) -> &clap::ArgMatches {
    match m.subcommand() {
        Some((_, sub)) => leaf(sub),
        None => m,
    }
}

/// A command line clap refuses: the JSON error object on stderr, exit 2, as every other failure
/// (help and version requests print as usual).
fn usage_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
        let _ = e.print();
        return e.exit_code();
    }
    let rendered = e.render().to_string();
    let (problem, rest) = rendered.split_once("\nUsage:").unwrap_or((rendered.as_str(), ""));
    let message = problem.trim().trim_start_matches("error:").split_whitespace().collect::<Vec<_>>().join(" ");
    let usage = rest.split("\n\n").next().map(|u| u.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|u| !u.is_empty());
    output::report_usage(&message, usage.as_deref(), endpoint_in_args())
}

/// The vendor's name of the endpoint the command line names (`img scan-qrcode` ->
/// `img.scanQRCode`), or "" when it names none.
fn endpoint_in_args() -> &'static str {
    let words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    words.windows(2).find_map(|w| commands::find(&w[0], &w[1])).map_or("", |e| e.ep.name)
}

async fn dispatch(matches: clap::ArgMatches) -> i32 {
    let Some((top, m)) = matches.subcommand() else { return output::EXIT_INPUT };
    if top == commands::EMULATOR {
        return serve::run(m).await;
    }
    let Some((command, em)) = m.subcommand() else { return output::EXIT_INPUT };
    match commands::find(top, command) {
        Some(entry) => call::run(entry, em).await,
        None => output::report(&output::CliError::Usage(format!("no endpoint `{top} {command}`")), ""),
    }
}

fn code(c: i32) -> ExitCode {
    ExitCode::from(u8::try_from(c).unwrap_or(1))
}
