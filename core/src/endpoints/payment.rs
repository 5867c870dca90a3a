//! `v2/transaction/payment`: a non-3D sale or pre-auth, with card data or a saved card.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{insert_opt, transaction_result};
use crate::card::Card;
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::{Transaction, TransactionType};
use crate::money::Money;
use crate::validate;

pub struct CreatePayment;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentParams {
    pub amount: Money,
    /// Your order number. Paynet deduplicates on it: a retry with the same
    /// value returns the earlier success (code 100) instead of charging again.
    pub reference_no: String,
    /// The shop's domain, e.g. `www.acme.com`.
    pub domain: String,
    pub card: Option<Card>,
    /// A saved card's token, instead of `card`.
    pub card_hash: Option<String>,
    pub card_owner_id: Option<String>,
    #[serde(default = "sale")]
    pub transaction_type: TransactionType,
    /// Number of installments; absent or 0 is a single payment.
    pub installment: Option<u32>,
    pub description: Option<String>,
    pub card_holder_phone: Option<String>,
    pub card_holder_mail: Option<String>,
    pub agent_id: Option<String>,
    pub company_amount: Option<Money>,
    pub add_commission: Option<bool>,
    pub ratio_code: Option<String>,
    #[serde(default)]
    pub save_card: bool,
    pub card_desc: Option<String>,
    pub user_unique_id: Option<String>,
    pub user_gsm_no: Option<String>,
}

fn sale() -> TransactionType {
    TransactionType::Sale
}

impl CreatePaymentParams {
    fn validate(&self) -> Result<(), Error> {
        validate::positive("amount", self.amount)?;
        validate::required("reference_no", &self.reference_no, 50)?;
        validate::required("domain", &self.domain, 256)?;
        validate::optional_id("card_hash", self.card_hash.as_ref(), 100)?;
        validate::exactly_one(("card", self.card.is_some()), ("card_hash", self.card_hash.is_some()))?;
        if let Some(card) = &self.card {
            card.validate("card")?;
        }
        validate::optional_id("card_owner_id", self.card_owner_id.as_ref(), 100)?;
        validate::optional("description", self.description.as_ref(), 140)?;
        validate::optional("card_holder_phone", self.card_holder_phone.as_ref(), 10)?;
        validate::optional("card_holder_mail", self.card_holder_mail.as_ref(), 60)?;
        validate::optional("agent_id", self.agent_id.as_ref(), 10)?;
        validate::optional("ratio_code", self.ratio_code.as_ref(), 8)?;
        validate::optional("card_desc", self.card_desc.as_ref(), 100)?;
        validate::optional_id("user_unique_id", self.user_unique_id.as_ref(), 100)?;
        validate::optional("user_gsm_no", self.user_gsm_no.as_ref(), 20)?;
        // Paynet documents 0 (single payment), 3, 6 and 9, and its banks offer
        // 2 to 12; 1 or 13 and more are refused by Paynet later, with no field.
        if matches!(self.installment, Some(n) if n == 1 || n > 12) {
            return Err(Error::invalid("installment", "must be 0 (a single payment) or between 2 and 12"));
        }
        if self.company_amount.is_some_and(|company| company > self.amount) {
            return Err(Error::invalid("company_amount", "must not exceed amount"));
        }
        if self.save_card {
            if self.card.is_none() {
                return Err(Error::invalid("save_card", "needs `card`: a saved card is already saved"));
            }
            if self.card_desc.as_deref().is_none_or(|d| d.trim().is_empty()) {
                return Err(Error::invalid("card_desc", "is required when `save_card` is true"));
            }
            validate::at_least_one(&[
                ("card_owner_id", self.card_owner_id.is_some()),
                ("user_unique_id", self.user_unique_id.is_some()),
            ])?;
        }
        Ok(())
    }
}

impl Endpoint for CreatePayment {
    const NAME: &'static str = "payments.create";
    const PATH: &'static str = "v2/transaction/payment";
    type Params = CreatePaymentParams;
    type Output = Transaction;

    fn retry_policy(_: &CreatePaymentParams) -> RetryPolicy {
        RetryPolicy::Deduplicated
    }

    fn reference_no(p: &CreatePaymentParams) -> Option<&str> {
        Some(&p.reference_no)
    }

    fn to_wire(p: &CreatePaymentParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.validate()?;
        let mut body = Map::new();
        body.insert("amount".into(), options.payment_amount.encode(p.amount));
        body.insert("reference_no".into(), p.reference_no.clone().into());
        body.insert("domain".into(), p.domain.clone().into());
        body.insert("transaction_type".into(), p.transaction_type.wire_code().into());
        if let Some(card) = &p.card {
            card.write_wire(&mut body);
        }
        insert_opt(&mut body, "card_hash", p.card_hash.clone());
        insert_opt(&mut body, "card_owner_id", p.card_owner_id.clone());
        insert_opt(&mut body, "instalment", p.installment);
        insert_opt(&mut body, "description", p.description.clone());
        insert_opt(&mut body, "card_holder_phone", p.card_holder_phone.clone());
        insert_opt(&mut body, "card_holder_mail", p.card_holder_mail.clone());
        insert_opt(&mut body, "agent_id", p.agent_id.clone());
        insert_opt(&mut body, "company_amount", p.company_amount.map(|m| options.payment_amount.encode(m)));
        insert_opt(&mut body, "add_commission", p.add_commission);
        insert_opt(&mut body, "ratio_code", p.ratio_code.clone());
        if p.save_card {
            body.insert("save_card".into(), true.into());
        }
        insert_opt(&mut body, "card_desc", p.card_desc.clone());
        insert_opt(&mut body, "user_unique_id", p.user_unique_id.clone());
        insert_opt(&mut body, "user_gsm_no", p.user_gsm_no.clone());
        Ok(body)
    }

    fn from_wire(p: &CreatePaymentParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        transaction_result(body, Some(&p.reference_no))
    }
}
