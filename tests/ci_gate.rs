//! The CI gate through the real binary: config discovery and validation, levels per rule and
//! path, `--select`/`--ignore`/`--fail-on`, inline suppressions and config exceptions with
//! every problem they can have, baselines, `--output`, `--quiet` and colour. Each test works
//! in its own temporary repository (a directory with `.git`, so config discovery stops there).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;

/// A cluster in a gov project: an Azure provider (GOV001), an M10 (GOV002), a region AtlasGov
/// does not offer (GOV003), and a standard region (GOV004).
const CLUSTER: &str = "\
name: ledger
groupId: 5f1d2c3b4a5968776a5b4c3d
replicationSpecs:
  - regionConfigs:
      - providerName: AZURE
        regionName: US_GOV_EAST_1
      - providerName: AWS
        regionName: US_GOV_WEST_1
        electableSpecs: { instanceSize: M10 }
      - providerName: AWS
        regionName: EU_WEST_1
      - providerName: AWS
        regionName: US_EAST_1
";

const PROJECT: &str = "{\"id\": \"5f1d2c3b4a5968776a5b4c3d\", \"name\": \"payments\", \"orgId\": \"5f1d2c3b4a5968776a5b4c3e\", \"regionUsageRestrictions\": \"GOV_REGIONS_ONLY\"}\n";

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(".git")).expect("git");
        let repo = Repo { dir };
        repo.write("specs/cluster.yaml", CLUSTER);
        repo.write("specs/project.json", PROJECT);
        repo
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        self.run_in(".", args)
    }
    fn run_in(&self, sub: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
            .arg("check")
            .args(args)
            .current_dir(self.path().join(sub))
            .env_remove("NO_COLOR")
            .output()
            .expect("run")
    }
    /// `check --format json` plus `args`: (exit code, report).
    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let o = self.run(&all);
        let v = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
        (o.status.code().unwrap(), v)
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// (code, line) of every finding.
fn found(v: &Value) -> Vec<(String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn codes(v: &Value) -> Vec<String> {
    found(v).into_iter().map(|(c, _)| c).collect()
}

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1
}

// ---------------------------------------------------------------- config

