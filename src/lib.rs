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
use std::io::{IsTerminal, Read, Write};
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

/// The path argument that stands for standard input.
const STDIN_ARG: &str = "-";
/// The name standard input has in output when `--stdin-filename` does not give one.
const STDIN_NAME: &str = "<stdin>";

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
    let options = app::Options {
        max_file_size: args.max_file_size,
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
    let first_buffer = outcome.files.len().saturating_sub(buffers.len());
    let sources: HashMap<u32, String> = buffers
        .into_iter()
        .enumerate()
        .map(|(j, b)| (u32::try_from(first_buffer + j).unwrap_or(u32::MAX), b.text))
        .collect();
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
            report::human::render(&outcome, style, &sources)
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
