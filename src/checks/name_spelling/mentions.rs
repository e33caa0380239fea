//! Candidate name mentions cut out of a document's body sentences without a tagger: maximal
//! runs of capitalised words joined only by spaces, with lower-case connectors inside ("Osama
//! bin Laden", "Hizb ut-Tahrir"). Titles and sentence openers are stripped from the start of a
//! run; a sentence-initial word counts only when the document also capitalises it elsewhere
//! (Mikheev's document-centred rule). Possessives are cut off ("ISIS’", "Pakistan’s").
//!
//! This is the hot path of the kind: it allocates only for the mentions it returns (plus two
//! per-document buffers), never per word. It decides nothing about variants.

use std::collections::HashSet;
use std::ops::Range;

use super::matcher::{FxBuild, MatchLexicon};
use crate::document::Document;
use crate::simd;
use crate::text::next_word;

/// One mention: the span of its spelling (a leading particle such as "al-" excluded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub span: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordKind {
    Name,
    Connector,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct RunWord {
    start: usize,
    end: usize,
    kind: WordKind,
    /// Byte length of a leading particle joined by a hyphen ("al-" in "al-Qaeda").
    particle_prefix: usize,
    possessive: bool,
}

/// Cuts a trailing possessive ("’s", "'s", "’S", "'S") off a word.
fn strip_possessive(w: &str) -> (&str, bool) {
    let b = w.as_bytes();
    if let [.., b'\'' | 0x99, b's' | b'S'] = b {
        let n = b.len();
        let cut = if b[n - 2] == b'\'' {
            n - 2
        } else if n >= 4 && b[n - 4..n - 1] == *"’".as_bytes() {
            n - 4
        } else {
            return (w, false);
        };
        if cut > 0 {
            return (&w[..cut], true);
        }
    }
    (w, false)
}

/// `w` in lower case into `buf` when it is short ASCII (the usual case), else `None`.
fn ascii_lower(w: &str, buf: &mut [u8; 32]) -> Option<usize> {
    let b = w.as_bytes();
    if b.len() > buf.len() || !w.is_ascii() {
        return None;
    }
    for (o, c) in buf.iter_mut().zip(b) {
        *o = c.to_ascii_lowercase();
    }
    Some(b.len())
}

/// A word of at most eight ASCII bytes as one number (zero-padded), for the connector table.
pub fn pack_word(w: &[u8]) -> Option<u64> {
    if w.len() > 8 || !w.is_ascii() || w.contains(&0) {
        return None;
    }
    let mut bytes = [0u8; 8];
    bytes[..w.len()].copy_from_slice(w);
    Some(u64::from_le_bytes(bytes))
}

fn lower_into<'b>(buf: &'b mut String, w: &str) -> &'b str {
    buf.clear();
    for c in w.chars() {
        buf.extend(c.to_lowercase());
    }
    buf.as_str()
}

/// Whether `w` reads as a capitalised name word: an upper-case first letter, some lower-case
/// letter after it (ALL-CAPS acronyms are not spellings to compare), no digits.
fn is_capitalised(w: &str) -> bool {
    is_capitalised_at(w.as_bytes(), 0, w.len()).unwrap_or_else(|| is_capitalised_general(w))
}

/// `is_capitalised` of the word `bytes[start..end]` when it is ASCII, `None` when it has a
/// non-ASCII byte. The text after `end` is read (and masked off) so that a short word costs
/// one load of eight bytes (`byte_classes`), not a loop over its bytes.
// Inlined into the scan's `classify` (a call, with its `Option`, cost a sixth of the work per
// capitalised word; plain `#[inline]` leaves it a call).
#[allow(clippy::inline_always)]
#[inline(always)]
pub(super) fn is_capitalised_at(bytes: &[u8], start: usize, end: usize) -> Option<bool> {
    let &first = bytes[start..end].first()?;
    // Most words: an ASCII first letter decides at once when it is not upper case.
    if first.is_ascii() && !first.is_ascii_uppercase() {
        return Some(false);
    }
    let classes = byte_classes(bytes, start, end);
    if classes & HIGH_BYTE != 0 {
        return None;
    }
    let lower = classes & LOWER_BYTE != 0;
    let digit = classes & DIGIT_BYTE != 0;
    let apostrophe = classes & APOSTROPHE_BYTE != 0;
    Some(
        end - start >= 2
            && lower
            && !digit
            && (!apostrophe || !is_contraction(std::str::from_utf8(&bytes[start..end]).ok()?)),
    )
}

