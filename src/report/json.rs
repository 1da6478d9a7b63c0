//! `--format json`: the stable, versioned machine-readable contract (see README).

use serde::Serialize;

use super::display_path;
use crate::app::Outcome;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    skipped: Vec<JsonSkipped>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    help: &'a str,
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    pointer: &'a str,
    /// Other places that explain the finding (the project, where a value was set).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    file: String,
    line: u32,
    column: u32,
    pointer: &'a str,
}

#[derive(Serialize)]
struct JsonSkipped {
    file: String,
    reason: String,
}

#[derive(Serialize)]
struct Summary {
    files_checked: usize,
    files_skipped: usize,
    errors: usize,
    warnings: usize,
}

/// Render the outcome as pretty JSON.
pub fn render(outcome: &Outcome) -> String {
    let report = Report {
        version: 1,
        findings: outcome
            .findings
            .iter()
            .map(|f| JsonFinding {
                code: f.rule.code,
                name: f.rule.name,
                severity: f.severity.as_str(),
                message: &f.message,
                help: &f.help,
                file: display_path(outcome.path(f.loc.file)),
                line: f.loc.start.line,
                column: f.loc.start.column,
                end_line: f.loc.end.line,
                end_column: f.loc.end.column,
                pointer: &f.loc.pointer,
                related: f
                    .related
                    .iter()
                    .map(|l| JsonRelated {
                        message: &l.message,
                        file: display_path(outcome.path(l.loc.file)),
                        line: l.loc.start.line,
                        column: l.loc.start.column,
                        pointer: &l.loc.pointer,
                    })
                    .collect(),
            })
            .collect(),
        skipped: outcome
            .skipped
            .iter()
            .map(|s| JsonSkipped {
                file: display_path(&s.path),
                reason: s.reason.clone(),
            })
            .collect(),
        summary: Summary {
            files_checked: outcome.files_checked,
            files_skipped: outcome.skipped.len(),
            errors: outcome.errors(),
            warnings: outcome.warnings(),
        },
    };
    let mut out =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}
