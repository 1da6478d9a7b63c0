//! What a walk reads, and what it says it did not: scripts by extension and by shebang,
//! Makefiles and Dockerfiles with the Atlas CLI command lines in them (suppressions in their `#`
//! comments, a script that does not parse); and no silent pass: a file the walk reads that
//! names Atlas but that no adapter can read is listed as skipped, in every output format, and
//! not counted as checked, while files that merely mention Atlas in a format that is read (a CI
//! workflow, a Kubernetes RBAC rule, a schema) or that the walk does not read (a README) stay
//! silent.
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

/// `check --format json` in `dir` with `args`: (exit code, report).
fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run");
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code().unwrap(), v)
}

/// Every finding as `CODE file:line:column`.
fn found(v: &Value) -> Vec<String> {
    let findings = v["findings"].as_array().unwrap();
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"],
                f["column"]
            )
        })
        .collect()
}

/// The `file` of each entry of the report's `findings` or `skipped`.
fn files<'v>(v: &'v Value, list: &str) -> Vec<&'v str> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect()
}

const M10: &str = "atlas clusters create c --provider AWS --region US_GOV_WEST_1 --tier M10";

#[test]
fn a_walk_reads_scripts_makefiles_dockerfiles_and_shebang_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.sh", &format!("{M10}\n"));
    write(d, "b.bash", &format!("{M10}\n"));
    write(d, "Makefile", &format!("up:\n\t{M10}\n"));
    write(d, "build/Dockerfile.ci", &format!("FROM x\nRUN {M10}\n"));
    write(d, "bin/provision", &format!("#!/bin/sh -eu\n{M10}\n"));
    // Not read: no shebang, a shebang of another language, a hidden file, a README.
    write(d, "bin/notes", &format!("{M10}\n"));
    write(d, "bin/tool", &format!("#!/usr/bin/env python3\n# {M10}\n"));
    write(d, ".bashrc", &format!("{M10}\n"));
    // Read: environment files (direnv's `.envrc` among them) are read as scripts.
    write(d, ".envrc", &format!("{M10}\n"));
    write(d, "README.md", &format!("```\n{M10}\n```\n"));
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&v),
        [
            "GOV002 .envrc:1:70",
            "GOV002 Makefile:2:71",
            "GOV002 a.sh:1:70",
            "GOV002 b.bash:1:70",
            "GOV002 bin/provision:2:70",
            "GOV002 build/Dockerfile.ci:2:74",
        ]
    );
    assert_eq!(v["summary"]["files_checked"], 6);
    assert_eq!(v["skipped"], serde_json::json!([]));
    // A file named on the command line is read whatever its name: a shebang makes it a script.
    let (_, v) = check(d, &["bin/provision"]);
    assert_eq!(found(&v).len(), 1);
}

#[test]
fn suppressions_in_shell_comments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).unwrap();
    write(
        d,
        "deploy.sh",
        &format!(
            "#!/bin/bash\n# atlasgov-lint: allow GOV002 until 2999-12-31 -- load test cluster, SEC-12\n{M10}\n{M10} # atlasgov-lint: allow tier-below-m20 -- same line, SEC-13\n{M10}\n"
        ),
    );
    write(
        d,
        "Makefile",
        &format!("up:\n\t# atlasgov-lint: allow GOV002 -- recipe comment, SEC-14\n\t{M10}\n"),
    );
    write(
        d,
        "Dockerfile",
        &format!("FROM x\n# atlasgov-lint: allow GOV002 -- docker comment, SEC-15\nRUN {M10}\n"),
    );
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(found(&v), ["GOV002 deploy.sh:5:70"]);
    assert_eq!(v["summary"]["suppressed"], 4);
}

#[test]
fn a_script_that_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Names the Atlas CLI: not checked, and said so (GOV000 at the quote that never closes).
    write(d, "broken.sh", &format!("{M10}\necho 'oops\n"));
    // Names nothing of Atlas: silent, as a broken unrelated YAML file is.
    write(d, "other.sh", "echo 'oops\n");
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(found(&v), ["GOV000 broken.sh:2:6"]);
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unterminated quote"),
        "{v}"
    );
}

