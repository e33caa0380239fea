//! Comparison keys for name spellings and the decision whether two spellings are variants of
//! one name. Pure functions over strings and the compiled lexicon; no I/O, no document access.
//!
//! Three keys per token, all on a folded copy (the original spans are kept elsewhere):
//! `fold` (lower case, no diacritics, no apostrophes), `norm` (transliteration rewrites from the
//! lexicon, doubled letters collapsed) and `skeleton` (the first letter's class, then the
//! consonants mapped to their classes). Two tokens can only be variants when their shapes
//! (consonant classes with vowel runs marked) are equal, so the shapes are the blocking keys of
//! the corpus reduce. A spelling also keeps its core tokens run together and its full fold
//! (particles included), to compare spellings that split a name into different numbers of
//! words ("Tanghwa-dong", "danghwadong").

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

use super::mentions::CodeSet;

/// A cheap hasher for word sets and spelling maps (the `FxHash` of rustc: a rotate, a xor and a
/// multiply per eight bytes): keys are short words, and `SipHash`'s cost shows in profiles of
/// the per-word lookups. Hash flooding is no concern for a linter's own lexicons; a crafted
/// corpus could at worst slow its own run.
#[derive(Default)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x517c_c1b7_2722_0a95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl std::hash::Hasher for FxHasher {
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weak, and hash tables index by them.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

/// Builds `FxHasher`s.
pub type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// A 64-bit hash of a tagged string (a blocking or form key of one kind). Equal keys give equal
/// hashes; unequal ones collide rarely, and every use treats a collision as "may be equal" and
/// decides on the strings themselves.
pub fn key_hash(tag: u8, s: &str) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = FxBuild::default().build_hasher();
    tag.hash(&mut h);
    // `str`'s `Hash` closes with a 0xff byte, which keeps "ab" apart from "ab\0".
    s.hash(&mut h);
    let x = h.finish();
    // Mix the high bits down: `FxHash` leaves the low bits weak.
    x ^ (x >> 29) ^ (x >> 47)
}

/// `key_hash` fed as the key is produced, a byte or a piece at a time: the same value as
/// `key_hash(tag, s)` for the concatenation `s` of what was pushed, with no string built.
struct KeyHasher {
    h: FxHasher,
    /// The pending bytes of the next eight-byte word, little-endian (as `FxHasher::write`).
    word: u64,
    pending: u32,
}

impl KeyHasher {
    fn new(tag: u8) -> KeyHasher {
        let mut h = FxHasher::default();
        // `u8`'s `Hash` is `write_u8`.
        h.add(u64::from(tag));
        KeyHasher {
            h,
            word: 0,
            pending: 0,
        }
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        self.word |= u64::from(b) << (8 * self.pending);
        self.pending += 1;
        if self.pending == 8 {
            self.h.add(self.word);
            self.word = 0;
            self.pending = 0;
        }
    }

    fn bytes(&mut self, s: &[u8]) {
        for &b in s {
            self.byte(b);
        }
    }

    #[inline]
    fn char(&mut self, c: char) {
        if c.is_ascii() {
            self.byte(c as u8);
        } else {
            self.bytes(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }

    fn finish(mut self) -> u64 {
        // `FxHasher::write` zero-pads its last chunk; `str`'s `Hash` then writes 0xff.
        if self.pending > 0 {
            self.h.add(self.word);
        }
        self.h.add(0xff);
        let x = std::hash::Hasher::finish(&self.h);
        x ^ (x >> 29) ^ (x >> 47)
    }
}

/// Per-thread buffers of `MatchLexicon::link_sig`, kept between calls so that a signature
/// allocates nothing once they have grown to the longest spelling.
#[derive(Default)]
struct SigScratch {
    /// The folded core tokens run together.
    core: String,
    /// The end of each core token in `core`.
    ends: Vec<usize>,
    /// The whole spelling folded.
    full: String,
    /// A token folded again (see `MatchLexicon::shape_hash`) and the outputs of the rewrite
    /// passes before the last.
    bufs: [String; 3],
}

thread_local! {
    static SIG_SCRATCH: std::cell::RefCell<SigScratch> = std::cell::RefCell::default();
}

/// The shape of a normalised token (see `TokenKey::shape`), computed from the output of the
/// last rewrite pass as it comes: doubled letters collapsed (the end of `normalise`), then
/// each vowel run written `V` and consonants mapped to their classes.
struct ShapeSink<'a> {
    lex: &'a MatchLexicon,
    out: &'a mut KeyHasher,
    last: Option<char>,
    first: bool,
    in_vowel: bool,
}

impl ShapeSink<'_> {
    #[inline]
    fn push(&mut self, c: char) {
        if self.last == Some(c) {
            return;
        }
        self.last = Some(c);
        let vowel = is_vowel(c) && !(c == 'y' && self.first);
        self.first = false;
        if vowel {
            if !self.in_vowel {
                self.out.byte(b'V');
            }
        } else {
            self.out.char(self.lex.consonant(c));
        }
        self.in_vowel = vowel;
    }
}

