//! Users' rules: policies in Rego over the model as data ([`crate::model::json`]), evaluated
//! with `regorus` (pure Rust, no network, no file or clock access from a policy).
//!
//! A policy is a Rego package with a `metadata` object (its rule's code, name, severity,
//! summary, help, url) and `deny`/`warn` sets. [`load`] compiles every policy file once and
//! registers each package's rule ([`crate::rules::custom`]); [`Set::evaluate`] runs them over
//! one linked model, once per resource, and turns each result into a [`Finding`] located at
//! the model value it names. A policy that fails to compile is an error naming its file, line
//! and column; one that fails or runs out of time on a resource is an error naming the policy
//! and the resource, and the other policies and the built-in rules still run.
//!
//! `docs/policies.md` is the user's guide.

mod direct;
mod input;
pub mod test;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use regorus::Engine;
use serde_json::Value as Json;

use crate::model::json::{Builder, Item, Sink, Unit, resources};
use crate::model::{Loc, Model};
use crate::rules::{self, Finding, Rule, RuleMeta, Severity, custom};
use direct::STAND_IN_REF;

/// The largest policy file read.
pub const POLICY_LIMIT: u64 = 1024 * 1024;

/// How long one policy may run on one resource. A policy that loops (a huge comprehension,
/// `numbers.range` over millions) is stopped here: time also bounds what it can allocate.
pub const EVAL_BUDGET: Duration = Duration::from_secs(2);

/// How many units of evaluation work pass between two looks at the clock: a look costs a
/// system call's worth of time, and a policy that loops is still stopped within a few
/// microseconds of its budget.
const TIMER_INTERVAL: u32 = 256;

/// A policy problem: where (file, 1-based line and column) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            crate::paths::display_path(&self.file),
            self.line,
            self.column,
            self.message
        )
    }
}

/// One loaded policy: a package with metadata.
pub struct Policy {
    /// The file that declares its `metadata`.
    pub file: PathBuf,
    /// `data.<package>`.
    pub package: String,
    pub rule: &'static Rule,
    /// The metadata's `help`: what to do instead.
    pub help: &'static str,
    /// What each of its findings' messages ends with: ` [policy <package>]`.
    pub tag: String,
    /// The result sets its files define (`deny`, `warn`), with where each is first defined
    /// (file, line): only those are evaluated.
    pub sets: Vec<(&'static str, PathBuf, u32)>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("file", &self.file)
            .field("package", &self.package)
            .field("code", &self.rule.meta.code)
            .finish_non_exhaustive()
    }
}

/// The compiled policies of a run.
#[derive(Clone)]
pub struct Set {
    engine: Engine,
    pub policies: Vec<std::sync::Arc<Policy>>,
    /// Whether the generated runner module compiled (see [`runner`]): every policy regorus
    /// evaluates is then evaluated over a resource in one evaluation.
    batched: bool,
    /// The policies compiled to direct checks ([`direct`]); the others are regorus's.
    direct: std::sync::Arc<direct::Program>,
    /// Per policy and resource (see [`EVAL_BUDGET`]).
    pub budget: Duration,
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Set")
            .field("policies", &self.policies)
            .finish_non_exhaustive()
    }
}

