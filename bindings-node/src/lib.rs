//! Node binding of paynet-core: conversion only, no business rules.
//!
//! Parameters and results cross the boundary as JSON text. serde_json runs
//! with `arbitrary_precision` in this workspace, so an amount such as
//! `1500.00` keeps its exact text in both directions; a JS object would turn
//! it into a float first. Results are written straight from core's typed
//! output in the JS shape (`output.rs`); the wrapper in `lib/` maps parameter
//! names, makes `Date`s and builds the error classes.

// `paynet_core::Error` is large by design (it carries the declined
// transaction); errors are rare and leave through here once, so boxing buys nothing.
#![allow(clippy::result_large_err)]

mod arrow_parts;
mod error;
mod output;
mod rows;
// Public so its napi exports count as used in the test build too.
#[cfg(feature = "embedded-sandbox")]
pub mod sandbox;

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use paynet_core::{ClientOption, Config, Environment, Error as CoreError, OptionType, OptionValue, RequestEvent, RequestOptions};
use serde_json::{Value, json};

use crate::error::{guard, to_napi};

/// Weak: a client with a hook must not keep the process alive on its own.
type RequestCallback = ThreadsafeFunction<String, Unknown<'static>, String, Status, false, true>;
/// `onProgress`, called with `{"done", "total", "part"}` as JSON text.
type ProgressCallback = ThreadsafeFunction<String, Unknown<'static>, String, Status, false, true>;

#[napi]
pub struct NativeClient {
    inner: paynet_core::Client,
    money_as_number: bool,
}

#[napi]
impl NativeClient {
    /// `optionsJson`: the client options by their Node names (a function
    /// stands as a placeholder: the hook travels apart, as `onRequest`,
    /// which receives one JSON event per HTTP attempt, no headers, no bodies).
    #[napi(constructor)]
    pub fn new(
        options_json: String,
        user_agent_extra: String,
        #[napi(ts_arg_type = "(eventJson: string) => void")] on_request: Option<RequestCallback>,
    ) -> Result<Self> {
        guard(|| {
            let values = option_values(&options_json, false)?;
            let money_as_number = values
                .iter()
                .any(|(o, v)| o.name == MONEY_OPTION && *v == OptionValue::Text("number".into()));
            build_client(values, user_agent_extra, on_request).map(|inner| NativeClient {
                inner,
                money_as_number,
            })
        })
    }

    /// `"string"` or `"number"`: how results carry money.
    #[napi(getter)]
    pub fn money(&self) -> &'static str {
        if self.money_as_number { "number" } else { "string" }
    }

    /// Where this client talks to, for `util.inspect`: never the key.
    #[napi(getter)]
    pub fn environment(&self) -> &'static str {
        match self.inner.config().environment {
            Environment::Test => "test",
            Environment::Live => "live",
        }
    }

    #[napi(getter)]
    pub fn base_url(&self) -> Option<String> {
        self.inner.config().base_url.clone()
    }

    /// Resolves to `[result, datetimePaths]` as JSON text (see `output.rs`);
    /// rejects with a `PAYNET:` envelope.
    /// `onProgress`: told about each part of a method made of several calls.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn call(
        &self,
        method: String,
        params_json: String,
        options_json: Option<String>,
        #[napi(ts_arg_type = "(progressJson: string) => void")] on_progress: Option<ProgressCallback>,
    ) -> Result<AsciiJson> {
        let options = request_options(options_json.as_deref(), on_progress).map_err(to_napi)?;
        let params = parse_params(&params_json).map_err(to_napi)?;
        // call_output already turns a panic below it into an `internal` error.
        let output = self
            .inner
            .call_output(&method, params, &options)
            .await
            .map_err(to_napi)?;
        let money_as_number = self.money_as_number;
        let text = guard(|| {
            output::to_json(&*output, money_as_number, 1024)
                .map(AsciiJson)
                .map_err(|e| CoreError::internal(format!("could not encode the result: {e}")))
        })?;
        drop(output);
        if text.0.len() >= LARGE_RESULT {
            release_freed_memory();
        }
        Ok(text)
    }

    /// Like `call`, for a tabular method (`tabular()`): resolves to the typed
    /// result kept native, which `NativeTable` hands out as asked (its other
    /// fields, its rows, or its Arrow record batches), so a table never pays for
    /// row objects nor the row objects for a table. `columns`: only the
    /// table is wanted (`RequestOptions::columns`), so rows read as they
    /// arrive go straight into Arrow columns and `rows()` has none.
    #[napi(ts_return_type = "Promise<NativeTable>")]
    pub async fn call_table(
        &self,
        method: String,
        params_json: String,
        options_json: Option<String>,
        #[napi(ts_arg_type = "(progressJson: string) => void")] on_progress: Option<ProgressCallback>,
        columns: Option<bool>,
    ) -> Result<NativeTable> {
        let shape = paynet_core::columnar::shape(&method)
            .ok_or_else(|| to_napi(CoreError::invalid("method", format!("`{method}` returns no rows"))))?;
        let mut options = request_options(options_json.as_deref(), on_progress).map_err(to_napi)?;
        options.columns = columns.unwrap_or(false);
        let params = parse_params(&params_json).map_err(to_napi)?;
        let output = self.inner.call_output(&method, params, &options).await.map_err(to_napi)?;
        Ok(NativeTable { method, shape, money_as_number: self.money_as_number, output })
    }

    /// Validates and encodes without sending.
    #[napi]
    pub fn prepare(&self, method: String, params_json: String) -> Result<PreparedRequest> {
        guard(|| {
            let prepared = self
                .inner
                .prepare_value(&method, parse_params(&params_json)?)?;
            Ok(PreparedRequest {
                method: prepared.method.to_owned(),
                path: prepared.path.to_owned(),
                body: encode(&prepared.body)?,
            })
        })
    }
}

