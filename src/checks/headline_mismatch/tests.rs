//! Tests of headline-mismatch: the rule files' examples, the seed, each false-positive guard (with
//! the guard switched off where that is possible, to show it is what keeps the finding away), the
//! fixtures, and inputs that must not panic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::checks::DirLexicons;

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

/// A rule file: its kind parameters and its examples.
struct RuleFile {
    id: String,
    params: Params,
    examples: Vec<(String, Vec<String>)>,
}

fn rule_files() -> Vec<RuleFile> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(rules_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let mut table: toml::Table =
            toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if table.get("check").and_then(|c| c.as_str()) != Some(HeadlineMismatchKind::NAME) {
            continue;
        }
        let examples = table
            .remove("examples")
            .and_then(|e| e.as_array().cloned())
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                let text = e["text"].as_str().unwrap().to_string();
                let findings = e["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect();
                (text, findings)
            })
            .collect();
        for key in ["check", "severity", "message", "description"] {
            table.remove(key);
        }
        let params: Params = toml::Value::Table(table).try_into().unwrap();
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.push(RuleFile {
            id,
            params,
            examples,
        });
    }
    out
}

fn build(params: Params) -> HeadlineMismatch {
    HeadlineMismatch::build(params, &DirLexicons(rules_dir())).unwrap()
}

fn doc(text: &str) -> Document {
    Document::parse(Arc::from("a.txt"), text.to_string())
}

fn run(check: &HeadlineMismatch, text: &str) -> (Document, Vec<Finding>) {
    let d = doc(text);
    let mut out = Vec::new();
    check.check(&d, &mut out);
    (d, out)
}

fn mismatch() -> HeadlineMismatch {
    build(Params::default())
}

fn disagreement() -> HeadlineMismatch {
    build(Params {
        mode: Mode::Disagreement,
        ..Params::default()
    })
}

/// Serves the rules directory, with one lexicon replaced.
struct Replacing {
    path: &'static str,
    text: &'static str,
}

impl LexiconSource for Replacing {
    fn lexicon(&self, path: &str) -> Option<std::sync::Arc<str>> {
        if path == self.path {
            Some(Arc::from(self.text))
        } else {
            DirLexicons(rules_dir()).lexicon(path)
        }
    }
}

const WRONG_BODY: &str = "Floods swept through the coastal province on Tuesday, forcing thousands of families from their homes as rivers burst their banks after a week of heavy rain. Rescue teams in boats reached villages cut off by the water, and the regional governor said emergency shelters had been opened in schools and sports halls.";

#[test]
fn rule_file_examples_hold() {
    let files = rule_files();
    assert_eq!(files.len(), 2, "both headline-mismatch rules are found");
    for file in files {
        assert!(!file.examples.is_empty(), "{} has examples", file.id);
        let check = build(file.params);
        for (text, expected) in &file.examples {
            let (d, found) = run(&check, text);
            let got: Vec<&str> = found.iter().map(|f| d.slice(&f.span)).collect();
            assert_eq!(got, *expected, "rule {} example:\n{text}", file.id);
        }
    }
}

#[test]
fn seed_headline_is_an_error_with_its_evidence() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/000_9b82e2ada17d45fb.txt"),
    )
    .unwrap();
    let (d, found) = run(&mismatch(), &text);
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(
        d.slice(&f.span),
        "The Russian Military’s People Problem\nIt’s Hard for Moscow to Win While Mistreating Its Soldiers"
    );
    let notes = f.notes.join("\n");
    assert!(
        notes.contains("Russian") && notes.contains("Moscow"),
        "{notes}"
    );
    assert!(
        notes.contains("the body is about Pakistan, ISIS"),
        "{notes}"
    );
    assert!(
        notes.contains("key terms of the headline and subtitle"),
        "{notes}"
    );
    assert_eq!(f.labels.len(), 1, "the lead is labelled");
    // Both lines miss the body, so the disagreement rule stays quiet.
    assert!(run(&disagreement(), &text).1.is_empty());
}

