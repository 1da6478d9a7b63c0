//! Adopting the linter, through the real binary: reading a large run (`--format concise`,
//! `--statistics`, the by-rule table), suggestions for misspelled rules, the linter's own files
//! never checked as specs, help wrapped to the terminal, ASCII drawing where Unicode cannot be
//! shown, shell completions and manual pages.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"));
    for var in ["NO_COLOR", "TERM", "LANG", "LC_ALL", "LC_CTYPE", "COLUMNS"] {
        cmd.env_remove(var);
    }
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().args(args).current_dir(dir).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A repository (`.git`, so no config above it is found) with one gov project and a cluster
/// holding `m10s` M10 region configs (one GOV002 each) and one region AtlasGov does not offer
/// (GOV003).
fn repo(m10s: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let mut cluster = String::from("name: ledger\nreplicationSpecs:\n  - regionConfigs:\n");
    cluster.push_str("      - providerName: AWS\n        regionName: EU_WEST_1\n");
    for _ in 0..m10s {
        cluster.push_str(
            "      - providerName: AWS\n        regionName: US_EAST_1\n        electableSpecs: { instanceSize: M10 }\n",
        );
    }
    std::fs::create_dir(dir.path().join("specs")).unwrap();
    std::fs::write(dir.path().join("specs/cluster.yaml"), cluster).unwrap();
    std::fs::write(
        dir.path().join("specs/other.yaml"),
        "name: other\nreplicationSpecs:\n  - regionConfigs:\n      - {providerName: AZURE, regionName: US_GOV_EAST_1}\n",
    )
    .unwrap();
    dir
}

// ---------------------------------------------------------------- reading a large run

#[test]
fn concise_is_one_line_per_finding_then_the_summary() {
    let dir = repo(2);
    let o = run_in(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "specs/cluster.yaml:5:21: GOV003 region-not-in-atlasgov: region `EU_WEST_1` (AWS) is not offered by AtlasGov\n\
         specs/cluster.yaml:8:41: GOV002 tier-below-m20: electable instance size `M10` is below M20, which AtlasGov does not offer\n\
         specs/cluster.yaml:11:41: GOV002 tier-below-m20: electable instance size `M10` is below M20, which AtlasGov does not offer\n\
         specs/other.yaml:4:24: GOV001 azure-provider: cloud provider `AZURE` is not available in AtlasGov\n\
         4 errors, 0 warnings in 2 files; 2 files checked; 2 fixable with --fix --unsafe-fixes\n"
    );
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    // --quiet: the findings only, what grep and problem matchers want.
    let quiet = run_in(dir.path(), &["check", "--format", "concise", "-q"]);
    assert_eq!(stdout(&quiet).lines().count(), 4);
    assert!(stdout(&quiet).lines().all(|l| l.starts_with("specs/")));
    // As a report file, with the human report on the terminal.
    let o = run_in(
        dir.path(),
        &["check", "--format", "concise", "-o", "lint.txt"],
    );
    let file = std::fs::read_to_string(dir.path().join("lint.txt")).unwrap();
    assert!(
        file.starts_with("specs/cluster.yaml:5:21: GOV003"),
        "{file}"
    );
    assert!(stdout(&o).contains("GOV003 region-not-in-atlasgov\n"));
}

#[test]
fn concise_lines_never_break() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join("c.json"),
        "{\"name\": \"x\", \"replicationSpecs\": [{\"regionConfigs\": [{\"providerName\": \"AWS\", \"regionName\": \"EU\\n\\u001b[31mX\"}]}]}",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "--format", "concise", "-q"]);
    let text = stdout(&o);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    for line in text.lines() {
        assert!(line.starts_with("c.json:1:"), "{text:?}");
    }
}

