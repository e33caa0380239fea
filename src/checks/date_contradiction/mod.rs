//! Check kind `date-contradiction`: dates inside one article that cannot all be true.
//!
//! Sub-rules (parameter `mode`): impossible calendar dates, a weekday written next to a date it
//! does not fit, an order cue ("later", "earlier") introducing a date on the wrong side of the
//! date before it, one event given two dates, and past events dated after the document's own
//! date. Every rule compares explicit normalised values (intervals of civil dates, so "2015" and
//! "December 2015" never conflict); the only linguistic judgement is a short cue list anchored to
//! the nearest preceding date. This module reads no files and never fails on odd input.

pub mod dct;
pub mod extract;
mod scan;

use std::ops::Range;
use std::rc::Rc;
use std::sync::{Arc, Mutex, PoisonError};

use aho_corasick::AhoCorasick;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use self::dct::Dct;
use self::extract::{
    DateExpr, DateLexicon, DateValue, Granularity, Interval, Tense, extract_untensed_window,
    listed, set_tense,
};
use crate::checks::{CompiledCheck, DocumentCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Finding, Label};
use crate::document::Document;
use crate::swar;
use crate::text::words;

/// Which contradiction a rule looks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    #[default]
    ImpossibleDate,
    WeekdayMismatch,
    OrderCue,
    EventDatedTwice,
    AfterPublication,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    pub mode: Mode,
    /// Month and weekday names, cue words and guard lists.
    pub lexicon: String,
    /// Most bytes between an order cue and the date it introduces.
    pub max_cue_gap: usize,
    /// Least share of shared content words for two phrases to name one event.
    pub min_event_overlap: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            mode: Mode::ImpossibleDate,
            lexicon: "lexicons/dates.toml".into(),
            max_cue_gap: 80,
            min_event_overlap: 0.8,
        }
    }
}

pub struct DateContradictionKind;

impl Kind for DateContradictionKind {
    type Params = Params;
    const NAME: &'static str = "date-contradiction";
    const SCOPE: Scope = Scope::Document;
    const DOC: &'static str = "Finds dates inside one article that contradict each other or the \
        calendar. A HeidelTime-style grammar extracts date expressions with byte spans and a \
        granularity (day, week, month, season, year, decade) and normalises each to an interval \
        of civil dates; partial dates stay partial and year-less ones are resolved against the \
        document's own date (front matter, a Published line or a wire dateline) or the nearest \
        stated year. `mode` picks the sub-rule: `impossible-date` (April 31, Feb. 29 of a common \
        year), `weekday-mismatch` (a weekday written next to a date it does not fit), \
        `order-cue` (\"later\", \"subsequently\", \"earlier\", \"previously\", \"two months \
        later\" introducing a date on the wrong side of the date before it), `event-dated-twice` (the same event phrase before \
        two disjoint dates) and `after-publication` (a past-tense event dated after the \
        document's date). Guards: intervals are compared, never points; \"May\" the verb, counts \
        (\"2000 soldiers\"), times, scores and version numbers are not dates; order cues are \
        skipped before reporting verbs, in past perfect, across quotes and in fixed phrases \
        (\"later this year\", \"no later than\"); future and modal clauses never count as past.";
    const PLACEHOLDERS: &'static [&'static str] = &["date", "other", "fact", "cue"];

    fn compile(
        params: Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<CompiledCheck, Vec<ParamError>> {
        let Some(source) = lexicons.lexicon(&params.lexicon) else {
            return Err(vec![
                ParamError::new(None, format!("lexicon `{}` not found", params.lexicon))
                    .with_label("this file does not exist under the rules directory"),
            ]);
        };
        let lexicon = shared_lexicon(&source).map_err(|e| {
            vec![ParamError::new(
                None,
                format!("bad lexicon `{}`: {e}", params.lexicon),
            )]
        })?;
        if !(0.0..=1.0).contains(&params.min_event_overlap) {
            return Err(vec![ParamError::new(
                None,
                "`min-event-overlap` must lie between 0 and 1",
            )]);
        }
        Ok(CompiledCheck::Document(Box::new(DateContradiction::new(
            params, lexicon,
        ))))
    }
}

/// Lexicons compiled so far in this process, keyed by their text. The five rules of this kind
/// read the same lexicon, and compiling its grammar costs several hundredths of a second.
static COMPILED: Mutex<Vec<(String, Arc<DateLexicon>)>> = Mutex::new(Vec::new());

/// The compiled lexicon of `source`, compiled once per process.
fn shared_lexicon(source: &str) -> Result<Arc<DateLexicon>, String> {
    let mut compiled = COMPILED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, lexicon)) = compiled.iter().find(|(text, _)| text == source) {
        return Ok(Arc::clone(lexicon));
    }
    let lexicon = Arc::new(DateLexicon::from_toml(source)?);
    compiled.push((source.to_string(), Arc::clone(&lexicon)));
    Ok(lexicon)
}

