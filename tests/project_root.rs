//! Project linking for files given one by one (a pre-commit hook, an editor): the project body
//! is read from disk in an ancestor directory, up to the project root, and never reported on.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A standard project (no regionUsageRestrictions: GOV005 in its own file) in `infra/`, and a
/// cluster in a gov region two levels below it (GOV004 once linked).
fn layout(root: &Path, with_git: bool) {
    if with_git {
        std::fs::create_dir_all(root.join(".git")).unwrap();
    }
    std::fs::create_dir_all(root.join("infra/clusters/claims")).unwrap();
    std::fs::write(
        root.join("infra/project.yaml"),
        "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n",
    )
    .unwrap();
    std::fs::write(
        root.join("infra/clusters/claims/db.yaml"),
        "name: claims-db\nclusterType: REPLICASET\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AWS\n        regionName: US_GOV_EAST_1\n        priority: 7\n        electableSpecs:\n          instanceSize: M30\n          nodeCount: 3\n",
    )
    .unwrap();
}

fn check(cwd: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    check_stdin(cwd, args, "")
}

fn check_stdin(cwd: &Path, args: &[&str], stdin: &str) -> (Option<i32>, serde_json::Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .current_dir(cwd)
        .arg("check")
        .args(["--format", "json"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run atlasgov-lint");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    let json = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (o.status.code(), json, stderr)
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

#[test]
fn a_file_given_alone_links_to_its_project_in_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), true);
    let (code, v, _) = check(dir.path(), &["infra/clusters/claims/db.yaml"]);
    assert_eq!(code, Some(1));
    // GOV004 in the given file; the project's own GOV005 is not reported: it was not given.
    assert_eq!(codes(&v), ["GOV004 infra/clusters/claims/db.yaml:6"]);
    assert_eq!(v["findings"][0]["related"][0]["file"], "infra/project.yaml");
    assert_eq!(v["summary"]["files_checked"], 1);

    // From inside the cluster's directory, the project is shown relative to it.
    let (code, v, _) = check(&dir.path().join("infra/clusters/claims"), &["db.yaml"]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&v), ["GOV004 db.yaml:6"]);
    assert_eq!(v["findings"][0]["related"][0]["file"], "../../project.yaml");

    // A directory given is the tree to check: linking stays within it, unless a project root
    // is given.
    let (_, v, _) = check(dir.path(), &["infra/clusters"]);
    assert_eq!(codes(&v), Vec::<String>::new());
    let (_, v, _) = check(dir.path(), &["--project-root", ".", "infra/clusters"]);
    assert_eq!(codes(&v), ["GOV004 infra/clusters/claims/db.yaml:6"]);

    // Given both, both are reported, once each.
    let (_, v, _) = check(
        dir.path(),
        &["infra/clusters/claims/db.yaml", "infra/project.yaml"],
    );
    assert_eq!(
        codes(&v),
        [
            "GOV004 infra/clusters/claims/db.yaml:6",
            "GOV005 infra/project.yaml:1"
        ]
    );
    assert_eq!(v["summary"]["files_checked"], 2);
}

#[test]
fn outside_a_repository_linking_stays_within_the_path_unless_a_root_is_given() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), false);
    let (code, v, _) = check(dir.path(), &["infra/clusters/claims/db.yaml"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(codes(&v), Vec::<String>::new());

    let (code, v, _) = check(
        dir.path(),
        &["--project-root", ".", "infra/clusters/claims/db.yaml"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(codes(&v), ["GOV004 infra/clusters/claims/db.yaml:6"]);

    // A root below the project: not found, and nothing guessed.
    let (code, v, _) = check(
        dir.path(),
        &[
            "--project-root",
            "infra/clusters",
            "infra/clusters/claims/db.yaml",
        ],
    );
    assert_eq!(code, Some(0));
    assert_eq!(codes(&v), Vec::<String>::new());
}

#[test]
fn a_project_root_must_hold_every_path() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), true);
    let (code, _, stderr) = check(
        dir.path(),
        &["--project-root", "infra/clusters", "infra/project.yaml"],
    );
    assert_eq!(code, Some(2));
    assert!(stderr.contains("is not inside infra/clusters"), "{stderr}");
    let (code, _, stderr) = check(dir.path(), &["--project-root", "nope", "infra"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not a directory: nope"), "{stderr}");
}

#[test]
fn two_projects_at_one_level_leave_the_project_unknown() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), true);
    std::fs::write(
        dir.path().join("infra/other.yaml"),
        "name: other\norgId: 5f1d2c3b4a5968776a5b4c3d\nregionUsageRestrictions: GOV_REGIONS_ONLY\n",
    )
    .unwrap();
    let (code, v, _) = check(dir.path(), &["infra/clusters/claims/db.yaml"]);
    assert_eq!(code, Some(0));
    assert_eq!(codes(&v), Vec::<String>::new());
}

#[test]
fn standard_input_named_in_a_repository_links_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), true);
    let db = std::fs::read_to_string(dir.path().join("infra/clusters/claims/db.yaml")).unwrap();
    // The editor's text replaces the file of that name on disk (not read twice).
    std::fs::write(
        dir.path().join("infra/clusters/claims/db.yaml"),
        "name: old\n",
    )
    .unwrap();
    let named = ["-", "--stdin-filename", "infra/clusters/claims/db.yaml"];
    let (code, v, _) = check_stdin(dir.path(), &named, &db);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&v), ["GOV004 infra/clusters/claims/db.yaml:6"]);
    assert_eq!(v["summary"]["files_checked"], 1);
    // Unnamed standard input has no place in the repository: nothing to link.
    let (code, v, _) = check_stdin(dir.path(), &["-"], &db);
    assert_eq!(code, Some(0));
    assert_eq!(codes(&v), Vec::<String>::new());
}

#[test]
fn a_terraform_file_given_alone_is_read_with_its_module_and_its_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("tf")).unwrap();
    let fixture = Path::new("fixtures/GOV001/fail_tf_variable_default");
    std::fs::copy(fixture.join("main.tf"), root.join("tf/main.tf")).unwrap();
    let variables = std::fs::read_to_string(fixture.join("variables.tf")).unwrap();
    std::fs::write(root.join("tf/variables.tf"), &variables).unwrap();

    // The provider comes from the unstaged variables.tf: reported in main.tf, set there.
    let (code, v, _) = check(root, &["tf/main.tf"]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&v), ["GOV001 tf/main.tf:8"]);
    assert_eq!(v["findings"][0]["related"][0]["file"], "tf/variables.tf");

    // A suppression where the value is set covers it, as in a check of the whole module; a
    // stale one in a file not given is not reported.
    let suppressed = variables.replace(
        "  default     = \"AZURE\"",
        "  # atlasgov-lint: allow GOV001 -- Azure until the migration, OPS-1\n  default     = \"AZURE\"\n  # atlasgov-lint: allow GOV003 -- stale",
    );
    assert_ne!(suppressed, variables);
    std::fs::write(root.join("tf/variables.tf"), &suppressed).unwrap();
    let (code, v, _) = check(root, &["tf/main.tf"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(codes(&v), Vec::<String>::new());
    let (_, v, _) = check(root, &["tf/main.tf", "tf/variables.tf"]);
    assert_eq!(codes(&v), ["GOV100 tf/variables.tf:10"]);
}
