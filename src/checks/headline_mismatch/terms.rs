//! Turning text into weighted terms for headline-mismatch: words are lower-cased, split at
//! hyphens, stripped of possessives, filtered by the stop list and Snowball-stemmed; alias forms
//! ("Islamic State", "Moscow") add their group's term. Terms are 64-bit hashes of the stem, so the
//! hot path never allocates per token: the lower-cased word goes into a reused buffer and stems
//! are memoised per thread.
//!
//! This module knows nothing about headlines or findings; it must stay free of I/O.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::{ControlFlow, Range};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, Match, MatchKind};
use rust_stemmers::{Algorithm, Stemmer};

use crate::text::{next_word, words};

/// A term: the FNV-1a hash of a stem (or of `@group` for an alias group).
pub type TermKey = u64;

/// Hasher for maps whose keys are already hashes.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only used through `write_u64`; fold anything else in so the hasher stays total.
        self.0 = fnv1a(bytes) ^ self.0.rotate_left(5);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type KeyMap<V> = HashMap<TermKey, V, BuildHasherDefault<KeyHasher>>;
pub type KeySet = HashSet<TermKey, BuildHasherDefault<KeyHasher>>;

/// FNV-1a, 64 bits: stable across runs and platforms (term keys must match the background table).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The key of an alias group's term.
pub fn group_key(name: &str) -> TermKey {
    let mut h = fnv1a(b"@");
    for b in name.to_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// One alias group from the alias lexicon.
#[derive(Debug)]
pub struct AliasGroup {
    pub name: String,
    pub key: TermKey,
}

/// The compiled alias table: one automaton over every form.
#[derive(Debug)]
pub struct Aliases {
    automaton: AhoCorasick,
    /// Per pattern: its group and whether it must match in capitals (short acronyms).
    patterns: Vec<(u32, bool)>,
    pub groups: Vec<AliasGroup>,
}

impl Aliases {
    /// Builds the table from `(group name, forms)`.
    pub fn new(groups: &[(String, Vec<String>)]) -> Result<Aliases, String> {
        let mut forms = Vec::new();
        let mut patterns = Vec::new();
        let mut out = Vec::new();
        for (g, (name, group_forms)) in groups.iter().enumerate() {
            out.push(AliasGroup {
                name: name.clone(),
                key: group_key(name),
            });
            for form in group_forms {
                let letters: Vec<char> = form.chars().filter(|c| c.is_alphanumeric()).collect();
                if letters.is_empty() {
                    return Err(format!(
                        "alias form `{form}` of group `{name}` has no letters"
                    ));
                }
                let acronym = letters.len() <= 3 && letters.iter().all(|c| c.is_uppercase());
                forms.push(form.clone());
                patterns.push((g as u32, acronym));
            }
        }
        // A full DFA: a few hundred short forms make a small one, and it scans several times
        // faster than the default NFA over every body.
        let automaton = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&forms)
            .map_err(|e| e.to_string())?;
        Ok(Aliases {
            automaton,
            patterns,
            groups: out,
        })
    }

    /// Alias matches in `text[range]` as (absolute span, group index), whole words only.
    pub fn find(&self, text: &str, range: Range<usize>, out: &mut Vec<(Range<usize>, u32)>) {
        out.clear();
        out.extend(self.matches(text, range));
    }

    /// `find` as a lazy iterator: the automaton reads the text only as far as the match asked
    /// for.
    pub fn matches<'a>(
        &'a self,
        text: &'a str,
        range: Range<usize>,
    ) -> impl Iterator<Item = (Range<usize>, u32)> + 'a {
        self.matches_from(text, range, 0)
    }

    /// `matches` from `from` on (relative to `range.start`): the matches the automaton finds
    /// when its search starts there, as `find_iter` starts each search where the last match
    /// ended.
    fn matches_from<'a>(
        &'a self,
        text: &'a str,
        range: Range<usize>,
        from: usize,
    ) -> impl Iterator<Item = (Range<usize>, u32)> + 'a {
        let hay = &text[range.clone()];
        self.automaton
            .find_iter(Input::new(hay).span(from..hay.len()))
            .filter_map(move |m| self.accept(hay, range.start, m))
    }

    /// The alias match of a raw match `m` of the automaton in `hay` (which starts at `base` in
    /// the text): `None` unless it is a whole word (and in capitals for an acronym).
    fn accept(&self, hay: &str, base: usize, m: Match) -> Option<(Range<usize>, u32)> {
        let (start, end) = (m.start(), m.end());
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric) {
            return None;
        }
        let (group, acronym) = self.patterns[m.pattern().as_usize()];
        if acronym && hay[start..end].chars().any(char::is_lowercase) {
            return None;
        }
        Some((base + start..base + end, group))
    }

    /// `matches`, read only as far as asked (see `LazyMatches`).
    pub fn lazy<'a>(&'a self, text: &'a str, range: Range<usize>) -> LazyMatches<'a> {
        LazyMatches {
            aliases: self,
            text,
            range,
            pos: 0,
            clear_until: 0,
            pending: None,
            done: false,
        }
    }
}

