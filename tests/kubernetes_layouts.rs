//! Kustomize overlays and Helm values checked the ways a team runs the tool: a whole
//! directory, one overlay, one changed file (a pre-commit hook, with its repository as the
//! project root), an editor's unsaved buffer, and suppression comments in a patch file that
//! names no Atlas field.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use atlasgov_lint::engine::{Options, ProjectRoot, check_paths, check_paths_and_buffers};
use atlasgov_lint::lint::{Inputs, Settings, lint};
use atlasgov_lint::outcome::{Buffer, Outcome};

/// Each finding as `CODE path:line:column`.
fn findings(outcome: &Outcome) -> Vec<String> {
    outcome
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f.rule.code,
                outcome.path(f.loc.file).display(),
                f.loc.start.line,
                f.loc.start.column
            )
        })
        .collect()
}

fn as_hook() -> Options {
    Options {
        project_root: ProjectRoot::Repository,
        ..Options::default()
    }
}

const DEV: &str = "fixtures/GOV002/fail_k8s_kustomize_dev_overlay";
const GOV_AND_COMMERCIAL: &str = "fixtures/GOV004/fail_k8s_kustomize_gov_and_commercial";
const UMBRELLA: &str = "fixtures/GOV004/fail_helm_umbrella_chart/deploy/atlas";

#[test]
fn a_patch_checked_alone_renders_its_overlay_and_reports_only_itself() {
    let patch = PathBuf::from(DEV).join("overlays/dev/smaller-cluster.yaml");
    let outcome = check_paths(std::slice::from_ref(&patch), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV002 {}:14:29", patch.display())]
    );
    assert_eq!(outcome.files_checked, 1);
    // The base was read from disk for the rendering, as context.
    let base = Path::new(DEV).join("base/atlas-deployment.yaml");
    let id = outcome.files.iter().position(|f| f.path == base).unwrap();
    assert!(outcome.context.contains(&u32::try_from(id).unwrap()));
}

#[test]
fn an_overlay_checked_alone_reports_what_it_renders_from_its_base() {
    let gov = PathBuf::from(GOV_AND_COMMERCIAL).join("overlays/gov");
    let outcome = check_paths(&[gov], &Options::default());
    assert_eq!(
        findings(&outcome),
        vec![format!(
            "GOV004 {GOV_AND_COMMERCIAL}/base/cluster.yaml:19:25"
        )]
    );
    assert_eq!(outcome.files_checked, 2);
    // The commercial overlay of the same base is compliant, on its own as with the other.
    let commercial = PathBuf::from(GOV_AND_COMMERCIAL).join("overlays/commercial");
    assert!(
        check_paths(&[commercial], &Options::default())
            .findings
            .is_empty()
    );
    // The base checked alone is its own rendering: no overlay makes it a gov project, and
    // its project, which only the overlays give a region usage, is warned about.
    let base = PathBuf::from(GOV_AND_COMMERCIAL).join("base");
    assert_eq!(
        findings(&check_paths(&[base], &Options::default())),
        vec![format!("GOV005 {GOV_AND_COMMERCIAL}/base/project.yaml:5:1")]
    );
}

#[test]
fn an_unsaved_buffer_is_what_the_overlay_renders() {
    let patch = PathBuf::from(DEV).join("overlays/dev/smaller-cluster.yaml");
    let text = std::fs::read_to_string(&patch)
        .unwrap()
        .replace("instanceSize: M10", "instanceSize: M30");
    let buffer = Buffer {
        path: patch.clone(),
        text,
    };
    // The editor checks the buffer, its directory's kustomization as context.
    let kustomization = PathBuf::from(DEV).join("overlays/dev/kustomization.yaml");
    let outcome = check_paths_and_buffers(&[kustomization], &[buffer], &Options::default());
    assert_eq!(findings(&outcome), Vec::<String>::new());
}

