//! Atlas Kubernetes Operator custom resources (`atlas.mongodb.com/v1`) and the operator's
//! experimental generated kinds (`atlas.generated.mongodb.com/v1`).
//!
//! Objects are recognised by `apiVersion` and `kind`, at the top level of every document of a
//! stream and inside `kind: List` (or `<Kind>List`) `items`. Every other Kubernetes object is
//! passed over. Field paths follow the operator's CRDs (`releases/v2.15.1/deploy/crds` and
//! `config/crd/bases`).
//!
//! Kinds read: `AtlasProject` (the project, and the resources it configures inline:
//! `networkPeers`, `privateEndpoints`, `encryptionAtRest`, `integrations`,
//! `alertConfigurations`), `AtlasDeployment` (`deploymentSpec`, `flexSpec`, `serverlessSpec`,
//! `backupRef`), `AtlasBackupSchedule` (`copySettings`), `AtlasDatabaseUser` (`scopes`),
//! `AtlasNetworkContainer`, `AtlasNetworkPeering`, `AtlasPrivateEndpoint`,
//! `AtlasThirdPartyIntegration`, `AtlasStreamInstance`, `AtlasStreamConnection`,
//! `AtlasDataFederation`; generated `Group`, `Cluster`, `FlexCluster`, `DatabaseUser`; and the
//! operator's `--atlas-domain` in workload container arguments (the forms the generic adapter
//! does not see).
//!
//! Project linking: an `AtlasProject` gets the key `k8s:<namespace>/<metadata.name>` and a
//! generated `Group` the key `k8s:Group:<namespace>/<metadata.name>` (they are different kinds,
//! so a `projectRef` never reaches a `Group` nor a `groupRef` an `AtlasProject`). The namespace
//! is the one the object declares in `metadata.namespace`; an object that declares none is
//! taken to be in `default`, where `kubectl apply` without `-n` puts it. A reference names its
//! project by `spec.projectRef.{name,namespace}` (the namespace defaults to the referring
//! object's own, as the operator does), by `spec.externalProjectRef.id` (a project id, matched
//! against a checked project's `status.id`), or for generated kinds by
//! `spec.v20250312.groupRef.name` (same namespace) or `spec.v20250312.groupId`. Anything else
//! leaves the project unknown: Kubernetes has no directory convention to fall back on.

use super::api::region_config;
use super::generic::sub_text;
use crate::document::Cursor;
use crate::model::link::is_object_id;
use crate::model::{
    AlertConfig, Cluster, ClusterKind, CopySetting, DatabaseUser, EncryptionAtRest, Endpoint,
    Integration, KeyAlias, Loc, LocCtx, Model, NetworkContainer, NetworkPeering, Notification,
    Origin, PrivateEndpoint, Product, ProductUse, Project, ProjectRef, RegionConfig, Text,
};

/// The two API groups, and the operator's `--atlas-domain` flag in workload manifests.
pub const NEEDLES: &[&str] = &[
    "atlas.mongodb.com/v1",
    "atlas.generated.mongodb.com/v1",
    "atlas-domain",
];

const ATLAS_V1: &str = "atlas.mongodb.com/v1";
const GENERATED_V1: &str = "atlas.generated.mongodb.com/v1";
/// The generated kinds' versioned spec.
const GENERATED_VERSION: &str = "v20250312";
/// The namespace of an object that declares none.
const DEFAULT_NAMESPACE: &str = "default";
/// Lists inside lists are unusual; deeper nesting than this is not followed.
const MAX_LIST_DEPTH: usize = 8;

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    object(ctx, root, out, 0);
}

/// What every Kubernetes object has: identity and spec.
struct Object<'a> {
    cur: Cursor<'a>,
    kind: Cursor<'a>,
    name: Option<&'a str>,
    namespace: &'a str,
    spec: Option<Cursor<'a>>,
}

impl<'a> Object<'a> {
    /// Where to point for the object as a whole: the key of `spec` (where missing fields
    /// go), else the `kind` value.
    fn anchor(&self, ctx: &LocCtx<'_>) -> Loc {
        self.cur
            .key("spec")
            .map_or_else(|| ctx.loc(&self.kind), |k| ctx.loc(&k))
    }

    /// A key of `spec` as a location, else the object's anchor.
    fn spec_key(&self, ctx: &LocCtx<'_>, key: &str) -> Loc {
        self.spec
            .as_ref()
            .and_then(|s| s.key(key))
            .map_or_else(|| self.anchor(ctx), |k| ctx.loc(&k))
    }

