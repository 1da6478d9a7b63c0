//! Terraform with the `mongodb/mongodbatlas` provider: configurations (`.tf`, and `.tf.json` in
//! Terraform's JSON syntax), the JSON of `terraform show -json` (plans and state), and state
//! files (`terraform.tfstate`).
//!
//! All describe the same resources with the same attribute names, so one set of
//! builders ([`build`]) turns a resource body into model entities; what differs is how an
//! attribute is read ([`Values`]), where a resource "is" (its anchor), and how references to
//! other resources are followed:
//!
//! - **Configurations** ([`module`]): every `.tf` and `.tf.json` file of a directory belongs to
//!   one module, and a value may come from a variable declared in another file, set in a
//!   `terraform.tfvars` / `*.auto.tfvars` file or passed by a module call. So the per-file step
//!   (parallel) only parses and keeps a [`module::HclFile`]; [`module::resolve`] runs once all
//!   files are parsed, instantiates the modules, evaluates what can be known and builds the
//!   model, before project linking.
//! - **Plan JSON** ([`plan`]) and **state** ([`state`]): one file holds everything (values
//!   resolved), so it goes through the ordinary per-document [`adapt`].
//!
//! A value the linter cannot know (a reference, a function call, a variable without a literal
//! value) is [`Read::Unknown`]. Where "absent" has a meaning of its own (a project without
//! `region_usage_restrictions` is a standard project, a cluster region without a provider is
//! judged by its name), an unknown value becomes a placeholder `${...}` holding the
//! expression, which the rules treat as unknown (it is no provider, region, tier or region
//! usage). Everywhere else an unknown value is left out, and an entity whose deciding value is
//! unknown (a Datadog integration's region) is left out whole: nothing is judged from it.
//!
//! Resources link through format-scoped keys (`tf:<instance>:<type>.<name>` in configurations,
//! `tf:plan:<file>:<module path><type>.<name>` in plans, `tf:state:...` in state): a project's
//! key is in
//! [`crate::model::Project::keys`], a network container's key is its id when the real id is
//! not known, and a restore job's target project is the key of the project it references.

mod builders;
pub mod module;
pub mod plan;
pub mod state;

pub use builders::{FlagEdit, build, build_data, provider};

use std::cell::RefCell;
use std::collections::HashSet;

use crate::document::Cursor;
use crate::model::link::is_object_id;
use crate::model::{KeyAlias, Loc, LocCtx, Model, Origin, Product, ProjectRef, Text};

/// Every Terraform input this adapter reads names the provider or its resource types.
pub const NEEDLES: &[&str] = &["mongodbatlas"];

pub const PROJECT: &str = "mongodbatlas_project";
pub const ADVANCED_CLUSTER: &str = "mongodbatlas_advanced_cluster";
pub const CLUSTER: &str = "mongodbatlas_cluster";
pub const FLEX_CLUSTER: &str = "mongodbatlas_flex_cluster";
pub const SERVERLESS_INSTANCE: &str = "mongodbatlas_serverless_instance";
pub const NETWORK_CONTAINER: &str = "mongodbatlas_network_container";
pub const PROVIDER: &str = "mongodbatlas";

/// What a product resource is, for messages.
fn product_of(ty: &str) -> Option<(Product, &'static str)> {
    let found = match ty {
        "mongodbatlas_online_archive" => (Product::OnlineArchive, "online archive resource"),
        "mongodbatlas_event_trigger" => (Product::Trigger, "trigger resource"),
        "mongodbatlas_federated_database_instance" => (
            Product::DataFederation,
            "federated database instance resource",
        ),
        "mongodbatlas_federated_query_limit" => {
            (Product::DataFederation, "federated query limit resource")
        }
        "mongodbatlas_privatelink_endpoint_service_data_federation_online_archive" => (
            Product::DataFederation,
            "Data Federation private endpoint resource",
        ),
        // Provider 1.x: Atlas Data Lake and its pipelines (removed in 2.0, still valid in
        // configurations pinned to 1.x).
        "mongodbatlas_data_lake" => (Product::DataFederation, "Atlas Data Lake resource"),
        "mongodbatlas_data_lake_pipeline" => {
            (Product::DataFederation, "Atlas Data Lake pipeline resource")
        }
        "mongodbatlas_stream_instance" => (Product::StreamProcessing, "stream instance resource"),
        "mongodbatlas_stream_workspace" => (Product::StreamProcessing, "stream workspace resource"),
        "mongodbatlas_stream_connection" => {
            (Product::StreamProcessing, "stream connection resource")
        }
        "mongodbatlas_stream_connection_failover" => (
            Product::StreamProcessing,
            "stream connection failover resource",
        ),
        "mongodbatlas_stream_processor" => (Product::StreamProcessing, "stream processor resource"),
        "mongodbatlas_stream_privatelink_endpoint" => (
            Product::StreamProcessing,
            "stream private link endpoint resource",
        ),
        t if t.starts_with("mongodbatlas_stream_") => {
            (Product::StreamProcessing, "stream processing resource")
        }
        _ => return None,
    };
    Some(found)
}

