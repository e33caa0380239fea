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
//! The anchor test (`is_anchor`) may let through words that are no anchor: that costs a try,
//! never a match. What it must never turn down is the first anchor of a match; so a number
//! passes only in a shape the first anchor of a match can have (`number_may_open`), and a
//! word only when its first eight bytes are those of a name or folded anchor word.
//!
//! Case-insensitive parts of the grammar also match two non-ASCII letters, 'ſ' (for 's') and
//! the Kelvin sign (for 'k'), which the byte tests here do not see; a range holding either is
//! searched with the unanchored grammar as before.

use std::ops::Range;

use regex::Regex;

use super::extract::WordSet;
use crate::swar::{self, HI, LO, load};

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

/// The unit words of `FOLDED_ANCHORS`: the grammar writes each only after a relative word or a
/// count ("last year", "two weeks"), so no match starts at one (see `Scanner::matches`).
const UNIT_WORDS: [&[u8]; 8] = [
    b"day", b"days", b"week", b"weeks", b"month", b"months", b"year", b"years",
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

/// The anchor tests and the anchored grammar.
pub(crate) struct Scanner {
    /// The first two bytes an anchor word may open with, one bit per pair `b0 | b1 << 8` (the
    /// end of the text counts as zero): every pair opening with a digit; the names as written
    /// and every case variant of `FOLDED_ANCHORS`; for a word of one letter, that letter before
    /// every byte that is no word byte. One load and one branch reject most word starts.
    pairs: Box<[u64; 1024]>,
    /// The first eight bytes of every anchor word other than a number (`prefix_key`), in
    /// lower case (`fold`), each with the word as written: the names as the grammar writes
    /// them, `FOLDED_ANCHORS` (any case: written as zero). An open-addressing table keyed by
    /// the lower-case bytes (`slot`), so a word is looked up with one probe sequence; zero for
    /// an empty slot (no word packs to zero).
    anchor_words: Box<[AnchorWord; ANCHOR_SLOTS]>,
    /// `PREFIX_WORDS` and the number words.
    prefix_words: WordSet,
    /// The alternatives joined, each without its opening word boundary, anchored at the start.
    anchored: Regex,
    /// The alternatives joined, as `find_iter` would run them (for the fallback).
    grammar: Regex,
}

/// The first eight bytes of the word starting at `a` (taken to end at the first byte that is
/// no ASCII letter or digit) as `prefix_key` packs them, as written and in lower case.
fn word_keys(b: &[u8], a: usize) -> (u64, u64) {
    let x = load(b, a);
    let len = (!swar::alphanumerics(x) & HI).trailing_zeros() / 8;
    let keep = if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    };
    let word = x & keep;
    // Lower case: every byte of the word is an ASCII letter or digit, and setting 0x20
    // leaves a digit as it is.
    (word, word | (keep & (LO * 0x20)))
}

/// Whether the word starting at `a` is one of `UNIT_WORDS`, in any ASCII case. (`word_keys`
/// keeps eight bytes: a longer word never equals a unit word's key, a zero byte ends each.)
fn is_unit_word(b: &[u8], a: usize) -> bool {
    let (_, folded) = word_keys(b, a);
    UNIT_WORDS.iter().any(|w| prefix_key(w) == folded)
}

/// The slots of `Scanner::anchor_words` (a power of two, well above the ~100 anchor words,
/// so that most words, which are none, end their probe at the first slot).
const ANCHOR_SLOTS: usize = 512;

/// One entry of `Scanner::anchor_words`: the first eight bytes of an anchor word in lower case
/// and as it must be written (zero: in any case).
#[derive(Clone, Copy, Default)]
struct AnchorWord {
    folded: u64,
    exact: u64,
}

/// `key` (`prefix_key` of a word of ASCII letters and digits) in lower case, as `word_keys`
/// folds it.
fn fold(key: u64) -> u64 {
    let len = 8 - key.leading_zeros() / 8;
    let keep = if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    };
    key | (keep & (LO * 0x20))
}

/// The first (up to) eight bytes of a word as one little-endian integer, zero past its end.
fn prefix_key(word: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = word.len().min(8);
    buf[..n].copy_from_slice(&word[..n]);
    u64::from_le_bytes(buf)
}

/// The first slot of `key` in `Scanner::anchor_words`.
fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % ANCHOR_SLOTS
}

