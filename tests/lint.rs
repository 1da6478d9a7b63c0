//! The library's one entry point, in process: `lint(inputs, buffers, settings)` runs the engine
//! and the filter stage (levels, suppressions, baseline) the way the command line and the
//! language server do. The stages' behaviour through the binary is in tests/ci_gate.rs.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::sync::Arc;

use atlasgov_lint::config;
use atlasgov_lint::engine::Options;
use atlasgov_lint::filter::BaselineMode;
use atlasgov_lint::filter::baseline_file::Baseline;
use atlasgov_lint::lint::{Checked, Inputs, Settings, lint};
use atlasgov_lint::outcome::{Buffer, Status};
use atlasgov_lint::rules;

/// An M10 (GOV002) on AZURE (GOV001) in one region config.
const CLUSTER: &str = "\
name: ledger
clusterType: REPLICASET
replicationSpecs:
  - regionConfigs:
      - providerName: AZURE
        regionName: US_GOV_EAST_1
        priority: 7
        electableSpecs: { instanceSize: M10, nodeCount: 3 }
";

fn buffer(text: &str) -> Buffer {
    Buffer {
        path: PathBuf::from("clusters/ledger.yaml"),
        text: text.to_string(),
    }
}

fn codes(checked: &Checked) -> Vec<&'static str> {
    checked
        .outcome
        .findings
        .iter()
        .map(|f| f.rule.code)
        .collect()
}

fn settings() -> Settings {
    Settings::new(Options {
        cwd: PathBuf::from("/repo"),
        ..Options::default()
    })
}

#[test]
fn a_buffer_is_checked_and_found_by_its_id() {
    let checked = lint(&Inputs::None, &[buffer(CLUSTER)], &settings());
    assert_eq!(codes(&checked), ["GOV001", "GOV002"]);
    let id = checked.buffer_id(0).expect("the buffer has an id");
    assert!(checked.outcome.findings.iter().all(|f| f.loc.file == id));
    assert_eq!(checked.buffer_id(1), None);
    assert!(checked.fails());
}

#[test]
fn select_and_ignore_are_levels_before_suppressions() {
    let mut s = settings();
    s.ignore = vec![&rules::find("azure-provider").unwrap().meta];
    assert_eq!(
        codes(&lint(&Inputs::None, &[buffer(CLUSTER)], &s)),
        ["GOV002"]
    );
    let mut s = settings();
    s.select = vec![&rules::find("GOV001").unwrap().meta];
    assert_eq!(
        codes(&lint(&Inputs::None, &[buffer(CLUSTER)], &s)),
        ["GOV001"]
    );
}

#[test]
fn a_suppression_comment_hides_its_finding_and_is_recorded() {
    let text = CLUSTER.replace(
        "      - providerName: AZURE\n",
        "      # atlasgov-lint: allow GOV001 -- migration ticket OPS-1\n      - providerName: AZURE\n",
    );
    let checked = lint(&Inputs::None, &[buffer(&text)], &settings());
    assert_eq!(codes(&checked), ["GOV002"]);
    let s = &checked.outcome.filtered.suppressions;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].status, Status::Active);
    assert_eq!(s[0].reason.as_deref(), Some("migration ticket OPS-1"));
    assert_eq!(s[0].suppressed.len(), 1);
    assert_eq!(checked.outcome.filtered.suppressed(), 1);

    // Without a reason it is not applied, and says so (GOV101).
    let bare = CLUSTER.replace(
        "      - providerName: AZURE\n",
        "      # atlasgov-lint: allow GOV001\n      - providerName: AZURE\n",
    );
    let checked = lint(&Inputs::None, &[buffer(&bare)], &settings());
    assert_eq!(codes(&checked), ["GOV101", "GOV001", "GOV002"]);

    // Nor with the placeholder the editor's quick fix writes, until it is replaced.
    let placeholder = CLUSTER.replace(
        "      - providerName: AZURE\n",
        &format!(
            "      # atlasgov-lint: allow GOV001 -- {}\n      - providerName: AZURE\n",
            atlasgov_lint::suppress::PLACEHOLDER_REASON
        ),
    );
    let checked = lint(&Inputs::None, &[buffer(&placeholder)], &settings());
    assert_eq!(codes(&checked), ["GOV101", "GOV001", "GOV002"]);
    assert_eq!(
        checked.outcome.filtered.suppressions[0].status,
        Status::NoReason
    );
}