#[test]
fn config_is_found_in_the_current_directory_or_a_parent_up_to_the_repository_root() {
    let repo = Repo::new();
    repo.write(".atlasgov-lint.yaml", "rules: {GOV003: off}\n");
    let (_, v) = repo.json(&[]);
    assert!(!codes(&v).contains(&"GOV003".to_string()), "{v}");
    // From a subdirectory: the parent's config applies.
    let o = repo.run_in("specs", &["--format", "json", "."]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!codes(&v).contains(&"GOV003".to_string()), "{v}");
    // A nested repository root stops the search.
    std::fs::create_dir_all(repo.path().join("nested/.git")).unwrap();
    repo.write("nested/c.yaml", CLUSTER);
    let o = repo.run_in("nested", &["--format", "json", "."]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(codes(&v).contains(&"GOV003".to_string()), "{v}");
    // The config file itself is never checked as a spec.
    let (_, v) = repo.json(&[]);
    assert_eq!(v["summary"]["files_checked"], 3, "{v}");
}

#[test]
fn config_flag_names_the_file_and_a_missing_one_is_a_usage_error() {
    let repo = Repo::new();
    repo.write("ci/lint.yaml", "rules: {GOV001: off}\n");
    let (_, v) = repo.json(&["--config", "ci/lint.yaml"]);
    assert!(!codes(&v).contains(&"GOV001".to_string()));
    let o = repo.run(&["--config", "ci/nope.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("config file not found: ci/nope.yaml"),
        "{}",
        stderr(&o)
    );
}

/// Every kind of bad config: exit 2, `file:line:col:` and what would be valid.
#[test]
fn config_errors_name_the_line_and_the_valid_choices() {
    let cases: &[(&str, &str)] = &[
        (
            "colour: always\n",
            "c.yaml:1:1: unknown key `colour`; valid keys: rules, exclude, overrides, default-region-usage, fail-on, unsuppressible, exceptions, policies",
        ),
        (
            "rules:\n  GOV004: warn\n",
            "c.yaml:2:11: `warn` is not a level for GOV004; did you mean `warning`? valid levels: off, warning, error",
        ),
        (
            "rules:\n  GOV042: off\n",
            "c.yaml:2:3: unknown rule `GOV042`; did you mean GOV002 tier-below-m20 or GOV012 peering-across-partitions? `atlasgov-lint rules` lists the codes and names",
        ),
        (
            "rules: [GOV001]\n",
            "c.yaml:1:8: `/rules` must be a mapping of rule code or name to one of: off, warning, error",
        ),
        (
            "rules: {invalid-spec: off}\n",
            "c.yaml:1:23: GOV000 cannot be turned off",
        ),
        (
            "fail-on: sometimes\n",
            "c.yaml:1:10: `fail-on`: `sometimes` is not a valid value; valid values: error, warning",
        ),
        (
            "default-region-usage: GOV\n",
            "c.yaml:1:23: `default-region-usage`: `GOV` is not a valid value; did you mean `GOV_REGIONS_ONLY`? valid values: GOV_REGIONS_ONLY, COMMERCIAL_FEDRAMP_REGIONS_ONLY",
        ),
        (
            "exclude: vendor\n",
            "c.yaml:1:10: `/exclude` must be a list",
        ),
        ("exclude: ['a[']\n", "c.yaml:1:11: `a[` is not a valid glob"),
        (
            "overrides:\n  - files: [x]\n    rulez: {}\n",
            "c.yaml:3:5: unknown key `rulez` in `/overrides/0`; did you mean `rules`? valid keys: files, rules",
        ),
        (
            "overrides:\n  - rules: {GOV001: off}\n",
            "c.yaml:2:5: this override has no `files` list",
        ),
        (
            "unsuppressible: [GOV9]\n",
            "c.yaml:1:18: unknown rule `GOV9`",
        ),
        (
            "exceptions:\n  - file: a.json\n    rule: GOV001\n    reason: r\n",
            "c.yaml:2:5: this exception has no `pointer`",
        ),
        (
            "exceptions:\n  - file: a.json\n    pointer: regionName\n    rule: GOV001\n    reason: r\n",
            "c.yaml:3:14: `regionName` is not a JSON pointer",
        ),
        (
            "exceptions:\n  - file: a.json\n    pointer: /a\n    rule: GOV000\n    reason: r\n",
            "c.yaml:4:11: GOV000 cannot be suppressed",
        ),
        (
            "exceptions:\n  - file: a.json\n    pointer: /a\n    rule: GOV001\n    reason: r\n    until: 31/03/2027\n",
            "c.yaml:6:12: `31/03/2027` is not a date; write it as YYYY-MM-DD",
        ),
        (
            "exceptions:\n  - file: a.json\n    pointer: /a\n    rule: GOV001\n    reason: r\n    expires: 2027-01-01\n",
            "c.yaml:6:5: unknown key `expires` in `/exceptions/0`; valid keys: file, pointer, rule, reason, until",
        ),
        (
            "unsuppressible: [GOV001]\nexceptions:\n  - file: a.json\n    pointer: /a\n    rule: azure-provider\n    reason: r\n",
            "c.yaml:5:11: GOV001 is listed under `unsuppressible`",
        ),
        ("rules: {GOV001: off\n", "c.yaml:2:1: not valid YAML"),
        (
            "rules: {}\nrules: {}\n",
            "c.yaml:2:1: duplicate key `rules`",
        ),
        (
            "- rules\n",
            "c.yaml:1:1: the config file must be a mapping of settings",
        ),
    ];
    let repo = Repo::new();
    for (text, expected) in cases {
        repo.write("c.yaml", text);
        let o = repo.run(&["--config", "c.yaml"]);
        assert_eq!(o.status.code(), Some(2), "{text}\n{}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("error: {expected}")),
            "{text}\nexpected: {expected}\ngot: {err}"
        );
        assert!(o.stdout.is_empty(), "nothing is checked with a bad config");
    }
}

#[test]
fn levels_per_rule_and_per_path() {
    let repo = Repo::new();
    repo.write("legacy/c.yaml", CLUSTER);
    repo.write("legacy/project.json", PROJECT);
    repo.write(
        ".atlasgov-lint.yaml",
        "rules:\n  GOV001: warning\n  region-not-in-atlasgov: off\noverrides:\n  - files: [legacy/**]\n    rules: {GOV001: error, GOV002: off}\n",
    );
    let (code, v) = repo.json(&[]);
    assert_eq!(code, 1);
    let by_file = |file: &str| -> Vec<(String, String)> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["file"] == file)
            .map(|f| {
                (
                    f["code"].as_str().unwrap().into(),
                    f["severity"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        by_file("specs/cluster.yaml"),
        [
            s("GOV001", "warning"),
            s("GOV002", "error"),
            s("GOV004", "error")
        ]
    );
    assert_eq!(
        by_file("legacy/c.yaml"),
        [s("GOV001", "error"), s("GOV004", "error")]
    );
}

#[test]
fn excluded_paths_are_not_read() {
    let repo = Repo::new();
    repo.write("vendor/c.yaml", CLUSTER);
    repo.write("deep/x/generated/c.yaml", CLUSTER);
    repo.write(".atlasgov-lint.yaml", "exclude: [vendor, generated/]\n");
    let (_, v) = repo.json(&[]);
    assert_eq!(v["summary"]["files_checked"], 2, "{v}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["file"] == "specs/cluster.yaml")
    );
    assert_eq!(v["skipped"], serde_json::json!([]), "{v}");
    // Named on the command line (a pre-commit hook passes each staged file): still not read,
    // and said.
    let (code, v) = repo.json(&["vendor/c.yaml", "specs/cluster.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["files_checked"], 1, "{v}");
    assert_eq!(v["skipped"][0]["file"], "vendor/c.yaml", "{v}");
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("excluded by `exclude`"),
        "{v}"
    );
}

#[test]
fn default_region_usage_applies_to_clusters_without_a_project() {
    let repo = Repo::new();
    let orphan = "name: x\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AWS\n        regionName: US_EAST_1\n      - providerName: AWS\n        regionName: US_GOV_WEST_1\n";
    repo.write("orphans/c.yaml", orphan);
    // Without the setting: the first region decides, and the second differs.
    let (_, v) = repo.json(&["orphans"]);
    assert_eq!(found(&v), [("GOV004".to_string(), 7)]);
    // With it: the standard region is the one that does not belong.
    repo.write(
        ".atlasgov-lint.yaml",
        "default-region-usage: GOV_REGIONS_ONLY\n",
    );
    let (code, v) = repo.json(&["orphans"]);
    assert_eq!(code, 1);
    assert_eq!(found(&v), [("GOV004".to_string(), 5)]);
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the configuration assumes gov projects")
    );
    // The label points at the setting in the config file (SARIF related location).
    let o = repo.run(&["--format", "sarif", "orphans"]);
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    let related = &log["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], ".atlasgov-lint.yaml");
    assert_eq!(related["region"]["startColumn"], 23);
    // Other partition rules consult it too: a private endpoint with no known project.
    repo.write(
        "orphans/endpoint.yaml",
        "providerName: AWS\nregion: us-east-1\n",
    );
    let (_, v) = repo.json(&["orphans/endpoint.yaml"]);
    assert_eq!(found(&v), [("GOV013".to_string(), 2)], "{v}");
    assert_eq!(
        v["findings"][0]["related"][0]["file"],
        ".atlasgov-lint.yaml"
    );
    std::fs::remove_file(repo.path().join(".atlasgov-lint.yaml")).unwrap();
    let (_, v) = repo.json(&["orphans/endpoint.yaml"]);
    assert_eq!(found(&v), [], "no project, no default: silent");
    // A linked project still wins over the default.
    repo.write(
        ".atlasgov-lint.yaml",
        "default-region-usage: COMMERCIAL_FEDRAMP_REGIONS_ONLY\n",
    );
    let (_, v) = repo.json(&["specs"]);
    assert!(found(&v).contains(&("GOV004".to_string(), 13)), "{v}");
}

#[test]
fn fail_on_from_config_and_flag() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path().join("specs/cluster.yaml")).unwrap();
    repo.write(
        "p.json",
        "{\"name\": \"p\", \"orgId\": \"5f1d2c3b4a5968776a5b4c3e\"}\n",
    );
    assert_eq!(
        repo.run(&[]).status.code(),
        Some(0),
        "GOV005 alone is a warning"
    );
    repo.write(".atlasgov-lint.yaml", "fail-on: warning\n");
    assert_eq!(repo.run(&[]).status.code(), Some(1));
    assert_eq!(repo.run(&["--fail-on", "error"]).status.code(), Some(0));
    assert_eq!(repo.run(&["--fail-on", "never"]).status.code(), Some(2));
}

#[test]
fn select_and_ignore() {
    let repo = Repo::new();
    repo.write("broken.json", "{\"regionConfigs\": [");
    let (_, v) = repo.json(&["--select", "GOV001,tier-below-m20"]);
    // GOV000 always runs: a file that does not parse was not checked.
    assert_eq!(codes(&v), ["GOV000", "GOV001", "GOV002"]);
    let (_, v) = repo.json(&["--ignore", "GOV001", "--ignore", "GOV004"]);
    assert_eq!(codes(&v), ["GOV000", "GOV002", "GOV003"]);
    // The CLI overrides the config.
    repo.write(".atlasgov-lint.yaml", "rules: {GOV002: off}\n");
    let (_, v) = repo.json(&["--select", "GOV002"]);
    assert_eq!(codes(&v), ["GOV000", "GOV002"]);
    for (args, msg) in [
        (["--select", "GOV77"], "--select: unknown rule `GOV77`"),
        (["--ignore", "nope"], "--ignore: unknown rule `nope`"),
        (
            ["--ignore", "GOV000"],
            "--ignore: GOV000 cannot be turned off",
        ),
    ] {
        let o = repo.run(&args);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(msg), "{}", stderr(&o));
    }
}

// ---------------------------------------------------------------- suppressions

#[test]
fn inline_suppressions_on_the_line_or_the_line_above_with_show_suppressed() {
    let repo = Repo::new();
    let text = CLUSTER
        .replace(
            "      - providerName: AZURE\n",
            "      - providerName: AZURE # atlasgov-lint: allow azure-provider -- legacy, migration in OPS-12\n",
        )
        .replace(
            "        electableSpecs: { instanceSize: M10 }\n",
            "        # atlasgov-lint: allow GOV002 until 2999-12-31 -- test replica, approved in SEC-9\n        # (a second comment line between is fine)\n        electableSpecs: { instanceSize: M10 }\n",
        );
    repo.write("specs/cluster.yaml", &text);
    let (code, v) = repo.json(&[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["GOV003", "GOV004"]);
    assert_eq!(v["summary"]["suppressed"], 2);

    let o = repo.run(&["--show-suppressed", "--color", "never"]);
    let out = stdout(&o);
    let line = line_of(&text, "allow GOV002");
    assert!(out.contains(&format!("  specs/cluster.yaml:{line}:9: allow GOV002\n    reason: test replica, approved in SEC-9\n    until: 2999-12-31\n    status: active, suppressed 1 finding\n")), "{out}");
    assert!(
        out.contains("reason: legacy, migration in OPS-12\n    until: (no expiry)"),
        "{out}"
    );
    assert!(
        out.contains("2 errors, 0 warnings in 1 file; 2 files checked; 2 suppressed"),
        "{out}"
    );

    let (_, v) = repo.json(&["--show-suppressed"]);
    let s = &v["suppressions"];
    assert_eq!(s.as_array().unwrap().len(), 2);
    assert_eq!(s[1]["until"], "2999-12-31");
    assert_eq!(s[1]["suppressed"][0]["code"], "GOV002");
}

#[test]
fn json_with_comments_takes_slash_directives_and_an_atlas_body_still_refuses_the_comment() {
    let repo = Repo::new();
    // ASP.NET's appsettings.json is JSON with comments.
    let settings = "{\n  \"ConnectionStrings\": {\n    // atlasgov-lint: allow GOV006 until 2999-12-31 -- legacy reporting job, SEC-31\n    \"Reports\": \"mongodb+srv://r.ab1cd.mongodbgov.net/?authMechanism=SCRAM-SHA-1\",\n    \"Ledger\": \"mongodb+srv://l.ab1cd.mongodbgov.net/?authMechanism=SCRAM-SHA-1\", // atlasgov-lint: allow GOV006 -- r\n    \"Audit\": \"mongodb+srv://a.ab1cd.mongodbgov.net/?authMechanism=SCRAM-SHA-1\"\n  }\n}\n";
    repo.write("app/appsettings.json", settings);
    let (_, v) = repo.json(&["app", "--show-suppressed"]);
    assert_eq!(found(&v), [("GOV006".to_string(), 6)], "{v:#}");
    assert_eq!(v["summary"]["suppressed"], 2);
    let s = v["suppressions"].as_array().unwrap();
    assert_eq!(s[0]["line"], 3);
    assert_eq!(s[0]["reason"], "legacy reporting job, SEC-31");
    assert_eq!(s[1]["line"], 5);

    // In an Atlas body the directive applies, and the comment is still GOV000: Atlas parses
    // the body strictly.
    repo.write(
        "api/cluster.json",
        "{\n  \"name\": \"c\",\n  \"replicationSpecs\": [{\"regionConfigs\": [{\n    \"providerName\": \"AWS\", \"regionName\": \"US_GOV_WEST_1\",\n    // atlasgov-lint: allow GOV002 -- load test, OPS-7\n    \"electableSpecs\": {\"instanceSize\": \"M10\"}\n  }]}]\n}\n",
    );
    let (_, v) = repo.json(&["api"]);
    assert_eq!(found(&v), [("GOV000".to_string(), 5)], "{v:#}");
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn a_suppression_without_a_reason_is_reported_and_not_applied() {
    let repo = Repo::new();
    let text = CLUSTER.replace(
        "providerName: AZURE",
        "providerName: AZURE # atlasgov-lint: allow GOV001",
    );
    repo.write("specs/cluster.yaml", &text);
    let (_, v) = repo.json(&[]);
    let line = line_of(&text, "AZURE");
    assert!(found(&v).contains(&("GOV001".into(), line)));
    assert!(found(&v).contains(&("GOV101".into(), line)));
    let empty = CLUSTER.replace(
        "providerName: AZURE",
        "providerName: AZURE # atlasgov-lint: allow GOV001 --  ",
    );
    repo.write("specs/cluster.yaml", &empty);
    let (_, v) = repo.json(&[]);
    assert!(codes(&v).contains(&"GOV101".to_string()) && codes(&v).contains(&"GOV001".to_string()));
}

#[test]
fn an_expired_suppression_stops_suppressing_and_says_so() {
    let repo = Repo::new();
    let text = CLUSTER.replace(
        "providerName: AZURE",
        "providerName: AZURE # atlasgov-lint: allow GOV001 until 2001-02-03 -- old window",
    );
    repo.write("specs/cluster.yaml", &text);
    let (code, v) = repo.json(&[]);
    assert_eq!(code, 1);
    let expired = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "GOV102")
        .unwrap();
    assert_eq!(
        expired["message"],
        "this suppression expired on 2001-02-03, so it is no longer applied"
    );
    // It points at the date.
    assert_eq!(
        expired["column"].as_u64().unwrap() as usize,
        text.lines().nth(4).unwrap().find("2001").unwrap() + 1
    );
    assert!(codes(&v).contains(&"GOV001".to_string()));
}

#[test]
fn unused_suppressions_are_warnings_unless_the_rule_is_off() {
    let repo = Repo::new();
    let text = CLUSTER.replace(
        "regionName: US_GOV_WEST_1",
        "regionName: US_GOV_WEST_1 # atlasgov-lint: allow GOV003 -- was EU_WEST_1",
    );
    repo.write("specs/cluster.yaml", &text);
    let (_, v) = repo.json(&[]);
    let unused: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "GOV100")
        .collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0]["severity"], "warning");
    assert_eq!(
        unused[0]["line"].as_u64(),
        Some(line_of(&text, "was EU_WEST_1"))
    );
    // Not reported when the rule does not run (here or for this path).
    let (_, v) = repo.json(&["--select", "GOV001"]);
    assert!(!codes(&v).contains(&"GOV100".to_string()));
    repo.write(
        ".atlasgov-lint.yaml",
        "overrides:\n  - files: [specs]\n    rules: {GOV003: off}\n",
    );
    let (_, v) = repo.json(&[]);
    assert!(!codes(&v).contains(&"GOV100".to_string()));
    // The level of the diagnostic itself is configurable.
    repo.write(
        ".atlasgov-lint.yaml",
        "rules: {unused-suppression: error}\n",
    );
    let (_, v) = repo.json(&[]);
    let unused = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "GOV100")
        .unwrap();
    assert_eq!(unused["severity"], "error");
}

