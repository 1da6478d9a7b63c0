//! Terraform configurations (`.tf`, `.tf.json`, `.tfvars`, `.tfvars.json`): one module per
//! directory.
//!
//! Two steps, because a module spans files:
//!
//! 1. Per file, in parallel ([`HclFile::new`], called from the engine's per-file pass): the
//!    literal `default`s of a file's `variable` blocks and the literal assignments of
//!    `terraform.tfvars`, `*.auto.tfvars` (HCL) and `terraform.tfvars.json`,
//!    `*.auto.tfvars.json` (JSON) are read as values, each scalar located where it is
//!    written; the parts of a configuration file that are evaluated later (`locals`,
//!    `output`, `module` calls, and the `mongodbatlas` resources, data sources and providers)
//!    are kept as a tree with the file's text. A `.tf.json` file (Terraform's JSON syntax,
//!    CDKTF's `cdk.tf.json`) is first given the native syntax's shape
//!    ([`crate::document::tf_json`]), so everything below reads both the same way.
//! 2. Once every file is parsed ([`resolve`]): files are grouped by directory into modules,
//!    each module is instantiated (as a root, or once per call of a local `module` block,
//!    with the call's arguments as its variables), and every kept resource of every instance
//!    is evaluated ([`eval`]) and built into the model.
//!
//! What is evaluated, and what stays unknown, is described in [`eval`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Linking, Read, Resource, Values, build, build_data, follow_path, unknown};
use crate::document::{Cursor, Entry, Limits, LineIndex, Node, Span, Syntax, Value, tf_json};
use crate::model::{Allows, FileId, Loc, LocCtx, Model, SourceFile, Text};

pub mod data;
mod eval;
mod value;

pub use eval::{VAR_FILE_LEVELS, resolve};
use value::Val;

/// What one Terraform file contributes to its module.
#[derive(Debug)]
pub struct HclFile {
    file: FileId,
    /// Load order of a variable-definitions file Terraform loads by itself: `None` for
    /// configuration files and for other `.tfvars` files.
    tfvars: Option<TfvarsOrder>,
    /// A variable-definitions file Terraform loads only when told (`-var-file=env/dev.tfvars`):
    /// its values are judged as one more set of the root module's variables (see
    /// [`eval::resolve`]).
    var_file: bool,
    /// An override file (`override.tf`, `*_override.tf`, and their `.tf.json`): Terraform
    /// loads it after the module's other configuration files and merges its blocks into
    /// theirs (see [`is_override`]).
    overrides: bool,
    /// The data files it decodes (`yamldecode(file("${path.module}/x.yaml"))`), relative to
    /// its directory (see [`data`]).
    reads: Vec<String>,
    /// For a Terragrunt configuration: its `inputs` set the variables of the module it runs.
    terragrunt: Option<Box<Terragrunt>>,
    /// `variable` defaults (configuration files) or assignments (`.tfvars`): name → value.
    values: Vec<(String, Val)>,
    /// Names of the variables this file declares.
    declared: Vec<String>,
    /// Variables this file declares with a `validation` block: name, where the block is, and
    /// which values it lets through.
    validated: Vec<(String, Loc, Allows)>,
    /// Variables this file declares `sensitive = true`.
    sensitive: Vec<String>,
    /// Variables this file declares `nullable = false` (a `null` given takes the default).
    non_nullable: Vec<String>,
    /// Variables whose type constraint fills in `optional(type, default)` attributes.
    optionals: Vec<(String, value::Shape)>,
    /// The `source` of each local module call (`./` or `../`), by call name.
    calls: Vec<(String, String)>,
    /// Whether the file holds what only a root module does here: a `provider "mongodbatlas"`
    /// block, a `mongodbatlas_project` or a `terraform { backend }`.
    root_like: bool,
    /// For a `-var-file` values file: whether its text may be about Atlas (names Atlas or
    /// MongoDB, or an Atlas attribute such as `instance_size`). One that is not (a VPC's CIDR
    /// blocks) is not said to be unread when no module takes it.
    about_atlas: bool,
    /// The parts evaluated later, when the file has any. Taken out when modules are
    /// evaluated, so that each group's trees are freed as soon as it is built (see
    /// [`eval::resolve`]).
    source: Option<Held>,
    /// The file's place among those [`eval::resolve`] is given: the key of its source there.
    slot: usize,
    /// Its `var.NAME` and `local.NAME` references that Terraform uses where this adapter
    /// does not read (see [`Foreign`]).
    foreign: Vec<Foreign>,
}

/// A file's evaluated parts from its reading until its module is evaluated: the tree, or,
/// once the run holds [`HELD_TEXT_BUDGET`] bytes of Terraform as trees, the text alone,
/// parsed again when its module is evaluated (the same text parses to the same tree). A
/// tree is about three times its text, and every file's is held until every file is read:
/// 100,000 files with 12 MB of Terraform held 36 MB of trees at the run's peak.
#[derive(Debug)]
enum Held {
    Tree(Source),
    Text {
        text: Arc<str>,
        index: LineIndex,
        json: bool,
    },
}

/// Bytes of Terraform text whose trees a run holds until its modules are evaluated; past
/// them, a file's tree is parsed again then. 10,000 spec files hold about 1 MB.
const HELD_TEXT_BUDGET: usize = 4 << 20;

