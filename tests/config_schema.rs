//! `schema/config-v1.schema.json`, the JSON Schema editors use for `.atlasgov-lint.yaml`: it
//! accepts every config example of the docs and the fixtures, rejects what the linter rejects,
//! names every rule, and the docs point editors at it.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

mod common;

use common::yaml;
use serde_json::{Value, json};

const SCHEMA: &str = "schema/config-v1.schema.json";
const MODELINE: &str = "# yaml-language-server: $schema=https://raw.githubusercontent.com/atlasgov-lint/atlasgov-lint/main/schema/config-v1.schema.json";

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).unwrap()
}

/// What the linter says of a config text: `Ok` or its errors.
fn linter(text: &str) -> Result<(), Vec<String>> {
    let dir = std::env::current_dir().unwrap();
    atlasgov_lint::config::parse(text, PathBuf::from("c.yaml"), dir)
        .map(|_| ())
        .map_err(|errors| errors.iter().map(|e| e.to_string()).collect())
}

/// The settings the linter knows, from its own message for an unknown one.
fn linter_keys() -> Vec<String> {
    let errors = linter("no-such-setting: 1\n").unwrap_err();
    let list = errors[0].split("valid keys: ").nth(1).unwrap();
    list.split(", ").map(String::from).collect()
}

/// The files under `roots` (at any depth) that `keep` accepts, sorted.
fn files_under(roots: &[&str], keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if keep(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md")];
    files.extend(files_under(&["docs", "rules"], |p| {
        p.extension().is_some_and(|e| e == "md")
    }));
    files
}

/// Every ```yaml block of the docs whose settings are all config settings: (where, text).
fn doc_examples() -> Vec<(String, String)> {
    let keys = linter_keys();
    let mut out = Vec::new();
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, block) in text.split("```yaml\n").skip(1).enumerate() {
            let body = block.split("```").next().unwrap();
            // Indented blocks (inside a list item) are unindented as Markdown does.
            let indent = body.len() - body.trim_start_matches(' ').len();
            let body: String = body
                .lines()
                .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
                .map(|l| format!("{l}\n"))
                .collect();
            let Some(Value::Object(map)) = yaml(&body) else {
                continue;
            };
            if !map.is_empty() && map.keys().all(|k| keys.contains(k)) {
                out.push((format!("{} block {}", file.display(), i + 1), body));
            }
        }
    }
    out
}

/// Every config file among the fixtures, the test data and the examples.
fn fixture_configs() -> Vec<(String, String)> {
    files_under(&["fixtures", "tests/data", "examples"], |p| {
        p.file_name().is_some_and(|n| n == ".atlasgov-lint.yaml")
    })
    .into_iter()
    .map(|p| {
        (
            p.display().to_string(),
            std::fs::read_to_string(&p).unwrap(),
        )
    })
    .collect()
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let s = schema();
    assert!(jsonschema::meta::is_valid(&s));
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    // The modeline's address is the schema's own.
    assert_eq!(
        MODELINE.split("$schema=").nth(1),
        s["$id"].as_str(),
        "the modeline names the schema's $id"
    );
}

#[test]
fn every_config_example_validates_and_the_linter_accepts_it() {
    let examples: Vec<(String, String)> = doc_examples()
        .into_iter()
        .chain(fixture_configs())
        .collect();
    let from = |prefix: &str| {
        examples
            .iter()
            .filter(|(w, _)| w.starts_with(prefix))
            .count()
    };
    assert!(from("docs/configuration.md") >= 1, "{examples:?}");
    assert!(from("tests/data") >= 1, "{examples:?}");
    let v = validator();
    for (where_, text) in &examples {
        let json = yaml(text).unwrap_or_else(|| panic!("{where_}: not YAML"));
        let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{where_}: {errors:?}\n{text}");
        assert_eq!(linter(text), Ok(()), "{where_}\n{text}");
    }
}

