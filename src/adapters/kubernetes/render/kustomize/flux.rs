//! Flux `Kustomization` objects (`kustomize.toolkit.fluxcd.io`): what Flux's
//! kustomize-controller applies. It builds `spec.path` of its source (the directory's
//! kustomization, or one made of the manifests in it), applies `spec.patches` and
//! `spec.targetNamespace` on top, then fills in `${VAR}` from `spec.postBuild.substitute`.
//!
//! The source is the repository the Flux object is in: `spec.path` is looked for from the
//! Flux file's directory up, the first directory up whose `spec.path` exists (Flux resolves it
//! from the source's root). A variable set in `substitute` is located at its value there, so a
//! finding about `regionName: ${REGION}` points at `REGION: US_EAST_1` in the Flux file.
//! Unknown, and left as written: variables that `substitute` does not set (`substituteFrom`
//! names ConfigMaps and Secrets of the cluster, and Flux makes an unset variable empty),
//! Bash-style operations other than defaults (`${VAR/a/b}`, `${VAR:0:2}`), `$${VAR}`
//! escapes, objects that turn substitution off.

use std::path::{Path, PathBuf};

use super::super::sources::Sources;
use super::build::{self, Rendering};
use super::{FILE_NAMES, Kustomization, Named, patch_entries};
use crate::document::{Cursor, Node, Value};
use crate::model::SourceFile;

/// The API group of Flux's kustomize-controller, as an `apiVersion` starts.
const API: &str = "kustomize.toolkit.fluxcd.io/";

/// Directories up from a Flux file where its `spec.path` is looked for, at most.
const MAX_UP: usize = 16;

/// Whether a text may hold a Flux `Kustomization`.
pub(crate) fn is_candidate(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), API.as_bytes()).is_some()
}

/// One Flux `Kustomization`, read.
pub(super) struct Flux {
    /// The document of its file it is.
    doc: usize,
    /// What it builds: a kustomization in the Flux file's directory naming `spec.path`, or
    /// one in `spec.path` naming its manifests.
    kustomization: Kustomization,
    /// `spec.path`, as the run spells it.
    pub(super) target: PathBuf,
    /// The variables `substitute` sets (name, value in the span space); `None` when a value
    /// is not a string.
    vars: Vec<(String, Option<Node>)>,
    /// Whether `substituteFrom` names more (unknown here).
    more_vars: bool,
}

