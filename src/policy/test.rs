//! `atlasgov-lint test POLICY_DIR`: the policies' own tests, Rego rules named `test_*` (as
//! `opa test` and `conftest verify` run them), usually over sample inputs written with
//! `with input as {...}`.

use std::path::{Path, PathBuf};

use super::{EVAL_BUDGET, PolicyError, add_files, engine, error_from, files};

/// How one test went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The rule was false or undefined.
    Fail,
    /// It did not finish (an error, the time budget).
    Error(String),
}

/// One test rule.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub file: PathBuf,
    pub line: u32,
    /// `package.test_name`.
    pub name: String,
    pub verdict: Verdict,
}

/// Run the tests of the policies under `path` (the policies and their `*_test.rego` files).
pub fn run(path: &Path) -> Result<Vec<TestCase>, Vec<PolicyError>> {
    let all = files(path, true).map_err(|message| {
        vec![PolicyError {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            message,
        }]
    })?;
    let mut engine = engine(EVAL_BUDGET);
    let (added, errors) = add_files(&mut engine, &all);
    if !errors.is_empty() {
        return Err(errors);
    }
    engine.set_input(regorus::Value::new_object());
    let mut cases = Vec::new();
    for (file, package, text) in &added {
        for (i, line) in text.lines().enumerate() {
            let Some(name) = test_name(line) else {
                continue;
            };
            let rule = format!("{package}.{name}");
            if cases
                .iter()
                .any(|c: &TestCase| c.name == rule.trim_start_matches("data."))
            {
                continue;
            }
            let verdict = match engine.eval_rule(rule.clone()) {
                Ok(regorus::Value::Bool(true)) => Verdict::Pass,
                Ok(_) => Verdict::Fail,
                Err(e) => Verdict::Error(error_from(file, &e).to_string()),
            };
            cases.push(TestCase {
                file: file.clone(),
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                name: rule.trim_start_matches("data.").to_string(),
                verdict,
            });
        }
    }
    Ok(cases)
}

/// `test_x` when a line starts a rule named `test_x` (`test_x if {`, `test_x {`).
fn test_name(line: &str) -> Option<&str> {
    if !line.starts_with("test_") {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    line.get(..end)
}

#[cfg(test)]
mod tests {
    use super::test_name;

    #[test]
    fn test_rules_are_found_by_their_head() {
        assert_eq!(test_name("test_m40 if {"), Some("test_m40"));
        assert_eq!(test_name("test_x {"), Some("test_x"));
        assert_eq!(test_name("  test_x if {"), None);
        assert_eq!(test_name("deny contains x if {"), None);
    }
}
