//! What can be seen in any checked YAML or JSON file, Atlas body or not: authentication
//! mechanisms selected in MongoDB connection strings and mechanism lists, and the URLs that
//! say which Atlas a tool talks to. An app config or a Kubernetes Secret counts too.
//!
//! A mechanism is read only where it reaches Atlas: a connection string with a host under
//! Atlas's domains ([`ATLAS_DOMAINS`]), a command that names such a host, or a setting in a
//! block that does (or in an enclosing block, when its own names no host), or in an Atlas
//! document (an operator object, a database user body). A self-hosted MongoDB, DocumentDB,
//! Cosmos DB, or a host that is not known (a placeholder) is not Atlas's business.

use arcstr::ArcStr;
use std::sync::Arc;

use super::common::{Locator, URL_KEYS, is_url_key, template_body};
use crate::document::shell::Dialect;
use crate::document::shell::files::{Dockerfile, Makefile};
use crate::document::{Cursor, Value};
use crate::model::{AuthMechanism, Endpoint, LocCtx, Model, Text, intern_value};
use std::collections::HashMap;

/// (`echanism`: `authMechanism`, `authenticationMechanism(s)`, `mechanisms`.)
/// `bW9uZ29kY`, `1vbmdvZG` and `tb25nb2Ri` are `mongodb` in base64 at each of the three
/// alignments (a connection string in a Kubernetes Secret's `data`, at the start of the value
/// or after a `NAME=`).
pub const NEEDLES: &[&str] = &[
    "echanism",
    "mongodb.com",
    "mongodbgov.com",
    "bW9uZ29kY",
    "1vbmdvZG",
    "tb25nb2Ri",
    // Mongoid's (Ruby) `auth_mech: :scram`.
    "auth_mech",
];

/// Longest base64 value decoded to look for a connection string.
const MAX_ENCODED: usize = 64 * 1024;

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    // Admission policies list what they deny: the very URLs and mechanisms this adapter looks
    // for, used by nothing. Gatekeeper's only validate; a Kyverno policy's `generate` and
    // `mutate` rules write resources, which are read.
    let api_version = root.get("apiVersion").and_then(|v| v.str()).unwrap_or("");
    if api_version.contains("gatekeeper.sh/") {
        return;
    }
    if api_version.starts_with("kyverno.io/") {
        for rule in root.path(&["spec", "rules"]).iter().flat_map(|r| r.items()) {
            for part in ["generate", "mutate"] {
                if let Some(written) = rule.get(part) {
                    walk(ctx, &written, None, false, out);
                }
            }
        }
        return;
    }
    // A record Terraform writes: what is found in it is reported there, and never edited.
    if let Some(what) = super::terraform::record(root) {
        out.records.push((ctx.file, what));
    }
    // A Kubernetes Secret's `data` holds its values in base64 (as `kubectl create secret`
    // writes them): a connection string there is judged where the value is, never edited.
    // Also each Secret of a `List` (`kubectl get secrets -o yaml`).
    if api_version == "v1" {
        match root.get("kind").and_then(|k| k.str()) {
            Some("Secret") => secret_data(ctx, root, out),
            Some("List") => {
                for item in root.get("items").iter().flat_map(|i| i.items()) {
                    let is = |k: &str, v: &str| item.get(k).and_then(|x| x.str()) == Some(v);
                    if is("kind", "Secret") && is("apiVersion", "v1") {
                        secret_data(ctx, &item, out);
                    }
                }
            }
            _ => {}
        }
    }
    // An Atlas Kubernetes Operator object is Atlas's by its place.
    let atlas = api_version.starts_with("atlas.mongodb.com/");
    // `terraform show -json` repeats every value (planned values, resource changes, prior
    // state, configuration): read the planned (or state) values only, so each is seen once.
    match super::terraform::plan::values_root(root) {
        Some(values) => walk(ctx, &values, None, atlas, out),
        None => {
            let shell = root.node.tag.as_deref().and_then(Dialect::of_tag);
            let before = out.endpoints.len();
            walk_in(ctx, root, None, atlas, shell, out);
            match shell {
                // Each recipe line of a Makefile runs in a shell of its own: a setting reaches
                // Terraform only on the line that runs it.
                Some(Dialect::Make) => {
                    let makefile = crate::document::shell::files::makefile(ctx.text);
                    names_only_on_terraform_recipe_lines(root, &makefile, before, out);
                    make_exports(ctx, &makefile, out);
                }
                Some(dialect) => {
                    let commands: Vec<&str> = root.items().filter_map(|c| c.str()).collect();
                    // A Dockerfile's `ENV` in the image it builds stays there: what the image
                    // runs (Terraform as its entrypoint, or as a `docker run` command) runs
                    // with it.
                    let docker = (dialect == Dialect::Docker)
                        .then(|| crate::document::shell::files::dockerfile(ctx.text));
                    let in_image = docker.as_ref().map(|d| d.image_env()).unwrap_or_default();
                    let starts: Vec<usize> =
                        root.items().map(|c| c.node.span.start as usize).collect();
                    let image_env: Vec<Option<ArcStr>> = out
                        .endpoints
                        .get(before..)
                        .unwrap_or_default()
                        .iter()
                        .map(|e| {
                            let env = command_of(e)
                                .and_then(|i| starts.get(i))
                                .is_some_and(|start| in_image.binary_search(start).is_ok());
                            e.set_as.clone().filter(|_| env)
                        })
                        .collect();
                    if let Some(docker) = &docker {
                        names_only_where_stages_run_terraform(
                            docker, &starts, &commands, out, before,
                        );
                    } else {
                        names_only_where_terraform_runs(out, before, &commands.join("\n"));
                    }
                    let added = out.endpoints.get_mut(before..).unwrap_or_default();
                    unset_before_terraform(&commands, added);
                    for (e, env) in added.iter_mut().zip(image_env) {
                        if env.is_some() {
                            e.set_as = env;
                        }
                    }
                }
                None => {}
            }
        }
    }
}

/// In a Makefile, where each recipe line runs in a shell of its own (each recipe, with
/// `.ONESHELL:`), forgets the names of the base URLs set since `before` unless the recipe line
/// (or recipe) that sets them runs Terraform (see [`names_only_where_terraform_runs`]).
fn names_only_on_terraform_recipe_lines(
    root: &Cursor<'_>,
    makefile: &Makefile,
    before: usize,
    out: &mut Model,
) {
    // Each command's shell: its recipe line (`export X=... && terraform apply` is two
    // commands of one; a line ending in `\` goes on), or its rule's recipe.
    let rule_of: HashMap<usize, usize> = makefile
        .rules
        .iter()
        .enumerate()
        .flat_map(|(r, rule)| rule.recipes.iter().map(move |&p| (p, r)))
        .collect();
    let shells: Vec<(Option<usize>, &str)> = root
        .items()
        .filter_map(|c| {
            let text = c.str()?;
            let start = c.node.span.start as usize;
            let piece = makefile
                .recipes
                .partition_point(|p| p.start <= start)
                .checked_sub(1);
            let shell = match piece {
                Some(p) if makefile.one_shell => rule_of.get(&p).copied(),
                piece => piece,
            };
            Some((shell, text))
        })
        .collect();
    for e in out.endpoints.get_mut(before..).unwrap_or_default() {
        let this = command_of(e).and_then(|i| shells.get(i)).and_then(|s| s.0);
        let shell = this.map(|this| {
            shells
                .iter()
                .filter(|(shell, _)| *shell == Some(this))
                .map(|(_, c)| *c)
                .collect::<Vec<_>>()
                .join("\n")
        });
        if !shell.as_deref().is_some_and(hands_to_terraform) {
            e.set_as = None;
        }
    }
}

