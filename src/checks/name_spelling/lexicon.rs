//! Parsing of the three lexicon files of the `name-spelling` kind (word lists and keys, the
//! gazetteer of places, the canonical spellings) into a `MatchLexicon` and a canonical table.
//! Reports malformed files as `ParamError`s; does no matching itself.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::matcher::{Anchor, FirstByteLengths, FxBuild, MatchLexicon, Rewrite, RewritePass, fold};
use super::mentions::CodeSet;
use crate::checks::{LexiconSource, ParamError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WordsFile {
    connectors: Vec<String>,
    particles: Vec<String>,
    leading: Vec<String>,
    rewrites: Vec<RewriteGroup>,
    consonant_classes: Vec<String>,
    initial_vowel_classes: Vec<String>,
    #[serde(default)]
    distinct: Vec<(String, String)>,
    #[serde(default)]
    distinct_endings: Vec<(String, String)>,
    #[serde(default)]
    vowel_alternations: Vec<Vec<String>>,
}

/// Rewrite rules that share one reason and pass.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RewriteGroup {
    /// Why these spellings are one: required, so that every rule explains itself.
    reason: String,
    /// Passes run in ascending order; a later pass sees the output of an earlier one.
    #[serde(default = "default_pass")]
    pass: u8,
    /// Source and replacement; `^` opening a source anchors it at the token's start, `$`
    /// closing it at the end.
    rules: Vec<(String, String)>,
}

