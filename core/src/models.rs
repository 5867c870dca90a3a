//! What Paynet returns, with idiomatic names (`commission`, `installment`,
//! `authorization_code` whichever endpoint spelt it). Serialized for the
//! bindings with amounts as exact decimal strings and RFC 3339 timestamps,
//! each under its kind's name (`kinds`): a binding knows a value's kind from
//! its type as serialized, never from its field's name.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::secret::{mask_answer_card_number, scrub_card_data};
use crate::spec::{Doc, Spec};
use crate::wire::{Fields, Reader};

/// Amounts come back as Paynet printed them (`12.5`, `3500.0000`, `0`); users
/// get the canonical two-place form (`12.50`), exactly the same value.
/// Under the name `$paynet::money` (`kinds`), `None` included.
fn money_text<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    crate::kinds::tagged(crate::kinds::FieldKind::Money, &MoneyText(value), s)
}

struct MoneyText<'a>(&'a Option<Decimal>);

impl Serialize for MoneyText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => s.serialize_none(),
            Some(d) => {
                let mut canonical = d.normalize();
                if canonical.scale() <= 2 {
                    canonical.rescale(2);
                }
                s.collect_str(&canonical)
            }
        }
    }
}

/// Result code of a replayed request: "Önceki Başarılı İşlem" (earlier successful transaction).
pub const CODE_REPLAYED: i64 = 100;

/// Numeric `transaction_type`. Requests send 1 (sale) or 3 (pre-auth);
/// responses say 1 sale, 4 capture, and pre-auth as 3 or as 2 (S001's table
/// and its request disagree, so both read as `PreAuth`).
#[derive(Debug, Clone, PartialEq, Eq, Doc)]
pub enum TransactionType {
    /// The card is charged now.
    Sale,
    /// The amount is reserved on the card; a capture takes it.
    PreAuth,
    /// A pre-auth taken (results only).
    Capture,
    /// A code the reference does not list, kept as Paynet sent it.
    Other(String),
}

impl TransactionType {
    /// Every value the reference lists, for the spec.
    pub const KNOWN: &'static [TransactionType] = &[TransactionType::Sale, TransactionType::PreAuth, TransactionType::Capture];

    pub fn as_str(&self) -> &str {
        match self {
            TransactionType::Sale => "sale",
            TransactionType::PreAuth => "pre_auth",
            TransactionType::Capture => "capture",
            TransactionType::Other(s) => s,
        }
    }

    pub(crate) fn wire_code(&self) -> &'static str {
        match self {
            TransactionType::PreAuth => "3",
            _ => "1",
        }
    }

    fn from_wire(code: i64) -> TransactionType {
        match code {
            1 => TransactionType::Sale,
            2 | 3 => TransactionType::PreAuth,
            4 => TransactionType::Capture,
            other => TransactionType::Other(other.to_string()),
        }
    }
}

impl Serialize for TransactionType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Users ask for `"sale"` or `"pre_auth"`; nothing else can be requested.
impl<'de> Deserialize<'de> for TransactionType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "sale" => Ok(TransactionType::Sale),
            "pre_auth" => Ok(TransactionType::PreAuth),
            _ => Err(serde::de::Error::custom("must be \"sale\" or \"pre_auth\"")),
        }
    }
}

/// One payment, pre-auth or capture as Paynet reports it after
/// `v2/transaction/payment`, `v1/transaction/charge`, `v1/transaction/capture`
/// and `v1/transaction/check`.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct Transaction {
    pub id: Option<i64>,
    pub xact_id: Option<String>,
    #[serde(with = "crate::kinds::datetime")]
    pub xact_date: Option<DateTime<FixedOffset>>,
    pub transaction_type: Option<TransactionType>,
    pub reference_no: Option<String>,
    pub is_succeed: bool,
    /// `code` 100: Paynet recognised the `reference_no` (or session) and
    /// returned the earlier successful transaction instead of charging again.
    pub replayed: bool,
    pub result_code: Option<i64>,
    pub message: Option<String>,
    #[serde(serialize_with = "money_text")]
    pub amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub net_amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub commission: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub commission_tax: Option<Decimal>,
    pub currency: Option<String>,
    pub installment: Option<i64>,
    #[serde(with = "crate::kinds::ratio")]
    pub ratio: Option<Decimal>,
    pub pos_type: Option<i64>,
    pub is_tds: Option<bool>,
    pub agent_id: Option<String>,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bank_id: Option<String>,
    pub bank_name: Option<String>,
    pub card_no_masked: Option<String>,
    pub card_holder: Option<String>,
    pub card_type: Option<String>,
    pub card_brand_name: Option<String>,
    pub authorization_code: Option<String>,
    pub bank_reference_code: Option<String>,
    pub order_id: Option<String>,
    pub xact_transaction_id: Option<String>,
    pub paynet_error_id: Option<String>,
    pub paynet_error_message: Option<String>,
    pub bank_error_code: Option<String>,
    pub bank_error_message: Option<String>,
    pub bank_error_short_desc: Option<String>,
    pub bank_error_long_desc: Option<String>,
    pub card_hash: Option<String>,
    pub card_owner_id: Option<String>,
    pub user_unique_id: Option<String>,
    pub is_save_card_succeed: Option<bool>,
    pub save_card_result_message: Option<String>,
    pub card_bank_id: Option<String>,
    pub card_logo_url: Option<String>,
    pub campaign_url: Option<String>,
    #[serde(serialize_with = "money_text")]
    pub end_user_commission: Option<Decimal>,
    #[serde(with = "crate::kinds::ratio")]
    pub end_user_ratio: Option<Decimal>,
    pub ratio_code: Option<String>,
    pub md_status: Option<i64>,
    pub note: Option<String>,
    /// A pre-auth cancelled by `payments.cancel_pre_auth` (check answers only).
    pub reversed: Option<bool>,
}

