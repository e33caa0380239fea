//! Kind `pattern`: a regular expression over the headline, the body or both, with an optional
//! replacement offered as a fix. The generic kind that proves the engine end to end.
//!
//! Only the `regex` crate is used (linear time, no look-around): rule files are untrusted input.

use std::ops::Range;

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::checks::{CompiledCheck, DocumentCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Edit, Finding, Fix};
use crate::document::Document;

/// Which part of a document a pattern looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatternScope {
    Headline,
    Body,
    #[default]
    Any,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    /// The regular expression (Rust `regex` syntax). Required.
    pub pattern: Option<Spanned<String>>,
    /// Replacement text for a fix; `$1`, `${name}` refer to capture groups.
    pub replacement: Option<String>,
    /// Where to look: `headline`, `body` or `any`.
    pub scope: PatternScope,
}

pub struct PatternKind;

impl Kind for PatternKind {
    type Params = Params;
    const NAME: &'static str = "pattern";
    const SCOPE: Scope = Scope::Document;
    const DOC: &'static str = "Matches a regular expression (the Rust `regex` crate: linear time, \
        no look-around or back-references) against the headline (and subtitle), the body, or the \
        whole text. Each match is a finding spanning the match. With `replacement`, the finding \
        carries a fix that replaces the match (`$1` and `${name}` expand capture groups). Prefer \
        ASCII word boundaries `(?-u:\\b)` and scoped flags `(?i:...)`: Unicode `\\b` is many times \
        slower on text with curly quotes and dashes.";
    const PLACEHOLDERS: &'static [&'static str] = &["match", "replacement"];

    fn compile(
        params: Params,
        _lexicons: &dyn LexiconSource,
    ) -> Result<CompiledCheck, Vec<ParamError>> {
        let Some(pattern) = params.pattern else {
            return Err(vec![
                ParamError::new(None, "missing key `pattern`")
                    .with_help("a `pattern` rule needs `pattern = '<regex>'`"),
            ]);
        };
        let regex = compile_regex(&pattern)?;
        let anchor = Anchor::derive(pattern.get_ref());
        Ok(CompiledCheck::Document(Box::new(PatternCheck {
            regex,
            anchor,
            replacement: params.replacement,
            scope: params.scope,
        })))
    }
}

/// Compiles a user regex; a syntax error points at the offending part of the TOML string.
pub fn compile_regex(pattern: &Spanned<String>) -> Result<Regex, Vec<ParamError>> {
    let source = pattern.get_ref();
    if let Err(err) = regex_syntax::ast::parse::Parser::new().parse(source) {
        let inner = err.span().start.offset..err.span().end.offset.max(err.span().start.offset);
        return Err(vec![
            ParamError::new(Some(pattern.span()), "regex does not compile")
                .with_label(err.kind().to_string())
                .in_string(inner),
        ]);
    }
    Regex::new(source).map_err(|err| {
        vec![
            ParamError::new(Some(pattern.span()), "regex does not compile")
                .with_help(err.to_string()),
        ]
    })
}

struct PatternCheck {
    regex: Regex,
    /// Where matches can be, when the pattern has a required literal (see [`Anchor`]).
    anchor: Option<Anchor>,
    replacement: Option<String>,
    scope: PatternScope,
}

/// The parts of `doc` that `scope` looks at: headline and subtitle, then the body paragraphs.
pub(crate) fn scope_ranges(
    scope: PatternScope,
    doc: &Document,
) -> impl Iterator<Item = Range<usize>> + '_ {
    let head = matches!(scope, PatternScope::Headline | PatternScope::Any);
    let body = matches!(scope, PatternScope::Body | PatternScope::Any);
    let head = doc
        .headline
        .iter()
        .chain(&doc.subtitle)
        .filter(move |_| head);
    let body = doc.paragraphs.iter().filter(move |_| body).map(|p| &p.span);
    head.chain(body).cloned()
}

impl DocumentCheck for PatternCheck {
    fn check(&self, doc: &Document, out: &mut Vec<Finding>) {
        for range in scope_ranges(self.scope, doc) {
            let hay = &doc.text[range.clone()];
            let mut report = |m: regex::Match<'_>| {
                let span = range.start + m.start()..range.start + m.end();
                let mut finding = Finding::new(span.clone()).arg("match", m.as_str());
                if let Some(template) = &self.replacement
                    && let Some(caps) = self.regex.captures_at(hay, m.start())
                {
                    let mut replacement = String::new();
                    caps.expand(template, &mut replacement);
                    finding = finding.arg("replacement", replacement.clone()).fix(Fix {
                        description: format!("replace with '{replacement}'"),
                        edits: vec![Edit {
                            start: span.start,
                            end: span.end,
                            replacement,
                        }],
                    });
                }
                out.push(finding);
            };
            // Plain matches are several times cheaper than captures; groups are resolved only for
            // a match that needs its replacement.
            if let Some(anchor) = &self.anchor {
                anchor.find_each(&self.regex, hay, &mut report);
            } else {
                for m in self.regex.find_iter(hay).filter(|m| !m.is_empty()) {
                    report(m);
                }
            }
        }
    }
}

