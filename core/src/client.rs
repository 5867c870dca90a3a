//! The client: one pooled HTTP client, auth, retries, deadlines, error mapping.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{Config, RequestEvent, RequestOptions};
use crate::config::PublishableKeyIn;
use crate::endpoint::{AnswerReader, ApiKey, Deadline, Endpoint, RetryPolicy, WireOptions};
use crate::endpoints::{capture, charge, check, payment, payment_list};
use crate::error::{Cause, Error, ErrorKind};
use crate::spec::Identified;
use crate::models::{PaymentReport, Transaction, TransactionRecord};
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
    /// `Basic <publishable_key>`, when the key is set and travels in the header.
    publishable_auth: Option<HeaderValue>,
}

/// A result for a binding to serialize into whatever it needs (JSON text,
/// host objects) in one pass, with user-facing names and money as decimal
/// strings, without an intermediate JSON tree; a tabular result's rows are
/// read as typed cells (`ResultValue::cells`).
pub type Output = Box<dyn ResultValue>;

/// What every result model is: serializable, and its fields as `cells`.
pub trait ResultValue: erased_serde::Serialize + Send + Sync {
    fn cells(&self) -> &dyn crate::cells::Cells;
}

impl<T: serde::Serialize + crate::cells::Cells + Send + Sync> ResultValue for T {
    fn cells(&self) -> &dyn crate::cells::Cells {
        self
    }
}

erased_serde::serialize_trait_object!(ResultValue);

/// Test builds only (feature `test-hooks`): a method that panics inside the
/// call, to prove in each binding that a panic becomes an `internal` error.
#[cfg(feature = "test-hooks")]
pub const PANIC_PROBE: &str = "testing.panic";

/// What would be sent: for tests, vectors and debugging. `body` holds the
/// card data as sent; `Debug` does not show it. It is a JSON object, or
/// for an endpoint with a `BARE_BODY` that one value.
#[derive(Clone, Serialize)]
pub struct PreparedRequest {
    pub method: &'static str,
    pub path: &'static str,
    pub body: Value,
}

