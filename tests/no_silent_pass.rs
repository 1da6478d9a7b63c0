//! No silent pass: a file the walk reads that names Atlas but that no adapter can read is
//! listed as skipped, in every output format, and not counted as checked; files that merely
//! mention Atlas in a format that is read (a CI workflow, a Kubernetes RBAC rule, a schema)
//! or that the walk does not read (a README) stay silent.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

fn run(dir: &Path, format: &str) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(["check", "--color", "never", "--format", format, "."])
        .current_dir(dir)
        .output()
        .expect("run");
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).to_string(),
    )
}

/// A Crossplane manifest of the Atlas provider: Atlas, in a format no adapter reads.
const CROSSPLANE: &str = "apiVersion: mongodbatlas.crossplane.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: orders\nspec:\n  forProvider:\n    providerName: AZURE\n    providerInstanceSizeName: M10\n";

const REASON: &str = "names Atlas (`mongodbatlas.`) but is in no format atlasgov-lint reads, so nothing in it was checked";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "crossplane/cluster.yaml", CROSSPLANE);
    // Mentions of Atlas that are no spec, or in a format that is read.
    write(
        d,
        "README.md",
        "Create `mongodbatlas_advanced_cluster` with `atlas clusters create`.\n",
    );
    write(
        d,
        ".github/workflows/tf.yml",
        "on: push\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform -chdir=infra/mongodbatlas_cluster plan\n",
    );
    write(
        d,
        "rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: atlas\nrules:\n  - apiGroups: [atlas.mongodb.com/v1]\n    resources: [atlasdeployments]\n    verbs: [get]\n",
    );
    write(
        d,
        "schema/cluster.json",
        "{\"typeName\": \"MongoDB::Atlas::Cluster\", \"properties\": {}, \"handlers\": {}}\n",
    );
    write(
        d,
        "infra/main.tf",
        "resource \"mongodbatlas_project_ip_access_list\" \"x\" {\n  project_id = \"0123456789abcdef01234567\"\n  cidr_block = \"10.0.0.0/8\"\n}\n",
    );
    write(
        d,
        "scripts/up.sh",
        "#!/bin/sh\n# uses mongodbatlas_cluster outputs\natlas --version\n",
    );
    dir
}

#[test]
fn an_unread_atlas_file_is_skipped_in_every_format() {
    let dir = repo();
    let d = dir.path();
    let path = "crossplane/cluster.yaml";

    let (code, json) = run(d, "json");
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["skipped"],
        serde_json::json!([{ "file": path, "reason": REASON }])
    );
    assert_eq!(v["summary"]["files_skipped"], 1);
    // The workflow, the RBAC rule, the schema, the Terraform file and the script are read.
    assert_eq!(v["summary"]["files_checked"], 5);

    let (_, human) = run(d, "human");
    assert!(
        human.contains(&format!("note: skipped {path}: {REASON}")),
        "{human}"
    );
    assert!(human.contains("5 files checked, 1 skipped"), "{human}");

    let (_, junit) = run(d, "junit");
    assert!(junit.contains("<skipped message=\"names Atlas"), "{junit}");

    let (_, sarif) = run(d, "sarif");
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let notes = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[0]["message"]["text"],
        format!("skipped {path}: {REASON}")
    );

    let (_, github) = run(d, "github");
    assert_eq!(
        github,
        format!(
            "::notice file={},title=not checked::skipped: {}\n",
            path.replace(':', "%3A"),
            REASON
        )
    );

    let (_, gitlab) = run(d, "gitlab");
    let v: Value = serde_json::from_str(&gitlab).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["check_name"], "skipped");
    assert_eq!(v[0]["severity"], "info");
    assert_eq!(v[0]["location"]["path"], path);
    assert_eq!(v[0]["description"], format!("not checked: {REASON}"));
}

#[test]
fn a_repository_without_unread_atlas_files_lists_nothing() {
    let dir = repo();
    std::fs::remove_file(dir.path().join("crossplane/cluster.yaml")).unwrap();
    let (code, json) = run(dir.path(), "json");
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["skipped"], serde_json::json!([]));
    assert_eq!(v["findings"], serde_json::json!([]));
}
