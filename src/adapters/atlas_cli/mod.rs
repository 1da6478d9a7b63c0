//! Atlas CLI command lines (`mongodb/mongodb-atlas-cli`): in shell scripts, Makefile recipes,
//! Dockerfile `RUN` lines and CI steps (GitHub Actions `run:`, GitLab CI `script:`), and the
//! settings that say which Atlas the CLI talks to.
//!
//! A script's text is split into commands and words by `document::shell` (quotes, escapes,
//! continuations, exact spans); [`commands`] recognises the Atlas CLI commands that create
//! something AtlasGov restricts and turns their flags into model entities, located at the
//! flag values as written. What the shell would expand (`$TIER`, `${REGION:-x}`, `$(...)`)
//! is unknown and never guessed: a present but unknown value is a placeholder that no rule
//! reads as a tier, region or provider.
//!
//! Within one file, a project created by `P=$(atlas projects create ...)` links to the
//! commands that pass `--projectId "$P"` (or export `MONGODB_ATLAS_PROJECT_ID="$P"` before
//! them): its key is `cli:<file>:P`. A command's `--file` body is linked to the command's
//! project when that is known (an Atlas id, or such a variable): a [`KeyAlias`] from the
//! command, resolved by [`link_files`] once every file is read.

mod ci;
mod commands;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::common::{self, Locator};
use crate::document::shell::{self, Dialect};
use crate::document::{Cursor, Span, Value};
use crate::model::{
    Endpoint, Field, KeyAlias, Loc, LocCtx, Model, ProjectRef, SourceFile, Switch, Text,
    intern_value,
};

/// The CLI's name followed by a blank, and the service variable.
/// (`atlas` ending a word with a quote, a comma or a line break: a Kubernetes container's
/// `command: ["atlas", ...]` or `- atlas`; the Admin API's path, which `curl` calls.)
pub const NEEDLES: &[&str] = &[
    "atlas ",
    // The Atlas CLI's GitHub Action (see [`github_action`]).
    "atlas-github-action",
    "Atlas-GitHub-Action",
    "Atlas-Github-Action",
    "ATLAS-GITHUB-ACTION",
    "/api/atlas/",
    // The Atlas Operator's Helm chart, installed by `helm` (see [`helm_release`]).
    "mongodb-atlas-operator",
    "MONGODB_ATLAS_SERVICE",
    "atlas\"",
    "atlas'",
    "atlas,",
    "atlas\n",
    "atlas\r",
];

/// The environment variable (and profile property `service`) that selects commercial Atlas
/// (`cloud`) or Atlas for Government (`cloudgov`) (`mongodb/atlas-cli-core`
/// `config/config.go`: `CloudService`, `CloudGovService`; prefix `MONGODB_ATLAS`).
const SERVICE_VARIABLE: &str = "MONGODB_ATLAS_SERVICE";
const PROJECT_VARIABLE: &str = "MONGODB_ATLAS_PROJECT_ID";
/// The API the CLI talks to with service `cloud` (or no service).
const COMMERCIAL_URL: &str = "https://cloud.mongodb.com/";

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    let mut script = Script::new(ctx);
    if let Some(dialect) = root.node.tag.as_deref().and_then(Dialect::of_tag) {
        // A Dockerfile's instructions, each its own command string.
        let overridden = if dialect == Dialect::Docker {
            // Each instruction's build stage: how many `FROM` lines come before it.
            let froms: Vec<usize> = ctx
                .text
                .match_indices('\n')
                .map(|(i, _)| i + 1)
                .chain(std::iter::once(0))
                .filter(|&i| {
                    ctx.text
                        .get(i..)
                        .and_then(|l| l.get(..5))
                        .is_some_and(|w| w.eq_ignore_ascii_case("FROM "))
                })
                .collect();
            let first = root
                .items()
                .map(|cmd| {
                    let at = cmd.node.span.start as usize;
                    let stage = froms.iter().filter(|&&f| f <= at).count();
                    let command = match &cmd.node.value {
                        Value::String(text) => shell::commands(text, dialect)
                            .ok()
                            .and_then(|c| c.into_iter().next()),
                        _ => None,
                    };
                    (stage, command)
                })
                .collect::<Vec<_>>();
            overridden_args(&first)
        } else {
            HashSet::new()
        };
        let environments = if dialect == Dialect::Jenkins {
            jenkins_environment(ctx, out)
        } else {
            Vec::new()
        };
        for (scope, settings, _) in &environments {
            for (_, literal) in settings {
                script.scopes.insert(literal.loc.span.start, *scope);
            }
        }
        for (n, cmd) in root.items().enumerate() {
            if overridden.contains(&n) {
                continue;
            }
            if dialect == Dialect::Jenkins {
                // The `environment` blocks that hold this step, the innermost last (winning).
                let at = cmd.node.span.start as usize;
                let mut env: Vec<(String, Text)> = Vec::new();
                for (_, settings, unknown) in environments
                    .iter()
                    .filter(|(scope, _, _)| scope.0 <= at && at < scope.1)
                {
                    env.retain(|(name, _)| !unknown.contains(name));
                    env.extend(settings.iter().cloned());
                }
                script.env = env;
            }
            if let Value::String(text) = &cmd.node.value {
                let place = Place::File {
                    base: cmd.node.span.start,
                };
                // A script's commands run in one shell; each Makefile recipe line and each
                // Dockerfile instruction in a shell of its own.
                if dialect != Dialect::Sh {
                    script.cwd = Cwd::Start;
                }
                script.read(text, dialect, place, out);
            }
        }
        if dialect == Dialect::Make {
            make_exports(ctx, out);
        }
        if dialect == Dialect::Jenkins {
            script.env.clear();
        }
        script.note_variable_uses(out);
        return;
    }
    // A settings file's keys (`.env`, `.properties`) are no CI configuration: only its
    // service setting is read (below).
    let settings_file = crate::source::kind(ctx.path)
        .is_some_and(|k| matches!(k.syntax, crate::document::Syntax::Shell(d) if d.is_settings()));
    for ci::CiScript {
        script: step,
        dir,
        env,
        exec,
    } in if settings_file {
        Vec::new()
    } else {
        ci::scripts(root)
    } {
        // Each step runs in a shell of its own, with the variables its configuration sets.
        script.in_step = true;
        match dir {
            ci::StepDir::Repository(dir) => {
                script.workdir = Some(dir);
                script.cwd = Cwd::Start;
            }
            // Relative to the configuration file, as a script's commands are; a directory
            // written with a template (`{{.ROOT_DIR}}`) or an absolute one is not known.
            ci::StepDir::File(dir) => {
                script.workdir = None;
                script.cwd = if dir.is_empty() || dir == "." {
                    Cwd::Start
                } else if dir.starts_with('/') || dir.contains(['{', '$']) {
                    Cwd::Unknown
                } else {
                    Cwd::Dir(dir)
                };
            }
        }
        // The innermost setting of a name is the one the step sees: one that is no literal
        // (`${{ vars.TIER }}`) hides an outer literal.
        let mut seen: HashMap<String, Option<Text>> = HashMap::new();
        for (name, value) in env {
            // `REGION: ${{ matrix.region }}` (or `${{ env.X }}`): the value that one holds.
            let expression = value
                .as_ref()
                .and_then(|v| v.str())
                .and_then(single_variable)
                .filter(|_| {
                    value
                        .as_ref()
                        .and_then(|v| v.str())
                        .is_some_and(|v| v.starts_with("${{"))
                })
                .and_then(|other| seen.get(other).cloned().flatten());
            let literal = match expression {
                Some(t) => Some(t),
                None => value.and_then(|v| literal_setting(ctx, v)),
            };
            seen.insert(name, literal);
        }
        script.env = seen
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        if !exec.is_empty() {
            let (line, starts) = ci::exec_line(&exec);
            script.read(&line, Dialect::Sh, Place::Words(&exec, &starts), out);
        } else if let Some(text) = step.str() {
            script.read(text, Dialect::Sh, Place::Scalar(&step), out);
        } else if let Some(text) = ci::literal_heredoc(ctx.text, &step) {
            script.read(&text, Dialect::Sh, Place::Scalar(&step), out);
        }
    }
    script.env.clear();
    github_action(root, &mut script, out);
    script.note_variable_uses(out);
    ci::gitlab_option_notes(ctx, root, out);
    if memchr::memmem::find(ctx.text.as_bytes(), SERVICE_VARIABLE.as_bytes()).is_some() {
        service_settings(ctx, root, out);
    }
}