/// One rewrite pass: its rules in order, and for each first byte the indices of the rules whose
/// source starts with it (in the same order), so a position tries only rules that can match.
#[derive(Debug, Default)]
pub struct RewritePass {
    pub rules: Vec<Rewrite>,
    by_first: Vec<Vec<u16>>,
}

impl RewritePass {
    pub fn new(rules: Vec<Rewrite>) -> RewritePass {
        let mut by_first = vec![Vec::new(); 256];
        for (i, r) in rules.iter().enumerate() {
            let i = u16::try_from(i).expect("fewer than 65536 rewrite rules in a pass");
            by_first[usize::from(r.from.as_bytes()[0])].push(i);
        }
        RewritePass { rules, by_first }
    }
}

/// For each first byte, a bit per length (63 for every length from 63 on) of a set of words: a
/// test of a word's first byte and length that rules out most words before any lookup of their
/// text. An empty set rules out every word.
#[derive(Clone, Debug)]
pub struct FirstByteLengths(Box<[u64; 256]>);

impl Default for FirstByteLengths {
    fn default() -> FirstByteLengths {
        FirstByteLengths(Box::new([0; 256]))
    }
}

impl FirstByteLengths {
    /// Adds `word` (an empty one under the first byte 0).
    pub fn add(&mut self, word: &[u8]) {
        let first = word.first().copied().unwrap_or(0);
        self.0[usize::from(first)] |= 1 << word.len().min(63);
    }

    /// False when no word of the set opens with `first` and has `len` bytes.
    #[inline]
    pub fn may_hold(&self, first: u8, len: usize) -> bool {
        (self.0[usize::from(first)] >> len.min(63)) & 1 != 0
    }

    /// `may_hold` of `word`'s first byte (0 for an empty word) and length.
    pub fn may_hold_word(&self, word: &[u8]) -> bool {
        self.may_hold(word.first().copied().unwrap_or(0), word.len())
    }
}

/// The parsed lexicons the matcher needs, compiled once.
#[derive(Debug, Default)]
pub struct MatchLexicon {
    /// Lower-case connectors allowed inside a name.
    pub connectors: HashSet<String, FxBuild>,
    /// The connectors of at most eight ASCII bytes, packed (`mentions::pack_word`) and sorted:
    /// the per-word lookup of the mention scan.
    pub connector_codes: Vec<u64>,
    /// The first bytes and lengths of the connectors of `connector_codes`.
    pub connector_lengths: FirstByteLengths,
    /// Connectors dropped for alignment and at the start of a spelling.
    pub particles: HashSet<String, FxBuild>,
    /// The particles of at most eight ASCII bytes, packed (`mentions::pack_word`) and sorted:
    /// the lookup of `is_particle` for an ASCII word.
    pub particle_codes: Vec<u64>,
    /// Lower-case words stripped from the start of a run (titles, sentence openers).
    pub leading: HashSet<String, FxBuild>,
    /// The first bytes and byte lengths of the words of `leading` and `particles`: most words
    /// skip the two lookups.
    pub leading_lengths: FirstByteLengths,
    /// The words of `leading` and `particles` of at most eight ASCII bytes, packed
    /// (`mentions::pack_word`): `is_leading` finds a short ASCII word with one lookup in a
    /// small table instead of two hash lookups of its text.
    pub leading_codes: CodeSet,
    /// Rewrite passes, applied in order; in each pass the rules are tried longest source
    /// first (start-anchored rules before the others at the first position).
    pub rewrites: Vec<RewritePass>,
    /// Consonant letter to its class representative.
    pub consonant_class: HashMap<char, char, FxBuild>,
    /// `consonant_class` for ASCII letters mapped to ASCII (0: look in the map), indexed by
    /// byte; empty before the lexicon is loaded.
    pub consonant_ascii: Vec<u8>,
    /// Initial vowel to its class representative.
    pub vowel_class: HashMap<char, char, FxBuild>,
    /// Folded pairs that are different names (both orders stored).
    pub distinct: HashSet<(String, String)>,
    /// Endings that make different names (both orders stored).
    pub distinct_endings: Vec<(String, String)>,
    /// Folded place name to its gazetteer entry.
    pub places: HashMap<String, u32>,
    /// Folded country and demonym pairs (both orders) that alternate as the modifier of a
    /// longer name.
    pub demonyms: HashSet<(String, String)>,
    /// Folded country or demonym to the folded country, for the blocking key of such names.
    pub country_of: HashMap<String, String, FxBuild>,
    /// Vowel groups that alternate in romanisation (unordered pairs, both orders stored).
    pub vowel_alternations: HashSet<(String, String)>,
    /// Shortest normalised length for a pair whose spellings differ in more than form.
    pub min_variant_len: usize,
}

