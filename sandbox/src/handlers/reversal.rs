//! Cancels and refunds. `v1/transaction/reversed_request` files a request that Paynet's
//! operations review (here: the admin's decision, or at once with
//! `auto_approve_reversals`); an approved request becomes an `R` (cancel) or `CD`
//! (refund) row of the ledger, and the shop hears of either decision at its `succeedUrl`.
//! `v1/transaction/reversal_list` lists the requests.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::listing::{Page, date_range};
use super::lookup;
use super::responses::MSG_OK;
use super::{json_ok, unwrap_response};
use crate::Shared;
use crate::ledger::{self, AfterSale, Entry, Ledger, XactType};
use crate::money::{self, Split, Tl};
use crate::outbound;
use crate::util;
use crate::wire::{ApiError, ApiResult, Fields, parse_object, rc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Pending,
    Approved,
    Rejected,
}

impl Review {
    fn name(self) -> &'static str {
        match self {
            Review::Pending => "pending",
            Review::Approved => "approved",
            Review::Rejected => "rejected",
        }
    }
}

pub struct ReversalRequest {
    /// Also the `xact_id` of its ledger row once approved.
    pub reversal_id: String,
    /// The sale or capture it pays back.
    pub original: u64,
    pub amount: i64,
    /// [`XactType::Cancel`] or [`XactType::Refund`].
    pub kind: XactType,
    pub review: Review,
    pub request_date: DateTime<FixedOffset>,
    pub decision_date: Option<DateTime<FixedOffset>>,
    succeed_url: Option<String>,
}

/// Requests in filing order, with their lookups.
#[derive(Default)]
pub struct Reversals {
    list: Vec<ReversalRequest>,
    by_id: HashMap<String, usize>,
    /// Transaction id → its requests, oldest first.
    of: HashMap<u64, Vec<usize>>,
}

impl Reversals {
    fn push(&mut self, request: ReversalRequest) -> usize {
        let idx = self.list.len();
        self.by_id.insert(request.reversal_id.clone(), idx);
        self.of.entry(request.original).or_default().push(idx);
        self.list.push(request);
        idx
    }

    pub fn of(&self, id: u64) -> impl Iterator<Item = &ReversalRequest> {
        self.of
            .get(&id)
            .into_iter()
            .flatten()
            .map(|&i| &self.list[i])
    }

    /// Kuruş of transaction `id` asked back: (pending, approved).
    pub fn claimed(&self, id: u64) -> (i64, i64) {
        self.of(id).fold((0, 0), |(p, a), r| match r.review {
            Review::Pending => (p + r.amount, a),
            Review::Approved => (p, a + r.amount),
            Review::Rejected => (p, a),
        })
    }

    pub fn all(&self) -> &[ReversalRequest] {
        &self.list
    }
}

/// How far a transaction has been paid back, as `check` and `detail` report it.
pub struct Reversed<'l> {
    /// Void (a reversed pre-auth or capture), or cancelled / refunded in full.
    pub reversed: bool,
    /// The row that voided it, else the latest approved cancel or refund.
    pub reversed_xact_id: Option<&'l str>,
    /// Approved cancels and refunds, kuruş.
    pub refunded: i64,
}

pub fn reversed<'l>(l: &'l Ledger, e: &Entry) -> Reversed<'l> {
    if let Some(row) = e.after.voided_by.and_then(|id| l.get(id)) {
        return Reversed {
            reversed: true,
            reversed_xact_id: Some(&row.xact_id),
            refunded: 0,
        };
    }
    let approved = l
        .reversals
        .of(e.id)
        .filter(|r| r.review == Review::Approved);
    let (refunded, last) = approved.fold((0, None), |(sum, _), r| {
        (sum + r.amount, Some(r.reversal_id.as_str()))
    });
    Reversed {
        reversed: refunded > 0 && refunded == e.split.amount,
        reversed_xact_id: last,
        refunded,
    }
}

