//! The HTML audit report as a person sees it: rendered by headless Chromium from a file, its
//! DOM (after the page's own script ran) read for what the page shows, its console and its
//! network log read for errors and requests.
//!
//! - The fixture (`tests/data/report`: a gov project named `<script>alert(1)</script>`, a
//!   cluster named `<img src=x onerror=...>`, a secret beside a finding, suppressions active,
//!   expired and expiring soon, a baseline, a skipped file) and the shipped examples: the
//!   summary counts equal the JSON report's, the projects, the exception table and the
//!   findings are there, hostile names are text, no request leaves the page, the console is
//!   silent.
//! - Trees named in `ATLASGOV_REPORT_TREES` (`:`-separated; e.g. a corpus of real specs) get the
//!   same checks.
//!
//! Chromium is found at `ATLASGOV_CHROMIUM`, else as `chromium`, `chromium-browser` or
//! `google-chrome` on the PATH. Without it the browser checks are skipped with a message (the
//! report's structure is still checked), unless `ATLASGOV_BROWSER_REQUIRED=1` (`.ci/run` sets it
//! once it has installed Chromium). `UPDATE_SCREENSHOTS=1` writes the screenshots into
//! `docs/img/`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"));
    cmd.env_remove("NO_COLOR");
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run atlasgov-lint")
}

// ---------------------------------------------------------------------------------------------
// Chromium

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ATLASGOV_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .map(move |name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// Chromium, or `None` after saying loudly that the browser checks are skipped.
fn browser() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var("ATLASGOV_BROWSER_REQUIRED").as_deref() != Ok("1"),
            "ATLASGOV_BROWSER_REQUIRED=1 but no Chromium was found"
        );
        eprintln!(
            "\n*** SKIPPED: the HTML report's browser checks: no Chromium (set ATLASGOV_CHROMIUM or \
             install the `chromium` package) ***\n"
        );
    }
    found
}

/// What a page load shows.
struct Page {
    /// The DOM after load, serialized.
    dom: String,
    /// Console messages (errors, warnings, CSP violations, logs).
    console: Vec<String>,
    /// URLs the page itself asked for (not the browser's own background requests).
    requests: Vec<String>,
}

fn chromium_cmd(chrome: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(chrome);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

fn url(page: &Path, fragment: &str) -> String {
    format!(
        "file://{}{fragment}",
        page.canonicalize().unwrap().display()
    )
}

/// Load `page` (with `fragment`, e.g. `#q=GOV002`) and dump its DOM, console and requests.
fn load(chrome: &Path, page: &Path, fragment: &str) -> Page {
    let work = tempfile::tempdir().unwrap();
    let netlog = work.path().join("net.json");
    let out = chromium_cmd(chrome, &work.path().join("profile"))
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(url(page, fragment))
        .output()
        .expect("run chromium");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "chromium failed ({}): {stderr}",
        out.status
    );
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Page {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console,
        requests: page_requests(&netlog),
    }
}

/// The URL requests of a NetLog that a page started: browser-initiated ones (update checks,
/// sign-in probes) have no initiator (`not an origin`); a page loaded from a file has an opaque
/// (`null`) or `file://` one.
fn page_requests(netlog: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(netlog).expect("netlog");
    // The browser may exit before closing the JSON.
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("netlog json");
    let start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].clone();
    log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["type"] == start)
        .filter(|e| {
            let initiator = e["params"]["initiator"].as_str().unwrap_or("");
            initiator != "not an origin"
        })
        .filter_map(|e| e["params"]["url"].as_str())
        .filter(|u| !u.starts_with("file://"))
        .map(str::to_string)
        .collect()
}

