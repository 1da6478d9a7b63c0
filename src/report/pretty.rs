//! JSON text for the JSON reports (`json`, `sarif`, `gitlab`, `model`): laid out as serde's
//! pretty printer lays it out (two spaces an indent), with the characters JSON allows raw in
//! strings but a terminal acts on (DEL, C1 controls, bidirectional controls, line and
//! paragraph separators) written as `\u` escapes as they are written: the same JSON value,
//! safe to print, in one pass.
//!
//! A report's long list (a finding per element) is written on every thread of the run
//! ([`list`]) and put in its place in the rest of the report ([`slot`]), when the report is
//! written: a window of parts at a time, each written out before the next is made.

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

/// Whether a byte is DEL or starts, in UTF-8, a character a terminal acts on that JSON allows
/// raw (C1 controls, U+061C, the bidirectional controls and separators from U+200E).
const fn terminal_lead(b: u8) -> bool {
    matches!(b, 0x7f | 0xc2 | 0xd8 | 0xe2)
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
        if !s.bytes().any(terminal_lead) {
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

/// `value` as pretty JSON text at `depth`, appended to a text: written by serde into a buffer
/// each thread keeps (a SARIF report puts tens of thousands of elements this way, and a new
/// buffer grown for each cost 6% of such a run), then checked as UTF-8.
fn put_at<T: Serialize + ?Sized>(out: &mut String, value: &T, depth: usize) {
    /// A buffer larger than this is not kept for the next element.
    const KEPT: usize = 1 << 20;
    thread_local! {
        static BYTES: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let mut bytes = BYTES.take();
    bytes.clear();
    write_at(&mut bytes, value, depth);
    // serde writes UTF-8 (every string it writes is a `str`).
    match std::str::from_utf8(&bytes) {
        Ok(text) => out.push_str(text),
        Err(_) => out.push_str(&String::from_utf8_lossy(&bytes)),
    }
    if bytes.capacity() <= KEPT {
        BYTES.set(bytes);
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
    out: &'a mut String,
    depth: usize,
    keys: &'a mut Keys,
}

/// The text [`Fields`] writes before a field's value (a comma, a line break, the indent, the
/// quoted key and its colon), kept per field position for a part of a list: a report's
/// findings repeat the same dozen keys in the same order tens of thousands of times.
#[derive(Default)]
struct Keys(Vec<(&'static str, usize, Box<str>)>);

impl Keys {
    /// Field positions kept; past them, a key's text is written without keeping it.
    const MAX: usize = 32;

    /// Write the text before the `n`th field, `key` at `depth`.
    fn write(&mut self, out: &mut String, n: usize, key: &'static str, depth: usize) {
        let first = n == 0;
        if n >= Self::MAX {
            return key_text(out, key, depth, first);
        }
        let kept = match self.0.get(n) {
            Some((k, d, _)) => std::ptr::eq(*k, key) && *d == depth,
            None => false,
        };
        if !kept {
            let mut text = String::with_capacity(2 * depth + key.len() + 6);
            key_text(&mut text, key, depth, false);
            let entry = (key, depth, text.into_boxed_str());
            match self.0.get_mut(n) {
                Some(slot) => *slot = entry,
                None => {
                    // Positions are filled in order: an object's fields come one after the
                    // other, the first at 0.
                    self.0.resize(n, ("", usize::MAX, Box::default()));
                    self.0.push(entry);
                }
            }
        }
        let text = self.0.get(n).map_or("", |(_, _, text)| text);
        // The first field has no comma before its line break.
        out.push_str(if first {
            text.get(1..).unwrap_or_default()
        } else {
            text
        });
    }
}

/// The text before a field's value (see [`Keys`]).
fn key_text(out: &mut String, key: &str, depth: usize, first: bool) {
    out.push_str(if first { "\n" } else { ",\n" });
    indent_text(out, depth);
    // A key is one of the report's names: plain (checked in tests).
    out.push('"');
    out.push_str(key);
    out.push_str("\": ");
}

impl Element<'_> {
    /// Write the element: `value` as pretty JSON.
    pub fn put<T: Serialize + ?Sized>(&mut self, value: &T) {
        put_at(self.out, value, self.depth);
    }
}

/// The elements of a list at `depth` (the depth of the key that holds it), one per item,
/// each written by `write` (which puts it once), as serde writes a list's elements between
/// its brackets. Nothing is written yet: the elements are written when the text they are put
/// in is ([`Text::write_to`], [`Text::into_string`]), on every thread of the run when the
/// list is long, in parts (one per [`PARALLEL_MIN`] items) written out in order.
pub fn list<'a, I: Sync + 'a>(
    items: impl AsRef<[I]> + Sync + 'a,
    depth: usize,
    write: impl Fn(&I, &mut Element<'_>) + Sync + 'a,
) -> List<'a> {
    let len = items.as_ref().len();
    List {
        len,
        parts: len.div_ceil(PARALLEL_MIN).max(1),
        write: Box::new(move |k, out| {
            let items = items.as_ref();
            let from = k.saturating_mul(PARALLEL_MIN);
            let chunk = items
                .get(from..items.len().min(from.saturating_add(PARALLEL_MIN)))
                .unwrap_or_default();
            out.reserve(chunk.len() * 640);
            let mut keys = Keys::default();
            for (i, item) in chunk.iter().enumerate() {
                out.push_str(if k == 0 && i == 0 { "\n" } else { ",\n" });
                indent_text(out, depth + 1);
                write(
                    item,
                    &mut Element {
                        out: &mut *out,
                        depth: depth + 1,
                        keys: &mut keys,
                    },
                );
            }
        }),
    }
}

/// A list's elements to be written (see [`list`]).
pub struct List<'a> {
    /// Elements.
    len: usize,
    /// Parts it is written in (one when it is short or empty).
    parts: usize,
    /// Appends the `k`th part.
    write: Box<WritePart<'a>>,
}

/// What appends a [`List`]'s `k`th part to a text.
type WritePart<'a> = dyn Fn(usize, &mut String) + Sync + 'a;

impl List<'_> {
    /// Parts written at a time, on every thread: a report of tens of thousands of findings is
    /// written a few megabytes at a time, not held whole (its memory is touched once and
    /// reused, not grown by the report's size).
    const WINDOW: usize = 16;

    /// Each part in order, given to `f`: parts written `WINDOW` at a time into buffers that
    /// are reused; on the calling thread when there is one part.
    fn each<E>(&self, mut f: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        use rayon::prelude::*;
        if self.parts == 1 {
            let mut out = String::new();
            (self.write)(0, &mut out);
            return f(&out);
        }
        let mut buffers = vec![String::new(); Self::WINDOW.min(self.parts)];
        for from in (0..self.parts).step_by(Self::WINDOW) {
            let n = Self::WINDOW.min(self.parts - from);
            let window = buffers.get_mut(..n).unwrap_or_default();
            window.par_iter_mut().enumerate().for_each(|(i, out)| {
                out.clear();
                (self.write)(from + i, out);
            });
            window.iter().try_for_each(|part| f(part))?;
        }
        Ok(())
    }
}

impl Element<'_> {
    /// Write the element as an object of string and number fields, field by field: the text
    /// [`Element::put`] writes for a struct of those fields (a report's findings are tens of
    /// thousands, and serde's way through a formatter costs as much as evaluating them).
    pub fn fields(&mut self) -> Fields<'_> {
        self.out.push('{');
        Fields {
            out: &mut *self.out,
            depth: self.depth + 1,
            keys: &mut *self.keys,
            written: 0,
        }
    }
}

/// An object being written by [`Element::fields`].
pub struct Fields<'a> {
    out: &'a mut String,
    depth: usize,
    keys: &'a mut Keys,
    /// Fields written so far.
    written: usize,
}