#[test]
fn a_suppression_in_a_json_patch_file_applies() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("base/kustomization.yaml", "resources: [deployment.yaml]\n");
    write(
        "base/deployment.yaml",
        "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: db}\nspec:\n  deploymentSpec:\n    name: db\n    replicationSpecs: [{regionConfigs: [{providerName: AWS, regionName: US_GOV_WEST_1, electableSpecs: {instanceSize: M30}}]}]\n",
    );
    write(
        "dev/kustomization.yaml",
        "resources: [../base]\npatches:\n  - target: {kind: AtlasDeployment}\n    path: size.yaml\n",
    );
    // A JSON patch names no Atlas field: its comments are read because the overlay reads it.
    write(
        "dev/size.yaml",
        "- op: replace\n  path: /spec/deploymentSpec/replicationSpecs/0/regionConfigs/0/electableSpecs/instanceSize\n  # atlasgov-lint: allow GOV002 -- dev sandbox, deleted nightly (TICKET-7)\n  value: M10\n",
    );
    let settings = Settings::new(Options::default());
    let checked = lint(
        &Inputs::Paths(vec![dir.path().to_path_buf()]),
        &[],
        &settings,
    );
    assert!(
        checked.outcome.findings.is_empty(),
        "{:?}",
        findings(&checked.outcome)
    );
    assert_eq!(checked.outcome.filtered.suppressed(), 1);
}

#[test]
fn a_values_override_checked_alone_reports_only_itself() {
    let prod = PathBuf::from(UMBRELLA).join("values-prod.yaml");
    let outcome = check_paths(std::slice::from_ref(&prod), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![
            format!("GOV004 {}:10:29", prod.display()),
            format!("GOV004 {}:16:29", prod.display()),
        ]
    );
    // The project the chart creates is described by the shared values file (context).
    let related = &outcome.findings[0].related[0];
    assert_eq!(
        outcome.path(related.loc.file),
        Path::new(UMBRELLA).join("values.yaml")
    );
    assert_eq!(outcome.files_checked, 1);
}

const LEGACY: &str = "fixtures/GOV004/fail_k8s_kustomize_legacy_fields/deploy/atlas";

#[test]
fn overlays_written_with_the_deprecated_fields_are_each_judged() {
    // `bases`, `patchesStrategicMerge` (a file, and inline), `patchesJson6902`, `nameSuffix`
    // with a `nameReference` configuration that renames `projectRef` too.
    let prod = PathBuf::from(LEGACY).join("overlays/gov-prod");
    assert_eq!(
        findings(&check_paths(&[prod], &Options::default())),
        vec![format!(
            "GOV004 {LEGACY}/overlays/gov-prod/dr-region.yaml:6:17"
        )]
    );
    let dev = PathBuf::from(LEGACY).join("overlays/dev");
    assert_eq!(
        findings(&check_paths(&[dev], &Options::default())),
        vec![format!(
            "GOV002 {LEGACY}/overlays/dev/kustomization.yaml:22:33"
        )]
    );
    // The JSON 6902 patch checked alone (a pre-commit hook): its overlay is rendered, and the
    // finding is the patch's.
    let patch = PathBuf::from(LEGACY).join("overlays/gov-prod/dr-region.yaml");
    let outcome = check_paths(std::slice::from_ref(&patch), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV004 {}:6:17", patch.display())]
    );
    assert_eq!(outcome.files_checked, 1);
    // The base on its own is compliant: a gov project and a gov region, M30.
    let base = PathBuf::from(LEGACY).join("base");
    assert!(
        check_paths(&[base], &Options::default())
            .findings
            .is_empty()
    );
}

const GITOPS: &str = "fixtures/GOV004/fail_helm_gitops_releases";

#[test]
fn values_in_a_gitops_release_are_judged_where_they_are_written() {
    // A Flux HelmRelease of atlas-deployment, checked alone as a hook checks a changed file.
    let flux = PathBuf::from(GITOPS).join("clusters/prod/atlas/release.yaml");
    let outcome = check_paths(std::slice::from_ref(&flux), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![
            format!("GOV005 {}:29:5", flux.display()),
            format!("GOV004 {}:40:31", flux.display()),
        ]
    );
    // An Argo CD Application whose values are a YAML string: located in the string's lines.
    let argo = PathBuf::from(GITOPS).join("argocd/permits-atlas-dev.yaml");
    assert_eq!(
        findings(&check_paths(std::slice::from_ref(&argo), &as_hook())),
        vec![format!("GOV002 {}:21:13", argo.display())]
    );
    // A release of another chart, even with the same words in its values, says nothing.
    let other = PathBuf::from(GITOPS).join("clusters/prod/apps/permits-api.yaml");
    let outcome = check_paths(std::slice::from_ref(&other), &as_hook());
    assert!(outcome.findings.is_empty());
    assert!(outcome.skipped.is_empty());
}

