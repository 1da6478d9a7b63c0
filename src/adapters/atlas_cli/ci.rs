//! The shell scripts of CI configurations: GitHub Actions workflows (`jobs.<id>.steps[].run`)
//! and composite actions (`runs.steps[].run`), CircleCI's steps (`run:` or `run.command`),
//! GitLab CI jobs (`script`, `before_script`, `after_script`, also under `default:` and at
//! the top level), Azure Pipelines' steps (`bash`, `script`, inline `Bash`, `CmdLine` and
//! `AzureCLI` tasks), AWS CodeBuild's build specifications (`phases.*.commands`), Bitbucket
//! Pipelines' steps (`script`, `after-script`), and Kubernetes containers that run a shell
//! with `-c` (a Job, a CronJob, an Argo CD hook) with Tekton and Argo Workflows scripts. A
//! step that runs another shell (`shell: pwsh`, `python`, `cmd`; a GitHub job on a Windows
//! runner without `shell:`, which runs PowerShell; a GitLab job on a Windows runner) is not
//! read.

use std::collections::HashMap;

use super::super::common::template_body;
use crate::document::{Cursor, Value};
use crate::model::{Allows, LocCtx, Model, Note, WrittenNote};

pub(super) const GITLAB_SCRIPTS: &[&str] = &["script", "before_script", "after_script"];

/// Where a CI script runs.
pub(super) enum StepDir {
    /// A directory relative to the repository's root (the checkout): GitHub Actions' and
    /// GitLab's steps.
    Repository(String),
    /// A directory relative to the configuration file's own (`""` for it): a Taskfile's task
    /// (its `dir`).
    File(String),
}

/// One script of a CI configuration.
pub(super) struct CiScript<'a> {
    pub(super) script: Cursor<'a>,
    /// The directory it runs in (see [`scripts`]).
    pub(super) dir: StepDir,
    /// The environment variables the configuration gives it, outermost first (a later one of
    /// a name overrides an earlier): GitHub Actions' workflow, job and step `env`, CircleCI's
    /// job and step `environment`, GitLab's global and job `variables`.
    pub(super) env: Env<'a>,
    /// A Kubernetes container that runs the Atlas CLI itself (`command: ["atlas", ...]`):
    /// its words, each a scalar (`script` is the first); empty for a script.
    pub(super) exec: Vec<Cursor<'a>>,
}

/// A container's words (`command` then `args`) as one shell command line (see
/// [`CiScript::exec`]), and where each word starts in it. Each word is quoted so that the
/// shell takes it whole; a Kubernetes `$(NAME)` (the container's variable) becomes the shell's
/// `${NAME}`, read like a script's variable, and `$$` a literal `$`.
pub(super) fn exec_line(words: &[Cursor<'_>]) -> (String, Vec<u32>) {
    let mut line = String::new();
    let mut starts = Vec::with_capacity(words.len());
    for word in words {
        if !line.is_empty() {
            line.push(' ');
        }
        starts.push(u32::try_from(line.len()).unwrap_or(u32::MAX));
        let value = word.str().unwrap_or("");
        if !value.contains("$(") {
            line.push('\'');
            line.push_str(&value.replace('\'', "'\\''"));
            line.push('\'');
            continue;
        }
        line.push('"');
        let mut rest = value;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("$$") {
                line.push_str("\\$");
                rest = after;
                continue;
            }
            if let Some(after) = rest.strip_prefix("$(") {
                let name_len = after
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                let name = after.get(..name_len).unwrap_or("");
                let starts_well = name.bytes().next().is_some_and(|b| !b.is_ascii_digit());
                if starts_well && after.get(name_len..).is_some_and(|r| r.starts_with(')')) {
                    line.push_str("${");
                    line.push_str(name);
                    line.push('}');
                    rest = after.get(name_len + 1..).unwrap_or("");
                    continue;
                }
            }
            if matches!(c, '$' | '"' | '\\' | '`') {
                line.push('\\');
            }
            line.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        }
        line.push('"');
    }
    (line, starts)
}

/// Environment variables set in a CI configuration: name and value (`None`: set to a value
/// that is not known, which hides any outer one).
pub(super) type Env<'a> = Vec<(String, Option<Cursor<'a>>)>;

/// Most combinations of a GitHub Actions matrix read (see [`matrix_combinations`]).
const MAX_COMBINATIONS: usize = 16;

/// The combinations of a GitHub Actions job's `strategy.matrix` whose keys list scalars
/// (`region: [US_GOV_WEST_1, US_GOV_EAST_1]`), each as the variables `matrix.KEY` it sets
/// (see `single_variable`), every value located in the list. None when the matrix has an
/// `include` or `exclude` (which combinations run is then not read), a key whose values are
/// not a list of scalars, or more than [`MAX_COMBINATIONS`].
fn matrix_combinations<'a>(job: &Cursor<'a>) -> Vec<Env<'a>> {
    let Some(matrix) = job.path(&["strategy", "matrix"]) else {
        return Vec::new();
    };
    if matrix.node.as_map().is_none()
        || matrix.get("include").is_some()
        || matrix.get("exclude").is_some()
    {
        return Vec::new();
    }
    let mut combinations: Vec<Env<'a>> = vec![Vec::new()];
    for (key, values) in matrix.entries() {
        let Some(key) = key.text().filter(|k| is_variable_name(k)) else {
            return Vec::new();
        };
        let items: Vec<Cursor<'a>> = values.items().collect();
        let scalars = values.node.as_seq().is_some()
            && items
                .iter()
                .all(|i| i.node.as_map().is_none() && i.node.as_seq().is_none());
        if !scalars || items.is_empty() || combinations.len() * items.len() > MAX_COMBINATIONS {
            return Vec::new();
        }
        combinations = combinations
            .iter()
            .flat_map(|c| {
                items.iter().map(move |item| {
                    let mut c = c.clone();
                    c.push((format!("matrix.{key}"), Some(item.clone())));
                    c
                })
            })
            .collect();
    }
    combinations
}