// ---------------------------------------------------------------- no silent pass

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

    let (_, concise) = run(d, "concise");
    assert!(
        concise.contains(&format!("note: skipped {path}: {REASON}")),
        "{concise}"
    );

    let (_, html) = run(d, "html");
    assert!(html.contains("Skipped files (1)"), "{html}");
    assert!(html.contains("crossplane/cluster.yaml"), "{html}");

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

#[test]
fn a_file_named_twice_is_checked_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deploy.sh", &format!("#!/bin/sh\n{M10}\n"));
    for args in [&["deploy.sh", "."][..], &["./deploy.sh", "deploy.sh"][..]] {
        let (code, v) = check(dir.path(), args);
        assert_eq!(code, 1, "{args:?}: {v}");
        assert_eq!(found(&v).len(), 1, "{args:?}: {v}");
        assert_eq!(v["summary"]["files_checked"], 1, "{args:?}: {v}");
    }
}

/// A synthesized CDKTF stack with a commercial cloud provider (GOV001).
const AZURE_STACK: &str = r#"{
  "provider": {"mongodbatlas": [{"is_mongodbgov_cloud": true}]},
  "resource": {"mongodbatlas_advanced_cluster": {"c": {
    "project_id": "65a1b2c3d4e5f60718293a4b",
    "name": "c",
    "cluster_type": "REPLICASET",
    "replication_specs": [{"region_configs": [{"provider_name": "AZURE", "region_name": "US_GOV_VIRGINIA", "priority": 7, "electable_specs": {"instance_size": "M30", "node_count": 3}}]}]
  }}}
}
"#;

/// A CDKTF app as `cdktf init` leaves it: its `.gitignore` (every template's lists `cdktf.out`),
/// `cdktf.json`, the program; in a git repository.
fn cdktf_app(d: &Path, output: Option<&str>) {
    std::fs::create_dir_all(d.join(".git")).unwrap();
    let out = output.unwrap_or("cdktf.out");
    write(
        d,
        ".gitignore",
        &format!(
            "*.d.ts\n*.js\nnode_modules\n{out}\ncdktf.log\n*terraform.*.tfstate*\n.gen\n.terraform\nignored.tf.json\n"
        ),
    );
    let output = output.map_or(String::new(), |o| format!(",\n  \"output\": \"{o}\""));
    write(
        d,
        "cdktf.json",
        &format!(
            "{{\n  \"language\": \"typescript\",\n  \"app\": \"npx ts-node main.ts\",\n  \"terraformProviders\": [\"mongodb/mongodbatlas@~> 1.21\"]{output}\n}}\n"
        ),
    );
    write(
        d,
        "main.ts",
        "import { App } from \"cdktf\";\nconst app = new App();\napp.synth();\n",
    );
    // Another ignored file: never read.
    write(d, "ignored.tf.json", AZURE_STACK);
}

#[test]
fn a_cdktf_apps_synthesized_stacks_are_read_though_gitignore_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cdktf_app(d, None);
    write(d, "cdktf.out/stacks/prod/cdk.tf.json", AZURE_STACK);
    write(d, "cdktf.out/stacks/dev/cdk.tf.json", AZURE_STACK);
    // Nothing else under the output directory is read: not a plan, not the stack's own
    // download cache, not a stack named by a manifest outside the output directory.
    write(d, "cdktf.out/stacks/prod/plan.tf.json", AZURE_STACK);
    write(
        d,
        "cdktf.out/stacks/prod/.terraform/modules/x/main.tf.json",
        AZURE_STACK,
    );
    write(d, "escape/cdk.tf.json", AZURE_STACK);
    write(
        d,
        "cdktf.out/manifest.json",
        r#"{"version": "0.20.8", "stacks": {
  "prod": {"name": "prod", "synthesizedStackPath": "./stacks/prod/cdk.tf.json"},
  "evil": {"name": "evil", "synthesizedStackPath": "../escape/cdk.tf.json"}
}}"#,
    );
    std::fs::write(d.join(".gitignore"), {
        let mut g = std::fs::read_to_string(d.join(".gitignore")).unwrap();
        g.push_str("escape\n");
        g
    })
    .unwrap();
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        found(&v),
        [
            "GOV001 cdktf.out/stacks/dev/cdk.tf.json:7:65",
            "GOV001 cdktf.out/stacks/prod/cdk.tf.json:7:65",
        ],
        "{v:#}"
    );
    assert_eq!(v["skipped"], serde_json::json!([]));
    // cdktf.json and the two stacks (main.ts is in no Pulumi project: not read).
    assert_eq!(v["summary"]["files_checked"], 3, "{v:#}");
}

