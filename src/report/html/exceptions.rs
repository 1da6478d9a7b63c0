//! Exceptions: every suppression comment and config exception with its reason, expiry (expired
//! and soon-to-expire marked), place, and whether it was used; the baseline's entries still
//! open; the files that were not checked.

use std::fmt::Write as _;

use super::{Ctx, E, V, days_until, plural, soon, w};
use crate::outcome::{Origin, Status, Suppression};
use crate::paths::display_path;
use crate::rules::Finding;

pub(super) fn section(ctx: &Ctx<'_>, out: &mut String) {
    let filtered = &ctx.outcome.filtered;
    let list = &filtered.suppressions;
    out.push_str(
        "<section id=\"exceptions\" aria-labelledby=\"exceptions-h\">\n\
         <h2 id=\"exceptions-h\">Exceptions and baseline</h2>\n",
    );
    w!(
        out,
        "<h3 id=\"suppressions\">Suppressions and config exceptions ({})</h3>\n",
        list.len()
    );
    if list.is_empty() {
        out.push_str(
            "<p id=\"no-suppressions\">None: no <code>atlasgov-lint: allow</code> comment and no \
             config <code>exceptions</code> entry.</p>\n",
        );
    } else {
        w!(
            out,
            "<p>Expiry is judged on {}; dates within {} days are marked.</p>\n",
            ctx.meta.date,
            super::SOON_DAYS
        );
        out.push_str(
            "<table id=\"suppressions-table\"><caption>Every suppression, applied or not</caption><thead><tr>\
             <th scope=\"col\">Kind</th><th scope=\"col\">Location</th><th scope=\"col\">Rules</th>\
             <th scope=\"col\">Reason</th><th scope=\"col\">Expires</th><th scope=\"col\">Status</th>\
             <th scope=\"col\">Used</th></tr></thead><tbody>\n",
        );
        for s in list {
            row(ctx, out, s);
        }
        out.push_str("</tbody></table>\n");
    }
    baseline(ctx, out);
    out.push_str("</section>\n");
}

fn row(ctx: &Ctx<'_>, out: &mut String, s: &Suppression) {
    let kind = match &s.origin {
        Origin::Inline => "comment".to_string(),
        Origin::Exception { file, pointer } => format!(
            "config exception for <code>{}</code> at <code>{}</code>",
            V(file),
            V(pointer)
        ),
    };
    let rules: Vec<String> = s
        .rules
        .iter()
        .map(|r| format!("{} {}", E(r.code), E(r.name)))
        .collect();
    let reason = match &s.reason {
        Some(r) => V(r).to_string(),
        None => "<span class=\"badge st-no-reason\">no reason</span>".to_string(),
    };
    let today = ctx.meta.date;
    let expires = match s.until {
        None => "<span class=\"muted\">no expiry</span>".to_string(),
        Some(until) if s.status == Status::Expired || until < today => format!(
            "{until} <span class=\"badge st-expired expiry\">expired {} ago</span>",
            plural(
                usize::try_from(-days_until(today, until)).unwrap_or(0),
                "day",
                "days"
            )
        ),
        Some(until) if soon(today, until) => format!(
            "{until} <span class=\"badge st-soon expiry\">expires in {}</span>",
            plural(
                usize::try_from(days_until(today, until)).unwrap_or(0),
                "day",
                "days"
            )
        ),
        Some(until) => until.to_string(),
    };
    let status = match s.status {
        Status::Active => "<span class=\"badge st-active\">active</span>",
        Status::NoReason => "<span class=\"badge st-no-reason\">not applied: no reason</span>",
        Status::Expired => "<span class=\"badge st-expired\">not applied: expired</span>",
        Status::Invalid => "<span class=\"badge st-invalid\">not applied: unreadable</span>",
        Status::Forbidden => {
            "<span class=\"badge st-invalid\">not applied: cannot be suppressed</span>"
        }
    };
    let used = if s.suppressed.is_empty() {
        "<span class=\"badge st-unused used\">no: suppressed nothing</span>".to_string()
    } else {
        let mut used = format!(
            "<span class=\"used\">yes: {}</span><details><summary>show</summary><ul>",
            plural(s.suppressed.len(), "finding", "findings")
        );
        for f in &s.suppressed {
            w!(used, "<li>{}</li>", brief(ctx, f));
        }
        used.push_str("</ul></details>");
        used
    };
    w!(
        out,
        "<tr class=\"suppression\" data-status=\"{}\"><td>{kind}</td><td><code>{}</code></td><td>{}</td>\
         <td>{reason}</td><td>{expires}</td><td>{status}</td><td>{used}</td></tr>\n",
        s.status.as_str(),
        E(&ctx.at(&s.loc)),
        rules.join("<br />"),
    );
}

