//! JSON text for the JSON reports (`json`, `sarif`, `gitlab`, `model`): laid out as serde's
//! pretty printer lays it out (two spaces an indent), with the characters JSON allows raw in
//! strings but a terminal acts on (DEL, C1 controls, bidirectional controls, line and
//! paragraph separators) written as `\u` escapes as they are written: the same JSON value,
//! safe to print, in one pass.
//!
//! A report's long list (a finding per element) is written on every thread of the run
//! ([`list`]) and put in its place in the rest of the report ([`splice`]).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use super::terminal;

/// Pretty JSON, the formatter starting `depth` levels in (what it writes after a line break
/// is indented as a value at that depth would be).
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        indent(w, self.depth)
    }

    fn end<W: ?Sized + Write>(&mut self, w: &mut W, close: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.depth)?;
        }
        w.write_all(close)
    }
}

fn indent<W: ?Sized + Write>(w: &mut W, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        w.write_all(b"  ")?;
    }
    Ok(())
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.end(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// serde has escaped what JSON requires (quotes, backslashes, characters below U+0020);
    /// the rest of what a terminal acts on is escaped here.
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        // Each such character is DEL or starts with one of these bytes in UTF-8.
        if !s.bytes().any(|b| matches!(b, 0x7f | 0xc2 | 0xd8 | 0xe2)) {
            return w.write_all(s.as_bytes());
        }
        let mut from = 0;
        for (at, c) in s.char_indices() {
            if terminal::escaped(c) {
                w.write_all(s.as_bytes().get(from..at).unwrap_or_default())?;
                write!(w, "\\u{:04x}", u32::from(c))?;
                from = at + c.len_utf8();
            }
        }
        w.write_all(s.as_bytes().get(from..).unwrap_or_default())
    }
}

/// `value` as pretty JSON text at `depth`, appended to `out`.
fn write_at<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T, depth: usize) {
    let formatter = Pretty {
        depth,
        has_value: false,
    };
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, formatter);
    // Writing to memory fails only on a value serde cannot write (a map with keys that are
    // not strings), which no report has: written as null, the report stays JSON.
    if value.serialize(&mut ser).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// `value` as pretty JSON text.
pub fn text<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    write_at(&mut out, value, 0);
    // serde writes UTF-8 (every string it writes is a `str`).
    String::from_utf8(out).unwrap_or_default()
}

/// Elements a thread writes at a time (a list no longer is written on the calling thread).
const PARALLEL_MIN: usize = 512;

/// Where [`list`] writes one element.
pub struct Element<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
}

impl Element<'_> {
    /// Write the element: `value` as pretty JSON.
    pub fn put<T: Serialize + ?Sized>(&mut self, value: &T) {
        write_at(self.out, value, self.depth);
    }
}

