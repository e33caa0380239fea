//! Rules as data: loading rule files (built in, from `--rules`, from `copydesk.toml`), applying
//! the project config, and compiling each rule into a runnable check.
//!
//! What the user wrote (a TOML table) is kept apart from what runs (a `Rule` with its regexes
//! built and its severity resolved). Loading never stops at the first mistake: every mistake is
//! collected as a `ConfigError` pointing into the TOML, then all are reported.

pub mod config;
pub mod error;
pub mod spec;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::checks::{CheckKind, CompiledCheck, Kind, LexiconSource, Scope};
use crate::diagnostic::Severity;
use crate::with_kind;

pub use config::Config;
pub use error::{ConfigError, ConfigErrors, FileId, TomlFiles, did_you_mean};
pub use spec::{Example, ExpectedFinding, Template};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// Keys every rule file may have, whatever its kind.
const COMMON_KEYS: &[&str] = &[
    "check",
    "severity",
    "message",
    "description",
    "link",
    "examples",
];
/// Keys a `[rules.<id>]` table in `copydesk.toml` may set besides the kind's parameters.
const OVERRIDE_KEYS: &[&str] = &["severity", "message"];

/// A compiled rule, ready to run.
pub struct Rule {
    pub id: Arc<str>,
    pub kind: CheckKind,
    pub severity: Severity,
    pub message: Template,
    pub description: String,
    pub link: Option<String>,
    /// Where the rule came from: `rules/x.toml (built in)` or a path.
    pub origin: String,
    /// The resolved parameters, as TOML, for `explain`.
    pub params_toml: String,
    pub examples: Vec<Example>,
    pub check: CompiledCheck,
}

impl Rule {
    pub fn scope(&self) -> Scope {
        self.kind.scope()
    }
}

/// Rules the engine itself reports, with no rule file behind them.
pub struct EngineRule {
    pub id: &'static str,
    pub severity: Severity,
    pub description: &'static str,
}

pub const ENGINE_RULES: &[EngineRule] = &[
    EngineRule {
        id: "invalid-utf8",
        severity: Severity::Error,
        description: "The file is not valid UTF-8; it is reported at the first bad byte and \
            otherwise skipped.",
    },
    EngineRule {
        id: "empty-document",
        severity: Severity::Warning,
        description: "The file holds no text but white space.",
    },
    EngineRule {
        id: "invalid-suppression",
        severity: Severity::Warning,
        description: "A `<!-- copydesk-disable ... -->` directive names a rule that does not \
            exist, so it silences nothing.",
    },
    EngineRule {
        id: "internal-error",
        severity: Severity::Error,
        description: "A check failed unexpectedly on this document (a bug in copydesk); the other \
            documents are still checked.",
    },
];

/// Where rule files and their lexicons come from.
#[derive(Clone, Debug)]
enum Root {
    Builtin,
    Dir(PathBuf),
}

struct RootLexicons<'a>(&'a Root);

impl LexiconSource for RootLexicons<'_> {
    fn lexicon(&self, path: &str) -> Option<Arc<str>> {
        if let Root::Dir(dir) = self.0
            && let Ok(text) = std::fs::read_to_string(dir.join(path))
        {
            return Some(Arc::from(text));
        }
        builtin_file(path).map(Arc::from)
    }
}

fn builtin_file(path: &str) -> Option<&'static str> {
    builtin::BUILTIN_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, t)| *t)
}

/// What to load.
#[derive(Default, Debug)]
pub struct LoadOptions {
    /// Skip the built-in rules (tests of single rule files).
    pub no_builtin: bool,
    /// Extra rule files or folders (`--rules`).
    pub extra: Vec<PathBuf>,
    /// An explicit config file (`--config`); otherwise `copydesk.toml` is looked for.
    pub config: Option<PathBuf>,
    /// Where to start looking for `copydesk.toml`; `None` disables the search.
    pub discover_from: Option<PathBuf>,
    /// Compile the rules on this thread alone (`--jobs 1`); otherwise a second thread helps.
    pub serial: bool,
}

/// The loaded rules (sorted by id) and the project config they were loaded with.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub config: Config,
}

/// A rule file read but not yet compiled.
struct Pending {
    id: String,
    file: FileId,
    root: Root,
    origin: String,
    table: Spanned<DeTable<'static>>,
}

impl RuleSet {
    /// The built-in rules with no project config.
    pub fn builtin() -> Result<RuleSet, ConfigErrors> {
        RuleSet::load(&LoadOptions::default())
    }

