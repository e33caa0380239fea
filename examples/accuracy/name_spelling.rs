//! Accuracy of the `name-spelling` kind on `../shared/data`: grouping of the 32 real spellings
//! of Gaddafi placed in short articles (one spelling per document), pair precision and recall on
//! the `DeezyMatch` toponym pairs (train and finetune) whose two names the data set labels
//! LATIN, and the groups and findings on the BBC corpus (printed for review with
//! `NAME_SPELLING_DETAIL=1`; `NAME_SPELLING_SAMPLE=1` prints a fixed-seed sample of findings
//! for hand labelling, `NAME_SPELLING_TP` / `NAME_SPELLING_FN` the pairs). A pair counts as
//! "called the same name" when `NameSpellingCheck::same_name` says so: the spelling identity of
//! `collect` (one spelling when they differ only in white space or apostrophe style), then the
//! exact `link` the corpus reduce runs (blocking, form union, matcher), over the two names
//! alone, without configured canonical spellings. Strings are not passed through mention
//! extraction (many data set names are lower case and would never be mentions). All calls into
//! the check sit in `Corpus`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use copydesk::checks::name_spelling::{
    Mode, NameAcc, NameSpellingCheck, NameVariantGroup, Params, fold,
};
use copydesk::checks::{CorpusCheck, DirLexicons};
use copydesk::diagnostic::Finding;
use copydesk::document::Document;
use rayon::prelude::*;

use crate::bars::{Bar, Op};

/// The one place that calls into the check: lint a corpus, return findings and groups.
struct Corpus {
    check: NameSpellingCheck,
}

impl Corpus {
    fn new(mode: Mode, canonical: bool) -> anyhow::Result<Corpus> {
        let mut params = Params {
            mode,
            ..Params::default()
        };
        if !canonical {
            params.canonical = String::new();
        }
        let check = NameSpellingCheck::new(params, &DirLexicons("rules".into()))
            .map_err(|e| anyhow::anyhow!("rule does not compile: {e:?}"))?;
        Ok(Corpus { check })
    }

    fn lint(&self, docs: &[(String, String)]) -> (Vec<(Arc<str>, Finding)>, Vec<NameVariantGroup>) {
        let t0 = std::time::Instant::now();
        if detail() {
            let n: usize = docs
                .par_iter()
                .map(|(p, t)| {
                    Document::parse(Arc::from(p.as_str()), t.clone())
                        .sentences
                        .len()
                })
                .sum();
            println!(
                "timing: parse only {:.3}s ({n} sentences)",
                t0.elapsed().as_secs_f64()
            );
        }
        let t0 = std::time::Instant::now();
        // As the engine runs a corpus kind: collect and fold per worker, then merge.
        let acc = docs
            .par_iter()
            .fold(NameAcc::default, |mut acc, (path, text)| {
                let doc = Document::parse(Arc::from(path.as_str()), text.clone());
                if let Some(f) = CorpusCheck::collect(&self.check, &doc) {
                    CorpusCheck::fold(&self.check, &mut acc, &doc.path, f);
                }
                acc
            })
            .reduce(NameAcc::default, |mut a, b| {
                CorpusCheck::merge(&self.check, &mut a, b);
                a
            });
        let t1 = t0.elapsed().as_secs_f64();
        let t2 = t1;
        let groups = self.check.variant_groups(&acc);
        let t3 = t0.elapsed().as_secs_f64();
        let findings = CorpusCheck::reduce(&self.check, &acc);
        if detail() {
            println!(
                "timing: parse+collect+fold+merge {t1:.3}s, groups {:.3}s, reduce {:.3}s",
                t3 - t2,
                t0.elapsed().as_secs_f64() - t3
            );
        }
        (findings, groups)
    }

    fn same_name(&self, a: &str, b: &str) -> bool {
        self.check.same_name(a, b)
    }
}

fn detail() -> bool {
    std::env::var_os("NAME_SPELLING_DETAIL").is_some()
}

/// Short articles around one spelling each, in a few shapes a wire story takes.
fn khadafy_documents(spellings: &[String]) -> Vec<(String, String)> {
    const SHAPES: [&str; 4] = [
        "Libya rejects sanctions demand\n\nLibyan leader {full} said on Tuesday that his government would not hand over the two suspects. {title} {sur} told state television that the sanctions were unjust.\n\nDiplomats in Tripoli said talks would resume next week.\n",
        "Summit closes in Tripoli\n\nThe African Union summit closed on Friday after a long speech by {full}, who urged delegates to form a single army. Several presidents left early, and aides said {sur} was disappointed.\n",
        "Oil deal signed with Libya\n\nA European energy group has signed an exploration deal with Libya. The agreement was announced after a meeting between its chairman and {full} in Sirte. {title} {sur} has courted foreign investors since sanctions were lifted.\n",
        "Libya marks anniversary\n\nThousands gathered in Green Square on Wednesday to mark the anniversary of the revolution that brought {full} to power. In a speech lasting two hours, {sur} attacked Western governments.\n",
    ];
    spellings
        .iter()
        .enumerate()
        .map(|(i, full)| {
            let sur = full.rsplit(' ').next().unwrap_or(full);
            let title = if i % 2 == 0 { "Mr" } else { "Colonel" };
            let text = SHAPES[i % SHAPES.len()]
                .replace("{full}", full)
                .replace("{sur}", sur)
                .replace("{title}", title);
            (format!("khadafy/{i:02}.txt"), text)
        })
        .collect()
}