/// Wire fields that carry card data (`pan`, `cvc`, the expiry; `v1/card/save`'s names for them).
const CARD_FIELDS: &[&str] = &["pan", "cvc", "month", "year", "card_number", "cvv", "expire_month", "expire_year"];
/// Wire fields that carry secrets: an agent's password, keys, a card OTP code.
const SECRET_FIELDS: &[&str] = &["password", "secret_key", "publishable_key", "otp_code"];

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = Value::String("[hidden]".to_owned());
        let body = match &self.body {
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), if CARD_FIELDS.contains(&k.as_str()) || SECRET_FIELDS.contains(&k.as_str()) { hidden.clone() } else { v.clone() }))
                    .collect(),
            ),
            bare => bare.clone(),
        };
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
            // Requests go to the base URL and nowhere else: a redirect would
            // re-send the card data (307/308) or turn a payment into a GET
            // whose answer reads as one (301/302); a proxy from the
            // environment would see every request.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .https_only(base_url.starts_with("https://"))
            .build()
            .map_err(|e| Error::internal(format!("could not build the HTTP client: {e}")))?;
        let urls = crate::endpoints::PATHS
            .iter()
            .map(|path| {
                reqwest::Url::parse(&format!("{base_url}/{}", config.path_for(path)))
                    .map(|url| (*path, url))
                    .map_err(|_| Error::invalid("base_url", "is not a valid URL"))
            })
            .collect::<Result<_, _>>()?;
        let publishable_auth = match (&config.publishable_key, config.publishable_key_in) {
            (Some(key), PublishableKeyIn::Header) => {
                let mut value = HeaderValue::from_str(&format!("Basic {}", key.expose()))
                    .map_err(|_| Error::invalid("publishable_key", "cannot be sent in an HTTP header"))?;
                value.set_sensitive(true);
                Some(value)
            }
            _ => None,
        };
        Ok(Client { inner: Arc::new(Inner { http, config, urls, auth, publishable_auth }) })
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
        WireOptions {
            payment_amount: self.inner.config.payment_amount_format,
            ratio_amount: self.inner.config.ratio_amount_format,
            subscription_amount: self.inner.config.subscription_amount_format,
        }
    }

    /// Validates and encodes; nothing is sent.
    pub fn prepare<E: Endpoint>(&self, params: &E::Params) -> Result<PreparedRequest, Error> {
        Ok(PreparedRequest { method: "POST", path: self.inner.config.path_for(E::PATH), body: self.wire_body::<E>(E::to_wire(params, &self.wire_options())?)? })
    }

    /// The body as it travels: the declared object (with the publishable
    /// key, where the call is made with it and it travels in the body), or
    /// the one value of a `BARE_BODY`.
    fn wire_body<E: Endpoint>(&self, mut body: Map<String, Value>) -> Result<Value, Error> {
        if E::KEY == ApiKey::Publishable {
            let key = self.inner.config.publishable_key.as_ref().ok_or_else(|| {
                Error::invalid("publishable_key", format!("is required for {}: set the client option `publishable_key` (pbk_…)", E::NAME))
            })?;
            if self.inner.config.publishable_key_in == PublishableKeyIn::Body {
                body.insert("publishable_key".into(), Value::String(key.expose().to_owned()));
            }
        }
        match E::BARE_BODY {
            None => Ok(Value::Object(body)),
            Some(field) => body.remove(field).ok_or_else(|| Error::internal(format!("{}: the bare body `{field}` was not built", E::NAME))),
        }
    }

    /// Calls one endpoint with typed parameters.
    pub async fn call<E: Endpoint>(&self, params: &E::Params, options: &RequestOptions) -> Result<E::Output, Error> {
        options.check()?;
        let body = E::to_wire(params, &self.wire_options())?;
        if E::LOCAL {
            return self.settle::<E>(params, E::from_wire(params, &body));
        }
        if let Some(parts) = E::compose(self, params, options) {
            return self.settle::<E>(params, parts.await);
        }
        let body = self.wire_body::<E>(body)?;
        let auth = match E::KEY {
            ApiKey::Secret => Some(&self.inner.auth),
            ApiKey::Publishable => self.inner.publishable_auth.as_ref(),
        };
        let config = &self.inner.config;
        let call = CallInfo {
            operation: E::NAME,
            path: E::PATH,
            policy: E::RETRY,
            reference_no: E::reference_no(params),
            body_limit: if E::LARGE_ANSWERS { config.max_report_bytes } else { config.max_response_bytes },
        };
        let outcome = self
            .send(&call, &body, auth, options, || E::reader(params, options.columns), |answer, reader, deadline| match reader {
                // The reader saw the whole body: its errors carry their snippet.
                Some(reader) => reader.finish(&answer, deadline),
                None => decode::<E>(params, &answer, deadline),
            })
            .await;
        self.settle::<E>(params, outcome)
    }

    /// The end of every call, sent or read from a given answer: what the
    /// endpoint turns into a result, and errors that name the call's
    /// identifiers with the key, card numbers and CVCs masked.
    fn settle<E: Endpoint>(&self, params: &E::Params, outcome: Result<E::Output, Error>) -> Result<E::Output, Error> {
        outcome.or_else(|e| E::recover(params, e)).map_err(|mut e| {
            match E::SETTLE {
                // A call lookup cannot settle names no identifiers: `lookup(error)`
                // is refused rather than answering about another transaction. A
                // call without the identifier the remedy names leaves it as `...`
                // (the value to fill in), never a word that reads as one.
                Some(remedy) => {
                    e.message = e.message.replace(LOOKUP_REMEDY, &settle_remedy(remedy, E::xact_id(params).or(E::reference_no(params)), &params.declared_ids()));
                    // An identifier the answer named (`success_not_believed`) is
                    // the very transaction the call was about, not one to settle by.
                    if e.kind == ErrorKind::UnknownOutcome {
                        e.reference_no = None;
                        e.xact_id = None;
                    }
                }
                None => e = e.with_identifiers(E::reference_no(params), E::xact_id(params)),
            }
            let config = &self.inner.config;
            let mut secrets = params.declared_secrets();
            secrets.push(config.secret_key.expose());
            secrets.extend(config.publishable_key.as_ref().map(|k| k.expose()));
            e.redacted(&secrets)
        })
    }

    pub(crate) fn read_answer_as<E: Endpoint>(&self, params: Value, status: u16, body: &[u8]) -> Result<Value, Error> {
        let params = parse_params::<E>(params)?;
        let answer = Answer { status, retry_after: None, location: None, body: body.to_vec() };
        let outcome = interpret(E::RETRY, answer).and_then(|bytes| decode::<E>(&params, &bytes, &Deadline::none()));
        let output = self.settle::<E>(&params, outcome)?;
        serde_json::to_value(&output).map_err(|e| Error::internal(format!("could not encode the result: {e}")))
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
    /// attempt is reported, so a decline is logged as one. `reader` makes
    /// each attempt's reader of a 2xx body as it arrives, if the endpoint has
    /// one; `decode` gets the last attempt's.
    async fn send<'r, T: 'r>(
        &self,
        call: &CallInfo<'_>,
        body: &Value,
        auth: Option<&HeaderValue>,
        options: &RequestOptions,
        reader: impl Fn() -> Option<Box<dyn AnswerReader<T> + 'r>>,
        decode: impl FnOnce(Vec<u8>, Option<Box<dyn AnswerReader<T> + 'r>>, &Deadline) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let config = &self.inner.config;
        let url = self
            .inner
            .urls
            .iter()
            .find(|(p, _)| *p == call.path)
            .map(|(_, url)| url)
            .ok_or_else(|| Error::internal(format!("no URL for {}", call.path)))?;
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
            let event = |status, outcome, will_retry| RequestEvent {
                method: "POST",
                // Where it went: an option can move a path (`subscription_amount_update_path`).
                path: config.path_for(call.path),
                operation: call.operation,
                reference_no: call.reference_no,
                status,
                duration: started.elapsed(),
                attempt,
                outcome,
                will_retry,
            };
            let mut reading = reader();
            let result = if remaining.is_zero() {
                Err(Failure::Timeout)
            } else {
                // Dropped with the call (Ctrl-C, a cancelled task) while the
                // request is out: the one moment a payment can vanish from view.
                let in_flight = call.policy.moves_money().then(|| InFlight {
                    hook: config.on_request.as_ref(),
                    event: event(None, "cancelled", false),
                    started,
                });
                let mut arrived = reading.as_mut().map(|r| move |pending: &[u8]| r.arrived(pending));
                let arrived = arrived.as_mut().map(|f| f as Arrived<'_>);
                let result = self.attempt(url, body, auth, remaining, call.body_limit, arrived).await;
                std::mem::forget(in_flight);
                result
            };
            let retryable = match &result {
                Ok(answer) => call.policy.resends() && (answer.status >= 500 || answer.status == 429),
                Err(Failure::NotSent(_)) => true,
                Err(Failure::AfterSend(_)) => call.policy.resends(),
                Err(Failure::Timeout | Failure::TooLarge(_)) => false,
            };
            let waited_for = result.as_ref().ok().and_then(|answer| answer.retry_after);
            let delay = backoff(config.retry_initial_delay, attempt).max(waited_for.unwrap_or_default());
            let will_retry = retryable && attempt <= max_retries && Instant::now() + delay < deadline;
            let status = result.as_ref().ok().map(|answer| answer.status);
            let outcome = match result {
                Ok(answer) => interpret(call.policy, answer),
                Err(failure) => Err(failure.into_error(call.policy, timeout)),
            };
            let report = |error: Option<&Error>| {
                if let Some(hook) = &config.on_request {
                    hook(&event(status, error.map_or("ok", |e| e.kind.as_str()), will_retry));
                }
            };
            if will_retry {
                report(outcome.as_ref().err());
                tokio::time::sleep(delay).await;
                continue;
            }
            // The last attempt: its answer is decoded before it is reported.
            let outcome = outcome.and_then(|bytes| decode(bytes, reading, &Deadline::at(deadline)));
            report(outcome.as_ref().err());
            return outcome;
        }
    }

    /// One request and its whole answer. `arrived`, if given, sees the body
    /// of a 2xx answer grow as it streams in.
    async fn attempt(
        &self,
        url: &reqwest::Url,
        body: &Value,
        auth: Option<&HeaderValue>,
        timeout: Duration,
        limit: usize,
        mut arrived: Option<Arrived<'_>>,
    ) -> Result<Answer, Failure> {
        let mut request = self.inner.http.post(url.clone());
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        let mut response = request
            .header(ACCEPT, "application/json; charset=UTF-8")
            .header(CONTENT_TYPE, "application/json; charset=UTF-8")
            .body(serde_json::to_vec(body).map_err(|e| Failure::NotSent(Cause { kind: "other", detail: e.to_string() }))?)
            .timeout(timeout)
            .send()
            .await
            .map_err(Failure::classify)?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let retry_after = headers.get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
        let location = headers.get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        // Refused unread when it says it is too large; counted as it streams otherwise.
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Failure::TooLarge(limit));
        }
        let mut arrived = arrived.take().filter(|_| (200..300).contains(&status));
        let mut chunks = Vec::new();
        let mut pending = Vec::new();
        let mut size = 0;
        while let Some(chunk) = response.chunk().await.map_err(Failure::classify)? {
            size += chunk.len();
            if size > limit {
                return Err(Failure::TooLarge(limit));
            }
            match &mut arrived {
                // Read as it comes: the reader sees what it has not let go of
                // and the new bytes in one piece, and only that is kept (a
                // report's tens of MB never exist at once).
                Some(arrived) => {
                    pending.extend_from_slice(&chunk);
                    let done = arrived(&pending);
                    pending.drain(..done);
                }
                None => chunks.push(chunk),
            }
        }
        // A body that came in one piece is taken over without copying (a report can be tens of MB).
        let body = if arrived.is_some() {
            pending
        } else {
            match <[_; 1]>::try_from(chunks) {
                Ok([whole]) => Vec::from(whole),
                Err(chunks) => chunks.concat(),
            }
        };
        Ok(Answer { status, retry_after, location, body })
    }
}

