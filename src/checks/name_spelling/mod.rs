//! `name-spelling`: one name spelled several ways (Gaddafi / Qaddafi, Hizb ut-Tahrir /
//! Hizb-ut-Tahrir), within a document (mode `document`) or across a corpus (mode `corpus`).
//!
//! The map phase (`collect`) cuts candidate mentions out of each document (`mentions`) and
//! counts its spellings; it computes no comparison keys. `fold` computes the signature of a
//! spelling (the hashes of its blocking and form keys, `LinkSig`) once, when the accumulator
//! first sees it, and finds the document's variant sets, computing keys only for spellings
//! that share a hash with another of the document (`link_candidates`). `fold`/`merge` keep
//! per distinct spelling its text, counts, signature and a bounded sample of locations, plus
//! the within-document variant sets, so memory grows with the vocabulary of names, never with
//! the number of mentions. The reduce blocks the spellings that share a hash with another,
//! computes their keys then, links the pairs `matcher` accepts, and reports outliers.
//! This module does no I/O and keeps no state between runs.

mod lexicon;
mod matcher;
mod mentions;

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use serde::{Deserialize, Serialize};

use self::lexicon::{CanonicalTable, load_canonical, load_match_lexicon};
pub use self::matcher::fold;
use self::matcher::{FxBuild, FxHasher, LinkSig, MatchLexicon, SpellingKey};
use self::mentions::{LowerForm, LowerStarts, LowerWords, Mention, collect_mentions};
use crate::checks::{CompiledCheck, CorpusCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Edit, Finding, Fix, Label};
use crate::document::{Document, keep_spare};

/// Which inconsistencies a rule reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Two spellings of one name in the same document.
    #[default]
    Document,
    /// A rare spelling beside a dominant one elsewhere in the corpus, and configured variants.
    Corpus,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    pub mode: Mode,
    /// Connectors, titles, transliteration rewrites and known-distinct pairs.
    pub lexicon: String,
    /// Places that are never variants of one another ("" for none).
    pub gazetteer: String,
    /// House spellings and their variants ("" for none).
    pub canonical: String,
    /// Corpus mode: a spelling is an outlier when it has fewer mentions than this share of the
    /// dominant spelling's.
    pub max_minority_share: f64,
    /// Corpus mode: the dominant spelling needs at least this many mentions.
    pub min_majority_mentions: u64,
    /// Corpus mode: the dominant spelling needs at least this many documents.
    pub min_majority_documents: u64,
    /// Locations kept per spelling (the smallest by path and offset); findings and labels
    /// across documents point at these.
    pub sample_size: usize,
    /// Shortest normalised token (letters) for variants that differ in more than form (case,
    /// diacritics, hyphens, doubled letters): shorter names collide too often (Hill / Hall).
    pub min_variant_length: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            mode: Mode::Document,
            lexicon: "lexicons/name-spelling.toml".into(),
            gazetteer: "lexicons/name-gazetteer.toml".into(),
            canonical: "lexicons/name-canonical.toml".into(),
            max_minority_share: 0.2,
            min_majority_mentions: 5,
            min_majority_documents: 2,
            sample_size: 3,
            min_variant_length: 6,
        }
    }
}

pub struct NameSpellingKind;

impl Kind for NameSpellingKind {
    type Params = Params;
    const NAME: &'static str = "name-spelling";
    const SCOPE: Scope = Scope::Corpus;
    const DOC: &'static str = "Finds one name spelled in several ways (Gaddafi / Qaddafi, Hizb \
        ut-Tahrir / Hizb-ut-Tahrir), within a document or across the corpus. Candidate names are \
        runs of capitalised words with connectors (al-, bin, ut-, de, van); titles, sentence \
        openers and possessives are stripped, and a sentence-initial word counts only when the \
        document capitalises it elsewhere. Spellings are folded (case, diacritics, hyphens, \
        spaces, apostrophes: 'da dong tian' is 'Dadongtian'), rewritten by the lexicon's \
        transliteration rules (kh/k, q/k/g, dh/th/d/z, -iy/-yy/-ij, doubled letters) and \
        compared token by token, or run together when they split the name into different \
        numbers of words (then with their vowels unchanged); a pair must also keep its number \
        of vowel groups and length, and is refused when one is a derived form of the other (Pakistan / \
        Pakistani), when either is a known place (Austria / Australia, Iran / Iraq) or when \
        the pair is listed as distinct (Smith / Smyth). Mode `document` reports every mention \
        of a second spelling in a document; mode `corpus` reports a rare spelling beside a \
        dominant one and every configured variant. A configured canonical spelling always wins, \
        else the corpus majority.";
    const PLACEHOLDERS: &'static [&'static str] = &["spelling", "suggestion"];

    fn compile(
        params: Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<CompiledCheck, Vec<ParamError>> {
        let check = NameSpellingCheck::new(params, lexicons)?;
        Ok(CompiledCheck::Corpus(Box::new(check)))
    }
}

/// The compiled check.
pub struct NameSpellingCheck {
    params: Params,
    lex: MatchLexicon,
    canonical: CanonicalTable,
    /// Shared with the sibling rule when its lexicons match (see `Document::memo`).
    analysis_key: u64,
    /// Equal for rules that fold alike (they differ only in mode and reduce thresholds), so the
    /// engine folds one accumulator for both (see `CorpusCheck::share_key`).
    share_key: u64,
}

/// One spelling in one document and where it occurs.
#[derive(Clone, Debug)]
pub struct DocSpelling {
    text: Box<str>,
    spans: Vec<Range<usize>>,
}

/// What `collect` finds in one document: its spellings, sorted by text, with their texts in one
/// buffer (in no particular order) and their spans in one list. The three buffers are the
/// thread's (`FACT_BUFFERS`): taken when a document's facts are made, handed back emptied when
/// they are dropped (with the document's memo, on the thread that made them), so no allocation
/// per document or mention. Comparison keys are computed in `fold`, once per distinct spelling
/// of the accumulator, not per document.
#[derive(Debug, Default)]
pub struct DocFacts {
    texts: String,
    spellings: Vec<FactSpelling>,
    spans: Vec<Range<usize>>,
}

/// The buffers of a `DocFacts` (see `FACT_BUFFERS`).
type FactBuffers = (Vec<u8>, Vec<FactSpelling>, Vec<Range<usize>>);

/// A buffer of `DocFacts` with more room than these (bytes of text, spellings or spans) goes
/// back to the allocator: a thread keeps only buffers of ordinary size.
const SPARE_TEXT: usize = 64 * 1024;
const SPARE_ITEMS: usize = 4096;

/// One spelling of `DocFacts`: its text in `texts`, its spans (sorted, distinct) in `spans`.
#[derive(Clone, Debug)]
struct FactSpelling {
    text: Range<usize>,
    spans: Range<usize>,
    /// `spelling_hash` of the text, computed here while the text is in cache: `fold` finds the
    /// spelling in the accumulator by it.
    hash: u64,
    /// A one-word spelling whose lower-case form the document also uses as a common word
    /// ("Life" beside "life"): compared only in form, never as a transliteration.
    common: bool,
}

impl DocFacts {
    /// Empty facts in the buffers the thread's last dropped facts left (empty buffers when
    /// there are none).
    fn from_spare() -> DocFacts {
        let (texts, spellings, spans) = FACT_BUFFERS.try_with(Cell::take).unwrap_or_default();
        DocFacts {
            // Kept emptied (`keep_spare`): no bytes to check.
            texts: String::from_utf8(texts).unwrap_or_default(),
            spellings,
            spans,
        }
    }

