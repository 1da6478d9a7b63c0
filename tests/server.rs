//! The language server as an editor meets it: the real binary, started with the command line
//! of the editor snippets in docs/editors.md, driven over standard input/output.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any one answer may take before the test fails (it never hangs CI).
const TIMEOUT: Duration = Duration::from_secs(30);

/// The fenced blocks of `lang` in the editors' page of the docs.
fn editor_doc_blocks(lang: &str) -> Vec<String> {
    let page = std::fs::read_to_string("docs/editors.md").expect("docs/editors.md");
    let fence = format!("```{lang}\n");
    page.split(fence.as_str())
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .map(str::to_string)
        .collect()
}

/// The double-quoted strings in `s`, in order.
fn quoted(s: &str) -> Vec<String> {
    s.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The server command line of each editor snippet in docs/editors.md: VS Code, Neovim, Helix.
fn editor_doc_command_lines() -> Vec<(&'static str, Vec<String>)> {
    let vscode = editor_doc_blocks("json")
        .into_iter()
        .find(|b| b.contains("glspc.server.command"))
        .expect("VS Code snippet");
    let v: Value = serde_json::from_str(&vscode).expect("VS Code snippet is JSON");
    let mut vscode_cmd = vec![v["glspc.server.command"].as_str().unwrap().to_string()];
    for a in v["glspc.server.commandArguments"].as_array().unwrap() {
        vscode_cmd.push(a.as_str().unwrap().to_string());
    }
    assert_eq!(
        v["glspc.server.languageId"],
        json!(["json", "yaml", "terraform"])
    );

    let neovim = editor_doc_blocks("lua")
        .into_iter()
        .find(|b| b.contains("vim.lsp.start"))
        .expect("Neovim snippet");
    let cmd_line = neovim
        .lines()
        .find(|l| l.trim_start().starts_with("cmd = {"))
        .expect("cmd = { ... }");
    let neovim_cmd = quoted(cmd_line);

    let helix = editor_doc_blocks("toml")
        .into_iter()
        .find(|b| b.contains("[language-server.atlasgov-lint]"))
        .expect("Helix snippet");
    let section = helix
        .split("[language-server.atlasgov-lint]")
        .nth(1)
        .unwrap()
        .split("[[language]]")
        .next()
        .unwrap();
    let value_of = |key: &str| {
        section
            .lines()
            .find_map(|l| l.trim().strip_prefix(key)?.trim().strip_prefix('='))
            .unwrap_or_else(|| panic!("Helix `{key}`"))
            .to_string()
    };
    let mut helix_cmd = quoted(&value_of("command"));
    helix_cmd.extend(quoted(&value_of("args")));
    assert!(
        helix.contains("\"atlasgov-lint\"]"),
        "Helix languages use it"
    );

    vec![
        ("vscode", vscode_cmd),
        ("neovim", neovim_cmd),
        ("helix", helix_cmd),
    ]
}

/// A running server: messages in, messages out, killed if the test fails.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    out: Receiver<Value>,
    next_id: i64,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Open document `doc` (version 1) with `text`, as an editor does.
    fn open(&mut self, doc: &str, language: &str, text: impl AsRef<str>) {
        let text = text.as_ref();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": doc, "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// The code actions for document `doc` at `range` (no diagnostics given: the server's own).
    fn code_actions(&mut self, doc: &str, range: Value) -> Value {
        let id = self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": doc}, "range": range, "context": {"diagnostics": []}}),
        );
        self.response(id)["result"].clone()
    }

    fn start(command_line: &[String], cwd: &Path) -> Server {
        Server::start_logging_to(command_line, cwd, Stdio::null())
    }

    fn start_logging_to(command_line: &[String], cwd: &Path, stderr: Stdio) -> Server {
        Server::start_with_env(command_line, cwd, stderr, &[])
    }

    /// [`Server::start_logging_to`] with `env` set in its environment.
    fn start_with_env(
        command_line: &[String],
        cwd: &Path,
        stderr: Stdio,
        env: &[(&str, &Path)],
    ) -> Server {
        let (program, args) = command_line.split_first().expect("a command");
        assert_eq!(
            program, "atlasgov-lint",
            "the snippet runs the installed binary"
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_atlasgov-lint"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, out) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    let (name, value) = line.split_once(": ").expect("a header");
                    assert_eq!(name, "Content-Length");
                    length = Some(value.parse::<usize>().unwrap());
                }
                let mut body = vec![0; length.expect("Content-Length")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin: Some(stdin),
            out,
            next_id: 0,
        }
    }

    fn write_raw(&mut self, body: &str) {
        let stdin = self.stdin.as_mut().expect("standard input open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    /// Write bytes as they are, framed or not.
    fn write_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("standard input open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Nothing arrives within `wait`.
    fn assert_silent(&self, wait: Duration) {
        if let Ok(m) = self.out.recv_timeout(wait) {
            panic!("unexpected message: {m}");
        }
    }

    fn close_stdin(&mut self) {
        self.stdin = None;
    }

    fn notify(&mut self, method: &str, params: Value) {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string();
        self.write_raw(&body);
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let body =
            json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params});
        self.write_raw(&body.to_string());
        self.next_id
    }

    fn receive(&self) -> Value {
        self.out
            .recv_timeout(TIMEOUT)
            .expect("the server answers in time")
    }

    fn response(&self, id: i64) -> Value {
        let m = self.receive();
        assert_eq!(m["id"], json!(id), "expected the response to {id}: {m}");
        m
    }

    fn diagnostics(&self, uri: &str) -> Value {
        let m = self.receive();
        assert_eq!(m["method"], "textDocument/publishDiagnostics", "{m}");
        assert_eq!(m["params"]["uri"], uri, "{m}");
        m["params"].clone()
    }

    fn wait_exit(mut self) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the server did not exit");
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A repository with a standard project (no regionUsageRestrictions) in `infra/`, and a
/// compliant cluster saved below it.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("infra/clusters")).unwrap();
    std::fs::write(
        root.join("infra/project.yaml"),
        "# standard regions\nname: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n",
    )
    .unwrap();
    std::fs::write(root.join("infra/clusters/claims-db.json"), COMPLIANT).unwrap();
    dir
}

/// A gov region after a non-BMP character on its line, in a standard project (GOV004), and an
/// M10 (GOV002).
const VIOLATING: &str = r#"{
  "name": "😀 claims-db", "clusterType": "REPLICASET",
  "replicationSpecs": [{"regionConfigs": [{"note": "𝔸", "providerName": "AWS", "regionName": "US_GOV_EAST_1", "priority": 7,
    "electableSpecs": {"instanceSize": "M10", "nodeCount": 3}}]}]
}
"#;

