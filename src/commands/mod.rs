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
        Command::Rules { all } => write_out(&mut stdout, &rules_table(all)),
        Command::Server { .. } => crate::server::run(Options::default()),
        Command::Completions { shell } => generate::completions(shell, &mut stdout),
        Command::Man { command } => generate::man(command.as_deref(), &mut stdout),
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => write_out(&mut stdout, r.meta.doc),
            None => usage_error(format!(
                "no rule `{rule}`; {}",
                rules::suggest::unknown_rule_help(&rule)
            )),
        },
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
