//! Every input the fuzzers (fuzz/run.sh) found a problem with, run through the same checks as
//! the fuzz targets: no panic, every span inside the text and on character boundaries, both
//! renderers succeed, the server's framing recovers. One test per finding, named after what
//! was wrong.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/src/lib.rs"]
mod harness;

use atlasgov_lint::document::Syntax;

/// Every target on one input.
fn all_targets(data: &[u8]) {
    for syntax in [Syntax::Json, Syntax::Yaml, Syntax::Hcl] {
        harness::parser(data, syntax);
    }
    harness::hcl_balance(data);
    harness::yaml_fast_path(data);
    harness::shell(data);
    for name in [
        "fuzz.json",
        "fuzz.yaml",
        "fuzz.tf",
        "fuzz.sh",
        "Makefile",
        "Dockerfile",
        "application.properties",
    ] {
        harness::pipeline(data, name);
    }
    harness::lsp_framing(data);
}

#[test]
fn hcl_error_offset_inside_a_multibyte_character() {
    // hcl-edit reported the error at byte 6, the second byte of `ك`.
    let data = b"\n \xd9\x83 \xd9\x83";
    harness::parser(data, Syntax::Hcl);
    all_targets(data);
}

#[test]
fn hcl_unclosed_brackets_after_operator_chains() {
    // hcl-edit parses every level of `s=r%r%u[` twice when the file ends inside the brackets:
    // the fuzzer's 480-byte input took 12 s. The bracket pre-check refuses it in linear time.
    let data = b"resource \"mongodbatlas_advanced_cluster\" \"c\" {\n}\ns=r%r%u[r%r%{d%r%u[d%r%u[r%d%_[f%r%{_%d%{d%r%u[d%r%u[r%Y%_[g%d%_[d%r%u[d%r%u[r%d%_[d%r%u[d%r%d[d%r%u[Y%r%_[d%r%u[d%r%u[{";
    let started = std::time::Instant::now();
    all_targets(data);
    // Generous for a debug build on a loaded machine; the unguarded parse took minutes.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn yaml_fast_path_keys_past_the_1024_character_limit() {
    // The fast path read a 1,100-character implicit key that saphyr refuses ("simple key
    // expect ':'"); it now leaves such keys to saphyr.
    let data = format!("- type: DATADOG\n- {}: HOST_DOWN\n", "e".repeat(1100));
    all_targets(data.as_bytes());
}

#[test]
fn hcl_bracket_check_and_a_delimiter_on_the_first_heredoc_line() {
    // The bracket pre-check ended `<<-true` at the ` true` right below it; hcl-edit reads that
    // line as text and ends the heredoc at a later `true` line, so the file parses, and the
    // pre-check refused it. The harness asserts the pre-check never refuses what parses.
    let data = b"#resource \"mrt_=C notiliaation {\n    tAWSype_AtlasDeploymennabled = <<-true\n true\n\x0bucket = \"l${vvr}vider6\x00\x00666666666+6666\x086Ao6666ilicati   = true\n\x0bucket = \"l${vvr}vi66666666666666466666ilicati   = true\n\x0bucket 66666+6666\x086Ao6666ilicati   = true\n\x0bucket = \"l${vvr}\n  encryptionAo6666ilicati   = true\n\x0bucket = \"l${vvr}vider6\x00\x00666666666+6666\x086Ao6666ilicati   = true\n\x0bucket = \"l$${{vvr}vider6\x00\x006666]6666 <<true\n  }>-\n49\"GRFOUP\"\n  true\n";
    all_targets(data);
}

#[test]
fn lsp_framing_stray_bytes_and_content_lengths_off_by_one() {
    // Issue 23, before the framing scanned for headers: three stray bytes before a header, or
    // a Content-Length one byte off, and nothing more was read. The first byte sets how far
    // off the length is (1, then -1, then 16 and -16).
    for data in [
        &b"\x01abc"[..],
        b"\xffabc",
        b"\x10Content-Length",
        b"\xf0\r\n\r\n",
    ] {
        all_targets(data);
    }
}

