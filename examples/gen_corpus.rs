//! Builds the benchmark corpus: many short news documents recombined from the development data
//! in `../shared/data` (BBC, FNC-1 bodies, L3S-GN1 full text), with the four defects copydesk
//! looks for injected at known rates, in both paragraph layouts.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --data ../shared/data --out bench/corpus/1x \
//!     --size-mb 200 --seed 1
//! ```
//!
//! The output is a pure function of the data, the seed and the options: one splitmix64 stream
//! drives every choice, sources are read in sorted order. A larger `--size-mb` with the same seed
//! writes the smaller corpus's documents first, then more of the same distribution. Next to the
//! documents go `MANIFEST.tsv` (one row a document: source, layout, size, defects injected and
//! what exactly) and `SUMMARY.tsv` (counts and rates). Neither is a `.txt` file, so copydesk does
//! not lint them. The corpus is never committed: the data's licences are research-only.
//!
//! This is a tool, not part of copydesk: it prints, and it stops at the first I/O error.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen_corpus --data DIR --out DIR [--size-mb N] [--seed N] \
    [--files-per-dir N] [--defect-rate P]";

/// MB here and in the benchmark table: 10^6 bytes.
const MB: u64 = 1_000_000;

struct Options {
    data: PathBuf,
    out: PathBuf,
    size_mb: u64,
    seed: u64,
    files_per_dir: usize,
    /// Probability that a document gets each defect (independently).
    defect_rate: f64,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        data: PathBuf::from("../shared/data"),
        out: PathBuf::new(),
        size_mb: 200,
        seed: 1,
        files_per_dir: 1000,
        defect_rate: 0.02,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--data" => options.data = PathBuf::from(&value),
            "--out" => options.out = PathBuf::from(&value),
            "--size-mb" => options.size_mb = value.parse().map_err(|e| bad(&e))?,
            "--seed" => options.seed = value.parse().map_err(|e| bad(&e))?,
            "--files-per-dir" => options.files_per_dir = value.parse().map_err(|e| bad(&e))?,
            "--defect-rate" => options.defect_rate = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if options.out.as_os_str().is_empty() {
        return Err(format!("--out is required\n{USAGE}"));
    }
    if options.files_per_dir == 0 || !(0.0..=1.0).contains(&options.defect_rate) {
        return Err("--files-per-dir must be positive and --defect-rate in 0..=1".into());
    }
    Ok(options)
}

// ---------------------------------------------------------------------------------------------
// Randomness: splitmix64, enough for shuffling text and reproducible everywhere.

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is irrelevant at these sizes.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `0..n`, for calendar arithmetic.
    fn below_i64(&mut self, n: u32) -> i64 {
        i64::from(self.below(n as usize) as u32)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

// ---------------------------------------------------------------------------------------------
// Sources.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Bbc,
    Fnc,
    L3s,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Bbc => "bbc",
            Source::Fnc => "fnc",
            Source::L3s => "l3s",
        }
    }
}

/// One article as read from the data: a headline and its body paragraphs.
struct SourceDoc {
    source: Source,
    id: String,
    headline: String,
    paragraphs: Vec<String>,
}

/// White space runs (line breaks included) become one space, so a paragraph is one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn paragraphs_of(body: &str) -> Vec<String> {
    body.lines()
        .map(one_line)
        .filter(|p| !p.is_empty())
        .collect()
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

/// BBC News: `bbc/<topic>/NNN.txt`, headline on line 1, paragraphs after; one list per topic.
/// Files that are not UTF-8 are skipped (`sport/199.txt` is Latin-1).
fn load_bbc(data: &Path) -> Result<(Vec<Vec<SourceDoc>>, usize), String> {
    let root = data.join("bbc-news/bbc");
    let mut topics = Vec::new();
    let mut skipped = 0;
    for topic in sorted_entries(&root)? {
        if !topic.is_dir() {
            continue;
        }
        let mut docs = Vec::new();
        for file in sorted_entries(&topic)? {
            if file.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let bytes = fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let Ok(text) = String::from_utf8(bytes) else {
                skipped += 1;
                continue;
            };
            let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
            let headline = one_line(lines.next().unwrap_or_default());
            let body: Vec<&str> = lines.collect();
            let paragraphs = paragraphs_of(&body.join("\n"));
            if headline.is_empty() || paragraphs.is_empty() {
                continue;
            }
            let rel = file.strip_prefix(&root).unwrap_or(&file);
            docs.push(SourceDoc {
                source: Source::Bbc,
                id: format!("bbc/{}", rel.display()),
                headline,
                paragraphs,
            });
        }
        topics.push(docs);
    }
    Ok((topics, skipped))
}

