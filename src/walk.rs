//! Which files to lint: the paths on the command line, folders walked recursively in sorted
//! order, honouring `.gitignore`, `.copydeskignore` and the config's `ignore` patterns, keeping
//! only the configured extensions. A file named explicitly is always linted.
//!
//! Walking only lists files; it never reads them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// A document to lint: the path as shown to the user and where its bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub display: Arc<str>,
    pub source: InputSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSource {
    /// A file to open.
    File(PathBuf),
    /// Bytes already in memory (standard input, tests, the accuracy harness), decoded like a
    /// file's.
    Memory(Arc<[u8]>),
}

impl Input {
    pub fn file(display: Arc<str>, path: PathBuf) -> Input {
        Input {
            display,
            source: InputSource::File(path),
        }
    }

    pub fn memory(display: Arc<str>, bytes: Arc<[u8]>) -> Input {
        Input {
            display,
            source: InputSource::Memory(bytes),
        }
    }
}

#[derive(Debug, Default)]
pub struct Walked {
    pub inputs: Vec<Input>,
    /// Paths that could not be walked (missing, unreadable), with the reason.
    pub errors: Vec<String>,
}

pub struct WalkOptions<'a> {
    pub extensions: &'a [String],
    /// Gitignore-style patterns and the folder they are relative to.
    pub ignore: &'a [String],
    pub ignore_root: Option<&'a Path>,
}

/// The display form of a path: `/` separators, no leading `./`. Made once per file, in one
/// allocation when the path is UTF-8 without a backslash (the usual case).
pub fn display_path(path: &Path) -> Arc<str> {
    fn trimmed(s: &str) -> &str {
        s.strip_prefix("./").filter(|t| !t.is_empty()).unwrap_or(s)
    }
    let s = path.to_string_lossy();
    if s.contains('\\') {
        Arc::from(trimmed(&s.replace('\\', "/")))
    } else {
        Arc::from(trimmed(&s))
    }
}

/// Walks `paths` and collects what it finds (tests and small callers; the CLI streams with
/// `walk_each`).
pub fn walk(paths: &[PathBuf], options: &WalkOptions<'_>) -> Walked {
    let mut walked = Walked::default();
    walk_each(paths, options, &mut |item| {
        match item {
            WalkItem::Input(input) => walked.inputs.push(input),
            WalkItem::Error(e) => walked.errors.push(e),
        }
        true
    });
    walked
}

/// One thing the walk found: a file to lint, or a path it could not walk.
#[derive(Debug)]
pub enum WalkItem {
    Input(Input),
    Error(String),
}

/// Walks `paths` in a fixed order (the roots as given; inside a folder, entries sorted by file
/// name, depth first) and hands each file to `found` as soon as it is seen, so a huge corpus is
/// never listed in memory. Stops early when `found` returns false.
///
/// A file reachable from two roots is linted once; that needs a set of the paths seen, kept only
/// when there is more than one root (one walk never meets a file twice).
pub fn walk_each(
    paths: &[PathBuf],
    options: &WalkOptions<'_>,
    found: &mut dyn FnMut(WalkItem) -> bool,
) {
    let mut seen = (paths.len() > 1).then(HashSet::new);
    let mut emit = |path: PathBuf, found: &mut dyn FnMut(WalkItem) -> bool| {
        let display = display_path(&path);
        if seen
            .as_mut()
            .is_some_and(|s| !s.insert(Arc::clone(&display)))
        {
            return true;
        }
        found(WalkItem::Input(Input::file(display, path)))
    };
    let config_ignore = build_ignore(options);
    let wanted = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| options.extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
    };
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                let error = format!("{}: {}", root.display(), io_reason(&e));
                if !found(WalkItem::Error(error)) {
                    return;
                }
                continue;
            }
        };
        if meta.is_file() {
            if !emit(root.clone(), found) {
                return;
            }
            continue;
        }
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .require_git(false)
            .add_custom_ignore_filename(".copydeskignore")
            // Siblings share their parent's path up to the last separator, so comparing whole
            // paths as strings orders them by file name; it is a plain memcmp, where comparing
            // file names parses each path into components again at every comparison.
            .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()));
        for entry in builder.build() {
            let keep_going = match entry {
                Ok(entry) => {
                    let p = entry.path();
                    if !entry.file_type().is_some_and(|t| t.is_file())
                        || !wanted(p)
                        || config_ignore.as_ref().is_some_and(|gi| is_ignored(gi, p))
                    {
                        continue;
                    }
                    emit(entry.into_path(), found)
                }
                Err(e) => found(WalkItem::Error(e.to_string())),
            };
            if !keep_going {
                return;
            }
        }
    }
}

fn build_ignore(options: &WalkOptions<'_>) -> Option<Gitignore> {
    if options.ignore.is_empty() {
        return None;
    }
    let root = options.ignore_root.unwrap_or(Path::new("."));
    let mut builder = GitignoreBuilder::new(root);
    for pattern in options.ignore {
        // Invalid patterns are skipped; config loading reports nothing about globs yet.
        let _ = builder.add_line(None, pattern);
    }
    builder.build().ok()
}

fn is_ignored(gi: &Gitignore, path: &Path) -> bool {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let root = std::path::absolute(gi.path()).unwrap_or_else(|_| gi.path().to_path_buf());
    match abs.strip_prefix(&root) {
        Ok(rel) => gi.matched_path_or_any_parents(rel, false).is_ignore(),
        Err(_) => false,
    }
}

/// A short reason for an I/O error, without the OS error number.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_lowercase()
        }
    }
}
