//! The builders: one resource body (HCL or plan JSON, read through [`Values`]) into model
//! entities.

use super::{
    ADVANCED_CLUSTER, BlockSlot, CLUSTER, EAR_PRIVATE_ENDPOINT, EXPORT_BUCKET, FLEX_CLUSTER,
    METRIC_INTEGRATION, NETWORK_CONTAINER, PRIVATELINK_ENDPOINT_SERVICE, PROJECT,
    PROVIDER_ACCESS_SETUP, Read, Resource, SERVERLESS_INSTANCE, Values, data_cluster_kind,
    data_product_of, follow_path, product_of, project_ref_of_literal,
};
use crate::document::Cursor;
use crate::model::link::is_object_id;
use crate::model::{
    AlertConfig, CloudProviderUse, Cluster, ClusterKind, ClusterSettings, CopySetting,
    DatabaseUser, EncryptionAtRest, Endpoint, InstanceSize, Integration, Loc, Model,
    NetworkContainer, NetworkPeering, Notification, Origin, PrivateEndpoint, Product, ProductUse,
    Project, ProjectRef, RegionConfig, RestoreJob, SizeRole, Switch, Tag, Text,
};

/// The project a resource names in its `project_id`.
pub(super) fn project_ref(v: &impl Values, body: &Cursor<'_>) -> ProjectRef {
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
            region_usage_choice: None,
            region_usage_removed: None,
            region_usage_slot: res
                .slot
                .as_ref()
                .and_then(|s| s.attribute("region_usage_restrictions", "\"GOV_REGIONS_ONLY\"")),
            // An instance of a `for_each` is also what a reference with an unknown key names.
            keys: match crate::model::link::instance_base(&res.key) {
                Some(base) => vec![base.to_string(), res.key],
                None => vec![res.key],
            },
            tags: tags(v, body),
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
                .enumerate()
                .filter_map(|(i, n)| {
                    let slot = res.slot.as_ref().and_then(|s| s.nested("notification", i));
                    notification(v, &n, slot)
                })
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
                    region_required: false,
                    // Only where every instance of the block has this type (not `each.value`,
                    // a variable a module call sets): the region is added to all of them.
                    region_slot: res
                        .slot
                        .as_ref()
                        .filter(|s| s.literal_is("type", kind.as_str()))
                        .and_then(|s| s.attribute("region", "\"US1_FED\"")),
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
                aws_kms_key_id: enabled_config("aws_kms_config")
                    .and_then(|c| v.known(c.get("customer_master_key_id"))),
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
            remote_regions: items(body.get("supported_remote_regions"))
                .filter_map(|r| v.known(Some(r)))
                .collect(),
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
        EXPORT_BUCKET
        | PROVIDER_ACCESS_SETUP
        | PRIVATELINK_ENDPOINT_SERVICE
        | EAR_PRIVATE_ENDPOINT => {
            let (key, what) = match res.ty {
                EXPORT_BUCKET => ("cloud_provider", "snapshot export bucket on"),
                PRIVATELINK_ENDPOINT_SERVICE => ("provider_name", "private endpoint connection on"),
                EAR_PRIVATE_ENDPOINT => {
                    ("cloud_provider", "encryption-at-rest private endpoint on")
                }
                _ => ("provider_name", "cloud provider access setup for"),
            };
            if let Some(provider) = v.text(body.get(key)) {
                out.cloud_providers
                    .push(CloudProviderUse { what, provider });
            }
        }
        METRIC_INTEGRATION => {
            // Metrics of a product AtlasGov lacks, selected for export.
            for selected in items(body.get("metric_selection")).filter_map(|m| v.known(Some(m))) {
                if selected.is("ATLAS_STREAM_PROCESSING") {
                    out.products.push(ProductUse {
                        origin: origin.clone(),
                        product: Product::StreamProcessing,
                        what: "stream processing metric selection",
                        loc: selected.loc,
                        providers: Vec::new(),
                    });
                }
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
    if let Some(kind) = data_cluster_kind(ty) {
        out.clusters.push(Cluster {
            origin: Origin {
                body: anchor.clone(),
                project_ref,
                project: None,
            },
            kind,
            kind_loc: anchor.into(),
            name: None,
            regions: Vec::new(),
            encryption_at_rest_provider: None,
            settings: None,
        });
        return;
    }
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

/// What a fix may do to a provider's `is_mongodbgov_cloud` where it is written.
pub enum FlagEdit {
    /// Nothing: a plan, which Terraform writes.
    None,
    /// Switch a written `false` to `true` (a configuration whose block cannot take a line:
    /// Terraform JSON, Pulumi, a block written on one line).
    Switch,
    /// Switch a written `false`, or insert the flag with this when it is absent.
    Insert(Switch),
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
    edit: FlagEdit,
    out: &mut Model,
) {
    let (configuration, insert_flag) = match edit {
        FlagEdit::None => (false, None),
        FlagEdit::Switch => (true, None),
        FlagEdit::Insert(s) => (true, Some(s)),
    };
    if uses_secret {
        return;
    }
    // The flag written `false` is switched where it is written (in a configuration, not in a
    // plan, which Terraform writes); an absent flag is inserted where `insert_flag` says the
    // block can take a line.
    let (at, switch) = match gov_flag {
        Read::Known(flag) if flag.is("true") => return,
        Read::Unknown(_) => return,
        Read::Known(flag) => {
            let switch = (configuration && flag.loc.via.is_none()).then(|| Switch {
                loc: flag.loc.clone(),
                expected: flag.value.clone(),
                text: "true".to_string(),
            });
            (flag.loc, switch)
        }
        Read::Absent => (header, insert_flag),
    };
    match base_url {
        // The provider reads its base URL from `MONGODB_ATLAS_BASE_URL` when its block sets
        // none (there is no variable for `is_mongodbgov_cloud`).
        Read::Absent => out.endpoints.push(Endpoint {
            from_env: Some("MONGODB_ATLAS_BASE_URL"),
            switch: switch.map(|s| (s, "set is_mongodbgov_cloud = true")),
            ..Endpoint::new(
                Text {
                    value: "https://cloud.mongodb.com".into(),
                    loc: at,
                },
                "provider \"mongodbatlas\" without is_mongodbgov_cloud = true",
            )
        }),
        Read::Known(url) if report_base_url => out
            .endpoints
            .push(Endpoint::new(url, "provider \"mongodbatlas\" base_url")),
        Read::Known(_) | Read::Unknown(_) => {}
    }
}

/// A `notification` block; `slot` is where its own text can take a new attribute (see
/// [`BlockSlot`]).
fn notification(v: &impl Values, n: &Cursor<'_>, slot: Option<&BlockSlot>) -> Option<Notification> {
    // The type and the Datadog region decide; either unknown leaves the notification out.
    let type_name = v.known(n.get("type_name"))?;
    let region = v.read(n.get("datadog_region"));
    if region.is_unknown() {
        return None;
    }
    Some(Notification {
        // Only where the block's text says `type_name = "DATADOG"` itself: every instance of
        // it (a resource's `for_each`, a module called twice) is then a Datadog notification.
        region_slot: slot
            .filter(|s| s.literal_is("type_name", type_name.as_str()))
            .and_then(|s| s.attribute("datadog_region", "\"US1_FED\"")),
        no_us1_fed: None,
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
            kind_loc: res.anchor.clone().into(),
            name,
            regions: blocks(body, "replication_specs")
                .flat_map(|spec| blocks(&spec, "region_configs"))
                .map(|rc| advanced_region(v, &rc))
                .collect(),
            encryption_at_rest_provider: v.text(body.get("encryption_at_rest_provider")),
            settings: Some(Box::new(cluster_settings(v, body))),
        },
        FLEX_CLUSTER => {
            let settings = body.get("provider_settings").map(|s| one(&s));
            Cluster {
                origin,
                kind: ClusterKind::Flex,
                kind_loc: res.anchor.clone().into(),
                name,
                regions: vec![RegionConfig {
                    provider: None,
                    backing_provider: settings
                        .as_ref()
                        .and_then(|s| v.text(s.get("backing_provider_name")))
                        .map(Box::new),
                    region: settings.as_ref().and_then(|s| v.text(s.get("region_name"))),
                    sizes: Vec::new(),
                }],
                encryption_at_rest_provider: None,
                settings: None,
            }
        }
        SERVERLESS_INSTANCE => Cluster {
            origin,
            kind: ClusterKind::Serverless,
            kind_loc: res.anchor.clone().into(),
            name,
            regions: vec![RegionConfig {
                provider: v.text(body.get("provider_settings_provider_name")),
                backing_provider: v
                    .text(body.get("provider_settings_backing_provider_name"))
                    .map(Box::new),
                region: v.text(body.get("provider_settings_region_name")),
                sizes: Vec::new(),
            }],
            encryption_at_rest_provider: None,
            settings: None,
        },
        _ => legacy_cluster(v, res, origin, name),
    }
}

/// The settings policies read (see [`crate::model::ClusterSettings`]) of a cluster resource:
/// `tags` as blocks (`tags { key = .. value = .. }`) or as a map (`tags = { owner = .. }`).
fn cluster_settings(v: &impl Values, body: &Cursor<'_>) -> ClusterSettings {
    let disk = v.text(body.get("disk_size_gb")).or_else(|| {
        blocks(body, "replication_specs")
            .flat_map(|spec| blocks(&spec, "region_configs"))
            .find_map(|rc| {
                let specs = rc.get("electable_specs").map(|s| one(&s));
                specs.and_then(|s| v.text(s.get("disk_size_gb")))
            })
    });
    ClusterSettings {
        backup_enabled: v
            .text(body.get("backup_enabled"))
            .or_else(|| v.text(body.get("cloud_backup"))),
        pit_enabled: v.text(body.get("pit_enabled")),
        termination_protection: v.text(body.get("termination_protection_enabled")),
        disk_size_gb: disk,
        mongodb_version: v.text(body.get("mongo_db_major_version")),
        tags: tags(v, body),
    }
}

/// `tags`: a map (`tags = { owner = "..." }`: a project's, a 2.x cluster's) or blocks
/// (`tags { key = ... value = ... }`: a 1.x cluster's).
fn tags(v: &impl Values, body: &Cursor<'_>) -> Vec<Tag> {
    let mut tags = Vec::new();
    match body.get("tags") {
        Some(map) if map.node.as_map().is_some() && map.get("key").is_none() => {
            for (key, value) in map.entries() {
                if let Some(key) = v.text(Some(key)) {
                    tags.push(Tag {
                        key,
                        value: v.text(Some(value)),
                    });
                }
            }
        }
        _ => {
            for tag in blocks(body, "tags") {
                if let Some(key) = v.text(tag.get("key")) {
                    tags.push(Tag {
                        key,
                        value: v.text(tag.get("value")),
                    });
                }
            }
        }
    }
    tags
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
        backing_provider: backing.clone().map(Box::new),
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
                backing_provider: backing.clone().map(Box::new),
                region: v.text(rc.get("region_name")),
                sizes: Vec::new(),
            });
        }
    }
    Cluster {
        origin,
        kind: ClusterKind::Legacy,
        kind_loc: res.anchor.clone().into(),
        name,
        regions,
        encryption_at_rest_provider: v.text(body.get("encryption_at_rest_provider")),
        settings: Some(Box::new(cluster_settings(v, body))),
    }
}

/// The elements of a list attribute or of repeated blocks (both are sequences); a single
/// object is one block (Terraform's JSON syntax writes a lone nested block that way).
fn items<'a>(cur: Option<Cursor<'a>>) -> impl Iterator<Item = Cursor<'a>> {
    cur.into_iter().flat_map(|c| {
        if c.node.as_map().is_some() {
            vec![c]
        } else {
            c.items().collect::<Vec<_>>()
        }
    })
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
pub(in crate::adapters::terraform) fn one<'a>(cur: &Cursor<'a>) -> Cursor<'a> {
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
        backing_provider: v.text(rc.get("backing_provider_name")).map(Box::new),
        region: v.text(rc.get("region_name")),
        sizes,
    }
}
