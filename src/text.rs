//! Small text utilities shared by the document model and the checks: word iteration and
//! abbreviation-aware sentence splitting, all in byte offsets. No allocation per token.

use std::ops::Range;

use crate::swar;

/// Titles, honorifics, AP month abbreviations and other words that end in a full stop without
/// ending a sentence. Compared case-sensitively against the word before the stop.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Col", "Lt", "Sgt", "Capt", "Cmdr", "Maj", "Adm",
    "Brig", "Gov", "Sen", "Rep", "Pres", "Rev", "Hon", "St", "Jr", "Sr", "Mt", "Ft", "No", "Nos",
    "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon", "Tue", "Tues",
    "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun", "vs", "v", "approx", "est", "Inc", "Corp",
    "Co", "Ltd", "Bros", "Messrs", "Supt", "Insp", "Det", "Cpl", "Pvt", "Sgt", "Ald", "Fr", "cf",
    "al", "Ave", "Blvd", "Rd", "Univ", "Dept", "Fig", "Vol", "pp", "p", "ca",
];

/// True for characters that may close a sentence after its terminal punctuation.
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

/// True for characters that may open a sentence before its first letter.
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '¿' | '¡' | '—' | '-'
    )
}

/// The word ending right before byte `end` (letters, digits and internal dots).
fn word_before(text: &str, end: usize) -> &str {
    // ASCII fast path: walk back over bytes; a non-ASCII byte hands over to the char loop.
    let bytes = text.as_bytes();
    let mut start = end;
    while start > 0 {
        let b = bytes[start - 1];
        if b.is_ascii_alphanumeric() || b == b'.' {
            start -= 1;
        } else if b >= 0x80 {
            return word_before_general(text, end);
        } else {
            break;
        }
    }
    &text[start..end]
}

/// `word_before` a char at a time (any text).
fn word_before_general(text: &str, end: usize) -> &str {
    let start = text[..end]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '.')
        .last()
        .map_or(end, |(i, _)| i);
    &text[start..end]
}

/// A word of up to 7 bytes packed into a u64 (bytes little-endian, length in the top byte), so
/// that listed abbreviations compare as integers; `None` for longer words.
const fn pack_word(word: &[u8]) -> Option<u64> {
    if word.len() > 7 {
        return None;
    }
    let mut packed = (word.len() as u64) << 56;
    let mut i = 0;
    while i < word.len() {
        packed |= (word[i] as u64) << (8 * i);
        i += 1;
    }
    Some(packed)
}

/// `ABBREVIATIONS` packed and sorted, for a binary search instead of 80 string compares.
static PACKED_ABBREVIATIONS: [u64; ABBREVIATIONS.len()] = {
    let mut table = [0u64; ABBREVIATIONS.len()];
    let mut i = 0;
    while i < table.len() {
        table[i] = match pack_word(ABBREVIATIONS[i].as_bytes()) {
            Some(p) => p,
            None => panic!("abbreviations are at most 7 bytes"),
        };
        i += 1;
    }
    // Insertion sort (const context).
    let mut i = 1;
    while i < table.len() {
        let mut j = i;
        while j > 0 && table[j - 1] > table[j] {
            let t = table[j - 1];
            table[j - 1] = table[j];
            table[j] = t;
            j -= 1;
        }
        i += 1;
    }
    table
};

/// Whether a full stop at the end of `word` is part of an abbreviation rather than a sentence
/// end: listed abbreviations, single initials ("J."), and dotted acronyms ("U.S", "e.g").
fn is_abbreviation(word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    if pack_word(word.as_bytes()).is_some_and(|p| PACKED_ABBREVIATIONS.binary_search(&p).is_ok()) {
        return true;
    }
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    // "J." as an initial.
    if first.is_uppercase() && chars.next().is_none() {
        return true;
    }
    // "U.S", "U.N", "e.g", "i.e": letters separated by dots.
    word.contains('.') && word.split('.').all(|part| part.chars().count() <= 2)
}

