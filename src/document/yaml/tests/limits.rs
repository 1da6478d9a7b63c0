//! Duplicate keys, depth limits, scan errors and odd inputs.

use super::*;

#[test]
fn duplicate_keys_warn_and_keep_both() {
    let text = "k: 1\nj: 2\nk: 3\n";
    let doc = parse_ok(text);
    let r = &doc.roots[0];
    assert_eq!(keys(r), ["k", "j", "k"]);
    assert_eq!(r.get("k").unwrap().value, n("3"));
    assert_eq!(
        doc.warnings,
        vec![ParseWarning {
            message: "duplicate key `k`: consumers disagree on which value wins".to_string(),
            span: span_after(text, "j", "k"),
            related: Some(Span::new(0, 1)),
            help: None,
        }]
    );
}

#[test]
fn duplicate_keys_in_large_maps_use_the_index() {
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&format!("key{i}: {i}\n"));
    }
    text.push_str("key7: again\nkey49: again\n'key3': quoted\n3: number\n\"3\": string\n");
    let doc = parse_ok(&text);
    let spans: Vec<&str> = doc.warnings.iter().map(|w| slice(&text, w.span)).collect();
    assert_eq!(spans, ["key7", "key49", "'key3'"]);
    let related = doc.warnings[1].related.unwrap();
    assert_eq!(related, span_of(&text, "key49"));
    // 3 and "3" are different keys in YAML.
    assert_eq!(doc.warnings.len(), 3);
}

#[test]
fn depth_limit_reports_the_offending_node() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert!(parse("[[[1]]]", &limits).is_ok());
    let e = parse_err("[[[[1]]]]", &limits);
    assert_eq!(e.message, "nesting deeper than 3 levels");
    assert_eq!(e.span, Span::new(3, 4));
    let text = "a:\n  b:\n    c:\n      d: 1\n";
    let e = parse_err(text, &limits);
    assert_eq!(e.message, "nesting deeper than 3 levels");
    assert_eq!(e.span.start as usize, text.find("d: 1").unwrap());
}

#[test]
fn deep_flow_nesting_fails_fast() {
    for open in ["[", "{", "[a: ", "{a: "] {
        let text = open.repeat(100_000);
        let start = Instant::now();
        let e = parse_err(&text, &Limits::default());
        assert_fast(start);
        assert!(e.message.starts_with("nesting deeper than"), "{e:?}");
    }
    // Also when the limit is above saphyr's own cap of 255 flow levels.
    let limits = Limits {
        max_depth: 10_000,
        ..Limits::default()
    };
    let e = parse_err(&"[".repeat(100_000), &limits);
    assert_eq!(e.message, "nesting deeper than 255 levels");
    assert_eq!(e.span, Span::new(255, 256));
}

#[test]
fn deep_block_nesting_fails_fast() {
    // 100,000 levels of compact block nesting on one line.
    for item in ["- ", "? ", "- ? "] {
        let text = format!("{}x\n", item.repeat(100_000));
        let start = Instant::now();
        let e = parse_err(&text, &Limits::default());
        assert_fast(start);
        assert_eq!(e.message, "nesting deeper than 256 levels", "{item}");
    }
    // Growing indentation, one level per line. 100,000 such lines would be 5 GB of text
    // (the indentation is quadratic), so 10,000 lines (50 MB) stand in for them.
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("k:\n");
    }
    let start = Instant::now();
    let e = parse_err(&text, &Limits::default());
    assert_fast(start);
    assert_eq!(e.message, "nesting deeper than 256 levels");
    assert_eq!(
        e.span.start as usize,
        text.find(&format!("\n{}k", " ".repeat(256))).unwrap() + 1 + 256
    );
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&" ".repeat(i));
        text.push_str("-\n");
    }
    let start = Instant::now();
    assert!(parse(&text, &Limits::default()).is_err());
    assert_fast(start);
}

#[test]
fn scan_errors_carry_byte_spans() {
    let text = "héllo: wörld: x\n";
    let e = parse_err(text, &Limits::default());
    assert!(
        e.message.contains("mapping values are not allowed"),
        "{e:?}"
    );
    assert_eq!(e.span, span_after(text, "wörld", ":"));
    let text = "a: [1, 2\n";
    let e = parse_err(text, &Limits::default());
    assert!(e.span.end as usize <= text.len());
    let text = "ü: \"unterminated";
    let e = parse_err(text, &Limits::default());
    assert!(e.span.start as usize <= text.len(), "{e:?}");
    assert!(e.span.end as usize <= text.len(), "{e:?}");
}

