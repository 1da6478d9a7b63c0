//! `terraform show -json` output: plans (`planned_values`) and state (`values`).
//!
//! Managed resources are read from `planned_values.root_module` (a plan) or
//! `values.root_module` (state) and their `child_modules`, recursively; never from
//! `resource_changes` or `prior_state`, so each value is reported once. Values unknown at plan
//! time are absent from `values`; references to other resources (a cluster's `project_id`, a
//! peering's `container_id`, a restore job's target project) are then found through the
//! configuration: `configuration.root_module[.module_calls.NAME.module]*.resources[]
//! .expressions.ATTR.references`, following `var.X` up through the calling module's
//! `expressions.X`. Data sources and `provider_config` are read from `configuration` (each
//! block once).

use std::collections::HashMap;

use super::{
    Linking, Read, Resource, Values, build, build_data, follow_path, is_mapped_data, is_mapped_type,
};
use crate::document::Cursor;
use crate::model::{Loc, LocCtx, Model, ProjectRef, Text};

/// Deepest module nesting followed (Terraform itself has no limit; real trees are shallow).
const MAX_MODULE_DEPTH: usize = 32;

/// The part of a plan or state document that holds each value once (`planned_values` of a
/// plan, `values` of state), or `None` when `root` is not `terraform show -json` output.
pub fn values_root<'a>(root: &Cursor<'a>) -> Option<Cursor<'a>> {
    root.get("format_version")?;
    root.get("planned_values").or_else(|| {
        root.get("values")
            .filter(|v| v.get("root_module").is_some())
    })
}

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    let Some(module) = values_root(root).and_then(|v| v.get("root_module")) else {
        return;
    };
    let config = root.path(&["configuration", "root_module"]);
    let mut scopes = vec![Scope {
        prefix: String::new(),
        config: config.clone(),
        call: None,
    }];
    let linking = Linking::default();
    walk(ctx, &module, &mut scopes, &linking, out);
    linking.finish(out);
    if let Some(config) = &config {
        data_sources(ctx, config, 0, out);
    }
    if let Some(providers) = root.path(&["configuration", "provider_config"]) {
        provider_configs(ctx, root, &providers, out);
    }
}

/// One module level: its address prefix without instance keys (`module.db.`), its
/// configuration, and the name it is called by in its parent.
#[derive(Clone)]
struct Scope<'a> {
    prefix: String,
    config: Option<Cursor<'a>>,
    call: Option<String>,
}

fn walk<'a>(
    ctx: &LocCtx<'_>,
    module: &Cursor<'a>,
    scopes: &mut Vec<Scope<'a>>,
    linking: &Linking,
    out: &mut Model,
) {
    // The configuration's resources of this module by address (the first of an address, as
    // a search would find it): looked up for each planned resource, thousands in a plan.
    let mut configured: HashMap<&str, Cursor<'a>> = HashMap::new();
    let config_resources = scopes
        .last()
        .and_then(|s| s.config.as_ref())
        .and_then(|c| c.get("resources"));
    for r in config_resources.iter().flat_map(|rs| rs.items()) {
        if let Some(address) = r.get("address").and_then(|a| a.str()) {
            configured.entry(address).or_insert(r);
        }
    }
    for res in module.get("resources").iter().flat_map(|r| r.items()) {
        if res.get("mode").and_then(|m| m.str()) != Some("managed") {
            continue;
        }
        let Some(ty) = res.get("type").and_then(|t| t.str()) else {
            continue;
        };
        let (Some(name), Some(body)) = (res.get("name").and_then(|n| n.str()), res.get("values"))
        else {
            continue;
        };
        if !is_mapped_type(ty) || body.node.as_map().is_none() {
            continue;
        }
        let anchor = res
            .get("address")
            .map_or_else(|| ctx.loc(&res), |a| ctx.loc(&a));
        let address = format!("{ty}.{name}");
        let config = configured.get(address.as_str()).cloned();
        let values = PlanValues {
            ctx,
            scopes,
            config: config.clone(),
            anchor: anchor.clone(),
            linking,
        };
        let projects_before = out.projects.len();
        // One instance of a resource with `for_each` is keyed by its key, as references name
        // it (`mongodbatlas_project.env["gov"]`).
        let base = key(ctx, scopes_prefix(scopes), ty, name);
        let key = match res.get("index").and_then(|i| i.str()) {
            Some(index) => instance_key(&base, index),
            None => base,
        };
        let resource = Resource {
            ty,
            body,
            anchor,
            key,
            slot: None,
        };
        linking.resource(&values, &resource);
        build(&values, resource, out);
        // A region usage that is configured but unknown until apply is absent from the planned
        // values: it is not "unset".
        let configured = config
            .as_ref()
            .and_then(|c| c.path(&["expressions", "region_usage_restrictions"]))
            .is_some();
        for project in out.projects.iter_mut().skip(projects_before) {
            if project.region_usage.is_none() && configured {
                project.region_usage = Some(super::unknown(
                    project.origin.body.clone(),
                    "(known after apply) region_usage_restrictions",
                ));
            }
        }
    }
    if scopes.len() >= MAX_MODULE_DEPTH {
        return;
    }
    let parent_address = module
        .get("address")
        .and_then(|a| a.str())
        .unwrap_or_default()
        .to_string();
    for child in module.get("child_modules").iter().flat_map(|c| c.items()) {
        let Some(call) = child
            .get("address")
            .and_then(|a| a.str())
            .and_then(|a| call_name(&parent_address, a))
        else {
            continue;
        };
        let config = scopes
            .last()
            .and_then(|s| s.config.as_ref())
            .and_then(|c| c.path(&["module_calls", call, "module"]));
        let prefix = format!("{}module.{call}.", scopes_prefix(scopes));
        scopes.push(Scope {
            prefix,
            config,
            call: Some(call.to_string()),
        });
        walk(ctx, &child, scopes, linking, out);
        scopes.pop();
    }
}