/// White space as `char::is_whitespace` sees it, for an ASCII byte.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// Splits `text[range]` into sentences, returning absolute byte ranges trimmed of surrounding
/// white space. A sentence ends at `.`, `!` or `?` (plus closing quotes or brackets) followed by
/// white space and an upper-case letter, digit or opening quote, unless the full stop belongs to an
/// abbreviation. Line breaks inside the range are not boundaries on their own.
pub fn split_sentences(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let base = range.start;
    let bytes = slice.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Jump to the next terminator: most bytes are not one.
        let Some(skip) = memchr::memchr3(b'.', b'!', b'?', &bytes[i..]) else {
            break;
        };
        i += skip;
        let b = bytes[i];
        {
            // Extend over repeated terminators and closers.
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?') {
                end += 1;
            }
            // Closers: ASCII ones by byte, others decoded.
            while let Some(&c) = bytes.get(end) {
                if c < 0x80 {
                    if !matches!(c, b'"' | b'\'' | b')' | b']') {
                        break;
                    }
                    end += 1;
                } else {
                    match slice[end..].chars().next() {
                        Some(c) if is_closer(c) => end += c.len_utf8(),
                        _ => break,
                    }
                }
            }
            // White space after them: ASCII by byte, decoding from the first non-ASCII byte.
            let mut ws_end = end;
            while ws_end < bytes.len() && is_ascii_space(bytes[ws_end]) {
                ws_end += 1;
            }
            if ws_end < bytes.len() && bytes[ws_end] >= 0x80 {
                ws_end = slice[ws_end..]
                    .char_indices()
                    .find(|&(_, c)| !c.is_whitespace())
                    .map_or(slice.len(), |(j, _)| ws_end + j);
            }
            let boundary = if ws_end == end {
                false
            } else if ws_end == slice.len() {
                true
            } else {
                let next = bytes[ws_end];
                let starts_sentence = if next < 0x80 {
                    next.is_ascii_uppercase()
                        || next.is_ascii_digit()
                        || matches!(next, b'"' | b'\'' | b'(' | b'[' | b'-')
                } else {
                    let next = slice[ws_end..].chars().next().unwrap_or(' ');
                    next.is_uppercase() || next.is_numeric() || is_opener(next)
                };
                starts_sentence
                    && !(b == b'.' && end == i + 1 && is_abbreviation(word_before(slice, i)))
            };
            if boundary {
                push_trimmed(slice, base, start..end, out);
                start = ws_end;
                i = ws_end;
                continue;
            }
            i = end;
        }
    }
    if start < slice.len() {
        push_trimmed(slice, base, start..slice.len(), out);
    }
}

fn push_trimmed(slice: &str, base: usize, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let piece = &slice[range.clone()];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead + trail < piece.len() {
        out.push(base + range.start + lead..base + range.end - trail);
    }
}

/// A word: a maximal run of letters, digits, apostrophes and hyphens inside a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
}

impl Word<'_> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    pub fn span(&self) -> Range<usize> {
        self.start..self.end()
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐')
}

/// Iterates the words of `text[range]` with absolute byte offsets. Apostrophes and hyphens join
/// word characters ("al-Qaeda", "Pakistan’s"); other punctuation separates.
pub fn words(text: &str, range: Range<usize>) -> Words<'_> {
    Words {
        text,
        pos: range.start,
        end: range.end,
    }
}

pub struct Words<'a> {
    text: &'a str,
    pos: usize,
    end: usize,
}

/// Byte classes for byte-at-a-time word scanners: ASCII letters and digits (`ALNUM`), the ASCII
/// joiners `'` and `-` (`JOIN`), the bytes of non-ASCII characters (`HIGH`, decode to decide),
/// and separators (`SEP`).
pub(crate) mod class {
    pub const SEP: u8 = 0;
    pub const ALNUM: u8 = 1;
    pub const JOIN: u8 = 2;
    pub const HIGH: u8 = 3;

