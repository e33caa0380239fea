//! `headline-mismatch`: a headline (or subtitle) that belongs to another story than the body
//! under it. Headline, subtitle and body are reduced to weighted stems (`terms`); a line matches
//! when its key terms (weighted by inverse document frequency from a shipped background table,
//! `lexicons`) occur in the body. A line is reported only when its TF-IDF cosine with the body is
//! near zero and its evidence score (rare terms found, terms found in the lead, word pairs the
//! body repeats, minus terms the body never uses) is negative enough, after the guards (generic headlines, too few
//! headline terms, short or non-English bodies, aliases, a subtitle after a blank line).
//!
//! Document scope: every figure comes from the document and the background table, so the result
//! never depends on the other files of the corpus or on their order, and memory stays flat. This
//! module does no I/O and must not keep per-document state between calls (the per-thread stem
//! memo in `terms` is a pure cache).

pub mod lexicons;
pub mod terms;

use std::cell::RefCell;
use std::hash::BuildHasherDefault;
use std::ops::{ControlFlow, Range};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use self::lexicons::Background;
use self::terms::{Aliases, Analyzer, FirstBytes, KeyMap, ScanWord, TermKey, WordCounts};
use crate::checks::{CompiledCheck, DocumentCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Finding, Label};
use crate::document::Document;

/// Which rule a compiled check serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Headline and subtitle together do not match the body (error).
    #[default]
    Mismatch,
    /// One of headline and subtitle matches the body and the other does not (warning).
    Disagreement,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    pub mode: Mode,
    /// Stop words (`words = [...]`).
    pub stop_words: String,
    /// Alias groups (`[[group]] name, forms`).
    pub aliases: String,
    /// Standing heads to skip (`headlines = [...]`).
    pub generic_headlines: String,
    /// Background document frequencies (`documents N`, then `stem df` lines).
    pub background: String,
    /// Fewer distinct content stems than this in the judged line(s): too little to judge.
    pub min_headline_terms: usize,
    /// Fewer content words than this in the body: too little to judge.
    pub min_body_terms: usize,
    /// Report only when at most this share of the line's term weight occurs in the body (1.0,
    /// off, by default: the evidence score below weighs the same hits by their rarity).
    pub max_coverage: f64,
    /// Report only when the TF-IDF cosine of line and body is at most this.
    pub max_cosine: f64,
    /// Evidence that a line belongs to its body, summed over the line's terms: a term the body
    /// uses counts its weight above `hit-offset` (rare names count most), plus `lead-bonus` when
    /// the lead uses it; each adjacent word pair the body repeats adds `pair-bonus`; each term
    /// the body never uses subtracts `miss-penalty`. A line misses the body at or below
    /// `max-evidence`.
    pub hit_offset: f64,
    pub lead_bonus: f64,
    pub pair_bonus: f64,
    pub miss_penalty: f64,
    pub max_evidence: f64,
    /// A line "fits" the body (for the disagreement rule) at or above this weighted coverage.
    pub fit_coverage: f64,
    /// The lead: this many opening sentences of the body (labelled in findings).
    pub lead_sentences: usize,
    /// A body with fewer stop words than this share of its words does not read as English prose
    /// (another language, a list, a table): not judged.
    pub min_stop_share: f64,
    /// How many terms the notes list.
    pub max_terms_listed: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            mode: Mode::Mismatch,
            stop_words: "lexicons/stopwords-en.toml".into(),
            aliases: "lexicons/headline-aliases.toml".into(),
            generic_headlines: "lexicons/generic-headlines.toml".into(),
            background: "lexicons/headline-background.txt".into(),
            min_headline_terms: 3,
            min_body_terms: 10,
            max_coverage: 1.0,
            max_cosine: 0.05,
            hit_offset: 2.0,
            lead_bonus: 1.5,
            pair_bonus: 3.0,
            miss_penalty: 1.2,
            max_evidence: -2.0,
            fit_coverage: 0.6,
            lead_sentences: 3,
            min_stop_share: 0.25,
            max_terms_listed: 5,
        }
    }
}

pub struct HeadlineMismatchKind;

impl Kind for HeadlineMismatchKind {
    type Params = Params;
    const NAME: &'static str = "headline-mismatch";
    const SCOPE: Scope = Scope::Document;
    const DOC: &'static str = "Finds a headline or subtitle put over the wrong body. Headline, \
        subtitle and body are reduced to content words (stop words removed, hyphenated words \
        split, possessives dropped, years and one-digit numbers ignored), Snowball-stemmed, and \
        alias forms (ISIS / Islamic State / Daesh, Russia / Moscow / Kremlin) mapped to one term. \
        Each term is weighted by its inverse document frequency in a background table shipped \
        with the rules, so rare names count more than common words. A line misses the body when \
        its TF-IDF cosine with the body is at most `max-cosine` and its evidence score is at \
        most `max-evidence`: each term the body uses adds its weight above `hit-offset` (plus \
        `lead-bonus` when the lead uses it), each adjacent word pair of the line repeated in the \
        body adds `pair-bonus`, and each term the body never uses subtracts `miss-penalty`, so a \
        headline that shares only the broad topic's common words with the body still misses \
        it. In `mismatch` mode (an error) headline and \
        subtitle together, or the headline alone, miss the body while neither line fits it; in \
        `disagreement` mode (a warning) one line fits (coverage at least `fit-coverage`) and the \
        other misses. Guards: generic standing heads (\"Analysis\", \"Live updates\") are skipped \
        or stripped; fewer than `min-headline-terms` stems or `min-body-terms` body words is too \
        little to judge; a body with fewer than `min-stop-share` English stop words is not \
        English prose; a subtitle after a blank line is never the line blamed.";
    const PLACEHOLDERS: &'static [&'static str] = &["headline", "line", "other"];

