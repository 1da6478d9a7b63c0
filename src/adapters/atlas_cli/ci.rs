//! The shell scripts of CI configurations: GitHub Actions workflows (`jobs.<id>.steps[].run`)
//! and composite actions (`runs.steps[].run`), CircleCI's steps (`run:` or `run.command`),
//! GitLab CI jobs (`script`, `before_script`, `after_script`, also under `default:` and at
//! the top level), and Azure Pipelines' steps (`bash`, `script`, inline `Bash`, `CmdLine` and
//! `AzureCLI` tasks). A step that runs another shell (`shell: pwsh`, `python`, `cmd`; a
//! GitHub job on a Windows runner without `shell:`, which runs PowerShell) is not read.

use crate::document::Cursor;

pub(super) const GITLAB_SCRIPTS: &[&str] = &["script", "before_script", "after_script"];

/// The script strings of a CI configuration (none for any other document), each with the
/// directory it runs in, relative to the repository's root (GitHub Actions' workspace and
/// GitLab's `$CI_PROJECT_DIR` are the checkout): a step's `working-directory`, or its job's or
/// workflow's `defaults.run.working-directory`, else `""`.
pub(super) fn scripts<'a>(root: &Cursor<'a>) -> Vec<(Cursor<'a>, String)> {
    let mut found = Vec::new();
    if root.node.as_map().is_none() {
        return found;
    }
    // GitHub Actions, CircleCI.
    if let Some(jobs) = root.get("jobs").filter(|j| j.node.as_map().is_some()) {
        let workflow_shell = default_shell(root);
        let workflow_dir = default_dir(root);
        for (_, job) in jobs.entries() {
            let windows = job.get("runs-on").is_some_and(|r| mentions(&r, "windows"));
            let job_shell = default_shell(&job).or(workflow_shell.clone());
            let job_dir = default_dir(&job).or(workflow_dir.clone());
            for step in job.get("steps").iter().flat_map(|s| s.items()) {
                steps(
                    &step,
                    job_shell.as_deref(),
                    job_dir.as_deref(),
                    windows,
                    &mut found,
                );
            }
        }
    }
    // A composite action.
    if let Some(runs) = root.get("runs") {
        for step in runs.get("steps").iter().flat_map(|s| s.items()) {
            steps(&step, None, None, false, &mut found);
        }
    }
    // Azure Pipelines: `steps`, `jobs[].steps` or `stages[].jobs[].steps` (lists).
    azure(root, &mut found);
    // GitLab CI: jobs are the top-level mappings with a script (hidden `.template` jobs too).
    if root.get("jobs").is_none() {
        let mut gitlab = Vec::new();
        for (key, value) in root.entries() {
            let is_script_key = key.text().is_some_and(|k| GITLAB_SCRIPTS.contains(&k));
            if is_script_key {
                strings(&value, &mut gitlab);
            } else if value.node.as_map().is_some() {
                for script in GITLAB_SCRIPTS {
                    if let Some(s) = value.get(script) {
                        strings(&s, &mut gitlab);
                    }
                }
            }
        }
        found.extend(gitlab.into_iter().map(|c| (c, String::new())));
    }
    found
}

/// Azure Pipelines' steps (a pipeline, or a steps, jobs or stages template): `bash:`,
/// `script:` (bash on Linux and macOS agents, `cmd` on a Windows pool, which is not read), and
/// the inline scripts of the `Bash`, `CmdLine` and `AzureCLI` tasks (`AzureCLI` with
/// `scriptType: bash`); each in the step's `workingDirectory`, else the checkout.
fn azure<'a>(root: &Cursor<'a>, out: &mut Vec<(Cursor<'a>, String)>) {
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
fn azure_steps<'a>(cur: &Cursor<'a>, windows: bool, out: &mut Vec<(Cursor<'a>, String)>) {
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
            out.push((script, dir));
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
        None => cur.items().any(|i| mentions(&i, word)),
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

fn steps<'a>(
    step: &Cursor<'a>,
    job_shell: Option<&str>,
    job_dir: Option<&str>,
    windows: bool,
    out: &mut Vec<(Cursor<'a>, String)>,
) {
    let Some(run) = step.get("run") else { return };
    let dir = step
        .get("working-directory")
        .and_then(|d| d.str().map(str::to_string))
        .or(job_dir.map(str::to_string))
        .unwrap_or_default();
    let shell = step
        .get("shell")
        .and_then(|s| s.str().map(str::to_string))
        .or(job_shell.map(str::to_string));
    let readable = match shell {
        Some(shell) => posix(&shell),
        None => !windows,
    };
    if !readable {
        return;
    }
    if run.str().is_some() {
        out.push((run, dir));
    } else if let Some(command) = run.get("command").filter(|c| c.str().is_some()) {
        out.push((command, dir));
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
