//! Kind `repetition`: a listed word twice in a row, separated by one space ("the the"), as
//! Vale's `extends: repetition`.
//!
//! The regex crate has no back-references, so a `pattern` rule has to spell out every doubled
//! word, and its lazy DFA then walks every byte of the text (no literal prefilter: the
//! case-insensitive alternatives are too many). A doubling is cheaper to find directly: look at
//! the spaces sixteen bytes at a time (`simd`), keep those where, for some listed length, the
//! letters either side of the space match the letters that far out (the two words' last and
//! first letters), and compare the words on both sides of those few only. Near the ends of the
//! text, eight bytes at a time, with every space looked at.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use wide::u8x16;

use crate::checks::pattern::{PatternScope, scope_ranges};
use crate::checks::{CompiledCheck, DocumentCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::Finding;
use crate::document::Document;
use crate::simd;
use crate::swar::{self, HI, equal, load};

/// The longest word a rule may list: a word and the byte before or after it fit one `u64`.
const MAX_WORD: usize = 7;

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    /// The words whose doubling is reported: ASCII letters, at most seven. Required.
    pub words: Option<Spanned<Vec<Spanned<String>>>>,
    /// Whether case is ignored ("The the"), ASCII letters only.
    pub ignore_case: bool,
    /// Where to look: `headline`, `body` or `any`.
    pub scope: PatternScope,
}

pub struct RepetitionKind;

