//! What the readers of programs' code ([`js`](super::js), [`py`](super::py)) share: their
//! tokens, the reader over them (literals' nodes, references, expressions not read), and the
//! tree both give: `imports`, `bindings`, `news` (see [`js`](super::js)).

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use super::{Document, EXPR_TAG, Entry, Limits, LineIndex, Node, ParseError, Span, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Ident,
    /// A string literal (`decoded` is `None` when it is not a plain value: a template with
    /// substitutions, an f-string with `{}`, bytes).
    Str,
    Num,
    Punct,
    /// JavaScript's regular expression literals.
    Regex,
    /// Python's end of a logical line.
    Newline,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) span: Span,
    /// A string's value.
    pub(super) decoded: Option<String>,
    /// Whether a line break comes between this token and the one before (JavaScript's).
    pub(super) newline_before: bool,
}

impl Token {
    pub(super) fn new(kind: Kind, span: Span) -> Token {
        Token {
            kind,
            span,
            decoded: None,
            newline_before: false,
        }
    }
}

/// The tokens of a text and the nodes made of them (counted against the limits).
pub(super) struct Reader<'t> {
    pub(super) text: &'t str,
    pub(super) toks: Vec<Token>,
    pub(super) limits: &'t Limits,
    pub(super) nodes: usize,
    /// For each opening bracket, the index of its closing one (`None`: it never closes), so
    /// that reading past a group costs one step whatever it holds.
    closes: Vec<Option<usize>>,
}