/// Where in a token a rewrite applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anchor {
    /// Only at the first letter (written `^x` in the lexicon).
    Start,
    /// Only at the end of the token (written `x$`).
    End,
    /// Anywhere.
    Anywhere,
}

/// One rewrite rule of the lexicon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub from: String,
    pub to: String,
    pub anchor: Anchor,
}

/// The comparison keys of one token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenKey {
    pub fold: String,
    pub norm: String,
    pub skeleton: String,
    pub vowel_groups: usize,
    /// The maximal vowel runs of `norm`, in order, each closed by a '.'.
    pub vowels: String,
    /// `norm` with consonants mapped to their classes and each vowel run written `V`
    /// (Khorasan, Khurasan: `kVrVsVn`): equal shapes keep the vowels where they were.
    pub shape: String,
}

/// The keys of a whole spelling: its core tokens (particles dropped) in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpellingKey {
    pub tokens: Vec<TokenKey>,
    /// The key of two or more core tokens run together ("Tanghwa-dong" as "tanghwadong"), to
    /// compare spellings that split a name into a different number of words (see `whole`).
    whole_many: Option<TokenKey>,
    /// The folded core tokens run together (see `whole_fold`).
    core_fold: String,
    /// The blocking key of the tokens (see `block`).
    block: String,
    /// The folded tokens with a country's demonym written as the country, when the name has
    /// one (see `country_block`).
    country_block: Option<String>,
    /// The whole spelling folded, particles included ("da dong tian" and "Dadongtian").
    pub full: String,
    /// The key of `full` when it differs from `whole` (a particle in the spelling).
    pub full_key: Option<TokenKey>,
}

impl SpellingKey {
    /// The blocking key of spellings with the same number of core tokens: equal for every such
    /// pair `variants` may accept (the token shapes).
    pub fn block(&self) -> &str {
        &self.block
    }

    /// A second blocking key for multi-word names holding a country or its demonym, so that
    /// "Pakistani Taliban" meets "Pakistan Taliban" (see `MatchLexicon::demonym_modifier`).
    pub fn country_block(&self) -> Option<&str> {
        self.country_block.as_deref()
    }

    /// The key of the core tokens run together (the only token's key for one token).
    pub fn whole(&self) -> Option<&TokenKey> {
        self.whole_many.as_ref().or(self.tokens.first())
    }

    /// The folded core tokens run together: equal for spellings that differ only in form or
    /// in a particle ("al-Zawahiri", "Zawahiri").
    pub fn whole_fold(&self) -> &str {
        &self.core_fold
    }

