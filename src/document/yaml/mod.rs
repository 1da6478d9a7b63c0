//! YAML: builds the span-carrying [`Node`] tree from `saphyr-parser`'s event stream.
//!
//! Decisions worth knowing:
//!
//! * **Documents.** One root per document of a stream. An *empty* document (`---` followed by
//!   nothing but comments or another `---`) produces **no root**, as `kubectl` and Helm skip
//!   them; a stream of only comments or an empty file yields zero roots. An explicit `--- ~` or
//!   `--- null` still yields a `Null` root.
//! * **Spans** are byte offsets into the original text (a leading BOM included). saphyr's markers
//!   count characters; `Offsets` converts them (identity for ASCII text).
//!   - plain scalars: the scalar text; quoted scalars: including the quotes;
//!   - block scalars (`|`, `>`): from the indicator to the last non-blank character of the
//!     content (saphyr's own span starts at the first content line and runs into the next line's
//!     indentation);
//!   - a node with an anchor or tag starts at that property;
//!   - flow collections: opening to closing bracket; block collections: from the first key or
//!     `-` to the end of the last child;
//!   - an empty value (`key:`) is an empty span where saphyr puts it (at the `:`).
//! * **Aliases** become clones of the anchored node, which keep the anchored node's spans (the
//!   honest place to point). Anchors are scoped to their document (saphyr's `next_event` would
//!   resolve an alias to an earlier document's anchor). Expansion is bounded by
//!   [`Limits::max_nodes`] per document using each anchored node's recorded (expanded) size, and
//!   the depth an alias would reach is checked against [`Limits::max_depth`], both *before*
//!   anything is cloned. Most clones are only made once the document is complete (placeholders
//!   stand in for aliases until then; keys and merge sources are cloned at once, one level
//!   deep), so a billion-laughs document is refused after reading a few lines. The copies kept
//!   in the anchor table count against a second `max_nodes` budget.
//! * **Duplicate keys** are kept (the last wins in [`Node::get`]) and reported as warnings;
//!   entries brought in by a merge never count as duplicates.
//! * **Errors** from saphyr keep its message (but its flow-nesting cap reads "nesting deeper
//!   than 255 levels"); the span is the character at its marker.
//! * **Tags**: local tags (`!Ref`, `!<!Ref>`) are kept without the `!`; a tagged scalar is a
//!   string (tagged nodes are not resolved by the core schema). Core tags (`!!str`, `!!int`, ...)
//!   are applied to scalars when they fit; an unknown `!!` tag (`!!Ref`) is kept as the local
//!   tag `!Ref`; other tags are ignored. No tag is ever an error.
//! * **Merge keys** (`<<`, plain and untagged) merge mappings YAML 1.1 style: explicit keys win,
//!   among merged mappings the first wins; merged entries take the place of the `<<` entry.
//! * saphyr does not recurse (its parser keeps an explicit state stack and its scanner caps flow
//!   nesting at 255 levels), so no pre-scan is needed: the builder below keeps its own stack and
//!   stops pulling events as soon as [`Limits::max_depth`] is exceeded.

use saphyr_parser::Parser;

use super::{Document, Limits, ParseError, Span};

mod alias;
mod builder;
mod fast;
mod merge;
mod offsets;
mod scalar;
pub(crate) use scalar::resolve_plain;
mod spans;
#[cfg(test)]
mod tests;

use builder::Builder;

/// Parse a YAML stream into one root per (non-empty) document.
pub fn parse(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    match fast::parse(text, limits) {
        Some(doc) => Ok(doc),
        None => parse_full(text, limits),
    }
}

/// The fast path alone: `None` where it leaves the text to the full parser. For the tests and
/// the fuzz target that compare the two.
pub fn parse_fast(text: &str, limits: &Limits) -> Option<Document> {
    fast::parse(text, limits)
}

