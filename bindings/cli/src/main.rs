//! `wxcv`: every endpoint of the wxcv spec (WeChat image/OCR/wxacode APIs, Tencent Cloud QR OCR)
//! on the command line. The subcommands are built at startup from the spec's endpoint tables.

mod call;
mod commands;
mod names;
mod output;
mod serve;

use std::process::ExitCode;

fn main() -> ExitCode {
    let matches = commands::build().get_matches();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            return code(output::report(&output::CliError::Local(format!("cannot start the async runtime: {e}")), ""));
        }
    };
    code(runtime.block_on(dispatch(matches)))
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
