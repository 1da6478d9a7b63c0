//! Helm values of the charts that create Atlas resources: the Atlas Kubernetes Operator's
//! `atlas-deployment`, `atlas-basic` and `atlas-advanced` (mongodb/helm-charts @d9e49b22:
//! atlas-deployment 2.8.0 and the 0.1.9 to 2.4.1 templates before it, atlas-basic 1.0.0,
//! atlas-advanced 1.0.0). What the chart's templates make of a values file is assembled here
//! as operator objects whose values are the values file's own nodes, so a finding points at
//! the value in the values file.
//!
//! A values file is read only with evidence that it belongs to such a chart: a `Chart.yaml`
//! (or Helm 2 `requirements.yaml`) of the chart itself in its directory or above, or of a
//! chart that depends on one (its values are then under the dependency's name or alias); or,
//! with no chart of its own, the chart's distinctive shape (`deployments[].deploymentSpec`, a
//! `project.atlasProjectName`, a top-level key named after the chart). A values file of any
//! other chart is not read.
//!
//! Values are merged as Helm does (maps merge, anything else replaces, `null` deletes): the
//! chart's defaults when its directory is among the files (a vendored or forked chart; a
//! packaged `.tgz` is not read), the chart's `values.yaml`, then an override file beside it
//! (`values-prod.yaml`). A chart directory with override files is judged through each of
//! them; its `values.yaml` alone only when it has none.
//!
//! - this module: which values files belong to these charts, and how each is attached to a
//!   chart (its own, or a parent chart's dependency) and merged into values;
//! - `values`: Helm's semantics of values (merging, a template's truth, a `condition`);
//! - `templates`: what each chart's templates render from merged values;
//! - `releases`: values written in a Flux `HelmRelease` or an Argo CD `Application`.

mod own;
mod releases;
mod templates;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::Kept;
use super::sources::Sources;
use crate::document::{Node, Span};
use crate::model::{FileId, SourceFile};
use templates::objects;
use values::{disabled, merge_chain};

/// How the region usage of a chart's project reads in messages: none of these charts has a
/// value for it, so a project it creates is a standard project in AtlasGov.
pub(super) const REGION_USAGE_FIELD: &str = "regionUsageRestrictions (which the chart cannot set)";
/// How a release of these charts gets a gov project instead, for help texts.
pub(super) const REGION_USAGE_CHOICE: &str = "set `project.create: false` and create the project outside the chart as an AtlasProject with regionUsageRestrictions GOV_REGIONS_ONLY (named by `project.fullnameOverride`), or use a fork of the chart whose project template sets it";

/// The charts whose values this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chart {
    Deployment,
    Basic,
    Advanced,
}

impl Chart {
    fn name(self) -> &'static str {
        match self {
            Chart::Deployment => "atlas-deployment",
            Chart::Basic => "atlas-basic",
            Chart::Advanced => "atlas-advanced",
        }
    }

    fn named(name: &str) -> Option<Chart> {
        match name {
            "atlas-deployment" => Some(Chart::Deployment),
            "atlas-basic" => Some(Chart::Basic),
            "atlas-advanced" => Some(Chart::Advanced),
            _ => None,
        }
    }
}

/// Tokens one of which a values file of these charts holds (the file is kept only then, or
/// when it sits in the directory of such a chart).
const TOKENS: &[&str] = &[
    "deploymentSpec",
    "flexSpec",
    "serverlessSpec",
    "atlasProjectName",
    "instanceSize",
    "atlas-deployment",
    "atlas-basic",
    "atlas-advanced",
];

/// Whether a file declares a chart (`Chart.yaml`, or Helm 2's `requirements.yaml`).
pub(super) fn is_chart_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| matches!(n, "Chart.yaml" | "requirements.yaml"))
}

