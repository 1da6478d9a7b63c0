//! GOV011 online-archive: Online Archive is unavailable.

use super::{Finding, Rule, RuleMeta, Severity, product_rule};
use crate::model::{Model, Product};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV011",
        name: "online-archive",
        severity: Severity::Error,
        summary: "An online archive",
        seed: "Online Archives are unavailable in AtlasGov.",
        doc: include_str!("../../rules/GOV011-online-archive.md"),
    },
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Finding>) {
    product_rule(
        &RULE,
        model,
        Product::OnlineArchive,
        "archive with your own jobs (for example to S3 in GovCloud) or keep the data in the cluster; AtlasGov has no Online Archive",
        out,
    );
}
