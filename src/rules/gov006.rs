//! GOV006 scram-sha-1: SCRAM-SHA-1 selected anywhere it can be seen.

use super::fix::{Applicability, Fix};
use super::{Finding, Rule, RuleMeta, Severity};
use crate::model::Model;
use arcstr::ArcStr;
use std::sync::Arc;

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
    // The list the previous SCRAM-SHA-1 was in, and whether it names SCRAM-SHA-256: a list's
    // names come one after the other, and each is looked at once (a list of 40,000 names).
    let mut last: Option<(&Arc<[ArcStr]>, bool)> = None;
    for m in &model.auth_mechanisms {
        let written = m.value.as_str();
        let value = written.trim_start();
        let start = written.len() - value.len();
        let value = value.trim_end();
        if !is_sha1(value) {
            continue;
        }
        let message = format!(
            "{} selects SCRAM-SHA-1, which AtlasGov does not accept",
            m.context
        );
        // A list names SCRAM-SHA-256 once: its first SCRAM-SHA-1 becomes SCRAM-SHA-256 unless
        // it names it already; any other SCRAM-SHA-1 in it is taken out, not replaced.
        let (has_sha256, first_in_list) = match last {
            Some((list, has)) if Arc::ptr_eq(list, &m.list) => (has, false),
            _ => {
                let has = m
                    .list
                    .iter()
                    .any(|n| n.trim().eq_ignore_ascii_case("SCRAM-SHA-256"));
                last = Some((&m.list, has));
                (has, true)
            }
        };
        if !has_sha256 && first_in_list {
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
                message,
                "use SCRAM-SHA-256 (authMechanism=SCRAM-SHA-256), or leave the mechanism out: drivers negotiate SCRAM-SHA-256 with AtlasGov",
            ).with_fix(fix));
            continue;
        }
        let help = if has_sha256 {
            "remove SCRAM-SHA-1 from the list: it selects SCRAM-SHA-256 already"
        } else {
            "remove SCRAM-SHA-1 from the list: its first SCRAM-SHA-1 becomes SCRAM-SHA-256"
        };
        let finding = Finding::new(&RULE, &m.value.loc, message, help);
        // A list written as one string: the same string without its SCRAM-SHA-1 names (one
        // fix, on the first of them, takes them all out).
        let fix = m
            .list_text
            .as_ref()
            .filter(|_| has_sha256 && first_in_list)
            .map(|whole| {
                Fix::replace(
                    whole,
                    &without_sha1(whole.as_str()),
                    Applicability::Safe,
                    "remove SCRAM-SHA-1 from the list",
                )
            });
        out.push(finding.with_fix(fix));
    }
}

fn is_sha1(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("SCRAM-SHA-1")
}

/// A comma-separated list of names without its SCRAM-SHA-1 names, the others as written
/// (the spaces around the list's ends kept, none left inside them: `"A , SCRAM-SHA-1"` is
/// `"A"`).
fn without_sha1(list: &str) -> String {
    let kept: Vec<&str> = list.split(',').filter(|n| !is_sha1(n)).collect();
    let joined = kept.join(",");
    let inner = list.trim();
    let lead = list
        .get(..list.len() - list.trim_start().len())
        .unwrap_or("");
    let trail = list.get(lead.len() + inner.len()..).unwrap_or("");
    format!("{lead}{}{trail}", joined.trim())
}

#[cfg(test)]
mod tests {
    use super::without_sha1;

    #[test]
    fn sha1_names_leave_a_list_with_their_commas() {
        assert_eq!(without_sha1("SCRAM-SHA-256,SCRAM-SHA-1"), "SCRAM-SHA-256");
        assert_eq!(without_sha1("SCRAM-SHA-1, SCRAM-SHA-256"), "SCRAM-SHA-256");
        assert_eq!(
            without_sha1("SCRAM-SHA-256, scram-sha-1 ,MONGODB-X509"),
            "SCRAM-SHA-256,MONGODB-X509"
        );
        assert_eq!(
            without_sha1("SCRAM-SHA-1,SCRAM-SHA-256,SCRAM-SHA-1"),
            "SCRAM-SHA-256"
        );
        // No space is left inside the value where a name went; the list's own are kept.
        assert_eq!(without_sha1("SCRAM-SHA-256 , SCRAM-SHA-1"), "SCRAM-SHA-256");
        assert_eq!(without_sha1("SCRAM-SHA-1 ,SCRAM-SHA-256"), "SCRAM-SHA-256");
        assert_eq!(without_sha1(" A , SCRAM-SHA-1 , B "), " A , B ");
    }
}
