//! `--format html`: the audit report, one self-contained page a compliance officer can read and
//! print. No network, no external script, font or stylesheet: the style and the few lines of
//! script are inline and allowed by their hashes in a strict Content-Security-Policy, charts
//! are inline SVG. Every value from the specs is escaped; source snippets go through the same
//! [`redact`](super::redact) as the human report's.
//!
//! - `summary`: counts and charts.
//! - `projects`: each project's partition, resources, regions and findings.
//! - `findings`: the findings table (filter, sort) and one section per rule.
//! - `exceptions`: suppressions, config exceptions, the baseline, skipped files.
//! - `svg`: the bar charts and the region view.

mod digest;
mod exceptions;
mod findings;
mod projects;
mod summary;
mod svg;

use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};
use std::path::PathBuf;

use super::redact;
use crate::date::Date;
use crate::model::Loc;
use crate::outcome::Outcome;
use crate::outcome::inventory::Inventory;
use crate::paths::display_path;

/// What the page says about the run besides the outcome; the command line gathers it (the
/// reporter reads no clock and no file).
#[derive(Debug, Clone)]
pub struct Meta {
    /// The date of the run (suppression expiry is judged against it).
    pub date: Date,
    /// The paths given on the command line.
    pub paths: Vec<PathBuf>,
    /// The commit of each git repository holding a checked path.
    pub commits: Vec<Commit>,
}

/// A repository's commit, as read from its `.git`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The work tree's root.
    pub root: PathBuf,
    /// The object id HEAD resolves to.
    pub sha: String,
    /// The ref HEAD names (`refs/heads/main`); `None` when HEAD is detached.
    pub reference: Option<String>,
}

/// Suppressions that expire within this many days are marked.
const SOON_DAYS: i64 = 30;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Append formatted text (writing to a `String` cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}
use w;

/// Text or an attribute value, escaped for HTML (and XML: the page is also well-formed XML).
/// Control characters other than tab and newline become U+FFFD.
struct E<'a>(pub &'a str);

impl Display for E<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(|c: char| {
            matches!(c, '&' | '<' | '>' | '"' | '\'' | '\u{fffe}' | '\u{ffff}')
                || (c.is_control() && c != '\n' && c != '\t')
        }) {
            f.write_str(rest.get(..i).unwrap_or(""))?;
            let c = rest
                .get(i..)
                .and_then(|s| s.chars().next())
                .unwrap_or('\u{fffd}');
            f.write_str(match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => "\u{fffd}",
            })?;
            rest = rest.get(i + c.len_utf8()..).unwrap_or("");
        }
        f.write_str(rest)
    }
}

/// A value read from a spec, escaped, and masked like a snippet would be (a connection string's
/// password, a key block), although model values are names, regions and enums.
struct V<'a>(pub &'a str);

impl Display for V<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", E(&redact::value(self.0)))
    }
}

/// What every section reads.
struct Ctx<'a> {
    pub outcome: &'a Outcome,
    pub meta: &'a Meta,
    pub inventory: &'a Inventory,
    /// The project each finding belongs to (index into the inventory's projects), in
    /// `outcome.findings` order.
    pub finding_project: Vec<Option<usize>>,
    /// Masked texts of the files with findings, for snippets.
    pub texts: HashMap<u32, String>,
}

impl Ctx<'_> {
    /// `path:line:column` of a location.
    pub fn at(&self, loc: &Loc) -> String {
        format!(
            "{}:{}:{}",
            display_path(self.outcome.path(loc.file)),
            loc.start.line,
            loc.start.column
        )
    }

    /// A project's name for people.
    pub fn project_name(&self, i: usize) -> String {
        self.inventory
            .projects
            .get(i)
            .and_then(|p| p.name.as_ref())
            .map_or_else(
                || format!("(unnamed project {})", i + 1),
                |n| n.value.to_string(),
            )
    }
}

