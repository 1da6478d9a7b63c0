//! Terraform with the `mongodb/mongodbatlas` provider: `.tf` configurations and the JSON of
//! `terraform show -json` (plans and state).
//!
//! Both inputs describe the same resources with the same attribute names, so one set of
//! builders ([`build`]) turns a resource body into model entities; what differs is how an
//! attribute is read ([`Values`]), where a resource "is" (its anchor), and how references to
//! other resources are followed:
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
//! value) is [`Read::Unknown`]. Where "absent" has a meaning of its own (a project without
//! `region_usage_restrictions` is a standard project, a cluster region without a provider is
//! judged by its name), an unknown value becomes a placeholder `${...}` holding the
//! expression, which the rules treat as unknown (it is no provider, region, tier or region
//! usage). Everywhere else an unknown value is left out, and an entity whose deciding value is
//! unknown (a Datadog integration's region) is left out whole: nothing is judged from it.
//!
//! Resources link through format-scoped keys (`tf:<dir>:<type>.<name>` in HCL,
//! `tf:plan:<file>:<module path><type>.<name>` in plans): a project's key is in
//! [`crate::model::Project::keys`], a network container's key is its id when the real id is
//! not known, and a restore job's target project is the key of the project it references.

pub mod module;
pub mod plan;

use crate::document::Cursor;
use crate::model::link::is_object_id;
use crate::model::{
    AlertConfig, CloudProviderUse, Cluster, ClusterKind, CopySetting, DatabaseUser,
    EncryptionAtRest, Endpoint, InstanceSize, Integration, Loc, LocCtx, Model, NetworkContainer,
    NetworkPeering, Notification, Origin, PrivateEndpoint, Product, ProductUse, Project,
    ProjectRef, RegionConfig, RestoreJob, SizeRole, Text,
};

/// Every Terraform input this adapter reads names the provider or its resource types.
pub const NEEDLES: &[&str] = &["mongodbatlas"];

pub const PROJECT: &str = "mongodbatlas_project";
pub const ADVANCED_CLUSTER: &str = "mongodbatlas_advanced_cluster";
pub const CLUSTER: &str = "mongodbatlas_cluster";
pub const FLEX_CLUSTER: &str = "mongodbatlas_flex_cluster";
pub const SERVERLESS_INSTANCE: &str = "mongodbatlas_serverless_instance";
pub const NETWORK_CONTAINER: &str = "mongodbatlas_network_container";
pub const PROVIDER: &str = "mongodbatlas";

/// What a product resource is, for messages.
fn product_of(ty: &str) -> Option<(Product, &'static str)> {
    let found = match ty {
        "mongodbatlas_online_archive" => (Product::OnlineArchive, "online archive resource"),
        "mongodbatlas_event_trigger" => (Product::Trigger, "trigger resource"),
        "mongodbatlas_federated_database_instance" => (
            Product::DataFederation,
            "federated database instance resource",
        ),
        "mongodbatlas_federated_query_limit" => {
            (Product::DataFederation, "federated query limit resource")
        }
        "mongodbatlas_privatelink_endpoint_service_data_federation_online_archive" => (
            Product::DataFederation,
            "Data Federation private endpoint resource",
        ),
        "mongodbatlas_stream_instance" => (Product::StreamProcessing, "stream instance resource"),
        "mongodbatlas_stream_workspace" => (Product::StreamProcessing, "stream workspace resource"),
        "mongodbatlas_stream_connection" => {
            (Product::StreamProcessing, "stream connection resource")
        }
        "mongodbatlas_stream_connection_failover" => (
            Product::StreamProcessing,
            "stream connection failover resource",
        ),
        "mongodbatlas_stream_processor" => (Product::StreamProcessing, "stream processor resource"),
        "mongodbatlas_stream_privatelink_endpoint" => (
            Product::StreamProcessing,
            "stream private link endpoint resource",
        ),
        t if t.starts_with("mongodbatlas_stream_") => {
            (Product::StreamProcessing, "stream processing resource")
        }
        _ => return None,
    };
    Some(found)
}

