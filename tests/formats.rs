//! The report formats, each pinned on one input (`tests/data/ci/repo`, which has a config,
//! suppressions and an exception) and each checked the way its consumer reads it: SARIF
//! against the SARIF 2.1.0 schema, GitHub workflow commands parsed as the runner parses them,
//! GitLab Code Quality against GitLab's required fields, JUnit XML with an XML parser.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const REPO: &str = "tests/data/ci/repo";

/// `from` copied into a git work tree of its own: its paths are then the repository's (the
/// CI formats name files from the work tree's root).
fn work_tree(from: &Path) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).expect("copy");
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    copy(from, dir.path());
    std::fs::create_dir(dir.path().join(".git")).expect("git");
    dir
}

/// `REPO` as a work tree of its own (made once for every test of this file).
fn repo() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| work_tree(Path::new(REPO))).path()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run atlasgov-lint")
}

/// The SARIF 2.1.0 schema, compiled, formats asserted.
///
/// The file is the official schema byte for byte. One of its patterns,
/// `/definitions/run/properties/language/pattern` = `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`,
/// has a stray `]` that ECMAScript regular expressions (what JSON Schema specifies) read as a
/// literal `]`, but that the validator's `format: regex` check of the schema rejects. The
/// schema is loaded with that one pattern written the equivalent escaped way (`\]`), in memory.
fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").expect("schema"),
    )
    .expect("schema json");
    fn fix(v: &mut Value, fixed: &mut usize) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k == "pattern"
                        && child.as_str() == Some("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$")
                    {
                        *child = Value::from("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                        *fixed += 1;
                    } else {
                        fix(child, fixed);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| fix(i, fixed)),
            _ => {}
        }
    }
    let mut fixed = 0;
    fix(&mut schema, &mut fixed);
    assert!(
        fixed > 0,
        "the schema's language pattern changed; review this work-around"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("valid schema")
}

fn report(format: &str) -> String {
    let o = run_in(repo(), &["check", "--format", format]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8")
}

/// The text at a 1-based line and character column of a file.
fn text_at(file: &Path, line: u64, column: u64) -> String {
    let text = std::fs::read_to_string(file).expect("read");
    let l = text.lines().nth(line as usize - 1).expect("line");
    l.chars().skip(column as usize - 1).collect()
}

#[test]
fn sarif_is_pinned_and_valid_against_the_sarif_2_1_0_schema() {
    let out = report("sarif");
    let log: Value = serde_json::from_str(&out).expect("json");
    let validator = sarif_validator();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject what SARIF forbids.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator.is_valid(&broken));

    let run = &log["runs"][0];
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for r in rules {
        assert!(
            r["help"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with('#'))
        );
        let uri = r["helpUri"].as_str().expect("helpUri");
        let id = r["id"].as_str().expect("id");
        assert!(uri.contains(&format!("/rules/{id}-")), "{uri}");
        // The help URI names a doc file that exists in this repository.
        let file = uri.rsplit_once("/blob/main/").expect("blob").1;
        assert!(Path::new(file).is_file(), "{file}");
    }
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let loc = &result["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        let region = &loc["region"];
        let at = text_at(
            &repo().join(uri),
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
        );
        assert!(!at.is_empty());
        assert!(result["partialFingerprints"]["atlasgovLint/v1"].is_string());
    }

    // Pin the results. The rule list (checked above) and the rule indexes into it change with
    // every new rule, so they are left out of the snapshot.
    let mut pinned = log.clone();
    pinned["runs"][0]["tool"]["driver"]["rules"] = Value::from("[every rule, checked above]");
    for r in pinned["runs"][0]["results"].as_array_mut().unwrap() {
        r["ruleIndex"] = Value::from("[index]");
    }
    pinned["runs"][0]["tool"]["driver"]["version"] = Value::from("[version]");
    pinned["runs"][0]["tool"]["driver"]["semanticVersion"] = Value::from("[version]");
    insta::assert_snapshot!("sarif", serde_json::to_string_pretty(&pinned).unwrap());
}

