//! GOV019 app-services: App Services (Device SDKs, Device Sync) are unavailable.

use super::{Finding, Rule, RuleMeta, Severity, alert_event_rule, product_rule};
use crate::model::{Model, Product};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV019",
        name: "app-services",
        severity: Severity::Error,
        summary: "App Services applications, Device Sync, and App Services alert types",
        seed: "The following cloud providers, MongoDB products, and features are unavailable for all API resources: Atlas Device SDKs",
        doc: include_str!("../../rules/GOV019-app-services.md"),
    },
    check: Some(check),
};

const HELP: &str = "AtlasGov has no App Services, Device SDKs or Device Sync: connect applications to the cluster with a MongoDB driver";
/// App Services alert event types (triggers' own are GOV017).
const EVENTS: &[&str] = &[
    "URL_CONFIRMATION",
    "SUCCESSFUL_DEPLOY",
    "DEPLOYMENT_FAILURE",
    "REQUEST_RATE_LIMIT",
    "LOG_FORWARDER_FAILURE",
    "SYNC_FAILURE",
    "DEPLOYMENT_MODEL_CHANGE_SUCCESS",
    "DEPLOYMENT_MODEL_CHANGE_FAILURE",
    "OUTSIDE_REALM_METRIC_THRESHOLD",
];

fn check(model: &Model, out: &mut Vec<Finding>) {
    product_rule(&RULE, model, Product::AppServices, HELP, out);
    alert_event_rule(&RULE, model, EVENTS, "App Services", HELP, out);
}