    fn compile(
        params: Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<CompiledCheck, Vec<ParamError>> {
        let check = HeadlineMismatch::build(params, lexicons)?;
        Ok(CompiledCheck::Document(Box::new(check)))
    }
}

/// The compiled check.
pub struct HeadlineMismatch {
    /// Shared with sibling rules whose analysis parameters match (see `Document::memo`).
    analysis_key: u64,
    /// Unique among the checks of the process, never 0 (see `HeadScratch`).
    id: u64,
    params: Params,
    analyzer: Analyzer,
    generic: GenericHeads,
    background: Background,
}

/// The generic headlines (lower-case), indexed by first byte: an entry can only match a text
/// whose first byte it shares, ignoring ASCII case, so most headlines are compared with none.
struct GenericHeads {
    entries: Vec<String>,
    /// Per first byte (ASCII lower-cased), the entries' indices in list order.
    by_first: Vec<Vec<usize>>,
    /// All indices, for a table with an empty entry (it matches any start).
    all: Option<Vec<usize>>,
}

impl GenericHeads {
    fn new(entries: Vec<String>) -> GenericHeads {
        let mut by_first = vec![Vec::new(); 256];
        for (i, g) in entries.iter().enumerate() {
            if let Some(b) = g.as_bytes().first() {
                by_first[usize::from(b.to_ascii_lowercase())].push(i);
            }
        }
        let all = entries
            .iter()
            .any(String::is_empty)
            .then(|| (0..entries.len()).collect());
        GenericHeads {
            entries,
            by_first,
            all,
        }
    }

    /// The entries that may match `text` (or a prefix of it), in list order.
    fn candidates(&self, text: &str) -> impl Iterator<Item = &str> {
        let indices: &[usize] = match (&self.all, text.as_bytes().first()) {
            (Some(all), _) => all,
            (None, Some(b)) => &self.by_first[usize::from(b.to_ascii_lowercase())],
            (None, None) => &[],
        };
        indices.iter().map(|&i| self.entries[i].as_str())
    }
}

/// Which line of the head a term comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Headline,
    Subtitle,
}

/// A distinct content term of the headline or subtitle.
#[derive(Clone, Debug)]
struct HeadTerm {
    key: TermKey,
    group: Option<TermKey>,
    span: Range<usize>,
    role: Role,
    weight: f64,
}

/// One term of a line as the body sees it (measurements for the accuracy harness).
#[derive(Clone, Copy, Debug, Default)]
pub struct TermFit {
    pub weight: f64,
    pub hit: bool,
    pub in_lead: bool,
    pub body_count: u32,
    pub body_capitalised: u32,
}

/// What the body holds of one term.
#[derive(Clone, Copy, Debug, Default)]
struct BodyTerm {
    count: u32,
    capitalised: u32,
    /// The first occurrence, as byte offsets.
    first: (u32, u32),
    /// Part of an alias form (the group's own term stands for it in summaries).
    aliased: bool,
}

/// How well one line (or both) matches the body.
#[derive(Clone, Debug, Default)]
pub struct LineFit {
    /// Distinct content stems.
    pub terms: usize,
    /// Total weight (inverse document frequency) of the line's terms.
    pub weight: f64,
    /// Share of the line's term weight found anywhere in the body.
    pub coverage: f64,
    /// TF-IDF cosine of line and body.
    pub cosine: f64,
    /// The largest weight of a line term found in the body, and in the lead.
    pub max_hit_weight: f64,
    pub lead_max_weight: f64,
    /// How many of the line's terms the body uses.
    pub hits: usize,
    /// Evidence that the line belongs to the body (see `Params::max_evidence`).
    pub evidence: f64,
    /// Adjacent content-word pairs of the line, and how many of them the body has.
    pub bigrams: usize,
    pub bigram_hits: usize,
    /// Each term, in line order.
    pub detail: Vec<TermFit>,

    /// Spans of the line's terms the body never uses, weightiest first.
    missing: Vec<Range<usize>>,
}

/// The measurements behind a decision (also printed by the accuracy harness).
#[derive(Clone, Debug)]
pub struct Assessment {
    pub headline_span: Range<usize>,
    pub headline: LineFit,
    pub subtitle: Option<(Range<usize>, LineFit)>,
    /// Whether headline and subtitle share a term (a stem or an alias group).
    pub lines_share_term: bool,
    pub combined: LineFit,
    pub body_terms: usize,
    /// The body's dominant terms as written (names preferred).
    pub topics: Vec<String>,
    pub lead: Option<Range<usize>>,
    /// Share of stop words among the body's words.
    pub stop_share: f64,
}

/// The body's alias matches for `body`: all of them when `read`, else read into `hits` there.
struct BodyAliases<'a> {
    hits: &'a mut Vec<(Range<usize>, u32)>,
    read: bool,
}

/// Body profile built per document.
struct Body {
    terms: KeyMap<BodyTerm>,
    /// The weight (`Background::idf`) of each term, in the order `terms` iterates (the map is
    /// not changed after it is filled): `topics` does not look them up again.
    idfs: Vec<f64>,
    words: usize,
    norm: f64,
    lead_end: usize,
    /// Share of stop words among the body's words (about 0.4 to 0.5 in English prose).
    stop_share: f64,
    /// The head's word pairs (see `pair_key`) that the body also has.
    pairs_found: Vec<TermKey>,
}

/// The judged part of the head: the headline span, the distinct terms of headline and subtitle,
/// and their adjacent word pairs.
struct Head {
    span: Range<usize>,
    terms: Vec<HeadTerm>,
    pairs: Vec<(TermKey, Role)>,
    /// The first bytes of the terms' stems (for `Analyzer::scan`).
    first_bytes: FirstBytes,
}

/// A 256-bit Bloom filter over a few term keys (bits from the key's top byte): most body words
/// are rejected without a scan of the head's keys.
#[derive(Default)]
struct KeyFilter([u64; 4]);

impl KeyFilter {
    fn insert(&mut self, key: TermKey) {
        let bit = key >> 56;
        self.0[(bit >> 6) as usize] |= 1 << (bit & 63);
    }

    fn may_hold(&self, key: TermKey) -> bool {
        let bit = key >> 56;
        self.0[(bit >> 6) as usize] & (1 << (bit & 63)) != 0
    }
}

/// Keys of the head, each with a state, behind a filter.
struct Slots<T> {
    keys: Vec<TermKey>,
    state: Vec<T>,
    filter: KeyFilter,
}

impl<T> Default for Slots<T> {
    fn default() -> Slots<T> {
        Slots {
            keys: Vec::new(),
            state: Vec::new(),
            filter: KeyFilter::default(),
        }
    }
}

impl<T: Default> Slots<T> {
    /// Forgets every key (the buffers stay allocated).
    fn clear(&mut self) {
        self.keys.clear();
        self.state.clear();
        self.filter = KeyFilter::default();
    }

