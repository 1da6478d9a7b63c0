//! atlasgov-lint: check MongoDB Atlas specs against Atlas for Government constraints.
//!
//! The pipeline runs one way: files → documents ([`document`]) → format adapters
//! ([`adapters`]) → the normalized model ([`model`]) → rules ([`rules`]) → reporters
//! ([`report`]). [`app`] wires it together; [`run`] is the command line.

pub mod adapters;
pub mod app;
pub mod cli;
pub mod document;
pub mod model;
pub mod redact;
pub mod report;
pub mod rules;
pub mod walk;

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Parser;

use cli::{CheckArgs, Cli, ColorChoice, Command, Format};

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
        Command::Explain { rule } => match rules::lookup(&rule) {
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
    if all {
        out.push_str("\nNot checked (no spec can show these):\n");
        for (constraint, why) in rules::NOT_COVERED {
            out.push_str(&format!("- {constraint}\n    {why}\n"));
        }
    }
    out
}

fn check(args: CheckArgs, stdout: &mut impl Write) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
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
    let options = app::Options {
        max_file_size: args.max_file_size,
        ..app::Options::default()
    };
    let outcome = app::check_paths(&paths, &options);
    let text = match args.format {
        Format::Json => report::json::render(&outcome),
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::io::stdout().is_terminal()
                }
            };
            let style = report::human::Style { color, width: 100 };
            report::human::render(&outcome, style, &HashMap::new())
        }
    };
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if outcome.errors() > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
