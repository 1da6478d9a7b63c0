//! Terraform's JSON syntax (`*.tf.json`, CDKTF's `cdk.tf.json`): every pointer reported for such
//! a file is an RFC 6901 pointer into that file as written (an object where the file has an
//! object, an element's index only where it has an array), so that a config exception written
//! with the file's own pointer applies; a provider block that is one element of CDKTF's array
//! form is reported at that element, not at the key it shares with the other blocks.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run")
}

/// `check --format json .` in `dir`: the report.
fn check(dir: &Path) -> Value {
    let o = run(dir, &["check", "--format", "json", "."]);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// Every place a finding names: (code, file, line, column, pointer), the finding's own place
/// first, then its related places.
fn places(v: &Value) -> Vec<(String, String, u64, u64, String)> {
    let mut out = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap().to_string();
        let mut add = |p: &Value| {
            out.push((
                code.clone(),
                p["file"].as_str().unwrap().to_string(),
                p["line"].as_u64().unwrap(),
                p["column"].as_u64().unwrap(),
                p["pointer"].as_str().unwrap_or("").to_string(),
            ));
        };
        add(f);
        for r in f["related"].as_array().into_iter().flatten() {
            add(r);
        }
    }
    out
}

/// A CDKTF-style root module that writes each block kind in both of the JSON syntax's shapes:
/// `locals` as an object and as an array, the provider blocks as an array under one key, the
/// resources as an array of objects at the top level and a body as a one-element array,
/// `variable` and `output` as arrays, a `module` call's body as an array.
const MAIN: &str = r#"{
  "//": {"metadata": {"backend": "local", "stackName": "app", "version": "0.20.8"}},
  "variable": [{"region": {"default": "US_EAST_1"}}],
  "locals": {"tier": "M10"},
  "provider": {"mongodbatlas": [{"is_mongodbgov_cloud": true}, {"alias": "commercial", "public_key": "pk"}]},
  "resource": [
    {"mongodbatlas_project": {"gov": {"name": "gov", "org_id": "64f0a1b2c3d4e5f6a7b8c9d0", "region_usage_restrictions": "GOV_REGIONS_ONLY"}}},
    {"mongodbatlas_advanced_cluster": {"c": [{
      "project_id": "${mongodbatlas_project.gov.id}",
      "name": "c",
      "cluster_type": "REPLICASET",
      "replication_specs": [{"region_configs": [{"provider_name": "AWS", "region_name": "${var.region}", "priority": 7, "electable_specs": {"instance_size": "${local.tier}", "node_count": 3}}]}]
    }]}}
  ],
  "module": {"db": [{"source": "./db", "tier": "M10"}]},
  "output": [{"tier": {"value": "${local.tier}"}}]
}
"#;

/// A second file of the root module, its locals an array of two blocks.
const OTHER: &str = r#"{
  "locals": [{"unused": "x"}, {"size": "M10"}],
  "resource": {"mongodbatlas_advanced_cluster": {"d": {
    "project_id": "${mongodbatlas_project.gov.id}",
    "name": "d",
    "cluster_type": "REPLICASET",
    "replication_specs": [{"region_configs": [{"provider_name": "AWS", "region_name": "US_GOV_WEST_1", "priority": 7, "electable_specs": {"instance_size": "${local.size}", "node_count": 3}}]}]
  }}}
}
"#;

/// The called module: its variable an object, its tier set by the call.
const DB: &str = r#"{
  "variable": {"tier": {"type": "string"}},
  "resource": {"mongodbatlas_advanced_cluster": {"db": {
    "project_id": "65a1b2c3d4e5f60718293a4b",
    "name": "db",
    "cluster_type": "REPLICASET",
    "replication_specs": [{"region_configs": [{"provider_name": "AWS", "region_name": "US_GOV_WEST_1", "priority": 7, "electable_specs": {"instance_size": "${var.tier}", "node_count": 3}}]}]
  }}}
}
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "main.tf.json", MAIN);
    write(d, "other.tf.json", OTHER);
    write(d, "db/main.tf.json", DB);
    dir
}

#[test]
fn every_pointer_of_a_tf_json_file_is_a_pointer_into_it() {
    let dir = project();
    let d = dir.path();
    let v = check(d);
    let places = places(&v);
    assert!(!places.is_empty(), "{v:#}");
    for (code, file, line, column, pointer) in &places {
        let text = std::fs::read_to_string(d.join(file)).unwrap();
        let json: Value = serde_json::from_str(&text).unwrap();
        assert!(
            json.pointer(pointer).is_some(),
            "{code} {file}:{line}:{column}: `{pointer}` is no pointer into the file\n{v:#}"
        );
    }
    let pointers: Vec<(&str, &str, &str)> = places
        .iter()
        .map(|(c, f, _, _, p)| (c.as_str(), f.as_str(), p.as_str()))
        .collect();
    let cluster =
        "/resource/1/mongodbatlas_advanced_cluster/c/0/replication_specs/0/region_configs/0";
    for want in [
        // `locals` written as an object: no `/0`.
        ("GOV002", "main.tf.json", "/locals/tier"),
        (
            "GOV002",
            "main.tf.json",
            &format!("{cluster}/electable_specs/instance_size"),
        ),
        // `locals` written as an array: the block's index.
        ("GOV002", "other.tf.json", "/locals/1/size"),
        // `variable` written as an array.
        ("GOV004", "main.tf.json", "/variable/0/region/default"),
        ("GOV004", "main.tf.json", &format!("{cluster}/region_name")),
        // A module call's body written as a one-element array.
        ("GOV002", "main.tf.json", "/module/db/0/tier"),
        // The second provider block of the array.
        ("GOV020", "main.tf.json", "/provider/mongodbatlas/1"),
    ] {
        assert!(pointers.contains(&want), "{want:?} not among {pointers:#?}");
    }
}

