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

use std::collections::HashMap;

use super::{EXPR_TAG, Entry, Node, Span, Value, push_pointer};

/// The tag of a JSON string that is a template with interpolations or directives.
pub const JSON_TEMPLATE_TAG: &str = "hcl:expr:json";

/// Where each block body of a `.tf.json` file is in that file. The native tree has the shape
/// of the native syntax, so a [`Cursor`](super::Cursor) walking it builds native paths
/// (`/locals/0/tier`, one `/provider/mongodbatlas` for two blocks); a reader that re-points a
/// body's cursor at [`BlockPointers::get`]'s pointer builds the file's own RFC 6901 pointers
/// below it (`/locals/tier`, `/provider/mongodbatlas/1`, `/resource/0/mongodbatlas_project/gov`).
/// Keyed by the body's span, which the native tree keeps.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BlockPointers {
    by_span: HashMap<Span, BlockAt>,
}

/// A block body's place in a `.tf.json` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockAt {
    /// The body's JSON pointer in the file.
    pub pointer: String,
    /// Whether the body is one element of an array of bodies under its last label (or of
    /// `locals`): `"provider": {"mongodbatlas": [{..}, {..}]}` is two such bodies, which share
    /// their key, so the body itself is what tells them apart.
    pub element: bool,
}

impl BlockPointers {
    /// The place of the block body with this span, if it is one.
    pub fn get(&self, body: Span) -> Option<&BlockAt> {
        self.by_span.get(&body)
    }

    fn record(&mut self, body: &Node, pointer: String, element: bool) {
        self.by_span.insert(body.span, BlockAt { pointer, element });
    }
}

/// The native-syntax tree of a `.tf.json` document's root.
pub fn to_native(root: &Node) -> Node {
    to_native_located(root).0
}

/// The native-syntax tree of a `.tf.json` document's root, with where each of its block bodies
/// is in the file.
pub fn to_native_located(root: &Node) -> (Node, BlockPointers) {
    let mut blocks = BlockPointers::default();
    let mut entries = Vec::new();
    for (object, at, _) in objects_at(root, "") {
        for entry in entries_of(object) {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            let here = child(&at, key);
            let value = match key {
                "resource" | "data" => {
                    labeled(&entry.value, &here, 2, Body::Expressions, &mut blocks)
                }
                "output" | "module" | "provider" => {
                    labeled(&entry.value, &here, 1, Body::Expressions, &mut blocks)
                }
                "variable" => labeled(&entry.value, &here, 1, Body::Literal, &mut blocks),
                "locals" | "terraform" | "import" => Node::new(
                    Value::Seq(
                        objects_at(&entry.value, &here)
                            .map(|(b, at, element)| {
                                blocks.record(b, at, element);
                                body(b, Body::Expressions)
                            })
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
    }
    (Node::new(Value::Map(entries), root.span), blocks)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Strings are templates.
    Expressions,
    /// Strings are literal values.
    Literal,
}

/// `pointer` extended by one reference token.
fn child(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    push_pointer(&mut out, token);
    out
}

/// The objects a block level holds: the object itself, or each object of an array; each with
/// its pointer (`at`, or `at` and the element's index) and whether it is an array element.
fn objects_at<'n>(node: &'n Node, at: &str) -> impl Iterator<Item = (&'n Node, String, bool)> {
    let (items, element): (&[Node], bool) = match &node.value {
        Value::Map(_) => (std::slice::from_ref(node), false),
        Value::Seq(items) => (items, true),
        _ => (&[], false),
    };
    let at = at.to_string();
    items
        .iter()
        .enumerate()
        .filter(|(_, n)| n.as_map().is_some())
        .map(move |(i, n)| {
            let pointer = if element {
                child(&at, &i.to_string())
            } else {
                at.clone()
            };
            (n, pointer, element)
        })
}

/// An object's entries, comments (`//`) left out.
fn entries_of(node: &Node) -> impl Iterator<Item = &Entry> {
    node.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.key.as_str() != Some("//"))
}

/// `labels` levels of labels above block bodies; `at` is the pointer of `node` in the file.
fn labeled(node: &Node, at: &str, labels: usize, kind: Body, blocks: &mut BlockPointers) -> Node {
    let mut entries = Vec::new();
    for (object, at, _) in objects_at(node, at) {
        for entry in entries_of(object) {
            let here = child(&at, entry.key.scalar_text().unwrap_or(""));
            if labels <= 1 {
                // The last label: its value is one body, or an array of bodies (repeated
                // blocks).
                for (b, at, element) in objects_at(&entry.value, &here) {
                    blocks.record(b, at, element);
                    entries.push(Entry {
                        key: entry.key.clone(),
                        value: body(b, kind),
                    });
                }
            } else {
                entries.push(Entry {
                    key: entry.key.clone(),
                    value: labeled(&entry.value, &here, labels - 1, kind, blocks),
                });
            }
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
                    tag: Some(arcstr::literal!(JSON_TEMPLATE_TAG)),
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
    fn block_bodies_know_their_pointers_in_the_file() {
        let text = r#"{
  "locals": {"tier": "M10"},
  "provider": {"mongodbatlas": [{"is_mongodbgov_cloud": true}, {"alias": "b"}]},
  "variable": [{"region": {"default": "US_GOV_WEST_1"}}],
  "module": {"db": [{"source": "./db"}]},
  "output": {"id": {"value": "${x}"}},
  "resource": [
    {"mongodbatlas_project": {"gov": {"name": "gov"}}},
    {"mongodbatlas_advanced_cluster": {"a/b~c": {"name": "c"}}}
  ],
  "data": {"mongodbatlas_project": [{"p": {"name": "p"}}]}
}"#;
        let doc = json::parse(text, &Limits::default()).unwrap();
        let (root, blocks) = to_native_located(&doc.roots[0]);
        let cur = Cursor::root(&root);
        let at = |c: Cursor<'_>| blocks.get(c.node.span).cloned().unwrap();
        let place = |pointer: &str, element: bool| BlockAt {
            pointer: pointer.to_string(),
            element,
        };
        let locals = cur.get("locals").unwrap().items().next().unwrap();
        assert_eq!(at(locals), place("/locals", false));
        let providers: Vec<_> = cur.get("provider").unwrap().entries().collect();
        assert_eq!(
            at(providers[0].1.clone()),
            place("/provider/mongodbatlas/0", true)
        );
        assert_eq!(
            at(providers[1].1.clone()),
            place("/provider/mongodbatlas/1", true)
        );
        let region = cur.path(&["variable", "region"]).unwrap();
        assert_eq!(at(region), place("/variable/0/region", false));
        let db = cur.path(&["module", "db"]).unwrap();
        assert_eq!(at(db), place("/module/db/0", true));
        let out = cur.path(&["output", "id"]).unwrap();
        assert_eq!(at(out), place("/output/id", false));
        let gov = cur
            .path(&["resource", "mongodbatlas_project", "gov"])
            .unwrap();
        assert_eq!(
            at(gov),
            place("/resource/0/mongodbatlas_project/gov", false)
        );
        let c = cur
            .path(&["resource", "mongodbatlas_advanced_cluster", "a/b~c"])
            .unwrap();
        assert_eq!(
            at(c),
            place("/resource/1/mongodbatlas_advanced_cluster/a~1b~0c", false)
        );
        let p = cur.path(&["data", "mongodbatlas_project", "p"]).unwrap();
        assert_eq!(at(p), place("/data/mongodbatlas_project/0/p", false));
        // Values are not bodies.
        assert!(
            blocks
                .get(cur.path(&["output", "id", "value"]).unwrap().node.span)
                .is_none()
        );
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
