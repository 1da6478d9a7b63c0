//! Spans of scalars and collections, and byte offsets.

use super::*;

#[test]
fn scalar_styles_have_exact_spans() {
    let text =
        "a: plain value\nb: 'single ''q'''\nc: \"double \\\"q\\\"\"\nd: plain\n  continued\n";
    let r = root(text);
    let a = r.entry("a").unwrap();
    assert_eq!(a.key.span, span_of(text, "a"));
    assert_eq!(a.value.span, span_of(text, "plain value"));
    assert_eq!(a.value.value, s("plain value"));
    let b = r.get("b").unwrap();
    assert_eq!(b.span, span_of(text, "'single ''q'''"));
    assert_eq!(b.value, s("single 'q'"));
    let c = r.get("c").unwrap();
    assert_eq!(c.span, span_of(text, "\"double \\\"q\\\"\""));
    assert_eq!(c.value, s("double \"q\""));
    let d = r.get("d").unwrap();
    assert_eq!(d.span, span_between(text, "plain\n", "continued"));
    assert_eq!(d.value, s("plain continued"));
    // The root mapping runs from the first key to the end of the last value.
    assert_eq!(r.span, span_between(text, "a", "continued"));
}

#[test]
fn quoted_scalar_spans_stop_at_the_closing_quote() {
    // saphyr's own span runs on over the blanks and the comment.
    let text = "a: 'x ''y''' # note\nb: \"q\\\" #\"   \nc: [ 'z' , 1 ]\n";
    let r = root(text);
    assert_eq!(r.get("a").unwrap().span, span_of(text, "'x ''y'''"));
    assert_eq!(r.get("b").unwrap().span, span_of(text, "\"q\\\" #\""));
    let c = r.get("c").unwrap().as_seq().unwrap();
    assert_eq!(c[0].span, span_of(text, "'z'"));
}

#[test]
fn multiline_quoted_scalar_spans_include_quotes() {
    let text = "- \"multi\n  line\"\n- 'two\n\n  lines'\n";
    let r = root(text);
    let items = r.as_seq().unwrap();
    assert_eq!(items[0].span, span_between(text, "\"multi", "line\""));
    assert_eq!(items[0].value, s("multi line"));
    assert_eq!(items[1].span, span_between(text, "'two", "lines'"));
    assert_eq!(items[1].value, s("two\nlines"));
}

#[test]
fn block_scalars_span_from_indicator_to_last_content() {
    let text = "lit: |\n  line one\n  line two\n\nfold: >-\n  folded\n  text\n\n\n\
                    keep: |+ # c|>\n  kept\n\nnext: x\n";
    let r = root(text);
    let lit = r.get("lit").unwrap();
    assert_eq!(lit.value, s("line one\nline two\n"));
    assert_eq!(lit.span, span_between(text, "|\n", "line two"));
    let fold = r.get("fold").unwrap();
    assert_eq!(fold.value, s("folded text"));
    assert_eq!(fold.span, span_between(text, ">-", "  text"));
    let keep = r.get("keep").unwrap();
    assert_eq!(keep.value, s("kept\n\n"));
    assert_eq!(keep.span, span_between(text, "|+", "kept"));
    assert_eq!(r.get("next").unwrap().span, span_after(text, "next", "x"));
    assert_eq!(r.span, span_between(text, "lit", "next: x"));
}

#[test]
fn block_scalar_in_nested_mapping_and_sequence() {
    let text = "a:\n  b: |\n    text\n\n  c: d\nlist:\n  - >\n    folded\n  - |\n    last\n";
    let r = root(text);
    let a = r.get("a").unwrap();
    let b = a.get("b").unwrap();
    assert_eq!(b.span, span_between(text, "|\n    text", "text"));
    assert_eq!(a.get("c").unwrap().span, span_after(text, "c:", "d"));
    // The nested mapping ends at its last value, not at the next key's line.
    assert_eq!(a.span, span_between(text, "b:", "c: d"));
    let list = r.get("list").unwrap();
    let items = list.as_seq().unwrap();
    assert_eq!(items[0].span, span_between(text, ">\n", "folded"));
    assert_eq!(items[1].span, span_between(text, "|\n    last", "last"));
    assert_eq!(list.span, span_between(text, "- >", "last"));
}

#[test]
fn block_scalar_indicator_is_found_past_comments_and_document_markers() {
    let text = "key: # not | this\n  |\n   text\nempty: |\nlast: >-";
    let r = root(text);
    let key = r.get("key").unwrap();
    assert_eq!(key.value, s("text\n"));
    assert_eq!(key.span, span_between(text, "|\n   text", "text"));
    let empty = r.get("empty").unwrap();
    assert_eq!(empty.value, s(""));
    assert_eq!(empty.span, span_after(text, "empty: ", "|"));
    let last = r.get("last").unwrap();
    assert_eq!(last.span, span_of(text, ">-"));
    let text = "--- |\n  x\n--- >\n  y\n";
    let doc = parse_ok(text);
    assert_eq!(doc.roots[0].span, span_between(text, "|", "x"));
    assert_eq!(doc.roots[1].span, span_between(text, ">", "y"));
}

