//! Values a GitOps controller gives these charts, written in a manifest instead of a values
//! file: a Flux `HelmRelease` (`helm.toolkit.fluxcd.io`: the chart `spec.chart.spec.chart`, the
//! values `spec.values`) and an Argo CD `Application` (`argoproj.io`: `spec.source`, or each of
//! `spec.sources`, with `chart` and `helm.valuesObject`, or `helm.values` as a YAML string,
//! which `valuesObject` overrides). The chart is a packaged one (a chart repository, an OCI
//! registry): its defaults are not read, so what the values say is rendered on its own.
//! A kustomization's `helmCharts` (kustomize's Helm inflator) give theirs in `valuesFile` (a
//! file beside the kustomization) and `valuesInline`, merged as `valuesMerge` says.
//! Not read: Flux `spec.valuesFrom` (ConfigMaps and Secrets), Argo CD `helm.parameters` and
//! `helm.valueFiles` (files of the chart's repository).

use std::collections::BTreeSet;
use std::path::Path;

use super::super::sources::Sources;
use super::templates::objects;
use super::values::{fill_empty, merge_chain};
use super::{Chart, HelmRendering};
use crate::document::Node;
use crate::model::SourceFile;

const CHARTS: [Chart; 3] = [Chart::Deployment, Chart::Basic, Chart::Advanced];

/// Whether a file's text may hold a release of these charts.
pub(super) fn is_candidate(text: &str) -> bool {
    (text.contains("HelmRelease") || text.contains("argoproj.io") || text.contains("helmCharts"))
        && CHARTS.iter().any(|c| text.contains(c.name()))
}

/// Where a release's values are.
enum Values<'n> {
    /// A mapping of the manifest.
    Object(&'n Node),
    /// A YAML string of the manifest, and its JSON pointer.
    Text(&'n Node, String),
    /// A kustomization's `helmCharts` item: its `valuesFile` (relative to the kustomization),
    /// its `valuesInline`, and how they merge (`valuesMerge`).
    Kustomize {
        file: Option<&'n str>,
        inline: Option<&'n Node>,
        merge: ValuesMerge,
    },
}

/// kustomize's `valuesMerge` (`api/types/helmchartargs.go`): how `valuesInline` meets the
/// values file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValuesMerge {
    /// The default: inline values merged over the file's.
    Override,
    /// The inline values fill what the file's leave unset or empty (`mergo.Merge`).
    Merge,
    /// The inline values alone.
    Replace,
}

/// The renderings of every release of these charts in the file at `path`; `None` when it
/// holds none (it is then read as a values file, if it is one).
pub(super) fn render(
    sources: &mut Sources<'_>,
    files: &mut Vec<SourceFile>,
    path: &Path,
) -> Option<Vec<HelmRendering>> {
    let source = sources.load(path, files).ok()?;
    let (file, roots) = sources.get(source).map(|s| (s.file, s.roots.clone()))?;
    let mut found = false;
    let mut out = Vec::new();
    for root in &roots {
        for (chart, values) in releases(root, &roots) {
            found = true;
            let mut consumed = BTreeSet::from([source]);
            let values = match values {
                Values::Object(node) => Some(sources.node(source, node)),
                Values::Text(node, pointer) => sources
                    .fragment(source, node, &pointer)
                    .ok()
                    .and_then(|docs| docs.into_iter().next()),
                Values::Kustomize {
                    file: values_file,
                    inline,
                    merge,
                } => {
                    // Empty inline values change nothing (kustomize merges only when there are
                    // some).
                    let inline = inline
                        .filter(|n| n.as_map().is_some_and(|m| !m.is_empty()))
                        .map(|n| sources.node(source, n));
                    let from_file = values_file
                        .filter(|_| !(merge == ValuesMerge::Replace && inline.is_some()))
                        .and_then(|f| {
                            // Within the kustomization's directory, as kustomize loads it.
                            let dir = crate::paths::normalize(path.parent()?);
                            let file = crate::paths::normalize(&dir.join(f));
                            let root = crate::paths::normalize(&sources.absolute(&dir));
                            if !crate::paths::normalize(&sources.absolute(&file)).starts_with(root)
                            {
                                return None;
                            }
                            let at = sources.load(&file, files).ok()?;
                            consumed.insert(at);
                            sources.doc(at, 0)
                        })
                        .filter(|v| v.as_map().is_some());
                    match (from_file, inline) {
                        (Some(mut f), Some(i)) if merge == ValuesMerge::Merge => {
                            fill_empty(&mut f, &i);
                            Some(f)
                        }
                        (Some(f), Some(i)) => Some(merge_chain(Some(f), &i)),
                        (f, i) => f.or(i),
                    }
                }
            };
            let Some(values) = values.filter(|v| v.as_map().is_some()) else {
                continue;
            };
            out.push(HelmRendering {
                file,
                path: path.to_path_buf(),
                objects: objects(chart, &values, &values, false),
                consumed,
                replaces: BTreeSet::new(),
                decided: Vec::new(),
                uses: Vec::new(),
            });
        }
    }
    found.then_some(out)
}