/// `byte_classes` flags: some byte is an ASCII lower-case letter, an ASCII digit, a straight
/// apostrophe, not ASCII.
const LOWER_BYTE: u8 = 1;
const DIGIT_BYTE: u8 = 2;
const APOSTROPHE_BYTE: u8 = 4;
const HIGH_BYTE: u8 = 8;

/// The eight bytes of `bytes` from `at` as a number (little-endian), those from `end` on set to
/// zero (a zero byte is of no class in `byte_classes`).
#[inline]
pub(super) fn window(bytes: &[u8], at: usize, end: usize) -> u64 {
    let x = if let Some(eight) = bytes.get(at..at + 8) {
        u64::from_le_bytes(eight.try_into().expect("eight bytes"))
    } else {
        let mut eight = [0u8; 8];
        for (o, &b) in eight.iter_mut().zip(&bytes[at..end]) {
            *o = b;
        }
        u64::from_le_bytes(eight)
    };
    let n = end - at;
    if n >= 8 {
        x
    } else {
        x & ((1u64 << (8 * n)) - 1)
    }
}

/// The classes of the bytes of `bytes[start..end]` (`LOWER_BYTE` and the others), eight bytes
/// at a time as in `capital_or_high`: with the high bit of each byte cleared first (so no sum
/// carries into the next byte), adding 0x1F sets the high bit from 'a' up and 0x05 from '{' up,
/// 0x50 from '0' up and 0x46 from ':' up; a byte equal to `'` is zero after an exclusive or,
/// and only a zero byte keeps its high bit clear when 0x7F is added.
#[inline]
fn byte_classes(bytes: &[u8], start: usize, end: usize) -> u8 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (mut lower, mut digit, mut apostrophe, mut high) = (0u64, 0u64, 0u64, 0u64);
    let mut i = start;
    while i < end {
        let x = window(bytes, i, end);
        let low = x & LOW;
        high |= x;
        lower |= (low + 0x1F * ONES) & !(low + 0x05 * ONES) & !x;
        digit |= (low + 0x50 * ONES) & !(low + 0x46 * ONES) & !x;
        apostrophe |= !((low ^ (u64::from(b'\'') * ONES)) + LOW) & !x;
        i += 8;
    }
    let flag = |v: u64, f: u8| if v & HIGH != 0 { f } else { 0 };
    flag(lower, LOWER_BYTE)
        | flag(digit, DIGIT_BYTE)
        | flag(apostrophe, APOSTROPHE_BYTE)
        | flag(high, HIGH_BYTE)
}

/// `is_capitalised` for any word.
pub(super) fn is_capitalised_general(w: &str) -> bool {
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_uppercase()
        && w.chars().any(char::is_lowercase)
        && !w.chars().any(|c| c.is_ascii_digit())
        && w.chars().count() >= 2
        && !is_contraction(w)
}

/// "I'm", "We'll", "Don't": an apostrophe followed by a short lower-case ending.
fn is_contraction(w: &str) -> bool {
    w.rfind(['\'', '’']).is_some_and(|i| {
        let tail = &w[i..];
        let tail = tail.trim_start_matches(['\'', '’']);
        tail.len() <= 2 && tail.chars().all(char::is_lowercase)
            || w.ends_with("n't")
            || w.ends_with("n’t")
    })
}

/// Connectors are short words ("al", "bin", "della"); longer words skip the lookup.
const MAX_CONNECTOR_LEN: usize = 5;

struct Classifier<'l> {
    lex: &'l MatchLexicon,
    buf: String,
}