    fn text(&self, s: &FactSpelling) -> &str {
        &self.texts[s.text.clone()]
    }

    fn spans(&self, s: &FactSpelling) -> &[Range<usize>] {
        &self.spans[s.spans.clone()]
    }
}

impl Drop for DocFacts {
    /// The buffers go back to the thread for the next document's facts (`from_spare`), emptied.
    /// `try_with`: facts dropped while their thread ends simply free their buffers.
    fn drop(&mut self) {
        let _ = FACT_BUFFERS.try_with(|spare| {
            let (mut texts, mut spellings, mut spans) = spare.take();
            let mut own = std::mem::take(&mut self.texts).into_bytes();
            keep_spare(&mut texts, &mut own, SPARE_TEXT);
            keep_spare(&mut spellings, &mut self.spellings, SPARE_ITEMS);
            keep_spare(&mut spans, &mut self.spans, SPARE_ITEMS);
            spare.set((texts, spellings, spans));
        });
    }
}

/// How often a spelling occurs in the corpus and a few places where: a view of an accumulator
/// entry (`SpellingEntry`) with its cold part (`ColdStat`), for the reduce.
#[derive(Clone, Copy, Debug)]
pub struct SpellingStat<'a> {
    mentions: u64,
    documents: u64,
    /// Used as a common word in some document it occurs in (see `FactSpelling::common`).
    common: bool,
    /// The smallest (path, span) locations, sorted, at most `sample_size`.
    sample: &'a [(Arc<str>, Range<usize>)],
    /// The hashes of the blocking and form keys (see `ColdStat::sig`).
    sig: &'a LinkSig,
}

/// The part of a spelling's statistics that a probe of the accumulator rarely needs, kept
/// beside the table (`NameAcc::cold`) so that a table entry fits one cache line.
#[derive(Debug, Default)]
struct ColdStat {
    /// The smallest (path, span) locations, sorted, at most `sample_size`.
    sample: Vec<(Arc<str>, Range<usize>)>,
    /// The hashes of the blocking and form keys, computed when the spelling is first folded
    /// in; the keys themselves are recomputed where needed (few spellings ever are).
    sig: LinkSig,
}

/// A set of variant spellings that occur together in one document.
#[derive(Debug)]
pub struct DocConflict {
    path: Arc<str>,
    members: Vec<DocSpelling>,
}

/// The accumulator: counted spellings and within-document variant sets. Its size follows the
/// vocabulary of names (some hundred bytes per distinct spelling), not the number of mentions.
#[derive(Debug, Default)]
pub struct NameAcc {
    /// The distinct spellings by `spelling_hash`. The entries keep the hash, so that a probe
    /// (some 2.7 million on the 200 MB benchmark corpus, into a table of some 35 000 spellings:
    /// 4 MB, more than a core's L2 cache) compares hashes and touches a spelling's text only on
    /// a hash match, and short texts inline. An entry is one
    /// cache line: all a probe reads or writes in the usual case (see `SpellingEntry`).
    spellings: HashTable<SpellingEntry>,
    /// The cold part of each spelling, by `SpellingEntry::id`.
    cold: Vec<ColdStat>,
    conflicts: Vec<DocConflict>,
    /// The largest path folded in so far (see `fold_facts`).
    max_path: Option<Arc<str>>,
}

/// One distinct spelling of the accumulator: what a fold reads and writes for most spellings
/// of a document, in 64 bytes aligned to a cache line (one miss per probe). The sample and the
/// full signature hashes live in `NameAcc::cold`: a fold needs the sample only while it is not
/// full (`sample_full`), and the signature only for spellings whose `fingerprints` meet another
/// spelling's of the same document.
#[derive(Debug)]
#[repr(align(64))]
struct SpellingEntry {
    /// The low half of `spelling_hash` (the table hashes `table_hash` of it).
    hash: u32,
    /// Index of the spelling's `ColdStat` in `NameAcc::cold`.
    id: u32,
    text: SpellingText,
    mentions: u64,
    documents: u64,
    /// `fingerprint` of each hash of the signature, sorted and distinct; `n_fingerprints` used.
    fingerprints: [u16; SIG_HASHES],
    n_fingerprints: u8,
    /// The sample holds `sample_size` locations.
    sample_full: bool,
    /// Used as a common word in some document it occurs in (see `FactSpelling::common`).
    common: bool,
}

const _: () = assert!(std::mem::size_of::<SpellingEntry>() == 64);

/// The most hashes a `LinkSig` holds.
const SIG_HASHES: usize = 6;

/// A 16-bit digest of a signature hash. Two spellings that share a signature hash share its
/// fingerprint, so spellings whose fingerprints meet no other's share no hash either; the few
/// that meet by chance are then checked on their full hashes.
fn fingerprint(h: u64) -> u16 {
    (h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48)) as u16
}

impl SpellingEntry {
    fn new(hash: u32, id: u32, text: &str, sig: &LinkSig) -> SpellingEntry {
        let mut fingerprints = [0u16; SIG_HASHES];
        let hashes = sig.hashes();
        for (f, &h) in fingerprints.iter_mut().zip(hashes) {
            *f = fingerprint(h);
        }
        let fps = &mut fingerprints[..hashes.len()];
        fps.sort_unstable();
        let mut n = 0;
        for i in 0..fps.len() {
            if i == 0 || fps[i] != fps[n - 1] {
                fps[n] = fps[i];
                n += 1;
            }
        }
        SpellingEntry {
            hash,
            id,
            text: SpellingText::new(text),
            mentions: 0,
            documents: 0,
            fingerprints,
            n_fingerprints: n as u8,
            sample_full: false,
            common: false,
        }
    }

    fn fingerprints(&self) -> &[u16] {
        &self.fingerprints[..usize::from(self.n_fingerprints)]
    }
}

/// The table's hash of a spelling's 32-bit hash: both the low bits (the bucket) and the top
/// seven (the tag) come from it, so an entry keeps 32 bits and the table can still rehash.
fn table_hash(hash: u32) -> u64 {
    u64::from(hash) | (u64::from(hash) << 32)
}

/// A spelling's text, inline when it fits (most do): the probe then compares it in the entry
/// it has loaded anyway, and the text costs no allocation.
#[derive(Debug, PartialEq, Eq)]
enum SpellingText {
    Inline { len: u8, bytes: [u8; INLINE_TEXT] },
    Heap(Box<str>),
}

/// The longest text kept inline (the enum stays 24 bytes, a `Box<str>` and its tag).
const INLINE_TEXT: usize = 22;

impl SpellingText {
    /// Inline exactly when the text fits, so that equal texts have equal representations.
    fn new(text: &str) -> SpellingText {
        if text.len() <= INLINE_TEXT {
            let mut bytes = [0u8; INLINE_TEXT];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            SpellingText::Inline {
                len: text.len() as u8,
                bytes,
            }
        } else {
            SpellingText::Heap(Box::from(text))
        }
    }

    fn as_str(&self) -> &str {
        match self {
            SpellingText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).expect("copied from a str")
            }
            SpellingText::Heap(text) => text,
        }
    }

    fn is(&self, text: &str) -> bool {
        match self {
            SpellingText::Inline { len, bytes } => &bytes[..usize::from(*len)] == text.as_bytes(),
            SpellingText::Heap(t) => **t == *text,
        }
    }
}

