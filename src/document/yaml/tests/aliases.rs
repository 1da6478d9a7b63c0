//! Anchors, aliases (and their limits) and merge keys.

use super::*;

#[test]
fn aliases_clone_the_anchored_node_with_its_span() {
    let text = "base: &b\n  x: 1\n  y: [2]\nuse: *b\nscalar: &s hello\nagain: *s\n";
    let r = root(text);
    let base = r.get("base").unwrap();
    let used = r.get("use").unwrap();
    assert_eq!(used, base);
    assert_eq!(used.span, span_between(text, "&b", "[2]"));
    let again = r.get("again").unwrap();
    assert_eq!(again.value, s("hello"));
    // A scalar's span is its content, without its anchor.
    assert_eq!(again.span, span_of(text, "hello"));
}

#[test]
fn unknown_and_cross_document_aliases_are_errors() {
    let text = "a: 1\nb: *nope\n";
    let e = parse_err(text, &Limits::default());
    assert!(e.message.contains("unknown anchor"), "{e:?}");
    assert_eq!(e.span.start as usize, text.find("*nope").unwrap());
    // Anchors are scoped to their document (saphyr itself would resolve this one).
    let text = "a: &x 1\n---\nb: *x\n";
    let e = parse_err(text, &Limits::default());
    assert!(e.message.contains("unknown anchor"), "{e:?}");
    assert_eq!(e.span, span_of(text, "*x"));
    let text = "a: &r [1, *r]\n";
    let e = parse_err(text, &Limits::default());
    assert!(e.message.contains("recursive"), "{e:?}");
    assert_eq!(e.span, span_of(text, "*r"));
}

fn billion_laughs() -> String {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    text
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let text = billion_laughs();
    let start = Instant::now();
    let e = parse_err(&text, &Limits::default());
    // Nothing is expanded before the refusal: well under a millisecond in release. The
    // bound only guards against expanding (which would not finish); see `assert_fast`.
    assert_fast(start);
    assert_eq!(
        e.message,
        "alias expansion exceeds 1000000 nodes (billion laughs?)"
    );
    assert_eq!(e.span, span_after(&text, "a6:", "*a5"));
    // With a small budget it stops much earlier.
    let limits = Limits {
        max_nodes: 1000,
        ..Limits::default()
    };
    let e = parse_err(&text, &limits);
    assert_eq!(
        e.message,
        "alias expansion exceeds 1000 nodes (billion laughs?)"
    );
    assert_eq!(e.span, span_after(&text, "a3:", "*a2"));
}

/// Every node of the tree, iteratively.
fn all_nodes(root: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(node) = todo.pop() {
        out.push(node);
        match &node.value {
            Value::Seq(items) => todo.extend(items.iter()),
            Value::Map(entries) => {
                for e in entries {
                    todo.push(&e.key);
                    todo.push(&e.value);
                }
            }
            _ => {}
        }
    }
    out
}

fn assert_no_placeholders(doc: &Document) {
    for root in &doc.roots {
        for node in all_nodes(root) {
            assert!(placeholder_id(node).is_none(), "{node:?}");
        }
    }
}

#[test]
fn alias_expansion_within_limits_is_complete() {
    let text: String = billion_laughs()
        .lines()
        .take(4)
        .collect::<Vec<_>>()
        .join("\n");
    let doc = parse_ok(&text);
    assert_no_placeholders(&doc);
    let a3 = doc.roots[0].get("a3").unwrap();
    let leaves: Vec<&Node> = all_nodes(a3)
        .into_iter()
        .filter(|n| n.as_str() == Some("lol"))
        .collect();
    assert_eq!(leaves.len(), 9 * 9 * 9 * 9);
    let first_lol = span_of(&text, "lol");
    assert!(
        leaves
            .iter()
            .all(|n| n.span.start >= first_lol.start && n.span.end < span_of(&text, "a1:").start)
    );
    // Aliases inside an anchored node, to anchors defined inside it, expand too.
    let text = "x: &x [&y {k: v}, *y]
z: [*x, *x]
w: *x
";
    let doc = parse_ok(text);
    assert_no_placeholders(&doc);
    let r = &doc.roots[0];
    let x = r.get("x").unwrap();
    assert_eq!(x.as_seq().unwrap()[1], x.as_seq().unwrap()[0]);
    assert_eq!(r.get("w").unwrap(), x);
    assert_eq!(r.get("z").unwrap().as_seq().unwrap()[1], *x);
    assert_eq!(x.as_seq().unwrap()[1].span, span_of(text, "&y {k: v}"));
}