/// A tabular result: core's typed result, read on demand on the JS thread.
#[napi]
pub struct NativeTable {
    method: String,
    shape: &'static paynet_core::columnar::Shape,
    money_as_number: bool,
    output: paynet_core::Output,
}

impl NativeTable {
    fn with_output<T>(&self, f: impl FnOnce(&paynet_core::Output) -> std::result::Result<T, CoreError>) -> Result<T> {
        guard(|| f(&self.output))
    }
}

#[napi]
impl NativeTable {
    /// The JS name of the result's field that holds the rows (`rows`, `transactions`).
    #[napi(getter)]
    pub fn rows_key(&self) -> &'static str {
        output::name(self.shape.rows_field).camel
    }

    /// The result as `call` resolves it, with `null` for the rows.
    #[napi(ts_return_type = "string")]
    pub fn envelope(&self) -> Result<AsciiJson> {
        let (money_as_number, rows) = (self.money_as_number, self.shape.rows_field);
        self.with_output(|output| {
            output::to_json_without(&**output, money_as_number, rows)
                .map(AsciiJson)
                .map_err(|e| CoreError::internal(format!("could not encode the result: {e}")))
        })
    }

    /// The rows as columns (`rows.rs`).
    #[napi]
    pub fn rows(&self) -> Result<rows::RowColumns> {
        self.with_output(|output| rows::columns(&self.method, output.cells(), self.money_as_number))
    }

    /// The rows as Arrow record batches, their buffers lent to JS
    /// (`arrow_parts.rs`): money `decimal128(18, 2)`, timestamps
    /// `timestamp[us, Europe/Istanbul]`, dates `date32`, codes dictionary-encoded.
    #[napi]
    pub fn arrow_parts(&self) -> Result<arrow_parts::ArrowParts> {
        self.with_output(|output| {
            let table = paynet_core::columnar::Table::build(&self.method, &[output.cells()])?;
            arrow_parts::parts(paynet_core::columnar::ipc_schema(&self.method)?, &table)
        })
    }
}

/// The per-call options in `json` (Node names), and the progress callback.
fn request_options(json: Option<&str>, on_progress: Option<ProgressCallback>) -> std::result::Result<RequestOptions, CoreError> {
    let mut options = RequestOptions::default();
    for (option, value) in option_values(json.unwrap_or("{}"), true)? {
        options.set_option(option, &value)?;
    }
    if let Some(callback) = on_progress {
        options.progress = Some(paynet_core::ProgressHook(Arc::new(move |p: &paynet_core::Progress<'_>| {
            let event = json!({"done": p.done, "total": p.total, "part": p.part}).to_string();
            // NonBlocking: the parts finish on tokio workers, which must never wait for JS.
            callback.call(event, ThreadsafeFunctionCallMode::NonBlocking);
        })));
    }
    Ok(options)
}

/// A result this large (a report) leaves tens of MiB of freed small
/// allocations (its rows) in the allocator; return them to the OS before JS
/// builds its own copy, so they do not add to the process's peak. Small
/// results never pay for this.
const LARGE_RESULT: usize = 8 << 20;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_freed_memory() {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: glibc's malloc_trim only releases free memory; no arguments
    // to get wrong, callable from any thread.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_freed_memory() {}

/// JSON text that is ASCII by construction (`output.rs`), so it becomes a
/// one-byte JS string with a copy rather than a UTF-8 decode.
pub struct AsciiJson(Vec<u8>);

impl ToNapiValue for AsciiJson {
    unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        debug_assert!(val.0.is_ascii());
        let mut out = std::ptr::null_mut();
        // SAFETY: `env` is valid for this call (the trait's contract); the
        // pointer and length describe `val.0`, which outlives the call.
        let status = unsafe {
            napi::sys::napi_create_string_latin1(
                env,
                val.0.as_ptr().cast(),
                val.0.len() as isize,
                &mut out,
            )
        };
        napi::check_status!(status, "could not create the result string")?;
        Ok(out)
    }
}

