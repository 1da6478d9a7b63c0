//! Hostile inputs, each through the real binary (issue 9): every one gets a clear diagnostic or
//! is skipped as docs/formats.md's "What is skipped, and said so" says, a violating spec beside it
//! is still reported, the exit code is the documented one, and every run finishes (a child
//! that outlives a generous deadline is killed and the test fails). Big inputs are generated
//! here, in a temporary directory, never committed.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Far above what any case needs (each takes well under a second): only a hang trips it.
const DEADLINE: Duration = Duration::from_secs(120);

/// A spec with one violation (GOV001, `AZURE`), put beside every hostile file.
const NEIGHBOUR: &str = r#"{
  "name": "orders",
  "clusterType": "REPLICASET",
  "replicationSpecs": [
    {
      "regionConfigs": [
        {
          "providerName": "AZURE",
          "regionName": "US_GOV_WEST_1",
          "priority": 7,
          "electableSpecs": { "instanceSize": "M30", "nodeCount": 3 }
        }
      ]
    }
  ]
}
"#;

/// The same violation as YAML, for hostile files that must still be read.
const CLUSTER_YAML: &str = "name: orders\nclusterType: REPLICASET\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AZURE\n        regionName: US_GOV_WEST_1\n        priority: 7\n";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }
}

/// Run the binary with `args`, killing it if it outlives [`DEADLINE`].
fn run(args: &[&str]) -> Run {
    run_to(args, None, Stdio::piped())
}

/// Run the binary with `args` in `cwd` (default: the test's), its standard output sent to
/// `stdout` (captured when piped), killing it if it outlives [`DEADLINE`].
fn run_to(args: &[&str], cwd: Option<&Path>, stdout: Stdio) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"));
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let mut child = command
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn atlasgov-lint");
    // Drain both pipes on threads so that a large report cannot block the child.
    let out = child.stdout.take();
    let mut err = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(mut out) = out {
            let _ = out.read_to_end(&mut s);
        }
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("atlasgov-lint {args:?} did not finish within {DEADLINE:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().expect("stdout thread")).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().expect("stderr thread")).into_owned(),
    }
}

/// A temporary directory holding `neighbour.json` (one GOV001).
fn dir_with_neighbour() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("neighbour.json"), NEIGHBOUR).expect("write");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Findings of `report` in files whose name ends with `file`, as (code, message).
fn findings_in(report: &Value, file: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|p| p.ends_with(file)))
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn finding<'a>(report: &'a Value, file: &str, code: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["file"].as_str().is_some_and(|p| p.ends_with(file)) && f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {file}: {report:#}"))
}

/// The reason `file` was skipped, if it was.
fn skip_reason(report: &Value, file: &str) -> Option<String> {
    report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|e| e["file"].as_str().is_some_and(|p| p.ends_with(file)))
        .map(|e| e["reason"].as_str().unwrap_or("").to_string())
}

/// Check `dir` in JSON and human output; both must finish, exit 1 (the neighbour's error)
/// and report the neighbour. Returns the JSON report and the human output.
fn check(paths: &[&Path]) -> (Value, String) {
    let mut args = vec!["check", "--format", "json"];
    args.extend(paths.iter().map(|p| s(p)));
    let json = run(&args);
    assert_eq!(json.code, Some(1), "{}\n{}", json.stdout, json.stderr);
    let report = json.json();
    assert!(
        findings_in(&report, "neighbour.json").contains(&(
            "GOV001".to_string(),
            "cloud provider `AZURE` is not available in AtlasGov".to_string()
        )),
        "the neighbour's violation is missing: {report:#}"
    );
    let mut args = vec!["check", "--color", "never"];
    args.extend(paths.iter().map(|p| s(p)));
    let human = run(&args);
    assert_eq!(human.code, Some(1), "{}", human.stdout);
    assert!(
        human.stdout.contains("neighbour.json:8:27"),
        "{}",
        human.stdout
    );
    (report, human.stdout)
}

/// A file that parses to an error: GOV000 at its position, with `message` in it.
fn assert_invalid(report: &Value, file: &str, message: &str) {
    let found = findings_in(report, file);
    assert!(
        found
            .iter()
            .any(|(code, m)| code == "GOV000" && m.contains(message)),
        "{file}: expected GOV000 `{message}`, got {found:?}"
    );
    assert_eq!(skip_reason(report, file), None);
}

