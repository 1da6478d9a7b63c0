//! What the charts' templates render from merged values (read at mongodb/helm-charts
//! @d9e49b22), as operator objects whose values are the values files' own nodes:
//!
//! - `atlas-deployment` (`templates/atlas-project.yaml`, `atlas-deployment.yaml`,
//!   `atlas-mongodb-user.yaml`): an `AtlasProject` when `project.create` (`spec.name` from
//!   `project.atlasProjectName`); per item of `deployments`, an `AtlasDeployment` with the
//!   item's `deploymentSpec`, `serverlessSpec`, `flexSpec` (and, up to chart 1.0.1,
//!   `advancedDeploymentSpec`) copied by `toYaml`; per item of `users` (when the project is
//!   created), an `AtlasDatabaseUser` with its `username` and `scopes`.
//! - `atlas-basic`: an `AtlasProject` and one shared-tier region config (`providerName:
//!   TENANT` from the template, `backingProviderName` from `deployment.providerName`,
//!   `deployment.regionName`, `deployment.instanceSize`).
//! - `atlas-advanced`: an `AtlasProject` and a region config per `deployment.regions` item
//!   (`name`, `providerName` as provider and backing provider, `instanceSize`, and
//!   `autoscaling.min`/`max` when `autoscaling.enabled`).
//!
//! No template of these charts sets `regionUsageRestrictions`.

use super::Chart;
use super::values::truthy;
use crate::document::{Entry, Node, Span, Value};

/// What the chart's templates render from `values`, as operator objects. `own` is the values
/// file judged (or its part for this chart): a value the templates hard-code is located at the
/// key of `own` it belongs with, or at `own`'s first key.
pub(super) fn objects(chart: Chart, values: &Node, own: &Node, forked: bool) -> Vec<Node> {
    let first = own
        .as_map()
        .and_then(|m| m.first())
        .map_or(own.span, |e| e.key.span);
    let anchor = |key: &str| {
        values
            .as_map()
            .unwrap_or_default()
            .iter()
            .rev()
            .find(|e| e.key.scalar_text() == Some(key))
            .map_or(first, |e| e.key.span)
    };
    let project_at = anchor("project");
    // The release's names are unknown: the chart's project and its references share one
    // stand-in name, so they link within this rendering.
    let release_ns = text("<release namespace>", project_at);
    let project_name = text("<release>-project", project_at);
    let mut out = Vec::new();
    let project = values.get("project");
    // The project the chart creates, named `spec.name` when that is known.
    let project_object = |name: Option<&Node>| {
        let mut spec = optional(&[("name", name)]);
        spec.extend(forked_usage(forked, project_at));
        object("AtlasProject", &project_name, &release_ns, project_at, spec)
    };
    match chart {
        Chart::Deployment => {
            // `project.create` defaults to true in every version of the chart.
            let create = project
                .and_then(|p| p.get("create"))
                .is_none_or(|c| truthy(Some(c)));
            if create {
                out.push(project_object(
                    project.and_then(|p| p.get("atlasProjectName")),
                ));
            }
            for d in values
                .get("deployments")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let mut spec = vec![project_ref(&project_name, d.span)];
                let written = |key: &str| {
                    d.as_map()
                        .unwrap_or_default()
                        .iter()
                        .rev()
                        .find(|e| e.key.scalar_text() == Some(key))
                        .filter(|e| truthy(Some(&e.value)))
                };
                // In the template's order of `spec`.
                for key in [
                    "deploymentSpec",
                    "advancedDeploymentSpec",
                    "serverlessSpec",
                    "flexSpec",
                ] {
                    spec.extend(written(key).cloned());
                }
                // `metadata.name` in the template's order of precedence.
                let name = [
                    "serverlessSpec",
                    "advancedDeploymentSpec",
                    "deploymentSpec",
                    "flexSpec",
                ]
                .into_iter()
                .find_map(written)
                .and_then(|e| e.value.get("name").cloned());
                let name = name.unwrap_or_else(|| text("<deployment>", d.span));
                out.push(object("AtlasDeployment", &name, &release_ns, d.span, spec));
            }
            if create {
                for u in values
                    .get("users")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    let mut spec = vec![project_ref(&project_name, u.span)];
                    spec.extend(optional(&[
                        ("username", u.get("username")),
                        ("scopes", u.get("scopes")),
                    ]));
                    let name = text("<release>-user", u.span);
                    out.push(object(
                        "AtlasDatabaseUser",
                        &name,
                        &release_ns,
                        u.span,
                        spec,
                    ));
                }
            }
        }
        Chart::Basic | Chart::Advanced => {
            let name = project
                .and_then(|p| p.get("name"))
                .filter(|n| truthy(Some(n)));
            out.push(project_object(name));
            let deployment = values.get("deployment");
            let at = anchor("deployment");
            let configs = match chart {
                Chart::Basic => {
                    let d = deployment;
                    let get = |k: &str| d.and_then(|d| d.get(k));
                    vec![region_config(
                        at,
                        get("regionName"),
                        get("instanceSize"),
                        Some(text("TENANT", at)),
                        get("providerName"),
                        None,
                    )]
                }
                Chart::Advanced | Chart::Deployment => deployment
                    .and_then(|d| d.get("regions"))
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(|r| {
                        let scaling = r.get("autoscaling").filter(|a| truthy(a.get("enabled")));
                        region_config(
                            r.span,
                            r.get("name"),
                            r.get("instanceSize"),
                            r.get("providerName").cloned(),
                            r.get("providerName"),
                            scaling,
                        )
                    })
                    .collect(),
            };
            let replication = map(
                vec![(
                    text("regionConfigs", at),
                    Node::new(Value::Seq(configs), at),
                )],
                at,
            );
            let deployment_spec = map(
                vec![(
                    text("replicationSpecs", at),
                    Node::new(Value::Seq(vec![replication]), at),
                )],
                at,
            );
            let spec = vec![
                project_ref(&project_name, at),
                Entry {
                    key: text("deploymentSpec", at),
                    value: deployment_spec,
                },
            ];
            let name = text("<release>-deployment", at);
            out.push(object("AtlasDeployment", &name, &release_ns, at, spec));
        }
    }
    out
}