/// Bytes of Terraform text held as trees in this run ([`HELD_TEXT_BUDGET`]); set to zero
/// as a run starts ([`start_run`]).
static HELD_TEXT: AtomicUsize = AtomicUsize::new(0);

/// A run starts: no tree is held yet. (Runs that overlap in one process, as the language
/// server's may, share the budget: a tree parsed twice, never a different answer.)
pub fn start_run() {
    HELD_TEXT.store(0, Ordering::Relaxed);
}

/// Whether the run may hold the tree of `bytes` more bytes of Terraform text (counted
/// against [`HELD_TEXT_BUDGET`] when it may).
fn within_budget(bytes: usize) -> bool {
    let held = HELD_TEXT.fetch_add(bytes, Ordering::Relaxed);
    held.saturating_add(bytes) <= HELD_TEXT_BUDGET
}

impl Held {
    /// `root` held when `hold`, else dropped (see [`within_budget`]).
    fn new(
        text: &str,
        index: LineIndex,
        root: Node,
        blocks: tf_json::BlockPointers,
        json: bool,
        hold: bool,
    ) -> Held {
        let text: Arc<str> = Arc::from(text);
        if hold {
            Held::Tree(Source {
                text,
                index,
                root,
                blocks,
            })
        } else {
            Held::Text { text, index, json }
        }
    }

    /// The tree to evaluate: the one held, or the text parsed again as when it was read (with
    /// the run's `limits`).
    fn into_source(self, limits: &Limits) -> Option<Source> {
        match self {
            Held::Tree(source) => Some(source),
            Held::Text { text, index, json } => {
                let syntax = if json { Syntax::Json } else { Syntax::Hcl };
                let root = crate::document::parse(&text, syntax, limits)
                    .ok()?
                    .roots
                    .into_iter()
                    .next()?;
                let (root, blocks) = native(root, json);
                Some(Source {
                    text,
                    index,
                    root: evaluated_parts(root),
                    blocks,
                })
            }
        }
    }
}

/// A configuration file's tree in the native syntax's shape, with where its block bodies are
/// for a `.tf.json` file (see [`Source::blocks`]).
fn native(root: Node, json: bool) -> (Node, tf_json::BlockPointers) {
    if json {
        tf_json::to_native_located(&root)
    } else {
        (root, tf_json::BlockPointers::default())
    }
}

#[derive(Debug)]
struct Source {
    text: Arc<str>,
    index: LineIndex,
    /// The file's tree with only `locals`, `output`, `module`, `import`, and the resources,
    /// data sources and providers this adapter maps.
    root: Node,
    /// Where its block bodies are in the file, for a `.tf.json` file (empty for HCL, whose
    /// tree has the file's own shape).
    blocks: tf_json::BlockPointers,
}

impl Source {
    /// A block body's cursor (reached by walking [`Source::root`]), re-pointed at the body's
    /// own JSON pointer in a `.tf.json` file, so that every location below it has the file's
    /// real pointer (`/locals/tier`, not the native tree's `/locals/0/tier`).
    fn block<'a>(&self, body: Cursor<'a>) -> Cursor<'a> {
        block_in(&self.blocks, body)
    }

    /// Whether a body is one element of an array of bodies under its key (Terraform JSON:
    /// `"mongodbatlas": [{..}, {..}]`): its key is shared, so it is located at its own `{`.
    fn is_element(&self, body: &Cursor<'_>) -> bool {
        self.blocks.get(body.node.span).is_some_and(|b| b.element)
    }
}

fn block_in<'a>(blocks: &tf_json::BlockPointers, body: Cursor<'a>) -> Cursor<'a> {
    match blocks.get(body.node.span) {
        Some(at) => Cursor::at(body.node, &at.pointer),
        None => body,
    }
}

/// A Terragrunt configuration's module (see [`HclFile::terragrunt`]).
#[derive(Debug)]
struct Terragrunt {
    /// The module it runs, relative to its directory ([`terragrunt_source`]); `None` when it
    /// is not a local directory.
    runs: Option<PathBuf>,
    /// Whether the file names Atlas ([`crate::adapters::unread::names_atlas`]): only then is
    /// it said not to be judged when its module is not found.
    names_atlas: bool,
    /// Whether it `include`s another configuration, whose `inputs` Terragrunt merges under
    /// its own: which variables those set, and to what, is not read, so every variable its
    /// own `inputs` do not set is unknown (not its default).
    pub(super) includes: bool,
}

/// `terraform.tfvars`, then `terraform.tfvars.json`, then `*.auto.tfvars` and
/// `*.auto.tfvars.json` in name order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum TfvarsOrder {
    Terraform,
    TerraformJson,
    Auto(String),
}

/// Whether a configuration file may matter without naming the provider (it declares
/// variables, locals, outputs or module calls, or a state backend or remote state), or a
/// `.tfvars` file is one Terraform loads by itself.
pub fn wanted_without_needle(path: &Path, text: &str) -> bool {
    match tfvars_order(path) {
        Some(_) => true,
        None if is_var_file(path) => true,
        None => {
            // `backend`, `organization` (a `cloud` block) and `terraform_remote_state`: the
            // state a root writes and the states it reads (see `eval::state`).
            is_tf(path)
                && [
                    "variable",
                    "locals",
                    "module",
                    "output",
                    "backend",
                    "organization",
                    "terraform_remote_state",
                ]
                .iter()
                .any(|w| text.contains(w))
        }
    }
}

