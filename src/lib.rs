//! atlasgov-lint: check MongoDB Atlas specs against Atlas for Government constraints.
//!
//! The pipeline runs one way: files → documents ([`document`]) → format adapters
//! ([`adapters`]) → the normalized model ([`model`]) → rules ([`rules`]) → reporters
//! ([`report`]). [`app`] wires it together; [`run`] is the command line.

pub mod adapters;
pub mod app;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod date;
pub mod document;
pub mod filter;
pub mod fingerprint;
pub mod meta;
pub mod model;
pub mod redact;
pub mod report;
pub mod rules;
pub mod server;
pub mod suppress;
pub mod walk;

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Parser;

use cli::{CheckArgs, Cli, ColorChoice, Command, FailOn, Format};

/// Exit code: no error-level finding.
pub const EXIT_OK: i32 = 0;
/// Exit code: at least one error-level finding.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage error, or a path given on the command line that does not exist.
pub const EXIT_USAGE: i32 = 2;

/// Run the command line; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Check(args) => check(args, &mut stdout),
        Command::Rules { all } => {
            let _ = stdout.write_all(rules_table(all).as_bytes());
            EXIT_OK
        }
        Command::Server { .. } => server::run(server_options()),
        Command::Explain { rule } => match meta::lookup(&rule) {
            Some(r) => {
                let _ = stdout.write_all(r.meta.doc.as_bytes());
                EXIT_OK
            }
            None => {
                eprintln!("error: no rule `{rule}`; `atlasgov-lint rules` lists them");
                EXIT_USAGE
            }
        },
    }
}

/// The `rules` table; with `all`, followed by the constraints no rule can check.
pub fn rules_table(all: bool) -> String {
    let mut out = format!(
        "{:<8} {:<35} {:<8} {}\n",
        "CODE", "NAME", "SEVERITY", "SUMMARY"
    );
    for r in rules::ALL {
        let m = &r.meta;
        out.push_str(&format!(
            "{:<8} {:<35} {:<8} {}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary
        ));
    }
    out.push_str("\nDiagnostics about suppressions (never suppressible):\n");
    for r in meta::META {
        let m = &r.meta;
        out.push_str(&format!(
            "{:<8} {:<35} {:<8} {}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.summary
        ));
    }
    if all {
        out.push_str("\nNot checked (no spec can show these):\n");
        for (constraint, why) in rules::NOT_COVERED {
            out.push_str(&format!("- {constraint}\n    {why}\n"));
        }
    }
    out
}

fn usage_error(message: impl std::fmt::Display) -> i32 {
    eprintln!("error: {message}");
    EXIT_USAGE
}

/// Resolve `--select`/`--ignore` names to rules.
fn rule_list(names: &[String], flag: &str) -> Result<Vec<&'static rules::RuleMeta>, String> {
    let mut out = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match meta::lookup(name) {
            Some(r) => out.push(&r.meta),
            None => {
                return Err(format!(
                    "{flag}: unknown rule `{name}`; `atlasgov-lint rules` lists the codes and names"
                ));
            }
        }
    }
    Ok(out)
}

/// The path argument that stands for standard input.
const STDIN_ARG: &str = "-";
/// The name standard input has in output when `--stdin-filename` does not give one.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// Read standard input as text, within the size limit. Errors are the reason it is skipped.
fn read_stdin(limit: u64) -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(format!(
            "standard input is larger than the {limit}-byte limit (--max-file-size)"
        ));
    }
    app::decode(bytes)
}

