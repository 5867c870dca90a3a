//! A subscription's invoices (`v1/subscription/*invoice*`, `manual_charge`):
//! the charges Paynet makes on their due dates, or now on request.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use super::pages::{self, page_model, page_params};
use super::subscription::{INVOICE_STATUSES, SubscriptionRef, same_subscription, subscription_params};
use super::{result_code_error, status_code};
use crate::config::paths;
use crate::endpoint::{Endpoint, Pages, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::money::Money;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::validate;
use crate::wire::{Fields, FromAnswer, Reader};

/// The statuses a shop may set; `paid` and `failed` are Paynet's to set.
const SETTABLE: &[&str] = &["waiting", "external_charged", "cancelled", "deleted"];

fn settable(status: &str) -> Result<i64, Error> {
    let table: Vec<(&str, i64)> = INVOICE_STATUSES.iter().copied().filter(|(name, _)| SETTABLE.contains(name)).collect();
    status_code(status, &table)
}

fn invoice_status<F: Fields + ?Sized>(r: &Reader<'_, F>) -> Result<Option<String>, Error> {
    super::subscription::code_name(r, &["invoice_status", "status"], INVOICE_STATUSES)
}

const SETTLE_BY_LIST: Option<&str> =
    Some("subscription_invoices.list shows the invoices of the subscription ({ids}); look before repeating the call");

/// Adds an invoice to a subscription: `amount` is charged on `due_date`.
#[derive(Doc)]
pub struct CreateInvoice;

subscription_params! {
    pub struct CreateInvoiceParams {
        /// The day it is charged.
        #[spec(wire = "val_date")]
        pub due_date: NaiveDate,
        /// In TL.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub amount: Money,
        /// The agent's share, in TL; with `company_amount`, at most `amount`.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub agent_amount: Option<Money>,
        /// The main company's share, in TL; with `agent_amount`, at most `amount`.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub company_amount: Option<Money>,
        /// The invoice's number within the subscription (Paynet numbers it when absent).
        pub invoice_no: Option<u32>,
    }
}

impl Endpoint for CreateInvoice {
    const NAME: &'static str = "subscription_invoices.create";
    const PATH: &'static str = "v1/subscription/create_invoice";
    /// A resent one is a second charge on the due date.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_LIST;
    type Params = CreateInvoiceParams;
    type Output = Invoice;

    fn to_wire(p: &CreateInvoiceParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        validate::shares(p.amount, p.agent_amount, p.company_amount)?;
        if p.invoice_no == Some(0) {
            return Err(Error::invalid("invoice_no", "must be at least 1"));
        }
        Ok(p.to_wire_declared(options))
    }

    /// The invoice made: the answer's `data` (a row, or a list of one), or
    /// the answer itself, which must be about the subscription asked for.
    /// Once Paynet said code 0 the invoice exists: an answer that cannot be
    /// read as it is `unknown_outcome` (look before creating it again, or
    /// the customer is charged twice on the due date), never an error that
    /// reads as "nothing happened".
    fn from_wire(p: &CreateInvoiceParams, body: &Map<String, Value>) -> Result<Invoice, Error> {
        let r = Reader::new(body);
        match r.int(&["code", "result_code"])? {
            Some(0) => {}
            Some(code) => return Err(result_code_error(&r, code)),
            None => return Err(Error::new(ErrorKind::Protocol, "Paynet's answer has no result code: it does not say the invoice was made")),
        }
        created_invoice(p, body).map_err(|e| {
            let what = format!("Paynet said the invoice was made, but its answer is not believed ({})", e.message);
            Error::new(ErrorKind::UnknownOutcome, crate::client::unknown_outcome(&what, Self::RETRY))
        })
    }
}

fn created_invoice(p: &CreateInvoiceParams, body: &Map<String, Value>) -> Result<Invoice, Error> {
    let invoice = match body.get("data").or_else(|| body.get("Data")) {
        Some(Value::Object(row)) => Invoice::from_wire(row)?,
        Some(Value::Array(rows)) if rows.len() == 1 => Invoice::from_wire(super::data_row(&rows[0])?)?,
        None | Some(Value::Null) => Invoice::from_wire(body)?,
        Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `data` that is not one invoice")),
    };
    let asked = SubscriptionRef { subscription_id: p.subscription_id.clone(), reference_no: p.reference_no.clone() };
    same_subscription(&asked, invoice.subscription_id.as_deref(), invoice.reference_no.as_deref())?;
    if p.invoice_no.is_some_and(|no| invoice.invoice_no.is_some_and(|got| got != i64::from(no))) {
        return Err(Error::new(ErrorKind::Protocol, "Paynet answered with another invoice_no than the one given"));
    }
    Ok(invoice)
}

/// An invoice of a subscription.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct Invoice {
    pub invoice_id: Option<String>,
    pub invoice_no: Option<i64>,
    pub subscription_id: Option<String>,
    pub reference_no: Option<String>,
    /// The day it is charged.
    #[spec(answer = ["val_date", "due_date"])]
    #[serde(with = "crate::kinds::datetime")]
    pub due_date: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "crate::models::money_text")]
    pub amount: Option<Decimal>,
    /// `waiting`, `external_charged`, `paid`, `failed`, `cancelled`, `deleted` (another code: as sent).
    #[spec(read_with = "invoice_status", answer = ["invoice_status", "status"])]
    pub status: Option<String>,
    /// The payment that paid it.
    pub xact_id: Option<String>,
    /// How many charges were tried for it.
    pub attempt_count: Option<i64>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

