//! Keeping secrets out of every output.
//!
//! Findings never quote secret values; the only place a secret could leak is source text a
//! reporter shows (snippets, the HTML report's config). Secrets are found where the tree knows
//! the keys, when a file is parsed (`document::secrets`), and travel with the outcome as byte
//! spans ([`Outcome::secrets`]); [`masked`] masks them. On top of that, over the text:
//!
//! - the rest of a comment after a secret-looking word (`# password hunter2`), in every file
//!   whose syntax has comments (a directive, `atlasgov-lint: ...`, is the tool's own and stays);
//! - for a file whose tree gave no secrets because it did not parse, a small fallback, line by
//!   line: the whole right-hand side of a key named like a secret (`private_key = A B`) and the
//!   lines a block scalar or heredoc opened there holds, a sibling `value` named by a secret
//!   `name` on the same line, PEM blocks, connection-string passwords and command lines.
//!
//! Masking keeps byte offsets (every masked byte becomes `*`; whitespace, quotes and commas
//! stay), so spans computed on the original text stay valid.

use crate::document::Span;
use crate::document::secrets::{
    self, NAME_KEYS, SENSITIVE_FLAGS, VALUE_KEYS, is_secret_key, is_secret_name, text,
};
use crate::fix::TextEdit;
use crate::outcome::Outcome;
use crate::source::{self, Comments};
use crate::suppress::MARKER;

/// The text of `file` with its secrets masked (`None` when the run has no text for it).
pub fn masked(outcome: &Outcome, file: u32) -> Option<String> {
    let text = outcome.text(file)?;
    let mut spans = match outcome.secrets.get(&file) {
        Some(spans) => spans.clone(),
        None => fallback(text),
    };
    comments(
        text,
        source::kind_or_yaml(outcome.path(file)).comments,
        &mut spans,
    );
    Some(mask(text, &spans))
}

/// The text of `file` before and after `edits` (byte edits of that text, in order, not
/// overlapping), each with its secrets masked: the after text's spans are the before text's,
/// moved past the edits (a span an edit touches covers the edit's replacement too).
pub fn masked_edit(outcome: &Outcome, file: u32, edits: &[TextEdit]) -> Option<(String, String)> {
    let text = outcome.text(file)?;
    let mut spans = match outcome.secrets.get(&file) {
        Some(spans) => spans.clone(),
        None => fallback(text),
    };
    comments(
        text,
        source::kind_or_yaml(outcome.path(file)).comments,
        &mut spans,
    );
    let after = crate::fix::apply(text, edits);
    let moved: Vec<Span> = spans.iter().map(|s| moved(*s, edits)).collect();
    Some((mask(text, &spans), mask(&after, &moved)))
}

/// `span` of a text, in the text after `edits` (a span that ends inside an edit covers its
/// replacement; an insertion where a span ends is not in it).
fn moved(span: Span, edits: &[TextEdit]) -> Span {
    let grow =
        |e: &TextEdit| e.new.len() as i64 - i64::from(e.span.end.saturating_sub(e.span.start));
    let shift = |at: u32, counts: &dyn Fn(&TextEdit) -> bool| -> usize {
        let by: i64 = edits.iter().filter(|e| counts(e)).map(grow).sum();
        usize::try_from((i64::from(at) + by).max(0)).unwrap_or(usize::MAX)
    };
    let start = shift(span.start, &|e| e.span.end <= span.start);
    let end_at = edits
        .iter()
        .filter(|e| e.span.start < span.end && span.end < e.span.end)
        .map(|e| e.span.end)
        .max()
        .unwrap_or(span.end);
    let end = shift(end_at, &|e| e.span.end <= end_at && e.span.start < end_at);
    Span::new(start, end.max(start))
}

/// A value read from a spec, masked as a snippet would mask it (a connection string's password,
/// a key block), for reporters that print model values.
pub fn value(s: &str) -> String {
    if text::has_private_key(s) {
        return mask(s, &[Span::new(0, s.len())]);
    }
    let mut spans = Vec::new();
    text::connection_passwords(s, 0, &mut spans);
    mask(s, &spans)
}

