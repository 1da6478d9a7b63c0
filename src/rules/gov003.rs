//! GOV003 region-not-in-atlasgov: an AWS or GCP region that AtlasGov does not offer.

use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::partition::{
    Partition, RegionClass, classify_region, is_atlas_gcp_region, normalize_region,
    project_partition,
};
use crate::model::{Model, Text};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV003",
        name: "region-not-in-atlasgov",
        severity: Severity::Error,
        summary: "An AWS or GCP region that AtlasGov does not offer",
        seed: "You must designate projects for either standard or government (gov) region usage upon creation.",
        doc: include_str!("../../rules/GOV003-region-not-in-atlasgov.md"),
    },
    check: Some(check),
};

const HELP: &str = "AtlasGov offers AWS US_GOV_WEST_1 and US_GOV_EAST_1 and GCP Assured Workloads regions (ending in _AW) to gov projects, and AWS US_EAST_1, US_EAST_2, US_WEST_1 and US_WEST_2 to standard projects";

/// Regions of bodies other than clusters, with the cloud their vocabulary belongs to. Only
/// vocabularies that are the Atlas region enum (or AWS-native names) are judged: a Google Cloud
/// region is judged when it is written as Atlas names it (`CENTRAL_US`), not in Google's own
/// form (`us-central1`, which cannot say whether it is an Assured Workloads region).
fn other_regions(model: &Model) -> impl Iterator<Item = (Option<&str>, &Text)> {
    let cloud = |provider: &Option<Text>, region: &Text| -> Option<&'static str> {
        match provider {
            None => Some("AWS"),
            Some(p) if p.is("AWS") => Some("AWS"),
            Some(p) if p.is("GCP") && is_atlas_gcp_region(region.as_str()) => Some("GCP"),
            Some(_) => None,
        }
    };
    let containers = model.containers.iter().flat_map(move |c| {
        c.regions
            .iter()
            .filter_map(move |r| Some((Some(cloud(&c.provider, r)?), r)))
    });
    let peers = model.peerings.iter().flat_map(move |p| {
        let container = p
            .container_region
            .as_ref()
            .and_then(|r| Some((Some(cloud(&p.provider, r)?), r)));
        let accepter = p.accepter_region.as_ref().map(|r| (Some("AWS"), r));
        accepter.into_iter().chain(container)
    });
    let endpoints = model.private_endpoints.iter().filter_map(move |e| {
        let region = e.region.as_ref()?;
        Some((Some(cloud(&e.provider, region)?), region))
    });
    let kms = model
        .encryption_at_rest
        .iter()
        .filter_map(|e| Some((Some("AWS"), e.aws_kms_region.as_ref()?)));
    let copies = model.copy_settings.iter().filter_map(|c| {
        Some((
            c.cloud_provider.as_ref().map(Text::as_str),
            c.region.as_ref()?,
        ))
    });
    containers
        .chain(peers)
        .chain(endpoints)
        .chain(kms)
        .chain(copies)
}

fn check(model: &Model, out: &mut Vec<Finding>) {
    for (cloud, region) in other_regions(model) {
        if classify_region(cloud, region.as_str()) == RegionClass::Unoffered {
            out.push(Finding::new(
                &RULE,
                &region.loc,
                format!(
                    "region {} is not offered by AtlasGov",
                    quoted(region.as_str())
                ),
                HELP,
            ));
        }
    }
    for cluster in &model.clusters {
        for rc in &cluster.regions {
            let Some(region) = &rc.region else { continue };
            let cloud = rc.cloud();
            if classify_region(cloud, region.as_str()) != RegionClass::Unoffered {
                continue;
            }
            // In a project whose partition is known: the regions it can use.
            let partition = model
                .project_of(&cluster.origin)
                .and_then(|p| project_partition(p.region_usage.as_ref().map(Text::as_str)));
            let mut help = match partition {
                Some(partition) => format!(
                    "in this {} project use {}",
                    partition.describe(),
                    partition.allowed_regions()
                ),
                None => HELP.to_string(),
            };
            if let Some(name) = normalize_region(region.as_str()) {
                let aw = format!("{name}_AW");
                if classify_region(Some("GCP"), &aw) != RegionClass::Unoffered
                    && cloud.is_some_and(|c| c.eq_ignore_ascii_case("GCP"))
                {
                    help = match partition {
                        Some(Partition::Standard) => format!(
                            "{help}; {aw}, the Assured Workloads form of this region, needs a gov project"
                        ),
                        Some(Partition::Gov) => {
                            format!("use {aw}, the Assured Workloads form of this region; {help}")
                        }
                        None => format!(
                            "use {aw}, the Assured Workloads form of this region (gov projects only); {HELP}"
                        ),
                    };
                }
            }
            let cloud_note = cloud.map(|c| format!(" ({c})")).unwrap_or_default();
            out.push(Finding::new(
                &RULE,
                &region.loc,
                format!(
                    "region {}{cloud_note} is not offered by AtlasGov",
                    quoted(region.as_str())
                ),
                help,
            ));
        }
    }
}