    /// The slot of `key`, added when new.
    fn slot(&mut self, key: TermKey) -> usize {
        self.keys.iter().position(|&k| k == key).unwrap_or_else(|| {
            self.keys.push(key);
            self.state.push(T::default());
            self.filter.insert(key);
            self.keys.len() - 1
        })
    }

    /// The slot of `key`, if it has one.
    fn find(&self, key: TermKey) -> Option<usize> {
        if !self.filter.may_hold(key) {
            return None;
        }
        self.keys.iter().position(|&k| k == key)
    }
}

/// What the body's first pass has found of the head's terms (see `may_report`): the first
/// occurrence of each head stem and alias group, and which head pairs the body repeats.
#[derive(Default)]
struct Probe {
    stems: Slots<Option<usize>>,
    groups: Slots<Option<usize>>,
    pairs: Slots<bool>,
}

/// One line as `fit` walks it: the terms it counts (weight, stem slot and group slot in the
/// probe) and its distinct pairs (slots).
#[derive(Default)]
struct ProbeLine {
    terms: usize,
    items: Vec<(f64, usize, Option<usize>)>,
    pairs: Vec<usize>,
}

impl Probe {
    fn clear(&mut self) {
        self.stems.clear();
        self.groups.clear();
        self.pairs.clear();
    }

    /// Sets `line` to a line's terms and pairs, deduplicated exactly as `fit` does (`seen` is
    /// a scratch buffer).
    fn line<'a>(
        &mut self,
        line: &mut ProbeLine,
        seen: &mut Vec<TermKey>,
        items: impl Iterator<Item = &'a HeadTerm>,
        pairs: impl Iterator<Item = &'a (TermKey, Role)>,
    ) {
        line.terms = 0;
        line.items.clear();
        line.pairs.clear();
        for &(pair, _) in pairs {
            let i = self.pairs.slot(pair);
            if !line.pairs.contains(&i) {
                line.pairs.push(i);
            }
        }
        // `fit` skips a term whose stem it has seen, as a stem or as an alias group.
        seen.clear();
        for item in items {
            if seen.contains(&item.key) {
                continue;
            }
            seen.push(item.key);
            line.terms += 1;
            let stem = self.stems.slot(item.key);
            let group = item.group.map(|g| {
                if !seen.contains(&g) {
                    seen.push(g);
                }
                self.groups.slot(g)
            });
            line.items.push((item.weight, stem, group));
        }
    }
}

/// `fit`'s working buffers (they hold nothing between calls): the keys seen (word pairs, then
/// stems and groups) and the missing terms with their weights, before sorting.
#[derive(Default)]
struct FitScratch {
    seen: Vec<TermKey>,
    missing: Vec<(f64, Range<usize>)>,
}

/// The body's first pass's buffers, reused per thread (they hold nothing between documents):
/// the content words read (see `may_report`), the probe, its lines (all lines, the headline's,
/// the subtitle's), and the body's alias matches when the pass has read them all.
#[derive(Default)]
struct FirstPass {
    words: Vec<ScanWord>,
    probe: Probe,
    lines: [ProbeLine; 3],
    seen: Vec<TermKey>,
    alias_hits: Vec<(Range<usize>, u32)>,
    /// Whether `alias_hits` holds every alias match of the body.
    aliases_read: bool,
    /// For the full measurement's `fit`.
    fit: FitScratch,
}

thread_local! {
    /// The body's first pass's buffers.
    static FIRST_PASS: RefCell<FirstPass> = RefCell::new(FirstPass::default());
    /// The head's buffers and its cache of word terms.
    static HEAD_SCRATCH: RefCell<HeadScratch> = RefCell::new(HeadScratch::default());
}

/// Forget the cached head words beyond this many (a headline vocabulary is small: about 7,000
/// words in the generated benchmark corpus of 177,000 documents).
const HEAD_TERMS_LIMIT: usize = 1 << 16;

/// Gives each compiled check its own id (the key of its cached head words).
static NEXT_CHECK_ID: AtomicU64 = AtomicU64::new(0);

/// A head's terms and pairs vectors (see `HeadScratch::spare`).
type HeadBuffers = (Vec<HeadTerm>, Vec<(TermKey, Role)>);

/// Per-thread buffers of `head_terms` (they hold nothing between documents), and a pure cache:
/// each head word's stem key and weight, for the check `owner` (the weight depends on its
/// background table).
#[derive(Default)]
struct HeadScratch {
    owner: u64,
    /// Word key (see `ScanWord::word_key`) to stem key and weight (`Background::idf`).
    terms: KeyMap<(TermKey, f64)>,
    words: Vec<ScanWord>,
    hits: Vec<(Range<usize>, u32)>,
    /// The vectors of the last `Head`, returned by `recycle` (empty, allocated): the next head
    /// fills them instead of allocating two per document.
    spare: Option<HeadBuffers>,
}

/// A head word pair, as the key of the adjacent content words `a b`.
fn pair_key(a: TermKey, b: TermKey) -> TermKey {
    a.rotate_left(17) ^ b
}

