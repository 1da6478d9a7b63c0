//! `--format gitlab`: a GitLab Code Quality report (the Code Climate subset GitLab reads from
//! `artifacts:reports:codequality`): an array of issues, each with `description`,
//! `check_name`, `fingerprint` (unique per issue: GitLab drops repeats), `severity`
//! (`major` for errors, `minor` for warnings) and `location` (`path`, `lines.begin` and
//! `lines.end`; the Code Climate spec allows lines or positions, not both, and GitLab shows
//! lines). Columns and the JSON pointer are in `content.body`.

use serde_json::{Value, json};

use super::terminal::{self, line};
use super::{display_path, fingerprints};
use crate::outcome::Outcome;
use crate::rules::Severity;

/// The text GitLab shows: text from specs with its control characters shown escaped
/// ([`line`]), as on a terminal.
fn body(f: &crate::rules::Finding) -> String {
    let mut body = format!("{}\n\nhelp: {}", line(&f.message), line(&f.help));
    if !f.loc.pointer.is_empty() {
        body.push_str(&format!("\n\nJSON pointer: `{}`", line(&f.loc.pointer)));
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
                "description": format!("{} {}: {}", f.rule.code, f.rule.name, line(&f.message)),
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
    let mut out =
        terminal::json_controls(serde_json::to_string_pretty(&issues).unwrap_or_default());
    out.push('\n');
    out
}