impl<'t> Reader<'t> {
    pub(super) fn new(text: &'t str, toks: Vec<Token>, limits: &'t Limits) -> Reader<'t> {
        let mut closes = vec![None; toks.len()];
        let mut open: Vec<(usize, char)> = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            if t.kind != Kind::Punct {
                continue;
            }
            let s = text
                .get(t.span.start as usize..t.span.end as usize)
                .unwrap_or("");
            match s {
                "(" => open.push((i, ')')),
                "[" => open.push((i, ']')),
                "{" => open.push((i, '}')),
                ")" | "]" | "}" => {
                    // A closing bracket closes the nearest group it matches (the ones it
                    // skips never close).
                    let c = s.chars().next().unwrap_or(')');
                    if let Some(at) = open.iter().rposition(|(_, want)| *want == c) {
                        if let Some((o, _)) = open.get(at).copied() {
                            if let Some(slot) = closes.get_mut(o) {
                                *slot = Some(i);
                            }
                        }
                        open.truncate(at);
                    }
                }
                _ => {}
            }
        }
        Reader {
            text,
            toks,
            limits,
            nodes: 0,
            closes,
        }
    }

    /// Whether the member chain from token `j` (after a name: `.a`, `["b"]`) ends in an
    /// assignment (`=`, `+=`, ...; with `increments`, also `++` and `--`): a part of the
    /// name's value changed. At most [`MEMBER_LOOKAHEAD`] steps, each group in one.
    pub(super) fn member_assigned(&self, mut j: usize, increments: bool) -> bool {
        let end = j.saturating_add(MEMBER_LOOKAHEAD);
        while j < end {
            if self.is(j, ".") && self.ident(j + 1).is_some() {
                j += 2;
            } else if self.is(j, "[") {
                j = self.past_group(j);
            } else {
                break;
            }
        }
        let op = self.tok(j).map(|t| self.src(t.span)).unwrap_or("");
        (op.ends_with('=') && !matches!(op, "==" | "===" | "!=" | "!==" | "<=" | ">=" | "=>"))
            || (increments && matches!(op, "++" | "--"))
    }

    /// Past the bracketed group that opens at `i`: the index after its closing bracket, or
    /// the end of the tokens when it never closes.
    pub(super) fn past_group(&self, i: usize) -> usize {
        match self.closes.get(i).copied().flatten() {
            Some(close) => close + 1,
            None => self.toks.len(),
        }
    }

    pub(super) fn tok(&self, i: usize) -> Option<&Token> {
        self.toks.get(i)
    }

    pub(super) fn src(&self, span: Span) -> &'t str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Whether the token at `i` (not a string) is written `s`.
    pub(super) fn is(&self, i: usize, s: &str) -> bool {
        self.tok(i)
            .is_some_and(|t| t.kind != Kind::Str && self.src(t.span) == s)
    }

    pub(super) fn ident(&self, i: usize) -> Option<&'t str> {
        self.tok(i)
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| self.src(t.span))
    }

    /// The span of the token at `i` (the end of the text past the last).
    pub(super) fn span(&self, i: usize) -> Span {
        self.tok(i)
            .map_or_else(|| Span::new(self.text.len(), self.text.len()), |t| t.span)
    }

    /// From the start of the token at `from` to the end of the one at `to`.
    pub(super) fn between(&self, from: usize, to: usize) -> Span {
        Span {
            start: self.span(from).start,
            end: self.span(to).end,
        }
    }

    pub(super) fn node(&mut self, value: Value, span: Span, tag: Option<&str>) -> Node {
        self.nodes += 1;
        Node {
            value,
            span,
            tag: tag.map(arcstr::ArcStr::from),
        }
    }

    pub(super) fn string(&mut self, s: &str, span: Span) -> Node {
        self.node(Value::String(s.into()), span, None)
    }

    /// A mapping entry named `key` (spanning its value).
    pub(super) fn entry(&mut self, key: &str, value: Node) -> Entry {
        let span = value.span;
        Entry {
            key: self.string(key, span),
            value,
        }
    }

    /// An expression that is not read (tokens `start..end`): its source text, tagged.
    pub(super) fn other(&mut self, start: usize, end: usize) -> (Node, usize) {
        let end = end.max(start);
        let span = if end > start {
            self.between(start, end - 1)
        } else {
            let s = self.span(start).start;
            Span { start: s, end: s }
        };
        // Its text is the span's (never a value): not copied, which a file of unclosed
        // expressions would pay for again and again.
        (
            self.node(Value::String("".into()), span, Some(EXPR_TAG)),
            end,
        )
    }

    /// A dotted name from `i` (`a.b["c"][0]`, `a?.b`): its path as written and the index after
    /// it.
    pub(super) fn path(&self, i: usize) -> Option<(String, usize)> {
        let mut path = self.ident(i)?.to_string();
        let mut next = i + 1;
        loop {
            if (self.is(next, ".") || self.is(next, "?.")) && self.ident(next + 1).is_some() {
                path.push('.');
                path.push_str(self.ident(next + 1).unwrap_or(""));
                next += 2;
            } else if self.is(next, "[") && self.is(next + 2, "]") {
                let t = self.tok(next + 1)?;
                match t.kind {
                    Kind::Num => path.push_str(&format!("[{}]", self.src(t.span))),
                    Kind::Str => path.push_str(&format!("[{:?}]", t.decoded.as_deref()?)),
                    _ => return Some((path, next)),
                }
                next += 3;
            } else {
                return Some((path, next));
            }
        }
    }

    /// After an item of a bracketed list, at `next`: the index of the next item (after a
    /// `,`), `next` itself when the list closes there (`close`), `None` otherwise.
    pub(super) fn after_item(&self, next: usize, close: &str) -> Option<usize> {
        if self.is(next, ",") {
            Some(next + 1)
        } else {
            self.is(next, close).then_some(next)
        }
    }

    /// A bracketed literal from its opening token `open` to its closing one `close`: `value`,
    /// or the source text not read when it is not `readable` (a spread, a comprehension, a
    /// computed key); and the index after it.
    pub(super) fn bracketed(
        &mut self,
        open: usize,
        close: usize,
        value: Value,
        readable: bool,
    ) -> (Node, usize) {
        if !readable {
            return self.other(open, close + 1);
        }
        let span = self.between(open, close);
        (self.node(value, span, None), close + 1)
    }

    /// A string literal at `i`: its value and span.
    pub(super) fn string_at(&self, i: usize) -> Option<(String, Span)> {
        let t = self.tok(i).filter(|t| t.kind == Kind::Str)?;
        Some((t.decoded.clone()?, t.span))
    }

    /// The first bracket (`{`, `(` or `[`, outside strings, comments and regular expressions)
    /// that is never closed, as an error: the program is not valid code, and what follows it
    /// would be read as part of it (its resources unseen, and the file passed in silence).
    pub(super) fn unclosed(&self) -> Option<ParseError> {
        let mut open: Vec<usize> = Vec::new();
        for (i, t) in self.toks.iter().enumerate() {
            if t.kind != Kind::Punct {
                continue;
            }
            match self.src(t.span) {
                "{" | "(" | "[" => open.push(i),
                "}" | ")" | "]" => {
                    open.pop();
                }
                _ => {}
            }
        }
        let span = self.span(*open.first()?);
        // Counted as findings are (only on this error's path: the index is a pass of its own).
        let at = LineIndex::new(self.text).line_col(self.text, span.start);
        Some(ParseError {
            message: format!(
                "the `{}` at line {}, column {} is never closed: this is not valid code",
                self.src(span),
                at.line,
                at.column
            ),
            span,
        })
    }

    /// The error when the node limit is reached at `i`.
    pub(super) fn over_limit(&self, i: usize) -> Option<ParseError> {
        (self.nodes >= self.limits.max_nodes).then(|| ParseError {
            message: format!("more than {} values", self.limits.max_nodes),
            span: self.span(i),
        })
    }

    /// The module's tree: its imports, the names it binds once (name, where, value), and its
    /// `new` expressions.
    pub(super) fn finish(
        mut self,
        imports: Vec<Import>,
        bindings: Vec<(String, Span, Node)>,
        news: Vec<Node>,
    ) -> Document {
        let whole = Span::new(0, self.text.len());
        let imports: Vec<Node> = imports
            .into_iter()
            .map(|import| {
                let mut entries = Vec::new();
                let module = self.string(&import.module.0, import.module.1);
                entries.push(self.entry("module", module));
                if let Some((name, span)) = import.namespace {
                    let ns = self.string(&name, span);
                    entries.push(self.entry("namespace", ns));
                }
                let names: Vec<Entry> = import
                    .names
                    .into_iter()
                    .map(|(local, span, imported)| Entry {
                        key: self.string(&local, span),
                        value: self.string(&imported, span),
                    })
                    .collect();
                let names = self.node(Value::Map(names), whole, None);
                entries.push(self.entry("names", names));
                self.node(Value::Map(entries), whole, None)
            })
            .collect();
        let uses = self.uses(&bindings);
        let bindings: Vec<Entry> = bindings
            .into_iter()
            .map(|(name, span, value)| Entry {
                key: self.string(&name, span),
                value,
            })
            .collect();
        let mut entries = Vec::new();
        for (key, value) in [
            ("imports", Value::Seq(imports)),
            ("bindings", Value::Map(bindings)),
            ("news", Value::Seq(news)),
            ("uses", Value::Map(uses)),
        ] {
            let value = self.node(value, whole, None);
            entries.push(self.entry(key, value));
        }
        Document {
            roots: vec![Node::new(Value::Map(entries), whole)],
            warnings: Vec::new(),
            aliased: Vec::new(),
        }
    }
}

