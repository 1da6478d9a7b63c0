//! RFC 8259 JSON parser producing span-carrying [`Node`] trees, which also reads the JSON
//! with comments that tools write by hand (`tsconfig.json`, VS Code and devcontainer
//! settings, ASP.NET `appsettings.json`): `//` and `/* */` comments are skipped as whitespace
//! and a trailing comma before `]` or `}` is allowed. Everything else is strict.
//!
//! Design:
//! - Iterative: containers under construction live on an explicit stack of [`Frame`]s, so the
//!   nesting depth of the input never touches the call stack. Nesting deeper than
//!   [`Limits::max_depth`] is an error pointing at the offending bracket; more than
//!   [`Limits::max_nodes`] nodes (values *and* keys) is an error pointing at the first node
//!   over the limit.
//! - Byte-oriented: the parser walks `text.as_bytes()`. Every position it slices at is next to
//!   an ASCII byte, hence a char boundary; slicing still goes through `str::get`, so a logic
//!   error would surface as a `ParseError`, never a panic.
//! - Children of open containers share two scratch stacks and move into one exactly-sized
//!   `Vec` when their container closes (one allocation per container, no regrowth).
//! - Strings without escapes are sliced straight from the input: a plain byte scan of the first
//!   32 bytes, then `memchr2` for the closing quote or a backslash plus a vectorizable scan for
//!   raw control characters. Strings with escapes are decoded chunk by chunk between
//!   backslashes.
//! - Lone surrogates in `\uXXXX` escapes are grammatical JSON (RFC 8259 §8.2) but not Unicode:
//!   they decode to U+FFFD and produce a [`ParseWarning`], so one odd escape does not make a
//!   whole file unlintable.
//! - Duplicate keys are kept in source order (`Node::get` returns the last one) and reported
//!   as warnings, with the earlier occurrence as `related`.
//! - A leading UTF-8 BOM is skipped; spans stay byte offsets into the original text.

use std::borrow::Cow;
use std::collections::HashMap;

use memchr::{memchr, memchr2};

use super::{Document, Entry, Limits, Node, ParseError, ParseWarning, Span, Value};

/// Objects with at most this many keys are checked for duplicates by a linear scan; larger
/// ones switch to a hash map.
const LINEAR_DUP_SCAN_MAX: usize = 16;

/// Strings are scanned byte by byte this far before switching to `memchr2`.
const SHORT_STRING: usize = 32;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parse `text` as one JSON value. The document has exactly one root.
pub fn parse(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    if u32::try_from(text.len()).is_err() {
        return Err(error(
            "file is too large (larger than 4 GiB)",
            0,
            text.len(),
        ));
    }
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        limits: *limits,
        nodes: 0,
        warnings: Vec::new(),
        commented: false,
    };
    let root = parser.document()?;
    Ok(Document {
        roots: vec![root],
        warnings: parser.warnings,
        aliased: Vec::new(),
    })
}

/// Keys seen so far in a large object, decoded, with the span of their latest occurrence.
type SeenKeys<'a> = HashMap<Cow<'a, str>, Span>;

/// A container being built. Its children live on the parser's shared scratch stacks from
/// index `base` on, and move into one exactly-sized `Vec` when the container closes.
enum Frame<'a> {
    Seq {
        start: usize,
        base: usize,
    },
    Map {
        start: usize,
        base: usize,
        /// The key whose value is being parsed.
        key: Node,
        /// Built once the object outgrows [`LINEAR_DUP_SCAN_MAX`].
        seen: Option<SeenKeys<'a>>,
    },
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    limits: Limits,
    nodes: usize,
    warnings: Vec<ParseWarning>,
    /// Whether a comment was seen (only the first is noted).
    commented: bool,
}

fn error(message: impl Into<String>, start: usize, end: usize) -> ParseError {
    ParseError {
        message: message.into(),
        span: Span::new(start, end),
    }
}

fn placeholder() -> Node {
    Node::new(Value::Null, Span::default())
}

fn is_digit(b: Option<u8>) -> bool {
    matches!(b, Some(b'0'..=b'9'))
}

/// A word that is a misspelling of a JSON literal or a non-JSON one (`True`, `nul`, `NaN`),
/// safe to quote in a message.
fn is_keyword_like(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    ["true", "false", "null"]
        .iter()
        .any(|k| k.starts_with(lower.as_str()) && lower.len() >= 2)
        || ["nan", "infinity", "undefined", "none", "yes", "no"].contains(&lower.as_str())
}

