//! The CI integration files, run here: the GitHub Action (`action.yml`), the GitLab CI template
//! (`ci/gitlab/atlasgov-lint.gitlab-ci.yml`) and the container recipe (`Dockerfile`).
//!
//! The Action's and the template's shell steps run as their runners run them (bash with
//! `-eo pipefail`, their variables and expressions filled in, outputs and PATH carried from
//! step to step) against a fixture repository, with the binary under test. `cargo` is a
//! stand-in on PATH that checks the install command and puts that binary where it was asked
//! to install, so the compile-once-then-cache path is exercised without compiling. The other
//! actions' steps (`actions/cache`, `upload-sarif`) are simulated from their inputs.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_atlasgov-lint");
const REV: &str = "0123456789abcdef0123456789abcdef01234567";

/// A cluster in a region AtlasGov does not offer (GOV003) with an M10 (GOV002).
const CLUSTER: &str = "\
name: ledger
replicationSpecs:
  - regionConfigs:
      - providerName: AWS
        regionName: EU_WEST_1
        electableSpecs: { instanceSize: M10 }
";

fn fixture_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("specs")).unwrap();
    std::fs::write(dir.path().join("specs/cluster.yaml"), CLUSTER).unwrap();
    std::fs::write(dir.path().join("README.md"), "Not a spec: stays silent.\n").unwrap();
    dir
}

fn read_yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap();
    common::yaml(&text).unwrap_or_else(|| panic!("{path}: not YAML"))
}

fn rust_version() -> String {
    let toml = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    toml.lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap()
        .to_string()
}

/// A stand-in `cargo` that accepts only `expected` arguments (with `ROOT_DIR` standing for
/// the `--root` value), logs each call, and installs the binary under test there.
fn fake_cargo(dir: &Path, expected: &[&str]) -> PathBuf {
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let pattern: Vec<String> = expected.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        r#"#!/usr/bin/env bash
set -euo pipefail
echo "$*" >>"{log}"
expected=({pattern})
args=("$@")
root=""
[ "${{#args[@]}}" -eq "${{#expected[@]}}" ] || {{ echo "cargo stand-in: unexpected arguments: $*" >&2; exit 101; }}
for i in "${{!expected[@]}}"; do
  if [ "${{expected[$i]}}" = ROOT_DIR ]; then root=${{args[$i]}}; continue; fi
  [ "${{expected[$i]}}" = "${{args[$i]}}" ] || {{ echo "cargo stand-in: argument $i is ${{args[$i]}}, expected ${{expected[$i]}}" >&2; exit 101; }}
done
mkdir -p "$root/bin"
cp "{bin}" "$root/bin/atlasgov-lint"
# What cargo install also writes there.
echo '{{"installs": {{}}}}' >"$root/.crates2.json"
echo '[v1]' >"$root/.crates.toml"
"#,
        log = dir.join("cargo.log").display(),
        pattern = pattern.join(" "),
        bin = BIN,
    );
    let path = bin.join("cargo");
    std::fs::write(&path, script).unwrap();
    make_executable(&path);
    bin
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

fn cargo_calls(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("cargo.log"))
        .map(|l| l.lines().count())
        .unwrap_or(0)
}

fn system_path() -> String {
    std::env::var("PATH").unwrap_or_default()
}

fn has_bash() -> bool {
    Command::new("bash").arg("-c").arg("true").output().is_ok()
}

// ---------------------------------------------------------------- the GitHub Action

/// One run of the Action's steps, as the runner runs a composite action.
struct ActionRun {
    inputs: HashMap<String, String>,
    outputs: HashMap<String, HashMap<String, String>>,
    path: Vec<String>,
    /// The step that failed, if one did (later steps do not run).
    failed: Option<String>,
    uploaded: Option<PathBuf>,
    stdout: HashMap<String, String>,
    cache_hit: bool,
}

