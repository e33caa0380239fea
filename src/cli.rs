//! The command line: parses arguments, loads rules, runs the engine, picks the emitter and the
//! exit code. No analysis happens here.
//!
//! Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 usage, config or
//! I/O error, an internal error, or no documents found.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};
use serde::Serialize;

use anyhow::Context as _;

use crate::baseline::{Baseline, Recorder};
use crate::diagnostic::{Diagnostic, Severity};
use crate::emit::{Emitter, OutputFormat, summary_line};
use crate::engine::{self, LintOptions, Selection};
use crate::rules::{ENGINE_RULES, LoadOptions, RuleSet, did_you_mean};
use crate::walk::{self, WalkOptions};

#[derive(Parser, Debug)]
#[command(
    name = "copydesk",
    version,
    about = "A corpus quality and consistency linter for news-like articles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint files and folders (default: the current folder).
    Lint(LintArgs),
    /// List every loaded rule.
    Rules(RulesArgs),
    /// Show a rule's description, parameters, its kind's documentation and its examples.
    Explain(ExplainArgs),
}

#[derive(Args, Debug)]
struct RuleArgs {
    /// Extra rule files or folders of rule files.
    #[arg(long = "rules", value_name = "PATH", num_args = 1..)]
    rules: Vec<PathBuf>,
    /// The project config (default: the nearest copydesk.toml above the current folder).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not look for copydesk.toml.
    #[arg(long)]
    no_config: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Args, Debug)]
