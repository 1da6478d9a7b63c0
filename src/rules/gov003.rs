//! GOV003 region-not-in-atlasgov: an AWS or GCP region that AtlasGov does not offer.

use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::Model;
use crate::model::partition::{RegionClass, classify_region, normalize_region};

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

fn check(model: &Model, out: &mut Vec<Finding>) {
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
