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

mod error;
mod output;
// Public so its napi exports count as used in the test build too.
pub mod sandbox;

use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use paynet_core::{Config, Environment, Error as CoreError, RequestEvent, RequestOptions};
use serde_json::{Value, json};

use crate::error::{guard, to_napi};

#[napi(object)]
pub struct NativeClientOptions {
    pub secret_key: String,
    /// `"test"` (default) or `"live"`.
    pub environment: Option<String>,
    pub base_url: Option<String>,
    pub timeout_ms: Option<u32>,
    pub connect_timeout_ms: Option<u32>,
    pub max_retries: Option<u32>,
    /// `"number"` (default) or `"comma"`: how `payments.create` sends `amount`.
    pub payment_amount_format: Option<String>,
    pub user_agent_extra: Option<String>,
    /// Money fields in results as JSON numbers instead of decimal strings.
    pub money_as_number: Option<bool>,
    /// Plain http:// to a host other than this machine (never for live).
    pub allow_insecure_http: Option<bool>,
    pub max_response_bytes: Option<u32>,
    pub max_report_bytes: Option<u32>,
}

/// Weak: a client with a hook must not keep the process alive on its own.
type RequestCallback = ThreadsafeFunction<String, Unknown<'static>, String, Status, false, true>;

#[napi]
pub struct NativeClient {
    inner: paynet_core::Client,
    money_as_number: bool,
}

#[napi]
impl NativeClient {
    /// `onRequest` receives one JSON event per HTTP attempt (no headers, no bodies).
    #[napi(constructor)]
    pub fn new(
        options: NativeClientOptions,
        #[napi(ts_arg_type = "(eventJson: string) => void")] on_request: Option<RequestCallback>,
    ) -> Result<Self> {
        let money_as_number = options.money_as_number.unwrap_or(false);
        guard(|| {
            build_client(options, on_request).map(|inner| NativeClient {
                inner,
                money_as_number,
            })
        })
    }

    /// Resolves to `[result, datetimePaths]` as JSON text (see `output.rs`);
    /// rejects with a `PAYNET:` envelope.
    #[napi(ts_return_type = "Promise<string>")]
    pub async fn call(
        &self,
        method: String,
        params_json: String,
        timeout_ms: Option<u32>,
        max_retries: Option<u32>,
    ) -> Result<AsciiJson> {
        let options = RequestOptions {
            timeout: timeout_ms.map(millis),
            max_retries,
        };
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

/// Every method name `NativeClient.call` accepts.
#[napi]
pub fn methods() -> Vec<String> {
    paynet_core::METHODS
        .iter()
        .map(|m| (*m).to_owned())
        .collect()
}

fn build_client(
    options: NativeClientOptions,
    on_request: Option<RequestCallback>,
) -> std::result::Result<paynet_core::Client, CoreError> {
    let mut config = Config::new(options.secret_key)?;
    if let Some(env) = options.environment {
        config = config.environment(Environment::parse(&env)?);
    }
    if let Some(url) = options.base_url {
        config = config.base_url(url);
    }
    if let Some(ms) = options.timeout_ms {
        config = config.timeout(millis(ms));
    }
    if let Some(ms) = options.connect_timeout_ms {
        config = config.connect_timeout(millis(ms));
    }
    if let Some(n) = options.max_retries {
        config = config.max_retries(n);
    }
    if let Some(format) = options.payment_amount_format {
        config = config.payment_amount_format_named(&format)?;
    }
    if let Some(allow) = options.allow_insecure_http {
        config = config.allow_insecure_http(allow);
    }
    if let Some(limit) = options.max_response_bytes {
        config = config.max_response_bytes(limit as usize);
    }
    if let Some(limit) = options.max_report_bytes {
        config = config.max_report_bytes(limit as usize);
    }
    if let Some(extra) = options.user_agent_extra {
        config = config.user_agent_extra(extra);
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

fn millis(ms: u32) -> Duration {
    Duration::from_millis(u64::from(ms))
}

fn parse_params(text: &str) -> std::result::Result<Value, CoreError> {
    serde_json::from_str(text)
        .map_err(|e| CoreError::invalid("params", format!("is not valid JSON: {e}")))
}

fn encode<T: serde::Serialize>(value: &T) -> std::result::Result<String, CoreError> {
    serde_json::to_string(value)
        .map_err(|e| CoreError::internal(format!("could not encode the result: {e}")))
}