impl Classifier<'_> {
    /// Whether a word (at most `MAX_CONNECTOR_LEN` bytes) is a connector, in any case.
    fn is_connector(&mut self, w: &str) -> bool {
        let mut buf = [0u8; 32];
        match ascii_lower(w, &mut buf) {
            Some(0) => self.lex.connectors.contains(""),
            // Most short words ("the", "of") fail the first-letter and length test.
            Some(n) if !self.lex.connector_lengths.may_hold(buf[0], n) => false,
            Some(n) => pack_word(&buf[..n])
                .is_some_and(|code| self.lex.connector_codes.binary_search(&code).is_ok()),
            None => self.lex.connectors.contains(lower_into(&mut self.buf, w)),
        }
    }

    /// Whether a word starts with an ASCII lower-case letter and, its possessive cut off as
    /// `classify` does, can be no connector (too long, or no connector has its first letter
    /// and length) and has no hyphen early enough to close a connector: `classify` would call
    /// it `Other`.
    fn plain_lower(&self, w: &str) -> bool {
        let b = strip_possessive(w).0.as_bytes();
        let Some(&first) = b.first() else {
            return false;
        };
        first.is_ascii_lowercase()
            && !b[..b.len().min(MAX_CONNECTOR_LEN + 1)].contains(&b'-')
            && (b.len() > MAX_CONNECTOR_LEN || !self.lex.connector_lengths.may_hold(first, b.len()))
    }

    /// Classifies the word `text[start..end]`.
    fn classify(&mut self, text: &str, start: usize, end: usize) -> RunWord {
        let (w, possessive) = strip_possessive(&text[start..end]);
        let end = start + w.len();
        let mut word = RunWord {
            start,
            end,
            kind: WordKind::Other,
            particle_prefix: 0,
            possessive,
        };
        if is_capitalised_at(text.as_bytes(), start, end)
            .unwrap_or_else(|| is_capitalised_general(w))
        {
            word.kind = WordKind::Name;
            return word;
        }
        // The first hyphen, when it closes a head short enough to be a connector.
        let near = &w.as_bytes()[..w.len().min(MAX_CONNECTOR_LEN + 1)];
        if let Some(h) = near.iter().position(|&b| b == b'-') {
            let (head, tail) = (&w[..h], &w[h + 1..]);
            if is_capitalised(tail) && self.is_connector(head) {
                word.kind = WordKind::Name;
                word.particle_prefix = h + 1;
                return word;
            }
        }
        if w.len() <= MAX_CONNECTOR_LEN && w.chars().all(char::is_lowercase) && self.is_connector(w)
        {
            word.kind = WordKind::Connector;
        }
        word
    }

    /// Whether the word `text[start..end]` is a leading word or a particle, in any case.
    fn is_leading(&mut self, text: &str, start: usize, end: usize) -> bool {
        let n = end - start;
        if n <= 8
            && let Some(code) = ascii_lower_code(text.as_bytes(), start, end)
        {
            // No word of either set has this first letter and length.
            if n > 0 && !self.lex.leading_lengths.may_hold((code & 0xFF) as u8, n) {
                return false;
            }
            // Every word of either set that packs is among the codes.
            return self.lex.leading_codes.contains(code);
        }
        let w = &text[start..end];
        let mut buf = [0u8; 32];
        let lower = match ascii_lower(w, &mut buf) {
            Some(n) => {
                if n > 0 && !self.lex.leading_lengths.may_hold(buf[0], n) {
                    return false;
                }
                if let Some(code) = pack_word(&buf[..n]) {
                    return self.lex.leading_codes.contains(code);
                }
                std::str::from_utf8(&buf[..n]).expect("ASCII")
            }
            None => lower_into(&mut self.buf, w),
        };
        self.lex.leading.contains(lower) || self.lex.particles.contains(lower)
    }
}

/// The word `bytes[start..end]` (at most eight bytes, a word as `text::next_word` cuts it, so
/// no NUL) in lower case, packed as `pack_word` packs it, when it is ASCII: one load of eight
/// bytes (`window`), its upper-case letters found as in `capital_or_high` and given the 0x20
/// bit.
fn ascii_lower_code(bytes: &[u8], start: usize, end: usize) -> Option<u64> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const FROM_A: u64 = 0x3F3F_3F3F_3F3F_3F3F;
    const PAST_Z: u64 = 0x2525_2525_2525_2525;
    debug_assert!(end - start <= 8);
    let x = window(bytes, start, end);
    if x & HIGH != 0 {
        return None;
    }
    let upper = (x + FROM_A) & !(x + PAST_Z) & HIGH;
    Some(x | (upper >> 2))
}

/// A set of packed words (`pack_word`): an open-addressing table, so that a lookup hashes once
/// and compares a slot or two (a binary search over the two hundred leading words took eight
/// hard-to-predict steps, for every run of the mention scan).
#[derive(Clone, Debug, Default)]
pub struct CodeSet {
    /// A power of two of slots, at most half full; 0 is an empty slot.
    slots: Vec<u64>,
    /// Whether the empty word (code 0) is in the set.
    zero: bool,
}

impl CodeSet {
    pub fn new(codes: &[u64]) -> CodeSet {
        let mut set = CodeSet {
            slots: vec![0; (2 * codes.len()).next_power_of_two().max(8)],
            zero: false,
        };
        for &code in codes {
            if code == 0 {
                set.zero = true;
            } else if !set.contains(code) {
                let mut at = set.slot(code);
                while set.slots[at] != 0 {
                    at = (at + 1) & (set.slots.len() - 1);
                }
                set.slots[at] = code;
            }
        }
        set
    }

