//! Where the secrets of a file are: byte spans of the values a reporter must never print.
//!
//! The tree knows the keys, so secrets are found on it, once, when a file is parsed
//! ([`collect`]): the value of a key named like a secret (`password`, `privateKey`,
//! `api-key`, `client_secret`, `DB_PASS`, `token`, ...); the `default`/`value` of an entry named
//! like a secret (a Terraform `variable "db_password"`, a CloudFormation parameter
//! `DBPassword`), marked `sensitive`/`NoEcho`, or named by a sibling (`{name: X-Api-Key, value:
//! ...}`, an env entry `MONGODB_ATLAS_PRIVATE_API_KEY`); PEM private keys in any string; and,
//! inside strings as written ([`text`]): connection-string passwords, pairs of secret-named keys
//! (JSON in a string), and command lines (`--password X`, `-p X`, `-u user:key`,
//! `Authorization: Bearer X`, `X_KEY=...`), exec arrays included (`["--password", "X"]`).
//!
//! Only secret values are marked. A reference (`!Ref DBPassword`, `{"Ref": ...}`) names where a
//! secret is, not the secret, and a value built from pieces (`!Join`, `Fn::Sub`) is masked piece
//! by piece: the base URL beside a private key in a profile secret stays readable, so the
//! finding that points at it still shows its value.
//!
//! Nothing here knows Atlas; the reporters mask the spans (`report::redact`).

pub mod text;

use super::{Node, Span, Value};

/// Key names (lowercased, non-alphanumerics removed) whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    // PostgreSQL's `PGPASS` (and the `PGPASSWORD` the first entry has).
    "pgpass",
    "secret",
    "apikey",
    "privatekey",
    "privateapikey",
    "privkey",
    "token",
    "credential",
    "serviceaccountkey",
    "secretaccesskey",
    "accesskeyid",
    "clientsecret",
    "clientkey",
    "servicekey",
    "routingkey",
    "licensekey",
    "integrationkey",
    "accountkey",
    "sharedkey",
    "tlskey",
    "sslkey",
    "authorization",
    // Incoming-webhook URLs carry their credential (`webhookUrl`, `microsoftTeamsWebhookUrl`).
    "webhookurl",
    // Signed URLs' signatures (`X-Amz-Signature=`).
    "signature",
];

/// Words of a key (split at `_`, `-`, `.` and camelCase) that make it a secret on their own.
const SECRET_WORDS: &[&str] = &["pass", "pw", "pwd", "sig"];

/// Keys that hold the value of whatever their enclosing entry names (`default`, `value`):
/// masked when that entry is named like a secret.
pub const VALUE_KEYS: &[&str] = &["default", "value", "defaultvalue", "stringvalue"];

/// Keys whose value names the entry (`name: DB_PASSWORD` beside `value: ...`).
pub const NAME_KEYS: &[&str] = &["name", "key", "parametername", "parameterkey"];

/// Keys that mark an entry secret when true (CloudFormation `NoEcho`, Terraform `sensitive`).
pub const SENSITIVE_FLAGS: &[&str] = &["noecho", "sensitive"];

/// Tags and keys of references: they name where a secret is kept, they are not the secret.
const REFERENCES: &[&str] = &[
    "Ref",
    "Fn::GetAtt",
    "GetAtt",
    "Fn::ImportValue",
    "ImportValue",
];

