//! What every accuracy module shares: linting in-memory texts through the real engine with the
//! built-in rules (as shipped in `rules/`), and a verbose switch.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use copydesk::diagnostic::Diagnostic;
use copydesk::engine::{LintOptions, Selection, lint_texts};
use copydesk::rules::RuleSet;

static VERBOSE: AtomicBool = AtomicBool::new(false);

pub fn set_verbose() {
    VERBOSE.store(true, Ordering::Relaxed);
}

pub fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| RuleSet::builtin().unwrap_or_else(|_| panic!("built-in rules load")))
}

/// Lints `docs` (display path, text) with only the rules `select`ed, in parallel.
pub fn lint(docs: &[(Arc<str>, String)], select: &[&str]) -> Vec<Diagnostic> {
    let options = LintOptions {
        jobs: None,
        selection: Selection {
            select: select.iter().map(|s| (*s).to_string()).collect(),
            ignore: Vec::new(),
        },
        timings: false,
    };
    lint_texts(rules(), docs, &options).diagnostics
}

/// Lints one text.
pub fn lint_one(path: &str, text: &str, select: &[&str]) -> Vec<Diagnostic> {
    lint(&[(Arc::from(path), text.to_string())], select)
}
