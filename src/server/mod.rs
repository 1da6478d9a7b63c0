//! `atlasgov-lint server`: a language server over standard input/output.
//!
//! On `didOpen`, `didChange` and `didSave` it checks the document's text as the editor has it
//! (saved or not) together with the spec files on disk in the directories above it, up to the
//! workspace folder holding it (see [`engine::ProjectRoot`]), applies the workspace's config and
//! suppressions ([`filter`]), and publishes the document's findings as diagnostics;
//! `didClose` clears them. A save also re-checks the other open documents, whose project (or
//! config) may be the file just saved.
//!
//! The transport is the LSP base protocol, read here rather than by `lsp-server`'s threads so
//! that a malformed message gets an error response instead of ending the server; messages
//! themselves are `lsp-server`'s types. Notifications that arrive while a check runs are
//! handled together: each document is checked once per batch, with its latest text.

mod actions;
mod diagnostics;
mod memory;
mod policies;
mod text;
pub mod transport;
mod watch;

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWorkspaceFolders, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::{
    Diagnostic, DiagnosticSeverity, PositionEncodingKind, PublishDiagnosticsParams, Range,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};

use crate::config::{self, Config};
use crate::engine::{self, Options};
use crate::lint::{Inputs, Settings, lint};
use crate::outcome::Buffer;
use crate::paths;
use diagnostics::Render;
pub use text::{LineMap, apply_change, path_to_uri, uri_to_path};
use transport::{Frame, Reader};

/// What the server's loop receives: the client's frames, and its own watcher's reports.
enum Input {
    Frame(Frame),
    Watch(watch::Report),
}

/// Run the server on standard input/output until `exit` or the end of input. Returns the
/// process exit code: 0 after `shutdown` then `exit`, 1 otherwise (as LSP asks). `own_watch`:
/// whether it may watch the workspace's files itself when the client does not watch them for
/// it (`server --no-watch`: never).
pub fn run(options: Options, own_watch: bool) -> i32 {
    let (tx, rx) = mpsc::channel();
    let watch_tx = tx.clone();
    let reader = std::thread::Builder::new()
        .name("lsp-reader".to_string())
        .spawn(move || {
            let mut input = Reader::new(std::io::stdin().lock(), transport::MAX_BODY);
            loop {
                let frame = input.next_frame();
                let end = matches!(frame, Frame::End(_));
                if tx.send(Input::Frame(frame)).is_err() || end {
                    break;
                }
            }
        });
    if let Err(e) = reader {
        log(format_args!("cannot start the reader thread: {e}"));
        return 1;
    }
    let stdout = std::io::stdout();
    let mut server = Server::new(options, stdout.lock());
    if own_watch {
        server.watch_tx = Some(watch_tx);
    }
    server.serve(&rx)
}

/// A line on standard error, the editor's log: what a client sent (a URI, a path) shown
/// escaped ([`crate::report::terminal::line`]), and a log that cannot be written (the editor
/// closed it) is not a panic.
fn log(message: std::fmt::Arguments<'_>) {
    let message = message.to_string();
    let line = crate::report::terminal::line(&message);
    let _ = writeln!(std::io::stderr(), "atlasgov-lint server: {line}");
}

/// A config file as loaded: usable, or why not.
type Loaded = Result<Arc<Config>, Arc<Unusable>>;