impl HeadlineMismatch {
    /// Reads the lexicons and checks the parameters (what `compile` does, without type erasure).
    pub fn build(
        params: Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<HeadlineMismatch, Vec<ParamError>> {
        let mut errors = Vec::new();
        let stop = lexicons::stop_words(lexicons, &params.stop_words).map_err(|e| errors.push(e));
        let aliases = lexicons::aliases(lexicons, &params.aliases).map_err(|e| errors.push(e));
        let generic = lexicons::generic_headlines(lexicons, &params.generic_headlines)
            .map_err(|e| errors.push(e));
        let background =
            lexicons::background(lexicons, &params.background).map_err(|e| errors.push(e));
        for (name, value) in [
            ("max-coverage", params.max_coverage),
            ("max-cosine", params.max_cosine),
            ("fit-coverage", params.fit_coverage),
            ("min-stop-share", params.min_stop_share),
        ] {
            if !(0.0..=1.0).contains(&value) {
                errors.push(ParamError::new(
                    None,
                    format!("`{name}` must be between 0 and 1"),
                ));
            }
        }
        let (Ok(stop), Ok(aliases), Ok(generic), Ok(background)) =
            (stop, aliases, generic, background)
        else {
            return Err(errors);
        };
        let aliases = Aliases::new(&aliases).map_err(|message| {
            vec![ParamError::new(
                None,
                format!("alias lexicon `{}`: {message}", params.aliases),
            )]
        })?;
        if !errors.is_empty() {
            return Err(errors);
        }
        let analyzer = Analyzer::new(&stop, aliases);
        let analysis_key = crate::checks::analysis_key(&Params {
            mode: Mode::default(),
            ..params.clone()
        });
        Ok(HeadlineMismatch {
            analysis_key,
            id: NEXT_CHECK_ID.fetch_add(1, Ordering::Relaxed) + 1,
            params,
            analyzer,
            generic: GenericHeads::new(generic),
            background,
        })
    }

    /// The part of the headline to judge: `None` for a generic standing head, the rest after a
    /// generic label ("Analysis: ...") otherwise.
    fn judged_headline(&self, text: &str, span: Range<usize>) -> Option<Range<usize>> {
        let line = &text[span.clone()];
        let core = line.trim_matches(|c: char| !c.is_alphanumeric());
        // Entries are lower-case; a headline is compared case-insensitively (non-ASCII letters
        // only when it has some, to keep the common case allocation-free).
        let lower = if core.is_ascii() {
            None
        } else {
            Some(core.to_lowercase())
        };
        let core_or_lower = lower.as_deref().unwrap_or(core);
        if self
            .generic
            .candidates(core_or_lower)
            .any(|g| match &lower {
                Some(l) => l == g,
                None => core.eq_ignore_ascii_case(g),
            })
        {
            return None;
        }
        for g in self.generic.candidates(line) {
            let Some(head) = line.get(..g.len()) else {
                continue;
            };
            if !head.eq_ignore_ascii_case(g) {
                continue;
            }
            let rest = &line[g.len()..];
            let trimmed = rest.trim_start();
            for sep in [":", "|", "- ", "— ", "– "] {
                if let Some(after) = trimmed.strip_prefix(sep) {
                    let start = span.end - after.trim_start().len();
                    return Some(start..span.end);
                }
            }
        }
        Some(span)
    }

    #[allow(clippy::too_many_arguments)]
    fn head_terms(
        &self,
        text: &str,
        span: Range<usize>,
        role: Role,
        out: &mut Vec<HeadTerm>,
        pairs: &mut Vec<(TermKey, Role)>,
        first_bytes: &mut FirstBytes,
        scratch: &mut HeadScratch,
    ) {
        let groups = &self.analyzer.aliases.groups;
        let HeadScratch {
            owner,
            terms,
            words,
            hits,
            ..
        } = scratch;
        // The terms cached for another check (another background table) are not ours.
        if *owner != self.id || terms.len() > HEAD_TERMS_LIMIT {
            *owner = self.id;
            terms.clear();
        }
        // The words of `tokens`, by `scan`'s faster path. An empty set of wanted first bytes
        // leaves (nearly) every word unstemmed: its stem and weight come from `terms`, one
        // lookup in a small table that stays in cache, rather than from the stem memo and the
        // background table (two lookups in large tables, both cache misses for a head word).
        words.clear();
        self.analyzer
            .scan(text, span.clone(), &FirstBytes::default(), |w| {
                words.push(w);
                ControlFlow::Continue(())
            });
        // A word's alias group is that of the first match not ending before the word starts, if
        // it starts there or earlier (as in `tokens`).
        hits.clear();
        hits.extend(self.analyzer.aliases.matches(text, span));
        let mut next_hit = 0;
        let mut prev = None;
        for w in words.iter_mut() {
            // A word `scan` stemmed (not ASCII, or opening with an apostrophe) is weighed below.
            let (key, weight) = if let Some(key) = w.stem {
                (key, None)
            } else if let Some(&(key, weight)) = terms.get(&w.word_key()) {
                (key, Some(weight))
            } else {
                self.analyzer.fill_stems(text, std::slice::from_mut(w));
                let key = w.stem.expect("`fill_stems` gives every word a stem");
                let weight = self.background.idf(key);
                terms.insert(w.word_key(), (key, weight));
                (key, Some(weight))
            };
            let span = w.start as usize..w.end as usize;
            first_bytes.add_first_char(text[span.clone()].chars().next());
            if let Some(p) = prev.replace(key) {
                pairs.push((pair_key(p, key), role));
            }
            while next_hit < hits.len() && hits[next_hit].0.end <= span.start {
                next_hit += 1;
            }
            if out.iter().any(|t| t.key == key && t.role == role) {
                continue;
            }
            let group = hits
                .get(next_hit)
                .filter(|(hit, _)| hit.start <= span.start)
                .map(|&(_, g)| groups[g as usize].key);
            let weight = weight.unwrap_or_else(|| self.background.idf(key));
            out.push(HeadTerm {
                key,
                group,
                span,
                role,
                weight,
            });
        }
    }

    /// The body's profile from its content words (`scan`'s record, in order), alias matches (all
    /// of them, in order; read here when `None`) and word counts: the same terms, in the same
    /// order, as a reading with `Analyzer::tokens` would note.
    fn body(
        &self,
        doc: &Document,
        words: &mut [ScanWord],
        aliases: BodyAliases<'_>,
        counts: WordCounts,
        head_pairs: &[(TermKey, Role)],
    ) -> Body {
        self.analyzer.fill_stems(&doc.text, words);
        // About one distinct term per 16 bytes of prose: sized once, no rehashing while counting.
        let mut terms: KeyMap<BodyTerm> =
            KeyMap::with_capacity_and_hasher(doc.text.len() / 16, BuildHasherDefault::default());
        let groups = &self.analyzer.aliases.groups;
        let lead_end = self.lead_end(doc);
        let note = |terms: &mut KeyMap<BodyTerm>, key: TermKey, span: &Range<usize>, caps: bool| {
            let e = terms.entry(key).or_insert_with(|| BodyTerm {
                first: (span.start as u32, span.end as u32),
                ..BodyTerm::default()
            });
            e.count += 1;
            e.capitalised += u32::from(caps);
        };
        // The alias matches mark the words of an alias form; their groups are noted after the
        // words.
        let BodyAliases { hits, read } = aliases;
        if !read {
            hits.clear();
            hits.extend(self.analyzer.aliases.matches(&doc.text, doc.body_span()));
        }
        let alias_hits = &hits[..];
        let mut pair_filter = KeyFilter::default();
        for &(pair, _) in head_pairs {
            pair_filter.insert(pair);
        }
        let mut pairs_found: Vec<TermKey> = Vec::new();
        let mut prev = None;
        let mut next_hit = 0;
        let bytes = doc.text.as_bytes();
        for w in words.iter() {
            let key = w.stem.expect("`fill_stems` gives every word a stem");
            let span = w.start as usize..w.end as usize;
            if let Some(p) = prev.replace(key) {
                let pair = pair_key(p, key);
                if pair_filter.may_hold(pair)
                    && head_pairs.iter().any(|h| h.0 == pair)
                    && !pairs_found.contains(&pair)
                {
                    pairs_found.push(pair);
                }
            }
            // Whether the word starts with a capital, as `tokens` decides it.
            let caps = match bytes[span.start] {
                b if b.is_ascii() => b.is_ascii_uppercase(),
                _ => doc.text[span.start..]
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase),
            };
            note(&mut terms, key, &span, caps);
            // Part of an alias form: the first match not ending before the word starts there
            // or earlier (matches come in order and do not overlap).
            while next_hit < alias_hits.len() && alias_hits[next_hit].0.end <= span.start {
                next_hit += 1;
            }
            if alias_hits
                .get(next_hit)
                .is_some_and(|(hit, _)| hit.start <= span.start)
                && let Some(e) = terms.get_mut(&key)
            {
                e.aliased = true;
            }
        }
        let group_hits = alias_hits
            .iter()
            .map(|(span, g)| (groups[*g as usize].key, span.clone()));
        let n_words = words.len();
        for (key, span) in group_hits {
            note(&mut terms, key, &span, true);
        }
        let idfs: Vec<f64> = terms.keys().map(|k| self.background.idf(*k)).collect();
        let norm = terms
            .values()
            .zip(&idfs)
            .map(|(t, idf)| (tf_weight(t.count) * idf).powi(2))
            .sum::<f64>()
            .sqrt();
        let stop_share = if counts.words == 0 {
            0.0
        } else {
            counts.stop_words as f64 / counts.words as f64
        };
        Body {
            terms,
            idfs,
            words: n_words,
            norm,
            lead_end,
            stop_share,
            pairs_found,
        }
    }