/// Data sources whose mere use is a finding: shared-tier and Flex snapshots and restores.
pub fn data_product_of(ty: &str) -> Option<(Product, &'static str)> {
    let what = match ty {
        "mongodbatlas_shared_tier_restore_job" | "mongodbatlas_shared_tier_restore_jobs" => {
            "shared-tier restore job data source"
        }
        "mongodbatlas_shared_tier_snapshot" | "mongodbatlas_shared_tier_snapshots" => {
            "shared-tier snapshot data source"
        }
        "mongodbatlas_flex_restore_job" | "mongodbatlas_flex_restore_jobs" => {
            "Flex restore job data source"
        }
        "mongodbatlas_flex_snapshot" | "mongodbatlas_flex_snapshots" => "Flex snapshot data source",
        _ => return None,
    };
    Some((Product::SharedTierBackup, what))
}

/// Whether a managed resource type is one this adapter maps.
const EXPORT_BUCKET: &str = "mongodbatlas_cloud_backup_snapshot_export_bucket";
const PROVIDER_ACCESS_SETUP: &str = "mongodbatlas_cloud_provider_access_setup";

pub fn is_mapped_type(ty: &str) -> bool {
    matches!(
        ty,
        PROJECT
            | ADVANCED_CLUSTER
            | CLUSTER
            | FLEX_CLUSTER
            | SERVERLESS_INSTANCE
            | NETWORK_CONTAINER
            | "mongodbatlas_database_user"
            | "mongodbatlas_alert_configuration"
            | "mongodbatlas_third_party_integration"
            | "mongodbatlas_log_integration"
            | "mongodbatlas_encryption_at_rest"
            | "mongodbatlas_network_peering"
            | "mongodbatlas_privatelink_endpoint"
            | "mongodbatlas_cloud_backup_snapshot_restore_job"
            | "mongodbatlas_cloud_backup_schedule"
            | EXPORT_BUCKET
            | PROVIDER_ACCESS_SETUP
    ) || product_of(ty).is_some()
}

/// Plan and state JSON go through here (HCL goes through [`module`]).
pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    plan::adapt(ctx, root, out);
}

/// One attribute as read.
#[derive(Debug, Clone)]
pub enum Read {
    /// Absent, or `null`.
    Absent,
    /// A literal, or a variable resolved to one (with [`Loc::via`] set to where it was set).
    Known(Text),
    /// Present, but not knowable before apply: a `${...}` placeholder at its place.
    Unknown(Text),
}

impl Read {
    /// Known values, and placeholders for unknown ones.
    pub fn text(self) -> Option<Text> {
        match self {
            Read::Known(t) | Read::Unknown(t) => Some(t),
            Read::Absent => None,
        }
    }
    /// Known values only.
    pub fn known(self) -> Option<Text> {
        match self {
            Read::Known(t) => Some(t),
            Read::Absent | Read::Unknown(_) => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Read::Unknown(_))
    }
}

