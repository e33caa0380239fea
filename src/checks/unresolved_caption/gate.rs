//! The caption prefilter: whether a line holds one of a fixed set of words (exact bytes), as a
//! dense transition table read by several independent lanes at once.
//!
//! The prefilter reads every byte of nearly every short line, and a DFA walk is one dependent
//! load per byte: the next state's address depends on the state the load before returned, so a
//! single walk waits on the load latency at each byte, whatever the instruction count. Here a
//! line is cut into up to four pieces walked side by side (four independent chains of loads),
//! and the walk itself is three instructions a byte:
//! - every state reached after a word has ended is one absorbing state (`MATCH`, row 0: all its
//!   transitions lead back to it), so the walk needs no test per byte, only one per block;
//! - the byte classes are the bytes with equal columns of the table, and the states are
//!   premultiplied by the number of classes (a state is the offset of its row);
//! - the table has 2^16 entries of 16 bits: a row offset plus a class is a `u16`, so indexing it
//!   needs no bounds check, and the table takes half the cache lines. (A word set whose table
//!   would not fit is matched by its `AhoCorasick` automaton instead: slower, same answers.)
//!
//! Why the pieces give the answer a walk over the whole line gives. The automaton is an
//! unanchored Aho-Corasick one: walked from its start state over any text, it reaches a match
//! state right after the last byte of every occurrence of a word in that text. An occurrence
//! ending in a piece starts at most `max_len - 1` bytes before the piece; each lane starts that
//! far before its piece (from the start state), so every occurrence lies wholly in the bytes of
//! the lane whose piece holds its end.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, Anchored};

/// The absorbing state reached once a word has been read (row 0).
const MATCH: u16 = 0;
/// Entries of the dense table: every `u16` is an index into it.
const TABLE_LEN: usize = 1 << 16;
/// Bytes walked between two looks at whether every lane has matched.
const BLOCK: usize = 16;

pub(super) struct Gate {
    /// The class of each byte.
    classes: [u8; 256],
    /// `table[state + class]`: the next state, premultiplied (the offset of its row).
    table: Box<[u16; TABLE_LEN]>,
    /// The start state, premultiplied.
    start: u16,
    /// The longest word, in bytes.
    max_len: usize,
    /// The automaton over the words when their table does not fit `TABLE_LEN` (then `table` is
    /// unused).
    large: Option<AhoCorasick>,
}