/// A reversal row of `original`, dated `now`: what the ledger shows for a cancel, a refund
/// or a pre-auth / capture reversal. Amounts stay positive; `xact_type` gives the sign.
/// Voids the pre-auth `pre_id` in full: its reversal row recorded and the
/// pre-auth marked voided by it. The void's id, or `None` if there is no such row.
pub fn void_preauth(s: &Shared, l: &mut Ledger, pre_id: u64) -> Option<u64> {
    let pre = l.get(pre_id)?;
    let row = reversal_row(
        s,
        l,
        pre,
        XactType::PreAuthReversal,
        pre.split,
        format!("xk_{}", s.rng.token(40)),
        s.clock.now(),
    );
    let row_id = row.id;
    l.push(row);
    l.get_mut(pre_id)?.after.voided_by = Some(row_id);
    Some(row_id)
}

pub fn reversal_row(
    s: &Shared,
    l: &Ledger,
    original: &Entry,
    kind: XactType,
    split: Split,
    xact_id: String,
    now: DateTime<FixedOffset>,
) -> Entry {
    Entry {
        id: l.next_id(),
        xact_id,
        date: now,
        due_date: now.date_naive() + chrono::Duration::days(s.config.settlement_days),
        xact_type: kind,
        is_succeed: true,
        decline: None,
        split,
        company_amount: None,
        parent: Some(original.id),
        captured_by: None,
        storage: Default::default(),
        after: AfterSale::default(),
        ..original.clone()
    }
}

pub fn refused(message: &str) -> ApiError {
    ApiError::invalid_rc(rc::BAD_REQUEST, message)
}

/// The sale or capture a request for `e` pays back. A captured pre-auth stands for its
/// capture, the transaction that charged the card.
fn chargeable<'l>(l: &'l Ledger, e: &'l Entry) -> ApiResult<&'l Entry> {
    if !e.is_succeed {
        return Err(refused(
            "Başarısız işlem iade edilemez (a declined payment cannot be cancelled or refunded)",
        ));
    }
    let e = match (e.xact_type, e.captured_by) {
        (XactType::PreAuth, Some(capture)) => l.get(capture).ok_or_else(lookup::not_found)?,
        (XactType::PreAuth, None) => {
            return Err(refused(
                "Finansallaştırılmamış ön provizyon iade edilemez; preauth_reversal kullanın \
                 (a pre-auth that was not captured is cancelled with preauth_reversal)",
            ));
        }
        (t, _) if t.is_reversal() => {
            return Err(refused(
                "İptal veya iade işlemi iade edilemez (a reversal cannot be reversed)",
            ));
        }
        _ => e,
    };
    if e.after.voided_by.is_some() {
        return Err(refused(
            "İptal edilmiş finansallaştırma iade edilemez (the capture has been reversed)",
        ));
    }
    Ok(e)
}

/// `amount` ×100; absent or `"0"` is `None`, the full amount.
fn asked_amount(f: &Fields<'_>) -> ApiResult<Option<i64>> {
    if f.int("amount").ok().flatten() == Some(0) {
        return Ok(None);
    }
    f.amount_x100("amount")
}

#[derive(Serialize)]
struct RequestAnswer<'a> {
    object_name: &'a str,
    code: i32,
    message: &'a str,
    reversal_id: &'a str,
}

pub async fn reversed_request(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(file(&s, &body))
}

