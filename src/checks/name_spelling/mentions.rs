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
use crate::text::words;

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

/// Cuts a trailing possessive ("’s", "'s") off a word.
fn strip_possessive(w: &str) -> (&str, bool) {
    for suffix in ["’s", "'s", "’S", "'S"] {
        if let Some(stem) = w.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return (stem, true);
        }
    }
    (w, false)
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
        if let Some(h) = w.find('-').filter(|&h| h <= MAX_CONNECTOR_LEN) {
            let (head, tail) = (&w[..h], &w[h + 1..]);
            let connector = self
                .lex
                .connectors
                .contains(lower_into(&mut self.buf, head));
            if connector && is_capitalised(tail) {
                word.kind = WordKind::Name;
                word.particle_prefix = h + 1;
                return word;
            }
        }
        if w.len() <= MAX_CONNECTOR_LEN
            && w.chars().all(char::is_lowercase)
            && self.lex.connectors.contains(lower_into(&mut self.buf, w))
        {
            word.kind = WordKind::Connector;
        }
        word
    }

    fn is_leading(&mut self, w: &str) -> bool {
        let lower = lower_into(&mut self.buf, w);
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
    // One pass over the words: classify each, remember where sentences start.
    let mut classified: Vec<(RunWord, bool)> = Vec::new();
    // Mikheev: words capitalised somewhere other than a sentence start.
    let mut inner_caps: FxSet<'_> = FxSet::default();
    for s in &doc.sentences {
        for (i, w) in words(text, s.clone()).enumerate() {
            let word = cls.classify(w.text, w.start);
            if w.text.starts_with(char::is_lowercase) {
                lower_words.push(w.start..w.start + w.text.len());
            }
            if word.kind == WordKind::Name && i > 0 && word.particle_prefix == 0 {
                inner_caps.insert(&text[word.start..word.end]);
            }
            classified.push((word, i == 0));
        }
    }
    let mut run: Vec<RunWord> = Vec::new();
    let mut run_at_start = false;
    let mut prev_end = 0;
    for &(word, first) in &classified {
        let joined = !first
            && !run.is_empty()
            && !run.last().is_some_and(|r| r.possessive)
            && word.start > prev_end
            && text[prev_end..word.start].chars().all(char::is_whitespace);
        prev_end = word.end;
        match word.kind {
            WordKind::Name | WordKind::Connector if joined => run.push(word),
            WordKind::Name => {
                close_run(text, &run, run_at_start, &inner_caps, &mut cls, out);
                run.clear();
                run.push(word);
                run_at_start = first;
            }
            _ => {
                close_run(text, &run, run_at_start, &inner_caps, &mut cls, out);
                run.clear();
            }
        }
    }
    close_run(text, &run, run_at_start, &inner_caps, &mut cls, out);
}

fn close_run(
    text: &str,
    run: &[RunWord],
    at_sentence_start: bool,
    inner_caps: &FxSet<'_>,
    cls: &mut Classifier<'_>,
    out: &mut Vec<Mention>,
) {
    let mut words = run;
    while words.last().is_some_and(|w| w.kind == WordKind::Connector) {
        words = &words[..words.len() - 1];
    }
    let mut first_is_initial = at_sentence_start;
    loop {
        let Some(first) = words.first() else { return };
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
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return;
    };
    out.push(Mention {
        span: first.start + first.particle_prefix..last.end,
    });
    let names = words.iter().filter(|w| w.kind == WordKind::Name).count();
    if names >= 2 && last.kind == WordKind::Name {
        out.push(Mention {
            span: last.start + last.particle_prefix..last.end,
        });
    }
}
