//! Text from specs made safe for a terminal (and a CI log, which is one): control characters
//! shown escaped (`\u{1b}`), so a value cannot move the cursor, retitle the window, clear the
//! screen or forge an output line with an embedded newline; bidirectional-text controls too,
//! so a value cannot reorder what is shown. Every text format (human, github, gitlab's
//! descriptions, junit) passes spec text through here; JSON and SARIF escape control
//! characters as JSON does ([`super::pretty`] adds the ones JSON allows raw).

use std::borrow::Cow;

/// Whether `c` is shown escaped: control characters (C0 but tab, DEL, C1), bidirectional
/// controls, and the Unicode line and paragraph separators.
pub(super) fn escaped(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// How `c` is shown: `\n`, `\r`, or `\u{1b}`.
fn escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

/// One line of text for a terminal: every control character escaped, newlines included.
pub fn line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if escaped(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A text made safe to draw line by line: control characters escaped (a lone `\r` too; `\r\n`
/// ends a line as `\n` does), and every line that would be longer than the limit once
/// escaped replaced by a short note, so drawing any line costs at most the limit. Offsets of
/// the original text map to the drawn one ([`Drawable::offset`]).
pub struct Drawable {
    pub text: String,
    /// Changes, in order of their place in the original.
    edits: Vec<Edit>,
}

/// Bytes `from..from + from_len` of the original are `to..to + to_len` of the drawn text.
#[derive(Debug, Clone, Copy)]
struct Edit {
    from: usize,
    from_len: usize,
    to: usize,
    to_len: usize,
    /// A whole line, too long to draw.
    elided: bool,
}

impl Drawable {
    /// Make `text` drawable with lines of at most `max_line` bytes.
    pub fn new(text: String, max_line: usize) -> Drawable {
        let bytes = text.as_bytes();
        let mut edits = Vec::new();
        let mut start = 0;
        while start <= bytes.len() {
            let end = memchr::memchr2(b'\n', b'\r', bytes.get(start..).unwrap_or(&[]))
                .map_or(bytes.len(), |i| start + i);
            line_edits(&text, start, end, max_line, &mut edits);
            start = match (bytes.get(end), bytes.get(end + 1)) {
                // `\r\n` ends a line; the `\r` is kept as it is.
                (Some(b'\r'), Some(b'\n')) => end + 2,
                // A carriage return alone ends a line too (as the line index counts): drawn
                // as a line break, which a terminal would otherwise take as a return to the
                // start of the line.
                (Some(b'\r'), _) => {
                    edits.push(Edit {
                        from: end,
                        from_len: 1,
                        to: 0,
                        to_len: 0,
                        elided: false,
                    });
                    end + 1
                }
                _ => end + 1,
            };
        }
        if edits.is_empty() {
            return Drawable { text, edits };
        }
        let mut out = String::with_capacity(text.len() + edits.len() * 8);
        let mut copied = 0;
        for edit in &mut edits {
            out.push_str(text.get(copied..edit.from).unwrap_or(""));
            edit.to = out.len();
            let original = text.get(edit.from..edit.from + edit.from_len).unwrap_or("");
            if edit.elided {
                out.push_str(&format!("… (a line of {} bytes, not drawn)", edit.from_len));
            } else if original == "\r" {
                out.push('\n');
            } else {
                original.chars().for_each(|c| escape(c, &mut out));
            }
            edit.to_len = out.len() - edit.to;
            copied = edit.from + edit.from_len;
        }
        out.push_str(text.get(copied..).unwrap_or(""));
        Drawable { text: out, edits }
    }

    /// The last edit starting at or before `original`.
    fn edit_before(&self, original: usize) -> Option<&Edit> {
        let k = self.edits.partition_point(|e| e.from <= original);
        k.checked_sub(1).and_then(|k| self.edits.get(k))
    }

    /// Where byte `original` of the original text is in the drawn text (an offset inside an
    /// escaped character or an elided line: where its replacement starts).
    pub fn offset(&self, original: usize) -> usize {
        match self.edit_before(original) {
            None => original,
            Some(e) if original < e.from + e.from_len => e.to,
            Some(e) => e.to + e.to_len + (original - e.from - e.from_len),
        }
    }

    /// Whether the line holding byte `original` of the original text is not drawn (too long).
    pub fn elided(&self, original: usize) -> bool {
        self.edit_before(original)
            .is_some_and(|e| e.elided && original <= e.from + e.from_len)
    }
}

/// The edits of one line (`start..end` of `text`, without its line break).
fn line_edits(text: &str, start: usize, end: usize, max_line: usize, edits: &mut Vec<Edit>) {
    let whole = |edits: &mut Vec<Edit>| {
        edits.push(Edit {
            from: start,
            from_len: end - start,
            to: 0,
            to_len: 0,
            elided: true,
        });
    };
    if end - start > max_line {
        return whole(edits);
    }
    let first = edits.len();
    let mut drawn = end - start;
    let line = text.get(start..end).unwrap_or("");
    for (i, c) in line.char_indices().filter(|(_, c)| escaped(*c)) {
        let mut shown = String::new();
        escape(c, &mut shown);
        drawn = drawn + shown.len() - c.len_utf8();
        edits.push(Edit {
            from: start + i,
            from_len: c.len_utf8(),
            to: 0,
            to_len: 0,
            elided: false,
        });
    }
    if drawn > max_line {
        edits.truncate(first);
        whole(edits);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn a_carriage_return_alone_is_drawn_as_a_line_break() {
        let drawn = Drawable::new("a: 1\rb: \u{1b}x\r\nc: 3\r".to_string(), 100);
        assert_eq!(drawn.text, "a: 1\nb: \\u{1b}x\r\nc: 3\n");
        // Offsets after it are where they were (one byte for one byte).
        assert_eq!(drawn.offset(5), 5);
        assert_eq!(drawn.offset(20), 20 + "\\u{1b}".len() - 1);
    }

    #[test]
    fn one_line_escapes_controls_and_line_breaks() {
        assert_eq!(line("plain `AZURE`\tok"), "plain `AZURE`\tok");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
        assert_eq!(
            line("p\u{1b}]0;owned\u{7}\u{1b}[2J\nerror: forged\r"),
            "p\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\nerror: forged\\r"
        );
        assert_eq!(line("\u{9b}2J \u{202e}txt"), "\\u{9b}2J \\u{202e}txt");
    }

    #[test]
    fn drawable_text_maps_offsets_and_elides_long_lines() {
        let long = "x".repeat(50);
        let text = format!("a\u{1b}b\r\nc\rd\n{long}\nend");
        let d = Drawable::new(text.clone(), 20);
        assert_eq!(
            d.text,
            // A carriage return alone ends a line (as the line index counts it).
            "a\\u{1b}b\r\nc\nd\n… (a line of 50 bytes, not drawn)\nend"
        );
        // `b` is after the escape; `end` after the note.
        assert_eq!(&d.text[d.offset(2)..d.offset(3)], "b");
        assert_eq!(&d.text[d.offset(1)..d.offset(2)], "\\u{1b}");
        let end = text.find("end").unwrap_or(0);
        assert_eq!(&d.text[d.offset(end)..], "end");
        assert!(d.elided(end - 2) && d.elided(end - 1) && !d.elided(end));
        assert!(!d.elided(0));
        // Escaping can make a line too long: 4 controls fit in 20 bytes, 5 do not.
        let d = Drawable::new("\u{1}".repeat(4), 20);
        assert_eq!(d.text, "\\u{1}".repeat(4));
        let d = Drawable::new("\u{1}".repeat(5), 20);
        assert_eq!(d.text, "… (a line of 5 bytes, not drawn)");
        // Nothing to change: nothing copied.
        let d = Drawable::new("a\nb\r\n".to_string(), 20);
        assert_eq!((d.text.as_str(), d.offset(4)), ("a\nb\r\n", 4));
    }
}
