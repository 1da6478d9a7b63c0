//! Secrets inside text as written: the scanners the tree walk runs over a string's source text,
//! and the report's fallback runs over the lines of a file that did not parse.
//!
//! - [`pairs`]: `key: value`, `"key": "value"`, `key = value`, `\"key\":\"value\"` (JSON
//!   escaped inside a string), `KEY := value`;
//! - [`connection_passwords`]: the password of `scheme://user:password@host`;
//! - [`CommandLine`]: `--password X`, `--apiKey=X`, `-p X` (not a port), `-u user:key`,
//!   `Authorization: Bearer X`, `config set private_api_key X`, `X_KEY=...` assignments.
//!
//! Every scanner pushes byte spans of the whole text (`base` is where the scanned slice starts).

use std::ops::Range;

use super::{is_secret_key, may_hold_secret, push};
use crate::document::Span;

/// A quote: `"`, `'`, or `\"` (a double quote escaped inside a JSON string).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Double,
    Single,
    Escaped,
}

fn quote_at(bytes: &[u8], i: usize) -> Option<(Quote, usize)> {
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\\'), Some(b'"')) => Some((Quote::Escaped, 2)),
        (Some(b'"'), _) => Some((Quote::Double, 1)),
        (Some(b'\''), _) => Some((Quote::Single, 1)),
        _ => None,
    }
}

