//! Policies evaluated directly: the Rego most policies are written in, compiled once into
//! checks over a resource's input, with no interpreter per resource.
//!
//! regorus's interpreter does per evaluation what a run of ten policies over 10,000 resources
//! pays 100,000 times: it walks its modules for every reference, keeps scopes as maps and
//! re-resolves rule paths by name. Here each policy's rules are compiled once: locals become
//! slots, rule references indices, builtin calls the builtins themselves (regorus's own, so a
//! builtin means the same thing), and a resource's evaluation is a walk over that.
//!
//! Only what is certain to mean what regorus means is compiled. A policy that uses anything
//! else (`with`, `else`, partial objects, statements that need reordering, `walk`, `print`,
//! destructuring, a reference to data that is not a rule, ...) is evaluated by regorus, as
//! before. And wherever evaluation meets a case whose answer regorus decides its own way (an
//! error of a builtin, a complete rule or function with two values, an element that is
//! undefined, an iteration over a scalar, the time budget), it gives up on that resource:
//! [`Bail`] hands the resource to regorus, which gives its answer or its error. So results
//! here are regorus's results, faster; `tests/policy_direct.rs` compares the two over every
//! policy the tests have.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use regorus::Value as V;
use regorus::unstable::{
    ArithOp, AssignOp, BUILTINS, BinOp, BoolOp, BuiltinFcn, Expr, Literal, Module, Parser,
    Query as AQuery, Ref, Rule, RuleHead, Source, Span,
};

use super::input::Rego;
use crate::model::json::{Builder, Field, Key, Lazy};
use crate::model::{Cluster, Loc};

/// Why a policy is not compiled (the policy is then evaluated by regorus).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

fn no<T>(what: impl Into<String>) -> Result<T, Unsupported> {
    Err(Unsupported(what.into()))
}

/// A resource this evaluator leaves to regorus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail;

type R<T> = Result<T, Bail>;

type Slot = usize;

/// A compiled expression: single-valued (iteration is hoisted into [`Stmt::Loop`]).
enum E {
    /// A constant: its index in [`Program::consts`] (read from the thread's own copy).
    Const(usize),
    Input,
    /// `input.kind` (every policy tests it, most first).
    Kind,
    Local(Slot),
    Rule(usize),
    /// `base.a.b...`: each field, its key resolved for a part of the cluster.
    Dot(Box<E>, Vec<(V, Key)>),
    /// `base[index]`; true when `base` is a rule's value (regorus reads a number there as a
    /// string key: left to it).
    Index(Box<E>, Box<E>, bool),
    /// Evaluate these rules (for their errors), then the expression.
    Ensure(Vec<usize>, Box<E>),
    Array(Vec<E>),
    Set(Vec<E>),
    Object(Vec<(E, E)>),
    ArrayCompr(Box<E>, Vec<Stmt>),
    SetCompr(Box<E>, Vec<Stmt>),
    ObjectCompr(Box<(E, E)>, Vec<Stmt>),
    Builtin(Box<BuiltinCall>),
    Range(bool, Vec<E>),
    Call(usize, Vec<E>),
    Cmp(BoolOp, Box<E>, Box<E>),
    Arith(Box<Node<ArithOp>>),
    Bin(Box<Node<BinOp>>),
    Member(Option<Box<E>>, Box<E>, Box<E>),
}

/// A builtin with a shorter way for some arguments (a part of the cluster read without
/// building it; a string given back as it is).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    ObjectGet,
    Count,
    /// `lower` and `upper`: a string already in that case is given back as it is.
    Lower,
    Upper,
}

struct BuiltinCall {
    special: Special,
    f: BuiltinFcn,
    span: Span,
    params: Vec<Ref<Expr>>,
    args: Vec<E>,
}

/// An infix operation whose builtin wants the operands' source (for its error messages).
struct Node<Op> {
    op: Op,
    span: Span,
    lhs_ast: Ref<Expr>,
    rhs_ast: Ref<Expr>,
    lhs: E,
    rhs: E,
}

enum Stmt {
    /// Holds when the value is defined and not `false`.
    Test(E),
    /// Holds when the value is `false` or undefined.
    Not(E),
    Assign(Slot, E),
    /// Each element of a collection: key (index, key, or the element of a set) and value.
    Loop {
        coll: E,
        key: Option<Slot>,
        value: Option<Slot>,
        /// `some .. in` (a scalar is an error); a hoisted `x[_]` (a scalar has no element).
        some_in: bool,
    },
    Every {
        coll: E,
        key: Option<Slot>,
        value: Slot,
        body: Vec<Stmt>,
    },
}

/// One definition of a rule or function: its body and its value (`true` when it has none).
struct Def {
    params: Vec<Param>,
    body: Vec<Stmt>,
    value: Option<E>,
    slots: usize,
}

enum Param {
    Bind(Slot),
    Ignore,
    /// Equal to a constant (its index in [`Program::consts`]).
    Equal(usize),
}

enum RuleKind {
    /// Being compiled (a reference to it now is recursion).
    Pending,
    Complete {
        defs: Vec<Def>,
        /// The default's index in [`Program::consts`].
        default: Option<usize>,
        /// Every definition's value is a constant: the first solution decides.
        constant: bool,
    },
    Set(Vec<Def>),
    Function(Vec<Def>),
}

/// The index of the empty set in [`Program::consts`].
const EMPTY_SET: usize = 0;