/// A screenshot of the top `height` CSS pixels of `page`, 1280 wide, drawn at `scale`.
fn screenshot(chrome: &Path, page: &Path, png: &Path, height: u32, scale: f32) {
    let work = tempfile::tempdir().unwrap();
    let out = chromium_cmd(chrome, &work.path().join("profile"))
        .arg(format!("--window-size=1280,{height}"))
        .arg(format!("--force-device-scale-factor={scale}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url(page, ""))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(png).expect("screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "a blank screenshot? {} bytes",
        bytes.len()
    );
}

/// Where a screenshot goes: `docs/img/` with `UPDATE_SCREENSHOTS=1`, else a temporary file.
fn screenshot_path(name: &str, tmp: &Path) -> PathBuf {
    if std::env::var("UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img");
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    } else {
        tmp.join(name)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading what the page shows

/// The text of the element with `id` (up to its first child tag).
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let from = rest.find('>').unwrap() + 1;
    let to = rest[from..].find('<').unwrap() + from;
    rest[from..to].trim()
}

fn count_by_id(html: &str, id: &str) -> u64 {
    by_id(html, id)
        .parse()
        .unwrap_or_else(|_| panic!("#{id} is not a number"))
}

/// The element from the tag holding `marker` to its closing `</tag>`.
fn element<'a>(html: &'a str, tag: &str, marker: &str) -> &'a str {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let open = html[..at].rfind(&format!("<{tag}")).unwrap();
    let close = html[at..].find(&format!("</{tag}>")).unwrap() + at + tag.len() + 3;
    &html[open..close]
}

