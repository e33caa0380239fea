//! The document model: one article's text and its structure, all in byte spans.
//!
//! Parsing never fails: any valid UTF-8 text yields a `Document` (possibly with no headline and
//! no paragraphs). Decoding bytes (BOM, invalid UTF-8, binary) happens in `input`; this module
//! only sees `&str` and does no I/O.
//!
//! Two body layouts occur in real corpora and both are handled: one paragraph per line (the
//! seed) and paragraphs as blocks separated by blank lines (the BBC corpus), including
//! hard-wrapped blocks whose lines are joined into one paragraph.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use crate::text::{split_sentences, words};

/// How the text is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
}

impl Format {
    pub fn from_path(path: &str) -> Format {
        let ext = std::path::Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        if ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown") {
            Format::Markdown
        } else {
            Format::Text
        }
    }
}

/// What a line is, decided once by the document parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Blank,
    /// Inside YAML front matter (including the `---` fences).
    FrontMatter,
    Headline,
    Subtitle,
    /// A Markdown heading after the headline (`## Section`).
    Heading,
    /// A line that holds only a Markdown image reference.
    Image,
    /// A `<!-- copydesk-... -->` suppression directive.
    Directive,
    Body,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line without its terminator (`\n` or `\r\n`).
    pub span: Range<usize>,
    pub kind: LineKind,
}

/// A body paragraph: one or more consecutive `Body` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    pub span: Range<usize>,
    /// Indices into `Document::lines`.
    pub lines: Range<usize>,
    /// Indices into `Document::sentences`.
    pub sentences: Range<usize>,
}

/// A Markdown image reference `![alt](target)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub span: Range<usize>,
    pub alt: Range<usize>,
    /// Index into `Document::lines` of the line holding it.
    pub line: usize,
}

#[derive(Clone, Debug)]
pub struct Document {
    /// The path as the user sees it (`/` separators).
    pub path: Arc<str>,
    pub text: String,
    pub format: Format,
    pub lines: Vec<Line>,
    /// The headline text (without Markdown `#` markers or front-matter quotes).
    pub headline: Option<Range<usize>>,
    /// The subtitle or dek, when the line after the headline reads as one.
    pub subtitle: Option<Range<usize>>,
    pub paragraphs: Vec<Paragraph>,
    /// Sentences of the body paragraphs, in order.
    pub sentences: Vec<Range<usize>>,
    pub images: Vec<ImageRef>,
    /// The value of a front-matter `date:` key.
    pub front_matter_date: Option<Range<usize>>,
    /// Inline suppression directives, in order.
    pub suppressions: Vec<Suppression>,
    /// Rule ids named by `<!-- copydesk-enable ... -->`, with their spans (to check they exist).
    pub enabled: Vec<(String, Range<usize>)>,
    /// `<!-- copydesk-... -->` lines whose command is not one copydesk knows.
    pub unknown_directives: Vec<Range<usize>>,
    /// Analyses shared by the rules that check this document (see `memo`).
    memo: RefCell<Vec<MemoEntry>>,
}

/// One shared analysis: its type, the fingerprint of its parameters, the value.
type MemoEntry = (TypeId, u64, Rc<dyn Any>);