/// The region usage a forked chart's template sets from values: unknown here.
fn forked_usage(forked: bool, at: Span) -> Option<Entry> {
    forked.then(|| Entry {
        key: text("regionUsageRestrictions", at),
        value: Node {
            value: Value::String("{{ .Values }}".into()),
            span: at,
            tag: Some(arcstr::literal!(crate::document::TEMPLATE_TAG)),
        },
    })
}

/// One region config of atlas-basic or atlas-advanced.
fn region_config(
    at: Span,
    region: Option<&Node>,
    size: Option<&Node>,
    provider: Option<Node>,
    backing: Option<&Node>,
    scaling: Option<&Node>,
) -> Node {
    let mut entries = Vec::new();
    if let Some(p) = provider {
        entries.push((text("providerName", p.span), p));
    }
    if let Some(b) = backing {
        entries.push((text("backingProviderName", b.span), b.clone()));
    }
    if let Some(r) = region {
        entries.push((text("regionName", r.span), r.clone()));
    }
    if let Some(s) = size {
        entries.push((
            text("electableSpecs", s.span),
            map(vec![(text("instanceSize", s.span), s.clone())], s.span),
        ));
    }
    if let Some(a) = scaling {
        let mut compute = vec![(
            text("enabled", a.span),
            Node::new(Value::Bool(true), a.span),
        )];
        if let Some(min) = a.get("min") {
            compute.push((text("minInstanceSize", min.span), min.clone()));
        }
        if let Some(max) = a.get("max") {
            compute.push((text("maxInstanceSize", max.span), max.clone()));
        }
        entries.push((
            text("autoScaling", a.span),
            map(
                vec![(text("compute", a.span), map(compute, a.span))],
                a.span,
            ),
        ));
    }
    map(entries, at)
}