/// The Atlas CLI's GitHub Action (`uses: mongodb/atlas-github-action@...`): a step `with` a
/// `create-cluster-name` runs `atlas cluster create NAME --tier TIER --provider PROVIDER
/// --region REGION [--projectId ID]`, and `run-setup: true` runs `atlas setup` with the same
/// cluster settings (its `action.yml`, mongodb/atlas-github-action). An input left out takes
/// the action's default (`tier: M0`, `provider: AWS`, `region: US_EAST_1`), located at the
/// step's `uses`; an input given as an expression (`${{ vars.TIER }}`) is unknown.
fn github_action(root: &Cursor<'_>, script: &mut Script<'_>, out: &mut Model) {
    // A workflow's steps, and a composite action's.
    let steps: Vec<Cursor<'_>> = root
        .get("jobs")
        .iter()
        .flat_map(|jobs| jobs.entries().map(|(_, job)| job).collect::<Vec<_>>())
        .filter_map(|job| job.get("steps"))
        .chain(root.get("runs").and_then(|r| r.get("steps")))
        .flat_map(|s| s.items().collect::<Vec<_>>())
        .collect();
    for step in steps {
        // GitHub compares owner and repository names without case.
        let Some(uses) = step.get("uses").filter(|u| {
            u.str().is_some_and(|u| {
                u.to_ascii_lowercase()
                    .starts_with("mongodb/atlas-github-action@")
            })
        }) else {
            continue;
        };
        // A step written never to run.
        if step.get("if").is_some_and(|c| c.text() == Some("false")) {
            continue;
        }
        let with = step.get("with");
        let input = |name: &str| with.as_ref().and_then(|w| w.get(name));
        // An input as the action's expressions read it: set when not empty; GitHub's `==`
        // compares strings without case.
        let given = |name: &str| input(name).filter(|v| v.text().is_some_and(|t| !t.is_empty()));
        let run_setup = input("run-setup")
            .and_then(|r| r.text())
            .unwrap_or("false")
            .to_ascii_lowercase();
        // `atlas setup` when `run-setup == 'true'` with a username and a password; `atlas
        // cluster create` when a cluster name is given and `run-setup == 'false'`.
        let setup =
            run_setup == "true" && given("username").is_some() && given("password").is_some();
        let create = given("create-cluster-name").filter(|_| run_setup == "false");
        if !setup && create.is_none() {
            continue;
        }
        // The words, each a node: written in the step, or the action's own (located at
        // `uses`).
        let own =
            |text: &str| crate::document::Node::new(Value::String(text.into()), uses.node.span);
        let mut words: Vec<(crate::document::Node, Option<Cursor<'_>>)> = Vec::new();
        let mut push = |text: &str| words.push((own(text), None));
        if setup {
            push("atlas");
            push("setup");
            push("--force");
        } else {
            push("atlas");
            push("cluster");
            push("create");
        }
        // An empty input is the action's `-z` test: as if left out.
        let given = |name: &str, flag: &str, default: Option<&str>, words: &mut Vec<_>| match (
            input(name).filter(|v| v.text() != Some("")),
            default,
        ) {
            (Some(v), _) => {
                words.push((own(flag), None));
                words.push((v.node.clone(), Some(v)));
            }
            (None, Some(d)) => {
                words.push((own(flag), None));
                words.push((own(d), None));
            }
            (None, None) => {}
        };
        if let Some(name) = create.filter(|_| !setup) {
            words.push((name.node.clone(), Some(name)));
        }
        given("project-id", "--projectId", None, &mut words);
        if setup {
            given("cluster-name", "--clusterName", None, &mut words);
        }
        given("tier", "--tier", Some("M0"), &mut words);
        given("provider", "--provider", Some("AWS"), &mut words);
        given("region", "--region", Some("US_EAST_1"), &mut words);
        // The command line: each word quoted; an expression is a variable never set.
        let mut line = String::new();
        let mut starts = Vec::new();
        for (node, _) in &words {
            if !line.is_empty() {
                line.push(' ');
            }
            starts.push(u32::try_from(line.len()).unwrap_or(u32::MAX));
            match node.scalar_text() {
                Some(t) if !t.contains("${{") => {
                    line.push('\'');
                    line.push_str(&t.replace('\'', "'\\''"));
                    line.push('\'');
                }
                _ => line.push_str("\"$ATLAS_ACTION_INPUT\""),
            }
        }
        let cursors: Vec<Cursor<'_>> = words
            .iter()
            .map(|(node, written)| written.clone().unwrap_or_else(|| Cursor::root(node)))
            .collect();
        script.cwd = Cwd::Start;
        script.read(&line, Dialect::Sh, Place::Words(&cursors, &starts), out);
    }
}

/// A block's scope (byte offsets), the literals it gives the scripts inside it, and the
/// names it sets to values not known.
type Environment = ((usize, usize), Vec<(String, Text)>, Vec<String>);

/// Options of `docker run`/`create`/`exec` (and `podman`'s) whose value is the next word.
/// Another option is taken for a flag: one that does take a value then ends the options
/// early (its value read as the image), so an `-e` after it is not read, never misread.
const CONTAINER_VALUE_OPTIONS: &[&str] = &[
    "-v",
    "--volume",
    "-w",
    "--workdir",
    "--name",
    "--network",
    "--net",
    "-p",
    "--publish",
    "-u",
    "--user",
    "--entrypoint",
    "--env-file",
    "-l",
    "--label",
    "--mount",
    "--platform",
    "-h",
    "--hostname",
    "--add-host",
    "--cpus",
    "-m",
    "--memory",
    "--restart",
    "--log-driver",
    "--log-opt",
    "--device",
    "--dns",
    "--expose",
    "--group-add",
    "--ipc",
    "--pid",
    "--runtime",
    "--security-opt",
    "--shm-size",
    "--ulimit",
    "--cap-add",
    "--cap-drop",
    "--cidfile",
    "--gpus",
    "--tmpfs",
    "--pull",
    "--stop-signal",
    "--stop-timeout",
    "--volumes-from",
    "--link",
    "--network-alias",
    "--label-file",
    "--pod",
];

/// The `-e NAME=value` (`--env NAME=value`, `--env=NAME=value`, `-eNAME=value`) arguments of
/// a `docker` or `podman` command (`run`, `exec`, `create`) before its image: the service
/// variable, judged where it is written (a base URL there is found in the text, see
/// `any_file`).
fn container_env(args: &[shell::Word], at: &Located<'_>, out: &mut Model) {
    let Some(sub) = args.first().and_then(|w| w.known()) else {
        return;
    };
    if !matches!(sub, "run" | "exec" | "create") {
        return;
    }
    let mut i = 1;
    while let Some(word) = args.get(i) {
        let value = word.value.as_str();
        // The image ends Docker's options: what follows is the container's command.
        if !value.starts_with('-') {
            break;
        }
        if CONTAINER_VALUE_OPTIONS.contains(&value) {
            // Its value is the next word, not the image.
            i += 2;
            continue;
        }
        let setting = if value == "-e" || value == "--env" {
            i += 1;
            args.get(i).map(|w| (w, 0))
        } else if let Some(rest) = value.strip_prefix("--env=") {
            Some((word, value.len() - rest.len()))
        } else if value.starts_with("-e") && value.len() > 2 && !value.starts_with("--") {
            Some((word, 2))
        } else {
            None
        };
        if let Some((w, from)) = setting {
            let text = w.value.get(from..).unwrap_or("");
            if text
                .strip_prefix(SERVICE_VARIABLE)
                .is_some_and(|r| r.starts_with('='))
            {
                let start = from + SERVICE_VARIABLE.len() + 1;
                if let Some(known) = w.known_part(start, w.value.len()) {
                    let loc = at.loc(w.span_of(start, w.value.len()), "/MONGODB_ATLAS_SERVICE");
                    service_value(known, loc, out);
                }
            }
        }
        i += 1;
    }
}

/// The Admin API body a `curl` command sends inline (`--data '{...}'`, `-d`, `--data-raw`,
/// `--data-binary`, `--json`) to create a project (`POST .../api/atlas/v2/groups`) or a
/// cluster (`.../groups/{groupId}/clusters`, the body then of that project): read as any
/// Admin API body, each value located where the command spells it. Only a body written out
/// in a script's own text and spelled as it is (single quotes: no escape moves its bytes).
/// `literal`: the literal a variable written as a whole value (`$BASE`, `${BASE}`) was set to,
/// for a URL that starts with one (`"$BASE/groups/{id}/clusters"`).
fn curl_body(
    args: &[shell::Word],
    at: &Located<'_>,
    literal: &dyn Fn(&str) -> Option<Text>,
    out: &mut Model,
) {
    let Place::File { base } = at.place else {
        return;
    };
    let mut url: Option<String> = None;
    let mut data: Option<&shell::Word> = None;
    let mut i = 0;
    while let Some(word) = args.get(i) {
        let value = word.value.as_str();
        match value {
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--json" => {
                data = args.get(i + 1).or(data);
                i += 1;
            }
            _ if value.contains('$') => {
                // Each variable set to a literal replaced by it (`"${API}/groups/$P/..."`);
                // another expansion stays as written (an unknown project id).
                let expanded = expand_literals(value, literal);
                if expanded.contains("/api/atlas/") {
                    url = Some(expanded);
                }
            }
            _ if value.contains("/api/atlas/") => {
                url = word.known().map(str::to_string).or(url);
            }
            _ => {}
        }
        i += 1;
    }
    let (Some(url), Some(data)) = (url, data) else {
        return;
    };
    let url = url.as_str();
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .trim_end_matches('/');
    // `/groups` (a project), `/groups/{id}/...` (a resource of project `id`: a cluster, a
    // Flex cluster, an alert configuration, an integration, ...), `/users` (an Atlas user).
    // What the body is, its shape says, as for a body in a file.
    let group = match path.split_once("/groups") {
        Some((_, after)) => match after
            .strip_prefix('/')
            .map(|r| r.split('/').collect::<Vec<_>>())
        {
            None if after.is_empty() => None,
            Some(parts) if parts.len() >= 2 && parts.iter().all(|p| !p.is_empty()) => {
                parts.first().copied()
            }
            _ => return,
        },
        None if path.ends_with("/api/atlas/v2/users")
            || path.ends_with("/api/atlas/v1.0/users") =>
        {
            None
        }
        None => return,
    };
    let Some(body) = data.known().filter(|b| b.trim_start().starts_with('{')) else {
        return;
    };
    let span = data.span_of(0, body.len());
    let file_span = Span::new(
        base.saturating_add(span.start) as usize,
        base.saturating_add(span.end) as usize,
    );
    // Spelled as it is: each byte of the body at its place in the file.
    if at
        .ctx
        .text
        .get(file_span.start as usize..file_span.end as usize)
        != Some(body)
    {
        return;
    }
    let limits = crate::document::Limits::default();
    let Ok(doc) = crate::document::json::parse(body, &limits) else {
        return;
    };
    let Some(mut root) = doc.roots.into_iter().next() else {
        return;
    };
    root.shift_spans(file_span.start);
    // The project the URL names is the body's (unless the shell computes it).
    let group = group.filter(|g| !g.contains('$'));
    if let (Some(group), Value::Map(entries)) = (group, &mut root.value) {
        if !entries.iter().any(|e| e.key.as_str() == Some("groupId")) {
            let span = root.span;
            entries.push(crate::document::Entry {
                key: crate::document::Node::new(Value::String("groupId".into()), span),
                value: crate::document::Node::new(Value::String(group.into()), span),
            });
        }
    }
    crate::adapters::api::adapt(at.ctx, &Cursor::root(&root), out);
}