/// The Flux `Kustomization`s of a file (source `source`, documents `roots` with the file's
/// own spans) whose `spec.path` is found.
pub(super) fn read(
    path: &Path,
    source: usize,
    roots: &[Node],
    sources: &mut Sources<'_>,
) -> Vec<Flux> {
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut out = Vec::new();
    for (doc, root) in roots.iter().enumerate() {
        let api = root.get("apiVersion").and_then(Node::as_str);
        if !api.is_some_and(|a| a.starts_with(API))
            || root.get("kind").and_then(Node::as_str) != Some("Kustomization")
        {
            continue;
        }
        let cur = Cursor::root(root);
        let Some(spec) = cur.get("spec") else {
            continue;
        };
        // An empty path is the source's root, which is not known here.
        let Some(wanted) = spec
            .node
            .get("path")
            .and_then(Node::as_str)
            .map(|p| p.trim_start_matches("./").trim_end_matches('/'))
            .filter(|p| !p.is_empty() && *p != ".")
        else {
            continue;
        };
        let Some((rel, target)) = find_target(&dir, wanted, sources) else {
            continue;
        };
        // Its kustomization, included from the Flux file's directory; or the manifests in it
        // (Flux makes a kustomization of them), read from there.
        let (home, resources) = if FILE_NAMES.iter().any(|n| sources.is_file(&target.join(n))) {
            (dir.clone(), vec![Named { value: rel }])
        } else {
            let manifests = sources
                .list(&target)
                .into_iter()
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
                })
                .filter_map(|p| {
                    Some(Named {
                        value: p.file_name()?.to_str()?.to_string(),
                    })
                })
                .collect();
            (target.clone(), manifests)
        };
        let substitute = spec.get("postBuild").and_then(|p| p.get("substitute"));
        let vars = substitute
            .and_then(|s| s.node.as_map())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| {
                let name = e.key.scalar_text()?.to_string();
                let value = matches!(e.value.value, Value::String(_))
                    .then(|| sources.node(source, &e.value));
                Some((name, value))
            })
            .collect();
        let more_vars = spec
            .node
            .get("postBuild")
            .and_then(|p| p.get("substituteFrom"))
            .is_some_and(|s| s.as_seq() != Some(&[]));
        let mut not_run = Vec::new();
        if spec.node.get("components").is_some() {
            not_run.push("components (of a Flux Kustomization)");
        }
        let scalar = |key: &str| {
            spec.node
                .get(key)
                .filter(|n| n.scalar_text().is_some_and(|t| !t.is_empty()))
                .cloned()
        };
        let kustomization = Kustomization {
            dir: home,
            source,
            component: false,
            resources,
            components: Vec::new(),
            patches_strategic_merge: Vec::new(),
            patches: patch_entries(&spec, "patches"),
            patches_json6902: Vec::new(),
            namespace: scalar("targetNamespace"),
            name_prefix: scalar("namePrefix"),
            name_suffix: scalar("nameSuffix"),
            labels: Vec::new(),
            annotations: Vec::new(),
            configurations: Vec::new(),
            not_run,
        };
        out.push(Flux {
            doc,
            kustomization,
            target,
            vars,
            more_vars,
        });
    }
    out
}

/// Where `spec.path` is: the first directory from `dir` up that has it (with files in it),
/// spelled from `dir` (`../../apps/atlas`) and as the run spells paths.
fn find_target(dir: &Path, wanted: &str, sources: &mut Sources<'_>) -> Option<(String, PathBuf)> {
    let mut up = String::new();
    for _ in 0..=MAX_UP {
        let rel = format!("{up}{wanted}");
        let target = crate::paths::normalize(&dir.join(&rel));
        if !sources.list(&target).is_empty() {
            return Some((rel, target));
        }
        // Up to the file system's root.
        crate::paths::normalize(&sources.absolute(&dir.join(&up))).parent()?;
        up.push_str("../");
    }
    None
}

/// Build what `flux` applies, its variables filled in.
pub(super) fn render(
    flux: &Flux,
    path: &Path,
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    notes: &mut Vec<super::Note>,
) -> Rendering {
    let mut r = build::render(&flux.kustomization, sources, files, notes);
    // Named after the Flux object (two may build one directory).
    r.dir = PathBuf::from(format!("{}#{}", path.display(), flux.doc));
    r.reports_itself_only = true;
    for obj in &mut r.objects {
        if !substitution_off(&obj.node) {
            substitute(&mut obj.node, flux, sources);
        }
    }
    r
}

/// Whether an object turns Flux's substitution off (`kustomize.toolkit.fluxcd.io/substitute:
/// disabled`, an annotation or a label).
fn substitution_off(node: &Node) -> bool {
    let meta = node.get("metadata");
    ["annotations", "labels"].iter().any(|k| {
        meta.and_then(|m| m.get(k))
            .and_then(|m| m.get("kustomize.toolkit.fluxcd.io/substitute"))
            .and_then(Node::as_str)
            == Some("disabled")
    })
}

