#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

fn words(text: &str, dialect: Dialect) -> Vec<Vec<String>> {
    commands(text, dialect)
        .unwrap()
        .into_iter()
        .map(|c| c.words.into_iter().map(|w| w.value).collect())
        .collect()
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

#[test]
fn splits_commands_and_words() {
    let text = "atlas clusters create c1 --tier M10; echo done && ls | wc -l\nx=1 y\n";
    assert_eq!(
        words(text, Dialect::Sh),
        vec![
            vec!["atlas", "clusters", "create", "c1", "--tier", "M10"],
            vec!["echo", "done"],
            vec!["ls"],
            vec!["wc", "-l"],
            vec!["x=1", "y"],
        ]
    );
}

#[test]
fn quotes_escapes_and_continuations_keep_exact_spans() {
    let text = "atlas clusters create \"my c\" \\\n  --tier='M10' --region=\"US_GOV_WEST_1\" \\\n  -r US\\_EAST_1 # a comment 'unclosed\n";
    let cmds = commands(text, Dialect::Sh).unwrap();
    assert_eq!(cmds.len(), 1);
    let w = &cmds[0].words;
    assert_eq!(w[3].value, "my c");
    assert_eq!(at(text, w[3].span), "\"my c\"");
    assert_eq!(w[4].value, "--tier=M10");
    // The value part of `--tier='M10'`.
    assert_eq!(at(text, w[4].span_of(7, 10)), "M10");
    assert_eq!(w[5].value, "--region=US_GOV_WEST_1");
    assert_eq!(at(text, w[5].span_of(9, 22)), "US_GOV_WEST_1");
    assert_eq!(w[7].value, "US_EAST_1");
    assert_eq!(at(text, w[7].span_of(0, 9)), "US\\_EAST_1");
    assert_eq!(cmds[0].span.start, 0);
    assert_eq!(at(text, cmds[0].span).lines().count(), 3);
}

#[test]
fn expansions_are_unknown_and_substitutions_are_commands() {
    let text = "P=$(atlas projects create gov --govCloudRegionsOnly -o json | jq -r .id)\natlas clusters create c --projectId \"$P\" --tier ${TIER:-M10} --region US_$R\n";
    let cmds = commands(text, Dialect::Sh).unwrap();
    let names: Vec<&str> = cmds.iter().map(|c| c.words[0].value.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "atlas",
            "jq",
            "P=$(atlas projects create gov --govCloudRegionsOnly -o json | jq -r .id)",
            "atlas"
        ]
    );
    assert_eq!(cmds[0].depth, 1);
    assert_eq!(cmds[2].depth, 0);
    let last = &cmds[3].words;
    assert_eq!(last[5].variable(), Some("P"));
    assert_eq!(last[5].known(), None);
    assert_eq!(last[7].variable(), None);
    assert!(last[7].has_expansion());
    assert_eq!(last[9].known(), None);
    assert_eq!(last[9].known_part(0, 3), Some("US_"));
    assert_eq!(last[3].known(), Some("c"));
    // The nested command's words point into the outer text.
    let nested = &cmds[0].words;
    assert_eq!(at(text, nested[4].span), "--govCloudRegionsOnly");
}

#[test]
fn heredocs_and_comments_are_not_commands() {
    let text = "cat > body.json <<'EOF'\n{\"providerName\": \"AZURE\"} ; atlas x\nEOF\n# atlas clusters create x --tier M10\natlas clusters create --file body.json\n";
    assert_eq!(
        words(text, Dialect::Sh),
        vec![
            vec!["cat"],
            vec!["atlas", "clusters", "create", "--file", "body.json"],
        ]
    );
    let tabs = "cat <<-END\n\tatlas no\n\tEND\natlas yes\n";
    assert_eq!(
        words(tabs, Dialect::Sh),
        vec![vec!["cat"], vec!["atlas", "yes"]]
    );
}

#[test]
fn redirections_are_not_words() {
    let text = "atlas clusters create c --tier M30 >out.json 2>&1 < /dev/null &> log\n";
    assert_eq!(
        words(text, Dialect::Sh),
        vec![vec!["atlas", "clusters", "create", "c", "--tier", "M30"]]
    );
}

#[test]
fn unterminated_quotes_are_errors_at_the_quote() {
    let err = commands("echo ok\natlas x 'oops\n", Dialect::Sh).unwrap_err();
    assert_eq!(err.span.start, 16);
    assert!(commands("x=$(atlas y", Dialect::Sh).is_err());
    assert!(commands("echo \"a", Dialect::Sh).is_err());
}

