//! Accuracy of `unresolved-caption` on L3S-GN1 (labelled web-page blocks), the BBC corpus and the
//! seed. Reads data files and prints detail; it never changes the check.
//!
//! L3S-GN1: each page becomes one document, one block per line in page order; a finding counts
//! for the block its span starts in. Negatives are `fulltext` blocks. Positives are the
//! `supplemental` blocks that `is_caption_or_credit` labels (the written-down rule below,
//! checked by hand against the labelled and unlabelled supplemental blocks; see the report).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use copydesk::checks::DirLexicons;
use copydesk::checks::DocumentCheck;
use copydesk::checks::unresolved_caption::{Mode, Params, UnresolvedCaption};
use copydesk::diagnostic::Finding;
use copydesk::document::Document;
use regex::Regex;

use crate::bars::{Bar, Op};

/// The four shipped rules of the kind, compiled once.
struct Linter {
    rules: Vec<(&'static str, UnresolvedCaption)>,
}

impl Linter {
    fn new() -> anyhow::Result<Linter> {
        let lex = DirLexicons(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"));
        let make = |mode, min_score, max_score| {
            let params = Params {
                mode,
                min_score,
                max_score,
                ..Params::default()
            };
            UnresolvedCaption::with_params(params, &lex)
                .map_err(|e| anyhow::anyhow!("rule does not compile: {e:?}"))
        };
        Ok(Linter {
            rules: vec![
                ("photo-credit-line", make(Mode::CreditLine, 4, 0)?),
                ("photo-caption", make(Mode::Caption, 4, 0)?),
                ("photo-caption-possible", make(Mode::Caption, 3, 3)?),
                ("wire-trailer", make(Mode::WireTrailer, 4, 0)?),
            ],
        })
    }

    /// Every finding of the kind's rules on one text: the one place the check is called.
    fn lint_text(&self, path: &str, text: &str) -> Vec<(&'static str, Finding)> {
        let doc = Document::parse(Arc::from(path), text.to_string());
        let mut out = Vec::new();
        for (id, rule) in &self.rules {
            let mut found = Vec::new();
            rule.check(&doc, &mut found);
            out.extend(found.into_iter().map(|f| (*id, f)));
        }
        out
    }
}

/// The labelling rule for L3S-GN1 `supplemental` blocks: a block is a photo caption or credit
/// when it names a picture or a picture credit and is not a copyright notice, byline or
/// contributor note. Precisely: it contains a picture word (photo, photograph, picture, pic,
/// image, Getty), or a "Name © Agency" credit, or ends in an agency credit ("/ Reuters",
/// "[EPA]", ", Reuters", ".Reuters"), or is "Name / Agency" with a wire or picture agency, or
/// holds a wire photo credit ("REUTERS/Name", "(AP Photo/") or a position marker ("(C)",
/// "(L)", "(left)", "(center)"); and it does not contain "rights
/// reserved", "contributed to this report", "can be reached", does not start with "Copyright",
/// "(Copyright", "By " or "©". Caption sentences with no picture word and no credit ("Harbhajan
/// has been defended by his captain") are not labelled: nothing in the text marks them as
/// captions, so this rule leaves them out and the report says so.
///
/// Checked by hand (2026-11-24): all 58 blocks the rule labels are real captions or credits
/// (printed with `COPYDESK_DETAIL=1` as POS/MISS lines); in a random sample of 100 supplemental
/// blocks the rule labelled 7 of the 12 that a reader takes for captions or credits, missing 5
/// bare ones ("Harbhajan has been defended by his captain", "Tracy Glantz/tglantz@thestate.com").
struct Labeller {
    picture: Regex,
    credit_end: Regex,
    name_agency: Regex,
}

impl Labeller {
    fn new() -> Labeller {
        Labeller {
            picture: Regex::new(r"(?i:\b(?:photos?|photograph|photographer|pictures?|pic|images?|getty)\b)|\S\s*©\s*\p{Lu}").unwrap(),
            credit_end: Regex::new(r"(?:/\s*|\[|, |\.)(?:Reuters|REUTERS|AAP|AP|EPA|AFP|PA|Getty Images)\]?\)?$").unwrap(),
            name_agency: Regex::new(r"^\p{Lu}[\p{L}.'-]+(?: \p{Lu}[\p{L}.'-]+){0,3}\s*/\s*(?:Reuters|REUTERS|AP|AFP|EPA|Getty Images|Associated Press|European Pressphoto Agency|Canadian Press|AAP|Bloomberg)\)?$|REUTERS/\p{Lu}|\(AP Photo/|\((?:C|L|R|L-R|left|right|centre|center)\)(?: [^0-9]|[^ 0-9])").unwrap(),
        }
    }