    /// Whether two spellings differ only in form (case, diacritics, spaces, hyphens,
    /// apostrophes) or in a particle.
    pub fn same_form(&self, other: &SpellingKey) -> bool {
        !self.tokens.is_empty()
            && !other.tokens.is_empty()
            && (self.full == other.full || self.whole_fold() == other.whole_fold())
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Latin letters that canonical decomposition leaves alone, with their usual ASCII spelling.
fn fold_letter(c: char, out: &mut String) {
    match c {
        'ø' | 'Ø' => out.push('o'),
        'æ' | 'Æ' => out.push_str("ae"),
        'œ' | 'Œ' => out.push_str("oe"),
        // The capital (U+1E9E) lower-cases to 'ß': folded alike, so that fold is idempotent.
        'ß' | 'ẞ' => out.push_str("ss"),
        'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
        'ł' | 'Ł' => out.push('l'),
        'ı' => out.push('i'),
        'þ' | 'Þ' => out.push_str("th"),
        _ => out.extend(c.to_lowercase()),
    }
}

/// Lower case, diacritics removed, apostrophes and similar marks dropped.
pub fn fold(s: &str) -> String {
    // Sized once: a collected filter would grow (reallocate) as it goes.
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// `fold(s)` appended to `out`.
fn fold_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.extend(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        return;
    }
    for c in s.nfkd() {
        if c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c) {
            fold_letter(c, out);
        }
    }
}

impl MatchLexicon {
    pub fn token_key(&self, token: &str) -> TokenKey {
        let fold = fold(token);
        let norm = self.normalise(&fold);
        let mut skeleton = String::new();
        let mut chars = norm.chars();
        if let Some(first) = chars.next() {
            let class = if is_vowel(first) {
                self.vowel_class.get(&first).copied().unwrap_or(first)
            } else {
                self.consonant(first)
            };
            skeleton.push(class);
        }
        for c in chars.filter(|c| !is_vowel(*c)) {
            skeleton.push(self.consonant(c));
        }
        let vowels = vowel_runs(&norm);
        let vowel_groups = vowels.matches('.').count();
        let shape = self.shape(&norm);
        TokenKey {
            fold,
            norm,
            skeleton,
            vowel_groups,
            vowels,
            shape,
        }
    }

    /// The shape of a normalised token (see `TokenKey::shape`).
    fn shape(&self, norm: &str) -> String {
        let mut shape = String::with_capacity(norm.len());
        let mut in_vowel = false;
        for (i, c) in norm.chars().enumerate() {
            let vowel = is_vowel(c) && !(c == 'y' && i == 0);
            if vowel {
                if !in_vowel {
                    shape.push('V');
                }
            } else {
                shape.push(self.consonant(c));
            }
            in_vowel = vowel;
        }
        shape
    }

    /// The class representative of a consonant (the letter itself outside the classes).
    #[inline]
    fn consonant(&self, c: char) -> char {
        match self.consonant_ascii.get(c as usize) {
            Some(&b) if b != 0 => char::from(b),
            _ => self.consonant_class.get(&c).copied().unwrap_or(c),
        }
    }

    /// Feeds `token_key(token).shape` to `out`, building no string for a token of ASCII
    /// lower-case letters and digits (the usual fold) and a single rewrite pass; `bufs` hold
    /// the intermediate strings otherwise.
    fn shape_hash(&self, token: &str, out: &mut KeyHasher, bufs: &mut [String; 3]) {
        let [refold, a, b] = bufs;
        // `fold` leaves ASCII lower-case letters and digits as they are: skip the copy then
        // (`link_sig` passes tokens it has folded already).
        let mut token = token;
        if !token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            refold.clear();
            fold_into(token, refold);
            token = refold;
        }
        let mut sink = ShapeSink {
            lex: self,
            out,
            last: None,
            first: true,
            in_vowel: false,
        };
        let Some((last, passes)) = self.rewrites.split_last() else {
            token.chars().for_each(|c| sink.push(c));
            return;
        };
        // The passes before the last into `b`, which then trades places with `a`.
        for pass in passes {
            b.clear();
            rewrite_each(token, pass, |piece| b.push_str(piece));
            std::mem::swap(a, b);
            token = a.as_str();
        }
        rewrite_each(token, last, |piece| {
            piece.chars().for_each(|c| sink.push(c));
        });
    }

    /// `spelling_key(spelling).link_sig()`, computing only the keys the signature hashes
    /// (folds and shapes; no skeletons or vowel runs), hashed as they are produced into
    /// per-thread buffers: the fold phase needs it once for every new spelling.
    pub fn link_sig(&self, spelling: &str) -> LinkSig {
        SIG_SCRATCH.with_borrow_mut(|scratch| self.link_sig_in(spelling, scratch))
    }