/// A Makefile's exported variables (see [`Makefile::exports`]): the recipes' shells see them,
/// so a base URL setting there is a setting by its name (a tool's default it overrides is
/// overridden where the recipes run it); one set for some targets only when their recipes
/// (or their prerequisites') run Terraform.
fn make_exports(ctx: &LocCtx<'_>, makefile: &Makefile, out: &mut Model) {
    for export in &makefile.exports {
        let (start, end) = export.value;
        let name = export.name.as_str();
        let Some(value) = ctx.text.get(start..end) else {
            continue;
        };
        if !(is_url_key(name) && value.contains("://")) {
            continue;
        }
        // A pattern (`%:`) or a computed target (`$(TARGETS):`) may be any target: as every
        // recipe's.
        let any_target = export.targets.iter().any(|t| t.contains(['%', '$']));
        let reaches = export.targets.is_empty() || any_target || {
            let recipes: Vec<&str> = makefile
                .recipes_of(&export.targets)
                .into_iter()
                .filter_map(|p| makefile.recipes.get(p))
                .filter_map(|p| ctx.text.get(p.start..p.end))
                .collect();
            hands_to_terraform(&recipes.join("\n"))
        };
        let url = Text {
            value: intern_value(value),
            loc: ctx.loc_of(crate::document::Span::new(start, end), &format!("/{name}")),
        };
        out.endpoints.push(Endpoint {
            set_as: reaches.then(|| ArcStr::from(name)),
            reaches_runs: reaches,
            ..Endpoint::new(url, "base URL setting")
        });
    }
}

/// In a Dockerfile, forgets the names of the base URLs set since `before` unless a later
/// command that sees the setting runs Terraform ([`hands_to_terraform`]): for an `ENV`, one of
/// its build stage or of a stage built `FROM` it; for an `ARG`, one of its stage; for an
/// `export` in a `RUN`, one of that `RUN`. `starts` and `commands` are the document's
/// commands, with where each starts.
fn names_only_where_stages_run_terraform(
    docker: &Dockerfile,
    starts: &[usize],
    commands: &[&str],
    out: &mut Model,
    before: usize,
) {
    let stages = &docker.stages;
    let stage_of = |at: usize| stages.partition_point(|s| s.start <= at).checked_sub(1);
    // Each instruction, and whether it is an `ENV` or `ARG` (not a `RUN`'s command).
    let instructions = &docker.instructions;
    let instruction_of = |at: usize| {
        instructions
            .partition_point(|p| p.start <= at)
            .checked_sub(1)
    };
    let keyword = |i: Option<usize>| {
        let start = i.and_then(|i| instructions.get(i)).map(|p| p.start);
        match start {
            Some(at) if stages.iter().any(|s| s.env.contains(&at)) => "ENV",
            Some(at) if docker.args.contains(&at) => "ARG",
            _ => "RUN",
        }
    };
    // Whether stage `s` is `of` or built from it.
    let built_from = |mut s: Option<usize>, of: Option<usize>| {
        let mut steps = 0;
        while s != of && steps <= stages.len() {
            s = s.and_then(|i| stages.get(i)).and_then(|st| st.base);
            steps += 1;
        }
        s == of
    };
    for e in out.endpoints.get_mut(before..).unwrap_or_default() {
        if e.set_as.is_none() {
            continue;
        }
        let reaches = command_of(e).is_some_and(|i| {
            let at = starts.get(i).copied();
            let stage = at.and_then(stage_of);
            let instruction = at.and_then(instruction_of);
            // An `ENV` stays in its stage and the stages built from it; an `ARG` in its stage
            // (one before the first `FROM`, in any that declares it again: not followed); a
            // `RUN`'s `export` in that `RUN`'s shell.
            let kind = keyword(instruction);
            (i..commands.len()).any(|k| {
                let other_at = starts.get(k).copied();
                let other = other_at.and_then(stage_of);
                let within = match kind {
                    "ENV" => built_from(other, stage),
                    "ARG" => stage.is_none() || other == stage,
                    _ => other_at.and_then(instruction_of) == instruction,
                };
                within && commands.get(k).is_some_and(|c| hands_to_terraform(c))
            })
        });
        if !reaches {
            e.set_as = None;
        }
    }
}

/// Forgets the name of a base URL set by name in a script's command when a later command
/// `unset`s it (`unset NAME`, `export -n NAME`) before any command from the setting on runs
/// Terraform ([`hands_to_terraform`]): the setting then reaches no Terraform run.
fn unset_before_terraform(commands: &[&str], added: &mut [Endpoint]) {
    let unsets = |command: &str, name: &str| {
        let mut words = command.split_whitespace();
        let first = words.next();
        let names: Vec<&str> = words.collect();
        let named = names.contains(&name);
        match first {
            Some("unset") => named,
            Some("export") => named && names.contains(&"-n"),
            _ => false,
        }
    };
    for e in added.iter_mut() {
        let (Some(name), Some(i)) = (e.set_as.clone(), command_of(e)) else {
            continue;
        };
        let unset_at = commands
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, c)| unsets(c, &name))
            .map(|(j, _)| j);
        if let Some(j) = unset_at {
            let runs = commands.get(i..j).unwrap_or_default();
            if !runs.iter().any(|c| hands_to_terraform(c)) {
                e.set_as = None;
            }
        }
    }
}

/// Which command of a script's document (by index) an endpoint was found in: the last step of
/// its pointer.
fn command_of(e: &Endpoint) -> Option<usize> {
    e.url.loc.pointer.rsplit('/').next()?.parse().ok()
}

/// Commands that run Terraform, whose provider reads `MONGODB_ATLAS_BASE_URL` from their
/// environment.
const TERRAFORM_RUNNERS: &[&str] = &["terraform", "tofu", "terragrunt"];