    fn fit<'a>(
        &self,
        body: &Body,
        items: impl Iterator<Item = &'a HeadTerm>,
        pairs: impl Iterator<Item = &'a (TermKey, Role)>,
        scratch: &mut FitScratch,
    ) -> LineFit {
        // At most one entry per head term: one allocation.
        let mut detail = Vec::with_capacity(items.size_hint().1.unwrap_or(0));
        let mut evidence = 0.0;
        let (mut bigrams, mut bigram_hits) = (0, 0);
        let FitScratch {
            seen: seen_keys,
            missing,
        } = scratch;
        seen_keys.clear();
        missing.clear();
        for (p, _) in pairs {
            if push_new(seen_keys, *p) {
                bigrams += 1;
                bigram_hits += usize::from(body.pairs_found.contains(p));
            }
        }
        // The stems and groups seen: a line has a few dozen at most, so a list searched from the
        // start beats a hash set (no hashing; the thread's buffer, no allocation).
        seen_keys.clear();

        let mut total = 0.0;
        let mut covered = 0.0;
        let mut dot = 0.0;
        let mut head_norm = 0.0;

        let mut terms = 0;
        let (mut hits, mut max_hit_weight, mut lead_max_weight) = (0, 0.0, 0.0);
        let body_weight = |key: TermKey| {
            body.terms
                .get(&key)
                .map(|t| tf_weight(t.count) * self.background.idf(key))
        };
        for item in items {
            if !push_new(seen_keys, item.key) {
                continue;
            }
            terms += 1;
            total += item.weight;
            head_norm += item.weight * item.weight;
            let stem_hit = body.terms.get(&item.key);
            let group_hit = item.group.and_then(|g| body.terms.get(&g));
            if let Some(bw) = body_weight(item.key) {
                dot += item.weight * bw;
            }
            if let Some(g) = item.group
                && push_new(seen_keys, g)
            {
                let gw = self.background.idf(g);
                head_norm += gw * gw;
                if let Some(bw) = body_weight(g) {
                    dot += gw * bw;
                }
            }
            let mut tf = TermFit {
                weight: item.weight,
                ..TermFit::default()
            };
            if let Some(h) = stem_hit.or(group_hit) {
                tf.hit = true;
                tf.body_count = h.count;
                tf.body_capitalised = h.capitalised;
                let first = stem_hit.map_or(h.first.0, |s| s.first.0);
                let first = group_hit.map_or(first, |g| first.min(g.first.0));
                tf.in_lead = (first as usize) < body.lead_end;
            }
            evidence += if tf.hit {
                (item.weight - self.params.hit_offset).max(0.0)
                    + if tf.in_lead {
                        self.params.lead_bonus
                    } else {
                        0.0
                    }
            } else {
                -self.params.miss_penalty
            };
            detail.push(tf);
            match stem_hit.or(group_hit) {
                Some(hit) => {
                    covered += item.weight;
                    let first = stem_hit.map_or(hit.first.0, |s| s.first.0);
                    let first = group_hit.map_or(first, |g| first.min(g.first.0));
                    hits += 1;
                    max_hit_weight = f64::max(max_hit_weight, item.weight);
                    if (first as usize) < body.lead_end {
                        lead_max_weight = f64::max(lead_max_weight, item.weight);
                    }
                }
                None => missing.push((item.weight, item.span.clone())),
            }
        }
        missing.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start)));
        let coverage = if total > 0.0 { covered / total } else { 1.0 };
        let denom = head_norm.sqrt() * body.norm;
        let cosine = if denom > 0.0 { dot / denom } else { 0.0 };
        LineFit {
            terms,
            weight: total,
            coverage,
            cosine,
            max_hit_weight,
            lead_max_weight,
            hits,
            evidence: evidence + self.params.pair_bonus * bigram_hits as f64,
            bigrams,
            bigram_hits,
            detail,
            missing: missing.drain(..).map(|m| m.1).collect(),
        }
    }

    /// The body's dominant terms as written: highest count times weight first, names preferred.
    fn topics(&self, doc: &Document, body: &Body) -> Vec<String> {
        let max = self.params.max_terms_listed;
        let mut out: Vec<String> = Vec::new();
        if max == 0 {
            return out;
        }
        // With its index (map order) last, the order is total and the one a stable sort by
        // weight and first occurrence gives.
        let mut ranked: Vec<Ranked> = body
            .terms
            .iter()
            .zip(&body.idfs)
            .enumerate()
            .filter(|(_, ((_, t), _))| !t.aliased)
            .map(|(i, ((k, t), idf))| {
                let named = t.capitalised * 2 > t.count;
                // Linear term frequency: the story's subject is what it keeps coming back to.
                let w = f64::from(t.count) * idf * if named { 1.5 } else { 1.0 };
                (w, t.first.0, i, *k, t.first)
            })
            .collect();
        let order =
            |a: &Ranked, b: &Ranked| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2));
        // Only the first few in that order are needed (more when surfaces repeat): pick the next
        // `2 * max` and sort them, rather than sorting every term of the body.
        let mut rest = &mut ranked[..];
        while !rest.is_empty() {
            let k = (2 * max).min(rest.len());
            if k < rest.len() {
                rest.select_nth_unstable_by(k - 1, order);
            }
            let (next, later) = rest.split_at_mut(k);
            next.sort_unstable_by(order);
            for &(_, _, _, key, first) in &*next {
                if out.len() >= max {
                    return out;
                }
                let surface = match self.analyzer.aliases.groups.iter().find(|g| g.key == key) {
                    Some(g) => g.name.clone(),
                    None => doc.text[first.0 as usize..first.1 as usize].to_string(),
                };
                if !out.iter().any(|o| o.eq_ignore_ascii_case(&surface)) {
                    out.push(surface);
                }
            }
            rest = later;
        }
        out
    }

    /// Measures how headline and subtitle fit the body; `None` when there is nothing to judge
    /// (no headline, or a generic standing head).
    pub fn assess(&self, doc: &Document) -> Option<Assessment> {
        let (mut a, body) = self.measure(doc)?;
        a.topics = self.topics(doc, &body);
        Some(a)
    }

    /// `assess` without the body's topics (only needed when something is reported).
    fn measure(&self, doc: &Document) -> Option<(Assessment, Body)> {
        let head = self.head(doc)?;
        let mut words = Vec::new();
        let counts = self
            .analyzer
            .scan(&doc.text, doc.body_span(), &head.first_bytes, |w| {
                words.push(w);
                ControlFlow::Continue(())
            })?;
        let aliases = BodyAliases {
            hits: &mut Vec::new(),
            read: false,
        };
        Some(self.measure_head(
            doc,
            &head,
            &mut words,
            aliases,
            counts,
            &mut FitScratch::default(),
        ))
    }

    /// Hands `head`'s vectors back to the thread (emptied, still allocated) for the next `head`.
    fn recycle(head: Head) {
        let Head {
            mut terms,
            mut pairs,
            ..
        } = head;
        terms.clear();
        pairs.clear();
        HEAD_SCRATCH.with(|cell| cell.borrow_mut().spare = Some((terms, pairs)));
    }

    /// The judged headline span, the head's terms and its word pairs; `None` when there is
    /// nothing to judge (no headline, or a generic standing head).
    fn head(&self, doc: &Document) -> Option<Head> {
        let headline_span = self.judged_headline(&doc.text, doc.headline.clone()?)?;
        let mut first_bytes = FirstBytes::default();
        let (terms, pairs) = HEAD_SCRATCH.with(|cell| {
            let scratch = &mut *cell.borrow_mut();
            // The last head's vectors when `recycle` returned them; else sized for a long
            // headline and subtitle: no regrowth on the hot path.
            let (mut terms, mut pairs) = scratch
                .spare
                .take()
                .unwrap_or_else(|| (Vec::with_capacity(32), Vec::with_capacity(32)));
            self.head_terms(
                &doc.text,
                headline_span.clone(),
                Role::Headline,
                &mut terms,
                &mut pairs,
                &mut first_bytes,
                scratch,
            );
            if let Some(sub) = &doc.subtitle {
                self.head_terms(
                    &doc.text,
                    sub.clone(),
                    Role::Subtitle,
                    &mut terms,
                    &mut pairs,
                    &mut first_bytes,
                    scratch,
                );
            }
            (terms, pairs)
        });
        Some(Head {
            span: headline_span,
            terms,
            pairs,
            first_bytes,
        })
    }

    /// The full measurement, from the body's content words as `scan` recorded them (all of them),
    /// its alias matches (when already read) and its word counts.
    fn measure_head(
        &self,
        doc: &Document,
        head: &Head,
        words: &mut [ScanWord],
        aliases: BodyAliases<'_>,
        counts: WordCounts,
        scratch: &mut FitScratch,
    ) -> (Assessment, Body) {
        let Head {
            span: headline_span,
            terms: head,
            pairs,
            ..
        } = head;
        let body = self.body(doc, words, aliases, counts, pairs);
        let mut of = |role: Role| {
            self.fit(
                &body,
                head.iter().filter(move |t| t.role == role),
                pairs.iter().filter(move |p| p.1 == role),
                scratch,
            )
        };
        let headline = of(Role::Headline);
        let subtitle = doc.subtitle.clone().map(|s| (s, of(Role::Subtitle)));
        let combined = self.fit(&body, head.iter(), pairs.iter(), scratch);
        let lines_share_term = head.iter().filter(|t| t.role == Role::Headline).any(|h| {
            head.iter()
                .filter(|t| t.role == Role::Subtitle)
                .any(|s| s.key == h.key || (s.group.is_some() && s.group == h.group))
        });
        let lead = doc
            .sentences
            .first()
            .map(|s| s.start..body.lead_end.max(s.end));
        let a = Assessment {
            headline_span: headline_span.clone(),
            headline,
            subtitle,
            lines_share_term,
            combined,
            body_terms: body.words,
            topics: Vec::new(),
            lead,
            stop_share: body.stop_share,
        };
        (a, body)
    }

    /// The lead's end: the end of the `lead-sentences`th sentence (or of the last one).
    fn lead_end(&self, doc: &Document) -> usize {
        doc.sentences
            .get(
                self.params
                    .lead_sentences
                    .saturating_sub(1)
                    .min(doc.sentences.len().saturating_sub(1)),
            )
            .map_or(0, |s| s.end)
    }

    /// Whether either rule could report the document, decided from the head and as little of
    /// the body as it takes; `false` only when neither can (the full `measure` decides the rest).
    ///
    /// Both rules report only a line that `misses` the body, and a line misses it only when its
    /// evidence is at most `max-evidence` (and its coverage at most `max-coverage`). Reading the
    /// body in order can only raise a line's evidence: a term found turns a `-miss-penalty` into
    /// a share of at least 0 (`lead-bonus` is added when the first occurrence lies in the lead,
    /// and an occurrence met later never lies before it), and each pair found adds `pair-bonus`.
    /// The evidence of what has been read, summed in `fit`'s order with `fit`'s expressions, is
    /// therefore never above the final figure (floating-point addition is monotonic), and the
    /// same holds for coverage. Once no line can miss any more, the rest of the body (and its
    /// TF-IDF norm, which only the cosine needs) cannot change the outcome. With a negative
    /// `miss-penalty`, `lead-bonus` or `pair-bonus` the bound does not hold: no shortcut then.
    ///
    /// The body's content words read are recorded in `pass.words`: when the whole body has been
    /// read (`Some`, with its word counts), the full measurement takes them from there.
    fn may_report(&self, doc: &Document, head: &Head, pass: &mut FirstPass) -> Option<WordCounts> {
        let p = &self.params;
        let FirstPass {
            words,
            probe,
            lines,
            seen,
            alias_hits,
            aliases_read,
            ..
        } = pass;
        words.clear();
        alias_hits.clear();
        *aliases_read = false;
        let record = |w| {
            words.push(w);
            ControlFlow::Continue(())
        };
        if !(p.miss_penalty >= 0.0 && p.lead_bonus >= 0.0 && p.pair_bonus >= 0.0) {
            return self
                .analyzer
                .scan(&doc.text, doc.body_span(), &head.first_bytes, record);
        }
        probe.clear();
        let [all, headline, subtitle] = lines;
        probe.line(all, seen, head.terms.iter(), head.pairs.iter());
        // The lines: both together, the headline and, when there is one, the subtitle.
        let n_lines = if doc.subtitle.is_some() { 3 } else { 2 };
        for (role, line) in [(Role::Headline, headline), (Role::Subtitle, subtitle)] {
            if role == Role::Subtitle && doc.subtitle.is_none() {
                continue;
            }
            probe.line(
                line,
                seen,
                head.terms.iter().filter(|t| t.role == role),
                head.pairs.iter().filter(|t| t.1 == role),
            );
        }
        // Only the lines with enough terms are judged.
        let judged = |l: &&ProbeLine| l.terms >= p.min_headline_terms;
        let lead_end = self.lead_end(doc);
        let open = |probe: &Probe| {
            lines[..n_lines]
                .iter()
                .filter(judged)
                .any(|l| self.may_miss(l, probe, lead_end))
        };
        if !open(probe) {
            return None;
        }
        let body_span = doc.body_span();
        // The alias matches of the body, read only as far as the words (the automaton costs
        // about as much per byte as the words): the next match waits in `alias` until the words
        // reach it. Matches come in order, so the first of a group is its first occurrence.
        let groups = &self.analyzer.aliases.groups;
        let mut alias = (!probe.groups.keys.is_empty())
            .then(|| self.analyzer.aliases.lazy(&doc.text, body_span.clone()));
        // A word the scan does not stem (`None`) is no head stem, and a pair with it no head pair.
        let mut prev = None;
        let counts = self
            .analyzer
            .scan(&doc.text, body_span, &head.first_bytes, |w| {
                words.push(w);
                let (start, key) = (w.start as usize, w.stem);
                let mut news = false;
                while let Some((span, g)) = alias.as_mut().and_then(|a| a.next_by(start)) {
                    alias_hits.push((span.clone(), g));
                    if let Some(i) = probe.groups.find(groups[g as usize].key)
                        && probe.groups.state[i].is_none()
                    {
                        probe.groups.state[i] = Some(span.start);
                        news = true;
                    }
                }
                if let Some(p) = std::mem::replace(&mut prev, key)
                    && let Some(key) = key
                    && let Some(i) = probe.pairs.find(pair_key(p, key))
                    && !probe.pairs.state[i]
                {
                    probe.pairs.state[i] = true;
                    news = true;
                }
                if let Some(key) = key
                    && let Some(i) = probe.stems.find(key)
                    && probe.stems.state[i].is_none()
                {
                    probe.stems.state[i] = Some(start);
                    news = true;
                }
                if news && !open(probe) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
        // Read to the end with a line still open: the body guards of `check`, then the full
        // measurement.
        let counts = counts?;
        // The alias matches not yet read, for the full measurement.
        if let Some(rest) = alias {
            alias_hits.extend(rest.rest());
            *aliases_read = true;
        }
        let body_terms = counts.words - counts.stop_words;
        let stop_share = if counts.words == 0 {
            0.0
        } else {
            counts.stop_words as f64 / counts.words as f64
        };
        (body_terms >= p.min_body_terms && stop_share >= p.min_stop_share).then_some(counts)
    }

    /// Whether `line` may still miss the body, from what `probe` has found so far (`fit`'s
    /// evidence and coverage, term by term in the same order and with the same expressions).
    fn may_miss(&self, line: &ProbeLine, probe: &Probe, lead_end: usize) -> bool {
        let p = &self.params;
        let mut evidence = 0.0;
        let mut total = 0.0;
        let mut covered = 0.0;
        for &(weight, stem, group) in &line.items {
            total += weight;
            let first = match (
                probe.stems.state[stem],
                group.and_then(|g| probe.groups.state[g]),
            ) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            evidence += if let Some(first) = first {
                covered += weight;
                (weight - p.hit_offset).max(0.0) + if first < lead_end { p.lead_bonus } else { 0.0 }
            } else {
                -p.miss_penalty
            };
        }
        let bigram_hits = line.pairs.iter().filter(|&&i| probe.pairs.state[i]).count();
        let coverage = if total > 0.0 { covered / total } else { 1.0 };
        let evidence = evidence + p.pair_bonus * bigram_hits as f64;
        coverage <= p.max_coverage && evidence <= p.max_evidence
    }

    fn misses(&self, fit: &LineFit) -> bool {
        fit.terms >= self.params.min_headline_terms
            && fit.coverage <= self.params.max_coverage
            && fit.cosine <= self.params.max_cosine
            && fit.evidence <= self.params.max_evidence
    }

    fn fits(&self, fit: &LineFit) -> bool {
        fit.coverage >= self.params.fit_coverage
    }

    fn list(&self, doc: &Document, spans: &[Range<usize>]) -> String {
        list_words(doc, spans, self.params.max_terms_listed)
    }

    fn mismatch(&self, doc: &Document, a: &Assessment) -> Option<Finding> {
        // One line that fits the body is the disagreement rule's case, not a wrong story.
        if a.subtitle.as_ref().is_some_and(|(_, s)| self.fits(s)) || self.fits(&a.headline) {
            return None;
        }
        // Headline and subtitle together miss the body; or the headline misses it, the subtitle
        // is too weak to vouch for it and the two share no term.
        let (fit, span, line) = if self.misses(&a.combined) {
            let end = a
                .subtitle
                .as_ref()
                .map_or(a.headline_span.end, |(s, _)| s.end);
            let line = if a.subtitle.is_some() {
                "headline and subtitle"
            } else {
                "headline"
            };
            (&a.combined, a.headline_span.start..end, line)
        } else if self.misses(&a.headline) && !a.lines_share_term {
            // A headline that shares a term with its subtitle is tied to it; the pair is
            // judged together above.
            (&a.headline, a.headline_span.clone(), "headline")
        } else {
            return None;
        };
        let mut finding = Finding::new(span)
            .arg("headline", doc.slice(&a.headline_span))
            .arg("line", line)
            .arg("other", "body");
        let missing = self.list(doc, &fit.missing);
        if let Some(lead) = &a.lead {
            let first = list_words(doc, &fit.missing, 3);
            let message = if first.is_empty() {
                "the story opens here".to_string()
            } else {
                format!("the story opens here and never mentions {first}")
            };
            // Point at the opening sentence only: a label over several paragraphs buries it.
            let opening = doc
                .sentences
                .first()
                .map_or(lead.clone(), |s| lead.start..s.end.min(lead.end));
            finding = finding.label(Label::here(opening, message));
        }
        if !missing.is_empty() {
            finding = finding.note(format!(
                "the body never uses these key terms of the {line}: {missing}"
            ));
        }
        if !a.topics.is_empty() {
            finding = finding.note(format!("the body is about {}", a.topics.join(", ")));
        }
        Some(finding.note(
            "check that this headline belongs to this story; if it does, name the story's subject in it",
        ))
    }

    fn disagreement(&self, doc: &Document, a: &Assessment) -> Option<Finding> {
        let (sub_span, sub) = a.subtitle.as_ref()?;
        let (bad_span, bad, bad_name, good_span, good, good_name) =
            if self.misses(&a.headline) && self.fits(sub) {
                (
                    &a.headline_span,
                    &a.headline,
                    "headline",
                    sub_span,
                    sub,
                    "subtitle",
                )
            } else if self.misses(sub) && self.fits(&a.headline) && subtitle_is_adjacent(doc) {
                (
                    sub_span,
                    sub,
                    "subtitle",
                    &a.headline_span,
                    &a.headline,
                    "headline",
                )
            } else {
                return None;
            };
        if good.terms < 2 || a.body_terms < self.params.min_body_terms {
            return None;
        }
        let mut finding = Finding::new(bad_span.clone())
            .arg("headline", doc.slice(bad_span))
            .arg("line", bad_name)
            .arg("other", good_name)
            .label(Label::here(
                good_span.clone(),
                format!("the {good_name} matches the body"),
            ));
        let missing = self.list(doc, &bad.missing);
        if !missing.is_empty() {
            finding = finding.note(format!(
                "the body never uses these key terms of the {bad_name}: {missing}"
            ));
        }
        if !a.topics.is_empty() {
            finding = finding.note(format!("the body is about {}", a.topics.join(", ")));
        }
        Some(finding.note(format!(
            "the {bad_name} may belong to another story: rewrite it to match the {good_name} and body"
        )))
    }
}

/// The first `n` distinct words of `spans`, comma-separated.
fn list_words(doc: &Document, spans: &[Range<usize>], n: usize) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in spans {
        let w = &doc.text[s.clone()];
        if out.len() < n && !out.iter().any(|o| o.eq_ignore_ascii_case(w)) {
            out.push(w);
        }
    }
    out.join(", ")
}

