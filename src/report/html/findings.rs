//! The findings: one table of all of them (filtered and sorted by the page's script), then
//! one section per rule with the AtlasGov sentence it enforces and each finding in full:
//! place, message, help, a masked snippet, related places.

use std::fmt::Write as _;

use super::summary::by_rule;
use super::{Ctx, E, plural, w};
use crate::report::rule_doc_url;
use crate::rules::Finding;

/// Lines drawn around a finding (before its first line and after its last).
const CONTEXT_LINES: usize = 1;
/// Lines of a snippet at most (a finding spanning more is cut in the middle).
const MAX_LINES: usize = 10;
/// Longer lines are shown as a window around the finding.
const MAX_LINE: usize = 240;
const WINDOW: usize = 100;

pub(super) fn section(ctx: &Ctx<'_>, out: &mut String) {
    let outcome = ctx.outcome;
    let n = outcome.findings.len();
    w!(
        out,
        "<section id=\"findings\" aria-labelledby=\"findings-h\">\n<h2 id=\"findings-h\">Findings ({n})</h2>\n"
    );
    if n == 0 {
        out.push_str(
            "<p>No findings: every checked spec meets the constraints checked.</p>\n</section>\n",
        );
        return;
    }
    out.push_str(
        "<form id=\"filter-controls\" hidden=\"hidden\" role=\"search\" aria-label=\"Filter findings\">\
         <label>Filter <input type=\"search\" id=\"filter-text\" placeholder=\"rule, file, project or text\" /></label>\
         <label>Severity <select id=\"filter-severity\"><option value=\"\">all</option>\
         <option value=\"error\">error</option><option value=\"warning\">warning</option></select></label>\
         <output id=\"filter-status\" aria-live=\"polite\"></output></form>\n",
    );
    out.push_str(
        "<table id=\"findings-table\" class=\"sortable\"><caption>All findings (select a column \
         heading to sort)</caption><thead><tr><th scope=\"col\">Severity</th><th scope=\"col\">Rule</th>\
         <th scope=\"col\">Location</th><th scope=\"col\">Message</th><th scope=\"col\">Project</th></tr></thead><tbody>\n",
    );
    for (i, f) in outcome.findings.iter().enumerate() {
        let sev = f.severity.as_str();
        w!(
            out,
            "<tr data-finding=\"\" data-severity=\"{sev}\" data-search=\"{}\"><td data-sort=\"{}\">\
             <span class=\"badge sev-{sev}\">{sev}</span></td><td data-sort=\"{code}\"><a href=\"#rule-{code}\">{code}</a> {name}</td>\
             <td><a href=\"#f-{i}\"><code>{}</code></a></td><td>{}</td><td>{}</td></tr>\n",
            E(&search_text(ctx, i, f)),
            severity_rank(f),
            E(&ctx.at(&f.loc)),
            E(&f.message),
            project_link(ctx, i),
            code = E(f.rule.code),
            name = E(f.rule.name),
        );
    }
    out.push_str("</tbody></table>\n");

    for (rule, errors, warnings) in by_rule(outcome) {
        let code = E(rule.code);
        w!(
            out,
            "<section class=\"rule\" id=\"rule-{code}\" aria-labelledby=\"rule-{code}-h\">\n\
             <h3 id=\"rule-{code}-h\">{code} {} <span class=\"muted\">({})</span></h3>\n\
             {}<p class=\"doc\">It flags: {}. <a href=\"{}\">Rule documentation</a></p>\n",
            E(rule.name),
            plural(errors + warnings, "finding", "findings"),
            constraint(rule.seed),
            E(rule.summary),
            E(&rule_doc_url(rule)),
        );
        for (i, f) in outcome
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| std::ptr::eq(f.rule, rule))
        {
            finding(ctx, out, i, f);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
}

/// The AtlasGov sentence a rule enforces (the suppression diagnostics enforce none).
fn constraint(seed: &str) -> String {
    if seed.is_empty() {
        return "<p class=\"constraint\">Not an AtlasGov constraint: a diagnostic about a \
                suppression comment or config exception.</p>\n"
            .to_string();
    }
    format!(
        "<p class=\"constraint\">The AtlasGov constraint it enforces:</p>\n\
         <blockquote><p class=\"seed\">{}</p></blockquote>\n",
        E(seed)
    )
}

fn severity_rank(f: &Finding) -> &'static str {
    match f.severity {
        crate::rules::Severity::Error => "0",
        crate::rules::Severity::Warning => "1",
    }
}

/// What the filter box matches, lowercased.
fn search_text(ctx: &Ctx<'_>, i: usize, f: &Finding) -> String {
    let project = ctx
        .finding_project
        .get(i)
        .copied()
        .flatten()
        .map(|p| ctx.project_name(p))
        .unwrap_or_default();
    format!(
        "{} {} {} {} {} {}",
        f.rule.code,
        f.rule.name,
        f.severity.as_str(),
        ctx.at(&f.loc),
        f.message,
        project
    )
    .to_lowercase()
}