#[test]
fn billion_laughs_is_refused_before_expanding() {
    let dir = dir_with_neighbour();
    let mut text = String::from(
        "providerName: AZURE\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        text.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    std::fs::write(dir.path().join("laughs.yaml"), text).expect("write");
    let (report, human) = check(&[dir.path()]);
    assert_invalid(
        &report,
        "laughs.yaml",
        "alias expansion exceeds 1000000 nodes",
    );
    assert!(human.contains("laughs.yaml:"), "{human}");
}

#[test]
fn nesting_100000_deep_is_refused_in_yaml_and_json() {
    let dir = dir_with_neighbour();
    let n = 100_000;
    let flow = format!(
        "providerName: AZURE\nx: {}{}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let block = format!("providerName: AZURE\nx:\n{}a\n", "- ".repeat(n));
    let arrays = format!(
        "{{\"providerName\": \"AZURE\", \"x\": {}{}}}",
        "[".repeat(n),
        "]".repeat(n)
    );
    let objects = format!(
        "{{\"providerName\": \"AZURE\", \"x\": {}1{}}}",
        "{\"a\": ".repeat(n),
        "}".repeat(n)
    );
    for (name, text) in [
        ("flow.yaml", &flow),
        ("block.yaml", &block),
        ("arrays.json", &arrays),
        ("objects.json", &objects),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let (report, _) = check(&[dir.path()]);
    // saphyr's scanner caps flow nesting at 255; the builders refuse more than 256 levels.
    assert_invalid(&report, "flow.yaml", "nesting deeper than 255 levels");
    assert_invalid(&report, "block.yaml", "nesting deeper than 256 levels");
    assert_invalid(&report, "arrays.json", "nesting deeper than 256 levels");
    assert_invalid(&report, "objects.json", "nesting deeper than 256 levels");
    let at = finding(&report, "arrays.json", "GOV000");
    // At the bracket that goes one level too deep: the outer object is level 1, so the
    // 256th `[` (the first is at column 32) opens level 257.
    assert_eq!(at["line"], 1);
    assert_eq!(at["column"].as_u64(), Some(32 + 255));
}

#[test]
fn a_100_mb_file_is_skipped_by_the_size_limit_without_being_read() {
    let dir = dir_with_neighbour();
    // 100 MB of real specs (each with a violation), so that reading it would show.
    let path = dir.path().join("huge.yaml");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    let doc = format!("---\n{CLUSTER_YAML}");
    let chunk = doc.repeat(1 << 20 >> 7);
    let mut written = 0usize;
    while written < 100_000_000 {
        file.write_all(chunk.as_bytes()).expect("write");
        written += chunk.len();
    }
    file.flush().expect("flush");
    drop(file);
    let (report, human) = check(&[dir.path()]);
    let reason = skip_reason(&report, "huge.yaml").expect("huge.yaml is skipped");
    assert_eq!(
        reason,
        format!("file is {written} bytes, larger than the 67108864-byte limit (--max-file-size)")
    );
    assert!(findings_in(&report, "huge.yaml").is_empty());
    assert_eq!(report["summary"]["files_skipped"], 1);
    assert!(
        human.contains(&format!("note: skipped {}", s(&path))),
        "{human}"
    );
    assert!(human.contains("1 file checked, 1 skipped"), "{human}");

    // The limit is the option's: a small one skips the neighbour too (and so exits 0).
    let o = run(&[
        "check",
        "--format",
        "json",
        "--max-file-size",
        "100",
        s(dir.path()),
    ]);
    assert_eq!(o.code, Some(0), "{}", o.stdout);
    let report = o.json();
    assert!(skip_reason(&report, "neighbour.json").is_some_and(|r| r.contains("100-byte limit")));
}

#[test]
fn invalid_utf8_and_binary_files_are_skipped() {
    let dir = dir_with_neighbour();
    std::fs::write(
        dir.path().join("latin1.yaml"),
        b"name: caf\xe9\nproviderName: AZURE\n",
    )
    .expect("write");
    // A binary file with a spec's name and Atlas words in it: deterministic noise with NULs.
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        noise.push((x >> 16) as u8);
    }
    noise.extend_from_slice(b"providerName: AZURE");
    std::fs::write(dir.path().join("blob.yaml"), &noise).expect("write");
    let (report, _) = check(&[dir.path()]);
    assert_eq!(
        skip_reason(&report, "latin1.yaml").as_deref(),
        Some("not UTF-8 text (invalid byte at offset 9)")
    );
    assert_eq!(
        skip_reason(&report, "blob.yaml").as_deref(),
        Some("binary file (contains NUL bytes)")
    );
}

#[test]
fn nul_bytes_early_skip_the_file_late_ones_are_a_parse_error() {
    let dir = dir_with_neighbour();
    std::fs::write(dir.path().join("early.yaml"), b"providerName: AZURE\x00\n").expect("write");
    // Past the first 8 KiB the file is taken as text: the parser points at the NUL.
    let late = format!("#{}\nproviderName: AZ\0URE\n", "x".repeat(9000));
    std::fs::write(dir.path().join("late.yaml"), late).expect("write");
    let late_json = format!(
        "{{\"x\": \"{}\", \"providerName\": \"AZ\0URE\"}}",
        "x".repeat(9000)
    );
    std::fs::write(dir.path().join("late.json"), late_json).expect("write");
    let (report, _) = check(&[dir.path()]);
    assert_eq!(
        skip_reason(&report, "early.yaml").as_deref(),
        Some("binary file (contains NUL bytes)")
    );
    assert_invalid(&report, "late.yaml", "unprintable character");
    let at = finding(&report, "late.yaml", "GOV000");
    assert_eq!(
        (at["line"].as_u64(), at["column"].as_u64()),
        (Some(2), Some(17))
    );
    assert_invalid(&report, "late.json", "U+0000");
}

/// `text` encoded as UTF-16 with a byte order mark.
fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut out = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        out.extend(if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

#[test]
fn byte_order_marks_are_read_and_positions_stay_exact() {
    let dir = dir_with_neighbour();
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend_from_slice(CLUSTER_YAML.as_bytes());
    std::fs::write(dir.path().join("bom8.yaml"), &bom8).expect("write");
    let mut bom8_json = b"\xEF\xBB\xBF".to_vec();
    bom8_json.extend_from_slice(NEIGHBOUR.as_bytes());
    std::fs::write(dir.path().join("bom8.json"), &bom8_json).expect("write");
    std::fs::write(dir.path().join("le.yaml"), utf16(CLUSTER_YAML, true)).expect("write");
    std::fs::write(dir.path().join("be.yaml"), utf16(CLUSTER_YAML, false)).expect("write");
    std::fs::write(dir.path().join("le.json"), utf16(NEIGHBOUR, true)).expect("write");
    std::fs::write(dir.path().join("be.json"), utf16(NEIGHBOUR, false)).expect("write");
    // On the first line too, the BOM is not a column; Terraform files may have one as well.
    let flow = "{name: c, clusterType: REPLICASET, replicationSpecs: [{regionConfigs: [{providerName: AZURE}]}]}\n";
    std::fs::write(dir.path().join("top.yaml"), flow).expect("write");
    std::fs::write(dir.path().join("bom-top.yaml"), format!("\u{FEFF}{flow}")).expect("write");
    let tf = "resource \"mongodbatlas_advanced_cluster\" \"c\" {\n  project_id   = \"64b7c9e2a1f0d3c4b5a69702\"\n  name         = \"c\"\n  cluster_type = \"REPLICASET\"\n  replication_specs = [{ region_configs = [{ provider_name = \"AZURE\", region_name = \"US_GOV_WEST_1\", priority = 7 }] }]\n}\n";
    std::fs::write(dir.path().join("bom.tf"), format!("\u{FEFF}{tf}")).expect("write");
    // A BOM and then an odd number of bytes is not UTF-16.
    std::fs::write(dir.path().join("odd.yaml"), b"\xFF\xFEa\x00b").expect("write");
    let (report, human) = check(&[dir.path()]);
    for name in ["bom8.yaml", "le.yaml", "be.yaml"] {
        let f = finding(&report, name, "GOV001");
        // The BOM is not a character of the first line: columns are as without it.
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(5), Some(23)),
            "{name}"
        );
        assert!(human.contains(&format!("{name}:5:23")), "{human}");
    }
    for name in ["bom8.json", "le.json", "be.json"] {
        let f = finding(&report, name, "GOV001");
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(8), Some(27)),
            "{name}"
        );
    }
    let plain = finding(&report, "/top.yaml", "GOV001");
    let bom = finding(&report, "bom-top.yaml", "GOV001");
    assert_eq!(
        (bom["line"].as_u64(), bom["column"].as_u64()),
        (Some(1), Some(87))
    );
    assert_eq!(bom["column"], plain["column"]);
    let tf = finding(&report, "bom.tf", "GOV001");
    assert_eq!(
        (tf["line"].as_u64(), tf["column"].as_u64()),
        (Some(5), Some(62))
    );
    assert!(
        findings_in(&report, "bom.tf")
            .iter()
            .all(|(c, _)| c != "GOV000")
    );
    assert_eq!(
        skip_reason(&report, "odd.yaml").as_deref(),
        Some("invalid UTF-16 text (an odd number of bytes)")
    );
    // UTF-16 snippets are drawn from the decoded text.
    assert!(human.contains("providerName: AZURE"), "{human}");
}

