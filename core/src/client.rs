//! The client: one pooled HTTP client, auth, retries, deadlines, error mapping.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{Config, RequestEvent, RequestOptions};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::endpoints::{capture, charge, check, payment, payment_list};
use crate::error::{Error, ErrorKind};
use crate::models::{PaymentReport, Transaction};
use crate::wire::Reader;

/// Cheap to clone; share one per process. `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: Config,
    /// One parsed URL per endpoint path, so no call re-parses it.
    urls: Vec<(&'static str, reqwest::Url)>,
    auth: HeaderValue,
}

/// A result for a binding to serialize into whatever it needs (JSON text,
/// host objects) in one pass, with user-facing names and money as decimal
/// strings, without an intermediate JSON tree.
pub type Output = Box<dyn erased_serde::Serialize + Send>;

/// Test builds only (feature `test-hooks`): a method that panics inside the
/// call, to prove in each binding that a panic becomes an `internal` error.
#[cfg(feature = "test-hooks")]
pub const PANIC_PROBE: &str = "testing.panic";

/// What would be sent: for tests, vectors and debugging. `body` holds the
/// card data as sent; `Debug` does not show it.
#[derive(Clone, Serialize)]
pub struct PreparedRequest {
    pub method: &'static str,
    pub path: &'static str,
    pub body: Map<String, Value>,
}

/// Wire fields that carry card data (`pan`, `cvc`, the expiry).
const CARD_FIELDS: &[&str] = &["pan", "cvc", "month", "year"];

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = Value::String("[hidden]".to_owned());
        let body: Map<String, Value> = self
            .body
            .iter()
            .map(|(k, v)| (k.clone(), if CARD_FIELDS.contains(&k.as_str()) { hidden.clone() } else { v.clone() }))
            .collect();
        f.debug_struct("PreparedRequest").field("method", &self.method).field("path", &self.path).field("body", &body).finish()
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("config", &self.inner.config).finish()
    }
}