#[test]
fn sarif_with_suppressed_findings_is_valid_and_says_why() {
    let o = run_in(repo(), &["check", "--format", "sarif", "--show-suppressed"]);
    let log: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(sarif_validator().is_valid(&log));
    let suppressed: Vec<&Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2, "{suppressed:#?}");
    let kinds: Vec<&str> = suppressed
        .iter()
        .map(|r| r["suppressions"][0]["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"inSource") && kinds.contains(&"external"));
    assert!(suppressed.iter().all(|r| {
        r["suppressions"][0]["justification"]
            .as_str()
            .is_some_and(|j| !j.is_empty())
    }));
}

/// Fingerprints survive unrelated edits (lines inserted above, re-indentation of other
/// lines) and change when the offending value changes.
#[test]
fn sarif_fingerprints_survive_line_moves() {
    let fingerprints = |dir: &Path| -> Vec<(String, String)> {
        let o = run_in(dir, &["check", "--format", "sarif"]);
        let log: Value = serde_json::from_slice(&o.stdout).expect("json");
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["atlasgovLint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git");
    let spec = "name: x\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AZURE\n        regionName: US_EAST_1\n      - providerName: AWS\n        regionName: EU_WEST_1\n";
    std::fs::write(dir.path().join("c.yaml"), spec).expect("write");
    let before = fingerprints(dir.path());
    assert_eq!(before.len(), 2, "{before:?}");
    let moved = format!(
        "# a comment\n\n{}",
        spec.replace("name: x", "name: x\nclusterType: REPLICASET")
    );
    std::fs::write(dir.path().join("c.yaml"), moved).expect("write");
    assert_eq!(fingerprints(dir.path()), before);
    std::fs::write(
        dir.path().join("c.yaml"),
        spec.replace("EU_WEST_1", "EU_WEST_2"),
    )
    .expect("write");
    let after = fingerprints(dir.path());
    assert_eq!(after[0], before[0]);
    assert_ne!(after[1], before[1]);
}

/// Parse a workflow command line the way the Actions runner does
/// (`ActionCommand.TryParseV2`): `::name k=v,k=v::data`, then unescape.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").expect("starts with ::");
    let end = rest.find("::").expect("second ::");
    let (head, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let unescape_prop = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("k=v");
            (k.to_string(), unescape_prop(v))
        })
        .collect();
    let data = data
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%");
    (name.to_string(), props, data)
}

#[test]
fn github_commands_are_pinned_and_parse_as_the_runner_parses_them() {
    let out = report("github");
    insta::assert_snapshot!("github", out);
    let json: Value =
        serde_json::from_slice(&run_in(repo(), &["check", "--format", "json"]).stdout)
            .expect("json");
    let findings = json["findings"].as_array().unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), findings.len());
    let shape = |l: &str| l.starts_with("::error file=") || l.starts_with("::warning file=");
    for (line, f) in lines.iter().zip(findings) {
        assert!(shape(line), "{line}");
        let (name, props, data) = parse_command(line);
        assert_eq!(name, f["severity"].as_str().unwrap());
        let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["file", "line", "col", "endLine", "endColumn", "title"]
        );
        let get = |k: &str| props.iter().find(|(key, _)| key == k).unwrap().1.clone();
        assert_eq!(get("file"), f["file"].as_str().unwrap());
        assert_eq!(get("line"), f["line"].to_string());
        assert_eq!(get("col"), f["column"].to_string());
        assert_eq!(get("endLine"), f["end_line"].to_string());
        assert_eq!(get("endColumn"), f["end_column"].to_string());
        assert_eq!(
            get("title"),
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["name"].as_str().unwrap()
            )
        );
        assert_eq!(
            data,
            format!(
                "{}\nhelp: {}",
                f["message"].as_str().unwrap(),
                f["help"].as_str().unwrap()
            )
        );
    }
}

