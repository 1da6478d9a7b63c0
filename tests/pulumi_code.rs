//! Pulumi programs in TypeScript and JavaScript (`runtime: nodejs`): what is read of them, and
//! what is not guessed. Each case is a small project written to a temporary directory and
//! checked by the binary; the findings are compared as `file:line:column: CODE`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

const PROJECT: &str = "name: infra\nruntime: nodejs\n";
const GOV_STACK: &str = "config:\n  mongodbatlas:isMongodbgovCloud: \"true\"\n";

/// `file:line:column: CODE` of every finding of a check of `files`, and the skipped notes.
fn check(files: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    check_paths(files, &["."])
}

/// [`check`] of the paths `args` among `files` (`{dir}` in one: the directory written to).
fn check_paths(files: &[(&str, &str)], args: &[&str]) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // `{dir}/x`: the absolute path of `x` (reported relative to the directory below).
    let root = dir.path().to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(["check", "--format", "json", "--no-cache"])
        .args(args.iter().map(|a| a.replace("{dir}", root)))
        .current_dir(dir.path())
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}: {}",
                f["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches(root)
                    .trim_start_matches('/'),
                f["line"],
                f["column"],
                f["code"].as_str().unwrap()
            )
        })
        .collect();
    let skipped = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap().to_string())
        .collect();
    (findings, skipped)
}

const AZURE_CLUSTER: &str = r#"{
    projectId: "65a1b2c3d4e5f60718293a4b",
    clusterType: "REPLICASET",
    replicationSpecs: [{ regionConfigs: [{ providerName: "AZURE", regionName: "US_GOV_VIRGINIA", priority: 7, electableSpecs: { instanceSize: "M30", nodeCount: 3 } }] }],
}"#;

#[test]
fn every_way_to_import_the_provider_is_read() {
    for (import, class) in [
        (
            "import * as atlas from \"@pulumi/mongodbatlas\";",
            "atlas.AdvancedCluster",
        ),
        (
            "import atlas from \"@pulumi/mongodbatlas\";",
            "atlas.AdvancedCluster",
        ),
        (
            "import atlas = require(\"@pulumi/mongodbatlas\");",
            "atlas.AdvancedCluster",
        ),
        (
            "const atlas = require(\"@pulumi/mongodbatlas\");",
            "atlas.AdvancedCluster",
        ),
        (
            "import { AdvancedCluster as C } from \"@pulumi/mongodbatlas\";",
            "C",
        ),
        (
            "const { AdvancedCluster } = require(\"@pulumi/mongodbatlas\");",
            "AdvancedCluster",
        ),
    ] {
        let code = format!("{import}\n\nnew {class}(\"c\", {AZURE_CLUSTER});\n");
        let (found, _) = check(&[("Pulumi.yaml", PROJECT), ("index.ts", &code)]);
        assert_eq!(found, ["index.ts:6:58: GOV001"], "{import}");
    }
}

#[test]
fn a_module_without_a_pulumi_project_is_not_read() {
    let code = format!(
        "import * as atlas from \"@pulumi/mongodbatlas\";\nnew atlas.AdvancedCluster(\"c\", {AZURE_CLUSTER});\n"
    );
    let other = code.replace("@pulumi/mongodbatlas", "./atlas");
    let files = [
        ("infra/index.ts", code.as_str()),
        // The same shape, in code that does not use the provider.
        ("app/settings.js", other.as_str()),
    ];
    // A walk does not read code outside a Pulumi project.
    let (found, skipped) = check(&files);
    assert!(found.is_empty(), "{found:?}");
    assert!(skipped.is_empty(), "{skipped:?}");
    // Named, it is read, and said not to be checked.
    let (found, skipped) = check_paths(&files, &["infra/index.ts", "app/settings.js"]);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(skipped, ["infra/index.ts"]);
}