fn file(s: &Arc<Shared>, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let xact_id = f.required_string("xact_id", 100)?;
    let asked = asked_amount(&f)?;
    let succeed_url = f.http_url("succeedUrl", 256)?;

    // Checked and filed under one lock: two requests cannot both claim the last lira.
    let mut l = ledger::lock(&s.ledger);
    let named = l.by_xact_id(&xact_id).ok_or_else(lookup::not_found)?;
    let original = chargeable(&l, named)?;
    let charged = original.split.amount;
    let (pending, approved) = l.reversals.claimed(original.id);
    let left = charged - pending - approved;
    let amount = asked.unwrap_or(left);
    if left <= 0 || amount > left {
        return Err(refused(&format!(
            "İade tutarı işlem tutarını aşamaz (pending and approved requests would exceed \
             the charged {}: {} asked, {} left)",
            money::format_tl(charged, 2),
            money::format_tl(amount, 2),
            money::format_tl(left.max(0), 2),
        )));
    }
    let same_day = s.clock.today() <= original.date.date_naive();
    if same_day && amount != charged {
        return Err(refused(
            "Aynı gün yalnızca tutarın tamamı iptal edilebilir; kısmi iade ertesi günden itibaren \
             (on the day of the sale only a full cancel is possible; partial refunds from the next day)",
        ));
    }
    let now = s.clock.now();
    let request = ReversalRequest {
        reversal_id: format!("xk_{}", s.rng.token(40)),
        original: original.id,
        amount,
        kind: if same_day {
            XactType::Cancel
        } else {
            XactType::Refund
        },
        review: Review::Pending,
        request_date: now,
        decision_date: None,
        succeed_url,
    };
    let idx = l.reversals.push(request);
    if s.config.auto_approve_reversals {
        decide_at(s, &mut l, idx, true, now);
    }
    Ok(json_ok(&RequestAnswer {
        object_name: "transaction_reversed_request",
        code: 0,
        message: MSG_OK,
        reversal_id: &l.reversals.list[idx].reversal_id,
    }))
}

/// Approves or rejects a pending request: what Paynet's operations do. `Ok` is the
/// request as `reversal_list` shows it.
pub fn decide(s: &Arc<Shared>, reversal_id: &str, approve: bool) -> ApiResult<serde_json::Value> {
    let mut l = ledger::lock(&s.ledger);
    let idx =
        *l.reversals.by_id.get(reversal_id).ok_or_else(|| {
            ApiError::not_found_tx(format!("no reversal request {reversal_id:?}"))
        })?;
    let request = &l.reversals.list[idx];
    if request.review != Review::Pending {
        return Err(ApiError::invalid_rc(
            rc::NO_PROCESS,
            format!(
                "reversal request {reversal_id:?} has already been {}",
                request.review.name()
            ),
        ));
    }
    decide_at(s, &mut l, idx, approve, s.clock.now());
    serde_json::to_value(request_row(&l, &l.reversals.list[idx]))
        .map_err(|e| ApiError::invalid(e.to_string()))
}

/// The post to `succeedUrl`, field order as in AFTER-SALE.md.
#[derive(Serialize)]
struct Decision<'a> {
    xact_id: &'a str,
    original_xact_id: &'a str,
    amount: Tl,
    status: &'a str,
    xact_type: &'a str,
    is_succeed: bool,
}

fn decide_at(
    s: &Arc<Shared>,
    l: &mut Ledger,
    idx: usize,
    approve: bool,
    now: DateTime<FixedOffset>,
) {
    let request = &mut l.reversals.list[idx];
    request.review = if approve {
        Review::Approved
    } else {
        Review::Rejected
    };
    request.decision_date = Some(now);
    let request = &l.reversals.list[idx];
    let Some(original) = l.get(request.original) else {
        return;
    };
    let body = Decision {
        xact_id: &request.reversal_id,
        original_xact_id: &original.xact_id,
        amount: Tl(request.amount),
        status: request.review.name(),
        xact_type: request.kind.code(),
        is_succeed: approve,
    };
    let post = request.succeed_url.clone().map(|url| {
        (
            url,
            original.reference_no.clone(),
            request.reversal_id.clone(),
            serde_json::to_vec(&body).unwrap_or_default(),
        )
    });
    if approve {
        // Everything approved before this one, so the commission goes back pro rata.
        let before: i64 = l
            .reversals
            .of(original.id)
            .filter(|r| r.review == Review::Approved && r.reversal_id != request.reversal_id)
            .map(|r| r.amount)
            .sum();
        let split = money::refund_split(original.split, before, request.amount);
        let row = reversal_row(
            s,
            l,
            original,
            request.kind,
            split,
            request.reversal_id.clone(),
            now,
        );
        l.push(row);
    }
    if let Some((url, reference_no, xact_id, body)) = post {
        outbound::spawn_delivery(
            s,
            outbound::Log::ReversalPosts,
            url,
            reference_no,
            xact_id,
            body,
        );
    }
}

