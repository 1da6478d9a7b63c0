//! GOV009 backup-across-partitions: restores and snapshot copies stay in their partition.

use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::Model;
use crate::model::partition::{Partition, RegionClass, classify_region, project_partition};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV009",
        name: "backup-across-partitions",
        severity: Severity::Error,
        summary: "A restore or snapshot copy that crosses between gov and standard projects",
        seed: "Restores between standard projects and Gov region-only projects are not allowed.",
        doc: include_str!("../../rules/GOV009-backup-across-partitions.md"),
    },
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Finding>) {
    for job in &model.restore_jobs {
        let (Some((source, source_project)), Some(target_field)) =
            (model.partition_of(&job.origin), &job.target)
        else {
            continue;
        };
        let Some(target_project) = job.target_project.and_then(|i| model.projects.get(i)) else {
            continue;
        };
        let Some(target) =
            project_partition(target_project.region_usage.as_ref().map(|t| t.as_str()))
        else {
            continue;
        };
        if source != target {
            let name = |p: &crate::model::Project| {
                p.name
                    .as_ref()
                    .map(|n| quoted(n.as_str()))
                    .unwrap_or_else(|| "(unnamed)".into())
            };
            out.push(
                Finding::new(
                    &RULE,
                    &target_field.loc,
                    format!(
                        "restore from {} project {} into {} project {}: AtlasGov does not restore across gov and standard projects",
                        source.describe(),
                        name(source_project),
                        target.describe(),
                        name(target_project)
                    ),
                    match source {
                        Partition::Gov => "restore into a gov project (AWS GovCloud and GCP Assured Workloads restore into each other freely)".to_string(),
                        Partition::Standard => "restore into a standard project".to_string(),
                    },
                )
                .with_label(&target_project.origin.body, format!("{} project", target.describe())),
            );
        }
    }
    for copy in &model.copy_settings {
        let (Some((partition, assumed)), Some(region)) =
            (model.partition_or_assumed(&copy.origin), &copy.region)
        else {
            continue;
        };
        let from = out.len();
        let cloud = copy.cloud_provider.as_ref().map(|c| c.as_str());
        if let RegionClass::Offered(p) = classify_region(cloud, region.as_str()) {
            if p != partition {
                out.push(Finding::new(
                    &RULE,
                    &region.loc,
                    format!(
                        "snapshot copies to {} region {} leave this {} project's partition",
                        p.describe(),
                        quoted(region.as_str()),
                        partition.describe()
                    ),
                    format!("copy snapshots to {}", partition.allowed_regions()),
                ));
            }
        }
        Finding::label_partition(out, from, model, &copy.origin, assumed);
    }
}
