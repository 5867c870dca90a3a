//! Subscriptions (`v1/subscription/*`, paynet-api.md §3.8, §5.11): a plan the shop creates,
//! the customer consents to on the page at `url` (`subscription_page`) with a card (3D on
//! the bank's page), and invoices charged on their due dates by the sandbox clock.
//!
//! Billing (`bill_due`) runs whenever the clock moves and after every change that could
//! make an invoice chargeable. An invoice due on a day is tried on the subscription's cards
//! in their arranged order; the first approval pays it. When every card declines, it is
//! tried again on each of the next days, [`MAX_ATTEMPT_DAYS`] days in all, then it is
//! `Done unsucceed` (4). Paynet documents no retry schedule: this one is the sandbox's
//! (README). Every attempt is a sale in the ledger, so `check`, `list` and `payment_list`
//! show it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, Months, NaiveDate, TimeZone};
use serde_json::{Value, json};

use super::payment::{Attempt, COMPANY_CODE, make_entry, ratio};
use super::responses::MSG_OK;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::cards::{self, Behaviour};
use crate::clock::istanbul;
use crate::ledger::{self, CardData, Ledger, XactType};
use crate::money::{self, Tl};
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

pub const PAGE_PREFIX: &str = "/__sandbox/subscription/";
const FIRST_ID: u64 = 500_001;
/// Days an invoice is tried before it is `Done unsucceed`.
pub const MAX_ATTEMPT_DAYS: u32 = 3;
/// Billing walks day by day; a plan longer than this many charges is refused.
const MAX_INTERVAL_COUNT: i64 = 1200;

/// Paynet's status table (paynet-api.md §6) for invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceStatus {
    Waiting = 0,
    ExternalCharged = 2,
    Succeeded = 3,
    Failed = 4,
    Cancelled = 5,
    Deleted = 6,
}

impl InvoiceStatus {
    fn from_code(code: i64) -> Option<InvoiceStatus> {
        Some(match code {
            0 => InvoiceStatus::Waiting,
            2 => InvoiceStatus::ExternalCharged,
            3 => InvoiceStatus::Succeeded,
            4 => InvoiceStatus::Failed,
            5 => InvoiceStatus::Cancelled,
            6 => InvoiceStatus::Deleted,
            _ => return None,
        })
    }
}

/// A subscription's own status. Paynet's table has no "active" or "passive"; the sandbox
/// numbers them 1 and 2 (README), and uses the table's 0, 5 and 6 for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubStatus {
    /// Created; the customer has not consented on the page yet.
    Waiting = 0,
    Active = 1,
    Passive = 2,
    Cancelled = 5,
    Deleted = 6,
}

#[derive(Debug, Clone)]
pub struct SubCard {
    pub card_id: i64,
    pub card: CardData,
    pub label: String,
    pub order_no: i64,
}

#[derive(Debug, Clone)]
pub struct Invoice {
    pub invoice_id: String,
    pub invoice_no: i64,
    pub due: NaiveDate,
    pub amount: i64,
    pub status: InvoiceStatus,
    /// Days it was tried on and every card declined.
    pub failed_days: u32,
    pub last_try: Option<NaiveDate>,
    /// Every sale tried for it, oldest first (declines included).
    pub attempts: Vec<u64>,
    /// The approved sale.
    pub paid_by: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: u64,
    pub token: String,
    pub reference_no: String,
    pub name_surname: String,
    pub amount: i64,
    /// Each charge's shares, in kuruş.
    pub agent_amount: Option<i64>,
    pub company_amount: Option<i64>,
    pub interval: i64,
    pub interval_count: i64,
    pub period: i64,
    pub begin_date: NaiveDate,
    pub end_user_email: String,
    pub end_user_gsm: String,
    pub end_user_desc: String,
    pub agent_id: String,
    pub is_fixed_price: bool,
    pub status: SubStatus,
    pub cards: Vec<SubCard>,
    pub invoices: Vec<Invoice>,
    /// How many times the consent link was sent (`create` + `send_again`).
    pub sent: u32,
}

impl Subscription {
    pub fn url(&self, s: &Shared) -> String {
        format!("{}{PAGE_PREFIX}{}", s.base_url, self.token)
    }

    /// The due date of the `n`th charge (0-based): every `period` intervals from `begin_date`.
    fn due(&self, n: i64) -> Option<NaiveDate> {
        let step = self.period.max(1) * n;
        let step32 = u32::try_from(step).ok()?;
        match self.interval {
            0 => self.begin_date.checked_add_days(chrono::Days::new(step as u64)),
            1 => self.begin_date.checked_add_days(chrono::Days::new(7 * step as u64)),
            2 => self.begin_date.checked_add_months(Months::new(step32)),
            _ => self.begin_date.checked_add_months(Months::new(12 * step32)),
        }
    }

    /// The plan's invoices, made when the customer consents (fixed-price plans only:
    /// the others get theirs from `create_invoice`).
    pub fn plan_invoices(&mut self, s: &Shared) {
        if !self.is_fixed_price || !self.invoices.is_empty() {
            return;
        }
        for n in 0..self.interval_count {
            if let Some(due) = self.due(n) {
                self.push_invoice(s, None, due, self.amount);
            }
        }
    }

