//! `NativeClient`: one core client behind the sync and async Python clients.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyInt, PyString, PyTuple};
use serde_json::Value;

use paynet_core::{Client, ClientOption, Config, Environment, Error, OptionType, OptionValue, Output, RequestEvent, RequestOptions};

use crate::runtime::{self, ForkLocal};
use crate::table::NativeTable;
use crate::{completion, convert, errors, pyser};

/// How often a blocked sync call looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

#[pyclass(frozen, module = "paynet._native")]
pub struct NativeClient {
    config: Config,
    /// reqwest's pool is bound to the runtime that opened its connections,
    /// and a forked child must not share the parent's sockets: rebuilt per process.
    client: ForkLocal<Client>,
}

impl NativeClient {
    fn client(&self) -> Result<Client, Error> {
        self.client
            .get_or_try_init(|| Client::new(self.config.clone()))
            .cloned()
    }

    fn prepare_call(
        &self,
        params: &Bound<'_, PyDict>,
        call_options: Option<&Bound<'_, PyDict>>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<(Client, Value, RequestOptions)> {
        let py = params.py();
        let params = convert::to_json(params.as_any(), "")?;
        let mut options = RequestOptions::default();
        for (option, value) in option_values(call_options)? {
            options.set_option(option, &value).map_err(|e| errors::to_py(py, &e))?;
        }
        if let Some(progress) = progress.filter(|p| !p.is_none()) {
            if !progress.is_callable() {
                let problem = format!("must be a callable, not {}", convert::type_name(&progress));
                return Err(errors::wrong_type(py, "progress", &problem));
            }
            options.progress = Some(progress_hook(progress.unbind()));
        }
        let client = self.client().map_err(|e| errors::to_py(py, &e))?;
        Ok((client, params, options))
    }
}

#[pymethods]
impl NativeClient {
    /// Every option of `paynet_core::CLIENT_OPTIONS` is read here by its
    /// declared type: a wrong type is a `paynet.InvalidTypeError`, a bad
    /// value (or a lone surrogate in a string) a `paynet.InvalidRequestError`.
    /// `None` means the default.
    #[new]
    #[pyo3(signature = (secret_key, *, user_agent_extra = None, **options))]
    fn new(
        py: Python<'_>,
        secret_key: &Bound<'_, PyAny>,
        user_agent_extra: Option<&str>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        errors::guard(py, || {
            let secret_key = convert::text(secret_key, "secret_key")?;
            let hook = take_hook(options)?;
            let values = option_values(options)?;
            let build = || -> Result<NativeClient, Error> {
                let mut config = Config::new(secret_key)?.on_request(std::sync::Arc::new(move |event: &RequestEvent<'_>| {
                    log_event(event);
                    if let Some(hook) = &hook {
                        call_hook(hook, event);
                    }
                }));
                if let Some(extra) = user_agent_extra {
                    config = config.user_agent_extra(extra);
                }
                for (option, value) in &values {
                    config = config.set_option(option, value)?;
                }
                let native = NativeClient {
                    config,
                    client: ForkLocal::new(),
                };
                native.client()?;
                Ok(native)
            };
            build().map_err(|e| errors::to_py(py, &e))
        })
    }

    /// `environment=…, base_url=…, secret_key=…` (the key masked), for reprs.
    #[getter]
    fn description(&self, py: Python<'_>) -> PyResult<String> {
        let environment = match self.config.environment {
            Environment::Test => "test",
            Environment::Live => "live",
        };
        let base_url = self.config.base_url.as_deref().into_pyobject(py)?.repr()?;
        Ok(format!(
            "environment='{environment}', base_url={base_url}, secret_key='{}'",
            self.config.secret_key.masked()
        ))
    }

    /// Calls `method` and blocks, without the GIL, until it finishes;
    /// Ctrl-C (or any signal handler that raises) abandons the request.
    /// `typed`: the registered model classes instead of dicts (see `pyser`).
    /// `table`: a `NativeTable` (the rows kept in Rust) for a tabular method.
    /// `progress`: called with `(done, total, part)` as each part of a
    /// composed method finishes.
    #[pyo3(signature = (method, params, *, typed = false, table = false, progress = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        py: Python<'_>,
        method: &str,
        params: &Bound<'_, PyDict>,
        typed: bool,
        table: bool,
        progress: Option<Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        errors::guard(py, || {
            let (client, params, options) = self.prepare_call(params, options, progress)?;
            let table = table.then(|| method.to_owned());
            let method = method.to_owned();
            let rt = runtime::get();
            // Polled right here, on the calling thread (`block_on` from a
            // thread outside the runtime): no hand-off to a worker and back.
            let mut call =
                Box::pin(async move { client.call_output(&method, params, &options).await });
            let result = loop {
                let waited = py.detach(|| {
                    rt.block_on(async { tokio::time::timeout(SIGNAL_POLL, &mut call).await })
                });
                match waited {
                    Ok(result) => break result,
                    Err(_) => {
                        // Dropping the future (on return) abandons the request.
                        py.check_signals()?;
                    }
                }
            };
            Outcome { result, typed, table }
                .into_pyobject(py)
                .map(Bound::unbind)
        })
    }

    /// Like `call`, as an asyncio awaitable; cancelling it aborts the request.
    #[pyo3(signature = (method, params, *, typed = false, table = false, progress = None, **options))]
    #[allow(clippy::too_many_arguments)]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        params: &Bound<'py, PyDict>,
        typed: bool,
        table: bool,
        progress: Option<Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        errors::guard(py, || {
            let (client, params, options) = self.prepare_call(params, options, progress)?;
            let method = method.to_owned();
            let table = table.then(|| method.clone());
            completion::future_into_py(
                py,
                async move { client.call_output(&method, params, &options).await },
                move |py, result| Outcome { result, typed, table }.into_pyobject(py),
            )
        })
    }

    /// Validates and encodes without sending: `(path, body as JSON text)`.
    fn prepare(
        &self,
        py: Python<'_>,
        method: &str,
        params: &Bound<'_, PyDict>,
    ) -> PyResult<(String, String)> {
        errors::guard(py, || {
            let params = convert::to_json(params.as_any(), "")?;
            let prepared = self
                .client()
                .and_then(|client| client.prepare_value(method, params))
                .map_err(|e| errors::to_py(py, &e))?;
            let body = serde_json::to_string(&prepared.body).map_err(|_| errors::internal(py))?;
            Ok((prepared.path.to_owned(), body))
        })
    }
}

