//! GOV018 data-federation: Atlas Data Federation / Data Lake is unavailable.

use super::{Finding, Rule, RuleMeta, Severity, product_rule, scope_rule};
use crate::model::{Model, Product};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV018",
        name: "data-federation",
        severity: Severity::Error,
        summary: "A Data Federation (Data Lake) instance, or a DATA_LAKE user scope",
        seed: "The following cloud providers, MongoDB products, and features are unavailable for all API resources: Atlas Data Lake",
        doc: include_str!("../../rules/GOV018-data-federation.md"),
    },
    check: Some(check),
};

const HELP: &str =
    "AtlasGov has no Data Federation: query the clusters directly, or federate outside Atlas";

fn check(model: &Model, out: &mut Vec<Finding>) {
    product_rule(&RULE, model, Product::DataFederation, HELP, out);
    scope_rule(&RULE, model, "DATA_LAKE", "Data Federation", HELP, out);
}
