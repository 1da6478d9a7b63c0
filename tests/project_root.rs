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

    // A directory given links up to the repository's root as its files do (it stayed within
    // itself, so `check infra/clusters` missed what `check infra/clusters/claims/db.yaml`
    // found); `--project-root` bounds it.
    let (_, v, _) = check(dir.path(), &["infra/clusters"]);
    assert_eq!(codes(&v), ["GOV004 infra/clusters/claims/db.yaml:6"]);
    assert_eq!(v["findings"][0]["related"][0]["file"], "infra/project.yaml");
    let (_, v, _) = check(&dir.path().join("infra/clusters"), &["."]);
    assert_eq!(codes(&v), ["GOV004 claims/db.yaml:6"]);
    let (_, v, _) = check(
        dir.path(),
        &["--project-root", "infra/clusters", "infra/clusters"],
    );
    assert_eq!(codes(&v), Vec::<String>::new());

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
fn outside_a_repository_linking_reads_the_files_own_directory_unless_a_root_is_given() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), false);
    let (code, v, _) = check(dir.path(), &["infra/clusters/claims/db.yaml"]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(codes(&v), Vec::<String>::new());
    // A project beside the file is read (its directory is its root), and not reported on.
    std::fs::copy(
        dir.path().join("infra/project.yaml"),
        dir.path().join("infra/clusters/claims/project.yaml"),
    )
    .unwrap();
    let (code, v, _) = check(dir.path(), &["infra/clusters/claims/db.yaml"]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v), ["GOV004 infra/clusters/claims/db.yaml:6"]);
    std::fs::remove_file(dir.path().join("infra/clusters/claims/project.yaml")).unwrap();

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