    /// A scalar under `spec`.
    fn spec_text(&self, ctx: &LocCtx<'_>, path: &[&str]) -> Option<Text> {
        ctx.text(self.spec.as_ref()?.path(path))
    }

    /// The generated kinds' `entry` key, else the object's anchor.
    fn entry_key(&self, ctx: &LocCtx<'_>) -> Loc {
        self.versioned()
            .and_then(|v| v.key("entry"))
            .map_or_else(|| self.anchor(ctx), |k| ctx.loc(&k))
    }

    /// The generated kinds' `spec.v20250312`.
    fn versioned(&self) -> Option<Cursor<'a>> {
        self.spec.as_ref()?.get(GENERATED_VERSION)
    }

    /// The generated kinds' `spec.v20250312.entry`.
    fn entry(&self) -> Option<Cursor<'a>> {
        self.versioned()?.get("entry")
    }
}

fn object(ctx: &LocCtx<'_>, cur: &Cursor<'_>, out: &mut Model, depth: usize) {
    let api_version = cur.get("apiVersion").and_then(|c| c.str());
    let Some(kind) = cur.get("kind") else { return };
    let (Some(api_version), Some(kind_name)) = (api_version, kind.str()) else {
        return;
    };
    // `kind: List` (kubectl) and typed lists (`AtlasDeploymentList`). `AtlasIPAccessList` ends
    // in `List` too, but has no `items`.
    if kind_name.ends_with("List") {
        if let Some(items) = cur.get("items").filter(|i| i.node.as_seq().is_some()) {
            if depth < MAX_LIST_DEPTH {
                for item in items.items() {
                    object(ctx, &item, out, depth + 1);
                }
            }
            return;
        }
    }
    let metadata = cur.get("metadata");
    let obj = Object {
        cur: cur.clone(),
        kind: kind.clone(),
        name: metadata
            .as_ref()
            .and_then(|m| m.get("name"))
            .and_then(|n| n.str())
            .filter(|n| !n.is_empty()),
        namespace: metadata
            .as_ref()
            .and_then(|m| m.get("namespace"))
            .and_then(|n| n.str())
            .filter(|n| !n.is_empty())
            .unwrap_or(DEFAULT_NAMESPACE),
        spec: cur.get("spec").filter(|s| s.node.as_map().is_some()),
    };
    match (api_version, kind_name) {
        (ATLAS_V1, "AtlasProject") => {
            out.projects.push(atlas_project(ctx, &obj));
            project_parts(ctx, &obj, out);
        }
        (ATLAS_V1, "AtlasDeployment") => atlas_deployment(ctx, &obj, out),
        (ATLAS_V1, "AtlasBackupSchedule") => backup_schedule(ctx, &obj, out),
        (ATLAS_V1, "AtlasDatabaseUser") => database_user(ctx, &obj, out),
        (ATLAS_V1, "AtlasNetworkContainer") => network_container(ctx, &obj, out),
        (ATLAS_V1, "AtlasNetworkPeering") => network_peering(ctx, &obj, out),
        (ATLAS_V1, "AtlasPrivateEndpoint") => private_endpoint(ctx, &obj, out),
        (ATLAS_V1, "AtlasThirdPartyIntegration") => third_party_integration(ctx, &obj, out),
        (ATLAS_V1, "AtlasStreamInstance") => {
            let providers = obj.spec_text(ctx, &["clusterConfig", "provider"]);
            product(
                ctx,
                &obj,
                out,
                Product::StreamProcessing,
                "stream processing instance",
                providers,
            );
        }
        (ATLAS_V1, "AtlasStreamConnection") => {
            product(
                ctx,
                &obj,
                out,
                Product::StreamProcessing,
                "stream connection",
                None,
            );
        }
        (ATLAS_V1, "AtlasDataFederation") => {
            let providers = obj.spec_text(ctx, &["dataProcessRegion", "cloudProvider"]);
            product(
                ctx,
                &obj,
                out,
                Product::DataFederation,
                "Data Federation instance",
                providers,
            );
        }
        (GENERATED_V1, "Group") => out.projects.push(group(ctx, &obj)),
        (GENERATED_V1, "Cluster") => out.clusters.extend(generated_cluster(ctx, &obj)),
        (GENERATED_V1, "FlexCluster") => out.clusters.extend(generated_flex(ctx, &obj)),
        (GENERATED_V1, "DatabaseUser") => generated_database_user(ctx, &obj, out),
        (_, kind) if POD_KINDS.contains(&kind) => operator_domain(ctx, &obj, out),
        _ => {}
    }
}

