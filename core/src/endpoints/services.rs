//! The transaction services (`v1/transaction/*`): detail, list, and what a
//! shop records on a payment afterwards (docs/AFTER-SALE.md).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::pages::{self, page_model, page_params};
use super::{checked_answer, not_found};
use crate::endpoint::{Endpoint, Pages, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::file::FileInput;
use crate::money::Money;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::wire::FromAnswer;

/// The fields a transaction list row and a transaction's detail share,
/// declared once for both models.
macro_rules! transaction_fields {
    ($(#[$attr:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, serde::Serialize, PartialEq, $crate::spec::Spec)]
        #[spec(answer)]
        pub struct $name {
            pub xact_id: Option<String>,
            #[serde(with = "crate::kinds::datetime")]
            pub xact_date: Option<chrono::DateTime<chrono::FixedOffset>>,
            #[spec(answer = ["reference_no", "agent_referans_no", "agent_reference_no"])]
            pub reference_no: Option<String>,
            /// `S` sale, `PA` pre-auth, `CR` capture, `R` cancel, `CD` refund,
            /// `RP` pre-auth reversal, `RC` capture reversal.
            #[spec(dictionary)]
            pub xact_type: Option<String>,
            pub is_succeed: Option<bool>,
            #[serde(serialize_with = "crate::models::money_text")]
            pub amount: Option<rust_decimal::Decimal>,
            #[serde(serialize_with = "crate::models::money_text")]
            pub net_amount: Option<rust_decimal::Decimal>,
            #[serde(serialize_with = "crate::models::money_text")]
            #[spec(answer = ["comission", "commission"])]
            pub commission: Option<rust_decimal::Decimal>,
            #[serde(serialize_with = "crate::models::money_text")]
            #[spec(answer = ["comission_tax", "commission_tax"])]
            pub commission_tax: Option<rust_decimal::Decimal>,
            pub currency: Option<String>,
            #[spec(answer = ["instalment", "installment"])]
            pub installment: Option<i64>,
            #[spec(dictionary)]
            pub bank_id: Option<String>,
            #[spec(dictionary)]
            pub bank_name: Option<String>,
            #[spec(answer = ["card_no", "card_no_masked"], card_number)]
            pub card_no_masked: Option<String>,
            #[spec(free_text)]
            pub card_holder: Option<String>,
            #[spec(dictionary)]
            pub card_type: Option<String>,
            pub authorization_code: Option<String>,
            #[spec(answer = ["reference_code", "bank_reference_code"])]
            pub bank_reference_code: Option<String>,
            pub order_id: Option<String>,
            pub agent_id: Option<String>,
            pub pos_type: Option<i64>,
            /// Marked as exported to your accounting (`transactions.mark_transferred`).
            pub is_transferred: Option<bool>,
            /// Cancelled or refunded in full.
            pub reversed: Option<bool>,
            $($extra)*
        }
    };
}

/// Everything Paynet keeps about one payment, by `id`, `xact_id`, `xact` or `reference_no`.
#[derive(Doc)]
pub struct RetrieveTransaction;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, at_least_one = ["id", "xact_id", "xact", "reference_no"])]
pub struct RetrieveTransactionParams {
    /// Paynet's plain numeric id (`Transaction.id`).
    #[spec(wire_text)]
    pub id: Option<i64>,
    #[spec(not_blank, max_len = 100)]
    pub xact_id: Option<String>,
    /// The plain id of `v1` answers (`xact`).
    #[spec(wire_text)]
    pub xact: Option<i64>,
    /// Your order number: Paynet answers with its latest transaction.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
}

transaction_fields! {
    /// One payment as Paynet keeps it.
    pub struct TransactionDetail {
        /// The cancel or refund that reversed it.
        pub reversed_xact_id: Option<String>,
        /// What approved refunds gave back, in TL.
        #[serde(serialize_with = "crate::models::money_text")]
        pub refunded_amount: Option<rust_decimal::Decimal>,
        #[serde(serialize_with = "crate::models::money_text")]
        pub company_amount: Option<rust_decimal::Decimal>,
        #[serde(serialize_with = "crate::models::money_text")]
        pub agent_amount: Option<rust_decimal::Decimal>,
        pub xact_type_desc: Option<String>,
        pub agent_name: Option<String>,
        pub company_name: Option<String>,
        pub xact_transaction_id: Option<String>,
        /// What `transactions.mark_transferred` recorded.
        pub document_no: Option<String>,
        #[spec(free_text)]
        pub note: Option<String>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub agent_reference: Option<String>,
    }
}

impl Endpoint for RetrieveTransaction {
    const NAME: &'static str = "transactions.retrieve";
    const PATH: &'static str = "v1/transaction/detail";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = RetrieveTransactionParams;
    type Output = TransactionDetail;