/// `projectRef: {name: ...}`, located at `at`.
fn project_ref(project_name: &Node, at: Span) -> Entry {
    Entry {
        key: text("projectRef", at),
        value: map(vec![(text("name", at), project_name.clone())], at),
    }
}

/// The entries whose values are present.
fn optional(entries: &[(&str, Option<&Node>)]) -> Vec<Entry> {
    entries
        .iter()
        .filter_map(|(k, v)| {
            let v = (*v)?;
            Some(Entry {
                key: text(k, v.span),
                value: v.clone(),
            })
        })
        .collect()
}

fn text(value: &str, at: Span) -> Node {
    Node::new(Value::String(value.into()), at)
}

fn map(entries: Vec<(Node, Node)>, at: Span) -> Node {
    Node::new(
        Value::Map(
            entries
                .into_iter()
                .map(|(key, value)| Entry { key, value })
                .collect(),
        ),
        at,
    )
}

/// An operator object: its `spec` key (where a finding about the object as a whole points)
/// is located at `at`.
fn object(kind: &str, name: &Node, namespace: &Node, at: Span, spec: Vec<Entry>) -> Node {
    map(
        vec![
            (text("apiVersion", at), text("atlas.mongodb.com/v1", at)),
            (text("kind", at), text(kind, at)),
            (
                text("metadata", at),
                map(
                    vec![
                        (text("name", at), name.clone()),
                        (text("namespace", at), namespace.clone()),
                    ],
                    at,
                ),
            ),
            (text("spec", at), Node::new(Value::Map(spec), at)),
        ],
        at,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    //! What each chart renders from values, written out by hand from its templates
    //! (mongodb/helm-charts @d9e49b22), for the fields that are read: the release's names
    //! are stand-ins (`<release>-project`, `<release namespace>`).

    use super::*;
    use crate::adapters::kubernetes::render::first_doc as doc;
    use crate::adapters::kubernetes::render::tests::canonical;
    use crate::document::{Limits, yaml};

    fn renders(chart: Chart, values: &str, expected: &str) {
        let values = doc(values);
        let ours: Vec<String> = objects(chart, &values, &values, false)
            .iter()
            .map(canonical)
            .collect();
        let theirs: Vec<String> = yaml::parse(expected, &Limits::default())
            .unwrap()
            .roots
            .iter()
            .map(canonical)
            .collect();
        assert_eq!(ours, theirs);
    }

    const HEAD: &str = "apiVersion: atlas.mongodb.com/v1\n";
    const NS: &str = "namespace: <release namespace>";
    const REF: &str = "projectRef: {name: <release>-project}";

    #[test]
    fn atlas_deployment_renders_its_project_deployments_and_users() {
        let values = "\
project: {create: true, name: claims, atlasProjectName: Claims Processing}
deployments:
  - deploymentSpec:
      name: claims
      clusterType: REPLICASET
      replicationSpecs: [{zoneName: Z, regionConfigs: [{providerName: AWS, regionName: US_GOV_WEST_1, electableSpecs: {instanceSize: M30, nodeCount: 3}, priority: 7}]}]
  - serverlessSpec: {name: events, providerSettings: {providerName: SERVERLESS, backingProviderName: AWS, regionName: US_GOV_WEST_1}}
  - flexSpec: {name: scratch, providerSettings: {backingProviderName: AWS, regionName: US_GOV_EAST_1}}
    annotations: {mongodb.com/atlas-resource-policy: keep}
users:
  - {username: reporting, databaseName: admin, roles: [{roleName: read, databaseName: claims}], scopes: [{name: claims, type: CLUSTER}]}
";
        let expected = format!(
            "\
{HEAD}kind: AtlasProject
metadata: {{name: <release>-project, {NS}}}
spec: {{name: Claims Processing}}
---
{HEAD}kind: AtlasDeployment
metadata: {{name: claims, {NS}}}
spec:
  {REF}
  deploymentSpec:
    name: claims
    clusterType: REPLICASET
    replicationSpecs: [{{zoneName: Z, regionConfigs: [{{providerName: AWS, regionName: US_GOV_WEST_1, electableSpecs: {{instanceSize: M30, nodeCount: 3}}, priority: 7}}]}}]
---
{HEAD}kind: AtlasDeployment
metadata: {{name: events, {NS}}}
spec:
  {REF}
  serverlessSpec: {{name: events, providerSettings: {{providerName: SERVERLESS, backingProviderName: AWS, regionName: US_GOV_WEST_1}}}}
---
{HEAD}kind: AtlasDeployment
metadata: {{name: scratch, {NS}}}
spec:
  {REF}
  flexSpec: {{name: scratch, providerSettings: {{backingProviderName: AWS, regionName: US_GOV_EAST_1}}}}
---
{HEAD}kind: AtlasDatabaseUser
metadata: {{name: <release>-user, {NS}}}
spec:
  {REF}
  username: reporting
  scopes: [{{name: claims, type: CLUSTER}}]
"
        );
        renders(Chart::Deployment, values, &expected);
        // `project.create: false`: neither the project nor the users (their template is
        // inside the same condition); the deployments still name the release's project.
        let without = "project: {create: false}\ndeployments: [{deploymentSpec: {name: a}}]\nusers: [{username: u}]\n";
        let expected = format!(
            "{HEAD}kind: AtlasDeployment\nmetadata: {{name: a, {NS}}}\nspec: {{{REF}, deploymentSpec: {{name: a}}}}\n"
        );
        renders(Chart::Deployment, without, &expected);
    }

    #[test]
    fn atlas_basic_renders_a_shared_tier_deployment() {
        let values = "\
secret: {orgID: x}
project: {name: claims-dev, cidrEntry: 10.0.0.0/8}
deployment: {name: d, providerName: AWS, instanceSize: M5, regionName: US_GOV_WEST_1}
dbUser: {name: app, databaseName: admin}
";
        let expected = format!(
            "\
{HEAD}kind: AtlasProject
metadata: {{name: <release>-project, {NS}}}
spec: {{name: claims-dev}}
---
{HEAD}kind: AtlasDeployment
metadata: {{name: <release>-deployment, {NS}}}
spec:
  {REF}
  deploymentSpec:
    replicationSpecs:
      - regionConfigs:
          - {{providerName: TENANT, backingProviderName: AWS, regionName: US_GOV_WEST_1, electableSpecs: {{instanceSize: M5}}}}
"
        );
        renders(Chart::Basic, values, &expected);
    }

    #[test]
    fn atlas_advanced_renders_a_region_config_per_region() {
        let values = "\
project: {name: ''}
deployment:
  regions:
    - {name: US_GOV_WEST_1, providerName: AWS, instanceSize: M30, nodeCount: 3, priority: 7, autoscaling: {enabled: true, min: M30, max: M50}}
    - {name: US_GOV_EAST_1, providerName: AWS, instanceSize: M30, nodeCount: 2, priority: 6, autoscaling: {enabled: false, min: M10, max: M20}}
";
        let expected = format!(
            "\
{HEAD}kind: AtlasProject
metadata: {{name: <release>-project, {NS}}}
spec: {{}}
---
{HEAD}kind: AtlasDeployment
metadata: {{name: <release>-deployment, {NS}}}
spec:
  {REF}
  deploymentSpec:
    replicationSpecs:
      - regionConfigs:
          - {{providerName: AWS, backingProviderName: AWS, regionName: US_GOV_WEST_1, electableSpecs: {{instanceSize: M30}}, autoScaling: {{compute: {{enabled: true, minInstanceSize: M30, maxInstanceSize: M50}}}}}}
          - {{providerName: AWS, backingProviderName: AWS, regionName: US_GOV_EAST_1, electableSpecs: {{instanceSize: M30}}}}
"
        );
        renders(Chart::Advanced, values, &expected);
    }
}
