//! Region partitions: which regions AtlasGov offers, and to which kind of project.
//!
//! The table is data (`rules/regions.tsv`), read once. A project is either a gov project
//! (`GOV_REGIONS_ONLY`) or a standard one (`COMMERCIAL_FEDRAMP_REGIONS_ONLY`, which is also what
//! AtlasGov creates when the field is absent or `NONE`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The two kinds of AtlasGov project, and of region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partition {
    Gov,
    Standard,
}

impl Partition {
    pub fn describe(self) -> &'static str {
        match self {
            Partition::Gov => "gov",
            Partition::Standard => "standard",
        }
    }
    /// The regions AtlasGov offers in this partition, for help texts.
    pub fn allowed_regions(self) -> &'static str {
        match self {
            Partition::Gov => {
                "AWS US_GOV_WEST_1, US_GOV_EAST_1 or a GCP Assured Workloads region (ending in _AW)"
            }
            Partition::Standard => "AWS US_EAST_1, US_EAST_2, US_WEST_1 or US_WEST_2",
        }
    }
    /// The AWS regions AtlasGov offers in this partition, for help texts about AWS-only fields.
    pub fn aws_regions(self) -> &'static str {
        match self {
            Partition::Gov => "US_GOV_WEST_1 or US_GOV_EAST_1",
            Partition::Standard => "US_EAST_1, US_EAST_2, US_WEST_1 or US_WEST_2",
        }
    }
    /// The same AWS regions in AWS's own form, for fields that take it (`accepterRegionName`).
    pub fn aws_native_regions(self) -> &'static str {
        match self {
            Partition::Gov => "AWS us-gov-west-1 or us-gov-east-1",
            Partition::Standard => "AWS us-east-1, us-east-2, us-west-1 or us-west-2",
        }
    }
    /// The `regionUsageRestrictions` value of projects in this partition.
    pub fn region_usage(self) -> &'static str {
        match self {
            Partition::Gov => "GOV_REGIONS_ONLY",
            Partition::Standard => "COMMERCIAL_FEDRAMP_REGIONS_ONLY",
        }
    }
}

/// What AtlasGov makes of a region name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionClass {
    /// Offered, in this partition.
    Offered(Partition),
    /// An AWS or GCP region AtlasGov does not offer.
    Unoffered,
    /// An Azure region (Azure is unavailable as a whole).
    Azure,
    /// Not a region name we can judge (a placeholder, an expression, an unknown cloud).
    Unknown,
}

/// The partition of a project's `regionUsageRestrictions` value (`None` = absent).
/// Returns `None` for values that are not a region usage at all (unresolved placeholders).
pub fn project_partition(region_usage: Option<&str>) -> Option<Partition> {
    match region_usage {
        None => Some(Partition::Standard),
        Some(v) if v.eq_ignore_ascii_case("GOV_REGIONS_ONLY") => Some(Partition::Gov),
        Some(v)
            if v.eq_ignore_ascii_case("COMMERCIAL_FEDRAMP_REGIONS_ONLY")
                || v.eq_ignore_ascii_case("NONE") =>
        {
            Some(Partition::Standard)
        }
        Some(_) => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Cloud {
    Aws,
    Gcp,
    Azure,
}

struct Table {
    /// Per cloud (looked up by `&str`: no key is built per lookup).
    regions: HashMap<Cloud, HashMap<Box<str>, RegionClass>>,
}

impl Table {
    fn get(&self, cloud: Cloud, name: &str) -> Option<RegionClass> {
        self.regions.get(&cloud)?.get(name).copied()
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut regions: HashMap<Cloud, HashMap<Box<str>, RegionClass>> = HashMap::new();
        for line in include_str!("../../rules/regions.tsv").lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(cloud), Some(region), Some(class)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let cloud = match cloud {
                "AWS" => Cloud::Aws,
                "GCP" => Cloud::Gcp,
                _ => Cloud::Azure,
            };
            let class = match class {
                "gov" => RegionClass::Offered(Partition::Gov),
                "standard" => RegionClass::Offered(Partition::Standard),
                "azure" => RegionClass::Azure,
                _ => RegionClass::Unoffered,
            };
            regions
                .entry(cloud)
                .or_default()
                .insert(region.into(), class);
        }
        Table { regions }
    })
}