/// A body term as `topics` ranks it: weight, first occurrence's start, index in map order, key,
/// first occurrence.
type Ranked = (f64, u32, usize, TermKey, (u32, u32));

/// Adds `key` to `seen` unless there: whether it was new.
fn push_new(seen: &mut Vec<TermKey>, key: TermKey) -> bool {
    let new = !seen.contains(&key);
    if new {
        seen.push(key);
    }
    new
}

/// Sublinear term frequency, `1 + ln tf` (0 for an absent term).
fn tf_weight(count: u32) -> f64 {
    if count == 0 {
        0.0
    } else {
        1.0 + f64::from(count).ln()
    }
}

/// Whether the subtitle sits on the line right under the headline. A "subtitle" after a blank
/// line may be the body's first short paragraph (a quote, a fixture line) that the document model
/// read as a dek: it is not reported as the line that does not fit.
fn subtitle_is_adjacent(doc: &Document) -> bool {
    let (Some(head), Some(sub)) = (&doc.headline, &doc.subtitle) else {
        return false;
    };
    doc.line_index(sub.start) == doc.line_index(head.start) + 1
}

impl DocumentCheck for HeadlineMismatch {
    fn check(&self, doc: &Document, out: &mut Vec<Finding>) {
        // `None` as well when neither rule can report the document (see `may_report`).
        let measured = doc.memo(self.analysis_key, || {
            let head = self.head(doc)?;
            let measured = FIRST_PASS.with(|cell| {
                let pass = &mut *cell.borrow_mut();
                let counts = self.may_report(doc, &head, pass)?;
                let aliases = BodyAliases {
                    hits: &mut pass.alias_hits,
                    read: pass.aliases_read,
                };
                Some(self.measure_head(doc, &head, &mut pass.words, aliases, counts, &mut pass.fit))
            });
            Self::recycle(head);
            measured
        });
        let Some((a, body)) = measured.as_ref() else {
            return;
        };
        if a.body_terms < self.params.min_body_terms || a.stop_share < self.params.min_stop_share {
            return;
        }
        let report = |a: &Assessment| match self.params.mode {
            Mode::Mismatch => self.mismatch(doc, a),
            Mode::Disagreement => self.disagreement(doc, a),
        };
        // Decide first (on the shared measurement); the body's topics are only ranked for a
        // finding's note.
        if report(a).is_some() {
            let mut a = a.clone();
            a.topics = self.topics(doc, body);
            out.extend(report(&a));
        }
    }
}

#[cfg(test)]
mod tests;
