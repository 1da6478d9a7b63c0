//! The model as data: the linked model in a documented, versioned JSON shape
//! (`schema/model-v1.schema.json`, `docs/policies.md`). `atlasgov-lint model` prints it, and
//! users' policies read it, one resource at a time.
//!
//! Every value is `{"value": .., "loc": {..}}`: the value as written (booleans and numbers
//! typed where the field is one, anything else a string, e.g. an unresolved Terraform
//! expression) and where it was written. A location's `ref` is its index in
//! [`Located::locs`], through which a policy's result is turned back into a [`Loc`].

use serde_json::{Map, Value, json};

use super::partition::project_partition;
use super::{Cluster, ClusterKind, Loc, Model, Origin, Project, RegionConfig, SizeRole, Text};
use crate::paths::display_path;

/// The version of the JSON shape; it changes when a field changes meaning or goes away
/// (fields are only ever added within a version).
pub const VERSION: u32 = 1;

/// The resource kinds, as `kind` names them.
pub const KINDS: &[&str] = &[
    "project",
    "cluster",
    "database_user",
    "integration",
    "alert_config",
    "network_container",
    "network_peering",
    "private_endpoint",
    "encryption_at_rest",
    "copy_setting",
    "product",
];

/// One resource as data: what a policy gets as `input.resource`.
#[derive(Debug, Clone)]
pub struct Resource {
    pub kind: &'static str,
    /// Index of the resource's project in [`Located::projects`], when linked.
    pub project: Option<usize>,
    pub value: Value,
    /// The resource's body: where a result that names no value of it is reported.
    pub body: Loc,
}

/// The model as data, and the locations its values were read from.
#[derive(Debug, Default)]
pub struct Located {
    pub projects: Vec<Value>,
    pub resources: Vec<Resource>,
    /// `loc.ref` of every value is an index into this.
    pub locs: Vec<Loc>,
}

impl Located {
    /// The whole model, as `atlasgov-lint model` prints it.
    pub fn document(&self) -> Value {
        let mut groups: Map<String, Value> = Map::new();
        for kind in KINDS.iter().skip(1) {
            groups.insert(plural(kind), Value::Array(Vec::new()));
        }
        for r in &self.resources {
            if let Some(Value::Array(list)) = groups.get_mut(&plural(r.kind)) {
                list.push(r.value.clone());
            }
        }
        let mut doc = Map::new();
        doc.insert("version".into(), json!(VERSION));
        doc.insert("projects".into(), Value::Array(self.projects.clone()));
        doc.extend(groups);
        Value::Object(doc)
    }

    /// The input of one policy evaluation: a resource with its kind and its project.
    pub fn input(&self, resource: &Resource) -> Value {
        json!({
            "version": VERSION,
            "kind": resource.kind,
            "resource": resource.value,
            "project": resource.project.and_then(|p| self.projects.get(p)).cloned().unwrap_or(Value::Null),
        })
    }
}

fn plural(kind: &str) -> String {
    format!("{kind}s")
}

/// How a field's value reads in JSON.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bool,
    Number,
}

struct Builder<'m> {
    model: &'m Model,
    locs: Vec<Loc>,
}