/// FNC-1: bodies from `train_bodies.csv`; each body's headline is the first headline in
/// `train_stances.csv` that is about the same story (stance other than "unrelated"), else the
/// body's first words.
fn load_fnc(data: &Path) -> Result<Vec<SourceDoc>, String> {
    let dir = data.join("fnc-1");
    let csv_err = |e: csv::Error| format!("{}: {e}", dir.display());
    let mut headlines: HashMap<String, String> = HashMap::new();
    let mut stances = csv::Reader::from_path(dir.join("train_stances.csv")).map_err(csv_err)?;
    for record in stances.records() {
        let record = record.map_err(csv_err)?;
        if record.get(2) != Some("unrelated")
            && let (Some(headline), Some(id)) = (record.get(0), record.get(1))
        {
            headlines
                .entry(id.to_string())
                .or_insert_with(|| one_line(headline));
        }
    }
    let mut docs = Vec::new();
    let mut bodies = csv::Reader::from_path(dir.join("train_bodies.csv")).map_err(csv_err)?;
    for record in bodies.records() {
        let record = record.map_err(csv_err)?;
        let (Some(id), Some(body)) = (record.get(0), record.get(1)) else {
            continue;
        };
        let paragraphs = paragraphs_of(body);
        let Some(first) = paragraphs.first() else {
            continue;
        };
        let headline = headlines.get(id).cloned().unwrap_or_else(|| {
            let words: Vec<&str> = first.split(' ').take(10).collect();
            words
                .join(" ")
                .trim_end_matches(['.', ',', ';', ':'])
                .to_string()
        });
        docs.push(SourceDoc {
            source: Source::Fnc,
            id: format!("fnc/{id}"),
            headline,
            paragraphs,
        });
    }
    Ok(docs)
}

/// L3S-GN1: the first `headline` block and the `fulltext` blocks of each page.
fn load_l3s(data: &Path) -> Result<Vec<SourceDoc>, String> {
    let path = data.join("l3s-gn1/l3s-gn1-blocks.jsonl");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut docs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let page: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let blocks = page["blocks"].as_array().map_or(&[][..], Vec::as_slice);
        let mut headline = String::new();
        let mut paragraphs = Vec::new();
        for block in blocks {
            let (Some(label), Some(text)) = (block[0].as_str(), block[1].as_str()) else {
                continue;
            };
            let text = one_line(text);
            match label {
                "headline" if headline.is_empty() => headline = text,
                "fulltext" if !text.is_empty() => paragraphs.push(text),
                _ => {}
            }
        }
        if headline.is_empty() || paragraphs.is_empty() {
            continue;
        }
        docs.push(SourceDoc {
            source: Source::L3s,
            id: format!("l3s/{}", page["id"].as_str().unwrap_or("?")),
            headline,
            paragraphs,
        });
    }
    Ok(docs)
}

// ---------------------------------------------------------------------------------------------
// Building one document.

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layout {
    /// Headline line, then one paragraph per line (like `seeds/`).
    LinePerParagraph,
    /// Headline, blank line, paragraphs separated by blank lines (like BBC).
    BlankLines,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::LinePerParagraph => "lines",
            Layout::BlankLines => "blank",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Defect {
    HeadlineMismatch,
    DateContradiction,
    UnresolvedCaption,
    NameVariant,
}

const DEFECTS: [Defect; 4] = [
    Defect::HeadlineMismatch,
    Defect::DateContradiction,
    Defect::UnresolvedCaption,
    Defect::NameVariant,
];

impl Defect {
    fn name(self) -> &'static str {
        match self {
            Defect::HeadlineMismatch => "headline-mismatch",
            Defect::DateContradiction => "date-contradiction",
            Defect::UnresolvedCaption => "unresolved-caption",
            Defect::NameVariant => "name-variant",
        }
    }
}

