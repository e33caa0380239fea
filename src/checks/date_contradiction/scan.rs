//! Finds the matches of the date grammar (the spans `find_iter` of the joined alternatives would
//! give) without running its regex over every byte: the regex runs anchored, only at the few
//! word starts where a match can begin.
//!
//! Why this finds the same matches. Every match of the grammar holds an *anchor*: an ASCII word
//! (a run of bytes in `[A-Za-z0-9_]`, as `(?-u:\b)` sees words) that opens with a digit, or that
//! is a month or weekday name as the grammar writes it (Capitalised or UPPER), or a deixis or
//! unit word (`FOLDED_ANCHORS`, any case). Every token of the grammar begins at the start of the
//! match or after white space, '-', ',' or '.', and the grammar closes each name, deixis and
//! unit word with a word boundary, white space or punctuation, so such a token is a whole ASCII
//! word of the text. What a match holds before its first
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
//! the Kelvin sign (for 'k'), which the byte tests here do not see; a range holding either is
//! searched with the unanchored grammar as before.

use memchr::memmem;
use regex::Regex;

use super::extract::WordSet;

/// Deixis and unit words: matched ignoring case, each may be the first anchor of a match. They
/// are the `deixis`, `rel_unit` and `num_unit` words of the grammar (see `extract::grammar`).
pub(crate) const FOLDED_ANCHORS: &[&str] = &[
    "yesterday",
    "today",
    "tomorrow",
    "tonight",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
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

/// `(?-u:\b)`'s word bytes.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Eight bytes at a time (SWAR): `LO` and `HI` hold 0x01 and 0x80 in every byte.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The bytes `b[i..i + 8]` as a little-endian word, zero past the end (zero is no word byte).
fn load(b: &[u8], i: usize) -> u64 {
    if let Some(chunk) = b.get(i..i + 8) {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(chunk);
        u64::from_le_bytes(buf)
    } else {
        let mut buf = [0u8; 8];
        let rest = &b[i.min(b.len())..];
        buf[..rest.len()].copy_from_slice(rest);
        u64::from_le_bytes(buf)
    }
}

/// The high bit of each byte of `x` that is an ASCII letter or digit, the other bits clear.
/// (These are the word bytes but '_', which opens no anchor; a start after '_' the mask lets
/// through is no word start, which `try_starts` checks byte by byte.)
fn word_mask(x: u64) -> u64 {
    let ascii = !x & HI;
    let y = x & !HI;
    // High bit set iff the (7-bit) byte is at least `n`: no carry crosses bytes.
    let at_least = |v: u64, n: u8| v.wrapping_add(LO * u64::from(0x80 - n)) & HI;
    let digit = at_least(y, b'0') & !at_least(y, b'9' + 1);
    let folded = y | (LO * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    (digit | letter) & ascii
}

/// The anchor tests and the anchored grammar.
pub(crate) struct Scanner {
    /// The bytes an anchor word other than a number may open with: the names as written, both
    /// cases of `FOLDED_ANCHORS`.
    first: [bool; 256],
    /// The first two bytes an anchor word other than a number may open with, a bit set per
    /// pair: `pairs[b0][b1 / 64] >> (b1 % 64)`; for a word of one letter, every second byte that
    /// is no word byte (the end of the text counts as zero).
    pairs: Vec<[u64; 4]>,
    /// A Bloom filter over the first three bytes of the anchor words (see `bloom_bit`): all
    /// case variants of the folded ones.
    bloom: Vec<u64>,
    /// The longest anchor word (at most 16 bytes).
    max_len: usize,
    /// The month and weekday names as the grammar writes them, packed (`pack`), sorted.
    names: Vec<u128>,
    /// `FOLDED_ANCHORS`, packed, sorted.
    folded: Vec<u128>,
    /// `PREFIX_WORDS` and the number words.
    prefix_words: WordSet,
    /// The alternatives joined, each without its opening word boundary, anchored at the start.
    anchored: Regex,
    /// The alternatives joined, as `find_iter` would run them (for the fallback).
    grammar: Regex,
    /// Finders of 'ſ' and the Kelvin sign.
    folds: [memmem::Finder<'static>; 2],
}

/// A word of at most 16 bytes as one integer (no word holds a zero byte, so no two collide).
fn pack(word: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    buf[..word.len()].copy_from_slice(word);
    u128::from_le_bytes(buf)
}

/// The Bloom filter bit of a word's first three bytes (zero for missing ones).
fn bloom_bit(b0: u8, b1: u8, b2: u8) -> usize {
    let key = u32::from(b0) | u32::from(b1) << 8 | u32::from(b2) << 16;
    (key.wrapping_mul(0x9E37_79B1) >> 16) as usize
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
        let words = || {
            names
                .iter()
                .map(String::as_str)
                .chain(FOLDED_ANCHORS.iter().copied())
        };
        if words().any(|w| w.is_empty() || w.len() > 16 || !w.bytes().all(is_word)) {
            return Err("month and weekday names must be ASCII words of 1 to 16 letters".into());
        }
        let max_len = words().map(str::len).max().unwrap_or(0);
        let mut first = [false; 256];
        let mut pairs = vec![[0u64; 4]; 256];
        let mut bloom = vec![0u64; 1 << 10];
        let mut set = |w: &[u8]| {
            let at = |i: usize| w.get(i).copied().unwrap_or(0);
            let b0 = usize::from(at(0));
            first[b0] = true;
            if w.len() == 1 {
                for b1 in (0..=255u8).filter(|&x| !is_word(x)) {
                    pairs[b0][usize::from(b1 / 64)] |= 1 << (b1 % 64);
                }
            } else {
                let b1 = usize::from(at(1));
                pairs[b0][b1 / 64] |= 1 << (b1 % 64);
            }
            let bit = bloom_bit(at(0), at(1), at(2));
            bloom[bit / 64] |= 1 << (bit % 64);
        };
        for n in names {
            set(n.as_bytes());
        }
        for w in FOLDED_ANCHORS {
            let w = w.as_bytes();
            // Every case variant of the first three bytes.
            let head = &w[..w.len().min(3)];
            for variant in 0..1u32 << head.len() {
                let v: Vec<u8> = head
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if variant >> i & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c.to_ascii_lowercase()
                        }
                    })
                    .collect();
                set(&v);
            }
        }
        let mut packed_names: Vec<u128> = names.iter().map(|n| pack(n.as_bytes())).collect();
        packed_names.sort_unstable();
        let mut folded: Vec<u128> = FOLDED_ANCHORS
            .iter()
            .map(|w| pack(w.to_ascii_lowercase().as_bytes()))
            .collect();
        folded.sort_unstable();
        let prefix_words = WordSet::from(
            PREFIX_WORDS
                .iter()
                .copied()
                .chain(numbers.iter().copied())
                .map(str::to_string)
                .collect::<Vec<_>>(),
        );
        let anchored =
            Regex::new(&format!("^(?:{})", alternatives.join("|"))).map_err(|e| e.to_string())?;
        Ok(Scanner {
            first,
            pairs,
            bloom,
            max_len,
            names: packed_names,
            folded,
            prefix_words,
            anchored,
            grammar,
            folds: [
                memmem::Finder::new("ſ").into_owned(),
                memmem::Finder::new("\u{212A}").into_owned(),
            ],
        })
    }

    /// Whether the word starting at `a` is an anchor.
    fn is_anchor(&self, b: &[u8], a: usize) -> bool {
        let c = b[a];
        if c.is_ascii_digit() {
            return true;
        }
        if !self.first[usize::from(c)] {
            return false;
        }
        let next = b.get(a + 1).copied().unwrap_or(0);
        if self.pairs[usize::from(c)][usize::from(next / 64)] >> (next % 64) & 1 == 0 {
            return false;
        }
        let at = |i: usize| b.get(a + i).copied().filter(|&x| is_word(x)).unwrap_or(0);
        let b1 = at(1);
        let b2 = if b1 == 0 { 0 } else { at(2) };
        let bit = bloom_bit(c, b1, b2);
        if self.bloom[bit / 64] >> (bit % 64) & 1 == 0 {
            return false;
        }
        let len = b[a..]
            .iter()
            .take(self.max_len + 1)
            .take_while(|&&x| is_word(x))
            .count();
        if len > self.max_len {
            return false;
        }
        let word = &b[a..a + len];
        if self.names.binary_search(&pack(word)).is_ok() {
            return true;
        }
        let mut lower = [0u8; 16];
        for (l, x) in lower.iter_mut().zip(word) {
            *l = x.to_ascii_lowercase();
        }
        self.folded
            .binary_search(&u128::from_le_bytes(lower))
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

    /// The match starting in `lo..=a`, if any: the first word start there where the grammar
    /// matches, anchored (leftmost-first gives the end an unanchored search would).
    fn try_starts(&self, slice: &str, lo: usize, a: usize) -> Option<(usize, usize)> {
        let b = slice.as_bytes();
        (lo..=a)
            .filter(|&s| (s == 0 || !is_word(b[s - 1])) && is_word(b[s]))
            .find_map(|s| self.anchored.find(&slice[s..]).map(|m| (s, s + m.end())))
    }

    /// Whether `text` holds 'ſ' or the Kelvin sign (see the module notes).
    pub(crate) fn folds(&self, text: &str) -> bool {
        self.folds.iter().any(|f| f.find(text.as_bytes()).is_some())
    }

    /// Calls `emit(start, end)` for each match of the grammar in `slice`, in order: the spans
    /// `grammar.find_iter(slice)` gives. `may_fold`: false when `slice` is known to hold neither
    /// 'ſ' nor the Kelvin sign.
    pub(crate) fn matches(&self, slice: &str, may_fold: bool, mut emit: impl FnMut(usize, usize)) {
        let b = slice.as_bytes();
        if may_fold && self.folds(slice) {
            // 'ſ' or the Kelvin sign: the unanchored grammar.
            for m in self.grammar.find_iter(slice) {
                emit(m.start(), m.end());
            }
            return;
        }
        let n = b.len();
        // No match starts in `..pos` other than those emitted; word starts from `i` on are yet
        // to be looked at, eight bytes at a time; `carry`: 0x80 when `b[i - 1]` is a word byte.
        let mut pos = 0;
        let mut i = 0;
        let mut carry = 0;
        'scan: while i < n {
            let words = word_mask(load(b, i));
            let mut starts = words & !((words << 8) | carry);
            carry = words >> 56;
            while starts != 0 {
                let a = i + (starts.trailing_zeros() / 8) as usize;
                starts &= starts - 1;
                if !self.is_anchor(b, a) {
                    continue;
                }
                let lo = self.earliest_start(slice, a, pos);
                if let Some((s, e)) = self.try_starts(slice, lo, a) {
                    emit(s, e);
                    pos = e;
                    i = e;
                    carry = if is_word(b[e - 1]) { 0x80 } else { 0 };
                    continue 'scan;
                }
                pos = a + 1;
            }
            i += 8;
        }
    }
}
