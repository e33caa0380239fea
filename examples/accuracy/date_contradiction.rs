//! Accuracy of the `date-contradiction` kind.
//!
//! 1. Extraction on TempEval-3 (`TimeML`), Training and Evaluation reported apart. Gold: TIMEX3 of
//!    type DATE whose value is a calendar date, month or year (`2016-08-09`, `2016-08`, `2016`).
//!    A gold timex is *found* when one extracted expression covers at least 90% of its characters
//!    (overlap = bytes shared by the two spans / bytes of the gold span). Its value is *correct*
//!    when the extracted expression, resolved against the gold DCT, written at its granularity
//!    (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`), equals the gold value. Precision: of the extracted
//!    expressions with a stated year, the share that overlaps any gold TIMEX3 by at least one byte.
//! 2. BBC News: every finding of every date-contradiction rule (printed with `DATE_VERBOSE=1`).
//! 3. The seed: exactly the September/December 2015 order contradiction.
//!
//! All calls into the check go through `lint_text`, so the engine's API can replace it.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use copydesk::checks::Kind;
use copydesk::checks::date_contradiction::DateContradictionKind;
use copydesk::checks::date_contradiction::extract::{
    DateLexicon, DateValue, Granularity, Interval, extract, resolve,
};
use copydesk::diagnostic::Finding;
use copydesk::document::Document;
use jiff::civil::Date;

use crate::bars::{Bar, Op};

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn verbose() -> bool {
    crate::common::verbose() || std::env::var_os("DATE_VERBOSE").is_some_and(|v| v != "0")
}

/// The ids of the built-in date-contradiction rules, as shipped in `rules/`.
fn load_rules() -> anyhow::Result<Vec<String>> {
    let rules = copydesk::rules::RuleSet::builtin()
        .map_err(|_| anyhow::anyhow!("built-in rules do not load"))?;
    Ok(rules
        .rules
        .iter()
        .filter(|r| r.kind.name() == DateContradictionKind::NAME)
        .map(|r| r.id.to_string())
        .collect())
}

/// Runs every date-contradiction rule on one text through the engine: (rule id, finding).
fn lint_text(rules: &[String], path: &str, text: &str) -> Vec<(String, Finding)> {
    let select: Vec<&str> = rules.iter().map(String::as_str).collect();
    crate::common::lint_one(path, text, &select)
        .into_iter()
        .map(|d| {
            let finding = Finding {
                span: d.span,
                args: Vec::new(),
                labels: d.labels,
                notes: d.notes,
                fix: d.fix,
            };
            (d.rule.to_string(), finding)
        })
        .collect()
}

pub fn run(data: &Path) -> anyhow::Result<Vec<Bar>> {
    let lexicon = DateLexicon::from_toml(&std::fs::read_to_string(
        rules_dir().join("lexicons/dates.toml"),
    )?)
    .map_err(anyhow::Error::msg)?;
    let mut bars = Vec::new();
    for (split, dir) in [
        ("Training", "tempeval3/Training"),
        ("Evaluation", "tempeval3/Evaluation"),
    ] {
        let s = tempeval(&data.join(dir), &lexicon)?;
        let recall = ratio(s.found, s.gold);
        let value = ratio(s.correct, s.found);
        let precision = ratio(s.extracted_hit, s.extracted);
        println!(
            "tempeval3 {split}: {} docs, gold {} found {} correct {}; extracted absolute {} overlapping gold {}",
            s.docs, s.gold, s.found, s.correct, s.extracted, s.extracted_hit
        );
        bars.push(Bar::new(
            format!("tempeval3 {split}: gold dates found (overlap >= 0.9)"),
            recall,
            Op::AtLeast,
            0.90,
        ));
        bars.push(Bar::new(
            format!("tempeval3 {split}: value correct among found"),
            value,
            Op::AtLeast,
            0.90,
        ));
        bars.push(Bar::new(
            format!("tempeval3 {split}: extraction precision (absolute)"),
            precision,
            Op::AtLeast,
            0.80,
        ));
    }
    let rules = load_rules()?;
    let (te_docs, te_findings) = tempeval_lint(&data.join("tempeval3"), &rules)?;
    println!(
        "tempeval3 as a corpus (DCT given as a Published line): {te_docs} docs, {te_findings} findings"
    );
    bars.push(Bar::new(
        "tempeval3 corpus: findings per 100 docs (news, DCT known)",
        te_findings as f64 * 100.0 / te_docs.max(1) as f64,
        Op::AtMost,
        1.0,
    ));
    extraction_speed(&data.join("bbc-news/bbc"), &lexicon)?;
    let (docs, findings, bytes, secs) = bbc(&data.join("bbc-news/bbc"), &rules)?;
    for (name, planted, caught) in planted(&data.join("bbc-news/bbc"), &lexicon, &rules)? {
        println!("planted on bbc [{name}]: {caught} of {planted} caught");
        bars.push(Bar::new(
            format!("bbc planted {name}: share caught"),
            ratio(caught, planted),
            Op::AtLeast,
            0.8,
        ));
    }
    println!(
        "bbc: {docs} docs, {findings} findings, {:.1} MB in {secs:.2} s ({:.1} MB/s, all five rules, 1 thread)",
        bytes / 1e6,
        bytes / 1e6 / secs
    );
    bars.push(Bar::new(
        "bbc: date-contradiction findings per 1000 docs",
        findings as f64 * 1000.0 / docs.max(1) as f64,
        Op::AtMost,
        2.0,
    ));
    let seed_text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/000_9b82e2ada17d45fb.txt"),
    )?;
    let seed = lint_text(&rules, "seed.txt", &seed_text);
    let doc = Document::parse(Arc::from("seed.txt"), seed_text.clone());
    let expected = seed
        .iter()
        .filter(|(_, f)| {
            doc.slice(&f.span) == "September 2015"
                && f.labels
                    .first()
                    .is_some_and(|l| doc.slice(&l.span) == "December 2015")
        })
        .count();
    bars.push(Bar::new(
        "seed: September/December 2015 contradiction found",
        expected as f64,
        Op::AtLeast,
        1.0,
    ));
    bars.push(Bar::new(
        "seed: other findings",
        (seed.len() - expected) as f64,
        Op::AtMost,
        0.0,
    ));
    Ok(bars)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[derive(Default)]
