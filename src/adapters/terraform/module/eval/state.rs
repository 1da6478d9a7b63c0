//! Roots that read each other's outputs through their state: `data "terraform_remote_state"`
//! in one root names a state (its backend and the settings that say where the state is), and
//! the root whose own backend writes that state gives the outputs. An output that is a
//! project (`output "project_id" { value = mongodbatlas_project.gov.id }`) makes that project
//! reachable under `tfstate:<state>:<output>`, the key a remote state's
//! `outputs.project_id` names: the split "foundation" and "clusters" roots link as one
//! configuration does. A state named by anything not known (a variable without a value, an
//! expression) links nothing; two roots that write the same state (a root evaluated once per
//! `-var-file`) leave the key ambiguous, which links nothing either.

use std::path::Path;

use super::*;
use crate::adapters::terraform::builders::one as first_body;

/// The data source that reads another root's state.
pub(in crate::adapters::terraform) const REMOTE_STATE: &str = "terraform_remote_state";

/// The key an output of the root writing `state` is reached by.
pub(super) fn state_output_key(state: &str, output: &str) -> String {
    format!("tfstate:{state}:{output}")
}

/// Where a backend of kind `kind` keeps its state, from its settings (`get` reads one by its
/// path: `["workspaces", "name"]`), relative paths in `dir`: the same words for a root's
/// `backend` block and a `terraform_remote_state`'s `backend` and `config`. `None` for a
/// backend not read here or a setting not known.
fn state_identity(
    kind: &str,
    get: &dyn Fn(&[&str]) -> Option<String>,
    dir: &Path,
) -> Option<String> {
    Some(match kind {
        "s3" => format!("s3:{}/{}", get(&["bucket"])?, get(&["key"])?),
        "gcs" => format!(
            "gcs:{}/{}",
            get(&["bucket"])?,
            get(&["prefix"]).unwrap_or_default()
        ),
        "azurerm" => format!(
            "azurerm:{}/{}/{}",
            get(&["storage_account_name"])?,
            get(&["container_name"])?,
            get(&["key"])?
        ),
        "remote" | "cloud" => format!(
            "tfc:{}/{}",
            get(&["organization"])?,
            get(&["workspaces", "name"])?
        ),
        "local" => {
            let path = get(&["path"]).unwrap_or_else(|| "terraform.tfstate".to_string());
            format!("local:{}", normalize(&dir.join(path)).display())
        }
        _ => return None,
    })
}

/// A literal setting of a block, by its path (a nested block, `workspaces { name = ... }`, is
/// its first body); an expression is not known.
fn literal_at(body: &Cursor<'_>, path: &[&str]) -> Option<String> {
    let mut cur = body.clone();
    for key in path {
        cur = first_body(&cur.get(key)?);
    }
    if cur.node.is_expr() {
        return None;
    }
    cur.text().map(str::to_string)
}

/// Each body of an unlabeled block (`terraform { ... }`), one or a list.
fn bodies<'a>(cur: &Cursor<'a>) -> Vec<Cursor<'a>> {
    match cur.node.as_seq() {
        Some(_) => cur.items().collect(),
        None => vec![cur.clone()],
    }
}

