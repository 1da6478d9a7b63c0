//! Command-line definitions (clap) only.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// `--version`: the package version, the commit and the date it was built from (build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("ATLASGOV_LINT_COMMIT_SHORT"),
    " ",
    env!("ATLASGOV_LINT_BUILD_DATE"),
    ")"
);

/// `--version` in full: also the whole commit id.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("ATLASGOV_LINT_COMMIT_SHORT"),
    " ",
    env!("ATLASGOV_LINT_BUILD_DATE"),
    ")\ncommit: ",
    env!("ATLASGOV_LINT_COMMIT"),
    "\nbuilt: ",
    env!("ATLASGOV_LINT_BUILD_DATE"),
    "\nlicense: Apache-2.0"
);

#[derive(Debug, Parser)]
#[command(
    name = "atlasgov-lint",
    version = VERSION,
    long_version = LONG_VERSION,
    about = "Check MongoDB Atlas specs against Atlas for Government constraints, offline, before apply",
    after_help = "Exit codes: 0 no error-level finding, 1 at least one, 2 usage error or missing path."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Check files and directories (default: the current directory).
    Check(CheckArgs),
    /// List the rules.
    Rules {
        /// Also list the AtlasGov constraints that no spec can show, and so no rule checks.
        #[arg(long)]
        all: bool,
        /// Also list the rules of these Rego policies (besides the config's `policies`).
        #[arg(long = "policy", value_name = "PATH")]
        policies: Vec<PathBuf>,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule code (GOV001) or name (azure-provider).
        rule: String,
        /// Rego policies whose rules may be named (besides the config's `policies`).
        #[arg(long = "policy", value_name = "PATH")]
        policies: Vec<PathBuf>,
    },
    /// Print the normalized model as JSON (schema/model-v1.schema.json): every project and
    /// resource found, with its values and where each is written. What policies read.
    Model {
        /// Files or directories (default: the current directory).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Run the tests of Rego policies: every `test_*` rule in the directory's `.rego` files.
    Test {
        /// A policy directory (or one `.rego` file).
        #[arg(value_name = "POLICY_DIR")]
        path: PathBuf,
    },
    /// Run the language server (LSP over standard input/output) for editors.
    Server {
        /// Accepted for clients that pass it; standard input/output is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
        /// Do not watch the workspace's files when the editor does not watch them for the
        /// server: list each checked file's directories again at every check (for file systems
        /// that do not report changes, such as some network mounts).
        #[arg(long)]
        no_watch: bool,
    },
    /// Print a shell completion script, e.g. `atlasgov-lint completions bash > /etc/bash_completion.d/atlasgov-lint`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): the program's, or a command's (`atlasgov-lint man check` is
    /// atlasgov-lint-check(1)), e.g. `atlasgov-lint man > atlasgov-lint.1`.
    Man {
        /// A command (check, model, test, rules, explain, server, completions, man).
        command: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check. Directories are walked respecting .gitignore.
    /// `-` reads one stream from standard input (e.g. `kustomize build | atlasgov-lint check -`).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The name standard input (`-`) has in output; the name picks the parser as a file's name
    /// does (`.json` is JSON, `.tf`/`.tfvars` HCL, `.sh`, `Makefile`, `Dockerfile` and `.env`
    /// files scripts; docs/formats.md), else a shell shebang makes it a script, else it is
    /// read as YAML. Default: `<stdin>`.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the --format report to FILE; the terminal still gets the human report.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// When to use colour in human output (auto: a terminal, NO_COLOR unset, TERM not dumb).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only the findings (no summary, notes or suppression list).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Count the findings by rule and by file. Replaces the human report on the terminal;
    /// with another --format on standard output, the counts go to standard error.
    #[arg(long)]
    pub statistics: bool,
    /// Config file (default: .atlasgov-lint.yaml in the current directory or the nearest
    /// parent, up to the repository root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// A Rego policy file or directory to run over the model, besides the config's
    /// `policies` (repeatable; see docs/policies.md).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Only these rules (codes or names, comma-separated; GOV000 always runs).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Not these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Exit 1 on findings at this level or above (default: the config's `fail-on`, else error).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// List every suppression (comment or config exception) with its reason, expiry, place
    /// and what it suppressed.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE. An existing file only loses entries that no longer
    /// occur, unless --allow-new.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// With --write-baseline: also add findings the existing baseline does not have.
    #[arg(long, requires = "write_baseline")]
    pub allow_new: bool,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = 64 * 1024 * 1024, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Project linking may read project bodies from the directories between each path and
    /// DIR, without reporting findings in them (default: the root of the git repository
    /// holding the path; outside a repository, a directory given itself, a file its directory).
    /// Every path must be below DIR.
    #[arg(long, value_name = "DIR")]
    pub project_root: Option<PathBuf>,
    /// Keep no index or listing of the files read for project linking in the user's cache
    /// directory: a file checked alone lists and scans its directories again on every run.
    #[arg(long)]
    pub no_cache: bool,
    /// Apply the safe fixes of the findings reported (not of suppressed or baselined ones),
    /// then report what is left.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// With --fix or --diff: apply unsafe fixes too (a larger tier, a setting that cannot be
    /// changed later, a value also used elsewhere).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print what --fix would change as a unified diff and write nothing; exit 1 when there is
    /// anything to fix. The diff is the output: no report goes with it.
    #[arg(long, conflicts_with_all = ["format", "output", "statistics"])]
    pub diff: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    /// One line per finding: `path:line:col: CODE name: message`.
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
    /// The audit report: one self-contained HTML page (use with --output).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