const COMPLIANT: &str = r#"{
  "name": "😀 claims-db", "clusterType": "REPLICASET",
  "replicationSpecs": [{"regionConfigs": [{"note": "𝔸", "providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
    "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]
}
"#;

fn range(l0: u64, c0: u64, l1: u64, c1: u64) -> Value {
    json!({"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}})
}

#[test]
fn editor_snippets_start_the_same_server() {
    let lines = editor_doc_command_lines();
    for (editor, cmd) in &lines {
        assert_eq!(cmd, &["atlasgov-lint", "server"], "{editor} snippet");
    }
}

#[test]
fn diagnostics_follow_the_buffer_and_link_to_the_project_on_disk() {
    for (editor, command_line) in editor_doc_command_lines() {
        let ws = workspace();
        let root = ws.path();
        // Started elsewhere: the workspace comes from `initialize`, not the current directory.
        let mut server = Server::start(&command_line, Path::new("/"));

        let id = server.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": true}}},
            }),
        );
        let init = server.response(id);
        let caps = &init["result"]["capabilities"];
        assert_eq!(caps["positionEncoding"], "utf-16", "{editor}: {init}");
        assert_eq!(caps["textDocumentSync"]["openClose"], true);
        assert_eq!(caps["textDocumentSync"]["change"], 1, "full text sync");
        assert_eq!(init["result"]["serverInfo"]["name"], "atlasgov-lint");
        server.notify("initialized", json!({}));

        // The saved file is compliant; the editor's unsaved text is not.
        let doc = root.join("infra/clusters/claims-db.json");
        let doc_uri = uri(&doc);
        server.open(&doc_uri, "json", VIOLATING);
        let published = server.diagnostics(&doc_uri);
        assert_eq!(published["version"], 1);
        let d = published["diagnostics"].as_array().unwrap();
        assert_eq!(d.len(), 2, "{editor}: {published:#}");

        // `"US_GOV_EAST_1"` starts at character 93 of its line, but after "𝔸" (two UTF-16
        // code units): 94..109.
        assert_eq!(d[0]["range"], range(2, 94, 2, 109), "{:#}", d[0]);
        assert_eq!(d[0]["severity"], 1);
        assert_eq!(d[0]["code"], "GOV004");
        assert_eq!(
            d[0]["codeDescription"]["href"],
            "https://github.com/atlasgov-lint/atlasgov-lint/blob/main/rules/GOV004-partition-mismatch.md"
        );
        assert_eq!(d[0]["source"], "atlasgov-lint");
        let message = d[0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("region `US_GOV_EAST_1` is a gov region, but project `claims`"),
            "{message}"
        );
        assert!(message.contains("\nhelp: create the project with regionUsageRestrictions"));
        // The project on disk, found above the document, is the related place.
        let related = &d[0]["relatedInformation"][0];
        assert_eq!(
            related["location"]["uri"],
            uri(&root.join("infra/project.yaml"))
        );
        assert_eq!(related["location"]["range"], range(1, 0, 1, 4));
        assert!(
            related["message"].as_str().unwrap().contains("claims"),
            "{related}"
        );

        assert_eq!(d[1]["range"], range(3, 39, 3, 44), "{:#}", d[1]);
        assert_eq!(d[1]["code"], "GOV002");
        assert_eq!(
            d[1]["codeDescription"]["href"],
            "https://github.com/atlasgov-lint/atlasgov-lint/blob/main/rules/GOV002-tier-below-m20.md"
        );

        // Bad input never ends the server: a malformed body and an unknown request get errors.
        server.write_raw("{not json");
        let bad = server.receive();
        assert_eq!(bad["error"]["code"], -32700, "{bad}");
        assert_eq!(bad["id"], Value::Null);
        let id = server.request("textDocument/hover", json!({}));
        assert_eq!(server.response(id)["error"]["code"], -32601);

        // Fixed in the editor: the list is emptied.
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc_uri, "version": 2}, "contentChanges": [{"text": COMPLIANT}]}),
        );
        let published = server.diagnostics(&doc_uri);
        assert_eq!(published["version"], 2);
        assert_eq!(published["diagnostics"], json!([]), "{editor}");

        // An edit at a UTF-16 range after "𝔸" (US_EAST_1 -> US_GOV_EAST_1) brings GOV004 back.
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc_uri, "version": 3}, "contentChanges": [
                {"range": range(2, 95, 2, 104), "text": "US_GOV_EAST_1"}]}),
        );
        let published = server.diagnostics(&doc_uri);
        let d = published["diagnostics"].as_array().unwrap();
        assert_eq!(d.len(), 1, "{published:#}");
        assert_eq!(d[0]["code"], "GOV004");
        assert_eq!(d[0]["range"], range(2, 94, 2, 109));

        server.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": doc_uri}}),
        );
        assert_eq!(server.diagnostics(&doc_uri)["diagnostics"], json!([]));

        let id = server.request("shutdown", Value::Null);
        assert_eq!(server.response(id)["result"], Value::Null);
        server.notify("exit", Value::Null);
        assert_eq!(server.wait_exit(), Some(0), "{editor}: clean exit");
    }
}

#[test]
fn exit_without_shutdown_and_closed_input_end_the_server() {
    let ws = workspace();
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start(&cmd, ws.path());
    // Before initialize, requests are refused.
    let id = server.request("shutdown", Value::Null);
    assert_eq!(server.response(id)["error"]["code"], -32002);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(1));

    // Closing standard input ends it too.
    let mut server = Server::start(&cmd, ws.path());
    server.close_stdin();
    assert_eq!(server.wait_exit(), Some(1));
}

/// The server started in `dir` and initialized with it as the workspace root.
fn started_and_initialized(dir: &Path) -> Server {
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    initialized(Server::start(&cmd, dir), dir)
}

/// The server started in `dir` with `--no-watch` and initialized with it as the workspace
/// root: for tests that write files and then tell the server (`didSave`), which the server's
/// own watch would also report, at a time of its own.
fn started_not_watching(dir: &Path) -> Server {
    let cmd = ["atlasgov-lint", "server", "--no-watch"].map(String::from);
    initialized(Server::start(&cmd, dir), dir)
}

/// `server` initialized with `dir` as the workspace root by a client that can watch files for
/// it: the server's request to watch, checked.
fn offering_to_watch(server: &mut Server, dir: &Path) -> Value {
    let id = server.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir),
               "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    server.response(id);
    server.notify("initialized", json!({}));
    let register = server.receive();
    assert_eq!(
        register["method"], "client/registerCapability",
        "{register}"
    );
    assert_eq!(
        register["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    register
}

/// `server` initialized with `dir` as the workspace root.
fn initialized(mut server: Server, dir: &Path) -> Server {
    let id = server.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir), "capabilities": {"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]}}}}),
    );
    server.response(id);
    server.notify("initialized", json!({}));
    server
}

