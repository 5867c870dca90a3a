//! `v1/transaction/charge`: completes a Paynet.js payment with the
//! `session_id`/`token_id` the browser posted to your server.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::transaction_result;
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::{Transaction, TransactionType};
use crate::money::Money;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};

/// Completes a Paynet.js payment with the `session_id`/`token_id` your page received.
///
/// The form options (`add_commission`, `ratio_code`, `installments`, ...)
/// must equal the `data-*` attributes the Paynet.js form was started with.
#[derive(Doc)]
pub struct Charge;

/// The `add_commission`, `ratio_code`, `installments`, `no_installment` and
/// `tds_required` values must equal the `data-*` attributes the Paynet.js
/// form was started with; Paynet refuses the charge otherwise.
#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct ChargeParams {
    /// The `session_id` Paynet.js posted to your server.
    #[spec(not_blank, max_len = 100)]
    pub session_id: String,
    /// The `token_id` Paynet.js posted to your server.
    #[spec(not_blank, max_len = 100)]
    pub token_id: String,
    /// In TL, as everywhere in this SDK; sent as kuruş (×100) like `data-amount`.
    #[spec(money = "kurus", positive)]
    pub amount: Money,
    /// `sale` (the default) or `pre_auth`.
    #[serde(default = "sale")]
    #[spec(default = "sale")]
    pub transaction_type: TransactionType,
    /// `data-add_commission_amount`.
    #[serde(default)]
    #[spec(wire = "add_comission_amount")]
    pub add_commission: bool,
    /// `data-ratio_code`.
    #[serde(default)]
    #[spec(max_len = 8)]
    pub ratio_code: String,
    /// Allowed installment counts (`data-installments`), empty for no limit.
    #[serde(default)]
    pub installments: Vec<u32>,
    /// `data-no_instalment`.
    #[serde(default)]
    #[spec(wire = "no_instalment")]
    pub no_installment: bool,
    /// `data-tds_required`.
    #[serde(default)]
    pub tds_required: bool,
    /// Your order number; Paynet does not deduplicate charges on it.
    #[spec(max_len = 50)]
    pub reference_no: Option<String>,
    pub is_escrow: Option<bool>,
    #[spec(max_len = 100)]
    pub agent_customer_name: Option<String>,
    /// A Turkish IBAN: `TR` and 24 digits (spaces allowed).
    pub iban: Option<String>,
}

fn sale() -> TransactionType {
    TransactionType::Sale
}

/// The IBAN without its spaces, checked: what the attributes cannot say.
fn compact_iban(iban: &str) -> Result<String, Error> {
    let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != 26 || !compact.starts_with("TR") || !compact[2..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("iban", "must be a Turkish IBAN: \"TR\" and 24 digits"));
    }
    Ok(compact)
}

impl Endpoint for Charge {
    const NAME: &'static str = "payments.charge";
    const PATH: &'static str = "v1/transaction/charge";
    /// Paynet documents no deduplication for charge (S003 advises a unique
    /// `reference_no` plus `transactions.check` instead), so never resend it
    /// once it may have arrived.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    type Params = ChargeParams;
    type Output = Transaction;

    /// The declared rules and body; the IBAN is checked, and sent without spaces.
    fn to_wire(p: &ChargeParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let iban = p.iban.as_deref().map(compact_iban).transpose()?;
        let mut body = p.to_wire_declared(options);
        if let Some(iban) = iban {
            body.insert("iban".into(), iban.into());
        }
        Ok(body)
    }

    fn from_wire(p: &ChargeParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        transaction_result(body, p.reference_no.as_deref(), Self::RETRY)
    }
}
