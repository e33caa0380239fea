//! Date-expression extraction: finds dates in running text with byte spans, a granularity and a
//! value, and resolves year-less and relative values against an anchor date.
//!
//! A stated year gives an interval of civil dates; a partial date stays partial ("December 2015"
//! is a month, never a day) and a year-less or relative one keeps its partial value until
//! `resolve` anchors it. Every match of the one combined regex passes guards against non-dates
//! ("May" the verb, "2000 soldiers", "20:00", "3.2015", "Sunday Times"). This module does no I/O
//! and knows nothing of documents: callers pass text ranges.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use jiff::Span;
use jiff::civil::{Date, Weekday};
use regex::{CaptureLocations, Regex, RegexSet};
use serde::Deserialize;

use super::scan::Scanner;

/// How fine a date is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Granularity {
    Day,
    Week,
    Month,
    Season,
    Year,
    Decade,
}

/// A closed interval of civil dates (both ends included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub start: Date,
    pub end: Date,
}

impl Interval {
    pub fn day(date: Date) -> Interval {
        Interval {
            start: date,
            end: date,
        }
    }

    pub fn month(year: i16, month: i8) -> Option<Interval> {
        let first = Date::new(year, month, 1).ok()?;
        Some(Interval {
            start: first,
            end: first.last_of_month(),
        })
    }

    pub fn year(year: i16) -> Option<Interval> {
        Some(Interval {
            start: Date::new(year, 1, 1).ok()?,
            end: Date::new(year, 12, 31).ok()?,
        })
    }

    /// The Monday-to-Sunday week holding `date`.
    pub fn week(date: Date) -> Option<Interval> {
        let back = i64::from(date.weekday().to_monday_zero_offset());
        let start = date.checked_sub(Span::new().try_days(back).ok()?).ok()?;
        let end = start.checked_add(Span::new().try_days(6).ok()?).ok()?;
        Some(Interval { start, end })
    }

    /// Whether the whole of `self` lies before the whole of `other`.
    pub fn before(&self, other: &Interval) -> bool {
        self.end < other.start
    }

    pub fn disjoint(&self, other: &Interval) -> bool {
        self.before(other) || other.before(self)
    }
}

/// A calendar unit of relative expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    fn granularity(self) -> Granularity {
        match self {
            Unit::Day => Granularity::Day,
            Unit::Week => Granularity::Week,
            Unit::Month => Granularity::Month,
            Unit::Year => Granularity::Year,
        }
    }

    fn span(self, n: i32) -> Option<Span> {
        let s = Span::new();
        match self {
            Unit::Day => s.try_days(n).ok(),
            Unit::Week => s.try_weeks(n).ok(),
            Unit::Month => s.try_months(n).ok(),
            Unit::Year => s.try_years(n).ok(),
        }
    }
}

/// The tense of the clause around an expression, as far as word lists tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tense {
    Past,
    Future,
    Unknown,
}

/// How a year-less month relates to the document's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// No modifier: the DCT's year, moved by tense (`HeidelTime`'s news strategy).
    Nearest,
    /// "last May": the latest May before the DCT's month.
    Last,
    /// "next May": the first May after the DCT's month.
    Next,
    /// "this May": the DCT's year.
    This,
}

/// What a date expression says, before resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateValue {
    /// The year is stated: an interval of civil dates.
    Absolute(Interval),
    /// A month and maybe a day without a year ("August 8", "in March", "last May").
    YearLess {
        month: i8,
        day: Option<i8>,
        relation: Relation,
    },
    /// A bare weekday, maybe with last (-1) / next (+1).
    Weekday { weekday: Weekday, shift: i8 },
    /// Relative to the document's date: "yesterday", "last year", "two weeks ago".
    FromDct { unit: Unit, offset: i32 },
    /// Relative to the date mentioned before: "the following month", "two weeks later".
    FromPrevious { unit: Unit, offset: i32 },
    /// A calendar date that does not exist ("April 31", "Feb. 29, 2015").
    Impossible {
        year: Option<i16>,
        month: i8,
        day: i8,
    },
}

/// One date expression found in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateExpr {
    pub span: Range<usize>,
    pub granularity: Granularity,
    pub value: DateValue,
    /// A weekday written right before the date ("Monday, Aug. 8, 2016"): its span and day.
    pub weekday: Option<(Range<usize>, Weekday)>,
    /// A bare year with no preposition or modifier before it: weak evidence of a date.
    pub latent: bool,
    /// The clause around the expression speaks of the future or a hypothetical.
    pub future: bool,
    /// The tense around the expression: future from a narrow word list (picks the year of a
    /// year-less date and the week of a bare weekday; read for partial dates only), past when a
    /// past-tense verb stands between the nearest commas around it.
    pub tense: Tense,
}

impl DateExpr {
    /// The interval when the text itself fixes it (a stated year).
    pub fn absolute(&self) -> Option<Interval> {
        match self.value {
            DateValue::Absolute(i) => Some(i),
            _ => None,
        }
    }
}

/// The word lists and the compiled grammar.
pub struct DateLexicon {
    months: Vec<(String, i8)>,
    weekdays: Vec<(String, i8)>,
    numbers: Vec<(String, i32)>,
    pub(crate) words: WordLists,
    /// The grammar: its alternatives joined (finds matches).
    grammar: Regex,
    /// The indices of the named groups of `grammar`.
    groups: Groups,
    /// Each alternative alone, anchored at the start of the haystack and without its opening
    /// word boundary, with the indices of its groups: reads the groups of a match found by
    /// `grammar` (see `extract`).
    alternatives: Vec<Alternative>,
    /// Finds the matches of `grammar` (see `scan`).
    scanner: Scanner,
    /// The alternatives as in `alternatives`: which match where a match starts.
    which: RegexSet,
    /// A fingerprint of the lexicon source: extraction results may be shared between rules
    /// compiled from the same lexicon.
    pub(crate) fingerprint: u64,
    /// Whether the number words hold only ASCII letters, digits, spaces and '-', as
    /// `may_cross` assumes of every word of the grammar.
    cuts: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    months: BTreeMap<String, i8>,
    weekdays: BTreeMap<String, i8>,
    numbers: BTreeMap<String, i32>,
    words: WordLists,
}

/// Word lists from the `[words]` table of the lexicon.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct WordLists {
    pub month_openers: WordSet,
    pub count_nouns: WordSet,
    pub year_followers: WordSet,
    pub weekday_blockers_after: WordSet,
    pub later_cues: Vec<String>,
    pub earlier_cues: Vec<String>,
    pub cue_blockers_after: Vec<String>,
    pub cue_blockers_before: WordSet,
    pub reporting_verbs: WordSet,
    pub future_words: WordSet,
    pub past_markers: WordSet,
    pub future_tense: WordSet,
    pub event_blockers: WordSet,
    pub stop_words: WordSet,
}