/// A byte set, one bit per byte value.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct ByteSet([u128; 2]);

impl ByteSet {
    /// Inserts `lo..=hi`, and every byte from 0x80 up if any of them is one: a set holds all
    /// the bytes of non-ASCII characters or none, so that a run of its bytes never starts or
    /// ends inside a character.
    fn insert_range(&mut self, lo: u8, hi: u8) {
        let (lo, hi) = if hi >= 0x80 {
            (lo.min(0x80), 0xff)
        } else {
            (lo, hi)
        };
        for b in lo..=hi {
            self.0[usize::from(b >> 7)] |= 1 << (b & 127);
        }
    }

    fn union(self, other: ByteSet) -> ByteSet {
        ByteSet([self.0[0] | other.0[0], self.0[1] | other.0[1]])
    }

    fn contains(self, b: u8) -> bool {
        self.0[usize::from(b >> 7)] >> (b & 127) & 1 != 0
    }

    /// Every byte that a match of `hir` can consume (a superset: any range of non-ASCII
    /// characters counts as every byte from 0x80 up).
    fn of(hir: &Hir) -> ByteSet {
        let mut set = ByteSet::default();
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(lit) => {
                for &b in &lit.0 {
                    set.insert_range(b, b);
                }
            }
            HirKind::Class(Class::Bytes(class)) => {
                for r in class.ranges() {
                    set.insert_range(r.start(), r.end());
                }
            }
            HirKind::Class(Class::Unicode(class)) => {
                for r in class.ranges() {
                    let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                    if lo < 0x80 {
                        set.insert_range(lo as u8, hi.min(0x7f) as u8);
                    }
                    if hi >= 0x80 {
                        set.insert_range(0x80, 0xff);
                    }
                }
            }
            HirKind::Repetition(rep) => set = ByteSet::of(&rep.sub),
            HirKind::Capture(cap) => set = ByteSet::of(&cap.sub),
            HirKind::Concat(subs) | HirKind::Alternation(subs) => {
                for sub in subs {
                    set = set.union(ByteSet::of(sub));
                }
            }
        }
        set
    }

    /// The bytes that can sit next to a part of the pattern, on the side where `items` are
    /// (nearest first): the bytes of the items up to the first that always consumes a byte.
    /// `None` when every item may match empty, so that the neighbour is not bound at all.
    fn next_to<'a>(items: impl Iterator<Item = &'a Hir>) -> Option<ByteSet> {
        let mut set = ByteSet::default();
        for item in items {
            set = set.union(ByteSet::of(item));
            if item.properties().minimum_len().is_some_and(|n| n > 0) {
                return Some(set);
            }
        }
        None
    }
}

/// What a pattern with a literal in its top-level sequence ("prefix, literal, suffix") tells
/// about where its matches can be. The regex crate's own prefilter for such a pattern
/// (`ReverseInner`) stops at every occurrence of the literal and runs a reverse search from it,
/// which is slow when the literal is frequent (the `.` of a missing space after a full stop).
/// Here the bytes either side of each occurrence are tested first (for `[a-z]{2,}[.][A-Z]` a
/// letter before the stop and a capital after it), and the regex runs only on the *window* of
/// an occurrence that passes: from the start of the run of prefix bytes that ends at it to the
/// end of the run of suffix bytes after it. Every match lies within the window of its literal,
/// since its prefix and suffix consume only such bytes; overlapping windows are merged into
/// zones, so that every match lies within one zone and no match crosses a zone's edge. The
/// regex then runs on the text cut one character after the zone (the look-around context of
/// its last position), from the zone's start (the text before it is kept for look-behind): a
/// match there is the match the whole text would give. Zones are searched left to right, each
/// from where the last match ended, as `find_iter` does; the literal is not empty, so neither
/// is a match.
#[derive(Debug)]
struct Anchor {
    literal: Vec<u8>,
    /// The bytes the byte before the literal can be (`None`: not bound, maybe the text start).
    before: Option<ByteSet>,
    /// The bytes the byte after the literal can be (`None`: not bound, maybe the text end).
    after: Option<ByteSet>,
    /// Every byte the part before the literal can consume, and the part after it.
    prefix: ByteSet,
    suffix: ByteSet,
}