#[test]
fn make_variables_and_doubled_dollars() {
    let text = "atlas clusters create $(NAME) --tier $$TIER --region US_GOV_WEST_1 --x=$$(date)";
    let cmds = commands(text, Dialect::Make).unwrap();
    let outer = cmds.iter().find(|c| c.depth == 0).unwrap();
    assert_eq!(outer.words[3].known(), None);
    assert_eq!(outer.words[5].variable(), None);
    assert!(outer.words[5].has_expansion());
    assert_eq!(outer.words[7].known(), Some("US_GOV_WEST_1"));
    // `$$(date)` is a command substitution for the shell.
    assert!(
        cmds.iter()
            .any(|c| c.depth == 1 && c.words[0].value == "date")
    );
}

#[test]
fn makefile_recipes() {
    let text = "TIER := M10\n.PHONY: up\nup: deps\n\t@atlas clusters create c \\\n\t  --tier M10\n\t-echo hi\n\nX = a:b\n\tnot a recipe\ndown: ; atlas clusters delete c\ndefine T\n\tatlas in define\nendef\n";
    let doc = parse(text, Dialect::Make, &Limits::default()).unwrap();
    let cmds: Vec<&str> = doc.roots[0]
        .as_seq()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(
        cmds,
        vec![
            "atlas clusters create c \\\n\t  --tier M10",
            "echo hi",
            "atlas clusters delete c"
        ]
    );
    let again = commands(cmds[0], Dialect::Make).unwrap();
    assert_eq!(again[0].words.len(), 6);
    assert_eq!(doc.roots[0].tag.as_deref(), Some("shell:make"));
}

#[test]
fn makefile_exports_and_one_shell() {
    // (name, value, targets) of what a Makefile exports.
    let exported = |text: &str| -> Vec<(String, String, String)> {
        files::makefile(text)
            .exports
            .into_iter()
            .map(|e| {
                let value = text[e.value.0..e.value.1].to_string();
                (e.name, value, e.targets.join(" "))
            })
            .collect()
    };
    let pairs = |p: &[(&str, &str, &str)]| -> Vec<(String, String, String)> {
        p.iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect()
    };
    // On its line, for one target, by a directive before or after, overridden.
    let text = "export A := https://a/ # the host\nB = b\nC ?= c\nexport B\nlist: export D=d\noverride export E ::= e\nF := f\napply:: export G = g\n";
    assert_eq!(
        exported(text),
        pairs(&[
            ("A", "https://a/", ""),
            ("B", "b", ""),
            ("E", "e", ""),
            ("D", "d", "list"),
            ("G", "g", "apply"),
        ])
    );
    // Not read: appended, a command's output, another variable, a recipe line, a define.
    let text = "A = a\nexport A += more\nexport B != cmd\nexport C := $(X)\nup:\n\texport D=d\ndefine T\nexport E = e\nendef\n";
    assert_eq!(exported(text), pairs(&[]));
    // The last value is the one the recipes get (`?=` only sets what is not set yet).
    let text = "export A := https://gov/\nA := https://commercial/\nexport B := b\nB :=\nC ?= first\nC ?= second\nexport C\n";
    assert_eq!(
        exported(text),
        pairs(&[("A", "https://commercial/", ""), ("C", "first", "")])
    );
    // Everything, unless unexported; the last directive about a name decides, in file order.
    let text = "A = a\nB = b\nC = c\nexport\nunexport B\nexport C\nunexport C\nunexport D\nexport D := d\n";
    assert_eq!(exported(text), pairs(&[("A", "a", ""), ("D", "d", "")]));
    let text = "A = a\n.EXPORT_ALL_VARIABLES:\nunexport\n";
    assert_eq!(exported(text), pairs(&[("A", "a", "")]));
    // `export` and `unexport` as targets or prerequisites are no directives.
    let text = "A = a\n.PHONY: export\nexport:\n\techo data\nB = b\nexport B\nplan: unexport B\n";
    assert_eq!(exported(text), pairs(&[("B", "b", "")]));
    // A value continued on the next line; a make line with a tab before any rule.
    let text = "export A := \\\n  https://a/\n\texport B = b\n";
    assert_eq!(
        exported(text),
        pairs(&[("A", "https://a/", ""), ("B", "b", "")])
    );
    // Both branches of a conditional (not evaluated) count; a `define` body's words are text.
    let text = "ifeq ($(ENV),commercial)\nexport A := cloud\nelse\nexport A := cloudgov\nendif\ndefine HELP\nmake a to define x\nexport B := b\nendef\nexport C := c\n";
    assert_eq!(
        exported(text),
        pairs(&[("A", "cloud", ""), ("A", "cloudgov", ""), ("C", "c", "")])
    );
    assert!(files::makefile(".PHONY: x\n.ONESHELL:\nx:\n\tcd a\n\tls\n").one_shell);
    assert!(!files::makefile("x:\n\techo .ONESHELL:\n").one_shell);
    // Rules and the recipes that run for a target (its prerequisites' too).
    let make = files::makefile(
        "deploy: apply | lint\n\techo done\napply: ; terraform apply\nlint:\n\ttflint\n",
    );
    assert_eq!(make.recipes_of(&["deploy".to_string()]), vec![0, 1, 2]);
    assert_eq!(make.recipes_of(&["apply".to_string()]), vec![1]);
}

