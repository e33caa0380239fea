//! The cues of `unresolved-caption`, compiled once: the agency gazetteer, caption lead-ins and
//! phrases (aho-corasick), the credit, date, place and position-marker regexes, and the scene-verb
//! list. Every function here reads one trimmed line and allocates nothing per word; it must not
//! look at neighbouring lines (that is the caller's job).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind,
};
use regex::Regex;
use serde::Deserialize;

use super::gate::Gate;
use crate::checks::{LexiconSource, ParamError};
use crate::text::{split_sentences, words};

/// The cue of a credit line that is one agency name and nothing else.
pub const AGENCY_ALONE: &str = "agency alone on a line";

/// The longest trimmed line that may be a credit line.
const MAX_CREDIT_LEN: usize = 100;
/// Word-count bounds for a caption line.
const CAPTION_WORDS: Range<usize> = 4..80;
/// How many leading words may hold the caption's scene verb.
const VERB_WINDOW: usize = 24;

/// The score of a line read as a caption, with the cues that fired and their evidence spans
/// (relative to the trimmed line).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaptionScore {
    pub total: u32,
    pub cues: Vec<&'static str>,
    pub evidence: Vec<(Range<usize>, &'static str)>,
    /// A cue that only pictures have: lead-in, position marker, credit, pictured-scene phrase.
    strong: bool,
    /// A scene verb in the present tense fired.
    pub verb: bool,
    /// A trailing full date fired.
    date: bool,
    /// Where the text before a credit at the end stops (relative to the trimmed line).
    pub credit_cut: Option<Range<usize>>,
}

impl CaptionScore {
    /// Whether the credit at the end is the only cue: the text before it may be prose that an
    /// image credit got glued to, so only the credit is safe to delete.
    pub fn only_a_credit(&self) -> bool {
        self.credit_cut.is_some() && self.cues.len() == 1
    }
}

impl CaptionScore {
    pub fn add(&mut self, points: u32, cue: &'static str) {
        self.total += points;
        self.cues.push(cue);
    }

    /// Whether the line describes a pictured scene rather than only ending in a date: a strong
    /// cue, a credit next to it, or a present-tense scene verb together with the date.
    pub fn has_scene_cue(&self, credit_next_to_it: bool) -> bool {
        self.strong || credit_next_to_it || (self.verb && self.date)
    }
}

#[derive(Deserialize)]
struct AgencyLexicon {
    agencies: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct CaptionLexicon {
    lead_ins: Vec<String>,
    phrases: Vec<String>,
    scene_verbs: Vec<String>,
}

/// Words that never stand right before a verb in a caption's "Subject verbs ..." opening:
/// pronouns (the guard against narrative present), auxiliaries and function words (the word
/// after them is a noun or an infinitive).
const NOT_BEFORE_VERB: &[&str] = &[
    "he", "she", "it", "they", "we", "i", "you", "who", "that", "which", "this", "these", "those",
    "there", "to", "will", "would", "can", "could", "may", "might", "should", "must", "shall",
    "do", "does", "did", "not", "never", "also", "the", "a", "an", "his", "her", "their", "its",
    "our", "my", "your", "of", "for", "in", "on", "at", "with", "by", "from", "as", "and", "or",
    "but", "if", "when", "than", "about", "into", "after", "before", "no", "some", "any", "all",
    "He", "She", "It", "They", "We", "I", "You", "Who", "That", "This", "These", "Those", "There",
    "The", "A", "An", "His", "Her", "Their", "Its", "Our", "My", "Your", "To", "If", "When", "As",
];

pub struct CueSet {
    agencies: AhoCorasick,
    /// The openings of the agency names: a necessary condition for `is_agency`.
    agency_openings: Openings,
    lead_ins: AhoCorasick,
    /// The openings of the lead-ins: a necessary condition for `lead_in_at`.
    lead_in_openings: Openings,
    phrases: AhoCorasick,
    verbs_one: HashSet<String>,
    verbs_two: Vec<(String, String)>,
    /// The first words of `verbs_two`.
    verbs_two_first: HashSet<String>,
    credit_prefix: LazyRegex,
    via_getty: LazyRegex,
    paren_credit: LazyRegex,
    inline_credit: LazyRegex,
    trailing_date: LazyRegex,
    place_before: LazyRegex,
    position: LazyRegex,
    in_this_photo: LazyRegex,
    dateline: LazyRegex,
    wire_trailer: LazyRegex,
    /// The prefilter's words (see `gate`).
    gate: Gate,
    /// Words of which a line that scores as a caption mostly holds one (see `may_anchor`),
    /// matched ignoring ASCII case.
    anchor_words: Gate,
}

fn lexicon_text(path: &str, lexicons: &dyn LexiconSource) -> Result<String, ParamError> {
    lexicons
        .lexicon(path)
        .map(|t| t.to_string())
        .ok_or_else(|| {
            ParamError::new(None, format!("lexicon `{path}` not found")).with_help(
                "lexicon paths are relative to the rule set's root, e.g. `lexicons/x.toml`",
            )
        })
}

/// The parsed lexicon with its text (the key of the compiled cue set).
fn parse_lexicon<T: serde::de::DeserializeOwned>(
    path: &str,
    text: &str,
) -> Result<(T, String), ParamError> {
    toml::from_str(text)
        .map(|parsed| (parsed, text.to_string()))
        .map_err(|e| ParamError::new(None, format!("lexicon `{path}` is not valid: {e}")))
}

fn automaton(words: &[String], what: &str) -> Result<AhoCorasick, ParamError> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Both)
        .kind(Some(AhoCorasickKind::DFA))
        .build(words)
        .map_err(|e| ParamError::new(None, format!("cannot build the {what} automaton: {e}")))
}

/// A built-in regex, checked when its rule compiles and built on first use. Some take
/// milliseconds to build (Unicode classes under bounded repetition: `dateline` alone 35 ms, all
/// ten 55 ms), and a run that never reaches one never pays for it: built with the rule, they
/// were most of copydesk's start-up, which an editor linting one file pays each time. A run
/// that needs one builds it on the first worker to get there.
struct LazyRegex {
    pattern: String,
    regex: OnceLock<Regex>,
}

impl LazyRegex {
    fn new(pattern: &str) -> Result<LazyRegex, ParamError> {
        // Parsing finds every mistake a pattern can hold; only the size limits are left to
        // the build, and the unit tests build every one.
        regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| ParamError::new(None, format!("bad built-in regex: {e}")))?;
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            regex: OnceLock::new(),
        })
    }

    fn get(&self) -> &Regex {
        self.regex
            .get_or_init(|| Regex::new(&self.pattern).expect("a built-in regex that parses builds"))
    }
}

/// A photo credit in brackets: "(AP Photo/Name)" anywhere; at the end "(Getty Images: Name)",
/// "(REUTERS/Name)", "(Photo by Name)", "(file photo)". A bare "(Reuters)" is a source citation.
const PAREN_CREDIT: &str = r"\([A-Z]{2,8} Photo/[^()]{2,60}\)|\((?:[^()]{0,60}(?:Getty Images|(?i:\bphotos?\b|\bpics?\b|\bpictures?\b|\bphotograph))[^()]{0,60}|(?:Reuters|REUTERS|AFP|EPA|Shutterstock|Bloomberg|Xinhua)\s*[/:][^()]{1,60}|[^()]{1,60}[/:]\s*(?:Reuters|REUTERS|AFP|EPA|Shutterstock|Bloomberg|Xinhua))\)$";

const MONTH: &str = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.|Apr\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)";