/// Data sources whose mere use is a finding: a data source reads what exists, so one of a
/// product AtlasGov lacks is reported like the resource (stream processing, online archives,
/// Data Federation, triggers: singular and plural), and so are shared-tier and Flex
/// snapshots and restores. Flex clusters and serverless instances: [`data_cluster_kind`].
pub fn data_product_of(ty: &str) -> Option<(Product, &'static str)> {
    let what = match ty {
        "mongodbatlas_shared_tier_restore_job" | "mongodbatlas_shared_tier_restore_jobs" => {
            "shared-tier restore job data source"
        }
        "mongodbatlas_shared_tier_snapshot" | "mongodbatlas_shared_tier_snapshots" => {
            "shared-tier snapshot data source"
        }
        "mongodbatlas_flex_restore_job" | "mongodbatlas_flex_restore_jobs" => {
            "Flex restore job data source"
        }
        "mongodbatlas_flex_snapshot" | "mongodbatlas_flex_snapshots" => "Flex snapshot data source",
        "mongodbatlas_data_lake_pipeline_run" | "mongodbatlas_data_lake_pipeline_runs" => {
            return Some((Product::DataFederation, "Data Federation data source"));
        }
        _ => {
            let singular = ty.strip_suffix('s').filter(|s| product_of(s).is_some());
            let (product, _) = product_of(singular.unwrap_or(ty))?;
            let what = match product {
                Product::OnlineArchive => "online archive data source",
                Product::StreamProcessing => "stream processing data source",
                Product::DataFederation => "Data Federation data source",
                Product::Trigger => "trigger data source",
                _ => return None,
            };
            return Some((product, what));
        }
    };
    Some((Product::SharedTierBackup, what))
}

/// Data sources of Flex clusters and serverless instances (singular and plural): reported
/// like the resource, as a cluster of that kind at the data block.
pub fn data_cluster_kind(ty: &str) -> Option<crate::model::ClusterKind> {
    match ty.strip_suffix('s').unwrap_or(ty) {
        FLEX_CLUSTER => Some(crate::model::ClusterKind::Flex),
        SERVERLESS_INSTANCE => Some(crate::model::ClusterKind::Serverless),
        _ => None,
    }
}

/// Whether a data source type is one this adapter maps ([`data_product_of`],
/// [`data_cluster_kind`]).
pub fn is_mapped_data(ty: &str) -> bool {
    data_product_of(ty).is_some() || data_cluster_kind(ty).is_some()
}

/// Whether a managed resource type is one this adapter maps.
const EXPORT_BUCKET: &str = "mongodbatlas_cloud_backup_snapshot_export_bucket";
const PROVIDER_ACCESS_SETUP: &str = "mongodbatlas_cloud_provider_access_setup";
const PRIVATELINK_ENDPOINT_SERVICE: &str = "mongodbatlas_privatelink_endpoint_service";
const EAR_PRIVATE_ENDPOINT: &str = "mongodbatlas_encryption_at_rest_private_endpoint";
const METRIC_INTEGRATION: &str = "mongodbatlas_metric_integration";

pub fn is_mapped_type(ty: &str) -> bool {
    matches!(
        ty,
        PROJECT
            | ADVANCED_CLUSTER
            | CLUSTER
            | FLEX_CLUSTER
            | SERVERLESS_INSTANCE
            | NETWORK_CONTAINER
            | "mongodbatlas_database_user"
            | "mongodbatlas_alert_configuration"
            | "mongodbatlas_third_party_integration"
            | "mongodbatlas_log_integration"
            | "mongodbatlas_encryption_at_rest"
            | "mongodbatlas_network_peering"
            | "mongodbatlas_privatelink_endpoint"
            | "mongodbatlas_cloud_backup_snapshot_restore_job"
            | "mongodbatlas_cloud_backup_schedule"
            | EXPORT_BUCKET
            | PROVIDER_ACCESS_SETUP
            | PRIVATELINK_ENDPOINT_SERVICE
            | EAR_PRIVATE_ENDPOINT
            | METRIC_INTEGRATION
    ) || product_of(ty).is_some()
}

