//! The module step proper: once every file is parsed, group the fragments by directory, give
//! each module (and each call of it) its variables, and build the resources.

use super::*;

/// The module step: resolve variables per directory and build the model from every kept file.
///
/// A module that local `module` blocks call is evaluated once per call, with the call's
/// arguments as its variables (literals, or the caller's own variables and locals; a
/// reference to a caller's resource, such as its project, links to it), and its resources'
/// keys carry the call, so each instance links to its own project. A module nothing calls is
/// evaluated once, as a root module.
pub fn resolve(files: Vec<HclFile>, sources: &[SourceFile], out: &mut Model) {
    let dir_of = |file: FileId| -> PathBuf {
        sources
            .get(file as usize)
            .and_then(|s| s.path.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    // Variables that a local module call sets, per called directory.
    let mut set_by_caller: HashSet<(PathBuf, String)> = HashSet::new();
    for f in &files {
        for call in f.calls.iter().filter(|c| is_local_source(&c.source)) {
            let target = normalize(&dir_of(f.file).join(&call.source));
            for (arg, _) in &call.args {
                set_by_caller.insert((target.clone(), arg.clone()));
            }
        }
    }
    let mut modules: BTreeMap<PathBuf, Vec<HclFile>> = BTreeMap::new();
    for f in files {
        modules.entry(dir_of(f.file)).or_default().push(f);
    }
    // Each module's own values. A variable some caller sets is left out: a module's value of
    // it depends on the call, and a call that does not set it is not told apart here.
    let mut scopes: HashMap<PathBuf, Scope> = HashMap::new();
    for (dir, files) in &mut modules {
        // Defaults first, then terraform.tfvars, then *.auto.tfvars by name.
        files.sort_by(|a, b| (&a.tfvars, a.file).cmp(&(&b.tfvars, b.file)));
        let declared: HashSet<&str> = files
            .iter()
            .flat_map(|f| f.declared.iter().map(String::as_str))
            .collect();
        let mut vars: HashMap<String, VarValue> = HashMap::new();
        for f in files.iter() {
            for (name, value) in &f.values {
                if declared.contains(name.as_str()) {
                    vars.insert(name.clone(), value.clone());
                }
            }
        }
        let norm = normalize(dir);
        vars.retain(|name, _| !set_by_caller.contains(&(norm.clone(), name.clone())));
        let locals: HashMap<String, VarValue> = files
            .iter()
            .flat_map(|f| f.locals.iter().cloned())
            .collect();
        scopes.insert(norm, Scope { vars, locals });
    }
    // One instance per local call, keyed by the called directory.
    let mut instances: HashMap<PathBuf, Vec<Instance>> = HashMap::new();
    for (dir, files) in &modules {
        let Some(caller) = scopes.get(&normalize(dir)) else {
            continue;
        };
        let caller_key = dir.display().to_string();
        for call in files
            .iter()
            .flat_map(|f| &f.calls)
            .filter(|c| is_local_source(&c.source))
        {
            let target = normalize(&dir.join(&call.source));
            let Some(callee) = scopes.get(&target) else {
                continue;
            };
            let mut vars = callee.vars.clone();
            let mut refs = HashMap::new();
            for (name, arg) in &call.args {
                let value = match arg {
                    CallArg::Value(v) => v.clone(),
                    CallArg::Expr(expr) => lookup(&caller.vars, &caller.locals, expr)
                        .unwrap_or_else(|| {
                            refs.insert(name.clone(), (expr.clone(), caller_key.clone()));
                            VarValue::Other
                        }),
                };
                vars.insert(name.clone(), value);
            }
            let key = format!("{}#{caller_key}/module.{}", target.display(), call.name);
            instances
                .entry(target)
                .or_default()
                .push(Instance { vars, refs, key });
        }
    }
    for (dir, files) in &modules {
        let norm = normalize(dir);
        let Some(scope) = scopes.get(&norm) else {
            continue;
        };
        let list = instances.remove(&norm).unwrap_or_else(|| {
            // A child module by convention (`.../modules/<name>`) whose caller is not in the
            // run (a pre-commit hook or an editor checking one file): its variables are the
            // caller's to set, so their defaults are not taken for values.
            let child = norm
                .components()
                .any(|c| c.as_os_str().eq_ignore_ascii_case("modules"))
                && !files.iter().any(|f| f.root_like);
            vec![Instance {
                vars: if child {
                    HashMap::new()
                } else {
                    scope.vars.clone()
                },
                refs: HashMap::new(),
                key: dir.display().to_string(),
            }]
        });
        for instance in &list {
            for f in files {
                let Some(src) = &f.source else { continue };
                let path = sources
                    .get(f.file as usize)
                    .map_or(Path::new(""), |s| s.path.as_path());
                let ctx = LocCtx::new(f.file, path, &src.text, &src.index);
                let values = HclValues {
                    ctx: &ctx,
                    vars: &instance.vars,
                    locals: &scope.locals,
                    refs: &instance.refs,
                    dir: &instance.key,
                    each: None,
                };
                resources(&values, &src.root, out);
            }
        }
    }
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

/// The header of a labeled block (`resource "type" "name"`), from its keyword to its last
/// label.
fn header(v: &HclValues<'_>, last_label: &Cursor<'_>, body: &Cursor<'_>) -> Loc {
    v.ctx.loc_of(
        Span {
            start: body.node.span.start.min(last_label.node.span.start),
            end: last_label.node.span.end,
        },
        &body.pointer,
    )
}

fn resources(v: &HclValues<'_>, root: &Node, out: &mut Model) {
    let root = Cursor::root(root);
    for (ty, blocks) in root.get("resource").iter().flat_map(|r| r.entries()) {
        let Some(ty) = ty.node.as_str().filter(|t| super::super::is_mapped_type(t)) else {
            continue;
        };
        for (name_key, body) in blocks.entries() {
            let Some(name) = name_key.node.as_str() else {
                continue;
            };
            let anchor = header(v, &name_key, &body);
            let key = v.key(ty, name);
            let resource = |v: &HclValues<'_>, out: &mut Model| {
                build(
                    v,
                    Resource {
                        ty,
                        body: body.clone(),
                        anchor: anchor.clone(),
                        key: key.clone(),
                    },
                    out,
                );
            };
            match for_each_elements(v, &body) {
                // Once per element of a literal `for_each` map (`each.value.size`).
                Some(elements) => {
                    for each in &elements {
                        resource(
                            &HclValues {
                                each: Some(each),
                                ..*v
                            },
                            out,
                        );
                    }
                }
                None => resource(v, out),
            }
        }
    }
    for (ty, blocks) in root.get("data").iter().flat_map(|r| r.entries()) {
        let Some(ty) = ty.node.as_str() else { continue };
        for (name_key, body) in blocks.entries() {
            let project_ref = match v.reference(&body, &["project_id"], super::super::PROJECT) {
                Some(key) => ProjectRef::Key(key.value.to_string()),
                None => super::super::project_ref_of_literal(v.known(body.get("project_id"))),
            };
            build_data(ty, header(v, &name_key, &body), project_ref, out);
        }
    }
    for (name_key, body) in root.get("provider").iter().flat_map(|p| p.entries()) {
        if name_key.node.as_str() != Some(super::super::PROVIDER) {
            continue;
        }
        // A literal `base_url` is the any-file adapter's; one set through a variable
        // (`base_url = var.atlas_base_url`) is reported here, at the attribute, unless the
        // value is itself written under a base URL key (`locals { base_url = ... }`, a tfvars
        // `base_url = ...`), where the any-file adapter already reports it.
        let base_url = v.read(body.get("base_url"));
        let through_variable = matches!(&base_url, Read::Known(url) if url.loc.via.as_ref().is_some_and(|via| {
            !via.pointer.rsplit('/').next().is_some_and(crate::adapters::common::is_url_key)
        }));
        super::super::provider(
            v.read(body.get("is_mongodbgov_cloud")),
            base_url,
            through_variable,
            body.get("secret_name").is_some(),
            header(v, &name_key, &body),
            out,
        );
    }
}

/// One element of a resource's `for_each` over a literal map: `each.key` and the leaves of
/// `each.value` (paths relative to the element; `""` when the element is a scalar).
struct Each {
    key: Text,
    leaves: Vec<(Box<str>, Option<Text>)>,
}

/// Most elements of one `for_each` evaluated one by one (a larger map is unknown).
const MAX_FOR_EACH: usize = 256;

/// The elements of a resource's `for_each` when it is a literal map (written, or a variable or
/// local whose value is one); `None` when there is no `for_each` or it is not known.
fn for_each_elements(v: &HclValues<'_>, body: &Cursor<'_>) -> Option<Vec<Each>> {
    let cur = body.get("for_each")?;
    let value = match cur.node.expr_source() {
        Some(expr) => v.variable(expr)?,
        None => var_value(v.ctx, &cur),
    };
    let VarValue::Tree(leaves) = value else {
        return None;
    };
    // The map's keys, in the order their first leaf comes.
    let mut elements: Vec<Each> = Vec::new();
    for (path, leaf) in leaves.iter() {
        let (key, rest) = path.split_once(PATH_SEP).unwrap_or((path, ""));
        let at = match elements.iter().position(|e| &*e.key.value == key) {
            Some(i) => i,
            None => {
                if elements.len() >= MAX_FOR_EACH {
                    return None;
                }
                // The key is located at the element's first leaf (keys keep no node here).
                let loc = leaf
                    .as_ref()
                    .map_or_else(|| v.ctx.loc(&cur), |t| t.loc.clone());
                elements.push(Each {
                    key: Text {
                        value: key.into(),
                        loc,
                    },
                    leaves: Vec::new(),
                });
                elements.len() - 1
            }
        };
        if let Some(e) = elements.get_mut(at) {
            e.leaves.push((rest.into(), leaf.clone()));
        }
    }
    Some(elements)
}

/// Attribute values of one module's files.
#[derive(Clone, Copy)]
struct HclValues<'a> {
    ctx: &'a LocCtx<'a>,
    vars: &'a HashMap<String, VarValue>,
    locals: &'a HashMap<String, VarValue>,
    /// Variables a module call set to a reference in the caller (see [`Instance::refs`]).
    refs: &'a HashMap<String, (String, String)>,
    /// The `for_each` element the resource being read is built for.
    each: Option<&'a Each>,
    /// The module's directory, for keys.
    dir: &'a str,
}

/// A reference into a variable or local (`var.regions.primary`, `local.cfg["tier"]`,
/// `"${var.zones[0].name}"`): the prefix's name and the path after it (empty for the whole
/// value). `None` for anything else (splats, function calls, interpolation with other text).
pub(super) fn reference_path<'a>(expr: &'a str, prefix: &str) -> Option<(&'a str, String)> {
    let expr = expr.trim();
    let expr = expr
        .strip_prefix("\"${")
        .and_then(|e| e.strip_suffix("}\""))
        .map_or(expr, str::trim);
    let rest = expr.strip_prefix(prefix)?;
    let ident_end = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(s.len())
    };
    let end = ident_end(rest);
    let (name, mut tail) = rest.split_at(end);
    if name.is_empty() {
        return None;
    }
    let mut path = String::new();
    while !tail.is_empty() {
        let segment;
        if let Some(after) = tail.strip_prefix('.') {
            let end = ident_end(after);
            (segment, tail) = after.split_at(end);
        } else if let Some(after) = tail.strip_prefix("[\"") {
            let close = after.find('"')?;
            segment = after.get(..close)?;
            tail = after.get(close + 1..)?.strip_prefix(']')?;
            if segment.contains('\\') || segment.contains("${") {
                return None;
            }
        } else if let Some(after) = tail.strip_prefix('[') {
            let close = after.find(']')?;
            segment = after.get(..close)?.trim();
            tail = after.get(close + 1..)?;
            if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        } else {
            return None;
        }
        if segment.is_empty() {
            return None;
        }
        if !path.is_empty() {
            path.push(PATH_SEP);
        }
        path.push_str(segment);
    }
    Some((name, path))
}