/// Whether a command of `text` runs Terraform (its first word, after variable assignments,
/// wrappers such as `sudo -E`/`env`/`time`/`nohup` and keywords such as `if`/`!`, in each
/// command of each line: not `cd terraform/` or `echo "run terraform"`), or the text hands its
/// settings to a GitHub Actions job's next steps (`>> "$GITHUB_ENV"`, `tee -a "$GITHUB_ENV"`).
fn hands_to_terraform(text: &str) -> bool {
    let runs = |command: &str| {
        let mut words = command
            .split_whitespace()
            .map(|w| w.trim_start_matches(['(', '{']));
        let mut option_value = false;
        words
            .find(|w| {
                let skip = w.is_empty()
                    || option_value
                    // Wrappers and keywords before the command, and their options
                    // (`sudo -E`, `time -p`, `env -u NAME`, `if`, `!`).
                    || matches!(
                        *w,
                        "sudo" | "env" | "exec" | "time" | "command" | "nohup" | "nice" | "then"
                            | "do" | "if" | "while" | "until" | "else" | "!" | "RUN"
                    )
                    || w.starts_with('-')
                    // A variable assignment before the command (`NAME=value cmd`).
                    || w.contains('=');
                option_value = matches!(*w, "-u" | "--unset" | "-n" | "-C" | "--chdir");
                !skip
            })
            .map(|w| w.trim_matches(['"', '\'']))
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .is_some_and(|w| TERRAFORM_RUNNERS.contains(&w))
    };
    // `>> "$GITHUB_ENV"`, or `| tee -a "$GITHUB_ENV"`.
    let names_env = |after: &str| {
        let after = after.trim_start().trim_start_matches('"');
        after.starts_with("$GITHUB_ENV") || after.starts_with("${GITHUB_ENV}")
    };
    let hands_on = text
        .match_indices(">>")
        .any(|(i, _)| names_env(text.get(i + 2..).unwrap_or("")))
        || text.match_indices("tee").any(|(i, _)| {
            let after = text.get(i + 3..).unwrap_or("");
            names_env(after.trim_start().trim_start_matches("-a"))
                || names_env(after.trim_start().trim_start_matches("--append"))
        });
    hands_on
        || text
            .lines()
            .flat_map(|line| line.split(['&', '|', ';']))
            .any(runs)
}

/// Forgets the names of the base URLs set inline since `before` (`export
/// MONGODB_ATLAS_BASE_URL=https://...`) unless `text`, the script or step that sets them, also
/// runs Terraform or hands its settings to the job's next steps ([`hands_to_terraform`]): a
/// setting by name overrides a tool's default only where the tool runs with it (GOV020), not
/// in an instance's `user_data` or a script that only calls the API.
fn names_only_where_terraform_runs(out: &mut Model, before: usize, text: &str) {
    let added = out.endpoints.get_mut(before..).unwrap_or_default();
    if added.iter().all(|e| e.set_as.is_none()) {
        return;
    }
    if !hands_to_terraform(text) {
        for e in added {
            e.set_as = None;
        }
    }
}

/// `atlas`: whether the settings here reach Atlas, as far as the enclosing blocks say (see
/// [`block_reach`]).
fn walk(ctx: &LocCtx<'_>, cur: &Cursor<'_>, key: Option<&str>, atlas: bool, out: &mut Model) {
    walk_in(ctx, cur, key, atlas, None, out);
}

/// [`walk`], in a document of shell commands of `shell`'s dialect (the root of a script, a
/// Makefile, a Dockerfile): a flag's value is then read as the shell reads it.
fn walk_in(
    ctx: &LocCtx<'_>,
    cur: &Cursor<'_>,
    key: Option<&str>,
    atlas: bool,
    shell: Option<Dialect>,
    out: &mut Model,
) {
    match &cur.node.value {
        Value::Map(_) => {
            // The Terraform provider with `is_mongodbgov_cloud = true` talks to AtlasGov
            // whatever `base_url` says (it replaces a commercial one).
            let gov_flag = cur
                .get("is_mongodbgov_cloud")
                .is_some_and(|f| f.node.as_bool() == Some(true) || f.str() == Some("true"));
            // An environment entry (`- name: MONGODB_ATLAS_BASE_URL` / `value: ...`): its
            // value is read as the setting it names.
            let env_name = cur
                .get("name")
                .or_else(|| cur.get("Name"))
                .and_then(|n| n.str())
                .filter(|n| URL_KEYS.contains(&n.to_ascii_lowercase().as_str()));
            // The block's own hosts decide where its settings go; a block that names none
            // is where its enclosing block goes, unless it is an Atlas database user body.
            let atlas = block_reach(cur).unwrap_or(atlas || is_database_user(cur));
            // Admin API response metadata (`links: [{href, rel}]`) is not a setting.
            let link = cur.get("rel").is_some();
            // The MongoDB Enterprise Kubernetes Operator's project ConfigMap (`data:
            // {projectName, orgId, baseUrl}`) names Cloud Manager or Ops Manager, another
            // service that `cloud.mongodb.com` also serves: not Atlas's API.
            let ops_manager_project =
                cur.get("projectName").is_some() && cur.get("orgId").is_some();
            let before = out.endpoints.len();
            for (k, v) in cur.entries() {
                let mut key = k.text();
                if gov_flag && key.is_some_and(|k| k.eq_ignore_ascii_case("base_url")) {
                    continue;
                }
                if link && key.is_some_and(|k| k.eq_ignore_ascii_case("href")) {
                    continue;
                }
                if ops_manager_project && key.is_some_and(|k| k.eq_ignore_ascii_case("baseUrl")) {
                    continue;
                }
                if env_name.is_some() && key.is_some_and(|k| k.eq_ignore_ascii_case("value")) {
                    key = env_name;
                }
                walk_in(ctx, &v, key, atlas, shell, out);
            }
            // A rule that denies what it names (`action: deny`, a rule named
            // `block-commercial-atlas`), or a mapping under a key that lists what is refused
            // (`deny:`): its URLs are there for what they are, and pointing them at AtlasGov
            // would refuse AtlasGov. Found, but not rewritten by a safe fix.
            if key.is_some_and(refusing_key) || denies(cur) {
                for e in out.endpoints.get_mut(before..).unwrap_or_default() {
                    e.may_list = true;
                }
            }
        }
        Value::Seq(_) => {
            if key.is_some_and(is_mechanism_list_key) {
                if !atlas {
                    return;
                }
                let values: Vec<Text> = cur
                    .items()
                    .filter_map(|item| ctx.text(Some(item)))
                    .collect();
                let list: Arc<[ArcStr]> = values.iter().map(|v| ArcStr::clone(&v.value)).collect();
                for value in values {
                    out.auth_mechanisms.push(AuthMechanism {
                        value,
                        context: "mechanism list",
                        list: Arc::clone(&list),
                        list_text: None,
                    });
                }
                return;
            }
            let before = out.endpoints.len();
            for item in cur.items() {
                walk_in(ctx, &item, None, atlas, shell, out);
            }
            // The items of a list that refuses what they name (`deny: [{host: URL}]`).
            if key.is_some_and(refusing_key) {
                for e in out.endpoints.get_mut(before..).unwrap_or_default() {
                    e.may_list = true;
                }
            }
        }
        // A non-literal HCL expression holds source text, not a value.
        Value::String(s) if !cur.node.is_expr() => scalar(ctx, cur, key, s, atlas, shell, out),
        // But a template or heredoc spells its literal parts in it: a connection string
        // written there (`"mongodb+srv://u:${var.pw}@host/?authMechanism=..."`) is read as
        // spelled, its options where they are.
        Value::String(_) => {
            let mut at = Locator::spelled(ctx, cur);
            let source = at.source();
            // Only a template or a heredoc: another expression's source (a function call, a
            // conditional) may hold comments and strings that are not the value.
            let template = source.trim_start().starts_with(['"', '<']);
            if !template {
                return;
            }
            if source.contains("mongodb://") || source.contains("mongodb+srv://") {
                connection_strings(&mut at, source, "connection string", out);
            }
            // A command in a provisioner's `command` or an instance's `user_data` script
            // (`mongosh ... --authenticationMechanism SCRAM-SHA-1`, `curl https://...`), read
            // in the template's text: inside its quotes, or a heredoc's lines between its
            // markers. Prose (a description) calls nothing.
            if key.is_some_and(is_prose_key) {
                return;
            }
            let body = template_body(source);
            mechanism_flags(&mut at, body, atlas, &|_, _| None, out);
            let before = out.endpoints.len();
            called_urls(&mut at, body, key, out);
            names_only_where_terraform_runs(out, before, body);
        }
        _ => {}
    }
}

