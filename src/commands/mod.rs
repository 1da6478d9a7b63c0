//! The commands: `check`, `rules`, `explain`, `server`. Each is a thin caller of the library:
//! `check` and `server` go through [`crate::lint()`].

mod check;
pub mod cli;
mod fix;
mod generate;
mod git;
mod tty;

use std::io::Write;

use clap::Parser;

use crate::engine::Options;
use crate::rules;
use cli::{Cli, Command};

/// Exit code: no error-level finding.
pub const EXIT_OK: i32 = 0;
/// Exit code: at least one error-level finding.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage error, or a path given on the command line that does not exist.
pub const EXIT_USAGE: i32 = 2;

/// Set by [`main`]: the process ends when the command returns.
static PROCESS_ENDS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Run the command line as the process, and end it with the exit code. A large run's results
/// (tens of thousands of findings and their texts) are then not freed one by one: the
/// process's memory goes back to the system at once.
pub fn main(args: impl IntoIterator<Item = std::ffi::OsString>) -> ! {
    PROCESS_ENDS.store(true, std::sync::atomic::Ordering::Relaxed);
    std::process::exit(run(args))
}

/// What a command is done with: freed, unless the process ends next ([`main`]).
fn done_with<T>(value: T) {
    if PROCESS_ENDS.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(value);
    }
}

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
        Command::Check(args) => check::check(args, &mut stdout),
        Command::Rules { all, policies } => {
            let broken = load_policies(&policies);
            match write_out(&mut stdout, &rules_table(all)) {
                EXIT_OK if broken => EXIT_USAGE,
                code => code,
            }
        }
        Command::Model { paths } => model(paths, &mut stdout),
        Command::Test { path } => test(&path, &mut stdout),
        Command::Server { no_watch, .. } => crate::server::run(Options::default(), !no_watch),
        Command::Completions { shell } => generate::completions(shell, &mut stdout),
        Command::Man { command } => generate::man(command.as_deref(), &mut stdout),
        Command::Explain { rule, policies } => match (load_policies(&policies), rules::find(&rule))
        {
            (_, Some(r)) => write_out(&mut stdout, r.meta.doc),
            (broken, None) => {
                let code = usage_error(format!(
                    "no rule `{rule}`; {}",
                    rules::suggest::unknown_rule_help(&rule)
                ));
                if broken { EXIT_USAGE } else { code }
            }
        },
    }
}

/// For `rules` and `explain`: load the policies the config names (found as `check` finds
/// it) and `--policy` gives, so that their rules are listed; true when one is broken (each
/// problem is printed).
fn load_policies(extra: &[std::path::PathBuf]) -> bool {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut paths: Vec<std::path::PathBuf> = crate::config::discover(&cwd)
        .map(|c| crate::config::policy_paths(&c, &cwd))
        .unwrap_or_default();
    paths.extend(extra.iter().cloned());
    if paths.is_empty() {
        return false;
    }
    let (_, errors) = crate::policy::load(&paths);
    for e in &errors {
        usage_error(format!("policy: {e}"));
    }
    !errors.is_empty()
}

/// `model`: the linked model of the paths as JSON.
fn model(paths: Vec<std::path::PathBuf>, stdout: &mut impl Write) -> i32 {
    let paths = if paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        paths
    };
    if let Some(p) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        return usage_error(format!("path does not exist: {}", p.display()));
    }
    let options = Options {
        model: true,
        ..Options::default()
    };
    let outcome = crate::engine::check_paths(&paths, &options);
    // What the model leaves out, said where it does not mix with the JSON: a file that was
    // not read, or that does not parse.
    let mut notes = String::new();
    for s in &outcome.skipped {
        notes.push_str(&format!(
            "note: not in the model: {}: {}\n",
            crate::report::terminal::line(&crate::paths::display_path(&s.path)),
            crate::report::terminal::line(&s.reason)
        ));
    }
    for f in outcome
        .findings
        .iter()
        .filter(|f| f.rule.code == crate::rules::INVALID_SPEC.meta.code)
    {
        let path = outcome
            .files
            .get(f.loc.file as usize)
            .map(|s| crate::paths::display_path(&s.path))
            .unwrap_or_default();
        notes.push_str(&format!(
            "warning: not in the model: {}:{}:{}: {}\n",
            crate::report::terminal::line(&path),
            f.loc.start.line,
            f.loc.start.column,
            crate::report::terminal::line(&f.message)
        ));
    }
    if !notes.is_empty() {
        let _ = std::io::stderr().write_all(notes.as_bytes());
    }
    let doc = outcome.model.unwrap_or(serde_json::Value::Null);
    // Escaped as the reports are: a spec's value may hold characters a terminal acts on.
    write_out(stdout, &(crate::report::pretty::text(&doc) + "\n"))
}

