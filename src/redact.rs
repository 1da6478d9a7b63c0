//! Keeping secrets out of every output.
//!
//! Findings never quote secret values; the only place a secret could leak is a source snippet.
//! Before a file's text is shown, [`redact`] masks the values of secret-looking keys
//! (passwords, API keys, private keys, tokens), PEM blocks and connection-string passwords.
//! It works on text, so it covers every input format and files that did not parse.

/// Key names (lowercased, `_`/`-` removed) whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "apikey",
    "privatekey",
    "privateapikey",
    "token",
    "credential",
    "serviceaccountkey",
    "secretaccesskey",
    "accesskeyid",
    "clientsecret",
];

fn is_secret_key(key: &str) -> bool {
    let norm: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_KEYS.iter().any(|k| norm.contains(k))
        && !norm.ends_with("ref")
        && !norm.ends_with("name")
        && !norm.ends_with("type")
}

/// Mask secrets in `text`. Byte offsets are preserved (every masked byte becomes `*`), so
/// spans computed on the original text stay valid.
pub fn redact(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut block_indent: Option<usize> = None;
    let mut in_pem = false;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        let mask = |from: usize, to: usize, bytes: &mut Vec<u8>| {
            for b in bytes.iter_mut().take(offset + to).skip(offset + from) {
                if !b.is_ascii_whitespace() && *b != b'"' && *b != b'\'' && *b != b',' {
                    *b = b'*';
                }
            }
        };
        if content.contains("-----BEGIN") && content.contains("PRIVATE KEY") {
            in_pem = true;
        }
        if in_pem {
            mask(0, content.len(), &mut bytes);
            if content.contains("-----END") {
                in_pem = false;
            }
            offset += line.len();
            continue;
        }
        if let Some(bi) = block_indent {
            if content.trim().is_empty() || indent > bi {
                mask(0, content.len(), &mut bytes);
                offset += line.len();
                continue;
            }
            block_indent = None;
        }
        for pair in key_values(content) {
            if !content.get(pair.key.clone()).is_some_and(is_secret_key) {
                continue;
            }
            match pair.value {
                Value::Block => block_indent = Some(indent),
                Value::Scalar(from, to) => mask(from, to, &mut bytes),
                Value::Nested => {}
            }
        }
        mask_connection_passwords(content, |from, to| mask(from, to, &mut bytes));
        offset += line.len();
    }
    // Masking replaced whole ASCII bytes or every byte of a multibyte character; re-validate
    // anyway and fall back to a blanket mask rather than ever panicking or leaking.
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

enum Value {
    /// `from..to` of the value in the line.
    Scalar(usize, usize),
    /// A YAML block scalar (`|` or `>`): the lines below are the value.
    Block,
    /// A mapping or sequence: its own keys are judged on their own.
    Nested,
}

struct Pair {
    key: std::ops::Range<usize>,
    value: Value,
}

