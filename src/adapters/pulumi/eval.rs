//! Evaluating a Pulumi YAML program for one stack: its config, variables and resources.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::{PulumiFile, Role};
use crate::adapters::terraform::{self, Read, Resource, Values, follow_path};
use crate::document::{Cursor, Entry, Node, Span, Value};
use crate::model::{
    Field, FileId, Loc, LocCtx, Model, Note, ProjectRef, SourceFile, Text, WrittenNote,
    intern_value,
};

/// The provider's resource type prefix (`mongodbatlas:...`).
const PACKAGE: &str = "mongodbatlas:";
/// An explicit provider resource of the package.
const PROVIDER_TYPE: &str = "pulumi:providers:mongodbatlas";

/// How deep `${...}` references are followed (a variable naming a variable ...).
const MAX_HOPS: usize = 8;

pub(super) fn resolve(
    kept: Vec<PulumiFile>,
    files: &[SourceFile],
    cwd: &Path,
    out: &mut Model,
) -> Vec<(PathBuf, String)> {
    let mut unread = Vec::new();
    let mut dirs: BTreeMap<PathBuf, Vec<PulumiFile>> = BTreeMap::new();
    // By absolute path: a run mixes paths as given (`/repo/infra/src/db.ts`, from an editor)
    // with context files' (`infra/Pulumi.yaml`, relative to the working directory).
    for file in kept {
        let dir = files
            .get(file.file as usize)
            .and_then(|f| f.path.parent())
            .map(|d| crate::paths::absolute(d, cwd))
            .unwrap_or_default();
        dirs.entry(dir).or_default().push(file);
    }
    // Files a project reads: its program and its stacks (in its directory, or where its
    // `main` and `stackConfigDir` say).
    let mut read: HashSet<FileId> = HashSet::new();
    for (dir, group) in &dirs {
        let Some(project) = group.iter().find(|f| f.role == Role::Project) else {
            continue;
        };
        let project_root = Cursor::root(&project.root);
        let (main_dir, stack_dir) = super::program_dirs(dir, &project.root);
        let in_dir = |d: &PathBuf| dirs.get(d).map_or(&[][..], Vec::as_slice);
        let runtime = super::runtime(&project.root);
        if !matches!(runtime, Some("yaml" | "nodejs" | "python")) {
            let runtime = project_root
                .get("runtime")
                .and_then(|r| r.str().or_else(|| r.get("name")?.str()).map(str::to_string))
                .unwrap_or_else(|| "an unnamed runtime".to_string());
            let others = in_dir(&stack_dir)
                .iter()
                .filter(|f| matches!(f.role, Role::Stack(_)))
                .chain(in_dir(&main_dir).iter().filter(|f| f.role == Role::Main));
            for f in std::iter::once(project).chain(others) {
                read.insert(f.file);
                if !f.text.contains("mongodbatlas:") {
                    continue;
                }
                if let Some(file) = files.get(f.file as usize) {
                    unread.push((
                        file.path.clone(),
                        format!(
                            "sets `mongodbatlas:` configuration of a Pulumi program in {runtime}, whose code atlasgov-lint does not read, so nothing in it was checked"
                        ),
                    ));
                }
            }
            continue;
        }
        // A YAML program: Pulumi reads `Main.yaml` (in the `main` directory) instead of the
        // project file when there is one. A Node.js or Python program: every module in its
        // language of the `main` directory and below it (but in another project's) that uses
        // the provider.
        let yaml = in_dir(&main_dir)
            .iter()
            .find(|f| f.role == Role::Main)
            .unwrap_or(project);
        let extensions: &[&str] = match runtime {
            Some("nodejs") => super::JS_EXTENSIONS,
            Some("python") => super::PY_EXTENSIONS,
            _ => &[],
        };
        let in_language = |f: &&PulumiFile| {
            let path = files.get(f.file as usize).map(|s| s.path.as_path());
            let ext = path.and_then(Path::extension).and_then(|e| e.to_str());
            ext.is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
        };
        // A directory below `main` belongs to this project unless a project nearer to it
        // (another `Pulumi.yaml` between) holds it.
        let nearer_project = |d: &Path| {
            d.ancestors()
                .take_while(|a| *a != main_dir.as_path() && a.starts_with(&main_dir))
                .any(|a| {
                    dirs.get(a)
                        .is_some_and(|g| g.iter().any(|f| f.role == Role::Project))
                })
        };
        let modules: Vec<&PulumiFile> = if !extensions.is_empty() {
            dirs.iter()
                .filter(|(d, _)| d.starts_with(&main_dir) && !nearer_project(d))
                .flat_map(|(_, group)| group.iter().filter(|f| f.role == Role::Code))
                .filter(in_language)
                .collect()
        } else {
            Vec::new()
        };
        let name = project_root.get("name").and_then(|n| n.str()).unwrap_or("");
        let trees: Vec<(Node, &PulumiFile)> = modules
            .iter()
            .filter_map(|f| Some((super::code::program(&f.root, name)?, *f)))
            .collect();
        let mut stacks: Vec<(&str, &PulumiFile)> = in_dir(&stack_dir)
            .iter()
            .filter_map(|f| match &f.role {
                Role::Stack(s) => Some((s.as_str(), f)),
                _ => None,
            })
            .collect();
        stacks.sort_by(|a, b| a.0.cmp(b.0));
        read.insert(project.file);
        read.extend(stacks.iter().map(|(_, f)| f.file));
        let programs: Vec<(&Node, &PulumiFile)> = if runtime == Some("yaml") {
            vec![(&yaml.root, yaml)]
        } else {
            trees.iter().map(|(tree, f)| (tree, *f)).collect()
        };
        read.extend(modules.iter().map(|f| f.file));
        for (tree, program) in programs {
            read.insert(program.file);
            let (Some(program_ctx), Some(project_ctx)) = (program.ctx(files), project.ctx(files))
            else {
                continue;
            };
            let base = Base {
                dir,
                project_name: name,
                program: Cursor::root(tree),
                program_ctx,
                project: project_root.clone(),
                project_ctx,
                code: program.role == Role::Code,
            };
            if stacks.is_empty() {
                base.evaluate(None, out);
            }
            for (stack, file) in &stacks {
                if let Some(ctx) = file.ctx(files) {
                    base.evaluate(Some((stack, Cursor::root(&file.root), ctx)), out);
                }
            }
        }
    }
    // A program or stack file that names the provider and that no project in the run reads
    // (its `Pulumi.yaml` is elsewhere, or points its `main` or `stackConfigDir` elsewhere).
    for f in dirs.values().flatten() {
        if read.contains(&f.file) || !f.text.contains("mongodbatlas") {
            continue;
        }
        // A module that only mentions the package (in a comment, a string) is no program's.
        if f.role == Role::Code && !super::code::imports_package(&f.root) {
            continue;
        }
        let what = match f.role {
            Role::Main => "a Pulumi YAML program (Main.yaml)",
            Role::Stack(_) => "a Pulumi stack settings file",
            Role::Code => "a module of a Pulumi program's code",
            Role::Project => continue,
        };
        if let Some(file) = files.get(f.file as usize) {
            unread.push((
                file.path.clone(),
                format!(
                    "names `mongodbatlas` in {what} that no Pulumi project read in this run reads (its `Pulumi.yaml` was not read, or points its `main` or `stackConfigDir` elsewhere), so nothing in it was checked"
                ),
            ));
        }
    }
    unread
}

