//! What the fuzz targets run, shared so that `fuzz/run.sh` targets and the regression tests
//! in the main crate exercise the same code. Panics here are findings.

use std::path::PathBuf;

use atlasgov_lint::document::{self, Document, Limits, Node, Span, Syntax, Value};
use atlasgov_lint::engine::Options;
use atlasgov_lint::fix;
use atlasgov_lint::lint::{Inputs, Settings, lint};
use atlasgov_lint::outcome::Buffer;
use atlasgov_lint::report;
use atlasgov_lint::server::transport::{Frame, Message, Reader};
use atlasgov_lint::source;

/// Parse `data` (when it is UTF-8) with one parser and check the spans it gives.
pub fn parser(data: &[u8], syntax: Syntax) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    match document::parse(text, syntax, &limits) {
        Ok(doc) => check_document(text, &doc),
        Err(err) => check_span(text, err.span, "error"),
    }
    // Tight limits exercise the refusal paths (depth, node budget, alias expansion).
    let tight = Limits {
        max_depth: 8,
        max_nodes: 64,
    };
    if let Ok(doc) = document::parse(text, syntax, &tight) {
        check_document(text, &doc);
    }
}

/// The HCL bracket pre-check refuses only what `hcl-edit` refuses too. `hcl-edit` is
/// exponential on some unclosed input (the reason for the pre-check), so it is asked only when
/// few brackets are open.
pub fn hcl_balance(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = document::hcl_balance::check(text) {
        check_span(text, e.span, "balance");
        let opens = text
            .bytes()
            .filter(|b| matches!(b, b'(' | b'[' | b'{'))
            .count();
        // A quoted string split over lines: refused as Terraform refuses it, not as
        // `hcl-edit` does.
        if opens <= 12 && e.message != document::hcl_balance::MULTI_LINE_STRING {
            assert!(
                hcl_edit::parser::parse_body(text).is_err(),
                "the bracket pre-check refused HCL that parses: {}",
                e.message
            );
        }
    }
}

/// The shell tokenizer, in each dialect: the document's spans, and every word's span and the
/// spans it maps its value to (whole, and split at each `=`), inside the text and on
/// character boundaries.
pub fn shell(data: &[u8]) {
    use atlasgov_lint::document::shell::{self, Dialect};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for dialect in [Dialect::Env, Dialect::Properties] {
        parser(data, Syntax::Shell(dialect));
    }
    for dialect in [Dialect::Sh, Dialect::Make, Dialect::Docker] {
        parser(data, Syntax::Shell(dialect));
        let Ok(commands) = shell::commands(text, dialect) else {
            continue;
        };
        for cmd in &commands {
            check_span(text, cmd.span, "command");
            for word in &cmd.words {
                check_span(text, word.span, "word");
                let len = word.value.len();
                check_span(text, word.span_of(0, len), "word value");
                for (i, _) in word.value.match_indices('=') {
                    check_span(text, word.span_of(0, i), "word name");
                    check_span(text, word.span_of(i + 1, len), "word value part");
                }
            }
        }
    }
}

/// The YAML fast path gives the full parser's tree, node for node, wherever it answers (with
/// the default limits and with tight ones).
pub fn yaml_fast_path(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tight = Limits {
        max_depth: 8,
        max_nodes: 64,
    };
    for limits in [Limits::default(), tight] {
        if let Some(fast) = document::yaml::parse_fast(text, &limits) {
            match document::yaml::parse_full(text, &limits) {
                Ok(full) => assert!(fast == full, "the fast path's tree differs"),
                Err(e) => panic!(
                    "the fast path read what the full parser refuses: {}",
                    e.message
                ),
            }
        }
    }
}

/// The whole per-file pipeline through the library's entry point: decode, pre-filter, parse,
/// adapt, link, rules, the filter stage, and both renderers, on `data` as a file called `name`.
pub fn pipeline(data: &[u8], name: &str) {
    pipeline_beside(data, name, &[]);
}

