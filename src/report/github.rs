//! `--format github`: GitHub Actions workflow commands, one per finding, which the runner
//! turns into annotations on the pull request's diff:
//!
//! ```text
//! ::error file=infra/a.json,line=12,col=25,endLine=12,endColumn=36,title=GOV004 partition-mismatch::message%0Ahelp: ...
//! ```
//!
//! A finding whose value is written in one place and used in another (a tfvars value, a
//! variable default, a module call's argument) is annotated where the value is written, the
//! line a pull request changes, and its message names the use (`used at PATH:LINE:COL`).
//!
//! A file that was not checked is a notice on that file (`::notice file=...,title=not
//! checked::reason`), so that a pull request shows what the gate did not read.
//!
//! Escaping is the one the Actions toolkit applies (`@actions/core` `command.ts`): in the
//! message `%`, `\r` and `\n` become `%25`, `%0D`, `%0A`; in property values `:` and `,`
//! also become `%3A` and `%2C`. Before that, text from specs (paths, messages) has its control
//! characters shown escaped ([`super::terminal::line`]): the runner prints each command to the
//! job's log, a terminal.

use super::terminal::line;
use super::{annotation_place, repository_path};
use crate::outcome::Outcome;
use crate::rules::Severity;

/// Escape a command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a command property's value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command per finding, then one notice per file not checked.
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // On the line that wrote the value: what a reviewer sees changed in the diff.
        let (loc, note) = annotation_place(outcome, f);
        let mut message = format!("{}\nhelp: {}", line(&f.message), line(&f.help));
        if let Some(note) = note {
            message.push_str(&format!("\n{}", line(&note)));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            // The runner's escapes first (a newline in a name is `%0A`), then other controls.
            line(&escape_property(&repository_path(outcome.path(loc.file)))),
            loc.start.line,
            loc.start.column,
            loc.end.line,
            loc.end.column,
            escape_property(&format!("{} {}", f.rule.code, f.rule.name)),
            escape_data(&message),
        ));
    }
    for s in &outcome.skipped {
        out.push_str(&format!(
            "::notice file={},title=not checked::{}\n",
            line(&escape_property(&repository_path(&s.path))),
            escape_data(&format!("skipped: {}", line(&s.reason))),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