    fn link_sig_in(&self, spelling: &str, scratch: &mut SigScratch) -> LinkSig {
        let SigScratch {
            core,
            ends,
            full,
            bufs,
        } = scratch;
        core.clear();
        ends.clear();
        for t in spelling
            .split([' ', '-', '‐', '\n', '\t'])
            .filter(|t| !t.is_empty() && !self.is_particle(t))
        {
            fold_into(t, core);
            // A token that folds to nothing is no core token.
            if ends.last().map_or(!core.is_empty(), |&e| core.len() > e) {
                ends.push(core.len());
            }
        }
        if ends.is_empty() {
            return LinkSig::default();
        }
        let core: &str = core;
        let tokens = || {
            ends.iter().scan(0, |start, &end| {
                Some(&core[std::mem::replace(start, end)..end])
            })
        };
        let several = ends.len() > 1;
        // The tokens' shapes, each closed by '|'.
        let block = several.then(|| {
            let mut h = KeyHasher::new(0);
            for t in tokens() {
                self.shape_hash(t, &mut h, bufs);
                h.byte(b'|');
            }
            h.finish()
        });
        let country_block =
            (several && tokens().any(|f| self.country_of.contains_key(f))).then(|| {
                let mut h = KeyHasher::new(3);
                for f in tokens() {
                    h.bytes(self.country_of.get(f).map_or(f, String::as_str).as_bytes());
                    h.byte(b'|');
                }
                h.finish()
            });
        // `token_key(t)` folds `t` first, so the shape of a single token is that of its fold,
        // which is `core`; for several tokens it is the shape of `core` run together.
        let shape_of = |s: &str, bufs: &mut [String; 3]| {
            let mut h = KeyHasher::new(1);
            self.shape_hash(s, &mut h, bufs);
            h.finish()
        };
        let whole = shape_of(core, bufs);
        full.clear();
        fold_into(spelling, full);
        let full_shape = (**full != *core).then(|| shape_of(full, bufs));
        LinkSig::from_hashes(
            block,
            country_block,
            whole,
            full_shape,
            key_hash(2, core),
            key_hash(2, full),
        )
    }

    fn normalise(&self, folded: &str) -> String {
        let Some((last, passes)) = self.rewrites.split_last() else {
            return collapse_doubles(folded);
        };
        let mut input = folded.to_string();
        for pass in passes {
            input = rewrite(&input, pass);
        }
        // The last pass's output with doubled letters collapsed as it comes.
        let mut collapsed = String::with_capacity(input.len() + 4);
        let mut prev = None;
        rewrite_each(&input, last, |piece| {
            for c in piece.chars() {
                if prev != Some(c) {
                    collapsed.push(c);
                    prev = Some(c);
                }
            }
        });
        collapsed
    }

    /// Whether a word is a particle, compared folded ("Aḑ" and "Lā" are "ad" and "la").
    pub fn is_particle(&self, word: &str) -> bool {
        if word.len() > 8 {
            return false;
        }
        if word.is_ascii() {
            // `fold` of ASCII: its letters and digits, lower-cased.
            // Packed as `mentions::pack_word` packs the particles (zero-padded; a fold holds
            // no NUL), so equal codes are equal words.
            let mut code = 0u64;
            for (n, b) in word.bytes().filter(u8::is_ascii_alphanumeric).enumerate() {
                code |= u64::from(b.to_ascii_lowercase()) << (8 * n);
            }
            return self.particle_codes.binary_search(&code).is_ok();
        }
        self.particles.contains(&fold(word))
    }

    /// The keys of a spelling: tokens split at spaces and hyphens, particles dropped.
    pub fn spelling_key(&self, spelling: &str) -> SpellingKey {
        let tokens: Vec<TokenKey> = spelling
            .split([' ', '-', '‐', '\n', '\t'])
            .filter(|t| !t.is_empty() && !self.is_particle(t))
            .map(|t| self.token_key(t))
            .filter(|k| !k.fold.is_empty())
            .collect();
        let core_fold: String = tokens.iter().map(|t| t.fold.as_str()).collect();
        let whole_many = (tokens.len() > 1).then(|| self.token_key(&core_fold));
        let full = fold(spelling);
        let full_key = (!tokens.is_empty() && full != core_fold).then(|| self.token_key(&full));
        let mut block = String::new();
        for t in &tokens {
            block.push_str(&t.shape);
            block.push('|');
        }
        // "Pakistani Taliban" and "Pakistan Taliban" meet under "pakistan|taliban".
        let country_block = (tokens.len() > 1
            && tokens.iter().any(|t| self.country_of.contains_key(&t.fold)))
        .then(|| {
            let mut key = String::new();
            for t in &tokens {
                key.push_str(self.country_of.get(&t.fold).unwrap_or(&t.fold));
                key.push('|');
            }
            key
        });
        SpellingKey {
            tokens,
            whole_many,
            core_fold,
            block,
            country_block,
            full,
            full_key,
        }
    }