/// The buffers of the last document dropped on this thread, emptied, for the next one: a corpus
/// is mostly short documents parsed one after another on each thread, and allocating and freeing
/// their text and tables anew each time was a measurable share of the run (glibc frees a
/// text-sized block the slow way). Only buffers of ordinary size are kept.
#[derive(Default)]
struct Spare {
    text: Vec<u8>,
    lines: Vec<Line>,
    paragraphs: Vec<Paragraph>,
    sentences: Vec<Range<usize>>,
    memo: Vec<MemoEntry>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// A text buffer kept larger than this goes back to the allocator, as do tables of more entries
/// than `SPARE_ITEMS`.
const SPARE_TEXT: usize = 256 * 1024;
const SPARE_ITEMS: usize = 4096;

/// An empty buffer for a document's text, with room left by an earlier document of this thread
/// when there is one (`input::read_file` copies a file's bytes into it).
pub fn spare_text_buffer() -> Vec<u8> {
    SPARE
        .try_with(|spare| {
            spare
                .try_borrow_mut()
                .map(|mut s| std::mem::take(&mut s.text))
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Keeps `from` (emptied) in `into`, a thread's spare buffer, when it is no larger than `limit`
/// and has more room than `into` (per-thread buffers reused from document to document).
pub(crate) fn keep_spare<T>(into: &mut Vec<T>, from: &mut Vec<T>, limit: usize) {
    if from.capacity() <= limit && from.capacity() > into.capacity() {
        from.clear();
        std::mem::swap(into, from);
    }
}

impl Drop for Document {
    fn drop(&mut self) {
        // The analyses go first, while nothing is borrowed.
        self.memo.get_mut().clear();
        // `try_with`/`try_borrow_mut`: a document dropped while its thread ends simply frees its
        // buffers.
        let _ = SPARE.try_with(|spare| {
            let Ok(mut spare) = spare.try_borrow_mut() else {
                return;
            };
            let mut text = std::mem::take(&mut self.text).into_bytes();
            keep_spare(&mut spare.text, &mut text, SPARE_TEXT);
            keep_spare(&mut spare.lines, &mut self.lines, SPARE_ITEMS);
            keep_spare(&mut spare.paragraphs, &mut self.paragraphs, SPARE_ITEMS);
            keep_spare(&mut spare.sentences, &mut self.sentences, SPARE_ITEMS);
            keep_spare(&mut spare.memo, self.memo.get_mut(), SPARE_ITEMS);
        });
    }
}

/// What a suppression directive turns off, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The directive's own span.
    pub directive: Range<usize>,
    /// The rule ids named, with their spans; empty means every rule.
    pub rules: Vec<(String, Range<usize>)>,
    /// With no rule named: the rules an `enable` turned back on.
    pub except: Vec<String>,
    /// Findings starting in this byte range are suppressed.
    pub range: Range<usize>,
}

impl Suppression {
    pub fn covers(&self, rule: &str, offset: usize) -> bool {
        self.range.contains(&offset)
            && (self.rules.is_empty() || self.rules.iter().any(|(r, _)| r == rule))
            && !self.except.iter().any(|r| r == rule)
    }
}

impl Document {
    /// Builds the structure of `text`. `text` may start with a BOM; it is skipped, so spans stay
    /// offsets into the file.
    pub fn parse(path: Arc<str>, text: String) -> Document {
        let format = Format::from_path(&path);
        let mut doc = Document {
            path,
            text,
            format,
            lines: Vec::new(),
            headline: None,
            subtitle: None,
            paragraphs: Vec::new(),
            sentences: Vec::new(),
            images: Vec::new(),
            front_matter_date: None,
            suppressions: Vec::new(),
            enabled: Vec::new(),
            unknown_directives: Vec::new(),
            memo: RefCell::new(Vec::new()),
        };
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                doc.lines = std::mem::take(&mut spare.lines);
                doc.paragraphs = std::mem::take(&mut spare.paragraphs);
                doc.sentences = std::mem::take(&mut spare.sentences);
                *doc.memo.get_mut() = std::mem::take(&mut spare.memo);
            }
        });
        // Room for the usual article (lines of about 100 bytes, sentences of about 120) up
        // front: growing these vectors a push at a time cost more than the parse's own work.
        doc.lines.reserve(doc.text.len() / 96 + 2);
        doc.sentences.reserve(doc.text.len() / 128 + 1);
        doc.split_lines();
        doc.read_directives();
        let body_from = doc.read_front_matter();
        doc.find_headline(body_from);
        doc.find_images();
        doc.build_paragraphs();
        doc
    }