#[test]
fn saving_a_project_rechecks_the_open_clusters() {
    let ws = workspace();
    let root = ws.path();
    let mut server = started_not_watching(root);

    let cluster = uri(&root.join("infra/clusters/claims-db.json"));
    server.open(&cluster, "json", VIOLATING);
    let d = server.diagnostics(&cluster)["diagnostics"].clone();
    let codes: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["GOV004", "GOV002"]);
    // Without relatedInformation support, the project's place is a note in the message.
    let message = d[0]["message"].as_str().unwrap();
    let project = root.join("infra/project.yaml");
    assert!(
        message.contains(&format!(
            "\nnote: project `claims` is created for standard regions: {}:2:1",
            project.display()
        )),
        "{message}"
    );
    assert!(d[0].get("relatedInformation").is_none());

    // The project is made a gov project and saved: the open cluster is checked again.
    let project_uri = uri(&project);
    let gov = "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\nregionUsageRestrictions: GOV_REGIONS_ONLY\n";
    server.open(&project_uri, "yaml", gov);
    assert_eq!(server.diagnostics(&project_uri)["diagnostics"], json!([]));
    std::fs::write(&project, gov).unwrap();
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": project_uri}}),
    );
    let mut after = std::collections::HashMap::new();
    for _ in 0..2 {
        let m = server.receive();
        after.insert(
            m["params"]["uri"].as_str().unwrap().to_string(),
            m["params"]["diagnostics"].clone(),
        );
    }
    let codes: Vec<&str> = after[&cluster]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["GOV002"], "GOV004 is gone: the project is gov now");
    assert_eq!(after[&project_uri], json!([]));

    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
fn the_workspace_config_and_suppressions_apply() {
    let ws = workspace();
    let root = ws.path();
    let config = root.join(".atlasgov-lint.yaml");
    std::fs::write(&config, "rules:\n  tier-below-m20: warning\n").unwrap();
    let cmd = ["atlasgov-lint", "server", "--no-watch"].map(String::from);
    let mut server = Server::start(&cmd, Path::new("/"));
    let id = server.request(
        "initialize",
        json!({"processId": null, "workspaceFolders": [{"uri": uri(root), "name": "ws"}], "capabilities": {}}),
    );
    server.response(id);
    server.notify("initialized", json!({}));

    let doc = uri(&root.join("infra/clusters/claims-db.yaml"));
    let text = "name: claims-db\nclusterType: REPLICASET\nreplicationSpecs:\n  - regionConfigs:\n      - providerName: AWS\n        # atlasgov-lint: allow GOV004 -- approved exception, SEC-1\n        regionName: US_GOV_EAST_1\n        priority: 7\n        electableSpecs: {instanceSize: M10, nodeCount: 3} # atlasgov-lint: allow GOV003 -- stale\n";
    server.open(&doc, "yaml", text);
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    let got: Vec<(String, u64, u64)> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_u64().unwrap(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // GOV004 is suppressed; GOV002 is a warning by the config; the stale suppression is GOV100.
    assert_eq!(
        got,
        [("GOV002".to_string(), 2, 8), ("GOV100".to_string(), 2, 8)],
        "{d:#}"
    );
    assert_eq!(
        d[1]["codeDescription"]["href"],
        "https://github.com/atlasgov-lint/atlasgov-lint/blob/main/rules/GOV100-unused-suppression.md"
    );

    // A config that cannot be used is said at the top of the document; the rest still works.
    std::fs::write(&config, "rules:\n  no-such-rule: off\n").unwrap();
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": doc}}),
    );
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    assert_eq!(d[0]["range"], range(0, 0, 0, 0), "{d:#}");
    assert_eq!(d[0]["severity"], 1);
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.contains(".atlasgov-lint.yaml") && message.contains("no-such-rule"),
        "{message}"
    );
    let codes: Vec<&str> = d.as_array().unwrap()[1..]
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["GOV002", "GOV100"]);

    // On the config file itself, each error is at its place (UTF-16 columns after a 😀), and
    // the config is not checked as a spec.
    let written = "# shared settings\nrules: {\"😀\": off, nope: off}\n";
    std::fs::write(&config, written).unwrap();
    server.open(&uri(&config), "yaml", written);
    let d = server.diagnostics(&uri(&config))["diagnostics"].clone();
    let got: Vec<(Value, bool)> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["range"].clone(),
                d["message"].as_str().unwrap().contains("unknown rule"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [(range(1, 8, 1, 8), true), (range(1, 19, 1, 19), true)],
        "{d:#}"
    );

    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
fn the_workspace_configs_policies_apply_and_follow_edits() {
    let ws = workspace();
    let root = ws.path();
    std::fs::write(
        root.join(".atlasgov-lint.yaml"),
        "policies:\n  - policies\nrules:\n  ORG900: warning\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("policies")).unwrap();
    let policy = root.join("policies/tier.rego");
    let rego = |tier: &str| {
        format!(
            "package org.tier\n\nmetadata := {{\"code\": \"ORG900\", \"name\": \"production-tier\", \"severity\": \"error\", \"summary\": \"Clusters are {tier}\", \"help\": \"Use {tier}.\"}}\n\ndeny contains {{\"msg\": \"not {tier}\", \"at\": size}} if {{\n\tinput.kind == \"cluster\"\n\tsome r in input.resource.regions\n\tsome size in r.sizes\n\tsize.value != \"{tier}\"\n}}\n"
        )
    };
    std::fs::write(&policy, rego("M30")).unwrap();
    let mut server = started_not_watching(root);
    let doc = uri(&root.join("infra/clusters/claims-db.json"));
    let text = COMPLIANT.replace("M30", "M40");
    server.open(&doc, "json", text);
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    let got: Vec<(String, u64, u64)> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["severity"].as_u64().unwrap(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // The policy's finding, at the size, at the config's level (a warning).
    assert_eq!(got, [("ORG900".to_string(), 2, 3)], "{d:#}");
    assert!(
        d[0]["message"].as_str().unwrap().contains("not M30"),
        "{d:#}"
    );

    // An edited policy is compiled again; one that does not compile is said at the top.
    std::fs::write(&policy, rego("M40")).unwrap();
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": doc}}),
    );
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    assert_eq!(d.as_array().unwrap().len(), 0, "{d:#}");
    std::fs::write(&policy, "package org.tier\n\ndeny contains x if {\n").unwrap();
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": doc}}),
    );
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    assert_eq!(d[0]["range"], range(0, 0, 0, 0), "{d:#}");
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("policy not applied: ") && message.contains("tier.rego"),
        "{message}"
    );

    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