/// Keys whose value names the host a block's settings go to.
const HOST_KEYS: &[&str] = &["host", "hosts", "hostname", "server", "endpoint"];

/// Where a block's settings go, by the hosts its own entries name (a host key, or connection
/// strings): `Some(true)` when one of them is Atlas's, `Some(false)` when it names only others
/// (a self-hosted server, DocumentDB, a placeholder), `None` when it names none.
fn block_reach(cur: &Cursor<'_>) -> Option<bool> {
    let mut named = false;
    for (k, v) in cur.entries() {
        let host_key = k
            .text()
            .is_some_and(|k| HOST_KEYS.iter().any(|h| k.eq_ignore_ascii_case(h)));
        // A list of hosts (Mongoid's `hosts: [a.mongodbgov.net:27017]`).
        if host_key && v.node.as_seq().is_some() {
            let hosts: Vec<&str> = v.items().filter_map(|h| h.str()).collect();
            if hosts.iter().any(|h| is_atlas_host(host_name(h))) {
                return Some(true);
            }
            named |= !hosts.is_empty();
            continue;
        }
        let Some(value) = v.str() else { continue };
        if v.node.is_expr() {
            continue;
        }
        let reach = if host_key {
            Some(
                value
                    .split([',', ' '])
                    .filter(|h| !h.is_empty())
                    .any(|h| is_atlas_host(host_name(h))),
            )
        } else {
            uris_reach_atlas(value)
        };
        match reach {
            Some(true) => return Some(true),
            Some(false) => named = true,
            None => {}
        }
    }
    named.then_some(false)
}

/// An Atlas database user body (`username`, `databaseName`, `roles`): its settings are Atlas's.
fn is_database_user(cur: &Cursor<'_>) -> bool {
    ["username", "databaseName", "roles"]
        .iter()
        .all(|k| cur.get(k).is_some())
}

fn is_mechanism_list_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("authenticationMechanisms") || key.eq_ignore_ascii_case("mechanisms")
}

fn scalar(
    ctx: &LocCtx<'_>,
    cur: &Cursor<'_>,
    key: Option<&str>,
    s: &str,
    atlas: bool,
    shell: Option<Dialect>,
    out: &mut Model,
) {
    let mut at = Locator::new(ctx, cur);
    // A mechanism list written as one comma-separated string.
    if key.is_some_and(is_mechanism_list_key) {
        if !atlas {
            return;
        }
        // An empty name (a trailing comma) is no mechanism.
        let names = || s.split(',').filter(|p| !p.trim().is_empty());
        let list: Arc<[ArcStr]> = names().map(|p| ArcStr::from(p.trim())).collect();
        let whole = ctx.text(Some(cur.clone()));
        for piece in names() {
            if let Some(value) = at.text(piece.trim()) {
                out.auth_mechanisms.push(AuthMechanism {
                    value,
                    context: "mechanism list",
                    list: Arc::clone(&list),
                    list_text: whole.clone(),
                });
            }
        }
        return;
    }
    // `mongosh --authenticationMechanism SCRAM-SHA-1` in a script or a command.
    let shell_word = |from: usize, to: usize| shell.and_then(|d| shell_word(ctx, cur, d, from, to));
    mechanism_flags(&mut at, s, atlas, &shell_word, out);
    if let Some(k) = key {
        if atlas
            && (k.eq_ignore_ascii_case("authMechanism")
                || k.eq_ignore_ascii_case("authenticationMechanism"))
        {
            if let Some(value) = ctx.text(Some(cur.clone())) {
                out.auth_mechanisms.push(AuthMechanism {
                    value,
                    context: "authMechanism setting",
                    list: Arc::new([]),
                    list_text: None,
                });
            }
        }
        // Mongoid (the Ruby driver's options): `auth_mech: :scram` is SCRAM-SHA-1
        // (`:scram256` is SCRAM-SHA-256). Read as the mechanism it names, at the value.
        if atlas
            && k.eq_ignore_ascii_case("auth_mech")
            && s.trim()
                .trim_start_matches(':')
                .eq_ignore_ascii_case("scram")
        {
            if let Some(mut value) = ctx.text(Some(cur.clone())) {
                value.value = intern_value("SCRAM-SHA-1");
                out.auth_mechanisms.push(AuthMechanism {
                    value,
                    context: "Mongoid auth_mech :scram (the Ruby driver's SCRAM-SHA-1)",
                    list: Arc::new([]),
                    list_text: None,
                });
            }
        }
        let norm = k.to_ascii_lowercase();
        // `ATLAS_URI: mongodb+srv://...` is a connection string (judged below), not the base
        // URL the operator's `atlasURI` names.
        let connection_string = {
            let v = s.trim_start();
            v.starts_with("mongodb://") || v.starts_with("mongodb+srv://")
        };
        if URL_KEYS.contains(&norm.as_str()) && s.contains("://") && !connection_string {
            if let Some(url) = ctx.text(Some(cur.clone())) {
                out.endpoints.push(Endpoint::new(url, "base URL setting"));
            }
            return;
        }
    }
    if let Some(rest) = s.trim_start().strip_prefix("--atlas-domain=") {
        if let Some(url) = at.text(rest) {
            out.endpoints.push(Endpoint::new(
                url,
                crate::adapters::kubernetes::OPERATOR_ARGUMENT,
            ));
        }
        return;
    }
    if s.contains("mongodb://") || s.contains("mongodb+srv://") {
        connection_strings(&mut at, s, "connection string", out);
    }
    let before = out.endpoints.len();
    called_urls(&mut at, s, key, out);
    // A script's lines are judged together (in `adapt`).
    if shell.is_none() {
        names_only_where_terraform_runs(out, before, s);
    }
}

/// The start and end of the line of `s` that holds offset `at` (without its line break).
fn line_bounds(s: &str, at: usize) -> (usize, usize) {
    let from = s.get(..at).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
    let to = s
        .get(at..)
        .and_then(|a| a.find('\n'))
        .map_or(s.len(), |i| at + i);
    (from, to)
}