impl Client {
    pub fn new(config: Config) -> Result<Client, Error> {
        config.check()?;
        let base_url = config.resolved_base_url()?;
        let mut auth = HeaderValue::from_str(&format!("Basic {}", config.secret_key.expose()))
            .map_err(|_| Error::invalid("secret_key", "cannot be sent in an HTTP header"))?;
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent())
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::internal(format!("could not build the HTTP client: {e}")))?;
        let urls = crate::endpoints::PATHS
            .iter()
            .map(|path| {
                reqwest::Url::parse(&format!("{base_url}/{path}"))
                    .map(|url| (*path, url))
                    .map_err(|_| Error::invalid("base_url", "is not a valid URL"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Client { inner: Arc::new(Inner { http, config, urls, auth }) })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn payments(&self) -> Payments<'_> {
        Payments(self)
    }

    pub fn transactions(&self) -> Transactions<'_> {
        Transactions(self)
    }

    pub fn reports(&self) -> Reports<'_> {
        Reports(self)
    }

    fn wire_options(&self) -> WireOptions {
        WireOptions { payment_amount: self.inner.config.payment_amount_format }
    }

    /// Validates and encodes; nothing is sent.
    pub fn prepare<E: Endpoint>(&self, params: &E::Params) -> Result<PreparedRequest, Error> {
        Ok(PreparedRequest { method: "POST", path: E::PATH, body: E::to_wire(params, &self.wire_options())? })
    }

    /// Calls one endpoint with typed parameters.
    pub async fn call<E: Endpoint>(&self, params: &E::Params, options: &RequestOptions) -> Result<E::Output, Error> {
        options.check()?;
        let body = E::to_wire(params, &self.wire_options())?;
        let reference_no = E::reference_no(params);
        self.send(E::PATH, &body, E::retry_policy(params), options, |answer| {
            E::decode(params, &answer).map_err(|e| e.with_body(&answer))
        })
            .await
            .map_err(|e| e.with_reference_no(reference_no))
    }

    pub(crate) fn prepare_json<E: Endpoint>(&self, params: Value) -> Result<PreparedRequest, Error> {
        self.prepare::<E>(&parse_params::<E>(params)?)
    }

    /// The bindings' path: user-facing JSON parameters in, the typed result
    /// out behind `Output`, and a panic anywhere below becomes an `internal`
    /// error instead of unwinding into Python or JavaScript.
    pub(crate) async fn call_boxed<E: Endpoint>(&self, params: Value, options: &RequestOptions) -> Result<Output, Error>
    where
        E::Output: 'static,
    {
        catch_panics(async {
            let params = parse_params::<E>(params)?;
            let output: Output = Box::new(self.call::<E>(&params, options).await?);
            Ok(output)
        })
        .await
    }

    #[cfg(feature = "test-hooks")]
    pub(crate) async fn panic_probe(&self) -> Result<Output, Error> {
        catch_panics(async { panic!("paynet test hook: a deliberate panic") }).await
    }

    /// `call_output` with the result as a JSON value: convenient where
    /// speed does not matter (tests, tools).
    pub async fn call_value(&self, method: &str, params: Value, options: &RequestOptions) -> Result<Value, Error> {
        let output = self.call_output(method, params, options).await?;
        serde_json::to_value(&*output).map_err(|e| Error::internal(format!("could not encode the result: {e}")))
    }

    /// Sends with retries; `decode` reads the final 2xx body, before the
    /// attempt is reported, so a decline is logged as one.
    async fn send<T>(
        &self,
        path: &'static str,
        body: &Map<String, Value>,
        policy: RetryPolicy,
        options: &RequestOptions,
        decode: impl FnOnce(Vec<u8>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let config = &self.inner.config;
        let url = self
            .inner
            .urls
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, url)| url)
            .ok_or_else(|| Error::internal(format!("no URL for {path}")))?;
        let timeout = options.timeout.unwrap_or(config.timeout);
        let max_retries = options.max_retries.unwrap_or(config.max_retries);
        let deadline = Instant::now()
            .checked_add(timeout)
            .ok_or_else(|| Error::invalid("timeout", "is too large"))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = Instant::now();
            let remaining = deadline.saturating_duration_since(started);
            let result = if remaining.is_zero() {
                Err(Failure::Timeout)
            } else {
                self.attempt(url, body, remaining).await
            };
            let retryable = match &result {
                Ok((status, _)) => policy == RetryPolicy::Safe && (*status >= 500 || *status == 429),
                Err(Failure::NotSent(_)) => true,
                Err(Failure::Timeout | Failure::AfterSend(_)) => policy == RetryPolicy::Safe,
            };
            let delay = backoff(config.retry_initial_delay, attempt);
            let will_retry = retryable && attempt <= max_retries && Instant::now() + delay < deadline;
            let status = result.as_ref().ok().map(|(s, _)| *s);
            let outcome = match result {
                Ok((status, bytes)) => interpret(status, bytes),
                Err(failure) => Err(failure.to_error(policy, timeout)),
            };
            let report = |error: Option<&Error>| {
                if let Some(hook) = &config.on_request {
                    hook(&RequestEvent {
                        method: "POST",
                        path,
                        status,
                        duration: started.elapsed(),
                        attempt,
                        outcome: error.map_or("ok", |e| e.kind.as_str()),
                        will_retry,
                    });
                }
            };
            if will_retry {
                report(outcome.as_ref().err());
                tokio::time::sleep(delay).await;
                continue;
            }
            // The last attempt: its answer is decoded before it is reported.
            let outcome = outcome.and_then(decode);
            report(outcome.as_ref().err());
            return outcome;
        }
    }

    async fn attempt(&self, url: &reqwest::Url, body: &Map<String, Value>, timeout: Duration) -> Result<(u16, Vec<u8>), Failure> {
        let response = self
            .inner
            .http
            .post(url.clone())
            .header(AUTHORIZATION, self.inner.auth.clone())
            .header(ACCEPT, "application/json; charset=UTF-8")
            .header(CONTENT_TYPE, "application/json; charset=UTF-8")
            .body(serde_json::to_vec(body).map_err(|e| Failure::NotSent(e.to_string()))?)
            .timeout(timeout)
            .send()
            .await
            .map_err(Failure::classify)?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(Failure::classify)?;
        // Takes the buffer over without copying it (a report can be tens of MB).
        Ok((status, Vec::from(bytes)))
    }
}

/// How one attempt failed before a complete answer arrived.
enum Failure {
    /// The request never left (no connection): always safe to retry.
    NotSent(String),
    Timeout,
    /// The connection broke after the request may have been delivered.
    AfterSend(String),
}

impl Failure {
    fn classify(e: reqwest::Error) -> Failure {
        // reqwest's Display for errors carries the URL, never headers or bodies.
        let detail = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
        if e.is_connect() {
            Failure::NotSent(detail)
        } else if e.is_timeout() {
            Failure::Timeout
        } else {
            Failure::AfterSend(detail)
        }
    }

    fn to_error(&self, policy: RetryPolicy, timeout: Duration) -> Error {
        match (self, policy) {
            (Failure::NotSent(detail), _) => Error::new(ErrorKind::Connection, format!("Could not connect to Paynet: {detail}")),
            (Failure::Timeout, RetryPolicy::Safe) => Error::new(
                ErrorKind::Timeout,
                format!("Paynet did not answer within {timeout:?}; repeating the call is safe"),
            ),
            (Failure::AfterSend(detail), RetryPolicy::Safe) => {
                Error::new(ErrorKind::Connection, format!("The connection to Paynet broke: {detail}; repeating the call is safe"))
            }
            (Failure::Timeout, RetryPolicy::OnlyIfNotSent) => Error::new(
                ErrorKind::UnknownOutcome,
                format!("Paynet did not answer within {timeout:?}; the request may have been processed. Check the transaction before retrying"),
            ),
            (Failure::AfterSend(detail), RetryPolicy::OnlyIfNotSent) => Error::new(
                ErrorKind::UnknownOutcome,
                format!("The connection broke after the request was sent ({detail}); it may have been processed. Check the transaction before retrying"),
            ),
        }
    }
}