fn with_the_clients_file_watching_listings_are_kept_until_a_change_is_reported() {
    let ws = workspace();
    let root = ws.path();
    // No project yet: a cluster in a gov region links to nothing.
    let project = root.join("infra/project.yaml");
    std::fs::write(&project, "# not yet\n").unwrap();
    age(&root.join("infra"));
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start(&cmd, root);
    let register = offering_to_watch(&mut server, root);
    let accept = json!({"jsonrpc": "2.0", "id": register["id"], "result": null});
    server.write_raw(&accept.to_string());

    let doc = uri(&root.join("infra/clusters/claims-db.json"));
    let gov = COMPLIANT.replace("US_EAST_1", "US_GOV_EAST_1");
    server.open(&doc, "json", &gov);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());

    // A standard project is written on disk, in place (the directory's entries unchanged, its
    // times too). Until the client reports it, the listing of `infra/` is the one kept (the
    // client watches for the server).
    std::fs::write(&project, "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n").unwrap();
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": gov}]}),
    );
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
    // Reported: the open document is checked again, with the project.
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&project), "type": 1}]}),
    );
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);

    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

/// The server's log lines (standard error), as they come.
fn log_lines(server: &mut Server) -> Receiver<String> {
    let stderr = server.child.stderr.take().expect("standard error piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Wait for a log line holding `text`.
fn wait_for_log(log: &Receiver<String>, text: &str) {
    let start = Instant::now();
    while start.elapsed() < TIMEOUT {
        match log.recv_timeout(TIMEOUT) {
            Ok(line) if line.contains(text) => return,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no log line with `{text}`");
}

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A client that does not watch files (or refuses to): the server watches the workspace
/// itself, so a change on disk that no editor reported is seen, and each check reuses what
/// was listed; with `--no-watch` it lists at every check and sees nothing by itself.
#[test]
fn without_the_clients_file_watching_the_server_watches_the_workspace_itself() {
    let ws = workspace();
    let root = ws.path();
    std::fs::remove_file(root.join("infra/project.yaml")).unwrap();
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start_logging_to(&cmd, root, Stdio::piped());
    let log = log_lines(&mut server);
    let mut server = initialized(server, root);
    wait_for_log(&log, "watching the workspace's files");

    let doc = uri(&root.join("infra/clusters/claims-db.json"));
    let gov = COMPLIANT.replace("US_EAST_1", "US_GOV_EAST_1");
    server.open(&doc, "json", &gov);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());

    // A standard project appears on disk, written by another program: no editor reports it,
    // and the open cluster's diagnostics follow.
    let project = root.join("infra/project.yaml");
    std::fs::write(&project, "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n").unwrap();
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
    // A file that changes nothing: nothing is published again.
    std::fs::write(root.join("infra/README.md"), "# claims\n").unwrap();
    server.assert_silent(Duration::from_millis(500));
    // An edit is checked with what was listed, the project included.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": gov}]}),
    );
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
    // The project made a gov project, then removed: each seen.
    let gov_project = "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\nregionUsageRestrictions: GOV_REGIONS_ONLY\n";
    std::fs::write(&project, gov_project).unwrap();
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
    std::fs::write(&project, "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n").unwrap();
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
    std::fs::remove_file(&project).unwrap();
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
    // A new directory below the workspace is watched too.
    std::fs::create_dir_all(root.join("infra/clusters/eu")).unwrap();
    std::fs::write(
        root.join("infra/clusters/eu/project.yaml"),
        "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n",
    )
    .unwrap();
    let eu_doc = uri(&root.join("infra/clusters/eu/claims-eu.json"));
    server.open(&eu_doc, "json", &gov);
    assert_eq!(codes(&server.diagnostics(&eu_doc)), ["GOV004"]);
    std::fs::write(root.join("infra/clusters/eu/project.yaml"), gov_project).unwrap();
    assert_eq!(codes(&server.diagnostics(&eu_doc)), Vec::<String>::new());

    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));

    // A client that refuses to watch: the server watches itself.
    let mut server = Server::start_logging_to(&cmd, root, Stdio::piped());
    let log = log_lines(&mut server);
    let register = offering_to_watch(&mut server, root);
    let refuse =
        json!({"jsonrpc": "2.0", "id": register["id"], "error": {"code": -32601, "message": "no"}});
    server.write_raw(&refuse.to_string());
    wait_for_log(&log, "watching the workspace's files");
    drop(server);

    // `--no-watch`: a change on disk is seen at the next check, not before.
    let mut server = started_not_watching(root);
    server.open(&doc, "json", &gov);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
    std::fs::write(&project, "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n").unwrap();
    server.assert_silent(Duration::from_millis(500));
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": gov}]}),
    );
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
}

/// Set a directory's modification time an hour back: a directory changed in the last second
/// is listed again at each check whatever the watch says, and these tests need the watch alone.
fn age(dir: &Path) {
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(dir)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
}

/// What no watch of a workspace folder reports is still seen: an ignore file above the folder
/// (checked at each check), and a change in a directory also reached through symbolic links
/// (the watch does not follow links, so it is reported under the directory's own path).
#[test]
fn the_servers_own_watch_misses_nothing_above_the_folder_or_through_links() {
    let ws = workspace();
    let repo = ws.path();
    let folder = repo.join("infra");
    let project = folder.join("project.yaml");
    let standard = std::fs::read_to_string(&project).unwrap();
    std::fs::rename(&project, folder.join("notes.yaml")).unwrap();
    std::fs::write(folder.join("notes.yaml"), "# notes\n").unwrap();
    for alias in ["alias", "x9", "zz"] {
        std::os::unix::fs::symlink(&folder, repo.join(alias)).unwrap();
    }
    std::os::unix::fs::symlink("../../infra", folder.join("clusters/loop")).unwrap();
    for dir in [repo, &folder, &folder.join("clusters")] {
        age(dir);
    }
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start_logging_to(&cmd, repo, Stdio::piped());
    let log = log_lines(&mut server);
    let mut server = initialized(server, repo);
    wait_for_log(&log, "watching the workspace's files");

    let doc = uri(&folder.join("clusters/claims-db.json"));
    let gov = COMPLIANT.replace("US_EAST_1", "US_GOV_EAST_1");
    server.open(&doc, "json", &gov);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
    // A file of `infra/` becomes the project, written in place (the directory's entries do
    // not change): the change is reported under `infra/`, whatever links point at it.
    std::fs::write(folder.join("notes.yaml"), &standard).unwrap();
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));

    // The folder `infra` alone, and the repository's ignore file above it, which no watch
    // of the folder covers: the next check sees it. So is git's global excludes file, where
    // git's configuration puts it.
    for dir in [repo, &folder, &folder.join("clusters")] {
        age(dir);
    }
    let home = tempfile::tempdir().unwrap();
    let global = home.path().join("excludes");
    std::fs::write(&global, "").unwrap();
    let git_config = home.path().join("gitconfig");
    std::fs::write(
        &git_config,
        format!("[core]\n\texcludesFile = {}\n", global.display()),
    )
    .unwrap();
    let env = [
        ("HOME", home.path()),
        ("XDG_CONFIG_HOME", home.path()),
        ("GIT_CONFIG_GLOBAL", git_config.as_path()),
    ];
    let mut server = Server::start_with_env(&cmd, repo, Stdio::piped(), &env);
    let log = log_lines(&mut server);
    let mut server = initialized(server, &folder);
    wait_for_log(&log, "watching the workspace's files");
    server.open(&doc, "json", &gov);
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
    let change = |server: &mut Server, version: i32| {
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc, "version": version}, "contentChanges": [{"text": gov}]}),
        );
    };
    change(&mut server, 2);
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
    std::fs::write(repo.join(".gitignore"), "notes.yaml\n").unwrap();
    server.assert_silent(Duration::from_millis(300));
    change(&mut server, 3);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
    std::fs::write(repo.join(".gitignore"), "").unwrap();
    change(&mut server, 4);
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
    std::fs::write(&global, "notes.yaml\n").unwrap();
    change(&mut server, 5);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
}