impl Anchor {
    /// The anchor of `pattern`: its longest literal in the top-level sequence (captures and
    /// nested sequences flattened), if it has one and a neighbour of it is bound; otherwise the
    /// plain regex search is used.
    fn derive(pattern: &str) -> Option<Anchor> {
        // The regex crate's defaults (Unicode, UTF-8 only), so that this is the regex it runs.
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .ok()?;
        let mut items = Vec::new();
        flatten(&hir, &mut items);
        let (at, literal) = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item.kind() {
                HirKind::Literal(lit) => Some((i, lit.0.to_vec())),
                _ => None,
            })
            .rev()
            .max_by_key(|(_, lit)| lit.len())?;
        let anchor = Anchor {
            before: ByteSet::next_to(items[..at].iter().rev().copied()),
            after: ByteSet::next_to(items[at + 1..].iter().copied()),
            prefix: items[..at]
                .iter()
                .fold(ByteSet::default(), |s, item| s.union(ByteSet::of(item))),
            suffix: items[at + 1..]
                .iter()
                .fold(ByteSet::default(), |s, item| s.union(ByteSet::of(item))),
            literal,
        };
        // With neither neighbour bound, the windows test nothing the regex's own prefilter
        // would not.
        (anchor.before.is_some() || anchor.after.is_some()).then_some(anchor)
    }

    /// Whether the literal at `q` of `hay` has neighbours a match allows.
    fn allows(&self, hay: &[u8], q: usize) -> bool {
        let end = q + self.literal.len();
        hay.get(q..end) == Some(&self.literal[..])
            && self
                .before
                .is_none_or(|set| q > 0 && set.contains(hay[q - 1]))
            && self
                .after
                .is_none_or(|set| hay.get(end).is_some_and(|&b| set.contains(b)))
    }

    /// Every non-empty match of `regex` (the pattern this anchor was derived from) in `hay`,
    /// left to right, the same as `regex.find_iter(hay)` gives.
    fn find_each<'h>(&self, regex: &Regex, hay: &'h str, mut found: impl FnMut(regex::Match<'h>)) {
        let bytes = hay.as_bytes();
        // The zone being built, and where the next match may start.
        let mut zone: Option<Range<usize>> = None;
        let mut from = 0;
        for q in memchr::memchr_iter(self.literal[0], bytes) {
            if !self.allows(bytes, q) {
                continue;
            }
            let mut start = q;
            while start > 0 && self.prefix.contains(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = q + self.literal.len();
            while end < bytes.len() && self.suffix.contains(bytes[end]) {
                end += 1;
            }
            match &mut zone {
                Some(z) if start <= z.end => z.end = z.end.max(end),
                _ => {
                    if let Some(z) = zone.replace(start..end) {
                        from = search_zone(regex, hay, z, from, &mut found);
                    }
                }
            }
        }
        if let Some(z) = zone {
            search_zone(regex, hay, z, from, &mut found);
        }
    }
}

/// The matches of `regex` within `zone` of `hay` from `from` on (see [`Anchor`]); returns where
/// the next match may start.
fn search_zone<'h>(
    regex: &Regex,
    hay: &'h str,
    zone: Range<usize>,
    mut from: usize,
    found: &mut impl FnMut(regex::Match<'h>),
) -> usize {
    // One character past the zone: the context of look-arounds at its end.
    let cut = hay[zone.end..]
        .chars()
        .next()
        .map_or(hay.len(), |c| zone.end + c.len_utf8());
    let text = &hay[..cut];
    let mut at = from.max(zone.start);
    while at < zone.end {
        let Some(m) = regex.find_at(text, at) else {
            break;
        };
        debug_assert!(
            m.end() <= zone.end && !m.is_empty(),
            "match outside its zone"
        );
        from = m.end();
        found(m);
        at = from;
    }
    from
}

/// The top-level sequence of `hir`, captures and nested sequences flattened.
fn flatten<'a>(hir: &'a Hir, items: &mut Vec<&'a Hir>) {
    match hir.kind() {
        HirKind::Concat(subs) => subs.iter().for_each(|sub| flatten(sub, items)),
        HirKind::Capture(cap) => flatten(&cap.sub, items),
        _ => items.push(hir),
    }
}

#[cfg(test)]
mod tests {
    use super::{Anchor, ByteSet, Regex};

    type Span = (usize, usize);