struct LintArgs {
    /// Files and folders to lint; folders are walked recursively.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// The lowest severity that makes the run fail (exit 1).
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Run only these rules.
    #[arg(long, value_name = "RULE", num_args = 1.., value_delimiter = ',')]
    select: Vec<String>,
    /// Do not run these rules.
    #[arg(long, value_name = "RULE", num_args = 1.., value_delimiter = ',')]
    ignore: Vec<String>,
    #[command(flatten)]
    rule_args: RuleArgs,
    /// Worker threads (default: one per core; at most 1024). 1 runs everything, walking
    /// included, on a single thread.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// Print only the findings: no summary.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Print the time spent per phase and per rule on stderr.
    #[arg(long)]
    timings: bool,
    /// Print how many findings each rule made, instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Hide the findings recorded in this baseline file; report entries that no longer match.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (and exit 0).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// The path to show for text read from standard input (`-`); its extension picks the format.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
struct RulesArgs {
    #[arg(long, value_enum, default_value = "text")]
    format: ListFormat,
    #[command(flatten)]
    rule_args: RuleArgs,
}

#[derive(Args, Debug)]
struct ExplainArgs {
    /// The rule id.
    rule: String,
    #[command(flatten)]
    rule_args: RuleArgs,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint(args) => lint(&args),
        Command::Rules(args) => list_rules(&args),
        Command::Explain(args) => explain(&args),
    };
    match code {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn stderr_color() -> ColorChoice {
    if io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    }
}

/// Loads the rules, or prints every mistake and returns exit code 2.
fn load_rules(args: &RuleArgs, serial: bool) -> Result<RuleSet, u8> {
    let options = LoadOptions {
        serial,
        no_builtin: false,
        extra: args.rules.clone(),
        config: args.config.clone(),
        discover_from: if args.no_config || args.config.is_some() {
            None
        } else {
            std::env::current_dir().ok()
        },
    };
    RuleSet::load(&options).map_err(|errors| {
        let mut stderr = StandardStream::stderr(stderr_color());
        let _ = errors.render(&mut stderr);
        2
    })
}

fn check_rule_ids(rules: &RuleSet, ids: &[String], flag: &str) -> Result<(), u8> {
    let known = rules.ids();
    let mut ok = true;
    for id in ids {
        if !known.contains(&id.as_str()) {
            ok = false;
            let hint = did_you_mean(id, known.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            eprintln!("error: unknown rule `{id}` in {flag}{hint}; `copydesk rules` lists them");
        }
    }
    if ok { Ok(()) } else { Err(2) }
}

fn lint(args: &LintArgs) -> anyhow::Result<u8> {
    let start = Instant::now();
    let rules = match load_rules(&args.rule_args, args.jobs == Some(1)) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    if let Err(code) = check_rule_ids(&rules, &args.select, "--select")
        .and_then(|()| check_rule_ids(&rules, &args.ignore, "--ignore"))
    {
        return Ok(code);
    }

    let config = &rules.config;
    if args.stdin_filename.is_some() && !args.paths.iter().any(|p| p.as_os_str() == "-") {
        eprintln!(
            "error: --stdin-filename names text read from standard input; add `-` to the paths"
        );
        return Ok(2);
    }
    let (stdin_paths, paths): (Vec<PathBuf>, Vec<PathBuf>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| p.as_os_str() == "-");
    let stdin_input = if stdin_paths.is_empty() {
        None
    } else {
        let mut text = Vec::new();
        io::stdin().read_to_end(&mut text)?;
        let display = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>".to_string());
        // Decoded by the engine like any file's bytes (invalid UTF-8 is reported, not patched).
        Some(walk::Input::memory(
            Arc::from(display.as_str()),
            Arc::from(text),
        ))
    };
    let baseline = match &args.baseline {
        Some(path) => match Baseline::read(path) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(2);
            }
        },
        None => None,
    };
    let walk_options = WalkOptions {
        extensions: &config.extensions,
        ignore: &config.ignore,
        ignore_root: config.root.as_deref(),
    };
    // The walk streams files to the engine; standard input named like a walked file replaces it
    // (an editor's unsaved buffer).
    let produce = |found: &mut dyn FnMut(walk::WalkItem) -> bool| {
        let mut going = true;
        walk::walk_each(&paths, &walk_options, &mut |item| {
            if let (walk::WalkItem::Input(input), Some(stdin)) = (&item, &stdin_input)
                && input.display == stdin.display
            {
                return true;
            }
            going = found(item);
            going
        });
        if going && let Some(stdin) = stdin_input.clone() {
            found(walk::WalkItem::Input(stdin));
        }
    };
    let options = LintOptions {
        jobs: args.jobs.map(usize::from),
        selection: Selection {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        },
        timings: args.timings,
    };
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };

    let color = match (args.format, args.color) {
        (OutputFormat::Human, Color::Always) => ColorChoice::Always,
        (OutputFormat::Human, Color::Auto)
            if io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
        {
            ColorChoice::Auto
        }
        _ => ColorChoice::Never,
    };
    let stdout = StandardStream::stdout(color);
    let mut lock = stdout.lock();
    let mut buffered = BufferedColor::new(&mut lock);
    let mut emitter = Emitter::new(args.format, &rules);
    let mut filter = baseline.as_ref().map(Baseline::filter);
    let mut recorder = args.write_baseline.is_some().then(Recorder::default);
    let mut statistics = Statistics::default();
    // Counts of what is shown (after the baseline), for the summary and the exit code.
    let mut shown = engine::Summary::default();
    let mut emit_time = std::time::Duration::ZERO;
    let mut sink = |mut batch: Vec<Diagnostic>, sources: &engine::Sources| -> io::Result<()> {
        let t = Instant::now();
        if let Some(recorder) = &mut recorder {
            recorder.add(&batch, sources);
            return Ok(());
        }
        if let Some(filter) = &mut filter {
            filter.apply(&mut batch, sources);
        }
        shown.recount_add(&batch);
        let result = if args.statistics {
            statistics.add(&batch);
            Ok(())
        } else {
            emitter.batch(&batch, sources, &mut buffered)
        };
        emit_time += t.elapsed();
        result
    };
    let stats = engine::run(&rules, produce, &options, &mut sink)?;
    let errors = &stats.io_errors;

    if let Some(path) = &args.write_baseline {
        if !errors.is_empty() || stats.internal_errors > 0 {
            for e in errors {
                eprintln!("error: {e}");
            }
            eprintln!("error: baseline not written: not every file could be checked");
            return Ok(2);
        }
        let recorder = recorder.unwrap_or_default();
        let findings = recorder.findings;
        recorder
            .finish()
            .write(path)
            .with_context(|| format!("cannot write baseline `{}`", path.display()))?;
        eprintln!(
            "wrote {findings} finding(s) to baseline {}; lint with --baseline {} to see only new ones",
            path.display(),
            path.display()
        );
        return Ok(0);
    }
    let mut summary = stats.summary;
    summary.errors = shown.errors;
    summary.warnings = shown.warnings;
    summary.infos = shown.infos;
    let t = Instant::now();
    if args.statistics {
        statistics.write(&mut buffered)?;
    } else {
        emitter.finish(&summary, &mut buffered)?;
    }
    buffered.flush()?;
    emit_time += t.elapsed();
    let stale_note = filter.map(|filter| {
        let hidden = filter.hidden;
        let stale_count: usize = filter.stale().iter().map(|e| e.count).sum();
        format!(
            "baseline: {hidden} known finding(s) hidden{}",
            if stale_count > 0 {
                format!(
                    ", {stale_count} entr{} no longer found (fixed?): rewrite it with --write-baseline to prune",
                    if stale_count == 1 { "y" } else { "ies" }
                )
            } else {
                String::new()
            }
        )
    });

    for e in errors {
        eprintln!("error: {e}");
    }
    let human = matches!(args.format, OutputFormat::Human | OutputFormat::Concise);
    if human && !args.quiet {
        eprintln!("{}", summary_line(&summary, start.elapsed().as_secs_f64()));
    }
    if let Some(note) = stale_note.filter(|_| !args.quiet) {
        eprintln!("{note}");
    }
    if let Some(mut t) = stats.timings {
        t.emit = emit_time;
        print_timings(&t, summary.bytes, start.elapsed());
    }
    if summary.files == 0 && errors.is_empty() {
        eprintln!(
            "error: no documents found (looked for {} files; name a file to lint it whatever its extension)",
            config
                .extensions
                .iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(2);
    }
    if !errors.is_empty() || stats.internal_errors > 0 {
        return Ok(2);
    }
    let failed = threshold.is_some_and(|t| {
        [
            (Severity::Error, summary.errors),
            (Severity::Warning, summary.warnings),
            (Severity::Info, summary.infos),
        ]
        .iter()
        .any(|&(s, n)| s >= t && n > 0)
    });
    Ok(u8::from(failed))
}

