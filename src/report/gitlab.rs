//! `--format gitlab`: a GitLab Code Quality report (the Code Climate subset GitLab reads from
//! `artifacts:reports:codequality`): an array of issues, each with `description`,
//! `check_name`, `fingerprint` (unique per issue: GitLab drops repeats), `severity`
//! (`major` for errors, `minor` for warnings) and `location` (`path`, `lines.begin` and
//! `lines.end`; the Code Climate spec allows lines or positions, not both, and GitLab shows
//! lines). Columns and the JSON pointer are in `content.body`. A file that was not checked is
//! an `info` issue on its first line (`check_name` `skipped`), so that a merge request shows
//! what the gate did not read.

use serde_json::{Value, json};

use super::{display_path, fingerprints};
use crate::outcome::Outcome;
use crate::rules::Severity;

fn body(f: &crate::rules::Finding) -> String {
    let mut body = format!("{}\n\nhelp: {}", f.message, f.help);
    if !f.loc.pointer.is_empty() {
        body.push_str(&format!("\n\nJSON pointer: `{}`", f.loc.pointer));
    }
    body
}

/// Render the outcome as a Code Quality report.
pub fn render(outcome: &Outcome) -> String {
    let issues: Vec<Value> = outcome
        .findings
        .iter()
        .zip(fingerprints(outcome))
        .map(|(f, fp)| {
            json!({
                "type": "issue",
                "check_name": f.rule.code,
                "description": format!("{} {}: {}", f.rule.code, f.rule.name, f.message),
                "content": { "body": body(f) },
                "categories": ["Compatibility"],
                "fingerprint": fp,
                "severity": match f.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                },
                "location": {
                    "path": display_path(outcome.path(f.loc.file)),
                    "lines": { "begin": f.loc.start.line, "end": f.loc.end.line },
                },
            })
        })
        .collect();
    let skipped = outcome.skipped.iter().map(|s| {
        let path = display_path(&s.path);
        let fingerprint = crate::outcome::fingerprint::fnv128(&["skipped", &path, &s.reason]);
        json!({
            "type": "issue",
            "check_name": "skipped",
            "description": format!("not checked: {}", s.reason),
            "content": { "body": format!("atlasgov-lint did not check this file: {}", s.reason) },
            "categories": ["Compatibility"],
            "fingerprint": format!("{fingerprint:032x}"),
            "severity": "info",
            "location": { "path": path, "lines": { "begin": 1, "end": 1 } },
        })
    });
    let issues: Vec<Value> = issues.into_iter().chain(skipped).collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_default();
    out.push('\n');
    out
}