/// How the attributes of one resource are read.
pub trait Values {
    fn read(&self, cur: Option<Cursor<'_>>) -> Read;

    /// Known values, and `${...}` placeholders for unknown ones (see the module docs).
    fn text(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        self.read(cur).text()
    }

    /// Known values only.
    fn known(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        self.read(cur).known()
    }

    /// An attribute the provider requires but that is absent from `obj`. In a plan this means
    /// "unknown until apply" (a placeholder at `obj`); in HCL it is simply absent.
    fn missing_required(&self, obj: &Cursor<'_>, key: &str) -> Option<Text>;

    /// The key of the resource of type `ty` that the attribute at `path` (from the resource's
    /// body; `"0"` is the first element or the single nested object) refers to, located at
    /// the attribute. `None` when it refers to nothing this adapter can name.
    fn reference(&self, body: &Cursor<'_>, path: &[&str], ty: &str) -> Option<Text>;
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
    /// This resource's own key (`tf:<dir>:<type>.<name>`, `tf:plan:...`).
    pub key: String,
}

/// The project reference of a literal `project_id`: an Atlas id, or nothing that can link.
pub fn project_ref_of_literal(id: Option<Text>) -> ProjectRef {
    match id {
        Some(id) if is_object_id(id.as_str()) => ProjectRef::Id(id),
        _ => ProjectRef::Unknown,
    }
}

/// The name of the resource of type `ty` in a reference `TYPE.NAME`, optionally followed by
/// an index and by `.id` or `.container_id` (`mongodbatlas_project.gov.id`,
/// `mongodbatlas_project.gov[0].id`).
pub fn reference_name<'a>(expr: &'a str, ty: &str) -> Option<&'a str> {
    let rest = expr.trim().strip_prefix(ty)?.strip_prefix('.')?;
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
    matches!(tail, "" | ".id" | ".container_id").then_some(name)
}

/// Follow a path of keys from a cursor; `"0"` is the first element of a sequence, or the
/// object itself when it is a single nested object (provider 2.x attribute syntax).
pub fn follow_path<'a>(cur: &Cursor<'a>, path: &[&str]) -> Option<Cursor<'a>> {
    let mut cur = cur.clone();
    for key in path {
        cur = match key.parse::<usize>() {
            Ok(n) if cur.node.as_seq().is_some() => cur.items().nth(n)?,
            Ok(0) if cur.node.as_map().is_some() => cur,
            _ => cur.get(key)?,
        };
    }
    Some(cur)
}

/// The project a resource names in its `project_id`.
fn project_ref(v: &impl Values, body: &Cursor<'_>) -> ProjectRef {
    if let Some(key) = v.reference(body, &["project_id"], PROJECT) {
        return ProjectRef::Key(key.value.to_string());
    }
    project_ref_of_literal(v.known(body.get("project_id")))
}

