//! Tests of `unresolved-caption`: the seed, each cue, each guard, and the `[[examples]]` of every
//! rule file of this kind under `rules/`.

use std::path::PathBuf;
use std::sync::Arc;

use super::*;
use crate::checks::DirLexicons;

/// A line of ordinary prose, long enough to count as the text around a credit.
const PROSE: &str =
    "The storm made landfall near Galveston late on Friday with winds of 110 mph, officials said.";

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn check(mode: Mode, min_score: u32, max_score: u32) -> UnresolvedCaption {
    let params = Params {
        mode,
        min_score,
        max_score,
        ..Params::default()
    };
    UnresolvedCaption::with_params(params, &DirLexicons(rules_dir())).expect("lexicons compile")
}

fn run(check: &UnresolvedCaption, path: &str, text: &str) -> (Document, Vec<Finding>) {
    let doc = Document::parse(Arc::from(path), text.to_string());
    let mut out = Vec::new();
    check.check(&doc, &mut out);
    (doc, out)
}

fn texts(check: &UnresolvedCaption, text: &str) -> Vec<String> {
    let (doc, out) = run(check, "a.txt", text);
    out.iter().map(|f| doc.slice(&f.span).to_string()).collect()
}

/// Everything any rule of this kind reports (credit, caption >= 3, trailer).
fn all(text: &str) -> Vec<String> {
    let mut got = texts(&check(Mode::CreditLine, 4, 0), text);
    got.extend(texts(&check(Mode::Caption, 3, 0), text));
    got.extend(texts(&check(Mode::WireTrailer, 4, 0), text));
    got
}

#[test]
fn seed_gives_its_four_caption_and_credit_lines_and_nothing_else() {
    let text = std::fs::read_to_string("seeds/000_9b82e2ada17d45fb.txt").unwrap();
    let credits = texts(&check(Mode::CreditLine, 4, 0), &text);
    assert_eq!(credits, vec!["Caren Firouz / Reuters", "Reuters"]);
    let captions = texts(&check(Mode::Caption, 3, 0), &text);
    assert_eq!(captions.len(), 2);
    assert!(captions[0].starts_with("Lawyers say prayers for colleagues"));
    assert!(captions[1].starts_with("In this file image taken from a video recording"));
    // Both captions score on their own text, before the credit next to them is counted.
    let (doc, found) = run(&check(Mode::Caption, 3, 0), "seed.txt", &text);
    let scores: Vec<&str> = found
        .iter()
        .map(|f| {
            f.args
                .iter()
                .find(|(k, _)| *k == "score")
                .map_or("", |(_, v)| v.as_str())
        })
        .collect();
    assert_eq!(scores, vec!["6", "11"]);
    assert!(found.iter().all(|f| {
        f.labels
            .iter()
            .any(|l| doc.slice(&l.span).ends_with("Reuters"))
    }));
    assert!(texts(&check(Mode::WireTrailer, 4, 0), &text).is_empty());
}

#[test]
fn caption_finding_labels_its_credit_and_deletes_the_line() {
    let text = "Title of the piece\n\nBody line one.\nLawyers say prayers outside the Supreme Court in Islamabad, Pakistan August 9, 2016.\nCaren Firouz / Reuters\n";
    let (doc, out) = run(&check(Mode::Caption, 4, 0), "a.txt", text);
    assert_eq!(out.len(), 1);
    let f = &out[0];
    assert!(f.labels.iter().any(|l| doc.slice(&l.span) == "Caren Firouz / Reuters"
        && l.message.contains("credit")));
    let cues = &f.args.iter().find(|(k, _)| *k == "cues").unwrap().1;
    assert!(cues.contains("trailing full date") && cues.contains("credit line next to it"));
    let fix = f.fix.as_ref().unwrap();
    let edit = &fix.edits[0];
    assert_eq!(
        &text[edit.start..edit.end],
        "Lawyers say prayers outside the Supreme Court in Islamabad, Pakistan August 9, 2016.\n"
    );
}

#[test]
fn credit_finding_labels_its_caption_and_fix_takes_crlf() {
    let text = "Title of the piece\r\n\r\nIn this file photo, a soldier (C) walks in Kabul, Afghanistan, June 2, 2011.\r\nReuters\r\nMore text.";
    let (doc, out) = run(&check(Mode::CreditLine, 4, 0), "a.txt", text);
    assert_eq!(out.len(), 1);
    assert_eq!(doc.slice(&out[0].span), "Reuters");
    assert!(out[0].labels[0].message.contains("caption"));
    let edit = &out[0].fix.as_ref().unwrap().edits[0];
    assert_eq!(&text[edit.start..edit.end], "Reuters\r\n");
}

