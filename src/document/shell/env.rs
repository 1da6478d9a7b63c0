//! Environment files (`.env`, `*.env`, direnv's `.envrc` is a script, not this): one
//! `KEY=value` per line, read as dotenv libraries and `docker --env-file` read them, into one
//! mapping whose values keep their exact spans.
//!
//! - blank lines and lines starting with `#` are skipped; `export ` before a key is allowed;
//! - a value in single quotes is literal; in double quotes it may span lines (escapes are kept
//!   as written); the span is the text inside the quotes;
//! - an unquoted value runs to the end of the line, less a ` #` comment and trailing blanks;
//!   quotes inside it are plain characters (`GREETING=It's here`);
//! - a line without `=` (or with a key that is not a name) is not a setting and is skipped:
//!   an environment file never fails to parse.
//!
//! Java properties files are read here too ([`parse_properties`]).

use crate::document::{Document, Entry, Limits, Node, ParseError, Span, Value};

fn is_name(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

pub(super) fn parse(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    let mut entries = Vec::new();
    let b = text.as_bytes();
    let mut pos = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    while pos < b.len() {
        let line_end = b
            .get(pos..)
            .and_then(|r| r.iter().position(|&c| c == b'\n'))
            .map_or(b.len(), |i| pos + i);
        let line = text.get(pos..line_end).unwrap_or("");
        let indent = line.len() - line.trim_start().len();
        let mut start = pos + indent;
        let mut rest = line.trim_start();
        if let Some(r) = rest.strip_prefix("export ") {
            start += rest.len() - r.trim_start().len();
            rest = r.trim_start();
        }
        let mut next = line_end + 1;
        if let Some((key, _)) = rest.split_once('=').filter(|_| !rest.starts_with('#')) {
            let key_trimmed = key.trim_end();
            if is_name(key_trimmed) {
                let key_span = Span::new(start, start + key_trimmed.len());
                let value_start = start + key.len() + 1;
                let after = text.get(value_start..).unwrap_or("");
                let lead = after.len() - after.trim_start_matches([' ', '\t']).len();
                let v0 = value_start + lead;
                let (vs, ve, end_of_setting) = match b.get(v0) {
                    Some(&q @ (b'"' | b'\'')) => {
                        // Up to the closing quote (a `\"` does not close a double-quoted value).
                        let mut i = v0 + 1;
                        let mut close = None;
                        while let Some(&c) = b.get(i) {
                            if c == b'\\' && q == b'"' {
                                i += 2;
                                continue;
                            }
                            if c == q {
                                close = Some(i);
                                break;
                            }
                            if c == b'\n' && q == b'\'' {
                                break;
                            }
                            i += 1;
                        }
                        match close {
                            Some(c) => {
                                let end = b
                                    .get(c..)
                                    .and_then(|r| r.iter().position(|&x| x == b'\n'))
                                    .map_or(b.len(), |i| c + i);
                                (v0 + 1, c, end)
                            }
                            // Unclosed: the rest of the line, as written.
                            None => (v0, line_end, line_end),
                        }
                    }
                    _ => {
                        let raw = text.get(v0..line_end).unwrap_or("");
                        let raw = raw.strip_suffix('\r').unwrap_or(raw);
                        let cut = raw
                            .find(" #")
                            .or_else(|| raw.find("\t#"))
                            .unwrap_or(raw.len());
                        let value = raw.get(..cut).unwrap_or("").trim_end();
                        (v0, v0 + value.len(), line_end)
                    }
                };
                let value = text.get(vs..ve).unwrap_or("");
                if entries.len() >= limits.max_nodes {
                    return Err(ParseError {
                        message: format!("document has more than {} nodes", limits.max_nodes),
                        span: key_span,
                    });
                }
                entries.push(Entry {
                    key: Node::new(Value::String(key_trimmed.into()), key_span),
                    value: Node::new(Value::String(value.into()), Span::new(vs, ve)),
                });
                next = end_of_setting + 1;
            }
        }
        pos = next;
    }
    Ok(settings_document(entries, text.len()))
}

/// Java properties files (`application.properties`, Spring's): one `key=value` (or `key:
/// value`, `key value`) per line, read as `java.util.Properties` reads them, into one mapping
/// whose values keep their exact spans.
///
/// - blank lines and lines starting with `#` or `!` are skipped;
/// - the key ends at the first `=`, `:` or blank not escaped by a backslash; blanks around the
///   separator are not part of the value, which runs to the end of the line (`#` in it is
///   literal);
/// - a line ending in an odd number of backslashes continues on the next; such a value, and
///   one with an escape (`\:`, `\u0041`), is kept as written (its span is the text, escapes
///   and all), so a value is never altered;
/// - never fails to parse.
pub(super) fn parse_properties(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    let mut entries = Vec::new();
    let b = text.as_bytes();
    let mut pos = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let line_end_at = |from: usize| {
        b.get(from..)
            .and_then(|r| r.iter().position(|&c| c == b'\n'))
            .map_or(b.len(), |i| from + i)
    };
    let continues = |line: &[u8]| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
    };
    while pos < b.len() {
        let line_end = line_end_at(pos);
        let line = b.get(pos..line_end).unwrap_or(&[]);
        let indent = line
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t' | b'\x0c'))
            .count();
        let start = pos + indent;
        // A comment is one line (a backslash at its end continues nothing).
        let first = b.get(start).copied();
        if matches!(first, None | Some(b'#' | b'!' | b'\n' | b'\r')) {
            pos = line_end + 1;
            continue;
        }
        // The logical line: continued physical lines joined.
        let mut end = line_end;
        while continues(b.get(pos..end).unwrap_or(&[])) && end < b.len() {
            end = line_end_at(end + 1);
        }
        let next = end + 1;
        // The key: up to the first unescaped separator.
        let mut i = start;
        while let Some(&c) = b.get(i).filter(|_| i < end) {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if matches!(c, b'=' | b':' | b' ' | b'\t' | b'\x0c' | b'\r') {
                break;
            }
            i += 1;
        }
        let key_end = i.min(end);
        // The separator: blanks, then one `=` or `:`, then blanks.
        let blanks = |mut j: usize| {
            while matches!(b.get(j), Some(b' ' | b'\t' | b'\x0c')) && j < end {
                j += 1;
            }
            j
        };
        let mut v0 = blanks(key_end);
        if matches!(b.get(v0), Some(b'=' | b':')) && v0 < end {
            v0 = blanks(v0 + 1);
        }
        let mut ve = end;
        if b.get(ve.wrapping_sub(1)) == Some(&b'\r') && ve > v0 {
            ve -= 1;
        }
        let (Some(key), Some(value)) = (text.get(start..key_end), text.get(v0..ve)) else {
            pos = next;
            continue;
        };
        if !key.is_empty() {
            if entries.len() >= limits.max_nodes {
                return Err(ParseError {
                    message: format!("document has more than {} nodes", limits.max_nodes),
                    span: Span::new(start, key_end),
                });
            }
            entries.push(Entry {
                key: Node::new(Value::String(key.into()), Span::new(start, key_end)),
                value: Node::new(Value::String(value.into()), Span::new(v0, ve)),
            });
        }
        pos = next;
    }
    Ok(settings_document(entries, text.len()))
}