#[test]
fn crlf_line_ends_keep_lines_and_columns() {
    let dir = dir_with_neighbour();
    std::fs::write(
        dir.path().join("crlf.yaml"),
        CLUSTER_YAML.replace('\n', "\r\n"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("crlf.json"),
        NEIGHBOUR.replace('\n', "\r\n"),
    )
    .expect("write");
    let (report, human) = check(&[dir.path()]);
    let y = finding(&report, "crlf.yaml", "GOV001");
    assert_eq!(
        (y["line"].as_u64(), y["column"].as_u64()),
        (Some(5), Some(23))
    );
    assert_eq!(y["end_column"].as_u64(), Some(28));
    let j = finding(&report, "crlf.json", "GOV001");
    assert_eq!(
        (j["line"].as_u64(), j["column"].as_u64()),
        (Some(8), Some(27))
    );
    assert!(
        !human.contains('\r'),
        "no carriage return reaches the terminal"
    );
}

#[test]
fn tabs_are_a_clear_yaml_error_and_plain_json_whitespace() {
    let dir = dir_with_neighbour();
    // YAML forbids tabs in indentation.
    std::fs::write(
        dir.path().join("indent.yaml"),
        "name: orders\nreplicationSpecs:\n\t- regionConfigs:\n      - providerName: AZURE\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("tabs.json"), NEIGHBOUR.replace("  ", "\t")).expect("write");
    let (report, _) = check(&[dir.path()]);
    assert_invalid(&report, "indent.yaml", "tabs disallowed");
    let at = finding(&report, "indent.yaml", "GOV000");
    assert_eq!(
        (at["line"].as_u64(), at["column"].as_u64()),
        (Some(3), Some(2))
    );
    // A tab is one character of a column.
    let f = finding(&report, "tabs.json", "GOV001");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(8), Some(22))
    );
}

#[test]
fn duplicate_keys_never_hide_a_violation() {
    let dir = dir_with_neighbour();
    let yaml = |first: &str, second: &str| {
        format!(
            "name: orders\nclusterType: REPLICASET\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: {first}\n        providerName: {second}\n        regionName: US_GOV_WEST_1\n"
        )
    };
    let json = |first: &str, second: &str| {
        format!(
            "{{\"name\": \"orders\", \"clusterType\": \"REPLICASET\", \"replicationSpecs\": [{{\"regionConfigs\": [{{\"providerName\": \"{first}\", \"providerName\": \"{second}\", \"regionName\": \"US_GOV_WEST_1\"}}]}}]}}"
        )
    };
    // The last value wins, as in most parsers; Atlas or another tool may take the first.
    std::fs::write(dir.path().join("azure-first.yaml"), yaml("AZURE", "AWS")).expect("write");
    std::fs::write(dir.path().join("azure-last.yaml"), yaml("AWS", "AZURE")).expect("write");
    std::fs::write(dir.path().join("azure-first.json"), json("AZURE", "AWS")).expect("write");
    std::fs::write(dir.path().join("azure-last.json"), json("AWS", "AZURE")).expect("write");
    // A document that is Atlas only when the first value wins is not passed over.
    std::fs::write(
        dir.path().join("kind-twice.yaml"),
        "apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata:\n  name: orders\nspec:\n  projectRef:\n    name: gov\n  deploymentSpec:\n    name: orders\n    clusterType: REPLICASET\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AZURE\n            regionName: US_GOV_WEST_1\nkind: ConfigMap\n",
    )
    .expect("write");
    // Duplicates in files that are not Atlas specs under either reading stay silent.
    std::fs::write(
        dir.path().join("workflow.yaml"),
        "name: ci\non: push\nname: build\nenv:\n  DOCS: https://www.mongodb.com/docs/atlas/\n",
    )
    .expect("write");
    let (report, human) = check(&[dir.path()]);
    let kind = finding(&report, "kind-twice.yaml", "GOV000");
    assert_eq!(
        kind["message"],
        "duplicate key `kind`: consumers disagree on which value wins"
    );
    assert_eq!(
        (kind["line"].as_u64(), kind["related"][0]["line"].as_u64()),
        (Some(15), Some(2))
    );
    assert!(
        findings_in(&report, "workflow.yaml").is_empty(),
        "{report:#}"
    );
    for name in [
        "azure-first.yaml",
        "azure-last.yaml",
        "azure-first.json",
        "azure-last.json",
    ] {
        // Whichever value wins, the ambiguity itself is an error.
        let dup = finding(&report, name, "GOV000");
        assert_eq!(
            dup["message"],
            "duplicate key `providerName`: consumers disagree on which value wins"
        );
        assert_eq!(dup["severity"], "error");
        assert_eq!(dup["related"][0]["message"], "first occurrence", "{dup:#}");
    }
    let y = finding(&report, "azure-first.yaml", "GOV000");
    assert_eq!(
        (y["line"].as_u64(), y["column"].as_u64()),
        (Some(6), Some(9))
    );
    assert_eq!(y["related"][0]["line"].as_u64(), Some(5));
    finding(&report, "azure-last.yaml", "GOV001");
    finding(&report, "azure-last.json", "GOV001");
    assert!(human.contains("first occurrence"), "{human}");
}

