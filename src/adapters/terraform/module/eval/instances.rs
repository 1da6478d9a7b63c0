//! Module instances: roots and calls, their repetitions, and the model built from each.

use super::*;

impl World<'_> {
    pub(super) fn ctx_of<'a>(&'a self, f: &'a HclFile) -> Option<LocCtx<'a>> {
        let src = self.source(f)?;
        let path = self
            .sources
            .get(f.file as usize)
            .map_or(Path::new(""), |s| s.path.as_path());
        Some(LocCtx::new(f.file, path, &src.text, &src.index))
    }

    /// Create the instances: roots (modules nothing in the run calls, or that are only
    /// reached through a cycle), then each call of each instance, breadth first.
    pub(super) fn instantiate(&mut self) {
        let called: HashSet<usize> = self
            .modules
            .iter()
            .flat_map(|m| m.calls.iter().filter_map(|(_, t)| *t))
            .collect();
        let mut done = vec![false; self.modules.len()];
        for pass in 0..2 {
            for &m in self.members {
                // A module Terragrunt runs is a root for those runs, whoever else calls it.
                let run_by_terragrunt = self
                    .modules
                    .get(m)
                    .is_some_and(|module| module.var_files.iter().any(|f| f.terragrunt.is_some()));
                let root = if pass == 0 {
                    !called.contains(&m) || run_by_terragrunt
                } else {
                    !done.get(m).copied().unwrap_or(true) && !self.reached.borrow().contains(&m)
                };
                if root {
                    self.blocks.push(((pass, m), self.insts.len()));
                    self.add_root(m, &mut done);
                }
            }
        }
    }

    pub(super) fn add_root(&mut self, m: usize, done: &mut [bool]) {
        let Some(module) = self.modules.get(m) else {
            return;
        };
        let child_alone = normalize(&module.within)
            .components()
            .any(|c| c.as_os_str().eq_ignore_ascii_case("modules"))
            && !module.root_like;
        let vars: HashMap<String, Val> = if child_alone {
            HashMap::new()
        } else {
            module
                .root_vars
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect()
        };
        let key = module.shown.display().to_string();
        let start = self.insts.len();
        // Once as Terraform loads it by itself, then once per `-var-file` that sets it (its
        // values over the others, as `terraform plan -var-file=...` takes them), each with its
        // own keys, so that its resources link among themselves.
        let mut variants = Vec::new();
        let with_shape = |name: &str, value: &Val| match module.optionals.get(name) {
            Some(shape) => shape.apply(value.clone()),
            None => value.clone(),
        };
        for f in &module.var_files {
            let terragrunt = f.terragrunt.is_some();
            let includes = f.terragrunt.as_ref().is_some_and(|t| t.includes);
            // A child module's own values are its caller's to set, but one that Terragrunt
            // runs is a root module then. Terragrunt passes its `inputs` as `TF_VAR_`
            // variables, which the module's defaults yield to and its `terraform.tfvars` and
            // `*.auto.tfvars` override; a `-var-file`'s values override everything.
            let mut vars: HashMap<String, Val> = match (terragrunt, child_alone) {
                (false, true) => continue,
                (false, false) => vars.clone(),
                // What an included configuration's `inputs` set is not read: unknown.
                (true, _) if includes => module
                    .declared
                    .iter()
                    .map(|k| ((*k).to_string(), Val::Unknown(None)))
                    .collect(),
                (true, _) => module
                    .defaults
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), v.clone()))
                    .collect(),
            };
            let loaded_tfvars = module
                .files
                .iter()
                .filter(|g| terragrunt && g.tfvars.is_some())
                .flat_map(|g| g.values.iter());
            for (name, value) in f.values.iter().chain(loaded_tfvars) {
                let null_kept_out =
                    matches!(value, Val::Null) && module.non_nullable.contains(name.as_str());
                if module.declared.contains(name.as_str()) && !null_kept_out {
                    vars.insert(name.clone(), with_shape(name, value));
                }
            }
            let file = self
                .sources
                .get(f.file as usize)
                .map(|s| s.path.display().to_string())
                .unwrap_or_default();
            variants.push((format!("{key}[-var-file={file}]"), vars));
        }
        // A run with nothing but the module's defaults and its own tfvars is one Terraform
        // refuses ("No value for required variable") when a variable has neither: a module
        // that values files or Terragrunt configurations feed is then judged in those runs
        // alone (its defaults still count in each, where nothing overrides them).
        let bare_refused = !module.var_files.is_empty()
            && !child_alone
            && module
                .declared
                .iter()
                .any(|name| !module.root_vars.contains_key(name));
        let bare = (!bare_refused).then_some((key, vars));
        for (key, vars) in bare.into_iter().chain(variants) {
            self.insts.push(Inst {
                module: m,
                key,
                vars,
                children: HashMap::new(),
                parent: None,
                depth: 0,
                conditions: Vec::new(),
                call: None,
            });
        }
        let mut next = start;
        while next < self.insts.len() {
            if let Some(slot) = self.insts.get(next).and_then(|i| done.get_mut(i.module)) {
                *slot = true;
            }
            self.add_children(next);
            next += 1;
        }
    }

    /// A module's files that parsed, each with its source and location context, in order.
    fn sources_of<'a>(
        &'a self,
        module: &'a Module<'_>,
    ) -> Vec<(&'a HclFile, &'a Source, LocCtx<'a>)> {
        module
            .files
            .iter()
            .filter_map(|f| Some((*f, self.source(f)?, self.ctx_of(f)?)))
            .collect()
    }

    /// The instances of the calls an instance makes.
    pub(super) fn add_children(&mut self, parent: usize) {
        let Some(p) = self.insts.get(parent) else {
            return;
        };
        if p.depth >= MAX_MODULE_DEPTH {
            return;
        }
        let Some(module) = self.modules.get(p.module) else {
            return;
        };
        let mut made: Vec<(String, Option<Val>, Inst)> = Vec::new();
        let sources = self.sources_of(module);
        for (n, (f, src, _)) in sources.iter().enumerate() {
            let root = Cursor::root(&src.root);
            for (name, body) in root.get("module").iter().flat_map(|m| m.entries()) {
                let Some(name) = name.node.as_str() else {
                    continue;
                };
                // A call an override file writes again is merged into the first (see
                // [`Merge`]): its arguments, then each override's, the later winning.
                let labels = ["module", name];
                let earlier = f.overrides
                    && sources
                        .iter()
                        .take(n)
                        .any(|(_, s, _)| !blocks_named(s, &labels, None).is_empty());
                if earlier {
                    continue;
                }
                let bodies = call_bodies(&sources, n, src.block(body), &labels);
                let target = module
                    .calls
                    .iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, t)| *t);
                let Some(target) = target else { continue };
                let Some(callee) = self.modules.get(target) else {
                    continue;
                };
                // A module that calls itself, directly or not, would never end (Terraform
                // refuses it).
                if self.calls_back(parent, target) {
                    continue;
                }
                self.reached.borrow_mut().insert(target);
                let scope = Scope {
                    inst: parent,
                    each: None,
                    iters: None,
                };
                self.refuel();
                let mark = self.mark();
                let Some((rctx, rbody)) = bodies
                    .iter()
                    .rev()
                    .find(|(_, b)| b.get("count").is_some() || b.get("for_each").is_some())
                    .or(bodies.first())
                else {
                    continue;
                };
                // Whether the call's repetitions, then each instance's arguments, read a call
                // whose instances are not made yet (see [`World::refresh_calls`]).
                let missed_before = self.module_missed.replace(false);
                let mut any_missed = false;
                let repetitions = self.repetitions(scope, rctx, rbody);
                let repetitions_missed = self.module_missed.replace(false);
                // A call made because of a condition: every resource of its instances too.
                let mut conditions = self.conditions_since(mark);
                conditions.extend(p.conditions.iter().cloned());
                for each in repetitions {
                    if self.insts.len() + made.len() >= MAX_INSTANCES {
                        break;
                    }
                    let scope = Scope {
                        each: each.as_ref(),
                        ..scope
                    };
                    let vars = self.call_vars(scope, target, &bodies);
                    let missed = self.module_missed.replace(false);
                    any_missed |= missed;
                    let suffix = match &each {
                        Some(e) => match e.key.as_text() {
                            Some(k) => format!("[{}]", k.as_str()),
                            None => "[?]".to_string(),
                        },
                        None => String::new(),
                    };
                    let key = format!(
                        "{}#{}/module.{name}{suffix}",
                        normalize(&callee.shown).display(),
                        p.key
                    );
                    made.push((
                        name.to_string(),
                        each.as_ref().map(|e| e.key.clone()),
                        Inst {
                            module: target,
                            key,
                            vars,
                            children: HashMap::new(),
                            parent: Some(parent),
                            depth: p.depth + 1,
                            conditions: conditions.clone(),
                            call: Some(Call {
                                name: name.to_string(),
                                file: n,
                                each,
                                // A call whose repetitions read another call's output keeps
                                // its instances' arguments as first evaluated: which
                                // instances exist is not known again here.
                                refresh: missed && !repetitions_missed,
                            }),
                        },
                    ));
                }
                self.module_missed
                    .set(missed_before || repetitions_missed || any_missed);
            }
        }
        for (name, each_key, inst) in made {
            let i = self.insts.len();
            self.insts.push(inst);
            if let Some(p) = self.insts.get_mut(parent) {
                p.children.entry(name).or_default().push((each_key, i));
            }
        }
    }

    /// The variables of an instance of call `bodies` (the call's block and its overrides)
    /// of module `target`: its defaults, then each argument the module declares, evaluated
    /// in the caller's `scope`.
    fn call_vars(
        &self,
        scope: Scope<'_>,
        target: usize,
        bodies: &[(LocCtx<'_>, Cursor<'_>)],
    ) -> HashMap<String, Val> {
        let Some(callee) = self.modules.get(target) else {
            return HashMap::new();
        };
        let mut vars: HashMap<String, Val> = callee
            .defaults
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        for (bctx, b) in bodies {
            for (arg, value) in b.entries() {
                let Some(arg) = arg.node.as_str() else {
                    continue;
                };
                if is_meta_argument(arg) || !callee.declared.contains(arg) {
                    continue;
                }
                let at = At {
                    ctx: bctx,
                    pointer: &value.pointer,
                };
                let mut value = self.node(scope, at, &value);
                // `nullable = false`: a null argument leaves the default.
                if matches!(value, Val::Null) && callee.non_nullable.contains(arg) {
                    continue;
                }
                if let Some(shape) = callee.optionals.get(arg) {
                    value = shape.apply(value);
                }
                self.note_argument(target, arg, &value);
                vars.insert(arg.to_string(), value);
            }
        }
        vars
    }

    /// Evaluate again, now that every instance exists, the arguments of the calls that read
    /// another call's output while instances were being made (before the other call's
    /// instances existed: `project_id = module.project.project_id`, the usual project module
    /// and cluster module, was unknown). Pass after pass while that makes values known (a
    /// chain of calls, written in any order), at most [`MAX_REFRESH_PASSES`]; a value
    /// known before is never replaced by an unknown one (an evaluation cut short by its
    /// budget). A call whose `count` or `for_each` reads another call's output keeps its
    /// arguments as first evaluated (which instances exist is not evaluated again).
    pub(super) fn refresh_calls(&mut self) {
        let todo: Vec<usize> = (0..self.insts.len())
            .filter(|&i| {
                self.insts
                    .get(i)
                    .and_then(|inst| inst.call.as_ref())
                    .is_some_and(|c| c.refresh)
            })
            .collect();
        let unknown_now = |world: &World<'_>| -> usize {
            todo.iter()
                .filter_map(|&i| world.insts.get(i))
                .flat_map(|inst| inst.vars.values())
                .map(|v| unknowns(v, 0))
                .sum()
        };
        let mut unknown = unknown_now(self);
        for _ in 0..MAX_REFRESH_PASSES {
            if unknown == 0 {
                break;
            }
            self.memo.borrow_mut().clear();
            // One allowance of fuel per call, as when its instances were made.
            let mut group: Option<(Option<usize>, usize, String)> = None;
            for &i in &todo {
                let key = self.insts.get(i).and_then(|inst| {
                    let call = inst.call.as_ref()?;
                    Some((inst.parent, call.file, call.name.clone()))
                });
                if key != group {
                    self.refuel();
                    group = key;
                }
                let Some(vars) = self.call_vars_again(i) else {
                    continue;
                };
                if let Some(inst) = self.insts.get_mut(i) {
                    for (name, value) in vars {
                        let worse = inst
                            .vars
                            .get(&name)
                            .is_some_and(|old| unknowns(old, 0) < unknowns(&value, 0));
                        if !worse {
                            inst.vars.insert(name, value);
                        }
                    }
                }
            }
            let now = unknown_now(self);
            if now >= unknown {
                break;
            }
            unknown = now;
        }
        self.memo.borrow_mut().clear();
    }

    /// The arguments of the call that made instance `i`, evaluated again (`None` for a root).
    fn call_vars_again(&self, i: usize) -> Option<HashMap<String, Val>> {
        let inst = self.insts.get(i)?;
        let call = inst.call.as_ref()?;
        let parent = inst.parent?;
        let module = self.modules.get(self.insts.get(parent)?.module)?;
        let sources = self.sources_of(module);
        let (_, src, _) = sources.get(call.file)?;
        let labels = ["module", call.name.as_str()];
        let body = Cursor::root(&src.root)
            .get("module")
            .iter()
            .flat_map(|m| m.entries())
            .find(|(name, _)| name.node.as_str() == Some(call.name.as_str()))
            .map(|(_, body)| src.block(body))?;
        let bodies = call_bodies(&sources, call.file, body, &labels);
        let scope = Scope {
            inst: parent,
            each: call.each.as_ref(),
            iters: None,
        };
        Some(self.call_vars(scope, inst.module, &bodies))
    }

    /// The names of the `module` calls from the root instance down to `inst` (empty for a root).
    pub(super) fn call_path(&self, inst: usize) -> Vec<String> {
        let mut path = Vec::new();
        let mut at = inst;
        while let Some(parent) = self.insts.get(at).and_then(|i| i.parent) {
            let name = self.insts.get(parent).and_then(|p| {
                p.children
                    .iter()
                    .find(|(_, made)| made.iter().any(|(_, i)| *i == at))
                    .map(|(name, _)| name.clone())
            });
            match name {
                Some(name) => path.push(name),
                None => break,
            }
            at = parent;
        }
        path.reverse();
        path
    }

    /// Whether `module` is the module of `inst` or of one of its callers.
    pub(super) fn calls_back(&self, inst: usize, module: usize) -> bool {
        let mut at = Some(inst);
        while let Some(i) = at.and_then(|i| self.insts.get(i)) {
            if i.module == module {
                return true;
            }
            at = i.parent;
        }
        false
    }

    /// The repetitions of a resource or module block: none (`count = 0`, an empty
    /// `for_each`), one per `for_each` element (a map, or a set whose elements are their own
    /// keys), or one (no `for_each`, or an unknown one, whose `each` is then unknown).
    pub(super) fn repetitions(
        &self,
        scope: Scope<'_>,
        ctx: &LocCtx<'_>,
        body: &Cursor<'_>,
    ) -> Vec<Option<Each>> {
        let at = |cur: &Cursor<'_>| {
            let at = At {
                ctx,
                pointer: &cur.pointer,
            };
            self.node(scope, at, cur)
        };
        if let Some(count) = body.get("count") {
            let n = at(&count).as_number();
            if n == Some(0.0) {
                return Vec::new();
            }
            // Once per index, keyed by it; an unknown count (or one too large) is read once,
            // its index unknown.
            return match n.filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= MAX_ELEMENTS as f64) {
                Some(n) => (0..n as usize)
                    .map(|i| {
                        let key = Text {
                            value: crate::model::intern_value(&i.to_string()),
                            loc: ctx.loc(&count),
                        };
                        Some(Each {
                            key: Val::Known(key, Scalar::Num),
                            value: Val::unknown(),
                            index: Some(i),
                        })
                    })
                    .collect(),
                None => vec![None],
            };
        }
        let Some(for_each) = body.get("for_each") else {
            return vec![None];
        };
        let collection = at(&for_each);
        match elements(&collection, true) {
            Some(els) if els.len() <= MAX_ELEMENTS => els
                .into_iter()
                .map(|(key, value)| {
                    Some(Each {
                        key,
                        value,
                        index: None,
                    })
                })
                .collect(),
            _ => vec![Some(Each {
                key: Val::unknown(),
                value: Val::unknown(),
                index: None,
            })],
        }
    }

    pub(super) fn build_instance(&self, i: usize, out: &mut Model, linking: &Linking) {
        let Some(inst) = self.insts.get(i) else {
            return;
        };
        let Some(module) = self.modules.get(inst.module) else {
            return;
        };
        // The projects the root module's `import` blocks adopt in this instance (`to =
        // mongodbatlas_project.x` in the root, `module.atlas.mongodbatlas_project.x` in a
        // call of it), in whichever of its files they are.
        let path = self.call_path(i);
        let mut root_inst = i;
        while let Some(parent) = self.insts.get(root_inst).and_then(|x| x.parent) {
            root_inst = parent;
        }
        let root_module = self
            .insts
            .get(root_inst)
            .and_then(|x| self.modules.get(x.module));
        let adopted: Vec<(String, Option<String>, Text)> = root_module
            .into_iter()
            .flat_map(|m| m.files.iter())
            .filter_map(|f| Some((self.source(f)?, self.ctx_of(f)?)))
            .flat_map(|(src, ctx)| imported(&ctx, src))
            .filter(|(calls, _, _, _)| *calls == path)
            .map(|(_, name, key, text)| (name, key, text))
            .collect();
        // Override files' blocks are merged, in the files' order (override files last, by
        // name), into the first block of the same type and name: a configuration file's, else
        // the first override file's that has it (Terraform refuses that, but it is read once).
        let sources = self.sources_of(module);
        for (n, (f, src, ctx)) in sources.iter().enumerate() {
            let earlier: Vec<&Source> = if f.overrides {
                sources.iter().take(n).map(|(_, s, _)| *s).collect()
            } else {
                Vec::new()
            };
            let later: Vec<(&Source, LocCtx<'_>)> = sources
                .iter()
                .skip(n + 1)
                .filter(|(g, _, _)| g.overrides)
                .map(|(_, s, c)| (*s, *c))
                .collect();
            let merge = Merge {
                overrides: &later,
                primary: &earlier,
            };
            self.resources(i, ctx, src, &adopted, &merge, out, linking);
        }
        // What the module's variables and locals are used for where this adapter does not
        // read (an `output` only in a module nothing calls: a called module's outputs are
        // read where they are used).
        for f in &module.files {
            for r in &f.foreign {
                if r.output && inst.parent.is_some() {
                    continue;
                }
                let value = if r.local {
                    self.local(i, &r.name, false)
                } else {
                    inst.vars
                        .get(&*r.name)
                        .cloned()
                        .unwrap_or_else(Val::unknown)
                };
                self.note_uses(&value.used_at(&r.at, ""), &r.at);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn resources(
        &self,
        inst: usize,
        ctx: &LocCtx<'_>,
        src: &Source,
        adopted: &[(String, Option<String>, Text)],
        merge: &Merge<'_, '_>,
        out: &mut Model,
        linking: &Linking,
    ) {
        let root = Cursor::root(&src.root);
        let key_of = |ty: &str, name: &str| {
            let prefix = self.insts.get(inst).map_or("", |i| i.key.as_str());
            format!("tf:{prefix}:{ty}.{name}")
        };
        let scope = Scope {
            inst,
            each: None,
            iters: None,
        };
        let blocks = |mode: &'static str| {
            root.get(mode)
                .into_iter()
                .flat_map(|r| r.entries().collect::<Vec<_>>())
                .map(move |(ty, blocks)| (mode, ty, blocks))
        };
        for (mode, ty, blocks) in blocks("resource").chain(blocks("data")) {
            let Some(ty) = ty.node.as_str() else { continue };
            for (name_key, body) in blocks.entries() {
                let Some(name) = name_key.node.as_str() else {
                    continue;
                };
                let labels = [mode, ty, name];
                if merge.merged_elsewhere(&labels, None) {
                    continue;
                }
                let body = src.block(body);
                let overriding = merge.bodies(&labels, None);
                let anchor = anchor(ctx, src, &name_key, &body);
                let key = key_of(ty, name);
                let slot = block_slot(ctx, &name_key, &body);
                self.refuel();
                let mark = self.mark();
                // `count` and `for_each` as the last override that sets either has them.
                let repetitions = match overriding
                    .iter()
                    .rev()
                    .find(|(_, b)| b.get("count").is_some() || b.get("for_each").is_some())
                {
                    Some((octx, obody)) => self.repetitions(scope, octx, obody),
                    None => self.repetitions(scope, ctx, &body),
                };
                // A resource created because of a condition (`count = var.x ? 1 : 0`), or in
                // a module instance that is: everything in its block depends on it.
                if !repetitions.is_empty() {
                    let mut conditions = self.conditions_since(mark);
                    if let Some(i) = self.insts.get(inst) {
                        conditions.extend(i.conditions.iter().cloned());
                    }
                    let block = Span {
                        start: anchor.span.start.min(body.node.span.start),
                        end: anchor.span.end.max(body.node.span.end),
                    };
                    self.decide_all(ctx.file, block, &conditions);
                }
                for each in repetitions {
                    self.refuel();
                    let scope = Scope {
                        each: each.as_ref(),
                        ..scope
                    };
                    let tree = self.evaluate(scope, ctx, &body, &overriding, &anchor);
                    let evaluated = Cursor::at(&tree.root, &body.pointer);
                    let values = HclValues {
                        ctx,
                        tree: &tree,
                        linking,
                    };
                    if mode == "data" {
                        let project_ref =
                            crate::adapters::terraform::builders::project_ref(&values, &evaluated);
                        build_data(ty, anchor.clone(), project_ref, out);
                        continue;
                    }
                    // One instance of a `for_each` is keyed by its key, as references name it.
                    let key = match each.as_ref().map(|e| &e.key) {
                        Some(Val::Known(k, _)) => instance_key(&key, k.as_str()),
                        _ => key.clone(),
                    };
                    let resource = Resource {
                        ty,
                        body: evaluated,
                        anchor: anchor.clone(),
                        key,
                        slot: slot.clone(),
                    };
                    linking.resource(&values, &resource);
                    // `to = mongodbatlas_project.env["gov"]` adopts that instance only.
                    let instance = each.as_ref().and_then(|e| e.key.as_text());
                    let adopted = (ty == PROJECT_TYPE)
                        .then(|| {
                            adopted.iter().find(|(target, key, _)| {
                                target.as_str() == name
                                    && key
                                        .as_deref()
                                        .is_none_or(|k| instance.is_none_or(|i| i.as_str() == k))
                            })
                        })
                        .flatten();
                    let before = out.projects.len();
                    build(&values, resource, out);
                    // A project an `import` block adopts exists already: without
                    // `region_usage_restrictions` it keeps the one it has (the provider reads it
                    // back from Atlas), which is not known here.
                    if let Some((_, _, to)) = adopted {
                        for p in out.projects.iter_mut().skip(before) {
                            if p.region_usage.is_none() {
                                p.region_usage = Some(to.clone());
                            }
                        }
                    }
                }
            }
        }
        for (name_key, body) in root.get("provider").iter().flat_map(|p| p.entries()) {
            if name_key.node.as_str() != Some(crate::adapters::terraform::PROVIDER) {
                continue;
            }
            self.refuel();
            let body = src.block(body);
            let alias = body.get("alias").and_then(|a| a.str().map(str::to_string));
            let labels = ["provider", crate::adapters::terraform::PROVIDER];
            if merge.merged_elsewhere(&labels, Some(alias.as_deref())) {
                continue;
            }
            let overriding = merge.bodies(&labels, Some(alias.as_deref()));
            let anchor = anchor(ctx, src, &name_key, &body);
            // Also where a flag written `false` may be switched: the block is editable. No
            // line is added to a block that already names the flag (`= null` reads as absent:
            // a second line would redefine the attribute).
            let insert_flag = block_slot(ctx, &name_key, &body)
                .filter(|_| body.get("is_mongodbgov_cloud").is_none())
                .map(|s| s.line("is_mongodbgov_cloud = true"));
            let tree = self.evaluate(scope, ctx, &body, &overriding, &anchor);
            let body = Cursor::at(&tree.root, &body.pointer);
            let v = HclValues {
                ctx,
                tree: &tree,
                linking,
            };
            // A literal `base_url` is the any-file adapter's; one set through a variable
            // (`base_url = var.atlas_base_url`) is reported here, at the attribute, unless the
            // value is itself written under a base URL key (`locals { base_url = ... }`, a
            // tfvars `base_url = ...`), where the any-file adapter already reports it.
            let base_url = v.read(body.get("base_url"));
            let through_variable = matches!(&base_url, Read::Known(url) if url.loc.via.as_ref().is_some_and(|via| {
                !via.pointer.rsplit('/').next().is_some_and(crate::adapters::common::is_url_key)
            }));
            crate::adapters::terraform::provider(
                v.read(body.get("is_mongodbgov_cloud")),
                base_url,
                through_variable,
                body.get("secret_name").is_some(),
                anchor,
                match insert_flag {
                    Some(s) => crate::adapters::terraform::FlagEdit::Insert(s),
                    None => crate::adapters::terraform::FlagEdit::Switch,
                },
                out,
            );
        }
    }
}

/// A module's override files, as one of its files' blocks meets them: a block takes the
/// arguments of the blocks of the same type and name in `overrides` (the override files after
/// its file); an override file's block that a block of an earlier file (`primary`) takes is
/// not read on its own.
pub(super) struct Merge<'s, 'c> {
    overrides: &'s [(&'s Source, LocCtx<'c>)],
    primary: &'s [&'s Source],
}

impl Merge<'_, '_> {
    /// The bodies of the override blocks `labels` names (`["resource", type, name]`, or
    /// `["provider", "mongodbatlas"]` with its `alias`), in the order Terraform applies them.
    fn bodies(
        &self,
        labels: &[&str],
        alias: Option<Option<&str>>,
    ) -> Vec<(LocCtx<'_>, Cursor<'_>)> {
        self.overrides
            .iter()
            .flat_map(|(src, ctx)| {
                blocks_named(src, labels, alias)
                    .into_iter()
                    .map(move |b| (*ctx, b))
            })
            .collect()
    }

    /// Whether an override file's block `labels` names is merged into a configuration
    /// file's block.
    fn merged_elsewhere(&self, labels: &[&str], alias: Option<Option<&str>>) -> bool {
        self.primary
            .iter()
            .any(|src| !blocks_named(src, labels, alias).is_empty())
    }
}

/// The bodies of a file's blocks of `labels` (each at its own pointer), and for a provider
/// (`alias` given) only those of that alias.
fn blocks_named<'a>(
    src: &'a Source,
    labels: &[&str],
    alias: Option<Option<&str>>,
) -> Vec<Cursor<'a>> {
    let (Some((last, path)), root) = (labels.split_last(), Cursor::root(&src.root)) else {
        return Vec::new();
    };
    let Some(parent) = root.path(path) else {
        return Vec::new();
    };
    parent
        .entries()
        .filter(|(k, _)| k.node.as_str() == Some(*last))
        .flat_map(|(_, b)| match b.node.as_seq() {
            Some(_) => b.items().collect::<Vec<_>>(),
            None => vec![b],
        })
        .map(|b| src.block(b))
        .filter(|b| alias.is_none_or(|alias| b.get("alias").and_then(|a| a.str()) == alias))
        .collect()
}

