//! Span-carrying document trees.
//!
//! The parsers (`json.rs`, `yaml.rs`, `hcl.rs`, `shell`, and the readers of programs' code
//! `js.rs` and `py.rs`) produce the same [`Node`] tree: every node knows its
//! byte span in the source text. Line/column are derived from the span through a [`LineIndex`],
//! and JSON pointers through a [`Cursor`] as adapters walk the tree. Nothing in this module
//! knows about Atlas.

pub(crate) mod bytes;
mod code;
pub mod hcl;
pub mod hcl_balance;
pub mod hcl_expr;
pub mod js;
pub mod json;
pub mod py;
pub mod secrets;
pub mod shell;
pub mod template;
pub mod tf_json;
pub mod yaml;

use std::fmt::Write as _;

/// Hard limits that keep hostile input from hanging or exhausting the process.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of sequences/mappings accepted.
    pub max_depth: usize,
    /// Largest number of nodes one document may expand to (bounds YAML alias expansion).
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_nodes: 1_000_000,
        }
    }
}

/// A byte range `[start, end)` in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end.max(start)).unwrap_or(u32::MAX),
        }
    }
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number, kept as written.
    Number(Box<str>),
    String(Box<str>),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One key/value pair of a mapping, in source order. Keys are nodes so they keep their span.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// The tag of an HCL expression that is not a literal (a reference, a function call, a
/// template with interpolation, ...), and of a JavaScript expression [`js`] does not read. Such a node holds the expression's source text as a
/// string, but [`Node::scalar_text`] and [`Node::as_str`] return `None` for it: it is never a
/// value. See [`hcl`].
pub const EXPR_TAG: &str = "hcl:expr";

/// The tag of a scalar that an unrendered template action produces, in whole or in part (see
/// [`template`]): like [`EXPR_TAG`], never a value ([`Node::scalar_text`] and [`Node::as_str`]
/// return `None`), but its literal parts (a connection string around an action) are still
/// text that the any-file adapter may read.
pub const TEMPLATE_TAG: &str = "template:action";

/// A node of a document: a value, its byte span, and an optional YAML tag (e.g. `!Ref`).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// The tag as written without the leading `!` (e.g. `Ref`, `GetAtt`), for local tags; an
    /// unknown `!!` tag keeps its second `!` (`!!Ref` gives `!Ref`).
    pub tag: Option<arcstr::ArcStr>,
}

impl Node {
    /// Move every span of the tree by `by` bytes: a tree parsed from a piece of a text (an
    /// inline patch, a body inside a command line) placed at that piece.
    pub fn shift_spans(&mut self, by: u32) {
        self.span = Span {
            start: self.span.start.saturating_add(by),
            end: self.span.end.saturating_add(by),
        };
        match &mut self.value {
            Value::Map(entries) => {
                for e in entries {
                    e.key.shift_spans(by);
                    e.value.shift_spans(by);
                }
            }
            Value::Seq(items) => {
                for i in items {
                    i.shift_spans(by);
                }
            }
            _ => {}
        }
    }

    pub fn new(value: Value, span: Span) -> Node {
        Node {
            value,
            span,
            tag: None,
        }
    }

    /// Whether this node is a non-literal HCL expression ([`EXPR_TAG`], or a tag that starts
    /// with it: an adapter may tag the expressions it has resolved in part).
    pub fn is_expr(&self) -> bool {
        self.tag.as_deref().is_some_and(|t| t.starts_with(EXPR_TAG))
    }

    /// Whether this scalar comes (in part) from a template action ([`TEMPLATE_TAG`]).
    pub fn is_template(&self) -> bool {
        self.tag.as_deref() == Some(TEMPLATE_TAG)
    }

