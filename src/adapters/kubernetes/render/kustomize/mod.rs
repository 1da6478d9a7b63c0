//! Kustomize: a `kustomization.yaml` (`kustomization.yml`, `Kustomization`) and what it
//! renders, as `kubectl kustomize` (kustomize v5) would.
//!
//! Read: `resources` (files and directories, and the deprecated `bases`), `components`,
//! `patches` (a file or inline, strategic merge or JSON 6902, with or without `target`),
//! `patchesStrategicMerge`, `patchesJson6902`, `namespace`, `namePrefix`, `nameSuffix`,
//! `commonLabels`, `labels`, `commonAnnotations` (which label and annotation selectors see),
//! and `configurations` (`nameReference` and `namespace` field specs: what teaches kustomize
//! that an `AtlasDeployment`'s `spec.projectRef.name` names an `AtlasProject`). Not run:
//! remote resources (URLs), `replacements`, `helmCharts`, plugins (`transformers`,
//! `generators`), `openapi` schemas; a rendering that has Atlas objects says so in a note.

mod build;
pub(crate) mod flux;
mod patch;
mod select;
mod transform;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::sources::Sources;
use super::{Kept, Note};
use crate::document::{Cursor, Node, Value};
use crate::model::SourceFile;
pub(super) use build::Rendering;
use select::{Selector, split_api_version};

