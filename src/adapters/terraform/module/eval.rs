//! The module step proper: once every file is parsed, group the fragments by directory,
//! instantiate each module (as a root, or once per call), evaluate what can be known of every
//! kept resource's attributes, and build the model.
//!
//! What is evaluated, in every instance:
//!
//! - literals, lists and objects; `var.NAME` (the call's argument, else the `default`; for a
//!   root module `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` in
//!   name order, as Terraform loads them); `local.NAME` (evaluated in turn); paths into them
//!   (`var.zones[1].region`, `local.sizing["tier"]`);
//! - `for` expressions over a known list or map (one element per element, filtered by an `if`
//!   that can be decided), `dynamic` blocks over a known `for_each` (one block per element,
//!   the iterator's `key` and `value` known), a resource's `for_each` (once per element,
//!   `each.key`, `each.value`) and `count` (`count = 0` creates nothing);
//! - `cond ? a : b` with a known condition, comparisons and arithmetic on known values, and
//!   the functions that only reshape values (`tolist`, `toset`, `tomap`, `flatten`,
//!   `concat`, `merge`, `lookup`, `element`, `values`, `keys`, `coalesce`, `upper`, `lower`,
//!   `length`, `contains`, ...);
//! - references to resources of the same instance (`mongodbatlas_project.gov.id`,
//!   `mongodbatlas_advanced_cluster.orders.project_id`), kept as references for linking, also
//!   when they reach a module through a call's argument or leave one through an `output`
//!   (`module.project.project_id`).
//!
//! A known value used through a reference is located at the use, with where it was written
//! as [`Loc::via`]. Everything else (data sources, registry modules, `count.index`,
//! `path.*`, string functions that build new text, a `for` whose collection or condition is
//! unknown) is unknown: a `for` or `dynamic` block over an unknown collection gives one
//! element, what every element hard-codes, its iterator unknown.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::value::{MAX_LEAVES, Ref, Scalar, Tree, Val};
use super::*;
use crate::document::hcl_expr::{self, BinOp, Expr, For, Op, Part};
use crate::model::Switch;

/// Deepest chain of module calls followed.
const MAX_MODULE_DEPTH: usize = 16;
/// Most module instances evaluated in one run.
const MAX_INSTANCES: usize = 1024;
/// Most elements one `for`, `dynamic` or `for_each` is expanded to (a larger one is unknown).
const MAX_ELEMENTS: usize = 256;
/// Evaluation steps allowed per resource (and per module call): past them, values are unknown.
const FUEL: u64 = 100_000;
/// Evaluation steps allowed in one run, all modules together.
const BUDGET: u64 = 20_000_000;
/// Deepest nesting of evaluations (locals that use locals, outputs, nested `for`s).
const MAX_DEPTH: usize = 64;
/// Longest expression text kept for an unknown value.
const MAX_SOURCE: usize = 200;

/// One directory's files.
struct Module<'f> {
    /// The directory as walked (the key prefix of a root instance).
    dir: PathBuf,
    files: Vec<&'f HclFile>,
    declared: HashSet<&'f str>,
    /// Variables' defaults.
    defaults: HashMap<&'f str, Val>,
    /// Variables as a root module gets them: defaults, then the tfvars files.
    root_vars: HashMap<&'f str, Val>,
    root_like: bool,
    /// Local module calls: (call name, target module).
    calls: Vec<(&'f str, Option<usize>)>,
}

/// One evaluation of a module.
struct Inst {
    module: usize,
    /// Key prefix of its resources (`tf:<key>:<type>.<name>`).
    key: String,
    vars: HashMap<String, Val>,
    /// Call name → its instances (with the `for_each` key of each, when there is one).
    children: HashMap<String, Vec<(Option<Val>, usize)>>,
    /// The instance whose call this is.
    parent: Option<usize>,
    depth: usize,
}

