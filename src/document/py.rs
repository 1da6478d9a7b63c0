//! Python modules, read for what a program declares, not run: the same tree as
//! [`js`](super::js) gives (`imports`, `bindings`, `news`), so that one reader of programs
//! serves both.
//!
//! - `imports`: `import m as x` (namespace `x`), `import m` (namespace `m`), `from m import a, b
//!   as c` (names).
//! - `bindings`: every name assigned exactly once (`x = ...`, `x: T = ...`) and never again
//!   (not by `+=`, a `for` target, `with ... as`, `del` or a `global`), with its value.
//! - `news`: every call of a dotted name whose last part starts with a capital letter (by
//!   Python's convention, a class): `callee`, `args` (the positional arguments), `kwargs` (the
//!   keyword arguments, by name), and `binding`.
//!
//! Values: string literals (not f-strings with a `{}`, not bytes), numbers, `True`/`False`,
//! `None`, dicts with literal keys, lists and tuples. A reference (`a.b["c"][0]`) is a string
//! tagged [`REF_TAG`]; a call of a dotted name a mapping `{callee, args, kwargs}` tagged
//! [`CALL_TAG`]; a list comprehension of one name (`[f(r) for r in xs]`) a call of `map`
//! with an arrow function, as JavaScript's `xs.map((r) => f(r))` reads ([`ARROW_TAG`]);
//! anything else (operators, other comprehensions, lambdas, `*args`, `**kwargs`,
//! f-strings) its source text tagged [`EXPR_TAG`]: never a value. Never fails but on the node
//! limit; deeper than [`Limits::max_depth`] is an expression it does not read.

use std::collections::{HashMap, HashSet};

use super::code::{Import, Kind, Parser, Reader, Token};
use super::js::{ARROW_TAG, CALL_TAG, NEW_TAG, REF_TAG};

/// How deep a list may be for [`Parser::comprehension`] to read it as a comprehension.
const MAX_COMPREHENSION_DEPTH: usize = 6;
use super::{Document, Entry, Limits, Node, ParseError, Span, Value};

/// The Python grammar of a [`Parser`].
struct Py;

const PUNCTS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
];

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()
}

/// Split `text` into tokens, with a [`Kind::Newline`] at the end of each logical line.
fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let bytes_len = text.len();
    while i < bytes_len {
        let rest = text.get(i..).unwrap_or("");
        let Some(c) = rest.chars().next() else { break };
        if c == '\n' {
            if depth == 0 && out.last().is_some_and(|t| t.kind != Kind::Newline) {
                out.push(Token::new(Kind::Newline, Span::new(i, i)));
            }
            i += 1;
            continue;
        }
        if c == '\\' && (rest.starts_with("\\\n") || rest.starts_with("\\\r\n")) {
            i += if rest.starts_with("\\\r\n") { 3 } else { 2 };
            continue;
        }
        if c.is_whitespace() || c == '\u{feff}' {
            i += c.len_utf8();
            continue;
        }
        if c == '#' {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        // A string, with its prefix.
        let prefix_len = rest
            .char_indices()
            .take_while(|(_, c)| matches!(c, 'r' | 'R' | 'b' | 'B' | 'u' | 'U' | 'f' | 'F'))
            .count();
        let after_prefix = rest.get(prefix_len..).unwrap_or("");
        if prefix_len <= 2 && (after_prefix.starts_with('"') || after_prefix.starts_with('\'')) {
            let prefix = rest.get(..prefix_len).unwrap_or("").to_ascii_lowercase();
            let (len, value) = string(after_prefix, prefix.contains('r'));
            let end = i + prefix_len + len;
            let decoded = if prefix.contains('b') {
                None
            } else if prefix.contains('f') {
                value.filter(|v| !v.contains('{') && !v.contains('}'))
            } else {
                value
            };
            out.push(Token {
                decoded,
                ..Token::new(Kind::Str, Span::new(i, end))
            });
            i = end;
            continue;
        }
        let (kind, len) = if is_ident_start(c) {
            let len = rest
                .char_indices()
                .find(|&(_, c)| !(is_ident_start(c) || c.is_ascii_digit()))
                .map_or(rest.len(), |(j, _)| j);
            (Kind::Ident, len)
        } else if c.is_ascii_digit()
            || (c == '.' && rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
        {
            let mut len = 0;
            let mut prev = ' ';
            for (j, ch) in rest.char_indices() {
                let sign = (ch == '+' || ch == '-') && (prev == 'e' || prev == 'E');
                if !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' || sign) {
                    break;
                }
                len = j + ch.len_utf8();
                prev = ch;
            }
            (Kind::Num, len)
        } else {
            let len = PUNCTS
                .iter()
                .find(|p| rest.starts_with(**p))
                .map_or(c.len_utf8(), |p| p.len());
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            (Kind::Punct, len)
        };
        out.push(Token::new(kind, Span::new(i, i + len)));
        i += len.max(1);
    }
    if out.last().is_some_and(|t| t.kind != Kind::Newline) {
        out.push(Token::new(Kind::Newline, Span::new(text.len(), text.len())));
    }
    out
}