/// `helm [global flags] install|upgrade [flags] NAME CHART [flags]` of the Atlas Operator's
/// chart that leaves `atlasURI` at the chart's default (commercial Atlas): reported at the
/// chart. Values given another way (a values file, `--set-file`, `--reuse-values`, a word the
/// shell expands) or any word naming `atlasURI` (a `--set atlasURI=...`, judged where it is
/// written) leave it silent.
fn helm_release(args: &[shell::Word], at: &Located<'_>, out: &mut Model) {
    use crate::adapters::kubernetes::{CHART_DEFAULT_URI, CHART_WITHOUT_URI, is_operator_chart};
    // Helm's flags that take a value (global ones and `install`/`upgrade`'s).
    const VALUED: &[&str] = &[
        "-n",
        "--namespace",
        "--kube-context",
        "--kubeconfig",
        "--kube-apiserver",
        "--kube-as-user",
        "--kube-as-group",
        "--kube-ca-file",
        "--kube-token",
        "--kube-tls-server-name",
        "--registry-config",
        "--repository-cache",
        "--repository-config",
        "--burst-limit",
        "--qps",
        "--version",
        "--set",
        "--set-string",
        "--set-json",
        "--set-literal",
        "--timeout",
        "--repo",
        "--username",
        "--password",
        "--description",
        "--post-renderer",
        "--post-renderer-args",
        "--ca-file",
        "--cert-file",
        "--key-file",
        "--keyring",
        "--history-max",
        "-l",
        "--labels",
        "-o",
        "--output",
    ];
    let mut positionals: Vec<&shell::Word> = Vec::new();
    let mut generate_name = false;
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let Some(value) = word.known() else { return };
        let from_elsewhere = value == "-f"
            || value.starts_with("--values")
            || value.starts_with("--set-file")
            || value.contains("reuse-values")
            || (value.starts_with("-f") && !value.starts_with("--"));
        if from_elsewhere || value.contains("atlasURI") {
            return;
        }
        if value == "-g" || value == "--generate-name" {
            generate_name = true;
        } else if VALUED.contains(&value) {
            // Its value: `--set atlasURI=...` names it (above, on the next word).
            match words.next().map(shell::Word::known) {
                Some(Some(v)) if !v.contains("atlasURI") => {}
                _ => return,
            }
        } else if !value.starts_with('-') {
            positionals.push(word);
        }
    }
    let chart = match positionals.as_slice() {
        [command, chart, ..] if command.known() == Some("install") && generate_name => chart,
        [command, _, chart, ..] if matches!(command.known(), Some("install" | "upgrade")) => chart,
        _ => return,
    };
    if !chart.known().is_some_and(is_operator_chart) {
        return;
    }
    out.endpoints.push(Endpoint::new(
        at.text(
            CHART_DEFAULT_URI,
            chart.span_of(0, chart.value.len()),
            "/helm",
        ),
        CHART_WITHOUT_URI,
    ));
}

/// `value` (a word as written) with each `$NAME` or `${NAME}` whose literal is known replaced
/// by it; anything else as written.
fn expand_literals(value: &str, literal: &dyn Fn(&str) -> Option<Text>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let from = rest.get(i..).unwrap_or("");
        let len = match from.strip_prefix("${") {
            Some(inner) => inner.find('}').map_or(1, |j| j + 3),
            None => {
                1 + from
                    .bytes()
                    .skip(1)
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count()
            }
        };
        let written = from.get(..len).unwrap_or(from);
        match literal(written) {
            Some(t) if len > 1 => out.push_str(&t.value),
            _ => out.push_str(written),
        }
        rest = from.get(written.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// A Jenkins pipeline's `environment` blocks: the service variable and base URL settings
/// judged where they are written, and each block's scope with its literals (for the `sh`
/// steps inside it), outermost first.
fn jenkins_environment(ctx: &LocCtx<'_>, out: &mut Model) -> Vec<Environment> {
    let mut blocks = shell::files::jenkins_environments(ctx.text);
    // Outermost first: a wider scope before the narrower ones inside it.
    blocks.sort_by_key(|b| (b.scope.0, std::cmp::Reverse(b.scope.1)));
    blocks
        .into_iter()
        .map(|block| {
            let settings = block
                .settings
                .iter()
                .filter_map(|(name, start, end)| {
                    let value = ctx.text.get(*start..*end)?;
                    let span = Span::new(*start, *end);
                    let pointer = format!("/{name}");
                    exported_setting(ctx, name, value, span, &pointer, out);
                    Some((
                        name.clone(),
                        Text {
                            value: intern_value(value),
                            loc: ctx.loc_of(span, &pointer),
                        },
                    ))
                })
                .collect();
            (block.scope, settings, block.unknown)
        })
        .collect()
}

/// A variable a Jenkins `environment` sets for the scripts it holds: the service variable and
/// base URL settings are judged where they are written.
fn exported_setting(
    ctx: &LocCtx<'_>,
    name: &str,
    value: &str,
    span: Span,
    pointer: &str,
    out: &mut Model,
) {
    if name == SERVICE_VARIABLE {
        service_value(value, ctx.loc_of(span, pointer), out);
    } else if common::is_url_key(name) && value.contains("://") {
        out.endpoints.push(Endpoint::new(
            Text {
                value: intern_value(value),
                loc: ctx.loc_of(span, pointer),
            },
            "base URL setting",
        ));
    }
}

/// A Makefile's exported variables (see [`shell::files::Makefile::exports`]), which every
/// recipe's shell (or a target's) sees: the service variable, judged where it is written. Base
/// URL settings are read where every file's are (`any_file`), and recipe lines (a tab first)
/// are commands, read as such.
fn make_exports(ctx: &LocCtx<'_>, out: &mut Model) {
    for export in shell::files::makefile(ctx.text).exports {
        let (start, end) = export.value;
        if export.name == SERVICE_VARIABLE {
            if let Some(value) = ctx.text.get(start..end) {
                let loc = ctx.loc_of(Span::new(start, end), &format!("/{}", export.name));
                service_value(value, loc, out);
            }
        }
    }
}

/// Where `text` uses each variable: `$NAME` (the whole name: not followed by a character of a
/// longer one), `${NAME}` with any operator (`${NAME:-x}`, `${NAME%.*}`, `${#NAME}`,
/// `${!NAME}`), a CI expression's `env.NAME` (`${{ env.NAME }}`, `if: env.NAME == 'US'`), and
/// `export NAME` (the scripts it runs see it); from the start of the use to the end of the
/// name, by name, each in text order. One pass over the text for every variable (a script of
/// thousands of variables read the text once per variable).
fn variable_uses_by_name(text: &str) -> HashMap<&str, Vec<Span>> {
    let bytes = text.as_bytes();
    let name_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let name_end = |from: usize| {
        from + bytes
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| name_char(b))
            .count()
    };
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    for dollar in memchr::memchr_iter(b'$', bytes) {
        if bytes.get(dollar + 1) == Some(&b'{') {
            let mut from = dollar + 2;
            if matches!(bytes.get(from), Some(b'#' | b'!')) {
                from += 1;
            }
            let end = name_end(from);
            if end > from && bytes.get(end).is_some_and(|b| !name_char(b)) {
                found.push((dollar, from, end));
            }
        } else {
            let end = name_end(dollar + 1);
            if end > dollar + 1 {
                found.push((dollar, dollar + 1, end));
            }
        }
    }
    for at in memchr::memmem::find_iter(bytes, b"env.") {
        if at
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .is_none_or(|b| !name_char(b))
        {
            let end = name_end(at + 4);
            if end > at + 4 {
                found.push((at, at + 4, end));
            }
        }
    }
    for at in memchr::memmem::find_iter(bytes, b"export") {
        let rest = text.get(at + 6..).unwrap_or_default();
        let from = text.len() - rest.trim_start().len();
        let spaced = from
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .is_some_and(|b| matches!(b, b' ' | b'\t'));
        let end = name_end(from);
        if spaced && end > from && bytes.get(end) != Some(&b'=') {
            found.push((from, from, end));
        }
    }
    found.sort_unstable();
    found.dedup();
    let mut by_name: HashMap<&str, Vec<Span>> = HashMap::new();
    for (start, from, end) in found {
        if let (Some(name), Ok(start), Ok(end)) = (
            text.get(from..end),
            u32::try_from(start),
            u32::try_from(end),
        ) {
            by_name.entry(name).or_default().push(Span { start, end });
        }
    }
    by_name
}

/// [`variable_uses_by_name`] for one name, by a scan of the text for it: for a name that is
/// not made of a shell name's characters (a Makefile's `${MY-VAR}`), and the reference the
/// one-pass reading is compared with.
fn variable_uses(text: &str, name: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let name_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(bytes, name.as_bytes()) {
        let end = at + name.len();
        let before = |n: usize| at.checked_sub(n).and_then(|i| bytes.get(i));
        let (start, braced) = match before(1) {
            Some(b'$') => (at - 1, false),
            Some(b'{') if before(2) == Some(&b'$') => (at - 2, true),
            Some(b'#' | b'!') if before(2) == Some(&b'{') && before(3) == Some(&b'$') => {
                (at - 3, true)
            }
            Some(b'.')
                if at >= 4
                    && bytes.get(at - 4..at - 1) == Some(b"env")
                    && (at == 4 || bytes.get(at - 5).is_none_or(|b| !name_char(b))) =>
            {
                (at - 4, false)
            }
            Some(b' ' | b'\t')
                if text
                    .get(..at)
                    .is_some_and(|b| b.trim_end().ends_with("export"))
                    && bytes.get(end) != Some(&b'=') =>
            {
                (at, false)
            }
            _ => continue,
        };
        let next = bytes.get(end);
        let ends = if braced {
            next.is_some_and(|b| !name_char(b))
        } else {
            next.is_none_or(|b| !name_char(b))
        };
        if ends {
            if let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) {
                found.push(Span { start, end });
            }
        }
    }
    found
}

