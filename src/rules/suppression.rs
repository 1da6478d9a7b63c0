//! Diagnostics about the linter's own directives (suppression comments and config
//! exceptions), codes GOV100-GOV199.
//!
//! They are not AtlasGov constraints: they have no seed sentence, no model check and no place
//! in [`crate::rules::ALL`]; the filtering stage ([`crate::filter`]) produces them. They are
//! findings like any other (so every reporter shows them, and the config can set their
//! level), but they can never be suppressed or baselined.

use crate::rules::{self, Rule, RuleMeta, Severity};

pub static UNUSED_SUPPRESSION: Rule = Rule {
    meta: RuleMeta {
        code: "GOV100",
        name: "unused-suppression",
        severity: Severity::Warning,
        summary: "A suppression comment or config exception that suppresses nothing",
        seed: "",
        doc: include_str!("../../rules/GOV100-unused-suppression.md"),
    },
    check: None,
};

pub static SUPPRESSION_WITHOUT_REASON: Rule = Rule {
    meta: RuleMeta {
        code: "GOV101",
        name: "suppression-without-reason",
        severity: Severity::Warning,
        summary: "A suppression without a reason (it is not applied)",
        seed: "",
        doc: include_str!("../../rules/GOV101-suppression-without-reason.md"),
    },
    check: None,
};

pub static EXPIRED_SUPPRESSION: Rule = Rule {
    meta: RuleMeta {
        code: "GOV102",
        name: "expired-suppression",
        severity: Severity::Warning,
        summary: "A suppression past its `until` date (it is no longer applied)",
        seed: "",
        doc: include_str!("../../rules/GOV102-expired-suppression.md"),
    },
    check: None,
};

pub static INVALID_SUPPRESSION: Rule = Rule {
    meta: RuleMeta {
        code: "GOV103",
        name: "invalid-suppression",
        severity: Severity::Warning,
        summary: "A suppression comment that cannot be read (unknown rule, bad date, bad syntax)",
        seed: "",
        doc: include_str!("../../rules/GOV103-invalid-suppression.md"),
    },
    check: None,
};

pub static FORBIDDEN_SUPPRESSION: Rule = Rule {
    meta: RuleMeta {
        code: "GOV104",
        name: "forbidden-suppression",
        severity: Severity::Warning,
        summary: "A suppression of a rule that cannot be suppressed (GOV000, or listed as unsuppressible)",
        seed: "",
        doc: include_str!("../../rules/GOV104-forbidden-suppression.md"),
    },
    check: None,
};

/// The directive diagnostics, sorted by code.
pub static RULES: &[&Rule] = &[
    &UNUSED_SUPPRESSION,
    &SUPPRESSION_WITHOUT_REASON,
    &EXPIRED_SUPPRESSION,
    &INVALID_SUPPRESSION,
    &FORBIDDEN_SUPPRESSION,
];

/// Whether a rule is one of the directive diagnostics.
pub fn is_suppression_rule(rule: &RuleMeta) -> bool {
    RULES.iter().any(|r| r.meta.code == rule.code)
}

/// Why a rule can never be suppressed, whatever the config says.
pub fn unsuppressible_reason(rule: &RuleMeta) -> Option<&'static str> {
    if rule.code == rules::INVALID_SPEC.meta.code {
        Some("a file that does not parse was not checked at all; fix the file")
    } else if is_suppression_rule(rule) {
        Some(
            "diagnostics about suppressions cannot themselves be suppressed; fix the directive or set the rule's level in the config",
        )
    } else {
        None
    }
}