struct Article {
    headline: String,
    paragraphs: Vec<String>,
    /// Defects injected, with what exactly (for the manifest).
    defects: Vec<(Defect, String)>,
}

impl Article {
    fn render(&self, layout: Layout) -> String {
        let separator = match layout {
            Layout::LinePerParagraph => "\n",
            Layout::BlankLines => "\n\n",
        };
        let mut out = String::with_capacity(
            self.headline.len() + self.paragraphs.iter().map(|p| p.len() + 2).sum::<usize>() + 2,
        );
        out.push_str(&self.headline);
        for paragraph in &self.paragraphs {
            out.push_str(separator);
            out.push_str(paragraph);
        }
        out.push('\n');
        out
    }
}

/// Target document sizes: log-normal, median about 0.75 KB, from a 200-byte brief to a 16 KB
/// feature, as in a wire feed. With the spliced sentences the mean file is about 1.1 KB.
fn target_size(rng: &mut Rng) -> usize {
    let size = (6.6 + 0.8 * rng.normal()).exp();
    size.clamp(200.0, 16_000.0) as usize
}

/// Byte offsets where sentences end (after the `.`, `!` or `?`), by a plain rule: punctuation,
/// a space, then an upper-case letter or a digit.
fn sentence_ends(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    for i in 1..bytes.len().saturating_sub(2) {
        if matches!(bytes[i], b'.' | b'!' | b'?')
            && bytes[i + 1] == b' '
            && (bytes[i + 2].is_ascii_uppercase() || bytes[i + 2].is_ascii_digit())
        {
            ends.push(i + 1);
        }
    }
    ends
}

/// The longest run of whole sentences from the start of `paragraph` that fits in `room` bytes;
/// the first sentence if none fits; the whole paragraph if it has one sentence.
fn sentences_within(paragraph: &str, room: usize) -> &str {
    if paragraph.len() <= room {
        return paragraph;
    }
    let ends = sentence_ends(paragraph);
    let cut = ends.iter().rev().find(|&&e| e <= room).or(ends.first());
    cut.map_or(paragraph, |&cut| &paragraph[..cut])
}

/// A headline and body paragraphs of about `target` bytes: the base article's paragraphs from the
/// top (the lede first), continued if needed by runs of paragraphs from other articles of the
/// same pool (source, and topic for BBC), the last cut at a sentence end. One or two sentences
/// from another article of the pool are spliced in after the lede, so no two short documents are
/// the same. Returns the pool's index, the base article and the new one.
fn compose<'a>(
    rng: &mut Rng,
    pools: &'a [Vec<SourceDoc>],
    all: &[(usize, usize)],
) -> (usize, &'a SourceDoc, Article) {
    let target = target_size(rng);
    let (pool_index, doc_index) = *rng.pick(all);
    let pool = &pools[pool_index];
    let base = &pool[doc_index];
    let other = rng.pick(pool);
    let lent: &String = rng.pick(&other.paragraphs);
    let spliced = sentences_within(lent, rng.below(300));
    let mut paragraphs: Vec<String> = Vec::new();
    let mut size = base.headline.len() + spliced.len() + 2;
    let mut donor = base;
    let mut next = 0;
    while size < target || paragraphs.is_empty() {
        if next >= donor.paragraphs.len() {
            donor = rng.pick(pool);
            next = rng.below(donor.paragraphs.len());
        }
        let paragraph = sentences_within(&donor.paragraphs[next], target.saturating_sub(size));
        next += 1;
        size += paragraph.len() + 2;
        paragraphs.push(paragraph.to_string());
    }
    let at = 1 + rng.below(paragraphs.len());
    paragraphs.insert(at, spliced.to_string());
    (
        pool_index,
        base,
        Article {
            headline: base.headline.clone(),
            paragraphs,
            defects: Vec::new(),
        },
    )
}