/// The `.rego` files a path names: the file itself, or a directory's files (recursively,
/// sorted), with or without its tests (`*_test.rego`).
pub fn files(path: &Path, tests: bool) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("policy path {}: {e}", crate::paths::display_path(path)))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| format!("policy directory {}: {e}", crate::paths::display_path(&dir)))?;
        for entry in entries.flatten() {
            let p = entry.path();
            let Ok(ty) = entry.file_type() else { continue };
            if ty.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "rego") {
                let is_test = p
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.ends_with("_test"));
                if tests || !is_test {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The most elements `numbers.range` and `numbers.range_step` may produce. regorus builds a
/// range in one allocation that the time budget cannot interrupt (`numbers.range(1, 1e12)`
/// would abort the process): these two builtins are replaced by bounded ones.
pub const MAX_RANGE: i64 = 1_000_000;

fn bounded_range(args: &[regorus::Value], step: Option<i64>) -> anyhow::Result<regorus::Value> {
    let int = |i: usize| {
        args.get(i)
            .and_then(|v| v.as_i64().ok())
            .ok_or_else(|| anyhow::anyhow!("numbers.range: operands must be integers"))
    };
    let (from, to) = (int(0)?, int(1)?);
    let step = match step {
        Some(s) if s <= 0 => anyhow::bail!("numbers.range_step: step must be a positive integer"),
        Some(s) => s,
        None => 1,
    };
    let count = (i128::from(to) - i128::from(from)).abs() / i128::from(step) + 1;
    if count > i128::from(MAX_RANGE) {
        anyhow::bail!("numbers.range of {count} elements: policies may build at most {MAX_RANGE}");
    }
    let dir = if to >= from { step } else { -step };
    let mut out = Vec::new();
    let mut v = from;
    for _ in 0..count {
        out.push(regorus::Value::from(v));
        v = v.saturating_add(dir);
    }
    Ok(regorus::Value::from(out))
}

/// A fresh engine with the run's bounds.
pub(crate) fn engine(budget: Duration) -> Engine {
    let mut engine = Engine::new();
    let _ = engine.add_extension(
        "numbers.range".to_string(),
        2,
        Box::new(|args: Vec<regorus::Value>| bounded_range(&args, None)),
    );
    let _ = engine.add_extension(
        "numbers.range_step".to_string(),
        3,
        Box::new(|args: Vec<regorus::Value>| {
            let step = args
                .get(2)
                .and_then(|v| v.as_i64().ok())
                .ok_or_else(|| anyhow::anyhow!("numbers.range_step: step must be an integer"))?;
            bounded_range(&args, Some(step))
        }),
    );
    if let Some(interval) = std::num::NonZeroU32::new(TIMER_INTERVAL) {
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: budget,
            check_interval: interval,
        });
    }
    engine
}

/// Where a regorus error points (`--> file:line:col`), and its message without the snippet.
/// The file is the one the error names when it names one: an error found while compiling
/// every module together (an unsafe variable) belongs to its own file, whichever package was
/// being evaluated when it surfaced.
pub(crate) fn error_from(file: &Path, e: &dyn std::fmt::Display) -> PolicyError {
    let text = format!("{e:#}");
    let (mut line, mut column) = (1, 1);
    let mut file = file.to_path_buf();
    if let Some(at) = text.lines().find_map(|l| l.trim().strip_prefix("--> ")) {
        let mut parts = at.rsplitn(3, ':');
        let col = parts.next().and_then(|c| c.trim().parse().ok());
        let ln = parts.next().and_then(|c| c.trim().parse().ok());
        if let (Some(l), Some(c)) = (ln, col) {
            line = l;
            column = c;
            if let Some(named) = parts.next().map(str::trim).filter(|n| !n.is_empty())
                && crate::paths::display_path(&file) != named
            {
                file = PathBuf::from(named);
            }
        }
    }
    let message = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("policy error")
        .trim_start_matches("error: ")
        .to_string();
    PolicyError {
        file,
        line,
        column,
        message: message.chars().filter(|c| !c.is_control()).collect(),
    }
}

/// Add the files' policies to `engine`, returning each file's package (`data.x.y`).
pub(crate) fn add_files(
    engine: &mut Engine,
    files: &[PathBuf],
) -> (Vec<(PathBuf, String, String)>, Vec<PolicyError>) {
    let mut added = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let text = match crate::source::read_limited(file, POLICY_LIMIT, "the policy size limit") {
            Ok(t) => t,
            Err(reason) => {
                errors.push(PolicyError {
                    file: file.clone(),
                    line: 1,
                    column: 1,
                    message: reason,
                });
                continue;
            }
        };
        match engine.add_policy(crate::paths::display_path(file), text.clone()) {
            Ok(package) => added.push((file.clone(), package, text)),
            Err(e) => errors.push(error_from(file, &e)),
        }
    }
    (added, errors)
}

