//! Bodies and expressions: literals, references, paths, conditionals, `for` and `dynamic`.

use super::*;

impl<'f> World<'f> {
    /// A resource (or provider) body with its expressions evaluated, as a tree.
    pub(super) fn evaluate(
        &self,
        scope: Scope<'_>,
        ctx: &LocCtx<'_>,
        body: &Cursor<'_>,
        overrides: &[(LocCtx<'_>, Cursor<'_>)],
        at: &Loc,
    ) -> Tree {
        let at_body = At {
            ctx,
            pointer: &body.pointer,
        };
        let mut value = self.body(scope, at_body, body, true);
        // Each override block's arguments replace the block's, a nested block type as a whole;
        // each keeps its place in the file that writes it.
        for (octx, obody) in overrides {
            let at = At {
                ctx: octx,
                pointer: &obody.pointer,
            };
            value = value::overridden(&value, &self.body(scope, at, obody, true));
        }
        Tree::of(&value, ctx.file, at)
    }

    /// A node of a document.
    pub(super) fn node(&self, scope: Scope<'_>, at: At<'_>, cur: &Cursor<'_>) -> Val {
        match &cur.node.value {
            Value::Map(_) => self.body(scope, at, cur, false),
            Value::Seq(_) => {
                let mut items = Vec::new();
                for item in cur.items() {
                    let at = At {
                        pointer: &item.pointer,
                        ..at
                    };
                    items.push(self.node(scope, at, &item));
                }
                Val::List(items.into())
            }
            Value::Null => Val::Null,
            _ if cur.node.is_expr() => self.expr_node(scope, at, cur),
            _ => match (value::scalar(cur.node), at.ctx.text(Some(cur.clone()))) {
                (Some(kind), Some(t)) => Val::Known(t, kind),
                _ => Val::unknown(),
            },
        }
    }

    /// A mapping: a block body or an object. `dynamic` blocks are expanded; in a resource's
    /// own body (`top`) the meta-arguments are left out.
    pub(super) fn body(&self, scope: Scope<'_>, at: At<'_>, cur: &Cursor<'_>, top: bool) -> Val {
        let mut entries: Vec<(Text, Val)> = Vec::new();
        let mut generated: Vec<(Text, Vec<Val>)> = Vec::new();
        for (k, v) in cur.entries() {
            let Some(key) = at.ctx.text(Some(k.clone())) else {
                continue;
            };
            if top && is_meta_argument(key.as_str()) {
                continue;
            }
            if key.as_str() == "dynamic" && v.node.as_map().is_some() {
                for (label, block) in v.entries() {
                    if let Some(label) = at.ctx.text(Some(label)) {
                        let blocks = self.dynamic(scope, at, label.as_str(), &block);
                        generated.push((label, blocks));
                    }
                }
                continue;
            }
            let at = At {
                pointer: &v.pointer,
                ..at
            };
            entries.push((key, self.node(scope, at, &v)));
        }
        // Generated blocks come after the written ones of the same name.
        for (label, blocks) in generated {
            match entries
                .iter_mut()
                .rev()
                .find(|(k, _)| k.as_str() == label.as_str())
            {
                Some((_, existing)) => {
                    let mut all: Vec<Val> = match &*existing {
                        Val::List(items) => items.to_vec(),
                        other => vec![other.clone()],
                    };
                    all.extend(blocks);
                    *existing = Val::List(all.into());
                }
                None => entries.push((label, Val::List(blocks.into()))),
            }
        }
        Val::Map(entries.into())
    }

