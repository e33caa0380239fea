//! The document's own date (document creation time, DCT): from front matter `date:`, a
//! "Published:"/"Updated:" line near the top, or a wire dateline ("LAHORE, Aug 9 (Reuters) -").
//!
//! Returns nothing rather than guess: rules that need a DCT stay silent without one. A dateline
//! without a year borrows the latest year stated in the document and says so (`year_inferred`),
//! so it may anchor year-less dates but never drives the after-publication rule.

use std::ops::Range;

use jiff::civil::Date;

use super::extract::{DateExpr, DateLexicon, DateValue, Granularity, extract_untensed};
use crate::document::{Document, LineKind};

/// The document's date and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dct {
    pub date: Date,
    pub span: Range<usize>,
    /// The year was not written with the date but taken from the latest year in the text.
    pub year_inferred: bool,
}

/// Wire agencies whose credit in parentheses closes a dateline.
const AGENCIES: &[&str] = &[
    "(Reuters)",
    "(AP)",
    "(AFP)",
    "(Bloomberg)",
    "(UPI)",
    "(dpa)",
    "(PTI)",
];

/// Finds the document's date, in order of trust: front matter, a "Published:" line, a dateline.
pub fn find_dct(doc: &Document, lex: &DateLexicon) -> Option<Dct> {
    let body: Vec<DateExpr> = doc
        .paragraphs
        .iter()
        .flat_map(|p| extract_untensed(&doc.text, p.span.clone(), lex))
        .collect();
    find_dct_in(doc, lex, &body)
}

/// `find_dct` given the expressions of the document's paragraphs (`extract` over each, in order),
/// which the caller has already.
pub(crate) fn find_dct_in(doc: &Document, lex: &DateLexicon, body: &[DateExpr]) -> Option<Dct> {
    if let Some(d) = doc
        .front_matter_date
        .as_ref()
        .and_then(|span| first_full_date(doc, span.clone(), lex))
    {
        return Some(d);
    }
    for line in doc
        .lines
        .iter()
        .filter(|l| l.kind != LineKind::Blank)
        .take(8)
    {
        let t = doc.slice(&line.span).trim_start();
        // The first ten characters, lower-cased, start with a key. (So "first published", 15
        // characters, never does; kept as it was, so output does not change.)
        let keyed = ["published", "updated", "posted", "date:", "first published"]
            .iter()
            .any(|k| k.len() <= 10 && starts_with_ignore_ascii_case(t, k));
        if let Some(d) = keyed
            .then(|| first_full_date(doc, line.span.clone(), lex))
            .flatten()
        {
            return Some(d);
        }
    }
    let first = doc.paragraphs.first()?;
    let text = doc.slice(&first.span);
    // The first credit starting in the first 120 bytes (every credit opens with a bracket).
    let agency_at = memchr::memchr_iter(b'(', &text.as_bytes()[..text.len().min(120)])
        .find(|&i| AGENCIES.iter().any(|a| text[i..].starts_with(a)))?;
    let head = first.span.start..first.span.start + agency_at;
    let exprs = extract_untensed(&doc.text, head, lex);
    let e = exprs.iter().find(|e| e.granularity == Granularity::Day)?;
    match e.value {
        DateValue::Absolute(i) => Some(Dct {
            date: i.start,
            span: e.span.clone(),
            year_inferred: false,
        }),
        DateValue::YearLess {
            month,
            day: Some(day),
            ..
        } => {
            let year = latest_year(body)?;
            let date = Date::new(year, month, day).ok()?;
            Some(Dct {
                date,
                span: e.span.clone(),
                year_inferred: true,
            })
        }
        _ => None,
    }
}

fn first_full_date(doc: &Document, span: Range<usize>, lex: &DateLexicon) -> Option<Dct> {
    extract_untensed(&doc.text, span, lex)
        .into_iter()
        .find_map(|e: DateExpr| match e.value {
            DateValue::Absolute(i) if e.granularity == Granularity::Day => Some(Dct {
                date: i.start,
                span: e.span,
                year_inferred: false,
            }),
            _ => None,
        })
}

/// Whether `text` starts with the ASCII `key`, ignoring ASCII case.
fn starts_with_ignore_ascii_case(text: &str, key: &str) -> bool {
    text.as_bytes()
        .get(..key.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(key.as_bytes()))
}

/// The latest year stated with a day or month in the body (`body`: its expressions).
fn latest_year(body: &[DateExpr]) -> Option<i16> {
    body.iter()
        .filter(|e| e.granularity <= Granularity::Month)
        .filter_map(|e| e.absolute().map(|i| i.end.year()))
        .max()
}
