//! Reporters: findings in, text out. Reporters know nothing about formats or rules' logic,
//! and decide nothing: levels, suppressions and the baseline were applied before
//! ([`crate::filter`]).

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod statistics;

use crate::outcome::Outcome;
use crate::paths::display_path;

pub mod redact;
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

/// The end of a text report: the skipped files, the baseline notes (with `notes`), and the
/// summary line.
pub fn footer(outcome: &Outcome, notes: bool) -> String {
    let mut out = String::new();
    for s in &outcome.skipped {
        out.push_str(&format!(
            "note: skipped {}: {}\n",
            concise::one_line(&display_path(&s.path)),
            concise::one_line(&s.reason)
        ));
    }
    if notes {
        for note in human::notes(outcome) {
            out.push_str(&format!("note: {note}\n"));
        }
    }
    out.push_str(&human::summary(outcome));
    out.push('\n');
    out
}

/// Fingerprints of the remaining findings, computed with their displayed paths (what SARIF
/// and GitLab show), in `outcome.findings` order.
pub fn fingerprints(outcome: &Outcome) -> Vec<String> {
    crate::outcome::fingerprint::fingerprints(outcome, &outcome.findings, |file| {
        display_path(outcome.path(file))
    })
}
