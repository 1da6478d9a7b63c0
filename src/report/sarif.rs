//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other SARIF consumers read it.
//!
//! One run; the driver lists every rule (AtlasGov rules and the GOV1xx suppression
//! diagnostics) with its documentation as help text and a help URI. Each result has a physical
//! location with a region (lines and columns in Unicode code points, as `columnKind` says,
//! plus the byte offset and length), related locations for secondary labels, its JSON pointer
//! as a property, and `partialFingerprints` derived from code, file, pointer and offending value
//! ([`crate::fingerprint`]), so they do not change when lines move. With `--show-suppressed`,
//! suppressed findings are included with a SARIF `suppressions` entry (kind `inSource` for a
//! comment, `external` for a config exception) carrying the reason.

use serde_json::{Value, json};

use super::{HOME, all_rules, display_path, repository_path, rule_doc_url};
use crate::model::Loc;
use crate::outcome::Origin;
use crate::outcome::Outcome;
use crate::rules::{Finding, Severity};

/// The key under which fingerprints are published in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "atlasgovLint/v1";

/// Render the outcome as a SARIF 2.1.0 log.
pub fn render(outcome: &Outcome, show_suppressed: bool) -> String {
    render_text(outcome, show_suppressed).into_string()
}

/// [`render`], in the parts it is written in (see [`super::pretty::Text`]).
pub fn render_text(outcome: &Outcome, show_suppressed: bool) -> super::pretty::Text<'_> {
    let lines = super::EditLines::new(outcome);
    let rules: Vec<_> = all_rules().collect();
    let rule_objects: Vec<Value> = rules
        .iter()
        .map(|r| {
            let full = if r.seed.is_empty() {
                r.summary.to_string()
            } else {
                format!("{} Enforces: \"{}\"", r.summary, r.seed)
            };
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": full },
                "help": { "text": r.doc, "markdown": r.doc },
                "helpUri": rule_doc_url(r),
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": ["atlasgov"], "precision": "very-high" },
            })
        })
        .collect();

    // Active findings first, then (on request) the suppressed ones with their suppression.
    let mut entries: Vec<(&Finding, Option<&crate::outcome::Suppression>)> =
        outcome.findings.iter().map(|f| (f, None)).collect();
    if show_suppressed {
        for s in &outcome.filtered.suppressions {
            entries.extend(s.suppressed.iter().map(|f| (f, Some(s))));
        }
    }
    let fingerprints = crate::outcome::fingerprint::fingerprints(
        outcome,
        entries.iter().map(|(f, _)| *f),
        |file| repository_path(outcome.path(file)),
    );
    let entries: Vec<_> = entries.into_iter().zip(fingerprints).collect();
    // Owns what it reads but the outcome: the results are written when the report is.
    let result = move |((f, suppression), fp): &(
        (&Finding, Option<&crate::outcome::Suppression>),
        String,
    )| {
        let index = rules.iter().position(|r| r.code == f.rule.code);
        let mut result = json!({
            "ruleId": f.rule.code,
            "level": level(f.severity),
            "message": { "text": format!("{}\nhelp: {}", f.message, f.help) },
            "locations": [ { "physicalLocation": physical(outcome, &f.loc) } ],
            "partialFingerprints": { FINGERPRINT_KEY: fp },
            "properties": { "pointer": &*f.loc.pointer },
        });
        if let (Some(i), Some(obj)) = (index, result.as_object_mut()) {
            obj.insert("ruleIndex".into(), json!(i));
        }
        if !f.related.is_empty() {
            let related: Vec<Value> = f
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "id": i + 1,
                        "physicalLocation": physical(outcome, &l.loc),
                        "message": { "text": l.message },
                    })
                })
                .collect();
            if let Some(obj) = result.as_object_mut() {
                obj.insert("relatedLocations".into(), Value::Array(related));
            }
        }
        if let (None, Some(fixes), Some(obj)) = (
            suppression,
            fixes(outcome, &lines, f),
            result.as_object_mut(),
        ) {
            obj.insert("fixes".into(), fixes);
        }
        if let (Some(s), Some(obj)) = (suppression, result.as_object_mut()) {
            let kind = match s.origin {
                Origin::Inline => "inSource",
                Origin::Exception { .. } => "external",
            };
            obj.insert(
                "suppressions".into(),
                json!([{
                    "kind": kind,
                    "status": "accepted",
                    "justification": s.reason.as_deref().unwrap_or(""),
                    "location": { "physicalLocation": physical(outcome, &s.loc) },
                }]),
            );
        }
        result
    };

    let notifications: Vec<Value> = outcome
        .skipped
        .iter()
        .map(|s| {
            json!({
                "level": "note",
                "message": { "text": format!("skipped {}: {}", display_path(&s.path), s.reason) },
                "locations": [ { "physicalLocation": { "artifactLocation": { "uri": uri(&repository_path(&s.path)) } } } ],
            })
        })
        .collect();

    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "atlasgov-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": HOME,
                    "rules": rule_objects,
                }
            },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            // Written apart, on every thread, and put in their place below.
            "results": [],
        }]
    });
    let rest = super::pretty::text(&log);
    let mut out = match super::pretty::slot(&rest, "results", 3) {
        // Written when the report is, on every thread.
        Some(slot) => slot.with(super::pretty::list(entries, 3, move |entry, e| {
            e.put(&result(entry))
        })),
        None => {
            // Never without its results: written whole, on one thread.
            let mut log = log;
            if let Some(run) = log.pointer_mut("/runs/0").and_then(Value::as_object_mut) {
                run.insert(
                    "results".into(),
                    Value::Array(entries.iter().map(&result).collect()),
                );
            }
            super::pretty::text(&log).into()
        }
    };
    out.push_str("\n");
    out
}

