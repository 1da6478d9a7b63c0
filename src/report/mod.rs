//! Reporters: findings in, text out. Reporters know nothing about formats or rules' logic.

pub mod human;
pub mod json;

use std::path::Path;

/// A path as shown in output: as walked, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.replace('\\', "/")
}