#[test]
fn what_is_not_written_out_is_not_guessed() {
    // A project whose properties come from elsewhere, or are spread from an object, may set
    // its region usage there: no GOV005. A provider given by a variable may be a gov one.
    let code = r#"import * as pulumi from "@pulumi/pulumi";
import * as atlas from "@pulumi/mongodbatlas";
import { defaults } from "./shared";
const args = makeArgs();
new atlas.Project("a", args);
new atlas.Project("b", { ...defaults, name: "b", orgId: "5f1d2c3b4a5968776a5b4c3e" });
new atlas.Project("c", { name: "c", orgId: "5f1d2c3b4a5968776a5b4c3e", regionUsageRestrictions: usage() });
"#;
    let (found, _) = check(&[
        ("Pulumi.yaml", PROJECT),
        ("Pulumi.dev.yaml", GOV_STACK),
        ("index.ts", code),
    ]);
    assert!(found.is_empty(), "{found:?}");
    let code = r#"import * as atlas from "@pulumi/mongodbatlas";
import { opts } from "./shared";
new atlas.Project("d", { name: "d", orgId: "5f1d2c3b4a5968776a5b4c3e", regionUsageRestrictions: "GOV_REGIONS_ONLY" }, opts);
"#;
    let stack = "config:\n  mongodbatlas:publicKey: abc\n";
    let (found, _) = check(&[
        ("Pulumi.yaml", PROJECT),
        ("Pulumi.dev.yaml", stack),
        ("index.ts", code),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_stack_without_the_gov_flag_is_reported_for_the_default_provider() {
    let code = r#"import * as atlas from "@pulumi/mongodbatlas";
new atlas.Project("p", { name: "p", orgId: "5f1d2c3b4a5968776a5b4c3e", regionUsageRestrictions: "GOV_REGIONS_ONLY" });
"#;
    let stack = "config:\n  mongodbatlas:publicKey: abc\n";
    let (found, _) = check(&[
        ("Pulumi.yaml", PROJECT),
        ("Pulumi.dev.yaml", stack),
        ("index.ts", code),
    ]);
    assert_eq!(found, ["Pulumi.dev.yaml:2:3: GOV020"]);
    let (found, _) = check(&[
        ("Pulumi.yaml", PROJECT),
        ("Pulumi.dev.yaml", GOV_STACK),
        ("index.ts", code),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn the_modules_of_the_main_directory_and_below_are_the_program() {
    let project = "name: infra\nruntime: nodejs\nmain: src/\n";
    let cluster = format!(
        "import * as atlas from \"@pulumi/mongodbatlas\";\nnew atlas.AdvancedCluster(\"c\", {AZURE_CLUSTER});\n"
    );
    let (found, skipped) = check(&[
        ("Pulumi.yaml", project),
        ("src/index.ts", "import \"./db/cluster\";\n"),
        ("src/db/cluster.ts", &cluster),
        // Not the program: outside `main`, and another project's.
        ("scripts/seed.ts", &cluster),
        ("src/other/Pulumi.yaml", "name: other\nruntime: python\n"),
        ("src/other/gen.ts", &cluster),
    ]);
    assert_eq!(found, ["src/db/cluster.ts:5:58: GOV001"]);
    assert_eq!(skipped, ["scripts/seed.ts", "src/other/gen.ts"]);
}

const PY_PROJECT: &str = "name: infra\nruntime: python\n";

#[test]
fn python_programs_are_read_in_every_form_of_arguments() {
    for (import, call) in [
        (
            "import pulumi_mongodbatlas as atlas",
            "atlas.Project(\"p\", name=\"p\", org_id=ORG)",
        ),
        (
            "import pulumi_mongodbatlas",
            "pulumi_mongodbatlas.Project(resource_name=\"p\", name=\"p\", org_id=ORG)",
        ),
        (
            "from pulumi_mongodbatlas import Project, ProjectArgs",
            "Project(\"p\", ProjectArgs(name=\"p\", org_id=ORG))",
        ),
        (
            "from pulumi_mongodbatlas import Project, ProjectArgs",
            "Project(\"p\", args=ProjectArgs(name=\"p\", org_id=ORG))",
        ),
    ] {
        let code = format!("{import}\nORG = \"5f1d2c3b4a5968776a5b4c3e\"\n\n{call}\n");
        let (found, _) = check(&[("Pulumi.yaml", PY_PROJECT), ("__main__.py", &code)]);
        // At the resource's name, the project having no binding.
        let column = call.find("\"p\"").unwrap() + 1;
        assert_eq!(found, [format!("__main__.py:4:{column}: GOV005")], "{call}");
    }
    // Not written out: not read.
    for call in [
        "atlas.Project(\"p\", **project_args)",
        "atlas.Project(\"p\", make_args())",
        "atlas.Project(\"p\", args=project_args)",
    ] {
        let code = format!("import pulumi_mongodbatlas as atlas\n{call}\n");
        let (found, _) = check(&[("Pulumi.yaml", PY_PROJECT), ("__main__.py", &code)]);
        assert!(found.is_empty(), "{call}: {found:?}");
    }
}

#[test]
fn a_python_resource_options_provider_is_its_provider() {
    let code = r#"import pulumi
import pulumi_mongodbatlas as atlas
gov = atlas.Provider("gov", is_mongodbgov_cloud=True)
commercial = atlas.Provider("commercial", public_key="k")
atlas.Project("a", name="a", org_id="5f1d2c3b4a5968776a5b4c3e", region_usage_restrictions="GOV_REGIONS_ONLY", opts=pulumi.ResourceOptions(provider=gov))
"#;
    let stack = "config:\n  mongodbatlas:publicKey: abc\n";
    let (found, _) = check(&[
        ("Pulumi.yaml", PY_PROJECT),
        ("Pulumi.dev.yaml", stack),
        ("__main__.py", code),
    ]);
    // The commercial provider itself; not the stack's default provider, which nothing uses.
    assert_eq!(found, ["__main__.py:4:1: GOV020"], "{found:?}");
}

/// Found by an adversarial pass over this reader (each failed before its fix).
#[test]
fn main_naming_the_program_file_reads_its_directory() {
    let cluster = format!(
        "import * as atlas from \"@pulumi/mongodbatlas\";\nnew atlas.AdvancedCluster(\"c\", {AZURE_CLUSTER});\n"
    );
    let (found, skipped) = check(&[
        (
            "Pulumi.yaml",
            "name: infra\nruntime: nodejs\nmain: src/index.ts\n",
        ),
        ("src/index.ts", &cluster),
    ]);
    assert_eq!(found, ["src/index.ts:5:58: GOV001"]);
    assert!(skipped.is_empty(), "{skipped:?}");
}

#[test]
fn a_config_of_another_namespace_reads_that_namespace() {
    let code = r#"import * as pulumi from "@pulumi/pulumi";
import * as atlas from "@pulumi/mongodbatlas";
const infra = new pulumi.Config("infra");
const own = new pulumi.Config("app");
new atlas.AdvancedCluster("c", { projectId: "65a1b2c3d4e5f60718293a4b", clusterType: "REPLICASET",
    replicationSpecs: [{ regionConfigs: [{ providerName: "AWS", regionName: "US_GOV_WEST_1", priority: 7,
        electableSpecs: { instanceSize: infra.require("tier"), nodeCount: own.requireNumber("nodes") } }] }] });
"#;
    let project = "name: app\nruntime: nodejs\n";
    for (stack, expected) in [
        ("  app:tier: M10\n  infra:tier: M30\n", None),
        (
            "  app:tier: M30\n  infra:tier: M10\n",
            Some("Pulumi.prod.yaml"),
        ),
    ] {
        let stack = format!("{GOV_STACK}{stack}  app:nodes: 3\n");
        let (found, _) = check(&[
            ("Pulumi.yaml", project),
            ("Pulumi.prod.yaml", &stack),
            ("index.ts", code),
        ]);
        match expected {
            None => assert!(found.is_empty(), "{found:?}"),
            // Reported at the use, the stack's value noted (its fix edits `infra:tier`).
            Some(_) => assert_eq!(found, ["index.ts:7:41: GOV002"]),
        }
    }
}

#[test]
fn providers_without_the_gov_flag_are_reported_however_they_are_written() {
    let code = r#"import * as atlas from "@pulumi/mongodbatlas";
const bare = new atlas.Provider("bare");
const commercial = new atlas.Provider("url", { baseUrl: "https://cloud.mongodb.com/" });
// The gov flag makes it AtlasGov whatever the URL says.
const gov = new atlas.Provider("gov", { isMongodbgovCloud: true, baseUrl: "https://cloud.mongodb.com/" });
"#;
    let (found, _) = check(&[("Pulumi.yaml", PROJECT), ("index.ts", code)]);
    assert_eq!(found, ["index.ts:2:7: GOV020", "index.ts:3:57: GOV020"]);
    let py = "import pulumi_mongodbatlas as atlas\natlas.Provider(\"url\", base_url=\"https://cloud.mongodb.com/\")\n";
    let (found, _) = check(&[("Pulumi.yaml", PY_PROJECT), ("__main__.py", py)]);
    assert_eq!(found, ["__main__.py:2:32: GOV020"]);
}

#[test]
fn a_nested_project_holds_its_own_modules_and_mentions_are_not_imports() {
    let cluster = format!(
        "import * as atlas from \"@pulumi/mongodbatlas\";\nnew atlas.AdvancedCluster(\"c\", {AZURE_CLUSTER});\n"
    );
    let (found, skipped) = check(&[
        ("Pulumi.yaml", PROJECT),
        ("index.ts", "export {};\n"),
        ("db/Pulumi.yaml", PY_PROJECT),
        ("db/lib/helpers.ts", &cluster),
        // Names the package in a comment only.
        (
            "tools/readme.js",
            "// see @pulumi/mongodbatlas\nconsole.log(1);\n",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(skipped, ["db/lib/helpers.ts"]);
}

/// A literal used beyond what is read (a template, another value) is fixed only with
/// `--unsafe-fixes`: the fix changes those uses too.
#[test]
fn a_literal_used_elsewhere_is_not_fixed_safely() {
    let code = |rest: &str| {
        format!(
            r#"import * as atlas from "@pulumi/mongodbatlas";
const project = new atlas.Project("gov", {{ orgId: "5f1d2c3b4a5968776a5b4c3e", regionUsageRestrictions: "GOV_REGIONS_ONLY" }});
const SITE = "US";
new atlas.ThirdPartyIntegration("dd", {{ projectId: project.id, type: "DATADOG", apiKey: "k", region: SITE }});
{rest}"#
        )
    };
    for (rest, fixed) in [
        ("", true),
        ("export const label = `datadog-${SITE}`;\n", false),
        ("const tags = { site: SITE };\n", false),
        // A property of that name, or a key, is no use of the constant.
        (
            "const other = { SITE: 1 };\nconsole.log(other.SITE);\n",
            true,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Pulumi.yaml"), PROJECT).unwrap();
        std::fs::write(dir.path().join("index.ts"), code(rest)).unwrap();
        Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
            .args(["check", ".", "--fix", "--no-cache"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let after = std::fs::read_to_string(dir.path().join("index.ts")).unwrap();
        assert_eq!(
            after.contains("const SITE = \"US1_FED\";"),
            fixed,
            "{rest}\n{after}"
        );
    }
}

#[test]
fn a_python_config_default_is_the_value_when_no_stack_sets_it() {
    let code = r#"import pulumi
import pulumi_mongodbatlas as atlas
cfg = pulumi.Config()
atlas.AdvancedCluster("a", project_id="65a1b2c3d4e5f60718293a4b", cluster_type="REPLICASET",
    replication_specs=[{"region_configs": [{"provider_name": "AWS", "region_name": "US_GOV_WEST_1", "priority": 7,
        "electable_specs": {"instance_size": cfg.get("tier", default="M10"), "node_count": 3}}]}])
"#;
    let (found, _) = check(&[("Pulumi.yaml", PY_PROJECT), ("__main__.py", code)]);
    assert_eq!(found, ["__main__.py:6:46: GOV002"]);
    let stack = "config:\n  infra:tier: M40\n";
    let (found, _) = check(&[
        ("Pulumi.yaml", PY_PROJECT),
        ("Pulumi.prod.yaml", stack),
        ("__main__.py", code),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_suppression_is_a_comment_not_text_in_a_string() {
    let py = |directive: &str| {
        format!(
            "import pulumi_mongodbatlas as atlas\n{directive}\natlas.Project(\"p\", name=\"p\", org_id=\"5f1d2c3b4a5968776a5b4c3e\")\n"
        )
    };
    let allow = "atlasgov-lint: allow GOV005 -- a test project";
    for (directive, suppressed) in [
        (format!("# {allow}"), true),
        (format!("NOTE = \"\"\"\n# {allow}\"\"\""), false),
    ] {
        let (found, _) = check(&[
            ("Pulumi.yaml", PY_PROJECT),
            ("__main__.py", &py(&directive)),
        ]);
        assert_eq!(found.is_empty(), suppressed, "{directive}: {found:?}");
    }
    let ts = |directive: &str| {
        format!(
            "import * as atlas from \"@pulumi/mongodbatlas\";\n{directive}\nnew atlas.Project(\"p\", {{ name: \"p\", orgId: \"5f1d2c3b4a5968776a5b4c3e\" }});\n"
        )
    };
    for (directive, suppressed) in [
        (format!("// {allow}"), true),
        (format!("const note = `\n// {allow}`;"), false),
    ] {
        let (found, _) = check(&[("Pulumi.yaml", PROJECT), ("index.ts", &ts(&directive))]);
        assert_eq!(found.is_empty(), suppressed, "{directive}: {found:?}");
    }
}

#[test]
fn modules_of_one_program_keep_their_own_names() {
    let a = "import * as atlas from \"@pulumi/mongodbatlas\";\nconst project = new atlas.Project(\"a\", { name: \"a\", orgId: \"5f1d2c3b4a5968776a5b4c3e\", regionUsageRestrictions: \"GOV_REGIONS_ONLY\" });\n";
    let b = "import * as atlas from \"@pulumi/mongodbatlas\";\nconst project = new atlas.Project(\"b\", { name: \"b\", orgId: \"5f1d2c3b4a5968776a5b4c3e\", regionUsageRestrictions: \"COMMERCIAL_FEDRAMP_REGIONS_ONLY\" });\nnew atlas.AdvancedCluster(\"c\", { projectId: project.id, clusterType: \"REPLICASET\", replicationSpecs: [{ regionConfigs: [{ providerName: \"AWS\", regionName: \"US_GOV_WEST_1\", priority: 7, electableSpecs: { instanceSize: \"M30\", nodeCount: 3 } }] }] });\n";
    let (found, _) = check(&[("Pulumi.yaml", PROJECT), ("a.ts", a), ("b.ts", b)]);
    assert_eq!(found, ["b.ts:3:156: GOV004"]);
}

/// A constant is read only when nothing else can bind its name: a function's local or
/// parameter of that name, or an assignment in any form, makes every use unknown.
#[test]
fn names_bound_elsewhere_are_not_guessed() {
    let ts_cluster = "new atlas.AdvancedCluster(name, { projectId: \"65a1b2c3d4e5f60718293a4b\", clusterType: \"REPLICASET\", replicationSpecs: [{ regionConfigs: [{ providerName: \"AWS\", regionName: \"US_GOV_WEST_1\", priority: 7, electableSpecs: { instanceSize: tier, nodeCount: 3 } }] }] })";
    for (code, found_expected) in [
        (
            format!(
                "const tier = \"M10\";\n{}",
                ts_cluster.replace("name,", "\"c\",")
            ),
            true,
        ),
        (
            format!(
                "function dev() {{ const tier = \"M10\"; return tier; }}\nfunction mk(name: string, tier: string) {{ return {ts_cluster}; }}\n"
            ),
            false,
        ),
        (
            format!("const tier = \"M10\";\nconst mk = (name, tier) => {ts_cluster};\n"),
            false,
        ),
        (
            format!(
                "let tier = \"M10\";\n[tier] = [\"M30\"];\n{}",
                ts_cluster.replace("name,", "\"c\",")
            ),
            false,
        ),
        (
            format!(
                "let tier = \"M10\";\nfor (tier of [\"M30\"]) {{}}\n{}",
                ts_cluster.replace("name,", "\"c\",")
            ),
            false,
        ),
    ] {
        let code = format!("import * as atlas from \"@pulumi/mongodbatlas\";\n{code}");
        let (found, _) = check(&[("Pulumi.yaml", PROJECT), ("index.ts", &code)]);
        assert_eq!(!found.is_empty(), found_expected, "{code}\n{found:?}");
    }
    let py_cluster = "atlas.AdvancedCluster(\"c\", project_id=\"65a1b2c3d4e5f60718293a4b\", cluster_type=\"REPLICASET\", replication_specs=[{\"region_configs\": [{\"provider_name\": \"AWS\", \"region_name\": \"US_GOV_WEST_1\", \"priority\": 7, \"electable_specs\": {\"instance_size\": tier, \"node_count\": 3}}]}])";
    for (pre, found_expected) in [
        ("tier = \"M10\"", true),
        ("tier = \"M10\"\ntier, x = \"M30\", 1", false),
        ("tier = \"M10\"\nx = tier = \"M30\"", false),
        ("tier = \"M10\"\nif big: tier = \"M30\"", false),
        (
            "tier = \"M10\"\nfor i, tier in enumerate([\"M30\"]): pass",
            false,
        ),
        (
            "def dev():\n    tier = \"M10\"\n    return tier\ntier = \"M30\"",
            false,
        ),
    ] {
        let code = format!("import pulumi_mongodbatlas as atlas\n{pre}\n{py_cluster}\n");
        let (found, _) = check(&[("Pulumi.yaml", PY_PROJECT), ("__main__.py", &code)]);
        assert_eq!(!found.is_empty(), found_expected, "{code}\n{found:?}");
    }
}

/// What pre-commit and editors pass: one changed file (a module, a stack in
/// `stackConfigDir`), a directory below the project, or an absolute path. Each is judged in
/// its project, in a repository and outside one (each failed before: skipped, or the stack's
/// value unseen).
#[test]
fn a_file_or_directory_below_its_project_is_judged_in_it() {
    let project = "name: infra\nruntime: nodejs\nmain: src/index.ts\nstackConfigDir: stacks\n";
    let module = "import * as pulumi from \"@pulumi/pulumi\";\nimport * as atlas from \"@pulumi/mongodbatlas\";\nconst config = new pulumi.Config();\nnew atlas.AdvancedCluster(\"c\", {\n  projectId: \"65a1b2c3d4e5f60718293a4b\",\n  clusterType: \"REPLICASET\",\n  replicationSpecs: [{ regionConfigs: [{ providerName: config.require(\"provider\"), regionName: \"US_GOV_VIRGINIA\", priority: 7, electableSpecs: { instanceSize: \"M30\", nodeCount: 3 } }] }],\n});\n";
    let stack = "config:\n  mongodbatlas:isMongodbgovCloud: \"true\"\n  infra:provider: AZURE\n";
    for repository in [false, true] {
        let mut files = vec![
            ("infra/Pulumi.yaml", project),
            ("infra/stacks/Pulumi.dev.yaml", stack),
            ("infra/src/index.ts", "import \"./components/db\";\n"),
            ("infra/src/components/db.ts", module),
        ];
        if repository {
            files.push((".git/HEAD", "ref: refs/heads/main\n"));
        }
        let at_use = "infra/src/components/db.ts:7:56: GOV001";
        let at_stack = "infra/stacks/Pulumi.dev.yaml:3:19: GOV001";
        for (args, expected) in [
            (&["."][..], at_use),
            (&["infra/src"], at_use),
            (&["infra/src/components"], at_use),
            (&["infra/src/components/db.ts"], at_use),
            (&["{dir}/infra/src/components/db.ts"], at_use),
            (&["{dir}/infra/src"], at_use),
            (&["infra/stacks/Pulumi.dev.yaml"], at_stack),
            (&["infra/stacks"], at_stack),
            (&["{dir}/infra/stacks/Pulumi.dev.yaml"], at_stack),
        ] {
            let (found, skipped) = check_paths(&files, args);
            assert_eq!(found, [expected], "{args:?} (repository: {repository})");
            assert!(skipped.is_empty(), "{args:?}: {skipped:?}");
        }
    }
}

/// A `Pulumi.yaml` above the repository root holds none of its modules: the repository's
/// code is application code, not read (it was listed as skipped).
#[test]
fn a_project_above_the_repository_holds_none_of_its_modules() {
    let module = format!(
        "import * as atlas from \"@pulumi/mongodbatlas\";\nnew atlas.AdvancedCluster(\"c\", {AZURE_CLUSTER});\n"
    );
    let files = [
        ("Pulumi.yaml", PROJECT),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/src/index.ts", module.as_str()),
    ];
    let (found, skipped) = check_paths(&files, &["repo"]);
    assert!(
        found.is_empty() && skipped.is_empty(),
        "{found:?} {skipped:?}"
    );
    // Outside a repository, the project above is the program's, as Pulumi would find it.
    let (found, _) = check_paths(
        &files[..1]
            .iter()
            .chain(&files[2..])
            .copied()
            .collect::<Vec<_>>(),
        &["repo"],
    );
    assert_eq!(found, ["repo/src/index.ts:5:58: GOV001"]);
}

/// A check of one stack file reads the program's modules as context: one that no project
/// reads (a generator outside `main`'s program) is not the check's to list as skipped (it was,
/// and counted).
#[test]
fn a_stack_file_checked_alone_lists_no_context_file_as_skipped() {
    let project = "name: infra\nruntime: nodejs\n";
    let generator = "import * as atlas from \"@pulumi/mongodbatlas\";\nexport const T = atlas.AdvancedCluster;\n";
    let files = [
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("p/Pulumi.yaml", project),
        ("p/Pulumi.dev.yaml", GOV_STACK),
        (
            "p/index.ts",
            "import * as atlas from \"@pulumi/mongodbatlas\";\n",
        ),
        ("p/tools/Pulumi.yaml", "name: tools\nruntime: go\n"),
        ("p/tools/gen.ts", generator),
    ];
    let (found, skipped) = check_paths(&files, &["p/Pulumi.dev.yaml"]);
    assert!(
        found.is_empty() && skipped.is_empty(),
        "{found:?} {skipped:?}"
    );
    // Checked itself, it is listed.
    let (_, skipped) = check_paths(&files, &["p/tools/gen.ts"]);
    assert_eq!(skipped, ["p/tools/gen.ts"]);
}

/// `main: ../src`: a project whose program sits beside it. A walk of the repository keeps the
/// program's modules (it dropped them unread and unlisted, since no `Pulumi.yaml` is above
/// them).
#[test]
fn a_main_directory_beside_the_project_is_read_in_a_walk() {
    let module = format!(
        "import * as atlas from \"@pulumi/mongodbatlas\";\nnew atlas.AdvancedCluster(\"c\", {AZURE_CLUSTER});\n"
    );
    for main in ["../src", "'../src/'", "\"../src/index.ts\"  # the program"] {
        let project = format!("name: shop\nruntime: nodejs\nmain: {main}\n");
        let (found, skipped) = check(&[
            ("deploy/Pulumi.yaml", &project),
            ("deploy/Pulumi.dev.yaml", GOV_STACK),
            ("src/index.ts", &module),
        ]);
        assert_eq!(found, ["src/index.ts:5:58: GOV001"], "{main}");
        assert!(skipped.is_empty(), "{skipped:?}");
    }
}

/// A stack file checked alone reads the program's modules below `main` however many other
/// spec directories sit there (300 directories of unrelated YAML used up the bound of linked
/// directories, and the module after them was not read).
#[test]
fn a_stack_checked_alone_reads_modules_past_many_other_directories() {
    let module = format!(
        "import * as pulumi from \"@pulumi/pulumi\";\nimport * as atlas from \"@pulumi/mongodbatlas\";\nconst config = new pulumi.Config();\nnew atlas.AdvancedCluster(\"c\", {});\n",
        AZURE_CLUSTER.replace("\"AZURE\"", "config.require(\"provider\")")
    );
    let stack = "config:\n  mongodbatlas:isMongodbgovCloud: \"true\"\n  infra:provider: AZURE\n";
    let others: Vec<(String, &str)> = (0..300)
        .map(|i| (format!("a/d{i}/x.yaml"), "kind: ConfigMap\n"))
        .collect();
    let mut files: Vec<(&str, &str)> = vec![
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("Pulumi.yaml", PROJECT),
        ("Pulumi.dev.yaml", stack),
        ("z/components/db.ts", &module),
    ];
    files.extend(others.iter().map(|(n, t)| (n.as_str(), *t)));
    let (found, _) = check_paths(&files, &["Pulumi.dev.yaml"]);
    assert_eq!(found, ["Pulumi.dev.yaml:3:19: GOV001"]);
}

/// Nested one-element tuples in a Python program (`noise = ((((1,),),),)`, valid Python) leave
/// the rest of the program readable. A parenthesised value that turned out to be a tuple had
/// its first item read twice, so each level doubled the work: thirty spent the reader's
/// million-value budget and the whole program was skipped (fuzz target `code`, a slow unit at
/// about 300,000 runs on 5c1e83b, with unclosed brackets).
#[test]
fn nested_tuples_in_a_python_program_leave_the_rest_readable() {
    let program = format!(
        "import pulumi_mongodbatlas as atlas\n\nnoise = {}1{}\n\ncluster = atlas.AdvancedCluster(\"orders\",\n    project_id=\"0123456789abcdef01234567\",\n    name=\"orders\",\n    cluster_type=\"REPLICASET\",\n    replication_specs=[atlas.AdvancedClusterReplicationSpecArgs(\n        region_configs=[atlas.AdvancedClusterReplicationSpecRegionConfigArgs(\n            provider_name=\"AZURE\",\n            region_name=\"US_GOV_WEST_1\",\n            priority=7,\n        )],\n    )])\n",
        "(".repeat(30),
        ",)".repeat(30)
    );
    let (findings, skipped) = check(&[
        ("Pulumi.yaml", "name: orders\nruntime: python\n"),
        ("__main__.py", &program),
    ]);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(findings, ["__main__.py:11:27: GOV001"]);
}

/// A program with a bracket that is never closed is not valid code: what follows it would be
/// read as part of it (its clusters unseen, the file passed in silence). It is skipped, and
/// the note says which bracket.
#[test]
fn a_program_with_an_unclosed_bracket_is_skipped_with_the_place() {
    let ts = "import * as atlas from \"@pulumi/mongodbatlas\";\n\nconst noise = {a: {a: 1};\n\nnew atlas.AdvancedCluster(\"c\", {\n    projectId: \"0123456789abcdef01234567\",\n    clusterType: \"REPLICASET\",\n    replicationSpecs: [{ regionConfigs: [{ providerName: \"AZURE\", regionName: \"US_GOV_WEST_1\", priority: 7 }] }],\n});\n";
    let (findings, skipped) = check(&[("Pulumi.yaml", PROJECT), ("index.ts", ts)]);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(skipped, ["index.ts"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Pulumi.yaml"), "name: p\nruntime: python\n").unwrap();
    std::fs::write(
        dir.path().join("__main__.py"),
        "import pulumi_mongodbatlas as atlas\n\nnoise = f(((\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
        .args(["check", "--no-cache", "--format", "concise", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("skipped __main__.py: a Pulumi program's code that was not read: the `(` at line 3, column 10 is never closed"),
        "{text}"
    );
}