const PATCHES: &str = "fixtures/GOV004/fail_k8s_kustomize_patches_checked_alone";

/// `check overlays/gov/kustomization.yaml` (the file a change touched) reports what `check
/// overlays/gov` reports: the values its patches set, whether the patch is a file named by
/// `patches`, `patchesStrategicMerge` or `patchesJson6902`, or inline with a `target`.
#[test]
fn a_kustomization_checked_alone_reports_what_its_overlay_does() {
    let overlay = PathBuf::from(PATCHES).join("overlays/gov");
    let sorted = |outcome: &Outcome| {
        let mut f = findings(outcome);
        f.sort();
        f
    };
    let whole = check_paths(std::slice::from_ref(&overlay), &as_hook());
    let expected = vec![
        format!("GOV002 {PATCHES}/overlays/gov/analytics-node.yaml:4:19"),
        format!("GOV002 {PATCHES}/overlays/gov/deployment-size.yaml:13:29"),
        format!("GOV004 {PATCHES}/overlays/gov/kustomization.yaml:16:16"),
        format!("GOV007 {PATCHES}/overlays/gov/project-alerts.yaml:7:22"),
    ];
    assert_eq!(sorted(&whole), expected);
    let alone = check_paths(&[overlay.join("kustomization.yaml")], &as_hook());
    assert_eq!(sorted(&alone), expected);
    assert_eq!(alone.files_checked, 1);
    // Each patch alone: its own value only.
    let patch = overlay.join("deployment-size.yaml");
    assert_eq!(
        findings(&check_paths(std::slice::from_ref(&patch), &as_hook())),
        vec![format!("GOV002 {}:13:29", patch.display())]
    );
}

/// A patch of the `AtlasProject` checked alone: the findings its value causes in the overlay's
/// rendering (`regionUsageRestrictions: NONE` puts the base's gov regions in the wrong
/// partition) are reported at that value, the regions related. The overlay and the whole
/// repository report them at the base's regions.
#[test]
fn a_project_patch_checked_alone_reports_what_its_value_breaks() {
    let patch = PathBuf::from(PATCHES).join("overlays/commercial-dr/patch-project.yaml");
    let outcome = check_paths(std::slice::from_ref(&patch), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![
            format!("GOV004 {}:6:28", patch.display()),
            format!("GOV004 {}:6:28", patch.display()),
        ]
    );
    let base = Path::new(PATCHES).join("base/atlas-deployment.yaml");
    let related: Vec<(PathBuf, u32)> = outcome
        .findings
        .iter()
        .map(|f| {
            let r = &f.related[0];
            (outcome.path(r.loc.file).to_path_buf(), r.loc.start.line)
        })
        .collect();
    assert_eq!(related, vec![(base.clone(), 14), (base.clone(), 20)]);
    assert_eq!(outcome.files_checked, 1);
    let overlay = check_paths(
        &[PathBuf::from(PATCHES).join("overlays/commercial-dr")],
        &as_hook(),
    );
    assert_eq!(
        findings(&overlay),
        vec![
            format!("GOV004 {}:14:25", base.display()),
            format!("GOV004 {}:20:25", base.display()),
        ]
    );
    // The gov overlay's project patch is not this one's: checked alone, it reports only itself.
    let alerts = PathBuf::from(PATCHES).join("overlays/gov/project-alerts.yaml");
    assert_eq!(
        findings(&check_paths(std::slice::from_ref(&alerts), &as_hook())),
        vec![format!("GOV007 {}:7:22", alerts.display())]
    );
}

const REMOVES: &str = "fixtures/GOV005/fail_k8s_kustomize_patch_removes_usage";