/// Where a labeled block is reported: its header (`resource "type" "name"`, the last label's
/// key in JSON), or, for one body of an array of bodies under a shared key (Terraform JSON:
/// `"mongodbatlas": [{..}, {"alias": "b", ..}]`), that body's own `{`, at its element's
/// pointer, as the native syntax reports each repeated block at its own header.
fn anchor(ctx: &LocCtx<'_>, src: &Source, last_label: &Cursor<'_>, body: &Cursor<'_>) -> Loc {
    if src.is_element(body) {
        let start = body.node.span.start;
        return ctx.loc_of(
            Span {
                start,
                end: start.saturating_add(1),
            },
            &body.pointer,
        );
    }
    header(ctx, last_label, body)
}

const PROJECT_TYPE: &str = "mongodbatlas_project";

/// The projects a file's `import` blocks adopt: the module calls, the name in each `to =
/// mongodbatlas_project.NAME` and the instance key (`NAME["key"]` or `NAME[0]`: that instance
/// only), with the `to` expression as written (a value no rule reads as a region usage).
fn imported(ctx: &LocCtx<'_>, src: &Source) -> Vec<(Vec<String>, String, Option<String>, Text)> {
    let Some(blocks) = Cursor::root(&src.root).get("import") else {
        return Vec::new();
    };
    // Each body at its pointer in the file (`/import/to` for one object in Terraform JSON).
    let bodies: Vec<Cursor<'_>> = match blocks.node.as_seq() {
        Some(_) => blocks.items().map(|b| src.block(b)).collect(),
        None => vec![src.block(blocks)],
    };
    bodies
        .iter()
        .filter_map(|b| {
            let to = b.get("to")?;
            // An expression in HCL, a string in Terraform JSON (`"mongodbatlas_project.p"`,
            // or a template of that one reference, `"${mongodbatlas_project.p}"`).
            let written = to.node.expr_source().or(to.str())?.trim().trim_matches('"');
            let source = written
                .strip_prefix("${")
                .and_then(|s| s.strip_suffix('}'))
                .unwrap_or(written)
                .trim()
                .to_string();
            // The address without its instance keys: `module.a["x"].mongodbatlas_project.y[0]`
            // is `module.a.mongodbatlas_project.y`.
            let mut plain = String::new();
            let mut depth = 0usize;
            for c in source.chars() {
                match c {
                    '[' => depth += 1,
                    ']' => depth = depth.saturating_sub(1),
                    _ if depth == 0 => plain.push(c),
                    _ => {}
                }
            }
            let parts: Vec<&str> = plain.split('.').collect();
            let [ty, name] = parts.get(parts.len().checked_sub(2)?..)? else {
                return None;
            };
            if *ty != PROJECT_TYPE {
                return None;
            }
            let modules = parts.get(..parts.len() - 2)?;
            if modules.len() % 2 != 0 || modules.chunks(2).any(|c| c.first() != Some(&"module")) {
                return None;
            }
            let calls = modules
                .chunks(2)
                .filter_map(|c| c.get(1).map(|n| (*n).to_string()))
                .collect();
            // The resource's own instance key: what a bracket after its name holds.
            let key = source
                .rsplit_once(&format!("{PROJECT_TYPE}.{name}"))
                .map(|(_, rest)| rest.trim())
                .and_then(|rest| rest.strip_prefix('[')?.strip_suffix(']'))
                .map(|k| k.trim().trim_matches('"').to_string());
            Some((calls, (*name).to_string(), key, to, source))
        })
        .map(|(calls, name, key, to, source)| {
            (
                calls,
                name,
                key,
                Text {
                    value: crate::model::intern_value(&format!("(imported: {source})")),
                    loc: ctx.loc(&to),
                },
            )
        })
        .collect()
}

