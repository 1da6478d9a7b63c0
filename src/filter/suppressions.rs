//! Stage 2: suppressions. Inline `atlasgov-lint: allow` comments ([`crate::suppress`]) and the
//! config's `exceptions` hide the findings they cover; problems with them (no reason, expired,
//! unreadable, forbidden, unused) become GOV1xx findings ([`crate::rules::suppression`]).

use std::collections::HashMap;

use super::Settings;
use super::levels::Levels;
use crate::config::{Config, Pos};
use crate::date::Date;
use crate::model::{FileId, Loc};
use crate::outcome::{Origin, Outcome, Status, Suppression};
use crate::rules::suppression::{self, FORBIDDEN_SUPPRESSION, INVALID_SUPPRESSION};
use crate::rules::{self, Finding, Rule, RuleMeta};

/// Hide the findings that suppressions cover; returns what is left (with the suppression
/// diagnostics added) and every suppression with what it hid.
pub(super) fn apply(
    outcome: &Outcome,
    findings: Vec<Finding>,
    settings: &Settings<'_>,
    levels: &Levels<'_>,
    checked: &[FileId],
) -> (Vec<Finding>, Vec<Suppression>) {
    let mut meta_findings = Vec::new();
    let mut candidates = Vec::new();
    for d in &outcome.directives {
        candidates.push(inline_candidate(d, settings, &mut meta_findings));
    }
    if let (Some(config), Some(config_file)) = (settings.config, outcome.config_file) {
        for e in &config.exceptions {
            candidates.push(exception_candidate(
                e,
                config,
                config_file,
                settings.today,
                &mut meta_findings,
            ));
        }
    }
    let mut by_line: HashMap<(FileId, u32), Vec<usize>> = HashMap::new();
    let mut exceptions = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        match c.target {
            Target::Line { file, line, end } => {
                for l in line..=end.max(line) {
                    by_line.entry((file, l)).or_default().push(i);
                }
            }
            Target::Exception { .. } => exceptions.push(i),
        }
    }
    // In place: a large report's findings are not moved to a new list; with no suppression
    // at all, not even looked at.
    let mut kept = findings;
    let mut hits = Vec::new();
    let suppressed: Vec<Finding> = if candidates.is_empty() {
        Vec::new()
    } else {
        kept.extract_if(.., |f| {
            match hit(f, &candidates, &by_line, &exceptions, levels) {
                Some(h) => {
                    hits.push(h);
                    true
                }
                None => false,
            }
        })
        .collect()
    };
    for (f, (ci, i)) in suppressed.into_iter().zip(hits) {
        if let Some(c) = candidates.get_mut(ci) {
            if let Some(a) = c.applicable.get_mut(i) {
                a.1 = true;
            }
            c.record.suppressed.push(f);
        }
    }
    for c in &candidates {
        for (rule, used, at) in &c.applicable {
            if *used {
                continue;
            }
            let in_scope = match &c.target {
                Target::Line { file, .. } => {
                    !outcome.parse_failed.contains(file) && levels.level(*file, rule).is_some()
                }
                Target::Exception { globs, .. } => checked.iter().any(|&file| {
                    levels
                        .rel
                        .get(file as usize)
                        .and_then(|r| r.as_deref())
                        .is_some_and(|rel| globs.matches(rel))
                        && !outcome.parse_failed.contains(&file)
                        && levels.level(file, rule).is_some()
                }),
            };
            if !in_scope {
                continue;
            }
            let message = match (&c.target, &c.record.origin) {
                (Target::Line { line, end, .. }, _) if end > line => format!(
                    "this suppression of {} suppresses nothing: there is no {} finding on lines {line}-{end} (the command it is above)",
                    rule.code, rule.code
                ),
                (Target::Line { line, .. }, _) => format!(
                    "this suppression of {} suppresses nothing: there is no {} finding on line {line}",
                    rule.code, rule.code
                ),
                (_, Origin::Exception { file, pointer }) => format!(
                    "this exception for {} suppresses nothing: no {} finding at `{pointer}` in a file matching `{file}`",
                    rule.code, rule.code
                ),
                _ => String::new(),
            };
            meta_findings.push(Finding::new(
                &suppression::UNUSED_SUPPRESSION,
                at,
                message,
                "delete it (it no longer excuses anything), or move it to the line of the finding it is meant for",
            ));
        }
    }
    for mut m in meta_findings {
        if let Some(severity) = levels.level(m.loc.file, m.rule) {
            m.severity = severity;
            kept.push(m);
        }
    }
    // Context files (read only for project linking) lend their suppressions to the findings
    // they explain (a value set there), but nothing about them is reported.
    let in_context = |loc: &Loc| outcome.context.contains(&loc.file);
    let suppressions = candidates
        .into_iter()
        .map(|c| c.record)
        .filter(|r| !in_context(&r.loc) || !r.suppressed.is_empty())
        .collect();
    let mut findings = kept;
    findings.retain(|f| !in_context(&f.loc));
    rules::sort_and_dedup(&mut findings);
    (findings, suppressions)
}