#[test]
fn gov000_and_unsuppressible_codes_cannot_be_suppressed() {
    let repo = Repo::new();
    repo.write(
        "broken.yaml",
        "# atlasgov-lint: allow GOV000 -- work in progress\nregionConfigs: [\n",
    );
    let (_, v) = repo.json(&["broken.yaml", "--show-suppressed"]);
    assert_eq!(
        found(&v),
        [("GOV104".to_string(), 1), ("GOV000".to_string(), 3)]
    );
    // The auditor's list says it is not applied, and why.
    let listed = v["suppressions"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        listed.iter().map(|s| &s["status"]).collect::<Vec<_>>(),
        ["forbidden"],
        "{listed:?}"
    );
    let text = CLUSTER.replace(
        "providerName: AZURE",
        "providerName: AZURE # atlasgov-lint: allow GOV001, GOV003 -- approved",
    );
    repo.write("specs/cluster.yaml", &text);
    repo.write(".atlasgov-lint.yaml", "unsuppressible: [azure-provider]\n");
    let (_, v) = repo.json(&["specs", "--show-suppressed"]);
    // One of its two rules is forbidden: the other still applies.
    let listed = v["suppressions"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        listed.iter().map(|s| &s["status"]).collect::<Vec<_>>(),
        ["active"],
        "{listed:?}"
    );
    let c = codes(&v);
    assert!(
        c.contains(&"GOV001".into()) && c.contains(&"GOV104".into()),
        "{c:?}"
    );
    let forbidden = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "GOV104")
        .unwrap();
    assert!(
        forbidden["message"]
            .as_str()
            .unwrap()
            .contains("lists it under `unsuppressible`")
    );
}