impl Fields<'_> {
    fn key(&mut self, key: &'static str) {
        self.keys.write(self.out, self.written, key, self.depth);
        self.written += 1;
    }

    /// A string field.
    pub fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        self.key(key);
        string(self.out, value);
        self
    }

    /// A number field.
    pub fn num(&mut self, key: &'static str, value: u32) -> &mut Self {
        self.key(key);
        self.out.push_str(itoa::Buffer::new().format(value));
        self
    }

    /// Close the object.
    pub fn end(self) {
        if self.written > 0 {
            self.out.push('\n');
            indent_text(self.out, self.depth.saturating_sub(1));
        }
        self.out.push('}');
    }
}

/// Whether a string's byte can be written as it is, between quotes: not one JSON escapes (a
/// quote, a backslash, a control below U+0020) nor one that starts a character a terminal
/// acts on ([`Pretty::write_string_fragment`]). One look-up a byte.
// Evaluated when compiling: an index out of range would not compile.
#[allow(clippy::indexing_slicing)]
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0x20;
    while b < 256 {
        table[b] = !matches!(b, 0x22 | 0x5c) && !terminal_lead(b as u8);
        b += 1;
    }
    table
};

fn plain(b: u8) -> bool {
    PLAIN.get(usize::from(b)).copied().unwrap_or(false)
}

