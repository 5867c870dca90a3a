//! PayLink (`v1/mailorder/*`): a payment page Paynet hosts for one amount,
//! sent to the payer by link, email or SMS (docs/CHECKOUT.md).

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::pages::{self, page_model, page_params};
use super::{checked_answer, not_found};
use crate::endpoint::{Endpoint, Pages, RetryPolicy, WireOptions};
use crate::error::{Error, ErrorKind};
use crate::money::Money;
use crate::spec::{CheckDeclared, Doc, Spec, WireDeclared};
use crate::wire::{Fields, FromAnswer, Reader};

/// Creates a payment link for `amount`; the payer pays on the page at `url`.
///
/// When the link is paid, Paynet posts the result to `confirmation_url`:
/// check that post with `pay_links.verify_confirmation` before you ship.
#[derive(Doc)]
pub struct CreatePayLink;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params)]
pub struct CreatePayLinkParams {
    /// The payer's name, shown on the page.
    #[spec(not_blank, max_len = 100)]
    pub name_surname: String,
    /// In TL.
    #[spec(money = "decimal", positive)]
    pub amount: Money,
    /// Your order number: the confirmation post and `pay_links.retrieve` name it.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
    #[spec(max_len = 60)]
    pub email: Option<String>,
    /// Email the link to `email`. Paynet's docs spell it `send_email` and
    /// `send_mail`: it is sent under both names, with the same value.
    pub send_email: Option<bool>,
    #[spec(max_len = 20)]
    pub phone: Option<String>,
    /// Text the link to `phone`.
    pub send_sms: Option<bool>,
    /// Hours the link can be paid (Paynet's default: 24).
    #[spec(wire = "expire_date")]
    pub expire_hours: Option<u32>,
    /// Shown to the payer.
    #[spec(max_len = 500)]
    pub note: Option<String>,
    /// For your reports only.
    #[spec(max_len = 500)]
    pub agent_note: Option<String>,
    /// The agent (sub-merchant) the payment is for.
    #[spec(max_len = 10)]
    pub agent_id: Option<String>,
    /// The commission is added to what the payer pays.
    #[spec(wire = "addcomission_to_amount")]
    pub add_commission: Option<bool>,
    /// Where the payer lands after paying (`?xact_id=…` is appended).
    #[spec(max_len = 256)]
    pub succeed_url: Option<String>,
    /// Where the payer lands after a failed payment.
    #[spec(max_len = 256)]
    pub error_url: Option<String>,
    /// Paynet POSTs the result here as JSON once the link is paid.
    #[spec(max_len = 256)]
    pub confirmation_url: Option<String>,
    /// Paynet also emails you the confirmation.
    pub send_confirmation_mail: Option<bool>,
    /// The link can be paid more than once.
    pub multi_payment: Option<bool>,
}

/// A payment link.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct PayLink {
    /// The payer's page.
    pub url: String,
    /// Paynet's id of the link.
    pub id: Option<String>,
    pub reference_no: Option<String>,
    #[spec(free_text)]
    pub message: Option<String>,
}

impl Endpoint for CreatePayLink {
    const NAME: &'static str = "pay_links.create";
    const PATH: &'static str = "v1/mailorder/create";
    /// Moves no money, but a resent create makes a second link: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> =
        Some("pay_links.retrieve(reference_no={}) shows whether the link exists; look before creating another, or the payer could pay twice");
    type Params = CreatePayLinkParams;
    type Output = PayLink;

    fn to_wire(p: &CreatePayLinkParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        if p.expire_hours == Some(0) {
            return Err(Error::invalid("expire_hours", "must be at least 1"));
        }
        if p.confirmation_url.is_some() && p.reference_no.is_none() {
            return Err(Error::invalid("reference_no", "is required with `confirmation_url`: the confirmation is verified by it"));
        }
        if p.send_email == Some(true) && p.email.is_none() {
            return Err(Error::invalid("email", "is required when `send_email` is true"));
        }
        let mut body = p.to_wire_declared(options);
        if let Some(send) = p.send_email {
            body.insert("send_mail".into(), send.into());
        }
        Ok(body)
    }

    fn from_wire(_: &CreatePayLinkParams, body: &Map<String, Value>) -> Result<PayLink, Error> {
        checked_answer(body)
    }
}

/// One payment link, by `id` or `reference_no`.
#[derive(Doc)]
pub struct RetrievePayLink;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, exactly_one = ["id", "reference_no"])]
pub struct PayLinkRef {
    /// Paynet's id of the link.
    #[spec(not_blank, max_len = 50)]
    pub id: Option<String>,
    /// Your order number, as given to `pay_links.create`.
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
}

/// A payment link as Paynet keeps it.
#[derive(Debug, Clone, Serialize, PartialEq, Spec)]
#[spec(answer)]
pub struct PayLinkDetail {
    pub id: Option<String>,
    pub reference_no: Option<String>,
    /// `awaiting_payment`, `paid` or `passive` (another code: as Paynet sent it).
    #[spec(read_with = "status_name")]
    pub status: Option<String>,
    /// The payment, once the link is paid.
    pub xact_id: Option<String>,
    #[serde(serialize_with = "crate::models::money_text")]
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    #[spec(answer = ["installment", "instalment"])]
    pub installment: Option<i64>,
    #[spec(free_text)]
    pub name_surname: Option<String>,
    pub user_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_code: Option<String>,
    pub agent_id: Option<String>,
    pub bank_id: Option<String>,
    pub bank_name: Option<String>,
    #[serde(with = "crate::kinds::datetime")]
    pub create_date: Option<DateTime<FixedOffset>>,
    /// When the link stops being payable.
    #[serde(with = "crate::kinds::datetime")]
    pub expire_date: Option<DateTime<FixedOffset>>,
    #[spec(free_text)]
    pub note: Option<String>,
    #[spec(free_text)]
    pub agent_note: Option<String>,
    pub succeed_url: Option<String>,
    pub error_url: Option<String>,
}

