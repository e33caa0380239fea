//! `human`: codespan-reporting snippets with the primary span, labels (in other files too) and
//! notes; colour when the terminal supports it. The summary line is printed by the CLI on stderr.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::term::{self, Config, termcolor::WriteColor};

use super::LineIndex;
use super::excerpt::{Excerpt, Excerpts};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{Sources, Summary};

pub fn emit(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    out: &mut dyn WriteColor,
) -> io::Result<()> {
    let config = Config::default();
    let mut indexes: HashMap<&str, LineIndex<'_>> = HashMap::new();
    for d in diagnostics {
        // One excerpt per file the diagnostic touches, holding only the lines it points at.
        let mut files = Excerpts::default();
        let mut ids: Vec<(&str, usize)> = Vec::new();
        let mut paths: Vec<&str> = vec![&d.path];
        paths.extend(d.labels.iter().filter_map(|l| l.path.as_deref()));
        for path in paths {
            if ids.iter().any(|(p, _)| *p == path) {
                continue;
            }
            let spans: Vec<_> = std::iter::once(&d.span)
                .filter(|_| path == &*d.path)
                .chain(
                    d.labels
                        .iter()
                        .filter(|l| l.path.as_deref().unwrap_or(&d.path) == path)
                        .map(|l| &l.span),
                )
                .cloned()
                .collect();
            let index = indexes
                .entry(path)
                .or_insert_with(|| LineIndex::new(sources.get(path).unwrap_or("")));
            let id = files.add(Excerpt::with_index(path, index, &spans));
            ids.push((path, id));
        }
        let id_of = |path: &str| ids.iter().find(|(p, _)| *p == path).map_or(0, |(_, i)| *i);
        let file = id_of(&d.path);
        let severity = match d.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
            Severity::Info => CsSeverity::Note,
        };
        let mut labels = vec![CsLabel::primary(file, files.get(file).map(&d.span))];
        for l in &d.labels {
            let lfile = id_of(l.path.as_deref().unwrap_or(&d.path));
            labels.push(
                CsLabel::secondary(lfile, files.get(lfile).map(&l.span)).with_message(&l.message),
            );
        }
        let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
        if let Some(fix) = &d.fix {
            notes.push(format!("fix: {}", fix.description));
        }
        let diag = CsDiagnostic::new(severity)
            .with_code(d.rule.to_string())
            .with_message(&d.message)
            .with_labels(labels)
            .with_notes(notes);
        term::emit_to_write_style(out, &config, &files, &diag).map_err(|e| match e {
            codespan_reporting::files::Error::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })?;
    }
    Ok(())
}

/// The summary printed after the findings: counts, files and time.
pub fn summary_line(summary: &Summary, seconds: f64) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
    ];
    if summary.infos > 0 {
        parts.push(plural(summary.infos, "info"));
    }
    let mut line = format!(
        "{} in {} ({} checked",
        parts.join(", "),
        plural(summary.files, "file"),
        plural(summary.documents, "document"),
    );
    if summary.skipped > 0 {
        let _ = write!(line, ", {} skipped", summary.skipped);
        if summary.binary > 0 {
            let _ = write!(line, ": {} binary", summary.binary);
        }
    }
    let _ = write!(line, ") in {seconds:.2}s");
    line
}
