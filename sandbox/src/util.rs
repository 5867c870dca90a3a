//! Clock, identifiers and a tiny random source (no `rand` dependency: nothing here is
//! security-relevant, ids only need to look like Paynet's and not repeat).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Timelike, Utc};

/// Paynet reports times in Istanbul time, which has been UTC+3 all year since 2016.
pub fn istanbul() -> FixedOffset {
    // 3 h is always a valid offset; the fallback only keeps this free of unwrap.
    FixedOffset::east_opt(3 * 3600).unwrap_or(Utc.fix())
}

pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&istanbul())
}

pub fn today() -> NaiveDate {
    now().date_naive()
}

/// `2026-11-23T21:33:53.1227309+03:00`: 7 fractional digits like .NET's round-trip format.
pub fn iso_7(dt: &DateTime<FixedOffset>) -> String {
    let ticks = dt.nanosecond().min(999_999_999) / 100;
    format!("{}.{ticks:07}+03:00", dt.format("%Y-%m-%dT%H:%M:%S"))
}

pub struct Rng {
    state: AtomicU64,
}

impl Rng {
    pub fn new() -> Self {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let local = &t as *const u64 as u64;
        Rng {
            state: AtomicU64::new(t ^ local.rotate_left(32) ^ 0x5DEE_CE66_D1A4_F681),
        }
    }

    /// splitmix64 over an atomic counter: lock-free and good enough for identifiers.
    pub fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Characters from a base64-like alphabet; `*` stands in for `+`/`/` as in Paynet's
    /// examples, which keeps the ids safe in URLs and form posts.
    pub fn token(&self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*";
        let mut s = String::with_capacity(len);
        let mut bits = 0u64;
        let mut left = 0;
        for _ in 0..len {
            if left == 0 {
                bits = self.next_u64();
                left = 10;
            }
            s.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize] as char);
            bits /= ALPHABET.len() as u64;
            left -= 1;
        }
        s
    }

    pub fn guid(&self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

impl Default for Rng {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_right() {
        let rng = Rng::new();
        let g = rng.guid();
        assert_eq!(g.len(), 36);
        assert_eq!(g.matches('-').count(), 4);
        let t = rng.token(40);
        assert_eq!(t.len(), 40);
        assert_ne!(rng.token(40), t);
        let d = iso_7(&now());
        assert!(d.ends_with("+03:00"));
        assert_eq!(d.len(), "2026-11-23T21:33:53.1227309+03:00".len());
    }
}