/// What every stack of one program shares.
struct Base<'a> {
    dir: &'a Path,
    project_name: &'a str,
    program: Cursor<'a>,
    program_ctx: LocCtx<'a>,
    project: Cursor<'a>,
    project_ctx: LocCtx<'a>,
    /// A module of a program's code (not YAML): no fix inserts YAML in it.
    code: bool,
}

/// A value a name stands for: where it is written, and in which file.
#[derive(Clone)]
struct Bound<'a> {
    cur: Cursor<'a>,
    ctx: LocCtx<'a>,
}

/// One program evaluated for one stack.
struct Program<'a> {
    ctx: LocCtx<'a>,
    /// A module of a program's code: its mappings are object literals, where a fix cannot
    /// insert an entry as in YAML.
    code: bool,
    /// The key prefix of this program's resources for this stack.
    key_prefix: String,
    /// Resource name → Terraform type (or the provider type).
    resources: HashMap<&'a str, String>,
    variables: HashMap<&'a str, Cursor<'a>>,
    /// Config key (without the project's namespace) → its value for this stack.
    config: HashMap<String, Bound<'a>>,
}

impl<'a> Base<'a> {
    fn evaluate(&self, stack: Option<(&str, Cursor<'a>, LocCtx<'a>)>, out: &mut Model) {
        let stack_name = stack.as_ref().map_or("", |s| s.0);
        let mut config: HashMap<String, Bound<'a>> = HashMap::new();
        // Keys declared `secret: true`: their values are secrets wherever they are written.
        let mut secret_keys: Vec<String> = Vec::new();
        // Defaults and values declared by the program (and by the project file, for every
        // language), then the stack's values, which win.
        for (root, ctx) in [
            (&self.project, self.project_ctx),
            (&self.program, self.program_ctx),
        ] {
            for section in ["configuration", "config"] {
                for (key, decl) in root.get(section).iter().flat_map(|c| c.entries()) {
                    let Some(k) = key.text() else { continue };
                    let secret = decl.get("secret").is_some_and(|v| v.node.is_true());
                    let value = if decl.node.as_map().is_some() {
                        decl.get("value").or_else(|| decl.get("default"))
                    } else {
                        Some(decl)
                    };
                    let k = k
                        .strip_prefix(&format!("{}:", self.project_name))
                        .unwrap_or(k);
                    if secret {
                        secret_keys.push(k.to_string());
                    }
                    if let Some(cur) = value {
                        config.insert(k.to_string(), Bound { cur, ctx });
                    }
                }
            }
        }
        // The first `mongodbatlas:` key of the stack (where a finding about them points).
        let mut first_setting: Option<Loc> = None;
        let mut esc = false;
        if let Some((_, root, ctx)) = &stack {
            esc = root.get("environment").is_some();
            for (key, value) in root.get("config").iter().flat_map(|c| c.entries()) {
                let Some(k) = key.text() else { continue };
                let bound = Bound {
                    cur: value,
                    ctx: *ctx,
                };
                if k.starts_with(PACKAGE) {
                    first_setting.get_or_insert_with(|| ctx.loc(&key));
                }
                let k = k
                    .strip_prefix(&format!("{}:", self.project_name))
                    .unwrap_or(k);
                config.insert(k.to_string(), bound);
            }
        }
        for key in &secret_keys {
            if let Some(b) = config.get(key) {
                out.written_notes
                    .push(WrittenNote::at(&b.ctx.loc(&b.cur), Note::Secret));
            }
        }
        let mut program = Program {
            ctx: self.program_ctx,
            code: self.code,
            // A module of a program's code keys its resources by its own names (two modules
            // may each have a `project`).
            key_prefix: if self.code {
                format!(
                    "pulumi:{}:{stack_name}:{}:",
                    self.dir.display(),
                    self.program_ctx.path.display()
                )
            } else {
                format!("pulumi:{}:{stack_name}:", self.dir.display())
            },
            resources: HashMap::new(),
            variables: HashMap::new(),
            config,
        };
        for (name, value) in self
            .program
            .get("variables")
            .iter()
            .flat_map(|v| v.entries())
        {
            if let Some(n) = name.node.as_str() {
                program.variables.insert(n, value);
            }
        }
        let resources: Vec<(Cursor<'a>, Cursor<'a>)> = self
            .program
            .get("resources")
            .map(|r| r.entries().collect())
            .unwrap_or_default();
        for (name, decl) in &resources {
            let (Some(n), Some(ty)) = (name.node.as_str(), decl.get("type").and_then(|t| t.str()))
            else {
                continue;
            };
            if ty == PROVIDER_TYPE {
                program.resources.insert(n, PROVIDER_TYPE.to_string());
            } else if let Some(tf) = terraform_type(ty) {
                program.resources.insert(n, tf);
            }
        }
        let mut uses_default_provider = false;
        for (name, decl) in &resources {
            let Some(n) = name.node.as_str() else {
                continue;
            };
            let Some(ty) = program.resources.get(n).cloned() else {
                continue;
            };
            // `get:` reads an existing resource: nothing is created.
            if decl.get("get").is_some() {
                continue;
            }
            uses_default_provider |=
                ty != PROVIDER_TYPE && decl.path(&["options", "provider"]).is_none();
            program.resource(n, &ty, name, decl, out);
        }
        program.invocations(out);
        program.interpolated_uses(&self.program, out);
        // The default provider's settings in the stack (`mongodbatlas:isMongodbgovCloud`).
        if uses_default_provider && !esc {
            if let Some(first) = first_setting {
                // The stack's value, else the project file's (`config:` there sets every
                // stack's default).
                let setting = |key: &str| program.config.get(key).cloned();
                let read = |b: Option<Bound<'a>>| match b {
                    None => Read::Absent,
                    Some(b) => match b.cur.text() {
                        Some(v) => Read::Known(Text {
                            value: intern_value(v),
                            loc: b.ctx.loc(&b.cur),
                        }),
                        None => Read::Unknown(terraform::unknown(b.ctx.loc(&b.cur), "secure")),
                    },
                };
                let before = out.endpoints.len();
                terraform::provider(
                    read(setting("mongodbatlas:isMongodbgovCloud")),
                    read(setting("mongodbatlas:baseUrl")),
                    true,
                    setting("mongodbatlas:secretName").is_some(),
                    first,
                    terraform::FlagEdit::Switch,
                    out,
                );
                for e in out.endpoints.iter_mut().skip(before) {
                    e.context =
                        "Pulumi stack config of mongodbatlas without isMongodbgovCloud: true";
                    if let Some((_, message)) = &mut e.switch {
                        *message = "set mongodbatlas:isMongodbgovCloud: true";
                    }
                }
            }
        }
    }
}

