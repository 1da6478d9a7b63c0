//! Files that name Atlas but that no adapter could read: listed as skipped, never counted as
//! checked (a compliance gate must not pass a spec it did not read).
//!
//! A file the walk considers (see `source`) whose text holds one of [`MARKERS`] (the names of
//! Atlas spec formats: Terraform and Pulumi resource types, CloudFormation types, the Atlas
//! Operator's API groups; each holds an adapter's needle, so such a file is always parsed) is
//! *unread* when nothing came of it: no model value, no finding, nothing kept for a
//! multi-file step, no suppression comment, and no document of it in a format an adapter
//! reads even when it finds nothing to check there ([`recognized`]: a Kubernetes object, a
//! CloudFormation template, `terraform show -json` output, Terraform state, a shell script, a
//! CI configuration), or that is a schema rather than a spec (a JSON Schema, a CloudFormation
//! resource type's schema). A README or a description that mentions Atlas is not a file the walk
//! considers; a CI workflow that runs `terraform` on a `mongodbatlas` module is read (as a CI
//! configuration) and stays silent.

use super::{atlas_cli, terraform};
use crate::document::Node;
use crate::document::shell::Dialect;

/// Names of Atlas spec formats.
pub const MARKERS: &[&str] = &[
    "mongodbatlas_",
    "mongodbatlas:",
    "mongodbatlas.",
    "MongoDB::Atlas::",
    "atlas.mongodb.com/v1",
    "atlas.generated.mongodb.com/v1",
];

/// The first of [`MARKERS`] in `text`.
pub fn atlas_marker(text: &str) -> Option<&'static str> {
    MARKERS
        .iter()
        .find(|m| memchr::memmem::find(text.as_bytes(), m.as_bytes()).is_some())
        .copied()
}

/// Words that only Atlas specs and the files around them hold: an Atlas format's name
/// ([`MARKERS`], `mongodbatlas`), an Admin API body's structure, Atlas's domains, the
/// Atlas CLI's commands and settings. The adapters' needles, which choose the files to parse,
/// also include common words (`username`, `orgId`, `DATADOG`, `serviceUrl`), which files of
/// other kinds hold as often: a file that does not parse is taken for a broken Atlas spec
/// (GOV000) only when it holds one of these ([`names_atlas`]).
const ATLAS_WORDS: &[&str] = &[
    "mongodbatlas",
    "MongoDB::Atlas::",
    "atlas.mongodb.com",
    "regionConfigs",
    "regionsConfig",
    "replicationSpec",
    "providerSettings",
    "regionUsageRestrictions",
    "providerName",
    "instanceSize",
    "electableSpecs",
    "backingProviderName",
    "instanceSizeName",
    "atlasCidrBlock",
    "eventTypeName",
    "awsIAMType",
    "x509Type",
    "ldapAuthType",
    "oidcAuthType",
    "mongodbgov",
    "mongodb.net",
    "cloud.mongodb.com",
    "MONGODB_ATLAS_",
    // The Atlas CLI's commands, singular aliases included (`atlas cluster` is `atlas clusters`).
    "atlas cluster",
    "atlas project",
    "atlas dbuser",
    "atlas stream",
    "atlas backup",
    "atlas alert",
    "atlas integration",
    "atlas privateEndpoint",
    "atlas networking",
    "atlas dataFederation",
    "atlas datafederation",
    "atlas data-federation",
    "atlas serverless",
    "atlas sl ",
    "atlas auth",
    "atlas setup",
    "atlas quickstart",
    "atlas deployments",
    "atlas config",
];

/// Keys whose value in an Atlas body is an Atlas id (24 hex digits): a broken body with
/// `"orgId": "5f1d..."` or `"groupId": ...` is an Atlas body (a project, a database user).
const ID_KEYS: &[&str] = &["orgId", "groupId", "projectId"];

/// Whether a file's text names Atlas itself, beyond the common words that led to parsing it
/// (see [`ATLAS_WORDS`]).
pub fn names_atlas(text: &str) -> bool {
    ATLAS_WORDS
        .iter()
        .any(|w| memchr::memmem::find(text.as_bytes(), w.as_bytes()).is_some())
        || ID_KEYS.iter().any(|k| has_atlas_id(text, k))
}