/// How many bytes past what is asked for `LazyMatches` reads at a time.
const LAZY_CHUNK: usize = 256;

/// The alias matches of a range (those of `Aliases::matches`, in order), read by the automaton
/// only as far as the caller asks: `next_by(at)` needs the matches that start by `at`, and the
/// automaton reads up to `at` plus the longest form plus a chunk. The body's first pass often
/// stops after a few words, and the automaton (whose short forms, "US" or "IS", match inside
/// many words, each raw match then rejected) would otherwise read to the first accepted match,
/// often the end of the body.
///
/// Exactness: the automaton's leftmost-longest search in a window `[pos, end)` finds the same
/// match as in the whole range when that match starts by `end - max_len` (every match starting
/// by then ends inside the window, so the window holds all candidates); when it finds none, or
/// one starting later, no match starts by `end - max_len`. Each search starts where the last
/// raw match (accepted or not) ended, as `find_iter` does.
pub struct LazyMatches<'a> {
    aliases: &'a Aliases,
    text: &'a str,
    range: Range<usize>,
    /// Where the next search starts (relative to `range.start`).
    pos: usize,
    /// No raw match starts in `pos..clear_until`.
    clear_until: usize,
    /// The next accepted match, already found.
    pending: Option<(Range<usize>, u32)>,
    /// No match is left.
    done: bool,
}

impl<'a> LazyMatches<'a> {
    /// The next match if it starts at or before `at` (an offset in the text).
    ///
    /// The body's first pass asks at every content word, and nearly always the answer is known
    /// without the automaton (the pending match starts later, or the text up to `at` is known to
    /// hold none): that test is inlined into the caller, the rest is `next_by_search`.
    #[inline]
    pub fn next_by(&mut self, at: usize) -> Option<(Range<usize>, u32)> {
        match &self.pending {
            Some(m) if m.0.start > at => return None,
            None if self.done || at.saturating_sub(self.range.start) < self.clear_until => {
                return None;
            }
            _ => {}
        }
        self.next_by_search(at)
    }

    /// `next_by` when the answer takes the pending match or the automaton.
    #[inline(never)]
    fn next_by_search(&mut self, at: usize) -> Option<(Range<usize>, u32)> {
        let hay = &self.text[self.range.clone()];
        let max_len = self.aliases.automaton.max_pattern_len();
        let x = at.saturating_sub(self.range.start);
        loop {
            if let Some(m) = &self.pending {
                return if m.0.start <= at {
                    self.pending.take()
                } else {
                    None
                };
            }
            if self.done || x < self.clear_until {
                return None;
            }
            let end = hay.len().min(x + max_len + LAZY_CHUNK);
            let found = self
                .aliases
                .automaton
                .find(Input::new(hay).span(self.pos..end));
            match found {
                Some(m) if end == hay.len() || m.start() + max_len <= end => {
                    self.pos = m.end();
                    self.clear_until = self.pos;
                    self.pending = self.aliases.accept(hay, self.range.start, m);
                }
                None if end == hay.len() => self.done = true,
                // No raw match starts by `end - max_len` (see above); `end` lies at least a
                // chunk past `x`, so the loop returns next.
                _ => self.clear_until = end + 1 - max_len,
            }
        }
    }

