//! `--format json`: the stable, versioned machine-readable contract (see README).

use serde::Serialize;

use crate::outcome::Outcome;
use crate::paths::display_path;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    skipped: Vec<JsonSkipped>,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<Vec<JsonSuppression<'a>>>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'static str,
    file: String,
    line: u32,
    column: u32,
    rules: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    reason: Option<&'a str>,
    until: Option<String>,
    status: &'static str,
    suppressed: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    help: &'a str,
    file: std::borrow::Cow<'a, str>,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    pointer: &'a str,
    /// Other places that explain the finding (the project, where a value was set).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    /// What would fix it, when one change does and it can be made in the file as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    /// `safe` (`--fix`) or `unsafe` (`--unsafe-fixes`).
    applicability: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    edits: Vec<JsonEdit>,
}

/// Replace the bytes `start..end` of `file` (line/column: 1-based, columns in characters, the
/// end exclusive) by `new_text`.
#[derive(Serialize)]
struct JsonEdit {
    file: String,
    start: u32,
    end: u32,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    new_text: String,
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
    #[serde(skip_serializing_if = "is_zero")]
    suppressed: usize,
    #[serde(skip_serializing_if = "is_zero")]
    baselined: usize,
    #[serde(skip_serializing_if = "is_zero")]
    baseline_gone: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl JsonFinding<'_> {
    /// Write the finding as its `Serialize` does; most have neither related places nor a
    /// fix, and are written field by field.
    fn write(&self, e: &mut super::pretty::Element<'_>) {
        if !self.related.is_empty() || self.fix.is_some() {
            e.put(self);
            return;
        }
        let mut o = e.fields();
        o.str("code", self.code)
            .str("name", self.name)
            .str("severity", self.severity)
            .str("message", self.message)
            .str("help", self.help)
            .str("file", &self.file)
            .num("line", self.line)
            .num("column", self.column)
            .num("end_line", self.end_line)
            .num("end_column", self.end_column)
            .str("pointer", self.pointer);
        o.end();
    }
}

/// From how many findings [`Shown`] keeps each file's path.
const SHOWN_MIN: usize = 256;

/// Each file's path as shown, made the first time a finding in it is written (a report can
/// hold tens of thousands of findings in a few thousand files).
struct Shown<'o> {
    outcome: &'o Outcome,
    paths: Vec<std::sync::OnceLock<String>>,
}

impl<'o> Shown<'o> {
    fn new(outcome: &'o Outcome) -> Self {
        // A slot per file of the run only when findings are many (100,000 files and a few
        // findings need no table).
        let slots = if outcome.findings.len() >= SHOWN_MIN {
            outcome.files.len()
        } else {
            0
        };
        Shown {
            outcome,
            paths: (0..slots).map(|_| std::sync::OnceLock::new()).collect(),
        }
    }

    fn path(&self, file: u32) -> std::borrow::Cow<'_, str> {
        match self.paths.get(file as usize) {
            Some(p) => p
                .get_or_init(|| display_path(self.outcome.path(file)))
                .as_str()
                .into(),
            // Few findings (or a file the run did not list): made for its use.
            None => display_path(self.outcome.path(file)).into(),
        }
    }
}

fn finding<'a>(
    outcome: &Outcome,
    shown: &'a Shown<'_>,
    lines: &super::EditLines<'_>,
    f: &'a crate::rules::Finding,
) -> JsonFinding<'a> {
    JsonFinding {
        code: f.rule.code,
        name: f.rule.name,
        severity: f.severity.as_str(),
        message: &f.message,
        help: &f.help,
        file: shown.path(f.loc.file),
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
        fix: fix(outcome, lines, f),
    }
}

