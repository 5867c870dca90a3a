//! `v2/transaction/payment`: a non-3D sale or pre-auth, with card data or a saved card.

use serde_json::{Map, Value};

use super::transaction_result;
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::models::{Transaction, TransactionType};
use crate::spec::Doc;

/// A sale (default) or pre-auth with `card` data or a saved `card_hash`.
///
/// `reference_no` is your order number: repeating a call with the same one
/// returns the earlier success (`replayed` is true) instead of charging
/// twice, so retrying after a timeout is safe. A declined card is a
/// `card_declined` error carrying the transaction.
#[derive(Doc)]
pub struct CreatePayment;

/// The fields of a card payment, declared once for the two structs that
/// take them: `v2/transaction/payment` and `v2/transaction/tds_initial`
/// (the same set, plus what `$extra` adds: `return_url`).
macro_rules! payment_params {
    ($(#[$attr:meta])* pub struct $name:ident { $($extra:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, serde::Deserialize, $crate::spec::Spec)]
        #[serde(deny_unknown_fields)]
        #[spec(params, exactly_one = ["card", "card_hash"])]
        pub struct $name {
            /// In TL.
            #[spec(money = "decimal", money_option = "payment_amount_format", positive)]
            pub amount: $crate::money::Money,
            /// Your order number. Paynet deduplicates on it: a retry with the same
            /// value returns the earlier success (code 100) instead of charging again.
            #[spec(not_blank, max_len = 50)]
            pub reference_no: String,
            /// The shop's domain, e.g. `www.acme.com`.
            #[spec(not_blank, max_len = 256)]
            pub domain: String,
            /// Card data, instead of `card_hash`.
            #[spec(flatten)]
            pub card: Option<$crate::card::Card>,
            /// A saved card's token, instead of `card`.
            #[spec(not_blank, max_len = 100)]
            pub card_hash: Option<String>,
            /// Your id for the card's owner (saved cards).
            #[spec(not_blank, max_len = 100)]
            pub card_owner_id: Option<String>,
            /// `sale` (the default) or `pre_auth` (capture it later).
            #[serde(default = "crate::endpoints::payment::sale")]
            #[spec(default = "sale")]
            pub transaction_type: $crate::models::TransactionType,
            /// Number of installments; absent or 0 is a single payment.
            #[spec(wire = "instalment", one_of = [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], by_hand)]
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
            pub company_amount: Option<$crate::money::Money>,
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
            $($extra)*
        }

        impl $name {
            /// The declared rules (the card's Luhn and expiry through `Card`'s
            /// `CheckAt`), then what the attributes cannot say.
            pub(crate) fn validate(&self) -> Result<(), $crate::error::Error> {
                $crate::spec::CheckDeclared::check_declared(self)?;
                // Paynet documents 0 (single payment), 3, 6 and 9, and its banks offer
                // 2 to 12; 1 or 13 and more are refused by Paynet later, with no field.
                if matches!(self.installment, Some(n) if n == 1 || n > 12) {
                    return Err($crate::error::Error::invalid("installment", "must be 0 (a single payment) or between 2 and 12"));
                }
                $crate::validate::shares(self.amount, None, self.company_amount)?;
                if self.save_card {
                    if self.card.is_none() {
                        return Err($crate::error::Error::invalid("save_card", "needs `card`: a saved card is already saved"));
                    }
                    if self.card_desc.as_deref().is_none_or(|d| d.trim().is_empty()) {
                        return Err($crate::error::Error::invalid("card_desc", "is required when `save_card` is true"));
                    }
                    $crate::validate::at_least_one(&[
                        ("card_owner_id", self.card_owner_id.is_some()),
                        ("user_unique_id", self.user_unique_id.is_some()),
                    ])?;
                }
                Ok(())
            }

            /// The declared body, except that `save_card` is sent only when true.
            pub(crate) fn payment_body(
                &self,
                options: &$crate::endpoint::WireOptions,
            ) -> Result<serde_json::Map<String, serde_json::Value>, $crate::error::Error> {
                self.validate()?;
                let mut body = $crate::spec::WireDeclared::to_wire_declared(self, options);
                if !self.save_card {
                    body.remove("save_card");
                }
                Ok(body)
            }
        }
    };
}
pub(crate) use payment_params;

payment_params! {
    pub struct CreatePaymentParams {}
}

pub(crate) fn sale() -> TransactionType {
    TransactionType::Sale
}

impl Endpoint for CreatePayment {
    const NAME: &'static str = "payments.create";
    const PATH: &'static str = "v2/transaction/payment";
    const RETRY: RetryPolicy = RetryPolicy::Deduplicated;
    type Params = CreatePaymentParams;
    type Output = Transaction;

    fn to_wire(p: &CreatePaymentParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.payment_body(options)
    }

    fn from_wire(p: &CreatePaymentParams, body: &Map<String, Value>) -> Result<Transaction, Error> {
        transaction_result(body, Some(&p.reference_no), Self::RETRY)
    }
}
