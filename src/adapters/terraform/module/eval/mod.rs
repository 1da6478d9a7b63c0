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
//!   `each.key`, `each.value`) and a known `count` (once per index, `count.index` known;
//!   `count = 0` creates nothing);
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
//! as [`Loc::via`]. Everything else (data sources, registry modules, an unknown `count`,
//! `path.*`, string functions that build new text, a `for` whose collection or condition is
//! unknown) is unknown: a `for` or `dynamic` block over an unknown collection gives one
//! element, what every element hard-codes, its iterator unknown.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::value::{MAX_LEAVES, Ref, Scalar, Shape, Tree, Val};
use super::*;
use crate::adapters::terraform::BlockSlot;
use crate::document::hcl_expr::{self, BinOp, Expr, For, Op, Part};
use crate::model::{Note, WrittenNote};

mod state;
pub(in crate::adapters::terraform) use state::REMOTE_STATE;
use state::state_output_key;

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
/// Most decisions recorded in one run (see [`World::decided`]); past them, findings are not
/// labeled with further conditions.
const MAX_DECIDED: usize = 100_000;
/// Longest expression text kept for an unknown value.
const MAX_SOURCE: usize = 200;

/// One directory's files.
struct Module<'f> {
    /// The directory, absolute.
    dir: PathBuf,
    /// The directory relative to the working directory (`live/prod`, `../live/prod`): the
    /// key prefix of a root instance.
    shown: PathBuf,
    /// The directory relative to its git repository's root (outside one, `shown`): what says
    /// it is a child module (under a `modules/` directory), wherever the check runs from.
    within: PathBuf,
    files: Vec<&'f HclFile>,
    declared: HashSet<&'f str>,
    /// Variables' defaults.
    defaults: HashMap<&'f str, Val>,
    /// Variables declared `sensitive = true`.
    sensitive: HashSet<&'f str>,
    /// Variables declared `nullable = false`: a `null` given leaves the default.
    non_nullable: HashSet<&'f str>,
    /// Variables whose type fills in `optional(type, default)` attributes.
    optionals: HashMap<&'f str, &'f Shape>,
    /// Variables with a `validation` block: where it is and what it lets through.
    validated: Vec<(&'f str, &'f Loc, &'f Allows)>,
    /// Variables as a root module gets them: defaults, then the tfvars files.
    root_vars: HashMap<&'f str, Val>,
    root_like: bool,
    /// Local module calls: (call name, target module).
    calls: Vec<(&'f str, Option<usize>)>,
    /// The `-var-file` files that set this root module's variables (see
    /// [`attach_var_files`]): the module is evaluated once more with each.
    var_files: Vec<&'f HclFile>,
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
    /// The conditions its call's `count` or `for_each` (and its callers') depended on: every
    /// resource of the instance exists only because they hold (see [`World::decided`]).
    conditions: Vec<Text>,
    /// The call that made it (`None` for a root), to evaluate its arguments again once
    /// every instance exists (see [`World::refresh_calls`]).
    call: Option<Call>,
}

/// Where an instance's call is: its name, the file of its module that writes it (an index
/// into the module's files), and its repetition.
struct Call {
    name: String,
    file: usize,
    each: Option<Each>,
    /// Its arguments read a call whose instances did not exist yet: they are evaluated again
    /// (see [`World::refresh_calls`]).
    refresh: bool,
}

/// The module step: resolve every module instance and build the model from every kept file.
///
/// A module that local `module` blocks call is evaluated once per call, with the call's
/// arguments as its variables (evaluated in the caller), and its resources' keys carry the
/// call, so each instance links to its own project. A module nothing calls is evaluated once,
/// as a root module; one under a `modules/` directory that declares nothing only a root
/// module does (a provider, a project, a backend) is taken for a child whose caller is not in
/// the run: its variables are the caller's to set, so their defaults are not used.
pub fn resolve(
    mut files: Vec<HclFile>,
    sources: &[SourceFile],
    data: &super::data::DataFiles,
    cwd: &Path,
    limits: &Limits,
    out: &mut Model,
) -> Vec<FileId> {
    // By absolute directory: a run mixes paths as given (`/repo/tf/terraform.tfvars` from an
    // editor, `./live/prod/variables.tf`, `../live/prod/main.tf` from a subdirectory) with
    // context files' (relative to the working directory), and one directory is one module.
    let dir_of = |file: FileId| -> PathBuf {
        sources
            .get(file as usize)
            .and_then(|s| s.path.parent())
            .map(|d| crate::paths::absolute(d, cwd))
            .unwrap_or_default()
    };
    // The trees evaluated, apart from the files' other parts: each group of modules owns its
    // own (below) and frees them once it is built, so the model the groups build takes the
    // place of the trees rather than coming on top of them all.
    let mut trees: HashMap<usize, Held> = HashMap::new();
    // Files that only use variables where nothing is read (known before their trees are taken).
    let mut foreign_only = HashSet::new();
    for (slot, f) in files.iter_mut().enumerate() {
        f.slot = slot;
        if f.only_foreign() {
            foreign_only.insert(slot);
        }
        if let Some(source) = f.source.take() {
            trees.insert(slot, source);
        }
    }
    let mut by_dir: BTreeMap<PathBuf, Vec<&HclFile>> = BTreeMap::new();
    let mut var_files: Vec<&HclFile> = Vec::new();
    for f in &files {
        if f.var_file {
            var_files.push(f);
        } else {
            by_dir.entry(dir_of(f.file)).or_default().push(f);
        }
    }
    // A directory whose files only use variables where nothing is read (no Atlas in it).
    by_dir.retain(|_, files| files.iter().any(|f| !foreign_only.contains(&f.slot)));
    // A directory of values files and no configuration (`environments/prod/terraform.tfvars`,
    // passed with `-var-file`): its files set a root module above it.
    let values_only: Vec<PathBuf> = by_dir
        .iter()
        .filter(|(_, files)| files.iter().all(|f| f.tfvars.is_some()))
        .map(|(dir, _)| dir.clone())
        .collect();
    for dir in values_only {
        var_files.extend(by_dir.remove(&dir).unwrap_or_default());
    }
    let mut modules: Vec<Module<'_>> = Vec::new();
    let mut repositories: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    for (dir, mut files) in by_dir {
        // Configuration files first, override files after them in name order, as Terraform
        // merges them (their locals, outputs and variable defaults win, as the last
        // definition does below; a file given alone has the first id, not the first name),
        // then terraform.tfvars, then *.auto.tfvars by name.
        let name = |f: &HclFile| {
            sources
                .get(f.file as usize)
                .and_then(|s| s.path.file_name())
                .filter(|_| f.overrides)
                .map(std::ffi::OsStr::to_os_string)
        };
        files.sort_by_cached_key(|f| (f.tfvars.clone(), f.overrides, name(f), f.file));
        let declared: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.declared.iter().map(String::as_str))
            .collect();
        let validated: Vec<&(String, Loc, Allows)> =
            files.iter().flat_map(|f| &f.validated).collect();
        let sensitive: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.sensitive.iter().map(String::as_str))
            .collect();
        let non_nullable: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.non_nullable.iter().map(String::as_str))
            .collect();
        let optionals: HashMap<&str, &Shape> = files
            .iter()
            .flat_map(|f| f.optionals.iter().map(|(n, s)| (n.as_str(), s)))
            .collect();
        let mut defaults = HashMap::new();
        let mut root_vars = HashMap::new();
        for f in &files {
            for (name, value) in &f.values {
                if !declared.contains(name.as_str()) {
                    continue;
                }
                // `nullable = false`: a null set in a tfvars file leaves the default.
                if f.tfvars.is_some()
                    && matches!(value, Val::Null)
                    && non_nullable.contains(name.as_str())
                {
                    continue;
                }
                let value = match optionals.get(name.as_str()) {
                    Some(shape) => shape.apply(value.clone()),
                    None => value.clone(),
                };
                if f.tfvars.is_none() {
                    defaults.insert(name.as_str(), value.clone());
                }
                root_vars.insert(name.as_str(), value);
            }
        }
        index.insert(normalize(&dir), modules.len());
        let validated = validated
            .iter()
            .map(|(n, at, allows)| (n.as_str(), at, allows))
            .collect();
        let module = Module {
            sensitive,
            non_nullable,
            optionals,
            validated,
            root_like: files.iter().any(|f| f.root_like),
            calls: Vec::new(),
            var_files: Vec::new(),
            within: within_repository(&dir, &mut repositories)
                .unwrap_or_else(|| crate::paths::relative(&dir, cwd)),
            shown: crate::paths::relative(&dir, cwd),
            dir,
            files,
            declared,
            defaults,
            root_vars,
        };
        // The defaults and tfvars values of the module's own variables (a call's arguments are
        // noted where the call is evaluated).
        for f in &module.files {
            for (name, value) in &f.values {
                if module.declared.contains(name.as_str()) {
                    out.written_notes.extend(module.variable_notes(name, value));
                }
            }
        }
        modules.push(module);
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
    let unattached = attach_var_files(&mut modules, &index, var_files, &dir_of, out);
    // Modules that no call joins are evaluated apart, each group of them on its own thread;
    // what each builds is added in the order one evaluation of them all would have built it.
    let groups = groups(&modules);
    let share = |members: usize| {
        let total = modules.len().max(1) as u64;
        (BUDGET.saturating_mul(members as u64) / total).max(FUEL)
    };
    let single = groups.len() < 2;
    let owned: Vec<(Vec<usize>, HashMap<usize, Held>)> = groups
        .into_iter()
        .map(|members| {
            let own = members
                .iter()
                .filter_map(|&m| modules.get(m))
                .flat_map(|m| m.files.iter().chain(&m.var_files))
                .filter_map(|f| trees.remove_entry(&f.slot))
                .collect();
            (members, own)
        })
        .collect();
    // What no module holds (a `-var-file` no root module takes) is not evaluated.
    drop(trees);
    let evaluate = |(members, own): (Vec<usize>, HashMap<usize, Held>)| {
        // A tree not held is parsed again here, on the group's thread.
        let own: HashMap<usize, Source> = own
            .into_iter()
            .filter_map(|(slot, held)| Some((slot, held.into_source(limits)?)))
            .collect();
        let budget = if single { BUDGET } else { share(members.len()) };
        evaluate_group(&modules, &members, &own, sources, data, budget)
    };
    let results: Vec<Group> = if single {
        owned.into_iter().map(evaluate).collect()
    } else {
        use rayon::prelude::*;
        owned.into_par_iter().map(evaluate).collect()
    };
    let mut blocks: Vec<(BlockKey, Model)> = Vec::new();
    let mut rest = Vec::new();
    for g in results {
        blocks.extend(g.blocks);
        rest.push((g.links, g.notes, g.decided));
    }
    blocks.sort_by_key(|(key, _)| *key);
    for (_, part) in blocks {
        out.extend(part);
    }
    let mut seen = HashSet::new();
    let mut conditions = Vec::new();
    for (links, notes, decided) in rest {
        out.extend(links);
        out.written_notes.extend(notes);
        conditions.extend(decided);
    }
    conditions.retain(|c| {
        let via = c.setting.loc.via.as_deref().map(|v| (v.file, v.span));
        seen.insert((c.file, c.span, c.setting.loc.file, c.setting.loc.span, via))
    });
    out.conditions.extend(conditions);
    // The files' trees are freed on the pool, not on the thread the run waits on.
    drop(modules);
    if files.len() >= DROP_APART {
        rayon::spawn(move || drop(files));
    }
    unattached
}