    fn is_caption_or_credit(&self, text: &str) -> bool {
        let t = text.trim();
        let lower = t.to_lowercase();
        let excluded = lower.contains("rights reserved")
            || lower.contains("contributed to this report")
            || lower.contains("can be reached")
            || lower.starts_with("copyright")
            || lower.starts_with("(copyright")
            || lower.starts_with("by ")
            || t.trim_start_matches('Â').starts_with('©');
        !excluded
            && (self.picture.is_match(t)
                || self.credit_end.is_match(t)
                || self.name_agency.is_match(t))
    }
}

struct Page {
    blocks: Vec<(String, String)>,
}

fn read_pages(path: &Path) -> anyhow::Result<Vec<Page>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut pages = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let blocks = value["blocks"]
            .as_array()
            .context("page without blocks")?
            .iter()
            .filter_map(|b| Some((b[0].as_str()?.to_string(), b[1].as_str()?.to_string())))
            .collect();
        pages.push(Page { blocks });
    }
    Ok(pages)
}

fn detail() -> bool {
    std::env::var_os("COPYDESK_DETAIL").is_some()
}

/// L3S-GN1: (fulltext flag rate, caption/credit recall).
fn l3s(linter: &Linter, data: &Path) -> anyhow::Result<(f64, f64)> {
    let pages = read_pages(&data.join("l3s-gn1/l3s-gn1-blocks.jsonl"))?;
    let labeller = Labeller::new();
    let (mut fulltext, mut fulltext_flagged) = (0usize, 0usize);
    let (mut positives, mut positives_flagged) = (0usize, 0usize);
    let mut other_supplemental_flagged = 0usize;
    for (page_no, page) in pages.iter().enumerate() {
        let mut text = String::new();
        let mut starts = Vec::new();
        for (_, block) in &page.blocks {
            starts.push(text.len());
            text.push_str(&block.replace(['\n', '\r'], " "));
            text.push('\n');
        }
        let findings = linter.lint_text(&format!("page-{page_no}.txt"), &text);
        let mut flagged = vec![Vec::new(); page.blocks.len()];
        for (rule, f) in &findings {
            let block = starts
                .partition_point(|&s| s <= f.span.start)
                .saturating_sub(1);
            flagged[block].push(*rule);
        }
        for (i, (label, block)) in page.blocks.iter().enumerate() {
            let hit = !flagged[i].is_empty();
            match label.as_str() {
                "fulltext" => {
                    fulltext += 1;
                    if hit {
                        fulltext_flagged += 1;
                        if detail() {
                            println!("FP fulltext {:?}: {block}", flagged[i]);
                        }
                    }
                }
                "supplemental" if labeller.is_caption_or_credit(block) => {
                    positives += 1;
                    if hit {
                        positives_flagged += 1;
                        if detail() {
                            println!("POS supplemental {:?}: {block}", flagged[i]);
                        }
                    } else if detail() {
                        println!("MISS supplemental: {block}");
                    }
                }
                // Collapsing the `if` into the guard (clippy's suggestion) would send unflagged
                // blocks to the next arm and count them as flagged.
                #[allow(clippy::collapsible_match)]
                "supplemental" if !hit => {
                    if detail() {
                        println!("NEG unlabelled supplemental: {block}");
                    }
                }
                "supplemental" => {
                    other_supplemental_flagged += 1;
                    if detail() {
                        println!("HIT unlabelled supplemental {:?}: {block}", flagged[i]);
                    }
                }
                _ => {}
            }
        }
    }
    println!(
        "l3s-gn1: fulltext {fulltext_flagged}/{fulltext} flagged; caption/credit {positives_flagged}/{positives} flagged; other supplemental flagged {other_supplemental_flagged}"
    );
    Ok((
        fulltext_flagged as f64 / fulltext.max(1) as f64,
        positives_flagged as f64 / positives.max(1) as f64,
    ))
}