#[test]
fn unreadable_directives_are_reported() {
    let repo = Repo::new();
    for (directive, message) in [
        (
            "atlasgov-lint: permit GOV001 -- r",
            "`permit` is not a directive",
        ),
        (
            "atlasgov-lint: allow GOV01 -- r",
            "`GOV01` is not a rule code or name",
        ),
        (
            "atlasgov-lint: allow GOV001 until 2027-02-30 -- r",
            "`2027-02-30` is not a date",
        ),
        ("atlasgov-lint: allow -- r", "`allow` names no rule"),
        (
            "atlasgov-lint: allow GOV001 until -- r",
            "`until` needs a date",
        ),
    ] {
        let text = CLUSTER.replace(
            "providerName: AZURE",
            &format!("providerName: AZURE # {directive}"),
        );
        repo.write("specs/cluster.yaml", &text);
        let (_, v) = repo.json(&["--show-suppressed"]);
        // Nor is it listed as in force.
        let listed = v["suppressions"].as_array().cloned().unwrap_or_default();
        assert!(
            listed.iter().all(|s| s["status"] != "active"),
            "{directive}: {listed:?}"
        );
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "GOV103");
        let f = f.unwrap_or_else(|| panic!("{directive}: {v}"));
        assert!(
            f["message"].as_str().unwrap().contains(message),
            "{directive}: {f}"
        );
        assert!(
            codes(&v).contains(&"GOV001".into()),
            "{directive}: not applied"
        );
    }
}