/// A copy of a fixture directory in a git work tree of its own.
fn repo_from(fixture: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(Path::new(fixture), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// A `-var-file` values file (`terraform plan -var-file=env/dev.tfvars`) sets the root module
/// a directory up: given alone (from the repository's root, from its own directory, outside a
/// repository) it is judged with that module and the module it calls, and reported where its
/// values are written; `--fix` edits it there. One no module declares is said to be skipped.
#[test]
fn a_var_file_given_alone_is_judged_with_the_root_module_above_it() {
    let repo = repo_from("fixtures/GOV002/fail_tf_var_files");
    let root = repo.path();
    let (code, v, _) = check(root, &["env/dev.tfvars"]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&v), ["GOV002 env/dev.tfvars:1"]);
    assert_eq!(v["findings"][0]["column"], 10);
    assert_eq!(
        v["findings"][0]["related"][0]["file"],
        "modules/cluster/main.tf"
    );
    let (_, v, _) = check(root, &["env/staging.tfvars.json"]);
    assert_eq!(codes(&v), ["GOV004 env/staging.tfvars.json:2"]);
    let (code, v, _) = check(root, &["env/prod.tfvars"]);
    assert_eq!((code, codes(&v).len()), (Some(0), 0), "{v}");
    assert_eq!(v["summary"]["files_checked"], 1);
    let (_, v, _) = check(&root.join("env"), &["dev.tfvars"]);
    assert_eq!(codes(&v), ["GOV002 dev.tfvars:1"]);
    let (_, v, _) = check(root, &["notes/ledger.tfvars"]);
    assert_eq!(v["summary"]["files_checked"], 0, "{v}");
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("-var-file"),
        "{v}"
    );
    std::fs::remove_dir(root.join(".git")).unwrap();
    let (_, v, _) = check(root, &["env/dev.tfvars"]);
    assert_eq!(codes(&v), ["GOV002 env/dev.tfvars:1"]);
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .current_dir(root)
        .args(["check", "--fix", "--unsafe-fixes", "env/dev.tfvars"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(root.join("env/dev.tfvars")).unwrap(),
        "tier   = \"M20\"\nregion = \"US_GOV_EAST_1\"\n"
    );
}

/// A `terraform.tfvars` given alone (a pre-commit hook passes the staged file): its values
/// are judged in the module that uses them (its own directory, and the local module its
/// `main.tf` calls, read as context) and reported where they are written. A suppression at
/// either place, a config level for the use's path, and a baseline written from a check of the
/// whole repository all apply in both placements.
#[test]
fn a_tfvars_given_alone_is_reported_where_its_values_are_written() {
    let repo = repo_from("fixtures/GOV002/fail_tf_live_envs_and_module");
    let root = repo.path();
    let tfvars = "live/staging/terraform.tfvars";
    let (code, v, _) = check(root, &[tfvars]);
    assert_eq!(code, Some(1));
    assert_eq!(
        codes(&v),
        [
            "GOV004 live/staging/terraform.tfvars:2",
            "GOV002 live/staging/terraform.tfvars:3"
        ]
    );
    assert_eq!(
        v["findings"][1]["related"][0]["file"],
        "modules/cluster/main.tf"
    );
    assert_eq!(v["summary"]["files_checked"], 1);
    // So is the environment's directory given (the module it calls is outside it).
    let (_, v, _) = check(root, &["live/staging"]);
    assert_eq!(
        codes(&v),
        [
            "GOV004 live/staging/terraform.tfvars:2",
            "GOV002 live/staging/terraform.tfvars:3"
        ]
    );
    assert_eq!(v["summary"]["files_checked"], 3);
    // Outside a repository, a file given alone is read with its own directory (its Terraform
    // module) and the local modules that calls: the same findings, at the same places.
    std::fs::remove_dir(root.join(".git")).unwrap();
    let (code, v, _) = check(root, &[tfvars]);
    assert_eq!(code, Some(1));
    assert_eq!(
        codes(&v),
        [
            "GOV004 live/staging/terraform.tfvars:2",
            "GOV002 live/staging/terraform.tfvars:3"
        ]
    );
    assert_eq!(v["summary"]["files_checked"], 1);
    let (_, v, _) = check(root, &["--project-root", ".", tfvars]);
    assert_eq!(codes(&v).len(), 2, "{v}");
    std::fs::create_dir(root.join(".git")).unwrap();

    // A baseline of the whole repository covers the findings of the file given alone.
    let (code, _, stderr) = check(root, &["--write-baseline", "baseline.json", "."]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, v, _) = check(root, &["--baseline", "baseline.json", tfvars]);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["summary"]["baselined"], 2);
    // Rewriting it from the file given alone keeps its entries once each.
    let before = std::fs::read_to_string(root.join("baseline.json")).unwrap();
    let (code, _, stderr) = check(root, &["--write-baseline", "baseline.json", tfvars]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(root.join("baseline.json")).unwrap(),
        before
    );

    // A suppression where the value is written: in both placements.
    let original = std::fs::read_to_string(root.join(tfvars)).unwrap();
    let suppressed = original.replace(
        "cluster_size = \"M10\"",
        "# atlasgov-lint: allow GOV002 -- staging stays small until go-live, OPS-7\ncluster_size = \"M10\"",
    );
    std::fs::write(root.join(tfvars), &suppressed).unwrap();
    let (_, v, _) = check(root, &[tfvars]);
    assert_eq!(codes(&v), ["GOV004 live/staging/terraform.tfvars:2"]);
    let (_, v, _) = check(root, &["."]);
    assert_eq!(
        codes(&v),
        [
            "GOV004 modules/cluster/main.tf:8",
            "GOV002 modules/cluster/main.tf:11"
        ]
    );
    assert_eq!(v["findings"][1]["related"][0]["file"], "live/dev/main.tf");
    std::fs::write(root.join(tfvars), &original).unwrap();

    // A suppression where the value is used (a file read as context): in both placements.
    let module = "modules/cluster/main.tf";
    let main = std::fs::read_to_string(root.join(module)).unwrap();
    std::fs::write(
        root.join(module),
        main.replace(
            "      region_name   = var.region",
            "      # atlasgov-lint: allow GOV004 -- DR copy in a standard region, SEC-9\n      region_name   = var.region",
        ),
    )
    .unwrap();
    let (_, v, _) = check(root, &[tfvars]);
    assert_eq!(codes(&v), ["GOV002 live/staging/terraform.tfvars:3"]);
    std::fs::write(root.join(module), &main).unwrap();

    // A config level for the use's path applies wherever the finding is reported.
    std::fs::write(
        root.join(".atlasgov-lint.yaml"),
        "overrides:\n  - files: [\"modules/**\"]\n    rules:\n      GOV002: off\n",
    )
    .unwrap();
    let (_, v, _) = check(root, &[tfvars]);
    assert_eq!(codes(&v), ["GOV004 live/staging/terraform.tfvars:2"]);
}

