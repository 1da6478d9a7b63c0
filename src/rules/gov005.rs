//! GOV005 region-usage-unset: a project body that leaves region usage to the default.

use super::fix::{Applicability, Edit, Fix};
use super::region_partition;
use super::{Finding, Rule, RuleMeta, Severity, is_enum_word, quoted};
use crate::model::Model;
use crate::model::partition::{Partition, project_partition};

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
    // Each project's regions, gathered in one pass over the resources (not one pass per
    // project: a repository of thousands of projects without the setting).
    let mut partitions: Option<Vec<(Vec<Partition>, bool)>> = None;
    for (index, project) in model.projects.iter().enumerate() {
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
        // An overlay's patch that removes what the base sets: reported at the patch (a fix at
        // the base would not survive it).
        if let Some(removed) = &project.region_usage_removed {
            out.push(
                Finding::new(
                    &RULE,
                    removed,
                    format!(
                        "this patch removes {} from {name}, so AtlasGov creates it for standard regions",
                        project.region_usage_field
                    ),
                    format!(
                        "keep the base's {} (GOV_REGIONS_ONLY for a gov project; COMMERCIAL_FEDRAMP_REGIONS_ONLY makes a standard one explicit); it cannot be changed after creation",
                        project.region_usage_field
                    ),
                )
                .with_label(&project.origin.body, format!("{name} is created for standard regions")),
            );
            continue;
        }
        let finding = Finding::new(
            &RULE,
            &project.origin.body,
            format!(
                "{name} does not set {}, so AtlasGov creates it for standard regions",
                project.region_usage_field
            ),
            match project.region_usage_choice {
                Some(choice) => format!("{}; it cannot be changed after creation", choice.either),
                None => format!(
                    "set {} to GOV_REGIONS_ONLY for a gov project, or to COMMERCIAL_FEDRAMP_REGIONS_ONLY to make a standard project explicit; it cannot be changed after creation",
                    project.region_usage_field
                ),
            },
        );
        // Where the format can write it: the value the project's resources call for, unsafe
        // (it cannot be changed once the project exists). GOV_REGIONS_ONLY for a project whose
        // regions (clusters, network containers and peerings, private endpoints, AWS KMS
        // keys, snapshot copies: what GOV004, GOV009 and GOV012-GOV014 judge; and the
        // written region usage of a project it restores from or into) are gov ones, or that
        // has none here;
        // COMMERCIAL_FEDRAMP_REGIONS_ONLY for one whose regions are all standard (what it is
        // created as today, now written down); none for one that mixes them (those rules say
        // which region to move).
        let (partitions, unknown) = partitions
            .get_or_insert_with(|| project_partitions(model))
            .get(index)
            .map_or((&[][..], false), |(p, u)| (p.as_slice(), *u));
        let mut partitions = partitions.iter().copied();
        let first = partitions.next();
        let mixed = first.is_some_and(|f| partitions.any(|p| p != f));
        let wanted = match first {
            _ if mixed => None,
            Some(Partition::Standard) if unknown => Some((
                Partition::Standard.region_usage(),
                "its resources whose regions are known are in standard regions (the others' are set elsewhere), so it is written as the standard project AtlasGov creates today; it cannot be changed after the project is created",
            )),
            Some(Partition::Standard) => Some((
                Partition::Standard.region_usage(),
                "its resources are in standard regions, so it is written as the standard project AtlasGov creates today; it cannot be changed after the project is created",
            )),
            Some(Partition::Gov) if !unknown => Some((
                Partition::Gov.region_usage(),
                "its resources are in gov regions; it cannot be changed after the project is created",
            )),
            _ if unknown => Some((
                Partition::Gov.region_usage(),
                "the regions of some of its resources are not known here (a value set elsewhere), so whether they are gov regions is not known; it cannot be changed after the project is created",
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
                    // The slot spells the gov usage (a field), or sets it without spelling it
                    // (a flag, which can set no other).
                    let text = if s.text.contains(gov) {
                        s.text.replacen(gov, usage, 1)
                    } else if usage == gov {
                        s.text.clone()
                    } else {
                        return None;
                    };
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
        out.push(finding.with_fix(fix));
    }
}

/// The partition of every region the resources of each project name, by project index, as
/// the partition rules read them, and whether a region is set that no partition is known for
/// (a value set elsewhere, a name no table holds).
fn project_partitions(model: &Model) -> Vec<(Vec<Partition>, bool)> {
    let mut out = vec![(Vec::new(), false); model.projects.len()];
    let mut add = |origin: &crate::model::Origin,
                   cloud: Option<&str>,
                   region: Option<&crate::model::Text>| {
        let Some((ours, unknown)) = origin.project.and_then(|i| out.get_mut(i)) else {
            return;
        };
        if let Some(r) = region {
            match region_partition(cloud, r) {
                Some(p) => ours.push(p),
                None => *unknown = true,
            }
        }
    };
    for c in &model.clusters {
        for rc in &c.regions {
            add(&c.origin, rc.cloud(), rc.region.as_ref());
        }
    }
    for c in &model.containers {
        for r in &c.regions {
            add(&c.origin, c.cloud(), Some(r));
        }
    }
    for peer in &model.peerings {
        add(&peer.origin, Some("AWS"), peer.accepter_region.as_ref());
        add(
            &peer.origin,
            peer.container_cloud(),
            peer.container_region.as_ref(),
        );
    }
    for e in &model.private_endpoints {
        add(&e.origin, e.cloud(), e.region.as_ref());
    }
    for k in &model.encryption_at_rest {
        add(&k.origin, Some("AWS"), k.aws_kms_region.as_ref());
    }
    // Snapshot copies stay in their project's partition, and so does a restore (GOV009): a
    // project that restores from one whose region usage is written, or into one, belongs to
    // that partition as well.
    for c in &model.copy_settings {
        add(
            &c.origin,
            c.cloud_provider.as_ref().map(|t| t.as_str()),
            c.region.as_ref(),
        );
    }
    let declared = |i: usize| {
        let usage = model.projects.get(i)?.region_usage.as_ref()?;
        project_partition(Some(usage.as_str()))
    };
    for job in &model.restore_jobs {
        let (Some(source), Some(target)) = (job.origin.project, job.target_project) else {
            continue;
        };
        for (from, to) in [(source, target), (target, source)] {
            if let (Some(p), Some((ours, _))) = (declared(from), out.get_mut(to)) {
                ours.push(p);
            }
        }
    }
    out
}