/// The module step: resolve every module instance and build the model from every kept file.
///
/// A module that local `module` blocks call is evaluated once per call, with the call's
/// arguments as its variables (evaluated in the caller), and its resources' keys carry the
/// call, so each instance links to its own project. A module nothing calls is evaluated once,
/// as a root module; one under a `modules/` directory that declares nothing only a root
/// module does (a provider, a project, a backend) is taken for a child whose caller is not in
/// the run: its variables are the caller's to set, so their defaults are not used.
pub fn resolve(files: Vec<HclFile>, sources: &[SourceFile], out: &mut Model) {
    let dir_of = |file: FileId| -> PathBuf {
        sources
            .get(file as usize)
            .and_then(|s| s.path.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let mut by_dir: BTreeMap<PathBuf, Vec<&HclFile>> = BTreeMap::new();
    for f in &files {
        by_dir.entry(dir_of(f.file)).or_default().push(f);
    }
    let mut modules: Vec<Module<'_>> = Vec::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    for (dir, mut files) in by_dir {
        // Defaults first, then terraform.tfvars, then *.auto.tfvars by name.
        files.sort_by(|a, b| (&a.tfvars, a.file).cmp(&(&b.tfvars, b.file)));
        let declared: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.declared.iter().map(String::as_str))
            .collect();
        let mut defaults = HashMap::new();
        let mut root_vars = HashMap::new();
        for f in &files {
            for (name, value) in &f.values {
                if !declared.contains(name.as_str()) {
                    continue;
                }
                if f.tfvars.is_none() {
                    defaults.insert(name.as_str(), value.clone());
                }
                root_vars.insert(name.as_str(), value.clone());
            }
        }
        index.insert(normalize(&dir), modules.len());
        modules.push(Module {
            root_like: files.iter().any(|f| f.root_like),
            calls: Vec::new(),
            dir,
            files,
            declared,
            defaults,
            root_vars,
        });
    }
    for m in &mut modules {
        let norm = normalize(&m.dir);
        m.calls = m
            .files
            .iter()
            .flat_map(|f| &f.calls)
            .map(|(name, source)| {
                (
                    name.as_str(),
                    index.get(&normalize(&norm.join(source))).copied(),
                )
            })
            .collect();
    }
    let mut world = World {
        modules,
        insts: Vec::new(),
        sources,
        memo: RefCell::new(HashMap::new()),
        parsed: RefCell::new(HashMap::new()),
        fuel: Cell::new(FUEL),
        budget: Cell::new(BUDGET),
        depth: Cell::new(0),
    };
    world.instantiate();
    // Locals read while instances were created may have used module outputs not yet there.
    world.memo.borrow_mut().clear();
    let linking = Linking::default();
    for i in 0..world.insts.len() {
        world.build_instance(i, out, &linking);
    }
    linking.finish(out);
}

struct World<'f> {
    modules: Vec<Module<'f>>,
    insts: Vec<Inst>,
    sources: &'f [SourceFile],
    /// Evaluated locals and outputs: (instance, is output, name) → value (`None` while being
    /// evaluated: a cycle is unknown).
    memo: RefCell<HashMap<(usize, bool, String), Option<Val>>>,
    /// Parsed expressions by (file, offset).
    parsed: RefCell<HashMap<(FileId, u32), Parsed>>,
    fuel: Cell<u64>,
    /// What is left of [`BUDGET`].
    budget: Cell<u64>,
    depth: Cell<usize>,
}

/// An expression node's syntax tree (`None`: it does not parse).
type Parsed = Option<Rc<Expr>>;

/// Where an expression is evaluated: its instance, the `each` of its resource or call, the
/// iterators in scope.
#[derive(Clone, Copy)]
struct Scope<'s> {
    inst: usize,
    each: Option<&'s Each>,
    iters: Option<&'s Binding<'s>>,
}

struct Each {
    key: Val,
    value: Val,
}

/// A `for` or `dynamic` iterator, and the ones around it.
struct Binding<'s> {
    name: &'s str,
    value: Val,
    up: Option<&'s Binding<'s>>,
}

impl Scope<'_> {
    fn iterator(&self, name: &str) -> Option<&Val> {
        let mut b = self.iters;
        while let Some(binding) = b {
            if binding.name == name {
                return Some(&binding.value);
            }
            b = binding.up;
        }
        None
    }
}

/// The file an expression is in, and the pointer of the value being evaluated: the node's in
/// the document, extended into the expression's objects, tuples and `for` elements.
#[derive(Clone, Copy)]
struct At<'c> {
    ctx: &'c LocCtx<'c>,
    pointer: &'c str,
}

/// An [`At`] whose pointer is built here.
struct Place<'c> {
    ctx: &'c LocCtx<'c>,
    pointer: String,
}

impl Place<'_> {
    fn at(&self) -> At<'_> {
        At {
            ctx: self.ctx,
            pointer: &self.pointer,
        }
    }
}

impl<'c> At<'c> {
    /// The place of a part of the value (an element, an attribute).
    fn child(self, token: &str) -> Place<'c> {
        let mut pointer = self.pointer.to_string();
        crate::document::push_pointer(&mut pointer, token);
        Place {
            ctx: self.ctx,
            pointer,
        }
    }

    fn loc(&self, span: Span) -> Loc {
        self.ctx.loc_of(span, self.pointer)
    }

    fn source(&self, span: Span) -> &str {
        let s = self
            .ctx
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .trim();
        if s.len() <= MAX_SOURCE {
            return s;
        }
        let mut cut = MAX_SOURCE;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.get(..cut).unwrap_or("")
    }

    fn text(&self, value: &str, span: Span) -> Text {
        Text {
            value: value.into(),
            loc: self.loc(span),
        }
    }
}

