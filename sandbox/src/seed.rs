//! Bulk test data: successful sales written straight into the ledger, spread over a range
//! of days. For benchmarks and for the SDK's pagination tests, which need a thousand
//! transactions over several days in one call instead of a thousand payments.

use chrono::{Duration, NaiveDate, NaiveTime};
use serde::Serialize;

use crate::Shared;
use crate::cards;
use crate::clock::istanbul;
use crate::handlers::payment::COMPANY_CODE;
use crate::ledger::{self, AfterSale, CardStorage, Entry, XactType};
use crate::money;
use crate::util::Rng;

/// Upper bound for one call, to keep a typo from eating the machine's memory.
pub const MAX_SEED: usize = 2_000_000;
/// The longest range of days one call spreads its sales over.
pub const MAX_SEED_DAYS: i64 = 3660;
const SEED_CARD: &str = "4355084355084358";
/// Seeded sales happen during business hours, 09:00–21:00 Istanbul time.
const FIRST_SECOND: u32 = 9 * 3600;
const DAY_SECONDS: u32 = 12 * 3600;

/// What [`crate::Sandbox::seed_sales`] inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSpec {
    pub count: usize,
    /// The first and last day (Istanbul) of the sales' `xact_date`; days get equal shares,
    /// the earlier days one more when `count` does not divide evenly.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// What each sale charges, in kuruş.
    pub amount: i64,
    /// The same seed on the same ledger gives the same times, `xact_id`s and bank codes.
    pub seed: u64,
}

/// The ids of what was inserted: `first_id..=last_id`, in date order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    pub inserted: usize,
    pub first_id: u64,
    pub last_id: u64,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

pub fn seed(s: &Shared, spec: &SeedSpec) -> Result<SeedReport, String> {
    if !(1..=MAX_SEED).contains(&spec.count) {
        return Err(format!("count must be between 1 and {MAX_SEED}"));
    }
    let days = (spec.to - spec.from).num_days() + 1;
    if !(1..=MAX_SEED_DAYS).contains(&days) {
        return Err(format!(
            "from must not be after to, and the range at most {MAX_SEED_DAYS} days"
        ));
    }
    if spec.amount <= 0 {
        return Err("amount must be greater than zero".to_owned());
    }
    let ratio_bp = money::ratio_for(0).unwrap_or(0);
    let split = money::split(spec.amount, ratio_bp, false);
    let bank = cards::bank_for(SEED_CARD);
    let masked = cards::mask(SEED_CARD);
    let settlement = Duration::days(s.config.settlement_days);

    let mut l = ledger::lock(&s.ledger);
    let first_id = l.next_id();
    // Mixing in the first id keeps a second call with the same seed from repeating xact_ids.
    let rng = Rng::seeded(spec.seed ^ first_id.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    l.reserve_capacity(spec.count);
    let count = spec.count as u64;
    let days = days as u64;
    for i in 0..count {
        // Sale i falls on day ⌊i·days/count⌋; within its day the times rise with the ids.
        let day = i * days / count;
        let first_of_day = (day * count).div_ceil(days);
        let next_day_first = ((day + 1) * count).div_ceil(days);
        let per_day = (next_day_first - first_of_day).max(1);
        let slot = u64::from(DAY_SECONDS) / per_day;
        let second = (i - first_of_day) * slot + rng.below(slot.max(1));
        let time = NaiveTime::from_num_seconds_from_midnight_opt(FIRST_SECOND + second as u32, 0)
            .unwrap_or_default();
        let date = (spec.from + Duration::days(day as i64))
            .and_time(time)
            .and_local_timezone(istanbul())
            .single()
            .ok_or_else(|| "a seeded date is out of range".to_owned())?;
        let entry = Entry {
            id: l.next_id(),
            xact_id: format!("xk_{}", rng.token(40)),
            date,
            due_date: date.date_naive() + settlement,
            xact_type: XactType::Sale,
            transaction_type: 1,
            is_succeed: true,
            decline: None,
            split,
            ratio_bp,
            instalment: 0,
            bank,
            card_masked: masked.clone(),
            card_brand: "VISA",
            card_type: "cc",
            card_holder: "SANDBOX SEED".to_owned(),
            bank_code: 1000 + rng.below(9000) as u16,
            reference_no: String::new(),
            description: String::new(),
            email: None,
            phone: None,
            agent_id: COMPANY_CODE.to_owned(),
            ratio_code: String::new(),
            is_tds: false,
            user_id: "PaynetApi",
            company_amount: None,
            parent: None,
            captured_by: None,
            storage: CardStorage::default(),
            after: AfterSale::default(),
        };
        l.push(entry);
    }
    Ok(SeedReport {
        inserted: spec.count,
        first_id,
        last_id: l.next_id() - 1,
        from: spec.from,
        to: spec.to,
    })
}

/// What [`crate::Sandbox::seed_demo`] inserts: a shop's month as an analyst would
/// see it, reproducible from `seed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// The first and last day (Istanbul) of the transactions.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Card attempts per day on average (each day varies by up to ±30 %).
    pub per_day: usize,
    pub seed: u64,
}

