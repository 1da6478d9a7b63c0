//! Tests of the YAML builder, by concern; the helpers below are shared.

use super::alias::placeholder_id;
use super::offsets::Offsets;
use super::parse;
use crate::document::{Document, Limits, Node, ParseError, ParseWarning, Span, Value};
use std::time::{Duration, Instant};

mod aliases;
mod limits;
mod schema;
mod spans;

fn parse_ok(text: &str) -> Document {
    match parse(text, &Limits::default()) {
        Ok(doc) => doc,
        Err(e) => panic!("unexpected error {e:?} for {text:?}"),
    }
}

fn parse_err(text: &str, limits: &Limits) -> ParseError {
    match parse(text, limits) {
        Ok(doc) => panic!("expected an error, got {doc:?}"),
        Err(e) => e,
    }
}

fn root(text: &str) -> Node {
    let mut doc = parse_ok(text);
    assert_eq!(doc.roots.len(), 1, "{text:?}");
    doc.roots.remove(0)
}

/// The span of the first occurrence of `needle` in `text`.
fn span_of(text: &str, needle: &str) -> Span {
    let at = text.find(needle).unwrap();
    Span::new(at, at + needle.len())
}

/// The span of `needle`, searching after the first occurrence of `after`.
fn span_after(text: &str, after: &str, needle: &str) -> Span {
    let from = text.find(after).unwrap() + after.len();
    let at = from + text[from..].find(needle).unwrap();
    Span::new(at, at + needle.len())
}

/// From the first occurrence of `from` to the end of the first occurrence of `to` after it.
fn span_between(text: &str, from: &str, to: &str) -> Span {
    let start = text.find(from).unwrap();
    let end = start + text[start..].find(to).unwrap() + to.len();
    Span::new(start, end)
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn n(v: &str) -> Value {
    Value::Number(v.into())
}

fn keys(node: &Node) -> Vec<&str> {
    node.as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.scalar_text().unwrap())
        .collect()
}

/// A guard against super-linear blow-ups (minutes or hours on these inputs), not a speed
/// measurement (that is bench/run.sh): unoptimized builds on a loaded 2-core CI machine
/// take a few seconds here.
fn assert_fast(start: Instant) {
    let took = start.elapsed();
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