/// The value an expression reads from a variable or local: the whole value, or the leaf a
/// path names in a literal list or object.
fn lookup(
    vars: &HashMap<String, VarValue>,
    locals: &HashMap<String, VarValue>,
    expr: &str,
) -> Option<VarValue> {
    let (value, path) = match reference_path(expr, "var.") {
        Some((name, path)) => (vars.get(name)?, path),
        None => {
            let (name, path) = reference_path(expr, "local.")?;
            (locals.get(name)?, path)
        }
    };
    if path.is_empty() {
        return Some(value.clone());
    }
    let VarValue::Tree(leaves) = value else {
        return Some(VarValue::Other);
    };
    Some(match leaves.iter().find(|(p, _)| **p == *path.as_str()) {
        Some((_, Some(text))) => VarValue::Literal(text.clone()),
        Some((_, None)) => VarValue::Null,
        None => VarValue::Other,
    })
}

impl HclValues<'_> {
    fn variable(&self, expr: &str) -> Option<VarValue> {
        if let (Some(each), Some((name, path))) = (self.each, reference_path(expr, "each.")) {
            return match name {
                "key" if path.is_empty() => Some(VarValue::Literal(each.key.clone())),
                "value" => Some(match each.leaves.iter().find(|(p, _)| **p == *path) {
                    Some((_, Some(text))) => VarValue::Literal(text.clone()),
                    Some((_, None)) => VarValue::Null,
                    None => VarValue::Other,
                }),
                _ => None,
            };
        }
        lookup(self.vars, self.locals, expr)
    }

    fn key(&self, ty: &str, name: &str) -> String {
        format!("tf:{}:{ty}.{name}", self.dir)
    }
}

