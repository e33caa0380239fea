//! Every kind of mistake in a rule file or `copydesk.toml`, rendered as users see it: a
//! compiler-style report pointing into the TOML, with "did you mean" and the valid values.
//! Each case is a folder under `tests/config-errors/` (rule files in `rules/`, an optional
//! `copydesk.toml`); its rendering is pinned by a snapshot.

use std::path::Path;

use codespan_reporting::term::termcolor::NoColor;
use copydesk::rules::{LoadOptions, RuleSet};

fn render_case(case: &str) -> String {
    render_case_with(case, false)
}

fn render_case_with(case: &str, serial: bool) -> String {
    let root = Path::new("tests/config-errors").join(case);
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(&root).is_dir(),
        "no case {case}"
    );
    let config = root.join("copydesk.toml");
    let has_config = config.is_file();
    let rules = root.join("rules");
    let mut extra: Vec<_> = [rules].into_iter().filter(|p| p.is_dir()).collect();
    if case == "duplicate-id" {
        extra.push(root.join("rules/more"));
    }
    let options = LoadOptions {
        // Config cases override built-in rules; rule-file cases stand alone.
        no_builtin: !has_config,
        extra,
        config: has_config.then_some(config),
        discover_from: None,
        serial,
    };
    match RuleSet::load(&options) {
        Ok(_) => panic!("case {case} loaded without errors"),
        Err(errors) => {
            let mut out = NoColor::new(Vec::new());
            errors.render(&mut out).unwrap();
            String::from_utf8(out.into_inner()).unwrap()
        }
    }
}

macro_rules! case {
    ($name:ident, $dir:literal) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(render_case($dir));
        }
    };
}

case!(unknown_key, "unknown-key");
case!(wrong_type, "wrong-type");
case!(unknown_check_kind, "unknown-check-kind");
case!(bad_regex, "bad-regex");
case!(unknown_placeholder, "unknown-placeholder");
case!(bad_severity, "bad-severity");
case!(invalid_toml, "invalid-toml");
case!(missing_keys, "missing-keys");
case!(duplicate_id, "duplicate-id");
case!(config_mistakes, "config-mistakes");
case!(config_bad_override_regex, "config-bad-override-regex");
case!(bad_repetition, "bad-repetition");

#[test]
fn every_case_folder_has_a_test() {
    let source = include_str!("config_errors.rs");
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/config-errors"))
            .unwrap()
    {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            source.contains(&format!("\"{name}\"")),
            "tests/config-errors/{name} has no case! line"
        );
    }
}

/// Rules compile on two threads unless `--jobs 1`: every case reports the same mistakes in the
/// same order either way.
#[test]
fn serial_and_two_thread_compiles_report_alike() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/config-errors");
    let mut cases: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "{cases:?}");
    for case in &cases {
        assert_eq!(
            render_case_with(case, true),
            render_case_with(case, false),
            "{case}"
        );
    }
}
