//! GOV003 region-not-in-atlasgov: an AWS or GCP region that AtlasGov does not offer.

use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::partition::{RegionClass, classify_region, normalize_region};
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
/// vocabularies that are the Atlas region enum (or AWS-native names) are judged.
fn other_regions(model: &Model) -> impl Iterator<Item = (Option<&str>, &Text)> {
    let aws = |t: &Option<Text>| t.as_ref().is_none_or(|p| p.is("AWS"));
    let containers = model
        .containers
        .iter()
        .filter(move |c| aws(&c.provider))
        .flat_map(|c| c.regions.iter().map(|r| (Some("AWS"), r)));
    let peers = model
        .peerings
        .iter()
        .filter_map(|p| Some((Some("AWS"), p.accepter_region.as_ref()?)));
    let endpoints = model
        .private_endpoints
        .iter()
        .filter(move |e| aws(&e.provider))
        .filter_map(|e| Some((Some("AWS"), e.region.as_ref()?)));
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
            let mut help = HELP.to_string();
            if let Some(name) = normalize_region(region.as_str()) {
                let aw = format!("{name}_AW");
                if classify_region(Some("GCP"), &aw) != RegionClass::Unoffered
                    && cloud.is_some_and(|c| c.eq_ignore_ascii_case("GCP"))
                {
                    help = format!(
                        "use {aw}, the Assured Workloads form of this region (gov projects only); {HELP}"
                    );
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
