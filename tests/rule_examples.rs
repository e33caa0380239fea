//! Every rule file's `[[examples]]` run through the real engine, and meta-tests that keep the
//! rule set honest: every rule documented, exampled both ways, and its message in house style.

use std::sync::Arc;

use copydesk::engine::{LintOptions, Selection, lint_texts};
use copydesk::rules::{ExpectedFinding, RuleSet};

fn builtin() -> RuleSet {
    match RuleSet::builtin() {
        Ok(r) => r,
        Err(e) => {
            let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
            e.render(&mut out).unwrap();
            panic!(
                "built-in rules do not load:\n{}",
                String::from_utf8_lossy(&out.into_inner())
            );
        }
    }
}

#[test]
fn every_example_holds() {
    let rules = builtin();
    let mut failures = Vec::new();
    for rule in &rules.rules {
        for (i, example) in rule.examples.iter().enumerate() {
            let docs: Vec<(Arc<str>, String)> = example
                .documents()
                .into_iter()
                .map(|d| (Arc::from(d.path.as_str()), d.text))
                .collect();
            let options = LintOptions {
                jobs: Some(1),
                selection: Selection {
                    select: vec![rule.id.to_string()],
                    ignore: Vec::new(),
                },
                timings: false,
            };
            let outcome = lint_texts(&rules, &docs, &options);
            let got: Vec<ExpectedFinding> = outcome
                .diagnostics
                .iter()
                .map(|d| {
                    let text = docs
                        .iter()
                        .find(|(p, _)| *p == d.path)
                        .map_or("", |(_, t)| &t[d.span.clone()]);
                    if example.documents.is_empty() {
                        ExpectedFinding::Text(text.to_string())
                    } else {
                        ExpectedFinding::InFile {
                            path: d.path.to_string(),
                            text: text.to_string(),
                        }
                    }
                })
                .collect();
            if got != example.findings {
                failures.push(format!(
                    "{} example {}: expected {:?}\n  got {:?}\n  messages: {:?}",
                    rule.id,
                    i + 1,
                    example.findings,
                    got,
                    outcome
                        .diagnostics
                        .iter()
                        .map(|d| &d.message)
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_is_documented_and_exampled_both_ways() {
    let rules = builtin();
    for rule in &rules.rules {
        assert!(
            !rule.description.trim().is_empty(),
            "{} has no description",
            rule.id
        );
        assert!(
            rule.examples.iter().any(|e| !e.findings.is_empty()),
            "{} has no example that fires",
            rule.id
        );
        assert!(
            rule.examples.iter().any(|e| e.findings.is_empty()),
            "{} has no example that must not fire (a guard)",
            rule.id
        );
    }
}

/// Messages follow rustc style: lower-case start, no trailing full stop, one line.
fn house_style(message: &str) -> Result<(), String> {
    let first = message.chars().next().ok_or("empty message")?;
    if first.is_uppercase() && !message.starts_with('{') {
        // An acronym or proper noun may start a message ("ISIS ..."): allow words in all caps.
        let word: String = message
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        if word.chars().count() < 2 || word.chars().any(char::is_lowercase) {
            return Err(format!("starts with a capital: {message:?}"));
        }
    }
    if message.ends_with('.') {
        return Err(format!("ends with a full stop: {message:?}"));
    }
    if message.contains('\n') {
        return Err(format!("spans several lines: {message:?}"));
    }
    Ok(())
}

#[test]
fn messages_are_in_house_style() {
    let rules = builtin();
    for rule in &rules.rules {
        let rendered = rule.message.render(&[]);
        if let Err(e) = house_style(&rendered) {
            panic!("rule {}: {e}", rule.id);
        }
    }
}

#[test]
fn house_style_test_can_fail() {
    assert!(house_style("Doubled word").is_err());
    assert!(house_style("doubled word.").is_err());
    assert!(house_style("two\nlines").is_err());
    assert!(house_style("ISIS is spelled two ways").is_ok());
}