    /// The gazetteer entry of a folded name, also for a plural ("Argentines").
    fn place(&self, folded: &str) -> Option<u32> {
        self.places
            .get(folded)
            .or_else(|| folded.strip_suffix('s').and_then(|f| self.places.get(f)))
            .copied()
    }

    /// Whether two different tokens may be spellings of one name.
    pub fn token_variants(&self, a: &TokenKey, b: &TokenKey) -> bool {
        if a.fold == b.fold {
            return true;
        }
        if a.skeleton != b.skeleton || a.shape != b.shape {
            return false;
        }
        match (self.place(&a.fold), self.place(&b.fold)) {
            (Some(pa), Some(pb)) if pa == pb => return true,
            (None, None) => {}
            _ => return false,
        }
        if self.distinct.contains(&(a.fold.clone(), b.fold.clone())) {
            return false;
        }
        // A derived form is another word (Pakistan / Pakistani, Khorasan / Khorasani).
        if a.fold.starts_with(&b.fold) || b.fold.starts_with(&a.fold) {
            return false;
        }
        if a.norm != b.norm && (a.norm.starts_with(&b.norm) || b.norm.starts_with(&a.norm)) {
            return false;
        }
        for (x, y) in &self.distinct_endings {
            if a.fold.ends_with(x.as_str())
                && b.fold.ends_with(y.as_str())
                && a.fold[..a.fold.len() - x.len()] == b.fold[..b.fold.len() - y.len()]
            {
                return false;
            }
        }
        let (la, lb) = (a.norm.chars().count(), b.norm.chars().count());
        let (short, long) = (la.min(lb), la.max(lb));
        if short * 4 < long * 3 {
            return false;
        }
        if a.norm != b.norm && short < self.min_variant_len {
            return false;
        }
        if a.norm == b.norm && short < 5 {
            return false;
        }
        if a.norm != b.norm && !self.vowels_alternate(a, b) {
            return false;
        }
        // One kind of change per token: a consonant swapped within its class (Qaddafi /
        // Gaddafi) or vowels (Khorasan / Khurasan), not both (Gadistan / Gazestan).
        let consonants = |s: &str| s.chars().filter(|c| !is_vowel(*c)).collect::<String>();
        if a.vowels != b.vowels && consonants(&a.norm) != consonants(&b.norm) {
            return false;
        }
        strsim::jaro_winkler(&a.norm, &b.norm) >= 0.8
    }

    /// Whether every pair of aligned vowel runs is equal or a listed alternation, and a final
    /// vowel (which carries case or gender in many languages: Dedovo / Dedova) is unchanged.
    fn vowels_alternate(&self, a: &TokenKey, b: &TokenKey) -> bool {
        let ends_in_vowel = |s: &str| s.chars().last().is_some_and(is_vowel);
        let last = a.vowel_groups.saturating_sub(1);
        for (i, (x, y)) in a
            .vowels
            .split_terminator('.')
            .zip(b.vowels.split_terminator('.'))
            .enumerate()
        {
            if x == y {
                continue;
            }
            if i == last && (ends_in_vowel(&a.norm) || ends_in_vowel(&b.norm)) {
                return false;
            }
            if !self
                .vowel_alternations
                .contains(&(x.to_string(), y.to_string()))
            {
                return false;
            }
        }
        true
    }