/// Fill in the variables of every string of `node` whose variables are all known.
fn substitute(node: &mut Node, flux: &Flux, sources: &Sources<'_>) {
    match &mut node.value {
        Value::Map(entries) => {
            for e in entries {
                substitute(&mut e.value, flux, sources);
            }
        }
        Value::Seq(items) => {
            for i in items {
                substitute(i, flux, sources);
            }
        }
        Value::String(s) if s.contains("${") && node.tag.is_none() => {
            let Some(parts) = parse(s) else {
                return;
            };
            let plain = sources
                .first_byte(node.span)
                .is_some_and(|b| b != b'"' && b != b'\'');
            let retype = |text: &str| {
                if plain {
                    crate::document::yaml::resolve_plain(text)
                } else {
                    Value::String(text.into())
                }
            };
            // A string that is one variable set in the Flux object: its value, located there.
            if let [Part::Var { name, .. }] = parts.as_slice() {
                if let Some((_, Some(value))) = flux.vars.iter().find(|(n, _)| n == name) {
                    let text = value.as_str().unwrap_or_default().to_string();
                    *node = Node {
                        value: retype(&text),
                        ..value.clone()
                    };
                    return;
                }
            }
            let mut text = String::new();
            for part in &parts {
                match part {
                    Part::Text(t) => text.push_str(t),
                    Part::Var { name, default } => {
                        match (flux.vars.iter().find(|(n, _)| n == name), default) {
                            (Some((_, Some(v))), _) => {
                                text.push_str(v.as_str().unwrap_or_default());
                            }
                            // Set, but not to a string; or maybe set by `substituteFrom`.
                            (Some((_, None)), _) => return,
                            (None, _) if flux.more_vars => return,
                            (None, Some(d)) => text.push_str(d),
                            (None, None) => return,
                        }
                    }
                }
            }
            node.value = retype(&text);
        }
        _ => {}
    }
}

/// A piece of a string Flux substitutes in.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    Text(&'a str),
    /// `${NAME}`, or with a default (`${NAME:=x}`, `${NAME:-x}`, `${NAME=x}`, `${NAME-x}`).
    Var {
        name: &'a str,
        default: Option<&'a str>,
    },
}

/// The pieces of `s`; `None` when it has a form not read here (an escape, another operation).
fn parse(s: &str) -> Option<Vec<Part<'_>>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(at) = rest.find('$') {
        let after = rest.get(at + 1..)?;
        if !after.starts_with('{') {
            // `$NAME` is not substituted by Flux; `$$` escapes.
            if after.starts_with('$') {
                return None;
            }
            out.push(Part::Text(rest.get(..=at)?));
            rest = after;
            continue;
        }
        if at > 0 {
            out.push(Part::Text(rest.get(..at)?));
        }
        let body_end = after.find('}')?;
        let body = after.get(1..body_end)?;
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let name = body.get(..name_len)?;
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let op = body.get(name_len..)?;
        let default = if op.is_empty() {
            None
        } else {
            Some(
                [":=", ":-", "=", "-"]
                    .iter()
                    .find_map(|p| op.strip_prefix(p))
                    .filter(|d| !d.contains(['$', '{']))?,
            )
        };
        out.push(Part::Var { name, default });
        rest = after.get(body_end + 1..)?;
    }
    if !rest.is_empty() {
        out.push(Part::Text(rest));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{Part, parse};

    #[test]
    fn reads_the_forms_flux_substitutes() {
        let var = |name, default| Part::Var { name, default };
        assert_eq!(parse("${REGION}"), Some(vec![var("REGION", None)]));
        assert_eq!(parse("${TIER:=M30}"), Some(vec![var("TIER", Some("M30"))]));
        assert_eq!(
            parse("orders-${ENV:-dev}-x"),
            Some(vec![
                Part::Text("orders-"),
                var("ENV", Some("dev")),
                Part::Text("-x")
            ])
        );
        assert_eq!(
            parse("$HOME ${A}"),
            Some(vec![Part::Text("$"), Part::Text("HOME "), var("A", None)])
        );
        for unread in [
            "$${A}",
            "${A/x/y}",
            "${A:0:2}",
            "${1}",
            "${A",
            "${}",
            "${A:=${B}}",
        ] {
            assert_eq!(parse(unread), None, "{unread}");
        }
    }
}
