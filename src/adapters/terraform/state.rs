//! Terraform state as Terraform writes it (`terraform.tfstate`, `*.tfstate`, the output of
//! `terraform state pull`), format version 4.
//!
//! State says what exists: every managed resource is `resources[]` (`module`, `mode`, `type`,
//! `name`) with one entry per instance in `instances[]` (`index_key` for `count` and
//! `for_each` instances), whose `attributes` are the provider's values with the same names as
//! in configuration. Every value is known, so resources link to their project by id: a
//! resource's `project_id` is the `id` of a `mongodbatlas_project` in the same state (or any
//! checked file). Data sources are read like plans read them (the ones whose use is itself a
//! finding). The output of `terraform show -json` on state is read by [`super::plan`].

use super::{Read, Resource, Values, build, build_data, is_mapped_data, is_mapped_type};
use crate::document::{Cursor, Value};
use crate::model::{LocCtx, Model, Text};

/// The state format version read.
const FORMAT_VERSION: &str = "4";

/// Whether a document is Terraform state of the version read.
pub fn is_state(root: &Cursor<'_>) -> bool {
    root.get("version").and_then(|v| v.text()) == Some(FORMAT_VERSION)
        && root
            .get("resources")
            .is_some_and(|r| r.node.as_seq().is_some())
        && (root.get("terraform_version").is_some() || root.get("lineage").is_some())
}

pub fn adapt(ctx: &LocCtx<'_>, root: &Cursor<'_>, out: &mut Model) {
    if !is_state(root) {
        return;
    }
    for res in root.get("resources").iter().flat_map(|r| r.items()) {
        let (Some(mode), Some(ty), Some(name)) = (
            res.get("mode").and_then(|m| m.str()),
            res.get("type").and_then(|t| t.str()),
            res.get("name").and_then(|n| n.str()),
        ) else {
            continue;
        };
        let module = res.get("module").and_then(|m| m.str());
        let key = format!(
            "tf:state:{}:{}{ty}.{name}",
            ctx.path.display(),
            module.map(|m| format!("{m}.")).unwrap_or_default()
        );
        let name_loc = res
            .get("name")
            .map_or_else(|| ctx.loc(&res), |n| ctx.loc(&n));
        for instance in res.get("instances").iter().flat_map(|i| i.items()) {
            let Some(body) = instance
                .get("attributes")
                .filter(|a| a.node.as_map().is_some())
            else {
                continue;
            };
            // An instance of `count` or `for_each` is pointed at by its key.
            let anchor = instance
                .get("index_key")
                .map_or_else(|| name_loc.clone(), |k| ctx.loc(&k));
            let values = StateValues { ctx };
            match mode {
                "managed" if is_mapped_type(ty) => {
                    build(
                        &values,
                        Resource {
                            ty,
                            body,
                            anchor,
                            key: key.clone(),
                            slot: None,
                        },
                        out,
                    );
                }
                "data" if is_mapped_data(ty) => {
                    let project_ref = super::builders::project_ref(&values, &body);
                    build_data(ty, anchor, project_ref, out);
                }
                _ => {}
            }
        }
    }
}

/// Attribute values of one instance: literal, every one known.
struct StateValues<'a> {
    ctx: &'a LocCtx<'a>,
}

impl Values for StateValues<'_> {
    fn read(&self, cur: Option<Cursor<'_>>) -> Read {
        match cur.filter(|c| c.node.value != Value::Null) {
            Some(c) => match self.ctx.text(Some(c)) {
                Some(t) => Read::Known(t),
                None => Read::Absent,
            },
            None => Read::Absent,
        }
    }

    fn missing_required(&self, _obj: &Cursor<'_>, _key: &str) -> Option<Text> {
        None
    }

    /// State holds ids, not references: resources link by id.
    fn reference(&self, _body: &Cursor<'_>, _path: &[&str], _ty: &str) -> Option<Text> {
        None
    }
}