/// Cue sets compiled so far in this process, keyed by the text of their two lexicons. The four
/// rules of this kind name the same lexicons, and compiling the regexes (Unicode classes under
/// bounded repetition) costs about 0.1 s each time; a cue set depends on nothing but the two
/// lexicon texts, so rules with equal texts share one.
type CompiledCues = Vec<(String, String, Arc<CueSet>)>;
static COMPILED: Mutex<CompiledCues> = Mutex::new(Vec::new());

impl CueSet {
    pub fn compile(
        agencies_path: &str,
        cues_path: &str,
        lexicons: &dyn LexiconSource,
    ) -> Result<Arc<CueSet>, Vec<ParamError>> {
        let agencies_text = lexicon_text(agencies_path, lexicons);
        let cues_text = lexicon_text(cues_path, lexicons);
        // Held while building: rules compile in parallel, and the four rules of this kind
        // would otherwise all miss and build the same set at once.
        let mut compiled = COMPILED.lock().unwrap_or_else(PoisonError::into_inner);
        if let (Ok(a), Ok(c)) = (&agencies_text, &cues_text)
            && let Some((_, _, set)) = compiled.iter().find(|(ka, kc, _)| ka == a && kc == c)
        {
            return Ok(Arc::clone(set));
        }
        let agencies =
            agencies_text.and_then(|t| parse_lexicon::<AgencyLexicon>(agencies_path, &t));
        let cues = cues_text.and_then(|t| parse_lexicon::<CaptionLexicon>(cues_path, &t));
        let (agencies, cues) = match (agencies, cues) {
            (Ok(a), Ok(c)) => (a, c),
            (a, c) => return Err(a.err().into_iter().chain(c.err()).collect()),
        };
        let set = Arc::new(Self::build(&agencies.0, &cues.0).map_err(|e| vec![e])?);
        compiled.push((agencies.1, cues.1, Arc::clone(&set)));
        Ok(set)
    }

