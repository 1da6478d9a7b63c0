//! saphyr's character indices to byte offsets.

/// Converts saphyr's character indices to byte offsets.
///
/// ASCII text: identity. Otherwise a checkpoint every [`STEP`] characters plus a forward cursor,
/// so that the (mostly increasing) stream of markers costs amortized O(1) each.
pub(super) struct Offsets<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) ascii: bool,
    /// Byte offset of character `k * STEP`.
    pub(super) checkpoints: Vec<usize>,
    pub(super) chars: usize,
    pub(super) cur_char: usize,
    pub(super) cur_byte: usize,
}

pub(super) const STEP: usize = 64;

impl<'a> Offsets<'a> {
    pub(super) fn new(text: &'a str) -> Offsets<'a> {
        let bytes = text.as_bytes();
        if text.is_ascii() {
            return Offsets {
                bytes,
                ascii: true,
                checkpoints: Vec::new(),
                chars: bytes.len(),
                cur_char: 0,
                cur_byte: 0,
            };
        }
        let mut checkpoints = Vec::with_capacity(bytes.len() / STEP + 1);
        let mut chars = 0usize;
        for (byte, _) in text.char_indices() {
            if chars.is_multiple_of(STEP) {
                checkpoints.push(byte);
            }
            chars += 1;
        }
        Offsets {
            bytes,
            ascii: false,
            checkpoints,
            chars,
            cur_char: 0,
            cur_byte: 0,
        }
    }

    /// Byte offset of character index `ci`, clamped to the text length.
    pub(super) fn byte(&mut self, ci: usize) -> usize {
        let len = self.bytes.len();
        if self.ascii {
            return ci.min(len);
        }
        if ci >= self.chars {
            return len;
        }
        if ci < self.cur_char || ci - self.cur_char > STEP {
            let k = ci / STEP;
            match self.checkpoints.get(k) {
                Some(&b) => {
                    self.cur_char = k * STEP;
                    self.cur_byte = b;
                }
                None => return len,
            }
        }
        while self.cur_char < ci {
            let Some(&lead) = self.bytes.get(self.cur_byte) else {
                return len;
            };
            self.cur_byte += utf8_len(lead);
            self.cur_char += 1;
        }
        self.cur_byte.min(len)
    }
}

/// Length of the UTF-8 sequence starting with `lead` (a char boundary).
pub(super) fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0x80..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}
