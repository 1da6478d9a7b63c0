#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::Path;

use super::*;
use crate::document::{Limits, LineIndex, Syntax, parse};

fn model_of(text: &str, syntax: Syntax) -> Model {
    let doc = parse(text, syntax, &Limits::default()).unwrap();
    let index = LineIndex::new(text);
    let ctx = LocCtx::new(0, Path::new("deploy.sh"), text, &index);
    let mut out = Model::default();
    for root in &doc.roots {
        adapt(&ctx, &Cursor::root(root), &mut out);
    }
    out
}

fn sh(text: &str) -> Model {
    model_of(text, Syntax::Shell(Dialect::Sh))
}

fn at(text: &str, loc: &Loc) -> String {
    text[loc.span.start as usize..loc.span.end as usize].to_string()
}

#[test]
fn flag_forms_locate_the_value() {
    for (text, tier) in [
        (
            "atlas clusters create c --provider AWS --region US_GOV_WEST_1 --tier M10\n",
            "M10",
        ),
        (
            "atlas cluster create c --provider AWS -r US_GOV_WEST_1 --tier=m10\n",
            "m10",
        ),
        (
            "atlas clusters create c --provider AWS -rUS_GOV_WEST_1 --tier='M10'\n",
            "M10",
        ),
        (
            "atlas clusters create c \\\n  --provider AWS \\\n  --region US_GOV_WEST_1 \\\n  --tier \"M10\"\n",
            "M10",
        ),
    ] {
        let m = sh(text);
        assert_eq!(m.clusters.len(), 1, "{text}");
        let rc = &m.clusters[0].regions[0];
        let size = &rc.sizes[0].value;
        assert_eq!(size.as_str(), "M10", "{text}");
        assert_eq!(at(text, &size.loc), tier, "{text}");
        assert_eq!(rc.region.as_ref().unwrap().as_str(), "US_GOV_WEST_1");
        assert_eq!(size.loc.pointer.as_str(), "/atlas clusters create/tier");
    }
}

#[test]
fn the_default_tier_is_flex_and_variables_are_unknown() {
    let m = sh("atlas clusters create c --provider AWS --region US_GOV_WEST_1\n");
    assert_eq!(m.clusters[0].kind, crate::model::ClusterKind::Flex);
    let m = sh("atlas clusters create c --provider AWS --region US_GOV_WEST_1 --tier \"$TIER\"\n");
    assert_eq!(m.clusters[0].kind, crate::model::ClusterKind::Advanced);
    assert_eq!(m.clusters[0].regions[0].sizes[0].value.as_str(), "$TIER");
    let m = sh("atlas clusters create c --provider $P --region US_GOV_WEST_1 --tier M0\n");
    let rc = &m.clusters[0].regions[0];
    assert_eq!(rc.provider.as_ref().unwrap().as_str(), "TENANT");
    assert_eq!(rc.backing_provider.as_ref().unwrap().as_str(), "$P");
}

#[test]
fn projects_link_through_variables() {
    let text = "P=$(atlas projects create gov --govCloudRegionsOnly -o json | jq -r .id)\natlas clusters create c --projectId \"$P\" --provider AWS --region US_EAST_1 --tier M30\nexport MONGODB_ATLAS_PROJECT_ID=$P\natlas streams instances create s --provider AZURE --region eastus\n";
    let m = sh(text);
    assert_eq!(m.projects.len(), 1);
    assert_eq!(m.projects[0].keys, vec!["cli:deploy.sh:P#1".to_string()]);
    assert_eq!(
        m.projects[0].region_usage.as_ref().unwrap().as_str(),
        "GOV_REGIONS_ONLY"
    );
    assert_eq!(
        at(text, &m.projects[0].region_usage.as_ref().unwrap().loc),
        "--govCloudRegionsOnly"
    );
    assert_eq!(
        m.clusters[0].origin.project_ref,
        ProjectRef::Key("cli:deploy.sh:P#1".into())
    );
    assert_eq!(
        m.products[0].origin.project_ref,
        ProjectRef::Key("cli:deploy.sh:P#1".into())
    );
    assert_eq!(m.products[0].providers[0].as_str(), "AZURE");
}

