//! What the tool must never do, whatever it reads: print a secret, or write to its inputs.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run atlasgov-lint")
}

/// Every secret planted below: none may appear in any output.
const SECRETS: &[&str] = &[
    "pw-json-7f3a",
    "key-json-91c2",
    "sak-json-wJalrXUtnFEMI",
    "conn-json-p4ss",
    "MIIEvQIBADANBgkqhkiG9w0-json",
    "pw-flow-55e1",
    "key-flow-0b7d",
    "sak-flow-K7MDENG",
    "conn-flow-p4ss",
    "pw-block-a1b2",
    "sak-block-bPxRfiCY",
    "conn-block-p4ss",
    "url-block-p4ss",
    "MIIEvQIBADANBgkqhkiG9w0-block",
    "MIIEogIBAAKCAQEA-rsa-block",
    "key-block-3c4d",
    "token-block-e5f6",
];

/// Admin API JSON: every secret on the same line as a violation.
const JSON_SPEC: &str = r#"{
  "name": "orders",
  "clusterType": "REPLICASET",
  "connectionStrings": { "standardSrv": "mongodb+srv://app:conn-json-p4ss@orders.mongodb.net/?authMechanism=SCRAM-SHA-1" },
  "replicationSpecs": [
    {
      "regionConfigs": [
        { "providerName": "AZURE", "password": "pw-json-7f3a", "apiKey": "key-json-91c2", "secretAccessKey": "sak-json-wJalrXUtnFEMI", "regionName": "EU_WEST_1", "priority": 7 },
        { "providerName": "AWS", "regionName": "EU_WEST_1", "privateKey": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0-json\n-----END PRIVATE KEY-----\n", "priority": 6 }
      ]
    }
  ]
}
"#;

/// YAML, flow style: secrets inside the same flow mappings as violations.
const FLOW_SPEC: &str = "name: orders\nclusterType: REPLICASET\nuri: {host: a.abcde.mongodb.net, standard: 'mongodb://app:conn-flow-p4ss@h1.abcde.mongodb.net:27017/?authMechanism=SCRAM-SHA-1', password: pw-flow-55e1}\nreplicationSpecs:\n  - regionConfigs:\n      - {providerName: AZURE, password: pw-flow-55e1, apiKey: \"key-flow-0b7d\", secretAccessKey: sak-flow-K7MDENG, regionName: US_GOV_WEST_1, priority: 7}\n";

/// YAML, block style: secrets on the violation's line (in the same scalar) and on the lines
/// around it (which a snippet shows as context), and block scalars holding private keys.
const BLOCK_SPEC: &str = "name: orders\nclusterType: REPLICASET\nmongoUri: mongodb+srv://admin:conn-block-p4ss@orders.mongodb.net/db?authMechanism=SCRAM-SHA-1\nbaseUrl: https://svc:url-block-p4ss@cloud.mongodb.com/api/atlas/v2\ndbPassword: pw-block-a1b2\nreplicationSpecs:\n  - regionConfigs:\n      - secretAccessKey: sak-block-bPxRfiCY\n        providerName: AZURE\n        api_key: key-block-3c4d\n        accessToken: token-block-e5f6\n        regionName: US_GOV_WEST_1\n        privateKey: |\n          -----BEGIN PRIVATE KEY-----\n          MIIEvQIBADANBgkqhkiG9w0-block\n          -----END PRIVATE KEY-----\n        electableSpecs: {instanceSize: M10, nodeCount: 3}\n        tls: \"-----BEGIN RSA PRIVATE KEY-----\n          MIIEogIBAAKCAQEA-rsa-block\n          -----END RSA PRIVATE KEY-----\"\n        priority: 7\n";

fn plant(dir: &Path) {
    std::fs::write(dir.join("cluster.json"), JSON_SPEC).expect("write");
    std::fs::write(dir.join("flow.yaml"), FLOW_SPEC).expect("write");
    std::fs::write(dir.join("block.yaml"), BLOCK_SPEC).expect("write");
}