/// The Terraform type of a `mongodbatlas` resource token: `mongodbatlas:Name`,
/// `mongodbatlas:index:Name` or `mongodbatlas:index/name:Name` (Pulumi YAML resolves the
/// first two to the last, `pulumi-yaml` `pkg/pulumiyaml/README.md`).
pub(super) fn terraform_type(token: &str) -> Option<String> {
    let rest = token.strip_prefix(PACKAGE)?;
    let name = rest.rsplit(':').next()?;
    if let Some(module) = rest.strip_suffix(name).and_then(|m| m.strip_suffix(':')) {
        let module = module.split('/').next().unwrap_or(module);
        if !module.is_empty() && module != "index" {
            return None;
        }
    }
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    // The bridge's explicit renames (`provider/resources.go`).
    let snake = match name {
        "PrivateLinkEndpoint" => "privatelink_endpoint".to_string(),
        "PrivateLinkEndpointService" => "privatelink_endpoint_service".to_string(),
        _ => snake_case(name),
    };
    Some(format!("mongodbatlas_{snake}"))
}

/// `camelCase` or `PascalCase` to `snake_case`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A property's Terraform name: snake_case, except where the bridge pluralised a list
/// (`bridge-metadata.json` `renamedProperties`).
fn property_name(name: &str) -> String {
    // camelCase in YAML, TypeScript and JavaScript; snake_case in Python.
    match name {
        "regionsConfigs" | "regions_configs" => "regions_config".to_string(),
        "notifications" => "notification".to_string(),
        "matchers" => "matcher".to_string(),
        "awsConfigs" | "aws_configs" => "aws_config".to_string(),
        "azureConfigs" | "azure_configs" => "azure_config".to_string(),
        "deliveryUrls" | "delivery_urls" => "delivery_url".to_string(),
        _ if name.starts_with("fn::") => name.to_string(),
        _ => snake_case(name),
    }
}

