//! GOV014 kms-key-across-partitions: customer keys live in the project's partition.

use super::{Finding, Rule, RuleMeta, Severity, quoted, region_partition};
use crate::model::Model;
use crate::model::partition::Partition;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV014",
        name: "kms-key-across-partitions",
        severity: Severity::Error,
        summary: "An encryption-at-rest key in a region of the other partition than its project",
        seed: "You must use KMS keys in AWS GovCloud and GCP Assured Workloads regions to encrypt data in AWS GovCloud and GCP Assured Workloads region-only projects. You must use KMS keys in AWS Standard regions to encrypt data in AWS Standard region-only projects.",
        doc: include_str!("../../rules/GOV014-kms-key-across-partitions.md"),
    },
    check: Some(check),
};

/// Google Cloud locations that have Assured Workloads (US) regions in AtlasGov.
const AW_LOCATIONS: &[&str] = &[
    "us",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-central1",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
];

/// The partition of a key ARN, `arn:<partition>:kms:<region>:<account>:key/<id>` (a key id
/// alone names none), and the ARN's `arn:<partition>:kms` prefix: AWS GovCloud for
/// `aws-us-gov`, standard AWS for `aws` (whatever its region, offered by AtlasGov or not);
/// other AWS partitions are neither.
fn arn_partition(key: &str) -> Option<(Partition, &str)> {
    let key = key.trim();
    let mut parts = key.split(':');
    let (Some("arn"), Some(partition), Some("kms")) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let found = match partition {
        "aws" => Partition::Standard,
        "aws-us-gov" => Partition::Gov,
        _ => return None,
    };
    // `arn:aws:kms`, for the message.
    Some((
        found,
        key.get(.."arn:".len() + partition.len() + ":kms".len())?,
    ))
}

/// What an AWS key of a project of `partition` must be.
fn aws_help(partition: Partition) -> String {
    match partition {
        Partition::Gov => format!(
            "use an AWS KMS key in {} (or a Cloud KMS key in a US location with Assured Workloads)",
            partition.aws_regions()
        ),
        Partition::Standard => format!("use an AWS KMS key in {}", partition.aws_regions()),
    }
}

/// The `<loc>` of `projects/p/locations/<loc>/keyRings/...`.
fn gcp_location(resource: &str) -> Option<&str> {
    let rest = resource.split("/locations/").nth(1)?;
    rest.split('/').next().filter(|l| !l.is_empty())
}

fn check(model: &Model, out: &mut Vec<Finding>) {
    for ear in &model.encryption_at_rest {
        let Some((partition, assumed)) = model.partition_or_assumed(&ear.origin) else {
            continue;
        };
        let from = out.len();
        check_one(ear, partition, out);
        Finding::label_partition(out, from, model, &ear.origin, assumed);
    }
}

fn check_one(ear: &crate::model::EncryptionAtRest, partition: Partition, out: &mut Vec<Finding>) {
    {
        let from = out.len();
        if let Some(region) = &ear.aws_kms_region {
            if let Some(p) = region_partition(Some("AWS"), region).filter(|p| *p != partition) {
                out.push(Finding::new(
                    &RULE,
                    &region.loc,
                    format!(
                        "AWS KMS key region {} is a {} region, but this project is for {} regions",
                        quoted(region.as_str()),
                        p.describe(),
                        partition.describe()
                    ),
                    aws_help(partition),
                ));
            }
        }
        // A key ARN names the key's own partition: a key there is judged by it, whatever
        // `region` says (once: not when `region` is reported already).
        if out.len() == from {
            if let Some(key) = &ear.aws_kms_key_id {
                if let Some((p, prefix)) = arn_partition(key.as_str()) {
                    if p != partition {
                        out.push(Finding::new(
                            &RULE,
                            &key.loc,
                            format!(
                                "the AWS KMS key's ARN ({}) puts the key in {}, but this project is for {} regions",
                                quoted(prefix),
                                match p {
                                    Partition::Gov => "AWS GovCloud",
                                    Partition::Standard => "standard AWS (commercial regions)",
                                },
                                partition.describe()
                            ),
                            aws_help(partition),
                        ));
                    }
                }
            }
        }
        // An enabled Cloud KMS key whose location the spec does not show: wrong in a
        // standard project wherever it is.
        if let (Some(enabled), None, Partition::Standard) = (
            &ear.gcp_kms_enabled,
            &ear.gcp_key_version_resource_id,
            partition,
        ) {
            out.push(Finding::new(
                &RULE,
                &enabled.loc,
                "Cloud KMS encryption at rest in a standard project: a standard project must use AWS KMS keys in AWS standard regions".to_string(),
                format!("use an AWS KMS key in {}", partition.aws_regions()),
            ));
        }
        if let Some(key) = &ear.gcp_key_version_resource_id {
            let Some(location) = gcp_location(key.as_str()) else {
                return;
            };
            let aw = AW_LOCATIONS
                .iter()
                .any(|l| location.eq_ignore_ascii_case(l));
            let message = match partition {
                Partition::Gov if !aw => format!(
                    "Cloud KMS key location {} has no Assured Workloads region; this project is for gov regions",
                    quoted(location)
                ),
                Partition::Standard => format!(
                    "Cloud KMS key in {}: a standard project must use AWS KMS keys in AWS standard regions",
                    quoted(location)
                ),
                Partition::Gov => return,
            };
            out.push(Finding::new(
                &RULE,
                &key.loc,
                message,
                match partition {
                    Partition::Gov => "use a Cloud KMS key in a US location with Assured Workloads (e.g. us-east4), or an AWS KMS key in US_GOV_WEST_1 or US_GOV_EAST_1",
                    Partition::Standard => "use an AWS KMS key in US_EAST_1, US_EAST_2, US_WEST_1 or US_WEST_2",
                },
            ));
        }
    }
}