#[test]
fn alias_keys_and_nested_merges() {
    let text = "k: &k key
m:
  *k : 1
  other: 2
  *k : 3
";
    let doc = parse_ok(text);
    let m = doc.roots[0].get("m").unwrap();
    assert_eq!(keys(m), ["key", "other", "key"]);
    assert_eq!(doc.warnings.len(), 1);
    assert_eq!(doc.warnings[0].span, span_after(text, "&k ", "key"));
    let text = "inner: &i {deep: 1}\nbase: &b {a: *i, list: [*i]}\nuse:\n  <<: *b\n  c: *i\n\
                    multi:\n  <<: [*b, {z: *i}]\n";
    let doc = parse_ok(text);
    assert_no_placeholders(&doc);
    let r = &doc.roots[0];
    let inner = r.get("inner").unwrap();
    let used = r.get("use").unwrap();
    assert_eq!(keys(used), ["a", "list", "c"]);
    assert_eq!(used.get("a").unwrap(), inner);
    assert_eq!(used.get("list").unwrap().as_seq().unwrap()[0], *inner);
    let multi = r.get("multi").unwrap();
    assert_eq!(keys(multi), ["a", "list", "z"]);
    assert_eq!(multi.get("z").unwrap(), inner);
}

#[test]
fn node_count_limit_applies_without_aliases() {
    let limits = Limits {
        max_nodes: 5,
        ..Limits::default()
    };
    let e = parse_err("[1, 2, 3, 4, 5]", &limits);
    assert_eq!(e.message, "document has more than 5 nodes");
    assert_eq!(e.span, Span::new(13, 14));
    // The count is per document.
    assert_eq!(
        parse("[1, 2]\n---\n[3, 4]\n", &limits).unwrap().roots.len(),
        2
    );
}

#[test]
fn alias_depth_is_checked_before_cloning() {
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    let text = "a: &d [[[1]]]\nb: [[*d]]\n";
    let e = parse_err(text, &limits);
    assert_eq!(e.message, "nesting deeper than 4 levels");
    assert_eq!(e.span, span_of(text, "*d"));
    assert!(parse("a: &d [[[1]]]\nb: *d\n", &limits).is_ok());
}

#[test]
fn merge_keys() {
    let text = "base: &base\n  a: 1\n  b: 2\nother: &other\n  b: 20\n  c: 30\n\
                    one:\n  <<: *base\n  b: 3\ntwo:\n  x: 0\n  <<: [*other, *base]\n  c: 5\n";
    let doc = parse_ok(text);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    let r = &doc.roots[0];
    let one = r.get("one").unwrap();
    assert_eq!(keys(one), ["a", "b"]);
    assert_eq!(one.get("a").unwrap().value, n("1"));
    assert_eq!(one.get("b").unwrap().value, n("3"));
    // The merged entry points at the anchored definition.
    let a = text.find("a: 1").unwrap();
    assert_eq!(one.entry("a").unwrap().key.span, Span::new(a, a + 1));
    let two = r.get("two").unwrap();
    assert_eq!(keys(two), ["x", "b", "a", "c"]);
    assert_eq!(two.get("b").unwrap().value, n("20"));
    assert_eq!(two.get("c").unwrap().value, n("5"));
    assert_eq!(two.get("a").unwrap().value, n("1"));
    // An inline mapping merges too; a quoted "<<" is an ordinary key.
    let r = root("m:\n  <<: {k: v}\n  \"<<\": q\n");
    let m = r.get("m").unwrap();
    assert_eq!(keys(m), ["k", "<<"]);
}

#[test]
fn merge_of_a_non_mapping_is_kept_with_a_warning() {
    let text = "m:\n  <<: 5\n";
    let doc = parse_ok(text);
    let m = doc.roots[0].get("m").unwrap();
    assert_eq!(keys(m), ["<<"]);
    assert_eq!(doc.warnings.len(), 1);
    assert_eq!(doc.warnings[0].span, span_of(text, "5"));
}
