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

use std::collections::HashMap;

use crate::document::{Cursor, Value};
use crate::model::link::is_object_id;
use crate::model::{
    AlertConfig, Cluster, ClusterKind, CopySetting, DatabaseUser, EncryptionAtRest, Field,
    InstanceSize, Integration, Loc, LocCtx, Model, NetworkContainer, NetworkPeering, Notification,
    Origin, PrivateEndpoint, Product, ProductUse, Project, ProjectRef, RegionConfig, RestoreJob,
    SizeRole, Text,
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
    for (i, (key, res)) in resources.entries().enumerate() {
        let Some(id) = key.node.scalar_text() else {
            continue;
        };
        // With duplicate logical ids, the last one is the resource (GOV000 reports the other).
        if tpl.last.get(id) != Some(&i) {
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
        tpl.resource(kind, &r, out);
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
    /// Logical id → index of its last entry under `Resources`.
    last: HashMap<&'t str, usize>,
    /// The template's `Mappings`, for `Fn::FindInMap` with known keys.
    mappings: Option<Cursor<'t>>,
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
        let mut last = HashMap::new();
        for (i, (key, res)) in resources.entries().enumerate() {
            let Some(id) = key.node.scalar_text() else {
                continue;
            };
            last.insert(id, i);
            match literal_type(&res) {
                Some(ty) => types.insert(id, ty),
                None => types.remove(id),
            };
        }
        Template {
            ctx,
            defaults,
            types,
            last,
            mappings: root.get("Mappings"),
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
            Expr::Call("FindInMap", arg) => match self.find_in_map(&arg) {
                Some(leaf) => match leaf.text() {
                    Some(value) => {
                        let mut loc = self.ctx.loc(&cur);
                        loc.via = Some(Box::new(self.ctx.loc(&leaf)));
                        Resolved::Known(Field {
                            value: value.into(),
                            loc,
                        })
                    }
                    None => Resolved::Unknown(self.unresolved(&cur, "FindInMap", &arg)),
                },
                None => Resolved::Unknown(self.unresolved(&cur, "FindInMap", &arg)),
            },
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

    /// The literal leaf `Fn::FindInMap: [Map, TopKey, SecondKey]` selects, when the map is
    /// literal and each key is literal or a parameter with a literal default (as `Ref` is
    /// resolved). `AWS::Region` and other pseudo parameters, and a `DefaultValue` option the
    /// keys would fall back to, leave it unknown.
    fn find_in_map(&self, arg: &Cursor<'t>) -> Option<Cursor<'t>> {
        let parts: Vec<Cursor<'t>> = arg.items().collect();
        let [map, top, second] = parts.as_slice() else {
            return None;
        };
        let key = |c: &Cursor<'t>| -> Option<&'t str> {
            match expr(c) {
                Expr::Literal => c.node.scalar_text(),
                Expr::Call("Ref", a) => self.defaults.get(a.node.as_str()?)?.node.scalar_text(),
                _ => None,
            }
        };
        let leaf = self
            .mappings
            .as_ref()
            .filter(|m| !is_intrinsic(m))?
            .get(key(map)?)
            .filter(|m| !is_intrinsic(m))?
            .get(key(top)?)
            .filter(|m| !is_intrinsic(m))?
            .get(key(second)?)?;
        matches!(expr(&leaf), Expr::Literal).then_some(leaf)
    }

    /// An intrinsic as text for the model: `!Ref Param`, `!GetAtt Res.Attr`, `!Sub …`. Only
    /// the names of `Ref` and `GetAtt` are shown: the text of any other function's argument
    /// is never handed on, so no rule can mistake a part of it for a value.
    fn unresolved(&self, cur: &Cursor<'_>, name: &str, arg: &Cursor<'_>) -> Text {
        let mut value = match arg.node.scalar_text() {
            Some(a) if name == "Ref" || name == "GetAtt" => format!("!{name} {a}"),
            _ => format!("!{name} …"),
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

    /// A restore job's `TargetProjectId`: a template project's key (`!Ref P`, `!GetAtt P.Id`)
    /// pointing at the reference, or a literal Atlas id.
    fn restore_target(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        let loc = cur.as_ref().map(|c| self.ctx.loc(c))?;
        match self.project_ref(cur) {
            ProjectRef::Key(key) => Some(Field {
                value: key.into(),
                loc,
            }),
            ProjectRef::Id(id) => Some(id),
            _ => None,
        }
    }

    fn origin(&self, r: &Resource<'_>) -> Origin {
        self.origin_by(r, "ProjectId")
    }

    fn origin_by(&self, r: &Resource<'_>, key: &str) -> Origin {
        Origin {
            body: r.anchor.clone(),
            project_ref: self.project_ref(r.prop(key)),
            project: None,
        }
    }

    /// Map one `MongoDB::Atlas::<kind>` resource.
    fn resource(&self, kind: &str, r: &Resource<'_>, out: &mut Model) {
        use Product::{DataFederation, OnlineArchive, StreamProcessing, Trigger};
        match kind {
            "Project" => out.projects.push(self.project(r)),
            "Cluster" => out.clusters.push(self.cluster(r)),
            "FlexCluster" => out.clusters.push(self.flex_cluster(r)),
            // Deprecated upstream (replaced by Flex) but still in older stacks.
            "ServerlessInstance" => out.clusters.push(self.serverless_instance(r)),
            "DatabaseUser" => out.database_users.push(self.database_user(r)),
            "AlertConfiguration" => out.alert_configs.push(self.alert_config(r)),
            "ThirdPartyIntegration" | "LogIntegration" => {
                out.integrations.extend(self.integration(r));
            }
            "EncryptionAtRest" => out.encryption_at_rest.push(EncryptionAtRest {
                origin: self.origin(r),
                // `Enabled: false` configures no key.
                aws_kms_region: match self.known(r.prop_at(&["AwsKmsConfig", "Enabled"])) {
                    Some(e) if e.as_str().eq_ignore_ascii_case("false") => None,
                    _ => self.value(r.prop_at(&["AwsKmsConfig", "Region"])),
                },
                gcp_key_version_resource_id: None,
                gcp_kms_enabled: None,
                azure_key_vault: None,
            }),
            "NetworkContainer" => out.containers.push(NetworkContainer {
                origin: self.origin(r),
                provider: self.value(r.prop("ProviderName")),
                regions: self.value(r.prop("RegionName")).into_iter().collect(),
                id: None,
            }),
            "NetworkPeering" => out.peerings.push(NetworkPeering {
                origin: self.origin(r),
                provider: self.value(r.prop("ProviderName")),
                accepter_region: self.value(r.prop("AccepterRegionName")),
                container_id: self.known(r.prop("ContainerId")),
                container_region: None,
            }),
            "PrivateEndpointService" => out.private_endpoints.push(PrivateEndpoint {
                origin: self.origin(r),
                provider: self.value(r.prop("CloudProvider")),
                region: self.value(r.prop("Region")),
            }),
            // The older endpoint type names its project `GroupId`; it is AWS only.
            "PrivateEndpoint" => out.private_endpoints.push(PrivateEndpoint {
                origin: self.origin_by(r, "GroupId"),
                provider: None,
                region: self.value(r.prop("Region")),
            }),
            // `PrivateEndpointAWS` only connects a VPC endpoint to a service declared by
            // `PrivateEndpointService`: it has no provider or region of its own.
            "CloudBackUpRestoreJobs" => out.restore_jobs.push(RestoreJob {
                origin: self.origin(r),
                target: self.restore_target(r.prop("TargetProjectId")),
                target_project: None,
            }),
            "CloudBackupSchedule" => {
                for copy in items(r.prop("CopySettings").as_ref()) {
                    out.copy_settings.push(CopySetting {
                        origin: self.origin(r),
                        cloud_provider: self.value(child(&copy, "CloudProvider")),
                        region: self.value(child(&copy, "RegionName")),
                    });
                }
            }
            "OnlineArchive" => self.product(r, OnlineArchive, "online archive", &[], out),
            "Trigger" => self.product(r, Trigger, "trigger", &[], out),
            "StreamInstance" => {
                let providers = &["DataProcessRegion", "CloudProvider"];
                self.product(
                    r,
                    StreamProcessing,
                    "stream processing instance",
                    providers,
                    out,
                );
            }
            "StreamWorkspace" => {
                let providers = &["DataProcessRegion", "CloudProvider"];
                self.product(
                    r,
                    StreamProcessing,
                    "stream processing workspace",
                    providers,
                    out,
                );
            }
            "StreamConnection" => self.product(r, StreamProcessing, "stream connection", &[], out),
            "StreamProcessor" => self.product(r, StreamProcessing, "stream processor", &[], out),
            "StreamPrivatelinkEndpoint" => {
                let providers = &["ProviderName"];
                self.product(r, StreamProcessing, "stream private link", providers, out);
            }
            "FederatedDatabaseInstance" => {
                let providers = &["DataProcessRegion", "CloudProvider"];
                self.product(
                    r,
                    DataFederation,
                    "Data Federation instance",
                    providers,
                    out,
                );
            }
            "FederatedQueryLimit" => {
                self.product(r, DataFederation, "Data Federation query limit", &[], out);
            }
            "PrivatelinkEndpointServiceDataFederationOnlineArchive" => self.product(
                r,
                DataFederation,
                "Data Federation and Online Archive private endpoint",
                &[],
                out,
            ),
            _ => {}
        }
    }

    /// A resource whose type is a product AtlasGov lacks: pointed at by its `Type`.
    fn product(
        &self,
        r: &Resource<'_>,
        product: Product,
        what: &'static str,
        provider_path: &[&str],
        out: &mut Model,
    ) {
        let providers = if provider_path.is_empty() {
            Vec::new()
        } else {
            self.value(r.prop_at(provider_path)).into_iter().collect()
        };
        out.products.push(ProductUse {
            origin: self.origin(r),
            product,
            what,
            loc: r.type_loc.clone().unwrap_or_else(|| r.anchor.clone()),
            providers,
        });
    }

    fn database_user(&self, r: &Resource<'_>) -> DatabaseUser {
        DatabaseUser {
            origin: self.origin(r),
            username: self.known(r.prop("Username")),
            scope_types: items(r.prop("Scopes").as_ref())
                .iter()
                .filter_map(|scope| self.value(child(scope, "Type")))
                .collect(),
        }
    }

    fn alert_config(&self, r: &Resource<'_>) -> AlertConfig {
        let mut notifications = Vec::new();
        for n in items(r.prop("Notifications").as_ref()) {
            // A Datadog region that is set but unknown cannot be judged: leave it out rather
            // than have it read as absent (the default, US) or as a wrong value.
            let datadog_region = match self.resolve(child(&n, "DatadogRegion")) {
                Resolved::Absent => None,
                Resolved::Known(t) => Some(t),
                Resolved::Unknown(_) => continue,
            };
            notifications.push(Notification {
                type_name: self.value(child(&n, "TypeName")),
                datadog_region,
                loc: n
                    .key("TypeName")
                    .map_or_else(|| self.ctx.loc(&n), |k| self.ctx.loc(&k)),
            });
        }
        AlertConfig {
            origin: self.origin(r),
            event_type: self.value(r.prop("EventTypeName")),
            notifications,
        }
    }

    /// A third-party or log integration. Left out when its region is set but unknown (see
    /// [`Template::alert_config`]).
    fn integration(&self, r: &Resource<'_>) -> Option<Integration> {
        let region = match self.resolve(r.prop("Region")) {
            Resolved::Absent => None,
            Resolved::Known(t) => Some(t),
            Resolved::Unknown(_) => return None,
        };
        Some(Integration {
            origin: self.origin(r),
            kind: self.value(r.prop("Type"))?,
            region,
        })
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
            region_usage_field: "RegionUsageRestrictions",
            keys: vec![self.key(r.id)],
            partial: false,
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
        let paths: [(&str, &str, SizeRole); 7] = [
            ("ElectableSpecs", "InstanceSize", SizeRole::Electable),
            ("ReadOnlySpecs", "InstanceSize", SizeRole::ReadOnly),
            ("AnalyticsSpecs", "InstanceSize", SizeRole::Analytics),
            ("AutoScaling", "MinInstanceSize", SizeRole::AutoScalingMin),
            ("AutoScaling", "MaxInstanceSize", SizeRole::AutoScalingMax),
            (
                "AnalyticsAutoScaling",
                "MinInstanceSize",
                SizeRole::AutoScalingMin,
            ),
            (
                "AnalyticsAutoScaling",
                "MaxInstanceSize",
                SizeRole::AutoScalingMax,
            ),
        ];
        for (outer, inner, role) in paths {
            let Some(spec) = child(rc, outer) else {
                continue;
            };
            let size = if matches!(role, SizeRole::AutoScalingMin | SizeRole::AutoScalingMax) {
                child(&spec, "Compute").and_then(|c| child(&c, inner))
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

    /// `MongoDB::Atlas::ServerlessInstance`: its project is `ProjectID` (not `ProjectId`).
    fn serverless_instance(&self, r: &Resource<'_>) -> Cluster {
        let settings = r.prop("ProviderSettings");
        let setting = |key: &str| settings.as_ref().and_then(|s| child(s, key));
        Cluster {
            origin: self.origin_by(r, "ProjectID"),
            kind: ClusterKind::Serverless,
            kind_loc: r.type_loc.clone().unwrap_or_else(|| r.anchor.clone()),
            name: self.known(r.prop("Name")),
            regions: vec![RegionConfig {
                provider: self.value(setting("ProviderName")),
                backing_provider: self.value(setting("BackingProviderName")),
                region: self.value(setting("RegionName")),
                sizes: Vec::new(),
            }],
            encryption_at_rest_provider: None,
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
            template_actions: &[],
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
        assert_eq!(&*c.kind_loc.pointer, "/Resources/F/Type");
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