/// One page of a subscription's invoices.
///
/// `list` walks every page for you; this is one page, for those who page
/// themselves: `has_more` says another follows, at `next_starting_after`.
#[derive(Doc)]
pub struct ListInvoices;

page_params! {
    #[spec(exactly_one = ["subscription_id", "reference_no"])]
    pub struct ListInvoicesParams {
        #[spec(not_blank, max_len = 50)]
        pub subscription_id: Option<String>,
        /// The subscription's reference.
        #[spec(not_blank, max_len = 50)]
        pub reference_no: Option<String>,
        #[spec(max_len = 10)]
        pub agent_id: Option<String>,
        /// Only invoices in this status.
        #[spec(one_of = ["waiting", "external_charged", "paid", "failed", "cancelled", "deleted"], by_hand)]
        pub status: Option<String>,
    }
}

page_model! {
    /// One page of invoices.
    pub struct InvoicePage {
        pub invoices: Vec<Invoice>,
    }
}

impl Endpoint for ListInvoices {
    const NAME: &'static str = "subscription_invoices.list_page";
    const PATH: &'static str = "v1/subscription/invoice_list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const PAGES: Option<Pages> = Some(Pages { iterator: "list", items: "invoices", doc: "Every invoice of the subscription, by due date." });
    type Params = ListInvoicesParams;
    type Output = InvoicePage;

    fn to_wire(p: &ListInvoicesParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        let mut body = pages::to_wire(p, options)?;
        body.remove("status");
        if let Some(status) = &p.status {
            body.insert("invoice_status".into(), status_code(status, INVOICE_STATUSES)?.into());
        }
        Ok(body)
    }

    fn from_wire(p: &ListInvoicesParams, body: &Map<String, Value>) -> Result<InvoicePage, Error> {
        pages::read(body, p).map(InvoicePage::from)
    }
}

/// Charges a subscription's invoice now (`invoice_no`), or every waiting
/// invoice already due, on its cards in their order.
///
/// The path is `v1/subscription/manual_charge` (its page); one title says
/// `manuel_charge`: the client option `subscription_manual_charge_path`
/// sends there instead.
#[derive(Doc)]
pub struct ChargeInvoice;

subscription_params! {
    pub struct ChargeInvoiceParams {
        /// The invoice; without it, every waiting invoice already due.
        pub invoice_no: Option<u32>,
    }
}

/// What one charge of `subscription_invoices.charge` did.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct InvoiceChargeResult {
    pub invoice_no: Option<i64>,
    /// 0: paid.
    #[spec(answer = "code")]
    pub result_code: Option<i64>,
    #[spec(free_text)]
    pub message: Option<String>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

/// What `subscription_invoices.charge` did, per invoice.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct InvoiceCharges {
    /// Every invoice tried, paid or not, as Paynet listed them.
    pub charges: Vec<InvoiceChargeResult>,
    /// Every invoice tried was paid: `false` when one of `charges` failed.
    pub all_paid: bool,
    /// The `charges` that were not paid (a result code other than 0, or none).
    pub failed: Vec<InvoiceChargeResult>,
}

