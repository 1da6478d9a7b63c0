//! Rules: one file per AtlasGov constraint, each a pure function of the model.
//!
//! Adding a rule touches its file, the [`ALL`] list below, its doc in `rules/`, and its
//! fixtures in `fixtures/<CODE>/`.

pub mod custom;
pub mod fix;
mod gov000;
mod gov001;
mod gov002;
mod gov003;
mod gov004;
mod gov005;
mod gov006;
mod gov007;
mod gov008;
mod gov009;
mod gov010;
mod gov011;
mod gov012;
mod gov013;
mod gov014;
mod gov015;
mod gov016;
mod gov017;
mod gov018;
mod gov019;
mod gov020;
pub mod suggest;
pub mod suppression;

pub use gov000::RULE as INVALID_SPEC;

use std::borrow::Cow;

use crate::model::partition::{Partition, RegionClass, classify_region};
use crate::model::{FileId, Loc, Model, Product, Text};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What a rule is: its stable code and name, default severity, one-line summary, the seed
/// sentence it enforces, and its documentation (Markdown, printed by `explain`).
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The sentence of the AtlasGov API page this rule enforces.
    pub seed: &'static str,
    pub doc: &'static str,
}

/// A rule: its metadata and its check. `check` is `None` only for rules whose findings are
/// produced by the pipeline itself (GOV000, parse failures).
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Option<fn(&Model, &mut Vec<Finding>)>,
}

/// Every rule, sorted by code. Codes are never reused or renumbered.
pub static ALL: &[&Rule] = &[
    &gov000::RULE,
    &gov001::RULE,
    &gov002::RULE,
    &gov003::RULE,
    &gov004::RULE,
    &gov005::RULE,
    &gov006::RULE,
    &gov007::RULE,
    &gov008::RULE,
    &gov009::RULE,
    &gov010::RULE,
    &gov011::RULE,
    &gov012::RULE,
    &gov013::RULE,
    &gov014::RULE,
    &gov015::RULE,
    &gov016::RULE,
    &gov017::RULE,
    &gov018::RULE,
    &gov019::RULE,
    &gov020::RULE,
];

/// Constraints of the AtlasGov API page that no spec can show, so no rule checks them. Listed
/// by `atlasgov-lint rules --all` and in the README, so users know what is not covered.
pub static NOT_COVERED: &[(&str, &str)] = &[
    (
        "AtlasGov authenticates API requests with SHA-256 using HTTP Digest Authentication.",
        "a property of the API client, not of a spec",
    ),
    (
        "MongoDB Charts (unavailable)",
        "Charts has no Admin API resource, Terraform resource, operator kind or CloudFormation type",
    ),
    (
        "You must have the Project Owner role to configure a third-party monitoring integration.",
        "roles of the caller are not in the spec",
    ),
    (
        "Alerts can come from several different email addresses.",
        "informational; nothing to check",
    ),
    (
        "AtlasGov logs the username and IP address associated with all failed login attempts, temporary lockouts and failed API digest authentications.",
        "describes AtlasGov's own logging; nothing to configure",
    ),
    (
        "Database users who authenticate with SCRAM must use SCRAM-SHA-256 (for the database users themselves)",
        "the Atlas API has no mechanism field for users; Atlas gives SCRAM users SCRAM-SHA-256. GOV006 checks what can be seen: connection strings and mechanism lists",
    ),
];

/// Find a rule by code (`GOV001`, any case) or name (`azure-provider`).
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .copied()
        .find(|r| r.meta.code.eq_ignore_ascii_case(code_or_name) || r.meta.name == code_or_name)
}

/// Find any rule, AtlasGov constraint, suppression diagnostic or policy rule, by code (any
/// case) or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    every().find(|r| r.meta.code.eq_ignore_ascii_case(code_or_name) || r.meta.name == code_or_name)
}