/// The variables of the mapping under `key` of `cur` whose names are shell variable names,
/// appended to `env`; a GitLab variable may be `{value: ..., description: ...}`.
fn env_under<'a>(cur: &Cursor<'a>, key: &str, env: &mut Env<'a>) {
    let Some(vars) = cur.get(key).filter(|v| v.node.as_map().is_some()) else {
        return;
    };
    for (name, value) in vars.entries() {
        let Some(name) = name.text().filter(|n| is_variable_name(n)) else {
            continue;
        };
        let value = if value.node.as_map().is_some() {
            match value.get("value") {
                Some(v) => v,
                None => continue,
            }
        } else {
            value
        };
        env.push((name.to_string(), Some(value)));
    }
}

fn is_variable_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| !b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The script strings of a CI configuration (none for any other document), each with the
/// directory it runs in, relative to the repository's root (GitHub Actions' workspace and
/// GitLab's `$CI_PROJECT_DIR` are the checkout): a step's `working-directory`, or its job's or
/// workflow's `defaults.run.working-directory`, else `""`.
pub(super) fn scripts<'a>(root: &Cursor<'a>) -> Vec<CiScript<'a>> {
    let mut found = Vec::new();
    if root.node.as_map().is_none() {
        return found;
    }
    // GitHub Actions, CircleCI.
    if let Some(jobs) = root.get("jobs").filter(|j| j.node.as_map().is_some()) {
        let workflow_shell = default_shell(root);
        let workflow_dir = default_dir(root);
        let mut workflow_env = Env::new();
        env_under(root, "env", &mut workflow_env);
        let workflow_index = EnvIndex::new(&workflow_env);
        for (_, job) in jobs.entries() {
            let windows = job.get("runs-on").is_some_and(|r| mentions(&r, "windows"));
            let job_shell = default_shell(&job).or(workflow_shell.clone());
            let job_dir = default_dir(&job).or(workflow_dir.clone());
            let mut job_env = Env::new();
            env_under(&job, "env", &mut job_env);
            // CircleCI's job `environment:` is variables; GitHub's (a job with `runs-on`) is
            // the deployment environment it targets.
            if job.get("runs-on").is_none() {
                env_under(&job, "environment", &mut job_env);
            }
            // A matrix job runs once per combination of its values: a step that reads one
            // (`${{ matrix.region }}`) is read once for each.
            let combinations = matrix_combinations(&job);
            let none: [Env<'a>; 1] = [Vec::new()];
            let job_index = EnvIndex::new(&job_env);
            let layers = [(&workflow_env, &workflow_index), (&job_env, &job_index)];
            for step in job.get("steps").iter().flat_map(|s| s.items()) {
                // A step that runs for some combinations only (`if: matrix.region != ...`):
                // which ones is not read, so its matrix values stay unknown.
                let conditional = step.get("if").is_some_and(|c| mentions(&c, "matrix."));
                let reads_matrix =
                    !combinations.is_empty() && !conditional && mentions(&step, "matrix.");
                let each: &[Env<'a>] = if reads_matrix { &combinations } else { &none };
                for combination in each {
                    let to = StepContext {
                        shell: job_shell.as_deref(),
                        dir: job_dir.as_deref(),
                        windows,
                        layers: &layers,
                        combination,
                    };
                    steps(&step, to, &mut found);
                }
            }
        }
    }
    // A composite action.
    if let Some(runs) = root.get("runs") {
        for step in runs.get("steps").iter().flat_map(|s| s.items()) {
            let to = StepContext {
                shell: None,
                dir: None,
                windows: false,
                layers: &[],
                combination: &[],
            };
            steps(&step, to, &mut found);
        }
    }
    // Azure Pipelines: `steps`, `jobs[].steps` or `stages[].jobs[].steps` (lists).
    azure(root, &mut found);
    codebuild(root, &mut found);
    bitbucket(root, &mut found);
    taskfile(root, &mut found);
    kubernetes(root, &mut found);
    terraform(root, &mut found);
    compose(root, &mut found);
    // GitLab CI: jobs are the top-level mappings with a script (hidden `.template` jobs too).
    if root.get("jobs").is_none() {
        let mut global_env = Env::new();
        env_under(root, "variables", &mut global_env);
        for (key, value) in root.entries() {
            let mut gitlab = Vec::new();
            let is_script_key = key.text().is_some_and(|k| GITLAB_SCRIPTS.contains(&k));
            let mut env = global_env.clone();
            if is_script_key {
                strings(&value, &mut gitlab);
            } else if value.node.as_map().is_some() {
                // A job on a Windows runner (`tags: [saas-windows-medium-amd64]`) runs
                // PowerShell: not read.
                if value.get("tags").is_some_and(|t| mentions(&t, "windows")) {
                    continue;
                }
                // A job with its `extends:` templates merged in, as GitLab merges them.
                let templates = extended(root, &value);
                // A hidden job (`.template`) and `default:` never run as they are: their
                // scripts run in the jobs that take them, with those jobs' variables, so
                // here no variable is known (their literal values are still read).
                let runs = key
                    .text()
                    .is_some_and(|k| !k.starts_with('.') && k != "default");
                if runs {
                    gitlab_variables(&templates, &value, &mut env);
                    unknown_by_rules(&value, &mut env);
                } else {
                    env.clear();
                }
                for script in GITLAB_SCRIPTS {
                    if let Some(s) = gitlab_key(&templates, &value, script) {
                        strings(&s, &mut gitlab);
                    }
                }
            }
            found.extend(gitlab.into_iter().map(|script| CiScript {
                script,
                dir: StepDir::Repository(String::new()),
                env: env.clone(),
                exec: Vec::new(),
            }));
        }
    }
    found
}

/// How many `extends:` levels GitLab follows (11); deeper is not read.
const MAX_EXTENDS: usize = 11;

/// The names a GitLab job `extends:` (`extends: .template` or a list), in order.
fn extends_names(job: &Cursor<'_>) -> Vec<String> {
    let Some(extends) = job.get("extends") else {
        return Vec::new();
    };
    match extends.str() {
        Some(name) => vec![name.to_string()],
        None => extends
            .items()
            .filter_map(|i| i.str().map(str::to_string))
            .collect(),
    }
}

/// The templates a GitLab job extends, nested ones included, in the order GitLab merges them
/// (a template's own templates before it, the list in order): each once, so a template listed
/// again or a cycle (which GitLab refuses) costs nothing.
fn extended<'a>(root: &Cursor<'a>, job: &Cursor<'a>) -> Vec<Cursor<'a>> {
    fn visit<'a>(
        root: &Cursor<'a>,
        job: &Cursor<'a>,
        depth: usize,
        seen: &mut std::collections::HashSet<String>,
        out: &mut Vec<Cursor<'a>>,
    ) {
        if depth >= MAX_EXTENDS {
            return;
        }
        for name in extends_names(job) {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(template) = root.get(&name).filter(|t| t.node.as_map().is_some()) else {
                continue;
            };
            visit(root, &template, depth + 1, seen, out);
            out.push(template);
        }
    }
    let mut out = Vec::new();
    visit(
        root,
        job,
        0,
        &mut std::collections::HashSet::new(),
        &mut out,
    );
    out
}

