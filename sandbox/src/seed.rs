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
