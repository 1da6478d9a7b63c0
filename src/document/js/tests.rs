#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::document::EXPR_TAG;

fn module(text: &str) -> Node {
    parse(text, &Limits::default())
        .expect("reads")
        .roots
        .remove(0)
}

fn src<'t>(text: &'t str, node: &Node) -> &'t str {
    &text[node.span.start as usize..node.span.end as usize]
}

fn keys(node: &Node) -> Vec<String> {
    node.as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn bindings_imports_and_news() {
    let text = r#"import * as pulumi from "@pulumi/pulumi";
import * as mongodbatlas from "@pulumi/mongodbatlas";
const config = new pulumi.Config();
const region = "US_EAST_1";
let tier: string = "M30";
tier = "M40";
const project = new mongodbatlas.Project("gov", { name: "p", orgId: config.require("orgId") });
"#;
    let root = module(text);
    let imports = root.get("imports").unwrap().as_seq().unwrap();
    assert_eq!(imports.len(), 2);
    assert_eq!(
        imports[1].get("module").unwrap().as_str(),
        Some("@pulumi/mongodbatlas")
    );
    assert_eq!(
        imports[1].get("namespace").unwrap().as_str(),
        Some("mongodbatlas")
    );
    let bindings = root.get("bindings").unwrap();
    assert_eq!(keys(bindings), ["config", "region", "project"]);
    assert_eq!(src(text, bindings.get("region").unwrap()), "\"US_EAST_1\"");
    assert_eq!(
        bindings.get("config").unwrap().tag.as_deref(),
        Some(NEW_TAG)
    );
    let news = root.get("news").unwrap().as_seq().unwrap();
    assert_eq!(news.len(), 2);
    let project = &news[1];
    assert_eq!(
        project.get("callee").unwrap().as_str(),
        Some("mongodbatlas.Project")
    );
    assert_eq!(
        src(text, project.get("callee").unwrap()),
        "mongodbatlas.Project"
    );
    assert_eq!(project.get("binding").unwrap().as_str(), Some("project"));
    let props = &project.get("args").unwrap().as_seq().unwrap()[1];
    let org = props.get("orgId").unwrap();
    assert_eq!(org.tag.as_deref(), Some(CALL_TAG));
    assert_eq!(org.get("callee").unwrap().as_str(), Some("config.require"));
}

fn value<'a>(root: &'a Node, name: &str) -> &'a Node {
    root.get("bindings").unwrap().get(name).unwrap()
}

#[test]
fn literals_are_read_with_their_spans_and_escapes() {
    let text = "const a = 'it\\'s';\nconst b = `plain \\u{41}`;\nconst c = -1.5e-3;\nconst d = [true, null, undefined, {\"k\": 0x1F}];\n";
    let root = module(text);
    assert_eq!(value(&root, "a").as_str(), Some("it's"));
    assert_eq!(src(text, value(&root, "a")), "'it\\'s'");
    assert_eq!(value(&root, "b").as_str(), Some("plain A"));
    assert_eq!(value(&root, "c").value, Value::Number("-1.5e-3".into()));
    let d = value(&root, "d").as_seq().unwrap();
    assert_eq!(d[0].value, Value::Bool(true));
    assert_eq!(d[1].value, Value::Null);
    assert_eq!(d[2].value, Value::Null);
    assert_eq!(d[3].get("k").unwrap().value, Value::Number("0x1F".into()));
}