/// Whether a script's text reads as PowerShell: a backtick ending a line (its continuation),
/// `$env:`, or one of its verbs (`Write-Host`, `Get-ChildItem`, ...).
fn looks_like_powershell(text: &str) -> bool {
    text.lines().any(|l| l.trim_end().ends_with('`'))
        || ["$env:", "$Env:", "$LASTEXITCODE", "-ErrorAction"]
            .iter()
            .any(|w| text.contains(w))
        || [
            "Write-",
            "Get-",
            "Set-",
            "New-",
            "Remove-",
            "Invoke-",
            "ConvertTo-",
            "ConvertFrom-",
        ]
        .iter()
        .any(|verb| {
            memchr::memmem::find_iter(text.as_bytes(), verb.as_bytes()).any(|i| {
                let before = i.checked_sub(1).and_then(|b| text.as_bytes().get(b));
                before.is_none_or(|b| !b.is_ascii_alphanumeric())
                    && text
                        .as_bytes()
                        .get(i + verb.len())
                        .is_some_and(u8::is_ascii_uppercase)
            })
        })
}

/// Whether a script's text (which may not parse) holds a command word `atlas` followed by a
/// subcommand (`atlas clusters create`, `/usr/local/bin/atlas auth login`), or sets the
/// Atlas CLI's settings (`MONGODB_ATLAS_...`).
pub(crate) fn runs_atlas_cli(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"MONGODB_ATLAS_").is_some()
        || memchr::memmem::find_iter(bytes, b"atlas ").any(|i| {
            let before = i.checked_sub(1).and_then(|b| bytes.get(b));
            let word_start = before.is_none_or(|&b| {
                b.is_ascii_whitespace() || matches!(b, b';' | b'|' | b'&' | b'(' | b'/' | b'`')
            });
            word_start
                && bytes
                    .get(i + "atlas ".len())
                    .is_some_and(u8::is_ascii_lowercase)
        })
}

/// The keys of a GitLab CI job that hold its shell script.
pub const CI_SCRIPT_KEYS: &[&str] = ci::GITLAB_SCRIPTS;

/// Where the pieces of a command string are in the file.
#[derive(Clone, Copy)]
enum Place<'a> {
    /// The string is the file's text from `base` (a script's, a recipe's command).
    File { base: u32 },
    /// The string is the value of this YAML scalar (a CI step's script).
    Scalar(&'a Cursor<'a>),
    /// The string is the value of this word of another command string (`sh -c '...'`).
    Word(&'a Located<'a>, &'a shell::Word),
    /// The string is these scalars as one command line (see [`ci::exec_line`]), each starting
    /// at its offset.
    Words(&'a [Cursor<'a>], &'a [u32]),
}

/// The state of one file's commands, read in order.
struct Script<'c> {
    ctx: &'c LocCtx<'c>,
    /// Shell variables bound to the project a command created (`P=$(atlas projects create
    /// ...)`): the project's key.
    vars: HashMap<String, String>,
    /// The project set by `MONGODB_ATLAS_PROJECT_ID`, for commands without `--projectId`.
    default_project: Option<ProjectRef>,
    /// For a CI step's commands: the directory they run in, relative to the repository's
    /// root (see [`ci::scripts`]); `None` for a script's, which are read relative to it (and
    /// a Taskfile's tasks, relative to the Taskfile).
    workdir: Option<String>,
    /// Whether the commands are a CI configuration's step (each its own shell), not a script
    /// file's.
    in_step: bool,
    /// The names the file assigns anywhere ([`assigned_names`]), once asked for.
    assigned: std::cell::OnceCell<HashSet<String>>,
    /// Variable bindings made so far (see [`Script::var_key`]).
    bindings: usize,
    /// How many `sh -c` strings deep the command string being read is.
    depth: u8,
    /// Where the commands run, after the `cd`s read so far (see [`Cwd`]).
    cwd: Cwd,
    /// `pushd`'s stack of the directories it left.
    pushed: Vec<Cwd>,
    /// Variables set to a literal by the only assignment to them in the command string
    /// (`TIER=M10`), located at the literal (see [`Script::literal`]).
    literals: HashMap<String, Text>,
    /// For a CI step's commands: the variables its configuration sets to a literal (`env:
    /// {TIER: M10}`); each is a literal of the step's shell unless the step's script may give
    /// it another value.
    env: Vec<(String, Text)>,
    /// The command string being read (for [`Script::assigned_once`]), and its dialect.
    text: Arc<str>,
    /// The variables assigned once in it ([`assigned_once_table`]), once known.
    once: Option<HashSet<String>>,
    /// Whether `text` is the script file's own (set by its first command).
    in_file_shell: bool,
    dialect: Dialect,
    /// Variables bound to a directory written from the script's own path
    /// (`SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"`): relative to it.
    script_dirs: HashMap<String, String>,
    /// Variables assigned a command name with a default (`ATLAS="${ATLAS:-atlas}"`): the
    /// default, for a command run as `"$ATLAS" ...` ([`Script::program_of`]).
    programs: HashMap<String, String>,
    /// The literals handed out for a variable's value (see [`Script::literal`]), by name:
    /// each other use of the variable in the file is noted where the literal is written.
    resolved: std::cell::RefCell<Vec<(String, Loc)>>,
    /// The same pairs, to add each once without a pass over them all.
    resolved_set: std::cell::RefCell<HashSet<(String, Loc)>>,
    /// Where a literal written in a Jenkins `environment` block applies (the block holding
    /// it), by the literal's start: only its uses there are its own.
    scopes: HashMap<u32, (usize, usize)>,
}

/// The directory a command runs in, as far as the script says.
#[derive(Clone, Debug, PartialEq)]
enum Cwd {
    /// Where the command string starts: the script's directory (a CI step's working
    /// directory).
    Start,
    /// A path relative to it (`cd ..`, `cd "$(dirname "$0")/.."`).
    Dir(String),
    /// Not known (`cd "$DIR"`, `cd -`, `cd` alone, an absolute path): a relative `--file`
    /// path cannot be resolved, and is not guessed.
    Unknown,
}

/// The deepest `sh -c` string read (`sh -c "sh -c '...'"`).
const MAX_DEPTH: u8 = 8;