/// What sees a 2xx body stream in ([`AnswerReader::arrived`]).
type Arrived<'a> = &'a mut (dyn FnMut(&[u8]) -> usize + Send);

/// A 2xx body read by its endpoint; a protocol error carries the body's start.
fn decode<E: Endpoint>(params: &E::Params, body: &[u8], deadline: &Deadline) -> Result<E::Output, Error> {
    E::decode(params, body, deadline).map_err(|e| e.with_body(body))
}

/// What `send` needs to know about a call besides its body.
struct CallInfo<'a> {
    operation: &'static str,
    path: &'static str,
    policy: RetryPolicy,
    reference_no: Option<&'a str>,
    body_limit: usize,
}

/// A complete HTTP answer.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    location: Option<String>,
    body: Vec<u8>,
}

/// Reports a money-moving attempt as `cancelled` if it is dropped while
/// in flight; `mem::forget` once the attempt finished disarms it.
struct InFlight<'a> {
    hook: Option<&'a crate::config::RequestHook>,
    event: RequestEvent<'a>,
    started: Instant,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(hook) = self.hook {
            self.event.duration = self.started.elapsed();
            hook(&self.event);
        }
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok()
}

/// How one attempt failed before a complete answer arrived.
enum Failure {
    /// The request never left (no connection): always safe to retry.
    NotSent(Cause),
    /// The deadline passed; the request may have arrived.
    Timeout,
    /// The connection broke after the request may have been delivered,
    /// or the answer was cut short.
    AfterSend(Cause),
    /// The answer is larger than the client reads (the limit in bytes).
    TooLarge(usize),
}