    /// A new invoice, numbered `invoice_no` or after the highest number so far.
    fn push_invoice(&mut self, s: &Shared, invoice_no: Option<i64>, due: NaiveDate, amount: i64) -> &Invoice {
        let invoice_no = invoice_no.unwrap_or_else(|| self.invoices.iter().map(|i| i.invoice_no).max().unwrap_or(0) + 1);
        self.invoices.push(Invoice {
            invoice_id: format!("inv_{}", s.rng.token(16)),
            invoice_no,
            due,
            amount,
            status: InvoiceStatus::Waiting,
            failed_days: 0,
            last_try: None,
            attempts: Vec::new(),
            paid_by: None,
        });
        &self.invoices[self.invoices.len() - 1]
    }

    fn cards_in_order(&self) -> Vec<SubCard> {
        let mut cards = self.cards.clone();
        cards.sort_by_key(|c| c.order_no);
        cards
    }
}

/// Subscriptions in creation order, with their lookups.
#[derive(Default)]
pub struct Subscriptions {
    list: Vec<Subscription>,
    by_token: HashMap<String, usize>,
    by_reference: HashMap<String, usize>,
    next_card_id: i64,
    /// The last day billing has run for.
    billed_through: Option<NaiveDate>,
}

impl Subscriptions {
    pub fn by_token_mut(&mut self, token: &str) -> Option<&mut Subscription> {
        self.by_token.get(token).map(|&i| &mut self.list[i])
    }

    pub fn by_token(&self, token: &str) -> Option<&Subscription> {
        self.by_token.get(token).map(|&i| &self.list[i])
    }

    pub fn new_card_id(&mut self) -> i64 {
        self.next_card_id += 1;
        1000 + self.next_card_id
    }

    fn index_of(&self, f: &Fields<'_>) -> ApiResult<usize> {
        let id = f.string("subscription_id", 50)?.or(f.string("subcription_id", 50)?);
        let reference_no = f.string("reference_no", 50)?;
        let found = match (&id, &reference_no) {
            (Some(id), _) => id
                .parse::<u64>()
                .ok()
                .and_then(|id| id.checked_sub(FIRST_ID))
                .and_then(|i| usize::try_from(i).ok())
                .filter(|&i| i < self.list.len()),
            (None, Some(r)) => self.by_reference.get(r).copied(),
            (None, None) => {
                return Err(ApiError::invalid(
                    "subscription_id veya reference_no zorunludur (subscription_id or reference_no is required)",
                ));
            }
        };
        found.ok_or_else(|| ApiError::not_found_tx("Düzenli ödeme bulunamadı (no such subscription)"))
    }
}

/// The subscription a request names, for reading and changing under the ledger's lock.
pub fn named<'l>(l: &'l mut Ledger, f: &Fields<'_>) -> ApiResult<&'l mut Subscription> {
    let i = l.subscriptions.index_of(f)?;
    Ok(&mut l.subscriptions.list[i])
}

fn ok_body(object_name: &str) -> Value {
    json!({ "object_name": object_name, "code": 0, "message": MSG_OK })
}

/// `begin_date` / `val_date`: a date, or a date-time whose day counts.
fn date_field(f: &Fields<'_>, name: &str) -> ApiResult<NaiveDate> {
    let text = f.required_string(name, 40)?;
    let day = text.get(..10).unwrap_or_default();
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(format!("{name} geçersiz: yyyy-MM-dd bekleniyor ({name} must be a date, yyyy-MM-dd)"))
    })
}

/// A subscription service's `amount` and its shares, in kuruş.
struct Amounts {
    amount: i64,
    agent: Option<i64>,
    company: Option<i64>,
}

/// `amount`, `agent_amount` and `company_amount` of `create`, `create_invoice`,
/// `amount_update` and `invoice_amount_update`. The current docs send them as ×100 kuruş
/// strings (`"9990"`), the older ones as decimal TL (`99.90`), and a request does not say
/// which: the sandbox goes by the JSON type of `amount`, a string being ×100 kuruş and a
/// number TL (the two forms a client's option picks between). The shares must come in
/// `amount`'s form, and together are at most `amount`, as Paynet splits each charge.
fn amounts(f: &Fields<'_>) -> ApiResult<Amounts> {
    let decimal = f.is_number("amount");
    let read = |name: &str| -> ApiResult<Option<i64>> {
        if f.is_present(name) && f.is_number(name) != decimal {
            let form = if decimal { "decimal TL number, like amount" } else { "×100 kuruş string, like amount" };
            return Err(ApiError::invalid(format!(
                "{name} amount ile aynı biçimde gönderilmeli ({name} must be sent as a {form})"
            )));
        }
        if decimal { f.amount_tl(name) } else { f.amount_x100(name) }
    };
    let amount = read("amount")?.ok_or_else(|| crate::wire::required("amount"))?;
    let (agent, company) = (read("agent_amount")?, read("company_amount")?);
    for (name, share) in [("agent_amount", agent), ("company_amount", company)] {
        if share.is_some_and(|share| share > amount) {
            return Err(ApiError::invalid(format!("{name} amount tutarını aşamaz ({name} must not exceed amount)")));
        }
    }
    if agent.unwrap_or(0) + company.unwrap_or(0) > amount {
        return Err(ApiError::invalid(
            "agent_amount ve company_amount toplamı amount tutarını aşamaz (agent_amount + company_amount must not exceed amount)",
        ));
    }
    Ok(Amounts { amount, agent, company })
}

pub async fn create(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_create(&s, &body))
}