    pub static CLASS: [u8; 256] = {
        let mut table = [SEP; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = if b >= 0x80 {
                HIGH
            } else if (b as u8).is_ascii_alphanumeric() {
                ALNUM
            } else if b == b'\'' as usize || b == b'-' as usize {
                JOIN
            } else {
                SEP
            };
            b += 1;
        }
        table
    };
}

/// ASCII letters and digits.
static ASCII_ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        let Some((start, end, _)) = next_word(self.text, self.pos, self.end) else {
            self.pos = self.end;
            return None;
        };
        self.pos = end;
        Some(Word {
            text: &self.text[start..end],
            start,
        })
    }
}

/// The next word of `text[from..limit]`, as [`words`] cuts it: its start, its end, and whether a
/// joiner (apostrophe or hyphen) lies inside it. The scanner behind [`Words`], for hot loops
/// that want the joiner flag too (a word without one needs no possessive or hyphen handling).
///
/// Hot path (every check walks words): the separators before a word byte by byte (a table
/// lookup each; there are few), the word's letters and digits eight bytes at a time (`swar`);
/// at the first non-ASCII byte of a word, or of the separators before it, the word is cut again by the general loops (`next_word_general`), which decode
/// characters. About two thirds of the general loops' instructions per word on English prose.
/// `from` and `limit` must be char boundaries.
#[inline]
pub fn next_word(text: &str, from: usize, limit: usize) -> Option<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let limit = limit.min(bytes.len());
    let mut i = from;
    // The first word byte (an ASCII letter or digit here).
    while i < limit && !ASCII_ALNUM[usize::from(bytes[i])] {
        if bytes[i] >= 0x80 {
            return next_word_general(text, i, limit);
        }
        i += 1;
    }
    if i >= limit {
        return None;
    }
    let start = i;
    let mut joined = false;
    // The text up to `limit`: `swar::load` reads zeros past it, which end a word.
    let bounded = &bytes[..limit];
    loop {
        // The end of the run of ASCII letters and digits from `i`, eight bytes at a time: most
        // words end in the first eight, with no branch per letter to mispredict at the end.
        loop {
            let stop = !swar::alphanumerics(swar::load(bounded, i)) & swar::HI;
            if stop != 0 {
                i += (stop.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        if i >= limit {
            return Some((start, i, joined));
        }
        match bytes[i] {
            // An ASCII joiner lies inside the word when a word character follows it.
            b'\'' | b'-' if i + 1 < limit => match bytes[i + 1] {
                b if ASCII_ALNUM[usize::from(b)] => {
                    i += 1;
                    joined = true;
                }
                b if b >= 0x80 => return next_word_general(text, start, limit),
                _ => return Some((start, i, joined)),
            },
            b if b >= 0x80 => return next_word_general(text, start, limit),
            _ => return Some((start, i, joined)),
        }
    }
}

/// `next_word` for any text: decodes a character at every non-ASCII byte.
fn next_word_general(text: &str, from: usize, limit: usize) -> Option<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let limit = limit.min(bytes.len());
    let mut i = from;
    // The first word character.
    loop {
        if i >= limit {
            return None;
        }
        let b = bytes[i];
        if b < 0x80 {
            if ASCII_ALNUM[usize::from(b)] {
                break;
            }
            i += 1;
        } else {
            let c = char_at(text, i);
            if is_word_char(c) {
                break;
            }
            i += c.len_utf8();
        }
    }
    let start = i;
    let mut joined = false;
    loop {
        while i < limit && ASCII_ALNUM[usize::from(bytes[i])] {
            i += 1;
        }
        if i >= limit {
            return Some((start, i, joined));
        }
        let b = bytes[i];
        let len = if b == b'\'' || b == b'-' {
            1
        } else if b >= 0x80 {
            let c = char_at(text, i);
            let len = c.len_utf8();
            if is_word_char(c) {
                i += len;
                continue;
            }
            if !is_joiner(c) {
                return Some((start, i, joined));
            }
            len
        } else {
            return Some((start, i, joined));
        };
        // A joiner: inside the word when a word character follows it.
        if i + len < limit && word_char_at(text, i + len) {
            i += len;
            joined = true;
        } else {
            return Some((start, i, joined));
        }
    }
}

/// Whether the character at byte `i` is a word character.
fn word_char_at(text: &str, i: usize) -> bool {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        ASCII_ALNUM[usize::from(b)]
    } else {
        is_word_char(char_at(text, i))
    }
}