/// Data sources whose use is a finding, from the configuration (each block once).
fn data_sources(ctx: &LocCtx<'_>, module: &Cursor<'_>, depth: usize, out: &mut Model) {
    for res in module.get("resources").iter().flat_map(|r| r.items()) {
        if res.get("mode").and_then(|m| m.str()) != Some("data") {
            continue;
        }
        let Some(ty) = res.get("type").and_then(|t| t.str()) else {
            continue;
        };
        if !is_mapped_data(ty) {
            continue;
        }
        let anchor = res
            .get("address")
            .map_or_else(|| ctx.loc(&res), |a| ctx.loc(&a));
        build_data(ty, anchor, ProjectRef::Unknown, out);
    }
    if depth >= MAX_MODULE_DEPTH {
        return;
    }
    for (_, call) in module.get("module_calls").iter().flat_map(|m| m.entries()) {
        if let Some(child) = call.get("module") {
            data_sources(ctx, &child, depth + 1, out);
        }
    }
}

/// `configuration.provider_config`: every `mongodbatlas` provider configuration.
fn provider_configs(ctx: &LocCtx<'_>, root: &Cursor<'_>, providers: &Cursor<'_>, out: &mut Model) {
    for (key, config) in providers.entries() {
        if config.get("name").and_then(|n| n.str()) != Some(super::PROVIDER) {
            continue;
        }
        // Root-module variables are resolved in the plan's `variables`.
        let in_root = key.node.as_str().is_some_and(|k| !k.contains(':'));
        let read = |attr: &str| -> Read {
            let Some(expr) = config.path(&["expressions", attr]) else {
                return Read::Absent;
            };
            if let Some(value) = expr.get("constant_value") {
                return match ctx.text(Some(value)) {
                    Some(t) => Read::Known(t),
                    None => Read::Absent,
                };
            }
            let refs: Vec<&str> = expr
                .get("references")
                .iter()
                .flat_map(|r| r.items())
                .filter_map(|r| r.str())
                .collect();
            if let ([only], true) = (refs.as_slice(), in_root) {
                if let Some(var) = only.strip_prefix("var.") {
                    if let Some(value) = root.path(&["variables", var, "value"]) {
                        if let Some(mut t) = ctx.text(Some(value)) {
                            t.loc = Loc {
                                via: Some(Box::new(t.loc.clone())),
                                ..ctx.loc(&expr)
                            };
                            return Read::Known(t);
                        }
                    }
                }
            }
            Read::Unknown(super::unknown(ctx.loc(&expr), attr))
        };
        super::provider(
            read("is_mongodbgov_cloud"),
            read("base_url"),
            true,
            config.path(&["expressions", "secret_name"]).is_some(),
            ctx.loc(&key),
            super::FlagEdit::None,
            out,
        );
    }
}