#[test]
fn dockerfile_stages_and_the_image_env() {
    let text = "FROM golang:1.22 \\\n  AS build\nENV A=1\nFROM alpine AS other\nENV B=2\nONBUILD ENV C=3\nFROM build\nENV D=4\n";
    let docker = files::dockerfile(text);
    let bases: Vec<Option<usize>> = docker.stages.iter().map(|s| s.base).collect();
    assert_eq!(bases, vec![None, None, Some(0)]);
    let env: Vec<&str> = docker
        .image_env()
        .into_iter()
        .map(|at| &text[at..at + 7])
        .collect();
    assert_eq!(env, vec!["ENV A=1", "ENV D=4"]);
}

#[test]
fn dockerfile_instructions() {
    let text = "# syntax=docker/dockerfile:1\nFROM mongodb/atlas:latest\nENV MONGODB_ATLAS_SERVICE=cloud\nRUN --mount=type=secret,id=k atlas clusters create c \\\n  # a comment line\n\n  --tier M10\nRUN [\"atlas\", \"clusters\", \"create\"]\nCOPY <<EOF /x\nRUN not an instruction\nEOF\nRUN <<EOT\natlas projects create p\nEOT\n";
    let doc = parse(text, Dialect::Docker, &Limits::default()).unwrap();
    let cmds: Vec<&str> = doc.roots[0]
        .as_seq()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(cmds.len(), 3, "{cmds:?}");
    assert_eq!(cmds[0], "ENV MONGODB_ATLAS_SERVICE=cloud");
    assert!(cmds[1].starts_with("atlas clusters create c"));
    assert!(cmds[1].ends_with("--tier M10"));
    let run = commands(cmds[1], Dialect::Docker).unwrap();
    assert_eq!(run.len(), 1);
    assert_eq!(run[0].words.last().unwrap().value, "M10");
    assert_eq!(cmds[2], "atlas projects create p");
    // A Windows Dockerfile: nothing read.
    let windows = "# escape=`\nFROM x\nRUN atlas clusters create c --tier M10\n";
    let doc = parse(windows, Dialect::Docker, &Limits::default()).unwrap();
    assert_eq!(doc.roots[0].as_seq().unwrap().len(), 0);
}

#[test]
fn hostile_input_stays_bounded() {
    let deep = "$(".repeat(10_000);
    assert!(commands(&deep, Dialect::Sh).is_err());
    let closed = format!("{}x{}", "$(".repeat(100), ")".repeat(100));
    let cmds = commands(&closed, Dialect::Sh).unwrap();
    assert!(cmds.iter().all(|c| c.depth <= MAX_DEPTH + 1));
    let quotes = "'".repeat(10_001);
    assert!(commands(&quotes, Dialect::Sh).is_err());
    for text in [
        "\\", "$", "${", "<<", "a <", "2>", "`", "$'", "$\"", "(((", ")))", "~",
    ] {
        let _ = commands(text, Dialect::Sh);
        let _ = commands(text, Dialect::Make);
        let _ = commands(text, Dialect::Docker);
        let _ = parse(text, Dialect::Make, &Limits::default());
        let _ = parse(text, Dialect::Docker, &Limits::default());
    }
}

#[test]
fn multibyte_text_maps_byte_for_byte() {
    let text = "atlas clusters create \"clé\" --tier=M10";
    let cmds = commands(text, Dialect::Sh).unwrap();
    let w = &cmds[0].words;
    assert_eq!(w[3].value, "clé");
    assert_eq!(at(text, w[3].span_of(0, 4)), "clé");
    assert_eq!(at(text, w[4].span_of(7, 10)), "M10");
}

#[test]
fn backticks_end_at_the_next_backtick() {
    let text = "@kill `cat ako.pid` && rm ako.pid\nx=`atlas projects create p`\n";
    let cmds = commands(text, Dialect::Make).unwrap();
    let names: Vec<(&str, u32)> = cmds
        .iter()
        .map(|c| (c.words[0].value.as_str(), c.depth))
        .collect();
    assert_eq!(
        names,
        vec![
            ("cat", 1),
            ("@kill", 0),
            ("rm", 0),
            ("atlas", 1),
            ("x=`atlas projects create p`", 0)
        ]
    );
}