    pub fn load(options: &LoadOptions) -> Result<RuleSet, ConfigErrors> {
        let mut files = TomlFiles::default();
        let mut errors = Vec::new();

        let config_path = match &options.config {
            Some(p) => Some(p.clone()),
            None => options.discover_from.as_deref().and_then(config::discover),
        };
        let (config, overrides) = match config_path {
            Some(path) => config::load(&path, &mut files, &mut errors),
            None => (Config::default(), BTreeMap::new()),
        };

        let mut pending = Vec::new();
        if !options.no_builtin {
            for (rel, text) in builtin::BUILTIN_FILES {
                if let Some(stem) = rel.strip_suffix(".toml").filter(|s| !s.contains('/')) {
                    let origin = format!("rules/{rel} (built in)");
                    let file = files.add(format!("rules/{rel}"), text);
                    read_rule(
                        stem,
                        file,
                        Root::Builtin,
                        origin,
                        &files,
                        &mut pending,
                        &mut errors,
                    );
                }
            }
        }
        let extra = options.extra.iter().chain(config.rule_dirs.iter());
        for path in extra {
            read_rule_path(path, &mut files, &mut pending, &mut errors);
        }

        // Duplicate ids: the first definition wins, every later one is a mistake.
        let mut seen: BTreeMap<String, FileId> = BTreeMap::new();
        pending.retain(|p| {
            if let Some(&first) = seen.get(&p.id) {
                errors.push(
                    ConfigError::new(p.file, 0..0, format!("duplicate rule id `{}`", p.id))
                        .label("a rule with this id is already loaded")
                        .secondary(first, 0..0, "first defined here")
                        .note(
                            "a rule's id is its file name; rename one of the files, or change \
                           the built-in rule through `[rules.<id>]` in copydesk.toml",
                        ),
                );
                false
            } else {
                seen.insert(p.id.clone(), p.file);
                true
            }
        });

        let known: Vec<&str> = seen
            .keys()
            .map(String::as_str)
            .chain(ENGINE_RULES.iter().map(|r| r.id))
            .collect();
        for (id, (file, span, _)) in &overrides {
            if !seen.contains_key(id) {
                errors.push(unknown_rule_error(*file, span.clone(), id, &known));
            }
        }
        for id in &config.disable {
            if !known.contains(&id.get_ref().as_str()) {
                errors.push(unknown_rule_error(
                    config.file.unwrap_or(0),
                    id.span(),
                    id.get_ref(),
                    &known,
                ));
            }
        }

        let disabled: HashSet<&str> = config
            .disable
            .iter()
            .map(|s| s.get_ref().as_str())
            .collect();
        let mut rules = Vec::new();
        let jobs: Vec<CompileJob<'_>> = pending
            .into_iter()
            .filter(|p| !disabled.contains(p.id.as_str()))
            .map(|p| {
                let over = overrides.get(&p.id);
                (p, over)
            })
            .collect();
        for compiled in compile_all(jobs, &files, options.serial) {
            match compiled {
                Ok(rule) => rules.push(rule),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if !errors.is_empty() {
            return Err(ConfigErrors { files, errors });
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(RuleSet { rules, config })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }

    /// Every rule id, the engine's included.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.rules.iter().map(|r| &*r.id).collect();
        ids.extend(ENGINE_RULES.iter().map(|r| r.id));
        ids.sort_unstable();
        ids
    }
}

/// Rule and config sources live as long as the process (they are read once, and spans into
/// them are kept for error reports); leaking them lets parsed tables borrow without copies.
pub(crate) fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn unknown_rule_error(file: FileId, span: Range<usize>, id: &str, known: &[&str]) -> ConfigError {
    let mut e =
        ConfigError::new(file, span, format!("unknown rule `{id}`")).label("no rule has this id");
    if let Some(s) = did_you_mean(id, known.iter().copied()) {
        e = e.note(format!("did you mean `{s}`?"));
    }
    e.note("`copydesk rules` lists every rule")
}

/// Reads `--rules` and `rule-dirs` entries: a rule file, or a folder of them.
fn read_rule_path(
    path: &Path,
    files: &mut TomlFiles,
    pending: &mut Vec<Pending>,
    errors: &mut Vec<ConfigError>,
) {
    let mut rule_files = Vec::new();
    let root;
    if path.is_dir() {
        root = Root::Dir(path.to_path_buf());
        match std::fs::read_dir(path) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    let p = entry.path();
                    if p.is_file() && p.extension().is_some_and(|e| e == "toml") {
                        rule_files.push(p);
                    }
                }
            }
            Err(e) => errors.push(ConfigError::unplaced(format!(
                "cannot read `{}`: {e}",
                path.display()
            ))),
        }
        rule_files.sort();
    } else if path.is_file() {
        root = Root::Dir(path.parent().unwrap_or(Path::new(".")).to_path_buf());
        rule_files.push(path.to_path_buf());
    } else {
        errors.push(ConfigError::unplaced(format!(
            "rules path `{}` does not exist",
            path.display()
        )));
        return;
    }
    for p in rule_files {
        let name = p.display().to_string();
        match std::fs::read_to_string(&p) {
            Ok(text) => {
                let stem = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let file = files.add(name.clone(), leak(text));
                read_rule(&stem, file, root.clone(), name, files, pending, errors);
            }
            Err(e) => errors.push(ConfigError::unplaced(format!("cannot read `{name}`: {e}"))),
        }
    }
}