/// Turn one resource into model entities.
pub fn build(v: &impl Values, res: Resource<'_>, out: &mut Model) {
    let body = &res.body;
    let origin = Origin {
        body: res.anchor.clone(),
        project_ref: project_ref(v, body),
        project: None,
    };
    if let Some((product, what)) = product_of(res.ty) {
        let providers = v
            .known(follow_path(
                body,
                &["data_process_region", "0", "cloud_provider"],
            ))
            .into_iter()
            .chain(v.known(body.get("provider_name")))
            .collect();
        out.products.push(ProductUse {
            origin,
            product,
            what,
            loc: res.anchor,
            providers,
        });
        return;
    }
    match res.ty {
        PROJECT => out.projects.push(Project {
            origin: Origin {
                project_ref: ProjectRef::Unknown,
                ..origin
            },
            name: v.known(body.get("name")),
            id: v.known(body.get("id")),
            region_usage: v.text(body.get("region_usage_restrictions")),
            region_usage_field: "region_usage_restrictions",
            keys: vec![res.key],
            partial: false,
        }),
        ADVANCED_CLUSTER | CLUSTER | FLEX_CLUSTER | SERVERLESS_INSTANCE => {
            out.clusters.push(cluster(v, &res, origin));
        }
        "mongodbatlas_database_user" => out.database_users.push(DatabaseUser {
            origin,
            username: v.known(body.get("username")),
            scope_types: blocks(body, "scopes")
                .filter_map(|s| v.text(s.get("type")))
                .collect(),
        }),
        "mongodbatlas_alert_configuration" => {
            let notifications = blocks(body, "notification")
                .filter_map(|n| notification(v, &n))
                .collect();
            out.alert_configs.push(AlertConfig {
                origin,
                event_type: v.text(body.get("event_type")),
                notifications,
            });
        }
        "mongodbatlas_third_party_integration" | "mongodbatlas_log_integration" => {
            // Both the type and the region decide; either unknown leaves the whole out.
            let region = v.read(body.get("region"));
            if let (Some(kind), false) = (v.known(body.get("type")), region.is_unknown()) {
                out.integrations.push(Integration {
                    origin,
                    kind,
                    region: region.known(),
                });
            }
        }
        "mongodbatlas_encryption_at_rest" => {
            let enabled_config = |key: &str| {
                body.get(key)
                    .map(|c| one(&c))
                    .filter(|c| c.get("enabled").and_then(|e| e.node.as_bool()) != Some(false))
            };
            out.encryption_at_rest.push(EncryptionAtRest {
                origin,
                aws_kms_region: enabled_config("aws_kms_config")
                    .and_then(|c| v.known(c.get("region"))),
                gcp_kms_enabled: None,
                gcp_key_version_resource_id: enabled_config("google_cloud_kms_config")
                    .and_then(|c| v.known(c.get("key_version_resource_id"))),
                azure_key_vault: body
                    .get("azure_key_vault_config")
                    .map(|c| one(&c))
                    .and_then(|c| v.known(c.get("enabled")))
                    .filter(|e| e.is("true")),
            });
        }
        NETWORK_CONTAINER => {
            let regions = v
                .known(body.get("region_name"))
                .into_iter()
                .chain(v.known(body.get("region")))
                .chain(items(body.get("regions")).filter_map(|r| v.known(Some(r))))
                .collect();
            let id = v.known(body.get("id")).or_else(|| {
                Some(Text {
                    value: res.key.clone().into(),
                    loc: res.anchor.clone(),
                })
            });
            out.containers.push(NetworkContainer {
                origin,
                provider: v.text(body.get("provider_name")),
                regions,
                id,
            });
        }
        "mongodbatlas_network_peering" => out.peerings.push(NetworkPeering {
            origin,
            provider: v.text(body.get("provider_name")),
            accepter_region: v.known(body.get("accepter_region_name")),
            container_id: v
                .reference(body, &["container_id"], NETWORK_CONTAINER)
                .or_else(|| v.known(body.get("container_id"))),
            container_region: None,
        }),
        "mongodbatlas_privatelink_endpoint" => out.private_endpoints.push(PrivateEndpoint {
            origin,
            provider: v.text(body.get("provider_name")),
            region: v.known(body.get("region")),
        }),
        "mongodbatlas_cloud_backup_snapshot_restore_job" => {
            let path = ["delivery_type_config", "0", "target_project_id"];
            let target = v.reference(body, &path, PROJECT).or_else(|| {
                v.known(follow_path(body, &path))
                    .filter(|t| is_object_id(t.as_str()))
            });
            out.restore_jobs.push(RestoreJob {
                origin,
                target,
                target_project: None,
            });
        }
        EXPORT_BUCKET | PROVIDER_ACCESS_SETUP => {
            let (key, what) = if res.ty == EXPORT_BUCKET {
                ("cloud_provider", "snapshot export bucket on")
            } else {
                ("provider_name", "cloud provider access setup for")
            };
            if let Some(provider) = v.text(body.get(key)) {
                out.cloud_providers
                    .push(CloudProviderUse { what, provider });
            }
        }
        "mongodbatlas_cloud_backup_schedule" => {
            for copy in blocks(body, "copy_settings") {
                out.copy_settings.push(CopySetting {
                    origin: origin.clone(),
                    cloud_provider: v.text(copy.get("cloud_provider")),
                    region: v.known(copy.get("region_name")),
                });
            }
        }
        _ => {}
    }
}

/// A data source: only the ones whose use is itself a finding.
pub fn build_data(ty: &str, anchor: Loc, project_ref: ProjectRef, out: &mut Model) {
    if let Some((product, what)) = data_product_of(ty) {
        out.products.push(ProductUse {
            origin: Origin {
                body: anchor.clone(),
                project_ref,
                project: None,
            },
            product,
            what,
            loc: anchor,
            providers: Vec::new(),
        });
    }
}