    /// The first slot to try for `code` (multiplicative hashing: the top bits of the product).
    fn slot(&self, code: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (code.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
    }

    pub fn contains(&self, code: u64) -> bool {
        if code == 0 {
            return self.zero;
        }
        if self.slots.is_empty() {
            return false;
        }
        let mut at = self.slot(code);
        loop {
            match self.slots[at] {
                0 => return false,
                c if c == code => return true,
                _ => at = (at + 1) & (self.slots.len() - 1),
            }
        }
    }
}

pub type FxSet<'a> = HashSet<&'a str, FxBuild>;

/// Appends the name mentions of `doc`'s body to `out`: each run once, and for runs of two or
/// more name words also the last word alone (the surname a second reference uses).
///
/// The words are those of each sentence exactly as `text::words` cuts them
/// (`text::next_word`), but most are never cut out: only a word with an upper-case letter or a
/// non-ASCII byte can be a name word (an upper-case first letter, or "al-Name"), and a
/// connector matters only right after a name word (a run starts with a name word; a connector
/// anywhere else closes nothing that the word before it has not closed already, so it acts as
/// any other word). So after a word that is not kept the scan jumps to the next such byte
/// (`resume_point`), and the words passed over count as one other word (for the sentence's
/// first word and the contiguity of kept words, all that other words decide).
///
/// On the way it records in `starts` the openings of the document's lower-case words, for the
/// common-word guard (`LowerWords::find_each`).
pub fn collect_mentions(
    doc: &Document,
    lex: &MatchLexicon,
    out: &mut Vec<Mention>,
    starts: &mut LowerStarts,
) {
    scan_mentions(doc, lex, out, starts, true);
}

/// `collect_mentions`, jumping over the words that cannot be name words when `skip` is set
/// (always, but in the test that checks both ways find the same mentions).
pub(crate) fn scan_mentions(
    doc: &Document,
    lex: &MatchLexicon,
    out: &mut Vec<Mention>,
    starts: &mut LowerStarts,
    skip: bool,
) {
    let text = doc.text.as_str();
    let mut cls = Classifier {
        lex,
        buf: String::new(),
    };
    // One pass over the words: classify each; keep the name words and connectors, with where
    // sentences start and whether another word came between.
    // Reused across the documents of a thread (see `KEPT`).
    let mut kept: Vec<Kept> = KEPT.take();
    kept.clear();
    let mut n = 0usize;
    let mut last_kept = usize::MAX;
    let bytes = text.as_bytes();
    for s in &doc.sentences {
        let mut pos = s.start;
        let mut first = true;
        // Whether the word before `pos` was kept (then the next word may extend its run).
        let mut after_kept = false;
        loop {
            if !after_kept && skip {
                let q = resume_point(bytes, pos, s.end, starts);
                if bytes[pos..q].iter().any(u8::is_ascii_alphanumeric) {
                    // Words passed over (lower case or digits, ASCII): one other word.
                    n += 1;
                    first = false;
                }
                pos = q;
            }
            let Some((start, end, joined)) = next_word(text, pos, s.end) else {
                break;
            };
            pos = end;
            let is_first = std::mem::replace(&mut first, false);
            let b0 = bytes[start];
            if b0.is_ascii_lowercase() {
                starts.record(bytes, start);
                // Without a joiner there is no possessive to cut and no hyphen: `plain_lower`
                // reduces to the connector length test.
                let len = end - start;
                let plain = if joined {
                    cls.plain_lower(&text[start..end])
                } else {
                    len > MAX_CONNECTOR_LEN || !lex.connector_lengths.may_hold(b0, len)
                };
                if plain {
                    // The usual word: lower case, neither a connector nor "al-Name".
                    n += 1;
                    after_kept = false;
                    continue;
                }
            }
            let word = cls.classify(text, start, end);
            after_kept = word.kind != WordKind::Other;
            if after_kept {
                kept.push(Kept {
                    word,
                    first: is_first,
                    contiguous: n > 0 && last_kept == n - 1,
                });
                last_kept = n;
            }
            n += 1;
        }
    }
    // Mikheev: words capitalised somewhere other than a sentence start (all kept).
    let inner_caps = InnerCaps::new(text, &kept);
    // The runs: what a walk over all words would build, where any other word closes the run
    // (`kept` holds runs as ranges `run`, since their words are consecutive there).
    // Most calls close an empty run (a name word right after another word): tested here,
    // before the call.
    let mut close = |run: Range<usize>, at_start: bool| {
        if !run.is_empty() {
            close_run(text, &kept[run], at_start, &inner_caps, &mut cls, out);
        }
    };
    let mut run = 0..0;
    let mut run_at_start = false;
    for (k, kw) in kept.iter().enumerate() {
        let word = kw.word;
        if !kw.contiguous {
            // Another word came between: it closed the run.
            close(run.clone(), run_at_start);
            run = k..k;
        }
        // The run, when not empty, ends with the word before this one.
        let joined = !kw.first
            && !run.is_empty()
            && !kept[run.end - 1].word.possessive
            && word.start > kept[run.end - 1].word.end
            && is_space(&text[kept[run.end - 1].word.end..word.start]);
        match word.kind {
            WordKind::Name | WordKind::Connector if joined => run.end = k + 1,
            WordKind::Name => {
                close(run.clone(), run_at_start);
                run = k..k + 1;
                run_at_start = kw.first;
            }
            _ => {
                close(run.clone(), run_at_start);
                run = k + 1..k + 1;
            }
        }
    }
    close(run, run_at_start);
    KEPT.set(kept);
}

thread_local! {
    /// The `kept` buffer of `collect_mentions`, kept per thread so that a document allocates
    /// none.
    static KEPT: std::cell::Cell<Vec<Kept>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A name word or connector of the scan: whether it opens a sentence, and whether the word
/// before it in the text is the kept word before it in the list (no other word between).
#[derive(Clone, Copy, Debug)]
struct Kept {
    word: RunWord,
    first: bool,
    contiguous: bool,
}

/// The words of a document capitalised somewhere other than at a sentence start (the name
/// words of `kept` that open no sentence and have no particle), for Mikheev's rule in
/// `close_run`. Asked only about sentence-initial words, and mostly about few per document:
/// a bitmap of a cheap key (`word_key`) answers most questions, and the words are compared only
/// on a hit, by walking `kept` (no hashing of every word into a set). A document with many such
/// words has them in a set instead, so a question never costs a walk over thousands.
struct InnerCaps<'k> {
    text: &'k str,
    kept: &'k [Kept],
    /// A bit per `word_key` (its low ten bits) of the words.
    bits: [u64; 16],
    /// The words, when there are more than `INNER_WALK`.
    set: Option<FxSet<'k>>,
}

/// The most words `InnerCaps` compares by walking `kept`.
const INNER_WALK: usize = 128;

impl<'k> InnerCaps<'k> {
    fn new(text: &'k str, kept: &'k [Kept]) -> InnerCaps<'k> {
        let bytes = text.as_bytes();
        let mut bits = [0u64; 16];
        let mut n = 0usize;
        for kw in kept.iter().filter(|kw| kw.inner()) {
            let k = word_key(bytes, &kw.word);
            bits[k / 64 % 16] |= 1 << (k % 64);
            n += 1;
        }
        let set = (n > INNER_WALK).then(|| {
            let mut set = FxSet::with_capacity_and_hasher(n, FxBuild::default());
            set.extend(
                kept.iter()
                    .filter(|kw| kw.inner())
                    .map(|kw| &text[kw.word.start..kw.word.end]),
            );
            set
        });
        InnerCaps {
            text,
            kept,
            bits,
            set,
        }
    }