/// A copy of a property tree with Terraform names, spans kept; `pointers` gets the original
/// (camelCase) pointer of every node by span. Recursion is bounded by the parser's depth
/// limit.
fn renamed(node: &Node, pointer: &str, pointers: &mut HashMap<Span, String>) -> Node {
    pointers.insert(node.span, pointer.to_string());
    let value = match &node.value {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|e| {
                    let name = e.key.scalar_text().unwrap_or("");
                    let mut child = pointer.to_string();
                    crate::document::push_pointer(&mut child, name);
                    pointers.insert(e.key.span, child.clone());
                    let mut key = e.key.clone();
                    if e.key.as_str().is_some() {
                        key.value = Value::String(property_name(name).into());
                    }
                    Entry {
                        key,
                        value: renamed(&e.value, &child, pointers),
                    }
                })
                .collect(),
        ),
        Value::Seq(items) => Value::Seq(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mut child = pointer.to_string();
                    crate::document::push_pointer(&mut child, &i.to_string());
                    renamed(item, &child, pointers)
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        value,
        span: node.span,
        tag: node.tag.clone(),
    }
}

/// The single `${...}` a string is, when it is nothing else (`$${` is an escape).
fn sole_interpolation(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${")?.strip_suffix('}')?;
    (!inner.contains("${") && !inner.contains('}')).then_some(inner.trim())
}

/// Whether a string holds an interpolation (`${`, not the `$${` escape).
fn has_interpolation(s: &str) -> bool {
    s.match_indices("${")
        .any(|(i, _)| i == 0 || s.as_bytes().get(i - 1) != Some(&b'$'))
}

/// A reference `name.a[0]["b"]`: the name and the path after it.
fn split_reference(expr: &str) -> (&str, Vec<String>) {
    let end = expr.find(['.', '[']).unwrap_or(expr.len());
    let (name, mut rest) = expr.split_at(end);
    let mut path = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            path.push(r.get(..end).unwrap_or("").to_string());
            rest = r.get(end..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(close) = r.find(']') else { break };
            let inner = r.get(..close).unwrap_or("");
            path.push(inner.trim_matches(['"', '\'']).to_string());
            rest = r.get(close + 1..).unwrap_or("");
        } else {
            break;
        }
    }
    (name, path)
}