/// Whether a file is named like a values file (`values.yaml`, `values-prod.yaml`,
/// `prod.values.yaml`, anything in a `values/` directory).
fn is_values_name(path: &Path) -> bool {
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    let named = |p: Option<&std::ffi::OsStr>| {
        p.and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().contains("values"))
    };
    // The directory's name even when the path names none (`prod.yaml` checked from inside
    // `values/`).
    let parent = || match path.parent().and_then(Path::file_name) {
        Some(name) => Some(name.to_os_string()),
        None => std::path::absolute(path)
            .ok()
            .and_then(|a| Some(a.parent()?.file_name()?.to_os_string())),
    };
    yaml && (named(path.file_stem()) || named(parent().as_deref()))
}

/// Whether a file may be a values file of these charts, by its name and text: named like one
/// and holding a token, or, whatever its name (helmfile's `environments/prod.yaml`, `-f
/// envs/dev.yaml`), with the chart's own top-level shape: a top-level key named after the
/// chart (`atlas-deployment:`), or `deployments:` of `deploymentSpec`s (or flex or serverless
/// specs).
pub(super) fn is_values_candidate(path: &Path, text: &str) -> bool {
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    // Every YAML file of a run comes here: the line scans only after a token is found.
    TOKENS.iter().any(|t| text.contains(t))
        && (is_values_name(path) || (yaml && has_chart_shape(text)))
}

/// Whether a YAML text has one of these charts' values at its top level (see
/// [`is_values_candidate`]).
fn has_chart_shape(text: &str) -> bool {
    let specs = ["deploymentSpec", "flexSpec", "serverlessSpec"]
        .iter()
        .any(|t| text.contains(t));
    // A line that starts with the key and its colon (a key at the top level), found with a
    // SIMD search for the line break before it rather than a walk over every line.
    // `line` is the key and its colon after a line break (no allocation per file).
    let top_level_key = |line: &str| {
        text.starts_with(line.get(1..).unwrap_or(""))
            || memchr::memmem::find(text.as_bytes(), line.as_bytes()).is_some()
    };
    ["\natlas-deployment:", "\natlas-basic:", "\natlas-advanced:"]
        .iter()
        .any(|line| top_level_key(line))
        || (specs && top_level_key("\ndeployments:"))
}

/// Whether a file may hold a GitOps release of these charts (a Flux `HelmRelease`, an Argo CD
/// `Application`), by its text.
pub(super) fn is_release_candidate(text: &str) -> bool {
    releases::is_candidate(text)
}

/// What a `Chart.yaml` says.
struct ChartFile {
    dir: PathBuf,
    /// The directory as the run spells it (its `Chart.yaml`'s path's): files read from it
    /// are named the same way, however the run was started.
    shown: PathBuf,
    /// The chart itself, when it is one of these.
    chart: Option<Chart>,
    /// Its dependencies on these charts: the chart, the key its values are under, and the
    /// condition that enables it.
    deps: Vec<(Chart, String, Option<String>)>,
    /// A library chart (`type: library`): its templates are not rendered by themselves.
    library: bool,
}

/// One values file's rendering.
pub(super) struct HelmRendering {
    /// The values file judged, and its source.
    pub(super) file: FileId,
    pub(super) path: PathBuf,
    pub(super) objects: Vec<Node>,
    /// The sources read.
    pub(super) consumed: BTreeSet<usize>,
    /// The templates of a team's own chart that it renders (see [`own`]): what each gives
    /// read on its own is replaced by the renderings. Empty for the operator's charts, whose
    /// templates are not read.
    pub(super) replaces: BTreeSet<usize>,
    /// Values of a team's own chart placed in a branch that a value decided.
    pub(super) decided: Vec<own::Decided>,
    /// Values of a team's own chart (in the span space) that its templates also use where
    /// nothing is read into the model (`name: orders-{{ .Values.region | lower }}`, a
    /// ConfigMap), and where: a fix of the value changes those uses too.
    pub(super) uses: Vec<(Span, crate::model::Loc)>,
}

