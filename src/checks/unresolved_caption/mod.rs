//! `unresolved-caption`: photo captions and credit lines left in the prose after the photo they
//! belonged to was stripped (web extraction keeps "Caren Firouz / Reuters" and the caption
//! sentence, drops the image).
//!
//! A line-level, document-scope kind with three modes, one rule file each:
//! - `credit-line`: a line that is only a photo credit (agency alone, "Name / Agency",
//!   "AGENCY/Name", "(AP Photo/Name)", "Photo: ...", "... via Getty Images", "Image copyright ...");
//! - `caption`: a short standalone line scored on caption cues (photo lead-in, position marker,
//!   credit suffix or neighbouring credit line, trailing full date, scene verb in the present
//!   tense, place before the date); reported when the score lies in `[min-score, max-score]`;
//! - `wire-trailer`: "Reporting by ...; Editing by ..." trailers (not a caption: own message).
//!
//! A caption or credit is resolved, and never reported, when an image stands with it (a Markdown
//! image line or HTML `<img>`/`<figure>` just before it). This module only reads the `Document`;
//! it must not do I/O, and it must not look at other documents (the corpus-level "line recurs
//! across documents" cue belongs to a separate corpus-scope companion rule).

mod cues;
mod gate;

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::checks::{CompiledCheck, DocumentCheck, Kind, LexiconSource, ParamError, Scope};
use crate::diagnostic::{Edit, Finding, Fix, Label};
use crate::document::{Document, Line, LineKind};

pub use cues::{CaptionScore, CueSet};

/// Which artefact a rule of this kind reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    #[default]
    CreditLine,
    Caption,
    WireTrailer,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Params {
    pub mode: Mode,
    /// Lexicon with `agencies = [...]`: names that make a credit line.
    pub agencies: String,
    /// Lexicon with `lead-ins`, `phrases` and `scene-verbs`.
    pub caption_cues: String,
    /// `caption` mode: lowest score reported.
    pub min_score: u32,
    /// `caption` mode: highest score reported (0 = no upper bound); lets a second rule report
    /// the weaker band at another severity without double reporting.
    pub max_score: u32,
    /// Lines longer than this (in bytes, trimmed) are never captions.
    pub max_caption_len: usize,
    /// Share of a document's long body lines that may carry a present-tense scene verb before the
    /// document counts as written in the present tense (analysis, live text) and the verb cue is
    /// switched off for it.
    pub present_tense_share: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            mode: Mode::CreditLine,
            agencies: "lexicons/photo-agencies.toml".to_string(),
            caption_cues: "lexicons/caption-cues.toml".to_string(),
            min_score: 4,
            max_score: 0,
            max_caption_len: 600,
            present_tense_share: 0.3,
        }
    }
}

/// Points a caption gains from a credit line right before or after it.
const CREDIT_NEXT_TO_IT: u32 = 2;

pub struct UnresolvedCaptionKind;

impl Kind for UnresolvedCaptionKind {
    type Params = Params;
    const NAME: &'static str = "unresolved-caption";
    const SCOPE: Scope = Scope::Document;
    const DOC: &'static str = "Finds photo captions and credit lines left standing in the text \
        after their image was removed. Credit lines are whole lines that are only a credit: an \
        agency alone (\"Reuters\", when next to a caption or amid the prose; under the headline \
        or at the end it is a byline or source tag), \"Name / Agency\", \"AGENCY/Name\", \
        \"(AP Photo/Name)\", \
        \"Photo: ...\", \"... via Getty Images\", \"Image copyright ...\". Captions are short \
        standalone lines scored on cues: a photo lead-in (\"In this file photo\"), a position \
        marker (\"(C)\", \"(L-R)\"), a credit at the end or on the next line, a trailing full \
        date, a scene verb in the present tense after a named subject, and a place right before \
        the date. Guards: an image right before the line resolves it; wire datelines (\"LONDON, \
        March 3 (Reuters) -\") and agencies inside prose (\"told Reuters\") are never credits; \
        quoted speech does not count as present tense; documents written in the present tense \
        throughout lose the verb cue; \"Reporting by ...; Editing by ...\" trailers are a \
        separate mode with their own message.";
    const PLACEHOLDERS: &'static [&'static str] = &["line", "cues", "score"];

    fn compile(
        params: Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<CompiledCheck, Vec<ParamError>> {
        let mut errors = Vec::new();
        if params.max_score != 0 && params.max_score < params.min_score {
            errors.push(
                ParamError::new(None, "`max-score` is below `min-score`")
                    .with_help("set `max-score = 0` for no upper bound"),
            );
        }
        if !(0.0..=1.0).contains(&params.present_tense_share) {
            errors.push(ParamError::new(
                None,
                "`present-tense-share` must lie in 0..=1",
            ));
        }
        let cues = CueSet::compile(&params.agencies, &params.caption_cues, lexicons)
            .map_err(|e| {
                errors.extend(e);
            })
            .ok();
        match cues {
            Some(cues) if errors.is_empty() => {
                let analysis_key = UnresolvedCaption::analysis_key(&params);
                Ok(CompiledCheck::Document(Box::new(UnresolvedCaption {
                    params,
                    cues,
                    analysis_key,
                })))
            }
            _ => Err(errors),
        }
    }
}

