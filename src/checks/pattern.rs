//! Kind `pattern`: a regular expression over the headline, the body or both, with an optional
//! replacement offered as a fix. The generic kind that proves the engine end to end.
//!
//! Only the `regex` crate is used (linear time, no look-around): rule files are untrusted input.

use std::ops::Range;

use regex::Regex;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::checks::{CompiledCheck, DocumentCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Edit, Finding, Fix};
use crate::document::Document;

/// Which part of a document a pattern looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatternScope {
    Headline,
    Body,
    #[default]
    Any,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    /// The regular expression (Rust `regex` syntax). Required.
    pub pattern: Option<Spanned<String>>,
    /// Replacement text for a fix; `$1`, `${name}` refer to capture groups.
    pub replacement: Option<String>,
    /// Where to look: `headline`, `body` or `any`.
    pub scope: PatternScope,
}

pub struct PatternKind;

impl Kind for PatternKind {
    type Params = Params;
    const NAME: &'static str = "pattern";
    const SCOPE: Scope = Scope::Document;
    const DOC: &'static str = "Matches a regular expression (the Rust `regex` crate: linear time, \
        no look-around or back-references) against the headline (and subtitle), the body, or the \
        whole text. Each match is a finding spanning the match. With `replacement`, the finding \
        carries a fix that replaces the match (`$1` and `${name}` expand capture groups). Prefer \
        ASCII word boundaries `(?-u:\\b)` and scoped flags `(?i:...)`: Unicode `\\b` is many times \
        slower on text with curly quotes and dashes.";
    const PLACEHOLDERS: &'static [&'static str] = &["match", "replacement"];

    fn compile(
        params: Params,
        _lexicons: &dyn LexiconSource,
    ) -> Result<CompiledCheck, Vec<ParamError>> {
        let Some(pattern) = params.pattern else {
            return Err(vec![
                ParamError::new(None, "missing key `pattern`")
                    .with_help("a `pattern` rule needs `pattern = '<regex>'`"),
            ]);
        };
        let regex = compile_regex(&pattern)?;
        Ok(CompiledCheck::Document(Box::new(PatternCheck {
            regex,
            replacement: params.replacement,
            scope: params.scope,
        })))
    }
}

/// Compiles a user regex; a syntax error points at the offending part of the TOML string.
pub fn compile_regex(pattern: &Spanned<String>) -> Result<Regex, Vec<ParamError>> {
    let source = pattern.get_ref();
    if let Err(err) = regex_syntax::ast::parse::Parser::new().parse(source) {
        let inner = err.span().start.offset..err.span().end.offset.max(err.span().start.offset);
        return Err(vec![
            ParamError::new(Some(pattern.span()), "regex does not compile")
                .with_label(err.kind().to_string())
                .in_string(inner),
        ]);
    }
    Regex::new(source).map_err(|err| {
        vec![
            ParamError::new(Some(pattern.span()), "regex does not compile")
                .with_help(err.to_string()),
        ]
    })
}

struct PatternCheck {
    regex: Regex,
    replacement: Option<String>,
    scope: PatternScope,
}

/// The parts of `doc` that `scope` looks at: headline and subtitle, then the body paragraphs.
pub(crate) fn scope_ranges(
    scope: PatternScope,
    doc: &Document,
) -> impl Iterator<Item = Range<usize>> + '_ {
    let head = matches!(scope, PatternScope::Headline | PatternScope::Any);
    let body = matches!(scope, PatternScope::Body | PatternScope::Any);
    let head = doc
        .headline
        .iter()
        .chain(&doc.subtitle)
        .filter(move |_| head);
    let body = doc.paragraphs.iter().filter(move |_| body).map(|p| &p.span);
    head.chain(body).cloned()
}

impl DocumentCheck for PatternCheck {
    fn check(&self, doc: &Document, out: &mut Vec<Finding>) {
        for range in scope_ranges(self.scope, doc) {
            let hay = &doc.text[range.clone()];
            // Plain matches are several times cheaper than captures; groups are resolved only for
            // a match that needs its replacement.
            for m in self.regex.find_iter(hay) {
                if m.is_empty() {
                    continue;
                }
                let span = range.start + m.start()..range.start + m.end();
                let mut finding = Finding::new(span.clone()).arg("match", m.as_str());
                if let Some(template) = &self.replacement
                    && let Some(caps) = self.regex.captures_at(hay, m.start())
                {
                    let mut replacement = String::new();
                    caps.expand(template, &mut replacement);
                    finding = finding.arg("replacement", replacement.clone()).fix(Fix {
                        description: format!("replace with '{replacement}'"),
                        edits: vec![Edit {
                            start: span.start,
                            end: span.end,
                            replacement,
                        }],
                    });
                }
                out.push(finding);
            }
        }
    }
}