/// Whether a file is a configuration file (`.tf`, `.tf.json`), whose references to variables
/// and locals may be uses ([`HclFile::references_only`]); not a values file.
pub fn may_hold_references(path: &Path) -> bool {
    is_tf(path) && tfvars_order(path).is_none() && !is_var_file(path)
}

/// Whether Terraform loads this variable-definitions file by itself (`terraform.tfvars`,
/// `*.auto.tfvars`).
pub fn is_loaded_tfvars(path: &Path) -> bool {
    tfvars_order(path).is_some()
}

/// Whether a file is a variable-definitions file Terraform loads only when a `-var-file`
/// names it (`env/prod.tfvars`, `staging.tfvars.json`).
/// A Terragrunt configuration's `inputs` are such values too, for the module its
/// `terraform { source }` names ([`terragrunt_source`]).
pub fn is_var_file(path: &Path) -> bool {
    tfvars_order(path).is_none()
        && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.ends_with(".tfvars") || n.ends_with(".tfvars.json") || n == TERRAGRUNT
        })
}

/// Terragrunt's configuration file: its `inputs` set the variables of the module its
/// `terraform { source = "..." }` names, which Terragrunt runs as a root module.
pub const TERRAGRUNT: &str = "terragrunt.hcl";

/// Whether a file is a Terragrunt configuration ([`TERRAGRUNT`]).
pub fn is_terragrunt(path: &Path) -> bool {
    crate::paths::file_name(path).is_some_and(|n| n == TERRAGRUNT)
}

/// The local module a Terragrunt configuration at `path` runs, relative to its directory: its
/// `terraform { source }` when that is a relative path (`../../modules//atlas`, the `//`
/// marking the module's directory inside the source) or one built on the configuration's
/// directory or its repository's root ([`computed_source`]), its own directory when it names no
/// source; `None` for a remote source (`git::`, `tfr://`) or one computed otherwise, which is
/// not read.
pub fn terragrunt_source(root: &Node, path: &Path) -> Option<PathBuf> {
    // A block without labels is a list of its bodies (a file may repeat it). Without a
    // `source`, Terragrunt runs Terraform in the configuration's own directory.
    let Some(terraform) = Cursor::root(root).get("terraform") else {
        return Some(PathBuf::from("."));
    };
    let mut bodies = terraform.items().chain(std::iter::once(terraform.clone()));
    let Some(source) = bodies.find_map(|t| t.get("source")) else {
        return Some(PathBuf::from("."));
    };
    let computed;
    let source = match source.str() {
        Some(source) => source,
        None => {
            computed = computed_source(source.node, path)?;
            computed.as_str()
        }
    };
    let source = source.split('?').next().unwrap_or(source);
    is_local_source(source).then(|| PathBuf::from(source.replace("//", "/")))
}

/// A source written as `"${get_terragrunt_dir()}/…"` (the configuration's directory) or
/// `"${get_repo_root()}/…"` (the root of the git repository holding it), the rest literal:
/// the same place relative to the configuration's directory (`./…`, `../../…`). `None` for
/// any other expression, and for `get_repo_root()` outside a repository.
fn computed_source(node: &Node, path: &Path) -> Option<String> {
    use crate::document::hcl_expr::{self, Expr, Part};
    let written = node.expr_source()?;
    let Some(Expr::Template(parts, _)) = hcl_expr::parse(written, None, node.span) else {
        return None;
    };
    let mut parts = parts.iter();
    let Some(Part::Interp(Expr::Call(function, args, false, _))) = parts.next() else {
        return None;
    };
    let mut rest = String::new();
    for part in parts {
        match part {
            Part::Lit(text) => rest.push_str(text),
            Part::Interp(_) => return None,
        }
    }
    if !args.is_empty() || !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let base = match &**function {
        "get_terragrunt_dir" => ".".to_string(),
        "get_repo_root" => {
            let cwd = std::env::current_dir().ok()?;
            let dir = crate::paths::absolute(path.parent().unwrap_or(Path::new("")), &cwd);
            let root = crate::paths::repository_root(&dir)?;
            let up = crate::paths::relative(&root, &dir);
            if up.as_os_str().is_empty() {
                ".".to_string()
            } else {
                up.to_str()?.to_string()
            }
        }
        _ => return None,
    };
    // `./…` or `../…` (a relative source), also when nothing follows the function.
    Some(format!("{base}/{}", rest.trim_start_matches('/')))
}

/// Whether a file is a configuration file in Terraform's JSON syntax (`*.tf.json`).
pub fn is_tf_json(path: &Path) -> bool {
    crate::paths::file_name(path)
        .and_then(|n| n.to_str())
        .is_some_and(|n| {
            n.len() > 8
                && n.get(n.len() - 8..)
                    .is_some_and(|e| e.eq_ignore_ascii_case(".tf.json"))
        })
}

