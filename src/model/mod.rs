//! The normalized Atlas model: what every adapter produces and every rule reads.
//!
//! A value in the model is a [`Field`]: the value plus the [`Loc`] it was read from. Rules
//! never see documents or formats, only these types.

pub mod json;
pub mod link;
mod loc;
pub mod partition;

pub use loc::{Loc, LocCtx, SourceMap, TEMPLATE_VALUE, intern_pointer, intern_value};

use arcstr::ArcStr;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in [`Model::files`].
pub type FileId = u32;

/// A value with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub loc: Loc,
}

/// A string (or scalar written as text) with its location.
pub type Text = Field<ArcStr>;

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
    /// The command-line argument this file was found under (bounds directory linking),
    /// shared by the files found under it.
    pub root: Arc<Path>,
}

/// How a resource names the project it belongs to, as written in the spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ProjectRef {
    /// By Atlas project id (`groupId`). Boxed: most resources have none, and every resource
    /// has a reference (40 bytes less each).
    Id(Box<Text>),
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
/// How a format chooses a project's region usage when it is not by writing the field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsageChoice {
    /// Both choices, for GOV005's help.
    pub either: &'static str,
    /// How to make it a gov project, for GOV004's help; `None` when writing
    /// `GOV_REGIONS_ONLY` where [`Project::region_usage_field`] says is the way.
    pub gov: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub origin: Origin,
    pub name: Option<Text>,
    pub id: Option<Text>,
    /// `regionUsageRestrictions` as written; absent means standard regions in AtlasGov.
    pub region_usage: Option<Text>,
    /// How the source format spells `regionUsageRestrictions` (`region_usage_restrictions` in
    /// Terraform, `RegionUsageRestrictions` in CloudFormation), for messages that tell the user
    /// what to set.
    pub region_usage_field: &'static str,
    /// How the format makes the choice, when it is not by setting that field to
    /// `GOV_REGIONS_ONLY` or `COMMERCIAL_FEDRAMP_REGIONS_ONLY` (the Atlas CLI's boolean flag),
    /// for help texts.
    pub region_usage_choice: Option<UsageChoice>,
    /// Where `regionUsageRestrictions` would be written when it is absent (see [`Switch`]).
    pub region_usage_slot: Option<Switch>,
    /// Where a kustomize patch removed `regionUsageRestrictions` from the project its base
    /// wrote (`regionUsageRestrictions: null`, a JSON patch `remove`): the place its absence,
    /// and so its standard regions, comes from. `None` otherwise.
    pub region_usage_removed: Option<Loc>,
    /// Format-scoped names a [`ProjectRef::Key`] can use to reach this project.
    pub keys: Vec<String>,
    /// `tags` (Admin API `tags: [{key, value}]`, a Terraform `tags` map, CloudFormation
    /// `Tags`): what policies read and no rule judges.
    pub tags: Vec<Tag>,
    /// A patch of a project defined elsewhere (an `AtlasProject` without `spec.name`, read
    /// outside any kustomization that would render it): what it leaves out is inherited, not
    /// defaulted, and it is never the project a resource links to.
    pub partial: bool,
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
    /// `autoScaling.compute.maxInstanceSize` (or the analytics one).
    AutoScalingMax,
}

