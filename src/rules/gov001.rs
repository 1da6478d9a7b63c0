//! GOV001 azure-provider: Azure is unavailable in AtlasGov.

use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::partition::is_azure;
use crate::model::{Model, Text};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV001",
        name: "azure-provider",
        severity: Severity::Error,
        summary: "Azure as a cluster provider, backing provider or encryption-at-rest provider",
        seed: "The following cloud providers, MongoDB products, and features are unavailable for all API resources: Azure",
        doc: include_str!("../../rules/GOV001-azure-provider.md"),
    },
    check: Some(check),
};

const HELP: &str = "AtlasGov runs on AWS (GovCloud and US standard regions) and Google Cloud (Assured Workloads regions): use AWS or GCP";

fn check(model: &Model, out: &mut Vec<Finding>) {
    let mut flag = |field: &Text, what: &str| {
        if is_azure(field.as_str()) {
            out.push(Finding::new(
                &RULE,
                &field.loc,
                format!(
                    "{what} {} is not available in AtlasGov",
                    quoted(field.as_str())
                ),
                HELP,
            ));
        }
    };
    for cluster in &model.clusters {
        for rc in &cluster.regions {
            if let Some(p) = &rc.provider {
                flag(p, "cloud provider");
            }
            if let Some(p) = &rc.backing_provider {
                flag(p, "backing provider");
            }
        }
        if let Some(p) = &cluster.encryption_at_rest_provider {
            flag(p, "encryption-at-rest provider");
        }
    }
    for c in &model.containers {
        c.provider
            .iter()
            .for_each(|p| flag(p, "network container provider"));
    }
    for peer in &model.peerings {
        peer.provider
            .iter()
            .for_each(|p| flag(p, "network peering provider"));
    }
    for e in &model.private_endpoints {
        e.provider
            .iter()
            .for_each(|p| flag(p, "private endpoint provider"));
    }
    for copy in &model.copy_settings {
        copy.cloud_provider
            .iter()
            .for_each(|p| flag(p, "snapshot copy provider"));
    }
    for use_ in &model.cloud_providers {
        flag(&use_.provider, use_.what);
    }
    for use_ in &model.products {
        use_.providers
            .iter()
            .for_each(|p| flag(p, "cloud provider"));
    }
    for ear in &model.encryption_at_rest {
        if let Some(azure) = &ear.azure_key_vault {
            out.push(Finding::new(
                &RULE,
                &azure.loc,
                "Azure Key Vault encryption at rest is not available in AtlasGov".to_string(),
                "use AWS KMS (awsKms) or Google Cloud KMS (googleCloudKms) keys in the project's partition",
            ));
        }
    }
}
