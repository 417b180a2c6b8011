//! `wxcv emulator`: the emulator as a server until Ctrl-C.

use std::net::{IpAddr, SocketAddr};

use clap::ArgMatches;
use serde_json::json;
use wxcv::wechat::Credentials;

use crate::output::{self, CliError};

pub async fn run(m: &ArgMatches) -> i32 {
    let host = m.get_one::<IpAddr>("host").copied().unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let port = m.get_one::<u16>("port").copied().unwrap_or(0);
    let addr = SocketAddr::new(host, port);
    let emu = match wxcv_emulator::Emulator::start_with(wxcv_emulator::EmulatorConfig::default(), addr).await {
        Ok(e) => e,
        Err(e) => return output::report(&CliError::Local(format!("cannot start the emulator on {addr}: {e}")), "emulator"),
    };
    let base = emu.base_url();
    let app_id = match &emu.wechat_config().credentials {
        Credentials::AppSecret { app_id, .. } => Some(app_id.clone()),
        Credentials::CloudBase { .. } => None,
    };
    let secret_id = emu.tencent_config().secret_id;
    // Secrets are never printed: they are the emulator's built-in ones (see the wxcv-emulator crate).
    let info = json!({
        "base_url": base,
        "wechat_appid": app_id,
        "tencentcloud_secret_id": secret_id,
        "secrets": "not printed: they are the emulator's built-in ones (wxcv_emulator::APPSECRET, wxcv_emulator::SECRET_KEY)",
        "env": {
            wxcv::wechat::ENV_BASE_URL: base,
            wxcv::wechat::ENV_APPID: app_id,
            wxcv::tencentcloud::ENV_BASE_URL: base,
            wxcv::tencentcloud::ENV_SECRET_ID: secret_id,
        },
    });
    if let Err(e) = output::stdout_line(&info.to_string()) {
        return output::report(&e, "emulator");
    }
    eprintln!("wxcv emulator: serving on {base}; Ctrl-C stops it");
    // Runs until the process is interrupted (Ctrl-C ends it; the emulator keeps no state to save).
    std::future::pending::<()>().await;
    drop(emu);
    output::EXIT_OK
}
