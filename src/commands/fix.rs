//! `check --fix` and `check --diff`: the fixes of a check's findings, written or shown.
//!
//! `--fix` applies the fixes of the reported findings (suppressed and baselined ones are not
//! among them), checks again, and repeats while something changes: a fix whose edits overlap
//! another's waits for the next pass; at most [`MAX_PASSES`] passes. Each file is replaced
//! atomically ([`crate::source::write::replace`]); a file that changed since it was read is
//! left alone with a note. `--diff` makes the same passes in memory (each checked again with
//! the fixed texts standing for the files) and shows their net change as a unified diff; it
//! writes nothing.

use arcstr::ArcStr;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::fix::{self, Plan};
use crate::lint::{Inputs, Settings, lint};
use crate::outcome::{Buffer, Outcome};
use crate::paths::display_path;
use crate::report;
use crate::rules::fix::Applicability;
use crate::source::write;

/// The most passes `--fix` makes.
pub const MAX_PASSES: usize = 8;

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings fixed (over all passes).
    pub fixed: usize,
    pub files: BTreeSet<String>,
    pub passes: usize,
    /// Files left alone, and why.
    pub notes: Vec<String>,
}

/// The highest applicability the flags apply.
pub fn max(unsafe_fixes: bool) -> Applicability {
    if unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

/// The edited text of each file a pass edits: (file id, before, after).
fn edited<'o>(outcome: &'o Outcome, plan: &Plan) -> Vec<(u32, &'o str, String)> {
    plan.edits
        .iter()
        .filter_map(|(&file, edits)| {
            let before = fix::editable(outcome, file)?;
            Some((file, before, fix::apply(before, edits)))
        })
        .filter(|(_, before, after)| before != after)
        .collect()
}

/// Where the passes put the texts they fix.
enum Sink {
    /// `--fix`: the files, each replaced atomically (standard input is not a file to rewrite).
    Files,
    /// `--diff`: nothing is written; the fixed texts stand for the files (by absolute path)
    /// and the buffers in the next check, and each file's diff is kept.
    Memory {
        texts: HashMap<PathBuf, Arc<str>>,
        buffers: Vec<Buffer>,
        /// Per file edited: its id, its path as shown, its text before the first pass and
        /// after the last, both with secrets masked.
        diffs: Vec<(u32, String, String, String)>,
    },
}

/// `--diff`: the unified diff of every file the passes of `--fix` would change (empty:
/// nothing to fix), secrets masked on both sides. The passes run as `--fix` runs them, each
/// checked again with the texts of the one before standing for the files; nothing is written.
pub fn diff(
    mut outcome: Outcome,
    inputs: &Inputs,
    buffers: &[Buffer],
    settings: &Settings,
    max: Applicability,
) -> String {
    let mut sink = Sink::Memory {
        texts: HashMap::new(),
        buffers: buffers.to_vec(),
        diffs: Vec::new(),
    };
    passes(&mut outcome, settings, max, &mut sink, &mut |s, b| {
        lint(inputs, b, s).outcome
    });
    shown(sink)
}

/// The diffs a [`Sink::Memory`] kept, in file order.
fn shown(sink: Sink) -> String {
    let Sink::Memory { mut diffs, .. } = sink else {
        return String::new();
    };
    diffs.sort_by_key(|d| d.0);
    diffs
        .iter()
        .map(|(_, path, before, after)| report::diff::unified(path, before, after))
        .collect()
}

/// `--fix`: apply the fixes, check again, until nothing changes (or [`MAX_PASSES`]); the
/// outcome of the last check replaces `outcome`.
pub fn apply(
    outcome: &mut Outcome,
    inputs: &Inputs,
    buffers: &[Buffer],
    settings: &Settings,
    max: Applicability,
) -> Applied {
    passes(outcome, settings, max, &mut Sink::Files, &mut |s, _| {
        lint(inputs, buffers, s).outcome
    })
}

