//! Keeping secrets out of every output.
//!
//! Findings never quote secret values; the only place a secret could leak is a source snippet.
//! Before a file's text is shown, [`redact`] masks, line by line:
//!
//! - the values of secret-looking keys (passwords, API keys, private keys, tokens, `DB_PASS`),
//!   whether the value is on the line, in a block scalar, a heredoc, a flow list or on the
//!   indented lines below the key;
//! - PEM private key blocks and connection-string passwords;
//! - the `default`/`value` of anything named like a secret: a Terraform `variable
//!   "db_password"` (or one with `sensitive = true`), a CloudFormation parameter `DBPassword`
//!   (or one with `NoEcho: true`), an env entry `name: MONGODB_ATLAS_PRIVATE_KEY`, on one line
//!   or several, in either order;
//! - secrets on command lines, in scripts and exec arrays alike: `--password X`, `-p X`, `curl
//!   -u user:key`, `Authorization: Bearer X`, `config set private_api_key X`,
//!   `EXPORT X_KEY=...`.
//!
//! It works on text, so it covers every input format and files that did not parse. Where it is
//! unsure it masks more, but only what belongs to the secret: a value inline beside a secret
//! (`{name: BASE_URL, value: ...}` after `{name: PRIVATE_KEY, ...}` on one line) stays
//! readable, so the value a finding points at is not hidden.

use std::ops::Range;

/// Key names (lowercased, `_`/`-` removed) whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
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
];

/// Words of a key (split at `_`, `-`, `.` and camelCase) that make it a secret on their own.
const SECRET_WORDS: &[&str] = &["pass", "pw", "pwd"];

/// Keys that hold the value of whatever their enclosing entry names (`default`, `value`):
/// masked when that entry is named like a secret.
const VALUE_KEYS: &[&str] = &["default", "value", "defaultvalue", "stringvalue"];

/// Keys whose value names the entry (`name: DB_PASSWORD` beside `value: ...`).
const NAME_KEYS: &[&str] = &["name", "key", "parametername", "parameterkey"];

/// Keys that mark an entry secret when true (CloudFormation `NoEcho`, Terraform `sensitive`).
const SENSITIVE_FLAGS: &[&str] = &["noecho", "sensitive"];

/// PEM blocks longer than this without an END line are not PEM blocks.
const MAX_PEM_LINES: usize = 200;

fn normalized(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The words of a key: split at non-alphanumerics and where a lowercase letter meets an
/// uppercase one (`dbPass`: `db`, `pass`).
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        let boundary = !c.is_ascii_alphanumeric() || (prev_lower && c.is_ascii_uppercase());
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

fn is_secret_key(key: &str) -> bool {
    let norm = normalized(key);
    let named = SECRET_KEYS.iter().any(|k| norm.contains(k))
        || words(key)
            .iter()
            .any(|w| SECRET_WORDS.contains(&w.as_str()));
    named && !norm.ends_with("ref") && !norm.ends_with("name") && !norm.ends_with("type")
}

/// A name that looks like an environment variable or parameter named like a secret
/// (`DB_PASSWORD`, `AtlasPrivateKey`), not a resource name that mentions one
/// (`atlas-token-refresher`).
fn is_secret_name(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        && is_secret_key(value)
}

fn is_true(value: &str) -> bool {
    value
        .trim()
        .trim_matches(['"', '\''])
        .eq_ignore_ascii_case("true")
}

/// How an entry (a mapping, an HCL block, a list item) spanning several lines was opened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// `password:` with its value on the lines below, `passwords: [`: every line of it that is
    /// not itself a `key: value` is the secret.
    SecretValue,
    /// A mapping or block (`DBPassword:`, `variable "db_password" {`, `- name: DB_PASSWORD`).
    Entry,
}