fn khadafy(data: &Path) -> anyhow::Result<Vec<Bar>> {
    let raw = std::fs::read_to_string(data.join("name-variants/khadafy.inp"))
        .context("reading khadafy.inp")?;
    let spellings: Vec<String> = raw
        .lines()
        .filter_map(|l| l.split_once(')').map(|(_, s)| s.trim().to_string()))
        .filter(|s| !s.is_empty())
        .collect();
    let corpus = Corpus::new(Mode::Corpus, false)?;
    let (_, groups) = corpus.lint(&khadafy_documents(&spellings));
    let best = groups
        .iter()
        .map(|g| {
            spellings
                .iter()
                .filter(|s| g.spellings.iter().any(|(t, _)| t == *s))
                .count()
        })
        .max()
        .unwrap_or(0);
    if detail() {
        for g in &groups {
            let names: Vec<&str> = g.spellings.iter().map(|(s, _)| s.as_str()).collect();
            println!("khadafy group: {}", names.join(" | "));
        }
        for s in &spellings {
            if !groups
                .iter()
                .any(|g| g.spellings.len() >= best && g.spellings.iter().any(|(t, _)| t == s))
            {
                println!("khadafy outside the main group: {s}");
            }
        }
    }
    Ok(vec![Bar::new(
        format!("khadafy: spellings in one group (of {})", spellings.len()),
        best as f64,
        Op::AtLeast,
        30.0,
    )])
}

fn deezymatch(data: &Path) -> anyhow::Result<Vec<Bar>> {
    let corpus = Corpus::new(Mode::Corpus, false)?;
    let (mut tp, mut fp, mut positives, mut pairs, mut identical) = (0u32, 0u32, 0u32, 0u32, 0u32);
    // Pairs called the same that differ only in form (case, diacritics, apostrophes, spaces).
    let (mut form_true, mut form_false) = (0u32, 0u32);
    let mut false_positives = Vec::new();
    for file in [
        "deezymatch-string-matching_train.txt",
        "deezymatch-string-matching_finetune.txt",
    ] {
        let text = std::fs::read_to_string(data.join("name-variants").join(file))
            .with_context(|| format!("reading {file}"))?;
        for line in text.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            // Latin script as the data set labels it (columns 6 and 7).
            if cols.len() < 7 || cols[5] != "LATIN" || cols[6] != "LATIN" {
                continue;
            }
            if cols[0] == cols[1] {
                identical += 1;
                continue;
            }
            pairs += 1;
            let truth = cols[2] == "TRUE";
            positives += u32::from(truth);
            let same = corpus.same_name(cols[0], cols[1]);
            if truth && !same && std::env::var_os("NAME_SPELLING_FN").is_some() {
                println!("deezymatch false negative: {} / {}", cols[0], cols[1]);
            }
            if same && fold(cols[0]) == fold(cols[1]) {
                form_true += u32::from(truth);
                form_false += u32::from(!truth);
            }
            if same {
                if truth {
                    tp += 1;
                    if std::env::var_os("NAME_SPELLING_TP").is_some() {
                        let form = if fold(cols[0]) == fold(cols[1]) {
                            "form-only"
                        } else {
                            "spelling"
                        };
                        println!(
                            "deezymatch true positive: {form}: {} / {}",
                            cols[0], cols[1]
                        );
                    }
                } else {
                    fp += 1;
                    let form = if fold(cols[0]) == fold(cols[1]) {
                        "form-only"
                    } else {
                        "spelling"
                    };
                    false_positives.push(format!("{form}: {} / {}", cols[0], cols[1]));
                }
            }
        }
    }
    if detail() {
        println!(
            "deezymatch: {pairs} Latin pairs ({identical} identical pairs skipped), {positives} TRUE, predicted same {}, TP {tp}, FP {fp}",
            tp + fp
        );
        for p in &false_positives {
            println!("deezymatch false positive: {p}");
        }
    }
    let precision = if tp + fp == 0 {
        0.0
    } else {
        f64::from(tp) / f64::from(tp + fp)
    };
    Ok(vec![
        // Not met yet (0.946): issue #6 stays open while this is worked on.
        Bar::new(
            "deezymatch: pair precision (Latin pairs)",
            precision,
            Op::AtLeast,
            0.95,
        )
        .not_met_yet(),
        Bar::info(
            "deezymatch: pair recall (Latin pairs)",
            f64::from(tp) / f64::from(positives.max(1)),
        ),
        Bar::info("deezymatch: pairs called the same name", f64::from(tp + fp)),
        Bar::info(
            "deezymatch: precision, pairs differing in form only",
            f64::from(form_true) / f64::from((form_true + form_false).max(1)),
        ),
        Bar::info(
            "deezymatch: pairs differing in form only",
            f64::from(form_true + form_false),
        ),
        Bar::info(
            "deezymatch: precision, pairs differing in spelling",
            f64::from(tp - form_true) / f64::from((tp + fp - form_true - form_false).max(1)),
        ),
    ])
}