/// The meta-arguments of a resource or module block (not attributes).
fn is_meta_argument(key: &str) -> bool {
    matches!(
        key,
        "source"
            | "version"
            | "count"
            | "for_each"
            | "providers"
            | "provider"
            | "depends_on"
            | "lifecycle"
            | "provisioner"
            | "connection"
    )
}

impl<'f> World<'f> {
    fn ctx_of<'a>(&'a self, f: &'a HclFile) -> Option<LocCtx<'a>> {
        let src = f.source.as_ref()?;
        let path = self
            .sources
            .get(f.file as usize)
            .map_or(Path::new(""), |s| s.path.as_path());
        Some(LocCtx::new(f.file, path, &src.text, &src.index))
    }

    /// Create the instances: roots (modules nothing in the run calls, or that are only
    /// reached through a cycle), then each call of each instance, breadth first.
    fn instantiate(&mut self) {
        let called: HashSet<usize> = self
            .modules
            .iter()
            .flat_map(|m| m.calls.iter().filter_map(|(_, t)| *t))
            .collect();
        let mut done = vec![false; self.modules.len()];
        for pass in 0..2 {
            for m in 0..self.modules.len() {
                let root = if pass == 0 {
                    !called.contains(&m)
                } else {
                    !done.get(m).copied().unwrap_or(true)
                };
                if root {
                    self.add_root(m, &mut done);
                }
            }
        }
    }

    fn add_root(&mut self, m: usize, done: &mut [bool]) {
        let Some(module) = self.modules.get(m) else {
            return;
        };
        let child_alone = normalize(&module.dir)
            .components()
            .any(|c| c.as_os_str().eq_ignore_ascii_case("modules"))
            && !module.root_like;
        let vars = if child_alone {
            HashMap::new()
        } else {
            module
                .root_vars
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect()
        };
        let key = module.dir.display().to_string();
        let start = self.insts.len();
        self.insts.push(Inst {
            module: m,
            key,
            vars,
            children: HashMap::new(),
            parent: None,
            depth: 0,
        });
        let mut next = start;
        while next < self.insts.len() {
            if let Some(slot) = self.insts.get(next).and_then(|i| done.get_mut(i.module)) {
                *slot = true;
            }
            self.add_children(next);
            next += 1;
        }
    }