#[test]
fn shell_words_across_continuations_quotes_and_substitutions() {
    all_targets(b"atlas clusters create \"c\xc3\xa9\" \\\n --tier='M1'0 --x=$(a \"$(b `c`)\") <<E\nbody\nE\n");
    all_targets(b"\trecipe: ;\n\t@atlas x --tier=$$T \\\n\t\t-r=$(R) `d`\n");
    all_targets(b"RUN --mount=x a \\\n # c\n\n b=\"\\\n\"\nENV A=1 \\\nRUN <<EOF\n$(\nEOF\n");
    all_targets(b"$'\\x' $\"a\" ${a:-${b}} $((1+(2))) ~/x <(c) >(d) 2>&1 &> e");
}

/// The pipeline target's fix check (every fix applied: bytes outside the edits kept, still
/// parses, fixed findings gone) on every file of the fix cases, each on its own.
#[test]
fn every_fix_case_file_passes_the_pipeline_fix_check() {
    let mut stack = vec![std::path::PathBuf::from("fixtures/fixes")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            harness::pipeline(&std::fs::read(&path).unwrap(), &name);
            seen += 1;
        }
    }
    assert!(seen > 15);
}

/// The `pipeline_code` target's check, on every Pulumi program module of the fixtures, each
/// in its own project (the fix check edits the stack file beside it too).
#[test]
fn every_pulumi_program_module_passes_the_pipeline_code_check() {
    let mut seen = 0;
    for dir in ["fixtures", "fixtures/fixes"] {
        for case in std::fs::read_dir(dir).unwrap().flatten() {
            let mut stack = vec![case.path()];
            while let Some(dir) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                let files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
                stack.extend(files.iter().filter(|p| p.is_dir()).cloned());
                let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
                let Some(project) = read("Pulumi.yaml") else {
                    continue;
                };
                let stacks: Vec<(String, String)> = files
                    .iter()
                    .filter_map(|p| {
                        let name = p.file_name()?.to_str()?.to_string();
                        (name.starts_with("Pulumi.") && name != "Pulumi.yaml")
                            .then(|| Some((name, std::fs::read_to_string(p).ok()?)))
                            .flatten()
                    })
                    .collect();
                for module in files.iter().filter(|p| {
                    p.extension()
                        .is_some_and(|e| ["ts", "js", "py"].contains(&e.to_str().unwrap_or("")))
                }) {
                    let name = module.file_name().unwrap().to_string_lossy().to_string();
                    let mut beside = vec![("Pulumi.yaml", project.as_str())];
                    beside.extend(stacks.iter().map(|(n, t)| (n.as_str(), t.as_str())));
                    harness::pipeline_beside(&std::fs::read(module).unwrap(), &name, &beside);
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 9, "{seen}");
}

/// A fix that adds a flag at the end of a command whose last flag lacks its value
/// (`... --apiKey;`): the added flag was read as that value, so the finding stayed after its
/// fix and every pass of `--fix` added it again. No fix is offered there now.
#[test]
fn a_flag_added_after_a_flag_that_lacks_its_value() {
    all_targets(
        b"atlas integrations create DATADOG \\\n  --projectId \"$P\" --apiKey;\"$DD_API_KEY\"\n",
    );
    all_targets(b"atlas alerts settings create --event X --notificationType DATADOG --apiKey\n");
}

#[test]
fn a_connection_string_piece_whose_spelling_in_the_source_is_another_one() {
    // A YAML scalar folded over lines with a template action blanked: the Locator took the
    // nth `SCRAM-SHA-1` of the source for the nth of the value, which was another one (after
    // `authMechanisfum=`), so the fix edited it and the finding stayed (pipeline_yaml, 3.0
    // million runs on aeb5cbf). Now the text before a piece must read the same too.
    let input = "MONGODB_URI=.\"mongodb+srv://orders-app:<pas>swodr@orders.x1y2z.monmodbgov.net/oorders?authMechanisfum=SCRAM-SHA-1&r.envodbgov.net/s service settings. Copy to v://orders-app:<pas>swodr@orders.x1y2zAM-SHA-1&r.env_URI=.\"mongodb+srv://1rders-app:<pas>swodr@orders.x1y2z.mongodbgov.net/orders?authMechanism=SCRAM-SHA-1&re}wodr@orders.x1y2z.mongodbgov.net/ord@orders.x1y2z.m{{- eAWSTemplateFormatVersion: '2010-09-09'\nMONGODB_URI=.\"mongoEU_WEST_1orders-app:<pas>swodr@orders.x1y2z.mongodbgov.net/oorders?authMechanisfum=SCRAM-SHA-1&r.env.\nMONGODB_URI=.\"mongodb+srv://1rders-app:<pas>srs service settings. Copy to v://orders-app:<pas>swodr@orders.x1y2z.m{{- end }}ttings. Copy to v://orders-app:<pas>swodr@orders.x1y2z.mongodbgov.net/s service settings. Copy to v://orders-app:<pas>swodr@orders.x2y2z. set ops_manager_url https://cloud.mmongodbgov.net/orders?authMechanv.\nMONGODB_URI=.\"mongodb+srv://orders-app:<pas>swodr@orders.x1y2z.mongodbgov.net/oorders?authMechanisfum=SCRAM-SHA-1&r.envodbgov.net/s service settings. Copy to v://orders-app:<pas>swodr@orders.x1y2zAM-SHA-1&r.env_URI=.\"mongodb+srv://1rders-app:<pas>swodr@orders.x1y2z.mongodbgov.net/orders?authMechanism=SCRAM-SHA-1&re}wodr@orders.x1y2z.mongodbgov.net/orders?authMechanism=SCRAM-SHA-1&retryWrites=true\"";
    all_targets(input.as_bytes());
}

#[test]
fn a_connection_string_piece_also_spelled_inside_a_template_action() {
    // A Helm action spanning lines (`{{- end: ... }}`) holds a `SCRAM-SHA-1` of its own; the
    // action is blanked from the plain scalar's value, so the value's first `SCRAM-SHA-1` was
    // located at the action's (the 8 characters before both read `Mechanism=`) and the
    // connection string's at the one before it: the fix edited line 9, not line 10
    // (pipeline_yaml, 851,669 runs on ac7d7da). Now text inside an action is never a piece's.
    let input = "FROM analyticsSpecs\nWORD/ IRKapp\nCOPY . .\nENV MONGODB_UR /app\nCOPY . .\nENV MONGODB_URI=\"mhttps://cloud.mongodbgotl{{- end: Config -atlas-ds.a1b2c.mongodbgov.net/?authMechanism=SCRAM-SHA-1\"\nCMD [\"ngRIMap\nmetadata:\n  nnd }} - -atlas-ds.a1b2c.mongodbgov.net/?authMechanism=SCRAM-SHA-1\"\nCMD [\"ngRI=\"mongodb+srv://claims.a1b2c.mongodbgov.net/?authMechanism=SCRAM-SHA-1\"\nCMD [\"ngde\", \"server.jep]\n";
    all_targets(input.as_bytes());
}

#[test]
fn an_entry_added_to_a_tagged_flow_mapping() {
    // A flow mapping with a tag (`!  {`) starts its span at the tag: the fix that adds
    // `regionUsageRestrictions` took it for a block mapping and added the entry without a
    // comma, which made the file invalid (pipeline_yaml, 1.07 million runs on 3f7355a).
    let input = "[!  {\n    \"name\": \"orders\",\n    \"orgId\": \"5e2211c17a3e5a48f5497de3\"\n  },\n  {\n    \"name\": \"billing\",\n    \"orgId\": \"5e2211c17a3e5a48f5497de3\",\n    \"regionUsageRestrictions\": null\n  }\n]\n";
    all_targets(input.as_bytes());
    let anchored = "- &p {name: orders, orgId: 5e2211c17a3e5a48f5497de3}\n";
    all_targets(anchored.as_bytes());
}

#[test]
fn settings_file_lines_are_not_an_atlas_body() {
    // A properties file's `type: DATADOG` lines were read as a Datadog integration body: GOV008
    // with a fix that wrote a JSON entry into the file, and the finding stayed (pipeline_sh,
    // 384,704 runs on 060f1e2). A settings file's lines are values, never a body.
    all_targets(b"\"first\": x\ntype: DATADOG\napiKey: \"${DD_API_KEY}\"\n");
    all_targets(b"type=DATADOG\napiKey=x\n");
}

#[test]
fn a_url_in_a_scalar_whose_tag_spells_it_too() {
    // A YAML scalar's span holds its tag: the Locator took the URL spelled in the tag
    // (`!!shA'@_BAL=https://cloud.mongodb.com/...`) for the value's, so the finding pointed
    // into the tag and the fix edited it, and the finding stayed (pipeline_yaml, 4.4 million
    // runs on 63ace0f). Now a node's tag and anchor are not searched.
    let input = "!!shA'@_BAL=https://cloud.mongodb.com/api/atlas/v2\nMONGODSERVICE=nfo\ntr#API cliS_BAL=hA'@_BAL=https://cloud.mongodb.com/api/atlas/v2\nMONGODSERVICE=nfo\n";
    all_targets(input.as_bytes());
    let anchored = "url: &https://cloud.mongodb.com/x https://cloud.mongodb.com/api/atlas/v2\n";
    all_targets(anchored.as_bytes());
}

/// `const {` followed by a `;`, `)` or `]` where a name goes: the reader of a destructured
/// `require` skipped nothing and tried again, for ever (code and pipeline_code, at 185,353
/// and 58,525 runs on 8a27253). Run on a thread: a hang fails the test instead of stalling
/// the suite.
#[test]
fn a_destructuring_pattern_with_no_names_in_it() {
    let inputs: [&[u8]; 4] = [
        b"@pulumi/mongodbatlas\nconst{;",
        b"import * as atlas from \"@pulumi/mongodbatlas\";\nconst { a, ) = require(\"m\");\n",
        b"const { ] } = require(\"@pulumi/mongodbatlas\");\nlet {;\n",
        b"import pulumi_mongodbatlas\nconst{;\n",
    ];
    finishes(move || {
        for input in inputs {
            harness::parser(input, Syntax::Js);
            harness::parser(input, Syntax::Py);
            harness::pipeline_beside(
                input,
                "index.ts",
                &[("Pulumi.yaml", "name: f\nruntime: nodejs\n")],
            );
        }
    });
}

/// Runs `f` on a thread and fails when it has not finished in two minutes: a reader that
/// loops fails the test instead of stalling the suite.
fn finishes(f: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        done.send(()).unwrap();
    });
    assert!(
        finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .is_ok(),
        "the reader did not finish"
    );
}