impl SizeRole {
    pub fn describe(self) -> &'static str {
        match self {
            SizeRole::Electable => "electable instance size",
            SizeRole::ReadOnly => "read-only instance size",
            SizeRole::Analytics => "analytics instance size",
            SizeRole::Instance => "instance size",
            SizeRole::AutoScalingMin => "auto-scaling minimum instance size",
            SizeRole::AutoScalingMax => "auto-scaling maximum instance size",
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
    /// Boxed: set only on shared-tier and Flex clusters, and the model holds hundreds of
    /// thousands of region configs in a large run.
    pub backing_provider: Option<Box<Text>>,
    pub region: Option<Text>,
    pub sizes: Vec<InstanceSize>,
}

impl NetworkContainer {
    /// The cloud its region names belong to: its provider, AWS when it names none (the API's
    /// default).
    pub fn cloud(&self) -> Option<&str> {
        self.provider.as_ref().map(Text::as_str).or(Some("AWS"))
    }
}

impl NetworkPeering {
    /// The cloud of its container's region: GCP for a GCP peering, else AWS (the accepter
    /// region is always an AWS one: only AWS peerings name it).
    pub fn container_cloud(&self) -> Option<&str> {
        if self.provider.as_ref().is_some_and(|p| p.is("GCP")) {
            Some("GCP")
        } else {
            Some("AWS")
        }
    }
}

impl PrivateEndpoint {
    /// The cloud its region belongs to: its provider, AWS when it names none.
    pub fn cloud(&self) -> Option<&str> {
        self.provider.as_ref().map(Text::as_str).or(Some("AWS"))
    }
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
                self.backing_provider.as_deref().map(Text::as_str)
            }
            Some(p) => Some(p),
            None => self.backing_provider.as_deref().map(Text::as_str),
        }
    }
}

/// A cluster (dedicated, legacy, flex or serverless).
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub origin: Origin,
    pub kind: ClusterKind,
    /// Where to point when the kind itself is the problem (e.g. the flex `providerSettings`):
    /// read it with [`Cluster::kind_loc`].
    pub kind_loc: KindLoc,
    pub name: Option<Text>,
    pub regions: Vec<RegionConfig>,
    pub encryption_at_rest_provider: Option<Text>,
    /// What no AtlasGov rule judges but users' policies read (see `docs/policies.md`):
    /// `None` for a body that cannot have them (a CLI command, a serverless instance), or when
    /// the run has no use for them (no policy,
    /// no `model` output: the engine drops them as each file is read, a quarter of the model's
    /// memory on a repository of Admin API bodies). Read through [`Cluster::settings`].
    pub settings: Option<Box<ClusterSettings>>,
}

/// Where a cluster's kind is written ([`Cluster::kind_loc`]): most often the body itself
/// (an advanced cluster's), which the cluster holds already, so that place is not held twice
/// (40 bytes a cluster).
#[derive(Debug, Clone, PartialEq)]
pub enum KindLoc {
    Body,
    At(Box<Loc>),
}

impl From<Loc> for KindLoc {
    fn from(loc: Loc) -> KindLoc {
        KindLoc::At(Box::new(loc))
    }
}

impl Cluster {
    /// Where to point when the kind itself is the problem.
    pub fn kind_loc(&self) -> &Loc {
        match &self.kind_loc {
            KindLoc::Body => &self.origin.body,
            KindLoc::At(loc) => loc,
        }
    }

    /// Not the body's place held a second time (see [`KindLoc`]).
    fn share_kind_loc(&mut self) {
        if matches!(&self.kind_loc, KindLoc::At(loc) if **loc == self.origin.body) {
            self.kind_loc = KindLoc::Body;
        }
    }

    /// The settings policies read (all absent when none were kept).
    pub fn settings(&self) -> &ClusterSettings {
        static NONE: ClusterSettings = ClusterSettings {
            backup_enabled: None,
            pit_enabled: None,
            termination_protection: None,
            disk_size_gb: None,
            mongodb_version: None,
            tags: Vec::new(),
        };
        self.settings.as_deref().unwrap_or(&NONE)
    }
}

/// Cluster settings that AtlasGov does not constrain and organisations do (backups on,
/// termination protection, an owner tag, a minimum disk or version). Each value as written
/// (`true`, `40`, `7.0`), with its location; absent when the spec does not set it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterSettings {
    /// `backupEnabled` (legacy bodies; `cloudBackup` for the advanced API, read as the same).
    pub backup_enabled: Option<Text>,
    /// `pitEnabled`: continuous cloud backup.
    pub pit_enabled: Option<Text>,
    /// `terminationProtectionEnabled`.
    pub termination_protection: Option<Text>,
    /// `diskSizeGB` (top level, or the first region config's electable specs).
    pub disk_size_gb: Option<Text>,
    /// `mongoDBMajorVersion`.
    pub mongodb_version: Option<Text>,
    /// `tags`: key/value pairs.
    pub tags: Vec<Tag>,
}