/// The passes of fixes: plan, make the edits (into `sink`), check again (`recheck`, given the
/// settings and the buffers to check), while something changes (at most [`MAX_PASSES`]); the
/// outcome of the last check replaces `outcome`.
fn passes(
    outcome: &mut Outcome,
    settings: &Settings,
    max: Applicability,
    sink: &mut Sink,
    recheck: &mut dyn FnMut(&Settings, &[Buffer]) -> Outcome,
) -> Applied {
    let mut applied = Applied::default();
    let mut refused: BTreeSet<u32> = BTreeSet::new();
    let mut settings = settings.clone();
    // A fix that does not remove its finding (a defect of the fix) is not made pass after
    // pass: findings are counted by rule, file, value and fix; when a pass made fixes of one
    // such kind and the next check reports no fewer of that kind, they failed, are not made
    // again, and the note says so. (Counts, not identities: two findings can share all four,
    // and one fixed beside one deferred is progress.)
    let mut failed: HashSet<FixKey> = HashSet::new();
    let mut last: HashMap<FixKey, usize> = HashMap::new();
    loop {
        let now = kinds_of_fix(outcome);
        for (key, before) in &last {
            if now.get(key).is_some_and(|n| n >= before) && failed.insert(key.clone()) {
                let note = format!(
                    "not fixed: {}: {} is still reported after its fix was made; the fix is not made again",
                    display_path(&key.1),
                    key.0
                );
                if !applied.notes.contains(&note) {
                    applied.notes.push(note);
                }
            }
        }
        // After the last pass too: a fix that failed there is named.
        if applied.passes >= MAX_PASSES {
            break;
        }
        let mut plan = fix::plan_except(outcome, max, &|f| {
            fix_key(outcome, f).is_some_and(|k| failed.contains(&k))
        });
        // The kinds of fix this pass plans, with their files: counted once the files are
        // written (a fix of standard input, or of a file refused, is not made).
        let planned: Vec<(FixKey, Vec<u32>)> = plan
            .fixed
            .iter()
            .filter_map(|(i, files)| {
                Some((fix_key(outcome, outcome.findings.get(*i)?)?, files.clone()))
            })
            .collect();
        // A file refused once stays refused; standard input is rewritten only in memory.
        let files = matches!(sink, Sink::Files);
        let mut stdin_fixes = false;
        plan.edits.retain(|file, _| {
            let stdin = files && outcome.buffers.contains(file);
            stdin_fixes |= stdin;
            !stdin && !refused.contains(file)
        });
        let note = "standard input is never edited: `--diff` shows its fixes".to_string();
        if stdin_fixes && !applied.notes.contains(&note) {
            applied.notes.push(note);
        }
        let changes = edited(outcome, &plan);
        if changes.is_empty() {
            break;
        }
        applied.passes += 1;
        let mut written: BTreeSet<u32> = BTreeSet::new();
        // One file named twice (`a.yaml` and `./a.yaml`, a link and its target) is one file:
        // written once, when both names want the same text.
        let mut same_file: HashMap<PathBuf, (&str, &str)> = HashMap::new();
        for (file, before, after) in &changes {
            let path = outcome.path(*file);
            let is_buffer = outcome.buffers.contains(file);
            let real = (!is_buffer)
                .then(|| std::fs::canonicalize(path).ok())
                .flatten();
            if let Some((b, a)) = real.as_ref().and_then(|r| same_file.get(r)) {
                if *b == *before && *a == after.as_str() {
                    written.insert(*file);
                    // `--diff`: shown once; the next check reads this name fixed too.
                    if let Sink::Memory { texts, .. } = sink {
                        texts.insert(
                            crate::paths::absolute(path, &settings.options.cwd),
                            Arc::from(after.as_str()),
                        );
                    }
                    continue;
                }
            }
            let result = match sink {
                Sink::Files => write::replace(path, before, after, settings.options.max_file_size),
                Sink::Memory {
                    texts,
                    buffers,
                    diffs,
                } => {
                    let shown = display_path(path);
                    let edits = plan.edits.get(file).map_or(&[][..], Vec::as_slice);
                    if let Some((masked_before, masked_after)) =
                        report::redact::masked_edit(outcome, *file, edits)
                    {
                        match diffs.iter_mut().find(|d| d.1 == shown) {
                            Some(d) => d.3 = masked_after,
                            None => diffs.push((*file, shown, masked_before, masked_after)),
                        }
                    }
                    let buffer = outcome
                        .buffers
                        .iter()
                        .position(|b| b == file)
                        .and_then(|j| buffers.get_mut(j));
                    match buffer {
                        Some(b) => b.text.clone_from(after),
                        None => {
                            texts.insert(
                                crate::paths::absolute(path, &settings.options.cwd),
                                Arc::from(after.as_str()),
                            );
                        }
                    }
                    Ok(())
                }
            };
            match result {
                Ok(()) => {
                    written.insert(*file);
                    if let Some(r) = real {
                        same_file.insert(r, (before, after.as_str()));
                    }
                    applied.files.insert(display_path(path));
                }
                Err(reason) => {
                    refused.insert(*file);
                    applied
                        .notes
                        .push(format!("not fixed: {}: {reason}", display_path(path)));
                }
            }
        }
        if written.is_empty() {
            break;
        }
        last = planned
            .into_iter()
            .filter(|(_, files)| files.iter().all(|f| written.contains(f)))
            .map(|(k, _)| {
                let n = now.get(&k).copied().unwrap_or(0);
                (k, n)
            })
            .collect();
        applied.fixed += plan
            .fixed
            .iter()
            .filter(|(_, files)| files.iter().all(|f| written.contains(f)))
            .count();
        *outcome = match sink {
            Sink::Files => recheck(&settings, &[]),
            Sink::Memory { texts, buffers, .. } => {
                settings.options.texts = Some(Arc::new(texts.clone()));
                recheck(&settings, buffers)
            }
        };
    }
    applied
}