    /// Whether the text of `word` is one of the words.
    fn contains(&self, word: &RunWord) -> bool {
        let bytes = self.text.as_bytes();
        let k = word_key(bytes, word);
        if self.bits[k / 64 % 16] & (1 << (k % 64)) == 0 {
            return false;
        }
        let w = &bytes[word.start..word.end];
        if let Some(set) = &self.set {
            return set.contains(&self.text[word.start..word.end]);
        }
        self.kept
            .iter()
            .any(|kw| kw.inner() && &bytes[kw.word.start..kw.word.end] == w)
    }
}

/// A key of a word's text for `InnerCaps`: its first eight bytes and its length, hashed
/// (multiplicative hashing: the top bits of the product). Equal texts have equal keys.
fn word_key(bytes: &[u8], word: &RunWord) -> usize {
    let len = word.end - word.start;
    let x = window(bytes, word.start, word.end) ^ (len as u64);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize
}

impl Kept {
    /// A name word capitalised other than at a sentence start (see `InnerCaps`).
    fn inner(&self) -> bool {
        self.word.kind == WordKind::Name && !self.first && self.word.particle_prefix == 0
    }
}

/// Whether a gap between words is white space only (one space, usually).
fn is_space(gap: &str) -> bool {
    gap == " " || gap.chars().all(char::is_whitespace)
}