/// The file names kustomize looks for in a directory, in its order.
pub(crate) const FILE_NAMES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether a file is a kustomization, by its name.
pub(crate) fn is_kustomization(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// A string entry of a kustomization (a resource, a component, a path), with the node that
/// spells it.
struct Named {
    value: String,
}

/// Where a patch's documents come from.
enum Content {
    /// A file, relative to the kustomization.
    Path(String),
    /// A string of the kustomization (its node with the file's spans, and its pointer).
    Inline(Node, String),
}

/// One patch entry.
struct Patch {
    content: Content,
    target: Option<Selector>,
    /// The source of an inline patch that is not the kustomization's own (a Flux object's
    /// patch, added to the kustomization it builds).
    source: Option<usize>,
}

/// What a kustomization file says, as far as it is read.
struct Kustomization {
    /// The directory, as the run spells it.
    dir: PathBuf,
    /// The kustomization file's source.
    source: usize,
    component: bool,
    resources: Vec<Named>,
    components: Vec<Named>,
    patches_strategic_merge: Vec<Patch>,
    patches: Vec<Patch>,
    patches_json6902: Vec<Patch>,
    /// Value nodes, with the file's spans.
    namespace: Option<Node>,
    /// The source of `namespace` when it is not the kustomization's own (a Flux object's
    /// `targetNamespace`).
    namespace_source: Option<usize>,
    name_prefix: Option<Node>,
    name_suffix: Option<Node>,
    labels: Vec<(Node, Node)>,
    annotations: Vec<(Node, Node)>,
    configurations: Vec<Named>,
    /// Fields that are not run (`replacements`, `helmCharts`, ...).
    not_run: Vec<&'static str>,
    /// Whether files outside its directory may be read (Flux builds with kustomize's load
    /// restrictions off); for the whole rendering of a root.
    unrestricted: bool,
}

impl Kustomization {
    /// Whether it patches the objects it includes (patches of any kind, or components, which
    /// hold patches), rather than only gathering them (and naming, labelling them).
    fn changes_objects(&self) -> bool {
        !(self.patches.is_empty()
            && self.patches_strategic_merge.is_empty()
            && self.patches_json6902.is_empty()
            && self.components.is_empty())
    }

    /// Read the kustomization file of source `source` (in directory `dir`).
    fn read(dir: &Path, source: usize, root: &Node) -> Kustomization {
        let cur = Cursor::root(root);
        let strings = |key: &str| -> Vec<Named> {
            cur.get(key)
                .map(|s| {
                    s.items()
                        .filter_map(|i| {
                            Some(Named {
                                value: i.node.scalar_text()?.to_string(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let scalar = |key: &str| {
            root.get(key)
                .filter(|n| n.scalar_text().is_some_and(|t| !t.is_empty()))
                .cloned()
        };
        let mut resources = strings("resources");
        resources.extend(strings("bases"));
        let pairs = |node: Option<&Node>| -> Vec<(Node, Node)> {
            node.and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .filter(|e| e.key.scalar_text().is_some() && e.value.scalar_text().is_some())
                .map(|e| (e.key.clone(), e.value.clone()))
                .collect()
        };
        let mut labels = pairs(root.get("commonLabels"));
        for set in root
            .get("labels")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            labels.extend(pairs(set.get("pairs")));
        }
        let not_run = [
            ("replacements", "replacements"),
            ("vars", "vars"),
            ("helmCharts", "helmCharts"),
            ("transformers", "transformers (plugins)"),
            ("generators", "generators (plugins)"),
            ("openapi", "openapi (a schema's merge keys)"),
        ]
        .into_iter()
        .filter(|(key, _)| {
            root.get(key)
                .is_some_and(|v| !matches!(v.value, Value::Null) && v.as_seq() != Some(&[]))
        })
        .map(|(_, what)| what)
        .collect();
        Kustomization {
            dir: dir.to_path_buf(),
            source,
            component: root.get("kind").and_then(Node::as_str) == Some("Component"),
            resources,
            components: strings("components"),
            patches_strategic_merge: cur
                .get("patchesStrategicMerge")
                .map(|s| {
                    s.items()
                        .filter_map(|i| {
                            let text = i.node.as_str()?;
                            let content = if text.contains('\n') || text.contains(": ") {
                                Content::Inline(i.node.clone(), i.pointer.clone())
                            } else {
                                Content::Path(text.to_string())
                            };
                            Some(Patch {
                                content,
                                target: None,
                                source: None,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default(),
            patches: patch_entries(&cur, "patches"),
            patches_json6902: patch_entries(&cur, "patchesJson6902"),
            namespace: scalar("namespace"),
            namespace_source: None,
            name_prefix: scalar("namePrefix"),
            name_suffix: scalar("nameSuffix"),
            labels,
            annotations: pairs(root.get("commonAnnotations")),
            configurations: strings("configurations"),
            not_run,
            unrestricted: false,
        }
    }

    /// A kustomization of `resources` only (what Flux makes of a directory without one), as if
    /// source `source` said it.
    fn of_resources(dir: &Path, source: usize, resources: Vec<Named>) -> Kustomization {
        Kustomization {
            dir: dir.to_path_buf(),
            source,
            component: false,
            resources,
            components: Vec::new(),
            patches_strategic_merge: Vec::new(),
            patches: Vec::new(),
            patches_json6902: Vec::new(),
            namespace: None,
            namespace_source: None,
            name_prefix: None,
            name_suffix: None,
            labels: Vec::new(),
            annotations: Vec::new(),
            configurations: Vec::new(),
            not_run: Vec::new(),
            unrestricted: false,
        }
    }

    /// The directories this kustomization names (resources and components), as the run
    /// would spell them; files are not told apart here.
    fn named_paths(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.resources
            .iter()
            .chain(&self.components)
            .filter(|n| !is_remote(&n.value))
            .map(|n| crate::paths::normalize(&self.dir.join(&n.value)))
    }
}

/// `patches` or `patchesJson6902` entries: `path` or inline `patch`, and `target`.
fn patch_entries(cur: &Cursor<'_>, key: &str) -> Vec<Patch> {
    cur.get(key)
        .map(|s| {
            s.items()
                .filter_map(|entry| {
                    let content = match (entry.get("path"), entry.get("patch")) {
                        (Some(p), _) if p.node.as_str().is_some() => {
                            Content::Path(p.node.as_str()?.to_string())
                        }
                        (_, Some(p)) if p.node.as_str().is_some() => {
                            Content::Inline(p.node.clone(), p.pointer.clone())
                        }
                        _ => return None,
                    };
                    Some(Patch {
                        content,
                        target: entry.node.get("target").map(Selector::read),
                        source: None,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a resource names something remote (a git repository or an HTTP URL), which is not
/// fetched.
fn is_remote(value: &str) -> bool {
    value.contains("://")
        || value.starts_with("git@")
        || value.starts_with("github.com/")
        || value.starts_with("gitlab.com/")
        || value.starts_with("bitbucket.org/")
        || value.contains("?ref=")
        || value.contains(".git//")
}

/// Render every kustomization of the run that no other one of the run names (an overlay, or
/// a base checked without its overlays), each as its own [`Rendering`]. A base that overlays
/// name is judged through them.
pub(super) fn render_roots(
    kept: &[Kept],
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    notes: &mut Vec<Note>,
) -> Vec<Rendering> {
    let mut kustomizations = Vec::new();
    for k in kept.iter().filter(|k| is_kustomization(&k.path)) {
        sources.preload(&k.path, k.file, k.text.clone(), vec![k.root.clone()]);
        if let Ok(i) = sources.load(&k.path, files) {
            let dir = k.path.parent().unwrap_or(Path::new("")).to_path_buf();
            kustomizations.push(Kustomization::read(&dir, i, &k.root));
        }
    }
    // Flux `Kustomization`s: each builds its `spec.path`, which is then not a root itself.
    let mut fluxes = Vec::new();
    for k in kept.iter().filter(|k| flux::is_candidate(&k.text)) {
        // Every document of the file (one may hold several Flux objects).
        let roots = crate::document::yaml::parse(&k.text, &sources.limits())
            .map(|d| d.roots)
            .unwrap_or_default();
        sources.preload(&k.path, k.file, k.text.clone(), roots.clone());
        if let Ok(i) = sources.load(&k.path, files) {
            fluxes.extend(
                flux::read(&k.path, i, &roots, sources, files)
                    .into_iter()
                    .map(|f| (k.path.clone(), f)),
            );
        }
    }
    let named: HashSet<PathBuf> = kustomizations
        .iter()
        .flat_map(Kustomization::named_paths)
        .map(|p| sources.absolute(&p))
        .collect();
    // What Flux objects build is applied through them only, an overlay or not.
    let flux_built: HashSet<PathBuf> = fluxes
        .iter()
        .filter(|(_, f)| f.skipped.is_none())
        .flat_map(|(_, f)| std::iter::once(f.target.clone()).chain(f.kustomization.named_paths()))
        .map(|p| sources.absolute(&p))
        .collect();
    let mut seen_dirs = BTreeSet::new();
    let mut out = Vec::new();
    for k in &kustomizations {
        let abs = sources.absolute(&k.dir);
        // One rendering per directory (a directory with two kustomization files is an error
        // to kustomize; the first one it looks for is read).
        // A kustomization another names is a base, judged through the overlays that name it;
        // but one that patches another kustomization it includes (a directory) is an overlay
        // itself (`overlays/prod`, which `overlays/prod-east` builds on), applied on its own
        // too: it is rendered as well. (A base that patches its own files is still a base.)
        let overlay = k.changes_objects()
            && k.resources.iter().any(|r| {
                let dir = k.dir.join(&r.value);
                !is_remote(&r.value) && FILE_NAMES.iter().any(|n| sources.is_file(&dir.join(n)))
            });
        let base = (named.contains(&abs) && !overlay) || flux_built.contains(&abs);
        if k.component || base || !seen_dirs.insert(abs) {
            continue;
        }
        out.push(build::render(k, sources, files, notes));
    }
    for (path, f) in &fluxes {
        out.extend(flux::render(f, path, sources, files, notes));
    }
    out
}

/// One rendered object: the tree (spans in the rendering's span space), and its identity
/// with every name and namespace it has had (patches of an overlay may name it either way).
pub(super) struct Obj {
    pub(super) node: Node,
    group: String,
    version: String,
    kind: String,
    /// (name, namespace; empty for none), oldest first.
    ids: Vec<(String, String)>,
    /// What patches removed from it, in the order they did.
    pub(super) removed: Vec<patch::Removal>,
}

impl Obj {
    fn new(node: Node) -> Option<Obj> {
        let (group, version) = split_api_version(node.get("apiVersion")?.as_str()?);
        let kind = node.get("kind")?.as_str()?.to_string();
        let metadata = node.get("metadata");
        let name = metadata?.get("name")?.as_str()?.to_string();
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        Some(Obj {
            node,
            group,
            version,
            kind,
            ids: vec![(name, namespace)],
            removed: Vec::new(),
        })
    }

    /// Whether the object has no value at JSON pointer `pointer`.
    pub(super) fn lacks(&self, pointer: &str) -> bool {
        patch::at(&self.node, pointer).is_none()
    }

    fn current(&self) -> (&str, &str) {
        self.ids
            .last()
            .map_or(("", ""), |(n, s)| (n.as_str(), s.as_str()))
    }

    fn is_atlas(&self) -> bool {
        is_atlas_group(&self.group)
    }

    /// An Atlas object, or a workload that runs the operator (whose `--atlas-domain` says
    /// which Atlas the overlay's objects go to): what a rendering keeps.
    fn is_kept(&self) -> bool {
        self.is_atlas()
            || crate::adapters::kubernetes::other_kinds::runs_operator(&self.kind, &self.node)
    }
}

fn is_atlas_group(group: &str) -> bool {
    group == "atlas.mongodb.com" || group == "atlas.generated.mongodb.com"
}