impl<'c> Script<'c> {
    fn new(ctx: &'c LocCtx<'c>) -> Script<'c> {
        Script {
            ctx,
            vars: HashMap::new(),
            default_project: None,
            workdir: None,
            in_step: false,
            assigned: std::cell::OnceCell::new(),
            bindings: 0,
            depth: 0,
            cwd: Cwd::Start,
            pushed: Vec::new(),
            script_dirs: HashMap::new(),
            programs: HashMap::new(),
            literals: HashMap::new(),
            env: Vec::new(),
            text: Arc::from(""),
            once: None,
            in_file_shell: false,
            dialect: Dialect::Sh,
            resolved: std::cell::RefCell::new(Vec::new()),
            resolved_set: std::cell::RefCell::new(HashSet::new()),
            scopes: HashMap::new(),
        }
    }

    /// The literal a variable was set to earlier in this command string, when that is the
    /// only assignment to it there (so no branch, loop or `read` gives it another value).
    pub(super) fn literal(&self, name: &str) -> Option<Text> {
        let found = self.literals.get(name).cloned();
        if let Some(t) = &found {
            let written = t.loc.via.as_deref().unwrap_or(&t.loc).clone();
            let pair = (name.to_string(), written);
            if self.resolved_set.borrow_mut().insert(pair.clone()) {
                self.resolved.borrow_mut().push(pair);
            }
        }
        found
    }

    /// Every use of a variable whose literal was handed out, anywhere in the file
    /// (`"orders-$SITE"`, `echo ${SITE}`), noted where the literal is written: a fix of the
    /// literal is safe only when each of them needs it too.
    fn note_variable_uses(&self, out: &mut Model) {
        let text = self.ctx.text;
        let resolved = self.resolved.borrow();
        if resolved.is_empty() {
            return;
        }
        let uses = variable_uses_by_name(text);
        // Names of other characters (`matrix.region`), scanned for once each.
        let mut scanned: HashMap<&str, Vec<Span>> = HashMap::new();
        for (name, written) in resolved.iter() {
            let scope = self.scopes.get(&written.span.start).copied();
            let in_scope = |span: &Span| {
                scope.is_none_or(|(from, to)| {
                    from <= span.start as usize && (span.end as usize) <= to
                })
            };
            let plain = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            let spans = match uses.get(name.as_str()) {
                _ if !plain => scanned
                    .entry(name.as_str())
                    .or_insert_with(|| variable_uses(text, name))
                    .clone(),
                Some(spans) => spans.clone(),
                None => Vec::new(),
            };
            for span in spans.into_iter().filter(in_scope) {
                out.written_notes.push(crate::model::WrittenNote::at(
                    written,
                    crate::model::Note::UsedAt(self.ctx.loc_of(span, "")),
                ));
            }
        }
    }

    /// The literal a value that is one whole variable (`$TIER`, `${TIER}`) was set to (see
    /// [`Script::literal`]), in a script or a CI step (a Makefile recipe's and a Dockerfile
    /// instruction's commands are read one by one, so none is known there).
    pub(super) fn literal_of(&self, value: &str) -> Option<Text> {
        let name = single_variable(value)?;
        // A Jenkins pipeline's `environment` literal is known in its `sh` steps.
        let one_by_one = matches!(
            self.dialect,
            Dialect::Make | Dialect::Docker | Dialect::Jenkins
        );
        if one_by_one && !self.env.iter().any(|(n, _)| n == name) {
            return None;
        }
        self.literal(name)
    }

    /// Whether `value` (a flag's value as written) is a variable that this file sets: an
    /// assignment at the start of a line (`NAME=...`, `export NAME=...`, a Makefile's `NAME ?=
    /// ...`), or a default written in the value (`${NAME:-...}`).
    fn sets_variable_of(&self, value: &str) -> bool {
        if with_default(value).is_some() {
            return true;
        }
        let name = single_variable(value).or_else(|| {
            // A Makefile's `$(NAME)`.
            let inner = value.strip_prefix("$(")?.strip_suffix(')')?;
            inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                .then_some(inner)
        });
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return false;
        };
        // The names assigned in the file, found once (a script may run thousands of commands).
        self.assigned
            .get_or_init(|| assigned_names(self.ctx.text))
            .contains(name)
    }

    /// The command a word that is one variable runs: the literal the script sets it to
    /// (`ATLAS=atlas`, then `"$ATLAS" ...`), the default it is set to (`ATLAS="${ATLAS:-atlas}"`),
    /// or the default the word gives (`"${ATLAS:-atlas}" ...`) when the script sets the
    /// variable to no literal.
    fn program_of(&self, word: &shell::Word) -> Option<String> {
        if let Some(text) = self.literal_of(&word.value) {
            return Some(text.as_str().to_string());
        }
        if let Some(default) = single_variable(&word.value).and_then(|n| self.programs.get(n)) {
            return Some(default.clone());
        }
        let (name, default) = with_default(&word.value)?;
        match self.literal(name) {
            Some(set) => Some(set.as_str().to_string()),
            None => Some(default.to_string()),
        }
    }

    /// A setting's value (`word[start..end]`) that is one whole variable set to a literal
    /// (`"$ATLAS_URL"`, [`Script::literal_of`]): the literal as used there, and where it is
    /// written.
    pub(super) fn setting_literal(
        &self,
        word: &shell::Word,
        start: usize,
        end: usize,
        at: &Located<'_>,
        pointer: &str,
    ) -> Option<(Text, Loc)> {
        if word.known_part(start, end).is_some() {
            return None;
        }
        let literal = self.literal_of(word.value.get(start..end)?)?;
        let written = literal.loc.via.as_deref().unwrap_or(&literal.loc).clone();
        Some((
            at.text(&literal.value, word.span_of(start, end), pointer),
            written,
        ))
    }

    /// A base URL setting (`atlas config set ops_manager_url "$URL"`, `export
    /// MONGODB_ATLAS_OPS_MANAGER_URL="$URL"`) whose value is a variable set to a URL once:
    /// the URL, judged where it is used (a URL written out in the setting is found in the
    /// text, see `any_file`).
    pub(super) fn url_setting(
        &self,
        word: &shell::Word,
        start: usize,
        end: usize,
        at: &Located<'_>,
        pointer: &str,
        out: &mut Model,
    ) {
        if let Some((mut url, written)) = self.setting_literal(word, start, end, at, pointer) {
            if url.value.contains("://") {
                url.loc.via = Some(Box::new(written));
                out.endpoints.push(Endpoint::new(url, "base URL setting"));
            }
        }
    }

    /// Whether `name` is given a value once only in the command string being read (see
    /// [`assigned_once_table`]); the table is made once per command string, on first use.
    fn assigned_once(&mut self, name: &str) -> bool {
        let text = Arc::clone(&self.text);
        self.once
            .get_or_insert_with(|| assigned_once_table(&text))
            .contains(name)
    }

    /// A key for a project bound to a shell variable of this file: one per binding, so that
    /// the same name bound again (each CI step's `PROJECT_ID=$(atlas projects create ...)`)
    /// names another project rather than making the first ambiguous.
    fn var_key(&mut self, name: &str) -> String {
        self.bindings += 1;
        format!("cli:{}:{name}#{}", self.ctx.path.display(), self.bindings)
    }

    /// A relative path written in a command, from where the command string starts: `None`
    /// when an earlier `cd` made the directory unknown.
    fn resolve(&self, path: &str) -> Option<String> {
        if Path::new(path).is_absolute() {
            return Some(path.to_string());
        }
        match &self.cwd {
            Cwd::Start => Some(path.to_string()),
            Cwd::Dir(dir) => Some(Path::new(dir).join(path).display().to_string()),
            Cwd::Unknown => None,
        }
    }

    /// `cd [-L|-P] [DIR]` of the command string itself (not of a substitution).
    fn change_directory(&mut self, args: &[shell::Word]) {
        let target = args.iter().find(|w| !w.value.starts_with('-'));
        self.cwd = match target.map(|w| (w, w.known())) {
            // `cd`, `cd -`: home, the previous directory.
            None => Cwd::Unknown,
            Some((_, Some(dir))) if Path::new(dir).is_absolute() => Cwd::Unknown,
            Some((_, Some(dir))) => match &self.cwd {
                Cwd::Start => Cwd::Dir(dir.to_string()),
                Cwd::Dir(from) => Cwd::Dir(Path::new(from).join(dir).display().to_string()),
                Cwd::Unknown => Cwd::Unknown,
            },
            // Only a script file (not a CI step, not a `sh -c` string) knows its directory.
            Some((word, None)) => self
                .script_relative(&word.value)
                .map_or(Cwd::Unknown, Cwd::Dir),
        };
    }

    /// A path written from the script's own directory (`"$(dirname "$0")/../specs"`,
    /// `"$SCRIPT_DIR/.."`), relative to it; `None` elsewhere, and in a CI step or a `sh -c`
    /// string, which do not know a script's path.
    fn script_relative(&self, value: &str) -> Option<String> {
        if self.in_step || self.depth > 0 {
            return None;
        }
        script_relative(value, &self.script_dirs)
    }

    /// A `--file` path: a known one from where the command runs, or one written from the
    /// script's own directory.
    fn resolve_value(&self, value: &commands::FlagValue<'_>) -> Option<String> {
        match value.known() {
            Some(path) => self.resolve(path),
            None => self.script_relative(value.word.value.get(value.start..value.end)?),
        }
    }

    /// Read the commands of one command string.
    fn read(&mut self, text: &str, dialect: Dialect, place: Place<'_>, out: &mut Model) {
        // A `sh -c` string is a shell of its own: its `cd`s end with it.
        let saved = (self.depth > 0).then(|| self.cwd.clone());
        // Each command string is a shell of its own for literals too (a CI step, a recipe
        // line, a `sh -c` string, which sees only what is exported); a script file's commands
        // (read one by one) share the file's shell, set up by its first command.
        let whole_file = self.depth == 0 && !self.in_step && dialect == Dialect::Sh;
        let outer = (!(whole_file && self.in_file_shell)).then(|| {
            let own: Arc<str> = Arc::from(if whole_file { self.ctx.text } else { text });
            (
                std::mem::replace(&mut self.text, own),
                self.once.take(),
                std::mem::take(&mut self.literals),
                std::mem::replace(&mut self.in_file_shell, whole_file),
            )
        });
        let outer_dialect = std::mem::replace(&mut self.dialect, dialect);
        // A CI step's shell starts with its configuration's variables.
        if self.depth == 0 && !self.env.is_empty() {
            let runs_other_text = runs_other_text(text);
            for (name, value) in &self.env {
                if !runs_other_text && only_read(text, name) {
                    self.literals.insert(name.clone(), value.clone());
                }
            }
        }
        self.read_commands(text, dialect, place, out);
        self.dialect = outer_dialect;
        if let Some((text, once, literals, in_file_shell)) = outer.filter(|_| !whole_file) {
            self.text = text;
            self.once = once;
            self.in_file_shell = in_file_shell;
            self.literals = if self.depth > 0 {
                literals
            } else {
                HashMap::new()
            };
        }
        if let Some(cwd) = saved {
            self.cwd = cwd;
        }
    }

    fn read_commands(&mut self, text: &str, dialect: Dialect, place: Place<'_>, out: &mut Model) {
        let at = Located {
            ctx: self.ctx,
            text,
            place,
        };
        // A CI step whose script does not parse is read no further (the shell would refuse
        // it too); a file's commands were parsed already. One that runs the Atlas CLI is
        // reported: its commands were not checked.
        let cmds = match shell::commands(text, dialect) {
            Ok(cmds) => cmds,
            Err(e) => {
                // A Windows runner's PowerShell step (where a reader cannot see the runner) is
                // not a broken shell script.
                if !at.is_file() && runs_atlas_cli(text) && !looks_like_powershell(text) {
                    out.unread.push(crate::model::Unread {
                        loc: at.loc(e.span, ""),
                        message: format!(
                            "this script runs the Atlas CLI but does not parse, so its commands \
                             were not checked: {}",
                            e.message
                        ),
                        help: "fix the shell syntax (the shell refuses it too); nothing in this \
                               script was checked",
                    });
                }
                return;
            }
        };
        // Projects created by a command inside a substitution, by the substitution's span.
        let mut created: Vec<(Span, usize)> = Vec::new();
        for cmd in &cmds {
            let words = &cmd.words;
            let start = commands::command_start(words);
            // Assignments before a command set its environment only; alone, the shell's.
            let alone = start >= words.len();
            for word in words.get(..start).unwrap_or(&[]) {
                self.assignment(word, &at, &created, alone, out);
            }
            // `export NAME=value`, `declare -x NAME=value`, `env NAME=value cmd`.
            if let Some(first) = words.get(start).and_then(|w| w.known()) {
                if matches!(
                    first,
                    "export" | "declare" | "typeset" | "readonly" | "local"
                ) {
                    let sets_shell = first != "local";
                    for word in words.get(start + 1..).unwrap_or(&[]) {
                        self.assignment(word, &at, &created, sets_shell, out);
                    }
                    continue;
                }
                // `ENV NAME=value` in a Dockerfile.
                if dialect == Dialect::Docker
                    && (first.eq_ignore_ascii_case("ENV") || first.eq_ignore_ascii_case("ARG"))
                {
                    self.docker_env(words.get(start + 1..).unwrap_or(&[]), &at, out);
                    continue;
                }
                // `docker run -e MONGODB_ATLAS_SERVICE=cloud mongodb/atlas atlas ...`: the
                // container's environment.
                if matches!(first, "docker" | "podman") {
                    container_env(words.get(start + 1..).unwrap_or(&[]), &at, out);
                }
                // `helm upgrade --install ... mongodb/mongodb-atlas-operator`: the operator.
                if first == "helm" {
                    helm_release(words.get(start + 1..).unwrap_or(&[]), &at, out);
                }
                // `curl ... /api/atlas/v2/groups/{id}/clusters --data '{...}'`: the body.
                if first == "curl" {
                    let literal = |v: &str| self.literal_of(v);
                    curl_body(words.get(start + 1..).unwrap_or(&[]), &at, &literal, out);
                }
            }
            if cmd.depth == 0 {
                match words.get(start).and_then(|w| w.known()) {
                    Some("cd") => {
                        self.change_directory(words.get(start + 1..).unwrap_or(&[]));
                        continue;
                    }
                    Some("pushd") => {
                        let left = self.cwd.clone();
                        self.change_directory(words.get(start + 1..).unwrap_or(&[]));
                        self.pushed.push(left);
                        continue;
                    }
                    Some("popd") => {
                        self.cwd = self.pushed.pop().unwrap_or(Cwd::Unknown);
                        continue;
                    }
                    _ => {}
                }
            }
            // `sh -c 'atlas ...'`: the string is commands, read where they are written.
            if let Some(inner) = commands::shell_command_string(words, start) {
                if self.depth < MAX_DEPTH {
                    self.depth += 1;
                    self.read(&inner.value, Dialect::Sh, Place::Word(&at, inner), out);
                    self.depth -= 1;
                }
                continue;
            }
            let Some(atlas) = commands::atlas_word(words, start, &|w| self.program_of(w)) else {
                continue;
            };
            let project = self.default_project.clone();
            let before = out.projects.len();
            commands::atlas(self, &at, words, atlas, project, out);
            if out.projects.len() > before {
                created.push((cmd.span, before));
            }
        }
    }

    /// A `NAME=value` word: the service variable, the project variable, or a variable bound to
    /// a project a substitution in it creates.
    fn assignment(
        &mut self,
        word: &shell::Word,
        at: &Located<'_>,
        created: &[(Span, usize)],
        sets_shell: bool,
        out: &mut Model,
    ) {
        let Some((name, _)) = word.value.split_once('=') else {
            return;
        };
        if name.is_empty()
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            || word.known_part(0, name.len() + 1).is_none()
        {
            return;
        }
        let value_start = name.len() + 1;
        let value_end = word.value.len();
        // A literal given once (`TIER=M10`), for the commands after it to read.
        let literal = word
            .known_part(value_start, value_end)
            .filter(|v| sets_shell && !v.is_empty() && self.depth == 0)
            .filter(|_| self.assigned_once(name))
            .map(|v| at.text(v, word.span_of(value_start, value_end), &format!("/{name}")));
        match literal {
            Some(t) => self.literals.insert(name.to_string(), t),
            None => self.literals.remove(name),
        };
        match word.value.get(value_start..).and_then(with_default) {
            Some((_, default)) => self.programs.insert(name.to_string(), default.to_string()),
            None => self.programs.remove(name),
        };
        match word
            .value
            .get(value_start..)
            .and_then(|v| self.script_relative(v))
        {
            Some(dir) => self.script_dirs.insert(name.to_string(), dir),
            None => self.script_dirs.remove(name),
        };
        match name {
            SERVICE_VARIABLE => {
                let pointer = "/MONGODB_ATLAS_SERVICE";
                if let Some(value) = word.known_part(value_start, value_end) {
                    let loc = at.loc(word.span_of(value_start, value_end), pointer);
                    service_value(value, loc, out);
                } else if let Some((value, written)) =
                    self.setting_literal(word, value_start, value_end, at, pointer)
                {
                    service_value_written(&value.value, value.loc, Some(written), out);
                }
            }
            _ if common::is_url_key(name) => {
                let pointer = format!("/{name}");
                self.url_setting(word, value_start, value_end, at, &pointer, out);
            }
            PROJECT_VARIABLE => {
                let value = commands::FlagValue {
                    word,
                    start: value_start,
                    end: value_end,
                    literal: None,
                };
                self.default_project =
                    Some(self.project_ref(Some(&value), at, "/MONGODB_ATLAS_PROJECT_ID"));
            }
            _ => {}
        }
        // Bound to the project created inside it, or to the one another variable holds.
        let inside = created
            .iter()
            .filter(|(span, _)| word.span.start <= span.start && span.end <= word.span.end)
            .map(|(_, i)| *i)
            .next_back();
        let key = self.var_key(name);
        if let Some(project) = inside.and_then(|i| out.projects.get_mut(i)) {
            project.keys.push(key.clone());
            if name == PROJECT_VARIABLE {
                // `export MONGODB_ATLAS_PROJECT_ID=$(atlas projects create ... | jq -r .id)`
                self.default_project = Some(ProjectRef::Key(key.clone()));
            }
            self.vars.insert(name.to_string(), key);
            return;
        }
        let alias = word
            .value
            .get(value_start..)
            .and_then(|v| single_variable(v))
            .and_then(|v| self.vars.get(v).cloned());
        match alias {
            Some(existing) => {
                self.vars.insert(name.to_string(), existing);
            }
            None => {
                self.vars.remove(name);
            }
        }
    }

    /// `ENV NAME=value ...` or `ENV NAME value` in a Dockerfile.
    fn docker_env(&mut self, words: &[shell::Word], at: &Located<'_>, out: &mut Model) {
        match words {
            [name, value, ..] if !name.value.contains('=') => {
                if name.known() == Some(SERVICE_VARIABLE) {
                    if let Some(v) = value.known() {
                        let loc = at.loc(value.span_of(0, v.len()), "/MONGODB_ATLAS_SERVICE");
                        service_value(v, loc, out);
                    }
                }
            }
            _ => {
                for word in words {
                    self.assignment(word, at, &[], false, out);
                }
            }
        }
    }

    /// The project a `--projectId` value (or `MONGODB_ATLAS_PROJECT_ID`) names: an Atlas id,
    /// a variable bound to a project this file creates, or nothing known.
    fn project_ref(
        &self,
        value: Option<&commands::FlagValue<'_>>,
        at: &Located<'_>,
        pointer: &str,
    ) -> ProjectRef {
        let Some(value) = value else {
            return ProjectRef::Unknown;
        };
        if let Some(id) = value.known() {
            if crate::model::link::is_object_id(id) {
                return ProjectRef::Id(Box::new(Field {
                    value: intern_value(id),
                    loc: at.loc(value.span(), pointer),
                }));
            }
            return ProjectRef::Unknown;
        }
        let var = value
            .word
            .value
            .get(value.start..value.end)
            .and_then(single_variable);
        match var.and_then(|v| self.vars.get(v)) {
            Some(key) => ProjectRef::Key(key.clone()),
            None => ProjectRef::Unknown,
        }
    }
}

