//! Flux `Kustomization` objects (`kustomize.toolkit.fluxcd.io`): what Flux's
//! kustomize-controller applies (fluxcd/kustomize-controller, fluxcd/pkg `kustomize` and
//! `envsubst`). It writes the object's `spec.patches`, `targetNamespace`, `namePrefix` and
//! `nameSuffix` into the kustomization of `spec.path` (or one it makes of the manifests
//! there), builds it with kustomize's load restrictions off, then fills in `${VAR}` from
//! `spec.postBuild.substitute` when it has variables (or `substituteStrategy: Always`).
//!
//! The source is taken to be the git repository the Flux object is in: `spec.path` is looked
//! for under its root, then (a layout below the root) from the Flux file's directory up. A
//! variable set in `substitute` is located at its value there, so a finding about
//! `regionName: ${REGION}` points at `REGION: US_EAST_1` in the Flux file. Unknown, and left
//! as written: variables that `substitute` does not set (`substituteFrom` names ConfigMaps
//! and Secrets of the cluster, and Flux makes an unset variable empty), operations other than
//! defaults (`${VAR/a/b}`, `${VAR:0:2}`), `$${VAR}` escapes, objects that turn substitution
//! off. An object using what is not run here (`components`) is not rendered.

use std::path::{Path, PathBuf};

use super::super::sources::Sources;
use super::build::{self, Rendering};
use super::{Content, FILE_NAMES, Kustomization, Named, Note, Patch, Selector};
use crate::document::{Cursor, Node, Value};
use crate::model::SourceFile;

/// The API group of Flux's kustomize-controller, as an `apiVersion` starts.
const API: &str = "kustomize.toolkit.fluxcd.io/";

/// Directories up from a Flux file where its `spec.path` is looked for, and below it where
/// manifests are, at most.
const MAX_UP: usize = 16;

/// Manifests a kustomization Flux makes may name, at most.
const MAX_SCANNED: usize = 4096;

/// Whether a text may hold a Flux `Kustomization`.
pub(crate) fn is_candidate(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), API.as_bytes()).is_some()
}

/// One Flux `Kustomization`, read.
pub(super) struct Flux {
    /// Its file's source, and the document of the file it is.
    source: usize,
    doc: usize,
    /// What it builds: the kustomization of `spec.path` with the Flux object's patches and
    /// names added (as Flux writes them into it), or one Flux makes of the manifests there.
    pub(super) kustomization: Kustomization,
    /// `spec.path`, as the run spells it.
    pub(super) target: PathBuf,
    /// The variables `substitute` sets (name, value in the span space); `None` when a value
    /// is not a string.
    vars: Vec<(String, Option<Node>)>,
    /// Whether `substituteFrom` names more (unknown here).
    more_vars: bool,
    /// Whether Flux substitutes at all (see [`read`]).
    substitutes: bool,
    /// Why it is not rendered, when it uses what is not run here (`components`): its
    /// directory is then judged as without it, and the note is given when that directory
    /// holds Atlas objects.
    pub(super) skipped: Option<String>,
}

/// The Flux `Kustomization`s of a file (source `source`, documents `roots` with the file's
/// own spans) whose `spec.path` is found.
pub(super) fn read(
    path: &Path,
    source: usize,
    roots: &[Node],
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
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
        // The source must be a Git repository, taken to be this one: the root of an OCI
        // artifact, a bucket or another artifact is not known here.
        let kind = spec
            .node
            .get("sourceRef")
            .and_then(|r| r.get("kind"))
            .and_then(Node::as_str);
        if kind.is_some_and(|k| k != "GitRepository") {
            continue;
        }
        // An empty path is the source's root, which is not known here.
        let Some(wanted) = spec
            .node
            .get("path")
            .and_then(Node::as_str)
            .map(|p| crate::paths::normalize(Path::new(from_root(p))))
            .filter(|p| !p.as_os_str().is_empty() && p != Path::new(".") && !p.starts_with(".."))
        else {
            continue;
        };
        let Some(target) = find_target(&dir, &wanted, sources) else {
            continue;
        };
        // What is not run here changes what Flux applies: not rendered, left unknown.
        let not_run: Vec<&str> = ["components", "patchesStrategicMerge", "patchesJson6902"]
            .into_iter()
            .filter(|k| {
                spec.node
                    .get(k)
                    .is_some_and(|v| !matches!(v.value, Value::Null) && v.as_seq() != Some(&[]))
            })
            .collect();
        let skipped = (!not_run.is_empty()).then(|| {
            format!(
                "the Flux Kustomization `{}` uses `{}`, which is not run: what it applies from {} is not checked",
                root.get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Node::as_str)
                    .unwrap_or(""),
                not_run.join("`, `"),
                crate::paths::display_path(&target)
            )
        });
        let Some(mut kustomization) = target_kustomization(&target, source, sources, files) else {
            continue;
        };
        // Flux adds its patches after the kustomization's own, and its names in place of the
        // kustomization's.
        kustomization.patches.extend(flux_patches(&spec, source));
        let scalar = |key: &str| {
            spec.node
                .get(key)
                .filter(|n| n.scalar_text().is_some_and(|t| !t.is_empty()))
                .cloned()
        };
        if let Some(ns) = scalar("targetNamespace") {
            kustomization.namespace = Some(ns);
            kustomization.namespace_source = Some(source);
        }
        if let Some(prefix) = scalar("namePrefix") {
            kustomization.name_prefix = Some(prefix);
        }
        if let Some(suffix) = scalar("nameSuffix") {
            kustomization.name_suffix = Some(suffix);
        }
        // Flux builds with kustomize's load restrictions off.
        kustomization.unrestricted = true;
        let post_build = spec.node.get("postBuild");
        let vars: Vec<(String, Option<Node>)> = post_build
            .and_then(|p| p.get("substitute"))
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| {
                let name = e.key.scalar_text()?.to_string();
                let value = matches!(e.value.value, Value::String(_))
                    .then(|| sources.node(source, &e.value));
                Some((name, value))
            })
            .collect();
        let more_vars = post_build
            .and_then(|p| p.get("substituteFrom"))
            .is_some_and(|s| !matches!(s.value, Value::Null) && s.as_seq() != Some(&[]));
        // Flux substitutes when it has variables, or always when told to (defaults apply).
        let substitutes = post_build.is_some_and(|p| {
            !vars.is_empty() || p.get("substituteStrategy").and_then(Node::as_str) == Some("Always")
        });
        out.push(Flux {
            source,
            doc,
            kustomization,
            target,
            vars,
            more_vars,
            substitutes,
            skipped,
        });
    }
    out
}

