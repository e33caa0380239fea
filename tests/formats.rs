//! One snapshot per output format on the same input, and the JSON wire format decoded into a
//! test-side struct so that its field names and types are pinned (ripgrep's `tests/json.rs`).

use std::sync::Arc;

use codespan_reporting::term::termcolor::NoColor;
use copydesk::emit::{OutputFormat, Report, emit};
use copydesk::engine::{LintOptions, lint_texts};
use copydesk::rules::RuleSet;
use serde::Deserialize;

const BODY: &str = "The council voted on Tuesday to close the library on Elm Street after a review found \
    the building unsafe. Officials said the collection would move to the town hall while repairs \
    were planned, and that no staff would lose their jobs. Residents said they would appeal.";

fn corpus() -> Vec<(Arc<str>, String)> {
    vec![
        (Arc::from("news/a.txt"), format!("Council closes library\n\n{BODY}\n")),
        (Arc::from("news/b b,c.txt"), format!("Library to close\r\n\r\n{BODY}\r\n")),
        (
            Arc::from("news/d.txt"),
            "Threat grows\n\nA first paragraph.\n\nIt was an “ideological” threat.With the the end in sight.\n".to_string(),
        ),
    ]
}

fn render(format: OutputFormat) -> String {
    let rules = RuleSet::builtin().unwrap();
    let outcome = lint_texts(
        &rules,
        &corpus(),
        &LintOptions {
            jobs: Some(2),
            ..LintOptions::default()
        },
    );
    let mut out = NoColor::new(Vec::new());
    emit(
        format,
        &Report {
            outcome: &outcome,
            rules: &rules,
        },
        &mut out,
    )
    .unwrap();
    String::from_utf8(out.into_inner()).unwrap()
}

#[test]
fn human() {
    insta::assert_snapshot!(render(OutputFormat::Human));
}

#[test]
fn concise() {
    insta::assert_snapshot!(render(OutputFormat::Concise));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(OutputFormat::Json));
}

#[test]
fn jsonl() {
    insta::assert_snapshot!(render(OutputFormat::Jsonl));
}

#[test]
fn sarif() {
    insta::assert_snapshot!(render(OutputFormat::Sarif));
}

#[test]
fn github() {
    insta::assert_snapshot!(render(OutputFormat::Github));
}

// The wire format, as a consumer would decode it. Unknown fields are rejected so that a renamed
// or added field shows up here first.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Report1 {
    version: u32,
    diagnostics: Vec<Diag>,
    summary: Summary,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Diag {
    rule: String,
    check: String,
    severity: String,
    message: String,
    path: String,
    span: Span,
    labels: Vec<LabelOut>,
    notes: Vec<String>,
    #[serde(default)]
    fix: Option<FixOut>,
}

#[derive(Deserialize, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Span {
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct LabelOut {
    path: String,
    span: Span,
    message: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct FixOut {
    description: String,
    edits: Vec<EditOut>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct EditOut {
    start: usize,
    end: usize,
    replacement: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Summary {
    files: usize,
    documents: usize,
    skipped: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[test]
fn json_wire_format_decodes_and_points_at_the_right_text() {
    let report: Report1 = serde_json::from_str(&render(OutputFormat::Json)).unwrap();
    assert_eq!(report.version, 1);
    assert_eq!(report.summary.files, 3);
    assert_eq!(report.summary.documents, 3);
    assert_eq!(report.summary.skipped, 0);
    assert_eq!(
        report.summary.errors + report.summary.warnings + report.summary.infos,
        report.diagnostics.len()
    );
    let corpus = corpus();
    for d in &report.diagnostics {
        let text = &corpus.iter().find(|(p, _)| **p == *d.path).unwrap().1;
        assert!(
            d.span.start < d.span.end && d.span.end <= text.len(),
            "{d:?}"
        );
        // line/column agree with the byte offsets (columns in characters, 1-based).
        let before = &text[..d.span.start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
        assert_eq!((d.span.line, d.span.column), (line, column), "{d:?}");
        assert!(["error", "warning", "info"].contains(&d.severity.as_str()));
        assert!(!d.rule.is_empty() && !d.check.is_empty() && !d.message.is_empty());
        for l in &d.labels {
            let ltext = &corpus
                .iter()
                .find(|(p, _)| **p == *l.path)
                .expect("label file")
                .1;
            assert!(
                l.span.start <= l.span.end && l.span.end <= ltext.len(),
                "{l:?}"
            );
            assert!(!l.message.is_empty());
        }
        assert!(d.notes.iter().all(|n| !n.is_empty()));
        if let Some(fix) = &d.fix {
            assert!(!fix.description.is_empty());
            for e in &fix.edits {
                assert!(e.start <= e.end && e.end <= text.len(), "{}", e.replacement);
            }
        }
    }
    let doubled = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "doubled-word")
        .unwrap();
    let d = &corpus[2].1;
    assert_eq!(&d[doubled.span.start..doubled.span.end], "the the");
    // The curly quotes before it are one character (three bytes) each: column 37, not 41.
    assert_eq!(
        (
            doubled.span.line,
            doubled.span.column,
            doubled.span.end_column
        ),
        (5, 37, 44)
    );
    let dup = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "duplicate-document")
        .unwrap();
    assert_eq!(dup.path, "news/b b,c.txt");
    assert_eq!(dup.labels[0].path, "news/a.txt");
}
