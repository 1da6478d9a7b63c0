//! YAML: builds the span-carrying [`Node`] tree from `saphyr-parser`'s event stream.
//!
//! Decisions worth knowing:
//!
//! * **Documents.** One root per document of a stream. An *empty* document (`---` followed by
//!   nothing but comments or another `---`) produces **no root**, as `kubectl` and Helm skip
//!   them; a stream of only comments or an empty file yields zero roots. An explicit `--- ~` or
//!   `--- null` still yields a `Null` root.
//! * **Spans** are byte offsets into the original text (a leading BOM included). saphyr's markers
//!   count characters; `Offsets` converts them (identity for ASCII text).
//!   - plain scalars: the scalar text; quoted scalars: including the quotes;
//!   - block scalars (`|`, `>`): from the indicator to the last non-blank character of the
//!     content (saphyr's own span starts at the first content line and runs into the next line's
//!     indentation);
//!   - a node with an anchor or tag starts at that property;
//!   - flow collections: opening to closing bracket; block collections: from the first key or
//!     `-` to the end of the last child;
//!   - an empty value (`key:`) is an empty span where saphyr puts it (at the `:`).
//! * **Aliases** become clones of the anchored node, which keep the anchored node's spans (the
//!   honest place to point). Anchors are scoped to their document (saphyr's `next_event` would
//!   resolve an alias to an earlier document's anchor). Expansion is bounded by
//!   [`Limits::max_nodes`] per document using each anchored node's recorded (expanded) size, and
//!   the depth an alias would reach is checked against [`Limits::max_depth`], both *before*
//!   anything is cloned. Most clones are only made once the document is complete (placeholders
//!   stand in for aliases until then; keys and merge sources are cloned at once, one level
//!   deep), so a billion-laughs document is refused after reading a few lines. The copies kept
//!   in the anchor table count against a second `max_nodes` budget.
//! * **Duplicate keys** are kept (the last wins in [`Node::get`]) and reported as warnings;
//!   entries brought in by a merge never count as duplicates.
//! * **Errors** from saphyr keep its message (but its flow-nesting cap reads "nesting deeper
//!   than 255 levels"); the span is the character at its marker.
//! * **Tags**: local tags (`!Ref`, `!<!Ref>`) are kept without the `!`; a tagged scalar is a
//!   string (tagged nodes are not resolved by the core schema). Core tags (`!!str`, `!!int`, ...)
//!   are applied to scalars when they fit; an unknown `!!` tag (`!!Ref`) is kept as the local
//!   tag `!Ref`; other tags are ignored. No tag is ever an error.
//! * **Merge keys** (`<<`, plain and untagged) merge mappings YAML 1.1 style: explicit keys win,
//!   among merged mappings the first wins; merged entries take the place of the `<<` entry.
//! * saphyr does not recurse (its parser keeps an explicit state stack and its scanner caps flow
//!   nesting at 255 levels), so no pre-scan is needed: the builder below keeps its own stack and
//!   stops pulling events as soon as [`Limits::max_depth`] is exceeded.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use super::{Document, Entry, Limits, Node, ParseError, ParseWarning, Span, Value};

mod fast;

/// Parse a YAML stream into one root per (non-empty) document.
pub fn parse(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    match fast::parse(text, limits) {
        Some(doc) => Ok(doc),
        None => parse_full(text, limits),
    }
}

/// The fast path alone: `None` where it leaves the text to the full parser. For the tests and
/// the fuzz target that compare the two.
pub fn parse_fast(text: &str, limits: &Limits) -> Option<Document> {
    fast::parse(text, limits)
}

/// The full parser alone (saphyr), for any YAML.
pub fn parse_full(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    let mut builder = Builder::new(text, limits);
    let mut parser = Parser::new_from_str(text);
    while let Some(item) = parser.next_event() {
        let (event, span) = item.map_err(|e| builder.scan_error(&e))?;
        builder.event(event, span)?;
    }
    if let Some(frame) = builder.stack.last() {
        // saphyr always closes what it opens before the stream ends; be defensive anyway.
        return Err(ParseError {
            message: "unexpected end of stream inside a collection".to_string(),
            span: Span::new(frame.start, frame.start),
        });
    }
    Ok(builder.doc)
}

/// Converts saphyr's character indices to byte offsets.
///
/// ASCII text: identity. Otherwise a checkpoint every [`STEP`] characters plus a forward cursor,
/// so that the (mostly increasing) stream of markers costs amortized O(1) each.
struct Offsets<'a> {
    bytes: &'a [u8],
    ascii: bool,
    /// Byte offset of character `k * STEP`.
    checkpoints: Vec<usize>,
    chars: usize,
    cur_char: usize,
    cur_byte: usize,
}

const STEP: usize = 64;

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Offsets<'a> {
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
            if chars % STEP == 0 {
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
    fn byte(&mut self, ci: usize) -> usize {
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
fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0x80..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// How a tag affects a node.
enum TagKind {
    /// A local tag (`!Ref`), without the `!`.
    Local(Box<str>),
    /// A YAML core-schema tag (`!!str`), the suffix.
    Core(String),
    /// Anything else: the non-specific `!`, global tags, `%TAG`-declared handles.
    Other,
}

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// The tags of the YAML core schema and of the YAML 1.1 type repository.
const KNOWN_CORE: &[&str] = &[
    "str",
    "int",
    "float",
    "bool",
    "null",
    "seq",
    "map",
    "binary",
    "timestamp",
    "set",
    "omap",
    "pairs",
    "merge",
    "value",
    "yaml",
];

/// A `!!` tag: a known type applies to the scalar; an unknown one (`!!Ref`, a typo of `!Ref`
/// that some tools accept) is kept as the local tag `!Ref` so that it is never mistaken for
/// plain text.
fn core_tag(suffix: &str) -> TagKind {
    if KNOWN_CORE.contains(&suffix) || suffix.is_empty() {
        TagKind::Core(suffix.to_string())
    } else {
        TagKind::Local(format!("!{suffix}").into())
    }
}

fn classify_tag(tag: &Tag) -> TagKind {
    if tag.handle == "!" {
        return TagKind::Local(tag.suffix.as_str().into());
    }
    if tag.handle == CORE_PREFIX {
        return core_tag(&tag.suffix);
    }
    if tag.handle.is_empty() {
        // Verbatim tags (`!<...>`) arrive with the whole tag as the suffix.
        if let Some(core) = tag.suffix.strip_prefix(CORE_PREFIX) {
            return core_tag(core);
        }
        if let Some(local) = tag.suffix.strip_prefix('!') {
            if !local.is_empty() {
                return TagKind::Local(local.into());
            }
        }
    }
    TagKind::Other
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_core_number(s) => Value::Number(s.into()),
        _ => Value::String(s.into()),
    }
}

fn all_digits(s: &str, radix: u32) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_digit(radix))
}