/// A GitLab job's `key` (a script), its own or, as `extends:` merges, the last of its
/// templates' that has one.
fn gitlab_key<'a>(templates: &[Cursor<'a>], job: &Cursor<'a>, key: &str) -> Option<Cursor<'a>> {
    job.get(key)
        .or_else(|| templates.iter().rev().find_map(|t| t.get(key)))
}

/// A GitLab job's `variables`, its templates' first (in merge order), then its own, each later
/// one of a name overriding (GitLab merges the mappings).
fn gitlab_variables<'a>(templates: &[Cursor<'a>], job: &Cursor<'a>, env: &mut Env<'a>) {
    for template in templates {
        env_under(template, "variables", env);
    }
    env_under(job, "variables", env);
}

/// The variables a GitLab job's `rules:` set (`rules: [{if: ..., variables: {TIER: M30}}]`):
/// each depends on which rule matches, so it is no known value.
fn unknown_by_rules<'a>(job: &Cursor<'a>, env: &mut Env<'a>) {
    for rule in job.get("rules").iter().flat_map(|r| r.items()) {
        let mut set = Env::new();
        env_under(&rule, "variables", &mut set);
        env.extend(set.into_iter().map(|(name, _)| (name, None)));
    }
}

/// Azure Pipelines' steps (a pipeline, or a steps, jobs or stages template): `bash:`,
/// `script:` (bash on Linux and macOS agents, `cmd` on a Windows pool, which is not read), and
/// the inline scripts of the `Bash`, `CmdLine` and `AzureCLI` tasks (`AzureCLI` with
/// `scriptType: bash`); each in the step's `workingDirectory`, else the checkout.
fn azure<'a>(root: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    let windows = pool_windows(root).unwrap_or(false);
    azure_steps(root, windows, out);
    let jobs_of = |c: &Cursor<'a>| c.get("jobs").filter(|j| j.node.as_seq().is_some());
    let mut jobs: Vec<(Cursor<'a>, bool)> = jobs_of(root)
        .iter()
        .flat_map(|j| j.items())
        .map(|j| (j, windows))
        .collect();
    for stage in root
        .get("stages")
        .filter(|s| s.node.as_seq().is_some())
        .iter()
        .flat_map(|s| s.items())
    {
        let windows = pool_windows(&stage).unwrap_or(windows);
        jobs.extend(
            jobs_of(&stage)
                .iter()
                .flat_map(|j| j.items())
                .map(|j| (j, windows)),
        );
    }
    for (job, windows) in jobs {
        let windows = pool_windows(&job).unwrap_or(windows);
        azure_steps(&job, windows, out);
        // A deployment job's strategy: `strategy.runOnce.deploy.steps` and the other hooks.
        if let Some(strategy) = job.get("strategy") {
            for (_, kind) in strategy.entries() {
                for (_, hook) in kind.entries() {
                    azure_steps(&hook, windows, out);
                    if let Some(on) = hook.get("on") {
                        for (_, h) in on.entries() {
                            azure_steps(&h, windows, out);
                        }
                    }
                }
            }
        }
    }
}

