//! Where a JSON object or array ends: how the thread reading a report finds
//! each row in the body as it arrives, before any of it is typed.
//!
//! A report row is some 700 bytes of short strings. Found a string at a
//! time, each costs a call and a few branches; on x86-64 the body is
//! instead classified 64 bytes at a time (SSE2, part of the baseline: no
//! detection at run time) into bit masks of quotes, backslashes and
//! brackets, and only the brackets outside strings are walked one by one,
//! a couple per row. Both ways look only at brackets and strings, byte for
//! byte alike: whether the text between them is JSON is for the row's
//! reading to say.

/// Where the JSON object or array that opens at `body[at]` ends (one past
/// its closing bracket); `None` while it is incomplete.
pub fn value_end(body: &[u8], at: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    return blocks::value_end(body, at);
    #[cfg(not(target_arch = "x86_64"))]
    return by_strings(body, at);
}

/// `value_end`, one string at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn by_strings(body: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    while let Some(&b) = body.get(i) {
        match b {
            b'"' => {
                i += 1;
                loop {
                    i = crate::flat_object::string_stop(body, i, false)? + 1;
                    if body[i - 1] == b'"' {
                        break;
                    }
                    // The escaped byte, whatever it is.
                    i += 1;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(target_arch = "x86_64")]
mod blocks {
    /// One bit per byte of a 64-byte block (bit `i`: byte `i`).
    struct Masks {
        quote: u64,
        backslash: u64,
        /// `{` or `[`.
        open: u64,
        /// `}` or `]`.
        close: u64,
    }

    fn masks(block: &[u8; 64]) -> Masks {
        use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
        let bits = |v: __m128i, byte: u8| {
            // SAFETY: SSE2 is part of every x86-64 CPU (the target's baseline).
            unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8))) as u16 as u64 }
        };
        let mut m = Masks { quote: 0, backslash: 0, open: 0, close: 0 };
        for (k, lane) in block.chunks_exact(16).enumerate() {
            // SAFETY: as above; `lane` is 16 readable bytes, and the load needs no alignment.
            let (v, folded) = unsafe {
                let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
                // `[` and `]` differ from `{` and `}` by 0x20 alone, and no other byte folds onto those.
                (v, _mm_or_si128(v, _mm_set1_epi8(0x20)))
            };
            let shift = 16 * k;
            m.quote |= bits(v, b'"') << shift;
            m.backslash |= bits(v, b'\\') << shift;
            m.open |= bits(folded, b'{') << shift;
            m.close |= bits(folded, b'}') << shift;
        }
        m
    }

    /// What is carried from one block to the next.
    struct State {
        depth: usize,
        in_string: bool,
        /// The next block's first byte is escaped (a string's `\` ended this one).
        escaped: bool,
    }

    impl State {
        /// The quotes of the block that open or close a string: all of them
        /// unless a backslash in a string escapes one (rare in a report,
        /// where it is walked byte by byte, as `by_strings` reads it).
        fn string_quotes(&mut self, m: &Masks) -> u64 {
            if m.backslash == 0 && !self.escaped {
                return m.quote;
            }
            let mut real = 0;
            let mut inside = self.in_string;
            let mut left = m.quote | m.backslash;
            if std::mem::take(&mut self.escaped) {
                left &= !1;
            }
            while left != 0 {
                let i = left.trailing_zeros();
                let bit = 1u64 << i;
                left &= left - 1;
                if m.quote & bit != 0 {
                    real |= bit;
                    inside = !inside;
                } else if inside {
                    // The byte after a string's backslash is escaped, whatever it is.
                    if i == 63 {
                        self.escaped = true;
                    } else {
                        left &= !(bit << 1);
                    }
                }
            }
            real
        }

        /// Where in the block (`Some(i)`: byte `i`) the value closes.
        fn step(&mut self, block: &[u8; 64]) -> Option<u32> {
            let m = masks(block);
            // Bit i: inside a string once byte i is read (a string's opening
            // quote is in it, its closing one is not).
            let mut inside = self.string_quotes(&m);
            for shift in [1, 2, 4, 8, 16, 32] {
                inside ^= inside << shift;
            }
            if self.in_string {
                inside = !inside;
            }
            self.in_string = inside >> 63 == 1;
            let mut brackets = (m.open | m.close) & !inside;
            while brackets != 0 {
                let i = brackets.trailing_zeros();
                brackets &= brackets - 1;
                if m.open >> i & 1 == 1 {
                    self.depth += 1;
                } else {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(i);
                    }
                }
            }
            None
        }
    }

    pub(super) fn value_end(body: &[u8], at: usize) -> Option<usize> {
        let mut state = State { depth: 0, in_string: false, escaped: false };
        let rest = body.get(at..)?;
        let mut blocks = rest.chunks_exact(64);
        for (k, block) in blocks.by_ref().enumerate() {
            if let Some(i) = state.step(block.try_into().ok()?) {
                return Some(at + 64 * k + i as usize + 1);
            }
        }
        // The last bytes, padded with zeros: no quote, backslash or bracket.
        let tail = blocks.remainder();
        let mut last = [0u8; 64];
        last[..tail.len()].copy_from_slice(tail);
        let i = state.step(&last)? as usize;
        (i < tail.len()).then(|| body.len() - tail.len() + i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_ends_at_its_closing_bracket_whatever_its_strings_hold() {
        let text = br#"{"a":"}\"]","b":[1,{"c":"\\"}],"d":"\\\""} ,{"#;
        assert_eq!(value_end(text, 0), Some(text.len() - 3));
        for cut in 1..text.len() - 3 {
            assert_eq!(value_end(&text[..cut], 0), None, "cut at {cut}");
        }
        assert_eq!(value_end(b"[[],{}]x", 0), Some(7));
        // Strings of every length around the eight bytes read at a time, an escaped quote anywhere in them.
        for len in 0..20 {
            for escape in 0..=len {
                let s = format!("{}\\\"{}", "a".repeat(escape), "}".repeat(len - escape));
                let text = format!(r#"{{"k":"{s}","n":["]"]}}"#);
                assert_eq!(value_end(text.as_bytes(), 0), Some(text.len()), "{text}");
                assert_eq!(value_end(&text.as_bytes()[..text.len() - 1], 0), None, "{text}");
            }
        }
        assert_eq!(value_end(br#"{"a":"\"#, 0), None);
    }

    /// Both ways find the same end (or none) in texts made of the bytes
    /// that matter, placed across the 64-byte blocks' edges, and in rows
    /// shifted to every offset of a block.
    #[test]
    fn blocks_and_strings_agree() {
        let alphabet = br#"{}[]"\\a:,"#;
        // A fixed xorshift: the same texts on every run.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut ended = 0;
        for _ in 0..20_000 {
            let len = (next() % 300) as usize + 1;
            let mut text: Vec<u8> = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            text[0] = if next() % 2 == 0 { b'{' } else { b'[' };
            let expected = by_strings(&text, 0);
            ended += usize::from(expected.is_some());
            assert_eq!(value_end(&text, 0), expected, "{}", String::from_utf8_lossy(&text));
        }
        assert!(ended > 1_000, "only {ended} texts had an end");
        let row = br#"{"a":"x\\\"}","b":"\\","c":[{"d":"]"}],"e":"\u00d6"}"#;
        for offset in 0..130 {
            let mut text = vec![b' '; offset];
            text.extend_from_slice(row);
            text.extend_from_slice(br#",{"z":1}"#);
            assert_eq!(value_end(&text, offset), Some(offset + row.len()), "offset {offset}");
            assert_eq!(value_end(&text[..offset + row.len() - 1], offset), None, "offset {offset}");
        }
    }
}