/// Test card BINs of several banks, each with its card types' shares of sales.
const DEMO_BINS: [&str; 9] = ["435508", "545616", "450634", "450803", "428220", "409070", "453144", "540667", "581877"];
/// The main company and its dealers (`agent_id`): a sale is the main company's half the time.
const DEMO_DEALERS: [&str; 3] = ["1001A", "1001B", "1001C"];
const DEMO_HOLDERS: [&str; 8] = ["AYŞE YILMAZ", "MEHMET KAYA", "ZEYNEP DEMİR", "MUSTAFA ÇELİK", "ELİF ŞAHİN", "AHMET YILDIZ", "FATMA ÖZTÜRK", "EMRE AYDIN"];
/// Instalment counts of credit-card sales, by weight (debit and business cards pay at once).
const DEMO_INSTALMENTS: [(i64, u64); 6] = [(0, 50), (2, 8), (3, 18), (6, 13), (9, 7), (12, 4)];

/// A month of realistic traffic: sales over several banks and card types with instalments,
/// declines (which never reach the settlement report), pre-auths (most captured some hours
/// later, the rest left open), dealers' sales, and refunds of earlier sales.
pub fn seed_demo(s: &Shared, spec: &DemoSpec) -> Result<SeedReport, String> {
    let days = (spec.to - spec.from).num_days() + 1;
    if !(1..=MAX_SEED_DAYS).contains(&days) {
        return Err(format!("from must not be after to, and the range at most {MAX_SEED_DAYS} days"));
    }
    if !(1..=10_000).contains(&spec.per_day) || spec.per_day as i64 * days > MAX_SEED as i64 {
        return Err(format!("per_day must be between 1 and 10000, and per_day × days at most {MAX_SEED}"));
    }
    let settlement = Duration::days(s.config.settlement_days);
    let rng = Rng::seeded(spec.seed);
    let mut l = ledger::lock(&s.ledger);
    let first_id = l.next_id();
    // Successful sales and captures so far: (id, amount in kuruş), for refunds.
    let mut refundable: Vec<(u64, i64)> = Vec::new();
    for day in 0..days {
        let date = spec.from + Duration::days(day);
        let spread = (spec.per_day as u64 * 6 / 10).max(1);
        let count = spec.per_day as u64 * 7 / 10 + rng.below(spread + 1);
        // The day's events in time order: (second of the day, what).
        let mut events: Vec<(u32, Demo)> = (0..count).map(|_| (rng.below(u64::from(DAY_SECONDS)) as u32, Demo::Attempt)).collect();
        for _ in 0..(count / 25).max(u64::from(day > 0)) {
            if !refundable.is_empty() {
                let (id, amount) = refundable[rng.below(refundable.len() as u64) as usize];
                events.push((rng.below(u64::from(DAY_SECONDS)) as u32, Demo::Refund { id, amount }));
            }
        }
        events.sort_by_key(|(second, _)| *second);
        let at = |second: u32| {
            let time = NaiveTime::from_num_seconds_from_midnight_opt(FIRST_SECOND + second.min(DAY_SECONDS - 1), 0).unwrap_or_default();
            date.and_time(time).and_local_timezone(istanbul()).single().ok_or_else(|| "a seeded date is out of range".to_owned())
        };
        let mut captures: Vec<(u32, u64)> = Vec::new();
        let mut i = 0;
        while i < events.len() || !captures.is_empty() {
            // A capture due before the next event goes first, keeping ids in time order.
            let next_event = events.get(i).map_or(u32::MAX, |(second, _)| *second);
            if let Some(pos) = captures.iter().position(|(second, _)| *second <= next_event) {
                let (second, pre_id) = captures.remove(pos);
                let pre = l.get(pre_id).cloned().ok_or("a pre-auth vanished")?;
                let entry = Entry {
                    id: l.next_id(),
                    xact_id: format!("xk_{}", rng.token(40)),
                    date: at(second)?,
                    due_date: date + settlement,
                    xact_type: XactType::Capture,
                    transaction_type: 4,
                    parent: Some(pre_id),
                    captured_by: None,
                    ..pre
                };
                refundable.push((entry.id, entry.split.amount));
                let id = entry.id;
                l.push(entry);
                if let Some(pre) = l.get_mut(pre_id) {
                    pre.captured_by = Some(id);
                }
                continue;
            }
            let (second, event) = events[i];
            i += 1;
            let when = at(second)?;
            match event {
                Demo::Attempt => {
                    let bin = DEMO_BINS[rng.below(DEMO_BINS.len() as u64) as usize];
                    let pan = format!("{bin}{:06}{:04}", rng.below(1_000_000), rng.below(10_000));
                    let card_type = match rng.below(100) {
                        0..75 => "cc",
                        75..95 => "dc",
                        _ => "bc",
                    };
                    let instalment = if card_type == "cc" { weighted(&rng, &DEMO_INSTALMENTS) } else { 0 };
                    let ratio_bp = money::ratio_for(instalment).unwrap_or(0);
                    // 25–4 000 TL, most of them small, in whole kuruş.
                    let tl = 25 + rng.below(400) * rng.below(10) + rng.below(100);
                    let amount = (tl * 100 + rng.below(100)) as i64;
                    let decline = match rng.below(100) {
                        0..4 => Some(cards::INSUFFICIENT_FUNDS),
                        4..6 => Some(cards::DO_NOT_HONOUR),
                        6..7 => Some(cards::EXPIRED_CARD),
                        _ => None,
                    };
                    let pre_auth = decline.is_none() && rng.below(100) < 10;
                    let agent_id = if rng.below(2) == 0 { COMPANY_CODE } else { DEMO_DEALERS[rng.below(DEMO_DEALERS.len() as u64) as usize] };
                    let entry = Entry {
                        id: l.next_id(),
                        xact_id: format!("xk_{}", rng.token(40)),
                        date: when,
                        due_date: date + settlement,
                        xact_type: if pre_auth { XactType::PreAuth } else { XactType::Sale },
                        transaction_type: if pre_auth { 3 } else { 1 },
                        is_succeed: decline.is_none(),
                        decline,
                        split: money::split(amount, ratio_bp, false),
                        ratio_bp,
                        instalment,
                        bank: cards::bank_for(&pan),
                        card_masked: cards::mask(&pan),
                        card_brand: cards::brand_name(&pan),
                        card_type,
                        card_holder: DEMO_HOLDERS[rng.below(DEMO_HOLDERS.len() as u64) as usize].to_owned(),
                        bank_code: 1000 + rng.below(9000) as u16,
                        reference_no: format!("DEMO-{date}-{:05}", l.next_id() - first_id),
                        description: String::new(),
                        email: None,
                        phone: None,
                        agent_id: agent_id.to_owned(),
                        ratio_code: String::new(),
                        is_tds: rng.below(3) == 0,
                        user_id: "PaynetApi",
                        company_amount: None,
                        parent: None,
                        captured_by: None,
                        storage: CardStorage::default(),
                        after: AfterSale::default(),
                    };
                    let id = entry.id;
                    if decline.is_none() && !pre_auth {
                        refundable.push((id, amount));
                    }
                    l.push(entry);
                    // Four in five pre-auths are captured one to three hours later.
                    if pre_auth && rng.below(5) > 0 {
                        captures.push((second + 3600 + rng.below(7200) as u32, id));
                    }
                }
                Demo::Refund { id, amount } => {
                    let original = l.get(id).cloned().ok_or("a sale vanished")?;
                    // Half of the refunds are partial.
                    let refunded = if rng.below(2) == 0 { amount } else { (amount / 2).max(1) };
                    let entry = Entry {
                        id: l.next_id(),
                        xact_id: format!("xk_{}", rng.token(40)),
                        date: when,
                        due_date: date + settlement,
                        xact_type: XactType::Refund,
                        is_succeed: true,
                        decline: None,
                        split: money::split(refunded, original.ratio_bp, false),
                        company_amount: None,
                        parent: Some(id),
                        captured_by: None,
                        storage: CardStorage::default(),
                        after: AfterSale::default(),
                        ..original
                    };
                    refundable.retain(|(r, _)| *r != id);
                    l.push(entry);
                }
            }
        }
    }
    Ok(SeedReport { inserted: (l.next_id() - first_id) as usize, first_id, last_id: l.next_id() - 1, from: spec.from, to: spec.to })
}

#[derive(Debug, Clone, Copy)]
enum Demo {
    Attempt,
    Refund { id: u64, amount: i64 },
}

fn weighted(rng: &Rng, table: &[(i64, u64)]) -> i64 {
    let total: u64 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(total);
    for (value, weight) in table {
        if pick < *weight {
            return *value;
        }
        pick -= weight;
    }
    table[0].0
}