fn run_create(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let name_surname = f.required_string("name_surname", 100)?;
    let Amounts { amount, agent: agent_amount, company: company_amount } = amounts(&f)?;
    let interval = f.int("interval")?.ok_or_else(|| crate::wire::required("interval"))?;
    if !(0..=3).contains(&interval) {
        return Err(ApiError::invalid(
            "interval 0 (günlük), 1 (haftalık), 2 (aylık) veya 3 (yıllık) olmalı (interval must be 0-3)",
        ));
    }
    let interval_count = f.int("interval_count")?.ok_or_else(|| crate::wire::required("interval_count"))?;
    if !(1..=MAX_INTERVAL_COUNT).contains(&interval_count) {
        return Err(ApiError::invalid(format!(
            "interval_count 1 ile {MAX_INTERVAL_COUNT} arasında olmalı (interval_count must be 1-{MAX_INTERVAL_COUNT})"
        )));
    }
    let period = f.int("period")?.unwrap_or(0);
    if !(0..=12).contains(&period) {
        return Err(ApiError::invalid("period 0 ile 12 arasında olmalı (period must be 0-12)"));
    }
    let begin_date = date_field(&f, "begin_date")?;
    let reference_no = f.required_string("reference_no", 50)?;
    let end_user_email = f.required_string("end_user_email", 100)?;
    let end_user_gsm = f.required_string("end_user_gsm", 20)?;
    let end_user_desc = f.required_string("end_user_desc", 500)?;
    let agent_id = f.string("agent_id", 10)?.unwrap_or_else(|| COMPANY_CODE.to_owned());
    let is_fixed_price = f.bool("is_fixed_price")?.unwrap_or(true);
    let mut l = ledger::lock(&s.ledger);
    let subs = &mut l.subscriptions;
    if subs.by_reference.contains_key(&reference_no) {
        return Err(ApiError::invalid_rc(
            rc::DUPLICATE_DATA,
            "Bu reference_no ile bir düzenli ödeme zaten var (a subscription with this reference_no exists)",
        ));
    }
    let id = FIRST_ID + subs.list.len() as u64;
    let sub = Subscription {
        id,
        token: s.rng.token(24),
        reference_no: reference_no.clone(),
        name_surname,
        amount,
        agent_amount,
        company_amount,
        interval,
        interval_count,
        period,
        begin_date,
        end_user_email,
        end_user_gsm,
        end_user_desc,
        agent_id,
        is_fixed_price,
        status: SubStatus::Waiting,
        cards: Vec::new(),
        invoices: Vec::new(),
        sent: 1,
    };
    let url = sub.url(s);
    let idx = subs.list.len();
    subs.by_token.insert(sub.token.clone(), idx);
    subs.by_reference.insert(reference_no.clone(), idx);
    subs.list.push(sub);
    let mut body = ok_body("subscription_create");
    body["url"] = json!(url);
    body["subscription_id"] = json!(id.to_string());
    body["reference_no"] = json!(reference_no);
    Ok(json_ok(&body))
}

fn interval_name(interval: i64) -> &'static str {
    match interval {
        0 => "günlük",
        1 => "haftalık",
        2 => "aylık",
        _ => "yıllık",
    }
}

pub fn describe_plan(sub: &Subscription) -> String {
    format!(
        "{} x {} TRY, {}",
        sub.interval_count,
        money::format_tl(sub.amount, 2),
        interval_name(sub.interval)
    )
}

fn detail_body(s: &Shared, sub: &Subscription) -> Value {
    let mut body = ok_body("subscription_detail");
    let fields = json!({
        "subscription_id": sub.id.to_string(),
        "reference_no": sub.reference_no,
        "status": sub.status as i64,
        "name_surname": sub.name_surname,
        "amount": Tl(sub.amount),
        "agent_amount": sub.agent_amount.map(Tl),
        "company_amount": sub.company_amount.map(Tl),
        "currency": "TRY",
        "interval": sub.interval,
        "interval_count": sub.interval_count,
        "period": sub.period,
        "begin_date": format!("{}T00:00:00", sub.begin_date),
        "end_user_email": sub.end_user_email,
        "end_user_gsm": sub.end_user_gsm,
        "end_user_desc": sub.end_user_desc,
        "agent_id": sub.agent_id,
        "is_fixed_price": sub.is_fixed_price,
        "url": sub.url(s),
        "paid_count": sub.invoices.iter().filter(|i| i.status == InvoiceStatus::Succeeded).count(),
        "card_count": sub.cards.len(),
    });
    if let (Value::Object(out), Value::Object(fields)) = (&mut body, fields) {
        out.extend(fields);
    }
    body
}

pub async fn detail(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &Fields::new(&map))?;
        Ok(json_ok(&detail_body(&s, sub)))
    })())
}

pub async fn status_update(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_status_update(&s, &body))
}

