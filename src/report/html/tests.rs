#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::engine::Options;
use crate::lint::{Inputs, Settings, lint};

const GOV_PROJECT: &str = r#"{
  "id": "6a1d2c3b4a5968776a5b4c3d",
  "name": "<script>alert(1)</script>",
  "regionUsageRestrictions": "GOV_REGIONS_ONLY"
}
"#;

const GOV_CLUSTER: &str = r#"name: "<img src=x onerror=alert(2)>"
groupId: 6a1d2c3b4a5968776a5b4c3d
replicationSpecs:
  - regionConfigs:
      - providerName: AWS
        regionName: US_GOV_WEST_1
        electableSpecs: { instanceSize: M30, nodeCount: 3 }
      - providerName: AWS
        regionName: US_EAST_1 # atlasgov-lint: allow GOV004 until 2030-01-20 -- migration, SEC-1
        electableSpecs: { instanceSize: M10, nodeCount: 2 }
"#;

const APP: &str = "db:\n  password: pw-s3cr3t-1\n  uri: mongodb://app:pw-s3cr3t-2@cluster0.ab1cd.mongodb.net/?authMechanism=SCRAM-SHA-1\n";

const CONFIG: &str = "exceptions:\n  - file: std/*.json\n    pointer: /replicationSpecs/0/regionConfigs/0/electableSpecs/instanceSize\n    rule: GOV002\n    reason: \"sandbox <i>only</i>\"\n    until: 2029-12-01\n";

const STD_CLUSTER: &str = r#"{ "name": "web", "replicationSpecs": [ { "regionConfigs": [
  { "providerName": "AWS", "regionName": "US_EAST_1", "electableSpecs": { "instanceSize": "M10" } } ] } ] }
"#;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The report on `files`, as of `today`, with the config `config` (if any).
fn report(files: &[(&str, &str)], config: Option<&str>, today: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    let config = config.map(|text| {
        let path = dir.path().join(crate::config::FILE_NAME);
        std::fs::write(&path, text).unwrap();
        Arc::new(crate::config::load(&path, dir.path()).unwrap())
    });
    let today = Date::parse(today).unwrap();
    let options = Options {
        inventory: true,
        config,
        cwd: dir.path().to_path_buf(),
        ..Options::default()
    };
    let settings = Settings {
        today,
        ..Settings::new(options)
    };
    let paths = vec![dir.path().to_path_buf()];
    let checked = lint(&Inputs::Paths(paths.clone()), &[], &settings);
    let meta = Meta {
        date: today,
        paths,
        commits: vec![Commit {
            root: dir.path().to_path_buf(),
            sha: "0123456789abcdef0123456789abcdef01234567".into(),
            reference: Some("refs/heads/main".into()),
        }],
    };
    render(&checked.outcome, &meta)
}

fn sample() -> String {
    report(
        &[
            ("gov/project.json", GOV_PROJECT),
            ("gov/cluster.yaml", GOV_CLUSTER),
            ("gov/app.yaml", APP),
            ("std/cluster.json", STD_CLUSTER),
        ],
        Some(CONFIG),
        "2030-01-01",
    )
}

#[test]
fn escapes_text_and_attributes() {
    assert_eq!(
        E("<script>alert('x') & \"y\"</script>").to_string(),
        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
    );
    assert_eq!(
        E("a\u{0}b\u{1b}[31m\tc\nd").to_string(),
        "a\u{fffd}b\u{fffd}[31m\tc\nd"
    );
    assert_eq!(E("ünïcödé ✓").to_string(), "ünïcödé ✓");
    // Spec values are masked as snippets are.
    assert_eq!(
        V("mongodb://u:hunter2@h/").to_string(),
        "mongodb://u:*******@h/"
    );
}

#[test]
fn hostile_names_stay_text_and_secrets_never_appear() {
    let html = sample();
    // The page's own script is the only one, and no element comes from the specs.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<i>only"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("sandbox &lt;i&gt;only&lt;/i&gt;"));
    assert!(!html.contains("pw-s3cr3t"), "{html}");
    // The secret's line is drawn (masked) around the SCRAM-SHA-1 finding.
    assert!(html.contains("password: **********"), "{html}");
}

