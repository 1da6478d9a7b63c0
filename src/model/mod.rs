//! The normalized Atlas model: what every adapter produces and every rule reads.
//!
//! A value in the model is a [`Field`]: the value plus the [`Loc`] it was read from. Rules
//! never see documents or formats, only these types.

pub mod link;
pub mod partition;

use std::path::PathBuf;

use crate::document::{Cursor, LineCol, LineIndex, Span};

/// Index of a file in [`Model::files`].
pub type FileId = u32;

/// Where a value came from: file, byte span, line/column of both ends, and JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
    pub start: LineCol,
    pub end: LineCol,
    pub pointer: Box<str>,
    /// Where the value was actually set, when it reached this place indirectly (a Terraform
    /// variable's default or a tfvars file, a CloudFormation parameter default). Reporters
    /// show it as a second label.
    pub via: Option<Box<Loc>>,
}

/// A value with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub loc: Loc,
}

/// A string (or scalar written as text) with its location.
pub type Text = Field<Box<str>>;

impl Text {
    pub fn as_str(&self) -> &str {
        &self.value
    }
    /// Case-insensitive comparison, for enum values written in any case.
    pub fn is(&self, value: &str) -> bool {
        self.value.eq_ignore_ascii_case(value)
    }
}

/// A checked file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as walked from the argument given on the command line.
    pub path: PathBuf,
    /// The command-line argument this file was found under (bounds directory linking).
    pub root: PathBuf,
}

/// How a resource names the project it belongs to, as written in the spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ProjectRef {
    /// By Atlas project id (`groupId`).
    Id(Text),
    /// Nothing explicit: the project body in the same directory or the nearest ancestor.
    #[default]
    Directory,
    /// A format-scoped reference that an adapter can resolve to exactly one project key (see
    /// [`Project::keys`]), e.g. `k8s:ns/name` or `tf:dir:mongodbatlas_project.gov`.
    Key(String),
    /// Nothing can link it.
    Unknown,
}

/// What every resource carries: where its body is and which project it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The body as a whole (its first line), for findings about the resource itself.
    pub body: Loc,
    pub project_ref: ProjectRef,
    /// Filled in by [`link::link`]: index into [`Model::projects`].
    pub project: Option<usize>,
}

impl Origin {
    pub fn file(&self) -> FileId {
        self.body.file
    }
}

/// An Atlas project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub origin: Origin,
    pub name: Option<Text>,
    pub id: Option<Text>,
    /// `regionUsageRestrictions` as written; absent means standard regions in AtlasGov.
    pub region_usage: Option<Text>,
    /// Format-scoped names a [`ProjectRef::Key`] can use to reach this project.
    pub keys: Vec<String>,
}

/// The kind of cluster body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterKind {
    /// Dedicated cluster with `replicationSpecs[].regionConfigs[]`.
    Advanced,
    /// Legacy body with `providerSettings` and/or `regionsConfig` keyed by region.
    Legacy,
    /// A Flex cluster body.
    Flex,
    /// A serverless instance body.
    Serverless,
}

/// What an instance size is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeRole {
    Electable,
    ReadOnly,
    Analytics,
    /// Legacy `providerSettings.instanceSizeName`.
    Instance,
    /// `autoScaling.compute.minInstanceSize` (or the analytics one).
    AutoScalingMin,
}

impl SizeRole {
    pub fn describe(self) -> &'static str {
        match self {
            SizeRole::Electable => "electable instance size",
            SizeRole::ReadOnly => "read-only instance size",
            SizeRole::Analytics => "analytics instance size",
            SizeRole::Instance => "instance size",
            SizeRole::AutoScalingMin => "auto-scaling minimum instance size",
        }
    }
}

/// An instance size with what it is used for.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceSize {
    pub role: SizeRole,
    pub value: Text,
}

/// Where a cluster runs: one region config (or the legacy/flex provider settings).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionConfig {
    pub provider: Option<Text>,
    pub backing_provider: Option<Text>,
    pub region: Option<Text>,
    pub sizes: Vec<InstanceSize>,
}

impl RegionConfig {
    /// The cloud the region name belongs to: the backing provider for TENANT/FLEX/SERVERLESS.
    pub fn cloud(&self) -> Option<&str> {
        let provider = self.provider.as_ref().map(Text::as_str);
        match provider {
            Some(p)
                if p.eq_ignore_ascii_case("TENANT")
                    || p.eq_ignore_ascii_case("FLEX")
                    || p.eq_ignore_ascii_case("SERVERLESS") =>
            {
                self.backing_provider.as_ref().map(Text::as_str)
            }
            Some(p) => Some(p),
            None => self.backing_provider.as_ref().map(Text::as_str),
        }
    }
}

/// A cluster (dedicated, legacy, flex or serverless).
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub origin: Origin,
    pub kind: ClusterKind,
    /// Where to point when the kind itself is the problem (e.g. the flex `providerSettings`).
    pub kind_loc: Loc,
    pub name: Option<Text>,
    pub regions: Vec<RegionConfig>,
    pub encryption_at_rest_provider: Option<Text>,
}

/// Everything the adapters found in all checked files.
#[derive(Debug, Default)]
pub struct Model {
    pub files: Vec<SourceFile>,
    pub projects: Vec<Project>,
    pub clusters: Vec<Cluster>,
    /// The config's `default-region-usage`: the region usage assumed for resources whose
    /// project is unknown (located in the config file). `None`: nothing is assumed.
    pub default_region_usage: Option<Text>,
}

impl Model {
    /// The project a resource is linked to.
    pub fn project_of(&self, origin: &Origin) -> Option<&Project> {
        origin.project.and_then(|i| self.projects.get(i))
    }

    /// The partition assumed for a resource with no linked project (the config's
    /// `default-region-usage`), with the value that set it.
    pub fn assumed_partition(&self) -> Option<(partition::Partition, &Text)> {
        let usage = self.default_region_usage.as_ref()?;
        Some((partition::project_partition(Some(usage.as_str()))?, usage))
    }

    /// Append another file's model, renumbering nothing: file ids are assigned before.
    pub fn extend(&mut self, other: Model) {
        self.projects.extend(other.projects);
        self.clusters.extend(other.clusters);
    }

    pub fn is_empty(&self) -> bool {
        self.projects.is_empty() && self.clusters.is_empty()
    }
}

/// What an adapter needs to turn document nodes into located model values.
pub struct LocCtx<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub index: &'a LineIndex,
}

impl LocCtx<'_> {
    /// The location of a node.
    pub fn loc(&self, cur: &Cursor<'_>) -> Loc {
        self.loc_of(cur.node.span, &cur.pointer)
    }

    pub fn loc_of(&self, span: Span, pointer: &str) -> Loc {
        Loc {
            file: self.file,
            span,
            start: self.index.line_col(self.text, span.start),
            end: self.index.line_col(self.text, span.end),
            pointer: pointer.into(),
            via: None,
        }
    }

    /// A scalar node as located text (`None` for null, sequences and mappings).
    pub fn text(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        let cur = cur?;
        let value = cur.text()?;
        Some(Field {
            value: value.into(),
            loc: self.loc(&cur),
        })
    }
}