/// The `source` of each local `module` call (`./x`, `../x`) of a parsed configuration file
/// (native syntax, or JSON given the native shape).
pub fn local_sources(root: &Node) -> Vec<&str> {
    let cur = Cursor::root(root);
    cur.get("module")
        .iter()
        .flat_map(|m| m.entries().collect::<Vec<_>>())
        .filter_map(|(_, body)| body.get("source")?.str())
        .filter(|s| is_local_source(s))
        .collect()
}

/// A configuration file, in either syntax.
pub(crate) fn is_tf(path: &Path) -> bool {
    // The extension `tf`: a name ending `.tf` with something before the dot (a name that is
    // not UTF-8 too).
    is_tf_json(path)
        || crate::paths::file_name(path).is_some_and(|n| {
            let n = n.as_encoded_bytes();
            n.len() > 3
                && n.get(n.len() - 3..)
                    .is_some_and(|e| e.eq_ignore_ascii_case(b".tf"))
        })
}

/// The data files the configuration files of a run decode (see [`data`]): each as an
/// absolute path, and as the run spells the file that reads it (relative to the working
/// directory, or absolute).
pub fn data_wanted(
    files: &[HclFile],
    sources: &[SourceFile],
    cwd: &Path,
) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    for f in files.iter().filter(|f| !f.reads.is_empty()) {
        let Some(dir) = sources.get(f.file as usize).and_then(|s| s.path.parent()) else {
            continue;
        };
        for rel in &f.reads {
            let shown = crate::paths::normalize(&dir.join(rel));
            out.push((crate::paths::absolute(&shown, cwd), shown));
        }
    }
    out
}

/// Whether a configuration file is an override file: `override.tf`, `*_override.tf`, or
/// either in JSON (`override.tf.json`, `*_override.tf.json`). Terraform reads them after the
/// module's other files, in name order; a block in one replaces, argument by argument (a
/// nested block type as a whole), the arguments of the block of the same type and name.
pub(crate) fn is_override(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let stem = if is_tf_json(path) {
        name.get(..name.len() - ".tf.json".len())
    } else if is_tf(path) {
        name.get(..name.len() - ".tf".len())
    } else {
        None
    };
    stem.is_some_and(|s| s == "override" || s.ends_with("_override"))
}

fn tfvars_order(path: &Path) -> Option<TfvarsOrder> {
    let name = path.file_name()?.to_str()?;
    if name == "terraform.tfvars" {
        Some(TfvarsOrder::Terraform)
    } else if name == "terraform.tfvars.json" {
        Some(TfvarsOrder::TerraformJson)
    } else if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") {
        Some(TfvarsOrder::Auto(name.to_string()))
    } else {
        None
    }
}

impl HclFile {
    /// Whether all it holds is [`Foreign`] references (an `aws.tf` beside the Atlas
    /// configuration): a directory of only such files is no module to evaluate.
    fn only_foreign(&self) -> bool {
        self.values.is_empty()
            && self.validated.is_empty()
            && self.sensitive.is_empty()
            && self.declared.is_empty()
            && self.calls.is_empty()
            && self.source.is_none()
            && self.terragrunt.is_none()
            && self.tfvars.is_none()
            && !self.var_file
    }

    /// A configuration file not parsed, for it holds nothing the module step reads (no
    /// `mongodbatlas` block, variable, local, output or module call: an `aws.tf` beside the
    /// Atlas configuration): its `var.` and `local.` references, each a [`Foreign`] use, found
    /// in its text outside comments. `None` when it has none.
    pub fn references_only(ctx: &LocCtx<'_>, path: &Path) -> Option<HclFile> {
        if !may_hold_references(path) {
            return None;
        }
        let text = ctx.text;
        if memchr::memmem::find(text.as_bytes(), b"var.").is_none()
            && memchr::memmem::find(text.as_bytes(), b"local.").is_none()
        {
            return None;
        }
        let mut foreign = Vec::new();
        keep_foreign(
            ctx,
            code_references(text),
            false,
            &mut HashSet::new(),
            &mut foreign,
        );
        if foreign.is_empty() {
            return None;
        }
        Some(HclFile {
            foreign,
            ..HclFile::blank(ctx.file, path)
        })
    }

    /// A configuration file that holds nothing yet.
    fn blank(file: FileId, path: &Path) -> HclFile {
        HclFile {
            file,
            tfvars: None,
            var_file: false,
            overrides: is_override(path),
            reads: Vec::new(),
            terragrunt: None,
            values: Vec::new(),
            declared: Vec::new(),
            validated: Vec::new(),
            sensitive: Vec::new(),
            non_nullable: Vec::new(),
            optionals: Vec::new(),
            calls: Vec::new(),
            root_like: false,
            about_atlas: false,
            source: None,
            slot: 0,
            foreign: Vec::new(),
        }
    }

