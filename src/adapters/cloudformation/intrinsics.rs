//! Intrinsic functions and parameters: what a property value is (`Ref`, `Fn::*`, the short
//! forms `!Ref`, `!GetAtt`, `!Sub`, `!FindInMap`, ...), and the [`Template`] that resolves
//! them against its `Parameters` defaults, `Mappings` and resources.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{Resource, literal_type};
use crate::document::{Cursor, Value};
use crate::model::link::is_object_id;
use crate::model::{
    Allows, Condition, Field, Loc, LocCtx, Model, Note, Origin, ProjectRef, Text, WrittenNote,
};

/// The longest unresolved expression kept as text (longer ones are cut with `…`).
pub(super) const MAX_EXPR: usize = 60;

/// What a property value is, before anything is made of it.
pub(super) enum Expr<'a> {
    /// Absent in effect: `null`, or `Ref: AWS::NoValue`.
    Null,
    /// An untagged scalar.
    Literal,
    /// An intrinsic function: its name without `Fn::` (`Ref`, `GetAtt`, `If`, ...) and its
    /// argument (for a short-form tag, the tagged node itself).
    Call(&'a str, Cursor<'a>),
    /// An untagged sequence or mapping.
    Collection,
}

/// A single-key mapping whose key is an intrinsic function (`Ref`, `Fn::*`, `Condition`).
pub(super) fn long_form<'a>(cur: &Cursor<'a>) -> Option<(&'a str, Cursor<'a>)> {
    let [entry] = cur.node.as_map()? else {
        return None;
    };
    let key = entry.key.as_str()?;
    let name = match key {
        "Ref" | "Condition" => key,
        _ => key.strip_prefix("Fn::")?,
    };
    Some((name, cur.get(key)?))
}

pub(super) fn is_intrinsic(cur: &Cursor<'_>) -> bool {
    cur.node.tag.is_some() || long_form(cur).is_some()
}

pub(super) fn expr<'a>(cur: &Cursor<'a>) -> Expr<'a> {
    let call = match &cur.node.tag {
        // `!!Ref` (an unknown core tag) arrives as `!Ref`.
        Some(tag) => Some((tag.trim_start_matches('!'), cur.clone())),
        None => long_form(cur),
    };
    if let Some((name, arg)) = call {
        if name == "Ref" && arg.node.as_str() == Some("AWS::NoValue") {
            return Expr::Null;
        }
        return Expr::Call(name, arg);
    }
    match cur.node.value {
        Value::Null => Expr::Null,
        Value::Seq(_) | Value::Map(_) => Expr::Collection,
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Expr::Literal,
    }
}

/// A child of a literal mapping; never looks inside an intrinsic function.
pub(super) fn child<'a>(cur: &Cursor<'a>, key: &str) -> Option<Cursor<'a>> {
    if is_intrinsic(cur) {
        return None;
    }
    cur.get(key)
}

/// The elements of a literal sequence that are not themselves intrinsics (a `!If` element is
/// unknown, so it is left out rather than guessed).
pub(super) fn items<'a>(cur: Option<&Cursor<'a>>) -> Vec<Cursor<'a>> {
    match cur {
        Some(c) if !is_intrinsic(c) => c.items().filter(|i| !is_intrinsic(i)).collect(),
        _ => Vec::new(),
    }
}

/// A property value made into model text.
pub(super) enum Resolved {
    Absent,
    /// A literal, or a parameter's literal default.
    Known(Text),
    /// Anything else, as an unresolved expression no rule recognises.
    Unknown(Text),
}

