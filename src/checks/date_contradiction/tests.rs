//! Tests of the `date-contradiction` kind: extraction, resolution, each sub-rule and its guards,
//! the seed, the rule files' `[[examples]]` and the fixtures.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;

use super::extract::{DateLexicon, DateValue, Granularity, Interval, extract, resolve};
use super::*;

fn lexicon() -> DateLexicon {
    let src = std::fs::read_to_string("rules/lexicons/dates.toml").unwrap();
    DateLexicon::from_toml(&src).unwrap()
}

fn check(mode: Mode) -> DateContradiction {
    DateContradiction::new(
        Params {
            mode,
            ..Params::default()
        },
        lexicon(),
    )
}

fn run(mode: Mode, path: &str, text: &str) -> Vec<(String, Finding)> {
    let doc = Document::parse(Arc::from(path), text.to_string());
    let mut out = Vec::new();
    check(mode).check(&doc, &mut out);
    out.into_iter()
        .map(|f| (doc.slice(&f.span).to_string(), f))
        .collect()
}

/// The five sub-rules, in a fixed order.
const MODES: [Mode; 5] = [
    Mode::ImpossibleDate,
    Mode::WeekdayMismatch,
    Mode::OrderCue,
    Mode::EventDatedTwice,
    Mode::AfterPublication,
];

fn all_modes(path: &str, text: &str) -> Vec<String> {
    MODES
        .into_iter()
        .flat_map(|m| run(m, path, text).into_iter().map(|(t, _)| t))
        .collect()
}

fn texts(text: &str) -> Vec<(String, Granularity)> {
    extract(text, 0..text.len(), &lexicon())
        .into_iter()
        .map(|e| (text[e.span].to_string(), e.granularity))
        .collect()
}

fn d(y: i16, m: i8, day: i8) -> Date {
    Date::new(y, m, day).unwrap()
}

#[test]
fn extracts_the_common_shapes_with_granularity() {
    let got = texts(
        "On Monday, Aug. 9, 2016, and 9 August 2016 and 2016-08-09; in December 2015, in 2015, \
         the 1990s, summer 2014, on August 8, two weeks later, the following month, yesterday.",
    );
    let spans: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        spans,
        vec![
            "Monday, Aug. 9, 2016",
            "9 August 2016",
            "2016-08-09",
            "December 2015",
            "2015",
            "1990s",
            "summer 2014",
            "August 8",
            "two weeks later",
            "the following month",
            "yesterday"
        ]
    );
    assert_eq!(got[3].1, Granularity::Month);
    assert_eq!(got[4].1, Granularity::Year);
    assert_eq!(got[6].1, Granularity::Season);
}

#[test]
fn partial_dates_stay_partial() {
    let lex = lexicon();
    let text = "In December 2015 they met.";
    let e = &extract(text, 0..text.len(), &lex)[0];
    assert_eq!(e.granularity, Granularity::Month);
    assert_eq!(e.absolute(), Interval::month(2015, 12));
}

#[test]
fn guard_non_dates() {
    assert!(texts("They may leave soon. It may rain.").is_empty());
    assert!(texts("He sent 2000 soldiers and 2015 tonnes of grain.").is_empty());
    assert!(texts("Kick-off is at 20:00 GMT with version 3.2015 installed.").is_empty());
    assert!(texts("The team won 2-1 and then 31-30.").is_empty());
    assert!(texts("He read the Sunday Times.").is_empty());
    assert!(texts("March organisers said they would march.").is_empty());
    assert_eq!(texts("It happened in May.").len(), 1);
}

#[test]
fn year_less_dates_resolve_against_the_dct() {
    let lex = lexicon();
    let text = "On August 8 the bomb went off; on Monday lawyers mourned.";
    let exprs = extract(text, 0..text.len(), &lex);
    let r = resolve(&exprs, Some(d(2016, 8, 9)));
    assert_eq!(r[0], Some(Interval::day(d(2016, 8, 8))));
    assert_eq!(r[1], Some(Interval::day(d(2016, 8, 8))));
}

