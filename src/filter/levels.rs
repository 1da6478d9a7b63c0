//! Stage 1: levels. Each finding gets the level the config gives its rule for its file
//! (`rules`, then every matching `overrides` entry in order), then `--select`/`--ignore`;
//! `off` drops it.

use super::Settings;
use crate::config::Level;
use crate::model::FileId;
use crate::outcome::Outcome;
use crate::rules::{self, Finding, RuleMeta};

/// Levels per file and rule.
pub(super) struct Levels<'a> {
    settings: &'a Settings<'a>,
    /// Each file's path relative to the config's directory (what its globs match).
    pub(super) rel: Vec<Option<String>>,
}

impl<'a> Levels<'a> {
    pub(super) fn new(outcome: &Outcome, settings: &'a Settings<'a>) -> Levels<'a> {
        let rel = outcome
            .files
            .iter()
            .map(|f| {
                settings
                    .config
                    .and_then(|c| c.relative(settings.cwd, &f.path))
            })
            .collect();
        Levels { settings, rel }
    }

    /// The level of `rule` in `file`; `None` when it is off there.
    pub(super) fn level(&self, file: FileId, rule: &'static RuleMeta) -> Level {
        let mut level = Some(rule.severity);
        if let Some(config) = self.settings.config {
            for r in &config.rules {
                if r.rule.code == rule.code {
                    level = r.level;
                }
            }
            if let Some(Some(rel)) = self.rel.get(file as usize) {
                for o in &config.overrides {
                    if o.files.matches(rel) {
                        for r in &o.rules {
                            if r.rule.code == rule.code {
                                level = r.level;
                            }
                        }
                    }
                }
            }
        }
        if rule.code == rules::INVALID_SPEC.meta.code {
            return level.or(Some(rule.severity));
        }
        let s = self.settings;
        if !s.select.is_empty() {
            if s.select.iter().any(|r| r.code == rule.code) {
                level = level.or(Some(rule.severity));
            } else {
                return None;
            }
        }
        if s.ignore.iter().any(|r| r.code == rule.code) {
            return None;
        }
        level
    }
}

/// Stage 1: give each finding its level; drop those that are off.
/// The findings whose rule is on for their file, at its level; and those turned off whose fix
/// edits a value (a use of that value the user set aside: see `keep_hidden_uses`).
pub(super) fn apply(
    levels: &Levels<'_>,
    mut findings: Vec<Finding>,
) -> (Vec<Finding>, Vec<Finding>) {
    // In place: a large report's findings are not moved to a new list.
    // By the file that uses the value, wherever the finding is reported: one finding, one level.
    let off = findings
        .extract_if(.., |f| match levels.level(f.identity().file, f.rule) {
            Some(severity) => {
                f.severity = severity;
                false
            }
            None => true,
        })
        .filter(|f| f.fix.is_some())
        .collect();
    (findings, off)
}