/// A set of single lower-case words, looked up ignoring ASCII case without allocating.
#[derive(Deserialize, Default)]
#[serde(from = "Vec<String>")]
pub(crate) struct WordSet(HashSet<Box<[u8]>, BuildWordHasher>);

impl From<Vec<String>> for WordSet {
    fn from(words: Vec<String>) -> WordSet {
        WordSet(
            words
                .into_iter()
                .map(|w| w.to_ascii_lowercase().into_bytes().into_boxed_slice())
                .collect(),
        )
    }
}

/// A fast hash for the short words of a `WordSet` (`SipHash` costs more than the rest of a
/// lookup; the keys come from the lexicon, so flooding is no concern).
#[derive(Clone, Copy, Default)]
pub(crate) struct BuildWordHasher;

impl std::hash::BuildHasher for BuildWordHasher {
    type Hasher = WordHasher;
    fn build_hasher(&self) -> WordHasher {
        WordHasher(0)
    }
}

/// FxHash-style: rotate, xor, multiply, eight bytes at a time.
pub(crate) struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl WordSet {
    pub fn contains(&self, word: &str) -> bool {
        const MAX: usize = 32;
        if word.len() > MAX {
            return false;
        }
        let mut buf = [0u8; MAX];
        for (slot, b) in buf.iter_mut().zip(word.bytes()) {
            *slot = b.to_ascii_lowercase();
        }
        // The words are kept as bytes: the lower-cased key needs no UTF-8 check.
        self.0.contains(&buf[..word.len()])
    }
}

/// Whether `word` is in `set` (ignoring ASCII case).
pub(crate) fn listed(set: &WordSet, word: &str) -> bool {
    set.contains(word)
}

fn lookup<T: Copy>(table: &[(String, T)], word: &str) -> Option<T> {
    let word = word.strip_suffix('.').unwrap_or(word);
    table
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|&(_, v)| v)
}

/// The names that are no abbreviation of a longer name for the same value ("may", "june", not
/// "jun"): only these may stand alone.
fn full_names(table: &BTreeMap<String, i8>) -> Vec<&str> {
    table
        .iter()
        .filter(|&(n, v)| {
            !table
                .iter()
                .any(|(m, w)| w == v && m.len() > n.len() && m.starts_with(n.as_str()))
        })
        .map(|(n, _)| n.as_str())
        .collect()
}

/// A name as the grammar writes it: `Word` and `WORD`.
fn forms(name: &str) -> [String; 2] {
    let mut cap = String::new();
    let mut chars = name.chars();
    if let Some(c) = chars.next() {
        cap.extend(c.to_uppercase());
        cap.push_str(chars.as_str());
    }
    [cap, name.to_uppercase()]
}

/// `Word`, `WORD` alternation of the names, longest first.
fn names(names: &[&str]) -> String {
    let mut sorted: Vec<&str> = names.to_vec();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let mut alts = Vec::new();
    for n in sorted {
        for form in forms(n) {
            alts.push(regex::escape(&form));
        }
    }
    format!("(?:{})", alts.join("|"))
}

impl DateLexicon {
    /// Whether `text` holds a character that makes the grammar's scanner fall back to the
    /// unanchored grammar ('ſ', the Kelvin sign): see `scan`.
    pub(crate) fn folds(&self, text: &str) -> bool {
        self.scanner.folds(text)
    }

    /// Whether a match of the grammar may hold the byte before `end` and run on past it, where
    /// `end` closes a sentence (`text[..end]` ends with its terminator or a closing quote or
    /// bracket, white space follows). The grammar's matches hold only ASCII letters and digits,
    /// white space, ',', '-' and '.' (the number words are checked to be such), and a '.' only
    /// right after a month or weekday name (`\.?` after `mon` and `wd`): so none runs past a
    /// sentence ending in '!', '?', a quote or a bracket, nor one whose full stop follows no
    /// name (tested loosely, as `Scanner::is_name_anchor` does: a looser test costs a cut,
    /// never a match).
    pub(crate) fn may_cross(&self, text: &str, end: usize) -> bool {
        if !self.cuts {
            return true;
        }
        let b = &text.as_bytes()[..end];
        match b.last() {
            Some(b'.') => {
                let dot = b.len() - 1;
                let mut w = dot;
                while w > 0 && (b[w - 1].is_ascii_alphanumeric() || b[w - 1] == b'_') {
                    w -= 1;
                }
                // The grammar writes every name with a capital (or a digit) first: a word in
                // lower case is none.
                w < dot && !b[w].is_ascii_lowercase() && self.scanner.may_be_name(b, w)
            }
            // What no match holds (the splitter ends a sentence only with these): a sure cut.
            Some(b'!' | b'?' | b'"' | b'\'' | b')' | b']') => false,
            Some(_) => text[..end].chars().next_back().is_some_and(|c| {
                c.is_alphanumeric() || c.is_whitespace() || matches!(c, ',' | '-' | '_')
            }),
            None => true,
        }
    }

    /// Parses the lexicon TOML and compiles the grammar.
    pub fn from_toml(source: &str) -> Result<DateLexicon, String> {
        let file: LexiconFile = toml::from_str(source).map_err(|e| e.to_string())?;
        if file.months.values().any(|m| !(1..=12).contains(m)) {
            return Err("month numbers must be 1 to 12".into());
        }
        if file.weekdays.values().any(|d| !(1..=7).contains(d)) {
            return Err("weekday numbers must be 1 (Monday) to 7 (Sunday)".into());
        }
        let all_months: Vec<&str> = file.months.keys().map(String::as_str).collect();
        let full_months = full_names(&file.months);
        let all_days: Vec<&str> = file.weekdays.keys().map(String::as_str).collect();
        let full_days = full_names(&file.weekdays);
        let mut numbers: Vec<&str> = file.numbers.keys().map(String::as_str).collect();
        numbers.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let grammar = grammar(
            &names(&all_months),
            &names(&full_months),
            &names(&all_days),
            &names(&full_days),
            &numbers.join("|"),
        );
        let combined = Regex::new(&grammar.join("|")).map_err(|e| e.to_string())?;
        let groups = Groups::of(&combined);
        let mut alternatives = Vec::new();
        let mut rests = Vec::new();
        let mut patterns = Vec::new();
        for alt in &grammar {
            let rest = alt
                .strip_prefix("(?-u:\\b)")
                .ok_or("a grammar alternative must open with a word boundary")?;
            let pattern = format!("^(?:{rest})");
            let re = Regex::new(&pattern).map_err(|e| e.to_string())?;
            let groups = Groups::of(&re);
            alternatives.push(Alternative { re, groups });
            patterns.push(pattern);
            rests.push(rest);
        }
        // Every month and weekday name as the grammar writes it: anchors of the scanner.
        let name_forms: Vec<String> = all_months
            .iter()
            .chain(&all_days)
            .flat_map(|n| forms(n))
            .collect();
        let scanner = Scanner::new(&name_forms, &numbers, &rests, combined.clone())?;
        let which = RegexSet::new(&patterns).map_err(|e| e.to_string())?;
        let grammar = combined;
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            source.hash(&mut h);
            h.finish()
        };
        let cuts = file.numbers.keys().all(|n| {
            n.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b' ' || c == b'-')
        });
        Ok(DateLexicon {
            fingerprint,
            cuts,
            months: file.months.into_iter().collect(),
            weekdays: file.weekdays.into_iter().collect(),
            numbers: file.numbers.into_iter().collect(),
            words: file.words,
            grammar,
            groups,
            alternatives,
            scanner,
            which,
        })
    }
}