pub struct UnresolvedCaption {
    params: Params,
    /// Shared by every rule compiled from the same lexicons (see `CueSet::compile`).
    cues: Arc<CueSet>,
    /// Shared with sibling rules whose line-reading parameters match (see `Document::memo`).
    analysis_key: u64,
}

/// What one line reads as.
#[derive(Clone, Debug, PartialEq)]
enum LineRead {
    Prose,
    Credit(&'static str),
    Caption(CaptionScore),
    WireTrailer,
}

impl UnresolvedCaption {
    /// Builds the check with default parameters from a lexicon source (tests, harness).
    pub fn with_params(
        params: Params,
        lexicons: &dyn LexiconSource,
    ) -> Result<UnresolvedCaption, Vec<ParamError>> {
        let cues = CueSet::compile(&params.agencies, &params.caption_cues, lexicons)?;
        let analysis_key = UnresolvedCaption::analysis_key(&params);
        Ok(UnresolvedCaption {
            params,
            cues,
            analysis_key,
        })
    }

    /// How lines are read does not depend on which rule reports them or on its score band.
    fn analysis_key(params: &Params) -> u64 {
        crate::checks::analysis_key(&Params {
            mode: Mode::default(),
            min_score: 0,
            max_score: 0,
            ..params.clone()
        })
    }

    /// Reads every line of `doc`: what each is before neighbours and images are considered.
    fn read_lines(&self, doc: &Document) -> Vec<LineRead> {
        let mut reads: Vec<LineRead> = doc
            .lines
            .iter()
            .map(|line| self.read_line(doc, line, true))
            .collect();
        // The present-tense guard costs a pass over the document: run it only when a caption
        // leans on the verb cue, then re-read those lines without it.
        let leans_on_verb = reads
            .iter()
            .any(|r| matches!(r, LineRead::Caption(s) if s.verb));
        if leans_on_verb && self.written_in_present(doc, &reads) {
            for (read, line) in reads.iter_mut().zip(&doc.lines) {
                if matches!(read, LineRead::Caption(s) if s.verb) {
                    *read = self.read_line(doc, line, false);
                }
            }
        }
        reads
    }

    fn read_line(&self, doc: &Document, line: &Line, present_ok: bool) -> LineRead {
        if !matches!(line.kind, LineKind::Body | LineKind::Subtitle) {
            return LineRead::Prose;
        }
        let (_, text) = content(doc.slice(&line.span));
        if let Some(what) = self.cues.credit_line(text) {
            return LineRead::Credit(what);
        }
        if self.cues.is_wire_trailer(text) {
            return LineRead::WireTrailer;
        }
        if text.len() <= self.params.max_caption_len
            && let Some(score) = self.cues.caption_score(text, present_ok)
        {
            return LineRead::Caption(score);
        }
        LineRead::Prose
    }

    /// Whether the document reads as written in the present tense throughout: too many of its
    /// long body lines open with a scene verb, so the verb is no caption cue there. Lines next to
    /// a credit line are left out of the count: they are captions, not the document's style.
    fn written_in_present(&self, doc: &Document, reads: &[LineRead]) -> bool {
        let mut long = 0usize;
        let mut present = 0usize;
        for (index, line) in doc.lines.iter().enumerate() {
            if line.kind != LineKind::Body || Self::neighbouring_credit(doc, reads, index).is_some()
            {
                continue;
            }
            let text = doc.slice(&line.span).trim();
            if text.len() < 40 {
                continue;
            }
            long += 1;
            if self.cues.scene_verb(text).is_some() {
                present += 1;
            }
        }
        long >= 4 && present as f64 > self.params.present_tense_share * long as f64
    }

