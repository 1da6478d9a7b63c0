//! Baselines: the findings a team accepted when it adopted the linter, so that CI fails only
//! on new ones.
//!
//! A baseline is a JSON file of entries `{fingerprint, code, file, pointer}`, sorted, with
//! paths relative to the baseline file's directory (so it works from any working directory).
//! Fingerprints come from [`crate::fingerprint`]: code, file, JSON pointer and offending value,
//! never line numbers, so unrelated edits keep them. The file holds no message and no value, so
//! it can never leak a secret. Reading and applying it happens in [`crate::filter`]; this
//! module is the file format.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Version of the baseline file format.
pub const VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub file: String,
    pub code: String,
    pub pointer: String,
    pub fingerprint: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    tool: Option<String>,
    entries: Vec<Entry>,
}

/// Only the version of a baseline file (any other fields ignored).
#[derive(Deserialize)]
struct Versioned {
    version: Option<serde_json::Value>,
}

/// A baseline file.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// As given on the command line.
    pub path: PathBuf,
    /// Absolute directory that entry paths are relative to.
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
}

impl Baseline {
    /// An empty baseline to be written at `path`.
    pub fn empty(path: &Path, cwd: &Path) -> Baseline {
        Baseline {
            path: path.to_path_buf(),
            dir: dir_of(path, cwd),
            entries: Vec::new(),
        }
    }

    /// Read a baseline file. Errors are messages for the user (exit 2).
    pub fn load(path: &Path, cwd: &Path) -> Result<Baseline, String> {
        let shown = crate::paths::display_path(path);
        let text = crate::source::read_limited(path, crate::source::BASELINE_LIMIT, "baselines")
            .map_err(|e| format!("baseline {shown}: {e}"))?;
        // The version first: another version may have other fields.
        if let Ok(Versioned {
            version: Some(version),
        }) = serde_json::from_str(&text)
        {
            if version != VERSION {
                return Err(format!(
                    "{shown}: unsupported baseline version {version} (this atlasgov-lint reads version {VERSION}); upgrade atlasgov-lint, or delete the file and write a new baseline with --write-baseline (which keeps only a baseline it can read)"
                ));
            }
        }
        let file: File = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{shown}:{}:{}: not an atlasgov-lint baseline: {e}",
                e.line().max(1),
                // serde_json counts 0 at the start of a line (a file cut short there).
                e.column().max(1)
            )
        })?;
        Ok(Baseline {
            path: path.to_path_buf(),
            dir: dir_of(path, cwd),
            entries: file.entries,
        })
    }

    /// The file's text: pretty JSON, entries sorted, one trailing newline.
    pub fn render(&self) -> String {
        let mut entries = self.entries.clone();
        entries.sort();
        let file = File {
            version: VERSION,
            tool: Some("atlasgov-lint".to_string()),
            entries,
        };
        let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
        out.push('\n');
        out
    }
}

fn dir_of(path: &Path, cwd: &Path) -> PathBuf {
    let abs = crate::paths::normalize(&cwd.join(path));
    abs.parent().map(Path::to_path_buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_other_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("b.json");
        let mut b = Baseline::empty(&path, dir.path());
        b.entries.push(Entry {
            file: "z.json".into(),
            code: "GOV001".into(),
            pointer: "/a".into(),
            fingerprint: "00".into(),
        });
        b.entries.push(Entry {
            file: "a.json".into(),
            code: "GOV001".into(),
            pointer: "/a".into(),
            fingerprint: "01".into(),
        });
        std::fs::write(&path, b.render()).unwrap_or_else(|e| panic!("{e}"));
        let back = Baseline::load(&path, dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            back.entries.first().map(|e| e.file.as_str()),
            Some("a.json")
        );
        assert_eq!(back.dir, dir.path());

        for other in [
            "{\"version\": 2, \"entries\": []}",
            "{\"version\": 2}",
            "{\"version\": 2, \"results\": {}}",
        ] {
            std::fs::write(&path, other).unwrap_or_else(|e| panic!("{e}"));
            let e = Baseline::load(&path, dir.path()).err().unwrap_or_default();
            assert!(
                e.contains(
                    "b.json: unsupported baseline version 2 (this atlasgov-lint reads version 1)"
                ),
                "{e}"
            );
        }
        std::fs::write(&path, "{\"findings\": []}").unwrap_or_else(|e| panic!("{e}"));
        let e = Baseline::load(&path, dir.path()).err().unwrap_or_default();
        assert!(e.contains("not an atlasgov-lint baseline"), "{e}");
    }
}