    /// Extract what the module step needs from one parsed file. `None` when the file
    /// contributes nothing (a configuration file with none of variables, locals, outputs, module calls and
    /// `mongodbatlas` resources).
    pub fn new(ctx: &LocCtx<'_>, path: &Path, root: Node, index: LineIndex) -> Option<HclFile> {
        let tfvars = tfvars_order(path);
        let var_file = is_var_file(path);
        let mut file = HclFile {
            tfvars: tfvars.clone(),
            var_file,
            about_atlas: var_file && may_be_about_atlas(ctx.text),
            ..HclFile::blank(ctx.file, path)
        };
        if is_terragrunt(path) {
            let runs = terragrunt_source(&root, ctx.path);
            // One without `inputs` (a parent configuration that others include), or that runs
            // a module from elsewhere and does not name Atlas (a VPC's, from a registry), gives
            // nothing to judge, nor to say it was not judged.
            let names_atlas = crate::adapters::unread::names_atlas(ctx.text);
            let inputs = Cursor::root(&root).get("inputs").is_some();
            let includes = Cursor::root(&root).get("include").is_some();
            if !(inputs || includes) || (runs.is_none() && !names_atlas) {
                return None;
            }
            file.terragrunt = Some(Box::new(Terragrunt {
                runs,
                names_atlas,
                includes,
            }));
            let cur = Cursor::root(&root);
            let inputs = cur.get("inputs").filter(|i| i.node.as_map().is_some());
            for (key, value) in inputs.iter().flat_map(|i| i.entries()) {
                if let Some(name) = key.node.as_str() {
                    file.values
                        .push((name.to_string(), value::literal(ctx, &value)));
                }
            }
        } else if tfvars.is_some() || var_file {
            let cur = Cursor::root(&root);
            for (key, value) in cur.entries() {
                if let Some(name) = key.node.as_str() {
                    file.values
                        .push((name.to_string(), value::literal(ctx, &value)));
                }
            }
        } else if is_tf(path) {
            let (root, blocks) = native(root, is_tf_json(path));
            let cur = Cursor::root(&root);
            for (key, body) in cur.get("variable").iter().flat_map(|v| v.entries()) {
                let Some(name) = key.node.as_str() else {
                    continue;
                };
                let body = block_in(&blocks, body);
                file.declared.push(name.to_string());
                if body.get("sensitive").is_some_and(|v| v.node.is_true()) {
                    file.sensitive.push(name.to_string());
                }
                if body
                    .get("nullable")
                    .is_some_and(|v| v.node.scalar_text() == Some("false"))
                {
                    file.non_nullable.push(name.to_string());
                }
                if let Some(ty) = body.get("type").filter(|t| t.node.is_expr()) {
                    let shape = eval::parse(ctx, ty.node)
                        .and_then(|e| value::Shape::of(ctx, &ty.pointer, &e));
                    if let Some(shape) = shape {
                        file.optionals.push((name.to_string(), shape));
                    }
                }
                if let Some(validation) = body.get("validation") {
                    let (allows, at) = validation_allows(&validation, name);
                    file.validated
                        .push((name.to_string(), ctx.loc(&at), allows));
                }
                if let Some(default) = body.get("default") {
                    file.values
                        .push((name.to_string(), value::literal(ctx, &default)));
                }
            }
            for (name, body) in cur.get("module").iter().flat_map(|m| m.entries()) {
                if let (Some(name), Some(source)) =
                    (name.node.as_str(), body.get("source").and_then(|s| s.str()))
                {
                    if is_local_source(source) {
                        file.calls.push((name.to_string(), source.to_string()));
                    }
                }
            }
            file.root_like = cur.path(&["provider", super::PROVIDER]).is_some()
                || cur.path(&["resource", super::PROJECT]).is_some()
                || cur
                    .get("terraform")
                    .iter()
                    .flat_map(|t| t.items())
                    .any(|t| t.get("backend").is_some());
            if !is_tf_json(path) && ctx.text.contains("decode") {
                file.reads = data::decoded_paths(ctx.text);
            }
            file.foreign = foreign_refs(ctx, &root);
            let kept = evaluated_parts(root);
            if kept.as_map().is_some_and(|m| !m.is_empty()) {
                file.source = Some(Held::new(
                    ctx.text,
                    index,
                    kept,
                    blocks,
                    is_tf_json(path),
                    within_budget(ctx.text.len()),
                ));
            }
        } else {
            return None;
        }
        let empty = file.values.is_empty()
            && file.validated.is_empty()
            && file.sensitive.is_empty()
            && file.declared.is_empty()
            && file.calls.is_empty()
            && file.foreign.is_empty()
            && file.source.is_none();
        (!empty).then_some(file)
    }
}

/// A variable or local that Terraform uses where this adapter does not read: in a resource,
/// data source or provider it does not map (`aws_ssm_parameter`'s `value = var.dd_region`),
/// in a call of a module it does not read (a registry module), or in an `output` (read by
/// whoever runs `terraform output`, or by another configuration's remote state). A fix of
/// the value written for it changes that use too, so the fix is not safe (see
/// [`crate::model::Note::UsedAt`]).
#[derive(Debug, Clone)]
struct Foreign {
    /// `local.NAME` rather than `var.NAME`.
    local: bool,
    name: Box<str>,
    /// In an `output` block: a use only in a module nothing in the run calls.
    output: bool,
    /// The reference (`var.dd_region`).
    at: Loc,
}

/// Names whose first reference is kept per file, at most (a file of generated resources can
/// use thousands).
const MAX_FOREIGN: usize = 4096;