/// A `provider "mongodbatlas"` configuration's target. `is_mongodbgov_cloud = true` is
/// AtlasGov whatever the base URL; otherwise the base URL decides, and without one the
/// provider talks to commercial Atlas. Credentials from AWS Secrets Manager (`secret_name`)
/// may carry the gov flag, and an unknown flag or URL may be anything: those stay silent. A
/// literal `base_url` is reported here only when `report_base_url` (plans); in HCL the
/// any-file adapter already reports commercial base URLs wherever they are written.
pub fn provider(
    gov_flag: Read,
    base_url: Read,
    report_base_url: bool,
    uses_secret: bool,
    header: Loc,
    out: &mut Model,
) {
    if uses_secret {
        return;
    }
    let at = match gov_flag {
        Read::Known(flag) if flag.is("true") => return,
        Read::Unknown(_) => return,
        Read::Known(flag) => flag.loc,
        Read::Absent => header,
    };
    match base_url {
        Read::Absent => out.endpoints.push(Endpoint {
            url: Text {
                value: "https://cloud.mongodb.com".into(),
                loc: at,
            },
            context: "provider \"mongodbatlas\" without is_mongodbgov_cloud = true",
        }),
        Read::Known(url) if report_base_url => out.endpoints.push(Endpoint {
            url,
            context: "provider \"mongodbatlas\" base_url",
        }),
        Read::Known(_) | Read::Unknown(_) => {}
    }
}

fn notification(v: &impl Values, n: &Cursor<'_>) -> Option<Notification> {
    // The type and the Datadog region decide; either unknown leaves the notification out.
    let type_name = v.known(n.get("type_name"))?;
    let region = v.read(n.get("datadog_region"));
    if region.is_unknown() {
        return None;
    }
    Some(Notification {
        loc: type_name.loc.clone(),
        type_name: Some(type_name),
        datadog_region: region.known(),
    })
}

fn cluster(v: &impl Values, res: &Resource<'_>, origin: Origin) -> Cluster {
    let body = &res.body;
    let name = v.known(body.get("name"));
    match res.ty {
        ADVANCED_CLUSTER => Cluster {
            origin,
            kind: ClusterKind::Advanced,
            kind_loc: res.anchor.clone(),
            name,
            regions: blocks(body, "replication_specs")
                .flat_map(|spec| blocks(&spec, "region_configs"))
                .map(|rc| advanced_region(v, &rc))
                .collect(),
            encryption_at_rest_provider: v.text(body.get("encryption_at_rest_provider")),
        },
        FLEX_CLUSTER => {
            let settings = body.get("provider_settings").map(|s| one(&s));
            Cluster {
                origin,
                kind: ClusterKind::Flex,
                kind_loc: res.anchor.clone(),
                name,
                regions: vec![RegionConfig {
                    provider: None,
                    backing_provider: settings
                        .as_ref()
                        .and_then(|s| v.text(s.get("backing_provider_name"))),
                    region: settings.as_ref().and_then(|s| v.text(s.get("region_name"))),
                    sizes: Vec::new(),
                }],
                encryption_at_rest_provider: None,
            }
        }
        SERVERLESS_INSTANCE => Cluster {
            origin,
            kind: ClusterKind::Serverless,
            kind_loc: res.anchor.clone(),
            name,
            regions: vec![RegionConfig {
                provider: v.text(body.get("provider_settings_provider_name")),
                backing_provider: v.text(body.get("provider_settings_backing_provider_name")),
                region: v.text(body.get("provider_settings_region_name")),
                sizes: Vec::new(),
            }],
            encryption_at_rest_provider: None,
        },
        _ => legacy_cluster(v, res, origin, name),
    }
}

