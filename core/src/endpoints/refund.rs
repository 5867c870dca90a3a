//! Money back: `v1/transaction/reversed_request` (a cancel or refund request
//! Paynet's operations review), `reversal_list`, and `capture_reversal`
//! (docs/AFTER-SALE.md).

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::pages::{self, page_model, page_params};
use super::{result_code_error, transaction_record};
use crate::endpoint::{Endpoint, Pages, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::models::TransactionRecord;
use crate::money::Money;
use crate::spec::{Doc, Spec};
use crate::wire::{FromAnswer, Reader};

/// Asks Paynet to give money back: a cancel on the sale's own day (the full
/// amount only), a full or partial refund from the next day.
///
/// This creates a request that Paynet's operations review: its answer says
/// the request was taken, not that money moved. `refunds.list` shows its
/// status (`pending`, `approved`, `rejected`), and Paynet posts the decision
/// to `succeed_url`. Never resent once it may have arrived: an
/// `unknown_outcome` names the `xact_id`; `refunds.list` tells whether the
/// request exists.
#[derive(Doc)]
pub struct CreateRefund;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CreateRefundParams {
    /// The payment (a sale or a capture) to give money back on.
    #[spec(not_blank, max_len = 100)]
    pub xact_id: String,
    /// In TL; absent means the full amount (the only choice on the sale's day).
    #[spec(money = "kurus", positive)]
    pub amount: Option<Money>,
    /// Paynet posts the review's decision here as JSON.
    #[spec(wire = "succeedUrl", max_len = 256)]
    pub succeed_url: Option<String>,
}

/// A refund or cancel request Paynet took for review.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct RefundRequest {
    /// The request's id, as `refunds.list` and the decision post name it.
    pub reversal_id: Option<String>,
    #[spec(free_text)]
    pub message: Option<String>,
}

impl Endpoint for CreateRefund {
    const NAME: &'static str = "refunds.create";
    const PATH: &'static str = "v1/transaction/reversed_request";
    /// Paynet documents no deduplication: a resent request could refund twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> =
        Some("Find it with refunds.list (xact_id {}) before asking again: a second request could refund twice");
    type Params = CreateRefundParams;
    type Output = RefundRequest;

    /// Only code 0 says the request was taken. Paynet's server error (8),
    /// timeout (10) or "earlier successful" (100) may mean it was: an
    /// `unknown_outcome`, never an error that reads as "nothing happened".
    fn from_wire(_: &CreateRefundParams, body: &Map<String, Value>) -> Result<RefundRequest, Error> {
        let r = Reader::new(body);
        match r.int(&["code"])? {
            Some(0) => RefundRequest::from_wire(body),
            Some(code @ (8 | 10 | 100)) => {
                let mut e = result_code_error(&r, code);
                e.kind = ErrorKind::UnknownOutcome;
                e.message = format!(
                    "Paynet answered result code {code} ({}): the request may have been taken. Find it with refunds.list before asking again: a second request could refund twice",
                    e.message
                );
                Err(e)
            }
            Some(code) => Err(result_code_error(&r, code)),
            None => Err(Error::new(ErrorKind::UnknownOutcome, "Paynet's answer has no result code: it does not say whether the request was taken. Find it with refunds.list before asking again")),
        }
    }
}

/// One page of the refund and cancel requests made between `date_from` and `date_to`.
#[derive(Doc)]
pub struct ListRefunds;

page_params! {
    dated
    pub struct ListRefundsParams {
        #[spec(max_len = 10)]
        pub agent_id: Option<String>,
        /// Only this bank's (`AXSS`, `FINS`, ...).
        #[spec(max_len = 4)]
        pub bank_id: Option<String>,
    }
}

/// A refund or cancel request and its review.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct Refund {
    pub reversal_id: Option<String>,
    /// The payment the money goes back from.
    pub xact_id: Option<String>,
    pub reference_no: Option<String>,
    #[serde(serialize_with = "crate::models::money_text")]
    pub amount: Option<Decimal>,
    /// `pending`, `approved` or `rejected`.
    #[spec(dictionary)]
    pub status: Option<String>,
    /// `R` a cancel, `CD` a refund.
    #[spec(dictionary)]
    pub xact_type: Option<String>,
    #[serde(with = "crate::kinds::datetime")]
    pub request_date: Option<DateTime<FixedOffset>>,
    #[serde(with = "crate::kinds::datetime")]
    pub decision_date: Option<DateTime<FixedOffset>>,
    #[spec(dictionary)]
    pub bank_id: Option<String>,
    pub agent_id: Option<String>,
}

page_model! {
    /// One page of refund requests.
    pub struct RefundPage {
        pub refunds: Vec<Refund>,
    }
}

impl Endpoint for ListRefunds {
    const NAME: &'static str = "refunds.list_page";
    const PATH: &'static str = "v1/transaction/reversal_list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const PAGES: Option<Pages> =
        Some(Pages { iterator: "list", items: "refunds", doc: "Every refund and cancel request made between `date_from` and `date_to`." });
    type Params = ListRefundsParams;
    type Output = RefundPage;

    fn to_wire(p: &ListRefundsParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        pages::to_wire(p, options)
    }

    fn from_wire(p: &ListRefundsParams, body: &Map<String, Value>) -> Result<RefundPage, Error> {
        pages::read(body, p).map(RefundPage::from)
    }
}

/// Cancels a capture on its own day; its pre-auth can then be captured again.
#[derive(Doc)]
pub struct CancelCapture;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CancelCaptureParams {
    /// The capture's `xact_id`.
    #[spec(not_blank, max_len = 100)]
    pub xact_id: String,
}

impl Endpoint for CancelCapture {
    const NAME: &'static str = "payments.cancel_capture";
    const PATH: &'static str = "v1/transaction/capture_reversal";
    /// Moves money back; Paynet documents no deduplication.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> =
        Some("transactions.retrieve(xact_id={}) shows whether the capture is reversed; look before trying again");
    type Params = CancelCaptureParams;
    /// Its answer is documented only as "starts with `xact_id`": Paynet's
    /// record, with the `xact_id` a success must have.
    type Output = TransactionRecord;

    fn from_wire(_: &CancelCaptureParams, body: &Map<String, Value>) -> Result<TransactionRecord, Error> {
        transaction_record(body, None, Self::RETRY)
    }
}
