//! A fast path for the YAML that specs are made of: block mappings and block sequences of
//! single-line plain and quoted scalars, with comments and `---` between documents.
//!
//! It feeds the same [`Builder`] as the full parser, with the same scalar styles and spans, so
//! the tree is the same node for node (the `yaml_fast_path` fuzz target and the tests compare
//! the two on every input where the fast path answers). Anything else gives up on the whole
//! file, before or during the walk, and the full parser reads it: flow collections, anchors
//! and aliases, tags, block scalars, multi-line scalars, escapes in double-quoted scalars,
//! explicit keys, directives, empty values, tabs, carriage returns, non-ASCII text, and every
//! syntax error (so errors keep the full parser's messages).
//!
//! Why: the full parser reads about 20 MB/s; this path several times that, which is most of
//! the difference on a monorepo of operator manifests (see bench/run.sh).

use std::borrow::Cow;

use saphyr_parser::ScalarStyle;

use super::builder::{Builder, Kind};
use super::merge::MapFrame;
use crate::document::{Document, Limits};

/// The document tree, or `None` when this input needs the full parser.
pub(super) fn parse(text: &str, limits: &Limits) -> Option<Document> {
    let bytes = text.as_bytes();
    // One pass over the bytes refuses what the walk below does not handle anywhere.
    if !crate::document::bytes::printable_ascii_lines(bytes) {
        return None;
    }
    let mut fast = Fast {
        text,
        b: bytes,
        pos: 0,
        builder: Builder::new(text, limits),
    };
    fast.stream()?;
    Some(fast.builder.doc)
}

/// Implicit keys at least this long are left to the full parser (YAML allows 1024
/// characters; saphyr counts from the key's start to the `:`).
const MAX_KEY: usize = 1000;

struct Fast<'a> {
    /// ASCII only (checked first), so every byte offset is a character boundary.
    text: &'a str,
    b: &'a [u8],
    /// The start of the current line.
    pos: usize,
    builder: Builder<'a>,
}

/// Where a plain scalar stops (see [`Fast::plain_stop`]).
enum PlainStop {
    Colon(usize),
    Comment(usize),
    LineEnd(usize),
}

/// The next line with content: where it starts and its indentation.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
}

impl Line {
    fn content(self) -> usize {
        self.start + self.indent
    }
}

fn is_blank_or_end(b: Option<&u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\n'))
}