impl Transaction {
    pub fn from_wire(obj: &Map<String, Value>) -> Result<Transaction, Error> {
        let r = Reader::new(obj);
        // Free text a bank or Paynet wrote: it has carried card numbers.
        let text = |names: &[&str]| r.string(names).map(scrub_card_data);
        let result_code = r.int(&["code"])?;
        Ok(Transaction {
            id: r.int(&["id", "xact"])?,
            xact_id: r.string(&["xact_id"]),
            xact_date: r.datetime(&["xact_date"])?,
            transaction_type: r.int(&["transaction_type"])?.map(TransactionType::from_wire),
            reference_no: r.string(&["reference_no", "agent_reference_no", "agent_reference"]),
            is_succeed: r.bool(&["is_succeed"])?.unwrap_or(false),
            replayed: result_code == Some(CODE_REPLAYED),
            result_code,
            message: text(&["message"]),
            amount: r.decimal(&["amount"])?,
            net_amount: r.decimal(&["net_amount", "netAmount"])?,
            commission: r.decimal(&["comission", "commission"])?,
            commission_tax: r.decimal(&["comission_tax", "commission_tax"])?,
            currency: r.string(&["currency"]),
            installment: r.int(&["instalment", "installment"])?,
            ratio: r.decimal(&["ratio"])?,
            pos_type: r.int(&["pos_type"])?,
            is_tds: r.bool(&["is_tds"])?,
            agent_id: r.string(&["agent_id"]),
            user_id: r.string(&["user_id"]),
            email: r.string(&["email"]),
            phone: r.string(&["phone"]),
            bank_id: r.string(&["bank_id"]),
            bank_name: r.string(&["bank_name"]),
            card_no_masked: r.string(&["card_no_masked", "card_no"]).map(mask_answer_card_number),
            card_holder: text(&["card_holder"]),
            card_type: r.string(&["card_type"]),
            card_brand_name: r.string(&["card_brand_name"]),
            authorization_code: r.string(&["bank_authorization_code", "authorization_code"]),
            bank_reference_code: r.string(&["bank_reference_code", "reference_code"]),
            order_id: r.string(&["bank_order_id", "order_id"]),
            xact_transaction_id: r.string(&["xact_transaction_id"]),
            paynet_error_id: r.string(&["paynet_error_id"]),
            paynet_error_message: text(&["paynet_error_message"]),
            bank_error_code: r.string(&["bank_error_id"]),
            bank_error_message: text(&["bank_error_message"]),
            bank_error_short_desc: text(&["bank_error_short_desc"]),
            bank_error_long_desc: text(&["bank_error_long_desc"]),
            card_hash: r.string(&["card_hash"]),
            card_owner_id: r.string(&["card_owner_id"]),
            user_unique_id: r.string(&["user_unique_id"]),
            is_save_card_succeed: r.bool(&["is_save_card_succeed"])?,
            save_card_result_message: text(&["save_card_result_message"]),
            card_bank_id: r.string(&["card_bank_id"]),
            card_logo_url: r.string(&["card_logo_url"]),
            campaign_url: r.string(&["campaign_url"]),
            end_user_commission: r.decimal(&["end_user_comission", "end_user_commission"])?,
            end_user_ratio: r.decimal(&["end_user_ratio"])?,
            ratio_code: r.string(&["ratio_code"]),
            md_status: r.int(&["md_status"])?,
            note: text(&["note"]),
            reversed: r.bool(&["reversed"])?,
        })
    }
}

impl Transaction {
    /// Applies `clean` to every free text of the answer (see `Error::redacted`).
    pub(crate) fn redact_texts(&mut self, clean: impl Fn(&str) -> String) {
        for text in [
            &mut self.message,
            &mut self.card_holder,
            &mut self.paynet_error_message,
            &mut self.bank_error_message,
            &mut self.bank_error_short_desc,
            &mut self.bank_error_long_desc,
            &mut self.save_card_result_message,
            &mut self.note,
        ]
        .into_iter()
        .flatten()
        {
            *text = clean(text);
        }
    }
}