impl Values for HclValues<'_> {
    fn read(&self, cur: Option<Cursor<'_>>) -> Read {
        let Some(cur) = cur else {
            return Read::Absent;
        };
        let Some(expr) = cur.node.expr_source() else {
            return match self.ctx.text(Some(cur)) {
                Some(t) => Read::Known(t),
                None => Read::Absent,
            };
        };
        let loc = self.ctx.loc(&cur);
        match self.variable(expr) {
            Some(VarValue::Literal(value)) => Read::Known(Text {
                value: value.value.clone(),
                loc: Loc {
                    via: Some(Box::new(value.loc.clone())),
                    ..loc
                },
            }),
            Some(VarValue::Null) => Read::Absent,
            Some(VarValue::Tree(_) | VarValue::Other) | None => Read::Unknown(unknown(loc, expr)),
        }
    }

    fn missing_required(&self, _obj: &Cursor<'_>, _key: &str) -> Option<Text> {
        None
    }

    fn reference(&self, body: &Cursor<'_>, path: &[&str], ty: &str) -> Option<Text> {
        let cur = follow_path(body, path)?;
        let expr = cur.node.expr_source()?;
        let value = match reference_name(expr, ty) {
            Some(name) => self.key(ty, name),
            // `var.project_id`, set by the module's caller to its own resource.
            None => {
                let (name, path) = reference_path(expr, "var.")?;
                let (caller_expr, caller_key) = self.refs.get(name).filter(|_| path.is_empty())?;
                let name = reference_name(caller_expr, ty)?;
                format!("tf:{caller_key}:{ty}.{name}")
            }
        };
        Some(Text {
            value: value.into(),
            loc: self.ctx.loc(&cur),
        })
    }
}
