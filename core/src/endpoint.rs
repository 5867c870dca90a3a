//! The one mechanism every endpoint goes through. An endpoint declares its
//! path, its parameters (user-facing names, validated before any network
//! call), its wire encoding and how to read the answer; the client does the
//! rest (auth, retries, timeouts, error mapping, logging).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use std::time::Instant;

use crate::error::{Error, ErrorKind};
use crate::spec::{CheckDeclared, Described, Doc, Identified, SpecType, WireDeclared};
use crate::wire::MoneyWire;

/// When a failed attempt may be sent again, and what a failure after the
/// request may have arrived means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Doc)]
pub enum RetryPolicy {
    /// Moves nothing: retry connection errors, 5xx and 429. A final failure
    /// is what it looks like (`api`, `connection`, `timeout`, `protocol`).
    ReadOnly,
    /// Moves money, and Paynet deduplicates it (the same `reference_no`
    /// returns the earlier result with code 100): retried like `ReadOnly`,
    /// but a final failure after the request may have arrived is
    /// `unknown_outcome` (or `timeout`), never an error that reads as "nothing happened".
    Deduplicated,
    /// Moves money and Paynet does not deduplicate it: resent only when the
    /// request provably never left (no connection). Any failure after it may
    /// have arrived (5xx, 429, 3xx, a broken connection, a timeout, an
    /// unreadable or oversized body) is `unknown_outcome`: check before trying again.
    OnlyIfNotSent,
}

impl RetryPolicy {
    pub const ALL: [RetryPolicy; 3] = [RetryPolicy::ReadOnly, RetryPolicy::Deduplicated, RetryPolicy::OnlyIfNotSent];

    pub fn moves_money(self) -> bool {
        self != RetryPolicy::ReadOnly
    }

    /// Whether an attempt that may have arrived can be sent again.
    pub fn resends(self) -> bool {
        self != RetryPolicy::OnlyIfNotSent
    }

    /// The name in docs and the exported spec.
    pub fn as_str(self) -> &'static str {
        match self {
            RetryPolicy::ReadOnly => "read_only",
            RetryPolicy::Deduplicated => "deduplicated",
            RetryPolicy::OnlyIfNotSent => "only_if_not_sent",
        }
    }
}

/// When a call must end, retries and decoding included. Decoders of large
/// answers check it as they go, so a huge body cannot outlive the deadline.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    pub fn at(instant: Instant) -> Deadline {
        Deadline(Some(instant))
    }

    /// For decoding outside a call (tests, tools).
    pub fn none() -> Deadline {
        Deadline(None)
    }

    pub fn check(&self) -> Result<(), Error> {
        match self.0 {
            Some(at) if Instant::now() >= at => Err(Error::new(
                ErrorKind::Timeout,
                "Paynet's answer could not be read before the deadline; repeating the call is safe (it is read-only)",
            )),
            _ => Ok(()),
        }
    }
}

/// An answer read as it arrives ([`Endpoint::reader`]), which need not be
/// kept whole: the reader says which part it is done with.
pub trait AnswerReader<T>: Send {
    /// More of a 2xx body arrived: `pending` is the body from the first byte
    /// the reader has not let go of to the end so far. Returns how many bytes
    /// at its start the reader is done with; they are dropped.
    fn arrived(&mut self, pending: &[u8]) -> usize;
    /// The body ended, `pending` its part not let go of: the result, exactly
    /// as [`Endpoint::decode`] reads the whole body.
    fn finish(self: Box<Self>, pending: &[u8], deadline: &Deadline) -> Result<T, Error>;
}

/// Settings that change the wire form of a request.
#[derive(Debug, Clone, Copy)]
pub struct WireOptions {
    pub payment_amount: MoneyWire,
    /// `ratios.get`'s `amount`: kuruş by default (the clients), a decimal number per the old docs.
    pub ratio_amount: MoneyWire,
    pub subscription_amount: MoneyWire,
}

/// The key a call is made with (`Endpoint::KEY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKey {
    Secret,
    Publishable,
}

/// How the bindings walk a list endpoint: an iterator method `iterator`
/// (`transactions.list`, beside the page method `transactions.list_page`)
/// yields the `items` of each page, asking for the next one with
/// `starting_after` set to the page's `next_starting_after` (core computes
/// it) until that is `None`. Pages are fetched one at a time, when needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Pages {
    /// The iterator's method name in the resource (`list`).
    pub iterator: &'static str,
    /// The page model's field that holds the items.
    pub items: &'static str,
    /// The iterator's doc: what it yields.
    pub doc: &'static str,
}

