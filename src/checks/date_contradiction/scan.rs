//! Finds the matches of the date grammar (the spans `find_iter` of the joined alternatives would
//! give) without running its regex over every byte: the regex runs anchored, only at the few
//! word starts where a match can begin.
//!
//! Why this finds the same matches. Every match of the grammar holds an *anchor*: an ASCII digit,
//! a month or weekday name as the grammar writes it (Capitalised or UPPER), or a deixis or unit
//! word ("yesterday", "today", "tomorrow", "tonight", "year", "month", "week", "day", any case).
//! Each of these begins a token of the grammar, and every token of the grammar begins at the
//! start of the match or after white space, '-', ',' or '.', so an anchor always opens an ASCII
//! word (a byte in `[A-Za-z0-9_]` after one that is not). What a match holds before its first
//! anchor is a run of *prefix words* (modifiers such as "early", "the end of", "last", seasons,
//! "of", number words; `PREFIX_WORDS` and the lexicon's numbers) joined by white space, '-' or
//! ','. So, with `a` the first anchor at or after the point `pos` where the previous match ended,
//! no match starts in `pos..lo`, where `lo` is the first word of the run of prefix words that
//! ends right before `a`: a match starting there would hold an anchor before `a`. The matches
//! starting in `lo..=a` are found by trying the grammar, anchored, at each word start there in
//! turn; the first that matches is the leftmost match, and leftmost-first semantics give it the
//! same end as an unanchored search. When none matches, no match starts before `a + 1`.
//!
//! Case-insensitive parts of the grammar also match two non-ASCII letters, 'ſ' (for 's') and
//! the Kelvin sign (for 'k'), which the byte tests here do not see; on meeting either, the rest
//! of the range is searched with the unanchored grammar as before.

use regex::{Regex, RegexSet};

use super::extract::WordSet;

/// Deixis and unit words: matched ignoring case, each may be the first anchor of a match. They
/// are the `deixis`, `rel_unit` and `num_unit` words of the grammar (see `extract::grammar`).
pub(crate) const FOLDED_ANCHORS: &[&str] = &[
    "yesterday",
    "today",
    "tomorrow",
    "tonight",
    "year",
    "month",
    "week",
    "day",
];

/// Words the grammar matches (ignoring case) before the first anchor of a match: the modifiers
/// of the `mod_*`, `rel` and unit-qualifier groups, `the`, `of`, and the seasons. The lexicon's
/// number words are added to them.
pub(crate) const PREFIX_WORDS: &[&str] = &[
    "early",
    "late",
    "mid",
    "the",
    "end",
    "of",
    "beginning",
    "middle",
    "fiscal",
    "calendar",
    "financial",
    "full",
    "last",
    "next",
    "this",
    "previous",
    "following",
    "earlier",
    "later",
    "current",
    "same",
    "spring",
    "summer",
    "autumn",
    "winter",
    "fall",
];

/// Byte classes of the scan: separators, ASCII word bytes (as `(?-u:\b)` sees them) and the
/// lead bytes of 'ſ' (C5 BF) and the Kelvin sign (E2 84 AA).
const SEP: u8 = 0;
const WORD: u8 = 1;
const FOLD_LEAD: u8 = 2;

static CLASS: [u8; 256] = {
    let mut table = [SEP; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_alphanumeric() || byte == b'_' {
            WORD
        } else if byte == 0xC5 || byte == 0xE2 {
            FOLD_LEAD
        } else {
            SEP
        };
        b += 1;
    }
    table
};

fn is_word(b: u8) -> bool {
    CLASS[b as usize] == WORD
}

/// Whether `b[i..]` opens 'ſ' or the Kelvin sign.
fn folds_at(b: &[u8], i: usize) -> bool {
    b[i..].starts_with("ſ".as_bytes()) || b[i..].starts_with("\u{212A}".as_bytes())
}

/// A match found by the scanner: the first alternative that matches where it starts, or (in the
/// fallback) its end.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Hit {
    Alternative(usize),
    Span(usize),
}

/// The anchor tests and the anchored grammar.
pub(crate) struct Scanner {
    /// Bytes that may open an anchor: ASCII digits, the first bytes of `exact` keys and both
    /// cases of the first bytes of `folded` keys.
    first: [bool; 256],
    /// Bytes compared by the key tests (at most 3: no anchor word is shorter).
    key_len: usize,
    /// The first `key_len` bytes of every month and weekday name as the grammar writes it,
    /// packed (see `pack`), sorted.
    exact: Vec<u32>,
    /// The first `key_len` bytes of every `FOLDED_ANCHORS` word, lower-case, packed, sorted.
    folded: Vec<u32>,
    /// `PREFIX_WORDS` and the number words.
    prefix_words: WordSet,
    /// The alternatives, each without its opening word boundary, anchored at the start: which
    /// match where a match may start.
    anchored: RegexSet,
    /// The alternatives joined, as `find_iter` would run them (for the fallback).
    grammar: Regex,
}

/// Up to three bytes as one integer (the length is fixed per scanner, so no ambiguity).
fn pack(key: &[u8]) -> u32 {
    key.iter()
        .enumerate()
        .fold(0, |acc, (i, &b)| acc | (u32::from(b) << (8 * i)))
}

