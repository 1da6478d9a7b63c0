//! The other kinds: backup schedules, database users, network containers and peerings,
//! private endpoints, integrations, the products AtlasGov lacks, and the operator's own
//! workloads.

use super::{Object, backup_key, group_ref, item_loc, items_at, origin_at, project_ref};
use crate::adapters::common::{entry_slot, sub_text};
use crate::document::{Cursor, Value};
use crate::model::{
    CopySetting, DatabaseUser, Endpoint, Integration, LocCtx, Model, NetworkContainer,
    NetworkPeering, PrivateEndpoint, Product, ProductUse, ProjectRef, Text, intern_value,
};

/// `AtlasBackupSchedule`: its snapshot copy settings. It names no project; it belongs to the
/// project of the deployments whose `backupRef` names it (see [`crate::model::KeyAlias`]).
pub(super) fn backup_schedule(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let project_ref = obj.name.map_or(ProjectRef::Unknown, |n| {
        ProjectRef::Key(obj.scoped(backup_key(obj.namespace, n)))
    });
    for copy in items_at(obj.spec.as_ref(), "copySettings") {
        out.copy_settings.push(CopySetting {
            origin: origin_at(item_loc(ctx, &copy), &project_ref),
            cloud_provider: ctx.text(copy.get("cloudProvider")),
            region: ctx.text(copy.get("regionName")),
        });
    }
}

pub(super) fn database_user(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    out.database_users.push(DatabaseUser {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        username: ctx.text(spec.get("username")),
        scope_types: scope_types(ctx, spec),
    });
}

pub(super) fn generated_database_user(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(entry) = obj.entry() else { return };
    out.database_users.push(DatabaseUser {
        origin: origin_at(obj.entry_key(ctx), &group_ref(ctx, obj)),
        username: ctx.text(entry.get("username")),
        scope_types: scope_types(ctx, &entry),
    });
}

/// `scopes[].type`.
pub(super) fn scope_types(ctx: &LocCtx<'_>, body: &Cursor<'_>) -> Vec<Text> {
    items_at(Some(body), "scopes")
        .iter()
        .filter_map(|scope| ctx.text(scope.get("type")))
        .collect()
}