/// The full parser alone (saphyr), for any YAML.
pub fn parse_full(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    let mut error = match parse_saphyr(text, limits) {
        Ok(doc) => return Ok(doc),
        Err(e) => e,
    };
    // saphyr refuses a tab as the only space after a mapping's `:` or a sequence's `-` before
    // a value (`key:<TAB>value`), which YAML 1.2 allows (a tab is separation whitespace
    // anywhere but in indentation) and which libyaml, Go's yaml (kubectl, Helm) and PyYAML
    // accept. Such a tab is parsed again as the space it stands for: the same length, so
    // every span is the file's own, and no value holds it.
    if separating_tabs(text, &error).is_none() {
        return Err(error);
    }
    // First every such tab of the file at once (a hand-written file uses them throughout):
    // kept only when no tab replaced lies inside a value, which a separating one never does.
    let replaced = tabs_after_indicators(text);
    if let Ok(doc) = parse_saphyr(&spaced(text, &replaced), limits) {
        if !replaced_inside_a_scalar(&doc, &replaced) {
            return Ok(doc);
        }
    }
    // Else one by one, each where saphyr stops.
    let mut source: Option<String> = None;
    // Each such tab costs a parse of the file: a budget of bytes parsed again.
    let mut reparsed = 0usize;
    while reparsed.saturating_add(text.len()) <= REPARSE_BUDGET {
        reparsed += text.len().max(1);
        let current = source.as_deref().unwrap_or(text);
        let Some(tabs) = separating_tabs(current, &error) else {
            break;
        };
        let next = spaced(current, &tabs.collect::<Vec<_>>());
        match parse_saphyr(&next, limits) {
            Ok(doc) => return Ok(doc),
            Err(e) => error = e,
        }
        source = Some(next);
    }
    Err(error)
}

/// Bytes parsed again to answer the errors [`separating_tabs`] finds in one file (each
/// reparses it).
const REPARSE_BUDGET: usize = 16 << 20;

/// The run of tabs saphyr's `error` is about, when it refused a tab that separates a `:` or a
/// `-` from what follows on its line: their byte range. saphyr stops just after the run.
fn separating_tabs(text: &str, error: &ParseError) -> Option<std::ops::Range<usize>> {
    if !error
        .message
        .ends_with("must be followed by a valid YAML whitespace")
    {
        return None;
    }
    let bytes = text.as_bytes();
    let to = error.span.start as usize;
    let from = bytes.get(..to)?.iter().rposition(|&b| b != b'\t')? + 1;
    (from < to && matches!(bytes.get(from - 1), Some(b':' | b'-'))).then_some(from..to)
}

/// Where every run of tabs after a `:` or a `-` and before more text on its line is, in order.
fn tabs_after_indicators(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        let after_indicator =
            bytes.get(i) == Some(&b'\t') && matches!(bytes.get(i - 1), Some(b':' | b'-'));
        if !after_indicator {
            i += 1;
            continue;
        }
        let end = (i..bytes.len())
            .find(|&j| bytes.get(j) != Some(&b'\t'))
            .unwrap_or(bytes.len());
        if bytes
            .get(end)
            .is_some_and(|&b| !matches!(b, b'\n' | b'\r' | b' '))
        {
            found.extend(i..end);
        }
        i = end.max(i + 1);
    }
    found
}

/// `text` with the tabs at `at` made spaces: the same length, so every span is unchanged.
fn spaced(text: &str, at: &[usize]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &i in at {
        if let Some(b @ b'\t') = bytes.get_mut(i) {
            *b = b' ';
        }
    }
    // ASCII tabs made ASCII spaces leave the text UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// Whether one of the sorted positions `replaced` lies inside a scalar of `doc` (its span,
/// quotes and all): the tab there was part of a value.
fn replaced_inside_a_scalar(doc: &Document, replaced: &[usize]) -> bool {
    let mut stack: Vec<&super::Node> = doc.roots.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            super::Value::Map(entries) => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
            super::Value::Seq(items) => stack.extend(items),
            _ => {
                let (start, end) = (node.span.start as usize, node.span.end as usize);
                let first = replaced.partition_point(|&p| p < start);
                if replaced.get(first).is_some_and(|&p| p < end) {
                    return true;
                }
            }
        }
    }
    false
}

fn parse_saphyr(text: &str, limits: &Limits) -> Result<Document, ParseError> {
    let mut builder = Builder::new(text, limits);
    let mut parser = Parser::new_from_str(text);
    while let Some(item) = parser.next_event() {
        let (event, span) = item.map_err(|e| builder.scan_error(&e))?;
        builder.event(event, span)?;
    }
    if let Some(frame) = builder.stack.last() {
        // saphyr always closes what it opens before the stream ends; be defensive anyway.
        return Err(ParseError {
            message: "unexpected end of stream inside a collection".to_string(),
            span: Span::new(frame.start, frame.start),
        });
    }
    Ok(builder.doc)
}