/// A template an AWS CDK app synthesizes with MongoDB Atlas's constructs: an Azure cluster.
const CDK_AZURE_TEMPLATE: &str = r#"{
 "Resources": {
  "Ledger": {
   "Type": "MongoDB::Atlas::Cluster",
   "Properties": {
    "ProjectId": "65a1b2c3d4e5f60718293a4b", "Name": "ledger",
    "ReplicationSpecs": [{"AdvancedRegionConfigs": [{"ProviderName": "AZURE", "RegionName": "US_GOV_VIRGINIA", "Priority": 7, "ElectableSpecs": {"InstanceSize": "M30", "NodeCount": 3}}]}]
   }
  }
 }
}
"#;

/// An AWS CDK app as `cdk init` leaves it (its `.gitignore` lists `cdk.out`), using MongoDB
/// Atlas's constructs; in a git repository.
fn cdk_app(d: &Path, output: Option<&str>) {
    std::fs::create_dir_all(d.join(".git")).unwrap();
    let out = output.unwrap_or("cdk.out");
    write(
        d,
        ".gitignore",
        &format!(
            "*.js\n!jest.config.js\n*.d.ts\nnode_modules\n\n# CDK asset staging directory\n.cdk.staging\n{out}\n"
        ),
    );
    let output = output.map_or(String::new(), |o| format!(",\n  \"output\": \"{o}\""));
    write(
        d,
        "cdk.json",
        &format!("{{\n  \"app\": \"npx ts-node --prefer-ts-exts bin/ledger.ts\"{output}\n}}\n"),
    );
    write(
        d,
        "package.json",
        "{\"name\": \"ledger\", \"dependencies\": {\"aws-cdk-lib\": \"2.150.0\", \"awscdk-resources-mongodbatlas\": \"3.7.0\"}}\n",
    );
}

/// `cdk synth` writes each stack's template, nested stacks' and stages' to the cloud assembly,
/// which `cdk init`'s `.gitignore` hides: they are read all the same; nothing else there is.
#[test]
fn an_aws_cdk_apps_synthesized_templates_are_read_though_gitignore_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cdk_app(d, None);
    write(d, "cdk.out/LedgerStack.template.json", CDK_AZURE_TEMPLATE);
    write(
        d,
        "cdk.out/LedgerStackDbNested1A2B3C4D.nested.template.json",
        CDK_AZURE_TEMPLATE,
    );
    write(
        d,
        "cdk.out/assembly-Prod/ProdLedgerStack1A2B3C4D.template.json",
        CDK_AZURE_TEMPLATE,
    );
    write(
        d,
        "cdk.out/asset.1a2b3c/handler.template.json",
        CDK_AZURE_TEMPLATE,
    );
    write(d, "cdk.out/tree.json", CDK_AZURE_TEMPLATE);
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        found(&v),
        [
            "GOV001 cdk.out/LedgerStack.template.json:7:70",
            "GOV001 cdk.out/LedgerStackDbNested1A2B3C4D.nested.template.json:7:70",
            "GOV001 cdk.out/assembly-Prod/ProdLedgerStack1A2B3C4D.template.json:7:70",
        ],
        "{v:#}"
    );
    assert_eq!(v["skipped"], serde_json::json!([]), "{v:#}");
}