/// Compile the policies under `paths` (files or directories; tests left out) and register
/// their rules. Every problem is returned, each naming its file, line and column; the
/// policies without one still run (a file that does not compile is left out, and so is a
/// package whose metadata is wrong).
pub fn load(paths: &[PathBuf]) -> (Set, Vec<PolicyError>) {
    let mut errors = Vec::new();
    let mut all = Vec::new();
    for p in paths {
        match files(p, false) {
            Ok(f) => all.extend(f),
            Err(message) => errors.push(PolicyError {
                file: p.clone(),
                line: 1,
                column: 1,
                message,
            }),
        }
    }
    all.sort();
    all.dedup();
    let mut engine = engine(EVAL_BUDGET);
    let (added, compile_errors) = add_files(&mut engine, &all);
    errors.extend(compile_errors);
    engine.set_input(regorus::Value::new_object());
    let mut policies: Vec<std::sync::Arc<Policy>> = Vec::new();
    for (file, package, text) in &added {
        if policies.iter().any(|p| &p.package == package) || !declares(text, "metadata") {
            continue;
        }
        let at = position_of(text, "metadata");
        let fail = |message: String| PolicyError {
            file: file.clone(),
            line: at.0,
            column: at.1,
            message,
        };
        let value = match engine.eval_rule(format!("{package}.metadata")) {
            Ok(v) => v,
            Err(e) => {
                // An error of the whole set of modules surfaces once per package: said once,
                // at its own file; a package it stops is named at its metadata.
                let e = error_from(file, &e);
                if e.file != *file {
                    errors.push(fail(format!(
                        "policy not loaded: the policy files do not compile together ({e})"
                    )));
                }
                if !errors.contains(&e) {
                    errors.push(e);
                }
                continue;
            }
        };
        let json = serde_json::to_value(&value).unwrap_or(Json::Null);
        match metadata(&json, file, package) {
            Ok((meta, url, help)) => {
                if let Some(other) = policies.iter().find(|p| p.rule.meta.code == meta.code) {
                    errors.push(fail(format!(
                        "code {} is already declared by package {} ({})",
                        meta.code,
                        other.package.trim_start_matches("data."),
                        crate::paths::display_path(&other.file)
                    )));
                    continue;
                }
                let rule: &'static Rule = Box::leak(Box::new(Rule { meta, check: None }));
                custom::register(rule, url);
                policies.push(std::sync::Arc::new(Policy {
                    file: file.clone(),
                    package: package.clone(),
                    rule,
                    help,
                    tag: format!(" [policy {}]", package.trim_start_matches("data.")),
                    sets: ["deny", "warn"]
                        .into_iter()
                        .filter_map(|set| {
                            added
                                .iter()
                                .filter(|(_, p, _)| p == package)
                                .find(|(_, _, text)| declares(text, set))
                                .map(|(f, _, text)| (set, f.clone(), position_of(text, set).0))
                        })
                        .collect(),
                }));
            }
            Err(message) => errors.push(fail(message)),
        }
    }
    let texts: Vec<(String, String)> = added
        .iter()
        .map(|(file, _, text)| (crate::paths::display_path(file), text.clone()))
        .collect();
    let wanted: Vec<(String, Vec<&str>)> = policies
        .iter()
        .map(|p| {
            (
                p.package.clone(),
                p.sets.iter().map(|(s, _, _)| *s).collect(),
            )
        })
        .collect();
    let direct = if std::env::var_os(INTERPRETER_ONLY).is_some() {
        direct::Program::none(wanted.len())
    } else {
        direct::compile(&texts, &wanted)
    };
    let interpreted: Vec<std::sync::Arc<Policy>> = policies
        .iter()
        .zip(&direct.policies)
        .filter(|(_, d)| d.is_none())
        .map(|(p, _)| p.clone())
        .collect();
    let batched = !interpreted.is_empty()
        && engine
            .add_policy(RUNNER_FILE.to_string(), runner(&interpreted))
            .is_ok();
    // Prepared here, once (regorus analyses the modules before its first evaluation, and
    // prints a warning of the analysis to standard error each time): each thread's copy is
    // then prepared. A rule that no module defines evaluates nothing else.
    let _ = engine.eval_rule(PREPARE.to_string());
    let set = Set {
        engine,
        policies,
        batched,
        direct: std::sync::Arc::new(direct),
        budget: EVAL_BUDGET,
    };
    (set, errors)
}

/// Set in the environment, every policy is evaluated by regorus's interpreter, none by
/// `direct` (to compare the two; `docs/policies.md`).
pub const INTERPRETER_ONLY: &str = "ATLASGOV_LINT_POLICY_INTERPRETER";

/// The name of the generated module that evaluates every policy over a batch of inputs.
const RUNNER_FILE: &str = "<atlasgov-lint policy runner>";
/// Its package.
const RUNNER: &str = "data.atlasgov_lint_runner.results";

/// A rule no module defines: evaluating it prepares the engine ([`load`]).
const PREPARE: &str = "data.atlasgov_lint_runner.prepared";

/// The runner: every policy's result sets (in [`Policy::sets`] order) for the input, in one
/// evaluation. When one of them is undefined or fails, the result is missing, and the
/// resource's policies are evaluated one at a time.
fn runner(policies: &[std::sync::Arc<Policy>]) -> String {
    let sets: Vec<String> = policies
        .iter()
        .flat_map(|p| {
            p.sets
                .iter()
                .map(|(set, _, _)| format!("{}.{set}", p.package))
        })
        .collect();
    format!(
        "package atlasgov_lint_runner\n\nresults := [\n\t{},\n]\n",
        sets.join(",\n\t")
    )
}