/// `POST /__sandbox/reversals/{id}` with `{"decision": "approve" | "reject"}`.
pub async fn review(
    State(s): State<Arc<Shared>>,
    Path(reversal_id): Path<String>,
    body: Bytes,
) -> Response {
    let decided = parse_object(&body).and_then(|map| {
        let approve = match Fields::new(&map).required_string("decision", 16)?.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(ApiError::invalid("decision must be approve or reject")),
        };
        decide(&s, &reversal_id, approve)
    });
    match decided {
        Ok(row) => json_ok(&row),
        Err(e) => e.into_response(),
    }
}

/// `GET /__sandbox/reversals`: every request and every `succeedUrl` delivery attempt.
pub async fn admin_list(State(s): State<Arc<Shared>>) -> Response {
    let l = ledger::lock(&s.ledger);
    let rows: Vec<RequestRow<'_>> = l
        .reversals
        .all()
        .iter()
        .map(|r| request_row(&l, r))
        .collect();
    let posts = crate::lock(&s.reversal_posts);
    json_ok(&serde_json::json!({ "reversals": rows, "posts": *posts }))
}

/// A request as `reversal_list` reports it.
#[derive(Serialize)]
struct RequestRow<'a> {
    reversal_id: &'a str,
    xact_id: &'a str,
    reference_no: &'a str,
    amount: Tl,
    status: &'a str,
    xact_type: &'a str,
    request_date: String,
    decision_date: Option<String>,
    bank_id: &'a str,
    agent_id: &'a str,
}

fn request_row<'a>(l: &'a Ledger, r: &'a ReversalRequest) -> RequestRow<'a> {
    let original = l.get(r.original);
    RequestRow {
        reversal_id: &r.reversal_id,
        xact_id: original.map(|e| e.xact_id.as_str()).unwrap_or_default(),
        reference_no: original
            .map(|e| e.reference_no.as_str())
            .unwrap_or_default(),
        amount: Tl(r.amount),
        status: r.review.name(),
        xact_type: r.kind.code(),
        request_date: util::iso_7(&r.request_date),
        decision_date: r.decision_date.as_ref().map(util::iso_7),
        bank_id: original.map(|e| e.bank.id).unwrap_or_default(),
        agent_id: original.map(|e| e.agent_id.as_str()).unwrap_or_default(),
    }
}

pub async fn reversal_list(State(s): State<Arc<Shared>>, body: Bytes) -> Response {
    unwrap_response(list(&s, &body))
}

fn list(s: &Shared, body: &[u8]) -> ApiResult<Response> {
    let map = parse_object(body)?;
    let f = Fields::new(&map);
    let days = date_range(&f)?;
    let agent_id = f.string("agent_id", 10)?;
    let bank_id = f.string("bank_id", 4)?;
    let page = Page::read(&f)?;

    let l = ledger::lock(&s.ledger);
    let mut matching: Vec<&ReversalRequest> = l
        .reversals
        .all()
        .iter()
        .filter(|r| days.contains(&r.request_date.date_naive()))
        .filter(|r| {
            let original = l.get(r.original);
            agent_id
                .as_ref()
                .is_none_or(|a| original.is_some_and(|e| e.agent_id == *a))
                && bank_id
                    .as_ref()
                    .is_none_or(|b| original.is_some_and(|e| e.bank.id == b))
        })
        .collect();
    // Filing order is id order; a clock set back can make it disagree with the dates.
    matching.sort_by_key(|r| r.request_date);
    Ok(json_ok(&page.answer(
        "transaction_reversal_list",
        &matching,
        |r| request_row(&l, r),
    )))
}