/// Parses one rule file into a `Pending` rule (TOML syntax only).
fn read_rule(
    id: &str,
    file: FileId,
    root: Root,
    origin: String,
    files: &TomlFiles,
    pending: &mut Vec<Pending>,
    errors: &mut Vec<ConfigError>,
) {
    match parse_table(files, file) {
        Ok(table) => pending.push(Pending {
            id: id.to_string(),
            file,
            root,
            origin,
            table,
        }),
        Err(e) => errors.push(e),
    }
}

/// Parses a TOML file into a spanned table borrowing from its (process-lifetime) source.
pub(crate) fn parse_table(
    files: &TomlFiles,
    file: FileId,
) -> Result<Spanned<DeTable<'static>>, ConfigError> {
    DeTable::parse(files.text(file)).map_err(|e| toml_error(file, &e, "invalid TOML"))
}

pub(crate) fn toml_error(file: FileId, e: &toml::de::Error, what: &str) -> ConfigError {
    let span = e.span().unwrap_or(0..0);
    ConfigError::new(file, span, format!("{what}: {}", first_line(e.message())))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim_end_matches('.')
}

/// A `[rules.<id>]` table from copydesk.toml: where it is and what it sets.
pub(crate) type Override = (FileId, Range<usize>, DeTable<'static>);

/// A rule to compile, with its `[rules.<id>]` table from copydesk.toml, if any.
type CompileJob<'o> = (Pending, Option<&'o Override>);