/// A copy of a value that shares no reference-counted part with it.
fn deep_copy(v: &V) -> V {
    match v {
        V::String(s) => V::from(&**s),
        V::Array(a) => V::from(a.iter().map(deep_copy).collect::<Vec<_>>()),
        V::Set(s) => V::from(s.iter().map(deep_copy).collect::<BTreeSet<_>>()),
        V::Object(o) => V::from(
            o.iter()
                .map(|(k, v)| (deep_copy(k), deep_copy(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// The compiled policies of a run.
pub struct Program {
    rules: Vec<RuleKind>,
    /// Per rule: no rule reads it (a policy's `deny` or `warn` that only the report reads), so
    /// the elements of its set are built for a result only ([`Run::stand_in`]).
    output_only: Vec<bool>,
    /// Per policy (in the run's order): its result sets' rules, in [`super::Policy::sets`]
    /// order, when everything they reach compiled.
    pub policies: Vec<Option<Vec<usize>>>,
    /// The constants the program reads, the empty set first ([`EMPTY_SET`]). Each thread
    /// evaluates over its own copy ([`Program::scratch`]): a value shared by threads
    /// would have its reference count written by both on every read.
    consts: Vec<V>,
    /// Why each policy left out was left out.
    #[cfg_attr(not(test), allow(dead_code))]
    pub reasons: Vec<Option<Unsupported>>,
}

/// Where a rule's name is looked up: its module's package and imports.
struct ModCtx {
    package: Vec<String>,
    imports: HashMap<String, Vec<String>>,
}

/// A rule's package path and name.
type RuleKey = (Vec<String>, String);

struct Compiler<'a> {
    modules: &'a [(Module, ModCtx)],
    /// (package path, rule name) -> the module index and rule of each definition.
    defs: HashMap<RuleKey, Vec<(usize, Ref<Rule>)>>,
    ids: HashMap<RuleKey, Result<usize, Unsupported>>,
    rules: Vec<RuleKind>,
    /// The rules a compiled expression reads.
    read: std::collections::HashSet<usize>,
    /// Packages with a rule whose head is a reference.
    complex: std::collections::HashSet<Vec<String>>,
    /// The constants compiled so far ([`Program::consts`]).
    consts: Vec<V>,
}

/// A body's locals while it is compiled.
#[derive(Default)]
struct Scope {
    /// Each local: its name, slot, whether it has a value here (`some x` declares one that
    /// has none until a statement binds it), and the depth of the query that declared it.
    names: Vec<(String, Slot, bool, usize)>,
    slots: usize,
    /// How many queries deep (a comprehension's or an `every`'s body) compilation is.
    depth: usize,
}

impl Scope {
    /// A local that has a value.
    fn lookup(&self, name: &str) -> Option<Slot> {
        match self.entry(name) {
            Some((s, true)) => Some(s),
            _ => None,
        }
    }

    fn entry(&self, name: &str) -> Option<(Slot, bool)> {
        self.names
            .iter()
            .rev()
            .find(|(n, _, _, _)| n == name)
            .map(|(_, s, b, _)| (*s, *b))
    }

    /// A local declared by `some x` that has no value yet.
    fn declared(&self, name: &str) -> Option<Slot> {
        match self.entry(name) {
            Some((s, false)) => Some(s),
            _ => None,
        }
    }

    fn declare(&mut self, name: &str) -> Slot {
        let s = self.slots;
        self.slots += 1;
        self.names.push((name.to_string(), s, true, self.depth));
        s
    }

    /// `some x`: a new local, shadowing any other `x`, with no value yet.
    fn declare_unbound(&mut self, name: &str) {
        let s = self.slots;
        self.slots += 1;
        self.names.push((name.to_string(), s, false, self.depth));
    }

    /// A name bound here by unification or as a key (`x = e`, `a[x]`): the `some`-declared
    /// local if there is one, else a new one. Inside a comprehension or an `every`, regorus
    /// may take such a name for one of the enclosing body's (bound there, even later), so
    /// there only a name `some` declared in the same body is compiled.
    fn bind(&mut self, name: &str) -> Result<Slot, Unsupported> {
        let depth = self.depth;
        if let Some(e) = self.names.iter_mut().rev().find(|(n, _, _, _)| n == name)
            && !e.2
            && (depth == 0 || e.3 == depth)
        {
            e.2 = true;
            return Ok(e.1);
        }
        if depth > 0 {
            return no("a name bound by `=` or as a key inside a comprehension or `every`");
        }
        Ok(self.declare(name))
    }

    fn temp(&mut self) -> Slot {
        let s = self.slots;
        self.slots += 1;
        s
    }
}

/// The static path of a reference made of names and string keys (`data.a.b`, `input.x`).
fn static_path(e: &Expr) -> Option<Vec<String>> {
    match e {
        Expr::Var { span, .. } => Some(vec![span.text().to_string()]),
        Expr::RefDot { refr, field, .. } => {
            let mut p = static_path(refr)?;
            p.push(field.1.as_string().ok()?.to_string());
            Some(p)
        }
        Expr::RefBrack { refr, index, .. } => match index.as_ref() {
            Expr::String { value, .. } | Expr::RawString { value, .. } => {
                let mut p = static_path(refr)?;
                p.push(value.as_string().ok()?.to_string());
                Some(p)
            }
            _ => None,
        },
        _ => None,
    }
}

/// A module's package as a path (`data` first).
fn package_path(m: &Module) -> Option<Vec<String>> {
    let mut p = static_path(&m.package.refr)?;
    if p.first().map(String::as_str) != Some("data") {
        p.insert(0, "data".to_string());
    }
    Some(p)
}

/// The name a rule's head defines, when it is one plain name.
fn head_name(refr: &Expr) -> Option<String> {
    match refr {
        Expr::Var { span, .. } => Some(span.text().to_string()),
        _ => None,
    }
}

fn rule_name(rule: &Rule) -> Option<String> {
    match rule {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => head_name(refr),
        },
        Rule::Default { refr, .. } => head_name(refr),
    }
}

/// Parse and compile `files` (each policy file's path and text, every file of the run) for the
/// `policies` (each one's package as `data.a.b` and its result sets' names).
pub fn compile(files: &[(String, String)], policies: &[(String, Vec<&str>)]) -> Program {
    let mut modules = Vec::new();
    let mut broken = false;
    for (path, text) in files {
        let parsed = Source::from_contents(path.clone(), text.clone()).and_then(|source| {
            let mut parser = Parser::new(&source)?;
            parser.enable_rego_v1()?;
            parser.parse()
        });
        let Ok(module) = parsed else {
            broken = true;
            continue;
        };
        let Some(package) = package_path(&module) else {
            broken = true;
            continue;
        };
        let mut imports = HashMap::new();
        for import in &module.imports {
            let Some(path) = static_path(&import.refr) else {
                broken = true;
                continue;
            };
            match path.first().map(String::as_str) {
                Some("data") => {
                    let alias = import
                        .r#as
                        .as_ref()
                        .map(|s| s.text().to_string())
                        .or_else(|| path.last().cloned())
                        .unwrap_or_default();
                    imports.insert(alias, path);
                }
                Some("future" | "rego") => {}
                _ => {
                    // `import input.x`: an alias of the input, not compiled.
                    imports.insert(
                        import
                            .r#as
                            .as_ref()
                            .map(|s| s.text().to_string())
                            .or_else(|| path.last().cloned())
                            .unwrap_or_default(),
                        Vec::new(),
                    );
                }
            }
        }
        modules.push((module, ModCtx { package, imports }));
    }
    let mut compiler = Compiler {
        modules: &modules,
        defs: HashMap::new(),
        ids: HashMap::new(),
        rules: Vec::new(),
        read: std::collections::HashSet::new(),
        complex: std::collections::HashSet::new(),
        consts: vec![V::new_set()],
    };
    for (i, (module, ctx)) in modules.iter().enumerate() {
        for rule in &module.policy {
            match rule_name(rule) {
                Some(name) => compiler
                    .defs
                    .entry((ctx.package.clone(), name))
                    .or_default()
                    .push((i, rule.clone())),
                // `a.b := ..`, `a[k] := ..`: a package with one is left to regorus.
                None => {
                    compiler.complex.insert(ctx.package.clone());
                }
            }
        }
    }
    // A rule whose path is also a package's (`b` in `x` and package `x.b`): regorus's.
    if compiler.defs.keys().any(|(pkg, name)| {
        modules.iter().any(|(_, ctx)| {
            ctx.package.len() > pkg.len()
                && ctx.package.starts_with(pkg)
                && ctx.package.get(pkg.len()) == Some(name)
        })
    }) {
        broken = true;
    }
    let mut out = Vec::new();
    let mut reasons = Vec::new();
    for (package, sets) in policies {
        let path: Vec<String> = package.split('.').map(str::to_string).collect();
        let compiled: Result<Vec<usize>, Unsupported> = if broken {
            no("a policy file did not parse here")
        } else {
            sets.iter()
                .map(|set| compiler.rule((path.clone(), (*set).to_string())))
                .collect()
        };
        match compiled {
            Ok(ids) => {
                out.push(Some(ids));
                reasons.push(None);
            }
            Err(e) => {
                out.push(None);
                reasons.push(Some(e));
            }
        }
    }
    let output_only = (0..compiler.rules.len())
        .map(|i| !compiler.read.contains(&i))
        .collect();
    Program {
        rules: compiler.rules,
        consts: compiler.consts,
        output_only,
        policies: out,
        reasons,
    }
}

impl Compiler<'_> {
    /// A constant, kept in [`Program::consts`].
    fn konst(&mut self, v: V) -> E {
        E::Const(self.const_index(v))
    }

    /// A constant's index in [`Program::consts`].
    fn const_index(&mut self, v: V) -> usize {
        self.consts.push(v);
        self.consts.len() - 1
    }

    /// The index of a rule, compiled on first reference.
    fn rule(&mut self, key: (Vec<String>, String)) -> Result<usize, Unsupported> {
        if let Some(r) = self.ids.get(&key) {
            return r.clone();
        }
        let id = self.rules.len();
        self.rules.push(RuleKind::Pending);
        self.ids.insert(key.clone(), Ok(id));
        let result = self.compile_rule(&key);
        match result {
            Ok(kind) => {
                if let Some(slot) = self.rules.get_mut(id) {
                    *slot = kind;
                }
                Ok(id)
            }
            Err(e) => {
                self.ids.insert(key, Err(e.clone()));
                Err(e)
            }
        }
    }

    fn compile_rule(&mut self, key: &(Vec<String>, String)) -> Result<RuleKind, Unsupported> {
        if self.complex.contains(&key.0) {
            return no("a rule whose head is a reference (`a.b := ..`, `a[k] := ..`)");
        }
        let Some(defs) = self.defs.get(key).cloned() else {
            return no(format!("no rule {}.{}", key.0.join("."), key.1));
        };
        let mut complete = Vec::new();
        let mut set = Vec::new();
        let mut funcs = Vec::new();
        let mut default = None;
        let mut constant = true;
        for (m, rule) in &defs {
            match rule.as_ref() {
                Rule::Default {
                    args, op, value, ..
                } => {
                    if !args.is_empty() || *op != AssignOp::ColEq && *op != AssignOp::Eq {
                        return no("a default function");
                    }
                    if default.is_some() {
                        return no("two defaults");
                    }
                    let v = constant_value(value)?;
                    default = Some(self.const_index(v));
                }
                Rule::Spec { head, bodies, .. } => {
                    // No body: the definition always holds (`x := 1`, `f(x) := x * 2`).
                    let query = match bodies.as_slice() {
                        [] => None,
                        [body] if !body.is_else && body.assign.is_none() => Some(&body.query),
                        _ => return no("`else` or several bodies"),
                    };
                    match head {
                        RuleHead::Compr { assign, .. } => {
                            let value = assign.as_ref().map(|a| a.value.clone());
                            // regorus stops at the first solution only where the value is a
                            // plain literal (or none): so does this.
                            if let Some(v) = &value {
                                constant &= matches!(
                                    v.as_ref(),
                                    Expr::String { .. }
                                        | Expr::RawString { .. }
                                        | Expr::Number { .. }
                                        | Expr::Bool { .. }
                                        | Expr::Null { .. }
                                );
                            }
                            complete.push(self.def(*m, &[], query, value.as_ref())?);
                        }
                        RuleHead::Set { key: Some(k), .. } => {
                            set.push(self.def(*m, &[], query, Some(k))?);
                        }
                        RuleHead::Set { key: None, .. } => return no("a set rule without a key"),
                        RuleHead::Func { args, assign, .. } => {
                            let value = assign.as_ref().map(|a| a.value.clone());
                            funcs.push(self.def(*m, args, query, value.as_ref())?);
                        }
                    }
                }
            }
        }
        match (complete.is_empty(), set.is_empty(), funcs.is_empty()) {
            (false, true, true) => Ok(RuleKind::Complete {
                defs: complete,
                default,
                constant,
            }),
            (true, false, true) if default.is_none() => Ok(RuleKind::Set(set)),
            (true, true, false) if default.is_none() => Ok(RuleKind::Function(funcs)),
            (true, true, true) => match default {
                Some(v) => Ok(RuleKind::Complete {
                    defs: Vec::new(),
                    default: Some(v),
                    constant: true,
                }),
                None => no("no definition"),
            },
            _ => no("a rule defined in two kinds"),
        }
    }

    fn def(
        &mut self,
        m: usize,
        args: &[Ref<Expr>],
        query: Option<&Ref<AQuery>>,
        value: Option<&Ref<Expr>>,
    ) -> Result<Def, Unsupported> {
        let mut scope = Scope::default();
        let mut params = Vec::new();
        for a in args {
            params.push(match a.as_ref() {
                Expr::Var { span, .. } if span.text() == "_" => Param::Ignore,
                Expr::Var { span, .. } => Param::Bind(scope.declare(span.text())),
                other => Param::Equal(self.const_index(constant_value_of(other)?)),
            });
        }
        let body = match query {
            Some(q) => self.query(m, q, &mut scope)?,
            None => Vec::new(),
        };
        let value = match value {
            Some(v) => Some(self.expr(m, v, &mut scope, None)?),
            None => None,
        };
        Ok(Def {
            params,
            body,
            value,
            slots: scope.slots,
        })
    }

    fn query(
        &mut self,
        m: usize,
        query: &Ref<AQuery>,
        scope: &mut Scope,
    ) -> Result<Vec<Stmt>, Unsupported> {
        let mut out = Vec::new();
        for stmt in &query.stmts {
            if !stmt.with_mods.is_empty() {
                return no("`with`");
            }
            let mut loops = Vec::new();
            let compiled = match &stmt.literal {
                Literal::SomeVars { vars, .. } => {
                    for v in vars {
                        if self.is_known(m, v.text()) {
                            return no("`some` of a rule's name");
                        }
                        scope.declare_unbound(v.text());
                    }
                    continue;
                }
                Literal::Expr { expr, .. } => self.statement(m, expr, scope, &mut loops)?,
                Literal::NotExpr { expr, .. } => Stmt::Not(self.expr(m, expr, scope, None)?),
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => {
                    let coll = self.expr(m, collection, scope, Some(&mut loops))?;
                    let key = match key {
                        Some(k) => pattern(k, scope)?,
                        None => None,
                    };
                    let value = pattern(value, scope)?;
                    Stmt::Loop {
                        coll,
                        key,
                        value,
                        some_in: true,
                    }
                }
                Literal::Every {
                    key,
                    value,
                    domain,
                    query,
                    ..
                } => {
                    let coll = self.expr(m, domain, scope, Some(&mut loops))?;
                    let mark = scope.names.len();
                    scope.depth += 1;
                    let value = scope.declare(value.text());
                    let key = key.as_ref().map(|k| scope.declare(k.text()));
                    let body = self.query(m, query, scope);
                    scope.depth -= 1;
                    let body = body?;
                    scope.names.truncate(mark);
                    Stmt::Every {
                        coll,
                        key,
                        value,
                        body,
                    }
                }
            };
            out.extend(loops);
            out.push(compiled);
        }
        Ok(out)
    }

    /// An expression statement: an assignment, a unification of a new name, or a test.
    fn statement(
        &mut self,
        m: usize,
        expr: &Ref<Expr>,
        scope: &mut Scope,
        loops: &mut Vec<Stmt>,
    ) -> Result<Stmt, Unsupported> {
        if let Expr::AssignExpr { op, lhs, rhs, .. } = expr.as_ref() {
            let unbound = |c: &Self, scope: &Scope, e: &Expr| match e {
                Expr::Var { span, .. } => {
                    let n = span.text();
                    n == "_"
                        || scope.declared(n).is_some()
                        || (scope.entry(n).is_none() && !c.is_known(m, n))
                }
                _ => false,
            };
            let (l_new, r_new) = (unbound(self, scope, lhs), unbound(self, scope, rhs));
            // `x := e`, `x = e`, `e = x` with `x` new: an assignment.
            let (target, value) = match (op, l_new, r_new) {
                (AssignOp::ColEq, true, false) | (AssignOp::Eq, true, false) => (lhs, rhs),
                (AssignOp::Eq, false, true) => (rhs, lhs),
                // `e1 = e2`, both known: a comparison.
                (AssignOp::Eq, false, false) => {
                    let l = self.expr(m, lhs, scope, Some(loops))?;
                    let r = self.expr(m, rhs, scope, Some(loops))?;
                    return Ok(Stmt::Test(E::Cmp(BoolOp::Eq, Box::new(l), Box::new(r))));
                }
                _ => return no("destructuring, or an assignment of a known name"),
            };
            let Expr::Var { span, .. } = target.as_ref() else {
                return no("destructuring");
            };
            if span.text() == "_" {
                return no("assignment to `_`");
            }
            if *op == AssignOp::ColEq && scope.declared(span.text()).is_some() {
                return no("`:=` to a name declared by `some`");
            }
            let value = self.expr(m, value, scope, Some(loops))?;
            let slot = match op {
                AssignOp::ColEq => scope.declare(span.text()),
                AssignOp::Eq => scope.bind(span.text())?,
            };
            return Ok(Stmt::Assign(slot, value));
        }
        Ok(Stmt::Test(self.expr(m, expr, scope, Some(loops))?))
    }

    fn is_rule_name(&self, m: usize, name: &str) -> bool {
        self.modules
            .get(m)
            .is_some_and(|(_, ctx)| self.defs.contains_key(&(ctx.package.clone(), name.into())))
    }

    fn is_known(&self, m: usize, name: &str) -> bool {
        matches!(name, "input" | "data")
            || self.is_rule_name(m, name)
            || self
                .modules
                .get(m)
                .is_some_and(|(_, ctx)| ctx.imports.contains_key(name))
    }

    /// A reference to a rule by its path from `data` (`data.pkg.rule`): the longest package
    /// that is a prefix, then one rule name, then the rest as fields.
    fn data_ref(&mut self, path: &[String]) -> Result<E, Unsupported> {
        for split in (1..path.len()).rev() {
            let (pkg, rest) = path.split_at(split);
            let Some((name, fields)) = rest.split_first() else {
                continue;
            };
            let key = (pkg.to_vec(), name.clone());
            if self.defs.contains_key(&key) {
                let id = self.rule(key)?;
                self.read.insert(id);
                let mut e = E::Rule(id);
                for f in fields {
                    e = dot(e, V::from(f.as_str()));
                }
                return Ok(e);
            }
        }
        no(format!(
            "a reference to data that is not a rule: {}",
            path.join(".")
        ))
    }

    /// `e`, after every rule of the packages at or under `prefix` (regorus evaluates an
    /// imported package whole, and its errors are the reference's).
    fn ensuring(&mut self, prefix: &[String], e: E) -> Result<E, Unsupported> {
        let mut keys: Vec<RuleKey> = self
            .defs
            .iter()
            .filter(|(k, defs)| {
                k.0.starts_with(prefix)
                    && !defs.iter().any(|(_, r)| {
                        matches!(
                            r.as_ref(),
                            Rule::Spec {
                                head: RuleHead::Func { .. },
                                ..
                            }
                        )
                    })
            })
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort();
        let mut ids = Vec::new();
        for k in keys {
            let id = self.rule(k)?;
            self.read.insert(id);
            ids.push(id);
        }
        Ok(if ids.is_empty() {
            e
        } else {
            E::Ensure(ids, Box::new(e))
        })
    }

    /// A name's value: a local, the input, a rule of this package.
    fn name(&mut self, m: usize, name: &str, scope: &Scope) -> Result<Option<E>, Unsupported> {
        if let Some(s) = scope.lookup(name) {
            return Ok(Some(E::Local(s)));
        }
        if scope.declared(name).is_some() {
            return no(format!("`{name}` used before it has a value"));
        }
        if name == "input" {
            return Ok(Some(E::Input));
        }
        let Some((_, ctx)) = self.modules.get(m) else {
            return no("no module");
        };
        let key = (ctx.package.clone(), name.to_string());
        if let Some(defs) = self.defs.get(&key) {
            if defs.iter().any(|(_, r)| {
                matches!(
                    r.as_ref(),
                    Rule::Spec {
                        head: RuleHead::Func { .. },
                        ..
                    }
                )
            }) {
                return no("a function used as a value");
            }
            let id = self.rule(key)?;
            self.read.insert(id);
            return Ok(Some(E::Rule(id)));
        }
        Ok(None)
    }

    fn expr(
        &mut self,
        m: usize,
        expr: &Ref<Expr>,
        scope: &mut Scope,
        mut loops: Option<&mut Vec<Stmt>>,
    ) -> Result<E, Unsupported> {
        Ok(match expr.as_ref() {
            Expr::String { value, .. }
            | Expr::RawString { value, .. }
            | Expr::Number { value, .. }
            | Expr::Bool { value, .. }
            | Expr::Null { value, .. } => self.konst(value.clone()),
            Expr::Var { span, .. } => {
                let name = span.text();
                match self.name(m, name, scope)? {
                    Some(e) => e,
                    None if name == "data" => return no("the whole of data"),
                    None => return no(format!("the name `{name}`")),
                }
            }
            Expr::RefDot { .. } | Expr::RefBrack { .. } => {
                self.reference(m, expr, scope, loops.as_deref_mut())?
            }
            // A literal of constants is built once, here.
            Expr::Array { .. } | Expr::Set { .. } | Expr::Object { .. }
                if constant_value(expr).is_ok() =>
            {
                let v = constant_value(expr)?;
                self.konst(v)
            }
            Expr::Array { items, .. } => E::Array(self.exprs(m, items, scope, loops)?),
            Expr::Set { items, .. } => E::Set(self.exprs(m, items, scope, loops)?),
            Expr::Object { fields, .. } => {
                let mut out = Vec::new();
                for (_, k, v) in fields {
                    let k = self.expr(m, k, scope, loops.as_deref_mut())?;
                    let v = self.expr(m, v, scope, loops.as_deref_mut())?;
                    out.push((k, v));
                }
                E::Object(out)
            }
            Expr::ArrayCompr { term, query, .. } => {
                let mark = scope.names.len();
                scope.depth += 1;
                let body = self.query(m, query, scope)?;
                let term = self.expr(m, term, scope, None)?;
                scope.depth -= 1;
                scope.names.truncate(mark);
                E::ArrayCompr(Box::new(term), body)
            }
            Expr::SetCompr { term, query, .. } => {
                let mark = scope.names.len();
                scope.depth += 1;
                let body = self.query(m, query, scope)?;
                let term = self.expr(m, term, scope, None)?;
                scope.depth -= 1;
                scope.names.truncate(mark);
                E::SetCompr(Box::new(term), body)
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                let mark = scope.names.len();
                scope.depth += 1;
                let body = self.query(m, query, scope)?;
                let k = self.expr(m, key, scope, None)?;
                let v = self.expr(m, value, scope, None)?;
                scope.depth -= 1;
                scope.names.truncate(mark);
                E::ObjectCompr(Box::new((k, v)), body)
            }
            Expr::Call {
                span, fcn, params, ..
            } => self.call(m, span, fcn, params, scope, loops)?,
            Expr::UnaryExpr { expr: inner, .. } => match inner.as_ref() {
                Expr::Number { value, .. } if !inner.span().text().starts_with('-') => {
                    match value.as_f64() {
                        Ok(_) => E::Arith(Box::new(Node {
                            op: ArithOp::Sub,
                            span: expr.span().clone(),
                            lhs_ast: expr.clone(),
                            rhs_ast: inner.clone(),
                            lhs: self.konst(V::from(0)),
                            rhs: self.konst(value.clone()),
                        })),
                        Err(_) => return no("a negated non-number"),
                    }
                }
                _ => return no("unary minus"),
            },
            Expr::BoolExpr { op, lhs, rhs, .. } => {
                let l = self.expr(m, lhs, scope, loops.as_deref_mut())?;
                let r = self.expr(m, rhs, scope, loops)?;
                E::Cmp(op.clone(), Box::new(l), Box::new(r))
            }
            Expr::ArithExpr {
                span, op, lhs, rhs, ..
            } => E::Arith(Box::new(self.infix(
                m,
                op,
                span,
                (lhs, rhs),
                scope,
                loops,
            )?)),
            Expr::BinExpr {
                span, op, lhs, rhs, ..
            } => E::Bin(Box::new(self.infix(
                m,
                op,
                span,
                (lhs, rhs),
                scope,
                loops,
            )?)),
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => {
                let k = match key {
                    Some(k) => Some(Box::new(self.expr(m, k, scope, loops.as_deref_mut())?)),
                    None => None,
                };
                let v = self.expr(m, value, scope, loops.as_deref_mut())?;
                let c = self.expr(m, collection, scope, loops)?;
                E::Member(k, Box::new(v), Box::new(c))
            }
            Expr::AssignExpr { .. } => return no("an assignment inside an expression"),
            #[allow(unreachable_patterns)]
            _ => return no("an expression of another kind"),
        })
    }

    /// An infix operation, its operands' source kept for the builtin's error messages.
    fn infix<Op: Clone>(
        &mut self,
        m: usize,
        op: &Op,
        span: &Span,
        (lhs, rhs): (&Ref<Expr>, &Ref<Expr>),
        scope: &mut Scope,
        mut loops: Option<&mut Vec<Stmt>>,
    ) -> Result<Node<Op>, Unsupported> {
        Ok(Node {
            op: op.clone(),
            span: span.clone(),
            lhs_ast: lhs.clone(),
            rhs_ast: rhs.clone(),
            lhs: self.expr(m, lhs, scope, loops.as_deref_mut())?,
            rhs: self.expr(m, rhs, scope, loops)?,
        })
    }

    fn exprs(
        &mut self,
        m: usize,
        items: &[Ref<Expr>],
        scope: &mut Scope,
        mut loops: Option<&mut Vec<Stmt>>,
    ) -> Result<Vec<E>, Unsupported> {
        items
            .iter()
            .map(|i| self.expr(m, i, scope, loops.as_deref_mut()))
            .collect()
    }

    /// `a.b`, `a[i]`; `data.pkg.rule`; `pkg.rule` through an import; `a[_]` and `a[x]` with
    /// `x` unknown iterate (hoisted before the statement, as regorus does).
    fn reference(
        &mut self,
        m: usize,
        expr: &Ref<Expr>,
        scope: &mut Scope,
        mut loops: Option<&mut Vec<Stmt>>,
    ) -> Result<E, Unsupported> {
        if let Some(path) = static_path(expr)
            && let Some(first) = path.first()
            && scope.entry(first).is_none()
        {
            if first == "data" {
                return self.data_ref(&path);
            }
            let import = self
                .modules
                .get(m)
                .and_then(|(_, ctx)| ctx.imports.get(first.as_str()))
                .cloned();
            if let Some(target) = import {
                if target.is_empty() {
                    return no("an import of the input");
                }
                let mut full = target.clone();
                full.extend(path.iter().skip(1).cloned());
                let e = self.data_ref(&full)?;
                return self.ensuring(&target, e);
            }
        }
        match expr.as_ref() {
            Expr::RefDot { refr, field, .. } => {
                let base = self.expr(m, refr, scope, loops)?;
                Ok(dot(base, field.1.clone()))
            }
            Expr::RefBrack { refr, index, .. } => {
                let base = self.expr(m, refr, scope, loops.as_deref_mut())?;
                if let Expr::Var { span, .. } = index.as_ref() {
                    let name = span.text();
                    let unknown = name == "_"
                        || scope.declared(name).is_some()
                        || (scope.entry(name).is_none() && !self.is_known(m, name));
                    if unknown {
                        let Some(loops) = loops else {
                            return no("iteration here");
                        };
                        let key = match name {
                            "_" => None,
                            _ => Some(scope.bind(name)?),
                        };
                        let value = scope.temp();
                        loops.push(Stmt::Loop {
                            coll: base,
                            key,
                            value: Some(value),
                            some_in: false,
                        });
                        return Ok(E::Local(value));
                    }
                }
                let index = self.expr(m, index, scope, loops)?;
                let rooted = rule_rooted(&base);
                Ok(E::Index(Box::new(base), Box::new(index), rooted))
            }
            _ => no("a reference"),
        }
    }

    fn call(
        &mut self,
        m: usize,
        span: &Span,
        fcn: &Ref<Expr>,
        params: &[Ref<Expr>],
        scope: &mut Scope,
        loops: Option<&mut Vec<Stmt>>,
    ) -> Result<E, Unsupported> {
        let Some(path) = static_path(fcn) else {
            return no("a call of a computed function");
        };
        let args = self.exprs(m, params, scope, loops)?;
        // A user's function: in this package by name, or through `data` or an import.
        let Some((_, ctx)) = self.modules.get(m) else {
            return no("no module");
        };
        // Through an import: the imported package is evaluated whole first (as regorus
        // does), and its name shadows a builtin's.
        let import = path
            .first()
            .and_then(|first| ctx.imports.get(first))
            .filter(|t| !t.is_empty())
            .cloned();
        let local = (ctx.package.clone(), path.join("."));
        let key = match (path.as_slice(), &import) {
            ([_], _) if self.defs.contains_key(&local) => Some(local),
            ([first, ..], _) if first == "data" => {
                let (name, pkg) = path.split_last().unwrap_or((first, &[]));
                Some((pkg.to_vec(), name.clone()))
            }
            (_, Some(target)) => {
                let mut f = target.clone();
                f.extend(path.iter().skip(1).cloned());
                f.split_last()
                    .map(|(name, pkg)| (pkg.to_vec(), name.clone()))
            }
            _ => None,
        };
        if let Some(key) = key
            && let Some(defs) = self.defs.get(&key)
        {
            let arity = defs.iter().find_map(|(_, r)| match r.as_ref() {
                Rule::Spec {
                    head: RuleHead::Func { args, .. },
                    ..
                } => Some(args.len()),
                _ => None,
            });
            if arity != Some(args.len()) {
                return no("a call with a result argument, or of a rule");
            }
            let call = E::Call(self.rule(key)?, args);
            return match import {
                Some(target) => self.ensuring(&target, call),
                None => Ok(call),
            };
        }
        if import.is_some() || path.first().is_some_and(|f| f == "data") {
            return no("a call of a function that is not defined");
        }
        let name = path.join(".");
        match name.as_str() {
            "numbers.range" if args.len() == 2 => return Ok(E::Range(false, args)),
            "numbers.range_step" if args.len() == 3 => return Ok(E::Range(true, args)),
            // Not the same answer twice (regorus caches per evaluation), or output.
            "rand.intn" | "print" | "trace" | "opa.runtime" | "time.now_ns" | "walk" => {
                return no(format!("`{name}`"));
            }
            _ => {}
        }
        let Some(f) = BUILTINS.get(name.as_str()) else {
            return no(format!("the function `{name}`"));
        };
        if usize::from(f.1) != args.len() {
            return no(format!("`{name}` with {} arguments", args.len()));
        }
        let special = match name.as_str() {
            "object.get" => Special::ObjectGet,
            "count" => Special::Count,
            "lower" => Special::Lower,
            "upper" => Special::Upper,
            _ => Special::None,
        };
        Ok(E::Builtin(Box::new(BuiltinCall {
            special,
            f: *f,
            span: span.clone(),
            params: params.to_vec(),
            args,
        })))
    }
}

/// Whether an expression reads into a rule's value.
/// `base.field`: one more field of a path.
fn dot(base: E, field: V) -> E {
    let key = field.as_string().map_or(Key::Other, |s| Key::of(s));
    match base {
        E::Input if key == Key::Kind => E::Kind,
        E::Dot(b, mut fields) => {
            fields.push((field, key));
            E::Dot(b, fields)
        }
        other => E::Dot(Box::new(other), vec![(field, key)]),
    }
}

fn rule_rooted(e: &E) -> bool {
    match e {
        E::Rule(_) => true,
        E::Dot(b, _) | E::Index(b, _, _) | E::Ensure(_, b) => rule_rooted(b),
        _ => false,
    }
}

/// The name a `some`/`every` pattern declares (`_`: none).
fn pattern(e: &Ref<Expr>, scope: &mut Scope) -> Result<Option<Slot>, Unsupported> {
    match e.as_ref() {
        Expr::Var { span, .. } if span.text() == "_" => Ok(None),
        Expr::Var { span, .. } => Ok(Some(scope.declare(span.text()))),
        _ => no("a pattern in `some`"),
    }
}

fn constant_value(e: &Ref<Expr>) -> Result<V, Unsupported> {
    constant_value_of(e.as_ref())
}

/// A literal made of scalars, arrays, sets and objects.
fn constant_value_of(e: &Expr) -> Result<V, Unsupported> {
    match e {
        Expr::String { value, .. }
        | Expr::RawString { value, .. }
        | Expr::Number { value, .. }
        | Expr::Bool { value, .. }
        | Expr::Null { value, .. } => Ok(value.clone()),
        Expr::Array { items, .. } => Ok(V::from(
            items
                .iter()
                .map(|i| constant_value_of(i))
                .collect::<Result<Vec<_>, _>>()?,
        )),
        Expr::Set { items, .. } => Ok(V::from(
            items
                .iter()
                .map(|i| constant_value_of(i))
                .collect::<Result<BTreeSet<_>, _>>()?,
        )),
        Expr::Object { fields, .. } => Ok(V::from(
            fields
                .iter()
                .map(|(_, k, v)| Ok((constant_value_of(k)?, constant_value_of(v)?)))
                .collect::<Result<BTreeMap<_, _>, Unsupported>>()?,
        )),
        _ => no("not a constant"),
    }
}

/// A value during evaluation: built, a part of the resource's cluster not built yet, or the
/// input itself when its resource is a cluster read in parts.
#[derive(Clone)]
enum Val<'m> {
    V(V),
    N(Lazy<'m>),
    Input,
}

const UNDEFINED: Val<'static> = Val::V(V::Undefined);

/// A resource's input: a cluster read in parts (only what a policy uses whole is built), or
/// another resource's built whole once a policy reads more of it than its kind.
pub enum Input<'m, 'b> {
    /// Built by `build` (numbered first, [`Run::number`]) when a policy reads more of it than
    /// its `kind`.
    Deferred {
        /// `kind` as a value (one shared string).
        kind_value: V,
        build: Build<'m, 'b>,
    },
    Cluster {
        kind: &'static str,
        /// `kind` as a value (one shared string).
        kind_value: V,
        cluster: &'m Cluster,
        /// Builds the cluster's project's data (`input.project`), asked once at most.
        project: ProjectOf<'b>,
    },
}

/// Builds the data of a resource's project.
pub type ProjectOf<'b> = &'b mut dyn FnMut() -> V;

/// Builds a resource's whole input.
pub type Build<'m, 'b> = &'b mut dyn FnMut(&mut Builder<'m, Rego>) -> V;

/// Sets a builder to number locations as the whole input does ([`Run::number`]).
pub type Numbering<'m, 'b> = &'b mut dyn FnMut(&mut Builder<'m, Rego>);

/// One thread's space to evaluate in ([`Program::scratch`]).
pub struct Scratch<'m> {
    consts: Vec<V>,
    /// Per rule: its value, once computed for the resource.
    memo: Vec<Option<Val<'m>>>,
    /// Per rule: being computed (a reference to it now is recursion).
    busy: Vec<bool>,
    /// Frames (and argument lists) given back, to be used again.
    frames: Vec<Vec<Val<'m>>>,
    /// A builtin's arguments, built.
    built: Vec<V>,
    /// The values as written read for the resource ([`Run::text_value`]).
    texts: Vec<(Lazy<'m>, V)>,
    /// The keys of the stand-in a result's part is built as ([`Run::stand_in`]): this
    /// thread's copies, not a string built per result.
    ref_key: V,
    loc_key: V,
    /// `{"ref": null}` and `{"loc": null}`, frozen: a stand-in is a copy with its value set
    /// (one small allocation, not a map built and frozen).
    ref_template: V,
    loc_template: V,
    /// The locations the resource's stand-ins name ([`Run::stand_in`]): a stand-in's `ref`
    /// is [`STAND_IN_REF`] plus its index here, so a result that points at a part needs no
    /// numbering of the whole input.
    stood_for: Vec<&'m Loc>,
}

/// Where the `ref`s of stand-ins ([`Run::stand_in`]) start: above any the whole input numbers,
/// and exact as a float.
pub const STAND_IN_REF: usize = 1 << 40;

impl<'m> Scratch<'m> {
    /// The locations the last resource's stand-ins name, by their `ref` less
    /// [`STAND_IN_REF`].
    pub fn stood_for(&self) -> &[&'m Loc] {
        &self.stood_for
    }
}

/// One resource's evaluation: the input, each rule's value once computed, and the budget.
pub struct Run<'p, 'm, 'b> {
    program: &'p Program,
    /// This thread's constants and reusable space.
    scratch: &'b mut Scratch<'m>,
    builder: &'b mut Builder<'m, Rego>,
    /// Sets `builder` to number locations as the whole input does ([`Builder::number_as`]),
    /// once, before the first value is built: a resource whose policies build nothing and
    /// find nothing is never numbered.
    number: Option<Numbering<'m, 'b>>,
    input: Input<'m, 'b>,
    /// `input.project`, once asked for.
    project: Option<V>,
    /// The input built whole, once asked for.
    whole: Option<V>,
    /// Parts built whole, once each.
    forced: Vec<(Lazy<'m>, V)>,
    steps: u32,
    deadline: Instant,
    depth: u32,
}

/// How deep rules and functions may call each other (Rego has no recursion; this is a guard).
const DEPTH_MAX: u32 = 64;

/// Steps between two looks at the clock.
const CLOCK_EVERY: u32 = 256;

impl Program {
    /// A program that compiles none of `n` policies.
    pub fn none(n: usize) -> Program {
        Program {
            rules: Vec::new(),
            consts: vec![V::new_set()],
            output_only: Vec::new(),
            policies: vec![None; n],
            reasons: vec![Some(Unsupported("the interpreter was asked for".into())); n],
        }
    }

    /// One thread's space to evaluate in: its copy of the program's constants
    /// ([`Program::consts`]), each resource's rule values, the frames of bodies.
    pub fn scratch<'m>(&self) -> Scratch<'m> {
        Scratch {
            consts: self.consts.iter().map(deep_copy).collect(),
            memo: Vec::new(),
            busy: Vec::new(),
            frames: Vec::new(),
            built: Vec::new(),
            texts: Vec::new(),
            ref_key: V::from("ref"),
            loc_key: V::from("loc"),
            ref_template: V::from(BTreeMap::from([(V::from("ref"), V::Null)])),
            loc_template: V::from(BTreeMap::from([(V::from("loc"), V::Null)])),
            stood_for: Vec::new(),
        }
    }

    /// Start evaluating one resource in this thread's `scratch` ([`Program::scratch`]);
    /// `builder` builds what is used whole, numbering locations as building the whole input
    /// would ([`Builder::number_as`]).
    pub fn run<'m, 'b>(
        &self,
        scratch: &'b mut Scratch<'m>,
        builder: &'b mut Builder<'m, Rego>,
        number: Option<Numbering<'m, 'b>>,
        input: Input<'m, 'b>,
        budget: Duration,
    ) -> Run<'_, 'm, 'b> {
        scratch.memo.clear();
        scratch.memo.resize(self.rules.len(), None);
        scratch.busy.clear();
        scratch.busy.resize(self.rules.len(), false);
        scratch.texts.clear();
        scratch.stood_for.clear();
        Run {
            program: self,
            scratch,
            builder,
            number,
            input,
            project: None,
            whole: None,
            forced: Vec::new(),
            steps: 0,
            deadline: Instant::now() + budget,
            depth: 0,
        }
    }
}