#[test]
fn configs_the_linter_accepts_validate() {
    let v = validator();
    for text in [
        "",
        "# nothing set\n",
        "rules: {gov001: off, Gov002: warning, scram-sha-1: error}\n",
        "rules: {GOV000: warning, GOV100: error}\n",
        "exclude: []\n",
        "exceptions:\n  - file: '*.json'\n    pointer: ''\n    rule: gov003\n",
        "exceptions:\n  - {file: a.json, pointer: /a, rule: GOV003, reason: r, until: 2027-03-31}\n",
        "unsuppressible: [GOV001, tier-below-m20, GOV101]\n",
        "overrides: []\n",
    ] {
        assert_eq!(linter(text), Ok(()), "{text}");
        let json = yaml(text).unwrap();
        let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{text}: {errors:?}");
    }
}

#[test]
fn configs_the_linter_rejects_do_not_validate() {
    let v = validator();
    for text in [
        "colour: always\n",
        "rules:\n  GOV004: warn\n",
        "rules:\n  GOV042: off\n",
        "rules:\n  tier-below-m2: off\n",
        "rules: [GOV001]\n",
        "rules: {invalid-spec: off}\n",
        "rules: {GOV000: off}\n",
        "fail-on: sometimes\n",
        "default-region-usage: GOV\n",
        "exclude: vendor\n",
        "exclude:\n",
        "overrides:\n  - files: [x]\n    rulez: {}\n",
        "overrides:\n  - rules: {GOV001: off}\n",
        "overrides:\n  - files: [x]\n",
        "unsuppressible: [GOV9]\n",
        "exceptions:\n  - file: a.json\n    pointer: x\n    rule: GOV001\n    reason: r\n",
        "exceptions:\n  - file: a.json\n    pointer: /a\n    rule: GOV101\n    reason: r\n",
        "exceptions:\n  - file: a.json\n    pointer: /a\n    rule: GOV000\n    reason: r\n",
        "exceptions:\n  - file: a.json\n    pointer: /a\n    reason: r\n",
        "exceptions:\n  - file: a.json\n    pointer: /a\n    rule: GOV001\n    until: tomorrow\n",
        "exceptions:\n  - file: a.json\n    pointer: /a\n    rule: GOV001\n    expires: 2027-01-01\n",
        "[rules]\n",
    ] {
        assert!(linter(text).is_err(), "the linter accepts {text:?}");
        let json = yaml(text).unwrap();
        assert!(!v.is_valid(&json), "the schema accepts {text:?}");
    }
}

#[test]
fn the_schema_knows_every_setting_and_every_rule() {
    let s = schema();
    let mut properties: Vec<String> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let mut keys = linter_keys();
    properties.sort();
    keys.sort();
    assert_eq!(properties, keys, "top-level settings");

    let every: Vec<&atlasgov_lint::rules::RuleMeta> =
        atlasgov_lint::rules::every().map(|r| &r.meta).collect();
    let refs = |keep: &dyn Fn(&atlasgov_lint::rules::RuleMeta) -> bool| -> (Value, String) {
        let kept: Vec<_> = every.iter().filter(|m| keep(m)).collect();
        let names: Vec<Value> = kept
            .iter()
            .flat_map(|m| [json!(m.code), json!(m.name)])
            .collect();
        let numbers: Vec<&str> = kept.iter().map(|m| &m.code[3..]).collect();
        (
            Value::Array(names),
            format!("^[Gg][Oo][Vv]({})$", numbers.join("|")),
        )
    };
    let (all, all_pattern) = refs(&|_| true);
    assert_eq!(s["$defs"]["rule"]["anyOf"][0]["enum"], all);
    assert_eq!(s["$defs"]["rule"]["anyOf"][1]["pattern"], all_pattern);
    let (suppressible, pattern) =
        refs(&|m| atlasgov_lint::rules::suppression::unsuppressible_reason(m).is_none());
    assert_eq!(
        s["$defs"]["suppressibleRule"]["anyOf"][0]["enum"],
        suppressible
    );
    assert_eq!(
        s["$defs"]["suppressibleRule"]["anyOf"][1]["pattern"],
        pattern
    );
}

#[test]
fn the_docs_point_editors_at_the_schema() {
    let page = std::fs::read_to_string("docs/configuration.md").unwrap();
    let example = page.split("```yaml\n").nth(1).unwrap();
    assert!(
        example.starts_with(MODELINE),
        "docs/configuration.md: the first example starts with the modeline"
    );
    let editors = std::fs::read_to_string("docs/editors.md").unwrap();
    assert!(editors.contains(MODELINE), "docs/editors.md");
    assert!(Path::new(SCHEMA).is_file());
}
