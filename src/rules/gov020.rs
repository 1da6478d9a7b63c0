//! GOV020 commercial-endpoint: specs must target cloud.mongodbgov.com, not commercial Atlas.

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
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or(rest);
    // Credentials (`user:password@`) come before the host, a port after it.
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    host_port.split(':').next().unwrap_or(host_port)
}

/// Whether a host is commercial Atlas (`cloud.mongodb.com` and its subdomains).
pub fn is_commercial(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "cloud.mongodb.com" || h.ends_with(".cloud.mongodb.com")
}

fn check(model: &Model, out: &mut Vec<Finding>) {
    for e in &model.endpoints {
        let h = host(e.url.as_str());
        if is_commercial(h) {
            out.push(Finding::new(
                &RULE,
                &e.url.loc,
                format!("{} points at commercial Atlas ({}), not Atlas for Government", e.context, quoted(h)),
                "use https://cloud.mongodbgov.com (Admin API: https://cloud.mongodbgov.com/api/atlas/v2)",
            ));
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
