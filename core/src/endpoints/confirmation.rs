//! The `confirmation_url` post of a paid PayLink, checked against Paynet's
//! own record: no signature is documented, so the post proves nothing by
//! itself (docs/CHECKOUT.md).

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::models::{TransactionRecord, TransactionType};
use crate::spec::{CheckDeclared, Doc, Spec};
use crate::wire::{FromAnswer, parse_object};

/// Checks a `confirmation_url` post against Paynet and returns it, typed.
///
/// Pass the request body exactly as it arrived (JSON text). Paynet's record
/// of the payment (`v1/transaction/check` by the posted reference) must
/// agree on the reference, `xact_id`, amount and success, and show a sale
/// neither cancelled nor refunded; otherwise this is a
/// `confirmation_mismatch` error and the order must not be marked paid. A
/// genuine post about a failed payment is a `card_declined` error: a
/// confirmation that returns is a paid order. Every field returned is
/// Paynet's record, not the post's; mark an order paid once per returned
/// `xact_id` (Paynet may post again).
#[derive(Doc)]
pub struct VerifyConfirmation;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct VerifyConfirmationParams {
    /// The post's body as received (Django `request.body.decode()`, Flask
    /// `request.get_data(as_text=True)`, Express `JSON.stringify(req.body)`).
    #[spec(not_blank, max_len = 65536)]
    pub body: String,
}

/// A PayLink payment as its confirmation post tells it, verified.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct PayLinkConfirmation {
    /// Paynet spells it `referance_no` in this post.
    #[spec(answer = ["referance_no", "reference_no"])]
    pub reference_no: String,
    pub xact_id: Option<String>,
    #[serde(with = "crate::kinds::datetime")]
    pub xact_date: Option<DateTime<FixedOffset>>,
    pub is_succeed: bool,
    #[serde(serialize_with = "crate::models::money_text")]
    pub amount: Option<Decimal>,
    #[serde(serialize_with = "crate::models::money_text")]
    #[spec(answer = ["netAmount", "net_amount"])]
    pub net_amount: Option<Decimal>,
    #[serde(serialize_with = "crate::models::money_text")]
    #[spec(answer = ["comission", "commission"])]
    pub commission: Option<Decimal>,
    #[serde(serialize_with = "crate::models::money_text")]
    #[spec(answer = ["comission_tax", "commission_tax"])]
    pub commission_tax: Option<Decimal>,
    pub currency: Option<String>,
    #[spec(answer = ["instalment", "installment"])]
    pub installment: Option<i64>,
    /// First six and last four digits.
    #[spec(card_number)]
    pub card_number: Option<String>,
    #[spec(free_text)]
    pub card_holder: Option<String>,
    pub card_type: Option<String>,
    pub bank_id: Option<String>,
    pub agent_id: Option<String>,
    pub authorization_code: Option<String>,
    pub order_id: Option<String>,
    /// Paynet's own record of the payment, which the post was checked against.
    #[spec(read_with = "no_transaction_yet")]
    pub transaction: Option<TransactionRecord>,
}

/// Filled in from Paynet's answer, never from the post.
fn no_transaction_yet<F: crate::wire::Fields + ?Sized>(_: &crate::wire::Reader<'_, F>) -> Result<Option<TransactionRecord>, Error> {
    Ok(None)
}

/// The one payment the post is about, as Paynet's check lists the reference:
/// the row with the posted `xact_id`, or the only row. Several rows and no
/// `xact_id` to choose by is refused: a sale and its refund, or two attempts,
/// must not be told apart by their order in the list.
fn paynets_record(posted: &PayLinkConfirmation, body: &Map<String, Value>) -> Result<TransactionRecord, Error> {
    let none = || mismatch(posted, "reference_no", "Paynet has no payment with this reference".into());
    let Some(Value::Array(listed)) = body.get("Data").or_else(|| body.get("data")) else {
        return Err(none());
    };
    let mut rows = Vec::with_capacity(listed.len());
    let mut other_reference = false;
    for row in listed {
        let row = super::data_row(row)?;
        other_reference |= super::echoed_reference(row).is_some_and(|r| r != posted.reference_no);
        rows.push(TransactionRecord::from_wire(row)?);
    }
    if other_reference {
        return Err(Error::new(ErrorKind::Protocol, "Paynet answered about another reference than the one asked for: the answer is not believed"));
    }
    match (posted.xact_id.as_deref(), rows.len()) {
        (_, 0) => Err(none()),
        (Some(said), _) => {
            let at = rows.iter().position(|tx| tx.xact_id.as_deref() == Some(said));
            at.map(|i| rows.swap_remove(i)).ok_or_else(|| mismatch(posted, "xact_id", format!("Paynet lists no payment {said} under this reference")))
        }
        (None, 1) => Ok(rows.remove(0)),
        (None, _) => Err(mismatch(posted, "xact_id", "several payments carry this reference and the post names none".into())),
    }
}