/// Every count the summary shows equals the JSON report's.
fn assert_counts_match(html: &str, json: &Value, what: &str) {
    let s = &json["summary"];
    let n = |k: &str| s[k].as_u64().unwrap_or(0);
    for (id, key) in [
        ("n-files-checked", "files_checked"),
        ("n-files-skipped", "files_skipped"),
        ("n-errors", "errors"),
        ("n-warnings", "warnings"),
        ("n-suppressed", "suppressed"),
        ("n-baselined", "baselined"),
        ("n-baseline-gone", "baseline_gone"),
    ] {
        assert_eq!(
            count_by_id(html, id),
            n(key),
            "{what}: {id} vs summary.{key}"
        );
    }
    // Findings by rule: the table and the chart, against the JSON findings.
    let mut by_code = std::collections::BTreeMap::<String, u64>::new();
    for f in json["findings"].as_array().unwrap() {
        *by_code
            .entry(f["code"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for (code, n) in &by_code {
        let row = element(html, "tr", &format!("data-rule=\"{code}\""));
        let total = row.rsplit("<td class=\"num count\">").next().unwrap();
        let total: u64 = total[..total.find('<').unwrap()].parse().unwrap();
        assert_eq!(total, *n, "{what}: {code} in the table");
        let bar = format!("id=\"chart-rule-{code}\" data-value=\"{n}\"");
        assert!(html.contains(&bar), "{what}: {code} bar: {bar}");
    }
    assert_eq!(
        html.matches("data-rule=\"").count(),
        by_code.len(),
        "{what}: rules in the table"
    );
    let rows = element(html, "table", "id=\"findings-table\"")
        .matches("<tr data-finding")
        .count();
    assert_eq!(
        rows,
        json["findings"].as_array().unwrap().len(),
        "{what}: findings rows"
    );
    if let Some(list) = json["skipped"].as_array().filter(|l| !l.is_empty()) {
        let table = element(html, "table", "id=\"skipped-table\"");
        assert_eq!(
            table.matches("<tr><td>").count(),
            list.len(),
            "{what}: skipped"
        );
    }
}

/// A page that loaded cleanly: the script ran under the policy, nothing on the console, no
/// request, nothing that could fetch or run.
fn assert_clean(page: &Page, what: &str) {
    let problems = problems(page);
    assert!(problems.is_empty(), "{what}: {problems:#?}");
}

/// What is wrong with a loaded page.
fn problems(page: &Page) -> Vec<String> {
    let mut out = Vec::new();
    if !page.dom.contains("data-script=\"ran\"") {
        out.push("the page's script did not run (is its CSP hash right?)".to_string());
    }
    out.extend(page.console.iter().map(|l| format!("console: {l}")));
    out.extend(page.requests.iter().map(|u| format!("request: {u}")));
    // The one script is inline; no element has a source, an event handler or a link out of
    // the page other than to the rules' documentation.
    let tags = tags(&page.dom);
    let named = |n: &str| tags.iter().filter(|(t, _)| t == n).count();
    for (t, n) in [("script", 1), ("style", 1)] {
        if named(t) != n {
            out.push(format!("{} <{t}> elements", named(t)));
        }
    }
    for t in [
        "link", "img", "iframe", "object", "embed", "base", "image", "use",
    ] {
        if named(t) > 0 {
            out.push(format!("<{t}>"));
        }
    }
    for (tag, attrs) in &tags {
        for (name, value) in attrs {
            if name == "src" || name.starts_with("on") {
                out.push(format!("<{tag} {name}={value}>"));
            }
            let outside = !value.starts_with('#')
                && !value.starts_with("https://github.com/atlasgov-lint/atlasgov-lint/");
            if (name == "href" || name == "xlink:href") && outside {
                out.push(format!("<{tag} {name}={value}>"));
            }
        }
    }
    out
}

/// Every start tag of a serialized DOM: its name and attributes (values as written). Text and
/// attribute values are escaped in a serialized DOM, so a raw `<` starts a tag or a comment.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with("!--") {
            rest = rest.find("-->").map_or("", |j| &rest[j + 3..]);
            continue;
        }
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != ':')
            .unwrap_or(rest.len());
        if name_len == 0 || !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                break;
            }
            let n = rest
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                .unwrap_or(rest.len());
            let attr = rest[..n].to_ascii_lowercase();
            rest = &rest[n..];
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix('=') {
                let q = after.chars().next().unwrap_or(' ');
                if q == '"' || q == '\'' {
                    let end = after[1..].find(q).map_or(after.len(), |j| j + 1);
                    value = after[1..end].to_string();
                    rest = after.get(end + 1..).unwrap_or("");
                } else {
                    let end = after
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    value = after[..end].to_string();
                    rest = &after[end..];
                }
            }
            attrs.push((attr, value));
        }
        let raw_text = name == "script" || name == "style";
        out.push((name.clone(), attrs));
        if raw_text {
            // Skip the block's text (it may hold `<` in CSS or script).
            rest = rest.find(&format!("</{name}")).map_or("", |j| &rest[j..]);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The fixture

/// `tests/data/report` in a temporary directory that is a git repository at [`SHA`], its
/// soon-to-expire exception dated ten days after today.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/report");
    copy_tree(&src, dir.path());
    // The config is a template (its date is filled in here), so that the config examples the
    // schema test validates hold no placeholder.
    let template = dir.path().join("atlasgov-lint.template.yaml");
    let soon = today_plus(10);
    let text = std::fs::read_to_string(&template)
        .unwrap()
        .replace("SOON_DATE", &soon);
    std::fs::remove_file(&template).unwrap();
    std::fs::write(dir.path().join(".atlasgov-lint.yaml"), text).unwrap();
    let git = dir.path().join(".git");
    std::fs::create_dir_all(git.join("refs/heads")).unwrap();
    std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(git.join("refs/heads/main"), format!("{SHA}\n")).unwrap();
    dir
}