impl Failure {
    fn classify(e: reqwest::Error) -> Failure {
        if e.is_connect() {
            Failure::NotSent(classify_cause(&e))
        } else if e.is_timeout() {
            Failure::Timeout
        } else {
            Failure::AfterSend(classify_cause(&e))
        }
    }

    fn into_error(self, policy: RetryPolicy, timeout: Duration) -> Error {
        let unknown = |what: String| Error::new(ErrorKind::UnknownOutcome, unknown_outcome(&what, policy));
        match (self, policy) {
            (Failure::NotSent(cause), _) => Error::new(
                ErrorKind::Connection,
                format!("Could not connect to Paynet ({}: {}); the request was not sent, so repeating it is safe", summary(&cause), cause.detail),
            )
            .caused_by(cause),
            (Failure::Timeout, RetryPolicy::ReadOnly) => Error::new(
                ErrorKind::Timeout,
                format!("Paynet did not answer within {timeout:?}; repeating the call is safe (it is read-only)"),
            ),
            (Failure::Timeout, RetryPolicy::Deduplicated) => Error::new(
                ErrorKind::Timeout,
                format!(
                    "Paynet did not answer within {timeout:?}; the payment may have been processed. Repeating it with the same reference_no is safe: Paynet returns the earlier result instead of charging twice"
                ),
            ),
            (Failure::Timeout, RetryPolicy::OnlyIfNotSent) => unknown(format!("Paynet did not answer within {timeout:?}")),
            (Failure::AfterSend(cause), RetryPolicy::ReadOnly) => Error::new(
                ErrorKind::Connection,
                format!("The connection to Paynet broke after the request was sent ({}); the call is read-only, so repeating it is safe", cause.detail),
            )
            .caused_by(cause),
            (Failure::AfterSend(cause), _) => {
                unknown(format!("The connection to Paynet broke after the request was sent ({})", cause.detail)).caused_by(cause)
            }
            (Failure::TooLarge(limit), RetryPolicy::ReadOnly) => Error::new(
                ErrorKind::Protocol,
                format!("Paynet's answer is larger than {limit} bytes, the most this client reads (max_response_bytes / max_report_bytes)"),
            ),
            (Failure::TooLarge(limit), _) => unknown(format!("Paynet's answer is larger than {limit} bytes, the most this client reads")),
        }
    }
}