impl ClusterSettings {
    /// Each located value (see [`Model::for_each_text`]).
    pub fn for_each_text(&self, f: &mut dyn FnMut(&Text)) {
        let values = [
            &self.backup_enabled,
            &self.pit_enabled,
            &self.termination_protection,
            &self.disk_size_gb,
            &self.mongodb_version,
        ];
        values.into_iter().flatten().for_each(&mut *f);
        for tag in &self.tags {
            f(&tag.key);
            if let Some(value) = &tag.value {
                f(value);
            }
        }
    }
}

/// A resource tag (`tags: [{key, value}]`, a Terraform `tags` map or blocks).
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    pub key: Text,
    pub value: Option<Text>,
}

/// A product or feature that a body uses as a whole: its presence is what matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    OnlineArchive,
    StreamProcessing,
    DataFederation,
    Trigger,
    /// App Services (Device SDKs, Device Sync, HTTPS endpoints, ...).
    AppServices,
    /// Shared-tier (M2/M5) or Flex snapshots and restore jobs.
    SharedTierBackup,
    /// Creating an Atlas (cloud) user, as opposed to inviting one.
    AtlasUserCreation,
}

/// A cloud provider named by a resource that has no region or project rule of its own (a
/// snapshot export bucket, a cloud provider access role): only which cloud it is matters.
#[derive(Debug, Clone, PartialEq)]
pub struct CloudProviderUse {
    /// What names it, for messages (e.g. "snapshot export bucket provider").
    pub what: &'static str,
    pub provider: Text,
}

/// A body that uses a [`Product`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProductUse {
    pub origin: Origin,
    pub product: Product,
    /// What the body is, for messages (e.g. "online archive", "stream processor").
    pub what: &'static str,
    /// Where to point: the field that gives the body away.
    pub loc: Loc,
    /// Cloud provider fields of the body (e.g. `dataProcessRegion.cloudProvider`).
    pub providers: Vec<Text>,
}

/// A database user.
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseUser {
    pub origin: Origin,
    pub username: Option<Text>,
    /// `scopes[].type` values.
    pub scope_types: Vec<Text>,
}

/// One notification of an alert configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub type_name: Option<Text>,
    pub datadog_region: Option<Text>,
    /// Why `US1_FED` cannot be written here, when the format's own enum lacks it (a fix then
    /// has nothing safe to write).
    pub no_us1_fed: Option<&'static str>,
    /// Where a Datadog region would be written when it is absent (see [`Switch`]).
    pub region_slot: Option<Switch>,
    /// The notification as a whole (where to point when a field is missing).
    pub loc: Loc,
}

/// An alert configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertConfig {
    pub origin: Origin,
    pub event_type: Option<Text>,
    pub notifications: Vec<Notification>,
}

/// A third-party integration or a log export integration.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    pub origin: Origin,
    /// `type` (`DATADOG`, `DATADOG_LOG_EXPORT`, `SLACK`, ...).
    pub kind: Text,
    pub region: Option<Text>,
    /// Where a region would be written when it is absent (see [`Switch`]).
    pub region_slot: Option<Switch>,
    /// The format's schema requires the region (the operator's `AtlasThirdPartyIntegration`):
    /// without one the resource is refused, nothing defaults.
    pub region_required: bool,
}

/// A restore job of a cloud backup snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreJob {
    /// The source project (the project of the snapshot's cluster).
    pub origin: Origin,
    /// The project the data is restored into (`targetGroupId`), or a project key (see
    /// [`Project::keys`]) when the spec names the project by reference.
    pub target: Option<Text>,
    /// Filled in by linking: index into [`Model::projects`].
    pub target_project: Option<usize>,
}

