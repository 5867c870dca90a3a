//! A flat JSON object (a report row) read in one pass: its keys and the
//! text of each value, borrowed from the body.
//!
//! Only the plainest rows are read here: strings without escapes, numbers,
//! `true`, `false`, `null`. Anything else (an escape, a nested value, a
//! byte serde_json would refuse) is `None`, and the row is read by
//! serde_json instead: so whatever this reads, serde_json reads the same
//! way, and every error is still serde_json's. Through serde_json a row cost
//! a validating pass per string, a `RawValue` per value and the same UTF-8
//! checked twice; this is one loop over the bytes.

use std::borrow::Cow;

/// The keys and raw values (as `RawValue::get` gives them: a string with
/// its quotes, a number's exact text) of the object that is all of `text`,
/// into `fields` (emptied first; its memory is a recycled row's). `false`
/// where `text` is not such an object: `fields` then holds nothing useful.
pub fn scan<'a>(text: &'a [u8], fields: &mut Vec<(Cow<'a, str>, &'a str)>) -> bool {
    fields.clear();
    scan_fields(text, fields).is_some()
}

fn scan_fields<'a>(text: &'a [u8], fields: &mut Vec<(Cow<'a, str>, &'a str)>) -> Option<()> {
    // Checked once for the whole row: everything outside the strings is
    // ASCII (the grammar below), so the strings are UTF-8 if the row is.
    let whole = std::str::from_utf8(text).ok()?;
    let mut at = skip_space(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(text, at + 1);
    if text.get(at) == Some(&b'}') {
        return (skip_space(text, at + 1) == text.len()).then_some(());
    }
    loop {
        if text.get(at) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(text, at + 1)?;
        let key = whole.get(at + 1..key_end)?;
        at = skip_space(text, key_end + 1);
        if text.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(text, at + 1);
        let value_end = value_end(text, at)?;
        fields.push((Cow::Borrowed(key), whole.get(at..value_end)?));
        at = skip_space(text, value_end);
        match text.get(at)? {
            b',' => at = skip_space(text, at + 1),
            b'}' => return (skip_space(text, at + 1) == text.len()).then_some(()),
            _ => return None,
        }
    }
}

/// As `scan`, for a row expected to have exactly `keys`, in their order
/// (the last row's: a report's rows share one layout): only the values go
/// into `values` (emptied first), each key compared where it stands instead
/// of kept. `false` when the row is not plain or its keys are not `keys`;
/// `values` then holds nothing useful. `keys` must be plain: no `"`, `\`
/// nor control character (`plain_key`), so a key of the row whose bytes are
/// a key of `keys` followed by a quote is that key.
pub fn scan_known<'a>(text: &'a [u8], keys: &[Box<str>], values: &mut Vec<&'a str>) -> bool {
    values.clear();
    scan_values(text, keys, values).is_some()
}

fn scan_values<'a>(text: &'a [u8], keys: &[Box<str>], values: &mut Vec<&'a str>) -> Option<()> {
    let whole = std::str::from_utf8(text).ok()?;
    let mut at = skip_space(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(text, at + 1);
    if keys.is_empty() {
        return (text.get(at) == Some(&b'}') && skip_space(text, at + 1) == text.len()).then_some(());
    }
    for (index, key) in keys.iter().enumerate() {
        let key_end = at + 1 + key.len();
        if text.get(at) != Some(&b'"') || text.get(key_end) != Some(&b'"') || !crate::wire::same_text(whole.get(at + 1..key_end)?, key) {
            return None;
        }
        at = skip_space(text, key_end + 1);
        if text.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(text, at + 1);
        let value_end = value_end(text, at)?;
        values.push(whole.get(at..value_end)?);
        at = skip_space(text, value_end);
        let last = index + 1 == keys.len();
        match text.get(at)? {
            b',' if !last => at = skip_space(text, at + 1),
            b'}' if last => return (skip_space(text, at + 1) == text.len()).then_some(()),
            _ => return None,
        }
    }
    None
}

/// Whether `scan_known` can compare `key` as it stands in a row's text.
pub fn plain_key(key: &str) -> bool {
    !key.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
}

