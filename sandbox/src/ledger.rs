//! The in-memory ledger: every transaction attempt, its indexes, saved cards, Paynet.js
//! and 3D sessions, PayLinks. One `std::sync::Mutex` guards it all; no handler holds it across
//! an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, FixedOffset, NaiveDate};
use tokio::sync::watch;

use crate::cards::{Bank, Decline};
use crate::money::Split;

/// The first transaction id, taken from the S001 example.
pub const FIRST_ID: u64 = 2_049_043;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XactType {
    Sale,
    PreAuth,
    Capture,
    /// A same-day cancel of a sale or capture (`reversed_request`, approved).
    Cancel,
    /// A later, full or partial refund (`reversed_request`, approved).
    Refund,
    PreAuthReversal,
    CaptureReversal,
}

impl XactType {
    /// Paynet's `xact_type` codes (paynet-api.md §6).
    pub fn code(self) -> &'static str {
        match self {
            XactType::Sale => "S",
            XactType::PreAuth => "PR",
            XactType::Capture => "CR",
            XactType::Cancel => "R",
            XactType::Refund => "CD",
            XactType::PreAuthReversal => "RP",
            XactType::CaptureReversal => "RC",
        }
    }

    /// `xact_type_desc`, in Turkish like the rest of Paynet's texts.
    pub fn description(self) -> &'static str {
        match self {
            XactType::Sale => "Satış",
            XactType::PreAuth => "Ön Provizyon",
            XactType::Capture => "Finansallaştırma",
            XactType::Cancel => "İptal",
            XactType::Refund => "İade",
            XactType::PreAuthReversal => "Ön Provizyon İptali",
            XactType::CaptureReversal => "Finansallaştırma İptali",
        }
    }

    /// How a successful row of this type moves the merchant's money: +1 charged, -1 paid
    /// back to the card, 0 only an authorisation (pre-auths and their reversals).
    pub fn money_sign(self) -> i64 {
        match self {
            XactType::Sale | XactType::Capture => 1,
            XactType::Cancel | XactType::Refund | XactType::CaptureReversal => -1,
            XactType::PreAuth | XactType::PreAuthReversal => 0,
        }
    }

    pub fn is_reversal(self) -> bool {
        matches!(
            self,
            XactType::Cancel
                | XactType::Refund
                | XactType::PreAuthReversal
                | XactType::CaptureReversal
        )
    }
}