/// The Admin API URLs called, and base URLs set inline, in the text `s` of a value under `key`
/// (a script line, a command, a JSON profile secret).
fn called_urls(at: &mut Locator<'_>, s: &str, key: Option<&str>, out: &mut Model) {
    // Prose (a description, a changelog, a lint rule's pattern) mentions URLs; it calls none.
    if key.is_some_and(is_prose_key) {
        return;
    }
    // Per line (computed once per line, so a long line costs linear time): whether it runs a
    // search for the URL, and whether it reads as a command rather than a sentence.
    let mut line: Option<(usize, usize, bool, bool)> = None;
    for (start, _) in s.match_indices("https://") {
        let url = url_at(s, start);
        let (search, command) = match line {
            Some((from, to, search, command)) if from <= start && start < to => (search, command),
            _ => {
                let (from, to) = line_bounds(s, start);
                let text = s.get(from..to).unwrap_or("");
                // A guard that searches for the URL (`grep 'cloud.mongodb.com' ...`) does not
                // use it.
                // A comment line of a script calls nothing either.
                let search = SEARCH_COMMANDS.iter().any(|c| contains_word(text, c))
                    || text.trim_start().starts_with('#');
                // A command, an assignment or a continuation line, not a sentence: a caller,
                // shell punctuation, or nothing else on the line before the URL.
                let before = s.get(from..start).unwrap_or("").trim();
                // Alone at the start of its line: a command's continuation when the line
                // before ends with `\` (or PowerShell's backtick).
                let continued = before.is_empty()
                    && s.get(..from.saturating_sub(1))
                        .and_then(|b| b.rsplit('\n').next())
                        .is_some_and(|prev| prev.trim_end().ends_with(['\\', '`']));
                // A command that only writes or edits text (`echo "moved off https://..."`,
                // `sed -i 's#https://...#...#'`) calls nothing, unless a caller is on the line.
                let calls = CALLERS.iter().any(|c| text.contains(c));
                let writes_text = !calls && text_command(before);
                let command = !writes_text
                    && (continued
                        || calls
                        || before.contains(['$', '=', '"', '\'', '|', '\\', '`'])
                        || before.contains("--")
                        || before.contains("-X"));
                line = Some((from, to, search, command));
                (search, command)
            }
        };
        if search {
            continue;
        }
        let mut set_as = None;
        let context = if (url.contains("/api/atlas/") || url.contains("/api/public/"))
            && (s.trim() == url || command)
        {
            "Admin API URL"
        } else if let Some(name) = set_by_name(s, start) {
            // `NAME=url cmd ...` sets it for that one command only, which must run Terraform.
            let (line_start, line_end) = line_bounds(s, start);
            let line = s.get(line_start..line_end).unwrap_or("");
            let rest = s
                .get(start + url.len()..line_end)
                .unwrap_or("")
                .trim_start_matches(['"', '\''])
                .trim_start();
            let one_command = !line.trim_start().starts_with("export")
                && !rest.is_empty()
                && !rest.starts_with(['&', '|', ';', '#', '\\']);
            if !one_command || hands_to_terraform(line) {
                set_as = Some(name);
            }
            "base URL setting"
        } else {
            continue;
        };
        // A value of its own that is a list item, or under a key that lists what is refused
        // or kept for reference (`deny_urls:`, `old_api:`, a test's `input:`), may be there
        // for what it is.
        let may_list = !command && s.trim() == url && key.is_none_or(listing_key);
        if let Some(url) = at.text(url) {
            out.endpoints.push(Endpoint {
                may_list,
                set_as: set_as.map(ArcStr::from),
                ..Endpoint::new(url, context)
            });
        }
    }
}

/// Words that say a rule or list refuses what it names.
const REFUSING: &[&str] = &[
    "deny",
    "denied",
    "denylist",
    "block",
    "blocked",
    "blocklist",
    "blacklist",
    "reject",
    "rejected",
    "drop",
    "forbid",
    "forbidden",
    "disallow",
    "disallowed",
    "banned",
];

/// Whether a value says that what a rule names is refused (`deny`, `REJECT`, `drop`).
fn refusing(value: &str) -> bool {
    crate::document::secrets::words(value)
        .iter()
        .any(|w| REFUSING.contains(&w.as_str()))
}

/// Whether a key names a list or a block of what is refused: refusing words only (`deny`,
/// `denylist`), or ending in what such a list holds (`blocked_hosts`, `deny_urls`); not a
/// name that merely holds such a word (`block-storage-exporter`).
fn refusing_key(key: &str) -> bool {
    const HELD: &[&str] = &[
        "url",
        "urls",
        "host",
        "hosts",
        "domain",
        "domains",
        "endpoint",
        "endpoints",
        "destination",
        "destinations",
        "target",
        "targets",
        "rule",
        "rules",
        "list",
        "entries",
        "sites",
        "patterns",
        "hostnames",
    ];
    let words = crate::document::secrets::words(key);
    words.iter().any(|w| REFUSING.contains(&w.as_str()))
        && words
            .iter()
            .all(|w| REFUSING.contains(&w.as_str()) || HELD.contains(&w.as_str()))
}

/// Whether a mapping is a rule that refuses what it names: a key that says what the rule does
/// (`action`, `effect`, `policy`, `verdict`, `decision`, `access`, squid's `http_access`,
/// a firewall's `target` or `jump`) is `deny`, `block`, `reject`, `drop`, ... A name alone
/// (`block-storage-exporter`) does not say so.
fn denies(cur: &Cursor<'_>) -> bool {
    const ACTION_WORDS: &[&str] = &[
        "action", "effect", "policy", "verdict", "decision", "access", "target", "jump",
    ];
    cur.entries().any(|(k, v)| {
        let (Some(k), Some(v)) = (k.text(), v.str()) else {
            return false;
        };
        crate::document::secrets::words(k)
            .iter()
            .any(|w| ACTION_WORDS.contains(&w.as_str()))
            && refusing(v)
    })
}

/// Whether a key's name says its value is listed for what it is, not used to connect: a deny
/// list, an old or example value, a test's input or expectation.
fn listing_key(key: &str) -> bool {
    // Whole words of the key (`deny_urls`, `oldApi`, `expected-url`), not parts of words
    // (`threshold`, `latest`).
    let words = crate::document::secrets::words(key);
    words.iter().any(|w| {
        [
            "deny",
            "denied",
            "block",
            "blocked",
            "blocklist",
            "denylist",
            "reject",
            "exclude",
            "excluded",
            "forbid",
            "forbidden",
            "disallow",
            "disallowed",
            "banned",
            "old",
            "legacy",
            "former",
            "migrated",
            "from",
            "deprecated",
            "previous",
            "example",
            "sample",
            "input",
            "expect",
            "expected",
            "fixture",
            "test",
            "tests",
        ]
        .contains(&w.as_str())
    })
}

