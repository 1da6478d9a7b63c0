//! GOV005 region-usage-unset: a project body that leaves region usage to the default.

use super::fix::{Applicability, Edit, Fix};
use super::{Finding, Rule, RuleMeta, Severity, is_enum_word, quoted};
use crate::model::Model;
use crate::model::partition::{Partition, RegionClass, classify_region, project_partition};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV005",
        name: "region-usage-unset",
        severity: Severity::Warning,
        summary: "A project without regionUsageRestrictions (AtlasGov then creates it for standard regions)",
        seed: "By default, the AtlasGov API designates new projects for standard region usage.",
        doc: include_str!("../../rules/GOV005-region-usage-unset.md"),
    },
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Finding>) {
    for project in &model.projects {
        // A value Atlas does not know (a typo such as `GOV_REGION_ONLY`) leaves the project's
        // partition unknown to every rule: say so, at the value.
        if let Some(usage) = &project.region_usage {
            if is_enum_word(usage.as_str()) && project_partition(Some(usage.as_str())).is_none() {
                out.push(Finding::new(
                    &RULE,
                    &usage.loc,
                    format!(
                        "{} {} is not a region usage Atlas knows, so the project's partition is unknown and no rule can check its regions",
                        project.region_usage_field,
                        quoted(usage.as_str())
                    ),
                    "use GOV_REGIONS_ONLY for a gov project, or COMMERCIAL_FEDRAMP_REGIONS_ONLY for a standard one",
                ));
            }
            continue;
        }
        // A patch (a kustomize overlay) inherits what it leaves out.
        if project.partial {
            continue;
        }
        let name = project
            .name
            .as_ref()
            .map(|n| format!("project `{}`", n.as_str()))
            .unwrap_or_else(|| "this project".to_string());
        let finding = Finding::new(
            &RULE,
            &project.origin.body,
            format!(
                "{name} does not set {}, so AtlasGov creates it for standard regions",
                project.region_usage_field
            ),
            format!(
                "set {} to GOV_REGIONS_ONLY for a gov project, or to COMMERCIAL_FEDRAMP_REGIONS_ONLY to make a standard project explicit; it cannot be changed after creation",
                project.region_usage_field
            ),
        );
        // Where the format can write it: the value its clusters' regions call for, unsafe (it
        // cannot be changed once the project exists). GOV_REGIONS_ONLY for a project whose
        // clusters are in gov regions (or that has none here), COMMERCIAL_FEDRAMP_REGIONS_ONLY
        // for one whose clusters are all in standard regions (what it is created as today, now
        // written down), none for one that mixes them (GOV004 says which region to move).
        let index = model.projects.iter().position(|p| std::ptr::eq(p, project));
        let mut partitions = model
            .clusters
            .iter()
            .filter(|c| index.is_some() && c.origin.project == index)
            .flat_map(|c| c.regions.iter())
            .filter_map(
                |rc| match classify_region(rc.cloud(), rc.region.as_ref()?.as_str()) {
                    RegionClass::Offered(p) => Some(p),
                    _ => None,
                },
            );
        let first = partitions.next();
        let mixed = first.is_some_and(|f| partitions.any(|p| p != f));
        let wanted = match first {
            _ if mixed => None,
            Some(Partition::Standard) => Some((
                Partition::Standard.region_usage(),
                "its clusters are in standard regions, so it is written as the standard project AtlasGov creates today; it cannot be changed after the project is created",
            )),
            _ => Some((
                Partition::Gov.region_usage(),
                "it cannot be changed after the project is created; a project for standard regions needs COMMERCIAL_FEDRAMP_REGIONS_ONLY instead",
            )),
        };
        let fix =
            project
                .region_usage_slot
                .as_ref()
                .zip(wanted)
                .and_then(|(s, (usage, reason))| {
                    let gov = Partition::Gov.region_usage();
                    let text = s
                        .text
                        .contains(gov)
                        .then(|| s.text.replacen(gov, usage, 1))?;
                    let mut fix = Fix {
                        applicability: Applicability::Safe,
                        message: format!("set {} to {usage}", project.region_usage_field),
                        reason: None,
                        edits: vec![Edit {
                            loc: s.loc.clone(),
                            value: s.expected.clone(),
                            range: 0..s.expected.len(),
                            new: text,
                        }],
                    };
                    fix.demote(reason.to_string());
                    Some(fix)
                });
        out.push(match fix {
            Some(fix) => finding.with_fix(fix),
            None => finding,
        });
    }
}
