//! Whole-file byte scans done on every file read, eight bytes at a time.
//!
//! Every file that may be a spec is scanned for its line starts (the line index of every
//! finding) and, when it is YAML, for whether the fast path can read it. Spec lines are short
//! (about 24 bytes in the benchmark corpus), so a search that stops at every line break pays
//! its setup per line; these scans look at a 64-bit word per step instead (exactly: no byte is
//! misjudged by a borrow from its neighbour), which is about a third of the instructions.

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `x` that is zero (exact: no carries between bytes).
fn zero_bytes(x: u64) -> u64 {
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// The high bit of each byte of `x` equal to `b`.
fn bytes_equal(x: u64, b: u8) -> u64 {
    zero_bytes(x ^ (ONES * u64::from(b)))
}

/// The high bit of each byte of `x` that is not printable ASCII (below 0x20, or 0x7F and
/// above).
fn unprintable(x: u64) -> u64 {
    let low = x & LOW7;
    // Below 0x20: adding 0x60 to the low seven bits leaves the high bit clear.
    let control = !(low + ONES * 0x60) & HIGH;
    // 0x7F: the low seven bits all set; 0x80 and above: the high bit set.
    let high = (x | (low + ONES)) & HIGH;
    control | high
}

fn words(bytes: &[u8]) -> (impl Iterator<Item = (usize, u64)> + '_, &[u8]) {
    let chunks = bytes.chunks_exact(8);
    let rest = chunks.remainder();
    let words = chunks.enumerate().map(|(i, chunk)| {
        let word = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        (i * 8, word)
    });
    (words, rest)
}

/// Call `found` with the offset of every `\n` in `bytes`, in order.
pub(crate) fn each_newline(bytes: &[u8], mut found: impl FnMut(usize)) {
    let (words, rest) = words(bytes);
    for (base, word) in words {
        let mut mask = bytes_equal(word, b'\n');
        while mask != 0 {
            found(base + (mask.trailing_zeros() / 8) as usize);
            mask &= mask - 1;
        }
    }
    let base = bytes.len() - rest.len();
    for (i, &b) in rest.iter().enumerate() {
        if b == b'\n' {
            found(base + i);
        }
    }
}

/// Whether every byte is printable ASCII or `\n` (no tab, carriage return, other control
/// character or non-ASCII byte).
pub(crate) fn printable_ascii_lines(bytes: &[u8]) -> bool {
    let (mut words, rest) = words(bytes);
    words.all(|(_, word)| unprintable(word) & !bytes_equal(word, b'\n') == 0)
        && rest.iter().all(|&b| is_printable_or_newline(b))
}

fn is_printable_or_newline(b: u8) -> bool {
    b == b'\n' || (0x20..0x7F).contains(&b)
}

/// The offsets of the carriage returns that end a line alone (not followed by `\n`): a line
/// end, as YAML and editors read a file saved with classic Mac line ends.
pub(crate) fn lone_carriage_returns(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\r', bytes).filter(move |&at| bytes.get(at + 1) != Some(&b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value in every position of a word, and lengths around the word size.
    fn samples() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for b in 0..=255u8 {
            for pos in 0..17 {
                for len in [pos + 1, 8, 9, 16, 17, 23] {
                    if pos < len {
                        let mut v = vec![b'a'; len];
                        if let Some(slot) = v.get_mut(pos) {
                            *slot = b;
                        }
                        out.push(v);
                    }
                }
            }
        }
        // Neighbours that would borrow or carry into a byte in a naive word test.
        for a in [0u8, 1, 0x0A, 0x0B, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF] {
            for b in [0u8, 1, 0x09, 0x0A, 0x0B, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xFF] {
                let mut v: Vec<u8> = (0..24).map(|i| if i % 2 == 0 { a } else { b }).collect();
                out.push(v.clone());
                v.rotate_left(1);
                out.push(v);
            }
        }
        out.push(Vec::new());
        out
    }

    #[test]
    fn newlines_are_found_exactly_where_a_byte_search_finds_them() {
        for s in samples() {
            let mut got = Vec::new();
            each_newline(&s, |i| got.push(i));
            let want: Vec<usize> = memchr::memchr_iter(b'\n', &s).collect();
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn printable_lines_are_judged_as_byte_by_byte() {
        for s in samples() {
            let want = s.iter().all(|&b| is_printable_or_newline(b));
            assert_eq!(printable_ascii_lines(&s), want, "{s:?}");
        }
    }
}
