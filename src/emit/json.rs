//! `json` and `jsonl`: the wire format, pinned by `tests/`. Field names here are a public
//! contract: add fields, never rename or remove them.

use std::io::{self, Write};

use serde::Serialize;

use super::{Located, Locator};
use crate::diagnostic::{Diagnostic, Fix};
use crate::engine::{Sources, Summary};

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

/// Writes a batch: one object per line (`jsonl`), or array items after `separator` (`json`).
pub fn batch(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    out: &mut dyn Write,
    lines: bool,
    first: &mut bool,
) -> io::Result<()> {
    let mut locator = Locator::new(sources);
    // Each item is serialised into one buffer, then written at once: `serde_json` writes a
    // token at a time, and through `dyn Write` each of those would be a call of its own.
    let mut item = Vec::with_capacity(1024);
    for d in diagnostics {
        item.clear();
        if !lines && !std::mem::take(first) {
            item.push(b',');
        }
        serde_json::to_writer(&mut item, &diagnostic(d, &mut locator))?;
        if lines {
            item.push(b'\n');
        }
        out.write_all(&item)?;
    }
    Ok(())
}

/// The opening of the `json` document, before the first diagnostic.
pub fn start(out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"{\"version\":1,\"diagnostics\":[")
}

/// The end of the `json` document: the summary.
pub fn finish(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"],\"summary\":")?;
    let summary = JsonSummary {
        files: s.files,
        documents: s.documents,
        skipped: s.skipped,
        errors: s.errors,
        warnings: s.warnings,
        infos: s.infos,
    };
    serde_json::to_writer(&mut *out, &summary)?;
    out.write_all(b"}\n")
}