/// How many directories up from a `-var-file`'s own the root module it sets is looked for
/// (`env/prod.tfvars` below `main.tf`'s directory, `environments/prod/terraform.tfvars` in a
/// directory of values files only).
pub const VAR_FILE_LEVELS: usize = 2;

/// Give each `-var-file` file (`env/prod.tfvars`) to the root module it sets: the nearest
/// module, in its own directory or up to [`VAR_FILE_LEVELS`] above, that declares a variable
/// it assigns and that no local `module` block calls (`-var-file` sets a root module's
/// variables only). A file no module takes is not judged (nothing tells where it is used):
/// those are returned.
fn attach_var_files<'f>(
    modules: &mut [Module<'f>],
    index: &HashMap<PathBuf, usize>,
    var_files: Vec<&'f HclFile>,
    dir_of: &dyn Fn(FileId) -> PathBuf,
    out: &mut Model,
) -> Vec<FileId> {
    let mut unattached = Vec::new();
    if var_files.is_empty() {
        return unattached;
    }
    let called: HashSet<usize> = modules
        .iter()
        .flat_map(|m| m.calls.iter().filter_map(|(_, t)| *t))
        .collect();
    for f in var_files {
        let dir = normalize(&dir_of(f.file));
        let target = match &f.terragrunt {
            // A Terragrunt configuration's module is the one it names, whoever else calls it.
            Some(terragrunt) => terragrunt
                .runs
                .as_ref()
                .and_then(|runs| index.get(&normalize(&dir.join(runs))).copied()),
            // Up by `..`, from its absolute directory.
            None => (0..=VAR_FILE_LEVELS)
                .filter_map(|up| index.get(&normalize(&dir.join("../".repeat(up)))).copied())
                .find(|&m| {
                    modules.get(m).is_some_and(|module| {
                        f.values
                            .iter()
                            .any(|(name, _)| module.declared.contains(name.as_str()))
                    })
                })
                .filter(|m| !called.contains(m)),
        };
        let Some(module) = target.and_then(|m| modules.get_mut(m)) else {
            // A Terragrunt configuration of another module, or a values file about nothing
            // Atlas has, is not said to be unread.
            let about_atlas = match &f.terragrunt {
                Some(t) => t.names_atlas,
                None => f.about_atlas,
            };
            if about_atlas {
                unattached.push(f.file);
            }
            continue;
        };
        for (name, value) in &f.values {
            if module.declared.contains(name.as_str()) {
                out.written_notes.extend(module.variable_notes(name, value));
            }
        }
        module.var_files.push(f);
    }
    for m in modules.iter_mut() {
        m.var_files.sort_by_key(|f| f.file);
    }
    unattached
}