#[test]
fn year_less_dates_without_dct_take_the_preceding_year() {
    let lex = lexicon();
    let text = "In 2014 the plan began. On March 3 it was signed.";
    let exprs = extract(text, 0..text.len(), &lex);
    let r = resolve(&exprs, None);
    assert_eq!(r[1], Some(Interval::day(d(2014, 3, 3))));
    assert!(matches!(exprs[1].value, DateValue::YearLess { .. }));
}

#[test]
fn seed_gives_the_order_contradiction_and_nothing_false() {
    let text = std::fs::read_to_string("seeds/000_9b82e2ada17d45fb.txt").unwrap();
    assert_eq!(
        all_modes("seed.txt", &text),
        vec!["September 2015".to_string()]
    );
    let (_, f) = run(Mode::OrderCue, "seed.txt", &text).remove(0);
    assert_eq!(
        f.notes[0],
        "September 2015 is before December 2015, yet introduced by 'later'"
    );
    let doc = Document::parse(Arc::from("seed.txt"), text.clone());
    assert_eq!(doc.slice(&f.labels[0].span), "December 2015");
}

#[test]
fn weekday_note_names_the_real_weekday() {
    let got = run(
        Mode::WeekdayMismatch,
        "a.txt",
        "Head line here\n\nIt opened on Monday, Aug. 9, 2016.\n",
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1.notes[0], "9 August 2016 was a Tuesday");
}

#[test]
fn weekday_without_year_uses_the_dct() {
    let text = "Published: 9 August 2016\n\nQuetta attack\n\nThe bomb went off on Sunday, August 8, at a hospital.\n";
    assert_eq!(run(Mode::WeekdayMismatch, "a.txt", text).len(), 1);
    let ok = text.replace("Sunday", "Monday");
    assert!(run(Mode::WeekdayMismatch, "a.txt", &ok).is_empty());
}

#[test]
fn weekday_without_year_or_dct_is_left_alone() {
    assert!(
        run(
            Mode::WeekdayMismatch,
            "a.txt",
            "Head line here\n\nIt opened on Sunday, August 8.\n"
        )
        .is_empty()
    );
}

