//! The summary: what was checked, the projects by partition, the findings by severity and by
//! rule (bar charts with their numbers as tables), what was suppressed and baselined. Every
//! count here is the JSON report's.

use std::fmt::Write as _;

use super::svg::{self, Bar};
use super::{Ctx, E, plural, w};
use crate::model::partition::Partition;
use crate::outcome::Outcome;
use crate::report::all_rules;
use crate::rules::{RuleMeta, Severity};

/// `2 errors, 1 warning` (or `no findings`).
pub(super) fn headline(outcome: &Outcome) -> String {
    if outcome.findings.is_empty() {
        return "no findings".to_string();
    }
    format!(
        "{}, {}",
        plural(outcome.errors(), "error", "errors"),
        plural(outcome.warnings(), "warning", "warnings")
    )
}

/// Projects by partition: gov, standard, unknown (patches of a project are not counted).
pub(super) fn partitions(ctx: &Ctx<'_>) -> [(&'static str, usize); 3] {
    let counted = || ctx.inventory.projects.iter().filter(|p| p.counts());
    let n = |want: Option<Partition>| counted().filter(|p| p.partition == want).count();
    [
        ("gov", n(Some(Partition::Gov))),
        ("standard", n(Some(Partition::Standard))),
        ("unknown", n(None)),
    ]
}

/// The rules with remaining findings, in rule order, with their error and warning counts.
pub(super) fn by_rule(outcome: &Outcome) -> Vec<(&'static RuleMeta, usize, usize)> {
    all_rules()
        .filter_map(|rule| {
            let of = |s: Severity| {
                outcome
                    .findings
                    .iter()
                    .filter(|f| std::ptr::eq(f.rule, rule) && f.severity == s)
                    .count()
            };
            let (errors, warnings) = (of(Severity::Error), of(Severity::Warning));
            (errors + warnings > 0).then_some((rule, errors, warnings))
        })
        .collect()
}

pub(super) fn section(ctx: &Ctx<'_>, out: &mut String) {
    let outcome = ctx.outcome;
    let filtered = &outcome.filtered;
    out.push_str(
        "<section id=\"summary\" aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">Summary</h2>\n<dl class=\"stats\">\n",
    );
    let projects: usize = partitions(ctx).iter().map(|(_, n)| n).sum();
    let stats: [(&str, &str, &str, usize); 9] = [
        ("files-checked", "Files checked", "", outcome.files_checked),
        ("files-skipped", "Files skipped", "", outcome.skipped.len()),
        ("projects", "Projects", "", projects),
        ("errors", "Errors", "error", outcome.errors()),
        ("warnings", "Warnings", "warning", outcome.warnings()),
        ("suppressed", "Suppressed", "", filtered.suppressed()),
        (
            "suppressions",
            "Suppressions",
            "",
            filtered.suppressions.len(),
        ),
        ("baselined", "Baselined", "", filtered.baselined),
        (
            "baseline-gone",
            "Baseline entries gone",
            "",
            filtered.baseline_gone,
        ),
    ];
    for (id, label, class, n) in stats {
        w!(
            out,
            "<div class=\"{class}\"><dt>{label}</dt><dd id=\"n-{id}\">{n}</dd></div>\n"
        );
    }
    out.push_str("</dl>\n");
    out.push_str(
        "<p>Suppressed: findings hidden by a suppression comment or a config exception \
         (<a href=\"#exceptions\">listed with their reasons</a>). Baselined: findings hidden \
         because the baseline records them (<a href=\"#baseline\">still open</a>).</p>\n",
    );

    out.push_str("<div class=\"charts\">\n");
    // Projects by partition.
    let parts = partitions(ctx);
    let bars: Vec<Bar> = parts
        .iter()
        .map(|(name, n)| Bar {
            label: name.to_string(),
            segments: vec![(*n, name_class(name))],
            id: format!("chart-projects-{name}"),
        })
        .collect();
    out.push_str("<figure>\n<figcaption>Projects by partition</figcaption>\n");
    out.push_str(&svg::bar_chart(
        "chart-projects",
        "Projects by partition",
        &bars,
    ));
    out.push_str("</figure>\n");

    // Findings by severity.
    let bars = vec![
        Bar {
            label: "error".to_string(),
            segments: vec![(outcome.errors(), "f-error")],
            id: "chart-severity-error".to_string(),
        },
        Bar {
            label: "warning".to_string(),
            segments: vec![(outcome.warnings(), "f-warning")],
            id: "chart-severity-warning".to_string(),
        },
    ];
    out.push_str("<figure>\n<figcaption>Findings by severity</figcaption>\n");
    out.push_str(&svg::bar_chart(
        "chart-severity",
        "Findings by severity",
        &bars,
    ));
    out.push_str("</figure>\n</div>\n");
    out.push_str(
        "<table id=\"projects-by-partition\"><caption>Projects by partition (a patch of a project is \
         not counted)</caption><thead><tr><th scope=\"col\">Partition</th>\
         <th scope=\"col\" class=\"num\">Projects</th></tr></thead><tbody>",
    );
    for (name, n) in parts {
        w!(
            out,
            "<tr><th scope=\"row\"><span class=\"badge part-{name}\">{name}</span></th>\
             <td class=\"num\" id=\"n-projects-{name}\">{n}</td></tr>"
        );
    }
    out.push_str("</tbody></table>\n");

    // Findings by rule.
    let rules = by_rule(outcome);
    out.push_str("<h3 id=\"by-rule\">Findings by rule</h3>\n");
    if rules.is_empty() {
        out.push_str("<p id=\"no-findings\">No findings.</p>\n");
    } else {
        let bars: Vec<Bar> = rules
            .iter()
            .map(|(rule, errors, warnings)| Bar {
                label: format!("{} {}", rule.code, rule.name),
                segments: vec![(*errors, "f-error"), (*warnings, "f-warning")],
                id: format!("chart-rule-{}", rule.code),
            })
            .collect();
        out.push_str("<figure>\n<figcaption>Solid: errors; hatched: warnings</figcaption>\n");
        out.push_str(&svg::bar_chart(
            "chart-rules",
            "Findings by rule (solid: errors, hatched: warnings)",
            &bars,
        ));
        out.push_str("</figure>\n");
        out.push_str(
            "<table id=\"findings-by-rule\"><caption>Findings by rule</caption><thead><tr>\
             <th scope=\"col\">Rule</th><th scope=\"col\">Constraint</th>\
             <th scope=\"col\" class=\"num\">Errors</th><th scope=\"col\" class=\"num\">Warnings</th>\
             <th scope=\"col\" class=\"num\">Total</th></tr></thead><tbody>\n",
        );
        for (rule, errors, warnings) in &rules {
            w!(
                out,
                "<tr data-rule=\"{code}\"><th scope=\"row\"><a href=\"#rule-{code}\">{code} {name}</a></th>\
                 <td>{summary}</td><td class=\"num\">{errors}</td><td class=\"num\">{warnings}</td>\
                 <td class=\"num count\">{total}</td></tr>\n",
                code = E(rule.code),
                name = E(rule.name),
                summary = E(rule.summary),
                total = errors + warnings
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

fn name_class(partition: &str) -> &'static str {
    match partition {
        "gov" => "f-gov",
        "standard" => "f-standard",
        _ => "f-unknown",
    }
}