/// A patch that removes the base's `regionUsageRestrictions` (a strategic merge `null`, a JSON
/// patch `remove`) makes the overlay's project a standard one: GOV005 is reported at the
/// removal, and the GOV004 it causes (the base's gov region) too when the patch is checked
/// alone, as a pre-commit hook does. The base alone stays clean.
#[test]
fn a_patch_that_removes_the_region_usage_is_reported_where_it_does() {
    let null_patch = PathBuf::from(REMOVES).join("overlays/standard-null/project-patch.yaml");
    let outcome = check_paths(std::slice::from_ref(&null_patch), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![
            format!("GOV004 {}:7:3", null_patch.display()),
            format!("GOV005 {}:7:3", null_patch.display()),
        ]
    );
    let base_region = format!("{REMOVES}/base/deployment.yaml:14:25");
    let gov004 = &outcome.findings[0];
    assert_eq!(
        format!(
            "{}:{}:{}",
            outcome.path(gov004.related[0].loc.file).display(),
            gov004.related[0].loc.start.line,
            gov004.related[0].loc.start.column
        ),
        base_region
    );
    let overlay = check_paths(
        &[PathBuf::from(REMOVES).join("overlays/standard-null")],
        &as_hook(),
    );
    assert_eq!(
        findings(&overlay),
        vec![
            format!("GOV005 {}:7:3", null_patch.display()),
            format!("GOV004 {base_region}"),
        ]
    );
    let json = PathBuf::from(REMOVES).join("overlays/standard-json/kustomization.yaml");
    assert_eq!(
        findings(&check_paths(std::slice::from_ref(&json), &as_hook())),
        vec![
            format!("GOV005 {}:13:15", json.display()),
            format!("GOV004 {base_region}"),
        ]
    );
    let base = check_paths(&[PathBuf::from(REMOVES).join("base")], &as_hook());
    assert!(base.findings.is_empty(), "{:?}", findings(&base));
}

/// A chain of overlays deeper than the nesting bound: each overlay's rendering stops short of
/// the base, so their patches match nothing there. Each patch is said to be skipped once (the
/// overlays of the chain are each rendered, and used to say it again), and the reason names
/// the bound, not a kustomize failure that would not happen.
#[test]
fn patches_past_the_nesting_bound_are_noted_once_with_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("base/kustomization.yaml", "resources: [deployment.yaml]\n");
    write(
        "base/deployment.yaml",
        "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: db}\nspec:\n  deploymentSpec: {name: db, replicationSpecs: [{regionConfigs: [{providerName: AWS, regionName: US_GOV_WEST_1}]}]}\n",
    );
    let levels = 34;
    for i in 0..levels {
        let below = if i == 0 {
            "../base".to_string()
        } else {
            format!("../o{}", i - 1)
        };
        write(
            &format!("o{i}/kustomization.yaml"),
            &format!("resources: [{below}]\npatches:\n  - path: p.yaml\n"),
        );
        write(
            &format!("o{i}/p.yaml"),
            &format!(
                "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {{name: db}}\nspec:\n  deploymentSpec: {{name: db{i}}}\n"
            ),
        );
    }
    let outcome = check_paths(&[dir.path().to_path_buf()], &Options::default());
    let mut paths: Vec<&Path> = outcome.skipped.iter().map(|s| s.path.as_path()).collect();
    let count = paths.len();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), count, "a file said skipped twice");
    let patch_notes: Vec<&str> = outcome
        .skipped
        .iter()
        .filter(|s| s.path.ends_with("p.yaml"))
        .map(|s| s.reason.as_str())
        .collect();
    assert!(!patch_notes.is_empty());
    for reason in patch_notes {
        assert!(reason.contains("a bound left part of it out"), "{reason}");
        assert!(!reason.contains("kustomize fails"), "{reason}");
    }
}

/// Only the project's own `regionUsageRestrictions` counts as removed: a patch that removes an
/// annotation of that name leaves GOV005 where the base lacks the setting.
#[test]
fn a_removed_annotation_of_the_same_name_is_no_removed_region_usage() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("base/kustomization.yaml", "resources: [project.yaml]\n");
    write(
        "base/project.yaml",
        "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata:\n  name: claims\n  annotations:\n    regionUsageRestrictions: reviewed\nspec:\n  name: claims\n",
    );
    write(
        "ov/kustomization.yaml",
        "resources: [../base]\npatches:\n  - target: {kind: AtlasProject, name: claims}\n    patch: |-\n      - op: remove\n        path: /metadata/annotations/regionUsageRestrictions\n",
    );
    let outcome = check_paths(&[dir.path().to_path_buf()], &Options::default());
    let found: Vec<(String, String)> = outcome
        .findings
        .iter()
        .map(|f| {
            let path = outcome.path(f.loc.file);
            let rel = path.strip_prefix(dir.path()).unwrap_or(path);
            (f.rule.code.to_string(), rel.display().to_string())
        })
        .collect();
    assert_eq!(
        found,
        vec![("GOV005".to_string(), "base/project.yaml".to_string())]
    );
}

