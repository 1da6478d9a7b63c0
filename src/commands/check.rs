//! `check`: the command line's way into [`crate::lint()`], and the outputs it writes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cli::{CheckArgs, ColorChoice, FailOn, Format};
use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, rule_list, usage_error};
use crate::config;
use crate::engine::{self, Options, ProjectRoot};
use crate::filter::BaselineMode;
use crate::filter::baseline_file::Baseline;
use crate::lint::{Inputs, Settings, lint};
use crate::outcome::{Buffer, Skipped};
use crate::paths;
use crate::report;
use crate::report::terminal;
use crate::rules;
use crate::source::{self, write, write::Target};

/// The path argument that stands for standard input.
const STDIN_ARG: &str = "-";

pub(super) fn check(args: CheckArgs, stdout: &mut impl Write) -> i32 {
    let stdin_args = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() == STDIN_ARG)
        .count();
    if stdin_args > 1 {
        return usage_error("`-` (standard input) can be given only once");
    }
    if stdin_args == 0 && args.stdin_filename.is_some() {
        return usage_error(
            "--stdin-filename names standard input, which is read only when `-` is among the paths",
        );
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
            usage_error(format!("path does not exist: {}", p.display()));
        }
        return EXIT_USAGE;
    }
    let cwd = std::env::current_dir().unwrap_or_default();

    let config_path = match &args.config {
        // Only a path that is not there at all is "not found": anything else there (a FIFO,
        // a directory, a device) is loaded and refused with its reason.
        Some(p) if p.symlink_metadata().is_err() => {
            return usage_error(format!("config file not found: {}", p.display()));
        }
        Some(p) => Some(p.clone()),
        None => config::discover(&cwd),
    };
    // Policies first: the config's rule references and --select may name their codes.
    let mut policy_paths: Vec<PathBuf> = config_path
        .as_deref()
        .map(|p| config::policy_paths(p, &cwd))
        .unwrap_or_default();
    policy_paths.extend(args.policies.iter().cloned());
    for p in &args.policies {
        if p.symlink_metadata().is_err() {
            return usage_error(format!("--policy: path does not exist: {}", p.display()));
        }
    }
    let (policies, mut policy_errors) = if policy_paths.is_empty() {
        (None, Vec::new())
    } else {
        let (set, errors) = crate::policy::load(&policy_paths);
        (Some(Arc::new(set)), errors)
    };
    let config = match config_path {
        Some(p) => match config::load(&p, &cwd) {
            Ok(c) => Some(Arc::new(c)),
            Err(errors) => {
                for e in &errors {
                    usage_error(e);
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
        // Whatever is there (a FIFO, a link to a device) is read, bounded, or refused.
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

    if let Some(output) = &args.output {
        let own = [
            ("the config file", config.as_ref().map(|c| c.path.as_path())),
            ("the baseline", args.baseline.as_deref()),
            ("the baseline", args.write_baseline.as_deref()),
        ];
        if let Err(e) = check_output_target(output, &paths, &own, args.max_file_size) {
            return usage_error(e);
        }
    }

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
        inventory: args.format == Format::Html,
        // Only these show a spec's text, which must come masked.
        secrets: matches!(args.format, Format::Human | Format::Html) || args.diff,
        // These show neither text nor fingerprints (read from the text under a finding):
        // only fixes need texts then, unless a baseline, fixes or a second report do.
        all_texts: !matches!(args.format, Format::Json | Format::Concise | Format::Junit)
            || args.baseline.is_some()
            || args.write_baseline.is_some()
            || args.fix
            || args.diff
            || args.output.is_some(),
        policies,
        context_cache: if args.no_cache {
            None
        } else {
            engine::default_cache_dir()
        },
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
    let html_meta =
        (args.format == Format::Html).then(|| html_meta(&paths, &buffers, &cwd, &settings));
    if args.unsafe_fixes && !args.fix && !args.diff {
        return usage_error("--unsafe-fixes applies with --fix or --diff");
    }
    let inputs = Inputs::Paths(paths);
    let checked = lint(&inputs, &buffers, &settings);
    let mut outcome = checked.outcome;
    let max_fix = super::fix::max(args.unsafe_fixes);
    if args.diff {
        let diff = super::fix::diff(outcome, &inputs, &buffers, &settings, max_fix);
        let empty = diff.is_empty();
        if let Err(e) = write_stdout(stdout, &diff.into()) {
            return usage_error(e);
        }
        return if empty { EXIT_OK } else { EXIT_FINDINGS };
    }
    let applied = args
        .fix
        .then(|| super::fix::apply(&mut outcome, &inputs, &buffers, &settings, max_fix));
    outcome.skipped.extend(stdin_skipped);
    policy_errors.append(&mut outcome.policy_errors);

    if let Some(w) = &outcome.filtered.written {
        if let Err(e) = write::write(&w.path, &w.text, Target::RegularFile) {
            return usage_error(format!("--write-baseline {}: {e}", w.path.display()));
        }
    }

    let human = |color: bool| {
        let style = report::human::Style { color, width: 100 };
        let opts = report::human::Options {
            quiet: args.quiet,
            show_suppressed: args.show_suppressed,
            ascii: !super::tty::unicode(|name| std::env::var_os(name)),
        };
        report::human::render_with(&outcome, style, &opts)
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => super::tty::color(
            |name| std::env::var_os(name),
            std::io::stdout().is_terminal(),
        ),
    };
    // What the terminal gets instead of a human report: with --statistics, the counts.
    let for_terminal = |color: bool| {
        if args.statistics {
            report::statistics::render(&outcome, args.quiet, true)
        } else {
            human(color)
        }
    };
    // The JSON reports in the parts their findings were written in on each thread: a large
    // report is not copied into one text to be written.
    let machine = |format: Format| -> report::pretty::Text {
        match format {
            Format::Human => human(false).into(),
            Format::Concise => report::concise::render(&outcome, !args.quiet).into(),
            Format::Json => report::json::render_text(&outcome, args.show_suppressed),
            Format::Sarif => report::sarif::render_text(&outcome, args.show_suppressed),
            Format::Github => report::github::render(&outcome).into(),
            Format::Gitlab => report::gitlab::render_text(&outcome),
            Format::Junit => report::junit::render(&outcome).into(),
            Format::Html => html_meta
                .as_ref()
                .map(|meta| report::html::render(&outcome, meta))
                .unwrap_or_default()
                .into(),
        }
    };
    // A report that could not be written in full is an error, whatever the findings: a CI
    // job must not pass on an empty or truncated report.
    let written = match &args.output {
        Some(path) => write::write(path, &machine(args.format).into_string(), Target::AnyFile)
            .map_err(|e| format!("--output {}: {e}", path.display()))
            .and_then(|()| write_stdout(stdout, &for_terminal(color).into())),
        None if args.format == Format::Human => write_stdout(stdout, &for_terminal(color).into()),
        None => write_stdout(stdout, &machine(args.format)).map(|()| {
            if !args.quiet {
                for note in report::human::notes(&outcome) {
                    super::eprint(format_args!("note: {}\n", terminal::line(&note)));
                }
            }
            if args.statistics {
                super::eprint(format_args!(
                    "{}",
                    report::statistics::render(&outcome, args.quiet, false)
                ));
            }
        }),
    };
    if let Err(e) = written {
        return usage_error(e);
    }
    if let Some(applied) = applied {
        for note in &applied.notes {
            super::eprint(format_args!("note: {}\n", terminal::line(note)));
        }
        if !args.quiet {
            super::eprint(format_args!("{}\n", applied.summary()));
        }
    }
    // A broken policy breaks the configuration: the built-in rules' report is written above,
    // and the run says it is not to be trusted as a pass.
    if !policy_errors.is_empty() {
        for e in &policy_errors {
            usage_error(format!("policy: {e}"));
        }
        return EXIT_USAGE;
    }
    let code = if crate::filter::fails(&outcome) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    super::done_with(outcome);
    code
}

/// A report (in one part or several: see [`report::pretty::Text`]) to standard output.
fn write_stdout(stdout: &mut impl Write, text: &report::pretty::Text) -> Result<(), String> {
    text.write_to(stdout)
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to standard output: {e}"))
}

/// `--output` may not overwrite a file the run reads: the config, the baseline, or a file
/// being checked (named, or found under a directory given) unless it is a report this tool
/// wrote before (JSON, SARIF or GitLab: a file with a spec's extension, left by a previous
/// run). `--write-baseline` has the same protection by reading the file as a baseline first.
fn check_output_target(
    output: &Path,
    paths: &[PathBuf],
    own: &[(&str, Option<&Path>)],
    max_file_size: u64,
) -> Result<(), String> {
    let Ok(target) = std::fs::canonicalize(output) else {
        return Ok(()); // not there yet (or a broken link, which is created): nothing to lose
    };
    let same = |p: &Path| std::fs::canonicalize(p).is_ok_and(|p| p == target);
    let shown = output.display();
    if let Some((what, _)) = own.iter().find(|(_, p)| p.is_some_and(same)) {
        return Err(format!(
            "--output {shown} is {what}: it would be overwritten"
        ));
    }
    let named = paths.iter().any(|p| same(p));
    let walked = || {
        let under = paths.iter().any(|p| {
            p.is_dir() && std::fs::canonicalize(p).is_ok_and(|dir| target.starts_with(dir))
        });
        under
            && source::walk::collect(paths)
                .0
                .iter()
                .any(|input| input.path.file_name() == target.file_name() && same(&input.path))
    };
    if !named && !walked() {
        return Ok(());
    }
    let previous = source::read(output, max_file_size);
    if previous.is_ok_and(|text| text.trim().is_empty() || crate::outcome::is_report(&text)) {
        return Ok(());
    }
    Err(format!(
        "--output {shown} is one of the files being checked: it would be overwritten; write the report elsewhere"
    ))
}

/// What the HTML report says about the run: the date, the paths given, the commit of each git
/// repository holding one (read from `.git`).
fn html_meta(
    paths: &[PathBuf],
    buffers: &[Buffer],
    cwd: &Path,
    settings: &Settings,
) -> report::html::Meta {
    let given: Vec<PathBuf> = paths
        .iter()
        .cloned()
        .chain(buffers.iter().map(|b| b.path.clone()))
        .collect();
    let mut commits: Vec<report::html::Commit> = Vec::new();
    for c in paths.iter().filter_map(|p| super::git::commit_of(p, cwd)) {
        if !commits.iter().any(|k| k.root == c.root) {
            commits.push(c);
        }
    }
    report::html::Meta {
        date: settings.today,
        paths: given,
        commits,
    }
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