fn bbc_documents(data: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let root = data.join("bbc-news/bbc");
    let mut docs = Vec::new();
    let mut topics: Vec<_> = std::fs::read_dir(&root)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    topics.sort();
    for topic in topics {
        let mut files: Vec<_> = std::fs::read_dir(&topic)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            let rel = f
                .strip_prefix(&root)
                .unwrap_or(&f)
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "sport/199.txt" {
                continue; // Latin-1, not UTF-8
            }
            if let Ok(text) = std::fs::read_to_string(&f) {
                docs.push((rel, text));
            }
        }
    }
    Ok(docs)
}

fn context(text: &str, span: &std::ops::Range<usize>) -> String {
    let mut a = span.start.saturating_sub(60);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (span.end + 60).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    format!(
        "{}[[{}]]{}",
        &text[a..span.start],
        &text[span.clone()],
        &text[span.end..b]
    )
    .replace('\n', " ")
}

fn bbc(data: &Path) -> anyhow::Result<Vec<Bar>> {
    let docs = bbc_documents(data)?;
    let texts: HashMap<&str, &str> = docs.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let started = std::time::Instant::now();
    let (doc_findings, groups) = Corpus::new(Mode::Document, true)?.lint(&docs);
    let (corpus_findings, _) = Corpus::new(Mode::Corpus, true)?.lint(&docs);
    let elapsed = started.elapsed().as_secs_f64();
    let mut all: Vec<(&str, &Arc<str>, &Finding)> = doc_findings
        .iter()
        .map(|(p, f)| ("name-spelling", p, f))
        .chain(
            corpus_findings
                .iter()
                .map(|(p, f)| ("name-spelling-corpus", p, f)),
        )
        .collect();
    all.sort_by(|a, b| (a.1, a.2.span.start, a.0).cmp(&(b.1, b.2.span.start, b.0)));
    if detail() {
        for g in &groups {
            let names: Vec<String> = g
                .spellings
                .iter()
                .map(|(s, n)| format!("{s} ({n})"))
                .collect();
            println!("bbc group: {}", names.join(" | "));
        }
        for (rule, path, f) in &all {
            let arg = |k: &str| {
                f.args
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map_or("", |(_, v)| v.as_str())
            };
            println!(
                "bbc finding {rule} {path}: '{}' -> '{}'",
                arg("spelling"),
                arg("suggestion")
            );
        }
    }
    // A fixed-seed sample for hand labelling (xorshift, seed 2026).
    let mut state: u64 = 2026;
    let mut order: Vec<usize> = (0..all.len()).collect();
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    if std::env::var_os("NAME_SPELLING_SAMPLE").is_some() {
        for (n, &i) in order.iter().take(60).enumerate() {
            let (rule, path, f) = all[i];
            let arg = |k: &str| {
                f.args
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map_or("", |(_, v)| v.as_str())
            };
            println!(
                "sample {n:02} {rule} {path} '{}' -> '{}': {}",
                arg("spelling"),
                arg("suggestion"),
                context(texts[path.as_ref()], &f.span)
            );
            for l in &f.labels {
                if let Some(p) = &l.path {
                    println!("      label {p}: {}", context(texts[p.as_ref()], &l.span));
                }
            }
        }
    }
    Ok(vec![
        Bar::info("bbc: documents", docs.len() as f64),
        Bar::info("bbc: variant groups", groups.len() as f64),
        Bar::info(
            "bbc: findings within documents (error)",
            doc_findings.len() as f64,
        ),
        Bar::info(
            "bbc: findings across documents (warning)",
            corpus_findings.len() as f64,
        ),
        Bar::new(
            "bbc: seconds for both rules (lint twice)",
            elapsed,
            Op::AtMost,
            30.0,
        ),
    ])
}

pub fn run(data: &Path) -> anyhow::Result<Vec<Bar>> {
    let mut bars = khadafy(data)?;
    bars.extend(deezymatch(data)?);
    bars.extend(bbc(data)?);
    Ok(bars)
}