/// What an `unknown_outcome` says: what happened, and the way out.
pub(crate) fn unknown_outcome(what: &str, policy: RetryPolicy) -> String {
    let repeat = if policy == RetryPolicy::Deduplicated {
        "; or repeat it with the same reference_no, which Paynet deduplicates (it returns the earlier result instead of charging twice)"
    } else {
        ""
    };
    format!("{what}: Paynet may have processed it. {LOOKUP_REMEDY}{repeat}")
}

/// An `Endpoint::SETTLE` remedy as its errors say it: `{}` is the call's
/// `xact_id` or `reference_no` (`...`, the value to fill in, when it has
/// neither), `{ids}` every identifier it was given (`subscription_id "500001",
/// invoice_no 3`).
fn settle_remedy(remedy: &str, id: Option<&str>, ids: &[String]) -> String {
    let ids = if ids.is_empty() { "no identifier given".to_owned() } else { ids.join(", ") };
    remedy.replace("{ids}", &ids).replace("{}", id.unwrap_or("..."))
}

/// The way out of an `unknown_outcome` for calls `transactions.lookup`
/// settles; others say their own (`Endpoint::SETTLE`).
const LOOKUP_REMEDY: &str = "Look it up (transactions.lookup with this error's reference_no) before trying again";

/// Every message down reqwest's chain of sources (its own Display carries
/// the URL, never headers or bodies): `client error (Connect)` alone says
/// nothing of the cause.
fn cause_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() { e.to_string() } else { parts.join(": ") }
}

/// Which way the network failed, from reqwest's chain of causes: a
/// certificate problem and a closed port need different fixes.
fn classify_cause(e: &reqwest::Error) -> Cause {
    let detail = cause_chain(e);
    let lower = detail.to_ascii_lowercase();
    let kind = if lower.contains("certificate") || lower.contains("unknownissuer") || lower.contains("invalid peer") {
        "tls_certificate"
    } else if lower.contains("tls") || lower.contains("handshake") {
        "tls"
    } else if lower.contains("refused") {
        "refused"
    } else if lower.contains("dns") || lower.contains("resolve") || lower.contains("lookup") {
        "dns"
    } else if lower.contains("reset") || lower.contains("broken pipe") {
        "reset"
    } else if e.is_timeout() {
        "connect_timeout"
    } else {
        "other"
    };
    Cause { kind, detail }
}

