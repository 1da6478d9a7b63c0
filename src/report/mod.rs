//! Reporters: findings in, text out. Reporters know nothing about formats or rules' logic,
//! and decide nothing: levels, suppressions and the baseline were applied before
//! ([`crate::filter`]).

pub mod github;
pub mod gitlab;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::outcome::Outcome;
use crate::paths::display_path;

pub mod redact;
pub mod terminal;
use crate::rules::RuleMeta;

/// The project's home, for links to rule documentation.
pub const HOME: &str = "https://github.com/atlasgov-lint/atlasgov-lint";

/// Where a rule's documentation (what `atlasgov-lint explain CODE` prints) is published.
pub fn rule_doc_url(rule: &RuleMeta) -> String {
    format!("{HOME}/blob/main/rules/{}-{}.md", rule.code, rule.name)
}

/// Every rule a report can mention: the AtlasGov rules, then the suppression diagnostics.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    crate::rules::ALL
        .iter()
        .chain(crate::rules::suppression::RULES.iter())
        .map(|r| &r.meta)
}

/// Fingerprints of the remaining findings, computed with their displayed paths (what SARIF
/// and GitLab show), in `outcome.findings` order.
pub fn fingerprints(outcome: &Outcome) -> Vec<String> {
    crate::outcome::fingerprint::fingerprints(outcome, &outcome.findings, |file| {
        display_path(outcome.path(file))
    })
}

/// Whether `text` is a report this tool writes in a JSON format (json, sarif, gitlab): what a
/// previous run left at the `--output` path, which a new run may overwrite.
pub fn is_report(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let json = || {
        ["version", "findings", "summary"]
            .iter()
            .all(|k| value.get(k).is_some())
    };
    let sarif = || {
        value
            .pointer("/runs/0/tool/driver/name")
            .and_then(serde_json::Value::as_str)
            == Some("atlasgov-lint")
    };
    let gitlab = || {
        value.as_array().is_some_and(|issues| {
            issues.iter().all(|i| {
                ["check_name", "fingerprint", "location"]
                    .iter()
                    .all(|k| i.get(k).is_some())
            })
        })
    };
    json() || sarif() || gitlab()
}
