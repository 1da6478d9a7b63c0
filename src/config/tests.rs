use super::*;

fn cfg(text: &str) -> Result<Config, Vec<ConfigError>> {
    parse(text, PathBuf::from("c.yaml"), PathBuf::from("/repo"))
}

fn errors(text: &str) -> Vec<String> {
    match cfg(text) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn globs_work_like_gitignore() {
    let pats = |ps: &[&str]| {
        let settings: Vec<Setting<String>> = ps
            .iter()
            .map(|p| Setting {
                value: (*p).to_string(),
                pos: Pos {
                    span: Span::default(),
                    start: LineCol::default(),
                    end: LineCol::default(),
                    pointer: String::new(),
                },
            })
            .collect();
        Globs::build(&settings).unwrap_or_else(|(_, e)| panic!("{e}"))
    };
    let g = pats(&["vendor", "legacy/*.json", "/top.yaml"]);
    assert!(g.matches("vendor/a.json"));
    assert!(g.matches("x/vendor/b/c.yaml"));
    assert!(g.matches("legacy/a.json"));
    assert!(!g.matches("legacy/sub/a.json"));
    assert!(!g.matches("x/legacy/a.json"));
    assert!(g.matches("top.yaml"));
    assert!(!g.matches("x/top.yaml"));
    let g = pats(&["legacy/**"]);
    assert!(g.matches("legacy/sub/a.json"));
    let g = pats(&["*.json"]);
    assert!(g.matches("a/b/c.json"));
    // Written from the config's directory with `./`: anchored there.
    let g = pats(&["./dd.json", "./legacy/**", "././vendor/"]);
    assert!(g.matches("dd.json"));
    assert!(!g.matches("x/dd.json"));
    assert!(g.matches("legacy/sub/a.json"));
    assert!(g.matches("vendor/a.yaml"));
    assert!(!g.matches("x/vendor/a.yaml"));
    for bad in ["./", "../shared/**", ".."] {
        let settings = vec![Setting {
            value: bad.to_string(),
            pos: Pos {
                span: Span::default(),
                start: LineCol::default(),
                end: LineCol::default(),
                pointer: String::new(),
            },
        }];
        assert!(Globs::build(&settings).is_err(), "{bad}");
    }
}

#[test]
fn reads_every_key() {
    let c = cfg("rules:\n  GOV005: error\n  tier-below-m20: off\nexclude: [vendor]\noverrides:\n  - files: [legacy/**]\n    rules: {GOV004: warning}\ndefault-region-usage: GOV_REGIONS_ONLY\nfail-on: warning\nunsuppressible: [GOV001]\nexceptions:\n  - file: a.json\n    pointer: /regionName\n    rule: GOV003\n    reason: approved\n    until: 2027-03-31\n")
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(c.rules.len(), 2);
    assert_eq!(
        c.rules.first().map(|r| r.level),
        Some(Some(Severity::Error))
    );
    assert_eq!(c.rules.get(1).map(|r| r.level), Some(None));
    assert_eq!(c.overrides.len(), 1);
    assert_eq!(
        c.default_region_usage.as_ref().map(|d| d.value.as_str()),
        Some("GOV_REGIONS_ONLY")
    );
    assert_eq!(c.fail_on, Some(Severity::Warning));
    assert_eq!(c.unsuppressible.len(), 1);
    let e = c.exceptions.first().unwrap_or_else(|| panic!("exception"));
    assert_eq!(e.rule.code, "GOV003");
    assert_eq!(
        e.until.as_ref().map(|u| u.value.to_string()).as_deref(),
        Some("2027-03-31")
    );
    assert_eq!(e.rule_pos.start.line, 14);
}

#[test]
fn errors_name_the_line_and_the_choices() {
    assert_eq!(
        errors("rules:\n  GOV004: warn\n"),
        [
            "c.yaml:2:11: `warn` is not a level for GOV004; did you mean `warning`? valid levels: off, warning, error"
        ]
    );
    assert_eq!(
        errors("fail-on: never\n"),
        ["c.yaml:1:10: `fail-on`: `never` is not a valid value; valid values: error, warning"]
    );
    let e = errors("rulez: {}\n");
    assert!(
        e.first().is_some_and(|e| e.starts_with(
            "c.yaml:1:1: unknown key `rulez`; did you mean `rules`? valid keys: rules, exclude"
        )),
        "{e:?}"
    );
    let e = errors("rules: {GOV999: error}\n");
    assert!(
        e.first()
            .is_some_and(|e| e.contains("1:9: unknown rule `GOV999`")),
        "{e:?}"
    );
    let e = errors("rules: {GOV000: off}\n");
    assert!(
        e.first()
            .is_some_and(|e| e.contains("cannot be turned off")),
        "{e:?}"
    );
    let e =
        errors("exceptions:\n  - file: a.json\n    rule: GOV000\n    pointer: x\n    bogus: 1\n");
    assert_eq!(e.len(), 3, "{e:?}");
    let e = errors("exclude: ['a[']\n");
    assert!(
        e.first().is_some_and(|e| e.contains("not a valid glob")),
        "{e:?}"
    );
    let e = errors("rules: [\n");
    assert!(
        e.first().is_some_and(|e| e.contains("not valid YAML")),
        "{e:?}"
    );
    assert!(errors("").is_empty());
    assert!(errors("# only a comment\n").is_empty());
}

#[test]
fn relative_paths() {
    let cwd = Path::new("/repo/sub");
    assert_eq!(
        relative_to(Path::new("/repo"), cwd, Path::new("x/../y.json")).as_deref(),
        Some("sub/y.json")
    );
    assert_eq!(
        relative_to(Path::new("/repo"), cwd, Path::new("/other/y.json")),
        None
    );
    assert_eq!(
        display_relative(cwd, Path::new("/repo/.atlasgov-lint.yaml")),
        "../.atlasgov-lint.yaml"
    );
}

#[test]
fn a_rule_named_twice_with_two_levels_is_an_error() {
    let e = errors("rules:\n  GOV005: off\n  region-usage-unset: error\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e.iter()
            .any(|m| m.contains("`region-usage-unset` is GOV005 again")),
        "{e:?}"
    );
    // The same level twice says the same thing twice: accepted.
    assert_eq!(
        errors("rules:\n  GOV005: off\n  region-usage-unset: off\n"),
        Vec::<String>::new()
    );
}

#[test]
fn a_policy_path_that_does_not_exist_is_an_error_at_its_entry() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("c.yaml");
    std::fs::create_dir(dir.path().join("here")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, "policies:\n  - here\n  - org/policies\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let e: Vec<String> = match load(&path, dir.path()) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    };
    assert_eq!(
        e,
        [
            "c.yaml:3:5: policy path `org/policies` does not exist (it is read from the config file's directory)"
        ]
    );
}