#[test]
fn empty_and_comment_only_files_are_checked_and_clean() {
    let dir = dir_with_neighbour();
    for (name, text) in [
        ("empty.yaml", ""),
        ("empty.json", ""),
        ("blank.yaml", "\n\n   \n"),
        ("comments.yaml", "# providerName: AZURE\n---\n# nothing\n"),
    ] {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let (report, _) = check(&[dir.path()]);
    for name in ["empty.yaml", "empty.json", "blank.yaml", "comments.yaml"] {
        assert!(findings_in(&report, name).is_empty(), "{name}: {report:#}");
        assert_eq!(skip_reason(&report, name), None);
    }
    assert_eq!(report["summary"]["files_checked"], 5);
}

#[test]
fn a_directory_named_like_a_spec_is_walked_as_a_directory() {
    let dir = dir_with_neighbour();
    let sub = dir.path().join("x.yaml");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(sub.join("inner.yaml"), CLUSTER_YAML).expect("write");
    let (report, _) = check(&[dir.path()]);
    finding(&report, "x.yaml/inner.yaml", "GOV001");
    assert!(
        report["skipped"].as_array().expect("skipped").is_empty(),
        "{report:#}"
    );
    // Named on the command line, it is walked too.
    let (report, _) = check(&[&sub, &dir.path().join("neighbour.json")]);
    finding(&report, "inner.yaml", "GOV001");
}

/// Make a FIFO with the system's `mkfifo` (the crate forbids `unsafe`, so no libc call).
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_fifo_never_hangs_the_walk() {
    let dir = dir_with_neighbour();
    let fifo = dir.path().join("pipe.yaml");
    if !mkfifo(&fifo) {
        eprintln!("mkfifo is not available: FIFO case not run");
        return;
    }
    // Opening it for reading would block until a writer comes: nothing ever writes.
    let (report, human) = check(&[dir.path()]);
    assert_eq!(
        skip_reason(&report, "pipe.yaml").as_deref(),
        Some("not a regular file (a FIFO)")
    );
    assert!(human.contains("note: skipped"), "{human}");
    // Named on the command line, likewise.
    let (report, _) = check(&[&fifo, &dir.path().join("neighbour.json")]);
    assert_eq!(
        skip_reason(&report, "pipe.yaml").as_deref(),
        Some("not a regular file (a FIFO)")
    );
}

/// Whether this process can read a file whose permission bits forbid it (root can).
fn reads_despite_permissions(probe: &Path) -> bool {
    std::fs::read(probe).is_ok()
}

#[test]
fn unreadable_files_and_directories_are_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with_neighbour();
    let file = dir.path().join("secret.yaml");
    std::fs::write(&file, CLUSTER_YAML).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let sub = dir.path().join("locked");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(sub.join("inner.yaml"), CLUSTER_YAML).expect("write");
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let privileged = reads_despite_permissions(&file);
    let (report, _) = check(&[dir.path()]);
    // Restore, so that the temporary directory can be removed.
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if privileged {
        // Running as root (as CI does here): chmod 000 does not stop reads, so the
        // permission-denied assertions cannot be made. The files are simply checked.
        eprintln!(
            "running with privileges that ignore chmod 000: permission-denied assertions skipped"
        );
        finding(&report, "secret.yaml", "GOV001");
        finding(&report, "locked/inner.yaml", "GOV001");
        return;
    }
    assert_eq!(
        skip_reason(&report, "secret.yaml").as_deref(),
        Some("cannot read: Permission denied (os error 13)")
    );
    // The reason says why, once: the path is beside it (issue 23: it was repeated three times).
    assert_eq!(
        skip_reason(&report, "locked").as_deref(),
        Some("cannot read: Permission denied (os error 13)")
    );
}

#[test]
fn symlinks_are_not_followed_and_loops_end() {
    use std::os::unix::fs::symlink;
    let dir = dir_with_neighbour();
    let loop_file = dir.path().join("loop.yaml");
    symlink("loop.yaml", &loop_file).expect("symlink");
    symlink("neighbour.json", dir.path().join("alias.json")).expect("symlink");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    // A directory cycle: sub/up -> .. -> sub -> ...
    symlink("..", sub.join("up")).expect("symlink");
    let (report, human) = check(&[dir.path()]);
    let not_followed = "symbolic link, not followed (name its target to check it)";
    assert_eq!(
        skip_reason(&report, "loop.yaml").as_deref(),
        Some(not_followed)
    );
    assert_eq!(
        skip_reason(&report, "alias.json").as_deref(),
        Some(not_followed)
    );
    // The link to the neighbour is not read a second time.
    assert_eq!(report["summary"]["errors"], 1, "{report:#}");
    assert!(human.contains("note: skipped"), "{human}");
    // Named on the command line, a link is read through (a link to a directory is walked,
    // even with a spec's name); a loop cannot be.
    let linked_dir = dir.path().join("linked.yaml");
    symlink(&sub, &linked_dir).expect("symlink");
    std::fs::write(sub.join("inner.yaml"), CLUSTER_YAML).expect("write");
    let (report, _) = check(&[&linked_dir, &dir.path().join("neighbour.json")]);
    finding(&report, "linked.yaml/inner.yaml", "GOV001");
    assert!(
        report["skipped"].as_array().expect("skipped").is_empty(),
        "{report:#}"
    );
    let (report, _) = check(&[&loop_file, &dir.path().join("neighbour.json")]);
    let reason = skip_reason(&report, "loop.yaml").expect("loop.yaml is skipped");
    assert!(
        reason.starts_with("cannot read: Too many levels of symbolic links"),
        "{reason}"
    );
}