#[test]
fn secrets_never_appear_in_any_output_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    plant(dir.path());
    let path = dir.path().to_str().expect("path");
    for format in [
        "human", "json", "sarif", "github", "gitlab", "junit", "html",
    ] {
        let o = run(&["check", "--format", format, "--color", "always", path]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        let out = String::from_utf8_lossy(&o.stdout);
        let err = String::from_utf8_lossy(&o.stderr);
        for secret in SECRETS {
            assert!(
                !out.contains(secret) && !err.contains(secret),
                "{format} output shows {secret}:\n{out}\n{err}"
            );
        }
        assert!(
            !out.contains("wJalr") && !out.contains("BEGIN PRIVATE KEY-----\n"),
            "{out}"
        );
    }
    // The violations beside the secrets are all reported (so their lines were drawn).
    let o = run(&["check", "--format", "json", path]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        let file = f["file"].as_str().unwrap_or("");
        let name = Path::new(file)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        seen.entry(name)
            .or_default()
            .push(f["code"].as_str().unwrap_or("").to_string());
    }
    for (file, codes) in [
        ("cluster.json", ["GOV001", "GOV003", "GOV006"].as_slice()),
        ("flow.yaml", ["GOV001", "GOV006"].as_slice()),
        (
            "block.yaml",
            ["GOV001", "GOV002", "GOV006", "GOV020"].as_slice(),
        ),
    ] {
        for code in codes {
            assert!(
                seen.get(file).is_some_and(|c| c.iter().any(|x| x == code)),
                "{file}: no {code} in {seen:?}"
            );
        }
    }
    // The human snippets are drawn (masked), not dropped.
    let human = run(&["check", "--color", "never", path]);
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("\"providerName\": \"AZURE\", \"password\": \"***"),
        "{human}"
    );
    assert!(human.contains("mongodb+srv://admin:***"), "{human}");
}