/// The bit of the pair `b0 b1` in `Scanner::pairs`.
fn pair_key(b0: u8, b1: u8) -> usize {
    usize::from(b0) | usize::from(b1) << 8
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
        let mut pairs = Box::new([0u64; 1024]);
        let mut pair = |b0: u8, b1: u8| {
            let key = pair_key(b0, b1);
            pairs[key / 64] |= 1 << (key % 64);
        };
        for b0 in b'0'..=b'9' {
            for b1 in 0..=255u8 {
                pair(b0, b1);
            }
        }
        let mut set = |w: &[u8]| {
            if let [b0] = w {
                for b1 in (0..=255u8).filter(|&x| !is_word(x)) {
                    pair(*b0, b1);
                }
            } else {
                pair(w[0], w[1]);
            }
        };
        for n in names {
            set(n.as_bytes());
        }
        for w in FOLDED_ANCHORS {
            let w = w.as_bytes();
            // Every case variant of the first two bytes.
            let head = &w[..w.len().min(2)];
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
        let mut anchor_words = Box::new([AnchorWord::default(); ANCHOR_SLOTS]);
        // The names as written, then the folded anchors in any case.
        let entries = names
            .iter()
            .map(|w| {
                let key = prefix_key(w.as_bytes());
                let folded = fold(key);
                // A name with no capital is taken in any case, as the folded word looked up
                // alone once was.
                AnchorWord {
                    folded,
                    exact: if folded == key { 0 } else { key },
                }
            })
            .chain(FOLDED_ANCHORS.iter().map(|w| AnchorWord {
                folded: fold(prefix_key(w.as_bytes())),
                exact: 0,
            }));
        for entry in entries {
            let mut i = slot(entry.folded);
            while anchor_words[i].folded != 0
                && (anchor_words[i].folded, anchor_words[i].exact) != (entry.folded, entry.exact)
            {
                i = (i + 1) % ANCHOR_SLOTS;
            }
            anchor_words[i] = entry;
        }
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
            pairs,
            anchor_words,
            prefix_words,
            anchored,
            grammar,
        })
    }

    /// Whether the first two bytes of the word starting at `a` may open an anchor (every
    /// number passes).
    #[inline]
    fn may_open_anchor(&self, b: &[u8], a: usize) -> bool {
        let key = pair_key(b[a], b.get(a + 1).copied().unwrap_or(0));
        self.pairs[key / 64] >> (key % 64) & 1 == 1
    }

    /// Whether the word starting at `a` is an anchor.
    fn is_anchor(&self, b: &[u8], a: usize) -> bool {
        if !self.may_open_anchor(b, a) {
            return false;
        }
        if b[a].is_ascii_digit() {
            return self.number_may_open(b, a);
        }
        self.is_name_anchor(b, a)
    }

    /// Whether a match may hold the number starting at the word start `a` as its first anchor.
    /// The grammar's tokens made of digits are a year (`1[6-9]NN`, `20NN`, opening the ISO
    /// date and the decade too), a day (`[0-3]?[0-9]`, then an optional `st|nd|rd|th`, white
    /// space, an optional `of` and white space, and a month name) and a count (`[0-9]{1,3}`,
    /// white space, a unit word). A day or year after a name is not the first anchor of its
    /// match, and none follows a prefix word but the day and the year, so the first anchor is
    /// a whole run of digits of one of these shapes: four digits, or one to three then white
    /// space (after an ordinal suffix) and "of", a month name or a unit word. The test is
    /// looser than the grammar (any four digits, three-digit days, any word passing
    /// `may_open_anchor`, any non-ASCII byte where white space could be): it never turns down
    /// a number the grammar could start with.
    fn number_may_open(&self, b: &[u8], a: usize) -> bool {
        let run = b[a..]
            .iter()
            .take(5)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if run >= 4 {
            return run == 4;
        }
        let mut q = a + run;
        if matches!(b.get(q..q + 2), Some(b"st" | b"nd" | b"rd" | b"th")) {
            q += 2;
        }
        let blank = q;
        while let Some(&c) = b.get(q) {
            match c {
                b'\t'..=b'\r' | b' ' => q += 1,
                // Perhaps Unicode white space (`\s`): let the grammar decide.
                0x80..=0xFF => return true,
                _ => break,
            }
        }
        q > blank && q < b.len() && (b[q..].starts_with(b"of") || self.may_open_anchor(b, q))
    }

    /// Whether the word starting at `a`, which opens with a letter and passed
    /// `may_open_anchor`, may be a month or weekday name or one of `FOLDED_ANCHORS`: its first
    /// eight bytes, as written or in lower case, are those of one. (A superset of the anchors,
    /// which is all `matches` needs: a word of more than eight bytes passes on its first eight,
    /// and the word is taken to end at '_', which `(?-u:\b)` counts as a word byte.)
    #[inline(never)]
    fn is_name_anchor(&self, b: &[u8], a: usize) -> bool {
        let (word, folded) = word_keys(b, a);
        // One probe sequence, by the lower-case bytes: a word as written or in lower case is
        // an anchor word of the old two-table test exactly when an entry of its folded key
        // takes it as written (or in any case).
        let mut i = slot(folded);
        loop {
            let entry = self.anchor_words[i];
            if entry.folded == 0 {
                return false;
            }
            if entry.folded == folded && (entry.exact == 0 || entry.exact == word) {
                return true;
            }
            i = (i + 1) % ANCHOR_SLOTS;
        }
    }

    /// Whether the ASCII word starting at `a` may be a month or weekday name (`is_name_anchor`,
    /// which also lets through deixis and unit words and any word sharing a name's first eight
    /// bytes).
    pub(crate) fn may_be_name(&self, b: &[u8], a: usize) -> bool {
        self.is_name_anchor(b, a)
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

    /// The match starting in `lo..=a` (`lo..a` when `!at_a`), if any: the first word start
    /// there where the grammar matches, anchored (leftmost-first gives the end an unanchored
    /// search would).
    fn try_starts(&self, slice: &str, lo: usize, a: usize, at_a: bool) -> Option<(usize, usize)> {
        let b = slice.as_bytes();
        (lo..a + usize::from(at_a))
            .filter(|&s| (s == 0 || !is_word(b[s - 1])) && is_word(b[s]))
            .find_map(|s| self.anchored.find(&slice[s..]).map(|m| (s, s + m.end())))
    }

    /// Whether `text` holds 'ſ' or the Kelvin sign (see the module notes).
    #[allow(clippy::unused_self)] // kept a method: the fold test belongs to the scanner
    pub(crate) fn folds(&self, text: &str) -> bool {
        // One pass for a byte of either, both rare in text: the lead byte of 'ſ' (C5 BF) and
        // the middle byte of the Kelvin sign (E2 84 AA); each hit is checked in place.
        let b = text.as_bytes();
        memchr::memchr2_iter(0xC5, 0x84, b).any(|i| {
            if b[i] == 0xC5 {
                b.get(i + 1) == Some(&0xBF)
            } else {
                i > 0 && b[i - 1] == 0xE2 && b.get(i + 1) == Some(&0xAA)
            }
        })
    }

    /// Calls `emit(start, end)` for each match of the grammar in `slice` that starts in
    /// `window`, in order: the spans of `grammar.find_iter(slice)` that start there. `may_fold`:
    /// false when `slice` is known to hold neither 'ſ' nor the Kelvin sign.
    ///
    /// `window` must start at 0 or where no match of the grammar can reach across (a match
    /// ending there at the latest; the same at its end, or end at `slice.len()`): then the
    /// matches of `find_iter` that start in it are those of a search starting there, and they
    /// end in it. (See `extract::Windows` for such points.)
    pub(crate) fn matches(
        &self,
        slice: &str,
        window: Range<usize>,
        may_fold: bool,
        mut emit: impl FnMut(usize, usize),
    ) {
        let b = slice.as_bytes();
        if may_fold && self.folds(slice) {
            // 'ſ' or the Kelvin sign: the unanchored grammar.
            for m in self.grammar.find_iter(slice) {
                if window.contains(&m.start()) {
                    emit(m.start(), m.end());
                }
            }
            return;
        }
        let end = window.end.min(b.len());
        // No match starts in `..pos` other than those emitted (none before the window counts:
        // no match reaches across its start); word starts from `i` on are yet to be looked
        // at, eight bytes at a time; `carry`: 0x80 when `b[i - 1]` is an ASCII letter or digit.
        let mut pos = window.start;
        let mut i = window.start;
        let mut carry = match i.checked_sub(1).map(|k| b[k]) {
            Some(c) if c.is_ascii_alphanumeric() => 0x80,
            _ => 0,
        };
        'scan: while i < end {
            // The word bytes but '_', which opens no anchor: a start after '_' this lets
            // through is no word start, which `try_starts` checks byte by byte.
            let words = swar::alphanumerics(load(b, i));
            let mut starts = words & !((words << 8) | carry);
            carry = words >> 56;
            while starts != 0 {
                let a = i + (starts.trailing_zeros() / 8) as usize;
                if a >= end {
                    break 'scan;
                }
                starts &= starts - 1;
                if !self.is_anchor(b, a) {
                    continue;
                }
                let lo = self.earliest_start(slice, a, pos);
                // No alternative opens with a unit word: a try there fails for sure (and costs
                // a regex search). Most unit words follow no prefix word (`lo == a`).
                let at_a = !(b[a].is_ascii_alphabetic() && is_unit_word(b, a));
                if let Some((s, e)) = self.try_starts(slice, lo, a, at_a) {
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