/// The alternatives of the date grammar, each opening with `(?-u:\b)`. They are ordered so that, at one start position, the
/// longest reading wins (leftmost-first semantics).
fn grammar(mon: &str, mon_full: &str, wd: &str, wd_full: &str, numbers: &str) -> [String; 12] {
    let b = "(?-u:\\b)";
    let year = "(?:1[6-9][0-9]{2}|20[0-9]{2})";
    let ord = "(?:st|nd|rd|th)?";
    let modifier = "(?i:early|late|mid|the\\s+end\\s+of|end|fiscal|calendar)";
    [
        // 2016-08-09
        format!("{b}(?P<iso_y>{year})-(?P<iso_m>[01][0-9])-(?P<iso_d>[0-3][0-9]){b}"),
        // the 1990s
        format!("{b}(?P<dec>1[6-9][0-9]0|20[0-9]0)s{b}"),
        // [Monday,] Aug. 9[, 2016]
        format!(
            "{b}(?:(?P<wd_a>{wd})\\.?,?\\s+)?(?P<mon_a>{mon}){b}\\.?\\s+(?P<day_a>[0-3]?[0-9]){ord}{b}(?:,?\\s+(?P<year_a>{year}){b})?"
        ),
        // [Monday] [the] 9[th] [of] August[ 2016]
        format!(
            "{b}(?:(?P<wd_b>{wd})\\.?,?\\s+)?(?:(?i:the)\\s+)?(?P<day_b>[0-3]?[0-9]){ord}(?:\\s+of)?\\s+(?P<mon_b>{mon}){b}\\.?(?:,?\\s+(?P<year_b>{year}){b})?"
        ),
        // [early] December[,] [of] 2015
        format!(
            "{b}(?:(?P<mod_c>{modifier})[-\\s]+)?(?P<mon_c>{mon}){b}\\.?,?\\s+(?:of\\s+)?(?P<year_c>{year}){b}"
        ),
        // [early] summer [of] 2015
        format!(
            "{b}(?:(?P<mod_s>{modifier})[-\\s]+)?(?P<season>(?i:spring|summer|autumn|winter|fall)),?\\s+(?:of\\s+)?(?P<year_s>{year}){b}"
        ),
        // [early] 2015
        format!("{b}(?:(?P<mod_y>{modifier})[-\\s]+)?(?P<year_y>{year}){b}"),
        // [last|early] March
        format!(
            "{b}(?:(?P<mod_m>(?i:(?:early|late)\\s+last|last|next|this|early|late|mid|the\\s+end\\s+of|the\\s+beginning\\s+of|the\\s+middle\\s+of))[-\\s]+)?(?P<mon_m>{mon_full}){b}"
        ),
        // [last] Monday
        format!(
            "{b}(?:(?i:early|late)\\s+)?(?:(?P<mod_w>(?i:last|next|this|the\\s+previous|the\\s+following|the\\s+next))\\s+)?(?P<wd_w>{wd_full}){b}(?:\\s+(?i:morning|afternoon|evening|night){b})?"
        ),
        // yesterday
        format!(
            "{b}(?:(?i:early|late)\\s+)?(?P<deixis>(?i:yesterday|today|tomorrow|tonight)){b}(?:\\s+(?i:morning|afternoon|evening|night){b})?"
        ),
        // last year, the following month
        format!(
            "{b}(?:(?i:early|late|the\\s+end\\s+of|the\\s+beginning\\s+of|the\\s+middle\\s+of)\\s+)?(?P<rel>(?i:last|this|next|the\\s+previous|the\\s+following|the\\s+next|earlier\\s+this|later\\s+this|the\\s+current|the\\s+same|the))\\s+(?:(?i:fiscal|financial|full|calendar)\\s+)?(?P<rel_unit>(?i:year|month|week)){b}"
        ),
        // two weeks later
        format!(
            "{b}(?P<num>[0-9]{{1,3}}|(?i:{numbers}))\\s+(?P<num_unit>(?i:days?|weeks?|months?|years?))\\s+(?P<num_dir>(?i:ago|earlier|later|before|after|afterwards)){b}"
        ),
    ]
}

/// Finds the date expressions in `text[range]`, in text order.
pub fn extract(text: &str, range: Range<usize>, lex: &DateLexicon) -> Vec<DateExpr> {
    let mut out = extract_untensed(text, range.clone(), lex);
    for expr in &mut out {
        set_tense(text, &range, expr, lex);
    }
    out
}

/// `extract` without the tense of the clause around each expression (`tense` stays `Unknown`,
/// `future` false; see `set_tense`). Tense matters only against a document date, which most
/// documents lack: the check reads it only for documents that have one.
pub(crate) fn extract_untensed(
    text: &str,
    range: Range<usize>,
    lex: &DateLexicon,
) -> Vec<DateExpr> {
    extract_untensed_in(text, range, lex, true)
}

/// `extract_untensed`; `may_fold`: false when `text` is known to hold neither 'ſ' nor the
/// Kelvin sign (`DateLexicon::folds`), which spares looking for them in each range.
pub(crate) fn extract_untensed_in(
    text: &str,
    range: Range<usize>,
    lex: &DateLexicon,
    may_fold: bool,
) -> Vec<DateExpr> {
    let mut out = Vec::new();
    extract_untensed_window(text, range.clone(), range, lex, may_fold, &mut out);
    out
}