struct Scores {
    docs: usize,
    gold: usize,
    found: usize,
    correct: usize,
    extracted: usize,
    extracted_hit: usize,
}

struct Gold {
    span: Range<usize>,
    kind: String,
    value: String,
}

fn tempeval(dir: &Path, lex: &DateLexicon) -> anyhow::Result<Scores> {
    let mut files = Vec::new();
    collect_tml(dir, &mut files)?;
    files.sort();
    let mut s = Scores::default();
    let show = verbose();
    for file in files {
        let raw = std::fs::read_to_string(&file)?;
        let Some(dct) = dct_value(&raw) else { continue };
        let body_from = raw.find("<TEXT>").map_or(0, |i| i + 6);
        let body_to = raw.find("</TEXT>").unwrap_or(raw.len());
        let (text, golds) = strip_timeml(&raw[body_from..body_to.max(body_from)]);
        s.docs += 1;
        let exprs = extract(&text, 0..text.len(), lex);
        let resolved = resolve(&exprs, Some(dct));
        for e in &exprs {
            if matches!(e.value, DateValue::Absolute(_)) {
                s.extracted += 1;
                if golds.iter().any(|g| shared(&g.span, &e.span) > 0) {
                    s.extracted_hit += 1;
                } else if show {
                    println!("  extra   {}: {:?}", file.display(), &text[e.span.clone()]);
                }
            }
        }
        for g in golds
            .iter()
            .filter(|g| g.kind == "DATE" && calendar_value(&g.value))
        {
            s.gold += 1;
            let best = exprs
                .iter()
                .enumerate()
                .map(|(i, e)| (i, shared(&g.span, &e.span)))
                .max_by_key(|&(_, n)| n)
                .filter(|&(_, n)| n * 10 >= g.span.len() * 9);
            let Some((i, _)) = best else {
                if show {
                    println!(
                        "  missed  {}: {:?} = {}",
                        file.display(),
                        &text[g.span.clone()],
                        g.value
                    );
                }
                continue;
            };
            s.found += 1;
            let got = resolved[i].map(|r| value_string(r, exprs[i].granularity));
            if got.as_deref() == Some(g.value.as_str()) {
                s.correct += 1;
            } else if show {
                println!(
                    "  value   {}: {:?} gold {} got {:?} (dct {dct})",
                    file.display(),
                    &text[exprs[i].span.clone()],
                    g.value,
                    got
                );
            }
        }
    }
    Ok(s)
}