/// From this many files on, their trees are freed on another thread (see [`resolve`]).
const DROP_APART: usize = 64;

/// Where a block of instances (a root instance and every instance below it) comes in one
/// evaluation of every module: (pass, root module) of [`World::instantiate`].
type BlockKey = (usize, usize);

/// What one group of modules builds: each block's model, then the links between its
/// resources, its notes and the conditions it decided.
struct Group {
    blocks: Vec<(BlockKey, Model)>,
    links: Model,
    notes: Vec<WrittenNote>,
    decided: Vec<crate::model::Condition>,
}

/// The modules that calls join, as groups of module indices (each sorted; the groups in
/// the order of their first module).
fn groups(modules: &[Module<'_>]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..modules.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while let Some(&p) = parent.get(i) {
            if p == i {
                break;
            }
            let grand = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(i) {
                *slot = grand;
            }
            i = p;
        }
        i
    }
    for (m, module) in modules.iter().enumerate() {
        for target in module.calls.iter().filter_map(|(_, t)| *t) {
            let (a, b) = (root(&mut parent, m), root(&mut parent, target));
            if let Some(slot) = parent.get_mut(a.max(b)) {
                *slot = a.min(b);
            }
        }
    }
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for m in 0..modules.len() {
        by_root.entry(root(&mut parent, m)).or_default().push(m);
    }
    by_root.into_values().collect()
}