/// Core schema int (`[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`) or float.
fn is_core_number(s: &str) -> bool {
    if let Some(rest) = s.strip_prefix("0o") {
        return all_digits(rest, 8);
    }
    if let Some(rest) = s.strip_prefix("0x") {
        return all_digits(rest, 16);
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    // [0-9]+ ( . [0-9]* )? | . [0-9]+   then   ( [eE] [-+]? [0-9]+ )?
    let mut it = body.bytes().peekable();
    let mut int_digits = 0usize;
    while it.next_if(u8::is_ascii_digit).is_some() {
        int_digits += 1;
    }
    let mut frac_digits = 0usize;
    if it.next_if_eq(&b'.').is_some() {
        while it.next_if(u8::is_ascii_digit).is_some() {
            frac_digits += 1;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if it.next_if(|c| matches!(c, b'e' | b'E')).is_some() {
        let _ = it.next_if(|c| matches!(c, b'-' | b'+'));
        let mut exp_digits = 0usize;
        while it.next_if(u8::is_ascii_digit).is_some() {
            exp_digits += 1;
        }
        if exp_digits == 0 {
            return false;
        }
    }
    it.next().is_none()
}

/// Value of a scalar given its style and tag.
fn scalar_value(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&TagKind>) -> Value {
    match tag {
        None if style == ScalarStyle::Plain => resolve_plain(&text),
        Some(TagKind::Core(suffix)) => match suffix.as_str() {
            "null" => Value::Null,
            "bool" => match &*text {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                _ => Value::String(text.into()),
            },
            "int" | "float" if is_core_number(&text) => Value::Number(text.into()),
            _ => Value::String(text.into()),
        },
        _ => Value::String(text.into()),
    }
}

/// A scalar key, for duplicate detection and merge overrides. Collections are never compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyRef<'a> {
    Null,
    Bool(bool),
    Num(&'a str),
    Str(&'a str),
}

fn key_ref(node: &Node) -> Option<KeyRef<'_>> {
    match &node.value {
        Value::Null => Some(KeyRef::Null),
        Value::Bool(b) => Some(KeyRef::Bool(*b)),
        Value::Number(n) => Some(KeyRef::Num(n)),
        Value::String(s) => Some(KeyRef::Str(s)),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum KeyOwned {
    Null,
    Bool(bool),
    Num(Box<str>),
    Str(Box<str>),
}

impl From<KeyRef<'_>> for KeyOwned {
    fn from(k: KeyRef<'_>) -> KeyOwned {
        match k {
            KeyRef::Null => KeyOwned::Null,
            KeyRef::Bool(b) => KeyOwned::Bool(b),
            KeyRef::Num(n) => KeyOwned::Num(n.into()),
            KeyRef::Str(s) => KeyOwned::Str(s.into()),
        }
    }
}

/// Maps with more entries than this get a hash index for duplicate detection.
const LINEAR_KEYS: usize = 8;

#[derive(Default)]
struct MapFrame {
    entries: Vec<Entry>,
    /// The key whose value is being built.
    key: Option<Node>,
    /// Whether `key` is a merge key (`<<`).
    key_is_merge: bool,
    /// Merge sources: (position among `entries`, mapping or sequence of mappings).
    merges: Vec<(usize, Node)>,
    /// Index of scalar keys once the map is large.
    index: Option<HashMap<KeyOwned, Span>>,
}

impl MapFrame {
    /// The earlier occurrence of `key`, if any.
    fn earlier(&mut self, key: &Node) -> Option<Span> {
        let k = key_ref(key)?;
        if self.entries.len() <= LINEAR_KEYS {
            return self
                .entries
                .iter()
                .find(|e| key_ref(&e.key) == Some(k))
                .map(|e| e.key.span);
        }
        let entries = &self.entries;
        let index = self.index.get_or_insert_with(|| {
            let mut m = HashMap::with_capacity(entries.len() * 2);
            for e in entries {
                if let Some(k) = key_ref(&e.key) {
                    m.entry(KeyOwned::from(k)).or_insert(e.key.span);
                }
            }
            m
        });
        index.get(&KeyOwned::from(k)).copied()
    }

    fn push(&mut self, entry: Entry) {
        if let Some(index) = &mut self.index {
            if let Some(k) = key_ref(&entry.key) {
                index.entry(KeyOwned::from(k)).or_insert(entry.key.span);
            }
        }
        self.entries.push(entry);
    }

    /// The entries with the merge sources spliced in (explicit keys win, first merged wins).
    fn into_entries(self) -> Vec<Entry> {
        if self.merges.is_empty() {
            return self.entries;
        }
        let mut seen: HashSet<KeyOwned> = self
            .entries
            .iter()
            .filter_map(|e| key_ref(&e.key).map(KeyOwned::from))
            .collect();
        let mut out = Vec::with_capacity(self.entries.len());
        let mut merges = self.merges.into_iter().peekable();
        for (i, entry) in self.entries.into_iter().enumerate() {
            while let Some((_, source)) = merges.next_if(|(pos, _)| *pos <= i) {
                splice(source, &mut seen, &mut out);
            }
            out.push(entry);
        }
        for (_, source) in merges {
            splice(source, &mut seen, &mut out);
        }
        out
    }
}

/// Append the entries of a merge source (a mapping or a sequence of mappings) not yet seen.
fn splice(source: Node, seen: &mut HashSet<KeyOwned>, out: &mut Vec<Entry>) {
    let maps = match source.value {
        Value::Map(entries) => vec![entries],
        Value::Seq(items) => items
            .into_iter()
            .filter_map(|n| match n.value {
                Value::Map(entries) => Some(entries),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for entries in maps {
        for entry in entries {
            let fresh = match key_ref(&entry.key) {
                Some(k) => seen.insert(KeyOwned::from(k)),
                None => true,
            };
            if fresh {
                out.push(entry);
            }
        }
    }
}

fn is_merge_source(node: &Node) -> bool {
    match &node.value {
        Value::Map(_) => true,
        Value::Seq(items) => items.iter().all(|n| matches!(n.value, Value::Map(_))),
        _ => false,
    }
}

enum Kind {
    Seq(Vec<Node>),
    Map(MapFrame),
}

/// An open collection.
struct Frame {
    kind: Kind,
    start: usize,
    /// Furthest byte reached by the collection so far.
    end: usize,
    tag: Option<Box<str>>,
    anchor: usize,
    /// Nodes in this subtree (itself included), aliases counted at their expanded size.
    size: usize,
    /// Height of the tallest child (0 if none or only scalars), aliases expanded.
    child_height: usize,
    /// Whether the subtree holds alias placeholders.
    has_alias: bool,
}

/// An anchored node, with its expanded size and height so aliases can be refused before
/// anything is cloned. Until the document ends, `node` may hold alias placeholders.
struct Anchored {
    node: Node,
    size: usize,
    height: usize,
    has_alias: bool,
}

/// Aliases are not cloned when they are met: a placeholder takes their place (a `Null` node
/// whose tag is this character followed by the anchor id; saphyr never yields it in a tag), and
/// placeholders are replaced once the document is complete and within its limits. Billion laughs
/// is thus refused after reading a few lines, before any expansion.
const PLACEHOLDER: char = '\u{0}';

fn placeholder(id: usize, span: Span) -> Node {
    Node {
        value: Value::Null,
        span,
        tag: Some(format!("{PLACEHOLDER}{id}").into()),
    }
}

fn placeholder_id(node: &Node) -> Option<usize> {
    match (&node.value, &node.tag) {
        (Value::Null, Some(tag)) => tag.strip_prefix(PLACEHOLDER)?.parse().ok(),
        _ => None,
    }
}

/// Replace every placeholder under `root` by a clone of its (fully expanded) anchored node.
/// Iterative: the tree may be as deep as the limits allow.
fn expand(root: &mut Node, anchors: &HashMap<usize, Anchored>) {
    let mut todo: Vec<&mut Node> = vec![root];
    while let Some(node) = todo.pop() {
        if let Some(id) = placeholder_id(node) {
            *node = match anchors.get(&id) {
                Some(anchored) => anchored.node.clone(),
                // Cannot happen: every alias was checked against the table.
                None => Node::new(Value::Null, node.span),
            };
            continue;
        }
        match &mut node.value {
            Value::Seq(items) => todo.extend(items.iter_mut()),
            Value::Map(entries) => {
                for entry in entries.iter_mut() {
                    todo.push(&mut entry.key);
                    todo.push(&mut entry.value);
                }
            }
            _ => {}
        }
    }
}

struct Builder<'a> {
    text: &'a str,
    limits: &'a Limits,
    offsets: Offsets<'a>,
    doc: Document,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// Anchor ids in the order their nodes were completed (an anchored node can only hold
    /// aliases to anchors completed before it).
    anchor_order: Vec<usize>,
    /// Nodes materialized in the current document (aliases count their full size).
    count: usize,
    /// Nodes copied into the anchor table in the current document, at their expanded size.
    anchor_copies: usize,
    /// Whether the current document holds alias placeholders.
    has_alias: bool,
    /// Index in `doc.roots` of the current document's root, once delivered.
    root: Option<usize>,
    /// Byte end of the previous event (for finding block scalar indicators).
    prev_end: usize,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, limits: &'a Limits) -> Builder<'a> {
        Builder {
            text,
            limits,
            offsets: Offsets::new(text),
            doc: Document::default(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            anchor_order: Vec::new(),
            count: 0,
            anchor_copies: 0,
            has_alias: false,
            root: None,
            prev_end: 0,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn scan_error(&mut self, e: &ScanError) -> ParseError {
        let start = self.offsets.byte(e.marker().index());
        let width = self
            .text
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        // saphyr caps flow nesting at 255 levels, and its scanner looks ahead far enough that
        // `[[[[...` fails before the builder sees any collection: say it in our own words.
        let message = if e.info() == "recursion limit exceeded" {
            "nesting deeper than 255 levels".to_string()
        } else {
            e.info().to_string()
        };
        ParseError {
            message,
            span: Span::new(start, start + width),
        }
    }

    fn error(message: String, start: usize, end: usize) -> ParseError {
        ParseError {
            message,
            span: Span::new(start, end),
        }
    }

    fn event(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> Result<(), ParseError> {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        let result = match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => Ok(()),
            Event::DocumentStart(_) => {
                self.start_document();
                Ok(())
            }
            Event::DocumentEnd => self.end_document(end),
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(value, style, anchor, tag.as_deref(), start, end)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Kind::Seq(Vec::new()), anchor, tag.as_deref(), start, end)
            }
            Event::MappingStart(anchor, tag) => self.open(
                Kind::Map(MapFrame::default()),
                anchor,
                tag.as_deref(),
                start,
                end,
            ),
            Event::SequenceEnd => self.close(b']', start, end),
            Event::MappingEnd => self.close(b'}', start, end),
            Event::Alias(id) => self.alias(id, start, end),
        };
        self.prev_end = self.prev_end.max(end);
        result
    }

    fn start_document(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.anchor_order.clear();
        self.count = 0;
        self.anchor_copies = 0;
        self.has_alias = false;
        self.root = None;
    }

    /// Check the document is closed and expand its aliases.
    fn end_document(&mut self, end: usize) -> Result<(), ParseError> {
        if let Some(frame) = self.stack.last() {
            return Err(Self::error(
                "document ended inside a collection".to_string(),
                frame.start,
                end,
            ));
        }
        if !self.has_alias {
            return Ok(());
        }
        // Expand the anchored nodes in completion order, so that each one only meets
        // placeholders of anchors already expanded.
        for id in std::mem::take(&mut self.anchor_order) {
            let Some(mut anchored) = self.anchors.remove(&id) else {
                continue;
            };
            if anchored.has_alias {
                expand(&mut anchored.node, &self.anchors);
                anchored.has_alias = false;
            }
            self.anchors.insert(id, anchored);
        }
        if let Some(root) = self.root.and_then(|i| self.doc.roots.get_mut(i)) {
            expand(root, &self.anchors);
        }
        self.has_alias = false;
        Ok(())
    }

    fn count_node(&mut self, start: usize, end: usize) -> Result<(), ParseError> {
        self.count += 1;
        if self.count > self.limits.max_nodes {
            return Err(Self::error(
                format!("document has more than {} nodes", self.limits.max_nodes),
                start,
                end,
            ));
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        mut start: usize,
        mut end: usize,
    ) -> Result<(), ParseError> {
        if self.stack.is_empty()
            && value.is_empty()
            && style == ScalarStyle::Plain
            && anchor == 0
            && tag.is_none()
        {
            // An empty document: no root (see the module docs).
            return Ok(());
        }
        self.count_node(start, end)?;
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            if anchor == 0 && tag.is_none() {
                if let Some(indicator) = block_indicator(self.bytes(), self.prev_end, start) {
                    start = indicator;
                }
            }
            end = trim_blank_end(self.bytes(), start, end);
        }
        if matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
            // saphyr's span runs on over blanks and a comment after the closing quote.
            end = quoted_end(self.bytes(), start, end);
        }
        let tag = tag.map(classify_tag);
        let is_merge = style == ScalarStyle::Plain && tag.is_none() && value == "<<";
        let value = scalar_value(value, style, tag.as_ref());
        let node = Node {
            value,
            span: Span::new(start, end),
            tag: match tag {
                Some(TagKind::Local(t)) => Some(t),
                _ => None,
            },
        };
        if anchor != 0 {
            self.remember(anchor, &node, 1, 0, false)?;
        }
        self.deliver(node, 1, 0, is_merge, false)
    }

    fn open(
        &mut self,
        kind: Kind,
        anchor: usize,
        tag: Option<&Tag>,
        mut start: usize,
        end: usize,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Self::error(
                format!("nesting deeper than {} levels", self.limits.max_depth),
                start,
                end,
            ));
        }
        self.count_node(start, end)?;
        let parent_is_map = matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map(_),
                ..
            })
        );
        if matches!(kind, Kind::Seq(_)) && anchor == 0 && tag.is_none() && parent_is_map {
            // An indentless sequence (`key:\n- a`) starts after its first `-`: move back to it.
            if let Some(dash) = dash_before(self.bytes(), start) {
                start = dash;
            }
        }
        let tag = match tag.map(classify_tag) {
            Some(TagKind::Local(t)) => Some(t),
            _ => None,
        };
        self.stack.push(Frame {
            kind,
            start,
            end: end.max(start),
            tag,
            anchor,
            size: 1,
            child_height: 0,
            has_alias: false,
        });
        Ok(())
    }

    fn close(&mut self, bracket: u8, start: usize, end: usize) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Err(Self::error(
                "collection end without a start".to_string(),
                start,
                end,
            ));
        };
        // A flow collection ends at its closing bracket; a block one at its last child.
        let closing = end == start + 1 && self.bytes().get(start) == Some(&bracket);
        let stop = if closing {
            frame.end.max(end)
        } else {
            frame.end
        };
        let value = match frame.kind {
            Kind::Seq(items) => Value::Seq(items),
            Kind::Map(mut map) => {
                if let Some(key) = map.key.take() {
                    // Cannot happen with saphyr (every key gets a value); keep the key anyway.
                    let at = key.span.end as usize;
                    map.push(Entry {
                        key,
                        value: Node::new(Value::Null, Span::new(at, at)),
                    });
                }
                Value::Map(map.into_entries())
            }
        };
        let node = Node {
            value,
            span: Span::new(frame.start, stop),
            tag: frame.tag,
        };
        let height = frame.child_height + 1;
        if frame.anchor != 0 {
            self.remember(frame.anchor, &node, frame.size, height, frame.has_alias)?;
        }
        self.deliver(node, frame.size, height, false, frame.has_alias)
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), ParseError> {
        let Some(anchored) = self.anchors.get(&id) else {
            let message = if self.stack.iter().any(|f| f.anchor == id) {
                "alias refers to a node that contains it (recursive alias)"
            } else {
                "alias refers to an unknown anchor"
            };
            return Err(Self::error(message.to_string(), start, end));
        };
        let (size, height) = (anchored.size, anchored.height);
        if self.count.saturating_add(size) > self.limits.max_nodes {
            return Err(Self::error(
                format!(
                    "alias expansion exceeds {} nodes (billion laughs?)",
                    self.limits.max_nodes
                ),
                start,
                end,
            ));
        }
        if self.stack.len() + height > self.limits.max_depth {
            return Err(Self::error(
                format!("nesting deeper than {} levels", self.limits.max_depth),
                start,
                end,
            ));
        }
        self.count += size;
        self.has_alias = true;
        // Keys and merge values are needed now (duplicate detection, merging): clone the
        // anchored node's top level. Anything else waits for the end of the document.
        let needed_now = match self.stack.last() {
            Some(Frame {
                kind: Kind::Map(map),
                ..
            }) => map.key.is_none() || map.key_is_merge,
            _ => false,
        };
        let (node, has_alias) = if needed_now {
            (anchored.node.clone(), anchored.has_alias)
        } else {
            (placeholder(id, Span::new(start, end)), true)
        };
        self.deliver(node, size, height, false, has_alias)
    }

    /// Record an anchored node (a copy), bounded like alias expansion.
    fn remember(
        &mut self,
        id: usize,
        node: &Node,
        size: usize,
        height: usize,
        has_alias: bool,
    ) -> Result<(), ParseError> {
        self.anchor_copies = self.anchor_copies.saturating_add(size);
        if self.anchor_copies > self.limits.max_nodes {
            return Err(Self::error(
                format!(
                    "anchored nodes exceed {} nodes in total (nested anchors?)",
                    self.limits.max_nodes
                ),
                node.span.start as usize,
                node.span.end as usize,
            ));
        }
        self.anchors.insert(
            id,
            Anchored {
                node: node.clone(),
                size,
                height,
                has_alias,
            },
        );
        self.anchor_order.push(id);
        Ok(())
    }

    /// Replace placeholders among the items of a merge value by their anchored mappings.
    fn resolve_merge_items(&self, node: &mut Node) {
        if let Value::Seq(items) = &mut node.value {
            for item in items.iter_mut() {
                if let Some(anchored) = placeholder_id(item).and_then(|id| self.anchors.get(&id)) {
                    *item = anchored.node.clone();
                }
            }
        }
    }

    /// Hand a finished node to the open collection, or make it a document root.
    fn deliver(
        &mut self,
        mut node: Node,
        size: usize,
        height: usize,
        is_merge: bool,
        has_alias: bool,
    ) -> Result<(), ParseError> {
        let merge_value = matches!(
            self.stack.last(),
            Some(Frame { kind: Kind::Map(map), .. }) if map.key.is_some() && map.key_is_merge
        );
        if merge_value && has_alias {
            self.resolve_merge_items(&mut node);
        }
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(self.doc.roots.len());
            self.doc.roots.push(node);
            return Ok(());
        };
        frame.size += size;
        frame.child_height = frame.child_height.max(height);
        frame.end = frame.end.max(node.span.end as usize);
        frame.has_alias |= has_alias;
        match &mut frame.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(map) => match map.key.take() {
                None => {
                    map.key_is_merge = is_merge;
                    if !is_merge {
                        if let Some(earlier) = map.earlier(&node) {
                            let name = node.scalar_text().unwrap_or("null");
                            self.doc.warnings.push(ParseWarning {
                                message: format!(
                                    "duplicate key `{name}`: consumers disagree on which value wins"
                                ),
                                span: node.span,
                                related: Some(earlier),
                            });
                        }
                    }
                    map.key = Some(node);
                }
                Some(key) => {
                    if map.key_is_merge && is_merge_source(&node) {
                        map.merges.push((map.entries.len(), node));
                    } else {
                        if map.key_is_merge {
                            self.doc.warnings.push(ParseWarning {
                                message: "merge key `<<` needs a mapping or a sequence of \
                                          mappings; kept as an ordinary key"
                                    .to_string(),
                                span: node.span,
                                related: Some(key.span),
                            });
                        }
                        map.push(Entry { key, value: node });
                    }
                    map.key_is_merge = false;
                }
            },
        }
        Ok(())
    }
}