    /// The matches not yet taken, to the end of the range.
    pub fn rest(self) -> impl Iterator<Item = (Range<usize>, u32)> + 'a {
        let from = if self.done { None } else { Some(self.pos) };
        self.pending
            .into_iter()
            .chain(from.into_iter().flat_map(move |from| {
                self.aliases
                    .matches_from(self.text, self.range.clone(), from)
            }))
    }
}

/// One content word of the text, lower-cased (and possibly stemmed by the caller).
pub struct Token<'a> {
    /// The word lower-cased, apostrophes straightened, possessive dropped.
    pub lower: &'a str,
    /// Its span in the text.
    pub span: Range<usize>,
    /// Whether it starts with a capital letter.
    pub capitalised: bool,
    /// The alias group of an alias form this word is part of.
    pub alias: Option<u32>,
}

/// How many words a range held (at least two characters, not only digits), and how many of them
/// were stop words.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordCounts {
    pub words: usize,
    pub stop_words: usize,
}

/// One content word as `Analyzer::scan` reports it: its span, the key of the lower-cased word
/// and, unless the scan skipped it (see `FirstBytes`), its stem's key (`Analyzer::fill_stems`
/// supplies the rest). Recorded by the body's first pass so that the full measurement does not
/// read the body again.
#[derive(Clone, Copy, Debug)]
pub struct ScanWord {
    pub start: u32,
    pub end: u32,
    /// The key of the lower-cased word (the stem memo's key).
    word: TermKey,
    pub stem: Option<TermKey>,
}

impl ScanWord {
    /// The key of the lower-cased word: equal keys, equal stems.
    pub fn word_key(&self) -> TermKey {
        self.word
    }
}

/// A set of first bytes of stems (ASCII lower-cased), for `Analyzer::scan`. The Snowball English
/// stemmer never changes a word's first letter: it removes or rewrites suffixes only (the
/// irregular forms it knows, "dying" to "die" or "skies" to "sky", keep it too), except that it
/// drops a leading apostrophe. A stem taken from a word that opens with an apostrophe therefore
/// makes the set accept everything.
#[derive(Clone, Debug, Default)]
pub struct FirstBytes([u64; 4]);

impl FirstBytes {
    /// The set that accepts every byte.
    pub fn all() -> FirstBytes {
        FirstBytes([u64::MAX; 4])
    }

    /// Adds the first byte of the lower-cased word `lower` whose stem is looked for.
    pub fn add_word(&mut self, lower: &str) {
        match lower.as_bytes().first() {
            Some(b'\'') | None => *self = FirstBytes::all(),
            Some(&b) => self.0[usize::from(b >> 6)] |= 1 << (b & 63),
        }
    }

    /// `add_word` for the lower-cased form of a word that opens with `first` (what `lower_into`
    /// makes of it: a curly apostrophe straightened, the character lower-cased).
    pub fn add_first_char(&mut self, first: Option<char>) {
        match first {
            None | Some('\'' | '’') => *self = FirstBytes::all(),
            Some(c) if c.is_ascii() => {
                let b = (c as u8).to_ascii_lowercase();
                self.0[usize::from(b >> 6)] |= 1 << (b & 63);
            }
            Some(c) => {
                let mut buf = [0; 4];
                let lower = c.to_lowercase().next().unwrap_or(c);
                self.add_word(lower.encode_utf8(&mut buf));
            }
        }
    }