/// Instantiate and build one group of modules (see [`groups`]), with `budget` evaluation
/// steps.
fn evaluate_group(
    modules: &[Module<'_>],
    members: &[usize],
    trees: &HashMap<usize, Source>,
    sources: &[SourceFile],
    data: &super::data::DataFiles,
    budget: u64,
) -> Group {
    let mut world = World {
        modules,
        members,
        trees,
        insts: Vec::new(),
        blocks: Vec::new(),
        sources,
        data,
        memo: RefCell::new(HashMap::new()),
        named: RefCell::new(HashMap::new()),
        decided: RefCell::new(Vec::new()),
        notes: RefCell::new(Vec::new()),
        reached: RefCell::new(HashSet::new()),
        parsed: RefCell::new(HashMap::new()),
        fuel: Cell::new(FUEL.min(budget)),
        budget: Cell::new(budget),
        depth: Cell::new(0),
        cut: Cell::new(false),
        failed: Cell::new(false),
        module_missed: Cell::new(false),
    };
    world.instantiate();
    // Arguments and locals read while instances were created may have used module outputs
    // not yet there.
    if world.module_missed.get() {
        world.refresh_calls();
    }
    world.memo.borrow_mut().clear();
    // What conditions decided in module calls' arguments (evaluated while instances were
    // created, never again) is kept; the rest is decided again as resources are built.
    let mut decided = world.decided.take();
    let linking = Linking::default();
    let mut blocks = Vec::with_capacity(world.blocks.len());
    for (b, &(key, start)) in world.blocks.iter().enumerate() {
        let end = world
            .blocks
            .get(b + 1)
            .map_or(world.insts.len(), |&(_, next)| next);
        let mut part = Model::default();
        for i in start..end {
            world.build_instance(i, &mut part, &linking);
        }
        world.state_outputs(start..end, &mut part);
        blocks.push((key, part));
    }
    let mut links = Model::default();
    linking.finish(&mut links);
    decided.extend(world.decided.take());
    let mut seen = HashSet::new();
    decided.retain(|c| {
        seen.insert((
            c.file,
            c.span,
            c.setting.loc.file,
            c.setting.loc.span,
            c.setting.loc.via.as_ref().map(|v| (v.file, v.span)),
        ))
    });
    // A use noted once per instance of a module called many times, once.
    let mut notes = world.notes.take();
    let mut used = HashSet::new();
    notes.retain(|n| match &n.note {
        Note::UsedAt(u) => used.insert((n.file, n.span, u.file, u.span)),
        _ => true,
    });
    Group {
        blocks,
        links,
        notes,
        decided,
    }
}

impl<'f> World<'f> {
    /// The evaluated parts of `f`, a file of the group's modules, when it has any.
    fn source(&self, f: &HclFile) -> Option<&'f Source> {
        self.trees.get(&f.slot)
    }
}