#[test]
fn github_escapes_what_the_toolkit_escapes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("git");
    // A file name with `,` and `:` and a value with `%`: all must survive the round trip.
    let name = "a,b:c.yaml";
    std::fs::write(
        dir.path().join(name),
        "name: x\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AWS\n        regionName: EU_WEST_1\n        electableSpecs: { instanceSize: \"M10%\" }\n      - providerName: AZURE\n",
    )
    .expect("write");
    let o = run_in(dir.path(), &["check", "--format", "github"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("file=a%2Cb%3Ac.yaml,"), "{out}");
    for line in out.lines() {
        let (_, props, data) = parse_command(line);
        assert_eq!(props[0].1, name);
        assert!(!data.is_empty());
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
    // A newline in a name is the runner's `%0A`; a backslash is part of a POSIX name.
    #[cfg(unix)]
    {
        let body = "name: c\nproviderSettings:\n  providerName: AZURE\n  regionName: US_GOV_WEST_1\n  instanceSizeName: M30\n";
        for name in ["new\nline.yaml", "back\\x.yaml"] {
            let d = tempfile::tempdir().expect("tempdir");
            std::fs::create_dir(d.path().join(".git")).expect("git");
            std::fs::write(d.path().join(name), body).expect("write");
            let o = run_in(d.path(), &["check", "--format", "github"]);
            let out = String::from_utf8(o.stdout).unwrap();
            let (_, props, _) = parse_command(out.lines().next().unwrap_or(""));
            assert_eq!(props[0].1, name, "{out}");
        }
    }
}

#[test]
fn gitlab_code_quality_is_pinned_and_has_what_gitlab_requires() {
    let out = report("gitlab");
    insta::assert_snapshot!("gitlab", out);
    let issues: Value = serde_json::from_str(&out).expect("json");
    let issues = issues.as_array().expect("array");
    assert!(!issues.is_empty());
    let mut fingerprints = std::collections::HashSet::new();
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {i}");
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        assert!(
            fingerprints.insert(i["fingerprint"].as_str().unwrap().to_string()),
            "duplicate fingerprint"
        );
        let path = i["location"]["path"].as_str().unwrap();
        assert!(!path.starts_with('/') && !path.starts_with("./"));
        assert!(repo().join(path).is_file(), "{path}");
        assert!(
            i["location"]["lines"]["begin"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
    }
}

#[test]
fn junit_is_pinned_and_parses_as_junit() {
    let out = report("junit");
    insta::assert_snapshot!("junit", out);
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suite = root
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("testsuite");
    let cases: Vec<roxmltree::Node<'_, '_>> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    // One test case per checked file: vendor/ is excluded, the config has no finding.
    let names: Vec<&str> = cases.iter().filter_map(|c| c.attribute("name")).collect();
    assert_eq!(
        names,
        [
            "legacy/old.json",
            "specs/cluster.yaml",
            "specs/project.json"
        ]
    );
    assert_eq!(suite.attribute("tests"), Some("3"));
    let failing = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(
        suite.attribute("failures"),
        Some(failing.to_string().as_str())
    );
    for c in &cases {
        let failures = c.children().filter(|n| n.has_tag_name("failure")).count();
        assert!(
            failures <= 1,
            "JUnit consumers read one failure per test case"
        );
    }
    // Every error-level finding is in a failure's text.
    let json: Value =
        serde_json::from_slice(&run_in(repo(), &["check", "--format", "json"]).stdout)
            .expect("json");
    for f in json["findings"].as_array().unwrap() {
        let needle = format!(
            "{}:{}:{}: ",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"]
        );
        assert!(out.contains(&needle), "{needle}");
    }
}

#[test]
fn json_with_suppressions_is_pinned() {
    let o = run_in(repo(), &["check", "--format", "json", "--show-suppressed"]);
    let out = String::from_utf8(o.stdout).unwrap();
    insta::assert_snapshot!("json_show_suppressed", out);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("schema/report-v1.schema.json").expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let v: Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn human_with_suppressions_is_pinned() {
    let o = run_in(repo(), &["check", "--color", "never", "--show-suppressed"]);
    insta::assert_snapshot!(
        "human_show_suppressed",
        String::from_utf8(o.stdout).unwrap()
    );
}

/// A repository where values are written in one file and used in another: a staging
/// `terraform.tfvars` feeding a shared module (an M10 and a standard region in a gov project),
/// a dev module call's literal argument (an M10), a compliant prod, a compose file beside.
const WRITTEN: &str = "fixtures/GOV002/fail_tf_live_envs_and_module";

/// `WRITTEN` copied into a git work tree of its own (so a file given alone has a project root).
fn written_repo() -> tempfile::TempDir {
    work_tree(Path::new(WRITTEN))
}

/// The runs compared: the whole repository (CI), and each file that writes a value given
/// alone (a pre-commit hook passes only the staged files).
const WRITTEN_RUNS: &[&[&str]] = &[
    &["."],
    &["live/staging/terraform.tfvars"],
    &["live/dev/main.tf"],
];

/// Checked whole, a finding is at the use with the written place related; given only the file
/// that wrote the value, it is reported there, with the use related. Every format carries both
/// places (GitHub and GitLab annotate the written line in both runs), and both placements have
/// the same fingerprint. Each format's three runs are pinned.
#[test]
fn a_value_written_in_one_file_and_used_in_another_is_reported_in_every_format() {
    let dir = written_repo();
    let run = |format: &str, paths: &[&str]| -> String {
        let mut args = vec!["check", "--format", format, "--color", "never"];
        args.extend(paths);
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{format} {paths:?}");
        String::from_utf8(o.stdout).expect("utf-8")
    };
    let validator = sarif_validator();
    for format in ["human", "json", "sarif", "github", "gitlab", "junit"] {
        let mut pinned = String::new();
        for paths in WRITTEN_RUNS {
            let mut out = run(format, paths);
            if format == "sarif" {
                let log: Value = serde_json::from_str(&out).expect("sarif");
                let errors: Vec<String> =
                    validator.iter_errors(&log).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "{errors:#?}");
                out = serde_json::to_string_pretty(&log["runs"][0]["results"]).unwrap();
            }
            pinned.push_str(&format!("===== check {} =====\n{out}\n", paths.join(" ")));
        }
        insta::assert_snapshot!(format!("written_place_{format}"), pinned);
    }

    let json = |paths: &[&str]| -> Value { serde_json::from_str(&run("json", paths)).unwrap() };
    let placed = |v: &Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let r = &f["related"][0];
                format!(
                    "{} {}:{} | {}: {}:{}",
                    f["code"].as_str().unwrap(),
                    f["file"].as_str().unwrap(),
                    f["line"],
                    r["message"].as_str().unwrap(),
                    r["file"].as_str().unwrap(),
                    r["line"]
                )
            })
            .collect()
    };
    // Whole: at the module's attributes, one finding per place a value was written.
    assert_eq!(
        placed(&json(&["."])),
        [
            "GOV004 modules/cluster/main.tf:8 | value set here: live/staging/terraform.tfvars:2",
            "GOV002 modules/cluster/main.tf:11 | value set here: live/dev/main.tf:15",
            "GOV002 modules/cluster/main.tf:11 | value set here: live/staging/terraform.tfvars:3",
        ]
    );
    // Alone: where the values are written, the module read as context.
    assert_eq!(
        placed(&json(&["live/staging/terraform.tfvars"])),
        [
            "GOV004 live/staging/terraform.tfvars:2 | value used here: modules/cluster/main.tf:8",
            "GOV002 live/staging/terraform.tfvars:3 | value used here: modules/cluster/main.tf:11",
        ]
    );
    assert_eq!(
        placed(&json(&["live/dev/main.tf"])),
        ["GOV002 live/dev/main.tf:15 | value used here: modules/cluster/main.tf:11"]
    );
    let alone = json(&["live/staging/terraform.tfvars"]);
    assert_eq!(alone["summary"]["files_checked"], 1);
    // The project that decides the partition is still named.
    assert_eq!(
        alone["findings"][0]["related"][1]["file"],
        "live/staging/main.tf"
    );

    // One finding, one fingerprint, in either placement.
    let fingerprints = |paths: &[&str]| -> Vec<(String, String)> {
        let log: Value = serde_json::from_str(&run("sarif", paths)).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"]["atlasgovLint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let whole = fingerprints(&["."]);
    for paths in &WRITTEN_RUNS[1..] {
        for fp in fingerprints(paths) {
            assert!(whole.contains(&fp), "{paths:?}: {fp:?} not in {whole:?}");
        }
    }
    assert_eq!(
        fingerprints(&["live/staging/terraform.tfvars"])[0],
        whole[0],
        "GOV004"
    );

    // The audit report (not pinned here: tests/html_report.rs) shows both places too.
    let html = run("html", &["live/staging/terraform.tfvars"]);
    assert!(
        html.contains("live/staging/terraform.tfvars:3:16"),
        "{html}"
    );
    assert!(
        html.contains("value used here: <code>modules/cluster/main.tf:11:25"),
        "{html}"
    );

    // GitHub annotates the written line in both runs, and names the use.
    for paths in &WRITTEN_RUNS[..2] {
        let out = run("github", paths);
        let staging: Vec<(String, String, String)> = out
            .lines()
            .map(parse_command)
            .map(|(_, props, data)| (props[0].1.clone(), props[1].1.clone(), data))
            .filter(|(file, _, _)| file == "live/staging/terraform.tfvars")
            .collect();
        let lines: Vec<&str> = staging.iter().map(|(_, l, _)| l.as_str()).collect();
        assert_eq!(lines, ["2", "3"], "{paths:?}\n{out}");
        assert!(
            staging[1]
                .2
                .ends_with("\nused at modules/cluster/main.tf:11:25"),
            "{}",
            staging[1].2
        );
    }
}

