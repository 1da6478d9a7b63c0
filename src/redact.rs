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
        if let Some((key_end, value_start)) = key_value(content) {
            if content.get(..key_end).is_some_and(is_secret_key) {
                let value = content.get(value_start..).unwrap_or("").trim();
                if value.starts_with('|') || value.starts_with('>') {
                    block_indent = Some(indent);
                } else if !value.starts_with('{') && !value.starts_with('[') {
                    mask(value_start, content.len(), &mut bytes);
                }
            }
        }
        mask_connection_passwords(content, |from, to| mask(from, to, &mut bytes));
        offset += line.len();
    }
    // Masking replaced whole ASCII bytes or every byte of a multibyte character; re-validate
    // anyway and fall back to a blanket mask rather than ever panicking or leaking.
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

/// For `key: value`, `"key": value` or `key = value`, the end of the key and start of the value.
fn key_value(line: &str) -> Option<(usize, usize)> {
    let trimmed = line.trim_start().trim_start_matches("- ");
    let start = line.len() - trimmed.len();
    let sep = trimmed.find([':', '='])?;
    let key = trimmed.get(..sep)?.trim().trim_matches(['"', '\'']);
    if key.is_empty() || key.contains(' ') {
        return None;
    }
    let key_pos = line.find(key)?;
    let _ = start;
    Some((key_pos + key.len(), start + sep + 1))
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
    fn references_to_secrets_are_not_secrets() {
        let text = "passwordSecretRef:\n  name: my-secret\n";
        assert_eq!(redact(text), text);
    }
}