/// A backup policy's snapshot copy setting.
#[derive(Debug, Clone, PartialEq)]
pub struct CopySetting {
    pub origin: Origin,
    pub cloud_provider: Option<Text>,
    pub region: Option<Text>,
}

/// A network peering container.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkContainer {
    pub origin: Origin,
    pub provider: Option<Text>,
    /// `regionName` (AWS), `regions[]` (GCP), `region` (Azure).
    pub regions: Vec<Text>,
    pub id: Option<Text>,
}

/// A network peering connection.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkPeering {
    pub origin: Origin,
    pub provider: Option<Text>,
    /// AWS `accepterRegionName`, AWS-native form (`us-gov-west-1`).
    pub accepter_region: Option<Text>,
    pub container_id: Option<Text>,
    /// The container's region when the body names it (Kubernetes `containerRegion`).
    pub container_region: Option<Text>,
}

/// A private endpoint service.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivateEndpoint {
    pub origin: Origin,
    pub provider: Option<Text>,
    pub region: Option<Text>,
    /// Other regions the service is linked from (AWS cross-region private endpoints: the API's
    /// `supportedRemoteRegions`, the operator's `supportedRegions`, Terraform's
    /// `supported_remote_regions`).
    pub remote_regions: Vec<Text>,
}

/// Encryption at rest with customer key management.
#[derive(Debug, Clone, PartialEq)]
pub struct EncryptionAtRest {
    pub origin: Origin,
    pub aws_kms_region: Option<Text>,
    /// `customerMasterKeyID`: a key id, or a key ARN (`arn:aws-us-gov:kms:us-gov-west-1:...`)
    /// whose region says where the key is.
    pub aws_kms_key_id: Option<Text>,
    pub gcp_key_version_resource_id: Option<Text>,
    /// A Google Cloud KMS key that is enabled but whose resource id the spec does not show (the
    /// operator keeps it in a Secret): `googleCloudKms.enabled` when true.
    pub gcp_kms_enabled: Option<Text>,
    /// `azureKeyVault.enabled` (when true) or the Azure key vault block itself.
    pub azure_key_vault: Option<Text>,
}

/// An authentication mechanism selected somewhere (a connection string's `authMechanism`, a
/// mechanism list). Found in any checked file, Atlas body or not.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthMechanism {
    pub value: Text,
    /// Where it was seen, for messages ("connection string", "mechanism list").
    pub context: &'static str,
    /// Every name of the mechanism list it is one of (itself too), as written, shared by the
    /// list's names; empty when it is not in a list.
    pub list: Arc<[ArcStr]>,
    /// A list written as one comma-separated string: that string (a fix may take one name out
    /// of it, its comma with it).
    pub list_text: Option<Text>,
}

/// A URL that says which Atlas a tool talks to (base URLs, operator domain, Helm `atlasURI`).
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub url: Text,
    pub context: &'static str,
    /// Where the tool's own setting would point it at AtlasGov instead, when the spec can say
    /// so in its own syntax (the Terraform provider's `is_mongodbgov_cloud = true`, the Atlas
    /// CLI's service `cloudgov`), and what the change does, in words.
    pub switch: Option<(Switch, &'static str)>,
    /// The URL is a value of its own under a key that does not say a tool connects to it (a
    /// list item, `old_api:`, `deny_urls:`): it may be listed for what it is (a proxy's deny
    /// list, a test's input), so rewriting it is not surely what the spec wants.
    pub may_list: bool,
    /// The environment variable that sets this URL when the spec does not (the Terraform
    /// provider's `MONGODB_ATLAS_BASE_URL`): a default the run also sets to AtlasGov's URL
    /// under that name (a CI job's `env`, a `.env` file) may not be the one used.
    pub from_env: Option<&'static str>,
    /// The name the URL is set under, when it is a setting by name (a YAML or `.env` key, a
    /// script's `export MONGODB_ATLAS_BASE_URL=...`): a URL set to AtlasGov's under
    /// `from_env`'s name overrides another endpoint's default.
    pub set_as: Option<ArcStr>,
    /// `false` for a setting by name that reaches no run of the tool whose default it would
    /// override (a Makefile variable exported to a target whose recipes do not run
    /// Terraform): neither [`Endpoint::set_as`] nor its key's name then counts.
    pub reaches_runs: bool,
}