impl Kind for RepetitionKind {
    type Params = Params;
    const NAME: &'static str = "repetition";
    const SCOPE: Scope = Scope::Document;
    const DOC: &'static str = "Finds one of the listed `words` twice in a row, separated by a \
        single space (\"the the\"), with ASCII word boundaries on both sides (letters, digits and \
        `_` are word characters). With `ignore-case`, ASCII case is ignored (\"The the\"). Each \
        doubling is a finding spanning both words; an overlapping one (\"a a a\") is reported \
        once. Looks at the headline (and subtitle), the body, or both, as `scope` says.";
    const PLACEHOLDERS: &'static [&'static str] = &["match"];

    fn compile(params: Params, _: &dyn LexiconSource) -> Result<CompiledCheck, Vec<ParamError>> {
        let Some(words) = params.words else {
            return Err(vec![
                ParamError::new(None, "missing key `words`")
                    .with_help("a `repetition` rule needs `words = [\"the\", ...]`"),
            ]);
        };
        let mut errors = Vec::new();
        if words.get_ref().is_empty() {
            errors.push(
                ParamError::new(Some(words.span()), "`words` is empty")
                    .with_help("list the words whose doubling is a slip"),
            );
        }
        for word in words.get_ref() {
            let w = word.get_ref();
            if w.is_empty() || w.len() > MAX_WORD || !w.bytes().all(|b| b.is_ascii_alphabetic()) {
                errors.push(
                    ParamError::new(Some(word.span()), "not a word of 1 to 7 ASCII letters")
                        .with_label(format!("`{w}`")),
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CompiledCheck::Document(Box::new(Repetition::new(
            words.get_ref().iter().map(|w| w.get_ref().as_bytes()),
            params.ignore_case,
            params.scope,
        ))))
    }
}

struct Repetition {
    /// The listed words (lower-cased with `ignore_case`), each packed little-endian into a
    /// `u64`, sorted.
    words: Vec<u64>,
    /// Bit `n` of `pairs[l << 5 | f]` is set when some word of `n` letters ends in a byte `≡ l`
    /// and starts with a byte `≡ f` (mod 32): the cheap test of the letters either side of a
    /// space, and the length the words must have. Modulo 32 both cases of a letter fall
    /// together; other bytes that do only cost a closer look.
    pairs: [u8; 1024],
    /// Bit `n` is set when some word has `n` letters.
    lengths: u32,
    ignore_case: bool,
    scope: PatternScope,
}

/// The high bit of each byte of `x` that is a word character of the ASCII `\b`: a letter, a
/// digit or `_` (a byte of a non-ASCII character is none). `swar::load` pads with zeros, which
/// are not word characters, so the edges of the text are word boundaries, as for `\b`.
fn word_bytes(x: u64) -> u64 {
    swar::alphanumerics(x) | equal(x, b'_')
}

/// The eight bytes of `hay` before `end` (fewer at its start), little-endian, zeros before the
/// start.
fn load_before(hay: &[u8], end: usize) -> u64 {
    if end >= 8 {
        load(hay, end - 8)
    } else {
        // Shifted up so that the byte before `end` is the top byte.
        load(&hay[..end], 0) << (8 * (8 - end))
    }
}

impl Repetition {
    fn new<'a>(
        words: impl Iterator<Item = &'a [u8]>,
        ignore_case: bool,
        scope: PatternScope,
    ) -> Repetition {
        let mut packed = Vec::new();
        let mut pairs = [0u8; 1024];
        let mut lengths = 0;
        for w in words {
            let w = if ignore_case {
                w.to_ascii_lowercase()
            } else {
                w.to_vec()
            };
            // The word packed little-endian, zero-padded (at most seven bytes).
            packed.push(load(&w, 0));
            let (first, last) = (w[0], w[w.len() - 1]);
            pairs[usize::from(last & 31) << 5 | usize::from(first & 31)] |= 1 << w.len();
            lengths |= 1 << w.len();
        }
        packed.sort_unstable();
        packed.dedup();
        Repetition {
            words: packed,
            pairs,
            lengths,
            ignore_case,
            scope,
        }
    }

    /// The doubling around the space at `s` of `hay`, as the range of both words.
    fn doubling_at(&self, hay: &[u8], s: usize) -> Option<Range<usize>> {
        let (&last, &first) = (hay.get(s.checked_sub(1)?)?, hay.get(s + 1)?);
        // The lengths a word ending in `last` and starting with `first` may have; the same word
        // after the space then ends in `last` too (about one space in twenty gets past this).
        let fold = if self.ignore_case { 0x20 } else { 0 };
        let mut lengths = self.pairs[usize::from(last & 31) << 5 | usize::from(first & 31)];
        while lengths != 0 {
            let len = lengths.trailing_zeros() as usize;
            if hay.get(s + len).is_some_and(|&b| b | fold == last | fold) {
                break;
            }
            lengths &= lengths - 1;
        }
        if lengths == 0 {
            return None;
        }
        // The words either side of the space, from eight bytes each: a word of up to seven
        // letters and the byte that bounds it.
        let before = load_before(hay, s);
        let after = load(hay, s + 1);
        let len = (!word_bytes(before) & HI).leading_zeros() as usize / 8;
        if len != (!word_bytes(after) & HI).trailing_zeros() as usize / 8
            || self.lengths >> len & 1 == 0
        {
            return None;
        }
        let (mut a, mut b) = (before >> (64 - 8 * len), after & ((1 << (8 * len)) - 1));
        if self.ignore_case {
            // Both are letters if they end up listed; 0x20 lower-cases a letter, and turns no
            // other byte into one.
            let lower = (1 << (8 * len)) / 0xff * 0x20;
            (a, b) = (a | lower, b | lower);
        }
        (a == b && self.words.binary_search(&a).is_ok()).then(|| s - len..s + 1 + len)
    }

    /// The spaces of `hay[at..at + 16]` where a listed word may be doubled, as bit `k` for the
    /// byte at `at + k`: a space at `s` where, for some listed length `n`, the byte before it
    /// equals the byte `n` after it (the two words' last letters) and the byte after it the byte
    /// `n` before it (their first letters), ASCII case folded with `ignore_case`. Every doubling's space is one (about one
    /// space in twenty is, on news text; `doubling_at` rules out the rest). Sixteen bytes a
    /// compare; `hay` must hold `MAX_WORD` bytes either side of the sixteen.
    fn candidates(&self, hay: &[u8], at: usize) -> u32 {
        let load16 = |i: usize| simd::load(hay, i);
        // Setting 0x20 folds the cases of a letter together; a space keeps its value.
        let fold = u8x16::splat(if self.ignore_case { 0x20 } else { 0 });
        let space = simd::equal(load16(at), b' ');
        let (last, first) = (load16(at - 1) | fold, load16(at + 1) | fold);
        let mut any = u8x16::splat(0);
        let mut lengths = self.lengths;
        while lengths != 0 {
            let n = lengths.trailing_zeros() as usize;
            lengths &= lengths - 1;
            any |= last.simd_eq(load16(at + n) | fold) & first.simd_eq(load16(at - n) | fold);
        }
        (space & any).to_bitmask()
    }

    /// Every doubling in `hay`, left to right, none overlapping the one before.
    fn find_each(&self, hay: &[u8], mut found: impl FnMut(Range<usize>)) {
        // Where the next doubling may start: after the last one.
        let mut from = 0;
        let mut report = |s: usize| {
            if let Some(range) = self.doubling_at(hay, s)
                && range.start >= from
            {
                from = range.end;
                found(range);
            }
        };
        let mut at = 0;
        while at < hay.len() {
            // Sixteen bytes at a time where the words either side fit in `hay`; eight at a
            // time, with every space looked at, near its ends.
            if at >= MAX_WORD && at + 16 + MAX_WORD <= hay.len() {
                let mut spaces = self.candidates(hay, at);
                while spaces != 0 {
                    report(at + spaces.trailing_zeros() as usize);
                    spaces &= spaces - 1;
                }
                at += 16;
                continue;
            }
            let mut spaces = equal(load(hay, at), b' ');
            while spaces != 0 {
                report(at + spaces.trailing_zeros() as usize / 8);
                spaces &= spaces - 1;
            }
            at += 8;
        }
    }
}