impl World<'_> {
    /// Record that a known condition decided the values at `span` of `file` (the branch it
    /// chose), when the condition's value was written elsewhere (a tfvars value, a default, a
    /// caller's argument): a finding there depends on it.
    fn decide(&self, file: FileId, span: Span, condition: &Val) {
        if let Val::Known(setting, _) = condition {
            if setting.loc.via.is_some() && self.mark() < MAX_DECIDED {
                self.decided.borrow_mut().push(crate::model::Condition {
                    file,
                    span,
                    setting: setting.clone(),
                });
            }
        }
    }

    /// How many decisions are recorded so far (see [`World::conditions_since`]).
    fn mark(&self) -> usize {
        self.decided.borrow().len()
    }

    /// A module call's argument for variable `var` of `module` (see
    /// [`Module::variable_notes`]).
    fn note_argument(&self, module: usize, var: &str, value: &Val) {
        if let Some(m) = self.modules.get(module) {
            let notes = m.variable_notes(var, value);
            self.notes.borrow_mut().extend(notes);
        }
    }

    /// `value`'s texts written elsewhere are used at `used` (see [`Note::UsedAt`]).
    fn note_uses(&self, value: &Val, used: &Loc) {
        let mut found = Vec::new();
        value.for_each_text(&mut |t| {
            if let Some(w) = t.loc.via.as_deref() {
                found.push(WrittenNote::at(w, Note::UsedAt(used.clone())));
            }
        });
        self.notes.borrow_mut().extend(found);
    }

    /// The conditions that decided something since `mark` (what a `count` or `for_each`
    /// expression depended on), each once.
    fn conditions_since(&self, mark: usize) -> Vec<Text> {
        let decided = self.decided.borrow();
        let mut out: Vec<Text> = Vec::new();
        for c in decided.get(mark..).unwrap_or(&[]) {
            if !out.contains(&c.setting) {
                out.push(c.setting.clone());
            }
        }
        out
    }

    /// Record that `conditions` decided that the values at `span` of `file` exist (a resource
    /// or `dynamic` block created by a `count` or `for_each` on them).
    fn decide_all(&self, file: FileId, span: Span, conditions: &[Text]) {
        if self.mark() >= MAX_DECIDED {
            return;
        }
        self.decided
            .borrow_mut()
            .extend(conditions.iter().map(|setting| crate::model::Condition {
                file,
                span,
                setting: setting.clone(),
            }));
    }
}

