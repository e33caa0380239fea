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
    let b = w.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if first.is_ascii() {
        // Most words: an ASCII first letter decides at once when it is not upper case.
        if !first.is_ascii_uppercase() {
            return false;
        }
        // One pass over the bytes (the words are short): lower-case letters, digits,
        // apostrophes, non-ASCII bytes.
        let (mut lower, mut digit, mut apostrophe, mut high) = (false, false, false, false);
        for &c in b {
            lower |= c.is_ascii_lowercase();
            digit |= c.is_ascii_digit();
            apostrophe |= c == b'\'';
            high |= c >= 0x80;
        }
        if !high {
            return b.len() >= 2 && lower && !digit && (!apostrophe || !is_contraction(w));
        }
    }
    is_capitalised_general(w)
}

/// `is_capitalised` for any word.
fn is_capitalised_general(w: &str) -> bool {
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
            Some(n) if self.lex.connector_lengths[usize::from(buf[0])] & (1 << n.min(31)) == 0 => {
                false
            }
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
            && (b.len() > MAX_CONNECTOR_LEN
                || self.lex.connector_lengths[usize::from(first)] & (1 << b.len()) == 0)
    }

    fn classify(&mut self, text: &str, start: usize) -> RunWord {
        let (w, possessive) = strip_possessive(text);
        let end = start + w.len();
        let mut word = RunWord {
            start,
            end,
            kind: WordKind::Other,
            particle_prefix: 0,
            possessive,
        };
        if is_capitalised(w) {
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

    fn is_leading(&mut self, w: &str) -> bool {
        let mut buf = [0u8; 32];
        let lower = match ascii_lower(w, &mut buf) {
            Some(n) => {
                // No word of either set has this first letter and length.
                if n > 0
                    && self
                        .lex
                        .leading_lengths
                        .get(usize::from(buf[0]))
                        .is_some_and(|&mask| mask & (1 << n.min(63)) == 0)
                {
                    return false;
                }
                if let Some(code) = pack_word(&buf[..n]) {
                    // Every word of either set that packs is among the codes.
                    return self.lex.leading_codes.binary_search(&code).is_ok();
                }
                std::str::from_utf8(&buf[..n]).expect("ASCII")
            }
            None => lower_into(&mut self.buf, w),
        };
        self.lex.leading.contains(lower) || self.lex.particles.contains(lower)
    }
}

pub type FxSet<'a> = HashSet<&'a str, FxBuild>;

/// Appends the name mentions of `doc`'s body to `out`: each run once, and for runs of two or
/// more name words also the last word alone (the surname a second reference uses). Appends the
/// spans of the body's words that start lower-case to `lower_words` (for the common-word
/// guard; spans, so that the scan hashes nothing).
pub fn collect_mentions(
    doc: &Document,
    lex: &MatchLexicon,
    out: &mut Vec<Mention>,
    lower_words: &mut Vec<Range<usize>>,
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
        // The words of the sentence exactly as `text::words` cuts them (`text::next_word`), with
        // the usual word (ASCII lower case, no joiner) decided from its first byte and length.
        let mut pos = s.start;
        let mut first = true;
        while let Some((start, end, joined)) = next_word(text, pos, s.end) {
            pos = end;
            let is_first = std::mem::replace(&mut first, false);
            let b0 = bytes[start];
            if b0.is_ascii_lowercase() {
                // Without a joiner there is no possessive to cut and no hyphen: `plain_lower`
                // reduces to the connector length test.
                let len = end - start;
                let plain = if joined {
                    cls.plain_lower(&text[start..end])
                } else {
                    len > MAX_CONNECTOR_LEN
                        || lex.connector_lengths[usize::from(b0)] & (1 << len) == 0
                };
                if plain {
                    // The usual word: lower case, neither a connector nor "al-Name".
                    lower_words.push(start..end);
                    n += 1;
                    continue;
                }
            }
            let w = &text[start..end];
            let word = cls.classify(w, start);
            let lower_start = if b0.is_ascii() {
                b0.is_ascii_lowercase()
            } else {
                w.starts_with(char::is_lowercase)
            };
            if lower_start {
                lower_words.push(start..end);
            }
            if word.kind != WordKind::Other {
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
    // Mikheev: words capitalised somewhere other than a sentence start (all kept), in a set
    // sized once.
    let inner =
        |kw: &&Kept| kw.word.kind == WordKind::Name && !kw.first && kw.word.particle_prefix == 0;
    let mut inner_caps: FxSet<'_> =
        FxSet::with_capacity_and_hasher(kept.iter().filter(inner).count(), FxBuild::default());
    inner_caps.extend(
        kept.iter()
            .filter(inner)
            .map(|kw| &text[kw.word.start..kw.word.end]),
    );
    // The runs: what a walk over all words would build, where any other word closes the run
    // (`kept` holds runs as ranges `run`, since their words are consecutive there).
    let mut close = |run: Range<usize>, at_start: bool| {
        close_run(text, &kept[run], at_start, &inner_caps, &mut cls, out);
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

/// Whether a gap between words is white space only (one space, usually).
fn is_space(gap: &str) -> bool {
    gap == " " || gap.chars().all(char::is_whitespace)
}

fn close_run(
    text: &str,
    run: &[Kept],
    at_sentence_start: bool,
    inner_caps: &FxSet<'_>,
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
        let w = &text[first.start..first.end];
        let drop = first.kind == WordKind::Connector
            || cls.is_leading(w)
            || (first_is_initial && first.particle_prefix == 0 && !inner_caps.contains(w));
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
