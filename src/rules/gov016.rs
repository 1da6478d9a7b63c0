//! GOV016 stream-processing: Atlas Stream Processing is unavailable.

use super::{Finding, Rule, RuleMeta, Severity, alert_event_rule, product_rule, scope_rule};
use crate::model::{Model, Product};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV016",
        name: "stream-processing",
        severity: Severity::Error,
        summary: "Stream processing instances, connections, processors, STREAM user scopes and alerts",
        seed: "Atlas Stream Processing is unavailable in AtlasGov.",
        doc: include_str!("../../rules/GOV016-stream-processing.md"),
    },
    check: Some(check),
};

const HELP: &str = "AtlasGov has no Atlas Stream Processing: process streams outside Atlas (for example with change streams in your application)";
const EVENTS: &[&str] = &[
    "STREAM_PROCESSOR_STATE_IS_FAILED",
    "STREAM_PROCESSOR_AUTOSCALE_INITIATED",
    "OUTSIDE_STREAM_PROCESSOR_METRIC_THRESHOLD",
];

fn check(model: &Model, out: &mut Vec<Finding>) {
    product_rule(&RULE, model, Product::StreamProcessing, HELP, out);
    scope_rule(&RULE, model, "STREAM", "stream processing", HELP, out);
    alert_event_rule(&RULE, model, EVENTS, "stream processing", HELP, out);
}