#[test]
fn the_project_variable_set_to_a_created_project_links_the_commands_after_it() {
    for text in [
        "export MONGODB_ATLAS_PROJECT_ID=$(atlas projects create gov --govCloudRegionsOnly -o json | jq -r .id)\natlas clusters create a --provider AWS --region US_EAST_1 --tier M30\n",
        "MONGODB_ATLAS_PROJECT_ID=\"$(atlas projects create gov --govCloudRegionsOnly -o json | jq -r .id)\"\nexport MONGODB_ATLAS_PROJECT_ID\natlas clusters create a --provider AWS --region US_EAST_1 --tier M30\n",
    ] {
        let m = sh(text);
        assert_eq!(m.projects.len(), 1, "{text}");
        let key = m.projects[0].keys[0].clone();
        assert_eq!(
            m.clusters[0].origin.project_ref,
            ProjectRef::Key(key),
            "{text}"
        );
    }
}

#[test]
fn commands_that_are_not_atlas_are_silent() {
    for text in [
        "# atlas clusters create c --tier M10\n",
        "atlas --version\n",
        "echo \"atlas clusters create c --tier M10\"\n",
        "terraform apply\n",
        "atlas clusters list --projectId 0123456789abcdef01234567\n",
        "atlas clusters create c --tier M10 --file c.json\n",
    ] {
        let m = sh(text);
        assert!(m.is_empty() && m.endpoints.is_empty(), "{text}");
    }
}

#[test]
fn login_and_service() {
    let text = "atlas auth login\natlas auth login --gov\natlas config set service cloud\nMONGODB_ATLAS_SERVICE=cloud atlas projects list\nexport MONGODB_ATLAS_SERVICE=cloudgov\n";
    let m = sh(text);
    let found: Vec<String> = m.endpoints.iter().map(|e| at(text, &e.url.loc)).collect();
    assert_eq!(found, vec!["auth login", "cloud", "cloud"]);
}

#[test]
fn github_and_gitlab_steps() {
    let gh = "on: push\njobs:\n  up:\n    runs-on: ubuntu-latest\n    env:\n      MONGODB_ATLAS_SERVICE: cloud\n    steps:\n      - run: |\n          atlas clusters create c \\\n            --provider AZURE --region US_GOV_WEST_1 --tier M30\n      - shell: pwsh\n        run: atlas clusters create d --provider AZURE --region US_GOV_WEST_1 --tier M30\n";
    let m = model_of(gh, Syntax::Yaml);
    assert_eq!(m.clusters.len(), 1);
    let p = m.clusters[0].regions[0].provider.as_ref().unwrap();
    assert_eq!(at(gh, &p.loc), "AZURE");
    assert_eq!(p.loc.start.line, 10);
    assert_eq!(p.loc.pointer.as_str(), "/jobs/up/steps/0/run");
    assert_eq!(m.endpoints.len(), 1);
    let gl = "deploy:\n  stage: deploy\n  script:\n    - 'atlas clusters create c --provider AWS --region US_GOV_WEST_1 --tier M10'\n";
    let m = model_of(gl, Syntax::Yaml);
    assert_eq!(at(gl, &m.clusters[0].regions[0].sizes[0].value.loc), "M10");
}

#[test]
fn paths_written_from_the_script_directory() {
    let mut dirs = HashMap::new();
    dirs.insert("SCRIPT_DIR".to_string(), ".".to_string());
    dirs.insert("ROOT".to_string(), "..".to_string());
    for (value, expected) in [
        ("\"$(dirname \"$0\")\"", Some(".")),
        ("\"$(dirname -- \"$0\")/..\"", Some("..")),
        ("${0%/*}/../specs", Some("../specs")),
        ("\"$(dirname \"$(realpath \"$0\")\")/x\"", Some("x")),
        (
            "\"$( cd -- \"$( dirname -- \"${BASH_SOURCE[0]}\" )\" &> /dev/null && pwd )\"",
            Some("."),
        ),
        (
            "\"$(cd \"$(dirname \"$0\")/..\" && pwd)\"/infra",
            Some("../infra"),
        ),
        ("\"$(cd \"$SCRIPT_DIR/..\" && pwd)\"", Some("..")),
        ("\"$SCRIPT_DIR/../specs/a.json\"", Some("../specs/a.json")),
        ("${ROOT}/specs", Some("../specs")),
        ("$ROOT", Some("..")),
        // Not from the script's directory, or not a plain path after it.
        ("\"$OTHER/specs\"", None),
        ("\"$(pwd)/specs\"", None),
        ("\"$(dirname \"$1\")\"", None),
        ("\"$SCRIPT_DIR/$ENV/a.json\"", None),
        ("\"$SCRIPT_DIR\"/*.json", None),
        (
            "\"$(cd \"$SCRIPT_DIR\" && git rev-parse --show-toplevel)\"",
            None,
        ),
    ] {
        assert_eq!(
            super::script_relative(value, &dirs).as_deref(),
            expected,
            "{value}"
        );
    }
}