/// The suppression that covers `f`, if one does: the candidate's index and the index of the
/// rule it names. Candidates that could apply: comments on the finding's line, the line its
/// value was written on, the line that uses it (whichever is reported), and the settings it
/// depends on in other files ([`Finding::depends_on`]: the setting of a condition the value
/// exists by, `enable_analytics = true` in a tfvars file; the project's region usage set by an
/// overlay's patch: where a check of that file alone reports it), then every exception, in
/// order.
fn hit(
    f: &Finding,
    candidates: &[Candidate],
    by_line: &HashMap<(FileId, u32), Vec<usize>>,
    exceptions: &[usize],
    levels: &Levels<'_>,
) -> Option<(usize, usize)> {
    if suppression::unsuppressible_reason(f.rule).is_some() {
        return None;
    }
    let places: Vec<&Loc> = std::iter::once(&f.loc)
        .chain(f.loc.via.as_deref())
        .chain(f.used_at.as_deref())
        .chain(
            f.related
                .iter()
                .filter(|l| l.message == rules::VALUE_SET_HERE)
                .map(|l| &l.loc),
        )
        .collect();
    // A comment also covers the finding from a setting it depends on in another file (the
    // project's region usage that a kustomize patch, a tfvars value or a Helm override
    // writes): where the finding is reported when only that file is checked, so the comment
    // covers it in every check. A config exception, which names paths, stays with the
    // finding's own places.
    let mut order: Vec<usize> = Vec::new();
    for loc in places.iter().copied().chain(&f.depends_on) {
        if let Some(ids) = by_line.get(&(loc.file, loc.start.line)) {
            order.extend(ids);
        }
    }
    order.sort_unstable();
    order.dedup();
    order.extend(exceptions);
    order.into_iter().find_map(|ci| {
        let c = candidates.get(ci)?;
        let i = c
            .applicable
            .iter()
            .position(|(r, _, _)| r.code == f.rule.code)?;
        let matches = match &c.target {
            Target::Line { .. } => true,
            Target::Exception { globs, pointer } => places.iter().any(|loc| {
                levels
                    .rel
                    .get(loc.file as usize)
                    .and_then(|r| r.as_deref())
                    .is_some_and(|rel| globs.matches(rel))
                    && pointer_covers(pointer, &loc.pointer)
            }),
        };
        matches.then_some((ci, i))
    })
}