#[test]
fn a_tfvars_that_sets_the_projects_region_usage_reports_the_clusters_it_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("envs/prod")).unwrap();
    std::fs::write(
        root.join("envs/prod/main.tf"),
        r#"variable "usage" {}

resource "mongodbatlas_project" "claims" {
  name                      = "claims"
  org_id                    = "5f1d2c3b4a5968776a5b4c3d"
  region_usage_restrictions = var.usage
}

resource "mongodbatlas_advanced_cluster" "claims" {
  project_id   = mongodbatlas_project.claims.id
  name         = "claims"
  cluster_type = "REPLICASET"
  replication_specs = [{
    region_configs = [{
      provider_name   = "AWS"
      region_name     = "US_GOV_WEST_1"
      priority        = 7
      electable_specs = { instance_size = "M30", node_count = 3 }
    }]
  }]
}
"#,
    )
    .unwrap();
    std::fs::write(
        root.join("envs/prod/terraform.tfvars"),
        "usage = \"COMMERCIAL_FEDRAMP_REGIONS_ONLY\"\n",
    )
    .unwrap();
    // The whole directory: at the region, the setting related.
    let (code, v, _) = check(root, &["envs/prod"]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&v), ["GOV004 envs/prod/main.tf:16"]);
    // The tfvars alone (pre-commit on the changed file): at the value it sets, the region and
    // the use of the variable related.
    let (code, v, _) = check(root, &["envs/prod/terraform.tfvars"]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v), ["GOV004 envs/prod/terraform.tfvars:1"]);
    let related: Vec<String> = v["findings"][0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}", r["file"].as_str().unwrap(), r["line"]))
        .collect();
    assert_eq!(related, ["envs/prod/main.tf:16", "envs/prod/main.tf:6"]);
    // The main.tf alone: at the region, as in the whole run.
    let (_, v, _) = check(root, &["envs/prod/main.tf"]);
    assert_eq!(codes(&v), ["GOV004 envs/prod/main.tf:16"]);
}

