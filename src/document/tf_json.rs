//! Terraform's JSON configuration syntax (`*.tf.json`, CDKTF's `cdktf.out/stacks/*/cdk.tf.json`)
//! into the tree [`super::hcl`] gives the native syntax, so that one reader serves both.
//!
//! The mapping (Terraform's "JSON Configuration Syntax"):
//!
//! - The root object's properties are top-level blocks. `resource` and `data` take two labels,
//!   `variable`, `output`, `module` and `provider` one, `locals` and `terraform` none; each label
//!   level is an object keyed by the label, or an array of such objects (for order and
//!   repetition: `"provider": {"mongodbatlas": [{..}, {"alias": "b"}]}` is two blocks). As in
//!   the native tree, labeled blocks nest as mappings (two blocks with the same labels are two
//!   entries with the same key) and unlabeled top-level blocks are sequences of bodies.
//! - Inside a body, nested blocks and object values are JSON objects or arrays of objects:
//!   they are kept as written (the reader of the tree accepts a single object where a block
//!   list is expected).
//! - A property named `//` is a comment, left out.
//! - A string where an expression is expected is a string template: one holding `${` or `%{`
//!   becomes an expression node tagged [`JSON_TEMPLATE_TAG`] (an [`super::EXPR_TAG`] kind, so
//!   never read as a literal) whose text is the template without its quotes, for
//!   [`super::hcl_expr::parse_template`]; any other string is a literal, with the `$${` and
//!   `%%{` escapes undone. `variable` blocks hold literal values only (`default`, `type`).
//!
//! Spans are the JSON nodes' own, so every location is exact.

use super::{EXPR_TAG, Entry, Node, Value};

/// The tag of a JSON string that is a template with interpolations or directives.
pub const JSON_TEMPLATE_TAG: &str = "hcl:expr:json";

/// The native-syntax tree of a `.tf.json` document's root.
pub fn to_native(root: &Node) -> Node {
    let mut entries = Vec::new();
    for entry in objects(root).flat_map(entries_of) {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        let value = match key {
            "resource" | "data" => labeled(&entry.value, 2, Body::Expressions),
            "output" | "module" | "provider" => labeled(&entry.value, 1, Body::Expressions),
            "variable" => labeled(&entry.value, 1, Body::Literal),
            "locals" | "terraform" => Node::new(
                Value::Seq(
                    objects(&entry.value)
                        .map(|b| body(b, Body::Expressions))
                        .collect(),
                ),
                entry.value.span,
            ),
            _ => continue,
        };
        entries.push(Entry {
            key: entry.key.clone(),
            value,
        });
    }
    Node::new(Value::Map(entries), root.span)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Strings are templates.
    Expressions,
    /// Strings are literal values.
    Literal,
}

/// The objects a block level holds: the object itself, or each object of an array.
fn objects(node: &Node) -> impl Iterator<Item = &Node> {
    let items: &[Node] = match &node.value {
        Value::Map(_) => std::slice::from_ref(node),
        Value::Seq(items) => items,
        _ => &[],
    };
    items.iter().filter(|n| n.as_map().is_some())
}

/// An object's entries, comments (`//`) left out.
fn entries_of(node: &Node) -> impl Iterator<Item = &Entry> {
    node.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.key.as_str() != Some("//"))
}

/// `labels` levels of labels above block bodies.
fn labeled(node: &Node, labels: usize, kind: Body) -> Node {
    let mut entries = Vec::new();
    for entry in objects(node).flat_map(entries_of) {
        if labels <= 1 {
            // The last label: its value is one body, or an array of bodies (repeated blocks).
            for b in objects(&entry.value) {
                entries.push(Entry {
                    key: entry.key.clone(),
                    value: body(b, kind),
                });
            }
        } else {
            entries.push(Entry {
                key: entry.key.clone(),
                value: labeled(&entry.value, labels - 1, kind),
            });
        }
    }
    Node::new(Value::Map(entries), node.span)
}

/// A block body. Bounded by the JSON parser's depth limit, like every walk of its trees.
fn body(node: &Node, kind: Body) -> Node {
    value(node, kind)
}

