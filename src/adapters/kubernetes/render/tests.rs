//! Renderings checked against the tools they stand for.
//!
//! Every kustomize overlay among the fixtures has its `kubectl kustomize` output pinned under
//! `tests/data/kustomize/` (the overlay's path below `fixtures/`, plus `.yaml`). The test
//! renders each overlay with this module and compares the Atlas objects with the pinned ones;
//! when `kubectl` is on the machine it also renders the overlay again and compares the whole
//! output with the pinned file, so neither a fixture nor this module can drift from what
//! kustomize does. Regenerate a pinned file with `kubectl kustomize OVERLAY > PINNED`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Kept;
use super::kustomize::{self, is_kustomization};
use super::sources::{Access, Sources};
use crate::document::{Limits, Node, Value, yaml};
use crate::model::SourceFile;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every kustomization file below `dir`, as the run would keep it.
fn kustomizations(dir: &Path) -> (Vec<Kept>, Vec<SourceFile>) {
    let mut kept = Vec::new();
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                todo.push(path);
            } else if is_kustomization(&path) {
                let text: Arc<str> = Arc::from(std::fs::read_to_string(&path).unwrap());
                let root = yaml::parse(&text, &Limits::default())
                    .unwrap()
                    .roots
                    .into_iter()
                    .next()
                    .unwrap();
                kept.push(Kept {
                    path: path.clone(),
                    file: u32::try_from(files.len()).unwrap(),
                    text,
                    root,
                });
                files.push(SourceFile {
                    path: path.clone(),
                    root: dir.into(),
                });
            }
        }
    }
    (kept, files)
}

/// The overlays a fixture renders, each with its Atlas objects and notes.
fn render_fixture(dir: &Path) -> Vec<(PathBuf, Vec<Node>, bool)> {
    let (kept, mut files) = kustomizations(dir);
    let read = |p: &Path| crate::source::read(p, 1 << 24).map(Arc::from);
    let mut sources = Sources::new(
        &files,
        Access {
            read: &read,
            list: &|_: &Path, _: usize| Vec::new(),
        },
        Limits::default(),
        &std::env::current_dir().unwrap_or_default(),
    );
    let mut out = Vec::new();
    let mut all_notes = Vec::new();
    let renderings = kustomize::render_roots(&kept, &mut sources, &mut files, &mut all_notes);
    for r in renderings {
        let objects = r.objects.iter().map(|o| o.node.clone()).collect();
        out.push((r.dir, objects, r.remote));
    }
    out
}

