//! JavaScript and TypeScript modules, read for what a program declares, not run: its imports,
//! the names it binds once, and its `new` expressions, each with the literal values it passes
//! (objects, arrays, strings, numbers), every node with its byte span.
//!
//! Nothing here knows what a program is for. The tree a module gives ([`parse`]) is a mapping:
//!
//! - `imports`: one mapping per import of a module (`import * as x from "m"`, `import x from
//!   "m"`, `import { a, b as c } from "m"`, `import x = require("m")`, `const x = require("m")`,
//!   `const { a, b: c } = require("m")`): `module` (the specifier), `namespace` (the local name
//!   of the whole module, when there is one) and `names` (local name: imported name).
//! - `bindings`: every name a `const`, `let` or `var` declares exactly once and nothing assigns
//!   again, with its initial value.
//! - `news`: every `new` expression: `callee` (a dotted name, `a.b.C`), `args`, and `binding`
//!   (the name it is assigned to by a declaration, when it is).
//!
//! Values: string literals (and template literals without substitutions) are strings, numbers
//! numbers, `true`/`false` booleans, `null`/`undefined` null, object and array literals
//! mappings and sequences. A reference (`a.b[0].c`) is a string tagged [`REF_TAG`]; a call of a
//! dotted name (`config.require("tier")`) a mapping `{callee, args}` tagged [`CALL_TAG`]; a
//! `new` expression one tagged [`NEW_TAG`]; an arrow function with plain parameters and one
//! expression a mapping `{params, body}` tagged [`ARROW_TAG`] (`[...].map(f)` is a call of
//! `map` with the array as its `receiver`); anything else (operators, other functions, spreads,
//! `pulumi.interpolate` templates, ...) its source text tagged [`EXPR_TAG`](super::EXPR_TAG):
//! never a value. TypeScript's annotations, `as` and `satisfies` casts and `!` are read past.
//!
//! The reader is tolerant: it never fails on code it does not understand (it reads past it),
//! only on the limits (a nesting deeper than [`Limits::max_depth`] is an expression it does not
//! read; more nodes than [`Limits::max_nodes`] is an error). Linear in the text, but for a
//! `new` inside another's arguments, which is read once for each (to the depth limit; groups
//! are read past in one step, by their matching brackets).

use std::collections::HashMap;

use super::code::{Import, Kind, Named, Parser, Reader, Token};
use super::{Document, Entry, Limits, Node, ParseError, Span, Value};

/// The JavaScript (and TypeScript) grammar of a [`Parser`].
struct Js;

/// The tag of a reference to a name (`a`, `a.b[0]`): its value is the path as written.
pub const REF_TAG: &str = "js:ref";
/// The tag of a call of a dotted name: a mapping with `callee` and `args`.
pub const CALL_TAG: &str = "js:call";

/// The most tokens TypeScript type arguments of a call may take (`f<A, B<C>>(...)`).
const MAX_TYPE_ARGS_TOKENS: usize = 64;
/// The tag of a `new` expression: a mapping with `callee` and `args`.
pub const NEW_TAG: &str = "js:new";
/// The tag of an arrow function whose body is one expression (`(r, i) => ({...})`, or a block
/// that only returns one: `r => { return r.name; }`): a mapping with `params` (the names, when
/// every parameter is a plain name) and `body`.
pub const ARROW_TAG: &str = "js:arrow";

/// Multi-character punctuators, longest first.
const PUNCTS: &[&str] = &[
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "??=", "&&=", "||=", "=>", "==", "!=",
    "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "**", "<<", ">>",
];

/// Keywords after which a `/` starts a regular expression, not a division.
const BEFORE_REGEX: &[&str] = &[
    "return",
    "typeof",
    "case",
    "do",
    "else",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "instanceof",
    "yield",
    "await",
];

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$' || !c.is_ascii()
}

fn is_ident_char(c: char) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