/// The character starting at byte `i` (a char boundary).
pub(crate) fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or(' ')
}

/// Whether a line looks like title case: most words of four letters or more start upper-case.
pub fn is_title_case(line: &str) -> bool {
    let mut long = 0;
    let mut capital = 0;
    for w in words(line, 0..line.len()) {
        if w.text.chars().count() >= 4 {
            long += 1;
            if w.text.chars().next().is_some_and(char::is_uppercase) {
                capital += 1;
            }
        }
    }
    long > 0 && capital * 4 >= long * 3
}

/// Test support: pseudo-random texts over an alphabet of pieces, each with a random sub-range
/// that starts and ends on char boundaries (for differential tests of byte scanners).
#[cfg(test)]
pub(crate) struct RandomTexts {
    seed: u64,
}

#[cfg(test)]
impl RandomTexts {
    pub(crate) fn new() -> RandomTexts {
        RandomTexts {
            seed: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// The next pseudo-random number (a linear congruential generator's high bits).
    pub(crate) fn next(&mut self) -> u64 {
        self.seed = self
            .seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.seed >> 16
    }

    /// A pseudo-random number below `n` (not zero).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        // `next` has 48 bits, which fit a usize wherever this runs.
        self.next() as usize % n
    }

    /// A text of fewer than `max_pieces` pieces of `alphabet`, and a sub-range of it.
    pub(crate) fn text_and_range(
        &mut self,
        alphabet: &[&str],
        max_pieces: u64,
    ) -> (String, Range<usize>) {
        let mut text = String::new();
        for _ in 0..self.next() % max_pieces {
            text.push_str(alphabet[self.below(alphabet.len())]);
        }
        let seed = self.next();
        let bounds: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let start = bounds[(seed >> 20) as usize % bounds.len()];
        let end = bounds[(seed >> 40) as usize % bounds.len()].max(start);
        (text, start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `next_word` as its definition reads, a char at a time: the first word character, then
    /// word characters, and joiners that a word character follows.
    fn next_word_by_chars(text: &str, from: usize, limit: usize) -> Option<(usize, usize, bool)> {
        let chars: Vec<(usize, char)> = text[from..limit]
            .char_indices()
            .map(|(i, c)| (from + i, c))
            .collect();
        let first = chars.iter().position(|&(_, c)| is_word_char(c))?;
        let (mut k, mut joined) = (first + 1, false);
        while k < chars.len() {
            if is_word_char(chars[k].1) {
                k += 1;
            } else if is_joiner(chars[k].1)
                && chars.get(k + 1).is_some_and(|&(_, c)| is_word_char(c))
            {
                k += 2;
                joined = true;
            } else {
                break;
            }
        }
        let end = chars.get(k).map_or(limit, |&(i, _)| i);
        Some((chars[first].0, end, joined))
    }

    /// Both byte loops of `next_word` (the ASCII one, and the general one it hands over to) cut
    /// the words its definition cuts, with the same joiner flags, on ASCII and non-ASCII text
    /// (letters, marks, curly apostrophes, dashes).
    #[test]
    fn next_word_is_its_definition() {
        let alphabet = [
            "a", "Bc", "9", " ", "  ", "'", "-", "--", ".", ",", "é", "’", "‐", "\u{300}", "ß",
            "x'", "'s", "-y", "\n", "日本", "—", "_",
        ];
        let mut random = RandomTexts::new();
        for _ in 0..20_000 {
            let (text, range) = random.text_and_range(&alphabet, 40);
            let mut pos = range.start;
            loop {
                let want = next_word_by_chars(&text, pos, range.end);
                assert_eq!(next_word(&text, pos, range.end), want, "{text:?} {pos}");
                assert_eq!(
                    next_word_general(&text, pos, range.end),
                    want,
                    "{text:?} {pos}"
                );
                let Some((_, end, _)) = want else {
                    break;
                };
                pos = end;
            }
        }
    }

    /// `split_sentences` as it was before its ASCII fast paths and packed abbreviation table:
    /// the reference for the differential test below.
    fn split_sentences_reference(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
        fn word_before(text: &str, end: usize) -> &str {
            let start = text[..end]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| c.is_alphanumeric() || c == '.')
                .last()
                .map_or(end, |(i, _)| i);
            &text[start..end]
        }
        fn is_abbreviation(word: &str) -> bool {
            if word.is_empty() {
                return false;
            }
            if ABBREVIATIONS.contains(&word) {
                return true;
            }
            let mut chars = word.chars();
            let first = chars.next().unwrap_or(' ');
            if first.is_uppercase() && chars.next().is_none() {
                return true;
            }
            word.contains('.') && word.split('.').all(|part| part.chars().count() <= 2)
        }
        let slice = &text[range.clone()];
        let base = range.start;
        let bytes = slice.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let Some(skip) = memchr::memchr3(b'.', b'!', b'?', &bytes[i..]) else {
                break;
            };
            i += skip;
            let b = bytes[i];
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?') {
                end += 1;
            }
            while let Some(c) = slice[end..].chars().next() {
                if is_closer(c) {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            let ws_end = slice[end..]
                .char_indices()
                .find(|&(_, c)| !c.is_whitespace())
                .map_or(slice.len(), |(j, _)| end + j);
            let boundary = if ws_end == end {
                false
            } else if ws_end == slice.len() {
                true
            } else {
                let next = slice[ws_end..].chars().next().unwrap_or(' ');
                let starts_sentence = next.is_uppercase() || next.is_numeric() || is_opener(next);
                starts_sentence
                    && !(b == b'.' && end == i + 1 && is_abbreviation(word_before(slice, i)))
            };
            if boundary {
                push_trimmed(slice, base, start..end, out);
                start = ws_end;
                i = ws_end;
                continue;
            }
            i = end;
        }
        if start < slice.len() {
            push_trimmed(slice, base, start..slice.len(), out);
        }
    }

    #[test]
    fn split_sentences_matches_reference_on_random_texts() {
        // Terminators, closers, openers, white space (ASCII and not), listed abbreviations,
        // initials, dotted acronyms, and non-ASCII letters next to all of them.
        let alphabet = [
            ".",
            "!",
            "?",
            "...",
            " ",
            "  ",
            "\n",
            "\t",
            "\u{b}",
            "\u{a0}",
            "\u{2003}",
            "\"",
            "'",
            ")",
            "]",
            "”",
            "’",
            "»",
            "“",
            "‘",
            "(",
            "[",
            "«",
            "¿",
            "¡",
            "—",
            "-",
            "Mr",
            "Mrs",
            "Sept",
            "Thurs",
            "Messrs",
            "approx",
            "vs",
            "v",
            "p",
            "No",
            "U.S",
            "e.g",
            "J",
            "É",
            "é",
            "Über",
            "ß",
            "a",
            "word",
            "Word",
            "The",
            "7",
            "٣",
            "Ⅻ",
            "x.y.z",
            "long.words",
            "MrX",
            "Mrs.",
            "ab",
            "\u{fe0f}",
            "Ca",
            "ca",
        ];
        let mut random = RandomTexts::new();
        for _ in 0..40_000 {
            let (text, range) = random.text_and_range(&alphabet, 24);
            let mut got = Vec::new();
            let mut want = Vec::new();
            split_sentences(&text, range.clone(), &mut got);
            split_sentences_reference(&text, range.clone(), &mut want);
            assert_eq!(got, want, "{text:?} {range:?}");
            for end in (0..=text.len()).filter(|&e| text.is_char_boundary(e)) {
                assert_eq!(word_before(&text, end), word_before_general(&text, end));
            }
        }
    }

    #[test]
    fn packed_abbreviations_agree_with_the_list() {
        for word in ABBREVIATIONS {
            assert!(is_abbreviation(word), "{word}");
        }
        for word in [
            "Mrx", "M", "", "Sep7", "Thursd", "Messrs1", "al.", "AL", "Ltd2", "Dé",
        ] {
            let listed = ABBREVIATIONS.contains(&word);
            let packed = pack_word(word.as_bytes())
                .is_some_and(|p| PACKED_ABBREVIATIONS.binary_search(&p).is_ok());
            assert_eq!(listed, packed, "{word}");
        }
    }

    fn sentences(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        split_sentences(text, 0..text.len(), &mut out);
        out.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentences("Mr. Smith met Gen. Raheel Sharif on Feb. 3, 2016. He left the U.S. Army."),
            vec![
                "Mr. Smith met Gen. Raheel Sharif on Feb. 3, 2016.",
                "He left the U.S. Army."
            ]
        );
    }

    #[test]
    fn quotes_close_sentences() {
        assert_eq!(
            sentences("He said: “It is over.” Then he left! Did he? Yes."),
            vec!["He said: “It is over.”", "Then he left!", "Did he?", "Yes."]
        );
    }

    #[test]
    fn missing_space_is_not_a_boundary() {
        assert_eq!(sentences("a threat.With ISIS"), vec!["a threat.With ISIS"]);
    }

    #[test]
    fn lower_case_after_stop_is_not_a_boundary() {
        assert_eq!(
            sentences("It cost 3.5 bn. and more"),
            vec!["It cost 3.5 bn. and more"]
        );
    }

    /// The obvious char-by-char definition of a word, to check the fast scanner against.
    fn reference_words(text: &str) -> Vec<(usize, &str)> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut out = Vec::new();
        let mut k = 0;
        while k < chars.len() {
            if !is_word_char(chars[k].1) {
                k += 1;
                continue;
            }
            let start = chars[k].0;
            let mut last = k;
            let mut j = k + 1;
            while j < chars.len() {
                let c = chars[j].1;
                if is_word_char(c) {
                    last = j;
                    j += 1;
                } else if is_joiner(c) && j + 1 < chars.len() && is_word_char(chars[j + 1].1) {
                    j += 1;
                } else {
                    break;
                }
            }
            let end = chars[last].0 + chars[last].1.len_utf8();
            out.push((start, &text[start..end]));
            k = last + 1;
        }
        out
    }