/// One method. Its doc comment (`#[derive(Doc)]` on the endpoint type) is
/// the method's doc in the exported spec; `Params` and `Output` describe
/// themselves there too (`#[derive(Spec)]`).
pub trait Endpoint: Doc {
    /// The name bindings call it by: `payments.create`.
    const NAME: &'static str;
    /// Relative to the base URL: `v2/transaction/payment`.
    const PATH: &'static str;
    /// What a failure may mean and whether an attempt is sent again. One per
    /// method, whatever the parameters, so the spec can state it.
    const RETRY: RetryPolicy;
    type Params: DeserializeOwned + Send + Sync + Described + CheckDeclared + WireDeclared + Identified;
    type Output: Serialize + Send + Sync + SpecType + crate::cells::Cells;

    /// What to check after a timeout, if the call carries one: by default
    /// the params' `reference_no` field.
    fn reference_no(params: &Self::Params) -> Option<&str> {
        params.declared_reference_no()
    }

    /// The transaction the call acts on, if it names one (a capture's
    /// pre-auth): carried by its errors so an unknown outcome can be looked
    /// up. By default the params' `xact_id` field.
    fn xact_id(params: &Self::Params) -> Option<&str> {
        params.declared_xact_id()
    }

    /// Answers larger than the client's `max_response_bytes` are refused,
    /// except for endpoints that return reports (`max_report_bytes`).
    const LARGE_ANSWERS: bool = false;

    /// How an `unknown_outcome` of this call is settled when
    /// `transactions.lookup` cannot (it would answer about the sale a refund
    /// is for, or find no link): the remedy its errors say instead (`{}`
    /// stands for the call's `xact_id` or `reference_no`, `...` when it has
    /// neither; `{ids}` for every identifier it was given, `spec::ID_FIELDS`).
    /// Its errors then carry no identifiers, so `lookup(error)` is refused.
    const SETTLE: Option<&'static str> = None;

    /// A list endpoint's pages: the bindings also offer an iterator over
    /// every item of every page (see [`Pages`]).
    const PAGES: Option<Pages> = None;

    /// Which key authenticates the call: the secret key, or for the few
    /// services Paynet serves to browsers (`ratios.get_public`) the
    /// publishable one (the client option `publishable_key`).
    const KEY: ApiKey = ApiKey::Secret;

    /// The wire body is this one parameter's value alone instead of an
    /// object: `v1/agent/check_agent` takes the bare JSON string `"987345"`.
    const BARE_BODY: Option<&'static str> = None;

    /// Answered by core alone, from the params (what a browser or Paynet
    /// posted): nothing is sent, `PATH` is empty, and `from_wire` reads an
    /// empty answer.
    const LOCAL: bool = false;

    /// Validates and builds the exact JSON body Paynet receives. By default
    /// both come from the params' declaration (`#[derive(Spec)]`); an
    /// endpoint with rules or wire forms of its own overrides it, calling
    /// `check_declared` first.
    fn to_wire(params: &Self::Params, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        params.check_declared()?;
        Ok(params.to_wire_declared(options))
    }

    /// Reads a 2xx answer. Declines and "not found" become errors here.
    fn from_wire(params: &Self::Params, body: &Map<String, Value>) -> Result<Self::Output, Error>;

    /// Reads a 2xx body: by default one JSON object handed to `from_wire`.
    /// An endpoint whose answers can be huge may read the bytes itself,
    /// checking `deadline` as it goes.
    fn decode(params: &Self::Params, body: &[u8], _deadline: &Deadline) -> Result<Self::Output, Error> {
        Self::from_wire(params, &crate::wire::parse_object(body)?)
    }

    /// Reads a 2xx answer while it arrives, for endpoints whose answers can
    /// be long (a report's rows are typed as they come in, overlapping the
    /// transfer); `None`, the default: the whole body is read by `decode`.
    /// A new reader is made for each attempt; `columns`: the call's
    /// `RequestOptions::columns`.
    fn reader(_params: &Self::Params, _columns: bool) -> Option<Box<dyn AnswerReader<Self::Output> + '_>> {
        None
    }

    /// A method made of other calls (a date range of reports): core runs
    /// this instead of sending a request of its own, after `to_wire` has
    /// checked the params. Each part is a normal call, with its own retries.
    fn compose<'a>(
        _client: &'a crate::Client,
        _params: &'a Self::Params,
        _options: &'a crate::RequestOptions,
    ) -> Option<futures_util::future::BoxFuture<'a, Result<Self::Output, Error>>> {
        None
    }

    /// Whether the method tells `RequestOptions::progress` about its parts
    /// (a `compose`d method): the bindings offer a progress argument for it.
    const PROGRESS: bool = false;

    /// Turns an error into a result where the endpoint defines one (a
    /// lookup's "no such transaction" is an answer, not a failure).
    fn recover(_params: &Self::Params, error: Error) -> Result<Self::Output, Error> {
        Err(error)
    }
}