/// Where the quote that closes a string opened before `from` starts.
fn closing(bytes: &[u8], from: usize, quote: Quote) -> Option<usize> {
    let mut k = from;
    while let Some(&b) = bytes.get(k) {
        match quote {
            Quote::Escaped if b == b'\\' && bytes.get(k + 1) == Some(&b'"') => return Some(k),
            Quote::Escaped if b == b'\\' => k += 1,
            Quote::Double if b == b'\\' => k += 1,
            Quote::Double if b == b'"' => return Some(k),
            Quote::Single if b == b'\'' => {
                if bytes.get(k + 1) == Some(&b'\'') {
                    k += 1;
                } else {
                    return Some(k);
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// Lines longer than this are not searched for pairs: a scanner masks them whole (no report
/// draws them anyway), so that hostile one-line input stays linear.
pub const MAX_LINE: usize = 4096;

/// How far after `://` a connection string's userinfo may reach.
const MAX_AUTHORITY: usize = 2048;

/// One `key <sep> value` in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub key: Range<usize>,
    /// The value (inside its quotes, when quoted). Empty when nothing follows the separator.
    pub value: Range<usize>,
    /// Where the text after the separator starts (a block scalar's `|`, a heredoc's `<<`).
    pub rest: usize,
}

/// Every `key <sep> value` in one line, in order. A bare value ends at the end of the line;
/// inside a flow collection (`{`/`[` seen before) at `,`, `}` or `]`; after an `=` written
/// without spaces (a shell assignment, a URL's query parameter) at whitespace, `;` or `&`; before a ` #` comment. A bare
/// value is searched for pairs of its own (`run: export X_KEY=...`).
pub fn pairs(line: &str) -> Vec<Pair> {
    if line.len() > MAX_LINE {
        return Vec::new();
    }
    let bytes = line.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let (key, after) = if let Some((q, len)) = quote_at(bytes, i) {
            match closing(bytes, i + len, q) {
                Some(end) => (i + len..end, end + len),
                None => break,
            }
        } else {
            match at(i) {
                // Not the tail of `A::B`.
                Some(b)
                    if (b.is_ascii_alphanumeric() || b == b'_')
                        && (i == 0 || at(i - 1) != Some(b':')) =>
                {
                    let mut j = i;
                    while at(j).is_some_and(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
                    }) {
                        j += 1;
                    }
                    (i..j, j)
                }
                Some(b'{' | b'[') => {
                    depth += 1;
                    i += 1;
                    continue;
                }
                Some(b'}' | b']') => {
                    depth = depth.saturating_sub(1);
                    i += 1;
                    continue;
                }
                _ => {
                    i += 1;
                    continue;
                }
            }
        };
        let mut j = after;
        let spaced = at(j).is_some_and(|b| b == b' ' || b == b'\t');
        while at(j).is_some_and(|b| b == b' ' || b == b'\t') {
            j += 1;
        }
        let sep_len = match (at(j), at(j + 1), at(j + 2)) {
            (Some(b':'), Some(b'/'), Some(b'/')) | (Some(b':'), Some(b':'), _) => 0,
            (Some(b':' | b'?' | b'+'), Some(b'='), _) => 2,
            (Some(b':'), _, _) => 1,
            (Some(b'='), Some(b'='), _) => 0,
            (Some(b'='), _, _) => 1,
            _ => 0,
        };
        if sep_len == 0 {
            i = after.max(i + 1);
            continue;
        }
        let assignment = at(j) == Some(b'=') && !spaced && at(j + 1).is_some_and(|b| b != b' ');
        let mut v = j + sep_len;
        while at(v).is_some_and(|b| b == b' ' || b == b'\t') {
            v += 1;
        }
        let rest = v;
        // A YAML tag or anchor before the value (`!!str |`, `&pw |`).
        if matches!(at(v), Some(b'!' | b'&')) {
            while at(v).is_some_and(|b| !b.is_ascii_whitespace()) {
                v += 1;
            }
            while at(v).is_some_and(|b| b == b' ' || b == b'\t') {
                v += 1;
            }
        }
        if matches!(at(v), Some(b'{' | b'[')) {
            // A nested collection: its own pairs follow.
            out.push(Pair {
                key,
                value: v..v,
                rest,
            });
            i = v;
            continue;
        }
        if let Some((q, len)) = quote_at(bytes, v) {
            let end = closing(bytes, v + len, q).unwrap_or(bytes.len());
            out.push(Pair {
                key,
                value: v + len..end,
                rest,
            });
            i = (end + len).max(i + 1);
            continue;
        }
        let mut e = v;
        while let Some(b) = at(e) {
            let stop = (depth > 0 && matches!(b, b',' | b'}' | b']'))
                || (assignment && (b.is_ascii_whitespace() || b == b';' || b == b'&'))
                || (b == b'#' && e > v && at(e - 1) == Some(b' '));
            if stop {
                break;
            }
            e += 1;
        }
        // Trailing blanks are not part of the value.
        while e > v && at(e - 1).is_some_and(|b| b == b' ' || b == b'\t') {
            e -= 1;
        }
        out.push(Pair {
            key,
            value: v..e,
            rest,
        });
        i = v.max(i + 1);
    }
    out
}

/// Push the values of secret-named keys among `pairs(line)`. Returns whether any pair was found.
pub fn secret_pairs(line: &str, base: usize, out: &mut Vec<Span>) -> bool {
    if line.len() > MAX_LINE {
        push(out, base, base + line.len());
        return true;
    }
    let found = pairs(line);
    for p in &found {
        let key = line.get(p.key.clone()).unwrap_or("");
        if is_secret_key(key) {
            push(out, base + p.value.start, base + p.value.end);
        }
    }
    !found.is_empty()
}

/// Push the password of every `scheme://user:password@host` in `text` (also with JSON's escaped
/// `:\/\/`). The password runs from the first `:` of the userinfo to the last `@` before
/// whitespace, a double quote, `?`, a backtick or an angle bracket.
pub fn connection_passwords(text: &str, base: usize, out: &mut Vec<Span>) {
    for sep in ["://", ":\\/\\/"] {
        let mut search = 0;
        while let Some(found) = text.get(search..).and_then(|s| s.find(sep)) {
            let auth_start = search + found + sep.len();
            let rest = text.as_bytes().get(auth_start..).unwrap_or(&[]);
            let rest = rest.get(..MAX_AUTHORITY).unwrap_or(rest);
            let end = rest
                .iter()
                .position(|&c| {
                    c.is_ascii_whitespace() || matches!(c, b'"' | b'?' | b'`' | b'<' | b'>')
                })
                .unwrap_or(rest.len());
            let mut authority = text.get(auth_start..auth_start + end).unwrap_or("");
            // `user:pass` before the blank: not `host:27017`.
            let userinfo_like = authority.rsplit_once(':').is_some_and(|(_, after)| {
                !after.is_empty() && !after.bytes().all(|b| b.is_ascii_digit())
            });
            // A password written with a blank in it (`u:two words@host`, which a driver
            // refuses unencoded): the userinfo then runs on to an `@` before the quote or
            // line end.
            if userinfo_like
                && !authority.contains('@')
                && rest.get(end).is_some_and(|&c| c == b' ' || c == b'\t')
            {
                let line_end = rest
                    .iter()
                    .position(|&c| matches!(c, b'"' | b'\'' | b'`' | b'\n' | b'\r'))
                    .unwrap_or(rest.len());
                let wider = text.get(auth_start..auth_start + line_end).unwrap_or("");
                // Not an expression with blanks in it (`${{ secrets.PW }}`), which names the
                // password.
                if wider.rfind('@').is_some_and(|at| {
                    wider.get(..at).is_some_and(|u| {
                        u.contains(':')
                            && !u.contains('/')
                            && !u.contains("{{")
                            && !u.contains("${")
                            && !u.contains(" -")
                    })
                }) {
                    authority = wider;
                }
            }
            // A password with a raw `?` or a quote (`u:ab?cd@host`, `u:Pa\"ss@host` in a JSON
            // or double-quoted YAML string, `u:p"ss@host` or `u:"pw"@host` in a plain one),
            // which ends the authority above: the userinfo runs on to an `@` before a blank
            // (or, after a `?`, an unescaped quote). When a quote ended it, later quotes may
            // be the password's too: masking past the secret is safer than printing part of
            // it.
            let quote_ended = rest.get(end) == Some(&b'"');
            if (userinfo_like || (quote_ended && authority.ends_with(':')))
                && !authority.contains('@')
                && rest.get(end).is_some_and(|&c| c == b'?' || c == b'"')
            {
                let stop = (0..rest.len())
                    .find(|&i| match rest.get(i) {
                        Some(&c) if c.is_ascii_whitespace() => true,
                        Some(b'`' | b'<' | b'>' | b'\'') => true,
                        Some(b'"') => !quote_ended && (i == 0 || rest.get(i - 1) != Some(&b'\\')),
                        _ => false,
                    })
                    .unwrap_or(rest.len());
                // The userinfo ends at the last `@` before the path (an `@` in the query,
                // `?user=x@y`, is not it).
                let wider = text.get(auth_start..auth_start + stop).unwrap_or("");
                let path = wider.find('/').unwrap_or(wider.len());
                let wider = wider.get(..path).unwrap_or(wider);
                if wider
                    .rfind('@')
                    .is_some_and(|at| wider.get(..at).is_some_and(|u| u.contains(':')))
                {
                    authority = wider;
                }
            }
            if let Some(at) = authority.rfind('@') {
                if let Some(colon) = authority.get(..at).and_then(|u| u.find(':')) {
                    push(out, base + auth_start + colon + 1, base + auth_start + at);
                }
            } else if let Some((colon, at)) = password_to_host(text, auth_start) {
                // A password with characters that end the authority above (a quote with a
                // blank, a backtick, `<`): masked to the `@` before the host, past the secret
                // rather than short of it.
                push(out, base + colon, base + at);
            }
            search = auth_start;
        }
    }
}

/// For the userinfo at `auth_start` (just after `://`): the offsets of its password (after the
/// user's `:`) and of the last `@` on the line that a host name follows (`@name.domain`, then
/// the end, `/`, `?`, `:`, a quote or a blank). The user is a plain name; `None` when there is
/// no such `@`, or another URL comes first.
fn password_to_host(text: &str, auth_start: usize) -> Option<(usize, usize)> {
    let line = text.get(auth_start..)?;
    let line = line.get(..line.find(['\n', '\r']).unwrap_or(line.len()))?;
    let line = line.get(..line.len().min(MAX_AUTHORITY))?;
    let colon = line.find(':')?;
    let user = line.get(..colon)?;
    // `host:27017`: a port, not a password.
    let after = line.get(colon + 1..).unwrap_or("");
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && !after
            .as_bytes()
            .get(digits)
            .is_some_and(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    if user.is_empty()
        || !user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-%+".contains(&b))
    {
        return None;
    }
    let host_follows = |at: usize| {
        let host = line.get(at + 1..).unwrap_or("");
        let end = host
            .find(|c: char| {
                matches!(c, '/' | '?' | ':' | '"' | '\'' | '`' | ',') || c.is_whitespace()
            })
            .unwrap_or(host.len());
        let name = host.get(..end).unwrap_or("");
        name.contains('.')
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let (at, _) = line
        .rmatch_indices('@')
        .find(|(at, _)| *at > colon && host_follows(*at))?;
    let password = line.get(colon + 1..at)?;
    // Another URL, or a placeholder (`<password>`, `${PW}`, `{{ .pw }}`): no secret.
    if password.contains("://")
        || (password.starts_with('<') && password.ends_with('>'))
        || password.starts_with("${")
        || password.starts_with("{{")
    {
        return None;
    }
    Some((auth_start + colon + 1, auth_start + at))
}

/// A command-line flag waiting for its argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flag {
    /// `--password`, `--apiKey`: the next token is the secret.
    Secret,
    /// `set private_api_key`: the next token on the same line is the secret.
    Setting,
    /// `-u`/`--user`: the next token is `user:key`.
    User,
    /// `-p`: a password, unless it looks like a port mapping.
    P,
}

impl Flag {
    /// The flag `token` is when it stands alone (an item of an exec array).
    pub fn of(token: &str) -> Option<Flag> {
        let name = token.strip_prefix('-')?.trim_start_matches('-');
        if name.contains('=') || name.is_empty() {
            return None;
        }
        match name {
            "u" | "user" => Some(Flag::User),
            "p" => Some(Flag::P),
            _ if is_secret_key(name) => Some(Flag::Secret),
            _ => None,
        }
    }

    /// The part of `token`, the flag's argument, that is secret.
    pub fn secret_part(self, token: &str) -> Option<Range<usize>> {
        match self {
            Flag::User => token.find(':').map(|c| c + 1..token.len()),
            Flag::P => {
                let port = token
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b':')
                    && (token.contains(':') || token.len() <= 5);
                (!port && !token.starts_with('-')).then_some(0..token.len())
            }
            Flag::Secret | Flag::Setting => (!token.starts_with(['-', '{', '=', ':'])
                && !token.ends_with(':'))
            .then_some(0..token.len()),
        }
    }
}

/// Whether offset `at` of `line` is inside a double-quoted string: an odd number of quotes
/// not escaped by a backslash before it.
fn inside_double_quotes(line: &str, at: usize) -> bool {
    let b = line.as_bytes();
    let before = b.get(..at).unwrap_or(&[]);
    let quotes = before
        .iter()
        .enumerate()
        .filter(|&(i, &c)| c == b'"' && (i == 0 || before.get(i - 1) != Some(&b'\\')))
        .count();
    quotes % 2 == 1
}

/// `$NAME` or `${NAME}`: a shell variable's expansion, whole.
fn is_shell_variable(token: &str) -> bool {
    let Some(name) = token.strip_prefix('$') else {
        return false;
    };
    let name = name
        .strip_prefix('{')
        .and_then(|n| n.strip_suffix('}'))
        .unwrap_or(name);
    name.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Secrets passed on command lines, scanned a line at a time: a flag at the end of a line
/// takes the first token of the next one (a YAML list item per argument, a `\` continuation).
#[derive(Default)]
pub struct CommandLine {
    flag: Option<Flag>,
    /// A secret's quote left open at the end of a line (`--password "one` ... `two"`): the
    /// next lines are masked up to the closing quote (at most [`MAX_OPEN_LINES`]).
    open: Option<(u8, usize)>,
    /// A dotenv file's lines: an unquoted value runs to the end of its line.
    pub env: bool,
}

/// Lines a secret's open quote masks, at most.
const MAX_OPEN_LINES: usize = 64;

/// Where the shell word that starts at `start` of `bytes` ends (exclusive), as the shell splits
/// words: quotes (`'...'`, `"..."` with backslash escapes) and backslash escapes join what is
/// around them (`"a b"c`, `a\ b`); unquoted blanks and `;&|<>()` and a backtick end it. Also
/// the quote left open at the end, if any.
pub(super) fn word_end(bytes: &[u8], start: usize) -> (usize, Option<u8>) {
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'\'' | b'"' => match quote_end(bytes, i + 1, b) {
                Some(close) => i = close + 1,
                None => return (bytes.len(), Some(b)),
            },
            b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
            | b'`' => break,
            _ => i += 1,
        }
    }
    (i.min(bytes.len()), None)
}

/// Where the `quote` that closes a shell string opened before `from` is (a double-quoted one
/// takes backslash escapes).
fn quote_end(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut k = from;
    while let Some(&b) = bytes.get(k) {
        if b == quote {
            return Some(k);
        }
        k += if quote == b'"' && b == b'\\' { 2 } else { 1 };
    }
    None
}

impl CommandLine {
    /// Push the secret that starts at `from` of `line` and runs to the end of the shell word
    /// that starts at `word` (or at the quote just before it), the closing quote aside.
    fn push_word(
        &mut self,
        line: &str,
        word: usize,
        from: usize,
        base: usize,
        out: &mut Vec<Span>,
    ) {
        let bytes = line.as_bytes();
        let start = match word.checked_sub(1).and_then(|q| bytes.get(q)) {
            Some(b'"' | b'\'') => word - 1,
            _ => word,
        };
        // A quote escaped for the text around the command (`run: "... --password \"a b\""`
        // in a YAML or JSON string): the secret ends at the next escaped quote.
        if start > 0 && bytes.get(start - 1) == Some(&b'\\') && bytes.get(start) == Some(&b'"') {
            let end = memchr::memmem::find(bytes.get(start + 1..).unwrap_or(&[]), b"\\\"")
                .map_or(bytes.len(), |i| start + 1 + i);
            push(out, base + from, base + end.max(from));
            return;
        }
        // A quoted value followed by JSON's structure (an exec array's `"--apiKey", "k"]`):
        // the secret is what the quotes hold, not the bracket after them.
        if let Some(&q @ (b'"' | b'\'')) = bytes.get(start) {
            if let Some(close) = quote_end(bytes, start + 1, q) {
                if matches!(bytes.get(close + 1), Some(b']' | b',' | b'}')) {
                    push(out, base + from, base + close.max(from));
                    return;
                }
            }
        }
        let (mut end, open) = word_end(bytes, start);
        if let Some(q) = open {
            // Carried over lines only when the word itself opens the quote (`--password "one`,
            // then `two"`); a quote opened inside it (`can't`, `tr -d '"'`) ends with its line.
            if bytes.get(start) == Some(&q) {
                self.open = Some((q, MAX_OPEN_LINES));
            }
        } else if end > from && matches!(bytes.get(end - 1), Some(b'"' | b'\'')) {
            end -= 1;
        }
        push(out, base + from, base + end.max(from));
    }

    /// A secret's quote left open on an earlier line: mask this line up to the closing quote
    /// (all of it when there is none); the rest of the line is scanned as usual.
    fn close_open(&mut self, line: &str, base: usize, out: &mut Vec<Span>) -> usize {
        let Some((quote, left)) = self.open.take() else {
            return 0;
        };
        match quote_end(line.as_bytes(), 0, quote) {
            Some(close) => {
                push(out, base, base + close);
                close + 1
            }
            None => {
                push(out, base, base + line.len());
                if left > 1 {
                    self.open = Some((quote, left - 1));
                }
                line.len()
            }
        }
    }

    /// Push the secrets of one line. Tokens are split at whitespace, quotes, brackets, commas
    /// and `;`, so exec arrays and quoted commands read the same.
    pub fn line(&mut self, line: &str, base: usize, out: &mut Vec<Span>) {
        let skip = self.close_open(line, base, out);
        let mut previous = "";
        // Tokens inside a secret already masked (`--password "a --apiKey b"`) are not read.
        let mut masked_to = skip;
        for (from, to) in tokens(line) {
            if from < masked_to {
                continue;
            }
            let token = line.get(from..to).unwrap_or("");
            let after_key = previous.ends_with(':') || previous == "=";
            // Inside a CI or template expression (`${{ secrets.SMOKE_PW }}`): a name there
            // is a reference, not a setting whose value follows.
            let in_expression = previous.ends_with("{{");
            previous = token;
            if let Some(pending) = self.flag.take() {
                if token == "-" || token == "\\" {
                    // A YAML list item marker or a continuation: the argument follows.
                    self.flag = Some(pending);
                    continue;
                }
                // A variable the shell expands (`--apiKey "$KEY"`, `${KEY}`) is where the
                // secret is, not the secret. Bare (`$KEY`: a Kubernetes `args` list expands no
                // such thing) or single-quoted (`'$ecret'`) it may be literal text.
                let double_quoted = from
                    .checked_sub(1)
                    .and_then(|q| line.get(q..from))
                    .is_some_and(|q| q == "\"");
                // Quoted for a script inside a double-quoted string (`bash -c "... --apiKey
                // \"\$KEY\""`, which the inner shell reads as `"$KEY"`); not `"\$KEY"`, the
                // literal text `$KEY`.
                let escaped_quote = from
                    .checked_sub(2)
                    .and_then(|q| line.get(q..from))
                    .is_some_and(|q| q == "\\\"")
                    && inside_double_quotes(line, from - 2);
                let expanded = match token.strip_prefix('\\') {
                    // The escaped closing quote's backslash ends the token too.
                    Some(inner) if escaped_quote => inner.strip_suffix('\\').unwrap_or(inner),
                    _ => token,
                };
                if is_shell_variable(expanded) && (double_quoted || token.starts_with("${")) {
                    continue;
                }
                // `-u "$PUB:$PRIV"`: the key is a variable's expansion too.
                if pending == Flag::User {
                    let key = expanded
                        .split_once(':')
                        .map(|(_, k)| k.trim_end_matches('"'));
                    if key.is_some_and(|k| {
                        is_shell_variable(k) && (double_quoted || k.starts_with("${"))
                    }) {
                        continue;
                    }
                }
                if let Some(r) = pending.secret_part(token) {
                    if r.end == token.len() {
                        let before = out.len();
                        self.push_word(line, from, from + r.start, base, out);
                        masked_to = out
                            .get(before..)
                            .and_then(|s| s.last())
                            .map_or(to, |s| (s.end as usize).saturating_sub(base).max(to));
                    } else {
                        push(out, base + from + r.start, base + from + r.end);
                    }
                }
                continue;
            }
            if let Some(name) = token.strip_prefix('-') {
                let name = name.trim_start_matches('-');
                if let Some((flag_name, value)) = name.split_once('=') {
                    let value_at = to - value.len();
                    // `--password="$PW"`, `--password=${PW}`: where the secret is, not it.
                    let (word_end_at, _) = word_end(line.as_bytes(), value_at);
                    let raw = line.get(value_at..word_end_at).unwrap_or("");
                    let unquoted = raw.trim_matches('"');
                    let reference = is_shell_variable(unquoted)
                        && (raw.starts_with('"') || unquoted.starts_with("${"));
                    if is_secret_key(flag_name) && !reference {
                        self.push_word(line, from, value_at, base, out);
                    } else if matches!(flag_name, "u" | "user") {
                        if let Some(colon) = value.find(':') {
                            push(out, base + value_at + colon + 1, base + to);
                        }
                    } else if flag_name == "p" && !token.starts_with("--") {
                        // `-p=secret`
                        if let Some(r) = Flag::P.secret_part(value) {
                            push(out, base + value_at + r.start, base + value_at + r.end);
                        }
                    }
                } else if let Some(attached) = name
                    .strip_prefix('u')
                    .filter(|a| a.contains(':') && !token.starts_with("--"))
                {
                    // `-uuser:key`
                    let at = to - attached.len();
                    if let Some(colon) = attached.find(':') {
                        push(out, base + at + colon + 1, base + to);
                    }
                } else if let Some(attached) = name
                    .strip_prefix('p')
                    .filter(|a| !a.is_empty() && !token.starts_with("--"))
                {
                    // `-psecret` (the Atlas CLI's, mongosh's and mysql's attached password;
                    // a word such as find's `-print` is masked too: shown masked, never leaked)
                    let at = to - attached.len();
                    if let Some(r) = Flag::P.secret_part(attached) {
                        push(out, base + at + r.start, base + at + r.end);
                    }
                } else {
                    self.flag = Flag::of(token);
                }
            } else if let Some((name, value)) = token.split_once('=') {
                // `X_KEY=value` (an assignment, an `export`, a Dockerfile `ENV`); in a dotenv
                // file an unquoted value runs to the end of the line (before a ` #` comment).
                if is_name(name) && is_secret_key(name) {
                    let value_at = to - value.len();
                    let quoted = matches!(line.as_bytes().get(value_at), Some(b'"' | b'\''));
                    if self.env && !quoted && !value.is_empty() {
                        let rest = line.get(value_at..).unwrap_or("");
                        let end = rest.find(" #").unwrap_or(rest.len());
                        push(
                            out,
                            base + value_at,
                            base + value_at + rest.get(..end).unwrap_or(rest).trim_end().len(),
                        );
                        masked_to = line.len();
                    } else if !value.is_empty() {
                        self.push_word(line, from, value_at, base, out);
                    }
                }
            } else if !after_key
                && !in_expression
                && token.contains('_')
                && is_name(token)
                && is_secret_key(token)
            {
                // A setting's name (`config set private_api_key X`), not a YAML value such as
                // `name: DB_PASSWORD`.
                self.flag = Some(Flag::Setting);
            }
        }
        // Only a `-` flag waits for the next line.
        if self.flag == Some(Flag::Setting) {
            self.flag = None;
        }
        authorization(line, base, out);
    }

    /// A blank or comment line: a flag does not take its argument across it.
    pub fn forget(&mut self) {
        self.flag = None;
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// `Authorization: Bearer X` anywhere (a curl `-H` argument, a header map).
fn authorization(line: &str, base: usize, out: &mut Vec<Span>) {
    let lower = line.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower.get(search..).and_then(|s| s.find("authorization")) {
        let after_word = search + found + "authorization".len();
        let rest = lower.get(after_word..).unwrap_or("");
        let Some(after_colon) = rest
            .trim_start_matches(['"', '\'', '\\'])
            .trim_start()
            .strip_prefix(':')
        else {
            search = after_word;
            continue;
        };
        let at = line.len() - after_colon.len();
        let value = line.get(at..).unwrap_or("");
        let end = value
            .find(['"', '\'', ',', '}', ')', '\\'])
            .unwrap_or(value.len());
        push(out, base + at, base + at + end);
        search = at + end.max(1);
    }
}

/// Tokens of `line`: runs of bytes other than whitespace, quotes, brackets, parentheses,
/// commas, `;` and backticks, as byte ranges.
fn tokens(line: &str) -> Vec<(usize, usize)> {
    let separator = |b: u8| {
        b.is_ascii_whitespace()
            || matches!(
                b,
                b'"' | b'\'' | b'[' | b']' | b'(' | b')' | b',' | b';' | b'`'
            )
    };
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, &b) in line.as_bytes().iter().enumerate() {
        match (separator(b), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, line.len()));
    }
    out
}

/// The credential of a value that is an HTTP authorization on its own (`Basic dXNlcjpw`,
/// `Bearer eyJhbGciOi...`, under any key): its byte range in `value`.
pub fn scheme_credential(value: &str) -> Option<Range<usize>> {
    let trimmed = value.trim();
    let lead = value.len() - value.trim_start().len();
    let (scheme, credential) = trimmed.split_once(' ')?;
    if !["basic", "bearer", "token"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
    {
        return None;
    }
    let credential = credential.trim_start();
    let token_char = |b: u8| b.is_ascii_alphanumeric() || b"+/=._~-".contains(&b);
    // A token, not a word or a version (`Basic Deployment`, `Bearer tokens`, `Token
    // v2.10`): base64 padding, or letters and digits mixed in a run no word is (two digits
    // or more among sixteen characters or more).
    let digits = credential.bytes().filter(u8::is_ascii_digit).count();
    let letters = credential.bytes().filter(u8::is_ascii_alphabetic).count();
    let token =
        credential.ends_with('=') || (credential.len() >= 16 && digits >= 2 && letters >= 2);
    if credential.len() < 8 || !token || !credential.bytes().all(token_char) {
        return None;
    }
    let start = lead + (trimmed.len() - credential.len());
    Some(start..start + credential.len())
}

/// Whether `text` holds a PEM private key (`-----BEGIN ... PRIVATE KEY-----`).
pub fn has_private_key(text: &str) -> bool {
    text.find("-----BEGIN")
        .and_then(|at| text.get(at..))
        .is_some_and(|rest| rest.contains("PRIVATE KEY-----"))
}

/// Every scanner over a text written as a string: connection-string passwords, pairs of
/// secret-named keys, command lines, a line at a time.
pub fn scan_string(text: &str, base: usize, out: &mut Vec<Span>) {
    scan_lines(text, base, false, out);
}

/// [`scan_string`], for a dotenv file when `env` (an unquoted value runs to the end of its
/// line).
pub fn scan_lines(text: &str, base: usize, env: bool, out: &mut Vec<Span>) {
    let mut commands = CommandLine {
        env,
        ..CommandLine::default()
    };
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if commands.open.is_some() {
            commands.line(content, base + offset, out);
        } else if content.trim().is_empty() || content.trim_start().starts_with('#') {
            commands.forget();
        } else if commands.flag.is_some() || may_hold_secret(content.as_bytes()) {
            secret_pairs(content, base + offset, out);
            commands.line(content, base + offset, out);
        }
        offset += line.len();
    }
    connection_passwords(text, base, out);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    fn values(line: &str) -> Vec<(&str, &str)> {
        pairs(line)
            .into_iter()
            .map(|p| (&line[p.key], &line[p.value]))
            .collect()
    }

    #[test]
    fn pairs_in_every_syntax() {
        assert_eq!(values("password: a b  "), [("password", "a b")]);
        assert_eq!(values("private_key = A B"), [("private_key", "A B")]);
        assert_eq!(
            values("{\"a\": \"x\", 'b': y, c: z}"),
            [("a", "x"), ("b", "y"), ("c", "z")]
        );
        assert_eq!(
            values("{\\\"PrivateKey\\\":\\\"k\\\",\\\"BaseUrl\\\":\\\"u\\\"}"),
            [("PrivateKey", "k"), ("BaseUrl", "u")]
        );
        assert_eq!(
            values("run: export X_KEY=v; y"),
            [("run", "export X_KEY=v; y"), ("X_KEY", "v")]
        );
        assert_eq!(values("API_KEY := v"), [("API_KEY", "v")]);
        assert_eq!(values("uri: mongodb://h"), [("uri", "mongodb://h")]);
        assert_eq!(values("token: x # note"), [("token", "x")]);
        assert_eq!(
            values("Type: AWS::SecretsManager::Secret"),
            [("Type", "AWS::SecretsManager::Secret")]
        );
    }

    fn masked(line: &str) -> Vec<&str> {
        let mut out = Vec::new();
        CommandLine::default().line(line, 0, &mut out);
        out.iter()
            .map(|s| &line[s.start as usize..s.end as usize])
            .collect()
    }

    /// A password with a raw `?` or an escaped quote in it is masked to its `@`; a host's
    /// port, a query after the host, and text after the closing quote are not.
    #[test]
    fn connection_passwords_with_a_question_mark_or_an_escaped_quote() {
        let passwords = |text: &str| {
            let mut out = Vec::new();
            connection_passwords(text, 0, &mut out);
            out.iter()
                .map(|s| text[s.start as usize..s.end as usize].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            passwords(r#"mongodb://app:Pa\"ssw0rd@c.x.mongodb.net/?authSource=admin"#),
            [r#"Pa\"ssw0rd"#]
        );
        assert_eq!(
            passwords("mongodb://app:ab?cdS3@c.x.mongodb.net/?w=1"),
            ["ab?cdS3"]
        );
        assert_eq!(
            passwords("mongodb://app:ab?cd@c.x.mongodb.net/?authSource=admin&user=x@y"),
            ["ab?cd"]
        );
        assert_eq!(
            passwords(r#"uri: "mongodb://h.x.net:27017/?a=b" @other"#),
            Vec::<String>::new()
        );
        assert_eq!(
            passwords("mongodb://u:p@h.x.net/?authMechanism=SCRAM-SHA-256"),
            ["p"]
        );
        // Raw quotes in a plain value's password, or a quoted password.
        assert_eq!(
            passwords("uri: mongodb+srv://bob:p\"ssw0rd@c.x.mongodbgov.net/?w=1"),
            ["p\"ssw0rd"]
        );
        assert_eq!(
            passwords("uri: mongodb+srv://bob:\"hunter2\"@c.x.mongodbgov.net/?w=1"),
            ["\"hunter2\""]
        );
        // Characters that end an authority, in a password: masked to the host's `@`.
        assert_eq!(
            passwords("v: mongodb://bob:S`x@c.x.mongodbgov.net/?w=1"),
            ["S`x"]
        );
        assert_eq!(
            passwords("v: mongodb://bob:\"S a\"@c.x.mongodbgov.net/?w=1"),
            ["\"S a\""]
        );
        assert_eq!(
            passwords("v: mongodb://bob:S<x y@c.x.mongodbgov.net"),
            ["S<x y"]
        );
        // A host and port without a password, and no `@` before a host: nothing.
        assert_eq!(
            passwords("mongodb://c.x.mongodbgov.net:27017/db"),
            Vec::<String>::new()
        );
        assert_eq!(
            passwords(r#"{"uri": "mongodb://db.example.com:27017", "mail": "ops@agency.example"}"#),
            Vec::<String>::new()
        );
    }

    #[test]
    fn authorization_values_under_any_key() {
        let cred = |v: &'static str| scheme_credential(v).map(|r| &v[r]);
        assert_eq!(
            cred("Basic dXNlcjpwYXNzd29yZA=="),
            Some("dXNlcjpwYXNzd29yZA==")
        );
        assert_eq!(
            cred("  Bearer eyJhbGciOiJIUzI1NiJ9.e30.x "),
            Some("eyJhbGciOiJIUzI1NiJ9.e30.x")
        );
        assert_eq!(cred("Token based authentication"), None);
        assert_eq!(cred("Bearer tokens"), None);
        assert_eq!(cred("Basic setup"), None);
        assert_eq!(cred("Basic Deployment"), None);
        assert_eq!(cred("Basic Configuration"), None);
        assert_eq!(cred("Bearer Authentication"), None);
        assert_eq!(cred("Token v2.10.4-beta"), None);
        assert_eq!(
            cred("Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
            Some("ghp_16C7e42F292c6912E7710c838347Ae178B4a")
        );
    }

    /// A password attached to `-p` (`-pSECRET`, `-p=SECRET`) is masked like one after it; a
    /// port mapping is not.
    #[test]
    fn attached_short_passwords() {
        assert_eq!(masked("atlas dbusers create -u a -pPw6 --scope x"), ["Pw6"]);
        assert_eq!(masked("atlas dbusers create -u a -p=Pw8"), ["Pw8"]);
        assert_eq!(masked("mongosh -u a -p Pw9 host"), ["Pw9"]);
        assert_eq!(
            masked("docker run -p8080:80 -p=9090:90 img"),
            Vec::<&str>::new()
        );
        assert_eq!(masked("curl --proxy x"), Vec::<&str>::new());
    }

    /// A variable's expansion is no secret, also escaped for a script inside a string; a
    /// literal beside it still is.
    #[test]
    fn a_user_and_key_of_variables_is_not_a_secret() {
        assert_eq!(
            masked(r#"curl --user "$PUB:$PRIV" https://x"#),
            Vec::<&str>::new()
        );
        assert_eq!(
            masked(r#"curl -u ${PUB}:${PRIV} https://x"#),
            Vec::<&str>::new()
        );
        assert_eq!(
            masked(r#"curl -u "admin:s3cretPassw0rd" https://x"#),
            vec!["s3cretPassw0rd"]
        );
    }

    #[test]
    fn variables_escaped_in_a_string_are_not_secrets() {
        assert_eq!(
            masked(
                r#"bash -c "atlas integrations create DATADOG --apiKey \"\$DDK\" --projectId $P""#
            ),
            Vec::<&str>::new()
        );
        assert_eq!(masked(r#"x --apiKey "$DDK""#), Vec::<&str>::new());
        assert_eq!(masked(r#"x --apiKey \"abc$DDK\""#).len(), 1);
        assert_eq!(masked(r#"x --apiKey s3cr3t"#), ["s3cr3t"]);
        // `"\$K..."` in a script is the literal text `$K...`: a key; so is `\"\$K\"` outside
        // a double-quoted string.
        assert_eq!(masked(r#"x --apiKey "\$Kx9fQ2mZ7L""#).len(), 1);
        assert_eq!(
            masked(r#"x --apiKey \"\$Kx9fQ2mZ7L\" --region US"#).len(),
            1
        );
    }

    /// In an exec array (a Dockerfile's `CMD [...]`), the secret is what its quotes hold: the
    /// bracket or comma after it is not masked.
    #[test]
    fn a_quoted_secret_in_an_exec_array_ends_at_its_quote() {
        assert_eq!(
            masked(r#"CMD ["atlas", "projects", "list", "--apiKey", "k3y"]"#),
            ["k3y"]
        );
        assert_eq!(masked(r#"["--password", "pw", "--x"]"#), ["pw"]);
        // A shell word goes on after its quotes.
        assert_eq!(
            masked(r#"mongosh --password "pw"suffix h"#),
            [r#"pw"suffix"#]
        );
    }
}