#[test]
fn last_line_without_terminator_is_deleted_alone() {
    let text = "Title of the piece\n\nBody.\nLawyers say prayers in Islamabad, Pakistan August 9, 2016.\nReuters";
    let (_, out) = run(&check(Mode::CreditLine, 4, 0), "a.txt", text);
    let edit = &out[0].fix.as_ref().unwrap().edits[0];
    assert_eq!(&text[edit.start..edit.end], "Reuters");
}

#[test]
fn credit_forms() {
    for line in [
        "Reuters",
        "The Associated Press",
        "Caren Firouz / Reuters",
        "Amr Nabil/Associated Press",
        "REUTERS/Caren Firouz",
        "(AP Photo/B.K. Bangash)",
        "AFP via Getty Images",
        "Spencer Platt via Getty Images",
        "Photo: Pavel Rahman",
        "Photograph: Sebastiao Moreira/EPA",
        "Image copyright Getty Images",
        "Kenneth Perez © Reuters",
        "AFP/Getty Images",
    ] {
        let text = format!("Title of the piece\n\n{PROSE}\n{line}\n{PROSE}\n");
        assert_eq!(
            texts(&check(Mode::CreditLine, 4, 0), &text),
            vec![line],
            "{line}"
        );
    }
}

#[test]
fn guard_datelines_are_not_credits() {
    for line in [
        "LONDON, March 3 (Reuters) - The Bank of England raised interest rates on Thursday.",
        "ISLAMABAD (AP) — Pakistani lawyers protested on Tuesday, August 9, 2016.",
        "By DOUG FERGUSON The Associated Press",
    ] {
        let text = format!("Title of the piece\n\n{line}\nMore body text.\n");
        assert!(all(&text).is_empty(), "{line}");
    }
}

#[test]
fn guard_agencies_inside_prose() {
    let text = "Title of the piece\n\nA spokesman told Reuters the talks had failed.\nAccording to AFP, 12 people died.\nReuters/Ipsos polling shows a tight race.\n";
    assert!(all(text).is_empty());
}

#[test]
fn guard_present_tense_quote() {
    let text = "Title of the piece\n\n“Lawyers say prayers for their colleagues every day,” he said on August 9, 2016.\n";
    assert!(all(text).is_empty());
}

#[test]
fn guard_present_tense_attribution() {
    let text = "Title of the piece\n\nOfficials say the attack killed 12 people in Quetta, Pakistan on August 8, 2016.\n";
    assert!(all(text).is_empty());
}

#[test]
fn guard_analysis_written_in_present_tense() {
    let text = "The long game in Kabul\n\n\
        Washington walks a fine line in Afghanistan, and every ally knows it.\n\
        Kabul watches the talks in Doha with suspicion and a long memory.\n\
        Islamabad holds more cards than it admits in public or in private.\n\
        The Taliban wait, as they always have, for the foreigners to tire.\n\
        Ghani speaks of peace while his army loses ground on June 2, 2019.\n\
        Nobody expects a deal before the snow closes the passes again.\n";
    assert!(texts(&check(Mode::Caption, 3, 0), text).is_empty());
}

#[test]
fn guard_wire_trailer_is_not_a_caption_or_credit() {
    let text =
        "Title of the piece\n\nBody text here.\nReporting by Jane Doe; Editing by John Smith\n";
    assert!(texts(&check(Mode::CreditLine, 4, 0), text).is_empty());
    assert!(texts(&check(Mode::Caption, 3, 0), text).is_empty());
    assert_eq!(texts(&check(Mode::WireTrailer, 4, 0), text).len(), 1);
}

#[test]
fn guard_image_resolves_caption_and_credit() {
    let text = "# Title of the piece\n\n![Lawyers](a.jpg)\nLawyers say prayers in Islamabad, Pakistan August 9, 2016.\nCaren Firouz / Reuters\n\nBody.\n";
    let doc = Document::parse(Arc::from("a.md"), text.to_string());
    for c in [check(Mode::CreditLine, 4, 0), check(Mode::Caption, 3, 0)] {
        let mut out = Vec::new();
        c.check(&doc, &mut out);
        assert!(out.is_empty());
    }
    let html =
        "Title of the piece\n\n<figure><img src=\"a.jpg\"></figure>\nCaren Firouz / Reuters\n";
    assert!(texts(&check(Mode::CreditLine, 4, 0), html).is_empty());
}