fn legacy_cluster(
    v: &impl Values,
    res: &Resource<'_>,
    origin: Origin,
    name: Option<Text>,
) -> Cluster {
    let body = &res.body;
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
    for (key, role) in [
        (
            "provider_auto_scaling_compute_min_instance_size",
            SizeRole::AutoScalingMin,
        ),
        (
            "provider_auto_scaling_compute_max_instance_size",
            SizeRole::AutoScalingMax,
        ),
    ] {
        if let Some(value) = v.text(body.get(key)) {
            first.sizes.push(InstanceSize { role, value });
        }
    }
    let mut regions = vec![first];
    for spec in blocks(body, "replication_specs") {
        for rc in blocks(&spec, "regions_config") {
            regions.push(RegionConfig {
                provider: provider.clone(),
                backing_provider: backing.clone(),
                region: v.text(rc.get("region_name")),
                sizes: Vec::new(),
            });
        }
    }
    Cluster {
        origin,
        kind: ClusterKind::Legacy,
        kind_loc: res.anchor.clone(),
        name,
        regions,
        encryption_at_rest_provider: v.text(body.get("encryption_at_rest_provider")),
    }
}

/// The elements of a list attribute or of repeated blocks (both are sequences).
fn items<'a>(cur: Option<Cursor<'a>>) -> impl Iterator<Item = Cursor<'a>> {
    cur.into_iter().flat_map(|c| c.items().collect::<Vec<_>>())
}

/// The nested blocks `name` of a body, written out (`name { .. }`, `name = [..]`) or generated
/// (`dynamic "name" { for_each = ..  content { .. } }`): a generated block's literal values
/// are what every instance gets, and its `each`/iterator references are unknowns.
fn blocks<'a>(body: &Cursor<'a>, name: &str) -> impl Iterator<Item = Cursor<'a>> + use<'a> {
    // Several `dynamic "name"` blocks are repeated keys under `dynamic`.
    let generated: Vec<Cursor<'a>> = body
        .get("dynamic")
        .into_iter()
        .flat_map(|d| d.entries().collect::<Vec<_>>())
        .filter(|(k, _)| k.text() == Some(name))
        .flat_map(|(_, d)| items(d.get("content")))
        .collect();
    items(body.get(name)).chain(generated)
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
        let Some(auto) = rc.get(key).map(|a| one(&a)) else {
            continue;
        };
        for (field, role) in [
            ("compute_min_instance_size", SizeRole::AutoScalingMin),
            ("compute_max_instance_size", SizeRole::AutoScalingMax),
        ] {
            if let Some(value) = v.text(auto.get(field)) {
                sizes.push(InstanceSize { role, value });
            }
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
    use super::*;

    #[test]
    fn references() {
        let p = PROJECT;
        assert_eq!(
            reference_name("mongodbatlas_project.gov.id", p),
            Some("gov")
        );
        assert_eq!(reference_name("mongodbatlas_project.gov", p), Some("gov"));
        assert_eq!(
            reference_name("mongodbatlas_project.my-proj[0].id", p),
            Some("my-proj")
        );
        assert_eq!(
            reference_name(
                "mongodbatlas_network_container.c.container_id",
                NETWORK_CONTAINER
            ),
            Some("c")
        );
        assert_eq!(reference_name("mongodbatlas_project.gov.name", p), None);
        assert_eq!(reference_name("data.mongodbatlas_project.gov.id", p), None);
        assert_eq!(reference_name("mongodbatlas_projects.gov.id", p), None);
        assert_eq!(reference_name("mongodbatlas_project..id", p), None);
        assert_eq!(reference_name("mongodbatlas_project.gov[0", p), None);
    }

    #[test]
    fn every_product_type_is_mapped() {
        for ty in [
            "mongodbatlas_online_archive",
            "mongodbatlas_event_trigger",
            "mongodbatlas_stream_instance",
            "mongodbatlas_stream_future_thing",
            "mongodbatlas_federated_database_instance",
        ] {
            assert!(is_mapped_type(ty), "{ty}");
        }
        assert!(!is_mapped_type("mongodbatlas_project_ip_access_list"));
        assert!(data_product_of("mongodbatlas_flex_snapshots").is_some());
        assert!(data_product_of("mongodbatlas_flex_cluster").is_none());
    }
}
