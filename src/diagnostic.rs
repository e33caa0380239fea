//! The `Diagnostic` type every check produces and every emitter consumes.
//!
//! Spans are byte ranges into the original file (a UTF-8 BOM, when present, is part of the file
//! and so counts in the offsets). Lines and columns are never stored here: emitters compute them.
//! This module does no I/O and no rendering.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered so that `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [&'static str; 3] = ["error", "warning", "info"];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary span that supports the finding: the other date, the other spelling.
/// `path` is `None` when the label lies in the diagnostic's own file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub path: Option<Arc<str>>,
    pub span: Range<usize>,
    pub message: String,
}

impl Label {
    pub fn here(span: Range<usize>, message: impl Into<String>) -> Label {
        Label {
            path: None,
            span,
            message: message.into(),
        }
    }

    pub fn in_file(path: Arc<str>, span: Range<usize>, message: impl Into<String>) -> Label {
        Label {
            path: Some(path),
            span,
            message: message.into(),
        }
    }
}

/// One replacement of a byte range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// A suggested fix: a description and non-overlapping edits in the diagnostic's own file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
}

/// What a check reports, before the engine attaches the rule's identity.
///
/// `args` fill the placeholders of the rule's `message` template (`{match}`, `{expected}`...);
/// each check kind declares which placeholders it provides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finding {
    pub span: Range<usize>,
    pub args: Vec<(&'static str, String)>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(span: Range<usize>) -> Finding {
        Finding {
            span,
            ..Finding::default()
        }
    }

    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Finding {
        self.args.push((name, value.into()));
        self
    }

    #[must_use]
    pub fn label(mut self, label: Label) -> Finding {
        self.labels.push(label);
        self
    }

    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Finding {
        self.notes.push(note.into());
        self
    }

    #[must_use]
    pub fn fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }
}

/// A finding attached to its rule and file: what emitters print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Arc<str>,
    pub check: &'static str,
    pub severity: Severity,
    pub message: String,
    pub path: Arc<str>,
    pub span: Range<usize>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// The order diagnostics are printed in: path, span start, rule id, then the rest so that
    /// the order is total and never depends on thread scheduling.
    pub fn sort_key(&self) -> (&str, usize, &str, usize, &str) {
        (
            &self.path,
            self.span.start,
            &self.rule,
            self.span.end,
            &self.message,
        )
    }
}

/// Sorts diagnostics into their one canonical order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}