/// Whether a policy's text defines `name` at the start of a line (`metadata :=`).
fn declares(text: &str, name: &str) -> bool {
    text.lines().any(|l| starts_rule(l, name))
}

fn starts_rule(line: &str, name: &str) -> bool {
    line.strip_prefix(name)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '=', '{', '[', ' ', '\t']))
}

/// The line and column (1-based) where `name` is defined; (0, 0) when it is not.
fn position_of(text: &str, name: &str) -> (u32, u32) {
    text.lines()
        .position(|l| starts_rule(l, name))
        .map_or((0, 0), |i| (u32::try_from(i + 1).unwrap_or(u32::MAX), 1))
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// A policy's rule metadata, checked: what is missing or wrong is a sentence.
fn metadata(
    json: &Json,
    file: &Path,
    package: &str,
) -> Result<(RuleMeta, Option<&'static str>, &'static str), String> {
    let obj = json
        .as_object()
        .ok_or("`metadata` must be an object with code, name, severity and summary")?;
    let field = |key: &str| obj.get(key).and_then(Json::as_str).map(str::trim);
    let code = field("code").ok_or("`metadata` has no `code` (e.g. \"ORG001\")")?;
    let valid_code = code.len() <= 12
        && code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && code.chars().any(|c| c.is_ascii_digit());
    if !valid_code {
        return Err(format!(
            "`metadata.code` `{code}` is not a rule code: capital letters then digits, e.g. ORG001"
        ));
    }
    if custom::is_builtin_code(code) {
        return Err(format!(
            "`metadata.code` `{code}` is in the built-in namespace (GOV); use your own prefix, e.g. ORG001"
        ));
    }
    let name = field("name").ok_or("`metadata` has no `name` (e.g. \"production-tier\")")?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!(
            "`metadata.name` `{name}` must be lower-case words joined by `-` (e.g. production-tier)"
        ));
    }
    if rules::ALL
        .iter()
        .chain(rules::suppression::RULES.iter())
        .any(|r| r.meta.name == name)
    {
        return Err(format!(
            "`metadata.name` `{name}` is a built-in rule's name"
        ));
    }
    let severity = match field("severity").unwrap_or("error") {
        s if s.eq_ignore_ascii_case("error") => Severity::Error,
        s if s.eq_ignore_ascii_case("warning") => Severity::Warning,
        other => {
            return Err(format!(
                "`metadata.severity` `{other}` must be `error` or `warning`"
            ));
        }
    };
    let summary = field("summary").ok_or("`metadata` has no `summary`")?;
    let help = field("help").unwrap_or("");
    let url = field("url").map(leak);
    let doc = format!(
        "# {code} {name}\n\n{summary}\n\nSeverity: {}. A policy rule: package `{}` in `{}`.\n\n{}{}",
        severity.as_str(),
        package.trim_start_matches("data."),
        crate::paths::display_path(file),
        if help.is_empty() {
            String::new()
        } else {
            format!("## Fix\n\n{help}\n")
        },
        url.map(|u| format!("\nMore: {u}\n")).unwrap_or_default(),
    );
    Ok((
        RuleMeta {
            code: leak(code),
            name: leak(name),
            severity,
            summary: leak(summary),
            seed: "",
            doc: leak(&doc),
        },
        url,
        leak(help),
    ))
}

/// What one thread evaluates with, over each range of resources it takes: the policies'
/// engine and constants, the builders, and the projects' data. A resource's data is built
/// here, evaluated and dropped: the model is never held as data whole.
struct Evaluation<'m> {
    model: &'m Model,
    engine: Engine,
    scratch: direct::Scratch<'m>,
    builder: Builder<'m, input::Rego>,
    /// Records the locations of what it builds (never a value): the numbering of the whole
    /// input.
    places: Builder<'m, Unit>,
    projects: Projects<'m>,
    /// How many of `places`' locations are the projects' (kept; a resource's are dropped
    /// after it).
    kept: usize,
}

/// What the ranges of one run tell each other ([`Set::evaluate`]).
struct Shared {
    /// Per policy: the first range (in the resources' order) it failed in so far,
    /// `usize::MAX` for none. A later range does not evaluate it again: a policy that fails
    /// (runs out of time, say) costs its budget about once per thread, not once per range.
    /// An earlier range still does, so the error reported is the first in the resources'
    /// order, whatever the schedule.
    failed_in: Vec<AtomicUsize>,
    /// Whether the interpreted policies are still evaluated together (false once that
    /// failed in any range).
    together: AtomicBool,
}

