//! GOV020 commercial-endpoint: specs must target cloud.mongodbgov.com, not commercial Atlas.

use super::fix::{Applicability, Edit, Fix};
use super::{Finding, Rule, RuleMeta, Severity, quoted};
use crate::model::Model;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        code: "GOV020",
        name: "commercial-endpoint",
        severity: Severity::Error,
        summary: "A base URL, operator domain or API URL that points at commercial Atlas",
        seed: "The MongoDB Atlas for Government API functions in the same way as the Atlas API, except that it uses the following base URL: https://cloud.mongodbgov.com/api/atlas/v2",
        doc: include_str!("../../rules/GOV020-commercial-endpoint.md"),
    },
    check: Some(check),
};

/// The host of a URL (or of a bare host name).
#[cfg(test)]
pub fn host(url: &str) -> &str {
    url.get(host_range(url)).unwrap_or("")
}

/// Where the host of a URL (or a bare host name) is in it.
pub fn host_range(url: &str) -> std::ops::Range<usize> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = url.get(start..).unwrap_or("");
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or(rest);
    // Credentials (`user:password@`) come before the host, a port after it.
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = authority.get(host_start..).unwrap_or("");
    let host_len = host_port.find(':').unwrap_or(host_port.len());
    start + host_start..start + host_start + host_len
}

/// The host of commercial Atlas that has an AtlasGov counterpart, and that counterpart.
const COMMERCIAL: &str = "cloud.mongodb.com";
const GOV: &str = "cloud.mongodbgov.com";

/// Whether a host is AtlasGov's (`mongodbgov.com` and its subdomains).
fn is_gov(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "mongodbgov.com" || h.ends_with(".mongodbgov.com")
}

/// Whether a host is commercial Atlas (`cloud.mongodb.com` and its subdomains).
pub fn is_commercial(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "cloud.mongodb.com" || h.ends_with(".cloud.mongodb.com")
}

fn check(model: &Model, out: &mut Vec<Finding>) {
    // The settings that point a variable at AtlasGov (`MONGODB_ATLAS_BASE_URL:
    // https://cloud.mongodbgov.com/` in a CI job's `env` or a `.env` file, `export
    // MONGODB_ATLAS_BASE_URL=...` in a script), by the variable's name: a default that variable
    // overrides may be overridden where the tool runs.
    let set_to_gov: Vec<&str> = model
        .endpoints
        .iter()
        .filter(|e| e.reaches_runs)
        .filter(|e| is_gov(e.url.as_str().get(host_range(e.url.as_str())).unwrap_or("")))
        .filter_map(|e| {
            e.set_as
                .as_deref()
                .or_else(|| e.url.loc.pointer.rsplit('/').next())
        })
        .collect();
    for e in &model.endpoints {
        let range = host_range(e.url.as_str());
        let h = e.url.as_str().get(range.clone()).unwrap_or("");
        let overridden = e
            .from_env
            .is_some_and(|name| set_to_gov.iter().any(|n| n.eq_ignore_ascii_case(name)));
        if is_commercial(h) && !overridden {
            // The tool's own switch to AtlasGov, where the spec has one (safe: it replaces the
            // commercial default, nothing else changes).
            let switch = e.switch.as_ref().map(|(s, message)| Fix {
                applicability: Applicability::Safe,
                message: (*message).to_string(),
                reason: None,
                edits: vec![Edit {
                    loc: s.loc.clone(),
                    value: s.expected.clone(),
                    range: 0..s.expected.len(),
                    new: s.text.clone(),
                }],
            });
            // `cloud.mongodb.com` has a counterpart; its subdomains (App Services) have none.
            let fix = switch.or_else(|| {
                h.eq_ignore_ascii_case(COMMERCIAL).then(|| {
                    let mut fix = Fix::replace_part(
                        &e.url,
                        range,
                        GOV,
                        Applicability::Safe,
                        format!("point at {GOV}, keeping the path"),
                    );
                    if e.may_list {
                        fix.demote(
                            "the URL is a value of its own that may be listed for what it is (a deny list or rule, an old value, a test's input)"
                                .to_string(),
                        );
                    }
                    fix
                })
            });
            let finding = Finding::new(
                &RULE,
                &e.url.loc,
                format!(
                    "{} points at commercial Atlas ({}), not Atlas for Government",
                    e.context,
                    quoted(h)
                ),
                "use https://cloud.mongodbgov.com (Admin API: https://cloud.mongodbgov.com/api/atlas/v2)",
            );
            out.push(finding.with_fix(fix));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert!(is_commercial(host(
            "https://cloud.mongodb.com/api/atlas/v2"
        )));
        assert!(is_commercial(host("https://services.cloud.mongodb.com")));
        assert!(is_commercial(host("cloud.mongodb.com")));
        assert!(is_commercial(host(
            "https://svc:p4ss@cloud.mongodb.com:443/api"
        )));
        assert!(is_commercial(host("https://svc@cloud.mongodb.com")));
        assert!(!is_commercial(host(
            "https://cloud.mongodb.com:x@evil.example/"
        )));
        assert!(!is_commercial(host("https://cloud.mongodbgov.com/")));
        assert!(!is_commercial(host(
            "https://cloud.mongodb.com.evil.example"
        )));
        assert!(!is_commercial(host(
            "https://mycloud.mongodb.company.example"
        )));
    }
}