impl<'a> Program<'a> {
    /// Whether the resource is written in a Python program (its names are snake_case).
    fn python(&self) -> bool {
        self.code
            && self
                .ctx
                .path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("py"))
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.key_prefix)
    }

    /// One resource of the program.
    fn resource(&self, name: &str, ty: &str, key: &Cursor<'a>, decl: &Cursor<'a>, out: &mut Model) {
        let mut pointers = HashMap::new();
        let properties = decl.get("properties");
        let base = format!(
            "/resources/{}/properties",
            name.replace('~', "~0").replace('/', "~1")
        );
        let tree = match &properties {
            Some(p) => renamed(p.node, &base, &mut pointers),
            None => Node::new(Value::Map(Vec::new()), decl.node.span),
        };
        let values = ResourceValues {
            program: self,
            pointers: &pointers,
        };
        let anchor = self.ctx.loc(key);
        let body = Cursor::root(&tree);
        if ty == PROVIDER_TYPE {
            let before = out.endpoints.len();
            // In YAML the any-file adapter reports a literal commercial base URL wherever it is
            // written; a program's code is read by this step only.
            terraform::provider(
                values.read(body.get("is_mongodbgov_cloud")),
                values.read(body.get("base_url")),
                self.code,
                body.get("secret_name").is_some(),
                anchor,
                terraform::FlagEdit::Switch,
                out,
            );
            // Named and written as the program's language writes it (Python:
            // `is_mongodbgov_cloud=False`).
            let python = self.python();
            for e in out.endpoints.iter_mut().skip(before) {
                e.context = if python {
                    "Pulumi provider mongodbatlas without is_mongodbgov_cloud=True"
                } else {
                    "Pulumi provider mongodbatlas without isMongodbgovCloud: true"
                };
                if let Some((switch, message)) = &mut e.switch {
                    *message = if python {
                        "set is_mongodbgov_cloud=True"
                    } else {
                        "set isMongodbgovCloud: true"
                    };
                    let span = switch.loc.span;
                    let written = self.ctx.text.get(span.start as usize..span.end as usize);
                    if python && written == Some("False") {
                        switch.expected = "False".into();
                        switch.text = "True".to_string();
                    }
                }
            }
            return;
        }
        let projects = out.projects.len();
        let (integrations, alerts) = (out.integrations.len(), out.alert_configs.len());
        terraform::build(
            &values,
            Resource {
                ty,
                body,
                anchor,
                key: self.key(name),
                slot: None,
            },
            out,
        );
        // Named as the program's language writes it (Python: `region_usage_restrictions=`).
        let field = if self.python() {
            "region_usage_restrictions"
        } else {
            "regionUsageRestrictions"
        };
        for p in out.projects.iter_mut().skip(projects) {
            p.region_usage_field = field;
        }
        let Some(properties) = properties.filter(|_| !self.code) else {
            return;
        };
        let properties = &properties;
        // A project that leaves its region usage out: `regionUsageRestrictions` can go first
        // in its properties (every stack gets the same program).
        for p in out.projects.iter_mut().skip(projects) {
            if p.region_usage.is_none() && properties.get("regionUsageRestrictions").is_none() {
                p.region_usage_slot = crate::adapters::common::entry_slot(
                    &self.ctx,
                    properties,
                    "regionUsageRestrictions",
                    "GOV_REGIONS_ONLY",
                );
            }
        }
        for i in out.integrations.iter_mut().skip(integrations) {
            if i.region.is_none() {
                i.region_slot = self.region_slot(properties, &i.kind, "type", "region");
            }
        }
        let notifications: Vec<Cursor<'a>> = properties
            .get("notifications")
            .map(|n| n.items().collect())
            .unwrap_or_default();
        for a in out.alert_configs.iter_mut().skip(alerts) {
            for n in &mut a.notifications {
                let Some(type_name) = n.type_name.as_ref().filter(|_| n.datadog_region.is_none())
                else {
                    continue;
                };
                n.region_slot = notifications.iter().find_map(|item| {
                    self.region_slot(item, type_name, "typeName", "datadogRegion")
                });
            }
        }
    }

    /// Where `region: US1_FED` (`datadogRegion: US1_FED`) would go in a mapping of the
    /// program (a resource's `properties`, one of its `notifications`) that leaves it out:
    /// only where the mapping's own `kind_key` is `kind`, written there as a plain string
    /// (not `${...}`: every stack of the program then has this type).
    fn region_slot(
        &self,
        map: &Cursor<'a>,
        kind: &Text,
        kind_key: &str,
        region_key: &str,
    ) -> Option<crate::model::Switch> {
        let written = map.get(kind_key)?;
        let literal = written.node.as_str().is_some_and(|s| !s.contains('$'));
        if !literal
            || written.node.span != kind.loc.span
            || kind.loc.via.is_some()
            || kind.loc.file != self.ctx.file
            || map.get(region_key).is_some()
        {
            return None;
        }
        crate::adapters::common::entry_slot(&self.ctx, map, region_key, "US1_FED")
    }

    /// Data sources called with `fn::invoke` in the program's variables.
    fn invocations(&self, out: &mut Model) {
        for variable in self.variables.values() {
            let Some(invoke) = variable.get("fn::invoke") else {
                continue;
            };
            let Some(function) = invoke.get("function") else {
                continue;
            };
            let Some(token) = function.str() else {
                continue;
            };
            // `mongodbatlas:getFlexSnapshots` and its long forms: the data source
            // `mongodbatlas_flex_snapshots`.
            let Some(name) = token
                .strip_prefix(PACKAGE)
                .and_then(|r| r.rsplit(':').next())
                .and_then(|n| n.strip_prefix("get"))
            else {
                continue;
            };
            let ty = format!("mongodbatlas_{}", snake_case(name));
            let project = invoke
                .path(&["arguments", "projectId"])
                .and_then(|p| p.str().map(str::to_string));
            let project_ref = match project.as_deref() {
                Some(id) if crate::model::link::is_object_id(id) => {
                    ProjectRef::Id(Box::new(Field {
                        value: intern_value(id),
                        loc: self.ctx.loc(&function),
                    }))
                }
                _ => ProjectRef::Unknown,
            };
            terraform::build_data(&ty, self.ctx.loc(&function), project_ref, out);
        }
    }

    /// Every config value or variable a string of the program interpolates (`name:
    /// orders-${site}`, an item of `fn::join`, a variable's definition): a use of where that
    /// value is written, for fixes of that value (see [`Note::UsedAt`]). Walked with an
    /// explicit stack.
    fn interpolated_uses(&self, program: &Cursor<'a>, out: &mut Model) {
        let mut stack: Vec<Cursor<'a>> = ["resources", "variables", "outputs"]
            .iter()
            .filter_map(|k| program.get(k))
            .collect();
        while let Some(cur) = stack.pop() {
            if let Some(s) = cur.str() {
                // Every interpolation, a whole value's too: one that is a property's value
                // where a fix is wanted is told apart by where it is (see `rules::fix`).
                if !has_interpolation(s) {
                    continue;
                }
                for (i, _) in s.match_indices("${") {
                    if i > 0 && s.as_bytes().get(i - 1) == Some(&b'$') {
                        continue;
                    }
                    let Some(expr) = s.get(i + 2..).and_then(|r| r.split('}').next()) else {
                        continue;
                    };
                    if let Some((_, set_at)) = self.lookup(expr.trim(), 0) {
                        let used = Note::UsedAt(self.ctx.loc(&cur));
                        out.written_notes.push(WrittenNote::at(&set_at, used));
                    }
                }
                continue;
            }
            stack.extend(cur.items());
            stack.extend(cur.entries().map(|(_, v)| v));
        }
    }

    /// The value a `${...}` expression stands for: a config value or a variable holding a
    /// literal (with where it was set); `Unknown` for resources' outputs and anything else.
    fn lookup(&self, expr: &str, hops: usize) -> Option<(Text, Loc)> {
        if hops > MAX_HOPS {
            return None;
        }
        let (name, path) = split_reference(expr);
        let (cur, ctx) = if let Some(bound) = self.config.get(name) {
            (bound.cur.clone(), bound.ctx)
        } else if let Some(var) = self.variables.get(name) {
            (var.clone(), self.ctx)
        } else {
            return None;
        };
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        let cur = follow_path(&cur, &keys)?;
        // Secrets (`secure:`), calls and containers are no literal value.
        if let Some(s) = cur.str() {
            if let Some(inner) = sole_interpolation(s) {
                return self.lookup(inner, hops + 1);
            }
            if has_interpolation(s) {
                return None;
            }
        }
        let value = cur.text()?;
        Some((
            Text {
                value: intern_value(&value.replace("$${", "${")),
                loc: ctx.loc(&cur),
            },
            ctx.loc(&cur),
        ))
    }
}