/// The [`Foreign`] references of a configuration file's tree (in the native syntax's shape).
fn foreign_refs(ctx: &LocCtx<'_>, root: &Node) -> Vec<Foreign> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let Some(entries) = root.as_map() else {
        return found;
    };
    for entry in entries {
        let (labeled, output): (Vec<&Node>, bool) = match entry.key.as_str() {
            Some("resource") => (unmapped(&entry.value, &super::is_mapped_type), false),
            Some("data") => (
                unmapped(&entry.value, &|t| {
                    super::is_mapped_data(t) || t == eval::REMOTE_STATE
                }),
                false,
            ),
            Some("provider") => (unmapped(&entry.value, &|p| p == super::PROVIDER), false),
            Some("output") => (vec![&entry.value], true),
            // A call of a module this adapter does not read: its arguments go where it cannot
            // see.
            Some("module") => (
                entry
                    .value
                    .as_map()
                    .into_iter()
                    .flatten()
                    .map(|call| &call.value)
                    .filter(|call| {
                        !Cursor::root(call)
                            .get("source")
                            .and_then(|s| s.str())
                            .is_some_and(is_local_source)
                    })
                    .collect(),
                false,
            ),
            _ => continue,
        };
        let mut refs = Vec::new();
        for node in labeled {
            references_in(ctx.text, node, 0, &mut refs);
        }
        keep_foreign(ctx, refs, output, &mut seen, &mut found);
    }
    found
}

/// The values under a `resource`, `data` or `provider` entry whose type (its first label) is
/// not `mapped`.
fn unmapped<'a>(value: &'a Node, mapped: &dyn Fn(&str) -> bool) -> Vec<&'a Node> {
    value
        .as_map()
        .into_iter()
        .flatten()
        .filter(|e| e.key.as_str().is_some_and(|t| !mapped(t)))
        .map(|e| &e.value)
        .collect()
}

/// The `var.` and `local.` references in the expressions below `node`: offset in the file,
/// whether a local, name.
fn references_in<'t>(
    text: &'t str,
    node: &Node,
    depth: usize,
    out: &mut Vec<(usize, bool, &'t str)>,
) {
    if depth > 64 {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                references_in(text, &e.value, depth + 1, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                references_in(text, item, depth + 1, out);
            }
        }
        _ if node.is_expr() || node.is_template() => {
            let from = node.span.start as usize;
            if let Some(expr) = text.get(from..node.span.end as usize) {
                out.extend(
                    references(expr)
                        .into_iter()
                        .map(|(at, local, name)| (from + at, local, name)),
                );
            }
        }
        _ => {}
    }
}

/// `refs` (offsets in the file, whether a local, names) as [`Foreign`] uses in `out`: the
/// first of each name (enough to say the value is used there; `seen` holds the names kept),
/// up to [`MAX_FOREIGN`].
fn keep_foreign<'t>(
    ctx: &LocCtx<'_>,
    refs: Vec<(usize, bool, &'t str)>,
    output: bool,
    seen: &mut HashSet<(bool, bool, &'t str)>,
    out: &mut Vec<Foreign>,
) {
    for (at, local, name) in refs {
        if out.len() >= MAX_FOREIGN {
            return;
        }
        if !seen.insert((local, output, name)) {
            continue;
        }
        let prefix = if local { "local." } else { "var." };
        out.push(Foreign {
            local,
            name: name.into(),
            output,
            at: ctx.loc_of(Span::new(at, at + prefix.len() + name.len()), ""),
        });
    }
}

/// The references of `text` ([`references`]) that are not in its comments (found by the
/// lexer that checks a file's brackets before it is parsed).
fn code_references(text: &str) -> Vec<(usize, bool, &str)> {
    let comments = crate::document::hcl_balance::comments(text);
    references(text)
        .into_iter()
        .filter(|(at, _, _)| {
            // The last comment that starts at or before it.
            let k = comments.partition_point(|c| c.start <= *at);
            !k.checked_sub(1)
                .and_then(|k| comments.get(k))
                .is_some_and(|c| c.contains(at))
        })
        .collect()
}

/// Each `var.NAME` and `local.NAME` in an expression's text: its offset, whether it is a
/// local, and the name.
fn references(text: &str) -> Vec<(usize, bool, &str)> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut found = Vec::new();
    for (prefix, local) in [("var.", false), ("local.", true)] {
        for (at, _) in text.match_indices(prefix) {
            // Not the end of a longer name or traversal (`myvar.x`, `a.var.x`).
            let before = at.checked_sub(1).and_then(|i| bytes.get(i)).copied();
            if before.is_some_and(|b| ident(b) || b == b'.') {
                continue;
            }
            let from = at + prefix.len();
            let len = bytes
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| ident(b))
                .count();
            let starts_well = bytes
                .get(from)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
            if let (true, Some(name)) = (starts_well, text.get(from..from + len)) {
                found.push((at, local, name));
            }
        }
    }
    found.sort_by_key(|(at, _, _)| *at);
    found
}