#[test]
fn a_file_deleted_between_listing_and_reading_is_skipped() {
    use atlasgov_lint::engine::{self as app, Options};
    use atlasgov_lint::source::walk::Input;
    let dir = dir_with_neighbour();
    let gone = dir.path().join("gone.yaml");
    std::fs::write(&gone, CLUSTER_YAML).expect("write");
    let (inputs, problems) = atlasgov_lint::source::walk::collect(&[dir.path().to_path_buf()]);
    assert!(problems.is_empty());
    assert!(inputs.iter().any(|i| i.path == gone));
    std::fs::remove_file(&gone).expect("remove");
    let outcome = app::check_inputs(&inputs, &[], &Options::default());
    let skipped: Vec<(PathBuf, String)> = outcome
        .skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason.clone()))
        .collect();
    assert_eq!(
        skipped,
        vec![(
            gone.clone(),
            "cannot read: No such file or directory (os error 2)".to_string()
        )]
    );
    assert_eq!(outcome.files_checked, 1);
    assert_eq!(outcome.errors(), 1);
    // An input that never existed at all is the same case.
    let missing = Input {
        path: dir.path().join("never.yaml"),
        root: dir.path().into(),
        walked: false,
        synthesized: None,
    };
    let outcome = app::check_inputs(&[missing], &[], &Options::default());
    assert_eq!(outcome.skipped.len(), 1);
    assert_eq!(outcome.files_checked, 0);
}

#[test]
fn huge_keys_above_wide_mappings_finish() {
    // A 1 MB key above 100,000 entries once made every step of a walk copy the key.
    let dir = dir_with_neighbour();
    let key = "k".repeat(1 << 20);
    let wide: Vec<String> = (0..100_000).map(|i| format!("\"e{i}\": 1")).collect();
    let text = format!(
        "{{\"uri\": \"mongodb://h.abcde.mongodb.net/?authMechanism=SCRAM-SHA-1\", \"{key}\": {{{}, \"authMechanism\": \"SCRAM-SHA-1\"}}}}",
        wide.join(", ")
    );
    std::fs::write(dir.path().join("wide.json"), text).expect("write");
    let (report, _) = check(&[dir.path()]);
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|p| p.ends_with("wide.json")))
        .collect();
    assert_eq!(findings.len(), 2, "{report:#}");
    assert_eq!(findings[0]["pointer"], "/uri");
    // Below the huge key the pointer stops at the deepest ancestor that fits (the root).
    assert_eq!(findings[1]["pointer"], "");
    assert!(findings[1]["column"].as_u64() > Some(1 << 20));
}

#[test]
fn many_findings_render_in_bounded_time() {
    // 5,000 duplicate keys whose first occurrence sits on a 1 MB line: every finding relates
    // to it, and drawing that line (or scanning the file) per finding would not end.
    let dir = dir_with_neighbour();
    let mut doc = String::from("name: orders\nclusterType: REPLICASET\nlabels:\n");
    doc.push_str(&format!("  long: {}\n", "v".repeat(1 << 20)));
    for _ in 0..5000 {
        doc.push_str("  long: short\n");
    }
    doc.push_str("replicationSpecs:\n  - regionConfigs:\n      - providerName: AZURE\n");
    std::fs::write(dir.path().join("dups.yaml"), doc).expect("write");
    let (report, human) = check(&[dir.path()]);
    let dups = findings_in(&report, "dups.yaml")
        .iter()
        .filter(|(c, _)| c == "GOV000")
        .count();
    assert_eq!(dups, 5000);
    finding(&report, "dups.yaml", "GOV001");
    // The 1 MB line is named, never drawn.
    assert!(
        human.len() < 8 << 20,
        "human output is {} bytes",
        human.len()
    );
    assert!(
        human.contains("note: first occurrence: "),
        "{}",
        &human[..2000]
    );
}

#[test]
fn unclosed_hcl_brackets_after_operators_are_refused_in_linear_time() {
    // hcl-edit 0.10 parses each level of this twice (found by fuzzing): 18 levels took 0.4 s,
    // 40 would take days. The bracket pre-check names the innermost unclosed `[` instead.
    let dir = dir_with_neighbour();
    let text = format!(
        "resource \"mongodbatlas_advanced_cluster\" \"c\" {{\n  name = \"a\"\n}}\nx = {}\n",
        "a+a+a[".repeat(40)
    );
    std::fs::write(dir.path().join("unclosed.tf"), &text).expect("write");
    let started = Instant::now();
    let (report, _) = check(&[dir.path()]);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_invalid(&report, "unclosed.tf", "`[` is never closed");
    let f = finding(&report, "unclosed.tf", "GOV000");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(4 + 6 * 39 + 5 + 1))
    );
}

/// Many pieces in one string (a script with thousands of options, a long mechanism list) and
/// a template with an action on every line: each is located in one pass, not by rescanning
/// the string (or the actions) per piece. Bounded by the run's deadline like every case here.
#[test]
fn many_pieces_in_one_string_and_many_template_actions_stay_linear() {
    let dir = dir_with_neighbour();
    let flags = "--authenticationMechanism SCRAM-SHA-256 ".repeat(40_000);
    std::fs::write(
        dir.path().join("script.yaml"),
        format!(
            "run: \"mongosh --host c.abcde.mongodbgov.net {flags}--authenticationMechanism SCRAM-SHA-1\"\n"
        ),
    )
    .expect("write");
    let list = "SCRAM-SHA-256,".repeat(40_000);
    std::fs::write(
        dir.path().join("list.yaml"),
        format!("mechanisms: \"{list}SCRAM-SHA-1\"\nhost: c.abcde.mongodbgov.net\n"),
    )
    .expect("write");
    let mut template =
        String::from("apiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nspec:\n");
    for i in 0..40_000 {
        template.push_str(&format!("  k{i}: {{{{ .Values.v{i} }}}}\n"));
    }
    template.push_str("  bad: [\n");
    std::fs::write(dir.path().join("template.yaml"), template).expect("write");
    let started = Instant::now();
    let (report, _) = check(&[dir.path()]);
    assert!(started.elapsed() < DEADLINE);
    assert_eq!(finding(&report, "script.yaml", "GOV006")["line"], 1);
    assert_eq!(finding(&report, "list.yaml", "GOV006")["line"], 1);
    assert!(
        skip_reason(&report, "template.yaml").is_some()
            || !findings_in(&report, "template.yaml").is_empty(),
        "{report:#}"
    );
}