/// The body as the `duplicate-document` rule compares it: words, case folded.
fn body_key(article: &Article) -> u64 {
    // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for paragraph in &article.paragraphs {
        for word in paragraph.split_whitespace() {
            for c in word.chars().flat_map(char::to_lowercase) {
                let mut buf = [0; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
                }
            }
            hash = (hash ^ u64::from(b' ')).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

// ---------------------------------------------------------------------------------------------
// Defects.

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// 0 = Monday.
fn weekday(year: i64, month: i64, day: i64) -> usize {
    // 1970-01-01 was a Thursday (3).
    (days_from_civil(year, month, day) + 3).rem_euclid(7) as usize
}

const WEEKDAY_TEMPLATES: [&str; 4] = [
    "The announcement was made on {date}, officials said.",
    "The vote took place on {date}.",
    "A spokesman confirmed the meeting on {date}.",
    "The agreement was signed on {date}, according to the statement.",
];

/// `{late}` is later in the year than `{early}`, yet the text says the second event followed.
const ORDER_TEMPLATES: [&str; 4] = [
    "In {late}, the company announced the plan. The deal was later completed in {early}.",
    "In {late}, investigators opened an inquiry. Its findings were later published in {early}.",
    "The talks began in {late}. An agreement followed later, in {early}.",
    "The bill was introduced in {late} and later passed in {early}.",
];

/// A sentence whose dates contradict each other or the calendar.
fn date_contradiction(rng: &mut Rng) -> (String, String) {
    let year = 2004 + rng.below_i64(16);
    if rng.chance(0.5) {
        let month = 1 + rng.below_i64(12);
        let day = 1 + rng.below_i64(28);
        let actual = weekday(year, month, day);
        let wrong = (actual + 1 + rng.below(6)) % 7;
        let date = format!(
            "{}, {} {day}, {year}",
            WEEKDAYS[wrong],
            MONTHS[month as usize - 1]
        );
        let sentence = rng.pick(&WEEKDAY_TEMPLATES).replace("{date}", &date);
        (sentence, format!("weekday:{date}"))
    } else {
        let early = rng.below(11);
        let late = early + 1 + rng.below(11 - early);
        let early = format!("{} {year}", MONTHS[early]);
        let late = format!("{} {year}", MONTHS[late]);
        let sentence = rng
            .pick(&ORDER_TEMPLATES)
            .replace("{late}", &late)
            .replace("{early}", &early);
        (sentence, format!("order:{late}>{early}"))
    }
}

const CAPTION_SUBJECTS: [&str; 8] = [
    "Protesters gather outside parliament",
    "Rescue workers search through rubble",
    "Voters queue at a polling station",
    "Police officers stand guard near the presidential palace",
    "Residents wait for water supplies",
    "Supporters of the opposition attend a rally",
    "Firefighters battle a blaze at a warehouse",
    "Delegates arrive for the summit",
];
const CAPTION_PLACES: [&str; 8] = [
    "London, Britain",
    "Kabul, Afghanistan",
    "Caracas, Venezuela",
    "Athens, Greece",
    "Nairobi, Kenya",
    "Kiev, Ukraine",
    "Mumbai, India",
    "Sao Paulo, Brazil",
];
const FIRST_NAMES: [&str; 8] = [
    "John", "Maria", "Ahmed", "Sarah", "Peter", "Yuki", "Carlos", "Anna",
];
const LAST_NAMES: [&str; 8] = [
    "Smith",
    "Garcia",
    "Hassan",
    "Kowalski",
    "Moreau",
    "Tanaka",
    "Okafor",
    "Lindqvist",
];
const AGENCIES: [&str; 5] = ["Reuters", "AP", "AFP", "Getty Images", "EPA"];

/// A photo caption and its credit line, as left behind when the image was stripped.
fn caption(rng: &mut Rng) -> (String, String) {
    let year = 2004 + rng.below(16);
    let date = format!("{} {}, {year}", rng.pick(&MONTHS), 1 + rng.below(28));
    let caption = format!(
        "{} in {}, {date}.",
        rng.pick(&CAPTION_SUBJECTS),
        rng.pick(&CAPTION_PLACES)
    );
    let person = format!("{} {}", rng.pick(&FIRST_NAMES), rng.pick(&LAST_NAMES));
    let agency = rng.pick(&AGENCIES);
    let credit = match rng.below(4) {
        0 => format!("{person} / {agency}"),
        1 => format!("{}/{person}", agency.to_uppercase()),
        2 => format!("Photo: {person}/{agency}"),
        _ => format!("({agency} Photo/{person})"),
    };
    (caption, credit)
}

/// Spellings of one name (the first is the usual one) and a sentence that introduces it.
struct NameGroup {
    spellings: &'static [&'static str],
    intro: &'static str,
}

const NAME_GROUPS: &[NameGroup] = &[
    NameGroup {
        spellings: &["Gaddafi", "Qaddafi", "Gadhafi", "Kadhafi"],
        intro: "The report recalled the rule of Libya's former leader, Muammar {}.",
    },
    NameGroup {
        spellings: &["al-Qaeda", "al-Qaida", "al Qaeda"],
        intro: "Officials said the group had links to {}.",
    },
    NameGroup {
        spellings: &["Mohammed", "Muhammad", "Mohammad"],
        intro: "A spokesman, Ali {}, declined to comment further.",
    },
    NameGroup {
        spellings: &["Khodorkovsky", "Khodorkovskiy", "Chodorkowski"],
        intro: "The case was compared with that of the jailed tycoon Mikhail {}.",
    },
    NameGroup {
        spellings: &["Yushchenko", "Yuschenko", "Youshchenko"],
        intro: "Ukraine's former president, Viktor {}, was also named.",
    },
    NameGroup {
        spellings: &["Schroeder", "Schröder", "Schroder"],
        intro: "The former German chancellor, Gerhard {}, attended the meeting.",
    },
    NameGroup {
        spellings: &["Kim Jong-un", "Kim Jong Un", "Kim Jung-un"],
        intro: "North Korea's leader, {}, was not mentioned by name.",
    },
    NameGroup {
        spellings: &["Assad", "Asad"],
        intro: "The Syrian president, Bashar al-{}, has not commented.",
    },
    NameGroup {
        spellings: &["Ahmadinejad", "Ahmadinezhad", "Ahmadi-Nejad"],
        intro: "Iran's former president, Mahmoud {}, was quoted in the report.",
    },
    NameGroup {
        spellings: &["Baghdadi", "Bagdadi"],
        intro: "The group's leader, Abu Bakr al-{}, has not been seen in public.",
    },
];

/// Sentences that mention a name again, for documents that did not mention it.
const NAME_FOLLOW_UPS: [&str; 3] = [
    "Analysts said {} would remain central to the dispute.",
    "The statement made no further reference to {}.",
    "Questions about {} were not answered.",
];

/// Byte offsets of whole-word occurrences of `name` in `text`.
fn mentions(text: &str, name: &str) -> Vec<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '-';
    text.match_indices(name)
        .filter(|&(at, _)| {
            !text[..at].chars().next_back().is_some_and(is_word)
                && !text[at + name.len()..].chars().next().is_some_and(is_word)
        })
        .map(|(at, _)| at)
        .collect()
}

