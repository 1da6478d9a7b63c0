//! Byte-level span adjustments where saphyr's spans differ from ours (see the module docs of
//! [`super`]).

/// The block scalar indicator (`|` or `>`) between the previous event and the content, skipping
/// comments. `None` if there is none (the caller keeps saphyr's start).
pub(super) fn block_indicator(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    let region = bytes.get(from..to)?;
    let mut in_comment = false;
    let mut after_blank = true;
    for (i, &c) in region.iter().enumerate() {
        if in_comment {
            if c == b'\n' || c == b'\r' {
                in_comment = false;
                after_blank = true;
            }
            continue;
        }
        match c {
            b'#' if after_blank => in_comment = true,
            b'|' | b'>' => return Some(from + i),
            _ => {}
        }
        after_blank = matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    }
    None
}

/// The start of a node's content after its properties (`&anchor`, and `!!tag` when `tags`, in
/// either order, with the blanks after them), which saphyr's span includes; `start` when there
/// are none, when nothing follows them before `end`, or when the content is on a later line
/// (`size: &s` then `M10` below: the node stays where its properties are, on the key's line,
/// where a suppression comment for it is written).
pub(super) fn after_properties(bytes: &[u8], start: usize, end: usize, tags: bool) -> usize {
    let property = |b: Option<&u8>| match b {
        Some(b'&') => true,
        Some(b'!') => tags,
        _ => false,
    };
    let mut i = start;
    while i < end && property(bytes.get(i)) {
        // The property's token runs to the next blank or line break.
        while i < end && !matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r' | b'\n') | None) {
            i += 1;
        }
        // Then blanks up to the content, on the same line.
        while i < end && matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if matches!(bytes.get(i), Some(b'\r' | b'\n' | b'#')) {
            return start;
        }
    }
    if i < end { i } else { start }
}

/// `end` moved back over trailing blanks and line breaks, keeping at least one byte after
/// `start`.
pub(super) fn trim_blank_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start + 1 && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        end -= 1;
    }
    end
}

/// The `-` indicator directly before `pos` on the same line (only blanks between), if any.
/// The offset after the closing quote of the quoted scalar at `start` (`'` doubles itself,
/// `"` has backslash escapes), if it is at or before `end`; `end` otherwise.
pub(super) fn quoted_end(bytes: &[u8], start: usize, end: usize) -> usize {
    let Some(&quote) = bytes.get(start).filter(|q| matches!(q, b'\'' | b'"')) else {
        return end;
    };
    let mut i = start + 1;
    while i < end {
        match bytes.get(i) {
            Some(b'\\') if quote == b'"' => i += 2,
            Some(&c) if c == quote && quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            Some(&c) if c == quote => return i + 1,
            Some(_) => i += 1,
            None => return end,
        }
    }
    end
}

pub(super) fn dash_before(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos;
    while i > 0 {
        i -= 1;
        match bytes.get(i)? {
            b' ' | b'\t' => {}
            b'-' => return Some(i),
            _ => return None,
        }
    }
    None
}