/// Every rule: the AtlasGov rules ([`ALL`]), the suppression diagnostics
/// ([`suppression::RULES`]), then the policies' rules ([`custom`]).
pub fn every() -> impl Iterator<Item = &'static Rule> {
    ALL.iter()
        .chain(suppression::RULES.iter())
        .copied()
        .chain(custom::all())
}

/// A secondary location shown with a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub loc: Loc,
    pub message: String,
}

/// One problem at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    /// What is wrong (never contains a secret value).
    pub message: String,
    /// What AtlasGov allows instead (borrowed when it is a fixed text: a policy's help is
    /// the same for each of its findings, which can be tens of thousands).
    pub help: Cow<'static, str>,
    /// Where the finding is reported: the offending value, at the place that uses it (with
    /// [`Loc::via`] where it was written, when that is elsewhere), or at the place where it
    /// was written ([`Finding::at_written_place`]).
    pub loc: Loc,
    pub related: Vec<Label>,
    /// Set when the finding is reported where its value was written, because the file that
    /// uses it was read as context only (a pre-commit hook or an editor given the
    /// `terraform.tfvars` alone): the use. A finding is the same finding in both placements:
    /// fingerprints, levels and config exceptions follow [`Finding::identity`].
    pub used_at: Option<Box<Loc>>,
    /// What would fix it, when one change does (see [`fix`]); `None` when there is no single
    /// right value: the help says what to choose.
    pub fix: Option<Box<fix::Fix>>,
    /// Where a check of another file alone would report it: a setting it depends on written
    /// in that file (see [`Finding::note_depends_on`]). A suppression there covers it in a
    /// check of both files too.
    pub depends_on: Vec<Loc>,
}

impl Label {
    /// Where a project without region usage gets its standard default (AtlasGov's default for
    /// a project that does not say): the kustomize patch that removed the setting, when one did,
    /// else the project body, labelled `otherwise`.
    pub(crate) fn standard_by_default(
        project: &crate::model::Project,
        name: &str,
        otherwise: String,
    ) -> Label {
        match &project.region_usage_removed {
            Some(removed) => Label {
                loc: removed.clone(),
                message: format!(
                    "this patch removes {} from {name}: standard regions",
                    project.region_usage_field
                ),
            },
            None => Label {
                loc: project.origin.body.clone(),
                message: otherwise,
            },
        }
    }
}

/// The label of the place where a value used elsewhere was written.
pub const VALUE_SET_HERE: &str = "value set here";
/// The label of the place that uses a value, on a finding reported where it was written.
pub const VALUE_USED_HERE: &str = "value used here";

impl Finding {
    /// A finding of `rule` at `loc`. When the value was set elsewhere (a variable's default,
    /// a parameter), that place is added as a second label.
    pub fn new(
        rule: &'static Rule,
        loc: &Loc,
        message: String,
        help: impl Into<Cow<'static, str>>,
    ) -> Finding {
        let related = loc
            .via
            .iter()
            .map(|via| Label {
                loc: (**via).clone(),
                message: VALUE_SET_HERE.to_string(),
            })
            .collect();
        Finding {
            rule: &rule.meta,
            severity: rule.meta.severity,
            message,
            help: help.into(),
            loc: loc.clone(),
            related,
            used_at: None,
            fix: None,
            depends_on: Vec::new(),
        }
    }

    /// Record [`Finding::depends_on`]: for each other file, the place where
    /// [`Finding::at_related_place`] would put this finding if only that file were checked.
    pub fn note_depends_on(&mut self, direct: bool) {
        // Most findings have no related place (and a report can hold tens of thousands).
        if self.related.is_empty() {
            self.depends_on = Vec::new();
            return;
        }
        let mut files: Vec<FileId> = vec![self.loc.file];
        let mut places = Vec::new();
        for (_, place) in self.related_places(direct) {
            if !files.contains(&place.file) {
                files.push(place.file);
                places.push(Loc {
                    via: None,
                    ..place.clone()
                });
            }
        }
        self.depends_on = places;
    }