/// Spells one mention of a name another way: the last mention of a name the document already
/// uses twice or more, else an introduction with the usual spelling and a later sentence with a
/// variant.
fn name_variant(rng: &mut Rng, article: &mut Article) -> String {
    let start = rng.below(NAME_GROUPS.len());
    for k in 0..NAME_GROUPS.len() {
        let group = &NAME_GROUPS[(start + k) % NAME_GROUPS.len()];
        for (s, spelling) in group.spellings.iter().enumerate() {
            let found: Vec<(usize, usize)> = article
                .paragraphs
                .iter()
                .enumerate()
                .flat_map(|(p, text)| mentions(text, spelling).into_iter().map(move |at| (p, at)))
                .collect();
            if found.len() >= 2 {
                let (p, at) = found[found.len() - 1];
                let others: Vec<&str> = group
                    .spellings
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != s)
                    .map(|(_, v)| *v)
                    .collect();
                let variant = *rng.pick(&others);
                article.paragraphs[p].replace_range(at..at + spelling.len(), variant);
                return format!("replaced:{spelling}>{variant}");
            }
        }
    }
    let group = rng.pick(NAME_GROUPS);
    let usual = group.spellings[0];
    let variant = group.spellings[1 + rng.below(group.spellings.len() - 1)];
    let intro = group.intro.replace("{}", usual);
    let follow_up = rng.pick(&NAME_FOLLOW_UPS).replace("{}", variant);
    append_sentence(&mut article.paragraphs[0], &intro);
    let last = article.paragraphs.len() - 1;
    append_sentence(&mut article.paragraphs[last], &follow_up);
    format!("inserted:{usual}>{variant}")
}

