//! `AtlasProject` (with the resources it configures inline) and the generated `Group`.

use super::{
    GENERATED_VERSION, Object, group_key, item_loc, items_at, map_at, origin_at, project_key,
};
use crate::document::Cursor;
use crate::model::{
    AlertConfig, EncryptionAtRest, Integration, LocCtx, Model, NetworkPeering, Notification,
    Origin, PrivateEndpoint, Project, ProjectRef, Text,
};

/// The resources an `AtlasProject` configures inline (the older, deprecated form of the
/// standalone kinds): they belong to the project itself.
pub(super) fn project_parts(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = obj.spec.as_ref() else {
        return;
    };
    let project_ref = obj.name.map_or(ProjectRef::Unknown, |n| {
        ProjectRef::Key(obj.scoped(project_key(obj.namespace, n)))
    });
    for peer in items_at(Some(spec), "networkPeers") {
        out.peerings.push(NetworkPeering {
            origin: origin_at(item_loc(ctx, &peer), &project_ref),
            provider: ctx.text(peer.get("providerName")),
            accepter_region: ctx.text(peer.get("accepterRegionName")),
            container_id: ctx.text(peer.get("containerId")),
            container_region: ctx.text(peer.get("containerRegion")),
        });
    }
    for endpoint in items_at(Some(spec), "privateEndpoints") {
        out.private_endpoints.push(PrivateEndpoint {
            origin: origin_at(item_loc(ctx, &endpoint), &project_ref),
            provider: ctx.text(endpoint.get("provider")),
            region: ctx.text(endpoint.get("region")),
            remote_regions: Vec::new(),
        });
    }
    if let Some(ear) = map_at(spec, "encryptionAtRest") {
        let body = obj.spec_key(ctx, "encryptionAtRest");
        out.encryption_at_rest
            .push(encryption_at_rest(ctx, &ear, origin_at(body, &project_ref)));
    }
    for integration in items_at(Some(spec), "integrations") {
        if let Some(kind) = ctx.text(integration.get("type")) {
            let region = ctx.text(integration.get("region"));
            out.integrations.push(Integration {
                region_required: false,
                region_slot: region
                    .is_none()
                    .then(|| {
                        super::super::common::entry_slot(ctx, &integration, "region", "US1_FED")
                    })
                    .flatten(),
                origin: origin_at(item_loc(ctx, &integration), &project_ref),
                kind,
                region,
            });
        }
    }
    for alert in items_at(Some(spec), "alertConfigurations") {
        let notifications = items_at(Some(&alert), "notifications")
            .iter()
            .map(|n| Notification {
                region_slot: n
                    .get("datadogRegion")
                    .is_none()
                    .then(|| super::super::common::entry_slot(ctx, n, "datadogRegion", "US1_FED"))
                    .flatten(),
                no_us1_fed: None,
                type_name: ctx.text(n.get("typeName")),
                datadog_region: ctx.text(n.get("datadogRegion")),
                loc: n
                    .key("typeName")
                    .map_or_else(|| ctx.loc(n), |k| ctx.loc(&k)),
            })
            .collect();
        out.alert_configs.push(AlertConfig {
            origin: origin_at(item_loc(ctx, &alert), &project_ref),
            event_type: ctx.text(alert.get("eventTypeName")),
            notifications,
        });
    }
}

