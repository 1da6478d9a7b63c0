//! CloudFormation templates that declare `MongoDB::Atlas::*` resources, in YAML (with the
//! short-form intrinsics `!Ref`, `!GetAtt`, `!Sub`, ...) or JSON.
//!
//! A template is recognised by its `Resources`: entries whose `Type` starts with
//! `MongoDB::Atlas::`. Other templates, and other resources, are left alone. Mapped: `Project`,
//! `Cluster` (`ReplicationSpecs[].AdvancedRegionConfigs[]`), `FlexCluster`, `DatabaseUser`,
//! `AlertConfiguration`, `ThirdPartyIntegration`, `LogIntegration`, `EncryptionAtRest`,
//! `NetworkContainer`, `NetworkPeering`, `PrivateEndpointService`, `PrivateEndpoint`,
//! `CloudBackUpRestoreJobs`, `CloudBackupSchedule` (copy settings), and the products AtlasGov
//! lacks as a whole (`OnlineArchive`, `Trigger`, `Stream*`, `FederatedDatabaseInstance`,
//! `FederatedQueryLimit`, `PrivatelinkEndpointServiceDataFederationOnlineArchive`), which are
//! pointed at by their `Type`.
//!
//! Property values are copied as written, and an intrinsic function is never read as a
//! literal:
//! - `Ref` to a parameter with a literal `Default` is that default, located at the property
//!   with [`Loc::via`] at the default;
//! - `Ref` to `AWS::NoValue` removes the property;
//! - a `ProjectId` of `!GetAtt P.Id` or `!Ref P` (or the `Fn::GetAtt` / `Ref` long forms),
//!   where `P` is a `MongoDB::Atlas::Project` of the same template, links to that project
//!   through the key `cfn:<file path>:<P>`;
//! - anything else (`!Sub`, `!If`, `!FindInMap`, `!ImportValue`, a parameter without a
//!   default, a pseudo parameter) is unknown. Where the model needs to know that something was
//!   set, it is carried as the unresolved expression (`!If …`), which, like a Terraform
//!   `${var.x}`, no rule recognises as a value; names and links are simply left unknown. A
//!   Datadog region that is set but unknown cannot be carried that way (anything but `US1_FED`
//!   is judged), so its integration or notification is left out.

mod intrinsics;
mod profile;
mod resources;

use crate::document::Cursor;
use crate::model::{Loc, LocCtx, Model};

use intrinsics::{Template, child, is_intrinsic};

/// The resource types, and the name of the profile secret they read their keys and base URL
/// from (`cfn/atlas/profile/{Profile}`).
pub const NEEDLES: &[&str] = &["MongoDB::Atlas::", "cfn/atlas/profile"];

const PREFIX: &str = "MongoDB::Atlas::";

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    if root.get("Resources").is_some() {
        return template(ctx, root, out);
    }
    // The Serverless Framework (`serverless.yml`) embeds CloudFormation under `resources`: a
    // template fragment, or a list of them.
    if let Some(fragments) = root.get("resources") {
        if fragments.node.as_map().is_some() {
            template(ctx, &fragments, out);
        } else {
            for fragment in fragments.items() {
                template(ctx, &fragment, out);
            }
        }
    }
}

/// A template (or a fragment of one) whose `Resources` are read.
fn template(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    let Some(resources) = root.get("Resources") else {
        return;
    };
    if resources.node.as_map().is_none() {
        return;
    }
    let tpl = Template::new(ctx, root, &resources);
    profile::secrets(&tpl, out);
    tpl.written_notes(root, out);
    if !tpl.types.values().any(|t| t.starts_with(PREFIX)) {
        tpl.decided_into(out);
        return;
    }
    for (i, (key, res)) in tpl.entries.iter().enumerate() {
        let Some(id) = key.node.scalar_text() else {
            continue;
        };
        // With duplicate logical ids, the last one is the resource (GOV000 reports the other).
        if tpl.last.get(id) != Some(&i) {
            continue;
        }
        let Some(kind) = literal_type(res).and_then(|t| t.strip_prefix(PREFIX)) else {
            continue;
        };
        // A resource on a condition that the parameters' defaults decide: not created when
        // it is false (as Terraform's `count = 0`); when it is true, what is found in it is
        // labelled with the condition. Undecided, it is checked.
        if let Some(cond) = res.get("Condition") {
            match cond.node.as_str().and_then(|name| tpl.condition(name)) {
                Some((false, _)) => continue,
                Some((true, via)) => tpl.record(res.node.span, &cond, true, via),
                None => {}
            }
        }
        let r = Resource {
            id,
            anchor: ctx.loc(key),
            type_loc: res.get("Type").map(|t| ctx.loc(&t)),
            props: res.get("Properties").filter(|p| !is_intrinsic(p)),
        };
        tpl.resource(kind, &r, out);
    }
    tpl.decided_into(out);
}

