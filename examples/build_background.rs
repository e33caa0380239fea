//! Builds `rules/lexicons/headline-background.txt`, the background document-frequency table of
//! the headline-mismatch check, from the shared development corpora. It counts, for every stem
//! (and alias group), in how many documents it occurs, using the check's own analyser (stop words,
//! alias table, Snowball English), and keeps the most frequent ones. Only counts are written,
//! never text.
//!
//! Usage (from the crate root):
//!
//!     cargo run --release --example build_background -- [--sources bbc,fnc] [--top 30000]
//!         [--data ../../shared/data] [--out rules/lexicons/headline-background.txt]
//!
//! `--sources bbc` or `--sources fnc` builds the single-corpus tables used to show that the check
//! generalises (measure on the corpus the table was not built from).

// A command-line tool: printing progress and results is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use copydesk::checks::DirLexicons;
use copydesk::checks::headline_mismatch::lexicons;
use copydesk::checks::headline_mismatch::terms::{Aliases, Analyzer};

fn main() -> Result<()> {
    let mut sources = "bbc,fnc".to_string();
    let mut top = 30_000usize;
    let mut data = PathBuf::from("/work/shared/data");
    let mut out = PathBuf::from("rules/lexicons/headline-background.txt");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().with_context(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--sources" => sources = v,
            "--top" => top = v.parse()?,
            "--data" => data = PathBuf::from(v),
            "--out" => out = PathBuf::from(v),
            _ => bail!("unknown argument {a}"),
        }
    }
    let rules = DirLexicons(PathBuf::from("rules"));
    let stop = lexicons::stop_words(&rules, "lexicons/stopwords-en.toml")
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let groups = lexicons::aliases(&rules, "lexicons/headline-aliases.toml")
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let group_names: Vec<String> = groups
        .iter()
        .map(|g| format!("@{}", g.0.to_lowercase()))
        .collect();
    let analyzer = Analyzer::new(&stop, Aliases::new(&groups).map_err(anyhow::Error::msg)?);

    let mut texts: Vec<String> = Vec::new();
    let mut described = Vec::new();
    for source in sources.split(',') {
        match source {
            "bbc" => {
                let n = read_bbc(&data.join("bbc-news/bbc"), &mut texts)?;
                described.push(format!(
                    "{n} BBC News articles (bbc-news/bbc/*/*.txt, headline and body)"
                ));
            }
            "fnc" => {
                let n = read_fnc_bodies(&data.join("fnc-1/train_bodies.csv"), &mut texts)?;
                described.push(format!(
                    "{n} FNC-1 training bodies (fnc-1/train_bodies.csv, bodies only)"
                ));
            }
            _ => bail!("unknown source {source} (bbc, fnc)"),
        }
    }

    let mut df: HashMap<String, u32> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    for text in &texts {
        seen.clear();
        let mut groups_seen: Vec<u32> = Vec::new();
        analyzer.tokens(
            text,
            0..text.len(),
            |token, _| {
                seen.insert(analyzer.stem_string(token.lower));
            },
            |g, _| groups_seen.push(g),
        );
        seen.extend(groups_seen.iter().map(|&g| group_names[g as usize].clone()));
        for s in seen.drain() {
            *df.entry(s).or_default() += 1;
        }
    }
    let mut rows: Vec<(String, u32)> = df
        .into_iter()
        .filter(|(s, n)| *n >= 2 || s.starts_with('@'))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.truncate(top);
    let sorted: BTreeMap<&str, u32> = rows.iter().map(|(s, n)| (s.as_str(), *n)).collect();

    let mut body = String::new();
    body.push_str("# Background document frequencies for headline-mismatch.\n");
    body.push_str("#\n# Built by `cargo run --release --example build_background` from:\n");
    for d in &described {
        writeln!(body, "#   {d}")?;
    }
    body.push_str(
        "# Each document was tokenised by the check's own analyser (NLTK stop words removed, words split\n\
         # at hyphens, possessives dropped, Snowball English stems; alias groups counted as `@name`).\n\
         # A line `stem n` says the stem occurs in n of the documents; stems seen in fewer than 2\n\
         # documents are left out, and only the most frequent ones are kept. Derived counts only: no\n\
         # text from the corpora is stored. Stems missing here count as rare (document frequency 0).\n",
    );
    writeln!(
        body,
        "# Entries: {} (top {top} by document frequency), sorted by stem.\n",
        sorted.len()
    )?;
    writeln!(body, "documents {}", texts.len())?;
    for (s, n) in sorted {
        writeln!(body, "{s} {n}")?;
    }
    std::fs::write(&out, body).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("wrote {} ({} documents)", out.display(), texts.len());
    Ok(())
}

fn read_bbc(dir: &Path, texts: &mut Vec<String>) -> Result<usize> {
    let mut n = 0;
    let mut topics: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    topics.sort();
    for topic in topics {
        let mut files: Vec<_> = std::fs::read_dir(&topic)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            // Files that are not UTF-8 (sport/199.txt is Latin-1) are skipped.
            if let Ok(text) = std::fs::read_to_string(&f) {
                texts.push(text);
                n += 1;
            }
        }
    }
    Ok(n)
}

fn read_fnc_bodies(path: &Path, texts: &mut Vec<String>) -> Result<usize> {
    let mut reader = csv::Reader::from_path(path)?;
    let mut n = 0;
    for record in reader.records() {
        let record = record?;
        texts.push(record.get(1).unwrap_or_default().to_string());
        n += 1;
    }
    Ok(n)
}