/// Split `text` into tokens; comments and white space are dropped.
fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut newline = false;
    // A shebang line.
    if text.starts_with("#!") {
        for (_, c) in chars.by_ref() {
            if c == '\n' {
                break;
            }
        }
        newline = true;
    }
    let at = |i: usize| text.get(i..).unwrap_or("");
    while let Some(&(i, c)) = chars.peek() {
        if c == '\n' || c == '\u{2028}' || c == '\u{2029}' {
            newline = true;
            chars.next();
            continue;
        }
        if c.is_whitespace() || c == '\u{feff}' {
            chars.next();
            continue;
        }
        let rest = at(i);
        if rest.starts_with("//") {
            for (_, c) in chars.by_ref() {
                if c == '\n' {
                    newline = true;
                    break;
                }
            }
            continue;
        }
        if rest.starts_with("/*") {
            let end = rest
                .get(2..)
                .and_then(|r| r.find("*/"))
                .map_or(text.len(), |e| i + 2 + e + 2);
            if text.get(i..end).is_some_and(|c| c.contains('\n')) {
                newline = true;
            }
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
            continue;
        }
        let (kind, end, decoded) = if is_ident_start(c) {
            let len = rest
                .char_indices()
                .find(|&(_, c)| !is_ident_char(c))
                .map_or(rest.len(), |(j, _)| j);
            (Kind::Ident, i + len, None)
        } else if c.is_ascii_digit()
            || (c == '.' && rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
        {
            let mut len = 0;
            let mut prev = ' ';
            for (j, ch) in rest.char_indices() {
                let exponent_sign = (ch == '+' || ch == '-')
                    && (prev == 'e' || prev == 'E')
                    && !rest.starts_with("0x")
                    && !rest.starts_with("0X");
                if !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' || exponent_sign) {
                    break;
                }
                len = j + ch.len_utf8();
                prev = ch;
            }
            (Kind::Num, i + len, None)
        } else if c == '"' || c == '\'' {
            let (end, value) = string(text, i, c);
            (Kind::Str, end, Some(value))
        } else if c == '`' {
            let (end, value) = template(text, i);
            (Kind::Str, end, value)
        } else if c == '/' && regex_allowed(text, out.last()) {
            (Kind::Regex, regex(text, i), None)
        } else {
            let len = PUNCTS
                .iter()
                .find(|p| rest.starts_with(**p))
                .map_or(c.len_utf8(), |p| p.len());
            (Kind::Punct, i + len, None)
        };
        out.push(Token {
            kind,
            span: Span::new(i, end),
            decoded,
            newline_before: newline,
        });
        newline = false;
        while chars.peek().is_some_and(|&(j, _)| j < end) {
            chars.next();
        }
    }
    out
}

fn regex_allowed(text: &str, prev: Option<&Token>) -> bool {
    let Some(prev) = prev else { return true };
    let t = text
        .get(prev.span.start as usize..prev.span.end as usize)
        .unwrap_or("");
    match prev.kind {
        Kind::Ident => BEFORE_REGEX.contains(&t),
        Kind::Str | Kind::Num | Kind::Regex => false,
        Kind::Punct => !matches!(t, ")" | "]" | "}"),
        Kind::Newline => true,
    }
}

/// A regular expression literal from `start` (its `/`): its end. One that does not close on
/// its line ends at the line's end.
fn regex(text: &str, start: usize) -> usize {
    let mut class = false;
    let mut escaped = false;
    let body = text.get(start + 1..).unwrap_or("");
    for (j, c) in body.char_indices() {
        let at = start + 1 + j;
        if c == '\n' {
            return at;
        }
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '[' {
            class = true;
        } else if c == ']' {
            class = false;
        } else if c == '/' && !class {
            let flags = text
                .get(at + 1..)
                .unwrap_or("")
                .char_indices()
                .find(|&(_, c)| !is_ident_char(c))
                .map_or(text.len() - at - 1, |(k, _)| k);
            return at + 1 + flags;
        }
    }
    text.len()
}

/// A string literal quoted with `quote` from `start`: its end and its value. One that does not
/// close on its line ends at the line's end.
fn string(text: &str, start: usize, quote: char) -> (usize, String) {
    let body = text.get(start + 1..).unwrap_or("");
    let mut value = String::new();
    let mut it = body.char_indices().peekable();
    while let Some((j, c)) = it.next() {
        let at = start + 1 + j;
        if c == quote {
            return (at + 1, value);
        }
        if c == '\n' {
            return (at, value);
        }
        if c == '\\' {
            escape(&mut it, &mut value);
            continue;
        }
        value.push(c);
    }
    (text.len(), value)
}

/// One escape after its backslash, decoded onto `value`.
fn escape(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>, value: &mut String) {
    let Some((_, c)) = it.next() else { return };
    let hex = |it: &mut std::iter::Peekable<std::str::CharIndices<'_>>, n: usize| {
        let mut code = 0u32;
        for _ in 0..n {
            match it.peek().and_then(|&(_, c)| c.to_digit(16)) {
                Some(d) => {
                    code = code * 16 + d;
                    it.next();
                }
                None => return None,
            }
        }
        char::from_u32(code)
    };
    match c {
        'n' => value.push('\n'),
        't' => value.push('\t'),
        'r' => value.push('\r'),
        'b' => value.push('\u{8}'),
        'f' => value.push('\u{c}'),
        'v' => value.push('\u{b}'),
        '0' => value.push('\0'),
        // A line continuation.
        '\n' => {}
        '\r' => {
            if it.peek().is_some_and(|&(_, c)| c == '\n') {
                it.next();
            }
        }
        'x' => value.extend(hex(it, 2)),
        'u' => {
            if it.peek().is_some_and(|&(_, c)| c == '{') {
                it.next();
                let mut code = 0u32;
                while let Some(d) = it.peek().and_then(|&(_, c)| c.to_digit(16)) {
                    code = code.saturating_mul(16).saturating_add(d);
                    it.next();
                }
                if it.peek().is_some_and(|&(_, c)| c == '}') {
                    it.next();
                }
                value.extend(char::from_u32(code));
            } else {
                value.extend(hex(it, 4));
            }
        }
        other => value.push(other),
    }
}