/// How a values file is attached to a chart.
enum Attached {
    /// Values of the chart itself, with its defaults file (the chart's `values.yaml`) and its
    /// directory, when it is among the files (a fork).
    Chart(Chart, Option<PathBuf>, Option<PathBuf>),
    /// Values of a parent chart, with its `values.yaml`, its directory, and the dependencies.
    Parent(
        Option<PathBuf>,
        PathBuf,
        Vec<(Chart, String, Option<String>)>,
    ),
}

/// Render every values file of these charts among the kept and the run's files.
pub(super) fn render(
    kept: &[Kept],
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    notes: &mut Vec<super::Note>,
) -> Vec<HelmRendering> {
    let charts: Vec<ChartFile> = kept
        .iter()
        .filter(|k| is_chart_file(&k.path))
        .filter_map(|k| chart_file(sources, &k.path, &k.root))
        .collect();
    // Chart files of one directory (Chart.yaml and requirements.yaml) together.
    let mut by_dir: BTreeMap<PathBuf, ChartFile> = BTreeMap::new();
    for c in charts {
        match by_dir.get_mut(&c.dir) {
            Some(known) => {
                known.chart = known.chart.or(c.chart);
                known.deps.extend(c.deps);
                known.library |= c.library;
            }
            None => {
                by_dir.insert(c.dir.clone(), c);
            }
        }
    }
    let related = |c: &ChartFile| c.chart.is_some() || !c.deps.is_empty();
    // Releases of these charts in GitOps manifests.
    let mut out = Vec::new();
    let mut releases_read = BTreeSet::new();
    for k in kept.iter().filter(|k| is_release_candidate(&k.text)) {
        if let Some(r) = releases::render(sources, files, &k.path) {
            out.extend(r);
            releases_read.insert(k.path.clone());
        }
    }
    // The values files those releases read (a kustomization's `valuesFile`): rendered with
    // their release, not on their own.
    let release_files: BTreeSet<FileId> = out
        .iter()
        .flat_map(|r: &HelmRendering| r.consumed.iter())
        .filter_map(|&i| sources.get(i))
        .map(|s| s.file)
        .collect();
    // Candidates: kept values files, and values-named files of the run in related charts.
    let mut candidates: BTreeSet<PathBuf> = kept
        .iter()
        .filter(|k| !is_chart_file(&k.path) && !super::kustomize::is_kustomization(&k.path))
        .filter(|k| !releases_read.contains(&k.path) && !release_files.contains(&k.file))
        .map(|k| k.path.clone())
        .collect();
    let run_files: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    for path in &run_files {
        if !is_values_name(path) {
            continue;
        }
        let abs = sources.absolute(path);
        if let Some(c) = nearest(&by_dir, &abs) {
            if related(c) {
                candidates.insert(path.clone());
            }
        }
    }
    // Group by chart directory: overrides, and the chart's own values.yaml.
    let mut with_overrides: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut defaults_only: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for path in &candidates {
        let abs = sources.absolute(path);
        match nearest(&by_dir, &abs) {
            Some(c) if related(c) => {
                if vendored_dependency(&by_dir, c) {
                    continue;
                }
                if is_defaults(c, &abs) {
                    defaults_only.insert(c.dir.clone(), path.clone());
                } else {
                    with_overrides
                        .entry(c.dir.clone())
                        .or_default()
                        .push(path.clone());
                }
            }
            // Another chart's values file.
            Some(_) => {}
            // No chart: read only when its shape is one of these charts'.
            None => {
                if let Some(r) = standalone(sources, files, path) {
                    out.extend(r);
                }
            }
        }
    }
    for (dir, overrides) in &with_overrides {
        let Some(c) = by_dir.get(dir) else { continue };
        for path in overrides {
            out.extend(render_attached(sources, files, c, path));
        }
    }
    for (dir, path) in &defaults_only {
        if with_overrides.contains_key(dir) {
            continue;
        }
        if let Some(c) = by_dir.get(dir) {
            out.extend(render_attached(sources, files, c, path));
        }
    }
    // Any other chart: its own templates of Atlas objects.
    out.extend(own::render(&by_dir, sources, files, notes));
    out
}