    /// Whether two multi-word spellings differ only in a modifier that is a country in one and
    /// its demonym in the other, before the same head word ("Pakistani Taliban" and "Pakistan
    /// Taliban"). The head of an English name is its last word and must be equal and not a place:
    /// when the country word is the head, the demonym names something else ("South Korea" and
    /// "South Korean", "Latin America" and "Latin American"), and alone the two are different
    /// words ("Pakistan", "Pakistani").
    fn demonym_modifier(&self, a: &SpellingKey, b: &SpellingKey) -> bool {
        let len = a.tokens.len();
        if len < 2 || len != b.tokens.len() {
            return false;
        }
        let (head_a, head_b) = (&a.tokens[len - 1], &b.tokens[len - 1]);
        if head_a.fold != head_b.fold || self.place(&head_a.fold).is_some() {
            return false;
        }
        let mut differing = a.tokens[..len - 1]
            .iter()
            .zip(&b.tokens[..len - 1])
            .filter(|(x, y)| x.fold != y.fold);
        let (Some((left, right)), None) = (differing.next(), differing.next()) else {
            return false;
        };
        self.demonyms
            .contains(&(left.fold.clone(), right.fold.clone()))
    }

    /// Whether two different spellings may name the same person, place or body: the same number
    /// of core tokens, each pair of aligned tokens equal or variants, the last one equal in
    /// `norm` or else every token a variant.
    pub fn variants<'a>(&self, a: &'a SpellingKey, b: &'a SpellingKey) -> bool {
        if a.tokens.is_empty() || b.tokens.is_empty() {
            return false;
        }
        // Spellings that differ only in form (case, diacritics, spaces, hyphens, apostrophes).
        if a.same_form(b) {
            return true;
        }
        let (whole_a, whole_b) = (a.whole_fold(), b.whole_fold());
        if a.tokens.len() != b.tokens.len() {
            // Compared run together, without and with particles ("Tanghwa-dong" and
            // "danghwadong", "liu de fang tun" and "Liudifangtun").
            let full = |k: &'a SpellingKey| k.full_key.as_ref().or(k.whole());
            return [(a.whole(), b.whole()), (full(a), full(b))]
                .into_iter()
                .any(|pair| matches!(pair, (Some(x), Some(y)) if x.vowels == y.vowels && self.token_variants(x, y)));
        }
        if self
            .distinct
            .contains(&(whole_a.to_string(), whole_b.to_string()))
        {
            return false;
        }
        if let (true, Some(pa), Some(pb)) =
            (a.tokens.len() > 1, self.place(whole_a), self.place(whole_b))
            && pa != pb
        {
            return false;
        }
        if self.demonym_modifier(a, b) {
            return true;
        }
        a.tokens
            .iter()
            .zip(&b.tokens)
            .all(|(x, y)| self.token_variants(x, y))
    }
}

/// One rewrite pass over a token: at each position the first rule that applies (they are
/// sorted: start-anchored ones first, then longest source first) replaces its source; the
/// output is not rescanned.
fn rewrite(token: &str, pass: &RewritePass) -> String {
    let mut out = String::with_capacity(token.len() + 4);
    rewrite_each(token, pass, |piece| out.push_str(piece));
    out
}

/// `rewrite(token, pass)` as the pieces of its output, in order: a rule's replacement or a
/// character of `token` left alone.
fn rewrite_each(token: &str, pass: &RewritePass, mut emit: impl FnMut(&str)) {
    let mut i = 0;
    'outer: while i < token.len() {
        let rest = &token[i..];
        // Only the rules whose source starts with this byte can apply, in their order.
        for &r in &pass.by_first[usize::from(rest.as_bytes()[0])] {
            let r = &pass.rules[usize::from(r)];
            let applies = match r.anchor {
                Anchor::Start => i == 0,
                Anchor::End => rest.len() == r.from.len(),
                Anchor::Anywhere => true,
            };
            if applies && rest.starts_with(r.from.as_str()) {
                emit(&r.to);
                i += r.from.len();
                continue 'outer;
            }
        }
        let len = rest.chars().next().map_or(1, char::len_utf8);
        emit(&rest[..len]);
        i += len;
    }
}

/// A string with each run of one character written once.
fn collapse_doubles(s: &str) -> String {
    let mut collapsed = String::with_capacity(s.len());
    let mut prev = None;
    for c in s.chars() {
        if prev != Some(c) {
            collapsed.push(c);
            prev = Some(c);
        }
    }
    collapsed
}

/// The maximal vowel runs of a normalised token; a leading "y" before a vowel is a consonant
/// (Yemen, Yusuf).
fn vowel_runs(s: &str) -> String {
    let mut runs = String::new();
    let mut in_vowel = false;
    for (i, c) in s.chars().enumerate() {
        let vowel = is_vowel(c) && !(c == 'y' && i == 0);
        if vowel {
            runs.push(c);
        } else if in_vowel {
            runs.push('.');
        }
        in_vowel = vowel;
    }
    if in_vowel {
        runs.push('.');
    }
    runs
}