    fn previous_text_line(doc: &Document, index: usize) -> Option<usize> {
        (0..index)
            .rev()
            .find(|&i| doc.lines[i].kind != LineKind::Blank)
    }

    fn next_text_line(doc: &Document, index: usize) -> Option<usize> {
        (index + 1..doc.lines.len()).find(|&i| doc.lines[i].kind != LineKind::Blank)
    }

    /// Whether an image stands with line `index`: on the line itself, or on the text line just
    /// before it, looking back over at most one more caption or credit line.
    fn is_resolved(doc: &Document, reads: &[LineRead], index: usize) -> bool {
        if shows_image(doc, index) {
            return true;
        }
        let mut at = index;
        for _ in 0..2 {
            let Some(prev) = Self::previous_text_line(doc, at) else {
                return false;
            };
            if shows_image(doc, prev) {
                return true;
            }
            if !matches!(reads[prev], LineRead::Credit(_) | LineRead::Caption(_)) {
                return false;
            }
            at = prev;
        }
        false
    }

    /// Whether a line holding only an agency name reads as a photo credit rather than a byline
    /// or source tag ("Associated Press" under the headline, "(AP)" at the end): it stands next
    /// to a caption, or in the middle of the prose, not in parentheses.
    fn agency_as_credit(doc: &Document, reads: &[LineRead], index: usize) -> bool {
        let prev = Self::previous_text_line(doc, index);
        let next = Self::next_text_line(doc, index);
        let is_caption =
            |i: Option<usize>| i.is_some_and(|i| matches!(reads[i], LineRead::Caption(_)));
        if is_caption(prev) || is_caption(next) {
            return true;
        }
        let prose = |i: Option<usize>| {
            i.is_some_and(|i| {
                doc.lines[i].kind == LineKind::Body
                    && matches!(reads[i], LineRead::Prose)
                    && doc.slice(&doc.lines[i].span).trim().len() >= 80
            })
        };
        let parenthesised = doc
            .slice(&doc.lines[index].span)
            .trim_start()
            .starts_with('(');
        !parenthesised && prose(prev) && prose(next)
    }

    /// The credit line next to caption line `index`, if any.
    fn neighbouring_credit(doc: &Document, reads: &[LineRead], index: usize) -> Option<usize> {
        let next = Self::next_text_line(doc, index);
        let prev = Self::previous_text_line(doc, index);
        [next, prev]
            .into_iter()
            .flatten()
            .find(|&i| matches!(reads[i], LineRead::Credit(_)))
    }