/// A resource, a `dynamic` block or a conditional's branch that a condition creates
/// (`count = var.enable_analytics ? 1 : 0`, `for_each = var.dr_copy ? ["dr"] : []`,
/// `var.enable_analytics ? [{...}] : []`), the condition set in an environment's tfvars: the
/// tfvars given alone (pre-commit, the editor) reports what it switches on, at the line that
/// switches it; a check of the whole repository reports it once, at the value, with the
/// condition and the tfvars related. Switched off, nothing is reported anywhere.
#[test]
fn a_tfvars_that_switches_a_resource_on_reports_what_it_creates() {
    let repo = repo_from("fixtures/GOV002/fail_tf_switched_on_in_tfvars");
    let root = repo.path();
    let related = |f: &serde_json::Value| -> Vec<String> {
        f["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{}:{}", r["file"].as_str().unwrap(), r["line"]))
            .collect()
    };
    let (code, v, _) = check(root, &["."]);
    assert_eq!(code, Some(1));
    assert_eq!(
        codes(&v),
        [
            "GOV002 envs/staging/main.tf:46",
            "GOV002 modules/cluster/main.tf:28",
            "GOV004 modules/reporting/main.tf:39"
        ]
    );
    assert_eq!(
        related(&v["findings"][1]),
        ["modules/cluster/main.tf:24", "envs/prod/terraform.tfvars:2"]
    );
    assert_eq!(
        v["findings"][1]["related"][0]["message"],
        "present because this condition is `true`"
    );
    // The DR copy's region: the dynamic block's condition, then the module call's `count`.
    assert_eq!(
        related(&v["findings"][2]),
        [
            "envs/prod/main.tf:17",
            "modules/reporting/main.tf:36",
            "envs/prod/terraform.tfvars:4",
            "envs/prod/main.tf:29",
            "envs/prod/terraform.tfvars:3"
        ]
    );

    // Each environment's tfvars alone: at the line that switches the value on.
    let (code, v, _) = check(root, &["envs/prod/terraform.tfvars"]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(
        codes(&v),
        [
            "GOV002 envs/prod/terraform.tfvars:2",
            "GOV004 envs/prod/terraform.tfvars:4"
        ]
    );
    assert_eq!(
        related(&v["findings"][0]),
        ["modules/cluster/main.tf:28", "modules/cluster/main.tf:24"]
    );
    assert_eq!(v["summary"]["files_checked"], 1);
    let (_, v, _) = check(root, &["envs/staging/terraform.tfvars"]);
    assert_eq!(codes(&v), ["GOV002 envs/staging/terraform.tfvars:2"]);
    assert_eq!(
        related(&v["findings"][0]),
        ["envs/staging/main.tf:46", "envs/staging/main.tf:36"]
    );
    // A module's own file given alone says nothing of the values its callers switch on.
    let (code, v, _) = check(root, &["modules/cluster/main.tf"]);
    assert_eq!((code, codes(&v).len()), (Some(0), 0), "{v}");

    // Every output format carries the tfvars place (GitHub annotations, SARIF).
    let out = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .current_dir(root)
        .args(["check", "--format", "sarif", "envs/prod/terraform.tfvars"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "envs/prod/terraform.tfvars"
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "modules/cluster/main.tf"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .current_dir(root)
        .args(["check", "--format", "github", "envs/prod/terraform.tfvars"])
        .output()
        .unwrap();
    let github = String::from_utf8_lossy(&out.stdout);
    assert!(
        github.starts_with("::error file=envs/prod/terraform.tfvars,line=2,"),
        "{github}"
    );
    assert!(
        github.contains("used at modules/cluster/main.tf:28:43"),
        "{github}"
    );

    // Switched off: nothing, in the tfvars alone or in the whole repository.
    let tfvars = root.join("envs/prod/terraform.tfvars");
    let text = std::fs::read_to_string(&tfvars).unwrap();
    std::fs::write(
        &tfvars,
        text.replace("enable_analytics  = true", "enable_analytics  = false")
            .replace("reporting_dr_copy = true", "reporting_dr_copy = false"),
    )
    .unwrap();
    let (code, v, _) = check(root, &["envs/prod/terraform.tfvars"]);
    assert_eq!((code, codes(&v).len()), (Some(0), 0), "{v}");
    let (_, v, _) = check(root, &["."]);
    assert_eq!(codes(&v), ["GOV002 envs/staging/main.tf:46"]);
    // Left to the variables' `false` defaults: the same.
    std::fs::remove_file(&tfvars).unwrap();
    let (_, v, _) = check(root, &["."]);
    assert_eq!(codes(&v), ["GOV002 envs/staging/main.tf:46"]);
}

/// The same file however its path is written: `./`, absolute (an editor's), from another
/// directory with `../`, by standard input named absolutely, and the environment's directory
/// absolutely. Each was checked without the rest of its Terraform module (the tfvars listed as
/// skipped, or nothing found) when the paths did not spell its directory as the context did.
#[test]
fn a_terraform_file_is_judged_in_its_module_however_its_path_is_written() {
    let repo = repo_from("fixtures/GOV002/fail_tf_live_envs_and_module");
    let root = repo.path();
    let abs = |p: &str| root.join(p).display().to_string();
    let expected = |prefix: &str| {
        vec![
            format!("GOV004 {prefix}live/staging/terraform.tfvars:2"),
            format!("GOV002 {prefix}live/staging/terraform.tfvars:3"),
        ]
    };
    let root_prefix = format!("{}/", root.display());
    for (cwd, arg, prefix) in [
        (
            root.to_path_buf(),
            "./live/staging/terraform.tfvars".to_string(),
            "",
        ),
        (
            root.to_path_buf(),
            abs("live/staging/terraform.tfvars"),
            root_prefix.as_str(),
        ),
        (
            root.to_path_buf(),
            abs("live/staging"),
            root_prefix.as_str(),
        ),
        (
            root.join("live"),
            "../live/staging/terraform.tfvars".to_string(),
            "../",
        ),
        (root.join("modules"), "../live/staging".to_string(), "../"),
    ] {
        let (_, v, stderr) = check(&cwd, &[&arg]);
        assert_eq!(
            codes(&v),
            expected(prefix),
            "{arg} from {}: {stderr}",
            cwd.display()
        );
        assert_eq!(v["summary"]["files_skipped"], 0, "{arg}");
    }
    let tfvars = abs("live/staging/terraform.tfvars");
    let text = std::fs::read_to_string(&tfvars).unwrap();
    let (_, v, _) = check_stdin(root, &["--stdin-filename", &tfvars, "-"], &text);
    assert_eq!(codes(&v), expected(&root_prefix));
}

/// A directory gives what its files give, from wherever the check runs (each failed before):
/// a directory of `-var-file` files is judged with the root module above it and the module it
/// calls; a child module under `modules/` is one wherever the check runs from (from inside
/// it, its defaults were taken as a root module's); the same path named relative and absolute
/// is one input (it was two, and their projects made linking ambiguous).
#[test]
fn a_directory_gives_what_its_files_give_from_wherever_it_is_checked() {
    let repo = repo_from("fixtures/GOV002/fail_tf_var_files");
    let root = repo.path();
    let expected = |prefix: &str| {
        vec![
            format!("GOV002 {prefix}dev.tfvars:1"),
            format!("GOV004 {prefix}staging.tfvars.json:2"),
        ]
    };
    let (_, files, _) = check(
        root,
        &[
            "env/dev.tfvars",
            "env/staging.tfvars.json",
            "env/prod.tfvars",
        ],
    );
    assert_eq!(codes(&files), expected("env/"));
    let (_, v, _) = check(root, &["env"]);
    assert_eq!(codes(&v), expected("env/"));
    let (_, v, _) = check(&root.join("env"), &["."]);
    assert_eq!(codes(&v), expected(""));

    let repo = repo_from("fixtures/GOV002/pass_tf_child_module_alone");
    let root = repo.path();
    for (cwd, arg) in [
        (root.to_path_buf(), "modules/cluster"),
        (root.join("modules"), "cluster"),
        (root.join("modules/cluster"), "."),
        (root.join("modules/cluster"), "main.tf"),
    ] {
        let (code, v, _) = check(&cwd, &[arg]);
        assert_eq!(
            (code, codes(&v)),
            (Some(0), vec![]),
            "{arg} from {}",
            cwd.display()
        );
    }

    let layout_dir = tempfile::tempdir().unwrap();
    layout(layout_dir.path(), true);
    let abs = layout_dir
        .path()
        .join("infra/clusters")
        .display()
        .to_string();
    let (_, v, _) = check(layout_dir.path(), &["infra/clusters", &abs]);
    assert_eq!(codes(&v), ["GOV004 infra/clusters/claims/db.yaml:6"]);
    assert_eq!(v["summary"]["files_checked"], 1);
}

/// A Helm override file in a chart's `values/` directory, checked from inside it, is still
/// the chart's (its directory's name was read from the path as given, which names none).
#[test]
fn a_values_file_checked_from_inside_its_directory_is_the_charts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("chart/values")).unwrap();
    std::fs::write(
        root.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: orders-atlas\nversion: 1.0.0\ndependencies:\n  - name: atlas-deployment\n    version: 2.8.0\n    repository: https://mongodb.github.io/helm-charts\n    alias: atlas\n",
    )
    .unwrap();
    std::fs::write(
        root.join("chart/values.yaml"),
        "atlas:\n  project:\n    atlasProjectName: orders\n",
    )
    .unwrap();
    std::fs::write(
        root.join("chart/values/prod.yaml"),
        "atlas:\n  deployments:\n    - deploymentSpec:\n        name: orders\n        clusterType: REPLICASET\n        replicationSpecs:\n          - regionConfigs:\n              - providerName: AWS\n                regionName: US_GOV_WEST_1\n                priority: 7\n                electableSpecs: {instanceSize: M40, nodeCount: 3}\n",
    )
    .unwrap();
    let (_, v, _) = check(root, &["chart/values/prod.yaml"]);
    assert_eq!(codes(&v), ["GOV004 chart/values/prod.yaml:9"]);
    for arg in ["prod.yaml", "."] {
        let (_, v, _) = check(&root.join("chart/values"), &[arg]);
        assert_eq!(codes(&v), ["GOV004 prod.yaml:9"], "{arg}");
    }
}

