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
        // Its own region, then the regions a cross-region service is linked from: each of the
        // project's partition.
        let own = e
            .region
            .iter()
            .map(|r| (r, "region", "create the endpoint service in", ""));
        let remote = (e.remote_regions.iter()).map(|r| {
            (
                r,
                "remote region",
                "link the endpoint service from",
                " only",
            )
        });
        for (region, what, help, only) in own.chain(remote) {
            if let Some(p) = region_partition(e.cloud(), region).filter(|p| *p != partition) {
                out.push(Finding::new(
                    &RULE,
                    &region.loc,
                    format!(
                        "private endpoint {what} {} is a {} region, but this project is for {} regions",
                        quoted(region.as_str()),
                        p.describe(),
                        partition.describe()
                    ),
                    format!("{help} {}{only}", partition.allowed_regions()),
                ));
            }
        }
        Finding::label_partition(out, from, model, &e.origin, assumed);
    }
}
