//! Card storage (`v1/card/*`): a customer's saved cards, kept by Paynet
//! under the `card_owner_id` it issues on the first save. Paying with one is
//! `payments.create` / `payments.create_3d` with `card_hash` and
//! `card_owner_id` (docs/API.md, README "Saved cards").

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::checked_answer;
use super::pages::{self, page_model, page_params};
use crate::card::Card;
use crate::endpoint::{Endpoint, Pages, RetryPolicy, WireOptions};
use crate::error::Error;
use crate::secret::SecretText;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};

/// Saves a card without a payment. The bank verifies it first with a
/// 1 TL pre-auth that is voided at once (Paynet does this when the CVC is
/// sent, and this SDK always sends it).
///
/// The first save of a customer names your `user_unique_id`; Paynet answers
/// with a `card_owner_id`: store it with the customer and name it in every
/// later save, list and payment. Where your merchant account requires an
/// OTP, verify the customer's phone first (`cards.send_otp`,
/// `cards.check_otp`) and pass the same `otp_session_id`.
#[derive(Doc)]
pub struct SaveCard;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, exactly_one = ["card_owner_id", "user_unique_id"])]
pub struct SaveCardParams {
    /// The card to save. Its CVC travels once, for the bank's verification, and is not stored.
    #[spec(flatten)]
    pub card: Card,
    /// The name the customer gives the card (`"My Visa"`), shown in `cards.list`.
    #[spec(not_blank, max_len = 100)]
    pub card_desc: String,
    /// Paynet's id of the customer, from an earlier save; instead of `user_unique_id`.
    #[spec(not_blank, max_len = 100)]
    pub card_owner_id: Option<String>,
    /// Your id of the customer, for their first save; instead of `card_owner_id`.
    #[spec(not_blank, max_len = 100)]
    pub user_unique_id: Option<String>,
    /// The `otp_session_id` verified with `cards.check_otp`, where your account requires an OTP.
    #[spec(not_blank, max_len = 100)]
    pub otp_session_id: Option<String>,
}

/// `card_number`, `expire_month`, `expire_year` (as text) and `cvv`: what
/// `v1/card/save` calls the fields a payment sends as `pan`, `month`,
/// `year` and `cvc`.
const SAVE_NAMES: [(&str, &str); 4] = [("pan", "card_number"), ("month", "expire_month"), ("year", "expire_year"), ("cvc", "cvv")];

/// A saved card as Paynet reports it: the masked number, never the full one.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct StoredCard {
    /// The card's token: pay with it (`card_hash` + `card_owner_id`), rename or delete it.
    pub card_hash: String,
    /// Paynet's id of the customer: keep it with your customer record.
    pub card_owner_id: Option<String>,
    /// Your id of the customer, as given to the first save.
    pub user_unique_id: Option<String>,
    #[spec(free_text)]
    pub card_desc: Option<String>,
    #[spec(free_text)]
    pub card_holder: Option<String>,
    /// `435508******4358`.
    #[spec(answer = ["card_no", "card_no_masked", "card_number"], card_number)]
    pub card_no_masked: Option<String>,
    /// The first six digits.
    #[spec(answer = ["card_bin", "card_bin_no"])]
    pub card_bin: Option<String>,
    /// `cc` credit, `dc` debit, `bc` business.
    pub card_type: Option<String>,
    pub card_bank_id: Option<String>,
    pub card_bank_name: Option<String>,
    pub card_logo_url: Option<String>,
    /// `VISA`, `MASTERCARD`, `AMEX`, `TROY`.
    pub card_brand_name: Option<String>,
    /// As Paynet reports it (its own example shows 0: not disclosed).
    pub expire_month: Option<i64>,
    pub expire_year: Option<i64>,
    pub company_code: Option<String>,
    pub agent_id: Option<String>,
}

impl Endpoint for SaveCard {
    const NAME: &'static str = "cards.save";
    const PATH: &'static str = "v1/card/save";
    /// A resent save stores the card twice (and pre-authorises it again).
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some(
        "saving again may store the card twice (and pre-authorises 1 TL again, voided at once). \
         With a card_owner_id: cards.list(card_owner_id=...) shows whether the card was saved; look before saving it again. \
         A first save (only a user_unique_id) can be listed by no other means: save once more with the same user_unique_id, \
         whose answer names the customer's card_owner_id, then cards.list(card_owner_id=...) and cards.delete the duplicate, if there is one",
    );
    type Params = SaveCardParams;
    type Output = StoredCard;

    fn to_wire(p: &SaveCardParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let mut body = p.to_wire_declared(options);
        for (payment_name, save_name) in SAVE_NAMES {
            if let Some(value) = body.remove(payment_name) {
                // The month and year travel as text here (`"12"`, `"2045"`).
                let value = if save_name.starts_with("expire_") { crate::wire::as_text(value) } else { value };
                body.insert(save_name.to_owned(), value);
            }
        }
        Ok(body)
    }

    fn from_wire(_: &SaveCardParams, body: &Map<String, Value>) -> Result<StoredCard, Error> {
        checked_answer(body)
    }
}

/// One page of a customer's saved cards.
///
/// `list` walks every page for you; this is one page, for those who page
/// themselves: `has_more` says another follows, at `next_starting_after`.
#[derive(Doc)]
pub struct ListCards;

page_params! {
    pub struct ListCardsParams {
        /// Paynet's id of the customer, from their first save.
        #[spec(not_blank, max_len = 100)]
        pub card_owner_id: String,
    }
}

page_model! {
    /// One page of saved cards.
    pub struct StoredCardPage {
        pub cards: Vec<StoredCard>,
    }
}

