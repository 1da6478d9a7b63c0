//! Values as far as they are known before `apply`, each known scalar with where it was
//! written; and the tree a resource body becomes once its expressions are evaluated, for the
//! builders.

use std::sync::Arc;

use crate::document::hcl_expr::Expr;
use crate::document::{Cursor, Entry, Node, Value};
use crate::model::{FileId, Loc, LocCtx, Text};

/// Most scalars one value holds (a larger literal is [`Val::Unknown`]).
pub(super) const MAX_LEAVES: usize = 4096;

/// A value.
#[derive(Debug, Clone)]
pub(super) enum Val {
    /// A scalar, located where it is used, [`Loc::via`] where it was written when that is
    /// elsewhere.
    Known(Text, Scalar),
    Null,
    List(Arc<[Val]>),
    /// Keys are located too (`each.key`).
    Map(Arc<[(Text, Val)]>),
    /// A resource's attribute (`mongodbatlas_project.gov.id`), known to be that, not its value.
    Ref(Arc<Ref>),
    /// Not known; where it is used and how it is written there, when that is known.
    Unknown(Option<Box<Text>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scalar {
    Str,
    Num,
    Bool,
}

/// A reference to a resource of the same module instance.
#[derive(Debug, Clone)]
pub(super) struct Ref {
    pub(super) ty: Box<str>,
    /// The first attribute after the resource (`id`, `project_id`), if any.
    pub(super) attr: Option<Box<str>>,
    /// The resource's key (`tf:<instance>:<type>.<name>`).
    pub(super) key: Box<str>,
    /// Where it is used, as written there.
    pub(super) at: Option<Text>,
}

impl Val {
    pub(super) fn unknown() -> Val {
        Val::Unknown(None)
    }

    pub(super) fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown(_) | Val::Ref(_))
    }

    /// Every known scalar it holds (keys of maps not included).
    pub(super) fn for_each_text(&self, f: &mut dyn FnMut(&Text)) {
        match self {
            Val::Known(t, _) => f(t),
            Val::List(items) => items.iter().for_each(|v| v.for_each_text(f)),
            Val::Map(entries) => entries.iter().for_each(|(_, v)| v.for_each_text(f)),
            Val::Null | Val::Ref(_) | Val::Unknown(_) => {}
        }
    }

    pub(super) fn as_text(&self) -> Option<&Text> {
        match self {
            Val::Known(t, _) => Some(t),
            _ => None,
        }
    }

    /// A known boolean (`true`, `"true"`).
    pub(super) fn as_bool(&self) -> Option<bool> {
        match self.as_text()?.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    pub(super) fn as_number(&self) -> Option<f64> {
        self.as_text()?.as_str().trim().parse().ok()
    }

    /// The entry `key` of an object.
    pub(super) fn attr(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalars a value holds, counted up to `limit`.
    pub(super) fn leaves(&self, limit: usize) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            match v {
                Val::List(items) => stack.extend(items.iter()),
                Val::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
                _ => n += 1,
            }
            if n > limit {
                break;
            }
        }
        n
    }

    /// The same value used at `at` (written `source` there): every scalar is located at the
    /// use, with where it was written as [`Loc::via`] (kept from an earlier use).
    pub(super) fn used_at(&self, at: &Loc, source: &str) -> Val {
        match self {
            Val::Known(t, kind) => Val::Known(relocate(t, at), *kind),
            Val::Null => Val::Null,
            Val::List(items) => Val::List(items.iter().map(|v| v.used_at(at, source)).collect()),
            Val::Map(entries) => Val::Map(
                entries
                    .iter()
                    .map(|(k, v)| (relocate(k, at), v.used_at(at, source)))
                    .collect(),
            ),
            Val::Ref(r) => Val::Ref(Arc::new(Ref {
                at: Some(Text {
                    value: source.into(),
                    loc: at.clone(),
                }),
                ..(**r).clone()
            })),
            Val::Unknown(_) => Val::Unknown(Some(Box::new(Text {
                value: source.into(),
                loc: at.clone(),
            }))),
        }
    }
}