impl VerifyConfirmationParams {
    /// The post, read; an unreadable one is refused before anything is sent.
    fn posted(&self) -> Result<PayLinkConfirmation, Error> {
        let object = parse_object(self.body.as_bytes()).map_err(|e| Error::invalid("body", format!("is not the JSON object Paynet posts: {}", e.message)))?;
        let posted = PayLinkConfirmation::from_wire(&object).map_err(|e| Error::invalid("body", e.message))?;
        if posted.amount.is_none() {
            return Err(Error::invalid("body", "has no `amount`: Paynet posts one"));
        }
        Ok(posted)
    }
}

/// Reads a `confirmation_url` post into its typed form, without asking
/// Paynet: for logging it, or showing it. It proves nothing (no signature is
/// documented); only `pay_links.verify_confirmation` says the order is paid.
#[derive(Doc)]
pub struct ParseConfirmation;

impl Endpoint for ParseConfirmation {
    const NAME: &'static str = "pay_links.parse_confirmation";
    const PATH: &'static str = "";
    const LOCAL: bool = true;
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = VerifyConfirmationParams;
    type Output = PayLinkConfirmation;

    fn to_wire(p: &VerifyConfirmationParams, _: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        Ok(Map::new())
    }

    fn from_wire(p: &VerifyConfirmationParams, _: &Map<String, Value>) -> Result<PayLinkConfirmation, Error> {
        p.posted()
    }
}

fn mismatch(posted: &PayLinkConfirmation, field: &str, problem: String) -> Error {
    let mut e = Error::new(
        ErrorKind::ConfirmationMismatch,
        format!("{field}: {problem}: the post is not what Paynet recorded; do not mark the order paid"),
    );
    e.field = Some(field.to_owned());
    e.reference_no = Some(posted.reference_no.clone());
    e
}

impl Endpoint for VerifyConfirmation {
    const NAME: &'static str = "pay_links.verify_confirmation";
    const PATH: &'static str = "v1/transaction/check";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = VerifyConfirmationParams;
    type Output = PayLinkConfirmation;

    /// Asks Paynet about the posted reference.
    fn to_wire(p: &VerifyConfirmationParams, _: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let posted = p.posted()?;
        let mut body = Map::new();
        body.insert("reference_no".into(), posted.reference_no.into());
        Ok(body)
    }

    /// "No such payment" as a 404 is the same contradiction as in a 2xx answer.
    fn recover(p: &VerifyConfirmationParams, error: Error) -> Result<PayLinkConfirmation, Error> {
        let no_data = error.kind == ErrorKind::Api && error.result_code == Some(super::check::NO_DATA) && matches!(error.http_status, None | Some(404));
        match p.posted() {
            Ok(posted) if no_data => Err(mismatch(&posted, "reference_no", "Paynet has no payment with this reference".into())),
            _ => Err(error),
        }
    }

    fn from_wire(p: &VerifyConfirmationParams, body: &Map<String, Value>) -> Result<PayLinkConfirmation, Error> {
        let posted = p.posted()?;
        let tx = paynets_record(&posted, body)?;
        if let (Some(said), Some(known)) = (posted.xact_id.as_deref(), tx.xact_id.as_deref())
            && said != known
        {
            return Err(mismatch(&posted, "xact_id", format!("the post names {said}, Paynet {known}")));
        }
        if posted.is_succeed != tx.is_succeed {
            return Err(mismatch(&posted, "is_succeed", format!("the post says {}, Paynet {}", posted.is_succeed, tx.is_succeed)));
        }
        if posted.amount.is_none() || posted.amount != tx.amount {
            let shown = |a: Option<Decimal>| a.map_or_else(|| "none".to_owned(), |a| a.normalize().to_string());
            return Err(mismatch(&posted, "amount", format!("the post says {}, Paynet {}", shown(posted.amount), shown(tx.amount))));
        }
        if !tx.is_succeed {
            let mut e = Error::new(ErrorKind::CardDeclined, "The PayLink payment failed: Paynet confirms it was not paid");
            e.reference_no = tx.reference_no.clone();
            e.transaction = Some(Box::new(tx));
            return Err(e);
        }
        if tx.reversed == Some(true) {
            return Err(mismatch(&posted, "reversed", "Paynet shows the payment cancelled or refunded".into()));
        }
        if tx.transaction_type == Some(TransactionType::PreAuth) {
            return Err(mismatch(&posted, "transaction_type", "Paynet shows a pre-auth, not a paid sale".into()));
        }
        // Everything returned is Paynet's record; of the post, only its reference.
        Ok(PayLinkConfirmation {
            reference_no: posted.reference_no,
            xact_id: tx.xact_id.clone(),
            xact_date: tx.xact_date,
            is_succeed: tx.is_succeed,
            amount: tx.amount,
            net_amount: tx.net_amount,
            commission: tx.commission,
            commission_tax: tx.commission_tax,
            currency: tx.currency.clone(),
            installment: tx.installment,
            card_number: tx.card_no_masked.clone(),
            card_holder: tx.card_holder.clone(),
            card_type: tx.card_type.clone(),
            bank_id: tx.bank_id.clone(),
            agent_id: tx.agent_id.clone(),
            authorization_code: tx.authorization_code.clone(),
            order_id: tx.order_id.clone(),
            transaction: Some(tx),
        })
    }
}