/// A template literal from `start` (its backtick): its end, and its value when it has no
/// substitution. Substitutions are read past (strings, comments, nested templates and braces
/// in them), however deep, without recursion.
fn template(text: &str, start: usize) -> (usize, Option<String>) {
    #[derive(Clone, Copy)]
    enum State {
        Template,
        Code(usize),
    }
    let mut stack = vec![State::Template];
    let mut value = Some(String::new());
    let body = text.get(start + 1..).unwrap_or("");
    let mut it = body.char_indices().peekable();
    while let Some((j, c)) = it.next() {
        let at = start + 1 + j;
        let Some(state) = stack.last_mut() else { break };
        match state {
            State::Template => match c {
                '`' => {
                    stack.pop();
                    if stack.is_empty() {
                        return (at + 1, value);
                    }
                }
                '\\' => match value.as_mut() {
                    Some(v) if stack.len() == 1 => escape(&mut it, v),
                    // The escaped character is no end and no substitution (`\``, `\${`),
                    // also once a substitution has made the value unknown.
                    _ => {
                        it.next();
                    }
                },
                '$' if it.peek().is_some_and(|&(_, c)| c == '{') => {
                    it.next();
                    value = None;
                    stack.push(State::Code(0));
                }
                _ => {
                    if stack.len() == 1 {
                        if let Some(v) = value.as_mut() {
                            v.push(c);
                        }
                    }
                }
            },
            State::Code(depth) => match c {
                '{' => *depth += 1,
                '}' if *depth == 0 => {
                    stack.pop();
                }
                '}' => *depth -= 1,
                '`' => stack.push(State::Template),
                '"' | '\'' => {
                    let (end, _) = string(text, at, c);
                    while it.peek().is_some_and(|&(k, _)| start + 1 + k < end) {
                        it.next();
                    }
                }
                '/' if it.peek().is_some_and(|&(_, c)| c == '/') => {
                    while it.peek().is_some_and(|&(_, c)| c != '\n') {
                        it.next();
                    }
                }
                '/' if it.peek().is_some_and(|&(_, c)| c == '*') => {
                    it.next();
                    let mut star = false;
                    for (_, c) in it.by_ref() {
                        if star && c == '/' {
                            break;
                        }
                        star = c == '*';
                    }
                }
                _ => {}
            },
        }
    }
    (text.len(), None)
}

