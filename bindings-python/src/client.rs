//! `NativeClient`: one core client behind the sync and async Python clients.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyInt, PyString, PyTuple};
use serde_json::Value;

use paynet_core::{Client, Config, Environment, Error, Output, RequestEvent, RequestOptions};

use crate::runtime::{self, ForkLocal};
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
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(Client, Value, RequestOptions)> {
        let py = params.py();
        let params = convert::to_json(params.as_any(), "")?;
        let options = RequestOptions {
            timeout: seconds_arg(timeout, "timeout")?,
            max_retries: retries_arg(max_retries)?,
        };
        let client = self.client().map_err(|e| errors::to_py(py, &e))?;
        Ok((client, params, options))
    }
}

#[pymethods]
impl NativeClient {
    /// Every option is checked here, by name: a wrong type is a
    /// `paynet.InvalidTypeError`, a bad value (or a lone surrogate in a
    /// string) a `paynet.InvalidRequestError`. `None` means the default.
    #[new]
    #[pyo3(signature = (secret_key, *, environment = None, base_url = None, timeout = None, connect_timeout = None, max_retries = None, payment_amount_format = None, allow_insecure_http = None, max_response_bytes = None, max_report_bytes = None, user_agent_extra = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        secret_key: &Bound<'_, PyAny>,
        environment: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        payment_amount_format: Option<&Bound<'_, PyAny>>,
        allow_insecure_http: Option<&Bound<'_, PyAny>>,
        max_response_bytes: Option<&Bound<'_, PyAny>>,
        max_report_bytes: Option<&Bound<'_, PyAny>>,
        user_agent_extra: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        errors::guard(py, || {
            let secret_key = convert::text(secret_key, "secret_key")?;
            let environment = text_arg(environment, "environment")?;
            let base_url = text_arg(base_url, "base_url")?;
            let timeout = seconds_arg(timeout, "timeout")?;
            let connect_timeout = seconds_arg(connect_timeout, "connect_timeout")?;
            let max_retries = retries_arg(max_retries)?;
            let payment_amount_format = text_arg(payment_amount_format, "payment_amount_format")?;
            let allow_insecure_http = bool_arg(allow_insecure_http, "allow_insecure_http")?;
            let max_response_bytes = size_arg(max_response_bytes, "max_response_bytes")?;
            let max_report_bytes = size_arg(max_report_bytes, "max_report_bytes")?;
            let user_agent_extra = text_arg(user_agent_extra, "user_agent_extra")?;
            let build = || -> Result<NativeClient, Error> {
                let mut config = Config::new(secret_key)?
                    .environment(Environment::parse(environment.as_deref().unwrap_or("test"))?)
                    .on_request(std::sync::Arc::new(log_event));
                if let Some(timeout) = timeout {
                    config = config.timeout(timeout);
                }
                if let Some(timeout) = connect_timeout {
                    config = config.connect_timeout(timeout);
                }
                if let Some(retries) = max_retries {
                    config = config.max_retries(retries);
                }
                if let Some(format) = payment_amount_format {
                    config = config.payment_amount_format_named(&format)?;
                }
                if let Some(url) = base_url {
                    config = config.base_url(url);
                }
                if let Some(allow) = allow_insecure_http {
                    config = config.allow_insecure_http(allow);
                }
                if let Some(limit) = max_response_bytes {
                    config = config.max_response_bytes(limit);
                }
                if let Some(limit) = max_report_bytes {
                    config = config.max_report_bytes(limit);
                }
                if let Some(extra) = user_agent_extra {
                    config = config.user_agent_extra(extra);
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

    /// The key as core masks it (`sck_…wXyZ`), for reprs.
    #[getter]
    fn masked_key(&self) -> String {
        self.config.secret_key.masked()
    }

    /// Calls `method` and blocks, without the GIL, until it finishes;
    /// Ctrl-C (or any signal handler that raises) abandons the request.
    /// `typed`: the registered model classes instead of dicts (see `pyser`).
    #[pyo3(signature = (method, params, *, timeout = None, max_retries = None, typed = false))]
    fn call(
        &self,
        py: Python<'_>,
        method: &str,
        params: &Bound<'_, PyDict>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        typed: bool,
    ) -> PyResult<Py<PyAny>> {
        errors::guard(py, || {
            let (client, params, options) = self.prepare_call(params, timeout, max_retries)?;
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
            Outcome { result, typed }
                .into_pyobject(py)
                .map(Bound::unbind)
        })
    }

    /// Like `call`, as an asyncio awaitable; cancelling it aborts the request.
    #[pyo3(signature = (method, params, *, timeout = None, max_retries = None, typed = false))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        params: &Bound<'py, PyDict>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
        typed: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        errors::guard(py, || {
            let (client, params, options) = self.prepare_call(params, timeout, max_retries)?;
            let method = method.to_owned();
            completion::future_into_py(
                py,
                async move { client.call_output(&method, params, &options).await },
                move |py, result| Outcome { result, typed }.into_pyobject(py),
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

/// An optional string option; `None` means the default.
fn text_arg(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<String>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| convert::text(v, field))
        .transpose()
}

fn bool_arg(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<bool>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if !value.is_instance_of::<PyBool>() {
        let problem = format!("must be a bool, not {}", convert::type_name(value));
        return Err(errors::wrong_type(value.py(), field, &problem));
    }
    Ok(Some(value.is_truthy()?))
}

/// A positive number of bytes.
fn size_arg(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<usize>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let py = value.py();
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        let problem = format!("must be an int (bytes), not {}", convert::type_name(value));
        return Err(errors::wrong_type(py, field, &problem));
    }
    match value.extract::<usize>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(errors::invalid(py, field, "must be a positive number of bytes")),
    }
}

/// A positive number of seconds (`int`, `float` or anything with
/// `__float__`, such as `Decimal`); `None` means the default.
fn seconds_arg(value: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<Duration>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let py = value.py();
    let number = if value.is_instance_of::<PyBool>() || value.is_instance_of::<PyString>() {
        None
    } else {
        value.extract::<f64>().ok()
    };
    let Some(number) = number else {
        if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
            // An int too large for a float: a number, but not a usable one.
            return Err(errors::invalid(py, field, "must be a positive number of seconds"));
        }
        return Err(errors::wrong_type(
            py,
            field,
            &format!(
                "must be a number of seconds (int or float), not {}",
                convert::type_name(value)
            ),
        ));
    };
    seconds(field, number).map(Some).map_err(|e| errors::to_py(py, &e))
}

/// `max_retries`: a whole number ≥ 0; `None` means the default.
fn retries_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u32>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let py = value.py();
    if value.is_instance_of::<PyBool>() {
        return Err(errors::wrong_type(py, "max_retries", "must be an int, not bool"));
    }
    match value.extract::<i64>() {
        Ok(n) => retries(n).map(Some).map_err(|e| errors::to_py(py, &e)),
        // Beyond 64 bits: an int, only out of range.
        Err(_) if value.is_instance_of::<PyInt>() => {
            Err(errors::invalid(py, "max_retries", "must be a whole number ≥ 0"))
        }
        Err(_) => Err(errors::wrong_type(
            py,
            "max_retries",
            &format!("must be an int, not {}", convert::type_name(value)),
        )),
    }
}

fn seconds(field: &str, value: f64) -> Result<Duration, Error> {
    match Duration::try_from_secs_f64(value) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err(Error::invalid(
            field,
            "must be a positive number of seconds",
        )),
    }
}

fn retries(value: i64) -> Result<u32, Error> {
    u32::try_from(value).map_err(|_| Error::invalid("max_retries", "must be a whole number ≥ 0"))
}

/// A core result on its way to Python, converted where the GIL is held
/// (pyo3-async-runtimes does that on a blocking thread, not a tokio worker).
struct Outcome {
    result: Result<Output, Error>,
    typed: bool,
}

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        errors::guard(py, || match self.result {
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
