//! GOV012 peering-across-partitions: peer only within a partition.

use super::{Finding, Rule, RuleMeta, Severity, quoted, region_partition};
use crate::model::partition::Partition;
use crate::model::{Model, Text};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV012",
        name: "peering-across-partitions",
        severity: Severity::Error,
        summary: "A network container or peering of the other partition than its project",
        seed: "You can only peer AWS GovCloud regions with MongoDB clusters in AWS GovCloud regions. You can only peer AWS Standard regions with MongoDB clusters in AWS Standard regions. You can only peer GCP Assured Workloads regions with MongoDB clusters in GCP Assured Workloads regions.",
        doc: include_str!("../../rules/GOV012-peering-across-partitions.md"),
    },
    check: Some(check),
};

fn finding(region: &Text, p: Partition, partition: Partition, what: &str) -> Finding {
    // An AWS accepter region is written in AWS's own form (`us-gov-west-1`).
    let allowed = if what == PEER_VPC {
        partition.aws_native_regions()
    } else {
        partition.allowed_regions()
    };
    Finding::new(
        &RULE,
        &region.loc,
        format!(
            "{what} {} is a {} region, but this project is for {} regions; peering cannot cross between them",
            quoted(region.as_str()),
            p.describe(),
            partition.describe()
        ),
        format!(
            "in this {} project, peer with networks in {allowed}; {} networks need a {} project",
            partition.describe(),
            p.describe(),
            p.describe()
        ),
    )
}

const PEER_VPC: &str = "peer VPC region";

fn check(model: &Model, out: &mut Vec<Finding>) {
    for c in &model.containers {
        let Some((partition, assumed)) = model.partition_or_assumed(&c.origin) else {
            continue;
        };
        let from = out.len();
        let cloud = c.cloud();
        for region in &c.regions {
            if let Some(p) = region_partition(cloud, region).filter(|p| *p != partition) {
                out.push(finding(region, p, partition, "container region"));
            }
        }
        Finding::label_partition(out, from, model, &c.origin, assumed);
    }
    for peer in &model.peerings {
        let Some((partition, assumed)) = model.partition_or_assumed(&peer.origin) else {
            continue;
        };
        let from = out.len();
        check_peer(peer, partition, out);
        Finding::label_partition(out, from, model, &peer.origin, assumed);
    }
}

fn check_peer(peer: &crate::model::NetworkPeering, partition: Partition, out: &mut Vec<Finding>) {
    {
        // A GCP peering's container regions are the container's own (checked above, and a
        // GCP region that is not Assured Workloads is not offered at all: GOV003).
        if let Some(region) = &peer.accepter_region {
            if let Some(p) = region_partition(Some("AWS"), region).filter(|p| *p != partition) {
                out.push(finding(region, p, partition, PEER_VPC));
            }
        }
        if let Some(region) = &peer.container_region {
            if let Some(p) =
                region_partition(peer.container_cloud(), region).filter(|p| *p != partition)
            {
                out.push(finding(region, p, partition, "container region"));
            }
        }
    }
}