fn run_status_update(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let status = f.int("status")?.ok_or_else(|| crate::wire::required("status"))?;
    {
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &f)?;
        let to = match status {
            1 => SubStatus::Active,
            2 => SubStatus::Passive,
            5 => SubStatus::Cancelled,
            6 => SubStatus::Deleted,
            _ => {
                return Err(ApiError::invalid(
                    "status 1 (aktif), 2 (pasif), 5 (iptal) veya 6 (silindi) olmalı (status must be 1, 2, 5 or 6)",
                ));
            }
        };
        match sub.status {
            SubStatus::Cancelled | SubStatus::Deleted if to != sub.status => {
                return Err(ApiError::invalid_rc(
                    rc::NO_PROCESS,
                    "İptal edilmiş düzenli ödemenin durumu değiştirilemez (a cancelled subscription stays cancelled)",
                ));
            }
            SubStatus::Waiting if to == SubStatus::Active => {
                return Err(ApiError::invalid_rc(
                    rc::NO_PROCESS,
                    "Müşteri onayı bekleniyor: düzenli ödeme kart girilince aktif olur \
                     (the customer has not consented yet: it becomes active when a card is given)",
                ));
            }
            _ => {}
        }
        sub.status = to;
        if matches!(to, SubStatus::Cancelled | SubStatus::Deleted) {
            for inv in sub.invoices.iter_mut().filter(|i| i.status == InvoiceStatus::Waiting) {
                inv.status = InvoiceStatus::Cancelled;
            }
        }
    }
    // Resuming charges what came due while it was passive.
    bill_due(s);
    Ok(json_ok(&ok_body("subscription_status_update")))
}

/// Bills the days that began since billing last ran, before an API request is answered:
/// the clock keeps ticking after it is set, so a read after midnight (`subscription_detail`,
/// `invoice_list`, `check`, ...) sees that day's charges without the clock being moved.
pub fn bill_new_days(s: &Shared) {
    let behind = ledger::lock(&s.ledger).subscriptions.billed_through.is_some_and(|last| last < s.clock.today());
    if behind {
        bill_due(s);
    }
}

/// Charges every invoice due by today (Istanbul) on active subscriptions, day by day
/// since the last run, so a clock moved a year ahead bills each month on its own day.
pub fn bill_due(s: &Shared) {
    let today = s.clock.today();
    let mut l = ledger::lock(&s.ledger);
    let start = match l.subscriptions.billed_through {
        Some(last) if last >= today => today,
        Some(last) => last.succ_opt().unwrap_or(today),
        // The earliest day anything could be due.
        None => l.subscriptions.list.iter().flat_map(|s| s.invoices.iter().map(|i| i.due)).min().unwrap_or(today).min(today),
    };
    let mut day = start;
    while day <= today {
        bill_day(s, &mut l, day);
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    l.subscriptions.billed_through = Some(today);
}

fn bill_day(s: &Shared, l: &mut Ledger, day: NaiveDate) {
    for i in 0..l.subscriptions.list.len() {
        let sub = &l.subscriptions.list[i];
        if sub.status != SubStatus::Active {
            continue;
        }
        let due: Vec<usize> = sub
            .invoices
            .iter()
            .enumerate()
            .filter(|(_, inv)| inv.status == InvoiceStatus::Waiting && inv.due <= day && inv.last_try != Some(day))
            .map(|(n, _)| n)
            .collect();
        for n in due {
            charge_invoice(s, l, i, n, day);
        }
    }
}

/// The bank's answer for a card on `day`: its test behaviour, or expired by that day.
fn behaviour_on(card: &CardData, day: NaiveDate) -> Behaviour {
    if (card.year, card.month) < (day.year(), day.month()) {
        return Behaviour::Decline(cards::EXPIRED_CARD);
    }
    match cards::behaviour_for(&card.pan) {
        // Billing runs inside the sandbox: no HTTP answer to slow down or cut.
        Behaviour::Slow | Behaviour::Malformed => Behaviour::Approve,
        other => other,
    }
}

/// Tries invoice `n` of subscription `i` on its cards in order; `day` dates the attempts.
/// Returns whether it was paid.
pub fn charge_invoice(s: &Shared, l: &mut Ledger, i: usize, n: usize, day: NaiveDate) -> bool {
    let sub = l.subscriptions.list[i].clone();
    let inv = &sub.invoices[n];
    let when = istanbul()
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap_or_default())
        .single()
        .unwrap_or_else(|| s.clock.now());
    let mut paid_by = None;
    let mut tried = Vec::new();
    for card in sub.cards_in_order() {
        let ratio_bp = ratio(0).unwrap_or_default();
        let attempt = Attempt {
            card: card.card.clone(),
            xact_type: XactType::Sale,
            transaction_type: 1,
            split: money::split(inv.amount, ratio_bp, false),
            ratio_bp,
            instalment: 0,
            reference_no: format!("{}-{}", sub.reference_no, inv.invoice_no),
            description: format!("Düzenli ödeme {} fatura {}", sub.reference_no, inv.invoice_no),
            email: Some(sub.end_user_email.clone()),
            phone: Some(sub.end_user_gsm.clone()),
            agent_id: sub.agent_id.clone(),
            ratio_code: String::new(),
            is_tds: false,
            user_id: "PaynetSubscription",
            company_amount: None,
            is_escrow: false,
        };
        let mut entry = make_entry(s, l, attempt, behaviour_on(&card.card, day));
        entry.date = when;
        entry.due_date = day + chrono::Duration::days(s.config.settlement_days);
        let entry = l.push(entry);
        tried.push(entry.id);
        if entry.is_succeed {
            paid_by = Some(entry.id);
            break;
        }
    }
    let inv = &mut l.subscriptions.list[i].invoices[n];
    inv.attempts.extend(tried);
    inv.last_try = Some(day);
    match paid_by {
        Some(id) => {
            inv.status = InvoiceStatus::Succeeded;
            inv.paid_by = Some(id);
            true
        }
        None => {
            inv.failed_days += 1;
            if inv.failed_days >= MAX_ATTEMPT_DAYS {
                inv.status = InvoiceStatus::Failed;
            }
            false
        }
    }
}

