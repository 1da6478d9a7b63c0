//! Documents, the core schema and tags.

use super::*;

#[test]
fn documents_and_empty_documents() {
    assert!(parse_ok("").roots.is_empty());
    assert!(parse_ok("# only a comment\n# another\n").roots.is_empty());
    assert!(parse_ok("---\n").roots.is_empty());
    assert!(parse_ok("---\n# comment\n...\n").roots.is_empty());
    let text = "---\n---\na: 1\n---\n--- b\n...\n--- ~\n";
    let doc = parse_ok(text);
    assert_eq!(doc.roots.len(), 3);
    assert_eq!(doc.roots[0].get("a").unwrap().value, n("1"));
    assert_eq!(doc.roots[1].value, s("b"));
    assert_eq!(doc.roots[1].span, span_of(text, "b"));
    assert_eq!(doc.roots[2].value, Value::Null);
    assert_eq!(doc.roots[2].span, span_of(text, "~"));
    let doc = parse_ok("a: 1\n---\nb: 2\n");
    assert_eq!(doc.roots.len(), 2);
    assert_eq!(doc.roots[1].get("b").unwrap().value, n("2"));
    // A quoted empty string is a document, not an empty one.
    assert_eq!(root("--- ''\n").value, s(""));
}

#[test]
fn core_schema_for_plain_scalars_only() {
    let cases: &[(&str, Value)] = &[
        ("null", Value::Null),
        ("Null", Value::Null),
        ("NULL", Value::Null),
        ("~", Value::Null),
        ("true", Value::Bool(true)),
        ("True", Value::Bool(true)),
        ("TRUE", Value::Bool(true)),
        ("false", Value::Bool(false)),
        ("False", Value::Bool(false)),
        ("FALSE", Value::Bool(false)),
        ("0", n("0")),
        ("-12", n("-12")),
        ("+7", n("+7")),
        ("007", n("007")),
        ("0o17", n("0o17")),
        ("0x1F", n("0x1F")),
        ("1.5", n("1.5")),
        ("-.5", n("-.5")),
        ("1.", n("1.")),
        ("1e3", n("1e3")),
        ("6.02E+23", n("6.02E+23")),
        (".inf", n(".inf")),
        ("-.Inf", n("-.Inf")),
        ("+.INF", n("+.INF")),
        (".nan", n(".nan")),
        (".NaN", n(".NaN")),
        ("yes", s("yes")),
        ("on", s("on")),
        ("nULL", s("nULL")),
        ("tRUE", s("tRUE")),
        ("0b101", s("0b101")),
        ("0o8", s("0o8")),
        ("0x", s("0x")),
        ("1_000", s("1_000")),
        ("1e", s("1e")),
        (".", s(".")),
        ("+.nan", s("+.nan")),
        ("1.2.3", s("1.2.3")),
        ("12:30", s("12:30")),
        ("EU_WEST_1", s("EU_WEST_1")),
    ];
    for (plain, want) in cases {
        let text = format!("v: {plain}\n");
        assert_eq!(&root(&text).get("v").unwrap().value, want, "{plain}");
    }
    let text = "a: 'true'\nb: \"12\"\nc: |\n  null\nd: >\n  3\n";
    let r = root(text);
    assert_eq!(r.get("a").unwrap().value, s("true"));
    assert_eq!(r.get("b").unwrap().value, s("12"));
    assert_eq!(r.get("c").unwrap().value, s("null\n"));
    assert_eq!(r.get("d").unwrap().value, s("3\n"));
    // Keys are resolved too and keep their spans.
    let r = root("1: one\ntrue: yes\n");
    let entries = r.as_map().unwrap();
    assert_eq!(entries[0].key.value, n("1"));
    assert_eq!(entries[0].key.span, Span::new(0, 1));
    assert_eq!(entries[1].key.value, Value::Bool(true));
}

#[test]
fn local_tags_are_kept_without_the_bang() {
    let text = "a: !Ref MyParam\nb: !GetAtt [Res, Arn]\nc: !Sub\n  x: y\nd: !<!Ref> v\n\
                    e: !Ref\nf: !Condition true\n";
    let r = root(text);
    let a = r.get("a").unwrap();
    assert_eq!(a.tag.as_deref(), Some("Ref"));
    assert_eq!(a.value, s("MyParam"));
    assert_eq!(a.span, span_of(text, "!Ref MyParam"));
    let b = r.get("b").unwrap();
    assert_eq!(b.tag.as_deref(), Some("GetAtt"));
    assert_eq!(b.span, span_of(text, "!GetAtt [Res, Arn]"));
    assert_eq!(b.as_seq().unwrap()[1].value, s("Arn"));
    let c = r.get("c").unwrap();
    assert_eq!(c.tag.as_deref(), Some("Sub"));
    assert_eq!(c.get("x").unwrap().value, s("y"));
    assert_eq!(c.span, span_between(text, "!Sub", "x: y"));
    assert_eq!(r.get("d").unwrap().tag.as_deref(), Some("Ref"));
    let e = r.get("e").unwrap();
    assert_eq!(e.tag.as_deref(), Some("Ref"));
    assert_eq!(e.value, s(""));
    // Tagged scalars are not resolved by the core schema.
    assert_eq!(r.get("f").unwrap().value, s("true"));
}

#[test]
fn unknown_double_bang_tags_are_kept_as_local_tags() {
    let text = "a: !!Ref Region\nb: !!GetAtt [P, Id]\nc: !<tag:yaml.org,2002:Sub> x\n";
    let r = root(text);
    let a = r.get("a").unwrap();
    assert_eq!(a.tag.as_deref(), Some("!Ref"));
    assert_eq!(a.value, s("Region"));
    assert_eq!(a.span, span_of(text, "!!Ref Region"));
    assert_eq!(r.get("b").unwrap().tag.as_deref(), Some("!GetAtt"));
    assert_eq!(r.get("c").unwrap().tag.as_deref(), Some("!Sub"));
}

#[test]
fn standard_and_unknown_tags_never_fail() {
    let text = "%TAG !e! tag:example.com,2000:\n---\na: !!str 5\nb: !!int \"7\"\n\
                    c: !!bool yes\nd: !e!foo bar\ne: ! 12\nf: !<tag:yaml.org,2002:float> 1.5\n\
                    g: !!null x\nh: !!binary aGk=\ni: !!map {k: v}\nj: !<tag:other> z\n";
    let r = root(text);
    assert_eq!(r.get("a").unwrap().value, s("5"));
    assert_eq!(r.get("a").unwrap().tag, None);
    assert_eq!(r.get("b").unwrap().value, n("7"));
    assert_eq!(r.get("c").unwrap().value, s("yes"));
    assert_eq!(r.get("d").unwrap().value, s("bar"));
    assert_eq!(r.get("d").unwrap().tag, None);
    assert_eq!(r.get("e").unwrap().value, s("12"));
    assert_eq!(r.get("f").unwrap().value, n("1.5"));
    assert_eq!(r.get("g").unwrap().value, Value::Null);
    assert_eq!(r.get("h").unwrap().value, s("aGk="));
    assert_eq!(r.get("i").unwrap().get("k").unwrap().value, s("v"));
    assert_eq!(r.get("j").unwrap().value, s("z"));
}