impl Scanner {
    /// `names`: the month and weekday names exactly as the grammar writes them; `numbers`: the
    /// lexicon's number words; `alternatives`: the grammar's alternatives with their opening
    /// word boundary stripped.
    pub(crate) fn new(
        names: &[String],
        numbers: &[&str],
        alternatives: &[&str],
        grammar: Regex,
    ) -> Result<Scanner, String> {
        let key_len = names
            .iter()
            .map(String::as_str)
            .chain(FOLDED_ANCHORS.iter().copied())
            .map(str::len)
            .min()
            .unwrap_or(3)
            .min(3);
        if key_len == 0 || names.iter().any(|n| !n.is_ascii()) {
            return Err("month and weekday names must be non-empty ASCII words".into());
        }
        let mut first = [false; 256];
        for d in b'0'..=b'9' {
            first[d as usize] = true;
        }
        let mut exact: Vec<u32> = names
            .iter()
            .map(|n| {
                first[n.as_bytes()[0] as usize] = true;
                pack(&n.as_bytes()[..key_len])
            })
            .collect();
        exact.sort_unstable();
        exact.dedup();
        let mut folded: Vec<u32> = FOLDED_ANCHORS
            .iter()
            .map(|w| {
                let b = w.as_bytes()[0];
                first[b.to_ascii_lowercase() as usize] = true;
                first[b.to_ascii_uppercase() as usize] = true;
                pack(&w.as_bytes()[..key_len])
            })
            .collect();
        folded.sort_unstable();
        folded.dedup();
        let prefix_words = WordSet::from(
            PREFIX_WORDS
                .iter()
                .copied()
                .chain(numbers.iter().copied())
                .map(str::to_string)
                .collect::<Vec<_>>(),
        );
        let anchored = RegexSet::new(alternatives.iter().map(|alt| format!("^(?:{alt})")))
            .map_err(|e| e.to_string())?;
        Ok(Scanner {
            first,
            key_len,
            exact,
            folded,
            prefix_words,
            anchored,
            grammar,
        })
    }

    /// Whether the word starting at `s` opens with an anchor.
    fn is_anchor(&self, b: &[u8], s: usize) -> bool {
        let c = b[s];
        if !self.first[c as usize] {
            return false;
        }
        if c.is_ascii_digit() {
            return true;
        }
        let Some(key) = b.get(s..s + self.key_len) else {
            return false;
        };
        if self.exact.binary_search(&pack(key)).is_ok() {
            return true;
        }
        let mut lower = [0u8; 3];
        for (l, k) in lower.iter_mut().zip(key) {
            *l = k.to_ascii_lowercase();
        }
        self.folded
            .binary_search(&pack(&lower[..self.key_len]))
            .is_ok()
    }

    /// The first word of the run of prefix words (joined by separators) that ends right before
    /// the word start `a`, not before `floor`; `a` when there is none.
    fn earliest_start(&self, slice: &str, a: usize, floor: usize) -> usize {
        let b = slice.as_bytes();
        let mut start = a;
        loop {
            // The separators before `start`.
            let mut k = start;
            while k > floor {
                let c = b[k - 1];
                if c < 0x80 {
                    if matches!(c, b'\t'..=b'\r' | b' ' | b'-' | b',' | b'.') {
                        k -= 1;
                        continue;
                    }
                    break;
                }
                match slice[..k].chars().next_back() {
                    Some(ch) if ch.is_whitespace() => k -= ch.len_utf8(),
                    _ => break,
                }
            }
            if k == start || k <= floor {
                return start;
            }
            // The ASCII word ending at `k`: a prefix word starting at or after `floor`?
            let mut w = k;
            while w > 0 && is_word(b[w - 1]) {
                w -= 1;
            }
            if w == k || w < floor || !self.prefix_words.contains(&slice[w..k]) {
                return start;
            }
            start = w;
        }
    }

    /// Calls `emit(start, hit)` for each match of the grammar in `slice`, in order: the matches
    /// `grammar.find_iter(slice)` gives. `emit` returns the end of the match (`None` when the
    /// alternative said to match does not, which the search then takes as unknown ground).
    pub(crate) fn matches(&self, slice: &str, mut emit: impl FnMut(usize, Hit) -> Option<usize>) {
        let b = slice.as_bytes();
        let n = b.len();
        // No match starts in `..pos` other than those emitted; `i`: the scan position.
        let mut pos = 0;
        let mut i = 0;
        'scan: loop {
            // Past the rest of a word the scan resumes inside of.
            if i > 0 {
                while i < n && is_word(b[i]) && is_word(b[i - 1]) {
                    i += 1;
                }
            }
            // To the next word start.
            loop {
                if i >= n {
                    return;
                }
                match CLASS[b[i] as usize] {
                    WORD => break,
                    FOLD_LEAD if folds_at(b, i) => break 'scan,
                    _ => i += 1,
                }
            }
            let a = i;
            if !self.is_anchor(b, a) {
                i += 1;
                continue;
            }
            let lo = self.earliest_start(slice, a, pos);
            let mut end = None;
            for s in lo..=a {
                if (s == 0 || !is_word(b[s - 1])) && is_word(b[s]) {
                    // The first alternative matching at `s` is the grammar's match there
                    // (leftmost-first).
                    if let Some(k) = self.anchored.matches(&slice[s..]).iter().next() {
                        let Some(e) = emit(s, Hit::Alternative(k)) else {
                            break 'scan;
                        };
                        end = Some(e);
                        break;
                    }
                }
            }
            if let Some(e) = end {
                pos = e;
                i = e;
            } else {
                pos = a + 1;
                i = a + 1;
            }
        }
        // 'ſ' or the Kelvin sign ahead: the unanchored grammar from `pos` on.
        let mut at = pos;
        while let Some(m) = self.grammar.find_at(slice, at) {
            emit(m.start(), Hit::Span(m.end()));
            at = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
            if at > n {
                break;
            }
        }
    }
}