#[napi(object)]
pub struct PreparedRequest {
    /// Always `"POST"` today.
    pub method: String,
    /// Relative to the base URL, e.g. `v2/transaction/payment`.
    pub path: String,
    /// The exact wire body as JSON text: numbers keep their text (`12.50`).
    pub body: String,
}

/// The methods whose results have rows (`NativeClient.callTable`), by core's name.
#[napi]
pub fn tabular() -> Vec<String> {
    paynet_core::METHODS.iter().filter(|m| paynet_core::columnar::shape(m).is_some()).map(|m| (*m).to_owned()).collect()
}

/// Every method name `NativeClient.call` accepts.
#[napi]
pub fn methods() -> Vec<String> {
    paynet_core::METHODS
        .iter()
        .map(|m| (*m).to_owned())
        .collect()
}

/// Node's own option: results' money as strings or numbers (`output.rs`).
const MONEY_OPTION: &str = "money";

/// The options in `json` (by Node names), each read by its declared type;
/// `null` means the default. `per_call`: only the per-call ones.
fn option_values(json: &str, per_call: bool) -> std::result::Result<Vec<(&'static ClientOption, OptionValue)>, CoreError> {
    let Ok(Value::Object(given)) = serde_json::from_str::<Value>(json) else {
        return Err(CoreError::invalid("options", "must be a plain object"));
    };
    let mut values = Vec::with_capacity(given.len());
    for (name, value) in given {
        let option = ClientOption::find(&name, true)
            .filter(|o| !per_call || o.per_call())
            .ok_or_else(|| CoreError::invalid(name.clone(), "unknown option"))?;
        if value.is_null() || option.ty == OptionType::Callback {
            continue;
        }
        values.push((option, option_value(option, &value)?));
    }
    Ok(values)
}

fn option_value(option: &ClientOption, value: &Value) -> std::result::Result<OptionValue, CoreError> {
    let wrong = |wanted: &str| CoreError::invalid(option.name, format!("must be {wanted}"));
    let whole = value.as_u64();
    Ok(match (option.ty, value) {
        (OptionType::Secret | OptionType::Text | OptionType::OneOf(_), Value::String(s)) => OptionValue::Text(s.clone()),
        (OptionType::Secret | OptionType::Text, _) => return Err(wrong("a string")),
        (OptionType::OneOf(values), _) => {
            return Err(wrong(&values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(" or ")));
        }
        (OptionType::Bool, Value::Bool(b)) => OptionValue::Bool(*b),
        (OptionType::Bool, _) => return Err(wrong("true or false")),
        (OptionType::Count | OptionType::Bytes, _) if whole.is_some() => OptionValue::Count(whole.unwrap_or_default()),
        (OptionType::Count | OptionType::Bytes, _) => return Err(wrong("a whole number ≥ 0")),
        (OptionType::Duration, _) if whole.is_some() => OptionValue::Duration(Duration::from_millis(whole.unwrap_or_default())),
        (OptionType::Duration, _) => return Err(wrong("a whole number of milliseconds")),
        (OptionType::Callback, _) => return Err(wrong("a function")),
    })
}

fn build_client(
    values: Vec<(&'static ClientOption, OptionValue)>,
    user_agent_extra: String,
    on_request: Option<RequestCallback>,
) -> std::result::Result<paynet_core::Client, CoreError> {
    let secret_key = values.iter().find_map(|(o, v)| match (o.ty, v) {
        (OptionType::Secret, OptionValue::Text(key)) => Some(key.clone()),
        _ => None,
    });
    let secret_key = secret_key.ok_or_else(|| CoreError::invalid("secret_key", "is required"))?;
    let mut config = Config::new(secret_key)?.user_agent_extra(user_agent_extra);
    for (option, value) in &values {
        config = config.set_option(option, value)?;
    }
    if let Some(callback) = on_request {
        let callback = Arc::new(callback);
        config = config.on_request(Arc::new(move |event: &RequestEvent<'_>| {
            // NonBlocking: the hook runs on tokio workers, which must never wait for JS.
            callback.call(event_json(event), ThreadsafeFunctionCallMode::NonBlocking);
        }));
    }
    paynet_core::Client::new(config)
}

fn event_json(event: &RequestEvent<'_>) -> String {
    json!({
        "method": event.method,
        "path": event.path,
        "operation": event.operation,
        "referenceNo": event.reference_no,
        "status": event.status,
        "durationMs": event.duration.as_secs_f64() * 1000.0,
        "attempt": event.attempt,
        "outcome": event.outcome,
        "willRetry": event.will_retry,
    })
    .to_string()
}

fn parse_params(text: &str) -> std::result::Result<Value, CoreError> {
    serde_json::from_str(text)
        .map_err(|e| CoreError::invalid("params", format!("is not valid JSON: {e}")))
}

fn encode<T: serde::Serialize>(value: &T) -> std::result::Result<String, CoreError> {
    serde_json::to_string(value)
        .map_err(|e| CoreError::internal(format!("could not encode the result: {e}")))
}
