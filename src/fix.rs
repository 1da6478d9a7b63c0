//! Fixes made concrete: a finding's [`rules::fix::Fix`] resolved against the text of the file
//! it edits into byte edits ([`TextEdit`]), and edits applied to a text. No I/O: the command
//! line reads and writes the files, the language server sends the edits to its client.
//!
//! An edit is made only where the text still says what the rule read: the bytes at the
//! value's span are the value itself, or the value between one pair of quotes (`"M10"`,
//! `'M10'`, `M10`), so the quoting style stays and every other byte is kept. An expression,
//! a template action, an escaped or percent-encoded value, a file that changed: no edit.

use std::collections::BTreeMap;

use crate::document::Span;
use crate::outcome::Outcome;
use crate::rules::Finding;
use crate::rules::fix::{Applicability, Edit, Fix};

/// Replace the bytes `span` of file `file` by `new`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextEdit {
    pub file: u32,
    pub span: Span,
    pub new: String,
}

/// The byte edit of `edit` in `text` (the text of the file it names), or `None` when the text
/// there is not the value the rule read.
pub fn resolve_edit(edit: &Edit, text: &str) -> Option<TextEdit> {
    let (start, end) = (edit.loc.span.start as usize, edit.loc.span.end as usize);
    let written = text.get(start..end)?;
    let value: &str = &edit.value;
    // A value the adapter read case-insensitively (`--tier m10`, which the CLI takes as
    // `M10`) is the same value in any ASCII case: the bytes line up.
    let same = |w: &str| w.eq_ignore_ascii_case(value);
    let inner = if same(written) {
        start
    } else {
        let quoted = [("\"", "\""), ("'", "'")].iter().any(|(open, close)| {
            written.len() >= 2
                && written.starts_with(open)
                && written.ends_with(close)
                && written.get(1..written.len() - 1).is_some_and(same)
        });
        if !quoted {
            return None;
        }
        start + 1
    };
    // The replaced bytes and the new ones must be plain text: no line break, no quote, no
    // escape that would change how the rest of the value reads.
    let old = value.get(edit.range.clone())?;
    let plain = |s: &str| !s.contains(['\n', '\r', '"', '\'', '\\', '$', '{', '}', '%']);
    // An insertion (nothing there yet) may start new lines and quote a JSON key; it never
    // writes escapes or template syntax.
    let new_ok = if value.is_empty() {
        !edit.new.contains(['\\', '$', '{', '}'])
    } else {
        plain(&edit.new)
    };
    if !plain(old) || !new_ok || in_expansion(text, inner + edit.range.start) {
        return None;
    }
    Some(TextEdit {
        file: edit.loc.file,
        span: Span::new(inner + edit.range.start, inner + edit.range.end),
        new: edit.new.clone(),
    })
}

/// How far back on its line [`in_expansion`] looks.
const EXPANSION_WINDOW: usize = 4096;

/// Whether text offset `at` is inside a template action (`{{ ... }}`) or a shell parameter
/// expansion (`${VAR:-default}`) opened earlier on its line: what is there is a default or an
/// expression evaluated later, never edited.
///
/// Only the last [`EXPANSION_WINDOW`] bytes of the line are looked at (an action or expansion
/// is not expected to be that long; the edit must still find exactly the value, with no `$`,
/// `{` or `}`), so that a file with thousands of fixes on one long line (minified JSON) is not
/// scanned once per edit.
fn in_expansion(text: &str, at: usize) -> bool {
    if text.get(..at).is_none() {
        return true;
    }
    let mut from = at.saturating_sub(EXPANSION_WINDOW);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let before = text.get(from..at).unwrap_or("");
    let line = memchr::memrchr(b'\n', before.as_bytes())
        .map_or(before, |i| before.get(i + 1..).unwrap_or(""));
    let open_action = line.matches("{{").count() > line.matches("}}").count();
    let open_expansion = line
        .rfind("${")
        .is_some_and(|i| !line.get(i..).unwrap_or("").contains('}'));
    open_action || open_expansion
}

/// The byte edits of a fix, when every one of them can be made (`text` gives the text of a
/// file that may be edited; `None` for a file that may not: context, changed, not read).
pub fn resolve<'t>(fix: &Fix, text: impl Fn(u32) -> Option<&'t str>) -> Option<Vec<TextEdit>> {
    let mut out = Vec::new();
    for edit in &fix.edits {
        let t = text(edit.loc.file)?;
        out.push(resolve_edit(edit, t)?);
    }
    out.sort();
    out.dedup();
    Some(out)
}

/// The text of a file of `outcome` that a fix may edit: a checked file (not one read for
/// context only) whose text the run holds unchanged.
pub fn editable(outcome: &Outcome, file: u32) -> Option<&str> {
    if outcome.context.contains(&file) || outcome.utf16.contains(&file) {
        return None;
    }
    outcome.text(file)
}

/// A finding's fix and its byte edits, when it has one that can be made now.
pub fn of<'f>(outcome: &Outcome, f: &'f Finding) -> Option<(&'f Fix, Vec<TextEdit>)> {
    let fix = f.fix.as_ref()?;
    let edits = resolve(fix, |file| editable(outcome, file))?;
    Some((fix, edits))
}

/// How many of the remaining findings each flag would fix: (`--fix`, `--unsafe-fixes` more).
pub fn fixable(outcome: &Outcome) -> (usize, usize) {
    let mut counts = (0, 0);
    for f in &outcome.findings {
        match of(outcome, f).map(|(fix, _)| fix.applicability) {
            Some(Applicability::Safe) => counts.0 += 1,
            Some(Applicability::Unsafe) => counts.1 += 1,
            None => {}
        }
    }
    counts
}