#[test]
fn a_config_level_turns_a_rule_off_for_matching_files() {
    let cfg = config::parse(
        "overrides:\n  - files: [\"clusters/**\"]\n    rules:\n      GOV002: off\n",
        PathBuf::from(".atlasgov-lint.yaml"),
        PathBuf::from("/repo"),
    )
    .expect("valid config");
    let s = Settings::new(Options {
        cwd: PathBuf::from("/repo"),
        config: Some(Arc::new(cfg)),
        ..Options::default()
    });
    assert_eq!(
        codes(&lint(&Inputs::None, &[buffer(CLUSTER)], &s)),
        ["GOV001"]
    );
}

#[test]
fn a_written_baseline_hides_the_same_findings_next_time() {
    let cwd = PathBuf::from("/repo");
    let path = PathBuf::from(".atlasgov-baseline.json");
    let mut s = settings();
    s.baseline = BaselineMode::Write {
        existing: Baseline::empty(&path, &cwd),
        existed: false,
        allow_new: false,
    };
    let written = lint(&Inputs::None, &[buffer(CLUSTER)], &s);
    assert!(codes(&written).is_empty());
    let w = written
        .outcome
        .filtered
        .written
        .as_ref()
        .expect("a baseline");
    assert_eq!(w.entries, 2);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("baseline.json");
    std::fs::write(&file, &w.text).unwrap();
    let mut loaded = Baseline::load(&file, &cwd).unwrap();
    loaded.dir = cwd.clone();
    let mut s = settings();
    s.baseline = BaselineMode::Compare(loaded);
    let again = lint(&Inputs::None, &[buffer(CLUSTER)], &s);
    assert!(codes(&again).is_empty());
    assert_eq!(again.outcome.filtered.baselined, 2);
    assert!(!again.fails());

    // A new violation (another offending value) is not hidden by the old baseline.
    let worse = CLUSTER.replace("M10", "M5");
    let mut loaded = Baseline::load(&file, &cwd).unwrap();
    loaded.dir = cwd;
    let mut s = settings();
    s.baseline = BaselineMode::Compare(loaded);
    let checked = lint(&Inputs::None, &[buffer(&worse)], &s);
    assert_eq!(codes(&checked), ["GOV002"]);
    assert_eq!(checked.outcome.filtered.baselined, 1);
}

/// `Options::texts` stands for files on disk (what `check --diff` checks after a pass of
/// fixes): the file is checked, and its snippets read, from the text given, not from disk.
#[test]
fn texts_given_stand_for_the_files_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger.yaml");
    std::fs::write(&file, CLUSTER).unwrap();
    let on_disk = Settings::new(Options {
        cwd: dir.path().to_path_buf(),
        ..Options::default()
    });
    let inputs = Inputs::Paths(vec![file.clone()]);
    assert_eq!(codes(&lint(&inputs, &[], &on_disk)), ["GOV001", "GOV002"]);
    let fixed = CLUSTER.replace("M10", "M20");
    let mut given = on_disk.clone();
    given.options.texts = Some(Arc::new(
        [(file.clone(), Arc::from(fixed.as_str()))]
            .into_iter()
            .collect(),
    ));
    let checked = lint(&inputs, &[], &given);
    assert_eq!(codes(&checked), ["GOV001"]);
    let id = checked.outcome.findings[0].loc.file;
    assert_eq!(checked.outcome.text(id), Some(fixed.as_str()));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CLUSTER);
}

