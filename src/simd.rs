//! Byte tests sixteen bytes at a time, for the scans where eight at a time (`swar`) leaves
//! too much arithmetic per byte. `wide::u8x16` is an SSE2 register on x86 and x86-64 (part of
//! the x86-64 baseline: no detection at run time), a NEON one on 64-bit Arm, a SIMD128 one on
//! WebAssembly with that feature and an array elsewhere, with the same answers everywhere; the
//! `unsafe` of the intrinsics stays inside that crate.
//!
//! A lane of a test's result is 0xFF where the test holds and 0 elsewhere; `to_bitmask` makes
//! that a bit per byte (bit `k` for byte `k`), so `trailing_zeros()` is the offset of the first
//! selected byte.

use wide::u8x16;

/// The sixteen bytes of `b` from `i` (all of them in `b`).
#[inline]
pub fn load(b: &[u8], i: usize) -> u8x16 {
    u8x16::new(b[i..i + 16].try_into().expect("sixteen bytes"))
}

/// The lanes of `v` in `lo..=hi`: subtracting `lo` (wrapping) maps exactly those to
/// `0..=hi - lo`, the values that the minimum with `hi - lo` leaves as they are.
#[inline]
pub fn in_range(v: u8x16, lo: u8, hi: u8) -> u8x16 {
    let t = v - u8x16::splat(lo);
    t.min(u8x16::splat(hi - lo)).simd_eq(t)
}

/// The lanes of `v` equal to `c`.
#[inline]
pub fn equal(v: u8x16, c: u8) -> u8x16 {
    v.simd_eq(u8x16::splat(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every test against the byte-at-a-time test it stands for, for every byte value in
    /// every lane.
    #[test]
    fn tests_agree_with_byte_tests() {
        let mask = |f: &dyn Fn(u8) -> bool, bytes: &[u8; 16]| -> u32 {
            (0..16).filter(|&k| f(bytes[k])).map(|k| 1 << k).sum()
        };
        for b in 0..=255u8 {
            for lane in 0..16 {
                for fill in [0u8, b'@', b'Z', b'[', 0x7f, 0x80, 0xff] {
                    let mut bytes = [fill; 16];
                    bytes[lane] = b;
                    let v = load(&bytes, 0);
                    let upper = mask(&|c| c.is_ascii_uppercase(), &bytes);
                    assert_eq!(in_range(v, b'A', b'Z').to_bitmask(), upper);
                    let digit = mask(&|c| c.is_ascii_digit(), &bytes);
                    assert_eq!(in_range(v, b'0', b'9').to_bitmask(), digit);
                    assert_eq!(in_range(v, 0x80, 0xff).to_bitmask(), v.to_bitmask());
                    assert_eq!(equal(v, b' ').to_bitmask(), mask(&|c| c == b' ', &bytes));
                }
            }
        }
    }

    #[test]
    fn load_takes_sixteen_bytes_from_i() {
        let b: Vec<u8> = (0..40).collect();
        assert_eq!(load(&b, 3).to_array(), std::array::from_fn(|k| 3 + k as u8));
    }
}