fn default_pass() -> u8 {
    2
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GazetteerFile {
    places: Vec<Vec<String>>,
    /// Country and demonym pairs that name the same body as the modifier of a longer name
    /// ("Pakistani Taliban", "Pakistan Taliban"); standing alone they stay different words.
    #[serde(default)]
    demonyms: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalFile {
    #[serde(default)]
    names: Vec<CanonicalEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalEntry {
    canonical: String,
    variants: Vec<String>,
}

/// Configured house spellings: every variant (exact word) maps to its canonical spelling.
#[derive(Debug, Default)]
pub struct CanonicalTable {
    /// Private: variants go in through `add_variant`, which keeps `shapes` in step.
    variant_to_canonical: HashMap<String, String, FxBuild>,
    /// Canonical spellings themselves (so a group holding one lets it win).
    pub canonicals: Vec<String>,
    /// The variants' first bytes and lengths (see `may_be_variant`).
    shapes: FirstByteLengths,
}

impl CanonicalTable {
    /// Adds `variant` as a spelling of `canonical`.
    pub fn add_variant(&mut self, variant: String, canonical: String) {
        self.shapes.add(variant.as_bytes());
        self.variant_to_canonical.insert(variant, canonical);
    }

    /// Whether no variant is configured.
    pub fn has_no_variants(&self) -> bool {
        self.variant_to_canonical.is_empty()
    }

    /// The canonical spelling of a configured variant.
    pub fn canonical_of(&self, spelling: &str) -> Option<&String> {
        if self.may_be_variant(spelling) {
            self.variant_to_canonical.get(spelling)
        } else {
            None
        }
    }

    /// False when `spelling` is no configured variant, from its first byte and length alone:
    /// the lookup every spelling of every document would otherwise hash the spelling for, and
    /// few spellings share both with one of the few variants.
    fn may_be_variant(&self, spelling: &str) -> bool {
        self.shapes.may_hold_word(spelling.as_bytes())
    }
}

fn read<T: serde::de::DeserializeOwned>(
    lexicons: &dyn LexiconSource,
    path: &str,
    param: &str,
    errors: &mut Vec<ParamError>,
) -> Option<T> {
    let Some(text) = lexicons.lexicon(path) else {
        errors.push(
            ParamError::new(None, format!("lexicon file `{path}` not found"))
                .with_label(format!("named by `{param}`"))
                .with_help("paths are relative to the rules directory, e.g. `lexicons/x.toml`"),
        );
        return None;
    };
    match toml::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(
                ParamError::new(None, format!("lexicon file `{path}` is malformed"))
                    .with_label(e.message().to_string()),
            );
            None
        }
    }
}

/// The rewrite groups as ordered passes of sorted rules (see `matcher::rewrite`).
fn rewrite_passes(
    groups: Vec<RewriteGroup>,
    path: &str,
    errors: &mut Vec<ParamError>,
) -> Vec<Vec<Rewrite>> {
    let mut passes: BTreeMap<u8, Vec<Rewrite>> = BTreeMap::new();
    for group in groups {
        if group.reason.trim().is_empty() {
            errors.push(
                ParamError::new(
                    None,
                    format!("lexicon file `{path}`: rewrite group without a reason"),
                )
                .with_label(format!("rules {:?}", group.rules)),
            );
            continue;
        }
        for (from, to) in group.rules {
            let (from, anchor) = if let Some(f) = from.strip_prefix('^') {
                (f, Anchor::Start)
            } else if let Some(f) = from.strip_suffix('$') {
                (f, Anchor::End)
            } else {
                (from.as_str(), Anchor::Anywhere)
            };
            if from.is_empty() || from != fold(from) {
                errors.push(
                    ParamError::new(None, format!("lexicon file `{path}`: bad rewrite source"))
                        .with_label(format!("`{from}` must be lower-case letters without marks")),
                );
                continue;
            }
            passes.entry(group.pass).or_default().push(Rewrite {
                from: from.to_string(),
                to,
                anchor,
            });
        }
    }
    passes
        .into_values()
        .map(|mut rules| {
            rules.sort_by(|a, b| {
                (a.anchor != Anchor::Start)
                    .cmp(&(b.anchor != Anchor::Start))
                    .then(b.from.len().cmp(&a.from.len()))
                    .then_with(|| a.from.cmp(&b.from))
                    .then(a.anchor.cmp(&b.anchor))
            });
            rules
        })
        .collect()
}

/// Builds the matcher lexicon from the word list file and the gazetteer (empty path: none).
pub fn load_match_lexicon(
    lexicons: &dyn LexiconSource,
    words_path: &str,
    gazetteer_path: &str,
    min_variant_len: usize,
    errors: &mut Vec<ParamError>,
) -> MatchLexicon {
    let mut lex = MatchLexicon {
        min_variant_len,
        ..MatchLexicon::default()
    };
    if let Some(words) = read::<WordsFile>(lexicons, words_path, "lexicon", errors) {
        let lower = |v: Vec<String>| v.into_iter().map(|w| w.to_lowercase()).collect();
        lex.connectors = lower(words.connectors);
        lex.connector_codes = packed_sorted(&lex.connectors);
        lex.connector_lengths = FirstByteLengths::default();
        for c in lex
            .connectors
            .iter()
            .filter(|c| !c.is_empty() && c.len() <= 8 && c.is_ascii())
        {
            lex.connector_lengths.add(c.as_bytes());
        }
        lex.particles = lower(words.particles);
        lex.particle_codes = packed_sorted(&lex.particles);
        lex.leading = lower(words.leading);
        lex.leading_codes = CodeSet::new(&packed_sorted(lex.leading.iter().chain(&lex.particles)));
        lex.leading_lengths = FirstByteLengths::default();
        for w in lex.leading.iter().chain(&lex.particles) {
            if !w.is_empty() {
                lex.leading_lengths.add(w.as_bytes());
            }
        }
        lex.rewrites = rewrite_passes(words.rewrites, words_path, errors)
            .into_iter()
            .map(RewritePass::new)
            .collect();
        for class in words.consonant_classes {
            let mut chars = class.chars();
            if let Some(rep) = chars.next() {
                for c in class.chars() {
                    lex.consonant_class.insert(c, rep);
                }
            }
        }
        lex.consonant_ascii = (0..128u8)
            .map(|b| match lex.consonant_class.get(&char::from(b)) {
                Some(&rep) if rep.is_ascii() => rep as u8,
                // 0: the letter itself (ASCII NUL is no letter) or a class outside ASCII.
                Some(_) => 0,
                None => b,
            })
            .collect();
        for class in words.initial_vowel_classes {
            if let Some(rep) = class.chars().next() {
                for c in class.chars() {
                    lex.vowel_class.insert(c, rep);
                }
            }
        }
        for (a, b) in words.distinct {
            let (a, b) = (fold(&a), fold(&b));
            lex.distinct.insert((a.clone(), b.clone()));
            lex.distinct.insert((b, a));
        }
        for family in words.vowel_alternations {
            for a in &family {
                for b in &family {
                    if a != b {
                        lex.vowel_alternations.insert((a.clone(), b.clone()));
                    }
                }
            }
        }
        for (a, b) in words.distinct_endings {
            lex.distinct_endings.push((a.clone(), b.clone()));
            lex.distinct_endings.push((b, a));
        }
    }
    let gazetteer = if gazetteer_path.is_empty() {
        None
    } else {
        read::<GazetteerFile>(lexicons, gazetteer_path, "gazetteer", errors)
    };
    for (entry, names) in gazetteer.iter().flat_map(|g| g.places.iter().enumerate()) {
        for name in names {
            // A name listed twice keeps its first entry.
            lex.places.entry(fold(name)).or_insert(entry as u32);
        }
    }
    for (country, demonym) in gazetteer.iter().flat_map(|g| g.demonyms.iter()) {
        let (a, b) = (fold(country), fold(demonym));
        lex.demonyms.insert((a.clone(), b.clone()));
        lex.demonyms.insert((b.clone(), a.clone()));
        lex.country_of.insert(b, a.clone());
        lex.country_of.insert(a.clone(), a);
    }
    lex
}

/// Reads the canonical spellings (empty path: none).
pub fn load_canonical(
    lexicons: &dyn LexiconSource,
    path: &str,
    errors: &mut Vec<ParamError>,
) -> CanonicalTable {
    let mut table = CanonicalTable::default();
    if path.is_empty() {
        return table;
    }
    if let Some(file) = read::<CanonicalFile>(lexicons, path, "canonical", errors) {
        for entry in file.names {
            for v in entry.variants {
                if v != entry.canonical {
                    table.add_variant(v, entry.canonical.clone());
                }
            }
            table.canonicals.push(entry.canonical);
        }
    }
    table
}

/// The words that fit a `u64` (see `mentions::pack_word`), packed and sorted for binary search.
fn packed_sorted<'a>(words: impl IntoIterator<Item = &'a String>) -> Vec<u64> {
    let mut codes: Vec<u64> = words
        .into_iter()
        .filter_map(|w| super::mentions::pack_word(w.as_bytes()))
        .collect();
    codes.sort_unstable();
    codes
}