/// Whether the exception pointer `base` covers `pointer` (equal, or an ancestor of it).
fn pointer_covers(base: &str, pointer: &str) -> bool {
    base.is_empty()
        || pointer == base
        || pointer
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

enum Target {
    Line {
        file: FileId,
        line: u32,
        /// The last line covered (a continued command).
        end: u32,
    },
    Exception {
        globs: crate::config::Globs,
        pointer: String,
    },
}

struct Candidate {
    target: Target,
    /// Rules it may suppress, whether each was used, and where it names them.
    applicable: Vec<(&'static RuleMeta, bool, Loc)>,
    record: Suppression,
}

fn meta_finding(
    rule: &'static Rule,
    loc: &Loc,
    message: String,
    help: impl Into<std::borrow::Cow<'static, str>>,
) -> Finding {
    Finding::new(rule, loc, message, help)
}

fn forbidden(rule: &RuleMeta, config: Option<&Config>) -> Option<String> {
    if let Some(why) = suppression::unsuppressible_reason(rule) {
        return Some(why.to_string());
    }
    config
        .filter(|c| c.unsuppressible.iter().any(|r| r.code == rule.code))
        .map(|c| {
            format!(
                "the configuration ({}) lists it under `unsuppressible`; fix the finding",
                crate::paths::display_path(&c.path)
            )
        })
}

fn inline_candidate(
    d: &crate::suppress::Directive,
    settings: &Settings<'_>,
    out: &mut Vec<Finding>,
) -> Candidate {
    let mut status = Status::Active;
    let until = d.until.as_ref().and_then(|(date, _)| *date);
    if let Some(e) = &d.syntax_error {
        status = Status::Invalid;
        out.push(meta_finding(
            &INVALID_SUPPRESSION,
            &d.loc,
            format!("this suppression cannot be read: {e}"),
            "write `atlasgov-lint: allow CODE[, CODE] [until YYYY-MM-DD] -- reason`",
        ));
    }
    let mut rules_named = Vec::new();
    let mut applicable = Vec::new();
    for named in &d.rules {
        let Some(rule) = named.rule else {
            out.push(meta_finding(
                &INVALID_SUPPRESSION,
                &named.loc,
                format!("`{}` is not a rule code or name", named.token),
                rules::suggest::unknown_rule_help(&named.token),
            ));
            continue;
        };
        rules_named.push(rule);
        if let Some(why) = forbidden(rule, settings.config) {
            out.push(meta_finding(
                &FORBIDDEN_SUPPRESSION,
                &named.loc,
                format!("{} cannot be suppressed: {why}", rule.code),
                "remove it from this comment and fix the finding",
            ));
            continue;
        }
        applicable.push((rule, false, named.loc.clone()));
    }
    // Every rule it names unknown (each reported above): it suppresses nothing, ever.
    if status == Status::Active && !d.rules.is_empty() && rules_named.is_empty() {
        status = Status::Invalid;
    }
    // Every rule it names known but not to be suppressed (each reported above).
    if status == Status::Active && !rules_named.is_empty() && applicable.is_empty() {
        status = Status::Forbidden;
    }
    if status == Status::Active && d.reason.is_none() {
        status = Status::NoReason;
        out.push(meta_finding(
            &suppression::SUPPRESSION_WITHOUT_REASON,
            &d.loc,
            "this suppression gives no reason, so it is not applied".to_string(),
            with_reason(d),
        ));
    } else if status == Status::Active
        && d.reason
            .as_deref()
            .is_some_and(crate::suppress::is_placeholder)
    {
        status = Status::NoReason;
        out.push(meta_finding(
            &suppression::SUPPRESSION_WITHOUT_REASON,
            &d.loc,
            "this suppression's reason is still the placeholder the editor wrote, so it is not applied"
                .to_string(),
            "replace `REASON: why this is accepted` with what an auditor needs to know (who approved it, the ticket)",
        ));
    }
    if let (Status::Active, Some((Some(date), at))) = (status, &d.until) {
        if *date < settings.today {
            status = Status::Expired;
            out.push(meta_finding(
                &suppression::EXPIRED_SUPPRESSION,
                at,
                format!("this suppression expired on {date}, so it is no longer applied"),
                "fix the finding and delete the comment, or extend the date if the exception was renewed",
            ));
        }
    }
    if status != Status::Active {
        applicable.clear();
    }
    Candidate {
        target: Target::Line {
            file: d.loc.file,
            line: d.target_line,
            end: d.target_end,
        },
        applicable,
        record: Suppression {
            origin: Origin::Inline,
            loc: d.loc.clone(),
            rules: rules_named,
            reason: d.reason.clone(),
            until,
            status,
            suppressed: Vec::new(),
        },
    }
}

/// The help for a suppression comment without a reason: the comment as written, completed.
/// It is quoted only when it holds nothing but known rules and a date (so nothing else a
/// comment might hold, such as a credential, is repeated).
fn with_reason(d: &crate::suppress::Directive) -> String {
    let written = d.comment.trim_end();
    let written = written.strip_suffix("--").unwrap_or(written).trim_end();
    let plain = d.rules.iter().all(|r| r.rule.is_some())
        && d.syntax_error.is_none()
        && written.chars().all(|c| !c.is_control());
    if plain && !written.is_empty() && written.chars().count() <= MAX_QUOTED_COMMENT {
        format!("add the reason after ` -- `: `{written} -- <who approved it, the ticket>`")
    } else {
        "write the reason after ` -- `: `# atlasgov-lint: allow GOV004 -- approved in SEC-142`"
            .to_string()
    }
}

/// Longer comments are not quoted back in full: the help names the syntax instead.
const MAX_QUOTED_COMMENT: usize = 160;

fn config_loc(file: FileId, pos: &Pos) -> Loc {
    Loc {
        file,
        span: pos.span,
        start: pos.start,
        end: pos.end,
        pointer: pos.pointer.as_str().into(),
        via: None,
    }
}

fn exception_candidate(
    e: &crate::config::Exception,
    config: &Config,
    file: FileId,
    today: Date,
    out: &mut Vec<Finding>,
) -> Candidate {
    let loc = config_loc(file, &e.pos);
    let mut status = Status::Active;
    if e.reason.is_none() {
        status = Status::NoReason;
        out.push(meta_finding(
            &suppression::SUPPRESSION_WITHOUT_REASON,
            &loc,
            "this exception gives no reason, so it is not applied".to_string(),
            "add `reason:` with what an auditor needs to know (who approved it, the ticket)",
        ));
    } else if e
        .reason
        .as_ref()
        .is_some_and(|r| crate::suppress::is_placeholder(r.as_str()))
    {
        status = Status::NoReason;
        out.push(meta_finding(
            &suppression::SUPPRESSION_WITHOUT_REASON,
            &loc,
            "this exception's reason is still the placeholder the editor wrote, so it is not applied"
                .to_string(),
            "replace `REASON: why this is accepted` with what an auditor needs to know (who approved it, the ticket)",
        ));
    } else if let Some(until) = e.until.as_ref().filter(|u| u.value < today) {
        status = Status::Expired;
        out.push(meta_finding(
            &suppression::EXPIRED_SUPPRESSION,
            &config_loc(file, &until.pos),
            format!(
                "this exception expired on {}, so it is no longer applied",
                until.value
            ),
            "fix the finding and delete the exception, or extend `until` if it was renewed",
        ));
    }
    if status == Status::Active && forbidden(e.rule, Some(config)).is_some() {
        status = Status::Forbidden;
    }
    let applicable = if status == Status::Active {
        vec![(e.rule, false, config_loc(file, &e.rule_pos))]
    } else {
        Vec::new()
    };
    Candidate {
        target: Target::Exception {
            globs: e.file.clone(),
            pointer: e.pointer.clone(),
        },
        applicable,
        record: Suppression {
            origin: Origin::Exception {
                file: e.file.patterns.join(", "),
                pointer: e.pointer.clone(),
            },
            loc,
            rules: vec![e.rule],
            reason: e.reason.clone(),
            until: e.until.as_ref().map(|u| u.value),
            status,
            suppressed: Vec::new(),
        },
    }
}
