//! GOV007 payment-method-alert: alerts about payment methods are unavailable.

use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::Model;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV007",
        name: "payment-method-alert",
        severity: Severity::Error,
        summary: "An alert configuration for a payment-method event",
        seed: "Alerts related to payment methods are unavailable.",
        doc: include_str!("../../rules/GOV007-payment-method-alert.md"),
    },
    check: Some(check),
};

/// Payment-method event types (project and organization level).
pub const PAYMENT_EVENTS: &[&str] = &[
    "CREDIT_CARD_ABOUT_TO_EXPIRE",
    "ORG_CREDIT_CARD_ABOUT_TO_EXPIRE",
];

fn check(model: &Model, out: &mut Vec<Finding>) {
    for alert in &model.alert_configs {
        let Some(event) = &alert.event_type else {
            continue;
        };
        if PAYMENT_EVENTS.iter().any(|e| event.is(e)) {
            out.push(Finding::new(
                &RULE,
                &event.loc,
                format!("alert event {} is about a payment method; AtlasGov has no payment-method alerts", quoted(event.as_str())),
                "remove this alert configuration; AtlasGov offers no payment-method alerts",
            ));
        }
    }
}