/// Whether the URL at `start` is the value of a base URL setting written inline: `atlas config
/// set ops_manager_url https://...`, `export MONGODB_ATLAS_BASE_URL=https://...`, a JSON string
/// such as a profile secret's `"BaseUrl":"https://..."`. Prose (`base_url: https://... for
/// commercial`, `used base_url https://...`) is not: the name must be followed by `=` or a
/// JSON colon, or by a space only after `config set` or as an environment variable's name
/// (`MONGODB_ATLAS_BASE_URL https://...` in a `docker run -e`-like list). The setting's name
/// when it is one.
fn set_by_name(s: &str, start: usize) -> Option<&str> {
    let before = s.get(..start).unwrap_or("");
    // The end of the name: just after the last identifier character before the URL.
    let gap_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
        .map_or(0, |(i, c)| i + c.len_utf8());
    let gap = before.get(gap_start..).unwrap_or("");
    let name_part = before.get(..gap_start).unwrap_or("");
    let name_start = name_part
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = name_part.get(name_start..).unwrap_or("");
    if !is_url_key(name) {
        return None;
    }
    let spaced = !gap.is_empty() && gap.len() <= 3 && gap.bytes().all(|b| b == b' ' || b == b'\t');
    let after_set = name_part
        .get(..name_start)
        .unwrap_or("")
        .trim_end()
        .ends_with("config set");
    let env_name = name
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    (matches!(gap, "=" | "=\"" | "='" | "\":\"" | "\": \"" | "\\\":\\\"")
        || (spaced && (after_set || env_name)))
        .then_some(name)
}

/// Keys whose text is prose or a pattern, not a setting or a command.
const PROSE_KEYS: &[&str] = &[
    "description",
    "summary",
    "title",
    "help",
    "message",
    "note",
    "notes",
    "comment",
    "comments",
    "details",
    "reason",
    "doc",
    "docs",
    "documentation",
    "pattern",
    "patterns",
    "pattern-either",
    "pattern-regex",
    "pattern-not",
    "pattern-inside",
    "regex",
];

fn is_prose_key(key: &str) -> bool {
    PROSE_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
}

/// What calls a URL on the line that holds it: an Admin API URL counts only there (or as a
/// value of its own), not in a sentence.
const CALLERS: &[&str] = &[
    "curl",
    "wget",
    "Invoke-RestMethod",
    "Invoke-WebRequest",
    "irm ",
    "iwr ",
    "http ",
    "https ",
    "fetch(",
    "requests.",
    "axios",
    "--url",
    "atlas api",
];

/// Commands whose arguments are text they print or edit, not addresses they call: a URL
/// there is a message or a pattern.
const TEXT_COMMANDS: &[&str] = &[
    "echo",
    "printf",
    "print",
    "sed",
    "awk",
    "perl",
    "logger",
    "log",
    "info",
    "warn",
    "warning",
    "error",
    "notice",
    "debug",
    "die",
    "Write-Host",
    "Write-Output",
    "Write-Warning",
    "Write-Error",
];

/// Whether the command the text before a URL belongs to (the last of `a && b; c | d`) is one
/// of [`TEXT_COMMANDS`].
fn text_command(before: &str) -> bool {
    // Inside a command substitution (`url=$(printf 'https://...' "$ID")`) the text printed is
    // a value the script goes on to use.
    let last = before.rfind([';', '|', '&', '(', '`']);
    if last.is_some_and(|i| matches!(before.as_bytes().get(i), Some(b'(' | b'`'))) {
        return false;
    }
    let segment = last
        .and_then(|i| before.get(i + 1..))
        .unwrap_or(before)
        .trim_start_matches(|c: char| c.is_whitespace() || c == '-');
    let word = segment.split_whitespace().next().unwrap_or("");
    TEXT_COMMANDS.contains(&word)
}

/// Commands that search for text: a URL in their arguments is what they look for.
const SEARCH_COMMANDS: &[&str] = &["grep", "rg", "ag", "Select-String", "findstr"];

/// Whether `word` occurs in `line` as a whole word.
fn contains_word(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(i, _)| {
        let before = line.get(..i).and_then(|b| b.chars().next_back());
        let after = line.get(i + word.len()..).and_then(|a| a.chars().next());
        let boundary =
            |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
        boundary(before) && boundary(after)
    })
}

/// The URL that starts at `start`: up to whitespace, a quote or an angle bracket, except that
/// a placeholder in it (`mongodb+srv://app:<password>@orders.mongodb.net/?...`, as docs and
/// `.env.example` files write them) is part of it, and so is an expression of a CI system or a
/// template, spaces and all (`mongodb+srv://app:${{ secrets.PW }}@...`, `{{ .Values.pw }}`).
fn url_at(s: &str, start: usize) -> &str {
    let rest = s.get(start..).unwrap_or("");
    let ends = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>');
    let mut from = 0;
    while let Some(i) = rest
        .get(from..)
        .and_then(|r| r.find(ends))
        .map(|i| i + from)
    {
        if let Some(close) = expression_end(rest, from, i) {
            from = close;
            continue;
        }
        let tail = rest.get(i..).unwrap_or("");
        match placeholder_len(tail) {
            // The URL goes on after it.
            Some(n)
                if tail
                    .get(n..)
                    .and_then(|t| t.chars().next())
                    .is_some_and(|c| !ends(c)) =>
            {
                from = i + n;
            }
            _ => return rest.get(..i).unwrap_or(""),
        }
    }
    rest
}

/// Longest expression ([`expression_end`]) read as part of a URL.
const MAX_URL_EXPRESSION: usize = 200;

/// When the byte at `at` of `url` lies inside a `{{ ... }}` expression opened after `from`
/// (GitHub Actions' `${{ secrets.PW }}`, a Helm or Jinja template's `{{ .Values.pw }}`) that
/// closes on its line within [`MAX_URL_EXPRESSION`] bytes: the offset past its `}}`.
fn expression_end(url: &str, from: usize, at: usize) -> Option<usize> {
    let head = url.get(from..at)?;
    let open = from + head.rfind("{{")?;
    if url.get(open..at)?.contains("}}") {
        return None;
    }
    let close = at + url.get(at..)?.find("}}")?;
    let inside = url.get(open..close)?;
    (close - open <= MAX_URL_EXPRESSION && !inside.contains(['\n', '\r', '"', '\'', '`']))
        .then_some(close + 2)
}

/// The length of a `<name>` placeholder at the start of `s` (a word of at most 64 letters,
/// digits, `_`, `-` or `.`).
fn placeholder_len(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('<')?;
    let close = inner.find('>')?;
    let name = inner.get(..close)?;
    let word = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    word.then_some(close + 2)
}

/// `authMechanism` options of every MongoDB connection string in `s`.
fn connection_strings(at: &mut Locator<'_>, s: &str, context: &'static str, out: &mut Model) {
    // A value that is one connection string and nothing else is that string whole: a quote
    // in it is the password's (`mongodb+srv://bob:it's@...`), not the end of the URL as in a
    // command line.
    let whole = s.trim();
    let alone = !whole.contains(char::is_whitespace);
    let leading = s.len() - s.trim_start().len();
    for scheme in ["mongodb://", "mongodb+srv://"] {
        for (start, _) in s.match_indices(scheme) {
            let uri = if alone && start == leading {
                whole
            } else {
                url_at(s, start)
            };
            let Some((_, query)) = uri.split_once('?') else {
                continue;
            };
            if !reaches_atlas(uri.get(scheme.len()..).unwrap_or("")) {
                continue;
            }
            for option in query.split(['&', ';']) {
                let Some((name, value)) = option.split_once('=') else {
                    continue;
                };
                if name.eq_ignore_ascii_case("authMechanism") {
                    if let Some(mut text) = at.text(value) {
                        // URI options may be percent-encoded (`SCRAM%2DSHA%2D1`).
                        if value.contains('%') {
                            text.value = crate::model::intern_value(&percent_decode(value));
                        }
                        out.auth_mechanisms.push(AuthMechanism {
                            value: text,
                            context,
                            list: Arc::new([]),
                            list_text: None,
                        });
                    }
                }
            }
        }
    }
}

