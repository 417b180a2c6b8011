//! Log lines on stderr: `-v` info, `-vv` debug, `-vvv` trace, `-q` errors only (the default shows
//! warnings), for wxcv's own crates; `RUST_LOG` (tracing-subscriber's env-filter syntax), when
//! set, replaces the flags' filter. Every line goes through the core's redaction before it is
//! written, as a second guard behind the core's logs, which never hold a secret.

use std::io::{self, Write};

use tracing_subscriber::EnvFilter;

use crate::output::CliError;

/// The filter for `verbose` (`-v` count) and `quiet`, or `RUST_LOG` when set.
pub fn filter(verbose: u8, quiet: bool) -> Result<EnvFilter, CliError> {
    if let Some(spec) = std::env::var("RUST_LOG").ok().filter(|s| !s.trim().is_empty()) {
        return EnvFilter::try_new(&spec).map_err(|e| CliError::Usage(format!("RUST_LOG={spec:?} is not a valid filter: {e}")));
    }
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    // Other crates (HTTP, Redis) only say more at -vvv.
    let others = if verbose >= 3 && !quiet { "trace" } else { "warn" };
    EnvFilter::try_new(format!("{others},wxcv={level},wxcv_cli={level},wxcv_emulator={level}"))
        .map_err(|e| CliError::Local(format!("internal: log filter: {e}")))
}

/// Starts logging to stderr.
pub fn init(filter: EnvFilter) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Redacting(Vec::new()))
        .with_ansi(false)
        .with_target(true)
        .try_init();
}

/// One log line, redacted and written to stderr when the formatter is done with it.
struct Redacting(Vec<u8>);

impl Write for Redacting {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Redacting {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let line = wxcv::redact_text(&String::from_utf8_lossy(&self.0));
        let _ = io::stderr().lock().write_all(line.as_bytes());
    }
}