/// Why a config file cannot be used: its errors, each at its line and column of the file.
#[derive(Debug)]
struct Unusable {
    /// The config file, absolute.
    path: PathBuf,
    errors: Vec<config::ConfigError>,
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// An open document.
struct Document {
    uri: Uri,
    /// Absolute path for `file:` URIs; a made-up name (for its extension) otherwise.
    path: PathBuf,
    on_disk: bool,
    version: Option<i32>,
    text: String,
    /// The diagnostics last published for it.
    published: Option<Vec<Diagnostic>>,
}

struct Server<W: Write> {
    out: W,
    options: Options,
    initialized: bool,
    shutdown: bool,
    /// Workspace folders (absolute), the project roots of the documents below them.
    roots: Vec<PathBuf>,
    related_information: bool,
    /// See [`Render::can_create_files`].
    can_create_files: bool,
    documents: HashMap<Uri, Document>,
    /// Documents to check before the next request or the end of the batch.
    dirty: BTreeSet<Uri>,
    /// Documents to check again for changes on disk that the server's own watcher saw:
    /// published only when their diagnostics change.
    recheck: BTreeSet<Uri>,
    cwd: PathBuf,
    /// Loaded config files, by path, with the modification time they were read at.
    configs: HashMap<PathBuf, (Option<std::time::SystemTime>, Loaded)>,
    /// The policies each config names, compiled.
    policies: policies::Policies,
    /// Whether the client can watch files for the server, and whether listings are relied on
    /// (the client accepted to watch, or the server's own watch is in place).
    can_watch: bool,
    watching: bool,
    /// Where the server's own watcher reports (`None`: it may not watch, `server --no-watch`).
    watch_tx: Option<mpsc::Sender<Input>>,
    /// The server's own watch, once in place, and the number of the latest one set up.
    own: Option<watch::Own>,
    own_generation: u64,
    /// What earlier checks listed of the workspace's directories, kept while watching.
    listings: std::cell::RefCell<engine::Listings>,
    /// The ignore files above the workspace folders, which no watch covers.
    outside: std::cell::RefCell<watch::Outside>,
    /// Whether large work (a large document checked or closed) left memory to give back.
    freed: bool,
}

impl<W: Write> Server<W> {
    fn new(options: Options, out: W) -> Server<W> {
        Server {
            out,
            options,
            initialized: false,
            shutdown: false,
            roots: Vec::new(),
            related_information: false,
            can_create_files: false,
            documents: HashMap::new(),
            dirty: BTreeSet::new(),
            recheck: BTreeSet::new(),
            cwd: std::env::current_dir().unwrap_or_default(),
            configs: HashMap::new(),
            policies: policies::Policies::default(),
            can_watch: false,
            watching: false,
            watch_tx: None,
            own: None,
            own_generation: 0,
            listings: std::cell::RefCell::default(),
            outside: std::cell::RefCell::default(),
            freed: false,
        }
    }

    fn serve(&mut self, rx: &mpsc::Receiver<Input>) -> i32 {
        loop {
            // After large work, give memory back once idle (see `memory`).
            let first = if self.freed {
                match rx.recv_timeout(memory::IDLE) {
                    Ok(frame) => frame,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        memory::release();
                        self.freed = false;
                        if std::env::var_os("ATLASGOV_LINT_LOG").is_some() {
                            log(format_args!("idle: memory given back"));
                        }
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return self.exit_code(),
                }
            } else {
                let Ok(frame) = rx.recv() else {
                    return self.exit_code();
                };
                frame
            };
            let batch = std::iter::once(first)
                .chain(rx.try_iter())
                .collect::<Vec<_>>();
            for input in batch {
                let frame = match input {
                    Input::Frame(frame) => frame,
                    Input::Watch(report) => {
                        self.own_watch_report(report);
                        continue;
                    }
                };
                match frame {
                    Frame::Message(Message::Request(req)) => {
                        self.publish_dirty();
                        self.request(req);
                    }
                    Frame::Message(Message::Notification(n)) => {
                        if n.method == "exit" {
                            return self.exit_code();
                        }
                        self.notification(n);
                    }
                    Frame::Message(Message::Response(r)) => {
                        if watch::accepted(&r) {
                            self.watching = true;
                        } else if watch::refused(&r) {
                            self.start_own_watch();
                        }
                    }
                    Frame::Invalid { id, code, message } => {
                        log(format_args!("bad message: {message}"));
                        self.send_raw(serde_json::json!({
                            "jsonrpc": "2.0",
                            "id": id,
                            "error": { "code": code as i32, "message": message },
                        }));
                    }
                    Frame::End(error) => {
                        if let Some(e) = error {
                            log(format_args!("cannot read standard input: {e}"));
                        } else if !self.shutdown {
                            log(format_args!("input closed without shutdown and exit"));
                        }
                        return self.exit_code();
                    }
                }
            }
            self.publish_dirty();
        }
    }