    #[test]
    fn fast_words_agree_with_the_reference_on_random_text() {
        let alphabet = [
            'a', 'Z', '7', ' ', '\'', '-', '.', 'é', '’', '—', '‐', 'ß', '\n', '”', 'x',
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let fast: Vec<(usize, &str)> = words(&text, 0..text.len())
                .map(|w| (w.start, w.text))
                .collect();
            assert_eq!(fast, reference_words(&text), "{text:?}");
        }
    }

    use super::class::{ALNUM as WORD, CLASS, HIGH, JOIN};

    /// The previous word scanner (a byte-class table, one byte per step), kept to test the
    /// fast scanner against on sub-ranges.
    fn table_words(text: &str, range: std::ops::Range<usize>) -> Vec<Word<'_>> {
        let bytes = text.as_bytes();
        let limit = range.end;
        let word_char_at = |i: usize| match CLASS[bytes[i] as usize] {
            WORD => true,
            HIGH => is_word_char(char_at(text, i)),
            _ => false,
        };
        let mut out = Vec::new();
        let mut i = range.start;
        'words: loop {
            loop {
                while i < limit
                    && CLASS[bytes[i] as usize] != WORD
                    && CLASS[bytes[i] as usize] != HIGH
                {
                    i += 1;
                }
                if i >= limit {
                    break 'words;
                }
                if CLASS[bytes[i] as usize] == WORD {
                    break;
                }
                let c = char_at(text, i);
                if is_word_char(c) {
                    break;
                }
                i += c.len_utf8();
            }
            let start = i;
            let mut end;
            loop {
                while i < limit && CLASS[bytes[i] as usize] == WORD {
                    i += 1;
                }
                end = i;
                if i >= limit {
                    break;
                }
                match CLASS[bytes[i] as usize] {
                    JOIN if i + 1 < limit && word_char_at(i + 1) => i += 1,
                    HIGH => {
                        let c = char_at(text, i);
                        let len = c.len_utf8();
                        if is_word_char(c) {
                            i += len;
                            continue;
                        }
                        if is_joiner(c) && i + len < limit && word_char_at(i + len) {
                            i += len;
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            i = end;
            out.push(Word {
                text: &text[start..end],
                start,
            });
        }
        out
    }

    #[test]
    fn fast_words_are_the_table_words_on_any_range() {
        let alphabet = [
            "a", "Zq", "9", "'", "-", "’", "‐", " ", ".", "é", "—", "ß", "中", "İ", "--", "'s",
            "\n", "x", "\u{300}", "½", "٣",
        ];
        let mut random = RandomTexts::new();
        let mut distinct = std::collections::HashSet::new();
        for _ in 0..20_000 {
            let (text, range) = random.text_and_range(&alphabet, 13);
            let (start, end) = (range.start, range.end);
            let got: Vec<Word<'_>> = words(&text, start..end).collect();
            assert_eq!(
                got,
                table_words(&text, start..end),
                "{text:?} {start}..{end}"
            );
            distinct.insert(text);
        }
        assert!(distinct.len() > 15_000);
    }

    #[test]
    fn words_handle_non_ascii_and_edges() {
        let text = "Ça coûte 3€—très cher’ said-";
        let got: Vec<&str> = words(text, 0..text.len()).map(|w| w.text).collect();
        assert_eq!(got, vec!["Ça", "coûte", "3", "très", "cher", "said"]);
        let inner: Vec<&str> = words(text, 3..text.len() - 1).map(|w| w.text).collect();
        assert_eq!(inner[0], "coûte");
        assert_eq!(inner.last(), Some(&"said"));
    }

    #[test]
    fn words_keep_joined_pieces() {
        let text = "al-Qaeda’s chief, Hizb ut-Tahrir -- and 2016.";
        let got: Vec<&str> = words(text, 0..text.len()).map(|w| w.text).collect();
        assert_eq!(
            got,
            vec!["al-Qaeda’s", "chief", "Hizb", "ut-Tahrir", "and", "2016"]
        );
    }

    /// `next_word` flags exactly the words with a joiner inside (the words themselves are
    /// tested through `words` above).
    #[test]
    fn next_word_flags_joined_words() {
        let text = "al-Qaeda's  rock-  'n' Pakistan’s co‐op -x y- plain";
        let mut pos = 0;
        let mut got = Vec::new();
        while let Some((start, end, joined)) = next_word(text, pos, text.len()) {
            pos = end;
            got.push((&text[start..end], joined));
        }
        assert_eq!(
            got,
            [
                ("al-Qaeda's", true),
                ("rock", false),
                ("n", false),
                ("Pakistan’s", true),
                ("co‐op", true),
                ("x", false),
                ("y", false),
                ("plain", false),
            ]
        );
    }
}
