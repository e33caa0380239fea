//! `sarif`: SARIF 2.1.0 for code-scanning services (GitHub code scanning and others). Only the
//! rules that fired are listed in `tool.driver.rules`; columns are Unicode code points.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::{Located, Locator};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Sources;
use crate::rules::{ENGINE_RULES, RuleSet};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<RuleDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor<'a> {
    id: &'a str,
    short_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    check: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    check: &'a str,
    notes: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names)] // SARIF's own names
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
struct ArtifactChange<'a> {
    #[serde(rename = "artifactLocation")]
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: ByteRegion,
    inserted_content: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ByteRegion {
    byte_offset: usize,
    byte_length: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference for a path: `/` separators, reserved characters percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn region(range: &std::ops::Range<usize>, at: Located) -> Region {
    Region {
        start_line: at.start.line,
        start_column: at.start.column,
        end_line: at.end.line,
        end_column: at.end.column,
        byte_offset: range.start,
        byte_length: range.len(),
    }
}

/// A diagnostic with the positions of its span and of its labels' spans.
pub struct Placed {
    diagnostic: Diagnostic,
    at: Located,
    labels: Vec<Located>,
}

/// Places a batch's diagnostics for `write` (SARIF lists the rules that fired before any result,
/// so results wait until the run ends; their texts need not).
pub fn place(diagnostics: &[Diagnostic], sources: &Sources, out: &mut Vec<Placed>) {
    let mut locator = Locator::new(sources);
    for d in diagnostics {
        let at = locator.locate(&d.path, &d.span);
        let labels = d
            .labels
            .iter()
            .map(|l| locator.locate(l.path.as_deref().unwrap_or(&d.path), &l.span))
            .collect();
        out.push(Placed {
            diagnostic: d.clone(),
            at,
            labels,
        });
    }
}

pub fn write(placed: &[Placed], rules: &RuleSet, out: &mut dyn Write) -> io::Result<()> {
    // The rules that fired, in id order, each with its index.
    let fired: BTreeMap<&str, usize> = {
        let mut ids: Vec<&str> = placed.iter().map(|p| &*p.diagnostic.rule).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect()
    };
    let rules = fired
        .keys()
        .map(|id| {
            if let Some(rule) = rules.get(id) {
                RuleDescriptor {
                    id,
                    short_description: Text {
                        text: &rule.description,
                    },
                    help_uri: rule.link.as_deref(),
                    default_configuration: Configuration {
                        level: level(rule.severity),
                    },
                    properties: RuleProperties {
                        check: rule.kind.name(),
                    },
                }
            } else {
                let engine = ENGINE_RULES.iter().find(|r| r.id == *id);
                RuleDescriptor {
                    id,
                    short_description: Text {
                        text: engine.map_or("", |r| r.description),
                    },
                    help_uri: None,
                    default_configuration: Configuration {
                        level: level(engine.map_or(Severity::Error, |r| r.severity)),
                    },
                    properties: RuleProperties { check: "engine" },
                }
            }
        })
        .collect();
    let results = placed
        .iter()
        .map(|p| {
            let (d, at) = (&p.diagnostic, p.at);
            SarifResult {
                rule_id: &d.rule,
                rule_index: fired[&*d.rule],
                level: level(d.severity),
                message: Text { text: &d.message },
                locations: vec![Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri: uri(&d.path) },
                        region: region(&d.span, at),
                    },
                    message: None,
                }],
                related_locations: d
                    .labels
                    .iter()
                    .zip(&p.labels)
                    .enumerate()
                    .map(|(i, (l, at))| {
                        let path: &str = l.path.as_deref().unwrap_or(&d.path);
                        Location {
                            id: Some(i),
                            physical_location: PhysicalLocation {
                                artifact_location: ArtifactLocation { uri: uri(path) },
                                region: region(&l.span, *at),
                            },
                            message: Some(Text { text: &l.message }),
                        }
                    })
                    .collect(),
                fixes: d
                    .fix
                    .iter()
                    .map(|f| SarifFix {
                        description: Text {
                            text: &f.description,
                        },
                        artifact_changes: vec![ArtifactChange {
                            artifact_location: ArtifactLocation { uri: uri(&d.path) },
                            replacements: f
                                .edits
                                .iter()
                                .map(|e| Replacement {
                                    deleted_region: ByteRegion {
                                        byte_offset: e.start,
                                        byte_length: e.end - e.start,
                                    },
                                    inserted_content: Text {
                                        text: &e.replacement,
                                    },
                                })
                                .collect(),
                        }],
                    })
                    .collect(),
                properties: ResultProperties {
                    check: d.check,
                    notes: &d.notes,
                },
            }
        })
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "copydesk",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}