    /// Whether a word opening with the byte `b` (any case) may stem to a stem of the set (always
    /// for an apostrophe, which the stemmer drops).
    fn may_start(&self, b: u8) -> bool {
        let b = b.to_ascii_lowercase();
        b == b'\'' || self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// Tokeniser, stop list and stemmer.
pub struct Analyzer {
    stemmer: Stemmer,
    stop: KeySet,
    pub aliases: Aliases,
}

thread_local! {
    /// Per-thread scratch: the memoised stems (word hash to stem hash), a buffer for the
    /// lower-cased word and the alias matches of the current range.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Default)]
struct Scratch {
    stems: KeyMap<TermKey>,
    lower: String,
    alias_hits: Vec<(Range<usize>, u32)>,
}

/// Forget memoised stems beyond this many words (bounds memory on huge corpora).
const STEM_CACHE_LIMIT: usize = 400_000;

impl Analyzer {
    pub fn new(stop_words: &[String], aliases: Aliases) -> Analyzer {
        let stop = stop_words.iter().map(|w| fnv1a(w.as_bytes())).collect();
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
            stop,
            aliases,
        }
    }

    /// Calls `f` for each content word of `text[range]` (lower-cased; the second argument returns
    /// its stem's key, memoised) and `group` for each alias match. Uses the thread's scratch
    /// buffers. Returns how many words and stop words the range held.
    pub fn tokens(
        &self,
        text: &str,
        range: Range<usize>,
        mut f: impl FnMut(&Token<'_>, &mut dyn FnMut() -> TermKey),
        mut group: impl FnMut(u32, Range<usize>),
    ) -> WordCounts {
        let mut counts = WordCounts::default();
        SCRATCH.with(|cell| {
            let scratch = &mut *cell.borrow_mut();
            if scratch.stems.len() > STEM_CACHE_LIMIT {
                scratch.stems.clear();
            }
            self.aliases
                .find(text, range.clone(), &mut scratch.alias_hits);
            for (span, g) in &scratch.alias_hits {
                group(*g, span.clone());
            }
            let mut next_hit = 0;
            for word in words(text, range) {
                let w = strip_possessive(word.text);
                let mut offset = word.start;
                for part in w.split(['-', '‐']) {
                    let span = offset..offset + part.len();
                    offset = span.end
                        + if w[span.end - word.start..].starts_with('‐') {
                            3
                        } else {
                            1
                        };
                    let hits = &scratch.alias_hits;
                    while next_hit < hits.len() && hits[next_hit].0.end <= span.start {
                        next_hit += 1;
                    }
                    let alias = hits
                        .get(next_hit)
                        .filter(|(hit, _)| hit.start <= span.start)
                        .map(|&(_, g)| g);
                    if !lower_into(part, &mut scratch.lower) {
                        continue;
                    }
                    counts.words += 1;
                    let word_key = fnv1a(scratch.lower.as_bytes());
                    if self.stop.contains(&word_key) {
                        counts.stop_words += 1;
                        continue;
                    }
                    let token = Token {
                        lower: &scratch.lower,
                        span,
                        capitalised: part.chars().next().is_some_and(char::is_uppercase),
                        alias,
                    };
                    let stems = &mut scratch.stems;
                    let lower = &scratch.lower;
                    let mut stem = || -> TermKey {
                        *stems
                            .entry(word_key)
                            .or_insert_with(|| fnv1a(self.stemmer.stem(lower).as_bytes()))
                    };
                    f(&token, &mut stem);
                }
            }
        });
        counts
    }

    /// What `tokens` reports, reduced to what the body's first pass needs: calls `f` with each
    /// content word of `text[range]` (its span, word key and stem key), in order, until `f`
    /// breaks (then `None`). Returns the word counts of the whole range. Same words, same keys
    /// as `tokens`, but no alias matching and, for ASCII words (nearly all of them), no buffer:
    /// the word is hashed while it is lower-cased. (`tokens` also says whether a word starts with a
    /// capital and lies in an alias form: both follow from its span.)
    ///
    /// `wanted` holds the first bytes of the stems the caller looks for (see `FirstBytes`): an
    /// ASCII word whose lower-cased first byte is not in it cannot stem to one of them (a
    /// Snowball stem keeps the word's first letter), so it is neither stemmed nor looked up in
    /// the stem memo, and `f` gets `None` for it instead of its key.
    pub fn scan(
        &self,
        text: &str,
        range: Range<usize>,
        wanted: &FirstBytes,
        mut f: impl FnMut(ScanWord) -> ControlFlow<()>,
    ) -> Option<WordCounts> {
        let mut counts = WordCounts::default();
        SCRATCH.with(|cell| {
            let scratch = &mut *cell.borrow_mut();
            if scratch.stems.len() > STEM_CACHE_LIMIT {
                scratch.stems.clear();
            }
            // The words of `words` (the same scanner), with its flag for a joiner inside.
            let mut pos = range.start;
            while let Some((word_start, word_end, joined)) = next_word(text, pos, range.end) {
                pos = word_end;
                let word = &text[word_start..word_end];
                let bytes = word.as_bytes();
                if !bytes.is_ascii() {
                    // The general path, exactly as in `tokens`.
                    let w = strip_possessive(word);
                    let mut offset = word_start;
                    for part in w.split(['-', '‐']) {
                        let start = offset;
                        let end = offset + part.len();
                        offset = end
                            + if w[end - word_start..].starts_with('‐') {
                                3
                            } else {
                                1
                            };
                        if !lower_into(part, &mut scratch.lower) {
                            continue;
                        }
                        let word_key = fnv1a(scratch.lower.as_bytes());
                        let lower = &scratch.lower;
                        let Some(key) =
                            self.content_key(word_key, &mut counts, &mut scratch.stems, || {
                                lower.clone()
                            })
                        else {
                            continue;
                        };
                        let found = ScanWord {
                            start: start as u32,
                            end: end as u32,
                            word: word_key,
                            stem: Some(key),
                        };
                        if f(found).is_break() {
                            return None;
                        }
                    }
                    continue;
                }
                if !joined {
                    // No apostrophe or hyphen inside (most words): no possessive, one part.
                    let part = self.ascii_part(bytes, word_start, wanted, &mut counts, scratch);
                    if part.is_some_and(|w| f(w).is_break()) {
                        return None;
                    }
                    continue;
                }
                // ASCII: a possessive is `'s`, `'S` or a bare `'`; parts split at `-`.
                let w = match bytes {
                    [rest @ .., b'\'', b's' | b'S'] | [rest @ .., b'\''] => rest,
                    _ => bytes,
                };
                for (i, part) in split_ascii_hyphens(w) {
                    let part = self.ascii_part(part, word_start + i, wanted, &mut counts, scratch);
                    if part.is_some_and(|w| f(w).is_break()) {
                        return None;
                    }
                }
            }
            Some(())
        })?;
        Some(counts)
    }

    /// One ASCII part of a word for `scan`, starting at `start` in the text: counted, and
    /// `Some` unless it is no word (see `ascii_key`) or a stop word.
    #[inline]
    fn ascii_part(
        &self,
        part: &[u8],
        start: usize,
        wanted: &FirstBytes,
        counts: &mut WordCounts,
        scratch: &mut Scratch,
    ) -> Option<ScanWord> {
        let word_key = ascii_key(part)?;
        let mut found = ScanWord {
            start: start as u32,
            end: (start + part.len()) as u32,
            word: word_key,
            stem: None,
        };
        if !wanted.may_start(part[0]) {
            // Counted as `content_key` would, but not stemmed (see `scan`).
            counts.words += 1;
            if self.stop.contains(&word_key) {
                counts.stop_words += 1;
                return None;
            }
            return Some(found);
        }
        found.stem = Some(self.content_key(word_key, counts, &mut scratch.stems, || {
            part.iter()
                .map(|b| char::from(b.to_ascii_lowercase()))
                .collect()
        })?);
        Some(found)
    }

    /// Fills in the stems `scan` skipped (ASCII words only: see `scan`), from the memo or the
    /// stemmer, so that every word of `words` has its stem's key.
    pub fn fill_stems(&self, text: &str, words: &mut [ScanWord]) {
        SCRATCH.with(|cell| {
            let stems = &mut cell.borrow_mut().stems;
            if stems.len() > STEM_CACHE_LIMIT {
                stems.clear();
            }
            for w in words.iter_mut().filter(|w| w.stem.is_none()) {
                let part = &text.as_bytes()[w.start as usize..w.end as usize];
                w.stem = Some(*stems.entry(w.word).or_insert_with(|| {
                    let lower: String = part
                        .iter()
                        .map(|b| char::from(b.to_ascii_lowercase()))
                        .collect();
                    fnv1a(self.stemmer.stem(&lower).as_bytes())
                }));
            }
        });
    }

    /// Counts a (kept) word by its key; `None` for a stop word, else its stem's key (memoised;
    /// `lower` gives the lower-cased word on a miss).
    fn content_key(
        &self,
        word_key: TermKey,
        counts: &mut WordCounts,
        stems: &mut KeyMap<TermKey>,
        lower: impl FnOnce() -> String,
    ) -> Option<TermKey> {
        counts.words += 1;
        if self.stop.contains(&word_key) {
            counts.stop_words += 1;
            return None;
        }
        Some(
            *stems
                .entry(word_key)
                .or_insert_with(|| fnv1a(self.stemmer.stem(&lower()).as_bytes())),
        )
    }

    /// The stem of a lower-cased word as a string (for building the background table).
    pub fn stem_string(&self, lower: &str) -> String {
        self.stemmer.stem(lower).into_owned()
    }
}

/// Drops a trailing possessive `'s` / `’s` (and a bare trailing apostrophe).
fn strip_possessive(w: &str) -> &str {
    for suffix in ["'s", "’s", "'S", "’S", "'", "’"] {
        if let Some(stripped) = w.strip_suffix(suffix) {
            return stripped;
        }
    }
    w
}

/// The parts of an ASCII word between hyphens, with their byte offsets in it.
fn split_ascii_hyphens(w: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    w.split(|&b| b == b'-').map(move |part| {
        let at = start;
        start += part.len() + 1;
        (at, part)
    })
}

/// `lower_into` and `fnv1a` for an ASCII part in one pass, without a buffer: the key of the
/// lower-cased part, `None` where `lower_into` returns false.
fn ascii_key(part: &[u8]) -> Option<TermKey> {
    if part.len() < 2 {
        return None;
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in part {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // A year (19xx, 20xx) is no word; letters are looked for only then.
    let is_year = part.len() == 4 && (part.starts_with(b"19") || part.starts_with(b"20"));
    (!is_year || part.iter().any(u8::is_ascii_alphabetic)).then_some(h)
}

/// Lower-cases `part` into `buf` with curly apostrophes straightened. Returns false for words that
/// are never topical: shorter than two characters, or a bare number of one digit or a year
/// (19xx, 20xx), which any story may mention. Other numbers ("24 years", "$130K") stay: they tie a
/// headline to its story.
fn lower_into(part: &str, buf: &mut String) -> bool {
    buf.clear();
    if part.is_ascii() {
        // The common case, byte by byte: no apostrophe to straighten, one byte per character.
        buf.push_str(part);
        buf.make_ascii_lowercase();
        let is_year = part.len() == 4 && (buf.starts_with("19") || buf.starts_with("20"));
        return part.len() >= 2 && (part.bytes().any(|b| b.is_ascii_alphabetic()) || !is_year);
    }
    let mut letters = 0;
    let mut chars = 0;
    for c in part.chars() {
        chars += 1;
        if c == '’' {
            buf.push('\'');
            continue;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
        if c.is_ascii() {
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.extend(c.to_lowercase());
        }
    }
    if chars < 2 {
        return false;
    }
    let is_year = chars == 4 && (buf.starts_with("19") || buf.starts_with("20"));
    letters > 0 || !is_year
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        let aliases = Aliases::new(&[
            ("ISIS".into(), vec!["ISIS".into(), "Islamic State".into()]),
            ("US".into(), vec!["US".into(), "U.S.".into()]),
        ])
        .unwrap();
        Analyzer::new(&["the".into(), "of".into(), "us".into()], aliases)
    }

    fn lowers(text: &str) -> Vec<(String, Option<u32>)> {
        let mut out = Vec::new();
        analyzer().tokens(
            text,
            0..text.len(),
            |t, _| out.push((t.lower.to_string(), t.alias)),
            |_, _| {},
        );
        out
    }

    #[test]
    fn possessives_hyphens_digits_and_stop_words() {
        assert_eq!(
            lowers("The Military’s 2016 97 ISIS-Khorasan men"),
            vec![
                ("military".into(), None),
                ("97".into(), None),
                ("isis".into(), Some(0)),
                ("khorasan".into(), None),
                ("men".into(), None)
            ]
        );
    }

    #[test]
    fn acronym_aliases_need_capitals() {
        let a = analyzer();
        let mut hits = Vec::new();
        a.aliases
            .find("tell us about the U.S. and US", 0..29, &mut hits);
        let groups: Vec<u32> = hits.iter().map(|h| h.1).collect();
        assert_eq!(groups, vec![1, 1]);
        a.aliases.find("Islamic Statehood", 0..17, &mut hits);
        assert!(hits.is_empty());
    }

    #[test]
    fn scan_sees_the_words_and_keys_of_tokens() {
        let a = analyzer();
        let text = "The Military’s 2016 97 ISIS-Khorasan men's O'Neill's pre‐war rock-'n'-roll \
            A-1 x-ray 20th 1999s ÉCOLE Straße naïve-ish Ōsaka’S it’ 9 ab-c-d US' Dow's-jones";
        let mut expected = Vec::new();
        let want = a.tokens(
            text,
            0..text.len(),
            |t, stem| expected.push((t.span.start, stem())),
            |_, _| {},
        );
        let mut got = Vec::new();
        let counts = a
            .scan(text, 0..text.len(), &FirstBytes::all(), |w| {
                got.push((w.start as usize, w.stem.unwrap()));
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(got, expected);
        assert_eq!(
            (counts.words, counts.stop_words),
            (want.words, want.stop_words)
        );
        assert!(expected.len() > 20);
        let mut n = 0;
        let stopped = a.scan(text, 0..text.len(), &FirstBytes::all(), |_| {
            n += 1;
            if n == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert!(stopped.is_none() && n == 3);
    }

    #[test]
    fn lazy_matches_are_the_matches() {
        let aliases = Aliases::new(&[
            ("ISIS".into(), vec!["ISIS".into(), "Islamic State".into()]),
            ("US".into(), vec!["US".into(), "U.S.".into()]),
            (
                "al-Qaeda".into(),
                vec!["al Qaeda".into(), "Qaeda".into(), "al-Qaeda".into()],
            ),
        ])
        .unwrap();
        let alphabet = [
            "ISIS",
            "is",
            "Islamic",
            " State",
            "State",
            "al",
            "Bal",
            " Qaeda",
            "-",
            "US",
            "us",
            "U.S.",
            ".",
            " ",
            " ",
            "x",
            "é",
            "the quick brown fox ",
            "Qaedas",
        ];
        let mut random = crate::text::RandomTexts::new();
        for _ in 0..3000 {
            let (text, range) = random.text_and_range(&alphabet, 300);
            let want: Vec<_> = aliases.matches(&text, range.clone()).collect();
            // Asked at increasing offsets (by small or large steps), then the rest.
            let mut lazy = aliases.lazy(&text, range.clone());
            let mut got = Vec::new();
            let mut at = range.start;
            while at < range.end {
                while let Some(m) = lazy.next_by(at) {
                    assert!(m.0.start <= at);
                    got.push(m);
                }
                at += 1 + random.next() as usize
                    % if random.next().is_multiple_of(4) {
                        600
                    } else {
                        8
                    };
            }
            got.extend(lazy.rest());
            assert_eq!(got, want, "{text:?} {range:?}");
        }
    }

    #[test]
    fn stems_are_memoised_consistently() {
        let a = analyzer();
        let mut keys = Vec::new();
        a.tokens(
            "soldiers soldier",
            0..16,
            |_, stem| keys.push(stem()),
            |_, _| {},
        );
        assert_eq!(keys[0], keys[1]);
        assert_eq!(keys[0], fnv1a(a.stem_string("soldiers").as_bytes()));
    }
}