    fn build(agencies: &AgencyLexicon, cues: &CaptionLexicon) -> Result<CueSet, ParamError> {
        let mut verbs_one = HashSet::new();
        let mut verbs_two = Vec::new();
        for entry in &cues.scene_verbs {
            let mut parts = entry.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some(a), None, None) => {
                    verbs_one.insert(a.to_string());
                }
                (Some(a), Some(b), None) => {
                    verbs_two.push((a.to_string(), b.to_string()));
                }
                _ => {
                    return Err(ParamError::new(
                        None,
                        format!("scene verb `{entry}` must be one or two words"),
                    ));
                }
            }
        }
        // Cheap gate before any regex: a caption needs a lead-in, a pictured-scene phrase, a
        // photo word, a credit or a position marker, or a month name for its date. Names and
        // markers are matched case-sensitively ("May", "(L"), photo words without case.
        // Lead-ins are checked at the line start only (anchored), not in this scan.
        let mut any_case: Vec<String> = cues.phrases.clone();
        any_case.extend(
            [
                "photo", "picture", "image", "getty", "credit:", "pic:", "pics:", "(pic", "©", "/",
                "[", "(left", "(right", "(center", "(centre", "(top", "(bottom", "(above",
                "(below", "(circled", "(inset", "(front", "(back", "(far",
            ]
            .map(String::from),
        );
        let mut exact_case: Vec<String> = agencies.agencies.clone();
        exact_case.extend(
            [
                "January",
                "February",
                "March",
                "April",
                "May ",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
                "Jan.",
                "Feb.",
                "Mar.",
                "Apr.",
                "Aug.",
                "Sep.",
                "Sept",
                "Oct.",
                "Nov.",
                "Dec.",
                "Jan ",
                "Feb ",
                "Apr ",
                "Aug ",
                "Sep ",
                "Oct ",
                "Nov ",
                "Dec ",
                "(C)",
                "(L",
                "(R",
                "(1",
                "(2",
                "(3",
                "(4",
                "(top",
                "(bottom",
                "(center",
                "(centre",
                "(front",
                "(back",
                "(far",
                ", left",
                ", right",
                ", centre",
                ", center",
                ", second",
                ", foreground",
                ", background",
            ]
            .map(String::from),
        );
        // One case-sensitive scan: photo words in the three spellings a line may use.
        for word in &any_case {
            let mut capital = word.clone();
            if let Some(first) = capital.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            exact_case.extend([word.clone(), capital, word.to_ascii_uppercase()]);
        }
        let gate = Gate::new(&exact_case, false)
            .map_err(|e| ParamError::new(None, format!("cannot build the prefilter: {e}")))?;
        let mut anchor_words: Vec<String> = cues.phrases.clone();
        anchor_words.extend(ANCHOR_WORDS.map(String::from));
        let anchor_words = Gate::new(&anchor_words, true)
            .map_err(|e| ParamError::new(None, format!("cannot build the prefilter: {e}")))?;
        Ok(CueSet {
            agencies: automaton(&agencies.agencies, "agency")?,
            agency_openings: Openings::new(&agencies.agencies),
            lead_ins: automaton(&cues.lead_ins, "lead-in")?,
            lead_in_openings: Openings::new(&cues.lead_ins),
            // Searched unanchored, the only one of the three: the phrases open with common
            // letters in either case, so a prefilter's candidates are nearly every byte, and
            // restarting from each costs more than the plain walk.
            phrases: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .prefilter(false)
                .build(&cues.phrases)
                .map_err(|e| {
                    ParamError::new(None, format!("cannot build the phrase automaton: {e}"))
                })?,
            verbs_one,
            verbs_two_first: verbs_two.iter().map(|(a, _)| a.clone()).collect(),
            verbs_two,
            credit_prefix: LazyRegex::new(
                r"^(?:(?i:(?:photo(?:graph)?s?|pictures?|pics?|images?|credits?|(?:photo|image|picture) credits?|image source)\s*:|(?:photo(?:graph)?s?|pictures?|images?) (?:by|courtesy(?: of)?)|courtesy(?: of)?|image copyright|photo copyright)|©)\s*(.{2,80})$",
            )?,
            via_getty: LazyRegex::new(r"^(.{2,60}?)\s+(?i:via Getty Images|for Getty Images)$")?,
            paren_credit: LazyRegex::new(PAREN_CREDIT)?,
            inline_credit: LazyRegex::new(
                r"(?:(?:Photo(?:graph)?|Picture|Pic|Image|Credit|PHOTO|PICTURE)s?(?: by)?\s*:\s*|(?:Photo(?:graph)?|Picture) by )\p{Lu}[^:]{1,40}$",
            )?,
            trailing_date: LazyRegex::new(&format!(
                r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?(?:{MONTH} [0-3]?\d(?:st|nd|rd|th)?,? (?:19|20)\d\d|[0-3]?\d(?:st|nd|rd|th)? {MONTH},? (?:19|20)\d\d)\s*\.?$"
            ))?,
            place_before: LazyRegex::new(
                r"(?-u:\b)in (?:\p{Lu}[\p{L}'’.-]*(?: |, |$)){1,5}(?:on )?$",
            )?,
            position: LazyRegex::new(
                r"\((?:C|L|R|L-R|R-L|L to R|[1-4](?:st|nd|rd|th) (?:L|R|left|right|from left|from right)|[Cc]ent(?:er|re)|[Ll]eft|[Rr]ight|[Tt]op|[Bb]ottom|[Ff]ront|[Tt]op (?:left|right)|[Bb]ottom (?:left|right)|[Ff]ront (?:row|left|right))\)|, (?:left|right|centre|center|second left|second right|foreground|background),",
            )?,
            in_this_photo: LazyRegex::new(&format!(
                r"(?:^|, )(?i:in this) (?:(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,? )?{MONTH} [0-3]?\d,? (?:19|20)\d\d,? )?(?i:(?:file|undated|handout|aerial|recent) )?(?i:photo|picture|image|photograph)s?(?-u:\b)"
            ))?,
            dateline: LazyRegex::new(
                r"^(?:\p{Lu}[\p{Lu}\p{L} .,'’-]{1,60}?,? )?(?:\(|\b)(?:Reuters|AP|AFP|Xinhua|UPI|dpa|IANS|PTI|CNN|AAP|Bloomberg)\)?\s*[-–—]",
            )?,
            wire_trailer: LazyRegex::new(
                r"^\(?(?i:(?:additional |further )?(?:reporting|writing|editing|edited|compiled|research|translated|fact-checked) by)\s",
            )?,
            gate,
            anchor_words,
        })
    }

    /// Whether `text` holds one of the prefilter's words: what `AhoCorasick::is_match` answers
    /// over them, read by `Gate` (several lanes of a dense table: the walk reads every byte of
    /// nearly every line, and one walk waits on a load per byte).
    fn gate(&self, text: &str) -> bool {
        self.gate.any(text.as_bytes())
    }

    /// A necessary condition, far cheaper than the cues, for `caption_score` to anchor a line
    /// that opens with no lead-in: a strong cue or a trailing full date (without one it returns
    /// `None`, whatever else fires). Most lines that pass `gate` fail it.
    /// - `in_this_photo`, a pictured-scene phrase, a position marker, a credit label, "Getty
    ///   Images", "courtesy", '©' or an agency credit after a slash: one of `ANCHOR_WORDS`;
    /// - the other credits at the end (`credit_suffix`): a bracket closing the line
    ///   (`paren_credit_open`), an agency after the last '(' or '[' (no '/' in the line),
    ///   or a tail after the last full stop that is an agency or ends in a file marker;
    /// - the trailing full date of the first sentence: see `may_end_in_year`.
    fn may_anchor(&self, text: &str) -> bool {
        if self.anchor_words.any(text.as_bytes())
            || paren_credit_open(text).is_some()
            || may_end_in_year(text)
        {
            return true;
        }
        // No '/' in the line (it is an anchor word): the agency follows '(' or '['.
        let bare = text.trim_end_matches(['.', ']', ')']);
        if memchr::memrchr2(b'[', b'(', bare.as_bytes())
            .is_some_and(|cut| self.is_agency(&bare[cut + 1..]))
        {
            return true;
        }
        // `credit_line` on the tail: with no anchor word in it, only an agency alone or a
        // name with a file marker can make a credit.
        tail_cut(text).is_some_and(|cut| {
            let tail = &text[cut..];
            if !(2..=MAX_CREDIT_LEN).contains(&tail.len()) {
                return false;
            }
            let mut inner = tail.trim_end_matches('.').trim();
            if let Some(stripped) = inner.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
                inner = stripped.trim();
            }
            let unmarked = strip_file_marker(inner);
            unmarked.len() < inner.len() || self.is_agency(unmarked)
        })
    }

    /// Whether `text` is one agency name, the whole of it.
    fn is_agency(&self, text: &str) -> bool {
        let text = text.trim().trim_end_matches('.');
        if text.is_empty() || !self.agency_openings.may_open(text.as_bytes()) {
            return false;
        }
        let input = Input::new(text).anchored(Anchored::Yes);
        self.agencies
            .find(input)
            .is_some_and(|m| m.end() == text.len())
    }

    /// If the trimmed line is a photo credit and nothing else, which form it has.
    pub fn credit_line(&self, text: &str) -> Option<&'static str> {
        if text.len() > MAX_CREDIT_LEN || text.len() < 2 {
            return None;
        }
        let mut inner = text.trim_end_matches('.').trim();
        if let Some(stripped) = inner.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            inner = stripped.trim();
        }
        if has_quote(inner) {
            return None;
        }
        // A copyright notice is no credit; the test is rarely true, so it runs last.
        self.credit_form(inner)
            .filter(|_| !is_copyright_notice(inner))
    }

    /// `credit_line` for the line without its brackets and final full stop (`unmarked`).
    fn credit_form(&self, unmarked: &str) -> Option<&'static str> {
        // "Kevork Djansezian, file", "AP Photo/Duane Burleson, File": the file marker is part of
        // the credit.
        let inner = strip_file_marker(unmarked);
        if self.is_agency(inner) {
            return Some(AGENCY_ALONE);
        }
        if inner.len() < unmarked.len() && is_name(inner) {
            return Some("photographer and file marker");
        }
        if credit_prefix_possible(inner)
            && let Some(caps) = self.credit_prefix.get().captures(inner)
            && let Some(rest) = caps.get(1)
        {
            // "PHOTOS: Celebrity flubs!" links a gallery; a plural label credits only a source.
            let label = inner[..rest.start()]
                .trim_end()
                .trim_end_matches(':')
                .trim_end();
            let gallery = ["photos", "pictures", "images", "pics"]
                .iter()
                .any(|g| label.eq_ignore_ascii_case(g));
            let rest = rest.as_str().trim();
            let source_only = rest.contains('/') || self.is_agency(rest);
            if looks_like_credit_body(rest) && (!gallery || source_only) {
                return Some("photo credit label");
            }
        }
        // `via_getty` ends in "Getty Images" (no letter of "getty" has a non-ASCII case variant).
        if has_getty(inner)
            && let Some(caps) = self.via_getty.get().captures(inner)
            && caps
                .get(1)
                .is_some_and(|m| self.is_name_or_agency(m.as_str()))
        {
            return Some("\"via Getty Images\" credit");
        }
        if has_slash_or_copyright(inner) {
            let mut parts = 0;
            let mut agencies = 0;
            let mut agency_first_in_text_case = false;
            let mut longest_name = 0;
            for part in inner.split(['/', '©']) {
                parts += 1;
                let part = part.trim();
                if self.is_agency(part) {
                    if parts == 1 && !part.contains("Photo") {
                        agency_first_in_text_case = part.chars().any(char::is_lowercase);
                    }
                    agencies += 1;
                } else if is_name(part) {
                    longest_name = longest_name.max(part.split_whitespace().count());
                } else {
                    return None;
                }
            }
            // "Reuters/Ipsos", "Reuters/Nielsen": a poll or data source, not a photographer. The
            // wire credit writes the agency in capitals ("REUTERS/Caren Firouz").
            let poll_like = agency_first_in_text_case && longest_name < 2;
            if (2..=3).contains(&parts) && agencies >= 1 && !poll_like {
                return Some("photographer and agency");
            }
        }
        None
    }

    fn is_name_or_agency(&self, text: &str) -> bool {
        self.is_agency(text) || is_name(text)
    }

    /// Whether the trimmed line is a wire-service staff trailer ("Reporting by ...; Editing by").
    pub fn is_wire_trailer(&self, text: &str) -> bool {
        if text.len() > 300
            || !wire_trailer_possible(text)
            || !self.wire_trailer.get().is_match(text)
        {
            return false;
        }
        let n_words = words(text, 0..text.len()).count();
        let parenthesised = text.starts_with('(') && text.ends_with(')');
        n_words <= 40
            && (text.contains(';') || parenthesised || (n_words <= 8 && !text.ends_with('.')))
    }

    /// Where a credit suffix starts inside a caption line and how sure it is (see `Credit`).
    fn credit_suffix(&self, text: &str) -> Option<(usize, Credit)> {
        // "(+Photos, Video)" advertises a gallery in a headline; it credits nothing.
        // The credit regexes build costly lazy-DFA states (Unicode classes under bounded
        // repetition) on every line they read: cheap necessary conditions go first.
        if let Some(start) = paren_credit_at(self.paren_credit.get(), text)
            && !text[start + 1..].starts_with('+')
        {
            return Some((start, Credit::Labelled));
        }
        if inline_credit_possible(text)
            && let Some(m) = self.inline_credit.get().find(text)
        {
            return Some((m.start(), Credit::Labelled));
        }
        let bare = text.trim_end_matches(['.', ']', ')']);
        // (A byte search: these ASCII bytes never occur inside a multi-byte character.)
        if let Some(cut) = bare.bytes().rposition(|b| matches!(b, b'/' | b'[' | b'('))
            && self.is_agency(&bare[cut + 1..])
        {
            // "... Emwazis.  Carl Court / Getty Images": the photographer's name belongs to it.
            let head = &bare[..cut];
            let from = head.rfind('.').map_or(0, |i| i + 1);
            let named = bare[cut..].starts_with('/') && from > 0 && is_name(&head[from..]);
            // "[EPA]", "(ANI)": blogs and wires cite a source the same way, so it counts less.
            let strength = if bare[cut..].starts_with('/') {
                Credit::Agency
            } else {
                Credit::Cited
            };
            return Some((if named { from } else { cut }, strength));
        }
        // The tail after the last sentence end, checked as a credit line of its own.
        let cut = tail_cut(text)?;
        let tail = &text[cut..];
        (tail.len() >= 2 && self.credit_line(tail).is_some()).then_some((cut, Credit::Agency))
    }

    /// The present-tense scene verb of a caption opening ("Lawyers say prayers", "Tusk waves
    /// flowers", "Khorasani (C) ... gives an interview"), as a span. The verb follows its subject
    /// (not a pronoun, auxiliary, function word or number) and is followed by a name-side word
    /// (its subject is a capitalised name) or a determiner, preposition or particle.
    pub fn scene_verb(&self, text: &str) -> Option<Range<usize>> {
        if !text.chars().next().is_some_and(char::is_uppercase) {
            return None;
        }
        let mut prev: Option<&str> = None;
        let mut iter = words(text, 0..text.len()).take(VERB_WINDOW).peekable();
        while let Some(w) = iter.next() {
            let next = iter.peek().map(|n| n.text);
            let Some(before) = prev.replace(w.text) else {
                continue;
            };
            // Most words are no scene verb: look that up before the tests of the word before.
            let one_word = self.verbs_one.contains(w.text);
            if !one_word && !self.verbs_two_first.contains(w.text) {
                continue;
            }
            if NOT_BEFORE_VERB.contains(&before) || before.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            // Two-word entries ("say prayers") match on their own.
            if let Some(next) = next
                && self.verbs_two.iter().any(|(a, b)| a == w.text && b == next)
            {
                return Some(w.span());
            }
            if !one_word {
                continue;
            }
            let after_name = before.chars().next().is_some_and(char::is_uppercase);
            let before_object = next.is_none_or(|n| VERB_FOLLOWERS.contains(&n));
            if after_name || before_object {
                return Some(w.span());
            }
        }
        None
    }

    /// Scores the trimmed line as a caption; `None` when no cue fires or the line cannot be one.
    pub fn caption_score(&self, text: &str, present_ok: bool) -> Option<CaptionScore> {
        let lead_in_start = self.lead_in_at(text);
        // Quoted speech is no caption without a lead-in (see below). A third of the bytes the
        // gates would read stand in quoted lines, and `in_this_photo` cannot match without
        // "in thi" (no letter of it has a non-ASCII case variant under `(?i)`): the test runs
        // before the gates.
        let quoted = is_quoted(text);
        if quoted && lead_in_start.is_none() && !holds_in_thi(text) {
            return None;
        }
        // Tests on the line's first word and ends that answer `None` below whatever the cues,
        // run before the gates walk every byte of the line.
        if rejected_by_opening(text, lead_in_start.is_some()) {
            return None;
        }
        if lead_in_start.is_none() && !(self.gate(text) && self.may_anchor(text)) {
            return None;
        }
        let n_words = words(text, 0..text.len()).count();
        if !CAPTION_WORDS.contains(&n_words) {
            return None;
        }
        let first = words(text, 0..text.len()).next().map_or("", |w| w.text);
        if METADATA_OPENERS
            .iter()
            .any(|m| first.eq_ignore_ascii_case(m))
        {
            return None;
        }
        // The writer pointing at a picture in the prose ("Here is how the new model (left)
        // compares to ...:", "We took a look at the photo ...") and embedded posts ("... (@user)
        // September 28, 2014") are not captions.
        if PROSE_OPENERS.contains(&first) || text.ends_with(':') || text.contains("(@") {
            return None;
        }
        let mut score = CaptionScore::default();
        // `in_this_photo` holds "in thi" in any case (see `holds_in_thi`): a byte search for that
        // first, since the regex (its `(?:^|, )` gives it no literal to search for) reads
        // the whole line.
        let lead_in = lead_in_start.or_else(|| {
            holds_in_thi(text)
                .then(|| self.in_this_photo.get().find(text))
                .flatten()
                .map(|m| m.range())
        });
        if quoted && lead_in.is_none() {
            // Quoted speech: present tense is normal there, and captions rarely quote.
            return None;
        }
        if lead_in.is_none() && (is_caps_dateline(text) || opens_in_capitals(text)) {
            return None;
        }
        if let Some(m) = lead_in {
            score.add(3, "photo lead-in");
            score.evidence.push((m, "photo lead-in"));
            score.strong = true;
        } else if let Some(m) = self.phrases.find(text) {
            score.add(2, "pictured-scene phrase");
            score
                .evidence
                .push((m.start()..m.end(), "pictured-scene phrase"));
            score.strong = true;
        }
        if let Some(m) = self.position_marker(text) {
            score.add(3, "position marker");
            score.evidence.push((m, "position marker"));
            score.strong = true;
        }
        let body_end = match self.credit_suffix(text) {
            Some((start, credit)) => {
                match credit {
                    Credit::Labelled => score.add(4, "photo credit at the end"),
                    Credit::Agency => score.add(3, "agency credit at the end"),
                    Credit::Cited => score.add(2, "agency in brackets at the end"),
                }
                score.evidence.push((start..text.len(), "photo credit"));
                score.strong = true;
                start
            }
            None => text.len(),
        };
        let body = text[..body_end].trim_end();
        if body_end < text.len() {
            score.credit_cut = Some(body.len()..text.len());
        }
        // "glb/sb (Reuters, AFP)": editors' initials and sources, not a caption.
        if body.chars().next().is_some_and(char::is_lowercase) {
            return None;
        }
        let mut sentences = Vec::new();
        split_sentences(body, 0..body.len(), &mut sentences);
        if sentences.len() > 3 && !score.strong {
            return None;
        }
        let first_sentence = sentences.first().map_or(body, |r| &body[r.clone()]);
        if ends_in_year(sentence_close(first_sentence))
            && let Some(m) = self.trailing_date.get().find(first_sentence)
        {
            let before = &first_sentence[..m.start()];
            // The date must close a sentence that says something ("Published: Jan. 9, 2008" does
            // not): some lower-case words before it.
            let content = words(before, 0..before.len())
                .filter(|w| w.text.len() >= 3 && w.text.chars().all(char::is_lowercase))
                .count();
            if content >= 2 {
                score.add(2, "trailing full date");
                score
                    .evidence
                    .push((m.start()..m.end(), "the date the photo was taken"));
                score.date = true;
                if self.place_before.get().is_match(before) {
                    score.add(1, "place before the date");
                }
            }
        }
        let anchored = score.strong || score.date;
        // The verb adds a point but anchors nothing: without an anchor the line is no caption.
        if anchored
            && present_ok
            && !quoted
            && let Some(span) = self.scene_verb(first_sentence)
        {
            score.add(1, "present-tense scene verb");
            score.evidence.push((span, "present tense"));
            score.verb = true;
        }
        // Copyright notices and wire datelines are no captions. These guards rarely fire and
        // decide nothing else, so they run only for lines that would be reported.
        if !(score.total > 0 && anchored)
            || is_copyright_notice(text)
            || (dateline_possible(text) && self.dateline.get().is_match(text))
        {
            return None;
        }
        Some(score)
    }

    /// The photo lead-in opening the line, after an opening bracket if any.
    fn lead_in_at(&self, text: &str) -> Option<Range<usize>> {
        let open = text.len() - text.trim_start_matches(['(', '[']).len();
        if !self.lead_in_openings.may_open(&text.as_bytes()[open..]) {
            return None;
        }
        self.lead_ins
            .find(
                Input::new(text)
                    .range(open..text.len())
                    .anchored(Anchored::Yes),
            )
            .map(|m| m.range())
    }

    /// A position marker ("(C)", "(L-R)", ", left,") that is not a trademark or copyright sign
    /// ("RoadMate(R)", "(C) 2008 NAMCO").
    fn position_marker(&self, text: &str) -> Option<Range<usize>> {
        self.position
            .get()
            .find_iter(text)
            .map(|m| m.range())
            .find(|r| {
                let paren = text[r.clone()].starts_with('(');
                let attached = paren
                    && text[..r.start]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric);
                let after = text[r.end..].trim_start();
                let year_after = after.as_bytes().first().is_some_and(u8::is_ascii_digit);
                !attached && !year_after
            })
    }
}