/// Compiles the rules, in their order, on this thread and (unless `serial`) a second one that
/// takes the next rule whenever it is free. The date, caption and headline kinds build automata
/// and regexes that take most of the start-up between them (about 150M instructions); side by
/// side they halve it, which a linter started once per file by an editor feels. The results
/// come back in the rules' order, so errors are reported in the same order either way.
fn compile_all(
    jobs: Vec<CompileJob<'_>>,
    files: &TomlFiles,
    serial: bool,
) -> Vec<Result<Rule, Vec<ConfigError>>> {
    let n = jobs.len();
    // The rules still to compile, numbered: each thread takes the next one when it is free.
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let work = || {
        let mut done = Vec::new();
        loop {
            let job = queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .next();
            let Some((i, (p, over))) = job else {
                return done;
            };
            done.push((i, compile_rule(p, over, files)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        // Without a second thread (`serial`, one rule, or no thread to be had) this one does
        // everything.
        let helper = (!serial && n > 1)
            .then(|| {
                std::thread::Builder::new()
                    .name("copydesk-rules".into())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .flatten();
        let mut done = work();
        if let Some(helper) = helper {
            match helper.join() {
                Ok(theirs) => done.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, compiled)| compiled).collect()
}

fn compile_rule(
    p: Pending,
    over: Option<&Override>,
    files: &TomlFiles,
) -> Result<Rule, Vec<ConfigError>> {
    let mut errors = Vec::new();
    let file = p.file;
    let mut table = p.table.into_inner();

    let check = table.remove("check");
    let kind = match &check {
        None => {
            errors.push(
                ConfigError::new(file, 0..0, "missing key `check`")
                    .label("every rule file names its check kind")
                    .note(format!("valid kinds: {}", CheckKind::names().join(", "))),
            );
            None
        }
        Some(v) => {
            if let Some(name) = v.get_ref().as_str() {
                let kind = CheckKind::from_name(name);
                if kind.is_none() {
                    let mut e =
                        ConfigError::new(file, v.span(), format!("unknown check kind `{name}`"))
                            .label("not a built-in check kind");
                    if let Some(s) = did_you_mean(name, CheckKind::names()) {
                        e = e.note(format!("did you mean `{s}`?"));
                    }
                    errors.push(e.note(format!("valid kinds: {}", CheckKind::names().join(", "))));
                }
                kind
            } else {
                errors.push(wrong_type(file, v, "a string naming a check kind"));
                None
            }
        }
    };

    let severity = take_severity(&mut table, file, &mut errors).unwrap_or(Severity::Warning);
    let message = take_string(&mut table, "message", file, &mut errors);
    let description = take_string(&mut table, "description", file, &mut errors);
    let link = take_string(&mut table, "link", file, &mut errors).map(Spanned::into_inner);
    let examples = match table.remove("examples") {
        None => Vec::new(),
        Some(v) => {
            let span = v.span();
            match Vec::<Example>::deserialize(toml::de::ValueDeserializer::from(v)) {
                Ok(ex) => ex,
                Err(e) => {
                    let mut err = toml_error(file, &e, "invalid `[[examples]]`");
                    if err.span.is_empty() {
                        err.span = span;
                    }
                    errors.push(err);
                    Vec::new()
                }
            }
        }
    };
    if message.is_none() {
        errors.push(
            ConfigError::new(file, 0..0, "missing key `message`")
                .label("every rule file has a message")
                .note("e.g. `message = \"doubled word '{match}'\"`"),
        );
    }

    let Some(kind) = kind else { return Err(errors) };

    // Overrides from copydesk.toml replace the rule's own values key by key.
    let mut severity = severity;
    let mut message = message;
    let mut overridden: Vec<(String, Range<usize>)> = Vec::new();
    let over_file = over.map(|o| o.0);
    if let Some((ofile, _, otable)) = over {
        let mut otable = otable.clone();
        if let Some(s) = take_severity(&mut otable, *ofile, &mut errors) {
            severity = s;
        }
        if let Some(m) = take_string(&mut otable, "message", *ofile, &mut errors) {
            message = Some(m);
        }
        for (k, v) in otable {
            overridden.push((k.get_ref().to_string(), v.span()));
            table.insert(k, v);
        }
    }
    let message_file = |m: &Spanned<String>| {
        over_file.filter(|_| {
            over.is_some_and(|o| o.2.get("message").is_some_and(|v| v.span() == m.span()))
        })
    };

    let built =
        with_kind!(kind, K => build::<K>(table, &p.root, file, over_file, &overridden, files));
    let built = built.map_err(|mut e| errors.append(&mut e)).ok();

    let template = message.as_ref().map(|m| {
        let mfile = message_file(m).unwrap_or(file);
        Template::parse(m.get_ref(), kind.placeholders()).map_err(|unknown| {
            for u in unknown {
                let span = spec::map_string_range(files.text(mfile), m.span(), u.range);
                let mut e =
                    ConfigError::new(mfile, span, format!("unknown placeholder `{{{}}}`", u.name))
                        .label(format!("`{}` rules provide no `{}`", kind.name(), u.name));
                let known = kind.placeholders();
                if let Some(s) = did_you_mean(&u.name, known.iter().copied()) {
                    e = e.note(format!("did you mean `{{{s}}}`?"));
                }
                let list: Vec<String> = known.iter().map(|p| format!("{{{p}}}")).collect();
                errors.push(e.note(format!(
                    "placeholders of `{}`: {}",
                    kind.name(),
                    list.join(", ")
                )));
            }
        })
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some((check, params_toml)), Some(Ok(message))) = (built, template) else {
        return Err(errors);
    };
    Ok(Rule {
        id: Arc::from(p.id.as_str()),
        kind,
        severity,
        message,
        description: description.map(Spanned::into_inner).unwrap_or_default(),
        link,
        origin: p.origin,
        params_toml,
        examples,
        check,
    })
}

/// Checks keys, deserializes a kind's parameters and compiles the check.
fn build<K: Kind>(
    table: DeTable<'static>,
    root: &Root,
    file: FileId,
    over_file: Option<FileId>,
    overridden: &[(String, Range<usize>)],
    files: &TomlFiles,
) -> Result<(CompiledCheck, String), Vec<ConfigError>> {
    let fields = spec::struct_fields::<K::Params>();
    let mut errors = Vec::new();
    let where_is = |key: &str, span: &Range<usize>| -> FileId {
        match over_file {
            Some(of)
                if overridden
                    .iter()
                    .any(|(k, s)| k == key || (s.start <= span.start && span.end <= s.end)) =>
            {
                of
            }
            _ => file,
        }
    };
    let mut params = DeTable::new();
    for (k, v) in table {
        let key = k.get_ref().to_string();
        if fields.contains(&key.as_str()) {
            params.insert(k, v);
            continue;
        }
        let kfile = where_is(&key, &k.span());
        let mut e = ConfigError::new(kfile, k.span(), format!("unknown key `{key}`"))
            .label(format!("`{}` rules have no `{key}`", K::NAME));
        let candidates = fields
            .iter()
            .chain(COMMON_KEYS)
            .chain(OVERRIDE_KEYS)
            .copied();
        if let Some(s) = did_you_mean(&key, candidates) {
            e = e.note(format!("did you mean `{s}`?"));
        }
        let mut valid: Vec<&str> = COMMON_KEYS.to_vec();
        valid.extend(fields.iter().copied());
        errors.push(e.note(format!("valid keys: {}", valid.join(", "))));
    }
    // Value spans, to tell which file a deserialization error is in.
    let spans: Vec<(String, Range<usize>)> = params
        .iter()
        .map(|(k, v)| (k.get_ref().to_string(), v.span()))
        .collect();
    let params: K::Params =
        match K::Params::deserialize(toml::de::Deserializer::from(Spanned::new(0..0, params))) {
            Ok(p) => p,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let key = spans
                    .iter()
                    .find(|(_, s)| s.start <= span.start && span.end <= s.end)
                    .map(|(k, _)| k.as_str());
                let efile = key.map_or(file, |k| where_is(k, &span));
                errors.push(toml_error(efile, &e, "invalid parameter"));
                return Err(errors);
            }
        };
    if !errors.is_empty() {
        return Err(errors);
    }
    let params_toml = toml::to_string(&params).unwrap_or_default();
    match K::compile(params, &RootLexicons(root)) {
        Ok(check) => Ok((check, params_toml)),
        Err(param_errors) => Err(param_errors
            .into_iter()
            .map(|pe| {
                let span = pe.span.clone().unwrap_or(0..0);
                let key = spans
                    .iter()
                    .find(|(_, s)| s.start <= span.start && span.end <= s.end)
                    .map(|(k, _)| k.as_str());
                let efile = key.map_or(file, |k| where_is(k, &span));
                let span = match &pe.inner {
                    Some(inner) if pe.span.is_some() => {
                        spec::map_string_range(files.text(efile), span, inner.clone())
                    }
                    _ => span,
                };
                let mut e = ConfigError::new(efile, span, pe.message).label(pe.label);
                if let Some(h) = pe.help {
                    e = e.note(h);
                }
                e
            })
            .collect()),
    }
}

fn take_string(
    table: &mut DeTable<'static>,
    key: &str,
    file: FileId,
    errors: &mut Vec<ConfigError>,
) -> Option<Spanned<String>> {
    let v = table.remove(key)?;
    if let Some(s) = v.get_ref().as_str() {
        Some(Spanned::new(v.span(), s.to_string()))
    } else {
        errors.push(wrong_type(file, &v, "a string"));
        None
    }
}

fn take_severity(
    table: &mut DeTable<'static>,
    file: FileId,
    errors: &mut Vec<ConfigError>,
) -> Option<Severity> {
    let v = take_string(table, "severity", file, errors)?;
    let parsed = Severity::parse(v.get_ref());
    if parsed.is_none() {
        let mut e = ConfigError::new(
            file,
            v.span(),
            format!("unknown severity `{}`", v.get_ref()),
        )
        .label("not a severity");
        if let Some(s) = did_you_mean(v.get_ref(), Severity::ALL) {
            e = e.note(format!("did you mean `{s}`?"));
        }
        errors.push(e.note("valid severities: error, warning, info"));
    }
    parsed
}

pub(crate) fn wrong_type(file: FileId, v: &Spanned<DeValue<'_>>, expected: &str) -> ConfigError {
    ConfigError::new(
        file,
        v.span(),
        format!(
            "wrong type: expected {expected}, found {}",
            v.get_ref().type_str()
        ),
    )
    .label(format!("expected {expected}"))
}