/// The locations of every project's data, numbered as in the whole data (the first of every
/// resource's input), and each project's part of them: made once per run.
struct ProjectPlaces<'m> {
    places: Builder<'m, Unit>,
    ranges: Vec<Range<usize>>,
}

impl<'m> ProjectPlaces<'m> {
    fn new(model: &'m Model) -> Self {
        let mut places = Builder::with_sink(model, Unit);
        let ranges = (0..model.projects.len())
            .map(|i| {
                let start = places.locs().len();
                places.project_at(i);
                start..places.locs().len()
            })
            .collect();
        ProjectPlaces { places, ranges }
    }
}

impl<'m> Evaluation<'m> {
    fn new(set: &Set, model: &'m Model, projects: &ProjectPlaces<'m>) -> Self {
        let places = projects.places.clone();
        let kept = places.locs().len();
        let projects = Projects {
            builder: Builder::with_sink(model, input::Rego::default()),
            locs: places.locs().to_vec(),
            built: vec![None; projects.ranges.len()],
            ranges: projects.ranges.clone(),
        };
        Evaluation {
            model,
            engine: set.engine.clone(),
            scratch: set.direct.scratch(),
            builder: Builder::with_sink(model, input::Rego::default()),
            places,
            projects,
            kept,
        }
    }
}

/// Each project's data, built the first time a resource of one thread's range asks for it,
/// with the `ref`s it has in the whole data (numbered as the locations the range's `places`
/// builder recorded for it).
struct Projects<'m> {
    builder: Builder<'m, input::Rego>,
    /// The locations of every project's data, in building order.
    locs: Vec<&'m Loc>,
    /// Per project: its part of `locs`.
    ranges: Vec<Range<usize>>,
    built: Vec<Option<regorus::Value>>,
}

impl Projects<'_> {
    /// The data of the model's `index`th project (null for none).
    fn get(&mut self, index: Option<usize>) -> regorus::Value {
        let Some(i) = index else {
            return regorus::Value::Null;
        };
        if let Some(Some(v)) = self.built.get(i) {
            return v.clone();
        }
        let Some(range) = self.ranges.get(i) else {
            return regorus::Value::Null;
        };
        self.builder.number_as(
            range.start,
            self.locs.get(range.clone()).unwrap_or_default(),
        );
        let v = self.builder.project_at(i);
        if let Some(slot) = self.built.get_mut(i) {
            *slot = Some(v.clone());
        }
        v
    }
}

