//! Excerpts for the human emitter. News corpora often keep a whole paragraph on one line (the
//! seed has 1,000-character lines), and a snippet that prints the full line buries the span.
//! An `Excerpt` keeps only the lines a diagnostic touches, cut to a window around its spans,
//! while reporting the real line and column numbers through codespan's `Files` trait.

use std::ops::Range;

use codespan_reporting::files::{Error, Files};

use super::LineIndex;

/// Characters of context kept on each side of the spans on a long line.
const CONTEXT_CHARS: usize = 60;
/// Lines up to this many characters are shown whole.
const SHORT_LINE_CHARS: usize = 160;
const ELLIPSIS: &str = "…";

/// One excerpted line: where it came from and where it sits in the excerpt.
struct ExcerptLine {
    /// 1-based line number in the original text.
    number: usize,
    /// The window of the original text kept (byte range).
    window: Range<usize>,
    /// 1-based column, in characters, of `window.start` in the original line.
    first_column: usize,
    /// Byte range of the whole excerpt line (prefix ellipsis included) in `Excerpt::text`.
    range: Range<usize>,
    /// Bytes of the prefix ellipsis (0 or 3).
    prefix: usize,
}

/// The excerpt of one file for one diagnostic.
pub struct Excerpt {
    name: String,
    text: String,
    lines: Vec<ExcerptLine>,
}

impl Excerpt {
    /// Builds an excerpt of `source` showing `spans` (byte ranges into `source`).
    #[cfg(test)]
    pub fn new(name: &str, source: &str, spans: &[Range<usize>]) -> Excerpt {
        Excerpt::with_index(name, &LineIndex::new(source), spans)
    }

    /// As `new`, with the source's line index built once by the caller (a file with many
    /// findings is scanned once, not once per finding).
    pub fn with_index(name: &str, index: &LineIndex<'_>, spans: &[Range<usize>]) -> Excerpt {
        let source = index.text();
        let line_starts = index.starts();
        let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
        let line_span = |l: usize| {
            // A BOM is part of the file but not of its first line's text.
            let start = if l == 0 && source.starts_with('\u{feff}') {
                3
            } else {
                line_starts[l]
            };
            let mut end = line_starts.get(l + 1).map_or(source.len(), |&n| n - 1);
            if end > start && source.as_bytes()[end - 1] == b'\r' {
                end -= 1;
            }
            start..end
        };

        // The pieces of each line that spans touch, merged when they lie close together: a
        // finding and a label far apart on one long line get a window each.
        let mut touched: Vec<(usize, usize, usize)> = Vec::new(); // (line, start, end)
        for span in spans {
            let span = clamp(source, span);
            let (first, last) = (line_of(span.start), line_of(span.end.max(span.start)));
            for l in first..=last {
                let ls = line_span(l);
                let s = span.start.max(ls.start);
                let e = span.end.min(ls.end).max(s);
                touched.push((l, s, e));
            }
        }
        touched.sort_unstable();
        let mut merged: Vec<(usize, usize, usize)> = Vec::new();
        for (l, s, e) in touched {
            let short = source[line_span(l)].chars().count() <= SHORT_LINE_CHARS;
            match merged.last_mut() {
                Some(m) if m.0 == l && (short || s <= m.2 + 4 * CONTEXT_CHARS) => m.2 = m.2.max(e),
                _ => merged.push((l, s, e)),
            }
        }
        let touched = merged;

        let mut text = String::new();
        let mut lines = Vec::new();
        for (l, s, e) in touched {
            let ls = line_span(l);
            let line = &source[ls.clone()];
            let window = if line.chars().count() <= SHORT_LINE_CHARS {
                ls.clone()
            } else {
                let start = back_chars(source, s, CONTEXT_CHARS).max(ls.start);
                let end = forward_chars(source, e, CONTEXT_CHARS).min(ls.end);
                start..end
            };
            let first_column = if window.start == ls.start {
                1
            } else {
                index.position(window.start).column
            };
            let begin = text.len();
            let prefix = if window.start > ls.start {
                ELLIPSIS.len()
            } else {
                0
            };
            if prefix > 0 {
                text.push_str(ELLIPSIS);
            }
            text.push_str(&source[window.clone()]);
            if window.end < ls.end {
                text.push_str(ELLIPSIS);
            }
            lines.push(ExcerptLine {
                number: l + 1,
                window,
                first_column,
                range: begin..text.len(),
                prefix,
            });
            text.push('\n');
        }
        Excerpt {
            name: name.to_string(),
            text,
            lines,
        }
    }