/// An entry spanning lines whose `default`/`value` keys may be secret.
struct Context {
    /// Lines indented less than this are outside the entry.
    min_indent: usize,
    opened: Opened,
    /// Named like a secret (or marked `NoEcho`/`sensitive`): its value keys are masked.
    secret: bool,
    /// Value-key values seen before the entry was known to be secret (`Default` above
    /// `NoEcho: true`), as byte ranges of the whole text.
    pending: Vec<(usize, usize)>,
}

/// Multi-line state of [`redact`].
#[derive(Default)]
struct State {
    /// Inside a PEM private key: lines left before giving up.
    pem: Option<usize>,
    /// Inside a secret block scalar: its key's indentation.
    block_indent: Option<usize>,
    /// Inside a secret heredoc: its delimiter.
    heredoc: Option<String>,
    contexts: Vec<Context>,
    /// Value-key values at the top of recent lines, by the column of their key, for a name
    /// that comes after its value (`- value: x` then `name: DB_PASSWORD`).
    recent_values: Vec<(usize, usize, usize)>,
    /// A command-line flag that takes the next token, left at the end of a line.
    flag: Option<Flag>,
}

/// Mask secrets in `text`. Byte offsets are preserved (every masked byte becomes `*`), so
/// spans computed on the original text stay valid.
pub fn redact(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut state = State::default();
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        redact_line(content, offset, &mut state, &mut bytes);
        offset += line.len();
    }
    // Masking replaced whole ASCII bytes or every byte of a multibyte character; re-validate
    // anyway and fall back to a blanket mask rather than ever panicking or leaking.
    String::from_utf8(bytes).unwrap_or_else(|_| "*".repeat(text.len()))
}

