//! Terraform configurations (`.tf`, `.tfvars`): one module per directory.
//!
//! Two steps, because a module spans files:
//!
//! 1. Per file, in parallel ([`HclFile::new`], called from `app::process`): the parsed tree of
//!    a `.tf` file that holds `mongodbatlas` resources or providers is kept with its text;
//!    from every `.tf` file the literal `default`s of its `variable` blocks, its literal
//!    `locals` and its local `module` calls are extracted; from `terraform.tfvars`,
//!    `*.auto.tfvars` (HCL) and `terraform.tfvars.json`, `*.auto.tfvars.json` (JSON) the
//!    literal assignments. Locations are computed here, where the file's text is at hand.
//! 2. Per directory, once every file is parsed ([`resolve`], called from `app` before project
//!    linking): variables get their value (default, then `terraform.tfvars`, then
//!    `*.auto.tfvars` in name order, as Terraform loads them), and every kept resource becomes
//!    model entities through [`super::build`].
//!
//! What resolves: `var.NAME` (or `"${var.NAME}"`) whose variable has a literal value, and a
//! path into a literal list or object (`var.regions.primary`, `local.cfg["tier"]`, `[0]`),
//! `local.NAME` whose local is a literal, and `project_id = mongodbatlas_project.NAME.id` (a
//! link to that project of the same directory). A module that local `module` blocks call is
//! evaluated once per call, its variables set by the call's arguments (see [`resolve`]).
//! Everything else (other locals, data sources, module outputs, functions, `-var` /
//! `-var-file` values) stays unknown.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::{Read, Resource, Values, build, build_data, follow_path, reference_name, unknown};
use crate::document::{Cursor, LineIndex, Node, Span, Value};
use crate::model::{FileId, Loc, LocCtx, Model, ProjectRef, SourceFile, Text};

mod eval;

pub use eval::resolve;

/// What one HCL file contributes to its module.
#[derive(Debug)]
pub struct HclFile {
    file: FileId,
    /// Load order of a variable-definitions file: `None` for `.tf` files.
    tfvars: Option<TfvarsOrder>,
    /// `variable` defaults (`.tf`) or assignments (`.tfvars`): name → literal value.
    values: Vec<(String, VarValue)>,
    /// Names of the variables this file declares.
    declared: Vec<String>,
    /// `locals` (module-wide; no caller or tfvars file can change them): name → value.
    locals: Vec<(String, VarValue)>,
    /// Module calls (only local ones, `./` or `../`, are followed).
    calls: Vec<Call>,
    /// Whether the file holds what only a root module does here: a `provider "mongodbatlas"`
    /// block, a `mongodbatlas_project` or a `terraform { backend }`.
    root_like: bool,
    /// The file itself, when it holds something this adapter maps.
    source: Option<Source>,
}

#[derive(Debug)]
struct Source {
    text: Arc<str>,
    index: LineIndex,
    root: Node,
}

/// `terraform.tfvars`, then `terraform.tfvars.json`, then `*.auto.tfvars` and
/// `*.auto.tfvars.json` in name order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum TfvarsOrder {
    Terraform,
    TerraformJson,
    Auto(String),
}

/// One `module "name" { source = "./x" ... }` block.
#[derive(Debug)]
struct Call {
    /// `source` as written.
    source: String,
    /// The block's name (`module "db"`), for the instance's keys.
    name: String,
    /// Each argument the call sets, other than the meta-arguments.
    args: Vec<(String, CallArg)>,
}

/// A module call's argument as written in the caller.
#[derive(Debug)]
enum CallArg {
    /// A literal (or literal list/object).
    Value(VarValue),
    /// An expression (`var.region`, `mongodbatlas_project.gov.id`), resolved in the caller.
    Expr(String),
}

/// A variable's literal value.
#[derive(Debug, Clone)]
enum VarValue {
    Literal(Text),
    /// `null`: the attribute is then unset.
    Null,
    /// A literal list or object: its scalar leaves by path (segments joined with
    /// [`PATH_SEP`]), for `var.regions.primary`, `local.cfg["tier"]`, `var.zones[0].name`. A
    /// leaf that is an expression is left out (unknown); a null leaf is `None`.
    Tree(Arc<[(Box<str>, Option<Text>)]>),
    /// Anything else (an expression): known to be set, not to what.
    Other,
}

/// Separates the segments of a [`VarValue::Tree`] path (a byte no HCL key holds).
const PATH_SEP: char = '\u{1f}';

