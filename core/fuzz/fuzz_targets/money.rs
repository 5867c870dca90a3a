//! Any UTF-8 text through `Money::parse`. The invariants are those of
//! `money_parses_exactly` in core/tests/properties.rs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use paynet_core::Money;

/// `^-?[0-9]+(\.[0-9]+)?$`
fn plain_number(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && (!unsigned.contains('.') || digits(fraction))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(m) = Money::parse(text) else { return };
    assert!(plain_number(text), "{text:?} accepted as {m}");
    assert!(m.as_decimal().scale() <= 2, "{text:?} read as {m:?}");
    assert_eq!(Money::parse(&m.to_string()), Ok(m), "{text:?} does not round-trip");
    // The value is the text's: compared digit by digit, zeros aside.
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let canonical = m.to_string();
    let (m_whole, m_fraction) = canonical.split_once('.').unwrap();
    let whole = whole.trim_start_matches('0');
    assert_eq!(if whole.is_empty() { "0" } else { whole }, m_whole, "{text:?} read as {m}");
    assert_eq!(fraction.trim_end_matches('0'), m_fraction.trim_end_matches('0'), "{text:?} read as {m}");
});