/// The callback option (`on_request`), taken out of the keyword arguments:
/// it is kept as the callable, not read as a value.
fn take_hook(options: Option<&Bound<'_, PyDict>>) -> PyResult<Option<Py<PyAny>>> {
    let Some(options) = options else { return Ok(None) };
    let Some(option) = paynet_core::CLIENT_OPTIONS.iter().find(|o| o.ty == OptionType::Callback && o.offered_by(false)) else {
        return Ok(None);
    };
    let Some(hook) = options.get_item(option.name)? else { return Ok(None) };
    options.del_item(option.name)?;
    if hook.is_none() {
        return Ok(None);
    }
    if !hook.is_callable() {
        let problem = format!("must be a callable, not {}", convert::type_name(&hook));
        return Err(errors::wrong_type(options.py(), option.name, &problem));
    }
    Ok(Some(hook.unbind()))
}

/// The `progress` callable, called with `(done, total, part)` from whichever
/// thread drives the call; what it raises is logged, like the request hook's.
fn progress_hook(callback: Py<PyAny>) -> paynet_core::ProgressHook {
    paynet_core::ProgressHook(std::sync::Arc::new(move |p: &paynet_core::Progress<'_>| {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Python::try_attach(|py| {
                if let Err(error) = callback.call1(py, (p.done, p.total, p.part)) {
                    let _ = hook_failed(py, "progress", &error);
                }
            })
        }));
    }))
}

