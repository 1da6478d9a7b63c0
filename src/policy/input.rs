//! A policy's input, built as the engine's values directly.
//!
//! Every resource is one evaluation, so its input is built once per resource: the model's
//! builder ([`crate::model::json::Builder`]) writes the engine's values through [`Rego`], with
//! no JSON between (building JSON and converting it cost as much as evaluating ten policies).
//! Strings are shared within a thread (keys, pointers' common values), a file's path is made
//! once per file, and a project's value once per thread however many resources it holds.

use std::collections::BTreeMap;
use std::path::Path;

use foldhash::{HashMap, HashMapExt};
use regorus::Value as V;

use crate::model::FileId;
use crate::model::json::{Sink, VERSION};
use crate::paths::display_path;

/// Strings longer than this are not shared: a value that long is rarely repeated.
const SHARED_MAX: usize = 256;

/// One thread's sink.
pub(super) struct Rego {
    strings: HashMap<Box<str>, V>,
    /// The builder's keys, by their address (each a `&'static str` of the program's).
    keys: HashMap<(usize, usize), V>,
    files: Vec<Option<V>>,
}

impl Default for Rego {
    fn default() -> Self {
        Rego {
            strings: HashMap::new(),
            keys: HashMap::new(),
            files: Vec::new(),
        }
    }
}

impl Rego {
    /// A key of an object the builder makes, shared.
    fn key(&mut self, k: &'static str) -> V {
        let id = (k.as_ptr() as usize, k.len());
        if let Some(v) = self.keys.get(&id) {
            return v.clone();
        }
        let v = self.str(k);
        self.keys.insert(id, v.clone());
        v
    }
}

