//! Date formatting, identifiers and a tiny random source (no `rand` dependency: nothing here is
//! security-relevant, ids only need to look like Paynet's and not repeat).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, Timelike};

/// `2026-11-23T21:33:53.1227309+03:00`: 7 fractional digits like .NET's round-trip format.
pub fn iso_7(dt: &DateTime<FixedOffset>) -> String {
    let ticks = dt.nanosecond().min(999_999_999) / 100;
    format!("{}.{ticks:07}+03:00", dt.format("%Y-%m-%dT%H:%M:%S"))
}

/// Decodes standard base64 (`+/`, `=` padding optional), skipping ASCII whitespace as
/// MIME line breaks put it; `None` for anything else or more than `max` bytes out.
pub fn decode_base64(text: &str, max: usize) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let unpadded = digits
        .strip_suffix(b"==")
        .or_else(|| digits.strip_suffix(b"="))
        .unwrap_or(&digits);
    if unpadded.len() % 4 == 1 || unpadded.len() / 4 * 3 > max {
        return None;
    }
    let mut out = Vec::with_capacity(unpadded.len() / 4 * 3 + 2);
    for chunk in unpadded.chunks(4) {
        let mut bits = 0u32;
        for &c in chunk {
            bits = bits << 6 | value(c)?;
        }
        bits <<= 6 * (4 - chunk.len() as u32);
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    (out.len() <= max).then_some(out)
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
        Self::seeded(t ^ local.rotate_left(32) ^ 0x5DEE_CE66_D1A4_F681)
    }

    /// The same sequence for the same seed: seeded test data is reproducible.
    pub fn seeded(seed: u64) -> Self {
        Rng {
            state: AtomicU64::new(seed),
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
    fn base64() {
        assert_eq!(
            decode_base64("R0lGODlh", 100).as_deref(),
            Some(&b"GIF89a"[..])
        );
        assert_eq!(decode_base64("aGk=", 100).as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64("aGk", 100).as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64("aG\r\nk=", 100).as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64("a", 100), None);
        assert_eq!(decode_base64("a!==", 100), None);
        assert_eq!(decode_base64("aGVsbG8=", 4), None);
        assert_eq!(decode_base64("", 4).as_deref(), Some(&b""[..]));
    }

    #[test]
    fn ids_look_right() {
        let rng = Rng::new();
        let g = rng.guid();
        assert_eq!(g.len(), 36);
        assert_eq!(g.matches('-').count(), 4);
        let t = rng.token(40);
        assert_eq!(t.len(), 40);
        assert_ne!(rng.token(40), t);
        assert_eq!(Rng::seeded(7).token(40), Rng::seeded(7).token(40));
        let d = iso_7(&crate::clock::Clock::default().now());
        assert!(d.ends_with("+03:00"));
        assert_eq!(d.len(), "2026-11-23T21:33:53.1227309+03:00".len());
    }
}
