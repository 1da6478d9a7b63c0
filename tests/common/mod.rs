//! Helpers shared by integration tests: YAML read as JSON (config schema, CI files), and the
//! binary run with standard input.
// Each test file that includes this module uses some of its helpers.
#![allow(dead_code)]

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

/// Run `cmd` with `input` on its standard input (stdout and stderr captured).
pub fn output_with_stdin(mut cmd: std::process::Command, input: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn atlasgov-lint");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}