/// Where a resource's origin points: its own location, and the object's project reference.
fn origin_at(body: Loc, project_ref: &ProjectRef) -> Origin {
    Origin {
        body,
        project_ref: project_ref.clone(),
        project: None,
    }
}

/// A short location for a list item: its first key, else the item itself.
fn item_loc(ctx: &LocCtx<'_>, cur: &Cursor<'_>) -> Loc {
    cur.entries()
        .next()
        .map_or_else(|| ctx.loc(cur), |(k, _)| ctx.loc(&k))
}

/// The sequence under `key` of `cur`, item by item (nothing for anything else).
fn items_at<'a>(cur: Option<&Cursor<'a>>, key: &str) -> Vec<Cursor<'a>> {
    cur.and_then(|c| c.get(key))
        .map(|s| s.items().collect())
        .unwrap_or_default()
}

/// The resources an `AtlasProject` configures inline (the older, deprecated form of the
/// standalone kinds): they belong to the project itself.
fn project_parts(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = obj.spec.as_ref() else {
        return;
    };
    let project_ref = obj.name.map_or(ProjectRef::Unknown, |n| {
        ProjectRef::Key(project_key(obj.namespace, n))
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
        });
    }
    if let Some(ear) = map_at(spec, "encryptionAtRest") {
        let body = obj.spec_key(ctx, "encryptionAtRest");
        out.encryption_at_rest
            .push(encryption_at_rest(ctx, &ear, origin_at(body, &project_ref)));
    }
    for integration in items_at(Some(spec), "integrations") {
        if let Some(kind) = ctx.text(integration.get("type")) {
            out.integrations.push(Integration {
                origin: origin_at(item_loc(ctx, &integration), &project_ref),
                kind,
                region: ctx.text(integration.get("region")),
            });
        }
    }
    for alert in items_at(Some(spec), "alertConfigurations") {
        let notifications = items_at(Some(&alert), "notifications")
            .iter()
            .map(|n| Notification {
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
fn encryption_at_rest(ctx: &LocCtx<'_>, ear: &Cursor<'_>, origin: Origin) -> EncryptionAtRest {
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
        gcp_key_version_resource_id: None,
        gcp_kms_enabled: ear
            .get("googleCloudKms")
            .and_then(|g| g.get("enabled"))
            .filter(|e| e.node.as_bool() == Some(true))
            .and_then(|e| ctx.text(Some(e))),
        azure_key_vault,
    }
}

/// The key a patch of an `AtlasDeployment` (no project reference of its own) reaches the
/// project of the deployment of that name by (see [`crate::model::KeyAlias`]).
fn deployment_key(namespace: &str, name: &str) -> String {
    format!("k8s:AtlasDeployment:{namespace}/{name}")
}

/// The key an `AtlasBackupSchedule` is reached by (through the deployments that use it).
fn backup_key(namespace: &str, name: &str) -> String {
    format!("k8s:AtlasBackupSchedule:{namespace}/{name}")
}

/// `AtlasBackupSchedule`: its snapshot copy settings. It names no project; it belongs to the
/// project of the deployments whose `backupRef` names it (see [`crate::model::KeyAlias`]).
fn backup_schedule(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let project_ref = obj.name.map_or(ProjectRef::Unknown, |n| {
        ProjectRef::Key(backup_key(obj.namespace, n))
    });
    for copy in items_at(obj.spec.as_ref(), "copySettings") {
        out.copy_settings.push(CopySetting {
            origin: origin_at(item_loc(ctx, &copy), &project_ref),
            cloud_provider: ctx.text(copy.get("cloudProvider")),
            region: ctx.text(copy.get("regionName")),
        });
    }
}

fn database_user(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    out.database_users.push(DatabaseUser {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        username: ctx.text(spec.get("username")),
        scope_types: scope_types(ctx, spec),
    });
}

fn generated_database_user(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(entry) = obj.entry() else { return };
    out.database_users.push(DatabaseUser {
        origin: origin_at(obj.entry_key(ctx), &group_ref(ctx, obj)),
        username: ctx.text(entry.get("username")),
        scope_types: scope_types(ctx, &entry),
    });
}

/// `scopes[].type`.
fn scope_types(ctx: &LocCtx<'_>, body: &Cursor<'_>) -> Vec<Text> {
    items_at(Some(body), "scopes")
        .iter()
        .filter_map(|scope| ctx.text(scope.get("type")))
        .collect()
}

fn network_container(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    out.containers.push(NetworkContainer {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        provider: ctx.text(spec.get("provider")),
        // AWS and Azure containers only: GCP containers have no region in this CRD.
        regions: ctx.text(spec.get("region")).into_iter().collect(),
        id: ctx
            .text(spec.get("id"))
            .or_else(|| ctx.text(obj.cur.path(&["status", "id"]))),
    });
}

fn network_peering(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    out.peerings.push(NetworkPeering {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        provider: ctx.text(spec.get("provider")),
        accepter_region: ctx.text(spec.path(&["awsConfiguration", "accepterRegionName"])),
        container_id: ctx.text(spec.path(&["containerRef", "id"])),
        container_region: None,
    });
}

fn private_endpoint(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    out.private_endpoints.push(PrivateEndpoint {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        provider: ctx.text(spec.get("provider")),
        region: ctx.text(spec.get("region")),
    });
}

fn third_party_integration(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    let Some(kind) = ctx.text(spec.get("type")) else {
        return;
    };
    out.integrations.push(Integration {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        kind,
        region: ctx.text(spec.path(&["datadog", "region"])),
    });
}

/// A kind that is a product AtlasGov lacks as a whole: the `kind` itself is the finding.
fn product(
    ctx: &LocCtx<'_>,
    obj: &Object<'_>,
    out: &mut Model,
    product: Product,
    what: &'static str,
    provider: Option<Text>,
) {
    let kind_loc = ctx.loc(&obj.kind);
    out.products.push(ProductUse {
        origin: origin_at(kind_loc.clone(), &project_ref(ctx, obj)),
        product,
        what,
        loc: kind_loc,
        providers: provider.into_iter().collect(),
    });
}

/// Workload kinds whose pods may run the operator.
const POD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Job",
    "CronJob",
];

/// The operator's own Atlas domain in its container arguments, in the forms the generic
/// adapter (which reads `--atlas-domain=URL` in any string) does not see: a separate value
/// (`--atlas-domain`, `URL`) and the single-dash `-atlas-domain=URL` that Go flags accept.
fn operator_domain(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    let pod = match obj.kind.str() {
        Some("Pod") => Some(spec.clone()),
        Some("CronJob") => spec.path(&["jobTemplate", "spec", "template", "spec"]),
        _ => spec.path(&["template", "spec"]),
    };
    let Some(pod) = pod else { return };
    let containers = items_at(Some(&pod), "containers")
        .into_iter()
        .chain(items_at(Some(&pod), "initContainers"));
    for container in containers {
        for list in ["command", "args"] {
            let args = items_at(Some(&container), list);
            for (i, arg) in args.iter().enumerate() {
                let Some(text) = arg.str() else { continue };
                let url = if text == "--atlas-domain" || text == "-atlas-domain" {
                    args.get(i + 1)
                        .and_then(|next| ctx.text(Some(next.clone())))
                } else if let Some(rest) = text.strip_prefix("-atlas-domain=") {
                    sub_text(ctx, arg, rest)
                } else {
                    None
                };
                if let Some(url) = url {
                    out.endpoints.push(Endpoint {
                        url,
                        context: "operator --atlas-domain argument",
                    });
                }
            }
        }
    }
}

/// The key an `AtlasProject` is reached by.
fn project_key(namespace: &str, name: &str) -> String {
    format!("k8s:{namespace}/{name}")
}

/// The key a generated `Group` is reached by.
fn group_key(namespace: &str, name: &str) -> String {
    format!("k8s:Group:{namespace}/{name}")
}

/// A project id as a reference: only a real object id can be matched; a placeholder links
/// nothing (and must not fall back to directory linking, which Kubernetes does not have).
fn id_ref(ctx: &LocCtx<'_>, cur: Option<Cursor<'_>>) -> Option<ProjectRef> {
    let id = ctx.text(cur)?;
    Some(if is_object_id(id.as_str()) {
        ProjectRef::Id(id)
    } else {
        ProjectRef::Unknown
    })
}

/// `spec.projectRef` or `spec.externalProjectRef` of an `atlas.mongodb.com` object. Both or
/// neither (which the CRDs reject) leave the project unknown.
fn project_ref(ctx: &LocCtx<'_>, obj: &Object<'_>) -> ProjectRef {
    let Some(spec) = &obj.spec else {
        return ProjectRef::Unknown;
    };
    let by_name = spec.get("projectRef").and_then(|r| {
        let name = r.get("name")?.str().filter(|n| !n.is_empty())?;
        let namespace = r
            .get("namespace")
            .and_then(|n| n.str())
            .filter(|n| !n.is_empty())
            .unwrap_or(obj.namespace);
        Some(ProjectRef::Key(project_key(namespace, name)))
    });
    let by_id = id_ref(ctx, spec.path(&["externalProjectRef", "id"]));
    match (by_name, by_id) {
        (Some(r), None) | (None, Some(r)) => r,
        _ => ProjectRef::Unknown,
    }
}

/// `spec.v20250312.groupRef.name` (same namespace) or `spec.v20250312.groupId`.
fn group_ref(ctx: &LocCtx<'_>, obj: &Object<'_>) -> ProjectRef {
    let Some(versioned) = obj.versioned() else {
        return ProjectRef::Unknown;
    };
    let by_name = versioned
        .path(&["groupRef", "name"])
        .and_then(|n| n.str())
        .filter(|n| !n.is_empty())
        .map(|name| ProjectRef::Key(group_key(obj.namespace, name)));
    let by_id = id_ref(ctx, versioned.get("groupId"));
    match (by_name, by_id) {
        (Some(r), None) | (None, Some(r)) => r,
        _ => ProjectRef::Unknown,
    }
}

/// In an unrendered template, an action where `spec`'s entries go (`{{- toYaml .Values.spec |
/// nindent 2 }}`) may produce any of them: a field the spec leaves out is then unknown, not
/// absent (an unknown value at the object).
fn templated_spec_entries(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Option<Text> {
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

fn atlas_project(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Project {
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
        keys: obj
            .name
            .map(|n| project_key(obj.namespace, n))
            .into_iter()
            .collect(),
        // The CRD requires `spec.name`: an `AtlasProject` without it is a patch (a kustomize
        // overlay's strategic merge) of the project defined in the base.
        partial: spec.and_then(|s| s.get("name")).is_none(),
    }
}

fn group(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Project {
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
        keys: obj
            .name
            .map(|n| group_key(obj.namespace, n))
            .into_iter()
            .collect(),
        partial: false,
    }
}

/// An `AtlasDeployment`: one cluster per spec it carries (`deploymentSpec`, `flexSpec`,
/// `serverlessSpec`; the CRD allows one, but each one present is what the operator may apply).
fn atlas_deployment(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    // The CRD requires a project reference: a deployment without one is a patch (a kustomize
    // overlay's strategic merge) of the deployment of that name, whose project it inherits.
    let names_project =
        spec.get("projectRef").is_some() || spec.get("externalProjectRef").is_some();
    let project_ref = match obj.name {
        Some(name) if !names_project => ProjectRef::Key(deployment_key(obj.namespace, name)),
        _ => project_ref(ctx, obj),
    };
    if let (Some(name), true) = (obj.name, names_project) {
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
                key: backup_key(namespace, name),
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
            regions = super::api::legacy_regions(ctx, Some(settings), keyed);
        }
        out.clusters.push(Cluster {
            origin: origin(loc.clone()),
            kind: if legacy.is_some() {
                ClusterKind::Legacy
            } else {
                ClusterKind::Advanced
            },
            kind_loc: loc,
            name: ctx.text(ds.get("name")),
            regions,
            encryption_at_rest_provider: ctx.text(ds.get("encryptionAtRestProvider")),
        });
    }
    if let Some(flex) = map_at(spec, "flexSpec") {
        let loc = obj.spec_key(ctx, "flexSpec");
        out.clusters.push(Cluster {
            origin: origin(loc.clone()),
            kind: ClusterKind::Flex,
            kind_loc: loc,
            name: ctx.text(flex.get("name")),
            regions: vec![provider_settings(ctx, flex.get("providerSettings"))],
            encryption_at_rest_provider: None,
        });
    }
    if let Some(serverless) = map_at(spec, "serverlessSpec") {
        let loc = obj.spec_key(ctx, "serverlessSpec");
        out.clusters.push(Cluster {
            origin: origin(loc.clone()),
            kind: ClusterKind::Serverless,
            kind_loc: loc,
            name: ctx.text(serverless.get("name")),
            regions: vec![provider_settings(ctx, serverless.get("providerSettings"))],
            encryption_at_rest_provider: None,
        });
    }
}

/// A generated `Cluster`: an Admin API cluster body under `spec.v20250312.entry`.
fn generated_cluster(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Option<Cluster> {
    let entry = obj.entry()?;
    let loc = obj.entry_key(ctx);
    Some(Cluster {
        origin: Origin {
            body: loc.clone(),
            project_ref: group_ref(ctx, obj),
            project: None,
        },
        kind: ClusterKind::Advanced,
        kind_loc: loc,
        name: ctx.text(entry.get("name")),
        regions: advanced_regions(ctx, &entry),
        encryption_at_rest_provider: ctx.text(entry.get("encryptionAtRestProvider")),
    })
}

/// A generated `FlexCluster`: the kind itself is the Flex cluster.
fn generated_flex(ctx: &LocCtx<'_>, obj: &Object<'_>) -> Option<Cluster> {
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
        kind_loc,
        name: ctx.text(entry.as_ref().and_then(|e| e.get("name"))),
        regions: vec![provider_settings(
            ctx,
            entry.as_ref().and_then(|e| e.get("providerSettings")),
        )],
        encryption_at_rest_provider: None,
    })
}

/// The mapping under `key` (a null or scalar there is as good as absent).
fn map_at<'a>(cur: &Cursor<'a>, key: &str) -> Option<Cursor<'a>> {
    cur.get(key).filter(|c| c.node.as_map().is_some())
}