/// A cause's kind in words, for messages.
fn summary(cause: &Cause) -> &'static str {
    match cause.kind {
        "tls_certificate" => "the server's TLS certificate was not accepted",
        "tls" => "the TLS handshake failed",
        "refused" => "connection refused",
        "dns" => "the host name could not be resolved",
        "reset" => "the connection was reset",
        "connect_timeout" => "connecting timed out",
        _ => "the connection failed",
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
/// error it stands for. Where money may have moved, an answer that does not
/// say what happened (a redirect, 429, 5xx) is `unknown_outcome`.
fn interpret(policy: RetryPolicy, answer: Answer) -> Result<Vec<u8>, Error> {
    let Answer { status, location, body: bytes, .. } = answer;
    if (200..300).contains(&status) {
        return Ok(bytes);
    }
    if (300..400).contains(&status) {
        // Never followed: a redirect would re-send card data elsewhere.
        let to = location
            .as_deref()
            .and_then(|l| reqwest::Url::parse(l).ok())
            .and_then(|u| u.host_str().map(|h| format!(" to {h}")))
            .unwrap_or_default();
        let what = format!("Paynet answered a redirect (HTTP {status}{to}), which this SDK never follows");
        let mut e = if policy.moves_money() {
            Error::new(ErrorKind::UnknownOutcome, unknown_outcome(&format!("{what}, after the request arrived"), policy))
        } else {
            Error::new(ErrorKind::Protocol, what)
        };
        e.http_status = Some(status);
        return Err(e);
    }
    let mut e = error_answer(status, &bytes);
    if policy.moves_money() && (status >= 500 || status == 429) {
        e.kind = ErrorKind::UnknownOutcome;
        let said = e.message.trim_end_matches('.');
        let what = if said.contains(&format!("HTTP {status}")) {
            format!("{said}, after the request was sent")
        } else {
            format!("{said} (HTTP {status}, after the request was sent)")
        };
        e.message = unknown_outcome(&what, policy);
    }
    Err(e)
}

/// A non-2xx answer as the error it reports.
fn error_answer(status: u16, bytes: &[u8]) -> Error {
    let kind_of = |result_code: Option<i64>| match (status, result_code) {
        (401, _) | (_, Some(7)) => ErrorKind::Authentication,
        (400, _) | (_, Some(11)) => ErrorKind::InvalidRequest,
        _ => ErrorKind::Api,
    };
    let Ok(obj) = crate::wire::parse_object(bytes) else {
        // A proxy's HTML page or a truncated body: the status still says what failed.
        let mut e = Error::new(kind_of(None), format!("Paynet answered without a readable error body (HTTP {status})"));
        e.http_status = Some(status);
        e.body_snippet = Some(crate::error::snippet(bytes));
        return e;
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
    e
}

fn parse_params<E: Endpoint>(params: Value) -> Result<E::Params, Error> {
    refuse_control_characters(&params, "")?;
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

/// A CR, LF or NUL in a reference, a name or a domain is never meant: it
/// splits log lines, ends C strings in the bank's systems and can forge
/// fields downstream. Refused in every string parameter, by its path.
fn refuse_control_characters(value: &Value, path: &str) -> Result<(), Error> {
    match value {
        Value::String(s) if s.chars().any(char::is_control) => {
            Err(Error::invalid(if path.is_empty() { "params" } else { path }, "must not contain control characters (CR, LF, NUL, tab, …)"))
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| refuse_control_characters(item, &format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
            refuse_control_characters(item, &if path.is_empty() { key.clone() } else { format!("{path}.{key}") })
        }),
        _ => Ok(()),
    }
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
    pub async fn check(&self, params: &check::CheckParams, options: &RequestOptions) -> Result<TransactionRecord, Error> {
        self.0.call::<check::Check>(params, options).await
    }

    /// What became of a call that failed with `unknown_outcome` (or any
    /// call, by its `reference_no` or `xact_id`): the transaction, or
    /// `None` when Paynet has none, so the call did not happen.
    pub async fn lookup(&self, params: &check::CheckParams, options: &RequestOptions) -> Result<Option<TransactionRecord>, Error> {
        self.0.call::<check::Lookup>(params, options).await
    }
}

/// `client.reports()`.
pub struct Reports<'a>(&'a Client);

impl Reports<'_> {
    pub async fn payment_list(&self, params: &payment_list::PaymentListParams, options: &RequestOptions) -> Result<PaymentReport, Error> {
        self.0.call::<payment_list::PaymentList>(params, options).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn settle_remedies_fill_every_placeholder() {
        let ids = vec!["subscription_id \"500001\"".to_owned(), "invoice_no 3".to_owned()];
        assert_eq!(
            super::settle_remedy("subscription_invoices.list shows the invoices ({ids}); look", None, &ids),
            "subscription_invoices.list shows the invoices (subscription_id \"500001\", invoice_no 3); look"
        );
        assert_eq!(super::settle_remedy("shows it ({ids})", None, &[]), "shows it (no identifier given)");
        assert_eq!(super::settle_remedy("retrieve(xact_id={})", Some("xk_1"), &[]), "retrieve(xact_id=xk_1)");
        assert_eq!(super::settle_remedy("retrieve(xact_id={})", None, &[]), "retrieve(xact_id=...)");
        for (method, remedy) in crate::endpoints::SETTLES {
            let Some(remedy) = remedy else { continue };
            let rendered = super::settle_remedy(remedy, Some("x"), &ids);
            assert!(!rendered.contains('{') && !rendered.contains('}'), "{method}: {rendered}");
        }
    }
}