fn value(node: &Node, kind: Body) -> Node {
    let converted = match &node.value {
        Value::Map(_) => Value::Map(
            entries_of(node)
                .map(|e| Entry {
                    key: e.key.clone(),
                    value: value(&e.value, kind),
                })
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(items.iter().map(|i| value(i, kind)).collect()),
        Value::String(s) if kind == Body::Expressions => {
            if is_template(s) {
                return Node {
                    value: Value::String(s.clone()),
                    span: node.span,
                    tag: Some(JSON_TEMPLATE_TAG.into()),
                };
            }
            Value::String(unescape(s).into())
        }
        other => other.clone(),
    };
    Node::new(converted, node.span)
}

/// Whether a string holds an interpolation (`${`) or a directive (`%{`) that is not escaped
/// (`$${`, `%%{`).
fn is_template(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if (b == b'$' || b == b'%') && bytes.get(i + 1) == Some(&b'{') {
            return true;
        }
        if (b == b'$' || b == b'%')
            && bytes.get(i + 1) == Some(&b)
            && bytes.get(i + 2) == Some(&b'{')
        {
            i += 3;
            continue;
        }
        i += 1;
    }
    false
}

fn unescape(s: &str) -> String {
    s.replace("$${", "${").replace("%%{", "%{")
}

/// Whether a node is a template string of Terraform's JSON syntax ([`JSON_TEMPLATE_TAG`]).
pub fn is_json_template(node: &Node) -> bool {
    node.tag.as_deref() == Some(JSON_TEMPLATE_TAG)
}

// The tag must read as an expression everywhere.
const _: () = assert!(JSON_TEMPLATE_TAG.len() > EXPR_TAG.len());

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::document::{Cursor, Limits, json};

    fn native(text: &str) -> Node {
        let doc = json::parse(text, &Limits::default()).unwrap();
        to_native(&doc.roots[0])
    }

    #[test]
    fn blocks_take_the_native_shape() {
        let text = r#"{
  "//": {"metadata": {"version": "0.20.0"}},
  "provider": {"mongodbatlas": [{"//": "x"}, {"alias": "b"}]},
  "variable": {"region": {"default": "${not_a_template}"}},
  "locals": {"size": "M10"},
  "resource": [
    {"mongodbatlas_project": {"gov": {"name": "gov", "region_usage_restrictions": "GOV_REGIONS_ONLY"}}},
    {"mongodbatlas_advanced_cluster": {"c": {
      "project_id": "${mongodbatlas_project.gov.id}",
      "name": "$${literal}",
      "replication_specs": [{"region_configs": {"region_name": "${var.region}"}}]
    }}}
  ]
}"#;
        let root = native(text);
        let cur = Cursor::root(&root);
        let providers: Vec<_> = cur.get("provider").unwrap().entries().collect();
        assert_eq!(providers.len(), 2);
        assert!(providers[0].1.get("//").is_none());
        assert_eq!(
            cur.path(&["variable", "region", "default"]).unwrap().str(),
            Some("${not_a_template}")
        );
        let locals = cur.get("locals").unwrap();
        assert_eq!(
            locals.items().next().unwrap().get("size").unwrap().str(),
            Some("M10")
        );
        assert_eq!(
            cur.path(&["resource", "mongodbatlas_project", "gov", "name"])
                .unwrap()
                .str(),
            Some("gov")
        );
        let c = cur
            .path(&["resource", "mongodbatlas_advanced_cluster", "c"])
            .unwrap();
        let project = c.get("project_id").unwrap();
        assert!(project.node.is_expr());
        assert!(is_json_template(project.node));
        assert_eq!(
            project.node.expr_source(),
            Some("${mongodbatlas_project.gov.id}")
        );
        assert_eq!(
            &text[project.node.span.start as usize..project.node.span.end as usize],
            "\"${mongodbatlas_project.gov.id}\""
        );
        assert_eq!(c.get("name").unwrap().str(), Some("${literal}"));
        assert!(cur.get("//").is_none());
    }

    #[test]
    fn templates() {
        assert!(is_template("${var.x}"));
        assert!(is_template("a-%{ if x }b%{ endif }"));
        assert!(is_template("$${a} ${b}"));
        assert!(!is_template("$${a}"));
        assert!(!is_template("%%{a}"));
        assert!(!is_template("$ {a} $"));
    }
}