/// `text` with every byte of `spans` replaced by `*`, except whitespace, and the pair of quotes
/// that encloses a span (a span may hold a value with its quotes), so that the shape of the
/// line stays readable. Any other quote or comma is part of the secret (`bob:it's@`,
/// `hunter2,`), and masked. Spans out of range are ignored.
pub fn mask(text: &str, spans: &[Span]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for s in spans {
        let from = s.start as usize;
        let to = (s.end as usize).min(bytes.len());
        let enclosed = to >= from + 2
            && matches!(bytes.get(from), Some(b'"' | b'\''))
            && bytes.get(from) == to.checked_sub(1).and_then(|last| bytes.get(last));
        for (i, b) in bytes.iter_mut().enumerate().take(to).skip(from) {
            let edge = i == from || i + 1 == to;
            if !(b.is_ascii_whitespace() || (enclosed && edge)) {
                *b = b'*';
            }
        }
    }
    // Masking replaced whole ASCII bytes or every byte of a multibyte character, except at a
    // span's edge inside one: fall back to a blanket mask rather than ever panicking or leaking.
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

/// Mask the rest of each comment after a secret-looking word.
fn comments(text: &str, style: Comments, out: &mut Vec<Span>) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(start) = comment_start(content, style) {
            let comment = content.get(start..).unwrap_or("");
            if !comment.contains(MARKER) {
                let mut at = 0;
                for word in comment.split_inclusive(char::is_whitespace) {
                    at += word.len();
                    let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
                    if is_secret_key(bare) {
                        secrets::push(out, offset + start + at, offset + content.len());
                        break;
                    }
                }
            }
        }
        offset += line.len();
    }
}

/// Where a comment starts in a line: `#` at the start or after whitespace (or `//` in HCL;
/// only `//` in JSON), outside quotes.
fn comment_start(line: &str, style: Comments) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut k = 0;
    while let Some(&b) = bytes.get(k) {
        let prev = k.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        let after_space = prev.is_none_or(|p| p.is_ascii_whitespace());
        match quote {
            Some(q) if b == b'\\' && q == b'"' => k += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' => quote = Some(b),
            // A `'` opens a string where a value starts, not inside a word (`it's`).
            None if b == b'\''
                && prev.is_none_or(|p| p.is_ascii_whitespace() || b":=[{,(".contains(&p)) =>
            {
                quote = Some(b)
            }
            None if b == b'#' && after_space && style != Comments::Slashes => return Some(k),
            // In JSON a comment (`//`, or `/* ... */`) may follow a comma or a brace directly.
            None if b == b'/'
                && ((bytes.get(k + 1) == Some(&b'/')
                    && (style == Comments::Slashes
                        || (style == Comments::HashAndSlashes && after_space)))
                    || (bytes.get(k + 1) == Some(&b'*') && style == Comments::Slashes)) =>
            {
                return Some(k);
            }
            None => {}
        }
        k += 1;
    }
    None
}

/// An entry (an HCL block, a YAML mapping, a list item) of a file read as text: whether it is
/// named like a secret, and the `default`/`value` values seen before it was known to be.
struct Entry {
    /// Lines whose first key is left of this column are outside it.
    column: usize,
    secret: bool,
    pending: Vec<Span>,
}

