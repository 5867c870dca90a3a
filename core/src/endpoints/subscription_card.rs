//! The cards saved to a subscription (`v1/subscription/card_info_*`,
//! `create_card_tds_*`): Paynet charges an invoice on them in their order,
//! the next one when a card declines.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::subscription::{SubscriptionRef, subscription_params};
use super::tds::ThreeDSecureSession;
use super::{checked_answer, data_row};
use crate::endpoint::{Endpoint, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::wire::FromAnswer;

const SETTLE_BY_CARDS: Option<&str> =
    Some("subscription_cards.list shows the subscription's cards ({ids}); look before repeating the call");

/// A card saved to a subscription.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct SubscriptionCard {
    pub card_id: Option<i64>,
    /// Masked.
    #[spec(answer = ["card_no_mask", "card_no", "card_no_masked"], card_number)]
    pub card_no_masked: Option<String>,
    #[spec(free_text)]
    pub card_holder: Option<String>,
    #[spec(free_text)]
    pub label: Option<String>,
    /// Cards are charged in this order, lowest first.
    pub order_no: Option<i64>,
    pub bank_id: Option<String>,
    pub card_brand_name: Option<String>,
    pub expire_month: Option<i64>,
    pub expire_year: Option<i64>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

/// The cards of a subscription, in the order they are charged.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
pub struct SubscriptionCardList {
    pub subscription_id: Option<String>,
    pub reference_no: Option<String>,
    pub cards: Vec<SubscriptionCard>,
}

/// The cards saved to a subscription, in the order they are charged.
#[derive(Doc)]
pub struct ListSubscriptionCards;

impl Endpoint for ListSubscriptionCards {
    const NAME: &'static str = "subscription_cards.list";
    const PATH: &'static str = "v1/subscription/card_info_list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = SubscriptionRef;
    type Output = SubscriptionCardList;

    fn from_wire(p: &SubscriptionRef, body: &Map<String, Value>) -> Result<SubscriptionCardList, Error> {
        let r = crate::wire::Reader::new(body);
        if let Some(code) = r.int(&["code"])?.filter(|c| *c != 0) {
            return Err(super::result_code_error(&r, code));
        }
        let (id, reference_no) = (r.string(&["subscription_id"]), r.string(&["reference_no"]));
        super::subscription::same_subscription(p, id.as_deref(), reference_no.as_deref())?;
        let mut cards = match body.get("Data").or_else(|| body.get("data")) {
            Some(Value::Array(rows)) => rows.iter().map(|row| SubscriptionCard::from_wire(data_row(row)?)).collect::<Result<Vec<_>, _>>()?,
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return Err(Error::new(ErrorKind::Protocol, "Paynet returned a `Data` that is not a list")),
        };
        cards.sort_by_key(|c| c.order_no.unwrap_or(i64::MAX));
        Ok(SubscriptionCardList { subscription_id: id, reference_no, cards })
    }
}

subscription_params! {
    pub struct SubscriptionCardParams {
        /// The card, as `subscription_cards.list` names it.
        pub card_id: i64,
    }
}

subscription_params! {
    pub struct UpdateCardLabelParams {
        pub card_id: i64,
        /// Your name for the card.
        #[spec(not_blank, max_len = 100)]
        pub label: String,
    }
}

/// Renames a subscription's card.
#[derive(Doc)]
pub struct UpdateCardLabel;

impl Endpoint for UpdateCardLabel {
    const NAME: &'static str = "subscription_cards.update_label";
    const PATH: &'static str = "v1/subscription/card_info_label_update";
    /// Renaming twice is renaming once, but Paynet documents no deduplication:
    /// a resend could undo a rename made meanwhile, and its answer could differ.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_CARDS;
    type Params = UpdateCardLabelParams;
    super::acknowledged!();
}

/// Removes a card from a subscription: it is no longer charged.
#[derive(Doc)]
pub struct DeleteCard;

impl Endpoint for DeleteCard {
    const NAME: &'static str = "subscription_cards.delete";
    const PATH: &'static str = "v1/subscription/card_info_delete";
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_CARDS;
    type Params = SubscriptionCardParams;
    super::acknowledged!();
}

/// Adds a card already saved to another subscription (`card_id`) to this
/// one (or to every subscription of a group), after its own cards.
#[derive(Doc)]
pub struct LinkCard;

subscription_params! {
    group
    pub struct LinkCardParams {
        /// The card, as `subscription_cards.list` names it.
        pub card_id: i64,
    }
}

impl Endpoint for LinkCard {
    const NAME: &'static str = "subscription_cards.link";
    const PATH: &'static str = "v1/subscription/card_info_link_to_subscription";
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_CARDS;
    type Params = LinkCardParams;
    super::acknowledged!();
}

subscription_params! {
    pub struct ArrangeCardsParams {
        /// The cards in the order they should be charged (`card_id`s); cards
        /// not named follow them.
        pub card_ids: Vec<u32>,
    }
}

/// Sets the order in which a subscription's cards are charged.
#[derive(Doc)]
pub struct ArrangeCards;

impl Endpoint for ArrangeCards {
    const NAME: &'static str = "subscription_cards.arrange";
    const PATH: &'static str = "v1/subscription/card_info_arrange";
    /// Not deduplicated, and not idempotent across changes: a resend after a
    /// card was added or arranged meanwhile would reorder the cards again.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_CARDS;
    type Params = ArrangeCardsParams;
    super::acknowledged!();

    fn to_wire(p: &ArrangeCardsParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        if p.card_ids.is_empty() {
            return Err(Error::invalid("card_ids", "must name at least one card"));
        }
        if (1..p.card_ids.len()).any(|i| p.card_ids[..i].contains(&p.card_ids[i])) {
            return Err(Error::invalid("card_ids", "names a card twice"));
        }
        let mut body = p.to_wire_declared(options);
        body.remove("card_ids");
        let rows: Vec<Value> = p
            .card_ids
            .iter()
            .enumerate()
            .map(|(i, id)| serde_json::json!({"card_id": id, "order_no": (i + 1).to_string()}))
            .collect();
        body.insert("card_information".into(), Value::Array(rows));
        Ok(body)
    }
}

subscription_params! {
    group
    pub struct AddCardParams {
        /// Where the bank's page sends the customer back (a POST with
        /// `session_id` and `token_id`): then call `complete_add_3d`.
        #[spec(not_blank, max_len = 256)]
        pub return_url: String,
        #[spec(flatten)]
        pub card: crate::card::Card,
        /// Your name for the card.
        #[spec(max_len = 100)]
        pub label: Option<String>,
    }
}

/// Starts adding a card to a subscription: send the customer to `post_url`
/// (or answer with `html_content`) for 3D Secure.
#[derive(Doc)]
pub struct AddCard3d;

impl Endpoint for AddCard3d {
    const NAME: &'static str = "subscription_cards.add_3d";
    const PATH: &'static str = "v1/subscription/create_card_tds_initial";
    /// A resent one opens a second 3D session.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_CARDS;
    type Params = AddCardParams;
    type Output = ThreeDSecureSession;

    fn to_wire(p: &AddCardParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let mut body = p.to_wire_declared(options);
        // This service names the CVC `cvv` (§5.11).
        if let Some(cvc) = body.remove("cvc") {
            body.insert("cvv".into(), cvc);
        }
        Ok(body)
    }

    fn from_wire(_: &AddCardParams, body: &Map<String, Value>) -> Result<ThreeDSecureSession, Error> {
        checked_answer(body)
    }
}

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CompleteAddCardParams {
    /// What the bank's page posted to your `return_url`.
    #[spec(not_blank, max_len = 100)]
    pub session_id: String,
    #[spec(not_blank, max_len = 100)]
    pub token_id: String,
}

/// Finishes adding a card once the bank's page posted back: the card is
/// saved after the subscription's other cards (and a waiting subscription
/// becomes active).
#[derive(Doc)]
pub struct CompleteAddCard3d;

impl Endpoint for CompleteAddCard3d {
    const NAME: &'static str = "subscription_cards.complete_add_3d";
    const PATH: &'static str = "v1/subscription/create_card_tds_confirm";
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> =
        Some("subscription_cards.list of the subscription shows whether the card was added; look before confirming again");
    type Params = CompleteAddCardParams;
    type Output = CardAdded;

    /// The card's fields at the answer's top level, or in its `card` (or
    /// `data`) object.
    fn from_wire(_: &CompleteAddCardParams, body: &Map<String, Value>) -> Result<CardAdded, Error> {
        let r = crate::wire::Reader::new(body);
        match r.int(&["code", "result_code"])? {
            Some(0) => {}
            Some(code) => return Err(super::result_code_error(&r, code)),
            None => return Err(Error::new(ErrorKind::Protocol, "Paynet's answer has no result code: it does not say the card was added")),
        }
        let mut answer = body.clone();
        for name in ["card", "data", "Data"] {
            match answer.remove(name) {
                Some(Value::Object(card)) => {
                    for (field, value) in card {
                        answer.entry(field).or_insert(value);
                    }
                }
                Some(Value::Null) | None => {}
                Some(_) => return Err(Error::new(ErrorKind::Protocol, format!("Paynet returned a `{name}` that is not one card"))),
            }
        }
        CardAdded::from_wire(&answer)
    }
}

/// The card `subscription_cards.complete_add_3d` saved to the subscription.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct CardAdded {
    /// The card, as `subscription_cards.list` names it.
    pub card_id: Option<i64>,
    pub subscription_id: Option<String>,
    pub reference_no: Option<String>,
    /// Masked.
    #[spec(answer = ["card_no_mask", "card_no", "card_no_masked"], card_number)]
    pub card_no_masked: Option<String>,
    #[spec(free_text)]
    pub label: Option<String>,
    /// Its place in the order the cards are charged in.
    pub order_no: Option<i64>,
    #[spec(free_text)]
    pub message: Option<String>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_confirmation_is_a_card_added_only_when_it_says_code_0() {
        let p: CompleteAddCardParams = serde_json::from_value(json!({"session_id": "s", "token_id": "t"})).unwrap();
        let read = |body: Value| CompleteAddCard3d::from_wire(&p, body.as_object().unwrap());
        assert!(read(json!({"code": 0, "card": {"card_id": 3}})).unwrap().card_id == Some(3));
        assert_eq!(read(json!({"result_code": 5, "message": "no"})).unwrap_err().result_code, Some(5));
        assert_eq!(read(json!({"code": 7})).unwrap_err().result_code, Some(7));
        assert_eq!(read(json!({"card": {"card_id": 3}})).unwrap_err().kind, ErrorKind::Protocol);
    }
}
