//! Emitters: turn sorted diagnostics into one output format. Emitters never analyse; they only
//! compute lines and columns (from byte offsets) and print.
//!
//! Columns are 1-based and counted in Unicode scalar values (characters); a leading BOM does not
//! count. `end_column` is exclusive.

mod concise;
mod excerpt;
mod github;
mod human;
mod json;
mod sarif;

use std::collections::HashMap;
use std::io;
use std::ops::Range;

use codespan_reporting::term::termcolor::WriteColor;

use crate::diagnostic::Diagnostic;
use crate::engine::{Outcome, Sources, Summary};
use crate::rules::RuleSet;

pub use human::summary_line;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Source snippets with labels and notes (codespan-reporting).
    Human,
    /// One line per finding: `path:line:col: severity[rule]: message`.
    Concise,
    /// One JSON document with every diagnostic and a summary.
    Json,
    /// One JSON object per diagnostic per line.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// A line and column, both 1-based; the column counts characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts in one text, to turn offsets into positions.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last position computed (line index, byte offset, column): diagnostics come sorted,
    /// so the next column on the same line is counted on from here, keeping a file with one
    /// huge line and many findings linear.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            starts,
            last: std::cell::Cell::new((usize::MAX, 0, 0)),
        }
    }

    /// The text indexed.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offsets where the lines start.
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let (last_line, last_offset, last_column) = self.last.get();
        let mut column = if last_line == line && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else {
            self.text[start..offset].chars().count() + 1
        };
        self.last.set((line, offset, column));
        if line == 0 && self.text.starts_with('\u{feff}') && offset > 0 {
            column -= 1;
        }
        Position {
            line: line + 1,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Positions for the spans of many files, building each file's line index once.
pub struct Locator<'a> {
    sources: &'a Sources,
    indexes: HashMap<&'a str, LineIndex<'a>>,
}

/// A span with its start and end positions.
#[derive(Clone, Copy, Debug)]
pub struct Located {
    pub start: Position,
    pub end: Position,
}

impl<'a> Locator<'a> {
    pub fn new(sources: &'a Sources) -> Locator<'a> {
        Locator {
            sources,
            indexes: HashMap::new(),
        }
    }

    pub fn locate(&mut self, path: &'a str, span: &Range<usize>) -> Located {
        let sources = self.sources;
        let index = self
            .indexes
            .entry(path)
            .or_insert_with(|| LineIndex::new(sources.get(path).unwrap_or("")));
        Located {
            start: index.position(span.start),
            end: index.position(span.end),
        }
    }
}

/// Everything an emitter may need to write a whole run at once.
pub struct Report<'a> {
    pub outcome: &'a Outcome,
    pub rules: &'a RuleSet,
}

/// Writes the report in `format`. `out` supports colour for the human format.
pub fn emit(format: OutputFormat, report: &Report<'_>, out: &mut dyn WriteColor) -> io::Result<()> {
    let mut emitter = Emitter::new(format, report.rules);
    emitter.batch(&report.outcome.diagnostics, &report.outcome.sources, out)?;
    emitter.finish(&report.outcome.summary, out)?;
    out.flush()
}

/// Writes a run as it goes: `batch` for each batch of diagnostics (in output order, with the
/// texts they point into), then `finish` with the summary. Every format but SARIF streams, so
/// output starts with the first findings and memory does not grow with them; SARIF lists the
/// rules that fired before any result, so it keeps the placed results until `finish`.
pub struct Emitter<'r> {
    format: OutputFormat,
    rules: &'r RuleSet,
    /// `json`: whether the opening was written, and whether no item was written yet.
    started: bool,
    first: bool,
    sarif: Vec<sarif::Placed>,
}

impl<'r> Emitter<'r> {
    pub fn new(format: OutputFormat, rules: &'r RuleSet) -> Emitter<'r> {
        Emitter {
            format,
            rules,
            started: false,
            first: true,
            sarif: Vec::new(),
        }
    }

    pub fn batch(
        &mut self,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        out: &mut dyn WriteColor,
    ) -> io::Result<()> {
        match self.format {
            OutputFormat::Human => human::emit(diagnostics, sources, out),
            OutputFormat::Concise => concise::emit(diagnostics, sources, out),
            OutputFormat::Json => {
                self.start(out)?;
                json::batch(diagnostics, sources, out, false, &mut self.first)
            }
            OutputFormat::Jsonl => json::batch(diagnostics, sources, out, true, &mut self.first),
            OutputFormat::Sarif => {
                sarif::place(diagnostics, sources, &mut self.sarif);
                Ok(())
            }
            OutputFormat::Github => github::emit(diagnostics, sources, out),
        }
    }

    fn start(&mut self, out: &mut dyn WriteColor) -> io::Result<()> {
        if !std::mem::replace(&mut self.started, true) {
            json::start(out)?;
        }
        Ok(())
    }

    /// Ends the output (the `json` summary, the SARIF log).
    pub fn finish(&mut self, summary: &Summary, out: &mut dyn WriteColor) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => {
                self.start(out)?;
                json::finish(summary, out)
            }
            OutputFormat::Sarif => sarif::write(&std::mem::take(&mut self.sarif), self.rules, out),
            _ => Ok(()),
        }
    }
}
