//! Fixes: what a finding proposes to change, as edits of written values.
//!
//! A rule stays format-blind: it says which value to change (the model [`Text`] it judged),
//! which bytes of that value, and into what. The edit goes where the value is written (its
//! [`Loc::via`] when it reached the place it is used through a variable, a tfvars file or a
//! parameter default), and applies only where the text there is exactly the value the rule
//! read, alone or between quotes (`crate::fix` checks that against the file's text): an
//! expression, a template action, an escaped or encoded value is never edited.
//!
//! [`reconcile`] runs after every rule: a value written once and used in several places is
//! fixed safely only when every use needs the same fix.

use arcstr::ArcStr;
use foldhash::{HashMap, HashMapExt, HashSet};
use std::ops::Range;

use super::Finding;
use crate::document::Span;
use crate::model::{FileId, Loc, Model, Note, Text};

/// How sure a fix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// One compliant value and nothing else the user chose changes: `--fix` applies it.
    Safe,
    /// Compliant, but it changes cost, topology or something irreversible, or it cannot be
    /// shown to be right for every use of the value: `--unsafe-fixes` applies it.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }

    /// The flag that applies fixes of this applicability.
    pub fn flag(self) -> &'static str {
        match self {
            Applicability::Safe => "--fix",
            Applicability::Unsafe => "--fix --unsafe-fixes",
        }
    }
}

/// Replace bytes of a written value.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Where the value is written: its span covers the value (its quotes included or not).
    /// Never has a `via`.
    pub loc: Loc,
    /// The value as the rule read it: the edit applies only where the text at `loc` is this,
    /// alone or between one pair of quotes.
    pub value: ArcStr,
    /// The bytes of `value` to replace.
    pub range: Range<usize>,
    /// What they become.
    pub new: String,
}

impl Edit {
    /// The value as it reads after the edit.
    pub fn new_value(&self) -> String {
        let before = self.value.get(..self.range.start).unwrap_or("");
        let after = self.value.get(self.range.end..).unwrap_or("");
        format!("{before}{}{after}", self.new)
    }
}

/// A fix of a finding: edits made together, or not at all.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub applicability: Applicability,
    /// What the fix does ("set the Datadog region to `US1_FED`").
    pub message: String,
    /// Why it is unsafe, when it is.
    pub reason: Option<String>,
    pub edits: Vec<Edit>,
}

/// Where a value is written: the place it is used, or its [`Loc::via`].
pub fn written_place(loc: &Loc) -> Loc {
    let mut at = loc.via.as_deref().unwrap_or(loc).clone();
    at.via = None;
    at
}

impl Fix {
    /// Replace the whole of `text` by `new`, where it is written.
    pub fn replace(
        text: &Text,
        new: &str,
        applicability: Applicability,
        message: impl Into<String>,
    ) -> Fix {
        Fix::replace_part(text, 0..text.value.len(), new, applicability, message)
    }

    /// Replace the bytes `range` of `text` by `new`, where it is written.
    pub fn replace_part(
        text: &Text,
        range: Range<usize>,
        new: &str,
        applicability: Applicability,
        message: impl Into<String>,
    ) -> Fix {
        Fix {
            applicability,
            message: message.into(),
            reason: None,
            edits: vec![Edit {
                loc: written_place(&text.loc),
                value: ArcStr::clone(&text.value),
                range,
                new: new.to_string(),
            }],
        }
    }

    /// Made unsafe, for `reason` (kept when it was unsafe already, the first reason first).
    pub fn demote(&mut self, reason: String) {
        self.applicability = Applicability::Unsafe;
        self.reason = Some(match self.reason.take() {
            Some(first) => format!("{first}; {reason}"),
            None => reason,
        });
    }
}

type Place = (FileId, Span);

/// For a written place: the uses whose fixes edit it, and the distinct edits they want.
type Wanted = HashMap<Place, (HashSet<Place>, Vec<(Range<usize>, String)>)>;

fn place(loc: &Loc) -> Place {
    (loc.file, loc.span)
}