    fn from_wire(p: &RetrieveTransactionParams, body: &Map<String, Value>) -> Result<TransactionDetail, Error> {
        let detail = match body.get("Data").or_else(|| body.get("data")) {
            Some(Value::Array(rows)) => match rows.first() {
                Some(row) => TransactionDetail::from_wire(super::data_row(row)?)?,
                None => return Err(not_found(body)),
            },
            _ => return Err(not_found(body)),
        };
        let other = |asked: Option<&str>, got: Option<&str>| matches!((asked, got), (Some(a), Some(g)) if a != g);
        if other(p.xact_id.as_deref(), detail.xact_id.as_deref()) || (p.xact_id.is_none() && other(p.reference_no.as_deref(), detail.reference_no.as_deref())) {
            return Err(Error::new(ErrorKind::Protocol, "Paynet answered about another payment than the one asked for: the answer is not believed"));
        }
        Ok(detail)
    }
}

/// One page of the payments made between `date_from` and `date_to`.
#[derive(Doc)]
pub struct ListTransactions;

page_params! {
    dated
    pub struct ListTransactionsParams {
        #[spec(max_len = 10)]
        pub agent_id: Option<String>,
        /// Only this bank's (`AXSS`, `FINS`, ...).
        #[spec(max_len = 4)]
        pub bank_id: Option<String>,
        #[spec(max_len = 50)]
        pub user_id: Option<String>,
        /// Declined attempts too (Paynet's default: only successes).
        pub show_unsucceed: Option<bool>,
        /// Only the ones not marked transferred (`transactions.mark_transferred`).
        pub untransferred: Option<bool>,
    }
}

transaction_fields! {
    /// A payment, cancel or refund in a transaction list.
    pub struct TransactionRow {}
}

page_model! {
    /// One page of transactions.
    pub struct TransactionPage {
        pub transactions: Vec<TransactionRow>,
        /// The sum over every matching transaction, in TL.
        #[serde(serialize_with = "crate::models::money_text")]
        pub total_amount: Option<Decimal>,
    }
}

impl Endpoint for ListTransactions {
    const NAME: &'static str = "transactions.list_page";
    const PATH: &'static str = "v1/transaction/list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const PAGES: Option<Pages> = Some(Pages {
        iterator: "list",
        items: "transactions",
        doc: "Every payment, cancel and refund between `date_from` and `date_to`, oldest first.",
    });
    type Params = ListTransactionsParams;
    type Output = TransactionPage;

    fn to_wire(p: &ListTransactionsParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        pages::to_wire(p, options)
    }

    fn from_wire(p: &ListTransactionsParams, body: &Map<String, Value>) -> Result<TransactionPage, Error> {
        let mut page = TransactionPage::from(pages::read(body, p)?);
        page.total_amount = crate::wire::Reader::new(body).decimal(&["total_amount"])?;
        Ok(page)
    }
}

/// Marks a payment as exported to your accounting: `transactions.list` with
/// `untransferred` leaves it out from then on.
#[derive(Doc)]
pub struct MarkTransferred;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct MarkTransferredParams {
    #[spec(not_blank, max_len = 100)]
    pub xact_id: String,
    /// Your accounting document's number.
    #[spec(max_len = 50)]
    pub document_no: Option<String>,
    /// In TL, as booked.
    #[spec(money = "decimal", positive)]
    pub amount: Option<Money>,
    #[spec(max_len = 3)]
    pub currency: Option<String>,
    /// The rate booked, as decimal text (`32.1045`): not money, so up to 6 places.
    #[spec(max_len = 20)]
    pub exchange_rate: Option<String>,
}

impl Endpoint for MarkTransferred {
    const NAME: &'static str = "transactions.mark_transferred";
    const PATH: &'static str = "v1/transaction/mark_transferred";
    /// Marking twice is marking once, but nothing says Paynet answers alike: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("transactions.retrieve(xact_id={}) shows whether it is marked; marking again is harmless");
    type Params = MarkTransferredParams;
    super::acknowledged!();

    fn to_wire(p: &MarkTransferredParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let mut body = p.to_wire_declared(options);
        if let Some(rate) = &p.exchange_rate {
            let (whole, places) = rate.split_once('.').unwrap_or((rate, "0"));
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !(digits(whole) && digits(places) && places.len() <= 6) {
                return Err(Error::invalid("exchange_rate", "must be decimal text such as 32.1045 (up to 6 places)"));
            }
            // The exact text as a JSON number: never through a float.
            let number = serde_json::from_str::<Value>(&format!("{whole}.{places}")).map_err(|_| Error::invalid("exchange_rate", "is not a number"))?;
            body.insert("exchange_rate".into(), number);
        }
        Ok(body)
    }
}

/// Adds or changes a payment's note, email, phone or agent reference.
#[derive(Doc)]
pub struct AddInfo;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, at_least_one = ["note", "email", "phone", "agent_reference"])]
pub struct AddInfoParams {
    #[spec(not_blank, max_len = 100)]
    pub xact_id: String,
    #[spec(max_len = 500)]
    pub note: Option<String>,
    #[spec(max_len = 60)]
    pub email: Option<String>,
    #[spec(max_len = 20)]
    pub phone: Option<String>,
    #[spec(max_len = 50)]
    pub agent_reference: Option<String>,
}