struct World<'f> {
    modules: &'f [Module<'f>],
    /// The modules of the group this world evaluates (see [`groups`]), ascending.
    members: &'f [usize],
    /// The evaluated parts of the group's files, by [`HclFile::slot`] (see [`World::source`]).
    trees: &'f HashMap<usize, Source>,
    insts: Vec<Inst>,
    /// Where each block of instances starts in `insts`, in order (see [`BlockKey`]).
    blocks: Vec<(BlockKey, usize)>,
    sources: &'f [SourceFile],
    /// The data files the configurations decode.
    data: &'f super::data::DataFiles,
    /// Evaluated locals and outputs: (instance, is output, name) → value (`None` while being
    /// evaluated: a cycle is unknown).
    memo: RefCell<HashMap<(usize, bool, String), Option<Memo>>>,
    /// Each module's locals and outputs by name (see [`World::named`]).
    named: RefCell<HashMap<usize, Rc<Named<'f>>>>,
    /// What conditions written elsewhere decided, in evaluation order: the branch a
    /// conditional took, the resources and `dynamic` blocks a `count` or `for_each` on a
    /// condition created (see [`crate::model::Condition`]). A memoized local's are recorded
    /// again at each use ([`World::local`]).
    decided: RefCell<Vec<crate::model::Condition>>,
    /// What module calls' arguments are (secrets, restricted values), for fixes and reporters.
    notes: RefCell<Vec<WrittenNote>>,
    /// Modules a call of an instance names, whether or not it creates any instance (a call
    /// with `count = 0` creates none: its module is not evaluated as a root instead).
    reached: RefCell<HashSet<usize>>,
    /// Parsed expressions by (file, offset).
    parsed: RefCell<HashMap<(FileId, u32), Parsed>>,
    fuel: Cell<u64>,
    /// What is left of [`BUDGET`].
    budget: Cell<u64>,
    depth: Cell<usize>,
    /// Set when [`MAX_DEPTH`] made an expression unknown (see [`Memo`]).
    cut: Cell<bool>,
    /// Set when a traversal fails as Terraform would fail it (a key a known map lacks, an
    /// attribute of null): what `try` and `can` ask.
    failed: Cell<bool>,
    /// Set when a `module.NAME` reference found no instance of the call (see
    /// [`World::refresh_calls`]).
    module_missed: Cell<bool>,
}

impl Module<'_> {
    /// What a value given to variable `var` (a default, a tfvars value, a call's argument)
    /// is, at the place each of its texts is written: a secret when the variable is
    /// `sensitive` (a tfvars file does not say so itself), restricted by its `validation`
    /// blocks (a fix that writes it must pass them).
    fn variable_notes(&self, var: &str, value: &Val) -> Vec<WrittenNote> {
        let secret = self.sensitive.contains(var);
        let checks: Vec<_> = self.validated.iter().filter(|v| v.0 == var).collect();
        let mut notes = Vec::new();
        if !secret && checks.is_empty() {
            return notes;
        }
        value.for_each_text(&mut |t| {
            let at = t.loc.via.as_deref().unwrap_or(&t.loc);
            if secret {
                notes.push(WrittenNote::at(at, Note::Secret));
            }
            for (_, where_, allows) in &checks {
                let note = Note::Restricted {
                    at: (*where_).clone(),
                    what: "variable's validation",
                    allows: (*allows).clone(),
                };
                notes.push(WrittenNote::at(at, note));
            }
        });
        notes
    }
}