fn chart_file(sources: &Sources<'_>, path: &Path, root: &Node) -> Option<ChartFile> {
    let shown = path.parent()?.to_path_buf();
    let dir = sources.absolute(&shown);
    let chart = root
        .get("name")
        .and_then(Node::as_str)
        .and_then(Chart::named);
    let deps = root
        .get("dependencies")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            let chart = Chart::named(d.get("name")?.as_str()?)?;
            let key = d
                .get("alias")
                .and_then(Node::as_str)
                .or_else(|| d.get("name")?.as_str())?
                .to_string();
            let condition = d
                .get("condition")
                .and_then(Node::as_str)
                .map(str::to_string);
            Some((chart, key, condition))
        })
        .collect();
    let library = root.get("type").and_then(Node::as_str) == Some("library");
    Some(ChartFile {
        dir,
        shown,
        chart,
        deps,
        library,
    })
}

/// The chart of the nearest directory holding (at or above) `abs`.
fn nearest<'c>(by_dir: &'c BTreeMap<PathBuf, ChartFile>, abs: &Path) -> Option<&'c ChartFile> {
    abs.ancestors().skip(1).find_map(|d| by_dir.get(d))
}

/// Whether a chart is a dependency vendored into a parent chart that depends on it
/// (`parent/charts/atlas-deployment/`): its values are the parent's renderings' defaults.
fn vendored_dependency(by_dir: &BTreeMap<PathBuf, ChartFile>, c: &ChartFile) -> bool {
    let Some(chart) = c.chart else { return false };
    let parent = c
        .dir
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "charts"))
        .and_then(Path::parent);
    parent
        .and_then(|p| by_dir.get(p))
        .is_some_and(|p| p.deps.iter().any(|(d, _, _)| *d == chart))
}

/// Whether `abs` is the chart's own `values.yaml`.
fn is_defaults(c: &ChartFile, abs: &Path) -> bool {
    abs.parent() == Some(c.dir.as_path())
        && abs
            .file_name()
            .is_some_and(|n| n == "values.yaml" || n == "values.yml")
}

/// The chart's own values file, if it has one.
fn defaults_of(sources: &mut Sources<'_>, dir: &Path) -> Option<PathBuf> {
    ["values.yaml", "values.yml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| sources.is_file(p))
}

/// Render a values file attached to a chart directory.
fn render_attached(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    c: &ChartFile,
    path: &Path,
) -> Vec<HelmRendering> {
    let defaults =
        defaults_of(sources, &c.dir).filter(|d| sources.absolute(d) != sources.absolute(path));
    let attached = match c.chart {
        Some(chart) => Attached::Chart(chart, defaults, Some(c.dir.clone())),
        None => Attached::Parent(defaults, c.dir.clone(), c.deps.clone()),
    };
    render_values(sources, files, path, attached)
}

/// A values file with no chart of its own: read only when its shape is one of these charts'.
fn standalone(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    path: &Path,
) -> Option<Vec<HelmRendering>> {
    let source = sources.load(path, files).ok()?;
    let root = sources.get(source)?.roots.first()?.clone();
    if let Some(chart) = shape(&root) {
        return Some(render_values(
            sources,
            files,
            path,
            Attached::Chart(chart, None, None),
        ));
    }
    // Values of a parent chart that is not among the files: a key named after the chart.
    let deps: Vec<(Chart, String, Option<String>)> = root
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let key = e.key.as_str()?;
            let chart = Chart::named(key)?;
            (shape(&e.value) == Some(chart)).then(|| (chart, key.to_string(), None))
        })
        .collect();
    if deps.is_empty() {
        return None;
    }
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    Some(render_values(
        sources,
        files,
        path,
        Attached::Parent(None, dir, deps),
    ))
}