#[test]
fn many_fixable_findings_on_one_line_stay_linear() {
    // 20,000 fixable findings on one 1.3 MB line: each fix's edit was checked against the
    // whole line before it, and each edit's line and column built the file's line index
    // again (minutes; now about a second in a release build).
    let dir = dir_with_neighbour();
    let uri = "\"mongodb+srv://c.abcde.mongodbgov.net/?authMechanism=SCRAM-SHA-1\"";
    let items = vec![uri; 20_000].join(", ");
    std::fs::write(dir.path().join("uris.yaml"), format!("uris: [{items}]\n")).expect("write");
    let started = Instant::now();
    let (report, _) = check(&[dir.path()]);
    assert!(started.elapsed() < DEADLINE);
    let findings = report["findings"].as_array().expect("findings");
    let fixed = findings
        .iter()
        .filter(|f| f["code"] == "GOV006" && f["fix"]["edits"][0]["line"] == 1)
        .count();
    assert_eq!(fixed, 20_000);
}

#[test]
fn many_values_on_one_long_non_ascii_line_stay_linear() {
    // Minified JSON (3.9 MB on one line) with a non-ASCII character and 200,000 values: each
    // value's column counted the line's characters from its start (24 s in a release build;
    // now under a second).
    let dir = dir_with_neighbour();
    let tags: Vec<String> = (0..100_000)
        .map(|i| format!(r#"{{"key":"k{i}","value":"é{i}"}}"#))
        .collect();
    let body = format!(
        r#"{{"name":"é","clusterType":"REPLICASET","tags":[{}],"replicationSpecs":[{{"regionConfigs":[{{"providerName":"AZURE","regionName":"US_GOV_WEST_1","priority":7,"electableSpecs":{{"instanceSize":"M30","nodeCount":3}}}}]}}]}}"#,
        tags.join(",")
    );
    let azure = body.find("\"AZURE\"").expect("AZURE");
    std::fs::write(dir.path().join("minified.json"), &body).expect("write");
    let started = Instant::now();
    let (report, _) = check(&[dir.path()]);
    assert!(started.elapsed() < DEADLINE);
    let f = finding(&report, "minified.json", "GOV001");
    assert_eq!(f["line"], 1);
    // The column counts characters: every `é` before it is one.
    let chars = body.get(..azure).expect("prefix").chars().count();
    assert_eq!(f["column"], chars + 1);
}

#[test]
fn terraform_iteration_that_explodes_is_cut_short() {
    // Nested `for` expressions over a 200-element list copy a 4,000-scalar variable 8 million
    // times if evaluated naively, and the module calls itself: the evaluation runs out of
    // fuel, the cluster's hard-coded violation is still reported, and the run ends quickly.
    let dir = dir_with_neighbour();
    let big: Vec<String> = (0..4000).map(|i| format!("\"v{i}\"")).collect();
    let list: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    let tf = format!(
        r#"variable "big" {{
  default = [{}]
}}

locals {{
  n = [{}]
  blown = [for a in local.n : [for b in local.n : [for c in local.n : var.big]]]
}}

module "again" {{
  source = "./"
  big    = local.blown
}}

resource "mongodbatlas_advanced_cluster" "x" {{
  project_id   = "64b7c9e2a1f0d3c4b5a69700"
  name         = "x"
  cluster_type = "REPLICASET"
  replication_specs = [{{
    region_configs = [for r in local.blown : {{
      provider_name = "AZURE"
      region_name   = "US_GOV_WEST_1"
      priority      = 7
    }}]
  }}]
}}
"#,
        big.join(", "),
        list.join(", ")
    );
    let path = dir.path().join("main.tf");
    std::fs::write(&path, tf).unwrap();
    let started = Instant::now();
    let (report, _) = check(&[dir.path()]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(
        findings_in(&report, "main.tf")
            .iter()
            .any(|(code, _)| code == "GOV001"),
        "{report:#}"
    );
}

// The files around the specs (issue 23): the config and the baseline are read like specs
// (regular files only, never blocking, bounded) and a problem with one is an error, never
// skipped; the outputs are written in full or the run fails; text from specs cannot drive the
// terminal; every drawn line is bounded.

/// A directory that is a repository root (so config discovery stops there) with the neighbour.
fn repo_with_neighbour() -> tempfile::TempDir {
    let dir = dir_with_neighbour();
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    dir
}

/// A run that must fail with exit 2 and `reason` on standard error.
fn assert_usage_error(run: &Run, reason: &str) {
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(reason),
        "expected `{reason}` in:\n{}",
        run.stderr
    );
}

#[test]
fn a_config_that_cannot_be_read_is_an_error_with_its_reason() {
    let dir = repo_with_neighbour();
    let neighbour = dir.path().join("neighbour.json");
    let config = dir.path().join(".atlasgov-lint.yaml");
    // Larger than the limit: refused unread (a sparse file costs nothing).
    let big = dir.path().join("big.yaml");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(5 * 1024 * 1024).expect("set_len");
    let r = run(&["check", "--config", s(&big), s(&neighbour)]);
    assert_usage_error(&r, "larger than the 4194304-byte limit (config files)");
    // Discovered: a link to a device is refused, not skipped (the run went on without the
    // policy).
    std::os::unix::fs::symlink("/dev/zero", &config).expect("symlink");
    let r = run_to(
        &["check", "neighbour.json"],
        Some(dir.path()),
        Stdio::piped(),
    );
    assert_usage_error(&r, ".atlasgov-lint.yaml: not a regular file (a device)");
    std::fs::remove_file(&config).expect("rm");
    if !mkfifo(&config) {
        eprintln!("mkfifo is not available: FIFO cases not run");
        return;
    }
    let r = run_to(
        &["check", "neighbour.json"],
        Some(dir.path()),
        Stdio::piped(),
    );
    assert_usage_error(&r, ".atlasgov-lint.yaml: not a regular file (a FIFO)");
    // Named: the reason, not "not found".
    let r = run(&["check", "--config", s(&config), s(&neighbour)]);
    assert_usage_error(&r, "not a regular file (a FIFO)");
    assert!(!r.stderr.contains("not found"), "{}", r.stderr);
    let r = run(&["check", "--config", s(dir.path()), s(&neighbour)]);
    assert_usage_error(&r, "not a regular file (a directory)");
    let r = run(&["check", "--config", "no/such/config.yaml", s(&neighbour)]);
    assert_usage_error(&r, "config file not found: no/such/config.yaml");
}