/// `test`: run the policies' `test_*` rules; exit 1 when one fails, 2 when they do not compile.
fn test(path: &std::path::Path, stdout: &mut impl Write) -> i32 {
    if std::fs::symlink_metadata(path).is_err() {
        return usage_error(format!("path does not exist: {}", path.display()));
    }
    let cases = match crate::policy::test::run(path) {
        Ok(cases) => cases,
        Err(errors) => {
            for e in &errors {
                usage_error(format!("policy: {e}"));
            }
            return EXIT_USAGE;
        }
    };
    let mut out = String::new();
    let mut failed = 0;
    for c in &cases {
        let at = format!("{}:{}", crate::paths::display_path(&c.file), c.line);
        match &c.verdict {
            crate::policy::test::Verdict::Pass => {
                out.push_str(&format!("PASS {} ({at})\n", c.name))
            }
            crate::policy::test::Verdict::Fail => {
                failed += 1;
                out.push_str(&format!("FAIL {} ({at})\n", c.name));
            }
            crate::policy::test::Verdict::Error(e) => {
                failed += 1;
                out.push_str(&format!("ERROR {} ({at}): {e}\n", c.name));
            }
        }
    }
    out.push_str(&format!(
        "{} tests, {} passed, {failed} failed\n",
        cases.len(),
        cases.len() - failed
    ));
    match write_out(stdout, &out) {
        EXIT_OK if failed > 0 || cases.is_empty() => EXIT_FINDINGS,
        code => code,
    }
}

/// Print `text`: exit 0, or 2 when standard output cannot take it.
fn write_out(stdout: &mut impl Write, text: &str) -> i32 {
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => EXIT_OK,
        Err(e) => usage_error(format!("cannot write to standard output: {e}")),
    }
}

/// The `rules` table; with `all`, followed by the constraints no rule can check.
pub fn rules_table(all: bool) -> String {
    let row = |code: &str, name: &str, severity: &str, summary: &str| {
        format!("{code:<8} {name:<35} {severity:<8} {summary}\n")
    };
    let rows = |list: &[&rules::Rule]| -> String {
        list.iter()
            .map(|r| {
                let m = &r.meta;
                row(m.code, m.name, m.severity.as_str(), m.summary)
            })
            .collect()
    };
    let mut out = row("CODE", "NAME", "SEVERITY", "SUMMARY");
    out.push_str(&rows(rules::ALL));
    out.push_str("\nDiagnostics about suppressions (never suppressible):\n");
    out.push_str(&rows(rules::suppression::RULES));
    let custom = rules::custom::all();
    if !custom.is_empty() {
        out.push_str("\nPolicy rules (loaded from Rego policies):\n");
        out.push_str(&rows(&custom));
    }
    if all {
        out.push_str("\nNot checked (no spec can show these):\n");
        for (constraint, why) in rules::NOT_COVERED {
            out.push_str(&format!("- {constraint}\n    {why}\n"));
        }
    }
    out
}

/// An error (exit 2), its message shown as one line on a terminal (it may quote a path or a
/// config value).
pub(crate) fn usage_error(message: impl std::fmt::Display) -> i32 {
    let message = message.to_string();
    eprint(format_args!(
        "error: {}\n",
        crate::report::terminal::line(&message)
    ));
    EXIT_USAGE
}

/// Write to standard error; unlike `eprintln!`, a standard error that cannot be written to
/// (closed, a full disk) is not a panic.
pub(crate) fn eprint(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().write_fmt(args);
}

/// Resolve `--select`/`--ignore` names to rules.
pub(crate) fn rule_list(
    names: &[String],
    flag: &str,
) -> Result<Vec<&'static rules::RuleMeta>, String> {
    let mut out = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match rules::find(name) {
            Some(r) => out.push(&r.meta),
            None => {
                return Err(format!(
                    "{flag}: unknown rule `{name}`; {}",
                    rules::suggest::unknown_rule_help(name)
                ));
            }
        }
    }
    Ok(out)
}