#[test]
fn config_exceptions_suppress_json_values_with_the_same_rules() {
    let repo = Repo::new();
    repo.write(
        "legacy/c.json",
        "{\"name\": \"old\", \"groupId\": \"5f1d2c3b4a5968776a5b4c3d\", \"replicationSpecs\": [{\"regionConfigs\": [{\"providerName\": \"AWS\", \"regionName\": \"EU_WEST_1\"}, {\"providerName\": \"AWS\", \"regionName\": \"EU_WEST_2\"}]}]}\n",
    );
    let config = "exceptions:\n  - file: legacy/*.json\n    pointer: /replicationSpecs/0/regionConfigs/0\n    rule: region-not-in-atlasgov\n    reason: legacy DR copy (SEC-7)\n    until: 2999-12-31\n  - file: nothing/*.json\n    pointer: /a\n    rule: GOV002\n    reason: no such file here\n  - file: legacy/c.json\n    pointer: /replicationSpecs/0/regionConfigs/1/providerName\n    rule: GOV001\n    reason: stale\n  - file: legacy/c.json\n    pointer: /replicationSpecs/0/regionConfigs/1/regionName\n    rule: GOV003\n  - file: legacy/c.json\n    pointer: /replicationSpecs/0/regionConfigs/1/regionName\n    rule: GOV003\n    reason: expired\n    until: 2001-01-01\n";
    repo.write(".atlasgov-lint.yaml", config);
    let (_, v) = repo.json(&["legacy", "--show-suppressed"]);
    let mut f = found(&v);
    f.sort();
    assert_eq!(
        f,
        [
            ("GOV003".to_string(), 1), // the second region: its exceptions have no reason / expired
            ("GOV100".to_string(), 13), // the GOV001 exception: nothing there
            ("GOV101".to_string(), 15), // no reason
            ("GOV102".to_string(), 22), // expired
        ]
    );
    let gov3 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "GOV003")
        .unwrap();
    assert_eq!(
        gov3["pointer"],
        "/replicationSpecs/0/regionConfigs/1/regionName"
    );
    // The exception for files not checked in this run is not called unused.
    assert_eq!(v["summary"]["suppressed"], 1);
    let s = v["suppressions"].as_array().unwrap();
    assert_eq!(s[0]["kind"], "exception");
    assert_eq!(s[0]["file"], ".atlasgov-lint.yaml");
    assert_eq!(s[0]["line"], 2);
    assert_eq!(s[0]["reason"], "legacy DR copy (SEC-7)");
    assert_eq!(
        s[0]["suppressed"][0]["pointer"],
        "/replicationSpecs/0/regionConfigs/0/regionName"
    );
}