/// Unclosed nested brackets in a Python call (`x = a((((...`): each level of the list reader
/// looked for a comprehension's `for` in everything after it, to the end of the file (16,000
/// of them took 4.7 s in a release build; `code`, a slow unit at 181,706 runs on ba56e44).
/// Nested groups are stepped over whole now. On a thread: a regression that hangs fails.
#[test]
fn unclosed_nested_brackets_in_a_python_call() {
    finishes(|| {
        for open in ["(", "[", "{", "b(["] {
            let input = format!("import pulumi_mongodbatlas\nx = a{}\n", open.repeat(4000));
            harness::parser(input.as_bytes(), Syntax::Py);
        }
    });
}

/// A script whose last command ends in a backslash that escapes nothing (a continuation at
/// the end of the file, no newline): the fix appended ` --region US1_FED` after it, which the
/// backslash escaped into the last word, so the finding stayed (pipeline_sh, 238,000 runs on
/// a742f92). Now no flag is appended there.
#[test]
fn a_flag_appended_after_a_backslash_at_the_end_of_the_file() {
    let input = "#!/usr/bin/env bash\natlas integrations create DATADOG --projectId \"$P\" --apiKey \"$DD_API_KEY\" \\";
    all_targets(input.as_bytes());
    let crash = "#!/usr/bin/env bash\n# Connects the cla quick2 -er M-ti0 --region US_GOV_WEST_1 --force\natlas deployegion US_GOV_WEST_1 -/rce\natlas deployments setup dev --type local --tier M10 --force\natlas clusters update orgion=US\n# The region left to the CLI's default (US): reported; a missing flag gets no fix.\natlas integrations create DATADOG --projectId \"$LEDGERendpointServiceapiKey \"$DD_API_KEY:\\";
    all_targets(crash.as_bytes());
}