/// Pushes to `out` the expressions of `extract_untensed_in(text, range, ..)` whose grammar
/// match starts in `window` (offsets in `text`, inside `range`), in text order. `window` must
/// open at the start of `range` or where no match can reach across, and close likewise (see
/// `DateLexicon::may_cross`); then these are the expressions `extract_untensed_in` gives there.
pub(crate) fn extract_untensed_window(
    text: &str,
    range: Range<usize>,
    window: Range<usize>,
    lex: &DateLexicon,
    may_fold: bool,
    out: &mut Vec<DateExpr>,
) {
    let Some(slice) = text.get(range.clone()) else {
        return;
    };
    let local = window.start.saturating_sub(range.start)..window.end.saturating_sub(range.start);
    lex.scanner.matches(slice, local, may_fold, |at, end| {
        expression(text, &range, slice, at, end, lex, out);
    });
}

/// `extract` as it was before the scanner: the unanchored grammar over every byte. The tests
/// compare the two.
#[cfg(test)]
pub(crate) fn extract_unanchored(
    text: &str,
    range: Range<usize>,
    lex: &DateLexicon,
) -> Vec<DateExpr> {
    let mut out = Vec::new();
    let Some(slice) = text.get(range.clone()) else {
        return out;
    };
    for found in lex.grammar.find_iter(slice) {
        expression(
            text,
            &range,
            slice,
            found.start(),
            found.end(),
            lex,
            &mut out,
        );
    }
    for expr in &mut out {
        set_tense(text, &range, expr, lex);
    }
    out
}

/// Reads the grammar match `slice[at..end]` (`slice`: `text[range]`) and pushes the expression
/// it gives, if a guard lets it through.
fn expression(
    text: &str,
    range: &Range<usize>,
    slice: &str,
    at: usize,
    end: usize,
    lex: &DateLexicon,
    out: &mut Vec<DateExpr>,
) {
    let expr = with_scratch(lex, |scratch| {
        let (groups, caps) = scratch.groups_of(lex, slice, at, end)?;
        let (start, stop) = caps.slots.first().copied().flatten()?;
        let span = range.start + at + start..range.start + at + stop;
        read(text, &span, &caps, groups, range.start + at, lex)
    });
    out.extend(expr);
}

/// Sets the tense of `expr` (found in `text[range]`) where a rule or the resolver reads it.
pub(crate) fn set_tense(text: &str, range: &Range<usize>, expr: &mut DateExpr, lex: &DateLexicon) {
    // Tense is read only where a rule or the resolver uses it: the broad future test for
    // dates with a stated year (after-publication), the narrow one for year-less dates
    // and weekdays (resolution), the past test for both.
    let absolute = matches!(expr.value, DateValue::Absolute(_));
    let partial = matches!(
        expr.value,
        DateValue::YearLess { .. } | DateValue::Weekday { .. }
    );
    if absolute || partial {
        let clause = clause_around(text, range, &expr.span);
        let near = tense_window(text, &clause, &expr.span);
        let mut future_tense = false;
        if absolute {
            expr.future =
                crate::text::words(text, clause).any(|w| listed(&lex.words.future_words, w.text));
        } else {
            future_tense = crate::text::words(text, near.clone())
                .any(|w| listed(&lex.words.future_tense, w.text));
        }
        expr.tense = if future_tense {
            Tense::Future
        } else if crate::text::words(text, near).any(|w| is_past_marker(w.text, lex)) {
            Tense::Past
        } else {
            Tense::Unknown
        };
    }
}

/// A past-tense auxiliary or irregular verb, or a word in "-ed" that is no future word
/// ("expected", "scheduled").
fn is_past_marker(word: &str, lex: &DateLexicon) -> bool {
    listed(&lex.words.past_markers, word)
        || (word.len() > 4 && word.ends_with("ed") && !listed(&lex.words.future_words, word))
}

/// One alternative of the grammar, anchored, with the indices of its groups.
struct Alternative {
    re: Regex,
    groups: Groups,
}

/// The groups of one match: the text from its start and, per group, its offsets in that text.
struct Caps<'t> {
    hay: &'t str,
    slots: &'t [Option<(usize, usize)>],
}

/// One group of a match.
#[derive(Clone, Copy)]
struct Group<'t> {
    start: usize,
    end: usize,
    text: &'t str,
}

impl<'t> Group<'t> {
    fn as_str(&self) -> &'t str {
        self.text
    }
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
}

/// Matches longer than this are read without the memo of `Scratch::seen`.
const SEEN_MAX_LEN: usize = 63;
/// The slots of `Scratch::seen` (a power of two), in pairs (`Scratch::groups_of`).
const SEEN_SLOTS: usize = 1 << 12;
/// Most groups (the whole match included) an alternative may have for its matches to be
/// memoised (the grammar's have at most five).
const SEEN_MAX_GROUPS: usize = 8;

/// The offsets of the groups of one match, by group index.
type Slots = Vec<Option<(usize, usize)>>;

/// One memoised match in `Scratch::seen`: its text and whether a word byte follows, the
/// alternative that matched and its group offsets. Inline and fixed in size: a lookup is one
/// slot read and a compare of a few words, a miss writes the slot over (no allocation, no
/// pointer to follow).
#[derive(Clone, Copy)]
struct Seen {
    /// The match text then one byte, 1 when a word byte follows, zero-padded (`memo_key`).
    key: [u64; (SEEN_MAX_LEN + 1) / 8],
    /// The length of the match text plus one; 0 in an empty slot.
    len: u8,
    /// The alternative that matched.
    alt: u8,
    /// How many of `slots` hold groups.
    groups: u8,
    /// Per group, its start and end in the match, `(u8::MAX, u8::MAX)` when it took no part.
    slots: [(u8, u8); SEEN_MAX_GROUPS],
}

const EMPTY_SEEN: Seen = Seen {
    key: [0; (SEEN_MAX_LEN + 1) / 8],
    len: 0,
    alt: 0,
    groups: 0,
    slots: [(0, 0); SEEN_MAX_GROUPS],
};