/// A directory above the workspace folder renamed and the tree made again: no event says so
/// (nothing above the folder is watched), but the folder is no longer the directory watched,
/// so the server watches it again instead of trusting what it listed.
#[test]
fn the_servers_own_watch_follows_a_folder_made_again_under_its_name() {
    let ws = workspace();
    let parent = ws.path().join("p");
    let make = |notes: &str| {
        std::fs::create_dir_all(parent.join("infra/clusters")).unwrap();
        std::fs::write(parent.join("infra/notes.yaml"), notes).unwrap();
        for dir in ["infra", "infra/clusters"] {
            age(&parent.join(dir));
        }
    };
    make("# notes\n");
    let folder = parent.join("infra");
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start_logging_to(&cmd, ws.path(), Stdio::piped());
    let log = log_lines(&mut server);
    let mut server = initialized(server, &folder);
    wait_for_log(&log, "watching the workspace's files");
    let doc = uri(&folder.join("clusters/claims-db.json"));
    let gov = COMPLIANT.replace("US_EAST_1", "US_GOV_EAST_1");
    server.open(&doc, "json", &gov);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());

    std::fs::rename(&parent, ws.path().join("p.old")).unwrap();
    make("# notes\n");
    let change = |server: &mut Server, version: i32| {
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": doc, "version": version}, "contentChanges": [{"text": gov}]}),
        );
    };
    change(&mut server, 2);
    assert_eq!(codes(&server.diagnostics(&doc)), Vec::<String>::new());
    wait_for_log(&log, "watching the workspace's files");
    // The new tree's file becomes the project in place: seen.
    std::fs::write(
        folder.join("notes.yaml"),
        "name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n",
    )
    .unwrap();
    assert_eq!(codes(&server.diagnostics(&doc)), ["GOV004"]);
}

#[test]
fn related_places_in_files_with_a_byte_order_mark_are_where_editors_show_them() {
    let ws = workspace();
    let root = ws.path();
    let project = root.join("infra/project.yaml");
    std::fs::write(
        &project,
        "\u{FEFF}name: claims\norgId: 5f1d2c3b4a5968776a5b4c3d\n",
    )
    .unwrap();
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start(&cmd, root);
    let id = server.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root),
               "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": true}}}}),
    );
    server.response(id);
    server.notify("initialized", json!({}));
    let doc = uri(&root.join("infra/clusters/claims-db.json"));
    server.open(&doc, "json", VIOLATING);
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    assert_eq!(d[0]["code"], "GOV004");
    let related = &d[0]["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], uri(&project));
    assert_eq!(related["range"], range(0, 0, 0, 4), "{related}");
    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

/// A copy of a fixture directory in a git work tree of its own.
fn repo_from(fixture: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(Path::new(fixture), dir.path());
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// Editing the file where a value is written (a `terraform.tfvars`, a module call's argument):
/// the diagnostic is in that file, at the value, and its related information points at the
/// place that uses it (the shared module, read from disk). A new, unsaved environment that
/// calls the module is judged from the editor's text.
#[test]
fn diagnostics_are_in_the_file_that_writes_the_value_with_the_use_related() {
    let repo = repo_from("fixtures/GOV002/fail_tf_live_envs_and_module");
    let root = repo.path();
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start(&cmd, Path::new("/"));
    let id = server.request(
        "initialize",
        json!({"processId": null, "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
               "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": true}}}}),
    );
    server.response(id);
    server.notify("initialized", json!({}));
    let module = uri(&root.join("modules/cluster/main.tf"));

    let tfvars = root.join("live/staging/terraform.tfvars");
    let doc = uri(&tfvars);
    let text = std::fs::read_to_string(&tfvars).unwrap();
    server.open(&doc, "terraform", &text);
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    let d = d.as_array().unwrap();
    assert_eq!(d.len(), 2, "{d:#?}");
    // `region = "US_EAST_1"` (line 2) and `cluster_size = "M10"` (line 3), 0-based.
    assert_eq!(
        (d[0]["code"].as_str(), &d[0]["range"]),
        (Some("GOV004"), &range(1, 15, 1, 26))
    );
    assert_eq!(
        (d[1]["code"].as_str(), &d[1]["range"]),
        (Some("GOV002"), &range(2, 15, 2, 20))
    );
    let used = &d[1]["relatedInformation"][0];
    assert_eq!(used["message"], "value used here");
    assert_eq!(used["location"]["uri"], module);
    assert_eq!(used["location"]["range"], range(10, 24, 10, 41));

    // Fixed in the editor: gone.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2},
               "contentChanges": [{"text": text.replace("\"M10\"", "\"M30\"")}]}),
    );
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{d:#}");

    // A new environment, not saved yet: its module call is followed from the editor's text.
    let qa = uri(&root.join("live/qa/main.tf"));
    let text = "module \"claims_db\" {\n  source        = \"../../modules/cluster\"\n  project_id    = \"5f1d2c3b4a5968776a5b4c3d\"\n  name          = \"claims-qa\"\n  instance_size = \"M10\"\n}\n";
    server.open(&qa, "terraform", text);
    let d = server.diagnostics(&qa)["diagnostics"].clone();
    assert_eq!(d[0]["code"], "GOV002", "{d:#}");
    assert_eq!(d[0]["range"], range(4, 18, 4, 23));
    assert_eq!(d[0]["relatedInformation"][0]["location"]["uri"], module);

    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

/// A Pulumi program's stack in its `stackConfigDir` and a module below its `main`, each
/// opened alone: judged in their project (the stack's value where the module uses it).
#[test]
fn a_pulumi_stack_or_module_below_its_project_is_judged_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files = [
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            "infra/Pulumi.yaml",
            "name: infra\nruntime: nodejs\nmain: src/index.ts\nstackConfigDir: stacks\n",
        ),
        ("infra/src/index.ts", "import \"./components/db\";\n"),
        (
            "infra/src/components/db.ts",
            "import * as pulumi from \"@pulumi/pulumi\";\nimport * as atlas from \"@pulumi/mongodbatlas\";\nconst config = new pulumi.Config();\nnew atlas.AdvancedCluster(\"c\", {\n  projectId: \"65a1b2c3d4e5f60718293a4b\",\n  clusterType: \"REPLICASET\",\n  replicationSpecs: [{ regionConfigs: [{ providerName: \"AWS\", regionName: \"US_GOV_WEST_1\", priority: 7, electableSpecs: { instanceSize: config.require(\"tier\"), nodeCount: 3 } }] }],\n});\n",
        ),
        (
            "infra/stacks/Pulumi.dev.yaml",
            "config:\n  mongodbatlas:isMongodbgovCloud: \"true\"\n  infra:tier: M10\n",
        ),
    ];
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut server = started_and_initialized(root);
    let stack = root.join("infra/stacks/Pulumi.dev.yaml");
    let doc = uri(&stack);
    server.open(&doc, "yaml", std::fs::read_to_string(&stack).unwrap());
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{d:#}");
    assert_eq!(
        (d[0]["code"].as_str(), &d[0]["range"]),
        (Some("GOV002"), &range(2, 14, 2, 17))
    );
    let module = root.join("infra/src/components/db.ts");
    let doc = uri(&module);
    server.open(
        &doc,
        "typescript",
        std::fs::read_to_string(&module).unwrap(),
    );
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{d:#}");
    assert_eq!(d[0]["code"], "GOV002", "{d:#}");
    assert_eq!(d[0]["range"]["start"]["line"], 6);
    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

// Hostile and broken clients (issue 23): the framing recovers from any bytes, every request
// is answered, nothing is acted on after `shutdown`, and a huge message is refused unread.

/// A request as framed bytes, with its `Content-Length` off by `delta`.
fn framed_off_by(id: i64, method: &str, delta: i64) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method}).to_string();
    let declared = body.len() as i64 + delta;
    format!("Content-Length: {declared}\r\n\r\n{body}").into_bytes()
}