/// A finding on one line: rule, place, message.
fn brief(ctx: &Ctx<'_>, f: &Finding) -> String {
    format!(
        "<span class=\"badge sev-{sev}\">{sev}</span> {} {} at <code>{}</code>: {}",
        E(f.rule.code),
        E(f.rule.name),
        E(&ctx.at(&f.loc)),
        E(&f.message),
        sev = f.severity.as_str()
    )
}

fn baseline(ctx: &Ctx<'_>, out: &mut String) {
    let filtered = &ctx.outcome.filtered;
    out.push_str("<h3 id=\"baseline\">Baseline</h3>\n");
    let used = filtered.baselined > 0 || filtered.baseline_gone > 0 || filtered.written.is_some();
    if !used {
        out.push_str("<p id=\"no-baseline\">No baseline hid any finding in this run.</p>\n");
        return;
    }
    if let Some(w) = &filtered.written {
        w!(
            out,
            "<p>This run wrote the baseline <code>{}</code> ({}; {} removed that no longer occur; {} not added).</p>\n",
            E(&display_path(&w.path)),
            plural(w.entries, "entry", "entries"),
            w.removed,
            w.not_added
        );
    }
    w!(
        out,
        "<p>Baseline entries that no longer occur (fixed since the baseline was written): \
         <strong id=\"baseline-gone\">{}</strong>.</p>\n",
        filtered.baseline_gone
    );
    let open = &filtered.baselined_findings;
    w!(
        out,
        "<table id=\"baseline-table\"><caption>Baseline entries still open ({})</caption><thead><tr>\
         <th scope=\"col\">Severity</th><th scope=\"col\">Rule</th><th scope=\"col\">Location</th>\
         <th scope=\"col\">Message</th></tr></thead><tbody>\n",
        open.len()
    );
    for f in open {
        let sev = f.severity.as_str();
        w!(
            out,
            "<tr><td><span class=\"badge sev-{sev}\">{sev}</span></td><td>{} {}</td><td><code>{}</code></td><td>{}</td></tr>\n",
            E(f.rule.code),
            E(f.rule.name),
            E(&ctx.at(&f.loc)),
            E(&f.message)
        );
    }
    out.push_str("</tbody></table>\n");
}

pub(super) fn skipped(ctx: &Ctx<'_>, out: &mut String) {
    let skipped = &ctx.outcome.skipped;
    w!(
        out,
        "<section id=\"skipped\" aria-labelledby=\"skipped-h\">\n<h2 id=\"skipped-h\">Skipped files ({})</h2>\n",
        skipped.len()
    );
    if skipped.is_empty() {
        out.push_str("<p id=\"no-skipped\">None: every file found was read.</p>\n");
    } else {
        out.push_str(
            "<p>These files were not checked; nothing in them is reflected in this report.</p>\n\
             <table id=\"skipped-table\"><caption>Files not checked, and why</caption><thead><tr>\
             <th scope=\"col\">File</th><th scope=\"col\">Reason</th></tr></thead><tbody>\n",
        );
        for s in skipped {
            w!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td></tr>\n",
                E(&display_path(&s.path)),
                E(&s.reason)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}
