//! `--format gitlab`: a GitLab Code Quality report (the Code Climate subset GitLab reads from
//! `artifacts:reports:codequality`): an array of issues, each with `description`,
//! `check_name`, `fingerprint` (unique per issue: GitLab drops repeats), `severity`
//! (`major` for errors, `minor` for warnings) and `location` (`path`, `lines.begin` and
//! `lines.end`; the Code Climate spec allows lines or positions, not both, and GitLab shows
//! lines). Columns and the JSON pointer are in `content.body`. A finding whose value is written
//! in one place and used in another is placed where the value is written (the line a merge
//! request changes), its body naming the use. A file that was not checked is an `info` issue on
//! its first line (`check_name` `skipped`), so that a merge request shows what the gate did not
//! read.

use serde_json::{Value, json};

use super::terminal::line;
use super::{annotation_place, fingerprints, repository_path};
use crate::outcome::Outcome;
use crate::rules::Severity;

/// The text GitLab shows: text from specs with its control characters shown escaped
/// ([`line`]), as on a terminal; `note` names the other place of a value written elsewhere.
fn body(f: &crate::rules::Finding, note: Option<String>) -> String {
    let mut body = format!("{}\n\nhelp: {}", line(&f.message), line(&f.help));
    if let Some(note) = note {
        body.push_str(&format!("\n\n{}", line(&note)));
    }
    if !f.loc.pointer.is_empty() {
        body.push_str(&format!("\n\nJSON pointer: `{}`", line(&f.loc.pointer)));
    }
    body
}

/// Render the outcome as a Code Quality report.
pub fn render(outcome: &Outcome) -> String {
    render_text(outcome).into_string()
}

/// [`render`], in the parts it is written in (see [`super::pretty::Text`]).
pub fn render_text(outcome: &Outcome) -> super::pretty::Text<'_> {
    // Findings first, then the files not checked; each issue written on its own, on every
    // thread.
    let issues: Vec<Issue<'_>> = outcome
        .findings
        .iter()
        .zip(fingerprints(outcome))
        .map(|(f, fp)| Issue::Finding(f, fp))
        .chain(outcome.skipped.iter().map(Issue::Skipped))
        .collect();
    // Written when the report is, on every thread.
    let elements = super::pretty::list(issues, 0, move |issue, e| e.put(&issue.json(outcome)));
    let mut out = super::pretty::array(elements);
    out.push_str("\n");
    out
}

/// One issue of the report.
enum Issue<'a> {
    Finding(&'a crate::rules::Finding, String),
    Skipped(&'a crate::outcome::Skipped),
}

impl Issue<'_> {
    fn json(&self, outcome: &Outcome) -> Value {
        match self {
            Issue::Finding(f, fp) => {
                // On the line that wrote the value, what a merge request changes; the
                // fingerprint stays the finding's, wherever it is placed.
                let (loc, note) = annotation_place(outcome, f);
                json!({
                    "type": "issue",
                    "check_name": f.rule.code,
                    "description": format!("{} {}: {}", f.rule.code, f.rule.name, line(&f.message)),
                    "content": { "body": body(f, note) },
                    "categories": ["Compatibility"],
                    "fingerprint": fp,
                    "severity": match f.severity {
                        Severity::Error => "major",
                        Severity::Warning => "minor",
                    },
                    "location": {
                        "path": repository_path(outcome.path(loc.file)),
                        "lines": { "begin": loc.start.line, "end": loc.end.line },
                    },
                })
            }
            Issue::Skipped(s) => {
                let path = repository_path(&s.path);
                let fingerprint =
                    crate::outcome::fingerprint::fnv128(&["skipped", &path, &s.reason]);
                json!({
                    "type": "issue",
                    "check_name": "skipped",
                    "description": format!("not checked: {}", line(&s.reason)),
                    "content": { "body": format!("atlasgov-lint did not check this file: {}", line(&s.reason)) },
                    "categories": ["Compatibility"],
                    "fingerprint": format!("{fingerprint:032x}"),
                    "severity": "info",
                    "location": { "path": path, "lines": { "begin": 1, "end": 1 } },
                })
            }
        }
    }
}
