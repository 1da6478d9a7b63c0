//! The command line as users meet it: the real binary, its output and its exit codes.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"));
    cmd.env_remove("NO_COLOR");
    cmd
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run atlasgov-lint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn exit_0_when_clean_1_on_errors_2_on_missing_path() {
    let clean = run(&["check", "fixtures/GOV001/pass_aws_and_gcp.json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    assert!(stdout(&clean).contains("No problems found; 1 file checked"));

    let bad = run(&["check", "fixtures/GOV001/fail_region_config.json"]);
    assert_eq!(bad.status.code(), Some(1));

    let missing = run(&["check", "fixtures/does-not-exist"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does-not-exist"));

    let usage = run(&["check", "--format", "xml"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn warnings_alone_exit_0() {
    let o = run(&["check", "fixtures/GOV005/fail_project_without_usage.json"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("0 errors, 1 warning in 1 file; 1 file checked"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn unrelated_yaml_and_json_stay_silent() {
    let o = run(&["check", "fixtures/unrelated", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["skipped"], serde_json::json!([]));
    assert!(
        v["summary"]["files_checked"].as_u64().unwrap_or(0) >= 6,
        "{v}"
    );
    let human = run(&["check", "fixtures/unrelated"]);
    assert_eq!(stdout(&human).lines().count(), 1, "{}", stdout(&human));
    assert!(human.stderr.is_empty());
}

/// `check --format json --no-cache PATH`'s report.
fn check_json(path: &std::path::Path) -> serde_json::Value {
    let o = run(&[
        "check",
        "--format",
        "json",
        "--no-cache",
        path.to_str().unwrap(),
    ]);
    serde_json::from_slice(&o.stdout).expect("json")
}

/// A PowerShell script is read by no adapter: one that runs the Atlas CLI is listed as
/// skipped (never counted as checked), another is silent, and neither is read as YAML.
#[test]
fn powershell_scripts_that_run_the_atlas_cli_are_listed_as_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("provision.ps1"),
        "$env:MONGODB_ATLAS_SERVICE = \"cloudgov\"\natlas clusters create c --provider AZURE --tier M10\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("other.psm1"),
        "Write-Host \"regionConfigs: {\"\n",
    )
    .unwrap();
    let v = check_json(dir.path());
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v}");
    assert!(
        skipped[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("provision.ps1")
    );
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("PowerShell is not read")
    );
}

/// A Pulumi program in a language no adapter reads (Go, .NET, Java) is listed as skipped by its
/// manifest when it uses the mongodbatlas provider; a program that does not stays silent.
#[test]
fn pulumi_programs_in_unread_languages_are_listed_as_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "records/go.mod",
        "module example.com/records\n\nrequire github.com/pulumi/pulumi-mongodbatlas/sdk/v3 v3.20.0\n",
    );
    write(
        "ledger/Ledger.csproj",
        "<Project><ItemGroup><PackageReference Include=\"Pulumi.Mongodbatlas\" Version=\"3.20.0\" /></ItemGroup></Project>\n",
    );
    write(
        "web/go.mod",
        "module example.com/web\n\nrequire github.com/pulumi/pulumi-aws/sdk/v6 v6.0.0\n",
    );
    let v = check_json(dir.path());
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
    let mut skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    skipped.sort();
    assert_eq!(skipped.len(), 2, "{v}");
    assert!(skipped[0].ends_with("Ledger.csproj"), "{v}");
    assert!(skipped[1].ends_with("records/go.mod"), "{v}");
    assert!(
        v["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("Pulumi program in Go, .NET or Java")
    );
}

/// A file that does not parse is a broken Atlas spec (GOV000) only when it names Atlas
/// itself; JSON Lines are data; an ERB or Jinja template that names Atlas is skipped with a
/// note, not failed.
#[test]
fn broken_files_fail_the_run_only_when_they_name_atlas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("body.json", "{\"name\": \"c\", \"regionConfigs\": [");
    write(
        "export.json",
        "{\"regionConfigs\": [{\"regionName\": \"US_EAST_1\"}]}\n{\"regionConfigs\": []}\n",
    );
    write(
        "config/mongoid.yml",
        "production:\n  clients:\n    default:\n<% if ENV['X'] %>\n      uri: mongodb+srv://app.ab1cd.mongodb.net/app\n<% end %>\n      options:\n       auth_mech: :scram\n",
    );
    write("notes.yaml", "username: a\n  b: [\n");
    // A project body (an Atlas id) and a workflow running the CLI by an alias: Atlas's.
    write(
        "project.json",
        "{\"name\": \"claims\"\n \"orgId\": \"5f1d2c3b4a5968776a5b4c3d\"}",
    );
    write(
        "ci/db.yml",
        "jobs:\n  db:\n    steps:\n      - run: atlas cluster create c --tier M10\n     - bad\n",
    );
    let v = check_json(dir.path());
    let found: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(found.len(), 3, "{v}");
    assert!(found.iter().all(|f| f.starts_with("GOV000 ")), "{v}");
    for file in ["body.json", "project.json", "db.yml"] {
        assert!(found.iter().any(|f| f.ends_with(file)), "{file}: {v}");
    }
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v}");
    assert!(
        skipped[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("mongoid.yml"),
        "{v}"
    );
    assert!(
        skipped[0]["reason"].as_str().unwrap().contains("ERB"),
        "{v}"
    );
}

#[test]
fn json_output_has_exact_positions_and_pointer() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "fixtures/GOV001/fail_minified.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "GOV001");
    assert_eq!(f["file"], "fixtures/GOV001/fail_minified.json");
    assert_eq!(
        f["pointer"],
        "/replicationSpecs/0/regionConfigs/1/providerName"
    );
    let text = std::fs::read_to_string("fixtures/GOV001/fail_minified.json").expect("read");
    let col = text.find("\"AZURE\"").expect("AZURE") + 1;
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"].as_u64(), Some(col as u64));
    assert_eq!(f["end_column"].as_u64(), Some(col as u64 + 7));
    assert_eq!(v["version"], 1);
}

#[test]
fn multibyte_text_before_a_value_keeps_columns_in_characters() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "fixtures/GOV003/fail_after_multibyte.yaml",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "GOV003");
    let text = std::fs::read_to_string("fixtures/GOV003/fail_after_multibyte.yaml").expect("read");
    let (line_no, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("ap-southeast-2"))
        .expect("line");
    let byte_col = line.find("\"ap-southeast-2\"").expect("col");
    let char_col = line.get(..byte_col).map(|s| s.chars().count()).unwrap_or(0) + 1;
    assert_eq!(f["line"].as_u64(), Some(line_no as u64 + 1));
    assert_eq!(f["column"].as_u64(), Some(char_col as u64));
}

#[test]
fn rules_and_explain() {
    let o = run(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let table = stdout(&o);
    for code in ["GOV000", "GOV005", "GOV010", "GOV020"] {
        assert!(table.contains(code), "{table}");
    }
    let e = run(&["explain", "azure-provider"]);
    assert_eq!(e.status.code(), Some(0));
    assert!(stdout(&e).starts_with("# GOV001 azure-provider"));
    let e = run(&["explain", "gov004"]);
    assert!(stdout(&e).starts_with("# GOV004 partition-mismatch"));
    let unknown = run(&["explain", "GOV999"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn default_path_is_the_current_directory() {
    let dir = Path::new("fixtures/GOV002");
    let o = bin().arg("check").current_dir(dir).output().expect("run");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("fail_m10_electable.yaml"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn secrets_never_reach_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("cluster.yaml");
    std::fs::write(
        &spec,
        "name: db\nadminPassword: hunter2-very-secret\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AZURE\n        apiKey: abcdef0123456789\n        regionName: US_EAST_1\n",
    )
    .expect("write");
    for format in ["human", "json"] {
        let o = run(&["check", "--format", format, spec.to_str().expect("path")]);
        let out = stdout(&o);
        assert!(out.contains("GOV001"), "{out}");
        assert!(
            !out.contains("hunter2") && !out.contains("abcdef0123456789"),
            "{out}"
        );
    }
}

#[test]
fn a_bad_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a-broken.json"), "{\"regionConfigs\": [").expect("write");
    std::fs::write(
        dir.path().join("b-binary.yaml"),
        b"\x00\x01regionConfigs\xff",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("c-latin1.yaml"),
        b"name: caf\xe9\nproviderSettings: {}\n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("d-dir.yaml")).expect("mkdir");
    std::fs::copy(
        "fixtures/GOV001/fail_region_config.json",
        dir.path().join("e-azure.json"),
    )
    .expect("copy");
    let o = run(&[
        "check",
        "--format",
        "json",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"GOV000"), "{v}");
    assert!(codes.contains(&"GOV001"), "{v}");
    let skipped: Vec<String> = v["skipped"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["reason"].to_string())
        .collect();
    assert_eq!(skipped.len(), 2, "{v}");
}

#[test]
fn json_output_matches_its_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("schema/report-v1.schema.json").expect("schema"),
    )
    .expect("parse schema");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    for target in ["fixtures", "examples"] {
        let o = run(&["check", "--format", "json", target]);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{target}: {errors:?}");
    }
}

/// The shipped examples hold exactly the violations examples/README.md lists.
#[test]
fn shipped_examples_report_what_their_readme_says() {
    let o = run(&["check", "--format", "json", "examples"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    got.sort();
    let readme = std::fs::read_to_string("examples/README.md").expect("readme");
    let mut listed: Vec<(String, String)> = Vec::new();
    for line in readme.lines().filter(|l| l.starts_with("- `")) {
        let file = line.split('`').nth(1).unwrap_or("");
        for part in line.split("(GOV").skip(1) {
            let code = format!("GOV{}", part.get(..3).unwrap_or(""));
            listed.push((code, format!("examples/{file}")));
        }
    }
    listed.sort();
    assert_eq!(got, listed);
}

/// Run with `input` on standard input.
fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn atlasgov-lint");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Write from another thread so a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    out
}

/// What `kustomize build` prints: several objects in one stream, Atlas and not.
const KUSTOMIZE_STREAM: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: atlas
---
apiVersion: atlas.mongodb.com/v1
kind: AtlasProject
metadata:
  name: claims
  namespace: atlas
spec:
  name: Claims
  regionUsageRestrictions: GOV_REGIONS_ONLY
---
apiVersion: atlas.mongodb.com/v1
kind: AtlasDeployment
metadata:
  name: claims-db
  namespace: atlas
spec:
  projectRef:
    name: claims
  deploymentSpec:
    name: claims-db
    replicationSpecs:
      - regionConfigs:
          - providerName: AWS
            regionName: US_EAST_1
            electableSpecs: {instanceSize: M30, nodeCount: 3}
";

#[test]
fn dash_reads_standard_input_and_names_it() {
    let o = run_stdin(
        &["check", "-", "--color", "never"],
        KUSTOMIZE_STREAM.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(text.contains("<stdin>:28:25"), "{text}");
    // The snippet is the text that was read.
    assert!(text.contains("regionName: US_EAST_1"), "{text}");
    assert!(
        text.contains("1 error, 0 warnings in 1 file; 1 file checked"),
        "{text}"
    );

    let o = run_stdin(
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "deploy/claims.yaml",
            "-",
        ],
        KUSTOMIZE_STREAM.as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "GOV004");
    assert_eq!(f["file"], "deploy/claims.yaml");
    assert_eq!(f["line"], 28);
    assert_eq!(f["column"], 25);
    assert_eq!(
        f["pointer"],
        "/spec/deploymentSpec/replicationSpecs/0/regionConfigs/0/regionName"
    );
}

#[test]
fn standard_input_links_with_files_on_disk() {
    // The gov project is on disk; the deployment naming it arrives on standard input.
    let deployment = "apiVersion: atlas.mongodb.com/v1
kind: AtlasDeployment
metadata:
  name: claims-db
  namespace: apps
spec:
  projectRef: {name: claims, namespace: atlas}
  deploymentSpec:
    replicationSpecs:
      - regionConfigs:
          - {providerName: AWS, regionName: US_WEST_2, electableSpecs: {instanceSize: M30}}
";
    let o = run_stdin(
        &[
            "check",
            "--format",
            "json",
            // The fixture's own tree (the fixtures beside it hold projects of the same name).
            "--project-root",
            "fixtures/GOV004/pass_k8s_cross_namespace",
            "fixtures/GOV004/pass_k8s_cross_namespace/atlas",
            "-",
        ],
        deployment.as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["GOV004"], "{v}");
    assert_eq!(v["findings"][0]["file"], "<stdin>");
    assert_eq!(v["summary"]["files_checked"], 2);
}

#[test]
fn stdin_filename_picks_the_parser() {
    let o = run_stdin(
        &[
            "check",
            "--stdin-filename",
            "body.json",
            "-",
            "--color",
            "never",
        ],
        b"{\"name\": \"x\" \"regionUsageRestrictions\": \"GOV_REGIONS_ONLY\"}",
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("GOV000"), "{text}");
    assert!(text.contains("fix the JSON syntax"), "{text}");
    assert!(text.contains("body.json:1:"), "{text}");
}

#[test]
fn stdin_misuse_is_a_usage_error() {
    let twice = run_stdin(&["check", "-", "-"], b"");
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("only once"));
    let name_only = run(&["check", "--stdin-filename", "x.yaml", "fixtures/unrelated"]);
    assert_eq!(name_only.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&name_only.stderr).contains("--stdin-filename"));
}

#[test]
fn unreadable_or_oversized_stdin_is_skipped_with_a_note() {
    let big = run_stdin(
        &["check", "-", "--max-file-size", "10", "--color", "never"],
        KUSTOMIZE_STREAM.as_bytes(),
    );
    assert_eq!(big.status.code(), Some(0));
    let text = stdout(&big);
    assert!(
        text.contains("note: skipped <stdin>: standard input is larger than the 10-byte limit"),
        "{text}"
    );
    let binary = run_stdin(&["check", "-", "--format", "json"], b"kind: \0\0\0");
    let v: serde_json::Value = serde_json::from_slice(&binary.stdout).expect("json");
    assert_eq!(v["skipped"][0]["file"], "<stdin>");
    assert_eq!(v["summary"]["files_skipped"], 1);
}

#[test]
fn non_atlas_objects_in_a_stream_stay_silent() {
    // Non-Atlas objects in a stream produce nothing, even a duplicate key in a ConfigMap.
    let stream = "apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  mode: a
  mode: b
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: web, image: 'web:1', env: [{name: REGION, value: EU_WEST_1}]}]
---
apiVersion: atlas.mongodb.com/v1
kind: AtlasProject
metadata: {name: claims}
spec: {name: Claims, regionUsageRestrictions: GOV_REGIONS_ONLY}
";
    let o = run_stdin(&["check", "-", "--format", "json"], stream.as_bytes());
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
}

#[test]
fn secrets_on_standard_input_are_masked() {
    let secret = "apiVersion: v1
kind: Secret
metadata: {name: claims-db}
stringData:
  MONGODB_URI: mongodb+srv://claims:Sup3rS3cretPw@claims.a1b2c.mongodbgov.net/?authMechanism=SCRAM-SHA-1
";
    let o = run_stdin(&["check", "-", "--color", "never"], secret.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("GOV006"), "{text}");
    assert!(!text.contains("Sup3rS3cretPw"), "{text}");
}

#[test]
fn templates_are_checked_for_what_they_hard_code_or_listed_as_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An action where YAML structure must be: unreadable until rendered.
    let unreadable = dir.path().join("unreadable.yaml");
    std::fs::write(
        &unreadable,
        "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n  deploymentSpec:\n    replicationSpecs: {{ toJson .Values.specs }}\n      - regionConfigs:\n          - providerName: AZURE\n",
    )
    .unwrap();
    // A JSON body with a template in a string and its own syntax error elsewhere: GOV000.
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"name\": \"orders\",\n  \"tags\": [{\"key\": \"owner\", \"value\": \"{{team}}\"}],\n  \"replicationSpecs\": [\n    {\"regionConfigs\": [{\"providerName\": \"AWS\" \"regionName\": \"US_GOV_WEST_1\"}]}\n  ]\n}\n",
    )
    .unwrap();
    let o = run(&[
        "check",
        unreadable.to_str().unwrap(),
        broken.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let skipped = v["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{v}");
    assert!(
        skipped[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("unreadable.yaml")
    );
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("helm template")
    );
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{v}");
    assert_eq!(findings[0]["code"], "GOV000");
    assert_eq!(findings[0]["line"], 5);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn terraform_download_cache_is_not_walked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cached = dir.path().join(".terraform/modules/atlas");
    std::fs::create_dir_all(&cached).unwrap();
    std::fs::write(
        cached.join("main.tf"),
        "resource \"mongodbatlas_cluster\" \"c\" {\n  provider_name = \"AZURE\"\n}\n",
    )
    .unwrap();
    let o = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("No problems found; 0 files checked"),
        "{}",
        stdout(&o)
    );
    // Named on the command line, it is checked.
    let o = run(&["check", cached.join("main.tf").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

/// A check of one file keeps the listing of its directory in the cache, and lists it again
/// when the directory or any ignore file that decides what the walk finds there changed: its
/// own, one above it, the repository's `.git/info/exclude`, git's global excludes file.
#[test]
fn a_kept_listing_is_made_again_when_the_directory_or_an_ignore_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let (repo, home, cache) = (root.join("repo"), root.join("home"), root.join("cache"));
    let infra = repo.join("infra");
    std::fs::create_dir_all(repo.join(".git/info")).unwrap();
    std::fs::create_dir_all(&infra).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let global = home.join("global-ignore");
    std::fs::write(&global, "").unwrap();
    let git_config = home.join("gitconfig");
    std::fs::write(
        &git_config,
        format!("[core]\n\texcludesFile = {}\n", global.display()),
    )
    .unwrap();
    std::fs::write(
        infra.join("claims.json"),
        r#"{"name": "c", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_GOV_EAST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}"#,
    )
    .unwrap();
    std::fs::write(infra.join("notes.yaml"), "# notes\n").unwrap();
    // Changed an hour ago: a listing is kept only of what was not changed in the last seconds.
    let age = |paths: &[&Path]| {
        for p in paths {
            std::fs::File::open(p)
                .unwrap()
                .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
                .unwrap();
        }
    };
    let codes_in = |cwd: &Path, file: &str| {
        let o = bin()
            .current_dir(cwd)
            .env("ATLASGOV_LINT_CACHE_DIR", &cache)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("GIT_CONFIG_GLOBAL", &git_config)
            .env("GIT_CONFIG_SYSTEM", home.join("no-system-config"))
            .args(["check", "--format", "json", file])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let codes = || codes_in(&repo, "infra/claims.json");
    let listings = || {
        std::fs::read_dir(&cache)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "lst"))
                    // The directory above is listed too, and kept once it is old enough.
                    .filter(|p| {
                        let text = std::fs::read_to_string(p).unwrap_or_default();
                        text.lines().next().is_some_and(|l| l.ends_with("infra"))
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let none: Vec<String> = Vec::new();
    age(&[&infra, &global, &git_config]);
    assert_eq!(codes(), none);
    let kept = listings();
    assert_eq!(kept.len(), 1, "{kept:?}");

    // A standard project appears beside the cluster: the directory changed.
    let project = infra.join("project.yaml");
    std::fs::write(&project, "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n").unwrap();
    assert_eq!(codes(), ["GOV004"]);
    // Changed a moment ago: not kept (a change in the same tick of a coarse clock would not
    // show in the directory's times).
    let before = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(before.ends_with("claims.json\nnotes.yaml\n"), "{before}");
    age(&[&infra, &project]);
    assert_eq!(codes(), ["GOV004"]);
    // The kept listing is relied on while nothing it depends on changed: with the project's
    // name taken out of it, the project is not seen.
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(
        text.ends_with("claims.json\nnotes.yaml\nproject.yaml\n"),
        "{text}"
    );
    let without = text.replace(" 3\n", " 2\n").replace("project.yaml\n", "");
    std::fs::write(&kept[0], without).unwrap();
    assert_eq!(codes(), none);
    // A damaged listing is not read: listed again.
    std::fs::write(&kept[0], "atlasgov-lint context listing\n").unwrap();
    assert_eq!(codes(), ["GOV004"]);

    // Each ignore file that leaves the project out, written in place (no directory changes
    // with it but the one holding it), is seen; and taking the line out again.
    let ignore_files = [
        repo.join(".gitignore"),
        infra.join(".ignore"),
        repo.join(".git/info/exclude"),
        global.clone(),
    ];
    for file in &ignore_files {
        std::fs::write(file, "").unwrap();
        age(&[file, file.parent().unwrap()]);
        assert_eq!(codes(), ["GOV004"], "{}", file.display());
        std::fs::write(file, "project.yaml\n").unwrap();
        age(&[file]);
        assert_eq!(codes(), none, "{}", file.display());
        std::fs::write(file, "# none\n").unwrap();
        age(&[file]);
        assert_eq!(codes(), ["GOV004"], "{}", file.display());
    }

    // Git's global excludes match paths relative to the working directory:
    // `/infra/project.yaml` leaves the project out when run from the repository's root, not
    // from `infra`.
    std::fs::write(&global, "/infra/project.yaml\n").unwrap();
    age(&[&global]);
    assert_eq!(codes(), none);
    assert_eq!(codes_in(&infra, "claims.json"), ["GOV004"]);
    assert_eq!(codes(), none);
    std::fs::write(&global, "").unwrap();
    age(&[&global]);
    assert_eq!(codes(), ["GOV004"]);

    // Reached through a symbolic link, a directory is listed each time: the link may lead
    // elsewhere by the time the walk lists it (a release switched during the run).
    #[cfg(unix)]
    {
        std::fs::remove_dir_all(&cache).unwrap();
        std::os::unix::fs::symlink(&repo, root.join("current")).unwrap();
        let through = root.join("current/infra/claims.json");
        assert_eq!(codes_in(&root, through.to_str().unwrap()), ["GOV004"]);
        assert_eq!(listings(), Vec::<std::path::PathBuf>::new());
        assert_eq!(codes(), ["GOV004"]);
        assert_eq!(listings().len(), 1);
    }

    // Under a `.git` file (a worktree's), the exclude file is elsewhere: listed each time.
    std::fs::remove_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join(".git"), "gitdir: /elsewhere\n").unwrap();
    std::fs::remove_dir_all(&cache).unwrap();
    assert_eq!(codes(), ["GOV004"]);
    assert_eq!(listings(), Vec::<std::path::PathBuf>::new());
}
