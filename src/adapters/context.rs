//! Which files can matter to a check of another file. A check of one file reads the spec files
//! of its directory and of those above it as context (see the engine): their projects are
//! what its resources link to, and a multi-file step may build what it checks from them. Their
//! own findings are never reported. A directory of ten thousand cluster bodies gives a check of
//! one of them nothing but cost, so each context file is first scanned for the bytes without
//! which it cannot give another file's check anything ([`may_give_context`]), and only those
//! that have them are parsed.
//!
//! What another file's check can use of a file's per-file result: its projects (linking), its
//! key aliases (linking), its resources that name a project by id or key (GOV004 judges the
//! clusters that name one unknown project together), what it keeps for a multi-file step (a
//! Terraform module's other files, kustomize, Helm and Pulumi files, the Atlas CLI's command
//! lines with their `--file` bodies). Everything else it gives (a cluster that links by
//! directory, a connection string) is judged on its own and reported in that file, so never.

use std::path::Path;

use super::{ALL, applicable, multi_file};
use crate::document::Syntax;

/// The keys by which an Admin API body gives linking anything: a project body has
/// `regionUsageRestrictions`, or `name` and `orgId` (see `api::project`), and a body names its
/// project by `groupId` (see `common::origin`). Keys are read exactly (`Cursor::get`); a key
/// written with escapes (`"org\u0049d"`) is why a backslash counts too.
const API_LINK_MARKERS: &[&str] = &["regionUsageRestrictions", "orgId", "groupId", "\\"];

/// The adapters whose results another file's check cannot use unless a marker says so: the
/// Admin API's (projects and project ids are the markers above) and the any-file adapter's
/// (connection strings, base URLs, mechanism lists: each judged where it is written).
const MARKED: &[&str] = &["atlas-admin-api", "any-file"];

/// Whether the file at `path` (read as `syntax`, its text `text`) may give a check of another
/// file anything: `false` only when it cannot, whatever it holds beyond its bytes. A file that
/// no adapter and no multi-file step reads gives nothing; a file another format's adapter reads
/// (Kubernetes, CloudFormation, Terraform plans and state, Atlas CLI command lines) or that a
/// multi-file step wants is always read; an Admin API body is read when it may be a project or
/// name one ([`API_LINK_MARKERS`]).
pub fn may_give_context(path: &Path, syntax: Syntax, text: &str) -> bool {
    let which = applicable(text);
    let interest = multi_file::interest(path, syntax, text);
    if interest.parse || interest.settings_file || multi_file::reads_whole_file(path, syntax) {
        return true;
    }
    if matches!(syntax, Syntax::Shell(_)) && !which.is_empty() {
        return true;
    }
    let unmarked = ALL
        .iter()
        .enumerate()
        .any(|(i, a)| which.contains(i) && !MARKED.contains(&a.name));
    if unmarked {
        return true;
    }
    if is_json_patch(text) {
        return true;
    }
    let api = ALL.iter().position(|a| a.name == "atlas-admin-api");
    if api.is_some_and(|i| which.contains(i)) {
        return API_LINK_MARKERS
            .iter()
            .any(|m| memchr::memmem::find(text.as_bytes(), m.as_bytes()).is_some());
    }
    false
}

/// Whether `text` may be a JSON patch (RFC 6902: a list of `op`/`path`/`value` entries), which
/// a kustomization applies by file name (`patchesJson6902`, `patches`). It has no
/// `apiVersion`/`kind` to mark it, and its `value` may look like an Admin API body.
fn is_json_patch(text: &str) -> bool {
    let has = |needle: &str| memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some();
    (has("op:") || has("\"op\"")) && has("path")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gives(name: &str, syntax: Syntax, text: &str) -> bool {
        may_give_context(Path::new(name), syntax, text)
    }

    #[test]
    fn a_kustomize_json_patch_is_read() {
        let ops = "- op: add\n  path: /spec/x\n  value:\n    providerName: AWS\n";
        assert!(gives("dr-region.yaml", Syntax::Yaml, ops));
        let ops = r#"[{"op": "replace", "path": "/spec/x", "value": {"regionName": "US_EAST_1"}}]"#;
        assert!(gives("dr-region.json", Syntax::Json, ops));
    }

    #[test]
    fn a_cluster_body_that_links_by_directory_gives_nothing() {
        let cluster = r#"{"name": "c", "replicationSpecs": [{"regionConfigs": []}]}"#;
        assert!(!gives("c.json", Syntax::Json, cluster));
        assert!(!gives("unrelated.yaml", Syntax::Yaml, "name: web\n"));
        let uri = "uri: mongodb+srv://u@c.mongodb.com/?authMechanism=SCRAM-SHA-1\n";
        assert!(!gives("app.yaml", Syntax::Yaml, uri));
    }

    #[test]
    fn projects_project_ids_and_other_formats_are_read() {
        let project =
            r#"{"name": "p", "orgId": "x", "regionUsageRestrictions": "GOV_REGIONS_ONLY"}"#;
        assert!(gives("p.json", Syntax::Json, project));
        let named = r#"{"groupId": "5f1d2c3b4a5968776a5b4c3d", "replicationSpecs": [{"regionConfigs": []}]}"#;
        assert!(gives("c.json", Syntax::Json, named));
        // A key written with escapes; the needle makes the body one the engine parses.
        let escaped = r#"{"name": "p", "org\u0049d": "x", "providerName": "AWS"}"#;
        assert!(gives("p.json", Syntax::Json, escaped));
        assert!(!gives("p.json", Syntax::Json, &escaped.replace('\\', "")));
        let k8s = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\n";
        assert!(gives("d.yaml", Syntax::Yaml, k8s));
        assert!(gives("variables.tf", Syntax::Hcl, "variable \"x\" {}\n"));
        assert!(gives(
            "kustomization.yaml",
            Syntax::Yaml,
            "resources: [a.yaml]\n"
        ));
    }
}