fn scopes_prefix<'s>(scopes: &'s [Scope<'_>]) -> &'s str {
    scopes.last().map_or("", |s| s.prefix.as_str())
}

/// The call name of a child module address relative to its parent's:
/// `module.a["x"].module.b[0]` under `module.a["x"]` is `b`.
fn call_name<'a>(parent: &str, child: &'a str) -> Option<&'a str> {
    let rest = if parent.is_empty() {
        child
    } else {
        child.strip_prefix(parent)?.strip_prefix('.')?
    };
    let rest = rest.strip_prefix("module.")?;
    let end = rest.find('[').unwrap_or(rest.len());
    let name = rest.get(..end)?;
    (!name.is_empty() && !name.contains('.')).then_some(name)
}

fn key(ctx: &LocCtx<'_>, prefix: &str, ty: &str, name: &str) -> String {
    format!("tf:plan:{}:{prefix}{ty}.{name}", ctx.path.display())
}

/// The key of one instance of a resource with `for_each` (the same form as a configuration's).
fn instance_key(key: &str, index: &str) -> String {
    format!("{key}[{index:?}]")
}

/// The `for_each` key a reference names (`x.y["gov"].id`), when it is a plain string.
fn reference_index(reference: &str) -> Option<&str> {
    let open = reference.find("[\"")?;
    let rest = reference.get(open + 2..)?;
    let close = rest.find("\"]")?;
    let index = rest.get(..close)?;
    (!index.contains(['\\', '"'])).then_some(index)
}

/// A reference `TYPE.NAME[.ATTR]` (an index after the name is allowed) to a managed
/// resource: its type, name and first attribute.
fn resource_ref(reference: &str) -> Option<(&str, &str, Option<&str>)> {
    let (ty, rest) = reference.split_once('.')?;
    if matches!(
        ty,
        "var" | "local" | "module" | "data" | "each" | "count" | "path" | "self" | "terraform"
    ) {
        return None;
    }
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let (name, mut tail) = rest.split_at(end);
    if tail.starts_with('[') {
        tail = tail.get(tail.find(']')? + 1..)?;
    }
    let attr = match tail.strip_prefix('.') {
        Some(a) => Some(a.split(['.', '[']).next()?),
        None if tail.is_empty() => None,
        None => return None,
    };
    (!name.is_empty()).then_some((ty, name, attr))
}

/// A reference `module.NAME[.OUTPUT]`: the call's name and the output.
fn module_output(reference: &str) -> Option<(&str, Option<&str>)> {
    let rest = reference.strip_prefix("module.")?;
    let (name, output) = match rest.split_once('.') {
        Some((n, o)) => (n, o.split(['.', '[']).next()),
        None => (rest, None),
    };
    Some((name.split('[').next()?, output))
}

/// Resolve a `references` list to the key of a resource of type `ty`: all references name the
/// same resource; or, for a project, another resource whose `project_id` is taken (its key,
/// which then stands for that resource's project); or a module's output (`module.x.out`,
/// followed into the output's own references); or the only reference is `var.X` and the
/// calling module passes X such a reference. Anything else (locals, data sources, several
/// resources) is not followed.
fn follow(
    ctx: &LocCtx<'_>,
    scopes: &[Scope<'_>],
    refs: &Cursor<'_>,
    ty: &str,
    depth: usize,
    linking: &Linking,
) -> Option<String> {
    if depth > MAX_MODULE_DEPTH {
        return None;
    }
    let refs: Vec<&str> = refs.items().filter_map(|r| r.str()).collect();
    // One resource, named by every reference.
    let mut target = None;
    for r in &refs {
        match resource_ref(r) {
            Some((t, name, attr)) if target.is_none_or(|(tt, n, _)| tt == t && n == name) => {
                let attr = attr.or(target.and_then(|(_, _, a)| a));
                target = Some((t, name, attr));
            }
            _ => {
                target = None;
                break;
            }
        }
    }
    if let Some((t, name, attr)) = target {
        let key = key(ctx, scopes_prefix(scopes), t, name);
        // `x.y["gov"].id` (listed with `x.y["gov"]` and `x.y`): that instance.
        let key = match refs.iter().find_map(|r| reference_index(r)) {
            Some(index) => instance_key(&key, index),
            None => key,
        };
        if t == ty {
            return matches!(attr, None | Some("id" | "container_id")).then_some(key);
        }
        if ty == super::PROJECT && attr == Some("project_id") && is_mapped_type(t) {
            linking.want(&key);
            return Some(key);
        }
        return None;
    }
    // A module's output: every reference is `module.NAME[.OUTPUT]` of one call.
    let mut call: Option<(&str, Option<&str>)> = None;
    for r in &refs {
        match (module_output(r), call) {
            (Some(c), None) => call = Some(c),
            (Some((name, output)), Some((n, o))) if n == name => call = Some((n, o.or(output))),
            _ => {
                call = None;
                break;
            }
        }
    }
    if let Some((name, Some(output))) = call {
        let scope = scopes.last()?;
        let module = scope
            .config
            .as_ref()?
            .path(&["module_calls", name, "module"])?;
        let refs = module.path(&["outputs", output, "expression", "references"])?;
        let mut deeper = scopes.to_vec();
        deeper.push(Scope {
            prefix: format!("{}module.{name}.", scope.prefix),
            config: Some(module),
            call: Some(name.to_string()),
        });
        return follow(ctx, &deeper, &refs, ty, depth + 1, linking);
    }
    let [only] = refs.as_slice() else {
        return None;
    };
    let var = only.strip_prefix("var.")?;
    if var.contains(['.', '[']) {
        return None;
    }
    let (scope, parents) = scopes.split_last()?;
    let call = scope.call.as_deref()?;
    let parent = parents.last()?.config.as_ref()?;
    let refs = parent.path(&["module_calls", call, "expressions", var, "references"])?;
    follow(ctx, parents, &refs, ty, depth + 1, linking)
}

/// Attribute values of one planned resource.
struct PlanValues<'a, 'c> {
    ctx: &'a LocCtx<'a>,
    scopes: &'a [Scope<'c>],
    /// The resource's configuration block.
    config: Option<Cursor<'c>>,
    anchor: Loc,
    linking: &'a Linking,
}