/// Paynet's link status codes by name (docs/CHECKOUT.md).
fn status_name<F: Fields + ?Sized>(r: &Reader<'_, F>) -> Result<Option<String>, Error> {
    Ok(r.int(&["status"])?.map(|code| match code {
        0 => "awaiting_payment".to_owned(),
        1 => "paid".to_owned(),
        3 => "passive".to_owned(),
        other => other.to_string(),
    }))
}

/// The link in a detail answer: its one `Data` row, or the answer itself.
fn detail(body: &Map<String, Value>) -> Result<PayLinkDetail, Error> {
    match body.get("Data").or_else(|| body.get("data")) {
        Some(Value::Array(rows)) => match rows.first() {
            Some(row) => PayLinkDetail::from_wire(super::data_row(row)?),
            None => Err(not_found(body)),
        },
        _ => checked_answer(body),
    }
}

impl Endpoint for RetrievePayLink {
    const NAME: &'static str = "pay_links.retrieve";
    const PATH: &'static str = "v1/mailorder/detail";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    type Params = PayLinkRef;
    type Output = PayLinkDetail;

    fn from_wire(p: &PayLinkRef, body: &Map<String, Value>) -> Result<PayLinkDetail, Error> {
        let link = detail(body)?;
        let asked = (p.id.as_deref(), p.reference_no.as_deref());
        let other = match asked {
            (Some(id), _) => link.id.as_deref().is_some_and(|got| got != id),
            (_, Some(reference)) => link.reference_no.as_deref().is_some_and(|got| got != reference),
            _ => false,
        };
        if other {
            return Err(Error::new(ErrorKind::Protocol, "Paynet answered about another link than the one asked for: the answer is not believed"));
        }
        Ok(link)
    }
}

/// One page of the links created between `date_from` and `date_to`.
///
/// `list` walks every page for you; this is one page, for those who page
/// themselves: `has_more` says another follows, at `next_starting_after`.
#[derive(Doc)]
pub struct ListPayLinks;

page_params! {
    dated
    pub struct ListPayLinksParams {
        #[spec(max_len = 10)]
        pub agent_id: Option<String>,
    }
}

page_model! {
    /// One page of payment links.
    pub struct PayLinkPage {
        pub links: Vec<PayLinkDetail>,
    }
}

impl Endpoint for ListPayLinks {
    const NAME: &'static str = "pay_links.list_page";
    const PATH: &'static str = "v1/mailorder/list";
    const RETRY: RetryPolicy = RetryPolicy::ReadOnly;
    const PAGES: Option<Pages> =
        Some(Pages { iterator: "list", items: "links", doc: "Every payment link created between `date_from` and `date_to`, oldest first." });
    type Params = ListPayLinksParams;
    type Output = PayLinkPage;

    fn to_wire(p: &ListPayLinksParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        pages::to_wire(p, options)
    }

    fn from_wire(p: &ListPayLinksParams, body: &Map<String, Value>) -> Result<PayLinkPage, Error> {
        pages::read(body, p).map(PayLinkPage::from)
    }
}

/// Makes a link payable again (`awaiting_payment`) or stops it (`passive`).
/// A paid link keeps its status.
#[derive(Doc)]
pub struct UpdatePayLinkStatus;

#[derive(Debug, Clone, Deserialize, Spec)]
#[serde(deny_unknown_fields)]
#[spec(params, exactly_one = ["id", "reference_no"])]
pub struct UpdatePayLinkStatusParams {
    #[spec(not_blank, max_len = 50)]
    pub id: Option<String>,
    #[spec(not_blank, max_len = 50)]
    pub reference_no: Option<String>,
    #[spec(one_of = ["awaiting_payment", "passive"], by_hand)]
    pub status: String,
}

impl Endpoint for UpdatePayLinkStatus {
    const NAME: &'static str = "pay_links.update_status";
    const PATH: &'static str = "v1/mailorder/status_update";
    /// Setting a status twice is the same as once, but nothing says Paynet
    /// answers the second alike: not sent twice.
    const RETRY: RetryPolicy = RetryPolicy::OnlyIfNotSent;
    const SETTLE: Option<&'static str> = Some("pay_links.retrieve shows the link's status ({}); setting it again is harmless");
    type Params = UpdatePayLinkStatusParams;
    super::acknowledged!();

    fn to_wire(p: &UpdatePayLinkStatusParams, options: &WireOptions) -> Result<Map<String, Value>, Error> {
        p.check_declared()?;
        let code = super::status_code(&p.status, &[("awaiting_payment", 0), ("passive", 3)])?;
        let mut body = p.to_wire_declared(options);
        body.insert("status".into(), code.into());
        Ok(body)
    }
}