    /// The related places a check of one file may report this finding at, in the order
    /// [`Finding::at_related_place`] prefers them, each with its label's index: where each
    /// related value was written ([`Loc::via`]), then, when `direct` (the finding is in a
    /// rendering assembled from several files), each related label written where it is.
    fn related_places(&self, direct: bool) -> impl Iterator<Item = (usize, &Loc)> {
        let written = self
            .related
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.loc.via.as_deref().map(|w| (i, w)));
        let own = self
            .related
            .iter()
            .enumerate()
            .filter(move |(_, l)| direct && l.loc.via.is_none())
            .map(|(i, l)| (i, &l.loc));
        written.chain(own)
    }

    /// The place that identifies the finding whatever its placement: the use (see
    /// [`Finding::used_at`]).
    pub fn identity(&self) -> &Loc {
        self.used_at.as_deref().unwrap_or(&self.loc)
    }

    /// Where the offending value was written, when that is not where it is used.
    pub fn written(&self) -> Option<&Loc> {
        match self.used_at {
            Some(_) => Some(&self.loc),
            None => self.loc.via.as_deref(),
        }
    }

    /// The same finding reported where its value was written (its [`Loc::via`]), with the
    /// use as a related label and in [`Finding::used_at`]. Unchanged when the value was
    /// written where it is used.
    pub fn at_written_place(mut self) -> Finding {
        let Some(written) = self.loc.via.take() else {
            return self;
        };
        let used = std::mem::replace(&mut self.loc, *written);
        self.related
            .retain(|l| !(l.loc == self.loc && l.message == VALUE_SET_HERE));
        self.related.insert(
            0,
            Label {
                loc: used.clone(),
                message: VALUE_USED_HERE.to_string(),
            },
        );
        self.used_at = Some(Box::new(used));
        self
    }

    /// The same finding reported at a related place that a check may be given alone: the first
    /// related label whose value was written elsewhere ([`Loc::via`]), in a file `checked`
    /// accepts (a tfvars file or a Pulumi stack that sets the project's region usage, or a
    /// condition that creates the resource: see [`label_conditions`]); else, when `direct`
    /// (the finding is in a rendering assembled from several files), the first related label
    /// that is itself in such a file (a kustomize patch that sets the project's region usage).
    /// The finding's own place becomes a related label, and the label's use one too. `None`
    /// when no related place is in such a file.
    pub fn at_related_place(
        mut self,
        checked: impl Fn(FileId) -> bool,
        direct: bool,
    ) -> Option<Finding> {
        let (i, place) = self
            .related_places(direct)
            .find(|(_, place)| checked(place.file))
            .map(|(i, place)| (i, place.clone()))?;
        let label = self.related.remove(i);
        // The place itself is the finding's now, not a label.
        self.related
            .retain(|l| !(l.loc.file == place.file && l.loc.span == place.span));
        let own = std::mem::replace(&mut self.loc, Loc { via: None, ..place });
        if label.loc.via.is_some() {
            self.related.insert(
                0,
                Label {
                    loc: Loc {
                        via: None,
                        ..label.loc.clone()
                    },
                    message: format!("{} (value used here)", label.message),
                },
            );
        }
        self.related.insert(
            0,
            Label {
                loc: Loc {
                    via: None,
                    ..own.clone()
                },
                message: "the value this setting conflicts with".to_string(),
            },
        );
        self.used_at = Some(Box::new(own));
        Some(self)
    }

    /// Label the findings from `from` on with what decided their project's partition: the
    /// project's region usage (or, when it sets none, where its standard default comes from:
    /// [`Label::standard_by_default`]), or the config setting that assumed it (see
    /// [`Model::partition_or_assumed`]).
    pub fn label_partition(
        out: &mut [Finding],
        from: usize,
        model: &Model,
        origin: &crate::model::Origin,
        assumed: Option<&crate::model::Text>,
    ) {
        let label = match (assumed, model.project_of(origin)) {
            (Some(usage), _) => Label {
                loc: usage.loc.clone(),
                message: "project unknown: default-region-usage assumed".to_string(),
            },
            (None, Some(project)) => {
                let name = project
                    .name
                    .as_ref()
                    .map(|n| format!("project {}", quoted(n.as_str())))
                    .unwrap_or_else(|| "the project".to_string());
                match &project.region_usage {
                    Some(usage) => Label {
                        loc: usage.loc.clone(),
                        message: format!("{name}: {}", usage.as_str()),
                    },
                    None => Label::standard_by_default(
                        project,
                        &name,
                        format!(
                            "{name} sets no {}: standard regions",
                            project.region_usage_field
                        ),
                    ),
                }
            }
            (None, None) => return,
        };
        for f in out.iter_mut().skip(from) {
            f.related.push(label.clone());
        }
    }

    /// The finding with a fix.
    /// The finding with `fix` (a [`fix::Fix`], or an `Option` of one: a rule whose fix may
    /// not be possible passes what it found).
    pub fn with_fix(mut self, fix: impl Into<Option<fix::Fix>>) -> Finding {
        self.fix = fix.into().map(Box::new);
        self
    }

    pub fn with_label(mut self, loc: &Loc, message: impl Into<String>) -> Finding {
        self.related.push(Label {
            loc: loc.clone(),
            message: message.into(),
        });
        self
    }
}

