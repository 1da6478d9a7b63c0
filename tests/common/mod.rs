//! Helpers shared by integration tests that read YAML as JSON (config schema, CI files).

use atlasgov_lint::document::{self, Node, Value as Yaml};
use serde_json::{Map, Value};

/// A YAML node as JSON, with YAML 1.2 core types (what editors and CI systems see).
pub fn to_json(node: &Node) -> Value {
    match &node.value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Number(n) => serde_json::from_str(n).unwrap_or_else(|_| Value::String(n.to_string())),
        Yaml::String(s) => Value::String(s.to_string()),
        Yaml::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|e| {
                    (
                        e.key.scalar_text().unwrap_or("").to_string(),
                        to_json(&e.value),
                    )
                })
                .collect::<Map<_, _>>(),
        ),
    }
}

/// A one-document YAML text as JSON (`None` when it does not parse or holds several).
pub fn yaml(text: &str) -> Option<Value> {
    let doc = document::yaml::parse(text, &Default::default()).ok()?;
    match doc.roots.as_slice() {
        [] => Some(Value::Null),
        [root] => Some(to_json(root)),
        _ => None,
    }
}