/// A string from its opening quote (single or triple): its length and its value. One that
/// does not close ends at the line's end (single) or the text's (triple).
fn string(s: &str, raw: bool) -> (usize, Option<String>) {
    let quote = if s.starts_with('"') { '"' } else { '\'' };
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let long = s.starts_with(&triple);
    let open = if long { 3 } else { 1 };
    let body = s.get(open..).unwrap_or("");
    let mut value = String::new();
    let mut it = body.char_indices().peekable();
    while let Some((j, c)) = it.next() {
        if long && body.get(j..).is_some_and(|r| r.starts_with(&triple)) {
            return (open + j + 3, Some(value));
        }
        if !long && c == quote {
            return (open + j + 1, Some(value));
        }
        if !long && c == '\n' {
            return (open + j, Some(value));
        }
        if c == '\\' {
            let Some((_, e)) = it.next() else { break };
            if raw {
                value.push('\\');
                value.push(e);
                continue;
            }
            match e {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                '0' => value.push('\0'),
                '\n' => {}
                other => value.push(other),
            }
            continue;
        }
        value.push(c);
    }
    (s.len(), Some(value))
}

impl Parser<'_, Py> {
    /// The end of the expression at `i`: the first `,`, `:`, `=` (of a keyword argument),
    /// closing bracket or line end outside brackets.
    fn skip_expr(&self, mut i: usize) -> usize {
        while let Some(t) = self.tok(i) {
            if t.kind == Kind::Newline {
                return i;
            }
            if t.kind == Kind::Punct {
                match self.src(t.span) {
                    "(" | "[" | "{" => {
                        i = self.past_group(i);
                        continue;
                    }
                    ")" | "]" | "}" | "," | ":" | "=" | ";" => return i,
                    _ => {}
                }
            }
            i += 1;
        }
        i
    }

    fn at_end(&self, i: usize) -> bool {
        match self.tok(i) {
            None => true,
            Some(t) if t.kind == Kind::Newline => true,
            Some(t) if t.kind == Kind::Punct => {
                matches!(self.src(t.span), "," | ":" | ")" | "]" | "}" | ";" | "=")
            }
            _ => false,
        }
    }

    fn expr(&mut self, i: usize, depth: usize) -> (Node, usize) {
        if depth >= self.limits.max_depth || self.nodes >= self.limits.max_nodes {
            let end = self.skip_expr(i);
            return self.other(i, end);
        }
        if let Some((node, next)) = self.operand(i, depth) {
            if self.at_end(next) && !self.is(next, "=") {
                return (node, next);
            }
        }
        let end = self.skip_expr(i);
        self.other(i, end)
    }

    fn operand(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let t = self.tok(i)?.clone();
        let s = self.src(t.span);
        match t.kind {
            Kind::Str => {
                // Adjacent literals are one string.
                let mut value = t.decoded.clone()?;
                let mut next = i + 1;
                while let Some(n) = self.tok(next).filter(|n| n.kind == Kind::Str) {
                    value.push_str(n.decoded.as_deref()?);
                    next += 1;
                }
                let span = Span {
                    start: t.span.start,
                    end: self.span(next - 1).end,
                };
                Some((self.node(Value::String(value.into()), span, None), next))
            }
            Kind::Num => Some((self.node(Value::Number(s.into()), t.span, None), i + 1)),
            Kind::Punct if s == "-" && self.tok(i + 1).is_some_and(|n| n.kind == Kind::Num) => {
                let span = Span {
                    start: t.span.start,
                    end: self.span(i + 1).end,
                };
                let text = self.src(span).to_string();
                Some((self.node(Value::Number(text.into()), span, None), i + 2))
            }
            Kind::Punct if s == "{" => self.dict(i, depth),
            Kind::Punct if s == "[" => self
                .comprehension(i, depth)
                .or_else(|| self.list(i, "]", depth)),
            Kind::Punct if s == "(" => {
                // A parenthesised value, or a tuple: its first item read once (reading it
                // again as the tuple's made each level of nested tuples double the work).
                let (first, next) = self.expr(i + 1, depth + 1);
                if self.is(next, ")") {
                    return Some((first, next + 1));
                }
                self.list_from(i, ")", depth, Some((first, next)))
            }
            Kind::Ident => match s {
                "True" | "False" => {
                    Some((self.node(Value::Bool(s == "True"), t.span, None), i + 1))
                }
                "None" => Some((self.node(Value::Null, t.span, None), i + 1)),
                "lambda" | "not" | "await" | "yield" | "if" | "for" | "in" | "is" | "and"
                | "or" => None,
                _ => self.reference(i, depth),
            },
            _ => None,
        }
    }

    fn reference(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let (path, next) = self.path(i)?;
        let path_span = Span {
            start: self.span(i).start,
            end: self.span(next - 1).end,
        };
        if !self.is(next, "(") {
            return Some((
                self.node(Value::String(path.into()), path_span, Some(REF_TAG)),
                next,
            ));
        }
        let (args, kwargs, end) = self.args(next, depth)?;
        let span = Span {
            start: path_span.start,
            end: self.span(end - 1).end,
        };
        let callee = self.node(Value::String(path.into()), path_span, None);
        let args = self.node(Value::Seq(args), span, None);
        let kwargs = self.node(Value::Map(kwargs), span, None);
        let entries = vec![
            self.entry("callee", callee),
            self.entry("args", args),
            self.entry("kwargs", kwargs),
        ];
        Some((self.node(Value::Map(entries), span, Some(CALL_TAG)), end))
    }

    /// A call's arguments from its `(`: positional, keyword, and the index after the `)`.
    /// `*args` and `**kwargs` make the call unreadable.
    fn args(&mut self, i: usize, depth: usize) -> Option<(Vec<Node>, Vec<Entry>, usize)> {
        let (mut args, mut kwargs) = (Vec::new(), Vec::new());
        let mut next = i + 1;
        loop {
            if self.is(next, ")") {
                return Some((args, kwargs, next + 1));
            }
            let t = self.tok(next)?;
            if t.kind == Kind::Newline || self.is(next, "*") || self.is(next, "**") {
                return None;
            }
            if self.ident(next).is_some() && self.is(next + 1, "=") {
                let key_span = self.span(next);
                let name = self.src(key_span).to_string();
                let (value, after) = self.expr(next + 2, depth + 1);
                let key = self.node(Value::String(name.into()), key_span, None);
                kwargs.push(Entry { key, value });
                next = after;
            } else {
                let (value, after) = self.expr(next, depth + 1);
                args.push(value);
                next = after;
            }
            next = self.after_item(next, ")")?;
        }
    }

    fn dict(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let mut entries = Vec::new();
        let mut next = i + 1;
        let mut readable = true;
        loop {
            if self.is(next, "}") {
                break;
            }
            let t = self.tok(next)?.clone();
            if t.kind == Kind::Newline {
                return None;
            }
            match (t.kind, t.decoded.clone()) {
                (Kind::Str, Some(k)) if self.is(next + 1, ":") => {
                    let key = self.node(Value::String(k.into()), t.span, None);
                    let (value, after) = self.expr(next + 2, depth + 1);
                    entries.push(Entry { key, value });
                    next = after;
                }
                _ => {
                    readable = false;
                    next = self.skip_expr(next);
                    if self.is(next, ":") {
                        next = self.skip_expr(next + 1);
                    }
                }
            }
            next = self.after_item(next, "}")?;
        }
        Some(self.bracketed(i, next, Value::Map(entries), readable))
    }

    /// A list comprehension of one name over a list written out or a name (`[{"region_name":
    /// r} for r in REGIONS]`), read as JavaScript's `REGIONS.map((r) => ...)` is: a call of
    /// `map` (on the name, or with the list as its `receiver`) with one arrow function
    /// ([`ARROW_TAG`]). `None` for any other comprehension (a condition, several `for`s,
    /// several names) and any other list.
    fn comprehension(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        // Tried before the list is read as one: a comprehension that fails late is read
        // again as a list, so only the first levels try (nested ones would double the work
        // at each level).
        if depth > MAX_COMPREHENSION_DEPTH {
            return None;
        }
        let close = self.past_group(i).checked_sub(1)?;
        // The `for`s and `if`s at the list's own level.
        let mut words = Vec::new();
        let mut k = i + 1;
        while k < close {
            if matches!(self.ident(k), Some("for" | "if" | "async")) {
                words.push(k);
            }
            k = if self.is(k, "(") || self.is(k, "[") || self.is(k, "{") {
                self.past_group(k)
            } else {
                k + 1
            };
        }
        let [f] = words[..] else {
            return None;
        };
        if self.ident(f) != Some("for") || self.ident(f + 2) != Some("in") {
            return None;
        }
        let name_tok = self.tok(f + 1)?.clone();
        let name = self.ident(f + 1)?;
        let (body, after) = self.operand(i + 1, depth + 1)?;
        if after != f {
            return None;
        }
        let (iter, end) = self.operand(f + 3, depth + 1)?;
        if end != close {
            return None;
        }
        let callee_span = iter.span;
        let (callee, receiver) = match iter.tag.as_deref() {
            Some(REF_TAG) => {
                let path = iter.as_str()?;
                if path.contains(['.', '[']) {
                    return None;
                }
                (format!("{path}.map"), None)
            }
            None if iter.as_seq().is_some() => ("map".to_string(), Some(iter)),
            _ => return None,
        };
        let span = self.between(i, close);
        let param = self.node(Value::String(name.into()), name_tok.span, None);
        let params = self.node(Value::Seq(vec![param]), name_tok.span, None);
        let arrow_entries = vec![self.entry("params", params), self.entry("body", body)];
        let arrow = self.node(Value::Map(arrow_entries), span, Some(ARROW_TAG));
        let callee = self.node(Value::String(callee.into()), callee_span, None);
        let args = self.node(Value::Seq(vec![arrow]), span, None);
        let mut entries = vec![self.entry("callee", callee), self.entry("args", args)];
        if let Some(receiver) = receiver {
            entries.push(self.entry("receiver", receiver));
        }
        Some((
            self.node(Value::Map(entries), span, Some(CALL_TAG)),
            close + 1,
        ))
    }

    fn list(&mut self, i: usize, close: &str, depth: usize) -> Option<(Node, usize)> {
        self.list_from(i, close, depth, None)
    }

    /// [`Self::list`], its first item (and the index after it) already read when given.
    fn list_from(
        &mut self,
        i: usize,
        close: &str,
        depth: usize,
        mut first: Option<(Node, usize)>,
    ) -> Option<(Node, usize)> {
        let mut items = Vec::new();
        let mut next = i + 1;
        let mut readable = true;
        loop {
            if self.is(next, close) {
                break;
            }
            let t = self.tok(next)?;
            if t.kind == Kind::Newline {
                return None;
            }
            if self.is(next, "*") || self.is(next, "**") {
                readable = false;
            }
            let (item, after) = match first.take() {
                Some(read) => read,
                None => self.expr(next, depth + 1),
            };
            // A comprehension (`[s for s in xs]`): not a list of values. A `for` of this
            // item's own level: nested groups are stepped over whole (scanning into them
            // made unclosed nested brackets cost the rest of the file per level).
            let mut k = next;
            while k < after {
                if self.ident(k) == Some("for") {
                    readable = false;
                    break;
                }
                k = if self.is(k, "(") || self.is(k, "[") || self.is(k, "{") {
                    self.past_group(k)
                } else {
                    k + 1
                };
            }
            items.push(item);
            next = after;
            if self.is(next, ",") {
                next += 1;
            } else if !self.is(next, close) {
                // A comprehension or anything else: read past it.
                readable = false;
                next = self.skip_expr(next);
                if !self.is(next, close) {
                    return None;
                }
            }
        }
        Some(self.bracketed(i, next, Value::Seq(items), readable))
    }

    /// A dotted module name from `i`, and the index after it.
    fn module_name(&self, i: usize) -> Option<(String, Span, usize)> {
        let (path, next) = self.path(i)?;
        let span = Span {
            start: self.span(i).start,
            end: self.span(next - 1).end,
        };
        Some((path, span, next))
    }
}

