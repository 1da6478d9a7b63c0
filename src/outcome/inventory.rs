//! A reporting view of the linked model: the projects, the resources linked to each, where
//! they run (provider, region, tiers), every value with its location. The engine builds it
//! after linking when a report asks for it ([`crate::engine::Options::inventory`]); reporters
//! read it instead of the model, which they never see.

use std::collections::{HashMap, HashSet};

use crate::document::Span;
use crate::model::partition::{self, Partition, RegionClass, classify_region};
use crate::model::{ClusterKind, FileId, Loc, Model, Origin, RegionConfig, Text};

/// What the report shows about the projects and resources of a run.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The projects of the checked files, then those of context files (read for linking
    /// only) that a checked resource links to.
    pub projects: Vec<ProjectEntry>,
    /// The resources of the checked files, in file order.
    pub resources: Vec<Resource>,
    /// The config's `default-region-usage`: the partition assumed for resources with no
    /// linked project (`None` inside: a value that is no region usage), and where it is set.
    pub assumed: Option<(Option<Partition>, Text)>,
}

/// A project.
#[derive(Debug, Clone)]
pub struct ProjectEntry {
    pub name: Option<Text>,
    pub id: Option<Text>,
    /// The project body (its first key).
    pub body: Loc,
    /// `regionUsageRestrictions` as written; absent means standard.
    pub region_usage: Option<Text>,
    /// How the format spells `regionUsageRestrictions`.
    pub region_usage_field: &'static str,
    /// `None`: the region usage is not a value that can be read (a placeholder).
    pub partition: Option<Partition>,
    /// A patch of a project defined elsewhere (a kustomize overlay).
    pub partial: bool,
    /// Defined in a file read only for linking: not itself checked.
    pub context: bool,
    /// The first and last byte of the project's values in its file.
    pub extent: Span,
}

impl ProjectEntry {
    /// Whether the project counts among the run's projects (a patch is the project it
    /// patches, not another one).
    pub fn counts(&self) -> bool {
        !self.partial
    }
}

