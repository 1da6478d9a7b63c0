//! GOV004 partition-mismatch: gov and standard regions never mix in one project.

use super::{Finding, Label, Rule, RuleMeta, Severity, quoted};
use crate::model::partition::{Partition, RegionClass, classify_region, project_partition};
use std::collections::HashMap;

use crate::model::link::is_object_id;

use crate::model::{Cluster, Model, Origin, ProjectRef, Text};
use std::path::Path;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV004",
        name: "partition-mismatch",
        severity: Severity::Error,
        summary: "A cluster region of the other partition (gov vs standard) than its project",
        seed: "You cannot deploy clusters across government and standard regions in the same project.",
        doc: include_str!("../../rules/GOV004-partition-mismatch.md"),
    },
    check: Some(check),
};

fn offered(cloud: Option<&str>, region: &Text) -> Option<Partition> {
    match classify_region(cloud, region.as_str()) {
        RegionClass::Offered(p) => Some(p),
        _ => None,
    }
}

fn check(model: &Model, out: &mut Vec<Finding>) {
    // Per project named by clusters whose project is unknown: its first region, and whose.
    let mut firsts: HashMap<String, (&Text, Partition, &Cluster)> = HashMap::new();
    for cluster in &model.clusters {
        let regions = cluster.regions.iter().filter_map(|rc| {
            Some((
                rc.region.as_ref()?,
                offered(rc.cloud(), rc.region.as_ref()?)?,
            ))
        });
        let project = model.project_of(&cluster.origin);
        // A known project whose region usage is not (`var.usage` from an unseen tfvars, an
        // empty value): its clusters still cannot mix partitions.
        let known = project.and_then(|p| {
            project_partition(p.region_usage.as_ref().map(Text::as_str))
                .map(|partition| (p, partition))
        });
        if let Some((project, partition)) = known {
            let usage = project.region_usage.as_ref();
            let name = project
                .name
                .as_ref()
                .map(|n| format!("project {}", quoted(n.as_str())))
                .unwrap_or_else(|| "its project".to_string());
            for (region, p) in regions {
                if p == partition {
                    continue;
                }
                let (message, help, label) = match usage {
                    Some(u) => (
                        format!(
                            "region {} is a {} region, but {name} is for {} regions ({})",
                            quoted(region.as_str()),
                            p.describe(),
                            partition.describe(),
                            u.as_str()
                        ),
                        format!(
                            "in this project use {}; a {} region needs its own project created with {} {}",
                            partition.allowed_regions(),
                            p.describe(),
                            project.region_usage_field,
                            p.region_usage()
                        ),
                        Label {
                            loc: u.loc.clone(),
                            message: format!("{name} is for {} regions", partition.describe()),
                        },
                    ),
                    None => (
                        format!(
                            "region {} is a {} region, but {name} {} {}, so AtlasGov creates it for standard regions",
                            quoted(region.as_str()),
                            p.describe(),
                            if project.region_usage_removed.is_some() {
                                "has a patch that removes"
                            } else {
                                "does not set"
                            },
                            project.region_usage_field,
                        ),
                        match project.region_usage_choice.and_then(|c| c.gov) {
                            // A format with its own way to choose (the Atlas CLI's flag, a
                            // chart that cannot set it) says it in its own words.
                            Some(choice) => format!(
                                "{choice} (it cannot be changed later), or use {}",
                                partition.allowed_regions()
                            ),
                            None => format!(
                                "create the project with {} {} (it cannot be changed later), or use {}",
                                project.region_usage_field,
                                p.region_usage(),
                                partition.allowed_regions()
                            ),
                        },
                        Label::standard_by_default(
                            project,
                            &name,
                            format!("{name} is created for standard regions"),
                        ),
                    ),
                };
                let mut finding = Finding::new(&RULE, &region.loc, message, help);
                finding.related.push(label);
                out.push(finding);
            }
        } else if let (None, Some((partition, usage))) = (project, model.assumed_partition()) {
            // No known project, but the config says which kind of project to assume.
            for (region, p) in regions {
                if p == partition {
                    continue;
                }
                out.push(
                    Finding::new(
                        &RULE,
                        &region.loc,
                        format!(
                            "region {} is a {} region, but this cluster's project is unknown and the configuration assumes {} projects ({})",
                            quoted(region.as_str()),
                            p.describe(),
                            partition.describe(),
                            usage.as_str()
                        ),
                        format!(
                            "use {}, or give the cluster its project (groupId, or the project body in the same directory) if it belongs to a {} project",
                            partition.allowed_regions(),
                            p.describe()
                        ),
                    )
                    .with_label(&usage.loc, "default-region-usage for clusters without a known project"),
                );
            }
        } else {
            // No known project (or a project whose region usage is not known): the first region
            // decides, the others must follow it. Clusters of one project, and clusters
            // that name the same unknown project (the same `groupId`, the same operator project
            // reference, an Atlas CLI `--file` body and its command's `--projectId`) share one
            // first region, since one project cannot mix them either (see `unknown_project`).
            let shared = if project.is_some() {
                cluster
                    .origin
                    .project
                    .map(|index| format!("project:{index}"))
            } else {
                unknown_project(model, &cluster.origin, 0)
            };
            let mut own = None;
            for (region, p) in regions {
                let first = match &shared {
                    Some(key) => firsts.entry(key.clone()).or_insert((region, p, cluster)),
                    None => own.get_or_insert((region, p, cluster)),
                };
                let (first_region, fp, first_cluster) = *first;
                if fp == p {
                    continue;
                }
                let (message, label) = if std::ptr::eq(first_cluster, cluster) {
                    (
                        format!(
                            "region {} is a {} region, but this cluster's first region {} is a {} region; one project cannot mix them",
                            quoted(region.as_str()),
                            p.describe(),
                            quoted(first_region.as_str()),
                            fp.describe()
                        ),
                        format!("first region, {}", fp.describe()),
                    )
                } else {
                    let other = first_cluster
                        .name
                        .as_ref()
                        .map(|n| format!("cluster {}", quoted(n.as_str())))
                        .unwrap_or_else(|| "another cluster".to_string());
                    (
                        format!(
                            "region {} is a {} region, but {other} of the same project uses {} region {}; one project cannot mix them",
                            quoted(region.as_str()),
                            p.describe(),
                            fp.describe(),
                            quoted(first_region.as_str()),
                        ),
                        format!("{other} of the same project, {}", fp.describe()),
                    )
                };
                out.push(
                    Finding::new(
                        &RULE,
                        &region.loc,
                        message,
                        format!(
                            "use {} like the first region, or move this region to a {} project",
                            fp.allowed_regions(),
                            p.describe()
                        ),
                    )
                    .with_label(&first_region.loc, label),
                );
            }
        }
    }
}

