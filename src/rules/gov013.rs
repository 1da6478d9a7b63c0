//! GOV013 private-endpoint-across-partitions: link private endpoints within a partition.

use super::{Finding, Rule, RuleMeta, Severity, quoted, region_partition};
use crate::model::Model;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV013",
        name: "private-endpoint-across-partitions",
        severity: Severity::Error,
        summary: "A private endpoint service in a region of the other partition than its project",
        seed: "You can only link AWS GovCloud regions with MongoDB clusters in AWS GovCloud regions. You can only link AWS Standard regions with MongoDB clusters in AWS Standard regions.",
        doc: include_str!("../../rules/GOV013-private-endpoint-across-partitions.md"),
    },
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Finding>) {
    for e in &model.private_endpoints {
        let Some((partition, assumed)) = model.partition_or_assumed(&e.origin) else {
            continue;
        };
        let from = out.len();
        if let Some(region) = &e.region {
            if let Some(p) = region_partition(e.cloud(), region).filter(|p| *p != partition) {
                out.push(Finding::new(
                    &RULE,
                    &region.loc,
                    format!(
                        "private endpoint region {} is a {} region, but this project is for {} regions",
                        quoted(region.as_str()),
                        p.describe(),
                        partition.describe()
                    ),
                    format!(
                        "create the endpoint service in {}",
                        partition.allowed_regions()
                    ),
                ));
            }
        }
        // The regions a cross-region endpoint service is linked from: the same partition too.
        for region in &e.remote_regions {
            if let Some(p) = region_partition(e.cloud(), region).filter(|p| *p != partition) {
                out.push(Finding::new(
                    &RULE,
                    &region.loc,
                    format!(
                        "private endpoint remote region {} is a {} region, but this project is for {} regions",
                        quoted(region.as_str()),
                        p.describe(),
                        partition.describe()
                    ),
                    format!(
                        "link the endpoint service from {} only",
                        partition.allowed_regions()
                    ),
                ));
            }
        }
        Finding::label_partition(out, from, model, &e.origin, assumed);
    }
}