/// How the builders read one resource's (renamed) properties.
struct ResourceValues<'p, 'a> {
    program: &'p Program<'a>,
    pointers: &'p HashMap<Span, String>,
}

impl ResourceValues<'_, '_> {
    fn loc(&self, span: Span) -> Loc {
        let pointer = self.pointers.get(&span).map_or("", String::as_str);
        self.program.ctx.loc_of(span, pointer)
    }
}

impl Values for ResourceValues<'_, '_> {
    fn read(&self, cur: Option<Cursor<'_>>) -> Read {
        let Some(cur) = cur else { return Read::Absent };
        let loc = self.loc(cur.node.span);
        match &cur.node.value {
            Value::Null => Read::Absent,
            Value::String(s) => {
                if let Some(expr) = sole_interpolation(s) {
                    return match self.program.lookup(expr, 0) {
                        Some((text, set_at)) => Read::Known(Text {
                            value: text.value,
                            loc: Loc {
                                via: Some(Box::new(set_at)),
                                ..loc
                            },
                        }),
                        None => Read::Unknown(terraform::unknown(loc, expr)),
                    };
                }
                if has_interpolation(s) {
                    return Read::Unknown(terraform::unknown(loc, s));
                }
                Read::Known(Text {
                    value: intern_value(&s.replace("$${", "${")),
                    loc,
                })
            }
            Value::Number(_) | Value::Bool(_) => match cur.text() {
                Some(t) => Read::Known(Text {
                    value: intern_value(t),
                    loc,
                }),
                None => Read::Absent,
            },
            // `fn::` calls, and containers where a scalar goes.
            Value::Map(_) | Value::Seq(_) => Read::Unknown(terraform::unknown(loc, "...")),
        }
    }