/// A value written once and used in several places is fixed where it is written: safely only
/// when every use the model holds needs the same edit. Otherwise each fix that writes there is
/// made unsafe, with the other use in its reason. Runs over the findings of every rule, before
/// any is moved to where its value was written.
pub fn reconcile(model: &Model, findings: &mut [Finding]) {
    // No fix edits a record a tool writes (a plan, state): the finding points at it, the fix
    // belongs in the configuration it was made from.
    if !model.records.is_empty() {
        for f in findings.iter_mut() {
            let record = f.fix.as_ref().and_then(|fix| {
                fix.edits.iter().find_map(|e| {
                    let file = e.loc.via.as_deref().unwrap_or(&e.loc).file;
                    model.records.iter().find(|(r, _)| *r == file)
                })
            });
            if let Some((_, what)) = record {
                f.fix = None;
                f.help = format!(
                    "{}; no fix is offered in {what}, which a tool writes: fix the configuration or program it comes from",
                    f.help
                )
                .into();
            }
        }
    }
    // For each written place a fix edits: the uses that fixes cover and the edits they want.
    let mut wanted: Wanted = HashMap::new();
    for f in findings.iter() {
        let Some(fix) = &f.fix else { continue };
        for e in &fix.edits {
            let entry = wanted.entry(place(&e.loc)).or_default();
            entry.0.insert(place(&f.loc));
            let want = (e.range.clone(), e.new.clone());
            if !entry.1.contains(&want) {
                entry.1.push(want);
            }
        }
    }
    if wanted.is_empty() {
        return;
    }
    // Every use in the model of a written place that a fix edits, in the model's order.
    let mut uses: HashMap<Place, (HashSet<Place>, Vec<Loc>)> = HashMap::new();
    model.for_each_text(&mut |t: &Text| {
        let written = place(t.loc.via.as_deref().unwrap_or(&t.loc));
        if wanted.contains_key(&written) {
            let (seen, all) = uses.entry(written).or_default();
            if seen.insert(place(&t.loc)) {
                all.push(t.loc.clone());
            }
        }
    });
    // What the files say about those places: other uses, restrictions.
    let mut notes: HashMap<Place, Vec<&Note>> = HashMap::new();
    for n in &model.written_notes {
        let at = (n.file, n.span);
        if wanted.contains_key(&at) {
            notes.entry(at).or_default().push(&n.note);
        }
    }
    // The YAML anchors that aliases use, by file.
    let mut aliased: HashMap<FileId, Vec<&crate::model::Aliased>> = HashMap::new();
    for a in &model.aliased {
        aliased.entry(a.file).or_default().push(a);
    }
    let path_of = |file: FileId| {
        model
            .files
            .get(file as usize)
            .map(|f| crate::paths::display_path(&f.path))
            .unwrap_or_default()
    };
    // Where findings with no fix are: a use there needs a change no fix makes.
    let unfixed: HashSet<Place> = findings
        .iter()
        .filter(|f| f.fix.is_none())
        .map(|f| place(&f.loc))
        .collect();
    // What each written place's other uses are: the same for every finding whose fix edits
    // it, so found once per place (a value used by thousands of resources).
    let mut others: HashMap<Place, Others> = HashMap::new();
    // The first of those uses that is reported with no fix, per place (found once too).
    let mut unfixed_uses: HashMap<Place, Option<Loc>> = HashMap::new();
    for f in findings.iter_mut() {
        let finding_file = f.loc.file;
        let Some(fix) = &mut f.fix else { continue };
        let mut reasons = Vec::new();
        let mut refused = None;
        for e in &fix.edits {
            let target = place(&e.loc);
            // Where the edited value is written: its line in the finding's file, else with
            // its file (a tfvars or data file value used here).
            let written = if e.loc.file == finding_file {
                format!("line {}", e.loc.start.line)
            } else {
                format!("{}:{}", path_of(e.loc.file), e.loc.start.line)
            };
            let Some((covered, edits)) = wanted.get(&target) else {
                continue;
            };
            // No one edit is right for every use (one wants `GOV_REGIONS_ONLY`, another
            // `COMMERCIAL_FEDRAMP_REGIONS_ONLY`): either would break the other.
            if edits.len() > 1 {
                refused.get_or_insert(format!(
                    "no fix is offered: the value written at {written} is used in places that need different fixes"
                ));
                continue;
            }
            // Another use is itself reported, with no fix (a CloudFormation alert's Datadog
            // region, whose type cannot say `US1_FED`): the edit would change it too, to a
            // value that may not be right there, and hide its finding.
            let unfixed_use = unfixed_uses
                .entry(target)
                .or_insert_with(|| {
                    uses.get(&target).and_then(|(_, all)| {
                        all.iter()
                            .find(|u| !covered.contains(&place(u)) && unfixed.contains(&place(u)))
                            .cloned()
                    })
                })
                .as_ref();
            if let Some(u) = unfixed_use {
                refused.get_or_insert(format!(
                    "no fix is offered: the value written at {written} is also used at {}:{}:{}, which is reported too and has no fix",
                    path_of(u.file),
                    u.start.line,
                    u.start.column
                ));
                continue;
            }
            let found = others.entry(target).or_insert_with(|| {
                Others::of(
                    target,
                    covered,
                    uses.get(&target).map(|(_, all)| all.as_slice()),
                    notes.get(&target).map(Vec::as_slice),
                    aliased.get(&target.0).map(Vec::as_slice),
                )
            });
            if let Some(other) = &found.use_ {
                reasons.push(format!(
                    "the value written at {written} is also used at {}:{}:{}, which does not need this fix",
                    path_of(other.file),
                    other.start.line,
                    other.start.column
                ));
            }
            let at = |l: &Loc| format!("{}:{}:{}", path_of(l.file), l.start.line, l.start.column);
            match found.aliases.as_slice() {
                [] => {}
                [alias] => reasons.push(format!(
                    "the value written at {written} is in a YAML anchor that an alias also uses at {}, which may not need this fix",
                    at(alias)
                )),
                // Which of them the finding is about is not known: each is named, none
                // singled out.
                many => reasons.push(format!(
                    "the value written at {written} is in a YAML anchor that {} aliases use ({}), which may not all need this fix",
                    many.len(),
                    many.iter().take(3).map(at).collect::<Vec<_>>().join(", ")
                        + if many.len() > 3 { ", ..." } else { "" }
                )),
            }
            let new = e.new_value();
            for n in &found.restricted {
                let Note::Restricted { at, what, allows } = n else {
                    continue;
                };
                match allows.allows(&new) {
                    Some(true) => {}
                    Some(false) => {
                        refused.get_or_insert(format!(
                            "no fix is offered: `{new}` is not allowed by the {what} at {}:{} (allow it there first)",
                            path_of(at.file),
                            at.start.line
                        ));
                    }
                    None => reasons.push(format!(
                        "the {what} at {}:{} may not allow `{new}`",
                        path_of(at.file),
                        at.start.line
                    )),
                }
            }
        }
        if let Some(why) = refused {
            f.fix = None;
            f.help = format!("{}; {why}", f.help).into();
            continue;
        }
        for r in reasons {
            fix.demote(r);
        }
    }
}

