//! Keeping secrets out of every output.
//!
//! Findings never quote secret values; the only place a secret could leak is a source snippet.
//! Before a file's text is shown, [`redact`] masks the values of secret-looking keys
//! (passwords, API keys, private keys, tokens), PEM blocks and connection-string passwords;
//! the `default`/`value` of anything named like a secret (a Terraform `variable
//! "db_password"`, a CloudFormation parameter `DBPassword` or one with `NoEcho: true`, a
//! Kubernetes env entry `name: ATLAS_PRIVATE_KEY`); and secrets on command lines (`--password
//! X`, `-p X`, `curl -u user:key`, `Authorization: Bearer X`, `config set private_api_key X`).
//! It works on text, so it covers every input format and files that did not parse; where it
//! is unsure it masks more rather than less.

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
    "servicekey",
    "routingkey",
    "licensekey",
    "integrationkey",
    "accountkey",
    "sharedkey",
    "authorization",
];

/// Keys that hold the value of whatever their enclosing entry names (`default`, `value`):
/// masked when that entry is named like a secret.
const VALUE_KEYS: &[&str] = &["default", "value", "defaultvalue", "stringvalue"];

/// Keys whose value names the entry (`name: DB_PASSWORD` beside `value: ...`).
const NAME_KEYS: &[&str] = &["name", "key", "parametername", "parameterkey"];