#[test]
fn score_bands_do_not_overlap() {
    let text =
        "Title of the piece\n\nA man walks through a flooded street on September 13, 2008.\n";
    assert_eq!(texts(&check(Mode::Caption, 3, 3), text).len(), 1);
    assert!(texts(&check(Mode::Caption, 4, 0), text).is_empty());
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "\n",
        "é",
        "Reuters",
        "/",
        "©",
        "(",
        "()",
        "In this file photo",
        "a\u{0}b\n/\n©©\n",
        "Ünïcödé / Reuters\n“(C)” August 9, 2016.",
    ] {
        let _ = all(text);
    }
    let huge = "In this file photo (C) ".repeat(10_000);
    let _ = all(&huge);
}

#[test]
fn bad_lexicon_path_is_a_param_error() {
    let params = Params {
        agencies: "lexicons/missing.toml".into(),
        ..Params::default()
    };
    let Err(errors) = UnresolvedCaption::with_params(params, &DirLexicons(rules_dir())) else {
        panic!("missing lexicon must fail")
    };
    assert!(errors[0].message.contains("missing.toml"));
}

/// Runs the `[[examples]]` of every rule file of this kind.
#[test]
fn rule_file_examples_hold() {
    #[derive(serde::Deserialize)]
    struct Example {
        text: String,
        findings: Vec<String>,
    }
    let mut seen = 0;
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let mut table: toml::Table = toml::from_str(&src).unwrap();
        if table.get("check").and_then(|v| v.as_str()) != Some(UnresolvedCaptionKind::NAME) {
            continue;
        }
        seen += 1;
        let examples: Vec<Example> = table
            .remove("examples")
            .map(|v| v.try_into().unwrap())
            .unwrap_or_default();
        assert!(!examples.is_empty(), "{} has no examples", path.display());
        let message = table
            .get("message")
            .and_then(|v| v.as_str())
            .unwrap()
            .to_string();
        assert!(message.chars().next().unwrap().is_lowercase() && !message.ends_with('.'));
        for key in ["check", "severity", "message", "description"] {
            table.remove(key);
        }
        let params: Params = toml::Value::Table(table).try_into().unwrap();
        let c = UnresolvedCaption::with_params(params, &DirLexicons(rules_dir())).unwrap();
        for ex in examples {
            let path_name = if ex.text.starts_with('#') {
                "a.md"
            } else {
                "a.txt"
            };
            let (doc, out) = run(&c, path_name, &ex.text);
            let got: Vec<&str> = out.iter().map(|f| doc.slice(&f.span)).collect();
            assert_eq!(got, ex.findings, "{}: {:?}", path.display(), ex.text);
        }
    }
    assert_eq!(seen, 4);
}

/// Fixtures: `guard-*` give no finding of this kind, `fires-*` give at least one.
#[test]
fn fixtures_hold() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unresolved-caption");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = Document::parse(Arc::from(name.as_str()), text);
        let mut out = Vec::new();
        for c in [
            check(Mode::CreditLine, 4, 0),
            check(Mode::Caption, 3, 0),
            check(Mode::WireTrailer, 4, 0),
        ] {
            c.check(&doc, &mut out);
        }
        if name.starts_with("guard-") {
            let got: Vec<&str> = out.iter().map(|f| doc.slice(&f.span)).collect();
            assert!(got.is_empty(), "{name}: {got:?}");
        } else {
            assert!(name.starts_with("fires-"), "{name}");
            assert!(!out.is_empty(), "{name}");
        }
        n += 1;
    }
    assert!(n >= 8);
}

#[test]
fn guard_poll_source_is_not_a_credit() {
    let text =
        "Title of the piece\n\nBody text here.\nReuters/Ipsos\nReuters/Nielsen\nMore body.\n";
    assert!(all(text).is_empty());
}

#[test]
fn guard_capitals_dateline_is_not_a_caption() {
    let text = "Title of the piece\n\nSEATTLE Jan 14, 2008 (AP)\nBEVERLY HILLS, Calif., Jan. 8, 2008\nPublished: January 9, 2008\nReuters\n";
    assert!(texts(&check(Mode::Caption, 3, 0), text).is_empty());
}

