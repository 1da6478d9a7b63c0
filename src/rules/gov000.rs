//! GOV000 invalid-spec: a file that looks like an Atlas spec but cannot be read as one.
//! Its findings come from the pipeline (parse errors, unreadable files), not from the model.

use super::{Rule, RuleMeta, Severity};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV000",
        name: "invalid-spec",
        severity: Severity::Error,
        summary: "A file that looks like an Atlas spec does not parse, so it was not checked",
        seed: "The MongoDB Atlas for Government API functions in the same way as the Atlas API",
        doc: include_str!("../../rules/GOV000-invalid-spec.md"),
    },
    check: None,
};