/// Run every rule over the model. Findings come back sorted by file, position and code, with
/// no two findings of one rule at the same place.
pub fn run(model: &Model) -> Vec<Finding> {
    use rayon::prelude::*;
    // Rules are independent: each runs on its own thread when there are threads, and the
    // findings come back in the order of `ALL` all the same.
    let each: Vec<Vec<Finding>> = ALL
        .par_iter()
        .map(|rule| {
            let mut found = Vec::new();
            if let Some(check) = rule.check {
                check(model, &mut found);
            }
            found
        })
        .collect();
    let mut findings: Vec<Finding> = each.into_iter().flatten().collect();
    fix::reconcile(model, &mut findings);
    findings
}

/// The label of a condition that a finding's value exists by (see [`label_conditions`]).
pub const PRESENT_BECAUSE: &str = "present because this condition is";

/// Label every finding whose value is in a part of a file that exists only because a
/// condition holds ([`crate::model::Condition`]: a resource that `count = var.x ? 1 : 0`
/// creates, a `dynamic` block on a condition, a conditional's branch) with the condition,
/// and with where its value was written (`value set here`). A check given only the file
/// that writes it (a `terraform.tfvars` that sets `enable_analytics = true`) reports the
/// finding there ([`Finding::at_related_place`]).
pub fn label_conditions(model: &Model, findings: &mut [Finding]) {
    if model.conditions.is_empty() {
        return;
    }
    let mut by_file: std::collections::HashMap<FileId, Vec<&crate::model::Condition>> =
        std::collections::HashMap::new();
    for c in &model.conditions {
        by_file.entry(c.file).or_default().push(c);
    }
    for f in findings.iter_mut() {
        let files = [Some(f.loc.file), f.loc.via.as_deref().map(|v| v.file)];
        let mut labels: Vec<Label> = Vec::new();
        let mut covering: Vec<&crate::model::Condition> = files
            .iter()
            .flatten()
            .filter_map(|file| by_file.get(file))
            .flatten()
            .copied()
            .filter(|c| c.covers(&f.loc))
            .collect();
        // The closest condition first (a `dynamic` block's before its resource's `count`):
        // a check of the file that sets it reports the finding there.
        covering.sort_by_key(|c| c.span.end.saturating_sub(c.span.start));
        for c in covering {
            let mut add = |label: Label| {
                if !labels.contains(&label) && !f.related.contains(&label) {
                    labels.push(label);
                }
            };
            add(Label {
                loc: c.setting.loc.clone(),
                message: format!("{PRESENT_BECAUSE} {}", quoted(c.setting.as_str())),
            });
            if let Some(via) = c.setting.loc.via.as_deref() {
                add(Label {
                    loc: via.clone(),
                    message: VALUE_SET_HERE.to_string(),
                });
            }
        }
        f.related.extend(labels);
    }
}