    /// The instances of the calls an instance makes.
    fn add_children(&mut self, parent: usize) {
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
        for f in &module.files {
            let Some(src) = &f.source else { continue };
            let Some(ctx) = self.ctx_of(f) else { continue };
            let root = Cursor::root(&src.root);
            for (name, body) in root.get("module").iter().flat_map(|m| m.entries()) {
                let Some(name) = name.node.as_str() else {
                    continue;
                };
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
                let scope = Scope {
                    inst: parent,
                    each: None,
                    iters: None,
                };
                self.refuel();
                for each in self.repetitions(scope, &ctx, &body) {
                    if self.insts.len() + made.len() >= MAX_INSTANCES {
                        break;
                    }
                    let scope = Scope {
                        each: each.as_ref(),
                        ..scope
                    };
                    let mut vars: HashMap<String, Val> = callee
                        .defaults
                        .iter()
                        .map(|(k, v)| ((*k).to_string(), v.clone()))
                        .collect();
                    for (arg, value) in body.entries() {
                        let Some(arg) = arg.node.as_str() else {
                            continue;
                        };
                        if is_meta_argument(arg) || !callee.declared.contains(arg) {
                            continue;
                        }
                        let at = At {
                            ctx: &ctx,
                            pointer: &value.pointer,
                        };
                        vars.insert(arg.to_string(), self.node(scope, at, &value));
                    }
                    let suffix = match &each {
                        Some(e) => match e.key.as_text() {
                            Some(k) => format!("[{}]", k.as_str()),
                            None => "[?]".to_string(),
                        },
                        None => String::new(),
                    };
                    let key = format!(
                        "{}#{}/module.{name}{suffix}",
                        normalize(&callee.dir).display(),
                        p.key
                    );
                    made.push((
                        name.to_string(),
                        each.map(|e| e.key),
                        Inst {
                            module: target,
                            key,
                            vars,
                            children: HashMap::new(),
                            parent: Some(parent),
                            depth: p.depth + 1,
                        },
                    ));
                }
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

    /// Whether `module` is the module of `inst` or of one of its callers.
    fn calls_back(&self, inst: usize, module: usize) -> bool {
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
    fn repetitions(
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
            if at(&count).as_number() == Some(0.0) {
                return Vec::new();
            }
        }
        let Some(for_each) = body.get("for_each") else {
            return vec![None];
        };
        let collection = at(&for_each);
        match elements(&collection, true) {
            Some(els) if els.len() <= MAX_ELEMENTS => els
                .into_iter()
                .map(|(key, value)| Some(Each { key, value }))
                .collect(),
            _ => vec![Some(Each {
                key: Val::unknown(),
                value: Val::unknown(),
            })],
        }
    }

    fn build_instance(&self, i: usize, out: &mut Model, linking: &Linking) {
        let Some(inst) = self.insts.get(i) else {
            return;
        };
        let Some(module) = self.modules.get(inst.module) else {
            return;
        };
        for f in &module.files {
            let (Some(src), Some(ctx)) = (&f.source, self.ctx_of(f)) else {
                continue;
            };
            self.resources(i, &ctx, &src.root, out, linking);
        }
    }

    fn resources(
        &self,
        inst: usize,
        ctx: &LocCtx<'_>,
        root: &Node,
        out: &mut Model,
        linking: &Linking,
    ) {
        let root = Cursor::root(root);
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
                let anchor = header(ctx, &name_key, &body);
                let key = key_of(ty, name);
                self.refuel();
                for each in self.repetitions(scope, ctx, &body) {
                    self.refuel();
                    let scope = Scope {
                        each: each.as_ref(),
                        ..scope
                    };
                    let tree = self.evaluate(scope, ctx, &body, &anchor);
                    let evaluated = Cursor::at(&tree.root, &body.pointer);
                    let values = HclValues {
                        ctx,
                        tree: &tree,
                        linking,
                    };
                    if mode == "data" {
                        let project_ref = super::super::builders::project_ref(&values, &evaluated);
                        build_data(ty, anchor.clone(), project_ref, out);
                        continue;
                    }
                    let resource = Resource {
                        ty,
                        body: evaluated,
                        anchor: anchor.clone(),
                        key: key.clone(),
                    };
                    linking.resource(&values, &resource);
                    build(&values, resource, out);
                }
            }
        }
        for (name_key, body) in root.get("provider").iter().flat_map(|p| p.entries()) {
            if name_key.node.as_str() != Some(super::super::PROVIDER) {
                continue;
            }
            self.refuel();
            let anchor = header(ctx, &name_key, &body);
            let insert_flag = gov_flag_slot(ctx, &name_key, &body);
            let tree = self.evaluate(scope, ctx, &body, &anchor);
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
            super::super::provider(
                v.read(body.get("is_mongodbgov_cloud")),
                base_url,
                through_variable,
                body.get("secret_name").is_some(),
                anchor,
                insert_flag,
                out,
            );
        }
    }

    /// A resource (or provider) body with its expressions evaluated, as a tree.
    fn evaluate(&self, scope: Scope<'_>, ctx: &LocCtx<'_>, body: &Cursor<'_>, at: &Loc) -> Tree {
        let at_body = At {
            ctx,
            pointer: &body.pointer,
        };
        let value = self.body(scope, at_body, body, true);
        Tree::of(&value, ctx.file, at)
    }

    /// A node of a document.
    fn node(&self, scope: Scope<'_>, at: At<'_>, cur: &Cursor<'_>) -> Val {
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
    fn body(&self, scope: Scope<'_>, at: At<'_>, cur: &Cursor<'_>, top: bool) -> Val {
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
    fn dynamic(&self, scope: Scope<'_>, at: At<'_>, label: &str, block: &Cursor<'_>) -> Vec<Val> {
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
                els.into_iter().map(|(k, v)| one(iterator(k, v))).collect()
            }
            _ => vec![one(Val::unknown())],
        }
    }

    /// An expression node: parsed (once per place) and evaluated.
    fn expr_node(&self, scope: Scope<'_>, at: At<'_>, cur: &Cursor<'_>) -> Val {
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
    fn refuel(&self) {
        self.fuel.set(FUEL.min(self.budget.get()));
    }

    /// Spend `n` steps; `false` (and nothing spent) when there is not that much fuel left.
    fn spend(&self, n: u64) -> bool {
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
    fn expr(&self, scope: Scope<'_>, at: At<'_>, e: &Expr) -> Val {
        let depth = self.depth.get();
        let multiplies = matches!(
            e,
            Expr::Var(..) | Expr::Traverse(..) | Expr::Call(..) | Expr::For(_)
        );
        if depth > MAX_DEPTH || (!self.spend(1) && multiplies) {
            return self.unknown_at(at, e.span());
        }
        self.depth.set(depth + 1);
        let v = self.expr_inner(scope, at, e);
        self.depth.set(depth);
        v
    }

    fn unknown_at(&self, at: At<'_>, span: Span) -> Val {
        Val::Unknown(Some(Box::new(at.text(at.source(span), span))))
    }

    fn expr_inner(&self, scope: Scope<'_>, at: At<'_>, e: &Expr) -> Val {
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
                    Val::Unknown(_) | Val::Ref(_) => self.unknown_at(at, *s),
                    v => v,
                }
            }
            Expr::Cond(parts, s) => {
                let (c, a, b) = &**parts;
                match self.expr(scope, at, c).as_bool() {
                    Some(true) => self.expr(scope, at, a),
                    Some(false) => self.expr(scope, at, b),
                    None => self.unknown_at(at, *s),
                }
            }
            Expr::Not(inner, s) => match self.expr(scope, at, inner).as_bool() {
                Some(b) => known(if b { "false" } else { "true" }, *s, Scalar::Bool),
                None => self.unknown_at(at, *s),
            },
            Expr::Neg(inner, s) => match self.expr(scope, at, inner).as_number() {
                Some(n) => known(&number(-n), *s, Scalar::Num),
                None => self.unknown_at(at, *s),
            },
            Expr::Binary(op, operands, s) => {
                let (l, r) = &**operands;
                let (l, r) = (self.expr(scope, at, l), self.expr(scope, at, r));
                match binary(*op, &l, &r) {
                    Some((value, kind)) => known(&value, *s, kind),
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
    fn traverse(&self, scope: Scope<'_>, at: At<'_>, e: &Expr) -> Val {
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
            "count" | "data" | "path" | "terraform" | "self" => Val::unknown(),
            ty => self.resource_ref(scope, at, ty, ops, e.span()),
        }
    }

    /// `TYPE.NAME[.ATTR]` (an index after the name is allowed: `x.gov[0].id`).
    fn resource_ref(&self, scope: Scope<'_>, at: At<'_>, ty: &str, ops: &[Op], span: Span) -> Val {
        let Some(Op::Attr(name)) = ops.first() else {
            return Val::unknown();
        };
        let mut rest = ops.get(1..).unwrap_or(&[]);
        if let Some(Op::Index(_)) = rest.first() {
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
        Val::Ref(std::sync::Arc::new(Ref {
            ty: ty.into(),
            attr,
            key: format!("tf:{}:{ty}.{name}", inst.key).into(),
            at: Some(at.text(at.source(span), span)),
        }))
    }

    /// Steps (`.attr`, `[index]`) into a value.
    fn steps(&self, scope: Scope<'_>, at: At<'_>, mut v: Val, ops: &[Op]) -> Val {
        for op in ops {
            v = match (op, &v) {
                (Op::Attr(a), Val::Map(_)) => v.attr(a).cloned().unwrap_or_else(Val::unknown),
                (Op::Index(i), Val::Map(_)) => match self.expr(scope, at, i) {
                    Val::Known(k, _) => v.attr(k.as_str()).cloned().unwrap_or_else(Val::unknown),
                    _ => Val::unknown(),
                },
                (Op::Index(i), Val::List(items)) => match self.expr(scope, at, i).as_number() {
                    Some(n) if n >= 0.0 && n.fract() == 0.0 => {
                        items.get(n as usize).cloned().unwrap_or_else(Val::unknown)
                    }
                    _ => Val::unknown(),
                },
                _ => Val::unknown(),
            };
        }
        v
    }

    /// A local (or, `output`, a module's output) of an instance, evaluated once.
    fn local(&self, inst: usize, name: &str, output: bool) -> Val {
        let memo_key = (inst, output, name.to_string());
        if let Some(done) = self.memo.borrow().get(&memo_key) {
            return done.clone().unwrap_or_else(Val::unknown);
        }
        self.memo.borrow_mut().insert(memo_key.clone(), None);
        let v = self
            .find_local(inst, name, output)
            .unwrap_or_else(Val::unknown);
        self.memo.borrow_mut().insert(memo_key, Some(v.clone()));
        v
    }

    fn find_local(&self, inst: usize, name: &str, output: bool) -> Option<Val> {
        let module = self.modules.get(self.insts.get(inst)?.module)?;
        // The last definition wins (Terraform refuses duplicates).
        let mut found = None;
        for f in &module.files {
            let Some(src) = &f.source else { continue };
            let root = Cursor::root(&src.root);
            let cur = if output {
                root.path(&["output", name]).and_then(|o| o.get("value"))
            } else {
                root.get("locals")
                    .into_iter()
                    .flat_map(|l| l.items().collect::<Vec<_>>())
                    .filter_map(|block| block.get(name))
                    .next_back()
            };
            if let Some(cur) = cur {
                found = Some((f, cur));
            }
        }
        let (f, cur) = found?;
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
        Some(self.node(scope, at, &cur))
    }

    fn for_expr(&self, scope: Scope<'_>, at: At<'_>, f: &For) -> Val {
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

    fn call(&self, scope: Scope<'_>, at: At<'_>, name: &str, args: &[Expr], span: Span) -> Val {
        let arg = |i: usize| {
            args.get(i)
                .map_or_else(Val::unknown, |a| self.expr(scope, at, a))
        };
        let all = || {
            args.iter()
                .map(|a| self.expr(scope, at, a))
                .collect::<Vec<_>>()
        };
        match name {
            "tolist" | "tomap" | "tostring" | "tonumber" | "tobool" | "sensitive"
            | "nonsensitive" => arg(0),
            // A set of strings is iterated with each element as its own key, in lexical order:
            // it is the map of its elements to themselves.
            "toset" => match arg(0) {
                Val::List(items) if items.iter().all(|i| i.as_text().is_some()) => {
                    let mut entries: Vec<(Text, Val)> = items
                        .iter()
                        .filter_map(|i| Some((i.as_text()?.clone(), i.clone())))
                        .collect();
                    entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                    entries.dedup_by(|a, b| a.0.as_str() == b.0.as_str());
                    Val::Map(entries.into())
                }
                other => other,
            },
            "flatten" => flatten(&arg(0), 0).map_or_else(Val::unknown, |l| Val::List(l.into())),
            "concat" => {
                let mut out = Vec::new();
                for v in all() {
                    match v {
                        Val::List(items) => out.extend(items.iter().cloned()),
                        _ => return Val::unknown(),
                    }
                }
                Val::List(out.into())
            }
            "merge" => {
                let mut out: Vec<(Text, Val)> = Vec::new();
                for v in all() {
                    match v {
                        Val::Map(entries) => {
                            for (k, v) in entries.iter() {
                                out.retain(|(o, _)| o.as_str() != k.as_str());
                                out.push((k.clone(), v.clone()));
                            }
                        }
                        Val::Null => {}
                        _ => return Val::unknown(),
                    }
                }
                Val::Map(out.into())
            }
            "lookup" => {
                let (map, key) = (arg(0), arg(1));
                match (&map, key.as_text()) {
                    (Val::Map(_), Some(k)) => match map.attr(k.as_str()) {
                        Some(v) => v.clone(),
                        None if args.len() > 2 => arg(2),
                        None => Val::unknown(),
                    },
                    _ => Val::unknown(),
                }
            }
            "element" => match (arg(0), arg(1).as_number()) {
                (Val::List(items), Some(n))
                    if !items.is_empty() && n >= 0.0 && n.fract() == 0.0 =>
                {
                    items
                        .get(n as usize % items.len())
                        .cloned()
                        .unwrap_or_else(Val::unknown)
                }
                _ => Val::unknown(),
            },
            "values" | "keys" => match arg(0) {
                Val::Map(entries) => {
                    let mut sorted: Vec<&(Text, Val)> = entries.iter().collect();
                    sorted.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
                    Val::List(
                        sorted
                            .into_iter()
                            .map(|(k, v)| {
                                if name == "keys" {
                                    Val::Known(k.clone(), Scalar::Str)
                                } else {
                                    v.clone()
                                }
                            })
                            .collect(),
                    )
                }
                _ => Val::unknown(),
            },
            "coalesce" => {
                for v in all() {
                    match &v {
                        Val::Null => {}
                        Val::Known(t, _) if t.as_str().is_empty() => {}
                        Val::Known(..) => return v,
                        _ => return Val::unknown(),
                    }
                }
                Val::unknown()
            }
            "upper" | "lower" => match arg(0) {
                Val::Known(t, kind) => {
                    let value = if name == "upper" {
                        t.as_str().to_uppercase()
                    } else {
                        t.as_str().to_lowercase()
                    };
                    Val::Known(
                        Text {
                            value: value.into(),
                            loc: t.loc,
                        },
                        kind,
                    )
                }
                _ => Val::unknown(),
            },
            "length" => {
                let n = match arg(0) {
                    Val::List(items) => items.len(),
                    Val::Map(entries) => entries.len(),
                    Val::Known(t, Scalar::Str) => t.as_str().chars().count(),
                    _ => return Val::unknown(),
                };
                Val::Known(at.text(&n.to_string(), span), Scalar::Num)
            }
            "contains" => match (arg(0), arg(1)) {
                (Val::List(items), Val::Known(wanted, _)) => {
                    if items
                        .iter()
                        .any(|i| i.is_unknown() || matches!(i, Val::List(_) | Val::Map(_)))
                    {
                        return Val::unknown();
                    }
                    let found = items
                        .iter()
                        .any(|i| i.as_text().is_some_and(|t| t.as_str() == wanted.as_str()));
                    Val::Known(
                        at.text(if found { "true" } else { "false" }, span),
                        Scalar::Bool,
                    )
                }
                _ => Val::unknown(),
            },
            _ => Val::unknown(),
        }
    }
}

/// The elements of a collection as (key, value): a list's index (as a `set` of strings, the
/// value itself), a map's keys in Terraform's (lexical) order. `None` when the collection is
/// not known.
fn elements(collection: &Val, set: bool) -> Option<Vec<(Val, Val)>> {
    match collection {
        Val::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if set {
                    // A set of strings: each.key is each.value.
                    return v.as_text().map(|_| (v.clone(), v.clone()));
                }
                let loc = first_loc(v)?;
                Some((
                    Val::Known(
                        Text {
                            value: i.to_string().into(),
                            loc,
                        },
                        Scalar::Num,
                    ),
                    v.clone(),
                ))
            })
            .collect(),
        Val::Map(entries) => {
            let mut sorted: Vec<(Val, Val)> = entries
                .iter()
                .map(|(k, v)| (Val::Known(k.clone(), Scalar::Str), v.clone()))
                .collect();
            sorted.sort_by(|a, b| {
                let key = |v: &Val| v.as_text().map(|t| t.value.clone());
                key(&a.0).cmp(&key(&b.0))
            });
            // Later duplicates win, as in an object.
            sorted.dedup_by(|later, earlier| {
                let same =
                    later.0.as_text().map(Text::as_str) == earlier.0.as_text().map(Text::as_str);
                if same {
                    std::mem::swap(later, earlier);
                }
                same
            });
            Some(sorted)
        }
        _ => None,
    }
}

/// Where the first scalar of a value is.
fn first_loc(v: &Val) -> Option<Loc> {
    match v {
        Val::Known(t, _) => Some(t.loc.clone()),
        Val::List(items) => items.iter().find_map(first_loc),
        Val::Map(entries) => entries.first().map(|(k, _)| k.loc.clone()),
        Val::Ref(r) => r.at.as_ref().map(|t| t.loc.clone()),
        Val::Unknown(t) => t.as_ref().map(|t| t.loc.clone()),
        Val::Null => None,
    }
}

fn flatten(v: &Val, depth: usize) -> Option<Vec<Val>> {
    let Val::List(items) = v else { return None };
    if depth > 64 {
        return None;
    }
    let mut out = Vec::new();
    for item in items.iter() {
        match item {
            Val::List(_) => out.extend(flatten(item, depth + 1)?),
            Val::Unknown(_) | Val::Ref(_) => return None,
            other => out.push(other.clone()),
        }
    }
    Some(out)
}

/// A number as Terraform prints it (`7`, not `7.0`).
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A binary operation on known operands.
fn binary(op: BinOp, l: &Val, r: &Val) -> Option<(String, Scalar)> {
    let bool_text = |b: bool| (if b { "true" } else { "false" }.to_string(), Scalar::Bool);
    match op {
        BinOp::And | BinOp::Or => {
            let (a, b) = (l.as_bool(), r.as_bool());
            let v = match (op, a, b) {
                (BinOp::And, Some(false), _) | (BinOp::And, _, Some(false)) => false,
                (BinOp::Or, Some(true), _) | (BinOp::Or, _, Some(true)) => true,
                (_, Some(a), Some(b)) => {
                    if op == BinOp::And {
                        a && b
                    } else {
                        a || b
                    }
                }
                _ => return None,
            };
            Some(bool_text(v))
        }
        BinOp::Eq | BinOp::NotEq => {
            let same = match (l, r) {
                (Val::Null, Val::Null) => true,
                (Val::Null, Val::Known(..)) | (Val::Known(..), Val::Null) => false,
                (Val::Known(a, ka), Val::Known(b, kb)) => {
                    match (ka, kb, l.as_number(), r.as_number()) {
                        (Scalar::Num, Scalar::Num, Some(x), Some(y)) => x == y,
                        _ => a.as_str() == b.as_str(),
                    }
                }
                _ => return None,
            };
            Some(bool_text(if op == BinOp::Eq { same } else { !same }))
        }
        _ => {
            let (a, b) = (l.as_number()?, r.as_number()?);
            let v = match op {
                BinOp::Less => return Some(bool_text(a < b)),
                BinOp::LessEq => return Some(bool_text(a <= b)),
                BinOp::Greater => return Some(bool_text(a > b)),
                BinOp::GreaterEq => return Some(bool_text(a >= b)),
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Div if b != 0.0 => a / b,
                BinOp::Mod if b != 0.0 => a % b,
                _ => return None,
            };
            v.is_finite().then(|| (number(v), Scalar::Num))
        }
    }
}

/// An expression node's syntax tree: the whole expression at the node's span (the node's own
/// text is shortened when long), or a JSON string's template.
fn parse(ctx: &LocCtx<'_>, node: &Node) -> Option<Expr> {
    let span = node.span;
    let raw = ctx.text.get(span.start as usize..span.end as usize)?;
    if tf_json::is_json_template(node) {
        let content = node.expr_source()?;
        // Offsets are exact when the JSON string has no escapes.
        let inner = raw.get(1..raw.len().saturating_sub(1));
        let base = (inner == Some(content)).then_some(span.start + 1);
        return hcl_expr::parse_template(content, base, span);
    }
    let lead = raw.len() - raw.trim_start().len();
    hcl_expr::parse(
        raw.trim(),
        u32::try_from(lead).ok().map(|l| span.start + l),
        span,
    )
}

/// The header of a labeled block (`resource "type" "name"`), from its keyword to its last
/// label.
/// Where `is_mongodbgov_cloud = true` would go in a provider block: on a line of its own
/// right after the block's `{`, indented like the block's first line inside, with the file's
/// line end. `None` for a block written on one line, or a tree assembled from other files.
fn gov_flag_slot(ctx: &LocCtx<'_>, last_label: &Cursor<'_>, body: &Cursor<'_>) -> Option<Switch> {
    if ctx.sources.is_some() {
        return None;
    }
    let text = ctx.text;
    let after_label = last_label.node.span.end as usize;
    let rest = text.get(after_label..)?;
    let brace = after_label + rest.find('{')?;
    if !text.get(after_label..brace)?.trim().is_empty() {
        return None;
    }
    let inside = text.get(brace + 1..)?;
    let eol = if inside.starts_with("\r\n") {
        "\r\n"
    } else if inside.starts_with('\n') {
        "\n"
    } else {
        return None;
    };
    let next_line = inside.get(eol.len()..)?;
    let indent: String = next_line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let first = next_line.get(indent.len()..).unwrap_or("");
    let indent = if first.starts_with('}') || first.starts_with(['\r', '\n']) {
        // An empty block: its closing brace's indentation, and two spaces.
        format!("{indent}  ")
    } else {
        indent
    };
    let at = Span::new(brace + 1, brace + 1);
    Some(Switch {
        loc: ctx.loc_of(at, &body.pointer),
        expected: "".into(),
        text: format!("{eol}{indent}is_mongodbgov_cloud = true"),
    })
}

fn header(ctx: &LocCtx<'_>, last_label: &Cursor<'_>, body: &Cursor<'_>) -> Loc {
    ctx.loc_of(
        Span {
            start: body.node.span.start.min(last_label.node.span.start),
            end: last_label.node.span.end,
        },
        &body.pointer,
    )
}

/// Attribute values of one evaluated body.
struct HclValues<'a> {
    ctx: &'a LocCtx<'a>,
    tree: &'a Tree,
    /// Resources whose project another resource takes.
    linking: &'a Linking,
}

impl Values for HclValues<'_> {
    fn read(&self, cur: Option<Cursor<'_>>) -> Read {
        let Some(cur) = cur else {
            return Read::Absent;
        };
        let loc = || {
            self.tree
                .loc(cur.node)
                .cloned()
                .unwrap_or_else(|| self.ctx.loc(&cur))
        };
        if let Some(expr) = cur.node.expr_source() {
            return Read::Unknown(unknown(loc(), expr));
        }
        match cur.text() {
            Some(value) => Read::Known(Text {
                value: crate::model::intern_value(value),
                loc: loc(),
            }),
            None => Read::Absent,
        }
    }

    fn missing_required(&self, _obj: &Cursor<'_>, _key: &str) -> Option<Text> {
        None
    }

    fn reference(&self, body: &Cursor<'_>, path: &[&str], ty: &str) -> Option<Text> {
        let cur = follow_path(body, path)?;
        let r = self.tree.reference(cur.node)?;
        let attr = r.attr.as_deref();
        let key = if &*r.ty == ty {
            let id_like = matches!(attr, None | Some("id"))
                || (ty == super::super::NETWORK_CONTAINER && attr == Some("container_id"));
            id_like.then(|| r.key.to_string())?
        } else if ty == super::super::PROJECT
            && attr == Some("project_id")
            && super::super::is_mapped_type(&r.ty)
        {
            // Another resource's project: reached through that resource.
            self.linking.want(&r.key);
            r.key.to_string()
        } else {
            return None;
        };
        Some(Text {
            value: key.into(),
            loc: self
                .tree
                .loc(cur.node)
                .cloned()
                .unwrap_or_else(|| self.ctx.loc(&cur)),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_terraform() {
        assert_eq!(number(7.0), "7");
        assert_eq!(number(-2.0), "-2");
        assert_eq!(number(0.5), "0.5");
    }
}