pub(super) struct Template<'t> {
    pub(super) ctx: &'t LocCtx<'t>,
    /// Parameter name → its `Default`, when that is a literal scalar and the parameter is not
    /// a list.
    pub(super) defaults: HashMap<&'t str, Cursor<'t>>,
    /// Logical id → `Type`, for resources whose type is a literal string.
    pub(super) types: HashMap<&'t str, &'t str>,
    /// Logical id → index of its last entry in `entries`.
    pub(super) last: HashMap<&'t str, usize>,
    /// The entries of `Resources`, those `Fn::ForEach` loops write included (see
    /// [`super::resource_entries`]).
    pub(super) entries: Vec<(Cursor<'t>, Cursor<'t>)>,
    /// The template's `Mappings`, for `Fn::FindInMap` with known keys.
    pub(super) mappings: Option<Cursor<'t>>,
    /// The template's `Conditions` by name (with duplicate names the last one counts, as for
    /// parameters and resources), for `Fn::If` and a resource's `Condition` decided by
    /// literals and parameter defaults.
    conditions: HashMap<&'t str, Cursor<'t>>,
    /// The parts of the template that exist because a condition was decided (see
    /// [`Template::decided_into`]).
    decided: RefCell<Vec<Condition>>,
    /// Each condition's value once worked out (`None` while it is: a cycle is undecided), so
    /// that conditions built from conditions cost their size, not their expansion.
    memo: RefCell<HashMap<String, Option<Decided>>>,
}

/// A condition's value, with where a default that decided it was written.
type Decided = (bool, Option<Loc>);

/// How deep `Condition` references may nest (a cycle is a template error; this bounds it).
const MAX_CONDITION_DEPTH: usize = 16;

/// How many decided parts one template records (each a label on the findings inside).
const MAX_DECIDED: usize = 10_000;