/// A resource that belongs to a project (a cluster, a database user, a peering, ...).
#[derive(Debug, Clone)]
pub struct Resource {
    /// What it is, for people: "cluster", "database user", "network peering", ...
    pub kind: &'static str,
    pub name: Option<Text>,
    /// The body (its first key).
    pub body: Loc,
    /// Index into [`Inventory::projects`].
    pub project: Option<usize>,
    /// Where it runs.
    pub placements: Vec<Placement>,
    /// Other values worth showing (a Datadog region, an alert's event type).
    pub settings: Vec<(&'static str, Text)>,
    /// The first and last byte of the resource's values in its file.
    pub extent: Span,
}

/// One place a resource runs: a provider, a region and the tiers used there.
#[derive(Debug, Clone)]
pub struct Placement {
    pub provider: Option<Text>,
    /// The cloud behind a `TENANT`, `FLEX` or `SERVERLESS` provider.
    pub backing_provider: Option<Text>,
    pub region: Option<Text>,
    /// What AtlasGov makes of the region (`Unknown` without one).
    pub class: RegionClass,
    /// Instance sizes with what each is for ("electable instance size").
    pub tiers: Vec<(&'static str, Text)>,
}

impl Inventory {
    /// The view of a linked model. Resources of `context` files are left out, and so are their
    /// projects unless a checked resource links to one.
    pub fn of(model: &Model, context: &HashSet<FileId>) -> Inventory {
        let mut resources = Vec::new();
        let mut add = |origin: &Origin, r: Draft| {
            if context.contains(&origin.file()) {
                return;
            }
            resources.push((origin.project, r.finish(origin)));
        };
        for c in &model.clusters {
            add(&c.origin, cluster(c));
        }
        for u in &model.database_users {
            let mut d = Draft::new("database user", u.username.clone());
            d.cover_all(u.scope_types.iter().map(|t| &t.loc));
            add(&u.origin, d);
        }
        for a in &model.alert_configs {
            let mut d = Draft::new("alert configuration", None);
            d.setting("event type", a.event_type.as_ref());
            for n in &a.notifications {
                d.cover(&n.loc);
                d.setting("notification", n.type_name.as_ref());
                d.setting("Datadog region", n.datadog_region.as_ref());
            }
            add(&a.origin, d);
        }
        for i in &model.integrations {
            let mut d = Draft::new("integration", Some(i.kind.clone()));
            d.setting("region", i.region.as_ref());
            add(&i.origin, d);
        }
        for r in &model.restore_jobs {
            let mut d = Draft::new("snapshot restore job", None);
            d.setting("target project", r.target.as_ref());
            add(&r.origin, d);
        }
        for c in &model.copy_settings {
            let mut d = Draft::new("snapshot copy", None);
            d.place(
                c.cloud_provider.as_ref(),
                None,
                c.region.as_ref(),
                Vec::new(),
            );
            add(&c.origin, d);
        }
        for c in &model.containers {
            let mut d = Draft::new("network container", None);
            for region in &c.regions {
                d.place(c.provider.as_ref(), None, Some(region), Vec::new());
            }
            if c.regions.is_empty() {
                d.place(c.provider.as_ref(), None, None, Vec::new());
            }
            d.setting("container id", c.id.as_ref());
            add(&c.origin, d);
        }
        for p in &model.peerings {
            let mut d = Draft::new("network peering", None);
            d.place(
                p.provider.as_ref(),
                None,
                p.accepter_region.as_ref(),
                Vec::new(),
            );
            if p.container_region.is_some() {
                d.place(
                    p.provider.as_ref(),
                    None,
                    p.container_region.as_ref(),
                    Vec::new(),
                );
            }
            d.setting("container id", p.container_id.as_ref());
            add(&p.origin, d);
        }
        for e in &model.private_endpoints {
            let mut d = Draft::new("private endpoint", None);
            d.place(e.provider.as_ref(), None, e.region.as_ref(), Vec::new());
            add(&e.origin, d);
        }
        for e in &model.encryption_at_rest {
            let mut d = Draft::new("encryption at rest", None);
            if let Some(region) = &e.aws_kms_region {
                let aws = Text {
                    value: "AWS".into(),
                    loc: region.loc.clone(),
                };
                d.place(Some(&aws), None, Some(region), Vec::new());
            }
            d.setting(
                "Google Cloud KMS key",
                e.gcp_key_version_resource_id.as_ref(),
            );
            d.setting("Google Cloud KMS enabled", e.gcp_kms_enabled.as_ref());
            d.setting("Azure Key Vault", e.azure_key_vault.as_ref());
            add(&e.origin, d);
        }
        for p in &model.products {
            let mut d = Draft::new(p.what, None);
            d.cover(&p.loc);
            for provider in &p.providers {
                d.setting("cloud provider", Some(provider));
            }
            add(&p.origin, d);
        }

        // The projects: those of checked files, then the context projects linked to.
        let linked: HashSet<usize> = resources.iter().filter_map(|(p, _)| *p).collect();
        let mut index: HashMap<usize, usize> = HashMap::new();
        let mut projects = Vec::new();
        let wanted = |(i, p): &(usize, &crate::model::Project)| {
            !context.contains(&p.origin.file()) || linked.contains(i)
        };
        let (own, borrowed): (Vec<_>, Vec<_>) = model
            .projects
            .iter()
            .enumerate()
            .filter(wanted)
            .partition(|(_, p)| !context.contains(&p.origin.file()));
        for (i, p) in own.into_iter().chain(borrowed) {
            index.insert(i, projects.len());
            let mut d = Draft::new("project", p.name.clone());
            d.cover_all(p.id.iter().map(|t| &t.loc));
            d.cover_all(p.region_usage.iter().map(|t| &t.loc));
            let body = &p.origin.body;
            projects.push(ProjectEntry {
                name: p.name.clone(),
                id: p.id.clone(),
                body: body.clone(),
                region_usage: p.region_usage.clone(),
                region_usage_field: p.region_usage_field,
                partition: partition::project_partition(p.region_usage.as_ref().map(Text::as_str)),
                partial: p.partial,
                context: context.contains(&p.origin.file()),
                extent: d.extent(body),
            });
        }
        let resources = resources
            .into_iter()
            .map(|(p, mut r)| {
                r.project = p.and_then(|p| index.get(&p).copied());
                r
            })
            .collect();
        let assumed = model.default_region_usage.as_ref().map(|usage| {
            (
                partition::project_partition(Some(usage.as_str())),
                usage.clone(),
            )
        });
        Inventory {
            projects,
            resources,
            assumed,
        }
    }
}

fn cluster(c: &crate::model::Cluster) -> Draft {
    let kind = match c.kind {
        ClusterKind::Advanced => "cluster",
        ClusterKind::Legacy => "cluster (legacy body)",
        ClusterKind::Flex => "flex cluster",
        ClusterKind::Serverless => "serverless instance",
    };
    let mut d = Draft::new(kind, c.name.clone());
    d.cover(c.kind_loc());
    for rc in &c.regions {
        let RegionConfig {
            provider,
            backing_provider,
            region,
            sizes,
        } = rc;
        let tiers = sizes
            .iter()
            .map(|s| (s.role.describe(), s.value.clone()))
            .collect();
        d.place(
            provider.as_ref(),
            backing_provider.as_deref(),
            region.as_ref(),
            tiers,
        );
    }
    d.setting(
        "encryption at rest provider",
        c.encryption_at_rest_provider.as_ref(),
    );
    d
}

/// A resource being described, and the locations of the values it was read from.
struct Draft {
    kind: &'static str,
    name: Option<Text>,
    placements: Vec<Placement>,
    settings: Vec<(&'static str, Text)>,
    locs: Vec<Loc>,
}

impl Draft {
    fn new(kind: &'static str, name: Option<Text>) -> Draft {
        let locs = name.iter().map(|n| n.loc.clone()).collect();
        Draft {
            kind,
            name,
            placements: Vec::new(),
            settings: Vec::new(),
            locs,
        }
    }