#[cfg(test)]
mod tests {
    use super::CanonicalTable;

    /// The first-byte-and-length filter never hides a variant: `canonical_of` answers as the
    /// plain lookup does, for the variants, the canonical spellings, near misses (same first
    /// letter and length, other case, one letter more) and long and non-ASCII spellings.
    #[test]
    fn canonical_of_answers_as_the_plain_lookup() {
        let mut table = CanonicalTable::default();
        assert_eq!(table.canonical_of("Qaddafi"), None, "an empty table");
        let long = "Hizb ut-Tahrir al-Islami of the Levant and Beyond".to_string();
        for (variant, canonical) in [
            ("Qaddafi", "Gaddafi"),
            ("Kadhafi", "Gaddafi"),
            ("Al Qaida", "al-Qaeda"),
            ("Ōsaka-fu", "Osaka"),
            (long.as_str(), "Hizb ut-Tahrir"),
        ] {
            table.add_variant(variant.into(), canonical.into());
        }
        let near_misses = "Gaddafi|Qaddafy|qaddafi|Qaddafis|Kadhafx|Al Qaeda|Ōsaka||Q|Zebra";
        let probes = ["Qaddafi", "Kadhafi", "Al Qaida", "Ōsaka-fu", &long]
            .into_iter()
            .chain(near_misses.split('|'));
        for probe in probes {
            assert_eq!(
                table.canonical_of(probe),
                table.variant_to_canonical.get(probe),
                "{probe:?}"
            );
        }
        // The filter does rule out what shares neither first byte nor length with a variant.
        assert!(!table.may_be_variant("Zebra"));
        assert!(!table.may_be_variant("Qaddafis"));
        assert!(
            table.may_be_variant("Qaddafy"),
            "same first byte and length: looked up"
        );
    }
}
