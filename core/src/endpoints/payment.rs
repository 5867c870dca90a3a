//! `v2/transaction/payment`: a non-3D sale or pre-auth, with card data or a saved card.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{insert_opt, transaction_result};
use crate::card::Card;
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::{Transaction, TransactionType};
use crate::money::Money;
use crate::spec::{Doc, Spec};
use crate::validate;

/// A sale (default) or pre-auth with `card` data or a saved `card_hash`.
///
/// `reference_no` is your order number: repeating a call with the same one
/// returns the earlier success (`replayed` is true) instead of charging
/// twice, so retrying after a timeout is safe. A declined card is a
/// `card_declined` error carrying the transaction.
#[derive(Doc)]
pub struct CreatePayment;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, exactly_one = ["card", "card_hash"])]
pub struct CreatePaymentParams {
    /// In TL.
    #[spec(money = "decimal", money_option = "payment_amount_format", positive)]
    pub amount: Money,
    /// Your order number. Paynet deduplicates on it: a retry with the same
    /// value returns the earlier success (code 100) instead of charging again.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: String,
    /// The shop's domain, e.g. `www.acme.com`.
    #[spec(not_blank, max_len = 256)]
    pub domain: String,
    /// Card data, instead of `card_hash`.
    #[spec(flatten)]
    pub card: Option<Card>,
    /// A saved card's token, instead of `card`.
    #[spec(not_blank, max_len = 100)]
    pub card_hash: Option<String>,
    /// Your id for the card's owner (saved cards).
    #[spec(not_blank, max_len = 100)]
    pub card_owner_id: Option<String>,
    /// `sale` (the default) or `pre_auth` (capture it later).
    #[serde(default = "sale")]
    #[spec(default = "sale")]
    pub transaction_type: TransactionType,
    /// Number of installments; absent or 0 is a single payment.
    #[spec(wire = "instalment", one_of = [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])]
    pub installment: Option<u32>,
    #[spec(max_len = 140)]
    pub description: Option<String>,
    #[spec(max_len = 10)]
    pub card_holder_phone: Option<String>,
    #[spec(max_len = 60)]
    pub card_holder_mail: Option<String>,
    /// The agent (sub-merchant) the payment is for.
    #[spec(max_len = 10)]
    pub agent_id: Option<String>,
    /// The company's share of `amount`, in TL; at most `amount`.
    #[spec(money = "decimal", money_option = "payment_amount_format")]
    pub company_amount: Option<Money>,
    /// The commission is added to what the card is charged.
    pub add_commission: Option<bool>,
    /// Which commission plan applies.
    #[spec(max_len = 8)]
    pub ratio_code: Option<String>,
    /// Save the card (needs `card`, `card_desc`, and `card_owner_id` or `user_unique_id`).
    #[serde(default)]
    pub save_card: bool,
    /// The saved card's description; required with `save_card`.
    #[spec(max_len = 100)]
    pub card_desc: Option<String>,
    /// Your id for the user (saved cards).
    #[spec(not_blank, max_len = 100)]
    pub user_unique_id: Option<String>,
    #[spec(max_len = 20)]
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
    const RETRY: RetryPolicy = RetryPolicy::Deduplicated;
    type Params = CreatePaymentParams;
    type Output = Transaction;

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