/// Where the string literals of a module are (docstrings too): text there is no comment,
/// whatever it says.
pub fn strings(text: &str) -> Vec<Span> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind == Kind::Str)
        .map(|t| t.span)
        .collect()
}

/// Read a Python module (see the module's documentation).
pub fn parse(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    let toks = tokenize(text);
    let mut p: Parser<'_, Py> = Parser::new(Reader::new(text, toks, limits));
    if let Some(e) = p.unclosed() {
        return Err(e);
    }
    let mut imports: Vec<Import> = Vec::new();
    let mut assigned: HashMap<String, usize> = HashMap::new();
    let mut order: Vec<(String, Span, Node)> = Vec::new();
    let mut news: Vec<Node> = Vec::new();
    let mut bound_calls: HashMap<u32, (String, Span)> = HashMap::new();
    let mut seen_calls: HashSet<u32> = HashSet::new();
    let mut i = 0;
    let mut line_start = true;
    let mut brackets = 0usize;
    let mut shadowed: HashSet<String> = HashSet::new();
    while i < p.toks.len() {
        if let Some(e) = p.over_limit(i) {
            return Err(e);
        }
        let Some(t) = p.tok(i).cloned() else { break };
        if t.kind == Kind::Newline || p.is(i, ";") {
            line_start = true;
            i += 1;
            continue;
        }
        let at_start = std::mem::replace(&mut line_start, false);
        let word = p.ident(i);
        match p.tok(i).map(|t| p.src(t.span)) {
            Some("(" | "[" | "{") => brackets += 1,
            Some(")" | "]" | "}") => brackets = brackets.saturating_sub(1),
            _ => {}
        }
        // A function's parameters (`def f(a, b=1)`, `lambda a, b:`): their uses may be theirs.
        if word == Some("def") && p.is(i + 2, "(") {
            let end = p.past_group(i + 2);
            shadowed.extend((i + 3..end).filter_map(|k| p.ident(k)).map(str::to_string));
        } else if word == Some("lambda") {
            let end = (i + 1..p.toks.len())
                .find(|&k| p.is(k, ":"))
                .unwrap_or(i + 1);
            shadowed.extend((i + 1..end).filter_map(|k| p.ident(k)).map(str::to_string));
        }
        if at_start && word == Some("import") {
            let mut next = i + 1;
            while let Some((module, span, after)) = p.module_name(next) {
                let (local, local_span, after) = if p.ident(after) == Some("as") {
                    match p.ident(after + 1) {
                        Some(l) => (l.to_string(), p.span(after + 1), after + 2),
                        None => break,
                    }
                } else {
                    (module.clone(), span, after)
                };
                imports.push(Import {
                    module: (module, span),
                    namespace: Some((local, local_span)),
                    names: Vec::new(),
                });
                next = after;
                if !p.is(next, ",") {
                    break;
                }
                next += 1;
            }
            i = next;
            continue;
        }
        if at_start && word == Some("from") {
            if let Some((module, span, after)) = p.module_name(i + 1) {
                if p.ident(after) == Some("import") {
                    let mut next = after + 1;
                    let paren = p.is(next, "(");
                    if paren {
                        next += 1;
                    }
                    let mut names = Vec::new();
                    while let Some(name) = p.ident(next) {
                        let (local, local_span, after) = if p.ident(next + 1) == Some("as") {
                            match p.ident(next + 2) {
                                Some(l) => (l.to_string(), p.span(next + 2), next + 3),
                                None => break,
                            }
                        } else {
                            (name.to_string(), p.span(next), next + 1)
                        };
                        names.push((local, local_span, name.to_string()));
                        next = after;
                        if !p.is(next, ",") {
                            break;
                        }
                        next += 1;
                    }
                    imports.push(Import {
                        module: (module, span),
                        namespace: None,
                        names,
                    });
                    i = next;
                    continue;
                }
            }
        }
        if let Some(name) = word {
            // `x = ...`, `x: T = ...`; `x += ...`; `for x in`, `as x`, `global x`, `del x`.
            let next = p.tok(i + 1).map(|t| p.src(t.span)).unwrap_or("");
            let declares = at_start && (next == "=" || next == ":");
            // Outside brackets: `x = y = 1`, `if c: x = 1`, `a, x = ...`, `*x, = ...`,
            // `for i, x in ...`.
            let target = brackets == 0
                && !at_start
                && (next == "="
                    || next == ","
                    || next == "in"
                    || i.checked_sub(1).is_some_and(|b| p.is(b, "*")));
            let rebinds = next.len() >= 2
                && next.ends_with('=')
                && !matches!(next, "==" | "!=" | "<=" | ">=")
                || target
                || (at_start && next == ",")
                || i.checked_sub(1).is_some_and(|b| {
                    matches!(
                        p.ident(b),
                        Some("for" | "as" | "global" | "nonlocal" | "del")
                    )
                });
            // Not at the top level (in a function, a class, a block): not a module binding.
            let indented = p
                .span(i)
                .start
                .checked_sub(1)
                .and_then(|b| text.as_bytes().get(b as usize))
                .is_some_and(|b| *b != b'\n');
            if declares && indented {
                shadowed.insert(name.to_string());
            }
            if declares {
                let mut at = i + 1;
                if next == ":" {
                    at = p.skip_expr(i + 2);
                }
                if p.is(at, "=") {
                    *assigned.entry(name.to_string()).or_default() += 1;
                    let (mut value, after) = p.expr(at + 1, 0);
                    if value.tag.as_deref() == Some(CALL_TAG) {
                        let callee = value.get("callee").and_then(Node::as_str).unwrap_or("");
                        let last = callee.rsplit('.').next().unwrap_or("");
                        if last.starts_with(|c: char| c.is_ascii_uppercase()) {
                            value.tag = Some(arcstr::literal!(NEW_TAG));
                            bound_calls.insert(value.span.start, (name.to_string(), p.span(i)));
                        }
                    }
                    order.push((name.to_string(), p.span(i), value));
                    // Calls inside the value are found below, token by token.
                    let _ = after;
                }
            } else if rebinds {
                *assigned.entry(name.to_string()).or_default() += 2;
            }
            // A part of it assigned (`x.a = ...`, `x["a"] = ...`) or a dict updated
            // (`x.update(...)`): its value is not the one bound. Only from the start of a
            // chain, and a bounded look ahead, so that long chains cost linear time.
            let chain_start = !i.checked_sub(1).is_some_and(|b| p.is(b, "."));
            let update = p.is(i + 1, ".") && p.ident(i + 2) == Some("update") && p.is(i + 3, "(");
            if chain_start
                && (update
                    || ((p.is(i + 1, ".") || p.is(i + 1, "[")) && p.member_assigned(i + 1, false)))
            {
                *assigned.entry(name.to_string()).or_default() += 2;
            }
            // A call of a class: `Name(...)`, `a.b.Name(...)`.
            let after_dot = i.checked_sub(1).is_some_and(|b| p.is(b, "."));
            if !after_dot {
                if let Some((path, end)) = p.path(i) {
                    let last = path.rsplit('.').next().unwrap_or("");
                    let class = last.starts_with(|c: char| c.is_ascii_uppercase());
                    if class && p.is(end, "(") && seen_calls.insert(p.span(i).start) {
                        if let Some((mut node, _)) = p.reference(i, 0) {
                            if let (Some((n, s)), Value::Map(entries)) =
                                (bound_calls.get(&node.span.start), &mut node.value)
                            {
                                let (n, s) = (n.clone(), *s);
                                let binding = p.node(Value::String(n.into()), s, None);
                                let e = p.entry("binding", binding);
                                entries.push(e);
                            }
                            node.tag = None;
                            news.push(node);
                        }
                    }
                }
            }
        }
        i += 1;
    }
    let bindings = order
        .into_iter()
        .filter(|(name, _, _)| assigned.get(name) == Some(&1) && !shadowed.contains(name))
        .collect();
    Ok(p.into_reader().finish(imports, bindings, news))
}

#[cfg(test)]
mod tests;