fn cloud_of(provider: &str) -> Option<Cloud> {
    if provider.eq_ignore_ascii_case("AWS") {
        Some(Cloud::Aws)
    } else if provider.eq_ignore_ascii_case("GCP") || provider.eq_ignore_ascii_case("GOOGLE") {
        Some(Cloud::Gcp)
    } else if provider.eq_ignore_ascii_case("AZURE") {
        Some(Cloud::Azure)
    } else {
        None
    }
}

/// Atlas spelling of a region: `us-gov-west-1` becomes `US_GOV_WEST_1` (as the Terraform
/// provider converts AWS-native names). `None` when the value does not look like a region
/// name at all (an expression, a placeholder), so that nothing is guessed about it.
pub fn normalize_region(region: &str) -> Option<Cow<'_, str>> {
    let region = region.trim();
    let looks_like_region = !region.is_empty()
        && region.len() <= 40
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && region
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic());
    if !looks_like_region {
        return None;
    }
    // Most values are written in Atlas's spelling already.
    if region.bytes().all(|b| !b.is_ascii_lowercase() && b != b'-') {
        return Some(Cow::Borrowed(region));
    }
    Some(Cow::Owned(region.to_ascii_uppercase().replace('-', "_")))
}

/// Classify a region name, given the cloud provider when known (`AWS`, `GCP`, `AZURE`).
pub fn classify_region(provider: Option<&str>, region: &str) -> RegionClass {
    let Some(name) = normalize_region(region) else {
        return RegionClass::Unknown;
    };
    let table = table();
    let lookup = |cloud: Cloud| table.get(cloud, &name);
    match provider {
        Some(p) => match cloud_of(p) {
            Some(Cloud::Azure) => RegionClass::Azure,
            // A region-like name that is not in the provider's list is not offered either.
            Some(cloud) => lookup(cloud).unwrap_or(RegionClass::Unoffered),
            None => RegionClass::Unknown,
        },
        // No provider given: the name alone decides, AWS first (the common AtlasGov cloud).
        None => lookup(Cloud::Aws)
            .or_else(|| lookup(Cloud::Gcp))
            .or_else(|| lookup(Cloud::Azure))
            .unwrap_or(RegionClass::Unknown),
    }
}

/// Whether a region name is one of Atlas's own names for a Google Cloud region (`CENTRAL_US`,
/// `CENTRAL_US_AW`), as opposed to a Google-native name (`us-central1`), which says nothing
/// about Assured Workloads.
pub fn is_atlas_gcp_region(region: &str) -> bool {
    normalize_region(region).is_some_and(|name| table().get(Cloud::Gcp, &name).is_some())
}

/// Whether a provider value names Azure.
pub fn is_azure(provider: &str) -> bool {
    cloud_of(provider) == Some(Cloud::Azure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_partitions() {
        use RegionClass::*;
        assert_eq!(
            classify_region(Some("AWS"), "US_GOV_WEST_1"),
            Offered(Partition::Gov)
        );
        assert_eq!(
            classify_region(Some("AWS"), "us-gov-east-1"),
            Offered(Partition::Gov)
        );
        assert_eq!(
            classify_region(Some("AWS"), "us-east-1"),
            Offered(Partition::Standard)
        );
        assert_eq!(classify_region(Some("AWS"), "EU_WEST_1"), Unoffered);
        assert_eq!(
            classify_region(Some("GCP"), "CENTRAL_US_AW"),
            Offered(Partition::Gov)
        );
        assert_eq!(classify_region(Some("GCP"), "CENTRAL_US"), Unoffered);
        assert_eq!(classify_region(Some("GCP"), "US_WEST_2"), Unoffered);
        assert_eq!(classify_region(Some("AZURE"), "US_GOV_VIRGINIA"), Azure);
        assert_eq!(
            classify_region(None, "US_WEST_2"),
            Offered(Partition::Standard)
        );
        assert_eq!(classify_region(Some("AWS"), "${var.region}"), Unknown);
        assert!(is_atlas_gcp_region("CENTRAL_US") && is_atlas_gcp_region("us_east_4_aw"));
        assert!(!is_atlas_gcp_region("us-central1") && !is_atlas_gcp_region("US_GOV_WEST_1"));
        assert_eq!(classify_region(Some("AWS"), ""), Unknown);
    }

    #[test]
    fn region_usage_defaults_to_standard() {
        assert_eq!(project_partition(None), Some(Partition::Standard));
        assert_eq!(project_partition(Some("NONE")), Some(Partition::Standard));
        assert_eq!(
            project_partition(Some("GOV_REGIONS_ONLY")),
            Some(Partition::Gov)
        );
        assert_eq!(project_partition(Some("${REGION_USAGE}")), None);
    }
}