/// The name of a project that is not in the checked files, as clusters name it: a real
/// Atlas id, or a key that reaches nothing. A key one alias stands for (an Atlas CLI command's
/// `--file` body takes the command's `--projectId`) is that alias's project. A key that
/// several projects or aliases answer to is ambiguous on purpose, and a placeholder id is no
/// id: `None`.
///
/// An id names one project wherever it is written. A key is a name (an operator
/// `projectRef.name`), and the same name from two directories (one per environment, each
/// applied to its own Kubernetes cluster) is as likely two projects as one: a key names the
/// same project only for references written in the same directory.
fn unknown_project(model: &Model, origin: &Origin, depth: u8) -> Option<String> {
    match &origin.project_ref {
        ProjectRef::Id(id) if is_object_id(id.as_str()) => {
            Some(format!("id:{}", id.as_str().to_ascii_lowercase()))
        }
        ProjectRef::Key(key) if !model.projects.iter().any(|p| p.keys.contains(key)) => {
            let mut aliases = model.key_aliases.iter().filter(|a| &a.key == key);
            match (aliases.next(), aliases.next()) {
                (None, _) => {
                    // `a.yaml` and `./b.yaml` are in one directory (`""` and `"."`).
                    let file = model.files.get(origin.file() as usize);
                    let dir = file.and_then(|f| f.path.parent()).unwrap_or(Path::new(""));
                    let dir = crate::paths::normalize(dir);
                    Some(format!("key:{key}@{}", dir.display()))
                }
                (Some(alias), None) if depth < 8 => unknown_project(model, &alias.via, depth + 1),
                _ => None,
            }
        }
        _ => None,
    }
}