/// Calls the user's `on_request` with the event as a dict (no headers, no
/// bodies). Runs on a tokio worker: what the hook raises is logged, and a
/// panic or an interpreter shutting down never reaches the request.
fn call_hook(hook: &Py<PyAny>, event: &RequestEvent<'_>) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Python::try_attach(|py| {
            let call = || -> PyResult<()> {
                let e = PyDict::new(py);
                e.set_item("method", event.method)?;
                e.set_item("path", event.path)?;
                e.set_item("operation", event.operation)?;
                e.set_item("reference_no", event.reference_no)?;
                e.set_item("status", event.status)?;
                e.set_item("duration", event.duration.as_secs_f64())?;
                e.set_item("attempt", event.attempt)?;
                e.set_item("outcome", event.outcome)?;
                e.set_item("will_retry", event.will_retry)?;
                hook.call1(py, (e,))?;
                Ok(())
            };
            if let Err(error) = call() {
                let _ = hook_failed(py, "on_request", &error);
            }
        })
    }));
}

fn hook_failed(py: Python<'_>, hook: &str, error: &PyErr) -> PyResult<()> {
    let logger = py.import("logging")?.call_method1("getLogger", ("paynet",))?;
    let kind = error.get_type(py).name()?.to_string();
    logger.call_method1("warning", ("the %s hook raised %s; the request went on", hook, kind))?;
    Ok(())
}

/// The options given as keyword arguments, each read by its declared type;
/// `None` ones mean the default. An unknown name is refused, naming it.
fn option_values(options: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(&'static ClientOption, OptionValue)>> {
    let Some(options) = options else {
        return Ok(Vec::new());
    };
    let mut values = Vec::with_capacity(options.len());
    for (name, value) in options.iter() {
        let name = convert::text(&name, "option")?;
        let Some(option) = ClientOption::find(&name, false) else {
            return Err(errors::wrong_type(options.py(), &name, "is not an option"));
        };
        if !value.is_none() {
            values.push((option, option_value(option, &value)?));
        }
    }
    Ok(values)
}

fn option_value(option: &ClientOption, value: &Bound<'_, PyAny>) -> PyResult<OptionValue> {
    let py = value.py();
    let field = option.name;
    let wrong = |wanted: &str| errors::wrong_type(py, field, &format!("must be {wanted}, not {}", convert::type_name(value)));
    let is_bool = value.is_instance_of::<PyBool>();
    Ok(match option.ty {
        OptionType::Secret | OptionType::Text | OptionType::OneOf(_) => OptionValue::Text(convert::text(value, field)?),
        OptionType::Bool if is_bool => OptionValue::Bool(value.is_truthy()?),
        OptionType::Bool => return Err(wrong("a bool")),
        OptionType::Count | OptionType::Bytes if is_bool || !value.is_instance_of::<PyInt>() => return Err(wrong("an int")),
        // Beyond 64 bits, or negative: an int, only out of range.
        OptionType::Count | OptionType::Bytes => OptionValue::Count(
            value.extract::<u64>().map_err(|_| errors::invalid(py, field, "must be a whole number ≥ 0 that fits in 64 bits"))?,
        ),
        // `int`, `float` or anything with `__float__`, such as `Decimal`.
        OptionType::Duration => {
            let seconds = if is_bool || value.is_instance_of::<PyString>() { None } else { value.extract::<f64>().ok() };
            match seconds {
                Some(seconds) => OptionValue::Duration(
                    Duration::try_from_secs_f64(seconds)
                        .map_err(|_| errors::invalid(py, field, "must be a positive number of seconds"))?,
                ),
                // An int too large for a float: a number, but not a usable one.
                None if value.is_instance_of::<PyInt>() && !is_bool => {
                    return Err(errors::invalid(py, field, "must be a positive number of seconds"));
                }
                None => return Err(wrong("a number of seconds (int or float)")),
            }
        }
        OptionType::Callback => return Err(wrong("a callable")),
    })
}

/// A core result on its way to Python, converted where the GIL is held
/// (pyo3-async-runtimes does that on a blocking thread, not a tokio worker).
struct Outcome {
    result: Result<Output, Error>,
    typed: bool,
    /// The method, when a `NativeTable` was asked for.
    table: Option<String>,
}

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        errors::guard(py, || match self.result {
            Ok(output) if self.table.is_some() => {
                let method = self.table.as_deref().unwrap_or_default();
                match NativeTable::new(method, output) {
                    Some(table) => Ok(Bound::new(py, table)?.into_any()),
                    None => Err(errors::to_py(py, &Error::invalid("method", format!("`{method}` returns no rows to make a table of")))),
                }
            }
            Ok(output) => {
                let converted = pyser::to_python(py, &*output, self.typed);
                // A large report's rows are freed without holding up other threads.
                py.detach(move || drop(output));
                converted
            }
            Err(e) => Err(errors::to_py(py, &e)),
        })
    }
}

