//! `check`: the command line's way into [`crate::lint()`], and the outputs it writes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cli::{CheckArgs, ColorChoice, FailOn, Format};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, rule_list, usage_error};
use crate::config;
use crate::engine::{Options, ProjectRoot};
use crate::filter::BaselineMode;
use crate::filter::baseline_file::Baseline;
use crate::lint::{Inputs, Settings, lint};
use crate::outcome::{Buffer, Skipped};
use crate::paths;
use crate::report;
use crate::rules;
use crate::source;

/// The path argument that stands for standard input.
const STDIN_ARG: &str = "-";

pub(super) fn check(args: CheckArgs, stdout: &mut impl Write) -> i32 {
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
        (Some(p), _) => match Baseline::load(p, &cwd) {
            Ok(b) => BaselineMode::Compare(b),
            Err(e) => return usage_error(e),
        },
        (None, Some(p)) if p.exists() => match Baseline::load(p, &cwd) {
            Ok(existing) => BaselineMode::Write {
                existing,
                existed: true,
                allow_new: args.allow_new,
            },
            Err(e) => return usage_error(e),
        },
        (None, Some(p)) => BaselineMode::Write {
            existing: Baseline::empty(p, &cwd),
            existed: false,
            allow_new: args.allow_new,
        },
        (None, None) => BaselineMode::Off,
    };

    let project_root = match project_root(args.project_root.as_deref(), &paths, &cwd) {
        Ok(root) => root,
        Err(e) => return usage_error(e),
    };

    let options = Options {
        max_file_size: args.max_file_size,
        project_root,
        config,
        cwd: cwd.clone(),
        own_files: [&args.baseline, &args.write_baseline, &args.output]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        ..Options::default()
    };
    let mut buffers = Vec::new();
    let mut stdin_skipped = None;
    if stdin_args == 1 {
        let path = args
            .stdin_filename
            .unwrap_or_else(|| PathBuf::from(Buffer::STDIN_NAME));
        match source::read_to_limit(
            std::io::stdin().lock(),
            options.max_file_size,
            "standard input",
        ) {
            Ok(text) => buffers.push(Buffer { path, text }),
            Err(reason) => stdin_skipped = Some(Skipped { path, reason }),
        }
    }
    let settings = Settings {
        select,
        ignore,
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Error => rules::Severity::Error,
            FailOn::Warning => rules::Severity::Warning,
        }),
        baseline,
        ..Settings::new(options)
    };
    let checked = lint(&Inputs::Paths(paths), &buffers, &settings);
    let mut outcome = checked.outcome;
    outcome.skipped.extend(stdin_skipped);

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
            ascii: !super::terminal::unicode(|name| std::env::var_os(name)),
        };
        report::human::render_with(&outcome, style, &opts)
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => super::terminal::color(
            |name| std::env::var_os(name),
            std::io::stdout().is_terminal(),
        ),
    };
    // What the terminal gets instead of a human report: with --statistics, the counts.
    let terminal = |color: bool| {
        if args.statistics {
            report::statistics::render(&outcome, args.quiet, true)
        } else {
            human(color)
        }
    };
    let machine = |format: Format| -> String {
        match format {
            Format::Human => human(false),
            Format::Concise => report::concise::render(&outcome, !args.quiet),
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
            let _ = stdout.write_all(terminal(color).as_bytes());
        }
        None if args.format == Format::Human => {
            let _ = stdout.write_all(terminal(color).as_bytes());
        }
        None => {
            let _ = stdout.write_all(machine(args.format).as_bytes());
            if !args.quiet {
                for note in report::human::notes(&outcome) {
                    eprintln!("note: {note}");
                }
            }
            if args.statistics {
                eprint!(
                    "{}",
                    report::statistics::render(&outcome, args.quiet, false)
                );
            }
        }
    }
    let _ = stdout.flush();
    if crate::filter::fails(&outcome) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn write_report(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `--project-root`: a directory holding every path given; by default, each path's repository.
fn project_root(dir: Option<&Path>, paths: &[PathBuf], cwd: &Path) -> Result<ProjectRoot, String> {
    let Some(dir) = dir else {
        return Ok(ProjectRoot::Repository);
    };
    if !dir.is_dir() {
        return Err(format!(
            "--project-root: not a directory: {}",
            dir.display()
        ));
    }
    let root = paths::absolute(dir, cwd);
    if let Some(outside) = paths
        .iter()
        .find(|p| !paths::absolute(p, cwd).starts_with(&root))
    {
        return Err(format!(
            "--project-root: {} is not inside {}",
            outside.display(),
            dir.display()
        ));
    }
    Ok(ProjectRoot::Dir(dir.to_path_buf()))
}