/// How many findings of each kind of fix a check reports (see [`FixKey`]).
fn kinds_of_fix(outcome: &Outcome) -> HashMap<FixKey, usize> {
    let mut now: HashMap<FixKey, usize> = HashMap::new();
    for f in &outcome.findings {
        if let Some(k) = fix_key(outcome, f) {
            *now.entry(k).or_default() += 1;
        }
    }
    now
}

/// A fix as made: the finding's rule, file and value (pointer), and the fix's message.
type FixKey = (&'static str, PathBuf, ArcStr, String);

fn fix_key(outcome: &Outcome, f: &crate::rules::Finding) -> Option<FixKey> {
    let fix = f.fix.as_ref()?;
    Some((
        f.rule.code,
        outcome.path(f.loc.file).to_path_buf(),
        ArcStr::clone(&f.loc.pointer),
        fix.message.clone(),
    ))
}

impl Applied {
    /// The note printed after the report.
    pub fn summary(&self) -> String {
        if self.fixed == 0 {
            return "no fixes applied".to_string();
        }
        format!(
            "fixed {} in {} ({})",
            plural(self.fixed, "finding"),
            plural(self.files.len(), "file"),
            plural(self.passes, "pass").replace("passs", "passes"),
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::document::{LineCol, Span};
    use crate::engine::Options;
    use crate::model::{Loc, SourceFile};
    use crate::rules::Finding;
    use crate::rules::fix::{Edit, Fix};

    /// A check of one buffer that wants the lines `a = 1` and `b = 2`, each added at the top:
    /// the two fixes insert at the same place, so one of them waits for a second pass.
    fn check(text: &str) -> Outcome {
        check_with(text, |line| format!("add {line}"))
    }

    /// [`check`], each fix's message made by `message` from its line.
    fn check_with(text: &str, message: impl Fn(&str) -> String) -> Outcome {
        let mut o = Outcome {
            files: vec![SourceFile {
                path: PathBuf::from("a.yaml"),
                root: std::path::Path::new("").into(),
            }],
            buffers: vec![0],
            ..Outcome::default()
        };
        o.texts.insert(0, Arc::from(text));
        let rule = crate::rules::lookup("GOV008").unwrap();
        let at = LineCol { line: 1, column: 1 };
        for line in ["a: 1\n", "b: 2\n"] {
            if text.contains(line) {
                continue;
            }
            let loc = Loc {
                file: 0,
                span: Span::new(0, 0),
                start: at,
                end: at,
                pointer: ArcStr::new(),
                via: None,
            };
            let fix = Fix {
                applicability: Applicability::Safe,
                message: message(line),
                reason: None,
                edits: vec![Edit {
                    loc: loc.clone(),
                    value: ArcStr::new(),
                    range: 0..0,
                    new: line.to_string(),
                }],
            };
            o.findings
                .push(Finding::new(rule, &loc, "missing".into(), "add it").with_fix(fix));
        }
        o
    }

    /// `--fix` (safe fixes) with default settings.
    fn safe_passes(
        outcome: &mut Outcome,
        sink: &mut Sink,
        recheck: &mut dyn FnMut(&Settings, &[Buffer]) -> Outcome,
    ) -> Applied {
        let settings = Settings::new(Options::default());
        passes(outcome, &settings, Applicability::Safe, sink, recheck)
    }

    /// Passes made in memory on the one buffer `a.yaml`.
    fn memory_sink(text: &str) -> Sink {
        Sink::Memory {
            texts: HashMap::new(),
            buffers: vec![Buffer {
                path: PathBuf::from("a.yaml"),
                text: text.to_string(),
            }],
            diffs: Vec::new(),
        }
    }

    #[test]
    fn the_diff_shows_every_pass_and_writes_nothing() {
        let text = "x: 0\n";
        let mut outcome = check(text);
        assert_eq!(fix::plan(&outcome, Applicability::Safe).deferred, 1);
        let mut sink = memory_sink(text);
        let applied = safe_passes(&mut outcome, &mut sink, &mut |_, b| check(&b[0].text));
        assert_eq!((applied.passes, applied.fixed), (2, 2));
        assert!(outcome.findings.is_empty());
        assert!(applied.notes.is_empty());
        assert_eq!(
            shown(sink),
            "--- a/a.yaml\n+++ b/a.yaml\n@@ -1,1 +1,3 @@\n+b: 2\n+a: 1\n x: 0\n"
        );
    }

    /// Two findings alike in rule, file, value and fix message, one fixed while the other
    /// waits for the next pass: progress, not a failed fix.
    #[test]
    fn findings_alike_fixed_one_pass_after_the_other() {
        let text = "x: 0\n";
        let same = |_: &str| "add a line".to_string();
        let mut outcome = check_with(text, same);
        let mut sink = memory_sink(text);
        let applied = safe_passes(&mut outcome, &mut sink, &mut |_, b| {
            check_with(&b[0].text, same)
        });
        assert_eq!((applied.passes, applied.fixed), (2, 2));
        assert!(applied.notes.is_empty(), "{:?}", applied.notes);
        assert!(outcome.findings.is_empty());
    }

    /// A fix that does not remove its finding (a defect of the fix) is made once, not once a
    /// pass until the limit, and the note says which rule's fix failed where.
    #[test]
    fn a_fix_that_does_not_remove_its_finding_is_made_once() {
        let text = "x: 0\n";
        let mut outcome = check(text);
        let mut sink = memory_sink(text);
        // Every check reports both findings again, whatever the text.
        let applied = safe_passes(&mut outcome, &mut sink, &mut |_, b| {
            let mut again = check("");
            again.texts.insert(0, Arc::from(b[0].text.as_str()));
            again
        });
        assert_eq!(applied.passes, 2, "{:?}", applied.notes);
        assert_eq!(
            applied.notes,
            [
                "not fixed: a.yaml: GOV008 is still reported after its fix was made; the fix is not made again"
            ]
        );
        assert_eq!(
            shown(sink),
            "--- a/a.yaml\n+++ b/a.yaml\n@@ -1,1 +1,3 @@\n+b: 2\n+a: 1\n x: 0\n"
        );
    }
}
