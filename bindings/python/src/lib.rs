//! `wxcv._native`: the compiled part of the Python package, deliberately small and generic.
//!
//! It holds a core client and calls endpoints by name (`call_dynamic`), so it has no line per
//! endpoint: the typed Python surface (`wxcv.wechat`, `wxcv.tencentcloud`, `wxcv.errors`) is
//! generated from the spec by `cargo xtask codegen`. Sync calls release the GIL while they wait;
//! async calls are asyncio awaitables driven by one shared tokio runtime.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyDict};
use wxcv::rt::{DynArgs, DynReply};
use wxcv::tencentcloud::{TencentCloud, TencentCloudConfig, TencentCloudOptions};
use wxcv::wechat::{WeChat, WeChatConfig, WeChatOptions};
use wxcv::{Error, ErrorCode, Image, Secret};

/// The tokio runtime every call runs on, started by the first call (not at import or client
/// creation, so a pre-fork server master starts no threads).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("wxcv")
            .build()
            .expect("cannot start the tokio runtime")
    })
}

/// Async calls whose task has not finished yet (including its last touch of Python). `_drain`,
/// run at interpreter exit, waits for them so no runtime thread enters a finalizing interpreter.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

struct InFlight;

impl InFlight {
    fn new() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits (without the GIL) until every async call's task has finished, at most `timeout` seconds;
/// registered with `atexit` by the package. Returns how many are still running.
#[pyfunction]
fn _drain(py: Python<'_>, timeout: f64) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs_f64(timeout.clamp(0.0, 60.0));
    py.detach(|| {
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        IN_FLIGHT.load(Ordering::SeqCst)
    })
}

/// A core error raised as the generated exception class (`wxcv._gen.errors._from_native` picks it).
/// Messages come from the core's `Display`, which never holds a secret or a token.
fn raise(e: Error) -> PyErr {
    Python::attach(|py| match build_exception(py, &e) {
        Ok(err) => err,
        Err(fallback) => fallback,
    })
}

fn build_exception(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let d = PyDict::new(py);
    d.set_item("message", e.to_string())?;
    match e {
        Error::Api(a) => {
            d.set_item("kind", "api")?;
            d.set_item("vendor", a.vendor.key())?;
            d.set_item("endpoint", a.endpoint)?;
            match &a.code {
                ErrorCode::WeChat(n) => {
                    d.set_item("code", n.to_string())?;
                    d.set_item("errcode", *n)?;
                }
                ErrorCode::TencentCloud(c) => d.set_item("code", c)?,
            }
            d.set_item("vendor_message", &a.message)?;
            d.set_item("request_id", a.request_id.as_deref())?;
            d.set_item("http_status", a.http_status)?;
            d.set_item("category", a.category().as_str())?;
            d.set_item("meaning", a.meaning())?;
            d.set_item("meaning_zh", a.meaning_zh())?;
            d.set_item("status_note", a.status_note)?;
        }
        Error::InvalidInput { endpoint, field, message } => {
            d.set_item("kind", "invalid_input")?;
            d.set_item("endpoint", *endpoint)?;
            d.set_item("field", field)?;
            d.set_item("detail", message)?;
        }
        Error::Config(_) => d.set_item("kind", "config")?,
        Error::Transport { endpoint, kind, .. } => {
            d.set_item("kind", "transport")?;
            d.set_item("endpoint", *endpoint)?;
            d.set_item("transport_kind", kind.name())?;
            d.set_item("http_status", kind.http_status())?;
        }
        Error::Decode { endpoint, http_status, .. } => {
            d.set_item("kind", "decode")?;
            d.set_item("endpoint", *endpoint)?;
            d.set_item("http_status", *http_status)?;
        }
        _ => d.set_item("kind", "other")?,
    }
    let factory = py.import("wxcv._gen.errors")?.getattr("_from_native")?;
    Ok(PyErr::from_value(factory.call1((d,))?))
}

/// One picture argument, as the Python layer normalises it: `(input name, kind, payload,
/// content type, filename)` with kind `bytes` (payload `bytes`), `path` or `url` (payload `str`).
type ImageArg<'py> = (String, String, Bound<'py, PyAny>, Option<String>, Option<String>);

fn args_of(values_json: &str, images: Vec<ImageArg<'_>>) -> PyResult<DynArgs> {
    let values: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(values_json).map_err(|e| PyValueError::new_err(format!("arguments are not a JSON object: {e}")))?;
    let mut args = DynArgs::from_values(values);
    for (name, kind, payload, content_type, filename) in images {
        let image = match kind.as_str() {
            "bytes" => {
                // Zero-copy: the upload reads the Python bytes object's own buffer.
                let data: PyBackedBytes = payload.extract()?;
                let mut img = Image::bytes(bytes::Bytes::from_owner(data));
                if let Some(ct) = content_type {
                    img = img.with_content_type(ct);
                }
                if let Some(f) = filename {
                    img = img.with_filename(f);
                }
                img
            }
            "path" => Image::path(payload.extract::<PyBackedStr>()?.to_string()),
            "url" => Image::url(payload.extract::<PyBackedStr>()?.to_string()),
            other => return Err(PyValueError::new_err(format!("{name}: unknown picture kind {other:?}"))),
        };
        args.insert_image(name, image);
    }
    Ok(args)
}

