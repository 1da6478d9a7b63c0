//! Per project: its partition and where that is set, the resources linked to it with their
//! provider, regions and tiers, a view of its regions by partition, and its findings.
//!
//! A finding belongs to the project of the resource whose values surround it in its file (the
//! smallest such resource, or the project body itself); else to the project a related
//! location names (the project's region usage); else to the one project every resource of
//! its file belongs to. Anything else is listed as not tied to a project.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use super::svg::{self, Chip};
use super::{Ctx, E, V, plural, redact, w};
use crate::document::Span;
use crate::model::partition::{Partition, RegionClass};
use crate::model::{FileId, Text};
use crate::outcome::inventory::{Inventory, Placement, ProjectEntry, Resource};
use crate::rules::Finding;

/// The project of each finding (see the module's documentation).
pub(super) fn place_findings<'f>(
    inv: &Inventory,
    findings: impl IntoIterator<Item = &'f Finding>,
) -> Vec<Option<usize>> {
    // Per file: the extents of resources and projects, with their project.
    let mut extents: HashMap<FileId, Vec<(Span, Option<usize>)>> = HashMap::new();
    for r in &inv.resources {
        extents
            .entry(r.body.file)
            .or_default()
            .push((r.extent, r.project));
    }
    for (i, p) in inv.projects.iter().enumerate() {
        extents
            .entry(p.body.file)
            .or_default()
            .push((p.extent, Some(i)));
    }
    let single: HashMap<FileId, Option<usize>> = extents
        .iter()
        .map(|(file, list)| {
            let projects: BTreeSet<Option<usize>> = list.iter().map(|(_, p)| *p).collect();
            let only = match projects.iter().collect::<Vec<_>>().as_slice() {
                [Some(p)] => Some(*p),
                _ => None,
            };
            (*file, only)
        })
        .collect();
    let by_place: HashMap<(FileId, u32, u32), usize> = inv
        .projects
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            std::iter::once(&p.body)
                .chain(p.region_usage.as_ref().map(|t| &t.loc))
                .map(move |l| ((l.file, l.span.start, l.span.end), i))
        })
        .collect();
    findings
        .into_iter()
        .map(|f| {
            let span = f.loc.span;
            let around = extents.get(&f.loc.file).and_then(|list| {
                list.iter()
                    .filter(|(e, _)| e.start <= span.start && span.end <= e.end)
                    .min_by_key(|(e, _)| e.end - e.start)
            });
            if let Some((_, p)) = around {
                return *p;
            }
            let named = f.related.iter().find_map(|l| {
                by_place
                    .get(&(l.loc.file, l.loc.span.start, l.loc.span.end))
                    .copied()
            });
            named.or_else(|| single.get(&f.loc.file).copied().flatten())
        })
        .collect()
}