impl Endpoint for ChargeInvoice {
    const NAME: &'static str = "subscription_invoices.charge";
    const PATH: &'static str = paths::MANUAL_CHARGE;
    /// Moves money, and Paynet documents no deduplication for it.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_LIST;
    type Params = ChargeInvoiceParams;
    type Output = InvoiceCharges;

    /// A batch's rows are its result, whatever its envelope's code says: an
    /// envelope that reports a failed row must not hide the rows that were
    /// paid (an error would read as "nothing was charged").
    fn from_wire(_: &ChargeInvoiceParams, body: &Map<String, Value>) -> Result<InvoiceCharges, Error> {
        let r = Reader::new(body);
        let charges = match body.get("data").or_else(|| body.get("Data")) {
            Some(Value::Array(rows)) => rows.iter().map(|row| InvoiceChargeResult::from_wire(super::data_row(row)?)).collect::<Result<Vec<_>, _>>()?,
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `data` that is not a list")),
        };
        match r.int(&["code"])? {
            Some(0) => {}
            Some(_) if !charges.is_empty() => {}
            Some(code) => return Err(result_code_error(&r, code)),
            None => return Err(Error::new(ErrorKind::Protocol, "Paynet's answer has no result code: it does not say what was charged")),
        }
        let failed: Vec<InvoiceChargeResult> = charges.iter().filter(|c| c.result_code != Some(0)).cloned().collect();
        Ok(InvoiceCharges { all_paid: failed.is_empty(), charges, failed })
    }
}

/// Sets one invoice's status: `waiting`, `external_charged` (paid outside
/// Paynet), `cancelled` or `deleted`. A paid invoice keeps its status.
#[derive(Doc)]
pub struct UpdateInvoiceStatus;

subscription_params! {
    pub struct UpdateInvoiceStatusParams {
        pub invoice_no: u32,
        #[spec(one_of = ["waiting", "external_charged", "cancelled", "deleted"], by_hand)]
        pub status: String,
    }
}

impl Endpoint for UpdateInvoiceStatus {
    const NAME: &'static str = "subscription_invoices.update_status";
    const PATH: &'static str = "v1/subscription/invoice_status_update";
    /// `waiting` can make an invoice chargeable again: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_LIST;
    type Params = UpdateInvoiceStatusParams;
    super::acknowledged!();

    fn to_wire(p: &UpdateInvoiceStatusParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let code = settable(&p.status)?;
        let mut body = p.to_wire_declared(options);
        body.insert("status".into(), code.into());
        Ok(body)
    }
}

/// Sets the status of every invoice of a subscription not yet paid.
#[derive(Doc)]
pub struct UpdateAllInvoiceStatuses;

subscription_params! {
    pub struct UpdateAllInvoiceStatusesParams {
        #[spec(one_of = ["waiting", "external_charged", "cancelled", "deleted"], by_hand)]
        pub status: String,
    }
}

impl Endpoint for UpdateAllInvoiceStatuses {
    const NAME: &'static str = "subscription_invoices.update_all_statuses";
    const PATH: &'static str = "v1/subscription/invoices_status_update_all";
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_LIST;
    type Params = UpdateAllInvoiceStatusesParams;
    super::acknowledged!();

    fn to_wire(p: &UpdateAllInvoiceStatusesParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let code = settable(&p.status)?;
        let mut body = p.to_wire_declared(options);
        body.insert("status".into(), code.into());
        Ok(body)
    }
}

/// Changes the amount of one invoice not yet paid.
#[derive(Doc)]
pub struct UpdateInvoiceAmount;

subscription_params! {
    pub struct UpdateInvoiceAmountParams {
        pub invoice_no: u32,
        /// In TL.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub amount: Money,
        /// The agent's share, in TL; with `company_amount`, at most `amount`.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub agent_amount: Option<Money>,
        /// The main company's share, in TL; with `agent_amount`, at most `amount`.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub company_amount: Option<Money>,
    }
}

impl Endpoint for UpdateInvoiceAmount {
    const NAME: &'static str = "subscription_invoices.update_amount";
    /// Not in paynet-api.md §3.8, which names "Fatura Tutar Güncelleme" by title only:
    /// the path is its page's (doc.paynet.com.tr/servisler/abonelik/fatura-tutar-guncelleme).
    const PATH: &'static str = "v1/subscription/invoice_amount_update";
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_LIST;
    type Params = UpdateInvoiceAmountParams;
    super::acknowledged!();

