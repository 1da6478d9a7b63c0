//! Admin API v2 bodies other than projects and clusters, recognised by shape. Each function
//! returns whether it recognised the body; the first that does wins.

use super::common::is_placeholder;
use super::common::{anchor, origin};
use crate::document::Cursor;
use crate::model::{
    AlertConfig, CloudProviderUse, CopySetting, DatabaseUser, EncryptionAtRest, Integration,
    LocCtx, Model, NetworkContainer, NetworkPeering, Notification, PrivateEndpoint, Product,
    ProductUse, RestoreJob, Text,
};

type Recognizer = fn(&LocCtx<'_>, &Cursor<'_>, &mut Model) -> bool;

const RECOGNIZERS: &[Recognizer] = &[
    atlas_user,
    database_user,
    alert_config,
    integration,
    metric_integration,
    tenant_restore,
    restore_job,
    backup_schedule,
    online_archive,
    container,
    peering,
    private_endpoint,
    encryption_at_rest,
    cloud_provider_resource,
    streams,
    data_federation,
    trigger,
    app_services,
];

pub fn body(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) {
    for recognize in RECOGNIZERS {
        if recognize(ctx, cur, out) {
            return;
        }
    }
}

fn has(cur: &Cursor<'_>, key: &str) -> bool {
    cur.node.get(key).is_some()
}

fn text_is(cur: &Cursor<'_>, key: &str, values: &[&str]) -> bool {
    cur.node
        .get(key)
        .and_then(|n| n.scalar_text())
        .is_some_and(|v| values.iter().any(|x| v.eq_ignore_ascii_case(x)))
}

/// Where a body that is unavailable as a whole is pointed at: the given key, else its anchor.
fn key_loc(ctx: &LocCtx<'_>, cur: &Cursor<'_>, key: &str) -> crate::model::Loc {
    cur.key(key)
        .map_or_else(|| anchor(ctx, cur), |k| ctx.loc(&k))
}

fn product(
    ctx: &LocCtx<'_>,
    cur: &Cursor<'_>,
    out: &mut Model,
    product: Product,
    what: &'static str,
    key: &str,
    providers: Vec<Text>,
) -> bool {
    out.products.push(ProductUse {
        origin: origin(ctx, cur),
        product,
        what,
        loc: key_loc(ctx, cur, key),
        providers,
    });
    true
}

/// `POST /users` (`CloudAppUser`): creating an Atlas user.
fn atlas_user(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let all = [
        "username",
        "password",
        "firstName",
        "lastName",
        "country",
        "mobileNumber",
    ];
    if !all.iter().all(|k| has(cur, k)) {
        return false;
    }
    // Atlas's `roles` (which the API requires) are `{orgId | groupId, roleName}` objects
    // naming its roles (`ORG_OWNER`, `GROUP_READ_ONLY`); a web application's user fixture with
    // the same fields has none, names (`roles: ["ADMIN"]`) or its own objects.
    let atlas_role = |role: &Cursor<'_>| {
        role.get("roleName").is_some_and(|n| {
            n.str().is_none_or(|n| {
                n.starts_with("ORG_") || n.starts_with("GROUP_") || is_placeholder(n)
            })
        })
    };
    if !cur
        .get("roles")
        .is_some_and(|roles| roles.items().all(|role| atlas_role(&role)))
    {
        return false;
    }
    product(
        ctx,
        cur,
        out,
        Product::AtlasUserCreation,
        "Atlas user creation",
        "username",
        vec![],
    )
}

/// `POST /groups/{id}/databaseUsers` (`CloudDatabaseUser`).
fn database_user(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let auth_keys = [
        "awsIAMType",
        "x509Type",
        "ldapAuthType",
        "oidcAuthType",
        "databaseName",
    ];
    if !(has(cur, "username") && has(cur, "roles") && auth_keys.iter().any(|k| has(cur, k))) {
        return false;
    }
    let scope_types = cur
        .get("scopes")
        .iter()
        .flat_map(|s| s.items())
        .filter_map(|scope| ctx.text(scope.get("type")))
        .collect();
    out.database_users.push(DatabaseUser {
        origin: origin(ctx, cur),
        username: ctx.text(cur.get("username")),
        scope_types,
    });
    true
}

/// `POST /groups/{id}/alertConfigs`.
fn alert_config(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    if !has(cur, "eventTypeName") || has(cur, "apiVersion") {
        return false;
    }
    let notifications = cur
        .get("notifications")
        .iter()
        .flat_map(|n| n.items())
        .map(|n| Notification {
            region_slot: n
                .get("datadogRegion")
                .is_none()
                .then(|| super::common::entry_slot(ctx, &n, "datadogRegion", "US1_FED"))
                .flatten(),
            no_us1_fed: None,
            type_name: ctx.text(n.get("typeName")),
            datadog_region: ctx.text(n.get("datadogRegion")),
            loc: n
                .key("typeName")
                .map_or_else(|| ctx.loc(&n), |k| ctx.loc(&k)),
        })
        .collect();
    out.alert_configs.push(AlertConfig {
        origin: origin(ctx, cur),
        event_type: ctx.text(cur.get("eventTypeName")),
        notifications,
    });
    true
}