    /// A property the provider requires but the program leaves out is absent (Pulumi would
    /// refuse the program).
    fn missing_required(&self, _obj: &Cursor<'_>, _key: &str) -> Option<Text> {
        None
    }

    /// `projectId: ${gov.id}` where `gov` is a resource of type `ty` (`containerId:
    /// ${c.containerId}` for a network container).
    fn reference(&self, body: &Cursor<'_>, path: &[&str], ty: &str) -> Option<Text> {
        let cur = follow_path(body, path)?;
        let expr = sole_interpolation(cur.node.as_str()?)?;
        let (name, tail) = split_reference(expr);
        let attribute_ok = match tail.as_slice() {
            [] => true,
            [a] => a == "id" || a == "containerId",
            _ => false,
        };
        if !attribute_ok || self.program.resources.get(name).map(String::as_str) != Some(ty) {
            return None;
        }
        Some(Text {
            value: self.program.key(name).into(),
            loc: self.loc(cur.node.span),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_names() {
        for token in [
            "mongodbatlas:AdvancedCluster",
            "mongodbatlas:index:AdvancedCluster",
            "mongodbatlas:index/advancedCluster:AdvancedCluster",
        ] {
            assert_eq!(
                terraform_type(token).as_deref(),
                Some("mongodbatlas_advanced_cluster"),
                "{token}"
            );
        }
        assert_eq!(
            terraform_type("mongodbatlas:index/privateLinkEndpoint:PrivateLinkEndpoint").as_deref(),
            Some("mongodbatlas_privatelink_endpoint")
        );
        assert_eq!(terraform_type("aws:s3:Bucket"), None);
        assert_eq!(terraform_type("mongodbatlas:other:Thing"), None);
        assert_eq!(terraform_type("mongodbatlas:getProject"), None);
        assert_eq!(
            property_name("mongoDbMajorVersion"),
            "mongo_db_major_version"
        );
        assert_eq!(property_name("regionsConfigs"), "regions_config");
        assert_eq!(property_name("diskSizeGb"), "disk_size_gb");
        assert_eq!(split_reference("a.b[0][\"c\"]").1, vec!["b", "0", "c"]);
        assert_eq!(sole_interpolation("${ tier }"), Some("tier"));
        assert_eq!(sole_interpolation("M${n}"), None);
        assert!(!has_interpolation("a $${b}"));
        assert!(has_interpolation("a ${b}"));
    }
}