impl ActionRun {
    fn new(action: &Value, inputs: &[(&str, &str)], cache_hit: bool) -> ActionRun {
        let mut all: HashMap<String, String> = action["inputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_string()))
            .collect();
        for (k, v) in inputs {
            assert!(all.contains_key(*k), "no input `{k}` in action.yml");
            all.insert(k.to_string(), v.to_string());
        }
        ActionRun {
            inputs: all,
            outputs: HashMap::new(),
            path: Vec::new(),
            failed: None,
            uploaded: None,
            stdout: HashMap::new(),
            cache_hit,
        }
    }

    /// The value of one expression (the contexts this action uses).
    fn value(&self, expr: &str) -> String {
        let expr = expr.trim();
        if let Some(name) = expr.strip_prefix("inputs.") {
            return self
                .inputs
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("{expr}"));
        }
        if let Some(rest) = expr.strip_prefix("steps.") {
            let (id, name) = rest
                .split_once(".outputs.")
                .unwrap_or_else(|| panic!("{expr}"));
            return self
                .outputs
                .get(id)
                .and_then(|o| o.get(name))
                .cloned()
                .unwrap_or_default();
        }
        match expr {
            "github.action_path" => ROOT.to_string(),
            "github.action_ref" => REV.to_string(),
            _ => panic!("the test does not know the expression `{expr}`: teach it"),
        }
    }