fn append_sentence(paragraph: &mut String, sentence: &str) {
    if !paragraph.is_empty() {
        paragraph.push(' ');
    }
    paragraph.push_str(sentence);
}

/// Injects each defect with probability `rate`, independently.
fn inject(rng: &mut Rng, rate: f64, article: &mut Article, base_id: &str, pool: &[SourceDoc]) {
    if rng.chance(rate) {
        let mut donor = rng.pick(pool);
        while donor.id == base_id || donor.headline == article.headline {
            donor = rng.pick(pool);
        }
        article.headline.clone_from(&donor.headline);
        article
            .defects
            .push((Defect::HeadlineMismatch, format!("from:{}", donor.id)));
    }
    if rng.chance(rate) {
        let detail = name_variant(rng, article);
        article.defects.push((Defect::NameVariant, detail));
    }
    if rng.chance(rate) {
        let (sentence, detail) = date_contradiction(rng);
        let p = rng.below(article.paragraphs.len());
        append_sentence(&mut article.paragraphs[p], &sentence);
        article.defects.push((Defect::DateContradiction, detail));
    }
    if rng.chance(rate) {
        let (caption, credit) = caption(rng);
        let at = if article.paragraphs.len() >= 2 {
            1 + rng.below(article.paragraphs.len() - 1)
        } else {
            1
        };
        article.paragraphs.insert(at, credit.clone());
        article.paragraphs.insert(at, caption);
        article
            .defects
            .push((Defect::UnresolvedCaption, format!("credit:{credit}")));
    }
    article.defects.sort_by_key(|(d, _)| *d);
}

// ---------------------------------------------------------------------------------------------

fn prepare_out(out: &Path) -> Result<(), String> {
    if out.exists() {
        let is_corpus = out.join("MANIFEST.tsv").is_file();
        let is_empty = fs::read_dir(out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .next()
            .is_none();
        if !is_corpus && !is_empty {
            return Err(format!(
                "{} exists and is not a generated corpus (no MANIFEST.tsv); not overwriting",
                out.display()
            ));
        }
        fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))
}

#[derive(Default)]
struct Counts {
    files: u64,
    bytes: u64,
    retries: u64,
    by_source: BTreeMap<&'static str, u64>,
    by_layout: BTreeMap<&'static str, u64>,
    by_defect: BTreeMap<&'static str, u64>,
    by_defect_layout: BTreeMap<(&'static str, &'static str), u64>,
    with_any_defect: u64,
}