/// A compiled `date-contradiction` rule.
pub struct DateContradiction {
    params: Params,
    /// Shared by every rule compiled from the same lexicon text (see `shared_lexicon`).
    lexicon: Arc<DateLexicon>,
    /// Order cues split into words, with `true` for "later" cues.
    cues: Vec<(Vec<String>, bool)>,
    /// The first words of the cues, ignoring ASCII case as `find_cues` compares them: a
    /// sentence without any holds no cue.
    cue_heads: Option<AhoCorasick>,
}

/// One date of the document with its sentence and paragraph.
struct Dated<'a> {
    expr: &'a DateExpr,
    sentence: usize,
    paragraph: usize,
}

impl DateContradiction {
    fn new(params: Params, lexicon: impl Into<Arc<DateLexicon>>) -> DateContradiction {
        let lexicon = lexicon.into();
        let w = &lexicon.words;
        let cues = w
            .later_cues
            .iter()
            .map(|c| (c, true))
            .chain(w.earlier_cues.iter().map(|c| (c, false)))
            .map(|(c, later)| {
                (
                    c.split_whitespace().map(str::to_string).collect::<Vec<_>>(),
                    later,
                )
            })
            .filter(|(parts, _)| !parts.is_empty())
            .collect::<Vec<(Vec<String>, bool)>>();
        // A DFA: a few cue heads over short sentences, where the search's start-up cost
        // matters more than the memory.
        let cue_heads = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(cues.iter().map(|(parts, _)| &parts[0]))
            .ok();
        DateContradiction {
            params,
            lexicon,
            cues,
            cue_heads,
        }
    }
}

/// The document's date expressions in text order, each with its (sentence, paragraph), without
/// their tense (see `extract_untensed`). The five sub-rules read the same document with the
/// same lexicon: `Document::memo` (keyed by the lexicon's fingerprint) extracts once and hands
/// every sibling the same result.
///
/// Only paragraphs holding an ASCII digit are read (see `may_matter`): the expressions of the
/// others can change no finding, and skipping them spares a third of the text.
struct Extraction {
    exprs: Vec<DateExpr>,
    places: Vec<(usize, usize)>,
}

/// Whether the expressions of a paragraph may change a finding: whether `para` holds an ASCII
/// digit.
///
/// Why a paragraph without one may be skipped. Every expression a rule reports or compares
/// holds a digit: a date with a stated year (`firm`, the DCT, `latest_year`), an impossible day,
/// a weekday written before a day. A paragraph without a digit gives only year-less months, bare
/// weekdays and relative dates, which count only through their neighbours in `dates`: an order
/// cue's nearest date before it (which must share the cue's paragraph) and `firm_range`'s
/// neighbours (joined only by a short word such as "to", so never across a skipped paragraph,
/// whose expression lies between). Dropping them leaves every comparison as it was: the cue's
/// nearest date then lies in an earlier paragraph too, and the rules skip it alike.
/// (`differential_paragraph_skip` in the tests compares the rules with and without the skip.)
fn may_matter(para: &[u8]) -> bool {
    // Thirty-two bytes at a time with no early exit inside, which the compiler turns into a
    // few vector compares.
    let mut chunks = para.chunks_exact(32);
    for chunk in &mut chunks {
        if chunk
            .iter()
            .fold(0u8, |acc, &b| acc | u8::from(b.wrapping_sub(b'0') < 10))
            != 0
        {
            return true;
        }
    }
    chunks.remainder().iter().any(u8::is_ascii_digit)
}

