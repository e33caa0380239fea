//! `json` and `jsonl`: the wire format, pinned by `tests/`. Field names here are a public
//! contract: add fields, never rename or remove them.

use std::io::{self, Write};

use serde::Serialize;

use super::{Located, Locator, Report};
use crate::diagnostic::{Diagnostic, Fix};

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
pub(super) struct JsonDiagnostic<'a> {
    rule: &'a str,
    check: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    span: JsonSpan,
    labels: Vec<JsonLabel<'a>>,
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a Fix>,
}

#[derive(Serialize)]
struct JsonSpan {
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    path: &'a str,
    span: JsonSpan,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    documents: usize,
    skipped: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

fn span(range: &std::ops::Range<usize>, at: Located) -> JsonSpan {
    JsonSpan {
        start: range.start,
        end: range.end,
        line: at.start.line,
        column: at.start.column,
        end_line: at.end.line,
        end_column: at.end.column,
    }
}

fn diagnostic<'a>(d: &'a Diagnostic, locator: &mut Locator<'a>) -> JsonDiagnostic<'a> {
    let at = locator.locate(&d.path, &d.span);
    JsonDiagnostic {
        rule: &d.rule,
        check: d.check,
        severity: d.severity.as_str(),
        message: &d.message,
        path: &d.path,
        span: span(&d.span, at),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let path: &str = l.path.as_deref().unwrap_or(&d.path);
                JsonLabel {
                    path,
                    span: span(&l.span, locator.locate(path, &l.span)),
                    message: &l.message,
                }
            })
            .collect(),
        notes: &d.notes,
        fix: d.fix.as_ref(),
    }
}

pub fn emit(report: &Report<'_>, out: &mut dyn Write, lines: bool) -> io::Result<()> {
    let mut locator = Locator::new(&report.outcome.sources);
    if lines {
        for d in report.diagnostics() {
            serde_json::to_writer(&mut *out, &diagnostic(d, &mut locator))?;
            out.write_all(b"\n")?;
        }
        return Ok(());
    }
    let s = &report.outcome.summary;
    let json = JsonReport {
        version: 1,
        diagnostics: report
            .diagnostics()
            .iter()
            .map(|d| diagnostic(d, &mut locator))
            .collect(),
        summary: JsonSummary {
            files: s.files,
            documents: s.documents,
            skipped: s.skipped,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
        },
    };
    serde_json::to_writer(&mut *out, &json)?;
    out.write_all(b"\n")
}