fn close_run(
    text: &str,
    run: &[Kept],
    at_sentence_start: bool,
    inner_caps: &InnerCaps<'_>,
    cls: &mut Classifier<'_>,
    out: &mut Vec<Mention>,
) {
    if run.is_empty() {
        return;
    }
    let mut words = run;
    while words
        .last()
        .is_some_and(|w| w.word.kind == WordKind::Connector)
    {
        words = &words[..words.len() - 1];
    }
    let mut first_is_initial = at_sentence_start;
    loop {
        let Some(first) = words.first().map(|w| &w.word) else {
            return;
        };
        let drop = first.kind == WordKind::Connector
            || cls.is_leading(text, first.start, first.end)
            || (first_is_initial && first.particle_prefix == 0 && !inner_caps.contains(first));
        if !drop {
            break;
        }
        words = &words[1..];
        first_is_initial = false;
    }
    let (Some(first), Some(last)) = (
        words.first().map(|w| &w.word),
        words.last().map(|w| &w.word),
    ) else {
        return;
    };
    out.push(Mention {
        span: first.start + first.particle_prefix..last.end,
    });
    let names = words
        .iter()
        .filter(|w| w.word.kind == WordKind::Name)
        .count();
    if names >= 2 && last.kind == WordKind::Name {
        out.push(Mention {
            span: last.start + last.particle_prefix..last.end,
        });
    }
}

/// Where the scan of a sentence (`text[..limit]`) resumes after a word that was not kept, at
/// the word boundary `pos`: at the start of the first word with an ASCII upper-case letter or a
/// non-ASCII byte, or at a word boundary before it (`limit` when there is none). The words
/// before the returned position are ASCII lower case, digits and joiners only, so none is a
/// name word, and none is a connector after a name word.
fn resume_point(bytes: &[u8], pos: usize, limit: usize, starts: &mut LowerStarts) -> usize {
    let Some(p) = capital_or_high(bytes, pos, limit, starts) else {
        return limit;
    };
    // Back to the start of the word (or run of ASCII joiners and word bytes) holding `p`:
    // everything in `pos..p` is ASCII, and a word never spans any other ASCII byte, so
    // `text::next_word` cuts the same words from there as from the sentence start.
    let mut q = p;
    while q > pos && matches!(bytes[q - 1], b'a'..=b'z' | b'0'..=b'9' | b'\'' | b'-') {
        q -= 1;
    }
    q
}

/// The first byte of `bytes[from..limit]` that is ASCII upper case or not ASCII. Sixteen bytes
/// at a time (`simd`), then eight in a `u64` near `limit`: there a byte's high bit marks it
/// non-ASCII; for the others (high bit cleared first, so no sum carries into the next byte)
/// adding 0x3F sets the high bit from 'A' up and adding 0x25 from '[' up, adding 0x1F from 'a'
/// up and adding 0x05 from '{' up.
///
/// On the way, records in `starts` each ASCII lower-case letter before that byte that follows
/// no ASCII letter (or is at `from`): the words passed over that open with such a letter start
/// there (`from` is a word boundary), and more (after a digit, a joiner or a non-ASCII
/// letter; more only let more through).
fn capital_or_high(
    bytes: &[u8],
    from: usize,
    limit: usize,
    starts: &mut LowerStarts,
) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const FROM_A: u64 = 0x3F3F_3F3F_3F3F_3F3F;
    const PAST_Z: u64 = 0x2525_2525_2525_2525;
    const FROM_LOWER_A: u64 = 0x1F1F_1F1F_1F1F_1F1F;
    const PAST_LOWER_Z: u64 = 0x0505_0505_0505_0505;
    let mut i = from;
    // Sixteen bytes at a time first, then eight (`carry` below is this `after_letter`).
    let mut after_letter = 0u32;
    while i + 16 <= limit {
        let v = simd::load(bytes, i);
        let hit = v.to_bitmask() | simd::in_range(v, b'A', b'Z').to_bitmask();
        let lower = simd::in_range(v, b'a', b'z').to_bitmask();
        let mut lower_starts = lower & !((lower << 1) | after_letter) & hit.wrapping_sub(1) & !hit;
        while lower_starts != 0 {
            starts.record(bytes, i + lower_starts.trailing_zeros() as usize);
            lower_starts &= lower_starts - 1;
        }
        if hit != 0 {
            return Some(i + hit.trailing_zeros() as usize);
        }
        after_letter = lower >> 15;
        i += 16;
    }
    // Whether the byte before `i` is an ASCII letter, as the flag of a byte 0.
    let mut carry = u64::from(after_letter) << 7;
    while i + 8 <= limit {
        let chunk: [u8; 8] = bytes[i..i + 8].try_into().expect("eight bytes");
        let x = u64::from_le_bytes(chunk);
        let low = x & LOW;
        let upper = (low + FROM_A) & !(low + PAST_Z);
        let hit = (x | upper) & HIGH;
        let lower = (low + FROM_LOWER_A) & !(low + PAST_LOWER_Z) & !x & HIGH;
        // Before the first hit no letter is upper case: a letter before a byte is a lower-case
        // one. Past the hit nothing is recorded (the scan cuts those words).
        let mut lower_starts = lower & !((lower << 8) | carry) & hit.wrapping_sub(1) & !hit;
        while lower_starts != 0 {
            starts.record(bytes, i + (lower_starts.trailing_zeros() / 8) as usize);
            lower_starts &= lower_starts - 1;
        }
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        carry = lower >> 56;
        i += 8;
    }
    let mut after_letter = carry != 0;
    for j in i..limit {
        let b = bytes[j];
        if b >= 0x80 || b.is_ascii_uppercase() {
            return Some(j);
        }
        if b.is_ascii_lowercase() && !after_letter {
            starts.record(bytes, j);
        }
        after_letter = b.is_ascii_lowercase();
    }
    None
}