/// The key of `Seen` for the `len` bytes of `text` followed by the byte `follows`, its words
/// in use, and its slot in `Scratch::seen`.
fn memo_key(text: &[u8], follows: bool) -> ([u64; (SEEN_MAX_LEN + 1) / 8], usize, usize) {
    let mut bytes = [0u8; SEEN_MAX_LEN + 1];
    bytes[..text.len()].copy_from_slice(text);
    bytes[text.len()] = u8::from(follows);
    let mut key = [0u64; (SEEN_MAX_LEN + 1) / 8];
    let words = text.len() / 8 + 1;
    let mut hash = 0u64;
    for (w, chunk) in key.iter_mut().zip(bytes.chunks_exact(8)).take(words) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *w = u64::from_le_bytes(b);
        hash = (hash.rotate_left(5) ^ *w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    (key, words, (hash >> 40) as usize % SEEN_SLOTS)
}

/// Per-thread buffers for reading the groups of matches of one lexicon's grammar.
struct Scratch {
    /// The lexicon served: its address and fingerprint.
    owner: (usize, u64),
    /// Capture buffers of the alternatives and, last, of the whole grammar.
    locations: Vec<CaptureLocations>,
    /// The groups of matches read before, by their text and whether a word byte follows
    /// (two-way: a match whose pair of slots holds two others is read again and takes the
    /// slot of the one used less recently).
    /// (Leftmost-first makes the winning path the highest-priority one among those ending
    /// where the match ends; which paths end there depends only on the text up to there and,
    /// through a final word boundary, on whether a word byte follows. So the same text,
    /// followed alike, has the same groups.)
    seen: Vec<Seen>,
    /// The groups of the match read last.
    last: Slots,
}

impl Scratch {
    /// The groups of the grammar match `slice[at..end]`, offsets from `at`, and the indices
    /// they follow.
    fn groups_of<'s>(
        &'s mut self,
        lex: &'s DateLexicon,
        slice: &'s str,
        at: usize,
        end: usize,
    ) -> Option<(&'s Groups, Caps<'s>)> {
        let rest = &slice[at..];
        let len = end.checked_sub(at)?;
        let follows = slice
            .as_bytes()
            .get(end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
        let memo = len <= SEEN_MAX_LEN && !self.seen.is_empty();
        let (key, words, slot) = if memo {
            memo_key(&rest.as_bytes()[..len], follows)
        } else {
            ([0; (SEEN_MAX_LEN + 1) / 8], 0, 0)
        };
        // Two ways: a key is looked for in its slot and the other of its pair.
        let hit = memo
            .then(|| {
                [slot, slot ^ 1].into_iter().find(|&i| {
                    let seen = &self.seen[i];
                    usize::from(seen.len) == len + 1 && seen.key[..words] == key[..words]
                })
            })
            .flatten();
        if let Some(i) = hit {
            let seen = &self.seen[i];
            {
                self.last.clear();
                self.last.extend(
                    seen.slots[..usize::from(seen.groups)]
                        .iter()
                        .map(|&(s, e)| (s != u8::MAX).then(|| (usize::from(s), usize::from(e)))),
                );
                return Some((
                    &lex.alternatives[usize::from(seen.alt)].groups,
                    Caps {
                        hay: rest,
                        slots: &self.last,
                    },
                ));
            }
        }
        // The first alternative that matches where the match starts gives its groups (see
        // `expression`); should its end differ, the whole grammar decides.
        let (grammar_locs, alt_locs) = self.locations.split_last_mut()?;
        let found = lex.which.matches(rest).iter().next().and_then(|k| {
            let locs = &mut alt_locs[k];
            lex.alternatives[k].re.captures_read(locs, rest)?;
            (locs.get(0)?.1 == len).then_some(k)
        });
        self.last.clear();
        let Some(k) = found else {
            lex.grammar.captures_read_at(grammar_locs, slice, at)?;
            self.last.extend(
                (0..grammar_locs.len()).map(|i| grammar_locs.get(i).map(|(s, e)| (s - at, e - at))),
            );
            return Some((
                &lex.groups,
                Caps {
                    hay: rest,
                    slots: &self.last,
                },
            ));
        };
        let locs = &alt_locs[k];
        self.last.extend((0..locs.len()).map(|i| locs.get(i)));
        if memo
            && self.last.len() <= SEEN_MAX_GROUPS
            && let Ok(alt) = u8::try_from(k)
        {
            let mut entry = Seen {
                key,
                len: u8::try_from(len + 1).unwrap_or(0),
                alt,
                groups: u8::try_from(self.last.len()).unwrap_or(0),
                ..EMPTY_SEEN
            };
            // Every group lies inside the match, so its offsets are at most `len`.
            for (to, from) in entry.slots.iter_mut().zip(&self.last) {
                *to = from.map_or((u8::MAX, u8::MAX), |(s, e)| {
                    (u8::try_from(s).unwrap_or(0), u8::try_from(e).unwrap_or(0))
                });
            }
            // The entry in the slot moves to the other of the pair (which it overwrites):
            // the pair keeps the two keys stored last.
            if self.seen[slot].len != 0 {
                self.seen[slot ^ 1] = self.seen[slot];
            }
            self.seen[slot] = entry;
        }
        Some((
            &lex.alternatives[k].groups,
            Caps {
                hay: rest,
                slots: &self.last,
            },
        ))
    }
}

thread_local! {
    /// The scratch of the lexicon last used on this thread.
    static SCRATCH: std::cell::RefCell<Scratch> = const { std::cell::RefCell::new(Scratch {
        owner: (0, 0),
        locations: Vec::new(),
        seen: Vec::new(),
        last: Vec::new(),
    }) };
}

/// Runs `f` with this thread's scratch for `lex`.
fn with_scratch<R>(lex: &DateLexicon, f: impl FnOnce(&mut Scratch) -> R) -> R {
    let owner = (std::ptr::from_ref(lex) as usize, lex.fingerprint);
    SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        if scratch.owner != owner || scratch.locations.is_empty() {
            scratch.locations = lex
                .alternatives
                .iter()
                .map(|alt| alt.re.capture_locations())
                .chain(std::iter::once(lex.grammar.capture_locations()))
                .collect();
            scratch.seen.clear();
            scratch.seen.resize(SEEN_SLOTS, EMPTY_SEEN);
            scratch.owner = owner;
        }
        f(&mut scratch)
    })
}

fn group<'t>(caps: &Caps<'t>, index: usize) -> Option<Group<'t>> {
    let (start, end) = caps.slots.get(index).copied().flatten()?;
    Some(Group {
        start,
        end,
        text: &caps.hay[start..end],
    })
}

fn num<T: std::str::FromStr>(caps: &Caps<'_>, index: usize) -> Option<T> {
    group(caps, index)?.as_str().parse().ok()
}