#[test]
fn the_page_is_well_formed_and_loads_nothing() {
    let html = sample();
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("the page is well-formed XML");
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !matches!(
                name,
                "link" | "img" | "iframe" | "object" | "embed" | "base"
            ),
            "{name}"
        );
        assert!(node.attribute("src").is_none(), "{name} has a src");
        for a in node.attributes() {
            assert!(!a.name().starts_with("on"), "{name} has {}", a.name());
        }
        if let Some(href) = node.attribute("href") {
            assert!(
                href.starts_with('#') || href.starts_with(crate::report::HOME),
                "{href}"
            );
        }
    }
    // The policy allows exactly the page's own style and script.
    let csp = doc
        .descendants()
        .find(|n| n.attribute("http-equiv") == Some("Content-Security-Policy"))
        .and_then(|n| n.attribute("content"))
        .expect("a CSP meta tag");
    let text_of = |tag: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == tag)
            .and_then(|n| n.text())
            .expect(tag)
            .to_string()
    };
    // Both blocks are exactly the hashed text (which hides itself from XML in a CDATA section).
    let plain = |s: &str| s.replace("<![CDATA[", "").replace("]]>", "");
    assert!(text_of("style") == plain(STYLE) && text_of("script") == plain(SCRIPT));
    assert!(html.contains(&format!("<style>{STYLE}</style>")));
    assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
    assert!(csp.starts_with("default-src 'none'; "), "{csp}");
    assert!(
        csp.contains(&format!("style-src {};", digest::csp_hash(STYLE))),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("script-src {};", digest::csp_hash(SCRIPT))),
        "{csp}"
    );
    assert!(!csp.contains("unsafe"), "{csp}");
    // Neither block could close itself early.
    assert!(!STYLE.contains("</") && !SCRIPT.contains("</"));
}

#[test]
fn expiry_is_marked_against_the_runs_date() {
    let html = sample();
    // The comment runs until 2030-01-20: 19 days after the run.
    assert!(
        html.contains("2030-01-20 <span class=\"badge st-soon expiry\">expires in 19 days</span>"),
        "{html}"
    );
    // The exception ended on 2029-12-01: expired, not applied, and GOV102 says so.
    assert!(html.contains("expired 31 days ago"), "{html}");
    assert!(html.contains("not applied: expired"), "{html}");
    assert!(html.contains("id=\"rule-GOV102\""), "{html}");
    // A date further away is not marked.
    let later = report(
        &[
            ("gov/project.json", GOV_PROJECT),
            ("gov/cluster.yaml", GOV_CLUSTER),
        ],
        None,
        "2029-06-01",
    );
    assert!(!later.contains("expires in"), "{later}");
    assert!(later.contains("<td>2030-01-20</td>"), "{later}");
}

#[test]
fn projects_show_partition_resources_and_their_findings() {
    let html = sample();
    // The gov project: where its partition is set, its cluster's regions and tiers.
    let gov = section(&html, "id=\"project-0\"", "</article>");
    assert!(
        gov.contains("<span class=\"badge part-gov\">gov</span>"),
        "{gov}"
    );
    assert!(
        gov.contains("is <code>GOV_REGIONS_ONLY</code> at <code>"),
        "{gov}"
    );
    assert!(gov.contains("<code>US_GOV_WEST_1</code>"), "{gov}");
    assert!(gov.contains("<code>M30</code>"), "{gov}");
    // US_EAST_1 is marked in the region view; its GOV004 is suppressed, the M10 is not.
    assert!(gov.contains("chip standard mismatch"), "{gov}");
    assert!(gov.contains("gov/project.json:4:30</code>"), "{gov}");
    assert!(gov.contains("GOV002 tier-below-m20</a> at <code>"), "{gov}");
    assert!(gov.contains("gov/cluster.yaml:10:"), "{gov}");
    assert!(
        gov.contains("Not listed: 1 suppressed and 0 baselined"),
        "{gov}"
    );
    // The connection string is in no project's resources.
    let loose = section(&html, "id=\"project-none\"", "</article>");
    assert!(loose.contains("GOV006 scram-sha-1"), "{loose}");
    // The standard cluster has no project: listed as not linked.
    assert!(loose.contains("<code>web</code>"), "{loose}");
    assert!(html.contains("id=\"n-projects-gov\">1<"));
    assert!(html.contains("id=\"n-projects-standard\">0<"));
}

#[test]
fn the_summary_counts_are_the_runs() {
    let html = sample();
    for (id, n) in [
        ("files-checked", 4),
        ("files-skipped", 0),
        ("errors", 3),
        ("warnings", 1),
        ("suppressed", 1),
        ("suppressions", 2),
        ("baselined", 0),
    ] {
        assert!(
            html.contains(&format!("id=\"n-{id}\">{n}<")),
            "{id} should be {n}:\n{}",
            section(&html, "id=\"summary\"", "</dl>")
        );
    }
    assert!(
        html.contains("<g id=\"chart-rule-GOV002\" data-value=\"2\">"),
        "{html}"
    );
}

#[test]
fn an_empty_run_renders() {
    let html = report(&[("README.md", "# nothing\n")], None, "2030-01-01");
    assert!(html.contains("id=\"no-findings\""));
    assert!(html.contains("id=\"no-projects\""));
    assert!(html.contains("id=\"no-suppressions\""));
    assert!(html.contains("Passes the gate"));
    assert!(
        !html.contains("id=\"filter-controls\""),
        "no filter without findings"
    );
}

/// The text from `start` to the next `end` after it.
fn section<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |i| i + end.len())]
}
