//! GOV015 atlas-user-creation: Atlas for Government users are invited, never created.

use super::{Finding, Rule, RuleMeta, Severity, product_rule};
use crate::model::{Model, Product};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV015",
        name: "atlas-user-creation",
        severity: Severity::Error,
        summary: "A body that creates an Atlas user (AtlasGov is invitation only)",
        seed: "You cannot create MongoDB Atlas for Government users. MongoDB Atlas for Government is available by invitation only.",
        doc: include_str!("../../rules/GOV015-atlas-user-creation.md"),
    },
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Finding>) {
    product_rule(
        &RULE,
        model,
        Product::AtlasUserCreation,
        "invite the user to the organization or project instead (POST /orgs/{orgId}/invites or /groups/{groupId}/invites)",
        out,
    );
}
