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
//! operator's `--atlas-domain` in workload container arguments (the forms the any-file adapter
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

mod deployments;
mod other_kinds;
pub(crate) use other_kinds::{
    CHART_DEFAULT_URI, CHART_WITHOUT_URI, OPERATOR_ARGUMENT, is_operator_chart,
};
mod projects;
pub(crate) mod render;

use crate::document::Cursor;
use crate::model::link::is_object_id;
use crate::model::{Loc, LocCtx, Model, Origin, Product, ProjectRef, Text};
use deployments::{atlas_deployment, generated_cluster, generated_flex};
use other_kinds::{
    OPERATOR_IMAGE, POD_KINDS, backup_schedule, database_user, generated_database_user,
    network_container, network_peering, operator_domain, private_endpoint, product,
    third_party_integration,
};
use projects::{atlas_project, group, project_parts};

/// The two API groups, and the operator's `--atlas-domain` flag in workload manifests.
pub const NEEDLES: &[&str] = &[
    "atlas.mongodb.com/v1",
    "atlas.generated.mongodb.com/v1",
    "atlas-domain",
    OPERATOR_IMAGE,
    other_kinds::OPERATOR_CHART,
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
    object(ctx, root, out, 0, None);
}

/// A rendering that objects belong to (a kustomize overlay, a Helm chart's values): the keys
/// its objects carry and use are its own, so that overlays of one base, each rendering the
/// same project, never reach each other's.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// Appended to every key the rendering's objects carry or use.
    pub id: String,
    /// Whether a project the rendering does not hold may be one outside it: its projects
    /// carry their plain keys too, and [`render`] lets a reference that finds none of them
    /// reach a plain one (kustomize: a project applied from another directory). Helm charts
    /// name their projects after an unknown release, so their references stay inside.
    pub fallback: bool,
}

/// The objects of a rendering (each root is one object; `List`s are entered): what the
/// rendering gives is what gets applied, so nothing is read as a patch of something else
/// (the operator's own workloads too: the per-file reading of their files gives way, see
/// `other_kinds::is_operator_endpoint`).
pub(crate) fn adapt_rendered(ctx: &LocCtx<'_>, root: &Cursor<'_>, scope: &Scope, out: &mut Model) {
    object(ctx, root, out, 0, Some(scope));
}

/// What every Kubernetes object has: identity and spec.
struct Object<'a> {
    cur: Cursor<'a>,
    kind: Cursor<'a>,
    name: Option<&'a str>,
    namespace: &'a str,
    spec: Option<Cursor<'a>>,
    scope: Option<&'a Scope>,
}

impl<'a> Object<'a> {
    /// A key as this object's rendering spells it (see [`Scope`]).
    fn scoped(&self, key: String) -> String {
        match self.scope {
            Some(scope) => format!("{key}@{}", scope.id),
            None => key,
        }
    }

    /// The keys a project object carries: its rendering's, and the plain one when references
    /// from outside the rendering may reach it.
    fn own_keys(&self, key: String) -> Vec<String> {
        match self.scope {
            Some(scope) if scope.fallback => vec![self.scoped(key.clone()), key],
            Some(_) => vec![self.scoped(key)],
            None => vec![key],
        }
    }

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

fn object(
    ctx: &LocCtx<'_>,
    cur: &Cursor<'_>,
    out: &mut Model,
    depth: usize,
    scope: Option<&Scope>,
) {
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
                    object(ctx, &item, out, depth + 1, scope);
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
        scope,
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
        (_, kind) if POD_KINDS.contains(&kind) => {
            operator_domain(ctx, &obj, out);
        }
        (api, "ClusterServiceVersion") if api.starts_with("operators.coreos.com/") => {
            operator_domain(ctx, &obj, out);
        }
        (api, "HelmRelease") if api.starts_with("helm.toolkit.fluxcd.io/") => {
            other_kinds::operator_chart_release(ctx, &obj, out);
        }
        (api, "Application") if api.starts_with("argoproj.io/") => {
            other_kinds::operator_chart_release(ctx, &obj, out);
        }
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

/// The key a patch of an `AtlasDeployment` (no project reference of its own) reaches the
/// project of the deployment of that name by (see [`crate::model::KeyAlias`]).
fn deployment_key(namespace: &str, name: &str) -> String {
    format!("k8s:AtlasDeployment:{namespace}/{name}")
}

/// The key an `AtlasBackupSchedule` is reached by (through the deployments that use it).
fn backup_key(namespace: &str, name: &str) -> String {
    format!("k8s:AtlasBackupSchedule:{namespace}/{name}")
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
        ProjectRef::Id(Box::new(id))
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
        Some(ProjectRef::Key(obj.scoped(project_key(namespace, name))))
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
        .map(|name| ProjectRef::Key(obj.scoped(group_key(obj.namespace, name))));
    let by_id = id_ref(ctx, versioned.get("groupId"));
    match (by_name, by_id) {
        (Some(r), None) | (None, Some(r)) => r,
        _ => ProjectRef::Unknown,
    }
}

/// The mapping under `key` (a null or scalar there is as good as absent).
fn map_at<'a>(cur: &Cursor<'a>, key: &str) -> Option<Cursor<'a>> {
    cur.get(key).filter(|c| c.node.as_map().is_some())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::document::{Limits, LineIndex, yaml};
    use crate::model::ClusterKind;

    fn model(text: &str) -> Model {
        let doc = yaml::parse(text, &Limits::default()).expect("parse");
        let index = LineIndex::new(text);
        let ctx = LocCtx::new(0, std::path::Path::new("test.yaml"), text, &index);
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