/// Not synthesized yet: said when the app uses Atlas's constructs (in its own output
/// directory too), silent for any other CDK app of the repository.
#[test]
fn an_aws_cdk_app_not_synthesized_is_said_not_checked_when_it_uses_atlas() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cdk_app(d, Some("build/assembly"));
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 0, "{v:#}");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v:#}");
    assert_eq!(skipped[0]["file"], "build/assembly", "{v:#}");
    let reason = skipped[0]["reason"].as_str().unwrap();
    assert!(reason.contains("run `cdk synth`"), "{reason}");
    write(
        d,
        "build/assembly/LedgerStack.template.json",
        CDK_AZURE_TEMPLATE,
    );
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        found(&v),
        ["GOV001 build/assembly/LedgerStack.template.json:7:70"],
        "{v:#}"
    );
    // `./` before the output directory is the same directory.
    write(
        d,
        "cdk.json",
        "{\"app\": \"npx ts-node bin/ledger.ts\", \"output\": \"./build/assembly\"}\n",
    );
    let (_, v) = check(d, &["."]);
    assert_eq!(
        found(&v),
        ["GOV001 build/assembly/LedgerStack.template.json:7:70"],
        "{v:#}"
    );
    // A walk follows no links: an output directory that is one is not read.
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "Elsewhere.template.json",
        CDK_AZURE_TEMPLATE,
    );
    std::os::unix::fs::symlink(outside.path(), d.join("linked")).unwrap();
    write(
        d,
        "cdk.json",
        "{\"app\": \"npx ts-node bin/ledger.ts\", \"output\": \"linked\"}\n",
    );
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 0, "{v:#}");
    assert!(found(&v).is_empty(), "{v:#}");
    // Another CDK app (a VPC's) not synthesized: nothing to say.
    let other = tempfile::tempdir().unwrap();
    write(
        other.path(),
        "cdk.json",
        "{\"app\": \"npx ts-node bin/vpc.ts\"}\n",
    );
    write(
        other.path(),
        "package.json",
        "{\"dependencies\": {\"aws-cdk-lib\": \"2.150.0\"}}\n",
    );
    let (code, v) = check(other.path(), &["."]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["skipped"], serde_json::json!([]), "{v:#}");
}

#[test]
fn a_cdktf_app_with_its_own_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cdktf_app(d, Some("build/synth"));
    write(d, "build/synth/stacks/prod/cdk.tf.json", AZURE_STACK);
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        found(&v),
        ["GOV001 build/synth/stacks/prod/cdk.tf.json:7:65"],
        "{v:#}"
    );
}

#[test]
fn a_cdktf_app_not_synthesized_is_said_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cdktf_app(d, None);
    let (code, v) = check(d, &["."]);
    // Skipping never changes the exit code; it is said.
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(found(&v), Vec::<String>::new(), "{v:#}");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v:#}");
    assert_eq!(skipped[0]["file"], "cdktf.out", "{v:#}");
    let reason = skipped[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("no synthesized stack") && reason.contains("run `cdktf synth`"),
        "{reason}"
    );
    // An empty output directory says the same.
    std::fs::create_dir_all(d.join("cdktf.out/stacks")).unwrap();
    let (_, v) = check(d, &["."]);
    assert_eq!(v["summary"]["files_skipped"], 1, "{v:#}");
    // A project that does not use Atlas's provider is none of this tool's business: silent.
    let aws = d.join("aws");
    cdktf_app(&aws, None);
    let config = std::fs::read_to_string(aws.join("cdktf.json")).unwrap();
    std::fs::write(
        aws.join("cdktf.json"),
        config.replace("mongodb/mongodbatlas@~> 1.21", "hashicorp/aws@~> 5.0"),
    )
    .unwrap();
    let (code, v) = check(&aws, &["."]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["skipped"], serde_json::json!([]), "{v:#}");
}