impl<'t> Template<'t> {
    pub(super) fn new(
        ctx: &'t LocCtx<'t>,
        root: &Cursor<'t>,
        resources: &Cursor<'t>,
    ) -> Template<'t> {
        let mut defaults = HashMap::new();
        if let Some(params) = root.get("Parameters") {
            for (key, param) in params.entries() {
                let Some(name) = key.node.scalar_text() else {
                    continue;
                };
                let is_list = param
                    .node
                    .get("Type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| {
                        t.starts_with("List<") || t == "CommaDelimitedList" || t.contains("::List<")
                    });
                let default = param
                    .get("Default")
                    .filter(|d| matches!(expr(d), Expr::Literal));
                match default {
                    Some(d) if !is_list => {
                        defaults.insert(name, d);
                    }
                    // A later duplicate without a default hides an earlier one.
                    _ => {
                        defaults.remove(name);
                    }
                }
            }
        }
        // A loop's identifier named like a parameter: `!Ref` of that name inside the loop is
        // the loop's item, so the parameter's default is not read for it (anywhere: unknown
        // rather than guessed).
        let (entries, identifiers) = super::resource_entries(resources);
        for identifier in identifiers {
            defaults.remove(identifier);
        }
        let mut types = HashMap::new();
        let mut last = HashMap::new();
        for (i, (key, res)) in entries.iter().enumerate() {
            let Some(id) = key.node.scalar_text() else {
                continue;
            };
            last.insert(id, i);
            match literal_type(res) {
                Some(ty) => types.insert(id, ty),
                None => types.remove(id),
            };
        }
        Template {
            ctx,
            defaults,
            types,
            last,
            entries,
            mappings: root.get("Mappings"),
            conditions: root
                .get("Conditions")
                .iter()
                .flat_map(|c| c.entries())
                .filter_map(|(key, body)| Some((key.node.scalar_text()?, body)))
                .collect(),
            decided: RefCell::new(Vec::new()),
            memo: RefCell::new(HashMap::new()),
        }
    }

    /// The value of the template's condition `name`, when literals and parameter defaults
    /// decide it, with where a default that decided it was written.
    pub(super) fn condition(&self, name: &str) -> Option<Decided> {
        self.condition_at(name, 0)
    }

    fn condition_at(&self, name: &str, depth: usize) -> Option<Decided> {
        if let Some(known) = self.memo.borrow().get(name) {
            return known.clone();
        }
        if depth > MAX_CONDITION_DEPTH {
            return None;
        }
        let body = self.conditions.get(name)?.clone();
        self.memo.borrow_mut().insert(name.to_string(), None);
        let value = self.decide(&body, depth + 1);
        self.memo
            .borrow_mut()
            .insert(name.to_string(), value.clone());
        value
    }

    /// A condition function (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`) over
    /// what is known: `None` when anything it needs is not.
    fn decide(&self, cur: &Cursor<'_>, depth: usize) -> Option<Decided> {
        if depth > MAX_CONDITION_DEPTH {
            return None;
        }
        let Expr::Call(name, arg) = expr(cur) else {
            return None;
        };
        match name {
            "Condition" => self.condition_at(arg.node.as_str()?, depth + 1),
            "Equals" => {
                let operands: Vec<Cursor<'_>> = arg.items().collect();
                let [a, b] = operands.as_slice() else {
                    return None;
                };
                let (Resolved::Known(a), Resolved::Known(b)) =
                    (self.resolve(Some(a.clone())), self.resolve(Some(b.clone())))
                else {
                    return None;
                };
                let via = a.loc.via.or(b.loc.via).map(|v| *v);
                Some((a.value == b.value, via))
            }
            "Not" => {
                let operands: Vec<Cursor<'_>> = arg.items().collect();
                let [c] = operands.as_slice() else {
                    return None;
                };
                self.decide(c, depth + 1).map(|(v, via)| (!v, via))
            }
            "And" | "Or" => {
                // The operand that settles it (a false one for `And`, a true one for `Or`)
                // settles it even when another is unknown.
                let settles = name == "Or";
                let mut unknown = false;
                let mut via = None;
                for c in arg.items() {
                    match self.decide(&c, depth + 1) {
                        Some((v, w)) if v == settles => return Some((v, w)),
                        Some((_, w)) => via = via.or(w),
                        None => unknown = true,
                    }
                }
                (!unknown).then_some((!settles, via))
            }
            _ => None,
        }
    }

    /// The branch a `Fn::If` takes, when its condition is decided, recorded as a part that
    /// exists by that condition (a finding inside it is labelled with the condition).
    fn branch<'c>(&self, arg: &Cursor<'c>) -> Option<Cursor<'c>> {
        let parts: Vec<Cursor<'c>> = arg.items().collect();
        let [name, then, otherwise] = parts.as_slice() else {
            return None;
        };
        let (holds, via) = self.condition(name.node.as_str()?)?;
        let chosen = if holds { then } else { otherwise };
        self.record(chosen.node.span, name, holds, via);
        Some(chosen.clone())
    }

    /// Record that the part of the template at `span` exists because the condition named at
    /// `name` is `holds`.
    pub(super) fn record(
        &self,
        span: crate::document::Span,
        name: &Cursor<'_>,
        holds: bool,
        via: Option<Loc>,
    ) {
        let mut decided = self.decided.borrow_mut();
        if decided.len() >= MAX_DECIDED {
            return;
        }
        let mut loc = self.ctx.loc(name);
        loc.via = via.map(Box::new);
        decided.push(Condition {
            file: self.ctx.file,
            span,
            setting: Field {
                value: if holds { "true" } else { "false" }.into(),
                loc,
            },
        });
    }

    /// Hand the parts decided by conditions to the model.
    pub(super) fn decided_into(&self, out: &mut Model) {
        out.conditions.append(&mut self.decided.borrow_mut());
    }

    pub(super) fn resolve(&self, cur: Option<Cursor<'_>>) -> Resolved {
        let Some(cur) = cur else {
            return Resolved::Absent;
        };
        match expr(&cur) {
            Expr::Null => Resolved::Absent,
            Expr::Literal => match self.ctx.text(Some(cur)) {
                Some(t) => Resolved::Known(t),
                None => Resolved::Absent,
            },
            Expr::Call("Ref", arg) => {
                let default = arg.node.as_str().and_then(|p| self.defaults.get(p));
                match default.and_then(|d| d.text().map(|v| (d, v))) {
                    Some((d, value)) => {
                        let mut loc = self.ctx.loc(&cur);
                        loc.via = Some(Box::new(self.ctx.loc(d)));
                        Resolved::Known(Field {
                            value: value.into(),
                            loc,
                        })
                    }
                    None => Resolved::Unknown(self.unresolved(&cur, "Ref", &arg)),
                }
            }
            Expr::Call("FindInMap", arg) => match self.find_in_map(&arg) {
                Some(leaf) => match leaf.text() {
                    Some(value) => {
                        let mut loc = self.ctx.loc(&cur);
                        loc.via = Some(Box::new(self.ctx.loc(&leaf)));
                        Resolved::Known(Field {
                            value: value.into(),
                            loc,
                        })
                    }
                    None => Resolved::Unknown(self.unresolved(&cur, "FindInMap", &arg)),
                },
                None => Resolved::Unknown(self.unresolved(&cur, "FindInMap", &arg)),
            },
            Expr::Call("If", arg) => match self.branch(&arg) {
                Some(chosen) => self.resolve(Some(chosen)),
                None => Resolved::Unknown(self.unresolved(&cur, "If", &arg)),
            },
            Expr::Call(name, arg) => Resolved::Unknown(self.unresolved(&cur, name, &arg)),
            Expr::Collection => Resolved::Unknown(Field {
                value: if cur.node.as_seq().is_some() {
                    "[…]".into()
                } else {
                    "{…}".into()
                },
                loc: self.ctx.loc(&cur),
            }),
        }
    }

    /// What the template says about its parameters' defaults, for fixes that edit them: the
    /// restrictions of each parameter (`AllowedValues`, `AllowedPattern`, `MinLength`,
    /// `MaxLength`), and every use the model keeps no text for (each `Ref` and each `!Sub`
    /// naming it, outside `Parameters`; the uses that became model texts are told apart by
    /// where they are).
    pub(super) fn written_notes(&self, root: &Cursor<'t>, out: &mut Model) {
        if self.defaults.is_empty() && self.mappings.is_none() {
            return;
        }
        let mut notes: Vec<WrittenNote> = Vec::new();
        // A note about parameter `name`'s default (none for a parameter without one).
        let note = |name: &str, note: Note| {
            let default = self.defaults.get(name)?;
            Some(WrittenNote::at(&self.ctx.loc(default), note))
        };
        for (key, param) in root.get("Parameters").iter().flat_map(|p| p.entries()) {
            let Some(name) = key.node.scalar_text() else {
                continue;
            };
            if !self.defaults.contains_key(name) {
                continue;
            }
            if let Some(values) = param.get("AllowedValues") {
                let allowed: Option<Vec<String>> = values
                    .items()
                    .map(|v| v.text().map(str::to_string))
                    .collect();
                let allows = match allowed {
                    Some(list) if values.node.as_seq().is_some() => Allows::OneOf(list),
                    _ => Allows::Unknown,
                };
                notes.extend(note(
                    name,
                    restricted(self.ctx, &values, "parameter's AllowedValues", allows),
                ));
            }
            if let Some(pattern) = param.get("AllowedPattern") {
                let allows = pattern
                    .str()
                    .map_or(Allows::Unknown, |p| Allows::Pattern(p.to_string()));
                notes.extend(note(
                    name,
                    restricted(self.ctx, &pattern, "parameter's AllowedPattern", allows),
                ));
            }
            let bound = |k: &str| {
                param
                    .get(k)
                    .and_then(|v| v.text()?.trim().parse::<usize>().ok())
            };
            let (min, max) = (bound("MinLength"), bound("MaxLength"));
            if min.is_some() || max.is_some() {
                let at = param.get("MaxLength").or_else(|| param.get("MinLength"));
                if let Some(at) = at {
                    notes.extend(note(
                        name,
                        restricted(
                            self.ctx,
                            &at,
                            "parameter's length bounds",
                            Allows::Length { min, max },
                        ),
                    ));
                }
            }
        }
        // Every use outside `Parameters`, with an explicit stack (a deep template must not
        // exhaust the call stack).
        let mut stack: Vec<Cursor<'t>> = root
            .entries()
            .filter(|(k, _)| k.node.scalar_text() != Some("Parameters"))
            .map(|(_, v)| v)
            .collect();
        while let Some(cur) = stack.pop() {
            match expr(&cur) {
                Expr::Call("Ref", arg) => {
                    if let Some(name) = arg.node.as_str() {
                        notes.extend(note(name, Note::UsedAt(self.ctx.loc(&cur))));
                    }
                    continue;
                }
                Expr::Call("FindInMap", arg) => {
                    // A mapping's value, used here (in a `!Join`, a `!Sub`'s variables, or as a
                    // property's value, told apart by where it is).
                    if let Some(leaf) = self.find_in_map(&arg) {
                        let used = Note::UsedAt(self.ctx.loc(&cur));
                        notes.push(WrittenNote::at(&self.ctx.loc(&leaf), used));
                    }
                    // Its keys may be parameters (`!FindInMap [Names, !Ref Site, Name]`).
                    stack.extend(arg.items());
                    continue;
                }
                Expr::Call("Sub", arg) => {
                    let (template, locals) = match arg.node.as_seq() {
                        Some(_) => {
                            let mut parts = arg.items();
                            (parts.next(), parts.next())
                        }
                        None => (Some(arg.clone()), None),
                    };
                    if let Some(text) = template.as_ref().and_then(|t| t.str()) {
                        let mut seen = Vec::new();
                        for name in sub_names(text) {
                            let local = locals.as_ref().is_some_and(|l| l.get(name).is_some());
                            if !local && !seen.contains(&name) {
                                seen.push(name);
                                notes.extend(note(name, Note::UsedAt(self.ctx.loc(&cur))));
                            }
                        }
                    }
                    // Its variables' map may use parameters too.
                    if let Some(l) = locals {
                        stack.push(l);
                    }
                    continue;
                }
                Expr::Call(_, arg) if cur.node.tag.is_some() => {
                    // A short-form tag's argument is the node itself: walk its children.
                    stack.extend(arg.items());
                    stack.extend(arg.entries().map(|(_, v)| v));
                    continue;
                }
                _ => {}
            }
            stack.extend(cur.items());
            stack.extend(cur.entries().map(|(_, v)| v));
        }
        out.written_notes.extend(notes);
    }

    /// A parameter's literal `Default`, located there.
    pub(super) fn parameter(&self, name: &str) -> Resolved {
        match self
            .defaults
            .get(name)
            .and_then(|d| self.ctx.text(Some(d.clone())))
        {
            Some(t) => Resolved::Known(t),
            None => Resolved::Absent,
        }
    }

    /// The literal leaf `Fn::FindInMap: [Map, TopKey, SecondKey]` selects, when the map is
    /// literal and each key is literal or a parameter with a literal default (as `Ref` is
    /// resolved). `AWS::Region` and other pseudo parameters, and a `DefaultValue` option the
    /// keys would fall back to, leave it unknown.
    pub(super) fn find_in_map(&self, arg: &Cursor<'t>) -> Option<Cursor<'t>> {
        let parts: Vec<Cursor<'t>> = arg.items().collect();
        let [map, top, second] = parts.as_slice() else {
            return None;
        };
        let key = |c: &Cursor<'t>| -> Option<&'t str> {
            match expr(c) {
                Expr::Literal => c.node.scalar_text(),
                Expr::Call("Ref", a) => self.defaults.get(a.node.as_str()?)?.node.scalar_text(),
                _ => None,
            }
        };
        let leaf = self
            .mappings
            .as_ref()
            .filter(|m| !is_intrinsic(m))?
            .get(key(map)?)
            .filter(|m| !is_intrinsic(m))?
            .get(key(top)?)
            .filter(|m| !is_intrinsic(m))?
            .get(key(second)?)?;
        matches!(expr(&leaf), Expr::Literal).then_some(leaf)
    }

    /// An intrinsic as text for the model: `!Ref Param`, `!GetAtt Res.Attr`, `!Sub …`. Only
    /// the names of `Ref` and `GetAtt` are shown: the text of any other function's argument
    /// is never handed on, so no rule can mistake a part of it for a value.
    pub(super) fn unresolved(&self, cur: &Cursor<'_>, name: &str, arg: &Cursor<'_>) -> Text {
        let mut value = match arg.node.scalar_text() {
            Some(a) if name == "Ref" || name == "GetAtt" => format!("!{name} {a}"),
            _ => format!("!{name} …"),
        };
        if value.chars().count() > MAX_EXPR {
            value = value.chars().take(MAX_EXPR - 1).collect::<String>() + "…";
        }
        Field {
            value: value.into(),
            loc: self.ctx.loc(cur),
        }
    }

    /// A value a rule judges: known, or the unresolved expression (so that "set to something
    /// unknown" is never mistaken for "absent").
    pub(super) fn value(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        match self.resolve(cur) {
            Resolved::Absent => None,
            Resolved::Known(t) | Resolved::Unknown(t) => Some(t),
        }
    }

    /// A value only when it is known (names, node counts).
    pub(super) fn known(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        match self.resolve(cur) {
            Resolved::Known(t) => Some(t),
            Resolved::Absent | Resolved::Unknown(_) => None,
        }
    }

    pub(super) fn key(&self, logical_id: &str) -> String {
        format!("cfn:{}:{logical_id}", self.ctx.path.display())
    }

    pub(super) fn is_project(&self, logical_id: &str) -> bool {
        self.types.get(logical_id) == Some(&"MongoDB::Atlas::Project")
    }

    /// How a `ProjectId` names its project.
    pub(super) fn project_ref(&self, cur: Option<Cursor<'_>>) -> ProjectRef {
        let Some(cur) = cur else {
            return ProjectRef::Unknown;
        };
        let target = match expr(&cur) {
            // A decided condition's branch (`!If [CreateProject, !GetAtt P.Id, !Ref Existing]`).
            Expr::Call("If", arg) => {
                return match self.branch(&arg) {
                    Some(chosen) => self.project_ref(Some(chosen)),
                    None => ProjectRef::Unknown,
                };
            }
            Expr::Call("Ref", arg) => arg.node.as_str().map(|id| (id, "Id")),
            Expr::Call("GetAtt", arg) => match &arg.node.value {
                Value::String(s) => s.split_once('.'),
                Value::Seq(parts) => match parts.as_slice() {
                    [id, attr] if id.tag.is_none() && attr.tag.is_none() => {
                        id.as_str().zip(attr.as_str())
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        if let Some((id, attr)) = target {
            if self.is_project(id) {
                return if attr == "Id" {
                    ProjectRef::Key(self.key(id))
                } else {
                    ProjectRef::Unknown
                };
            }
        }
        match self.resolve(Some(cur)) {
            Resolved::Known(id) if is_object_id(id.as_str()) => ProjectRef::Id(Box::new(id)),
            _ => ProjectRef::Unknown,
        }
    }

    /// A restore job's `TargetProjectId`: a template project's key (`!Ref P`, `!GetAtt P.Id`)
    /// pointing at the reference, or a literal Atlas id.
    pub(super) fn restore_target(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        let loc = cur.as_ref().map(|c| self.ctx.loc(c))?;
        match self.project_ref(cur) {
            ProjectRef::Key(key) => Some(Field {
                value: key.into(),
                loc,
            }),
            ProjectRef::Id(id) => Some(*id),
            _ => None,
        }
    }

    pub(super) fn origin(&self, r: &Resource<'_>) -> Origin {
        self.origin_by(r, "ProjectId")
    }

    pub(super) fn origin_by(&self, r: &Resource<'_>, key: &str) -> Origin {
        Origin {
            body: r.anchor.clone(),
            project_ref: self.project_ref(r.prop(key)),
            project: None,
        }
    }
}

/// A restriction note, located at the restriction.
fn restricted(ctx: &LocCtx<'_>, at: &Cursor<'_>, what: &'static str, allows: Allows) -> Note {
    Note::Restricted {
        at: ctx.loc(at),
        what,
        allows,
    }
}

/// The names `${Name}` of a `Fn::Sub` string refers to (not `${!Literal}`, not
/// `${Resource.Attribute}`, not `${AWS::Region}`).
fn sub_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("${").skip(1).filter_map(|rest| {
        let name = rest.split('}').next()?.trim();
        let plain = !name.is_empty()
            && !name.starts_with('!')
            && !name.contains(['.', ':'])
            && rest.contains('}');
        plain.then_some(name)
    })
}