fn truthy(v: &Val<'_>) -> bool {
    match v {
        Val::V(V::Bool(b)) => *b,
        Val::V(V::Undefined) => false,
        _ => true,
    }
}

fn undefined(v: &Val<'_>) -> bool {
    matches!(v, Val::V(V::Undefined))
}

/// What iterating a value gives: nothing (undefined), an error (a scalar), or its elements
/// with their keys.
enum Elements<'m> {
    Undefined,
    Scalar,
    /// A part of the cluster that is an array.
    Parts(Lazy<'m>),
    /// A built array.
    Array(V),
    /// The elements of a set or an object.
    Items(Vec<(V, Val<'m>)>),
}

impl<'m> Elements<'m> {
    fn len(&self) -> usize {
        match self {
            Elements::Parts(n) => n.array_len().unwrap_or(0),
            Elements::Array(V::Array(a)) => a.len(),
            Elements::Undefined | Elements::Scalar | Elements::Array(_) => 0,
            Elements::Items(items) => items.len(),
        }
    }

    /// The `i`th element and its key (the index of an array's element only when `key`).
    fn get(&self, i: usize, key: bool) -> (V, Val<'m>) {
        let index = || if key { V::from(i) } else { V::Undefined };
        match self {
            Elements::Parts(n) => (index(), n.at(i).map_or(UNDEFINED, Val::N)),
            Elements::Array(V::Array(a)) => {
                (index(), a.get(i).map_or(UNDEFINED, |v| Val::V(v.clone())))
            }
            Elements::Items(items) => items.get(i).cloned().unwrap_or((V::Undefined, UNDEFINED)),
            _ => (V::Undefined, UNDEFINED),
        }
    }
}

impl<'m> Run<'_, 'm, '_> {
    /// `input.kind`.
    fn kind(&self) -> &V {
        match &self.input {
            Input::Deferred { kind_value, .. } | Input::Cluster { kind_value, .. } => kind_value,
        }
    }

    /// A constant (from this thread's copy).
    fn konst(&self, k: usize) -> V {
        self.scratch.consts.get(k).cloned().unwrap_or(V::Undefined)
    }

    /// A value as written (`.value` of a part that is one), made once per resource: the
    /// policies of a run often read the same ones.
    fn text_value(&mut self, n: Lazy<'m>) -> Val<'m> {
        if let Some((_, v)) = self.scratch.texts.iter().find(|(t, _)| t.same(n)) {
            return Val::V(v.clone());
        }
        match self.builder.field_at(n, Key::Value) {
            Field::Value(v) => {
                self.scratch.texts.push((n, v.clone()));
                Val::V(v)
            }
            Field::Lazy(l) => Val::N(l),
            Field::Missing | Field::Force => UNDEFINED,
        }
    }

    /// A frame of `slots` undefined locals (one given back before, when there is one).
    fn frame(&mut self, slots: usize) -> Vec<Val<'m>> {
        if slots == 0 {
            return Vec::new();
        }
        let mut frame = self.list();
        frame.resize(slots, UNDEFINED);
        frame
    }

    /// An empty list (one given back before, when there is one).
    fn list(&mut self) -> Vec<Val<'m>> {
        self.scratch.frames.pop().unwrap_or_default()
    }

    /// Each solution of a definition's body, in a frame of its own (given back after).
    fn solve_def(
        &mut self,
        def: &Def,
        k: &mut dyn FnMut(&mut Self, &mut Vec<Val<'m>>) -> R<bool>,
    ) -> R<bool> {
        let mut frame = self.frame(def.slots);
        let solved = self.solve(&def.body, &mut frame, k);
        self.give_back(frame);
        solved
    }

    /// A frame done with, kept for [`Run::frame`] (one that never held anything is dropped:
    /// it cost nothing).
    #[inline]
    fn give_back(&mut self, mut frame: Vec<Val<'m>>) {
        if frame.capacity() > 0 {
            frame.clear();
            self.scratch.frames.push(frame);
        }
    }

    /// Number the locations as the whole input does, if not yet done.
    pub fn number(&mut self) {
        if let Some(number) = self.number.take() {
            number(self.builder);
        }
    }

    /// Whether the locations are numbered as the whole input numbers them ([`Run::number`]).
    pub fn numbered(&self) -> bool {
        self.number.is_none()
    }

    /// `input.project` of a cluster read in parts, built once.
    fn project(&mut self) -> V {
        if let Some(v) = &self.project {
            return v.clone();
        }
        let v = match &mut self.input {
            Input::Cluster { project, .. } => project(),
            Input::Deferred { .. } => V::Undefined,
        };
        self.project = Some(v.clone());
        v
    }

    /// The input built whole (for the interpreter, or a policy that uses it whole).
    pub fn whole_input(&mut self) -> V {
        if let Some(v) = &self.whole {
            return v.clone();
        }
        let v = match &self.input {
            Input::Deferred { .. } => {
                if let Some(number) = self.number.take() {
                    number(self.builder);
                }
                match &mut self.input {
                    Input::Deferred { build, .. } => build(self.builder),
                    _ => V::Undefined,
                }
            }
            Input::Cluster { kind, cluster, .. } => {
                let (kind, cluster) = (*kind, *cluster);
                let project = self.project();
                if let Some(number) = self.number.take() {
                    number(self.builder);
                }
                let resource = self.builder.force(Lazy::Cluster(cluster));
                self.builder.sink().input(kind, resource, project)
            }
        };
        self.whole = Some(v.clone());
        v
    }

    /// A value built whole.
    #[inline]
    fn force(&mut self, v: Val<'m>) -> V {
        match v {
            Val::V(v) => v,
            other => self.force_part(other),
        }
    }

    /// [`Run::force`] of the input or a part of it.
    #[inline(never)]
    fn force_part(&mut self, v: Val<'m>) -> V {
        match v {
            Val::V(v) => v,
            Val::Input => self.whole_input(),
            Val::N(n) => {
                if let Some((_, v)) = self.forced.iter().find(|(m, _)| m.same(n)) {
                    return v.clone();
                }
                self.number();
                let v = self.builder.force(n);
                self.forced.push((n, v.clone()));
                v
            }
        }
    }

    /// A value built for a result only: a part that has a location of its own stands for
    /// itself by a `ref` (all a result reads of it, `at.ref` or `at.loc.ref`, and equal where
    /// the part is the same), so a result that points at the cluster does not build the
    /// cluster. The `ref` is the location's in [`Scratch::stood_for`] ([`STAND_IN_REF`] on),
    /// not the one the whole input numbers: finding that one means building the whole
    /// input's locations, and only the report reads it (a stand-in is in a result only).
    fn stand_in(&mut self, v: Val<'m>) -> V {
        let Val::N(n) = v else {
            return self.force(v);
        };
        let Some(loc) = n.own_loc() else {
            return self.force(Val::N(n));
        };
        let stood_for = &mut self.scratch.stood_for;
        let i = match stood_for.iter().position(|l| std::ptr::eq(*l, loc)) {
            Some(i) => i,
            None => {
                stood_for.push(loc);
                stood_for.len() - 1
            }
        };
        let r = V::from(i64::try_from(STAND_IN_REF + i).unwrap_or(i64::MAX));
        let scratch = &*self.scratch;
        let loc = with_field(&scratch.ref_template, &scratch.ref_key, r);
        if matches!(n, Lazy::Loc(_)) {
            loc
        } else {
            with_field(&scratch.loc_template, &scratch.loc_key, loc)
        }
    }

    /// `base[key]`.
    fn index(&mut self, base: Val<'m>, key: &V) -> Val<'m> {
        let k = match (&base, key) {
            (Val::N(_) | Val::Input, V::String(s)) => Key::of(s),
            _ => Key::Other,
        };
        self.index_at(base, key, k)
    }

    /// `base[key]` (also `base.key`), `k` the key resolved ([`Key::of`]) when `key` is a string.
    fn index_at(&mut self, base: Val<'m>, key: &V, k: Key) -> Val<'m> {
        match base {
            Val::V(v) => Val::V(v[key].clone()),
            Val::Input => match (k, &self.input) {
                (Key::Version, _) => Val::V(V::from(u64::from(crate::model::json::VERSION))),
                (Key::Kind, _) => Val::V(self.kind().clone()),
                (_, Input::Deferred { .. }) => Val::V(self.whole_input()[key].clone()),
                (Key::Resource, Input::Cluster { cluster, .. }) => Val::N(Lazy::Cluster(cluster)),
                (Key::Project, Input::Cluster { .. }) => Val::V(self.project()),
                (_, Input::Cluster { .. }) => UNDEFINED,
            },
            Val::N(n) => match key.as_string() {
                Ok(_) if k == Key::Value && matches!(n, Lazy::Text(..)) => self.text_value(n),
                Ok(_) if !n.is_array() => match self.builder.field_at(n, k) {
                    Field::Lazy(l) => Val::N(l),
                    Field::Value(v) => Val::V(v),
                    Field::Missing => UNDEFINED,
                    Field::Force => Val::V(self.force(Val::N(n))[key].clone()),
                },
                Ok(_) => UNDEFINED,
                Err(_) if n.is_array() => Val::V(self.force(Val::N(n))[key].clone()),
                Err(_) => UNDEFINED,
            },
        }
    }

    fn elements(&mut self, v: Val<'m>) -> Elements<'m> {
        let v = match v {
            Val::N(n) if n.is_array() => return Elements::Parts(n),
            other => self.force(other),
        };
        match &v {
            V::Array(_) => Elements::Array(v),
            V::Set(s) => {
                Elements::Items(s.iter().map(|v| (v.clone(), Val::V(v.clone()))).collect())
            }
            V::Object(o) => Elements::Items(
                o.iter()
                    .map(|(k, v)| (k.clone(), Val::V(v.clone())))
                    .collect(),
            ),
            V::Undefined => Elements::Undefined,
            _ => Elements::Scalar,
        }
    }

    /// Whether two values are equal (parts: the same part, or built equal).
    fn equal(&mut self, a: &Val<'m>, b: &Val<'m>) -> bool {
        match (a, b) {
            (Val::N(x), Val::N(y)) if x.same(*y) => true,
            (Val::Input, Val::Input) => true,
            (Val::V(x), Val::V(y)) => x == y,
            _ => {
                let (x, y) = (self.force(a.clone()), self.force(b.clone()));
                x == y
            }
        }
    }

    /// The value of a rule (a policy's `deny` or `warn`), or [`Bail`].
    pub fn rule(&mut self, id: usize) -> R<V> {
        let v = self.rule_val(id)?;
        Ok(self.force(v))
    }

    fn rule_val(&mut self, id: usize) -> R<Val<'m>> {
        if let Some(Some(v)) = self.scratch.memo.get(id) {
            return Ok(v.clone());
        }
        if self.scratch.busy.get(id).copied().unwrap_or(true) || self.depth > DEPTH_MAX {
            return Err(Bail);
        }
        let program = self.program;
        let kind = program.rules.get(id).ok_or(Bail)?;
        let output = program.output_only.get(id).copied().unwrap_or(false);
        if let Some(b) = self.scratch.busy.get_mut(id) {
            *b = true;
        }
        self.depth += 1;
        let value = self.rule_value(kind, output);
        self.depth -= 1;
        if let Some(b) = self.scratch.busy.get_mut(id) {
            *b = false;
        }
        let value = value?;
        if let Some(slot) = self.scratch.memo.get_mut(id) {
            *slot = Some(value.clone());
        }
        Ok(value)
    }

    /// A definition's value for the solution in `frame` (`true` when it has none), built for
    /// a result only when `output`; an undefined one is regorus's to judge.
    fn def_value(&mut self, def: &Def, frame: &mut Vec<Val<'m>>, output: bool) -> R<Val<'m>> {
        let v = match (&def.value, output) {
            (Some(e), false) => self.eval(e, frame)?,
            (Some(e), true) => Val::V(self.eval_output(e, frame)?),
            (None, _) => Val::V(V::Bool(true)),
        };
        if undefined(&v) {
            return Err(Bail);
        }
        Ok(v)
    }

    fn rule_value(&mut self, kind: &RuleKind, output: bool) -> R<Val<'m>> {
        match kind {
            RuleKind::Pending | RuleKind::Function(_) => Err(Bail),
            RuleKind::Set(defs) => {
                // Kept in a list, made a set when there is something (most sets are empty).
                let mut out = Vec::new();
                for def in defs {
                    self.solve_def(def, &mut |run, frame| {
                        let v = run.def_value(def, frame, output)?;
                        out.push(run.force(v));
                        Ok(false)
                    })?;
                }
                Ok(Val::V(if out.is_empty() {
                    self.konst(EMPTY_SET)
                } else if output {
                    // Results only (read by the report, never by a policy): the set's
                    // elements in its order, as a list (a list of one or two costs a
                    // fraction of a set's tree).
                    out.sort_unstable();
                    out.dedup();
                    V::from(out)
                } else {
                    V::from(out.into_iter().collect::<BTreeSet<_>>())
                }))
            }
            RuleKind::Complete {
                defs,
                default,
                constant,
            } => {
                let mut value: Option<Val<'m>> = None;
                // Never built for a result only: a stand-in could equal a value of another
                // definition that the whole value does not (a conflict regorus reports).
                for def in defs {
                    self.solve_def(def, &mut |run, frame| {
                        let v = run.def_value(def, frame, false)?;
                        if let Some(old) = &value
                            && !run.equal(old, &v)
                        {
                            return Err(Bail);
                        }
                        value = Some(v);
                        Ok(*constant)
                    })?;
                }
                Ok(value
                    .or_else(|| default.map(|k| Val::V(self.konst(k))))
                    .unwrap_or(UNDEFINED))
            }
        }
    }

    fn call(&mut self, id: usize, args: &[Val<'m>]) -> R<Val<'m>> {
        if self.depth > DEPTH_MAX {
            return Err(Bail);
        }
        let program = self.program;
        let Some(RuleKind::Function(defs)) = program.rules.get(id) else {
            return Err(Bail);
        };
        self.depth += 1;
        let mut value: Option<Val<'m>> = None;
        let result = (|| {
            for def in defs {
                let mut frame = self.frame(def.slots);
                let mut matched = true;
                for (p, a) in def.params.iter().zip(args) {
                    match p {
                        Param::Bind(s) => set(&mut frame, *s, a.clone()),
                        Param::Ignore => {}
                        Param::Equal(k) => {
                            let v = Val::V(self.konst(*k));
                            matched &= self.equal(&v, a);
                        }
                    }
                }
                if !matched {
                    self.give_back(frame);
                    continue;
                }
                let solved = self.solve(&def.body, &mut frame, &mut |run, frame| {
                    let v = run.def_value(def, frame, false)?;
                    if let Some(old) = &value
                        && !run.equal(old, &v)
                    {
                        return Err(Bail);
                    }
                    value = Some(v);
                    Ok(false)
                });
                self.give_back(frame);
                solved?;
            }
            Ok(())
        })();
        self.depth -= 1;
        result?;
        Ok(value.unwrap_or(UNDEFINED))
    }

    fn tick(&mut self) -> R<()> {
        self.steps = self.steps.wrapping_add(1);
        if self.steps.is_multiple_of(CLOCK_EVERY) && Instant::now() > self.deadline {
            return Err(Bail);
        }
        Ok(())
    }

    /// Each solution of `stmts`, handed to `k` (which says whether to stop). Ok(true) when
    /// stopped.
    fn solve(
        &mut self,
        stmts: &[Stmt],
        frame: &mut Vec<Val<'m>>,
        k: &mut dyn FnMut(&mut Self, &mut Vec<Val<'m>>) -> R<bool>,
    ) -> R<bool> {
        let Some((first, rest)) = stmts.split_first() else {
            return k(self, frame);
        };
        self.tick()?;
        match first {
            Stmt::Test(e) => {
                let v = self.eval(e, frame)?;
                if truthy(&v) {
                    self.solve(rest, frame, k)
                } else {
                    Ok(false)
                }
            }
            Stmt::Not(e) => {
                let v = self.eval(e, frame)?;
                if matches!(v, Val::V(V::Bool(false) | V::Undefined)) {
                    self.solve(rest, frame, k)
                } else {
                    Ok(false)
                }
            }
            Stmt::Assign(slot, e) => {
                let v = self.eval(e, frame)?;
                if undefined(&v) {
                    return Ok(false);
                }
                set(frame, *slot, v);
                self.solve(rest, frame, k)
            }
            Stmt::Loop {
                coll,
                key,
                value,
                some_in,
            } => {
                let c = self.eval(coll, frame)?;
                let elements = self.elements(c);
                let len = match &elements {
                    Elements::Undefined => return Ok(false),
                    Elements::Scalar if *some_in => return Err(Bail),
                    Elements::Scalar => return Ok(false),
                    e => e.len(),
                };
                for i in 0..len {
                    self.tick()?;
                    let (kv, vv) = elements.get(i, key.is_some());
                    if let Some(s) = key {
                        set(frame, *s, Val::V(kv));
                    }
                    if let Some(s) = value {
                        set(frame, *s, vv);
                    }
                    if self.solve(rest, frame, k)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Stmt::Every {
                coll,
                key,
                value,
                body,
            } => {
                let c = self.eval(coll, frame)?;
                let elements = self.elements(c);
                if matches!(elements, Elements::Undefined | Elements::Scalar) {
                    return Ok(false);
                }
                for i in 0..elements.len() {
                    self.tick()?;
                    let (kv, vv) = elements.get(i, key.is_some());
                    if let Some(s) = key {
                        set(frame, *s, Val::V(kv));
                    }
                    set(frame, *value, vv);
                    // Every solution, as regorus does (an error in a later one is its error).
                    let mut held = false;
                    self.solve(body, frame, &mut |_, _| {
                        held = true;
                        Ok(false)
                    })?;
                    if !held {
                        return Ok(false);
                    }
                }
                self.solve(rest, frame, k)
            }
        }
    }

    /// A value built whole.
    fn value(&mut self, e: &E, frame: &mut Vec<Val<'m>>) -> R<V> {
        let v = self.eval(e, frame)?;
        Ok(self.force(v))
    }

    /// An array, set or object literal, its elements built whole, or for a result only when
    /// `output` ([`Run::eval_output`]); undefined when one is (the rest are not evaluated, as
    /// regorus does for a literal).
    fn literal(&mut self, e: &E, frame: &mut Vec<Val<'m>>, output: bool) -> R<V> {
        let element = |run: &mut Self, e: &E, frame: &mut Vec<Val<'m>>| {
            if output {
                run.eval_output(e, frame)
            } else {
                run.value(e, frame)
            }
        };
        Ok(match e {
            E::Object(fields) => {
                let mut out = BTreeMap::new();
                for (k, v) in fields {
                    let k = self.value(k, frame)?;
                    if k == V::Undefined {
                        return Ok(V::Undefined);
                    }
                    let v = element(self, v, frame)?;
                    if v == V::Undefined {
                        return Ok(V::Undefined);
                    }
                    out.insert(k, v);
                }
                V::from(out)
            }
            E::Array(items) | E::Set(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    let v = element(self, i, frame)?;
                    if v == V::Undefined {
                        return Ok(V::Undefined);
                    }
                    out.push(v);
                }
                if matches!(e, E::Set(_)) {
                    V::from(out.into_iter().collect::<BTreeSet<_>>())
                } else {
                    V::from(out)
                }
            }
            _ => V::Undefined,
        })
    }

    /// A call's arguments: every one evaluated (an error in a later one is regorus's error),
    /// then `None` when one is undefined.
    fn arguments(&mut self, items: &[E], frame: &mut Vec<Val<'m>>) -> R<Option<Vec<Val<'m>>>> {
        let mut out = self.list();
        for i in items {
            out.push(self.eval(i, frame)?);
        }
        if out.iter().any(undefined) {
            self.give_back(out);
            return Ok(None);
        }
        Ok(Some(out))
    }

    /// A builtin's arguments, built whole.
    fn built_arguments(&mut self, items: &[E], frame: &mut Vec<Val<'m>>) -> R<Option<Vec<V>>> {
        Ok(self
            .arguments(items, frame)?
            .map(|args| args.into_iter().map(|a| self.force(a)).collect()))
    }

    /// A result's value: literals built as [`Run::eval`] builds them, with the parts they hold
    /// built for a result only ([`Run::stand_in`]).
    fn eval_output(&mut self, e: &E, frame: &mut Vec<Val<'m>>) -> R<V> {
        Ok(match e {
            E::Object(_) | E::Array(_) | E::Set(_) => self.literal(e, frame, true)?,
            _ => {
                let v = self.eval(e, frame)?;
                self.stand_in(v)
            }
        })
    }

    /// Each value of `term` over the solutions of `body`; an undefined one is regorus's to
    /// judge.
    fn each_term(
        &mut self,
        term: &E,
        body: &[Stmt],
        frame: &mut Vec<Val<'m>>,
        mut push: impl FnMut(V),
    ) -> R<()> {
        self.solve(body, frame, &mut |run, frame| {
            let v = run.value(term, frame)?;
            if v == V::Undefined {
                return Err(Bail);
            }
            push(v);
            Ok(false)
        })?;
        Ok(())
    }

    /// `object.get` on a part: walked, not built.
    fn object_get(&mut self, obj: Val<'m>, key: &V, default: &V) -> Val<'m> {
        match key {
            V::Array(keys) => {
                let mut v = obj;
                for k in keys.iter() {
                    v = self.index(v, k);
                    if undefined(&v) {
                        return Val::V(default.clone());
                    }
                }
                v
            }
            k => match self.index(obj, k) {
                Val::V(V::Undefined) => Val::V(default.clone()),
                v => v,
            },
        }
    }

    fn eval(&mut self, e: &E, frame: &mut Vec<Val<'m>>) -> R<Val<'m>> {
        // The common expressions here, the rest apart: a small function is a cheap call.
        match e {
            E::Const(k) => Ok(Val::V(self.konst(*k))),
            E::Input => Ok(Val::Input),
            E::Kind => Ok(Val::V(self.kind().clone())),
            E::Local(s) => Ok(frame.get(*s).cloned().unwrap_or(UNDEFINED)),
            E::Rule(id) => self.rule_val(*id),
            E::Dot(base, fields) => {
                let mut v = self.eval(base, frame)?;
                for (field, key) in fields {
                    if undefined(&v) {
                        break;
                    }
                    v = self.index_at(v, field, *key);
                }
                Ok(v)
            }
            _ => self.eval_other(e, frame),
        }
    }

    /// `l op constant`: as [`E::Cmp`] evaluates it, the constant read where it is kept.
    fn compare_to_constant(
        &mut self,
        op: &BoolOp,
        l: &E,
        k: usize,
        frame: &mut Vec<Val<'m>>,
    ) -> R<Val<'m>> {
        if let E::Kind = l {
            let r = self.scratch.consts.get(k).unwrap_or(&V::Undefined);
            let l = self.kind();
            if *l == V::Undefined || *r == V::Undefined {
                return Ok(UNDEFINED);
            }
            return Ok(Val::V(
                regorus::unstable::comparison::compare(op, l, r).map_err(|_| Bail)?,
            ));
        }
        let l = self.eval(l, frame)?;
        if undefined(&l) {
            return Ok(UNDEFINED);
        }
        let scalar = self.scratch.consts.get(k).is_some_and(is_scalar);
        if let Some(v) = part_vs_scalar(op, &l, scalar) {
            return Ok(v);
        }
        let l = self.force(l);
        let Some(r) = self.scratch.consts.get(k) else {
            return Ok(UNDEFINED);
        };
        Ok(Val::V(
            regorus::unstable::comparison::compare(op, &l, r).map_err(|_| Bail)?,
        ))
    }

    #[inline(never)]
    fn eval_other(&mut self, e: &E, frame: &mut Vec<Val<'m>>) -> R<Val<'m>> {
        Ok(match e {
            // Evaluated by `eval` itself.
            E::Const(_) | E::Input | E::Kind | E::Local(_) | E::Rule(_) | E::Dot(..) => {
                self.eval(e, frame)?
            }
            E::Index(base, index, rooted) => {
                let b = self.eval(base, frame)?;
                let i = self.value(index, frame)?;
                if *rooted && matches!(i, V::Number(_)) {
                    return Err(Bail);
                }
                if i == V::Undefined {
                    UNDEFINED
                } else {
                    self.index(b, &i)
                }
            }
            E::Ensure(ids, e) => {
                for id in ids {
                    self.rule_val(*id)?;
                }
                self.eval(e, frame)?
            }
            E::Array(_) | E::Set(_) | E::Object(_) => Val::V(self.literal(e, frame, false)?),
            E::ArrayCompr(term, body) => {
                let mut out = Vec::new();
                self.each_term(term, body, frame, |v| out.push(v))?;
                Val::V(V::from(out))
            }
            E::SetCompr(term, body) => {
                let mut out = BTreeSet::new();
                self.each_term(term, body, frame, |v| {
                    out.insert(v);
                })?;
                Val::V(V::from(out))
            }
            E::ObjectCompr(kv, body) => {
                let mut out: BTreeMap<V, V> = BTreeMap::new();
                self.solve(body, frame, &mut |run, frame| {
                    let k = run.value(&kv.0, frame)?;
                    let v = run.value(&kv.1, frame)?;
                    if k == V::Undefined || v == V::Undefined {
                        return Err(Bail);
                    }
                    match out.get(&k) {
                        Some(old) if *old != v => return Err(Bail),
                        _ => {
                            out.insert(k, v);
                        }
                    }
                    Ok(false)
                })?;
                Val::V(V::from(out))
            }
            E::Builtin(call) => {
                // Every argument evaluated once, then undefined checked, as regorus does.
                let Some(args) = self.arguments(&call.args, frame)? else {
                    return Ok(UNDEFINED);
                };
                match (call.special, args.as_slice()) {
                    (Special::ObjectGet, [o, key, default])
                        if matches!(o, Val::Input) || matches!(o, Val::N(n) if !n.is_array()) =>
                    {
                        let (key, default) = (self.force(key.clone()), self.force(default.clone()));
                        return Ok(self.object_get(o.clone(), &key, &default));
                    }
                    (Special::Count, [Val::N(n)]) => {
                        if let Some(len) = n.array_len() {
                            return Ok(Val::V(V::from(len)));
                        }
                    }
                    // An ASCII string already in that case is its own lower (upper) case.
                    (Special::Lower | Special::Upper, [Val::V(v @ V::String(s))])
                        if s.is_ascii()
                            && !s.bytes().any(|b| match call.special {
                                Special::Lower => b.is_ascii_uppercase(),
                                _ => b.is_ascii_lowercase(),
                            }) =>
                    {
                        return Ok(Val::V(v.clone()));
                    }
                    _ => {}
                }
                let mut built = std::mem::take(&mut self.scratch.built);
                built.clear();
                let mut args = args;
                for a in args.drain(..) {
                    built.push(self.force(a));
                }
                self.give_back(args);
                let v = (call.f.0)(&call.span, &call.params, &built, true);
                built.clear();
                self.scratch.built = built;
                let v = v.map_err(|_| Bail)?;
                if v == V::Undefined {
                    // A builtin that gives nothing (regorus may treat it its own way).
                    return Err(Bail);
                }
                Val::V(v)
            }
            E::Range(step, items) => {
                let Some(args) = self.built_arguments(items, frame)? else {
                    return Ok(UNDEFINED);
                };
                let s = if *step {
                    Some(args.get(2).and_then(|v| v.as_i64().ok()).ok_or(Bail)?)
                } else {
                    None
                };
                Val::V(super::bounded_range(&args, s).map_err(|_| Bail)?)
            }
            E::Call(id, items) => match self.arguments(items, frame)? {
                Some(args) => {
                    let v = self.call(*id, &args);
                    self.give_back(args);
                    v?
                }
                None => UNDEFINED,
            },
            E::Cmp(op, l, r) => {
                if let E::Const(k) = **r {
                    return self.compare_to_constant(op, l, k, frame);
                }
                let l = self.eval(l, frame)?;
                let r = self.eval(r, frame)?;
                if undefined(&l) || undefined(&r) {
                    return Ok(UNDEFINED);
                }
                let scalar = |v: &Val<'_>| matches!(v, Val::V(v) if is_scalar(v));
                if let Some(v) = part_vs_scalar(op, &l, scalar(&r))
                    .or_else(|| part_vs_scalar(op, &r, scalar(&l)))
                {
                    return Ok(v);
                }
                let (l, r) = (self.force(l), self.force(r));
                Val::V(regorus::unstable::comparison::compare(op, &l, &r).map_err(|_| Bail)?)
            }
            E::Arith(n) => {
                let l = self.value(&n.lhs, frame)?;
                let r = self.value(&n.rhs, frame)?;
                if l == V::Undefined || r == V::Undefined {
                    return Ok(UNDEFINED);
                }
                let v = match (&n.op, &l, &r) {
                    (ArithOp::Sub, V::Set(_), _) | (ArithOp::Sub, _, V::Set(_)) => {
                        regorus::unstable::sets::difference(&n.lhs_ast, &n.rhs_ast, l, r)
                    }
                    _ => regorus::unstable::numbers::arithmetic_operation(
                        &n.span, &n.op, &n.lhs_ast, &n.rhs_ast, l, r, true,
                    ),
                };
                Val::V(v.map_err(|_| Bail)?)
            }
            E::Bin(n) => {
                let l = self.value(&n.lhs, frame)?;
                let r = self.value(&n.rhs, frame)?;
                if l == V::Undefined || r == V::Undefined {
                    return Ok(UNDEFINED);
                }
                Val::V(
                    match n.op {
                        BinOp::Union => {
                            regorus::unstable::sets::union(&n.lhs_ast, &n.rhs_ast, l, r)
                        }
                        BinOp::Intersection => {
                            regorus::unstable::sets::intersection(&n.lhs_ast, &n.rhs_ast, l, r)
                        }
                    }
                    .map_err(|_| Bail)?,
                )
            }
            E::Member(key, value, coll) => {
                let v = self.value(value, frame)?;
                // A constant collection is read where it is kept.
                let c = match **coll {
                    E::Const(_) => None,
                    _ => Some(self.value(coll, frame)?),
                };
                let k = match key {
                    Some(k) => Some(self.value(k, frame)?),
                    None => None,
                };
                let c = match (&c, &**coll) {
                    (Some(c), _) => c,
                    (None, E::Const(i)) => self.scratch.consts.get(*i).unwrap_or(&V::Undefined),
                    (None, _) => &V::Undefined,
                };
                Val::V(V::Bool(member(c, k, &v)))
            }
        })
    }
}

fn is_scalar(v: &V) -> bool {
    matches!(v, V::Null | V::Bool(_) | V::Number(_) | V::String(_))
}

/// `part op other`, `other` a scalar or not: a part (an object or array) is never equal to a
/// scalar, so `==` and `!=` are answered without building it.
fn part_vs_scalar(op: &BoolOp, part: &Val<'_>, other_is_scalar: bool) -> Option<Val<'static>> {
    (matches!(op, BoolOp::Eq | BoolOp::Ne)
        && matches!(part, Val::N(_) | Val::Input)
        && other_is_scalar)
        .then(|| Val::V(V::Bool(*op == BoolOp::Ne)))
}

/// `k, v in c` (`v in c` without `k`).
fn member(c: &V, k: Option<V>, v: &V) -> bool {
    match (c, k) {
        (V::Array(_) | V::Object(_), Some(k)) => c[&k] == *v,
        (V::Array(a), None) => a.contains(v),
        (V::Object(o), None) => o.iter().any(|(_, item)| item == v),
        (V::Set(_), Some(_)) => false,
        (V::Set(s), None) => s.contains(v),
        _ => false,
    }
}

fn set<'m>(frame: &mut [Val<'m>], slot: Slot, v: Val<'m>) {
    if let Some(s) = frame.get_mut(slot) {
        *s = v;
    }
}

/// A copy of the one-field object `template` with `key`'s value set to `value`.
fn with_field(template: &V, key: &V, value: V) -> V {
    let mut out = template.clone();
    if let Ok(fields) = out.as_object_mut()
        && let Some(slot) = fields.get_mut(key)
    {
        *slot = value;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    fn program(dir: &str) -> (Vec<String>, Program) {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rego"))
            .map(|p| {
                (
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        let mut names = Vec::new();
        let mut wanted = Vec::new();
        for (path, text) in &files {
            if !text.contains("metadata :=") {
                continue;
            }
            let package = text
                .lines()
                .find_map(|l| l.strip_prefix("package "))
                .unwrap();
            let sets: Vec<&str> = ["deny", "warn"]
                .into_iter()
                .filter(|s| text.lines().any(|l| l.starts_with(s)))
                .collect();
            names.push(path.rsplit('/').next().unwrap().to_string());
            wanted.push((format!("data.{package}"), sets));
        }
        (names, compile(&files, &wanted))
    }

    const HEAD: &str = "a rule whose head is a reference (`a.b := ..`, `a[k] := ..`)";

    /// Which policies are compiled, and why the others are not: everything in the shipped
    /// examples and the comparison policies but `with`, `else` and partial objects.
    #[test]
    fn what_compiles() {
        let (names, p) = program("tests/data/policies-direct");
        let left: Vec<(&str, &str)> = names
            .iter()
            .zip(&p.reasons)
            .filter_map(|(n, r)| r.as_ref().map(|r| (n.as_str(), r.0.as_str())))
            .collect();
        assert_eq!(
            left,
            [
                (
                    "nested_names.rego",
                    "a name bound by `=` or as a key inside a comprehension or `every`"
                ),
                ("partial_object.rego", HEAD),
                ("ref_heads.rego", HEAD),
                ("some_rule_name.rego", "`some` of a rule's name"),
                ("with_else.rego", "`else` or several bodies"),
            ]
        );
        assert_eq!(
            p.policies.iter().filter(|x| x.is_some()).count(),
            names.len() - 5
        );
        // A rule whose path is also a package's: every policy left to regorus.
        let (_, p) = program("tests/data/policies-direct-collision");
        assert!(p.policies.iter().all(Option::is_none));
        let (names, p) = program("examples/policies");
        assert_eq!(names.len(), 4);
        assert!(p.policies.iter().all(Option::is_some), "{:?}", p.reasons);
    }

    fn eval(policy: &str, input: &str) -> R<V> {
        let files = vec![("p.rego".to_string(), format!("package t\n\n{policy}"))];
        let p = compile(&files, &[("data.t".into(), vec!["deny"])]);
        let Some(Some(ids)) = p.policies.first() else {
            panic!("not compiled: {:?}", p.reasons);
        };
        let input = V::from_json_str(input).unwrap();
        let model = crate::model::Model::default();
        let mut builder = Builder::with_sink(&model, Rego::default());
        let mut scratch = p.scratch();
        let mut build = |_: &mut Builder<'_, Rego>| input.clone();
        let mut run = p.run(
            &mut scratch,
            &mut builder,
            None,
            Input::Deferred {
                kind_value: input["kind"].clone(),
                build: &mut build,
            },
            Duration::from_secs(2),
        );
        run.rule(ids[0])
    }

    #[test]
    fn results_and_bails() {
        // A result set's value: the empty set, or its distinct elements in order as a list
        // (only the report reads it).
        let set = |items: &[&str]| {
            let distinct = items.iter().map(|s| V::from(*s)).collect::<BTreeSet<_>>();
            if distinct.is_empty() {
                V::from(distinct)
            } else {
                V::from(distinct.into_iter().collect::<Vec<_>>())
            }
        };
        // A set rule that holds nowhere is the empty set.
        assert_eq!(
            eval("deny contains \"x\" if input.a == 2", r#"{"a": 1}"#),
            Ok(set(&[]))
        );
        assert_eq!(
            eval(
                "deny contains x if { some x in input.a }",
                r#"{"a": ["p", "q", "p"]}"#
            ),
            Ok(set(&["p", "q"]))
        );
        // Each element of `x[_]`, and a named key.
        assert_eq!(
            eval(
                "deny contains sprintf(\"%v=%v\", [k, v]) if { v := input.o[k] }",
                r#"{"o": {"a": 1, "b": 2}}"#
            ),
            Ok(set(&["a=1", "b=2"]))
        );
        // An element that is undefined, a builtin's error, `some` over a scalar: regorus's.
        assert_eq!(
            eval("deny contains {\"m\": input.nothing} if true", "{}"),
            Err(Bail)
        );
        assert_eq!(
            eval(
                "deny contains \"x\" if to_number(input.a) > 1",
                r#"{"a": "z"}"#
            ),
            Err(Bail)
        );
        assert_eq!(
            eval(
                "deny contains \"x\" if { some c in input.a }",
                r#"{"a": "z"}"#
            ),
            Err(Bail)
        );
        // A loop that runs past its budget is handed over too.
        let files = vec![(
            "p.rego".to_string(),
            "package t\n\ndeny contains \"x\" if { some i in numbers.range(1, 1000000); some j in numbers.range(1, 1000000); i == j + 1000001 }".to_string(),
        )];
        let p = compile(&files, &[("data.t".into(), vec!["deny"])]);
        let ids = p.policies[0].as_ref().unwrap();
        let model = crate::model::Model::default();
        let mut builder = Builder::with_sink(&model, Rego::default());
        let mut scratch = p.scratch();
        let mut build = |_: &mut Builder<'_, Rego>| V::new_object();
        let mut run = p.run(
            &mut scratch,
            &mut builder,
            None,
            Input::Deferred {
                kind_value: V::Undefined,
                build: &mut build,
            },
            Duration::from_millis(50),
        );
        assert_eq!(run.rule(ids[0]), Err(Bail));
    }
}