impl Gate {
    /// The gate over `words`, matched byte for byte, or ignoring ASCII case when
    /// `ascii_case_insensitive` is set.
    pub(super) fn new(words: &[String], ascii_case_insensitive: bool) -> Result<Gate, String> {
        let words = minimal_words(words, ascii_case_insensitive);
        let dfa = DFA::builder()
            .prefilter(false)
            .ascii_case_insensitive(ascii_case_insensitive)
            .build(&words)
            .map_err(|e| e.to_string())?;
        let start = dfa.start_state(Anchored::No).map_err(|e| e.to_string())?;
        // Byte classes: each byte of a word (in both ASCII cases when case is ignored) has its
        // own; every other byte leads back to the start state from any state (it occurs in no
        // word), so they share class 0.
        let mut classes = [0u8; 256];
        let mut members: Vec<u8> = vec![0];
        let variants = |b: u8| {
            if ascii_case_insensitive {
                [b, b.to_ascii_lowercase(), b.to_ascii_uppercase()]
            } else {
                [b; 3]
            }
        };
        for b in words.iter().flat_map(|w| w.bytes()).flat_map(variants) {
            if classes[usize::from(b)] == 0 {
                classes[usize::from(b)] = u8::try_from(members.len()).map_err(|e| e.to_string())?;
                members.push(b);
            }
        }
        // A byte of class 0, if there is one (with all 256 bytes in words, class 0 is unused).
        members[0] = (0..=255u8)
            .find(|&b| classes[usize::from(b)] == 0)
            .unwrap_or(0);
        let stride = members.len();
        // The states reachable from the start without a match, numbered from 1 in the order
        // found (0 is `MATCH`). An unanchored automaton has no dead state; one would only be a
        // state without a way out.
        let mut index: HashMap<StateID, u32> = HashMap::new();
        let mut order: Vec<StateID> = vec![start];
        index.insert(start, 1);
        let mut table: Vec<u32> = vec![0; stride];
        let mut at = 0;
        while at < order.len() {
            let sid = order[at];
            at += 1;
            for &b in &members {
                let to = dfa.next_state(Anchored::No, sid, b);
                let state = if dfa.is_match(to) {
                    0
                } else {
                    let fresh = u32::try_from(order.len() + 1).map_err(|e| e.to_string())?;
                    *index.entry(to).or_insert_with(|| {
                        order.push(to);
                        fresh
                    })
                };
                let premultiplied = usize::try_from(state).map_err(|e| e.to_string())? * stride;
                table.push(u32::try_from(premultiplied).map_err(|e| e.to_string())?);
            }
        }
        let max_len = words.iter().map(|w| w.len()).max().unwrap_or(0);
        let mut dense: Box<[u16; TABLE_LEN]> = vec![MATCH; TABLE_LEN]
            .into_boxed_slice()
            .try_into()
            .map_err(|_| "the gate table has the wrong length".to_string())?;
        let large = if table.len() <= TABLE_LEN {
            for (entry, &next) in dense.iter_mut().zip(&table) {
                *entry = u16::try_from(next).map_err(|e| e.to_string())?;
            }
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(ascii_case_insensitive)
                    .build(&words)
                    .map_err(|e| e.to_string())?,
            )
        };
        Ok(Gate {
            classes,
            table: dense,
            start: u16::try_from(stride).unwrap_or(MATCH),
            max_len,
            large,
        })
    }

    /// Whether `text` holds one of the words.
    pub(super) fn any(&self, text: &[u8]) -> bool {
        if let Some(automaton) = &self.large {
            return automaton.is_match(text);
        }
        // Short lines in one lane: the overlap would cost more than the latency it hides.
        match text.len() {
            0..64 => self.walk(self.start, text) == MATCH,
            64..256 => self.lanes::<2>(text),
            _ => self.lanes::<4>(text),
        }
    }

    /// One transition.
    fn step(&self, state: u16, b: u8) -> u16 {
        // A row offset plus a class stays below the table's length (see `new`): no wrap.
        self.table[usize::from(state.wrapping_add(u16::from(self.classes[usize::from(b)])))]
    }

    /// The state after reading `bytes` from `state`.
    fn walk(&self, state: u16, bytes: &[u8]) -> u16 {
        bytes.iter().fold(state, |s, &b| self.step(s, b))
    }

    /// `any` with the text cut into `N` pieces walked side by side (see the module notes).
    fn lanes<const N: usize>(&self, text: &[u8]) -> bool {
        let piece = text.len().div_ceil(N);
        let overlap = self.max_len.saturating_sub(1);
        // Lane k reads `text[from[k]..to[k]]`: its piece and the overlap before it.
        let from: [usize; N] =
            std::array::from_fn(|k| (k * piece).saturating_sub(overlap).min(text.len()));
        let to: [usize; N] = std::array::from_fn(|k| ((k + 1) * piece).min(text.len()));
        let common = (0..N).map(|k| to[k] - from[k]).min().unwrap_or(0);
        let mut state = [self.start; N];
        // The bytes every lane has, a block at a time, side by side.
        let mut done = 0;
        while done + BLOCK <= common {
            let blocks: [&[u8; BLOCK]; N] = std::array::from_fn(|k| {
                let at = from[k] + done;
                text[at..at + BLOCK].try_into().unwrap_or(&[0; BLOCK])
            });
            // Byte `i` of every lane before byte `i + 1` of any: the lanes' loads overlap.
            for i in 0..BLOCK {
                for (s, block) in state.iter_mut().zip(&blocks) {
                    *s = self.step(*s, block[i]);
                }
            }
            if state.contains(&MATCH) {
                return true;
            }
            done += BLOCK;
        }
        // The rest of each lane.
        (0..N).any(|k| self.walk(state[k], &text[from[k] + done..to[k]]) == MATCH)
    }
}