/// The phases of AWS CodeBuild's build specification (`buildspec.yml`: `version` and
/// `phases`): each phase's `commands` and `finally` lines, in the source directory, with
/// `env.variables` set (a `parameter-store` or `secrets-manager` name is set to a value not
/// known). A Windows build's (`env.shell` PowerShell or `cmd`) is not read.
fn codebuild<'a>(root: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    let (Some(_), Some(phases)) = (
        root.get("version"),
        root.get("phases").filter(|p| p.node.as_map().is_some()),
    ) else {
        return;
    };
    let env_block = root.get("env");
    if let Some(shell) = env_block
        .as_ref()
        .and_then(|e| e.get("shell"))
        .and_then(|s| s.str().map(str::to_string))
    {
        if !posix(&shell) {
            return;
        }
    }
    let mut env = Env::new();
    if let Some(block) = &env_block {
        env_under(block, "variables", &mut env);
        for key in ["parameter-store", "secrets-manager"] {
            for (name, _) in block.get(key).iter().flat_map(|m| m.entries()) {
                if let Some(name) = name.text().filter(|n| is_variable_name(n)) {
                    env.push((name.to_string(), None));
                }
            }
        }
    }
    for (_, phase) in phases.entries() {
        script_lists(&phase, &["commands", "finally"], &env, out);
    }
}

/// go-task Taskfiles (`version: '3'`, `tasks: {NAME: {cmds: [...]}}`): the commands of every
/// task (strings, a mapping's `cmd`, a task written as one command or a list of them), with the
/// file's and the task's `env` literals as their variables. A `{{.VAR}}` template is go-task's
/// own: it stays as written, which no rule takes for a value it knows.
fn taskfile<'a>(root: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    let (Some(_), Some(tasks)) = (
        root.get("version"),
        root.get("tasks").filter(|t| t.node.as_map().is_some()),
    ) else {
        return;
    };
    let mut global = Env::new();
    env_under(root, "env", &mut global);
    for (_, task) in tasks.entries() {
        let mut env = global.clone();
        let mut lines = Vec::new();
        if task.node.as_map().is_some() {
            env_under(&task, "env", &mut env);
            for key in ["cmds", "cmd"] {
                for cmd in task.get(key).iter().flat_map(|c| {
                    if c.str().is_some() {
                        vec![c.clone()]
                    } else {
                        c.items().collect()
                    }
                }) {
                    match cmd.get("cmd") {
                        Some(inner) if inner.str().is_some() => lines.push(inner),
                        _ if cmd.str().is_some() => lines.push(cmd),
                        _ => {}
                    }
                }
            }
        } else {
            strings(&task, &mut lines);
        }
        let dir = task
            .get("dir")
            .and_then(|d| d.str().map(str::to_string))
            .unwrap_or_default();
        out.extend(lines.into_iter().map(|script| CiScript {
            script,
            dir: StepDir::File(dir.clone()),
            env: env.clone(),
            exec: Vec::new(),
        }));
    }
}

/// The script lines under `keys` of `cur`, each a script run in the checkout with `env`.
fn script_lists<'a>(cur: &Cursor<'a>, keys: &[&str], env: &Env<'a>, out: &mut Vec<CiScript<'a>>) {
    let mut lines = Vec::new();
    for key in keys {
        if let Some(list) = cur.get(key) {
            strings(&list, &mut lines);
        }
    }
    out.extend(lines.into_iter().map(|script| CiScript {
        script,
        dir: StepDir::Repository(String::new()),
        env: env.clone(),
        exec: Vec::new(),
    }));
}

/// Bitbucket Pipelines (`pipelines:` `default`, `branches`, `pull-requests`, `tags`,
/// `custom`): the `script` and `after-script` lines of every `step`, also inside `parallel`
/// (a list, or `steps:`) and `stage` (`steps:`), in the clone directory. Steps defined under
/// `definitions` are read where a pipeline uses them (YAML aliases are expanded).
fn bitbucket<'a>(root: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    let Some(pipelines) = root.get("pipelines").filter(|p| p.node.as_map().is_some()) else {
        return;
    };
    // A pipeline is a list of items; `default` is one, the others map names to one.
    let mut lists: Vec<Cursor<'a>> = Vec::new();
    for (key, value) in pipelines.entries() {
        if key.text() == Some("default") {
            lists.push(value);
        } else {
            lists.extend(value.entries().map(|(_, v)| v));
        }
    }
    let mut todo: Vec<Cursor<'a>> = lists.iter().flat_map(|l| l.items()).collect();
    // Each item of the tree is visited once.
    while let Some(item) = todo.pop() {
        if let Some(step) = item.get("step") {
            script_lists(&step, &["script", "after-script"], &Env::new(), out);
        }
        for group in ["parallel", "stage"] {
            if let Some(g) = item.get(group) {
                let steps = if g.node.as_seq().is_some() {
                    Some(g)
                } else {
                    g.get("steps")
                };
                todo.extend(steps.iter().flat_map(|s| s.items()));
            }
        }
    }
}