/// A data file Terraform decodes (`yamldecode(file("${path.module}/clusters.yaml"))`) is
/// judged where its values are written: checked alone (a pre-commit hook on the file a team
/// edits), its finding is there, with the use in the module related, and its fix edits it.
#[test]
fn a_data_file_terraform_decodes_is_judged_where_it_is_written() {
    let dir = repo_from("fixtures/GOV002/fail_tf_yamldecode_data_file");
    let root = dir.path();
    let (code, v, _) = check(root, &["clusters.yaml"]);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(codes(&v), ["GOV002 clusters.yaml:6"]);
    assert_eq!(v["findings"][0]["column"], 11);
    assert_eq!(v["findings"][0]["related"][0]["file"], "main.tf", "{v:#}");
    // The module checked alone reports at the use, with where the value is set.
    let (_, v, _) = check(root, &["main.tf"]);
    assert_eq!(codes(&v), ["GOV002 main.tf:29"]);
    assert_eq!(
        v["findings"][0]["related"][0]["file"], "clusters.yaml",
        "{v:#}"
    );
    // A suppression where the value is written covers it in a check of the module alone.
    let data = std::fs::read_to_string(root.join("clusters.yaml")).unwrap();
    let suppressed = data.replace(
        "    size: M10\n",
        "    # atlasgov-lint: allow GOV002 -- a reporting replica sized for load tests, OPS-7\n    size: M10\n",
    );
    assert_ne!(suppressed, data);
    std::fs::write(root.join("clusters.yaml"), &suppressed).unwrap();
    let (code, v, _) = check(root, &["main.tf"]);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(codes(&v), Vec::<String>::new());
    std::fs::write(root.join("clusters.yaml"), &data).unwrap();
    // The fix edits the data file, and only it.
    let before = std::fs::read_to_string(root.join("main.tf")).unwrap();
    let (code, _, _) = check(root, &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(code, Some(0));
    let data = std::fs::read_to_string(root.join("clusters.yaml")).unwrap();
    assert!(data.contains("    size: M20\n"), "{data}");
    assert_eq!(
        std::fs::read_to_string(root.join("main.tf")).unwrap(),
        before
    );
}

/// Override files are merged in name order whichever one is checked (a pre-commit hook gives
/// the staged one, which the run reads first): the last one's default is the value used.
#[test]
fn override_files_checked_alone_merge_in_name_order() {
    let dir = repo_from("fixtures/GOV002/fail_tf_override_files_in_name_order");
    let root = dir.path();
    let (code, v, _) = check(root, &["b_override.tf"]);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(codes(&v), ["GOV002 b_override.tf:3"]);
    let (code, v, _) = check(root, &["a_override.tf"]);
    assert_eq!(code, Some(0), "{v:#}");
    let (_, v, _) = check(root, &["main.tf"]);
    assert_eq!(codes(&v), ["GOV002 main.tf:26"]);
    assert_eq!(
        v["findings"][0]["related"][0]["file"], "b_override.tf",
        "{v:#}"
    );
}

/// A child module's file given alone (a pre-commit hook on a change to the cluster module): the
/// configuration above it that calls it passes it the project module's output, so that
/// module is read too and the cluster is judged against its project.
#[test]
fn a_module_file_given_alone_links_through_another_calls_output() {
    let dir = repo_from("fixtures/GOV004/fail_tf_module_output_to_module");
    let root = dir.path();
    let (code, v, _) = check(root, &["modules/cluster/main.tf"]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v), ["GOV004 modules/cluster/main.tf:16"]);
    // From the module's own directory, too.
    let (_, v, _) = check(&root.join("modules/cluster"), &["main.tf"]);
    assert_eq!(codes(&v), ["GOV004 main.tf:16"]);
    let dir = repo_from("fixtures/GOV004/pass_tf_module_output_to_module");
    let (code, v, _) = check(dir.path(), &["modules/cluster/main.tf"]);
    assert_eq!((code, codes(&v)), (Some(0), Vec::new()), "{v}");
}