/// Whether `key` is followed, as a JSON or YAML key, by an Atlas id (24 hex digits).
fn has_atlas_id(text: &str, key: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, key.as_bytes()).any(|at| {
        let mut i = at + key.len();
        // `": "`, `: `, `: '`
        let mut seen_colon = false;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' | b'\'' | b' ' | b'\t' => i += 1,
                b':' if !seen_colon => {
                    seen_colon = true;
                    i += 1;
                }
                _ => break,
            }
            if i > at + key.len() + 8 {
                break;
            }
        }
        seen_colon
            && bytes
                .get(i..i + 24)
                .is_some_and(|id| id.iter().all(u8::is_ascii_hexdigit))
            && !bytes.get(i + 24).is_some_and(u8::is_ascii_hexdigit)
    })
}

/// Whether a `.json` file that does not parse as one value is JSON Lines: one value per line,
/// as `mongoexport` writes collections and loggers write events. Data, not a spec (the Atlas
/// CLI and the Admin API take one body), so it is not reported.
pub fn is_json_lines(text: &str, limits: &crate::document::Limits) -> bool {
    let mut values = 0;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !(line.starts_with('{') || line.starts_with('[')) {
            return false;
        }
        if crate::document::parse(line, crate::document::Syntax::Json, limits).is_err() {
            return false;
        }
        values += 1;
    }
    values > 1
}

/// Whether a file holds template statements other than `{{ }}` actions: ERB's `<% %>` (Rails'
/// `config/*.yml`), Jinja's `{% %}` (Ansible, Salt). Such a file that does not parse as it
/// stands is an unrendered template, not a broken spec.
pub fn has_statement_template(text: &str) -> bool {
    let has = |open: &[u8], close: &[u8]| {
        memchr::memmem::find(text.as_bytes(), open).is_some_and(|at| {
            memchr::memmem::find(text.as_bytes().get(at..).unwrap_or(&[]), close).is_some()
        })
    };
    has(b"<%", b"%>") || has(b"{%", b"%}")
}

/// `text` with each `${NAME}` placeholder (as `envsubst` fills them in a body template:
/// `"nodeCount": ${NODE_COUNT}`) replaced by `0` and blanks, same length, so spans stay; `None`
/// when it has none. A template that parses so is an unrendered template; one that does not
/// is broken elsewhere too.
pub fn neutral_placeholders(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut found = false;
    for i in memchr::memmem::find_iter(bytes, b"${") {
        let name = bytes.get(i + 2..).unwrap_or(&[]);
        let len = name
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if len == 0 || name.get(len) != Some(&b'}') {
            continue;
        }
        if let Some(slot) = out.get_mut(i..i + len + 3) {
            slot.fill(b' ');
            if let Some(first) = slot.first_mut() {
                *first = b'0';
            }
            found = true;
        }
    }
    // Only ASCII bytes were written over ASCII bytes.
    found.then(|| String::from_utf8(out).ok()).flatten()
}

/// Why an unread file is skipped.
pub fn reason(marker: &str) -> String {
    format!(
        "names Atlas (`{marker}`) but is in no format atlasgov-lint reads, so nothing in it was checked"
    )
}

/// Why a PowerShell script (which no adapter reads) is skipped, when it uses Atlas: runs the
/// Atlas CLI (PowerShell's command names have no case: `Atlas clusters create`,
/// `Start-Process -FilePath atlas`, `atlas.exe`) or names its API. `None` for another script.
pub fn powershell_reason(text: &str) -> Option<&'static str> {
    const USES: &[&str] = &[
        "atlas.exe",
        "atlas -",
        "atlas'",
        "atlas\"",
        "cloud.mongodb",
        "/api/atlas/",
        "mongodb_atlas_",
    ];
    let lower = text.to_ascii_lowercase();
    let uses_atlas = atlas_cli::runs_atlas_cli(&lower)
        || USES
            .iter()
            .any(|w| memchr::memmem::find(lower.as_bytes(), w.as_bytes()).is_some());
    uses_atlas.then_some(
        "a PowerShell script that uses Atlas (the Atlas CLI or its API): PowerShell is not read, so nothing in it was checked",
    )
}