/// How deep `Fn::ForEach` loops nest (CloudFormation allows five).
const MAX_FOR_EACH: usize = 5;

/// The entries of `Resources` (logical id, resource), with the resources an `Fn::ForEach`
/// loop (the `AWS::LanguageExtensions` transform) writes: `Fn::ForEach::Name: [Identifier,
/// Collection, {OutputKey: Resource}]`. A loop's resources are read once, as written: what
/// every copy hard-codes (`ProviderName: AZURE`) is known; a `Ref` to the identifier, or
/// `${Identifier}` in a `!Sub`, names no parameter and is unknown. Also the loops'
/// identifiers (`Tenant` of `Fn::ForEach::Tenants: [Tenant, ...]`): inside a loop, `!Ref
/// Tenant` is the loop's item, not a parameter of that name.
pub(super) fn resource_entries<'a>(
    resources: &Cursor<'a>,
) -> (Vec<(Cursor<'a>, Cursor<'a>)>, Vec<&'a str>) {
    fn visit<'a>(
        map: &Cursor<'a>,
        depth: usize,
        out: &mut (Vec<(Cursor<'a>, Cursor<'a>)>, Vec<&'a str>),
    ) {
        for (key, value) in map.entries() {
            let for_each = key
                .node
                .scalar_text()
                .is_some_and(|k| k.starts_with("Fn::ForEach::"));
            if !for_each {
                out.0.push((key, value));
                continue;
            }
            if depth < MAX_FOR_EACH {
                out.1.extend(value.item(0).and_then(|i| i.node.as_str()));
                if let Some(body) = value.item(2).filter(|b| b.node.as_map().is_some()) {
                    visit(&body, depth + 1, out);
                }
            }
        }
    }
    let mut out = (Vec::new(), Vec::new());
    visit(resources, 0, &mut out);
    out
}

/// A resource's `Type`, when it is a literal string.
fn literal_type<'a>(res: &Cursor<'a>) -> Option<&'a str> {
    let ty = res.get("Type")?;
    if is_intrinsic(&ty) {
        return None;
    }
    ty.str()
}

/// One `MongoDB::Atlas::*` resource being mapped.
struct Resource<'a> {
    id: &'a str,
    /// The logical id (the key under `Resources`), standing for the resource as a whole.
    anchor: Loc,
    type_loc: Option<Loc>,
    props: Option<Cursor<'a>>,
}