fn normalized(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_secret_key(key: &str) -> bool {
    let norm = normalized(key);
    SECRET_KEYS.iter().any(|k| norm.contains(k))
        && !norm.ends_with("ref")
        && !norm.ends_with("name")
        && !norm.ends_with("type")
}

/// An entry (a mapping, an HCL block, a list item) whose `default`/`value` keys may be secret.
struct Context {
    /// Lines indented less than this are outside the entry.
    min_indent: usize,
    /// Named like a secret (or marked `NoEcho`): its value keys are masked.
    secret: bool,
    /// Value-key values seen before the entry was known to be secret (`Default` above
    /// `NoEcho: true`), as byte ranges of the whole text.
    pending: Vec<(usize, usize)>,
}

/// Mask secrets in `text`. Byte offsets are preserved (every masked byte becomes `*`), so
/// spans computed on the original text stay valid.
pub fn redact(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut block_indent: Option<usize> = None;
    let mut in_pem = false;
    let mut contexts: Vec<Context> = Vec::new();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        if content.contains("-----BEGIN") && content.contains("PRIVATE KEY") {
            in_pem = true;
        }
        if in_pem {
            mask_range(&mut bytes, offset, offset + content.len());
            if content.contains("-----END") {
                in_pem = false;
            }
            offset += line.len();
            continue;
        }
        if let Some(bi) = block_indent {
            if content.trim().is_empty() || indent > bi {
                mask_range(&mut bytes, offset, offset + content.len());
                offset += line.len();
                continue;
            }
            block_indent = None;
        }
        let trimmed = content.trim_start();
        if !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with("//") {
            while contexts.last().is_some_and(|c| indent < c.min_indent) {
                contexts.pop();
            }
        }
        let pairs = key_values(content);
        let hcl_label = hcl_block_header(content);
        // Is the entry this line opens or sits in named like a secret? An entry opened and
        // closed on this line (`"P": { "NoEcho": true, "Default": "x" }`) is judged on the
        // line alone, never for the entry around it.
        let inline = pairs
            .iter()
            .any(|p| matches!(p.value, Value::Nested { last: false }));
        let mut line_secret = hcl_label == Some(true);
        let mut opener: Option<bool> = hcl_label;
        for pair in &pairs {
            let key = content.get(pair.key.clone()).unwrap_or("");
            let norm = normalized(key);
            match pair.value {
                Value::Nested { last: true } => opener = Some(is_secret_key(key)),
                Value::Nested { last: false } if is_secret_key(key) => line_secret = true,
                Value::Scalar(from, to) => {
                    let value = content.get(from..to).unwrap_or("").trim();
                    if NAME_KEYS.contains(&norm.as_str()) && is_secret_key(value) {
                        line_secret = true;
                        if !inline {
                            let column = pair.key.start.saturating_sub(usize::from(pair.quoted));
                            contexts.push(Context {
                                min_indent: column,
                                secret: true,
                                pending: Vec::new(),
                            });
                        }
                    }
                    let yes = value.trim_matches(['"', '\'']).eq_ignore_ascii_case("true");
                    if norm == "noecho" && yes {
                        line_secret = true;
                        if let Some(c) = contexts.last_mut().filter(|_| !inline) {
                            c.secret = true;
                            for (a, b) in std::mem::take(&mut c.pending) {
                                mask_range(&mut bytes, a, b);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let in_secret = line_secret || contexts.last().is_some_and(|c| c.secret);
        for pair in &pairs {
            let key = content.get(pair.key.clone()).unwrap_or("");
            match pair.value {
                Value::Block if is_secret_key(key) => block_indent = Some(indent),
                Value::Scalar(from, to) if is_secret_key(key) => {
                    mask_range(&mut bytes, offset + from, offset + to);
                }
                Value::Scalar(from, to) if VALUE_KEYS.contains(&normalized(key).as_str()) => {
                    if in_secret {
                        mask_range(&mut bytes, offset + from, offset + to);
                    } else if let Some(c) = contexts.last_mut().filter(|_| !inline) {
                        c.pending.push((offset + from, offset + to));
                    }
                }
                _ => {}
            }
        }
        if let Some(secret) = opener {
            contexts.push(Context {
                min_indent: indent + 1,
                secret: secret || in_secret,
                pending: Vec::new(),
            });
        }
        mask_connection_passwords(content, |from, to| {
            mask_range(&mut bytes, offset + from, offset + to);
        });
        mask_command_line(content, |from, to| {
            mask_range(&mut bytes, offset + from, offset + to);
        });
        offset += line.len();
    }
    // Masking replaced whole ASCII bytes or every byte of a multibyte character; re-validate
    // anyway and fall back to a blanket mask rather than ever panicking or leaking.
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

/// Replace every byte of `from..to` with `*`, except whitespace, quotes and commas (so the
/// shape of the line stays readable).
fn mask_range(bytes: &mut [u8], from: usize, to: usize) {
    for b in bytes.iter_mut().take(to).skip(from) {
        if !b.is_ascii_whitespace() && *b != b'"' && *b != b'\'' && *b != b',' {
            *b = b'*';
        }
    }
}

/// `Some(secret)` if `line` opens an HCL block (`variable "db_password" {`), with whether a
/// label is named like a secret.
fn hcl_block_header(line: &str) -> Option<bool> {
    let trimmed = line.trim();
    let first = trimmed.split_whitespace().next()?;
    if !first.starts_with(|c: char| c.is_ascii_alphabetic())
        || !first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    let brace = trimmed.find('{')?;
    let head = trimmed.get(first.len()..brace)?;
    if head.contains(['=', ':']) {
        return None;
    }
    let mut secret = false;
    for label in head.split_whitespace() {
        let bare = label.trim_matches('"');
        if bare.is_empty()
            || !bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        {
            return None;
        }
        secret |= is_secret_key(bare);
    }
    Some(secret)
}

/// Call `mask(from, to)` for secrets passed on a command line: the argument of a flag named
/// like a secret (`--password X`, `--apiKey=X`), of `-p` (unless it looks like a port
/// mapping), the key half of `-u`/`--user user:key`, an `Authorization:` header's
/// credentials, and the value after a setting named like a secret (`set private_api_key X`).
fn mask_command_line(line: &str, mut mask: impl FnMut(usize, usize)) {
    let tokens = shell_tokens(line);
    let mut previous: Option<(usize, usize)> = None;
    for &(from, to) in &tokens {
        let token = line.get(from..to).unwrap_or("");
        let bare = token.trim_matches(['"', '\'']);
        if let Some((pf, pt)) = previous.take() {
            let flag = line.get(pf..pt).unwrap_or("").trim_matches(['"', '\'']);
            let name = flag.trim_start_matches('-');
            if matches!(name, "u" | "user") {
                if let Some(colon) = token.find(':') {
                    mask(from + colon + 1, to);
                }
            } else if name == "p" {
                if bare.bytes().any(|b| b.is_ascii_alphabetic()) {
                    mask(from, to);
                }
            } else if !bare.is_empty() && !bare.starts_with(['-', '{', '=', ':']) {
                mask(from, to);
            }
            continue;
        }
        let flag_like = token.starts_with('-') && !token.starts_with("---");
        let setting_like = !flag_like
            && bare.contains('_')
            && bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if flag_like {
            let name = token.trim_start_matches('-');
            if let Some((flag, _)) = name.split_once('=') {
                if is_secret_key(flag) {
                    mask(from + token.find('=').unwrap_or(0) + 1, to);
                } else if matches!(flag, "u" | "user") {
                    if let Some(colon) = token.find(':') {
                        mask(from + colon + 1, to);
                    }
                }
            } else if matches!(name, "u" | "user" | "p") || is_secret_key(name) {
                previous = Some((from, to));
            }
        } else if setting_like && is_secret_key(bare) {
            previous = Some((from, to));
        }
    }
    // `Authorization: Bearer X` anywhere (a curl -H argument, a header map).
    let lower = line.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower.get(search..).and_then(|s| s.find("authorization")) {
        let mut at = search + found + "authorization".len();
        let rest = lower.get(at..).unwrap_or("");
        let Some(after_colon) = rest
            .trim_start_matches(['"', '\''])
            .trim_start()
            .strip_prefix(':')
        else {
            search = at;
            continue;
        };
        at = line.len() - after_colon.len();
        let value = line.get(at..).unwrap_or("");
        let end = value
            .find(['"', '\'', ',', '}', ')'])
            .unwrap_or(value.len());
        mask(at, at + end);
        search = at + end.max(1);
    }
}

/// Whitespace-separated tokens of `line` (a quoted run counts as part of its token), as
/// byte ranges.
fn shell_tokens(line: &str) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while let Some(&b) = bytes.get(i) {
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b.is_ascii_whitespace() => break,
                None => {}
            }
            i += 1;
        }
        if i > start {
            tokens.push((start, i));
        }
    }
    tokens
}

enum Value {
    /// `from..to` of the value in the line.
    Scalar(usize, usize),
    /// A YAML block scalar (`|` or `>`): the lines below are the value.
    Block,
    /// A mapping or sequence: its own keys are judged on their own. `last`: it is opened at
    /// the end of the line (its entries are on the lines below).
    Nested { last: bool },
}

struct Pair {
    key: std::ops::Range<usize>,
    /// The key was quoted (`key` starts one byte after the quote).
    quoted: bool,
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
        let quoted = matches!(at(i), Some(b'"' | b'\''));
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
        let rest_blank = |from: usize| {
            line.get(from..)
                .is_none_or(|r| r.trim().is_empty() || r.trim_start().starts_with('#'))
        };
        let (value, next) = match at(v) {
            None | Some(b'#') => (Value::Nested { last: true }, v),
            Some(b'{' | b'[') => (
                Value::Nested {
                    last: rest_blank(v + 1),
                },
                v + 1,
            ),
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
        pairs.push(Pair { key, quoted, value });
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

    /// Each secret appears in `text`; none may survive, and `keep` must.
    fn assert_masked(text: &str, secrets: &[&str], keep: &[&str]) {
        let out = redact(text);
        assert_eq!(out.len(), text.len());
        for secret in secrets {
            assert!(!out.contains(secret), "{secret} leaked:\n{out}");
        }
        for kept in keep {
            assert!(out.contains(kept), "{kept} masked:\n{out}");
        }
    }

    #[test]
    fn values_of_entries_named_like_secrets() {
        // Terraform variables, one-line and multi-line.
        assert_masked(
            "variable \"region\" { default = \"EU_WEST_1\" }\nvariable \"db_password\" { default = \"Hunter2-A\" }\nvariable \"api_key\" {\n  type    = string\n  default = \"Hunter2-B\"\n}\nvariable \"tier\" {\n  default = \"M10\"\n}\n",
            &["Hunter2-A", "Hunter2-B"],
            &["EU_WEST_1", "M10"],
        );
        // A resource whose name says what it holds.
        assert_masked(
            "resource \"aws_ssm_parameter\" \"atlas_private_key\" {\n  value = \"Hunter2-C\"\n}\n",
            &["Hunter2-C"],
            &[],
        );
        // CloudFormation parameters: by name, and by NoEcho above or below the default.
        assert_masked(
            "{\"Parameters\": {\n  \"ClusterRegion\": { \"Type\": \"String\", \"Default\": \"EU_WEST_1\" },\n  \"DBPassword\": { \"Type\": \"String\", \"NoEcho\": true, \"Default\": \"Hunter2-D\" },\n  \"Other\": { \"Default\": \"Hunter2-E\", \"NoEcho\": \"true\" },\n  \"Tier\": { \"Default\": \"M10\" }\n}}\n",
            &["Hunter2-D", "Hunter2-E"],
            &["EU_WEST_1", "M10"],
        );
        assert_masked(
            "Parameters:\n  Region:\n    Type: String\n    Default: EU_WEST_1\n  AdminCred:\n    Type: String\n    Default: Hunter2-F\n    NoEcho: true\n  Tier:\n    Default: M10\n",
            &["Hunter2-F"],
            &["EU_WEST_1", "M10"],
        );
        // Kubernetes env entries, block and flow style.
        assert_masked(
            "env:\n  - name: MONGODB_ATLAS_PRIVATE_KEY\n    value: 9f8e7d6c-9999\n  - name: REGION\n    value: US_EAST_1\n  - {name: DB_PASSWORD, value: Hunter2-G}\n",
            &["9f8e7d6c-9999", "Hunter2-G"],
            &["US_EAST_1"],
        );
        // PagerDuty and friends.
        assert_masked(
            "datadog_region = \"US\"\nservice_key = \"Hunter2-H\"\nrouting_key: Hunter2-I\n",
            &["Hunter2-H", "Hunter2-I"],
            &["\"US\""],
        );
    }

    #[test]
    fn secrets_on_command_lines() {
        assert_masked(
            concat!(
                "run: curl --user abcdpub:Hunter2-A https://cloud.mongodb.com/api\n",
                "  curl --digest -u \"pubkey:Hunter2-B\" -H \"Authorization: Bearer Hunter2-C\" x\n",
                "  mongosh \"mongodb+srv://c.mongodb.net/?authMechanism=SCRAM-SHA-1\" --username app --password Hunter2-D\n",
                "    -p Hunter2-E \\\n",
                "  docker run -p 127.0.0.1:8080:80 img --apiKey=Hunter2-F\n",
                "  atlas config set private_api_key Hunter2-G\n",
            ),
            &[
                "Hunter2-A",
                "Hunter2-B",
                "Hunter2-C",
                "Hunter2-D",
                "Hunter2-E",
                "Hunter2-F",
                "Hunter2-G",
            ],
            &[
                "abcdpub:",
                "pubkey:",
                "--username app",
                "8080:80",
                "SCRAM-SHA-1",
                "cloud.mongodb.com",
            ],
        );
    }

    #[test]
    fn ordinary_lines_are_untouched() {
        let text = "spec:\n  name: cluster0\n  value: M30\n  default: US_GOV_WEST_1\n---\n- -p\n# rotate the password monthly\nresource \"mongodbatlas_cluster\" \"c\" {\n  name = \"x\"\n}\n";
        assert_eq!(redact(text), text);
    }
}
