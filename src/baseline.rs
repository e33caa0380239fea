//! Baselines: adopt copydesk on an existing corpus without fixing everything first.
//!
//! `--write-baseline FILE` records the current findings; `--baseline FILE` hides findings that
//! are in it and reports entries that no longer match (fixed findings), so the baseline can only
//! shrink. An entry is keyed on the rule, the path and a fingerprint of the text the finding
//! points at and its message, never on line numbers, so edits elsewhere in a file do not
//! invalidate it. Identical findings are counted, so a second copy of a known problem is new.
//!
//! This module does no terminal output; the CLI reports what it returns.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::engine::Sources;

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    pub count: usize,
}

type Key = (String, String, String);

/// A stable fingerprint of what a finding is about: its rule, the text of its primary span
/// (white space collapsed) and its message. FNV-1a, so it never changes between releases.
pub fn fingerprint(d: &Diagnostic, sources: &Sources) -> String {
    let text = sources
        .get(&d.path)
        .and_then(|t| t.get(d.span.clone()))
        .unwrap_or("");
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    d.rule.hash(&mut h);
    for word in text.split_whitespace() {
        word.hash(&mut h);
    }
    d.message.hash(&mut h);
    format!("{:016x}", h.finish())
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn key(d: &Diagnostic, sources: &Sources) -> Key {
    (
        d.path.to_string(),
        d.rule.to_string(),
        fingerprint(d, sources),
    )
}

impl Baseline {
    /// A baseline of these findings, sorted so that the file diffs well.
    pub fn from_findings(diagnostics: &[Diagnostic], sources: &Sources) -> Baseline {
        let mut recorder = Recorder::default();
        recorder.add(diagnostics, sources);
        recorder.finish()
    }

    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("baseline `{}` is not valid: {e}", path.display()))?;
        if baseline.version != 1 {
            return Err(format!(
                "baseline `{}` has version {}, expected 1",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(path, text)
    }

    /// Removes the findings the baseline knows; returns how many were hidden and the entries (or
    /// parts of their counts) that matched nothing.
    pub fn apply(
        &self,
        diagnostics: &mut Vec<Diagnostic>,
        sources: &Sources,
    ) -> (usize, Vec<Entry>) {
        let mut filter = self.filter();
        filter.apply(diagnostics, sources);
        (filter.hidden, filter.stale())
    }

    /// A filter that applies the baseline to batches of findings as a run produces them.
    pub fn filter(&self) -> Filter {
        Filter {
            left: self
                .entries
                .iter()
                .map(|e| {
                    (
                        (e.path.clone(), e.rule.clone(), e.fingerprint.clone()),
                        e.count,
                    )
                })
                .collect(),
            hidden: 0,
        }
    }
}

/// A baseline being applied: what is left of each entry's count.
pub struct Filter {
    left: BTreeMap<Key, usize>,
    /// Findings hidden so far.
    pub hidden: usize,
}

impl Filter {
    /// Removes the findings the baseline still knows.
    pub fn apply(&mut self, diagnostics: &mut Vec<Diagnostic>, sources: &Sources) {
        let before = diagnostics.len();
        diagnostics.retain(|d| match self.left.get_mut(&key(d, sources)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        self.hidden += before - diagnostics.len();
    }

    /// The entries (or parts of their counts) that matched nothing.
    pub fn stale(self) -> Vec<Entry> {
        self.left
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((path, rule, fingerprint), count)| Entry {
                path,
                rule,
                fingerprint,
                count,
            })
            .collect()
    }
}

/// Records findings batch by batch for `--write-baseline`.
#[derive(Default)]
pub struct Recorder {
    counts: BTreeMap<Key, usize>,
    /// Findings recorded.
    pub findings: usize,
}

impl Recorder {
    pub fn add(&mut self, diagnostics: &[Diagnostic], sources: &Sources) {
        for d in diagnostics {
            *self.counts.entry(key(d, sources)).or_default() += 1;
        }
        self.findings += diagnostics.len();
    }

    pub fn finish(self) -> Baseline {
        let entries = self
            .counts
            .into_iter()
            .map(|((path, rule, fingerprint), count)| Entry {
                path,
                rule,
                fingerprint,
                count,
            })
            .collect();
        Baseline {
            version: 1,
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Severity;

    fn diag(path: &str, span: std::ops::Range<usize>) -> Diagnostic {
        Diagnostic {
            rule: Arc::from("doubled-word"),
            check: "pattern",
            severity: Severity::Warning,
            message: "doubled word 'the the'".into(),
            path: Arc::from(path),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
            fix: None,
        }
    }

    #[test]
    fn survives_moves_and_counts_copies() {
        let mut sources = Sources::default();
        sources.insert(Arc::from("a.txt"), Arc::from("x the the y"));
        let baseline = Baseline::from_findings(&[diag("a.txt", 2..9)], &sources);
        // The text moved: same finding, new offsets.
        let mut moved = Sources::default();
        moved.insert(
            Arc::from("a.txt"),
            Arc::from("new line\nx the the y and the the"),
        );
        let mut found = vec![diag("a.txt", 11..18), diag("a.txt", 27..34)];
        let (hidden, stale) = baseline.apply(&mut found, &moved);
        assert_eq!(hidden, 1);
        assert!(stale.is_empty());
        assert_eq!(found.len(), 1, "the second copy is new");
        // Once fixed, the entry is stale.
        let mut none = Vec::new();
        let (_, stale) = baseline.apply(&mut none, &moved);
        assert_eq!(stale.len(), 1);
    }
}