/// The hash of a spelling's text for the accumulator: `FxHash` of its bytes, then mixed
/// (`fmix64` of `MurmurHash3`) so that both the low bits (the table's bucket) and the high
/// ones (its tag) depend on every byte.
fn spelling_hash(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    h.write(text.as_bytes());
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

impl NameAcc {
    fn stat<'a>(&'a self, e: &SpellingEntry) -> SpellingStat<'a> {
        let cold = &self.cold[e.id as usize];
        SpellingStat {
            mentions: e.mentions,
            documents: e.documents,
            common: e.common,
            sample: &cold.sample,
            sig: &cold.sig,
        }
    }

    fn get(&self, text: &str) -> Option<SpellingStat<'_>> {
        let hash = spelling_hash(text) as u32;
        self.spellings
            .find(table_hash(hash), |e| e.hash == hash && e.text.is(text))
            .map(|e| self.stat(e))
    }

    /// The spellings with their statistics, sorted by text.
    fn sorted(&self) -> (Vec<&str>, Vec<SpellingStat<'_>>) {
        let mut all: Vec<(&str, SpellingStat<'_>)> = self
            .spellings
            .iter()
            .map(|e| (e.text.as_str(), self.stat(e)))
            .collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all.into_iter().unzip()
    }
}

/// A group of spellings of one name with their mention counts, most frequent first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameVariantGroup {
    pub spellings: Vec<(String, u64)>,
}

fn location_key(loc: &(Arc<str>, Range<usize>)) -> (&str, usize, usize) {
    (&loc.0, loc.1.start, loc.1.end)
}

fn merge_sample(
    into: &mut Vec<(Arc<str>, Range<usize>)>,
    more: impl IntoIterator<Item = (Arc<str>, Range<usize>)>,
    k: usize,
) {
    into.extend(more);
    into.sort_by(|a, b| location_key(a).cmp(&location_key(b)));
    into.dedup_by(|a, b| location_key(a) == location_key(b));
    into.truncate(k);
}

/// `merge_sample` of a document's first `k` spans (sorted), skipped when the sample is full and
/// its largest location lies before all of them (then none would be kept).
fn add_sample(
    into: &mut Vec<(Arc<str>, Range<usize>)>,
    path: &Arc<str>,
    spans: &[Range<usize>],
    k: usize,
) {
    if let (Some(last), Some(first)) = (into.last(), spans.first())
        && into.len() >= k
        && (&**path, first.start, first.end) >= location_key(last)
    {
        return;
    }
    merge_sample(
        into,
        spans.iter().take(k).map(|sp| (path.clone(), sp.clone())),
        k,
    );
}

/// The comparison keys of a list of spellings, each computed on first use (the corpus reduce
/// needs them only for spellings that share a blocking or form key with another). A key is
/// boxed: a slot costs a pointer, not a whole key, for the many spellings never compared (an
/// unboxed slot per distinct spelling was the run's memory peak).
struct LazyKeys<'a> {
    lex: &'a MatchLexicon,
    names: &'a [&'a str],
    keys: Vec<OnceCell<Box<SpellingKey>>>,
}

impl<'a> LazyKeys<'a> {
    fn new(lex: &'a MatchLexicon, names: &'a [&'a str]) -> LazyKeys<'a> {
        LazyKeys {
            lex,
            names,
            keys: (0..names.len()).map(|_| OnceCell::new()).collect(),
        }
    }

    fn get(&self, i: usize) -> &SpellingKey {
        self.keys[i].get_or_init(|| Box::new(self.lex.spelling_key(self.names[i])))
    }
}

/// The identity of a spelling: white space runs collapsed (a name wrapped over two lines keeps
/// one spelling) and typographic apostrophes unified (’ ‘ ʼ and the backtick are one mark: curly against
/// straight quotes is a typography question, not a name spelling).
pub fn spelling_text(text: &str) -> Cow<'_, str> {
    // Most spellings: printable ASCII without a backtick or two spaces in a row.
    // One pass, each byte compared with the one before it.
    let mut prev = 0u8;
    if text.bytes().all(|c| {
        let ok = (0x20..0x7f).contains(&c) && c != b'`' && !(c == b' ' && prev == b' ');
        prev = c;
        ok
    }) {
        return Cow::Borrowed(text);
    }
    let is_apostrophe = |c: char| matches!(c, '’' | '‘' | 'ʼ' | 'ʻ' | '`' | '′');
    let plain = !text.contains(is_apostrophe)
        && !text.contains(|c: char| c.is_whitespace() && c != ' ')
        && !text.contains("  ");
    if plain {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.extend(
            part.chars()
                .map(|c| if is_apostrophe(c) { '\'' } else { c }),
        );
    }
    Cow::Owned(out)
}

/// Whether `spelling_text` keeps `bytes[span]` (a mention of the document `bytes`) as it is at
/// its first test: printable ASCII without a backtick or two spaces in a row. Eight bytes at a
/// time (`mentions::window`, reading the text past the span where it can): with the high bit
/// of each byte cleared, adding 0x60 sets it from 0x20 up, and a byte equal to a given one is
/// zero after an exclusive or with it, the only value whose high bit 0x7F does not set.
fn plain_spelling(bytes: &[u8], span: Range<usize>) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let is = |low: u64, c: u8| !((low ^ (u64::from(c) * ONES)) + LOW);
    // Whether the byte before the window is a space, as the flag of its first byte.
    let mut carry = 0u64;
    let mut at = span.start;
    while at < span.end {
        let x = mentions::window(bytes, at, span.end);
        let n = span.end - at;
        let valid = if n >= 8 {
            HIGH
        } else {
            HIGH & ((1u64 << (8 * n)) - 1)
        };
        let low = x & LOW;
        let bad = x | !(low + 0x60 * ONES) | is(low, 0x7F) | is(low, b'`');
        let space = is(low, b' ') & !x & valid;
        if (bad & valid) | (space & ((space << 8) | carry)) != 0 {
            return false;
        }
        carry = space >> 56;
        at += 8;
    }
    true
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }

    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut j = i;
        while self.0[j] != r {
            let next = self.0[j];
            self.0[j] = r;
            j = next;
        }
        r
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index is the root, so groups do not depend on link order.
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.0[hi] = lo;
        }
    }
}

