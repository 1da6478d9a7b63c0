//! Terraform with the `mongodb/mongodbatlas` provider: `.tf` configurations and the JSON of
//! `terraform show -json` (plans and state).
//!
//! Both inputs describe the same resources with the same attribute names, so one set of
//! builders ([`build`]) turns a resource body into model entities; what differs is how a scalar
//! attribute is read ([`Values`]), where a resource "is" (its anchor), and how it names its
//! project:
//!
//! - **HCL** ([`module`]): every `.tf` file of a directory belongs to one module, and a value
//!   may come from a variable declared in another file or set in a `terraform.tfvars` /
//!   `*.auto.tfvars` file. So the per-file step (parallel, in `app::process`) only parses and
//!   keeps a [`module::HclFile`]; [`module::resolve`] runs once all files are parsed, groups
//!   them by directory, resolves variables and builds the model, before project linking.
//! - **Plan / state JSON** ([`plan`]): one file holds everything (variables resolved), so it
//!   goes through the ordinary per-document [`adapt`].
//!
//! A value the linter cannot know (a reference, a function call, a variable without a literal
//! value) becomes a placeholder `${...}` holding the expression: the rules treat such values as
//! unknown (they are not a provider, a region, a tier or a region usage), so nothing is ever
//! judged from them, while "absent" keeps its meaning (a project without
//! `region_usage_restrictions` is a standard project).

pub mod module;
pub mod plan;

use crate::document::Cursor;
use crate::model::link::is_object_id;
use crate::model::{
    Cluster, ClusterKind, InstanceSize, Loc, LocCtx, Model, Origin, Project, ProjectRef,
    RegionConfig, SizeRole, Text,
};

/// Every Terraform input this adapter reads names the provider or its resource types.
pub const NEEDLES: &[&str] = &["mongodbatlas"];

/// Resource types this adapter maps.
pub const PROJECT: &str = "mongodbatlas_project";
pub const ADVANCED_CLUSTER: &str = "mongodbatlas_advanced_cluster";
pub const CLUSTER: &str = "mongodbatlas_cluster";
pub const FLEX_CLUSTER: &str = "mongodbatlas_flex_cluster";
pub const SERVERLESS_INSTANCE: &str = "mongodbatlas_serverless_instance";

/// Whether a managed resource type is one this adapter maps.
pub fn is_mapped_type(ty: &str) -> bool {
    matches!(
        ty,
        PROJECT | ADVANCED_CLUSTER | CLUSTER | FLEX_CLUSTER | SERVERLESS_INSTANCE
    )
}

/// Plan and state JSON go through here (HCL goes through [`module`]).
pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    plan::adapt(ctx, root, out);
}

