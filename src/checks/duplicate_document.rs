//! Kind `duplicate-document` (corpus scope): two or more files with the same body text.
//!
//! The map phase hashes each body with white space collapsed and case folded; the reduce phase
//! groups equal hashes. Only a hash, a length, a span and the path's bytes are kept per document,
//! with no allocation per document, so memory stays small. Findings go on every copy but the first in path order, with a label on the first.

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
    key: u64,
    span: Range<usize>,
}

/// Every document fingerprinted by one worker, compactly: about 40 bytes per document (its
/// file name, a record, a map slot) and no allocation per document, so a million files cost
/// tens of MB, not hundreds. Folders are stored once.
#[derive(Default)]
pub struct Groups {
    /// Folder paths (with their trailing `/`), each once.
    dirs: Vec<Box<str>>,
    dir_ids: HashMap<Box<str>, u32>,
    /// File names, back to back.
    names: String,
    /// One record per document, chained per body key.
    copies: Vec<Copy>,
    /// Body key (hash of the normalised body and its length) to its newest record.
    by_key: HashMap<u64, u32>,
}

/// One copy of a body: its file (a folder and a slice of `names`), the span of its first
/// sentence, and the previous record with the same body key.
#[derive(Clone, Copy)]
struct Copy {
    dir: u32,
    name: (u32, u32),
    span: (u32, u32),
    previous: u32,
}

const NONE: u32 = u32::MAX;

/// FNV-1a over the bytes fed, and how many there were.
struct Fnv(u64, u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325, 0)
    }
}

impl Fnv {
    fn byte(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        self.1 += 1;
    }
}

fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Groups {
    fn add(&mut self, key: u64, path: &str, span: Range<usize>) {
        let split = path.rfind('/').map_or(0, |i| i + 1);
        let (dir, name) = path.split_at(split);
        // Files come folder by folder: the last folder is the likely one.
        let dir = match self.dirs.last() {
            Some(last) if **last == *dir => narrow(self.dirs.len() - 1),
            _ => {
                if let Some(&id) = self.dir_ids.get(dir) {
                    id
                } else {
                    let id = narrow(self.dirs.len());
                    self.dirs.push(dir.into());
                    self.dir_ids.insert(dir.into(), id);
                    id
                }
            }
        };
        let start = self.names.len();
        self.names.push_str(name);
        let record = narrow(self.copies.len());
        let previous = self.by_key.insert(key, record).unwrap_or(NONE);
        self.copies.push(Copy {
            dir,
            name: (narrow(start), narrow(self.names.len())),
            span: (narrow(span.start), narrow(span.end)),
            previous,
        });
    }

    fn path(&self, copy: &Copy) -> String {
        let dir = self.dirs.get(copy.dir as usize).map_or("", |d| &**d);
        let name = self
            .names
            .get(copy.name.0 as usize..copy.name.1 as usize)
            .unwrap_or("");
        format!("{dir}{name}")
    }

    /// The copies of the body under `last`, newest first.
    fn chain(&self, last: u32) -> impl Iterator<Item = &Copy> {
        std::iter::successors(self.copies.get(last as usize), |c| {
            self.copies.get(c.previous as usize)
        })
    }
}

impl CorpusCheck for DuplicateDocument {
    type Facts = BodyFingerprint;
    type Acc = Groups;

    fn collect(&self, doc: &Document) -> Option<BodyFingerprint> {
        let span = doc.body_span();
        // The words, case-folded and joined by single spaces, hashed as they are read (FNV-1a,
        // 64 bits: a chance collision among a million bodies is about one in 10^7).
        let mut hash = Fnv::default();
        let mut count = 0;
        let mut utf8 = [0u8; 4];
        for word in words(&doc.text, span.clone()) {
            if word.text.is_ascii() {
                for b in word.text.bytes() {
                    hash.byte(b.to_ascii_lowercase());
                }
            } else {
                for c in word.text.chars().flat_map(char::to_lowercase) {
                    for &b in c.encode_utf8(&mut utf8).as_bytes() {
                        hash.byte(b);
                    }
                }
            }
            hash.byte(b' ');
            count += 1;
        }
        if count < self.min_words {
            return None;
        }
        // The length goes into the key too: equal hashes of unequal lengths are not the same body.
        let mut hasher = std::hash::DefaultHasher::new();
        hash.0.hash(&mut hasher);
        hash.1.hash(&mut hasher);
        // The finding spans the body's first sentence: enough to recognise it, short to print.
        let lead = doc
            .sentences
            .first()
            .cloned()
            .unwrap_or(span.start..span.start);
        Some(BodyFingerprint {
            key: hasher.finish(),
            span: lead,
        })
    }

    fn fold(&self, acc: &mut Groups, path: &Arc<str>, facts: BodyFingerprint) {
        acc.add(facts.key, path, facts.span);
    }

    fn merge(&self, acc: &mut Groups, other: Groups) {
        for (key, last) in &other.by_key {
            for copy in other.chain(*last) {
                let span = copy.span.0 as usize..copy.span.1 as usize;
                acc.add(*key, &other.path(copy), span);
            }
        }
    }

    fn reduce(&self, acc: &Groups) -> Vec<(Arc<str>, Finding)> {
        let mut out = Vec::new();
        for &last in acc.by_key.values() {
            if acc.copies[last as usize].previous == NONE {
                continue;
            }
            let mut docs: Vec<(String, Range<usize>)> = acc
                .chain(last)
                .map(|c| (acc.path(c), c.span.0 as usize..c.span.1 as usize))
                .collect();
            if docs.len() < 2 {
                continue;
            }
            docs.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
            let first_path: Arc<str> = Arc::from(docs[0].0.as_str());
            let first_span = docs[0].1.clone();
            let count = docs.len();
            for (path, span) in docs.into_iter().skip(1) {
                let path: Arc<str> = Arc::from(path);
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
