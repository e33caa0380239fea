//! The glue of the pipeline: take the walked files a chunk at a time; read each file, build its
//! `Document`, run the document rules and collect corpus facts in a rayon map; hand the chunk's
//! sorted findings to the sink; at the end merge the per-worker corpus accumulators and run the
//! corpus rules once. Output never depends on thread count or file order.
//!
//! A document's text is kept only until its chunk is emitted, and only if a diagnostic points into
//! it; texts that corpus findings point at are read again at the end. Memory holds one chunk and
//! the corpus facts, whatever the corpus size.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::checks::{CompiledCheck, DynCorpusCheck};
use crate::diagnostic::{self, Diagnostic, Finding, Label, Severity};
use crate::document::{Document, Suppression};
use crate::input::{Decoded, decode, read_file};
use crate::rules::{ENGINE_RULES, Rule, RuleSet};
use crate::walk::{Input, InputSource, WalkItem, io_reason};

/// Which rules run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only these rules (empty: all).
    pub select: Vec<String>,
    /// Never these rules.
    pub ignore: Vec<String>,
}

impl Selection {
    pub fn allows(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| s == id))
            && !self.ignore.iter().any(|s| s == id)
    }
}

#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Worker threads; `None` uses every core.
    pub jobs: Option<usize>,
    pub selection: Selection,
    /// Measure time per rule and per phase.
    pub timings: bool,
}

/// Counts for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read (or texts given).
    pub files: usize,
    /// Documents checked.
    pub documents: usize,
    /// Files not checked: binary or not UTF-8.
    pub skipped: usize,
    pub binary: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub bytes: u64,
}

impl Summary {
    /// Adds the errors, warnings and infos among `diagnostics`.
    pub fn recount_add(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }

    /// Recounts errors, warnings and infos after diagnostics were filtered (baselines).
    pub fn recount(&mut self, diagnostics: &[Diagnostic]) {
        self.errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        self.warnings = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        self.infos = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Info)
            .count();
    }
}

/// Time spent per phase and per rule (summed over threads for rules).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub walk: Duration,
    pub map: Duration,
    pub reduce: Duration,
    pub emit: Duration,
    /// Time inside each rule's check (document rules) or collect + reduce (corpus rules).
    pub rules: Vec<(Arc<str>, Duration)>,
    /// Reading and parsing documents, summed over threads.
    pub read: Duration,
}

/// Texts that diagnostics point into, by display path.
#[derive(Default, Debug)]
pub struct Sources {
    texts: HashMap<Arc<str>, Arc<str>>,
}

impl Sources {
    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(AsRef::as_ref)
    }

    pub fn insert(&mut self, path: Arc<str>, text: Arc<str>) {
        self.texts.insert(path, text);
    }
}

pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    pub summary: Summary,
    /// Paths that could not be read.
    pub io_errors: Vec<String>,
    /// Documents where a check panicked.
    pub internal_errors: usize,
    pub timings: Option<Timings>,
}