/// A necessary condition for `credit_prefix` to match, read on every short line before the
/// regex (whose captures cost far more): the line opens with '©' or, in any ASCII case, with
/// the first letters of a label ("photo", "pic", "image", "credit", "courtesy"; under `(?i)`
/// only an 's' or a 'k' has a non-ASCII case variant, and none stands in these letters).
fn credit_prefix_possible(text: &str) -> bool {
    text.starts_with('©')
        || ["photo", "pic", "image", "credit", "courte"]
            .iter()
            .any(|label| starts_with_ignore_case(text, label))
}

/// The openings of a set of words, ASCII case folded: a necessary condition, read in a few
/// instructions, for an anchored ASCII-case-insensitive automaton over the words (`automaton`)
/// to match at the start of a text. A match there is a whole word, so the text opens with the
/// first `len` bytes of a word (`len`: the shortest word's length, at most 3), equal but for
/// ASCII case (all that `ascii_case_insensitive` ignores; other bytes match only themselves).
/// Most lines open with none of the lead-ins' openings, most short lines with no agency's.
struct Openings {
    len: usize,
    /// Each opening packed in a `u32` (`pack`), sorted, without repeats.
    packed: Vec<u32>,
    /// Bit `pack(first two bytes)` set for each opening of at least two bytes: one load rejects
    /// most texts before the binary search.
    pairs: Box<[u64; 1024]>,
}

