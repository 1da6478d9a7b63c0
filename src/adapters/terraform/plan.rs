//! `terraform show -json` output: plans (`planned_values`) and state (`values`).
//!
//! Resources are read from `planned_values.root_module` (a plan) or `values.root_module`
//! (state) and their `child_modules`, recursively; never from `resource_changes` or
//! `prior_state`, so each value is reported once. Unknown-at-plan-time values are absent from
//! `values`; a cluster's `project_id` is then found through the configuration:
//! `configuration.root_module[.module_calls.NAME.module]*.resources[].expressions.project_id
//! .references`, following `var.X` up through the calling module's `expressions.X`.

use super::{Resource, Values, build, is_mapped_type, project_ref_of_literal, project_reference};
use crate::document::Cursor;
use crate::model::{LocCtx, Model, ProjectRef, Text};

/// Deepest module nesting followed (Terraform itself has no limit; real trees are shallow).
const MAX_MODULE_DEPTH: usize = 32;

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    if root.get("format_version").is_none() {
        return;
    }
    let Some(module) = root
        .path(&["planned_values", "root_module"])
        .or_else(|| root.path(&["values", "root_module"]))
    else {
        return;
    };
    let config = root.path(&["configuration", "root_module"]);
    let mut scopes = vec![Scope {
        prefix: String::new(),
        config,
        call: None,
    }];
    walk(ctx, &module, &mut scopes, out);
}

/// One module level: its address prefix without instance keys (`module.db.`), its
/// configuration, and the name it is called by in its parent.
struct Scope<'a> {
    prefix: String,
    config: Option<Cursor<'a>>,
    call: Option<String>,
}

fn walk<'a>(ctx: &LocCtx<'_>, module: &Cursor<'a>, scopes: &mut Vec<Scope<'a>>, out: &mut Model) {
    let values = PlanValues { ctx };
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
        let config = scopes
            .last()
            .and_then(|s| s.config.as_ref())
            .and_then(|c| c.get("resources"))
            .and_then(|rs| {
                rs.items()
                    .find(|r| r.get("address").and_then(|a| a.str()) == Some(address.as_str()))
            });
        let project_ref = project_ref(ctx, scopes, ty, config.as_ref(), &body);
        let keys = if ty == super::PROJECT {
            vec![project_key(ctx, scopes_prefix(scopes), name)]
        } else {
            Vec::new()
        };
        let projects_before = out.projects.len();
        build(
            &values,
            Resource {
                ty,
                body,
                anchor,
                project_ref,
                keys,
            },
            out,
        );
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
        walk(ctx, &child, scopes, out);
        scopes.pop();
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

fn project_key(ctx: &LocCtx<'_>, prefix: &str, name: &str) -> String {
    format!("tf:plan:{}:{prefix}{}.{name}", ctx.file, super::PROJECT)
}

/// A resource's project: through its configured `project_id` references, else by a known id.
fn project_ref(
    ctx: &LocCtx<'_>,
    scopes: &[Scope<'_>],
    ty: &str,
    config: Option<&Cursor<'_>>,
    body: &Cursor<'_>,
) -> ProjectRef {
    if ty == super::PROJECT {
        return ProjectRef::Unknown;
    }
    let refs = config.and_then(|r| r.path(&["expressions", "project_id", "references"]));
    if let Some(refs) = refs {
        if let Some(key) = follow(ctx, scopes, &refs, 0) {
            return ProjectRef::Key(key);
        }
    }
    project_ref_of_literal(ctx.text(body.get("project_id")))
}

/// Resolve a `references` list to a project key: all references name the same
/// `mongodbatlas_project`, or the only reference is `var.X` and the calling module passes X
/// such a reference. Anything else (locals, data sources, module outputs, several projects)
/// is not followed.
fn follow(
    ctx: &LocCtx<'_>,
    scopes: &[Scope<'_>],
    refs: &Cursor<'_>,
    depth: usize,
) -> Option<String> {
    let refs: Vec<&str> = refs.items().filter_map(|r| r.str()).collect();
    let mut project = None;
    for r in &refs {
        match project_reference(r) {
            Some(name) if project.is_none_or(|p| p == name) => project = Some(name),
            _ => {
                project = None;
                break;
            }
        }
    }
    if let Some(name) = project {
        return Some(project_key(ctx, scopes_prefix(scopes), name));
    }
    let [only] = refs.as_slice() else {
        return None;
    };
    let var = only.strip_prefix("var.")?;
    if var.contains(['.', '[']) || depth > MAX_MODULE_DEPTH {
        return None;
    }
    let (scope, parents) = scopes.split_last()?;
    let call = scope.call.as_deref()?;
    let parent = parents.last()?.config.as_ref()?;
    let refs = parent.path(&["module_calls", call, "expressions", var, "references"])?;
    follow(ctx, parents, &refs, depth + 1)
}

struct PlanValues<'a> {
    ctx: &'a LocCtx<'a>,
}

impl Values for PlanValues<'_> {
    fn text(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        self.ctx.text(cur)
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
}

#[cfg(test)]
mod tests {
    use super::call_name;

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