/// How the attributes of one resource are read.
pub trait Values {
    /// A scalar attribute value: a literal, a resolved variable (with [`Loc::via`] set to where
    /// it was set), or, for anything else that is present, a `${...}` placeholder that no rule
    /// can mistake for a value. `None` when absent or null.
    fn text(&self, cur: Option<Cursor<'_>>) -> Option<Text>;

    /// An attribute the provider requires but that is absent from `obj`. In a plan this means
    /// "unknown until apply" (a placeholder at `obj`); in HCL it is simply absent.
    fn missing_required(&self, obj: &Cursor<'_>, key: &str) -> Option<Text>;
}

/// A placeholder for a value that is present but cannot be known.
pub fn unknown(loc: Loc, source: &str) -> Text {
    Text {
        value: format!("${{{source}}}").into(),
        loc,
    }
}

/// One resource, as its format locates it.
pub struct Resource<'a> {
    pub ty: &'a str,
    /// The resource's attributes (HCL block body, plan `values`).
    pub body: Cursor<'a>,
    /// Where findings about the resource as a whole point (the block header, the address).
    pub anchor: Loc,
    pub project_ref: ProjectRef,
    /// Keys of a `mongodbatlas_project` (see [`crate::model::Project::keys`]).
    pub keys: Vec<String>,
}

/// The project reference of a literal `project_id`: an Atlas id, or nothing that can link.
pub fn project_ref_of_literal(id: Option<Text>) -> ProjectRef {
    match id {
        Some(id) if is_object_id(id.as_str()) => ProjectRef::Id(id),
        _ => ProjectRef::Unknown,
    }
}

/// The name of the project in a reference `mongodbatlas_project.NAME`, optionally followed by
/// an index and `.id` (`mongodbatlas_project.gov.id`, `mongodbatlas_project.gov[0].id`).
pub fn project_reference(expr: &str) -> Option<&str> {
    let rest = expr.trim().strip_prefix(PROJECT)?.strip_prefix('.')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let (name, mut tail) = rest.split_at(end);
    if name.is_empty() {
        return None;
    }
    if tail.starts_with('[') {
        let close = tail.find(']')?;
        tail = tail.get(close + 1..)?;
    }
    matches!(tail, "" | ".id").then_some(name)
}

/// Turn one resource into model entities.
pub fn build(v: &impl Values, res: Resource<'_>, out: &mut Model) {
    let body = &res.body;
    let origin = Origin {
        body: res.anchor.clone(),
        project_ref: res.project_ref.clone(),
        project: None,
    };
    match res.ty {
        PROJECT => out.projects.push(Project {
            origin: Origin {
                project_ref: ProjectRef::Unknown,
                ..origin
            },
            name: v.text(body.get("name")),
            id: v.text(body.get("id")),
            region_usage: v.text(body.get("region_usage_restrictions")),
            keys: res.keys,
        }),
        ADVANCED_CLUSTER => {
            let regions = items(body.get("replication_specs"))
                .flat_map(|spec| items(spec.get("region_configs")))
                .map(|rc| advanced_region(v, &rc))
                .collect();
            out.clusters.push(Cluster {
                origin,
                kind: ClusterKind::Advanced,
                kind_loc: res.anchor,
                name: v.text(body.get("name")),
                regions,
                encryption_at_rest_provider: v.text(body.get("encryption_at_rest_provider")),
            });
        }
        CLUSTER => {
            let provider = v
                .text(body.get("provider_name"))
                .or_else(|| v.missing_required(body, "provider_name"));
            let backing = v.text(body.get("backing_provider_name"));
            let mut first = RegionConfig {
                provider: provider.clone(),
                backing_provider: backing.clone(),
                region: v.text(body.get("provider_region_name")),
                sizes: Vec::new(),
            };
            if let Some(size) = v.text(body.get("provider_instance_size_name")) {
                first.sizes.push(InstanceSize {
                    role: SizeRole::Instance,
                    value: size,
                });
            }
            if let Some(min) = v.text(body.get("provider_auto_scaling_compute_min_instance_size")) {
                first.sizes.push(InstanceSize {
                    role: SizeRole::AutoScalingMin,
                    value: min,
                });
            }
            let mut regions = vec![first];
            for spec in items(body.get("replication_specs")) {
                for rc in items(spec.get("regions_config")) {
                    regions.push(RegionConfig {
                        provider: provider.clone(),
                        backing_provider: backing.clone(),
                        region: v.text(rc.get("region_name")),
                        sizes: Vec::new(),
                    });
                }
            }
            out.clusters.push(Cluster {
                origin,
                kind: ClusterKind::Legacy,
                kind_loc: res.anchor,
                name: v.text(body.get("name")),
                regions,
                encryption_at_rest_provider: v.text(body.get("encryption_at_rest_provider")),
            });
        }
        FLEX_CLUSTER => {
            let settings = body.get("provider_settings").map(|s| one(&s));
            let region = RegionConfig {
                provider: None,
                backing_provider: settings
                    .as_ref()
                    .and_then(|s| v.text(s.get("backing_provider_name"))),
                region: settings.as_ref().and_then(|s| v.text(s.get("region_name"))),
                sizes: Vec::new(),
            };
            out.clusters.push(Cluster {
                origin,
                kind: ClusterKind::Flex,
                kind_loc: res.anchor,
                name: v.text(body.get("name")),
                regions: vec![region],
                encryption_at_rest_provider: None,
            });
        }
        SERVERLESS_INSTANCE => {
            let region = RegionConfig {
                provider: v.text(body.get("provider_settings_provider_name")),
                backing_provider: v.text(body.get("provider_settings_backing_provider_name")),
                region: v.text(body.get("provider_settings_region_name")),
                sizes: Vec::new(),
            };
            out.clusters.push(Cluster {
                origin,
                kind: ClusterKind::Serverless,
                kind_loc: res.anchor,
                name: v.text(body.get("name")),
                regions: vec![region],
                encryption_at_rest_provider: None,
            });
        }
        _ => {}
    }
}

/// The elements of a list attribute or of repeated blocks (both are sequences).
fn items<'a>(cur: Option<Cursor<'a>>) -> impl Iterator<Item = Cursor<'a>> {
    cur.into_iter().flat_map(|c| c.items().collect::<Vec<_>>())
}

/// A nested object written as an object (`x = { .. }`, provider 2.x) or as a single block /
/// one-element list (`x { .. }`, provider 1.x and its plans).
fn one<'a>(cur: &Cursor<'a>) -> Cursor<'a> {
    if cur.node.as_seq().is_some() {
        if let Some(first) = cur.items().next() {
            return first;
        }
    }
    cur.clone()
}

fn advanced_region(v: &impl Values, rc: &Cursor<'_>) -> RegionConfig {
    let mut sizes = Vec::new();
    let specs = [
        ("electable_specs", SizeRole::Electable),
        ("read_only_specs", SizeRole::ReadOnly),
        ("analytics_specs", SizeRole::Analytics),
    ];
    for (key, role) in specs {
        let Some(spec) = rc.get(key).map(|s| one(&s)) else {
            continue;
        };
        // A spec with `node_count = 0` deploys no node of that size.
        if spec.get("node_count").and_then(|n| n.text()) == Some("0") {
            continue;
        }
        if let Some(value) = v.text(spec.get("instance_size")) {
            sizes.push(InstanceSize { role, value });
        }
    }
    for key in ["auto_scaling", "analytics_auto_scaling"] {
        if let Some(min) = rc
            .get(key)
            .map(|a| one(&a))
            .and_then(|a| v.text(a.get("compute_min_instance_size")))
        {
            sizes.push(InstanceSize {
                role: SizeRole::AutoScalingMin,
                value: min,
            });
        }
    }
    RegionConfig {
        provider: v
            .text(rc.get("provider_name"))
            .or_else(|| v.missing_required(rc, "provider_name")),
        backing_provider: v.text(rc.get("backing_provider_name")),
        region: v.text(rc.get("region_name")),
        sizes,
    }
}

#[cfg(test)]
mod tests {
    use super::project_reference;

    #[test]
    fn project_references() {
        assert_eq!(
            project_reference("mongodbatlas_project.gov.id"),
            Some("gov")
        );
        assert_eq!(project_reference("mongodbatlas_project.gov"), Some("gov"));
        assert_eq!(
            project_reference("mongodbatlas_project.my-proj[0].id"),
            Some("my-proj")
        );
        assert_eq!(project_reference("mongodbatlas_project.gov.name"), None);
        assert_eq!(project_reference("data.mongodbatlas_project.gov.id"), None);
        assert_eq!(project_reference("mongodbatlas_projects.gov.id"), None);
        assert_eq!(project_reference("mongodbatlas_project..id"), None);
        assert_eq!(project_reference("mongodbatlas_project.gov[0"), None);
    }
}