/// The pre-commit hook passes the staged files its `files:` pattern takes (Python's
/// `re.search`): it must take every file a walk reads by its name, or a commit of one is never
/// checked.
#[test]
fn the_pre_commit_pattern_takes_every_file_a_walk_reads_by_name() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").unwrap();
    let pattern = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .expect("a files: pattern");
    let re = regex_automata::meta::Regex::new(pattern).expect("the pattern compiles");
    for name in atlasgov_lint::source::sample_names() {
        for path in [name.clone(), format!("infra/{name}")] {
            assert!(re.is_match(&path), "{path} is not passed to the hook");
        }
    }
    for other in [
        "README.md",
        "main.go",
        "Program.cs",
        "x.tsx",
        "a/b.envelope",
    ] {
        assert!(!re.is_match(other), "{other} is passed to the hook");
    }
}

/// Installed packages are not the repository's code: `node_modules` (npm), `site-packages` (a
/// Python virtual environment) and `__pycache__` are not walked, though the provider's own
/// package there names it in every file.
#[test]
fn package_directories_are_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ts = "import * as atlas from \"@pulumi/mongodbatlas\";\nnew atlas.Project(\"p\", { name: \"p\", orgId: \"o\" });\n";
    let py =
        "import pulumi_mongodbatlas as atlas\natlas.Project(\"p\", name=\"p\", org_id=\"o\")\n";
    write(d, "Pulumi.yaml", "name: p\nruntime: nodejs\n");
    write(d, "node_modules/@pulumi/mongodbatlas/project.ts", ts);
    write(d, "node_modules/x/atlas.sh", M10);
    write(d, "py/Pulumi.yaml", "name: q\nruntime: python\n");
    write(
        d,
        "py/venv/lib/python3.12/site-packages/pulumi_mongodbatlas/project.py",
        py,
    );
    write(d, "py/__pycache__/x.py", py);
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["skipped"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["summary"]["files_checked"], 2, "{v:#}");
    // The same modules in the program's own directory are read.
    write(d, "project.ts", ts);
    write(d, "py/__main__.py", py);
    let (_, v) = check(d, &["."]);
    assert_eq!(
        found(&v),
        ["GOV005 project.ts:2:19", "GOV005 py/__main__.py:2:15"],
        "{v:#}"
    );
}

/// A file whose name is not UTF-8 is checked like any other (its path shown with U+FFFD), not
/// dropped from the walk unlisted.
#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_utf8_is_checked() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let body = "{\"name\": \"c\", \"replicationSpecs\": [{\"regionConfigs\": [{\"providerName\": \"AZURE\", \"regionName\": \"US_EAST_2\", \"priority\": 7, \"electableSpecs\": {\"instanceSize\": \"M30\"}}]}]}\n";
    let name = std::ffi::OsStr::from_bytes(b"bad\xffname.json");
    if std::fs::write(dir.path().join(name), body).is_err() {
        eprintln!("this file system refuses names that are not UTF-8: case not run");
        return;
    }
    write(dir.path(), "ok.json", body);
    let (code, v) = check(dir.path(), &["."]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["summary"]["files_checked"], 2, "{v}");
    assert_eq!(
        files(&v, "findings"),
        ["bad\u{fffd}name.json", "ok.json"],
        "{v}"
    );
}

/// A Terragrunt configuration whose module is not in the repository (a remote source) and
/// that names Atlas is listed as not judged; one of another module, or a parent configuration
/// without `inputs`, says nothing.
#[test]
fn a_terragrunt_configuration_of_a_remote_atlas_module_is_listed_as_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "live/prod/atlas/terragrunt.hcl",
        "terraform {\n  source = \"git::https://example.com/infra-modules.git//mongodbatlas-cluster?ref=v1.2.0\"\n}\ninputs = {\n  instance_size = \"M10\"\n}\n",
    );
    write(
        dir.path(),
        "live/prod/vpc/terragrunt.hcl",
        "terraform {\n  source = \"tfr:///terraform-aws-modules/vpc/aws?version=5.8.1\"\n}\ninputs = {\n  name = \"ledger\"\n}\n",
    );
    write(
        dir.path(),
        "live/terragrunt.hcl",
        "generate \"provider\" {\n  path = \"provider.tf\"\n  if_exists = \"overwrite\"\n  contents = <<EOF\nprovider \"mongodbatlas\" {\n  is_mongodbgov_cloud = true\n}\nEOF\n}\n",
    );
    // Another module's configuration that does not parse is not taken for a broken spec.
    write(
        dir.path(),
        "live/prod/dns/terragrunt.hcl",
        "terraform {\n  source = \"tfr:///terraform-aws-modules/route53/aws\"\n}\ninputs = {\n  zone = \"x\"\n",
    );
    let (code, v) = check(dir.path(), &["."]);
    assert_eq!(code, 0, "{v}");
    assert!(found(&v).is_empty(), "{v}");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v}");
    assert_eq!(skipped[0]["file"], "live/prod/atlas/terragrunt.hcl", "{v}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("a Terragrunt configuration whose `terraform { source }` is not"),
        "{v}"
    );
}