#[test]
fn naive_overlap_is_not_enough_to_clear_the_seed() {
    // "military" and "people" occur in the seed's body: coverage is low, not zero.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/000_9b82e2ada17d45fb.txt"),
    )
    .unwrap();
    let a = mismatch().assess(&doc(&text)).unwrap();
    assert!(a.headline.hits >= 2, "military and people are found");
    assert!(a.combined.coverage <= 0.4);
}

#[test]
fn guard_alias_table_links_moscow_to_russian() {
    let text = format!(
        "Moscow Plans New Grain Export Curbs\n\nRussian officials told farmers about {WRONG_BODY}"
    );
    // Without the alias table the headline's weightiest term, "Moscow", is unsupported...
    let no_aliases = Replacing {
        path: "lexicons/headline-aliases.toml",
        text: "group = []",
    };
    let plain = HeadlineMismatch::build(Params::default(), &no_aliases).unwrap();
    let a_plain = plain.assess(&doc(&text)).unwrap();
    let a = mismatch().assess(&doc(&text)).unwrap();
    assert!(
        a.combined.coverage > a_plain.combined.coverage,
        "the alias adds support"
    );
    // ...and with it the headline has support for its key name.
    assert!(a.combined.hits > a_plain.combined.hits);
}

#[test]
fn guard_alias_islamic_state_fixture_needs_the_table() {
    let text = fixture("guard-alias-islamic-state.txt");
    assert!(run(&mismatch(), &text).1.is_empty());
    let no_aliases = Replacing {
        path: "lexicons/headline-aliases.toml",
        text: "group = []",
    };
    let plain = HeadlineMismatch::build(Params::default(), &no_aliases).unwrap();
    let a_plain = plain.assess(&doc(&text)).unwrap();
    let a = mismatch().assess(&doc(&text)).unwrap();
    assert!(a.combined.coverage > a_plain.combined.coverage);
}

#[test]
fn guard_short_body() {
    let text = "Minister resigns over expenses row\n\nMore details to follow.\n";
    assert!(run(&mismatch(), text).1.is_empty());
    let eager = build(Params {
        min_body_terms: 0,
        ..Params::default()
    });
    assert_eq!(
        run(&eager, text).1.len(),
        1,
        "only the size guard keeps this quiet"
    );
}

#[test]
fn guard_few_headline_terms() {
    let text = format!("Going, going\n\n{WRONG_BODY}");
    assert!(run(&mismatch(), &text).1.is_empty());
}

#[test]
fn guard_generic_headline_is_skipped_or_stripped() {
    let check = mismatch();
    let text = format!("Live updates\n\n{WRONG_BODY}");
    assert!(
        check.assess(&doc(&text)).is_none(),
        "a standing head is not judged"
    );
    let text = "Analysis: Chancellor unveils tax cuts for small firms\n\nbody";
    let d = doc(text);
    let span = check
        .judged_headline(&d.text, d.headline.clone().unwrap())
        .unwrap();
    assert_eq!(
        d.slice(&span),
        "Chancellor unveils tax cuts for small firms"
    );
    // The stripped headline is still judged.
    let text = format!("Analysis: Chancellor unveils tax relief for small firms\n\n{WRONG_BODY}");
    let (d, found) = run(&check, &text);
    assert_eq!(
        found.iter().map(|f| d.slice(&f.span)).collect::<Vec<_>>(),
        vec!["Chancellor unveils tax relief for small firms"]
    );
}

#[test]
fn guard_non_english_body() {
    let text = fixture("guard-foreign-language-body.txt");
    assert!(run(&mismatch(), &text).1.is_empty());
    let eager = build(Params {
        min_stop_share: 0.0,
        ..Params::default()
    });
    assert_eq!(
        run(&eager, &text).1.len(),
        1,
        "only the language guard keeps this quiet"
    );
}

#[test]
fn all_caps_wire_headline_matches_its_body() {
    let text = fixture("guard-all-caps-wire-headline.txt");
    let a = mismatch().assess(&doc(&text)).unwrap();
    assert!(a.combined.coverage > 0.8, "{}", a.combined.coverage);
    assert!(run(&mismatch(), &text).1.is_empty());
}

