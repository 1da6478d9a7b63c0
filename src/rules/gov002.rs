//! GOV002 tier-below-m20: AtlasGov clusters must be M20 or higher.

use super::fix::{Applicability, Fix};
use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::{ClusterKind, Model, SizeRole, Text};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV002",
        name: "tier-below-m20",
        severity: Severity::Error,
        summary: "A cluster tier below M20: free, shared, flex, serverless or M10",
        seed: "AtlasGov clusters must be tier M20 or higher. Free and shared-tier clusters are not supported.",
        doc: include_str!("../../rules/GOV002-tier-below-m20.md"),
    },
    check: Some(check),
};

const HELP: &str = "use a dedicated tier of M20 or higher (M20, M30, ..., R40 and up, *_NVME, *_GEN_2 from M30_GEN_2)";
const HELP_AUTO_SCALING: &str = "set the auto-scaling minimum and maximum to M20 or higher";

/// Whether an instance size is below M20 (`M0`, `M2`, `M5`, `M10`, `FLEX`). Sizes that are not
/// recognisable tiers (placeholders, expressions) are not judged.
pub fn below_m20(size: &str) -> bool {
    let size = size.trim();
    if size.eq_ignore_ascii_case("FLEX") {
        return true;
    }
    let Some(rest) = size.strip_prefix('M').or_else(|| size.strip_prefix('m')) else {
        return false;
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let suffix_ok = rest
        .get(digits.len()..)
        .is_some_and(|s| s.is_empty() || s.starts_with('_'));
    match digits.parse::<u32>() {
        Ok(n) => suffix_ok && n < 20,
        Err(_) => false,
    }
}

fn is_shared_provider(p: &str) -> bool {
    ["TENANT", "FLEX", "SERVERLESS"]
        .iter()
        .any(|s| p.eq_ignore_ascii_case(s))
}

/// The fix of a dedicated size below M20 (`M10`): M20, the smallest AtlasGov tier. Unsafe: it
/// changes what the cluster costs. None for free, shared and flex clusters (the provider and
/// the kind of cluster change too: there is no one right edit).
fn raise_to_m20(provider: Option<&Text>, size: &Text) -> Option<Fix> {
    if provider.is_some_and(|p| is_shared_provider(p.as_str())) {
        return None;
    }
    let written = size.as_str();
    let tier = written.trim();
    let start = written.len() - written.trim_start().len();
    let n: u32 = tier.get(1..)?.parse().ok()?;
    if !(tier.starts_with(['M', 'm']) && (10..20).contains(&n)) {
        return None;
    }
    let mut fix = Fix::replace_part(
        size,
        start..start + tier.len(),
        "M20",
        Applicability::Safe,
        "raise the tier to `M20`",
    );
    fix.demote("a larger tier costs more".to_string());
    Some(fix)
}

fn check(model: &Model, out: &mut Vec<Finding>) {
    for cluster in &model.clusters {
        match cluster.kind {
            ClusterKind::Flex => {
                out.push(Finding::new(
                    &RULE,
                    cluster.kind_loc(),
                    "Flex clusters are not available in AtlasGov".to_string(),
                    HELP,
                ));
                continue;
            }
            ClusterKind::Serverless => {
                out.push(Finding::new(
                    &RULE,
                    cluster.kind_loc(),
                    "serverless instances are not available in AtlasGov".to_string(),
                    HELP,
                ));
                continue;
            }
            ClusterKind::Advanced | ClusterKind::Legacy => {}
        }
        for rc in &cluster.regions {
            let mut flagged_size = false;
            for size in &rc.sizes {
                if below_m20(size.value.as_str()) {
                    flagged_size = true;
                    // An auto-scaling size below M20 is wrong whether or not its switch
                    // (compute auto-scaling, scale-down) is on today: the message says no more
                    // than that the size is below M20.
                    let what = format!(
                        "{} {} is below M20, which AtlasGov does not offer",
                        size.role.describe(),
                        quoted(size.value.as_str())
                    );
                    let help = match size.role {
                        SizeRole::AutoScalingMin | SizeRole::AutoScalingMax => HELP_AUTO_SCALING,
                        _ => HELP,
                    };
                    let finding = Finding::new(&RULE, &size.value.loc, what, help);
                    out.push(finding.with_fix(raise_to_m20(rc.provider.as_ref(), &size.value)));
                }
            }
            if flagged_size {
                continue;
            }
            // A shared provider with no size to point at is reported once, at the provider.
            if let Some(p) = rc
                .provider
                .as_ref()
                .filter(|p| is_shared_provider(p.as_str()))
            {
                out.push(Finding::new(
                    &RULE,
                    &p.loc,
                    format!(
                        "provider {} makes a free, shared or flex cluster, which AtlasGov does not offer",
                        quoted(p.as_str())
                    ),
                    HELP,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::below_m20;

    #[test]
    fn tiers() {
        for s in ["M0", "M2", "M5", "M10", "FLEX", "flex", "m10"] {
            assert!(below_m20(s), "{s}");
        }
        for s in [
            "M20",
            "M30",
            "M100",
            "R40",
            "M40_NVME",
            "M30_GEN_2",
            "${var.size}",
            "",
            "M",
            "MX10",
            "M10X",
        ] {
            assert!(!below_m20(s), "{s}");
        }
    }
}