#[test]
fn guard_trademark_and_copyright_signs_are_not_position_markers() {
    let text = "Title of the piece\n\nThe Magellan RoadMate(R) line adds five units with 3-D landmarks on January 7, 2008.\nPress Release (C) 2008 NAMCO BANDAI Games America Inc.\n© Reuters 2008 All rights reserved\n";
    assert!(all(text).is_empty());
}

#[test]
fn inline_credit_captions() {
    let c = check(Mode::Caption, 4, 0);
    for line in [
        "Saved: Sao Paulo police guard the recovered Picasso paintings. Photograph: Sebastiao Moreira/EPA",
        "Crunch time: The government wants Telstra to keep its network open. Picture: Simone Dalton",
        "Tamiko Davis scored a career high eight points for the Spartans. (Photo by Damon Tarver)",
        "Pervez Musharraf (file photo)",
        "Singer Amy Winehouse arrives at the MTV Movie Awards in Los Angeles, in this June 3, 2007, file photo.",
    ] {
        let text = format!("Title of the piece\n\nBody text here.\n{line}\nMore body text.\n");
        assert_eq!(texts(&c, &text), vec![line], "{line}");
    }
}

#[test]
fn guard_prose_pointing_at_a_picture_and_embedded_posts() {
    let text = "Title of the piece\n\n\
        Here (according to the renders) is how the new model (left) compares to the old one (right):\n\
        We took a look at the photo said to show the leader (right) and found it was someone else (left).\n\
        The seam on my phone is catching my hair. #seamgate— Paul Peavler (@CardMeHD) September 28, 2014\n";
    assert!(all(text).is_empty());
}

#[test]
fn guard_gallery_links_are_not_credits() {
    let text = "Title of the piece\n\nBody text here.\nPHOTOS: Most Notorious American Murder Trials\nPHOTOS: Celebrity flubs!\nAt Least 2 Dead After Parliament Hill Shooting (+Photos, Video)\nglb/sb (Reuters, AFP)\n";
    assert!(all(text).is_empty());
}

#[test]
fn markdown_emphasis_around_a_caption_is_read_through() {
    let text = "# Title of the piece\n\nBody text here.\n\n*In this file photo, lawyers (C) pray in Islamabad, Pakistan, August 9, 2016.*\n\nMore text.\n";
    let doc = Document::parse(Arc::from("a.md"), text.to_string());
    let mut out = Vec::new();
    check(Mode::Caption, 4, 0).check(&doc, &mut out);
    assert_eq!(out.len(), 1);
    let marker = out[0]
        .labels
        .iter()
        .find(|l| l.message == "position marker")
        .unwrap();
    assert_eq!(doc.slice(&marker.span), "(C)");
}

#[test]
fn prose_with_a_glued_credit_loses_only_the_credit() {
    let text = "Title of the piece\n\nHe added that he had lived in the block for three years.  Carl Court / Getty Images\n\nMore text.\n";
    let (doc, out) = run(&check(Mode::Caption, 3, 0), "a.txt", text);
    assert_eq!(out.len(), 1);
    let edit = &out[0].fix.as_ref().unwrap().edits[0];
    assert_eq!(
        &doc.text[edit.start..edit.end],
        "  Carl Court / Getty Images"
    );
}

#[test]
fn guard_source_in_brackets_after_prose() {
    let text = "Title of the piece\n\nModi said early elections were unlikely. ''The Congress is shocked,'' he said outside the temple. (ANI)\nThe minister left for Delhi on Monday. [Bloomberg]\n";
    assert!(all(text).is_empty());
}

#[test]
fn guard_agency_byline_and_source_tag_are_not_credits() {
    let text = "Title of the piece\n\nAssociated Press\n\nThe storm made landfall near Galveston late on Friday with winds of 110 mph, officials said.\n\nUtility companies said it could take weeks to restore power to all of the homes.\n\n(AP)\n";
    assert!(texts(&check(Mode::CreditLine, 4, 0), text).is_empty());
    let mid = "Title of the piece\n\nThe storm made landfall near Galveston late on Friday with winds of 110 mph, officials said.\nReuters\nUtility companies said it could take weeks to restore power to all of the homes.\n";
    assert_eq!(texts(&check(Mode::CreditLine, 4, 0), mid), vec!["Reuters"]);
}
