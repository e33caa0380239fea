//! Check kinds: the code behind rules. A rule file picks a kind with `check = "..."` and sets its
//! parameters; this module maps kind names to their parameter types and compiled checks.
//!
//! Checks never do I/O and never fail: bad prose is a `Finding`, not an error. A kind either
//! runs per document (in the parallel map) or per corpus (collect facts per document in the
//! map, fold them, and report once in the reduce).
//!
//! Adding a kind: one module here, one `CheckKind` variant, its `DOC`, its fixtures.

use std::any::Any;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diagnostic::Finding;
use crate::document::Document;

pub mod date_contradiction;
pub mod duplicate_document;
pub mod headline_mismatch;
pub mod name_spelling;
pub mod pattern;
pub mod repetition;
pub mod unresolved_caption;

/// Where a kind runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Document,
    Corpus,
}

/// A mistake in a rule's parameters found while compiling it (a regex that does not compile, an
/// unknown lexicon file). `span` points into the TOML source of the parameter when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    pub span: Option<Range<usize>>,
    /// A byte range inside the (decoded) string value at `span`, to point into it.
    pub inner: Option<Range<usize>>,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

impl ParamError {
    pub fn new(span: Option<Range<usize>>, message: impl Into<String>) -> ParamError {
        ParamError {
            span,
            inner: None,
            message: message.into(),
            label: String::new(),
            help: None,
        }
    }

    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> ParamError {
        self.label = label.into();
        self
    }

    /// Points at `inner`, a byte range of the decoded string value rather than the whole value.
    #[must_use]
    pub fn in_string(mut self, inner: Range<usize>) -> ParamError {
        self.inner = Some(inner);
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> ParamError {
        self.help = Some(help.into());
        self
    }
}

/// What compiling a rule may look at besides its parameters: lexicon files that live beside the
/// rule files (`rules/lexicons/...`), embedded or on disk.
pub trait LexiconSource: Sync {
    /// The text of the lexicon at `path`, relative to the rule set's root (`lexicons/x.toml`).
    fn lexicon(&self, path: &str) -> Option<Arc<str>>;
}

/// A fingerprint of the parameters a kind's per-document analysis depends on, for
/// `Document::memo`: rules whose parameters serialise the same (with the rule-specific ones, such
/// as `mode`, reset by the caller) share one analysis of each document.
pub fn analysis_key<P: Serialize>(params: &P) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    toml::to_string(params).unwrap_or_default().hash(&mut h);
    h.finish()
}

/// Reads lexicons from a folder on disk (the repository's `rules/` in tests and tools).
pub struct DirLexicons(pub std::path::PathBuf);

impl LexiconSource for DirLexicons {
    fn lexicon(&self, path: &str) -> Option<Arc<str>> {
        std::fs::read_to_string(self.0.join(path))
            .ok()
            .map(Arc::from)
    }
}

/// A kind that runs once per document, in parallel.
pub trait DocumentCheck: Send + Sync {
    fn check(&self, doc: &Document, out: &mut Vec<Finding>);
}

/// A kind that looks across documents. `collect` runs per document in the parallel map; facts are
/// folded into accumulators (one per worker) that are merged and finally reduced to findings.
/// `fold` and `merge` must be order-independent so that output never depends on thread count or
/// file order.
pub trait CorpusCheck: Send + Sync + 'static {
    type Facts: Send + 'static;
    type Acc: Default + Send + Sync + 'static;

    fn collect(&self, doc: &Document) -> Option<Self::Facts>;
    fn fold(&self, acc: &mut Self::Acc, path: &Arc<str>, facts: Self::Facts);
    fn merge(&self, acc: &mut Self::Acc, other: Self::Acc);
    /// Findings with the path of the file each one is in.
    fn reduce(&self, acc: &Self::Acc) -> Vec<(Arc<str>, Finding)>;

    /// Sibling rules whose keys are equal (and `Some`) share one accumulator: the engine collects
    /// and folds once for all of them and hands each its `reduce`. The key must fingerprint every
    /// parameter that `collect`, `fold` and `merge` depend on.
    fn share_key(&self) -> Option<u64> {
        None
    }
}

/// A `CorpusCheck` with its types erased, so rules of different kinds sit in one list.
pub trait DynCorpusCheck: Send + Sync {
    fn new_acc(&self) -> Box<dyn Any + Send + Sync>;
    /// `collect` then `fold`: a document's facts go into the accumulator as they are, never
    /// boxed (once per document and rule group, on the hot path).
    fn collect_fold(&self, doc: &Document, acc: &mut (dyn Any + Send + Sync), path: &Arc<str>);
    fn merge(&self, acc: &mut (dyn Any + Send + Sync), other: Box<dyn Any + Send + Sync>);
    fn reduce(&self, acc: &(dyn Any + Send + Sync)) -> Vec<(Arc<str>, Finding)>;
    fn share_key(&self) -> Option<u64>;
}