impl Parser<'_, Js> {
    /// The end of the expression starting at `i`: the first `,`, `;` or closing bracket
    /// outside brackets, or a line break before a token that cannot continue it.
    fn skip_expr(&self, mut i: usize) -> usize {
        let start = i;
        while let Some(t) = self.tok(i) {
            let s = self.src(t.span);
            if t.kind == Kind::Punct {
                match s {
                    "(" | "[" | "{" => {
                        i = self.past_group(i);
                        continue;
                    }
                    ")" | "]" | "}" | "," | ";" => return i,
                    _ => {}
                }
            } else if i > start && t.newline_before && self.ends_statement(i) {
                return i;
            }
            i += 1;
        }
        i
    }

    /// Whether the token at `i`, after a line break, starts a new statement (automatic
    /// semicolon insertion, as far as it matters here): a word or a literal after a complete
    /// operand.
    fn ends_statement(&self, i: usize) -> bool {
        let prev = i.checked_sub(1).and_then(|p| self.tok(p));
        let operand_before = prev.is_some_and(|p| match p.kind {
            Kind::Ident => !BEFORE_REGEX.contains(&self.src(p.span)),
            Kind::Str | Kind::Num | Kind::Regex => true,
            Kind::Punct => matches!(self.src(p.span), ")" | "]" | "}" | "++" | "--"),
            Kind::Newline => false,
        });
        operand_before
            && self
                .tok(i)
                .is_some_and(|t| matches!(t.kind, Kind::Ident | Kind::Str | Kind::Num))
    }

    /// Whether the expression read up to `i` ends there.
    fn at_end(&self, i: usize) -> bool {
        match self.tok(i) {
            None => true,
            Some(t) if t.kind == Kind::Punct => {
                matches!(self.src(t.span), "," | ";" | ")" | "]" | "}")
            }
            Some(t) => t.newline_before && self.ends_statement(i),
        }
    }

    /// The expression starting at `i`, and the index after it.
    fn expr(&mut self, i: usize, depth: usize) -> (Node, usize) {
        if depth >= self.limits.max_depth || self.nodes >= self.limits.max_nodes {
            let end = self.skip_expr(i);
            return self.other(i, end);
        }
        let Some((node, next)) = self.operand(i, depth) else {
            let end = self.skip_expr(i);
            return self.other(i, end);
        };
        // TypeScript's `x as T`, `x satisfies T`, `x!`: the value is `x`.
        let mut next = next;
        while self.is(next, "!") && !self.is(next + 1, "=") {
            next += 1;
        }
        if self.is(next, "as") || self.is(next, "satisfies") {
            next = self.skip_expr(next);
        }
        if self.at_end(next) {
            return (node, next);
        }
        let end = self.skip_expr(next);
        self.other(i, end)
    }

    /// A literal, a reference, a call of a dotted name or a `new` expression at `i`; `None`
    /// for anything else.
    fn operand(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let t = self.tok(i)?.clone();
        let s = self.src(t.span);
        match t.kind {
            Kind::Str => {
                let value = t.decoded.clone()?;
                Some((self.node(Value::String(value.into()), t.span, None), i + 1))
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
            Kind::Punct if s == "{" => self.object(i, depth),
            Kind::Punct if s == "[" => {
                let (array, next) = self.array(i, depth)?;
                Some(self.array_map(array, next, depth))
            }
            Kind::Punct if s == "(" && self.is(self.past_group(i), "=>") => self.arrow(i, depth),
            Kind::Punct if s == "(" => {
                let (inner, next) = self.expr(i + 1, depth + 1);
                self.is(next, ")").then_some((inner, next + 1))
            }
            Kind::Ident if self.is(i + 1, "=>") => self.arrow(i, depth),
            Kind::Ident => match s {
                "true" | "false" => {
                    Some((self.node(Value::Bool(s == "true"), t.span, None), i + 1))
                }
                "null" | "undefined" => Some((self.node(Value::Null, t.span, None), i + 1)),
                "new" => self.new_expr(i, depth),
                _ if BEFORE_REGEX.contains(&s) || s == "function" || s == "class" => None,
                _ => self.reference(i, depth),
            },
            _ => None,
        }
    }

    /// TypeScript's type arguments of a call at `i` (`cfg.requireObject<Cluster>(...)`): the
    /// index of the `(` after them, when `i` opens them.
    fn past_type_args(&self, i: usize) -> Option<usize> {
        if !self.is(i, "<") {
            return None;
        }
        // Open `<`s, and brackets inside them (an object type `{ tier: string }`, a tuple, a
        // function type's parameters): `?`, `:` and `;` only inside an object type, so that a
        // comparison (`n < 10 ? a : b, c > (d)`) is not taken for type arguments.
        let mut open = 0usize;
        let mut brackets: Vec<&str> = Vec::new();
        for j in i..i.saturating_add(MAX_TYPE_ARGS_TOKENS) {
            let t = self.tok(j)?;
            let s = self.src(t.span);
            match t.kind {
                Kind::Punct => match s {
                    "<" => open += 1,
                    ">" | ">>" | ">>>" if brackets.is_empty() => {
                        open = open.checked_sub(s.len())?;
                        if open == 0 {
                            return self.is(j + 1, "(").then_some(j + 1);
                        }
                    }
                    "{" | "[" | "(" => brackets.push(s),
                    "}" | "]" | ")" => {
                        let opener = brackets.pop()?;
                        if !matches!((opener, s), ("{", "}") | ("[", "]") | ("(", ")")) {
                            return None;
                        }
                    }
                    ":" | ";" | "?" if brackets.last() == Some(&"{") => {}
                    ":" if brackets.last() == Some(&"(") => {}
                    "." | "," | "|" | "&" | "=>" => {}
                    _ => return None,
                },
                Kind::Ident | Kind::Str | Kind::Num | Kind::Newline => {}
                _ => return None,
            }
        }
        None
    }

    fn reference(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let (path, next) = self.path(i)?;
        let span = Span {
            start: self.span(i).start,
            end: self.span(next - 1).end,
        };
        let call = if self.is(next, "(") {
            Some(next)
        } else {
            self.past_type_args(next)
        };
        if let Some(paren) = call {
            let (args, end) = self.args(paren, depth)?;
            let span = Span {
                start: span.start,
                end: self.span(end - 1).end,
            };
            let path_span = Span {
                start: span.start,
                end: self.span(next - 1).end,
            };
            return Some((
                self.callee_and_args(&path, path_span, span, args, CALL_TAG),
                end,
            ));
        }
        Some((
            self.node(Value::String(path.into()), span, Some(REF_TAG)),
            next,
        ))
    }

    /// An arrow function at `i` (its parameter list, or its one parameter's name): see
    /// [`ARROW_TAG`]. `None` when a parameter is not a plain name (a destructuring pattern, a
    /// default value) or the body is a block that does more than return one expression.
    fn arrow(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let mut params = Vec::new();
        let arrow_at = if self.is(i, "(") {
            let close = self.past_group(i).checked_sub(1)?;
            let mut k = i + 1;
            while k < close {
                let t = self.tok(k)?.clone();
                let name = self.ident(k)?;
                params.push(self.node(Value::String(name.into()), t.span, None));
                k += 1;
                // A TypeScript annotation (`r: RegionArgs`, `i?: number`): read past.
                if self.is(k, "?") {
                    k += 1;
                }
                if self.is(k, ":") {
                    while k < close && !self.is(k, ",") {
                        k = if self.is(k, "(") || self.is(k, "[") || self.is(k, "{") {
                            self.past_group(k)
                        } else {
                            k + 1
                        };
                    }
                }
                if self.is(k, ",") {
                    k += 1;
                } else if k != close {
                    return None;
                }
            }
            close + 1
        } else {
            let t = self.tok(i)?.clone();
            let name = self.ident(i)?;
            params.push(self.node(Value::String(name.into()), t.span, None));
            i + 1
        };
        if !self.is(arrow_at, "=>") {
            return None;
        }
        let body_at = arrow_at + 1;
        let (body, end) = if self.is(body_at, "{") {
            // `{ return <expr>; }` and nothing else.
            let close = self.past_group(body_at).checked_sub(1)?;
            if self.ident(body_at + 1) != Some("return") {
                return None;
            }
            let (body, mut next) = self.expr(body_at + 2, depth + 1);
            if self.is(next, ";") {
                next += 1;
            }
            if next != close {
                return None;
            }
            (body, close + 1)
        } else {
            self.expr(body_at, depth + 1)
        };
        let span = Span {
            start: self.span(i).start,
            end: body.span.end.max(self.span(end.saturating_sub(1)).end),
        };
        let params_span = Span {
            start: self.span(i).start,
            end: self.span(arrow_at).start,
        };
        let params = self.node(Value::Seq(params), params_span, None);
        let entries = vec![self.entry("params", params), self.entry("body", body)];
        Some((self.node(Value::Map(entries), span, Some(ARROW_TAG)), end))
    }

    /// An array literal read up to `next`, followed by `.map(...)`: the call, with the array
    /// as its `receiver` (`[...].map(f)`; `regions.map(f)` is a call of a dotted name). Else
    /// the array.
    fn array_map(&mut self, array: Node, next: usize, depth: usize) -> (Node, usize) {
        let maps = array.tag.is_none()
            && self.is(next, ".")
            && self.ident(next + 1) == Some("map")
            && self.is(next + 2, "(");
        if !maps {
            return (array, next);
        }
        let Some((args, end)) = self.args(next + 2, depth) else {
            return (array, next);
        };
        let span = Span {
            start: array.span.start,
            end: self.span(end - 1).end,
        };
        let path_span = self.between(next + 1, next + 1);
        let mut call = self.callee_and_args("map", path_span, span, args, CALL_TAG);
        let receiver = self.entry("receiver", array);
        if let Value::Map(entries) = &mut call.value {
            entries.push(receiver);
        }
        (call, end)
    }

    fn new_expr(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let (path, next) = self.path(i + 1)?;
        let (args, end) = if self.is(next, "(") {
            self.args(next, depth)?
        } else if self.is(next, "<") {
            // Type arguments: `new Map<string, number>()`.
            let close = (next..self.toks.len().min(next + MAX_TYPE_ARGUMENTS))
                .find(|&k| self.is(k, ">") || self.is(k, ">>") || self.is(k, ">>>"))?;
            if !self.is(close + 1, "(") {
                return None;
            }
            self.args(close + 1, depth)?
        } else {
            (Vec::new(), next)
        };
        let span = Span {
            start: self.span(i).start,
            end: self.span(end.max(i + 1) - 1).end,
        };
        let path_span = Span {
            start: self.span(i + 1).start,
            end: self.span(next - 1).end,
        };
        Some((
            self.callee_and_args(&path, path_span, span, args, NEW_TAG),
            end,
        ))
    }

    fn callee_and_args(
        &mut self,
        path: &str,
        path_span: Span,
        span: Span,
        args: Vec<Node>,
        tag: &str,
    ) -> Node {
        let callee = self.node(Value::String(path.into()), path_span, None);
        let args = self.node(Value::Seq(args), span, None);
        let entries = vec![self.entry("callee", callee), self.entry("args", args)];
        self.node(Value::Map(entries), span, Some(tag))
    }

    /// Arguments in parentheses from `i` (its `(`): each, and the index after the `)`.
    fn args(&mut self, i: usize, depth: usize) -> Option<(Vec<Node>, usize)> {
        let mut items = Vec::new();
        let mut next = i + 1;
        loop {
            if self.is(next, ")") {
                return Some((items, next + 1));
            }
            self.tok(next)?;
            let (item, after) = self.expr(next, depth + 1);
            items.push(item);
            next = self.after_item(after, ")")?;
        }
    }

    fn object(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let mut entries = Vec::new();
        let mut next = i + 1;
        let mut readable = true;
        loop {
            if self.is(next, "}") {
                break;
            }
            let t = self.tok(next)?.clone();
            let key = match t.kind {
                Kind::Ident => Some(self.src(t.span).to_string()),
                Kind::Str => t.decoded.clone(),
                Kind::Num => Some(self.src(t.span).to_string()),
                _ => None,
            };
            match key {
                Some(k) if self.is(next + 1, ":") => {
                    let key = self.node(Value::String(k.into()), t.span, None);
                    let (value, after) = self.expr(next + 2, depth + 1);
                    entries.push(Entry { key, value });
                    next = after;
                }
                // Shorthand: `{ name }` is `{ name: name }`.
                Some(k)
                    if t.kind == Kind::Ident
                        && (self.is(next + 1, ",") || self.is(next + 1, "}")) =>
                {
                    let key = self.node(Value::String(k.clone().into()), t.span, None);
                    let value = self.node(Value::String(k.into()), t.span, Some(REF_TAG));
                    entries.push(Entry { key, value });
                    next += 1;
                }
                // Spreads, computed keys, methods, getters: the object is not read.
                _ => {
                    readable = false;
                    next = self.skip_expr(next);
                }
            }
            next = self.after_item(next, "}")?;
        }
        Some(self.bracketed(i, next, Value::Map(entries), readable))
    }

    fn array(&mut self, i: usize, depth: usize) -> Option<(Node, usize)> {
        let mut items = Vec::new();
        let mut next = i + 1;
        let mut readable = true;
        loop {
            if self.is(next, "]") {
                break;
            }
            self.tok(next)?;
            if self.is(next, "...") || self.is(next, ",") {
                readable = false;
            }
            if self.is(next, ",") {
                next += 1;
                continue;
            }
            let (item, after) = self.expr(next, depth + 1);
            items.push(item);
            next = self.after_item(after, "]")?;
        }
        Some(self.bracketed(i, next, Value::Seq(items), readable))
    }

    /// `require("m")` at `i`: the module.
    fn require_at(&self, i: usize) -> Option<(String, Span)> {
        (self.ident(i) == Some("require") && self.is(i + 1, "(") && self.is(i + 3, ")"))
            .then(|| self.string_at(i + 2))
            .flatten()
    }

    /// `{ a, b as c }` (`as_word`: `as`) or `{ a, b: c }` (`:`) from `i`: (local, imported)
    /// pairs and the index after the `}`.
    fn named(&self, i: usize, as_word: &str) -> Option<(Vec<Named>, usize)> {
        let mut names = Vec::new();
        let mut next = i + 1;
        while !self.is(next, "}") {
            self.tok(next)?;
            if self.ident(next) == Some("type") && self.ident(next + 1).is_some() {
                next += 1;
            }
            let imported = self.ident(next).map(str::to_string).or_else(|| {
                self.tok(next)
                    .filter(|t| t.kind == Kind::Str)
                    .and_then(|t| t.decoded.clone())
            });
            let Some(imported) = imported else {
                let end = self.skip_expr(next);
                if self.is(end, ",") {
                    next = end + 1;
                    continue;
                }
                // A `;`, `)` or `]` where a name goes: not a list of names (`const{;`).
                if end == next {
                    return None;
                }
                next = end;
                continue;
            };
            let (local, span, after) = if self.is(next + 1, as_word) {
                let local = self.ident(next + 2)?;
                (local.to_string(), self.span(next + 2), next + 3)
            } else {
                (imported.clone(), self.span(next), next + 1)
            };
            names.push((local, span, imported));
            next = self.after_item(after, "}")?;
        }
        Some((names, next + 1))
    }
}