// ---------------------------------------------------------------- baseline

#[test]
fn baseline_hides_known_findings_and_survives_unrelated_edits() {
    let repo = Repo::new();
    let o = repo.run(&[
        "--write-baseline",
        "atlasgov-baseline.json",
        "--color",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("note: wrote baseline atlasgov-baseline.json (4 entries)"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("; 4 baselined"), "{}", stdout(&o));
    let baseline: Value = serde_json::from_str(&repo.read("atlasgov-baseline.json")).unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["entries"][0]["file"], "specs/cluster.yaml");
    assert!(
        !repo.read("atlasgov-baseline.json").contains("line"),
        "no line numbers"
    );

    // Unrelated edits: lines inserted above, another key added, quotes changed.
    let edited = format!(
        "# owned by the payments team\n\n{}",
        CLUSTER
            .replace("name: ledger", "name: ledger\nclusterType: REPLICASET")
            .replace("regionName: EU_WEST_1", "regionName: \"EU_WEST_1\"")
    );
    repo.write("specs/cluster.yaml", &edited);
    let (code, v) = repo.json(&["--baseline", "atlasgov-baseline.json"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["summary"]["baselined"], 4);

    // A new finding is reported; a fixed one is counted as gone.
    let changed = edited
        .replace("US_EAST_1", "US_WEST_2")
        .replace("providerName: AZURE", "providerName: AWS");
    repo.write("specs/cluster.yaml", &changed);
    let o = repo.run(&["--baseline", "atlasgov-baseline.json", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("note: 2 baseline entries no longer occur; rewrite the baseline with --write-baseline to drop them"), "{out}");
    assert!(
        out.contains("1 error, 0 warnings in 1 file; 2 files checked; 2 baselined"),
        "{out}"
    );
    let (_, v) = repo.json(&["--baseline", "atlasgov-baseline.json"]);
    assert_eq!(
        found(&v),
        [("GOV004".to_string(), line_of(&changed, "US_WEST_2"))]
    );
    assert_eq!(v["summary"]["baseline_gone"], 2);

    // Rewriting only shrinks: the new finding is not added without --allow-new.
    let o = repo.run(&[
        "--write-baseline",
        "atlasgov-baseline.json",
        "--color",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("wrote baseline atlasgov-baseline.json (2 entries; removed 2 that no longer occur); 1 new finding not added (a baseline only shrinks; --allow-new adds them)"), "{}", stdout(&o));
    let o = repo.run(&["--write-baseline", "atlasgov-baseline.json", "--allow-new"]);
    assert_eq!(o.status.code(), Some(0));
    let (code, _) = repo.json(&["--baseline", "atlasgov-baseline.json"]);
    assert_eq!(code, 0);
}

#[test]
fn baseline_paths_are_relative_to_the_baseline_file() {
    let repo = Repo::new();
    repo.run(&["--write-baseline", "b.json"]);
    // From a subdirectory, naming the same files another way.
    let o = repo.run_in(
        "specs",
        &["--format", "json", "--baseline", "../b.json", "."],
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    assert_eq!(v["summary"]["baselined"], 4);
    // Checking a subset does not call the other files' entries gone.
    repo.write("other/c.yaml", CLUSTER);
    repo.run(&["--write-baseline", "b.json", "--allow-new"]);
    let (_, v) = repo.json(&["--baseline", "b.json", "specs"]);
    assert!(v["summary"].get("baseline_gone").is_none(), "{v}");
    // Nor does deselecting a rule.
    let (_, v) = repo.json(&["--baseline", "b.json", "--select", "GOV001"]);
    assert!(v["summary"].get("baseline_gone").is_none(), "{v}");
    // And rewriting from a subset keeps the other files' entries.
    repo.run(&["--write-baseline", "b.json", "specs"]);
    let b: Value = serde_json::from_str(&repo.read("b.json")).unwrap();
    assert_eq!(b["entries"].as_array().unwrap().len(), 8);
}

#[test]
fn baseline_error_paths() {
    let repo = Repo::new();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--baseline", "missing.json"],
            "baseline missing.json: cannot read: No such file",
        ),
        (
            vec!["--baseline", "bad.json"],
            "bad.json:1:5: not an atlasgov-lint baseline",
        ),
        (
            vec!["--baseline", "v9.json"],
            "v9.json: unsupported baseline version 9 (this atlasgov-lint reads version 1)",
        ),
        (
            vec!["--write-baseline", "bad.json"],
            "not an atlasgov-lint baseline",
        ),
        (vec!["--allow-new"], "--write-baseline"),
        (
            vec!["--baseline", "v9.json", "--write-baseline", "x.json"],
            "cannot be used with",
        ),
        (
            vec!["--write-baseline", "no/such/dir/b.json"],
            "--write-baseline no/such/dir/b.json: cannot write",
        ),
    ];
    repo.write("bad.json", "[1, 2]\n");
    repo.write("v9.json", "{\"version\": 9, \"entries\": []}\n");
    for (args, message) in cases {
        let o = repo.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
}

// ---------------------------------------------------------------- output

#[test]
fn output_file_gets_the_report_and_the_terminal_the_human_view() {
    let repo = Repo::new();
    let o = repo.run(&[
        "--format",
        "sarif",
        "--output",
        "./report.sarif",
        "--color",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("GOV001 azure-provider"));
    assert!(stdout(&o).contains("4 errors, 0 warnings in 1 file"));
    let sarif: Value = serde_json::from_str(&repo.read("report.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // The report being written is not checked as a spec.
    for _ in 0..2 {
        repo.run(&["--format", "json", "--output", "r.json"]);
        let v: Value = serde_json::from_str(&repo.read("r.json")).unwrap();
        assert_eq!(
            v["summary"]["files_checked"], 2,
            "cluster and project; not r.json"
        );
    }
    let o = repo.run(&["--format", "junit", "--output", "no/such/dir/r.xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--output no/such/dir/r.xml: cannot write"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn quiet_prints_only_findings() {
    let repo = Repo::new();
    let o = repo.run(&["--quiet", "--color", "never"]);
    let out = stdout(&o);
    assert!(out.contains("GOV001 azure-provider"));
    assert!(!out.contains("errors,"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("note:")), "{out}");
    let clean = Repo::new();
    std::fs::remove_file(clean.path().join("specs/cluster.yaml")).unwrap();
    let o = clean.run(&["--quiet"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_without_no_color() {
    let repo = Repo::new();
    let esc = |o: &Output| o.stdout.contains(&0x1b);
    assert!(esc(&repo.run(&["--color", "always"])));
    assert!(!esc(&repo.run(&["--color", "never"])));
    // Not a terminal: no colour by default.
    assert!(!esc(&repo.run(&[])));
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(["check", "--color", "auto"])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!esc(&o));
}

/// The GOV1xx docs (what `explain` prints) have the rule docs' sections, and their examples
/// produce (or do not produce) the diagnostic, run through the binary.
#[test]
fn suppression_diagnostics_are_documented_with_working_examples() {
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .arg("rules")
        .output()
        .unwrap();
    let table = stdout(&o);
    for code in ["GOV100", "GOV101", "GOV102", "GOV103", "GOV104"] {
        assert!(table.contains(code), "{table}");
        let doc = stdout(
            &Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
                .args(["explain", code])
                .output()
                .unwrap(),
        );
        assert!(doc.starts_with(&format!("# {code} ")), "{doc}");
        for (section, must_fail) in [("## Failing example", true), ("## Passing example", false)] {
            let after = doc
                .split(section)
                .nth(1)
                .unwrap_or_else(|| panic!("{code}: {section}"));
            let block = after.split("```").nth(1).unwrap();
            let (lang, body) = block.split_once('\n').unwrap();
            let repo = Repo::new();
            std::fs::remove_dir_all(repo.path().join("specs")).unwrap();
            repo.write(&format!("example.{lang}"), body);
            let (_, v) = repo.json(&[]);
            assert_eq!(
                codes(&v).contains(&code.to_string()),
                must_fail,
                "{code} {section}: {v}"
            );
            if !must_fail {
                assert_eq!(v["findings"], serde_json::json!([]), "{code}: {v}");
            }
        }
        for s in ["## What it checks", "## Why", "## Fix"] {
            assert!(doc.contains(s), "{code}: {s}");
        }
    }
}

/// GitHub and GitLab locate a report's paths from the repository's root: the CI formats name
/// files relative to it, and fingerprints do not change, whatever directory the linter ran in
/// (a job's `working-directory: specs`). Other formats show paths as given.
#[test]
fn ci_formats_name_files_from_the_repository_root_wherever_the_run_starts() {
    let repo = Repo::new();
    let sarif = |sub: &str, target: &str| -> Value {
        let o = repo.run_in(sub, &["--format", "sarif", target]);
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)))
    };
    let places = |v: &Value| -> Vec<(String, String)> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["partialFingerprints"]["atlasgovLint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let from_root = places(&sarif(".", "specs"));
    assert!(!from_root.is_empty());
    assert!(
        from_root.iter().all(|(uri, _)| uri == "specs/cluster.yaml"),
        "{from_root:?}"
    );
    assert_eq!(places(&sarif("specs", ".")), from_root);
    assert_eq!(places(&sarif("specs", "cluster.yaml")), from_root);

    let gitlab = |sub: &str, target: &str| -> Vec<(String, String)> {
        let o = repo.run_in(sub, &["--format", "gitlab", target]);
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["location"]["path"].as_str().unwrap().to_string(),
                    i["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let root = gitlab(".", "specs");
    assert!(
        root.iter().all(|(p, _)| p == "specs/cluster.yaml"),
        "{root:?}"
    );
    assert_eq!(gitlab("specs", "."), root);

    let o = repo.run_in("specs", &["--format", "github", "."]);
    assert!(
        stdout(&o).contains("::error file=specs/cluster.yaml,"),
        "{}",
        stdout(&o)
    );
    // Human output keeps the path as given.
    let o = repo.run_in("specs", &["--format", "concise", "."]);
    assert!(stdout(&o).starts_with("cluster.yaml:"), "{}", stdout(&o));
}

/// The CI formats' paths, the edges: standard input without a name is `<stdin>` wherever the
/// run starts; a nested repository's files (a submodule: a `.git` file) are named from the
/// checkout the run is in, not from their own root (where they would take the names of the
/// outer repository's files); a `..` after a symlinked directory is followed on the disk; the
/// note naming where a value is used has the annotation's form of path.
#[test]
fn ci_format_paths_at_the_edges() {
    let repo = Repo::new();
    // Standard input, from a subdirectory and from the root: the same name and fingerprints.
    let stdin_sarif = |sub: &str| -> String {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"));
        cmd.args(["check", "-", "--format", "sarif", "--no-cache"])
            .current_dir(repo.path().join(sub));
        let o = common::output_with_stdin(cmd, CLUSTER.as_bytes());
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["partialFingerprints"]["atlasgovLint/v1"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let root = stdin_sarif(".");
    assert!(root.starts_with("\"%3Cstdin%3E\""), "{root}");
    assert_eq!(stdin_sarif("specs"), root);

    // A submodule's file is named from the outer checkout, distinct from the outer file.
    repo.write("vendor/mod/.git", "gitdir: ../../.git/modules/mod\n");
    repo.write("vendor/mod/specs/cluster.yaml", CLUSTER);
    let o = repo.run_in("specs", &["--format", "github", ".."]);
    let out = stdout(&o);
    assert!(out.contains("::error file=specs/cluster.yaml,"), "{out}");
    assert!(
        out.contains("::error file=vendor/mod/specs/cluster.yaml,"),
        "{out}"
    );

    // A value written in one file and used in another: the note names the use from the root.
    repo.write(
        "infra/main.tf",
        "module \"db\" {\n  source = \"./modules/db\"\n  size   = \"M10\"\n}\n",
    );
    repo.write(
        "infra/modules/db/main.tf",
        "variable \"size\" {}\n\nresource \"mongodbatlas_advanced_cluster\" \"c\" {\n  project_id   = \"5f1d2c3b4a5968776a5b4c3d\"\n  name         = \"c\"\n  cluster_type = \"REPLICASET\"\n  replication_specs = [{\n    region_configs = [{\n      provider_name   = \"AWS\"\n      region_name     = \"US_GOV_WEST_1\"\n      priority        = 7\n      electable_specs = { instance_size = var.size, node_count = 3 }\n    }]\n  }]\n}\n",
    );
    let o = repo.run_in("infra", &["--format", "github", "."]);
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("GOV002"))
        .unwrap_or_else(|| panic!("{out}{}", stderr(&o)));
    assert!(line.starts_with("::error file=infra/main.tf,"), "{line}");
    assert!(line.contains("used at infra/modules/db/main.tf:"), "{line}");
}

/// `..` after a symlink to a directory outside the repository: the file read is outside it,
/// and keeps its path as given (resolved on paper it would name the repository's own file).
#[cfg(unix)]
#[test]
fn a_dotdot_after_a_symlinked_directory_is_followed_on_the_disk() {
    let repo = Repo::new();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(elsewhere.path().join("a/b")).unwrap();
    std::fs::create_dir_all(elsewhere.path().join("a/specs")).unwrap();
    std::fs::write(elsewhere.path().join("a/specs/cluster.yaml"), CLUSTER).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("a/b"), repo.path().join("link")).unwrap();
    let o = repo.run(&["--format", "github", "link/../specs/cluster.yaml"]);
    let out = stdout(&o);
    assert!(
        out.contains("::error file=link/../specs/cluster.yaml,"),
        "{out}"
    );
    assert!(!out.contains("file=specs/cluster.yaml"), "{out}");
}