impl Endpoint for ListCards {
    const NAME: &'static str = "cards.list_page";
    const PATH: &'static str = "v1/card/list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const PAGES: Option<Pages> = Some(Pages { iterator: "list", items: "cards", doc: "Every card saved for `card_owner_id`." });
    type Params = ListCardsParams;
    type Output = StoredCardPage;

    fn to_wire(p: &ListCardsParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        pages::to_wire(p, options)
    }

    fn from_wire(p: &ListCardsParams, body: &Map<String, Value>) -> Result<StoredCardPage, Error> {
        pages::read(body, p).map(StoredCardPage::from)
    }
}

/// Deletes a saved card: it leaves `cards.list`, and a payment with its
/// `card_hash` is refused from then on.
#[derive(Doc)]
pub struct DeleteCard;

/// Params whose first fields are a set other params share: `card_ref` (the
/// saved card `card_owner_id` + `card_hash` name) or `otp` (the number and
/// session of a card OTP). One declaration per set.
macro_rules! card_params {
    (card_ref $(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        card_params! { @struct [
            /// Paynet's id of the customer.
            #[spec(not_blank, max_len = 100)]
            pub card_owner_id: String,
            /// The saved card's token.
            #[spec(not_blank, max_len = 100)]
            pub card_hash: String,
        ] $(#[$attr])* pub struct $name { $($fields)* } }
    };
    (otp $(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        card_params! { @struct [
            /// The customer's mobile number: `5` and nine digits (`5321234567`),
            /// the same for `cards.send_otp` and `cards.check_otp`.
            #[spec(not_blank)]
            pub user_gsm: String,
            /// Your unique value for this verification, the same for
            /// `cards.send_otp`, `cards.check_otp` and `cards.save`.
            #[spec(not_blank, max_len = 100)]
            pub otp_session_id: String,
        ] $(#[$attr])* pub struct $name { $($fields)* } }
    };
    (@struct [$($shared:tt)*] $(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Deserialize, Spec)]
        #[serde(deny_unknown_fields)]
        #[spec(params)]
        pub struct $name {
            $($shared)*
            $($fields)*
        }
    };
}

card_params! {
    card_ref
    /// The saved card a call is about.
    pub struct CardRef {}
}

impl Endpoint for DeleteCard {
    const NAME: &'static str = "cards.delete";
    const PATH: &'static str = "v1/card/delete";
    /// Not known to be deduplicated: a second delete's "no such card" would hide the first's success.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("cards.list(card_owner_id=...) shows whether the card is still saved; deleting it again is harmless");
    type Params = CardRef;
    super::acknowledged!();
}

/// Renames a saved card (its `card_desc`).
#[derive(Doc)]
pub struct UpdateCardDescription;

card_params! {
    card_ref
    pub struct UpdateCardDescriptionParams {
        /// The card's new name.
        #[spec(not_blank, max_len = 100)]
        pub card_desc: String,
    }
}

impl Endpoint for UpdateCardDescription {
    const NAME: &'static str = "cards.update_description";
    const PATH: &'static str = "v1/card/desc_update";
    /// Renaming twice is the same as once, but nothing says Paynet answers the second alike.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("cards.list(card_owner_id=...) shows the card's name; renaming it again is harmless");
    type Params = UpdateCardDescriptionParams;
    super::acknowledged!();
}

/// Texts the customer a one-time code before a card is saved, where your
/// merchant account requires it. `otp_session_id` is your own unique value
/// linking this code, `cards.check_otp` and the `cards.save` that follows.
#[derive(Doc)]
pub struct SendCardOtp;

card_params! {
    otp
    pub struct SendCardOtpParams {}
}

/// A one-time code on its way to the customer.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct CardOtp {
    /// Until when the code can be checked.
    #[serde(with = "crate::kinds::datetime")]
    #[spec(answer = "otp_expire")]
    pub expires_at: Option<DateTime<FixedOffset>>,
    #[spec(free_text)]
    pub message: Option<String>,
}

impl Endpoint for SendCardOtp {
    const NAME: &'static str = "cards.send_otp";
    const PATH: &'static str = "v1/card/send_otp";
    /// A resent request texts a second code.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("the customer may have the code already: ask before sending another");
    type Params = SendCardOtpParams;
    type Output = CardOtp;

    fn to_wire(p: &SendCardOtpParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        crate::validate::gsm("user_gsm", &p.user_gsm)?;
        Ok(p.to_wire_declared(options))
    }

    fn from_wire(_: &SendCardOtpParams, body: &Map<String, Value>) -> Result<CardOtp, Error> {
        checked_answer(body)
    }
}

/// Checks the code the customer received (`cards.send_otp`). A wrong or
/// expired code is an `api` error; on success, `cards.save` with the same
/// `otp_session_id` may follow.
#[derive(Doc)]
pub struct CheckCardOtp;

card_params! {
    otp
    pub struct CheckCardOtpParams {
        /// The code the customer typed: a one-time credential, masked in reprs, logs and errors.
        #[spec(not_blank, max_len = 10)]
        pub otp_code: SecretText,
    }
}

impl Endpoint for CheckCardOtp {
    const NAME: &'static str = "cards.check_otp";
    const PATH: &'static str = "v1/card/check_otp";
    /// A code may be good for one check only: a resent check could refuse a code the first one accepted.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("send a new code (cards.send_otp) and check that one");
    type Params = CheckCardOtpParams;
    super::acknowledged!();

    fn to_wire(p: &CheckCardOtpParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        crate::validate::gsm("user_gsm", &p.user_gsm)?;
        Ok(p.to_wire_declared(options))
    }
}