    /// Computes `analyse` once per document and `key`, and hands the same result to every rule
    /// that asks again. Sibling rules of one kind (the four caption rules, the two headline rules)
    /// analyse a document the same way and differ only in what they report; `key` is a
    /// fingerprint of the parameters the analysis depends on, so rules configured differently
    /// never share. A document lives on one thread, so this needs no locking.
    pub fn memo<T: 'static>(&self, key: u64, analyse: impl FnOnce() -> T) -> Rc<T> {
        let id = TypeId::of::<T>();
        let found = self
            .memo
            .borrow()
            .iter()
            .find(|(t, k, _)| *t == id && *k == key)
            .map(|(_, _, v)| Rc::clone(v));
        if let Some(v) = found.and_then(|v| v.downcast::<T>().ok()) {
            return v;
        }
        // Not borrowed while analysing: an analysis may itself use `memo`.
        let value = Rc::new(analyse());
        self.memo
            .borrow_mut()
            .push((id, key, Rc::clone(&value) as Rc<dyn Any>));
        value
    }

    /// The text of a span.
    pub fn slice(&self, span: &Range<usize>) -> &str {
        &self.text[span.clone()]
    }

    /// The body: everything after the headline and subtitle (or the whole text without one).
    pub fn body_span(&self) -> Range<usize> {
        let start = self
            .paragraphs
            .first()
            .map_or(self.text.len(), |p| p.span.start);
        let end = self
            .paragraphs
            .last()
            .map_or(self.text.len(), |p| p.span.end);
        start..end
    }

    /// Index of the line containing byte `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|l| l.span.end < offset)
            .min(self.lines.len().saturating_sub(1))
    }

    /// The paragraph containing byte `offset`.
    pub fn paragraph_at(&self, offset: usize) -> Option<&Paragraph> {
        let i = self.paragraphs.partition_point(|p| p.span.end <= offset);
        self.paragraphs.get(i).filter(|p| p.span.start <= offset)
    }

    /// Whether the document has no text but white space.
    pub fn is_blank(&self) -> bool {
        self.text.trim_start_matches('\u{feff}').trim().is_empty()
    }

    /// One line per `\n` (a final line without one too, unless it would be empty), `\r`
    /// stripped. One memchr pass finds the breaks; a line is blank when it holds only white
    /// space, which for the usual line (its first byte printable ASCII) the first byte settles.
    fn split_lines(&mut self) {
        let text = &self.text;
        let bytes = text.as_bytes();
        let from = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut start = from;
        let push = |lines: &mut Vec<Line>, start: usize, raw_end: usize| {
            let end = if raw_end > start && bytes[raw_end - 1] == b'\r' {
                raw_end - 1
            } else {
                raw_end
            };
            lines.push(Line {
                span: start..end,
                kind: line_kind(&text[start..end]),
            });
        };
        for nl in memchr::memchr_iter(b'\n', &bytes[from..]) {
            push(&mut self.lines, start, from + nl);
            start = from + nl + 1;
        }
        // The text after the last break: a line unless it is empty and follows one.
        if start < text.len() || self.lines.is_empty() {
            push(&mut self.lines, start, text.len());
        }
    }

    /// Finds `<!-- copydesk-disable[-next-line|-file] [rules] -->` and `<!-- copydesk-enable -->`
    /// lines. `disable` runs to the matching `enable` (or the end), `disable-next-line` covers the
    /// next non-blank line, `disable-file` the whole document.
    fn read_directives(&mut self) {
        if !self.text.contains("copydesk-") {
            return;
        }
        let mut open: Vec<Suppression> = Vec::new();
        for i in 0..self.lines.len() {
            let span = self.lines[i].span.clone();
            let raw = &self.text[span.clone()];
            let lead = raw.len() - raw.trim_start().len();
            let line = raw.trim();
            let Some(inner) = line
                .strip_prefix("<!--")
                .and_then(|l| l.strip_suffix("-->"))
            else {
                continue;
            };
            let inner_lead = inner.len() - inner.trim_start().len();
            let Some(rest) = inner.trim().strip_prefix("copydesk-") else {
                continue;
            };
            let rest_start = span.start + lead + "<!--".len() + inner_lead + "copydesk-".len();
            // Split on any white space, ASCII or not, keeping byte offsets on char boundaries.
            let (command, args, args_start) =
                match rest.char_indices().find(|(_, c)| c.is_whitespace()) {
                    Some((k, c)) => (
                        &rest[..k],
                        &rest[k + c.len_utf8()..],
                        rest_start + k + c.len_utf8(),
                    ),
                    None => (rest, "", rest_start + rest.len()),
                };
            let mut rules: Vec<(String, Range<usize>)> = Vec::new();
            let mut from: Option<usize> = None;
            for (k, c) in args
                .char_indices()
                .chain(std::iter::once((args.len(), ',')))
            {
                let separator = c == ',' || c.is_whitespace();
                match (separator, from) {
                    (true, Some(f)) => {
                        rules.push((args[f..k].to_string(), args_start + f..args_start + k));
                        from = None;
                    }
                    (false, None) => from = Some(k),
                    _ => {}
                }
            }
            self.lines[i].kind = LineKind::Directive;
            let range = match command {
                "disable" => {
                    open.push(Suppression {
                        directive: span.clone(),
                        rules,
                        except: Vec::new(),
                        range: span.end..self.text.len(),
                    });
                    continue;
                }
                "enable" => {
                    let names: Vec<String> = rules.iter().map(|(r, _)| r.clone()).collect();
                    self.enabled.extend(rules);
                    for mut s in std::mem::take(&mut open) {
                        // Every open suppression ends here; what the enable does not name goes
                        // on from here in a new one.
                        let rest = span.end..s.range.end;
                        s.range.end = span.start;
                        let remaining = if names.is_empty() {
                            None
                        } else if s.rules.is_empty() {
                            let mut except = s.except.clone();
                            except.extend(names.iter().cloned());
                            Some(Suppression {
                                directive: s.directive.clone(),
                                rules: Vec::new(),
                                except,
                                range: rest,
                            })
                        } else {
                            let kept: Vec<_> = s
                                .rules
                                .iter()
                                .filter(|(r, _)| !names.contains(r))
                                .cloned()
                                .collect();
                            (!kept.is_empty()).then(|| Suppression {
                                directive: s.directive.clone(),
                                rules: kept,
                                except: Vec::new(),
                                range: rest,
                            })
                        };
                        self.suppressions.push(s);
                        open.extend(remaining);
                    }
                    continue;
                }
                "disable-next-line" => {
                    let next =
                        (i + 1..self.lines.len()).find(|&j| self.lines[j].kind == LineKind::Body);
                    next.map_or(span.end..span.end, |j| self.lines[j].span.clone())
                }
                "disable-file" => 0..self.text.len(),
                _ => {
                    // A misspelled command silences nothing; the engine reports it.
                    self.unknown_directives
                        .push(span.start + lead..span.start + lead + line.len());
                    continue;
                }
            };
            self.suppressions.push(Suppression {
                directive: span,
                rules,
                except: Vec::new(),
                range,
            });
        }
        self.suppressions.extend(open);
        self.suppressions.sort_by_key(|s| s.directive.start);
    }

    /// Marks YAML front matter (Markdown only) and records `title:` and `date:`. Returns the index
    /// of the first line after it.
    fn read_front_matter(&mut self) -> usize {
        if self.format != Format::Markdown {
            return 0;
        }
        let Some(first) = self.lines.first() else {
            return 0;
        };
        if self.text[first.span.clone()].trim_end() != "---" {
            return 0;
        }
        let Some(close) = self.lines.iter().skip(1).position(|l| {
            let t = self.text[l.span.clone()].trim_end();
            t == "---" || t == "..."
        }) else {
            return 0;
        };
        let close = close + 1;
        for i in 0..=close {
            self.lines[i].kind = LineKind::FrontMatter;
            let span = self.lines[i].span.clone();
            let line = &self.text[span.clone()];
            for (key, is_title) in [("title:", true), ("date:", false)] {
                if let Some(rest) = line.strip_prefix(key) {
                    let value = unquote(span.start + key.len(), rest);
                    if value.is_empty() {
                        continue;
                    }
                    if is_title {
                        self.headline = Some(value);
                    } else {
                        self.front_matter_date = Some(value);
                    }
                }
            }
        }
        close + 1
    }

    fn find_headline(&mut self, from: usize) {
        let Some(first) = (from..self.lines.len()).find(|&i| self.lines[i].kind == LineKind::Body)
        else {
            return;
        };
        let span = self.lines[first].span.clone();
        let line = &self.text[span.clone()];
        let is_md_heading = self.format == Format::Markdown && line.starts_with("# ");
        if self.headline.is_none() {
            self.headline = Some(if is_md_heading {
                let inner = trim_span(&self.text, span.start + 2..span.end);
                let t = &self.text[inner.clone()];
                let stripped = t.trim_end_matches('#').trim_end();
                inner.start..inner.start + stripped.len()
            } else {
                trim_span(&self.text, span)
            });
            self.lines[first].kind = LineKind::Headline;
        } else if is_md_heading {
            // Front matter gave the title; a repeated `# Title` line is still not body text.
            self.lines[first].kind = LineKind::Headline;
        } else {
            return;
        }
        let Some(second) =
            (first + 1..self.lines.len()).find(|&i| self.lines[i].kind == LineKind::Body)
        else {
            return;
        };
        let span = trim_span(&self.text, self.lines[second].span.clone());
        let line = &self.text[span.clone()];
        let markup = self.format == Format::Markdown && line.starts_with(['#', '!', '<', '>']);
        if !markup && reads_as_subtitle(line) {
            self.subtitle = Some(span);
            self.lines[second].kind = LineKind::Subtitle;
        }
    }

    fn find_images(&mut self) {
        if self.format != Format::Markdown {
            return;
        }
        for (index, line) in self.lines.iter_mut().enumerate() {
            if line.kind != LineKind::Body {
                continue;
            }
            let text = &self.text[line.span.clone()];
            let mut rest_from = 0;
            while let Some(found) = find_image(text, rest_from) {
                let (span, alt) = found;
                let base = line.span.start;
                self.images.push(ImageRef {
                    span: base + span.start..base + span.end,
                    alt: base + alt.start..base + alt.end,
                    line: index,
                });
                rest_from = span.end;
            }
            let trimmed = text.trim();
            if trimmed.starts_with("![")
                && find_image(trimmed, 0).is_some_and(|(s, _)| s.end == trimmed.len())
            {
                line.kind = LineKind::Image;
            } else if trimmed.starts_with('#') {
                line.kind = LineKind::Heading;
            }
        }
    }

    fn build_paragraphs(&mut self) {
        let mut i = 0;
        while i < self.lines.len() {
            if self.lines[i].kind != LineKind::Body {
                i += 1;
                continue;
            }
            let block_start = i;
            while i < self.lines.len() && self.lines[i].kind == LineKind::Body {
                i += 1;
            }
            let block = block_start..i;
            if self.is_wrapped_block(block.clone()) {
                self.push_paragraph(block);
            } else {
                for line in block {
                    self.push_paragraph(line..line + 1);
                }
            }
        }
    }

    /// A block of several lines is one hard-wrapped paragraph when some line other than the last
    /// runs on into the next (it does not end like a sentence or a short standalone line).
    fn is_wrapped_block(&self, block: Range<usize>) -> bool {
        if block.len() < 2 {
            return true;
        }
        block.clone().take(block.len() - 1).any(|i| {
            let line = self.text[self.lines[i].span.clone()].trim_end();
            let ends_sentence = line.ends_with(['.', '!', '?', ':', '"', '”', '’', ')']);
            // More than 60 chars: never in 60 bytes or fewer, always in more than 240.
            !ends_sentence && line.len() > 60 && (line.len() > 240 || line.chars().count() > 60)
        })
    }

    fn push_paragraph(&mut self, lines: Range<usize>) {
        let span = trim_span(
            &self.text,
            self.lines[lines.start].span.start..self.lines[lines.end - 1].span.end,
        );
        if span.is_empty() {
            return;
        }
        let first_sentence = self.sentences.len();
        split_sentences(&self.text, span.clone(), &mut self.sentences);
        let sentences = first_sentence..self.sentences.len();
        self.paragraphs.push(Paragraph {
            span,
            lines,
            sentences,
        });
    }
}

