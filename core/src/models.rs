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
use crate::secret::scrub_card_data;
use crate::spec::{Doc, Spec};
use crate::wire::{AnswerField, Fields, Reader};

/// Amounts come back as Paynet printed them (`12.5`, `3500.0000`, `0`); users
/// get the canonical two-place form (`12.50`), exactly the same value.
/// Under the name `$paynet::money` (`kinds`), `None` included.
pub(crate) fn money_text<T: ResultMoney, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    crate::kinds::tagged(crate::kinds::FieldKind::Money, &MoneyText(value.money()), s)
}

/// A result amount, always there or not.
pub(crate) trait ResultMoney {
    fn money(&self) -> Option<&Decimal>;
}

impl ResultMoney for Decimal {
    fn money(&self) -> Option<&Decimal> {
        Some(self)
    }
}

impl ResultMoney for Option<Decimal> {
    fn money(&self) -> Option<&Decimal> {
        self.as_ref()
    }
}

struct MoneyText<'a>(Option<&'a Decimal>);

impl Serialize for MoneyText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => s.serialize_none(),
            Some(d) => s.collect_str(&crate::cells::money_canonical(d)),
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

/// Paynet's integer code, read from an answer.
impl AnswerField for Option<TransactionType> {
    fn read<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str]) -> Result<Self, Error> {
        Ok(r.int(names)?.map(TransactionType::from_wire))
    }
}