/// Secrets of a file whose tree gave none (it did not parse), from its text, line by line.
pub fn fallback(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    // Shell-like lines, PEM blocks, connection strings.
    secrets::collect_lines(text, &mut out);
    // Lines below a secret key that hold its value: (indent of the key, heredoc delimiter).
    let mut open: Option<(usize, Option<String>)> = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut explicit_secret = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        match &open {
            Some((_, Some(delim))) => {
                if trimmed == delim {
                    open = None;
                } else {
                    secrets::push(&mut out, offset, offset + content.len());
                }
                offset += line.len();
                continue;
            }
            Some((key_indent, None)) if trimmed.is_empty() || indent > *key_indent => {
                secrets::push(&mut out, offset, offset + content.len());
                offset += line.len();
                continue;
            }
            _ => open = None,
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
            offset += line.len();
            continue;
        }
        // A YAML explicit key (`? password`) or a key alone on its line (`"password"`): the
        // value on the next line (`: Hunter2`) is its.
        if let Some(value) = trimmed.strip_prefix(": ").filter(|_| explicit_secret) {
            let at = offset + content.len() - value.len();
            secrets::push(&mut out, at, offset + content.len());
            explicit_secret = false;
            offset += line.len();
            continue;
        }
        explicit_secret = {
            let key = trimmed
                .strip_prefix("? ")
                .unwrap_or(trimmed)
                .trim_matches(['"', '\'']);
            (trimmed.starts_with("? ") || !trimmed.contains([':', '=', ' '])) && is_secret_key(key)
        };
        let found = text::pairs(content);
        let column = found.first().map_or(indent, |p| {
            p.key.start
                - usize::from(
                    p.key.start > indent
                        && content
                            .as_bytes()
                            .get(p.key.start - 1)
                            .is_some_and(|b| *b == b'"' || *b == b'\''),
                )
        });
        let item = trimmed.starts_with("- ");
        entries.retain(|e| e.column < column || (e.column == column && !item));
        if let Some(secret) = block_header(trimmed) {
            entries.push(Entry {
                column: indent + 1,
                secret,
                pending: Vec::new(),
            });
        } else if item {
            entries.push(Entry {
                column,
                secret: false,
                pending: Vec::new(),
            });
        }
        for (n, p) in found.iter().enumerate() {
            let key = content.get(p.key.clone()).unwrap_or("");
            let norm = secrets::normalized(key);
            let value = content.get(p.value.clone()).unwrap_or("");
            let quoted = matches!(content.as_bytes().get(p.rest), Some(b'"' | b'\''));
            if is_secret_key(key) && n == 0 && (!quoted || found.len() == 1) {
                // The first key of the line, unquoted or alone on it: its whole right-hand
                // side (`private_key = "A" "B"` in a file that does not parse is all secret).
                secrets::push(&mut out, offset + p.rest, offset + content.len());
                let rest = content.get(p.rest..).unwrap_or("").trim();
                if let Some(heredoc) = rest.strip_prefix("<<") {
                    let delim: String = heredoc
                        .trim_start_matches(['-', '~'])
                        .trim_matches(['"', '\''])
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    open = (!delim.is_empty()).then_some((indent, Some(delim)));
                } else if rest.is_empty() || rest.ends_with(['|', '>', '-']) {
                    open = Some((indent, None));
                }
            } else if is_secret_key(key) {
                secrets::push(&mut out, offset + p.value.start, offset + p.value.end);
            } else if n == 0 && value.is_empty() && p.value.start >= content.trim_end().len() {
                // A mapping opened here (`Region:`): its own entry.
                entries.push(Entry {
                    column: column + 1,
                    secret: false,
                    pending: Vec::new(),
                });
            } else if (NAME_KEYS.contains(&norm.as_str()) && is_secret_name(value))
                || (SENSITIVE_FLAGS.contains(&norm.as_str()) && value.eq_ignore_ascii_case("true"))
            {
                if entries.is_empty() {
                    entries.push(Entry {
                        column,
                        secret: false,
                        pending: Vec::new(),
                    });
                }
                if let Some(e) = entries.last_mut() {
                    e.secret = true;
                    out.append(&mut e.pending);
                }
            }
        }
        // Values of the entry: masked once it is known to be secret (on this line or above).
        for p in found.iter() {
            let key = content.get(p.key.clone()).unwrap_or("");
            if !VALUE_KEYS.contains(&secrets::normalized(key).as_str()) {
                continue;
            }
            let span = Span::new(offset + p.value.start, offset + p.value.end);
            match entries.last_mut() {
                Some(e) if e.secret => out.push(span),
                Some(e) => e.pending.push(span),
                None => {}
            }
        }
        offset += line.len();
    }
    secrets::normalize(&mut out);
    out
}

/// `Some(secret)` if `line` opens an HCL block (`variable "db_password" {`), with whether a
/// label is named like a secret.
fn block_header(line: &str) -> Option<bool> {
    let first = line.split_whitespace().next()?;
    if !first.starts_with(|c: char| c.is_ascii_alphabetic())
        || !first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    let head = line.get(first.len()..line.find('{')?)?;
    if head.contains(['=', ':']) {
        return None;
    }
    Some(
        head.split_whitespace()
            .any(|label| is_secret_key(label.trim_matches('"'))),
    )
}

#[cfg(test)]
mod tests;