/// Most leaves kept from one literal list or object (a larger one is [`VarValue::Other`]).
const MAX_TREE_LEAVES: usize = 4096;

/// Whether a `.tf` file may matter without naming the provider (it declares variables), or a
/// `.tfvars` file is one Terraform loads by itself.
pub fn wanted_without_needle(path: &Path, text: &str) -> bool {
    match tfvars_order(path) {
        Some(_) => true,
        None => {
            is_tf(path)
                && (text.contains("variable") || text.contains("locals") || text.contains("module"))
        }
    }
}

/// Whether Terraform loads this variable-definitions file by itself (`terraform.tfvars`,
/// `*.auto.tfvars`).
pub fn is_loaded_tfvars(path: &Path) -> bool {
    tfvars_order(path).is_some()
}

/// The `source` of each local `module` call (`./x`, `../x`) of a parsed `.tf` file.
pub fn local_sources(root: &Node) -> Vec<&str> {
    let cur = Cursor::root(root);
    cur.get("module")
        .iter()
        .flat_map(|m| m.entries().collect::<Vec<_>>())
        .filter_map(|(_, body)| body.get("source")?.str())
        .filter(|s| is_local_source(s))
        .collect()
}

pub(crate) fn is_tf(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tf"))
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
    /// Extract what the module step needs from one parsed HCL file. `None` when the file
    /// contributes nothing (a `.tfvars` file Terraform does not load by itself, a `.tf` file
    /// with neither variables, module calls nor `mongodbatlas` resources).
    pub fn new(ctx: &LocCtx<'_>, path: &Path, root: Node, index: LineIndex) -> Option<HclFile> {
        let tfvars = tfvars_order(path);
        let mut file = HclFile {
            file: ctx.file,
            tfvars: tfvars.clone(),
            values: Vec::new(),
            declared: Vec::new(),
            locals: Vec::new(),
            calls: Vec::new(),
            root_like: false,
            source: None,
        };
        let cur = Cursor::root(&root);
        if tfvars.is_some() {
            for (key, value) in cur.entries() {
                if let Some(name) = key.node.as_str() {
                    file.values.push((name.to_string(), var_value(ctx, &value)));
                }
            }
        } else if is_tf(path) {
            for (key, body) in cur.get("variable").iter().flat_map(|v| v.entries()) {
                let Some(name) = key.node.as_str() else {
                    continue;
                };
                file.declared.push(name.to_string());
                if let Some(default) = body.get("default") {
                    file.values
                        .push((name.to_string(), var_value(ctx, &default)));
                }
            }
            for block in cur.get("locals").iter().flat_map(|l| l.items()) {
                for (key, value) in block.entries() {
                    if let Some(name) = key.node.as_str() {
                        file.locals.push((name.to_string(), var_value(ctx, &value)));
                    }
                }
            }
            for (name, body) in cur.get("module").iter().flat_map(|m| m.entries()) {
                let Some(source) = body.get("source").and_then(|s| s.str()) else {
                    continue;
                };
                let args = body
                    .entries()
                    .filter_map(|(k, v)| Some((k.node.as_str()?.to_string(), v)))
                    .filter(|(k, _)| !is_module_meta_argument(k))
                    .map(|(k, v)| {
                        let arg = match v.node.expr_source() {
                            Some(expr) => CallArg::Expr(expr.to_string()),
                            None => CallArg::Value(var_value(ctx, &v)),
                        };
                        (k, arg)
                    })
                    .collect();
                file.calls.push(Call {
                    source: source.to_string(),
                    name: name.node.as_str().unwrap_or("").to_string(),
                    args,
                });
            }
            file.root_like = cur.path(&["provider", super::PROVIDER]).is_some()
                || cur.path(&["resource", super::PROJECT]).is_some()
                || cur
                    .get("terraform")
                    .iter()
                    .flat_map(|t| t.items())
                    .any(|t| t.get("backend").is_some());
            if holds_mapped(&root) {
                file.source = Some(Source {
                    text: Arc::from(ctx.text),
                    index,
                    root,
                });
            }
        } else {
            return None;
        }
        let empty = file.values.is_empty()
            && file.declared.is_empty()
            && file.locals.is_empty()
            && file.calls.is_empty()
            && file.source.is_none();
        (!empty).then_some(file)
    }
}

impl HclFile {
    /// The file's text, when it is kept for the module step (shared, not copied again).
    pub fn shared_text(&self) -> Option<Arc<str>> {
        self.source.as_ref().map(|s| Arc::clone(&s.text))
    }
}