/// How a character found where something else was expected is shown in messages.
fn describe(c: char) -> String {
    if c.is_control() || c.is_whitespace() || c == '\u{FEFF}' {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

impl<'a> Parser<'a> {
    fn document(&mut self) -> Result<Node, ParseError> {
        if self.bytes.starts_with(BOM) {
            self.pos = BOM.len();
        }
        self.skip_ws();
        if self.pos >= self.bytes.len() {
            return Err(error("empty file", 0, self.bytes.len()));
        }
        let mut stack: Vec<Frame<'a>> = Vec::new();
        // Children of all open arrays / entries of all open objects, innermost last.
        let mut items: Vec<Node> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        'value: loop {
            // A value starts at `self.pos` (whitespace already skipped).
            let start = self.pos;
            let mut node = match self.byte(start) {
                Some(b'[') => {
                    self.open(start, stack.len())?;
                    self.skip_ws();
                    if self.byte(self.pos) == Some(b']') {
                        self.pos += 1;
                        Node::new(Value::Seq(Vec::new()), Span::new(start, self.pos))
                    } else {
                        stack.push(Frame::Seq {
                            start,
                            base: items.len(),
                        });
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.open(start, stack.len())?;
                    self.skip_ws();
                    if self.byte(self.pos) == Some(b'}') {
                        self.pos += 1;
                        Node::new(Value::Map(Vec::new()), Span::new(start, self.pos))
                    } else {
                        let mut seen = None;
                        let key = self.key(&[], &mut seen, "expected a string key or `}`")?;
                        stack.push(Frame::Map {
                            start,
                            base: entries.len(),
                            key,
                            seen,
                        });
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    let s = self.string(start)?;
                    self.count(start)?;
                    Node::new(Value::String(s.into()), Span::new(start, self.pos))
                }
                Some(b't') => self.literal(b"true", Value::Bool(true))?,
                Some(b'f') => self.literal(b"false", Value::Bool(false))?,
                Some(b'n') => self.literal(b"null", Value::Null)?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(self.unexpected("expected a JSON value")),
            };
            // `node` is complete: hand it to its parent, closing every container that ends here.
            loop {
                let Some(frame) = stack.last_mut() else {
                    return self.finish(node);
                };
                self.skip_ws();
                match frame {
                    Frame::Seq { start, base } => {
                        items.push(node);
                        match self.byte(self.pos) {
                            Some(b',') => {
                                let comma = self.pos;
                                self.pos += 1;
                                self.skip_ws();
                                // A trailing comma (JSON with comments allows one).
                                if self.byte(self.pos) != Some(b']') {
                                    continue 'value;
                                }
                                self.lenient(comma, comma + 1, "a trailing comma");
                                self.pos += 1;
                                node = Node::new(
                                    Value::Seq(items.drain((*base).min(items.len())..).collect()),
                                    Span::new(*start, self.pos),
                                );
                                stack.pop();
                            }
                            Some(b']') => {
                                self.pos += 1;
                                node = Node::new(
                                    Value::Seq(items.drain((*base).min(items.len())..).collect()),
                                    Span::new(*start, self.pos),
                                );
                                stack.pop();
                            }
                            _ => {
                                return Err(
                                    self.unexpected("expected `,` or `]` after array element")
                                );
                            }
                        }
                    }
                    Frame::Map {
                        start,
                        base,
                        key,
                        seen,
                    } => {
                        entries.push(Entry {
                            key: std::mem::replace(key, placeholder()),
                            value: node,
                        });
                        match self.byte(self.pos) {
                            Some(b',') => {
                                let comma = self.pos;
                                self.pos += 1;
                                self.skip_ws();
                                if self.byte(self.pos) == Some(b'}') {
                                    self.lenient(comma, comma + 1, "a trailing comma");
                                    self.pos += 1;
                                    node = Node::new(
                                        Value::Map(
                                            entries.drain((*base).min(entries.len())..).collect(),
                                        ),
                                        Span::new(*start, self.pos),
                                    );
                                    stack.pop();
                                    continue;
                                }
                                let siblings = entries.get(*base..).unwrap_or_default();
                                *key = self.key(siblings, seen, "expected a string key")?;
                                continue 'value;
                            }
                            Some(b'}') => {
                                self.pos += 1;
                                node = Node::new(
                                    Value::Map(
                                        entries.drain((*base).min(entries.len())..).collect(),
                                    ),
                                    Span::new(*start, self.pos),
                                );
                                stack.pop();
                            }
                            _ => {
                                return Err(
                                    self.unexpected("expected `,` or `}` after object entry")
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[inline]
    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// The first comment of the file, noted as JSON that strict parsers refuse (see
    /// [`Parser::lenient`]).
    fn comment(&mut self, start: usize, end: usize) {
        if !self.commented {
            self.commented = true;
            self.lenient(start, end, "a comment");
        }
    }

    /// Something JSON does not allow that this parser reads (a comment, a trailing comma):
    /// a warning, which is reported only in an Atlas spec (a template, a request body),
    /// whose tools parse strictly; a settings file written as JSON with comments is not.
    fn lenient(&mut self, start: usize, end: usize, what: &str) {
        self.warnings.push(ParseWarning {
            message: format!(
                "{what} is not JSON: CloudFormation, the Atlas CLI and Terraform refuse this file"
            ),
            span: Span::new(start, end),
            related: None,
            help: Some("remove it (the rest of the file was checked as if it were not there)"),
        });
    }

    /// Skip whitespace and comments (`// ...` to the end of the line, `/* ... */`). A `/*`
    /// that is never closed is left for the caller to report ([`Parser::unexpected`]).
    #[inline]
    fn skip_ws(&mut self) {
        loop {
            match self.byte(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => match self.byte(self.pos + 1) {
                    Some(b'/') => {
                        let rest = self.bytes.get(self.pos..).unwrap_or_default();
                        let end = self.pos + memchr(b'\n', rest).unwrap_or(rest.len());
                        self.comment(self.pos, end);
                        self.pos = end;
                    }
                    Some(b'*') => {
                        let body = self.bytes.get(self.pos + 2..).unwrap_or_default();
                        match memchr::memmem::find(body, b"*/") {
                            Some(i) => {
                                let end = self.pos + 2 + i + 2;
                                self.comment(self.pos, end);
                                self.pos = end;
                            }
                            None => return,
                        }
                    }
                    _ => return,
                },
                _ => return,
            }
        }
    }

    /// `text[from..to]`; both ends are next to ASCII bytes, so this never fails in practice.
    fn slice(&self, from: usize, to: usize) -> Result<&'a str, ParseError> {
        self.text
            .get(from..to)
            .ok_or_else(|| error("internal error: not a character boundary", from, to))
    }

    /// The byte just after the character starting at `at` (or `at` at the end of input).
    fn char_end(&self, at: usize) -> usize {
        match self.text.get(at..).and_then(|s| s.chars().next()) {
            Some(c) => at + c.len_utf8(),
            None => at.min(self.bytes.len()),
        }
    }

    /// Count one more node against `max_nodes`.
    #[inline]
    fn count(&mut self, at: usize) -> Result<(), ParseError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(error(
                format!("document has more than {} nodes", self.limits.max_nodes),
                at,
                self.char_end(at),
            ));
        }
        Ok(())
    }

    /// Enter the container whose bracket is at `start`, `depth` containers deep.
    fn open(&mut self, start: usize, depth: usize) -> Result<(), ParseError> {
        if depth >= self.limits.max_depth {
            return Err(error(
                format!("nesting deeper than {} levels", self.limits.max_depth),
                start,
                start + 1,
            ));
        }
        self.count(start)?;
        self.pos = start + 1;
        Ok(())
    }

    /// An error at `self.pos`: `what` was expected but something else (or nothing) is there.
    /// A run of letters/digits is reported as one word (`NaN`, `True`, `foo`).
    fn unexpected(&self, what: &str) -> ParseError {
        let at = self.pos;
        if at >= self.bytes.len() {
            return error(format!("unexpected end of input: {what}"), at, at);
        }
        if self.bytes.get(at..at + 2) == Some(b"/*") {
            return error("a `/*` comment is never closed with `*/`", at, at + 2);
        }
        let word = self
            .bytes
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if word > 0 {
            let end = at + word;
            let found = self.text.get(at..end).unwrap_or_default();
            // The word may be a secret (an unquoted password, the rest of one with a stray
            // quote): only words that are near-misses of JSON's own are quoted.
            let shown = if found.bytes().all(|b| b.is_ascii_digit()) {
                "a number".to_string()
            } else if is_keyword_like(found) {
                format!("`{found}`")
            } else {
                "an unquoted word (strings need double quotes)".to_string()
            };
            return error(format!("{what}, found {shown}"), at, end);
        }
        match self.text.get(at..).and_then(|s| s.chars().next()) {
            Some(c) => error(
                format!("{what}, found {}", describe(c)),
                at,
                at + c.len_utf8(),
            ),
            None => error(format!("{what}, found an invalid byte"), at, at + 1),
        }
    }

    /// Everything after the root must be whitespace or comments.
    fn finish(&mut self, root: Node) -> Result<Node, ParseError> {
        self.skip_ws();
        if self.bytes.get(self.pos..self.pos + 2) == Some(b"/*") {
            return Err(self.unexpected("expected the end of the file"));
        }
        if self.pos < self.bytes.len() {
            let mut end = self.bytes.len();
            while end > self.pos && matches!(self.byte(end - 1), Some(b' ' | b'\t' | b'\n' | b'\r'))
            {
                end -= 1;
            }
            return Err(error(
                "trailing characters after the JSON value",
                self.pos,
                end,
            ));
        }
        Ok(root)
    }

    fn literal(&mut self, word: &'static [u8], value: Value) -> Result<Node, ParseError> {
        let start = self.pos;
        let end = start + word.len();
        if self.bytes.get(start..end) != Some(word) {
            return Err(self.unexpected("expected a JSON value"));
        }
        self.pos = end;
        self.count(start)?;
        Ok(Node::new(value, Span::new(start, end)))
    }

    fn digits_end(&self, mut at: usize) -> usize {
        while is_digit(self.byte(at)) {
            at += 1;
        }
        at
    }

    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`, kept as written.
    fn number(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let mut i = start;
        if self.byte(i) == Some(b'-') {
            i += 1;
        }
        match self.byte(i) {
            Some(b'0') => {
                i += 1;
                if is_digit(self.byte(i)) {
                    return Err(error(
                        "leading zeros are not allowed in numbers",
                        start,
                        self.digits_end(i),
                    ));
                }
            }
            Some(b'1'..=b'9') => i = self.digits_end(i + 1),
            _ => {
                return Err(error("expected a digit after `-`", start, self.char_end(i)));
            }
        }
        if self.byte(i) == Some(b'.') {
            i += 1;
            if !is_digit(self.byte(i)) {
                return Err(error(
                    "expected a digit after the decimal point",
                    start,
                    self.char_end(i),
                ));
            }
            i = self.digits_end(i);
        }
        if let Some(b'e' | b'E') = self.byte(i) {
            i += 1;
            if let Some(b'+' | b'-') = self.byte(i) {
                i += 1;
            }
            if !is_digit(self.byte(i)) {
                return Err(error(
                    "expected a digit in the exponent",
                    start,
                    self.char_end(i),
                ));
            }
            i = self.digits_end(i);
        }
        let s = self.slice(start, i)?;
        self.pos = i;
        self.count(start)?;
        Ok(Node::new(Value::Number(s.into()), Span::new(start, i)))
    }

    /// Parse an object key at `self.pos`, report it if it repeats an earlier key of the same
    /// object, and consume the `:` after it.
    fn key(
        &mut self,
        entries: &[Entry],
        seen: &mut Option<SeenKeys<'a>>,
        expected: &str,
    ) -> Result<Node, ParseError> {
        let start = self.pos;
        if self.byte(start) != Some(b'"') {
            return Err(self.unexpected(expected));
        }
        let decoded = self.string(start)?;
        let span = Span::new(start, self.pos);
        self.count(start)?;
        let earlier;
        let text: Box<str>;
        if seen.is_none() && entries.len() < LINEAR_DUP_SCAN_MAX {
            earlier = entries
                .iter()
                .rev()
                // Keys this parser builds are untagged strings.
                .find(|e| matches!(&e.key.value, Value::String(k) if **k == *decoded))
                .map(|e| e.key.span);
            text = decoded.into_owned().into_boxed_str();
        } else {
            let map = seen.get_or_insert_with(|| self.index_keys(entries));
            text = Box::from(&*decoded);
            earlier = map.insert(decoded, span);
        }
        if let Some(earlier) = earlier {
            self.warnings.push(ParseWarning {
                message: format!("duplicate key `{text}`: consumers disagree on which value wins"),
                span,
                related: Some(earlier),
                help: None,
            });
        }
        self.skip_ws();
        if self.byte(self.pos) != Some(b':') {
            return Err(self.unexpected("expected `:` after object key"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(Node::new(Value::String(text), span))
    }

    /// The keys of `entries` in a map, borrowing from the source where no escapes were decoded.
    fn index_keys(&self, entries: &[Entry]) -> SeenKeys<'a> {
        let mut map = HashMap::with_capacity(entries.len() * 2);
        for e in entries {
            let inner =
                (e.key.span.start as usize + 1)..(e.key.span.end as usize).saturating_sub(1);
            let key = match self.text.get(inner) {
                Some(raw) if memchr(b'\\', raw.as_bytes()).is_none() => Cow::Borrowed(raw),
                _ => Cow::Owned(e.key.as_str().unwrap_or_default().to_owned()),
            };
            map.insert(key, e.key.span);
        }
        map
    }

    fn unterminated(&self, start: usize) -> ParseError {
        error(
            "unexpected end of input: unterminated string",
            start,
            self.bytes.len(),
        )
    }

    /// Reject raw control characters in `bytes[from..to]` (part of a string body).
    #[inline]
    fn check_controls(&self, from: usize, to: usize) -> Result<(), ParseError> {
        let s = self.bytes.get(from..to).unwrap_or_default();
        // Branch-free per 16-byte chunk so the common case vectorizes.
        for (n, chunk) in s.chunks(16).enumerate() {
            if chunk.iter().fold(false, |acc, &b| acc | (b < 0x20)) {
                let off = chunk.iter().position(|&b| b < 0x20).unwrap_or_default();
                let at = from + n * 16 + off;
                let b = self.byte(at).unwrap_or_default();
                return Err(error(
                    format!("control character U+{b:04X} in string must be escaped"),
                    at,
                    at + 1,
                ));
            }
        }
        Ok(())
    }

    /// A string whose opening quote is at `start`; leaves `self.pos` after the closing quote.
    fn string(&mut self, start: usize) -> Result<Cow<'a, str>, ParseError> {
        let body = start + 1;
        // Most strings (keys, short values) end within a few bytes: a plain scan of the first
        // `SHORT_STRING` bytes beats a `memchr2` call plus a separate control-character pass.
        let head_end = (body + SHORT_STRING).min(self.bytes.len());
        let head = self.bytes.get(body..head_end).unwrap_or_default();
        let stop = match head
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        {
            Some(off) => body + off,
            None => {
                let rest = self.bytes.get(head_end..).unwrap_or_default();
                let Some(off) = memchr2(b'"', b'\\', rest) else {
                    return Err(self.unterminated(start));
                };
                let stop = head_end + off;
                self.check_controls(head_end, stop)?;
                stop
            }
        };
        match self.byte(stop) {
            Some(b'"') => {
                self.pos = stop + 1;
                Ok(Cow::Borrowed(self.slice(body, stop)?))
            }
            Some(b'\\') => self.escaped_string(start, body, stop).map(Cow::Owned),
            _ => {
                self.check_controls(stop, stop + 1)?;
                Err(self.unterminated(start))
            }
        }
    }

    /// Slow path: `bytes[chunk..stop]` is plain checked text and `stop` is a backslash.
    fn escaped_string(
        &mut self,
        start: usize,
        mut chunk: usize,
        mut stop: usize,
    ) -> Result<String, ParseError> {
        let mut out = String::with_capacity(stop - start + 16);
        loop {
            out.push_str(self.slice(chunk, stop)?);
            if self.byte(stop) == Some(b'"') {
                self.pos = stop + 1;
                return Ok(out);
            }
            chunk = self.escape(start, stop, &mut out)?;
            let rest = self.bytes.get(chunk..).unwrap_or_default();
            let Some(off) = memchr2(b'"', b'\\', rest) else {
                return Err(self.unterminated(start));
            };
            stop = chunk + off;
            self.check_controls(chunk, stop)?;
        }
    }

    /// Decode the escape whose backslash is at `at`; returns the position after it.
    fn escape(&mut self, start: usize, at: usize, out: &mut String) -> Result<usize, ParseError> {
        let c = match self.byte(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(at, out),
            None => return Err(self.unterminated(start)),
            Some(_) => {
                let end = self.char_end(at + 1);
                let c = self
                    .text
                    .get(at + 1..end)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{FFFD}');
                let message = if c.is_control() || c.is_whitespace() {
                    format!("invalid escape: `\\` followed by {}", describe(c))
                } else {
                    format!("invalid escape `\\{c}`")
                };
                return Err(error(message, at, end));
            }
        };
        out.push(c);
        Ok(at + 2)
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4)?;
        let mut v = 0u32;
        for &b in digits {
            v = (v << 4) | char::from(b).to_digit(16)?;
        }
        Some(v)
    }

    /// `\uXXXX` at `at`, with a following `\uXXXX` when the first is a high surrogate.
    fn unicode_escape(&mut self, at: usize, out: &mut String) -> Result<usize, ParseError> {
        let Some(first) = self.hex4(at + 2) else {
            let mut k = at + 2;
            while k < at + 6 && self.byte(k).is_some_and(|b| b.is_ascii_hexdigit()) {
                k += 1;
            }
            let end = self.char_end(k);
            let shown = self.text.get(at..end).unwrap_or("\\u");
            return Err(error(
                format!("invalid unicode escape `{shown}`: expected four hex digits"),
                at,
                end,
            ));
        };
        let mut end = at + 6;
        let c = match first {
            0xD800..=0xDBFF => {
                let low = if self.byte(end) == Some(b'\\') && self.byte(end + 1) == Some(b'u') {
                    self.hex4(end + 2)
                } else {
                    None
                };
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        end += 6;
                        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00))
                    }
                    _ => None,
                }
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(first),
        };
        let c = match c {
            Some(c) => c,
            None => {
                self.warnings.push(ParseWarning {
                    message: format!(
                        "lone surrogate `\\u{first:04X}` in string: replaced with U+FFFD"
                    ),
                    span: Span::new(at, at + 6),
                    related: None,
                    help: None,
                });
                '\u{FFFD}'
            }
        };
        out.push(c);
        Ok(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Document {
        match parse(text, &Limits::default()) {
            Ok(doc) => doc,
            Err(e) => panic!("unexpected error for {text:?}: {e:?}"),
        }
    }

    fn root(text: &str) -> Node {
        let mut doc = ok(text);
        assert_eq!(doc.roots.len(), 1);
        doc.roots.pop().unwrap_or_else(|| panic!("no root"))
    }

    fn err(text: &str) -> ParseError {
        err_with(text, &Limits::default())
    }

    fn err_with(text: &str, limits: &Limits) -> ParseError {
        match parse(text, limits) {
            Ok(doc) => panic!("expected an error for {text:?}, got {doc:?}"),
            Err(e) => e,
        }
    }

    fn sp(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    fn at(text: &str, span: Span) -> &str {
        text.get(span.start as usize..span.end as usize)
            .unwrap_or_else(|| panic!("span {span:?} is not a valid slice"))
    }

    fn nth<T: std::fmt::Debug>(xs: &[T], i: usize) -> &T {
        xs.get(i)
            .unwrap_or_else(|| panic!("no element {i} in {xs:?}"))
    }

    fn seq(node: &Node) -> &[Node] {
        node.as_seq()
            .unwrap_or_else(|| panic!("not a seq: {node:?}"))
    }

    fn map(node: &Node) -> &[Entry] {
        node.as_map()
            .unwrap_or_else(|| panic!("not a map: {node:?}"))
    }

    fn item(node: &Node, i: usize) -> &Node {
        seq(node)
            .get(i)
            .unwrap_or_else(|| panic!("no item {i} in {node:?}"))
    }

    fn get<'n>(node: &'n Node, key: &str) -> &'n Node {
        node.get(key)
            .unwrap_or_else(|| panic!("no key {key} in {node:?}"))
    }

    /// Every span in the tree slices `text` to something that looks like the node.
    fn check_spans(text: &str, node: &Node) {
        assert_eq!(node.tag, None);
        let s = at(text, node.span);
        match &node.value {
            Value::Null => assert_eq!(s, "null"),
            Value::Bool(b) => assert_eq!(s, if *b { "true" } else { "false" }),
            Value::Number(n) => assert_eq!(s, &**n),
            Value::String(v) => {
                assert!(
                    s.starts_with('"') && s.ends_with('"') && s.len() >= 2,
                    "{s:?}"
                );
                if !s.contains('\\') {
                    assert_eq!(s.get(1..s.len() - 1), Some(&**v));
                }
            }
            Value::Seq(items) => {
                assert!(s.starts_with('[') && s.ends_with(']'), "{s:?}");
                for i in items {
                    check_spans(text, i);
                }
            }
            Value::Map(entries) => {
                assert!(s.starts_with('{') && s.ends_with('}'), "{s:?}");
                for e in entries {
                    check_spans(text, &e.key);
                    check_spans(text, &e.value);
                }
            }
        }
    }

    #[test]
    fn minified_spans() {
        let text = r#"{"a":[1,{"b":"x"}]}"#;
        let r = root(text);
        check_spans(text, &r);
        assert_eq!(r.span, sp(0, 19));
        let e = nth(map(&r), 0);
        assert_eq!(e.key.span, sp(1, 4));
        assert_eq!(e.key.as_str(), Some("a"));
        assert_eq!(e.value.span, sp(5, 18));
        assert_eq!(item(&e.value, 0).span, sp(6, 7));
        assert_eq!(item(&e.value, 0).value, Value::Number("1".into()));
        let inner = item(&e.value, 1);
        assert_eq!(inner.span, sp(8, 17));
        assert_eq!(nth(map(inner), 0).key.span, sp(9, 12));
        let x = get(inner, "b");
        // `{"a":[1,{"b":"x"}]}`: the quote before x is byte 13, the one after it byte 15.
        assert_eq!(x.span, sp(13, 16));
        assert_eq!(at(text, x.span), "\"x\"");
        assert_eq!(x.as_str(), Some("x"));
    }

    #[test]
    fn pretty_spans() {
        let text = "{\n  \"name\": \"svc\",\n  \"ports\": [\n    80,\n    -4.5e+3\n  ],\n  \"on\": true,\n  \"off\": false,\n  \"none\": null,\n  \"empty\": {},\n  \"list\": []\n}\n";
        let r = root(text);
        check_spans(text, &r);
        assert_eq!(r.span, sp(0, text.len() as u32 - 1));
        let name = nth(map(&r), 0);
        assert_eq!(at(text, name.key.span), "\"name\"");
        assert_eq!(name.key.span.start, 4);
        assert_eq!(name.value.span, sp(12, 17));
        let ports = get(&r, "ports");
        assert_eq!(at(text, ports.span), "[\n    80,\n    -4.5e+3\n  ]");
        assert_eq!(item(ports, 1).value, Value::Number("-4.5e+3".into()));
        assert_eq!(get(&r, "on").as_bool(), Some(true));
        assert_eq!(get(&r, "off").as_bool(), Some(false));
        assert_eq!(get(&r, "none").value, Value::Null);
        assert_eq!(at(text, get(&r, "empty").span), "{}");
        assert_eq!(at(text, get(&r, "list").span), "[]");
    }

    #[test]
    fn scalar_roots() {
        for text in [
            "1", " \"s\" ", "true", "false", "null", "-0", "0.5", "[]", "{}",
        ] {
            let r = root(text);
            check_spans(text, &r);
            assert_eq!(at(text, r.span), text.trim());
        }
    }

    #[test]
    fn numbers_kept_as_written() {
        let text = "[0, -0, 12, -0.25, 1E5, 1e-7, 2.5E+10, 123456789012345678901234567890]";
        let r = root(text);
        let got: Vec<&str> = seq(&r).iter().filter_map(Node::scalar_text).collect();
        assert_eq!(
            got,
            [
                "0",
                "-0",
                "12",
                "-0.25",
                "1E5",
                "1e-7",
                "2.5E+10",
                "123456789012345678901234567890"
            ]
        );
        check_spans(text, &r);
    }

    #[test]
    fn multibyte_text_keeps_byte_spans() {
        let text = "{\"é€😀\": \"ü\", \"k\": [\"日本\", 12]}";
        let r = root(text);
        check_spans(text, &r);
        let e = nth(map(&r), 0);
        assert_eq!(e.key.as_str(), Some("é€😀"));
        // 1 + 2 + 3 + 4 bytes of key text + 1.
        assert_eq!(e.key.span, sp(1, 12));
        assert_eq!(e.value.span, sp(14, 18));
        let k = get(&r, "k");
        assert_eq!(at(text, k.span), "[\"日本\", 12]");
        let n = item(k, 1);
        assert_eq!(n.span.start as usize, text.find("12").unwrap_or_default());
        assert_eq!(n.span.len(), 2);
    }

    #[test]
    fn escapes() {
        let text = r#"  "q\"b\\s\/ b\b f\f n\n r\r t\t \u0041\u00e9\u20AC \uD83D\uDE00!"  "#;
        let r = root(text);
        assert_eq!(
            r.as_str(),
            Some("q\"b\\s/ b\u{8} f\u{c} n\n r\r t\t Aé€ 😀!")
        );
        assert_eq!(r.span, sp(2, text.len() as u32 - 2));
        // Upper- and lower-case hex, escapes at both ends.
        assert_eq!(root(r#""\u00E9\u00e9""#).as_str(), Some("éé"));
        assert_eq!(root(r#""\n""#).as_str(), Some("\n"));
        assert_eq!(root(r#""""#).as_str(), Some(""));
        assert!(ok(text).warnings.is_empty());
    }

    #[test]
    fn escaped_keys_and_values_keep_spans() {
        let text = r#"{"a\tb": "x\"y", "é": "\u00e9"}"#;
        let r = root(text);
        check_spans(text, &r);
        assert_eq!(get(&r, "a\tb").as_str(), Some("x\"y"));
        assert_eq!(at(text, get(&r, "a\tb").span), r#""x\"y""#);
        assert_eq!(at(text, nth(map(&r), 0).key.span), r#""a\tb""#);
        assert_eq!(get(&r, "é").as_str(), Some("é"));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let doc = ok(r#"["\uD800x", "\uDC00", "\uD83D\u0041", "a\uDBFF"]"#);
        let r = nth(&doc.roots, 0);
        let got: Vec<&str> = seq(r).iter().filter_map(Node::as_str).collect();
        assert_eq!(got, ["\u{FFFD}x", "\u{FFFD}", "\u{FFFD}A", "a\u{FFFD}"]);
        assert_eq!(doc.warnings.len(), 4);
        assert!(
            nth(&doc.warnings, 0)
                .message
                .contains("lone surrogate `\\uD800`")
        );
        assert_eq!(nth(&doc.warnings, 0).span, sp(2, 8));
        assert_eq!(nth(&doc.warnings, 0).related, None);
    }

    #[test]
    fn whitespace_tabs_and_crlf() {
        let text = "\t{\t\"a\"\t:\t[1\r\n,\t2]\t}\r\n\t";
        let r = root(text);
        check_spans(text, &r);
        assert_eq!(r.span, sp(1, 19));
        // Only space, tab, CR, LF are whitespace.
        let e = err("\u{c}1");
        assert_eq!(e.message, "expected a JSON value, found U+000C");
        assert_eq!(e.span, sp(0, 1));
        let e = err("1\u{b}");
        assert_eq!(e.message, "trailing characters after the JSON value");
        assert_eq!(e.span, sp(1, 2));
        assert_eq!(err("\u{a0}1").span, sp(0, 2));
        let e = err("[1,\u{2028}2]");
        assert_eq!(e.message, "expected a JSON value, found U+2028");
        assert_eq!(e.span, sp(3, 6));
    }

    #[test]
    fn comments_and_trailing_commas_as_tools_write_them() {
        let text = "// VS Code settings\n{\n  /* block\n  comment */ \"a\": [1, 2,], // end\n  \"b\": {\"c\": \"//not a comment\",},\n}\n// after\n";
        let r = root(text);
        check_spans(text, &r);
        assert_eq!(at(text, r.span), &text[20..text.len() - 10]);
        assert_eq!(seq(get(&r, "a")).len(), 2);
        assert_eq!(at(text, get(&r, "a").span), "[1, 2,]");
        // Noted for Atlas specs, whose tools parse strictly: the first comment, each comma.
        let warnings: Vec<&str> = ok(text).warnings.iter().map(|w| at(text, w.span)).collect();
        assert_eq!(warnings, ["// VS Code settings", ",", ",", ","]);
        let c = get(get(&r, "b"), "c");
        assert_eq!(c.as_str(), Some("//not a comment"));
        assert_eq!(at(text, c.span), "\"//not a comment\"");
        // A comment between a key and its colon, and one that ends the file unterminated.
        let text = "{\"a\" /*x*/ : 1 // y\n}";
        assert_eq!(at(text, get(&root(text), "a").span), "1");
        assert_eq!(
            err("{\"a\": 1} /* x").message,
            "a `/*` comment is never closed with `*/`"
        );
    }

    #[test]
    fn bom_is_skipped() {
        let text = "\u{FEFF}{\"a\": 1}";
        let r = root(text);
        assert_eq!(r.span, sp(3, 11));
        check_spans(text, &r);
        assert_eq!(err("\u{FEFF}").message, "empty file");
        assert_eq!(err("\u{FEFF}  \n").message, "empty file");
        let e = err("[1, \u{FEFF}2]");
        assert_eq!(e.message, "expected a JSON value, found U+FEFF");
        assert_eq!(e.span, sp(4, 7));
    }

    #[test]
    fn duplicate_keys_warn_and_last_wins() {
        let text = r#"{"a": 1, "b": 2, "a": 3}"#;
        let doc = ok(text);
        let r = nth(&doc.roots, 0);
        assert_eq!(map(r).len(), 3);
        assert_eq!(get(r, "a").scalar_text(), Some("3"));
        assert_eq!(
            doc.warnings,
            [ParseWarning {
                message: "duplicate key `a`: consumers disagree on which value wins".into(),
                span: sp(17, 20),
                related: Some(sp(1, 4)),
                help: None,
            }]
        );
        // Keys compare decoded: `\u0061` is `a`.
        let doc = ok(r#"{"a": 1, "\u0061": 2}"#);
        assert_eq!(doc.warnings.len(), 1);
        assert_eq!(nth(&doc.warnings, 0).related, Some(sp(1, 4)));
        // Same key in different objects is fine.
        assert!(
            ok(r#"[{"a": 1}, {"a": 2, "b": {"a": 3}}]"#)
                .warnings
                .is_empty()
        );
    }

    #[test]
    fn duplicate_keys_in_large_objects() {
        let mut text = String::from("{");
        for i in 0..2000 {
            text.push_str(&format!("\"k{i}\": {i}, "));
        }
        // Duplicates of an early key (indexed when the map is built), of an escaped key, and
        // of a key added after the switch to the hash map.
        text.push_str(
            r#""\u006b\u0031": "esc", "k3": "dup", "k1500": "dup2", "x\ty": 1, "x\u0009y": 2}"#,
        );
        let doc = ok(&text);
        let r = nth(&doc.roots, 0);
        assert_eq!(map(r).len(), 2005);
        check_spans(&text, r);
        assert_eq!(get(r, "k1").as_str(), Some("esc"));
        assert_eq!(get(r, "k3").as_str(), Some("dup"));
        assert_eq!(get(r, "x\ty").scalar_text(), Some("2"));
        let msgs: Vec<&str> = doc.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "duplicate key `k1`: consumers disagree on which value wins",
                "duplicate key `k3`: consumers disagree on which value wins",
                "duplicate key `k1500`: consumers disagree on which value wins",
                "duplicate key `x\ty`: consumers disagree on which value wins",
            ]
        );
        for w in &doc.warnings {
            let related = w.related.unwrap_or_default();
            assert!(related.start < w.span.start);
        }
        assert_eq!(
            at(&text, nth(&doc.warnings, 0).related.unwrap_or_default()),
            "\"k1\""
        );
        assert_eq!(at(&text, nth(&doc.warnings, 0).span), r#""\u006b\u0031""#);
        assert_eq!(
            at(&text, nth(&doc.warnings, 3).related.unwrap_or_default()),
            "\"x\\ty\""
        );
    }

    #[test]
    fn error_paths() {
        let cases: &[(&str, &str, (u32, u32))] = &[
            ("", "empty file", (0, 0)),
            ("  \n\t ", "empty file", (0, 5)),
            (
                "[1,",
                "unexpected end of input: expected a JSON value",
                (3, 3),
            ),
            (
                "[1",
                "unexpected end of input: expected `,` or `]` after array element",
                (2, 2),
            ),
            (
                "{",
                "unexpected end of input: expected a string key or `}`",
                (1, 1),
            ),
            (
                r#"{"a""#,
                "unexpected end of input: expected `:` after object key",
                (4, 4),
            ),
            (
                r#"{"a":"#,
                "unexpected end of input: expected a JSON value",
                (5, 5),
            ),
            (
                r#"{"a":1"#,
                "unexpected end of input: expected `,` or `}` after object entry",
                (6, 6),
            ),
            (
                r#"{"a":1 "b":2}"#,
                "expected `,` or `}` after object entry, found `\"`",
                (7, 8),
            ),
            (
                "[1 2]",
                "expected `,` or `]` after array element, found a number",
                (3, 4),
            ),
            ("[1,,]", "expected a JSON value, found `,`", (3, 4)),
            ("[,]", "expected a JSON value, found `,`", (1, 2)),
            (r#"{"a":1,,}"#, "expected a string key, found `,`", (7, 8)),
            (
                "[1 /* open",
                "a `/*` comment is never closed with `*/`",
                (3, 5),
            ),
            (
                "[1] / 2",
                "trailing characters after the JSON value",
                (4, 7),
            ),
            (
                "{a:1}",
                "expected a string key or `}`, found an unquoted word (strings need double quotes)",
                (1, 2),
            ),
            (
                "{\"p\": Hunter2}",
                "expected a JSON value, found an unquoted word (strings need double quotes)",
                (6, 13),
            ),
            (
                r#"{"a":1,'b':2}"#,
                "expected a string key, found `'`",
                (7, 8),
            ),
            (
                r#"{"a" 1}"#,
                "expected `:` after object key, found a number",
                (5, 6),
            ),
            (
                r#"{"a"=1}"#,
                "expected `:` after object key, found `=`",
                (4, 5),
            ),
            ("[1,,2]", "expected a JSON value, found `,`", (3, 4)),
            ("]", "expected a JSON value, found `]`", (0, 1)),
            ("tru", "expected a JSON value, found `tru`", (0, 3)),
            ("[True]", "expected a JSON value, found `True`", (1, 5)),
            ("[nul]", "expected a JSON value, found `nul`", (1, 4)),
            ("NaN", "expected a JSON value, found `NaN`", (0, 3)),
            ("'x'", "expected a JSON value, found `'`", (0, 1)),
            ("[é]", "expected a JSON value, found `é`", (1, 3)),
            ("+1", "expected a JSON value, found `+`", (0, 1)),
            (".5", "expected a JSON value, found `.`", (0, 1)),
            ("-", "expected a digit after `-`", (0, 1)),
            ("-x", "expected a digit after `-`", (0, 2)),
            ("01", "leading zeros are not allowed in numbers", (0, 2)),
            (
                "[-0012]",
                "leading zeros are not allowed in numbers",
                (1, 6),
            ),
            ("1.", "expected a digit after the decimal point", (0, 2)),
            ("1.e5", "expected a digit after the decimal point", (0, 3)),
            ("1e", "expected a digit in the exponent", (0, 2)),
            ("[1e+]", "expected a digit in the exponent", (1, 5)),
            ("1 2", "trailing characters after the JSON value", (2, 3)),
            (
                "{}{} \n",
                "trailing characters after the JSON value",
                (2, 4),
            ),
            ("[1]]", "trailing characters after the JSON value", (3, 4)),
            ("truex", "trailing characters after the JSON value", (4, 5)),
            (
                "\"abc",
                "unexpected end of input: unterminated string",
                (0, 4),
            ),
            (
                "[\"a\\\"]",
                "unexpected end of input: unterminated string",
                (1, 6),
            ),
            (
                "\"a\\",
                "unexpected end of input: unterminated string",
                (0, 3),
            ),
            (
                "\"a\nb\"",
                "control character U+000A in string must be escaped",
                (2, 3),
            ),
            (
                "\"a\\n\tb\"",
                "control character U+0009 in string must be escaped",
                (4, 5),
            ),
            (
                "\"\u{0}\"",
                "control character U+0000 in string must be escaped",
                (1, 2),
            ),
            (r#""\x""#, "invalid escape `\\x`", (1, 3)),
            (r#""\é""#, "invalid escape `\\é`", (1, 4)),
            (r#""\'""#, "invalid escape `\\'`", (1, 3)),
            (
                "\"\\\n\"",
                "invalid escape: `\\` followed by U+000A",
                (1, 3),
            ),
            (
                r#""\u12G4""#,
                "invalid unicode escape `\\u12G`: expected four hex digits",
                (1, 6),
            ),
            (
                r#""\u12""#,
                "invalid unicode escape `\\u12\"`: expected four hex digits",
                (1, 6),
            ),
            (
                "\"\\u1",
                "invalid unicode escape `\\u1`: expected four hex digits",
                (1, 4),
            ),
            (
                r#""\uD83D\uZZZZ""#,
                "invalid unicode escape `\\uZ`: expected four hex digits",
                (7, 10),
            ),
        ];
        for &(text, message, (start, end)) in cases {
            let e = err(text);
            assert_eq!(e.message, message, "message for {text:?}");
            assert_eq!(e.span, sp(start, end), "span for {text:?}");
            assert!(text.get(start as usize..end as usize).is_some());
        }
    }

    #[test]
    fn deep_nesting_is_rejected_without_recursion() {
        let deep = "[".repeat(100_000);
        let started = std::time::Instant::now();
        let e = err(&deep);
        assert_eq!(e.message, "nesting deeper than 256 levels");
        assert_eq!(e.span, sp(256, 257));
        let balanced = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(err(&balanced).span, sp(256, 257));
        let objects = "{\"a\":".repeat(100_000);
        let e = err(&objects);
        assert_eq!(e.message, "nesting deeper than 256 levels");
        assert_eq!(e.span, sp(256 * 5, 256 * 5 + 1));
        assert!(started.elapsed().as_secs() < 2);

        // Exactly at the limit is fine; one more is not.
        let at_limit = format!("{}{}", "[".repeat(256), "]".repeat(256));
        let mut node = &root(&at_limit);
        let mut depth = 1;
        while let Some(first) = node.as_seq().and_then(|s| s.first()) {
            node = first;
            depth += 1;
        }
        assert_eq!(depth, 256);
        let over = format!("{}{}", "[".repeat(257), "]".repeat(257));
        assert_eq!(err(&over).span, sp(256, 257));

        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(parse(r#"[{"a": 1}]"#, &limits).is_ok());
        let e = err_with(r#"[{"a": [1]}]"#, &limits);
        assert_eq!(e.message, "nesting deeper than 2 levels");
        assert_eq!(e.span, sp(7, 8));
    }

    #[test]
    fn node_limit() {
        let limits = Limits {
            max_nodes: 3,
            ..Limits::default()
        };
        assert!(parse("[1, 2]", &limits).is_ok());
        let e = err_with("[1, 2, 3]", &limits);
        assert_eq!(e.message, "document has more than 3 nodes");
        assert_eq!(e.span, sp(7, 8));
        // Keys count as nodes.
        assert!(parse(r#"{"a": 1}"#, &limits).is_ok());
        let e = err_with(r#"{"a": 1, "b": 2}"#, &limits);
        assert_eq!(e.span, sp(9, 10));
        let e = err_with(r#"[[], {}, "s"]"#, &limits);
        assert_eq!(e.span, sp(9, 10));
    }

    #[test]
    fn no_panics_on_truncated_or_mutated_input() {
        let text = "\u{FEFF}{\"a\": [1, -2.5e3, true, false, null, \"é\\n\\u00e9\\uD83D\\uDE00\"], \"b\": {\"c\": {}}, \"d\": []}";
        assert!(parse(text, &Limits::default()).is_ok());
        let bytes = text.as_bytes();
        let replacements = b"\"\\{}[],:0-.eEu \n\x00tfnx";
        for cut in 0..=bytes.len() {
            if let Some(prefix) = text.get(..cut) {
                check_result(prefix);
            }
            for &r in replacements {
                let mut m = bytes.to_vec();
                if let Some(b) = m.get_mut(cut) {
                    *b = r;
                }
                if let Ok(s) = std::str::from_utf8(&m) {
                    check_result(s);
                }
                let mut ins = bytes.to_vec();
                ins.insert(cut, r);
                if let Ok(s) = std::str::from_utf8(&ins) {
                    check_result(s);
                }
            }
        }
    }

    fn check_result(text: &str) {
        match parse(text, &Limits::default()) {
            Ok(doc) => {
                for r in &doc.roots {
                    check_spans(text, r);
                }
            }
            Err(e) => {
                assert!(!e.message.is_empty());
                assert!(
                    text.get(e.span.start as usize..e.span.end as usize)
                        .is_some(),
                    "bad error span {e:?} for {text:?}"
                );
            }
        }
    }
}