impl Endpoint {
    /// A URL a tool is set to, under a key that says so, with no switch of the tool's own and
    /// no variable that may set it instead.
    pub fn new(url: Text, context: &'static str) -> Endpoint {
        Endpoint {
            url,
            context,
            switch: None,
            may_list: false,
            from_env: None,
            set_as: None,
            reaches_runs: true,
        }
    }
}

/// Bytes a spec could hold at a place instead of what it holds: `text` written over the bytes
/// of `loc` (which are `expected` now; an empty span and `expected` for an insertion).
#[derive(Debug, Clone, PartialEq)]
pub struct Switch {
    pub loc: Loc,
    pub expected: ArcStr,
    pub text: String,
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
    pub database_users: Vec<DatabaseUser>,
    pub alert_configs: Vec<AlertConfig>,
    pub integrations: Vec<Integration>,
    pub restore_jobs: Vec<RestoreJob>,
    pub copy_settings: Vec<CopySetting>,
    pub containers: Vec<NetworkContainer>,
    pub peerings: Vec<NetworkPeering>,
    pub private_endpoints: Vec<PrivateEndpoint>,
    pub encryption_at_rest: Vec<EncryptionAtRest>,
    pub products: Vec<ProductUse>,
    pub cloud_providers: Vec<CloudProviderUse>,
    /// Found in any checked file, not only Atlas bodies.
    pub auth_mechanisms: Vec<AuthMechanism>,
    /// Found in any checked file, not only Atlas bodies.
    pub endpoints: Vec<Endpoint>,
    /// Keys that stand for another resource's project (see [`KeyAlias`]).
    pub key_aliases: Vec<KeyAlias>,
    /// Parts of files whose values exist only because a condition holds (see [`Condition`]).
    pub conditions: Vec<Condition>,
    /// What files say about values written in them beyond the texts above (see
    /// [`WrittenNote`]): for fixes, which edit a value where it is written.
    pub written_notes: Vec<WrittenNote>,
    /// Files that a tool writes as a record of what it did or will do (a Terraform plan,
    /// Terraform state), with what they are ("a Terraform plan"): read and reported on, never
    /// edited by a fix (the value comes from a configuration, which is what to fix).
    pub records: Vec<(FileId, &'static str)>,
    /// Parts of files that hold Atlas settings but that an adapter could not read (see
    /// [`Unread`]): reported as invalid specs, since nothing in them was checked.
    pub unread: Vec<Unread>,
    /// YAML anchored nodes that aliases use elsewhere (see [`Aliased`]): a value written in
    /// one is used in each alias's place too, which a fix must respect.
    pub aliased: Vec<Aliased>,
}

/// A YAML anchored node (`&defaults`, in `file`, at `span`) and where aliases use it.
#[derive(Debug, Clone, PartialEq)]
pub struct Aliased {
    pub file: FileId,
    pub span: crate::document::Span,
    pub uses: Vec<Loc>,
}

/// A part of a file an adapter could not read though it names Atlas: a CI step's script
/// that runs the Atlas CLI and does not parse (the shell refuses it too). A whole file that
/// does not parse is reported by the engine; this is a part inside a file that does.
#[derive(Debug, Clone, PartialEq)]
pub struct Unread {
    pub loc: Loc,
    /// What could not be read, and why.
    pub message: String,
    /// How to make it readable.
    pub help: &'static str,
}

/// Something a file says about a value written in it (`file`, `span`: the written value, as a
/// [`Loc::via`] names it) that a fix of that value must respect.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenNote {
    pub file: FileId,
    pub span: crate::document::Span,
    pub note: Note,
}