impl Set {
    /// Run every policy over the linked model: findings, and the policies' failures (each
    /// names the policy's file and the first resource it failed on; a policy that failed
    /// reports no finding). The resources are split into contiguous ranges, a few per thread,
    /// and the ranges' results are put together in order, so the first failure is the same
    /// whatever the schedule.
    /// The findings are added to `findings` (the built-in rules'): the parts' lists, which
    /// can hold tens of thousands, are moved once, into a list made to hold them all.
    pub fn evaluate(&self, model: &Model, findings: &mut Vec<Finding>) -> Vec<PolicyError> {
        if self.policies.is_empty() {
            return Vec::new();
        }
        let items = resources(model);
        // Several ranges per thread: resources differ in cost (a project is evaluated in a
        // fraction of a cluster's time), and a thread that is done takes the next range.
        let threads = rayon::current_num_threads().max(1);
        let ranges = if items.len() < PARALLEL_MIN {
            1
        } else {
            threads * RANGES_PER_THREAD
        };
        let size = items.len().div_ceil(ranges).max(1);
        let ranges: Vec<&[Item<'_>]> = items.chunks(size).collect();
        let project_places = ProjectPlaces::new(model);
        let shared = Shared {
            failed_in: (0..self.policies.len())
                .map(|_| AtomicUsize::new(usize::MAX))
                .collect(),
            together: AtomicBool::new(self.batched),
        };
        let mut parts: Vec<Part> = if ranges.len() > 1 {
            use rayon::prelude::*;
            // A state for each job rayon splits the ranges into (a few per thread), used for
            // every range of that job: its engine is a copy of one already prepared
            // ([`load`]), so none analyses the policies again.
            ranges
                .par_iter()
                .enumerate()
                .map_init(
                    || Evaluation::new(self, model, &project_places),
                    |state, (index, range)| self.evaluate_range(state, &shared, index, range),
                )
                .collect()
        } else {
            let mut state = Evaluation::new(self, model, &project_places);
            ranges
                .iter()
                .enumerate()
                .map(|(index, range)| self.evaluate_range(&mut state, &shared, index, range))
                .collect()
        };
        let mut errors: Vec<Option<PolicyError>> = vec![None; self.policies.len()];
        for part in &mut parts {
            for (i, e) in part.errors.drain(..) {
                if let Some(slot @ None) = errors.get_mut(i) {
                    *slot = Some(e);
                }
            }
        }
        let failed: Vec<&'static str> = self
            .policies
            .iter()
            .zip(&errors)
            .filter(|(_, e)| e.is_some())
            .map(|(p, _)| p.rule.meta.code)
            .collect();
        findings.reserve(parts.iter().map(|p| p.findings.len()).sum());
        for part in parts {
            findings.extend(
                part.findings
                    .into_iter()
                    .filter(|f| !failed.contains(&f.rule.code)),
            );
        }
        errors.into_iter().flatten().collect()
    }

    /// One range of resources, in a thread's `state`. Each resource's data is built here,
    /// evaluated and dropped: the model is never held as data whole. A cluster's data is
    /// built only as far as the policies evaluated directly use it whole
    /// ([`direct::Input::Cluster`]); a second builder that builds no value ([`Unit`])
    /// records its locations, in the order building it whole would, so every `ref` a policy
    /// reads is the one the whole data has. A result that only points at a part names it by
    /// a stand-in's `ref` instead ([`direct::STAND_IN_REF`]), which needs no numbering.
    fn evaluate_range<'m>(
        &self,
        state: &mut Evaluation<'m>,
        shared: &Shared,
        index: usize,
        items: &[Item<'m>],
    ) -> Part {
        let model = state.model;
        let Evaluation {
            engine,
            scratch,
            builder,
            places,
            projects,
            kept,
            ..
        } = state;
        let kept = *kept;
        let mut part = Part::default();
        let mut failed = vec![false; self.policies.len()];
        // Every interpreted policy in one evaluation, until one fails: then one at a time,
        // without it.
        let mut together = self.batched;
        let direct = |i: usize| matches!(self.direct.policies.get(i), Some(Some(_)));
        let interpreted = (0..self.policies.len()).any(|i| !direct(i));
        for item in items {
            // What the other ranges found: a policy that failed in an earlier range is not
            // evaluated again (its findings are dropped, and its error is that range's).
            for (f, first) in failed.iter_mut().zip(&shared.failed_in) {
                *f = *f || first.load(Ordering::Relaxed) < index;
            }
            together = together && shared.together.load(Ordering::Relaxed);
            let mut project_of = || projects.get(item.project);
            // Each location numbered as the whole input numbers it: what `places` records
            // building it (never a value).
            let mut number = |b: &mut Builder<'m, input::Rego>| {
                places.truncate(kept);
                if item.kind != "project" {
                    places.item(item);
                }
                b.number_as(kept, places.locs().get(kept..).unwrap_or_default());
            };
            let mut results = Vec::new();
            let mut bailed = Vec::new();
            let mut build;
            let numbered;
            let whole = {
                let kind_value = builder.sink().str(item.kind);
                let input = match item.cluster() {
                    Some(cluster) => direct::Input::Cluster {
                        kind: item.kind,
                        kind_value,
                        cluster,
                        project: &mut project_of,
                    },
                    None => {
                        // Built when a policy reads more of it than its kind: most test the
                        // kind first.
                        build = |b: &mut Builder<'m, input::Rego>| {
                            let project = projects.get(item.project);
                            let resource = if item.kind == "project" {
                                project.clone()
                            } else {
                                b.item(item)
                            };
                            b.sink().input(item.kind, resource, project)
                        };
                        direct::Input::Deferred {
                            kind_value,
                            build: &mut build,
                        }
                    }
                };
                let mut run =
                    self.direct
                        .run(scratch, builder, Some(&mut number), input, self.budget);
                for (i, policy) in self.policies.iter().enumerate() {
                    let Some(Some(ids)) = self.direct.policies.get(i) else {
                        continue;
                    };
                    if failed.get(i).copied().unwrap_or(true) {
                        continue;
                    }
                    let first = results.len();
                    for ((set, _, _), id) in policy.sets.iter().zip(ids) {
                        match run.rule(*id) {
                            Ok(value) => {
                                if has_results(&value) {
                                    results.push((i, *set, value));
                                }
                            }
                            // A case regorus decides its own way: its answer (or error) is
                            // the one.
                            Err(direct::Bail) => {
                                results.truncate(first);
                                bailed.push(i);
                                break;
                            }
                        }
                    }
                }
                let whole = (interpreted || !bailed.is_empty()).then(|| run.whole_input());
                numbered = run.numbered();
                whole
            };
            // A result names a location by a stand-in's `ref` (no numbering needed), or by
            // the whole input's numbering (a value built whole, which numbered them, or a
            // `ref` the policy wrote: numbered here).
            if !numbered
                && results
                    .iter()
                    .any(|(_, _, v)| result_refs(v).any(|r| r >= kept && r < STAND_IN_REF))
            {
                places.truncate(kept);
                if item.kind != "project" {
                    places.item(item);
                }
            }
            let at = At {
                locs: places.locs(),
                stood_for: scratch.stood_for(),
                body: item.body,
            };
            for (i, set, value) in &results {
                if let Some(policy) = self.policies.get(*i) {
                    let severity = (*set == "warn").then_some(Severity::Warning);
                    results_of(value, &at, policy, severity, &mut part.findings);
                }
            }
            // The interpreter's results name locations by the whole input's numbering only.
            let at = At {
                stood_for: &[],
                ..at
            };
            let Some(whole) = whole else { continue };
            engine.set_input(whole);
            // The interpreter's: the policies it evaluates (in one evaluation of the runner
            // while that works) and the resources the direct evaluation handed over.
            let mut alone = bailed;
            let mut runner_failed = false;
            if interpreted {
                if together
                    && let Ok(regorus::Value::Array(all)) = engine.eval_rule(RUNNER.to_string())
                {
                    let mut all = all.iter();
                    for (i, policy) in self.policies.iter().enumerate() {
                        if direct(i) {
                            continue;
                        }
                        for (set, _, _) in &policy.sets {
                            let severity = (*set == "warn").then_some(Severity::Warning);
                            if let Some(value) = all.next() {
                                results_of(value, &at, policy, severity, &mut part.findings);
                            }
                        }
                    }
                } else {
                    runner_failed = true;
                    alone.extend((0..self.policies.len()).filter(|i| !direct(*i)));
                }
            }
            if !alone.is_empty()
                && self.evaluate_alone(engine, model, item, &at, &mut failed, &mut part, &|j| {
                    alone.contains(&j)
                })
            {
                for (i, _) in &part.errors {
                    if let Some(first) = shared.failed_in.get(*i) {
                        first.fetch_min(index, Ordering::Relaxed);
                    }
                }
                if runner_failed {
                    together = false;
                    shared.together.store(false, Ordering::Relaxed);
                }
            }
        }
        part
    }

    /// Each policy `which` selects that has not failed, one at a time, by the interpreter over
    /// the input already set; true when one fails here.
    #[allow(clippy::too_many_arguments)]
    fn evaluate_alone(
        &self,
        engine: &mut Engine,
        model: &Model,
        item: &Item<'_>,
        at: &At<'_>,
        failed: &mut [bool],
        part: &mut Part,
        which: &dyn Fn(usize) -> bool,
    ) -> bool {
        let mut any = false;
        for (i, policy) in self.policies.iter().enumerate() {
            if !which(i) || failed.get(i).copied().unwrap_or(true) {
                continue;
            }
            for (set, set_file, set_line) in &policy.sets {
                let severity = (*set == "warn").then_some(Severity::Warning);
                match engine.eval_rule(format!("{}.{set}", policy.package)) {
                    Ok(value) => {
                        results_of(&value, at, policy, severity, &mut part.findings);
                    }
                    Err(e) => {
                        let mut err = error_from(set_file, &e);
                        if !format!("{e:#}").contains("--> ") {
                            // No place of its own (the time budget): the rule evaluated.
                            err.line = *set_line;
                            err.column = 1;
                        }
                        err.message = format!(
                            "policy {} stopped on the {} at {}: {}",
                            policy.rule.meta.code,
                            item.kind.replace('_', " "),
                            describe(model, item.body),
                            err.message
                        );
                        part.errors.push((i, err));
                        if let Some(f) = failed.get_mut(i) {
                            *f = true;
                        }
                        any = true;
                        break;
                    }
                }
            }
        }
        any
    }
}