#[test]
fn guard_later_this_year() {
    let text = "Head line here\n\nSales fell in December 2015. The firm will later this year report on March 2015 figures.\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

#[test]
fn guard_overlapping_granularities() {
    let text = "Head line here\n\nThe cell formed in December 2015. Members later left, in 2015.\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

#[test]
fn guard_past_perfect_backshift() {
    let text = "Head line here\n\nHe was arrested in March 2016. Police later found he had travelled to Syria in 2014.\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

#[test]
fn guard_reporting_verb_after_cue() {
    let text = "Head line here\n\nThe deal was signed in June 2016. He later said in a statement about May 2015 that it was unfair.\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

#[test]
fn guard_quote_between_dates() {
    let text = "Head line here\n\n“We met in June 2016,” she said. “Earlier, in May 2017, nothing happened.”\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

#[test]
fn earlier_cue_mirror() {
    let text =
        "Head line here\n\nThe plant closed in May 2012. It had earlier been sold, in June 2013.\n";
    // "had" lies before the cue, not between cue and date: the mirror rule fires.
    assert_eq!(run(Mode::OrderCue, "a.txt", text).len(), 1);
}

#[test]
fn guard_nearer_relative_date_breaks_the_chain() {
    let text = "Head line here\n\nIn December 2015 the cell met. On Monday they later left in September 2015.\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

#[test]
fn after_publication_needs_a_stated_year_in_the_dct() {
    let text = "LAHORE, Aug 9 (Reuters) - The bomber struck on August 8, 2017 and killed 70 people in 2016.\n";
    let doc_text = format!("Quetta attack\n\n{text}");
    assert!(run(Mode::AfterPublication, "a.txt", &doc_text).is_empty());
}

#[test]
fn dct_from_front_matter_and_dateline() {
    let lex = lexicon();
    let md = Document::parse(
        Arc::from("a.md"),
        "---\ndate: 2016-08-09\n---\n\n# Title\n\nText.\n".into(),
    );
    assert_eq!(dct::find_dct(&md, &lex).unwrap().date, d(2016, 8, 9));
    let wire = Document::parse(
        Arc::from("a.txt"),
        "Quetta attack\n\nLAHORE, Aug 9, 2016 (Reuters) - A bomb went off.\n".into(),
    );
    assert_eq!(dct::find_dct(&wire, &lex).unwrap().date, d(2016, 8, 9));
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "",
        "\u{feff}",
        "August",
        "May 31, 2016’s",
        "Monday, 2016-02-30",
        "“later” 2015 “",
        "ää 9 Äugust 2016 ß",
    ] {
        let _ = all_modes("x.txt", text);
        let _ = all_modes("x.md", text);
    }
}

/// `fires-*` fixtures give at least one finding of this kind, `guard-*` fixtures none.
#[test]
fn fixtures_fire_or_stay_silent() {
    let dir = PathBuf::from("tests/fixtures/date-contradiction");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let got = all_modes(&name, &text);
        if name.starts_with("fires-") {
            assert!(!got.is_empty(), "{name} gave no finding");
        } else {
            assert!(got.is_empty(), "{name} gave {got:?}");
        }
        seen += 1;
    }
    assert!(seen >= 8);
}

#[test]
fn guard_cue_refers_to_a_range() {
    let text = "Head line here\n\nHe served in Belfast from 1981 to 1987. He dealt with education and later security, riding out the escape from the Maze in 1983.\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

#[test]
fn guard_future_date_in_a_present_tense_relative_clause() {
    let text = "Bond offerings\n\nPublished: 30 October 1989\n\nThe issue, which is puttable back to the company in 1999, was priced at par.\n";
    assert!(run(Mode::AfterPublication, "a.txt", text).is_empty());
}

#[test]
fn fixture_findings_come_from_the_named_sub_rule() {
    let cases = [
        (
            "fires-seed-like-order-cue.txt",
            Mode::OrderCue,
            "September 2015",
        ),
        ("fires-earlier-cue.txt", Mode::OrderCue, "March 2016"),
        (
            "fires-weekday-mismatch.txt",
            Mode::WeekdayMismatch,
            "Tuesday",
        ),
        (
            "fires-weekday-mismatch-dateline.txt",
            Mode::WeekdayMismatch,
            "Sunday",
        ),
        (
            "fires-impossible-date.txt",
            Mode::ImpossibleDate,
            "April 31",
        ),
        (
            "fires-leap-day-common-year.txt",
            Mode::ImpossibleDate,
            "Feb. 29, 2015",
        ),
        (
            "fires-event-dated-twice.txt",
            Mode::EventDatedTwice,
            "March 29, 2016",
        ),
        (
            "fires-after-publication.md",
            Mode::AfterPublication,
            "August 8, 2017",
        ),
    ];
    for (name, mode, want) in cases {
        let text =
            std::fs::read_to_string(format!("tests/fixtures/date-contradiction/{name}")).unwrap();
        let got: Vec<String> = run(mode, name, &text).into_iter().map(|(t, _)| t).collect();
        assert_eq!(got, vec![want.to_string()], "{name}");
    }
}

#[test]
fn guard_future_infinitive_after_publication() {
    let text = "Sentence passed\n\nPublished: 9 August 2016\n\nHe was jailed for ten years and is to be released in March 2025.\n";
    assert!(run(Mode::AfterPublication, "a.txt", text).is_empty());
}

#[test]
fn event_phrase_guard_needs_the_blocker_not_the_granularity() {
    let text = std::fs::read_to_string("tests/fixtures/date-contradiction/guard-annual-event.txt")
        .unwrap();
    assert!(run(Mode::EventDatedTwice, "a.txt", &text).is_empty());
    let without = text.replace("The annual ", "The ");
    assert_eq!(run(Mode::EventDatedTwice, "a.txt", &without).len(), 1);
}

#[test]
fn duration_cue_orders_like_a_cue_word() {
    let text = "Head line here\n\nThe cell was exposed in December 2015. Two months later, in September 2015, its members left.\n";
    let got = run(Mode::OrderCue, "a.txt", text);
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].1.notes[0],
        "September 2015 is before December 2015, yet introduced by 'two months later'"
    );
    let fine = text.replace("September 2015", "February 2016");
    assert!(run(Mode::OrderCue, "a.txt", &fine).is_empty());
}

#[test]
fn every_prefix_of_the_seed_and_fixtures_is_safe() {
    let checks: Vec<DateContradiction> = MODES.into_iter().map(check).collect();
    let mut texts = vec![std::fs::read_to_string("seeds/000_9b82e2ada17d45fb.txt").unwrap()];
    for entry in std::fs::read_dir("tests/fixtures/date-contradiction").unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for text in texts {
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(5).collect();
        for cut in cuts {
            for path in ["a.txt", "a.md"] {
                let doc = Document::parse(Arc::from(path), text[cut..].to_string());
                let mut out = Vec::new();
                for c in &checks {
                    c.check(&doc, &mut out);
                }
                for f in &out {
                    assert!(doc.text.get(f.span.clone()).is_some());
                }
            }
        }
    }
}

#[test]
fn curly_quote_before_a_date_is_safe() {
    let text = "Head line here\n\nHe said “the coup” happened on Monday, March 3, 2014, and “later” in 2013.\n";
    let _ = all_modes("a.txt", text);
}

#[test]
fn guard_duration_before_a_clause_is_no_cue() {
    let text = "Head line here\n\nHe joined the club in 2003. He was relegated for the first time in 27 years before returning to Portsmouth in December 2005.\n";
    assert!(run(Mode::OrderCue, "a.txt", text).is_empty());
}

/// The anchored scanner (`extract`) finds what the unanchored grammar over every byte found, on
/// the seed, the fixtures (from every fifth character on) and on text assembled from the
/// grammar's own pieces: prefix words, anchors, separators (Unicode white space too), 'ſ', the
/// Kelvin sign, '_' and digits in odd places.
#[test]
fn scanner_finds_what_the_unanchored_grammar_finds() {
    let lex = lexicon();
    let same = |text: &str| {
        let fast = extract(text, 0..text.len(), &lex);
        let slow = super::extract::extract_unanchored(text, 0..text.len(), &lex);
        assert_eq!(fast, slow, "on {text:?}");
    };
    let mut texts = vec![std::fs::read_to_string("seeds/000_9b82e2ada17d45fb.txt").unwrap()];
    for entry in std::fs::read_dir("tests/fixtures/date-contradiction").unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for text in &texts {
        for (cut, _) in text.char_indices().step_by(5) {
            same(&text[cut..]);
        }
    }
    let pieces = [
        "the",
        "The",
        "THE",
        "end",
        "of",
        "the end of",
        "early",
        "Late",
        "mid",
        "mid-",
        "last",
        "next",
        "this",
        "previous",
        "following",
        "earlier",
        "later",
        "current",
        "same",
        "fiscal",
        "calendar",
        "financial",
        "full",
        "spring",
        "Summer",
        "autumn",
        "winter",
        "fall",
        "a",
        "an",
        "two",
        "Twenty",
        "thirty",
        "year",
        "YEARS",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "yesterday",
        "Today",
        "tomorrow",
        "tonight",
        "morning",
        "ago",
        "later",
        "before",
        "after",
        "afterwards",
        "Monday",
        "Mon.",
        "MONDAY",
        "Tues",
        "Sunday",
        "Sun",
        "January",
        "Jan.",
        "JAN",
        "May",
        "may",
        "March",
        "march",
        "Sept.",
        "December",
        "Dec",
        "1",
        "9",
        "09",
        "9th",
        "21st",
        "31",
        "32",
        "2015",
        "1990s",
        "2016-08-09",
        "2014-2016",
        "20000",
        "123",
        "0",
        "4th",
        "22nd",
        "3rd",
        "5st",
        "12345",
        "Days",
        "wEEK",
        "OF",
        "of the",
        "Of",
        "day_",
        "Mayday",
        "Septembers",
        "SEPTEMBER",
        "tomorrows",
        "3.2015",
        "$2015",
        "2015%",
        "_2015",
        "x2015",
        "Mark",
        "money",
        "tone",
        "Yeah",
        "ſame",
        "laſt",
        "yeſterday",
        "wee\u{212A}",
        "\u{212A}",
        "é",
        "’",
        "“",
        ",",
        ".",
        "-",
        "(",
        ")",
        ":",
        ";",
        "\n",
        "\u{a0}",
        "\t",
        "\u{b}",
        "\u{85}",
        "\u{2028}",
        "\u{2009}",
        "\u{3000}",
        "  ",
    ];
    let seps = [" ", " ", " ", ", ", "-", ". ", "\u{a0}", "", "\n"];
    // A small linear congruential generator: the same texts on every run.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap() % n
    };
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..=next(9) {
            text.push_str(pieces[next(pieces.len())]);
            text.push_str(seps[next(seps.len())]);
        }
        same(&text);
    }
}

/// Skipping the paragraphs without a digit (`may_matter`) changes no finding of any sub-rule:
/// on the seed, the fixtures and texts of paragraphs assembled from dates (with and without
/// digits), cues, weekdays, relative dates, datelines and front matter.
#[test]
fn differential_paragraph_skip() {
    let rules: Vec<DateContradiction> = MODES.into_iter().map(check).collect();
    let findings = |text: &str, skip: bool| -> Vec<String> {
        let doc = Document::parse(Arc::from("a.md"), text.to_string());
        let mut out = Vec::new();
        for rule in &rules {
            let extraction = rule.extract_document(&doc, skip);
            rule.check_extraction(&doc, &extraction, &mut out);
        }
        out.iter().map(|f| format!("{f:?}")).collect()
    };
    let mut texts = vec![std::fs::read_to_string("seeds/000_9b82e2ada17d45fb.txt").unwrap()];
    for entry in std::fs::read_dir("tests/fixtures/date-contradiction").unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let mut fired = 0;
    for text in &texts {
        let all = findings(text, false);
        fired += usize::from(!all.is_empty());
        assert_eq!(findings(text, true), all, "on {text:?}");
    }
    assert!(fired > 5);
    let pieces = [
        "On Monday, Aug. 9, 2016, the council met",
        "on Tuesday, April 31",
        "Feb. 29, 2015",
        "in March 2014",
        "in 2012",
        "from 1981 to 1987",
        "to",
        "and",
        "Later, in 2010",
        "Two months later, in June 2009",
        "Earlier, on 3 May 2011,",
        "Previously",
        "subsequently",
        "later",
        "earlier",
        "the following month",
        "two weeks later",
        "a year earlier",
        "yesterday",
        "last Monday",
        "on Friday",
        "in May",
        "August",
        "the Brazilian team won the cup on 9 July 2016",
        "the Brazilian team won the cup on 9 July 2018",
        "Published: 5 June 2015",
        "LONDON, Aug 9 (Reuters) -",
        "said",
        "had",
        "\"",
        "—",
        ", ",
        ". ",
        " ",
        "\n",
        "\n\n",
        "\n\n",
        // Sentence ends the extraction may or may not cut at (see `windows`): after a month or
        // weekday name (a date may run on), and after `!`, `?`, quotes and brackets.
        "on Monday.",
        "In December.",
        "Jan.",
        "Sept.",
        "2015.",
        "5.",
        "!",
        "?",
        ")",
        "It rained! ",
        "Why? ",
        "(in 2013.) ",
        "\u{201d} ",
        "He said so. ",
        "The Tuesday. ",
    ];
    let mut random = crate::text::RandomTexts::new();
    for _ in 0..6_000 {
        let (mut text, _) = random.text_and_range(&pieces, 40);
        if random.next().is_multiple_of(4) {
            text.insert_str(0, "---\ndate: 2015-06-05\n---\n");
        }
        let all = findings(&text, false);
        fired += usize::from(!all.is_empty());
        assert_eq!(findings(&text, true), all, "on {text:?}");
    }
    assert!(fired > 200, "{fired}");
}