/// Findings past which [`sort_and_dedup`] sorts on every thread.
const PARALLEL_SORT_MIN: usize = 4096;

/// Sort findings and drop repeats (one rule, one place), keeping the first. A value written
/// in several places and used in one (a module called twice, a `for_each` over a map) is a
/// finding per place it was written: the places are part of what is repeated.
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    let key = |f: &Finding| (f.loc.file, f.loc.span, f.rule.code);
    // Stable, by key, each finding moved into place once (a finding is large, and a report can
    // hold tens of thousands); on every thread when the list is long. A list already in order
    // (the filter's second pass) is only checked.
    if !findings.is_sorted_by(|a, b| key(a) <= key(b)) {
        if findings.len() >= PARALLEL_SORT_MIN {
            use rayon::slice::ParallelSliceMut;
            findings.par_sort_by_cached_key(key);
        } else {
            findings.sort_by_cached_key(key);
        }
    }
    // Repeats share the sort key, so they are next to each other: each run of one key (a
    // handful of findings) is compared within itself, not hashed across the whole list.
    let place = |l: Option<&Loc>| l.map(|l| (l.file, l.span));
    let mut run = None;
    let mut seen = Vec::new();
    findings.retain(|f| {
        let k = key(f);
        if run != Some(k) {
            run = Some(k);
            seen.clear();
        }
        let written = (place(f.loc.via.as_deref()), place(f.used_at.as_deref()));
        if seen.contains(&written) {
            return false;
        }
        seen.push(written);
        true
    });
    // A value reported where it is written (a data file that Terraform decodes and that is an
    // Atlas body itself) is not reported again through a use of it.
    if findings
        .iter()
        .all(|f| f.loc.via.is_none() && f.used_at.is_none())
    {
        return;
    }
    // The list is in key order: the place a value was written is looked up among the few
    // findings with its key, not hashed with the whole list's.
    let has_direct = |k| {
        let from = findings.partition_point(|g| key(g) < k);
        findings
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|g| key(g) == k)
            .any(|g| g.loc.via.is_none() && g.used_at.is_none())
    };
    let repeated: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let written = match (f.loc.via.as_deref(), &f.used_at) {
                (Some(via), _) => (via.file, via.span),
                (None, Some(_)) => (f.loc.file, f.loc.span),
                (None, None) => return None,
            };
            has_direct((written.0, written.1, f.rule.code)).then_some(i)
        })
        .collect();
    if repeated.is_empty() {
        return;
    }
    let mut i = 0;
    findings.retain(|_| {
        let keep = repeated.binary_search(&i).is_err();
        i += 1;
        keep
    });
}

/// Quote a value for a message.
pub(crate) fn quoted(value: &str) -> String {
    format!("`{value}`")
}

/// The partition of an offered region (`None` for regions AtlasGov does not offer, Azure,
/// and values that are not region names: other rules or nobody report those).
pub(crate) fn region_partition(cloud: Option<&str>, region: &Text) -> Option<Partition> {
    match classify_region(cloud, region.as_str()) {
        RegionClass::Offered(p) => Some(p),
        _ => None,
    }
}