/// What a call returns to Python: the reply's JSON text, or `(bytes, content type)`.
enum Out {
    Json(String),
    Binary(bytes::Bytes, String),
}

impl<'py> IntoPyObject<'py> for Out {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Out::Json(s) => Ok(s.into_pyobject(py)?.into_any()),
            Out::Binary(data, ct) => Ok((PyBytes::new(py, &data), ct).into_pyobject(py)?.into_any()),
        }
    }
}

#[derive(Clone)]
enum Inner {
    WeChat(WeChat),
    Tencent(TencentCloud),
}

impl Inner {
    async fn call(self, name: String, args: DynArgs) -> Result<Out, Error> {
        let reply = match &self {
            Inner::WeChat(c) => c.call_dynamic(&name, args).await?,
            Inner::Tencent(c) => c.call_dynamic(&name, args).await?,
        };
        Ok(match reply {
            DynReply::Json(v) => Out::Json(v.to_string()),
            DynReply::Binary(b) => Out::Binary(b.data, b.content_type),
        })
    }
}

/// A core client (WeChat or Tencent Cloud). Thread-safe; shares its HTTP pool and token cache.
#[pyclass(frozen, module = "wxcv._native")]
struct Client {
    inner: Inner,
}

#[pymethods]
impl Client {
    /// A WeChat client; with no credentials and no `cloudbase`, from the `WECHAT_*` variables.
    #[staticmethod]
    #[pyo3(signature = (app_id=None, app_secret=None, *, cloudbase=false, base_url=None, stable_token=None, timeout=None, from_appid=None, redis_url=None, redis_prefix=None, redis_fallback=None))]
    #[allow(clippy::too_many_arguments)]
    fn wechat(
        app_id: Option<String>,
        app_secret: Option<String>,
        cloudbase: bool,
        base_url: Option<String>,
        stable_token: Option<bool>,
        timeout: Option<f64>,
        from_appid: Option<String>,
        redis_url: Option<String>,
        redis_prefix: Option<String>,
        redis_fallback: Option<bool>,
    ) -> PyResult<Client> {
        let o = WeChatOptions {
            app_id,
            app_secret: app_secret.map(Secret::new),
            cloudbase,
            base_url,
            stable_token,
            timeout,
            from_appid,
            redis_url,
            redis_prefix,
            redis_fallback,
        };
        // No runtime is started here: a client made at import time in a pre-fork server master
        // (gunicorn --preload) starts no threads before the fork.
        let client = WeChatConfig::from_options(o).and_then(WeChat::new).map_err(raise)?;
        Ok(Client { inner: Inner::WeChat(client) })
    }