/// What Paynet answers to a request it carried out, when the answer holds
/// no transaction: only its result code and message.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct Acknowledgement {
    /// 0 when done.
    pub result_code: i64,
    pub message: Option<String>,
    /// Paynet's name for the answer, e.g. `transaction_preauth_reversal`.
    pub object_name: Option<String>,
}

impl Acknowledgement {
    /// Code 0 is done; any other code in a 2xx answer is an `api` error.
    pub fn from_wire(obj: &Map<String, Value>) -> Result<Acknowledgement, Error> {
        let r = Reader::new(obj);
        match r.int(&["code", "result_code"])? {
            Some(0) => Ok(Acknowledgement {
                result_code: 0,
                message: r.string(&["message"]).map(scrub_card_data),
                object_name: r.string(&["object_name"]),
            }),
            Some(code) => Err(crate::endpoints::result_code_error(&r, code)),
            None => Err(Error::new(crate::error::ErrorKind::Protocol, "Paynet's answer has no result code: it does not say the request was carried out")),
        }
    }
}

/// `v1/transaction/payment_list`: what Paynet pays out on one due date.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct PaymentReport {
    #[serde(with = "crate::kinds::date")]
    pub date: NaiveDate,
    pub total: Option<i64>,
    pub total_count: Option<i64>,
    pub rows: Vec<PaymentReportRow>,
}

/// One transaction in a payment report.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct PaymentReportRow {
    pub xact_id: Option<String>,
    #[serde(with = "crate::kinds::datetime")]
    pub xact_date: Option<DateTime<FixedOffset>>,
    #[serde(with = "crate::kinds::date")]
    pub due_date: Option<NaiveDate>,
    /// Paynet's `xact_type`: `S` sale, `CR` capture, `CD` refund, `R` cancel, ….
    pub xact_type: Option<String>,
    pub is_succeed: Option<bool>,
    #[serde(serialize_with = "money_text")]
    pub amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub company_pay_amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub company_service_amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub agent_pay_amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    pub agent_service_amount: Option<Decimal>,
    #[serde(with = "crate::kinds::ratio")]
    pub ratio: Option<Decimal>,
    #[serde(with = "crate::kinds::ratio")]
    pub company_cost_ratio: Option<Decimal>,
    pub installment: Option<i64>,
    pub plus_installment: Option<i64>,
    pub pos_type: Option<i64>,
    pub company_code: Option<String>,
    pub company_name: Option<String>,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub bank_id: Option<String>,
    pub bank_name: Option<String>,
    pub card_no_masked: Option<String>,
    pub card_holder: Option<String>,
    pub card_type: Option<String>,
    pub authorization_code: Option<String>,
    pub bank_reference_code: Option<String>,
    pub order_id: Option<String>,
    pub user_id: Option<String>,
}

impl PaymentReportRow {
    pub fn from_wire<F: Fields + ?Sized>(obj: &F) -> Result<PaymentReportRow, Error> {
        let r = Reader::new(obj);
        Ok(PaymentReportRow {
            xact_id: r.string(&["xact_id"]),
            xact_date: r.datetime(&["xact_date"])?,
            due_date: r.date(&["due_date"])?,
            xact_type: r.string(&["xact_type"]),
            is_succeed: r.bool(&["is_succeed"])?,
            amount: r.decimal(&["amount"])?,
            company_pay_amount: r.decimal(&["company_pay_amount"])?,
            company_service_amount: r.decimal(&["company_service_amount"])?,
            agent_pay_amount: r.decimal(&["agent_pay_amount"])?,
            agent_service_amount: r.decimal(&["agent_service_amount"])?,
            ratio: r.decimal(&["ratio"])?,
            company_cost_ratio: r.decimal(&["company_cost_ratio"])?,
            installment: r.int(&["instalment", "installment"])?,
            plus_installment: r.int(&["plus_installment"])?,
            pos_type: r.int(&["pos_type"])?,
            company_code: r.string(&["company_code"]),
            company_name: r.string(&["company_name"]),
            agent_id: r.string(&["agent_id"]),
            agent_name: r.string(&["agent_name"]),
            bank_id: r.string(&["bank_id"]),
            bank_name: r.string(&["bank_name"]),
            card_no_masked: r.string(&["card_no", "card_no_masked"]).map(mask_answer_card_number),
            card_holder: r.string(&["card_holder"]),
            card_type: r.string(&["card_type"]),
            authorization_code: r.string(&["authorization_code"]),
            bank_reference_code: r.string(&["reference_code"]),
            order_id: r.string(&["order_id"]),
            user_id: r.string(&["user_id"]),
        })
    }
}