/// One mapping of settings as a file's document.
fn settings_document(entries: Vec<Entry>, len: usize) -> Document {
    Document {
        roots: vec![Node::new(Value::Map(entries), Span::new(0, len))],
        warnings: Vec::new(),
        aliased: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_settings_and_their_spans() {
        let text = "# c \\\n! c\n\nspring.data.mongodb.uri=mongodb+srv://a/?x=1#frag\nb.key : value one\nc value\n  d=\nlong=a\\\n  b\ne\\:k=v\r\n\u{FEFF}";
        let doc = parse_properties(text, &Limits::default()).unwrap();
        let Some(Value::Map(entries)) = doc.roots.first().map(|r| &r.value) else {
            panic!("no mapping");
        };
        let got: Vec<(String, String)> = entries
            .iter()
            .map(|e| {
                let at = |n: &Node| text[n.span.start as usize..n.span.end as usize].to_string();
                let Value::String(v) = &e.value.value else {
                    panic!()
                };
                assert_eq!(at(&e.value), v.to_string());
                assert_eq!(Some(at(&e.key).as_str()), e.key.as_str());
                (at(&e.key), v.to_string())
            })
            .collect();
        let want = [
            ("spring.data.mongodb.uri", "mongodb+srv://a/?x=1#frag"),
            ("b.key", "value one"),
            ("c", "value"),
            ("d", ""),
            ("long", "a\\\n  b"),
            ("e\\:k", "v"),
            ("\u{FEFF}", ""),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
        for text in ["", "=", ":", "\\", "a\\", "a=\\", "\u{FEFF}", " \\\n"] {
            assert!(
                parse_properties(text, &Limits::default()).is_ok(),
                "{text:?}"
            );
        }
    }

    fn settings(text: &str) -> Vec<(String, String, String)> {
        let doc = parse(text, &Limits::default()).unwrap();
        let Some(Value::Map(entries)) = doc.roots.first().map(|r| &r.value) else {
            panic!("no mapping");
        };
        entries
            .iter()
            .map(|e| {
                let at = |n: &Node| text[n.span.start as usize..n.span.end as usize].to_string();
                let Value::String(v) = &e.value.value else {
                    panic!()
                };
                assert_eq!(at(&e.value), v.to_string());
                (at(&e.key), v.to_string(), at(&e.value))
            })
            .collect()
    }

    #[test]
    fn settings_and_their_spans() {
        let text = "# comment\n\nA=1\nexport B = two words # note\nC='It''s'\nD=\"multi\nline \\\" x\"\nE=It's here\r\nnot a setting\n=x\nF=\n  G=\"unclosed\nH='a#b'\n";
        let got: Vec<(String, String)> =
            settings(text).into_iter().map(|(k, v, _)| (k, v)).collect();
        let want: Vec<(String, String)> = [
            ("A", "1"),
            ("B", "two words"),
            ("C", "It"),
            ("D", "multi\nline \\\" x"),
            ("E", "It's here"),
            ("F", ""),
            ("G", "\"unclosed"),
            ("H", "a#b"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn any_bytes_parse() {
        for text in [
            "",
            "=",
            "\"",
            "A=\"",
            "A='",
            "A=\"\\",
            "\u{FEFF}A=1",
            "export",
            "export A",
        ] {
            assert!(parse(text, &Limits::default()).is_ok(), "{text:?}");
        }
    }
}