#[test]
fn secrets_read_from_standard_input_stay_masked() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(["check", "--stdin-filename", "block.yaml", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(BLOCK_SPEC.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("GOV001"), "{out}");
    for secret in SECRETS {
        assert!(!out.contains(secret), "shows {secret}:\n{out}");
    }
}

/// Every file and directory under `root` with its contents (or `None` for a directory), its
/// modification time and permissions.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Option<Vec<u8>>, SystemTime, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(p) = todo.pop() {
        let meta = std::fs::symlink_metadata(&p).expect("metadata");
        let contents = if meta.is_dir() {
            for e in std::fs::read_dir(&p).expect("read_dir") {
                todo.push(e.expect("entry").path());
            }
            None
        } else {
            Some(std::fs::read(&p).expect("read"))
        };
        out.insert(
            p,
            (
                contents,
                meta.modified().expect("mtime"),
                meta.permissions().mode(),
            ),
        );
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

#[test]
fn inputs_are_never_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Every fixture and example (specs, broken files, suppressions, a config file), plus the
    // secrets above.
    copy_tree(Path::new("fixtures"), &dir.path().join("fixtures"));
    copy_tree(Path::new("examples"), &dir.path().join("examples"));
    plant(dir.path());
    let before = snapshot(dir.path());
    assert!(before.len() > 100, "{} entries", before.len());
    let path = dir.path().to_str().expect("path");
    for format in [
        "human", "json", "sarif", "github", "gitlab", "junit", "html",
    ] {
        let o = run(&["check", "--format", format, path]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{format}");
    }
    // Each fixture alone too (a file argument takes another path through the walk).
    for file in before.keys().filter(|p| p.is_file()).take(50) {
        let _ = run(&["check", file.to_str().expect("path")]);
    }
    let after = snapshot(dir.path());
    assert_eq!(before.len(), after.len(), "files were added or removed");
    for (p, b) in &before {
        assert_eq!(Some(b), after.get(p), "{} changed", p.display());
    }
}

/// Secrets that no key names: the `default` of a variable or parameter named like a secret (or
/// marked `NoEcho`), an env entry's `value`, a command's arguments. Each sits on a line next to
/// a finding's, so the snippet draws it; the flagged values themselves stay readable.
#[test]
fn secrets_named_by_their_entry_and_on_command_lines_stay_masked_beside_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("deploy.yml"),
        concat!(
            "jobs:\n  deploy:\n    steps:\n      - run: |\n",
            "          curl --user pub:cmd-user-k3y https://cloud.mongodb.com/api/atlas/v2/groups\n",
            "          mongosh \"mongodb+srv://c.abcde.mongodbgov.net/?authMechanism=SCRAM-SHA-1\" --password cmd-pw-9x1\n",
            "          curl -H \"Authorization: Bearer cmd-bearer-77\" https://cloud.mongodb.com/api/atlas/v2/orgs\n",
            "      - run: [\"mongosh\", \"--authenticationMechanism\", \"SCRAM-SHA-1\", \"-p\", \"cmd-exec-pw-5\"]\n",
        ),
    )
    .expect("write");
    std::fs::write(
        d.join("main.tf"),
        concat!(
            "variable \"pd\" {\n  sensitive = true\n  default   = \"tf-sensitive-88\" }\n",
            "variable \"region\" { default = \"EU_WEST_1\" }\n",
            "resource \"mongodbatlas_advanced_cluster\" \"c\" {\n  project_id = \"0123456789abcdef01234567\"\n  name = \"c\"\n  cluster_type = \"REPLICASET\"\n",
            "  replication_specs = [{ region_configs = [{ provider_name = \"AWS\", region_name = var.region, priority = 7,\n",
            "    electable_specs = { instance_size = \"M30\", node_count = 3 } }] }]\n}\n",
        ),
    )
    .expect("write");
    std::fs::write(
        d.join("operator.yaml"),
        concat!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mongodb-atlas-operator}\nspec:\n  template:\n    spec:\n      containers:\n",
            "        - name: manager\n          env:\n",
            "            - name: MONGODB_ATLAS_PRIVATE_KEY\n              value: k8s-env-k3y-42\n",
            "          args: [--atlas-domain=https://cloud.mongodb.com/]\n",
        ),
    )
    .expect("write");
    let o = run(&["check", "--color", "never", d.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    for secret in [
        "cmd-user-k3y",
        "cmd-pw-9x1",
        "cmd-bearer-77",
        "cmd-exec-pw-5",
        "tf-sensitive-88",
        "k8s-env-k3y-42",
    ] {
        assert!(!out.contains(secret), "{secret} shown:\n{out}");
    }
    for flagged in [
        "https://cloud.mongodb.com/api/atlas/v2/groups",
        "authMechanism=SCRAM-SHA-1",
        "\"SCRAM-SHA-1\"",
        "default = \"EU_WEST_1\"",
        "--atlas-domain=https://cloud.mongodb.com/",
    ] {
        assert!(out.contains(flagged), "{flagged} hidden:\n{out}");
    }
}

/// Issue 23 (6) and the span-based masking: a comment with a secret-looking word on a drawn
/// line, the whole right-hand side of a secret-named attribute in HCL that does not parse,
/// name/value pairs (headers, env entries), a CloudFormation parameter, a Terraform variable,
/// a plan's values, and a script's flags: none shows, in any format, while the flagged values
/// beside them do.
#[test]
fn secrets_in_comments_unparsed_files_and_name_value_pairs_stay_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let files: &[(&str, &str)] = &[
        (
            "comment.yaml",
            "name: orders\nclusterType: REPLICASET\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AZURE # password cmt-hunter2-x\n        regionName: US_GOV_WEST_1\n        priority: 7\n",
        ),
        (
            "broken.tf",
            "provider \"mongodbatlas\" {\n  public_key  = \"abcdefgh\"\n  private_key = tf-left-part tf-right-part\n  base_url    = \"https://cloud.mongodb.com\"\n}\n",
        ),
        (
            "otel.json",
            "{\n  \"integrationType\": \"OTEL\",\n  \"providerType\": \"CUSTOM\",\n  \"authType\": \"HEADER\",\n  \"endpoint\": \"https://otlp.example-collector.internal:4318\",\n  \"metricSelection\": [\"ATLAS_STREAM_PROCESSING\"],\n  \"headers\": [{ \"name\": \"x-api-key\", \"value\": \"hdr-value-5150\" }, { \"name\": \"Accept\", \"value\": \"application/json\" }]\n}\n",
        ),
        (
            "operator.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: mongodb-atlas-operator}\nspec:\n  template:\n    spec:\n      containers:\n        - name: manager\n          env:\n            - name: X-Api-Key\n              value: env-hdr-k3y\n            - name: MONGODB_ATLAS_PRIVATE_API_KEY\n              value: env-priv-k3y\n          args: [--atlas-domain=https://cloud.mongodb.com/]\n",
        ),
        (
            "login.sh",
            "#!/bin/sh\natlas auth login --privateKey sh-priv-k3y -P default\nmongosh \"mongodb+srv://app:sh-conn-pw@c.mongodb.net/?authMechanism=SCRAM-SHA-1\" -p sh-p-pw\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(d.join(name), text).expect("write");
    }
    let secrets = [
        "cmt-hunter2-x",
        "tf-left-part",
        "tf-right-part",
        "hdr-value-5150",
        "env-hdr-k3y",
        "env-priv-k3y",
        "sh-priv-k3y",
        "sh-conn-pw",
        "sh-p-pw",
    ];
    let path = d.to_str().expect("path");
    for format in [
        "human", "json", "sarif", "github", "gitlab", "junit", "html", "concise",
    ] {
        let o = run(&["check", "--format", format, "--color", "never", path]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        let out = String::from_utf8_lossy(&o.stdout);
        for secret in secrets {
            assert!(!out.contains(secret), "{format} shows {secret}:\n{out}");
        }
    }
    let o = run(&["check", "--color", "never", path]);
    let out = String::from_utf8_lossy(&o.stdout);
    for drawn in [
        "providerName: AZURE # password ",
        "private_key = ",
        "\"name\": \"x-api-key\"",
        "\"value\": \"application/json\"",
        "--atlas-domain=https://cloud.mongodb.com/",
        "authMechanism=SCRAM-SHA-1",
        "https://otlp.example-collector.internal:4318",
    ] {
        assert!(out.contains(drawn), "{drawn} not drawn:\n{out}");
    }
}