/// Declares `Groups`: the index of each named group of a grammar regex, found once when it is
/// compiled (a lookup by name hashes the name on every call).
macro_rules! groups {
    ($($name:ident),* $(,)?) => {
        #[derive(Clone, Copy, Debug)]
        struct Groups {
            $($name: usize,)*
        }

        impl Groups {
            /// Groups `grammar` lacks get an index past its groups, which never matches.
            fn of(grammar: &Regex) -> Groups {
                let index = |name: &str| {
                    grammar
                        .capture_names()
                        .position(|n| n == Some(name))
                        .unwrap_or(usize::MAX)
                };
                Groups {
                    $($name: index(stringify!($name)),)*
                }
            }
        }
    };
}

groups!(
    iso_y, iso_m, iso_d, dec, wd_a, mon_a, day_a, year_a, wd_b, mon_b, day_b, year_b, mon_c,
    year_c, season, year_s, mod_y, year_y, mod_m, mon_m, mod_w, wd_w, deixis, rel, rel_unit, num,
    num_unit, num_dir,
);

/// Turns one grammar match into an expression, or `None` when a guard says it is no date.
fn read(
    text: &str,
    span: &Range<usize>,
    caps: &Caps<'_>,
    groups: &Groups,
    base: usize,
    lex: &DateLexicon,
) -> Option<DateExpr> {
    let mut expr = DateExpr {
        span: span.clone(),
        granularity: Granularity::Day,
        value: DateValue::Absolute(Interval::day(Date::constant(2000, 1, 1))),
        weekday: None,
        latent: false,
        future: false,
        tense: Tense::Unknown,
    };
    let starts_with_digit = text[span.clone()].starts_with(|c: char| c.is_ascii_digit());
    if starts_with_digit && !clean_before(text, span.start) {
        return None;
    }
    if let (Some(y), Some(m), Some(d)) = (
        num::<i16>(caps, groups.iso_y),
        num::<i8>(caps, groups.iso_m),
        num::<i8>(caps, groups.iso_d),
    ) {
        if !clean_after(text, span.end) {
            return None;
        }
        return day_value(expr, Some(y), m, d);
    }
    if let Some(d) = num::<i16>(caps, groups.dec) {
        expr.granularity = Granularity::Decade;
        let start = Date::new(d, 1, 1).ok()?;
        let end = Date::new(d + 9, 12, 31).ok()?;
        expr.value = DateValue::Absolute(Interval { start, end });
        return Some(expr);
    }
    let g = groups;
    for (wd_g, mon_g, day_g, year_g) in [
        (g.wd_a, g.mon_a, g.day_a, g.year_a),
        (g.wd_b, g.mon_b, g.day_b, g.year_b),
    ] {
        let Some(mon) = group(caps, mon_g) else {
            continue;
        };
        let month = lookup(&lex.months, mon.as_str())?;
        let day: i8 = num(caps, day_g)?;
        if !(1..=31).contains(&day) {
            return None;
        }
        let year: Option<i16> = num(caps, year_g);
        if year.is_some() && !clean_after(text, span.end) {
            return None;
        }
        if year.is_none() && !day_end_clean(text, span.end) {
            return None;
        }
        if let Some(w) = group(caps, wd_g) {
            let n = lookup(&lex.weekdays, w.as_str())?;
            let weekday = Weekday::from_monday_one_offset(n).ok()?;
            expr.weekday = Some((base + w.start()..base + w.end(), weekday));
        }
        return day_value(expr, year, month, day);
    }
    if let (Some(mon), Some(year)) = (group(caps, groups.mon_c), num::<i16>(caps, groups.year_c)) {
        if !clean_after(text, span.end) {
            return None;
        }
        expr.granularity = Granularity::Month;
        expr.value =
            DateValue::Absolute(Interval::month(year, lookup(&lex.months, mon.as_str())?)?);
        return Some(expr);
    }
    if let (Some(season), Some(year)) =
        (group(caps, groups.season), num::<i16>(caps, groups.year_s))
    {
        if !clean_after(text, span.end) {
            return None;
        }
        expr.granularity = Granularity::Season;
        expr.value = DateValue::Absolute(season_interval(season.as_str(), year)?);
        return Some(expr);
    }
    if let Some(year) = num::<i16>(caps, groups.year_y) {
        if !clean_after(text, span.end) || counts_things(text, span.end, lex) {
            return None;
        }
        expr.granularity = Granularity::Year;
        expr.value = DateValue::Absolute(Interval::year(year)?);
        expr.latent = group(caps, groups.mod_y).is_none()
            && !word_before(text, span.start).is_some_and(|w| listed(&lex.words.month_openers, w));
        return Some(expr);
    }
    if let Some(mon) = group(caps, groups.mon_m) {
        let opener = group(caps, groups.mod_m).is_some()
            || word_before(text, span.start).is_some_and(|w| listed(&lex.words.month_openers, w));
        if !opener {
            return None;
        }
        if word_after(text, span.end).is_some_and(|w| w.starts_with(char::is_uppercase)) {
            return None;
        }
        let month = lookup(&lex.months, mon.as_str())?;
        expr.granularity = Granularity::Month;
        // The modifier compared ignoring ASCII case (no lower-cased copy).
        let modifier = group(caps, groups.mod_m).map(|m| m.as_str().as_bytes());
        let relation = match modifier {
            Some(m) if m.len() >= 4 && m[m.len() - 4..].eq_ignore_ascii_case(b"last") => {
                Relation::Last
            }
            Some(m) if m.eq_ignore_ascii_case(b"next") => Relation::Next,
            Some(m) if m.eq_ignore_ascii_case(b"this") => Relation::This,
            _ => Relation::Nearest,
        };
        expr.value = DateValue::YearLess {
            month,
            day: None,
            relation,
        };
        return Some(expr);
    }
    if let Some(w) = group(caps, groups.wd_w) {
        if word_after(text, span.end).is_some_and(|n| {
            n.starts_with(char::is_uppercase) && listed(&lex.words.weekday_blockers_after, n)
        }) {
            return None;
        }
        let weekday = Weekday::from_monday_one_offset(lookup(&lex.weekdays, w.as_str())?).ok()?;
        let shift = match group(caps, groups.mod_w).map(|m| m.as_str()) {
            Some(m) if m.eq_ignore_ascii_case("last") => -1,
            Some(m) if m.eq_ignore_ascii_case("next") => 1,
            _ => 0,
        };
        expr.value = DateValue::Weekday { weekday, shift };
        return Some(expr);
    }
    if let Some(d) = group(caps, groups.deixis) {
        let d = d.as_str();
        // -1 yesterday, 1 tomorrow, 0 today and tonight.
        let offset = i32::from(d.eq_ignore_ascii_case("tomorrow"))
            - i32::from(d.eq_ignore_ascii_case("yesterday"));
        expr.value = DateValue::FromDct {
            unit: Unit::Day,
            offset,
        };
        return Some(expr);
    }
    if let (Some(rel), Some(unit)) = (group(caps, groups.rel), group(caps, groups.rel_unit)) {
        let unit = unit_of(unit.as_str())?;
        expr.granularity = unit.granularity();
        // The words of `rel` compared ignoring ASCII case and the width of white space
        // between them (no lower-cased, re-joined copy).
        let rel = rel.as_str();
        let is = |phrases: &[&str]| phrases.iter().any(|p| phrase_is(rel, p));
        expr.value = if is(&["last"]) {
            DateValue::FromDct { unit, offset: -1 }
        } else if is(&["next"]) {
            DateValue::FromDct { unit, offset: 1 }
        } else if is(&["this", "earlier this", "later this", "the current", "the"]) {
            DateValue::FromDct { unit, offset: 0 }
        } else if is(&["the same"]) {
            DateValue::FromPrevious { unit, offset: 0 }
        } else if is(&["the previous"]) {
            DateValue::FromPrevious { unit, offset: -1 }
        } else {
            DateValue::FromPrevious { unit, offset: 1 }
        };
        return Some(expr);
    }
    if let (Some(n), Some(unit), Some(dir)) = (
        group(caps, groups.num),
        group(caps, groups.num_unit),
        group(caps, groups.num_dir),
    ) {
        let n: i32 = match n.as_str().parse() {
            Ok(v) => v,
            Err(_) => lookup(&lex.numbers, n.as_str())?,
        };
        let unit = unit_of(unit.as_str())?;
        expr.granularity = unit.granularity();
        let dir = dir.as_str();
        // "27 years before returning", "two days after the vote": anchored to what follows,
        // not to the date before. Only a stand-alone "two days before," counts.
        let stands_alone = text[span.end..]
            .trim_start_matches([' ', '\u{a0}'])
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        let before = dir.eq_ignore_ascii_case("before");
        if (before || dir.eq_ignore_ascii_case("after")) && !stands_alone {
            return None;
        }
        expr.value = if dir.eq_ignore_ascii_case("ago") {
            DateValue::FromDct { unit, offset: -n }
        } else if before || dir.eq_ignore_ascii_case("earlier") {
            DateValue::FromPrevious { unit, offset: -n }
        } else {
            DateValue::FromPrevious { unit, offset: n }
        };
        return Some(expr);
    }
    None
}