    fn cover(&mut self, loc: &Loc) {
        self.locs.push(loc.clone());
    }

    fn cover_all<'a>(&mut self, locs: impl Iterator<Item = &'a Loc>) {
        self.locs.extend(locs.cloned());
    }

    fn setting(&mut self, what: &'static str, value: Option<&Text>) {
        if let Some(v) = value {
            self.cover(&v.loc);
            self.settings.push((what, v.clone()));
        }
    }

    fn place(
        &mut self,
        provider: Option<&Text>,
        backing_provider: Option<&Text>,
        region: Option<&Text>,
        tiers: Vec<(&'static str, Text)>,
    ) {
        self.cover_all(
            provider
                .iter()
                .chain(&backing_provider)
                .chain(&region)
                .map(|t| &t.loc),
        );
        self.cover_all(tiers.iter().map(|(_, t)| &t.loc));
        let rc = RegionConfig {
            provider: provider.cloned(),
            backing_provider: backing_provider.cloned().map(Box::new),
            region: None,
            sizes: Vec::new(),
        };
        let class = region.map_or(RegionClass::Unknown, |r| {
            classify_region(rc.cloud(), r.as_str())
        });
        self.placements.push(Placement {
            provider: provider.cloned(),
            backing_provider: backing_provider.cloned(),
            region: region.cloned(),
            class,
            tiers,
        });
    }

    /// The first and last byte of the values read in the body's own file.
    fn extent(&self, body: &Loc) -> Span {
        let spans = self
            .locs
            .iter()
            .chain(std::iter::once(body))
            .filter(|l| l.file == body.file)
            .map(|l| l.span);
        let start = spans
            .clone()
            .map(|s| s.start)
            .min()
            .unwrap_or(body.span.start);
        let end = spans.map(|s| s.end).max().unwrap_or(body.span.end);
        Span { start, end }
    }

    fn finish(self, origin: &Origin) -> Resource {
        let extent = self.extent(&origin.body);
        Resource {
            kind: self.kind,
            name: self.name,
            body: origin.body.clone(),
            project: None,
            placements: self.placements,
            settings: self.settings,
            extent,
        }
    }
}