#[test]
fn jenkins_sh_steps_are_found_where_they_are_written() {
    let text = "pipeline {\n  // sh 'not this'\n  steps {\n    sh 'a --tier M10'\n    x.sh 'not a step'\n    echo \"sh 'not this either'\"\n    sh(returnStdout: true, script: \"b ${env.X}\")\n    sh label: 'l', script: '''\n      c\n    '''\n    bat 'd'\n    def r = ~/it's/\n    sh \"\"\"e\"\"\"\n  }\n}\n";
    let got: Vec<&str> = files::jenkins_steps(text)
        .iter()
        .map(|p| &text[p.start..p.end])
        .collect();
    assert_eq!(got, ["a --tier M10", "b ${env.X}", "\n      c\n    ", "e"]);
    // Hostile input: unclosed strings and deep nesting end, in linear time.
    let hostile = format!("sh(a: {}{}", "[".repeat(100_000), "'x");
    let _ = files::jenkins_steps(&hostile);
    let _ = files::jenkins_steps(&"sh \"${".repeat(50_000));
    let _ = files::jenkins_steps(&"'".repeat(100_000));
    let _ = files::jenkins_steps(&"sh \"\"\"${\n".repeat(50_000));
    let _ = files::jenkins_steps(&"sh \"${\n".repeat(50_000));
}

#[test]
fn jenkins_environment_blocks_and_their_scopes() {
    let text = "pipeline {\n  environment {\n    A = 'one'\n    B = \"${env.X}\"\n    C = credentials('id')\n    // D = 'no'\n    E = \"two\"\n  }\n  stages {\n    stage('s') {\n      environment { A = 'three' }\n      steps { sh 'x' }\n    }\n  }\n}\n";
    let envs = files::jenkins_environments(text);
    let read: Vec<(&str, Vec<(&str, &str)>)> = envs
        .iter()
        .map(|e| {
            let scope = &text[e.scope.0..e.scope.1];
            let settings = e
                .settings
                .iter()
                .map(|(n, s, end)| (n.as_str(), &text[*s..*end]))
                .collect();
            (scope.lines().next().unwrap_or(""), settings)
        })
        .collect();
    assert_eq!(
        read,
        [
            ("{", vec![("A", "one"), ("E", "two")]),
            ("{", vec![("A", "three")]),
        ]
    );
    // The pipeline's block holds the first, the stage's the second.
    assert!(text[envs[0].scope.0..].starts_with("{\n  environment"));
    assert!(text[envs[1].scope.0..envs[1].scope.1].contains("steps"));
    assert!(!text[envs[1].scope.0..envs[1].scope.1].contains("stages"));
    // Hostile input ends, in linear time.
    let _ = files::jenkins_environments(&"environment { A = '''".repeat(50_000));
    let _ = files::jenkins_environments(&"{".repeat(100_000));
    let _ = files::jenkins_environments(&"environment {".repeat(100_000));
}

#[test]
fn here_document_bodies_are_a_second_root_of_text() {
    let text = "cat > a.env <<EOF\nA=1\nB=2\nEOF\necho x\ncat <<-'END' | sh\n\tatlas help\n\tEND\ncat <<NEVER\nlast\n";
    let doc = parse(text, Dialect::Sh, &Limits::default()).unwrap();
    assert_eq!(doc.roots.len(), 2);
    // The commands are the first root's, as before.
    let commands: Vec<&str> = doc.roots[0]
        .as_seq()
        .unwrap()
        .iter()
        .map(|c| at(text, c.span))
        .collect();
    // (A command's span runs from its first word to its last: redirections are no words.)
    assert_eq!(commands, ["cat", "echo x", "cat", "sh", "cat"]);
    let bodies = &doc.roots[1];
    assert_eq!(bodies.tag.as_deref(), Some(HEREDOCS_TAG));
    let texts: Vec<&str> = bodies
        .as_seq()
        .unwrap()
        .iter()
        .map(|b| {
            assert_eq!(b.as_str(), Some(at(text, b.span)));
            at(text, b.span)
        })
        .collect();
    // Each body's lines without the delimiter line; one never ended runs to the end.
    assert_eq!(texts, ["A=1\nB=2\n", "\tatlas help\n", "last\n"]);
    // A script without one has one root.
    let plain = parse("echo hi\n", Dialect::Sh, &Limits::default()).unwrap();
    assert_eq!(plain.roots.len(), 1);
}