    /// `${{ ... }}` filled in.
    fn fill(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            out.push_str(&self.value(&rest[start + 3..end]));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// An `if:` (the forms this action uses: `a == 'b'`, `a != 'b'`).
    fn condition(&self, expr: &str) -> bool {
        let expr = expr.trim();
        let expr = expr
            .strip_prefix("${{")
            .and_then(|e| e.strip_suffix("}}"))
            .unwrap_or(expr);
        let (left, right, equal) = if let Some((l, r)) = expr.split_once("!=") {
            (l, r, false)
        } else if let Some((l, r)) = expr.split_once("==") {
            (l, r, true)
        } else {
            panic!("the test does not know the condition `{expr}`: teach it")
        };
        let right = right.trim().trim_matches('\'');
        (self.value(left) == right) == equal
    }

    fn run(&mut self, action: &Value, workspace: &Path, scratch: &Path, fake_bin: &Path) {
        let tool_cache = scratch.join("tool-cache");
        for step in action["runs"]["steps"].as_array().unwrap() {
            let id = step["id"]
                .as_str()
                .expect("every step has an id")
                .to_string();
            if let Some(cond) = step["if"].as_str() {
                if !self.condition(cond) {
                    continue;
                }
            }
            if let Some(uses) = step["uses"].as_str() {
                self.uses(uses, step, &id, workspace);
                continue;
            }
            let script = step["run"].as_str().unwrap();
            assert!(
                !script.contains("${{"),
                "{id}: expressions in a script are injected as text; pass them through env"
            );
            assert_eq!(step["shell"], "bash", "{id}");
            let output = scratch.join(format!("output-{id}"));
            let path_file = scratch.join(format!("path-{id}"));
            std::fs::write(&output, "").unwrap();
            std::fs::write(&path_file, "").unwrap();
            let script_file = scratch.join(format!("{id}.sh"));
            std::fs::write(&script_file, script).unwrap();
            let mut path: Vec<String> = self.path.iter().rev().cloned().collect();
            path.push(fake_bin.display().to_string());
            path.push(system_path());
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(workspace)
                .env("PATH", path.join(":"))
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_WORKSPACE", workspace)
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_TOOL_CACHE", &tool_cache)
                .env_remove("NO_COLOR");
            if let Some(env) = step["env"].as_object() {
                for (k, v) in env {
                    cmd.env(k, self.fill(v.as_str().unwrap()));
                }
            }
            let o = cmd.output().unwrap();
            self.stdout
                .insert(id.clone(), String::from_utf8_lossy(&o.stdout).to_string());
            let mut outs = HashMap::new();
            for line in std::fs::read_to_string(&output).unwrap().lines() {
                let (k, v) = line.split_once('=').unwrap();
                outs.insert(k.to_string(), v.to_string());
            }
            self.outputs.insert(id.clone(), outs);
            self.path.extend(
                std::fs::read_to_string(&path_file)
                    .unwrap()
                    .lines()
                    .map(String::from),
            );
            if !o.status.success() {
                eprintln!("{id}: {}", String::from_utf8_lossy(&o.stderr));
                self.failed = Some(id);
                return;
            }
        }
    }

    fn uses(&mut self, uses: &str, step: &Value, id: &str, workspace: &Path) {
        let with = |k: &str| self.fill(step["with"][k].as_str().unwrap_or(""));
        if uses.starts_with("actions/cache@") {
            let dir = PathBuf::from(with("path"));
            assert!(
                with("key").starts_with("atlasgov-lint-Linux-"),
                "{}",
                with("key")
            );
            if self.cache_hit {
                // A cache hit restores what an earlier run installed.
                std::fs::create_dir_all(dir.join("bin")).unwrap();
                std::fs::copy(BIN, dir.join("bin/atlasgov-lint")).unwrap();
            }
            let hit = if self.cache_hit { "true" } else { "false" };
            self.outputs.insert(
                id.to_string(),
                HashMap::from([("cache-hit".to_string(), hit.to_string())]),
            );
        } else if uses.starts_with("github/codeql-action/upload-sarif@") {
            assert_eq!(with("category"), "atlasgov-lint");
            self.uploaded = Some(workspace.join(with("sarif_file")));
        } else {
            panic!("the test does not simulate `{uses}`: teach it");
        }
    }
}

fn run_action(
    inputs: &[(&str, &str)],
    cache_hit: bool,
    repo: &Path,
) -> (ActionRun, tempfile::TempDir) {
    let action = read_yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let scratch = tempfile::tempdir().unwrap();
    let fake = fake_cargo(
        scratch.path(),
        &["install", "--locked", "--path", ROOT, "--root", "ROOT_DIR"],
    );
    let mut run = ActionRun::new(&action, inputs, cache_hit);
    run.run(&action, repo, scratch.path(), &fake);
    (run, scratch)
}

#[test]
fn the_action_installs_once_reports_sarif_and_annotates() {
    if !has_bash() {
        return;
    }
    let repo = fixture_repo();
    // First run of this commit: compiled (the stand-in), then cached.
    let (run, scratch) = run_action(&[], false, repo.path());
    assert_eq!(cargo_calls(scratch.path()), 1);
    assert!(
        run.stdout["path"].starts_with("atlasgov-lint "),
        "{:?}",
        run.stdout
    );
    // The SARIF report is written and uploaded; the annotations fail the job on errors.
    let sarif_path = repo.path().join("atlasgov-lint.sarif");
    assert_eq!(run.uploaded.as_deref(), Some(sarif_path.as_path()));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["GOV003", "GOV002"]);
    // The log shows counts, not the whole report.
    assert!(
        run.stdout["sarif"].starts_with("Findings by rule:\n"),
        "{}",
        run.stdout["sarif"]
    );
    assert_eq!(run.failed.as_deref(), Some("annotations"));
    assert!(
        run.stdout["annotations"].starts_with("::error file=specs/cluster.yaml,line=5,col=21,"),
        "{}",
        run.stdout["annotations"]
    );
    let action = read_yaml("action.yml");
    assert_eq!(
        run.fill(action["outputs"]["sarif-file"]["value"].as_str().unwrap()),
        "atlasgov-lint.sarif"
    );

    // A later run of the same commit: restored from the cache, nothing compiled.
    let (run, scratch) = run_action(&[], true, repo.path());
    assert_eq!(cargo_calls(scratch.path()), 0);
    assert_eq!(run.failed.as_deref(), Some("annotations"));
}