/// `words` without those that hold another of them (and without repeats): a text holding such a
/// word holds the shorter one too, so the gate answers the same, from a smaller table (fewer
/// states, better cached) and a shorter longest word (less overlap between lanes). Agencies
/// such as "AP Photo", "Reuters TV" or "SOPA Images" and the photo phrases ("poses for a photo")
/// all hold a shorter word of the gate.
fn minimal_words(words: &[String], ascii_case_insensitive: bool) -> Vec<&str> {
    let holds = |word: &str, inner: &str| {
        if ascii_case_insensitive {
            word.as_bytes()
                .windows(inner.len())
                .any(|w| w.eq_ignore_ascii_case(inner.as_bytes()))
        } else {
            word.contains(inner)
        }
    };
    // An empty word is held by every word: keep the set as it is.
    if words.iter().any(String::is_empty) {
        return words.iter().map(String::as_str).collect();
    }
    words
        .iter()
        .enumerate()
        .filter(|&(i, word)| {
            !words.iter().enumerate().any(|(j, inner)| {
                j != i
                        // A repeat keeps its first copy.
                        && (inner.len() < word.len() || (inner.len() == word.len() && j < i))
                        && holds(word, inner)
            })
        })
        .map(|(_, word)| word.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use aho_corasick::AhoCorasick;

    use super::{Gate, minimal_words};
    use crate::text::RandomTexts;

    /// The gate answers what `AhoCorasick::is_match` answers, on texts of every length around
    /// the lane thresholds, with words straddling the pieces' borders.
    #[test]
    fn gate_agrees_with_aho_corasick() {
        let words: Vec<String> = [
            "Reuters",
            "AP",
            "Australian Associated Press",
            "/",
            "photo",
            "Photo",
            "May ",
            ", left",
            "©",
            "(L",
            "poses for a photo",
        ]
        .map(String::from)
        .to_vec();
        let gate = Gate::new(&words, false).expect("gate builds");
        let ac = AhoCorasick::new(&words).expect("automaton builds");
        let gate_ci = Gate::new(&words, true).expect("gate builds");
        let ac_ci = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&words)
            .expect("automaton builds");
        let mut alphabet = vec![
            "A",
            "P",
            "Reuter",
            "s",
            "Australian Associated Pres",
            "May",
            ", ",
            "left",
            "(",
            "L",
            "ph",
            "oto",
            "Ph",
            "©",
            "é",
            "poses for a ",
            "/",
            "PHO",
            "TO",
            "rEUTERS",
            "pOSES FOR A ",
        ];
        // Mostly filler, so that long texts match only now and then.
        alphabet.extend(["a", "b", " ", "x", "\n", "word ", "                "].repeat(30));
        let mut random = RandomTexts::new();
        let mut hits = 0;
        for i in 0..20_000 {
            let (text, _) = random.text_and_range(&alphabet, 2 + i % 300);
            let expected = ac.is_match(&text);
            hits += usize::from(expected);
            assert_eq!(gate.any(text.as_bytes()), expected, "{text:?}");
            let expected_ci = ac_ci.is_match(&text);
            assert_eq!(gate_ci.any(text.as_bytes()), expected_ci, "{text:?}");
        }
        // Both answers occur often enough to mean something.
        assert!((2_000..18_000).contains(&hits), "{hits}");
    }

    /// Words that hold another word are left out of the table, repeats kept once; an empty
    /// word keeps the set whole.
    #[test]
    fn minimal_words_drop_words_holding_another() {
        let words = [
            "Reuters TV",
            "Reuters",
            "AP",
            "AP Photo",
            "photo",
            "PHOTO",
            "AP",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            minimal_words(&words, false),
            ["Reuters", "AP", "photo", "PHOTO"]
        );
        assert_eq!(minimal_words(&words, true), ["Reuters", "AP", "photo"]);
        let with_empty = [String::new(), "AP".to_string()];
        assert_eq!(minimal_words(&with_empty, false), ["", "AP"]);
    }

    /// A word set too large for the dense table is matched by its automaton, with the same
    /// answers.
    #[test]
    fn large_word_sets_fall_back_to_the_automaton() {
        let words: Vec<String> = (0..10_000).map(|i| format!("w{i}x")).collect();
        let gate = Gate::new(&words, false).expect("gate builds");
        assert!(gate.large.is_some());
        assert!(gate.any(b"a w1234x b"));
        assert!(!gate.any(b"a w1234 x b"));
    }
}