/// A finding's fix as SARIF `fixes`: one fix, its edits grouped by file as artifact changes,
/// each a replacement of a region (lines and columns, byte offset and length) by new text.
/// SARIF has no applicability: the description says when the fix is unsafe.
fn fixes(outcome: &Outcome, lines: &super::EditLines<'_>, f: &Finding) -> Option<Value> {
    let (fix, edits) = crate::fix::of(outcome, f)?;
    let mut changes: Vec<(u32, Vec<Value>)> = Vec::new();
    for e in &edits {
        let (start, end) = lines.range(e);
        let replacement = json!({
            "deletedRegion": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
                "byteOffset": e.span.start,
                "byteLength": e.span.len(),
            },
            "insertedContent": { "text": e.new },
        });
        match changes.iter_mut().find(|(file, _)| *file == e.file) {
            Some((_, list)) => list.push(replacement),
            None => changes.push((e.file, vec![replacement])),
        }
    }
    let description = match (fix.applicability, &fix.reason) {
        (crate::rules::fix::Applicability::Safe, _) => fix.message.clone(),
        (_, Some(reason)) => format!("{} (unsafe: {reason})", fix.message),
        (_, None) => format!("{} (unsafe)", fix.message),
    };
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|(file, replacements)| {
            json!({
                "artifactLocation": { "uri": uri(&repository_path(outcome.path(file))) },
                "replacements": replacements,
            })
        })
        .collect();
    Some(json!([{
        "description": { "text": description },
        "artifactChanges": changes,
    }]))
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn physical(outcome: &Outcome, loc: &Loc) -> Value {
    let mut region = json!({
        "startLine": loc.start.line,
        "startColumn": loc.start.column,
        "endLine": loc.end.line,
        "endColumn": loc.end.column,
    });
    // Byte offsets are of the text as read: for a UTF-16 file (decoded) they are not the
    // file's, so only lines and columns say where (SARIF wants both to name one region).
    if !outcome.utf16.contains(&loc.file) {
        if let Some(r) = region.as_object_mut() {
            r.insert("byteOffset".into(), json!(loc.span.start));
            r.insert("byteLength".into(), json!(loc.span.len()));
        }
    }
    json!({
        "artifactLocation": { "uri": uri(&repository_path(outcome.path(loc.file))) },
        "region": region,
    })
}

/// A path as a URI reference: relative paths stay relative (percent-encoded), absolute ones
/// become `file://` URIs.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris() {
        assert_eq!(uri("infra/a b.json"), "infra/a%20b.json");
        assert_eq!(uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
        assert_eq!(uri("é.json"), "%C3%A9.json");
    }
}