/// The rules that run, split by scope.
struct Active<'a> {
    document: Vec<(&'a Rule, usize)>,
    corpus: Vec<(&'a Rule, usize)>,
    /// Corpus rules that fold one accumulator together (equal kind and `share_key`), as indices
    /// into `corpus`; the first of each group collects and folds for all.
    groups: Vec<Vec<usize>>,
    engine: HashSet<&'static str>,
    /// Every rule id that exists, selected or not (to check suppression directives).
    known: HashSet<&'a str>,
    n_rules: usize,
}

impl<'a> Active<'a> {
    fn new(rules: &'a RuleSet, selection: &Selection) -> Active<'a> {
        let mut document = Vec::new();
        let mut corpus = Vec::new();
        let mut n = 0;
        for rule in rules.rules.iter().filter(|r| selection.allows(&r.id)) {
            match rule.check {
                CompiledCheck::Document(_) => document.push((rule, n)),
                CompiledCheck::Corpus(_) => corpus.push((rule, n)),
            }
            n += 1;
        }
        let engine = ENGINE_RULES
            .iter()
            .map(|r| r.id)
            .filter(|id| selection.allows(id))
            .collect();
        let known = rules
            .rules
            .iter()
            .map(|r| &*r.id)
            .chain(ENGINE_RULES.iter().map(|r| r.id))
            .collect();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut keyed: Vec<((&str, u64), usize)> = Vec::new();
        for (i, (rule, _)) in corpus.iter().enumerate() {
            let key = match &rule.check {
                CompiledCheck::Corpus(c) => c.share_key().map(|k| (rule.kind.name(), k)),
                CompiledCheck::Document(_) => None,
            };
            if let Some(g) =
                key.and_then(|k| keyed.iter().find(|(kk, _)| *kk == k).map(|(_, g)| *g))
            {
                groups[g].push(i);
            } else {
                if let Some(k) = key {
                    keyed.push((k, groups.len()));
                }
                groups.push(vec![i]);
            }
        }
        Active {
            document,
            corpus,
            groups,
            engine,
            known,
            n_rules: n,
        }
    }

    /// The type-erased check of corpus rule `i`.
    fn corpus_check(&self, i: usize) -> &'a dyn DynCorpusCheck {
        match &self.corpus[i].0.check {
            CompiledCheck::Corpus(c) => c.as_ref(),
            CompiledCheck::Document(_) => unreachable!("the corpus list holds corpus rules"),
        }
    }
}

/// What the workers accumulate over one chunk of documents. Corpus accumulators live apart,
/// one per worker thread, for the whole run (see `Slots`).
struct ChunkAcc {
    diagnostics: Vec<Diagnostic>,
    sources: Vec<(Arc<str>, Arc<str>)>,
    summary: Summary,
    io_errors: Vec<String>,
    internal_errors: usize,
    rule_time: Vec<Duration>,
    read_time: Duration,
    /// Suppression directives of documents that have any, for corpus findings.
    suppressions: Vec<(Arc<str>, Vec<Suppression>)>,
}

impl ChunkAcc {
    fn new(n_rules: usize) -> ChunkAcc {
        ChunkAcc {
            diagnostics: Vec::new(),
            sources: Vec::new(),
            summary: Summary::default(),
            io_errors: Vec::new(),
            internal_errors: 0,
            rule_time: vec![Duration::ZERO; n_rules],
            read_time: Duration::ZERO,
            suppressions: Vec::new(),
        }
    }

    fn merge(mut self, b: ChunkAcc) -> ChunkAcc {
        self.diagnostics.extend(b.diagnostics);
        self.sources.extend(b.sources);
        add_summary(&mut self.summary, &b.summary);
        self.io_errors.extend(b.io_errors);
        self.internal_errors += b.internal_errors;
        for (x, y) in self.rule_time.iter_mut().zip(b.rule_time) {
            *x += y;
        }
        self.read_time += b.read_time;
        self.suppressions.extend(b.suppressions);
        self
    }
}

/// The corpus accumulators, one set per worker thread, kept for the whole run: a worker folds
/// every document it checks into its own set (its lock is never contended), and the sets are
/// merged once at the end. Merging per chunk instead would copy the name inventory each time.
struct Slots(Vec<std::sync::Mutex<Vec<Box<dyn Any + Send + Sync>>>>);

impl Slots {
    fn new(active: &Active<'_>, threads: usize) -> Slots {
        Slots(
            (0..threads.max(1))
                .map(|_| std::sync::Mutex::new(active.new_corpus_accs()))
                .collect(),
        )
    }

    /// This worker's set (any set, should the caller not be a worker of the pool).
    fn mine(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn Any + Send + Sync>>> {
        let i = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        // A panic inside a corpus check is caught before it could poison the lock.
        self.0[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The workers' sets merged into one accumulator per rule group; the groups merge side by
    /// side on `threads`.
    fn into_merged(
        self,
        active: &Active<'_>,
        threads: Threads<'_>,
    ) -> Vec<Box<dyn Any + Send + Sync>> {
        // Per group, every worker's accumulator of it.
        let mut per_group: Vec<Vec<Box<dyn Any + Send + Sync>>> =
            active.groups.iter().map(|_| Vec::new()).collect();
        for set in self.0 {
            let set = set
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (accs, acc) in per_group.iter_mut().zip(set) {
                accs.push(acc);
            }
        }
        let mut merged = each_group(threads, per_group, |g, accs| {
            let check = active.corpus_check(active.groups[g][0]);
            let mut accs = accs.into_iter();
            let mut into = accs.next().unwrap_or_else(|| check.new_acc());
            for other in accs {
                check.merge(into.as_mut(), other);
            }
            into
        });
        merged.truncate(active.groups.len());
        merged
    }
}

impl Active<'_> {
    fn new_corpus_accs(&self) -> Vec<Box<dyn Any + Send + Sync>> {
        self.groups
            .iter()
            .map(|g| self.corpus_check(g[0]).new_acc())
            .collect()
    }
}

/// Documents per chunk: enough to keep every worker busy between two emissions, few enough that
/// a chunk's findings and texts stay small.
const CHUNK: usize = 1024;

/// Chunks queued on the pool at once: one being finished and one to go on with.
const IN_FLIGHT: usize = 2;

/// Corpus findings per emitted batch (a file's findings are never split).
const CORPUS_BATCH: usize = 512;

/// What a run reports besides its diagnostics.
pub struct RunStats {
    pub summary: Summary,
    /// Paths that could not be walked or read, sorted.
    pub io_errors: Vec<String>,
    /// Documents where a check panicked.
    pub internal_errors: usize,
    pub timings: Option<Timings>,
}

/// Receives diagnostics as the run produces them: each call gets a batch in its final order with
/// the texts its spans point into. Document findings come chunk by chunk in input order, then
/// the corpus findings (sorted) in one last batch.
pub type Sink<'s> = dyn FnMut(Vec<Diagnostic>, &Sources) -> std::io::Result<()> + 's;

pub fn lint_files(rules: &RuleSet, inputs: &[Input], options: &LintOptions) -> Outcome {
    collect(rules, inputs, options)
}

/// Lints texts held in memory, as if each were a file at its path.
pub fn lint_texts(rules: &RuleSet, texts: &[(Arc<str>, String)], options: &LintOptions) -> Outcome {
    let inputs: Vec<Input> = texts
        .iter()
        .map(|(path, text)| Input::memory(path.clone(), Arc::from(text.as_bytes())))
        .collect();
    collect(rules, &inputs, options)
}

/// Runs over a list of inputs and gathers every diagnostic into one sorted `Outcome`.
fn collect(rules: &RuleSet, inputs: &[Input], options: &LintOptions) -> Outcome {
    let mut diagnostics = Vec::new();
    let mut sources = Sources::default();
    let producer = |found: &mut dyn FnMut(WalkItem) -> bool| {
        for input in inputs {
            if !found(WalkItem::Input(input.clone())) {
                return;
            }
        }
    };
    let stats = run(rules, producer, options, &mut |batch, batch_sources| {
        for d in &batch {
            for path in
                std::iter::once(&d.path).chain(d.labels.iter().filter_map(|l| l.path.as_ref()))
            {
                if sources.get(path).is_none()
                    && let Some(text) = batch_sources.texts.get(path)
                {
                    sources.insert(path.clone(), text.clone());
                }
            }
        }
        diagnostics.extend(batch);
        Ok(())
    })
    .expect("collecting into memory does not fail");
    diagnostic::sort(&mut diagnostics);
    Outcome {
        diagnostics,
        sources,
        summary: stats.summary,
        io_errors: stats.io_errors,
        internal_errors: stats.internal_errors,
        timings: stats.timings,
    }
}

/// The pipeline. `produce` walks (on a thread of its own, so walking overlaps checking) and hands
/// over inputs; workers read, parse and check them a chunk at a time; each chunk's findings go to
/// `sink` sorted, with their texts, and are dropped; corpus rules reduce at the end. Memory holds
/// one chunk, the corpus accumulators and a little per-file bookkeeping, whatever the corpus size.
///
/// # Errors
/// Only what `sink` returns.
pub fn run(
    rules: &RuleSet,
    produce: impl FnOnce(&mut dyn FnMut(WalkItem) -> bool) + Send,
    options: &LintOptions,
    sink: &mut Sink<'_>,
) -> std::io::Result<RunStats> {
    let active = Active::new(rules, &options.selection);
    let timings = options.timings;

    // `--jobs N` gets a pool of its own; otherwise rayon's global pool (one thread per core) is
    // reused, so that library callers linting many small batches do not pay for a pool each time.
    // `--jobs 1` needs no pool: it runs on this thread alone (below).
    let serial = options.jobs == Some(1);
    let pool = options
        .jobs
        .filter(|_| !serial)
        .and_then(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok());
    let threads = if serial {
        1
    } else {
        pool.as_ref().map_or_else(
            rayon::current_num_threads,
            rayon::ThreadPool::current_num_threads,
        )
    };
    let slots = Slots::new(&active, threads);
    let mut total = ChunkAcc::new(active.n_rules);
    let mut memory_inputs: HashMap<Arc<str>, Arc<[u8]>> = HashMap::new();
    let mut walk_time = Duration::ZERO;

    let map_start = Instant::now();
    if serial {
        // `--jobs 1` is one thread, as ripgrep's `-j1`: this thread walks, checks and emits,
        // chunk by chunk, and no other thread runs (a CI runner given one core gets one).
        let mut chunk: Vec<Input> = Vec::with_capacity(CHUNK);
        let mut result = Ok(());
        let mut check_time = Duration::ZERO;
        let mut check =
            |chunk: &mut Vec<Input>, total: &mut ChunkAcc, result: &mut std::io::Result<()>| {
                let t = Instant::now();
                let mut acc = ChunkAcc::new(active.n_rules);
                for input in chunk.drain(..) {
                    lint_input(&active, &slots, &input, &mut acc, timings);
                }
                if let Some((diagnostics, sources)) = settle(acc, total)
                    && result.is_ok()
                {
                    *result = sink(diagnostics, &sources);
                }
                check_time += t.elapsed();
            };
        produce(&mut |item| {
            match item {
                WalkItem::Input(input) => {
                    if let InputSource::Memory(bytes) = &input.source {
                        memory_inputs.insert(input.display.clone(), bytes.clone());
                    }
                    chunk.push(input);
                    if chunk.len() == CHUNK {
                        check(&mut chunk, &mut total, &mut result);
                    }
                }
                WalkItem::Error(e) => total.io_errors.push(e),
            }
            true
        });
        check(&mut chunk, &mut total, &mut result);
        walk_time = map_start.elapsed().saturating_sub(check_time);
        return finish(
            &active,
            slots,
            total,
            &memory_inputs,
            result,
            walk_time,
            map_start.elapsed(),
            timings,
            None,
            sink,
        );
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<WalkItem>(CHUNK * 2);
    let walked: std::io::Result<()> = std::thread::scope(|scope| {
        let walker = scope.spawn(move || {
            // Time spent waiting for the workers to take files is not walking.
            let t = Instant::now();
            let mut waiting = Duration::ZERO;
            // Timed only when the queue is full: two clock reads a file cost more than the rest
            // of the wait accounting.
            produce(&mut |item| match tx.try_send(item) {
                Ok(()) => true,
                Err(std::sync::mpsc::TrySendError::Full(item)) => {
                    let w = Instant::now();
                    let sent = tx.send(item).is_ok();
                    waiting += w.elapsed();
                    sent
                }
                Err(std::sync::mpsc::TrySendError::Disconnected(_)) => false,
            });
            t.elapsed().saturating_sub(waiting)
        });
        // A pipeline without a barrier: up to `IN_FLIGHT` chunks are queued on the pool at once,
        // so a worker done with its share of chunk k takes pieces of chunk k+1 instead of
        // waiting for the other to finish k (with one chunk at a time, each chunk's tail left a
        // worker idle: 3% to 5% of the run). This thread gathers chunks from the walker and
        // emits the checked ones in walk order.
        let mut receive = |total: &mut ChunkAcc| {
            let mut chunk = Vec::with_capacity(CHUNK);
            while chunk.len() < CHUNK {
                match rx.recv() {
                    Ok(WalkItem::Input(input)) => {
                        if let InputSource::Memory(bytes) = &input.source {
                            memory_inputs.insert(input.display.clone(), bytes.clone());
                        }
                        chunk.push(input);
                    }
                    Ok(WalkItem::Error(e)) => total.io_errors.push(e),
                    Err(_) => break,
                }
            }
            chunk
        };
        let map = |chunk: &[Input]| {
            chunk
                .par_iter()
                // Small pieces to steal, so that the chunk's last documents are shared out.
                .with_max_len(4)
                .fold(
                    || ChunkAcc::new(active.n_rules),
                    |mut acc, input| {
                        lint_input(&active, &slots, input, &mut acc, timings);
                        acc
                    },
                )
                .reduce(|| ChunkAcc::new(active.n_rules), ChunkAcc::merge)
        };
        let mut result = Ok(());
        in_place_scope(pool.as_ref(), |scope| {
            let (done_tx, done_rx) = std::sync::mpsc::channel();
            // Chunks handed to the pool, and the next one to emit (all before it are emitted).
            let (mut queued, mut emitted) = (0usize, 0usize);
            // Chunks checked ahead of their turn to be emitted.
            let mut early: HashMap<usize, ChunkAcc> = HashMap::new();
            let mut walked_all = false;
            loop {
                while !walked_all && queued - emitted < IN_FLIGHT {
                    let chunk = receive(&mut total);
                    if chunk.is_empty() {
                        walked_all = true;
                        break;
                    }
                    let (tx, map, seq) = (done_tx.clone(), &map, queued);
                    scope.spawn(move |_| {
                        // Documents are checked under `catch_unwind` already; this only keeps a
                        // bug here from leaving the loop below waiting for ever.
                        let checked = catch_unwind(AssertUnwindSafe(|| map(&chunk)));
                        let _ = tx.send((seq, checked));
                    });
                    queued += 1;
                }
                if emitted == queued {
                    break;
                }
                let acc = loop {
                    if let Some(acc) = early.remove(&emitted) {
                        break acc;
                    }
                    let (seq, checked) = next_checked(&done_rx);
                    match checked {
                        Ok(acc) => early.insert(seq, acc),
                        Err(panic) => std::panic::resume_unwind(panic),
                    };
                };
                emitted += 1;
                if let Some((diagnostics, sources)) = settle(acc, &mut total)
                    && result.is_ok()
                {
                    // After a failed write (a closed pipe) the rest is still checked for the
                    // exit code, but nothing more is written.
                    result = sink(diagnostics, &sources);
                }
            }
        });
        // The walker ends when the channel is drained or dropped.
        drop(rx);
        walk_time = walker.join().unwrap_or_default();
        result
    });
    let map_time = map_start.elapsed();
    finish(
        &active,
        slots,
        total,
        &memory_inputs,
        walked,
        walk_time,
        map_time,
        timings,
        Some(pool.as_ref()),
        sink,
    )
}

/// The end of a run: merges the workers' corpus accumulators, reduces them into findings
/// (emitted last, in batches), and gathers the run's statistics.
#[allow(clippy::too_many_arguments)]
fn finish(
    active: &Active<'_>,
    slots: Slots,
    mut total: ChunkAcc,
    memory_inputs: &HashMap<Arc<str>, Arc<[u8]>>,
    walked: std::io::Result<()>,
    walk_time: Duration,
    map_time: Duration,
    timings: bool,
    threads: Threads<'_>,
    sink: &mut Sink<'_>,
) -> std::io::Result<RunStats> {
    let reduce_start = Instant::now();
    let corpus = slots.into_merged(active, threads);
    // The workers' buffers and the accumulators merged away are free now: handed back before
    // the reduce allocates, so that the run's peak is not the map's plus the reduce's.
    crate::memory::release_freed_memory();
    let mut rule_time = std::mem::take(&mut total.rule_time);
    let suppressed: HashMap<&str, &[Suppression]> = total
        .suppressions
        .iter()
        .map(|(p, s)| (&**p, s.as_slice()))
        .collect();
    // One group at a time, its accumulator dropped and the memory handed back once its rules
    // are reduced: side by side, or without the hand-back between them, two groups' working
    // memory stacks (125 MB against 99 MB at 4x the benchmark corpus). The rules of one group
    // (which read the same accumulator) reduce side by side. A rule's findings, or `None` where
    // it panicked, with its time.
    let mut reduced = Vec::new();
    for (group, corpus_acc) in active.groups.iter().zip(corpus) {
        let acc = corpus_acc.as_ref();
        reduced.extend(each_group(threads, group.clone(), |_, i| {
            let check = active.corpus_check(i);
            let t = Instant::now();
            let findings = catch_unwind(AssertUnwindSafe(|| check.reduce(acc))).ok();
            (i, t.elapsed(), findings)
        }));
        drop(corpus_acc);
        crate::memory::release_freed_memory();
    }
    let mut reduce_failures = 0;
    let mut diagnostics = Vec::new();
    for (i, time, findings) in reduced {
        let (rule, index) = &active.corpus[i];
        rule_time[*index] += time;
        match findings {
            Some(findings) => {
                for (path, finding) in findings {
                    let quiet = suppressed
                        .get(&*path)
                        .is_some_and(|s| s.iter().any(|s| s.covers(&rule.id, finding.span.start)));
                    if quiet {
                        continue;
                    }
                    diagnostics.push(to_diagnostic(rule, path, finding));
                }
            }
            None if !active.engine.contains("internal-error") => reduce_failures += 1,
            None => {
                reduce_failures += 1;
                diagnostics.push(Diagnostic {
                    rule: Arc::from("internal-error"),
                    check: "engine",
                    severity: Severity::Error,
                    message: format!(
                        "rule `{}` failed while comparing documents (a bug in copydesk)",
                        rule.id
                    ),
                    path: Arc::from(""),
                    span: 0..0,
                    labels: Vec::new(),
                    notes: vec!["please report it; the other rules' findings are complete".into()],
                    fix: None,
                });
            }
        }
    }
    diagnostic::sort(&mut diagnostics);
    let reduce_time = reduce_start.elapsed();
    total.summary.recount_add(&diagnostics);
    let mut result = walked;
    // Emitted in batches of whole files, each with the texts it points into, read again here:
    // the texts of every file with a corpus finding are never all in memory at once. While a
    // batch is written, the pool reads the next one's texts.
    let mut rest = diagnostics.into_iter().peekable();
    let mut next_batch = || {
        let mut batch: Vec<Diagnostic> = Vec::with_capacity(CORPUS_BATCH);
        while let Some(d) = rest.next_if(|d| {
            batch.len() < CORPUS_BATCH || batch.last().is_some_and(|last| last.path == d.path)
        }) {
            batch.push(d);
        }
        batch
    };
    let load = |batch: Vec<Diagnostic>| {
        let mut sources = Sources::default();
        load_sources(threads, memory_inputs, &batch, &mut sources);
        (batch, sources)
    };
    let mut ready = Some(load(next_batch())).filter(|(batch, _)| !batch.is_empty());
    while result.is_ok()
        && let Some((batch, sources)) = ready.take()
    {
        let following = next_batch();
        let mut loaded = None;
        match threads {
            // One thread: read, then write.
            None => {
                result = sink(batch, &sources);
                loaded = Some(load(following));
            }
            Some(pool) => in_place_scope(pool, |scope| {
                scope.spawn(|_| loaded = Some(load(following)));
                result = sink(batch, &sources);
            }),
        }
        ready = loaded.filter(|(batch, _)| !batch.is_empty());
    }
    result?;

    let mut io_errors = total.io_errors;
    io_errors.sort();
    let timings = timings.then(|| {
        let all: Vec<&Rule> = {
            let mut v: Vec<(&Rule, usize)> = active
                .document
                .iter()
                .chain(&active.corpus)
                .copied()
                .collect();
            v.sort_by_key(|(_, i)| *i);
            v.into_iter().map(|(r, _)| r).collect()
        };
        Timings {
            walk: walk_time,
            map: map_time,
            reduce: reduce_time,
            emit: Duration::ZERO,
            rules: all
                .iter()
                .zip(&rule_time)
                .map(|(r, t)| (r.id.clone(), *t))
                .collect(),
            read: total.read_time,
        }
    });
    Ok(RunStats {
        summary: total.summary,
        io_errors,
        internal_errors: total.internal_errors + reduce_failures,
        timings,
    })
}

/// A checked chunk: its diagnostics sorted, with the texts they point into, ready to emit;
/// its counts and timings added to `total`.
fn settle(mut acc: ChunkAcc, total: &mut ChunkAcc) -> Option<(Vec<Diagnostic>, Sources)> {
    let mut diagnostics = std::mem::take(&mut acc.diagnostics);
    let sources = Sources {
        texts: std::mem::take(&mut acc.sources).into_iter().collect(),
    };
    diagnostic::sort(&mut diagnostics);
    acc.summary.recount_add(&diagnostics);
    *total = std::mem::replace(total, ChunkAcc::new(0)).merge(acc);
    (!diagnostics.is_empty()).then_some((diagnostics, sources))
}

/// The next message from the pool's chunk jobs. A library caller may lint from a worker thread
/// of the pool itself (the accuracy harness does, from `par_iter`): blocking that thread could
/// leave the chunks queued with no thread free to check them, so there the wait runs queued work
/// meanwhile, as rayon's own waits do. Anywhere else it blocks.
fn next_checked<T>(rx: &std::sync::mpsc::Receiver<T>) -> T {
    use std::sync::mpsc::RecvTimeoutError;
    const WAKE: Duration = Duration::from_micros(100);
    loop {
        if let Ok(message) = rx.try_recv() {
            return message;
        }
        match rayon::yield_now() {
            // Not a worker thread: nothing of the pool's waits on this one.
            None => return rx.recv().expect("the waiting thread holds a sender"),
            Some(rayon::Yield::Executed) => {}
            // Nothing to run here; another thread has the job.
            Some(rayon::Yield::Idle) => match rx.recv_timeout(WAKE) {
                Ok(message) => return message,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    unreachable!("the waiting thread holds a sender")
                }
            },
        }
    }
}

/// Where the end of a run may spread its work: `None` for `--jobs 1` (this thread only), else
/// the run's pool (`Some(None)`: rayon's global pool).
type Threads<'a> = Option<Option<&'a rayon::ThreadPool>>;

/// `f` applied to each item with its index, the items side by side on `threads` (one task
/// each: there are as many as rule groups, two by default), results in the items' order.
fn each_group<T: Send, R: Send>(
    threads: Threads<'_>,
    items: Vec<T>,
    f: impl Fn(usize, T) -> R + Sync,
) -> Vec<R> {
    let Some(pool) = threads.filter(|_| items.len() > 1) else {
        return items
            .into_iter()
            .enumerate()
            .map(|(i, t)| f(i, t))
            .collect();
    };
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let f = &f;
    in_place_scope(pool, |scope| {
        for ((i, item), slot) in items.into_iter().enumerate().zip(&mut results) {
            scope.spawn(move |_| *slot = Some(f(i, item)));
        }
    });
    // Every task ran to its end (a panic would have been resumed here by the scope).
    results.into_iter().flatten().collect()
}

/// Runs `op` on this thread, with a scope whose spawned work goes to `pool` (or the global pool).
fn in_place_scope<'scope, R>(
    pool: Option<&rayon::ThreadPool>,
    op: impl FnOnce(&rayon::Scope<'scope>) -> R,
) -> R {
    match pool {
        Some(pool) => pool.in_place_scope(op),
        None => rayon::in_place_scope(op),
    }
}

/// Reads one input and lints it.
fn lint_input(
    active: &Active<'_>,
    slots: &Slots,
    input: &Input,
    acc: &mut ChunkAcc,
    timings: bool,
) {
    let t = timings.then(Instant::now);
    let bytes = match &input.source {
        InputSource::File(path) => read_file(path),
        InputSource::Memory(bytes) => Ok(bytes.to_vec()),
    };
    if let Some(t) = t {
        acc.read_time += t.elapsed();
    }
    match bytes {
        Ok(bytes) => lint_bytes(active, slots, input.display.clone(), bytes, acc, timings),
        Err(e) => acc
            .io_errors
            .push(format!("{}: {}", input.display, io_reason(&e))),
    }
}

fn add_summary(a: &mut Summary, b: &Summary) {
    a.files += b.files;
    a.documents += b.documents;
    a.skipped += b.skipped;
    a.binary += b.binary;
    a.bytes += b.bytes;
    a.errors += b.errors;
    a.warnings += b.warnings;
    a.infos += b.infos;
}

fn lint_bytes(
    active: &Active<'_>,
    slots: &Slots,
    path: Arc<str>,
    bytes: Vec<u8>,
    acc: &mut ChunkAcc,
    timings: bool,
) {
    acc.summary.files += 1;
    acc.summary.bytes += bytes.len() as u64;
    let t = timings.then(Instant::now);
    let text = match decode(bytes) {
        Decoded::Text(text) => text,
        Decoded::Binary => {
            acc.summary.skipped += 1;
            acc.summary.binary += 1;
            return;
        }
        Decoded::InvalidUtf8 {
            valid,
            offset,
            len,
            byte,
        } => {
            acc.summary.skipped += 1;
            if active.engine.contains("invalid-utf8") {
                acc.diagnostics.push(engine_diagnostic(
                    "invalid-utf8",
                    &path,
                    offset..offset + len,
                    format!("file is not valid UTF-8: byte 0x{byte:02X} at offset {offset}"),
                    "copydesk reads UTF-8 only; convert the file (for example `iconv -f latin1 -t utf-8`) \
                     and lint it again. The rest of the file was not checked",
                ));
                acc.sources.push((path, Arc::from(valid)));
            }
            return;
        }
    };
    // Parsing never fails by design; should it panic all the same, only this file is lost.
    let Ok(doc) = catch_unwind(AssertUnwindSafe(|| Document::parse(path.clone(), text))) else {
        internal_error(active, acc, &path, "document parser");
        return;
    };
    if let Some(t) = t {
        acc.read_time += t.elapsed();
    }
    acc.summary.documents += 1;
    let before = acc.diagnostics.len();
    if doc.is_blank() && active.engine.contains("empty-document") {
        let end = doc.text.len();
        acc.diagnostics.push(engine_diagnostic(
            "empty-document",
            &path,
            0..end,
            "document is empty".to_string(),
            "a document needs a headline and a body; delete the file or restore its text",
        ));
    }
    check_directives(active, &doc, acc);
    let mut findings = Vec::new();
    for &(rule, index) in &active.document {
        let CompiledCheck::Document(check) = &rule.check else {
            continue;
        };
        findings.clear();
        let t = timings.then(Instant::now);
        let result = catch_unwind(AssertUnwindSafe(|| check.check(&doc, &mut findings)));
        if let Some(t) = t {
            acc.rule_time[index] += t.elapsed();
        }
        match result {
            Ok(()) => {
                for f in findings.drain(..) {
                    if doc
                        .suppressions
                        .iter()
                        .any(|s| s.covers(&rule.id, f.span.start))
                    {
                        continue;
                    }
                    acc.diagnostics.push(to_diagnostic(rule, path.clone(), f));
                }
            }
            Err(_) => internal_error(active, acc, &path, &rule.id),
        }
    }
    let mut failed = Vec::new();
    let mut corpus = slots.mine();
    for (group, corpus_acc) in active.groups.iter().zip(corpus.iter_mut()) {
        // The group's first rule collects and folds for all; its time is charged to it.
        let (rule, index) = &active.corpus[group[0]];
        let check = active.corpus_check(group[0]);
        let t = timings.then(Instant::now);
        let result = catch_unwind(AssertUnwindSafe(|| {
            check.collect_fold(&doc, corpus_acc.as_mut(), &path);
        }));
        if let Some(t) = t {
            acc.rule_time[*index] += t.elapsed();
        }
        if result.is_err() {
            failed.push(&rule.id);
        }
    }
    drop(corpus);
    for rule in failed {
        internal_error(active, acc, &path, rule);
    }
    if !doc.suppressions.is_empty() && !active.corpus.is_empty() {
        acc.suppressions
            .push((path.clone(), doc.suppressions.clone()));
    }
    if acc.diagnostics.len() > before {
        acc.sources.push((path, Arc::from(doc.text.as_str())));
    }
}

/// Reports suppression directives that name rules that do not exist.
fn check_directives(active: &Active<'_>, doc: &Document, acc: &mut ChunkAcc) {
    if !active.engine.contains("invalid-suppression") {
        return;
    }
    for span in &doc.unknown_directives {
        acc.diagnostics.push(engine_diagnostic(
            "invalid-suppression",
            &doc.path,
            span.clone(),
            "unknown copydesk directive".to_string(),
            "directives are copydesk-disable, copydesk-enable, copydesk-disable-next-line and \
             copydesk-disable-file; as written, this line silences nothing",
        ));
    }
    // A suppression split by an `enable` repeats its names: report each place once.
    let mut named: Vec<&(String, std::ops::Range<usize>)> = doc
        .suppressions
        .iter()
        .flat_map(|s| s.rules.iter())
        .chain(doc.enabled.iter())
        .collect();
    named.sort_by_key(|(_, span)| span.start);
    named.dedup_by_key(|(_, span)| span.start);
    for (rule, span) in named {
        if !active.known.contains(rule.as_str()) {
            let hint = crate::rules::did_you_mean(rule, active.known.iter().copied())
                .map(|r| format!("did you mean `{r}`? "))
                .unwrap_or_default();
            acc.diagnostics.push(engine_diagnostic(
                "invalid-suppression",
                &doc.path,
                span.clone(),
                format!("suppression names unknown rule `{rule}`"),
                &format!(
                    "{hint}`copydesk rules` lists every rule; as written, this directive silences \
                     nothing for `{rule}`"
                ),
            ));
        }
    }
}

fn internal_error(active: &Active<'_>, acc: &mut ChunkAcc, path: &Arc<str>, rule: &str) {
    acc.internal_errors += 1;
    if active.engine.contains("internal-error") {
        acc.diagnostics.push(engine_diagnostic(
            "internal-error",
            path,
            0..0,
            format!("rule `{rule}` failed on this document (a bug in copydesk)"),
            "please report it with this file; the other rules still checked the document",
        ));
    }
}

fn engine_diagnostic(
    rule: &'static str,
    path: &Arc<str>,
    span: std::ops::Range<usize>,
    message: String,
    note: &str,
) -> Diagnostic {
    let severity = ENGINE_RULES
        .iter()
        .find(|r| r.id == rule)
        .map_or(Severity::Error, |r| r.severity);
    Diagnostic {
        rule: Arc::from(rule),
        check: "engine",
        severity,
        message,
        path: path.clone(),
        span,
        labels: Vec::new(),
        notes: vec![note.to_string()],
        fix: None,
    }
}

fn to_diagnostic(rule: &Rule, path: Arc<str>, finding: Finding) -> Diagnostic {
    Diagnostic {
        rule: rule.id.clone(),
        check: rule.kind.name(),
        severity: rule.severity,
        message: rule.message.render(&finding.args),
        path,
        span: finding.span,
        labels: finding.labels,
        notes: finding.notes,
        fix: finding.fix,
    }
}

/// Loads the texts that corpus findings point into: files are read again (their texts were
/// dropped after their chunk), texts given in memory are looked up.
fn load_sources(
    threads: Threads<'_>,
    memory: &HashMap<Arc<str>, Arc<[u8]>>,
    diagnostics: &[Diagnostic],
    sources: &mut Sources,
) {
    let mut wanted: Vec<&Arc<str>> = diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(&d.path).chain(d.labels.iter().filter_map(|l: &Label| l.path.as_ref()))
        })
        .filter(|p| !p.is_empty())
        .collect();
    wanted.sort();
    wanted.dedup();
    let read = |path: &Arc<str>| {
        let text = match memory.get(path) {
            Some(bytes) => std::str::from_utf8(bytes).ok().map(Arc::from),
            None => read_file(Path::new(&**path))
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .map(Arc::from),
        };
        (path.clone(), text)
    };
    // On the run's threads: `--jobs 1` starts no pool, `--jobs N` uses its own.
    let texts: Vec<(Arc<str>, Option<Arc<str>>)> = match threads {
        None => wanted.into_iter().map(read).collect(),
        Some(Some(pool)) => pool.install(|| wanted.into_par_iter().map(read).collect()),
        Some(None) => wanted.into_par_iter().map(read).collect(),
    };
    for (path, text) in texts {
        if let Some(text) = text {
            sources.insert(path, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{CheckKind, CorpusCheck, DocumentCheck};
    use crate::rules::Template;

    struct Panics;

    impl DocumentCheck for Panics {
        fn check(&self, doc: &Document, _: &mut Vec<Finding>) {
            assert!(!doc.text.contains("boom"), "a check bug");
        }
    }

    /// A rule around `check`, for tests of the engine.
    fn test_rule(id: &str, kind: CheckKind, check: CompiledCheck) -> Rule {
        Rule {
            id: Arc::from(id),
            kind,
            severity: Severity::Warning,
            message: Template::parse("never shown", &[]).unwrap(),
            description: String::new(),
            link: None,
            origin: String::new(),
            params_toml: String::new(),
            examples: Vec::new(),
            check,
        }
    }

    /// A corpus check that counts documents and panics when it reduces.
    struct PanicsInReduce;

    impl CorpusCheck for PanicsInReduce {
        type Facts = ();
        type Acc = usize;
        fn collect(&self, _: &Document) -> Option<()> {
            Some(())
        }
        fn fold(&self, acc: &mut usize, _: &Arc<str>, (): ()) {
            *acc += 1;
        }
        fn merge(&self, acc: &mut usize, other: usize) {
            *acc += other;
        }
        fn reduce(&self, acc: &usize) -> Vec<(Arc<str>, Finding)> {
            panic!("a reduce bug after {acc} documents");
        }
    }

    /// A corpus rule that panics while reducing is one internal error for the run, with or
    /// without threads to spread the groups over; the other corpus rules still report.
    #[test]
    fn a_panicking_reduce_becomes_one_internal_error() {
        let mut rules = RuleSet::builtin().unwrap();
        rules.rules.push(test_rule(
            "panics-in-reduce",
            CheckKind::DuplicateDocument,
            CompiledCheck::Corpus(Box::new(PanicsInReduce)),
        ));
        let body = "Headline\n\nThe council voted on Tuesday to close the library on Elm Street \
                    after a review found the building unsafe. Officials said the collection would \
                    move to the town hall while repairs were planned, and that no staff would lose \
                    their jobs. Residents who opposed the move said they would appeal.\n";
        let texts = vec![
            (Arc::from("a.txt"), body.to_string()),
            (Arc::from("b.txt"), body.to_string()),
        ];
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let outcomes: Vec<Outcome> = [Some(1), Some(2), None]
            .into_iter()
            .map(|jobs| {
                lint_texts(
                    &rules,
                    &texts,
                    &LintOptions {
                        jobs,
                        ..LintOptions::default()
                    },
                )
            })
            .collect();
        std::panic::set_hook(prev);
        for outcome in &outcomes {
            assert_eq!(outcome.internal_errors, 1);
            let rules: Vec<&str> = outcome.diagnostics.iter().map(|d| &*d.rule).collect();
            assert!(rules.contains(&"internal-error"), "{rules:?}");
            assert!(rules.contains(&"duplicate-document"), "{rules:?}");
            assert_eq!(
                format!("{:?}", outcome.diagnostics),
                format!("{:?}", outcomes[0].diagnostics)
            );
        }
    }

    /// Linting from inside the pool's own workers (as a caller's `par_iter` does): every worker
    /// waits for its run's chunks, which only the waiting workers themselves can check.
    #[test]
    fn a_run_started_on_every_worker_of_the_pool_finishes() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rules = RuleSet::builtin().unwrap();
            let texts: Vec<(Arc<str>, String)> = (0..3)
                .map(|i| {
                    (
                        Arc::from(format!("{i}.txt")),
                        "Headline\n\nA calm and the the text.\n".to_string(),
                    )
                })
                .collect();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            let found: Vec<usize> = pool.install(|| {
                (0..8)
                    .into_par_iter()
                    .map(|_| {
                        lint_texts(&rules, &texts, &LintOptions::default())
                            .diagnostics
                            .len()
                    })
                    .collect()
            });
            let _ = tx.send(found);
        });
        let found = rx
            .recv_timeout(Duration::from_mins(2))
            .expect("the runs finish instead of waiting on each other");
        assert_eq!(found, vec![3; 8]);
    }

    #[test]
    fn a_panicking_check_becomes_an_internal_error_for_that_document_only() {
        let mut rules = RuleSet::builtin().unwrap();
        rules.rules.push(test_rule(
            "panics",
            CheckKind::Pattern,
            CompiledCheck::Document(Box::new(Panics)),
        ));
        let texts = vec![
            (
                Arc::from("a.txt"),
                "Headline\n\nboom goes the the check.\n".to_string(),
            ),
            (
                Arc::from("b.txt"),
                "Headline\n\nA calm and the the text.\n".to_string(),
            ),
        ];
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let outcome = lint_texts(
            &rules,
            &texts,
            &LintOptions {
                jobs: Some(2),
                ..LintOptions::default()
            },
        );
        std::panic::set_hook(prev);
        assert_eq!(outcome.internal_errors, 1);
        let got: Vec<(&str, &str)> = outcome
            .diagnostics
            .iter()
            .map(|d| (&*d.path, &*d.rule))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a.txt", "internal-error"),
                ("a.txt", "doubled-word"),
                ("b.txt", "doubled-word")
            ]
        );
    }
}