impl Openings {
    fn new(words: &[String]) -> Openings {
        let len = words.iter().map(String::len).min().unwrap_or(0).min(3);
        let mut packed: Vec<u32> = words
            .iter()
            .map(|w| Self::pack(&w.as_bytes()[..len]))
            .collect();
        packed.sort_unstable();
        packed.dedup();
        let mut pairs = Box::new([0u64; 1024]);
        if len >= 2 {
            for w in words {
                let pair = Self::pack(&w.as_bytes()[..2]) as usize;
                pairs[pair / 64] |= 1 << (pair % 64);
            }
        }
        Openings { len, packed, pairs }
    }

    /// Up to four bytes, ASCII lower-cased, in one number.
    fn pack(bytes: &[u8]) -> u32 {
        bytes
            .iter()
            .fold(0, |acc, b| acc << 8 | u32::from(b.to_ascii_lowercase()))
    }

    /// Whether `text` opens like one of the words (with no words, nothing does).
    fn may_open(&self, text: &[u8]) -> bool {
        let Some(head) = text.get(..self.len) else {
            return false;
        };
        if let Some(pair) = head.get(..2) {
            let pair = Self::pack(pair) as usize;
            if self.pairs[pair / 64] & (1 << (pair % 64)) == 0 {
                return false;
            }
            if self.len == 2 {
                return true;
            }
        }
        self.packed.binary_search(&Self::pack(head)).is_ok()
    }
}

/// Where the tail after the last sentence end starts: after the last ". ", else after the last
/// '.' (what `rfind(". ")`, then `rfind('.')`, answer; a byte search from the end).
fn tail_cut(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let last = memchr::memrchr(b'.', bytes)?;
    Some(
        memchr::memrchr_iter(b'.', &bytes[..=last])
            .find(|&i| bytes.get(i + 1) == Some(&b' '))
            .map_or(last + 1, |i| i + 2),
    )
}

/// Words (ASCII case ignored) of which a line holds one when it has a strong caption cue, but
/// for the few credits `CueSet::may_anchor` tests on their own:
const ANCHOR_WORDS: [&str; 31] = [
    // Photo words: `in_this_photo` ends in one, and the credit labels of `paren_credit`,
    // `inline_credit` and `credit_prefix` ("pic" for "picture", "photo" for "photograph").
    "photo",
    "pic",
    "image",
    "credit",
    // `via_getty`, `paren_credit`.
    "getty",
    // `credit_prefix` ("courte": its `(?i)s` also matches 'ſ'), and its '©'.
    "courte",
    "©",
    // Agency credits after a slash, at the end or in a tail; "Name/Agency" credits.
    "/",
    // `position`, its letters in either case.
    "(c)",
    "(l)",
    "(r)",
    "(l-r)",
    "(r-l)",
    "(l to r)",
    "(1",
    "(2",
    "(3",
    "(4",
    "(cent",
    "(left)",
    "(right)",
    "(top",
    "(bottom",
    "(front",
    ", left,",
    ", right,",
    ", centre,",
    ", center,",
    ", second ",
    ", foreground,",
    ", background,",
];

/// `sentence` without a final '.' and the white space before it: a `trailing_date` match ends
/// in a year there (its end is `(?:19|20)\d\d\s*\.?$`).
fn sentence_close(sentence: &str) -> &str {
    sentence.strip_suffix('.').unwrap_or(sentence).trim_end()
}

/// Whether `text` holds '"', '“' or '”' (a byte search: '“' and '”' are E2 80 9C and 9D).
fn has_quote(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'"', 0xE2, bytes)
        .any(|i| bytes[i] == b'"' || matches!(bytes.get(i + 1..i + 3), Some([0x80, 0x9C | 0x9D])))
}

/// Whether `text` holds '"', '“', '”' or "''": what `text.contains(['“', '”', '"']) ||
/// text.contains("''")` answers, in one byte search ('“' and '”' are E2 80 9C and 9D).
fn is_quoted(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr3_iter(b'"', b'\'', 0xE2, bytes).any(|i| match bytes[i] {
        b'"' => true,
        b'\'' => bytes.get(i + 1) == Some(&b'\''),
        _ => matches!(bytes.get(i + 1..i + 3), Some([0x80, 0x9C | 0x9D])),
    })
}

/// `contains_ignore_case(text, "in thi")` as a byte search for its first letter.
fn holds_in_thi(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'i', b'I', bytes).any(|i| {
        bytes
            .get(i + 1..i + 6)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"n thi"))
    })
}

/// Whether `text` holds '/' or '©' (a byte search: '©' is C2 A9).
fn has_slash_or_copyright(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'/', 0xC2, bytes)
        .any(|i| bytes[i] == b'/' || bytes.get(i + 1) == Some(&0xA9))
}

/// `contains_ignore_case(text, "getty")` as a byte search for its first letter.
fn has_getty(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'g', b'G', bytes).any(|i| {
        bytes
            .get(i..i + 5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"getty"))
    })
}