    /// Maps a byte range of the original source into the excerpt.
    pub fn map(&self, span: &Range<usize>) -> Range<usize> {
        let map_one = |o: usize| {
            for line in &self.lines {
                if o <= line.window.end && o >= line.window.start {
                    return line.range.start + line.prefix + (o - line.window.start);
                }
            }
            // Outside every window: snap to the nearest kept position.
            self.lines
                .iter()
                .find(|line| o < line.window.start)
                .map_or(self.text.len().saturating_sub(1), |line| {
                    line.range.start + line.prefix
                })
        };
        let start = map_one(span.start);
        let end = map_one(span.end).max(start);
        start..end
    }

    fn line(&self, index: usize) -> Result<&ExcerptLine, Error> {
        self.lines.get(index).ok_or(Error::LineTooLarge {
            given: index,
            max: self.lines.len(),
        })
    }
}

fn clamp(source: &str, span: &Range<usize>) -> Range<usize> {
    let end = span.end.min(source.len());
    span.start.min(end)..end
}

fn back_chars(s: &str, from: usize, n: usize) -> usize {
    s[..from]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(from, |(i, _)| i)
}

fn forward_chars(s: &str, from: usize, n: usize) -> usize {
    s[from..]
        .char_indices()
        .nth(n)
        .map_or(s.len(), |(i, _)| from + i)
}

/// All excerpts of one report, indexed by the ids handed to codespan.
#[derive(Default)]
pub struct Excerpts {
    files: Vec<Excerpt>,
}

impl Excerpts {
    pub fn add(&mut self, excerpt: Excerpt) -> usize {
        self.files.push(excerpt);
        self.files.len() - 1
    }

    pub fn get(&self, id: usize) -> &Excerpt {
        &self.files[id]
    }
}

impl<'a> Files<'a> for Excerpts {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, Error> {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(Error::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, Error> {
        self.files
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(Error::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, Error> {
        let f = self.files.get(id).ok_or(Error::FileMissing)?;
        Ok(f.lines
            .partition_point(|l| l.range.start <= byte_index)
            .saturating_sub(1))
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, Error> {
        let f = self.files.get(id).ok_or(Error::FileMissing)?;
        Ok(f.line(line_index)?.number)
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        let f = self.files.get(id).ok_or(Error::FileMissing)?;
        let line = f.line(line_index)?;
        let from = (line.range.start + line.prefix).min(byte_index);
        let to = byte_index.min(line.range.end).max(from);
        Ok(line.first_column + f.text[from..to].chars().count())
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, Error> {
        let f = self.files.get(id).ok_or(Error::FileMissing)?;
        let line = f.line(line_index)?;
        Ok(line.range.start..line.range.end + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_line_is_windowed_with_real_positions() {
        let long = format!("{}TARGET{}", "a".repeat(300), "b".repeat(300));
        let source = format!("short line\n{long}\n");
        let start = source.find("TARGET").unwrap();
        let target = start..start + 6;
        let ex = Excerpt::new("f.txt", &source, std::slice::from_ref(&target));
        let mut files = Excerpts::default();
        let id = files.add(ex);
        let ex = files.get(id);
        let mapped = ex.map(&(start..start + 6));
        assert_eq!(&ex.text[mapped.clone()], "TARGET");
        let li = files.line_index(id, mapped.start).unwrap();
        assert_eq!(files.line_number(id, li).unwrap(), 2);
        assert_eq!(files.column_number(id, li, mapped.start).unwrap(), 301);
        assert!(ex.text.starts_with(ELLIPSIS) && ex.text.trim_end().ends_with(ELLIPSIS));
    }

    #[test]
    fn short_lines_are_whole() {
        let source = "one\ntwo words here\nthree\n";
        let ex = Excerpt::new("f.txt", source, &[4..7, 14..18]);
        assert_eq!(ex.text, "two words here\n");
        assert_eq!(&ex.text[ex.map(&(14..18))], "here");
    }
}
