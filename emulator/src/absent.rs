//! The stand-in for [`Emulator`] when the crate is built without its `server` feature: the same
//! type and the methods the bindings call, none of which can be reached, because `start` and
//! `start_with` always answer that this build has no emulator.

use std::convert::Infallible;
use std::net::SocketAddr;

use crate::EmulatorConfig;

/// What `start` answers in a build without the emulator.
pub(crate) const MISSING: &str = "this build has no emulator: it was built without the `emulator` feature";

/// No emulator can be made in this build: a value of this type cannot exist.
pub struct Emulator(Infallible);

impl Emulator {
    pub async fn start() -> std::io::Result<Emulator> {
        Self::start_with(EmulatorConfig::default(), SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_with(_config: EmulatorConfig, _addr: SocketAddr) -> std::io::Result<Emulator> {
        Err(std::io::Error::new(std::io::ErrorKind::Unsupported, MISSING))
    }

    pub fn blob_url(&self, _data: impl Into<bytes::Bytes>) -> Result<String, String> {
        match self.0 {}
    }

    pub fn token_issues(&self, _appid: &str) -> u64 {
        match self.0 {}
    }

    pub fn calls(&self, _endpoint: &str) -> u64 {
        match self.0 {}
    }

    pub fn base_url(&self) -> String {
        match self.0 {}
    }
}