/// A necessary condition for `trailing_date` to match the first sentence of `text`: the match
/// ends in a year (" 19" or " 20" and two `\d`), then `\s*\.?` closes the sentence. A sentence
/// ends at its terminators (only a single '.' may follow the year) or at the end of the text,
/// so some '.', or the end, follows the year after white space only.
fn may_end_in_year(text: &str) -> bool {
    ends_in_year(text.trim_end())
        || memchr::memchr_iter(b'.', text.as_bytes())
            .any(|dot| ends_in_year(text[..dot].trim_end()))
}

/// Whether `s` ends in " 19" or " 20" and two `\d` (`is_numeric` takes in more, which does no
/// harm in a necessary condition).
fn ends_in_year(s: &str) -> bool {
    let mut back = s.char_indices().rev();
    match (back.next(), back.next()) {
        (Some((_, units)), Some((tens, ten))) => {
            units.is_numeric()
                && ten.is_numeric()
                && (s[..tens].ends_with(" 19") || s[..tens].ends_with(" 20"))
        }
        _ => false,
    }
}

/// The labels of `inline_credit`, without their optional plural "s" and " by".
const INLINE_CREDIT_LABELS: [&str; 8] = [
    "Photo",
    "Photograph",
    "Picture",
    "Pic",
    "Image",
    "Credit",
    "PHOTO",
    "PICTURE",
];

/// The agencies `paren_credit` names.
const PAREN_CREDIT_AGENCIES: [&str; 7] = [
    "Reuters",
    "REUTERS",
    "AFP",
    "EPA",
    "Shutterstock",
    "Bloomberg",
    "Xinhua",
];

/// The agencies `dateline` names ("AP" also covers "AAP").
const DATELINE_AGENCIES: [&str; 10] = [
    "Reuters",
    "AP",
    "AFP",
    "Xinhua",
    "UPI",
    "dpa",
    "IANS",
    "PTI",
    "CNN",
    "Bloomberg",
];

/// The largest char boundary of `text` at or before byte `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A necessary condition for `inline_credit` to match, far cheaper than the regex. A match is
/// `LABEL[s][ by]\s*:\s*` or `(Photo|Photograph|Picture) by `, then `\p{Lu}` and 1 to 40
/// characters without a colon up to the end. In the first form the colon is the last one of the
/// text, the label ends right before it, and 2 to 41 characters follow it; in the second the
/// whole match lies in the last 178 bytes.
fn inline_credit_possible(text: &str) -> bool {
    if let Some(colon) = text.rfind(':') {
        let tail = text[colon + 1..].trim_start();
        if (2..=41).contains(&tail.chars().take(42).count()) {
            let label = text[..colon].trim_end();
            let label = label.strip_suffix(" by").unwrap_or(label);
            let label = label.strip_suffix('s').unwrap_or(label);
            if INLINE_CREDIT_LABELS.iter().any(|l| label.ends_with(l)) {
                return true;
            }
        }
    }
    let tail = &text[floor_boundary(text, text.len().saturating_sub(200))..];
    ["Photo by ", "Photograph by ", "Picture by "]
        .iter()
        .any(|w| tail.contains(w))
}

/// Where `paren_credit` (the regex, `credit`) first matches `text`, reading as little of it
/// with the regex as can be: the regex builds a lazy-DFA state for nearly every byte it reads
/// (its bounded repetitions of Unicode classes count), which made it the costliest cue.
/// - Its first form, `\([A-Z]{2,8} Photo/[^()]{2,60}\)`, is found by hand
///   (`paren_photo_credit`).
/// - The others close the line, their content has no bracket, so they can only start at the
///   opening bracket of `paren_credit_open`, after any match of the first form. An ASCII
///   bracket is read by `paren_credit_ascii`, any other by the regex from that bracket on.
fn paren_credit_at(credit: &Regex, text: &str) -> Option<usize> {
    if let Some(start) = paren_photo_credit(text) {
        return Some(start);
    }
    let open = paren_credit_open(text)?;
    let bracket = &text[open..];
    let hit = if bracket.is_ascii() {
        paren_credit_ascii(bracket)
    } else {
        // A match in `bracket` starts at its first byte, the only '(' in it.
        credit.is_match(bracket)
    };
    hit.then_some(open)
}

/// The leftmost match of `\([A-Z]{2,8} Photo/[^()]{2,60}\)`: "(AP Photo/Name)". Before
/// " Photo/" stand 2 to 8 capitals right after a '('; after it, the first bracket closes, 2 to 60
/// characters on.
fn paren_photo_credit(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, " Photo/").find_map(|at| {
        let capitals = bytes[..at]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_uppercase())
            .count();
        let open = at.checked_sub(capitals + 1)?;
        let rest = &text[at + " Photo/".len()..];
        let close = rest.find(['(', ')'])?;
        ((2..=8).contains(&capitals)
            && bytes[open] == b'('
            && rest[close..].starts_with(')')
            && (2..=60).contains(&rest[..close].chars().count()))
        .then_some(open)
    })
}

/// The opening bracket where a match of the bracket forms of `paren_credit` starts, or `None`
/// when they cannot match (a necessary condition, far cheaper than the regex): a bracket closing
/// the line whose content (no brackets inside) holds "Getty Images", a photo word ("photo",
/// "pic" in any case: no letter of them has a non-ASCII case variant) or one of the agencies.
fn paren_credit_open(text: &str) -> Option<usize> {
    let body = text.strip_suffix(')')?;
    let open = body
        .rfind(['(', ')'])
        .filter(|&i| body[i..].starts_with('('))?;
    let content = &body[open + 1..];
    (content.contains("Getty Images")
        || contains_ignore_case(content, "photo")
        || contains_ignore_case(content, "pic")
        || PAREN_CREDIT_AGENCIES.iter().any(|a| content.contains(a)))
    .then_some(open)
}

/// Whether the bracket forms of `paren_credit` match `bracket`, an ASCII "(...)" with no
/// bracket inside, the way the regex reads it (ASCII: `\s` is ASCII white space, `\b` a
/// change between `[0-9A-Za-z_]` and the rest, `(?i)` ASCII case, a character a byte):
/// - up to 60 bytes, "Getty Images" or a photo word (`\bphotos?\b`, `\bpics?\b`,
///   `\bpictures?\b`, `\bphotograph`), up to 60 bytes;
/// - an agency, white space, '/' or ':', then 1 to 60 bytes;
/// - 1 to 60 bytes, '/' or ':', white space, an agency.
fn paren_credit_ascii(bracket: &str) -> bool {
    let Some(content) = bracket.strip_prefix('(').and_then(|b| b.strip_suffix(')')) else {
        return false;
    };
    let bytes = content.as_bytes();
    let n = bytes.len();
    let word = |i: usize| {
        bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    let boundary = |i: usize| i == 0 || word(i - 1) != word(i);
    // A key at `p` ending at `q` fits when at most 60 bytes stand on either side.
    let fits = |p: usize, q: usize| p <= 60 && n - q <= 60;
    let keyed = (0..n).any(|p| {
        let rest = &content[p..];
        if rest.starts_with("Getty Images") && fits(p, p + 12) {
            return true;
        }
        if !boundary(p) {
            return false;
        }
        let has = |w: &str| {
            rest.as_bytes()
                .get(..w.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(w.as_bytes()))
        };
        // `stem s?\b`: the stem, or the stem and an 's', then a word boundary.
        let plural = |stem: &str| {
            has(stem)
                && ((boundary(p + stem.len()) && fits(p, p + stem.len()))
                    || (bytes
                        .get(p + stem.len())
                        .is_some_and(|b| b.eq_ignore_ascii_case(&b's'))
                        && boundary(p + stem.len() + 1)
                        && fits(p, p + stem.len() + 1)))
        };
        (has("photograph") && fits(p, p + 10))
            || plural("photo")
            || plural("pic")
            || plural("picture")
    });
    if keyed {
        return true;
    }
    let agency_first = PAREN_CREDIT_AGENCIES.iter().any(|a| {
        content.strip_prefix(a).is_some_and(|rest| {
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '\x0B');
            rest.strip_prefix(['/', ':'])
                .is_some_and(|r| (1..=60).contains(&r.len()))
        })
    });
    let agency_last = PAREN_CREDIT_AGENCIES.iter().any(|a| {
        content.strip_suffix(a).is_some_and(|rest| {
            let rest = rest.trim_end_matches(|c: char| c.is_ascii_whitespace() || c == '\x0B');
            rest.strip_suffix(['/', ':'])
                .is_some_and(|r| (1..=60).contains(&r.len()))
        })
    });
    agency_first || agency_last
}

