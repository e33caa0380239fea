//! Golden tests of what users see: every fixture under `tests/fixtures/<rule or kind>/` is linted
//! with all built-in rules and its rendered human output is pinned by an insta snapshot.
//!
//! A fixture named `fires-*` must give at least one finding of its folder's rule or kind; one named
//! `guard-*` must give none (the false-positive guards). A folder fixture is a corpus of several
//! files. The seed document has its own snapshot.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use codespan_reporting::term::termcolor::NoColor;
use copydesk::emit::{OutputFormat, Report, emit};
use copydesk::engine::{LintOptions, lint_texts};
use copydesk::rules::RuleSet;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Documents as (display path, text).
type Docs = Vec<(Arc<str>, String)>;

/// (group, case, documents), sorted.
fn fixtures() -> Vec<(String, String, Docs)> {
    let mut out = Vec::new();
    let mut groups: Vec<_> = std::fs::read_dir(fixtures_root())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    groups.sort();
    for group_dir in groups.into_iter().filter(|p| p.is_dir()) {
        let group = group_dir.file_name().unwrap().to_string_lossy().to_string();
        let mut cases: Vec<_> = std::fs::read_dir(&group_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        cases.sort();
        for case in cases {
            let name = case.file_stem().unwrap().to_string_lossy().to_string();
            let files: Vec<PathBuf> = if case.is_dir() {
                let mut f: Vec<_> = std::fs::read_dir(&case)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path())
                    .collect();
                f.sort();
                f
            } else {
                vec![case.clone()]
            };
            let docs = files
                .iter()
                .map(|f| {
                    let rel = f
                        .strip_prefix(fixtures_root())
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    (Arc::from(rel.as_str()), std::fs::read_to_string(f).unwrap())
                })
                .collect();
            out.push((group.clone(), name, docs));
        }
    }
    out
}

fn render(
    rules: &RuleSet,
    docs: &[(Arc<str>, String)],
    format: OutputFormat,
) -> (String, Vec<(String, String)>) {
    let outcome = lint_texts(
        rules,
        docs,
        &LintOptions {
            jobs: Some(1),
            ..LintOptions::default()
        },
    );
    let mut out = NoColor::new(Vec::new());
    emit(
        format,
        &Report {
            outcome: &outcome,
            rules,
        },
        &mut out,
    )
    .unwrap();
    let fired = outcome
        .diagnostics
        .iter()
        .map(|d| (d.rule.to_string(), d.check.to_string()))
        .collect();
    (String::from_utf8(out.into_inner()).unwrap(), fired)
}

#[test]
fn fixtures_render_as_pinned() {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let mut problems = Vec::new();
    for (group, case, docs) in fixtures() {
        let (output, fired) = render(&rules, &docs, OutputFormat::Human);
        let of_group = fired
            .iter()
            .filter(|(rule, check)| *rule == group || *check == group)
            .count();
        if case.starts_with("fires-") && of_group == 0 {
            problems.push(format!(
                "{group}/{case}: expected a finding of `{group}`, got none"
            ));
        }
        if case.starts_with("guard-") && of_group > 0 {
            problems.push(format!(
                "{group}/{case}: a guard fixture gave {of_group} finding(s) of `{group}`"
            ));
        }
        if !case.starts_with("fires-") && !case.starts_with("guard-") {
            problems.push(format!(
                "{group}/{case}: fixture names start with `fires-` or `guard-`"
            ));
        }
        insta::assert_snapshot!(format!("{group}__{case}"), output);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn seed_renders_as_pinned() {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let path = "seeds/000_9b82e2ada17d45fb.txt";
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let (output, _) = render(&rules, &[(Arc::from(path), text)], OutputFormat::Human);
    insta::assert_snapshot!("seed", output);
}

/// No snapshot outlives its fixture (clippy's missing-test-files idea, ruff's unreferenced check).
#[test]
fn no_orphan_snapshots() {
    let mut expected: Vec<String> = fixtures()
        .into_iter()
        .map(|(g, c, _)| format!("golden__{g}__{c}.snap"))
        .collect();
    expected.push("golden__seed.snap".into());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with("golden__")
            && Path::new(&name).extension().is_some_and(|e| e == "snap")
            && !expected.contains(&name)
        {
            orphans.push(name);
        }
    }
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture: {orphans:?}"
    );
}