fn invoice_body(l: &Ledger, sub: &Subscription, inv: &Invoice) -> Value {
    json!({
        "invoice_id": inv.invoice_id,
        "invoice_no": inv.invoice_no,
        "subscription_id": sub.id.to_string(),
        "reference_no": sub.reference_no,
        "val_date": format!("{}T00:00:00", inv.due),
        "amount": Tl(inv.amount),
        "invoice_status": inv.status as i64,
        "attempt_count": inv.attempts.len(),
        "xact_id": inv.paid_by.and_then(|id| l.get(id)).map(|e| e.xact_id.clone()),
    })
}

pub async fn create_invoice(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_create_invoice(&s, &body))
}

fn run_create_invoice(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let due = date_field(&f, "val_date")?;
    let Amounts { amount, .. } = amounts(&f)?;
    let invoice_no = f.int("invoice_no")?;
    if invoice_no.is_some_and(|no| no < 1) {
        return Err(ApiError::invalid("invoice_no 1 veya daha büyük olmalı (invoice_no must be at least 1)"));
    }
    let answer = {
        let mut l = ledger::lock(&s.ledger);
        let i = l.subscriptions.index_of(&f)?;
        let sub = &mut l.subscriptions.list[i];
        if matches!(sub.status, SubStatus::Cancelled | SubStatus::Deleted) {
            return Err(ApiError::invalid_rc(rc::NO_PROCESS, "Düzenli ödeme iptal edilmiş (the subscription is cancelled)"));
        }
        if invoice_no.is_some_and(|no| sub.invoices.iter().any(|inv| inv.invoice_no == no)) {
            return Err(ApiError::invalid_rc(rc::DUPLICATE_DATA, "Bu invoice_no ile bir fatura zaten var (an invoice with this invoice_no exists)"));
        }
        sub.push_invoice(s, invoice_no, due, amount);
        let sub = &l.subscriptions.list[i];
        let inv = &sub.invoices[sub.invoices.len() - 1];
        let mut body = ok_body("subscription_create_invoice");
        body["data"] = invoice_body(&l, sub, inv);
        body
    };
    bill_due(s);
    Ok(json_ok(&answer))
}

/// The invoice a request names by `invoice_no` (or `invoice_id`), inside subscription `i`.
fn invoice_index(sub: &Subscription, f: &Fields<'_>) -> ApiResult<Option<usize>> {
    let no = f.int("invoice_no")?;
    let id = f.string("invoice_id", 50)?;
    let found = match (no, &id) {
        (Some(no), _) => sub.invoices.iter().position(|inv| inv.invoice_no == no),
        (None, Some(id)) => sub.invoices.iter().position(|inv| &inv.invoice_id == id),
        (None, None) => return Ok(None),
    };
    found.map(Some).ok_or_else(|| ApiError::invalid_rc(24, "Fatura bulunamadı (invoice_no_not_found)"))
}

pub async fn manual_charge(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(run_manual_charge(&s, &body))
}

/// Charges one invoice now (`invoice_no`), or every waiting invoice already due.
fn run_manual_charge(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let today = s.clock.today();
    let mut l = ledger::lock(&s.ledger);
    let i = l.subscriptions.index_of(&f)?;
    let sub = &l.subscriptions.list[i];
    if sub.cards.is_empty() {
        return Err(ApiError::invalid_rc(25, "Düzenli ödemeye kayıtlı kart yok (card_not_found)"));
    }
    if matches!(sub.status, SubStatus::Cancelled | SubStatus::Deleted) {
        return Err(ApiError::invalid_rc(rc::NO_PROCESS, "Düzenli ödeme iptal edilmiş (the subscription is cancelled)"));
    }
    let chosen: Vec<usize> = match invoice_index(sub, &f)? {
        Some(n) => {
            if !matches!(sub.invoices[n].status, InvoiceStatus::Waiting | InvoiceStatus::Failed) {
                return Err(ApiError::invalid_rc(
                    rc::NO_PROCESS,
                    "Bu fatura ödenmiş veya iptal edilmiş (the invoice is paid or cancelled)",
                ));
            }
            vec![n]
        }
        None => sub
            .invoices
            .iter()
            .enumerate()
            .filter(|(_, inv)| inv.status == InvoiceStatus::Waiting && inv.due <= today)
            .map(|(n, _)| n)
            .collect(),
    };
    let mut data = Vec::new();
    for n in chosen {
        // A manual charge is one more try: a failed invoice stays failed if it declines.
        let was_failed = l.subscriptions.list[i].invoices[n].status == InvoiceStatus::Failed;
        let paid = charge_invoice(s, &mut l, i, n, today);
        let inv = &mut l.subscriptions.list[i].invoices[n];
        if was_failed && !paid {
            inv.status = InvoiceStatus::Failed;
        }
        let invoice_no = inv.invoice_no;
        data.push(if paid {
            json!({"object_name": "subscription_manual_charge", "code": 0, "message": MSG_OK, "invoice_no": invoice_no})
        } else {
            json!({"object_name": "subscription_manual_charge", "code": rc::UNSUCCESSFUL,
                   "message": "Çekim başarısız: kartlar reddedildi (every card was declined)", "invoice_no": invoice_no})
        });
    }
    // A batch with a declined invoice says so in its envelope too (HTTP 200, the rows as
    // usual): Paynet's page shows both levels' code and message and says no more.
    let failed = data.iter().filter(|row| row["code"] != json!(0)).count();
    let mut body = ok_body("subscription_manual_charge");
    if failed > 0 {
        body["code"] = json!(rc::UNSUCCESSFUL);
        body["message"] = json!(format!("{failed} fatura tahsil edilemedi ({failed} invoice(s) could not be charged)"));
    }
    body["data"] = Value::Array(data);
    Ok(json_ok(&body))
}

