//! The one entry point of a check: the engine (files → findings), then the filter stage
//! (levels, suppressions, baseline). The command line, the language server and the fuzz
//! targets all call [`lint`]; none assembles the stages itself.

use std::path::PathBuf;

use crate::config::Config;
use crate::date::Date;
use crate::engine::{self, Context, Options};
use crate::filter::{self, BaselineMode};
use crate::outcome::{Buffer, Outcome};
use crate::rules::{RuleMeta, Severity};

/// What to check.
#[derive(Debug, Clone, Default)]
pub enum Inputs {
    /// Paths on disk, walked (every path must exist; the command line checks first), with
    /// their context found per [`Options::project_root`].
    Paths(Vec<PathBuf>),
    /// No files on disk but the given context (an editor's buffer and its directories).
    Context(Context),
    /// Only the buffers.
    #[default]
    None,
}

/// Everything a check needs besides its inputs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How files are read and how far linking looks; `options.config` is also the config
    /// the filter stage applies.
    pub options: Options,
    /// `--select`: only these rules (GOV000 is always on).
    pub select: Vec<&'static RuleMeta>,
    /// `--ignore`: not these rules.
    pub ignore: Vec<&'static RuleMeta>,
    /// `--fail-on`, over the config's `fail-on`.
    pub fail_on: Option<Severity>,
    /// Suppressions with an `until` before this date have expired.
    pub today: Date,
    pub baseline: BaselineMode,
}

impl Settings {
    /// Defaults for `options`: every rule, no baseline, today's date.
    pub fn new(options: Options) -> Settings {
        Settings {
            options,
            select: Vec::new(),
            ignore: Vec::new(),
            fail_on: None,
            today: crate::date::today_utc(),
            baseline: BaselineMode::Off,
        }
    }

    fn config(&self) -> Option<&Config> {
        self.options.config.as_deref()
    }
}

/// A finished check: what was found and what the filter stage did ([`Outcome::filtered`]).
#[derive(Debug)]
pub struct Checked {
    pub outcome: Outcome,
}

impl Checked {
    /// The file id of buffer `j` (in the order given).
    pub fn buffer_id(&self, j: usize) -> Option<u32> {
        self.outcome.buffers.get(j).copied()
    }

    /// Whether the run fails the gate: a remaining finding at or above the fail-on level.
    pub fn fails(&self) -> bool {
        filter::fails(&self.outcome)
    }
}

/// Check `inputs` and `buffers`, then filter the findings.
pub fn lint(inputs: &Inputs, buffers: &[Buffer], settings: &Settings) -> Checked {
    let options = &settings.options;
    let mut outcome = match inputs {
        Inputs::Paths(paths) => engine::check_paths_and_buffers(paths, buffers, options),
        Inputs::Context(context) => engine::check_with_context(&[], buffers, context, options),
        Inputs::None => engine::check_with_context(&[], buffers, &Context::default(), options),
    };
    let stage = filter::Settings {
        config: settings.config(),
        select: &settings.select,
        ignore: &settings.ignore,
        fail_on: settings.fail_on,
        today: settings.today,
        cwd: &options.cwd,
        baseline: &settings.baseline,
    };
    let findings = std::mem::take(&mut outcome.findings);
    let (findings, filtered) = filter::apply(&outcome, findings, &stage);
    outcome.findings = findings;
    outcome.filtered = filtered;
    Checked { outcome }
}