/// A money-moving call given up (Ctrl-C, a cancelled task) while its request
/// was out: the one trace of a payment that may have happened.
fn warn_cancelled(py: Python<'_>, logger: &Bound<'_, PyAny>, event: &RequestEvent<'_>) -> PyResult<()> {
    let extra = PyDict::new(py);
    extra.set_item("paynet_operation", event.operation)?;
    extra.set_item("paynet_reference_no", event.reference_no)?;
    extra.set_item("paynet_outcome", event.outcome)?;
    let args = PyTuple::new(
        py,
        [
            WARNING.into_pyobject(py)?.into_any(),
            "%s (reference_no=%s) was cancelled after its request was sent: Paynet may have processed it; \
             look it up with client.transactions.lookup(reference_no=...) before trying again"
                .into_pyobject(py)?
                .into_any(),
            event.operation.into_pyobject(py)?.into_any(),
            event.reference_no.unwrap_or("none").into_pyobject(py)?.into_any(),
        ],
    )?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method("log", args, Some(&kwargs))?;
    Ok(())
}

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

const INFO: i32 = 20;
const WARNING: i32 = 30;

/// Forwards one attempt to `logging.getLogger("paynet")`. Runs on a tokio
/// worker: it must never panic, and must not touch Python once the
/// interpreter is shutting down. Core's event holds no key or card data.
fn log_event(event: &RequestEvent<'_>) {
    let _ = std::panic::catch_unwind(|| {
        Python::try_attach(|py| {
            let _ = emit(py, event);
        })
    });
}

fn emit(py: Python<'_>, event: &RequestEvent<'_>) -> PyResult<()> {
    let logger = LOGGER
        .get_or_try_init(py, || {
            // Imported on first use, not by `import paynet`. A library leaves
            // output to the application: without the NullHandler, Python's
            // last-resort handler would print retry warnings to stderr.
            let logging = py.import("logging")?;
            let logger = logging.call_method1("getLogger", ("paynet",))?;
            logger.call_method1("addHandler", (logging.call_method0("NullHandler")?,))?;
            Ok::<_, PyErr>(logger.unbind())
        })?
        .bind(py);
    let level = if matches!(event.outcome, "ok" | "card_declined") {
        INFO
    } else {
        WARNING
    };
    if event.outcome == "cancelled" {
        return warn_cancelled(py, logger, event);
    }
    if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
        return Ok(());
    }
    let duration_ms = event.duration.as_secs_f64() * 1000.0;
    let extra = PyDict::new(py);
    extra.set_item("paynet_method", event.method)?;
    extra.set_item("paynet_path", event.path)?;
    extra.set_item("paynet_status", event.status)?;
    extra.set_item("paynet_duration_ms", duration_ms)?;
    extra.set_item("paynet_attempt", event.attempt)?;
    extra.set_item("paynet_outcome", event.outcome)?;
    extra.set_item("paynet_will_retry", event.will_retry)?;
    extra.set_item("paynet_operation", event.operation)?;
    extra.set_item("paynet_reference_no", event.reference_no)?;
    let status = event
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let retry = if event.will_retry { ", will retry" } else { "" };
    let args = PyTuple::new(
        py,
        [
            level.into_pyobject(py)?.into_any(),
            "%s %s -> %s (%s) in %.0f ms, attempt %d%s"
                .into_pyobject(py)?
                .into_any(),
            event.method.into_pyobject(py)?.into_any(),
            event.path.into_pyobject(py)?.into_any(),
            status.into_pyobject(py)?.into_any(),
            event.outcome.into_pyobject(py)?.into_any(),
            duration_ms.into_pyobject(py)?.into_any(),
            event.attempt.into_pyobject(py)?.into_any(),
            retry.into_pyobject(py)?.into_any(),
        ],
    )?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method("log", args, Some(&kwargs))?;
    Ok(())
}
