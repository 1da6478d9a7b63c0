//! The per-resource-type readers: one `MongoDB::Atlas::*` resource into the model.

use super::Resource;
use super::intrinsics::{Resolved, Template, child, items};
use crate::document::Cursor;
use crate::model::{
    AlertConfig, Cluster, ClusterKind, ClusterSettings, CopySetting, DatabaseUser,
    EncryptionAtRest, InstanceSize, Integration, Model, NetworkContainer, NetworkPeering,
    Notification, Origin, PrivateEndpoint, Product, ProductUse, Project, ProjectRef, RegionConfig,
    RestoreJob, SizeRole, Switch, Tag,
};

impl Template<'_> {
    /// Map one `MongoDB::Atlas::<kind>` resource.
    pub(super) fn resource(&self, kind: &str, r: &Resource<'_>, out: &mut Model) {
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
                aws_kms_key_id: match self.known(r.prop_at(&["AwsKmsConfig", "Enabled"])) {
                    Some(e) if e.as_str().eq_ignore_ascii_case("false") => None,
                    _ => self.value(r.prop_at(&["AwsKmsConfig", "CustomerMasterKeyID"])),
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
                remote_regions: Vec::new(),
            }),
            // The older endpoint type names its project `GroupId`; it is AWS only.
            "PrivateEndpoint" => out.private_endpoints.push(PrivateEndpoint {
                origin: self.origin_by(r, "GroupId"),
                provider: None,
                region: self.value(r.prop("Region")),
                remote_regions: Vec::new(),
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
    pub(super) fn product(
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

    pub(super) fn database_user(&self, r: &Resource<'_>) -> DatabaseUser {
        DatabaseUser {
            origin: self.origin(r),
            username: self.known(r.prop("Username")),
            scope_types: items(r.prop("Scopes").as_ref())
                .iter()
                .filter_map(|scope| self.value(child(scope, "Type")))
                .collect(),
        }
    }

    pub(super) fn alert_config(&self, r: &Resource<'_>) -> AlertConfig {
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
                region_slot: None,
                no_us1_fed: Some("the MongoDB::Atlas::AlertConfiguration type accepts only EU and US as DatadogRegion"),
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
    pub(super) fn integration(&self, r: &Resource<'_>) -> Option<Integration> {
        let region = match self.resolve(r.prop("Region")) {
            Resolved::Absent => None,
            Resolved::Known(t) => Some(t),
            Resolved::Unknown(_) => return None,
        };
        Some(Integration {
            region_required: false,
            region_slot: self.slot(r, "Region", "US1_FED"),
            origin: self.origin(r),
            kind: self.value(r.prop("Type"))?,
            region,
        })
    }

    /// Where `key: value` would be added to a resource's literal `Properties` mapping, when
    /// it has no `key` at all (not even `!Ref AWS::NoValue` or a condition).
    fn slot(&self, r: &Resource<'_>, key: &str, value: &str) -> Option<Switch> {
        let props = r.props.as_ref()?;
        if props.get(key).is_some() {
            return None;
        }
        crate::adapters::common::entry_slot(self.ctx, props, key, value)
    }

    pub(super) fn project(&self, r: &Resource<'_>) -> Project {
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
            region_usage_choice: None,
            region_usage_removed: None,
            region_usage_slot: self.slot(r, "RegionUsageRestrictions", "GOV_REGIONS_ONLY"),
            keys: vec![self.key(r.id)],
            tags: self.tags(r),
            partial: false,
        }
    }

    pub(super) fn cluster(&self, r: &Resource<'_>) -> Cluster {
        let mut regions = Vec::new();
        for spec in items(r.prop("ReplicationSpecs").as_ref()) {
            for rc in items(child(&spec, "AdvancedRegionConfigs").as_ref()) {
                regions.push(self.region_config(&rc));
            }
        }
        Cluster {
            origin: self.origin(r),
            kind: ClusterKind::Advanced,
            kind_loc: r.anchor.clone().into(),
            name: self.known(r.prop("Name")),
            regions,
            encryption_at_rest_provider: self.value(r.prop("EncryptionAtRestProvider")),
            settings: Some(Box::new(self.cluster_settings(r))),
        }
    }

    /// The settings policies read (see [`crate::model::ClusterSettings`]).
    fn cluster_settings(&self, r: &Resource<'_>) -> ClusterSettings {
        let disk = self.value(r.prop("DiskSizeGB")).or_else(|| {
            items(r.prop("ReplicationSpecs").as_ref())
                .iter()
                .flat_map(|spec| items(child(spec, "AdvancedRegionConfigs").as_ref()))
                .find_map(|rc| {
                    self.value(child(&rc, "ElectableSpecs").and_then(|e| child(&e, "DiskSizeGB")))
                })
        });
        ClusterSettings {
            backup_enabled: self.value(r.prop("BackupEnabled")),
            pit_enabled: self.value(r.prop("PitEnabled")),
            termination_protection: self.value(r.prop("TerminationProtectionEnabled")),
            disk_size_gb: disk,
            mongodb_version: self.value(r.prop("MongoDBMajorVersion")),
            tags: self.tags(r),
        }
    }

    /// `Tags`: a list of `{Key, Value}` (a cluster's) or a map (a project's).
    fn tags(&self, r: &Resource<'_>) -> Vec<Tag> {
        let prop = r.prop("Tags");
        if let Some(map) = prop.as_ref().filter(|p| p.node.as_map().is_some()) {
            return map
                .entries()
                .filter_map(|(key, value)| {
                    Some(Tag {
                        key: self.value(Some(key))?,
                        value: self.value(Some(value)),
                    })
                })
                .collect();
        }
        items(prop.as_ref())
            .iter()
            .filter_map(|t| {
                Some(Tag {
                    key: self.value(child(t, "Key"))?,
                    value: self.value(child(t, "Value")),
                })
            })
            .collect()
    }

    pub(super) fn region_config(&self, rc: &Cursor<'_>) -> RegionConfig {
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
            backing_provider: self.value(child(rc, "BackingProviderName")).map(Box::new),
            region: self.value(child(rc, "RegionName")),
            sizes,
        }
    }

    /// `MongoDB::Atlas::ServerlessInstance`: its project is `ProjectID` (not `ProjectId`).
    pub(super) fn serverless_instance(&self, r: &Resource<'_>) -> Cluster {
        let settings = r.prop("ProviderSettings");
        let setting = |key: &str| settings.as_ref().and_then(|s| child(s, key));
        Cluster {
            origin: self.origin_by(r, "ProjectID"),
            kind: ClusterKind::Serverless,
            kind_loc: r
                .type_loc
                .clone()
                .unwrap_or_else(|| r.anchor.clone())
                .into(),
            name: self.known(r.prop("Name")),
            regions: vec![RegionConfig {
                provider: self.value(setting("ProviderName")),
                backing_provider: self.value(setting("BackingProviderName")).map(Box::new),
                region: self.value(setting("RegionName")),
                sizes: Vec::new(),
            }],
            encryption_at_rest_provider: None,
            settings: None,
        }
    }

    pub(super) fn flex_cluster(&self, r: &Resource<'_>) -> Cluster {
        let settings = r.prop("ProviderSettings");
        let setting = |key: &str| settings.as_ref().and_then(|s| child(s, key));
        Cluster {
            origin: self.origin(r),
            kind: ClusterKind::Flex,
            kind_loc: r
                .type_loc
                .clone()
                .unwrap_or_else(|| r.anchor.clone())
                .into(),
            name: self.known(r.prop("Name")),
            regions: vec![RegionConfig {
                provider: None,
                backing_provider: self.value(setting("BackingProviderName")).map(Box::new),
                region: self.value(setting("RegionName")),
                sizes: Vec::new(),
            }],
            encryption_at_rest_provider: None,
            settings: None,
        }
    }
}