fn settable_invoice_status(f: &Fields<'_>) -> ApiResult<InvoiceStatus> {
    let code = f.int("status")?.ok_or_else(|| crate::wire::required("status"))?;
    match InvoiceStatus::from_code(code) {
        Some(st @ (InvoiceStatus::Waiting | InvoiceStatus::ExternalCharged | InvoiceStatus::Cancelled | InvoiceStatus::Deleted)) => Ok(st),
        _ => Err(ApiError::invalid(
            "status 0 (bekliyor), 2 (haricen ödendi), 5 (iptal) veya 6 (silindi) olmalı (status must be 0, 2, 5 or 6)",
        )),
    }
}

/// A paid invoice keeps its status; any other takes the new one.
fn set_invoice_status(inv: &mut Invoice, to: InvoiceStatus) -> bool {
    if inv.status == InvoiceStatus::Succeeded {
        return false;
    }
    inv.status = to;
    if to == InvoiceStatus::Waiting {
        inv.failed_days = 0;
        inv.last_try = None;
    }
    true
}

/// The invoice a request names: by `invoice_no` (or `invoice_id`) within its subscription,
/// or by `invoice_id` across all; `(subscription, invoice)` indexes.
fn named_invoice(l: &Ledger, f: &Fields<'_>) -> ApiResult<(usize, usize)> {
    let found = match l.subscriptions.index_of(f) {
        Ok(i) => invoice_index(&l.subscriptions.list[i], f)?.map(|n| (i, n)),
        Err(_) => {
            let id = f.required_string("invoice_id", 50)?;
            l.subscriptions.list.iter().enumerate().find_map(|(i, sub)| {
                sub.invoices.iter().position(|inv| inv.invoice_id == id).map(|n| (i, n))
            })
        }
    };
    found.ok_or_else(|| ApiError::invalid_rc(24, "Fatura bulunamadı (invoice_no_not_found)"))
}

/// `invoice_amount_update`: one invoice not yet paid.
pub async fn invoice_amount_update(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let Amounts { amount, .. } = amounts(&f)?;
        let mut l = ledger::lock(&s.ledger);
        let (i, n) = named_invoice(&l, &f)?;
        let inv = &mut l.subscriptions.list[i].invoices[n];
        if !matches!(inv.status, InvoiceStatus::Waiting | InvoiceStatus::Failed) {
            return Err(ApiError::invalid_rc(rc::NO_PROCESS, "Bu fatura ödenmiş veya iptal edilmiş (the invoice is paid or cancelled)"));
        }
        inv.amount = amount;
        Ok(json_ok(&ok_body("subscription_invoice_amount_update")))
    })())
}

pub async fn invoice_status_update(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let to = settable_invoice_status(&f)?;
        {
            let mut l = ledger::lock(&s.ledger);
            let (i, n) = named_invoice(&l, &f)?;
            if !set_invoice_status(&mut l.subscriptions.list[i].invoices[n], to) {
                return Err(ApiError::invalid_rc(rc::NO_PROCESS, "Ödenmiş faturanın durumu değiştirilemez (a paid invoice keeps its status)"));
            }
        }
        bill_due(&s);
        Ok(json_ok(&ok_body("subscription_invoice_status_update")))
    })())
}

pub async fn invoices_status_update_all(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let to = settable_invoice_status(&f)?;
        {
            let mut l = ledger::lock(&s.ledger);
            let sub = named(&mut l, &f)?;
            for inv in &mut sub.invoices {
                set_invoice_status(inv, to);
            }
        }
        bill_due(&s);
        Ok(json_ok(&ok_body("subscription_invoices_status_update_all")))
    })())
}

/// The plan's invoices as `invoice_list` answers them (`invoice_status` filters).
pub async fn invoice_list(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let status = f.int("invoice_status")?;
        let limit = f.int("limit")?.unwrap_or(10).clamp(1, 100) as usize;
        let after = f.int("starting_after")?.unwrap_or(0).max(0) as usize;
        let l = ledger::lock(&s.ledger);
        let i = l.subscriptions.index_of(&f)?;
        let sub = &l.subscriptions.list[i];
        let rows: Vec<Value> = sub
            .invoices
            .iter()
            .filter(|inv| status.is_none_or(|st| inv.status as i64 == st))
            .map(|inv| invoice_body(&l, sub, inv))
            .collect();
        let total = rows.len();
        let page: Vec<Value> = rows.into_iter().skip(after).take(limit).collect();
        let has_more = after + page.len() < total;
        Ok(json_ok(&json!({
            "object_name": "subscription_invoice_list", "code": 0, "message": MSG_OK,
            "subscription_id": sub.id.to_string(), "reference_no": sub.reference_no,
            "total_count": total, "limit": limit, "starting_after": after, "has_more": has_more,
            "Data": page,
        })))
    })())
}