    /// A Tencent Cloud client; with no key pair, from the `TENCENTCLOUD_*` variables.
    #[staticmethod]
    #[pyo3(signature = (secret_id=None, secret_key=None, *, region=None, token=None, language=None, base_url=None, timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn tencentcloud(
        secret_id: Option<String>,
        secret_key: Option<String>,
        region: Option<String>,
        token: Option<String>,
        language: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
    ) -> PyResult<Client> {
        let o = TencentCloudOptions {
            secret_id,
            secret_key: secret_key.map(Secret::new),
            region,
            token: token.map(Secret::new),
            language,
            base_url,
            timeout,
        };
        let client = TencentCloudConfig::from_options(o).and_then(TencentCloud::new).map_err(raise)?;
        Ok(Client { inner: Inner::Tencent(client) })
    }

    /// Calls `name` and waits, without the GIL.
    fn call(&self, py: Python<'_>, name: String, values_json: &str, images: Vec<ImageArg<'_>>) -> PyResult<Out> {
        let args = args_of(values_json, images)?;
        let inner = self.inner.clone();
        // The call runs as a task on the runtime's workers, next to the connections it uses; this
        // thread only waits for the end (block_on of the call itself polls it here, and every step
        // of the exchange then crosses between threads: 277 µs against 150 µs a call on loopback).
        py.detach(|| {
            let task = runtime().spawn(inner.call(name, args));
            match runtime().block_on(task) {
                Ok(out) => out,
                Err(e) => Err(Error::Config(format!("the call's task ended abnormally: {e}"))),
            }
        })
        .map_err(raise)
    }

    /// Calls `name`; returns an asyncio future of the running loop. The call runs on the tokio
    /// runtime; its result is handed to the loop with `call_soon_threadsafe`. Cancelling the future
    /// leaves the call to finish in the background, its result dropped.
    fn call_async<'py>(&self, py: Python<'py>, name: String, values_json: &str, images: Vec<ImageArg<'py>>) -> PyResult<Bound<'py, PyAny>> {
        let args = args_of(values_json, images)?;
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let future = event_loop.call_method0("create_future")?;
        let resolve = py.import("wxcv._base")?.getattr("_resolve")?.unbind();
        let (loop_ref, fut_ref) = (event_loop.unbind(), future.clone().unbind());
        let inner = self.inner.clone();
        let guard = InFlight::new();
        runtime().spawn(async move {
            let result = inner.call(name, args).await;
            Python::attach(|py| {
                let (ok, value): (bool, Py<PyAny>) = match result.map(|out| out.into_pyobject(py)) {
                    Ok(Ok(v)) => (true, v.unbind()),
                    Ok(Err(e)) => (false, e.into_value(py).into_any()),
                    Err(e) => (false, raise(e).into_value(py).into_any()),
                };
                // A closed loop has no one left to tell.
                let _ = loop_ref.bind(py).call_method1("call_soon_threadsafe", (resolve, fut_ref, ok, value));
            });
            drop(guard);
        });
        Ok(future)
    }

    #[getter]
    fn vendor(&self) -> &'static str {
        match self.inner {
            Inner::WeChat(_) => "wechat",
            Inner::Tencent(_) => "tencentcloud",
        }
    }

    /// Which account and where: never a secret or a token.
    fn __repr__(&self) -> String {
        match &self.inner {
            Inner::WeChat(c) => c.describe(),
            Inner::Tencent(c) => c.describe(),
        }
    }

    /// The same client (pool, tokens) with other per-call settings: `timeout` seconds per attempt.
    #[pyo3(signature = (*, timeout=None))]
    fn with_options(&self, timeout: Option<f64>) -> PyResult<Client> {
        let inner = match (&self.inner, timeout) {
            (i, None) => i.clone(),
            (Inner::WeChat(c), Some(t)) => Inner::WeChat(c.with_timeout_secs(t).map_err(raise)?),
            (Inner::Tencent(c), Some(t)) => Inner::Tencent(c.with_timeout_secs(t).map_err(raise)?),
        };
        Ok(Client { inner })
    }
}

/// The local emulator of both services, on a free loopback port, for tests and offline runs.
#[pyclass(module = "wxcv._native")]
struct Emulator {
    emu: Option<wxcv_emulator::Emulator>,
    base_url: String,
}

impl Emulator {
    fn live(&self) -> PyResult<&wxcv_emulator::Emulator> {
        self.emu.as_ref().ok_or_else(|| PyValueError::new_err("the emulator is closed"))
    }
}

#[pymethods]
impl Emulator {
    #[new]
    #[pyo3(signature = (*, cloudbase=false))]
    fn new(py: Python<'_>, cloudbase: bool) -> PyResult<Emulator> {
        let config = wxcv_emulator::EmulatorConfig { cloudbase, ..Default::default() };
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let emu = py
            .detach(|| runtime().block_on(wxcv_emulator::Emulator::start_with(config, addr)))
            .map_err(|e| raise(Error::Config(format!("cannot start the emulator: {e}"))))?;
        let base_url = emu.base_url();
        Ok(Emulator { emu: Some(emu), base_url })
    }

    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }
    #[classattr]
    fn app_id() -> &'static str {
        wxcv_emulator::APPID
    }
    #[classattr]
    fn app_secret() -> &'static str {
        wxcv_emulator::APPSECRET
    }
    #[classattr]
    fn secret_id() -> &'static str {
        wxcv_emulator::SECRET_ID
    }
    #[classattr]
    fn secret_key() -> &'static str {
        wxcv_emulator::SECRET_KEY
    }

    /// Serves `data` at a loopback URL of the emulator (for the URL forms of image inputs).
    fn blob_url(&self, data: Vec<u8>) -> PyResult<String> {
        self.live()?.blob_url(data).map_err(PyValueError::new_err)
    }

    /// Access tokens issued so far to `app_id`.
    fn token_issues(&self, app_id: &str) -> PyResult<u64> {
        Ok(self.live()?.token_issues(app_id))
    }

    /// Calls of an endpoint so far (`img.scan_qrcode`, `QrcodeOCR`, ...).
    fn calls(&self, endpoint: &str) -> PyResult<u64> {
        Ok(self.live()?.calls(endpoint))
    }

    /// Stops the server; later calls to it fail to connect.
    fn close(&mut self, py: Python<'_>) {
        if let Some(emu) = self.emu.take() {
            let _guard = runtime().enter();
            py.detach(move || drop(emu));
        }
    }

    fn __repr__(&self) -> String {
        format!("Emulator({}{})", self.base_url, if self.emu.is_some() { "" } else { ", closed" })
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Client>()?;
    m.add_class::<Emulator>()?;
    m.add_function(wrap_pyfunction!(_drain, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