#[test]
fn the_framing_recovers_from_stray_bytes_and_wrong_lengths() {
    let ws = workspace();
    let mut server = started_and_initialized(ws.path());
    // Three stray bytes before a header: nothing was answered after them, `exit` included.
    server.write_bytes(b"abc");
    server.write_bytes(&framed_off_by(10, "textDocument/hover", 0));
    assert_eq!(server.response(10)["error"]["code"], -32601);
    // One byte too many: the message is read, the byte is the next header's first.
    let mut bytes = framed_off_by(11, "textDocument/hover", 1);
    bytes.extend(framed_off_by(12, "textDocument/hover", 0));
    server.write_bytes(&bytes);
    assert_eq!(server.response(11)["error"]["code"], -32601);
    assert_eq!(server.response(12)["error"]["code"], -32601);
    // One byte too few: that message is a parse error, the next one is read.
    let mut bytes = framed_off_by(13, "textDocument/hover", -1);
    bytes.extend(framed_off_by(14, "textDocument/hover", 0));
    server.write_bytes(&bytes);
    let bad = server.receive();
    assert_eq!(
        (bad["id"].clone(), bad["error"]["code"].clone()),
        (Value::Null, json!(-32700))
    );
    assert_eq!(server.response(14)["error"]["code"], -32601);
    // Garbage with line breaks and a header-like line, then `shutdown` and `exit` work.
    server.write_bytes(b"\r\n\r\nContent-Type: x\r\n\r\n\x00\xff{}Content-Length: x\r\n\r\n");
    let id = server.request("shutdown", Value::Null);
    assert_eq!(server.response(id)["result"], Value::Null);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
fn every_request_is_answered_even_with_an_invalid_id() {
    let ws = workspace();
    let mut server = started_and_initialized(ws.path());
    for (id, answered_id) in [
        (json!({"a": 1}), Value::Null),
        (json!([1]), Value::Null),
        (json!(true), Value::Null),
        (json!(4_294_967_296_u64), json!(4_294_967_296_u64)),
        (json!("s"), json!("s")),
    ] {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover"}).to_string();
        server.write_raw(&body);
        let reply = server.receive();
        assert_eq!(reply["id"], answered_id, "{id}: {reply}");
        assert!(reply["error"]["code"].is_i64(), "{id}: {reply}");
    }
}

#[test]
fn nothing_is_acted_on_after_shutdown_but_exit() {
    let ws = workspace();
    let mut server = started_and_initialized(ws.path());
    let id = server.request("shutdown", Value::Null);
    server.response(id);
    let doc = ws.path().join("infra/clusters/new.json");
    server.open(&uri(&doc), "json", VIOLATING);
    // Not checked, not published: the next message is the answer to this request.
    let id = server.request("textDocument/hover", json!({}));
    let reply = server.response(id);
    assert_eq!(reply["error"]["message"], "shutting down", "{reply}");
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

#[test]
fn a_600_mb_message_is_refused_before_it_is_read_and_skipped() {
    let ws = workspace();
    let mut server = started_and_initialized(ws.path());
    let len: usize = 600 * 1024 * 1024;
    server.write_bytes(format!("Content-Length: {len}\r\n\r\n").as_bytes());
    // Refused on its header, before any byte of it is sent.
    let refused = server.receive();
    assert_eq!(refused["id"], Value::Null, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("629145600 bytes is larger"),
        "{refused}"
    );
    let pid = server.child.id();
    let rss_mb = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
            .map(|kb| kb / 1024)
    };
    // Its bytes are skipped as they come, never held.
    let chunk = vec![b' '; 1024 * 1024];
    let started = Instant::now();
    let mut peak = 0;
    for i in 0..600 {
        server.write_bytes(&chunk);
        if i % 100 == 0 {
            peak = peak.max(rss_mb().unwrap_or(0));
        }
    }
    let id = server.request("textDocument/hover", json!({}));
    assert_eq!(server.response(id)["error"]["code"], -32601);
    assert!(peak < 100, "resident memory reached {peak} MB");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    server.assert_silent(Duration::from_millis(100));
}

#[test]
fn a_log_that_cannot_be_written_does_not_stop_the_server() {
    // Writing the log to a full disk panicked (eprintln!) at the first line, `initialize`'s.
    let ws = workspace();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let started = Server::start_logging_to(&cmd, ws.path(), Stdio::from(full));
    let mut server = initialized(started, ws.path());
    server.write_raw("{not json");
    assert_eq!(server.receive()["error"]["code"], -32700);
    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

/// Code actions (issue 18): the quick fix of each diagnostic that has one (an unsafe one says
/// so and is not preferred), "suppress with a reason" where the syntax has comments, and
/// `source.fixAll.atlasgov-lint` with the safe fixes only; ranges in UTF-16 code units.
#[test]
fn code_actions_fix_suppress_and_fix_all() {
    let ws = workspace();
    let root = ws.path();
    let mut server = started_and_initialized(root);
    let doc = uri(&root.join("infra/datadog.yaml"));
    let text = "apiVersion: atlas.mongodb.com/v1\nkind: AtlasThirdPartyIntegration\nmetadata:\n  name: datadog # é\nspec:\n  projectRef: {name: claims}\n  type: DATADOG\n  datadog:\n    region: \"EU\"\n---\napiVersion: atlas.mongodb.com/v1\nkind: AtlasDeployment\nmetadata:\n  name: claims\nspec:\n  projectRef: {name: claims}\n  deploymentSpec:\n    name: claims\n    clusterType: REPLICASET\n    replicationSpecs:\n      - regionConfigs:\n          - providerName: AWS\n            regionName: US_EAST_1\n            priority: 7\n            electableSpecs: {instanceSize: M10, nodeCount: 3}\n";
    server.open(&doc, "yaml", text);
    let d = server.diagnostics(&doc)["diagnostics"].clone();
    let codes: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"GOV008") && codes.contains(&"GOV002"),
        "{d:#}"
    );

    let actions = server.code_actions(&doc, range(0, 0, 25, 0));
    let actions = actions.as_array().unwrap();
    let titled = |prefix: &str| {
        actions
            .iter()
            .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(prefix)))
            .unwrap_or_else(|| panic!("no `{prefix}` action in {actions:#?}"))
            .clone()
    };
    let datadog = titled("Fix GOV008: set the Datadog region to `US1_FED`");
    assert_eq!(datadog["kind"], "quickfix");
    assert_eq!(datadog["isPreferred"], true);
    assert_eq!(datadog["diagnostics"][0]["code"], "GOV008");
    assert_eq!(
        datadog["edit"]["changes"][&doc],
        json!([{"range": range(8, 13, 8, 15), "newText": "US1_FED"}])
    );
    let tier = titled("Fix GOV002 (unsafe: a larger tier costs more): raise the tier to `M20`");
    assert_eq!(tier["kind"], "quickfix");
    assert_eq!(tier["isPreferred"], false);
    assert_eq!(
        tier["edit"]["changes"][&doc],
        json!([{"range": range(24, 43, 24, 46), "newText": "M20"}])
    );
    let suppress = titled("Suppress GOV008 on this line (with a reason)");
    assert_eq!(
        suppress["edit"]["changes"][&doc],
        json!([{"range": range(8, 0, 8, 0),
                "newText": "    # atlasgov-lint: allow GOV008 -- REASON: why this is accepted\n"}])
    );
    let all = titled("Fix all safe atlasgov-lint findings");
    assert_eq!(all["kind"], "source.fixAll.atlasgov-lint");
    assert_eq!(
        all["edit"]["changes"][&doc],
        json!([{"range": range(8, 13, 8, 15), "newText": "US1_FED"}])
    );

    // Asked for fix-all only (on save): that action alone.
    let id = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": doc}, "range": range(0, 0, 0, 0),
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let only = server.response(id)["result"].clone();
    assert_eq!(only.as_array().map(Vec::len), Some(1), "{only:#}");
    assert_eq!(only[0]["kind"], "source.fixAll.atlasgov-lint");

    // A JSON document has no comments: no suppression comment is offered.
    let json_doc = uri(&root.join("infra/clusters/claims-db.json"));
    server.open(&json_doc, "json", VIOLATING);
    server.diagnostics(&json_doc);
    let actions = server.code_actions(&json_doc, range(0, 0, 40, 0));
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .all(|a| !a["title"].as_str().unwrap_or("").starts_with("Suppress")),
        "{actions:#}"
    );
    // It is offered the config's exception instead: a new config when there is none.
    let exception = |actions: &Value, code: &str| {
        actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| {
                a["title"]
                    == format!("Add a config exception for {code} here (with a reason)").as_str()
            })
            .unwrap_or_else(|| panic!("no exception for {code} in {actions:#}"))
            .clone()
    };
    let config = root.join(".atlasgov-lint.yaml");
    let entry = "  - file: \"infra/clusters/claims-db.json\"\n    pointer: \"/replicationSpecs/0/regionConfigs/0/electableSpecs/instanceSize\"\n    rule: GOV002\n    reason: \"REASON: why this is accepted\"\n";
    let new = exception(&actions, "GOV002");
    assert_eq!(new["kind"], "quickfix");
    assert_eq!(
        new["edit"]["documentChanges"],
        json!([{"kind": "create", "uri": uri(&config)},
               {"textDocument": {"uri": uri(&config), "version": null},
                "edits": [{"range": range(0, 0, 0, 0), "newText": format!("exceptions:\n{entry}")}]}]),
        "{new:#}"
    );
    // An existing config's block list gets the entry first; a config without one gets it at
    // its end.
    std::fs::write(&config, "rules:\n  kms-key-across-partitions: warning\nexceptions:\n  - file: old.json\n    pointer: /name\n    rule: GOV003\n    reason: \"ticket 1\"\n").unwrap();
    let actions = server.code_actions(&json_doc, range(0, 0, 40, 0));
    assert_eq!(
        exception(&actions, "GOV002")["edit"]["changes"][uri(&config)],
        json!([{"range": range(3, 0, 3, 0), "newText": entry}])
    );
    std::fs::write(&config, "rules:\n  kms-key-across-partitions: warning").unwrap();
    let actions = server.code_actions(&json_doc, range(0, 0, 40, 0));
    assert_eq!(
        exception(&actions, "GOV002")["edit"]["changes"][uri(&config)],
        json!([{"range": range(1, 36, 1, 36), "newText": format!("\nexceptions:\n{entry}")}])
    );
    // A config the appended text would break (written as JSON, ended by `...`, a quoted key)
    // or whose `exceptions` is a flow list is offered no exception.
    for written in [
        "{\"rules\": {\"GOV002\": \"error\"}}\n",
        "rules:\n  GOV002: error\n...\n",
        "\"exceptions\":\n  - file: old.json\n    pointer: /name\n    rule: GOV003\n    reason: t\n",
        "exceptions: []\n",
    ] {
        std::fs::write(&config, written).unwrap();
        let actions = server.code_actions(&json_doc, range(0, 0, 40, 0));
        let offered = actions.as_array().unwrap().iter().any(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Add a config exception"))
        });
        assert!(!offered, "{written}: {actions:#}");
    }

    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