/// Kubernetes objects (a Pod, a Job, a CronJob, a Deployment, an Argo CD hook, any object with
/// containers) and Tekton and Argo Workflows steps: a container whose command runs a shell with
/// `-c` (`command: [sh, -c]`, `args: ["atlas clusters create ..."]`) has that string as its
/// script, with the container's `env` literals as its variables (a `valueFrom` is not known);
/// a Tekton step's `script` and an Argo `script.source` are scripts too.
fn kubernetes<'a>(root: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    if root.get("apiVersion").is_none() || root.get("kind").is_none() {
        return;
    }
    // Every container list in the object (the tree is bounded by the parser's limits).
    let mut todo = vec![root.clone()];
    while let Some(cur) = todo.pop() {
        for (key, value) in cur.entries() {
            let containers = matches!(
                key.text(),
                Some(
                    "containers" | "initContainers" | "ephemeralContainers" | "steps" | "sidecars"
                )
            );
            if containers && value.node.as_seq().is_some() {
                for c in value.items() {
                    container(&c, out);
                }
            } else if key.text() == Some("script") && value.node.as_map().is_some() {
                // Argo Workflows: `script: {image, command: [bash], source: |...}`.
                if let Some(source) = value.get("source").filter(|s| s.str().is_some()) {
                    out.push(CiScript {
                        script: source,
                        dir: StepDir::Repository(String::new()),
                        env: container_env(&value),
                        exec: Vec::new(),
                    });
                }
            }
            if value.node.as_map().is_some() {
                todo.push(value);
            } else if value.node.as_seq().is_some() {
                todo.extend(value.items().filter(|i| i.node.as_map().is_some()));
            }
        }
    }
}