fn relocate(t: &Text, at: &Loc) -> Text {
    let written = match &t.loc.via {
        Some(via) => (**via).clone(),
        // Used where it is written: nothing to add.
        None if t.loc.file == at.file && t.loc.span == at.span => return t.clone(),
        None => t.loc.clone(),
    };
    Text {
        value: t.value.clone(),
        loc: Loc {
            via: Some(Box::new(written)),
            ..at.clone()
        },
    }
}

/// A literal value of a document (a variable's default, a tfvars assignment): every scalar at
/// its place. An expression in it is unknown; past [`MAX_LEAVES`] scalars the whole is.
pub(super) fn literal(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> Val {
    let mut budget = MAX_LEAVES;
    literal_within(ctx, cur, &mut budget, 0).unwrap_or_else(Val::unknown)
}

/// Scalars a decoded data file may hold (see [`super::data`]): a file of settings for every
/// cluster of an organisation is larger than a variable's value, and only the parts used are
/// copied on.
pub(super) const MAX_DATA_LEAVES: usize = 1 << 18;

/// The value of a data file's document as `yamldecode` (`yaml`) or `jsondecode` gives it:
/// [`literal`], with YAML 1.1's booleans for plain scalars as Terraform's decoder reads them
/// (`yes`, `no`, `on`, `off`, `y`, `n` in any of their spellings: `gov: yes` is `true`).
pub(super) fn decoded(ctx: &LocCtx<'_>, cur: &Cursor<'_>, yaml: bool) -> Val {
    let mut budget = MAX_DATA_LEAVES;
    let v = literal_within(ctx, cur, &mut budget, 0).unwrap_or_else(Val::unknown);
    if yaml { yaml11_booleans(ctx, v, 0) } else { v }
}

fn yaml11_booleans(ctx: &LocCtx<'_>, v: Val, depth: usize) -> Val {
    match v {
        Val::Known(t, Scalar::Str) => {
            // Plain: the text where the value is written is the value itself, unquoted.
            let written = ctx
                .text
                .get(t.loc.span.start as usize..t.loc.span.end as usize)
                .unwrap_or("");
            let value = match written {
                "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some("true"),
                "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some("false"),
                _ => None,
            };
            match value {
                Some(b) if written == t.as_str() => Val::Known(
                    Text {
                        value: crate::model::intern_value(b),
                        loc: t.loc,
                    },
                    Scalar::Bool,
                ),
                _ => Val::Known(t, Scalar::Str),
            }
        }
        Val::List(items) if depth < 256 => Val::List(
            items
                .iter()
                .map(|i| yaml11_booleans(ctx, i.clone(), depth + 1))
                .collect(),
        ),
        Val::Map(entries) if depth < 256 => Val::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), yaml11_booleans(ctx, v.clone(), depth + 1)))
                .collect(),
        ),
        other => other,
    }
}

fn literal_within(
    ctx: &LocCtx<'_>,
    cur: &Cursor<'_>,
    budget: &mut usize,
    depth: usize,
) -> Option<Val> {
    // Documents are depth-limited by their parsers; this is a second guard.
    if depth > 256 {
        return None;
    }
    Some(match &cur.node.value {
        Value::Null => Val::Null,
        Value::Seq(_) => {
            let mut items = Vec::new();
            for item in cur.items() {
                items.push(literal_within(ctx, &item, budget, depth + 1)?);
            }
            Val::List(items.into())
        }
        Value::Map(_) => {
            let mut entries = Vec::new();
            for (k, v) in cur.entries() {
                let key = ctx.text(Some(k))?;
                entries.push((key, literal_within(ctx, &v, budget, depth + 1)?));
            }
            Val::Map(entries.into())
        }
        _ => {
            *budget = budget.checked_sub(1)?;
            match scalar(cur.node) {
                Some(kind) => match ctx.text(Some(cur.clone())) {
                    Some(t) => Val::Known(t, kind),
                    None => Val::unknown(),
                },
                None => Val::Unknown(Some(Box::new(Text {
                    value: cur.node.expr_source().unwrap_or("…").into(),
                    loc: ctx.loc(cur),
                }))),
            }
        }
    })
}