    /// The blocks a `dynamic "label" { for_each = .. iterator = .. content { .. } }` generates.
    pub(super) fn dynamic(
        &self,
        scope: Scope<'_>,
        at: At<'_>,
        label: &str,
        block: &Cursor<'_>,
    ) -> Vec<Val> {
        let Some(content) = block
            .get("content")
            .map(|c| {
                if c.node.as_seq().is_some() {
                    c.items().next()
                } else {
                    Some(c)
                }
            })
            .and_then(|c| c)
        else {
            return Vec::new();
        };
        let name = block
            .get("iterator")
            .and_then(|i| i.node.expr_source().or(i.str()).map(str::trim))
            .unwrap_or(label);
        let mark = self.mark();
        let collection = match block.get("for_each") {
            Some(f) => {
                let at = At {
                    pointer: &f.pointer,
                    ..at
                };
                self.node(scope, at, &f)
            }
            None => Val::unknown(),
        };
        let at_content = At {
            pointer: &content.pointer,
            ..at
        };
        let iterator = |key: Val, value: Val| {
            let loc = at.loc(content.node.span);
            let name = |n: &str| Text {
                value: n.into(),
                loc: loc.clone(),
            };
            Val::Map(vec![(name("key"), key), (name("value"), value)].into())
        };
        let one = |value: Val| {
            let binding = Binding {
                name,
                value,
                up: scope.iters,
            };
            let scope = Scope {
                iters: Some(&binding),
                ..scope
            };
            self.body(scope, at_content, &content, false)
        };
        match elements(&collection, false) {
            Some(els) if els.len() <= MAX_ELEMENTS => {
                // A block that exists because of a condition (`for_each = var.x ? [1] : []`).
                if !els.is_empty() {
                    let conditions = self.conditions_since(mark);
                    self.decide_all(at.ctx.file, block.node.span, &conditions);
                }
                els.into_iter().map(|(k, v)| one(iterator(k, v))).collect()
            }
            _ => vec![one(Val::unknown())],
        }
    }

    /// An expression node: parsed (once per place) and evaluated.
    pub(super) fn expr_node(&self, scope: Scope<'_>, at: At<'_>, cur: &Cursor<'_>) -> Val {
        let span = cur.node.span;
        let key = (at.ctx.file, span.start);
        let cached = self.parsed.borrow().get(&key).cloned();
        let expr = match cached {
            Some(e) => e,
            None => {
                let e = parse(at.ctx, cur.node).map(Rc::new);
                self.parsed.borrow_mut().insert(key, e.clone());
                e
            }
        };
        match expr {
            Some(e) => self.expr(scope, at, &e),
            None => Val::Unknown(Some(Box::new(at.text(at.source(span), span)))),
        }
    }

    /// Fuel for one evaluation (a resource, a module call), out of what is left for the run.
    pub(super) fn refuel(&self) {
        self.fuel.set(FUEL.min(self.budget.get()));
    }

    /// Spend `n` steps; `false` (and nothing spent) when there is not that much fuel left.
    pub(super) fn spend(&self, n: u64) -> bool {
        match (
            self.fuel.get().checked_sub(n),
            self.budget.get().checked_sub(n),
        ) {
            (Some(fuel), Some(budget)) => {
                self.fuel.set(fuel);
                self.budget.set(budget);
                true
            }
            _ => false,
        }
    }

    /// Evaluate an expression. Bounded by [`FUEL`], [`BUDGET`] and [`MAX_DEPTH`]: what can
    /// multiply work (references, which copy values; `for` expressions; function calls) is
    /// unknown once the fuel is spent, while literals, objects and tuples are still read (they
    /// are as large as the text).
    pub(super) fn expr(&self, scope: Scope<'_>, at: At<'_>, e: &Expr) -> Val {
        let depth = self.depth.get();
        let multiplies = matches!(
            e,
            Expr::Var(..) | Expr::Traverse(..) | Expr::Call(..) | Expr::For(_)
        );
        if depth > MAX_DEPTH {
            self.cut.set(true);
            return self.unknown_at(at, e.span());
        }
        if !self.spend(1) && multiplies {
            return self.unknown_at(at, e.span());
        }
        self.depth.set(depth + 1);
        let v = self.expr_inner(scope, at, e);
        self.depth.set(depth);
        v
    }

    pub(super) fn unknown_at(&self, at: At<'_>, span: Span) -> Val {
        Val::Unknown(Some(Box::new(at.text(at.source(span), span))))
    }