#[test]
fn a_baseline_that_is_not_a_regular_file_is_refused_without_blocking() {
    let dir = dir_with_neighbour();
    let neighbour = dir.path().join("neighbour.json");
    let zero = dir.path().join("zero.json");
    // A committed link to /dev/zero grew the process past 8 GB.
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    for flag in ["--baseline", "--write-baseline"] {
        let r = run(&["check", flag, s(&zero), s(&neighbour)]);
        assert_usage_error(&r, "zero.json: not a regular file (a device)");
    }
    let fifo = dir.path().join("fifo.json");
    if !mkfifo(&fifo) {
        eprintln!("mkfifo is not available: FIFO cases not run");
        return;
    }
    // Both hung, waiting for a writer (or a reader).
    for flag in ["--baseline", "--write-baseline"] {
        let r = run(&["check", flag, s(&fifo), s(&neighbour)]);
        assert_usage_error(&r, "fifo.json: not a regular file (a FIFO)");
    }
}

/// Every `--format`.
const FORMATS: [&str; 7] = [
    "human", "concise", "json", "sarif", "github", "gitlab", "junit",
];

#[test]
fn a_report_that_cannot_be_written_fails_the_run() {
    let dir = dir_with_neighbour();
    let neighbour = dir.path().join("neighbour.json");
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full");
    for format in FORMATS.into_iter().chain(["html"]) {
        // Exited 0 (or 1, for the findings) having written nothing.
        let stdout = Stdio::from(full().expect("/dev/full"));
        let r = run_to(&["check", "--format", format, s(&neighbour)], None, stdout);
        assert_usage_error(
            &r,
            "cannot write to standard output: No space left on device",
        );
        let r = run(&[
            "check",
            "--format",
            format,
            "--output",
            "/dev/full",
            s(&neighbour),
        ]);
        assert_usage_error(
            &r,
            "--output /dev/full: cannot write: No space left on device",
        );
        let missing = dir.path().join("no/such/dir/report.txt");
        let r = run(&[
            "check",
            "--format",
            format,
            "--output",
            s(&missing),
            s(&neighbour),
        ]);
        assert_usage_error(&r, "cannot write: No such file or directory");
    }
    let stdout = Stdio::from(full().expect("/dev/full"));
    assert_usage_error(
        &run_to(&["rules"], None, stdout),
        "cannot write to standard output",
    );
    let fifo = dir.path().join("report.fifo");
    if mkfifo(&fifo) {
        // Opening a FIFO nobody reads for writing waits forever.
        let r = run(&[
            "check",
            "--format",
            "json",
            "--output",
            s(&fifo),
            s(&neighbour),
        ]);
        assert_usage_error(&r, "no process is reading this FIFO");
    }
}

