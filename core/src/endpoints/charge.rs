//! `v1/transaction/charge`: completes a Paynet.js payment with the
//! `session_id`/`token_id` the browser posted to your server.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{insert_opt, transaction_result};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::{Transaction, TransactionType};
use crate::money::Money;
use crate::spec::{Doc, Spec};
use crate::validate;
use crate::wire::MoneyWire;

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

impl ChargeParams {
    fn validate(&self) -> Result<(), Error> {
        validate::required("session_id", &self.session_id, 100)?;
        validate::required("token_id", &self.token_id, 100)?;
        validate::positive("amount", self.amount)?;
        validate::max_len("ratio_code", &self.ratio_code, 8)?;
        validate::optional("reference_no", self.reference_no.as_ref(), 50)?;
        validate::optional("agent_customer_name", self.agent_customer_name.as_ref(), 100)?;
        if let Some(iban) = &self.iban {
            let compact: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
            if compact.len() != 26 || !compact.starts_with("TR") || !compact[2..].bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid("iban", "must be a Turkish IBAN: \"TR\" and 24 digits"));
            }
        }
        Ok(())
    }
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

    fn reference_no(p: &ChargeParams) -> Option<&str> {
        p.reference_no.as_deref()
    }

    fn to_wire(p: &ChargeParams, _: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.validate()?;
        let installments: Vec<String> = p.installments.iter().map(u32::to_string).collect();
        let mut body = Map::new();
        body.insert("session_id".into(), p.session_id.clone().into());
        body.insert("token_id".into(), p.token_id.clone().into());
        body.insert("amount".into(), MoneyWire::KurusString.encode(p.amount));
        body.insert("transaction_type".into(), p.transaction_type.wire_code().into());
        body.insert("add_comission_amount".into(), p.add_commission.into());
        body.insert("ratio_code".into(), p.ratio_code.clone().into());
        body.insert("installments".into(), installments.join(",").into());
        body.insert("no_instalment".into(), p.no_installment.into());
        body.insert("tds_required".into(), p.tds_required.into());
        insert_opt(&mut body, "reference_no", p.reference_no.clone());
        insert_opt(&mut body, "is_escrow", p.is_escrow);
        insert_opt(&mut body, "agent_customer_name", p.agent_customer_name.clone());
        insert_opt(&mut body, "iban", p.iban.as_ref().map(|i| i.chars().filter(|c| !c.is_whitespace()).collect::<String>()));
        Ok(body)
    }

    fn from_wire(p: &ChargeParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        transaction_result(body, p.reference_no.as_deref())
    }
}
