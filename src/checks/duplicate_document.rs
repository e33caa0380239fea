//! Kind `duplicate-document` (corpus scope): two or more files with the same body text.
//!
//! The map phase hashes each body with white space collapsed and case folded; the reduce phase
//! sorts the hashes and groups equal ones. Only a hash, a span and the path's bytes are kept per
//! document, with no allocation per document, so memory stays small. Findings go on every copy but the first in path order, with a label on the first.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::checks::{CompiledCheck, CorpusCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Finding, Label};
use crate::document::Document;
use crate::swar::{HI, LO, equal, in_range};
use crate::text::char_at;
// Byte classes of `normalise`.
use crate::text::class::{ALNUM, CLASS, HIGH, JOIN};

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

/// Every document fingerprinted by one worker, compactly: one 24-byte record and the file name
/// per document, no hash map and no allocation per document, so a million files cost about
/// 40 MB. Equal bodies are found at the end by sorting the records by body key, not by a map
/// kept up to date all along (a map slot costs as much as a record). Merging the workers'
/// inventories moves them, whole, into one list: nothing is copied.
#[derive(Default)]
pub struct Groups {
    /// The documents this accumulator folded itself.
    own: Part,
    /// Other workers' inventories, merged in.
    merged: Vec<Part>,
}

/// The documents folded by one worker, in fixed-size chunks: growing never copies what is
/// stored nor leaves half a buffer unused, so memory is the records and names themselves.
#[derive(Default)]
struct Part {
    /// Folder paths (with their trailing `/`), each once.
    dirs: Vec<Box<str>>,
    dir_ids: HashMap<Box<str>, u32>,
    /// File names, each ended by a NUL (which no file name holds), in chunks of `NAME_CHUNK`
    /// bytes.
    names: Vec<Vec<u8>>,
    /// One record per document, in the order they were folded, in chunks of `COPY_CHUNK`.
    copies: Vec<Vec<Copy>>,
    len: usize,
}

const COPY_CHUNK: usize = 4096;
const NAME_CHUNK: usize = 1 << 16;

/// One copy of a body: its body key (hash of the normalised body and its length), its file (a
/// folder, and its name's chunk and offset in `Part::names`, packed as `chunk << 16 | offset`)
/// and the span of its first sentence.
#[derive(Clone, Copy)]
struct Copy {
    key: u64,
    dir: u32,
    name: u32,
    span: (u32, u32),
}

fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Part {
    /// The id of folder `dir`, added if new.
    fn dir_id(&mut self, dir: &str) -> u32 {
        // Files come folder by folder: the last folder is the likely one.
        match self.dirs.last() {
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
        }
    }

    fn add(&mut self, key: u64, path: &str, span: (u32, u32)) {
        let split = path.rfind('/').map_or(0, |i| i + 1);
        let (dir, name) = path.split_at(split);
        let dir = self.dir_id(dir);
        // A name starts a new chunk when it does not fit the last one; a rare name longer than
        // a chunk gets one of its own (it starts at offset 0, so the packing holds).
        let need = name.len() + 1;
        if self
            .names
            .last()
            .is_none_or(|c| c.len() + need > c.capacity())
        {
            self.names.push(Vec::with_capacity(NAME_CHUNK.max(need)));
        }
        let chunk_index = self.names.len() - 1;
        let chunk = &mut self.names[chunk_index];
        let name_at = narrow(chunk_index << 16 | chunk.len());
        chunk.extend_from_slice(name.as_bytes());
        chunk.push(0);
        if self.copies.last().is_none_or(|c| c.len() == COPY_CHUNK) {
            self.copies.push(Vec::with_capacity(COPY_CHUNK));
        }
        if let Some(chunk) = self.copies.last_mut() {
            chunk.push(Copy {
                key,
                dir,
                name: name_at,
                span,
            });
        }
        self.len += 1;
    }

    /// Record `i`.
    fn copy(&self, i: usize) -> &Copy {
        &self.copies[i / COPY_CHUNK][i % COPY_CHUNK]
    }

    /// The path of record `i`.
    fn path(&self, i: usize) -> String {
        let copy = self.copy(i);
        let dir = self.dirs.get(copy.dir as usize).map_or("", |d| &**d);
        let chunk = self
            .names
            .get(copy.name as usize >> 16)
            .map_or(&[][..], |c| {
                &c[(copy.name as usize & 0xffff).min(c.len())..]
            });
        let name = &chunk[..memchr::memchr(0, chunk).unwrap_or(chunk.len())];
        format!("{dir}{}", String::from_utf8_lossy(name))
    }
}