/// Whether the line after a headline reads as a subtitle (dek): short, no sentence-final full
/// stop, not a byline or dateline.
fn reads_as_subtitle(line: &str) -> bool {
    if line.len() > 4 * 220 || line.chars().count() > 220 {
        return false;
    }
    let starts_with_ci = |prefix: &str| {
        line.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    if starts_with_ci("by ") || starts_with_ci("updated") || starts_with_ci("published") {
        return false;
    }
    // One pass over the words counts them (giving up past 30) and gathers what
    // `text::is_title_case` would, which is needed only after a full stop or the like.
    let title_test = line.ends_with(['.', ':', ';', ',']);
    let (mut n_words, mut long, mut capital) = (0usize, 0usize, 0usize);
    for w in words(line, 0..line.len()) {
        n_words += 1;
        if n_words > 30 {
            return false;
        }
        // At least 4 chars: 16 bytes always hold 4, fewer than 4 bytes never do.
        let n = w.text.len();
        if title_test && n >= 4 && (n >= 16 || w.text.chars().count() >= 4) {
            long += 1;
            if w.text.chars().next().is_some_and(char::is_uppercase) {
                capital += 1;
            }
        }
    }
    if n_words < 3 {
        return false;
    }
    // `is_title_case`: some long words, and at least three in four of them capitalised.
    if title_test && !(long > 0 && capital * 4 >= long * 3) {
        return false;
    }
    // A dateline ("LONDON (Reuters) -") opens the body, not a dek.
    !(line.contains(" (Reuters)") || line.contains(" (AP)") || line.contains(" (AFP)"))
}

/// `Blank` when `line` holds only white space, else `Body`.
fn line_kind(line: &str) -> LineKind {
    // A printable ASCII first byte is not white space: no need to decode the rest.
    let blank = match line.as_bytes().first() {
        None => true,
        Some(&b) if b > b' ' && b < 0x7f => false,
        Some(_) => line.trim().is_empty(),
    };
    if blank {
        LineKind::Blank
    } else {
        LineKind::Body
    }
}

fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let s = &text[span.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return span.start..span.start;
    }
    span.start + lead..span.end - trail
}