fn unit_of(word: &str) -> Option<Unit> {
    // Ignoring ASCII case, without a lower-cased copy: the trailing 's' of either case goes.
    let w = word.trim_end_matches(['s', 'S']);
    [
        ("day", Unit::Day),
        ("week", Unit::Week),
        ("month", Unit::Month),
        ("year", Unit::Year),
    ]
    .into_iter()
    .find_map(|(name, unit)| w.eq_ignore_ascii_case(name).then_some(unit))
}

/// Whether the words of `text` (split at white space) are those of `phrase` (split at single
/// spaces), ignoring ASCII case: `text` lower-cased with its white space runs made one space
/// equals `phrase`, without building that string.
fn phrase_is(text: &str, phrase: &str) -> bool {
    let mut words = text.split_whitespace();
    phrase
        .split(' ')
        .all(|p| words.next().is_some_and(|w| w.eq_ignore_ascii_case(p)))
        && words.next().is_none()
}

/// A day-granularity value, or `Impossible` when the calendar has no such day.
fn day_value(mut expr: DateExpr, year: Option<i16>, month: i8, day: i8) -> Option<DateExpr> {
    expr.granularity = Granularity::Day;
    if !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    // Without a year, February 29 may exist; a leap year is assumed.
    let probe_year = year.unwrap_or(2016);
    expr.value = match Date::new(probe_year, month, day) {
        Ok(date) if year.is_some() => DateValue::Absolute(Interval::day(date)),
        Ok(_) => DateValue::YearLess {
            month,
            day: Some(day),
            relation: Relation::Nearest,
        },
        Err(_) => DateValue::Impossible { year, month, day },
    };
    Some(expr)
}

fn season_interval(season: &str, year: i16) -> Option<Interval> {
    // Northern-hemisphere meteorological seasons; winter is the one starting in December.
    let is = |name: &str| season.eq_ignore_ascii_case(name);
    let (start, end) = if is("spring") {
        (Date::new(year, 3, 1).ok()?, Date::new(year, 5, 31).ok()?)
    } else if is("summer") {
        (Date::new(year, 6, 1).ok()?, Date::new(year, 8, 31).ok()?)
    } else if is("autumn") || is("fall") {
        (Date::new(year, 9, 1).ok()?, Date::new(year, 11, 30).ok()?)
    } else {
        (Date::new(year, 1, 1).ok()?, Date::new(year, 12, 31).ok()?)
    };
    Some(Interval { start, end })
}

/// No digit-ish context before a number: not "3.2015", "$2015", "No. 2015", "1,2015".
fn clean_before(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        Some('$' | '£' | '€' | '#' | '/' | '+' | '×') => false,
        Some('.' | ',' | ':' | '-') => !before.next().is_some_and(|p| p.is_ascii_digit()),
        _ => true,
    }
}

/// No digit-ish context after a year: not "2015%", "2015.5", "2015:30", "2015-16 season".
fn clean_after(text: &str, end: usize) -> bool {
    let rest = &text.as_bytes()[end..];
    match rest.first() {
        Some(b'%') => false,
        Some(b'.' | b',' | b':' | b'-' | b'/') => !rest.get(1).is_some_and(u8::is_ascii_digit),
        _ => true,
    }
}

/// After a year-less day ("August 8"): not a time or score ("Aug 8:30", "May 3-1").
fn day_end_clean(text: &str, end: usize) -> bool {
    clean_after(text, end)
}

/// A year-like number followed by a count noun or a lower-case plural: "2000 soldiers".
fn counts_things(text: &str, end: usize, lex: &DateLexicon) -> bool {
    let Some(next) = word_after(text, end) else {
        return false;
    };
    if !text[end..].starts_with(' ') {
        return false;
    }
    if listed(&lex.words.count_nouns, next) {
        return true;
    }
    let lower = next.starts_with(|c: char| c.is_ascii_lowercase());
    lower
        && next.len() > 3
        && next.ends_with('s')
        && !next.ends_with("ss")
        && !listed(&lex.words.year_followers, next)
}

/// The word right before byte `start` (skipping spaces), if any.
pub(crate) fn word_before(text: &str, start: usize) -> Option<&str> {
    let head = text[..start].trim_end_matches([' ', '\u{a0}']);
    let from = head
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric())
        .last()
        .map(|(i, _)| i)?;
    Some(&head[from..])
}