/// A call's block written in file `n` of `sources`, then the same call in each override
/// file after it (merged: the later wins).
fn call_bodies<'a>(
    sources: &[(&HclFile, &'a Source, LocCtx<'a>)],
    n: usize,
    body: Cursor<'a>,
    labels: &[&str],
) -> Vec<(LocCtx<'a>, Cursor<'a>)> {
    let mut bodies = Vec::new();
    if let Some((_, _, ctx)) = sources.get(n) {
        bodies.push((*ctx, body));
    }
    for (_, s, c) in sources.iter().skip(n + 1).filter(|(g, _, _)| g.overrides) {
        bodies.extend(blocks_named(s, labels, None).into_iter().map(|b| (*c, b)));
    }
    bodies
}

/// Most passes of [`World::refresh_calls`].
const MAX_REFRESH_PASSES: usize = 8;

/// How many unknown values `v` holds (a list's or map's elements counted one by one).
fn unknowns(v: &Val, depth: usize) -> usize {
    if depth > 32 {
        return 0;
    }
    match v {
        Val::Unknown(_) => 1,
        Val::List(items) => items.iter().map(|i| unknowns(i, depth + 1)).sum(),
        Val::Map(entries) => entries.iter().map(|(_, v)| unknowns(v, depth + 1)).sum(),
        Val::Known(..) | Val::Null | Val::Ref(_) => 0,
    }
}
