//! `completions` and `man`: shell completion scripts and manual pages, generated from the same
//! clap definitions as the command line itself ([`super::cli`]), so they cannot fall behind it.

use std::io::Write;

use clap::CommandFactory;

use super::cli::Cli;
use super::{EXIT_OK, EXIT_USAGE, usage_error};

/// The binary's name, as completions and pages call it.
const BIN: &str = "atlasgov-lint";

/// `atlasgov-lint completions SHELL`: the completion script for SHELL.
pub(super) fn completions(shell: clap_complete::Shell, out: &mut impl Write) -> i32 {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut script);
    write_out(out, &script)
}

/// `atlasgov-lint man [COMMAND]`: the manual page of the program, or of one of its commands
/// (`atlasgov-lint-check(1)`, as git names its pages).
pub(super) fn man(command: Option<&str>, out: &mut impl Write) -> i32 {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .filter(|s| !s.is_hide_set())
                    .map(|s| s.get_name())
                    .collect();
                return usage_error(format!(
                    "no command `{name}`; pages exist for: {}",
                    names.join(", ")
                ));
            }
        },
    };
    let mut text = Vec::new();
    let rendered = clap_mangen::Man::new(page)
        .date(env!("ATLASGOV_LINT_BUILD_DATE"))
        .manual("atlasgov-lint manual")
        .render(&mut text);
    match rendered {
        Ok(()) => write_out(out, &text),
        Err(e) => usage_error(format!("cannot render the manual page: {e}")),
    }
}

fn write_out(out: &mut impl Write, bytes: &[u8]) -> i32 {
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: cannot write: {e}");
            EXIT_USAGE
        }
    }
}