fn run(options: &Options) -> Result<Counts, String> {
    // Pools: one per BBC topic, FNC-1, L3S-GN1. A document's paragraphs and its wrong headline
    // come from its own pool.
    let (mut pools, skipped) = load_bbc(&options.data)?;
    let n_bbc: usize = pools.iter().map(Vec::len).sum();
    pools.push(load_fnc(&options.data)?);
    pools.push(load_l3s(&options.data)?);
    pools.retain(|pool| !pool.is_empty());
    let all: Vec<(usize, usize)> = pools
        .iter()
        .enumerate()
        .flat_map(|(p, pool)| (0..pool.len()).map(move |d| (p, d)))
        .collect();
    if all.is_empty() {
        return Err(format!("no documents under {}", options.data.display()));
    }
    eprintln!(
        "sources: {} BBC ({skipped} not UTF-8, skipped), {} FNC-1, {} L3S-GN1 articles",
        n_bbc,
        pools
            .iter()
            .flatten()
            .filter(|d| d.source == Source::Fnc)
            .count(),
        pools
            .iter()
            .flatten()
            .filter(|d| d.source == Source::L3s)
            .count(),
    );

    prepare_out(&options.out)?;
    let mut rng = Rng(options.seed);
    let mut counts = Counts::default();
    let mut seen_bodies: HashSet<u64> = HashSet::new();
    let mut manifest = String::from("path\tsource\tlayout\tbytes\tdefects\tdetail\n");
    let budget = options.size_mb * MB;
    while counts.bytes < budget {
        let (pool_index, base, mut article) = compose(&mut rng, &pools, &all);
        // No accidental duplicates: a body seen before is drawn again.
        if !seen_bodies.insert(body_key(&article)) {
            counts.retries += 1;
            continue;
        }
        let source = base.source;
        inject(
            &mut rng,
            options.defect_rate,
            &mut article,
            &base.id,
            &pools[pool_index],
        );
        let layout = if rng.chance(0.5) {
            Layout::LinePerParagraph
        } else {
            Layout::BlankLines
        };
        let text = article.render(layout);

        let n = counts.files as usize;
        let dir = format!("{:04}", n / options.files_per_dir);
        if n.is_multiple_of(options.files_per_dir) {
            let path = options.out.join(&dir);
            fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let rel = format!("{dir}/{n:07}-{}.txt", source.name());
        let path = options.out.join(&rel);
        fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;

        counts.files += 1;
        counts.bytes += text.len() as u64;
        *counts.by_source.entry(source.name()).or_default() += 1;
        *counts.by_layout.entry(layout.name()).or_default() += 1;
        if !article.defects.is_empty() {
            counts.with_any_defect += 1;
        }
        for (defect, _) in &article.defects {
            *counts.by_defect.entry(defect.name()).or_default() += 1;
            *counts
                .by_defect_layout
                .entry((defect.name(), layout.name()))
                .or_default() += 1;
        }
        let defects: Vec<&str> = article.defects.iter().map(|(d, _)| d.name()).collect();
        let details: Vec<String> = article
            .defects
            .iter()
            .map(|(d, detail)| format!("{}={}", d.name(), detail.replace(['\t', '\n'], " ")))
            .collect();
        let _ = writeln!(
            manifest,
            "{rel}\t{}\t{}\t{}\t{}\t{}",
            source.name(),
            layout.name(),
            text.len(),
            if defects.is_empty() {
                "-".to_string()
            } else {
                defects.join(",")
            },
            if details.is_empty() {
                "-".to_string()
            } else {
                details.join("; ")
            }
        );
    }
    let path = options.out.join("MANIFEST.tsv");
    fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    let path = options.out.join("SUMMARY.tsv");
    fs::write(&path, summary(options, &counts)).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(counts)
}

fn summary(options: &Options, counts: &Counts) -> String {
    let files = counts.files.max(1) as f64;
    let mut out = String::from("what\tcount\trate\n");
    let mut row = |what: &str, count: u64| {
        let _ = writeln!(out, "{what}\t{count}\t{:.4}", count as f64 / files);
    };
    row("files", counts.files);
    for (source, n) in &counts.by_source {
        row(&format!("source:{source}"), *n);
    }
    for (layout, n) in &counts.by_layout {
        row(&format!("layout:{layout}"), *n);
    }
    for defect in DEFECTS {
        row(
            &format!("defect:{}", defect.name()),
            counts.by_defect.get(defect.name()).copied().unwrap_or(0),
        );
    }
    for ((defect, layout), n) in &counts.by_defect_layout {
        row(&format!("defect:{defect}:{layout}"), *n);
    }
    row("defect:any", counts.with_any_defect);
    let _ = writeln!(out, "bytes\t{}\t-", counts.bytes);
    let _ = writeln!(out, "mean-bytes\t{}\t-", counts.bytes / counts.files.max(1));
    let _ = writeln!(out, "size-mb\t{}\t-", options.size_mb);
    let _ = writeln!(out, "seed\t{}\t-", options.seed);
    let _ = writeln!(out, "defect-rate\t-\t{}", options.defect_rate);
    let _ = writeln!(out, "redrawn-duplicates\t{}\t-", counts.retries);
    out
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    match run(&options) {
        Ok(counts) => {
            eprintln!(
                "wrote {} files, {:.1} MB, into {} in {:.1} s (details in MANIFEST.tsv, SUMMARY.tsv)",
                counts.files,
                counts.bytes as f64 / MB as f64,
                options.out.display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("gen_corpus: {message}");
            ExitCode::FAILURE
        }
    }
}