/// Whether a value is written like an enum value (`US1_FED`, `GOV_REGIONS_ONLY`, `us-east-1`):
/// a letter, then letters, digits, `_` or `-`. Placeholders (`${X}`, `{X}`, `<x>`) and
/// expressions are not, and rules that judge enum values leave them alone.
pub(crate) fn is_enum_word(value: &str) -> bool {
    let mut bytes = value.trim().bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Report every use of a product that AtlasGov lacks as a whole, once per body.
pub(crate) fn product_rule(
    rule: &'static Rule,
    model: &Model,
    product: Product,
    help: &'static str,
    out: &mut Vec<Finding>,
) {
    for use_ in model.products.iter().filter(|u| u.product == product) {
        out.push(Finding::new(
            rule,
            &use_.loc,
            format!("this {} is not available in AtlasGov", use_.what),
            help,
        ));
    }
}

/// Report database user scopes of a type that belongs to an unavailable product.
pub(crate) fn scope_rule(
    rule: &'static Rule,
    model: &Model,
    scope_type: &str,
    product: &str,
    help: &'static str,
    out: &mut Vec<Finding>,
) {
    for user in &model.database_users {
        for scope in user.scope_types.iter().filter(|t| t.is(scope_type)) {
            out.push(Finding::new(
                rule,
                &scope.loc,
                format!(
                    "database user scope {} grants access to {product}, which AtlasGov does not have",
                    quoted(scope.as_str())
                ),
                help,
            ));
        }
    }
}

/// Report alert configurations whose event type belongs to an unavailable product.
pub(crate) fn alert_event_rule(
    rule: &'static Rule,
    model: &Model,
    events: &[&str],
    product: &str,
    help: &'static str,
    out: &mut Vec<Finding>,
) {
    for alert in &model.alert_configs {
        let Some(event) = &alert.event_type else {
            continue;
        };
        if events.iter().any(|e| event.is(e)) {
            out.push(Finding::new(
                rule,
                &event.loc,
                format!(
                    "alert event {} is about {product}, which AtlasGov does not have",
                    quoted(event.as_str())
                ),
                help,
            ));
        }
    }
}

#[cfg(test)]
mod placement_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::document::{LineCol, Span};

    fn loc(file: u32, start: u32, via: Option<Loc>) -> Loc {
        Loc {
            file,
            span: Span {
                start,
                end: start + 3,
            },
            start: LineCol {
                line: 1,
                column: start + 1,
            },
            end: LineCol {
                line: 1,
                column: start + 4,
            },
            pointer: "/p".into(),
            via: via.map(Box::new),
        }
    }

    #[test]
    fn a_finding_moves_to_where_its_value_was_written_and_keeps_its_identity() {
        let rule = &gov002::RULE;
        let written = loc(1, 10, None);
        let used = loc(0, 5, Some(written.clone()));
        let f = Finding::new(rule, &used, "m".into(), "h");
        assert_eq!(f.written(), Some(&written));
        assert_eq!(f.related[0].message, VALUE_SET_HERE);
        let moved = f.at_written_place();
        assert_eq!(moved.loc, written);
        assert_eq!(moved.written(), Some(&written));
        assert_eq!(moved.identity(), &loc(0, 5, None));
        assert_eq!(moved.related.len(), 1);
        assert_eq!(moved.related[0].message, VALUE_USED_HERE);
        assert_eq!(moved.related[0].loc.file, 0);
        // Without an indirection there is nothing to move.
        let plain = Finding::new(rule, &written, "m".into(), "h").at_written_place();
        assert_eq!((plain.loc.file, plain.used_at.is_none()), (1, true));
    }

    #[test]
    fn one_use_fed_from_two_places_is_two_findings() {
        let rule = &gov002::RULE;
        let a = loc(0, 5, Some(loc(1, 10, None)));
        let b = loc(0, 5, Some(loc(2, 10, None)));
        let mut findings = vec![
            Finding::new(rule, &a, "m".into(), "h"),
            Finding::new(rule, &b, "m".into(), "h"),
            Finding::new(rule, &a, "m".into(), "h"),
        ];
        sort_and_dedup(&mut findings);
        let written: Vec<u32> = findings.iter().map(|f| f.written().unwrap().file).collect();
        assert_eq!(written, [1, 2]);
    }

    /// Sorted stably by place and rule, the first of each repeat kept: the same list a
    /// sort of the whole and one set of everything seen give, on one thread or several,
    /// given in order or not.
    #[test]
    fn sorting_and_dropping_repeats_keeps_the_first_of_each() {
        let rules = [&gov002::RULE, &gov006::RULE];
        let n = PARALLEL_SORT_MIN + 500;
        let make = |i: u32| {
            let via = i.is_multiple_of(3).then(|| loc(9, i % 5, None));
            let mut f = Finding::new(
                rules[(i % 2) as usize],
                &loc(i % 4, (i * 7) % 13, via),
                format!("m{i}"),
                "h",
            );
            if i.is_multiple_of(11) {
                f.used_at = Some(Box::new(loc(8, i % 2, None)));
            }
            f
        };
        let key = |f: &Finding| {
            let place = |l: Option<&Loc>| l.map(|l| (l.file, l.span));
            (
                f.loc.file,
                f.loc.span,
                f.rule.code,
                place(f.loc.via.as_deref()),
                place(f.used_at.as_deref()),
            )
        };
        for count in [200, n] {
            let mut findings: Vec<Finding> = (0..count as u32).map(make).collect();
            let mut expected: Vec<&Finding> = findings.iter().collect();
            expected.sort_by_key(|f| (f.loc.file, f.loc.span, f.rule.code));
            let mut seen = std::collections::HashSet::new();
            expected.retain(|f| seen.insert(key(f)));
            // Not again through a use where it is reported where it is written.
            let direct: std::collections::HashSet<_> = expected
                .iter()
                .filter(|f| f.loc.via.is_none() && f.used_at.is_none())
                .map(|f| (f.rule.code, f.loc.file, f.loc.span))
                .collect();
            expected.retain(|f| match (f.loc.via.as_deref(), &f.used_at) {
                (Some(via), _) => !direct.contains(&(f.rule.code, via.file, via.span)),
                (None, Some(_)) => !direct.contains(&(f.rule.code, f.loc.file, f.loc.span)),
                (None, None) => true,
            });
            let expected: Vec<String> = expected.iter().map(|f| f.message.clone()).collect();
            sort_and_dedup(&mut findings);
            let got: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
            assert!(got.len() < count, "{count}: repeats are dropped");
            assert_eq!(got, expected, "{count} findings");
            // Again, in order now: unchanged.
            sort_and_dedup(&mut findings);
            let again: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
            assert_eq!(again, expected, "{count} findings, sorted already");
        }
    }

    #[test]
    fn a_condition_labels_what_it_creates_and_takes_the_finding_where_it_is_set() {
        let rule = &gov002::RULE;
        // File 0: a resource (bytes 0..100) whose `count` uses a value set in file 1.
        let tfvars = loc(1, 20, None);
        let setting = Text {
            value: "true".into(),
            loc: loc(0, 2, Some(tfvars.clone())),
        };
        let model = Model {
            conditions: vec![crate::model::Condition {
                file: 0,
                span: Span { start: 0, end: 100 },
                setting,
            }],
            ..Model::default()
        };
        let inside = Finding::new(rule, &loc(0, 50, None), "m".into(), "h");
        let outside = Finding::new(rule, &loc(0, 150, None), "m".into(), "h");
        let mut findings = vec![inside, outside];
        label_conditions(&model, &mut findings);
        let messages: Vec<&str> = findings[0]
            .related
            .iter()
            .map(|l| l.message.as_str())
            .collect();
        assert_eq!(
            messages,
            ["present because this condition is `true`", VALUE_SET_HERE]
        );
        assert!(findings[1].related.is_empty());
        // Only file 1 given: the finding is reported at the tfvars value, once there.
        let moved = findings
            .remove(0)
            .at_related_place(|f| f == 1, false)
            .unwrap();
        assert_eq!(moved.loc, tfvars);
        assert_eq!(moved.identity().span.start, 50);
        assert!(moved.related.iter().all(|l| l.loc.span != tfvars.span));
        // A label in the file given that is no setting written elsewhere moves a finding only
        // in a rendering (`direct`).
        let plain = Finding::new(rule, &loc(0, 50, None), "m".into(), "h")
            .with_label(&loc(1, 30, None), "project is for gov regions");
        assert!(plain.clone().at_related_place(|f| f == 1, false).is_none());
        let moved = plain.at_related_place(|f| f == 1, true).unwrap();
        assert_eq!((moved.loc.file, moved.loc.span.start), (1, 30));
    }
}
