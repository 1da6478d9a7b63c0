//! The model as data: the linked model in a documented, versioned JSON shape
//! (`schema/model-v1.schema.json`, `docs/policies.md`). `atlasgov-lint model` prints it, and
//! users' policies read it, one resource at a time.
//!
//! Every value is `{"value": .., "loc": {..}}`: the value as written (booleans and numbers
//! typed where the field is one, anything else a string, e.g. an unresolved Terraform
//! expression) and where it was written. A location's `ref` is its index in
//! [`Located::locs`], through which a policy's result is turned back into a [`Loc`].

use std::path::Path;

use serde_json::{Map, Value, json};

use super::partition::project_partition;
use super::{
    Cluster, ClusterKind, FileId, InstanceSize, Loc, Model, Origin, Project, RegionConfig,
    SizeRole, Tag, Text,
};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    Bool,
    Number,
}

/// Where a [`Builder`] writes: JSON ([`Json`], for `atlasgov-lint model`) or another value
/// type with the same shape (the policy engine's, built directly, without JSON between).
pub trait Sink {
    type V: Clone;
    fn null(&mut self) -> Self::V;
    fn bool(&mut self, b: bool) -> Self::V;
    fn int(&mut self, n: i64) -> Self::V;
    /// `None` for a number JSON cannot hold (not finite).
    fn float(&mut self, f: f64) -> Option<Self::V>;
    fn str(&mut self, s: &str) -> Self::V;
    /// A file's path as locations show it (the same file recurs in every location of it).
    fn file(&mut self, file: FileId, path: Option<&Path>) -> Self::V;
    fn array(&mut self, items: Vec<Self::V>) -> Self::V;
    fn object(&mut self, entries: Vec<(&'static str, Self::V)>) -> Self::V;
}

/// The JSON sink.
#[derive(Debug, Default, Clone, Copy)]
pub struct Json;

impl Sink for Json {
    type V = Value;
    fn null(&mut self) -> Value {
        Value::Null
    }
    fn bool(&mut self, b: bool) -> Value {
        Value::Bool(b)
    }
    fn int(&mut self, n: i64) -> Value {
        Value::from(n)
    }
    fn float(&mut self, f: f64) -> Option<Value> {
        serde_json::Number::from_f64(f).map(Value::Number)
    }
    fn str(&mut self, s: &str) -> Value {
        Value::String(s.to_string())
    }
    fn file(&mut self, _: FileId, path: Option<&Path>) -> Value {
        Value::String(path.map(display_path).unwrap_or_default())
    }
    fn array(&mut self, items: Vec<Value>) -> Value {
        Value::Array(items)
    }
    fn object(&mut self, entries: Vec<(&'static str, Value)>) -> Value {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Map<String, Value>>(),
        )
    }
}

/// Turns the model's resources into data, recording every location it writes (a value's
/// `loc.ref` is its index in [`Builder::locs`]).
#[derive(Clone)]
pub struct Builder<'m, S: Sink = Json> {
    model: &'m Model,
    locs: Vec<&'m Loc>,
    /// When set, locations are not recorded but numbered as this list numbers them, from
    /// the first number given (the same location, the same `ref`): [`Builder::number_as`].
    numbered: Option<(usize, Vec<&'m Loc>)>,
    sink: S,
}

impl<'m, S: Sink> Builder<'m, S> {
    /// The `ref` of a location: recorded now, or its number in [`Builder::number_as`]'s list.
    pub fn ref_of(&mut self, loc: &'m Loc) -> usize {
        match &self.numbered {
            Some((first, list)) => list
                .iter()
                .position(|l| std::ptr::eq(*l, loc))
                .map_or(usize::MAX >> 1, |i| first + i),
            None => {
                self.locs.push(loc);
                self.locs.len() - 1
            }
        }
    }

    fn loc(&mut self, loc: &'m Loc) -> S::V {
        let r = self.ref_of(loc);
        let mut out = self.loc_fields(loc);
        let r = self.sink.int(i64::try_from(r).unwrap_or(i64::MAX));
        out.push(("ref", r));
        if let Some(via) = &loc.via {
            let via = self.loc_fields(via);
            let via = self.sink.object(via);
            out.push(("via", via));
        }
        self.sink.object(out)
    }

    fn loc_fields(&mut self, loc: &Loc) -> Vec<(&'static str, S::V)> {
        let path = self.model.files.get(loc.file as usize).map(|f| &*f.path);
        let s = &mut self.sink;
        vec![
            ("file", s.file(loc.file, path)),
            ("line", s.int(i64::from(loc.start.line))),
            ("column", s.int(i64::from(loc.start.column))),
            ("end_line", s.int(i64::from(loc.end.line))),
            ("end_column", s.int(i64::from(loc.end.column))),
            ("pointer", s.str(&loc.pointer)),
        ]
    }

    fn typed(&mut self, text: &'m Text, ty: Ty) -> S::V {
        self.typed_with(text, ty, Vec::new())
    }

    /// `{"value", "loc"}` and the given fields.
    fn typed_with(&mut self, text: &'m Text, ty: Ty, mut more: Vec<(&'static str, S::V)>) -> S::V {
        let value = self.typed_value(text, ty);
        let loc = self.loc(&text.loc);
        more.splice(0..0, [("value", value), ("loc", loc)]);
        self.sink.object(more)
    }

    /// A value as written, typed where the field is a boolean or a number.
    fn typed_value(&mut self, text: &Text, ty: Ty) -> S::V {
        let s = text.as_str();
        match ty {
            Ty::Bool if s.eq_ignore_ascii_case("true") => self.sink.bool(true),
            Ty::Bool if s.eq_ignore_ascii_case("false") => self.sink.bool(false),
            Ty::Number => match s.parse::<i64>() {
                Ok(n) => self.sink.int(n),
                Err(_) => match s.parse::<f64>().ok().and_then(|f| self.sink.float(f)) {
                    Some(n) => n,
                    None => self.sink.str(s),
                },
            },
            _ => self.sink.str(s),
        }
    }

    fn text(&mut self, text: Option<&'m Text>) -> S::V {
        self.opt(text, Ty::Str)
    }

    fn opt(&mut self, text: Option<&'m Text>, ty: Ty) -> S::V {
        match text {
            Some(t) => self.typed(t, ty),
            None => self.sink.null(),
        }
    }

    fn texts(&mut self, texts: impl IntoIterator<Item = &'m Text>) -> S::V {
        let items = texts.into_iter().map(|t| self.typed(t, Ty::Str)).collect();
        self.sink.array(items)
    }

    fn tags(&mut self, tags: &'m [Tag]) -> S::V {
        let items = tags.iter().map(|t| self.tag(t)).collect();
        self.sink.array(items)
    }

    fn tag(&mut self, t: &'m Tag) -> S::V {
        let key = self.text(Some(&t.key));
        let value = self.text(t.value.as_ref());
        self.sink.object(vec![("key", key), ("value", value)])
    }

    fn opt_index(&mut self, index: Option<usize>) -> S::V {
        match index {
            Some(i) => self.sink.int(i64::try_from(i).unwrap_or(i64::MAX)),
            None => self.sink.null(),
        }
    }

    fn base(&mut self, origin: &'m Origin) -> Vec<(&'static str, S::V)> {
        let loc = self.loc(&origin.body);
        let project = self.opt_index(origin.project);
        vec![("loc", loc), ("project", project)]
    }

    fn project(&mut self, p: &'m Project) -> S::V {
        let partition = if p.partial {
            None
        } else {
            project_partition(p.region_usage.as_ref().map(Text::as_str))
        };
        let entries = vec![
            ("loc", self.loc(&p.origin.body)),
            ("name", self.text(p.name.as_ref())),
            ("id", self.text(p.id.as_ref())),
            ("region_usage", self.text(p.region_usage.as_ref())),
            (
                "partition",
                match partition {
                    Some(p) => self.sink.str(p.describe()),
                    None => self.sink.null(),
                },
            ),
            ("partial", self.sink.bool(p.partial)),
            ("tags", self.tags(&p.tags)),
        ];
        self.sink.object(entries)
    }

    fn regions(&mut self, regions: &'m [RegionConfig]) -> S::V {
        let items = regions.iter().map(|r| self.region(r)).collect();
        self.sink.array(items)
    }

    fn region(&mut self, rc: &'m RegionConfig) -> S::V {
        // The sizes first: their locations are numbered before the region's own.
        let sizes = self.sizes(&rc.sizes);
        let entries = vec![
            ("provider", self.text(rc.provider.as_ref())),
            (
                "backing_provider",
                self.text(rc.backing_provider.as_deref()),
            ),
            ("region", self.text(rc.region.as_ref())),
            ("sizes", sizes),
        ];
        self.sink.object(entries)
    }

    fn sizes(&mut self, sizes: &'m [InstanceSize]) -> S::V {
        let items = sizes.iter().map(|s| self.size(s)).collect();
        self.sink.array(items)
    }

    fn size(&mut self, s: &'m InstanceSize) -> S::V {
        let role = self.sink.str(role(s.role));
        self.typed_with(&s.value, Ty::Str, vec![("role", role)])
    }

    fn cluster(&mut self, c: &'m Cluster) -> S::V {
        let mut out = self.base(&c.origin);
        out.push(("type", self.sink.str(cluster_type(c.kind))));
        out.push(("name", self.text(c.name.as_ref())));
        out.push(("regions", self.regions(&c.regions)));
        out.push((
            "encryption_at_rest_provider",
            self.text(c.encryption_at_rest_provider.as_ref()),
        ));
        let s = c.settings();
        out.push((
            "backup_enabled",
            self.opt(s.backup_enabled.as_ref(), Ty::Bool),
        ));
        out.push(("pit_enabled", self.opt(s.pit_enabled.as_ref(), Ty::Bool)));
        out.push((
            "termination_protection",
            self.opt(s.termination_protection.as_ref(), Ty::Bool),
        ));
        out.push((
            "disk_size_gb",
            self.opt(s.disk_size_gb.as_ref(), Ty::Number),
        ));
        out.push(("mongodb_version", self.text(s.mongodb_version.as_ref())));
        out.push(("tags", self.tags(&s.tags)));
        self.sink.object(out)
    }
}

fn cluster_type(kind: ClusterKind) -> &'static str {
    match kind {
        ClusterKind::Advanced => "advanced",
        ClusterKind::Legacy => "legacy",
        ClusterKind::Flex => "flex",
        ClusterKind::Serverless => "serverless",
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
    /// A JSON builder whose first location is `ref` 0.
    pub fn new(model: &'m Model) -> Self {
        Builder::with_sink(model, Json)
    }
}

impl<'m, S: Sink> Builder<'m, S> {
    /// A builder writing to `sink`, whose first location is `ref` 0.
    pub fn with_sink(model: &'m Model, sink: S) -> Self {
        Builder {
            model,
            locs: Vec::new(),
            numbered: None,
            sink,
        }
    }

