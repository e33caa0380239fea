//! Small pieces of rule-file reading: field introspection of parameter structs, message
//! templates with placeholders, string-offset mapping into TOML sources, and rule examples.

use std::ops::Range;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// The field names a `Deserialize` struct accepts, found by asking it to deserialize from a
/// deserializer that only records the fields it is told about.
pub fn struct_fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Catch(Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for &mut Catch {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = Some(fields);
            Err(de::Error::custom("fields recorded"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    let mut catch = Catch(None);
    let _ = T::deserialize(&mut catch);
    catch.0.unwrap_or(&[])
}

/// A rule message with `{placeholder}`s; `{{` and `}}` stand for braces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Arg(String),
}

/// A placeholder the template names but the kind does not provide, with its byte range in the
/// template string.
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownPlaceholder {
    pub name: String,
    pub range: Range<usize>,
}

impl Template {
    /// Parses `source`; placeholders must be among `known`. An unclosed `{` is taken literally.
    pub fn parse(source: &str, known: &[&str]) -> Result<Template, Vec<UnknownPlaceholder>> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut unknown = Vec::new();
        let mut i = 0;
        while i < source.len() {
            let rest = &source[i..];
            if rest.starts_with("{{") || rest.starts_with("}}") {
                text.push_str(&rest[..1]);
                i += 2;
            } else if rest.starts_with('{') {
                if let Some(close) = rest.find('}') {
                    let name = &rest[1..close];
                    if !known.contains(&name) {
                        unknown.push(UnknownPlaceholder {
                            name: name.to_string(),
                            range: i..i + close + 1,
                        });
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    pieces.push(Piece::Arg(name.to_string()));
                    i += close + 1;
                } else {
                    text.push('{');
                    i += 1;
                }
            } else {
                let c = rest.chars().next().expect("non-empty");
                text.push(c);
                i += c.len_utf8();
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        if unknown.is_empty() {
            Ok(Template { pieces })
        } else {
            Err(unknown)
        }
    }

    /// Fills the placeholders from `args`; a placeholder without a value renders empty.
    pub fn render(&self, args: &[(&'static str, String)]) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Arg(name) => {
                    if let Some((_, v)) = args.iter().find(|(n, _)| n == name) {
                        out.push_str(v);
                    }
                }
            }
        }
        out
    }
}

/// Maps `inner`, a byte range of a decoded TOML string value, to a range of the TOML source, given
/// the source span of the whole value (quotes included). Falls back to the whole value.
pub fn map_string_range(source: &str, value: Range<usize>, inner: Range<usize>) -> Range<usize> {
    let Some(raw) = source.get(value.clone()) else {
        return value;
    };
    let (delim, literal) = if raw.starts_with("'''") {
        (3, true)
    } else if raw.starts_with("\"\"\"") {
        (3, false)
    } else if raw.starts_with('\'') {
        (1, true)
    } else if raw.starts_with('"') {
        (1, false)
    } else {
        return value;
    };
    let body_start = value.start + delim;
    let body = &source[body_start..value.end.saturating_sub(delim).max(body_start)];
    // A newline right after an opening triple quote is not part of the value.
    let skip = usize::from(delim == 3 && body.starts_with('\n'));
    // decoded offset -> raw offset
    let mut map = Vec::with_capacity(body.len() + 1);
    let bytes = body.as_bytes();
    let mut r = skip;
    while r < bytes.len() {
        let step = if !literal && bytes[r] == b'\\' && r + 1 < bytes.len() {
            match bytes[r + 1] {
                b'u' => (6, 1),
                b'U' => (10, 1),
                _ => (2, 1),
            }
        } else {
            let len = body[r..].chars().next().map_or(1, char::len_utf8);
            (len, len)
        };
        for k in 0..step.1 {
            map.push(r + if step.1 == step.0 { k } else { 0 });
        }
        r += step.0;
    }
    map.push(r);
    let at = |d: usize| body_start + map.get(d).copied().unwrap_or(r);
    let start = at(inner.start);
    let end = at(inner.end).max(start + 1).min(value.end);
    start..end
}

/// A worked example in a rule file: a text (or several documents) and the findings expected.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(default)]
    pub text: Option<String>,
    /// The file name `text` is linted as (default `example.txt`; `.md` for Markdown).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub documents: Vec<ExampleDocument>,
    /// The text of each expected finding's primary span, in output order.
    pub findings: Vec<ExpectedFinding>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleDocument {
    pub path: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ExpectedFinding {
    Text(String),
    InFile { path: String, text: String },
}

impl Example {
    /// The documents of the example: `text` alone is one document named `example.txt`.
    pub fn documents(&self) -> Vec<ExampleDocument> {
        let mut docs = self.documents.clone();
        if let Some(text) = &self.text {
            let path = self.path.clone().unwrap_or_else(|| "example.txt".into());
            docs.insert(
                0,
                ExampleDocument {
                    path,
                    text: text.clone(),
                },
            );
        }
        docs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct P {
        min_words: usize,
        pattern: String,
    }

    #[test]
    fn fields_are_introspected() {
        assert_eq!(struct_fields::<P>(), &["min-words", "pattern"]);
    }

    #[test]
    fn template_renders_and_rejects_unknown() {
        let t = Template::parse("doubled word '{match}' {{x}}", &["match"]).unwrap();
        assert_eq!(
            t.render(&[("match", "the the".into())]),
            "doubled word 'the the' {x}"
        );
        let err = Template::parse("a {nope} b", &["match"]).unwrap_err();
        assert_eq!(
            err,
            vec![UnknownPlaceholder {
                name: "nope".into(),
                range: 2..8
            }]
        );
    }

    #[test]
    fn string_ranges_map_through_escapes() {
        let src = r#"pattern = "\\bfoo(""#;
        let value = 10..src.len();
        // decoded value is `\bfoo(`; the `(` is decoded byte 5, raw byte 17
        assert_eq!(map_string_range(src, value.clone(), 5..6), 17..18);
        let lit = "pattern = '\\bfoo('";
        assert_eq!(map_string_range(lit, 10..lit.len(), 5..6), 16..17);
    }
}