fn is_module_meta_argument(key: &str) -> bool {
    matches!(
        key,
        "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
    )
}

fn var_value(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> VarValue {
    if cur.node.value == Value::Null {
        return VarValue::Null;
    }
    if cur.node.as_map().is_some() || cur.node.as_seq().is_some() {
        return tree(ctx, cur).map_or(VarValue::Other, |leaves| VarValue::Tree(leaves.into()));
    }
    match ctx.text(Some(cur.clone())) {
        Some(text) => VarValue::Literal(text),
        None => VarValue::Other,
    }
}

/// The scalar leaves of a literal list or object, by path; `None` when there are too many.
fn tree(ctx: &LocCtx<'_>, root: &Cursor<'_>) -> Option<Vec<(Box<str>, Option<Text>)>> {
    let mut leaves = Vec::new();
    let mut stack = vec![(root.clone(), String::new())];
    while let Some((cur, path)) = stack.pop() {
        let child = |segment: &str| {
            if path.is_empty() {
                segment.to_string()
            } else {
                format!("{path}{PATH_SEP}{segment}")
            }
        };
        if cur.node.as_map().is_some() {
            for (key, value) in cur.entries() {
                if let Some(k) = key.text() {
                    stack.push((value, child(k)));
                }
            }
        } else if cur.node.as_seq().is_some() {
            for (i, item) in cur.items().enumerate() {
                stack.push((item, child(&i.to_string())));
            }
        } else if cur.node.value == Value::Null {
            leaves.push((path.into(), None));
        } else if let Some(text) = ctx.text(Some(cur)) {
            leaves.push((path.into(), Some(text)));
        }
        if leaves.len() > MAX_TREE_LEAVES {
            return None;
        }
    }
    Some(leaves)
}

/// Whether a tree holds a resource, data source or provider block this adapter maps.
fn holds_mapped(root: &Node) -> bool {
    let has = |block: &str, wanted: &dyn Fn(&str) -> bool| {
        root.get(block)
            .and_then(Node::as_map)
            .is_some_and(|m| m.iter().any(|e| e.key.as_str().is_some_and(wanted)))
    };
    has("resource", &super::is_mapped_type)
        || has("data", &super::is_mapped_data)
        || has("provider", &|p| p == super::PROVIDER)
}

/// What one module's own files give its variables and locals (before any caller's arguments).
struct Scope {
    vars: HashMap<String, VarValue>,
    locals: HashMap<String, VarValue>,
}

/// One evaluation of a module: the module as its own root, or one local call of it.
struct Instance {
    vars: HashMap<String, VarValue>,
    /// Arguments the call sets to references of the caller (`project_id =
    /// mongodbatlas_project.gov.id`): variable name → (expression, the caller's key prefix).
    refs: HashMap<String, (String, String)>,
    /// Key prefix of the instance's resources (`tf:<key>:<type>.<name>`).
    key: String,
}

fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

#[cfg(test)]
mod tests {
    use super::*;
    use eval::{normalize, reference_path};

    #[test]
    fn variable_names() {
        let r = |e| reference_path(e, "var.");
        let sep = |parts: &[&str]| parts.join(&PATH_SEP.to_string());
        assert_eq!(r("var.region"), Some(("region", String::new())));
        assert_eq!(r("\"${var.region}\""), Some(("region", String::new())));
        assert_eq!(r("\"${ var.region }\""), Some(("region", String::new())));
        assert_eq!(r("var.regions[0]"), Some(("regions", "0".to_string())));
        assert_eq!(r("var.r.name"), Some(("r", "name".to_string())));
        assert_eq!(
            r("var.zones[1][\"primary\"].region_name"),
            Some(("zones", sep(&["1", "primary", "region_name"])))
        );
        assert_eq!(r("local.region"), None);
        assert_eq!(r("var.regions[*].name"), None);
        assert_eq!(r("var.regions[var.i]"), None);
        assert_eq!(r("var.m[\"${var.k}\"]"), None);
        assert_eq!(r("var.region == \"x\""), None);
        assert_eq!(r("\"${var.a}-${var.b}\""), None);
        assert_eq!(
            reference_path("local.cfg.tier", "local."),
            Some(("cfg", "tier".to_string()))
        );
    }

    #[test]
    fn normalizes_module_sources() {
        assert_eq!(
            normalize(Path::new("infra/envs/./../modules/db")),
            PathBuf::from("infra/modules/db")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }
}