#[test]
fn a_suppression_at_a_conditions_setting_covers_the_finding_in_both_checks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("envs")).unwrap();
    std::fs::write(
        root.join("main.tf"),
        r#"variable "enable_analytics" {
  type    = bool
  default = false
}

resource "mongodbatlas_advanced_cluster" "c" {
  project_id   = "64b1c2d3e4f5a6b7c8d9e0f8"
  name         = "c"
  cluster_type = "REPLICASET"
  replication_specs = [{
    region_configs = [{
      provider_name   = "AWS"
      region_name     = "US_GOV_WEST_1"
      priority        = 7
      electable_specs = { instance_size = "M30", node_count = 3 }
      analytics_specs = var.enable_analytics ? { instance_size = "M10", node_count = 1 } : null
    }]
  }]
}
"#,
    )
    .unwrap();
    let perf = "enable_analytics = true\n";
    std::fs::write(root.join("envs/perf.tfvars"), perf).unwrap();
    // Without a suppression: reported in the module (the whole repository), at the setting
    // (the tfvars file alone, as a pre-commit hook checks it).
    let (_, v, _) = check(root, &["."]);
    assert_eq!(codes(&v), ["GOV002 main.tf:16"]);
    let (_, v, _) = check(root, &["envs/perf.tfvars"]);
    assert_eq!(codes(&v), ["GOV002 envs/perf.tfvars:1"]);
    // A suppression at the setting covers it in both checks: the hook and CI agree.
    let suppressed =
        format!("# atlasgov-lint: allow GOV002 -- analytics node for the perf test, OPS-7\n{perf}");
    std::fs::write(root.join("envs/perf.tfvars"), suppressed).unwrap();
    for args in [&["."][..], &["envs/perf.tfvars"][..]] {
        let (code, v, _) = check(root, args);
        assert_eq!(code, Some(0), "{args:?}: {v}");
        assert_eq!(codes(&v), Vec::<String>::new(), "{args:?}");
        assert_eq!(v["summary"]["suppressed"], 1, "{args:?}: {v}");
    }
}