/// Today (UTC) plus `days`, as `YYYY-MM-DD`.
fn today_plus(days: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let z = i64::try_from(secs / 86_400).unwrap() + days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The HTML and JSON reports of the same run in `dir`.
fn reports(dir: &Path, args: &[&str], html: &Path) -> (String, Value) {
    let html_arg = html.to_str().unwrap();
    let mut h = vec!["check", "--format", "html", "--output", html_arg];
    h.extend(args);
    let o = run_in(dir, &h);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    let mut j = vec!["check", "--format", "json", "--show-suppressed"];
    j.extend(args);
    let o = run_in(dir, &j);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    let json: Value = serde_json::from_slice(&o.stdout).expect("json");
    (std::fs::read_to_string(html).unwrap(), json)
}

#[test]
fn the_fixture_report_shows_what_the_json_says_and_stays_inert() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let page = out.path().join("report.html");
    let (html, json) = reports(dir.path(), &["--baseline", "baseline.json", "."], &page);

    // As written, before any browser: the numbers, the header, escaping, no secret.
    assert_counts_match(&html, &json, "fixture");
    assert_eq!(json["summary"]["baselined"], 1);
    assert_eq!(json["summary"]["suppressed"], 2);
    assert!(html.contains(&format!("<code class=\"commit\">{SHA}</code> (main)")));
    assert!(html.contains("<code id=\"config-path\">.atlasgov-lint.yaml</code>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    for secret in ["hunter2-s3cret", "k3y-0f-th3-s3rvice"] {
        assert!(!html.contains(secret), "{secret}");
    }
    let suppressions = json["suppressions"].as_array().unwrap();
    assert_eq!(
        element(&html, "table", "id=\"suppressions-table\"")
            .matches("<tr class=\"suppression\"")
            .count(),
        suppressions.len()
    );

    let Some(chrome) = browser() else { return };
    let shown = load(&chrome, &page, "");
    assert_clean(&shown, "fixture");
    let dom = &shown.dom;
    // What a person sees: the counts (after the script ran), the projects, the exceptions.
    assert_counts_match(dom, &json, "fixture in the browser");
    assert_eq!(by_id(dom, "filter-status"), "4 of 4 findings shown");
    assert!(!element(dom, "form", "id=\"filter-controls\"").contains("hidden"));
    assert_eq!(count_by_id(dom, "n-projects-gov"), 1);
    assert_eq!(count_by_id(dom, "n-projects-standard"), 1);
    assert_eq!(count_by_id(dom, "n-projects-unknown"), 1);
    // The gov project is named by its (hostile) name, as text, and shows its partition's line.
    let gov = element(dom, "article", "class=\"project gov\"");
    assert!(
        gov.contains("<span class=\"project-name\">&lt;script&gt;alert(1)&lt;/script&gt;</span>"),
        "{gov}"
    );
    assert!(gov.contains("gov/project.json:5:30"), "{gov}");
    assert!(gov.contains("&lt;img src=x onerror=alert(2)&gt;"), "{gov}");
    assert!(gov.contains("GOV004 partition-mismatch"), "{gov}");
    // The exception table: used, expired, expiring soon; the baseline's open entry.
    let table = element(dom, "table", "id=\"suppressions-table\"");
    assert!(table.contains("expires in 10 days"), "{table}");
    assert!(table.contains("not applied: expired"), "{table}");
    assert!(
        table.contains("legacy DR copy &lt;b&gt;approved&lt;/b&gt;"),
        "{table}"
    );
    assert!(!table.contains("<b>"), "{table}");
    assert_eq!(table.matches("yes: 1 finding").count(), 2, "{table}");
    let baseline = element(dom, "table", "id=\"baseline-table\"");
    assert!(baseline.contains("GOV005 region-usage-unset"), "{baseline}");
    assert!(by_id(dom, "skipped-h").contains("Skipped files (1)"));
    assert!(!dom.contains("hunter2-s3cret"));

    // A filter carried by the link: only GOV002's row and article stay shown.
    let filtered = load(&chrome, &page, "#q=gov002");
    assert_clean(&filtered, "fixture filtered");
    assert_eq!(
        by_id(&filtered.dom, "filter-status"),
        "1 of 4 findings shown"
    );
    let rows = element(&filtered.dom, "table", "id=\"findings-table\"");
    assert_eq!(
        rows.matches("<tr data-finding=\"\" data-severity").count(),
        4
    );
    assert_eq!(rows.matches(" hidden=\"\"").count(), 3, "{rows}");
    // Sorting by location, descending: the config file's finding (`.atlasgov-lint.yaml`) last.
    let sorted = load(&chrome, &page, "#sort=2-desc");
    let rows = element(&sorted.dom, "table", "id=\"findings-table\"");
    let order: Vec<usize> = [
        "standard/cluster.json",
        "gov/cluster.yaml",
        "gov/app.yaml",
        ".atlasgov-lint.yaml:",
    ]
    .iter()
    .map(|f| rows.find(f).unwrap_or_else(|| panic!("{f}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{rows}");
    assert!(rows.contains("aria-sort=\"descending\""));

    // The whole page, drawn small.
    screenshot(
        &chrome,
        &page,
        &screenshot_path("report-fixture.png", out.path()),
        7100,
        0.75,
    );
}

#[test]
fn the_examples_report_shows_what_the_json_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let page = out.path().join("examples.html");
    let (html, json) = reports(root, &["examples"], &page);
    assert_counts_match(&html, &json, "examples");
    assert!(html.contains("<span class=\"project-name\">payments-gov</span>"));
    let Some(chrome) = browser() else { return };
    let shown = load(&chrome, &page, "");
    assert_clean(&shown, "examples");
    assert_counts_match(&shown.dom, &json, "examples in the browser");
    screenshot(
        &chrome,
        &page,
        &screenshot_path("report-examples.png", out.path()),
        1900,
        1.0,
    );
}

#[test]
fn more_trees_from_the_environment() {
    let Ok(trees) = std::env::var("ATLASGOV_REPORT_TREES") else {
        return;
    };
    let chrome = browser();
    for tree in trees.split(':').filter(|t| !t.is_empty()) {
        let out = tempfile::tempdir().unwrap();
        let page = out.path().join("report.html");
        let (html, json) = reports(Path::new(env!("CARGO_MANIFEST_DIR")), &[tree], &page);
        assert_counts_match(&html, &json, tree);
        if let Some(chrome) = &chrome {
            let shown = load(chrome, &page, "");
            assert_clean(&shown, tree);
            assert_counts_match(&shown.dom, &json, tree);
            eprintln!(
                "{tree}: {} findings, {} console messages, {} requests",
                json["findings"].as_array().map_or(0, Vec::len),
                shown.console.len(),
                shown.requests.len()
            );
        }
    }
}

/// The checks above are not vacuous: on a page that logs and fetches, they see both.
#[test]
fn the_browser_checks_see_console_messages_and_requests() {
    let Some(chrome) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/pixel.png\">\
         <script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let shown = load(&chrome, &page, "");
    assert!(
        shown.console.iter().any(|l| l.contains("boom")),
        "{:?}",
        shown.console
    );
    assert_eq!(shown.requests, ["http://127.0.0.1:9/pixel.png"]);
    let tags = tags(&shown.dom);
    assert!(
        tags.iter().any(|(t, a)| t == "img"
            && a.iter()
                .any(|(n, v)| n == "src" && v == "http://127.0.0.1:9/pixel.png")),
        "{tags:?}"
    );
    let found = problems(&shown);
    for expected in [
        "script did not run",
        "console: ",
        "request: ",
        "<img>",
        "<img src=",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected}: {found:?}"
        );
    }
}

/// A file with classic Mac line ends (a carriage return alone): its snippet is drawn line by
/// line, numbered as the finding's line is.
#[test]
fn a_snippet_of_a_file_with_lone_carriage_returns_is_drawn_line_by_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("cr.yaml"),
        "name: c1\rreplicationSpecs:\r  - regionConfigs:\r      - providerName: AZURE\r        regionName: US_EAST_2\r",
    )
    .expect("write");
    let out = run_in(
        dir.path(),
        &["check", "cr.yaml", "--format", "html", "--output", "r.html"],
    );
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("report");
    for (n, text) in [
        (3, "  - regionConfigs:"),
        (4, "      - providerName: "),
        (5, "        regionName: US_EAST_2"),
    ] {
        let line = format!("<span class=\"ln\">{n}</span>{text}");
        assert!(html.contains(&line), "{line} not in the report");
    }
}