    pub(super) fn expr_inner(&self, scope: Scope<'_>, at: At<'_>, e: &Expr) -> Val {
        let known = |value: &str, span: Span, kind: Scalar| Val::Known(at.text(value, span), kind);
        match e {
            Expr::Null(_) => Val::Null,
            Expr::Bool(b, s) => known(if *b { "true" } else { "false" }, *s, Scalar::Bool),
            Expr::Number(n, s) => known(n, *s, Scalar::Num),
            Expr::Str(v, s) => known(v, *s, Scalar::Str),
            Expr::Tuple(items, _) => Val::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.expr(scope, at.child(&i.to_string()).at(), item))
                    .collect(),
            ),
            Expr::Object(entries, s) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    match self.expr(scope, at, k) {
                        Val::Known(key, _) => {
                            let value = self.expr(scope, at.child(key.as_str()).at(), v);
                            out.push((key, value));
                        }
                        _ => return self.unknown_at(at, *s),
                    }
                }
                Val::Map(out.into())
            }
            Expr::Var(_, s) | Expr::Traverse(_, _, s) => {
                let v = self.traverse(scope, at, e);
                // A use copies the value: it costs as much fuel as the value has scalars.
                let size = v.leaves(MAX_LEAVES);
                if size <= MAX_LEAVES && self.spend(size as u64) {
                    v.used_at(&at.loc(*s), at.source(*s))
                } else {
                    self.unknown_at(at, *s)
                }
            }
            Expr::Call(name, args, expand, s) => {
                if *expand {
                    return self.unknown_at(at, *s);
                }
                // What a function returns stays where its parts are (inside the call).
                match self.call(scope, at, name, args, *s) {
                    // `try(mongodbatlas_project.gov[0].id, var.existing)` is the reference.
                    Val::Ref(r) if &**name == "try" => Val::Ref(r),
                    Val::Unknown(_) | Val::Ref(_) => self.unknown_at(at, *s),
                    v => v,
                }
            }
            Expr::Cond(parts, s) => {
                let (c, a, b) = &**parts;
                let condition = self.expr(scope, at, c);
                // What the condition reads is used here (`var.site == "EU" ? ... : ...`).
                self.note_uses(&condition, &at.loc(c.span()));
                let chosen = match condition.as_bool() {
                    Some(true) => a,
                    Some(false) => b,
                    None => return self.unknown_at(at, *s),
                };
                self.decide(at.ctx.file, chosen.span(), &condition);
                self.expr(scope, at, chosen)
            }
            Expr::Not(inner, s) => {
                let v = self.expr(scope, at, inner);
                match v.as_bool() {
                    Some(b) => {
                        let mut t = at.text(if b { "false" } else { "true" }, *s);
                        t.loc.via = written(&v);
                        Val::Known(t, Scalar::Bool)
                    }
                    None => self.unknown_at(at, *s),
                }
            }
            Expr::Neg(inner, s) => match self.expr(scope, at, inner).as_number() {
                Some(n) => known(&number(-n), *s, Scalar::Num),
                None => self.unknown_at(at, *s),
            },
            Expr::Binary(op, operands, s) => {
                let (l, r) = &**operands;
                let (l, r) = (self.expr(scope, at, l), self.expr(scope, at, r));
                match binary(*op, &l, &r) {
                    Some((value, kind)) => {
                        let mut t = at.text(&value, *s);
                        // A condition (`var.env == "prod"`) is set where its operand is.
                        if kind == Scalar::Bool {
                            t.loc.via = written(&l).or_else(|| written(&r));
                        }
                        Val::Known(t, kind)
                    }
                    None => self.unknown_at(at, *s),
                }
            }
            Expr::For(f) => self.for_expr(scope, at, f),
            Expr::Template(parts, s) => match parts.as_slice() {
                // `"${var.x}"` is used where the string is; what a `for` or a function
                // builds inside one stays where its parts are.
                [Part::Interp(inner)] => {
                    let v = self.expr(scope, at, inner);
                    match inner {
                        Expr::Var(..) | Expr::Traverse(..) => v.used_at(&at.loc(*s), at.source(*s)),
                        _ => v,
                    }
                }
                _ => {
                    let mut text = String::new();
                    let mut via = None;
                    for part in parts {
                        match part {
                            Part::Lit(l) => text.push_str(l),
                            Part::Interp(inner) => match self.expr(scope, at, inner) {
                                Val::Known(t, _) => {
                                    text.push_str(t.as_str());
                                    via = via.or(t.loc.via);
                                }
                                _ => return self.unknown_at(at, *s),
                            },
                        }
                    }
                    let mut t = at.text(&text, *s);
                    t.loc.via = via;
                    Val::Known(t, Scalar::Str)
                }
            },
            Expr::Other(s) => self.unknown_at(at, *s),
        }
    }

    /// A name and the steps after it: a variable, local, module output, `each`, an iterator,
    /// or a resource.
    pub(super) fn traverse(&self, scope: Scope<'_>, at: At<'_>, e: &Expr) -> Val {
        let (base, ops): (&Expr, &[Op]) = match e {
            Expr::Traverse(base, ops, _) => (base, ops),
            other => (other, &[]),
        };
        let Expr::Var(root, _) = base else {
            let v = self.expr(scope, at, base);
            return self.steps(scope, at, v, ops);
        };
        let attr = |i: usize| match ops.get(i) {
            Some(Op::Attr(a)) => Some(&**a),
            _ => None,
        };
        if let Some(v) = scope.iterator(root) {
            return self.steps(scope, at, v.clone(), ops);
        }
        let Some(inst) = self.insts.get(scope.inst) else {
            return Val::unknown();
        };
        match &**root {
            "var" => match attr(0).and_then(|n| inst.vars.get(n)) {
                Some(v) => self.steps(scope, at, v.clone(), ops.get(1..).unwrap_or(&[])),
                None => Val::unknown(),
            },
            "local" => match attr(0) {
                Some(n) => {
                    let v = self.local(scope.inst, n, false);
                    self.steps(scope, at, v, ops.get(1..).unwrap_or(&[]))
                }
                None => Val::unknown(),
            },
            "module" => {
                let Some(children) = attr(0).and_then(|n| inst.children.get(n)) else {
                    // Perhaps a call whose instances are not made yet (see
                    // [`World::refresh_calls`]).
                    self.module_missed.set(true);
                    return Val::unknown();
                };
                // `module.x.out`, or `module.x["key"].out` for a call with `for_each`.
                let (child, rest) = match (children.as_slice(), ops.get(1)) {
                    ([(_, only)], Some(Op::Attr(_))) => (Some(*only), 1),
                    (many, Some(Op::Index(k))) => {
                        let k = self.expr(scope, at, k);
                        let k = k.as_text().map(Text::as_str);
                        let found = many.iter().find(|(each, _)| {
                            each.as_ref().and_then(Val::as_text).map(Text::as_str) == k
                                && k.is_some()
                        });
                        (found.map(|(_, i)| *i), 2)
                    }
                    _ => (None, 0),
                };
                match (child, attr(rest)) {
                    (Some(child), Some(output)) => {
                        let v = self.local(child, output, true);
                        self.steps(scope, at, v, ops.get(rest + 1..).unwrap_or(&[]))
                    }
                    _ => Val::unknown(),
                }
            }
            "each" => match (scope.each, attr(0)) {
                (Some(each), Some("key")) => {
                    self.steps(scope, at, each.key.clone(), ops.get(1..).unwrap_or(&[]))
                }
                (Some(each), Some("value")) => {
                    self.steps(scope, at, each.value.clone(), ops.get(1..).unwrap_or(&[]))
                }
                _ => Val::unknown(),
            },
            "count" => match (scope.each.and_then(|e| e.index), ops) {
                (Some(i), [Op::Attr(a)]) if &**a == "index" => {
                    Val::Known(at.text(&i.to_string(), e.span()), Scalar::Num)
                }
                _ => Val::unknown(),
            },
            // `data.terraform_remote_state.NAME.outputs.OUT`: another root's output, named by
            // that root's state (see [`World::remote_state`]).
            "data" => match (attr(0), attr(1), attr(2), ops.get(3), ops.len()) {
                (Some(REMOTE_STATE), Some(name), Some("outputs"), Some(out), 4) => {
                    let output = match out {
                        Op::Attr(o) => Some(o.to_string()),
                        Op::Index(i) => self
                            .expr(scope, at, i)
                            .as_text()
                            .map(|t| t.as_str().to_string()),
                        _ => None,
                    };
                    match (output, self.remote_state(scope.inst, name)) {
                        (Some(output), Some(state)) => Val::Ref(std::sync::Arc::new(Ref {
                            ty: REMOTE_STATE.into(),
                            attr: None,
                            key: state_output_key(&state, &output).into(),
                            at: Some(at.text(at.source(e.span()), e.span())),
                        })),
                        _ => Val::unknown(),
                    }
                }
                _ => Val::unknown(),
            },
            "path" | "terraform" | "self" => Val::unknown(),
            ty => self.resource_ref(scope, at, ty, ops, e.span()),
        }
    }

    /// `TYPE.NAME[.ATTR]` (an index after the name is allowed: `x.gov[0].id`).
    pub(super) fn resource_ref(
        &self,
        scope: Scope<'_>,
        at: At<'_>,
        ty: &str,
        ops: &[Op],
        span: Span,
    ) -> Val {
        let Some(Op::Attr(name)) = ops.first() else {
            return Val::unknown();
        };
        let mut rest = ops.get(1..).unwrap_or(&[]);
        // `x.gov["key"]`: one instance of a resource with `for_each`; `x.gov[0]`: one made
        // by `count` (an instance key no resource carries reaches the resource itself: one
        // whose count is unknown was read once, under its plain key).
        let mut instance = None;
        if let Some(Op::Index(i)) = rest.first() {
            if let Val::Known(k, Scalar::Str | Scalar::Num) = self.expr(scope, at, i) {
                instance = Some(k);
            }
            rest = rest.get(1..).unwrap_or(&[]);
        }
        let attr = match rest {
            [] => None,
            [Op::Attr(a)] => Some(a.clone()),
            _ => return Val::unknown(),
        };
        let Some(inst) = self.insts.get(scope.inst) else {
            return Val::unknown();
        };
        let key = format!("tf:{}:{ty}.{name}", inst.key);
        Val::Ref(std::sync::Arc::new(Ref {
            ty: ty.into(),
            attr,
            key: match instance {
                Some(k) => instance_key(&key, k.as_str()),
                None => key,
            }
            .into(),
            at: Some(at.text(at.source(span), span)),
        }))
    }

    /// Steps (`.attr`, `[index]`) into a value.
    pub(super) fn steps(&self, scope: Scope<'_>, at: At<'_>, mut v: Val, ops: &[Op]) -> Val {
        // A step Terraform would fail (see `World::failed`).
        let failed = || {
            self.failed.set(true);
            Val::unknown()
        };
        for op in ops {
            v = match (op, &v) {
                (Op::Attr(a), Val::Map(_)) => v.attr(a).cloned().unwrap_or_else(failed),
                (Op::Index(i), Val::Map(_)) => match self.expr(scope, at, i) {
                    Val::Known(k, kind) => {
                        // The key is used here (`{EU = "orders-eu"}[var.site]`).
                        self.note_uses(&Val::Known(k.clone(), kind), &at.loc(i.span()));
                        v.attr(k.as_str()).cloned().unwrap_or_else(failed)
                    }
                    _ => Val::unknown(),
                },
                // Past the end is no failure here: a list a `for` builds from what is not
                // known holds one element for them all.
                // An element not known before the index may stand for any number of them.
                (Op::Index(i), Val::List(items)) => match self.expr(scope, at, i).as_number() {
                    Some(n)
                        if n >= 0.0
                            && n.fract() == 0.0
                            && !items.iter().take(n as usize).any(Val::is_unknown) =>
                    {
                        items.get(n as usize).cloned().unwrap_or_else(Val::unknown)
                    }
                    _ => Val::unknown(),
                },
                (Op::Attr(_) | Op::Index(_), Val::Null) => failed(),
                _ => Val::unknown(),
            };
        }
        v
    }

    /// A local (or, `output`, a module's output) of an instance, evaluated once.
    pub(super) fn local(&self, inst: usize, name: &str, output: bool) -> Val {
        let memo_key = (inst, output, name.to_string());
        let depth = self.depth.get();
        // One cut short deeper than this read is read again (below).
        let again =
            |done: &Option<Memo>| matches!(done, Some((_, _, _, Some(cut_at))) if depth < *cut_at);
        if let Some(done) = self.memo.borrow().get(&memo_key).filter(|d| !again(d)) {
            return match done {
                Some((v, decided, missed, cut_at)) => {
                    if cut_at.is_some() {
                        self.cut.set(true);
                    }
                    if self.mark() < MAX_DECIDED {
                        self.decided.borrow_mut().extend(decided.iter().cloned());
                    }
                    if *missed {
                        self.module_missed.set(true);
                    }
                    v.clone()
                }
                None => Val::unknown(),
            };
        }
        self.memo.borrow_mut().insert(memo_key.clone(), None);
        let mark = self.mark();
        let missed_before = self.module_missed.replace(false);
        let cut_before = self.cut.replace(false);
        let v = self
            .find_local(inst, name, output)
            .unwrap_or_else(Val::unknown);
        let missed = self.module_missed.get();
        self.module_missed.set(missed_before || missed);
        let cut = self.cut.get();
        self.cut.set(cut_before || cut);
        let decided: Rc<[crate::model::Condition]> =
            self.decided.borrow().get(mark..).unwrap_or(&[]).into();
        self.memo.borrow_mut().insert(
            memo_key,
            Some((v.clone(), decided, missed, cut.then_some(depth))),
        );
        v
    }

    /// The locals and outputs (`true`) of module `module` by name, each as the last
    /// definition gives it (Terraform refuses duplicates): made once per module, a lookup for
    /// each read (a module of thousands of locals searched them all for each).
    pub(super) fn named(&self, module: usize) -> Option<Rc<Named<'f>>> {
        if let Some(done) = self.named.borrow().get(&module) {
            return Some(Rc::clone(done));
        }
        let mut named: Named<'f> = HashMap::new();
        for &f in &self.modules.get(module)?.files {
            let Some(src) = self.source(f) else { continue };
            let root = Cursor::root(&src.root);
            for block in root.get("locals").iter().flat_map(|l| l.items()) {
                for (key, value) in src.block(block).entries() {
                    if let Some(name) = key.node.scalar_text() {
                        named.insert((false, name), (f, value));
                    }
                }
            }
            for (key, output) in root.get("output").iter().flat_map(|o| o.entries()) {
                let value = src.block(output).get("value");
                if let (Some(name), Some(value)) = (key.node.scalar_text(), value) {
                    named.insert((true, name), (f, value));
                }
            }
        }
        let named = Rc::new(named);
        self.named.borrow_mut().insert(module, Rc::clone(&named));
        Some(named)
    }

    pub(super) fn find_local(&self, inst: usize, name: &str, output: bool) -> Option<Val> {
        let index = self.named(self.insts.get(inst)?.module)?;
        let (f, cur) = index.get(&(output, name))?;
        let ctx = self.ctx_of(f)?;
        let at = At {
            ctx: &ctx,
            pointer: &cur.pointer,
        };
        let scope = Scope {
            inst,
            each: None,
            iters: None,
        };
        Some(self.node(scope, at, cur))
    }

    pub(super) fn for_expr(&self, scope: Scope<'_>, at: At<'_>, f: &For) -> Val {
        let collection = self.expr(scope, at, &f.collection);
        // Each element's values are located under the element's index (or key).
        let bind = |key: Val, value: Val, at: At<'_>| -> Option<Val> {
            let outer = Binding {
                name: f.key_var.as_deref().unwrap_or(""),
                value: key,
                up: scope.iters,
            };
            let inner = Binding {
                name: &f.value_var,
                value,
                up: Some(&outer),
            };
            let scope = Scope {
                iters: Some(&inner),
                ..scope
            };
            if let Some(cond) = &f.cond {
                match self.expr(scope, at, cond).as_bool() {
                    Some(true) => {}
                    Some(false) => return Some(Val::Null),
                    None => return None,
                }
            }
            let value = self.expr(scope, at, &f.value);
            match &f.key {
                Some(k) => match self.expr(scope, at, k) {
                    Val::Known(k, _) => Some(Val::Map(vec![(k, value)].into())),
                    _ => None,
                },
                None => Some(Val::List(vec![value].into())),
            }
        };
        let expanded = (|| {
            if f.grouping {
                return None;
            }
            let els = elements(&collection, false).filter(|e| e.len() <= MAX_ELEMENTS)?;
            let mut list = Vec::new();
            let mut map: Vec<(Text, Val)> = Vec::new();
            for (i, (k, v)) in els.into_iter().enumerate() {
                let step = match (&f.key, k.as_text()) {
                    (Some(_), Some(k)) => k.as_str().to_string(),
                    _ => i.to_string(),
                };
                match bind(k, v, at.child(&step).at())? {
                    Val::List(one) => list.extend(one.iter().cloned()),
                    Val::Map(one) => map.extend(one.iter().cloned()),
                    _ => {}
                }
            }
            Some(if f.key.is_some() {
                Val::Map(map.into())
            } else {
                Val::List(list.into())
            })
        })();
        match expanded {
            Some(v) if v.leaves(MAX_LEAVES) <= MAX_LEAVES => v,
            // What every element hard-codes, the iterators unknown.
            _ if f.key.is_none() => {
                match bind(Val::unknown(), Val::unknown(), at.child("0").at()) {
                    Some(Val::List(one)) => Val::List(one),
                    _ => self.unknown_at(at, f.span),
                }
            }
            _ => self.unknown_at(at, f.span),
        }
    }
}

/// Where a known value was written, when elsewhere than where it is used.
fn written(v: &Val) -> Option<Box<Loc>> {
    v.as_text().and_then(|t| t.loc.via.clone())
}