/// A local's or an output's value, what conditions decided in it, whether it read a
/// `module.NAME` that had no instance yet (see [`World::refresh_calls`]), and, when
/// [`MAX_DEPTH`] cut its evaluation short, the depth it was read at: read again from a
/// shallower depth (with more of the bound left), it is evaluated again.
type Memo = (Val, Rc<[crate::model::Condition]>, bool, Option<usize>);

/// A module's locals (`false`) and outputs (`true`) by name: the file that defines each and its
/// value.
type Named<'f> = HashMap<(bool, &'f str), (&'f HclFile, Cursor<'f>)>;

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
    /// `each.key`; for a `count` repetition, its index (which keys the instance, as
    /// Terraform's address `x[0]` does).
    key: Val,
    value: Val,
    /// `count.index`, for a `count` repetition.
    index: Option<usize>,
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

mod expressions;
mod functions;
mod instances;

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
                // A list, map or object is not null, whatever its elements are
                // (`var.regions != null ? var.regions : [...]`, `{ for k, v in x : k => v if v
                // != null }`).
                (Val::Null, Val::Known(..) | Val::List(_) | Val::Map(_))
                | (Val::Known(..) | Val::List(_) | Val::Map(_), Val::Null) => false,
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

/// The key of one instance of a resource with `for_each` (`tf:<instance>:<type>.<name>["k"]`).
pub(super) fn instance_key(key: &str, each_key: &str) -> String {
    format!("{key}[{each_key:?}]")
}

