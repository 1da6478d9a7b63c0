//! Command-line definitions (clap) only.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "atlasgov-lint",
    version,
    about = "Check MongoDB Atlas specs against Atlas for Government constraints, offline, before apply",
    after_help = "Exit codes: 0 no error-level finding, 1 at least one, 2 usage error or missing path."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and directories (default: the current directory).
    Check(CheckArgs),
    /// List the rules.
    Rules {
        /// Also list the AtlasGov constraints that no spec can show, and so no rule checks.
        #[arg(long)]
        all: bool,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule code (GOV001) or name (azure-provider).
        rule: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check. Directories are walked respecting .gitignore.
    /// `-` reads one stream from standard input (e.g. `kustomize build | atlasgov-lint check -`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The name standard input (`-`) has in output; its extension picks the parser (`.json`
    /// is read as JSON, anything else as YAML). Default: `<stdin>`.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = 64 * 1024 * 1024, value_name = "BYTES")]
    pub max_file_size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