fn project_link(ctx: &Ctx<'_>, i: usize) -> String {
    match ctx.finding_project.get(i).copied().flatten() {
        Some(p) => format!(
            "<a href=\"#project-{p}\">{}</a>",
            super::V(&ctx.project_name(p))
        ),
        None => "<span class=\"muted\">(none)</span>".to_string(),
    }
}

fn finding(ctx: &Ctx<'_>, out: &mut String, i: usize, f: &Finding) {
    let sev = f.severity.as_str();
    w!(
        out,
        "<article class=\"finding {sev}\" id=\"f-{i}\" data-finding=\"\" data-severity=\"{sev}\" data-search=\"{}\">\n\
         <h4><span class=\"badge sev-{sev}\">{sev}</span> <code class=\"where\">{}</code> <span class=\"muted\">project: {}</span></h4>\n\
         <p class=\"msg\">{}</p>\n<p class=\"help\">{}</p>\n",
        E(&search_text(ctx, i, f)),
        E(&ctx.at(&f.loc)),
        project_link(ctx, i),
        E(&f.message),
        E(&f.help)
    );
    match ctx.texts.get(&f.loc.file).and_then(|t| snippet(t, f)) {
        Some(s) => out.push_str(&s),
        None => out.push_str(
            "<p class=\"muted\">No snippet: the file changed since it was checked, or cannot be shown.</p>\n",
        ),
    }
    if !f.related.is_empty() {
        out.push_str("<ul class=\"related\">\n");
        for l in &f.related {
            w!(
                out,
                "<li>{}: <code>{}</code></li>\n",
                E(&l.message),
                E(&ctx.at(&l.loc))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article>\n");
}

/// The lines around a finding from its file's masked text, the finding's bytes marked.
fn snippet(text: &str, f: &Finding) -> Option<String> {
    // A carriage return alone ends a line (as the line index counts): drawn as `\n`, one
    // byte for one, so offsets stay.
    let lone: Vec<usize> = crate::document::bytes::lone_carriage_returns(text.as_bytes()).collect();
    let normalized: Option<String> = (!lone.is_empty())
        .then(|| {
            let mut bytes = text.as_bytes().to_vec();
            for at in lone {
                if let Some(b) = bytes.get_mut(at) {
                    *b = b'\n';
                }
            }
            String::from_utf8(bytes).ok()
        })
        .flatten();
    let text = normalized.as_deref().unwrap_or(text);
    let start = f.loc.span.start as usize;
    let end = (f.loc.span.end as usize).max(start).min(text.len());
    if start > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return None;
    }
    let line_start = |at: usize| {
        text.get(..at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1)
    };
    let line_end = |at: usize| {
        text.get(at..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| at + i)
    };
    // The lines of the finding, with context around.
    let mut from = line_start(start);
    let mut first_line = f.loc.start.line as usize;
    for _ in 0..CONTEXT_LINES {
        if from == 0 {
            break;
        }
        from = line_start(from - 1);
        first_line = first_line.saturating_sub(1);
    }
    let mut to = line_end(end);
    for _ in 0..CONTEXT_LINES {
        if to >= text.len() {
            break;
        }
        to = line_end(to + 1);
    }
    let body = text.get(from..to)?;
    let lines: Vec<(usize, &str)> = body
        .split('\n')
        .scan(from, |at, line| {
            let here = *at;
            *at += line.len() + 1;
            Some((here, line))
        })
        .collect();
    let mut out = String::from("<pre class=\"snippet\"><code>");
    let count = lines.len();
    for (k, (at, line)) in lines.into_iter().enumerate() {
        if count > MAX_LINES && k == MAX_LINES / 2 {
            w!(out, "<span class=\"ln\">…</span>\n");
        }
        if count > MAX_LINES && k >= MAX_LINES / 2 && k < count - MAX_LINES / 2 {
            continue;
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        w!(out, "<span class=\"ln\">{}</span>", first_line + k);
        draw_line(&mut out, line, at, start, end);
        out.push('\n');
    }
    out.push_str("</code></pre>\n");
    Some(out)
}

/// One line, with the part inside `start..end` (file offsets) marked; a long line is cut to a
/// window around the mark.
fn draw_line(out: &mut String, line: &str, at: usize, start: usize, end: usize) {
    let mark_from = start.clamp(at, at + line.len()) - at;
    let mark_to = end.clamp(at, at + line.len()) - at;
    let (lo, hi) = if line.len() > MAX_LINE {
        (
            floor_boundary(line, mark_from.saturating_sub(WINDOW)),
            floor_boundary(line, (mark_to + WINDOW).min(line.len())),
        )
    } else {
        (0, line.len())
    };
    let piece = |a: usize, b: usize| line.get(a.max(lo)..b.min(hi).max(a.max(lo))).unwrap_or("");
    if lo > 0 {
        out.push('…');
    }
    w!(out, "{}", E(piece(lo, mark_from)));
    if mark_to > mark_from {
        w!(out, "<mark>{}</mark>", E(piece(mark_from, mark_to)));
    }
    w!(out, "{}", E(piece(mark_to, hi)));
    if hi < line.len() {
        out.push('…');
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