impl WrittenNote {
    /// `note` about the value written at `loc` (its own place: a [`Loc::via`] is not followed).
    pub fn at(loc: &Loc, note: Note) -> WrittenNote {
        WrittenNote {
            file: loc.file,
            span: loc.span,
            note,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Note {
    /// The value is also used here, in a way no text of the model holds: inside a longer
    /// string (CloudFormation `!Sub "orders-${Site}"`, Pulumi `name: orders-${site}`), or by
    /// a resource the adapters do not map (a Terraform `aws_s3_bucket` using the variable).
    UsedAt(Loc),
    /// Its file allows only some values there: a CloudFormation parameter's `AllowedValues`,
    /// `AllowedPattern` or length bounds, a Terraform variable's `validation`. `at` is where
    /// the restriction is written, `what` names it.
    Restricted {
        at: Loc,
        what: &'static str,
        allows: Allows,
    },
    /// The value is a secret its own file does not show as one: a `terraform.tfvars` value of
    /// a variable declared `sensitive = true` in another file. Reporters mask it.
    Secret,
}

/// Which values a [`Note::Restricted`] lets through.
#[derive(Debug, Clone, PartialEq)]
pub enum Allows {
    /// Exactly these.
    OneOf(Vec<String>),
    /// Values of this many characters.
    Length {
        min: Option<usize>,
        max: Option<usize>,
    },
    /// Values this regular expression matches as a whole (CloudFormation `AllowedPattern`).
    Pattern(String),
    /// Decided by an expression or pattern this tool does not evaluate.
    Unknown,
}

impl Allows {
    /// Whether `value` is let through: `None` when that is not known.
    pub fn allows(&self, value: &str) -> Option<bool> {
        match self {
            Allows::OneOf(values) => Some(values.iter().any(|v| v == value)),
            Allows::Length { min, max } => {
                let n = value.chars().count();
                Some(min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m))
            }
            Allows::Pattern(pattern) => {
                let whole = format!("^(?:{pattern})$");
                let re = regex_automata::meta::Regex::new(&whole).ok()?;
                Some(re.is_match(value))
            }
            Allows::Unknown => None,
        }
    }
}

/// A part of a file (`file`, `span`) whose values exist only because a condition holds: a
/// Terraform resource or `dynamic` block that `count` or `for_each` creates on a condition
/// (`count = var.enable_analytics ? 1 : 0`), the branch a conditional chose. `setting` is the
/// condition's value where it is used, with [`Loc::via`] where it was written (a tfvars value,
/// a variable's default, a module call's argument): a finding in that part depends on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub file: FileId,
    pub span: crate::document::Span,
    pub setting: Text,
}

impl Condition {
    /// Whether a value at `loc` (where it is used, or where it was written) is in this part.
    pub fn covers(&self, loc: &Loc) -> bool {
        let inside = |l: &Loc| {
            l.file == self.file && l.span.start >= self.span.start && l.span.end <= self.span.end
        };
        inside(loc) || loc.via.as_deref().is_some_and(inside)
    }
}

/// A key that reaches whatever project another resource belongs to: a resource that names
/// no project itself but is named by resources that do (a Kubernetes `AtlasBackupSchedule`
/// belongs to the project of the `AtlasDeployment`s whose `backupRef` names it). A
/// [`ProjectRef::Key`] that no project carries resolves through its aliases when they all
/// reach the same project.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyAlias {
    pub key: String,
    /// The referring resource (its project reference is resolved as usual).
    pub via: Origin,
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