thread_local! {
    /// The normalised body of the document being fingerprinted (reused: no allocation per
    /// document).
    static NORMALISED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Whether the character at byte `i` (before `end`) is a word character of `text::words`.
fn word_char_at(text: &str, i: usize, end: usize) -> bool {
    i < end
        && match CLASS[usize::from(text.as_bytes()[i])] {
            ALNUM => true,
            HIGH => char_at(text, i).is_alphanumeric(),
            _ => false,
        }
}

/// Appends to `out` the words of `text[span]` as `text::words` cuts them (runs of alphanumeric
/// characters, with an apostrophe or hyphen between two of them kept), each lower-cased
/// (`char::to_lowercase`) and followed by one space; returns how many words there were.
///
/// Eight bytes at a time where that is easy (`fast_chunks`); a chunk it cannot take goes byte
/// by byte, decoding a character only for non-ASCII bytes.
fn normalise(text: &str, span: Range<usize>, out: &mut Vec<u8>) -> usize {
    let bytes = text.as_bytes();
    let end = span.end.min(bytes.len());
    let base = out.len();
    // Room for the rest of the input and eight bytes more (the fast path stores whole chunks):
    // ASCII never grows; a non-ASCII character that does makes room below.
    out.resize(base + end.saturating_sub(span.start) + 8, 0);
    let mut at = base;
    let mut i = span.start;
    // Whether the byte before `i` ended in a word character (then a separator ends a word).
    let mut in_word = false;
    let mut count = 0;
    let mut utf8 = [0u8; 4];
    while i < end {
        if end - i >= 8 {
            let run = fast_chunks(&bytes[i..end], &mut out[at..], in_word);
            i += run.read;
            at += run.written;
            count += run.words;
            in_word = run.in_word;
            if i == end {
                break;
            }
        }
        // Byte by byte to the end of this chunk (or of the character that straddles it).
        let stop = (i + 8).min(end);
        while i < stop {
            let b = bytes[i];
            match CLASS[usize::from(b)] {
                ALNUM => {
                    out[at] = b.to_ascii_lowercase();
                    at += 1;
                    in_word = true;
                    i += 1;
                    continue;
                }
                JOIN if in_word && word_char_at(text, i + 1, end) => {
                    out[at] = b;
                    at += 1;
                    i += 1;
                    continue;
                }
                HIGH => {
                    let c = char_at(text, i);
                    let len = c.len_utf8();
                    let joins = in_word
                        && matches!(c, '\u{2019}' | '\u{2010}')
                        && word_char_at(text, i + len, end);
                    i += len;
                    if joins || c.is_alphanumeric() {
                        for l in c.to_lowercase() {
                            let l = l.encode_utf8(&mut utf8).as_bytes();
                            // Keep room for the rest of the input and eight bytes more: a
                            // character that grows when lower-cased ('İ', 'Ⱥ') eats into it.
                            let need = at + l.len() + (end - i) + 8;
                            if need > out.len() {
                                out.resize(need + 64, 0);
                            }
                            out[at..at + l.len()].copy_from_slice(l);
                            at += l.len();
                        }
                        in_word = true;
                        continue;
                    }
                }
                _ => i += 1,
            }
            // A separator: it ends the word before it.
            if in_word {
                out[at] = b' ';
                at += 1;
                count += 1;
                in_word = false;
            }
        }
    }
    if in_word {
        out[at] = b' ';
        at += 1;
        count += 1;
    }
    out.truncate(at);
    count
}

/// What `fast_chunks` did.
struct Run {
    /// Bytes of input taken (a multiple of eight).
    read: usize,
    /// Bytes of output written.
    written: usize,
    /// Words ended (separators kept).
    words: usize,
    /// Whether the last byte taken is a word character.
    in_word: bool,
}

/// Normalises `src` eight bytes at a time into `dst` (which has room for all of `src` and eight
/// bytes more), as long as the chunks are plain: ASCII letters, digits and separators, with no
/// joiner (`'`, `-`), no non-ASCII byte and no `%` or `/` (see below). Such a chunk maps byte for
/// byte (letters lower-cased, each separator a space that ends a word), less the separators
/// that follow another (", ", ". ", or the first byte after a separator), which are taken out
/// by shifts. Stops at the first chunk that is not plain, or fewer than eight bytes before the
/// end. `in_word`: whether the byte before `src` ended a word character.
///
/// A tight loop of its own, with its state in registers: about 40 instructions a chunk.
fn fast_chunks(src: &[u8], dst: &mut [u8], in_word: bool) -> Run {
    // 0x80 when the byte before the chunk is a separator (or nothing): a separator in the
    // chunk's first byte is then dropped.
    let mut carry = if in_word { 0 } else { 0x80 };
    let mut read = 0;
    let mut written = 0;
    let mut dropped = 0;
    // Separators, counted per byte lane (a lane gains at most one a chunk) and summed every
    // 255 chunks, before a lane can overflow.
    let mut seps = 0;
    'blocks: for block in src[..src.len() / 8 * 8].chunks(8 * 255) {
        let mut lanes = 0u64;
        for chunk in block.chunks_exact(8) {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(chunk);
            let x = u64::from_le_bytes(buf);
            // Bytes for the slow path: non-ASCII ones and the joiners `'` (0x27) and `-`
            // (0x2d). The two differ only in bits 0x0a, so one test with those bits cleared
            // finds both, and also `%` (0x25) and `/` (0x2f), rare in prose, which the slow
            // path takes as the separators they are.
            if (x & HI) | equal(x & !(LO * 0x0a), 0x25) != 0 {
                seps += lanes_sum(lanes);
                break 'blocks;
            }
            // Letters of either case get 0x20 (lower case); digits hold it already.
            let folded = x | (LO * 0x20);
            let letter = in_range(folded, b'a', b'z');
            let digit = in_range(x, b'0', b'9');
            let sep = !(letter | digit) & HI;
            let sep_bytes = (sep >> 7) * 0xff;
            let mut mapped = (x & !sep_bytes) | (LO * u64::from(b' '));
            // A separator after a separator: dropped.
            let drop = sep & ((sep << 8) | carry);
            // Take out the dropped bytes, the highest first (taking one out moves only the
            // bytes above it down).
            let mut rest = drop;
            while rest != 0 {
                let bit = rest.ilog2();
                let below = (1u64 << (bit - 7)) - 1;
                mapped = (mapped & below) | ((mapped >> 8) & !below);
                rest &= !(1u64 << bit);
                dropped += 1;
            }
            dst[written..written + 8].copy_from_slice(&mapped.to_le_bytes());
            read += 8;
            written = read - dropped;
            carry = sep >> 56;
            lanes += sep >> 7;
        }
        seps += lanes_sum(lanes);
    }
    Run {
        read,
        written,
        words: seps - dropped,
        in_word: carry == 0,
    }
}