impl Builder<'_> {
    fn loc(&mut self, loc: &Loc) -> Value {
        let r = self.locs.len();
        self.locs.push(loc.clone());
        let mut out = self.loc_fields(loc);
        out.insert("ref".into(), json!(r));
        if let Some(via) = &loc.via {
            out.insert("via".into(), Value::Object(self.loc_fields(via)));
        }
        Value::Object(out)
    }

    fn loc_fields(&self, loc: &Loc) -> Map<String, Value> {
        let file = self
            .model
            .files
            .get(loc.file as usize)
            .map(|f| display_path(&f.path))
            .unwrap_or_default();
        let mut out = Map::new();
        out.insert("file".into(), json!(file));
        out.insert("line".into(), json!(loc.start.line));
        out.insert("column".into(), json!(loc.start.column));
        out.insert("end_line".into(), json!(loc.end.line));
        out.insert("end_column".into(), json!(loc.end.column));
        out.insert("pointer".into(), json!(&*loc.pointer));
        out
    }

    fn typed(&mut self, text: &Text, ty: Ty) -> Value {
        let s = text.as_str();
        let value = match ty {
            Ty::Bool if s.eq_ignore_ascii_case("true") => json!(true),
            Ty::Bool if s.eq_ignore_ascii_case("false") => json!(false),
            Ty::Number => match s.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => match s.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                    Some(n) => Value::Number(n),
                    None => json!(s),
                },
            },
            _ => json!(s),
        };
        json!({"value": value, "loc": self.loc(&text.loc)})
    }

    fn text(&mut self, text: Option<&Text>) -> Value {
        self.opt(text, Ty::Str)
    }

    fn opt(&mut self, text: Option<&Text>, ty: Ty) -> Value {
        match text {
            Some(t) => self.typed(t, ty),
            None => Value::Null,
        }
    }

    fn texts<'t>(&mut self, texts: impl IntoIterator<Item = &'t Text>) -> Value {
        Value::Array(texts.into_iter().map(|t| self.typed(t, Ty::Str)).collect())
    }

    fn base(&mut self, origin: &Origin) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("loc".into(), self.loc(&origin.body));
        out.insert("project".into(), json!(origin.project));
        out
    }

    fn project(&mut self, p: &Project) -> Value {
        let partition = if p.partial {
            None
        } else {
            project_partition(p.region_usage.as_ref().map(Text::as_str))
        };
        let mut out = Map::new();
        out.insert("loc".into(), self.loc(&p.origin.body));
        out.insert("name".into(), self.text(p.name.as_ref()));
        out.insert("id".into(), self.text(p.id.as_ref()));
        out.insert("region_usage".into(), self.text(p.region_usage.as_ref()));
        out.insert("partition".into(), json!(partition.map(|p| p.describe())));
        out.insert("partial".into(), json!(p.partial));
        Value::Object(out)
    }

    fn region(&mut self, rc: &RegionConfig) -> Value {
        let sizes: Vec<Value> = rc
            .sizes
            .iter()
            .map(|s| {
                let mut v = self.typed(&s.value, Ty::Str);
                if let Value::Object(m) = &mut v {
                    m.insert("role".into(), json!(role(s.role)));
                }
                v
            })
            .collect();
        json!({
            "provider": self.text(rc.provider.as_ref()),
            "backing_provider": self.text(rc.backing_provider.as_ref()),
            "region": self.text(rc.region.as_ref()),
            "sizes": sizes,
        })
    }

    fn cluster(&mut self, c: &Cluster) -> Value {
        let mut out = self.base(&c.origin);
        let kind = match c.kind {
            ClusterKind::Advanced => "advanced",
            ClusterKind::Legacy => "legacy",
            ClusterKind::Flex => "flex",
            ClusterKind::Serverless => "serverless",
        };
        out.insert("type".into(), json!(kind));
        out.insert("name".into(), self.text(c.name.as_ref()));
        let regions: Vec<Value> = c.regions.iter().map(|r| self.region(r)).collect();
        out.insert("regions".into(), Value::Array(regions));
        out.insert(
            "encryption_at_rest_provider".into(),
            self.text(c.encryption_at_rest_provider.as_ref()),
        );
        let s = &c.settings;
        out.insert(
            "backup_enabled".into(),
            self.opt(s.backup_enabled.as_ref(), Ty::Bool),
        );
        out.insert(
            "pit_enabled".into(),
            self.opt(s.pit_enabled.as_ref(), Ty::Bool),
        );
        out.insert(
            "termination_protection".into(),
            self.opt(s.termination_protection.as_ref(), Ty::Bool),
        );
        out.insert(
            "disk_size_gb".into(),
            self.opt(s.disk_size_gb.as_ref(), Ty::Number),
        );
        out.insert(
            "mongodb_version".into(),
            self.text(s.mongodb_version.as_ref()),
        );
        let tags: Vec<Value> = s
            .tags
            .iter()
            .map(|t| json!({"key": self.text(Some(&t.key)), "value": self.text(t.value.as_ref())}))
            .collect();
        out.insert("tags".into(), Value::Array(tags));
        Value::Object(out)
    }
}

fn role(role: SizeRole) -> &'static str {
    match role {
        SizeRole::Electable => "electable",
        SizeRole::ReadOnly => "read_only",
        SizeRole::Analytics => "analytics",
        SizeRole::Instance => "instance",
        SizeRole::AutoScalingMin => "auto_scaling_min",
        SizeRole::AutoScalingMax => "auto_scaling_max",
    }
}

