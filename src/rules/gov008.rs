//! GOV008 datadog-not-us1-fed: Datadog must use the Datadog for Government site.

use super::fix::{Applicability, Edit, Fix};
use super::{Finding, Rule, RuleMeta, Severity, is_enum_word, quoted};
use crate::model::{Loc, Model, Switch, Text};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV008",
        name: "datadog-not-us1-fed",
        severity: Severity::Error,
        summary: "A Datadog integration, alert notification or log export not on US1_FED",
        seed: "When integrated with Datadog, AtlasGov uses the Datadog for Government site (US1-FED).",
        doc: include_str!("../../rules/GOV008-datadog-not-us1-fed.md"),
    },
    check: Some(check),
};

const HELP: &str = "set the Datadog region to US1_FED, the Datadog for Government site";

/// The fix of a region set to another Datadog site: `US1_FED`, the one right value. None
/// where the format cannot write it (`no_us1_fed`: its enum lacks it).
fn fix(region: &Text, no_us1_fed: Option<&str>) -> Option<Fix> {
    no_us1_fed.is_none().then(|| {
        Fix::replace(
            region,
            "US1_FED",
            Applicability::Safe,
            "set the Datadog region to `US1_FED`",
        )
    })
}

/// Where a region may be absent: whether the format's schema requires it (then nothing
/// defaults: the resource is refused), and where it would be added.
struct Absent<'a> {
    required: bool,
    slot: Option<&'a Switch>,
}

fn judge(
    region: Option<&Text>,
    anchor: &Loc,
    what: &str,
    no_us1_fed: Option<&str>,
    absent: Absent<'_>,
    out: &mut Vec<Finding>,
) {
    // Where the format cannot write `US1_FED`, setting it is no help.
    let help = match no_us1_fed {
        Some(reason) => format!(
            "{reason}, so it cannot send to Datadog for Government: remove this notification and set it up where `US1_FED` can be written (the Admin API, the Atlas CLI, Terraform)"
        ),
        None => HELP.to_string(),
    };
    match region {
        Some(r) if r.is("US1_FED") => {}
        // A placeholder (`${DATADOG_REGION}`, `{DATADOG-REGION}`) or an expression is not judged.
        Some(r) if !is_enum_word(r.as_str()) => {}
        Some(r) => {
            // `US1-FED`: the site's name as Datadog and AtlasGov's documentation write it, which
            // is no value the API takes (the right site, misspelt), where the format has one.
            let message = if r.is("US1-FED") && no_us1_fed.is_none() {
                format!(
                    "{what} uses Datadog region {}, the site's name: Atlas writes it `US1_FED` (with an underscore) and refuses `US1-FED`",
                    quoted(r.as_str())
                )
            } else {
                format!(
                    "{what} uses Datadog region {}; AtlasGov sends to Datadog for Government only",
                    quoted(r.as_str())
                )
            };
            let finding = Finding::new(&RULE, &r.loc, message, help);
            out.push(finding.with_fix(fix(r, no_us1_fed)));
        }
        None => {
            let finding = Finding::new(
                &RULE,
                anchor,
                if absent.required {
                    format!(
                        "{what} has no Datadog region, which its schema requires; AtlasGov sends to Datadog for Government only"
                    )
                } else {
                    format!(
                        "{what} has no Datadog region, so it defaults to US; AtlasGov sends to Datadog for Government only"
                    )
                },
                help,
            );
            // Where the format can write the region, it is added.
            let fix = absent.slot.filter(|_| no_us1_fed.is_none()).map(|s| Fix {
                applicability: Applicability::Safe,
                message: "add the Datadog region `US1_FED`".to_string(),
                reason: None,
                edits: vec![Edit {
                    loc: s.loc.clone(),
                    value: s.expected.clone(),
                    range: 0..s.expected.len(),
                    new: s.text.clone(),
                }],
            });
            out.push(finding.with_fix(fix));
        }
    }
}

fn check(model: &Model, out: &mut Vec<Finding>) {
    for i in &model.integrations {
        if i.kind.is("DATADOG") {
            judge(
                i.region.as_ref(),
                &i.kind.loc,
                "Datadog integration",
                None,
                Absent {
                    required: i.region_required,
                    slot: i.region_slot.as_ref(),
                },
                out,
            );
        } else if i.kind.is("DATADOG_LOG_EXPORT") {
            judge(
                i.region.as_ref(),
                &i.kind.loc,
                "Datadog log export",
                None,
                Absent {
                    required: i.region_required,
                    slot: i.region_slot.as_ref(),
                },
                out,
            );
        }
    }
    for alert in &model.alert_configs {
        for n in &alert.notifications {
            if n.type_name.as_ref().is_some_and(|t| t.is("DATADOG")) {
                judge(
                    n.datadog_region.as_ref(),
                    &n.loc,
                    "Datadog alert notification",
                    n.no_us1_fed,
                    Absent {
                        required: false,
                        slot: n.region_slot.as_ref(),
                    },
                    out,
                );
            }
        }
    }
}
