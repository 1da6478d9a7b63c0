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
    let whole = Span::new(0, text.len());
    Ok(Document {
        roots: vec![Node::new(Value::Map(entries), whole)],
        warnings: Vec::new(),
        aliased: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