const OWN_CHART: &str = "fixtures/GOV004/fail_helm_own_chart_values_override/chart";

#[test]
fn a_values_override_of_a_teams_chart_checked_alone_reports_only_itself() {
    let prod = PathBuf::from(OWN_CHART).join("values-prod.yaml");
    let outcome = check_paths(std::slice::from_ref(&prod), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV004 {}:3:11", prod.display())]
    );
    assert_eq!(outcome.files_checked, 1);
    // The templates it is rendered with were read from disk, as context.
    assert!(is_context(
        &outcome,
        &Path::new(OWN_CHART).join("templates/deployment.yaml")
    ));
    // The project's region usage is where the chart's defaults write it.
    let related = &outcome.findings[0].related[0];
    assert!(
        outcome
            .path(related.loc.file)
            .ends_with("chart/values.yaml")
    );
}

/// Whether the run read `path` as context (a file it was not given).
fn is_context(outcome: &Outcome, path: &Path) -> bool {
    let id = outcome
        .files
        .iter()
        .position(|f| crate_path(&f.path) == crate_path(path))
        .unwrap();
    outcome.context.contains(&u32::try_from(id).unwrap())
}

/// A path as written relative to the crate root, however the run spelled it.
fn crate_path(path: &Path) -> PathBuf {
    let root = std::env::current_dir().unwrap();
    path.strip_prefix(&root).unwrap_or(path).to_path_buf()
}

#[test]
fn a_template_of_a_teams_chart_checked_alone_is_rendered_with_the_charts_values() {
    let chart = "fixtures/GOV001/fail_helm_own_chart_default_literal/chart";
    let template = PathBuf::from(chart).join("templates/deployment.yaml");
    let outcome = check_paths(std::slice::from_ref(&template), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV001 {}:14:58", template.display())]
    );
    // The same template, with values that set what its default would: nothing to report.
    let set = "fixtures/GOV001/pass_helm_own_chart_values_set_the_default/chart/templates/deployment.yaml";
    let outcome = check_paths(&[PathBuf::from(set)], &as_hook());
    assert_eq!(findings(&outcome), Vec::<String>::new());
}

#[test]
fn what_a_teams_template_hard_codes_is_reported_once_whatever_the_values_files() {
    let template = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  deploymentSpec:\n    name: x\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AWS\n            regionName: {{ .Values.region }}\n            electableSpecs:\n              instanceSize: M10\n";
    let mut seen = teams_chart(
        template,
        &[
            ("values.yaml", "region: US_GOV_WEST_1\n"),
            ("values-dev.yaml", "region: US_GOV_EAST_1\n"),
            ("values-prod.yaml", "region: EU_WEST_1\n"),
        ],
    );
    seen.sort();
    // The tier each rendering hard-codes, once; the region AtlasGov lacks where prod sets it.
    assert_eq!(
        seen,
        vec![
            "GOV002 deployment.yaml:13:29",
            "GOV003 values-prod.yaml:1:9"
        ]
    );
}

#[test]
fn an_override_that_turns_on_a_block_of_a_teams_chart_is_reported_where_it_does() {
    let chart = "fixtures/GOV004/fail_helm_own_chart_override_turns_on_a_block/chart";
    let prod = PathBuf::from(chart).join("values-prod.yaml");
    // The standard region is written in values.yaml, used only where prod turns it on: a
    // check of the override alone reports it at the setting that does.
    let outcome = check_paths(std::slice::from_ref(&prod), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV004 {}:2:12", prod.display())]
    );
    // Another override leaves it off: nothing to report there.
    let dev = PathBuf::from(chart).join("values-dev.yaml");
    let outcome = check_paths(std::slice::from_ref(&dev), &as_hook());
    assert_eq!(findings(&outcome), Vec::<String>::new());
}

/// A chart of one deployment template (`template`), its values files by name.
fn teams_chart(template: &str, values: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 1.0.0\n",
    )
    .unwrap();
    for (name, text) in values {
        std::fs::write(chart.join(name), text).unwrap();
    }
    std::fs::write(chart.join("templates/deployment.yaml"), template).unwrap();
    let outcome = check_paths(&[dir.path().to_path_buf()], &Options::default());
    outcome
        .findings
        .iter()
        .map(|f| {
            let path = outcome.path(f.loc.file);
            format!(
                "{} {}:{}:{}",
                f.rule.code,
                path.file_name().unwrap().to_string_lossy(),
                f.loc.start.line,
                f.loc.start.column
            )
        })
        .collect()
}