/// [`pipeline`], with other files checked beside it (`(name, text)`: a Pulumi project file
/// for a program's code).
pub fn pipeline_beside(data: &[u8], name: &str, beside: &[(&str, &str)]) {
    let Ok(text) = source::decode(data.to_vec()) else {
        return;
    };
    let buffers = |text: &str| -> Vec<Buffer> {
        beside
            .iter()
            .map(|(n, t)| Buffer {
                path: PathBuf::from(n),
                text: (*t).to_string(),
            })
            .chain(std::iter::once(Buffer {
                path: PathBuf::from(name),
                text: text.to_string(),
            }))
            .collect()
    };
    let settings = Settings::new(Options::default());
    let outcome = lint(&Inputs::None, &buffers(&text), &settings).outcome;
    for f in &outcome.findings {
        check_span(&text, f.loc.span, f.rule.code);
    }
    let json = report::json::render(&outcome);
    assert!(
        json.starts_with('{') && json.trim_end().ends_with('}'),
        "JSON report is not an object"
    );
    let style = report::human::Style {
        color: false,
        width: 100,
    };
    let human = report::human::render(&outcome, style);
    assert!(human.ends_with('\n'));
    fixes(&text, &outcome, &buffers);
}

/// Every fix of `outcome` (unsafe ones too) applied to the buffer's `text`: every byte outside
/// the edits is kept, the result still parses when the input did, and a check of it no longer
/// reports the fixed findings.
fn fixes(
    text: &str,
    outcome: &atlasgov_lint::outcome::Outcome,
    buffers: &dyn Fn(&str) -> Vec<Buffer>,
) {
    use atlasgov_lint::rules::fix::Applicability;
    // The fuzzed file is the last buffer.
    let Some(&id) = outcome.buffers.last() else {
        return;
    };
    let plan = fix::plan(outcome, Applicability::Unsafe);
    let Some(edits) = plan.edits.get(&id) else {
        return;
    };
    let fixed = fix::apply(text, edits);
    // The bytes between the edits are the input's, in order.
    let (mut at, mut pos) = (0usize, 0usize);
    for e in edits {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        let kept = text.get(at..start).unwrap_or_default();
        assert_eq!(
            fixed.get(pos..pos + kept.len()),
            Some(kept),
            "a byte outside the edits changed"
        );
        pos += kept.len() + e.new.len();
        at = end;
    }
    assert_eq!(
        fixed.get(pos..),
        text.get(at..),
        "the text after the last edit changed"
    );

    let settings = Settings::new(Options::default());
    let again = lint(&Inputs::None, &buffers(&fixed), &settings).outcome;
    let invalid =
        |o: &atlasgov_lint::outcome::Outcome| o.findings.iter().any(|f| f.rule.code == "GOV000");
    assert!(
        invalid(outcome) || !invalid(&again),
        "a fix made the file invalid"
    );
    // A finding fixed in the fuzzed file alone is gone (judged by rule and pointer, where no
    // other finding shares them). Only that file's edits were applied: a fix that edits
    // another file (a Pulumi stack file's config value) leaves its finding, as it should.
    let key = |f: &atlasgov_lint::rules::Finding| (f.rule.code, f.loc.pointer.clone());
    let here = |files: &Vec<u32>| files.iter().all(|f| *f == id);
    let fixed_here = |i: usize| plan.fixed.iter().any(|(j, files)| *j == i && here(files));
    let fixed_keys: Vec<_> = plan
        .fixed
        .iter()
        .filter(|(_, files)| here(files))
        .filter_map(|(i, _)| outcome.findings.get(*i))
        .map(key)
        .collect();
    let unfixed: Vec<_> = outcome
        .findings
        .iter()
        .enumerate()
        .filter(|(i, _)| !fixed_here(*i))
        .map(|(_, f)| key(f))
        .collect();
    for k in fixed_keys.iter().filter(|k| !unfixed.contains(k)) {
        assert!(
            !again.findings.iter().any(|f| &key(f) == k),
            "{} at {} is still reported after its fix",
            k.0,
            k.1
        );
    }
}

fn check_document(text: &str, doc: &Document) {
    for w in &doc.warnings {
        check_span(text, w.span, "warning");
        if let Some(r) = w.related {
            check_span(text, r, "warning related");
        }
    }
    let mut todo: Vec<&Node> = doc.roots.iter().collect();
    while let Some(node) = todo.pop() {
        check_span(text, node.span, "node");
        match &node.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => {
                for e in entries {
                    todo.push(&e.key);
                    todo.push(&e.value);
                }
            }
            _ => {}
        }
    }
}