/// How a result's `at` is turned back into a place: the locations of the input's values, and
/// the resource's body for a result that names none.
struct At<'a> {
    locs: &'a [&'a Loc],
    /// The stand-ins' locations ([`direct::STAND_IN_REF`]).
    stood_for: &'a [&'a Loc],
    body: &'a Loc,
}

impl<'a> At<'a> {
    /// The location a `ref` names.
    fn get(&self, r: usize) -> Option<&'a Loc> {
        match r.checked_sub(STAND_IN_REF) {
            Some(i) => self.stood_for.get(i).copied(),
            None => self.locs.get(r).copied(),
        }
    }
}

/// Below this many resources, policies run on the calling thread.
const PARALLEL_MIN: usize = 64;

/// How many ranges of resources each thread takes, on average.
const RANGES_PER_THREAD: usize = 8;

/// What one range of resources gave.
#[derive(Default)]
struct Part {
    findings: Vec<Finding>,
    /// (policy index, its first failure in the range)
    errors: Vec<(usize, PolicyError)>,
}

fn describe(model: &Model, loc: &Loc) -> String {
    let file = model
        .files
        .get(loc.file as usize)
        .map(|f| crate::paths::display_path(&f.path))
        .unwrap_or_default();
    format!("{file}:{}:{}", loc.start.line, loc.start.column)
}