/// The connection strings of a Kubernetes Secret's base64 `data` values.
fn secret_data(ctx: &LocCtx<'_>, secret: &Cursor<'_>, out: &mut Model) {
    let plain = secret.get("stringData");
    for (key, value) in secret.get("data").iter().flat_map(|d| d.entries()) {
        // A key also in `stringData` takes that value (Kubernetes merges it over `data`).
        if let (Some(plain), Some(key)) = (&plain, key.node.as_str()) {
            if plain.get(key).is_some() {
                continue;
            }
        }
        let Some(decoded) = value.str().and_then(base64_text) else {
            continue;
        };
        if decoded.contains("mongodb://") || decoded.contains("mongodb+srv://") {
            connection_strings(
                &mut Locator::encoded(ctx, &value),
                &decoded,
                "connection string (base64, in a Secret's data)",
                out,
            );
        }
    }
}

/// A base64 (standard alphabet, padding optional) value's text, when it decodes to UTF-8.
fn base64_text(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('=');
    if s.is_empty() || s.len() > MAX_ENCODED {
        return None;
    }
    let sextet = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut bytes = Vec::with_capacity(s.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        acc = (acc << 6) | u32::from(sextet(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    String::from_utf8(bytes).ok()
}

/// `%XX` escapes decoded (invalid ones kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mechanism after every `--authenticationMechanism` (or `--authenticationMechanism=`)
/// in `s`, in commands that reach Atlas: the command's connection strings and `--host`
/// values decide (its line, with `\` continuations); a command that names no host goes where
/// its block goes (`atlas`).
///
/// `word(from, to)` reads the word at `s[from..]` (up to the command's end, `to`) as the shell
/// does, in a script: its value after quote removal (`SCRAM\-SHA\-1`, `$'SCRAM-SHA-1'`),
/// located at its bytes; `None` elsewhere, where the text up to a blank is the value.
fn mechanism_flags(
    at: &mut Locator<'_>,
    s: &str,
    atlas: bool,
    word: &dyn Fn(usize, usize) -> Option<Option<Text>>,
    out: &mut Model,
) {
    const FLAG: &str = "--authenticationMechanism";
    if !s.contains(FLAG) {
        return;
    }
    // The command of the last flag: (start, end, whether it reaches Atlas). Flags come in
    // order, so each command is judged once however many flags it holds.
    let mut last: Option<(usize, usize, bool)> = None;
    for (flag, _) in s.match_indices(FLAG) {
        let reaches = match last {
            Some((from, to, reaches)) if from <= flag && flag < to => reaches,
            _ => {
                let (from, to) = command_at(s, flag);
                // `# was: mongosh ... --authenticationMechanism SCRAM-SHA-1`: a comment in a
                // script; `echo 'never pass --authenticationMechanism SCRAM-SHA-1'`: text
                // written, no login. Judged at the command's first flag.
                let before = s.get(from..flag).unwrap_or("");
                let logs_in =
                    !before.trim_start().starts_with('#') && !text_command(before.trim_start());
                let reaches =
                    logs_in && command_reach(s.get(from..to).unwrap_or("")).unwrap_or(atlas);
                last = Some((from, to, reaches));
                reaches
            }
        };
        if !reaches {
            continue;
        }
        let rest = s.get(flag + FLAG.len()..).unwrap_or("");
        let value = match rest.strip_prefix('=') {
            Some(v) => v,
            None if rest.starts_with([' ', '\t']) => rest.trim_start_matches([' ', '\t']),
            None => continue,
        };
        // A value spelled with quotes or escapes, in a script: read as the shell reads it.
        let value_at = s.len() - value.len();
        let command_end = last.map_or(s.len(), |l| l.1);
        let spelled = value
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .is_some_and(|v| v.contains(['\\', '\'', '"', '$']));
        if let Some(read) = spelled.then(|| word(value_at, command_end)).flatten() {
            // A script: the value the shell passes (an expansion is unknown: nothing).
            if let Some(value) = read {
                out.auth_mechanisms.push(AuthMechanism {
                    value,
                    context: "--authenticationMechanism option",
                    list: Arc::new([]),
                    list_text: None,
                });
            }
            continue;
        }
        let value = value.trim_start_matches(['"', '\'']);
        let end = value
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '`'))
            .unwrap_or(value.len());
        let value = value.get(..end).unwrap_or("");
        if let Some(value) = at.text(value) {
            out.auth_mechanisms.push(AuthMechanism {
                value,
                context: "--authenticationMechanism option",
                list: Arc::new([]),
                list_text: None,
            });
        }
    }
}

/// The command line holding `at` (its byte range): its line, extended over `\`-continued
/// lines.
fn command_at(s: &str, at: usize) -> (usize, usize) {
    let bytes = s.as_bytes();
    let mut from = s.get(..at).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
    // Lines before that end with a backslash continue into this one.
    while from >= 2 && bytes.get(from - 2) == Some(&b'\\') {
        from = s
            .get(..from - 1)
            .and_then(|b| b.rfind('\n'))
            .map_or(0, |i| i + 1);
    }
    let mut to = s
        .get(at..)
        .and_then(|a| a.find('\n'))
        .map_or(s.len(), |i| at + i);
    while to < s.len() && to > 0 && bytes.get(to - 1) == Some(&b'\\') {
        to = s
            .get(to + 1..)
            .and_then(|a| a.find('\n'))
            .map_or(s.len(), |i| to + 1 + i);
    }
    (from, to)
}

/// Where a command goes, by its connection strings and `--host` values: `Some(true)` when
/// one of them is an Atlas host, `Some(false)` when it names only others, `None` when it
/// names no host.
fn command_reach(command: &str) -> Option<bool> {
    let hosts: Vec<&str> = command
        .match_indices("--host")
        .filter_map(|(i, _)| {
            let rest = command.get(i + "--host".len()..)?;
            let rest = rest
                .strip_prefix('=')
                .unwrap_or(rest)
                .trim_start_matches([' ', '\t']);
            let rest = rest.trim_start_matches(['"', '\'']);
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';'))
                .unwrap_or(rest.len());
            rest.get(..end).filter(|h| !h.is_empty())
        })
        .collect();
    // `--host rs0/a.example.net:27017,b.example.net:27017`: a replica set name, then hosts.
    let host_atlas = |h: &&str| {
        let h = h.rsplit_once('/').map_or(*h, |(_, hosts)| hosts);
        h.split(',').any(|h| is_atlas_host(host_name(h)))
    };
    match uris_reach_atlas(command) {
        Some(uris) => Some(uris || hosts.iter().any(host_atlas)),
        None if hosts.is_empty() => None,
        None => Some(hosts.iter().any(host_atlas)),
    }
}

