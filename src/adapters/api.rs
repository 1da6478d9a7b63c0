//! Atlas Admin API v2 request bodies (also what `atlas clusters create --file` reads).
//!
//! Bodies are recognised by shape, at the top level of a document, as elements of a
//! top-level array, or as elements of a paginated `results` array.

use super::common::{anchor, legacy_regions, origin, region_config};
use crate::document::Cursor;
use crate::model::{Cluster, ClusterKind, LocCtx, Model, Origin, Project, ProjectRef};

pub const NEEDLES: &[&str] = &[
    "regionConfigs",
    "regionsConfig",
    "replicationSpec",
    "providerSettings",
    "regionUsageRestrictions",
    "orgId",
    "username",
    "eventTypeName",
    "deliveryType",
    "targetDeploymentItemName",
    "copySettings",
    "collName",
    "atlasCidrBlock",
    "containerId",
    "endpointService",
    "supportedRemoteRegions",
    "awsKms",
    "googleCloudKms",
    "azureKeyVault",
    "dataProcessRegion",
    "bootstrapServers",
    "dbRoleToExecute",
    "serviceEndpointId",
    "function_id",
    "function_name",
    "event_processors",
    "deployment_model",
    "flexible_sync",
    "$source",
    "DATADOG",
    "_LOG_EXPORT",
    "providerName",
    "iamRoleId",
    "serviceUrl",
    "metricSelection",
];

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    if root.node.as_seq().is_some() {
        for item in root.items() {
            body(ctx, &item, out);
        }
        return;
    }
    if root.node.as_map().is_none() || is_foreign(root) {
        return;
    }
    if let Some(results) = root.get("results").filter(|r| r.node.as_seq().is_some()) {
        for item in results.items() {
            body(ctx, &item, out);
        }
    }
    body(ctx, root, out);
}

/// Documents that belong to another format's adapter (Kubernetes objects, CloudFormation).
fn is_foreign(cur: &Cursor<'_>) -> bool {
    (cur.node.get("apiVersion").is_some() && cur.node.get("kind").is_some())
        || cur.node.get("Resources").is_some()
        || cur.node.get("AWSTemplateFormatVersion").is_some()
}

fn body(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) {
    if cur.node.as_map().is_none() || is_foreign(cur) {
        return;
    }
    if let Some(cluster) = cluster(ctx, cur) {
        out.clusters.push(cluster);
    } else if let Some(project) = project(ctx, cur) {
        out.projects.push(project);
    } else {
        super::api_bodies::body(ctx, cur, out);
    }
}

/// The fields of a project (group) body and response. A `name` and an `orgId` make a project
/// only among these: a Grafana data source has both, and `type`, `url`, `access` too.
const PROJECT_FIELDS: &[&str] = &[
    "id",
    "name",
    "orgId",
    "regionUsageRestrictions",
    "withDefaultAlertsSettings",
    "tags",
    "links",
    "created",
    "clusterCount",
    "projectOwnerId",
];

fn project(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> Option<Project> {
    let only_project_fields = || {
        cur.entries()
            .all(|(k, _)| k.text().is_some_and(|k| PROJECT_FIELDS.contains(&k)))
    };
    // An organization's id is 24 hex digits, or a placeholder: Grafana's organization
    // (`{"name": "Main Org.", "orgId": 1}`, or `"1"`) and another service's
    // (`"orgId": "org_2Nf8s9"`) are not Atlas's; nor is a record whose own `id` is not.
    let atlas_id = |key: &str| {
        cur.get(key).and_then(|o| o.str()).is_some_and(|o| {
            crate::model::link::is_object_id(o) || super::common::is_placeholder(o)
        })
    };
    let is_project = cur.get("regionUsageRestrictions").is_some()
        || (cur.get("name").is_some()
            && atlas_id("orgId")
            && (cur.get("id").is_none() || atlas_id("id"))
            && only_project_fields());
    if !is_project {
        return None;
    }
    Some(Project {
        origin: Origin {
            body: anchor(ctx, cur),
            project_ref: ProjectRef::Unknown,
            project: None,
        },
        name: ctx.text(cur.get("name")),
        id: ctx.text(cur.get("id")),
        region_usage: ctx.text(cur.get("regionUsageRestrictions")),
        region_usage_field: "regionUsageRestrictions",
        region_usage_choice: None,
        region_usage_removed: None,
        region_usage_slot: super::common::entry_slot(
            ctx,
            cur,
            "regionUsageRestrictions",
            "GOV_REGIONS_ONLY",
        ),
        keys: Vec::new(),
        tags: super::common::tags(ctx, cur),
        partial: false,
    })
}

pub(super) fn is_provider(cur: &Option<Cursor<'_>>, value: &str) -> bool {
    cur.as_ref()
        .and_then(Cursor::text)
        .is_some_and(|v| v.eq_ignore_ascii_case(value))
}

fn cluster(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> Option<Cluster> {
    let specs = cur.get("replicationSpecs");
    let has_region_configs = specs
        .as_ref()
        .is_some_and(|s| s.items().any(|spec| spec.get("regionConfigs").is_some()));
    let has_regions_config = specs
        .as_ref()
        .is_some_and(|s| s.items().any(|spec| spec.get("regionsConfig").is_some()))
        || cur.get("replicationSpec").is_some();
    let settings = cur.get("providerSettings");
    let settings_provider = settings.as_ref().and_then(|s| s.get("providerName"));

    let (kind, kind_loc) = if has_region_configs {
        (ClusterKind::Advanced, anchor(ctx, cur))
    } else if is_provider(&settings_provider, "SERVERLESS") {
        let loc = settings_provider
            .as_ref()
            .map_or_else(|| anchor(ctx, cur), |p| ctx.loc(p));
        (ClusterKind::Serverless, loc)
    } else if has_regions_config
        || settings
            .as_ref()
            .is_some_and(|s| s.get("instanceSizeName").is_some())
    {
        (ClusterKind::Legacy, anchor(ctx, cur))
    } else if specs.is_none()
        && settings
            .as_ref()
            .is_some_and(|s| s.get("backingProviderName").is_some())
        && (settings_provider.is_none() || is_provider(&settings_provider, "FLEX"))
    {
        // `atlas clusters create NAME --file` takes the name from its argument, so a Flex
        // body need not carry `name`.
        let loc = cur
            .key("providerSettings")
            .map_or_else(|| anchor(ctx, cur), |k| ctx.loc(&k));
        (ClusterKind::Flex, loc)
    } else {
        return None;
    };

    let mut regions = Vec::new();
    match kind {
        ClusterKind::Advanced => {
            for spec in specs.iter().flat_map(|s| s.items()) {
                for rc in spec.get("regionConfigs").iter().flat_map(|r| r.items()) {
                    regions.push(region_config(ctx, &rc));
                }
            }
        }
        ClusterKind::Legacy | ClusterKind::Flex | ClusterKind::Serverless => {
            let keyed = specs
                .iter()
                .flat_map(|s| s.items())
                .filter_map(|spec| spec.get("regionsConfig"))
                .chain(cur.get("replicationSpec"));
            regions = legacy_regions(ctx, settings.as_ref(), keyed);
        }
    }

    Some(Cluster {
        origin: origin(ctx, cur),
        kind,
        kind_loc: kind_loc.into(),
        name: ctx.text(cur.get("name")),
        regions,
        encryption_at_rest_provider: ctx.text(cur.get("encryptionAtRestProvider")),
        settings: Some(Box::new(super::common::cluster_settings(ctx, cur))),
    })
}