/// The offset of the first ASCII digit of `bytes`, if any.
fn first_digit(bytes: &[u8]) -> Option<usize> {
    // Eight bytes at a time (SWAR): the high bit of each byte that is an ASCII digit.
    let digits = |i: usize| swar::digits(swar::load(bytes, i));
    let mut i = 0;
    // Sixteen bytes a round, one branch for both words.
    while i + 16 <= bytes.len() {
        let (a, b) = (digits(i), digits(i + 8));
        if a | b != 0 {
            return Some(if a != 0 {
                i + (a.trailing_zeros() / 8) as usize
            } else {
                i + 8 + (b.trailing_zeros() / 8) as usize
            });
        }
        i += 16;
    }
    while i < bytes.len() {
        let a = digits(i);
        if a != 0 {
            return Some(i + (a.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    None
}

/// Per-thread buffers of `extract_document`, kept across documents (cleared, not freed).
#[derive(Default)]
struct ExtractScratch {
    exprs: Vec<DateExpr>,
    places: Vec<(usize, usize)>,
    windows: Vec<Range<usize>>,
}

thread_local! {
    static EXTRACT_SCRATCH: std::cell::Cell<ExtractScratch> = const {
        std::cell::Cell::new(ExtractScratch {
            exprs: Vec::new(),
            places: Vec::new(),
            windows: Vec::new(),
        })
    };
}

/// The document's own date, shared the same way by the two sub-rules that need it, and when
/// there is one, the expressions with their tense (which only a document date makes matter:
/// resolution reads it only against one, and so do the rules).
struct DocumentDate(Option<Dct>, Vec<DateExpr>);

impl DateContradiction {
    fn extraction(&self, doc: &Document) -> Rc<Extraction> {
        doc.memo(self.lexicon.fingerprint, || {
            self.extract_document(doc, true)
        })
    }

    /// The expressions of `doc`'s paragraphs; `skip`: only of the parts that `may_matter`
    /// (see `windows`).
    fn extract_document(&self, doc: &Document, skip: bool) -> Extraction {
        // The buffers of this thread, taken out for the call (a nested call would find them
        // empty, which is only slower): the expressions are gathered there and copied out at
        // their final length, so a document costs at most two allocations, none without dates.
        let mut scratch = EXTRACT_SCRATCH.take();
        let ExtractScratch {
            exprs,
            places,
            windows,
        } = &mut scratch;
        exprs.clear();
        places.clear();
        let may_fold = self.lexicon.folds(&doc.text);
        for (p, para) in doc.paragraphs.iter().enumerate() {
            let span = para.span.clone();
            windows.clear();
            if skip {
                self.windows(doc, para, windows);
            } else {
                windows.push(span.clone());
            }
            let sentences = &doc.sentences[para.sentences.clone()];
            // The expressions come in text order: the sentence holding each start is found by
            // a cursor moving forward (the first sentence holding it, as a search from the
            // paragraph's first sentence would find).
            let mut cursor = 0;
            for window in windows.iter() {
                let first = exprs.len();
                extract_untensed_window(
                    &doc.text,
                    span.clone(),
                    window.clone(),
                    &self.lexicon,
                    may_fold,
                    exprs,
                );
                for e in &exprs[first..] {
                    let at = e.span.start;
                    while sentences
                        .get(cursor)
                        .is_some_and(|s| s.end.max(s.start + 1) <= at)
                    {
                        cursor += 1;
                    }
                    let s = match sentences.get(cursor) {
                        Some(s) if s.start <= at => para.sentences.start + cursor,
                        _ => para.sentences.start,
                    };
                    places.push((s, p));
                }
            }
        }
        let extraction = Extraction {
            exprs: exprs.clone(),
            places: places.clone(),
        };
        EXTRACT_SCRATCH.set(scratch);
        extraction
    }

    /// The parts of `para` whose expressions may change a finding, in text order, as windows
    /// for `extract_untensed_window`: none when the paragraph holds no ASCII digit, else the
    /// runs of sentences that hold one, cut only where no grammar match can reach across
    /// (`DateLexicon::may_cross`; a match running on into a sentence with a digit keeps its
    /// own sentence).
    ///
    /// Why the expressions of the other sentences may be dropped. As in `may_matter`, they
    /// hold no digit (they end in their run of sentences, which holds none): none has a stated
    /// year, an impossible day or a weekday written before a day, and only the order-cue rule
    /// reads them, through its neighbours in `dates`. The cue and the date it introduces lie in
    /// a sentence with a stated year, which is kept whole. The date before the cue must lie in
    /// the same or the sentence before; were it a dropped one, the rule skips it (it has no
    /// stated year) as it skips the nearest kept one before it, which then lies at least two
    /// sentences back (a dropped run holds every expression of its sentences). And a range's
    /// other end (`firm_range`) is joined to a date by a short word only: with a dropped
    /// expression between, no kept one is joined where it was not before.
    fn windows(
        &self,
        doc: &Document,
        para: &crate::document::Paragraph,
        out: &mut Vec<Range<usize>>,
    ) {
        let text = &doc.text;
        // The first ASCII digit at or after `from` (`usize::MAX` when none): the sentences are
        // tested in order against the next digit, found once for all those before it.
        let bytes = text.as_bytes();
        let next_digit = |from: usize| {
            let tail = bytes.get(from..para.span.end).unwrap_or_default();
            first_digit(tail).map_or(usize::MAX, |i| from + i)
        };
        // No digit: nothing (see `may_matter`, which is quicker on a long paragraph).
        if !text
            .get(para.span.clone())
            .is_some_and(|t| may_matter(t.as_bytes()))
        {
            return;
        }
        let mut digit_at = next_digit(para.span.start);
        let sentences = &doc.sentences[para.sentences.clone()];
        if sentences.len() < 2 {
            out.push(para.span.clone());
            return;
        }
        // The run of sentences read so far: where it starts and whether it holds a digit.
        let mut run_start = para.span.start;
        let mut digit = false;
        let mut close = |from: usize, to: usize, digit: bool| {
            if !digit {
                return;
            }
            match out.last_mut() {
                Some(last) if last.end == from => last.end = to,
                _ => out.push(from..to),
            }
        };
        for (j, s) in sentences.iter().enumerate() {
            if j > 0 && !self.lexicon.may_cross(text, sentences[j - 1].end) {
                close(run_start, s.start, digit);
                run_start = s.start;
                digit = false;
            }
            if digit_at < s.start {
                digit_at = next_digit(s.start);
            }
            digit = digit || digit_at < s.end;
        }
        close(run_start, para.span.end, digit);
    }

    fn document_date(&self, doc: &Document, extraction: &Extraction) -> Rc<DocumentDate> {
        doc.memo(self.lexicon.fingerprint, || {
            let dct = dct::find_dct_in(doc, &self.lexicon, &extraction.exprs);
            let mut tensed = Vec::new();
            if dct.is_some() {
                tensed.clone_from(&extraction.exprs);
                for (e, &(_, p)) in tensed.iter_mut().zip(&extraction.places) {
                    set_tense(&doc.text, &doc.paragraphs[p].span, e, &self.lexicon);
                }
            }
            DocumentDate(dct, tensed)
        })
    }
}

impl DocumentCheck for DateContradiction {
    fn check(&self, doc: &Document, out: &mut Vec<Finding>) {
        self.check_extraction(doc, &self.extraction(doc), out);
    }
}

impl DateContradiction {
    /// Whether the rule's mode may report anything among `exprs` (the untensed expressions):
    /// false proves it finds nothing, so most documents skip the document date, the tense and
    /// the list of dated places. Each test reads only what extraction sets (no tense): every
    /// mode reports a date of one kind, and no such date means no finding.
    fn may_find(&self, exprs: &[DateExpr]) -> bool {
        match self.params.mode {
            // `impossible_dates` reports `Impossible` values only.
            Mode::ImpossibleDate => exprs
                .iter()
                .any(|e| matches!(e.value, DateValue::Impossible { .. })),
            // `weekday_mismatches` reports expressions with a weekday written before them.
            Mode::WeekdayMismatch => exprs.iter().any(|e| e.weekday.is_some()),
            // The date a cue introduces must be firm (`firm_range`), and so must every date
            // `after_publication` reports.
            Mode::OrderCue | Mode::AfterPublication => exprs.iter().any(|e| firm_expr(e).is_some()),
            // `events_dated_twice` compares two firm dates of day granularity.
            Mode::EventDatedTwice => {
                exprs
                    .iter()
                    .filter(|e| e.granularity == Granularity::Day && firm_expr(e).is_some())
                    .take(2)
                    .count()
                    == 2
            }
        }
    }

    /// The rule over `extraction`, the expressions of `doc`.
    fn check_extraction(&self, doc: &Document, extraction: &Extraction, out: &mut Vec<Finding>) {
        let Extraction { exprs, places } = extraction;
        if !self.may_find(exprs) {
            return;
        }
        let document_date = match self.params.mode {
            Mode::WeekdayMismatch | Mode::AfterPublication => {
                Some(self.document_date(doc, extraction))
            }
            _ => None,
        };
        let dct = document_date.as_ref().and_then(|d| d.0.as_ref());
        // With a document date, the expressions with their tense.
        let exprs = match &document_date {
            Some(d) if d.0.is_some() => &d.1,
            _ => exprs,
        };
        // No rule reads a resolved value (`firm` takes stated years only), so nothing is
        // resolved here.
        let dates: Vec<Dated> = exprs
            .iter()
            .zip(places)
            .map(|(expr, &(sentence, paragraph))| Dated {
                expr,
                sentence,
                paragraph,
            })
            .collect();
        match self.params.mode {
            Mode::ImpossibleDate => impossible_dates(doc, &dates, out),
            Mode::WeekdayMismatch => weekday_mismatches(doc, &dates, dct, out),
            Mode::OrderCue => self.order_cues(doc, &dates, out),
            Mode::EventDatedTwice => self.events_dated_twice(doc, &dates, out),
            Mode::AfterPublication => {
                if let Some(dct) = dct.filter(|d| !d.year_inferred) {
                    Self::after_publication(doc, &dates, dct, out);
                }
            }
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(m: i8) -> &'static str {
    MONTHS
        .get(usize::try_from(m - 1).unwrap_or(0))
        .copied()
        .unwrap_or("?")
}

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn day_text(d: Date) -> String {
    format!("{} {} {}", d.day(), month_name(d.month()), d.year())
}

/// An interval written at its granularity: "9 August 2016", "September 2015", "2015".
pub fn describe(i: &Interval, g: Granularity) -> String {
    match g {
        Granularity::Day => day_text(i.start),
        Granularity::Week => format!("the week of {}", day_text(i.start)),
        Granularity::Month => format!("{} {}", month_name(i.start.month()), i.start.year()),
        Granularity::Season => {
            format!(
                "{} {} to {} {}",
                month_name(i.start.month()),
                i.start.year(),
                month_name(i.end.month()),
                i.end.year()
            )
        }
        Granularity::Year => i.start.year().to_string(),
        Granularity::Decade => format!("the {}s", i.start.year()),
    }
}

fn impossible_dates(doc: &Document, dates: &[Dated], out: &mut Vec<Finding>) {
    for d in dates {
        let DateValue::Impossible { year, month, day } = d.expr.value else {
            continue;
        };
        let probe = year.unwrap_or(2016);
        let Ok(first) = Date::new(probe, month, 1) else {
            continue;
        };
        let len = first.days_in_month();
        let fact = match year {
            Some(y) if month == 2 && day == 29 => {
                format!("{y} is not a leap year: February {y} has 28 days")
            }
            _ => format!(
                "{} has only {len} days, so there is no {} {day}",
                month_name(month),
                month_name(month)
            ),
        };
        out.push(
            Finding::new(d.expr.span.clone())
                .arg("date", doc.slice(&d.expr.span))
                .arg("other", format!("{} {len}", month_name(month)))
                .arg("fact", fact.clone())
                .note(fact)
                .note("check the source for the right day or month"),
        );
    }
}

fn weekday_mismatches(doc: &Document, dates: &[Dated], dct: Option<&Dct>, out: &mut Vec<Finding>) {
    for d in dates {
        let Some((wspan, weekday)) = d.expr.weekday.clone() else {
            continue;
        };
        let date_span = wspan.end..d.expr.span.end;
        let date_span = trim_punct(doc, date_span);
        let fact = match d.expr.value {
            DateValue::Absolute(i) => {
                if i.start.weekday() == weekday {
                    continue;
                }
                format!(
                    "{} was a {}",
                    day_text(i.start),
                    weekday_name(i.start.weekday())
                )
            }
            DateValue::YearLess {
                month,
                day: Some(day),
                ..
            } => {
                // Without a year, the date may lie in the DCT's year or the year before (or
                // after, in a future clause); flag only when none of them fits.
                let Some(dct) = dct.filter(|d| !d.year_inferred) else {
                    continue;
                };
                let y = dct.date.year();
                let years: &[i16] = if d.expr.tense == Tense::Future {
                    &[y, y + 1]
                } else {
                    &[y, y - 1]
                };
                let days: Vec<Date> = years
                    .iter()
                    .filter_map(|&y| Date::new(y, month, day).ok())
                    .collect();
                if days.is_empty() || days.iter().any(|x| x.weekday() == weekday) {
                    continue;
                }
                days.iter()
                    .map(|x| format!("{} was a {}", day_text(*x), weekday_name(x.weekday())))
                    .collect::<Vec<_>>()
                    .join(" and ")
            }
            _ => continue,
        };
        out.push(
            Finding::new(wspan.clone())
                .arg("date", doc.slice(&wspan))
                .arg("other", doc.slice(&date_span))
                .arg("fact", fact.clone())
                .label(Label::here(date_span, "the date it is written with"))
                .note(fact)
                .note("correct the weekday or the date"),
        );
    }
}

fn trim_punct(doc: &Document, span: Range<usize>) -> Range<usize> {
    let t = &doc.text[span.clone()];
    let lead = t.len()
        - t.trim_start_matches(|c: char| c == ',' || c == '.' || c.is_whitespace())
            .len();
    span.start + lead..span.end
}

/// A cue word found in a sentence.
struct Cue {
    span: Range<usize>,
    later: bool,
}

impl DateContradiction {
    /// The cues of `sentence`. `limit`: the start of the last date with a stated year in it,
    /// where a cue that may matter ends at the latest (the date a cue introduces follows it and
    /// must be such a date, see `order_cues`); a sentence holding no cue head before it gives
    /// none (the cues it might hold can change no finding).
    fn find_cues(&self, doc: &Document, sentence: &Range<usize>, limit: usize) -> Vec<Cue> {
        let w = &self.lexicon.words;
        let mut cues = Vec::new();
        let head_room = sentence.start..limit.clamp(sentence.start, sentence.end);
        if self
            .cue_heads
            .as_ref()
            .is_some_and(|heads| !heads.is_match(&doc.text[head_room]))
        {
            return cues;
        }
        let ws: Vec<crate::text::Word<'_>> = words(&doc.text, sentence.clone()).collect();
        for (i, word) in ws.iter().enumerate() {
            for (parts, later) in &self.cues {
                let later = *later;
                {
                    let fits = parts.iter().enumerate().all(|(k, p)| {
                        ws.get(i + k)
                            .is_some_and(|x| x.text.eq_ignore_ascii_case(p))
                    });
                    if !fits {
                        continue;
                    }
                    let last = &ws[i + parts.len() - 1];
                    let span = word.start..last.end();
                    if i > 0 && listed(&w.cue_blockers_before, ws[i - 1].text) {
                        continue;
                    }
                    let after = &doc.text[span.end..sentence.end];
                    let after_trim = after.trim_start();
                    let blocked_after = w.cue_blockers_after.iter().any(|b| {
                        after_trim.len() >= b.len()
                            && after_trim.is_char_boundary(b.len())
                            && after_trim[..b.len()].eq_ignore_ascii_case(b)
                            && !after_trim[b.len()..].starts_with(char::is_alphanumeric)
                    });
                    if blocked_after {
                        continue;
                    }
                    if ws
                        .get(i + parts.len())
                        .is_some_and(|n| listed(&w.reporting_verbs, n.text))
                    {
                        continue;
                    }
                    cues.push(Cue { span, later });
                }
            }
        }
        cues
    }

    fn order_cues(&self, doc: &Document, dates: &[Dated], out: &mut Vec<Finding>) {
        // Only sentences holding a date with a stated year can hold a contradiction.
        let mut with_dates: Vec<usize> = dates
            .iter()
            .filter(|d| firm(d).is_some())
            .map(|d| d.sentence)
            .collect();
        with_dates.dedup();
        for s_idx in with_dates {
            let Some(sentence) = doc.sentences.get(s_idx) else {
                continue;
            };
            // The date a cue introduces must have a stated year (`firm_range`): a cue ends
            // before the last such date of the sentence.
            let limit = dates
                .iter()
                .filter(|d| d.sentence == s_idx && firm(d).is_some())
                .map(|d| d.expr.span.start)
                .max()
                .unwrap_or(sentence.start);
            let mut cues = self.find_cues(doc, sentence, limit);
            // "two weeks later", "a year earlier": relative dates order like cue words.
            cues.extend(
                dates
                    .iter()
                    .filter(|d| d.sentence == s_idx)
                    .filter_map(|d| match d.expr.value {
                        DateValue::FromPrevious { offset, .. } if offset != 0 => Some(Cue {
                            span: d.expr.span.clone(),
                            later: offset > 0,
                        }),
                        _ => None,
                    }),
            );
            for cue in cues {
                // The date the cue introduces: the first date after it in its clause.
                let Some(t2) = dates
                    .iter()
                    .position(|d| d.sentence == s_idx && d.expr.span.start >= cue.span.end)
                else {
                    continue;
                };
                let d2 = &dates[t2];
                if d2.expr.span.start - cue.span.end > self.params.max_cue_gap {
                    continue;
                }
                let between = &doc.text[cue.span.end..d2.expr.span.start];
                if between.contains([';', ':', '"', '“', '”', '—', '(', ')']) {
                    continue;
                }
                // Past perfect between cue and date: an embedded, backshifted event.
                if words(&doc.text, cue.span.end..d2.expr.span.start).any(|w| {
                    w.text.eq_ignore_ascii_case("had")
                        || listed(&self.lexicon.words.reporting_verbs, w.text)
                }) {
                    continue;
                }
                let Some(i2) = firm_range(doc, dates, t2) else {
                    continue;
                };
                // The date it refers to: the nearest date before the cue, same paragraph, same or
                // previous sentence. Any nearer date (even a relative one) breaks the chain.
                let Some(t1) = dates[..t2]
                    .iter()
                    .rposition(|d| d.expr.span.end <= cue.span.start)
                else {
                    continue;
                };
                let d1 = &dates[t1];
                if d1.paragraph != d2.paragraph || d1.sentence + 1 < s_idx {
                    continue;
                }
                let Some(i1) = firm_range(doc, dates, t1) else {
                    continue;
                };
                if quote_between(&doc.text, d1.expr.span.end, cue.span.start) {
                    continue;
                }
                let wrong = if cue.later {
                    i2.before(&i1)
                } else {
                    i1.before(&i2)
                };
                if !wrong {
                    continue;
                }
                let cue_text = doc.slice(&cue.span);
                let a = describe(&i2, d2.expr.granularity);
                let b = describe(&i1, d1.expr.granularity);
                let side = if cue.later { "before" } else { "after" };
                let fact = format!(
                    "{a} is {side} {b}, yet introduced by '{}'",
                    cue_text.to_lowercase()
                );
                out.push(
                    Finding::new(d2.expr.span.clone())
                        .arg("date", doc.slice(&d2.expr.span))
                        .arg("other", doc.slice(&d1.expr.span))
                        .arg("fact", fact.clone())
                        .arg("cue", cue_text)
                        .label(Label::here(
                            d1.expr.span.clone(),
                            "the date the cue refers back to",
                        ))
                        .label(Label::here(cue.span.clone(), "order cue"))
                        .note(fact)
                        .note("check which date is right, or reword the sequence"),
                );
            }
        }
    }

    fn events_dated_twice(&self, doc: &Document, dates: &[Dated], out: &mut Vec<Finding>) {
        let w = &self.lexicon.words;
        let mut windows: Vec<(usize, Vec<String>)> = Vec::new();
        for (k, d) in dates.iter().enumerate() {
            // Day dates only: two months or years for one phrase are too often two occurrences
            // ("beat Arsenal in October 2004 ... in February 2005").
            if firm(d).is_none() || d.expr.granularity != Granularity::Day {
                continue;
            }
            let Some(prep) = extract::word_before(&doc.text, d.expr.span.start) else {
                continue;
            };
            if !(prep.eq_ignore_ascii_case("on") || prep.eq_ignore_ascii_case("in")) {
                continue;
            }
            let Some(sentence) = doc.sentences.get(d.sentence) else {
                continue;
            };
            let prep_start = d.expr.span.start
                - (doc.text[..d.expr.span.start].len()
                    - doc.text[..d.expr.span.start].trim_end().len())
                - prep.len();
            if prep_start < sentence.start {
                continue;
            }
            let clause_start = doc.text[sentence.start..prep_start]
                .rfind([',', ';', ':', '"', '“', '”', '(', ')', '—'])
                .map_or(sentence.start, |i| {
                    extract::after_char(&doc.text, sentence.start + i)
                });
            let ws: Vec<crate::text::Word<'_>> =
                words(&doc.text, clause_start..prep_start).collect();
            let window = &ws[ws.len().saturating_sub(5)..];
            // A blocker anywhere in the clause ("the annual ... meeting in") marks a recurring
            // or another event.
            if ws.iter().any(|x| listed(&w.event_blockers, x.text))
                || window
                    .iter()
                    .any(|x| x.text.chars().any(|c| c.is_ascii_digit()))
            {
                continue;
            }
            let capital = window
                .iter()
                .any(|x| x.start != sentence.start && x.text.starts_with(char::is_uppercase));
            let mut content: Vec<String> = window
                .iter()
                .filter(|x| !listed(&w.stop_words, x.text) && !listed(&w.reporting_verbs, x.text))
                .map(|x| x.text.to_lowercase())
                .collect();
            content.sort();
            content.dedup();
            if !capital || content.len() < 3 {
                continue;
            }
            windows.push((k, content));
        }
        for (j, (kj, wj)) in windows.iter().enumerate() {
            let dj = &dates[*kj];
            let Some(ij) = firm(dj) else { continue };
            let earlier = windows[..j].iter().find(|(ki, wi)| {
                let di = &dates[*ki];
                let shared = wi.iter().filter(|x| wj.contains(x)).count();
                let union = wi.len() + wj.len() - shared;
                di.expr.granularity == dj.expr.granularity
                    && firm(di).is_some_and(|ii| ii.disjoint(&ij))
                    && shared as f64 >= self.params.min_event_overlap * union as f64
            });
            let Some((ki, wi)) = earlier else { continue };
            let di = &dates[*ki];
            let fact = format!(
                "'{}' is dated {} here and {} before",
                wi.join(" "),
                describe(&ij, dj.expr.granularity),
                describe(&firm(di).unwrap_or(ij), di.expr.granularity)
            );
            out.push(
                Finding::new(dj.expr.span.clone())
                    .arg("date", doc.slice(&dj.expr.span))
                    .arg("other", doc.slice(&di.expr.span))
                    .arg("fact", fact.clone())
                    .label(Label::here(
                        di.expr.span.clone(),
                        "the same event is dated here",
                    ))
                    .note(fact)
                    .note("check which date is right; if these are two events, tell them apart"),
            );
        }
    }

    fn after_publication(doc: &Document, dates: &[Dated], dct: &Dct, out: &mut Vec<Finding>) {
        let Ok(limit) = dct.date.checked_add(jiff::Span::new().days(1)) else {
            return;
        };
        for d in dates {
            let Some(i) = firm(d) else { continue };
            if d.expr.future || d.expr.span.start < dct.span.end && d.expr.span.end > dct.span.start
            {
                continue;
            }
            let after = match d.expr.granularity {
                Granularity::Year | Granularity::Decade => i.start.year() > dct.date.year(),
                _ => i.start > limit,
            };
            if !after {
                continue;
            }
            // The past-tense verb must govern the date: the extractor looks only between the
            // nearest commas.
            let past = d.expr.tense == Tense::Past;
            if !past {
                continue;
            }
            let fact = format!(
                "{} is after the article's date, {}",
                describe(&i, d.expr.granularity),
                day_text(dct.date)
            );
            out.push(
                Finding::new(d.expr.span.clone())
                    .arg("date", doc.slice(&d.expr.span))
                    .arg("other", doc.slice(&dct.span))
                    .arg("fact", fact.clone())
                    .label(Label::here(dct.span.clone(), "the article's own date"))
                    .note(fact)
                    .note("a past event cannot postdate the article: check the year"),
            );
        }
    }
}

/// The interval of a date whose year is written out and which is no weak bare year. (A value
/// resolved against the document's date or a year before never counts: `resolve` is not run.)
fn firm(d: &Dated) -> Option<Interval> {
    firm_expr(d.expr)
}

/// `firm` of one expression (it reads no tense: the same with or without `set_tense`).
fn firm_expr(e: &DateExpr) -> Option<Interval> {
    if e.latent || e.granularity == Granularity::Decade {
        return None;
    }
    e.absolute()
}

/// The interval of `dates[k]`, widened to the whole range when it is one end of a range of
/// dates ("from 1981 to 1987", "2014-2016", "between 2010 and 2012"): a cue refers to the range.
fn firm_range(doc: &Document, dates: &[Dated], k: usize) -> Option<Interval> {
    let mut i = firm(&dates[k])?;
    let joined = |a: &Dated, b: &Dated| {
        a.expr.span.end <= b.expr.span.start && b.expr.span.start - a.expr.span.end <= 10 && {
            // Ignoring ASCII case, without a lower-cased copy.
            let between = doc.text[a.expr.span.end..b.expr.span.start].trim();
            ["to", "until", "till", "through", "and", "-", "–", "—", "or"]
                .iter()
                .any(|w| between.eq_ignore_ascii_case(w))
        }
    };
    let widen = |i: Interval, o: Interval| Interval {
        start: o.start.min(i.start),
        end: o.end.max(i.end),
    };
    if let Some(p) = k
        .checked_sub(1)
        .map(|p| &dates[p])
        .filter(|prev| joined(prev, &dates[k]))
        .and_then(firm)
    {
        i = widen(i, p);
    }
    if let Some(n) = dates
        .get(k + 1)
        .filter(|next| joined(&dates[k], next))
        .and_then(firm)
    {
        i = widen(i, n);
    }
    Some(i)
}

/// Whether a quotation mark lies between two offsets (the dates are in different voices).
fn quote_between(text: &str, from: usize, to: usize) -> bool {
    from < to && text[from..to].contains(['"', '“', '”'])
}

#[cfg(test)]
mod tests;