/// A Terragrunt source built on the repository's root (`${get_repo_root()}`) runs the module
/// there: its inputs are judged at the use, from the whole repository, from a directory below
/// it, and when the configuration is checked alone.
#[test]
fn a_terragrunt_source_on_the_repository_root_runs_that_module() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "infra/modules/atlas/main.tf",
        "variable \"tier\" {\n  default = \"M30\"\n}\nresource \"mongodbatlas_advanced_cluster\" \"c\" {\n  project_id   = \"64b1c2d3e4f5a6b7c8d9e0f1\"\n  name         = \"c\"\n  cluster_type = \"REPLICASET\"\n  replication_specs = [{\n    region_configs = [{\n      provider_name   = \"AWS\"\n      region_name     = \"US_GOV_WEST_1\"\n      priority        = 7\n      electable_specs = { instance_size = var.tier, node_count = 3 }\n    }]\n  }]\n}\n",
    );
    write(
        dir.path(),
        "infra/live/prod/terragrunt.hcl",
        "terraform {\n  source = \"${get_repo_root()}//infra/modules/atlas?ref=v1\"\n}\ninputs = {\n  tier = \"M10\"\n}\n",
    );
    // The value is reported where the module uses it, set at the configuration's input; the
    // configuration checked alone is reported at its input.
    let related = |v: &Value| -> String {
        let r = &v["findings"][0]["related"][0];
        format!(
            "{}:{}:{}",
            r["file"].as_str().unwrap(),
            r["line"],
            r["column"]
        )
    };
    for (cwd, prefix) in [
        (dir.path().to_path_buf(), "infra/"),
        (dir.path().join("infra"), ""),
    ] {
        let (code, v) = check(&cwd, &["."]);
        assert_eq!(code, 1, "{v}");
        assert_eq!(
            found(&v),
            [format!("GOV002 {prefix}modules/atlas/main.tf:13:43")],
            "{v}"
        );
        assert_eq!(
            related(&v),
            format!("{prefix}live/prod/terragrunt.hcl:5:10"),
            "{v}"
        );
    }
    let (code, v) = check(&dir.path().join("infra/live/prod"), &["terragrunt.hcl"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(found(&v), ["GOV002 terragrunt.hcl:5:10"], "{v}");
    // The function alone: the configuration's own directory, the repository's root.
    for (source, under) in [
        ("${get_terragrunt_dir()}", "infra/modules/atlas"),
        ("${get_repo_root()}", ""),
    ] {
        let module =
            std::fs::read_to_string(dir.path().join("infra/modules/atlas/main.tf")).unwrap();
        let at = if under.is_empty() {
            String::new()
        } else {
            format!("{under}/")
        };
        let own = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(own.path().join(".git")).unwrap();
        write(own.path(), &format!("{at}main.tf"), &module);
        write(
            own.path(),
            &format!("{at}terragrunt.hcl"),
            &format!(
                "terraform {{\n  source = \"{source}\"\n}}\ninputs = {{\n  tier = \"M10\"\n}}\n"
            ),
        );
        let (code, v) = check(own.path(), &["."]);
        assert_eq!(code, 1, "{source}: {v}");
        assert_eq!(
            found(&v),
            [format!("GOV002 {at}main.tf:13:43")],
            "{source}: {v}"
        );
    }
}

/// A report this tool wrote, left among the files under a `.json` name, is not read as a
/// spec on the next run (a SARIF report holds the rules' failing examples).
#[test]
fn a_report_left_among_the_files_is_not_read_as_a_spec() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "MONGODB_URI=mongodb+srv://app@c.ab12c.mongodbgov.net/?authMechanism=SCRAM-SHA-1\n",
    );
    for (format, name) in [
        ("sarif", "results.sarif.json"),
        ("json", "report.json"),
        ("gitlab", "gl-code-quality.json"),
    ] {
        let status = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
            .args(["check", ".", "--format", format, "--output", name])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(status.status.code(), Some(1));
    }
    let (code, v) = check(dir.path(), &["."]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(found(&v), ["GOV006 .env:1:69"], "{v}");
}