impl NameSpellingCheck {
    pub fn new(
        params: Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<NameSpellingCheck, Vec<ParamError>> {
        let mut errors = Vec::new();
        if !(0.0..=1.0).contains(&params.max_minority_share) {
            errors.push(
                ParamError::new(None, "`max-minority-share` must lie between 0 and 1")
                    .with_label(format!("found {}", params.max_minority_share)),
            );
        }
        if params.sample_size == 0 {
            errors.push(ParamError::new(None, "`sample-size` must be at least 1"));
        }
        let lex = load_match_lexicon(
            lexicons,
            &params.lexicon,
            &params.gazetteer,
            params.min_variant_length,
            &mut errors,
        );
        let canonical = load_canonical(lexicons, &params.canonical, &mut errors);
        if errors.is_empty() {
            // Which mentions a document has does not depend on the mode or the thresholds.
            let analysis_key = crate::checks::analysis_key(&(
                &params.lexicon,
                &params.gazetteer,
                &params.canonical,
            ));
            let share_key = crate::checks::analysis_key(&Params {
                mode: Mode::default(),
                max_minority_share: Params::default().max_minority_share,
                min_majority_mentions: Params::default().min_majority_mentions,
                min_majority_documents: Params::default().min_majority_documents,
                ..params.clone()
            });
            Ok(NameSpellingCheck {
                params,
                lex,
                canonical,
                analysis_key,
                share_key,
            })
        } else {
            Err(errors)
        }
    }

    /// The spellings that `link` could join to another: those that share the hash of a
    /// blocking or form key with another (see `SpellingKey::link_sig`), and configured variants
    /// with their canonical spelling when both are present. `link` over these alone makes the
    /// same groups as over all, without computing the keys of the others; a hash collision
    /// only adds a spelling that `link` then leaves alone. The `n` spellings are `name(0)`,
    /// `name(1)`, ..., sorted (a function, so that `fold` needs no list of them per document);
    /// ascending indices. `sig` may answer `None` for a spelling known to share no hash with
    /// another (see `SpellingEntry::fingerprints`): no other spelling can then share one of its
    /// hashes either, so leaving its hashes out changes nothing.
    fn link_candidates<'n, 's>(
        &self,
        n: usize,
        name: impl Fn(usize) -> &'n str,
        sig: impl Fn(usize) -> Option<&'s LinkSig>,
    ) -> Vec<usize> {
        // Filled only once some spelling is a candidate: most documents have none, and then
        // no allocation.
        let mut candidate: Vec<bool> = Vec::new();
        // Every hash of every signature, sorted: a hash that occurs twice is shared by two
        // spellings (a signature's hashes are distinct). Hashes alone, 8 bytes each, so the
        // corpus-wide call over every distinct spelling stays small. Reused across the
        // documents of a thread (see `HASHES`).
        let mut all: Vec<u64> = HASHES.take();
        all.clear();
        all.extend((0..n).flat_map(|i| sig(i).map_or(&[][..], LinkSig::hashes)));
        all.sort_unstable();
        let mut shared = all
            .chunk_by(|a, b| a == b)
            .filter(|run| run.len() > 1)
            .map(|run| run[0])
            .peekable();
        if shared.peek().is_some() {
            let shared: Vec<u64> = shared.collect();
            candidate.extend((0..n).map(|i| {
                sig(i)
                    .is_some_and(|sig| sig.hashes().iter().any(|h| shared.binary_search(h).is_ok()))
            }));
        }
        // A buffer the size of the whole inventory is not kept for the next document.
        if all.capacity() <= 1 << 16 {
            HASHES.set(all);
        }
        if !self.canonical.has_no_variants() {
            for i in 0..n {
                if let Some(c) = self.canonical.canonical_of(name(i))
                    && let Some(j) = find_sorted(n, &name, c)
                {
                    candidate.resize(n, false);
                    candidate[i] = true;
                    candidate[j] = true;
                }
            }
        }
        (0..candidate.len()).filter(|&i| candidate[i]).collect()
    }

    /// Groups of indices into `keys` whose spellings are linked by `variants`, each sorted,
    /// only groups of two or more. Pairs are compared only inside a block of equal skeletons.
    fn link(
        &self,
        names: &[&str],
        keys: &[&SpellingKey],
        common: &[bool],
        veto: impl Fn(usize, usize) -> bool,
    ) -> Vec<Vec<usize>> {
        let mut blocks: BTreeMap<(u8, &str), Vec<usize>> = BTreeMap::new();
        let mut forms: HashMap<(u8, &str), usize, FxBuild> = HashMap::default();
        let mut uf = UnionFind::new(keys.len());
        for (i, k) in keys.iter().enumerate() {
            if !k.tokens.is_empty() {
                if k.tokens.len() > 1 {
                    blocks.entry((0, k.block())).or_default().push(i);
                }
                if let Some(c) = k.country_block() {
                    blocks.entry((3, c)).or_default().push(i);
                }
                // Spellings that split the name into different numbers of words meet here.
                for w in [k.whole(), k.full_key.as_ref()].into_iter().flatten() {
                    blocks.entry((1, w.shape.as_str())).or_default().push(i);
                }
                // Spellings that differ only in form may split into tokens differently.
                for form in [(0, k.whole_fold()), (1, k.full.as_str())] {
                    match forms.entry(form) {
                        std::collections::hash_map::Entry::Occupied(e) => uf.union(*e.get(), i),
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(i);
                        }
                    }
                }
            }
        }
        for members in blocks.values().filter(|m| m.len() > 1) {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    if !common[a]
                        && !common[b]
                        && !veto(a, b)
                        && self.lex.variants(keys[a], keys[b])
                    {
                        uf.union(a, b);
                    }
                }
            }
        }
        // Configured variants join their canonical spelling whatever their keys say.
        let index: HashMap<&str, usize, FxBuild> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        for (i, name) in names.iter().enumerate() {
            if let Some(&j) = self
                .canonical
                .canonical_of(name)
                .and_then(|c| index.get(c.as_str()))
            {
                uf.union(i, j);
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..keys.len() {
            let root = uf.find(i);
            groups.entry(root).or_default().push(i);
        }
        groups.into_values().filter(|g| g.len() > 1).collect()
    }

    /// The variant groups of the corpus, for `copydesk` reports and the accuracy harness.
    pub fn variant_groups(&self, acc: &NameAcc) -> Vec<NameVariantGroup> {
        let (names, stats) = acc.sorted();
        let keys = LazyKeys::new(&self.lex, &names);
        let mut out: Vec<NameVariantGroup> = self
            .corpus_groups(&stats, &names, &keys)
            .into_iter()
            .map(|g| {
                let mut spellings: Vec<(String, u64)> = g
                    .iter()
                    .map(|&i| (names[i].to_string(), stats[i].mentions))
                    .collect();
                spellings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                NameVariantGroup { spellings }
            })
            .collect();
        out.sort_by(|a, b| a.spellings[0].0.cmp(&b.spellings[0].0));
        out
    }

    /// Whether the corpus grouping puts spellings `a` and `b` in one group: the spelling
    /// identity of `collect` (one spelling when they differ only in white space or apostrophe
    /// style), then the same `link` (blocking, form union, `variants`, configured variants)
    /// the reduce runs, here over these two spellings alone. For the accuracy harness.
    pub fn same_name(&self, a: &str, b: &str) -> bool {
        let (a, b) = (spelling_text(a), spelling_text(b));
        if a == b {
            return true;
        }
        let names = [a.as_ref(), b.as_ref()];
        let keys = names.map(|n| self.lex.spelling_key(n));
        !self
            .link(&names, &[&keys[0], &keys[1]], &[false, false], |_, _| false)
            .is_empty()
    }

    /// The variant groups of the corpus: `link` over all spellings of `acc` (`names`, sorted),
    /// run over its `link_candidates` only, so that keys are computed for those alone. Indices
    /// are into `names`.
    fn corpus_groups(
        &self,
        stats: &[SpellingStat<'_>],
        names: &[&str],
        keys: &LazyKeys<'_>,
    ) -> Vec<Vec<usize>> {
        let sub = self.link_candidates(names.len(), |i| names[i], |i| Some(stats[i].sig));
        let sub_names: Vec<&str> = sub.iter().map(|&i| names[i]).collect();
        let sub_keys: Vec<&SpellingKey> = sub.iter().map(|&i| keys.get(i)).collect();
        let common: Vec<bool> = sub.iter().map(|&i| stats[i].common).collect();
        // `sub` is ascending, so groups and their order map back unchanged.
        self.link(&sub_names, &sub_keys, &common, |_, _| false)
            .into_iter()
            .map(|g| g.into_iter().map(|j| sub[j]).collect())
            .collect()
    }

    /// The configured canonical spelling for a group: a member that is a canonical spelling,
    /// or the canonical of a member that is a listed variant.
    fn configured_canonical<'a>(&'a self, members: &[&'a str]) -> Option<&'a str> {
        if let Some(m) = members
            .iter()
            .find(|m| self.canonical.canonicals.iter().any(|c| c == **m))
        {
            return Some(m);
        }
        members
            .iter()
            .find_map(|m| self.canonical.canonical_of(m).map(String::as_str))
    }

    fn reduce_document(&self, acc: &NameAcc) -> Vec<(Arc<str>, Finding)> {
        let mut out = Vec::new();
        for conflict in &acc.conflicts {
            let members: Vec<&str> = conflict.members.iter().map(|m| m.text.as_ref()).collect();
            let corpus = |s: &str| acc.get(s).map_or(0, |st| st.mentions);
            // The configured spelling, else the corpus majority, else the document's, else the
            // one used first.
            let suggestion = self.configured_canonical(&members).map_or_else(
                || {
                    conflict
                        .members
                        .iter()
                        .max_by(|a, b| {
                            corpus(&a.text)
                                .cmp(&corpus(&b.text))
                                .then(a.spans.len().cmp(&b.spans.len()))
                                // The spelling used first (often with the full name).
                                .then_with(|| {
                                    let first = |m: &DocSpelling| m.spans.first().map(|r| r.start);
                                    first(b).cmp(&first(a))
                                })
                        })
                        .map(|m| m.text.to_string())
                        .unwrap_or_default()
                },
                str::to_string,
            );
            let suggested_key = self.lex.spelling_key(&suggestion);
            // A word the corpus also writes in lower case ("foundation") is compared only in
            // form: "Fondation" beside "Foundation" is a translation, not a misspelling.
            let common = |s: &str| acc.get(s).is_some_and(|st| st.common);
            let here = conflict.members.iter().find(|m| *m.text == *suggestion);
            for m in &conflict.members {
                let key = self.lex.spelling_key(&m.text);
                let form_only = key.same_form(&suggested_key);
                let configured = self.canonical.canonical_of(m.text.as_ref()) == Some(&suggestion);
                if *m.text == *suggestion
                    || !configured
                        && (!self.lex.variants(&key, &suggested_key) && here.is_some()
                            || !form_only && (common(&m.text) || common(&suggestion)))
                {
                    continue;
                }
                for span in &m.spans {
                    let mut f = Finding::new(span.clone())
                        .arg("spelling", m.text.to_string())
                        .arg("suggestion", suggestion.clone());
                    if let Some(first) = here.and_then(|h| h.spans.first()) {
                        {
                            f = f.label(Label::here(
                                first.clone(),
                                format!("spelled '{suggestion}' here"),
                            ));
                        }
                    }
                    let mut counts = String::new();
                    for other in &conflict.members {
                        if !counts.is_empty() {
                            counts.push_str(", ");
                        }
                        let _ = write!(
                            counts,
                            "'{}' {}",
                            other.text,
                            plural(other.spans.len() as u64, "time")
                        );
                    }
                    f = f.note(format!("this document spells the name {counts}"));
                    if here.is_none() {
                        f = f.note(format!("'{suggestion}' is the configured house spelling"));
                    }
                    f = f.note(format!("use one spelling throughout: '{suggestion}'"));
                    f = f.fix(Fix {
                        description: format!("replace '{}' with '{suggestion}'", m.text),
                        edits: vec![Edit {
                            start: span.start,
                            end: span.end,
                            replacement: suggestion.clone(),
                        }],
                    });
                    out.push((conflict.path.clone(), f));
                }
            }
        }
        out
    }

    fn reduce_corpus(&self, acc: &NameAcc) -> Vec<(Arc<str>, Finding)> {
        let mut in_conflict: HashMap<&str, Vec<&str>, FxBuild> = HashMap::default();
        for c in &acc.conflicts {
            for m in &c.members {
                in_conflict.entry(&c.path).or_default().push(&m.text);
            }
        }
        let skip = |path: &str, spelling: &str| {
            in_conflict.get(path).is_some_and(|v| v.contains(&spelling))
        };
        let (names, stats) = acc.sorted();
        let keys = LazyKeys::new(&self.lex, &names);
        let given_names = GivenNames::new(&names);
        let mut out = Vec::new();
        let mut reported: Vec<usize> = Vec::new();
        for group in self.corpus_groups(&stats, &names, &keys) {
            let members: Vec<&str> = group.iter().map(|&i| names[i]).collect();
            let stat = |i: usize| stats[i];
            let configured = self.configured_canonical(&members).map(str::to_string);
            let major = match configured
                .as_deref()
                .and_then(|c| group.iter().copied().find(|&i| names[i] == c))
            {
                Some(i) => i,
                None => match group.iter().copied().max_by(|&a, &b| {
                    stat(a)
                        .mentions
                        .cmp(&stat(b).mentions)
                        .then(stat(a).documents.cmp(&stat(b).documents))
                        .then_with(|| names[b].cmp(names[a]))
                }) {
                    Some(i) => i,
                    None => continue,
                },
            };
            let major_stat = stat(major);
            let dominant = major_stat.mentions >= self.params.min_majority_mentions
                && major_stat.documents >= self.params.min_majority_documents;
            for &m in &group {
                if m == major {
                    continue;
                }
                let s = stat(m);
                let is_configured_variant = configured.as_deref() == Some(names[major])
                    && self.canonical.canonical_of(names[m]).map(String::as_str)
                        == Some(names[major]);
                // One word alone across documents needs more than spelling: the same given
                // name in front of both somewhere in the corpus, or a difference of form only.
                // A rare spelling used as a surname beside a dominant one never used so is
                // another entity (Robert MacIntosh, the Macintosh computer).
                let other_entity =
                    given_names.is_surname(names[m]) && !given_names.is_surname(names[major]);
                let evidence = keys.get(m).tokens.len() > 1
                    || keys.get(m).same_form(keys.get(major)) && !other_entity
                    || given_names.shared(names[m], names[major]);
                let rare = dominant
                    && evidence
                    && (s.mentions as f64)
                        < self.params.max_minority_share * major_stat.mentions as f64
                    && self.lex.variants(keys.get(m), keys.get(major));
                if !(rare || is_configured_variant) {
                    continue;
                }
                reported.push(m);
                for (path, span) in s.sample {
                    if skip(path, names[m]) {
                        continue;
                    }
                    out.push((
                        path.clone(),
                        Self::corpus_finding(
                            names[m],
                            &s,
                            names[major],
                            &major_stat,
                            span,
                            is_configured_variant,
                        ),
                    ));
                }
            }
        }
        // Configured variants with no canonical spelling in the corpus at all.
        for (i, name) in names.iter().enumerate() {
            let Some(canonical) = self.canonical.canonical_of(name) else {
                continue;
            };
            if reported.contains(&i) || acc.get(canonical).is_some() {
                continue;
            }
            let s = stats[i];
            for (path, span) in s.sample {
                if skip(path, name) {
                    continue;
                }
                let f = Finding::new(span.clone())
                    .arg("spelling", name.to_string())
                    .arg("suggestion", canonical.clone())
                    .note(format!(
                        "'{canonical}' is the configured house spelling; '{name}' occurs {} in {}",
                        plural(s.mentions, "time"),
                        plural(s.documents, "document")
                    ))
                    .note(format!("write '{canonical}'"));
                out.push((path.clone(), f));
            }
        }
        out
    }

    fn corpus_finding(
        minor: &str,
        minor_stat: &SpellingStat<'_>,
        major: &str,
        major_stat: &SpellingStat<'_>,
        span: &Range<usize>,
        configured: bool,
    ) -> Finding {
        let mut f = Finding::new(span.clone())
            .arg("spelling", minor.to_string())
            .arg("suggestion", major.to_string());
        for (path, s) in major_stat.sample {
            f = f.label(Label::in_file(
                path.clone(),
                s.clone(),
                format!("spelled '{major}' here"),
            ));
        }
        let mut examples: Vec<&str> = major_stat.sample.iter().map(|(p, _)| p.as_ref()).collect();
        examples.dedup();
        f = f.note(format!(
            "spelled '{major}' {} in {} (e.g. {}); '{minor}' {} in {}",
            plural(major_stat.mentions, "time"),
            plural(major_stat.documents, "document"),
            examples.join(", "),
            plural(minor_stat.mentions, "time"),
            plural(minor_stat.documents, "document"),
        ));
        if configured {
            f = f.note(format!(
                "'{major}' is the configured house spelling; write '{major}'"
            ));
        } else {
            f = f.note(format!("write '{major}' unless this is another name; if both are right, list the pair as distinct in the name-spelling lexicon"));
        }
        f
    }
}

/// For each last word of a multi-word spelling, the words before it ("Muammar" for
/// "Muammar Gaddafi"): two surnames that follow the same given name are likely one person.
struct GivenNames<'a> {
    by_last: HashMap<&'a str, Vec<&'a str>, FxBuild>,
}

impl<'a> GivenNames<'a> {
    fn new(names: &[&'a str]) -> GivenNames<'a> {
        let mut by_last: HashMap<&'a str, Vec<&'a str>, FxBuild> = HashMap::default();
        for name in names {
            if let Some((head, last)) = name.rsplit_once(' ') {
                by_last.entry(last).or_default().push(head);
            }
        }
        GivenNames { by_last }
    }

    fn is_surname(&self, a: &str) -> bool {
        self.by_last.contains_key(a)
    }

    /// Both follow given names, and never the same one.
    fn different_people(&self, a: &str, b: &str) -> bool {
        self.is_surname(a) && self.is_surname(b) && !self.shared(a, b)
    }

    fn shared(&self, a: &str, b: &str) -> bool {
        match (self.by_last.get(a), self.by_last.get(b)) {
            (Some(x), Some(y)) => x.iter().any(|h| y.contains(h)),
            _ => false,
        }
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl CorpusCheck for NameSpellingCheck {
    type Facts = Arc<DocFacts>;
    type Acc = NameAcc;

    fn share_key(&self) -> Option<u64> {
        Some(self.share_key)
    }

    fn collect(&self, doc: &Document) -> Option<Arc<DocFacts>> {
        // Both name rules collect the same facts: the second reuses the first's (shared, not
        // copied).
        doc.memo(self.analysis_key, || self.collect_facts(doc).map(Arc::new))
            .as_ref()
            .clone()
    }

    fn fold(&self, acc: &mut NameAcc, path: &Arc<str>, facts: Arc<DocFacts>) {
        self.fold_facts(acc, path, &facts);
    }
    fn merge(&self, acc: &mut NameAcc, mut other: NameAcc) {
        let k = self.params.sample_size;
        // The smaller inventory goes into the larger, whose table most likely has room for it
        // already: growing a table while the other is still alive is the run's memory peak.
        if other.spellings.len() > acc.spellings.len() {
            std::mem::swap(acc, &mut other);
        }
        let mut other_cold = other.cold;
        for mut entry in other.spellings {
            let cold = std::mem::take(&mut other_cold[entry.id as usize]);
            match acc.spellings.entry(
                table_hash(entry.hash),
                |e| e.hash == entry.hash && e.text == entry.text,
                |e| table_hash(e.hash),
            ) {
                Entry::Vacant(e) => {
                    entry.id = new_id(&acc.cold);
                    acc.cold.push(cold);
                    e.insert(entry);
                }
                Entry::Occupied(mut e) => {
                    let into = e.get_mut();
                    into.mentions += entry.mentions;
                    into.documents += entry.documents;
                    into.common |= entry.common;
                    let sample = &mut acc.cold[into.id as usize].sample;
                    merge_sample(sample, cold.sample, k);
                    into.sample_full = sample.len() >= k;
                }
            }
        }
        drop(other_cold);
        acc.conflicts.extend(other.conflicts);
        acc.conflicts.sort_by(conflict_order);
        if let Some(p) = other.max_path
            && acc.max_path.as_ref().is_none_or(|m| p > *m)
        {
            acc.max_path = Some(p);
        }
    }

    fn reduce(&self, acc: &NameAcc) -> Vec<(Arc<str>, Finding)> {
        let mut out = match self.params.mode {
            Mode::Document => self.reduce_document(acc),
            Mode::Corpus => self.reduce_corpus(acc),
        };
        out.sort_by(|a, b| {
            (&a.0, a.1.span.start, a.1.span.end).cmp(&(&b.0, b.1.span.start, b.1.span.end))
        });
        out.dedup_by(|a, b| a.0 == b.0 && a.1.span == b.1.span);
        // A finding on a whole name that holds a finding on its surname says the same twice:
        // keep the narrower one, whose fix touches only the word that differs.
        let mut keep = vec![true; out.len()];
        let mut from = 0;
        while from < out.len() {
            let to = from
                + out[from..]
                    .iter()
                    .take_while(|(p, _)| *p == out[from].0)
                    .count();
            // Compared within one file only: a file has few findings.
            for i in from..to {
                for j in (from..to).filter(|&j| j != i) {
                    let (a, b) = (&out[j].1.span, &out[i].1.span);
                    if a.start <= b.start && b.end <= a.end && a != b {
                        keep[j] = false;
                    }
                }
            }
            from = to;
        }
        let mut keep = keep.into_iter();
        out.retain(|_| keep.next().unwrap_or(true));
        out
    }
}

impl NameSpellingCheck {
    fn collect_facts(&self, doc: &Document) -> Option<DocFacts> {
        // The per-document buffers of the scan, reused across the documents of a thread (taken
        // out of the thread's slot and put back cleared, so no allocation per document).
        let mut mentions = SCAN_BUFFERS.take();
        mentions.clear();
        let mut starts = LowerStarts::default();
        collect_mentions(doc, &self.lex, &mut mentions, &mut starts);
        let facts = Self::facts_of(doc, &mentions, &starts);
        SCAN_BUFFERS.set(mentions);
        facts
    }

    /// The spellings of a document's mentions (ascending starts), sorted by text, each with
    /// its spans in mention order. Mentions are grouped by spelling in a small hash table
    /// (`spelling_hash`, computed once per mention) and only the distinct spellings are sorted,
    /// so a mention costs no string comparison beyond the one that finds its group.
    fn group_spellings(doc: &Document, mentions: &[Mention]) -> DocFacts {
        let mut facts = DocFacts::from_spare();
        let GroupBuffers {
            mut groups,
            mut order,
            mut of,
            mut slots,
        } = GROUP_BUFFERS.take();
        groups.clear();
        of.clear();
        slots.clear();
        // Open addressing, at most half full; `u32::MAX` is an empty slot.
        let mask = (2 * mentions.len()).next_power_of_two() - 1;
        slots.resize(mask + 1, u32::MAX);
        for m in mentions {
            let text = if plain_spelling(doc.text.as_bytes(), m.span.clone()) {
                Cow::Borrowed(&doc.text[m.span.clone()])
            } else {
                spelling_text(&doc.text[m.span.clone()])
            };
            let hash = spelling_hash(&text);
            let mut at = hash as usize & mask;
            let g = loop {
                let slot = slots[at];
                if slot == u32::MAX {
                    let g = groups.len();
                    slots[at] = u32::try_from(g).expect("fewer than 2^32 spellings");
                    let mut prefix = [0u8; 8];
                    let n = text.len().min(8);
                    prefix[..n].copy_from_slice(&text.as_bytes()[..n]);
                    // A new spelling's text goes to the facts' buffer at once, in the order
                    // found: the spellings' order is set below, without moving texts.
                    let from = facts.texts.len();
                    facts.texts.push_str(&text);
                    groups.push(Group {
                        text: from..facts.texts.len(),
                        hash,
                        prefix: u64::from_be_bytes(prefix),
                        count: 0,
                    });
                    break g;
                }
                let g = slot as usize;
                if groups[g].hash == hash && facts.texts[groups[g].text.clone()] == *text {
                    break g;
                }
                at = (at + 1) & mask;
            };
            groups[g].count += 1;
            of.push(u32::try_from(g).expect("fewer than 2^32 spellings"));
        }
        // The spellings in text order; `slots` now maps a group to its next span's index.
        order.clear();
        order.extend(0..u32::try_from(groups.len()).expect("fewer than 2^32 spellings"));
        let texts = &facts.texts;
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (&groups[a as usize], &groups[b as usize]);
            a.prefix
                .cmp(&b.prefix)
                .then_with(|| texts[a.text.clone()].cmp(&texts[b.text.clone()]))
        });
        facts.spellings.clear();
        facts.spans.clear();
        facts.spans.resize(mentions.len(), 0..0);
        slots.clear();
        slots.resize(groups.len(), 0);
        let mut at = 0;
        for &g in &order {
            let group = &groups[g as usize];
            slots[g as usize] = u32::try_from(at).expect("fewer than 2^32 mentions");
            facts.spellings.push(FactSpelling {
                text: group.text.clone(),
                spans: at..at + group.count,
                hash: group.hash,
                common: false,
            });
            at += group.count;
        }
        for (m, &g) in mentions.iter().zip(&of) {
            let next = &mut slots[g as usize];
            facts.spans[*next as usize] = m.span.clone();
            *next += 1;
        }
        GROUP_BUFFERS.set(GroupBuffers {
            groups,
            order,
            of,
            slots,
        });
        facts
    }

    fn facts_of(doc: &Document, mentions: &[Mention], starts: &LowerStarts) -> Option<DocFacts> {
        if mentions.is_empty() {
            return None;
        }
        // `collect_mentions` cuts the runs in text order, a run's surname after the run: the
        // starts ascend, so each spelling's spans come sorted and distinct, as `DocFacts`
        // wants them. Anything else is sorted (and a span counted once) first.
        let sorted;
        let mentions = if mentions
            .windows(2)
            .all(|w| w[0].span.start < w[1].span.start)
        {
            mentions
        } else {
            let mut m = mentions.to_vec();
            m.sort_unstable_by_key(|m| (m.span.start, m.span.end));
            m.dedup();
            sorted = m;
            &sorted[..]
        };
        let mut facts = Self::group_spellings(doc, mentions);
        // One-word spellings the document also writes in lower case ("Life" beside "life"):
        // each lower-case form looked up in the text (`LowerWords`), not each word of the text
        // among the forms, so that the scan of the mentions passes over lower-case words; the
        // scan's record of the lower-case words' openings (`starts`) rules out most forms
        // before any search. The forms in one buffer (the thread's, see `LOWER_BUFFERS`).
        let (mut lowered, mut forms) = LOWER_BUFFERS.take();
        lowered.clear();
        forms.clear();
        for s in &facts.spellings {
            let t = &facts.texts[s.text.clone()];
            if !one_word(t) {
                continue;
            }
            let at = lowered.len();
            if t.is_ascii() {
                lowered.extend(t.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                lowered.push_str(&t.to_lowercase());
            }
            forms.push(LowerForm {
                text: at..lowered.len(),
                found: false,
            });
        }
        if !forms.is_empty() {
            LowerWords::new(doc).find_each(&lowered, &mut forms, starts);
            let mut forms = forms.iter();
            for s in &mut facts.spellings {
                if one_word(&facts.texts[s.text.clone()]) {
                    s.common = forms.next().is_some_and(|f| f.found);
                }
            }
        }
        LOWER_BUFFERS.set((lowered, forms));
        Some(facts)
    }

    fn fold_facts(&self, acc: &mut NameAcc, path: &Arc<str>, facts: &DocFacts) {
        let k = self.params.sample_size;
        let n = facts.spellings.len();
        let several = n > 1;
        // For each spelling, its cold id (`SpellingEntry::id`); for the document, the
        // fingerprints of all its spellings as (fingerprint, spelling) pairs. Reused across the
        // documents of a thread (see `FOLD_BUFFERS`).
        let (mut ids, mut fps, mut bits, mut found, mut maybe) = FOLD_BUFFERS.take();
        ids.clear();
        fps.clear();
        // A document whose path is larger than every path folded in before (the usual case:
        // a worker takes documents mostly in walk order) has locations larger than every
        // location of every sample: a full sample keeps none of them, and one with room takes
        // its first spans as they are, with no path compared per spelling.
        let newest = acc.max_path.as_ref().is_none_or(|m| **path > **m);
        if newest {
            acc.max_path = Some(path.clone());
        }
        // First every spelling's bucket (`find_bucket_index`), then the updates. The table
        // outgrows the L2 cache (a fifth of the probes miss it on the benchmark corpus); the
        // finds are independent of one another, so the processor overlaps their misses, where
        // the updates (a long chain of work per entry) would take them one at a time. Room for
        // every spelling is reserved first: an insert then never moves an entry, so the
        // buckets found stay valid through the updates. The spellings of a document are
        // distinct (`group_spellings`), so one not found is inserted as new.
        acc.spellings
            .reserve(n, |e: &SpellingEntry| table_hash(e.hash));
        found.clear();
        found.extend(facts.spellings.iter().map(|s| {
            let text = facts.text(s);
            let hash = s.hash as u32;
            acc.spellings
                .find_bucket_index(table_hash(hash), |e| e.hash == hash && e.text.is(text))
        }));
        for (i, s) in facts.spellings.iter().enumerate() {
            let text = facts.text(s);
            let spans = facts.spans(s);
            // The entry keeps the low half of the hash (see `table_hash`).
            let hash = s.hash as u32;
            let entry = if let Some(at) = found[i] {
                acc.spellings.get_bucket_mut(at).expect("found above")
            } else {
                let sig = self.lex.link_sig(text);
                let id = new_id(&acc.cold);
                acc.cold.push(ColdStat {
                    sample: Vec::new(),
                    sig,
                });
                acc.spellings
                    .insert_unique(
                        table_hash(hash),
                        SpellingEntry::new(hash, id, text, &sig),
                        |e| table_hash(e.hash),
                    )
                    .into_mut()
            };
            entry.mentions += spans.len() as u64;
            entry.documents += 1;
            entry.common |= s.common;
            // A full sample of the newest document keeps it as it is: the cold part is not
            // touched (the usual case for a frequent spelling).
            if !(newest && entry.sample_full) {
                let sample = &mut acc.cold[entry.id as usize].sample;
                if newest {
                    let room = k.saturating_sub(sample.len()).min(spans.len());
                    if room > 0 {
                        // Exact capacities: most spellings keep one location.
                        sample.reserve_exact(room);
                        sample.extend(spans[..room].iter().map(|sp| (path.clone(), sp.clone())));
                    }
                } else {
                    add_sample(sample, path, spans, k);
                }
                entry.sample_full = sample.len() >= k;
            }
            if several {
                ids.push(entry.id);
                fps.extend(
                    entry
                        .fingerprints()
                        .iter()
                        .map(|&f| (u64::from(f) << 32) | i as u64),
                );
            }
        }
        if !several {
            FOLD_BUFFERS.set((ids, fps, bits, found, maybe));
            return;
        }
        // The spellings that share a fingerprint with another: only these can share a
        // signature hash, so only their (cold) signatures are read.
        // A bitmap over all fingerprints, set and cleared per document: a spelling's
        // fingerprints are distinct, so one seen twice is shared by two spellings. Such
        // fingerprints are rare (most documents have none), and only they are looked up again.
        maybe.clear();
        maybe.resize(n, false);
        bits.resize(1 << 10, 0);
        let at = |p: u64| ((p >> 38) as usize, 1u64 << ((p >> 32) & 63));
        let mut twice: Vec<u64> = Vec::new();
        for &p in &fps {
            let (w, b) = at(p);
            if bits[w] & b != 0 {
                twice.push(p >> 32);
            }
            bits[w] |= b;
        }
        for &p in &fps {
            bits[at(p).0] = 0;
        }
        if !twice.is_empty() {
            // Sorted: a long document may have many.
            twice.sort_unstable();
            for &p in &fps {
                if twice.binary_search(&(p >> 32)).is_ok() {
                    maybe[(p & 0xffff_ffff) as usize] = true;
                }
            }
        }
        // Most documents have no two spellings that could be linked.
        let sub = self.link_candidates(
            n,
            |i| facts.text(&facts.spellings[i]),
            |i| maybe[i].then(|| &acc.cold[ids[i] as usize].sig),
        );
        FOLD_BUFFERS.set((ids, fps, bits, found, maybe));
        if sub.is_empty() {
            return;
        }
        let texts: Vec<&str> = facts.spellings.iter().map(|s| facts.text(s)).collect();
        let sub_texts: Vec<&str> = sub.iter().map(|&i| texts[i]).collect();
        let keys: Vec<SpellingKey> = sub_texts.iter().map(|t| self.lex.spelling_key(t)).collect();
        let key_refs: Vec<&SpellingKey> = keys.iter().collect();
        let common: Vec<bool> = sub.iter().map(|&i| facts.spellings[i].common).collect();
        // Given names come from all the document's spellings.
        let given_names = GivenNames::new(&texts);
        // Two surnames after different given names are two people (Ruhollah Khomeini, Ali
        // Khamenei), however alike they look.
        let groups = self.link(&sub_texts, &key_refs, &common, |a, b| {
            given_names.different_people(sub_texts[a], sub_texts[b])
        });
        for group in groups {
            let members = group
                .into_iter()
                .map(|j| sub[j])
                .map(|i| {
                    let s = &facts.spellings[i];
                    DocSpelling {
                        text: Box::from(facts.text(s)),
                        spans: facts.spans(s).to_vec(),
                    }
                })
                .collect();
            let conflict = DocConflict {
                path: path.clone(),
                members,
            };
            // Kept sorted as they arrive, so the accumulator's order never depends on which
            // worker folded which document.
            let at = acc
                .conflicts
                .partition_point(|c| conflict_order(c, &conflict).is_lt());
            acc.conflicts.insert(at, conflict);
        }
    }
}

/// One spelling of a document while `group_spellings` groups the mentions.
struct Group {
    /// Its text in the facts' `texts`.
    text: Range<usize>,
    hash: u64,
    /// The first eight bytes of the text as a big-endian number (zero-padded): ordered as the
    /// texts are, so the sort compares whole texts only on equal prefixes.
    prefix: u64,
    count: usize,
}

/// The buffers of `group_spellings` (see `GROUP_BUFFERS`): the spellings, their order by text,
/// the spelling of each mention and the hash slots.
#[derive(Default)]
struct GroupBuffers {
    groups: Vec<Group>,
    order: Vec<u32>,
    of: Vec<u32>,
    slots: Vec<u32>,
}

/// The buffers of `fold_facts` (see `FOLD_BUFFERS`).
type FoldBuffers = Cell<(Vec<u32>, Vec<u64>, Vec<u64>, Vec<Option<usize>>, Vec<bool>)>;

thread_local! {
    /// The buffers of the last `DocFacts` dropped on this thread, emptied, for the next one.
    static FACT_BUFFERS: Cell<FactBuffers> =
        const { Cell::new((Vec::new(), Vec::new(), Vec::new())) };
    /// The buffers of `group_spellings`, kept per thread.
    static GROUP_BUFFERS: Cell<GroupBuffers> = const {
        Cell::new(GroupBuffers {
            groups: Vec::new(),
            order: Vec::new(),
            of: Vec::new(),
            slots: Vec::new(),
        })
    };
    /// The cold ids, fingerprints, fingerprint bitmaps, found buckets and shared-fingerprint
    /// flags of `fold_facts`, kept per thread.
    static FOLD_BUFFERS: FoldBuffers = const {
        Cell::new((Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()))
    };
    /// The signature hashes of `link_candidates`, kept per thread.
    static HASHES: std::cell::Cell<Vec<u64>> = const { std::cell::Cell::new(Vec::new()) };
    /// The lower-case forms of `facts_of` (their texts, and each with whether it is found),
    /// kept per thread.
    static LOWER_BUFFERS: std::cell::Cell<(String, Vec<LowerForm>)> =
        const { std::cell::Cell::new((String::new(), Vec::new())) };
    /// The mention and lower-case word buffers of `collect_facts`, kept per thread.
    static SCAN_BUFFERS: std::cell::Cell<Vec<Mention>> =
        const { std::cell::Cell::new(Vec::new()) };
}

/// The index of `target` among the `n` sorted texts `name(0)`, `name(1)`, ... (the first
/// equal one), if there.
fn find_sorted<'n>(n: usize, name: impl Fn(usize) -> &'n str, target: &str) -> Option<usize> {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if name(mid) < target {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    (lo < n && name(lo) == target).then_some(lo)
}

/// Whether a spelling is one word for the common-word guard: no space, no hyphen.
fn one_word(text: &str) -> bool {
    !text.bytes().any(|b| b == b' ' || b == b'-')
}

/// The id of the next spelling pushed to `cold`.
fn new_id(cold: &[ColdStat]) -> u32 {
    u32::try_from(cold.len()).expect("fewer than 2^32 distinct spellings")
}

fn conflict_order(a: &DocConflict, b: &DocConflict) -> std::cmp::Ordering {
    (&a.path, a.members.first().map(|m| &m.text))
        .cmp(&(&b.path, b.members.first().map(|m| &m.text)))
}

#[cfg(test)]
mod tests;