/// Which chart a values mapping is shaped for, if its shape leaves no doubt: deployments
/// that hold an Atlas cluster body, a project with an Atlas project name, or a deployment
/// sized with an Atlas tier beside the charts' other values.
fn shape(values: &Node) -> Option<Chart> {
    let cluster_body = |d: &Node| {
        ["deploymentSpec", "advancedDeploymentSpec"]
            .iter()
            .any(|k| {
                d.get(k).is_some_and(|s| {
                    ["replicationSpecs", "providerSettings", "clusterType"]
                        .iter()
                        .any(|f| s.get(f).is_some())
                })
            })
            || ["serverlessSpec", "flexSpec"]
                .iter()
                .any(|k| d.get(k).and_then(|s| s.get("providerSettings")).is_some())
    };
    let deployments = values
        .get("deployments")
        .and_then(Node::as_seq)
        .is_some_and(|items| items.iter().any(cluster_body));
    let project_name = values
        .get("project")
        .and_then(|p| p.get("atlasProjectName"))
        .is_some();
    if deployments || project_name {
        return Some(Chart::Deployment);
    }
    let deployment = values.get("deployment")?;
    let companion = values.get("dbUser").and_then(Node::as_map).is_some()
        || values
            .get("project")
            .and_then(|p| p.get("cidrEntry"))
            .is_some()
        || values.get("secret").and_then(|s| s.get("orgID")).is_some();
    let tier = |n: Option<&Node>| n.and_then(Node::scalar_text).is_some_and(is_tier);
    if !companion {
        return None;
    }
    if deployment
        .get("regions")
        .and_then(Node::as_seq)
        .is_some_and(|r| r.iter().any(|r| tier(r.get("instanceSize"))))
    {
        return Some(Chart::Advanced);
    }
    tier(deployment.get("instanceSize")).then_some(Chart::Basic)
}

/// Whether a value is written like an Atlas tier (`M5`, `M30`, `R40`, `M40_NVME`).
fn is_tier(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some('M' | 'R' | 'm' | 'r'))
        && chars.next().is_some_and(|c| c.is_ascii_digit())
}

/// Merge the values chain and render the chart's objects.
fn render_values(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    path: &Path,
    attached: Attached,
) -> Vec<HelmRendering> {
    let mut consumed = BTreeSet::new();
    let Some(file) = sources
        .load(path, files)
        .ok()
        .and_then(|s| sources.get(s))
        .map(|s| s.file)
    else {
        return Vec::new();
    };
    let Some(own) = doc(sources, files, path, &mut consumed) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match attached {
        Attached::Chart(chart, defaults, dir) => {
            let base = defaults.and_then(|d| doc(sources, files, &d, &mut consumed));
            let values = merge_chain(base, &own);
            let forked = dir.is_some_and(|d| sets_region_usage(sources, &d));
            out.push(HelmRendering {
                file,
                path: path.to_path_buf(),
                objects: objects(chart, &values, &own, forked),
                consumed: consumed.clone(),
                replaces: BTreeSet::new(),
                decided: Vec::new(),
                uses: Vec::new(),
            });
        }
        Attached::Parent(defaults, dir, deps) => {
            let base = defaults.and_then(|d| doc(sources, files, &d, &mut consumed));
            let parent = merge_chain(base, &own);
            for (chart, key, condition) in deps {
                if condition.is_some_and(|c| disabled(&parent, &c)) {
                    continue;
                }
                let vendored = dir.join("charts").join(chart.name());
                let sub_defaults = ["values.yaml", "values.yml"]
                    .iter()
                    .find_map(|n| doc(sources, files, &vendored.join(n), &mut consumed));
                let Some(sub) = parent.get(&key).cloned() else {
                    continue;
                };
                let values = merge_chain(sub_defaults, &sub);
                let forked = sets_region_usage(sources, &vendored);
                out.push(HelmRendering {
                    file,
                    path: path.to_path_buf(),
                    objects: objects(chart, &values, own.get(&key).unwrap_or(&own), forked),
                    consumed: consumed.clone(),
                    replaces: BTreeSet::new(),
                    decided: Vec::new(),
                    uses: Vec::new(),
                });
            }
        }
    }
    out
}