const TIER_TEMPLATE: &str = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata:\n  name: x\nspec:\n  deploymentSpec:\n    name: x\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AWS\n            regionName: US_GOV_WEST_1\n            electableSpecs:\n              instanceSize: {{ .Values.tier | default \"M10\" }}\n";

#[test]
fn an_empty_values_file_of_a_teams_chart_is_no_values() {
    // Helm reads an empty values.yaml (or one of comments) as none: the default is used.
    for empty in ["", "# nothing set yet\n", "{}\n"] {
        assert_eq!(
            teams_chart(TIER_TEMPLATE, &[("values.yaml", empty)]),
            vec!["GOV002 deployment.yaml:13:56"],
            "{empty:?}"
        );
    }
    // One that is not a mapping is refused by Helm: the template is read on its own.
    assert_eq!(
        teams_chart(TIER_TEMPLATE, &[("values.yaml", "- tier: M10\n")]),
        Vec::<String>::new()
    );
}

#[test]
fn a_yaml_block_lands_under_its_key_only_when_indented_below_it() {
    let template = |indent: u32| {
        format!(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata:\n  name: x\nspec:\n  deploymentSpec:\n    name: x\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AWS\n            regionName: US_GOV_WEST_1\n            electableSpecs:\n              {{{{- toYaml .Values.specs | nindent {indent} }}}}\n"
        )
    };
    let values = [(
        "values.yaml",
        "specs:\n  instanceSize: M10\n  nodeCount: 3\n",
    )];
    assert_eq!(
        teams_chart(&template(16), &values),
        vec!["GOV002 values.yaml:2:17"]
    );
    // `nindent 2` puts the block under `spec`, not under `electableSpecs`.
    assert_eq!(teams_chart(&template(2), &values), Vec::<String>::new());
}

#[test]
fn the_branch_an_override_chooses_in_a_teams_chart_is_judged_at_the_override() {
    let chart = "fixtures/GOV004/fail_helm_own_chart_else_branch_taken/chart";
    let prod = PathBuf::from(chart).join("values-prod.yaml");
    let outcome = check_paths(std::slice::from_ref(&prod), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV004 {}:2:6", prod.display())]
    );
    // values.yaml alone is judged where the chart renders it, through the override too: its
    // standard region is what prod's branch uses (the Azure replica it leaves off is not).
    let values = PathBuf::from(chart).join("values.yaml");
    let outcome = check_paths(std::slice::from_ref(&values), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV004 {}:6:13", values.display())]
    );
}

const FLUX: &str = "fixtures/GOV004/fail_flux_substitute_standard_region";

#[test]
fn a_flux_kustomization_checked_alone_reports_the_value_it_substitutes() {
    // A pre-commit hook given the changed Flux object: its `spec.path` is built from disk.
    let prod = PathBuf::from(FLUX).join("clusters/prod/orders.yaml");
    let outcome = check_paths(std::slice::from_ref(&prod), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec![format!("GOV004 {}:15:21", prod.display())]
    );
    assert_eq!(outcome.files_checked, 1);
    // The manifests it builds were read from disk; what it renders from them is reported, as
    // for an overlay checked alone: here a default of the manifest no variable overrides.
    let dev = PathBuf::from("fixtures/GOV002/fail_flux_default_tier/clusters/dev/reports.yaml");
    let outcome = check_paths(std::slice::from_ref(&dev), &as_hook());
    assert_eq!(
        findings(&outcome),
        vec!["GOV002 fixtures/GOV002/fail_flux_default_tier/deploy/atlas/cluster.yaml:17:29"]
    );
    assert_eq!(outcome.files_checked, 1);
    // The environment that substitutes a gov region has nothing to report.
    let staging = PathBuf::from(FLUX).join("clusters/staging/orders.yaml");
    let outcome = check_paths(std::slice::from_ref(&staging), &as_hook());
    assert_eq!(findings(&outcome), Vec::<String>::new());
    // The manifests alone: their placeholders are unknown, not standard regions.
    let apps = PathBuf::from(FLUX).join("apps");
    let outcome = check_paths(std::slice::from_ref(&apps), &as_hook());
    assert_eq!(findings(&outcome), Vec::<String>::new());
    assert_eq!(outcome.files_checked, 3);
}