/// Terraform's provisioners (`.tf`, `.tf.json`): a `local-exec` `command` (with its
/// `environment`), each line of a `remote-exec` `inline`, and an instance's `user_data` that is
/// a shell script (`#!/bin/bash`), in any resource. Only strings written out are read: a
/// template with `${...}` is an expression whose value Terraform computes (its base URLs and
/// SCRAM options are read by the any-file adapter).
fn terraform<'a>(root: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    let Some(resources) = root.get("resource").filter(|r| r.node.as_map().is_some()) else {
        return;
    };
    let script = |script: Cursor<'a>, env: Env<'a>| CiScript {
        script,
        dir: StepDir::Repository(String::new()),
        env,
        exec: Vec::new(),
    };
    // `resource.<type>.<name>` (a list of such mappings in Terraform JSON, at any level).
    let maps = |c: Cursor<'a>| -> Vec<Cursor<'a>> {
        match &c.node.value {
            Value::Map(_) => vec![c],
            Value::Seq(_) => c.items().filter(|i| i.node.as_map().is_some()).collect(),
            _ => Vec::new(),
        }
    };
    for types in maps(resources) {
        for (_, names) in types.entries() {
            for by_name in maps(names) {
                for (_, body) in by_name.entries() {
                    for body in maps(body) {
                        if let Some(data) = body.get("user_data").filter(|d| {
                            d.str().or_else(|| d.node.expr_source()).is_some_and(|t| {
                                let t = if t.starts_with("<<") {
                                    template_body(t)
                                } else {
                                    t
                                };
                                t.trim_start().strip_prefix("#!").is_some_and(|line| {
                                    let line = line.lines().next().unwrap_or("");
                                    line.ends_with("/sh") || line.ends_with("bash")
                                })
                            })
                        }) {
                            out.push(script(data, Vec::new()));
                        }
                        for provisioners in body.get("provisioner").into_iter().flat_map(maps) {
                            for (kind, p) in provisioners.entries() {
                                for p in maps(p) {
                                    match kind.text() {
                                        Some("local-exec") => {
                                            let mut env = Env::new();
                                            env_under(&p, "environment", &mut env);
                                            if let Some(c) = p.get("command").filter(|c| {
                                                c.str().is_some() || c.node.expr_source().is_some()
                                            }) {
                                                out.push(script(c, env));
                                            }
                                        }
                                        Some("remote-exec") => {
                                            for line in p
                                                .get("inline")
                                                .iter()
                                                .flat_map(|l| l.items())
                                                .filter(|l| l.str().is_some())
                                            {
                                                out.push(script(line, Vec::new()));
                                            }
                                        }
                                        _ => {}
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Docker Compose services (`services: {name: {image, entrypoint, command, environment}}`):
/// a `command` string with no `entrypoint` is one command line (the image's own entrypoint,
/// which the Atlas CLI's image lacks, would come before it: only `atlas ...` is read there);
/// `entrypoint` and `command` lists are the container's words (`["atlas", ...]`, or `sh -c
/// SCRIPT`). A `$VAR` there is unknown (Compose fills it from the host, see below).
fn compose<'a>(root: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    let Some(services) = root.get("services").filter(|s| s.node.as_map().is_some()) else {
        return;
    };
    for (_, service) in services.entries() {
        if service.get("image").is_none() && service.get("build").is_none() {
            continue;
        }
        // Compose fills `$VAR` in the file from the host's environment or `.env` as it reads
        // it, not from the service's `environment` (which the container's process gets: its
        // `MONGODB_ATLAS_SERVICE` is judged where it is written), so no variable is known.
        let env = Env::new();
        let entrypoint = service.get("entrypoint");
        let command = service.get("command");
        match (&entrypoint, &command) {
            (None, Some(line))
                if line.str().is_some_and(|l| {
                    let program = l.split_whitespace().next().unwrap_or("");
                    program == "atlas" || program.ends_with("/atlas")
                }) =>
            {
                out.push(CiScript {
                    script: line.clone(),
                    dir: StepDir::Repository(String::new()),
                    env,
                    exec: Vec::new(),
                });
            }
            _ => {
                // Lists only: a string `entrypoint` is split by Compose, not by a shell.
                let lists = [entrypoint, command];
                if lists.iter().flatten().any(|l| l.node.as_seq().is_none()) {
                    continue;
                }
                let words: Vec<Cursor<'a>> = lists
                    .into_iter()
                    .flatten()
                    .flat_map(|l| l.items().collect::<Vec<_>>())
                    .collect();
                run_words(words, env, out);
            }
        }
    }
}

/// The lines of a Terraform heredoc written out (`<<-EOT` ... `EOT`, no `${...}` or `%{...}`
/// in it: Terraform computes those), from the file's `text`: the script a provisioner's
/// `command` or an instance's `user_data` holds, each line where it is in the file (their
/// indentation is the shell's blank), with Terraform's `$${` and `%%{` escapes undone.
pub(super) fn literal_heredoc<'t>(
    text: &'t str,
    cur: &Cursor<'_>,
) -> Option<std::borrow::Cow<'t, str>> {
    if !cur.node.is_expr() {
        return None;
    }
    let source = text.get(cur.node.span.start as usize..cur.node.span.end as usize)?;
    if !source.starts_with("<<") {
        return None;
    }
    let body = template_body(source);
    let bytes = body.as_bytes();
    let interpolates = bytes.windows(2).enumerate().any(|(i, w)| {
        (w == b"${" || w == b"%{") && i.checked_sub(1).and_then(|j| bytes.get(j)) != w.first()
    });
    if interpolates {
        return None;
    }
    // Terraform's escapes: `$${` is the script's `${`, `%%{` its `%{`.
    Some(if body.contains("$${") || body.contains("%%{") {
        std::borrow::Cow::Owned(body.replace("$${", "${").replace("%%{", "%{"))
    } else {
        std::borrow::Cow::Borrowed(body)
    })
}

/// The shell script of one container (see [`kubernetes`]).
fn container<'a>(c: &Cursor<'a>, out: &mut Vec<CiScript<'a>>) {
    if c.node.as_map().is_none() {
        return;
    }
    let env = container_env(c);
    // A Tekton step's `script` (run by its shebang, `sh` by default).
    if let Some(script) = c.get("script").filter(|s| s.str().is_some()) {
        let shell = script
            .str()
            .and_then(|t| t.strip_prefix("#!"))
            .map(|line| line.lines().next().unwrap_or("").to_string());
        if shell.as_deref().is_none_or(|line| {
            line.split_whitespace()
                .find(|w| !w.ends_with("/env") && *w != "env")
                .is_some_and(posix)
        }) {
            out.push(CiScript {
                script,
                dir: StepDir::Repository(String::new()),
                env: env.clone(),
                exec: Vec::new(),
            });
        }
    }
    let words: Vec<Cursor<'a>> = ["command", "args"]
        .iter()
        .filter_map(|k| c.get(k))
        .flat_map(|list| list.items().collect::<Vec<_>>())
        .collect();
    run_words(words, env, out);
}

/// A container's words (its program, then its arguments), no shell between: the Atlas CLI
/// run with them, or a POSIX shell's `-c` script.
fn run_words<'a>(words: Vec<Cursor<'a>>, env: Env<'a>, out: &mut Vec<CiScript<'a>>) {
    let Some(program) = words.first().and_then(|w| w.str()) else {
        return;
    };
    // `command: ["atlas", "clusters", "create", ...]` (or `command: ["atlas"]` with the rest as
    // `args`): the Atlas CLI run with these words, no shell between (the CLI's image has no
    // entrypoint of its own).
    if program == "atlas" || program.ends_with("/atlas") {
        if let Some(first) = words.first() {
            out.push(CiScript {
                script: first.clone(),
                dir: StepDir::Repository(String::new()),
                env,
                exec: words,
            });
        }
        return;
    }
    if !posix(program) {
        return;
    }
    // `sh -c SCRIPT`, `bash -ec SCRIPT`: the word after the first option holding `c`.
    let mut rest = words.iter().skip(1);
    while let Some(word) = rest.next() {
        let Some(text) = word.str() else { return };
        // `-o pipefail` (and `+o`): an option with an argument.
        if matches!(text, "-o" | "+o") {
            rest.next();
            continue;
        }
        match text.strip_prefix('-') {
            Some(opts) if !opts.starts_with('-') => {
                if opts.contains('c') {
                    if let Some(script) = rest.next().filter(|s| s.str().is_some()) {
                        out.push(CiScript {
                            script: script.clone(),
                            dir: StepDir::Repository(String::new()),
                            env,
                            exec: Vec::new(),
                        });
                    }
                    return;
                }
            }
            _ => return,
        }
    }
}

/// A container's `env` entries (`name`/`value`; one set `valueFrom` is not known).
fn container_env<'a>(c: &Cursor<'a>) -> Env<'a> {
    let mut env = Env::new();
    for entry in c.get("env").iter().flat_map(|e| e.items()) {
        let Some(name) = entry
            .get("name")
            .and_then(|n| n.str().map(str::to_string))
            .filter(|n| is_variable_name(n))
        else {
            continue;
        };
        env.push((name, entry.get("value").filter(|v| v.str().is_some())));
    }
    env
}

/// Whether a pipeline's, stage's or job's `pool` is a Windows one (`vmImage: windows-latest`,
/// a `demands` of `Agent.OS -equals Windows_NT`); `None` when it does not say.
fn pool_windows(cur: &Cursor<'_>) -> Option<bool> {
    let pool = cur.get("pool")?;
    Some(
        ["vmImage", "demands"]
            .iter()
            .filter_map(|k| pool.get(k))
            .any(|v| mentions(&v, "windows")),
    )
}

/// The scripts of the `steps` list under `cur`.
fn azure_steps<'a>(cur: &Cursor<'a>, windows: bool, out: &mut Vec<CiScript<'a>>) {
    let Some(steps) = cur.get("steps").filter(|s| s.node.as_seq().is_some()) else {
        return;
    };
    for step in steps.items() {
        // Relative to the checkout, which Azure names `$(System.DefaultWorkingDirectory)` (or
        // `$(Build.SourcesDirectory)` for one repository).
        let dir = step
            .get("workingDirectory")
            .and_then(|d| d.str().map(str::to_string))
            .map(|d| {
                [
                    "$(System.DefaultWorkingDirectory)",
                    "$(Build.SourcesDirectory)",
                ]
                .iter()
                .find_map(|p| d.strip_prefix(p))
                .map_or(d.clone(), |rest| rest.trim_start_matches('/').to_string())
            })
            .unwrap_or_default();
        let script = if let Some(bash) = step.get("bash") {
            Some(bash)
        } else if let Some(script) = step.get("script").filter(|_| step.get("task").is_none()) {
            (!windows).then_some(script)
        } else {
            let task = step
                .get("task")
                .and_then(|t| t.str().map(str::to_ascii_lowercase));
            let inputs = step.get("inputs");
            let input = |k: &str| inputs.as_ref().and_then(|i| i.get(k));
            let says = |k: &str, v: &str| {
                input(k)
                    .and_then(|x| x.str().map(str::to_ascii_lowercase))
                    .is_some_and(|x| x == v)
            };
            match task.as_deref().and_then(|t| t.split('@').next()) {
                Some("bash") if says("targetType", "inline") => input("script"),
                Some("cmdline") if !windows => input("script"),
                Some("azurecli") if says("scriptType", "bash") => input("inlineScript"),
                _ => None,
            }
        };
        if let Some(script) = script.filter(|s| s.str().is_some()) {
            out.push(CiScript {
                script,
                dir: StepDir::Repository(dir),
                env: Env::new(),
                exec: Vec::new(),
            });
        }
    }
}