/// Whether every byte of `s` is [`plain`]: eight at a time while they are ASCII other than
/// a control, a quote, a backslash or DEL (a report's strings are mostly that), else by the
/// table.
fn all_plain(s: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether a byte of `x` is zero: exact for "any", though not for which.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let (chunks, rest) = s.as_chunks::<8>();
    chunks.iter().all(|chunk| {
        let x = u64::from_ne_bytes(*chunk);
        // A byte below 0x20, 0x80 or above (its top bit), a quote, a backslash or DEL.
        let maybe = x.wrapping_sub(ONES * 0x20) & !x & HIGH != 0
            || x & HIGH != 0
            || zero(x ^ (ONES * 0x22))
            || zero(x ^ (ONES * 0x5c))
            || zero(x ^ (ONES * 0x7f));
        !maybe || chunk.iter().copied().all(plain)
    }) && rest.iter().copied().all(plain)
}

/// `s` as a JSON string, as [`write_at`] writes it.
fn string(out: &mut String, s: &str) {
    if all_plain(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        put_at(out, s, 0);
    }
}

/// `depth` indents (two spaces each).
fn indent_text(out: &mut String, depth: usize) {
    out.extend(std::iter::repeat_n(' ', 2 * depth));
}

/// A list of its own (the whole text: a report that is one list), of the elements `list`
/// wrote at depth 0.
pub fn array(elements: List<'_>) -> Text<'_> {
    let close = if elements.len > 0 { "\n]" } else { "]" };
    Text(vec![
        Part::Done("[".into()),
        Part::List(elements),
        Part::Done(close.into()),
    ])
}

/// Where `doc` (written by [`text`]) has the empty list under `key` at `depth`, for the
/// elements of a [`list`]: the first line break followed by `depth` indents and `"key": []`,
/// which is that list (a string's line breaks are escaped, so only the layout has them).
/// `None` when `doc` has no such list.
pub fn slot(doc: &str, key: &str, depth: usize) -> Option<Slot> {
    let marker = format!("\n{}\"{key}\": []", "  ".repeat(depth));
    let at = doc.find(&marker)? + marker.len() - 1;
    Some(Slot {
        before: doc.get(..at)?.to_string(),
        after: doc.get(at..)?.to_string(),
        depth,
    })
}

/// An empty list in a text, found by [`slot`].
pub struct Slot {
    before: String,
    after: String,
    depth: usize,
}

impl Slot {
    /// The text with `elements` (written by [`list`] at the slot's depth) in the list.
    pub fn with(self, elements: List<'_>) -> Text<'_> {
        let mut parts = Vec::with_capacity(4);
        parts.push(Part::Done(self.before));
        if elements.len > 0 {
            parts.push(Part::List(elements));
            parts.push(Part::Done(format!("\n{}", "  ".repeat(self.depth))));
        }
        parts.push(Part::Done(self.after));
        Text(parts)
    }
}

/// The largest [`Text`] written in one write (past a pipe's buffer, a reader that stops
/// early breaks the pipe whatever the writes).
const ONE_WRITE_MAX: usize = 1 << 20;

/// A report's text in its parts: texts, and lists written only when the report is (a report
/// of many findings is written on every thread, a window of parts at a time, each window
/// written out before the next is made: see [`List`]).
#[derive(Default)]
pub struct Text<'a>(Vec<Part<'a>>);

/// A part of a [`Text`].
enum Part<'a> {
    Done(String),
    List(List<'a>),
}

impl Text<'_> {
    /// Each piece of the text in order, given to `f`.
    fn each<E>(&self, mut f: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        self.0.iter().try_for_each(|part| match part {
            Part::Done(text) => f(text),
            Part::List(list) => list.each(&mut f),
        })
    }

    /// The parts, one after the other. A text up to [`ONE_WRITE_MAX`] goes in one write, as
    /// a text in one part does: a reader that stops early (`| head`) has then taken all of
    /// it in its pipe's buffer, and the run does not fail on a broken pipe after it. A
    /// longer one is written as its parts are made.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        // The text so far while it is no longer than ONE_WRITE_MAX (`None` once it is).
        let mut held = Some(String::new());
        self.each(|piece| match &mut held {
            Some(text) if text.len() + piece.len() <= ONE_WRITE_MAX => {
                text.push_str(piece);
                Ok(())
            }
            Some(text) => {
                if !text.is_empty() {
                    w.write_all(text.as_bytes())?;
                }
                held = None;
                w.write_all(piece.as_bytes())
            }
            None => w.write_all(piece.as_bytes()),
        })?;
        match held {
            Some(text) if !text.is_empty() => w.write_all(text.as_bytes()),
            _ => Ok(()),
        }
    }

    /// The whole text.
    pub fn into_string(self) -> String {
        if let [Part::Done(_)] = self.0.as_slice() {
            if let Some(Part::Done(one)) = self.0.into_iter().next() {
                return one;
            }
            return String::new();
        }
        let mut all = String::new();
        let _ = self.each(|piece| {
            all.push_str(piece);
            Ok::<(), ()>(())
        });
        all
    }

    /// The text with `s` after it.
    pub fn push_str(&mut self, s: &str) {
        self.0.push(Part::Done(s.to_string()));
    }
}