/// A document named on the command line in no format the tool reads (a README that a
/// changed-files step passes along) is not a broken spec: no GOV000, and a note when it
/// names an Atlas format. Standard input still is read as YAML and judged.
#[test]
fn a_readme_named_on_the_command_line_is_not_a_broken_spec() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "README.md",
        "# Orders\n\nSee https://cloud.mongodbgov.com/v2 and `regionName`.\n\n- item: `x`\n",
    );
    write(
        dir.path(),
        "docs/cluster.md",
        "```hcl\nresource \"mongodbatlas_project\" \"p\" {}\n```\n- item: `x`\n",
    );
    let (code, v) = check(dir.path(), &["README.md", "docs/cluster.md"]);
    assert_eq!(code, 0, "{v}");
    assert!(found(&v).is_empty(), "{v}");
    assert_eq!(files(&v, "skipped"), ["docs/cluster.md"], "{v}");
}

/// Two deployments of one directory that name the same project not in the checked files are
/// one project however their paths are written (`a.yaml`, `./b.yaml`).
#[test]
fn an_unknown_projects_clusters_of_one_directory_meet_however_named() {
    let dir = tempfile::tempdir().unwrap();
    for (name, region) in [("a", "US_EAST_2"), ("b", "US_GOV_EAST_1")] {
        write(
            dir.path(),
            &format!("{name}.yaml"),
            &format!(
                "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata:\n  name: {name}-db\nspec:\n  projectRef:\n    name: ledger-project\n  deploymentSpec:\n    name: {name}-db\n    clusterType: REPLICASET\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AWS\n            regionName: {region}\n            priority: 7\n            electableSpecs: {{instanceSize: M30, nodeCount: 3}}\n"
            ),
        );
    }
    for args in [
        ["a.yaml", "b.yaml"],
        ["a.yaml", "./b.yaml"],
        ["./a.yaml", "b.yaml"],
    ] {
        let (code, v) = check(dir.path(), &args);
        assert_eq!(code, 1, "{args:?} {v}");
        assert_eq!(found(&v).len(), 1, "{args:?} {v}");
    }
}

/// A Datadog integration at the wrong site: GOV008, whose fix is safe where it is written.
const CDK_DATADOG_TEMPLATE: &str = r#"{
 "Resources": {
  "Datadog": {
   "Type": "MongoDB::Atlas::ThirdPartyIntegration",
   "Properties": {"ProjectId": "65a1b2c3d4e5f60718293a4b", "Type": "DATADOG", "ApiKey": "k", "Region": "US"}
  }
 }
}
"#;

/// What a CDK app or a CDKTF project synthesizes is reported where it is but never fixed
/// there (the next `cdk synth` would write the old value back): the help says to fix the
/// program. In the default output directories and in one `cdk.json` names.
#[test]
fn synthesized_templates_and_stacks_are_never_edited_by_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cdk_app(d, Some("build/assembly"));
    write(
        d,
        "build/assembly/LedgerStack.template.json",
        CDK_DATADOG_TEMPLATE,
    );
    let other = dir.path().join("other");
    cdktf_app(&other, None);
    let stack = r#"{"resource": {"mongodbatlas_third_party_integration": {"dd": {"project_id": "65a1b2c3d4e5f60718293a4b", "type": "DATADOG", "api_key": "k", "region": "US"}}}}