impl DocumentCheck for Repetition {
    fn check(&self, doc: &Document, out: &mut Vec<Finding>) {
        for range in scope_ranges(self.scope, doc) {
            let hay = &doc.text[range.clone()];
            self.find_each(hay.as_bytes(), |m| {
                let span = range.start + m.start..range.start + m.end;
                out.push(Finding::new(span).arg("match", &hay[m]));
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PatternScope, Repetition};

    const DOUBLED: &[&str] = &[
        "the", "a", "an", "and", "of", "to", "in", "on", "for", "is", "was", "are", "were", "with",
        "by", "at", "from", "it", "as", "be", "has", "have", "not", "or", "but", "will", "said",
    ];

    fn check(words: &[&str], ignore_case: bool) -> Repetition {
        Repetition::new(
            words.iter().map(|w| w.as_bytes()),
            ignore_case,
            PatternScope::Any,
        )
    }

    fn found<'a>(r: &Repetition, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        r.find_each(text.as_bytes(), |m| out.push(&text[m]));
        out
    }

    #[test]
    fn finds_listed_doublings_and_guards_the_rest() {
        let r = check(DOUBLED, true);
        assert_eq!(found(&r, "He went to the the station."), ["the the"]);
        assert_eq!(found(&r, "The the end"), ["The the"]);
        assert_eq!(found(&r, "THE tHe"), ["THE tHe"]);
        assert_eq!(found(&r, "a a"), ["a a"]);
        assert_eq!(found(&r, "x said said"), ["said said"]);
        // Not listed, not the same, not whole words, not one space.
        for quiet in [
            "he had had enough",
            "said that that was",
            "The theory of",
            "the them",
            "athe the",
            "the thee",
            "the_ the",
            "the the_",
            "the9 the",
            "the  the",
            "the\tthe",
            "the\nthe",
            "the-the",
            "",
            " ",
            "the",
            "the ",
            " the",
        ] {
            assert!(found(&r, quiet).is_empty(), "{quiet:?}");
        }
    }

    #[test]
    fn edges_and_non_ascii_neighbours() {
        let r = check(DOUBLED, true);
        assert_eq!(found(&r, "the the"), ["the the"]);
        assert_eq!(found(&r, "the the."), ["the the"]);
        assert_eq!(found(&r, "It ends in in"), ["in in"]);
        // Non-ASCII bytes are not word characters of the ASCII `\b`.
        assert_eq!(found(&r, "é the the é"), ["the the"]);
        assert_eq!(found(&r, "éthe theé"), ["the the"]);
        assert_eq!(found(&r, "“the the”"), ["the the"]);
        // Overlaps: "a a a" is one doubling, "the the the the" two.
        assert_eq!(found(&r, "a a a"), ["a a"]);
        assert_eq!(found(&r, "the the the the"), ["the the", "the the"]);
        assert_eq!(found(&r, "in in in in in"), ["in in", "in in"]);
        // A doubling across the eight-byte chunks, and several in a row.
        assert_eq!(
            found(&r, "1234567 of of 12 and and or or, with with"),
            ["of of", "and and", "or or", "with with"]
        );
    }

    #[test]
    fn case_counts_unless_ignored() {
        let r = check(&["the", "Bonn"], false);
        assert_eq!(found(&r, "the the The the"), ["the the"]);
        assert_eq!(found(&r, "Bonn Bonn bonn bonn"), ["Bonn Bonn"]);
        let r = check(&["The"], true);
        assert_eq!(found(&r, "the THE"), ["the THE"]);
    }

    /// The cases above again inside longer text, at every offset from the start: the sixteen
    /// bytes at a time path takes them there, the eight at a time one near the ends.
    #[test]
    fn same_findings_in_long_text() {
        let pad = "x".repeat(40);
        for (words, ignore_case, text, want) in [
            (DOUBLED, true, "the the", &["the the"][..]),
            (DOUBLED, true, "a a a", &["a a"]),
            (DOUBLED, true, "The THE the", &["The THE"]),
            (
                DOUBLED,
                true,
                "é the the é in in, with with.",
                &["the the", "in in", "with with"],
            ),
            (DOUBLED, true, "athe the, the thee the_ the", &[]),
            (&["the", "Bonn"], false, "the the The the", &["the the"]),
            // Listed words of five to seven letters (the longest loads reach furthest).
            (
                &["world", "things", "Bonjour"],
                false,
                "world world Bonjour Bonjour bonjour bonjour things, things things",
                &["world world", "Bonjour Bonjour", "things things"],
            ),
            (
                &["world", "things", "bonjour"],
                true,
                "WORLD world BonJour bonjour xthings things things_ things",
                &["WORLD world", "BonJour bonjour"],
            ),
            (
                &["the", "Bonn"],
                false,
                "Bonn Bonn bonn bonn",
                &["Bonn Bonn"],
            ),
        ] {
            let r = check(words, ignore_case);
            for before in 0..pad.len() {
                let text = format!("{} {text} {pad}", &pad[..before]);
                assert_eq!(found(&r, &text), want, "{text:?}");
            }
        }
    }

    /// The same findings as the regex that spells out every doubled word, on random text made
    /// of listed words, near misses, separators and non-ASCII letters.
    #[test]
    fn agrees_with_the_spelled_out_regex() {
        let alternatives: Vec<String> = DOUBLED.iter().map(|w| format!("{w} {w}")).collect();
        let regex =
            regex::Regex::new(&format!("(?i-u:\\b(?:{})\\b)", alternatives.join("|"))).unwrap();
        let r = check(DOUBLED, true);
        let alphabet: &[&str] = &[
            "the", "The", "a", "A", "an", "in", "is", "had", "that", "said", "with", "theory", " ",
            " ", " ", "  ", ".", ",", "\n", "_", "9", "é", "—", "x", "s",
        ];
        let mut random = crate::text::RandomTexts::new();
        for _ in 0..20_000 {
            let (text, _) = random.text_and_range(alphabet, 30);
            let want: Vec<&str> = regex.find_iter(&text).map(|m| m.as_str()).collect();
            assert_eq!(found(&r, &text), want, "{text:?}");
        }
    }
}