#[test]
fn a_condition_in_a_module_calls_argument_is_reported_at_its_setting_when_checked_alone() {
    let repo = repo_from("fixtures/GOV002/fail_tf_condition_in_module_argument");
    let (code, v, _) = check(repo.path(), &["live/terraform.tfvars"]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v), ["GOV002 live/terraform.tfvars:1"]);
    // Switched off: nothing, in the file alone or in the whole repository.
    std::fs::write(
        repo.path().join("live/terraform.tfvars"),
        "cost_saving = false\n",
    )
    .unwrap();
    for args in [&["live/terraform.tfvars"][..], &["."][..]] {
        let (code, v, _) = check(repo.path(), args);
        assert_eq!(code, Some(0), "{args:?}: {v}");
    }
}

#[test]
fn a_module_checked_alone_is_judged_with_the_var_files_below_it() {
    let repo = repo_from("fixtures/GOV002/fail_tf_var_files_in_a_subdirectory");
    // As in a check of the whole repository: the `-var-file` in `envs/` picks `M10`.
    let (_, whole, _) = check(repo.path(), &["."]);
    let (code, alone, _) = check(repo.path(), &["main.tf"]);
    assert_eq!(code, Some(1), "{alone}");
    assert_eq!(codes(&alone), ["GOV002 main.tf:28"]);
    assert_eq!(codes(&alone), codes(&whole));
    // A directory of values that holds configuration is a module of its own: not read, nor
    // the directories of values below it (its own).
    std::fs::write(repo.path().join("envs/other.tf"), "variable \"env\" {}\n").unwrap();
    let (code, v, _) = check(repo.path(), &["main.tf"]);
    assert_eq!(code, Some(0), "{v}");
    std::fs::remove_file(repo.path().join("envs/dev.tfvars")).unwrap();
    std::fs::create_dir_all(repo.path().join("envs/vars")).unwrap();
    std::fs::write(repo.path().join("envs/vars/dev.tfvars"), "env = \"dev\"\n").unwrap();
    let (code, v, _) = check(repo.path(), &["main.tf"]);
    assert_eq!(code, Some(0), "{v}");
}