/// `encryptionAtRest`: the AWS key's region, and Azure Key Vault when enabled. The Google
/// Cloud key's resource id, which holds its location, is in a Secret, not in the spec: an
/// enabled one is recorded as such (a standard project may use none). A provider block with
/// `enabled: false` configures no key.
pub(super) fn encryption_at_rest(
    ctx: &LocCtx<'_>,
    ear: &Cursor<'_>,
    origin: Origin,
) -> EncryptionAtRest {
    let enabled = |c: &Cursor<'_>| c.get("enabled").and_then(|e| e.node.as_bool());
    let aws_kms_region = ear
        .get("awsKms")
        .filter(|a| enabled(a) != Some(false))
        .and_then(|a| ctx.text(a.get("region")));
    let azure_key_vault = ear
        .get("azureKeyVault")
        .and_then(|a| a.get("enabled"))
        .filter(|e| e.node.as_bool() == Some(true))
        .and_then(|e| ctx.text(Some(e)));
    EncryptionAtRest {
        origin,
        aws_kms_region,
        // The operator keeps the key id in a Secret (`awsKms.secretRef`).
        aws_kms_key_id: None,
        gcp_key_version_resource_id: None,
        gcp_kms_enabled: ear
            .get("googleCloudKms")
            .and_then(|g| g.get("enabled"))
            .filter(|e| e.node.as_bool() == Some(true))
            .and_then(|e| ctx.text(Some(e))),
        azure_key_vault,
    }
}

/// In an unrendered template, an action where `spec`'s entries go (`{{- toYaml .Values.spec |
/// nindent 2 }}`) may produce any of them: a field the spec leaves out is then unknown, not
/// absent (an unknown value at the object).
pub(super) fn templated_spec_entries(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Option<Text> {
    // From `spec:` to the end of this YAML document (an action on the lines after it is
    // blanked, so the parsed document may end before it).
    let from = obj.cur.key("spec")?.node.span.start;
    let rest = ctx.text.get(from as usize..)?;
    let to = rest
        .find("\n---")
        .map_or(ctx.text.len(), |i| from as usize + i);
    ctx.entries_action_within(from, u32::try_from(to).unwrap_or(u32::MAX))
        .then(|| crate::model::Field {
            value: crate::model::TEMPLATE_VALUE.into(),
            loc: obj.anchor(ctx),
        })
}

pub(super) fn atlas_project(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Project {
    let spec = obj.spec.as_ref();
    Project {
        origin: Origin {
            body: obj.anchor(ctx),
            project_ref: ProjectRef::Unknown,
            project: None,
        },
        name: ctx.text(spec.and_then(|s| s.get("name"))),
        // Present when the manifest was exported from a cluster (`kubectl get -o yaml`).
        id: ctx.text(obj.cur.path(&["status", "id"])),
        // `NONE` (the CRD default) and absent both mean standard regions in AtlasGov.
        region_usage: ctx
            .text(spec.and_then(|s| s.get("regionUsageRestrictions")))
            .or_else(|| templated_spec_entries(ctx, obj)),
        region_usage_field: "regionUsageRestrictions",
        region_usage_choice: None,
        region_usage_removed: None,
        region_usage_slot: spec.and_then(|s| {
            super::super::common::entry_slot(ctx, s, "regionUsageRestrictions", "GOV_REGIONS_ONLY")
        }),
        keys: obj
            .name
            .map(|n| obj.own_keys(project_key(obj.namespace, n)))
            .unwrap_or_default(),
        tags: Vec::new(),
        // The CRD requires `spec.name`: an `AtlasProject` without it, read on its own, is a
        // patch (a kustomize overlay's strategic merge) of the project defined in the base. A
        // rendered one is what gets applied.
        partial: obj.scope.is_none() && spec.and_then(|s| s.get("name")).is_none(),
    }
}

pub(super) fn group(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Project {
    let entry = obj.entry();
    let body = obj.entry_key(ctx);
    Project {
        origin: Origin {
            body,
            project_ref: ProjectRef::Unknown,
            project: None,
        },
        name: ctx.text(entry.as_ref().and_then(|e| e.get("name"))),
        id: ctx.text(obj.cur.path(&["status", GENERATED_VERSION, "id"])),
        region_usage: ctx.text(
            entry
                .as_ref()
                .and_then(|e| e.get("regionUsageRestrictions")),
        ),
        region_usage_field: "regionUsageRestrictions",
        region_usage_choice: None,
        region_usage_removed: None,
        region_usage_slot: None,
        keys: obj
            .name
            .map(|n| obj.own_keys(group_key(obj.namespace, n)))
            .unwrap_or_default(),
        tags: Vec::new(),
        partial: false,
    }
}