/// `--statistics`: findings per rule, most first (ruff's `--statistics`).
#[derive(Default)]
struct Statistics {
    counts: Vec<(Arc<str>, Severity, usize)>,
}

impl Statistics {
    fn add(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match self.counts.iter_mut().find(|(id, _, _)| *id == d.rule) {
                Some(c) => c.2 += 1,
                None => self.counts.push((d.rule.clone(), d.severity, 1)),
            }
        }
    }

    fn write(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.counts
            .sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        for (id, severity, n) in &self.counts {
            writeln!(out, "{n:>7}  {:<7}  {id}", severity.as_str())?;
        }
        Ok(())
    }
}

/// `--timings`. Walking runs on a thread of its own beside the map and emitting happens between
/// chunks, so the phases overlap: the total is the wall time of the whole command.
fn print_timings(t: &engine::Timings, bytes: u64, total: std::time::Duration) {
    let secs = |d: std::time::Duration| d.as_secs_f64();
    eprintln!("timings ({:.1} MB):", bytes as f64 / 1e6);
    for (name, d, how) in [
        ("walk", t.walk, "  (beside the map)"),
        ("map", t.map, "  (read, parse, check; emit included)"),
        ("reduce", t.reduce, ""),
        ("emit", t.emit, ""),
    ] {
        eprintln!("  phase {name:<8} {:>9.3}s{how}", secs(d));
    }
    eprintln!(
        "  total          {:>9.3}s  {:.1} MB/s",
        secs(total),
        bytes as f64 / 1e6 / secs(total).max(1e-9)
    );
    eprintln!(
        "  read+parse     {:>9.3}s  (summed over threads)",
        secs(t.read)
    );
    let mut rules = t.rules.clone();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (id, d) in rules {
        eprintln!("  rule {id:<32} {:>9.3}s", secs(d));
    }
}

#[derive(Serialize)]
struct RuleInfo<'a> {
    id: &'a str,
    check: &'a str,
    scope: &'a str,
    severity: &'a str,
    description: &'a str,
    source: &'a str,
}