/// The parts of a file's tree evaluated later: `locals`, `output`, `module`, the `terraform`
/// block (its state backend), and the resources, data sources (and `terraform_remote_state`)
/// and providers this adapter maps (the rest is dropped, so that a repository's other
/// Terraform costs no memory).
fn evaluated_parts(root: Node) -> Node {
    let span = root.span;
    let Value::Map(entries) = root.value else {
        return Node::new(Value::Map(Vec::new()), span);
    };
    let keep_labeled = |value: Node, wanted: &dyn Fn(&str) -> bool| -> Option<Node> {
        let span = value.span;
        let Value::Map(types) = value.value else {
            return None;
        };
        let kept: Vec<Entry> = types
            .into_iter()
            .filter(|e| e.key.as_str().is_some_and(wanted))
            .collect();
        (!kept.is_empty()).then(|| Node::new(Value::Map(kept), span))
    };
    let mut kept = Vec::new();
    for entry in entries {
        let value = match entry.key.as_str() {
            // `import`: which resources exist already (an adopted project keeps its region
            // usage, written or not).
            Some("locals" | "output" | "module" | "import" | "terraform") => Some(entry.value),
            Some("resource") => keep_labeled(entry.value, &super::is_mapped_type),
            Some("data") => keep_labeled(entry.value, &|t| {
                super::is_mapped_data(t) || t == eval::REMOTE_STATE
            }),
            Some("provider") => keep_labeled(entry.value, &|p| p == super::PROVIDER),
            _ => None,
        };
        if let Some(value) = value {
            kept.push(Entry {
                key: entry.key,
                value,
            });
        }
    }
    Node::new(Value::Map(kept), span)
}

/// What the `validation` blocks of variable `name` let through: the literal list of
/// `contains(["US", "EU"], var.name)` (every block's, when there are several), else unknown;
/// and where to point: the first block whose condition is not read, else the first block.
fn validation_allows<'a>(validation: &Cursor<'a>, name: &str) -> (Allows, Cursor<'a>) {
    let blocks: Vec<Cursor<'_>> = match validation.node.as_seq() {
        Some(_) => validation.items().collect(),
        None => vec![validation.clone()],
    };
    let mut allowed: Option<Vec<String>> = None;
    for block in blocks {
        let Some(list) = block
            .get("condition")
            .and_then(|c| c.node.expr_source().map(str::to_string))
            .and_then(|c| contains_list(&c, name))
        else {
            // The block whose condition is not read is the one that may refuse a value.
            return (Allows::Unknown, block);
        };
        allowed = Some(match allowed {
            None => list,
            Some(before) => before.into_iter().filter(|v| list.contains(v)).collect(),
        });
    }
    (
        allowed.map_or(Allows::Unknown, Allows::OneOf),
        validation.clone(),
    )
}

/// The strings of `contains(["a", "b"], var.name)`, when the condition is exactly that.
fn contains_list(condition: &str, name: &str) -> Option<Vec<String>> {
    let inner = condition
        .trim()
        .strip_prefix("contains(")?
        .strip_suffix(')')?
        .trim()
        .strip_prefix('[')?;
    let (list, rest) = inner.split_once(']')?;
    let rest = rest.trim().strip_prefix(',')?.trim();
    if rest != format!("var.{name}") {
        return None;
    }
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let v = item.strip_prefix('"')?.strip_suffix('"')?;
            (!v.contains(['"', '\\', '$', '%'])).then(|| v.to_string())
        })
        .collect()
}

fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// A path with `.` and `name/..` removed, without touching the file system.
pub(super) fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// Whether a values file's text may set an Atlas module's variables: it names Atlas, MongoDB,
/// a cluster or tier, an attribute of Atlas's resources a variable is often named after, or
/// holds an Atlas-looking value (`"M10"`, `"US_GOV_WEST_1"`, `"EU_WEST_1"`).
fn may_be_about_atlas(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let named = [
        "atlas",
        "mongo",
        "cluster",
        "tier",
        "instance_size",
        "provider_name",
        "region_usage",
        "datadog",
    ]
    .iter()
    .any(|w| lower.contains(w));
    // A quoted tier (`"M10"`, `"R40"`) or a region in Atlas's spelling (`"US_EAST_1"`).
    let atlas_value = text.split('"').skip(1).step_by(2).any(|v| {
        let tier = v.len() >= 2
            && v.starts_with(['M', 'R'])
            && v.get(1..)
                .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
        let region = v.contains('_')
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && v.bytes()
                .last()
                .is_some_and(|b| b.is_ascii_digit() || v.ends_with("_AW"));
        tier || region
    });
    named || atlas_value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past the run's budget, a file's tree is dropped and parsed again when its module is
    /// evaluated: the same tree, with the same block pointers, as the one held (HCL and
    /// Terraform JSON, whose pointers are rebuilt).
    #[test]
    fn a_tree_parsed_again_is_the_tree_held() {
        let hcl = "locals {\n  tier = \"M30\"\n}\nresource \"mongodbatlas_advanced_cluster\" \"c\" {\n  project_id = mongodbatlas_project.p.id\n  name = \"c-${local.tier}\"\n}\nresource \"aws_vpc\" \"v\" {}\n";
        let json = r#"{"locals": {"tier": "M30"}, "provider": {"mongodbatlas": [{"public_key": "a"}, {"alias": "b"}]}, "resource": [{"mongodbatlas_project": {"gov": {"name": "p"}}}]}"#;
        let limits = Limits::default();
        for (text, json) in [(hcl, false), (json, true)] {
            let syntax = if json { Syntax::Json } else { Syntax::Hcl };
            let held = |hold: bool| {
                let root = crate::document::parse(text, syntax, &limits)
                    .unwrap()
                    .roots
                    .remove(0);
                let (root, blocks) = native(root, json);
                let root = evaluated_parts(root);
                Held::new(text, LineIndex::new(text), root, blocks, json, hold)
            };
            let (kept, dropped) = (held(true), held(false));
            assert!(matches!(kept, Held::Tree(_)), "{text}");
            assert!(matches!(dropped, Held::Text { .. }), "{text}");
            let (kept, again) = (
                kept.into_source(&limits).unwrap(),
                dropped.into_source(&limits).unwrap(),
            );
            assert!(Cursor::root(&kept.root).get("locals").is_some(), "{text}");
            assert_eq!(kept.root, again.root, "{text}");
            assert_eq!(kept.blocks, again.blocks, "{text}");
            assert_eq!(kept.text, again.text);
        }
    }

    #[test]
    fn variable_and_local_references_outside_comments() {
        let text = "value = \"${var.a}-${lower(local.b_c)}\" # var.in_comment\nx = myvar.no + a.var.no + var.1no + var.d-e // local.no\n/* var.no\n local.no */ y = var.f\n";
        let found: Vec<(bool, &str)> = code_references(text)
            .into_iter()
            .map(|(_, local, name)| (local, name))
            .collect();
        assert_eq!(
            found,
            [(false, "a"), (true, "b_c"), (false, "d-e"), (false, "f")]
        );
        // A `#` or `//` inside a string is no comment.
        let text = "url = \"https://x/#/${var.g}\"\nz = \"//\" == var.h\n";
        let kept: Vec<&str> = code_references(text)
            .into_iter()
            .map(|(_, _, name)| name)
            .collect();
        assert_eq!(kept, ["g", "h"]);
        // Nor in a heredoc, or in a string of an interpolation; a `/*` in a string opens no
        // comment; a comment inside an interpolation is one.
        let text = "a = \"s3:::b/*\"\nb = <<-EOT\n  curl https://x/${var.i} # ${var.j}\n  EOT\nc = \"${format(\"https://%s\", var.k)}\"\nd = \"${join(\"#\", [\"a\"])}${var.l}\" # var.no\ne = \"$${var.not_a_reference}${var.m}\"\nf = \"a\\\\\" # var.no\ng = var.n\n";
        let kept: Vec<&str> = code_references(text)
            .into_iter()
            .map(|(_, _, name)| name)
            .collect();
        assert_eq!(kept, ["i", "j", "k", "l", "not_a_reference", "m", "n"]);
    }

    #[test]
    fn foreign_uses_are_those_of_blocks_not_read() {
        let text = "resource \"mongodbatlas_project\" \"p\" {\n  name = var.mapped\n}\nresource \"aws_ssm_parameter\" \"s\" {\n  value = var.aws\n}\ndata \"aws_region\" \"r\" {\n  name = local.data\n}\nprovider \"aws\" {\n  region = var.provider\n}\noutput \"o\" {\n  value = var.out\n}\nmodule \"local\" {\n  source = \"./m\"\n  x      = var.local_module\n}\nmodule \"registry\" {\n  source = \"org/name/aws\"\n  x      = var.registry\n}\n";
        let root = crate::document::parse(text, Syntax::Hcl, &Limits::default())
            .unwrap()
            .roots
            .remove(0);
        let index = LineIndex::new(text);
        let ctx = LocCtx::new(0, Path::new("main.tf"), text, &index);
        let found: Vec<(String, bool, u32)> = foreign_refs(&ctx, &root)
            .into_iter()
            .map(|f| (f.name.to_string(), f.output, f.at.start.line))
            .collect();
        let want = [
            ("aws", false, 5),
            ("data", false, 8),
            ("provider", false, 11),
            ("out", true, 14),
            ("registry", false, 22),
        ];
        assert_eq!(found, want.map(|(n, o, l)| (n.to_string(), o, l)).to_vec());
    }

    #[test]
    fn normalizes_module_sources() {
        assert_eq!(
            normalize(Path::new("infra/envs/./../modules/db")),
            PathBuf::from("infra/modules/db")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }

    #[test]
    fn configuration_file_names() {
        assert!(is_tf(Path::new("a/main.tf")));
        assert!(is_tf(Path::new("cdktf.out/stacks/app/cdk.tf.json")));
        assert!(is_tf_json(Path::new("MAIN.TF.JSON")));
        assert!(!is_tf(Path::new("a/terraform.tfvars.json")));
        assert!(!is_tf_json(Path::new(".tf.json")));
        for name in [
            "override.tf",
            "ci_override.tf",
            "a/b_override.tf.json",
            "override.tf.json",
        ] {
            assert!(is_override(Path::new(name)), "{name}");
        }
        for name in [
            "overrides.tf",
            "override.tfvars",
            "my-override.tf",
            "override_x.tf",
        ] {
            assert!(!is_override(Path::new(name)), "{name}");
        }
        assert!(!is_tf(Path::new("plan.json")));
    }
}