/// A block body (`base`) with an override block's arguments (`over`) merged in as Terraform
/// merges an override file: each argument, or every nested block of a type, that `over`
/// writes replaces `base`'s at its place; the others are kept.
pub(super) fn overridden(base: &Val, over: &Val) -> Val {
    let (Val::Map(base), Val::Map(over)) = (base, over) else {
        return base.clone();
    };
    fn written<'a>(over: &'a [(Text, Val)], key: &'a str) -> impl Iterator<Item = &'a (Text, Val)> {
        over.iter().filter(move |(k, _)| k.as_str() == key)
    }
    let mut entries: Vec<(Text, Val)> = Vec::with_capacity(base.len() + over.len());
    let mut placed: Vec<&str> = Vec::new();
    for (k, v) in base.iter() {
        let key = k.as_str();
        if written(over, key).next().is_none() {
            entries.push((k.clone(), v.clone()));
        } else if !placed.contains(&key) {
            placed.push(key);
            entries.extend(written(over, key).cloned());
        }
    }
    for (k, v) in over.iter() {
        if !base.iter().any(|(b, _)| b.as_str() == k.as_str()) {
            entries.push((k.clone(), v.clone()));
        }
    }
    Val::Map(entries.into())
}

/// The kind of a literal scalar node; `None` for an expression.
pub(super) fn scalar(node: &Node) -> Option<Scalar> {
    if node.is_expr() || node.is_template() {
        return None;
    }
    match node.value {
        Value::String(_) => Some(Scalar::Str),
        Value::Number(_) => Some(Scalar::Num),
        Value::Bool(_) => Some(Scalar::Bool),
        _ => None,
    }
}

/// Where a scalar node of an evaluated tree is, and what it is beyond its value (see
/// [`Tree`]).
#[derive(Debug, Clone)]
pub(super) enum Side {
    /// A known scalar: where it is used (its pointer the document's), [`Loc::via`] where it
    /// was written when elsewhere.
    Known(Loc),
    /// Not known: where it is used.
    Unknown(Loc),
    /// A reference to a resource, used there.
    Ref(Arc<Ref>, Loc),
}

/// An evaluated resource body as a document tree, for the builders. Its scalars are literal
/// nodes (known values, tagged [`AT_TAG`]`#n`) and expression nodes (unknowns and references,
/// tagged [`EXPR_AT_TAG`]`#n`); `side` holds where each is, so that a value generated by a
/// `for` or a `dynamic` block is located where it is written, with the pointer of that place
/// in the document.
pub(super) struct Tree {
    pub(super) root: Node,
    pub(super) side: Vec<Side>,
}

const AT_TAG: &str = "hcl:at#";
/// An expression (it starts with [`EXPR_TAG`]) with its place.
const EXPR_AT_TAG: &str = "hcl:expr#";

impl Tree {
    /// The tree of a value used in `file`; `at` is where a value located nowhere stands (the
    /// resource).
    pub(super) fn of(value: &Val, file: FileId, at: &Loc) -> Tree {
        let mut tree = Tree {
            root: Node::new(Value::Null, at.span),
            side: Vec::new(),
        };
        tree.root = tree.node(value, file, at, 0);
        tree
    }

    fn push(&mut self, side: Side, value: Value, file: FileId, fallback: &Loc) -> Node {
        let (loc, prefix) = match &side {
            Side::Known(loc) => (loc, AT_TAG),
            Side::Unknown(loc) | Side::Ref(_, loc) => (loc, EXPR_AT_TAG),
        };
        let span = if loc.file == file {
            loc.span
        } else {
            fallback.span
        };
        self.side.push(side);
        let n = self.side.len() - 1;
        Node {
            value,
            span,
            tag: Some(format!("{prefix}{n}").into()),
        }
    }