#[test]
fn what_is_not_a_literal_is_an_expression_never_a_value() {
    let text = r#"const a = x + 1;
const b = `t-${x}`;
const c = { ...base, k: 1 };
const d = [...xs];
const e = (s) => s;
const f = config.get("tier") ?? "M30";
const g = cond ? "M10" : "M30";
const h = await fetch("u");
"#;
    let root = module(text);
    for name in ["a", "b", "c", "d", "f", "g", "h"] {
        let v = value(&root, name);
        assert!(v.is_expr(), "{name}: {v:?}");
        assert_eq!(v.as_str(), None, "{name}");
    }
    assert_eq!(src(text, value(&root, "c")), "{ ...base, k: 1 }");
    assert_eq!(src(text, value(&root, "g")), r#"cond ? "M10" : "M30""#);
}

#[test]
fn arrow_functions_with_plain_parameters_and_one_expression() {
    let text = r#"const a = (s) => s;
const b = (r: Region, i?: number) => ({ name: r.name });
const c = r => { return r.tier; };
const d = ({ name }) => name;
const e = (r = 1) => r;
const f = r => { log(r); return r; };
const g = regions.map((r) => ({ regionName: r }));
const h = ["a", "b"].map(x => x);
"#;
    let root = module(text);
    let params = |name: &str| -> Vec<String> {
        let v = value(&root, name);
        assert_eq!(v.tag.as_deref(), Some(ARROW_TAG), "{name}: {v:?}");
        v.get("params")
            .and_then(Node::as_seq)
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(params("a"), ["s"]);
    assert_eq!(params("b"), ["r", "i"]);
    assert_eq!(
        src(text, value(&root, "b").get("body").unwrap()),
        "{ name: r.name }"
    );
    assert_eq!(params("c"), ["r"]);
    assert_eq!(src(text, value(&root, "c").get("body").unwrap()), "r.tier");
    // A destructured or defaulted parameter, a block that does more: not read.
    for name in ["d", "e", "f"] {
        assert!(value(&root, name).is_expr(), "{name}");
    }
    let g = value(&root, "g");
    assert_eq!(g.tag.as_deref(), Some(CALL_TAG));
    assert_eq!(g.get("callee").and_then(Node::as_str), Some("regions.map"));
    let h = value(&root, "h");
    assert_eq!(h.get("callee").and_then(Node::as_str), Some("map"));
    assert_eq!(src(text, h.get("receiver").unwrap()), r#"["a", "b"]"#);
    assert_eq!(src(text, h), r#"["a", "b"].map(x => x)"#);
}

#[test]
fn references_calls_and_typescript_casts() {
    let text = r#"const a = project.id;
const b = cfg.require("tier")!;
const c = obj["key"][0].name as string;
const d = <const>{ x: 1 };
const e = { x: 1 } satisfies Shape;
"#;
    let root = module(text);
    assert_eq!(value(&root, "a").tag.as_deref(), Some(REF_TAG));
    assert_eq!(value(&root, "a").value, Value::String("project.id".into()));
    assert_eq!(value(&root, "b").tag.as_deref(), Some(CALL_TAG));
    let c = value(&root, "c");
    assert_eq!(c.value, Value::String("obj[\"key\"][0].name".into()));
    assert_eq!(src(text, c), "obj[\"key\"][0].name");
    assert!(value(&root, "d").is_expr());
    assert!(value(&root, "e").get("x").is_some());
}

#[test]
fn names_assigned_again_are_not_bindings() {
    let text = "let a = 'M10';\na = 'M30';\nvar b = 1; b++;\nlet c = 2; c += 1;\nconst d = 'x', e = 'y';\nif (a === 'M30') {}\n";
    let root = module(text);
    assert_eq!(keys(root.get("bindings").unwrap()), ["d", "e"]);
}

#[test]
fn statements_without_semicolons_end_at_the_line() {
    let text = "const a = 'M10'\nconst b = project.id\nnew atlas.Project('p', { name: 'p' })\nconst c = 1\n";
    let root = module(text);
    assert_eq!(value(&root, "a").as_str(), Some("M10"));
    assert_eq!(value(&root, "b").value, Value::String("project.id".into()));
    assert_eq!(value(&root, "c").value, Value::Number("1".into()));
    assert_eq!(root.get("news").unwrap().as_seq().unwrap().len(), 1);
}

#[test]
fn comments_regexes_and_templates_hide_their_contents() {
    let text = r#"// const hidden = new atlas.Project("a", {});
/* new atlas.Project("b", {}) */
const re = /new atlas\.Project\("c"\)/g;
const ratio = 10 / 2 / 1;
const t = `${`new atlas.Project("d", {})`} ${ { a: "}" }.a }`;
const real = new atlas.Project("e", { name: "e" });
"#;
    let root = module(text);
    let news = root.get("news").unwrap().as_seq().unwrap();
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(value(&root, "ratio").tag.as_deref(), Some(EXPR_TAG));
    assert_eq!(news[0].get("binding").unwrap().as_str(), Some("real"));
}

#[test]
fn every_import_form() {
    let text = r#"import * as a from "@pulumi/mongodbatlas";
import b from "@pulumi/mongodbatlas";
import { Project, AdvancedCluster as Cluster, type Output } from "@pulumi/mongodbatlas";
import c = require("@pulumi/mongodbatlas");
const d = require("@pulumi/mongodbatlas");
const { Provider: P } = require("@pulumi/mongodbatlas");
import type { X } from "@pulumi/mongodbatlas";
import "./side-effects";
"#;
    let root = module(text);
    let imports = root.get("imports").unwrap().as_seq().unwrap();
    let namespaces: Vec<_> = imports
        .iter()
        .filter_map(|i| i.get("namespace").and_then(Node::as_str))
        .collect();
    assert_eq!(namespaces, ["a", "b", "c", "d"]);
    let names: Vec<(String, String)> = imports
        .iter()
        .flat_map(|i| i.get("names").unwrap().as_map().unwrap())
        .map(|e| {
            (
                e.key.as_str().unwrap().to_string(),
                e.value.as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Project".to_string(), "Project".to_string()),
            ("Cluster".to_string(), "AdvancedCluster".to_string()),
            ("Output".to_string(), "Output".to_string()),
            ("P".to_string(), "Provider".to_string()),
        ]
    );
}

#[test]
fn hostile_input_is_read_without_panic_and_within_limits() {
    let deep = format!("const a = {}1{};", "[".repeat(100_000), "]".repeat(100_000));
    let root = module(&deep);
    // Read down to the depth limit; below it, an expression.
    let mut node = value(&root, "a");
    let mut depth = 0;
    while let Some([inner]) = node.as_seq() {
        node = inner;
        depth += 1;
    }
    assert!(node.is_expr() && depth < 1000, "{depth}");
    for text in [
        "new",
        "new a.",
        "new a.B(",
        "const",
        "const a =",
        "import * as",
        "`${",
        "`${'",
        "'unclosed\nconst a = 1",
        "/* open",
        "/[/",
        "const a = {b: [1, {c: }",
        "x = new a.B<T>(1",
        "\u{feff}#!/usr/bin/env node\nconst é = 'ü'",
    ] {
        let _ = parse(text, &Limits::default());
    }
    let many = "const a = [".to_string() + &"1,".repeat(50) + "];";
    let tight = Limits {
        max_depth: 4,
        max_nodes: 16,
    };
    assert!(parse(&many, &tight).is_err());
}

#[test]
fn unclosed_nested_calls_are_read_past_group_by_group() {
    // Each `new` is read to the depth limit, and what does not close is read past in one
    // step (this took seconds for a few kilobytes when each level scanned to the end).
    let text = "new A(".repeat(2_500) + &"const a = x + (\n".repeat(2_500);
    let _ = parse(&text, &Limits::default());
}

#[test]
fn an_escaped_backtick_after_a_substitution_does_not_end_a_template() {
    // Once a substitution had made the template's value unknown, `\`` ended the template,
    // and the `(` after it was read as code (a real Pulumi example, aws-ts-pulumi-webhooks).
    let text = "const t = `(\\`${kind}\\`)\\n`;\nconst real = new atlas.Project(\"e\", { name: \"e\" });\n";
    let root = module(text);
    let news = root.get("news").unwrap().as_seq().unwrap();
    assert_eq!(news.len(), 1, "{news:?}");
}

#[test]
fn a_bracket_never_closed_is_an_error_naming_it() {
    let text = "const a = 1;\nconst noise = {a: {b: 1};\nnew atlas.Project(\"e\", {});\n";
    let e = parse(text, &Limits::default()).unwrap_err();
    assert_eq!(
        e.message,
        "the `{` at line 2, column 15 is never closed: this is not valid code"
    );
    assert_eq!(&text[e.span.start as usize..e.span.end as usize], "{");
    // Closers without openers, strings, comments, templates and regular expressions do not
    // count.
    let fine = "const s = \"(\"; // (\nconst r = /[(]/;\nconst t = `(${ \"{\" }`;\n";
    assert!(parse(fine, &Limits::default()).is_ok());
}

/// TypeScript's type arguments on a call are skipped (`requireObject<Cluster>("cluster")` is a
/// call of `cfg.requireObject`); a comparison that looks like them is not one.
#[test]
fn type_arguments_of_a_call() {
    let text = r#"const a = cfg.requireObject<ClusterArgs>("cluster");
const b = cfg.requireObject<{ tier: string; regions?: string[] }>("cluster");
const c = cfg.getObject<Map<string, Array<string>>>("tags");
const d = f(n < 10 ? 10 : 20, m > (1));
"#;
    let root = module(text);
    let bindings = root.get("bindings").unwrap();
    for name in ["a", "b", "c"] {
        let call = bindings.get(name).unwrap();
        assert_eq!(call.tag.as_deref(), Some(CALL_TAG), "{name}");
    }
    assert_eq!(
        bindings.get("a").unwrap().get("callee").unwrap().as_str(),
        Some("cfg.requireObject")
    );
    // `d`: a call of `f` whose first argument is not a call of `n`.
    let d = bindings.get("d").unwrap();
    assert_eq!(d.get("callee").unwrap().as_str(), Some("f"));
    let first = &d.get("args").unwrap().as_seq().unwrap()[0];
    assert_ne!(first.tag.as_deref(), Some(CALL_TAG));
}