/// The span of a YAML scalar value starting at `base`, without surrounding quotes.
fn unquote(base: usize, raw: &str) -> Range<usize> {
    let lead = raw.len() - raw.trim_start().len();
    let value = raw.trim();
    let start = base + lead;
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return start + 1..start + value.len() - 1;
        }
    }
    start..start + value.len()
}

/// Finds `![alt](target)` in `text` at or after `from`: (whole span, alt span), relative.
fn find_image(text: &str, from: usize) -> Option<(Range<usize>, Range<usize>)> {
    let mut at = from;
    while let Some(i) = text[at..].find("![") {
        let open = at + i;
        let alt_start = open + 2;
        if let Some(close) = text[alt_start..].find(']') {
            let alt_end = alt_start + close;
            if text[alt_end + 1..].starts_with('(')
                && let Some(paren) = text[alt_end + 2..].find(')')
            {
                let end = alt_end + 2 + paren + 1;
                return Some((open..end, alt_start..alt_end));
            }
        }
        at = alt_start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{RandomTexts, is_title_case};

    /// The parts of a document that parsing decides, for comparing two parses.
    fn structure(d: &Document) -> String {
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            d.text, d.lines, d.headline, d.subtitle, d.paragraphs, d.sentences, d.images
        )
    }

    /// A document parsed into the buffers an earlier one left (`Spare`) is the document parsed
    /// afresh: nothing of the earlier one shows through, whatever their sizes.
    #[test]
    fn reused_buffers_leave_no_trace() {
        let long = format!(
            "Long headline\n\n{}",
            "A sentence here. Another one.\n\n".repeat(40)
        );
        let texts = [
            long.as_str(),
            "Short\n\nOne paragraph.",
            "",
            "Headline\nDek line here\n\nBody one. Body two.\n\nBody three.",
        ];
        let fresh: Vec<String> = std::thread::scope(|s| {
            texts
                .iter()
                .map(|t| s.spawn(|| structure(&doc("a.txt", t))).join().unwrap())
                .collect()
        });
        for round in 0..2 {
            for (text, want) in texts.iter().zip(&fresh) {
                let d = doc("a.txt", text);
                let _ = d.memo(round, || 1u8);
                assert_eq!(&structure(&d), want, "{text:?}");
                let mut bytes = spare_text_buffer();
                assert!(bytes.is_empty());
                bytes.extend_from_slice(text.as_bytes());
                assert_eq!(
                    structure(&Document::parse(
                        Arc::from("a.txt"),
                        String::from_utf8(bytes).unwrap()
                    )),
                    *want
                );
            }
        }
    }

    fn doc(path: &str, text: &str) -> Document {
        Document::parse(Arc::from(path), text.to_string())
    }

    #[test]
    fn seed_layout_one_paragraph_per_line() {
        let text = std::fs::read_to_string("seeds/000_9b82e2ada17d45fb.txt").unwrap();
        let d = doc("seed.txt", &text);
        assert_eq!(
            d.slice(d.headline.as_ref().unwrap()),
            "The Russian Military’s People Problem"
        );
        assert_eq!(
            d.slice(d.subtitle.as_ref().unwrap()),
            "It’s Hard for Moscow to Win While Mistreating Its Soldiers"
        );
        assert_eq!(d.paragraphs.len(), 8);
        assert_eq!(d.slice(&d.paragraphs[3].span), "Caren Firouz / Reuters");
    }

    #[test]
    fn bbc_layout_blocks_separated_by_blank_lines() {
        let d = doc(
            "a.txt",
            "Ad sales boost profit\n\nProfits jumped 76% to $1.13bn. Sales rose.\n\nIt lost subscribers.\n",
        );
        assert_eq!(
            d.slice(d.headline.as_ref().unwrap()),
            "Ad sales boost profit"
        );
        assert_eq!(d.subtitle, None);
        assert_eq!(d.paragraphs.len(), 2);
        assert_eq!(d.sentences.len(), 3);
    }

    #[test]
    fn hard_wrapped_block_is_one_paragraph() {
        let d = doc(
            "a.txt",
            "Title here\n\nThis paragraph is wrapped at a fixed width so that it runs on\nacross two lines of text.\n",
        );
        assert_eq!(d.paragraphs.len(), 1);
        assert_eq!(d.sentences.len(), 1);
    }

    #[test]
    fn crlf_and_bom() {
        let d = doc(
            "a.txt",
            "\u{feff}Headline words here\r\n\r\nBody text. More text.\r\n",
        );
        assert_eq!(d.headline, Some(3..22));
        assert_eq!(d.slice(&d.paragraphs[0].span), "Body text. More text.");
    }

    #[test]
    fn markdown_front_matter_heading_and_images() {
        let text = "---\ntitle: \"Quetta attack\"\ndate: 2016-08-09\n---\n\n# Quetta attack\n\n![A photo](img.jpg)\nLawyers pray in Islamabad.\n\n## Background\n\nText.\n";
        let d = doc("a.md", text);
        assert_eq!(d.slice(d.headline.as_ref().unwrap()), "Quetta attack");
        assert_eq!(d.slice(d.front_matter_date.as_ref().unwrap()), "2016-08-09");
        assert_eq!(d.images.len(), 1);
        assert_eq!(d.slice(&d.images[0].alt), "A photo");
        assert_eq!(d.lines[d.images[0].line].kind, LineKind::Image);
        let paras: Vec<&str> = d.paragraphs.iter().map(|p| d.slice(&p.span)).collect();
        assert_eq!(paras, vec!["Lawyers pray in Islamabad.", "Text."]);
    }

    #[test]
    fn suppression_directives() {
        let text = "Headline words\n\n<!-- copydesk-disable-next-line doubled-word -->\nthe the one.\n\n<!-- copydesk-disable -->\nall off here.\n<!-- copydesk-enable -->\nback on.\n<!-- copydesk-disable-file missing-space-after-period, other -->\n";
        let d = doc("a.txt", text);
        let kinds: Vec<LineKind> = d.lines.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == LineKind::Directive).count(),
            4
        );
        let paras: Vec<&str> = d.paragraphs.iter().map(|p| d.slice(&p.span)).collect();
        assert_eq!(paras, vec!["the the one.", "all off here.", "back on."]);
        let at = |s: &str| text.find(s).unwrap();
        let covers = |rule: &str, s: &str| d.suppressions.iter().any(|x| x.covers(rule, at(s)));
        assert!(covers("doubled-word", "the the"));
        assert!(!covers("other-rule", "the the"));
        assert!(covers("anything", "all off"));
        assert!(!covers("anything", "back on"));
        assert!(covers("missing-space-after-period", "Headline"));
        assert!(covers("other", "back on"));
        let last = d.suppressions.last().unwrap();
        let names: Vec<&str> = last
            .rules
            .iter()
            .map(|(_, span)| &text[span.clone()])
            .collect();
        assert_eq!(names, vec!["missing-space-after-period", "other"]);
        assert_eq!(last.rules[0].0, "missing-space-after-period");
    }

    /// `split_lines` as it was before the memchr pass: the reference for the test below.
    fn split_lines_reference(text: &str) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        while start <= text.len() {
            let nl = text[start..].find('\n').map(|i| start + i);
            let raw_end = nl.unwrap_or(text.len());
            let end = if raw_end > start && text.as_bytes()[raw_end - 1] == b'\r' {
                raw_end - 1
            } else {
                raw_end
            };
            if nl.is_none() && start == end && start == text.len() && !lines.is_empty() {
                break;
            }
            let kind = if text[start..end].trim().is_empty() {
                LineKind::Blank
            } else {
                LineKind::Body
            };
            lines.push(Line {
                span: start..end,
                kind,
            });
            match nl {
                Some(i) => start = i + 1,
                None => break,
            }
        }
        lines
    }

    /// `reads_as_subtitle` as it was before its single pass over the words.
    fn reads_as_subtitle_reference(line: &str) -> bool {
        if line.len() > 4 * 220 || line.chars().count() > 220 {
            return false;
        }
        let n_words = words(line, 0..line.len()).count();
        if !(3..=30).contains(&n_words) {
            return false;
        }
        if line.ends_with(['.', ':', ';', ',']) && !is_title_case(line) {
            return false;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("by ")
            || lower.starts_with("updated")
            || lower.starts_with("published")
        {
            return false;
        }
        !(line.contains(" (Reuters)") || line.contains(" (AP)") || line.contains(" (AFP)"))
    }

    #[test]
    fn split_lines_and_subtitle_test_match_references_on_random_texts() {
        let alphabet = [
            "\n",
            "\r\n",
            "\r",
            " ",
            "\t",
            "\u{b}",
            "\u{1c}",
            "\u{a0}",
            "\u{2028}",
            "\u{feff}",
            "word",
            "Word",
            "Title",
            "Über",
            "éclair",
            "ÉÉÉÉ",
            "ab",
            "Abc",
            "Abcd",
            "Übe",
            "ßßß",
            ".",
            ":",
            ";",
            ",",
            "-",
            "'",
            "By ",
            "bY ",
            "UPDATED",
            "Published",
            " (Reuters)",
            " (AP)",
            " (AFP)",
            "\u{7f}",
            "x",
        ];
        let mut random = RandomTexts::new();
        for round in 0..30_000 {
            let (mut text, _) =
                random.text_and_range(&alphabet, if round % 2 == 0 { 12 } else { 70 });
            if round % 5 == 0 {
                text.insert(0, '\u{feff}');
            }
            let mut d = doc("a.txt", "");
            d.text.clone_from(&text);
            d.lines.clear();
            d.split_lines();
            assert_eq!(d.lines, split_lines_reference(&text), "{text:?}");
            assert_eq!(
                reads_as_subtitle(&text),
                reads_as_subtitle_reference(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn empty_text_has_no_structure() {
        let d = doc("a.txt", "");
        assert!(d.is_blank());
        assert_eq!(d.headline, None);
        assert!(d.paragraphs.is_empty());
    }
}