pub(super) fn network_container(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
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

pub(super) fn network_peering(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    out.peerings.push(NetworkPeering {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        provider: ctx.text(spec.get("provider")),
        accepter_region: ctx.text(spec.path(&["awsConfiguration", "accepterRegionName"])),
        container_id: ctx.text(spec.path(&["containerRef", "id"])),
        container_region: None,
    });
}

pub(super) fn private_endpoint(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    out.private_endpoints.push(PrivateEndpoint {
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        provider: ctx.text(spec.get("provider")),
        region: ctx.text(spec.get("region")),
        remote_regions: spec
            .get("supportedRegions")
            .iter()
            .flat_map(|r| r.items())
            .filter_map(|r| ctx.text(Some(r)))
            .collect(),
    });
}

pub(super) fn third_party_integration(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    let Some(kind) = ctx.text(spec.get("type")) else {
        return;
    };
    let datadog = spec.get("datadog");
    // The CRD requires `datadog.region` (no default): where `datadog` is written without it,
    // the one region AtlasGov allows is added as its first entry.
    let region_slot = datadog
        .as_ref()
        .filter(|d| kind.is("DATADOG") && d.get("region").is_none())
        .and_then(|d| entry_slot(ctx, d, "region", "US1_FED"));
    out.integrations.push(Integration {
        region_slot,
        region_required: true,
        origin: origin_at(obj.anchor(ctx), &project_ref(ctx, obj)),
        region: ctx.text(datadog.and_then(|d| d.get("region"))),
        kind,
    });
}

/// A kind that is a product AtlasGov lacks as a whole: the `kind` itself is the finding.
pub(super) fn product(
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
pub(super) const POD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Job",
    "CronJob",
];

/// The operator's own Atlas domain in its container arguments: `--atlas-domain=URL` (which
/// the any-file adapter reads in any string too, but not in a rendering), a separate value
/// (`--atlas-domain`, `URL`) and the single-dash `-atlas-domain=URL` that Go flags accept.
pub(super) fn operator_domain(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    let kind = obj.kind.str().unwrap_or("");
    for container in workload_containers(kind, spec) {
        operator_without_domain(ctx, &container, out);
        for list in ["command", "args"] {
            let args = items_at(Some(&container), list);
            for (i, arg) in args.iter().enumerate() {
                let Some(text) = arg.str() else { continue };
                let url = if text == "--atlas-domain" || text == "-atlas-domain" {
                    args.get(i + 1)
                        .and_then(|next| ctx.text(Some(next.clone())))
                } else if let Some(rest) = text
                    .strip_prefix("-atlas-domain=")
                    .or_else(|| text.trim_start().strip_prefix("--atlas-domain="))
                {
                    sub_text(ctx, arg, rest)
                } else {
                    None
                };
                if let Some(url) = url {
                    out.endpoints.push(Endpoint::new(url, OPERATOR_ARGUMENT));
                }
            }
        }
    }
}

/// What an endpoint read from the operator's `--atlas-domain` is (the any-file adapter, which
/// reads `--atlas-domain=URL` in any string, says the same).
pub(crate) const OPERATOR_ARGUMENT: &str = "operator --atlas-domain argument";
/// What the endpoint of an operator container without `--atlas-domain` is.
const WITHOUT_DOMAIN: &str = "the Atlas Kubernetes Operator, started without --atlas-domain,";

/// Whether an endpoint is the operator's (its `--atlas-domain`, or its absence) read in a
/// workload's container (its image or arguments: `/spec/template/spec/containers/0/args/1`, a
/// CronJob's, a Pod's, a ClusterServiceVersion's), which a rendering of the workload gives
/// again. Other endpoints of its file (an Admin API URL a container's script calls, a
/// `--atlas-domain=` in a ConfigMap's script) are read on their own.
pub(crate) fn is_operator_endpoint(e: &Endpoint) -> bool {
    if ![OPERATOR_ARGUMENT, WITHOUT_DOMAIN].contains(&e.context) {
        return false;
    }
    let mut parts = e.url.loc.pointer.rsplit('/');
    let last = parts.next().unwrap_or("");
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // The container's own `image`, or an item of its `args` or `command`.
    let in_container =
        last == "image" || (number(last) && matches!(parts.next(), Some("args" | "command")));
    let index = parts.next().filter(|_| in_container);
    index.is_some_and(number) && matches!(parts.next(), Some("containers" | "initContainers"))
}

/// The name of the Atlas Kubernetes Operator's Helm chart (`mongodb/helm-charts`,
/// `charts/atlas-operator`), whose `atlasURI` value becomes the operator's `--atlas-domain`.
pub(crate) const OPERATOR_CHART: &str = "mongodb-atlas-operator";

/// What the endpoint of a release of the operator's chart without `atlasURI` is.
pub(crate) const CHART_WITHOUT_URI: &str =
    "the Atlas Kubernetes Operator's Helm chart, installed without atlasURI,";

/// The chart's default `atlasURI` (its `values.yaml`: "You should not change this value").
pub(crate) const CHART_DEFAULT_URI: &str = "https://cloud.mongodb.com/";

/// Whether a chart reference names the operator's chart (`mongodb-atlas-operator`,
/// `mongodb/mongodb-atlas-operator`, `oci://.../mongodb-atlas-operator`).
pub(crate) fn is_operator_chart(reference: &str) -> bool {
    reference.trim_end_matches('/').rsplit('/').next() == Some(OPERATOR_CHART)
}

/// A GitOps release of the operator's chart (a Flux `HelmRelease`, each chart source of an Argo
/// CD `Application`) whose values leave `atlasURI` at the chart's default: commercial Atlas,
/// reported at the chart's name. Values the manifest does not hold (Flux `valuesFrom`, Argo CD
/// `valueFiles`, a YAML string or parameter that names `atlasURI`) may set it: silent. An
/// `atlasURI` written there is judged where it is written (any file's URL settings).
pub(super) fn operator_chart_release(ctx: &LocCtx<'_>, obj: &Object<'_>, out: &mut Model) {
    let Some(spec) = &obj.spec else { return };
    let mut releases: Vec<(Cursor<'_>, bool)> = Vec::new();
    let sets_uri = |values: Option<Cursor<'_>>| -> bool {
        values.is_some_and(|v| match v.str() {
            Some(text) => text.contains("atlasURI"),
            None => v.get("atlasURI").is_some() || v.node.as_map().is_none(),
        })
    };
    if obj.kind.str() == Some("HelmRelease") {
        // The chart, or a chart reference (Flux 2.3 and later) to a source object named after
        // it (an `OCIRepository` or `HelmChart` of another name is not followed here).
        let chart = spec.path(&["chart", "spec", "chart"]).or_else(|| {
            let reference = spec.get("chartRef")?;
            reference
                .get("kind")
                .and_then(|k| k.str())
                .is_some_and(|k| matches!(k, "OCIRepository" | "HelmChart"))
                .then(|| reference.get("name"))?
        });
        if let Some(chart) = chart {
            let elsewhere = spec
                .get("valuesFrom")
                .is_some_and(|v| v.items().next().is_some());
            releases.push((chart, elsewhere || sets_uri(spec.get("values"))));
        }
    } else {
        let sources = spec.get("source").into_iter().chain(
            spec.get("sources")
                .into_iter()
                .flat_map(|s| s.items().collect::<Vec<_>>()),
        );
        for source in sources {
            let Some(chart) = source.get("chart") else {
                continue;
            };
            let helm = source.get("helm");
            let set = helm.as_ref().is_some_and(|h| {
                h.get("valueFiles").is_some_and(|f| f.items().next().is_some())
                    || sets_uri(h.get("valuesObject"))
                    || sets_uri(h.get("values"))
                    // A parameter named `atlasURI`, or one whose name is not written out.
                    || h.get("parameters").is_some_and(|p| {
                        p.items().any(|i| {
                            i.get("name")
                                .and_then(|n| n.str().map(|n| n == "atlasURI"))
                                .unwrap_or(true)
                        })
                    })
            });
            releases.push((chart, set));
        }
    }
    for (chart, set) in releases {
        if set || !chart.str().is_some_and(is_operator_chart) {
            continue;
        }
        let Some(at) = ctx.text(Some(chart)) else {
            continue;
        };
        out.endpoints.push(Endpoint::new(
            Text {
                value: intern_value(CHART_DEFAULT_URI),
                loc: at.loc,
            },
            CHART_WITHOUT_URI,
        ));
    }
}

/// The image name of the Atlas Kubernetes Operator (Docker Hub, Quay, a registry mirror).
pub(super) const OPERATOR_IMAGE: &str = "mongodb-atlas-kubernetes-operator";

/// The operator's container started without `--atlas-domain`: the operator then talks to its
/// default, `https://cloud.mongodb.com/` (it reads the domain from no environment variable).
/// Reported at the image. Arguments the file does not spell out (not a list, an item that is
/// not a string, `$(VAR)` expansions, template placeholders) may set it: those stay silent.
fn operator_without_domain(ctx: &LocCtx<'_>, container: &Cursor<'_>, out: &mut Model) {
    let Some(image) = ctx.text(container.get("image")) else {
        return;
    };
    if !image.as_str().to_ascii_lowercase().contains(OPERATOR_IMAGE) {
        return;
    }
    for list in ["command", "args"] {
        let Some(value) = container.get(list) else {
            continue;
        };
        let items = match &value.node.value {
            Value::Null => continue,
            Value::Seq(_) => value.items(),
            // Not a list (a placeholder, a template's output): unknown.
            _ => return,
        };
        for item in items {
            match item.str() {
                Some(text)
                    if !text.contains("atlas-domain")
                        && !text.contains("$(")
                        && !text.contains("${")
                        && !text.contains("{{") => {}
                _ => return,
            }
        }
    }
    out.endpoints.push(Endpoint::new(
        Text {
            value: intern_value("https://cloud.mongodb.com/"),
            loc: image.loc,
        },
        WITHOUT_DOMAIN,
    ));
}

/// The containers (and init containers) of a workload's pods, by its kind and `spec`: one of
/// [`POD_KINDS`], or an OLM `ClusterServiceVersion` (how OperatorHub installs the operator),
/// whose `spec.install.spec.deployments` are `Deployment`s. None for another kind.
fn workload_containers<'a>(kind: &str, spec: &Cursor<'a>) -> Vec<Cursor<'a>> {
    if kind == "ClusterServiceVersion" {
        return items_at(spec.path(&["install", "spec"]).as_ref(), "deployments")
            .iter()
            .filter_map(|d| d.get("spec"))
            .flat_map(|s| workload_containers("Deployment", &s))
            .collect();
    }
    if !POD_KINDS.contains(&kind) {
        return Vec::new();
    }
    let pod = match kind {
        "Pod" => Some(spec.clone()),
        "CronJob" => spec.path(&["jobTemplate", "spec", "template", "spec"]),
        _ => spec.path(&["template", "spec"]),
    };
    let Some(pod) = pod else { return Vec::new() };
    items_at(Some(&pod), "containers")
        .into_iter()
        .chain(items_at(Some(&pod), "initContainers"))
        .collect()
}

/// Whether a workload object (of one of [`POD_KINDS`]) runs the operator, or names its
/// domain flag: what a kustomize rendering keeps besides Atlas objects.
pub(super) fn runs_operator(kind: &str, node: &crate::document::Node) -> bool {
    let Some(spec) = Cursor::root(node).get("spec") else {
        return false;
    };
    let pods = workload_containers(kind, &spec);
    pods.iter().any(|c| {
        c.get("image")
            .and_then(|i| i.str())
            .is_some_and(|i| i.to_ascii_lowercase().contains(OPERATOR_IMAGE))
            || ["command", "args"].iter().any(|list| {
                items_at(Some(c), list)
                    .iter()
                    .any(|a| a.str().is_some_and(|t| t.contains("atlas-domain")))
            })
    })
}