/// Why a program's manifest (`go.mod`, a .NET project, `pom.xml`, a Gradle build) is
/// skipped: its program uses Pulumi's Atlas provider (the Go module
/// `github.com/pulumi/pulumi-mongodbatlas/sdk`, the NuGet package `Pulumi.Mongodbatlas`, the
/// Maven artifact `com.pulumi:mongodbatlas`), in a language atlasgov-lint does not read.
pub fn pulumi_program_reason(text: &str) -> Option<&'static str> {
    const USES: &[&str] = &[
        "github.com/pulumi/pulumi-mongodbatlas/sdk",
        "\"pulumi.mongodbatlas\"",
        "com.pulumi:mongodbatlas",
        "<artifactid>mongodbatlas</artifactid>",
    ];
    // What the manifest requires: not its comments, nor its own module's name (the SDK's
    // own `go.mod`).
    let lower = text.to_ascii_lowercase();
    let uses = lower.lines().any(|line| {
        let line = line.trim_start();
        let said = ["//", "#", "<!--", "module "]
            .iter()
            .any(|p| line.starts_with(p));
        !said && USES.iter().any(|w| line.contains(w))
    });
    uses.then_some(
        "a Pulumi program in Go, .NET or Java that uses the mongodbatlas provider: these languages are not read, so nothing in the program was checked (Pulumi programs are read in YAML, TypeScript, JavaScript and Python)",
    )
}

/// Why a file is skipped one of whose documents (at `line`) is unread, the others read.
pub fn document_reason(marker: &str, line: u32) -> String {
    format!(
        "its document at line {line} names Atlas (`{marker}`) but is in no format atlasgov-lint reads, so nothing in that document was checked (the file's other documents were)"
    )
}

/// Whether a document is in a format an adapter reads, whether or not it found anything to
/// check in it.
pub fn recognized(root: &Node) -> bool {
    if root.tag.as_deref().and_then(Dialect::of_tag).is_some()
        || root.tag.as_deref() == Some(crate::document::shell::HEREDOCS_TAG)
    {
        return true;
    }
    let text = |key: &str| root.get(key).and_then(Node::as_str);
    // A Kubernetes object (the kubernetes adapter passes over the kinds it does not map), but
    // not one of an Atlas provider for another controller (Crossplane's `mongodbatlas.*`).
    if let (Some(api_version), Some(_)) = (text("apiVersion"), text("kind")) {
        return !api_version.contains("mongodbatlas");
    }
    let has = |key: &str| root.get(key).is_some();
    // Terraform state (the state adapter reads every resource of it).
    if has("resources") && terraform::state::is_state(&crate::document::Cursor::root(root)) {
        return true;
    }
    // A CloudFormation template, `terraform show -json` output; a schema, not a spec: a JSON
    // Schema, a CloudFormation resource type's schema (`typeName: MongoDB::Atlas::Cluster`
    // with its `properties`).
    if has("Resources")
        || has("AWSTemplateFormatVersion")
        || has("format_version")
        || has("$schema")
        || (text("typeName").is_some() && has("properties"))
    {
        return true;
    }
    // A CI configuration: GitHub Actions or CircleCI jobs, a composite action, GitLab jobs,
    // an AWS CodeBuild build specification, Bitbucket Pipelines.
    let jobs = root.get("jobs").is_some_and(|j| j.as_map().is_some());
    let scripts = |n: &Node| atlas_cli::CI_SCRIPT_KEYS.iter().any(|k| n.get(k).is_some());
    jobs || has("runs")
        || (has("version") && has("phases"))
        || root.get("pipelines").is_some_and(|p| p.as_map().is_some())
        || scripts(root)
        || root
            .as_map()
            .is_some_and(|entries| entries.iter().any(|e| scripts(&e.value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Limits, Syntax, parse};

    fn recognizes(text: &str) -> bool {
        let doc = parse(text, Syntax::Yaml, &Limits::default()).unwrap_or_default();
        doc.roots.iter().any(recognized)
    }

    #[test]
    fn formats_read_even_when_nothing_is_found() {
        assert!(recognizes(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasTeam\n"
        ));
        assert!(recognizes(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
        ));
        assert!(recognizes("Resources: {}\n"));
        assert!(recognizes(
            "version: 4\nterraform_version: 1.9.0\nresources:\n  - type: mongodbatlas_project_ip_access_list\n"
        ));
        assert!(recognizes("jobs:\n  a:\n    steps: []\n"));
        assert!(recognizes("build:\n  script: [make]\n"));
        assert!(recognizes(
            "typeName: MongoDB::Atlas::Cluster\nproperties: {}\nhandlers: {}\n"
        ));
        assert!(!recognizes(
            "apiVersion: mongodbatlas.crossplane.io/v1alpha1\nkind: Cluster\n"
        ));
        assert!(!recognizes("resource:\n  mongodbatlas_cluster: {}\n"));
        assert_eq!(
            atlas_marker("x mongodbatlas_project y"),
            Some("mongodbatlas_")
        );
        assert_eq!(atlas_marker("@pulumi/mongodbatlas"), None);
    }
}