/// A chart named by a release: its name, or the last part of a path or reference to it
/// (`./charts/atlas-deployment`, `mongodb/atlas-deployment`).
fn chart_named(name: &str) -> Option<Chart> {
    Chart::named(name.trim_end_matches('/').rsplit('/').next()?)
}

/// The chart a Flux `HelmRelease`'s `spec.chartRef` (`reference`) names: the `OCIRepository`'s
/// `spec.url` or the `HelmChart`'s `spec.chart` of that name among the documents of its file
/// (`roots`); not found there (the sources are often in a file of their own), the object's
/// name, when it is a chart's (sources are most often named after their chart).
fn chart_referenced(reference: &Node, roots: &[Node]) -> Option<Chart> {
    let kind = reference.get("kind").and_then(Node::as_str)?;
    let name = reference.get("name").and_then(Node::as_str)?;
    let field = match kind {
        "OCIRepository" => "url",
        "HelmChart" => "chart",
        _ => return None,
    };
    let str_at = |n: &Node, path: &[&str]| -> Option<String> {
        let mut at = n;
        for key in path {
            at = at.get(key)?;
        }
        at.as_str().map(str::to_string)
    };
    let namespace = str_at(reference, &["namespace"]);
    let source = roots.iter().find(|r| {
        str_at(r, &["apiVersion"]).is_some_and(|a| a.starts_with("source.toolkit.fluxcd.io/"))
            && str_at(r, &["kind"]).as_deref() == Some(kind)
            && str_at(r, &["metadata", "name"]).as_deref() == Some(name)
            && (namespace.is_none()
                || str_at(r, &["metadata", "namespace"]).is_none()
                || str_at(r, &["metadata", "namespace"]) == namespace)
    });
    match source {
        Some(source) => chart_named(&str_at(source, &["spec", field])?),
        None => Chart::named(name),
    }
}