impl Rego {
    /// `{version, kind, resource, project}` for one resource.
    pub(super) fn input(&mut self, kind: &str, resource: V, project: V) -> V {
        let entries = [
            (self.str("version"), V::from(u64::from(VERSION))),
            (self.str("kind"), self.str(kind)),
            (self.str("resource"), resource),
            (self.str("project"), project),
        ];
        V::from(entries.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl Sink for Rego {
    type V = V;

    fn null(&mut self) -> V {
        V::Null
    }

    fn bool(&mut self, b: bool) -> V {
        V::from(b)
    }

    fn int(&mut self, n: i64) -> V {
        V::from(n)
    }

    fn float(&mut self, f: f64) -> Option<V> {
        f.is_finite().then(|| V::from(f))
    }

    fn str(&mut self, s: &str) -> V {
        if s.len() > SHARED_MAX {
            return V::from(s);
        }
        if let Some(v) = self.strings.get(s) {
            return v.clone();
        }
        let v = V::from(s);
        self.strings.insert(s.into(), v.clone());
        v
    }

    fn file(&mut self, file: FileId, path: Option<&Path>) -> V {
        let i = file as usize;
        if let Some(Some(v)) = self.files.get(i) {
            return v.clone();
        }
        let v = V::from(path.map(display_path).unwrap_or_default());
        if self.files.len() <= i {
            self.files.resize(i + 1, None);
        }
        if let Some(slot) = self.files.get_mut(i) {
            *slot = Some(v.clone());
        }
        v
    }

    fn array(&mut self, items: Vec<V>) -> V {
        V::from(items)
    }

    fn object(&mut self, entries: Vec<(&'static str, V)>) -> V {
        let map: BTreeMap<V, V> = entries.into_iter().map(|(k, v)| (self.key(k), v)).collect();
        V::from(map)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::document::{Limits, LineIndex, Syntax, parse};
    use crate::model::json::{Builder, resources};
    use crate::model::{LocCtx, Model, SourceFile, link};

    fn model_of(text: &str) -> Model {
        let doc = parse(text, Syntax::Json, &Limits::default()).unwrap();
        let index = LineIndex::new(text);
        let path = Path::new("t/cluster.json");
        let ctx = LocCtx::new(0, path, text, &index);
        let mut model = Model::default();
        for root in &doc.roots {
            crate::adapters::adapt(&ctx, root, crate::adapters::applicable(text), &mut model);
        }
        model.files.push(SourceFile {
            path: path.into(),
            root: std::path::Path::new("t").into(),
        });
        link::link(&mut model);
        model
    }

    /// The engine's values built directly are the values of the JSON shape (`model`'s),
    /// resource by resource, locations and all.
    #[test]
    fn same_as_the_json_shape() {
        let text = r#"{
  "name": "c1",
  "clusterType": "REPLICASET",
  "diskSizeGB": 1e3,
  "backupEnabled": true,
  "tags": [{"key": "owner", "value": "tëam"}],
  "replicationSpecs": [{"regionConfigs": [{
    "providerName": "AWS", "regionName": "US_GOV_WEST_1", "priority": 7,
    "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}
  }]}]
}"#;
        let model = model_of(text);
        let items = resources(&model);
        assert!(items.iter().any(|i| i.kind == "cluster"));
        let mut json = Builder::new(&model);
        let mut rego = Builder::with_sink(&model, Rego::default());
        // Twice: the second time from the shared strings and files.
        for _ in 0..2 {
            for item in &items {
                let expected = V::from(json.item(item));
                assert_eq!(rego.item(item), expected, "{}", item.kind);
            }
        }
        assert_eq!(json.locs(), rego.locs());
    }

    /// A cluster read part by part ([`crate::model::json::Lazy`]) gives what the builder
    /// writes whole: every key, every element, every `ref`.
    #[test]
    fn lazy_parts_are_the_whole() {
        use crate::model::json::{Field, Json, Key, Lazy};
        use serde_json::Value as J;

        fn keys(v: &J, out: &mut std::collections::BTreeSet<String>) {
            match v {
                J::Object(m) => {
                    for (k, v) in m {
                        out.insert(k.clone());
                        keys(v, out);
                    }
                }
                J::Array(a) => a.iter().for_each(|v| keys(v, out)),
                _ => {}
            }
        }

        fn check<'m>(
            b: &mut Builder<'m, Json>,
            node: Lazy<'m>,
            full: &J,
            names: &std::collections::BTreeSet<String>,
        ) {
            assert_eq!(&b.force(node), full, "{node:?}");
            match full {
                J::Object(map) => {
                    assert!(!node.is_array());
                    for name in names {
                        match (b.field_at(node, Key::of(name)), map.get(name)) {
                            (Field::Lazy(n), Some(v)) => check(b, n, v, names),
                            (Field::Value(x), Some(v)) => assert_eq!(&x, v, "{name}"),
                            (Field::Force, _) => assert!(matches!(node, Lazy::Loc(_))),
                            (Field::Missing, None) => {}
                            (_, v) => panic!("{node:?}.{name}: {v:?}"),
                        }
                    }
                }
                J::Array(items) => {
                    assert_eq!(node.array_len(), Some(items.len()));
                    for (i, v) in items.iter().enumerate() {
                        check(b, node.at(i).unwrap(), v, names);
                    }
                    assert!(node.at(items.len()).is_none());
                }
                other => panic!("a part is {other}"),
            }
        }

        let text = r#"{
  "name": "c1",
  "clusterType": "REPLICASET",
  "diskSizeGB": 1e3,
  "backupEnabled": true,
  "pitEnabled": "maybe",
  "terminationProtectionEnabled": false,
  "mongoDBMajorVersion": "7.0",
  "encryptionAtRestProvider": "AWS",
  "tags": [{"key": "owner", "value": "team"}, {"key": "bare"}],
  "replicationSpecs": [{"regionConfigs": [
    {"providerName": "AWS", "regionName": "US_GOV_WEST_1", "priority": 7,
     "electableSpecs": {"instanceSize": "M30", "nodeCount": 3},
     "readOnlySpecs": {"instanceSize": "M30", "nodeCount": 1},
     "autoScaling": {"compute": {"enabled": true, "minInstanceSize": "M20", "maxInstanceSize": "M60"}}},
    {"providerName": "TENANT", "backingProviderName": "AWS", "regionName": "US_GOV_EAST_1", "priority": 6}
  ]}]
}"#;
        let model = model_of(text);
        let items = resources(&model);
        let cluster = items.iter().find(|i| i.kind == "cluster").unwrap();
        let mut whole = Builder::new(&model);
        let full = whole.item(cluster);
        let mut names = std::collections::BTreeSet::from(["nope".to_string()]);
        keys(&full, &mut names);
        assert!(names.contains("sizes") && names.contains("termination_protection"));
        let mut parts = Builder::new(&model);
        parts.number_as(0, whole.locs());
        check(
            &mut parts,
            Lazy::Cluster(cluster.cluster().unwrap()),
            &full,
            &names,
        );
        // Nothing recorded while numbering as the whole did.
        assert!(parts.locs().is_empty());
    }
}
