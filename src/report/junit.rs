//! `--format junit`: a JUnit XML report for CI systems that show test results (Jenkins,
//! GitLab, Azure Pipelines, ...).
//!
//! One `<testcase>` per checked file (named by its path), so a clean file shows as a passed
//! test. A file with findings at or above the failure threshold (`--fail-on`) gets **one**
//! `<failure>` that lists every finding, one per line: JUnit consumers show only the first
//! `<failure>` of a test case (Jenkins, Azure) or reject several (strict parsers), so one
//! failure per finding would hide all but the first. Its `message` counts them and names the
//! first. Findings below the threshold go to the test case's `<system-out>`. Skipped files are
//! `<skipped>` test cases with the reason.

use std::collections::{BTreeMap, HashSet};

use super::terminal;
use crate::outcome::Outcome;
use crate::paths::display_path;
use crate::rules::{Finding, Severity};

/// Escape text for an XML attribute or element, dropping characters XML 1.0 cannot hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// One finding as a line of text: text from specs (paths, messages) with control characters
/// shown escaped ([`terminal::line`]), so that no value can add a line (CI systems show these
/// bodies as plain text, often on a terminal).
fn line(outcome: &Outcome, f: &Finding) -> String {
    let mut line = format!(
        "{}:{}:{}: {} {} {}: {} (help: {})",
        terminal::line(&display_path(outcome.path(f.loc.file))),
        f.loc.start.line,
        f.loc.start.column,
        f.severity.as_str(),
        f.rule.code,
        f.rule.name,
        terminal::line(&f.message),
        terminal::line(&f.help)
    );
    if let Some(note) = super::other_place(outcome, f) {
        line.push_str(&format!(" ({})", terminal::line(&note)));
    }
    line
}

struct Case<'a> {
    path: String,
    failing: Vec<&'a Finding>,
    other: Vec<&'a Finding>,
    skipped: Option<&'a str>,
}

/// Render the outcome as JUnit XML.
pub fn render(outcome: &Outcome) -> String {
    let threshold = outcome.filtered.fail_on.unwrap_or(Severity::Error);
    let skipped: HashSet<&std::path::Path> =
        outcome.skipped.iter().map(|s| s.path.as_path()).collect();
    let mut by_file: BTreeMap<u32, Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        by_file.entry(f.loc.file).or_default().push(f);
    }
    let mut cases: Vec<Case<'_>> = Vec::new();
    for (i, file) in outcome.files.iter().enumerate() {
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        let findings = by_file.remove(&id).unwrap_or_default();
        // The config file and the files read only as context are not tests of their own.
        let not_checked = outcome.config_file == Some(id) || outcome.context.contains(&id);
        if (not_checked && findings.is_empty()) || skipped.contains(file.path.as_path()) {
            continue;
        }
        let (failing, other) = findings.into_iter().partition(|f| f.severity >= threshold);
        cases.push(Case {
            path: terminal::line(&display_path(&file.path)).into_owned(),
            failing,
            other,
            skipped: None,
        });
    }
    for s in &outcome.skipped {
        cases.push(Case {
            path: terminal::line(&display_path(&s.path)).into_owned(),
            failing: Vec::new(),
            other: Vec::new(),
            skipped: Some(&s.reason),
        });
    }
    cases.sort_by(|a, b| a.path.cmp(&b.path));

    let failures = cases.iter().filter(|c| !c.failing.is_empty()).count();
    let skipped_n = cases.iter().filter(|c| c.skipped.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"atlasgov-lint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped_n}\">\n",
        cases.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"atlasgov-lint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped_n}\">\n",
        cases.len()
    ));
    for Case {
        path,
        failing,
        other,
        skipped: reason,
    } in &cases
    {
        let name = escape(path);
        out.push_str(&format!(
            "    <testcase classname=\"atlasgov-lint\" name=\"{name}\" file=\"{name}\""
        ));
        if failing.is_empty() && other.is_empty() && reason.is_none() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        if let Some(reason) = reason {
            out.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                escape(&terminal::line(reason))
            ));
        }
        if let Some(first) = failing.first() {
            let first_message = terminal::line(&first.message);
            let message = if failing.len() == 1 {
                format!("{} {}: {first_message}", first.rule.code, first.rule.name)
            } else {
                format!(
                    "{} findings; first: {} {}: {first_message}",
                    failing.len(),
                    first.rule.code,
                    first.rule.name,
                )
            };
            let mut codes: Vec<&str> = failing.iter().map(|f| f.rule.code).collect();
            codes.dedup();
            let body: Vec<String> = failing.iter().map(|f| line(outcome, f)).collect();
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                escape(&message),
                escape(&codes.join(" ")),
                escape(&body.join("\n"))
            ));
        }
        if !other.is_empty() {
            let body: Vec<String> = other.iter().map(|f| line(outcome, f)).collect();
            out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape(&body.join("\n"))
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