/// Whether a command string runs text it does not hold (`source`, `.`, `eval`), which may
/// set any variable.
fn runs_other_text(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("source ")
            || l.starts_with(". ")
            || l.starts_with("eval ")
            || l.contains("; source ")
            || l.contains("&& source ")
            || l.contains("; . ")
            || l.contains("&& . ")
            || l.contains(" eval ")
    })
}

/// A CI variable's value as a literal the shell sees (a YAML scalar without `$`: not a
/// `${{ vars.X }}` expression, nor GitLab's `$OTHER`).
fn literal_setting(ctx: &LocCtx<'_>, value: Cursor<'_>) -> Option<Text> {
    let text = ctx.text(Some(value))?;
    (!text.as_str().contains('$')).then_some(text)
}

/// Whether a command string only ever reads the variable `name` (`$NAME`, `${NAME}`, never
/// `NAME=`, `read NAME`, `${NAME:=x}`, `export NAME`): every place its name is written
/// whole is right after `$` or `${` and before anything but `:` or `=`.
fn only_read(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(name).all(|(at, _)| {
        let before = at.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        let after = bytes.get(at + name.len()).copied();
        if before.is_some_and(ident) || after.is_some_and(ident) {
            // Part of a longer word.
            return true;
        }
        let braced =
            before == Some(b'{') && at.checked_sub(2).and_then(|p| bytes.get(p)) == Some(&b'$');
        // A GitHub Actions expression (`${{ env.NAME }}`, `${{ matrix.KEY }}`), replaced
        // before the shell runs.
        let expression = text.get(..at).is_some_and(|b| {
            b.trim_end_matches(' ').ends_with("${{")
                || b.strip_suffix("env.")
                    .is_some_and(|b| b.trim_end_matches(' ').ends_with("${{"))
        });
        (before == Some(b'$') || braced || expression) && !matches!(after, Some(b':' | b'='))
    })
}

/// The variables a command string gives a value once only, in one pass over it: one `NAME=`
/// at the start of a word (a `case` arm's `prod)NAME=...` too), and no `NAME+=`, `NAME[...]=`,
/// `${NAME:=...}`/`${NAME=...}`, nor a line with `for`, `read`, `unset`, `local`, `getopts`,
/// `mapfile`, `readarray` or `printf -v` that names it; none at all in a script that runs
/// other text (`source`, `.`, `eval`).
fn assigned_once_table(text: &str) -> HashSet<String> {
    // A script that sources another or evals text may set anything: no literal is known.
    if runs_other_text(text) {
        return HashSet::new();
    }
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut counts: HashMap<&str, u32> = HashMap::new();
    let mut reset: HashSet<&str> = HashSet::new();
    let mut line_resets = false;
    let mut line_words: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\n' {
            if line_resets {
                reset.extend(line_words.drain(..));
            }
            line_words.clear();
            line_resets = false;
            i += 1;
            continue;
        }
        // A comment, on a line of its own or after a command (`# used for the orders
        // cluster`), to the end of its line: it assigns nothing, and its words (`for`) reset
        // nothing.
        if b == b'#'
            && i.checked_sub(1)
                .and_then(|p| bytes.get(p))
                .is_none_or(u8::is_ascii_whitespace)
        {
            i += memchr::memchr(b'\n', bytes.get(i..).unwrap_or(&[])).unwrap_or(bytes.len() - i);
            continue;
        }
        if !ident(b) {
            i += 1;
            continue;
        }
        let start = i;
        while bytes.get(i).copied().is_some_and(ident) {
            i += 1;
        }
        let Some(word) = text.get(start..i) else {
            continue;
        };
        let before = start.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        let at_word_start =
            before.is_none_or(|p| p.is_ascii_whitespace() || b";&|(){`\"'".contains(&p));
        let after = text.get(i..).unwrap_or("");
        if matches!(
            word,
            "for" | "read" | "unset" | "local" | "getopts" | "mapfile" | "readarray"
        ) || (word == "printf" && after.starts_with(" -v"))
        {
            line_resets = true;
        }
        line_words.push(word);
        if before == Some(b'{') && (after.starts_with(":=") || after.starts_with('=')) {
            reset.insert(word);
        } else if at_word_start {
            if after.starts_with('=') {
                *counts.entry(word).or_default() += 1;
            } else if after.starts_with("+=") || after.starts_with('[') {
                reset.insert(word);
            }
        }
    }
    if line_resets {
        reset.extend(line_words);
    }
    counts
        .into_iter()
        .filter(|(name, n)| *n == 1 && !reset.contains(name))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The variable a value is, when it is one whole: `$NAME`, `${NAME}`.