/// A necessary condition for `wire_trailer` to match, read on every line: after an optional
/// '(', the line opens with the first letters of "additional", "further" or one of the verbs, in
/// either ASCII case (none of these letters has a non-ASCII case variant under `(?i)`: only 'k'
/// and 's' do, the Kelvin sign and 'ſ', and the prefixes hold neither).
fn wire_trailer_possible(text: &str) -> bool {
    let text = text.strip_prefix('(').unwrap_or(text);
    // The first letters of the prefixes below, in one test: most lines open with none of them.
    if !text.as_bytes().first().is_some_and(|b| {
        matches!(
            b.to_ascii_lowercase(),
            b'a' | b'f' | b'r' | b'w' | b'e' | b'c' | b't'
        )
    }) {
        return false;
    }
    ["add", "fur", "re", "wri", "edi", "com", "tra", "fac"]
        .iter()
        .any(|prefix| starts_with_ignore_case(text, prefix))
}

/// A necessary condition for `dateline` to match: an agency, maybe a closing bracket, maybe
/// white space, then a dash.
fn dateline_possible(text: &str) -> bool {
    let bytes = text.as_bytes();
    // '-', or the first byte of '–' (E2 80 93) and '—' (E2 80 94): a byte search, then the check.
    (0..bytes.len()).any(|dash| {
        let is_dash = bytes[dash] == b'-'
            || (bytes[dash] == 0xE2
                && matches!(bytes.get(dash + 1..dash + 3), Some([0x80, 0x93 | 0x94])));
        is_dash && {
            let before = text[..dash].trim_end();
            let before = before.strip_suffix(')').unwrap_or(before);
            DATELINE_AGENCIES.iter().any(|a| before.ends_with(a))
        }
    })
}

/// How surely a credit at the end of a line credits a photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Credit {
    /// "Photograph: Name/EPA", "(AP Photo/Name)", "(Photo by Name)".
    Labelled,
    /// "... / AAP", ". Name/Reuters": an agency as a photo desk writes it.
    Agency,
    /// "... [EPA]", "... (ANI)": blogs and wires cite sources the same way, so it counts less.
    Cited,
}

/// Words after which a present-tense verb is taken as the main verb of a caption.
const VERB_FOLLOWERS: &[&str] = &[
    "a",
    "an",
    "the",
    "his",
    "her",
    "their",
    "its",
    "this",
    "that",
    "these",
    "those",
    "at",
    "in",
    "on",
    "through",
    "during",
    "outside",
    "inside",
    "after",
    "before",
    "for",
    "with",
    "to",
    "from",
    "near",
    "past",
    "by",
    "across",
    "into",
    "as",
    "while",
    "under",
    "over",
    "along",
    "toward",
    "towards",
    "beside",
    "behind",
    "next",
    "around",
    "among",
    "between",
    "against",
    "onto",
    "off",
    "up",
    "down",
    "out",
    "away",
    "back",
    "alongside",
    "amid",
    "ahead",
    "together",
    "prayers",
];

/// First words of prose that talks about a picture in the first person or points at it.
const PROSE_OPENERS: &[&str] = &["We", "I", "Here", "Here's", "Here’s"];

/// First words of page-furniture lines that carry a date but are never captions.
const METADATA_OPENERS: &[&str] = &[
    "published",
    "updated",
    "posted",
    "created",
    "modified",
    "last",
    "filed",
    "by",
    "article",
    "story",
    "source",
    "date",
];

/// Whether `caption_score` answers `None` for the trimmed line `text` whatever its cues, by
/// tests of its first word and ends only (read in a few instructions, where the gates read every
/// byte), each one a test that returns `None` in `caption_score`:
/// - a colon closing the line;
/// - a lower-case first character: the body left after any credit suffix opens with it (a
///   suffix starts at a bracket, a slash, a capitalised label or after a full stop, never at
///   the line's first character when that is a lower-case letter);
/// - without a lead-in at the start, a first word or dateline in capitals, unless the line
///   holds "in thi" (then `in_this_photo` may find a lead-in inside it).
fn rejected_by_opening(text: &str, opens_with_lead_in: bool) -> bool {
    if text.ends_with(':') || text.chars().next().is_some_and(char::is_lowercase) {
        return true;
    }
    // "Xy...": the first word and the head before the first comma both hold a lower-case
    // letter, so neither is in capitals (most lines open so).
    let capitalised =
        matches!(text.as_bytes(), [a, b, ..] if a.is_ascii_uppercase() && b.is_ascii_lowercase());
    !opens_with_lead_in
        && !capitalised
        && (opens_in_capitals(text) || is_caps_dateline(text))
        && !holds_in_thi(text)
}

/// Whether the first word is in capitals ("SEATTLE Jan 14, 2008 (AP)"): a dateline or a
/// section label, never how a caption opens (caption lead-ins in capitals are listed).
fn opens_in_capitals(text: &str) -> bool {
    words(text, 0..text.len()).next().is_some_and(|w| {
        w.text.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && w.text
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
    })
}

/// Whether the line opens like a wire dateline in capitals ("BEVERLY HILLS, Calif., Jan. 8").
fn is_caps_dateline(text: &str) -> bool {
    let head = text.split(',').next().unwrap_or("");
    // The case test first: it stops at the first lower-case letter, where most lines fail.
    head.len() < text.len()
        && head
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
        && head.chars().filter(|c| c.is_alphabetic()).count() >= 3
}

/// Whether `text` is a copyright notice ("© Reuters 2008 All rights reserved", "(C) 2008 ..."),
/// which is page furniture, not a photo credit.
fn is_copyright_notice(text: &str) -> bool {
    let credit_label = starts_with_ignore_case(text, "image copyright")
        || starts_with_ignore_case(text, "photo copyright");
    if contains_ignore_case(text, "rights reserved")
        || (contains_ignore_case(text, "copyright") && !credit_label)
    {
        return true;
    }
    // "© 2008 AAP", "© AAP 2008", "©CanWest News Service 2007": a year makes it a notice.
    let rest = text.trim_start_matches(['©', 'Â', ' ']);
    rest.len() < text.len() && has_year(rest)
}

/// Whether `text` starts with the ASCII `needle`, ignoring ASCII case.
fn starts_with_ignore_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .get(..needle.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Whether `text` holds the lower-case ASCII `needle`, ignoring ASCII case (as a search in
/// `text.to_ascii_lowercase()` would, without allocating).
fn contains_ignore_case(text: &str, needle: &str) -> bool {
    let (hay, needle) = (text.as_bytes(), needle.as_bytes());
    let Some((&first, _)) = needle.split_first() else {
        return true;
    };
    hay.windows(needle.len())
        .any(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(needle))
}

/// Whether `text` holds four digits in a row that read as a year (19xx, 20xx).
fn has_year(text: &str) -> bool {
    text.as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit) && (w.starts_with(b"19") || w.starts_with(b"20")))
}