#[test]
fn a_suppression_at_a_projects_region_usage_covers_its_clusters_findings_in_both_checks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    std::fs::create_dir_all(root.join(".git")).unwrap();
    // Kustomize: an overlay's patch puts the base's gov clusters in a standard project.
    write("k8s/base/kustomization.yaml", "resources: [atlas.yaml]\n");
    write(
        "k8s/base/atlas.yaml",
        "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: ledger}\nspec:\n  name: ledger\n  regionUsageRestrictions: GOV_REGIONS_ONLY\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: ledger-main}\nspec:\n  projectRef: {name: ledger}\n  deploymentSpec:\n    name: ledger-main\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AWS\n            regionName: US_GOV_WEST_1\n            electableSpecs: {instanceSize: M30, nodeCount: 3}\n",
    );
    write(
        "k8s/overlays/fedramp/kustomization.yaml",
        "resources: [../../base]\npatches:\n  - path: project.yaml\n",
    );
    let patch = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: ledger}\nspec:\n  regionUsageRestrictions: COMMERCIAL_FEDRAMP_REGIONS_ONLY\n";
    write("k8s/overlays/fedramp/project.yaml", patch);
    // Terraform: a tfvars value sets the project's region usage through a variable.
    write(
        "tf/main.tf",
        "variable \"usage\" { type = string }\nresource \"mongodbatlas_project\" \"p\" {\n  name                      = \"claims\"\n  org_id                    = \"5f1a2b3c4d5e6f7081920a1b\"\n  region_usage_restrictions = var.usage\n}\nresource \"mongodbatlas_advanced_cluster\" \"c\" {\n  project_id   = mongodbatlas_project.p.id\n  name         = \"claims\"\n  cluster_type = \"REPLICASET\"\n  replication_specs = [{\n    region_configs = [{\n      provider_name   = \"AWS\"\n      region_name     = \"US_GOV_WEST_1\"\n      priority        = 7\n      electable_specs = { instance_size = \"M30\", node_count = 3 }\n    }]\n  }]\n}\n",
    );
    let tfvars = "usage = \"COMMERCIAL_FEDRAMP_REGIONS_ONLY\"\n";
    write("tf/terraform.tfvars", tfvars);
    // Without a suppression: at the cluster's region in the whole repository, at the setting
    // when only the file that writes it is checked.
    let (_, v, _) = check(root, &["."]);
    assert_eq!(
        codes(&v),
        ["GOV004 k8s/base/atlas.yaml:18", "GOV004 tf/main.tf:14"]
    );
    let (_, v, _) = check(root, &["k8s/overlays/fedramp/project.yaml"]);
    assert_eq!(codes(&v), ["GOV004 k8s/overlays/fedramp/project.yaml:5"]);
    let (_, v, _) = check(root, &["tf/terraform.tfvars"]);
    assert_eq!(codes(&v), ["GOV004 tf/terraform.tfvars:1"]);
    // A suppression at the setting covers the finding in every check, and is used.
    let allow = "  # atlasgov-lint: allow GOV004 -- moving ledger to a FedRAMP project, OPS-77\n";
    write(
        "k8s/overlays/fedramp/project.yaml",
        &patch.replace("spec:\n", &format!("spec:\n{allow}")),
    );
    write(
        "tf/terraform.tfvars",
        &format!("# atlasgov-lint: allow GOV004 -- claims moves to FedRAMP, OPS-79\n{tfvars}"),
    );
    for args in [
        &["."][..],
        &["k8s/overlays/fedramp/project.yaml"][..],
        &["tf/terraform.tfvars"][..],
    ] {
        let (code, v, _) = check(root, args);
        assert_eq!(code, Some(0), "{args:?}: {v}");
        assert_eq!(codes(&v), Vec::<String>::new(), "{args:?}");
    }
    let (_, v, _) = check(root, &["."]);
    assert_eq!(v["summary"]["suppressed"], 2, "{v}");
}

#[test]
fn a_suppression_on_one_cluster_does_not_cover_another_clusters_finding() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    // Alpha mixes partitions on one line, allowed there; beta's standard region is another
    // finding, whose related place (alpha's gov region) is on that line.
    std::fs::write(
        root.join("a-alpha.yaml"),
        "name: alpha\ngroupId: 5f1d2c3b4a5968776a5b4c3d\nreplicationSpecs:\n  - regionConfigs: [{providerName: AWS, regionName: US_GOV_WEST_1, electableSpecs: {instanceSize: M30}}, {providerName: AWS, regionName: US_EAST_1, electableSpecs: {instanceSize: M30}}] # atlasgov-lint: allow GOV004 -- alpha's DR node goes in OPS-12\n",
    )
    .unwrap();
    std::fs::write(
        root.join("b-beta.yaml"),
        "name: beta\ngroupId: 5f1d2c3b4a5968776a5b4c3d\nreplicationSpecs:\n  - regionConfigs:\n      - {providerName: AWS, regionName: US_WEST_2, electableSpecs: {instanceSize: M30}}\n",
    )
    .unwrap();
    let (code, v, _) = check(root, &["."]);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v), ["GOV004 b-beta.yaml:5"]);
    assert_eq!(v["summary"]["suppressed"], 1, "{v}");
}
