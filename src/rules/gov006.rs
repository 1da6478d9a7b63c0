//! GOV006 scram-sha-1: SCRAM-SHA-1 selected anywhere it can be seen.

use super::fix::{Applicability, Fix};
use super::{Finding, Rule, RuleMeta, Severity};
use crate::model::Model;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV006",
        name: "scram-sha-1",
        severity: Severity::Error,
        summary: "SCRAM-SHA-1 selected in a connection string, setting or mechanism list",
        seed: "Database users who authenticate with SCRAM must use SCRAM-SHA-256",
        doc: include_str!("../../rules/GOV006-scram-sha-1.md"),
    },
    check: Some(check),
};

fn check(model: &Model, out: &mut Vec<Finding>) {
    for m in &model.auth_mechanisms {
        let written = m.value.as_str();
        let value = written.trim_start();
        let start = written.len() - value.len();
        let value = value.trim_end();
        if value.eq_ignore_ascii_case("SCRAM-SHA-1") {
            let fix = Fix::replace_part(
                &m.value,
                start..start + value.len(),
                "SCRAM-SHA-256",
                Applicability::Safe,
                "select SCRAM-SHA-256",
            );
            out.push(Finding::new(
                &RULE,
                &m.value.loc,
                format!("{} selects SCRAM-SHA-1, which AtlasGov does not accept", m.context),
                "use SCRAM-SHA-256 (authMechanism=SCRAM-SHA-256), or leave the mechanism out: drivers negotiate SCRAM-SHA-256 with AtlasGov",
            ).with_fix(fix));
        }
    }
}