impl<'a> Resource<'a> {
    fn prop(&self, key: &str) -> Option<Cursor<'a>> {
        child(self.props.as_ref()?, key)
    }

    /// A property below literal mappings (`["AwsKmsConfig", "Region"]`).
    fn prop_at(&self, path: &[&str]) -> Option<Cursor<'a>> {
        let (first, rest) = path.split_first()?;
        let mut cur = self.prop(first)?;
        for key in rest {
            cur = child(&cur, key)?;
        }
        Some(cur)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::path::Path;

    use super::*;
    use crate::document::{Limits, LineIndex, Syntax, parse};
    use crate::model::link;
    use crate::model::{ClusterKind, Product, ProjectRef, SizeRole, Text};

    fn model_of(text: &str, syntax: Syntax) -> Model {
        let doc = parse(text, syntax, &Limits::default()).unwrap();
        let index = LineIndex::new(text);
        let ctx = LocCtx::new(0, Path::new("t/stack.yaml"), text, &index);
        let mut model = Model::default();
        for root in &doc.roots {
            adapt(&ctx, &Cursor::root(root), &mut model);
        }
        model.files.push(crate::model::SourceFile {
            path: "t/stack.yaml".into(),
            root: std::path::Path::new("t").into(),
        });
        link::link(&mut model);
        model
    }

    fn yaml(text: &str) -> Model {
        model_of(text, Syntax::Yaml)
    }

    #[test]
    fn other_templates_are_silent() {
        let m = yaml(
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      RegionName: EU_WEST_1\n",
        );
        assert!(m.is_empty());
        let m = yaml("Resources: !Ref X\n");
        assert!(m.is_empty());
    }

    #[test]
    fn get_att_and_ref_link_to_the_project_of_the_template() {
        let text = "\
Resources:
  P:
    Type: MongoDB::Atlas::Project
    Properties:
      Name: gov
      RegionUsageRestrictions: GOV_REGIONS_ONLY
  A:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: !GetAtt P.Id
  B:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: !Ref P
  C:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: !GetAtt [P, Id]
  D:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: {\"Fn::GetAtt\": [P, Id]}
  E:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: {Ref: P}
  F:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: !GetAtt P.Name
  G:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: !ImportValue P
  H:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: !Sub '${P.Id}'
";
        let m = yaml(text);
        assert_eq!(m.projects.len(), 1);
        assert_eq!(m.projects[0].keys, vec!["cfn:t/stack.yaml:P".to_string()]);
        let links: Vec<Option<usize>> = m.clusters.iter().map(|c| c.origin.project).collect();
        assert_eq!(
            links,
            vec![
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                Some(0),
                None,
                None,
                None
            ]
        );
    }

    #[test]
    fn parameter_defaults_resolve_with_via_and_nothing_else_does() {
        let text = "\
Parameters:
  Region: {Type: String, Default: EU_WEST_1}
  NoDefault: {Type: String}
  Sizes: {Type: CommaDelimitedList, Default: M10}
Resources:
  A:
    Type: MongoDB::Atlas::Cluster
    Properties:
      ProjectId: !Ref NoDefault
      ReplicationSpecs:
        - AdvancedRegionConfigs:
            - ProviderName: !Ref NoDefault
              RegionName: !Ref Region
              ElectableSpecs: {InstanceSize: !Ref Sizes}
              ReadOnlySpecs: {InstanceSize: !Sub M10}
              AnalyticsSpecs: !If [c, {InstanceSize: M10}, {InstanceSize: M30}]
            - !If [c, {RegionName: EU_WEST_1}, !Ref AWS::NoValue]
";
        let m = yaml(text);
        let c = &m.clusters[0];
        assert_eq!(c.origin.project_ref, ProjectRef::Unknown);
        assert_eq!(c.regions.len(), 1);
        let rc = &c.regions[0];
        let region = rc.region.as_ref().unwrap();
        assert_eq!(region.as_str(), "EU_WEST_1");
        assert_eq!(region.loc.start.line, 13);
        let via = region.loc.via.as_ref().unwrap();
        assert_eq!(
            (via.start.line, &*via.pointer),
            (2, "/Parameters/Region/Default")
        );
        assert_eq!(rc.provider.as_ref().unwrap().as_str(), "!Ref NoDefault");
        let sizes: Vec<&str> = rc.sizes.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(sizes, vec!["!Ref Sizes", "!Sub …"]);
    }

    #[test]
    fn region_usage_unknown_is_not_absent() {
        let text = "\
Parameters:
  Usage: {Type: String}
  Gov: {Type: String, Default: GOV_REGIONS_ONLY}
Resources:
  A: {Type: MongoDB::Atlas::Project, Properties: {Name: a, RegionUsageRestrictions: !Ref Usage}}
  B: {Type: MongoDB::Atlas::Project, Properties: {Name: !Ref Usage}}
  C: {Type: MongoDB::Atlas::Project, Properties: {RegionUsageRestrictions: !Ref Gov}}
  D: {Type: MongoDB::Atlas::Project, Properties: {RegionUsageRestrictions: !Ref AWS::NoValue}}
";
        let m = yaml(text);
        let usage: Vec<Option<&str>> = m
            .projects
            .iter()
            .map(|p| p.region_usage.as_ref().map(Text::as_str))
            .collect();
        assert_eq!(
            usage,
            vec![Some("!Ref Usage"), None, Some("GOV_REGIONS_ONLY"), None]
        );
        assert_eq!(m.projects[0].name.as_ref().unwrap().as_str(), "a");
        assert!(m.projects[1].name.is_none());
    }

    #[test]
    fn json_templates_and_flex_clusters() {
        let text = r#"{
  "Parameters": {"Backing": {"Type": "String", "Default": "AZURE"}},
  "Resources": {
    "F": {
      "Type": "MongoDB::Atlas::FlexCluster",
      "Properties": {
        "ProjectId": "5f1d2c3b4a5968776a5b4c3d",
        "ProviderSettings": {"BackingProviderName": {"Ref": "Backing"}, "RegionName": {"Fn::Sub": "US_EAST_1"}}
      }
    }
  }
}"#;
        let m = model_of(text, Syntax::Json);
        let c = &m.clusters[0];
        assert_eq!(c.kind, ClusterKind::Flex);
        assert_eq!(&*c.kind_loc().pointer, "/Resources/F/Type");
        assert!(
            matches!(&c.origin.project_ref, ProjectRef::Id(id) if id.as_str() == "5f1d2c3b4a5968776a5b4c3d")
        );
        let rc = &c.regions[0];
        assert_eq!(rc.backing_provider.as_ref().unwrap().as_str(), "AZURE");
        assert_eq!(rc.region.as_ref().unwrap().as_str(), "!Sub …");
    }

    #[test]
    fn double_bang_ref_is_not_a_literal() {
        let text = "Resources:\n  C:\n    Type: 'MongoDB::Atlas::Cluster'\n    Properties:\n      ReplicationSpecs:\n        - AdvancedRegionConfigs:\n            - RegionName: !!Ref EU_WEST_1\n";
        let m = yaml(text);
        let region = m.clusters[0].regions[0].region.as_ref().unwrap();
        assert_eq!(region.as_str(), "!Ref EU_WEST_1");
    }

    #[test]
    fn node_count_zero_deploys_no_node() {
        let text = "Resources:\n  C:\n    Type: MongoDB::Atlas::Cluster\n    Properties:\n      ReplicationSpecs:\n        - AdvancedRegionConfigs:\n            - ElectableSpecs: {InstanceSize: M30, NodeCount: 3}\n              ReadOnlySpecs: {InstanceSize: M10, NodeCount: 0}\n              AutoScaling: {Compute: {MinInstanceSize: M10}}\n";
        let m = yaml(text);
        let sizes: Vec<(SizeRole, &str)> = m.clusters[0].regions[0]
            .sizes
            .iter()
            .map(|s| (s.role, s.value.as_str()))
            .collect();
        assert_eq!(
            sizes,
            vec![
                (SizeRole::Electable, "M30"),
                (SizeRole::AutoScalingMin, "M10")
            ]
        );
    }

    #[test]
    fn unknown_datadog_regions_leave_the_body_out_rather_than_guess() {
        let text = "\
Parameters:
  Site: {Type: String}
  Us: {Type: String, Default: US}
Resources:
  A: {Type: MongoDB::Atlas::ThirdPartyIntegration, Properties: {Type: DATADOG, Region: !Ref Site}}
  B: {Type: MongoDB::Atlas::ThirdPartyIntegration, Properties: {Type: DATADOG, Region: !Ref Us}}
  C: {Type: MongoDB::Atlas::ThirdPartyIntegration, Properties: {Type: DATADOG}}
  D:
    Type: MongoDB::Atlas::AlertConfiguration
    Properties:
      EventTypeName: !Ref Site
      Notifications:
        - {TypeName: DATADOG, DatadogRegion: !If [c, US1_FED, EU]}
        - {TypeName: DATADOG, DatadogRegion: EU}
        - {TypeName: DATADOG}
";
        let m = yaml(text);
        let regions: Vec<Option<&str>> = m
            .integrations
            .iter()
            .map(|i| i.region.as_ref().map(Text::as_str))
            .collect();
        assert_eq!(regions, vec![Some("US"), None]);
        let alert = &m.alert_configs[0];
        assert_eq!(alert.event_type.as_ref().unwrap().as_str(), "!Ref Site");
        let regions: Vec<Option<&str>> = alert
            .notifications
            .iter()
            .map(|n| n.datadog_region.as_ref().map(Text::as_str))
            .collect();
        assert_eq!(regions, vec![Some("EU"), None]);
    }

    #[test]
    fn products_point_at_their_type_and_carry_their_provider() {
        let text = "\
Resources:
  S:
    Type: MongoDB::Atlas::StreamWorkspace
    Properties: {DataProcessRegion: {CloudProvider: AZURE, Region: eastus}}
  T: {Type: MongoDB::Atlas::Trigger}
  U: {Type: !Sub 'MongoDB::Atlas::OnlineArchive'}
";
        let m = yaml(text);
        assert_eq!(m.products.len(), 2);
        let s = &m.products[0];
        assert_eq!(
            (s.product, &*s.loc.pointer),
            (Product::StreamProcessing, "/Resources/S/Type")
        );
        assert_eq!(s.providers[0].as_str(), "AZURE");
        assert_eq!(m.products[1].product, Product::Trigger);
        assert!(m.products[1].providers.is_empty());
    }

    #[test]
    fn intrinsic_properties_duplicates_and_group_id() {
        let text = "\
Resources:
  P: {Type: MongoDB::Atlas::Project, Properties: {Name: p, RegionUsageRestrictions: GOV_REGIONS_ONLY}}
  C:
    Type: MongoDB::Atlas::Cluster
    Properties: !If [c, {ProjectId: !Ref P}, {ProjectId: !Ref P}]
  E: {Type: MongoDB::Atlas::PrivateEndpoint, Properties: {GroupId: !GetAtt P.Id, Region: us-east-1}}
  D: {Type: MongoDB::Atlas::Cluster, Properties: {Name: first}}
  D: {Type: MongoDB::Atlas::Cluster, Properties: {Name: second}}
";
        let m = yaml(text);
        assert_eq!(m.clusters.len(), 2);
        assert_eq!(m.clusters[0].origin.project_ref, ProjectRef::Unknown);
        assert!(m.clusters[0].regions.is_empty());
        assert_eq!(m.clusters[1].name.as_ref().unwrap().as_str(), "second");
        assert_eq!(m.private_endpoints[0].origin.project, Some(0));
    }
}