/// Lints the TempEval-3 articles as a user would, with the DCT written as a "Published:" line,
/// so the DCT-dependent rules run on real news. Every finding is printed for review.
fn tempeval_lint(dir: &Path, rules: &[String]) -> anyhow::Result<(usize, usize)> {
    let mut files = Vec::new();
    collect_tml(dir, &mut files)?;
    files.sort();
    let (mut docs, mut findings) = (0, 0);
    for file in files {
        let raw = std::fs::read_to_string(&file)?;
        let Some(dct) = dct_value(&raw) else { continue };
        let title = raw
            .find("<TITLE>")
            .and_then(|i| {
                raw[i + 7..]
                    .find("</TITLE>")
                    .map(|j| raw[i + 7..i + 7 + j].trim())
            })
            .filter(|t| !t.is_empty())
            .unwrap_or("Untitled");
        let body_from = raw.find("<TEXT>").map_or(0, |i| i + 6);
        let body_to = raw.find("</TEXT>").unwrap_or(raw.len());
        let (body, _) = strip_timeml(&raw[body_from..body_to.max(body_from)]);
        let text = format!("{title}\nPublished: {dct}\n\n{}\n", body.trim());
        docs += 1;
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        for (id, f) in lint_text(rules, &name, &text) {
            findings += 1;
            let label = f.labels.first().map_or(String::new(), |l| {
                format!(" vs {:?}", &text[l.span.clone()])
            });
            println!(
                "  tempeval {name} [{id}] {:?}{label}: {}",
                &text[f.span.clone()],
                f.notes.join("; ")
            );
        }
    }
    Ok((docs, findings))
}

fn collect_tml(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_tml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "tml") {
            out.push(path);
        }
    }
    Ok(())
}

fn shared(a: &Range<usize>, b: &Range<usize>) -> usize {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

fn calendar_value(v: &str) -> bool {
    let b = v.as_bytes();
    let digits = |r: Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    match b.len() {
        4 => digits(0..4),
        7 => digits(0..4) && b[4] == b'-' && digits(5..7),
        10 => digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10),
        _ => false,
    }
}

fn value_string(i: Interval, g: Granularity) -> String {
    let d = i.start;
    match g {
        Granularity::Day => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Granularity::Month => format!("{:04}-{:02}", d.year(), d.month()),
        Granularity::Year => format!("{:04}", d.year()),
        Granularity::Week => format!("{:04}-W", d.year()),
        Granularity::Season => format!("{:04}-S", d.year()),
        Granularity::Decade => format!("{:03}", d.year() / 10),
    }
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(&tag[at..end])
}

fn dct_value(raw: &str) -> Option<Date> {
    let at = raw.find("functionInDocument=\"CREATION_TIME\"")?;
    let tag_start = raw[..at].rfind('<')?;
    let tag_end = raw[at..].find('>')? + at;
    let v = attr(&raw[tag_start..tag_end], "value")?;
    let v = v.get(..10)?;
    Date::new(
        v[0..4].parse().ok()?,
        v[5..7].parse().ok()?,
        v[8..10].parse().ok()?,
    )
    .ok()
}

/// Plain text of a `TimeML` body with the gold TIMEX3 spans in it (entities decoded).
fn strip_timeml(body: &str) -> (String, Vec<Gold>) {
    let mut text = String::with_capacity(body.len());
    let mut golds = Vec::new();
    let mut open: Vec<(usize, String, String)> = Vec::new();
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = &rest[..end];
            if tag.starts_with("<TIMEX3") {
                let kind = attr(tag, "type").unwrap_or("").to_string();
                let value = attr(tag, "value").unwrap_or("").to_string();
                open.push((text.len(), kind, value));
            } else if let Some((start, kind, value)) =
                tag.starts_with("</TIMEX3").then(|| open.pop()).flatten()
            {
                golds.push(Gold {
                    span: start..text.len(),
                    kind,
                    value,
                });
            }
            rest = &rest[end..];
        } else if c == '&' {
            let entities = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
                ("&apos;", '\''),
            ];
            if let Some((e, ch)) = entities.iter().find(|(e, _)| rest.starts_with(e)) {
                text.push(*ch);
                rest = &rest[e.len()..];
            } else {
                text.push('&');
                rest = &rest[1..];
            }
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    (text, golds)
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Plants one error of each kind into every BBC article that has a suitable date and counts how
/// many the rules catch (a recall proxy; the real corpus has no known errors). Per article:
/// a wrong weekday before its first full date; that date's day made impossible (months with
/// fewer than 31 days only); and, after the sentence holding its first firm date, a sentence
/// "Later, in <year - 1>, the matter came up again." A miss means a guard or the grammar
/// stood in the way on real prose.
fn planted(
    dir: &Path,
    lex: &DateLexicon,
    rules: &[String],
) -> anyhow::Result<Vec<(&'static str, usize, usize)>> {
    let mut counts = [
        ("wrong weekday", 0, 0),
        ("impossible day", 0, 0),
        ("later, earlier year", 0, 0),
    ];
    let caught = |rule: &str, text: &str, want: &str| {
        lint_text(rules, "planted.txt", text)
            .iter()
            .any(|(id, f)| id == rule && &text[f.span.clone()] == want)
    };
    for (_, text) in bbc_texts(dir)? {
        let doc = Document::parse(Arc::from("planted.txt"), text.clone());
        let exprs: Vec<_> = doc
            .paragraphs
            .iter()
            .flat_map(|p| extract(&text, p.span.clone(), lex))
            .collect();
        if let Some(e) = exprs.iter().find(|e| {
            e.granularity == Granularity::Day && e.weekday.is_none() && e.absolute().is_some()
        }) {
            let date = e.absolute().map(|i| i.start).unwrap_or_default();
            let wrong = WEEKDAYS
                [usize::try_from(date.weekday().to_monday_zero_offset() + 1).unwrap_or(0) % 7];
            let planted = format!(
                "{}{wrong}, {}",
                &text[..e.span.start],
                &text[e.span.start..]
            );
            counts[0].1 += 1;
            counts[0].2 += usize::from(caught("weekday-mismatch", &planted, wrong));
            let span_text = &text[e.span.clone()];
            let day = date.day().to_string();
            if date.days_in_month() < 31
                && let Some(at) = span_text.find(&day)
            {
                let bad = (date.days_in_month() + 1).to_string();
                let new_span = format!("{}{bad}{}", &span_text[..at], &span_text[at + day.len()..]);
                let planted = format!("{}{new_span}{}", &text[..e.span.start], &text[e.span.end..]);
                counts[1].1 += 1;
                counts[1].2 += usize::from(caught("impossible-date", &planted, &new_span));
            }
        }
        if let Some(e) = exprs
            .iter()
            .find(|e| !e.latent && e.absolute().is_some() && e.granularity <= Granularity::Year)
        {
            let year = e.absolute().map_or(0, |i| i.start.year()) - 1;
            if let Some(s) = doc
                .sentences
                .iter()
                .find(|s| s.start <= e.span.start && e.span.end <= s.end)
            {
                let planted = format!(
                    "{} Later, in {year}, the matter came up again.{}",
                    &text[..s.end],
                    &text[s.end..]
                );
                counts[2].1 += 1;
                counts[2].2 += usize::from(caught(
                    "order-cue-contradiction",
                    &planted,
                    &year.to_string(),
                ));
            }
        }
    }
    Ok(counts.to_vec())
}