    /// Append another file's model (file ids are assigned before adapters run).
    pub fn extend(&mut self, other: Model) {
        self.projects.extend(other.projects);
        // The model lives until the end of the run: clusters (most of it) keep no spare
        // capacity from being built item by item.
        self.clusters
            .extend(other.clusters.into_iter().map(|mut c| {
                c.share_kind_loc();
                for r in &mut c.regions {
                    r.sizes.shrink_to_fit();
                }
                c.regions.shrink_to_fit();
                c
            }));
        self.database_users.extend(other.database_users);
        self.alert_configs.extend(other.alert_configs);
        self.integrations.extend(other.integrations);
        self.restore_jobs.extend(other.restore_jobs);
        self.copy_settings.extend(other.copy_settings);
        self.containers.extend(other.containers);
        self.peerings.extend(other.peerings);
        self.private_endpoints.extend(other.private_endpoints);
        self.encryption_at_rest.extend(other.encryption_at_rest);
        self.products.extend(other.products);
        self.cloud_providers.extend(other.cloud_providers);
        self.auth_mechanisms.extend(other.auth_mechanisms);
        self.endpoints.extend(other.endpoints);
        self.key_aliases.extend(other.key_aliases);
        self.conditions.extend(other.conditions);
        self.written_notes.extend(other.written_notes);
        self.records.extend(other.records);
        self.unread.extend(other.unread);
        self.aliased.extend(other.aliased);
    }

    /// Drops the clusters' [`ClusterSettings`] (what only policies and the `model` output
    /// read), keeping where each of their values written elsewhere is used (a Terraform
    /// variable a cluster's tag uses: a fix of that variable changes the tag too).
    pub fn drop_cluster_settings(&mut self) {
        for cluster in &mut self.clusters {
            if let Some(settings) = cluster.settings.take() {
                settings.for_each_text(&mut |t| {
                    if let Some(written) = t.loc.via.as_deref() {
                        self.written_notes
                            .push(WrittenNote::at(written, Note::UsedAt(t.loc.clone())));
                    }
                });
            }
        }
    }

    /// Every located value of the model, in no particular order (for a fix to find every use
    /// of a value written once: see `rules::fix::reconcile`).
    pub fn for_each_text(&self, f: &mut dyn FnMut(&Text)) {
        let opt = |t: &Option<Text>, f: &mut dyn FnMut(&Text)| {
            if let Some(t) = t {
                f(t);
            }
        };
        opt(&self.default_region_usage, f);
        for p in &self.projects {
            opt(&p.name, f);
            opt(&p.id, f);
            opt(&p.region_usage, f);
        }
        for c in &self.clusters {
            opt(&c.name, f);
            opt(&c.encryption_at_rest_provider, f);
            if let Some(settings) = &c.settings {
                settings.for_each_text(f);
            }
            for r in &c.regions {
                opt(&r.provider, f);
                if let Some(t) = &r.backing_provider {
                    f(t);
                }
                opt(&r.region, f);
                for s in &r.sizes {
                    f(&s.value);
                }
            }
        }
        for u in &self.database_users {
            opt(&u.username, f);
            u.scope_types.iter().for_each(&mut *f);
        }
        for a in &self.alert_configs {
            opt(&a.event_type, f);
            for n in &a.notifications {
                opt(&n.type_name, f);
                opt(&n.datadog_region, f);
            }
        }
        for i in &self.integrations {
            f(&i.kind);
            opt(&i.region, f);
        }
        for r in &self.restore_jobs {
            opt(&r.target, f);
        }
        for c in &self.copy_settings {
            opt(&c.cloud_provider, f);
            opt(&c.region, f);
        }
        for c in &self.containers {
            opt(&c.provider, f);
            opt(&c.id, f);
            c.regions.iter().for_each(&mut *f);
        }
        for p in &self.peerings {
            opt(&p.provider, f);
            opt(&p.accepter_region, f);
            opt(&p.container_id, f);
            opt(&p.container_region, f);
        }
        for p in &self.private_endpoints {
            opt(&p.provider, f);
            opt(&p.region, f);
        }
        for e in &self.encryption_at_rest {
            opt(&e.aws_kms_region, f);
            opt(&e.aws_kms_key_id, f);
            opt(&e.gcp_key_version_resource_id, f);
            opt(&e.gcp_kms_enabled, f);
            opt(&e.azure_key_vault, f);
        }
        for p in &self.products {
            p.providers.iter().for_each(&mut *f);
        }
        for c in &self.cloud_providers {
            f(&c.provider);
        }
        for m in &self.auth_mechanisms {
            f(&m.value);
        }
        for e in &self.endpoints {
            f(&e.url);
        }
    }