/// `defaults.run.shell` of a workflow or job.
fn default_shell(cur: &Cursor<'_>) -> Option<String> {
    cur.path(&["defaults", "run", "shell"])
        .and_then(|s| s.str().map(str::to_string))
}

fn mentions(cur: &Cursor<'_>, word: &str) -> bool {
    match cur.str() {
        Some(s) => s.to_ascii_lowercase().contains(word),
        // A list, or a map (`runs-on: {group: ..., labels: windows-2022}`).
        None => {
            cur.items().any(|i| mentions(&i, word))
                || cur
                    .entries()
                    .any(|(_, v)| v.str().is_some() && mentions(&v, word))
        }
    }
}

/// Whether a step's shell is a POSIX shell (`bash`, `sh`, `bash -e {0}`).
fn posix(shell: &str) -> bool {
    let program = shell.split_whitespace().next().unwrap_or("");
    let program = program.rsplit('/').next().unwrap_or(program);
    matches!(program, "bash" | "sh" | "dash" | "zsh" | "ksh")
}

/// `defaults.run.working-directory` of a workflow or a job.
fn default_dir(cur: &Cursor<'_>) -> Option<String> {
    cur.path(&["defaults", "run", "working-directory"])
        .and_then(|s| s.str().map(str::to_string))
}

/// What a step takes from its job.
#[derive(Clone, Copy)]
struct StepContext<'j, 'a> {
    shell: Option<&'j str>,
    dir: Option<&'j str>,
    windows: bool,
    /// The workflow's variables, then the job's, each with its index (see [`EnvIndex`]): a
    /// step is given those it can read.
    layers: &'j [(&'j Env<'a>, &'j EnvIndex<'j>)],
    /// The matrix values of the combination the step runs with.
    combination: &'j [(String, Option<Cursor<'a>>)],
}

/// A workflow's or a job's variables by the last `.`-separated part of their names (`TIER`,
/// `region` for `matrix.region`). A step is given the variables whose names its script, or the value of a
/// variable it is given, has as a word: the others cannot reach what it runs, and a workflow
/// of thousands of variables and hundreds of steps holding each a copy of all of them took
/// gigabytes.
struct EnvIndex<'e> {
    by_word: HashMap<&'e str, Vec<usize>>,
}

impl<'e> EnvIndex<'e> {
    fn new(env: &'e Env<'_>) -> Self {
        let mut by_word: HashMap<&'e str, Vec<usize>> = HashMap::new();
        for (i, (name, _)) in env.iter().enumerate() {
            let word = name.rsplit('.').next().unwrap_or(name);
            by_word.entry(word).or_default().push(i);
        }
        EnvIndex { by_word }
    }
}

