//! Byte scans of the decoder, eight bytes at a time: finding line ends and telling printable
//! ASCII lines. The release build is optimised for size, which leaves byte loops unvectorised;
//! these read whole words instead. Each is exact for every byte value (no carry crosses from
//! one byte to the next), which the tests check byte by byte against the plain definition.

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

fn word(chunk: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    u64::from_le_bytes(w)
}

/// The high bit of each byte of `w` that equals `byte`, and no other bit.
fn equal_bytes(w: u64, byte: u8) -> u64 {
    let x = w ^ (ONES * u64::from(byte));
    // A byte of `x` is zero exactly when adding 0x7F to its low seven bits leaves its high
    // bit clear and it had none.
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// The high bit of each byte of `w` that is not printable ASCII (space to `~`).
fn unprintable_bytes(w: u64) -> u64 {
    let low = w & LOW7;
    // Low seven bits + 0x60 reach the high bit from 0x20 up; + 0x01 only at 0x7F.
    let below_space = !(low + ONES * 0x60) & HIGH;
    let delete = (low + ONES) & HIGH;
    (w & HIGH) | below_space | delete
}

/// Whether every byte is printable ASCII (space to `~`).
pub(crate) fn is_printable_ascii(raw: &[u8]) -> bool {
    let mut words = raw.chunks_exact(8);
    let mut bad = 0;
    for chunk in &mut words {
        bad |= unprintable_bytes(word(chunk));
    }
    bad == 0 && words.remainder().iter().all(|b| (b' '..0x7F).contains(b))
}

/// How many bytes equal `byte`.
pub(crate) fn count(raw: &[u8], byte: u8) -> usize {
    let mut words = raw.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut words {
        n += equal_bytes(word(chunk), byte).count_ones() as usize;
    }
    n + words.remainder().iter().filter(|b| **b == byte).count()
}

/// The index of the first byte equal to `byte`.
pub(crate) fn find(raw: &[u8], byte: u8) -> Option<usize> {
    let mut words = raw.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut words {
        let hits = equal_bytes(word(chunk), byte);
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|b| *b == byte)
        .map(|i| at + i)
}

/// The pieces of `raw` between `byte`s, like `raw.split(|b| *b == byte)`.
pub(crate) fn split(raw: &[u8], byte: u8) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(raw);
    std::iter::from_fn(move || {
        let now = rest?;
        match find(now, byte) {
            Some(i) => {
                rest = Some(&now[i + 1..]);
                Some(&now[..i])
            }
            None => {
                rest = None;
                Some(now)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every position of buffers of 1 to 19 bytes (words and tails), in a
    /// line of spaces or of `\n`s: each scan agrees with its plain definition.
    #[test]
    fn every_byte_value_at_every_position_agrees_with_the_plain_definition() {
        for len in 1..20 {
            for fill in [b' ', b'\n', b'~', 0x7F, 0x80] {
                for pos in 0..len {
                    for value in 0..=255u8 {
                        let mut raw = vec![fill; len];
                        raw[pos] = value;
                        let printable = raw.iter().all(|b| (b' '..0x7F).contains(b));
                        assert_eq!(is_printable_ascii(&raw), printable, "{raw:?}");
                        for byte in [b'\n', 0, value] {
                            let want = raw.iter().filter(|b| **b == byte).count();
                            assert_eq!(count(&raw, byte), want, "{raw:?} {byte}");
                            let want = raw.iter().position(|b| *b == byte);
                            assert_eq!(find(&raw, byte), want, "{raw:?} {byte}");
                            let want: Vec<&[u8]> = raw.split(|b| *b == byte).collect();
                            assert_eq!(split(&raw, byte).collect::<Vec<_>>(), want);
                        }
                    }
                }
            }
        }
        assert!(is_printable_ascii(b""));
        assert_eq!(split(b"", b'\n').collect::<Vec<_>>(), [b""]);
    }
}