impl From<String> for Text<'_> {
    fn from(s: String) -> Self {
        Text(vec![Part::Done(s)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Strings that need each way of writing: plain, JSON's escapes, what a terminal acts on
    /// (C1, bidirectional, line separators, DEL), and characters that start with the same
    /// bytes as those but are plain (U+00A0, U+0600, U+2010).
    const STRINGS: &[&str] = &[
        "",
        "plain /path/to/file.yaml",
        "a \" quote",
        "a \\ backslash",
        "a \n line break",
        "a \t tab",
        "a \u{1} control",
        "a \u{1f} control",
        "a \u{7f} DEL",
        "a \u{85} C1 control",
        "a \u{202e} bidi override",
        "a \u{2066} bidi isolate",
        "a \u{2028} line separator",
        "a \u{61c} Arabic letter mark",
        "nbsp \u{a0} arabic \u{600} hyphen \u{2010} emoji \u{1f600}",
    ];

    #[test]
    fn fields_write_what_serde_writes() {
        #[derive(Serialize)]
        struct Two<'a> {
            first: &'a str,
            number: u32,
            second: &'a str,
        }
        // One key cache for all, as a list's part has: kept texts are reused across depths.
        let mut keys = Keys::default();
        // Each string alone (shorter than the eight bytes looked at together) and inside
        // longer ones, its characters at other places in those eight.
        let strings: Vec<String> = STRINGS
            .iter()
            .flat_map(|s| {
                [
                    s.to_string(),
                    format!("{s} 0123456789"),
                    format!("012 {s} 45678"),
                ]
            })
            .collect();
        for (i, a) in strings.iter().enumerate() {
            for n in [0, 7, 10, 99, 1000, u32::MAX] {
                let b = strings
                    .get(strings.len() - 1 - i)
                    .map(String::as_str)
                    .unwrap_or_default();
                let value = Two {
                    first: a,
                    number: n,
                    second: b,
                };
                for depth in [0, 1, 3] {
                    let by_serde = put(&value, depth);
                    let by_fields = written_by_fields(&mut keys, depth, |o| {
                        o.str("first", a).num("number", n).str("second", b);
                    });
                    assert_eq!(by_fields, by_serde, "{a:?} {n} {b:?} at {depth}");
                }
            }
        }
        let mut empty = String::new();
        Element {
            out: &mut empty,
            depth: 2,
            keys: &mut Keys::default(),
        }
        .fields()
        .end();
        assert_eq!(empty, "{}");
    }

    /// What [`Element::put`] writes of `value` at `depth`.
    fn put<T: Serialize>(value: &T, depth: usize) -> String {
        let mut out = String::new();
        Element {
            out: &mut out,
            depth,
            keys: &mut Keys::default(),
        }
        .put(value);
        out
    }

    /// What [`Element::fields`] writes at `depth`, its fields written by `write`.
    fn written_by_fields(
        keys: &mut Keys,
        depth: usize,
        write: impl FnOnce(&mut Fields<'_>),
    ) -> String {
        let mut out = String::new();
        let mut e = Element {
            out: &mut out,
            depth,
            keys,
        };
        let mut o = e.fields();
        write(&mut o);
        o.end();
        out
    }

    #[test]
    fn key_texts_kept_replaced_and_past_the_kept_ones_are_written_the_same() {
        // More fields than positions are kept, in objects of other keys and depths one after
        // the other through one cache: kept, replaced, and written without keeping.
        let names: Vec<&'static str> = (0..Keys::MAX + 8)
            .map(|i| &*Box::leak(format!("k{i:02}").into_boxed_str()))
            .collect();
        let mut keys = Keys::default();
        for (depth, count, skip) in [(1, 3, 0), (1, 40, 0), (2, 40, 0), (2, 5, 1), (0, 40, 2)] {
            let fields: Vec<&'static str> = names.iter().copied().skip(skip).take(count).collect();
            let by_serde: std::collections::BTreeMap<&str, u32> =
                fields.iter().map(|k| (*k, 7)).collect();
            let expected = put(&by_serde, depth);
            for _ in 0..2 {
                let written = written_by_fields(&mut keys, depth, |o| {
                    for k in &fields {
                        o.num(k, 7);
                    }
                });
                assert_eq!(written, expected, "{count} fields at {depth}");
            }
        }
        assert_eq!(keys.0.len(), Keys::MAX);
    }

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
        let done = |s: &str| Part::Done(s.to_string());
        let small = Text(vec![done("{\n"), done("  \"a\": 1"), done("\n}\n")]);
        let mut w = Writes::default();
        small.write_to(&mut w).unwrap_or_default();
        assert_eq!(w.0, [small.into_string().len()]);
        let part = "x".repeat(ONE_WRITE_MAX / 2 + 1);
        let large = Text(vec![done(&part), done(&part)]);
        let mut w = Writes::default();
        large.write_to(&mut w).unwrap_or_default();
        assert_eq!(w.0, [part.len(), part.len()]);
        // A list's parts: held while the text is no longer than one write, then each
        // written as it is made.
        let items = vec![0_u8; 3 * PARALLEL_MIN];
        // Each part two fifths of a write.
        let long = "y".repeat(ONE_WRITE_MAX * 2 / 5 / PARALLEL_MIN);
        let element = long.len() + 4; // ",\n", two spaces of indent, the text
        let elements = list(items, 0, move |_, e| e.out.push_str(&long));
        let text = array(elements);
        let mut w = Writes::default();
        text.write_to(&mut w).unwrap_or_default();
        let part = PARALLEL_MIN * element;
        assert_eq!(w.0, [1 + 2 * part - 1, part, 2]);
        assert_eq!(w.0.iter().sum::<usize>(), text.into_string().len());
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
            // More parts than a window, and a window's parts and one more.
            (List::WINDOW + 2) * PARALLEL_MIN + 7,
            List::WINDOW * PARALLEL_MIN + 1,
        ] {
            let items: Vec<usize> = (0..n).collect();
            let make = |k: &usize| json!({"k": k, "v": [k, {"w": "x"}], "e": []});
            let whole = json!({
                "version": 1,
                "runs": [{ "results": items.iter().map(make).collect::<Vec<_>>(), "z": 2 }],
            });
            let empty = json!({"version": 1, "runs": [{ "results": [], "z": 2 }]});
            let slot = slot(&text(&empty), "results", 3);
            let spliced = slot.map(|slot| slot.with(list(&items, 3, |k, e| e.put(&make(k)))));
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
        assert!(slot("{}", "results", 1).is_none());
        for n in [0, 1, 2 * PARALLEL_MIN + 1] {
            let items: Vec<usize> = (0..n).collect();
            let make = |k: &usize| json!({"k": k, "e": {}});
            let whole = items.iter().map(make).collect::<Vec<_>>();
            let elements = list(&items, 0, |k, e| e.put(&make(k)));
            assert_eq!(array(elements).into_string(), text(&whole), "{n} elements");
        }
    }
}