#[test]
fn statistics_count_by_rule_and_by_file() {
    let dir = repo(3);
    let o = run_in(dir.path(), &["check", "--statistics"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "Findings by rule:\n    \
         3  GOV002  tier-below-m20                      error\n    \
         1  GOV001  azure-provider                      error\n    \
         1  GOV003  region-not-in-atlasgov              error\n\
         \n\
         Findings by file:\n    \
         4  specs/cluster.yaml  GOV002, GOV003\n    \
         1  specs/other.yaml    GOV001\n\
         \n\
         5 errors, 0 warnings in 2 files; 2 files checked; 3 fixable with --fix --unsafe-fixes\n"
    );
    // A level set per file mixes severities within a rule.
    std::fs::write(
        dir.path().join(".atlasgov-lint.yaml"),
        "overrides:\n  - files: [other.yaml]\n    rules: {GOV001: warning}\n  - files: [cluster.yaml]\n    rules: {GOV003: warning}\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "--statistics", "--select", "GOV003"]);
    assert!(
        stdout(&o).contains("    1  GOV003  region-not-in-atlasgov              warning\n"),
        "{}",
        stdout(&o)
    );
    // With another format on standard output, the counts go to standard error.
    let o = run_in(dir.path(), &["check", "--statistics", "--format", "github"]);
    assert!(stdout(&o).starts_with("::"), "{}", stdout(&o));
    assert!(
        stderr(&o).starts_with("Findings by rule:\n"),
        "{}",
        stderr(&o)
    );
    // Nothing found: the summary alone.
    let o = run_in(dir.path(), &["check", "--statistics", "--select", "GOV005"]);
    assert_eq!(stdout(&o), "No problems found; 2 files checked\n");
}

#[test]
fn a_large_human_report_ends_with_the_by_rule_table() {
    let table = "Findings by rule:\n   24  GOV002  tier-below-m20";
    let o = run_in(repo(24).path(), &["check", "--color", "never"]);
    let text = stdout(&o);
    let at = text.find(table).unwrap_or_else(|| panic!("{text}"));
    assert!(
        text[at..].ends_with(
            "26 errors, 0 warnings in 2 files; 2 files checked; 24 fixable with --fix --unsafe-fixes\n"
        ),
        "{text}"
    );
    // 20 findings or fewer: no table; --quiet: never.
    let o = run_in(repo(18).path(), &["check", "--color", "never"]);
    assert!(!stdout(&o).contains("Findings by rule:"));
    let o = run_in(repo(24).path(), &["check", "--quiet"]);
    assert!(!stdout(&o).contains("Findings by rule:"));
}

// ---------------------------------------------------------------- suggestions

#[test]
fn misspelled_rules_get_a_suggestion_everywhere() {
    let dir = repo(1);
    let cases: &[(&[&str], &str)] = &[
        (
            &["explain", "azure"],
            "error: no rule `azure`; did you mean GOV001 azure-provider? `atlasgov-lint rules` lists the codes and names\n",
        ),
        (
            &["check", "--ignore", "tier-below-m2"],
            "error: --ignore: unknown rule `tier-below-m2`; did you mean GOV002 tier-below-m20? `atlasgov-lint rules` lists the codes and names\n",
        ),
        (
            &["check", "--select", "GOV02"],
            "error: --select: unknown rule `GOV02`; did you mean GOV002 tier-below-m20? `atlasgov-lint rules` lists the codes and names\n",
        ),
        (
            &["check", "--select", "kubernetes"],
            "error: --select: unknown rule `kubernetes`; `atlasgov-lint rules` lists the codes and names\n",
        ),
    ];
    for (args, expected) in cases {
        let o = run_in(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o), *expected, "{args:?}");
    }
    std::fs::write(
        dir.path().join("lint.yaml"),
        "rules:\n  partiton-mismatch: off\n  GOV004: warn\nexlude: [x]\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "--config", "lint.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: lint.yaml:2:3: unknown rule `partiton-mismatch`; did you mean GOV004 partition-mismatch? `atlasgov-lint rules` lists the codes and names\n\
         error: lint.yaml:3:11: `warn` is not a level for GOV004; did you mean `warning`? valid levels: off, warning, error\n\
         error: lint.yaml:4:1: unknown key `exlude`; did you mean `exclude`? valid keys: rules, exclude, overrides, default-region-usage, fail-on, unsuppressible, exceptions, policies\n"
    );
}

#[test]
fn suppression_comments_get_a_suggestion_and_their_own_completion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        "name: ledger\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AWS\n        \
         regionName: EU_WEST_1 # atlasgov-lint: allow GOV03 -- DR copy, SEC-1\n        \
         electableSpecs: { instanceSize: M10 } # atlasgov-lint: allow tier-below-m20 until 2099-01-01 --\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let help = |code: &str| -> String {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .unwrap_or_else(|| panic!("{code}: {v}"))["help"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        help("GOV103"),
        "did you mean GOV003 region-not-in-atlasgov? `atlasgov-lint rules` lists the codes and names"
    );
    assert_eq!(
        help("GOV101"),
        "add the reason after ` -- `: `# atlasgov-lint: allow tier-below-m20 until 2099-01-01 -- <who approved it, the ticket>`"
    );
}

#[test]
fn explain_quotes_the_atlasgov_documentation_without_a_seed_label() {
    let o = run_in(Path::new("."), &["explain", "GOV002"]);
    let doc = stdout(&o);
    assert!(!doc.contains("Seed"), "{doc}");
    assert!(
        doc.contains("\nAtlasGov documentation: \"AtlasGov clusters must be tier M20 or higher."),
        "{doc}"
    );
}

// ---------------------------------------------------------------- the linter's own files