    /// The source text of a non-literal HCL expression (`var.region`, `upper(x)`), for
    /// adapters that resolve references. `None` for every other node.
    pub fn expr_source(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) if self.is_expr() => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar: strings as they are, numbers as written, booleans and null as
    /// their canonical spelling. `None` for sequences, mappings and non-literal expressions.
    pub fn scalar_text(&self) -> Option<&str> {
        if self.is_expr() || self.is_template() {
            return None;
        }
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s),
            Value::Bool(true) => Some("true"),
            Value::Bool(false) => Some("false"),
            Value::Null => None,
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The string value, if this node is a string (not a non-literal expression).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) if !self.is_expr() && !self.is_template() => Some(s),
            _ => None,
        }
    }

    /// Whether the node says true: a boolean, or a string `true` (any case), as flags such as
    /// `sensitive` and `NoEcho` are written in every format.
    pub fn is_true(&self) -> bool {
        match &self.value {
            Value::Bool(b) => *b,
            Value::String(s) => s.trim().eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The entry for `key` in a mapping. When a key occurs more than once the last one wins,
    /// as in most YAML and JSON consumers; the parsers report duplicates separately.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        // The common miss (a string key of another length) is decided before the tag checks
        // of `scalar_text`.
        let maybe = |k: &Node| match &k.value {
            Value::String(s) | Value::Number(s) => s.len() == key.len(),
            _ => true,
        };
        self.as_map()?
            .iter()
            .rev()
            .find(|e| maybe(&e.key) && e.key.scalar_text() == Some(key))
    }

    /// The value for `key` in a mapping (see [`Node::entry`]).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }
}

/// A parse problem: a message and where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

/// A problem that does not stop parsing (e.g. a duplicate key).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseWarning {
    pub message: String,
    /// The later occurrence.
    pub span: Span,
    /// The earlier occurrence, when there is one.
    pub related: Option<Span>,
    /// What to do about it, when the reporter's general advice does not fit.
    pub help: Option<&'static str>,
}

/// A parsed file: one root per document (JSON has exactly one; YAML streams may have many).
#[derive(Debug, Default, PartialEq)]
pub struct Document {
    pub roots: Vec<Node>,
    pub warnings: Vec<ParseWarning>,
    /// YAML anchored nodes that aliases use elsewhere (`<<: *defaults`, `key: *value`): what
    /// is written once there is used in each alias's place too.
    pub aliased: Vec<Aliased>,
}

/// An anchored node (`&name`) and the aliases (`*name`) that use it.
#[derive(Debug, Clone, PartialEq)]
pub struct Aliased {
    pub anchored: Span,
    pub uses: Vec<Span>,
}

/// Which parser a file goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
    /// Terraform `.tf` and `.tfvars`.
    Hcl,
    /// Shell command lines: scripts, Makefile recipes, Dockerfile `RUN` lines.
    Shell(shell::Dialect),
    /// JavaScript and TypeScript modules, read for their imports, bindings and `new`
    /// expressions ([`js`]).
    Js,
    /// Python modules, read the same way ([`py`]).
    Py,
}

impl Syntax {
    /// Whether a file of this syntax may be an unrendered template (`{{ ... }}`) that reads
    /// as structure once its actions are blanked (see [`template`]).
    pub fn may_be_template(self) -> bool {
        matches!(self, Syntax::Json | Syntax::Yaml)
    }
}

/// Parse `text` with the parser for `syntax`.
pub fn parse(text: &str, syntax: Syntax, limits: &Limits) -> Result<Document, ParseError> {
    match syntax {
        Syntax::Json => json::parse(text, limits),
        Syntax::Yaml => yaml::parse(text, limits),
        Syntax::Hcl => hcl::parse(text, limits),
        Syntax::Shell(dialect) => shell::parse(text, dialect, limits),
        Syntax::Js => js::parse(text, limits),
        Syntax::Py => py::parse(text, limits),
    }
}

/// 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Byte offsets of line starts, for turning byte offsets into lines and character columns.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    ascii: bool,
    /// Text that is not ASCII: the number of characters before each multiple of
    /// [`CHECKPOINT`] bytes, so that a column on a long line is counted from the nearest
    /// checkpoint, not from the line's start (thousands of values on one long line of
    /// minified JSON would count that line again for each).
    chars_before: Vec<u32>,
    /// Whether a line ends with `\r\n` (see [`LineIndex::crlf`]).
    crlf: bool,
}

/// Bytes between the character counts [`LineIndex`] keeps for text that is not ASCII.
const CHECKPOINT: usize = 4096;