/// Throughput of the extractor alone over the BBC texts, paragraph by paragraph.
fn extraction_speed(dir: &Path, lex: &DateLexicon) -> anyhow::Result<()> {
    let texts = bbc_texts(dir)?;
    let start = Instant::now();
    let docs: Vec<Document> = texts
        .into_iter()
        .map(|(n, t)| Document::parse(Arc::from(n), t))
        .collect();
    let parse_secs = start.elapsed().as_secs_f64();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let start = Instant::now();
    let mut n = 0;
    for d in &docs {
        for p in &d.paragraphs {
            n += extract(&d.text, p.span.clone(), lex).len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "bbc extraction only: {n} expressions, {:.1} MB/s (1 thread); Document::parse {:.1} MB/s",
        bytes as f64 / 1e6 / secs,
        bytes as f64 / 1e6 / parse_secs
    );
    Ok(())
}

fn bbc_texts(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    for topic in std::fs::read_dir(dir)? {
        let topic = topic?.path();
        if topic.is_dir() {
            for f in std::fs::read_dir(&topic)? {
                let f = f?.path();
                if f.extension().is_some_and(|e| e == "txt") {
                    files.push(f);
                }
            }
        }
    }
    files.sort();
    Ok(files
        .iter()
        .filter_map(|f| {
            let raw = std::fs::read(f).ok()?;
            // Non-UTF-8 files (sport/199.txt is Latin-1) are skipped, as the engine reports them.
            let text = String::from_utf8(raw).ok()?;
            let name = f
                .strip_prefix(dir)
                .unwrap_or(f)
                .to_string_lossy()
                .to_string();
            Some((name, text))
        })
        .collect())
}

fn bbc(dir: &Path, rules: &[String]) -> anyhow::Result<(usize, usize, f64, f64)> {
    let (mut docs, mut findings, mut bytes) = (0, 0, 0.0);
    let texts = bbc_texts(dir)?;
    let start = Instant::now();
    let mut shown = Vec::new();
    for (name, text) in &texts {
        docs += 1;
        bytes += text.len() as f64;
        for (id, f) in lint_text(rules, name, text) {
            findings += 1;
            shown.push((name.clone(), id, f, text));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if verbose() || findings > 0 {
        for (name, id, f, text) in shown {
            let label = f.labels.first().map_or(String::new(), |l| {
                format!(" vs {:?}", &text[l.span.clone()])
            });
            let line_start = text[..f.span.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[f.span.end..]
                .find('\n')
                .map_or(text.len(), |i| f.span.end + i);
            println!(
                "  bbc {name} [{id}] {:?}{label}: {}",
                &text[f.span.clone()],
                f.notes.join("; ")
            );
            if verbose() {
                println!("      {}", &text[line_start..line_end]);
            }
        }
    }
    Ok((docs, findings, bytes, secs))
}