/// What happened to a transaction after it was made: the transaction services' state.
#[derive(Debug, Clone, Default)]
pub struct AfterSale {
    /// A pre-auth's `RP` row or a capture's `RC` row: the transaction is void.
    pub voided_by: Option<u64>,
    /// Set by `mark_transferred`.
    pub transfer: Option<Transfer>,
    /// Set by `add_info`; shown instead of the `reference_no` as `agent_reference`.
    pub agent_reference: Option<String>,
    /// `Some` for a payment charged with `is_escrow`.
    pub escrow: Option<EscrowStatus>,
    /// The token of its receipt page, once `slip` was asked for.
    pub slip_token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Transfer {
    pub document_no: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscrowStatus {
    Waiting = 1,
    Approved = 2,
    Rejected = 3,
}

/// Card-storage outcome attached to a transaction (the `card_*` response fields).
#[derive(Debug, Clone, Default)]
pub struct CardStorage {
    pub card_hash: String,
    pub card_owner_id: String,
    pub user_unique_id: String,
    pub is_save_card_succeed: bool,
    pub save_card_result_message: String,
    pub card_bank_id: String,
    pub card_logo_url: String,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: u64,
    pub xact_id: String,
    pub date: DateTime<FixedOffset>,
    pub due_date: NaiveDate,
    pub xact_type: XactType,
    /// The numeric `transaction_type` reported for this entry (1, 2/3, or 4 for a capture).
    pub transaction_type: u8,
    pub is_succeed: bool,
    pub decline: Option<Decline>,
    pub split: Split,
    pub ratio_bp: u32,
    pub instalment: i64,
    pub bank: Bank,
    pub card_masked: String,
    pub card_brand: &'static str,
    /// `cc` credit, `dc` debit, `bc` business (Paynet's `card_type`).
    pub card_type: &'static str,
    pub card_holder: String,
    /// The NNNN of `aut-NNNN` / `ref-NNNN` / `order-NNNN`.
    pub bank_code: u16,
    pub reference_no: String,
    pub description: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub agent_id: String,
    pub ratio_code: String,
    pub is_tds: bool,
    pub user_id: &'static str,
    /// The main company's share (`company_amount` of the payment), kuruş; `None` = all.
    pub company_amount: Option<i64>,
    /// For a capture: the pre-auth's id; for a reversal row: the transaction it reverses.
    pub parent: Option<u64>,
    /// For a pre-auth: its capture's id while captured (a capture reversal clears it).
    pub captured_by: Option<u64>,
    pub storage: CardStorage,
    pub after: AfterSale,
}

impl Entry {
    pub fn authorization_code(&self) -> String {
        if self.is_succeed {
            format!("aut-{:04}", self.bank_code)
        } else {
            String::new()
        }
    }
    pub fn reference_code(&self) -> String {
        format!("ref-{:04}", self.bank_code)
    }
    pub fn order_id(&self) -> String {
        format!("order-{:04}", self.bank_code)
    }
    /// Counts in the settlement report: money charged, or paid back.
    pub fn is_payable(&self) -> bool {
        self.is_succeed && self.xact_type.money_sign() != 0
    }

    /// `amount` with the sign of its effect on the merchant's money.
    pub fn signed_amount(&self) -> i64 {
        self.xact_type.money_sign() * self.split.amount
    }
}

/// A Paynet.js session created by `/__sandbox/paynetjs/session`.
#[derive(Debug, Clone)]
pub struct JsSession {
    pub token_id: String,
    pub amount: i64,
    pub add_comission_amount: bool,
    pub ratio_code: String,
    pub installments: String,
    pub no_instalment: bool,
    pub tds_required: bool,
    pub instalment: i64,
    pub card: CardData,
    /// Set when a charge on this session has completed: success id or a decline.
    pub result: Option<SessionResult>,
}

#[derive(Debug, Clone, Copy)]
pub enum SessionResult {
    Succeeded(u64),
    Declined,
}

#[derive(Debug, Clone)]
pub struct CardData {
    pub pan: String,
    pub month: u32,
    pub year: i32,
    pub card_holder: String,
}

#[derive(Default)]
pub struct Ledger {
    entries: Vec<Entry>,
    by_xact_id: HashMap<String, usize>,
    /// Payment attempts (sales and pre-auths) per reference_no, oldest first.
    by_reference: HashMap<String, Vec<usize>>,
    /// Successful money-moving rows (sales, captures, cancels, refunds, capture reversals)
    /// per due date, in id order.
    by_due_date: BTreeMap<NaiveDate, Vec<usize>>,
    in_flight: HashMap<String, watch::Sender<()>>,
    /// Saved cards, their owners and the card OTPs.
    pub vault: crate::vault::Vault,
    /// The merchant's ratio types (`v1/ratio/set_type`, `define`).
    pub ratio_types: crate::handlers::ratio::RatioTypes,
    /// Unopened agent panel links (`v1/agent/autologin`).
    pub agent_gates: crate::handlers::agent::Gates,
    /// What payments in flight hold of their agents' limits.
    pub limit_holds: crate::handlers::agent::LimitHolds,
    pub sessions: HashMap<String, JsSession>,
    /// 3D sessions by `session_id`. Under the ledger's lock because `tds_charge` checks
    /// and records into the ledger in one step.
    pub tds: HashMap<String, crate::handlers::tds::TdsSession>,
    /// PayLinks; paying one records into the ledger and marks the link in one step.
    pub links: crate::handlers::paylink::Links,
    /// Cancel and refund requests (`reversed_request`) and their review.
    pub reversals: crate::handlers::reversal::Reversals,
    /// Subscriptions, their cards and invoices; billing records into the ledger.
    pub subscriptions: crate::handlers::subscription::Subscriptions,
    /// Merchant applications (`v1/membership/*`).
    pub applications: crate::handlers::membership::Applications,
    /// Receipt page token (`slip`) → transaction id.
    pub slips: HashMap<String, u64>,
}

impl Ledger {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn next_id(&self) -> u64 {
        FIRST_ID + self.entries.len() as u64
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, id: u64) -> Option<&Entry> {
        let idx = usize::try_from(id.checked_sub(FIRST_ID)?).ok()?;
        self.entries.get(idx)
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Entry> {
        let idx = usize::try_from(id.checked_sub(FIRST_ID)?).ok()?;
        self.entries.get_mut(idx)
    }

    pub fn by_xact_id(&self, xact_id: &str) -> Option<&Entry> {
        self.by_xact_id.get(xact_id).map(|&i| &self.entries[i])
    }

    /// The latest successful attempt for a reference, else the latest attempt.
    pub fn by_reference(&self, reference_no: &str) -> Option<&Entry> {
        let attempts = self.by_reference.get(reference_no)?;
        attempts
            .iter()
            .rev()
            .map(|&i| &self.entries[i])
            .find(|e| e.is_succeed)
            .or_else(|| attempts.last().map(|&i| &self.entries[i]))
    }

    pub fn successful_by_reference(&self, reference_no: &str) -> Option<&Entry> {
        self.by_reference
            .get(reference_no)?
            .iter()
            .rev()
            .map(|&i| &self.entries[i])
            .find(|e| e.is_succeed)
    }

    pub fn payable_on(&self, date: NaiveDate) -> impl Iterator<Item = &Entry> {
        self.by_due_date
            .get(&date)
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
    }

    /// Appends an entry whose `id` must be `next_id()`; keeps every index in step.
    pub fn push(&mut self, entry: Entry) -> &Entry {
        debug_assert_eq!(entry.id, self.next_id());
        let idx = self.entries.len();
        self.by_xact_id.insert(entry.xact_id.clone(), idx);
        if !entry.reference_no.is_empty()
            && matches!(entry.xact_type, XactType::Sale | XactType::PreAuth)
        {
            self.by_reference
                .entry(entry.reference_no.clone())
                .or_default()
                .push(idx);
        }
        if entry.is_payable() {
            self.by_due_date
                .entry(entry.due_date)
                .or_default()
                .push(idx);
        }
        self.entries.push(entry);
        &self.entries[idx]
    }

    pub fn reserve_capacity(&mut self, n: usize) {
        self.entries.reserve(n);
        self.by_xact_id.reserve(n);
    }
}

pub type SharedLedger = Arc<Mutex<Ledger>>;

/// Poisoning only means another handler panicked mid-update; the sandbox keeps serving.
pub fn lock(ledger: &Mutex<Ledger>) -> MutexGuard<'_, Ledger> {
    ledger.lock().unwrap_or_else(|e| e.into_inner())
}

/// Exclusive right to run one money-moving attempt for a key (a reference_no or a
/// Paynet.js session). Released on drop, also when the handler future is cancelled, so
/// a client that disconnects mid-request never blocks later retries.
pub struct Reservation {
    ledger: SharedLedger,
    key: String,
}

impl Reservation {
    /// Releases the key under a lock the caller already holds (the std mutex is not
    /// re-entrant, so dropping the reservation there would deadlock).
    pub fn release_in(mut self, ledger: &mut Ledger) {
        ledger.in_flight.remove(&self.key);
        self.key.clear();
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.key.is_empty() {
            // Dropping the sender wakes every waiter; they re-check the ledger.
            lock(&self.ledger).in_flight.remove(&self.key);
        }
    }
}

pub enum Claim {
    /// No earlier success and nobody else busy: go ahead.
    Owner(Reservation),
    /// An earlier attempt succeeded: answer with it (code 100).
    Replay(Box<Entry>),
}

/// Serializes attempts per key: while one attempt for `key` is in flight (e.g. sleeping
/// in the slow bank), identical requests wait for it and then either replay its success
/// or become the next attempt. This is what keeps two concurrent identical payments
/// down to one charge.
pub async fn claim(
    ledger: &SharedLedger,
    key: String,
    find: impl Fn(&Ledger) -> Option<u64>,
) -> Claim {
    loop {
        let mut rx = {
            let mut l = lock(ledger);
            if let Some(e) = find(&l).and_then(|id| l.get(id)) {
                return Claim::Replay(Box::new(e.clone()));
            }
            match l.in_flight.get(&key) {
                Some(tx) => tx.subscribe(),
                None => {
                    let (tx, _) = watch::channel(());
                    l.in_flight.insert(key.clone(), tx);
                    return Claim::Owner(Reservation {
                        ledger: Arc::clone(ledger),
                        key,
                    });
                }
            }
        };
        // Err means the owner dropped its reservation, which is the only signal we need.
        let _ = rx.changed().await;
    }
}