fn redact_line(content: &str, offset: usize, state: &mut State, bytes: &mut [u8]) {
    // Masks a range of this line.
    let line = |bytes: &mut [u8], from: usize, to: usize| {
        mask_range(bytes, offset + from, offset + to);
    };
    let indent = content.len() - content.trim_start().len();
    let trimmed = content.trim();

    // PEM private keys: from a BEGIN line that ends there (not prose that mentions one) to
    // the END line.
    if let Some(left) = state.pem {
        line(bytes, 0, content.len());
        state.pem = (!content.contains("-----END") && left > 1).then(|| left - 1);
        return;
    }
    if let Some(at) = content.find("-----BEGIN") {
        let rest = content.get(at..).unwrap_or("");
        if let Some(marker_end) = rest.find("PRIVATE KEY-----") {
            let after = rest
                .get(marker_end + "PRIVATE KEY-----".len()..)
                .unwrap_or("");
            if rest.contains("-----END") || after.starts_with("\\n") {
                // On one line (a JSON string with `\n` escapes).
                line(bytes, at, content.len());
            } else if after.trim().is_empty() {
                line(bytes, at, content.len());
                state.pem = Some(MAX_PEM_LINES);
                return;
            }
        }
    }
    // The body of a secret heredoc or block scalar.
    if let Some(delim) = &state.heredoc {
        if trimmed == delim.as_str() {
            state.heredoc = None;
        } else {
            line(bytes, 0, content.len());
        }
        return;
    }
    if let Some(bi) = state.block_indent {
        if trimmed.is_empty() || indent > bi {
            line(bytes, 0, content.len());
            return;
        }
        state.block_indent = None;
    }

    let code_line = !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with("//");
    if !code_line {
        // A flag left at the end of a line takes its argument from the next line, not from a
        // comment or a blank line.
        state.flag = None;
    }
    if code_line {
        while state.contexts.last().is_some_and(|c| indent < c.min_indent) {
            state.contexts.pop();
        }
        state.recent_values.retain(|&(col, _, _)| col <= indent + 2);
    }
    let pairs = key_values(content);
    // A line inside `password:`'s indented value (or a multi-line secret flow list) that is
    // no `key: value` itself is the secret.
    if code_line
        && pairs.is_empty()
        && state
            .contexts
            .last()
            .is_some_and(|c| c.opened == Opened::SecretValue)
    {
        line(bytes, 0, content.len());
        return;
    }

    // Which inline collections (`{ .. }` on this line) are secret entries, and whether the
    // line's top level is.
    let hcl_label = hcl_block_header(content);
    let mut secret_objs: Vec<usize> = Vec::new();
    let mut top_secret = hcl_label == Some(true);
    if hcl_label == Some(true) {
        // The block's own `{`, the first collection opened on the line.
        secret_objs.push(1);
    }
    let mut opener: Option<(bool, Opened)> = hcl_label.map(|s| (s, Opened::Entry));
    for pair in &pairs {
        let key = content.get(pair.key.clone()).unwrap_or("");
        let norm = normalized(key);
        match &pair.value {
            Value::Nested { last: true, list } => {
                let secret = is_secret_key(key);
                let opened = if secret && (pair.opens.is_none() || *list) {
                    Opened::SecretValue
                } else {
                    Opened::Entry
                };
                opener = Some((secret, opened));
            }
            Value::Nested { last: false, .. } => {
                if let Some(id) = pair.opens.filter(|_| is_secret_key(key)) {
                    secret_objs.push(id);
                }
            }
            Value::Scalar(from, to) => {
                let value = content.get(*from..*to).unwrap_or("").trim();
                let names_secret = NAME_KEYS.contains(&norm.as_str()) && is_secret_name(value);
                let flags_secret = SENSITIVE_FLAGS.contains(&norm.as_str()) && is_true(value);
                if !(names_secret || flags_secret) {
                    continue;
                }
                if pair.obj != 0 {
                    secret_objs.push(pair.obj);
                    continue;
                }
                top_secret = true;
                let column = pair.key.start.saturating_sub(usize::from(pair.quoted));
                if names_secret {
                    // Its value may have come first, on a line above.
                    for &(col, a, b) in &state.recent_values {
                        if col == column {
                            mask_range(bytes, a, b);
                        }
                    }
                    state.recent_values.retain(|&(col, _, _)| col != column);
                    state.contexts.push(Context {
                        min_indent: column,
                        opened: Opened::Entry,
                        secret: true,
                        pending: Vec::new(),
                    });
                } else if let Some(c) = state.contexts.last_mut() {
                    c.secret = true;
                    for (a, b) in std::mem::take(&mut c.pending) {
                        mask_range(bytes, a, b);
                    }
                }
            }
            _ => {}
        }
    }
    let context_secret = state.contexts.last().is_some_and(|c| c.secret);
    for pair in &pairs {
        let key = content.get(pair.key.clone()).unwrap_or("");
        match &pair.value {
            Value::Block if is_secret_key(key) => state.block_indent = Some(indent),
            Value::Heredoc(delim) if is_secret_key(key) => state.heredoc = Some(delim.clone()),
            Value::Nested {
                last: false,
                list: true,
            } if is_secret_key(key) => {
                if let Some(end) = pair.list_end {
                    line(bytes, pair.value_at + 1, end);
                }
            }
            Value::Scalar(from, to) if is_secret_key(key) => line(bytes, *from, *to),
            Value::Scalar(from, to) if VALUE_KEYS.contains(&normalized(key).as_str()) => {
                let secret = if pair.obj == 0 {
                    top_secret || context_secret
                } else {
                    secret_objs.contains(&pair.obj)
                };
                if secret {
                    line(bytes, *from, *to);
                } else if pair.obj == 0 {
                    let column = pair.key.start.saturating_sub(usize::from(pair.quoted));
                    state
                        .recent_values
                        .push((column, offset + from, offset + to));
                    if let Some(c) = state.contexts.last_mut() {
                        c.pending.push((offset + from, offset + to));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((secret, opened)) = opener {
        state.contexts.push(Context {
            min_indent: indent + 1,
            opened,
            secret,
            pending: Vec::new(),
        });
    }
    mask_connection_passwords(content, |from, to| line(bytes, from, to));
    mask_command_line(content, &mut state.flag, |from, to| line(bytes, from, to));
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

/// A command-line flag waiting for its argument.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flag {
    /// `--password`, `--apiKey`: the next token is the secret.
    Secret,
    /// `set private_api_key`: the next token on the same line is the secret.
    Setting,
    /// `-u`/`--user`: the next token is `user:key`.
    User,
    /// `-p`: a password, unless it looks like a port mapping.
    P,
}

/// Call `mask(from, to)` for secrets passed on a command line: the argument of a flag named
/// like a secret (`--password X`, `--apiKey=X`), of `-p` (unless it looks like a port), the
/// key half of `-u`/`--user user:key` (also `-uuser:key`), an `Authorization:` header's
/// credentials, and the value after a setting named like a secret (`set private_api_key X`).
/// Tokens are split at whitespace, quotes, brackets and commas, so exec arrays (`["mongosh",
/// "--password", "x"]`) and quoted commands read the same; a flag at the end of a line takes
/// the first token of the next one (a YAML list item per argument).
fn mask_command_line(line: &str, flag: &mut Option<Flag>, mut mask: impl FnMut(usize, usize)) {
    let mut previous = "";
    for (from, to) in tokens(line) {
        let token = line.get(from..to).unwrap_or("");
        let after_key = previous.ends_with(':') || previous == "=";
        previous = token;
        if let Some(pending) = flag.take() {
            if token == "-" {
                // A YAML list item marker: the argument follows.
                *flag = Some(pending);
                continue;
            }
            match pending {
                Flag::User => {
                    if let Some(colon) = token.find(':') {
                        mask(from + colon + 1, to);
                    }
                }
                Flag::P => {
                    let port = token
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.' || b == b':')
                        && (token.contains(':') || token.len() <= 5);
                    if !port && !token.starts_with('-') {
                        mask(from, to);
                    }
                }
                Flag::Secret | Flag::Setting => {
                    if !token.starts_with(['-', '{', '=', ':']) && !token.ends_with(':') {
                        mask(from, to);
                    }
                }
            }
            continue;
        }
        if let Some(name) = token.strip_prefix('-') {
            let name = name.trim_start_matches('-');
            if let Some((flag_name, value)) = name.split_once('=') {
                let value_at = to - value.len();
                if is_secret_key(flag_name) {
                    mask(value_at, to);
                } else if matches!(flag_name, "u" | "user") {
                    if let Some(colon) = value.find(':') {
                        mask(value_at + colon + 1, to);
                    }
                }
            } else if matches!(name, "u" | "user") {
                *flag = Some(Flag::User);
            } else if name == "p" {
                *flag = Some(Flag::P);
            } else if let Some(attached) = name.strip_prefix('u').filter(|a| a.contains(':')) {
                // `-uuser:key`
                let at = to - attached.len();
                if let Some(colon) = attached.find(':') {
                    mask(at + colon + 1, to);
                }
            } else if is_secret_key(name) {
                *flag = Some(Flag::Secret);
            }
        } else if !after_key
            && token.contains('_')
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            && is_secret_key(token)
        {
            // A setting's name (not a YAML value such as `name: DB_PASSWORD`).
            *flag = Some(Flag::Setting);
        }
    }
    // Only a `-` flag waits for the next line (an exec array, one argument per line).
    if *flag == Some(Flag::Setting) {
        *flag = None;
    }
    // `Authorization: Bearer X` anywhere (a curl -H argument, a header map).
    let lower = line.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower.get(search..).and_then(|s| s.find("authorization")) {
        let after_word = search + found + "authorization".len();
        let rest = lower.get(after_word..).unwrap_or("");
        let Some(after_colon) = rest
            .trim_start_matches(['"', '\''])
            .trim_start()
            .strip_prefix(':')
        else {
            search = after_word;
            continue;
        };
        let at = line.len() - after_colon.len();
        let value = line.get(at..).unwrap_or("");
        let end = value
            .find(['"', '\'', ',', '}', ')'])
            .unwrap_or(value.len());
        mask(at, at + end);
        search = at + end.max(1);
    }
}

/// Tokens of `line`: runs of bytes other than whitespace, quotes, brackets, parentheses,
/// commas and `;`, as byte ranges.
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

enum Value {
    /// `from..to` of the value in the line.
    Scalar(usize, usize),
    /// A YAML block scalar (`|` or `>`, maybe after a tag or anchor): the lines below that are
    /// indented more are the value.
    Block,
    /// A heredoc (`<<EOT`, `<<-EOT`): the lines below up to the delimiter are the value.
    Heredoc(String),
    /// A mapping or sequence: its own keys are judged on their own. `last`: it is opened at
    /// the end of the line (its entries are on the lines below); `list`: it is a `[` list.
    Nested { last: bool, list: bool },
}

struct Pair {
    key: Range<usize>,
    /// The key was quoted (`key` starts one byte after the quote).
    quoted: bool,
    value: Value,
    /// The inline collection (`{ .. }`/`[ .. ]` on this line) the pair is in: 0 for the
    /// line's top level, else an id unique on the line.
    obj: usize,
    /// For a nested value opened on this line, the id of that collection.
    opens: Option<usize>,
    /// For an inline `[` list closed on this line, where its `]` is.
    list_end: Option<usize>,
    /// Where the value starts.
    value_at: usize,
}

/// Every `key: value`, `"key": value` and `key = value` in one line (YAML, JSON, flow
/// mappings, HCL, shell assignments), with the key's range, the value's extent and the inline
/// collection it is in. A bare value is searched for pairs of its own (`run: export
/// X_KEY=...`).
fn key_values(line: &str) -> Vec<Pair> {
    let bytes = line.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let mut pairs = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut next_id = 1;
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
            Some(b'{' | b'[') => {
                open.push(next_id);
                next_id += 1;
                i += 1;
                continue;
            }
            Some(b'}' | b']') => {
                open.pop();
                i += 1;
                continue;
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
        let sep = at(j);
        let is_sep = match sep {
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
        // A YAML tag or anchor before the value (`!!str |`, `&pw |`).
        if matches!(at(v), Some(b'!' | b'&')) {
            while at(v).is_some_and(|b| !b.is_ascii_whitespace()) {
                v += 1;
            }
            while at(v).is_some_and(|b| b == b' ' || b == b'\t') {
                v += 1;
            }
        }
        let obj = open.last().copied().unwrap_or(0);
        let rest_blank = |from: usize| {
            line.get(from..)
                .is_none_or(|r| r.trim().is_empty() || r.trim_start().starts_with('#'))
        };
        let mut opens = None;
        let mut list_end = None;
        let (value, next) = match at(v) {
            None | Some(b'#') => (
                Value::Nested {
                    last: true,
                    list: false,
                },
                v,
            ),
            Some(b @ (b'{' | b'[')) => {
                let id = next_id;
                next_id += 1;
                open.push(id);
                opens = Some(id);
                if b == b'[' {
                    list_end = matching_bracket(bytes, v);
                }
                (
                    Value::Nested {
                        last: rest_blank(v + 1),
                        list: b == b'[',
                    },
                    v + 1,
                )
            }
            Some(b'|' | b'>') => (Value::Block, bytes.len()),
            Some(b'<') if at(v + 1) == Some(b'<') => {
                let delim: String = line
                    .get(v + 2..)
                    .unwrap_or("")
                    .trim_start_matches(['-', '~'])
                    .trim_matches(['"', '\''])
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if delim.is_empty() {
                    (Value::Scalar(v, bytes.len()), bytes.len())
                } else {
                    (Value::Heredoc(delim), bytes.len())
                }
            }
            Some(q @ (b'"' | b'\'')) => {
                let end = closing_quote(bytes, v + 1, q).unwrap_or(bytes.len());
                (Value::Scalar(v + 1, end), end + 1)
            }
            Some(_) => {
                // A bare value: in a flow collection it ends at `,`/`}`/`]`; after `=` (a shell
                // or HCL assignment) at whitespace or `;`; a YAML plain scalar runs on.
                let in_flow = !open.is_empty();
                let assignment = sep == Some(b'=');
                let mut e = v;
                while let Some(b) = at(e) {
                    let stop = (in_flow && matches!(b, b',' | b'}' | b']'))
                        || (assignment && (b.is_ascii_whitespace() || b == b';'))
                        || (b == b'#' && at(e.wrapping_sub(1)) == Some(b' '));
                    if stop {
                        break;
                    }
                    e += 1;
                }
                // Search the value for pairs of its own.
                (Value::Scalar(v, e), v)
            }
        };
        pairs.push(Pair {
            key,
            quoted,
            value,
            obj,
            opens,
            list_end,
            value_at: v,
        });
        i = next.max(i + 1);
    }
    pairs
}

/// The index of the `]` closing the `[` at `open` (strings skipped), if on this line.
fn matching_bracket(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = open;
    while let Some(&b) = bytes.get(k) {
        match b {
            b'"' | b'\'' => k = closing_quote(bytes, k + 1, b)?,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// The index of the quote that closes a string opened before `from` (`\"` escapes in double
/// quotes, `''` in single quotes).
fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut k = from;
    while let Some(&b) = bytes.get(k) {
        if b == b'\\' && quote == b'"' {
            k += 2;
            continue;
        }
        if b == quote {
            if quote == b'\'' && bytes.get(k + 1) == Some(&b'\'') {
                k += 2;
                continue;
            }
            return Some(k);
        }
        k += 1;
    }
    None
}

/// Call `mask(from, to)` for the password of every `scheme://user:password@host` in `line`
/// (also with JSON's escaped `:\/\/`). The password runs from the first `:` of the userinfo
/// to the last `@` before whitespace, a double quote, `?` or a backtick: quotes and slashes
/// inside it are masked too.
fn mask_connection_passwords(line: &str, mut mask: impl FnMut(usize, usize)) {
    for sep in ["://", ":\\/\\/"] {
        let mut search = 0;
        while let Some(found) = line.get(search..).and_then(|s| s.find(sep)) {
            let auth_start = search + found + sep.len();
            let rest = line.get(auth_start..).unwrap_or("");
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '?' | '`' | '<' | '>'))
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

    /// `Hunter2-A`, `Hunter2-B`, ... for each letter.
    fn planted(letters: &str) -> Vec<String> {
        letters.chars().map(|c| format!("Hunter2-{c}")).collect()
    }

    /// Each secret appears in `text`; none may survive, and `keep` must.
    fn assert_masked<S: AsRef<str>>(text: &str, secrets: &[S], keep: &[&str]) {
        let out = redact(text);
        assert_eq!(out.len(), text.len());
        for secret in secrets {
            let secret = secret.as_ref();
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
            &planted("ABCDEFG"),
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

    #[test]
    fn secrets_in_commands_quoted_strings_and_exec_arrays() {
        assert_masked(
            concat!(
                "command: [\"/bin/sh\", \"-c\", \"mongosh --password Hunter2-A --authenticationMechanism SCRAM-SHA-1\"]\n",
                "{\"cmd\": \"atlas config set private_api_key Hunter2-B; mongosh -u app:Hunter2-C\"}\n",
                "args: [\"mongosh\", \"--password\", \"Hunter2-D\"]\n",
                "args:\n  - --password\n  - Hunter2-E\n",
                "  - \"--password=Hunter2-F\"\n",
                "run: export MONGODB_ATLAS_PRIVATE_API_KEY=Hunter2-G; MONGODB_ATLAS_PRIVATE_KEY=Hunter2-H atlas x\n",
                "curl -uapp:Hunter2-I https://x\n",
                "mysql -p 12345678 -h db\n",
            ),
            &[planted("ABCDEFGHI"), vec!["12345678".to_string()]].concat(),
            &["SCRAM-SHA-1", "--authenticationMechanism", "atlas x"],
        );
    }

    #[test]
    fn secret_values_over_several_lines() {
        assert_masked(
            concat!(
                "password:\n  Hunter2-A\nnext: M10\n",
                "token: !!str |\n  Hunter2-B\npw: &pw |\n  Hunter2-C\n",
                "api_key = <<EOT\nHunter2-D\nEOT\nregion = \"EU_WEST_1\"\n",
                "passwords: [Hunter2-E, Hunter2-F]\n",
                "variable \"atlas_pk\" {\n  sensitive = true\n  default   = \"Hunter2-G\"\n}\n",
                "env:\n  - value: Hunter2-H\n    name: DB_PASSWORD\n  - value: US_EAST_1\n    name: REGION\n",
                "password: 'a''Hunter2-I'\n",
                "DB_PASS: Hunter2-J\ntls.key: Hunter2-K\npassphrase: Hunter2-L\n",
                "password: ab,cd]Hunter2-M\n",
            ),
            &planted("ABCDEFGHIJKLM"),
            &["next: M10", "region = \"EU_WEST_1\"", "value: US_EAST_1"],
        );
    }

    #[test]
    fn connection_string_passwords_with_quotes_slashes_and_json_escapes() {
        assert_masked(
            concat!(
                "uri: mongodb://app:Hunter'2-A@host/db\n",
                "uri: mongodb://app:Hun/ter2-B@host/db?authMechanism=SCRAM-SHA-1\n",
                "{\"uri\": \"mongodb+srv:\\/\\/app:Hunter2-C@c.mongodbgov.net\"}\n",
            ),
            &["Hunter'2-A", "ter2-B", "Hunter2-C"],
            &["@host/db", "authMechanism=SCRAM-SHA-1", "c.mongodbgov.net"],
        );
    }

    #[test]
    fn a_secret_beside_a_finding_does_not_hide_the_finding() {
        // The flagged values (the mechanism, the URL, the region) stay readable.
        assert_masked(
            concat!(
                "run: |\n",
                "  mongosh \"$URI\" --password=$PW --authenticationMechanism SCRAM-SHA-1\n",
                "  MONGODB_ATLAS_PRIVATE_API_KEY=$K mongosh \"mongodb+srv://c.mongodb.net/?authMechanism=SCRAM-SHA-1\"\n",
                "containers:\n  - name: atlas-token-refresher\n    env:\n      - name: MONGODB_ATLAS_BASE_URL\n        value: https://cloud.mongodb.com/\n",
                "env: [{name: MONGODB_ATLAS_PRIVATE_KEY, value: Hunter2-A}, {name: MONGODB_ATLAS_BASE_URL, value: \"https://cloud.mongodb.com/api\"}]\n",
                "{\"Parameters\":{\"Region\":{\"Default\":\"EU_WEST_1\"},\"DBPassword\":{\"Default\":\"Hunter2-B\"}}}\n",
                "help: \"the key file starts with -----BEGIN PRIVATE KEY-----\"\n",
                "authMechanism: SCRAM-SHA-1\n",
            ),
            &["Hunter2-A", "Hunter2-B"],
            &[
                "--authenticationMechanism SCRAM-SHA-1",
                "c.mongodb.net/?authMechanism=SCRAM-SHA-1",
                "value: https://cloud.mongodb.com/\n",
                "value: \"https://cloud.mongodb.com/api\"",
                "\"Default\":\"EU_WEST_1\"",
                "authMechanism: SCRAM-SHA-1",
            ],
        );
    }

    #[test]
    fn pem_blocks_are_masked_to_their_end() {
        assert_masked(
            "key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEpAIBAAKCAQEA-Hunter2\n  -----END RSA PRIVATE KEY-----\nregion: EU_WEST_1\n{\"k\": \"-----BEGIN PRIVATE KEY-----\\nMIIHunter3\\n-----END PRIVATE KEY-----\\n\", \"r\": \"US_EAST_1\"}\n",
            &["Hunter2", "Hunter3"],
            &["region: EU_WEST_1"],
        );
    }
}