/// A key lowercased with everything but letters and digits removed.
pub fn normalized(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The words of a key: split at non-alphanumerics and where a lowercase letter meets an
/// uppercase one (`dbPass`: `db`, `pass`), lowercased.
pub fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // An acronym ends where its last capital starts a word (`AWSKey`: `aws`, `key`).
        let acronym_end = c.is_ascii_uppercase()
            && i.checked_sub(1)
                .and_then(|j| chars.get(j))
                .is_some_and(char::is_ascii_uppercase)
            && chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
        let boundary =
            !c.is_ascii_alphanumeric() || (prev_lower && c.is_ascii_uppercase()) || acronym_end;
        if boundary && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether a key (or a flag's, a variable's, a header's name) is named like a secret:
/// `password`, `dbPass`, `private_key`, `x-api-key`, but not `passwordSecretRef`,
/// `secretName` or `tokenType`.
pub fn is_secret_key(key: &str) -> bool {
    if key.len() < 2 || key.len() > 200 || !may_hold_secret(key.as_bytes()) {
        return false;
    }
    let norm = normalized(key);
    let words = words(key);
    let named = SECRET_KEYS.iter().any(|k| norm.contains(k))
        || words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || is_qualified_key(&words);
    // A reference, a name, a type, or where a password is kept (`PGPASSFILE`,
    // `password_path`) is not the secret.
    named
        && !["ref", "name", "type", "path", "passfile", "passwordfile"]
            .iter()
            .any(|end| norm.ends_with(end))
}

/// Words before a last `key` that make a name something other than a secret (`public_key`,
/// `partition_key`, `tag_key`).
const NOT_SECRET_KEY_QUALIFIERS: &[&str] = &[
    "public",
    "partition",
    "sort",
    "foreign",
    "shard",
    "hash",
    "range",
    "index",
    "cache",
    "lookup",
    "idempotency",
    "dedup",
    "deduplication",
    "group",
    "tag",
    "label",
    "map",
    "row",
    "unique",
    "composite",
    "sharding",
    "join",
    "object",
    "s3",
    "dictionary",
    "kms",
];

/// A name whose last word is `key` after a qualifier (`ENCRYPTION_KEY`, `STRIPE_KEY`,
/// `signingKey`): a key of something, which is a secret unless the qualifier says otherwise. A
/// bare `key` names an entry (`key: team` beside `value:`), not a secret.
fn is_qualified_key(words: &[String]) -> bool {
    match words {
        [.., before, last] if last == "key" => {
            !NOT_SECRET_KEY_QUALIFIERS.contains(&before.as_str())
                && !before.chars().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// Fragments of which every secret-looking key, flag or command line has one (in any case): a
/// cheap test before the work of finding where the secret is.
const TRIGGERS: &[&str] = &[
    "pass",
    "secret",
    "key",
    "token",
    "credential",
    "auth",
    "pw",
    "-p",
    "-u",
    "user",
    "webhook",
    "sig",
];

/// A search for any of `words`, in any ASCII case (`None` if it cannot be built: every text
/// is then searched).
fn any_case(words: &[&str]) -> Option<aho_corasick::AhoCorasick> {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
        .ok()
}

static TRIGGER_SEARCH: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| any_case(TRIGGERS));

/// Whether `text` holds one of the [`TRIGGERS`], in any case: most keys and strings do not,
/// and are then not searched at all.
pub fn may_hold_secret(text: &[u8]) -> bool {
    // Keys and short strings (most calls): one pass by hand, cheaper than starting a search.
    if text.len() <= SHORT {
        return has_trigger(text);
    }
    TRIGGER_SEARCH.as_ref().is_none_or(|ac| ac.is_match(text))
}

/// Inputs up to this length are matched by [`has_trigger`].
const SHORT: usize = 64;

/// [`may_hold_secret`] by hand: whether `text` holds one of the [`TRIGGERS`], in any case.
fn has_trigger(text: &[u8]) -> bool {
    let at = |i: usize, rest: &[u8]| {
        text.get(i..i + rest.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(rest))
    };
    (0..text.len()).any(|i| match text.get(i).map(u8::to_ascii_lowercase) {
        Some(b'p') => at(i + 1, b"ass") || at(i + 1, b"w"),
        Some(b's') => at(i + 1, b"ecret") || at(i + 1, b"ig"),
        Some(b'w') => at(i + 1, b"ebhook"),
        Some(b'k') => at(i + 1, b"ey"),
        Some(b't') => at(i + 1, b"oken"),
        Some(b'c') => at(i + 1, b"redential"),
        Some(b'a') => at(i + 1, b"uth"),
        Some(b'-') => at(i + 1, b"p") || at(i + 1, b"u"),
        Some(b'u') => at(i + 1, b"ser"),
        _ => false,
    })
}

/// Whether a file's text may hold any secret at all (a secret-looking word, a connection
/// string, a private key, an entry marked `sensitive`/`NoEcho`): a file that does not is not
/// walked.
pub fn worth_searching(text: &str) -> bool {
    may_hold_secret(text.as_bytes())
        || memchr::memmem::find(text.as_bytes(), b"://").is_some()
        || memchr::memmem::find(text.as_bytes(), b"Secret").is_some()
        || marks_sensitive(text.as_bytes())
}

/// Whether a text names one of the [`SENSITIVE_FLAGS`], in any case.
fn marks_sensitive(text: &[u8]) -> bool {
    static SEARCH: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| any_case(SENSITIVE_FLAGS));
    SEARCH.as_ref().is_none_or(|ac| ac.is_match(text))
}

/// Whether `key`, normalized (see [`normalized`]), is one of `list`, without allocating.
pub fn is_one_of(key: &str, list: &[&str]) -> bool {
    let norm = || {
        key.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
    };
    list.iter().any(|t| norm().eq(t.bytes()))
}

/// A name that looks like an environment variable, a header or a parameter named like a
/// secret (`DB_PASSWORD`, `X-Api-Key`, `AtlasPrivateKey`), not prose that mentions one.
pub fn is_secret_name(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && is_secret_key(value)
}

/// Add `from..to` (clamped to `u32`) to `out`, unless empty.
pub(crate) fn push(out: &mut Vec<Span>, from: usize, to: usize) {
    if from < to {
        out.push(Span::new(from, to));
    }
}

/// Sort and merge overlapping spans.
pub fn normalize(spans: &mut Vec<Span>) {
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.drain(..) {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    *spans = merged;
}

/// The secret spans of a parsed document's tree over `text` (the file's text; spans index it),
/// added to `out`.
pub fn collect(root: &Node, text: &str, out: &mut Vec<Span>) {
    // A Kubernetes Secret's `data` values are base64 of anything it holds: all secret (also
    // each Secret of a `List`).
    fn kind<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
        node.get(key).and_then(Node::as_str)
    }
    let secret_data = |node: &Node, out: &mut Vec<Span>| {
        if kind(node, "kind") == Some("Secret") && kind(node, "apiVersion") == Some("v1") {
            for e in node.get("data").and_then(Node::as_map).unwrap_or_default() {
                if e.value.as_str().is_some() {
                    push(out, e.value.span.start as usize, e.value.span.end as usize);
                }
            }
        }
    };
    secret_data(root, out);
    if kind(root, "kind") == Some("List") {
        for item in root.get("items").and_then(Node::as_seq).unwrap_or_default() {
            secret_data(item, out);
        }
    }
    Walk { text, out }.node(root, false);
}

/// The secret spans of a shell script, Makefile or Dockerfile: its command lines, and the
/// lines around them (`ENV X_KEY=...`, `API_KEY := ...`), as written.
pub fn collect_lines(text: &str, out: &mut Vec<Span>) {
    collect_lines_of(text, false, out);
}

/// [`collect_lines`], for a dotenv file when `env` (an unquoted value runs to the end of its
/// line, as dotenv reads it).
pub fn collect_lines_of(text: &str, env: bool, out: &mut Vec<Span>) {
    text::scan_lines(text, 0, env, out);
    // PEM blocks: from a BEGIN line to the END line (at most `MAX_PEM_LINES`).
    let mut pem = 0usize;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let begins = text::has_private_key(line);
        if pem > 0 || begins {
            push(out, offset, offset + line.len());
        }
        if begins {
            pem = if line.contains("-----END") {
                0
            } else {
                MAX_PEM_LINES
            };
        } else if pem > 0 {
            pem = if line.contains("-----END") {
                0
            } else {
                pem - 1
            };
        }
        offset += line.len();
    }
}

/// PEM blocks longer than this without an END line are not PEM blocks.
pub const MAX_PEM_LINES: usize = 200;

struct Walk<'a> {
    text: &'a str,
    out: &'a mut Vec<Span>,
}

impl Walk<'_> {
    fn raw(&self, node: &Node) -> &str {
        self.text
            .get(node.span.start as usize..node.span.end as usize)
            .unwrap_or("")
    }

    fn is_reference(node: &Node) -> bool {
        // An HCL expression that only names a value (`var.client_secret`,
        // `data.aws_secretsmanager_secret_version.atlas.secret_string`): where a secret is.
        let traversal = node.expr_source().is_some_and(|e| {
            let e = e.trim();
            let root = e.split('.').next().unwrap_or("");
            // A variable, local, data source, module output, ... or a resource (`type.name`,
            // its type `provider_kind`): not a bare word that happens to hold a dot.
            let named = matches!(
                root,
                "var" | "local" | "data" | "module" | "each" | "count" | "path" | "self"
            ) || root.contains('_');
            named
                && e.contains('.')
                && e.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']')
                })
        });
        traversal
            || node.tag.as_deref().is_some_and(|t| REFERENCES.contains(&t))
            || node.as_map().is_some_and(|m| {
                m.len() == 1
                    && m.first()
                        .and_then(|e| e.key.scalar_text())
                        .is_some_and(|k| REFERENCES.contains(&k))
            })
    }

    /// `secret`: the node is a secret value (of a key named like a secret, or the value key
    /// of an entry named like one).
    fn node(&mut self, node: &Node, secret: bool) {
        if secret && Self::is_reference(node) {
            return;
        }
        match &node.value {
            Value::Null => {}
            Value::Bool(_) | Value::Number(_) | Value::String(_) => {
                if secret {
                    self.secret_scalar(node);
                } else {
                    self.string(node);
                }
            }
            Value::Map(entries) => self.map(entries, secret),
            Value::Seq(items) if secret => self.pieces(items),
            Value::Seq(items) => self.items(items),
        }
    }

    fn map(&mut self, entries: &[super::Entry], secret: bool) {
        fn key_of(e: &super::Entry) -> &str {
            e.key.scalar_text().unwrap_or("")
        }
        // Named like a secret by a sibling, or marked sensitive: its value keys are secret.
        let named = secret
            || entries.iter().any(|e| {
                let key = key_of(e);
                (is_one_of(key, NAME_KEYS) && e.value.as_str().is_some_and(is_secret_name))
                    || (is_one_of(key, SENSITIVE_FLAGS) && e.value.is_true())
            });
        for e in entries {
            let raw_key = key_of(e);
            let secret_value = is_secret_key(raw_key)
                || (named && is_one_of(raw_key, VALUE_KEYS))
                // Building a secret value: `Fn::Sub`, `Fn::Join`, `Fn::If`.
                || (secret && raw_key.starts_with("Fn::"));
            self.node(&e.value, secret_value);
        }
        self.command_then_args(entries);
    }

    /// A sequence that is not a secret: scalars on their own, and exec arrays (`["mongosh",
    /// "--password", "X"]`): a flag alone in an item takes the next item.
    fn items(&mut self, items: &[Node]) {
        let mut flag: Option<text::Flag> = None;
        for item in items {
            match (flag.take(), item.as_str()) {
                (Some(f), Some(value)) => self.flagged(&f, item, value),
                (None, Some(value)) if !value.contains(char::is_whitespace) => {
                    flag = text::Flag::of(value);
                }
                _ => {}
            }
            self.node(item, false);
        }
    }

    /// The value `item` (whose text is `value`) that a secret flag takes.
    fn flagged(&mut self, flag: &text::Flag, item: &Node, value: &str) {
        if let Some(r) = flag.secret_part(value) {
            let (start, end) = self.value_bounds(item);
            if self.text.get(start..end) == Some(value) {
                push(self.out, start + r.start, start + r.end);
            } else {
                self.secret_scalar(item);
            }
        }
    }

    /// A Kubernetes container's `command` that ends with a secret flag (`["atlas", "setup",
    /// "--password"]`): its value is the first of the `args`, which the command's words go on
    /// with.
    fn command_then_args(&mut self, entries: &[super::Entry]) {
        let list = |key: &str| {
            entries
                .iter()
                .find(|e| e.key.scalar_text() == Some(key))
                .and_then(|e| e.value.as_seq())
        };
        let (Some(command), Some(args)) = (list("command"), list("args")) else {
            return;
        };
        let flag = command
            .last()
            .and_then(Node::as_str)
            .filter(|v| !v.contains(char::is_whitespace))
            .and_then(text::Flag::of);
        if let (Some(flag), Some(first)) = (flag, args.first()) {
            if let Some(value) = first.as_str() {
                self.flagged(&flag, first, value);
            }
        }
    }

    /// The items of a secret sequence: a list of secrets, or the pieces of a value being built
    /// (`!Join ["", ['{"PrivateKey":"', !Ref K, '","BaseUrl":"', !Ref U, '"}']]`): pieces of
    /// JSON are structure (their own secret pairs masked), a literal is secret unless the piece
    /// before it opened a key that is not (`"BaseUrl":"`), references are never secret.
    fn pieces(&mut self, items: &[Node]) {
        let mut next_secret = true;
        for item in items {
            if Self::is_reference(item) {
                next_secret = true;
                continue;
            }
            match item.as_str() {
                Some(s) if is_json_piece(s) => {
                    let (start, end) = self.value_bounds(item);
                    let raw = self.text.get(start..end).unwrap_or("");
                    text::secret_pairs(raw, start, self.out);
                    next_secret = open_key(s).is_none_or(is_secret_key);
                }
                Some(_) | None if !matches!(item.value, Value::Seq(_) | Value::Map(_)) => {
                    if next_secret {
                        self.secret_scalar(item);
                    } else {
                        self.string(item);
                    }
                    next_secret = true;
                }
                _ => self.node(item, true),
            }
        }
    }

    /// The source text of a scalar without its quotes, as a byte range of the text.
    fn value_bounds(&self, node: &Node) -> (usize, usize) {
        let (mut start, end) = (node.span.start as usize, node.span.end as usize);
        let mut raw = self.raw(node);
        // A tagged scalar (`!Sub '{"PrivateKey": ...}'`): the value after its tag.
        if node.tag.is_some() && raw.starts_with('!') {
            let tag_end = raw.find([' ', '\t', '\n']).unwrap_or(raw.len());
            let rest = raw.get(tag_end..).unwrap_or("");
            let value = rest.trim_start();
            start += tag_end + (rest.len() - value.len());
            raw = value;
        }
        let quoted = raw.len() >= 2
            && ((raw.starts_with('"') && raw.ends_with('"'))
                || (raw.starts_with('\'') && raw.ends_with('\'')));
        if quoted {
            (start + 1, end - 1)
        } else {
            (start, end)
        }
    }

    /// A secret scalar: masked whole, except a JSON object in a string (a profile secret's
    /// `SecretString`): then only its secret pairs, so its base URL stays readable.
    fn secret_scalar(&mut self, node: &Node) {
        let (start, end) = self.value_bounds(node);
        let raw = self.text.get(start..end).unwrap_or("");
        if node
            .as_str()
            .is_some_and(|s| s.trim_start().starts_with('{'))
        {
            let before = self.out.len();
            let mut found = false;
            let mut offset = 0;
            for line in raw.split_inclusive('\n') {
                found |= text::secret_pairs(line, start + offset, self.out);
                offset += line.len();
            }
            if found {
                return;
            }
            self.out.truncate(before);
        }
        // A heredoc: its body, not its delimiters.
        if let (true, Some(first), Some(last)) = (
            raw.starts_with("<<"),
            raw.find('\n'),
            raw.trim_end().rfind('\n'),
        ) {
            push(self.out, start + first + 1, start + last);
            return;
        }
        push(self.out, start, end);
    }

    /// A string that is no secret by its key: PEM private keys, and what its text holds.
    fn string(&mut self, node: &Node) {
        let Value::String(s) = &node.value else {
            return;
        };
        if text::has_private_key(s) {
            self.secret_scalar(node);
            return;
        }
        let connection = memchr::memmem::find(s.as_bytes(), b"://").is_some() && s.contains('@');
        if connection || may_hold_secret(s.as_bytes()) {
            let (start, end) = self.value_bounds(node);
            let raw = self.text.get(start..end).unwrap_or("");
            text::scan_string(raw, start, self.out);
        }
        // `auth: "Basic dXNlcjpw..."`: a credential whatever the key's name.
        if s.len() < 4096 && text::scheme_credential(s).is_some() {
            let (start, end) = self.value_bounds(node);
            let raw = self.text.get(start..end).unwrap_or("");
            if let Some(r) = text::scheme_credential(raw) {
                push(self.out, start + r.start, start + r.end);
            }
        }
    }
}

/// A piece of JSON text being built (`'{"PrivateKey":"'`, `'","BaseUrl":"'`, `'"}'`).
fn is_json_piece(s: &str) -> bool {
    let t = s.trim();
    t.starts_with('{') || t.starts_with('"') || t.ends_with('}') || t.contains("\":")
}

/// The key whose value a piece of JSON opens at its end (`","PrivateKey":"` gives
/// `PrivateKey`).
fn open_key(piece: &str) -> Option<&str> {
    let t = piece.trim_end();
    let t = t.strip_suffix('"').unwrap_or(t).trim_end();
    let t = t.strip_suffix(':')?.trim_end();
    let t = t.strip_suffix('"').unwrap_or(t);
    let start = t
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map_or(0, |i| i + 1);
    t.get(start..).filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests;