#[test]
fn atlas_login_is_mongodbs_unless_it_is_arigas() {
    // MongoDB's: judged (no --gov).
    for text in [
        "atlas login\n",
        "atlas login --noBrowser\n",
        "atlas auth login --token x\n",
    ] {
        assert_eq!(sh(text).endpoints.len(), 1, "{text}");
    }
    // Ariga's Atlas: a flag MongoDB's has not, an argument, or Ariga's commands in the file.
    for text in [
        "atlas login --token \"$T\"\n",
        "atlas login my-org\n",
        "atlas login\natlas migrate apply --env prod\n",
        "atlas login\natlas schema apply --env prod\n",
    ] {
        assert!(sh(text).endpoints.is_empty(), "{text}");
    }
}

#[test]
fn a_variable_set_once_to_a_literal_is_that_literal_where_it_is_used() {
    let text = "TIER=M10\natlas clusters create x --provider AWS --region US_GOV_WEST_1 --tier \"$TIER\"\n";
    let m = sh(text);
    let size = &m.clusters[0].regions[0].sizes[0].value;
    assert_eq!(size.as_str(), "M10");
    assert_eq!(at(text, &size.loc), "$TIER");
    assert_eq!(at(text, size.loc.via.as_deref().unwrap()), "M10");
}

#[test]
fn literals_only_where_they_are_known() {
    for text in [
        // Assigned twice (a branch), read, a loop variable, a prefix assignment.
        "T=M30\nif [ \"$E\" = dev ]; then T=M10; fi\natlas clusters create a --tier \"$T\"\n",
        "read -r T\natlas clusters create a --tier \"$T\"\n",
        "T=M10\nfor T in M30 M40; do atlas clusters create a --tier \"$T\"; done\n",
        "T=M10 atlas clusters create a --tier \"$T\"\n",
        "T=M10\nT+=0\natlas clusters create a --tier \"$T\"\n",
        "T=M10\nsh -c 'atlas clusters create a --tier \"$T\"'\n",
        "case $E in\n  prod)T=M30;;\n  *) T=M10;;\nesac\natlas clusters create a --tier \"$T\"\n",
        "T=M10\nsource \"./env/$E.sh\"\natlas clusters create a --tier \"$T\"\n",
        "T=M10\n. ./env.sh\natlas clusters create a --tier \"$T\"\n",
    ] {
        let m = sh(text);
        let size = m.clusters[0].regions[0].sizes[0].value.as_str();
        assert!(size.contains('$'), "{text}: {size}");
    }
}

#[test]
fn a_word_that_may_give_flags_makes_an_absent_flag_unknown() {
    // The flag array, a wrapper's "$@", an unquoted variable past the name, a substitution.
    for text in [
        "F=(--orgId x --govCloudRegionsOnly)\natlas projects create ledger \"${F[@]}\"\n",
        "create() { atlas projects create \"$@\"; }\ncreate ledger --govCloudRegionsOnly\n",
        "atlas projects create ledger $PROJECT_FLAGS\n",
        "atlas projects create ledger $(project_flags)\n",
    ] {
        let m = sh(text);
        let usage = m.projects[0].region_usage.as_ref().map(|u| u.as_str());
        assert!(usage.is_some_and(|u| u.contains('$')), "{text}: {usage:?}");
    }
    for text in [
        "atlas auth login \"${LOGIN[@]}\"\n",
        "atlas auth login $LOGIN_FLAGS\n",
    ] {
        assert!(sh(text).endpoints.is_empty(), "{text}");
    }
    let m = sh("atlas integrations create DATADOG --apiKey \"$K\" \"${DD[@]}\"\n");
    assert!(
        m.integrations[0]
            .region
            .as_ref()
            .is_some_and(|r| r.as_str().contains('$'))
    );
    // A word that is the command's positional (the name) gives no flag: absent stays absent.
    let m = sh("atlas projects create \"$NAME\" --orgId x\n");
    assert!(m.projects[0].region_usage.is_none());
    assert_eq!(sh("atlas auth login\n").endpoints.len(), 1);
}