/// A tree as canonical text: mappings with sorted keys, scalars as written, spans ignored.
pub(super) fn canonical(node: &Node) -> String {
    match &node.value {
        Value::Map(entries) => {
            let mut parts: Vec<String> = entries
                .iter()
                .map(|e| {
                    format!(
                        "{:?}:{}",
                        e.key.scalar_text().unwrap_or(""),
                        canonical(&e.value)
                    )
                })
                .collect();
            parts.sort();
            format!("{{{}}}", parts.join(","))
        }
        Value::Seq(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        Value::Null => "null".to_string(),
        _ => format!("{:?}", node.scalar_text().unwrap_or("")),
    }
}

/// What a rendering keeps: Atlas objects, and workloads that run the operator.
fn is_atlas(node: &Node) -> bool {
    let atlas = node
        .get("apiVersion")
        .and_then(Node::as_str)
        .is_some_and(|v| {
            v.starts_with("atlas.mongodb.com/") || v.starts_with("atlas.generated.mongodb.com/")
        });
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or("");
    atlas || crate::adapters::kubernetes::other_kinds::runs_operator(kind, node)
}

/// The fixture directories that hold a kustomization.
fn kustomize_fixtures() -> Vec<PathBuf> {
    let root = manifest_dir().join("fixtures");
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                todo.push(path);
            } else if is_kustomization(&path) {
                out.push(path.parent().unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Whether `kubectl` can render here.
fn kubectl() -> bool {
    std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn kustomize_fixtures_render_as_kubectl_does() {
    let base = manifest_dir();
    let fixtures = base.join("fixtures");
    let pinned_root = base.join("tests/data/kustomize");
    let with_kubectl = kubectl();
    if !with_kubectl {
        eprintln!(
            "note: kubectl not found: the pinned renderings under tests/data/kustomize are compared with this module only, not with kubectl"
        );
    }
    // Each fixture (a directory directly under fixtures/<CODE>/) that holds kustomizations.
    let mut cases: Vec<PathBuf> = kustomize_fixtures()
        .into_iter()
        .filter_map(|dir| {
            let rel = dir.strip_prefix(&fixtures).ok()?;
            let mut parts = rel.components();
            let (code, case) = (parts.next()?, parts.next()?);
            Some(fixtures.join(code).join(case))
        })
        .collect();
    cases.dedup();
    assert!(!cases.is_empty());
    let mut rendered = 0;
    let mut kubectl_runs = Vec::new();
    for case in cases {
        for (overlay, objects, remote) in render_fixture(&case) {
            let rel = overlay.strip_prefix(&fixtures).unwrap();
            let pinned_path = pinned_root.join(format!("{}.yaml", rel.display()));
            // kubectl would fetch the remote base, or the chart `helmCharts` inflates (with
            // `--enable-helm`): nothing to pin offline.
            let helm = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
                .iter()
                .filter_map(|n| std::fs::read_to_string(overlay.join(n)).ok())
                .any(|t| t.contains("helmCharts:"));
            if remote || helm {
                eprintln!(
                    "note: {} names a remote resource or chart: not rendered by kubectl",
                    rel.display()
                );
                continue;
            }
            let Ok(pinned) = std::fs::read_to_string(&pinned_path) else {
                panic!(
                    "{} has no pinned rendering: run `kubectl kustomize {} > {}`",
                    rel.display(),
                    overlay.display(),
                    pinned_path.display()
                );
            };
            if with_kubectl {
                kubectl_runs.push((overlay.clone(), rel.to_path_buf(), pinned.clone()));
            }
            let theirs = atlas_objects_of(&pinned);
            let mut ours: Vec<String> = objects.iter().map(canonical).collect();
            ours.sort();
            assert_eq!(
                ours,
                theirs,
                "{}: rendered differently than kustomize",
                rel.display()
            );
            rendered += 1;
        }
    }
    assert!(rendered > 0);
    // kubectl takes most of a second per overlay: all of them at once.
    std::thread::scope(|scope| {
        let runs: Vec<_> = kubectl_runs
            .iter()
            .map(|(overlay, rel, pinned)| {
                scope.spawn(move || {
                    let o = std::process::Command::new("kubectl")
                        .arg("kustomize")
                        .arg(overlay)
                        .output()
                        .unwrap();
                    assert!(
                        o.status.success(),
                        "kubectl kustomize {} failed: {}",
                        overlay.display(),
                        String::from_utf8_lossy(&o.stderr)
                    );
                    assert_eq!(
                        &String::from_utf8_lossy(&o.stdout),
                        pinned,
                        "{}: kubectl renders something else than the pinned file",
                        rel.display()
                    );
                })
            })
            .collect();
        for run in runs {
            if let Err(e) = run.join() {
                std::panic::resume_unwind(e);
            }
        }
    });
}

/// Render the kustomizations of a tree written to a temporary directory: each rendering's
/// directory (relative) and Atlas objects, and the notes.
/// Each rendering's directory and objects; each note's path and reason.
type Rendered = (Vec<(String, Vec<Node>)>, Vec<(String, String)>);

fn render_tree(tree: &[(&str, &str)]) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in tree {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let (kept, mut files) = kustomizations(dir.path());
    let read = |p: &Path| crate::source::read(p, 1 << 24).map(Arc::from);
    let mut sources = Sources::new(
        &files,
        Access {
            read: &read,
            list: &|_: &Path, _: usize| Vec::new(),
        },
        Limits::default(),
        &std::env::current_dir().unwrap_or_default(),
    );
    let mut notes = Vec::new();
    let renderings = kustomize::render_roots(&kept, &mut sources, &mut files, &mut notes);
    let rel = |p: &Path| {
        p.strip_prefix(dir.path())
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| p.display().to_string())
    };
    let out = renderings
        .iter()
        .map(|r| {
            (
                rel(&r.dir),
                r.objects.iter().map(|o| o.node.clone()).collect(),
            )
        })
        .collect();
    let reason = |r: &str| r.replace(&format!("{}/", dir.path().display()), "");
    let notes = notes
        .iter()
        .map(|n| (rel(&n.path), reason(&n.reason)))
        .collect();
    (out, notes)
}

const PROJECT: &str = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: p}\nspec: {name: p, regionUsageRestrictions: GOV_REGIONS_ONLY}\n";
const DEPLOYMENT: &str = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: db}\nspec:\n  projectRef: {name: p}\n  deploymentSpec: {name: db, replicationSpecs: [{regionConfigs: [{providerName: AWS, regionName: US_GOV_WEST_1}]}]}\n";

#[test]
fn a_base_that_patches_its_own_files_is_rendered_through_its_overlays_only() {
    // A remote file among its resources is no kustomization it builds on.
    let (out, _) = render_tree(&[
        ("base/project.yaml", PROJECT),
        ("base/deployment.yaml", DEPLOYMENT),
        (
            "base/kustomization.yaml",
            "resources:\n  - project.yaml\n  - deployment.yaml\n  - https://example.com/x/ns.yaml\npatches:\n  - target: {kind: AtlasDeployment}\n    patch: '[{op: add, path: /metadata/labels, value: {team: a}}]'\n",
        ),
        (
            "overlays/gov/kustomization.yaml",
            "resources:\n  - ../../base\npatches:\n  - target: {kind: AtlasDeployment}\n    patch: '[{op: add, path: /metadata/annotations, value: {a: b}}]'\n",
        ),
    ]);
    let dirs: Vec<&str> = out.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(dirs, vec!["overlays/gov"]);
}

#[test]
fn an_overlay_whose_only_atlas_resource_is_outside_its_directory_says_so() {
    // Rendered by kustomize only with `--load-restrictor LoadRestrictionsNone` (Argo CD and
    // Flux can set it): not rendered here, and listed rather than passed in silence.
    let (out, notes) = render_tree(&[
        ("shared/atlas.yaml", DEPLOYMENT),
        (
            "overlays/prod/kustomization.yaml",
            "resources:\n  - ../../shared/atlas.yaml\npatches:\n  - target: {kind: AtlasDeployment}\n    patch: '[{op: replace, path: /spec/x, value: 1}]'\n",
        ),
    ]);
    assert!(out.iter().all(|(_, objects)| objects.is_empty()));
    let notes: Vec<String> = notes.iter().map(|(p, r)| format!("{p}: {r}")).collect();
    assert_eq!(
        notes,
        vec!["overlays/prod/kustomization.yaml: resource `../../shared/atlas.yaml` is outside the kustomization's directory, which kustomize refuses to read".to_string()]
    );
}

#[test]
fn what_is_not_rendered_is_said() {
    let (out, notes) = render_tree(&[
        (
            "base/kustomization.yaml",
            "resources: [project.yaml, deployment.yaml]\nreplacements:\n  - path: r.yaml\n",
        ),
        ("base/project.yaml", PROJECT),
        ("base/deployment.yaml", DEPLOYMENT),
        (
            "overlay/kustomization.yaml",
            "resources:\n  - ../base\n  - ../base/deployment.yaml\n  - missing.yaml\n  - https://example.com/x//y?ref=v1\n  - ../loop\npatches:\n  - path: typo.yaml\n  - target: {kind: AtlasDeployment}\n    patch: '[{op: remove, path: /spec/nope}]'\n  - patch: '[{op: remove, path: /spec}]'\n",
        ),
        (
            "overlay/typo.yaml",
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: dbb}\nspec: {deploymentSpec: {name: x}}\n",
        ),
        ("loop/kustomization.yaml", "resources: [../loop2]\n"),
        ("loop2/kustomization.yaml", "resources: [../loop]\n"),
    ]);
    let dirs: Vec<&str> = out.iter().map(|(d, _)| d.as_str()).collect();
    // The loop's directories name each other: neither is a root.
    assert_eq!(dirs, vec!["overlay"]);
    assert_eq!(out[0].1.len(), 2);
    let notes: Vec<String> = notes.iter().map(|(p, r)| format!("{p}: {r}")).collect();
    assert_eq!(
        notes,
        vec![
            "https://example.com/x//y?ref=v1: a remote kustomize resource (named in overlay/kustomization.yaml): not fetched, so the overlay overlay is judged on its local resources only".to_string(),
            "overlay/kustomization.yaml: resource `../base/deployment.yaml` is outside the kustomization's directory, which kustomize refuses to read".to_string(),
            "overlay/kustomization.yaml: resource `missing.yaml` is neither a file nor a directory with a kustomization".to_string(),
            "loop2/kustomization.yaml: `../loop` includes itself (a cycle, which kustomize refuses)".to_string(),
            "overlay/typo.yaml: this patch of AtlasDeployment dbb matches no object of the overlay (kustomize fails on it): it is checked on its own".to_string(),
            "overlay/kustomization.yaml: a JSON 6902 patch of AtlasDeployment db fails: `remove /spec/nope`: no such value (kustomize stops there)".to_string(),
            "overlay/kustomization.yaml: a JSON 6902 patch without a target (kustomize refuses it)".to_string(),
            "base/kustomization.yaml: `replacements` is not run, so what it changes in the overlay overlay is not checked".to_string(),
        ]
    );
}

