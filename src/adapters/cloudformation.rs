//! CloudFormation templates that declare `MongoDB::Atlas::*` resources, in YAML (with the
//! short-form intrinsics `!Ref`, `!GetAtt`, `!Sub`, ...) or JSON.
//!
//! A template is recognised by its `Resources`: entries whose `Type` starts with
//! `MongoDB::Atlas::`. Other templates, and other resources, are left alone.
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
//!   `${var.x}`, no rule recognises as a value; names and links are simply left unknown.

use std::collections::HashMap;

use crate::document::{Cursor, Value};
use crate::model::link::is_object_id;
use crate::model::{
    Cluster, ClusterKind, Field, InstanceSize, Loc, LocCtx, Model, Origin, Project, ProjectRef,
    RegionConfig, SizeRole, Text,
};

pub const NEEDLES: &[&str] = &["MongoDB::Atlas::"];

const PREFIX: &str = "MongoDB::Atlas::";

/// The longest unresolved expression kept as text (longer ones are cut with `…`).
const MAX_EXPR: usize = 60;

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    let Some(resources) = root.get("Resources") else {
        return;
    };
    if resources.node.as_map().is_none() {
        return;
    }
    let tpl = Template::new(ctx, root, &resources);
    if !tpl.types.values().any(|t| t.starts_with(PREFIX)) {
        return;
    }
    for (key, res) in resources.entries() {
        let Some(id) = key.node.scalar_text() else {
            continue;
        };
        // With duplicate logical ids, the last one is the resource (GOV000 reports the other).
        if !resources
            .node
            .get(id)
            .is_some_and(|last| std::ptr::eq(last, res.node))
        {
            continue;
        }
        let Some(kind) = literal_type(&res).and_then(|t| t.strip_prefix(PREFIX)) else {
            continue;
        };
        let r = Resource {
            id,
            anchor: ctx.loc(&key),
            type_loc: res.get("Type").map(|t| ctx.loc(&t)),
            props: res.get("Properties").filter(|p| !is_intrinsic(p)),
        };
        match kind {
            "Project" => out.projects.push(tpl.project(&r)),
            "Cluster" => out.clusters.push(tpl.cluster(&r)),
            "FlexCluster" => out.clusters.push(tpl.flex_cluster(&r)),
            _ => {}
        }
    }
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
}

/// What a property value is, before anything is made of it.
enum Expr<'a> {
    /// Absent in effect: `null`, or `Ref: AWS::NoValue`.
    Null,
    /// An untagged scalar.
    Literal,
    /// An intrinsic function: its name without `Fn::` (`Ref`, `GetAtt`, `If`, ...) and its
    /// argument (for a short-form tag, the tagged node itself).
    Call(&'a str, Cursor<'a>),
    /// An untagged sequence or mapping.
    Collection,
}

/// A single-key mapping whose key is an intrinsic function (`Ref`, `Fn::*`, `Condition`).
fn long_form<'a>(cur: &Cursor<'a>) -> Option<(&'a str, Cursor<'a>)> {
    let [entry] = cur.node.as_map()? else {
        return None;
    };
    let key = entry.key.as_str()?;
    let name = match key {
        "Ref" | "Condition" => key,
        _ => key.strip_prefix("Fn::")?,
    };
    Some((name, cur.get(key)?))
}

fn is_intrinsic(cur: &Cursor<'_>) -> bool {
    cur.node.tag.is_some() || long_form(cur).is_some()
}

fn expr<'a>(cur: &Cursor<'a>) -> Expr<'a> {
    let call = match &cur.node.tag {
        // `!!Ref` (an unknown core tag) arrives as `!Ref`.
        Some(tag) => Some((tag.trim_start_matches('!'), cur.clone())),
        None => long_form(cur),
    };
    if let Some((name, arg)) = call {
        if name == "Ref" && arg.node.as_str() == Some("AWS::NoValue") {
            return Expr::Null;
        }
        return Expr::Call(name, arg);
    }
    match cur.node.value {
        Value::Null => Expr::Null,
        Value::Seq(_) | Value::Map(_) => Expr::Collection,
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Expr::Literal,
    }
}

/// A child of a literal mapping; never looks inside an intrinsic function.
fn child<'a>(cur: &Cursor<'a>, key: &str) -> Option<Cursor<'a>> {
    if is_intrinsic(cur) {
        return None;
    }
    cur.get(key)
}

/// The elements of a literal sequence that are not themselves intrinsics (a `!If` element is
/// unknown, so it is left out rather than guessed).
fn items<'a>(cur: Option<&Cursor<'a>>) -> Vec<Cursor<'a>> {
    match cur {
        Some(c) if !is_intrinsic(c) => c.items().filter(|i| !is_intrinsic(i)).collect(),
        _ => Vec::new(),
    }
}

/// A property value made into model text.
enum Resolved {
    Absent,
    /// A literal, or a parameter's literal default.
    Known(Text),
    /// Anything else, as an unresolved expression no rule recognises.
    Unknown(Text),
}