/// Apostrophes and hyphens that join word characters, as `text::next_word` takes them.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐')
}

/// The words of a document's body sentences, as `text::next_word` cuts them, for the
/// common-word guard ("life" beside the spelling "Life"): each lower-case form is found with a
/// substring search over the sentences' span, each hit checked to be a whole word of a
/// sentence, so that the scan of the mentions never cuts the lower-case words out.
pub struct LowerWords<'d> {
    text: &'d str,
    sentences: &'d [Range<usize>],
    /// Sentences in text order, not overlapping (one binary search finds a hit's sentence);
    /// otherwise each hit is tried in every sentence.
    ordered: bool,
    /// From the first sentence's start to the last one's end.
    span: Range<usize>,
}

impl<'d> LowerWords<'d> {
    pub fn new(doc: &'d Document) -> Self {
        let sentences = &doc.sentences[..];
        let ordered = sentences.windows(2).all(|w| w[0].end <= w[1].start);
        let span = sentences.iter().map(|s| s.start).min().unwrap_or(0)
            ..sentences.iter().map(|s| s.end).max().unwrap_or(0);
        LowerWords {
            text: doc.text.as_str(),
            sentences,
            ordered,
            span,
        }
    }

    /// Whether some word of the sentences, starting lower case, is `form`.
    pub fn contains(&self, form: &str) -> bool {
        let Some(c0) = form.chars().next() else {
            return false;
        };
        let lower_start = if c0.is_ascii() {
            c0.is_ascii_lowercase()
        } else {
            c0.is_lowercase()
        };
        if !lower_start || self.span.len() < form.len() {
            return false;
        }
        let text = self.text;
        let whole_word = |s: &Range<usize>, a: usize| {
            s.start <= a
                && a + form.len() <= s.end
                && starts_word(text, s.start, a)
                && next_word(text, a, s.end)
                    .is_some_and(|(start, end, _)| start == a && end == a + form.len())
        };
        // Every hit, overlapping ones too (`find_iter` would skip those).
        let finder = memchr::memmem::Finder::new(form.as_bytes());
        let haystack = &text.as_bytes()[..self.span.end];
        let mut from = self.span.start;
        while let Some(found) = finder.find(&haystack[from..]) {
            let a = from + found;
            let hit = if self.ordered {
                let i = self.sentences.partition_point(|s| s.end <= a);
                self.sentences.get(i).is_some_and(|s| whole_word(s, a))
            } else {
                self.sentences.iter().any(|s| whole_word(s, a))
            };
            if hit {
                return true;
            }
            from = a + 1;
        }
        false
    }
}

/// A lower-case form for `LowerWords::find_each`: its text in a buffer of forms, and whether
/// the document uses it as a word.
#[derive(Clone, Debug)]
pub struct LowerForm {
    pub text: Range<usize>,
    pub found: bool,
}

impl LowerWords<'_> {
    /// Sets `found` of each form of `forms` (their texts in `texts`) that the document uses
    /// as a word (`contains`). `starts` holds the openings of the document's lower-case words
    /// (`collect_mentions` records them): a form that opens with an ASCII lower-case letter
    /// and is no opening there is no word of the document, and most forms are none, so only
    /// the others are searched for (a searcher per form and document cost more than the
    /// mention scan of the document).
    pub fn find_each(&self, texts: &str, forms: &mut [LowerForm], starts: &LowerStarts) {
        for form in forms.iter_mut().filter(|f| !f.found) {
            let text = &texts[form.text.clone()];
            form.found = starts.may_open(text.as_bytes()) && self.contains(text);
        }
    }
}

