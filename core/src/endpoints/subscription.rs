//! Subscriptions (`v1/subscription/*`, paynet-api.md §3.8, §5.11): a plan
//! the customer consents to on Paynet's page, billed by Paynet on its
//! invoices' due dates from the cards saved to it, in their arranged order.
//!
//! Paynet's reference documents few answer fields here; the models carry
//! what it names (docs/API.md says so per model). Amounts travel as ×100
//! kuruş strings per the current docs; the client option
//! `subscription_amount_format` switches to the older docs' decimals.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::pages::{self, page_model, page_params};
use super::{checked_answer, status_code};
use crate::config::paths;
use crate::endpoint::{Endpoint, Pages, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::money::Money;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::validate;
use crate::wire::{Fields, FromAnswer, Reader};

/// Subscription statuses by name. Paynet's status table (0 waiting, 5
/// cancel, 6 deleted) has no "active" or "passive": 1 and 2 are inferred
/// (ARCHITECTURE.md, decisions), kept in this one table.
pub(crate) const SUBSCRIPTION_STATUSES: &[(&str, i64)] =
    &[("waiting", 0), ("active", 1), ("passive", 2), ("cancelled", 5), ("deleted", 6)];
/// Invoice statuses by name: Paynet's status table (genel-bilgiler/veri-tipleri/status).
pub(crate) const INVOICE_STATUSES: &[(&str, i64)] =
    &[("waiting", 0), ("external_charged", 2), ("paid", 3), ("failed", 4), ("cancelled", 5), ("deleted", 6)];
/// `interval` codes (§5.11).
const INTERVALS: &[(&str, i64)] = &[("daily", 0), ("weekly", 1), ("monthly", 2), ("yearly", 3)];

/// A code read back by its name in `table`; an unknown code as its number.
pub(crate) fn code_name<F: Fields + ?Sized>(r: &Reader<'_, F>, names: &[&str], table: &[(&str, i64)]) -> Result<Option<String>, Error> {
    Ok(r.int(names)?.map(|code| {
        table.iter().find(|(_, c)| *c == code).map_or_else(|| code.to_string(), |(name, _)| (*name).to_owned())
    }))
}

fn subscription_status<F: Fields + ?Sized>(r: &Reader<'_, F>) -> Result<Option<String>, Error> {
    code_name(r, &["status"], SUBSCRIPTION_STATUSES)
}

fn interval_name<F: Fields + ?Sized>(r: &Reader<'_, F>) -> Result<Option<String>, Error> {
    code_name(r, &["interval"], INTERVALS)
}

/// Params naming one subscription: its `subscription_id` or your
/// `reference_no`, exactly one, before the struct's own fields. `group`:
/// or a `group_reference_no`, for the services Paynet lets name a group
/// (§5.11: `card_info_link_to_subscription`, `create_card_tds_initial`).
macro_rules! subscription_params {
    (group $(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $crate::endpoints::subscription::subscription_params! {
            @struct ["subscription_id", "reference_no", "group_reference_no"] $(#[$attr])* pub struct $name {
                /// A group of subscriptions, by its reference at Paynet: instead of
                /// `subscription_id` or `reference_no`.
                #[spec(not_blank, max_len = 50)]
                pub group_reference_no: Option<String>,
                $($fields)*
            }
        }
    };
    ($(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $crate::endpoints::subscription::subscription_params! {
            @struct ["subscription_id", "reference_no"] $(#[$attr])* pub struct $name { $($fields)* }
        }
    };
    (@struct [$($one_of:literal),*] $(#[$attr:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, serde::Deserialize, $crate::spec::Spec)]
        #[serde(deny_unknown_fields)]
        #[spec(params, exactly_one = [$($one_of),*])]
        pub struct $name {
            /// Paynet's id of the subscription.
            #[spec(not_blank, max_len = 50)]
            pub subscription_id: Option<String>,
            /// Your reference of the subscription, as given to `subscriptions.create`.
            #[spec(not_blank, max_len = 50)]
            pub reference_no: Option<String>,
            $($fields)*
        }
    };
}

pub(crate) use subscription_params;

/// What to check when a subscription call's outcome is unknown.
const SETTLE_BY_RETRIEVE: Option<&str> =
    Some("subscriptions.retrieve shows the subscription ({ids}); look before repeating the call");

/// Creates a subscription; the customer gives a card and consents on the
/// page at `url` (3D Secure on the bank's page), and Paynet charges
/// `amount` every `period` `interval`s from `begin_date`, `interval_count`
/// times in all.
#[derive(Doc)]
pub struct CreateSubscription;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CreateSubscriptionParams {
    /// The customer's name.
    #[spec(not_blank, max_len = 100)]
    pub name_surname: String,
    /// Each charge, in TL; sent as `subscription_amount_format` says, like its shares.
    #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
    pub amount: Money,
    /// `daily`, `weekly`, `monthly` or `yearly`.
    #[spec(one_of = ["daily", "weekly", "monthly", "yearly"], by_hand)]
    pub interval: String,
    /// How many charges in all.
    pub interval_count: u32,
    /// Charge every this many intervals (Paynet's default: every one).
    pub period: Option<u32>,
    /// The day of the first charge.
    pub begin_date: NaiveDate,
    /// Your reference of the subscription.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: String,
    /// Where Paynet sends the customer the page.
    #[spec(not_blank, max_len = 100)]
    pub end_user_email: String,
    /// The customer's mobile number, `5` and nine digits (`5321234567`).
    #[spec(not_blank)]
    pub end_user_gsm: String,
    /// What the customer is told the charges are for (Paynet requires it).
    #[spec(not_blank, max_len = 500)]
    pub end_user_desc: String,
    /// The agent (sub-merchant) it is for.
    #[spec(max_len = 10)]
    pub agent_id: Option<String>,
    /// The agent's share of each charge, in TL; with `company_amount`, at most `amount`.
    #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
    pub agent_amount: Option<Money>,
    /// The main company's share of each charge, in TL; with `agent_amount`, at most `amount`.
    #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
    pub company_amount: Option<Money>,
    /// The commission is added to what the customer pays.
    #[spec(wire = "addcomission_to_amount")]
    pub add_commission: Option<bool>,
    #[spec(max_len = 100)]
    pub user_name: Option<String>,
    /// `false`: no invoices are planned; you add them with `subscription_invoices.create`.
    pub is_fixed_price: Option<bool>,
}

/// A new subscription: send the customer to `url`.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct SubscriptionCreated {
    /// The customer's page: card and consent.
    pub url: String,
    pub subscription_id: Option<String>,
    pub reference_no: Option<String>,
    #[spec(free_text)]
    pub message: Option<String>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

impl Endpoint for CreateSubscription {
    const NAME: &'static str = "subscriptions.create";
    const PATH: &'static str = "v1/subscription/create";
    /// Moves no money yet, but a resent create could make a second plan.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_RETRIEVE;
    type Params = CreateSubscriptionParams;
    type Output = SubscriptionCreated;

    fn to_wire(p: &CreateSubscriptionParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let interval = status_code(&p.interval, INTERVALS).map_err(|_| Error::invalid("interval", "must be \"daily\", \"weekly\", \"monthly\" or \"yearly\""))?;
        if p.interval_count == 0 {
            return Err(Error::invalid("interval_count", "must be at least 1"));
        }
        if p.period == Some(0) {
            return Err(Error::invalid("period", "must be at least 1"));
        }
        validate::gsm("end_user_gsm", &p.end_user_gsm)?;
        validate::shares(p.amount, p.agent_amount, p.company_amount)?;
        let mut body = p.to_wire_declared(options);
        body.insert("interval".into(), interval.into());
        Ok(body)
    }

    fn from_wire(_: &CreateSubscriptionParams, body: &Map<String, Value>) -> Result<SubscriptionCreated, Error> {
        checked_answer(body)
    }
}

/// A subscription as Paynet keeps it.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct Subscription {
    #[spec(answer = ["subscription_id", "id"])]
    pub subscription_id: Option<String>,
    pub reference_no: Option<String>,
    /// `waiting` (for the customer's consent), `active`, `passive`, `cancelled`, `deleted` (another code: as sent).
    #[spec(read_with = "subscription_status")]
    pub status: Option<String>,
    #[spec(free_text)]
    pub name_surname: Option<String>,
    /// Each charge.
    #[serde(serialize_with = "crate::models::money_text")]
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    /// `daily`, `weekly`, `monthly`, `yearly`.
    #[spec(read_with = "interval_name")]
    pub interval: Option<String>,
    pub interval_count: Option<i64>,
    pub period: Option<i64>,
    #[serde(with = "crate::kinds::datetime")]
    pub begin_date: Option<DateTime<FixedOffset>>,
    pub end_user_email: Option<String>,
    pub end_user_gsm: Option<String>,
    #[spec(free_text)]
    pub end_user_desc: Option<String>,
    pub agent_id: Option<String>,
    pub is_fixed_price: Option<bool>,
    /// The customer's page.
    pub url: Option<String>,
    #[spec(other_fields)]
    pub other_fields: Option<String>,
}

/// One subscription, by `subscription_id` or `reference_no`.
#[derive(Doc)]
pub struct RetrieveSubscription;

subscription_params! {
    pub struct SubscriptionRef {}
}

/// An answer that names a subscription must name the one asked for.
pub(crate) fn same_subscription(asked: &SubscriptionRef, id: Option<&str>, reference_no: Option<&str>) -> Result<(), Error> {
    let other = match (asked.subscription_id.as_deref(), asked.reference_no.as_deref()) {
        (Some(asked), _) => id.is_some_and(|got| got != asked),
        (_, Some(asked)) => reference_no.is_some_and(|got| got != asked),
        _ => false,
    };
    if other {
        return Err(Error::new(ErrorKind::Protocol, "Paynet answered about another subscription than the one asked for: the answer is not believed"));
    }
    Ok(())
}

/// The subscription in an answer: its one `Data` row, or the answer itself.
fn one_subscription(body: &Map<String, Value>) -> Result<Subscription, Error> {
    match body.get("Data").or_else(|| body.get("data")) {
        Some(Value::Array(rows)) => match rows.first() {
            Some(row) => Subscription::from_wire(super::data_row(row)?),
            None => Err(super::not_found(body)),
        },
        _ => checked_answer(body),
    }
}

impl Endpoint for RetrieveSubscription {
    const NAME: &'static str = "subscriptions.retrieve";
    const PATH: &'static str = "v1/subscription/subscription_detail";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = SubscriptionRef;
    type Output = Subscription;

    fn from_wire(p: &SubscriptionRef, body: &Map<String, Value>) -> Result<Subscription, Error> {
        let sub = one_subscription(body)?;
        same_subscription(p, sub.subscription_id.as_deref(), sub.reference_no.as_deref())?;
        Ok(sub)
    }
}

/// One page of your subscriptions.
///
/// `list` walks every page for you; this is one page, for those who page
/// themselves: `has_more` says another follows, at `next_starting_after`.
#[derive(Doc)]
pub struct ListSubscriptions;

page_params! {
    pub struct ListSubscriptionsParams {
        #[spec(max_len = 10)]
        pub agent_id: Option<String>,
        /// Only subscriptions in this status.
        #[spec(one_of = ["waiting", "active", "passive", "cancelled", "deleted"], by_hand)]
        pub status: Option<String>,
    }
}

page_model! {
    /// One page of subscriptions.
    pub struct SubscriptionPage {
        pub subscriptions: Vec<Subscription>,
    }
}

impl Endpoint for ListSubscriptions {
    const NAME: &'static str = "subscriptions.list_page";
    const PATH: &'static str = "v1/subscription/list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const PAGES: Option<Pages> = Some(Pages { iterator: "list", items: "subscriptions", doc: "Every subscription, oldest first." });
    type Params = ListSubscriptionsParams;
    type Output = SubscriptionPage;

    fn to_wire(p: &ListSubscriptionsParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        let mut body = pages::to_wire(p, options)?;
        if let Some(status) = &p.status {
            body.insert("status".into(), status_code(status, SUBSCRIPTION_STATUSES)?.into());
        }
        Ok(body)
    }

    fn from_wire(p: &ListSubscriptionsParams, body: &Map<String, Value>) -> Result<SubscriptionPage, Error> {
        pages::read(body, p).map(SubscriptionPage::from)
    }
}

/// Pauses (`passive`), resumes (`active`) or ends (`cancelled`) a
/// subscription. A passive one is not charged; invoices that came due
/// meanwhile are charged when it is active again (cancel them first with
/// `subscription_invoices.update_status` if they should not be).
#[derive(Doc)]
pub struct UpdateSubscriptionStatus;

subscription_params! {
    pub struct UpdateSubscriptionStatusParams {
        /// `active`, `passive` or `cancelled`.
        #[spec(one_of = ["active", "passive", "cancelled"], by_hand)]
        pub status: String,
    }
}

impl Endpoint for UpdateSubscriptionStatus {
    const NAME: &'static str = "subscriptions.update_status";
    const PATH: &'static str = "v1/subscription/status_update";
    /// Resuming can charge what came due: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_RETRIEVE;
    type Params = UpdateSubscriptionStatusParams;
    super::acknowledged!();

    fn to_wire(p: &UpdateSubscriptionStatusParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let code = status_code(&p.status, &SUBSCRIPTION_STATUSES[1..4])?;
        let mut body = p.to_wire_declared(options);
        body.insert("status".into(), code.into());
        Ok(body)
    }
}

/// Changes the amount of the subscription and of its invoices not yet paid.
///
/// The path is `v1/subscription/amount_update` (its own page); the docs'
/// index spells it `v1/subcription/...`: the client option
/// `subscription_amount_update_path` sends there instead.
#[derive(Doc)]
pub struct UpdateSubscriptionAmount;

subscription_params! {
    pub struct UpdateSubscriptionAmountParams {
        /// Each charge from now on, in TL.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub amount: Money,
        /// The agent's share, in TL; with `company_amount`, at most `amount`.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub agent_amount: Option<Money>,
        /// The main company's share, in TL; with `agent_amount`, at most `amount`.
        #[spec(money = "kurus", money_option = "subscription_amount_format", positive)]
        pub company_amount: Option<Money>,
    }
}

impl Endpoint for UpdateSubscriptionAmount {
    const NAME: &'static str = "subscriptions.update_amount";
    const PATH: &'static str = paths::AMOUNT_UPDATE;
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_RETRIEVE;
    type Params = UpdateSubscriptionAmountParams;
    super::acknowledged!();

    fn to_wire(p: &UpdateSubscriptionAmountParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        validate::shares(p.amount, p.agent_amount, p.company_amount)?;
        let mut body = p.to_wire_declared(options);
        // The page's own table spells the id `subcription_id`: sent under both names.
        if let Some(id) = &p.subscription_id {
            body.insert("subcription_id".into(), id.clone().into());
        }
        Ok(body)
    }
}

/// Sends the customer the subscription's page again.
#[derive(Doc)]
pub struct SendSubscriptionAgain;

impl Endpoint for SendSubscriptionAgain {
    const NAME: &'static str = "subscriptions.send_again";
    const PATH: &'static str = "v1/subscription/send_again";
    /// A resent one is a second message to the customer.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = SETTLE_BY_RETRIEVE;
    type Params = SubscriptionRef;
    super::acknowledged!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_the_model_does_not_name_stay_readable_with_card_data_masked() {
        let body = json!({
            "subscription_id": "500001", "status": 2, "interval": 1, "amount": 12.5, "code": 0, "message": "ok",
            "paid_count": 3, "last_card": "4355084355084358", "plan": {"tier": "pro"}, "empty": null
        });
        let sub = Subscription::from_wire(body.as_object().unwrap()).unwrap();
        assert_eq!((sub.status.as_deref(), sub.interval.as_deref()), (Some("passive"), Some("weekly")));
        let other: Value = serde_json::from_str(sub.other_fields.as_deref().unwrap()).unwrap();
        assert_eq!(other["paid_count"], json!(3));
        assert_eq!(other["plan"], json!({"tier": "pro"}));
        assert_eq!(other.as_object().unwrap().len(), 3, "{other}: named fields, the envelope and nulls are left out");
        assert!(!sub.other_fields.unwrap().contains("4355084355084358"));
        let bare = Subscription::from_wire(json!({"subscription_id": "1"}).as_object().unwrap()).unwrap();
        assert_eq!(bare.other_fields, None);
    }
}