/// The sum of the bytes of `lanes`.
fn lanes_sum(lanes: u64) -> usize {
    const EVEN: u64 = 0x00ff_00ff_00ff_00ff;
    let pairs = (lanes & EVEN) + ((lanes >> 8) & EVEN);
    (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize
}

impl CorpusCheck for DuplicateDocument {
    type Facts = BodyFingerprint;
    type Acc = Groups;

    fn collect(&self, doc: &Document) -> Option<BodyFingerprint> {
        let span = doc.body_span();
        // The words, case-folded and each followed by one space, hashed (XXH3, 64 bits: a
        // chance collision among a million bodies is about one in 10^7). SipHash took four times
        // as long on a kilobyte body.
        let (key, count) = NORMALISED.with(|buf| {
            let mut buf = buf.borrow_mut();
            buf.clear();
            let count = normalise(&doc.text, span.clone(), &mut buf);
            let hash = xxhash_rust::xxh3::xxh3_64(&buf);
            // A rare huge body should not pin its buffer for the rest of the run.
            if buf.capacity() > 1 << 20 {
                *buf = Vec::new();
            }
            (hash, count)
        });
        if count < self.min_words {
            return None;
        }
        // The finding spans the body's first sentence: enough to recognise it, short to print.
        let lead = doc
            .sentences
            .first()
            .cloned()
            .unwrap_or(span.start..span.start);
        Some(BodyFingerprint { key, span: lead })
    }

    fn fold(&self, acc: &mut Groups, path: &Arc<str>, facts: BodyFingerprint) {
        let span = (narrow(facts.span.start), narrow(facts.span.end));
        acc.own.add(facts.key, path, span);
    }

    fn merge(&self, acc: &mut Groups, other: Groups) {
        acc.merged.push(other.own);
        acc.merged.extend(other.merged);
    }

    fn reduce(&self, acc: &Groups) -> Vec<(Arc<str>, Finding)> {
        let mut out = Vec::new();
        // The records of every part, in body-key order: equal bodies side by side.
        let parts: Vec<&Part> = std::iter::once(&acc.own).chain(&acc.merged).collect();
        let mut order: Vec<(u32, u32)> = parts
            .iter()
            .enumerate()
            .flat_map(|(p, part)| (0..part.len).map(move |i| (narrow(p), narrow(i))))
            .collect();
        let key = |&(p, i): &(u32, u32)| parts[p as usize].copy(i as usize).key;
        order.sort_unstable_by_key(key);
        for run in order.chunk_by(|a, b| key(a) == key(b)) {
            if run.len() < 2 {
                continue;
            }
            let mut docs: Vec<(String, Range<usize>)> = run
                .iter()
                .map(|&(p, i)| {
                    let part = parts[p as usize];
                    let c = part.copy(i as usize);
                    (part.path(i as usize), c.span.0 as usize..c.span.1 as usize)
                })
                .collect();
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

#[cfg(test)]
mod tests {
    use super::{COPY_CHUNK, NAME_CHUNK, Part, normalise};
    use crate::text::RandomTexts;
    use crate::text::words;

    /// The words of `text[range]` folded the obvious way, as `normalise` must give them.
    fn reference(text: &str, range: std::ops::Range<usize>) -> (Vec<u8>, usize) {
        let mut out = String::new();
        let mut count = 0;
        for w in words(text, range) {
            out.extend(w.text.chars().flat_map(char::to_lowercase));
            out.push(' ');
            count += 1;
        }
        (out.into_bytes(), count)
    }

    #[test]
    fn normalise_folds_the_words_of_any_range() {
        let mixed: &[&str] = &[
            "a", "Zq", "9", "'", "-", "’", "‐", " ", ".", "é", "—", "ß", "中", "İ", "--", "'s",
            "\n", "X", "\u{300}", "½", "٣", "Σ", "ſ", "\u{212A}", "  ", "É",
        ];
        // Mostly ASCII prose, so that whole chunks of eight bytes take the fast path.
        let prose: &[&str] = &[
            "the", "Cat", "SAT", " ", " ", " ", ", ", ". ", "on", "mAt", "2016", "x", "-", "'",
            "\n", "\t", "z", "@", "[", "`", "{", "é", "’", "%", "/", "&",
        ];
        let mut random = RandomTexts::new();
        for round in 0..40_000 {
            let alphabet = if round % 2 == 0 { mixed } else { prose };
            let (text, range) = random.text_and_range(alphabet, 40);
            let (start, end) = (range.start, range.end);
            let mut got = Vec::new();
            let count = normalise(&text, start..end, &mut got);
            assert_eq!(
                (got, count),
                reference(&text, start..end),
                "{text:?} {start}..{end}"
            );
        }
    }

    /// The chunked inventory gives back every path and span it was given: across chunk
    /// boundaries of records and of names, and for a name longer than a name chunk.
    #[test]
    fn part_keeps_every_path_across_chunks() {
        let mut part = Part::default();
        let mut want = Vec::new();
        let long = "x".repeat(NAME_CHUNK + 10);
        for i in 0..3 * COPY_CHUNK + 7 {
            let path = match i {
                5 => format!("corpus/{long}.txt"),
                _ if i % 3 == 0 => format!("corpus/b/{i:07}-name-of-some-length.txt"),
                _ => format!("corpus/a/{i}.md"),
            };
            let span = (narrow_u32(i), narrow_u32(i + 3));
            part.add(i as u64 % 11, &path, span);
            want.push((path, span));
        }
        assert_eq!(part.len, want.len());
        for (i, (path, span)) in want.iter().enumerate() {
            assert_eq!(&part.path(i), path);
            assert_eq!(part.copy(i).span, *span);
            assert_eq!(part.copy(i).key, i as u64 % 11);
        }
        assert_eq!(part.dirs.len(), 3);
    }

    /// Characters that grow when lower-cased ('Ⱥ' two bytes to three, 'İ' two to three) early
    /// in a long body: the output buffer keeps room for the rest (this used to index past its
    /// end and panic once the growth passed eight bytes).
    #[test]
    fn normalise_keeps_room_after_growing_characters() {
        for grow in ["Ⱥ", "İ"] {
            for k in [0, 1, 7, 8, 9, 40, 200] {
                for tail in [0, 1, 3, 5, 40, 300] {
                    let text = format!("{} {}", grow.repeat(k), "ab ".repeat(tail));
                    let mut got = Vec::new();
                    let count = normalise(&text, 0..text.len(), &mut got);
                    assert_eq!(
                        (got, count),
                        reference(&text, 0..text.len()),
                        "{grow} {k} {tail}"
                    );
                }
            }
        }
    }

    fn narrow_u32(n: usize) -> u32 {
        u32::try_from(n).unwrap()
    }
}