fn list_rules(args: &RulesArgs) -> anyhow::Result<u8> {
    let rules = match load_rules(&args.rule_args, false) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let mut infos: Vec<RuleInfo<'_>> = rules
        .rules
        .iter()
        .map(|r| RuleInfo {
            id: &r.id,
            check: r.kind.name(),
            scope: match r.scope() {
                crate::checks::Scope::Document => "document",
                crate::checks::Scope::Corpus => "corpus",
            },
            severity: r.severity.as_str(),
            description: &r.description,
            source: &r.origin,
        })
        .collect();
    infos.extend(ENGINE_RULES.iter().map(|r| RuleInfo {
        id: r.id,
        check: "engine",
        scope: "document",
        severity: r.severity.as_str(),
        description: r.description,
        source: "built into the engine",
    }));
    infos.sort_by(|a, b| a.id.cmp(b.id));
    let mut out = io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &infos)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let w = infos.iter().map(|i| i.id.len()).max().unwrap_or(0);
            let k = infos.iter().map(|i| i.check.len()).max().unwrap_or(0);
            for i in &infos {
                writeln!(
                    out,
                    "{:<w$}  {:<k$}  {:<7}  {}",
                    i.id, i.check, i.severity, i.description
                )?;
            }
        }
    }
    Ok(0)
}

fn explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    let rules = match load_rules(&args.rule_args, false) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let mut out = io::stdout().lock();
    if let Some(engine_rule) = ENGINE_RULES.iter().find(|r| r.id == args.rule) {
        writeln!(
            out,
            "{} (engine, {})\n\n{}",
            engine_rule.id, engine_rule.severity, engine_rule.description
        )?;
        return Ok(0);
    }
    let Some(rule) = rules.get(&args.rule) else {
        let hint = did_you_mean(&args.rule, rules.ids())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        eprintln!(
            "error: unknown rule `{}`{hint}; `copydesk rules` lists them",
            args.rule
        );
        return Ok(2);
    };
    writeln!(out, "{}\n", rule.id)?;
    writeln!(
        out,
        "  check:     {} ({} scope)",
        rule.kind.name(),
        match rule.scope() {
            crate::checks::Scope::Document => "document",
            crate::checks::Scope::Corpus => "corpus",
        }
    )?;
    writeln!(out, "  severity:  {}", rule.severity)?;
    writeln!(out, "  source:    {}", rule.origin)?;
    if let Some(link) = &rule.link {
        writeln!(out, "  link:      {link}")?;
    }
    writeln!(out, "\n{}\n", rule.description)?;
    if !rule.params_toml.trim().is_empty() {
        writeln!(out, "Parameters (resolved):\n")?;
        for line in rule.params_toml.lines() {
            writeln!(out, "    {line}")?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "The `{}` check kind:\n\n{}\n",
        rule.kind.name(),
        wrap(rule.kind.doc(), 96)
    )?;
    if !rule.examples.is_empty() {
        writeln!(out, "Examples:")?;
        for (i, ex) in rule.examples.iter().enumerate() {
            writeln!(out)?;
            for doc in ex.documents() {
                writeln!(out, "  {}. {}:", i + 1, doc.path)?;
                for line in doc.text.lines() {
                    writeln!(out, "       | {line}")?;
                }
            }
            if ex.findings.is_empty() {
                writeln!(out, "     no finding")?;
            }
            for f in &ex.findings {
                match f {
                    crate::rules::ExpectedFinding::Text(t) => writeln!(out, "     finds: {t:?}")?,
                    crate::rules::ExpectedFinding::InFile { path, text } => {
                        writeln!(out, "     finds in {path}: {text:?}")?;
                    }
                }
            }
        }
    }
    Ok(0)
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split_whitespace() {
        if line_len > 0 && line_len + 1 + word.len() > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += word.len();
    }
    out
}

/// Buffers output (one write per diagnostic is slow on a pipe) while keeping colour support.
struct BufferedColor<'a, W: WriteColor> {
    inner: &'a mut W,
    buffer: Vec<u8>,
}

impl<'a, W: WriteColor> BufferedColor<'a, W> {
    fn new(inner: &'a mut W) -> Self {
        BufferedColor {
            inner,
            buffer: Vec::with_capacity(64 * 1024),
        }
    }

    fn drain(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            self.inner.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }
}

impl<W: WriteColor> Write for BufferedColor<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= 64 * 1024 {
            self.drain()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.drain()?;
        self.inner.flush()
    }
}

impl<W: WriteColor> WriteColor for BufferedColor<'_, W> {
    fn supports_color(&self) -> bool {
        self.inner.supports_color()
    }

    fn set_color(
        &mut self,
        spec: &codespan_reporting::term::termcolor::ColorSpec,
    ) -> io::Result<()> {
        self.drain()?;
        self.inner.set_color(spec)
    }

    fn reset(&mut self) -> io::Result<()> {
        self.drain()?;
        self.inner.reset()
    }
}