impl<'a> Fast<'a> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.at(i) == Some(b' ') {
            i += 1;
        }
        i
    }

    /// Whether a sequence entry (`-` then a blank or the line end) starts at `p`.
    fn is_dash(&self, p: usize) -> bool {
        self.at(p) == Some(b'-') && is_blank_or_end(self.b.get(p + 1))
    }

    fn line_end(&self, from: usize) -> usize {
        self.b
            .get(from..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
            .map_or(self.b.len(), |p| from + p)
    }

    /// Skip blank and comment-only lines from `self.pos`; the next line with content.
    fn next_line(&mut self) -> Option<Line> {
        loop {
            if self.pos >= self.b.len() {
                return None;
            }
            let mut i = self.pos;
            while self.at(i) == Some(b' ') {
                i += 1;
            }
            match self.at(i) {
                None => {
                    self.pos = self.b.len();
                    return None;
                }
                Some(b'\n') => self.pos = i + 1,
                Some(b'#') => self.pos = (self.line_end(i) + 1).min(self.b.len()),
                Some(_) => {
                    return Some(Line {
                        start: self.pos,
                        indent: i - self.pos,
                    });
                }
            }
        }
    }

    /// Move to the line after the one holding `i`.
    fn finish_line(&mut self, i: usize) {
        self.pos = (self.line_end(i) + 1).min(self.b.len());
    }

    /// Whether the rest of the line from `i` is blank or a comment (after a blank).
    fn rest_is_empty(&self, start: usize) -> bool {
        let i = self.skip_spaces(start);
        match self.at(i) {
            None | Some(b'\n') => true,
            Some(b'#') => i > start,
            Some(_) => false,
        }
    }

    fn is_document_marker(&self, line: Line) -> Option<bool> {
        if line.indent != 0 {
            return Some(false);
        }
        let s = line.start;
        match self.b.get(s..s + 3) {
            Some(b"---") if is_blank_or_end(self.b.get(s + 3)) => {
                // `--- value` (content on the marker line) is left to the full parser.
                self.rest_is_empty(s + 3).then_some(true)
            }
            Some(b"...") if is_blank_or_end(self.b.get(s + 3)) => None,
            _ => Some(false),
        }
    }

    fn stream(&mut self) -> Option<()> {
        let mut started = false;
        while let Some(line) = self.next_line() {
            if self.is_document_marker(line)? {
                self.finish_line(line.start);
                started = false;
                continue;
            }
            if started {
                // A second root without `---`, or a line indented less than the root.
                return None;
            }
            started = true;
            self.builder.start_document();
            self.block(line)?;
            self.builder.end_document(self.b.len()).ok()?;
        }
        Some(())
    }

    /// A block collection starting at the content of `line`.
    fn block(&mut self, line: Line) -> Option<()> {
        let p = line.content();
        if self.is_dash(p) {
            self.sequence(line.indent, p)
        } else {
            self.mapping(line.indent, p, self.key_end(p)?)
        }
    }

    /// A block sequence whose dashes are at column `col`; the first dash at `p`.
    fn sequence(&mut self, col: usize, mut p: usize) -> Option<()> {
        self.builder
            .open(Kind::Seq(Vec::new()), 0, None, p, p + 1)
            .ok()?;
        loop {
            // `p` is a dash at column `col`.
            let q = self.skip_spaces(p + 1);
            if self.rest_is_empty(q) {
                self.finish_line(q);
                match self.next_line() {
                    Some(next) if next.indent > col && self.is_document_marker(next)? => {
                        return None;
                    }
                    Some(next) if next.indent > col => self.value_lines(next, col)?,
                    // An empty item.
                    _ => return None,
                }
            } else {
                let line_start = p - col;
                let item_col = q - line_start;
                self.inline(item_col, q)?;
            }
            match self.next_line() {
                Some(next) if next.indent == col && self.is_dash(next.content()) => {
                    p = next.content();
                }
                Some(next) if next.indent > col => return None,
                _ => break,
            }
        }
        let end = self.pos;
        self.builder.close(b']', end, end).ok()
    }

    /// A node that starts on its own line (a value after `key:` or `-` on an earlier line,
    /// whose column is `parent`).
    fn value_lines(&mut self, line: Line, parent: usize) -> Option<()> {
        let p = line.content();
        if self.is_dash(p) {
            return self.sequence(line.indent, p);
        }
        if let Some(colon) = self.key_end(p) {
            return self.mapping(line.indent, p, colon);
        }
        // A scalar alone on its line: it must end there.
        let end = self.scalar(p, None)?;
        self.finish_line(end);
        match self.next_line() {
            // A continuation line (a multi-line scalar) or worse.
            Some(next) if next.indent > parent => None,
            _ => Some(()),
        }
    }

    /// A node that starts after `- ` on the line: a compact mapping (`- key: value`, more keys
    /// below at column `col`) or a scalar.
    fn inline(&mut self, col: usize, q: usize) -> Option<()> {
        if self.is_dash(q) {
            // `- - x`: nested compact sequences.
            return None;
        }
        if let Some(colon) = self.key_end(q) {
            return self.mapping(col, q, colon);
        }
        let end = self.scalar(q, None)?;
        self.finish_line(end);
        match self.next_line() {
            // Anything indented past the dash continues the scalar.
            Some(next) if next.indent >= col => None,
            _ => Some(()),
        }
    }

    /// A block mapping whose keys are at column `col`; the first key at `p`, its colon (see
    /// [`Fast::key_end`]) at `colon`.
    fn mapping(&mut self, col: usize, mut p: usize, mut colon: usize) -> Option<()> {
        self.builder
            .open(Kind::Map(MapFrame::default()), 0, None, p, p)
            .ok()?;
        loop {
            self.scalar(p, Some(colon))?;
            let v = self.skip_spaces(colon + 1);
            if self.rest_is_empty(v) {
                self.finish_line(v);
                match self.next_line() {
                    Some(next) if next.indent > col => {
                        if self.is_document_marker(next)? {
                            return None;
                        }
                        self.value_lines(next, col)?;
                    }
                    // An indentless sequence: `key:` then `- item` at the key's column.
                    Some(next) if next.indent == col && self.is_dash(next.content()) => {
                        self.sequence(col, next.content())?;
                    }
                    // An empty value.
                    _ => return None,
                }
            } else {
                if self.is_dash(v) {
                    return None;
                }
                let end = self.scalar(v, None)?;
                self.finish_line(end);
                if let Some(next) = self.next_line() {
                    if next.indent > col {
                        // A multi-line scalar, or an error.
                        return None;
                    }
                }
            }
            match self.next_line() {
                Some(next) if next.indent == col && !self.is_document_marker(next)? => {
                    p = next.content();
                    if self.is_dash(p) {
                        // A sequence at a mapping's column, not after `key:`.
                        return None;
                    }
                    colon = self.key_end(p)?;
                }
                Some(next) if next.indent > col => return None,
                _ => break,
            }
        }
        let end = self.pos;
        self.builder.close(b'}', end, end).ok()
    }

    /// When the line from `p` is `KEY:` followed by a blank or the line end, the offset of
    /// that colon. Keys are plain or quoted scalars on one line.
    fn key_end(&self, p: usize) -> Option<usize> {
        let after = match self.at(p)? {
            b'\'' => self.single_quoted_end(p)?,
            b'"' => self.double_quoted_end(p)?,
            _ => match self.plain_stop(p) {
                PlainStop::Colon(i) => i,
                PlainStop::Comment(_) | PlainStop::LineEnd(_) => return None,
            },
        };
        // YAML limits implicit keys to 1024 characters; longer ones are the full parser's
        // error to report.
        (self.at(after) == Some(b':')
            && is_blank_or_end(self.b.get(after + 1))
            && after - p < MAX_KEY)
            .then_some(after)
    }

    /// The offset after the closing quote of the single-quoted scalar at `p` (on one line).
    fn single_quoted_end(&self, p: usize) -> Option<usize> {
        let mut i = p + 1;
        loop {
            match self.at(i)? {
                b'\n' => return None,
                b'\'' if self.at(i + 1) == Some(b'\'') => i += 2,
                b'\'' => return Some(i + 1),
                _ => i += 1,
            }
        }
    }

    /// The offset after the closing quote of the double-quoted scalar at `p` (on one line,
    /// without escapes).
    fn double_quoted_end(&self, p: usize) -> Option<usize> {
        let rest = self.b.get(p + 1..)?;
        let i = p + 1 + memchr::memchr3(b'"', b'\\', b'\n', rest)?;
        (self.at(i) == Some(b'"')).then_some(i + 1)
    }

    /// Where a plain scalar starting at `p` stops: at a `:` followed by a blank or the line
    /// end (a key's), at a comment (` #`), or at the line (or text) end.
    fn plain_stop(&self, p: usize) -> PlainStop {
        let mut i = p;
        loop {
            let Some(found) = self
                .b
                .get(i..)
                .and_then(|rest| memchr::memchr3(b':', b'#', b'\n', rest))
            else {
                return PlainStop::LineEnd(self.b.len());
            };
            i += found;
            match self.at(i) {
                Some(b':') if is_blank_or_end(self.b.get(i + 1)) => return PlainStop::Colon(i),
                Some(b'#') if i > p && self.at(i - 1) == Some(b' ') => {
                    return PlainStop::Comment(i);
                }
                Some(b':' | b'#') => i += 1,
                _ => return PlainStop::LineEnd(i),
            }
        }
    }

    /// Deliver the scalar at `p`: a key (ended by its colon, found by [`Fast::key_end`]) or a
    /// value (ended by the line end or a comment). Returns the offset after it.
    fn scalar(&mut self, p: usize, colon: Option<usize>) -> Option<usize> {
        let (value, style, end): (Cow<'a, str>, ScalarStyle, usize) = match self.at(p)? {
            b'\'' => {
                let end = self.single_quoted_end(p)?;
                let inner = self.text.get(p + 1..end - 1)?;
                let value = if inner.contains("''") {
                    Cow::Owned(inner.replace("''", "'"))
                } else {
                    Cow::Borrowed(inner)
                };
                (value, ScalarStyle::SingleQuoted, end)
            }
            b'"' => {
                let end = self.double_quoted_end(p)?;
                let inner = self.text.get(p + 1..end - 1)?;
                (Cow::Borrowed(inner), ScalarStyle::DoubleQuoted, end)
            }
            // Indicators that start something other than a plain scalar (or a plain scalar
            // this path leaves to the full parser: `?x`, `:x`).
            b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@'
            | b'`' | b',' | b'?' | b':' => return None,
            _ => {
                let stop = match colon {
                    Some(colon) => colon,
                    None => match self.plain_stop(p) {
                        // `a: b: c` is an error; the full parser reports it.
                        PlainStop::Colon(_) => return None,
                        PlainStop::Comment(i) | PlainStop::LineEnd(i) => i,
                    },
                };
                // Blanks before the colon or the comment are not part of the scalar.
                let mut end = stop;
                while end > p && self.at(end - 1) == Some(b' ') {
                    end -= 1;
                }
                let value = self.text.get(p..end)?;
                (Cow::Borrowed(value), ScalarStyle::Plain, end)
            }
        };
        if colon.is_none() && !self.rest_is_empty(end) {
            return None;
        }
        self.builder.scalar(value, style, 0, None, p, end).ok()?;
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_full;
    use super::parse;
    use crate::document::Limits;

    /// The fast path's tree equals the full parser's wherever it answers; returns whether it
    /// answered.
    fn same(text: &str) -> bool {
        let limits = Limits::default();
        let Some(fast) = parse(text, &limits) else {
            return false;
        };
        match parse_full(text, &limits) {
            Ok(full) => assert_eq!(fast, full, "{text:?}"),
            Err(e) => panic!("the fast path read {text:?}, the full parser refuses it: {e:?}"),
        }
        true
    }

    #[test]
    fn common_spec_shapes_take_the_fast_path_with_identical_trees() {
        for text in [
            "a: 1\n",
            "a: 1",
            "name: orders\nclusterType: REPLICASET\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AWS\n        regionName: US_GOV_WEST_1\n        priority: 7\n        electableSpecs:\n          instanceSize: M30\n          nodeCount: 3\n",
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata:\n  name: p\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  a: \"x\"\n",
            "a:\n- x\n- y\nb: 2\n",
            "# comment\na: 'it''s' # trailing\nb: \"q\"   \nc: plain text, with:colons # c\n",
            "  a: 1\n  b:\n    c: d\n",
            "a: 1\na: 2\n",
            "a:\n  b\n",
            "- a\n- b: 1\n  c: 2\n-\n  d: 3\n",
            "a: null\nb: true\nc: 0x1F\nd: 1.5e3\ne: ~\nf: -1\ng: 007\n",
            "'quoted key': 1\n\"dq key\": 2\n",
            "a: b#c\nd: http://x/#frag\n",
            "---\n---\na: 1\n",
            "a:    \n  b: 1\n",
            "k: v\n\n\n   \n# x\n  # y\nl: w\n",
        ] {
            assert!(same(text), "the fast path gave up on {text:?}");
        }
    }

    #[test]
    fn everything_else_is_left_to_the_full_parser() {
        for text in [
            "a: [1, 2]\n",
            "a: {b: 1}\n",
            "a: &x 1\nb: *x\n",
            "a: !Ref b\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: multi\n  line\n",
            "- multi\n  line\n",
            "a: \"esc\\n\"\n",
            "a: 'two\n  lines'\n",
            "? a\n: b\n",
            "%YAML 1.2\n---\na: 1\n",
            "a:\nb: 1\n",
            "a:\n",
            "- \n- a\n",
            "a:\tb\n",
            "a: b\r\n",
            "a: é\n",
            "\u{feff}a: 1\n",
            "- - a\n",
            "a: - b\n",
            "a: b: c\n",
            "a: 1\n b: 2\n",
            "a: 1\n- b\n",
            "plain scalar\n",
            "a: 1\n--- b\n",
            "a: 'x'y\n",
            "a: @b\n",
            "a: 1\nfoo\n",
            "a: 1\n  # indented comment is fine\n   b: 2\n",
            ":x: 1\n",
            "---\na: 1\n...\n",
        ] {
            assert!(!same(text), "the fast path answered {text:?}");
        }
    }

    #[test]
    fn keys_near_yamls_length_limit_are_left_to_the_full_parser() {
        // Found by fuzzing: saphyr refuses implicit keys over 1024 characters.
        for len in [999, 1000, 1024, 1025, 1100] {
            for text in [
                format!("- {}: v\n", "k".repeat(len)),
                format!("{}: v\n", "k".repeat(len)),
            ] {
                assert_eq!(same(&text), len < 1000, "{len}");
            }
        }
        assert!(parse_full(&format!("- {}: v\n", "k".repeat(1100)), &Limits::default()).is_err());
    }

    #[test]
    fn deep_nesting_is_left_to_the_full_parser_and_its_limit() {
        let deep: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let text = format!("{deep}{}v: 1\n", " ".repeat(300));
        assert!(!same(&text));
        assert!(parse_full(&text, &Limits::default()).is_err());
    }
}
