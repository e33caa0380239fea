//! Reading headline-mismatch's lexicons: stop words, alias groups, generic headlines and the
//! background document-frequency table. Each reader returns a `ParamError` naming the file on a
//! mistake; nothing here touches the file system (lexicons come through `LexiconSource`).

use serde::Deserialize;

use super::terms::{KeyMap, TermKey, fnv1a};
use crate::checks::{LexiconSource, ParamError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StopWordsFile {
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasFile {
    group: Vec<AliasGroupSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasGroupSpec {
    name: String,
    forms: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenericFile {
    headlines: Vec<String>,
}

/// Document frequencies of stems in a background collection of news articles.
#[derive(Debug, Default)]
pub struct Background {
    pub documents: u32,
    /// `idf` of each stem of the table, and of any other stem, computed once when the table is
    /// read: the table is fixed, and a logarithm per lookup costs more than the lookup.
    idf: KeyMap<f64>,
    unseen: f64,
}

impl Background {
    /// Inverse document frequency, `ln((N + 1) / (df + 1))`: 0 for a word in every document,
    /// largest for a word the background never saw (names, rare words).
    pub fn idf(&self, key: TermKey) -> f64 {
        self.idf.get(&key).copied().unwrap_or(self.unseen)
    }

    /// The formula behind `idf`, for a document frequency.
    fn idf_of(&self, df: u32) -> f64 {
        (f64::from(self.documents + 1) / f64::from(df.min(self.documents) + 1)).ln()
    }

    /// Fills the `idf` table from `documents` and the stems' document frequencies (a later
    /// line for the same stem wins).
    fn finish(&mut self, df: &[(TermKey, u32)]) {
        self.unseen = self.idf_of(0);
        self.idf = df.iter().map(|&(key, df)| (key, self.idf_of(df))).collect();
    }
}

fn read(lexicons: &dyn LexiconSource, path: &str) -> Result<std::sync::Arc<str>, ParamError> {
    lexicons.lexicon(path).ok_or_else(|| {
        ParamError::new(None, format!("lexicon `{path}` not found"))
            .with_help("lexicon paths are relative to the rules directory, e.g. `lexicons/x.toml`")
    })
}

fn parse_toml<T: for<'de> Deserialize<'de>>(path: &str, text: &str) -> Result<T, ParamError> {
    toml::from_str(text).map_err(|e| {
        ParamError::new(
            None,
            format!("lexicon `{path}` is not valid: {}", e.message()),
        )
    })
}

pub fn stop_words(lexicons: &dyn LexiconSource, path: &str) -> Result<Vec<String>, ParamError> {
    let file: StopWordsFile = parse_toml(path, &read(lexicons, path)?)?;
    Ok(file
        .words
        .into_iter()
        .map(|w| w.to_lowercase().replace('’', "'"))
        .collect())
}

pub fn aliases(
    lexicons: &dyn LexiconSource,
    path: &str,
) -> Result<Vec<(String, Vec<String>)>, ParamError> {
    let file: AliasFile = parse_toml(path, &read(lexicons, path)?)?;
    Ok(file.group.into_iter().map(|g| (g.name, g.forms)).collect())
}

pub fn generic_headlines(
    lexicons: &dyn LexiconSource,
    path: &str,
) -> Result<Vec<String>, ParamError> {
    let file: GenericFile = parse_toml(path, &read(lexicons, path)?)?;
    Ok(file
        .headlines
        .into_iter()
        .map(|h| h.to_lowercase())
        .collect())
}

/// Reads the compact background table: `#` comments, a `documents N` line, then `stem df` lines.
pub fn background(lexicons: &dyn LexiconSource, path: &str) -> Result<Background, ParamError> {
    let text = read(lexicons, path)?;
    let mut bg = Background::default();
    let mut df = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            ParamError::new(
                None,
                format!("lexicon `{path}` line {}: expected `stem count`", i + 1),
            )
        };
        let (word, count) = line.rsplit_once(' ').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        if word == "documents" {
            bg.documents = count;
        } else {
            df.push((fnv1a(word.as_bytes()), count));
        }
    }
    if bg.documents == 0 {
        return Err(ParamError::new(
            None,
            format!("lexicon `{path}` has no `documents N` line"),
        ));
    }
    bg.finish(&df);
    Ok(bg)
}