#[test]
fn a_provider_block_of_an_array_is_reported_at_its_element_without_a_fix() {
    let dir = project();
    let d = dir.path();
    let v = check(d);
    let gov020: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "GOV020")
        .collect();
    assert_eq!(gov020.len(), 1, "{v:#}");
    let f = gov020[0];
    // Line 5 of main.tf.json: the `{` of `{"alias": "commercial", ...}`, not the shared
    // `"mongodbatlas"` key (the first block, with the flag, is compliant).
    let line = MAIN.lines().nth(4).unwrap();
    let column = line.find(r#"{"alias""#).unwrap() + 1;
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
        (Some("main.tf.json"), Some(5), Some(column as u64)),
        "{f:#}"
    );
    assert_eq!(f["pointer"], "/provider/mongodbatlas/1");
    // The native syntax's insertion (`is_mongodbgov_cloud = true`) is no JSON: no fix, and
    // `--diff` has nothing of it.
    assert!(f["fix"].is_null(), "{f:#}");
    let diff = run(d, &["check", "--diff", "--unsafe-fixes", "."]);
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(
        !diff
            .lines()
            .any(|l| l.starts_with('+') && l.contains("is_mongodbgov_cloud")),
        "{diff}"
    );
}

#[test]
fn exceptions_written_with_the_files_own_pointers_apply() {
    let dir = project();
    let d = dir.path();
    write(
        d,
        ".atlasgov-lint.yaml",
        r#"exceptions:
  - file: main.tf.json
    pointer: /locals/tier
    rule: tier-below-m20
    reason: "sandbox, ticket OPS-11"
  - file: other.tf.json
    pointer: /locals/1/size
    rule: tier-below-m20
    reason: "sandbox, ticket OPS-12"
  - file: main.tf.json
    pointer: /provider/mongodbatlas/1
    rule: commercial-endpoint
    reason: "migration source only, ticket OPS-7"
"#,
    );
    let v = check(d);
    let codes: Vec<(String, String)> = places(&v)
        .into_iter()
        .map(|(c, f, _, _, p)| (c, format!("{f}#{p}")))
        .collect();
    // What the exceptions name is gone, and each of them was used (no GOV100).
    assert!(
        !codes.iter().any(|(c, _)| c == "GOV020" || c == "GOV100"),
        "{codes:#?}"
    );
    assert!(
        !codes
            .iter()
            .any(|(_, at)| at.ends_with("#/locals/tier") || at.ends_with("#/locals/1/size")),
        "{codes:#?}"
    );
    // The rest stays: the module's tier, the region from the variable.
    assert!(
        codes
            .iter()
            .any(|(c, at)| c == "GOV002" && at == "main.tf.json#/module/db/0/tier"),
        "{codes:#?}"
    );
    assert!(codes.iter().any(|(c, _)| c == "GOV004"), "{codes:#?}");
}

/// An `import` block adopts a project in either JSON form (one object, or an array of them),
/// and the adopted region usage is located at the `to` as the file writes it.
#[test]
fn an_import_block_adopts_a_project_in_either_json_form() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let resources = r#""resource": {"mongodbatlas_project": {"a": {"name": "a", "org_id": "5f1d2c3b4a5968776a5b4c3d"}, "b": {"name": "b", "org_id": "5f1d2c3b4a5968776a5b4c3d"}}}"#;
    write(
        d,
        "one/main.tf.json",
        &format!(
            r#"{{"import": {{"to": "mongodbatlas_project.a", "id": "6123456789abcdef01234567"}}, {resources}}}"#
        ),
    );
    write(
        d,
        "two/main.tf.json",
        &format!(
            r#"{{"import": [{{"to": "mongodbatlas_project.a", "id": "6123456789abcdef01234567"}}, {{"to": "${{mongodbatlas_project.b}}", "id": "6123456789abcdef01234568"}}], {resources}}}"#
        ),
    );
    let o = run(d, &["model", "."]);
    let model: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut got: Vec<(String, String, String)> = model["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["loc"]["file"].as_str().unwrap().to_string(),
                p["name"]["value"].as_str().unwrap().to_string(),
                p["region_usage"]["loc"]["pointer"]
                    .as_str()
                    .unwrap_or("(none)")
                    .to_string(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("one/main.tf.json", "a", "/import/to"),
        ("one/main.tf.json", "b", "(none)"),
        ("two/main.tf.json", "a", "/import/0/to"),
        ("two/main.tf.json", "b", "/import/1/to"),
    ]
    .map(|(f, n, p)| (f.to_string(), n.to_string(), p.to_string()));
    assert_eq!(got, want, "{model:#}");
    // Each pointer is one into the file.
    for (file, _, pointer) in &got {
        if pointer != "(none)" {
            let json: Value =
                serde_json::from_str(&std::fs::read_to_string(d.join(file)).unwrap()).unwrap();
            assert!(json.pointer(pointer).is_some(), "{file} {pointer}");
        }
    }
}