fn fix<'a>(
    outcome: &Outcome,
    lines: &super::EditLines<'_>,
    f: &'a crate::rules::Finding,
) -> Option<JsonFix<'a>> {
    let (fix, edits) = crate::fix::of(outcome, f)?;
    Some(JsonFix {
        applicability: fix.applicability.as_str(),
        message: &fix.message,
        reason: fix.reason.as_deref(),
        edits: edits
            .iter()
            .map(|e| {
                let (start, end) = lines.range(e);
                JsonEdit {
                    file: display_path(outcome.path(e.file)),
                    start: e.span.start,
                    end: e.span.end,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    new_text: e.new.clone(),
                }
            })
            .collect(),
    })
}

/// Render the outcome as pretty JSON.
pub fn render(outcome: &Outcome) -> String {
    render_with(outcome, false)
}

/// Render the outcome as pretty JSON; with `show_suppressed`, add the `suppressions` list.
pub fn render_with(outcome: &Outcome, show_suppressed: bool) -> String {
    render_text(outcome, show_suppressed).into_string()
}

/// [`render_with`], in the parts it is written in (see [`super::pretty::Text`]).
pub fn render_text(outcome: &Outcome, show_suppressed: bool) -> super::pretty::Text<'_> {
    use crate::outcome::Origin;
    let lines = super::EditLines::new(outcome);
    let shown = Shown::new(outcome);
    let suppressions = show_suppressed.then(|| {
        outcome
            .filtered
            .suppressions
            .iter()
            .map(|s| {
                let (kind, pattern, pointer) = match &s.origin {
                    Origin::Inline => ("inline", None, None),
                    Origin::Exception { file, pointer } => {
                        ("exception", Some(file.as_str()), Some(pointer.as_str()))
                    }
                };
                JsonSuppression {
                    kind,
                    file: display_path(outcome.path(s.loc.file)),
                    line: s.loc.start.line,
                    column: s.loc.start.column,
                    rules: s.rules.iter().map(|r| r.code).collect(),
                    pattern,
                    pointer,
                    reason: s.reason.as_deref(),
                    until: s.until.map(|d| d.to_string()),
                    status: s.status.as_str(),
                    // Suppressed findings are not fixed: no fix shown.
                    suppressed: s
                        .suppressed
                        .iter()
                        .map(|f| JsonFinding {
                            fix: None,
                            ..finding(outcome, &shown, &lines, f)
                        })
                        .collect(),
                }
            })
            .collect()
    });
    let mut report = Report {
        version: 1,
        // Written apart, on every thread, and put in their place below.
        findings: Vec::new(),
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
            suppressed: outcome.filtered.suppressed(),
            baselined: outcome.filtered.baselined,
            baseline_gone: outcome.filtered.baseline_gone,
        },
        suppressions,
    };
    let rest = super::pretty::text(&report);
    let mut out = match super::pretty::slot(&rest, "findings", 1) {
        // Written when the report is, on every thread.
        Some(slot) => slot.with(super::pretty::list(&outcome.findings, 1, move |f, e| {
            finding(outcome, &shown, &lines, f).write(e)
        })),
        None => {
            // Never without its findings: written whole, on one thread.
            report.findings = outcome
                .findings
                .iter()
                .map(|f| finding(outcome, &shown, &lines, f))
                .collect();
            super::pretty::text(&report).into()
        }
    };
    out.push_str("\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_written_field_by_field_is_the_one_serde_writes() {
        for message in ["plain", "a \"quoted\" \u{202e} message\n"] {
            let f = JsonFinding {
                code: "ORG001",
                name: "owner-tag",
                severity: "warning",
                message,
                help: "Add a tag `owner`.",
                file: "dir/a b.yaml".into(),
                line: 1,
                column: 22,
                end_line: 300,
                end_column: 4_000_000,
                pointer: "/spec/tags/0",
                related: Vec::new(),
                fix: None,
            };
            use super::super::pretty::{array, list};
            let by_serde = array(list([0], 1, |_, e| e.put(&f))).into_string();
            let by_fields = array(list([0], 1, |_, e| f.write(e))).into_string();
            assert_eq!(by_fields, by_serde);
        }
    }
}
