//! A policy's input, built as the engine's values directly.
//!
//! Every resource is one evaluation, so its input is built once per resource: converting
//! the JSON shape through `serde` allocated every key and every string again (a location's
//! file path is in every value of a resource). Here strings are shared within a thread
//! (keys, file paths, pointers' common values), and a project's value is converted once per
//! thread however many resources it holds.

use std::collections::HashMap;

use regorus::Value as V;
use serde_json::Value as Json;

use crate::model::json::{Item, VERSION};

/// Strings longer than this are not shared: a value that long is rarely repeated.
const SHARED_MAX: usize = 256;

/// One thread's converter.
#[derive(Default)]
pub(super) struct Inputs {
    strings: HashMap<String, V>,
    projects: HashMap<usize, V>,
}

impl Inputs {
    /// `{version, kind, resource, project}` for one resource: its data (`None` for a project,
    /// whose data is its project's) and the data of every project.
    pub(super) fn input(
        &mut self,
        item: &Item<'_>,
        resource: Option<&Json>,
        projects: &[Json],
    ) -> V {
        let project = match item.project {
            Some(p) => match self.projects.get(&p) {
                Some(v) => v.clone(),
                None => {
                    let v = projects.get(p).map_or(V::Null, |json| self.value(json));
                    self.projects.insert(p, v.clone());
                    v
                }
            },
            None => V::Null,
        };
        let resource = match resource {
            Some(json) => self.value(json),
            None => project.clone(),
        };
        let entries = [
            (self.string("version"), V::from(u64::from(VERSION))),
            (self.string("kind"), self.string(item.kind)),
            (self.string("resource"), resource),
            (self.string("project"), project),
        ];
        V::from(
            entries
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
    }

    fn string(&mut self, s: &str) -> V {
        if s.len() > SHARED_MAX {
            return V::from(s);
        }
        if let Some(v) = self.strings.get(s) {
            return v.clone();
        }
        let v = V::from(s);
        self.strings.insert(s.to_string(), v.clone());
        v
    }

    fn value(&mut self, json: &Json) -> V {
        match json {
            Json::Null => V::Null,
            Json::Bool(b) => V::from(*b),
            Json::Number(n) => {
                if let Some(i) = n.as_i64() {
                    V::from(i)
                } else if let Some(u) = n.as_u64() {
                    V::from(u)
                } else {
                    V::from(n.as_f64().unwrap_or(0.0))
                }
            }
            Json::String(s) => self.string(s),
            Json::Array(items) => V::from(items.iter().map(|i| self.value(i)).collect::<Vec<_>>()),
            Json::Object(map) => V::from(
                map.iter()
                    .map(|(k, v)| (self.string(k), self.value(v)))
                    .collect::<std::collections::BTreeMap<_, _>>(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct conversion gives the engine the same value as going through `serde`.
    #[test]
    fn same_as_the_serde_conversion() {
        let json = serde_json::json!({
            "a": [1, -2, 3.5, "x", null, true, {"b": "x"}],
            "c": {"loc": {"file": "f.json", "line": 3}, "value": "M10"},
            "long": "y".repeat(SHARED_MAX + 1),
            "big": u64::MAX,
        });
        let mut inputs = Inputs::default();
        assert_eq!(inputs.value(&json), V::from(json.clone()));
        // Twice, with the strings now shared.
        assert_eq!(inputs.value(&json), V::from(json));
    }
}