impl Values for PlanValues<'_, '_> {
    fn read(&self, cur: Option<Cursor<'_>>) -> Read {
        match self.ctx.text(cur) {
            Some(t) => Read::Known(t),
            None => Read::Absent,
        }
    }

    /// A required attribute missing from planned values is unknown until apply.
    fn missing_required(&self, obj: &Cursor<'_>, key: &str) -> Option<Text> {
        if obj.get(key).is_some() {
            return None;
        }
        Some(super::unknown(
            self.ctx.loc(obj),
            &format!("(known after apply) {key}"),
        ))
    }

    fn reference(&self, body: &Cursor<'_>, path: &[&str], ty: &str) -> Option<Text> {
        let expressions = self.config.as_ref()?.get("expressions")?;
        let refs = follow_path(&expressions, path)?.get("references")?;
        let key = follow(self.ctx, self.scopes, &refs, ty, 0, self.linking)?;
        let loc = follow_path(body, path).map_or_else(|| self.anchor.clone(), |c| self.ctx.loc(&c));
        Some(Text {
            value: key.into(),
            loc,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{call_name, reference_index, resource_ref};

    #[test]
    fn for_each_keys_of_references() {
        assert_eq!(
            reference_index(r#"mongodbatlas_project.env["gov"].id"#),
            Some("gov")
        );
        assert_eq!(
            reference_index(r#"mongodbatlas_project.env["gov"]"#),
            Some("gov")
        );
        assert_eq!(reference_index("mongodbatlas_project.env[0].id"), None);
        assert_eq!(reference_index("mongodbatlas_project.env"), None);
        assert_eq!(reference_index(r#"x.y["a\"b"]"#), None);
    }

    #[test]
    fn resource_references() {
        assert_eq!(
            resource_ref("mongodbatlas_advanced_cluster.orders.project_id"),
            Some((
                "mongodbatlas_advanced_cluster",
                "orders",
                Some("project_id")
            ))
        );
        assert_eq!(
            resource_ref("mongodbatlas_project.gov[0].id"),
            Some(("mongodbatlas_project", "gov", Some("id")))
        );
        assert_eq!(
            resource_ref("mongodbatlas_project.gov[\"a.b\"]"),
            Some(("mongodbatlas_project", "gov", None))
        );
        assert_eq!(resource_ref("var.project_id"), None);
        assert_eq!(resource_ref("module.db.project_id"), None);
        assert_eq!(resource_ref("mongodbatlas_project"), None);
    }

    #[test]
    fn call_names() {
        assert_eq!(call_name("", "module.db"), Some("db"));
        assert_eq!(call_name("", "module.db[0]"), Some("db"));
        assert_eq!(
            call_name("module.a[\"x.y\"]", "module.a[\"x.y\"].module.b"),
            Some("b")
        );
        assert_eq!(call_name("module.a", "module.b.module.c"), None);
        assert_eq!(call_name("", "db"), None);
    }
}