"#;
    write(&other, "cdktf.out/stacks/dev/cdk.tf.json", stack);
    // Named on the command line too.
    write(d, "named/cdk.out/Named.template.json", CDK_DATADOG_TEMPLATE);
    for args in [&["."][..], &["named/cdk.out/Named.template.json"][..]] {
        let (code, v) = check(d, args);
        assert_eq!(code, 1, "{v:#}");
        let findings = v["findings"].as_array().unwrap();
        assert!(!findings.is_empty(), "{v:#}");
        for f in findings {
            assert!(f["fix"].is_null(), "{f:#}");
            assert!(f["help"].as_str().unwrap().contains("synthesizes"), "{f:#}");
        }
    }
    let o = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .current_dir(d)
        .args(["check", "--fix", "--unsafe-fixes", "--no-cache", "."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    for (path, text) in [
        (
            d.join("build/assembly/LedgerStack.template.json"),
            CDK_DATADOG_TEMPLATE,
        ),
        (
            d.join("named/cdk.out/Named.template.json"),
            CDK_DATADOG_TEMPLATE,
        ),
        (other.join("cdktf.out/stacks/dev/cdk.tf.json"), stack),
    ] {
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{}",
            path.display()
        );
    }
}

/// A body template with `envsubst` placeholders (`"nodeCount": ${NODE_COUNT}`) that does not
/// parse as it stands is skipped as an unrendered template, like a Helm one; not GOV000.
#[test]
fn an_envsubst_template_is_skipped_not_broken() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "cluster.json",
        "{\n  \"name\": \"${CLUSTER_NAME}\",\n  \"replicationSpecs\": [{\"regionConfigs\": [{\"providerName\": \"AWS\", \"regionName\": \"US_GOV_WEST_1\",\n    \"electableSpecs\": {\"instanceSize\": \"M30\", \"nodeCount\": ${NODE_COUNT}}}]}]\n}\n",
    );
    // A body broken elsewhere is still GOV000.
    write(
        d,
        "broken.json",
        "{\n  \"name\": \"${CLUSTER_NAME}\",\n  \"replicationSpecs\": [{\"regionConfigs\": [{\"providerName\": \"AWS\",\n\n\n    \"regionName\": \"US_GOV_WEST_1\",, \"priority\": 7}]}]\n}\n",
    );
    let (code, v) = check(d, &["."]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(found(&v), ["GOV000 broken.json:6:35"], "{v:#}");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v:#}");
    assert_eq!(skipped[0]["file"], "cluster.json");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("envsubst"));
}

/// Paths given absolute are reported absolute, and so are the context files read beside them
/// (a module the checked directory calls): one style of path in one report.
#[test]
fn context_files_are_shown_as_the_inputs_are() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git")).unwrap();
    write(
        d,
        "modules/cluster/main.tf",
        "variable \"tier\" {}\nresource \"mongodbatlas_advanced_cluster\" \"c\" {\n  project_id = \"65a1b2c3d4e5f60718293a4b\"\n  name = \"c\"\n  cluster_type = \"REPLICASET\"\n  replication_specs = [{ region_configs = [{ provider_name = \"AWS\", region_name = \"US_GOV_WEST_1\", priority = 7, electable_specs = { instance_size = var.tier, node_count = 3 } }] }]\n}\n",
    );
    write(
        d,
        "live/prod/main.tf",
        "module \"cluster\" {\n  source = \"../../modules/cluster\"\n  tier   = \"M10\"\n}\n",
    );
    let live = d.join("live").canonicalize().unwrap();
    let (code, v) = check(d, &[live.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    let mut paths = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        paths.push(f["file"].as_str().unwrap().to_string());
        for r in f["related"].as_array().into_iter().flatten() {
            paths.push(r["file"].as_str().unwrap().to_string());
        }
    }
    assert!(paths.len() >= 2, "{v:#}");
    assert!(
        paths.iter().all(|p| Path::new(p).is_absolute()),
        "{paths:?}"
    );
}