    fn node(&mut self, value: &Val, file: FileId, at: &Loc, depth: usize) -> Node {
        match value {
            Val::Known(t, kind) => {
                let v = match kind {
                    Scalar::Str => Value::String(t.as_str().into()),
                    Scalar::Num => Value::Number(t.as_str().into()),
                    Scalar::Bool => Value::Bool(t.as_str() == "true"),
                };
                self.push(Side::Known(t.loc.clone()), v, file, at)
            }
            Val::Null => Node::new(Value::Null, at.span),
            // Evaluated trees are as deep as the documents they come from (depth-limited by
            // their parsers); past that they stop.
            Val::List(_) | Val::Map(_) if depth > 256 => {
                self.node(&Val::unknown(), file, at, depth)
            }
            Val::List(items) => {
                let nodes = items
                    .iter()
                    .map(|i| self.node(i, file, at, depth + 1))
                    .collect();
                Node::new(Value::Seq(nodes), at.span)
            }
            Val::Map(entries) => {
                let nodes = entries
                    .iter()
                    .map(|(k, v)| Entry {
                        key: Node::new(Value::String(k.as_str().into()), k.loc.span),
                        value: self.node(v, file, at, depth + 1),
                    })
                    .collect();
                Node::new(Value::Map(nodes), at.span)
            }
            Val::Ref(r) => {
                let (source, loc) = match &r.at {
                    Some(t) => (t.as_str(), t.loc.clone()),
                    None => ("…", at.clone()),
                };
                let v = Value::String(source.into());
                self.push(Side::Ref(Arc::clone(r), loc), v, file, at)
            }
            Val::Unknown(t) => {
                let (source, loc) = match t {
                    Some(t) => (t.as_str(), t.loc.clone()),
                    None => ("…", at.clone()),
                };
                let v = Value::String(source.into());
                self.push(Side::Unknown(loc), v, file, at)
            }
        }
    }

    /// Where a scalar node of this tree is.
    pub(super) fn loc(&self, node: &Node) -> Option<&Loc> {
        match self.side_of(node)? {
            Side::Known(loc) | Side::Unknown(loc) | Side::Ref(_, loc) => Some(loc),
        }
    }

    /// The resource an expression node of this tree refers to.
    pub(super) fn reference(&self, node: &Node) -> Option<&Ref> {
        match self.side_of(node)? {
            Side::Ref(r, _) => Some(r),
            Side::Known(_) | Side::Unknown(_) => None,
        }
    }

    fn side_of(&self, node: &Node) -> Option<&Side> {
        let tag = node.tag.as_deref()?;
        let n = tag
            .strip_prefix(AT_TAG)
            .or_else(|| tag.strip_prefix(EXPR_AT_TAG))?;
        self.side.get(n.parse::<usize>().ok()?)
    }
}

/// What a variable's type constraint fills in (Terraform 1.3 and later): an attribute of an
/// `object(...)` declared `optional(type, default)` that a value omits, or sets to `null`,
/// takes the default; at any depth of `object`, `list`, `set`, `map` and `optional` types.
#[derive(Debug, Clone)]
pub(super) enum Shape {
    /// Attribute name (located where the type names it), its default (a literal, located
    /// where the type writes it), its type.
    Object(Vec<(Text, Option<Val>, Shape)>),
    /// The elements of a list or set, the values of a map.
    Each(Box<Shape>),
    Any,
}

/// Deepest type constraint read for defaults.
const MAX_SHAPE_DEPTH: usize = 32;

impl Shape {
    /// The shape of a type constraint (`None` when it fills in nothing).
    pub(super) fn of(ctx: &LocCtx<'_>, pointer: &str, e: &Expr) -> Option<Shape> {
        let shape = Shape::within(ctx, pointer, e, 0);
        shape.shapes().then_some(shape)
    }

    fn within(ctx: &LocCtx<'_>, pointer: &str, e: &Expr, depth: usize) -> Shape {
        let Expr::Call(name, args, false, _) = e else {
            return Shape::Any;
        };
        if depth > MAX_SHAPE_DEPTH {
            return Shape::Any;
        }
        match (&**name, args.as_slice()) {
            ("object", [Expr::Object(attrs, _)]) => Shape::Object(
                attrs
                    .iter()
                    .filter_map(|(k, t)| {
                        let key = match k {
                            Expr::Str(k, s) | Expr::Var(k, s) => Text {
                                value: crate::model::intern_value(k),
                                loc: ctx.loc_of(*s, pointer),
                            },
                            _ => return None,
                        };
                        let (ty, default) = match t {
                            Expr::Call(f, a, false, _) if &**f == "optional" => {
                                match a.as_slice() {
                                    // `optional(T)` is `optional(T, null)`.
                                    [ty] => (ty, Some(Val::Null)),
                                    [ty, d] => (ty, Some(literal_expr(ctx, pointer, d, 0))),
                                    _ => return None,
                                }
                            }
                            ty => (ty, None),
                        };
                        Some((key, default, Shape::within(ctx, pointer, ty, depth + 1)))
                    })
                    .collect(),
            ),
            ("list" | "set" | "map", [ty]) => {
                Shape::Each(Box::new(Shape::within(ctx, pointer, ty, depth + 1)))
            }
            _ => Shape::Any,
        }
    }