/// Render the report.
pub fn render(outcome: &Outcome, meta: &Meta) -> String {
    let empty = Inventory::default();
    let inventory = outcome.inventory.as_ref().unwrap_or(&empty);
    let mut texts = HashMap::new();
    for f in &outcome.findings {
        if texts.contains_key(&f.loc.file) {
            continue;
        }
        if let Some(text) = redact::masked(outcome, f.loc.file) {
            texts.insert(f.loc.file, text);
        }
    }
    let finding_project = projects::place_findings(inventory, &outcome.findings);
    let ctx = Ctx {
        outcome,
        meta,
        inventory,
        finding_project,
        texts,
    };
    let mut out = String::with_capacity(64 * 1024);
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        digest::csp_hash(STYLE),
        digest::csp_hash(SCRIPT)
    );
    let title = format!(
        "AtlasGov compliance report {}: {}",
        meta.date,
        summary::headline(outcome)
    );
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n\
         <meta charset=\"utf-8\" />\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <meta name=\"referrer\" content=\"no-referrer\" />\n\
         <meta name=\"generator\" content=\"atlasgov-lint {}\" />\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        E(&csp),
        E(env!("CARGO_PKG_VERSION")),
        E(&title)
    );
    out.push_str(svg::DEFS);
    header(&ctx, &mut out);
    out.push_str(
        "<nav class=\"toc\" aria-label=\"Contents\"><ol>\
         <li><a href=\"#summary\">Summary</a></li>\
         <li><a href=\"#projects\">Projects</a></li>\
         <li><a href=\"#findings\">Findings</a></li>\
         <li><a href=\"#exceptions\">Exceptions and baseline</a></li>\
         <li><a href=\"#skipped\">Skipped files</a></li>\
         </ol></nav>\n<main>\n",
    );
    summary::section(&ctx, &mut out);
    projects::section(&ctx, &mut out);
    findings::section(&ctx, &mut out);
    exceptions::section(&ctx, &mut out);
    exceptions::skipped(&ctx, &mut out);
    w!(
        out,
        "</main>\n<footer><p>Generated by atlasgov-lint {} on {}. Findings are checked offline \
         against the AtlasGov constraints each rule cites; this page makes no network request. \
         Secrets in snippets are masked.</p></footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        E(env!("CARGO_PKG_VERSION")),
        meta.date
    );
    out
}

fn header(ctx: &Ctx<'_>, out: &mut String) {
    let outcome = ctx.outcome;
    let meta = ctx.meta;
    out.push_str("<header class=\"page\">\n<h1>AtlasGov compliance report</h1>\n");
    let (class, verdict) = if crate::filter::fails(outcome) {
        ("fail", "Fails the gate")
    } else {
        ("pass", "Passes the gate")
    };
    let level = outcome
        .filtered
        .fail_on
        .unwrap_or(crate::rules::Severity::Error)
        .as_str();
    w!(
        out,
        "<p class=\"verdict {class}\" id=\"verdict\">{verdict} (fails on: {level}): {}</p>\n",
        E(&summary::headline(outcome))
    );
    out.push_str("<dl class=\"meta\">\n");
    w!(
        out,
        "<dt>Tool</dt><dd>atlasgov-lint {}</dd>\n<dt>Date</dt><dd><time datetime=\"{}\">{}</time></dd>\n",
        E(env!("CARGO_PKG_VERSION")),
        meta.date,
        meta.date
    );
    out.push_str("<dt>Paths checked</dt><dd><ul>");
    for p in &meta.paths {
        w!(out, "<li><code>{}</code></li>", E(&display_path(p)));
    }
    if meta.paths.is_empty() {
        out.push_str("<li>(none)</li>");
    }
    out.push_str("</ul></dd>\n<dt>Commit</dt><dd>");
    match meta.commits.as_slice() {
        [] => out.push_str("not in a git repository (or its HEAD cannot be read)"),
        commits => {
            out.push_str("<ul>");
            for c in commits {
                let at = c
                    .reference
                    .as_deref()
                    .map_or("detached HEAD".to_string(), |r| {
                        r.strip_prefix("refs/heads/").unwrap_or(r).to_string()
                    });
                w!(
                    out,
                    "<li><code class=\"commit\">{}</code> ({}) in <code>{}</code></li>",
                    E(&c.sha),
                    E(&at),
                    E(&display_path(&c.root))
                );
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</dd>\n<dt>Config</dt><dd>");
    match outcome.config_file {
        Some(file) => {
            w!(
                out,
                "<code id=\"config-path\">{}</code>",
                E(&display_path(outcome.path(file)))
            );
            if let Some(text) = redact::masked(outcome, file) {
                w!(
                    out,
                    "<details><summary>The config as read</summary><pre>{}</pre></details>",
                    E(&text)
                );
            }
        }
        None => out.push_str("none: every rule at its default level"),
    }
    out.push_str("</dd>\n</dl>\n</header>\n");
}

/// Days from `today` to `until` (negative: past).
fn days_until(today: Date, until: Date) -> i64 {
    until.days_since_epoch() - today.days_since_epoch()
}

/// Whether a date within [`SOON_DAYS`] from `today` (and not past).
fn soon(today: Date, until: Date) -> bool {
    (0..=SOON_DAYS).contains(&days_until(today, until))
}

/// `n thing` or `n things`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests;
