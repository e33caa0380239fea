//! Criterion micro-benchmarks of copydesk's hot inner loops: parsing a document, splitting
//! sentences, iterating words, and the whole engine over a hundred documents with the built-in
//! rules. Input is the seed article in `seeds/`, so the figures compare across machines and runs.
//!
//! `cargo bench --bench hot_paths` (add `-- parse` to run one group). The end-to-end throughput
//! figures are `bench/run.sh`'s job.

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use copydesk::document::Document;
use copydesk::engine::{LintOptions, lint_texts};
use copydesk::rules::RuleSet;
use copydesk::text::{split_sentences, words};

const SEED: &str = include_str!("../seeds/000_9b82e2ada17d45fb.txt");

/// A hundred different articles made from the seed: paragraphs rotated, one sentence numbered,
/// so no two bodies are the same (the duplicate rule stays quiet, as on a real corpus).
fn corpus(n: usize) -> Vec<(Arc<str>, String)> {
    let mut lines = SEED.lines();
    let headline = lines.next().unwrap_or_default();
    let paragraphs: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    (0..n)
        .map(|i| {
            let mut text = format!("{headline}\n");
            for k in 0..paragraphs.len() {
                text.push_str(paragraphs[(i + k) % paragraphs.len()]);
                if k == 0 {
                    let _ = write!(text, " Report number {i} followed.");
                }
                text.push('\n');
            }
            (Arc::from(format!("doc{i:03}.txt")), text)
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("document");
    group.throughput(Throughput::Bytes(SEED.len() as u64));
    let path: Arc<str> = Arc::from("seed.txt");
    group.bench_function("parse", |b| {
        b.iter(|| Document::parse(path.clone(), black_box(SEED).to_string()));
    });
    group.finish();
}

fn text(c: &mut Criterion) {
    let doc = Document::parse(Arc::from("seed.txt"), SEED.to_string());
    let body = doc.body_span();
    let mut group = c.benchmark_group("text");
    group.throughput(Throughput::Bytes(body.len() as u64));
    let mut out = Vec::new();
    group.bench_function("split_sentences", |b| {
        b.iter(|| {
            out.clear();
            split_sentences(black_box(SEED), body.clone(), &mut out);
            out.len()
        });
    });
    group.bench_function("words", |b| {
        b.iter(|| words(black_box(SEED), body.clone()).count());
    });
    group.finish();
}

fn engine(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let texts = corpus(100);
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let options = LintOptions {
        jobs: Some(1),
        ..LintOptions::default()
    };
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(30);
    group.bench_function("lint_texts_100_docs_1_job", |b| {
        b.iter(|| {
            lint_texts(&rules, black_box(&texts), &options)
                .diagnostics
                .len()
        });
    });
    group.finish();
}

criterion_group!(benches, parse, text, engine);
criterion_main!(benches);