/// One past the plain value (a string without escapes, a number, a
/// literal) that starts at `at`.
fn value_end(text: &[u8], at: usize) -> Option<usize> {
    match *text.get(at)? {
        b'"' => Some(string_end(text, at + 1)? + 1),
        b'-' | b'0'..=b'9' => number_end(text, at),
        b't' => literal_end(text, at, b"true"),
        b'f' => literal_end(text, at, b"false"),
        b'n' => literal_end(text, at, b"null"),
        _ => None,
    }
}

/// JSON's whitespace, as serde_json skips it (no form feed).
pub fn skip_space(text: &[u8], mut at: usize) -> usize {
    while matches!(text.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The closing quote of a string whose text starts at `at`; `None` for an
/// escape (left to serde_json) or a control character (not JSON).
fn string_end(text: &[u8], at: usize) -> Option<usize> {
    let at = string_stop(text, at, true)?;
    (text[at] == b'"').then_some(at)
}

/// The first `"` or `\\` (and with `controls`, byte below 0x20) from `at`.
/// Eight bytes at a time: most of a report is the text of its strings, in
/// runs too short for `memchr` to pay for its call.
pub fn string_stop(text: &[u8], mut at: usize, controls: bool) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // High bit of each byte below `n` (n ≤ 0x80). A byte above a match may
    // show as one too (a borrow), never one below it: the lowest is exact.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let control_below = if controls { 0x20 } else { 0 };
    while let Some(bytes) = text.get(at..at + 8) {
        let word = u64::from_le_bytes(bytes.try_into().ok()?);
        let found = below(word ^ (ONES * u64::from(b'"')), 1) | below(word ^ (ONES * u64::from(b'\\')), 1) | below(word, control_below);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    text.get(at..)?.iter().position(|&b| b == b'"' || b == b'\\' || b < control_below).map(|found| at + found)
}

/// One past a number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
/// What follows it is for the caller to check (a delimiter or space).
fn number_end(text: &[u8], mut at: usize) -> Option<usize> {
    let digits = |from: usize| from + text[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    if text.get(at) == Some(&b'-') {
        at += 1;
    }
    at = match *text.get(at)? {
        b'0' => at + 1,
        b'1'..=b'9' => digits(at),
        _ => return None,
    };
    if text.get(at) == Some(&b'.') {
        let end = digits(at + 1);
        if end == at + 1 {
            return None;
        }
        at = end;
    }
    if matches!(text.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(text.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let end = digits(at);
        if end == at {
            return None;
        }
        at = end;
    }
    Some(at)
}

fn literal_end(text: &[u8], at: usize, literal: &[u8]) -> Option<usize> {
    text.get(at..)?.starts_with(literal).then_some(at + literal.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::RawObject;

    /// What the scan reads of `text`, as a row (`RawObject::read` reads it so).
    fn scanned(text: &str) -> Option<RawObject<'_>> {
        scan(text.as_bytes(), &mut Vec::new()).then(|| RawObject::read(text.as_bytes()).ok()).flatten()
    }

    /// The row serde_json reads from `text`.
    fn by_serde(text: &str) -> Option<RawObject<'_>> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn reads_plain_rows_as_serde_json_does() {
        for text in [
            "{}",
            " { } ",
            r#"{"a":1}"#,
            r#"{"a":"x","b":-0.50,"c":true,"d":false,"e":null,"f":1e5,"g":2.5E-3,"h":0,"i":"","j":-0}"#,
            "{ \"a\" :\t\"Özkan\" ,\r\n\"b\" : 12 }",
            r#"{"a":1,"a":2}"#,
            r#"{"amount":100.0000,"xact_date":"15.01.2030 09:00:00","is_succeed":true}"#,
        ] {
            let serde = by_serde(text);
            assert!(serde.is_some(), "{text}");
            assert_eq!(scanned(text), serde, "{text}");
        }
    }

    #[test]
    fn steps_aside_for_escapes_nesting_and_whatever_is_not_json() {
        for text in [
            r#"{"a":"x\"y"}"#,
            r#"{"a\n":1}"#,
            r#"{"a":"\u00d6"}"#,
            r#"{"a":[1]}"#,
            r#"{"a":{}}"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":1e+}"#,
            r#"{"a":+1}"#,
            r#"{"a":tru}"#,
            r#"{"a":truex}"#,
            r#"{"a":nul}"#,
            r#"{"a":1 2}"#,
            r#"{"a" 1}"#,
            r#"{"a":1}x"#,
            r#"{"a":1"#,
            r#"{"a":"1}"#,
            "{a:1}",
            "{\"a\":\"\x01\"}",
            "{\"a\":\x0c1}",
            "[1]",
            r#"{"a":NaN}"#,
            r#"{"a":0x10}"#,
        ] {
            assert_eq!(scanned(text), None, "{text}");
        }
        assert!(!scan(b"{\"a\":\"\xff\"}", &mut Vec::new()));
    }

    /// What `scan_known` reads of `text` for `keys`.
    fn known<'a>(text: &'a str, keys: &[Box<str>]) -> Option<Vec<&'a str>> {
        let mut values = vec!["stale"];
        scan_known(text.as_bytes(), keys, &mut values).then_some(values)
    }

    /// The keys and values `scan` reads of `text`.
    fn keys_and_values(text: &str) -> Option<(Vec<Box<str>>, Vec<&str>)> {
        let mut fields = Vec::new();
        scan(text.as_bytes(), &mut fields).then(|| fields.into_iter().map(|(key, value)| (Box::from(key.as_ref()), value)).unzip())
    }

    #[test]
    fn reads_a_row_of_known_keys_as_the_scan_does_and_nothing_else() {
        let row = r#"{"company_code":"1001","k":"a","kk":"abcdefgh","kkk":"abcdefghijklmnopq","xact_date":"15.01.2030 09:00:00","is_succeed":true,"ratio":0.0199,"amount":100.0000,"card_holder":"Özkan","x":null,"n":-12e-3,"f":false}"#;
        let (keys, _) = keys_and_values(row).unwrap();
        let mut read = 0;
        for (cut, _) in row.char_indices() {
            let (head, tail) = row.split_at(cut);
            for text in [head.to_owned(), format!("{head} {tail}"), format!("{head}x{tail}"), format!("{head},{tail}"), format!("{head}\"{tail}"), format!("{head}0{tail}"), format!("{head}\t\n{tail}"), format!("{head}\\{tail}"), format!("{head}\x01{tail}")] {
                // Read exactly when the scan reads the same keys, and the same values.
                let expected = keys_and_values(&text).filter(|(found, _)| *found == keys).map(|(_, values)| values);
                assert_eq!(known(&text, &keys), expected, "{text}");
                read += usize::from(expected.is_some());
            }
        }
        assert!(read > row.len(), "{read}");
        for (text, keys) in [("{}", vec![]), (" { } ", vec![]), (r#"{"a":1}"#, vec![]), ("{}", vec!["a".into()]), (r#"{"a":1,"b":2}"#, vec!["a".into()]), (r#"{"a":1}"#, vec!["a".into(), "b".into()])] {
            assert_eq!(known(text, &keys), keys_and_values(text).filter(|(found, _)| *found == keys).map(|(_, values)| values), "{text}");
        }
        assert!(!plain_key("a\"b") && !plain_key("a\\b") && !plain_key("a\nb") && plain_key("Özkan"));
    }

    #[test]
    fn whatever_it_reads_serde_json_reads_the_same() {
        // Strings of every length around the eight bytes read at a time.
        let row = r#"{"company_code":"1001","k":"a","kk":"abcdefgh","kkk":"abcdefghijklmnopq","xact_date":"15.01.2030 09:00:00","is_succeed":true,"ratio":0.0199,"amount":100.0000,"due_date":"2030-01-15T00:00:00","card_holder":"Özkan","x":null,"n":-12e-3,"f":false}"#;
        assert!(scanned(row).is_some());
        let mut read = 0;
        for (cut, _) in row.char_indices() {
            let (head, tail) = row.split_at(cut);
            for text in [head.to_owned(), format!("{head} {tail}"), format!("{head}x{tail}"), format!("{head},{tail}"), format!("{head}\"{tail}"), format!("{head}0{tail}"), format!("{head}\t\n{tail}"), format!("{head}\\{tail}"), format!("{head}\x01{tail}")] {
                if let Some(row) = scanned(&text) {
                    assert_eq!(by_serde(&text), Some(row), "{text}");
                    read += 1;
                }
            }
        }
        assert!(read > row.len(), "{read}");
    }
}
