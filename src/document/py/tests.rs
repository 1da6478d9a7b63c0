#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

fn module(text: &str) -> Node {
    parse(text, &Limits::default())
        .expect("reads")
        .roots
        .remove(0)
}

fn value<'a>(root: &'a Node, name: &str) -> &'a Node {
    root.get("bindings").unwrap().get(name).unwrap()
}

fn src<'t>(text: &'t str, node: &Node) -> &'t str {
    &text[node.span.start as usize..node.span.end as usize]
}

#[test]
fn literals_and_what_is_not_one() {
    let text = r#"a = "it's"
b = 'x' "y"
c = r"\d"
d = -2.5
e = [True, None, {"k": (1, 2)}]
f = f"orders-{stack}"
g = f"plain"
h = b"bytes"
i = x + 1
j = [s for s in xs if s]
k = {**base, "k": 1}
l = lambda s: s
m: str = """long
text"""
"#;
    let root = module(text);
    assert_eq!(value(&root, "a").as_str(), Some("it's"));
    assert_eq!(value(&root, "b").as_str(), Some("xy"));
    assert_eq!(src(text, value(&root, "b")), "'x' \"y\"");
    assert_eq!(value(&root, "c").as_str(), Some("\\d"));
    assert_eq!(value(&root, "d").value, Value::Number("-2.5".into()));
    let e = value(&root, "e").as_seq().unwrap();
    assert_eq!(e[0].value, Value::Bool(true));
    assert_eq!(e[1].value, Value::Null);
    assert_eq!(e[2].get("k").unwrap().as_seq().unwrap().len(), 2);
    assert_eq!(value(&root, "g").as_str(), Some("plain"));
    assert_eq!(value(&root, "m").as_str(), Some("long\ntext"));
    for name in ["f", "h", "i", "j", "k", "l"] {
        assert!(value(&root, name).is_expr(), "{name}");
    }
}

#[test]
fn comprehensions_of_one_name_are_maps() {
    let text = r#"a = [{"region_name": r} for r in REGIONS]
b = [s["tier"] for s in [{"tier": "M30"}]]
c = [r for r in xs if r]
d = [k for k, v in items]
e = [r for r in cfg.regions]
f = [y for y in xs for z in y]
"#;
    let root = module(text);
    let a = value(&root, "a");
    assert_eq!(a.tag.as_deref(), Some(CALL_TAG));
    assert_eq!(a.get("callee").and_then(Node::as_str), Some("REGIONS.map"));
    let f = &a.get("args").unwrap().as_seq().unwrap()[0];
    assert_eq!(f.tag.as_deref(), Some(ARROW_TAG));
    assert_eq!(
        f.get("params").unwrap().as_seq().unwrap()[0].as_str(),
        Some("r")
    );
    assert_eq!(src(text, f.get("body").unwrap()), r#"{"region_name": r}"#);
    let b = value(&root, "b");
    assert_eq!(b.get("callee").and_then(Node::as_str), Some("map"));
    assert_eq!(
        src(text, b.get("receiver").unwrap()),
        r#"[{"tier": "M30"}]"#
    );
    for name in ["c", "d", "e", "f"] {
        assert!(value(&root, name).is_expr(), "{name}");
    }
}

#[test]
fn calls_of_classes_with_keyword_arguments_and_bindings() {
    let text = r#"import pulumi
import pulumi_mongodbatlas as atlas
from pulumi_mongodbatlas import (Project as P,
    DatabaseUser)
cfg = pulumi.Config()
project = P("p", name="p", org_id=cfg.require("orgId"))
atlas.AdvancedCluster("c",
    project_id=project.id,
    replication_specs=[atlas.AdvancedClusterReplicationSpecArgs(region_configs=[])],
    opts=pulumi.ResourceOptions(protect=True))
helper(project)
"#;
    let root = module(text);
    let imports = root.get("imports").unwrap().as_seq().unwrap();
    assert_eq!(imports.len(), 3);
    assert_eq!(imports[1].get("namespace").unwrap().as_str(), Some("atlas"));
    let names = imports[2].get("names").unwrap();
    assert_eq!(names.get("P").unwrap().as_str(), Some("Project"));
    assert_eq!(
        names.get("DatabaseUser").unwrap().as_str(),
        Some("DatabaseUser")
    );
    assert_eq!(value(&root, "cfg").tag.as_deref(), Some(NEW_TAG));
    assert_eq!(value(&root, "project").tag.as_deref(), Some(NEW_TAG));
    let news = root.get("news").unwrap().as_seq().unwrap();
    let callees: Vec<_> = news
        .iter()
        .map(|n| n.get("callee").unwrap().as_str().unwrap())
        .collect();
    assert_eq!(
        callees,
        [
            "pulumi.Config",
            "P",
            "atlas.AdvancedCluster",
            "atlas.AdvancedClusterReplicationSpecArgs",
            "pulumi.ResourceOptions"
        ]
    );
    assert_eq!(news[1].get("binding").unwrap().as_str(), Some("project"));
    let kwargs = news[2].get("kwargs").unwrap();
    assert_eq!(
        kwargs.get("project_id").unwrap().tag.as_deref(),
        Some(REF_TAG)
    );
    assert_eq!(src(text, kwargs.get("project_id").unwrap()), "project.id");
    let org = news[1].get("kwargs").unwrap().get("org_id").unwrap();
    assert_eq!(org.tag.as_deref(), Some(CALL_TAG));
}

#[test]
fn names_bound_again_are_not_bindings() {
    let text = "a = 'M10'\na = 'M30'\nb = 1\nb += 1\nfor c in xs: pass\nc = 2\nwith open(p) as d: pass\nd = 3\ne = 'x'\nif e == 'x': pass\n";
    let root = module(text);
    let names: Vec<_> = root
        .get("bindings")
        .unwrap()
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str().unwrap())
        .collect();
    assert_eq!(names, ["e"]);
}

#[test]
fn comments_strings_and_continuations_hide_their_contents() {
    let text = "# atlas.Project('a', name='a')\ns = 'atlas.Project(\"b\")'\nt = \"\"\"\natlas.Project('c')\n\"\"\"\nx = \\\n    'joined'\n";
    let root = module(text);
    assert!(root.get("news").unwrap().as_seq().unwrap().is_empty());
    assert_eq!(value(&root, "x").as_str(), Some("joined"));
}

#[test]
fn hostile_input_is_read_without_panic_and_within_limits() {
    let deep = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let root = module(&deep);
    assert!(root.get("bindings").unwrap().get("a").is_some());
    for text in [
        "import",
        "from",
        "from m import (",
        "a =",
        "A(",
        "A(x=",
        "A(*",
        "'''unclosed",
        "'unclosed\nb = 1",
        "x = {'a': }",
        "\u{feff}é = 'ü'",
        "f(\\",
    ] {
        let _ = parse(text, &Limits::default());
    }
    let tight = Limits {
        max_depth: 4,
        max_nodes: 16,
    };
    let many = "a = [".to_string() + &"1,".repeat(50) + "]\n";
    assert!(parse(&many, &tight).is_err());
}

#[test]
fn unclosed_nested_calls_are_read_past_group_by_group() {
    let text = "A(".repeat(2_500) + &"a = b + (\n".repeat(2_500);
    let _ = parse(&text, &Limits::default());
}