#[test]
fn baseline_and_config_files_are_never_checked_as_specs() {
    let dir = repo(1);
    let o = run_in(
        dir.path(),
        &["check", "--write-baseline", ".atlasgov-baseline.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Later runs, without the flag: the baseline is not one of the files checked.
    let o = run_in(dir.path(), &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["files_checked"], 2, "{v}");
    // A config under another name, given with --config, is not checked either.
    std::fs::write(dir.path().join("ci-lint.yaml"), "fail-on: error\n").unwrap();
    let o = run_in(
        dir.path(),
        &["check", "--format", "json", "--config", "ci-lint.yaml"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["files_checked"], 2, "{v}");
}

#[test]
fn a_baseline_of_another_version_says_so() {
    let dir = repo(1);
    for text in ["{\"version\": 2}", "{\"version\": 2, \"entries\": []}"] {
        std::fs::write(dir.path().join("b.json"), text).unwrap();
        let o = run_in(dir.path(), &["check", "--baseline", "b.json"]);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            stderr(&o),
            "error: b.json: unsupported baseline version 2 (this atlasgov-lint reads version 1); upgrade atlasgov-lint, or delete the file and write a new baseline with --write-baseline (which keeps only a baseline it can read)\n"
        );
    }
}

// ---------------------------------------------------------------- terminals

#[test]
fn help_is_wrapped_to_the_terminal() {
    let widest = |o: &Output| stdout(o).lines().map(|l| l.chars().count()).max().unwrap();
    for args in [&["--help"][..], &["check", "--help"]] {
        let o = bin().args(args).env("COLUMNS", "80").output().unwrap();
        assert_eq!(o.status.code(), Some(0));
        assert!(widest(&o) <= 80, "{}", stdout(&o));
        // Not a terminal and no COLUMNS: clap's 100 columns.
        let o = bin().args(args).output().unwrap();
        assert!(widest(&o) <= 100, "{}", stdout(&o));
    }
}

#[test]
fn plain_ascii_where_unicode_cannot_be_shown() {
    let dir = repo(1);
    let drawing = |env: &[(&str, &str)]| {
        let mut cmd = bin();
        cmd.args(["check", "--color", "never"])
            .current_dir(dir.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        stdout(&cmd.output().unwrap())
    };
    let unicode = drawing(&[("LANG", "en_US.UTF-8")]);
    assert!(unicode.contains('╭'), "{unicode}");
    for env in [
        &[("TERM", "dumb"), ("LANG", "en_US.UTF-8")][..],
        &[("LANG", "C")],
        &[("LC_ALL", "en_US.ISO-8859-1"), ("LANG", "en_US.UTF-8")],
    ] {
        let text = drawing(env);
        assert!(text.is_ascii(), "{env:?}: {text}");
        assert!(
            text.contains(",-[specs/cluster.yaml:5:21]"),
            "{env:?}: {text}"
        );
    }
    // TERM=dumb also means no colour, unless asked for.
    let o = bin()
        .args(["check", "--color", "auto"])
        .current_dir(dir.path())
        .env("TERM", "dumb")
        .output()
        .unwrap();
    assert!(!stdout(&o).contains('\u{1b}'));
}

// ---------------------------------------------------------------- completions and man pages

#[test]
fn completions_for_each_shell() {
    for (shell, marker, checker) in [
        ("bash", "complete -F _atlasgov__lint", Some(("bash", "-n"))),
        ("zsh", "#compdef atlasgov-lint", Some(("zsh", "-n"))),
        (
            "fish",
            "complete -c atlasgov-lint",
            Some(("fish", "--no-execute")),
        ),
        ("powershell", "Register-ArgumentCompleter", None),
        (
            "elvish",
            "edit:completion:arg-completer[atlasgov-lint]",
            None,
        ),
    ] {
        let o = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["check", "explain", "statistics", "completions"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
        // The shell itself reads the script, where it is installed.
        if let Some((program, flag)) = checker {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), &script).unwrap();
            if let Ok(check) = Command::new(program).arg(flag).arg(file.path()).output() {
                assert!(check.status.success(), "{shell}: {}", stderr(&check));
            }
        }
    }
    let o = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_pages_for_the_program_and_each_command() {
    let o = bin().arg("man").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(page.contains(".TH atlasgov-lint 1 "), "{page}");
    for command in ["check", "rules", "explain", "server", "completions", "man"] {
        assert!(
            page.contains(&format!("atlasgov\\-lint\\-{command}(1)")),
            "{command}: {page}"
        );
    }
    let o = bin().args(["man", "check"]).output().unwrap();
    let page = stdout(&o);
    assert!(page.contains(".TH atlasgov-lint-check 1 "), "{page}");
    for option in [
        "\\-\\-statistics",
        "\\-\\-format",
        "concise",
        "\\-\\-baseline",
    ] {
        assert!(page.contains(option), "{option}: {page}");
    }
    let o = bin().args(["man", "chekc"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no command `chekc`"), "{}", stderr(&o));
}
