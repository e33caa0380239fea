//! From bytes to text: decides whether a file is a document (UTF-8, BOM allowed), binary (a NUL
//! byte: skipped) or not UTF-8 (reported at the first bad byte). Never alters input files.

/// What a file's bytes turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Valid UTF-8 text (a BOM, if any, is kept; the document parser skips it).
    Text(String),
    /// The file holds a NUL byte: not a text document.
    Binary,
    /// Not valid UTF-8: `valid` is the text before the first bad sequence at `offset`, which is
    /// `len` bytes long (at least 1).
    InvalidUtf8 {
        valid: String,
        offset: usize,
        len: usize,
        byte: u8,
    },
}

pub fn decode(bytes: Vec<u8>) -> Decoded {
    // memchr's SIMD search: `<[u8]>::contains` scans a byte at a time here.
    if memchr::memchr(0, &bytes).is_some() {
        return Decoded::Binary;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Decoded::Text(text),
        Err(err) => {
            let e = err.utf8_error();
            let offset = e.valid_up_to();
            let bytes = err.into_bytes();
            let len = e.error_len().unwrap_or(bytes.len() - offset).max(1);
            let byte = bytes[offset];
            let valid = String::from_utf8(bytes[..offset].to_vec()).expect("prefix is valid UTF-8");
            Decoded::InvalidUtf8 {
                valid,
                offset,
                len,
                byte,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_is_reported_at_first_bad_byte() {
        let d = decode(b"price \xa3300".to_vec());
        assert_eq!(
            d,
            Decoded::InvalidUtf8 {
                valid: "price ".into(),
                offset: 6,
                len: 1,
                byte: 0xa3
            }
        );
    }

    #[test]
    fn nul_means_binary() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00".to_vec()), Decoded::Binary);
    }

    #[test]
    fn bom_is_kept() {
        assert_eq!(
            decode(b"\xef\xbb\xbfHi".to_vec()),
            Decoded::Text("\u{feff}Hi".into())
        );
    }

    #[test]
    fn truncated_sequence_at_end() {
        let d = decode(b"ok \xe2\x80".to_vec());
        assert_eq!(
            d,
            Decoded::InvalidUtf8 {
                valid: "ok ".into(),
                offset: 3,
                len: 2,
                byte: 0xe2
            }
        );
    }
}