    fn report(&self, doc: &Document, out: &mut Vec<Finding>) {
        let reads = doc.memo(self.analysis_key, || self.read_lines(doc));
        let reads = reads.as_slice();
        for (index, read) in reads.iter().enumerate() {
            let finding = match (self.params.mode, read) {
                (Mode::CreditLine, LineRead::Credit(what)) => {
                    if Self::is_resolved(doc, reads, index)
                        || (*what == cues::AGENCY_ALONE
                            && !Self::agency_as_credit(doc, reads, index))
                    {
                        continue;
                    }
                    let mut f = line_finding(doc, index, "delete the photo credit line")
                        .arg("cues", *what)
                        .note("the photo this credit belonged to is gone; delete the line, or put the image back before it");
                    // Label the caption this credit closes, when either caption rule would
                    // report it with the credit's help.
                    if let Some(prev) = Self::previous_text_line(doc, index)
                        && let LineRead::Caption(score) = &reads[prev]
                        && score.total + CREDIT_NEXT_TO_IT >= 3
                        && score.has_scene_cue(true)
                    {
                        f = f.label(Label::here(
                            trimmed_span(doc, prev),
                            "the caption this credit belongs to",
                        ));
                    }
                    f
                }
                (Mode::Caption, LineRead::Caption(score)) => {
                    let mut score = score.clone();
                    let credit = Self::neighbouring_credit(doc, reads, index);
                    if credit.is_some() {
                        score.add(CREDIT_NEXT_TO_IT, "a credit line next to it");
                    }
                    if !self.in_band(score.total) || !score.has_scene_cue(credit.is_some()) {
                        continue;
                    }
                    if Self::is_resolved(doc, reads, index) {
                        continue;
                    }
                    let mut f = line_finding(doc, index, "delete the caption line")
                        .arg("cues", score.cues.join(", "))
                        .arg("score", score.total.to_string());
                    let base =
                        doc.lines[index].span.start + content(doc.slice(&doc.lines[index].span)).0;
                    f = match &score.credit_cut {
                        Some(cut) if score.only_a_credit() && credit.is_none() => {
                            // Only the credit marks this line: it may be prose with an image
                            // credit glued on, so the fix removes the credit alone.
                            f.fix = Some(Fix {
                                description: "delete the photo credit at the end of the line"
                                    .to_string(),
                                edits: vec![Edit {
                                    start: base + cut.start,
                                    end: base + cut.end,
                                    replacement: String::new(),
                                }],
                            });
                            f.note("a photo credit ends this line; delete it, and the line too if it is the caption of a photo that is gone")
                        }
                        _ => f.note("the photo this caption described is gone; delete the line, or put the image back before it"),
                    };
                    for (span, what) in &score.evidence {
                        f = f.label(Label::here(base + span.start..base + span.end, *what));
                    }
                    if let Some(credit) = credit {
                        f = f.label(Label::here(
                            trimmed_span(doc, credit),
                            "the photo credit that belongs to this caption",
                        ));
                    }
                    f
                }
                (Mode::WireTrailer, LineRead::WireTrailer) => line_finding(
                    doc,
                    index,
                    "delete the wire-service trailer",
                )
                .arg("cues", "reporting/editing credits")
                .note(
                    "staff credits of the wire story are not part of the article; delete the line",
                ),
                _ => continue,
            };
            out.push(finding);
        }
    }

    fn in_band(&self, total: u32) -> bool {
        total >= self.params.min_score
            && (self.params.max_score == 0 || total <= self.params.max_score)
    }
}

impl DocumentCheck for UnresolvedCaption {
    fn check(&self, doc: &Document, out: &mut Vec<Finding>) {
        self.report(doc, out);
    }
}

/// Whether line `index` shows an image: a Markdown image line or reference, or HTML markup.
fn shows_image(doc: &Document, index: usize) -> bool {
    let line = &doc.lines[index];
    if line.kind == LineKind::Image || doc.images.iter().any(|img| img.line == index) {
        return true;
    }
    let text = doc.slice(&line.span);
    text.contains("<img") || text.contains("<figure") || text.contains("<figcaption")
}

/// The text of a line without surrounding white space and Markdown emphasis markers
/// (`*Lawyers pray ...*`), with its offset into the line.
fn content(line: &str) -> (usize, &str) {
    let trimmed = line
        .trim_start()
        .trim_start_matches(['*', '_'])
        .trim_start();
    let offset = line.len() - trimmed.len();
    (
        offset,
        trimmed.trim_end().trim_end_matches(['*', '_']).trim_end(),
    )
}

fn trimmed_span(doc: &Document, index: usize) -> Range<usize> {
    let span = doc.lines[index].span.clone();
    let text = doc.slice(&span);
    let start = span.start + (text.len() - text.trim_start().len());
    start..start + text.trim().len()
}

/// A finding over the trimmed line with a fix deleting the whole line and its terminator.
fn line_finding(doc: &Document, index: usize, fix: &str) -> Finding {
    let span = trimmed_span(doc, index);
    let line = doc.slice(&span);
    let shown = match line.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    };
    let raw = doc.lines[index].span.clone();
    let rest = &doc.text[raw.end..];
    let end = if rest.starts_with("\r\n") {
        raw.end + 2
    } else if rest.starts_with('\n') {
        raw.end + 1
    } else {
        raw.end
    };
    Finding::new(span).arg("line", shown).fix(Fix {
        description: fix.to_string(),
        edits: vec![Edit {
            start: raw.start,
            end,
            replacement: String::new(),
        }],
    })
}

#[cfg(test)]
mod tests;