/// The block scalar indicator (`|` or `>`) between the previous event and the content, skipping
/// comments. `None` if there is none (the caller keeps saphyr's start).
fn block_indicator(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
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

/// `end` moved back over trailing blanks and line breaks, keeping at least one byte after
/// `start`.
fn trim_blank_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start + 1 && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        end -= 1;
    }
    end
}

/// The `-` indicator directly before `pos` on the same line (only blanks between), if any.
/// The offset after the closing quote of the quoted scalar at `start` (`'` doubles itself,
/// `"` has backslash escapes), if it is at or before `end`; `end` otherwise.
fn quoted_end(bytes: &[u8], start: usize, end: usize) -> usize {
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

fn dash_before(bytes: &[u8], pos: usize) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn parse_ok(text: &str) -> Document {
        match parse(text, &Limits::default()) {
            Ok(doc) => doc,
            Err(e) => panic!("unexpected error {e:?} for {text:?}"),
        }
    }

    fn parse_err(text: &str, limits: &Limits) -> ParseError {
        match parse(text, limits) {
            Ok(doc) => panic!("expected an error, got {doc:?}"),
            Err(e) => e,
        }
    }

    fn root(text: &str) -> Node {
        let mut doc = parse_ok(text);
        assert_eq!(doc.roots.len(), 1, "{text:?}");
        doc.roots.remove(0)
    }

    /// The span of the first occurrence of `needle` in `text`.
    fn span_of(text: &str, needle: &str) -> Span {
        let at = text.find(needle).unwrap();
        Span::new(at, at + needle.len())
    }

    /// The span of `needle`, searching after the first occurrence of `after`.
    fn span_after(text: &str, after: &str, needle: &str) -> Span {
        let from = text.find(after).unwrap() + after.len();
        let at = from + text[from..].find(needle).unwrap();
        Span::new(at, at + needle.len())
    }

    /// From the first occurrence of `from` to the end of the first occurrence of `to` after it.
    fn span_between(text: &str, from: &str, to: &str) -> Span {
        let start = text.find(from).unwrap();
        let end = start + text[start..].find(to).unwrap() + to.len();
        Span::new(start, end)
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn n(v: &str) -> Value {
        Value::Number(v.into())
    }

    fn keys(node: &Node) -> Vec<&str> {
        node.as_map()
            .unwrap()
            .iter()
            .map(|e| e.key.scalar_text().unwrap())
            .collect()
    }

    /// A guard against super-linear blow-ups (minutes or hours on these inputs), not a speed
    /// measurement (that is bench/run.sh): unoptimized builds on a loaded 2-core CI machine
    /// take a few seconds here.
    fn assert_fast(start: Instant) {
        let took = start.elapsed();
        assert!(took < Duration::from_secs(30), "took {took:?}");
    }

    #[test]
    fn scalar_styles_have_exact_spans() {
        let text =
            "a: plain value\nb: 'single ''q'''\nc: \"double \\\"q\\\"\"\nd: plain\n  continued\n";
        let r = root(text);
        let a = r.entry("a").unwrap();
        assert_eq!(a.key.span, span_of(text, "a"));
        assert_eq!(a.value.span, span_of(text, "plain value"));
        assert_eq!(a.value.value, s("plain value"));
        let b = r.get("b").unwrap();
        assert_eq!(b.span, span_of(text, "'single ''q'''"));
        assert_eq!(b.value, s("single 'q'"));
        let c = r.get("c").unwrap();
        assert_eq!(c.span, span_of(text, "\"double \\\"q\\\"\""));
        assert_eq!(c.value, s("double \"q\""));
        let d = r.get("d").unwrap();
        assert_eq!(d.span, span_between(text, "plain\n", "continued"));
        assert_eq!(d.value, s("plain continued"));
        // The root mapping runs from the first key to the end of the last value.
        assert_eq!(r.span, span_between(text, "a", "continued"));
    }

    #[test]
    fn quoted_scalar_spans_stop_at_the_closing_quote() {
        // saphyr's own span runs on over the blanks and the comment.
        let text = "a: 'x ''y''' # note\nb: \"q\\\" #\"   \nc: [ 'z' , 1 ]\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().span, span_of(text, "'x ''y'''"));
        assert_eq!(r.get("b").unwrap().span, span_of(text, "\"q\\\" #\""));
        let c = r.get("c").unwrap().as_seq().unwrap();
        assert_eq!(c[0].span, span_of(text, "'z'"));
    }

    #[test]
    fn multiline_quoted_scalar_spans_include_quotes() {
        let text = "- \"multi\n  line\"\n- 'two\n\n  lines'\n";
        let r = root(text);
        let items = r.as_seq().unwrap();
        assert_eq!(items[0].span, span_between(text, "\"multi", "line\""));
        assert_eq!(items[0].value, s("multi line"));
        assert_eq!(items[1].span, span_between(text, "'two", "lines'"));
        assert_eq!(items[1].value, s("two\nlines"));
    }

    #[test]
    fn block_scalars_span_from_indicator_to_last_content() {
        let text = "lit: |\n  line one\n  line two\n\nfold: >-\n  folded\n  text\n\n\n\
                    keep: |+ # c|>\n  kept\n\nnext: x\n";
        let r = root(text);
        let lit = r.get("lit").unwrap();
        assert_eq!(lit.value, s("line one\nline two\n"));
        assert_eq!(lit.span, span_between(text, "|\n", "line two"));
        let fold = r.get("fold").unwrap();
        assert_eq!(fold.value, s("folded text"));
        assert_eq!(fold.span, span_between(text, ">-", "  text"));
        let keep = r.get("keep").unwrap();
        assert_eq!(keep.value, s("kept\n\n"));
        assert_eq!(keep.span, span_between(text, "|+", "kept"));
        assert_eq!(r.get("next").unwrap().span, span_after(text, "next", "x"));
        assert_eq!(r.span, span_between(text, "lit", "next: x"));
    }

    #[test]
    fn block_scalar_in_nested_mapping_and_sequence() {
        let text = "a:\n  b: |\n    text\n\n  c: d\nlist:\n  - >\n    folded\n  - |\n    last\n";
        let r = root(text);
        let a = r.get("a").unwrap();
        let b = a.get("b").unwrap();
        assert_eq!(b.span, span_between(text, "|\n    text", "text"));
        assert_eq!(a.get("c").unwrap().span, span_after(text, "c:", "d"));
        // The nested mapping ends at its last value, not at the next key's line.
        assert_eq!(a.span, span_between(text, "b:", "c: d"));
        let list = r.get("list").unwrap();
        let items = list.as_seq().unwrap();
        assert_eq!(items[0].span, span_between(text, ">\n", "folded"));
        assert_eq!(items[1].span, span_between(text, "|\n    last", "last"));
        assert_eq!(list.span, span_between(text, "- >", "last"));
    }

    #[test]
    fn block_scalar_indicator_is_found_past_comments_and_document_markers() {
        let text = "key: # not | this\n  |\n   text\nempty: |\nlast: >-";
        let r = root(text);
        let key = r.get("key").unwrap();
        assert_eq!(key.value, s("text\n"));
        assert_eq!(key.span, span_between(text, "|\n   text", "text"));
        let empty = r.get("empty").unwrap();
        assert_eq!(empty.value, s(""));
        assert_eq!(empty.span, span_after(text, "empty: ", "|"));
        let last = r.get("last").unwrap();
        assert_eq!(last.span, span_of(text, ">-"));
        let text = "--- |\n  x\n--- >\n  y\n";
        let doc = parse_ok(text);
        assert_eq!(doc.roots[0].span, span_between(text, "|", "x"));
        assert_eq!(doc.roots[1].span, span_between(text, ">", "y"));
    }

    #[test]
    fn block_scalar_with_properties_starts_at_the_property() {
        let text = "a: &anc |\n  z\nb: !Sub >\n  q\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().span, span_between(text, "&anc", "z"));
        let b = r.get("b").unwrap();
        assert_eq!(b.span, span_between(text, "!Sub", "q"));
        assert_eq!(b.tag.as_deref(), Some("Sub"));
        assert_eq!(b.value, s("q\n"));
    }

    #[test]
    fn value_after_multibyte_block_scalar_has_exact_byte_span() {
        let text = "desc: |\n  héllo wörld\nregion: EU_WEST_1\nname: \"ünïcødé\"\n";
        let r = root(text);
        let desc = r.get("desc").unwrap();
        assert_eq!(desc.value, s("héllo wörld\n"));
        assert_eq!(desc.span, span_between(text, "|", "wörld"));
        let region = r.entry("region").unwrap();
        assert_eq!(region.key.span, span_of(text, "region"));
        assert_eq!(region.value.span, span_of(text, "EU_WEST_1"));
        assert_eq!(slice(text, region.value.span), "EU_WEST_1");
        let name = r.get("name").unwrap();
        assert_eq!(name.span, span_of(text, "\"ünïcødé\""));
    }

    #[test]
    fn long_multibyte_lines_convert_exactly() {
        // Many multibyte characters before and between values exercise the checkpoints.
        let pad = "é€😀".repeat(100);
        let text = format!("a: {pad}\nb: [{pad}, x, {pad}]\nc: y\n");
        let r = root(&text);
        assert_eq!(slice(&text, r.get("a").unwrap().span), pad);
        let b = r.get("b").unwrap();
        assert_eq!(slice(&text, b.as_seq().unwrap()[1].span), "x");
        assert_eq!(slice(&text, b.as_seq().unwrap()[2].span), pad);
        assert_eq!(slice(&text, r.get("c").unwrap().span), "y");
        // And the converter agrees with char_indices for every index, in any order.
        let mut off = Offsets::new(&text);
        let table: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        for i in (0..table.len()).rev().step_by(7).chain(0..table.len()) {
            assert_eq!(off.byte(i), table[i]);
        }
        assert_eq!(off.byte(table.len()), text.len());
        assert_eq!(off.byte(table.len() + 100), text.len());
    }

    #[test]
    fn collection_spans() {
        let text = "flow: [1, {x: y}, [z]]\nmap: {a: b}\nblock:\n  - s1\n  - s2\nnested:\n  k: v\n";
        let r = root(text);
        let flow = r.get("flow").unwrap();
        assert_eq!(flow.span, span_of(text, "[1, {x: y}, [z]]"));
        let items = flow.as_seq().unwrap();
        assert_eq!(items[0].value, n("1"));
        assert_eq!(items[1].span, span_of(text, "{x: y}"));
        assert_eq!(items[2].span, span_of(text, "[z]"));
        assert_eq!(r.get("map").unwrap().span, span_of(text, "{a: b}"));
        assert_eq!(
            r.get("block").unwrap().span,
            span_between(text, "- s1", "s2")
        );
        assert_eq!(r.get("nested").unwrap().span, span_of(text, "k: v"));
        assert_eq!(r.span, span_between(text, "flow", "k: v"));
    }

    #[test]
    fn indentless_sequence_starts_at_its_dash() {
        let text = "key:\n- a\n- b\nother:\n- - c\n";
        let r = root(text);
        assert_eq!(r.get("key").unwrap().span, span_between(text, "- a", "- b"));
        let other = r.get("other").unwrap();
        assert_eq!(other.span, span_of(text, "- - c"));
        assert_eq!(
            other.as_seq().unwrap()[0].span,
            span_after(text, "other:\n- ", "- c")
        );
    }

    #[test]
    fn flow_pairs_and_complex_keys() {
        let text = "[a: b, {c: d}: e]";
        let r = root(text);
        let items = r.as_seq().unwrap();
        assert_eq!(items[0].span, span_of(text, "a: b"));
        assert_eq!(items[0].get("a").unwrap().value, s("b"));
        let complex = &items[1].as_map().unwrap()[0];
        assert_eq!(complex.key.span, span_of(text, "{c: d}"));
        assert_eq!(complex.value.span, span_of(text, "e"));
        assert_eq!(r.span, Span::new(0, text.len()));
    }

    #[test]
    fn empty_values_are_null() {
        let text = "a:\nb: ~\nc: null\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().value, Value::Null);
        assert!(r.get("a").unwrap().span.is_empty());
        assert_eq!(r.get("b").unwrap().value, Value::Null);
        assert_eq!(r.get("c").unwrap().span, span_of(text, "null"));
    }

    #[test]
    fn documents_and_empty_documents() {
        assert!(parse_ok("").roots.is_empty());
        assert!(parse_ok("# only a comment\n# another\n").roots.is_empty());
        assert!(parse_ok("---\n").roots.is_empty());
        assert!(parse_ok("---\n# comment\n...\n").roots.is_empty());
        let text = "---\n---\na: 1\n---\n--- b\n...\n--- ~\n";
        let doc = parse_ok(text);
        assert_eq!(doc.roots.len(), 3);
        assert_eq!(doc.roots[0].get("a").unwrap().value, n("1"));
        assert_eq!(doc.roots[1].value, s("b"));
        assert_eq!(doc.roots[1].span, span_of(text, "b"));
        assert_eq!(doc.roots[2].value, Value::Null);
        assert_eq!(doc.roots[2].span, span_of(text, "~"));
        let doc = parse_ok("a: 1\n---\nb: 2\n");
        assert_eq!(doc.roots.len(), 2);
        assert_eq!(doc.roots[1].get("b").unwrap().value, n("2"));
        // A quoted empty string is a document, not an empty one.
        assert_eq!(root("--- ''\n").value, s(""));
    }

    #[test]
    fn core_schema_for_plain_scalars_only() {
        let cases: &[(&str, Value)] = &[
            ("null", Value::Null),
            ("Null", Value::Null),
            ("NULL", Value::Null),
            ("~", Value::Null),
            ("true", Value::Bool(true)),
            ("True", Value::Bool(true)),
            ("TRUE", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("False", Value::Bool(false)),
            ("FALSE", Value::Bool(false)),
            ("0", n("0")),
            ("-12", n("-12")),
            ("+7", n("+7")),
            ("007", n("007")),
            ("0o17", n("0o17")),
            ("0x1F", n("0x1F")),
            ("1.5", n("1.5")),
            ("-.5", n("-.5")),
            ("1.", n("1.")),
            ("1e3", n("1e3")),
            ("6.02E+23", n("6.02E+23")),
            (".inf", n(".inf")),
            ("-.Inf", n("-.Inf")),
            ("+.INF", n("+.INF")),
            (".nan", n(".nan")),
            (".NaN", n(".NaN")),
            ("yes", s("yes")),
            ("on", s("on")),
            ("nULL", s("nULL")),
            ("tRUE", s("tRUE")),
            ("0b101", s("0b101")),
            ("0o8", s("0o8")),
            ("0x", s("0x")),
            ("1_000", s("1_000")),
            ("1e", s("1e")),
            (".", s(".")),
            ("+.nan", s("+.nan")),
            ("1.2.3", s("1.2.3")),
            ("12:30", s("12:30")),
            ("EU_WEST_1", s("EU_WEST_1")),
        ];
        for (plain, want) in cases {
            let text = format!("v: {plain}\n");
            assert_eq!(&root(&text).get("v").unwrap().value, want, "{plain}");
        }
        let text = "a: 'true'\nb: \"12\"\nc: |\n  null\nd: >\n  3\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().value, s("true"));
        assert_eq!(r.get("b").unwrap().value, s("12"));
        assert_eq!(r.get("c").unwrap().value, s("null\n"));
        assert_eq!(r.get("d").unwrap().value, s("3\n"));
        // Keys are resolved too and keep their spans.
        let r = root("1: one\ntrue: yes\n");
        let entries = r.as_map().unwrap();
        assert_eq!(entries[0].key.value, n("1"));
        assert_eq!(entries[0].key.span, Span::new(0, 1));
        assert_eq!(entries[1].key.value, Value::Bool(true));
    }

    #[test]
    fn local_tags_are_kept_without_the_bang() {
        let text = "a: !Ref MyParam\nb: !GetAtt [Res, Arn]\nc: !Sub\n  x: y\nd: !<!Ref> v\n\
                    e: !Ref\nf: !Condition true\n";
        let r = root(text);
        let a = r.get("a").unwrap();
        assert_eq!(a.tag.as_deref(), Some("Ref"));
        assert_eq!(a.value, s("MyParam"));
        assert_eq!(a.span, span_of(text, "!Ref MyParam"));
        let b = r.get("b").unwrap();
        assert_eq!(b.tag.as_deref(), Some("GetAtt"));
        assert_eq!(b.span, span_of(text, "!GetAtt [Res, Arn]"));
        assert_eq!(b.as_seq().unwrap()[1].value, s("Arn"));
        let c = r.get("c").unwrap();
        assert_eq!(c.tag.as_deref(), Some("Sub"));
        assert_eq!(c.get("x").unwrap().value, s("y"));
        assert_eq!(c.span, span_between(text, "!Sub", "x: y"));
        assert_eq!(r.get("d").unwrap().tag.as_deref(), Some("Ref"));
        let e = r.get("e").unwrap();
        assert_eq!(e.tag.as_deref(), Some("Ref"));
        assert_eq!(e.value, s(""));
        // Tagged scalars are not resolved by the core schema.
        assert_eq!(r.get("f").unwrap().value, s("true"));
    }

    #[test]
    fn unknown_double_bang_tags_are_kept_as_local_tags() {
        let text = "a: !!Ref Region\nb: !!GetAtt [P, Id]\nc: !<tag:yaml.org,2002:Sub> x\n";
        let r = root(text);
        let a = r.get("a").unwrap();
        assert_eq!(a.tag.as_deref(), Some("!Ref"));
        assert_eq!(a.value, s("Region"));
        assert_eq!(a.span, span_of(text, "!!Ref Region"));
        assert_eq!(r.get("b").unwrap().tag.as_deref(), Some("!GetAtt"));
        assert_eq!(r.get("c").unwrap().tag.as_deref(), Some("!Sub"));
    }

    #[test]
    fn standard_and_unknown_tags_never_fail() {
        let text = "%TAG !e! tag:example.com,2000:\n---\na: !!str 5\nb: !!int \"7\"\n\
                    c: !!bool yes\nd: !e!foo bar\ne: ! 12\nf: !<tag:yaml.org,2002:float> 1.5\n\
                    g: !!null x\nh: !!binary aGk=\ni: !!map {k: v}\nj: !<tag:other> z\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().value, s("5"));
        assert_eq!(r.get("a").unwrap().tag, None);
        assert_eq!(r.get("b").unwrap().value, n("7"));
        assert_eq!(r.get("c").unwrap().value, s("yes"));
        assert_eq!(r.get("d").unwrap().value, s("bar"));
        assert_eq!(r.get("d").unwrap().tag, None);
        assert_eq!(r.get("e").unwrap().value, s("12"));
        assert_eq!(r.get("f").unwrap().value, n("1.5"));
        assert_eq!(r.get("g").unwrap().value, Value::Null);
        assert_eq!(r.get("h").unwrap().value, s("aGk="));
        assert_eq!(r.get("i").unwrap().get("k").unwrap().value, s("v"));
        assert_eq!(r.get("j").unwrap().value, s("z"));
    }

    #[test]
    fn aliases_clone_the_anchored_node_with_its_span() {
        let text = "base: &b\n  x: 1\n  y: [2]\nuse: *b\nscalar: &s hello\nagain: *s\n";
        let r = root(text);
        let base = r.get("base").unwrap();
        let used = r.get("use").unwrap();
        assert_eq!(used, base);
        assert_eq!(used.span, span_between(text, "&b", "[2]"));
        let again = r.get("again").unwrap();
        assert_eq!(again.value, s("hello"));
        assert_eq!(again.span, span_of(text, "&s hello"));
    }

    #[test]
    fn unknown_and_cross_document_aliases_are_errors() {
        let text = "a: 1\nb: *nope\n";
        let e = parse_err(text, &Limits::default());
        assert!(e.message.contains("unknown anchor"), "{e:?}");
        assert_eq!(e.span.start as usize, text.find("*nope").unwrap());
        // Anchors are scoped to their document (saphyr itself would resolve this one).
        let text = "a: &x 1\n---\nb: *x\n";
        let e = parse_err(text, &Limits::default());
        assert!(e.message.contains("unknown anchor"), "{e:?}");
        assert_eq!(e.span, span_of(text, "*x"));
        let text = "a: &r [1, *r]\n";
        let e = parse_err(text, &Limits::default());
        assert!(e.message.contains("recursive"), "{e:?}");
        assert_eq!(e.span, span_of(text, "*r"));
    }

    fn billion_laughs() -> String {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        text
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let text = billion_laughs();
        let start = Instant::now();
        let e = parse_err(&text, &Limits::default());
        // Nothing is expanded before the refusal: well under a millisecond in release. The
        // bound only guards against expanding (which would not finish); see `assert_fast`.
        assert_fast(start);
        assert_eq!(
            e.message,
            "alias expansion exceeds 1000000 nodes (billion laughs?)"
        );
        assert_eq!(e.span, span_after(&text, "a6:", "*a5"));
        // With a small budget it stops much earlier.
        let limits = Limits {
            max_nodes: 1000,
            ..Limits::default()
        };
        let e = parse_err(&text, &limits);
        assert_eq!(
            e.message,
            "alias expansion exceeds 1000 nodes (billion laughs?)"
        );
        assert_eq!(e.span, span_after(&text, "a3:", "*a2"));
    }

    /// Every node of the tree, iteratively.
    fn all_nodes(root: &Node) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut todo = vec![root];
        while let Some(node) = todo.pop() {
            out.push(node);
            match &node.value {
                Value::Seq(items) => todo.extend(items.iter()),
                Value::Map(entries) => {
                    for e in entries {
                        todo.push(&e.key);
                        todo.push(&e.value);
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn assert_no_placeholders(doc: &Document) {
        for root in &doc.roots {
            for node in all_nodes(root) {
                assert!(placeholder_id(node).is_none(), "{node:?}");
            }
        }
    }

    #[test]
    fn alias_expansion_within_limits_is_complete() {
        let text: String = billion_laughs()
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join("\n");
        let doc = parse_ok(&text);
        assert_no_placeholders(&doc);
        let a3 = doc.roots[0].get("a3").unwrap();
        let leaves: Vec<&Node> = all_nodes(a3)
            .into_iter()
            .filter(|n| n.as_str() == Some("lol"))
            .collect();
        assert_eq!(leaves.len(), 9 * 9 * 9 * 9);
        let first_lol = span_of(&text, "lol");
        assert!(
            leaves.iter().all(
                |n| n.span.start >= first_lol.start && n.span.end < span_of(&text, "a1:").start
            )
        );
        // Aliases inside an anchored node, to anchors defined inside it, expand too.
        let text = "x: &x [&y {k: v}, *y]
z: [*x, *x]
w: *x
";
        let doc = parse_ok(text);
        assert_no_placeholders(&doc);
        let r = &doc.roots[0];
        let x = r.get("x").unwrap();
        assert_eq!(x.as_seq().unwrap()[1], x.as_seq().unwrap()[0]);
        assert_eq!(r.get("w").unwrap(), x);
        assert_eq!(r.get("z").unwrap().as_seq().unwrap()[1], *x);
        assert_eq!(x.as_seq().unwrap()[1].span, span_of(text, "&y {k: v}"));
    }

    #[test]
    fn alias_keys_and_nested_merges() {
        let text = "k: &k key
m:
  *k : 1
  other: 2
  *k : 3
";
        let doc = parse_ok(text);
        let m = doc.roots[0].get("m").unwrap();
        assert_eq!(keys(m), ["key", "other", "key"]);
        assert_eq!(doc.warnings.len(), 1);
        assert_eq!(doc.warnings[0].span, span_of(text, "&k key"));
        let text = "inner: &i {deep: 1}\nbase: &b {a: *i, list: [*i]}\nuse:\n  <<: *b\n  c: *i\n\
                    multi:\n  <<: [*b, {z: *i}]\n";
        let doc = parse_ok(text);
        assert_no_placeholders(&doc);
        let r = &doc.roots[0];
        let inner = r.get("inner").unwrap();
        let used = r.get("use").unwrap();
        assert_eq!(keys(used), ["a", "list", "c"]);
        assert_eq!(used.get("a").unwrap(), inner);
        assert_eq!(used.get("list").unwrap().as_seq().unwrap()[0], *inner);
        let multi = r.get("multi").unwrap();
        assert_eq!(keys(multi), ["a", "list", "z"]);
        assert_eq!(multi.get("z").unwrap(), inner);
    }

    #[test]
    fn node_count_limit_applies_without_aliases() {
        let limits = Limits {
            max_nodes: 5,
            ..Limits::default()
        };
        let e = parse_err("[1, 2, 3, 4, 5]", &limits);
        assert_eq!(e.message, "document has more than 5 nodes");
        assert_eq!(e.span, Span::new(13, 14));
        // The count is per document.
        assert_eq!(
            parse("[1, 2]\n---\n[3, 4]\n", &limits).unwrap().roots.len(),
            2
        );
    }

    #[test]
    fn alias_depth_is_checked_before_cloning() {
        let limits = Limits {
            max_depth: 4,
            ..Limits::default()
        };
        let text = "a: &d [[[1]]]\nb: [[*d]]\n";
        let e = parse_err(text, &limits);
        assert_eq!(e.message, "nesting deeper than 4 levels");
        assert_eq!(e.span, span_of(text, "*d"));
        assert!(parse("a: &d [[[1]]]\nb: *d\n", &limits).is_ok());
    }

    #[test]
    fn merge_keys() {
        let text = "base: &base\n  a: 1\n  b: 2\nother: &other\n  b: 20\n  c: 30\n\
                    one:\n  <<: *base\n  b: 3\ntwo:\n  x: 0\n  <<: [*other, *base]\n  c: 5\n";
        let doc = parse_ok(text);
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
        let r = &doc.roots[0];
        let one = r.get("one").unwrap();
        assert_eq!(keys(one), ["a", "b"]);
        assert_eq!(one.get("a").unwrap().value, n("1"));
        assert_eq!(one.get("b").unwrap().value, n("3"));
        // The merged entry points at the anchored definition.
        let a = text.find("a: 1").unwrap();
        assert_eq!(one.entry("a").unwrap().key.span, Span::new(a, a + 1));
        let two = r.get("two").unwrap();
        assert_eq!(keys(two), ["x", "b", "a", "c"]);
        assert_eq!(two.get("b").unwrap().value, n("20"));
        assert_eq!(two.get("c").unwrap().value, n("5"));
        assert_eq!(two.get("a").unwrap().value, n("1"));
        // An inline mapping merges too; a quoted "<<" is an ordinary key.
        let r = root("m:\n  <<: {k: v}\n  \"<<\": q\n");
        let m = r.get("m").unwrap();
        assert_eq!(keys(m), ["k", "<<"]);
    }

    #[test]
    fn merge_of_a_non_mapping_is_kept_with_a_warning() {
        let text = "m:\n  <<: 5\n";
        let doc = parse_ok(text);
        let m = doc.roots[0].get("m").unwrap();
        assert_eq!(keys(m), ["<<"]);
        assert_eq!(doc.warnings.len(), 1);
        assert_eq!(doc.warnings[0].span, span_of(text, "5"));
    }

    #[test]
    fn duplicate_keys_warn_and_keep_both() {
        let text = "k: 1\nj: 2\nk: 3\n";
        let doc = parse_ok(text);
        let r = &doc.roots[0];
        assert_eq!(keys(r), ["k", "j", "k"]);
        assert_eq!(r.get("k").unwrap().value, n("3"));
        assert_eq!(
            doc.warnings,
            vec![ParseWarning {
                message: "duplicate key `k`: consumers disagree on which value wins".to_string(),
                span: span_after(text, "j", "k"),
                related: Some(Span::new(0, 1)),
            }]
        );
    }

    #[test]
    fn duplicate_keys_in_large_maps_use_the_index() {
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("key{i}: {i}\n"));
        }
        text.push_str("key7: again\nkey49: again\n'key3': quoted\n3: number\n\"3\": string\n");
        let doc = parse_ok(&text);
        let spans: Vec<&str> = doc.warnings.iter().map(|w| slice(&text, w.span)).collect();
        assert_eq!(spans, ["key7", "key49", "'key3'"]);
        let related = doc.warnings[1].related.unwrap();
        assert_eq!(related, span_of(&text, "key49"));
        // 3 and "3" are different keys in YAML.
        assert_eq!(doc.warnings.len(), 3);
    }

    #[test]
    fn depth_limit_reports_the_offending_node() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        assert!(parse("[[[1]]]", &limits).is_ok());
        let e = parse_err("[[[[1]]]]", &limits);
        assert_eq!(e.message, "nesting deeper than 3 levels");
        assert_eq!(e.span, Span::new(3, 4));
        let text = "a:\n  b:\n    c:\n      d: 1\n";
        let e = parse_err(text, &limits);
        assert_eq!(e.message, "nesting deeper than 3 levels");
        assert_eq!(e.span.start as usize, text.find("d: 1").unwrap());
    }

    #[test]
    fn deep_flow_nesting_fails_fast() {
        for open in ["[", "{", "[a: ", "{a: "] {
            let text = open.repeat(100_000);
            let start = Instant::now();
            let e = parse_err(&text, &Limits::default());
            assert_fast(start);
            assert!(e.message.starts_with("nesting deeper than"), "{e:?}");
        }
        // Also when the limit is above saphyr's own cap of 255 flow levels.
        let limits = Limits {
            max_depth: 10_000,
            ..Limits::default()
        };
        let e = parse_err(&"[".repeat(100_000), &limits);
        assert_eq!(e.message, "nesting deeper than 255 levels");
        assert_eq!(e.span, Span::new(255, 256));
    }

    #[test]
    fn deep_block_nesting_fails_fast() {
        // 100,000 levels of compact block nesting on one line.
        for item in ["- ", "? ", "- ? "] {
            let text = format!("{}x\n", item.repeat(100_000));
            let start = Instant::now();
            let e = parse_err(&text, &Limits::default());
            assert_fast(start);
            assert_eq!(e.message, "nesting deeper than 256 levels", "{item}");
        }
        // Growing indentation, one level per line. 100,000 such lines would be 5 GB of text
        // (the indentation is quadratic), so 10,000 lines (50 MB) stand in for them.
        let mut text = String::new();
        for i in 0..10_000 {
            text.push_str(&" ".repeat(i));
            text.push_str("k:\n");
        }
        let start = Instant::now();
        let e = parse_err(&text, &Limits::default());
        assert_fast(start);
        assert_eq!(e.message, "nesting deeper than 256 levels");
        assert_eq!(
            e.span.start as usize,
            text.find(&format!("\n{}k", " ".repeat(256))).unwrap() + 1 + 256
        );
        let mut text = String::new();
        for i in 0..10_000 {
            text.push_str(&" ".repeat(i));
            text.push_str("-\n");
        }
        let start = Instant::now();
        assert!(parse(&text, &Limits::default()).is_err());
        assert_fast(start);
    }

    #[test]
    fn scan_errors_carry_byte_spans() {
        let text = "héllo: wörld: x\n";
        let e = parse_err(text, &Limits::default());
        assert!(
            e.message.contains("mapping values are not allowed"),
            "{e:?}"
        );
        assert_eq!(e.span, span_after(text, "wörld", ":"));
        let text = "a: [1, 2\n";
        let e = parse_err(text, &Limits::default());
        assert!(e.span.end as usize <= text.len());
        let text = "ü: \"unterminated";
        let e = parse_err(text, &Limits::default());
        assert!(e.span.start as usize <= text.len(), "{e:?}");
        assert!(e.span.end as usize <= text.len(), "{e:?}");
    }

    #[test]
    fn bom_crlf_and_tabs() {
        let text = "\u{feff}a: 1\r\nb: x\ty\r\nc: |\r\n  l1\r\n  l2\r\nd: \"tab\\there\"\r\n";
        let r = root(text);
        let a = r.entry("a").unwrap();
        assert_eq!(a.key.span, Span::new(3, 4));
        assert_eq!(a.value.span, span_of(text, "1"));
        let b = r.get("b").unwrap();
        assert_eq!(b.value, s("x\ty"));
        assert_eq!(b.span, span_of(text, "x\ty"));
        let c = r.get("c").unwrap();
        assert_eq!(c.value, s("l1\nl2\n"));
        assert_eq!(c.span, span_between(text, "|", "l2"));
        assert_eq!(r.get("d").unwrap().value, s("tab\there"));
        assert_eq!(r.get("d").unwrap().span, span_of(text, "\"tab\\there\""));
        assert_eq!(r.span, span_between(text, "a", "here\""));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let inputs = [
            "",
            "\u{feff}",
            "\u{feff}\u{feff}",
            "-",
            "- ",
            "?",
            ": ",
            "[",
            "]",
            "{",
            "}",
            "*",
            "&",
            "!",
            "&a",
            "!a",
            "*a",
            "%",
            "%YAML 1.2",
            "%YAML 1.2\n%YAML 1.2\n---",
            "...",
            "---\n...\n...",
            "|",
            ">",
            "|-",
            "|9",
            "|0",
            "a: |\n\tx",
            "\t",
            "a:\tb",
            "\"",
            "'",
            "\"\\",
            "\"\\u12",
            "[a, b",
            "{a: b",
            "a: [}",
            "- [\n- ]",
            "? a\n? b\n: c",
            ": a",
            "a: &x\nb: *x",
            "&x [*x]",
            "&x {a: *x}",
            "<<: *nope",
            "<<: [1, *",
            "a: !<",
            "!<>",
            "a: 'x\n\n",
            "key: \u{0}",
            "\r",
            "\r\n\r\n",
            "a\rb: c",
            "\u{85}",
            "\u{2028}: x",
            "---\u{feff}",
            "a: 1\n\u{feff}b: 2",
            "- &a\n- *a",
            "? - a\n  - b\n: c",
            "--- |\n  x\n--- >\n  y",
            "a: b #c\n#d\n  e: f",
            "[a, {b: [c, {d: e}]}, f]:",
        ];
        for text in inputs {
            let _ = parse(text, &Limits::default());
            let _ = parse(
                text,
                &Limits {
                    max_depth: 0,
                    max_nodes: 0,
                },
            );
        }
    }
}