fn check(args: CheckArgs, stdout: &mut impl Write) -> i32 {
    let stdin_args = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() == STDIN_ARG)
        .count();
    if stdin_args > 1 {
        eprintln!("error: `-` (standard input) can be given only once");
        return EXIT_USAGE;
    }
    if stdin_args == 0 && args.stdin_filename.is_some() {
        eprintln!(
            "error: --stdin-filename names standard input, which is read only when `-` is among the paths"
        );
        return EXIT_USAGE;
    }
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
            .into_iter()
            .filter(|p| p.as_os_str() != STDIN_ARG)
            .collect()
    };
    let missing: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| std::fs::symlink_metadata(p).is_err())
        .collect();
    if !missing.is_empty() {
        for p in missing {
            eprintln!("error: path does not exist: {}", p.display());
        }
        return EXIT_USAGE;
    }
    let cwd = std::env::current_dir().unwrap_or_default();

    let config_path = match &args.config {
        Some(p) if !p.is_file() => {
            return usage_error(format!("config file not found: {}", p.display()));
        }
        Some(p) => Some(p.clone()),
        None => config::discover(&cwd),
    };
    let config = match config_path {
        Some(p) => match config::load(&p, &cwd) {
            Ok(c) => Some(Arc::new(c)),
            Err(errors) => {
                for e in &errors {
                    eprintln!("error: {e}");
                }
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let select = match rule_list(&args.select, "--select") {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    let ignore = match rule_list(&args.ignore, "--ignore") {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    if let Some(r) = ignore
        .iter()
        .find(|r| r.code == rules::INVALID_SPEC.meta.code)
    {
        return usage_error(format!(
            "--ignore: {} cannot be turned off: a file that does not parse was not checked at all",
            r.code
        ));
    }
    let baseline = match (&args.baseline, &args.write_baseline) {
        (Some(p), _) => match baseline::Baseline::load(p, &cwd) {
            Ok(b) => filter::BaselineMode::Compare(b),
            Err(e) => return usage_error(e),
        },
        (None, Some(p)) if p.exists() => match baseline::Baseline::load(p, &cwd) {
            Ok(existing) => filter::BaselineMode::Write {
                existing,
                existed: true,
                allow_new: args.allow_new,
            },
            Err(e) => return usage_error(e),
        },
        (None, Some(p)) => filter::BaselineMode::Write {
            existing: baseline::Baseline::empty(p, &cwd),
            existed: false,
            allow_new: args.allow_new,
        },
        (None, None) => filter::BaselineMode::Off,
    };

    let project_root = match project_root(args.project_root.as_deref(), &paths, &cwd) {
        Ok(root) => root,
        Err(e) => return usage_error(e),
    };

    let options = app::Options {
        max_file_size: args.max_file_size,
        project_root,
        config: config.clone(),
        cwd: cwd.clone(),
        own_files: [&args.baseline, &args.write_baseline, &args.output]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        ..app::Options::default()
    };
    let mut buffers = Vec::new();
    let mut stdin_skipped = None;
    if stdin_args == 1 {
        let path = args
            .stdin_filename
            .unwrap_or_else(|| PathBuf::from(STDIN_NAME));
        match read_stdin(options.max_file_size) {
            Ok(text) => buffers.push(app::Buffer { path, text }),
            Err(reason) => stdin_skipped = Some(app::Skipped { path, reason }),
        }
    }
    let mut outcome = app::check_paths_and_buffers(&paths, &buffers, &options);
    outcome.skipped.extend(stdin_skipped);
    // Snippets of standard input come from the text read, not from a file of that name.
    // (The config file, when there is one, comes after the buffers.)
    let first_buffer = outcome
        .files
        .len()
        .saturating_sub(buffers.len() + usize::from(outcome.config_file.is_some()));
    let sources: HashMap<u32, String> = buffers
        .into_iter()
        .enumerate()
        .map(|(j, b)| (u32::try_from(first_buffer + j).unwrap_or(u32::MAX), b.text))
        .collect();
    let settings = filter::Settings {
        config: config.as_deref(),
        select: &select,
        ignore: &ignore,
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Error => rules::Severity::Error,
            FailOn::Warning => rules::Severity::Warning,
        }),
        today: date::today_utc(),
        cwd: &cwd,
        baseline,
    };
    filter::apply(&mut outcome, &settings);

    if let Some(w) = &outcome.filtered.written {
        if let Err(e) = std::fs::write(&w.path, &w.text) {
            return usage_error(format!("cannot write baseline {}: {e}", w.path.display()));
        }
    }

    let human = |color: bool| {
        let style = report::human::Style { color, width: 100 };
        let opts = report::human::Options {
            quiet: args.quiet,
            show_suppressed: args.show_suppressed,
        };
        report::human::render_with(&outcome, style, &sources, &opts)
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let machine = |format: Format| -> String {
        match format {
            Format::Human => human(false),
            Format::Json => report::json::render_with(&outcome, args.show_suppressed),
            Format::Sarif => report::sarif::render(&outcome, args.show_suppressed),
            Format::Github => report::github::render(&outcome),
            Format::Gitlab => report::gitlab::render(&outcome),
            Format::Junit => report::junit::render(&outcome),
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = write_report(path, &machine(args.format)) {
                return usage_error(e);
            }
            let _ = stdout.write_all(human(color).as_bytes());
        }
        None if args.format == Format::Human => {
            let _ = stdout.write_all(human(color).as_bytes());
        }
        None => {
            let _ = stdout.write_all(machine(args.format).as_bytes());
            if !args.quiet {
                for note in report::human::notes(&outcome) {
                    eprintln!("note: {note}");
                }
            }
        }
    }
    let _ = stdout.flush();
    if filter::fails(&outcome) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn write_report(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `--project-root`: a directory holding every path given; by default, each path's repository.
fn project_root(
    dir: Option<&Path>,
    paths: &[PathBuf],
    cwd: &Path,
) -> Result<app::ProjectRoot, String> {
    let Some(dir) = dir else {
        return Ok(app::ProjectRoot::Repository);
    };
    if !dir.is_dir() {
        return Err(format!(
            "--project-root: not a directory: {}",
            dir.display()
        ));
    }
    let root = walk::absolute(dir, cwd);
    if let Some(outside) = paths
        .iter()
        .find(|p| !walk::absolute(p, cwd).starts_with(&root))
    {
        return Err(format!(
            "--project-root: {} is not inside {}",
            outside.display(),
            dir.display()
        ));
    }
    Ok(app::ProjectRoot::Dir(dir.to_path_buf()))
}

/// The language server's settings: the defaults; the config is found per document.
fn server_options() -> app::Options {
    app::Options::default()
}
