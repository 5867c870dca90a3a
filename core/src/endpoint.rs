//! The one mechanism every endpoint goes through. An endpoint declares its
//! path, its parameters (user-facing names, validated before any network
//! call), its wire encoding and how to read the answer; the client does the
//! rest (auth, retries, timeouts, error mapping, logging).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::wire::MoneyWire;

/// When a failed attempt may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// Read-only, or deduplicated by Paynet (same `reference_no` returns the
    /// earlier success with code 100): retry connection errors, timeouts, 5xx, 429.
    Safe,
    /// Moves money and Paynet does not deduplicate it: retry only when the
    /// request provably never left (connection refused). Otherwise the
    /// outcome is unknown and the caller must check before trying again.
    OnlyIfNotSent,
}

/// Settings that change the wire form of a request.
#[derive(Debug, Clone, Copy)]
pub struct WireOptions {
    pub payment_amount: MoneyWire,
}

pub trait Endpoint {
    /// The name bindings call it by: `payments.create`.
    const NAME: &'static str;
    /// Relative to the base URL: `v2/transaction/payment`.
    const PATH: &'static str;
    type Params: DeserializeOwned + Send + Sync;
    type Output: Serialize + Send;

    fn retry_policy(params: &Self::Params) -> RetryPolicy;

    /// What to check after a timeout, if the call carries one.
    fn reference_no(_params: &Self::Params) -> Option<&str> {
        None
    }

    /// Validates and builds the exact JSON body Paynet receives.
    fn to_wire(params: &Self::Params, options: &WireOptions) -> Result<Map<String, Value>, Error>;

    /// Reads a 2xx answer. Declines and "not found" become errors here.
    fn from_wire(params: &Self::Params, body: &Map<String, Value>) -> Result<Self::Output, Error>;

    /// Reads a 2xx body: by default one JSON object handed to `from_wire`.
    /// An endpoint whose answers can be huge may read the bytes itself.
    fn decode(params: &Self::Params, body: &[u8]) -> Result<Self::Output, Error> {
        Self::from_wire(params, &crate::wire::parse_object(body)?)
    }
}