#[test]
fn the_output_never_overwrites_a_file_the_run_reads() {
    let dir = repo_with_neighbour();
    let neighbour = dir.path().join("neighbour.json");
    let sub = dir.path().join("specs");
    std::fs::create_dir(&sub).expect("mkdir");
    let cluster = sub.join("cluster.yaml");
    std::fs::write(&cluster, CLUSTER_YAML).expect("write");
    std::fs::write(dir.path().join("lint.yaml"), "fail-on: error\n").expect("write");
    let unchanged = || {
        std::fs::read_to_string(&neighbour).ok().as_deref() == Some(NEIGHBOUR)
            && std::fs::read_to_string(&cluster).ok().as_deref() == Some(CLUSTER_YAML)
    };
    let being_checked = "is one of the files being checked: it would be overwritten";
    // Named, or found under a directory given (through a link, too).
    let r = run(&[
        "check",
        "--format",
        "json",
        "-o",
        s(&neighbour),
        s(&neighbour),
    ]);
    assert_usage_error(&r, being_checked);
    let r = run(&[
        "check",
        "--format",
        "sarif",
        "-o",
        s(&cluster),
        s(dir.path()),
    ]);
    assert_usage_error(&r, being_checked);
    let link = dir.path().join("report.txt");
    std::os::unix::fs::symlink(&cluster, &link).expect("symlink");
    let r = run(&["check", "-o", s(&link), s(&sub)]);
    assert_usage_error(&r, being_checked);
    std::fs::remove_file(&link).expect("rm");
    assert!(unchanged(), "a checked file was overwritten");
    // The config and the baseline.
    let config = dir.path().join("lint.yaml");
    let r = run(&[
        "check",
        "--config",
        s(&config),
        "-o",
        s(&config),
        s(&neighbour),
    ]);
    assert_usage_error(&r, "is the config file");
    let baseline = dir.path().join("b.json");
    let r = run(&["check", "--write-baseline", s(&baseline), s(&neighbour)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = run(&[
        "check",
        "--baseline",
        s(&baseline),
        "-o",
        s(&baseline),
        s(&neighbour),
    ]);
    assert_usage_error(&r, "is the baseline");
    // A report a previous run wrote there is overwritten (and never checked as a spec).
    for format in ["json", "sarif", "gitlab"] {
        let report = dir.path().join(format!("report-{format}.json"));
        for _ in 0..2 {
            let r = run(&["check", "--format", format, "-o", s(&report), s(dir.path())]);
            assert_eq!(r.code, Some(1), "{format}: {}", r.stderr);
        }
    }
}

/// A project whose name (quoted by GOV005) and file name hold terminal controls: a title
/// change and screen clear, and a newline followed by a forged finding line.
const HOSTILE_NAME: &str = "p\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}\nerror: forged";

#[test]
fn text_from_specs_cannot_drive_the_terminal_in_any_format() {
    let dir = dir_with_neighbour();
    let body = serde_json::json!({"name": HOSTILE_NAME, "orgId": "5f1d2c3b4a5968776a5b4c3d"});
    let file_name = "q\u{1b}[31m\nerror: forged.json";
    std::fs::write(dir.path().join(file_name), format!("{body:#}\n")).expect("write");
    // A snippet line with raw controls (in a YAML comment) next to a finding.
    let yaml = CLUSTER_YAML.replace(
        "priority: 7\n",
        "priority: 7\n        # \u{1b}]0;retitled\u{7}\u{1b}[2J\r\n",
    );
    std::fs::write(dir.path().join("controls.yaml"), yaml).expect("write");
    // And the reason of a config exception, in the suppression list.
    let config = dir.path().join("lint.yaml");
    std::fs::write(
        &config,
        "exceptions:\n  - file: neighbour.json\n    pointer: /replicationSpecs/0/regionConfigs/0/providerName\n    rule: GOV001\n    reason: \"ok\\e[2J\\nerror: forged\"\n",
    )
    .expect("write");
    let controls = |text: &str| {
        text.chars()
            .filter(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            .count()
    };
    // The counts by file name the files too.
    let r = run(&["check", "--statistics", "--color", "never", s(dir.path())]);
    assert!(r.stdout.contains("Findings by file"), "{}", r.stdout);
    assert_eq!(controls(&r.stdout), 0, "{:?}", r.stdout);
    assert!(
        r.stdout.contains("q\\u{1b}[31m\\nerror: forged.json"),
        "{}",
        r.stdout
    );
    for format in FORMATS {
        for color in ["never", "always"] {
            let args = [
                "check",
                "--format",
                format,
                "--color",
                color,
                "--show-suppressed",
                "--config",
                s(&config),
                s(dir.path()),
            ];
            let r = run(&args);
            assert_eq!(r.code, Some(1), "{format}: {}", r.stderr);
            let out = &r.stdout;
            assert!(
                out.contains("GOV005") && out.contains("GOV001"),
                "{format}: {out}"
            );
            // Colour is drawn with SGR sequences (ESC [ ... m) only; nothing from the specs.
            let unstyled: String = if color == "always" && format == "human" {
                strip_sgr(out)
            } else {
                out.clone()
            };
            assert_eq!(
                controls(&unstyled),
                0,
                "{format} --color {color}: {unstyled:?}"
            );
            assert!(!out.contains('\u{202e}'), "{format}: {out:?}");
            assert!(
                !out.lines().any(|l| l.starts_with("error: forged")),
                "{format}: a line was forged:\n{out}"
            );
            if format == "json" || format == "sarif" {
                // JSON escapes them: the value is intact.
                let v: Value = serde_json::from_str(out).expect("JSON");
                assert!(v.to_string().contains("\\u001b]0;owned"), "{format}");
                assert!(
                    out.contains("\\u009b31m\\u202e\\nerror: forged"),
                    "{format}: {out}"
                );
            } else if format == "gitlab" {
                // GitLab shows the description as text: escaped as on a terminal.
                let v: Value = serde_json::from_str(out).expect("JSON");
                let issues = v.as_array().expect("issues");
                assert!(
                    issues.iter().any(|i| i["description"]
                        .as_str()
                        .is_some_and(|d| d.contains("\\u{1b}]0;owned\\u{7}"))),
                    "{format}: {out}"
                );
            } else {
                assert!(out.contains("\\u{1b}]0;owned\\u{7}"), "{format}: {out}");
            }
        }
    }
}

/// `s` without SGR sequences (`ESC [ digits/semicolons m`), as a colour terminal draws it.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            let mut sequence = String::new();
            for d in chars.by_ref() {
                sequence.push(d);
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
            let sgr = sequence.ends_with('m')
                && sequence[1..sequence.len() - 1]
                    .chars()
                    .all(|d| d.is_ascii_digit() || d == ';');
            if !sgr {
                out.push(c);
                out.push_str(&sequence);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn context_lines_around_a_finding_are_bounded_too() {
    let dir = dir_with_neighbour();
    let huge = "y".repeat(10 * 1024 * 1024);
    let yaml = CLUSTER_YAML.replace(
        "providerName: AZURE\n",
        &format!("providerName: AZURE\n        # {huge}\n"),
    );
    std::fs::write(dir.path().join("wide.yaml"), yaml).expect("write");
    let (report, human) = check(&[dir.path()]);
    finding(&report, "wide.yaml", "GOV001");
    // The finding's snippet is drawn, the 10 MB line beside it is not.
    assert!(human.contains("providerName: AZURE"), "{human}");
    assert!(
        human.contains("… (a line of 10485770 bytes, not drawn)"),
        "{human}"
    );
    assert!(human.len() < 10_000, "{} bytes of output", human.len());
}

/// A GitLab template that lists itself again and again under `extends:` (which GitLab refuses)
/// is followed once: every level followed every entry, so six entries and eleven levels took
/// minutes and gigabytes. Finishes within the deadline with the job's value judged.
#[test]
fn a_gitlab_template_extending_itself_is_followed_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ci = dir.path().join(".gitlab-ci.yml");
    std::fs::write(
        &ci,
        "variables:\n  MONGODB_ATLAS_SERVICE: cloudgov\n.t:\n  extends: [.t, .t, .t, .t, .t, .t, .u]\n  variables: {TIER: M10}\n.u:\n  extends: [.t, .u]\njob:\n  extends: [.t, .u, .t]\n  script: [atlas clusters create x --provider AWS --region US_GOV_WEST_1 --tier $TIER --projectId 64b1c2d3e4f5a6b7c8d9e0fc]\n",
    )
    .expect("write");
    let out = run(&["check", "--format", "json", s(&ci)]);
    assert_eq!(out.code, Some(1), "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(1),
        "{report:#}"
    );
    assert_eq!(report["findings"][0]["code"], "GOV002", "{report:#}");
}

/// A Pulumi program whose names stand for arrays of names (`a1 = [a0 x 10]`, `a2 = [a1 x 10]`,
/// ...) would build ten times more at each level: the values one module builds are bounded,
/// and the run finishes with the neighbour's finding.
#[test]
fn pulumi_names_standing_for_arrays_of_names_do_not_multiply() {
    let dir = dir_with_neighbour();
    std::fs::write(dir.path().join("Pulumi.yaml"), "name: l\nruntime: nodejs\n").unwrap();
    let mut text = String::from(
        "import * as mongodbatlas from \"@pulumi/mongodbatlas\";\nconst a0 = {t: \"M10\"};\n",
    );
    for i in 1..12 {
        let items = vec![format!("a{}", i - 1); 10].join(",");
        text.push_str(&format!("const a{i} = [{items}];\n"));
    }
    text.push_str(
        "new mongodbatlas.Cluster(\"c\", {projectId: \"65a1b2c3d4e5f60718293a4b\", tags: a11});\n",
    );
    let program = dir.path().join("index.ts");
    std::fs::write(&program, text).unwrap();
    let (report, _) = check(&[dir.path()]);
    assert!(findings_in(&report, "index.ts").is_empty(), "{report:#}");
}