/// The other uses of a written place that a fix edits: the first use no fix covers (a text of
/// the model, or else a use a file notes), and, when there is none, the first place a YAML
/// alias of an anchor holding it uses it.
struct Others<'m> {
    use_: Option<Loc>,
    /// The places YAML aliases of an anchor holding it use it, when there is no other use.
    aliases: Vec<Loc>,
    /// What restricts the value written there (a variable's validation, a parameter's
    /// allowed values).
    restricted: Vec<&'m Note>,
}

impl<'m> Others<'m> {
    fn of(
        target: Place,
        covered: &HashSet<Place>,
        uses: Option<&[Loc]>,
        notes: Option<&[&'m Note]>,
        aliased: Option<&[&crate::model::Aliased]>,
    ) -> Others<'m> {
        let other_text = uses
            .unwrap_or_default()
            .iter()
            .find(|u| !covered.contains(&place(u)));
        // A use no text holds is covered when it overlaps a use a fix covers.
        let spans = Spans::new(covered);
        let other_note = notes.unwrap_or_default().iter().find_map(|n| match n {
            Note::UsedAt(u) if !spans.overlaps(u) => Some(u),
            _ => None,
        });
        let use_ = other_text.or(other_note).cloned();
        // In a YAML anchored node that aliases use elsewhere (`<<: *defaults`): every alias's
        // place gets the edit too.
        let aliases = if use_.is_some() {
            Vec::new()
        } else {
            aliased
                .unwrap_or_default()
                .iter()
                .filter(|a| {
                    a.file == target.0
                        && a.span.start <= target.1.start
                        && target.1.end <= a.span.end
                })
                .flat_map(|a| a.uses.iter())
                .filter(|u| !spans.overlaps(u))
                .filter({
                    let mut seen = HashSet::default();
                    move |u| seen.insert((u.file, u.span.start, u.span.end))
                })
                .cloned()
                .collect()
        };
        let restricted = notes
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|n| matches!(n, Note::Restricted { .. }))
            .collect();
        Others {
            use_,
            aliases,
            restricted,
        }
    }
}