    /// Whether no Atlas resource was found (mechanisms and endpoints do not count: they are
    /// found in any file).
    pub fn is_empty(&self) -> bool {
        self.projects.is_empty()
            && self.clusters.is_empty()
            && self.database_users.is_empty()
            && self.alert_configs.is_empty()
            && self.integrations.is_empty()
            && self.restore_jobs.is_empty()
            && self.copy_settings.is_empty()
            && self.containers.is_empty()
            && self.peerings.is_empty()
            && self.private_endpoints.is_empty()
            && self.encryption_at_rest.is_empty()
            && self.products.is_empty()
            && self.cloud_providers.is_empty()
    }

    /// Drop the resources (and key aliases) whose body is in one of `files`, keeping what any
    /// file gives (mechanisms, endpoints, cloud providers): for files a multi-file step reads again as part of
    /// something larger (a kustomize overlay's base and patches), which replaces what each
    /// gave on its own.
    pub fn remove_resources_of(&mut self, files: &HashSet<FileId>) {
        let keep = |o: &Origin| !files.contains(&o.file());
        self.projects.retain(|r| keep(&r.origin));
        self.clusters.retain(|r| keep(&r.origin));
        self.database_users.retain(|r| keep(&r.origin));
        self.alert_configs.retain(|r| keep(&r.origin));
        self.integrations.retain(|r| keep(&r.origin));
        self.restore_jobs.retain(|r| keep(&r.origin));
        self.copy_settings.retain(|r| keep(&r.origin));
        self.containers.retain(|r| keep(&r.origin));
        self.peerings.retain(|r| keep(&r.origin));
        self.private_endpoints.retain(|r| keep(&r.origin));
        self.encryption_at_rest.retain(|r| keep(&r.origin));
        self.products.retain(|r| keep(&r.origin));
        self.key_aliases.retain(|a| keep(&a.via));
    }

    /// Every resource's origin, for linking.
    pub fn origins_mut(&mut self) -> impl Iterator<Item = &mut Origin> {
        self.clusters
            .iter_mut()
            .map(|r| &mut r.origin)
            .chain(self.database_users.iter_mut().map(|r| &mut r.origin))
            .chain(self.alert_configs.iter_mut().map(|r| &mut r.origin))
            .chain(self.integrations.iter_mut().map(|r| &mut r.origin))
            .chain(self.restore_jobs.iter_mut().map(|r| &mut r.origin))
            .chain(self.copy_settings.iter_mut().map(|r| &mut r.origin))
            .chain(self.containers.iter_mut().map(|r| &mut r.origin))
            .chain(self.peerings.iter_mut().map(|r| &mut r.origin))
            .chain(self.private_endpoints.iter_mut().map(|r| &mut r.origin))
            .chain(self.encryption_at_rest.iter_mut().map(|r| &mut r.origin))
            .chain(self.products.iter_mut().map(|r| &mut r.origin))
    }

    /// [`Model::partition_of`], or for a resource with no linked project the partition the
    /// config's `default-region-usage` assumes, with that setting (for a label). A linked
    /// project whose region usage cannot be read (a placeholder) assumes nothing.
    pub fn partition_or_assumed(
        &self,
        origin: &Origin,
    ) -> Option<(partition::Partition, Option<&Text>)> {
        if origin.project.is_some() {
            return self.partition_of(origin).map(|(p, _)| (p, None));
        }
        self.assumed_partition().map(|(p, usage)| (p, Some(usage)))
    }

    /// The partition of the project a resource belongs to, when the project is known and its
    /// region usage is a value we understand.
    pub fn partition_of(&self, origin: &Origin) -> Option<(partition::Partition, &Project)> {
        let project = self.project_of(origin)?;
        let p = partition::project_partition(project.region_usage.as_ref().map(Text::as_str))?;
        Some((p, project))
    }
}
