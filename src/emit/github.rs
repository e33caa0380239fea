//! `github`: GitHub Actions workflow commands, one annotation per finding
//! (`::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::message`).

use std::io::{self, Write};

use super::Locator;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Sources;

pub fn emit(diagnostics: &[Diagnostic], sources: &Sources, out: &mut dyn Write) -> io::Result<()> {
    let mut locator = Locator::new(sources);
    for d in diagnostics {
        let at = locator.locate(&d.path, &d.span);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        for note in &d.notes {
            message.push('\n');
            message.push_str(note);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&d.path),
            at.start.line,
            at.start.column,
            at.end.line,
            at.end.column,
            property(&format!("copydesk {}", d.rule)),
            data(&message)
        )?;
    }
    Ok(())
}

/// Escapes a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