/// An expression node's syntax tree: the whole expression at the node's span (the node's own
/// text is shortened when long), or a JSON string's template.
pub(super) fn parse(ctx: &LocCtx<'_>, node: &Node) -> Option<Expr> {
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

/// Where a new attribute would go in a resource or provider block (see
/// [`crate::adapters::terraform::BlockSlot`]): `None` for a block whose `{` is followed on its
/// line by more than a comment, a block of a tree assembled from other files, a template, or a block of a `.tf.json`
/// file (the lines a slot takes are the native syntax's, `name = value`, which are no JSON).
fn block_slot(ctx: &LocCtx<'_>, last_label: &Cursor<'_>, body: &Cursor<'_>) -> Option<BlockSlot> {
    if ctx.sources.is_some() || !ctx.template_actions.is_empty() || is_tf_json(ctx.path) {
        return None;
    }
    let mut slot = slot_after(ctx, last_label.node.span.end as usize, body)?;
    slot.nested = nested_slots(ctx, body);
    Some(slot)
}

/// The slots of the block's own unlabeled blocks (`notification { .. }`), by name, one per
/// block in source order (`None` for a block that cannot take a line: written on one line).
/// A `dynamic` block is not among them: its blocks are generated.
fn nested_slots(ctx: &LocCtx<'_>, body: &Cursor<'_>) -> Vec<(String, Vec<Option<BlockSlot>>)> {
    let mut out = Vec::new();
    for (k, v) in body.entries() {
        let Some(name) = k.node.as_str() else {
            continue;
        };
        if name == "dynamic" || v.node.as_seq().is_none() {
            continue;
        }
        let slots: Vec<Option<BlockSlot>> = v
            .items()
            .map(|item| {
                item.node.as_map()?;
                // A block's span starts at its name (an attribute's list item at its `{`).
                let start = item.node.span.start as usize;
                if !ctx.text.get(start..)?.starts_with(name) {
                    return None;
                }
                slot_after(ctx, start + name.len(), &item)
            })
            .collect();
        if slots.iter().any(Option::is_some) {
            out.push((name.to_string(), slots));
        }
    }
    out
}

/// The slot of a block whose `{` comes after `after` (the end of its name or last label),
/// with only blanks between them.
fn slot_after(ctx: &LocCtx<'_>, after_label: usize, body: &Cursor<'_>) -> Option<BlockSlot> {
    let text = ctx.text;
    let rest = text.get(after_label..)?;
    let brace = after_label + rest.find('{')?;
    // Between the last label and the `{`: only blanks (in Terraform's JSON syntax a `:`).
    if !text.get(after_label..brace)?.trim().is_empty() {
        return None;
    }
    // The `{` ends its line, or only a comment follows it there (`{ # owned by obs`): the new
    // line goes after that line.
    let brace_line = text.get(brace + 1..)?;
    let line_len = brace_line.find('\n').unwrap_or(brace_line.len());
    let line_len = match brace_line.get(..line_len) {
        Some(l) if l.ends_with('\r') => line_len - 1,
        _ => line_len,
    };
    let after_brace = brace_line.get(..line_len)?.trim_start_matches([' ', '\t']);
    let comment_only = after_brace.is_empty()
        || after_brace.starts_with('#')
        || after_brace.starts_with("//")
        || (after_brace.starts_with("/*")
            && after_brace.find("*/").is_some_and(|end| {
                after_brace
                    .get(end + 2..)
                    .is_some_and(|r| r.trim().is_empty())
            })
            && after_brace.matches("/*").count() == 1);
    if !comment_only {
        return None;
    }
    let at = brace + 1 + line_len;
    let inside = text.get(at..)?;
    let eol = if inside.starts_with("\r\n") {
        "\r\n"
    } else if inside.starts_with('\n') {
        "\n"
    } else {
        return None;
    };
    // The indentation of the first line inside that is neither blank nor a comment (a
    // comment may sit at any column).
    let lines = || inside.get(eol.len()..).unwrap_or("").split_inclusive('\n');
    let is_comment = |l: &str| {
        let t = l.trim_start();
        t.starts_with('#') || t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')
    };
    let first_line = lines()
        .find(|l| !l.trim().is_empty() && !is_comment(l))
        .or_else(|| lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("");
    // Whether the line right after the `{` is an attribute (`name = ...`): `terraform fmt`
    // aligns the `=` of consecutive attributes, so a new first line is set apart from it by
    // a blank line (the file stays as `fmt` leaves it).
    let before_attribute = lines().next().is_some_and(|l| {
        let t = l.trim_start();
        let name_len = t
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            .count();
        let after = t
            .get(name_len..)
            .unwrap_or("")
            .trim_start_matches([' ', '\t']);
        name_len > 0 && after.starts_with('=') && !after.starts_with("==")
    });
    let indent: String = first_line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let first = first_line.get(indent.len()..).unwrap_or("");
    let indent = if first.starts_with('}') || first.is_empty() {
        // An empty block: its closing brace's indentation, and two spaces.
        format!("{indent}  ")
    } else {
        indent
    };
    let mut names = Vec::new();
    let mut literals = Vec::new();
    for (k, v) in body.entries() {
        let Some(name) = k.node.as_str() else {
            continue;
        };
        if let Some(value) = v.node.as_str() {
            literals.push((name.to_string(), value.to_string()));
        }
        names.push(name.to_string());
    }
    Some(BlockSlot {
        at: ctx.loc_of(Span::new(at, at), &body.pointer),
        eol,
        indent,
        names,
        literals,
        nested: Vec::new(),
        before_attribute,
    })
}

/// The header of a labeled block (`resource "type" "name"`), from its keyword to its last
/// label.
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
        } else if &*r.ty == REMOTE_STATE && ty == super::super::PROJECT {
            // Another root's output, by its state: the project that output is, if one is.
            r.key.to_string()
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
mod tests;

/// `dir` (absolute) relative to the root of the git repository holding it (the nearest
/// ancestor with a `.git`), or `None` outside one. `known`: each directory's answer so far.
fn within_repository(dir: &Path, known: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let mut root = None;
    let mut climbed = Vec::new();
    for up in dir.ancestors() {
        if let Some(answer) = known.get(up) {
            root = answer.clone();
            break;
        }
        climbed.push(up.to_path_buf());
        if std::fs::symlink_metadata(up.join(".git")).is_ok() {
            root = Some(up.to_path_buf());
            break;
        }
    }
    for up in climbed {
        known.insert(up, root.clone());
    }
    let root = root?;
    dir.strip_prefix(&root).ok().map(Path::to_path_buf)
}