/// A Terraform module that makes one cluster of the cloud and tier its caller gives.
const CLUSTER_MODULE: &str = r#"
variable "cloud" { default = "AWS" }
variable "tier" {}
resource "mongodbatlas_advanced_cluster" "this" {
  project_id   = "64b7f0a1e4b0c1a2b3c4d5e6"
  name         = "orders"
  cluster_type = "REPLICASET"
  replication_specs {
    region_configs {
      provider_name = var.cloud
      region_name   = "US_GOV_EAST_1"
      priority      = 7
      electable_specs {
        instance_size = var.tier
        node_count    = 3
      }
    }
  }
}
"#;

fn root_calling(cloud: &str, tier: &str) -> String {
    format!(
        "module \"cluster\" {{\n  source = \"../../modules/cluster\"\n  cloud  = \"{cloud}\"\n  tier   = \"{tier}\"\n}}\n"
    )
}

fn standalone(tier_var_default: &str) -> String {
    CLUSTER_MODULE.replace(
        "variable \"tier\" {}",
        &format!("variable \"tier\" {{ default = \"{tier_var_default}\" }}"),
    )
}

/// Where and what each finding is.
fn places(checked: &Checked) -> Vec<String> {
    let mut all: Vec<String> = checked
        .outcome
        .findings
        .iter()
        .map(|f| {
            let path = checked.outcome.path(f.loc.file).display().to_string();
            let via = f.loc.via.as_deref().map(|v| {
                let path = checked.outcome.path(v.file).display().to_string();
                format!(" (set at {path}:{}:{})", v.start.line, v.start.column)
            });
            format!(
                "{path}:{}:{} {}{} {}",
                f.loc.start.line,
                f.loc.start.column,
                f.rule.code,
                via.unwrap_or_default(),
                f.message
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn terraform_modules_no_call_joins_are_evaluated_apart_with_the_same_findings() {
    // Two roots that call one module (one group), and two directories of their own.
    let joined = vec![
        ("live/a/main.tf", root_calling("AZURE", "M30")),
        ("live/b/main.tf", root_calling("AWS", "M10")),
        ("modules/cluster/main.tf", CLUSTER_MODULE.to_string()),
    ];
    let solo_c = vec![
        ("solo/c/main.tf", standalone("M10")),
        ("solo/c/terraform.tfvars", "cloud = \"AZURE\"\n".to_string()),
    ];
    let solo_d = vec![("solo/d/main.tf", standalone("M0"))];
    let buffers = |files: &[(&str, String)]| -> Vec<Buffer> {
        files
            .iter()
            .map(|(path, text)| Buffer {
                path: PathBuf::from(path),
                text: text.clone(),
            })
            .collect()
    };
    let everything: Vec<(&str, String)> = [joined.clone(), solo_c.clone(), solo_d.clone()].concat();
    let together = places(&lint(&Inputs::None, &buffers(&everything), &settings()));
    let mut apart: Vec<String> = [joined, solo_c, solo_d]
        .iter()
        .flat_map(|group| places(&lint(&Inputs::None, &buffers(group), &settings())))
        .collect();
    apart.sort();
    assert_eq!(together, apart);
    // Each caller's argument reached its instance; the tfvars value reached its root.
    for expected in [
        "modules/cluster/main.tf:10:23 GOV001 (set at live/a/main.tf:3:12)",
        "modules/cluster/main.tf:14:25 GOV002 (set at live/b/main.tf:4:12)",
        "solo/c/main.tf:10:23 GOV001 (set at solo/c/terraform.tfvars:1:9)",
        "solo/d/main.tf:14:25 GOV002 (set at solo/d/main.tf:3:",
    ] {
        assert!(
            together.iter().any(|p| p.starts_with(expected)),
            "{expected} not in {together:#?}"
        );
    }
}