/// The releases of these charts in one document (of a file whose documents are `roots`), each
/// with where its values are.
fn releases<'n>(root: &'n Node, roots: &[Node]) -> Vec<(Chart, Values<'n>)> {
    let api = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = root.get("kind").and_then(Node::as_str);
    let spec = root.get("spec");
    let mut out = Vec::new();
    // A kustomization's Helm charts (`kustomize build --enable-helm`): `valuesInline`.
    if matches!(kind, None | Some("Kustomization")) {
        for item in root
            .get("helmCharts")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let chart = item
                .get("name")
                .and_then(Node::as_str)
                .and_then(chart_named);
            let file = item.get("valuesFile").and_then(Node::as_str);
            let inline = item.get("valuesInline");
            let merge = match item.get("valuesMerge").and_then(Node::as_str) {
                Some("merge") => ValuesMerge::Merge,
                Some("replace") => ValuesMerge::Replace,
                _ => ValuesMerge::Override,
            };
            if let Some(chart) = chart.filter(|_| file.is_some() || inline.is_some()) {
                out.push((
                    chart,
                    Values::Kustomize {
                        file,
                        inline,
                        merge,
                    },
                ));
            }
        }
    }
    if api.starts_with("helm.toolkit.fluxcd.io/") && kind == Some("HelmRelease") {
        let chart = match spec.and_then(|s| s.get("chartRef")) {
            Some(reference) => chart_referenced(reference, roots),
            None => spec
                .and_then(|s| s.get("chart")?.get("spec")?.get("chart")?.as_str())
                .and_then(chart_named),
        };
        let values = spec.and_then(|s| s.get("values"));
        if let (Some(chart), Some(values)) = (chart, values) {
            out.push((chart, Values::Object(values)));
        }
    } else if api.starts_with("argoproj.io/") && kind == Some("Application") {
        let single = spec
            .and_then(|s| s.get("source"))
            .map(|s| (s, "/spec/source".to_string()));
        let many = spec
            .and_then(|s| s.get("sources"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, s)| (s, format!("/spec/sources/{i}")));
        for (source, pointer) in single.into_iter().chain(many) {
            let Some(chart) = source
                .get("chart")
                .and_then(Node::as_str)
                .and_then(chart_named)
            else {
                continue;
            };
            let helm = source.get("helm");
            if let Some(values) = helm.and_then(|h| h.get("valuesObject")) {
                out.push((chart, Values::Object(values)));
            } else if let Some(values) = helm
                .and_then(|h| h.get("values"))
                .filter(|v| v.as_str().is_some())
            {
                out.push((
                    chart,
                    Values::Text(values, format!("{pointer}/helm/values")),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::kubernetes::render::first_doc as doc;

    /// Each release's chart, and its values' first key (or the string's first line).
    fn read(text: &str) -> Vec<(Chart, String)> {
        let root = doc(text);
        releases(&root, std::slice::from_ref(&root))
            .into_iter()
            .map(|(chart, values)| {
                let what = match values {
                    Values::Object(v) => v
                        .as_map()
                        .and_then(|m| m.first())
                        .and_then(|e| e.key.as_str())
                        .unwrap_or("")
                        .to_string(),
                    Values::Text(v, pointer) => format!(
                        "{pointer}: {}",
                        v.as_str().and_then(|s| s.lines().next()).unwrap_or("")
                    ),
                    Values::Kustomize {
                        file,
                        inline,
                        merge,
                    } => format!(
                        "file {}, inline {}, {}",
                        file.unwrap_or("-"),
                        inline
                            .and_then(Node::as_map)
                            .and_then(|m| m.first())
                            .and_then(|e| e.key.as_str())
                            .unwrap_or("-"),
                        match merge {
                            ValuesMerge::Override => "override",
                            ValuesMerge::Merge => "merge",
                            ValuesMerge::Replace => "replace",
                        }
                    ),
                };
                (chart, what)
            })
            .collect()
    }

    #[test]
    fn releases_of_the_charts_are_found_in_flux_and_argo_cd_manifests() {
        let flux = "apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nspec:\n  chart: {spec: {chart: ./vendor/charts/atlas-basic/}}\n  values: {deployment: {instanceSize: M5}}\n";
        assert_eq!(read(flux), vec![(Chart::Basic, "deployment".to_string())]);
        let argo = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  sources:\n    - {repoURL: https://git.example.gov/x.git, path: app}\n    - chart: atlas-deployment\n      helm:\n        values: 'project: {create: false}'\n        valuesObject: {deployments: []}\n    - chart: mongodb/atlas-advanced\n      helm:\n        values: |\n          deployment: {}\n";
        assert_eq!(
            read(argo),
            vec![
                // `valuesObject` wins over `values`.
                (Chart::Deployment, "deployments".to_string()),
                (
                    Chart::Advanced,
                    "/spec/sources/2/helm/values: deployment: {}".to_string()
                ),
            ]
        );
        for other in [
            // Another chart; a release without values; another kind of the same group.
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec: {chart: {spec: {chart: redis}}, values: {a: 1}}\n",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec: {chart: {spec: {chart: atlas-deployment}}}\n",
            "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nspec: {source: {chart: atlas-deployment, helm: {valuesObject: {a: 1}}}}\n",
        ] {
            assert!(read(other).is_empty(), "{other}");
        }
        let kustomization = "helmCharts:\n  - name: redis\n    valuesInline: {a: 1}\n  - name: atlas-deployment\n    repo: https://mongodb.github.io/helm-charts\n    valuesInline: {deployments: []}\n  - name: atlas-basic\n    valuesFile: prod.yaml\n    valuesMerge: replace\n  - name: atlas-advanced\n";
        assert_eq!(
            read(kustomization),
            vec![
                (
                    Chart::Deployment,
                    "file -, inline deployments, override".to_string()
                ),
                (
                    Chart::Basic,
                    "file prod.yaml, inline -, replace".to_string()
                ),
            ]
        );
        assert!(is_candidate(kustomization));

        // Flux's chart reference: the chart of the source object it names in the same file, or
        // the object's name when the file does not hold it.
        let limits = crate::document::Limits::default();
        let file = |text: &str| {
            let roots = crate::document::parse(text, crate::document::Syntax::Yaml, &limits)
                .unwrap()
                .roots;
            roots
                .iter()
                .flat_map(|r| releases(r, &roots).into_iter().map(|(c, _)| c))
                .collect::<Vec<_>>()
        };
        let release = |kind: &str, name: &str| {
            format!(
                "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  chartRef: {{kind: {kind}, name: {name}, namespace: flux-system}}\n  values: {{deployments: []}}\n"
            )
        };
        let oci = "apiVersion: source.toolkit.fluxcd.io/v1beta2\nkind: OCIRepository\nmetadata: {name: atlas, namespace: flux-system}\nspec: {url: 'oci://registry.example.gov/charts/atlas-basic', ref: {tag: 1.0.0}}\n";
        let chart = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: atlas}\nspec: {chart: atlas-advanced, sourceRef: {kind: HelmRepository, name: mongodb}}\n";
        let other = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: atlas-deployment}\nspec: {url: 'oci://registry.example.gov/charts/redis'}\n";
        let cases: [(String, Vec<Chart>); 7] = [
            (
                format!("{oci}---\n{}", release("OCIRepository", "atlas")),
                vec![Chart::Basic],
            ),
            (
                format!("{}---\n{chart}", release("HelmChart", "atlas")),
                vec![Chart::Advanced],
            ),
            // Not in the file: by the object's name.
            (
                release("OCIRepository", "atlas-deployment"),
                vec![Chart::Deployment],
            ),
            (release("OCIRepository", "atlas"), vec![]),
            // In the file, another chart: not one of these, whatever its name says.
            (
                format!(
                    "{other}---\n{}",
                    release("OCIRepository", "atlas-deployment")
                ),
                vec![],
            ),
            // Another kind of source; another namespace's object of that name.
            (release("GitRepository", "atlas-deployment"), vec![]),
            (
                format!(
                    "{}---\n{}",
                    oci.replace("flux-system", "other"),
                    release("OCIRepository", "atlas")
                ),
                vec![],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(file(&text), expected, "{text}");
        }
        assert!(is_candidate("kind: HelmRelease\n  chart: atlas-deployment"));
        assert!(!is_candidate("kind: HelmRelease\n  chart: redis"));
    }
}