/// `replicationSpecs[].regionConfigs[]`, which have the Admin API's shape.
fn advanced_regions(ctx: &LocCtx<'_>, body: &Cursor<'_>) -> Vec<RegionConfig> {
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
fn provider_settings(ctx: &LocCtx<'_>, settings: Option<Cursor<'_>>) -> RegionConfig {
    let Some(s) = settings else {
        return RegionConfig::default();
    };
    RegionConfig {
        provider: ctx.text(s.get("providerName")),
        backing_provider: ctx.text(s.get("backingProviderName")),
        region: ctx.text(s.get("regionName")),
        sizes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::document::{Limits, LineIndex, yaml};

    fn model(text: &str) -> Model {
        let doc = yaml::parse(text, &Limits::default()).expect("parse");
        let index = LineIndex::new(text);
        let ctx = LocCtx {
            file: 0,
            path: std::path::Path::new("test.yaml"),
            text,
            index: &index,
            template_actions: &[],
        };
        let mut out = Model::default();
        for root in &doc.roots {
            adapt(&ctx, &Cursor::root(root), &mut out);
        }
        out
    }

    #[test]
    fn project_keys_use_the_declared_namespace_or_default() {
        let m = model(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: p, namespace: atlas}\nspec: {name: P}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: q}\nspec: {name: Q, regionUsageRestrictions: NONE}\n",
        );
        assert_eq!(m.projects.len(), 2);
        assert_eq!(m.projects[0].keys, vec!["k8s:atlas/p".to_string()]);
        assert_eq!(m.projects[0].region_usage, None);
        assert_eq!(m.projects[1].keys, vec!["k8s:default/q".to_string()]);
        assert_eq!(
            m.projects[1].region_usage.as_ref().map(|t| t.as_str()),
            Some("NONE")
        );
    }

    #[test]
    fn project_refs_default_to_the_referring_namespace() {
        let m = model(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: a, namespace: team}\nspec:\n  projectRef: {name: p}\n  deploymentSpec: {name: a}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: b, namespace: team}\nspec:\n  projectRef: {name: p, namespace: atlas}\n  deploymentSpec: {name: b}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: c}\nspec:\n  projectRef: {name: p}\n  deploymentSpec: {name: c}\n",
        );
        let refs: Vec<&ProjectRef> = m.clusters.iter().map(|c| &c.origin.project_ref).collect();
        assert_eq!(
            refs,
            vec![
                &ProjectRef::Key("k8s:team/p".into()),
                &ProjectRef::Key("k8s:atlas/p".into()),
                &ProjectRef::Key("k8s:default/p".into()),
            ]
        );
    }

    #[test]
    fn external_ids_link_only_when_real_and_alone() {
        let m = model(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n  externalProjectRef: {id: 66e2f2b621571b7e69a89b66}\n  deploymentSpec: {name: a}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n  externalProjectRef: {id: my-project-id}\n  deploymentSpec: {name: b}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n  projectRef: {name: p}\n  externalProjectRef: {id: 66e2f2b621571b7e69a89b66}\n  deploymentSpec: {name: c}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n  deploymentSpec: {name: d}\n",
        );
        assert_eq!(m.clusters.len(), 4);
        assert!(
            matches!(&m.clusters[0].origin.project_ref, ProjectRef::Id(id) if id.as_str() == "66e2f2b621571b7e69a89b66")
        );
        for c in &m.clusters[1..] {
            assert_eq!(c.origin.project_ref, ProjectRef::Unknown);
        }
    }

    #[test]
    fn lists_are_entered_and_other_objects_ignored() {
        let m = model(
            "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec: {replicas: 1}\n  - apiVersion: atlas.mongodb.com/v1\n    kind: AtlasDeployment\n    metadata: {name: x}\n    spec:\n      deploymentSpec:\n        replicationSpecs:\n          - regionConfigs:\n              - {providerName: AWS, regionName: US_GOV_WEST_1, electableSpecs: {instanceSize: M30}}\n  - apiVersion: example.com/v1\n    kind: AtlasProject\n    spec: {regionUsageRestrictions: GOV_REGIONS_ONLY}\n",
        );
        assert!(m.projects.is_empty());
        assert_eq!(m.clusters.len(), 1);
        let region = m.clusters[0].regions[0].region.as_ref().unwrap();
        assert_eq!(region.as_str(), "US_GOV_WEST_1");
        assert_eq!(
            &*region.loc.pointer,
            "/items/1/spec/deploymentSpec/replicationSpecs/0/regionConfigs/0/regionName"
        );
    }

    #[test]
    fn flex_and_serverless_specs_are_their_own_kinds() {
        let m = model(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n  flexSpec:\n    name: f\n    providerSettings: {backingProviderName: AWS, regionName: US_EAST_1}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n  serverlessSpec:\n    name: s\n    providerSettings: {providerName: SERVERLESS, backingProviderName: AWS, regionName: US_EAST_1}\n",
        );
        let kinds: Vec<ClusterKind> = m.clusters.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![ClusterKind::Flex, ClusterKind::Serverless]);
        assert_eq!(m.clusters[0].regions[0].cloud(), Some("AWS"));
        assert_eq!(m.clusters[1].regions[0].cloud(), Some("AWS"));
    }

    #[test]
    fn generated_kinds_read_the_versioned_entry() {
        let m = model(
            "apiVersion: atlas.generated.mongodb.com/v1\nkind: Group\nmetadata: {name: g, namespace: ns}\nspec:\n  v20250312:\n    entry: {name: G, orgId: x, regionUsageRestrictions: GOV_REGIONS_ONLY}\n---\napiVersion: atlas.generated.mongodb.com/v1\nkind: Cluster\nmetadata: {name: c, namespace: ns}\nspec:\n  v20250312:\n    groupRef: {name: g}\n    entry:\n      name: c\n      replicationSpecs:\n        - regionConfigs: [{providerName: GCP, regionName: CENTRAL_US_AW}]\n",
        );
        assert_eq!(m.projects[0].keys, vec!["k8s:Group:ns/g".to_string()]);
        assert_eq!(
            m.clusters[0].origin.project_ref,
            ProjectRef::Key("k8s:Group:ns/g".into())
        );
        assert_eq!(m.clusters[0].kind, ClusterKind::Advanced);
    }

    #[test]
    fn project_parts_belong_to_the_project_and_schedules_to_their_deployments() {
        let m = model(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: p, namespace: atlas}\nspec:\n  name: P\n  networkPeers: [{providerName: AWS, accepterRegionName: us-gov-west-1, containerRegion: US_GOV_WEST_1}]\n  privateEndpoints: [{provider: AWS, region: US_GOV_EAST_1}]\n  encryptionAtRest: {awsKms: {enabled: true, region: US_GOV_WEST_1}}\n  integrations: [{type: DATADOG, region: US1_FED}]\n  alertConfigurations: [{eventTypeName: HOST_DOWN, notifications: [{typeName: DATADOG, datadogRegion: US1_FED}]}]\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata: {name: d, namespace: apps}\nspec:\n  projectRef: {name: p, namespace: atlas}\n  backupRef: {name: s}\n  deploymentSpec: {name: d}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasBackupSchedule\nmetadata: {name: s, namespace: apps}\nspec:\n  copySettings: [{cloudProvider: AWS, regionName: US_GOV_EAST_1}]\n",
        );
        let own = ProjectRef::Key("k8s:atlas/p".into());
        assert_eq!(m.peerings[0].origin.project_ref, own);
        assert_eq!(
            m.peerings[0].container_region.as_ref().map(|t| t.as_str()),
            Some("US_GOV_WEST_1")
        );
        assert_eq!(m.private_endpoints[0].origin.project_ref, own);
        assert_eq!(m.encryption_at_rest[0].origin.project_ref, own);
        assert_eq!(m.integrations[0].origin.project_ref, own);
        assert_eq!(m.alert_configs[0].notifications.len(), 1);
        let schedule = ProjectRef::Key("k8s:AtlasBackupSchedule:apps/s".into());
        assert_eq!(m.copy_settings[0].origin.project_ref, schedule);
        let alias = |key: &str| m.key_aliases.iter().find(|a| a.key == key).unwrap();
        assert_eq!(alias("k8s:AtlasBackupSchedule:apps/s").via.project_ref, own);
        // A patch of deployment `d` (no project reference) reaches its project through it.
        assert_eq!(alias("k8s:AtlasDeployment:apps/d").via.project_ref, own);
    }

    #[test]
    fn products_point_at_the_kind() {
        let m = model(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasStreamInstance\nspec:\n  clusterConfig: {provider: AZURE}\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDataFederation\nspec: {name: lake}\n",
        );
        assert_eq!(m.products.len(), 2);
        assert_eq!(&*m.products[0].loc.pointer, "/kind");
        assert_eq!(m.products[0].providers[0].as_str(), "AZURE");
        assert_eq!(m.products[1].product, Product::DataFederation);
    }

    #[test]
    fn operator_domain_in_separate_and_single_dash_arguments() {
        let m = model(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - args: [--atlas-domain, 'https://cloud.mongodb.com/', -atlas-domain=https://x.example/, --atlas-domain]\n",
        );
        let urls: Vec<&str> = m.endpoints.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(
            urls,
            vec!["https://cloud.mongodb.com/", "https://x.example/"]
        );
        assert!(m.is_empty());
    }

    #[test]
    fn hostile_shapes_do_not_panic() {
        for text in [
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec: 3\n",
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: [1]\n",
            "apiVersion: [atlas.mongodb.com/v1]\nkind: {a: 1}\n",
            "kind: List\napiVersion: v1\nitems: {a: 1}\n",
            "apiVersion: atlas.generated.mongodb.com/v1\nkind: FlexCluster\nspec: {v20250312: {groupRef: 1, entry: []}}\n",
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nmetadata: {name: p}\nspec: {networkPeers: 1, privateEndpoints: [1, [2]], encryptionAtRest: [], integrations: [{type: [1]}], alertConfigurations: [{notifications: {a: 1}}]}\n",
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasBackupSchedule\nspec: {copySettings: {a: 1}}\n",
            "apiVersion: apps/v1\nkind: CronJob\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{args: 1}, 2]}}}}}\n",
            "apiVersion: v1\nkind: Pod\nspec: {containers: [{command: [-atlas-domain]}]}\n",
        ] {
            let _ = model(text);
        }
        let m = model(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec: {deploymentSpec: {replicationSpecs: 1}, flexSpec: [], serverlessSpec: null}\n",
        );
        let kinds: Vec<ClusterKind> = m.clusters.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![ClusterKind::Advanced]);
        assert!(m.clusters[0].regions.is_empty());
        // Lists nested deeper than the limit are not followed (and do not recurse forever).
        let mut text = String::from(
            "apiVersion: atlas.mongodb.com/v1\nkind: AtlasProject\nspec: {name: deep}\n",
        );
        for _ in 0..20 {
            let indented: String = text.lines().map(|l| format!("    {l}\n")).collect();
            text = format!("apiVersion: v1\nkind: List\nitems:\n  -\n{indented}");
        }
        assert!(model(&text).projects.is_empty());
    }
}