/// 0.5 s, 1 s, 2 s, … capped at 5 s, each scaled into [50 %, 100 %] so that
/// many clients retrying together spread out.
fn backoff(initial: Duration, attempt: u32) -> Duration {
    let exp = initial.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(Duration::from_secs(5));
    capped.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// Passes a 2xx body on for its endpoint to read; maps anything else to the
/// error it stands for.
fn interpret(status: u16, bytes: Vec<u8>) -> Result<Vec<u8>, Error> {
    if (200..300).contains(&status) {
        return Ok(bytes);
    }
    let kind_of = |result_code: Option<i64>| match (status, result_code) {
        (401, _) | (_, Some(7)) => ErrorKind::Authentication,
        (400, _) | (_, Some(11)) => ErrorKind::InvalidRequest,
        _ => ErrorKind::Api,
    };
    let Ok(obj) = crate::wire::parse_object(&bytes) else {
        // A proxy's HTML page or a truncated body: the status still says what failed.
        let mut e = Error::new(kind_of(None), format!("Paynet answered HTTP {status} without a readable error body"));
        e.http_status = Some(status);
        e.body_snippet = Some(crate::error::snippet(&bytes));
        return Err(e);
    };
    let r = Reader::new(&obj);
    let result_code = r.int(&["result_code"]).ok().flatten();
    let kind = kind_of(result_code);
    let message = r.string(&["message"]).unwrap_or_else(|| format!("Paynet answered HTTP {status}"));
    let mut e = Error::new(kind, message);
    e.http_status = Some(status);
    e.result_code = result_code.or_else(|| r.int(&["code"]).ok().flatten());
    e.error_type = r.string(&["type"]);
    e.paynet_error_id = r.string(&["paynet_error_id"]);
    Err(e)
}

fn parse_params<E: Endpoint>(params: Value) -> Result<E::Params, Error> {
    serde_path_to_error::deserialize(params).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        // serde reports a missing field at its parent's path, inside the message.
        let missing = inner.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()).map(str::to_owned);
        let field = match (missing, path.as_str()) {
            (Some(name), "." | "") => name,
            (Some(name), parent) => format!("{parent}.{name}"),
            (None, "." | "") => "params".to_owned(),
            (None, p) => p.to_owned(),
        };
        let problem = if inner.starts_with("missing field") { "is required".to_owned() } else { without_echo(inner) };
        Error::invalid(field, problem)
    })
}

/// serde quotes the offending value (`invalid type: string "4355…|12|30|123",
/// expected struct Card`). Keep only what was expected, so card data given in
/// the wrong place is never repeated in an error.
fn without_echo(message: String) -> String {
    let problem = if message.starts_with("invalid type: ") {
        "has the wrong type"
    } else if message.starts_with("invalid value: ") || message.starts_with("invalid length ") {
        "has an invalid value"
    } else {
        return message;
    };
    match message.rsplit_once(", expected ") {
        Some((_, expected)) => format!("{problem}: expected {expected}"),
        None => problem.to_owned(),
    }
}

async fn catch_panics<T>(fut: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(Error::internal("paynet hit an internal error (a bug); please report it")))
}

/// `client.payments()`.
pub struct Payments<'a>(&'a Client);

impl Payments<'_> {
    pub async fn create(&self, params: &payment::CreatePaymentParams, options: &RequestOptions) -> Result<Transaction, Error> {
        self.0.call::<payment::CreatePayment>(params, options).await
    }

    pub async fn charge(&self, params: &charge::ChargeParams, options: &RequestOptions) -> Result<Transaction, Error> {
        self.0.call::<charge::Charge>(params, options).await
    }

    pub async fn capture(&self, params: &capture::CaptureParams, options: &RequestOptions) -> Result<Transaction, Error> {
        self.0.call::<capture::Capture>(params, options).await
    }
}

/// `client.transactions()`.
pub struct Transactions<'a>(&'a Client);

impl Transactions<'_> {
    pub async fn check(&self, params: &check::CheckParams, options: &RequestOptions) -> Result<Transaction, Error> {
        self.0.call::<check::Check>(params, options).await
    }
}

/// `client.reports()`.
pub struct Reports<'a>(&'a Client);

impl Reports<'_> {
    pub async fn payment_list(&self, params: &payment_list::PaymentListParams, options: &RequestOptions) -> Result<PaymentReport, Error> {
        self.0.call::<payment_list::PaymentList>(params, options).await
    }
}