/// BBC: number of findings (each is reviewed by hand; `COPYDESK_DETAIL=1` prints them).
fn bbc(linter: &Linter, data: &Path) -> anyhow::Result<usize> {
    let root = data.join("bbc-news/bbc");
    let mut paths = Vec::new();
    for topic in std::fs::read_dir(&root).with_context(|| format!("reading {}", root.display()))? {
        let topic = topic?.path();
        if !topic.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(topic)? {
            paths.push(file?.path());
        }
    }
    paths.sort();
    let mut texts = Vec::new();
    for path in paths {
        // sport/199.txt is Latin-1: a bad input the engine reports, skipped here.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        texts.push((shown, text));
    }
    let mut n = 0;
    for (shown, text) in &texts {
        for (rule, f) in linter.lint_text(shown, text) {
            n += 1;
            if detail() {
                println!("BBC {shown} [{rule}]: {}", &text[f.span.clone()]);
            }
        }
    }
    // Throughput in memory, best of three (the machine is shared): parse alone, then parse and
    // the four rules; the difference is this kind's cost.
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let best = |f: &dyn Fn()| {
        (0..3)
            .map(|_| {
                let started = std::time::Instant::now();
                f();
                started.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let parse = best(&|| {
        for (shown, text) in &texts {
            std::hint::black_box(Document::parse(Arc::from(shown.as_str()), text.clone()));
        }
    });
    let all = best(&|| {
        for (shown, text) in &texts {
            std::hint::black_box(linter.lint_text(shown, text));
        }
    });
    let mb = bytes as f64 / 1e6;
    println!(
        "bbc: {n} findings; {mb:.1} MB: parse {:.0} MB/s, parse + 4 rules {:.0} MB/s, 4 rules alone {:.0} MB/s (one thread)",
        mb / parse.max(1e-9),
        mb / all.max(1e-9),
        mb / (all - parse).max(1e-9)
    );
    Ok(n)
}

/// The seed: its four caption and credit lines, nothing else.
fn seed(linter: &Linter) -> anyhow::Result<(usize, usize)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/000_9b82e2ada17d45fb.txt");
    let text = std::fs::read_to_string(&path)?;
    let expected = [
        "Lawyers say prayers for colleagues",
        "Caren Firouz / Reuters",
        "In this file image taken from a video recording",
        "Reuters",
    ];
    let findings = linter.lint_text("seed.txt", &text);
    if detail() {
        for (rule, f) in &findings {
            println!(
                "SEED [{rule}] {:?} args={:?}",
                &text[f.span.clone()],
                f.args
            );
            for label in &f.labels {
                println!(
                    "    label {:?}: {}",
                    &text[label.span.clone()],
                    label.message
                );
            }
            if let Some(fix) = &f.fix {
                println!("    fix {}: {:?}", fix.description, fix.edits);
            }
        }
    }
    let got: Vec<&str> = findings
        .iter()
        .map(|(_, f)| &text[f.span.clone()])
        .collect();
    let found = expected
        .iter()
        .filter(|e| got.iter().any(|g| g.starts_with(*e)))
        .count();
    let extra = got
        .iter()
        .filter(|g| !expected.iter().any(|e| g.starts_with(e)))
        .count();
    Ok((found, extra))
}

/// Extra corpus for manual review: every `*.txt` in `$UC_EXTRA_DIR`, findings printed.
fn extra(linter: &Linter) -> anyhow::Result<()> {
    let Some(dir) = std::env::var_os("UC_EXTRA_DIR") else {
        return Ok(());
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| Some(e.ok()?.path()))
        .collect();
    paths.sort();
    let mut n = 0;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for (rule, f) in linter.lint_text(&path.display().to_string(), &text) {
            n += 1;
            println!(
                "EXTRA {} [{rule}]: {}",
                path.display(),
                &text[f.span.clone()]
            );
        }
    }
    println!("extra: {n} findings in {} files", paths.len());
    Ok(())
}

pub fn run(data: &Path) -> anyhow::Result<Vec<Bar>> {
    let linter = Linter::new()?;
    extra(&linter)?;
    let (fulltext_rate, recall) = l3s(&linter, data)?;
    let bbc_findings = bbc(&linter, data)?;
    let (seed_found, seed_extra) = seed(&linter)?;
    Ok(vec![
        Bar::new(
            "l3s-gn1 fulltext blocks flagged (share)",
            fulltext_rate,
            Op::AtMost,
            0.003,
        ),
        Bar::new(
            "l3s-gn1 caption/credit supplemental flagged (share)",
            recall,
            Op::AtLeast,
            0.8,
        ),
        Bar::new(
            "bbc findings (all reviewed; false ones in report)",
            bbc_findings as f64,
            Op::AtMost,
            2.0,
        ),
        Bar::new(
            "seed caption and credit lines found",
            seed_found as f64,
            Op::AtLeast,
            4.0,
        ),
        Bar::new(
            "seed other lines flagged",
            seed_extra as f64,
            Op::AtMost,
            0.0,
        ),
    ])
}
