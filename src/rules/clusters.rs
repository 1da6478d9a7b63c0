//! What a project's clusters say about its partition, for the rules that judge a project's
//! other resources (network containers and peerings, private endpoints, KMS keys) when the
//! project's own region usage is not known (a variable no file sets, a project that is not
//! among the checked files).
//!
//! The AtlasGov sentences those rules cite link resources "with MongoDB clusters in" one
//! partition, and one project never holds clusters of both (GOV004): when every region of a
//! project's clusters is of one partition, a resource of the other one cannot link to them.

use std::collections::HashMap;

use crate::model::partition::Partition;
use crate::model::{Cluster, Model, Origin, Text};

use super::{Finding, Label, quoted, region_partition, unknown_project};

/// The partition of each project's clusters, by project (see [`key`]); `None` for a project
/// whose clusters mix them (GOV004 reports that).
pub(crate) struct ClusterPartitions<'m> {
    by_project: HashMap<String, Option<(Partition, &'m Text, &'m Cluster)>>,
}

/// The project a resource belongs to, for resources whose project's region usage is not
/// known: the linked project, or the unknown project an id or key names (see
/// [`unknown_project`]). `None` when it is known or nothing names it.
fn key(model: &Model, origin: &Origin) -> Option<String> {
    if model.partition_or_assumed(origin).is_some() {
        return None;
    }
    match origin.project {
        Some(index) => Some(format!("project:{index}")),
        None => unknown_project(model, origin, 0),
    }
}

impl<'m> ClusterPartitions<'m> {
    pub(crate) fn of(model: &'m Model) -> Self {
        let mut by_project: HashMap<String, Option<(Partition, &'m Text, &'m Cluster)>> =
            HashMap::new();
        for cluster in &model.clusters {
            let Some(key) = key(model, &cluster.origin) else {
                continue;
            };
            for rc in &cluster.regions {
                let Some(region) = rc.region.as_ref() else {
                    continue;
                };
                let Some(p) = region_partition(rc.cloud(), region) else {
                    continue;
                };
                let entry = by_project
                    .entry(key.clone())
                    .or_insert(Some((p, region, cluster)));
                if entry.is_some_and(|(first, _, _)| first != p) {
                    *entry = None;
                }
            }
        }
        ClusterPartitions { by_project }
    }

    /// The partition of the clusters of a resource's project, with the first cluster region
    /// that says so, when the project's own region usage is not known.
    pub(crate) fn of_resource(
        &self,
        model: &Model,
        origin: &Origin,
    ) -> Option<(Partition, &'m Text, &'m Cluster)> {
        if self.by_project.is_empty() {
            return None;
        }
        self.by_project.get(&key(model, origin)?).copied().flatten()
    }
}

/// Findings `out[from..]`, judged against the partition of the project's clusters: their
/// messages say so (not "this project is for ... regions"), and each has the cluster region
/// as a label.
pub(crate) fn label_clusters(
    out: &mut [Finding],
    from: usize,
    (partition, region, cluster): (Partition, &Text, &Cluster),
) {
    let claim = format!("this project is for {} regions", partition.describe());
    let said = format!(
        "this project's clusters are in {} regions",
        partition.describe()
    );
    let name = cluster
        .name
        .as_ref()
        .map(|n| format!("cluster {}", quoted(n.as_str())))
        .unwrap_or_else(|| "a cluster".to_string());
    let label = Label {
        loc: region.loc.clone(),
        message: format!(
            "{name} of this project is in {} region {} (the project's region usage is not known)",
            partition.describe(),
            quoted(region.as_str())
        ),
    };
    for f in out.iter_mut().skip(from) {
        f.message = f.message.replace(&claim, &said);
        f.related.push(label.clone());
    }
}

/// What a project resource is judged against: its project's partition (its region usage, or
/// the configuration's default for resources without a known project), or else its project's
/// clusters'.
pub(crate) enum Basis<'m> {
    Project(Partition, Option<&'m Text>),
    Clusters((Partition, &'m Text, &'m Cluster)),
    Unknown,
}

impl<'m> Basis<'m> {
    pub(crate) fn of(model: &'m Model, clusters: &ClusterPartitions<'m>, origin: &Origin) -> Self {
        if let Some((p, assumed)) = model.partition_or_assumed(origin) {
            return Basis::Project(p, assumed);
        }
        clusters
            .of_resource(model, origin)
            .map_or(Basis::Unknown, Basis::Clusters)
    }

    pub(crate) fn partition(&self) -> Option<Partition> {
        match self {
            Basis::Project(p, _) | Basis::Clusters((p, _, _)) => Some(*p),
            Basis::Unknown => None,
        }
    }

    /// Label the findings `out[from..]` with what they were judged against.
    pub(crate) fn label(&self, out: &mut [Finding], from: usize, model: &Model, origin: &Origin) {
        match self {
            Basis::Project(_, assumed) => {
                Finding::label_partition(out, from, model, origin, *assumed);
            }
            Basis::Clusters(clusters) => label_clusters(out, from, *clusters),
            Basis::Unknown => {}
        }
    }
}