/// Whether a MongoDB connection string in `s` goes to Atlas; `None` when `s` holds none.
fn uris_reach_atlas(s: &str) -> Option<bool> {
    let mut uris = ["mongodb://", "mongodb+srv://"]
        .iter()
        .flat_map(|scheme| s.match_indices(scheme).map(move |(i, _)| (i, scheme.len())))
        .peekable();
    uris.peek()?;
    Some(uris.any(|(i, len)| reaches_atlas(url_at(s, i).get(len..).unwrap_or(""))))
}

/// Atlas's DNS domains: every cluster host, SRV name and private endpoint host of Atlas
/// (`*.mongodb.net`) and of Atlas for Government (`*.mongodbgov.net`) is under one of them.
const ATLAS_DOMAINS: &[&str] = &["mongodb.net", "mongodbgov.net"];

/// Whether a host name is under one of Atlas's domains.
fn is_atlas_host(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    ATLAS_DOMAINS.iter().any(|domain| {
        name.len() > domain.len()
            && name
                .get(name.len() - domain.len()..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case(domain))
            && name.as_bytes().get(name.len() - domain.len() - 1) == Some(&b'.')
    })
}

/// The host name of `host`, `host:port` or `[v6]:port` (a user part is left to the caller).
fn host_name(host: &str) -> &str {
    let host = host.trim();
    match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    }
}

/// Whether a connection string (after its scheme) has a host under Atlas's domains. A
/// self-hosted server (a service name, `*.internal`, an address, `localhost`), DocumentDB,
/// Cosmos DB and a host written as a placeholder do not.
fn reaches_atlas(rest: &str) -> bool {
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    hosts.split(',').any(|host| is_atlas_host(host_name(host)))
}

/// The first shell word of the command text `cur` holds, from its byte `from` to `to` (the
/// command's end): `Some(None)` when the word holds an expansion (or there is none), `None`
/// when the text from there is no shell text of its own.
fn shell_word(
    ctx: &LocCtx<'_>,
    cur: &Cursor<'_>,
    dialect: Dialect,
    from: usize,
    to: usize,
) -> Option<Option<Text>> {
    let base = cur.node.span.start as usize;
    let commands = crate::document::shell::commands_in(ctx.text, base + from, base + to, dialect);
    // Not a word of its own (the flag is inside a quoted command string): read as text.
    let commands = commands.ok()?;
    let word = commands
        .iter()
        .filter(|c| c.depth == 0)
        .find_map(|c| c.words.first());
    Some(word.and_then(|w| {
        let value = w.known()?;
        let span = w.span_of(0, value.len());
        Some(Text {
            value: intern_value(value),
            loc: ctx.loc_of(span, &cur.pointer),
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_values_decode_with_or_without_padding() {
        assert_eq!(base64_text("bW9uZ29kYg==").as_deref(), Some("mongodb"));
        assert_eq!(base64_text("bW9uZ29kYg").as_deref(), Some("mongodb"));
        assert_eq!(base64_text("bW9uZ29kYis=").as_deref(), Some("mongodb+"));
        assert_eq!(base64_text("not base64!"), None);
        assert_eq!(base64_text("//79"), None, "not UTF-8");
        assert_eq!(base64_text(""), None);
    }

    #[test]
    fn a_placeholder_inside_a_url_is_part_of_it() {
        let at = |s: &str| url_at(s, 0).to_string();
        assert_eq!(
            at("mongodb+srv://app:<password>@h.mongodb.net/?authMechanism=SCRAM-SHA-1\" x"),
            "mongodb+srv://app:<password>@h.mongodb.net/?authMechanism=SCRAM-SHA-1"
        );
        assert_eq!(
            at("mongodb+srv://<user>:<pass>@<cluster>.mongodb.net/db"),
            "mongodb+srv://<user>:<pass>@<cluster>.mongodb.net/db"
        );
        // Markup around a URL still ends it.
        assert_eq!(at("mongodb://h/?x=1</a>"), "mongodb://h/?x=1");
        assert_eq!(at("mongodb://h/?x=1>"), "mongodb://h/?x=1");
        assert_eq!(at("mongodb://h/<br>"), "mongodb://h/");
        assert_eq!(at("mongodb://h/<not a placeholder>x"), "mongodb://h/");
        assert_eq!(at("mongodb://h/<unclosed"), "mongodb://h/");
    }

    #[test]
    fn an_expression_inside_a_url_is_part_of_it_spaces_and_all() {
        let at = |s: &str| url_at(s, 0).to_string();
        let gha = "mongodb+srv://smoke:${{ secrets.SMOKE_PW }}@p.ab1cd.mongodbgov.net/app?authMechanism=SCRAM-SHA-1";
        assert_eq!(at(&format!("{gha}\" --eval x")), gha);
        let helm = "mongodb://{{ .Values.user }}:{{ .Values.pw | quote }}@h.mongodb.net/?x=1";
        assert_eq!(at(&format!("{helm} next")), helm);
        // Closed before the space, unclosed on its line, or too long: the space ends the URL.
        assert_eq!(at("mongodb://h/{{x}} y"), "mongodb://h/{{x}}");
        assert_eq!(at("mongodb://h/{{ x\n}}"), "mongodb://h/{{");
        assert_eq!(at("mongodb://h/{{ \"x\" }}"), "mongodb://h/{{");
        let long = format!("mongodb://h/{{{{ {} }}}}", "x".repeat(300));
        assert_eq!(at(&long), "mongodb://h/{{");
    }

    #[test]
    fn atlas_hosts_are_the_ones_under_atlas_domains() {
        for host in [
            "cluster0.abcde.mongodb.net",
            "claims-shard-00-00.a1b2c.mongodbgov.net",
            "CLAIMS.A1B2C.MONGODBGOV.NET.",
            "${ClusterHost}.mongodbgov.net",
        ] {
            assert!(is_atlas_host(host), "{host}");
        }
        for host in [
            "mongo",
            "mongodb.net",
            "evilmongodb.net",
            "mongo-0.mongo.db.svc.cluster.local",
            "db.example.internal",
            "10.0.3.12",
            "localhost",
            "ledger.cluster-c0ffee.us-gov-west-1.docdb.amazonaws.com",
            "acct.mongo.cosmos.azure.us",
            "${MONGO_HOST}",
            "",
        ] {
            assert!(!is_atlas_host(host), "{host}");
        }
        assert!(reaches_atlas(
            "u:p@a.mongodb.net:27017,b.example.internal:27017/?x=1"
        ));
        assert!(!reaches_atlas("u:p@[::1]:27017/?x=1"));
        assert!(!reaches_atlas("${HOST}/?authMechanism=SCRAM-SHA-1"));
        assert_eq!(
            command_reach("mongodump --host rs0/a.abcde.mongodbgov.net:27017 --ssl"),
            Some(true)
        );
        assert_eq!(command_reach("mongodump --host mongo:27017"), Some(false));
        assert_eq!(command_reach("mongodump --out /backup"), None);
    }
}