struct Template<'t> {
    ctx: &'t LocCtx<'t>,
    /// Parameter name → its `Default`, when that is a literal scalar and the parameter is not
    /// a list.
    defaults: HashMap<&'t str, Cursor<'t>>,
    /// Logical id → `Type`, for resources whose type is a literal string.
    types: HashMap<&'t str, &'t str>,
}

impl<'t> Template<'t> {
    fn new(ctx: &'t LocCtx<'t>, root: &Cursor<'t>, resources: &Cursor<'t>) -> Template<'t> {
        let mut defaults = HashMap::new();
        if let Some(params) = root.get("Parameters") {
            for (key, param) in params.entries() {
                let Some(name) = key.node.scalar_text() else {
                    continue;
                };
                let is_list = param
                    .node
                    .get("Type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| {
                        t.starts_with("List<") || t == "CommaDelimitedList" || t.contains("::List<")
                    });
                let default = param
                    .get("Default")
                    .filter(|d| matches!(expr(d), Expr::Literal));
                match default {
                    Some(d) if !is_list => {
                        defaults.insert(name, d);
                    }
                    // A later duplicate without a default hides an earlier one.
                    _ => {
                        defaults.remove(name);
                    }
                }
            }
        }
        let mut types = HashMap::new();
        for (key, res) in resources.entries() {
            if let (Some(id), Some(ty)) = (key.node.scalar_text(), literal_type(&res)) {
                types.insert(id, ty);
            }
        }
        Template {
            ctx,
            defaults,
            types,
        }
    }

    fn resolve(&self, cur: Option<Cursor<'_>>) -> Resolved {
        let Some(cur) = cur else {
            return Resolved::Absent;
        };
        match expr(&cur) {
            Expr::Null => Resolved::Absent,
            Expr::Literal => match self.ctx.text(Some(cur)) {
                Some(t) => Resolved::Known(t),
                None => Resolved::Absent,
            },
            Expr::Call("Ref", arg) => {
                let default = arg.node.as_str().and_then(|p| self.defaults.get(p));
                match default.and_then(|d| d.text().map(|v| (d, v))) {
                    Some((d, value)) => {
                        let mut loc = self.ctx.loc(&cur);
                        loc.via = Some(Box::new(self.ctx.loc(d)));
                        Resolved::Known(Field {
                            value: value.into(),
                            loc,
                        })
                    }
                    None => Resolved::Unknown(self.unresolved(&cur, "Ref", &arg)),
                }
            }
            Expr::Call(name, arg) => Resolved::Unknown(self.unresolved(&cur, name, &arg)),
            Expr::Collection => Resolved::Unknown(Field {
                value: if cur.node.as_seq().is_some() {
                    "[…]".into()
                } else {
                    "{…}".into()
                },
                loc: self.ctx.loc(&cur),
            }),
        }
    }

    /// An intrinsic as text for the model: `!Ref Param`, `!Sub ${AWS::Region}-x`, `!If …`.
    fn unresolved(&self, cur: &Cursor<'_>, name: &str, arg: &Cursor<'_>) -> Text {
        let mut value = match arg.node.scalar_text() {
            Some(a) => format!("!{name} {a}"),
            None => format!("!{name} …"),
        };
        if value.chars().count() > MAX_EXPR {
            value = value.chars().take(MAX_EXPR - 1).collect::<String>() + "…";
        }
        Field {
            value: value.into(),
            loc: self.ctx.loc(cur),
        }
    }

    /// A value a rule judges: known, or the unresolved expression (so that "set to something
    /// unknown" is never mistaken for "absent").
    fn value(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        match self.resolve(cur) {
            Resolved::Absent => None,
            Resolved::Known(t) | Resolved::Unknown(t) => Some(t),
        }
    }

    /// A value only when it is known (names, node counts).
    fn known(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        match self.resolve(cur) {
            Resolved::Known(t) => Some(t),
            Resolved::Absent | Resolved::Unknown(_) => None,
        }
    }

    fn key(&self, logical_id: &str) -> String {
        format!("cfn:{}:{logical_id}", self.ctx.path.display())
    }

    fn is_project(&self, logical_id: &str) -> bool {
        self.types.get(logical_id) == Some(&"MongoDB::Atlas::Project")
    }

    /// How a `ProjectId` names its project.
    fn project_ref(&self, cur: Option<Cursor<'_>>) -> ProjectRef {
        let Some(cur) = cur else {
            return ProjectRef::Unknown;
        };
        let target = match expr(&cur) {
            Expr::Call("Ref", arg) => arg.node.as_str().map(|id| (id, "Id")),
            Expr::Call("GetAtt", arg) => match &arg.node.value {
                Value::String(s) => s.split_once('.'),
                Value::Seq(parts) => match parts.as_slice() {
                    [id, attr] if id.tag.is_none() && attr.tag.is_none() => {
                        id.as_str().zip(attr.as_str())
                    }
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        if let Some((id, attr)) = target {
            if self.is_project(id) {
                return if attr == "Id" {
                    ProjectRef::Key(self.key(id))
                } else {
                    ProjectRef::Unknown
                };
            }
        }
        match self.resolve(Some(cur)) {
            Resolved::Known(id) if is_object_id(id.as_str()) => ProjectRef::Id(id),
            _ => ProjectRef::Unknown,
        }
    }

    fn origin(&self, r: &Resource<'_>) -> Origin {
        Origin {
            body: r.anchor.clone(),
            project_ref: self.project_ref(r.prop("ProjectId")),
            project: None,
        }
    }

    fn project(&self, r: &Resource<'_>) -> Project {
        Project {
            origin: Origin {
                body: r.anchor.clone(),
                project_ref: ProjectRef::Unknown,
                project: None,
            },
            name: self.known(r.prop("Name")),
            id: None,
            region_usage: self.value(r.prop("RegionUsageRestrictions")),
            keys: vec![self.key(r.id)],
        }
    }

    fn cluster(&self, r: &Resource<'_>) -> Cluster {
        let mut regions = Vec::new();
        for spec in items(r.prop("ReplicationSpecs").as_ref()) {
            for rc in items(child(&spec, "AdvancedRegionConfigs").as_ref()) {
                regions.push(self.region_config(&rc));
            }
        }
        Cluster {
            origin: self.origin(r),
            kind: ClusterKind::Advanced,
            kind_loc: r.anchor.clone(),
            name: self.known(r.prop("Name")),
            regions,
            encryption_at_rest_provider: self.value(r.prop("EncryptionAtRestProvider")),
        }
    }

    fn region_config(&self, rc: &Cursor<'_>) -> RegionConfig {
        let mut sizes = Vec::new();
        let paths: [(&str, &str, SizeRole); 5] = [
            ("ElectableSpecs", "InstanceSize", SizeRole::Electable),
            ("ReadOnlySpecs", "InstanceSize", SizeRole::ReadOnly),
            ("AnalyticsSpecs", "InstanceSize", SizeRole::Analytics),
            ("AutoScaling", "Compute", SizeRole::AutoScalingMin),
            ("AnalyticsAutoScaling", "Compute", SizeRole::AutoScalingMin),
        ];
        for (outer, inner, role) in paths {
            let Some(spec) = child(rc, outer) else {
                continue;
            };
            let size = if role == SizeRole::AutoScalingMin {
                child(&spec, inner).and_then(|c| child(&c, "MinInstanceSize"))
            } else {
                // A spec with `NodeCount: 0` deploys no node of that size.
                let count = self.known(child(&spec, "NodeCount"));
                if count.is_some_and(|c| c.as_str() == "0") {
                    continue;
                }
                child(&spec, inner)
            };
            if let Some(value) = self.value(size) {
                sizes.push(InstanceSize { role, value });
            }
        }
        RegionConfig {
            provider: self.value(child(rc, "ProviderName")),
            backing_provider: self.value(child(rc, "BackingProviderName")),
            region: self.value(child(rc, "RegionName")),
            sizes,
        }
    }

    fn flex_cluster(&self, r: &Resource<'_>) -> Cluster {
        let settings = r.prop("ProviderSettings");
        let setting = |key: &str| settings.as_ref().and_then(|s| child(s, key));
        Cluster {
            origin: self.origin(r),
            kind: ClusterKind::Flex,
            kind_loc: r.type_loc.clone().unwrap_or_else(|| r.anchor.clone()),
            name: self.known(r.prop("Name")),
            regions: vec![RegionConfig {
                provider: None,
                backing_provider: self.value(setting("BackingProviderName")),
                region: self.value(setting("RegionName")),
                sizes: Vec::new(),
            }],
            encryption_at_rest_provider: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::path::Path;

    use super::*;
    use crate::document::{Limits, LineIndex, Syntax, parse};
    use crate::model::link;

    fn model_of(text: &str, syntax: Syntax) -> Model {
        let doc = parse(text, syntax, &Limits::default()).unwrap();
        let index = LineIndex::new(text);
        let ctx = LocCtx {
            file: 0,
            path: Path::new("t/stack.yaml"),
            text,
            index: &index,
        };
        let mut model = Model::default();
        for root in &doc.roots {
            adapt(&ctx, &Cursor::root(root), &mut model);
        }
        model.files.push(crate::model::SourceFile {
            path: "t/stack.yaml".into(),
            root: "t".into(),
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
        assert_eq!(sizes, vec!["!Ref Sizes", "!Sub M10"]);
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
        assert_eq!(&*c.kind_loc.pointer, "/Resources/F/Type");
        assert!(
            matches!(&c.origin.project_ref, ProjectRef::Id(id) if id.as_str() == "5f1d2c3b4a5968776a5b4c3d")
        );
        let rc = &c.regions[0];
        assert_eq!(rc.backing_provider.as_ref().unwrap().as_str(), "AZURE");
        assert_eq!(rc.region.as_ref().unwrap().as_str(), "!Sub US_EAST_1");
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
}
