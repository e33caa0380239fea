//! The document's own date (document creation time, DCT): from front matter `date:`, a
//! "Published:"/"Updated:" line near the top, or a wire dateline ("LAHORE, Aug 9 (Reuters) -").
//!
//! Returns nothing rather than guess: rules that need a DCT stay silent without one. A dateline
//! without a year borrows the latest year stated in the document and says so (`year_inferred`),
//! so it may anchor year-less dates but never drives the after-publication rule.

use std::ops::Range;

use jiff::civil::Date;

use super::extract::{DateExpr, DateLexicon, DateValue, Granularity, extract};
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
        let head: String = t.chars().take(10).collect::<String>().to_ascii_lowercase();
        let keyed = ["published", "updated", "posted", "date:", "first published"]
            .iter()
            .any(|k| head.starts_with(k));
        if let Some(d) = keyed
            .then(|| first_full_date(doc, line.span.clone(), lex))
            .flatten()
        {
            return Some(d);
        }
    }
    let first = doc.paragraphs.first()?;
    let text = doc.slice(&first.span);
    let (agency_at, _) = AGENCIES
        .iter()
        .filter_map(|a| text.find(a).map(|i| (i, a)))
        .filter(|&(i, _)| i < 120)
        .min_by_key(|&(i, _)| i)?;
    let head = first.span.start..first.span.start + agency_at;
    let exprs = extract(&doc.text, head, lex);
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
            let year = latest_year(doc, lex)?;
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
    extract(&doc.text, span, lex)
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

/// The latest year stated with a day or month in the body.
fn latest_year(doc: &Document, lex: &DateLexicon) -> Option<i16> {
    doc.paragraphs
        .iter()
        .flat_map(|p| extract(&doc.text, p.span.clone(), lex))
        .filter(|e| e.granularity <= Granularity::Month)
        .filter_map(|e| e.absolute().map(|i| i.end.year()))
        .max()
}