/// The edits of one pass: per file, sorted and without overlaps.
#[derive(Debug, Default)]
pub struct Plan {
    pub edits: BTreeMap<u32, Vec<TextEdit>>,
    /// Findings whose fix is in this pass (their index in the outcome's findings), with the
    /// files their edits are in.
    pub fixed: Vec<(usize, Vec<u32>)>,
    /// Findings whose fix overlaps one already in this pass: for a later pass.
    pub deferred: usize,
}

/// The fixes of `outcome`'s remaining findings (suppressed and baselined ones are gone from
/// it) up to `max` applicability. A fix whose edits overlap another's (other than the very
/// same edit: a value used twice) waits for the next pass.
pub fn plan(outcome: &Outcome, max: Applicability) -> Plan {
    plan_except(outcome, max, &|_| false)
}

/// [`plan`], leaving out the findings `skip` names (fixes already made once that did not
/// remove their finding).
pub fn plan_except(
    outcome: &Outcome,
    max: Applicability,
    skip: &dyn Fn(&crate::rules::Finding) -> bool,
) -> Plan {
    let mut plan = Plan::default();
    for (i, f) in outcome.findings.iter().enumerate() {
        if skip(f) {
            continue;
        }
        let Some((fix, edits)) = of(outcome, f) else {
            continue;
        };
        if fix.applicability > max {
            continue;
        }
        let clashes = edits.iter().any(|e| {
            plan.edits
                .get(&e.file)
                .is_some_and(|taken| taken.iter().any(|t| t != e && overlaps(t.span, e.span)))
        });
        if clashes {
            plan.deferred += 1;
            continue;
        }
        let mut files: Vec<u32> = edits.iter().map(|e| e.file).collect();
        files.dedup();
        for e in edits {
            let taken = plan.edits.entry(e.file).or_default();
            if !taken.contains(&e) {
                taken.push(e);
            }
        }
        plan.fixed.push((i, files));
    }
    for edits in plan.edits.values_mut() {
        edits.sort();
    }
    plan
}

fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end || a.start == b.start
}

/// `text` with `edits` made (sorted, not overlapping; an edit out of bounds or overlapping the
/// one before is skipped).
pub fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0usize;
    for e in edits {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        let (Some(keep), Some(_)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        out.push_str(keep);
        out.push_str(&e.new);
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use arcstr::ArcStr;

    use super::*;
    use crate::document::LineCol;
    use crate::model::Loc;

    fn edit(
        text: &str,
        written: &str,
        value: &str,
        range: std::ops::Range<usize>,
        new: &str,
    ) -> Edit {
        let start = text.find(written).unwrap();
        Edit {
            loc: Loc {
                file: 0,
                span: Span::new(start, start + written.len()),
                start: LineCol { line: 1, column: 1 },
                end: LineCol { line: 1, column: 1 },
                pointer: ArcStr::new(),
                via: None,
            },
            value: ArcStr::from(value),
            range,
            new: new.to_string(),
        }
    }

    fn fixed(text: &str, e: &Edit) -> Option<String> {
        let te = resolve_edit(e, text)?;
        Some(apply(text, &[te]))
    }

    #[test]
    fn quoting_style_is_kept() {
        for (text, written) in [
            ("size: \"M10\"\r\n", "\"M10\""),
            ("size: 'M10'\r\n", "'M10'"),
            ("size: M10\r\n", "M10"),
            ("\u{feff}{\"size\": \"M10\"}", "\"M10\""),
        ] {
            let e = edit(text, written, "M10", 0..3, "M20");
            assert_eq!(
                fixed(text, &e).unwrap(),
                text.replace("M10", "M20"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_value_not_written_literally_is_not_edited() {
        for (text, written) in [
            ("size: ${var.size}", "${var.size}"),
            ("size: \"M1\\u0030\"", "\"M1\\u0030\""),
            ("size: {{ .Values.size }}", "{{ .Values.size }}"),
            ("size: M30", "M30"),
        ] {
            let e = edit(text, written, "M10", 0..3, "M20");
            assert_eq!(fixed(text, &e), None, "{text}");
        }
        // Part of a value: only those bytes change.
        let text = "uri: mongodb+srv://u:p@x.mongodb.net/?authMechanism=SCRAM-SHA-1&w=1";
        let e = edit(text, "SCRAM-SHA-1", "SCRAM-SHA-1", 0..11, "SCRAM-SHA-256");
        assert_eq!(
            fixed(text, &e).unwrap(),
            text.replace("SCRAM-SHA-1", "SCRAM-SHA-256")
        );
        // Out of the text: nothing.
        let mut e = edit(text, "uri", "uri", 0..3, "x");
        e.loc.span = Span::new(1000, 1003);
        assert_eq!(fixed(text, &e), None);
    }

    #[test]
    fn apply_keeps_every_other_byte_and_skips_overlaps() {
        let text = "abcdef";
        let edits = [
            TextEdit {
                file: 0,
                span: Span::new(1, 3),
                new: "XY".into(),
            },
            TextEdit {
                file: 0,
                span: Span::new(2, 4),
                new: "Z".into(),
            },
            TextEdit {
                file: 0,
                span: Span::new(5, 6),
                new: "Q".into(),
            },
        ];
        assert_eq!(apply(text, &edits), "aXYdeQ");
    }
}
