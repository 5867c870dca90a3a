//! paynet-core: the one implementation of the Paynet (paynet.com.tr) API.
//!
//! The Python and Node packages are thin bindings over this crate; every
//! rule (validation, money encoding, retries, error mapping) lives here.
//! See `ARCHITECTURE.md` at the repository root for the data path.

// `Error` is one flat struct on purpose: both bindings read its fields directly.
// It only travels on the failure path, next to a network round trip.
#![allow(clippy::result_large_err)]

// `#[derive(Spec)]` writes `::paynet_core::…` paths, in this crate too.
extern crate self as paynet_core;

mod card;
pub mod cells;
mod client;
pub mod columnar;
mod config;
mod endpoint;
pub mod endpoints;
mod error;
pub mod file;
mod models;
mod flat_object;
mod row_batches;
mod money;
pub mod kinds;
mod secret;
pub mod spec;
mod validate;
mod value_end;
pub mod wire;

pub use card::Card;
pub use client::{Client, Output, Payments, ResultValue, PreparedRequest, Reports, Transactions};
pub use config::{Bindings, CLIENT_OPTIONS, ClientOption, Config, Environment, OptionDefault, OptionType, OptionValue, Progress, ProgressHook, PublishableKeyIn, RequestEvent, RequestHook, RequestOptions};
pub use endpoint::{AnswerReader, ApiKey, Deadline, Endpoint, Pages, RetryPolicy, WireOptions};
pub use endpoints::METHODS;
pub use error::{Cause, Error, ErrorKind};
pub use models::{Acknowledgement, PaymentReport, PaymentReportRow, Transaction, TransactionRecord, TransactionType, CODE_REPLAYED};
pub use money::{Money, MoneyError};
pub use secret::{CardNumber, Cvc, SecretKey, SecretText};

/// The decimal type of result amounts and rates (`cells::Cell::Money`).
pub use rust_decimal::Decimal;

/// The Arrow crates `columnar` builds with, for the bindings' FFI and IPC.
pub use {arrow_array, arrow_schema};

/// The SDK version, for User-Agent strings and `__version__`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