/// "Suppress" goes where a `#` line is a comment that covers the finding: above the first line
/// of a command continued with backslashes (never between its lines, which would end the
/// command), and it is not offered inside a YAML block scalar that is data (a folded connection
/// string), where a `#` line would become part of the value.
#[test]
fn suppression_comments_never_change_what_a_file_does() {
    let ws = workspace();
    let root = ws.path();
    let mut server = started_and_initialized(root);
    let script = uri(&root.join("infra/create.sh"));
    let text = "#!/bin/bash\nset -euo pipefail\natlas clusters create orders \\\n  --projectId 5f1a2b3c4d5e6f7a8b9c0d1e \\\n  --provider AWS --region US_GOV_WEST_1 \\\n  --tier M10 \\\n  --members 3\n";
    server.open(&script, "shellscript", text);
    let d = server.diagnostics(&script)["diagnostics"].clone();
    assert_eq!(d[0]["code"], "GOV002", "{d:#}");
    let actions = server.code_actions(&script, range(5, 0, 5, 12));
    let suppress = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Suppress GOV002 on this line (with a reason)")
        .unwrap_or_else(|| panic!("{actions:#}"))
        .clone();
    assert_eq!(
        suppress["edit"]["changes"][&script],
        json!([{"range": range(2, 0, 2, 0),
                "newText": "# atlasgov-lint: allow GOV002 -- REASON: why this is accepted\n"}])
    );
    // With the comment there, the command is whole and its finding suppressed.
    let edited = text.replacen(
        "atlas clusters",
        "# atlasgov-lint: allow GOV002 -- load test, OPS-7\natlas clusters",
        1,
    );
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": script, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let d = server.diagnostics(&script)["diagnostics"].clone();
    assert_eq!(d.as_array().map(Vec::len), Some(0), "{d:#}");

    let values = uri(&root.join("infra/values.yaml"));
    let text =
        "mongodb:\n  extra: >-\n    mongodb://db.abc12.mongodbgov.net/?authMechanism=SCRAM-SHA-1\n";
    server.open(&values, "yaml", text);
    let d = server.diagnostics(&values)["diagnostics"].clone();
    assert_eq!(d[0]["code"], "GOV006", "{d:#}");
    let actions = server.code_actions(&values, range(2, 0, 2, 60));
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Fix GOV006")),
        "{titles:?}"
    );
    assert!(
        !titles.iter().any(|t| t.starts_with("Suppress")),
        "{titles:?}"
    );

    // Nor inside a literal block scalar that is data (a ConfigMap's JSON: its own indentation
    // hides the header), nor between the lines of a multi-line plain scalar.
    for (name, text, line) in [
        (
            "infra/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  config.json: |\n    {\n      \"mongoUri\": \"mongodb://db.abc12.mongodbgov.net/?authMechanism=SCRAM-SHA-1\"\n    }\n",
            7,
        ),
        (
            ".github/workflows/ci.yml",
            "name: ci\non: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: atlas clusters create a --provider AWS --region US_GOV_WEST_1\n          --tier M10\n",
            7,
        ),
    ] {
        let doc = uri(&root.join(name));
        server.open(&doc, "yaml", text);
        let d = server.diagnostics(&doc)["diagnostics"].clone();
        assert!(d.as_array().is_some_and(|d| !d.is_empty()), "{name}: {d:#}");
        let actions = server.code_actions(&doc, range(line, 0, line, 80));
        let suppress = actions
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["title"].as_str())
            .any(|t| t.starts_with("Suppress"));
        assert!(!suppress, "{name}: {actions:#}");
    }
}