/// `v1/subscription/list`: every subscription, oldest first (`status` filters).
pub async fn list(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let status = f.int("status")?;
        let limit = f.int("limit")?.unwrap_or(10).clamp(1, 100) as usize;
        let after = f.int("starting_after")?.unwrap_or(0).max(0) as usize;
        let l = ledger::lock(&s.ledger);
        let rows: Vec<Value> = l
            .subscriptions
            .list
            .iter()
            .filter(|sub| status.is_none_or(|st| sub.status as i64 == st))
            .map(|sub| detail_body(&s, sub))
            .collect();
        let total = rows.len();
        let page: Vec<Value> = rows.into_iter().skip(after).take(limit).collect();
        let has_more = after + page.len() < total;
        Ok(json_ok(&json!({
            "object_name": "subscription_list", "code": 0, "message": MSG_OK,
            "total_count": total, "limit": limit, "starting_after": after, "has_more": has_more,
            "Data": page,
        })))
    })())
}

/// `amount_update`: the plan's amount and every invoice not yet paid.
pub async fn amount_update(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let Amounts { amount, agent, company } = amounts(&f)?;
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &f)?;
        sub.amount = amount;
        sub.agent_amount = agent;
        sub.company_amount = company;
        for inv in sub.invoices.iter_mut().filter(|i| matches!(i.status, InvoiceStatus::Waiting | InvoiceStatus::Failed)) {
            inv.amount = amount;
        }
        Ok(json_ok(&ok_body("subscription_amount_update")))
    })())
}

/// `send_again`: the consent link is "sent" to the customer again.
pub async fn send_again(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &Fields::new(&map))?;
        if matches!(sub.status, SubStatus::Cancelled | SubStatus::Deleted) {
            return Err(ApiError::invalid_rc(rc::NO_PROCESS, "Düzenli ödeme iptal edilmiş (the subscription is cancelled)"));
        }
        sub.sent += 1;
        let mut body = ok_body("subscription_send_again");
        body["url"] = json!(sub.url(&s));
        Ok(json_ok(&body))
    })())
}

/// The card a request names by `card_id` within subscription `sub`.
fn card_index(sub: &Subscription, f: &Fields<'_>) -> ApiResult<usize> {
    let card_id = f.int("card_id")?.ok_or_else(|| crate::wire::required("card_id"))?;
    sub.cards
        .iter()
        .position(|c| c.card_id == card_id)
        .ok_or_else(|| ApiError::invalid_rc(25, "Kart bulunamadı (card_not_found)"))
}

fn card_body(card: &SubCard) -> Value {
    json!({
        "card_id": card.card_id,
        "card_no_mask": cards::mask(&card.card.pan),
        "card_holder": card.card.card_holder,
        "label": card.label,
        "order_no": card.order_no,
        "bank_id": cards::bank_for(&card.card.pan).id,
        "card_brand_name": cards::brand_name(&card.card.pan),
        "expire_month": card.card.month,
        "expire_year": card.card.year,
    })
}

pub async fn card_info_list(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &Fields::new(&map))?;
        let rows: Vec<Value> = sub.cards_in_order().iter().map(card_body).collect();
        Ok(json_ok(&json!({
            "object_name": "subscription_card_info_list", "code": 0, "message": MSG_OK,
            "subscription_id": sub.id.to_string(), "reference_no": sub.reference_no, "Data": rows,
        })))
    })())
}

pub async fn card_info_label_update(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let label = f.required_string("label", 100)?;
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &f)?;
        let i = card_index(sub, &f)?;
        sub.cards[i].label = label;
        Ok(json_ok(&ok_body("subscription_card_info_label_update")))
    })())
}

pub async fn card_info_delete(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &f)?;
        let i = card_index(sub, &f)?;
        sub.cards.remove(i);
        Ok(json_ok(&ok_body("subscription_card_info_delete")))
    })())
}

/// Links a card saved to one subscription to another (`card_id` is unique across all).
pub async fn card_info_link(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let card_id = f.int("card_id")?.ok_or_else(|| crate::wire::required("card_id"))?;
        let mut l = ledger::lock(&s.ledger);
        let card = l
            .subscriptions
            .list
            .iter()
            .flat_map(|sub| sub.cards.iter())
            .find(|c| c.card_id == card_id)
            .cloned()
            .ok_or_else(|| ApiError::invalid_rc(25, "Kart bulunamadı (card_not_found)"))?;
        let sub = named(&mut l, &f)?;
        if !sub.cards.iter().any(|c| c.card_id == card_id) {
            let order_no = sub.cards.iter().map(|c| c.order_no).max().unwrap_or(0) + 1;
            sub.cards.push(SubCard { order_no, ..card });
        }
        Ok(json_ok(&ok_body("subscription_card_info_link_to_subscription")))
    })())
}

/// `card_info_arrange`: `card_information[]` of {`card_id`, `order_no`}; cards not named
/// keep their order after the named ones.
pub async fn card_info_arrange(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let Some(Value::Array(rows)) = map.get("card_information") else {
            return Err(crate::wire::required("card_information"));
        };
        let mut order = Vec::new();
        for row in rows {
            let row = row.as_object().ok_or_else(|| ApiError::invalid("card_information satırları nesne olmalı (rows must be objects)"))?;
            let rf = Fields::new(row);
            let card_id = rf.int("card_id")?.ok_or_else(|| crate::wire::required("card_id"))?;
            let order_no = rf.int("order_no")?.ok_or_else(|| crate::wire::required("order_no"))?;
            order.push((card_id, order_no));
        }
        let mut l = ledger::lock(&s.ledger);
        let sub = named(&mut l, &f)?;
        for (card_id, _) in &order {
            if !sub.cards.iter().any(|c| c.card_id == *card_id) {
                return Err(ApiError::invalid_rc(25, format!("Kart bulunamadı: {card_id} (card_not_found)")));
            }
        }
        let named_max = order.iter().map(|(_, o)| *o).max().unwrap_or(0);
        for card in &mut sub.cards {
            match order.iter().find(|(id, _)| *id == card.card_id) {
                Some((_, o)) => card.order_no = *o,
                None => card.order_no += named_max,
            }
        }
        Ok(json_ok(&ok_body("subscription_card_info_arrange")))
    })())
}