/// Where the string literals of a module are (templates and regular expressions too): text
/// there is no comment, whatever it says.
pub fn strings(text: &str) -> Vec<Span> {
    tokenize(text)
        .into_iter()
        .filter(|t| matches!(t.kind, Kind::Str | Kind::Regex))
        .map(|t| t.span)
        .collect()
}

/// Read a JavaScript or TypeScript module (see the module's documentation).
pub fn parse(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    let toks = tokenize(text);
    let mut p: Parser<'_, Js> = Parser::new(Reader::new(text, toks, limits));
    if let Some(e) = p.unclosed() {
        return Err(e);
    }
    let mut imports: Vec<Import> = Vec::new();
    // Declarations: name → (its span, initial value, how often it is declared or assigned).
    let mut declared: HashMap<String, (Span, Option<Node>, usize)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    // The start of each `new` a declaration assigns, and the name.
    let mut new_bindings: HashMap<u32, (String, Span)> = HashMap::new();
    let mut news: Vec<Node> = Vec::new();
    // The tokens that are the names a declaration declares (not assignments).
    let mut declaring: std::collections::HashSet<usize> = std::collections::HashSet::new();
    // Names bound anywhere but once at the top level (in a block, as a parameter): their uses
    // may be another binding's, so none is a module binding.
    let mut shadowed: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut braces = 0usize;
    let mut i = 0;
    while i < p.toks.len() {
        if let Some(e) = p.over_limit(i) {
            return Err(e);
        }
        if p.is(i, "{") {
            braces += 1;
        } else if p.is(i, "}") {
            braces = braces.saturating_sub(1);
        } else if p.is(i, "(") {
            shadowed.extend(parameters(&p, i));
        } else if p.is(i + 1, "=>") {
            shadowed.extend(p.ident(i).map(str::to_string));
        }
        let after_dot = i
            .checked_sub(1)
            .is_some_and(|b| p.is(b, ".") || p.is(b, "?."));
        let word = if after_dot { None } else { p.ident(i) };
        match word {
            Some("import") => {
                if let Some((import, next)) = import_at(&p, i) {
                    imports.push(import);
                    i = next;
                    continue;
                }
            }
            Some("const" | "let" | "var") => {
                let mut next = i + 1;
                loop {
                    // `const { a, b: c } = require("m")`.
                    if p.is(next, "{") {
                        if let Some((names, after)) = p.named(next, ":") {
                            if p.is(after, "=") {
                                if let Some(module) = p.require_at(after + 1) {
                                    imports.push(Import {
                                        module,
                                        namespace: None,
                                        names,
                                    });
                                }
                            }
                        }
                        break;
                    }
                    let Some(name) = p.ident(next) else { break };
                    let name_span = p.span(next);
                    declaring.insert(next);
                    if braces > 0 {
                        shadowed.insert(name.to_string());
                    }
                    let mut at = next + 1;
                    if p.is(at, ":") {
                        // A type annotation, up to the `=`.
                        while p.tok(at).is_some() && !p.is(at, "=") && !p.is(at, ";") {
                            at = match p.tok(at).map(|t| p.src(t.span)) {
                                Some("(" | "[" | "{" | "<") => skip_group(&p, at),
                                _ => at + 1,
                            };
                        }
                    }
                    let slot = declared
                        .entry(name.to_string())
                        .or_insert((name_span, None, 0));
                    slot.2 += 1;
                    if slot.2 == 1 {
                        order.push(name.to_string());
                    }
                    if !p.is(at, "=") {
                        next = at;
                    } else if let Some(module) = p.require_at(at + 1) {
                        imports.push(Import {
                            module,
                            namespace: Some((name.to_string(), name_span)),
                            names: Vec::new(),
                        });
                        next = at + 5;
                    } else {
                        let (value, after) = p.expr(at + 1, 0);
                        if value.tag.as_deref() == Some(NEW_TAG) {
                            new_bindings.insert(value.span.start, (name.to_string(), name_span));
                        }
                        if let Some(slot) = declared.get_mut(name) {
                            slot.1 = Some(value);
                        }
                        next = after;
                    }
                    if p.is(next, ",") {
                        next += 1;
                    } else {
                        break;
                    }
                }
            }
            Some("new") => {
                if let Some((mut node, _)) = p.new_expr(i, 0) {
                    node.tag = None;
                    if let (Some((name, span)), Value::Map(entries)) =
                        (new_bindings.get(&node.span.start), &mut node.value)
                    {
                        let binding = p.node(Value::String(name.clone().into()), *span, None);
                        entries.push(p.entry("binding", binding));
                    }
                    news.push(node);
                }
            }
            Some(name) => {
                // Assigned again (`x = ...`, `x += ...`, `x++`): not a binding.
                let next = p.tok(i + 1).map(|t| p.src(t.span)).unwrap_or("");
                let assigns = (next.ends_with('=')
                    && !matches!(next, "==" | "===" | "!=" | "!==" | "<=" | ">=" | "=>"))
                    || next == "++"
                    || next == "--";
                let before = i
                    .checked_sub(1)
                    .is_some_and(|b| p.is(b, "++") || p.is(b, "--"));
                // `for (x of ...)`, `[x] = ...`, `({ x } = ...)`.
                let target = matches!(next, "of" | "in")
                    || ((p.is(i + 1, "]") || p.is(i + 1, "}")) && p.is(i + 2, "="));
                // A property of it assigned (`x.a.b = ...`, `x["a"] = ...`, `x.n++`): its
                // value is not the one bound.
                let member =
                    (p.is(i + 1, ".") || p.is(i + 1, "[")) && p.member_assigned(i + 1, true);
                if (assigns || before || target || member) && !declaring.contains(&i) {
                    if let Some(slot) = declared.get_mut(name) {
                        slot.2 += 1;
                    } else {
                        declared.insert(name.to_string(), (p.span(i), None, 2));
                    }
                }
                // `Object.assign(x, ...)` changes `x`.
                if name == "Object"
                    && p.is(i + 1, ".")
                    && p.ident(i + 2) == Some("assign")
                    && p.is(i + 3, "(")
                {
                    if let Some(target) = p.ident(i + 4) {
                        if let Some(slot) = declared.get_mut(target) {
                            slot.2 += 1;
                        }
                    }
                }
            }
            None => {}
        }
        i += 1;
    }
    let bindings = order
        .into_iter()
        .filter(|name| !shadowed.contains(name))
        .filter_map(|name| {
            let (span, value, count) = declared.remove(&name)?;
            Some((name, span, value.filter(|_| count == 1)?))
        })
        .collect();
    Ok(p.into_reader().finish(imports, bindings, news))
}