pub(super) fn section(ctx: &Ctx<'_>, out: &mut String) {
    let inv = ctx.inventory;
    let shown = inv.projects.len();
    w!(
        out,
        "<section id=\"projects\" aria-labelledby=\"projects-h\">\n<h2 id=\"projects-h\">Projects ({shown})</h2>\n"
    );
    out.push_str(
        "<p>Each project's partition decides which regions its resources may use: a gov project \
         (<code>GOV_REGIONS_ONLY</code>) only gov regions, a standard one (absent, <code>NONE</code> or \
         <code>COMMERCIAL_FEDRAMP_REGIONS_ONLY</code>) only standard regions. Resources are linked to \
         their project by id, by reference or by directory.</p>\n",
    );
    if ctx.outcome.inventory.is_none() {
        out.push_str("<p>This run did not record projects.</p>\n");
    } else if inv.projects.is_empty() {
        out.push_str("<p id=\"no-projects\">No project body was found in the checked files.</p>\n");
    }
    let mut by_project: HashMap<Option<usize>, Vec<&Resource>> = HashMap::new();
    for r in &inv.resources {
        by_project.entry(r.project).or_default().push(r);
    }
    let mut findings: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
    for (i, p) in ctx.finding_project.iter().enumerate() {
        findings.entry(*p).or_default().push(i);
    }
    // What the filter stage hid, per project.
    let filtered = &ctx.outcome.filtered;
    let mut hidden: HashMap<Option<usize>, (usize, usize)> = HashMap::new();
    let suppressed = filtered.suppressions.iter().flat_map(|s| &s.suppressed);
    for p in place_findings(inv, suppressed) {
        hidden.entry(p).or_default().0 += 1;
    }
    for p in place_findings(inv, &filtered.baselined_findings) {
        hidden.entry(p).or_default().1 += 1;
    }
    for (i, p) in inv.projects.iter().enumerate() {
        let resources = by_project.get(&Some(i)).map_or(&[][..], Vec::as_slice);
        let own = findings.get(&Some(i)).map_or(&[][..], Vec::as_slice);
        project(ctx, out, i, p, resources, own);
        hidden_note(out, hidden.get(&Some(i)));
        out.push_str("</article>\n");
    }
    let unlinked = by_project.get(&None).map_or(&[][..], Vec::as_slice);
    let loose = findings.get(&None).map_or(&[][..], Vec::as_slice);
    if !unlinked.is_empty() || !loose.is_empty() {
        out.push_str(
            "<article class=\"project unlinked\" id=\"project-none\" aria-labelledby=\"project-none-h\">\n\
             <h3 id=\"project-none-h\">Not tied to a project</h3>\n",
        );
        if !unlinked.is_empty() {
            match &inv.assumed {
                Some((partition, usage)) => w!(
                    out,
                    "<p>No project body links to these resources; they are checked as <strong>{}</strong>, \
                     as the config's <code>default-region-usage</code> (<code>{}</code> at <code>{}</code>) \
                     assumes.</p>\n",
                    partition.map_or("unknown", Partition::describe),
                    V(usage.as_str()),
                    E(&ctx.at(&usage.loc))
                ),
                None => out.push_str(
                    "<p>No project body links to these resources (no id, reference or directory \
                     reaches one), so the rules that need a partition stayed silent on them; the \
                     config's <code>default-region-usage</code> can assume one.</p>\n",
                ),
            }
            resources_table(ctx, out, "project-none", unlinked);
        }
        if !loose.is_empty() {
            out.push_str(
                "<p>Findings outside any project's resources: connection strings, endpoints and \
                 settings in files with no Atlas resource, resources not linked to a project.</p>\n",
            );
        }
        findings_list(ctx, out, loose, "Findings not tied to a project");
        hidden_note(out, hidden.get(&None));
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

fn project(
    ctx: &Ctx<'_>,
    out: &mut String,
    i: usize,
    p: &ProjectEntry,
    resources: &[&Resource],
    findings: &[usize],
) {
    let id = format!("project-{i}");
    let part = p.partition.map_or("unknown", Partition::describe);
    w!(
        out,
        "<article class=\"project {part}\" id=\"{id}\" aria-labelledby=\"{id}-h\">\n\
         <h3 id=\"{id}-h\"><span class=\"project-name\">{}</span> <span class=\"badge part-{part}\">{part}</span></h3>\n<dl class=\"meta\">\n",
        V(&ctx.project_name(i))
    );
    let field = p.region_usage_field;
    out.push_str("<dt>Partition</dt><dd class=\"partition\">");
    match (&p.region_usage, p.partition) {
        (Some(usage), Some(partition)) => w!(
            out,
            "<strong>{}</strong>: <code>{}</code> is <code>{}</code> at <code>{}</code>",
            partition.describe(),
            E(field),
            V(usage.as_str()),
            E(&ctx.at(&usage.loc))
        ),
        (Some(usage), None) => w!(
            out,
            "<strong>unknown</strong>: <code>{}</code> is <code>{}</code> at <code>{}</code>, which is not a \
             value that can be read (a placeholder or expression)",
            E(field),
            V(usage.as_str()),
            E(&ctx.at(&usage.loc))
        ),
        (None, _) => w!(
            out,
            "<strong>standard</strong>: <code>{}</code> is not set, and AtlasGov creates such a project as \
             a standard (commercial FedRAMP) one; set in the project at <code>{}</code>",
            E(field),
            E(&ctx.at(&p.body))
        ),
    }
    w!(
        out,
        "</dd>\n<dt>Defined at</dt><dd><code>{}</code></dd>\n",
        E(&ctx.at(&p.body))
    );
    if let Some(pid) = &p.id {
        w!(
            out,
            "<dt>Project id</dt><dd><code>{}</code></dd>\n",
            V(pid.as_str())
        );
    }
    if p.context {
        out.push_str(
            "<dt>Note</dt><dd>Read only to link the checked files to their project (it sits in a \
             directory above them); this file itself was not checked.</dd>\n",
        );
    }
    if p.partial {
        out.push_str(
            "<dt>Note</dt><dd>A patch of a project defined elsewhere (a kustomize overlay); not \
             counted as a project of its own.</dd>\n",
        );
    }
    w!(
        out,
        "<dt>Resources</dt><dd>{}</dd>\n</dl>\n",
        plural(resources.len(), "resource", "resources")
    );
    if let Some(view) = region_view(&ctx.project_name(i), &id, p, resources) {
        out.push_str(&view);
    }
    if !resources.is_empty() {
        resources_table(ctx, out, &id, resources);
    }
    findings_list(ctx, out, findings, "Findings");
}

/// How many of a project's findings a suppression or the baseline hid.
fn hidden_note(out: &mut String, counts: Option<&(usize, usize)>) {
    if let Some((suppressed, baselined)) = counts.filter(|(s, b)| s + b > 0) {
        w!(
            out,
            "<p class=\"hidden-note\">Not listed: {suppressed} suppressed and {baselined} baselined \
             (see <a href=\"#exceptions\">Exceptions and baseline</a>).</p>\n"
        );
    }
}

fn resources_table(ctx: &Ctx<'_>, out: &mut String, id: &str, resources: &[&Resource]) {
    w!(
        out,
        "<table class=\"resources\" id=\"{id}-resources\"><caption>Resources linked ({})</caption><thead><tr>\
         <th scope=\"col\">Kind</th><th scope=\"col\">Name</th><th scope=\"col\">Provider</th>\
         <th scope=\"col\">Region</th><th scope=\"col\">Tiers</th><th scope=\"col\">Other settings</th>\
         <th scope=\"col\">Location</th></tr></thead><tbody>\n",
        resources.len()
    );
    for r in resources {
        // One row per place the resource runs; the other cells span them.
        let span = r.placements.len().max(1);
        let mut name = String::new();
        match &r.name {
            Some(n) => w!(name, "<code>{}</code>", V(n.as_str())),
            None => name.push_str("<span class=\"muted\">(none)</span>"),
        }
        let settings: Vec<String> = r
            .settings
            .iter()
            .map(|(what, v)| format!("{}: <code>{}</code>", E(what), V(v.as_str())))
            .collect();
        w!(
            out,
            "<tr><td rowspan=\"{span}\">{}</td><td rowspan=\"{span}\">{name}</td>",
            E(r.kind)
        );
        let placements: Vec<Option<&Placement>> = if r.placements.is_empty() {
            vec![None]
        } else {
            r.placements.iter().map(Some).collect()
        };
        for (k, pl) in placements.into_iter().enumerate() {
            if k > 0 {
                out.push_str("<tr>");
            }
            let (provider, region, tiers) = pl.map_or_else(Default::default, placement_cells);
            w!(out, "<td>{provider}</td><td>{region}</td><td>{tiers}</td>");
            if k == 0 {
                w!(
                    out,
                    "<td rowspan=\"{span}\">{}</td><td rowspan=\"{span}\"><code>{}</code></td>",
                    settings.join("<br />"),
                    E(&ctx.at(&r.body))
                );
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table>\n");
}

/// The provider, region and tiers cells of one placement.
fn placement_cells(pl: &Placement) -> (String, String, String) {
    let text = |t: &Option<Text>| {
        t.as_ref()
            .map(|t| format!("<code>{}</code>", V(t.as_str())))
    };
    let provider = match (text(&pl.provider), text(&pl.backing_provider)) {
        (Some(p), Some(b)) => format!("{p} on {b}"),
        (Some(p), None) | (None, Some(p)) => p,
        (None, None) => String::new(),
    };
    let region = pl.region.as_ref().map_or(String::new(), |region| {
        format!(
            "<code>{}</code>{}",
            V(region.as_str()),
            class_note(pl.class)
        )
    });
    let tiers: Vec<String> = pl
        .tiers
        .iter()
        .map(|(role, t)| {
            let role = role.strip_suffix(" instance size").unwrap_or(role);
            format!(
                "<code>{}</code>&#160;<span class=\"muted\">{}</span>",
                V(t.as_str()),
                E(role)
            )
        })
        .collect();
    (provider, region, tiers.join(", "))
}

fn class_note(class: RegionClass) -> &'static str {
    match class {
        RegionClass::Offered(Partition::Gov) => " <span class=\"muted\">(gov)</span>",
        RegionClass::Offered(Partition::Standard) => " <span class=\"muted\">(standard)</span>",
        RegionClass::Unoffered => " <span class=\"muted\">(not offered by AtlasGov)</span>",
        RegionClass::Azure => " <span class=\"muted\">(Azure: not offered)</span>",
        RegionClass::Unknown => "",
    }
}

/// The project's regions by partition, with the ones it may not use marked.
fn region_view(name: &str, id: &str, p: &ProjectEntry, resources: &[&Resource]) -> Option<String> {
    let mut seen = BTreeSet::new();
    let mut columns: [(&str, &str, Vec<Chip>); 3] = [
        ("gov", "Gov regions", Vec::new()),
        ("standard", "Standard regions", Vec::new()),
        ("other", "Not offered / not readable", Vec::new()),
    ];
    for pl in resources.iter().flat_map(|r| &r.placements) {
        let Some(region) = &pl.region else { continue };
        let cloud = pl
            .backing_provider
            .as_ref()
            .filter(|_| pl.provider.as_ref().is_some_and(|p| is_tenant(p.as_str())))
            .or(pl.provider.as_ref())
            .map_or(String::new(), |t| format!("{} ", t.as_str()));
        let text = format!("{cloud}{}", region.as_str());
        if !seen.insert(text.clone()) {
            continue;
        }
        let (col, mismatch) = match pl.class {
            RegionClass::Offered(Partition::Gov) => (0, p.partition == Some(Partition::Standard)),
            RegionClass::Offered(Partition::Standard) => (1, p.partition == Some(Partition::Gov)),
            RegionClass::Unoffered | RegionClass::Azure => (2, true),
            RegionClass::Unknown => (2, false),
        };
        let key = ["gov", "standard", "other"]
            .get(col)
            .copied()
            .unwrap_or("other");
        if let Some((_, _, chips)) = columns.get_mut(col) {
            chips.push(Chip {
                text: format!(
                    "{}{}",
                    if mismatch { "\u{26a0} " } else { "" },
                    redact::value(&text)
                ),
                class: format!("{key}{}", if mismatch { " mismatch" } else { "" }),
            });
        }
    }
    if seen.is_empty() {
        return None;
    }
    let lists: Vec<String> = columns
        .iter()
        .map(|(_, heading, chips)| {
            let texts: Vec<&str> = chips.iter().map(|c| c.text.as_str()).collect();
            let texts = if texts.is_empty() {
                "none".to_string()
            } else {
                texts.join(", ")
            };
            format!("{}: {texts}", heading.to_lowercase())
        })
        .collect();
    let title = format!("Regions used by {name}: {}", lists.join("; "));
    let own = p.partition.map(Partition::describe);
    let mut out = String::from("<figure class=\"region-view\">\n");
    out.push_str(&svg::region_view(
        &format!("{id}-regions"),
        &title,
        own,
        columns,
    ));
    out.push_str(
        "<figcaption>Regions used, by partition (\u{26a0}: a region this project may not use)</figcaption>\n</figure>\n",
    );
    Some(out)
}

fn is_tenant(p: &str) -> bool {
    ["TENANT", "FLEX", "SERVERLESS"]
        .iter()
        .any(|t| p.eq_ignore_ascii_case(t))
}

fn findings_list(ctx: &Ctx<'_>, out: &mut String, findings: &[usize], heading: &str) {
    w!(out, "<h4>{} ({})</h4>\n", E(heading), findings.len());
    if findings.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>\n");
        return;
    }
    out.push_str("<ul class=\"project-findings\">\n");
    for &i in findings {
        let Some(f) = ctx.outcome.findings.get(i) else {
            continue;
        };
        let sev = f.severity.as_str();
        w!(
            out,
            "<li><span class=\"badge sev-{sev}\">{sev}</span> <a href=\"#f-{i}\">{} {}</a> at <code>{}</code>: {}</li>\n",
            E(f.rule.code),
            E(f.rule.name),
            E(&ctx.at(&f.loc)),
            E(&f.message)
        );
    }
    out.push_str("</ul>\n");
}