/// No silent pass: the stack of a Pulumi program in a language atlasgov-lint does not read is
/// listed as skipped when it configures the Atlas provider, and not counted as checked.
#[test]
fn a_stack_of_a_program_in_another_language_is_skipped_not_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).expect("git");
    std::fs::write(root.join("Pulumi.yaml"), "name: claims\nruntime: go\n").expect("write");
    std::fs::write(
        root.join("Pulumi.prod.yaml"),
        "config:\n  mongodbatlas:publicKey: abc\n  claims:tier: M10\n",
    )
    .expect("write");
    std::fs::write(
        root.join("Pulumi.dev.yaml"),
        "config:\n  aws:region: us-gov-west-1\n",
    )
    .expect("write");
    for args in [&["."][..], &["Pulumi.prod.yaml"][..]] {
        let o = run_in(root, &[&["check", "--format", "json"][..], args].concat());
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        let skipped: Vec<&str> = v["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .map(|s| s["file"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(skipped, ["Pulumi.prod.yaml"], "{v}");
        let reason = v["skipped"][0]["reason"].as_str().unwrap_or("");
        assert!(reason.contains("Pulumi program in go"), "{reason}");
        let checked = if args == ["."] { 2 } else { 0 };
        assert_eq!(v["summary"]["files_checked"], checked, "{args:?}: {v}");
    }
}