/// `text` without a trailing ", file" / ", pool" marker.
fn strip_file_marker(text: &str) -> &str {
    for marker in [
        ", File",
        ", file",
        ", FILE",
        ", Pool",
        ", pool",
        ", Handout",
        ", handout",
    ] {
        if let Some(stripped) = text.strip_suffix(marker) {
            return stripped.trim_end();
        }
    }
    text
}

/// Whether the text after a credit label ("Photo: ...") reads as a credit: short, capitalised,
/// not a sentence.
fn looks_like_credit_body(rest: &str) -> bool {
    let rest = rest.trim();
    let first_ok = rest
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric() || c == '©');
    first_ok
        && words(rest, 0..rest.len()).count() <= 10
        && !rest.contains(". ")
        && !rest.contains(['!', '?'])
}

/// Connectors inside personal names ("Ali al-Sayed", "Vincent van Gogh").
const NAME_PARTICLES: &[&str] = &[
    "de", "da", "van", "von", "der", "den", "al", "el", "bin", "ibn", "du", "la", "le", "y", "di",
    "del", "dos", "das", "ter",
];

/// Whether `text` reads as a short personal name (1–5 capitalised tokens) or "File".
fn is_name(text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() || text.len() > 48 {
        return false;
    }
    let mut n = 0;
    for token in text.split_whitespace() {
        n += 1;
        let ok = token.chars().next().is_some_and(char::is_uppercase)
            || NAME_PARTICLES.contains(&token.trim_end_matches('-'));
        let clean = token
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'));
        if !ok || !clean {
            return false;
        }
    }
    (1..=5).contains(&n)
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::{
        CueSet, LazyRegex, PAREN_CREDIT, holds_in_thi, is_quoted, paren_credit_ascii,
        paren_credit_at,
    };
    use crate::checks::DirLexicons;
    use crate::text::RandomTexts;

    /// The regexes built on first use all build (a size limit is the one mistake parsing at
    /// compile time leaves to the build), and a broken pattern is refused when its rule compiles.
    #[test]
    fn every_lazy_regex_builds() {
        let lexicons = DirLexicons(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"));
        let set = CueSet::compile(
            "lexicons/photo-agencies.toml",
            "lexicons/caption-cues.toml",
            &lexicons,
        )
        .expect("the built-in cue set compiles");
        let all = [
            &set.credit_prefix,
            &set.via_getty,
            &set.paren_credit,
            &set.inline_credit,
            &set.trailing_date,
            &set.place_before,
            &set.position,
            &set.in_this_photo,
            &set.dateline,
            &set.wire_trailer,
        ];
        for lazy in all {
            assert_eq!(lazy.get().as_str(), lazy.pattern);
        }
        assert!(LazyRegex::new(r"(unclosed").is_err());
        assert!(LazyRegex::new(r"\p{NoSuchClass}").is_err());
    }

    /// `paren_credit_ascii` answers what the regex answers on ASCII brackets (content without
    /// brackets), around its 60-byte bounds and word boundaries.
    #[test]
    fn paren_credit_ascii_agrees_with_the_regex() {
        let regex = Regex::new(PAREN_CREDIT).expect("regex builds");
        let mut alphabet = vec![
            "photo",
            "PHOTO",
            "Photos",
            "s",
            "pic",
            "Pics",
            "picture",
            "photograph",
            "Getty Images",
            "Getty",
            "Reuters",
            "REUTERS",
            "AFP",
            "EPA",
            "Xinhua",
            "/",
            ":",
            " ",
            "\t",
            "\x0B",
            "_",
            "x",
            "1",
            "-",
            ".",
            "Bloomberg",
            "Shutterstock",
        ];
        alphabet.extend(["abcdefghij ", "word "].repeat(6));
        let hits = on_random_texts(&alphabet, |content| {
            let bracket = format!("({content})");
            let expected = regex.is_match(&bracket);
            assert_eq!(paren_credit_ascii(&bracket), expected, "{bracket:?}");
            expected
        });
        assert!((3_000..27_000).contains(&hits), "{hits}");
    }

    /// `paren_credit_at` finds where the regex first matches, on lines with brackets anywhere,
    /// "(AP Photo/...)" credits, and non-ASCII content.
    #[test]
    fn paren_credit_at_agrees_with_the_regex() {
        let regex = Regex::new(PAREN_CREDIT).expect("regex builds");
        let mut alphabet = vec![
            "(",
            ")",
            "(AP Photo/",
            "AP",
            "REUTERS",
            " Photo/",
            "(",
            "Photo",
            "photo",
            "Getty Images",
            "Reuters",
            "AFP",
            "/",
            ":",
            " ",
            "é",
            "ſ",
            "x",
            "Name ",
            "pics",
            "_",
            "ABCDEFGHI",
        ];
        alphabet.extend(["abcdefghij ", "word "].repeat(5));
        let hits = on_random_texts(&alphabet, |text| {
            let expected = regex.find(text).map(|m| m.start());
            assert_eq!(paren_credit_at(&regex, text), expected, "{text:?}");
            expected.is_some()
        });
        assert!((500..29_000).contains(&hits), "{hits}");
    }

    /// `is_quoted` and `holds_in_thi` answer what the searches they stand for answer.
    #[test]
    fn quote_and_in_this_tests_agree_with_str_searches() {
        let mut alphabet = vec![
            "\"", "“", "”", "‘", "’", "—", "'", "''", "in thi", "IN THI", "iN tHi", "in th", "i",
            "I", "n thi", "in  thi", "ſ", "é",
        ];
        alphabet.extend(["abcdefghij ", "word "].repeat(6));
        let hits = on_random_texts(&alphabet, |text| {
            let quoted = text.contains(['“', '”', '"']) || text.contains("''");
            assert_eq!(is_quoted(text), quoted, "{text:?}");
            let in_thi = text.to_ascii_lowercase().contains("in thi");
            assert_eq!(holds_in_thi(text), in_thi, "{text:?}");
            quoted && in_thi
        });
        assert!((1_000..29_000).contains(&hits), "{hits}");
    }

    /// `Openings::may_open` holds for every text where the anchored automaton over the same
    /// words matches at the start (it is a necessary condition), and rejects most others.
    #[test]
    fn openings_hold_where_the_anchored_automaton_matches() {
        use aho_corasick::{Anchored, Input};

        let words: Vec<String> = ["In this photo", "FILE -", "Top:", "AP", "Reuters", "(c)"]
            .map(String::from)
            .to_vec();
        let automaton = super::automaton(&words, "test").expect("automaton builds");
        let openings = super::Openings::new(&words);
        let mut alphabet = vec![
            "In", "IN ", "in this ", "PHOTO", "photo", "FiLe", " -", "top", "TOP:", "A", "P", "ap",
            "Reu", "TERS", "(", "C)", "é", "ſ", " ",
        ];
        alphabet.extend(["abcdefghij ", "word "].repeat(3));
        let (mut matched, mut rejected) = (0, 0);
        on_random_texts(&alphabet, |text| {
            let hit = automaton
                .find(Input::new(text).anchored(Anchored::Yes))
                .is_some();
            let may = openings.may_open(text.as_bytes());
            assert!(may || !hit, "{text:?}");
            matched += usize::from(hit);
            rejected += usize::from(!may);
            hit
        });
        assert!(matched > 1_000 && rejected > 10_000, "{matched} {rejected}");
        // No words: nothing opens like one.
        assert!(!super::Openings::new(&[]).may_open(b"anything"));
    }

    /// Runs `check` on 30,000 random texts of up to 40 pieces of `alphabet`; returns how many
    /// it called a hit (so a test can show both answers were exercised).
    fn on_random_texts(alphabet: &[&str], mut check: impl FnMut(&str) -> bool) -> usize {
        let mut random = RandomTexts::new();
        (0..30_000u64)
            .filter(|i| check(&random.text_and_range(alphabet, 2 + i % 40).0))
            .count()
    }
}