fn single_variable(value: &str) -> Option<&str> {
    // A GitHub Actions expression reading the environment (`${{ env.TIER }}`), which the
    // runner replaces with the value the step's `env` gives `$TIER`.
    if let Some(inner) = value.strip_prefix("${{").and_then(|v| v.strip_suffix("}}")) {
        let inner = inner.trim();
        // `${{ matrix.KEY }}`: the variable the matrix combination sets (see `ci`).
        let (name, whole) = match inner.strip_prefix("env.") {
            Some(name) => (name, name),
            None => (inner.strip_prefix("matrix.")?, inner),
        };
        return (!name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        .then_some(whole);
    }
    let name = match value.strip_prefix("${") {
        Some(rest) => rest.strip_suffix('}')?,
        None => value.strip_prefix('$')?,
    };
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(name)
}

/// The names `text` assigns at the start of a line: `NAME=...`, `export NAME=...` (also
/// `declare`, `readonly`, `local`), a Makefile's `NAME ?= ...`, `NAME := ...`, `NAME += ...`.
fn assigned_names(text: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for line in text.lines() {
        let mut line = line.trim_start();
        for prefix in ["export ", "declare ", "readonly ", "local ", "override "] {
            if let Some(rest) = line.strip_prefix(prefix) {
                line = rest.trim_start();
            }
        }
        let len = line
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let (Some(name), Some(rest)) = (line.get(..len), line.get(len..)) else {
            continue;
        };
        let rest = rest.trim_start();
        if !name.is_empty()
            && ["=", "?=", ":=", "::=", "+="]
                .iter()
                .any(|op| rest.starts_with(op))
        {
            names.insert(name.to_string());
        }
    }
    names
}

/// `${NAME:-default}` (also `:=`, `-`, `=`), both plain words (a name, a path): the name and
/// the default.
fn with_default(value: &str) -> Option<(&str, &str)> {
    let inner = value.strip_prefix("${")?.strip_suffix('}')?;
    let (name, rest) = inner.split_at(inner.find([':', '-', '='])?);
    let default = [":-", ":=", "-", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op))?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_./-".contains(&b))
    };
    (plain(name) && plain(default)).then_some((name, default))
}

/// A service value: `cloud` is commercial Atlas (`cloudgov` is AtlasGov; any other value
/// makes every CLI command fail, so it is not judged). `cloudgov` is its one counterpart,
/// written over the value where the value's bytes are `cloud` as they stand (not quoted).
fn service_value(value: &str, loc: Loc, out: &mut Model) {
    service_value_written(value, loc, None, out);
}

/// [`service_value`] of a value used at `loc` and written at `written` (a variable set to
/// `cloud` once, then used: `atlas config set service "$SERVICE"`), where its fix edits it.
fn service_value_written(value: &str, mut loc: Loc, written: Option<Loc>, out: &mut Model) {
    if value == "cloud" {
        let edit = written.clone().unwrap_or_else(|| loc.clone());
        if let Some(w) = written {
            loc.via = Some(Box::new(w));
        }
        let switch = Switch {
            loc: edit,
            expected: "cloud".into(),
            text: "cloudgov".to_string(),
        };
        out.endpoints.push(Endpoint {
            switch: Some((switch, "select service cloudgov")),
            ..Endpoint::new(
                Text {
                    value: COMMERCIAL_URL.into(),
                    loc,
                },
                "Atlas CLI service `cloud`",
            )
        });
    }
}

/// One command string and where it is.
struct Located<'a> {
    ctx: &'a LocCtx<'a>,
    /// The string the command words were read from.
    text: &'a str,
    place: Place<'a>,
}

impl Located<'_> {
    /// Whether the command words are a file's own text (a script, a Makefile, a Dockerfile),
    /// byte for byte.
    fn is_file(&self) -> bool {
        matches!(self.place, Place::File { .. })
    }

    /// The location of `span` of the string; `pointer` for a file's commands (a scalar keeps
    /// its own pointer).
    fn loc(&self, span: Span, pointer: &str) -> Loc {
        match self.place {
            Place::File { base } => self.ctx.loc_of(
                Span {
                    start: base.saturating_add(span.start),
                    end: base.saturating_add(span.end),
                },
                pointer,
            ),
            Place::Word(parent, word) => parent.loc(
                word.span_of(span.start as usize, span.end as usize),
                pointer,
            ),
            Place::Scalar(cur) => self.in_scalar(cur, span),
            // In the word the span starts in: the piece where the scalar spells it, else the
            // whole scalar (a quoted word, a span across words).
            Place::Words(words, starts) => {
                let i = starts
                    .partition_point(|&s| s <= span.start)
                    .saturating_sub(1);
                match words.get(i) {
                    Some(cur) => self.in_scalar(cur, span),
                    None => self.ctx.loc_of(Span { start: 0, end: 0 }, pointer),
                }
            }
        }
    }

    /// The location of `span` of the string, which `cur`'s value spells: the piece where the
    /// scalar spells it, else the whole scalar.
    fn in_scalar(&self, cur: &Cursor<'_>, span: Span) -> Loc {
        let piece = self
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        // A Terraform heredoc (an expression) is read as spelled in the file.
        let mut locator = if cur.node.is_expr() {
            Locator::spelled(self.ctx, cur)
        } else {
            Locator::new(self.ctx, cur)
        };
        locator
            .text(piece)
            .map_or_else(|| self.ctx.loc(cur), |t| t.loc)
    }

    fn text(&self, value: &str, span: Span, pointer: &str) -> Text {
        Text {
            value: intern_value(value),
            loc: self.loc(span, pointer),
        }
    }
}

/// `MONGODB_ATLAS_SERVICE` set in a YAML or JSON file: a key (`env:`, `variables:`,
/// `environment:`), a `name`/`value` pair (a Kubernetes container's `env`), or a
/// `NAME=value` string in a list (a compose file's `environment`).
fn service_settings(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    let mut todo = vec![root.clone()];
    while let Some(cur) = todo.pop() {
        match &cur.node.value {
            Value::Map(_) => {
                if cur.get("name").and_then(|n| n.str()) == Some(SERVICE_VARIABLE) {
                    if let Some(value) = cur.get("value") {
                        if let Some(v) = value.str() {
                            service_value(v, ctx.loc(&value), out);
                        }
                    }
                }
                for (k, v) in cur.entries() {
                    if k.text() == Some(SERVICE_VARIABLE) {
                        // GitLab's `NAME: {value: x, description: y}`.
                        let value = v.get("value").unwrap_or_else(|| v.clone());
                        if let Some(s) = value.str() {
                            service_value(s, ctx.loc(&value), out);
                        }
                    } else {
                        todo.push(v);
                    }
                }
            }
            Value::Seq(_) => {
                for item in cur.items() {
                    let setting = item
                        .str()
                        .and_then(|s| s.strip_prefix(SERVICE_VARIABLE))
                        .and_then(|s| s.strip_prefix('='));
                    match setting {
                        Some(value) => {
                            let loc = super::common::sub_text(ctx, &item, value)
                                .map_or_else(|| ctx.loc(&item), |t| t.loc);
                            service_value(value, loc, out);
                        }
                        None => todo.push(item),
                    }
                }
            }
            _ => {}
        }
    }
}

/// The Dockerfile `ARG` instructions (by index in `cmds`: each instruction's build stage, and
/// its command when it parses) whose defaults no `RUN` sees: all of whose names an `ENV` of
/// the same stage sets before its next `RUN` (an `ENV` always overrides an `ARG` of the same
/// name), or declared before the first `FROM` and not declared again in a stage.
fn overridden_args(cmds: &[(usize, Option<shell::Command>)]) -> HashSet<usize> {
    let keyword = |c: &shell::Command| {
        let start = commands::command_start(&c.words);
        c.words
            .get(start)
            .and_then(|w| w.known())
            .map(str::to_ascii_uppercase)
    };
    let names = |c: &shell::Command| -> Vec<String> {
        let start = commands::command_start(&c.words) + 1;
        let words = c.words.get(start..).unwrap_or(&[]);
        match words {
            // `ENV NAME value`: one name.
            [name, _, ..] if !name.value.contains('=') => vec![name.value.clone()],
            _ => words
                .iter()
                .map(|w| w.value.split('=').next().unwrap_or("").to_string())
                .filter(|n| !n.is_empty())
                .collect(),
        }
    };
    let mut out = HashSet::new();
    for (i, (stage, cmd)) in cmds.iter().enumerate() {
        let Some(cmd) = cmd
            .as_ref()
            .filter(|c| keyword(c).as_deref() == Some("ARG"))
        else {
            continue;
        };
        let args = names(cmd);
        // Whether an `ENV` of the stage of instruction `j` sets every one of the arguments
        // before the stage's next `RUN` (a `RUN` between runs with the argument's value).
        // Only `RUN`, `ENV` and `ARG` instructions are here; a `RUN`'s command starts with
        // its own program.
        let overridden_after = |j: usize, stage: usize| {
            let set: HashSet<String> = cmds
                .iter()
                .skip(j + 1)
                .filter(|(s, _)| *s == stage)
                .map(|(_, c)| c.as_ref().map(|c| (keyword(c), c)))
                .take_while(|c| matches!(c, Some((Some(k), _)) if k == "ENV" || k == "ARG"))
                .flatten()
                .filter(|(k, _)| k.as_deref() == Some("ENV"))
                .flat_map(|(_, c)| names(c))
                .collect();
            !args.is_empty() && args.iter().all(|a| set.contains(a))
        };
        // An argument declared before the first `FROM` is seen by `FROM` lines only: a
        // stage's `RUN`s see it where the stage declares it again (`ARG NAME`, no value),
        // unless an `ENV` overrides it there first.
        if *stage == 0 {
            let seen_by_a_run = cmds
                .iter()
                .enumerate()
                .skip(i + 1)
                .filter(|(_, (s, _))| *s > 0)
                .filter_map(|(j, (s, c))| Some((j, *s, c.as_ref()?)))
                .filter(|(_, _, c)| keyword(c).as_deref() == Some("ARG"))
                .filter(|(_, _, c)| {
                    let start = commands::command_start(&c.words) + 1;
                    c.words
                        .get(start..)
                        .unwrap_or(&[])
                        .iter()
                        .any(|w| args.contains(&w.value))
                })
                .any(|(j, s, _)| !overridden_after(j, s));
            if !seen_by_a_run {
                out.insert(i);
            }
            continue;
        }
        if overridden_after(i, *stage) {
            out.insert(i);
        }
    }
    out
}