#[test]
fn a_comment_line_neither_assigns_nor_resets() {
    // `for` in a comment that names the variable (it reset every word of its line), and an
    // assignment shown in a comment (`# T=M30` is no second assignment).
    for text in [
        "# T is used for the tier only
T=M10
atlas clusters create a --provider AWS --tier \"$T\"\n",
        "  # T=M30 for prod
T=M10
atlas clusters create a --provider AWS --tier \"$T\"\n",
        "T=M10
	# read T from the environment: not any more
atlas clusters create a --tier \"$T\"\n",
        "T=M10 # used for the orders cluster\natlas clusters create a --provider AWS --tier \"$T\"\n",
    ] {
        let m = sh(text);
        assert_eq!(
            m.clusters[0].regions[0].sizes[0].value.as_str(),
            "M10",
            "{text}"
        );
    }
}

#[test]
fn the_other_uses_of_a_variable_are_noted_where_its_literal_is_written() {
    let text = "S=US\nSITE=x\nP=$(atlas projects create \"orders-$S\" --govCloudRegionsOnly)\n\
                atlas integrations create DATADOG --apiKey k --region \"$S\" --projectId \"$P\"\n\
                echo ${S:-none} $SITE ${SITE} ${#S}\nexport S\n";
    let m = sh(text);
    let uses: Vec<String> = m
        .written_notes
        .iter()
        .filter_map(|n| match &n.note {
            crate::model::Note::UsedAt(l) => Some(at(text, l)),
            _ => None,
        })
        .collect();
    assert_eq!(uses, ["$S", "$S", "${S", "${#S", "S"], "{text}");
    assert!(
        m.written_notes
            .iter()
            .all(|n| text.get(n.span.start as usize..n.span.end as usize) == Some("US"))
    );
}

#[test]
fn many_assignments_are_read_in_linear_time() {
    // One table of the variables assigned once is made per script (it was a scan of the
    // script per assignment: 4,000 assignments took 16 s).
    let mut text: String = (0..50_000).map(|i| format!("V{i}=M10\n")).collect();
    text.push_str("atlas clusters create a --provider AWS --region US_GOV_WEST_1 --tier \"$V7\"\n");
    let m = sh(&text);
    assert_eq!(m.clusters[0].regions[0].sizes[0].value.as_str(), "M10");
}

#[test]
fn a_ci_variable_is_only_read_when_every_mention_expands_it() {
    for (text, read) in [
        ("atlas x --tier \"$TIER\"", true),
        ("atlas x --tier ${TIER} --name $TIER_NAME", true),
        ("echo $TIERS; atlas x --tier $TIER", true),
        ("TIER=M30\natlas x --tier $TIER", false),
        ("read TIER\natlas x --tier $TIER", false),
        (": \"${TIER:=M30}\"; atlas x --tier $TIER", false),
        ("export TIER; atlas x --tier $TIER", false),
        ("for TIER in M10 M30; do atlas x --tier $TIER; done", false),
    ] {
        assert_eq!(super::only_read(text, "TIER"), read, "{text}");
    }
}

/// The one-pass reading of variable uses finds, for every name, what a scan of the text for
/// that name finds: every form (`$X`, `${X}`, `${X:-d}`, `${#X}`, `${!X}`, `env.X`,
/// `export X`), names that are prefixes of others, `$$X`, and near misses.
#[test]
fn variable_uses_in_one_pass_are_those_of_a_scan_per_name() {
    let text = "TIER=M10\nTIER_2=M20\nexport TIER\nexport  TIER_2=1\nreexport\tREGION\n\
        atlas clusters create a --tier $TIER --region ${REGION:-US_EAST_1} ${#TIER_2} ${!REF}\n\
        echo $$TIER ${TIER} ${TIER_2}x $TIER_2$TIER ${ TIER} ${TIER\n\
        if: env.TIER == 'M10' && myenv.TIER && (env.REGION)\n\
        run: echo ${{ env.TIER_2 }} $1 $_X $X_ $env.NO\nexport\n  LATE\nexport";
    let by_name = variable_uses_by_name(text);
    for name in [
        "TIER", "TIER_2", "REGION", "REF", "LATE", "X_", "_X", "X", "NO", "env",
    ] {
        assert_eq!(
            by_name.get(name).cloned().unwrap_or_default(),
            variable_uses(text, name),
            "{name}"
        );
    }
    assert!(by_name.get("TIER").is_some_and(|u| u.len() >= 5));
}