/// Places sorted by file and start, with the furthest end so far in each file: whether a
/// location overlaps any of them in O(log n).
struct Spans {
    sorted: Vec<(FileId, u32, u32)>,
    furthest: Vec<u32>,
}

impl Spans {
    fn new(places: &HashSet<Place>) -> Spans {
        let mut sorted: Vec<(FileId, u32, u32)> = places
            .iter()
            .map(|(file, span)| (*file, span.start, span.end))
            .collect();
        sorted.sort_unstable();
        let mut furthest = Vec::with_capacity(sorted.len());
        let mut last: Option<(FileId, u32)> = None;
        for &(file, _, end) in &sorted {
            let far = match last {
                Some((f, e)) if f == file => e.max(end),
                _ => end,
            };
            furthest.push(far);
            last = Some((file, far));
        }
        Spans { sorted, furthest }
    }

    /// Whether `loc` overlaps a place (same file, `start < loc.end && loc.start < end`).
    fn overlaps(&self, loc: &Loc) -> bool {
        let before = self
            .sorted
            .partition_point(|&(file, start, _)| (file, start) < (loc.file, loc.span.end));
        let Some(i) = before.checked_sub(1) else {
            return false;
        };
        self.sorted
            .get(i)
            .is_some_and(|&(file, _, _)| file == loc.file)
            && self
                .furthest
                .get(i)
                .is_some_and(|&end| loc.span.start < end)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn at(file: FileId, start: u32, end: u32) -> Loc {
        Loc {
            file,
            span: Span { start, end },
            start: Default::default(),
            end: Default::default(),
            pointer: "".into(),
            via: None,
        }
    }

    /// `Spans::overlaps` answers what comparing with every place answers: same file, and
    /// `start < end'` both ways (touching ranges do not overlap; an empty range inside does).
    #[test]
    fn spans_overlap_as_a_scan_of_every_place_does() {
        let places: HashSet<Place> = [(1, 10, 20), (1, 12, 14), (1, 40, 90), (2, 0, 5), (3, 7, 7)]
            .into_iter()
            .map(|(f, s, e)| (f, Span { start: s, end: e }))
            .collect();
        let spans = Spans::new(&places);
        let scan = |u: &Loc| {
            places.iter().any(|(file, span)| {
                *file == u.file && span.start < u.span.end && u.span.start < span.end
            })
        };
        for file in 0..4 {
            for start in 0..100 {
                for len in [0, 1, 3, 30] {
                    let u = at(file, start, start + len);
                    assert_eq!(spans.overlaps(&u), scan(&u), "{file} {start}+{len}");
                }
            }
        }
    }
}