/// The prefix of the keys of [`KeyAlias`]es that link a `--file` body to its command's
/// project; the rest is the path as written, relative to the command's file, or after
/// [`FROM_REPOSITORY`], relative to the root of the repository holding it.
const FILE_KEY: &str = "cli-file:";

/// Marks a `--file` path of a CI step: relative to the checkout (the repository's root).
const FROM_REPOSITORY: &str = "@repository:";

/// A command's `--file` body: linked to the command's project when that is known, and to none
/// when the command names one (`named`: `--projectId "$ID"`) that is not. `workdir`: the
/// directory a CI step runs in, relative to the repository's root.
fn link_body(
    path: &Text,
    project: &ProjectRef,
    named: bool,
    workdir: Option<&str>,
    out: &mut Model,
) {
    let linked = match project {
        ProjectRef::Id(_) | ProjectRef::Key(_) => true,
        ProjectRef::Unknown => named,
        ProjectRef::Directory => false,
    };
    if linked {
        let written = match workdir {
            Some(dir) => format!(
                "{FROM_REPOSITORY}{}",
                Path::new(dir).join(path.as_str()).display()
            ),
            None => path.as_str().to_string(),
        };
        out.key_aliases.push(KeyAlias {
            key: format!("{FILE_KEY}{written}"),
            via: crate::model::Origin {
                body: path.loc.clone(),
                project_ref: project.clone(),
                project: None,
            },
        });
    }
}

/// Once every file is read: the resources of a file that a command sends with `--file` (the
/// path as written, relative to the command's file) take the command's project, whether they
/// name none or a `groupId` (the CLI sends the body to the project of `--projectId`, replacing
/// the body's). Several commands that send one body to different projects leave it unknown.
pub fn link_files(files: &[SourceFile], out: &mut Model) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |p: &Path| crate::paths::absolute(p, &cwd);
    let mut targets: HashMap<PathBuf, String> = HashMap::new();
    for alias in out
        .key_aliases
        .iter_mut()
        .filter(|a| a.key.starts_with(FILE_KEY))
    {
        let written = alias.key.get(FILE_KEY.len()..).unwrap_or("");
        let Some(script) = files.get(alias.via.file() as usize) else {
            continue;
        };
        let script_path = absolute(&script.path);
        let dir = script_path.parent().unwrap_or(Path::new(""));
        let target = match written.strip_prefix(FROM_REPOSITORY) {
            // A CI step runs in the checkout: the directory holding `.github` for a GitHub
            // workflow or action (only there does GitHub read them), else the repository's
            // root; outside a repository, the walk's root stands for it.
            Some(written) => {
                let github = script_path
                    .ancestors()
                    .find(|d| d.file_name().is_some_and(|n| n == ".github"))
                    .and_then(Path::parent)
                    .map(Path::to_path_buf);
                let base = github
                    .or_else(|| crate::paths::repository_root(&script_path))
                    .unwrap_or_else(|| absolute(&script.root));
                crate::paths::normalize(&base.join(written))
            }
            None => crate::paths::normalize(&dir.join(written)),
        };
        alias.key = format!("{FILE_KEY}{}", target.display());
        targets.insert(target, alias.key.clone());
    }
    if targets.is_empty() {
        return;
    }
    let keys: Vec<Option<&String>> = files
        .iter()
        .map(|f| targets.get(&absolute(&f.path)))
        .collect();
    for origin in out.origins_mut() {
        // The CLI replaces the body's own `groupId` with the command's project.
        if !matches!(
            origin.project_ref,
            ProjectRef::Directory | ProjectRef::Id(_)
        ) {
            continue;
        }
        if let Some(Some(key)) = keys.get(origin.file() as usize) {
            origin.project_ref = ProjectRef::Key((*key).clone());
        }
    }
}

#[cfg(test)]
mod tests;

/// The directory a `cd` argument (or a path) names relative to the script's own directory,
/// when it is written from the script's path: `"$(dirname "$0")"`,
/// `"$(dirname -- "${BASH_SOURCE[0]}")/.."`, `${0%/*}/..`,
/// `"$(cd "$(dirname "${BASH_SOURCE[0]}")" &>/dev/null && pwd)"`, or a variable bound to one
/// (`dirs`, e.g. `"$SCRIPT_DIR/../specs"`).
fn script_relative(value: &str, dirs: &HashMap<String, String>) -> Option<String> {
    let plain = canonical_path_expr(value);
    let (dir, rest) = script_dir_prefix(&plain, dirs, 0)?;
    let rest = match rest {
        "" => return Some(dir),
        r => r.strip_prefix('/')?,
    };
    if rest.is_empty() || rest.contains(['$', '`', ' ', '(', ')', '*', '?']) {
        return (rest.is_empty()).then_some(dir);
    }
    Some(if dir == "." {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    })
}

/// A shell word's text with its quotes, `--` end-of-options markers and output redirections
/// to `/dev/null` dropped, and spaces only where words part (`$( cd -- "$( dirname -- "$0" )"
/// &> /dev/null && pwd )` is `$(cd $(dirname $0) && pwd)`).
fn canonical_path_expr(value: &str) -> String {
    let unquoted: String = value.chars().filter(|c| *c != '"').collect();
    let mut words: Vec<&str> = Vec::new();
    let mut tokens = unquoted.split_whitespace().peekable();
    while let Some(t) = tokens.next() {
        match t {
            "--" => {}
            "&>" | ">" | "1>" | "2>" if tokens.peek() == Some(&"/dev/null") => {
                tokens.next();
            }
            "&>/dev/null" | ">/dev/null" | "1>/dev/null" | "2>/dev/null" | "2>&1" => {}
            _ => words.push(t),
        }
    }
    let mut out = words.join(" ");
    while out.contains("$( ") || out.contains(" )") {
        out = out.replace("$( ", "$(").replace(" )", ")");
    }
    out
}

/// The script's directory (or a path from it) at the start of `s`, and what follows it.
fn script_dir_prefix<'s>(
    s: &'s str,
    dirs: &HashMap<String, String>,
    depth: u8,
) -> Option<(String, &'s str)> {
    const SCRIPT: &[&str] = &[
        "$0",
        "${0}",
        "${BASH_SOURCE[0]}",
        "${BASH_SOURCE}",
        "$BASH_SOURCE",
    ];
    if depth > 4 {
        return None;
    }
    if let Some(rest) = s.strip_prefix("${0%/*}") {
        return Some((".".to_string(), rest));
    }
    // `$(dirname A)`, `$(dirname $(realpath A))`, `$(dirname $(readlink -f A))`
    if let Some(inner) = s.strip_prefix("$(dirname ") {
        for wrap in ["", "$(realpath ", "$(readlink -f ", "$(readlink -e "] {
            let Some(after) = inner.strip_prefix(wrap) else {
                continue;
            };
            for script in SCRIPT {
                let close = if wrap.is_empty() { ")" } else { "))" };
                if let Some(rest) = after
                    .strip_prefix(script)
                    .and_then(|r| r.strip_prefix(close))
                {
                    return Some((".".to_string(), rest));
                }
            }
        }
        return None;
    }
    // `$(cd DIR && pwd)`, `$(cd DIR; pwd)`, `$(realpath DIR)`: DIR itself.
    for (open, closes) in [
        (
            "$(cd ",
            &[" && pwd)", " && pwd -P)", "; pwd)", " && pwd -L)"][..],
        ),
        ("$(realpath ", &[")"][..]),
        ("$(readlink -f ", &[")"][..]),
    ] {
        if let Some(inner) = s.strip_prefix(open) {
            let (dir, rest) = script_dir_prefix(inner, dirs, depth + 1)?;
            let (path, after) = match rest.find([' ', ')', ';']) {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let after = closes.iter().find_map(|c| after.strip_prefix(c))?;
            let joined =
                script_relative(&format!("${{0%/*}}{path}"), dirs).map(|p| join_rel(&dir, &p))?;
            return Some((joined, after));
        }
    }
    // A variable bound to such a directory: `$DIR`, `${DIR}`.
    let (name, rest) = match s.strip_prefix("${") {
        Some(r) => {
            let end = r.find('}')?;
            (r.get(..end)?, r.get(end + 1..)?)
        }
        None => {
            let r = s.strip_prefix('$')?;
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            (r.get(..end)?, r.get(end..)?)
        }
    };
    dirs.get(name).map(|d| (d.clone(), rest))
}

/// `base` then `rel`, both relative to the script's directory (`.` is that directory).
fn join_rel(base: &str, rel: &str) -> String {
    match (base, rel) {
        (".", r) => r.to_string(),
        (b, ".") => b.to_string(),
        (b, r) => format!("{b}/{r}"),
    }
}