/// The word right after byte `end` (skipping spaces), if any.
pub(crate) fn word_after(text: &str, end: usize) -> Option<&str> {
    let tail = text[end..].trim_start_matches([' ', '\u{a0}']);
    let off = text.len() - tail.len();
    let len = tail
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '’' || c == '\''))
        .map_or(tail.len(), |(i, _)| i);
    (len > 0).then(|| &text[off..off + len])
}

/// The part of `clause` that governs the tense of `span`: from the last comma or quote mark
/// before it to the next one after it.
pub(crate) fn tense_window(text: &str, clause: &Range<usize>, span: &Range<usize>) -> Range<usize> {
    let marks = [',', '"', '“', '”', '(', ')'];
    let start = text[clause.start..span.start]
        .rfind(marks)
        .map_or(clause.start, |i| after_char(text, clause.start + i));
    let end = text[span.end..clause.end]
        .find(marks)
        .map_or(clause.end, |i| span.end + i);
    start..end
}

/// The offset just past the character starting at byte `at`.
pub(crate) fn after_char(text: &str, at: usize) -> usize {
    at + text[at..].chars().next().map_or(0, char::len_utf8)
}

/// The clause holding `span`: bounded by `. ; ? !` or the range, at most 160 bytes each way.
pub(crate) fn clause_around(text: &str, range: &Range<usize>, span: &Range<usize>) -> Range<usize> {
    let is_stop = |c: char| matches!(c, ';' | '?' | '!');
    let mut start = span.start;
    for (i, c) in text[range.start..span.start].char_indices().rev() {
        let at = range.start + i;
        if span.start - at > 160 || is_stop(c) || (c == '.' && text[at + 1..].starts_with(' ')) {
            break;
        }
        start = at;
    }
    let mut end = span.end;
    for (i, c) in text[span.end..range.end].char_indices() {
        let at = span.end + i;
        if at - span.end > 160 || is_stop(c) || (c == '.' && text[at + 1..].starts_with(' ')) {
            break;
        }
        end = at + c.len_utf8();
    }
    start..end
}

/// Resolves every expression to an interval where it can: stated years as they are; year-less
/// dates, weekdays and `FromDct` values against the document's date (`dct`), or, without one,
/// year-less dates against the year of the nearest preceding absolute date (`HeidelTime`'s
/// narrative strategy); `FromPrevious` values against the nearest preceding resolved date.
pub fn resolve(exprs: &[DateExpr], dct: Option<Date>) -> Vec<Option<Interval>> {
    let mut out: Vec<Option<Interval>> = Vec::with_capacity(exprs.len());
    let mut last_year: Option<i16> = None;
    let mut last: Option<Interval> = None;
    for e in exprs {
        let r = match e.value {
            DateValue::Absolute(i) => Some(i),
            DateValue::Impossible { .. } => None,
            DateValue::YearLess {
                month,
                day,
                relation,
            } => match dct {
                Some(d) => year_less_near_dct(d, month, day, relation, e.tense),
                None => last_year.and_then(|y| year_less_in(y, month, day)),
            },
            DateValue::Weekday { weekday, shift } => dct
                .and_then(|d| weekday_near(d, weekday, shift, e.tense == Tense::Future))
                .map(Interval::day),
            DateValue::FromDct { unit, offset } => {
                dct.and_then(|d| shifted(Interval::day(d), unit, offset))
            }
            DateValue::FromPrevious { unit, offset } => last
                .or(dct.map(Interval::day))
                .and_then(|anchor| shifted(anchor, unit, offset)),
        };
        if let Some(i) = r {
            if matches!(e.value, DateValue::Absolute(_)) && e.granularity <= Granularity::Year {
                last_year = Some(i.start.year());
            }
            last = Some(i);
        }
        out.push(r);
    }
    out
}

fn year_less_in(year: i16, month: i8, day: Option<i8>) -> Option<Interval> {
    match day {
        Some(d) => Date::new(year, month, d).ok().map(Interval::day),
        None => Interval::month(year, month),
    }
}

/// A year-less date in the DCT's year, moved to the year before when it would lie more than a
/// month after the DCT in a clause that is not about the future (and to the year after when it
/// lies well before the DCT in a future clause).
fn year_less_near_dct(
    dct: Date,
    month: i8,
    day: Option<i8>,
    relation: Relation,
    tense: Tense,
) -> Option<Interval> {
    let same = year_less_in(dct.year(), month, day)?;
    let month_diff = i32::from(month) - i32::from(dct.month());
    match relation {
        Relation::Last if month_diff >= 0 => return year_less_in(dct.year() - 1, month, day),
        Relation::Next if month_diff <= 0 => return year_less_in(dct.year() + 1, month, day),
        Relation::Last | Relation::Next | Relation::This => return Some(same),
        Relation::Nearest => {}
    }
    match tense {
        Tense::Past if month_diff > 1 => year_less_in(dct.year() - 1, month, day),
        Tense::Future if month_diff < -1 => year_less_in(dct.year() + 1, month, day),
        // No tense cue: the year that puts the month nearest the DCT's.
        Tense::Unknown if month_diff > 6 => year_less_in(dct.year() - 1, month, day),
        Tense::Unknown if month_diff < -6 => year_less_in(dct.year() + 1, month, day),
        _ => Some(same),
    }
}

/// The weekday closest to the DCT not after it (not before it in a future clause); `last` and
/// `next` move one week further.
fn weekday_near(dct: Date, weekday: Weekday, shift: i8, future: bool) -> Option<Date> {
    let back = i64::from(
        (dct.weekday().to_monday_zero_offset() - weekday.to_monday_zero_offset() + 7) % 7,
    );
    let fwd = (7 - back) % 7;
    let days = match (shift, future) {
        (1, _) => {
            if fwd == 0 {
                7
            } else {
                fwd
            }
        }
        (-1, _) => -(if back == 0 { 7 } else { back }),
        (_, true) => fwd,
        _ => -back,
    };
    dct.checked_add(Span::new().try_days(days).ok()?).ok()
}

/// `anchor` moved by `offset` units, widened to the unit's granularity.
fn shifted(anchor: Interval, unit: Unit, offset: i32) -> Option<Interval> {
    let date = anchor.start.checked_add(unit.span(offset)?).ok()?;
    match unit {
        Unit::Day => Some(Interval::day(date)),
        Unit::Week => Interval::week(date),
        Unit::Month => Interval::month(date.year(), date.month()),
        Unit::Year => Interval::year(date.year()),
    }
}