/// What a document is when Terraform writes it (see [`Model::records`]): `terraform show
/// -json` output of a plan or of state, or a state file.
pub fn record(root: &Cursor<'_>) -> Option<&'static str> {
    if state::is_state(root) {
        return Some("Terraform state");
    }
    plan::values_root(root)?;
    Some(if root.get("planned_values").is_some() {
        "a Terraform plan"
    } else {
        "Terraform state"
    })
}

/// `terraform show -json` output and Terraform state go through here (configurations go
/// through [`module`]).
pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    if let Some(what) = record(root) {
        out.records.push((ctx.file, what));
    }
    plan::adapt(ctx, root, out);
    state::adapt(ctx, root, out);
}

/// One attribute as read.
#[derive(Debug, Clone)]
pub enum Read {
    /// Absent, or `null`.
    Absent,
    /// A literal, or a variable resolved to one (with [`Loc::via`] set to where it was set).
    Known(Text),
    /// Present, but not knowable before apply: a `${...}` placeholder at its place.
    Unknown(Text),
}

impl Read {
    /// Known values, and placeholders for unknown ones.
    pub fn text(self) -> Option<Text> {
        match self {
            Read::Known(t) | Read::Unknown(t) => Some(t),
            Read::Absent => None,
        }
    }
    /// Known values only.
    pub fn known(self) -> Option<Text> {
        match self {
            Read::Known(t) => Some(t),
            Read::Absent | Read::Unknown(_) => None,
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Read::Unknown(_))
    }
}

/// How the attributes of one resource are read.
pub trait Values {
    fn read(&self, cur: Option<Cursor<'_>>) -> Read;

    /// Known values, and `${...}` placeholders for unknown ones (see the module docs).
    fn text(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        self.read(cur).text()
    }

    /// Known values only.
    fn known(&self, cur: Option<Cursor<'_>>) -> Option<Text> {
        self.read(cur).known()
    }

    /// An attribute the provider requires but that is absent from `obj`. In a plan this means
    /// "unknown until apply" (a placeholder at `obj`); in HCL it is simply absent.
    fn missing_required(&self, obj: &Cursor<'_>, key: &str) -> Option<Text>;

    /// The key of the resource of type `ty` that the attribute at `path` (from the resource's
    /// body; `"0"` is the first element or the single nested object) refers to, located at
    /// the attribute. `None` when it refers to nothing this adapter can name.
    fn reference(&self, body: &Cursor<'_>, path: &[&str], ty: &str) -> Option<Text>;
}

/// A placeholder for a value that is present but cannot be known.
pub fn unknown(loc: Loc, source: &str) -> Text {
    Text {
        value: format!("${{{source}}}").into(),
        loc,
    }
}

/// Resources whose project another resource takes (`project_id = x.project_id`): each is
/// reached through the resource it names (a [`KeyAlias`] on that resource's key), added only
/// for the resources some reference names.
#[derive(Default)]
pub struct Linking {
    /// Keys of resources some reference takes the project of.
    wanted: RefCell<HashSet<String>>,
    /// Every built resource's key and origin (projects aside).
    candidates: RefCell<Vec<(String, Origin)>>,
}

impl Linking {
    /// A resource about to be built: its project can be reached through its key.
    pub fn resource(&self, v: &impl Values, res: &Resource<'_>) {
        if res.ty != PROJECT {
            self.candidates.borrow_mut().push((
                res.key.clone(),
                Origin {
                    body: res.anchor.clone(),
                    project_ref: builders::project_ref(v, &res.body),
                    project: None,
                },
            ));
        }
    }

    /// A reference takes the project of the resource with this key.
    pub fn want(&self, key: &str) {
        self.wanted.borrow_mut().insert(key.to_string());
    }

    /// Add an alias for every resource another one takes its project from.
    pub fn finish(self, out: &mut Model) {
        let wanted = self.wanted.into_inner();
        for (key, via) in self.candidates.into_inner() {
            if wanted.contains(&key) {
                out.key_aliases.push(KeyAlias { key, via });
            }
        }
    }
}

/// One resource, as its format locates it.
pub struct Resource<'a> {
    pub ty: &'a str,
    /// The resource's attributes (HCL block body, plan `values`).
    pub body: Cursor<'a>,
    /// Where findings about the resource as a whole point (the block header, the address).
    pub anchor: Loc,
    /// This resource's own key (`tf:<dir>:<type>.<name>`, `tf:plan:...`).
    pub key: String,
    /// Where a new attribute would be written in the resource's own block: only for a block
    /// of an HCL configuration, literal in its file (never a plan, state or Pulumi program).
    pub slot: Option<BlockSlot>,
}

/// Where a new attribute goes in an HCL block (a resource, the provider): on a line of its own
/// right after the block's `{`, indented like the block's first line inside, with the file's
/// line end. Recorded only for a block written in its own file (not a tree assembled from
/// other files or a template), whose `{` ends its line.
#[derive(Debug, Clone)]
pub struct BlockSlot {
    /// The empty span right after the `{`.
    pub at: Loc,
    pub eol: &'static str,
    pub indent: String,
    /// The attribute and block names the block's text already has.
    pub names: Vec<String>,
    /// Its attributes written as a literal string (`type = "DATADOG"`), the same in every
    /// instance of the block.
    pub literals: Vec<(String, String)>,
    /// The slots of its own unlabeled blocks (`notification { .. }`) by name, one per block
    /// written in the text, in source order (one level: theirs have none).
    pub nested: Vec<(String, Vec<Option<BlockSlot>>)>,
    /// Whether the block's first line is an attribute: a new first line is then followed by
    /// a blank line, so that `terraform fmt` (which aligns the `=` of consecutive attributes)
    /// leaves the block as it is.
    pub before_attribute: bool,
}

impl BlockSlot {
    /// The insertion of `name = value` (`value` as written, quotes included), or `None` when
    /// the block already has something named `name` (even `null`, or an unknown value).
    pub fn attribute(&self, name: &str, value: &str) -> Option<crate::model::Switch> {
        if self.names.iter().any(|n| n == name) {
            return None;
        }
        Some(self.line(&format!("{name} = {value}")))
    }

    /// The slot of the `index`th block `name` written in this block (`None` for one a
    /// `dynamic` block generates: those come after the written ones).
    pub fn nested(&self, name: &str, index: usize) -> Option<&BlockSlot> {
        self.nested
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, slots)| slots.get(index))
            .and_then(Option::as_ref)
    }