    /// The anchored search as `find_each` gives it, and the plain `find_iter`, non-empty matches.
    fn both((regex, anchor): &(Regex, Anchor), text: &str) -> (Vec<Span>, Vec<Span>) {
        let mut got = Vec::new();
        anchor.find_each(regex, text, |m| got.push((m.start(), m.end())));
        let want = regex
            .find_iter(text)
            .filter(|m| !m.is_empty())
            .map(|m| (m.start(), m.end()))
            .collect();
        (got, want)
    }

    fn compiled(pattern: &str) -> (Regex, Anchor) {
        let anchor = Anchor::derive(pattern).expect(pattern);
        (Regex::new(pattern).unwrap(), anchor)
    }

    #[test]
    fn derives_the_literal_and_its_neighbours() {
        let a = Anchor::derive(r"(?-u:\b)[a-z]{2,}[.][A-Z][a-z]{2,}(?-u:\b)").unwrap();
        assert_eq!(a.literal, b".");
        let (before, after) = (a.before.unwrap(), a.after.unwrap());
        assert!(before.contains(b'a') && !before.contains(b'A') && !before.contains(b'.'));
        assert!(after.contains(b'Q') && !after.contains(b'q') && !after.contains(b' '));
        // Longest literal; captures and nested sequences are looked into.
        let a = Anchor::derive(r"\d+(, (?:and)|x)(foo)(?:ba\s)").unwrap();
        assert_eq!(a.literal, b"foo");
        // A neighbour that may match empty leaves that side unbound.
        let a = Anchor::derive(r"[a-z]*\.\b[A-Z]?x").unwrap();
        assert!(a.before.is_none());
        assert!(a.after.unwrap().contains(b'x') && a.after.unwrap().contains(b'Q'));
        // No literal, or nothing bound: the plain search.
        for plain in [r"[a-z]+", r"foo", r"a|b\.c", r"\b\.\b", ""] {
            assert!(Anchor::derive(plain).is_none(), "{plain}");
        }
        assert_eq!(
            ByteSet::default().union(ByteSet::default()),
            ByteSet::default()
        );
    }

    #[test]
    fn finds_what_the_plain_search_finds() {
        let rule = compiled(r"(?-u:\b)[a-z]{2,}[.][A-Z][a-z]{2,}(?-u:\b)");
        for text in [
            "It remains a threat.With ISIS unable.",
            "The U.S. Army and bbc.co.uk and Node.js and version 2.0.Final stay quiet.",
            "ab.Cde.Fgh ab.Cdeé.Fgh ab.Cde_x ab.Cde",
            ".Abc ab.Cd ab.",
        ] {
            let (got, want) = both(&rule, text);
            assert_eq!(got, want, "{text:?}");
        }
    }

    /// The same matches as the plain regex, for patterns of varied shape (look-arounds either
    /// side, Unicode classes, literals that are their own neighbours, overlapping windows,
    /// alternations that prefer a shorter match) on random text.
    #[test]
    fn agrees_with_the_plain_regex_on_random_text() {
        let patterns = [
            r"(?-u:\b)[a-z]{2,}[.][A-Z][a-z]{2,}(?-u:\b)",
            r"\b[a-z]{2,}[.][A-Z][a-z]{2,}\b",
            r"[a-z]+\.[a-z]+",
            r"[a-z.]+\.[A-Z.]+",
            r"(?:a|ab)\.(?:B|Bc)",
            r"(?:ab|a)\.(?:Bc|B)",
            r"\w+\. ?\w",
            r"^[a-z]+\.",
            r"\.[A-Z]$",
            r"(?m)^[a-z]*\.[A-Z]+$",
            r"x?\.\.[xy]",
            r"[^ ]{1,3}\.[^ ]{1,3}",
            r"é\.[A-Zé]\b",
            r"(\d+)\.(\d+)(?-u:\b)",
            r"a\.a\.[ab]",
            r"(?i)ab\.b",
            r"[a-z]{2,}(?-u:\b)\.\s+[a-z]",
            // Non-ASCII literals that are no class: a run of their bytes must not stop inside
            // another character that shares a byte with them ("ã" and "é" both open with 0xC3).
            r"(?:éa|x)+\.[A-Z]",
            r"[a-z]\.(?:éa|x)+",
        ];
        let alphabet: &[&str] = &[
            "a", "ab", "Bc", "B", "x", ".", ".", "..", " ", " ", "\n", "U.S.", "é", "É", "—", "1",
            "22", "_", "With", "the", "éa", "ã", "©", "A",
        ];
        let mut random = crate::text::RandomTexts::new();
        for pattern in patterns {
            let compiled = compiled(pattern);
            for _ in 0..3_000 {
                let (text, _) = random.text_and_range(alphabet, 24);
                let (got, want) = both(&compiled, &text);
                assert_eq!(got, want, "{pattern} on {text:?}");
            }
        }
    }
}
