//! The sandbox's one source of "now". By default it is the real clock; tests move it
//! (`/__sandbox/clock`, `Sandbox::set_clock`) to reach "the next day" without waiting.
//! It keeps ticking after a move: the sandbox stores an offset from the real clock, so
//! transactions made one after the other still get increasing dates.

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

/// Paynet reports times in Istanbul time, which has been UTC+3 all year since 2016.
pub fn istanbul() -> FixedOffset {
    // 3 h is always a valid offset; the fallback only keeps this free of unwrap.
    FixedOffset::east_opt(3 * 3600).unwrap_or(Utc.fix())
}

#[derive(Default)]
pub struct Clock {
    /// What is added to the real clock.
    offset: Mutex<Duration>,
}

impl Clock {
    fn offset(&self) -> Duration {
        *crate::lock(&self.offset)
    }

    /// Now, in Istanbul time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        (Utc::now() + self.offset()).with_timezone(&istanbul())
    }

    /// Today in Istanbul: what "the same day" means for cancels and capture reversals.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Makes `now()` read `at` from here on (and keep ticking from there). Also into the
    /// past; `Err` beyond [`MAX_SHIFT_DAYS`] from the real clock.
    pub fn set<Tz: TimeZone>(&self, at: &DateTime<Tz>) -> Result<(), String> {
        let offset = at.with_timezone(&Utc) - Utc::now();
        *crate::lock(&self.offset) = bounded(offset)?;
        Ok(())
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) -> Result<(), String> {
        let mut offset = crate::lock(&self.offset);
        let moved = offset
            .checked_add(&by)
            .ok_or_else(|| "the clock cannot move that far".to_owned())?;
        *offset = bounded(moved)?;
        Ok(())
    }
}

/// The clock stays within this many days of the real one, so date arithmetic everywhere
/// (due dates, link expiry) stays far from chrono's limits.
pub const MAX_SHIFT_DAYS: i64 = 100 * 366;

fn bounded(offset: Duration) -> Result<Duration, String> {
    if offset.num_days().abs() > MAX_SHIFT_DAYS {
        return Err(format!(
            "the sandbox clock stays within {MAX_SHIFT_DAYS} days of the real clock"
        ));
    }
    Ok(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_advance() {
        let clock = Clock::default();
        let real = Utc::now();
        assert!((clock.now().with_timezone(&Utc) - real).num_seconds().abs() < 5);
        assert!(clock.now().to_rfc3339().ends_with("+03:00"));
        let at = istanbul().with_ymd_and_hms(2030, 5, 1, 23, 59, 0).unwrap();
        clock.set(&at).unwrap();
        assert!((clock.now() - at).num_seconds().abs() < 5);
        assert_eq!(clock.today().to_string(), "2030-05-01");
        clock.advance(Duration::minutes(2)).unwrap();
        assert!(clock.advance(Duration::days(MAX_SHIFT_DAYS)).is_err());
        assert_eq!(clock.today().to_string(), "2030-05-02");
        assert_eq!(clock.today().to_string(), "2030-05-02");
    }
}