/// The findings of one policy's `deny` or `warn` set on one resource. A result is a message,
/// or an object with `msg` and `at` (a model value, or its `loc`) and optionally `help`.
/// Read from the engine's values as they are (converting every result to JSON first cost as
/// much as evaluating it).
fn results_of(
    value: &regorus::Value,
    place: &At<'_>,
    policy: &Policy,
    severity: Option<Severity>,
    out: &mut Vec<Finding>,
) {
    use regorus::Value as V;
    let items = result_items(value);
    let first = out.len();
    for item in items {
        let (message, at, help) = match item {
            V::String(s) => (s.as_ref(), None, None),
            V::Object(_) => {
                let text = |key: &str| field(item, key).and_then(|v| v.as_string().ok());
                (
                    text("msg")
                        .or_else(|| text("message"))
                        .map_or(policy.rule.meta.summary, |s| s.as_ref()),
                    field(item, "at"),
                    text("help"),
                )
            }
            _ => continue,
        };
        let loc = at
            .and_then(loc_ref)
            .and_then(|r| place.get(r))
            .unwrap_or(place.body);
        // The policy's help is one text for all its findings; a result's own is copied.
        let help: std::borrow::Cow<'static, str> = match help {
            Some(s) => s.to_string().into(),
            None => policy.help.into(),
        };
        let mut text = String::with_capacity(message.len() + policy.tag.len());
        text.push_str(message);
        text.push_str(&policy.tag);
        let mut finding = Finding::new(policy.rule, loc, text, help);
        if let Some(s) = severity {
            finding.severity = s;
        }
        out.push(finding);
    }
    // In the order of what the report shows of them (place, pointer, where the value was
    // set, message), not of the values the policy gave: of two results at one place the
    // report keeps the first, which is then the same however the values compare (a direct
    // evaluation builds only what a result reads of them).
    if let Some(new) = out.get_mut(first..) {
        new.sort_by(|a, b| {
            (&a.loc, &a.used_at, &a.message, &a.help)
                .cmp(&(&b.loc, &b.used_at, &b.message, &b.help))
        });
    }
}

/// The results a `deny` or `warn` value holds: its elements (a set, or the list a direct
/// evaluation gives), or the value itself when it is one result; none in `null`, a boolean or
/// undefined.
fn result_items(value: &regorus::Value) -> impl Iterator<Item = &regorus::Value> {
    use regorus::Value as V;
    let (list, set, one) = match value {
        V::Array(items) => (Some(items.iter()), None, None),
        V::Set(items) => (None, Some(items.iter()), None),
        V::Null | V::Bool(_) | V::Undefined => (None, None, None),
        other => (None, None, Some(other)),
    };
    list.into_iter()
        .flatten()
        .chain(set.into_iter().flatten())
        .chain(one)
}

/// The `ref`s of the places a set's results name (see [`results_of`]).
fn result_refs(value: &regorus::Value) -> impl Iterator<Item = usize> + '_ {
    result_items(value).filter_map(|item| loc_ref(field(item, "at")?))
}

/// Whether [`results_of`] finds any result in a value.
fn has_results(value: &regorus::Value) -> bool {
    result_items(value).next().is_some()
}

/// The `ref` of a value (`{"value", "loc"}`), of a location, or of an object with a `loc`.
fn loc_ref(at: &regorus::Value) -> Option<usize> {
    let r = field(at, "ref").or_else(|| field(field(at, "loc")?, "ref"))?;
    r.as_u64().ok().and_then(|r| usize::try_from(r).ok())
}

/// An object's field, found by name (`value[name]` builds a value of the name first).
fn field<'v>(value: &'v regorus::Value, name: &str) -> Option<&'v regorus::Value> {
    match value {
        regorus::Value::Object(fields) => fields
            .iter()
            .find(|(k, _)| k.as_string().is_ok_and(|k| k.as_ref() == name))
            .map(|(_, v)| v),
        _ => None,
    }
}