impl World<'_> {
    /// The state `data.terraform_remote_state.NAME` of instance `inst`'s module reads (a
    /// `local` path relative to the root module's directory, where Terraform runs, also in a
    /// module it calls).
    pub(super) fn remote_state(&self, inst: usize, name: &str) -> Option<String> {
        let module = self.modules.get(self.insts.get(inst)?.module)?;
        let mut root = inst;
        while let Some(parent) = self.insts.get(root).and_then(|x| x.parent) {
            root = parent;
        }
        let working_dir = &self.modules.get(self.insts.get(root)?.module)?.dir;
        for &f in &module.files {
            let Some(src) = self.source(f) else { continue };
            let root = Cursor::root(&src.root);
            let Some(body) = root
                .get("data")
                .and_then(|d| d.get(REMOTE_STATE))
                .and_then(|t| t.get(name))
            else {
                continue;
            };
            let body = src.block(body);
            let ctx = self.ctx_of(f)?;
            let scope = Scope {
                inst,
                each: None,
                iters: None,
            };
            let value = |key: &str| {
                let cur = body.get(key)?;
                let at = At {
                    ctx: &ctx,
                    pointer: &cur.pointer,
                };
                Some(self.node(scope, at, &cur))
            };
            let backend = value("backend")?;
            let backend = backend.as_text()?.as_str().to_string();
            let config = value("config").unwrap_or(Val::Null);
            let get = |path: &[&str]| -> Option<String> {
                let mut v = &config;
                for key in path {
                    v = v.attr(key)?;
                }
                v.as_text().map(|t| t.as_str().to_string())
            };
            return state_identity(&backend, &get, working_dir);
        }
        None
    }

    /// The state a root module writes: its `backend` (or `cloud`) block's, the last override
    /// file's when one sets it (Terraform's override files replace the backend), else the
    /// local default, `terraform.tfstate` in its directory. `None` when a backend's settings
    /// are not known.
    fn own_state(&self, m: usize) -> Option<String> {
        let module = self.modules.get(m)?;
        let mut primary = None;
        let mut overriding = None;
        for &f in &module.files {
            let Some(src) = self.source(f) else { continue };
            let root = Cursor::root(&src.root);
            for tf in root.get("terraform").iter().flat_map(bodies) {
                let tf = src.block(tf);
                let found = if let Some(backends) = tf.get("backend") {
                    let backends = first_body(&backends);
                    let Some((kind, body)) = backends.entries().next() else {
                        continue;
                    };
                    let body = src.block(first_body(&body));
                    kind.node.as_str().map(|kind| {
                        state_identity(kind, &|path| literal_at(&body, path), &module.dir)
                    })
                } else if let Some(cloud) = tf.get("cloud") {
                    let body = src.block(first_body(&cloud));
                    Some(state_identity(
                        "cloud",
                        &|path| literal_at(&body, path),
                        &module.dir,
                    ))
                } else {
                    None
                };
                let Some(found) = found else { continue };
                if f.overrides {
                    overriding = Some(found);
                } else if primary.is_none() {
                    primary = Some(found);
                }
            }
        }
        match overriding.or(primary) {
            Some(found) => found,
            None => state_identity("local", &|_| None, &module.dir),
        }
    }

    /// Give each project that a root instance among `insts` outputs (`output "project_id" {
    /// value = mongodbatlas_project.gov.id }`, also from a module it calls) the key of that
    /// output in the root's state.
    pub(super) fn state_outputs(&self, insts: std::ops::Range<usize>, part: &mut Model) {
        for i in insts {
            let Some(inst) = self.insts.get(i).filter(|x| x.parent.is_none()) else {
                continue;
            };
            let Some(named) = self.named(inst.module) else {
                continue;
            };
            let mut outputs: Vec<&str> = named
                .keys()
                .filter(|(output, _)| *output)
                .map(|(_, name)| *name)
                .collect();
            // A root without outputs gives no key: its backend is not looked for.
            if outputs.is_empty() {
                continue;
            }
            outputs.sort_unstable();
            let Some(state) = self.own_state(inst.module) else {
                continue;
            };
            for name in outputs {
                self.refuel();
                let Val::Ref(r) = self.local(i, name, true) else {
                    continue;
                };
                if &*r.ty != crate::adapters::terraform::PROJECT
                    || !matches!(r.attr.as_deref(), None | Some("id"))
                {
                    continue;
                }
                let key = state_output_key(&state, name);
                for p in part
                    .projects
                    .iter_mut()
                    .filter(|p| p.keys.iter().any(|k| **k == *r.key))
                {
                    p.keys.push(key.clone());
                }
            }
        }
    }
}