/// The first document of a file, in the span space (and the file noted as read).
fn doc(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    path: &Path,
    consumed: &mut BTreeSet<usize>,
) -> Option<Node> {
    let source = sources.load(path, files).ok()?;
    consumed.insert(source);
    sources.doc(source, 0)
}

/// Whether the chart in `dir` is a fork whose project template sets a region usage (the
/// upstream templates set none): the project's region usage is then unknown here.
fn sets_region_usage(sources: &mut Sources<'_>, dir: &Path) -> bool {
    sources
        .text(&dir.join("templates").join("atlas-project.yaml"))
        .is_ok_and(|t| t.contains("regionUsageRestrictions"))
}
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::adapters::kubernetes::render::first_doc as doc;

    #[test]
    fn the_chart_shape_is_a_top_level_key_at_the_start_of_a_line() {
        let spec = "deploymentSpec: {}\n";
        for (text, shaped) in [
            ("atlas-deployment:\n  x: 1\n", true),
            ("a: 1\natlas-basic: {}\n", true),
            ("a: 1\r\natlas-advanced:\r\n", true),
            ("atlas-deployment", false),
            (" atlas-deployment:\n", false),
            ("a: 1\n  atlas-basic: {}\n", false),
            ("atlas-basic-x: 1\n", false),
            ("x: atlas-basic:\n", false),
            ("\u{feff}atlas-basic: {}\n", false),
            ("deployments:\n- deploymentSpec: {}\n", true),
            ("deployments:\n- name: a\n", false),
            ("a: 1\ndeployments: []\n", false),
        ] {
            assert_eq!(has_chart_shape(text), shaped, "{text:?}");
            let with_spec = format!("{spec}{text}");
            let expected =
                shaped || text.contains("\ndeployments:") || text.starts_with("deployments:");
            assert_eq!(has_chart_shape(&with_spec), expected, "{with_spec:?}");
        }
    }

    #[test]
    fn only_the_charts_shapes_are_recognised() {
        for (text, chart) in [
            (
                "deployments:\n  - deploymentSpec: {name: a, clusterType: REPLICASET}\n",
                Some(Chart::Deployment),
            ),
            (
                "deployments:\n  - flexSpec: {name: f, providerSettings: {regionName: US_EAST_1}}\n",
                Some(Chart::Deployment),
            ),
            ("project: {atlasProjectName: x}\n", Some(Chart::Deployment)),
            (
                "deployment: {instanceSize: M5}\ndbUser: {name: a}\n",
                Some(Chart::Basic),
            ),
            (
                "deployment: {regions: [{name: US_EAST_1, instanceSize: M10}]}\nsecret: {orgID: x}\n",
                Some(Chart::Advanced),
            ),
            // Other charts: the same words, other shapes.
            (
                "deployments:\n  - deploymentSpec: {strategy: RollingUpdate}\n",
                None,
            ),
            (
                "deployment: {instanceSize: large}\ndbUser: {name: a}\n",
                None,
            ),
            ("deployment: {instanceSize: M5}\n", None),
            ("project: {name: x}\n", None),
        ] {
            assert_eq!(shape(&doc(text)), chart, "{text}");
        }
        for (path, values) in [
            ("values.yaml", true),
            ("helm/values-prod.yaml", true),
            ("prod.values.yml", true),
            ("values/prod.yaml", true),
            ("config.yaml", false),
            ("values.json", false),
        ] {
            assert_eq!(is_values_name(Path::new(path)), values, "{path}");
        }
    }
}
