//! GOV017 trigger: Atlas Triggers are unavailable.

use super::{Finding, Rule, RuleMeta, Severity, alert_event_rule, product_rule};
use crate::model::{Model, Product};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV017",
        name: "trigger",
        severity: Severity::Error,
        summary: "An App Services trigger, or a trigger alert",
        seed: "Triggers are unavailable in AtlasGov.",
        doc: include_str!("../../rules/GOV017-trigger.md"),
    },
    check: Some(check),
};

const HELP: &str = "AtlasGov has no Atlas Triggers: react to changes with change streams in your application, or schedule jobs outside Atlas";
const EVENTS: &[&str] = &["TRIGGER_FAILURE", "TRIGGER_AUTO_RESUMED"];

fn check(model: &Model, out: &mut Vec<Finding>) {
    product_rule(&RULE, model, Product::Trigger, HELP, out);
    alert_event_rule(&RULE, model, EVENTS, "Atlas Triggers", HELP, out);
}
