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

/// Turns the model's resources into data, recording every location it writes (a value's
/// `loc.ref` is its index in [`Builder::locs`]).
pub struct Builder<'m> {
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

    fn tags(&mut self, tags: &[super::Tag]) -> Value {
        tags.iter()
            .map(|t| json!({"key": self.text(Some(&t.key)), "value": self.text(t.value.as_ref())}))
            .collect()
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
        out.insert("tags".into(), self.tags(&p.tags));
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
        out.insert("tags".into(), self.tags(&s.tags));
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

/// A resource of the model, not yet turned into data: what it is, its project and where its
/// body is written. [`resources`] lists them; a [`Builder`] turns one into data.
#[derive(Debug, Clone, Copy)]
pub struct Item<'m> {
    pub kind: &'static str,
    /// Index of the resource's project in the model's projects, when linked.
    pub project: Option<usize>,
    pub body: &'m Loc,
    what: What<'m>,
}

#[derive(Debug, Clone, Copy)]
enum What<'m> {
    Project(&'m Project),
    Cluster(&'m Cluster),
    User(&'m super::DatabaseUser),
    Integration(&'m super::Integration),
    Alert(&'m super::AlertConfig),
    Container(&'m super::NetworkContainer),
    Peering(&'m super::NetworkPeering),
    Endpoint(&'m super::PrivateEndpoint),
    Encryption(&'m super::EncryptionAtRest),
    Copy(&'m super::CopySetting),
    Product(&'m super::ProductUse),
}

/// Every resource of the linked model, in the model's order, by kind ([`KINDS`]'s order).
pub fn resources(model: &Model) -> Vec<Item<'_>> {
    fn item<'m>(kind: &'static str, origin: &'m Origin, what: What<'m>) -> Item<'m> {
        Item {
            kind,
            project: origin.project,
            body: &origin.body,
            what,
        }
    }
    let m = model;
    let mut out: Vec<Item<'_>> = m
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| Item {
            project: Some(i),
            ..item("project", &p.origin, What::Project(p))
        })
        .collect();
    out.extend(
        m.clusters
            .iter()
            .map(|c| item("cluster", &c.origin, What::Cluster(c))),
    );
    out.extend(
        m.database_users
            .iter()
            .map(|u| item("database_user", &u.origin, What::User(u))),
    );
    out.extend(
        m.integrations
            .iter()
            .map(|i| item("integration", &i.origin, What::Integration(i))),
    );
    out.extend(
        m.alert_configs
            .iter()
            .map(|a| item("alert_config", &a.origin, What::Alert(a))),
    );
    out.extend(
        m.containers
            .iter()
            .map(|c| item("network_container", &c.origin, What::Container(c))),
    );
    out.extend(
        m.peerings
            .iter()
            .map(|p| item("network_peering", &p.origin, What::Peering(p))),
    );
    out.extend(
        m.private_endpoints
            .iter()
            .map(|p| item("private_endpoint", &p.origin, What::Endpoint(p))),
    );
    out.extend(
        m.encryption_at_rest
            .iter()
            .map(|e| item("encryption_at_rest", &e.origin, What::Encryption(e))),
    );
    out.extend(
        m.copy_settings
            .iter()
            .map(|c| item("copy_setting", &c.origin, What::Copy(c))),
    );
    out.extend(
        m.products
            .iter()
            .map(|p| item("product", &p.origin, What::Product(p))),
    );
    out
}

impl<'m> Builder<'m> {
    /// A builder whose first location is `ref` 0.
    pub fn new(model: &'m Model) -> Self {
        Builder {
            model,
            locs: Vec::new(),
        }
    }

    /// The locations recorded so far: a value's `loc.ref` indexes this.
    pub fn locs(&self) -> &[Loc] {
        &self.locs
    }

    /// Forget the locations recorded after the first `len` (the values built since cannot be
    /// resolved any more).
    pub fn truncate(&mut self, len: usize) {
        self.locs.truncate(len);
    }

    /// The data of the model's `index`th project.
    pub fn project_at(&mut self, index: usize) -> Value {
        match self.model.projects.get(index) {
            Some(p) => self.project(p),
            None => Value::Null,
        }
    }

    /// One resource as data: `input.resource`.
    pub fn item(&mut self, item: &Item<'_>) -> Value {
        let b = self;
        match item.what {
            What::Project(p) => b.project(p),
            What::Cluster(c) => b.cluster(c),
            What::User(u) => {
                let mut out = b.base(&u.origin);
                out.insert("username".into(), b.text(u.username.as_ref()));
                out.insert("scope_types".into(), b.texts(&u.scope_types));
                Value::Object(out)
            }
            What::Integration(i) => {
                let mut out = b.base(&i.origin);
                out.insert("type".into(), b.text(Some(&i.kind)));
                out.insert("region".into(), b.text(i.region.as_ref()));
                Value::Object(out)
            }
            What::Alert(a) => {
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
                Value::Object(out)
            }
            What::Container(c) => {
                let mut out = b.base(&c.origin);
                out.insert("provider".into(), b.text(c.provider.as_ref()));
                out.insert("regions".into(), b.texts(&c.regions));
                out.insert("id".into(), b.text(c.id.as_ref()));
                Value::Object(out)
            }
            What::Peering(p) => {
                let mut out = b.base(&p.origin);
                out.insert("provider".into(), b.text(p.provider.as_ref()));
                out.insert("accepter_region".into(), b.text(p.accepter_region.as_ref()));
                out.insert("container_id".into(), b.text(p.container_id.as_ref()));
                out.insert(
                    "container_region".into(),
                    b.text(p.container_region.as_ref()),
                );
                Value::Object(out)
            }
            What::Endpoint(p) => {
                let mut out = b.base(&p.origin);
                out.insert("provider".into(), b.text(p.provider.as_ref()));
                out.insert("region".into(), b.text(p.region.as_ref()));
                Value::Object(out)
            }
            What::Encryption(e) => {
                let mut out = b.base(&e.origin);
                out.insert("aws_kms_region".into(), b.text(e.aws_kms_region.as_ref()));
                out.insert(
                    "gcp_key_version_resource_id".into(),
                    b.text(e.gcp_key_version_resource_id.as_ref()),
                );
                out.insert("gcp_kms_enabled".into(), b.text(e.gcp_kms_enabled.as_ref()));
                out.insert("azure_key_vault".into(), b.text(e.azure_key_vault.as_ref()));
                Value::Object(out)
            }
            What::Copy(c) => {
                let mut out = b.base(&c.origin);
                out.insert("cloud_provider".into(), b.text(c.cloud_provider.as_ref()));
                out.insert("region".into(), b.text(c.region.as_ref()));
                Value::Object(out)
            }
            What::Product(p) => {
                let mut out = b.base(&p.origin);
                out.insert("what".into(), json!(p.what));
                out.insert("at".into(), json!({"loc": b.loc(&p.loc)}));
                out.insert("providers".into(), b.texts(&p.providers));
                Value::Object(out)
            }
        }
    }
}

/// The linked model as data, as `atlasgov-lint model` prints it: every location's `ref`
/// numbered over the whole model. Resources come in [`resources`]' order.
pub fn located(model: &Model) -> Located {
    let mut b = Builder::new(model);
    let projects: Vec<Value> = model.projects.iter().map(|p| b.project(p)).collect();
    let resources = resources(model)
        .iter()
        .map(|item| Resource {
            kind: item.kind,
            project: item.project,
            value: match item.what {
                What::Project(_) => item
                    .project
                    .and_then(|i| projects.get(i))
                    .cloned()
                    .unwrap_or(Value::Null),
                _ => b.item(item),
            },
            body: item.body.clone(),
        })
        .collect();
    Located {
        projects,
        resources,
        locs: b.locs,
    }
}
