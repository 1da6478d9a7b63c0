//! The users' policies a workspace's config names (`policies:`), for the language server:
//! compiled once, and again when the config or a policy file changes (its modification time),
//! so an edit to a `.rego` file shows in the next check.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::config;
use crate::policy::{self, Set};

/// Policy files and the modification times they were compiled at.
type Stamp = Vec<(PathBuf, Option<SystemTime>)>;

/// What a config's policies give a check: the compiled set (`None` when it names none), and
/// the problems loading them (a file that does not compile, a missing path).
#[derive(Clone, Default)]
pub(super) struct Loaded {
    pub(super) set: Option<Arc<Set>>,
    pub(super) errors: Vec<String>,
}

/// Compiled policies, by the config file that names them.
#[derive(Default)]
pub(super) struct Policies {
    by_config: HashMap<PathBuf, (Stamp, Loaded)>,
}

impl Policies {
    /// The policies the config at `config_path` names (paths relative to `root`, the
    /// workspace folder, as from the command line run there).
    pub(super) fn of(&mut self, config_path: &Path, root: &Path) -> Loaded {
        let paths = config::policy_paths(config_path, root);
        if paths.is_empty() {
            self.by_config.remove(config_path);
            return Loaded::default();
        }
        let mut stamp: Stamp = vec![(config_path.to_path_buf(), modified(config_path))];
        for p in &paths {
            let files = policy::files(p, false).unwrap_or_else(|_| vec![p.clone()]);
            stamp.extend(files.into_iter().map(|f| {
                let m = modified(&f);
                (f, m)
            }));
        }
        if let Some((seen, loaded)) = self.by_config.get(config_path) {
            if *seen == stamp {
                return loaded.clone();
            }
        }
        let (set, errors) = policy::load(&paths);
        let loaded = Loaded {
            set: Some(Arc::new(set)),
            errors: errors.iter().map(ToString::to_string).collect(),
        };
        self.by_config
            .insert(config_path.to_path_buf(), (stamp, loaded.clone()));
        loaded
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
