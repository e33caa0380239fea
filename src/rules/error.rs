//! Mistakes in rule files and `copydesk.toml`, reported like compiler errors that point into the
//! TOML source. All mistakes are collected before any is shown.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config, termcolor::WriteColor};

/// The TOML sources read while loading rules: rule files (embedded or on disk) and the config.
#[derive(Default, Debug)]
pub struct TomlFiles {
    files: Vec<(String, &'static str)>,
}

/// An index into `TomlFiles`.
pub type FileId = usize;

impl TomlFiles {
    pub fn add(&mut self, name: impl Into<String>, text: &'static str) -> FileId {
        self.files.push((name.into(), text));
        self.files.len() - 1
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.files[id].0
    }

    pub fn text(&self, id: FileId) -> &'static str {
        self.files[id].1
    }
}

/// One mistake: where it is, what is wrong, and what to do. Errors are few and rare, so their
/// size does not matter (hence `result_large_err` is allowed where they are returned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: Option<FileId>,
    pub span: Range<usize>,
    pub message: String,
    pub label: String,
    /// Other places that explain the mistake (the first definition of a duplicate id).
    pub secondary: Vec<(FileId, Range<usize>, String)>,
    pub notes: Vec<String>,
}

impl ConfigError {
    pub fn new(file: FileId, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: Some(file),
            span,
            message: message.into(),
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A mistake that has no place in a file (a rule id on the command line).
    pub fn unplaced(message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: None,
            span: 0..0,
            message: message.into(),
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> ConfigError {
        self.label = label.into();
        self
    }

    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> ConfigError {
        self.notes.push(note.into());
        self
    }

    #[must_use]
    pub fn secondary(mut self, file: FileId, span: Range<usize>, msg: impl Into<String>) -> Self {
        self.secondary.push((file, span, msg.into()));
        self
    }
}

/// All the mistakes found, with the sources they point into.
#[derive(Debug)]
pub struct ConfigErrors {
    pub files: TomlFiles,
    pub errors: Vec<ConfigError>,
}

impl ConfigErrors {
    /// Renders every mistake as a compiler-style report.
    pub fn render(&self, out: &mut dyn WriteColor) -> std::io::Result<()> {
        let mut files = SimpleFiles::new();
        for (name, text) in &self.files.files {
            files.add(name.as_str(), *text);
        }
        let config = Config::default();
        for error in &self.errors {
            let mut diag = CsDiagnostic::error().with_message(&error.message);
            if let Some(file) = error.file {
                let span = clamp(self.files.text(file), error.span.clone());
                let mut labels = vec![CsLabel::primary(file, span).with_message(&error.label)];
                for (f, s, m) in &error.secondary {
                    labels.push(
                        CsLabel::secondary(*f, clamp(self.files.text(*f), s.clone()))
                            .with_message(m),
                    );
                }
                diag = diag.with_labels(labels);
            }
            diag = diag.with_notes(error.notes.clone());
            term::emit_to_write_style(out, &config, &files, &diag)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        let n = self.errors.len();
        writeln!(
            out,
            "error: could not load rules: {n} mistake{} in rule or config files",
            if n == 1 { "" } else { "s" }
        )
    }
}

fn clamp(text: &str, span: Range<usize>) -> Range<usize> {
    let end = span.end.min(text.len());
    span.start.min(end)..end
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 4) && d < c.len())
        .min()
        .map(|(_, c)| c)
}