/// `Transaction::replayed`: the answer's code says so.
fn replayed<F: Fields + ?Sized>(r: &Reader<'_, F>) -> Result<bool, Error> {
    Ok(r.int(&["code"])? == Some(CODE_REPLAYED))
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

/// Declares the transaction's fields once, as two models: the success
/// (`$success`: each field marked `@required` a plain value) and the record
/// (`$record`: every one of them optional), with the record's conversion to
/// the success, which names the first required field it lacks.
macro_rules! transaction_models {
    (
        $(#[$success_attr:meta])* pub struct $success:ident;
        $(#[$record_attr:meta])* pub struct $record:ident;
        { $( $(#[$field_attr:meta])* pub $name:ident: $(@$required:ident)? $ty:ty, )* }
    ) => {
        $(#[$success_attr])*
        #[derive(Debug, Clone, Serialize, PartialEq, Spec)]
        #[spec(answer)]
        pub struct $success { $( $(#[$field_attr])* pub $name: $ty, )* }

        $(#[$record_attr])*
        #[derive(Debug, Clone, Serialize, PartialEq, Spec)]
        #[spec(answer)]
        pub struct $record { $( $(#[$field_attr])* pub $name: transaction_models!(@record $($required)? $ty), )* }

        impl $record {
            /// The success this record says, or the name of the first
            /// required field it lacks.
            pub(crate) fn into_success(self) -> Result<$success, &'static str> {
                Ok($success { $( $name: transaction_models!(@take self.$name, $name $(, $required)?), )* })
            }
        }
    };
    (@record required $ty:ty) => { Option<$ty> };
    (@record $ty:ty) => { $ty };
    (@take $value:expr, $name:ident, required) => { $value.ok_or(stringify!($name))? };
    (@take $value:expr, $name:ident) => { $value };
}

transaction_models! {
    /// A payment, pre-auth or capture that succeeded, as Paynet reports it
    /// after `v2/transaction/payment`, `v2/transaction/tds_charge`,
    /// `v1/transaction/charge` and `v1/transaction/capture`.
    ///
    /// `xact_id`, `xact_date` and `amount` are always set: every example and
    /// field table of these answers has them (a capture's `amount` may be 0),
    /// and an answer that says success without one is refused
    /// (`unknown_outcome`: the money may have moved). The other fields are
    /// not promised: an answer may leave any of them out.
    pub struct Transaction;
    /// Paynet's record of a transaction, whatever its outcome: a declined
    /// card's (`card_declined`), a `v1/transaction/check` row
    /// (`transactions.check`, `transactions.lookup`: successful or not) and
    /// a reversed capture's answer (`payments.cancel_capture`, documented
    /// only as "starts with `xact_id`"). No field is promised here: a
    /// decline's answer documents none.
    pub struct TransactionRecord;
    {
    #[spec(answer = ["id", "xact"])]
    pub id: Option<i64>,
    pub xact_id: @required String,
    #[serde(with = "crate::kinds::datetime")]
    pub xact_date: @required DateTime<FixedOffset>,
    pub transaction_type: Option<TransactionType>,
    #[spec(answer = ["reference_no", "agent_reference_no", "agent_reference"])]
    pub reference_no: Option<String>,
    pub is_succeed: bool,
    /// `code` 100: Paynet recognised the `reference_no` (or session) and
    /// returned the earlier successful transaction instead of charging again.
    #[spec(read_with = "replayed")]
    pub replayed: bool,
    #[spec(answer = "code")]
    pub result_code: Option<i64>,
    #[spec(free_text)]
    pub message: Option<String>,
    #[serde(serialize_with = "money_text")]
    pub amount: @required Decimal,
    #[serde(serialize_with = "money_text")]
    #[spec(answer = ["net_amount", "netAmount"])]
    pub net_amount: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    #[spec(answer = ["comission", "commission"])]
    pub commission: Option<Decimal>,
    #[serde(serialize_with = "money_text")]
    #[spec(answer = ["comission_tax", "commission_tax"])]
    pub commission_tax: Option<Decimal>,
    pub currency: Option<String>,
    #[spec(answer = ["instalment", "installment"])]
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
    #[spec(answer = ["card_no_masked", "card_no"], card_number)]
    pub card_no_masked: Option<String>,
    #[spec(free_text)]
    pub card_holder: Option<String>,
    pub card_type: Option<String>,
    pub card_brand_name: Option<String>,
    #[spec(answer = ["bank_authorization_code", "authorization_code"])]
    pub authorization_code: Option<String>,
    #[spec(answer = ["bank_reference_code", "reference_code"])]
    pub bank_reference_code: Option<String>,
    #[spec(answer = ["bank_order_id", "order_id"])]
    pub order_id: Option<String>,
    pub xact_transaction_id: Option<String>,
    pub paynet_error_id: Option<String>,
    #[spec(free_text)]
    pub paynet_error_message: Option<String>,
    #[spec(answer = "bank_error_id")]
    pub bank_error_code: Option<String>,
    #[spec(free_text)]
    pub bank_error_message: Option<String>,
    #[spec(free_text)]
    pub bank_error_short_desc: Option<String>,
    #[spec(free_text)]
    pub bank_error_long_desc: Option<String>,
    pub card_hash: Option<String>,
    pub card_owner_id: Option<String>,
    pub user_unique_id: Option<String>,
    pub is_save_card_succeed: Option<bool>,
    #[spec(free_text)]
    pub save_card_result_message: Option<String>,
    pub card_bank_id: Option<String>,
    pub card_logo_url: Option<String>,
    pub campaign_url: Option<String>,
    #[serde(serialize_with = "money_text")]
    #[spec(answer = ["end_user_comission", "end_user_commission"])]
    pub end_user_commission: Option<Decimal>,
    #[serde(with = "crate::kinds::ratio")]
    pub end_user_ratio: Option<Decimal>,
    pub ratio_code: Option<String>,
    pub md_status: Option<i64>,
    #[spec(free_text)]
    pub note: Option<String>,
    /// A pre-auth cancelled by `payments.cancel_pre_auth` (check answers only).
    pub reversed: Option<bool>,
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
    /// The rows as Arrow batches instead, when the call asked for them so
    /// (`RequestOptions::columns`): `rows` is then empty.
    #[serde(skip)]
    #[spec(table)]
    pub columns: Option<crate::columnar::Table>,
}

/// One transaction in a payment report.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct PaymentReportRow {
    pub xact_id: Option<String>,
    #[serde(with = "crate::kinds::datetime")]
    pub xact_date: Option<DateTime<FixedOffset>>,
    #[serde(with = "crate::kinds::date")]
    pub due_date: Option<NaiveDate>,
    /// Paynet's `xact_type`: `S` sale, `CR` capture, `CD` refund, `R` cancel, ….
    #[spec(dictionary)]
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
    #[spec(answer = ["instalment", "installment"])]
    pub installment: Option<i64>,
    pub plus_installment: Option<i64>,
    pub pos_type: Option<i64>,
    pub company_code: Option<String>,
    pub company_name: Option<String>,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    #[spec(dictionary)]
    pub bank_id: Option<String>,
    #[spec(dictionary)]
    pub bank_name: Option<String>,
    #[spec(answer = ["card_no", "card_no_masked"], card_number)]
    pub card_no_masked: Option<String>,
    pub card_holder: Option<String>,
    #[spec(dictionary)]
    pub card_type: Option<String>,
    pub authorization_code: Option<String>,
    #[spec(answer = "reference_code")]
    pub bank_reference_code: Option<String>,
    pub order_id: Option<String>,
    pub user_id: Option<String>,
}