/// Every `key: value`, `"key": value` and `key = value` in one line (YAML, JSON, flow
/// mappings, HCL), with the key's range and the value's extent.
fn key_values(line: &str) -> Vec<Pair> {
    let bytes = line.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // A key: a quoted string or a bare word.
        let (key, after) = match at(i) {
            Some(q @ (b'"' | b'\'')) => match closing_quote(bytes, i + 1, q) {
                Some(end) => (i + 1..end, end + 1),
                None => break,
            },
            Some(b) if b.is_ascii_alphanumeric() || b == b'_' => {
                let mut j = i;
                while at(j)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                {
                    j += 1;
                }
                (i..j, j)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let mut j = after;
        while at(j).is_some_and(|b| b == b' ' || b == b'\t') {
            j += 1;
        }
        let is_sep = match at(j) {
            Some(b':') => !(at(j + 1) == Some(b'/') && at(j + 2) == Some(b'/')),
            Some(b'=') => at(j + 1) != Some(b'='),
            _ => false,
        };
        if !is_sep {
            i = after.max(i + 1);
            continue;
        }
        let mut v = j + 1;
        while at(v).is_some_and(|b| b == b' ' || b == b'\t') {
            v += 1;
        }
        let (value, next) = match at(v) {
            None | Some(b'#') => (Value::Nested, v),
            Some(b'{' | b'[') => (Value::Nested, v + 1),
            Some(b'|' | b'>') => (Value::Block, bytes.len()),
            Some(q @ (b'"' | b'\'')) => {
                let end = closing_quote(bytes, v + 1, q).unwrap_or(bytes.len());
                (Value::Scalar(v + 1, end), end + 1)
            }
            Some(_) => {
                let mut e = v;
                while at(e).is_some_and(|b| !matches!(b, b',' | b'}' | b']'))
                    && !(at(e) == Some(b'#') && at(e.wrapping_sub(1)) == Some(b' '))
                {
                    e += 1;
                }
                (Value::Scalar(v, e), e)
            }
        };
        pairs.push(Pair { key, value });
        i = next.max(i + 1);
    }
    pairs
}

/// The index of the quote that closes a string opened before `from`.
fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut k = from;
    while let Some(&b) = bytes.get(k) {
        if b == b'\\' && quote == b'"' {
            k += 2;
            continue;
        }
        if b == quote {
            return Some(k);
        }
        k += 1;
    }
    None
}

/// Call `mask(from, to)` for the password of every `scheme://user:password@host` in `line`.
fn mask_connection_passwords(line: &str, mut mask: impl FnMut(usize, usize)) {
    let mut search = 0;
    while let Some(found) = line.get(search..).and_then(|s| s.find("://")) {
        let auth_start = search + found + 3;
        let rest = line.get(auth_start..).unwrap_or("");
        let end = rest
            .find(['/', '?', ' ', '"', '\'', '\t'])
            .unwrap_or(rest.len());
        let authority = rest.get(..end).unwrap_or("");
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority.get(..at).and_then(|u| u.find(':')) {
                mask(auth_start + colon + 1, auth_start + at);
            }
        }
        search = auth_start;
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn masks_secret_values_and_keeps_length() {
        let text =
            "username: app\npassword: hunter2\n\"apiKey\": \"abc123\",\nsecretAccessKey = \"x\"\n";
        let out = redact(text);
        assert_eq!(out.len(), text.len());
        assert!(!out.contains("hunter2"));
        assert!(!out.contains("abc123"));
        assert!(out.contains("username: app"));
        assert!(out.contains("\"apiKey\": \"******\""));
    }

    #[test]
    fn masks_connection_string_passwords_and_blocks() {
        let text = "uri: mongodb+srv://app:s3cr%40t@db.example.net/?authMechanism=SCRAM-SHA-1\nprivateKey: |\n  line-one\n  line-two\nnext: ok\n";
        let out = redact(text);
        assert!(!out.contains("s3cr%40t"), "{out}");
        assert!(
            !out.contains("line-one") && !out.contains("line-two"),
            "{out}"
        );
        assert!(out.contains("mongodb+srv://app:"));
        assert!(out.contains("next: ok"));
    }

    #[test]
    fn every_secret_on_a_line_is_masked() {
        let text = "{ \"type\": \"DATADOG\", \"apiKey\": \"k1\" }, { \"typeName\": \"DATADOG\", \"datadogApiKey\": \"k2\", \"region\": \"EU\" }\n- {name: a, password: p3, x: y}\nprovider \"x\" { private_key = \"k4\" }\n";
        let out = redact(text);
        for secret in ["k1", "k2", "p3", "k4"] {
            assert!(
                !out.contains(&format!("{secret}\"")) && !out.contains(&format!("{secret},")),
                "{secret}: {out}"
            );
        }
        assert!(out.contains("\"region\": \"EU\""), "{out}");
        assert!(out.contains("x: y"), "{out}");
    }

    #[test]
    fn references_to_secrets_are_not_secrets() {
        let text = "passwordSecretRef:\n  name: my-secret\n";
        assert_eq!(redact(text), text);
    }
}
