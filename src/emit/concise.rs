//! `concise`: `path:line:col: severity[rule]: message`, one finding per line, for editors
//! (Vim quickfix, VS Code problem matchers) and grep.

use std::io::{self, Write};

use super::Locator;
use crate::diagnostic::Diagnostic;
use crate::engine::Sources;

pub fn emit(diagnostics: &[Diagnostic], sources: &Sources, out: &mut dyn Write) -> io::Result<()> {
    let mut locator = Locator::new(sources);
    for d in diagnostics {
        let at = locator.locate(&d.path, &d.span).start;
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            d.path, at.line, at.column, d.severity, d.rule, d.message
        )?;
    }
    Ok(())
}