/// A Flux object's `spec.patches`: each an inline `patch` (Flux's patches have no `path`),
/// with or without `target`.
fn flux_patches(spec: &Cursor<'_>, source: usize) -> Vec<Patch> {
    spec.get("patches")
        .map(|s| {
            s.items()
                .filter_map(|entry| {
                    let patch = entry.get("patch").filter(|p| p.node.as_str().is_some())?;
                    Some(Patch {
                        content: Content::Inline(patch.node.clone(), patch.pointer.clone()),
                        target: entry.node.get("target").map(Selector::read),
                        source: Some(source),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `spec.path` relative to the source's root, which Flux joins it to (`/x`, `./x` and `../x`
/// are all `x` there).
fn from_root(path: &str) -> &str {
    let mut p = path.trim_end_matches('/');
    loop {
        let rest = p
            .strip_prefix("./")
            .or_else(|| p.strip_prefix("../"))
            .or_else(|| p.strip_prefix('/'));
        match rest {
            Some(r) => p = r,
            None => return p,
        }
    }
}

/// The kustomization Flux builds in `target`: its own, or (when it has none) one Flux makes
/// of the manifests in it ([`scan`]), as if it were `source`'s.
fn target_kustomization(
    target: &Path,
    source: usize,
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
) -> Option<Kustomization> {
    for name in FILE_NAMES {
        let path = target.join(name);
        if !sources.is_file(&path) {
            continue;
        }
        let own = sources.load(&path, files).ok()?;
        let root = sources.get(own)?.roots.first()?.clone();
        return Some(Kustomization::read(target, own, &root));
    }
    let mut manifests = Vec::new();
    scan(target, Path::new(""), sources, 0, &mut manifests);
    Some(Kustomization::of_resources(target, source, manifests))
}

/// The resources of the kustomization Flux makes of directory `dir` (`rel` below the
/// target), as its generator walks it: the `.yaml` and `.yml` files, and each subdirectory
/// with a kustomization as one resource (not walked into); in name order, bounded.
fn scan(dir: &Path, rel: &Path, sources: &mut Sources<'_>, depth: usize, out: &mut Vec<Named>) {
    if depth > MAX_UP || out.len() >= MAX_SCANNED {
        return;
    }
    let here = dir.join(rel);
    let files = sources.list(&here);
    for f in &files {
        let yaml = f
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml"));
        if let (true, Some(name)) = (yaml, f.file_name()) {
            out.push(Named {
                value: rel.join(name).to_string_lossy().into_owned(),
            });
        }
    }
    // Directories (not links to them, which the walk does not follow), hidden ones aside.
    let Ok(entries) = std::fs::read_dir(sources.absolute(&here)) else {
        return;
    };
    let mut dirs: Vec<std::ffi::OsString> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name())
        .filter(|n| !n.to_string_lossy().starts_with('.'))
        .collect();
    dirs.sort();
    for name in dirs {
        let sub = rel.join(&name);
        if FILE_NAMES
            .iter()
            .any(|n| sources.is_file(&dir.join(&sub).join(n)))
        {
            out.push(Named {
                value: sub.to_string_lossy().into_owned(),
            });
        } else {
            scan(dir, &sub, sources, depth + 1, out);
        }
    }
}

/// Where `spec.path` is, as the run spells it: under the root of the git repository the Flux
/// file is in (where Flux resolves it); else (a layout that is not its repository's root, as
/// an example or a test is) the closest directory up from the Flux file's, below that root,
/// that has it. A directory counts when it has files.
fn find_target(dir: &Path, wanted: &Path, sources: &mut Sources<'_>) -> Option<PathBuf> {
    let abs = crate::paths::normalize(&sources.absolute(dir));
    let repository = crate::paths::repository_root(&abs);
    // Levels up from `dir`: the repository's root first, then from the closest.
    let levels = match &repository {
        Some(root) => abs
            .components()
            .count()
            .saturating_sub(root.components().count()),
        // Outside a repository, the tree the run is in: up to its working directory.
        None => {
            let cwd = crate::paths::normalize(sources.cwd());
            match abs.strip_prefix(&cwd) {
                Ok(below) => below.components().count(),
                Err(_) => MAX_UP.min(abs.components().count().saturating_sub(1)),
            }
        }
    };
    let order = repository
        .is_some()
        .then_some(levels)
        .into_iter()
        .chain(0..levels.saturating_add(usize::from(repository.is_none())));
    for up in order {
        let target = crate::paths::normalize(&dir.join("../".repeat(up)).join(wanted));
        if !sources.list(&target).is_empty() {
            return Some(target);
        }
    }
    None
}

/// Build what `flux` applies, its variables filled in; `None` for one that is not rendered
/// (a note then says so, when what it builds holds Atlas objects).
pub(super) fn render(
    flux: &Flux,
    path: &Path,
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    notes: &mut Vec<Note>,
) -> Option<Rendering> {
    if let Some(reason) = &flux.skipped {
        let r = build::render(&flux.kustomization, sources, files, &mut Vec::new());
        if !r.objects.is_empty() {
            notes.push(Note {
                path: path.to_path_buf(),
                reason: reason.clone(),
            });
        }
        return None;
    }
    let mut r = build::render(&flux.kustomization, sources, files, notes);
    // It starts from the Flux file, and is named after the Flux object (two may build one
    // directory).
    r.source = flux.source;
    r.file = sources.get(flux.source).map_or(r.file, |s| s.file);
    r.consumed.insert(flux.source);
    r.dir = PathBuf::from(format!("{}#{}", path.display(), flux.doc));
    if flux.substitutes {
        for obj in &mut r.objects {
            if !substitution_off(&obj.node) {
                substitute(&mut obj.node, flux, sources);
            }
        }
    }
    Some(r)
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
            // A string that is one variable set in the Flux object (not empty, or without a
            // default): its value, located there.
            if let [Part::Var { name, default }] = parts.as_slice() {
                if let Some(Known::Set(text, value)) = known(flux, name) {
                    if !(text.is_empty() && default.is_some()) {
                        *node = Node {
                            value: retype(&text),
                            ..value.clone()
                        };
                        return;
                    }
                }
            }
            let mut text = String::new();
            for part in &parts {
                match part {
                    Part::Text(t) => text.push_str(t),
                    Part::Var { name, default } => match (known(flux, name), default) {
                        // Flux's defaults apply to an empty value as to an unset one.
                        (Some(Known::Set(v, _)), Some(d)) if v.is_empty() => text.push_str(d),
                        (Some(Known::Set(v, _)), _) => text.push_str(&v),
                        (Some(Known::Unset), Some(d)) => text.push_str(d),
                        // Set to something not a string, maybe set elsewhere, or set nowhere
                        // (Flux makes it empty): unknown.
                        _ => return,
                    },
                }
            }
            node.value = retype(&text);
        }
        _ => {}
    }
}

/// What the Flux object says of a variable.
enum Known<'a> {
    /// Set, to this text (newlines taken out, as Flux does), written at this node.
    Set(String, &'a Node),
    /// Set nowhere Flux looks (no `substituteFrom`).
    Unset,
}

/// What is known of variable `name`; `None` when it may be set where this run cannot see (a
/// `substituteFrom`), or is set to something not a string.
fn known<'a>(flux: &'a Flux, name: &str) -> Option<Known<'a>> {
    match flux.vars.iter().find(|(n, _)| n == name) {
        Some((_, Some(value))) => Some(Known::Set(
            value.as_str().unwrap_or_default().replace('\n', ""),
            value,
        )),
        Some((_, None)) => None,
        None if flux.more_vars => None,
        None => Some(Known::Unset),
    }
}

/// A piece of a string Flux substitutes in.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    Text(&'a str),
    /// `${NAME}`, or with a default (`${NAME:=x}`, `${NAME:-x}`, `${NAME=x}`: each used when
    /// the variable is unset or empty).
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
                [":=", ":-", "="]
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
    fn paths_are_relative_to_the_source_root() {
        for (path, root) in [
            ("./apps/x/", "apps/x"),
            ("/apps/x", "apps/x"),
            ("../apps/x", "apps/x"),
            ("apps", "apps"),
            ("./", "."),
            ("", ""),
        ] {
            assert_eq!(super::from_root(path), root, "{path}");
        }
    }

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