    /// Whether converting a value to the type changes it: an `object` type (anywhere in it)
    /// drops the attributes it does not declare and fills in its optional ones.
    fn shapes(&self) -> bool {
        match self {
            Shape::Object(_) => true,
            Shape::Each(s) => s.shapes(),
            Shape::Any => false,
        }
    }

    /// `v` converted to the type: omitted (or null) optional attributes take their defaults,
    /// and attributes an object type does not declare are dropped (as Terraform drops them:
    /// `try(var.cluster.legacy_size, ...)` then falls back).
    pub(super) fn apply(&self, v: Val) -> Val {
        match (self, v) {
            (Shape::Object(attrs), Val::Map(entries)) => {
                let mut entries: Vec<(Text, Val)> = entries
                    .iter()
                    .filter(|(k, _)| attrs.iter().any(|(n, _, _)| n.as_str() == k.as_str()))
                    .cloned()
                    .collect();
                for (name, default, shape) in attrs {
                    let at = entries
                        .iter()
                        .rposition(|(k, _)| k.as_str() == name.as_str());
                    match (at, default) {
                        (Some(i), _) if !matches!(entries.get(i), Some((_, Val::Null))) => {
                            if let Some((_, value)) = entries.get_mut(i) {
                                *value = shape.apply(std::mem::replace(value, Val::Null));
                            }
                        }
                        (at, Some(d)) => {
                            let value = shape.apply(d.clone());
                            match at.and_then(|i| entries.get_mut(i)) {
                                Some((_, slot)) => *slot = value,
                                None => entries.push((name.clone(), value)),
                            }
                        }
                        _ => {}
                    }
                }
                Val::Map(entries.into())
            }
            (Shape::Each(shape), Val::List(items)) => {
                Val::List(items.iter().map(|i| shape.apply(i.clone())).collect())
            }
            (Shape::Each(shape), Val::Map(entries)) => Val::Map(
                entries
                    .iter()
                    .map(|(k, i)| (k.clone(), shape.apply(i.clone())))
                    .collect(),
            ),
            (_, v) => v,
        }
    }
}

/// A literal expression (a type constraint's default) as a value, every scalar located.
fn literal_expr(ctx: &LocCtx<'_>, pointer: &str, e: &Expr, depth: usize) -> Val {
    let known = |value: &str, span, kind| {
        Val::Known(
            Text {
                value: crate::model::intern_value(value),
                loc: ctx.loc_of(span, pointer),
            },
            kind,
        )
    };
    if depth > MAX_SHAPE_DEPTH {
        return Val::unknown();
    }
    match e {
        Expr::Null(_) => Val::Null,
        Expr::Bool(b, s) => known(if *b { "true" } else { "false" }, *s, Scalar::Bool),
        Expr::Number(n, s) => known(n, *s, Scalar::Num),
        Expr::Str(v, s) => known(v, *s, Scalar::Str),
        Expr::Tuple(items, _) => Val::List(
            items
                .iter()
                .map(|i| literal_expr(ctx, pointer, i, depth + 1))
                .collect(),
        ),
        Expr::Object(entries, _) => Val::Map(
            entries
                .iter()
                .filter_map(|(k, v)| {
                    let (Expr::Str(name, s) | Expr::Var(name, s)) = k else {
                        return None;
                    };
                    let key = Text {
                        value: crate::model::intern_value(name),
                        loc: ctx.loc_of(*s, pointer),
                    };
                    Some((key, literal_expr(ctx, pointer, v, depth + 1)))
                })
                .collect(),
        ),
        _ => Val::unknown(),
    }
}