/// The linked model as data. Resources come in the model's order, by kind.
pub fn located(model: &Model) -> Located {
    let mut b = Builder {
        model,
        locs: Vec::new(),
    };
    let projects: Vec<Value> = model.projects.iter().map(|p| b.project(p)).collect();
    let mut resources = Vec::new();
    for (i, p) in model.projects.iter().enumerate() {
        if let Some(value) = projects.get(i) {
            resources.push(Resource {
                kind: "project",
                project: Some(i),
                value: value.clone(),
                body: p.origin.body.clone(),
            });
        }
    }
    let mut push = |kind: &'static str, origin: &Origin, value: Value| {
        resources.push(Resource {
            kind,
            project: origin.project,
            value,
            body: origin.body.clone(),
        });
    };
    for c in &model.clusters {
        push("cluster", &c.origin, b.cluster(c));
    }
    for u in &model.database_users {
        let mut out = b.base(&u.origin);
        out.insert("username".into(), b.text(u.username.as_ref()));
        out.insert("scope_types".into(), b.texts(&u.scope_types));
        push("database_user", &u.origin, Value::Object(out));
    }
    for i in &model.integrations {
        let mut out = b.base(&i.origin);
        out.insert("type".into(), b.text(Some(&i.kind)));
        out.insert("region".into(), b.text(i.region.as_ref()));
        push("integration", &i.origin, Value::Object(out));
    }
    for a in &model.alert_configs {
        let mut out = b.base(&a.origin);
        out.insert("event_type".into(), b.text(a.event_type.as_ref()));
        let notifications: Vec<Value> = a
            .notifications
            .iter()
            .map(|n| {
                json!({
                    "type": b.text(n.type_name.as_ref()),
                    "datadog_region": b.text(n.datadog_region.as_ref()),
                    "loc": b.loc(&n.loc),
                })
            })
            .collect();
        out.insert("notifications".into(), Value::Array(notifications));
        push("alert_config", &a.origin, Value::Object(out));
    }
    for c in &model.containers {
        let mut out = b.base(&c.origin);
        out.insert("provider".into(), b.text(c.provider.as_ref()));
        out.insert("regions".into(), b.texts(&c.regions));
        out.insert("id".into(), b.text(c.id.as_ref()));
        push("network_container", &c.origin, Value::Object(out));
    }
    for p in &model.peerings {
        let mut out = b.base(&p.origin);
        out.insert("provider".into(), b.text(p.provider.as_ref()));
        out.insert("accepter_region".into(), b.text(p.accepter_region.as_ref()));
        out.insert("container_id".into(), b.text(p.container_id.as_ref()));
        out.insert(
            "container_region".into(),
            b.text(p.container_region.as_ref()),
        );
        push("network_peering", &p.origin, Value::Object(out));
    }
    for p in &model.private_endpoints {
        let mut out = b.base(&p.origin);
        out.insert("provider".into(), b.text(p.provider.as_ref()));
        out.insert("region".into(), b.text(p.region.as_ref()));
        push("private_endpoint", &p.origin, Value::Object(out));
    }
    for e in &model.encryption_at_rest {
        let mut out = b.base(&e.origin);
        out.insert("aws_kms_region".into(), b.text(e.aws_kms_region.as_ref()));
        out.insert(
            "gcp_key_version_resource_id".into(),
            b.text(e.gcp_key_version_resource_id.as_ref()),
        );
        out.insert("gcp_kms_enabled".into(), b.text(e.gcp_kms_enabled.as_ref()));
        out.insert("azure_key_vault".into(), b.text(e.azure_key_vault.as_ref()));
        push("encryption_at_rest", &e.origin, Value::Object(out));
    }
    for c in &model.copy_settings {
        let mut out = b.base(&c.origin);
        out.insert("cloud_provider".into(), b.text(c.cloud_provider.as_ref()));
        out.insert("region".into(), b.text(c.region.as_ref()));
        push("copy_setting", &c.origin, Value::Object(out));
    }
    for p in &model.products {
        let mut out = b.base(&p.origin);
        out.insert("what".into(), json!(p.what));
        out.insert("at".into(), json!({"loc": b.loc(&p.loc)}));
        out.insert("providers".into(), b.texts(&p.providers));
        push("product", &p.origin, Value::Object(out));
    }
    Located {
        projects,
        resources,
        locs: b.locs,
    }
}