impl Reader<'_> {
    /// Where each bound name is used: every word spelling it but its declaration, a property
    /// (`x.name`), an object key (`{name: 1}`) and a keyword argument (`f(name=1)`). A name
    /// shadowed somewhere (a parameter) counts there too: uses are for telling whether a
    /// value is used beyond what is read, so more is safe.
    fn uses(&mut self, bindings: &[(String, Span, Node)]) -> Vec<Entry> {
        let mut found: std::collections::HashMap<&str, Vec<Span>> = bindings
            .iter()
            .map(|(name, _, _)| (name.as_str(), Vec::new()))
            .collect();
        let declared: std::collections::HashSet<Span> =
            bindings.iter().map(|(_, span, _)| *span).collect();
        for (i, t) in self.toks.iter().enumerate() {
            // A template or f-string with substitutions: a name written in it as a word.
            if t.kind == Kind::Str && t.decoded.is_none() {
                let src = self.src(t.span);
                let words = src.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'));
                for word in words.filter(|w| !w.is_empty()) {
                    if let Some(spans) = found.get_mut(word) {
                        if spans.last() != Some(&t.span) {
                            spans.push(t.span);
                        }
                    }
                }
                continue;
            }
            if t.kind != Kind::Ident || declared.contains(&t.span) {
                continue;
            }
            let Some(spans) = found.get_mut(self.src(t.span)) else {
                continue;
            };
            let before = i.checked_sub(1).map_or("", |b| self.src(self.span(b)));
            let after = self.src(self.span(i + 1));
            let member = before == "." || before == "?.";
            let key = matches!(before, "{" | "," | "(") && matches!(after, ":" | "=");
            if !member && !key {
                spans.push(t.span);
            }
        }
        let mut out = Vec::new();
        for (name, _, _) in bindings {
            let spans = found.remove(name.as_str()).unwrap_or_default();
            let nodes = spans
                .into_iter()
                .map(|s| self.node(Value::Null, s, None))
                .collect();
            let key = self.string(name, Span::new(0, 0));
            let value = self.node(Value::Seq(nodes), Span::new(0, 0), None);
            out.push(Entry { key, value });
        }
        out
    }
}

/// A name an import brings: the local name, where it is written, and the imported name.
pub(super) type Named = (String, Span, String);

/// One import: the module (and where it is named), its namespace's local name, and the names
/// it brings.
pub(super) struct Import {
    pub(super) module: (String, Span),
    pub(super) namespace: Option<(String, Span)>,
    pub(super) names: Vec<Named>,
}

/// A language's parser: a [`Reader`] with the grammar of the language `L` (a marker type)
/// on top, in that language's module.
pub(super) struct Parser<'t, L> {
    reader: Reader<'t>,
    language: PhantomData<L>,
}

impl<'t, L> Parser<'t, L> {
    pub(super) fn new(reader: Reader<'t>) -> Parser<'t, L> {
        Parser {
            reader,
            language: PhantomData,
        }
    }

    pub(super) fn into_reader(self) -> Reader<'t> {
        self.reader
    }
}

impl<'t, L> Deref for Parser<'t, L> {
    type Target = Reader<'t>;
    fn deref(&self) -> &Reader<'t> {
        &self.reader
    }
}

impl<L> DerefMut for Parser<'_, L> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.reader
    }
}

/// Member-chain steps [`Reader::member_assigned`] follows at most (`x.a["b"].c = ...`).
const MEMBER_LOOKAHEAD: usize = 64;