    /// Where values are written.
    pub fn sink(&mut self) -> &mut S {
        &mut self.sink
    }

    /// The locations recorded so far: a value's `loc.ref` indexes this.
    pub fn locs(&self) -> &[&'m Loc] {
        &self.locs
    }

    /// From now on, record no location but number each as `list` does, from `first` (the
    /// locations another builder recorded building the same values, after its first `first`):
    /// a part built alone then has the `ref`s it has in the whole.
    pub fn number_as(&mut self, first: usize, list: &[&'m Loc]) {
        let numbered = self.numbered.get_or_insert_with(|| (0, Vec::new()));
        numbered.0 = first;
        numbered.1.clear();
        numbered.1.extend_from_slice(list);
    }

    /// Forget the locations recorded after the first `len` (the values built since cannot be
    /// resolved any more).
    pub fn truncate(&mut self, len: usize) {
        self.locs.truncate(len);
    }

    /// The data of the model's `index`th project.
    pub fn project_at(&mut self, index: usize) -> S::V {
        match self.model.projects.get(index) {
            Some(p) => self.project(p),
            None => self.sink.null(),
        }
    }

    /// One resource as data: `input.resource`.
    pub fn item(&mut self, item: &Item<'m>) -> S::V {
        let b = self;
        match item.what {
            What::Project(p) => b.project(p),
            What::Cluster(c) => b.cluster(c),
            What::User(u) => {
                let mut out = b.base(&u.origin);
                out.push(("username", b.text(u.username.as_ref())));
                out.push(("scope_types", b.texts(&u.scope_types)));
                b.sink.object(out)
            }
            What::Integration(i) => {
                let mut out = b.base(&i.origin);
                out.push(("type", b.text(Some(&i.kind))));
                out.push(("region", b.text(i.region.as_ref())));
                b.sink.object(out)
            }
            What::Alert(a) => {
                let mut out = b.base(&a.origin);
                out.push(("event_type", b.text(a.event_type.as_ref())));
                let notifications = a
                    .notifications
                    .iter()
                    .map(|n| {
                        let entries = vec![
                            ("type", b.text(n.type_name.as_ref())),
                            ("datadog_region", b.text(n.datadog_region.as_ref())),
                            ("loc", b.loc(&n.loc)),
                        ];
                        b.sink.object(entries)
                    })
                    .collect();
                let notifications = b.sink.array(notifications);
                out.push(("notifications", notifications));
                b.sink.object(out)
            }
            What::Container(c) => {
                let mut out = b.base(&c.origin);
                out.push(("provider", b.text(c.provider.as_ref())));
                out.push(("regions", b.texts(&c.regions)));
                out.push(("id", b.text(c.id.as_ref())));
                b.sink.object(out)
            }
            What::Peering(p) => {
                let mut out = b.base(&p.origin);
                out.push(("provider", b.text(p.provider.as_ref())));
                out.push(("accepter_region", b.text(p.accepter_region.as_ref())));
                out.push(("container_id", b.text(p.container_id.as_ref())));
                out.push(("container_region", b.text(p.container_region.as_ref())));
                b.sink.object(out)
            }
            What::Endpoint(p) => {
                let mut out = b.base(&p.origin);
                out.push(("provider", b.text(p.provider.as_ref())));
                out.push(("region", b.text(p.region.as_ref())));
                b.sink.object(out)
            }
            What::Encryption(e) => {
                let mut out = b.base(&e.origin);
                out.push(("aws_kms_region", b.text(e.aws_kms_region.as_ref())));
                out.push(("aws_kms_key_id", b.text(e.aws_kms_key_id.as_ref())));
                out.push((
                    "gcp_key_version_resource_id",
                    b.text(e.gcp_key_version_resource_id.as_ref()),
                ));
                out.push(("gcp_kms_enabled", b.text(e.gcp_kms_enabled.as_ref())));
                out.push(("azure_key_vault", b.text(e.azure_key_vault.as_ref())));
                b.sink.object(out)
            }
            What::Copy(c) => {
                let mut out = b.base(&c.origin);
                out.push(("cloud_provider", b.text(c.cloud_provider.as_ref())));
                out.push(("region", b.text(c.region.as_ref())));
                b.sink.object(out)
            }
            What::Product(p) => {
                let mut out = b.base(&p.origin);
                out.push(("what", b.sink.str(p.what)));
                let loc = b.loc(&p.loc);
                out.push(("at", b.sink.object(vec![("loc", loc)])));
                out.push(("providers", b.texts(&p.providers)));
                b.sink.object(out)
            }
        }
    }
}

/// A part of a cluster's data not built yet. A policy reads fields and elements through it
/// ([`Builder::field_at`], [`Lazy::at`]) and has built only what it uses whole
/// ([`Builder::force`]); each kind is what the builder function of the same name builds, and
/// [`Builder::field_at`] answers what that function would have written at the key.
#[derive(Debug, Clone, Copy)]
pub enum Lazy<'m> {
    Cluster(&'m Cluster),
    Regions(&'m [RegionConfig]),
    Region(&'m RegionConfig),
    Sizes(&'m [InstanceSize]),
    Size(&'m InstanceSize),
    /// A value as written, and its location (`typed`).
    Text(&'m Text, Ty),
    Loc(&'m Loc),
    Tags(&'m [Tag]),
    Tag(&'m Tag),
}

impl<'m> Lazy<'m> {
    /// Whether two are the same part of the model.
    pub fn same(self, other: Lazy<'_>) -> bool {
        use std::ptr::eq;
        match (self, other) {
            (Lazy::Cluster(a), Lazy::Cluster(b)) => eq(a, b),
            (Lazy::Regions(a), Lazy::Regions(b)) => eq(a, b),
            (Lazy::Region(a), Lazy::Region(b)) => eq(a, b),
            (Lazy::Sizes(a), Lazy::Sizes(b)) => eq(a, b),
            (Lazy::Size(a), Lazy::Size(b)) => eq(a, b),
            (Lazy::Text(a, x), Lazy::Text(b, y)) => eq(a, b) && x == y,
            (Lazy::Loc(a), Lazy::Loc(b)) => eq(a, b),
            (Lazy::Tags(a), Lazy::Tags(b)) => eq(a, b),
            (Lazy::Tag(a), Lazy::Tag(b)) => eq(a, b),
            _ => false,
        }
    }

    /// The location the part's data carries as its own `loc` (or is, for a location).
    pub fn own_loc(self) -> Option<&'m Loc> {
        match self {
            Lazy::Cluster(c) => Some(&c.origin.body),
            Lazy::Size(s) => Some(&s.value.loc),
            Lazy::Text(t, _) => Some(&t.loc),
            Lazy::Loc(l) => Some(l),
            _ => None,
        }
    }

    /// The number of elements of a part that is an array.
    pub fn array_len(self) -> Option<usize> {
        match self {
            Lazy::Regions(r) => Some(r.len()),
            Lazy::Sizes(s) => Some(s.len()),
            Lazy::Tags(t) => Some(t.len()),
            _ => None,
        }
    }

    /// The `i`th element of a part that is an array.
    pub fn at(self, i: usize) -> Option<Lazy<'m>> {
        match self {
            Lazy::Regions(r) => r.get(i).map(Lazy::Region),
            Lazy::Sizes(s) => s.get(i).map(Lazy::Size),
            Lazy::Tags(t) => t.get(i).map(Lazy::Tag),
            _ => None,
        }
    }

    /// Whether its data is an array (else an object).
    pub fn is_array(self) -> bool {
        matches!(self, Lazy::Regions(_) | Lazy::Sizes(_) | Lazy::Tags(_))
    }
}

/// A key that a part read in parts ([`Lazy`]) or the input around it may have, resolved
/// from its name once ([`Key::of`]); [`Key::Other`] for any other name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Key {
    Version,
    Kind,
    Resource,
    Loc,
    Project,
    Type,
    Name,
    Regions,
    EncryptionAtRestProvider,
    BackupEnabled,
    PitEnabled,
    TerminationProtection,
    DiskSizeGb,
    MongodbVersion,
    Tags,
    Provider,
    BackingProvider,
    Region,
    Sizes,
    Value,
    Role,
    Key,
    Other,
}

impl Key {
    /// The key of this name.
    pub fn of(name: &str) -> Key {
        match name {
            "version" => Key::Version,
            "kind" => Key::Kind,
            "resource" => Key::Resource,
            "loc" => Key::Loc,
            "project" => Key::Project,
            "type" => Key::Type,
            "name" => Key::Name,
            "regions" => Key::Regions,
            "encryption_at_rest_provider" => Key::EncryptionAtRestProvider,
            "backup_enabled" => Key::BackupEnabled,
            "pit_enabled" => Key::PitEnabled,
            "termination_protection" => Key::TerminationProtection,
            "disk_size_gb" => Key::DiskSizeGb,
            "mongodb_version" => Key::MongodbVersion,
            "tags" => Key::Tags,
            "provider" => Key::Provider,
            "backing_provider" => Key::BackingProvider,
            "region" => Key::Region,
            "sizes" => Key::Sizes,
            "value" => Key::Value,
            "role" => Key::Role,
            "key" => Key::Key,
            _ => Key::Other,
        }
    }
}

/// What a key of a [`Lazy`] object holds.
pub enum Field<'m, V> {
    Lazy(Lazy<'m>),
    Value(V),
    /// The key is not written.
    Missing,
    /// Build the whole part to answer (a location's fields).
    Force,
}

impl<'m, S: Sink> Builder<'m, S> {
    fn lazy_text(&mut self, text: Option<&'m Text>, ty: Ty) -> Field<'m, S::V> {
        match text {
            Some(t) => Field::Lazy(Lazy::Text(t, ty)),
            None => Field::Value(self.sink.null()),
        }
    }

    /// The value at `key` (its name resolved, [`Key::of`]) of a part that is an object, as
    /// [`Builder::force`] would write it.
    pub fn field_at(&mut self, node: Lazy<'m>, key: Key) -> Field<'m, S::V> {
        match node {
            Lazy::Cluster(c) => {
                let s = c.settings();
                match key {
                    Key::Loc => Field::Lazy(Lazy::Loc(&c.origin.body)),
                    Key::Project => Field::Value(self.opt_index(c.origin.project)),
                    Key::Type => Field::Value(self.sink.str(cluster_type(c.kind))),
                    Key::Name => self.lazy_text(c.name.as_ref(), Ty::Str),
                    Key::Regions => Field::Lazy(Lazy::Regions(&c.regions)),
                    Key::EncryptionAtRestProvider => {
                        self.lazy_text(c.encryption_at_rest_provider.as_ref(), Ty::Str)
                    }
                    Key::BackupEnabled => self.lazy_text(s.backup_enabled.as_ref(), Ty::Bool),
                    Key::PitEnabled => self.lazy_text(s.pit_enabled.as_ref(), Ty::Bool),
                    Key::TerminationProtection => {
                        self.lazy_text(s.termination_protection.as_ref(), Ty::Bool)
                    }
                    Key::DiskSizeGb => self.lazy_text(s.disk_size_gb.as_ref(), Ty::Number),
                    Key::MongodbVersion => self.lazy_text(s.mongodb_version.as_ref(), Ty::Str),
                    Key::Tags => Field::Lazy(Lazy::Tags(&s.tags)),
                    _ => Field::Missing,
                }
            }
            Lazy::Region(rc) => match key {
                Key::Provider => self.lazy_text(rc.provider.as_ref(), Ty::Str),
                Key::BackingProvider => self.lazy_text(rc.backing_provider.as_deref(), Ty::Str),
                Key::Region => self.lazy_text(rc.region.as_ref(), Ty::Str),
                Key::Sizes => Field::Lazy(Lazy::Sizes(&rc.sizes)),
                _ => Field::Missing,
            },
            Lazy::Size(s) => match key {
                Key::Value => Field::Value(self.typed_value(&s.value, Ty::Str)),
                Key::Loc => Field::Lazy(Lazy::Loc(&s.value.loc)),
                Key::Role => Field::Value(self.sink.str(role(s.role))),
                _ => Field::Missing,
            },
            Lazy::Text(t, ty) => match key {
                Key::Value => Field::Value(self.typed_value(t, ty)),
                Key::Loc => Field::Lazy(Lazy::Loc(&t.loc)),
                _ => Field::Missing,
            },
            Lazy::Tag(t) => match key {
                Key::Key => Field::Lazy(Lazy::Text(&t.key, Ty::Str)),
                Key::Value => self.lazy_text(t.value.as_ref(), Ty::Str),
                _ => Field::Missing,
            },
            Lazy::Loc(_) => Field::Force,
            Lazy::Regions(_) | Lazy::Sizes(_) | Lazy::Tags(_) => Field::Missing,
        }
    }

    /// The part's data, whole.
    pub fn force(&mut self, node: Lazy<'m>) -> S::V {
        match node {
            Lazy::Cluster(c) => self.cluster(c),
            Lazy::Regions(r) => self.regions(r),
            Lazy::Region(r) => self.region(r),
            Lazy::Sizes(s) => self.sizes(s),
            Lazy::Size(s) => self.size(s),
            Lazy::Text(t, ty) => self.typed(t, ty),
            Lazy::Loc(l) => self.loc(l),
            Lazy::Tags(t) => self.tags(t),
            Lazy::Tag(t) => self.tag(t),
        }
    }
}

impl<'m> Item<'m> {
    /// The cluster the item is, if it is one.
    pub fn cluster(&self) -> Option<&'m Cluster> {
        match self.what {
            What::Cluster(c) => Some(c),
            _ => None,
        }
    }
}

/// A sink that builds nothing: a [`Builder`] over it only records the locations, in the
/// order building the data would.
#[derive(Clone)]
pub struct Unit;

impl Sink for Unit {
    type V = ();

    fn null(&mut self) {}
    fn bool(&mut self, _: bool) {}
    fn int(&mut self, _: i64) {}
    fn float(&mut self, f: f64) -> Option<()> {
        f.is_finite().then_some(())
    }
    fn str(&mut self, _: &str) {}
    fn file(&mut self, _: FileId, _: Option<&Path>) {}
    fn array(&mut self, _: Vec<()>) {}
    fn object(&mut self, _: Vec<(&'static str, ())>) {}
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
        locs: b.locs.into_iter().cloned().collect(),
    }
}
