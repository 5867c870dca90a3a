//! One error type for every failure, with a stable `kind` string that the
//! Python and Node bindings map to their exception classes.

use std::fmt;

use crate::models::TransactionRecord;
use crate::secret::{redact_secrets, scrub_card_data};
use crate::spec::Doc;
use crate::wire::FromAnswer;

/// What went wrong, as both bindings name it (`.kind`). Each variant's doc
/// is its doc in the exported spec, and the doc of its exception class in
/// both bindings; [`ErrorKind::class_name`] and [`ErrorKind::parent`] say
/// which class that is and where it sits (`make gen` writes the classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Doc)]
pub enum ErrorKind {
    /// 401 / result_code 7: missing or wrong secret key.
    Authentication,
    /// 400 / result_code 11, and every local validation failure: a parameter
    /// was refused, before any request or by Paynet. See `field`.
    InvalidRequest,
    /// HTTP 200 with `is_succeed: false`: the bank said no. `transaction` is
    /// the declined transaction.
    CardDeclined,
    /// 3D Secure did not verify the cardholder (wrong or no code, cancelled,
    /// card not enrolled, bank timeout): result_code 16. Nothing was charged;
    /// `transaction` is Paynet's record of the attempt.
    ThreeDSecureFailed,
    /// A `confirmation_url` post that Paynet's own record contradicts (its
    /// reference, amount or success), or that names no transaction Paynet
    /// knows. Do not mark the order paid. `field` names what differs.
    ConfirmationMismatch,
    /// Any other error Paynet reported (`result_code`, `error_type`, HTTP status).
    Api,
    /// The request could not be delivered (DNS, refused, reset before
    /// sending); repeating it is safe.
    Connection,
    /// No answer within the timeout on a call that is safe to repeat
    /// (read-only, or deduplicated by `reference_no`).
    Timeout,
    /// A money-moving call Paynet does not deduplicate was sent, but its result
    /// could not be learned. Check the transaction before trying again:
    /// `transactions.lookup` with the error finds it, or nothing when it did
    /// not happen. Deliberately not a `connection` error: code that retries
    /// those must not blindly repeat this one, which may have moved money.
    UnknownOutcome,
    /// An answer we cannot read: not JSON, or not the shape Paynet documents.
    /// `body_snippet` has its start, card numbers masked.
    Protocol,
    /// A bug in this SDK (including a caught panic). Please report it.
    Internal,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Authentication,
        ErrorKind::InvalidRequest,
        ErrorKind::CardDeclined,
        ErrorKind::ThreeDSecureFailed,
        ErrorKind::ConfirmationMismatch,
        ErrorKind::Api,
        ErrorKind::Connection,
        ErrorKind::Timeout,
        ErrorKind::UnknownOutcome,
        ErrorKind::Protocol,
        ErrorKind::Internal,
    ];

    /// The stable name both bindings expose as `.kind`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorKind::Authentication => "authentication",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::CardDeclined => "card_declined",
            ErrorKind::ThreeDSecureFailed => "three_d_secure_failed",
            ErrorKind::ConfirmationMismatch => "confirmation_mismatch",
            ErrorKind::Api => "api",
            ErrorKind::Connection => "connection",
            ErrorKind::Timeout => "timeout",
            ErrorKind::UnknownOutcome => "unknown_outcome",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Internal => "internal",
        }
    }

    /// The exception class both bindings raise for this kind.
    pub fn class_name(&self) -> &'static str {
        match self {
            ErrorKind::Authentication => "AuthenticationError",
            ErrorKind::InvalidRequest => "InvalidRequestError",
            ErrorKind::CardDeclined => "CardDeclinedError",
            ErrorKind::ThreeDSecureFailed => "ThreeDSecureError",
            ErrorKind::ConfirmationMismatch => "ConfirmationMismatchError",
            ErrorKind::Api => "APIError",
            ErrorKind::Connection => "APIConnectionError",
            ErrorKind::Timeout => "TimeoutError",
            ErrorKind::UnknownOutcome => "UnknownOutcomeError",
            ErrorKind::Protocol => "ProtocolError",
            ErrorKind::Internal => "InternalError",
        }
    }

    /// The kind whose class this kind's class extends; `None`: the base
    /// `PaynetError`. A timeout is a connection error (nothing was done);
    /// an unknown outcome is deliberately not one. A failed 3D Secure is a
    /// declined card: code that shows "payment failed" on a decline must
    /// show it here too.
    pub fn parent(&self) -> Option<ErrorKind> {
        match self {
            ErrorKind::Timeout => Some(ErrorKind::Connection),
            ErrorKind::ThreeDSecureFailed => Some(ErrorKind::CardDeclined),
            _ => None,
        }
    }

    /// The error fields core always sets for this kind (the bindings type
    /// them as never null on its class).
    pub fn always_set(&self) -> &'static [&'static str] {
        match self {
            ErrorKind::CardDeclined | ErrorKind::ThreeDSecureFailed => &["transaction"],
            _ => &[],
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every field is optional except `kind` and `message`; which ones are set
/// depends on the kind (see the field docs).
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    /// Human-readable, in English where we wrote it, Paynet's text otherwise.
    /// Never contains the secret key, a card number or a CVC.
    pub message: String,
    /// `invalid_request`: the parameter at fault, as the user spelled it (`card.exp_month`).
    pub field: Option<String>,
    pub http_status: Option<u16>,
    /// Paynet's `result_code` / `code`.
    pub result_code: Option<i64>,
    /// Paynet's error `type` (`invalid_request_error`, `api_error`, …).
    pub error_type: Option<String>,
    pub paynet_error_id: Option<String>,
    pub bank_error_code: Option<String>,
    pub bank_message: Option<String>,
    /// `card_declined`: the declined transaction as Paynet returned it.
    pub transaction: Option<Box<TransactionRecord>>,
    /// The `reference_no` of the call, when it had one: what to check after
    /// `timeout` or `unknown_outcome`.
    pub reference_no: Option<String>,
    /// The transaction the call acted on, when it named one (a capture's
    /// pre-auth): with `reference_no`, what `transactions.lookup` takes.
    pub xact_id: Option<String>,
    /// `protocol`: the start of the body we could not read, card numbers masked.
    pub body_snippet: Option<String>,
    /// `connection` / `unknown_outcome` / `timeout` from the network: what
    /// failed, classified (the bindings chain it: `__cause__`, `cause`).
    pub cause: Option<Cause>,
}

/// Why the network failed, as a host language names it: Python raises the
/// matching builtin (`ConnectionRefusedError`, `socket.gaierror`,
/// `ssl.SSLCertVerificationError`, ...) as `__cause__`, Node sets `cause`
/// to an `Error` with the usual `code` (`ECONNREFUSED`, `ENOTFOUND`, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cause {
    /// `refused`, `dns`, `tls_certificate`, `tls`, `reset`, `connect_timeout` or `other`.
    pub kind: &'static str,
    /// The network library's own words (no URL query, no headers, no body).
    pub detail: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: scrub_card_data(message.into()),
            field: None,
            http_status: None,
            result_code: None,
            error_type: None,
            paynet_error_id: None,
            bank_error_code: None,
            bank_message: None,
            transaction: None,
            reference_no: None,
            xact_id: None,
            body_snippet: None,
            cause: None,
        }
    }

    pub fn invalid(field: impl Into<String>, problem: impl fmt::Display) -> Error {
        let field = field.into();
        let mut e = Error::new(ErrorKind::InvalidRequest, format!("{field}: {problem}"));
        e.field = Some(field);
        e
    }

    pub(crate) fn caused_by(mut self, cause: Cause) -> Error {
        self.cause = Some(cause);
        self
    }

    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }

    pub(crate) fn protocol(message: impl Into<String>, body: &[u8]) -> Error {
        let mut e = Error::new(ErrorKind::Protocol, message);
        e.body_snippet = Some(snippet(body));
        e
    }

    /// The call's own identifiers, so a failure says what to look up.
    pub(crate) fn with_identifiers(mut self, reference_no: Option<&str>, xact_id: Option<&str>) -> Error {
        if self.reference_no.is_none() {
            self.reference_no = reference_no.map(str::to_owned);
        }
        if self.xact_id.is_none() {
            self.xact_id = xact_id.map(str::to_owned);
        }
        self
    }

    /// Masks the client's own keys and the call's secret parameters (a proxy may echo the request), card
    /// numbers and CVC fields in every text of the error that came from an
    /// answer, including the declined transaction's.
    pub(crate) fn redacted(mut self, secrets: &[&str]) -> Error {
        let clean = |text: &mut String| *text = redact_secrets(text, secrets);
        clean(&mut self.message);
        for text in [&mut self.bank_message, &mut self.body_snippet, &mut self.error_type].into_iter().flatten() {
            clean(text);
        }
        if let Some(tx) = self.transaction.as_deref_mut() {
            tx.redact_texts(&|text| redact_secrets(text, secrets));
        }
        if let Some(cause) = self.cause.as_mut() {
            clean(&mut cause.detail);
        }
        if let Some(snippet) = &mut self.body_snippet {
            *snippet = snippet.chars().take(SNIPPET_CHARS).collect();
        }
        self
    }

    /// A `protocol` error gets the start of the body it could not read, and
    /// an `unknown_outcome` the start of the success it could not believe.
    pub(crate) fn with_body(mut self, body: &[u8]) -> Error {
        if matches!(self.kind, ErrorKind::Protocol | ErrorKind::UnknownOutcome) && self.body_snippet.is_none() {
            self.body_snippet = Some(snippet(body));
        }
        self
    }

    /// As `with_body`, in place of a snippet of another text (a report
    /// read from pieces of its body).
    pub(crate) fn with_body_instead(mut self, body: &[u8]) -> Error {
        self.body_snippet = None;
        self.with_body(body)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// How much of an unreadable body an error shows.
const SNIPPET_CHARS: usize = 200;

/// How much of a body's start an error keeps (`snippet`).
pub(crate) const SNIPPET_BYTES: usize = 4096;

/// The start of a body, card numbers and CVCs masked, for diagnosis. It is
/// cut to [`SNIPPET_CHARS`] only in [`Error::redacted`], after the key is
/// masked too, so a cut never leaves half a secret that no longer matches.
pub(crate) fn snippet(body: &[u8]) -> String {
    scrub_card_data(String::from_utf8_lossy(&body[..body.len().min(SNIPPET_BYTES)]).into_owned())
}