/// Every span lies within the text, in order, on character boundaries.
fn check_span(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "{what} span {span:?} outside text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what} span {span:?} not on character boundaries"
    );
}

/// The language server's framing on any bytes: it never panics, ends, answers with a valid id,
/// and recovers. Garbage before a message (anything without a `Content-Length` header) is
/// skipped and the message read; a `Content-Length` off by up to 16 bytes, either way, loses
/// at most its own message (a parse error in its place when it is too short), with garbage
/// after it or not.
pub fn lsp_framing(data: &[u8]) {
    for max_body in [64, 4096] {
        let frames = frames(data, max_body);
        for f in &frames {
            assert!(
                !f.starts_with("invalid")
                    || f.ends_with(" null")
                    || f.ends_with(" number")
                    || f.ends_with(" string"),
                "an error reply's id must be null, a number or a string: {f}"
            );
        }
    }

    let garbage = without_headers(data);
    let mut stream = garbage.clone();
    stream.extend(framed(&request(7, "shutdown"), 0));
    assert_eq!(
        frames(&stream, 4096),
        ["request 7 shutdown"],
        "garbage before a message"
    );

    let delta = i64::from(data.first().map_or(0, |b| (*b as i8) % 17));
    let method: String = data
        .iter()
        .skip(1)
        .filter(|b| b.is_ascii_alphanumeric())
        .take(20)
        .map(|b| char::from(*b))
        .collect();
    let method = if method.is_empty() {
        "m".to_string()
    } else {
        method
    };
    let mut stream = framed(&request(1, &method), delta);
    stream.extend(&garbage);
    stream.extend(framed(&request(2, "b"), 0));
    stream.extend(framed(&request(3, "c"), 0));
    let first = if delta >= 0 {
        format!("request 1 {method}")
    } else {
        "invalid -32700 null".to_string()
    };
    assert_eq!(
        frames(&stream, 4096),
        [first.as_str(), "request 2 b", "request 3 c"],
        "Content-Length off by {delta}"
    );
}

fn request(id: u32, method: &str) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}"}}"#)
}

/// `body` framed with a `Content-Length` off by `delta`.
fn framed(body: &str, delta: i64) -> Vec<u8> {
    let declared = i64::try_from(body.len()).unwrap_or(i64::MAX) + delta;
    format!("Content-Length: {declared}\r\n\r\n{body}").into_bytes()
}

/// `data` with every `Content-Length` (in any case) broken: replacing a byte with `x` cannot
/// make a new one.
fn without_headers(data: &[u8]) -> Vec<u8> {
    const NAME: &[u8] = b"content-length";
    let mut out = data.to_vec();
    let mut i = 0;
    while i + NAME.len() <= out.len() {
        if out
            .get(i..i + NAME.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(NAME))
        {
            if let Some(b) = out.get_mut(i) {
                *b = b'x';
            }
        }
        i += 1;
    }
    out
}

/// What the framing makes of `data`: one line per frame, the id as `null`, `number` or
/// `string` in errors. Asserts that it ends, within one frame per byte.
fn frames(data: &[u8], max_body: usize) -> Vec<String> {
    let mut reader = Reader::new(data, max_body);
    let mut out = Vec::new();
    loop {
        let line = match reader.next_frame() {
            Frame::Message(Message::Request(r)) => format!("request {} {}", r.id, r.method),
            Frame::Message(Message::Notification(n)) => format!("notification {}", n.method),
            Frame::Message(Message::Response(r)) => format!("response {}", r.id),
            Frame::Invalid { code, id, .. } => {
                let id = if id.is_null() {
                    "null"
                } else if id.is_number() {
                    "number"
                } else if id.is_string() {
                    "string"
                } else {
                    "other"
                };
                format!("invalid {} {id}", code as i32)
            }
            Frame::End(_) => return out,
        };
        out.push(line);
        assert!(out.len() <= data.len() + 1, "the framing does not end");
    }
}