impl Endpoint for AddInfo {
    const NAME: &'static str = "transactions.add_info";
    const PATH: &'static str = "v1/transaction/add_info";
    /// Moves no money, but nothing says a resent one is answered alike: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("transactions.retrieve(xact_id={}) shows what was recorded; sending it again is harmless");
    type Params = AddInfoParams;
    super::acknowledged!();
}

/// The receipt page of a payment, optionally sent by email or SMS.
#[derive(Doc)]
pub struct Slip;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct SlipParams {
    #[spec(not_blank, max_len = 100)]
    pub xact_id: String,
    /// Email the receipt to `email`.
    pub send_mail: Option<bool>,
    #[spec(max_len = 60)]
    pub email: Option<String>,
    /// Text the receipt to `phone`.
    pub send_sms: Option<bool>,
    #[spec(max_len = 20)]
    pub phone: Option<String>,
}

/// Where a payment's receipt is.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct SlipLink {
    pub url: String,
}

impl Endpoint for Slip {
    const NAME: &'static str = "transactions.slip";
    const PATH: &'static str = "v1/transaction/slip";
    /// Sending is not known to be deduplicated: a resent one could mail twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("transactions.slip(xact_id={}) again would send the receipt a second time: ask the customer first");
    type Params = SlipParams;
    type Output = SlipLink;

    fn to_wire(p: &SlipParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        if p.send_mail == Some(true) && p.email.is_none() {
            return Err(Error::invalid("email", "is required when `send_mail` is true"));
        }
        if p.send_sms == Some(true) && p.phone.is_none() {
            return Err(Error::invalid("phone", "is required when `send_sms` is true"));
        }
        Ok(p.to_wire_declared(options))
    }

    fn from_wire(_: &SlipParams, body: &Map<String, Value>) -> Result<SlipLink, Error> {
        checked_answer(body)
    }
}

/// Attaches the customer's signature image to a payment.
#[derive(Doc)]
pub struct UploadSignature;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct UploadSignatureParams {
    #[spec(not_blank, max_len = 100)]
    pub xact_id: String,
    /// A PNG, JPEG or GIF of at most 2 MiB: its bytes, or its path.
    #[spec(wire = "pars_base64")]
    pub image: FileInput,
    /// The name Paynet keeps; by default the file's own, when given a path.
    #[spec(wire = "pars_file_name", max_len = 100)]
    pub file_name: Option<String>,
}

/// What Paynet takes as a signature image.
const MAX_IMAGE_BYTES: usize = 2 << 20;

/// PNG, JPEG or GIF, by the first bytes (a file's name can say anything).
fn is_image(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")
}

impl Endpoint for UploadSignature {
    const NAME: &'static str = "transactions.upload_signature";
    const PATH: &'static str = "v1/transaction/upload";
    /// Moves no money, but nothing says a resent one is answered alike: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("sending the image again for xact_id {} replaces it");
    type Params = UploadSignatureParams;
    super::acknowledged!();

    fn to_wire(p: &UploadSignatureParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        if p.image.bytes.len() > MAX_IMAGE_BYTES {
            return Err(Error::invalid("image", format!("is {} bytes; Paynet takes at most 2 MiB", p.image.bytes.len())));
        }
        if !is_image(&p.image.bytes) {
            return Err(Error::invalid("image", "must be a PNG, JPEG or GIF image"));
        }
        let mut body = p.to_wire_declared(options);
        if let (None, Some(name)) = (&p.file_name, &p.image.name) {
            body.insert("pars_file_name".into(), name.clone().into());
        }
        Ok(body)
    }
}

/// Approves or rejects an escrowed payment (one charged with `is_escrow`).
#[derive(Doc)]
pub struct UpdateEscrow;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, exactly_one = ["xact_id", "xact"])]
pub struct UpdateEscrowParams {
    #[spec(not_blank, max_len = 100)]
    pub xact_id: Option<String>,
    /// The plain id of `v1` answers (a JSON number, as the reference types it).
    pub xact: Option<i64>,
    /// `approve` releases the money, `reject` refuses it.
    #[spec(one_of = ["approve", "reject"], by_hand)]
    pub status: String,
    #[spec(max_len = 256)]
    pub note: Option<String>,
    #[spec(max_len = 10)]
    pub agent_id: Option<String>,
    /// The agent's share, in TL.
    #[spec(money = "decimal", positive)]
    pub agent_amount: Option<Money>,
}

impl Endpoint for UpdateEscrow {
    const NAME: &'static str = "transactions.update_escrow";
    const PATH: &'static str = "v1/transaction/escrow_status_update";
    /// Releases or refuses money: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("transactions.retrieve(xact_id={}) shows the escrow status; look before trying again");
    type Params = UpdateEscrowParams;
    super::acknowledged!();

    fn to_wire(p: &UpdateEscrowParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let code = super::status_code(&p.status, &[("approve", 2), ("reject", 3)])?;
        let mut body = p.to_wire_declared(options);
        body.insert("status".into(), code.into());
        Ok(body)
    }
}