/// The index after the bracketed group that opens at `i` (`(`, `[`, `{` or `<`).
fn skip_group(p: &Parser<'_, Js>, i: usize) -> usize {
    if !p.is(i, "<") {
        return p.past_group(i);
    }
    // Type arguments (`A<B<C>>>`): angle brackets are not paired by the tokenizer; bounded.
    let mut depth = 0usize;
    let mut k = i;
    while let Some(t) = p.tok(k).filter(|_| k < i + MAX_TYPE_ARGUMENTS) {
        match p.src(t.span) {
            "(" | "[" | "{" => {
                k = p.past_group(k);
                continue;
            }
            "<" => depth += 1,
            closing @ (">" | ">>" | ">>>") => {
                depth = depth.saturating_sub(closing.len());
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    k
}

/// The parameters of a function whose parameter list opens at `i` (after `function` or a
/// method's name, or before `=>`): the names directly in it. None for any other group.
fn parameters(p: &Parser<'_, Js>, i: usize) -> Vec<String> {
    let after = p.past_group(i);
    let before = i.checked_sub(1).and_then(|b| p.ident(b));
    let keyword = |w: &str| matches!(w, "if" | "for" | "while" | "switch" | "catch" | "with");
    let function = before.is_some_and(|w| w == "function")
        || i.checked_sub(2).and_then(|b| p.ident(b)) == Some("function")
        || p.is(after, "=>")
        || (before.is_some_and(|w| !keyword(w)) && p.is(after, "{"));
    if !function {
        return Vec::new();
    }
    let mut names = Vec::new();
    let mut k = i + 1;
    while k + 1 < after {
        if p.is(k, "(") || p.is(k, "[") || p.is(k, "{") {
            // Destructured parameters: their names too.
            let end = p.past_group(k);
            names.extend((k + 1..end).filter_map(|j| p.ident(j)).map(str::to_string));
            k = end;
            continue;
        }
        if let Some(name) = p.ident(k) {
            names.push(name.to_string());
        }
        k += 1;
    }
    names
}

/// Most tokens read for one list of type arguments.
const MAX_TYPE_ARGUMENTS: usize = 256;

/// An `import` declaration at `i`, and the index after it.
fn import_at(p: &Parser<'_, Js>, i: usize) -> Option<(Import, usize)> {
    let mut next = i + 1;
    // `import type { X } from "m"` imports only types.
    if p.ident(next) == Some("type") && !p.is(next + 1, "from") && !p.is(next + 1, "=") {
        return None;
    }
    // `import "m"`: for its effects.
    if p.string_at(next).is_some() {
        return None;
    }
    let mut namespace = None;
    let mut names = Vec::new();
    // `import x = require("m")`.
    if let (Some(name), true) = (p.ident(next), p.is(next + 1, "=")) {
        let module = p.require_at(next + 2)?;
        return Some((
            Import {
                module,
                namespace: Some((name.to_string(), p.span(next))),
                names,
            },
            next + 6,
        ));
    }
    loop {
        if p.is(next, "*") && p.ident(next + 1) == Some("as") {
            let name = p.ident(next + 2)?;
            namespace = Some((name.to_string(), p.span(next + 2)));
            next += 3;
        } else if p.is(next, "{") {
            let (found, after) = p.named(next, "as")?;
            names.extend(found);
            next = after;
        } else if let Some(name) = p.ident(next).filter(|n| *n != "from") {
            namespace = Some((name.to_string(), p.span(next)));
            next += 1;
        } else {
            return None;
        }
        if p.is(next, ",") {
            next += 1;
        } else {
            break;
        }
    }
    if p.ident(next) != Some("from") {
        return None;
    }
    let module = p.string_at(next + 1)?;
    Some((
        Import {
            module,
            namespace,
            names,
        },
        next + 2,
    ))
}

#[cfg(test)]
mod tests;
