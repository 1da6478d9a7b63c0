//! The shell scripts of CI configurations: GitHub Actions workflows (`jobs.<id>.steps[].run`)
//! and composite actions (`runs.steps[].run`), CircleCI's steps (`run:` or `run.command`),
//! and GitLab CI jobs (`script`, `before_script`, `after_script`, also under `default:` and at
//! the top level). A step that runs another shell (`shell: pwsh`, `python`, `cmd`; a
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
