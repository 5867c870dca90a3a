//! `v1/transaction/charge`: completes a Paynet.js payment with the
//! `session_id`/`token_id` the browser posted to your server.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{insert_opt, transaction_result};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::{Transaction, TransactionType};
use crate::money::Money;
use crate::validate;
use crate::wire::MoneyWire;

pub struct Charge;

/// The `add_commission`, `ratio_code`, `installments`, `no_installment` and
/// `tds_required` values must equal the `data-*` attributes the Paynet.js
/// form was started with; Paynet refuses the charge otherwise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChargeParams {
    pub session_id: String,
    pub token_id: String,
    /// In TL, as everywhere in this SDK; sent as kuruş (×100) like `data-amount`.
    pub amount: Money,
    #[serde(default = "sale")]
    pub transaction_type: TransactionType,
    #[serde(default)]
    pub add_commission: bool,
    #[serde(default)]
    pub ratio_code: String,
    /// Allowed installment counts (`data-installments`), empty for no limit.
    #[serde(default)]
    pub installments: Vec<u32>,
    #[serde(default)]
    pub no_installment: bool,
    #[serde(default)]
    pub tds_required: bool,
    pub reference_no: Option<String>,
    pub is_escrow: Option<bool>,
    pub agent_customer_name: Option<String>,
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
    type Params = ChargeParams;
    type Output = Transaction;

    /// Paynet documents no deduplication for charge (S003 advises a unique
    /// `reference_no` plus `transactions.check` instead), so never resend it
    /// once it may have arrived.
    fn retry_policy(_: &ChargeParams) -> RetryPolicy {
        RetryPolicy::OnlyIfNotSent
    }

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
