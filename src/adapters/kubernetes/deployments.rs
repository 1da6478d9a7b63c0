//! `AtlasDeployment` and the generated `Cluster` and `FlexCluster`.

use super::{Object, backup_key, deployment_key, group_ref, map_at, project_ref};
use crate::adapters::common::{legacy_regions, region_config};
use crate::document::Cursor;
use crate::model::{
    Cluster, ClusterKind, KeyAlias, Loc, LocCtx, Model, Origin, ProjectRef, RegionConfig,
};

/// An `AtlasDeployment`: one cluster per spec it carries (`deploymentSpec`, `flexSpec`,
/// `serverlessSpec`; the CRD allows one, but each one present is what the operator may apply).
pub(super) fn atlas_deployment(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    // The CRD requires a project reference: a deployment without one, read on its own, is a
    // patch (a kustomize overlay's strategic merge) of the deployment of that name, whose
    // project it inherits. A rendered one is what gets applied.
    let names_project = obj.scope.is_some()
        || spec.get("projectRef").is_some()
        || spec.get("externalProjectRef").is_some();
    let project_ref = match obj.name {
        Some(name) if !names_project => ProjectRef::Key(deployment_key(obj.namespace, name)),
        _ => project_ref(ctx, obj),
    };
    if let (Some(name), true, None) = (obj.name, names_project, obj.scope) {
        out.key_aliases.push(KeyAlias {
            key: deployment_key(obj.namespace, name),
            via: Origin {
                body: obj.anchor(ctx),
                project_ref: project_ref.clone(),
                project: None,
            },
        });
    }
    let origin = |body: Loc| Origin {
        body,
        project_ref: project_ref.clone(),
        project: None,
    };
    // The backup schedule this deployment uses belongs to this deployment's project.
    if let Some(backup) = spec.get("backupRef") {
        if let Some(name) = backup
            .get("name")
            .and_then(|n| n.str())
            .filter(|n| !n.is_empty())
        {
            let namespace = backup
                .get("namespace")
                .and_then(|n| n.str())
                .filter(|n| !n.is_empty())
                .unwrap_or(obj.namespace);
            out.key_aliases.push(KeyAlias {
                key: obj.scoped(backup_key(namespace, name)),
                via: origin(obj.spec_key(ctx, "backupRef")),
            });
        }
    }
    // `deploymentSpec` is the advanced shape since operator 2.0; in 1.x it was the legacy
    // shape (`providerSettings`) and the advanced one was `advancedDeploymentSpec`.
    for key in ["deploymentSpec", "advancedDeploymentSpec"] {
        let Some(ds) = map_at(spec, key) else {
            continue;
        };
        let loc = obj.spec_key(ctx, key);
        let mut regions = advanced_regions(ctx, &ds);
        let legacy = ds.get("providerSettings").filter(|_| regions.is_empty());
        if let Some(settings) = &legacy {
            let specs = ds.get("replicationSpecs");
            let keyed = specs
                .iter()
                .flat_map(|s| s.items())
                .filter_map(|spec| spec.get("regionsConfig"));
            regions = legacy_regions(ctx, Some(settings), keyed);
        }
        out.clusters.push(Cluster {
            origin: origin(loc.clone()),
            kind: if legacy.is_some() {
                ClusterKind::Legacy
            } else {
                ClusterKind::Advanced
            },
            kind_loc: loc.into(),
            name: ctx.text(ds.get("name")),
            regions,
            encryption_at_rest_provider: ctx.text(ds.get("encryptionAtRestProvider")),
            settings: Some(Box::new(crate::adapters::common::cluster_settings(
                ctx, &ds,
            ))),
        });
    }
    if let Some(flex) = map_at(spec, "flexSpec") {
        let loc = obj.spec_key(ctx, "flexSpec");
        out.clusters.push(Cluster {
            origin: origin(loc.clone()),
            kind: ClusterKind::Flex,
            kind_loc: loc.into(),
            name: ctx.text(flex.get("name")),
            regions: vec![provider_settings(ctx, flex.get("providerSettings"))],
            encryption_at_rest_provider: None,
            settings: None,
        });
    }
    if let Some(serverless) = map_at(spec, "serverlessSpec") {
        let loc = obj.spec_key(ctx, "serverlessSpec");
        out.clusters.push(Cluster {
            origin: origin(loc.clone()),
            kind: ClusterKind::Serverless,
            kind_loc: loc.into(),
            name: ctx.text(serverless.get("name")),
            regions: vec![provider_settings(ctx, serverless.get("providerSettings"))],
            encryption_at_rest_provider: None,
            settings: None,
        });
    }
}

/// A generated `Cluster`: an Admin API cluster body under `spec.v20250312.entry`.
pub(super) fn generated_cluster(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Option<Cluster> {
    let entry = obj.entry()?;
    let loc = obj.entry_key(ctx);
    Some(Cluster {
        origin: Origin {
            body: loc.clone(),
            project_ref: group_ref(ctx, obj),
            project: None,
        },
        kind: ClusterKind::Advanced,
        kind_loc: loc.into(),
        name: ctx.text(entry.get("name")),
        regions: advanced_regions(ctx, &entry),
        encryption_at_rest_provider: ctx.text(entry.get("encryptionAtRestProvider")),
        settings: Some(Box::new(crate::adapters::common::cluster_settings(
            ctx, &entry,
        ))),
    })
}

/// A generated `FlexCluster`: the kind itself is the Flex cluster.
pub(super) fn generated_flex(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Option<Cluster> {
    let entry = obj.entry();
    obj.spec.as_ref()?;
    let kind_loc = ctx.loc(&obj.kind);
    Some(Cluster {
        origin: Origin {
            body: kind_loc.clone(),
            project_ref: group_ref(ctx, obj),
            project: None,
        },
        kind: ClusterKind::Flex,
        kind_loc: kind_loc.into(),
        name: ctx.text(entry.as_ref().and_then(|e| e.get("name"))),
        regions: vec![provider_settings(
            ctx,
            entry.as_ref().and_then(|e| e.get("providerSettings")),
        )],
        encryption_at_rest_provider: None,
        settings: None,
    })
}

/// `replicationSpecs[].regionConfigs[]`, which have the Admin API's shape.
pub(super) fn advanced_regions(ctx: &LocCtx<'_>, body: &Cursor<'_>) -> Vec<RegionConfig> {
    let mut regions = Vec::new();
    for spec in body.get("replicationSpecs").iter().flat_map(|s| s.items()) {
        for rc in spec.get("regionConfigs").iter().flat_map(|r| r.items()) {
            regions.push(region_config(ctx, &rc));
        }
    }
    regions
}

/// Flex and serverless `providerSettings`. (The serverless `instanceSizeName` is deprecated
/// and has no effect, so it is not read.)
pub(super) fn provider_settings(ctx: &LocCtx<'_>, settings: Option<Cursor<'_>>) -> RegionConfig {
    let Some(s) = settings else {
        return RegionConfig::default();
    };
    RegionConfig {
        provider: ctx.text(s.get("providerName")),
        backing_provider: ctx.text(s.get("backingProviderName")).map(Box::new),
        region: ctx.text(s.get("regionName")),
        sizes: Vec::new(),
    }
}