/// The openings of the words of a document that start with an ASCII lower-case letter, as
/// bit sets: their first two bytes, and their first four hashed (`hash4`). A word's bytes are
/// read from the text, past its end too, so that a form of four bytes or more that is the word
/// has the word's first four, and a form of two or three its first two. Positions that start
/// no word may be recorded as well: they only let more forms through to the search.
///
/// Four bytes, not three: names share their first three letters with common words often
/// enough ("Mar", "Car", "Ber") that a third of the searches would be in vain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerStarts {
    /// For each first letter (mod 32: exact for 'a'..='z'), a bit per second byte (mod 32:
    /// exact for letters).
    two: [u32; 32],
    /// A bit per `hash4` of the first four bytes.
    four: [u64; 64],
}

impl Default for LowerStarts {
    fn default() -> LowerStarts {
        LowerStarts {
            two: [0; 32],
            four: [0; 64],
        }
    }
}

impl LowerStarts {
    /// Records the opening at `at`, an ASCII lower-case letter: one load of four bytes (zero
    /// bytes past the text's end) and two bits.
    #[inline]
    fn record(&mut self, bytes: &[u8], at: usize) {
        let x = if let Some(four) = bytes.get(at..at + 4) {
            u32::from_le_bytes(four.try_into().expect("four bytes"))
        } else {
            let mut four = [0u8; 4];
            for (o, &b) in four.iter_mut().zip(&bytes[at..]) {
                *o = b;
            }
            u32::from_le_bytes(four)
        };
        self.two[(x & 31) as usize] |= 1 << ((x >> 8) & 31);
        let h = hash4(x);
        self.four[h / 64] |= 1 << (h % 64);
    }

    /// Whether the form (lower case) may be a word of the document: false only when it opens
    /// with an ASCII lower-case letter and no recorded opening is its own.
    fn may_open(&self, form: &[u8]) -> bool {
        match *form {
            [b0 @ b'a'..=b'z', b1] | [b0 @ b'a'..=b'z', b1, _] => {
                (self.two[usize::from(b0 & 31)] >> (b1 & 31)) & 1 != 0
            }
            [b0 @ b'a'..=b'z', b1, b2, b3, ..] => {
                let h = hash4(u32::from_le_bytes([b0, b1, b2, b3]));
                (self.four[h / 64] >> (h % 64)) & 1 != 0
            }
            _ => true,
        }
    }
}

/// Four bytes hashed to twelve bits (multiplicative hashing: the top bits of the product).
fn hash4(x: u32) -> usize {
    (x.wrapping_mul(0x9E37_79B1) >> 20) as usize
}

/// Whether `text::next_word`, cutting words from `from`, starts one at `at` (a character
/// boundary before a word character): the character before it is no word character, nor a
/// joiner after one.
fn starts_word(text: &str, from: usize, at: usize) -> bool {
    let mut before = text[from..at].chars().rev();
    match before.next() {
        Some(c) if c.is_alphanumeric() => false,
        Some(c) if is_joiner(c) => !before.next().is_some_and(char::is_alphanumeric),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{LowerStarts, capital_or_high};

    /// `capital_or_high` against a byte-at-a-time scan, on random ASCII runs long enough for
    /// several sixteen-byte steps and the eight-byte tail, from every start: the same byte found
    /// and the same openings recorded (a lower-case letter at `from` or after a byte that is no
    /// lower-case letter), so words that open at a step's boundary are recorded too.
    #[test]
    fn skip_to_the_next_capital_agrees_with_a_byte_scan() {
        let alphabet = b"abcdefghijklmnopqrstuvwxyz     ,.;'-0123456789";
        let mut random = crate::text::RandomTexts::new();
        for round in 0..4_000 {
            let len = 1 + random.below(80);
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[random.below(alphabet.len())])
                .collect();
            // Now and then a capital or a non-ASCII byte, to stop at.
            if round % 3 > 0 {
                let at = random.below(len);
                bytes[at] = if round % 3 == 1 { b'Q' } else { 0xc3 };
            }
            for from in 0..len {
                let (mut fast, mut slow) = (LowerStarts::default(), LowerStarts::default());
                let found = capital_or_high(&bytes, from, len, &mut fast);
                let mut want = None;
                for j in from..len {
                    let b = bytes[j];
                    if b >= 0x80 || b.is_ascii_uppercase() {
                        want = Some(j);
                        break;
                    }
                    if b.is_ascii_lowercase() && (j == from || !bytes[j - 1].is_ascii_lowercase()) {
                        slow.record(&bytes, j);
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                assert_eq!(found, want, "{text:?} from {from}");
                assert_eq!(fast, slow, "{text:?} from {from}");
            }
        }
    }
}