#[test]
fn subtitle_disagreement_is_a_warning_on_the_wrong_line() {
    let text = fixture("fires-subtitle-disagreement.txt");
    let (d, found) = run(&disagreement(), &text);
    assert_eq!(found.len(), 1);
    assert_eq!(
        d.slice(&found[0].span),
        "Central Bank Raises Interest Rates to Curb Inflation"
    );
    assert_eq!(
        d.slice(&found[0].labels[0].span),
        "Wildfires Force Evacuation of Hillside Towns"
    );
    assert!(found[0].args.contains(&("line", "headline".to_string())));
    // The mismatch rule does not report it: one line fits.
    assert!(run(&mismatch(), &text).1.is_empty());
}

#[test]
fn findings_name_missing_terms_and_topics() {
    let text = fixture("fires-headline-over-wrong-body.txt");
    let (d, found) = run(&mismatch(), &text);
    assert_eq!(found.len(), 1);
    assert_eq!(
        d.slice(&found[0].span),
        "Chancellor unveils tax cuts for small businesses"
    );
    assert!(found[0].notes[0].starts_with("the body never uses these key terms of the headline: "));
    assert!(found[0].notes[1].starts_with("the body is about "));
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/headline-mismatch")
            .join(name),
    )
    .unwrap()
}

#[test]
fn fixtures_fire_or_stay_quiet_by_name() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/headline-mismatch");
    let checks = [mismatch(), disagreement()];
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let found: usize = checks.iter().map(|c| run(c, &text).1.len()).sum();
        if name.starts_with("guard-") {
            assert_eq!(found, 0, "{name} must give no finding");
        } else {
            assert!(
                name.starts_with("fires-"),
                "{name}: fixtures are guard-* or fires-*"
            );
            assert!(found > 0, "{name} must give a finding");
        }
        seen += 1;
    }
    assert!(seen >= 8);
}

#[test]
fn odd_inputs_do_not_panic() {
    let long = "word ".repeat(100_000);
    let inputs = [
        String::new(),
        "\u{feff}".to_string(),
        "Only a headline".to_string(),
        "\n\n\n".to_string(),
        "Ünïcödé Hëadline Wïth Àccents\n\n— « » ’’ ‐‐ '' --- ‐x x‐ 's ’s".to_string(),
        format!("Headline of words here\n\n{long}"),
        "Ελληνικά νέα σήμερα εδώ\n\nΤο κείμενο είναι ελληνικά και δεν έχει αγγλικές λέξεις καθόλου.".to_string(),
        "U.S. U.S. US us UN un-American ISIS-K\n\nThe U.S. and the UN.".to_string(),
    ];
    for text in inputs {
        for c in [mismatch(), disagreement()] {
            let _ = run(&c, &text);
        }
    }
}

#[test]
fn bad_lexicons_are_param_errors() {
    let bad = Replacing {
        path: "lexicons/headline-background.txt",
        text: "russian many\n",
    };
    let Err(errors) = HeadlineMismatch::build(Params::default(), &bad) else {
        panic!("must fail")
    };
    assert!(errors[0].message.contains("headline-background"));
    let missing = Params {
        stop_words: "lexicons/nope.toml".into(),
        ..Params::default()
    };
    assert!(HeadlineMismatch::build(missing, &DirLexicons(rules_dir())).is_err());
    let range = Params {
        max_cosine: 2.0,
        ..Params::default()
    };
    assert!(HeadlineMismatch::build(range, &DirLexicons(rules_dir())).is_err());
}

#[test]
fn guard_subtitle_after_blank_line_is_not_reported() {
    let body = "Firefighters battled wildfires across the dry hillsides north of the city on Thursday as strong winds pushed the flames towards several towns, forcing thousands of residents to leave their homes. Evacuation centres opened in school gymnasiums, and officials said more than 40 houses had been destroyed by the wildfires.";
    let adjacent = format!(
        "Wildfires Force Evacuation of Hillside Towns\nCentral Bank Raises Interest Rates Again\n\n{body}"
    );
    let (d, found) = run(&disagreement(), &adjacent);
    assert_eq!(
        found.iter().map(|f| d.slice(&f.span)).collect::<Vec<_>>(),
        vec!["Central Bank Raises Interest Rates Again"]
    );
    // After a blank line the "subtitle" may be the body's first short paragraph.
    let apart = format!(
        "Wildfires Force Evacuation of Hillside Towns\n\nCentral Bank Raises Interest Rates Again\n\n{body}"
    );
    assert!(run(&disagreement(), &apart).1.is_empty());
}