    fn to_wire(p: &UpdateInvoiceAmountParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        validate::shares(p.amount, p.agent_amount, p.company_amount)?;
        Ok(p.to_wire_declared(options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn charge(body: Value) -> Result<InvoiceCharges, Error> {
        let p: ChargeInvoiceParams = serde_json::from_value(json!({"reference_no": "SUB-1"})).unwrap();
        ChargeInvoice::from_wire(&p, body.as_object().unwrap())
    }

    #[test]
    fn a_batch_with_failed_rows_lists_them_whatever_its_envelope_says() {
        let rows = json!([
            {"object_name": "subscription_manual_charge", "code": 0, "message": "ok", "invoice_no": 1},
            {"object_name": "subscription_manual_charge", "code": 1, "message": "declined", "invoice_no": 2},
            {"object_name": "subscription_manual_charge", "message": "?", "invoice_no": 3}
        ]);
        for envelope in [0, 1] {
            let done = charge(json!({"code": envelope, "message": "x", "data": rows})).unwrap();
            assert!(!done.all_paid);
            assert_eq!(done.charges.len(), 3);
            assert_eq!(done.failed.iter().map(|c| c.invoice_no).collect::<Vec<_>>(), [Some(2), Some(3)]);
        }
        let paid = charge(json!({"code": 0, "data": [{"code": 0, "invoice_no": 1}]})).unwrap();
        assert!(paid.all_paid && paid.failed.is_empty());
        // No rows: the envelope's code is the whole answer.
        assert_eq!(charge(json!({"code": 25, "message": "card_not_found"})).unwrap_err().result_code, Some(25));
        assert_eq!(charge(json!({"data": rows})).unwrap_err().kind, ErrorKind::Protocol);
    }

    #[test]
    fn a_created_invoice_is_read_from_the_answer() {
        let p: CreateInvoiceParams =
            serde_json::from_value(json!({"reference_no": "SUB-1", "due_date": "2031-05-01", "amount": "20", "invoice_no": 7})).unwrap();
        let read = |body: Value| CreateInvoice::from_wire(&p, body.as_object().unwrap());
        let row = json!({"invoice_id": "inv_1", "invoice_no": 7, "reference_no": "SUB-1", "amount": 20, "invoice_status": 0, "val_date": "2031-05-01T00:00:00"});
        for body in [json!({"code": 0, "data": row}), json!({"code": 0, "Data": [row]})] {
            let invoice = read(body).unwrap();
            assert_eq!((invoice.invoice_no, invoice.status.as_deref()), (Some(7), Some("waiting")));
        }
        let bare = read(json!({"code": 0, "message": "ok"})).unwrap();
        assert_eq!(bare.invoice_no, None);
        // Code 0 said it was made: an answer not believed is an unknown outcome, never "not made".
        let other = json!({"code": 0, "data": {"invoice_no": 7, "reference_no": "SUB-2"}});
        for body in [other, json!({"code": 0, "data": {"invoice_no": 8}}), json!({"code": 0, "data": []}), json!({"result_code": 0, "data": 3})] {
            let e = read(body.clone()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::UnknownOutcome, "{body}");
            assert!(e.message.contains("may have processed it"), "{}", e.message);
        }
        assert_eq!(read(json!({"code": 5, "message": "duplicate"})).unwrap_err().result_code, Some(5));
        assert_eq!(read(json!({"result_code": 5})).unwrap_err().result_code, Some(5));
        assert_eq!(read(json!({"message": "ok"})).unwrap_err().kind, ErrorKind::Protocol);
    }

    #[test]
    fn invoice_number_zero_is_refused_before_sending() {
        let p: CreateInvoiceParams =
            serde_json::from_value(json!({"reference_no": "SUB-1", "due_date": "2031-05-01", "amount": "20", "invoice_no": 0})).unwrap();
        let e = CreateInvoice::to_wire(&p, &WireOptions { payment_amount: crate::wire::MoneyWire::DecimalNumber, ratio_amount: crate::wire::MoneyWire::KurusString, subscription_amount: crate::wire::MoneyWire::KurusString }).unwrap_err();
        assert_eq!((e.kind, e.field.as_deref()), (ErrorKind::InvalidRequest, Some("invoice_no")));
    }
}
