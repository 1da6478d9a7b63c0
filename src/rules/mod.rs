//! Rules: one file per AtlasGov constraint, each a pure function of the model.
//!
//! Adding a rule touches its file, the [`ALL`] list below, its doc in `rules/`, and its
//! fixtures in `fixtures/<CODE>/`.

mod gov000;
mod gov001;
mod gov002;
mod gov003;
mod gov004;
mod gov005;

pub use gov000::RULE as INVALID_SPEC;

use crate::model::{Loc, Model};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What a rule is: its stable code and name, default severity, one-line summary, the seed
/// sentence it enforces, and its documentation (Markdown, printed by `explain`).
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The sentence of the AtlasGov API page this rule enforces.
    pub seed: &'static str,
    pub doc: &'static str,
}

/// A rule: its metadata and its check. `check` is `None` only for rules whose findings are
/// produced by the pipeline itself (GOV000, parse failures).
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Option<fn(&Model, &mut Vec<Finding>)>,
}

/// Every rule, sorted by code. Codes are never reused or renumbered.
pub static ALL: &[&Rule] = &[
    &gov000::RULE,
    &gov001::RULE,
    &gov002::RULE,
    &gov003::RULE,
    &gov004::RULE,
    &gov005::RULE,
];

/// Find a rule by code (`GOV001`, any case) or name (`azure-provider`).
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.meta.code.eq_ignore_ascii_case(code_or_name) || r.meta.name == code_or_name)
}

/// A secondary location shown with a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub loc: Loc,
    pub message: String,
}

/// One problem at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    /// What is wrong (never contains a secret value).
    pub message: String,
    /// What AtlasGov allows instead.
    pub help: String,
    /// The offending value.
    pub loc: Loc,
    pub related: Vec<Label>,
}

impl Finding {
    /// A finding of `rule` at `loc`. When the value was set elsewhere (a variable's default,
    /// a parameter), that place is added as a second label.
    pub fn new(
        rule: &'static Rule,
        loc: &Loc,
        message: String,
        help: impl Into<String>,
    ) -> Finding {
        let related = loc
            .via
            .iter()
            .map(|via| Label {
                loc: (**via).clone(),
                message: "value set here".to_string(),
            })
            .collect();
        Finding {
            rule: &rule.meta,
            severity: rule.meta.severity,
            message,
            help: help.into(),
            loc: loc.clone(),
            related,
        }
    }

    pub fn with_label(mut self, loc: &Loc, message: impl Into<String>) -> Finding {
        self.related.push(Label {
            loc: loc.clone(),
            message: message.into(),
        });
        self
    }
}

/// Run every rule over the model. Findings come back sorted by file, position and code, with
/// no two findings of one rule at the same place.
pub fn run(model: &Model) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in ALL {
        if let Some(check) = rule.check {
            check(model, &mut findings);
        }
    }
    findings
}

/// Sort findings and drop repeats (one rule, one place), keeping the first.
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (a.loc.file, a.loc.span, a.rule.code).cmp(&(b.loc.file, b.loc.span, b.rule.code))
    });
    findings.dedup_by(|a, b| {
        a.rule.code == b.rule.code && a.loc.file == b.loc.file && a.loc.span == b.loc.span
    });
}

/// Quote a value for a message.
pub(crate) fn quoted(value: &str) -> String {
    format!("`{value}`")
}