/// A stream one of whose documents names Atlas in a shape no adapter reads, beside documents
/// that are read: the file is listed as skipped (naming the document's line) and not counted
/// as checked; the findings of the documents that were read stand.
#[test]
fn a_stream_with_an_unread_atlas_document_is_not_counted_as_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("stack.yaml"),
        "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: orders}\nspec:\n  name: orders\n---\n# an in-house descriptor\nprovisioner: bootstrap\nresource: mongodbatlas_advanced_cluster\nsettings: {provider: AZURE, tier: M10}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata: {hint: mongodbatlas_project is created by Terraform}\n",
    )
    .expect("write");
    let o = run_in(root, &["check", "--format", "json", "."]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let reason = v["skipped"][0]["reason"].as_str().unwrap_or("");
    assert!(
        reason.starts_with("its document at line 8 names Atlas (`mongodbatlas_`)"),
        "{v}"
    );
    assert_eq!(v["skipped"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["summary"]["files_checked"], 0, "{v}");
    // The AtlasProject that was read is still judged (GOV005: no region usage).
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["GOV005"], "{v}");
}

/// A UTF-16 file is read decoded: its findings' SARIF regions give lines and columns only,
/// since byte offsets of the decoded text are not the file's (SARIF wants both to agree).
#[test]
fn sarif_regions_of_a_utf16_file_have_no_byte_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let text = "name: c\nproviderSettings:\n  providerName: AZURE\n  regionName: US_GOV_WEST_1\n  instanceSizeName: M30\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(dir.path().join("u16.yaml"), bytes).unwrap();
    std::fs::write(dir.path().join("u8.yaml"), text).unwrap();
    let o = run_in(
        dir.path(),
        &["check", "--format", "sarif", "u16.yaml", "u8.yaml"],
    );
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{log:#}");
    for r in results {
        let location = &r["locations"][0]["physicalLocation"];
        let region = &location["region"];
        let utf16 = location["artifactLocation"]["uri"] == "u16.yaml";
        assert_eq!(region["byteOffset"].is_null(), utf16, "{region:#}");
        assert_eq!(region["startLine"], 3, "{region:#}");
    }
}