    /// Whether attribute `name` is written as the literal string `value`.
    pub fn literal_is(&self, name: &str, value: &str) -> bool {
        self.literals.iter().any(|(n, v)| n == name && v == value)
    }

    /// The insertion of `line` as the block's first line.
    pub fn line(&self, line: &str) -> crate::model::Switch {
        crate::model::Switch {
            loc: self.at.clone(),
            expected: "".into(),
            text: if self.before_attribute {
                format!("{}{}{line}{}", self.eol, self.indent, self.eol)
            } else {
                format!("{}{}{line}", self.eol, self.indent)
            },
        }
    }
}

/// The project reference of a literal `project_id`: an Atlas id, or nothing that can link.
pub fn project_ref_of_literal(id: Option<Text>) -> ProjectRef {
    match id {
        Some(id) if is_object_id(id.as_str()) => ProjectRef::Id(Box::new(id)),
        _ => ProjectRef::Unknown,
    }
}

/// Follow a path of keys from a cursor; `"0"` is the first element of a sequence, or the
/// object itself when it is a single nested object (provider 2.x attribute syntax).
pub fn follow_path<'a>(cur: &Cursor<'a>, path: &[&str]) -> Option<Cursor<'a>> {
    let mut cur = cur.clone();
    for key in path {
        cur = match key.parse::<usize>() {
            Ok(n) if cur.node.as_seq().is_some() => cur.items().nth(n)?,
            Ok(0) if cur.node.as_map().is_some() => cur,
            _ => cur.get(key)?,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_type_is_mapped() {
        for ty in [
            "mongodbatlas_online_archive",
            "mongodbatlas_event_trigger",
            "mongodbatlas_stream_instance",
            "mongodbatlas_stream_future_thing",
            "mongodbatlas_federated_database_instance",
            "mongodbatlas_data_lake_pipeline",
        ] {
            assert!(is_mapped_type(ty), "{ty}");
        }
        assert!(!is_mapped_type("mongodbatlas_project_ip_access_list"));
        assert!(data_product_of("mongodbatlas_flex_snapshots").is_some());
        assert!(data_product_of("mongodbatlas_flex_cluster").is_none());
        for ty in [
            "mongodbatlas_stream_instance",
            "mongodbatlas_stream_instances",
            "mongodbatlas_stream_account_details",
            "mongodbatlas_online_archives",
            "mongodbatlas_event_triggers",
            "mongodbatlas_federated_database_instances",
            "mongodbatlas_flex_cluster",
            "mongodbatlas_flex_clusters",
            "mongodbatlas_serverless_instances",
            "mongodbatlas_data_lake_pipelines",
            "mongodbatlas_data_lake_pipeline_runs",
        ] {
            assert!(is_mapped_data(ty), "{ty}");
        }
        for ty in [
            "mongodbatlas_project",
            "mongodbatlas_advanced_cluster",
            "mongodbatlas_advanced_clusters",
            "mongodbatlas_metric_integration",
        ] {
            assert!(!is_mapped_data(ty), "{ty}");
        }
    }
}