    fn exit_code(&self) -> i32 {
        if self.shutdown { 0 } else { 1 }
    }

    fn send(&mut self, message: Message) {
        if let Err(e) = message.write(&mut self.out) {
            log(format_args!("cannot write to standard output: {e}"));
        }
    }

    fn send_raw(&mut self, value: serde_json::Value) {
        let body = value.to_string();
        let sent = write!(self.out, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.out.flush());
        if let Err(e) = sent {
            log(format_args!("cannot write to standard output: {e}"));
        }
    }

    fn error(&mut self, id: RequestId, code: ErrorCode, message: String) {
        self.send(Response::new_err(id, code as i32, message).into());
    }

    fn request(&mut self, req: Request) {
        if req.method == "initialize" {
            if self.initialized {
                return self.error(
                    req.id,
                    ErrorCode::InvalidRequest,
                    "already initialized".into(),
                );
            }
            self.initialize(&req.params);
            let result = lsp_types::InitializeResult {
                capabilities: capabilities(),
                server_info: Some(ServerInfo {
                    name: "atlasgov-lint".to_string(),
                    version: Some(env!("CARGO_PKG_VERSION").to_string()),
                }),
            };
            return self.send(Response::new_ok(req.id, result).into());
        }
        if !self.initialized {
            return self.error(
                req.id,
                ErrorCode::ServerNotInitialized,
                "initialize first".into(),
            );
        }
        if self.shutdown {
            return self.error(req.id, ErrorCode::InvalidRequest, "shutting down".into());
        }
        match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                self.send(Response::new_ok(req.id, serde_json::Value::Null).into());
            }
            "textDocument/codeAction" => {
                match serde_json::from_value::<lsp_types::CodeActionParams>(req.params) {
                    Ok(params) => {
                        let actions = self.code_actions(&params);
                        self.send(Response::new_ok(req.id, actions).into());
                    }
                    Err(e) => self.error(req.id, ErrorCode::InvalidParams, e.to_string()),
                }
            }
            method => {
                let message = format!("unsupported request `{method}`");
                self.error(req.id, ErrorCode::MethodNotFound, message);
            }
        }
    }

    /// Read what the server needs of `InitializeParams`, leniently: a field it cannot read
    /// is left at its default rather than failing the editor's whole session.
    fn initialize(&mut self, params: &serde_json::Value) {
        self.initialized = true;
        let folders = params
            .get("workspaceFolders")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("uri"));
        let root_uri = params.get("rootUri").into_iter();
        for uri in folders.chain(root_uri) {
            let path = serde_json::from_value::<Uri>(uri.clone())
                .ok()
                .and_then(|u| uri_to_path(&u));
            if let Some(path) = path {
                self.add_root(&path);
            }
        }
        if self.roots.is_empty() {
            if let Some(path) = params.get("rootPath").and_then(serde_json::Value::as_str) {
                self.add_root(Path::new(path));
            }
        }
        self.can_watch = watch::supported(params);
        self.related_information = params
            .pointer("/capabilities/textDocument/publishDiagnostics/relatedInformation")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let edit = params.pointer("/capabilities/workspace/workspaceEdit");
        self.can_create_files = edit
            .and_then(|e| e.get("documentChanges"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
            && edit
                .and_then(|e| e.get("resourceOperations"))
                .and_then(serde_json::Value::as_array)
                .is_some_and(|ops| ops.iter().any(|o| o.as_str() == Some("create")));
        let roots: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        log(format_args!(
            "initialized; workspace: {}",
            if roots.is_empty() {
                "none".to_string()
            } else {
                roots.join(", ")
            }
        ));
    }

    fn add_root(&mut self, path: &Path) {
        let root = paths::absolute(path, &self.cwd);
        if !self.roots.contains(&root) {
            self.roots.push(root);
        }
    }

    fn notification(&mut self, n: Notification) {
        // Before `initialize` and after `shutdown` (but for `exit`), notifications are dropped.
        if !self.initialized || self.shutdown {
            return;
        }
        let method = n.method.clone();
        let result = match method.as_str() {
            DidOpenTextDocument::METHOD => n
                .extract::<lsp_types::DidOpenTextDocumentParams>(&method)
                .map(|p| self.open(p)),
            DidChangeTextDocument::METHOD => n
                .extract::<lsp_types::DidChangeTextDocumentParams>(&method)
                .map(|p| self.change(p)),
            DidSaveTextDocument::METHOD => n
                .extract::<lsp_types::DidSaveTextDocumentParams>(&method)
                .map(|p| self.save(p)),
            DidCloseTextDocument::METHOD => n
                .extract::<lsp_types::DidCloseTextDocumentParams>(&method)
                .map(|p| self.close(p)),
            DidChangeWorkspaceFolders::METHOD => n
                .extract::<lsp_types::DidChangeWorkspaceFoldersParams>(&method)
                .map(|p| self.folders(p)),
            "initialized" => {
                if self.can_watch {
                    self.send(watch::register().into());
                } else {
                    self.start_own_watch();
                }
                Ok(())
            }
            "workspace/didChangeWatchedFiles" => {
                self.files_changed(&n.params);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            log(format_args!("ignored `{method}`: {e}"));
        }
    }

    fn open(&mut self, p: lsp_types::DidOpenTextDocumentParams) {
        let doc = p.text_document;
        let (path, on_disk) = match uri_to_path(&doc.uri) {
            Some(path) => (paths::absolute(&path, &self.cwd), true),
            None => {
                // An unsaved buffer: name it for its language (VS Code's language ids), so the
                // right parser reads it; a shell shebang makes a script of any other, as on
                // standard input.
                let name = match doc.language_id.as_str() {
                    "json" | "jsonc" => "untitled.json",
                    "terraform" | "hcl" => "untitled.tf",
                    "terraform-vars" => "untitled.tfvars",
                    "shellscript" | "bash" | "sh" | "zsh" => "untitled.sh",
                    "dockerfile" => "Dockerfile",
                    "makefile" => "Makefile",
                    "dotenv" | "env" | "properties" => ".env",
                    "toml" => "untitled.toml",
                    "ini" => "untitled.ini",
                    "groovy" | "jenkinsfile" => "Jenkinsfile",
                    "typescript" | "typescriptreact" => "untitled.ts",
                    "javascript" | "javascriptreact" => "untitled.js",
                    "python" => "untitled.py",
                    _ if matches!(
                        crate::source::kind_for(Path::new("untitled"), &doc.text).syntax,
                        crate::document::Syntax::Shell(_)
                    ) =>
                    {
                        "untitled.sh"
                    }
                    _ => "untitled.yaml",
                };
                (PathBuf::from(name), false)
            }
        };
        self.dirty.insert(doc.uri.clone());
        self.documents.insert(
            doc.uri.clone(),
            Document {
                uri: doc.uri,
                path,
                on_disk,
                version: Some(doc.version),
                text: doc.text,
                published: None,
            },
        );
    }

    fn change(&mut self, p: lsp_types::DidChangeTextDocumentParams) {
        let Some(doc) = self.documents.get_mut(&p.text_document.uri) else {
            log(format_args!(
                "change to a document that is not open: {}",
                p.text_document.uri.as_str()
            ));
            return;
        };
        for change in p.content_changes {
            apply_change(&mut doc.text, change.range, &change.text);
        }
        if doc.text.capacity() > 2 * doc.text.len() + memory::LARGE {
            doc.text.shrink_to_fit();
        }
        doc.version = Some(p.text_document.version);
        self.dirty.insert(p.text_document.uri);
    }

    /// Files changed on disk (the client's watchers): forget their directories' listings, and
    /// check the open documents again (a project among them may have changed).
    fn files_changed(&mut self, params: &serde_json::Value) {
        let mut listings = self.listings.borrow_mut();
        for uri in watch::changed_uris(params) {
            let path = uri
                .parse::<Uri>()
                .ok()
                .and_then(|u| uri_to_path(&u))
                .map(|p| paths::absolute(&p, &self.cwd));
            match path {
                Some(path) => listings.changed(&path),
                None => listings.clear(),
            }
        }
        drop(listings);
        self.dirty.extend(self.documents.keys().cloned());
    }

    fn save(&mut self, p: lsp_types::DidSaveTextDocumentParams) {
        if let (Some(doc), Some(text)) = (self.documents.get_mut(&p.text_document.uri), p.text) {
            doc.text = text;
        }
        // The file on disk changed: it may be another open document's project.
        if let Some(doc) = self.documents.get(&p.text_document.uri) {
            self.listings.borrow_mut().changed(&doc.path);
        }
        self.dirty.extend(self.documents.keys().cloned());
    }

    fn close(&mut self, p: lsp_types::DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        if let Some(doc) = self.documents.remove(&uri) {
            self.freed |= doc.text.len() >= memory::LARGE;
        }
        if self.documents.capacity() > 2 * self.documents.len() + 16 {
            self.documents.shrink_to_fit();
        }
        self.dirty.remove(&uri);
        self.recheck.remove(&uri);
        self.publish(uri, Vec::new(), None);
    }

    fn folders(&mut self, p: lsp_types::DidChangeWorkspaceFoldersParams) {
        for removed in &p.event.removed {
            if let Some(path) = uri_to_path(&removed.uri) {
                let path = paths::absolute(&path, &self.cwd);
                self.roots.retain(|r| *r != path);
            }
        }
        for added in &p.event.added {
            if let Some(path) = uri_to_path(&added.uri) {
                self.add_root(&path);
            }
        }
        // The server's own watch covers the folders it was set up for: set it up again.
        if self.own.is_some() || self.own_generation > 0 {
            self.restart_own_watch();
        }
        self.dirty.extend(self.documents.keys().cloned());
    }

    /// Drop the server's own watch and its listings: each check lists again.
    fn stop_own_watch(&mut self) {
        self.own = None;
        self.watching = false;
        self.listings.borrow_mut().clear();
    }

    /// [`Self::stop_own_watch`], and set it up again.
    fn restart_own_watch(&mut self) {
        self.stop_own_watch();
        self.start_own_watch();
    }

    /// Watch the workspace folders (a thread sets the watch up; see [`watch::start_own`]),
    /// unless the server may not, or there are none.
    fn start_own_watch(&mut self) {
        let Some(tx) = self.watch_tx.clone() else {
            return;
        };
        self.own_generation += 1;
        if self.roots.is_empty() {
            return;
        }
        let send = move |report| {
            let _ = tx.send(Input::Watch(report));
        };
        watch::start_own(
            self.roots.clone(),
            self.options.context_cache.clone(),
            self.own_generation,
            send,
        );
    }

    /// What the server's own watcher reports: its watch in place (listings are relied on
    /// from then on), changes (the listings of their directories forgotten, the open documents
    /// checked again), events lost (every listing forgotten), or a watch that stopped (each
    /// check lists again).
    fn own_watch_report(&mut self, report: watch::Report) {
        match report {
            watch::Report::Ready { generation, watch } => {
                if generation != self.own_generation {
                    return;
                }
                match watch {
                    Ok(own) => {
                        self.own = Some(own);
                        self.watching = true;
                        log(format_args!("watching the workspace's files"));
                    }
                    Err(e) => log(format_args!(
                        "cannot watch the workspace's files ({e}): each check lists its directories"
                    )),
                }
            }
            // Before the watch is in place nothing is kept to forget.
            _ if self.own.is_none() => {}
            // A workspace folder itself removed or renamed (and perhaps made again): its watch
            // is gone with it, so it is set up again.
            watch::Report::Changed(paths)
                if self.own.as_ref().is_some_and(|own| {
                    own.roots
                        .iter()
                        .any(|root| paths.iter().any(|p| root.starts_with(p)))
                }) =>
            {
                log(format_args!(
                    "a workspace folder was moved: watching it again"
                ));
                self.restart_own_watch();
                self.recheck.extend(self.documents.keys().cloned());
            }
            watch::Report::Changed(paths) => {
                let mut listings = self.listings.borrow_mut();
                for path in &paths {
                    listings.changed(path);
                }
                drop(listings);
                self.recheck.extend(self.documents.keys().cloned());
            }
            watch::Report::Lost => {
                self.listings.borrow_mut().clear();
                self.recheck.extend(self.documents.keys().cloned());
            }
            watch::Report::Failed(e) => {
                log(format_args!(
                    "stopped watching the workspace's files ({e}): each check lists its directories"
                ));
                self.stop_own_watch();
                self.recheck.extend(self.documents.keys().cloned());
            }
        }
    }

    fn publish_dirty(&mut self) {
        if (!self.dirty.is_empty() || !self.recheck.is_empty())
            && self.own.as_ref().is_some_and(watch::Own::moved)
        {
            log(format_args!(
                "a workspace folder was moved: watching it again"
            ));
            self.restart_own_watch();
        }
        let recheck: Vec<Uri> = std::mem::take(&mut self.recheck)
            .into_iter()
            .filter(|uri| !self.dirty.contains(uri))
            .collect();
        let dirty: Vec<Uri> = std::mem::take(&mut self.dirty).into_iter().collect();
        let checks = dirty
            .into_iter()
            .map(|uri| (uri, true))
            .chain(recheck.into_iter().map(|uri| (uri, false)));
        for (uri, always) in checks {
            let Some(doc) = self.documents.get(&uri) else {
                continue;
            };
            let started = std::time::Instant::now();
            let path = doc.path.clone();
            let root = doc.on_disk.then(|| self.root_of(&path));
            let config = root.as_deref().map(|r| self.config_for(r));
            let Some(doc) = self.documents.get(&uri) else {
                continue;
            };
            let diagnostics = self.diagnostics(doc, root.as_deref(), config.flatten());
            let version = doc.version;
            self.freed |= doc.text.len() >= memory::LARGE;
            if std::env::var_os("ATLASGOV_LINT_LOG").is_some() {
                log(format_args!(
                    "checked {} in {:.1} ms: {} diagnostics",
                    uri.as_str(),
                    started.elapsed().as_secs_f64() * 1000.0,
                    diagnostics.len()
                ));
            }
            let Some(doc) = self.documents.get_mut(&uri) else {
                continue;
            };
            if !always && doc.published.as_ref() == Some(&diagnostics) {
                continue;
            }
            doc.published = Some(diagnostics.clone());
            self.publish(uri, diagnostics, version);
        }
    }

    fn publish(&mut self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into());
    }

    /// The project root of a document: the innermost workspace folder holding it, else its
    /// git repository, else its own directory.
    fn root_of(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count())
            .cloned()
            .or_else(|| paths::repository_root(path))
            .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default())
    }

    /// The config the command line would use if run from `root` (a workspace folder), loaded
    /// again when the file changes. An unusable config is an error diagnostic on the document.
    /// The config of a workspace folder (discovered from `root`) and the policies it names.
    /// The policies are compiled first: the config's levels may name their codes.
    fn config_for(&mut self, root: &Path) -> Option<(Loaded, policies::Loaded)> {
        let path = config::discover(root)?;
        let policies = self.policies.of(&path, root);
        for e in &policies.errors {
            log(format_args!("policy not used: {e}"));
        }
        let mtime = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if let Some((seen, loaded)) = self.configs.get(&path) {
            if *seen == mtime {
                return Some((loaded.clone(), policies));
            }
        }
        let loaded = config::load(&path, root).map(Arc::new).map_err(|errors| {
            Arc::new(Unusable {
                path: path.clone(),
                errors,
            })
        });
        if let Err(e) = &loaded {
            log(format_args!("config not used: {e}"));
        }
        self.configs.insert(path, (mtime, loaded.clone()));
        Some((loaded, policies))
    }

    fn diagnostics(
        &self,
        doc: &Document,
        root: Option<&Path>,
        config: Option<(Loaded, policies::Loaded)>,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let (config, policies) = match config {
            Some((config, policies)) => (Some(config), policies),
            None => (None, policies::Loaded::default()),
        };
        // A policy that does not compile is said once per check, at the top of the document
        // (the built-in rules and the other policies still run), as `check` says it.
        for e in &policies.errors {
            out.push(Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("atlasgov-lint".to_string()),
                message: format!("policy not applied: {e}"),
                ..Diagnostic::default()
            });
        }
        let config = match config {
            Some(Ok(config)) => Some(config),
            Some(Err(e)) => {
                out.extend(unusable_config(doc, &e));
                if unusable_on(doc, &e) {
                    // The config file itself is not a spec.
                    return out;
                }
                None
            }
            None => None,
        };
        // Paths in the config are relative to the workspace folder, as from the command line
        // run there.
        let cwd = root.map_or_else(|| self.cwd.clone(), Path::to_path_buf);
        if config
            .as_ref()
            .is_some_and(|c| c.is_excluded(&cwd, &doc.path) || c.is_file(&cwd, &doc.path))
        {
            return out;
        }
        let options = self.options_for(cwd, config, policies.set);
        out.extend(self.findings(doc, root, &options));
        out
    }

    /// The code actions for a range of an open document (none for a document not open).
    fn code_actions(
        &mut self,
        p: &lsp_types::CodeActionParams,
    ) -> Vec<lsp_types::CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        let Some(doc) = self.documents.get(uri) else {
            return Vec::new();
        };
        let path = doc.path.clone();
        let root = doc.on_disk.then(|| self.root_of(&path));
        let (config, policies) = root
            .as_deref()
            .and_then(|r| self.config_for(r))
            .map_or((None, None), |(c, p)| (c.ok(), p.set));
        let Some(doc) = self.documents.get(uri) else {
            return Vec::new();
        };
        let cwd = root.clone().unwrap_or_else(|| self.cwd.clone());
        let options = self.options_for(cwd, config, policies);
        if doc.text.len() as u64 > options.max_file_size {
            return Vec::new();
        }
        let Some((outcome, file)) = self.check(doc, root.as_deref(), &options) else {
            return Vec::new();
        };
        let render = Render {
            doc,
            file,
            map: LineMap::new(&doc.text),
            outcome: &outcome,
            cwd: &options.cwd,
            related_information: self.related_information,
            can_create_files: self.can_create_files,
        };
        actions::code_actions(&render, &p.range, p.context.only.as_deref())
    }

    /// The options of a check in a workspace folder (`cwd`): its config and the policies that
    /// config names (else the server's own).
    fn options_for(
        &self,
        cwd: PathBuf,
        config: Option<Arc<Config>>,
        policies: Option<Arc<crate::policy::Set>>,
    ) -> Options {
        Options {
            config,
            cwd,
            policies: policies.or_else(|| self.options.policies.clone()),
            ..self.options.clone()
        }
    }

    /// Whether changes to the directories of a document (`path`, below its project root
    /// `root`) are reported under the paths its listings are kept by: it is in a workspace
    /// folder (the client watches those; the server's own watch covers the folders it was set
    /// up for), and no symbolic link leads from the root to its directory (a change is
    /// reported under the directory's own path; the root itself may be reached through one).
    fn watched(&self, root: &Path, path: &Path) -> bool {
        let roots = self.own.as_ref().map_or(&self.roots, |own| &own.roots);
        let dir = path.parent().unwrap_or(path);
        let (Ok(below), Ok(real_root), Ok(real_dir)) = (
            dir.strip_prefix(root),
            std::fs::canonicalize(root),
            std::fs::canonicalize(dir),
        ) else {
            return false;
        };
        roots.iter().any(|r| root.starts_with(r)) && real_dir == real_root.join(below)
    }

    /// Check a document (its editor text, with its context): the outcome and its file id.
    fn check(
        &self,
        doc: &Document,
        root: Option<&Path>,
        options: &Options,
    ) -> Option<(crate::outcome::Outcome, u32)> {
        let context = match root {
            Some(root) if self.watching && self.watched(root, &doc.path) => {
                let mut listings = self.listings.borrow_mut();
                if self.outside.borrow_mut().changed(root) {
                    listings.clear();
                }
                engine::context_of_listed(&doc.path, &doc.text, root, options, Some(&mut listings))
            }
            Some(root) => engine::context_of(&doc.path, &doc.text, root, options),
            None => engine::Context::default(),
        };
        let buffer = Buffer {
            path: doc.path.clone(),
            text: doc.text.clone(),
        };
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let settings = Settings::new(options.clone());
            lint(
                &Inputs::Context(context),
                std::slice::from_ref(&buffer),
                &settings,
            )
        }));
        let checked = match checked {
            Ok(checked) => checked,
            Err(_) => {
                log(format_args!(
                    "internal error while checking {}",
                    doc.uri.as_str()
                ));
                return None;
            }
        };
        let file = checked.buffer_id(0)?;
        Some((checked.outcome, file))
    }

    fn findings(&self, doc: &Document, root: Option<&Path>, options: &Options) -> Vec<Diagnostic> {
        let size = doc.text.len() as u64;
        if size > options.max_file_size {
            return vec![Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::INFORMATION),
                source: Some("atlasgov-lint".to_string()),
                message: format!(
                    "not checked: {size} bytes, larger than the {}-byte limit",
                    options.max_file_size
                ),
                ..Diagnostic::default()
            }];
        }
        let Some((outcome, file)) = self.check(doc, root, options) else {
            return Vec::new();
        };
        let render = Render {
            doc,
            file,
            map: LineMap::new(&doc.text),
            outcome: &outcome,
            cwd: &options.cwd,
            related_information: self.related_information,
            can_create_files: self.can_create_files,
        };
        outcome
            .findings
            .iter()
            .filter(|f| f.loc.file == render.file)
            .map(|f| render.diagnostic(f))
            .collect()
    }
}