#[test]
fn overlays_without_atlas_objects_say_nothing() {
    let (out, notes) = render_tree(&[
        (
            "base/kustomization.yaml",
            "resources: [web.yaml]\nreplacements: [{path: r.yaml}]\n",
        ),
        (
            "base/web.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
        ),
        (
            "prod/kustomization.yaml",
            "resources: [../base, github.com/org/repo//x?ref=v1, gone.yaml]\n",
        ),
    ]);
    assert_eq!(out.len(), 1);
    assert!(out[0].1.is_empty());
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn a_kustomization_file_may_be_named_kustomization() {
    let (out, notes) = render_tree(&[
        ("base/Kustomization", "resources: [all.yaml]\n"),
        ("base/all.yaml", &format!("{PROJECT}---\n{DEPLOYMENT}")),
        (
            "prod/kustomization.yml",
            "resources: [../base]\nnameSuffix: -prod\n",
        ),
    ]);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(out.len(), 1);
    let names: Vec<&str> = out[0]
        .1
        .iter()
        .filter_map(|o| o.get("metadata")?.get("name")?.as_str())
        .collect();
    assert_eq!(names, vec!["p-prod", "db-prod"]);
}

#[test]
fn a_lattice_of_bases_is_bounded() {
    // Each level includes both directories of the next twice over: 2^24 inclusions unbounded.
    let mut tree: Vec<(String, String)> = Vec::new();
    let levels = 24;
    for i in 0..levels {
        for side in ["a", "b"] {
            let next = if i + 1 == levels {
                "[leaf.yaml]".to_string()
            } else {
                format!("[../a{}, ../b{}]", i + 1, i + 1)
            };
            tree.push((
                format!("{side}{i}/kustomization.yaml"),
                format!("resources: {next}\n"),
            ));
            if i + 1 == levels {
                tree.push((format!("{side}{i}/leaf.yaml"), DEPLOYMENT.to_string()));
            }
        }
    }
    tree.push((
        "root/kustomization.yaml".into(),
        "resources: [../a0, ../b0]\n".into(),
    ));
    let borrowed: Vec<(&str, &str)> = tree.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (out, notes) = render_tree(&borrowed);
    assert_eq!(out.len(), 1);
    assert!(out[0].1.len() <= 10_000);
    assert!(
        notes
            .iter()
            .any(|(_, r)| r.contains("more than 10000 kustomizations and objects")),
        "{notes:?}"
    );
}

/// The Atlas objects of a `kubectl kustomize` output, canonical and sorted.
fn atlas_objects_of(rendered: &str) -> Vec<String> {
    let mut out: Vec<String> = yaml::parse(rendered, &Limits::default())
        .unwrap()
        .roots
        .iter()
        .filter(|r| is_atlas(r))
        .map(canonical)
        .collect();
    out.sort();
    out
}

/// `ATLASGOV_KUSTOMIZE_ORACLE=DIR cargo test --lib kustomize_renders_as_kubectl_in` renders
/// every overlay below DIR (a repository this crate has not seen) with this module and with
/// `kubectl kustomize`, and compares their Atlas objects. Without the variable (CI) it does
/// nothing.
#[test]
fn kustomize_renders_as_kubectl_in_a_given_directory() {
    let Some(dir) = std::env::var_os("ATLASGOV_KUSTOMIZE_ORACLE") else {
        return;
    };
    assert!(kubectl(), "kubectl is needed to compare with");
    let dir = PathBuf::from(dir);
    let mut compared = 0;
    for (overlay, objects, remote) in render_fixture(&dir) {
        if remote {
            eprintln!("{}: names a remote resource, skipped", overlay.display());
            continue;
        }
        let o = std::process::Command::new("kubectl")
            .arg("kustomize")
            .arg(&overlay)
            .output()
            .unwrap();
        if !o.status.success() {
            eprintln!(
                "{}: kubectl kustomize fails: {}",
                overlay.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            continue;
        }
        let theirs = atlas_objects_of(&String::from_utf8_lossy(&o.stdout));
        let mut ours: Vec<String> = objects.iter().map(canonical).collect();
        ours.sort();
        assert_eq!(ours, theirs, "{}", overlay.display());
        eprintln!(
            "{}: {} Atlas objects as kubectl renders them",
            overlay.display(),
            ours.len()
        );
        compared += 1;
    }
    assert!(compared > 0, "no overlay rendered below {}", dir.display());
}
