//! GOV010 shared-tier-backup: shared-tier and Flex snapshots and restores are unavailable.

use super::{Finding, Rule, RuleMeta, Severity, product_rule};
use crate::model::{Model, Product};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV010",
        name: "shared-tier-backup",
        severity: Severity::Error,
        summary: "A shared-tier or Flex snapshot or restore",
        seed: "Shared-tier clusters are unavailable in AtlasGov.",
        doc: include_str!("../../rules/GOV010-shared-tier-backup.md"),
    },
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Finding>) {
    product_rule(
        &RULE,
        model,
        Product::SharedTierBackup,
        "restore dedicated (M20+) cluster snapshots instead: shared-tier and Flex clusters, and their backups, do not exist in AtlasGov",
        out,
    );
}