/// Whether `doc` is the config file that cannot be used.
fn unusable_on(doc: &Document, unusable: &Unusable) -> bool {
    doc.on_disk && paths::normalize(&doc.path) == paths::normalize(&unusable.path)
}

/// A config that cannot be used, said on a document: on the config file itself, each error at
/// its place in it; on any other document, once at the top (the built-in rules still run).
fn unusable_config(doc: &Document, unusable: &Unusable) -> Vec<Diagnostic> {
    let diagnostic = |range: Range, message: String| Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("atlasgov-lint".to_string()),
        message: format!("config not applied: {message}"),
        ..Diagnostic::default()
    };
    if !unusable_on(doc, unusable) {
        return vec![diagnostic(Range::default(), unusable.to_string())];
    }
    let lines = text::LineMap::new(&doc.text);
    unusable
        .errors
        .iter()
        .map(|e| {
            let range = if e.line == 0 {
                Range::default()
            } else {
                let at = lines.offset_of_line_column(e.line, e.column);
                lines.range(at, at)
            };
            diagnostic(range, e.message.clone())
        })
        .collect()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Options(
            lsp_types::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp_types::CodeActionKind::QUICKFIX,
                    lsp_types::CodeActionKind::from(actions::FIX_ALL.to_string()),
                ]),
                work_done_progress_options: lsp_types::WorkDoneProgressOptions::default(),
                resolve_provider: None,
            },
        )),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp_types::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}