#[test]
fn guard_quote_line_fixture_is_read_as_a_subtitle_but_not_blamed() {
    let text = fixture("guard-quote-line-after-headline.txt");
    let d = doc(&text);
    assert!(
        d.subtitle.is_some(),
        "the document model reads the quote as a dek"
    );
    assert!(run(&disagreement(), &text).1.is_empty());
    // Right under the headline, the same line would be blamed.
    let adjacent = text.replacen("\n\n", "\n", 1);
    assert_eq!(run(&disagreement(), &adjacent).1.len(), 1);
}

#[test]
fn guard_headline_tied_to_its_subtitle_is_judged_with_it() {
    // The headline alone misses the body, but it shares "wildfire" with a subtitle that partly
    // fits: the pair is judged together, and together it does not miss.
    let body = "Firefighters battled flames across the dry hillsides north of the city on Thursday as strong winds pushed the fire towards several towns, forcing thousands of residents to leave their homes. Evacuation centres opened in school gymnasiums, and officials said more than 40 houses had been destroyed.";
    let text = format!(
        "Wildfire Season Strains State Budget\nWildfire Crews Battle Flames Near Towns\n\n{body}"
    );
    let a = mismatch().assess(&doc(&text)).unwrap();
    assert!(a.lines_share_term);
    let check = mismatch();
    assert!(
        check.misses(&a.headline),
        "the headline alone misses the body"
    );
    assert!(
        !check.fits(&a.subtitle.as_ref().unwrap().1),
        "the subtitle does not vouch for it"
    );
    assert!(run(&check, &text).1.is_empty());
}

#[test]
fn evidence_counts_rare_hits_the_lead_and_word_pairs() {
    let check = mismatch();
    let filler = "Officials said the work would take several months to finish. Residents were told to expect delays on the roads, and the council promised updates on its website every week. Engineers have already inspected the site twice this year.";
    // "Interest rates" in the lead, as a pair.
    let lead = format!(
        "Lenders Raise Interest Rates Again\n\nThe biggest lenders raised interest rates on Monday. {filler}"
    );
    // The same words late in the body, apart.
    let late = format!(
        "Lenders Raise Interest Rates Again\n\n{filler} Rates rose, and lenders blamed weaker interest from savers."
    );
    let a_lead = check.assess(&doc(&lead)).unwrap().headline;
    let a_late = check.assess(&doc(&late)).unwrap().headline;
    assert!(
        a_lead.bigram_hits >= 1,
        "\"interest rates\" is repeated as a pair"
    );
    assert_eq!(a_late.bigram_hits, 0);
    assert!(a_lead.evidence > a_late.evidence + check.params.pair_bonus);
    // Without any hit, each term costs `miss-penalty`.
    let none = format!("Lenders Raise Interest Rates Again\n\n{WRONG_BODY}");
    let a = check.assess(&doc(&none)).unwrap().headline;
    assert_eq!(a.hits, 0);
    assert!((a.evidence + check.params.miss_penalty * a.terms as f64).abs() < 1e-9);
    assert!(check.misses(&a));
}

#[test]
fn guard_headline_naming_the_story_in_the_lead_is_not_a_miss() {
    // Paraphrased headline: most words differ from the body, but its rare name opens the story.
    let text = fixture("guard-paraphrase-name-in-lead.txt");
    let check = mismatch();
    let a = check.assess(&doc(&text)).unwrap();
    assert!(
        a.headline.evidence > check.params.max_evidence,
        "{}",
        a.headline.evidence
    );
    assert!(run(&check, &text).1.is_empty());
    // Without the evidence score (cosine and coverage only, as before) it would be judged on
    // its overlap alone.
    let no_lead = build(Params {
        lead_bonus: 0.0,
        ..Params::default()
    });
    let b = no_lead.assess(&doc(&text)).unwrap();
    assert!(b.headline.evidence < a.headline.evidence);
}