/// The blocking and form keys of a spelling as hashes (see `SpellingKey::link_sig`): enough to
/// tell that two spellings cannot be linked, in a few words instead of a key's dozen strings.
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkSig {
    hashes: [u64; 6],
    len: u8,
}

impl LinkSig {
    /// The distinct hashes, sorted; none for a spelling without core tokens.
    pub fn hashes(&self) -> &[u64] {
        &self.hashes[..usize::from(self.len)]
    }
}

impl SpellingKey {
    /// The hashes of the keys under which `link` blocks or unites this spelling: its token
    /// shapes (several tokens), its country block, the shapes of its tokens run together with
    /// and without particles, and its two folds (one tag for both, as `may_link` compares
    /// them). Two spellings that share an exact key share its hash, so spellings whose hashes
    /// are all unshared meet no other spelling in `link`; a shared hash may be a collision,
    /// and `link` then decides on the keys themselves.
    #[cfg(test)]
    pub fn link_sig(&self) -> LinkSig {
        if self.tokens.is_empty() {
            return LinkSig::default();
        }
        LinkSig::new(
            (self.tokens.len() > 1).then(|| self.block()),
            self.country_block(),
            &self.whole().map_or(String::new(), |w| w.shape.clone()),
            self.full_key.as_ref().map(|k| k.shape.as_str()),
            self.whole_fold(),
            &self.full,
        )
    }
}

impl LinkSig {
    /// The signature of a spelling with core tokens, from its keys: the block (several
    /// tokens), the country block, the shapes of the tokens run together without and with
    /// particles, and the two folds.
    #[cfg(test)]
    fn new(
        block: Option<&str>,
        country_block: Option<&str>,
        whole_shape: &str,
        full_shape: Option<&str>,
        whole_fold: &str,
        full: &str,
    ) -> LinkSig {
        LinkSig::from_hashes(
            block.map(|b| key_hash(0, b)),
            country_block.map(|c| key_hash(3, c)),
            key_hash(1, whole_shape),
            full_shape.map(|f| key_hash(1, f)),
            key_hash(2, whole_fold),
            key_hash(2, full),
        )
    }

    /// `new` from the keys' hashes (`key_hash` with the tags 0, 3, 1, 1, 2, 2).
    fn from_hashes(
        block: Option<u64>,
        country_block: Option<u64>,
        whole_shape: u64,
        full_shape: Option<u64>,
        whole_fold: u64,
        full: u64,
    ) -> LinkSig {
        let mut sig = LinkSig::default();
        let mut push = |h: u64| {
            sig.hashes[usize::from(sig.len)] = h;
            sig.len += 1;
        };
        if let Some(b) = block {
            push(b);
        }
        if let Some(c) = country_block {
            push(c);
        }
        push(whole_shape);
        if let Some(f) = full_shape {
            push(f);
        }
        push(whole_fold);
        push(full);
        let n = usize::from(sig.len);
        sig.hashes[..n].sort_unstable();
        let mut end = 0;
        for i in 0..n {
            if i == 0 || sig.hashes[i] != sig.hashes[end - 1] {
                sig.hashes[end] = sig.hashes[i];
                end += 1;
            }
        }
        sig.len = end as u8;
        sig
    }
}

#[cfg(test)]
mod fold_tests {
    use super::fold;

    #[test]
    fn fold_is_idempotent_and_case_blind_for_letters_outside_decomposition() {
        for s in [
            "Straße",
            "STRAẞE",
            "Øresund",
            "ØRESUND",
            "Æsir",
            "Œuvre",
            "Đoković",
            "Łódź",
            "ŁÓDŹ",
            "Þór",
            "Ðakovo",
            "Kadıköy",
            "İstanbul",
            "Gaddāfī",
        ] {
            let once = fold(s);
            assert_eq!(fold(&once), once, "{s}");
            assert_eq!(fold(&s.to_uppercase()), once, "{s}");
            assert!(once.is_ascii(), "{s} folds to {once}");
        }
        assert_eq!(fold("STRAẞE"), fold("Straße"));
    }
}