/// `create_card_tds_initial`: a card for the subscription, verified on the bank's page,
/// which posts back to the shop's `return_url`; `create_card_tds_confirm` then saves it.
pub async fn create_card_tds_initial(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let return_url = f.http_url("return_url", 256)?.ok_or_else(|| crate::wire::required("return_url"))?;
        // This service names the CVC `cvv`; read_card reads `cvc`.
        let mut card_fields = map.clone();
        if let Some(cvv) = map.get("cvv") {
            card_fields.insert("cvc".into(), cvv.clone());
        }
        let mut card = super::read_card(&Fields::new(&card_fields))?;
        if card.card_holder.is_empty() {
            card.card_holder = "-".into();
        }
        if super::is_expired(&s, card.month, card.year) {
            return Err(ApiError::invalid("Kartın son kullanma tarihi geçmiş (the card has expired)"));
        }
        let label = f.string("label", 100)?;
        let mut l = ledger::lock(&s.ledger);
        let i = l.subscriptions.index_of(&f)?;
        let sub = &l.subscriptions.list[i];
        let ratio_bp = ratio(0).unwrap_or_default();
        let attempt = Attempt {
            card,
            xact_type: XactType::Sale,
            transaction_type: 1,
            split: money::split(sub.amount, ratio_bp, false),
            ratio_bp,
            instalment: 0,
            reference_no: sub.reference_no.clone(),
            description: label.unwrap_or_default(),
            email: None,
            phone: None,
            agent_id: sub.agent_id.clone(),
            ratio_code: String::new(),
            is_tds: true,
            user_id: "PaynetSubscription",
            company_amount: None,
            is_escrow: false,
        };
        let session_id = format!("js_{}", s.rng.token(24));
        let token_id = s.rng.guid();
        l.tds.insert(
            session_id.clone(),
            super::tds::TdsSession {
                token_id: token_id.clone(),
                prepared: super::payment::Prepared::plain(attempt),
                return_url,
                domain: String::new(),
                state: super::tds::TdsState::Pending { tries_left: super::bank_page::OTP_TRIES },
                charged: None,
            },
        );
        let post_url = super::bank_page::post_url(&s, &session_id);
        let html = crate::pages::auto_submit("get", &post_url, &[], "Bankaya yönlendiriliyorsunuz (to the bank)");
        let mut body = ok_body("subscription_create_card_tds_initial");
        body["post_url"] = json!(post_url);
        body["html_content"] = json!(html);
        body["session_id"] = json!(session_id);
        body["token_id"] = json!(token_id);
        Ok(json_ok(&body))
    })())
}

pub async fn create_card_tds_confirm(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response((|| {
        let map = parse_object(&body)?;
        let f = Fields::new(&map);
        let session_id = f.required_string("session_id", 100)?;
        let token_id = f.required_string("token_id", 100)?;
        let mut l = ledger::lock(&s.ledger);
        let session = l
            .tds
            .get(&session_id)
            .filter(|t| t.token_id == token_id)
            .ok_or_else(|| ApiError::invalid_rc(rc::PAYNETJ_NO_SESSION, "3D oturumu bulunamadı (no such 3D session)"))?;
        match session.state {
            super::tds::TdsState::Verified => {}
            super::tds::TdsState::Failed(failure) => {
                return Err(ApiError::invalid_rc(rc::PAYNETJ_3D_ERROR, failure.message()));
            }
            super::tds::TdsState::Pending { .. } => {
                return Err(ApiError::invalid_rc(rc::PAYNETJ_3D_ERROR, "3D doğrulama tamamlanmadı (3D Secure is not complete)"));
            }
        }
        let Some(session) = l.tds.remove(&session_id) else {
            return Err(ApiError::invalid_rc(rc::PAYNETJ_NO_SESSION, "3D oturumu bulunamadı (no such 3D session)"));
        };
        let reference_no = session.prepared.attempt.reference_no.clone();
        let card_id = l.subscriptions.new_card_id();
        let i = *l
            .subscriptions
            .by_reference
            .get(&reference_no)
            .ok_or_else(|| ApiError::not_found_tx("Düzenli ödeme bulunamadı (no such subscription)"))?;
        let sub = &mut l.subscriptions.list[i];
        let order_no = sub.cards.iter().map(|c| c.order_no).max().unwrap_or(0) + 1;
        let a = session.prepared.attempt;
        let label = if a.description.is_empty() { cards::mask(&a.card.pan) } else { a.description.clone() };
        let card = SubCard { card_id, card: a.card, label, order_no };
        let mut body = ok_body("subscription_create_card_tds_confirm");
        body["card"] = card_body(&card);
        body["card_id"] = json!(card_id);
        body["subscription_id"] = json!(sub.id.to_string());
        body["reference_no"] = json!(sub.reference_no);
        sub.cards.push(card);
        if sub.status == SubStatus::Waiting {
            sub.status = SubStatus::Active;
            sub.plan_invoices(&s);
        }
        drop(l);
        bill_due(&s);
        Ok(json_ok(&body))
    })())
}