#[test]
fn block_scalar_with_properties_starts_at_its_indicator_or_local_tag() {
    // An anchor is not part of the value; a local tag (CloudFormation's `!Sub`) is.
    let text = "a: &anc |\n  z\nb: !Sub >\n  q\n";
    let r = root(text);
    assert_eq!(r.get("a").unwrap().span, span_between(text, "|", "z"));
    let b = r.get("b").unwrap();
    assert_eq!(b.span, span_between(text, "!Sub", "q"));
    assert_eq!(b.tag.as_deref(), Some("Sub"));
    assert_eq!(b.value, s("q\n"));
}

#[test]
fn value_after_multibyte_block_scalar_has_exact_byte_span() {
    let text = "desc: |\n  héllo wörld\nregion: EU_WEST_1\nname: \"ünïcødé\"\n";
    let r = root(text);
    let desc = r.get("desc").unwrap();
    assert_eq!(desc.value, s("héllo wörld\n"));
    assert_eq!(desc.span, span_between(text, "|", "wörld"));
    let region = r.entry("region").unwrap();
    assert_eq!(region.key.span, span_of(text, "region"));
    assert_eq!(region.value.span, span_of(text, "EU_WEST_1"));
    assert_eq!(slice(text, region.value.span), "EU_WEST_1");
    let name = r.get("name").unwrap();
    assert_eq!(name.span, span_of(text, "\"ünïcødé\""));
}

#[test]
fn long_multibyte_lines_convert_exactly() {
    // Many multibyte characters before and between values exercise the checkpoints.
    let pad = "é€😀".repeat(100);
    let text = format!("a: {pad}\nb: [{pad}, x, {pad}]\nc: y\n");
    let r = root(&text);
    assert_eq!(slice(&text, r.get("a").unwrap().span), pad);
    let b = r.get("b").unwrap();
    assert_eq!(slice(&text, b.as_seq().unwrap()[1].span), "x");
    assert_eq!(slice(&text, b.as_seq().unwrap()[2].span), pad);
    assert_eq!(slice(&text, r.get("c").unwrap().span), "y");
    // And the converter agrees with char_indices for every index, in any order.
    let mut off = Offsets::new(&text);
    let table: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    for i in (0..table.len()).rev().step_by(7).chain(0..table.len()) {
        assert_eq!(off.byte(i), table[i]);
    }
    assert_eq!(off.byte(table.len()), text.len());
    assert_eq!(off.byte(table.len() + 100), text.len());
}

#[test]
fn collection_spans() {
    let text = "flow: [1, {x: y}, [z]]\nmap: {a: b}\nblock:\n  - s1\n  - s2\nnested:\n  k: v\n";
    let r = root(text);
    let flow = r.get("flow").unwrap();
    assert_eq!(flow.span, span_of(text, "[1, {x: y}, [z]]"));
    let items = flow.as_seq().unwrap();
    assert_eq!(items[0].value, n("1"));
    assert_eq!(items[1].span, span_of(text, "{x: y}"));
    assert_eq!(items[2].span, span_of(text, "[z]"));
    assert_eq!(r.get("map").unwrap().span, span_of(text, "{a: b}"));
    assert_eq!(
        r.get("block").unwrap().span,
        span_between(text, "- s1", "s2")
    );
    assert_eq!(r.get("nested").unwrap().span, span_of(text, "k: v"));
    assert_eq!(r.span, span_between(text, "flow", "k: v"));
}

#[test]
fn indentless_sequence_starts_at_its_dash() {
    let text = "key:\n- a\n- b\nother:\n- - c\n";
    let r = root(text);
    assert_eq!(r.get("key").unwrap().span, span_between(text, "- a", "- b"));
    let other = r.get("other").unwrap();
    assert_eq!(other.span, span_of(text, "- - c"));
    assert_eq!(
        other.as_seq().unwrap()[0].span,
        span_after(text, "other:\n- ", "- c")
    );
}

#[test]
fn flow_pairs_and_complex_keys() {
    let text = "[a: b, {c: d}: e]";
    let r = root(text);
    let items = r.as_seq().unwrap();
    assert_eq!(items[0].span, span_of(text, "a: b"));
    assert_eq!(items[0].get("a").unwrap().value, s("b"));
    let complex = &items[1].as_map().unwrap()[0];
    assert_eq!(complex.key.span, span_of(text, "{c: d}"));
    assert_eq!(complex.value.span, span_of(text, "e"));
    assert_eq!(r.span, Span::new(0, text.len()));
}

#[test]
fn empty_values_are_null() {
    let text = "a:\nb: ~\nc: null\n";
    let r = root(text);
    assert_eq!(r.get("a").unwrap().value, Value::Null);
    assert!(r.get("a").unwrap().span.is_empty());
    assert_eq!(r.get("b").unwrap().value, Value::Null);
    assert_eq!(r.get("c").unwrap().span, span_of(text, "null"));
}

#[test]
fn scalar_spans_leave_out_anchors_and_core_tags() {
    let text = "a: &x M10\nb: !!str M20\nc: !!str &y\n  # note\n  M30\nd: &z !Ref Name\ne: *x\n";
    let r = root(text);
    assert_eq!(r.get("a").unwrap().span, span_after(text, "&x ", "M10"));
    assert_eq!(r.get("b").unwrap().span, span_of(text, "M20"));
    // Content on a later line: the node stays at its properties' line.
    assert_eq!(
        r.get("c").unwrap().span,
        span_between(text, "!!str &y", "M30")
    );
    assert_eq!(r.get("d").unwrap().span, span_of(text, "!Ref Name"));
    assert_eq!(r.get("e").unwrap().span, span_after(text, "&x ", "M10"));
}
