//! Byte tests eight bytes at a time in a `u64` (SWAR: SIMD within a register), for the scans
//! that look for a few kinds of ASCII byte in every byte of the text (spaces, digits, word
//! characters). Safe code, no target features: the crate denies `unsafe`, and these compile to
//! a handful of ALU instructions per eight bytes on any 64-bit target.
//!
//! A mask has the high bit of each selected byte set and every other bit clear, so
//! `trailing_zeros() / 8` is the offset of the first selected byte (words are little-endian).
//! Functions named for a 7-bit `y` expect the high bits cleared (`x & !HI`): no sum then carries
//! into the next byte.

/// 0x01 in every byte.
pub const LO: u64 = 0x0101_0101_0101_0101;
/// 0x80 in every byte.
pub const HI: u64 = 0x8080_8080_8080_8080;

/// The bytes `b[i..i + 8]` as a little-endian word, zeros past the end of `b` (and all zeros
/// when `i` is past it). Zero is no letter, digit, space or punctuation, so a scan may read over
/// the end.
#[inline]
pub fn load(b: &[u8], i: usize) -> u64 {
    let mut buf = [0u8; 8];
    if let Some(chunk) = b.get(i..i + 8) {
        buf.copy_from_slice(chunk);
    } else if let Some(rest) = b.get(i..) {
        buf[..rest.len()].copy_from_slice(rest);
    }
    u64::from_le_bytes(buf)
}

/// The mask of the bytes of the 7-bit `y` that are at least `n` (`n` at most 0x80).
#[inline]
pub fn at_least(y: u64, n: u8) -> u64 {
    y.wrapping_add(LO * u64::from(0x80 - n)) & HI
}

/// The mask of the bytes of the 7-bit `y` in `lo..=hi` (`hi` below 0x80).
#[inline]
pub fn in_range(y: u64, lo: u8, hi: u8) -> u64 {
    at_least(y, lo) & !at_least(y, hi + 1)
}

/// The mask of the bytes of `x` (any bytes) equal to `c`.
#[inline]
pub fn equal(x: u64, c: u8) -> u64 {
    let d = x ^ (LO * u64::from(c));
    // A byte of `d` is zero exactly when adding 0x7f to its low seven bits leaves its high bit
    // clear and its own high bit is clear; no carry crosses bytes.
    !(((d & !HI) + LO * 0x7f) | d) & HI
}

/// The mask of the ASCII digits of `x`.
#[inline]
pub fn digits(x: u64) -> u64 {
    in_range(x & !HI, b'0', b'9') & !x
}

/// The mask of the ASCII letters and digits of `x` (a byte of a non-ASCII character is none).
#[inline]
pub fn alphanumerics(x: u64) -> u64 {
    let y = x & !HI;
    // Setting 0x20 folds upper-case letters onto lower-case ones, and no other byte onto a letter.
    let letter = in_range(y | (LO * 0x20), b'a', b'z');
    (in_range(y, b'0', b'9') | letter) & !x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every mask against the byte-at-a-time test it stands for, for every byte value in every
    /// lane, beside neighbours that would show a carry across bytes.
    #[test]
    fn masks_agree_with_byte_tests() {
        let mask = |f: &dyn Fn(u8) -> bool, x: u64| -> u64 {
            x.to_le_bytes()
                .iter()
                .enumerate()
                .filter(|(_, b)| f(**b))
                .map(|(i, _)| 0x80u64 << (8 * i))
                .sum()
        };
        for b in 0..=255u8 {
            for lane in 0..8 {
                for fill in [0u8, 0x7f, 0x80, 0xff, b' ', b'0', b'z'] {
                    let mut bytes = [fill; 8];
                    bytes[lane] = b;
                    let x = u64::from_le_bytes(bytes);
                    assert_eq!(digits(x), mask(&|c| c.is_ascii_digit(), x));
                    assert_eq!(alphanumerics(x), mask(&|c| c.is_ascii_alphanumeric(), x));
                    assert_eq!(equal(x, b' '), mask(&|c| c == b' ', x));
                    assert_eq!(equal(x, 0xe2), mask(&|c| c == 0xe2, x));
                    let y = x & !HI;
                    assert_eq!(at_least(y, b'A'), mask(&|c| c >= b'A', y));
                    assert_eq!(
                        in_range(y, b'a', b'z'),
                        mask(&|c| c.is_ascii_lowercase(), y)
                    );
                }
            }
        }
    }

    #[test]
    fn load_pads_with_zeros() {
        let b = b"abcdefghij";
        assert_eq!(load(b, 0), u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(load(b, 4), u64::from_le_bytes(*b"efghij\0\0"));
        assert_eq!(load(b, 10), 0);
        assert_eq!(load(b, 99), 0);
    }
}