/// The variables of `layers` (each with its index, outermost first) that `texts` reach, in
/// their order: named by a word of a text, or of the value of a variable so reached (in any
/// layer).
fn select<'a>(layers: &[(&Env<'a>, &EnvIndex<'_>)], texts: &[&'a str]) -> Env<'a> {
    let mut kept: Vec<Vec<bool>> = layers
        .iter()
        .map(|(env, _)| vec![false; env.len()])
        .collect();
    let mut pending: Vec<&'a str> = texts.to_vec();
    while !pending.is_empty() {
        let mut reached = Vec::new();
        for text in pending {
            for word in text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
            {
                for (layer, (env, index)) in layers.iter().enumerate() {
                    for &i in index.by_word.get(word).into_iter().flatten() {
                        let Some(k) = kept.get_mut(layer).and_then(|k| k.get_mut(i)) else {
                            continue;
                        };
                        if !*k {
                            *k = true;
                            reached.extend(env.get(i).and_then(|(_, v)| v.as_ref()?.str()));
                        }
                    }
                }
            }
        }
        pending = reached;
    }
    layers
        .iter()
        .zip(kept)
        .flat_map(|((env, _), kept)| {
            env.iter()
                .zip(kept)
                .filter(|(_, kept)| *kept)
                .map(|(entry, _)| entry.clone())
        })
        .collect()
}

fn steps<'a>(step: &Cursor<'a>, job: StepContext<'_, 'a>, out: &mut Vec<CiScript<'a>>) {
    let Some(run) = step.get("run") else { return };
    let dir = step
        .get("working-directory")
        .and_then(|d| d.str().map(str::to_string))
        .or(job.dir.map(str::to_string))
        .unwrap_or_default();
    let shell = step
        .get("shell")
        .and_then(|s| s.str().map(str::to_string))
        .or(job.shell.map(str::to_string));
    let readable = match shell {
        Some(shell) => posix(&shell),
        None => !job.windows,
    };
    if !readable {
        return;
    }
    let mut own = Env::new();
    env_under(step, "env", &mut own);
    env_under(&run, "environment", &mut own);
    let script = if run.str().is_some() {
        Some(run)
    } else {
        run.get("command").filter(|c| c.str().is_some())
    };
    let mut texts: Vec<&str> = script.iter().filter_map(|s| s.str()).collect();
    texts.extend(own.iter().filter_map(|(_, v)| v.as_ref()?.str()));
    let mut env = select(job.layers, &texts);
    env.extend(job.combination.iter().cloned());
    env.extend(own);
    if let Some(script) = script {
        out.push(CiScript {
            script,
            dir: StepDir::Repository(dir),
            env,
            exec: Vec::new(),
        });
    }
}

/// The strings of a GitLab script: one string, or a list of strings (nested lists, from
/// `!reference` tags expanded by anchors, flattened).
fn strings<'a>(cur: &Cursor<'a>, out: &mut Vec<Cursor<'a>>) {
    if cur.str().is_some() {
        out.push(cur.clone());
        return;
    }
    for item in cur.items() {
        if item.str().is_some() {
            out.push(item);
        } else if item.node.as_seq().is_some() {
            for inner in item.items().filter(|i| i.str().is_some()) {
                out.push(inner);
            }
        }
    }
}

/// A GitLab variable that lists its `options` (`TIER: {value: M30, options: [M30, M40]}`: the
/// values a manual pipeline may pick, and GitLab refuses a `value` not among them): its value
/// is restricted to them, so a fix keeps within them (or is not offered). GitLab takes
/// `options` in the top-level `variables` only.
pub(super) fn gitlab_option_notes(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    if root.node.as_map().is_none() || root.get("jobs").is_some() {
        return;
    }
    if let Some(vars) = root.get("variables") {
        for (_, var) in vars.entries() {
            let (Some(value), Some(options)) = (var.get("value"), var.get("options")) else {
                continue;
            };
            let allowed: Option<Vec<String>> = options
                .items()
                .map(|o| o.text().map(str::to_string))
                .collect();
            let Some(allowed) = allowed.filter(|a| !a.is_empty()) else {
                continue;
            };
            out.written_notes.push(WrittenNote::at(
                &ctx.loc(&value),
                Note::Restricted {
                    at: ctx.loc(&options),
                    what: "GitLab variable's options",
                    allows: Allows::OneOf(allowed),
                },
            ));
        }
    }
}

#[cfg(test)]
mod env_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::document::{Limits, Syntax, parse};

    /// A step is given the job's variables its script names, those the values of those name
    /// (`${{ env.BASE }}`), and so on; the others not, and the order stays the job's.
    #[test]
    fn a_step_gets_the_variables_it_can_reach() {
        let text = "env:\n  A: x\n  TIER: M10\n  REGION: ${{ env.BASE }}\n  BASE: ${{ env.DEEP }}\n  DEEP: US_EAST_1\n  TIER: M30\n  UNUSED: $TIER\n  matrix.zone: z\n";
        let doc = parse(text, Syntax::Yaml, &Limits::default()).unwrap();
        let root = Cursor::root(doc.roots.first().unwrap());
        let mut env = Env::new();
        env_under(&root, "env", &mut env);
        let index = EnvIndex::new(&env);
        let names = |texts: &[&str]| -> Vec<String> {
            select(&[(&env, &index)], texts)
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(
            names(&["atlas clusters create c --tier $TIER --region \"${REGION}\""]),
            vec!["TIER", "REGION", "BASE", "DEEP", "TIER"]
        );
        assert!(names(&["echo hello"]).is_empty());
        assert_eq!(names(&["echo ${{ env.A }}"]), vec!["A"]);
    }
}