/// Characters in UTF-8 `bytes` (or, for a slice that cuts a character, its lead bytes).
fn char_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // A byte order mark is not a character of the first line: columns there count from
        // after it, as editors show them.
        let first = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        let mut starts = vec![first];
        let mut crlf = false;
        let raw = text.as_bytes();
        bytes::each_newline(raw, |pos| {
            starts.push(u32::try_from(pos + 1).unwrap_or(u32::MAX));
            crlf = crlf || pos.checked_sub(1).and_then(|i| raw.get(i)) == Some(&b'\r');
        });
        // A carriage return alone also ends a line (YAML reads it so, and so do editors: a
        // file saved with classic Mac line ends); in `\r\n` it is part of the one break.
        let mut lone = bytes::lone_carriage_returns(text.as_bytes()).peekable();
        if lone.peek().is_some() {
            starts.extend(lone.map(|at| u32::try_from(at + 1).unwrap_or(u32::MAX)));
            starts.sort_unstable();
        }
        let ascii = text.is_ascii();
        let mut chars_before = Vec::new();
        if !ascii {
            let mut before = 0usize;
            for chunk in text.as_bytes().chunks(CHECKPOINT) {
                chars_before.push(u32::try_from(before).unwrap_or(u32::MAX));
                before += char_count(chunk);
            }
        }
        LineIndex {
            starts,
            ascii,
            chars_before,
            crlf,
        }
    }

    /// Whether the text has a `\r\n` line end: what an edit that adds a line ends it with.
    pub fn crlf(&self) -> bool {
        self.crlf
    }

    /// Characters in `text[from..to]` (both on character boundaries, `from <= to`).
    fn chars_between(&self, text: &str, from: usize, to: usize) -> usize {
        let bytes = text.as_bytes();
        if to - from <= 2 * CHECKPOINT {
            return char_count(bytes.get(from..to).unwrap_or_default());
        }
        // Characters before `at`: the checkpoint's count, then those after it.
        let before = |at: usize| -> Option<usize> {
            let k = at / CHECKPOINT;
            let base = usize::try_from(*self.chars_before.get(k)?).ok()?;
            Some(base + char_count(bytes.get(k * CHECKPOINT..at)?))
        };
        match (before(to), before(from)) {
            (Some(b), Some(a)) => b.saturating_sub(a),
            _ => char_count(bytes.get(from..to).unwrap_or_default()),
        }
    }

    /// The 1-based line and character column of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let line0 = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line0).copied().unwrap_or(0);
        let column = if self.ascii {
            offset.saturating_sub(start) as usize
        } else {
            let from = (start as usize).min(text.len());
            let to = (offset as usize).clamp(from, text.len());
            if text.is_char_boundary(from) && text.is_char_boundary(to) {
                self.chars_between(text, from, to)
            } else {
                to - from
            }
        };
        LineCol {
            line: u32::try_from(line0 + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// The line and column of both ends of `span`: the end counted on from the start when
    /// no line break lies between (a value's span, nearly always), without a second search.
    pub fn span_line_cols(&self, text: &str, span: Span) -> (LineCol, LineCol) {
        let start = self.line_col(text, span.start);
        let first = self.starts.first().copied().unwrap_or(0);
        let within = text
            .get(span.start as usize..span.end as usize)
            .filter(|part| span.start >= first && !part.contains('\n'));
        let end = match within {
            Some(part) => {
                let width = if self.ascii {
                    part.len()
                } else {
                    char_count(part.as_bytes())
                };
                LineCol {
                    line: start.line,
                    column: start
                        .column
                        .saturating_add(u32::try_from(width).unwrap_or(u32::MAX)),
                }
            }
            None => self.line_col(text, span.end),
        };
        (start, end)
    }

    /// Byte offset of the start of 1-based `line`, if it exists.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.starts.get((line as usize).checked_sub(1)?).copied()
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

/// Append one reference token to a JSON pointer (RFC 6901 escaping).
pub fn push_pointer(pointer: &mut String, token: &str) {
    pointer.push('/');
    if !token.bytes().any(|b| b == b'~' || b == b'/') {
        pointer.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Longest JSON pointer a [`Cursor`] builds, in bytes. Below a step that would make it longer,
/// every cursor keeps the pointer of the deepest ancestor that fits, so that a hostile document
/// (a megabyte-long key above a wide mapping) cannot make each step of a walk copy megabytes.
/// Real pointers are a few dozen bytes; spans, lines and columns stay exact either way.
pub const MAX_POINTER: usize = 1024;

impl Cursor<'_> {
    /// The pointer and cut flag of a child reached through `token` (see [`MAX_POINTER`]).
    fn child_pointer(&self, token: &str) -> (String, bool) {
        if self.cut {
            return (self.pointer.clone(), true);
        }
        let mut pointer = String::with_capacity(self.pointer.len() + 1 + token.len() + 2);
        pointer.push_str(&self.pointer);
        let fits = extend_pointer(&mut pointer, token);
        (pointer, !fits)
    }
}

/// Append `token` to `pointer` when the result stays within [`MAX_POINTER`]; otherwise leave
/// `pointer` as it was (the deepest ancestor that fits) and say so.
fn extend_pointer(pointer: &mut String, token: &str) -> bool {
    // Escaping only lengthens a token, so a raw length over the limit is over it escaped.
    if pointer.len() + 1 + token.len() > MAX_POINTER {
        return false;
    }
    let before = pointer.len();
    push_pointer(pointer, token);
    if pointer.len() > MAX_POINTER {
        pointer.truncate(before);
        return false;
    }
    true
}

/// A node together with its JSON pointer, for walking a tree while keeping the path.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    pub node: &'a Node,
    pub pointer: String,
    /// Whether `pointer` stopped at an ancestor ([`MAX_POINTER`]).
    cut: bool,
}

impl<'a> Cursor<'a> {
    pub fn root(node: &'a Node) -> Cursor<'a> {
        Cursor {
            node,
            pointer: String::new(),
            cut: false,
        }
    }

    /// A node that stands where `pointer` points (a tree built in place of part of a
    /// document, such as a Terraform resource body with its expressions evaluated).
    pub fn at(node: &'a Node, pointer: &str) -> Cursor<'a> {
        let cut = pointer.len() > MAX_POINTER;
        Cursor {
            node,
            pointer: if cut {
                String::new()
            } else {
                pointer.to_string()
            },
            cut,
        }
    }

    /// The child under `key`, with the pointer extended.
    pub fn get(&self, key: &str) -> Option<Cursor<'a>> {
        let node = self.node.get(key)?;
        let (pointer, cut) = self.child_pointer(key);
        Some(Cursor { node, pointer, cut })
    }

    /// The key node of `key` (for findings that point at the key rather than the value).
    pub fn key(&self, key: &str) -> Option<Cursor<'a>> {
        let entry = self.node.entry(key)?;
        let (pointer, cut) = self.child_pointer(key);
        Some(Cursor {
            node: &entry.key,
            pointer,
            cut,
        })
    }

    /// Follow a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<Cursor<'a>> {
        // The nodes first; the pointer is built once, for a path that is there.
        let mut node = self.node;
        for k in keys {
            node = node.get(k)?;
        }
        let mut pointer = self.pointer.clone();
        let mut cut = self.cut;
        // Step by step: past MAX_POINTER the pointer stays that of the deepest ancestor that
        // fits.
        for k in keys {
            if cut || !extend_pointer(&mut pointer, k) {
                cut = true;
                break;
            }
        }
        Some(Cursor { node, pointer, cut })
    }

    /// The elements of a sequence, each with its pointer. Empty for anything else.
    pub fn items(&self) -> impl Iterator<Item = Cursor<'a>> + '_ {
        let mut index = String::new();
        self.node
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(move |(i, node)| self.element(i, node, &mut index))
    }

    /// The element at `i` of a sequence, with its pointer.
    pub fn item(&self, i: usize) -> Option<Cursor<'a>> {
        let node = self.node.as_seq()?.get(i)?;
        Some(self.element(i, node, &mut String::new()))
    }

    /// A cursor on `node`, element `i` of this sequence (`index`: a buffer for its token).
    fn element(&self, i: usize, node: &'a Node, index: &mut String) -> Cursor<'a> {
        index.clear();
        let _ = write!(index, "{i}");
        let (pointer, cut) = self.child_pointer(index);
        Cursor { node, pointer, cut }
    }

    /// The entries of a mapping as (key cursor, value cursor). Empty for anything else.
    pub fn entries(&self) -> impl Iterator<Item = (Cursor<'a>, Cursor<'a>)> + '_ {
        self.node.as_map().unwrap_or(&[]).iter().map(move |e| {
            let (pointer, cut) = self.child_pointer(e.key.scalar_text().unwrap_or(""));
            (
                Cursor {
                    node: &e.key,
                    pointer: pointer.clone(),
                    cut,
                },
                Cursor {
                    node: &e.value,
                    pointer,
                    cut,
                },
            )
        })
    }

    pub fn str(&self) -> Option<&'a str> {
        self.node.as_str()
    }

    pub fn text(&self) -> Option<&'a str> {
        self.node.scalar_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text has `\r\n` line ends when any line ends so; a lone `\r` or `\n` is not one.
    #[test]
    fn the_line_index_knows_whether_lines_end_with_crlf() {
        for (text, crlf) in [
            ("", false),
            ("a: 1\nb: 2\n", false),
            ("a: 1\r\nb: 2\r\n", true),
            ("a: 1\nb: 2\r\n", true),
            ("a: 1\rb: 2\n", false),
            ("\r\n", true),
            ("\n\r", false),
        ] {
            assert_eq!(LineIndex::new(text).crlf(), crlf, "{text:?}");
        }
    }

    #[test]
    fn a_path_is_the_cursor_its_steps_give() {
        let long = "k".repeat(MAX_POINTER / 2);
        let inner = r#"{"c": 1}"#;
        let text = format!(r#"{{"a": {{"b~/": {{"{long}": {{"{long}": {inner}}}}}}}, "d": [2]}}"#);
        let doc = parse(&text, Syntax::Json, &Limits::default()).unwrap();
        let root = Cursor::root(doc.roots.first().unwrap());
        for keys in [
            vec!["a"],
            vec!["a", "b~/"],
            vec!["a", "b~/", long.as_str()],
            vec!["a", "b~/", long.as_str(), long.as_str()],
            vec!["a", "b~/", long.as_str(), long.as_str(), "c"],
            vec!["a", "x"],
            vec!["d"],
            vec![],
        ] {
            let stepped = keys.iter().try_fold(root.clone(), |c, k| c.get(k));
            let at_once = root.path(&keys);
            assert_eq!(
                at_once
                    .as_ref()
                    .map(|c| (c.node.span, c.pointer.clone(), c.cut)),
                stepped
                    .as_ref()
                    .map(|c| (c.node.span, c.pointer.clone(), c.cut)),
                "{keys:?}"
            );
        }
    }

    #[test]
    fn a_carriage_return_alone_ends_a_line() {
        let at = |text: &str, needle: &str| {
            let offset = u32::try_from(text.find(needle).unwrap()).unwrap();
            let lc = LineIndex::new(text).line_col(text, offset);
            (lc.line, lc.column)
        };
        // Classic Mac line ends, mixed ends, and `\r\n` (one break, not two).
        assert_eq!(at("a: 1\rb: 2\r  c: AZURE\r", "AZURE"), (3, 6));
        assert_eq!(at("a: 1\r\nb: 2\rc: 3\nd: AZURE", "AZURE"), (4, 4));
        assert_eq!(at("a: 1\r\nb: AZURE\r\n", "AZURE"), (2, 4));
        assert_eq!(at("é\r\rx", "x"), (3, 1));
    }

    #[test]
    fn span_ends_are_the_offsets_line_and_column() {
        for text in [
            "a: é\nbb: \"ü\" x\n",
            "\u{FEFF}k: v\r\nw: [1, 2]\n",
            "plain ascii\nsecond line",
        ] {
            let idx = LineIndex::new(text);
            let len = u32::try_from(text.len()).unwrap_or(0);
            for start in 0..=len + 1 {
                for end in start..=len + 1 {
                    let span = Span { start, end };
                    assert_eq!(
                        idx.span_line_cols(text, span),
                        (idx.line_col(text, start), idx.line_col(text, end)),
                        "{text:?} {start}..{end}"
                    );
                }
            }
        }
    }

    #[test]
    fn columns_on_long_lines_are_counted_from_checkpoints_exactly() {
        // Lines longer than the checkpoints, characters of one to four bytes straddling them,
        // a byte order mark, and short lines between.
        let mut text = String::from("\u{FEFF}");
        for i in 0..3 * CHECKPOINT {
            text.push(['a', 'é', '日', '🦀', ' '][i % 5]);
        }
        text.push_str("\nshort é\n");
        for i in 0..CHECKPOINT {
            text.push(['日', 'x', '🦀'][i % 3]);
        }
        let idx = LineIndex::new(&text);
        let naive = |offset: usize| {
            let line_start = text
                .get(..offset)
                .and_then(|b| b.rfind('\n'))
                .map_or(if text.starts_with('\u{FEFF}') { 3 } else { 0 }, |i| i + 1);
            let line = text.get(..offset).map_or(0, |b| b.matches('\n').count()) + 1;
            let column = text
                .get(line_start..offset)
                .map_or(0, |s| s.chars().count())
                + 1;
            (line, column)
        };
        for (offset, _) in text.char_indices().skip(1).step_by(7) {
            let got = idx.line_col(&text, offset as u32);
            assert_eq!(
                (got.line as usize, got.column as usize),
                naive(offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn line_col_counts_characters_after_multibyte_text() {
        let text = "a: é\nbb: \"ü\" x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').map(|p| p as u32).unwrap_or_default();
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 9 });
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
    }

    #[test]
    fn pointers_stop_growing_at_the_limit() {
        let long = "k".repeat(MAX_POINTER);
        let leaf = Node::new(Value::Number("1".into()), Span::new(0, 1));
        let inner = Node::new(
            Value::Map(vec![Entry {
                key: Node::new(Value::String("a".into()), Span::new(0, 1)),
                value: leaf,
            }]),
            Span::new(0, 1),
        );
        let root = Node::new(
            Value::Map(vec![Entry {
                key: Node::new(Value::String(long.as_str().into()), Span::new(0, 1)),
                value: inner,
            }]),
            Span::new(0, 1),
        );
        let cur = Cursor::root(&root);
        // The huge key does not fit: its child keeps the root's pointer, and so on below.
        let child = cur.get(&long).map(|c| c.pointer);
        assert_eq!(child.as_deref(), Some(""));
        // Everything below keeps it too: "/a" would name another value.
        let grandchild = cur.path(&[&long, "a"]).map(|c| c.pointer);
        assert_eq!(grandchild.as_deref(), Some(""));
        let below: Vec<String> = cur
            .entries()
            .flat_map(|(_, v)| v.entries().map(|(_, w)| w.pointer).collect::<Vec<_>>())
            .collect();
        assert_eq!(below, vec![String::new()]);
        // Ordinary pointers are untouched.
        let short = Node::new(
            Value::Map(vec![Entry {
                key: Node::new(Value::String("y~/z".into()), Span::new(0, 1)),
                value: Node::new(
                    Value::Seq(vec![Node::new(Value::Null, Span::new(0, 1))]),
                    Span::new(0, 1),
                ),
            }]),
            Span::new(0, 1),
        );
        let item = Cursor::root(&short)
            .get("y~/z")
            .and_then(|c| c.items().next())
            .map(|c| c.pointer);
        assert_eq!(item.as_deref(), Some("/y~0~1z/0"));
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = "\u{FEFF}a: x\nb: y\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').map(|p| p as u32).unwrap_or_default();
        assert_eq!(idx.line_col(text, x), LineCol { line: 1, column: 4 });
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 1, column: 1 });
        let y = text.find('y').map(|p| p as u32).unwrap_or_default();
        assert_eq!(idx.line_col(text, y), LineCol { line: 2, column: 4 });
    }

    #[test]
    fn pointer_escapes_tilde_and_slash() {
        let mut p = String::new();
        push_pointer(&mut p, "a/b~c");
        assert_eq!(p, "/a~1b~0c");
    }
}
