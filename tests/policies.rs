//! Users' policies in Rego (docs/policies.md): the model as data and its schema, one policy
//! for every format, the filter stage, broken and hostile policies, and `atlasgov-lint test`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const EXAMPLES: &str = "examples/policies";
const FORMATS: &[&str] = &["api", "operator", "terraform", "plan", "cloudformation"];

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run atlasgov-lint")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run atlasgov-lint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn model(path: &str) -> Value {
    let o = run(&["model", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("model is JSON")
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("schema/model-v1.schema.json").unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn the_model_validates_against_its_schema() {
    let v = validator();
    let mut paths: Vec<String> = FORMATS
        .iter()
        .map(|f| format!("fixtures/policies/{f}"))
        .collect();
    paths.extend(
        [
            "examples",
            "fixtures/GOV001",
            "fixtures/GOV002",
            "fixtures/GOV004",
            "fixtures/GOV008",
            "fixtures/GOV012",
            "fixtures/GOV013",
        ]
        .map(String::from),
    );
    for path in &paths {
        let doc = model(path);
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
    }
}

#[test]
fn every_format_gives_the_same_cluster_settings() {
    for format in FORMATS {
        let doc = model(&format!("fixtures/policies/{format}"));
        let clusters = doc["clusters"].as_array().unwrap();
        assert_eq!(clusters.len(), 1, "{format}: {doc:#}");
        let c = &clusters[0];
        assert_eq!(c["name"]["value"], "ledger", "{format}");
        assert_eq!(c["backup_enabled"]["value"], false, "{format}");
        assert_eq!(c["termination_protection"]["value"], false, "{format}");
        assert_eq!(c["mongodb_version"]["value"], "7.0", "{format}");
        assert_eq!(c["disk_size_gb"]["value"], 40, "{format}");
        assert_eq!(c["tags"][0]["key"]["value"], "environment", "{format}");
        assert_eq!(c["tags"][0]["value"]["value"], "production", "{format}");
        // Linked to its project, whose partition is known.
        let p = c["project"]
            .as_u64()
            .unwrap_or_else(|| panic!("{format}: unlinked"));
        assert_eq!(doc["projects"][p as usize]["partition"], "gov", "{format}");
    }
}

#[test]
fn every_format_that_tags_projects_gives_the_project_tags() {
    for format in FORMATS {
        let doc = model(&format!("fixtures/policies/{format}"));
        let projects = doc["projects"].as_array().unwrap();
        let tags = &projects
            .iter()
            .find(|p| p["name"]["value"] == "payments-gov")
            .unwrap_or_else(|| panic!("{format}: no project: {doc:#}"))["tags"];
        if *format == "operator" {
            // The operator's AtlasProject has no tags field.
            assert_eq!(tags, &serde_json::json!([]), "{format}");
            continue;
        }
        assert_eq!(tags[0]["key"]["value"], "owner", "{format}: {tags:#}");
        assert_eq!(tags[0]["value"]["value"], "payments-platform", "{format}");
        // Located where the key is written.
        let line = tags[0]["key"]["loc"]["line"].as_u64().unwrap();
        let file = tags[0]["key"]["loc"]["file"].as_str().unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        let written = text.lines().nth(line as usize - 1).unwrap();
        assert!(
            written.contains("owner"),
            "{format}: {file}:{line}: {written}"
        );
    }
}

/// `path:line:col: CODE` of each policy finding.
fn policy_findings(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .filter(|l| l.contains(": ORG"))
        .map(|l| {
            let (place, rest) = l.split_once(": ").unwrap();
            format!("{place}: {}", rest.split_whitespace().next().unwrap())
        })
        .collect()
}

#[test]
fn one_policy_reports_the_same_violation_in_every_format() {
    let mut all = String::new();
    for format in FORMATS {
        let dir = format!("fixtures/policies/{format}");
        let o = run(&["check", &dir, "--policy", EXAMPLES, "--format", "concise"]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{format}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        let found = policy_findings(&o);
        let codes: Vec<&str> = found
            .iter()
            .map(|f| f.rsplit(": ").next().unwrap())
            .collect();
        assert_eq!(
            codes
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            ["ORG001", "ORG002", "ORG003", "ORG004"].into(),
            "{format}: {}",
            stdout(&o)
        );
        assert_eq!(codes.len(), 4, "{format}: {}", stdout(&o));
        // No built-in finding: the cluster is valid for AtlasGov.
        assert!(!stdout(&o).contains(": GOV"), "{format}: {}", stdout(&o));
        all.push_str(&format!("# {format}\n{}\n", stdout(&o)));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn policy_findings_go_through_levels_suppressions_and_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("policies")).unwrap();
    for f in ["owner_tag.rego", "backups.rego"] {
        std::fs::copy(Path::new(EXAMPLES).join(f), dir.join("policies").join(f)).unwrap();
    }
    std::fs::copy(
        "fixtures/policies/api/project.json",
        dir.join("project.json"),
    )
    .unwrap();
    // An `allow` comment cannot sit in JSON: the cluster in YAML, suppressing ORG002 on the
    // line of the value the policy names.
    std::fs::write(
        dir.join("cluster.yaml"),
        "name: ledger\nclusterType: REPLICASET\n\
         backupEnabled: false # atlasgov-lint: allow ORG002 -- backups are taken by the agency's own tooling\n\
         replicationSpecs:\n  - regionConfigs:\n      - providerName: AWS\n        regionName: US_GOV_WEST_1\n        priority: 7\n        electableSpecs: {instanceSize: M30, nodeCount: 3}\n",
    )
    .unwrap();
    // The config names the policies and raises ORG004 (a warning) to an error.
    std::fs::write(
        dir.join(".atlasgov-lint.yaml"),
        "policies: [policies]\nrules:\n  ORG004: error\n",
    )
    .unwrap();
    let o = run_in(
        dir,
        &["check", ".", "--format", "json", "--show-suppressed"],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v:#}");
    assert_eq!(findings[0]["code"], "ORG004");
    assert_eq!(findings[0]["severity"], "error");
    assert!(v.to_string().contains("agency's own tooling"), "{v:#}");

    // --ignore and --select know the codes; SARIF lists the rule.
    let o = run_in(dir, &["check", ".", "--ignore", "ORG004"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = run_in(dir, &["check", ".", "--format", "sarif"]);
    assert!(stdout(&o).contains("\"ORG004\""), "{}", stdout(&o));

    // A baseline takes it like any finding.
    let o = run_in(dir, &["check", ".", "--write-baseline", "base.json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = run_in(dir, &["check", ".", "--baseline", "base.json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // `rules` and `explain` list the policies the config names.
    let o = run_in(dir, &["rules"]);
    assert!(stdout(&o).contains("ORG002   backups-on"), "{}", stdout(&o));
    let o = run_in(dir, &["explain", "ORG004"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("owner"), "{}", stdout(&o));
}

fn write_policy(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const META: &str = "metadata := {\"code\": \"ORG900\", \"name\": \"hostile\", \"severity\": \"error\", \"summary\": \"A test policy\"}\n";

#[test]
fn a_policy_that_does_not_compile_names_its_place_and_the_built_in_rules_still_run() {
    let tmp = tempfile::tempdir().unwrap();
    write_policy(
        tmp.path(),
        "broken.rego",
        "package org.broken\n\nmetadata := {\"code\": \"ORG901\"\n\ndeny contains x if {\n",
    );
    let policy = tmp.path().join("broken.rego");
    let o = run(&[
        "check",
        "fixtures/GOV001/fail_region_config.json",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    // The built-in rules' findings are reported.
    assert!(stdout(&o).contains("GOV001"), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("broken.rego:"), "{err}");
    let place = err
        .lines()
        .find(|l| l.contains("broken.rego:"))
        .unwrap()
        .split("broken.rego:")
        .nth(1)
        .unwrap()
        .to_string();
    let mut nums = place.split(':');
    let line: u32 = nums.next().unwrap().parse().unwrap();
    let col: u32 = nums.next().unwrap().parse().unwrap();
    assert!(line >= 3 && col >= 1, "{err}");
}

/// An error found when the modules are compiled together (here an unsafe variable in one
/// file) is reported once, at its own file, not once per package under each package's file;
/// a policy it stops from loading is named as not loaded.
#[test]
fn an_error_in_one_policy_file_is_reported_at_that_file_once() {
    let tmp = tempfile::tempdir().unwrap();
    write_policy(
        tmp.path(),
        "a_good.rego",
        "package org.good\n\nmetadata := {\"code\": \"ORG911\", \"name\": \"good\", \"summary\": \"s\"}\n\ndeny contains \"x\" if input.kind == \"cluster\"\n",
    );
    write_policy(
        tmp.path(),
        "b_unsafe.rego",
        "package org.unsafe\n\nmetadata := {\"code\": \"ORG912\", \"name\": \"unsafe\", \"summary\": \"s\"}\n\nbad[p] := v if {\n\tv := [q | some q in input.x; q == p]\n\tp := 1\n}\n\ndeny contains \"y\" if bad\n",
    );
    let o = run(&[
        "check",
        "fixtures/policies/api/cluster.json",
        "--policy",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    let at_fault = err
        .lines()
        .filter(|l| l.contains("b_unsafe.rego:6:39: use of") && !l.contains("not loaded"))
        .count();
    assert_eq!(at_fault, 1, "{err}");
    // The good policy it stops is named, at its own metadata, not blamed for the error.
    assert!(
        err.contains(
            "a_good.rego:3:1: policy not loaded: the policy files do not compile together"
        ),
        "{err}"
    );
    assert!(!err.contains("a_good.rego:6"), "{err}");
}

#[test]
fn wrong_metadata_is_an_error_at_the_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, meta, expected) in [
        (
            "gov.rego",
            "metadata := {\"code\": \"GOV999\", \"name\": \"x\", \"summary\": \"s\"}",
            "built-in namespace",
        ),
        (
            "sev.rego",
            "metadata := {\"code\": \"ORG902\", \"name\": \"x\", \"summary\": \"s\", \"severity\": \"fatal\"}",
            "must be `error` or `warning`",
        ),
        (
            "nocode.rego",
            "metadata := {\"name\": \"x\", \"summary\": \"s\"}",
            "no `code`",
        ),
    ] {
        let pkg = name.trim_end_matches(".rego");
        write_policy(tmp.path(), name, &format!("package org.{pkg}\n\n{meta}\n"));
        let policy = tmp.path().join(name);
        let o = run(&[
            "check",
            "fixtures/GOV001/pass_aws_and_gcp.json",
            "--policy",
            policy.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("{name}:3:1: ")), "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
    }
}

#[test]
fn a_policy_that_runs_away_is_stopped_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    // Quadratic over a large generated range: far beyond the time budget.
    write_policy(
        tmp.path(),
        "spin.rego",
        &format!(
            "package org.spin\n\n{META}\nn := 20000\n\ndeny contains \"slow\" if {{\n\tinput.kind == \"cluster\"\n\tcount([1 | some i in numbers.range(1, n); some j in numbers.range(1, n); i == j]) > 1000000000\n}}\n"
        ),
    );
    // A well-behaved policy beside it still reports.
    std::fs::copy(
        Path::new(EXAMPLES).join("owner_tag.rego"),
        tmp.path().join("owner_tag.rego"),
    )
    .unwrap();
    let o = run(&[
        "check",
        "fixtures/policies/api",
        "--policy",
        tmp.path().to_str().unwrap(),
        "--format",
        "concise",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("ORG004"), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("spin.rego"), "{err}");
    assert!(err.contains("ORG900 stopped on the cluster at"), "{err}");
    assert!(err.contains("spin.rego:7:1: "), "{err}");
    assert!(err.contains("cluster.json:2:3"), "{err}");
}

#[test]
fn a_result_that_points_nowhere_is_reported_at_the_resource() {
    let tmp = tempfile::tempdir().unwrap();
    write_policy(
        tmp.path(),
        "fake.rego",
        &format!(
            "package org.fake\n\n{META}\ndeny contains {{\"msg\": \"forged\", \"at\": {{\"loc\": {{\"ref\": 999999999, \"file\": \"/etc/passwd\"}}}}}} if input.kind == \"cluster\"\n"
        ),
    );
    let o = run(&[
        "check",
        "fixtures/policies/api/cluster.json",
        "--policy",
        tmp.path().to_str().unwrap(),
        "--format",
        "concise",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("fixtures/policies/api/cluster.json:2:3: ORG900"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("passwd"), "{}", stdout(&o));
}

#[test]
fn policy_tests_run_through_the_test_command() {
    let o = run(&["test", EXAMPLES]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("PASS org.production_tier_test.test_m30_in_production_is_denied"),
        "{out}"
    );
    assert!(out.ends_with("13 tests, 13 passed, 0 failed\n"), "{out}");

    let tmp = tempfile::tempdir().unwrap();
    write_policy(
        tmp.path(),
        "p_test.rego",
        "package org.p_test\n\ntest_fails if {\n\t1 == 2\n}\n\ntest_passes if {\n\t1 == 1\n}\n",
    );
    let o = run(&["test", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("FAIL org.p_test.test_fails"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("2 tests, 1 passed, 1 failed"),
        "{}",
        stdout(&o)
    );

    write_policy(
        tmp.path(),
        "bad_test.rego",
        "package org.bad_test\n\ntest_x if {\n",
    );
    let o = run(&["test", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("bad_test.rego:"), "{}", stderr(&o));
}

#[test]
fn shipping_policies_in_examples_leaves_check_examples_unchanged() {
    // .rego files are not specs: the README's command reads the same files with or without
    // them, and reports no policy rule.
    let o = run(&["check", "examples/", "--format", "concise"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stdout(&o).contains("ORG0"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("policies/"), "{}", stdout(&o));
}

#[test]
fn many_resources_are_judged_in_parallel_and_the_same_way_every_time() {
    let args = [
        "check",
        "fixtures/GOV002",
        "--policy",
        "examples/policies/owner_tag.rego",
        "--select",
        "ORG004",
        "--format",
        "concise",
    ];
    let doc = model("fixtures/GOV002");
    assert!(
        doc["clusters"].as_array().unwrap().len() > 64,
        "too few to split"
    );
    let first = run(&args);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let found = policy_findings(&first);
    assert!(found.len() > 64, "{}", stdout(&first));
    for _ in 0..3 {
        assert_eq!(stdout(&run(&args)), stdout(&first));
    }
}

/// Policies are evaluated directly where they can be (`src/policy/direct.rs`) and by regorus's
/// interpreter otherwise: the two give the same findings, the same errors (a builtin's, a rule
/// or function with two values, `some` over a scalar, a range past its bound) and the same exit
/// code, on policies that use what the direct evaluator compiles and what it leaves to
/// regorus, in every format.
#[test]
fn direct_evaluation_gives_the_interpreters_answers() {
    for policies in [
        "tests/data/policies-direct",
        "tests/data/policies-direct-collision",
        // Alone: no other policy numbers the resources' locations first.
        "tests/data/policies-direct-refs",
        EXAMPLES,
    ] {
        let args = [
            "check",
            "fixtures/policies",
            "examples",
            "tests/data/policies-direct-specs",
            "--policy",
            policies,
            "--format",
            "json",
            "--no-cache",
        ];
        let direct = run(&args);
        let interpreted = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
            .args(args)
            .env("ATLASGOV_LINT_POLICY_INTERPRETER", "1")
            .output()
            .expect("run atlasgov-lint");
        assert_eq!(stdout(&direct), stdout(&interpreted), "{policies}");
        assert_eq!(stderr(&direct), stderr(&interpreted), "{policies}");
        assert_eq!(direct.status.code(), interpreted.status.code());
        // Not vacuous: the policies found something, and the broken ones were named.
        let found = stdout(&direct).matches("\"code\": \"DIR0").count()
            + stdout(&direct).matches("\"code\": \"ORG0").count();
        assert!(found >= 10, "{policies}: {found} findings");
        if policies == "tests/data/policies-direct" {
            for code in [
                "DIR005", "DIR006", "DIR012", "DIR014", "DIR015", "DIR017", "DIR027", "DIR028",
                "DIR029", "DIR030", "DIR038",
            ] {
                assert!(
                    stderr(&direct).contains(code),
                    "{code}: {}",
                    stderr(&direct)
                );
            }
        }
    }
}

/// `model`'s output is pinned, `ref`s and all: a `ref` numbers the locations in the order the
/// builder records them, which policies' results, the direct evaluation's numbering of a
/// cluster read in parts, and users' tools reading the output all rely on.
#[test]
fn the_model_output_is_pinned() {
    let o = run(&[
        "model",
        "fixtures/policies/api",
        "fixtures/policies/terraform",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

/// What `model` leaves out (a file that does not parse, one that is not read) is named on
/// standard error, apart from the JSON.
#[test]
fn model_names_what_it_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.json"),
        r#"{"name": "c", "replicationSpecs": [{"regionConfigs": [{"providerName": "AZURE""#,
    )
    .unwrap();
    std::fs::write(dir.path().join("blob.yaml"), b"regionName: \0\x01\x02").unwrap();
    let o = run(&["model", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _: Value = serde_json::from_slice(&o.stdout).expect("model is JSON");
    let err = stderr(&o);
    assert!(
        err.contains("not in the model: ") && err.contains("broken.json:1:"),
        "{err}"
    );
    assert!(err.contains("blob.yaml: binary file"), "{err}");
}