const INTEGRATION_TYPES: &[&str] = &[
    "DATADOG",
    "MICROSOFT_TEAMS",
    "NEW_RELIC",
    "OPS_GENIE",
    "PAGER_DUTY",
    "PROMETHEUS",
    "SLACK",
    "VICTOR_OPS",
    "WEBHOOK",
    "S3_LOG_EXPORT",
    "DATADOG_LOG_EXPORT",
    "GCS_LOG_EXPORT",
    "OTEL_LOG_EXPORT",
    "SPLUNK_LOG_EXPORT",
    "AZURE_LOG_EXPORT",
];

/// Third-party integrations (`/integrations/{type}`) and log integrations.
fn integration(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    // `site` is how Datadog's own tools (the agent, CI actions) name their site; Atlas's
    // integration body names it `region`.
    if !text_is(cur, "type", INTEGRATION_TYPES) || has(cur, "site") {
        return false;
    }
    let Some(kind) = ctx.text(cur.get("type")) else {
        return false;
    };
    let region = ctx.text(cur.get("region"));
    out.integrations.push(Integration {
        region_required: false,
        region_slot: region
            .is_none()
            .then(|| super::common::entry_slot(ctx, cur, "region", "US1_FED"))
            .flatten(),
        origin: origin(ctx, cur),
        kind,
        region,
    });
    true
}

/// OpenTelemetry metric integrations (`/metricIntegrations`: `integrationType` +
/// `metricSelection`): selecting the metrics of a product AtlasGov lacks uses it.
fn metric_integration(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    if !(has(cur, "integrationType") && has(cur, "metricSelection")) {
        return false;
    }
    let selection = cur.get("metricSelection");
    for item in selection.iter().flat_map(|s| s.items()) {
        if let Some(selected) = ctx
            .text(Some(item))
            .filter(|t| t.is("ATLAS_STREAM_PROCESSING"))
        {
            out.products.push(ProductUse {
                origin: origin(ctx, cur),
                product: Product::StreamProcessing,
                what: "stream processing metric selection",
                loc: selected.loc,
                providers: Vec::new(),
            });
        }
    }
    true
}

/// Shared-tier restore (`TenantRestore`: `snapshotId` + `targetDeploymentItemName`).
fn tenant_restore(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    if !(has(cur, "snapshotId") && has(cur, "targetDeploymentItemName")) {
        return false;
    }
    product(
        ctx,
        cur,
        out,
        Product::SharedTierBackup,
        "shared-tier restore job",
        "targetDeploymentItemName",
        vec![],
    )
}

/// Cloud backup restore jobs (`DiskBackupSnapshotRestoreJob`).
fn restore_job(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let source = ["snapshotId", "pointInTimeUTCSeconds", "oplogTs"];
    if !(has(cur, "deliveryType") && source.iter().any(|k| has(cur, k))) {
        return false;
    }
    out.restore_jobs.push(RestoreJob {
        origin: origin(ctx, cur),
        target: ctx.text(cur.get("targetGroupId")),
        target_project: None,
    });
    true
}

/// Backup schedules: their snapshot copy settings.
fn backup_schedule(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let Some(settings) = cur
        .get("copySettings")
        .filter(|c| c.node.as_seq().is_some())
    else {
        return false;
    };
    for item in settings.items() {
        out.copy_settings.push(CopySetting {
            origin: origin(ctx, cur),
            cloud_provider: ctx.text(item.get("cloudProvider")),
            region: ctx.text(item.get("regionName")),
        });
    }
    true
}