/// An unsaved buffer (`untitled:`) is read in its language: a shell script (also by its
/// shebang), a Dockerfile, a Makefile (no false GOV000 for its tabs), a TypeScript module.
#[test]
fn unsaved_buffers_are_read_in_their_language() {
    let ws = workspace();
    let mut server = started_and_initialized(ws.path());
    let create = "atlas clusters create c --provider AZURE --region US_GOV_WEST_1 --tier M30\n";
    let codes = |server: &mut Server, uri: &str| -> Vec<String> {
        server.diagnostics(uri)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect()
    };
    server.open("untitled:Untitled-1", "shellscript", create);
    assert_eq!(codes(&mut server, "untitled:Untitled-1"), ["GOV001"]);
    server.open(
        "untitled:Untitled-2",
        "plaintext",
        format!("#!/bin/bash\n{create}"),
    );
    assert_eq!(codes(&mut server, "untitled:Untitled-2"), ["GOV001"]);
    server.open(
        "untitled:Untitled-3",
        "dockerfile",
        format!("FROM mongodb/atlas\nRUN {create}"),
    );
    assert_eq!(codes(&mut server, "untitled:Untitled-3"), ["GOV001"]);
    server.open(
        "untitled:Untitled-4",
        "makefile",
        format!("create:\n\t{create}"),
    );
    assert_eq!(codes(&mut server, "untitled:Untitled-4"), ["GOV001"]);
    server.open(
        "untitled:Untitled-5",
        "typescript",
        "import * as mongodbatlas from \"@pulumi/mongodbatlas\";\nconst x: number = 1;\n",
    );
    assert_eq!(
        codes(&mut server, "untitled:Untitled-5"),
        Vec::<String>::new()
    );
    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}

/// A client that does not say it can create files is not offered a new config file.
#[test]
fn a_new_config_is_offered_only_to_a_client_that_can_create_files() {
    let ws = workspace();
    let root = ws.path();
    let cmd = vec!["atlasgov-lint".to_string(), "server".to_string()];
    let mut server = Server::start(&cmd, root);
    let id = server.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root), "capabilities": {}}),
    );
    server.response(id);
    server.notify("initialized", json!({}));
    let json_doc = uri(&root.join("infra/clusters/claims-db.json"));
    server.open(&json_doc, "json", VIOLATING);
    server.diagnostics(&json_doc);
    let actions = server.code_actions(&json_doc, range(0, 0, 40, 0));
    let offered = actions.as_array().unwrap().iter().any(|a| {
        a["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Add a config exception"))
    });
    assert!(!offered, "{actions:#}");
    let id = server.request("shutdown", Value::Null);
    server.response(id);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), Some(0));
}