impl<C: CorpusCheck> DynCorpusCheck for C {
    fn new_acc(&self) -> Box<dyn Any + Send + Sync> {
        Box::new(C::Acc::default())
    }

    fn collect_fold(&self, doc: &Document, acc: &mut (dyn Any + Send + Sync), path: &Arc<str>) {
        if let Some(facts) = CorpusCheck::collect(self, doc) {
            let acc = acc
                .downcast_mut::<C::Acc>()
                .expect("accumulator of this check");
            CorpusCheck::fold(self, acc, path, facts);
        }
    }

    fn merge(&self, acc: &mut (dyn Any + Send + Sync), other: Box<dyn Any + Send + Sync>) {
        let acc = acc
            .downcast_mut::<C::Acc>()
            .expect("accumulator of this check");
        let other = other
            .downcast::<C::Acc>()
            .expect("accumulator of this check");
        CorpusCheck::merge(self, acc, *other);
    }

    fn reduce(&self, acc: &(dyn Any + Send + Sync)) -> Vec<(Arc<str>, Finding)> {
        let acc = acc
            .downcast_ref::<C::Acc>()
            .expect("accumulator of this check");
        CorpusCheck::reduce(self, acc)
    }

    fn share_key(&self) -> Option<u64> {
        CorpusCheck::share_key(self)
    }
}

/// A rule's check, compiled and ready to run.
pub enum CompiledCheck {
    Document(Box<dyn DocumentCheck>),
    Corpus(Box<dyn DynCorpusCheck>),
}

/// What every kind module provides to the registry.
pub trait Kind {
    /// The parameters a rule file may set; every field has a default.
    type Params: DeserializeOwned + Serialize + Default;
    const NAME: &'static str;
    const SCOPE: Scope;
    /// One paragraph for `copydesk explain`: what the kind finds and how.
    const DOC: &'static str;
    /// Placeholders the kind fills in a rule's `message`.
    const PLACEHOLDERS: &'static [&'static str];

    fn compile(
        params: Self::Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<CompiledCheck, Vec<ParamError>>;
}

/// The built-in check kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckKind {
    Pattern,
    Repetition,
    DuplicateDocument,
    DateContradiction,
    UnresolvedCaption,
    HeadlineMismatch,
    NameSpelling,
}

impl CheckKind {
    pub const ALL: &'static [CheckKind] = &[
        CheckKind::Pattern,
        CheckKind::Repetition,
        CheckKind::DuplicateDocument,
        CheckKind::DateContradiction,
        CheckKind::UnresolvedCaption,
        CheckKind::HeadlineMismatch,
        CheckKind::NameSpelling,
    ];

    pub fn from_name(name: &str) -> Option<CheckKind> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.name()).collect()
    }
}

/// Dispatches a `CheckKind` to its module's `Kind` impl: `with_kind!(kind, K => expr)`.
#[macro_export]
macro_rules! with_kind {
    ($kind:expr, $k:ident => $body:expr) => {
        match $kind {
            $crate::checks::CheckKind::Pattern => {
                type $k = $crate::checks::pattern::PatternKind;
                $body
            }
            $crate::checks::CheckKind::Repetition => {
                type $k = $crate::checks::repetition::RepetitionKind;
                $body
            }
            $crate::checks::CheckKind::DuplicateDocument => {
                type $k = $crate::checks::duplicate_document::DuplicateDocumentKind;
                $body
            }
            $crate::checks::CheckKind::DateContradiction => {
                type $k = $crate::checks::date_contradiction::DateContradictionKind;
                $body
            }
            $crate::checks::CheckKind::UnresolvedCaption => {
                type $k = $crate::checks::unresolved_caption::UnresolvedCaptionKind;
                $body
            }
            $crate::checks::CheckKind::HeadlineMismatch => {
                type $k = $crate::checks::headline_mismatch::HeadlineMismatchKind;
                $body
            }
            $crate::checks::CheckKind::NameSpelling => {
                type $k = $crate::checks::name_spelling::NameSpellingKind;
                $body
            }
        }
    };
}

impl CheckKind {
    pub fn name(self) -> &'static str {
        with_kind!(self, K => K::NAME)
    }

    pub fn scope(self) -> Scope {
        with_kind!(self, K => K::SCOPE)
    }

    pub fn doc(self) -> &'static str {
        with_kind!(self, K => K::DOC)
    }

    pub fn placeholders(self) -> &'static [&'static str] {
        with_kind!(self, K => K::PLACEHOLDERS)
    }
}