fn data_process_provider(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> Vec<Text> {
    ctx.text(cur.path(&["dataProcessRegion", "cloudProvider"]))
        .into_iter()
        .collect()
}

/// Online archives (`collName` + `dbName` + `criteria.type`).
fn online_archive(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    if !(has(cur, "collName") && has(cur, "dbName") && cur.path(&["criteria", "type"]).is_some()) {
        return false;
    }
    let providers = data_process_provider(ctx, cur);
    product(
        ctx,
        cur,
        out,
        Product::OnlineArchive,
        "online archive",
        "criteria",
        providers,
    )
}

/// Network peering containers.
fn container(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    if !(has(cur, "atlasCidrBlock") && has(cur, "providerName")) {
        return false;
    }
    let mut regions: Vec<Text> = ctx
        .text(cur.get("regionName"))
        .into_iter()
        .chain(ctx.text(cur.get("region")))
        .collect();
    regions.extend(
        cur.get("regions")
            .iter()
            .flat_map(|r| r.items())
            .filter_map(|r| ctx.text(Some(r))),
    );
    out.containers.push(NetworkContainer {
        origin: origin(ctx, cur),
        provider: ctx.text(cur.get("providerName")),
        regions,
        id: ctx.text(cur.get("id")),
    });
    true
}

/// Bodies whose cloud provider is all that matters here: a snapshot export bucket
/// (`bucketName` + `cloudProvider` + the Atlas role it uses, which a backup tool's own bucket
/// settings do not have) and a cloud provider access role
/// (`providerName` + the Azure application ids).
fn cloud_provider_resource(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let (what, key) = if has(cur, "bucketName")
        && has(cur, "cloudProvider")
        && ["iamRoleId", "roleId"].iter().any(|k| has(cur, k))
    {
        ("snapshot export bucket on", "cloudProvider")
    } else if has(cur, "providerName")
        && ["atlasAzureAppId", "servicePrincipalId", "tenantId"]
            .iter()
            .any(|k| has(cur, k))
    {
        ("cloud provider access setup for", "providerName")
    } else {
        return false;
    };
    if let Some(provider) = ctx.text(cur.get(key)) {
        out.cloud_providers
            .push(CloudProviderUse { what, provider });
    }
    true
}

/// Network peering connections.
fn peering(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let specific = ["accepterRegionName", "gcpProjectId", "vnetName", "vpcId"];
    if !(has(cur, "containerId") && specific.iter().any(|k| has(cur, k))) {
        return false;
    }
    out.peerings.push(NetworkPeering {
        origin: origin(ctx, cur),
        provider: ctx.text(cur.get("providerName")),
        accepter_region: ctx.text(cur.get("accepterRegionName")),
        container_id: ctx.text(cur.get("containerId")),
        container_region: None,
    });
    true
}

/// Private endpoint services (`providerName` + `region`, nothing else that is a body of its own).
fn private_endpoint(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let allowed = [
        "providerName",
        "region",
        "supportedRemoteRegions",
        "portMappingEnabled",
        "id",
        "groupId",
        "endpointServiceName",
        "status",
    ];
    let only_endpoint_keys = cur.node.as_map().is_some_and(|m| {
        m.iter()
            .all(|e| e.key.scalar_text().is_some_and(|k| allowed.contains(&k)))
    });
    if !(has(cur, "providerName") && has(cur, "region") && only_endpoint_keys) {
        return false;
    }
    out.private_endpoints.push(PrivateEndpoint {
        origin: origin(ctx, cur),
        provider: ctx.text(cur.get("providerName")),
        region: ctx.text(cur.get("region")),
        remote_regions: cur
            .get("supportedRemoteRegions")
            .iter()
            .flat_map(|r| r.items())
            .filter_map(|r| ctx.text(Some(r)))
            .collect(),
    });
    true
}

/// Encryption at rest with customer key management.
fn encryption_at_rest(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    if !["awsKms", "googleCloudKms", "azureKeyVault"]
        .iter()
        .any(|k| has(cur, k))
    {
        return false;
    }
    let azure = cur.get("azureKeyVault").and_then(|a| {
        let enabled = a.get("enabled")?;
        (enabled.node.as_bool() == Some(true)).then(|| ctx.text(Some(enabled)))?
    });
    // A provider block with `enabled: false` configures no key.
    let enabled = |key: &str| {
        cur.get(key)
            .filter(|c| c.get("enabled").and_then(|e| e.node.as_bool()) != Some(false))
    };
    out.encryption_at_rest.push(EncryptionAtRest {
        origin: origin(ctx, cur),
        aws_kms_region: enabled("awsKms").and_then(|c| ctx.text(c.get("region"))),
        aws_kms_key_id: enabled("awsKms").and_then(|c| ctx.text(c.get("customerMasterKeyID"))),
        gcp_kms_enabled: None,
        gcp_key_version_resource_id: enabled("googleCloudKms")
            .and_then(|c| ctx.text(c.get("keyVersionResourceID"))),
        azure_key_vault: azure,
    });
    true
}

/// Stream processing: instances/workspaces, connections, processors, private links.
fn streams(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    // A workspace create body may be as small as `{name, dataProcessRegion}` (what `atlas
    // streams instances create` sends): `dataProcessRegion` with its provider and region and
    // nothing but a workspace's own fields.
    let minimal_workspace = || {
        const FIELDS: &[&str] = &[
            "name",
            "groupId",
            "dataProcessRegion",
            "sampleConnections",
            "streamConfig",
        ];
        let region = cur.get("dataProcessRegion");
        region
            .as_ref()
            .is_some_and(|r| has(r, "cloudProvider") && has(r, "region"))
            && has(cur, "name")
            && cur
                .entries()
                .all(|(k, _)| k.text().is_some_and(|k| FIELDS.contains(&k)))
    };
    if has(cur, "dataProcessRegion")
        && (has(cur, "streamConfig") || has(cur, "failoverRegions") || minimal_workspace())
    {
        let providers = data_process_provider(ctx, cur);
        return product(
            ctx,
            cur,
            out,
            Product::StreamProcessing,
            "stream processing instance",
            "dataProcessRegion",
            providers,
        );
    }
    let connection_types = [
        "Kafka",
        "Cluster",
        "Sample",
        "Https",
        "AWSLambda",
        "S3",
        "SchemaRegistry",
    ];
    let connection_keys = [
        "bootstrapServers",
        "dbRoleToExecute",
        "clusterName",
        "url",
        "aws",
    ];
    // The type as the API spells it (`atlas streams connections create NAME --file` bodies
    // carry no `name`), or any case with the `name` the API body requires: `type: https`
    // beside a `url` alone is any HTTP client's settings (a log shipper's).
    let exact_type = cur
        .node
        .get("type")
        .and_then(|n| n.scalar_text())
        .is_some_and(|t| connection_types.contains(&t));
    // And nothing a connection body does not have (an EKS cluster config has `type:
    // Cluster`, `clusterName` and `nodeGroups`).
    let connection_fields = [
        "name",
        "connectionName",
        "type",
        "bootstrapServers",
        "security",
        "authentication",
        "config",
        "networking",
        "clusterName",
        "clusterGroupId",
        "clusterProjectId",
        "dbRoleToExecute",
        "url",
        "headers",
        "aws",
        "provider",
        "schemaRegistryUrls",
        "schemaRegistryAuthentication",
        "state",
        "links",
    ];
    let only_connection_fields = || {
        cur.entries()
            .all(|(k, _)| k.text().is_some_and(|k| connection_fields.contains(&k)))
    };
    if (exact_type || (has(cur, "name") && text_is(cur, "type", &connection_types)))
        && connection_keys.iter().any(|k| has(cur, k))
        && only_connection_fields()
    {
        return product(
            ctx,
            cur,
            out,
            Product::StreamProcessing,
            "stream connection",
            "type",
            vec![],
        );
    }
    if has(cur, "serviceEndpointId") && has(cur, "provider") {
        let providers = ctx.text(cur.get("provider")).into_iter().collect();
        return product(
            ctx,
            cur,
            out,
            Product::StreamProcessing,
            "stream private link",
            "serviceEndpointId",
            providers,
        );
    }
    let is_processor = cur
        .get("pipeline")
        .and_then(|p| {
            p.node
                .as_seq()
                .and_then(|s| s.first())
                .map(|first| first.get("$source").is_some())
        })
        .unwrap_or(false);
    if is_processor {
        return product(
            ctx,
            cur,
            out,
            Product::StreamProcessing,
            "stream processor",
            "pipeline",
            vec![],
        );
    }
    false
}

/// Data Federation / Data Lake (`DataLakeTenant`: `dataProcessRegion` or `storage` stores).
fn data_federation(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let storage = cur
        .get("storage")
        .is_some_and(|s| s.get("stores").is_some() || s.get("databases").is_some());
    // What `atlas dataFederation create` sends: a cloud provider config (the IAM role that
    // reads the buckets) and a data process region, no storage yet.
    let provider_config = cur
        .get("cloudProviderConfig")
        .is_some_and(|c| ["aws", "azure", "gcp"].iter().any(|k| has(&c, k)))
        && has(cur, "dataProcessRegion");
    if !storage && !provider_config {
        return false;
    }
    let providers = data_process_provider(ctx, cur);
    product(
        ctx,
        cur,
        out,
        Product::DataFederation,
        "Data Federation instance",
        "storage",
        providers,
    )
}

/// App Services triggers.
fn trigger(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    let is_trigger = text_is(cur, "type", &["DATABASE", "AUTHENTICATION", "SCHEDULED"])
        && has(cur, "config")
        && (has(cur, "function_id") || has(cur, "function_name") || has(cur, "event_processors"));
    if !is_trigger {
        return false;
    }
    product(ctx, cur, out, Product::Trigger, "trigger", "type", vec![])
}

/// App Services applications and Device Sync configurations.
fn app_services(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model) -> bool {
    if has(cur, "deployment_model") && (has(cur, "provider_region") || has(cur, "location")) {
        return product(
            ctx,
            cur,
            out,
            Product::AppServices,
            "App Services application",
            "deployment_model",
            vec![],
        );
    }
    if has(cur, "flexible_sync") {
        return product(
            ctx,
            cur,
            out,
            Product::AppServices,
            "Device Sync configuration",
            "flexible_sync",
            vec![],
        );
    }
    false
}