#[test]
fn the_action_passes_its_inputs_on() {
    if !has_bash() {
        return;
    }
    let repo = fixture_repo();
    let o = Command::new(BIN)
        .args(["check", "--write-baseline", ".atlasgov-baseline.json"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let inputs = [
        ("args", "--baseline .atlasgov-baseline.json"),
        ("paths", "specs README.md"),
        ("sarif-file", "out/lint.sarif"),
        ("upload-sarif", "false"),
    ];
    // `out/` does not exist: writing the report there is a usage error, which fails the job.
    let (run, _s) = run_action(&inputs, true, repo.path());
    assert_eq!(run.failed.as_deref(), Some("sarif"));
    // With the baseline, nothing new: the job passes; no upload when asked not to.
    std::fs::create_dir(repo.path().join("out")).unwrap();
    let (run, _s) = run_action(&inputs, true, repo.path());
    assert_eq!(run.failed, None, "{:?}", run.stdout);
    assert_eq!(run.uploaded, None);
    assert!(repo.path().join("out/lint.sarif").is_file());
    assert_eq!(run.stdout["annotations"], "");
}

// ---------------------------------------------------------------- the GitLab CI template

struct GitlabJob {
    variables: Vec<(String, String)>,
    script: Vec<String>,
    job: Value,
}

fn gitlab_job() -> GitlabJob {
    let template = read_yaml("ci/gitlab/atlasgov-lint.gitlab-ci.yml");
    let job = template["atlasgov-lint"].clone();
    let variables = job["variables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let script = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    GitlabJob {
        variables,
        script,
        job,
    }
}

/// Run the job's script in `repo` as GitLab's shell executor does: one bash, `-eo pipefail`,
/// the job's variables (with `overrides`) in the environment. Returns (exit code, output).
fn run_gitlab(repo: &Path, scratch: &Path, overrides: &[(&str, &str)]) -> (i32, String) {
    let job = gitlab_job();
    let fake = fake_cargo(
        scratch,
        &[
            "install",
            "--locked",
            "--git",
            "https://github.com/atlasgov-lint/atlasgov-lint",
            "--rev",
            REV,
            "--root",
            "ROOT_DIR",
            "atlasgov-lint",
        ],
    );
    let script_file = scratch.join("gitlab.sh");
    std::fs::write(&script_file, job.script.join("\n") + "\n").unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script_file)
        .current_dir(repo)
        .env("PATH", format!("{}:{}", fake.display(), system_path()))
        .env("CI_PROJECT_DIR", repo)
        .env_remove("NO_COLOR");
    for (k, v) in &job.variables {
        cmd.env(k, v);
    }
    for (k, v) in overrides {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn the_gitlab_template_installs_once_and_writes_its_reports() {
    if !has_bash() {
        return;
    }
    let job = gitlab_job();
    assert_eq!(job.job["image"], format!("rust:{}-slim", rust_version()));
    assert_eq!(job.job["cache"]["key"], "atlasgov-lint-$ATLASGOV_LINT_REV");
    assert_eq!(job.job["cache"]["paths"][0], ".atlasgov-lint/");
    let reports = &job.job["artifacts"]["reports"];
    assert_eq!(job.job["artifacts"]["when"], "always");

    let repo = fixture_repo();
    let scratch = tempfile::tempdir().unwrap();
    // Without a pinned commit the job says what to set.
    let (code, out) = run_gitlab(repo.path(), scratch.path(), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("set ATLASGOV_LINT_REV"), "{out}");
    assert_eq!(cargo_calls(scratch.path()), 0);

    // First run: compiled (the stand-in) into the cached directory; findings fail the job.
    let (code, out) = run_gitlab(repo.path(), scratch.path(), &[("ATLASGOV_LINT_REV", REV)]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(cargo_calls(scratch.path()), 1);
    assert!(
        repo.path()
            .join(".atlasgov-lint/bin/atlasgov-lint")
            .is_file()
    );
    assert!(out.contains("Findings by rule:"), "{out}");
    let quality: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join(reports["codequality"].as_str().unwrap()))
            .unwrap(),
    )
    .unwrap();
    let checks: Vec<&str> = quality
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["check_name"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["GOV003", "GOV002"], "{quality}");
    let junit =
        std::fs::read_to_string(repo.path().join(reports["junit"].as_str().unwrap())).unwrap();
    assert!(junit.contains("<failure"), "{junit}");

    // The cache holds the binary: the next run (a fresh checkout: no reports from the last one)
    // compiles nothing. A clean repository passes.
    for report in [&reports["codequality"], &reports["junit"]] {
        std::fs::remove_file(repo.path().join(report.as_str().unwrap())).unwrap();
    }
    std::fs::write(
        repo.path().join("specs/cluster.yaml"),
        CLUSTER
            .replace("EU_WEST_1", "US_GOV_WEST_1")
            .replace("M10", "M30"),
    )
    .unwrap();
    let (code, out) = run_gitlab(repo.path(), scratch.path(), &[("ATLASGOV_LINT_REV", REV)]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(cargo_calls(scratch.path()), 1);
    // The cached directory is not a spec tree: nothing in it was checked.
    assert!(out.contains("1 file checked"), "{out}");

    // Its variables reach the linter: a usage error fails the job with exit 2.
    let (code, out) = run_gitlab(
        repo.path(),
        scratch.path(),
        &[
            ("ATLASGOV_LINT_REV", REV),
            ("ATLASGOV_LINT_ARGS", "--select GOV02"),
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("did you mean GOV002"), "{out}");
}

// ---------------------------------------------------------------- the container recipe

#[test]
fn the_dockerfile_builds_a_static_binary_into_an_empty_image() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("Dockerfile")).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let froms: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    // The build stage uses the minimum Rust version on Alpine (musl: a static binary); the
    // final image is nothing but the binary.
    assert_eq!(
        froms,
        [
            format!("FROM rust:{}-alpine AS build", rust_version()).as_str(),
            "FROM scratch"
        ]
    );
    assert!(text.contains("cargo build --locked --release"));
    assert!(lines.contains(&"COPY --from=build /atlasgov-lint /atlasgov-lint"));
    assert!(lines.contains(&"USER 65534:65534"));
    assert!(lines.contains(&"WORKDIR /src"));
    let entrypoint: Vec<String> = json_array(&lines, "ENTRYPOINT ");
    let cmd: Vec<String> = json_array(&lines, "CMD ");
    assert_eq!(entrypoint, ["/atlasgov-lint"]);

    // `docker run -v "$PWD:/src" atlasgov-lint` runs the entry point with CMD in the mounted
    // repository: the same here, with the binary under test.
    let repo = fixture_repo();
    let o = Command::new(BIN)
        .args(&cmd)
        .current_dir(repo.path())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("specs/cluster.yaml:5:21"));

    // The build context keeps everything the build reads (include_str! reads rules/).
    let ignored: Vec<String> = std::fs::read_to_string(Path::new(ROOT).join(".dockerignore"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    assert!(ignored.contains(&"target".to_string()));
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "build/version.rs",
        "src/main.rs",
        "rules/GOV001-azure-provider.md",
    ] {
        assert!(Path::new(ROOT).join(needed).is_file(), "{needed}");
        for pattern in &ignored {
            let prefix = pattern.trim_end_matches('*');
            assert!(
                !(needed == pattern
                    || needed.starts_with(&format!("{pattern}/"))
                    || (pattern.ends_with('*') && needed.starts_with(prefix))),
                ".dockerignore `{pattern}` drops {needed}, which the build needs"
            );
        }
    }
}

fn json_array(lines: &[&str], instruction: &str) -> Vec<String> {
    let line = lines
        .iter()
        .find_map(|l| l.strip_prefix(instruction))
        .unwrap_or_else(|| panic!("no {instruction}"));
    serde_json::from_str(line).unwrap()
}

// ---------------------------------------------------------------- the docs point at them

#[test]
fn the_ci_docs_use_these_files() {
    let page = std::fs::read_to_string(Path::new(ROOT).join("docs/ci.md")).unwrap();
    assert!(
        page.contains("uses: atlasgov-lint/atlasgov-lint@"),
        "docs/ci.md: the Action"
    );
    assert!(
        page.contains("https://raw.githubusercontent.com/atlasgov-lint/atlasgov-lint/<commit>/ci/gitlab/atlasgov-lint.gitlab-ci.yml"),
        "docs/ci.md: the GitLab template"
    );
    assert!(
        page.contains("docker build -t atlasgov-lint ."),
        "docs/ci.md: the image"
    );
    // Every workflow snippet of the page is one valid YAML document.
    for block in page.split("```yaml\n").skip(1) {
        let body = block.split("```").next().unwrap();
        assert!(common::yaml(body).is_some(), "{body}");
    }
}