/// The elements of a list at `depth` (the depth of the key that holds it), one per item,
/// each written by `write` (which puts it once), as serde writes a list's elements between
/// its brackets: on every thread of the run when the list is long, in order (in parts, one
/// per thread's share, which [`splice`] puts together).
pub fn list<I: Sync>(
    items: &[I],
    depth: usize,
    write: impl Fn(&I, &mut Element<'_>) + Sync,
) -> Vec<String> {
    super::parts(items, PARALLEL_MIN, |k, chunk| {
        let mut out = Vec::with_capacity(chunk.len() * 640);
        for (i, item) in chunk.iter().enumerate() {
            out.extend_from_slice(if k == 0 && i == 0 { b"\n" } else { b",\n" });
            out.resize(out.len() + 2 * (depth + 1), b' ');
            write(
                item,
                &mut Element {
                    out: &mut out,
                    depth: depth + 1,
                },
            );
        }
        // Checked here, on the part's thread, not as one text on one thread at the end.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    })
}

/// A list of its own (the whole text: a report that is one list), of the elements `list`
/// wrote at depth 0.
pub fn array(elements: &[String]) -> String {
    let mut out = String::with_capacity(elements.iter().map(String::len).sum::<usize>() + 3);
    out.push('[');
    for part in elements {
        out.push_str(part);
    }
    if out.len() > 1 {
        out.push('\n');
    }
    out.push(']');
    out
}

/// `doc` (written by [`text`]) with the elements `list` wrote put into the empty list under
/// `key` at `depth`: the first line break followed by `depth` indents and `"key": []`, which
/// is that list (a string's line breaks are escaped, so only the layout has them). `None`
/// when `doc` has no such list.
pub fn splice(doc: &str, key: &str, depth: usize, elements: Vec<String>) -> Option<Text> {
    let marker = format!("\n{}\"{key}\": []", "  ".repeat(depth));
    let at = doc.find(&marker)? + marker.len() - 1;
    let mut parts = Vec::with_capacity(elements.len() + 3);
    parts.push(doc.get(..at)?.to_string());
    if elements.iter().any(|e| !e.is_empty()) {
        parts.extend(elements);
        parts.push(format!("\n{}", "  ".repeat(depth)));
    }
    parts.push(doc.get(at..)?.to_string());
    Some(Text(parts))
}

/// The largest [`Text`] written in one write (past a pipe's buffer, a reader that stops
/// early breaks the pipe whatever the writes).
const ONE_WRITE_MAX: usize = 1 << 20;

/// A report's text in the parts it was written in: a report of many findings is written on
/// every thread, and its parts are written out one after the other, not copied into one
/// text first.
#[derive(Debug, Default)]
pub struct Text(Vec<String>);

impl Text {
    /// The parts, one after the other. A text up to [`ONE_WRITE_MAX`] goes in one write, as
    /// a text in one part does: a reader that stops early (`| head`) has then taken all of
    /// it in its pipe's buffer, and the run does not fail on a broken pipe after it.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        let len: usize = self.0.iter().map(String::len).sum();
        if self.0.len() > 1 && len <= ONE_WRITE_MAX {
            let mut all = String::with_capacity(len);
            self.0.iter().for_each(|part| all.push_str(part));
            return w.write_all(all.as_bytes());
        }
        self.0
            .iter()
            .try_for_each(|part| w.write_all(part.as_bytes()))
    }

    /// The whole text.
    pub fn into_string(self) -> String {
        match <[String; 1]>::try_from(self.0) {
            Ok([one]) => one,
            Err(parts) => parts.concat(),
        }
    }

    /// The text with `s` after it.
    pub fn push_str(&mut self, s: &str) {
        self.0.push(s.to_string());
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(vec![s])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lays_out_as_serde_does_and_escapes_what_json_allows_raw() {
        let values = [
            json!({"a": [1, {"b": []}, {}], "c": {"d": [[]]}, "e": "x\ny\"z"}),
            json!([]),
            json!("plain"),
        ];
        for value in values {
            let ours = text(&value);
            assert_eq!(
                ours,
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        let value = json!({"m": "a\u{1b}b\u{7f}c\u{9b}d\u{202e}e\u{2028}é→\u{10348}"});
        let ours = text(&value);
        assert_eq!(
            ours,
            "{\n  \"m\": \"a\\u001bb\\u007fc\\u009bd\\u202ee\\u2028é→\u{10348}\"\n}"
        );
        let back: serde_json::Value = serde_json::from_str(&ours).unwrap_or_default();
        assert_eq!(back, value);
    }

    /// Counts the writes it is given.
    #[derive(Default)]
    struct Writes(Vec<usize>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.push(buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_small_text_in_parts_is_one_write_and_a_large_one_is_not_copied() {
        let small = Text(vec!["{\n".into(), "  \"a\": 1".into(), "\n}\n".into()]);
        let mut w = Writes::default();
        small.write_to(&mut w).unwrap_or_default();
        assert_eq!(w.0, [small.0.iter().map(String::len).sum::<usize>()]);
        let part = "x".repeat(ONE_WRITE_MAX / 2 + 1);
        let large = Text(vec![part.clone(), part.clone()]);
        let mut w = Writes::default();
        large.write_to(&mut w).unwrap_or_default();
        assert_eq!(w.0, [part.len(), part.len()]);
    }

    #[test]
    fn a_list_written_apart_is_the_list_serde_writes() {
        for n in [
            0,
            1,
            2,
            PARALLEL_MIN - 1,
            PARALLEL_MIN,
            3 * PARALLEL_MIN + 7,
        ] {
            let items: Vec<usize> = (0..n).collect();
            let make = |k: &usize| json!({"k": k, "v": [k, {"w": "x"}], "e": []});
            let whole = json!({
                "version": 1,
                "runs": [{ "results": items.iter().map(make).collect::<Vec<_>>(), "z": 2 }],
            });
            let empty = json!({"version": 1, "runs": [{ "results": [], "z": 2 }]});
            let elements = list(&items, 3, |k, e| e.put(&make(k)));
            let spliced = splice(&text(&empty), "results", 3, elements);
            let mut written = Vec::new();
            if let Some(parts) = &spliced {
                parts.write_to(&mut written).unwrap_or_default();
            }
            assert_eq!(
                String::from_utf8(written).ok(),
                Some(text(&whole)),
                "{n} elements"
            );
            assert_eq!(
                spliced.map(Text::into_string),
                Some(text(&whole)),
                "{n} elements"
            );
        }
        assert!(splice("{}", "results", 1, Vec::new()).is_none());
        for n in [0, 1, 2 * PARALLEL_MIN + 1] {
            let items: Vec<usize> = (0..n).collect();
            let make = |k: &usize| json!({"k": k, "e": {}});
            let whole = items.iter().map(make).collect::<Vec<_>>();
            let elements = list(&items, 0, |k, e| e.put(&make(k)));
            assert_eq!(array(&elements), text(&whole), "{n} elements");
        }
    }
}
