//! Kind `duplicate-document` (corpus scope): two or more files with the same body text.
//!
//! The map phase hashes each body with white space collapsed and case folded; the reduce phase
//! groups equal hashes. Only a hash, a length and a span are kept per document, so memory stays
//! small. Findings go on every copy but the first in path order, with a label on the first.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::checks::{CompiledCheck, CorpusCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Finding, Label};
use crate::document::Document;
use crate::text::words;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    /// Bodies shorter than this many words are never reported (stubs and boilerplate repeat).
    pub min_words: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params { min_words: 40 }
    }
}

pub struct DuplicateDocumentKind;

impl Kind for DuplicateDocumentKind {
    type Params = Params;
    const NAME: &'static str = "duplicate-document";
    const SCOPE: Scope = Scope::Corpus;
    const DOC: &'static str = "Finds documents whose body text is the same as another document's \
        (ignoring case and white space). Each document's body is hashed in the parallel map; \
        equal hashes are grouped once all documents are read. Every copy but the first (in path \
        order) is reported, with a label on the first copy. Bodies under `min-words` words are \
        skipped.";
    const PLACEHOLDERS: &'static [&'static str] = &["other", "count"];

    fn compile(params: Params, _: &dyn LexiconSource) -> Result<CompiledCheck, Vec<ParamError>> {
        Ok(CompiledCheck::Corpus(Box::new(DuplicateDocument {
            min_words: params.min_words,
        })))
    }
}

struct DuplicateDocument {
    min_words: usize,
}

/// What the map phase keeps of one document.
pub struct BodyFingerprint {
    key: (u64, usize),
    span: Range<usize>,
}

/// One copy of a body: its file and the span of its first sentence.
type Copy = (Arc<str>, Range<usize>);

#[derive(Default)]
pub struct Groups {
    by_key: HashMap<(u64, usize), Vec<Copy>>,
}

impl CorpusCheck for DuplicateDocument {
    type Facts = BodyFingerprint;
    type Acc = Groups;

    fn collect(&self, doc: &Document) -> Option<BodyFingerprint> {
        let span = doc.body_span();
        // The words, case-folded and joined by single spaces, hashed in one pass.
        let mut normal: Vec<u8> = Vec::with_capacity(span.len());
        let mut count = 0;
        let mut utf8 = [0u8; 4];
        for word in words(&doc.text, span.clone()) {
            if word.text.is_ascii() {
                normal.extend(word.text.bytes().map(|b| b.to_ascii_lowercase()));
            } else {
                for c in word.text.chars().flat_map(char::to_lowercase) {
                    normal.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
            normal.push(b' ');
            count += 1;
        }
        if count < self.min_words {
            return None;
        }
        let mut hasher = std::hash::DefaultHasher::new();
        normal.hash(&mut hasher);
        // The finding spans the body's first sentence: enough to recognise it, short to print.
        let lead = doc
            .sentences
            .first()
            .cloned()
            .unwrap_or(span.start..span.start);
        Some(BodyFingerprint {
            key: (hasher.finish(), normal.len()),
            span: lead,
        })
    }

    fn fold(&self, acc: &mut Groups, path: &Arc<str>, facts: BodyFingerprint) {
        acc.by_key
            .entry(facts.key)
            .or_default()
            .push((path.clone(), facts.span));
    }

    fn merge(&self, acc: &mut Groups, other: Groups) {
        for (key, mut docs) in other.by_key {
            acc.by_key.entry(key).or_default().append(&mut docs);
        }
    }

    fn reduce(&self, acc: &Groups) -> Vec<(Arc<str>, Finding)> {
        let mut out = Vec::new();
        for docs in acc.by_key.values() {
            if docs.len() < 2 {
                continue;
            }
            let mut docs = docs.clone();
            docs.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
            let (first_path, first_span) = docs[0].clone();
            let count = docs.len();
            for (path, span) in docs.into_iter().skip(1) {
                let finding = Finding::new(span)
                    .arg("other", first_path.to_string())
                    .arg("count", count.to_string())
                    .label(Label::in_file(
                        first_path.clone(),
                        first_span.clone(),
                        "the same body text first appears here",
                    ))
                    .note(format!(
                        "{count} files share this body; keep one and delete the others, or fix the \
                         one that was pasted over"
                    ));
                out.push((path, finding));
            }
        }
        out
    }
}