#[test]
fn bom_crlf_and_tabs() {
    let text = "\u{feff}a: 1\r\nb: x\ty\r\nc: |\r\n  l1\r\n  l2\r\nd: \"tab\\there\"\r\n";
    let r = root(text);
    let a = r.entry("a").unwrap();
    assert_eq!(a.key.span, Span::new(3, 4));
    assert_eq!(a.value.span, span_of(text, "1"));
    let b = r.get("b").unwrap();
    assert_eq!(b.value, s("x\ty"));
    assert_eq!(b.span, span_of(text, "x\ty"));
    let c = r.get("c").unwrap();
    assert_eq!(c.value, s("l1\nl2\n"));
    assert_eq!(c.span, span_between(text, "|", "l2"));
    assert_eq!(r.get("d").unwrap().value, s("tab\there"));
    assert_eq!(r.get("d").unwrap().span, span_of(text, "\"tab\\there\""));
    assert_eq!(r.span, span_between(text, "a", "here\""));
}

#[test]
fn a_tab_after_an_indicator_separates_like_a_space() {
    // YAML 1.2 allows a tab as the only separation after `:` and `-` (libyaml and Go's yaml
    // read these); saphyr refuses the first two, and they are read again with the tab as a
    // space. Spans are the file's own, and a tab inside a value stays in it.
    let text = "a:\tone\nb: {c:\tx}\nd:\t\t'q:\tr'\ne:\n-\tfive\nf: g\th\n";
    let r = root(text);
    assert_eq!(r.get("a").unwrap().value, s("one"));
    assert_eq!(r.get("a").unwrap().span, span_of(text, "one"));
    assert_eq!(r.get("b").unwrap().get("c").unwrap().value, s("x"));
    assert_eq!(r.get("d").unwrap().value, s("q:\tr"));
    assert_eq!(r.get("d").unwrap().span, span_of(text, "'q:\tr'"));
    let e = r.get("e").unwrap();
    assert_eq!(e.as_seq().unwrap()[0].value, s("five"));
    assert_eq!(r.get("f").unwrap().value, s("g\th"));
    // A hand-written file that separates every value so.
    let many: String = (0..3000).map(|i| format!("k{i}:\tv{i}\n")).collect();
    let r = root(&many);
    assert_eq!(r.get("k2999").unwrap().value, s("v2999"));
    // A tab inside a value stays there, a dash's or a colon's too; the tabs that separate
    // are read as spaces.
    let text = "name:\t\t\tus-\tprimary\nother:\tx\nq: 'a:\tb'\nblock: |\n  k:\tv\nlast:\tz\n";
    let r = root(text);
    assert_eq!(r.get("name").unwrap().value, s("us-\tprimary"));
    assert_eq!(r.get("other").unwrap().value, s("x"));
    assert_eq!(r.get("q").unwrap().value, s("a:\tb"));
    assert_eq!(r.get("block").unwrap().value, s("k:\tv\n"));
    assert_eq!(r.get("last").unwrap().value, s("z"));
    // A tab in indentation is still an error.
    let e = parse_err("a:\n\tb: 1\n", &Limits::default());
    assert!(e.message.contains("tab"), "{e:?}");
}

#[test]
fn odd_inputs_do_not_panic() {
    let inputs = [
        "",
        "\u{feff}",
        "\u{feff}\u{feff}",
        "-",
        "- ",
        "?",
        ": ",
        "[",
        "]",
        "{",
        "}",
        "*",
        "&",
        "!",
        "&a",
        "!a",
        "*a",
        "%",
        "%YAML 1.2",
        "%YAML 1.2\n%YAML 1.2\n---",
        "...",
        "---\n...\n...",
        "|",
        ">",
        "|-",
        "|9",
        "|0",
        "a: |\n\tx",
        "\t",
        "a:\tb",
        "\"",
        "'",
        "\"\\",
        "\"\\u12",
        "[a, b",
        "{a: b",
        "a: [}",
        "- [\n- ]",
        "? a\n? b\n: c",
        ": a",
        "a: &x\nb: *x",
        "&x [*x]",
        "&x {a: *x}",
        "<<: *nope",
        "<<: [1, *",
        "a: !<",
        "!<>",
        "a: 'x\n\n",
        "key: \u{0}",
        "\r",
        "\r\n\r\n",
        "a\rb: c",
        "\u{85}",
        "\u{2028}: x",
        "---\u{feff}",
        "a: 1\n\u{feff}b: 2",
        "- &a\n- *a",
        "? - a\n  - b\n: c",
        "--- |\n  x\n--- >\n  y",
        "a: b #c\n#d\n  e: f",
        "[a, {b: [c, {d: e}]}, f]:",
    ];
    for text in inputs {
        let _ = parse(text, &Limits::default());
        let _ = parse(
            text,
            &Limits {
                max_depth: 0,
                max_nodes: 0,
            },
        );
    }
}
