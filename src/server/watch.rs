//! Watching the workspace's files, so that a check of an edited document reuses what earlier
//! checks listed of its directories (see [`crate::engine::Listings`]) instead of listing and
//! scanning them again: in a directory of ten thousand spec files, that listing is most of a
//! check's time.
//!
//! Through the client (`workspace/didChangeWatchedFiles`): the server asks to watch
//! (`client/registerCapability`) after `initialized`, when the client says it can register
//! watchers dynamically, and relies on its listings only once the client has accepted. A
//! change the client reports forgets the listings of the changed file's directory (see
//! [`crate::engine::Listings::changed`]).
//!
//! By itself ([`start_own`]), when the client cannot watch or refuses to: the workspace folders
//! are watched with the platform's own notifications (inotify, FSEvents, ReadDirectoryChangesW,
//! through the `notify` crate), set up on a thread of their own; the listings are relied on
//! once that watch is in place. Events lost (a full queue) forget every listing; a watch that
//! fails (no more inotify watches) is dropped, and each check lists again, as with
//! `server --no-watch`.

use std::path::{Path, PathBuf};

use lsp_server::{Request, RequestId, Response};
use notify::Watcher as _;
use notify::event::{AccessKind, AccessMode, EventKind};
use serde_json::{Value, json};

/// The id of the server's registration request (and of the registration itself).
pub(super) const REGISTRATION: &str = "atlasgov-lint/watch";

/// Whether the client can register file watchers after `initialize`.
pub(super) fn supported(initialize_params: &Value) -> bool {
    initialize_params
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The request that asks the client to report changes to every file of the workspace (a
/// listing's answer depends on spec files, ignore files and the directories themselves).
pub(super) fn register() -> Request {
    Request {
        id: RequestId::from(REGISTRATION.to_string()),
        method: "client/registerCapability".to_string(),
        params: json!({
            "registrations": [{
                "id": REGISTRATION,
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [{"globPattern": "**/*"}]},
            }],
        }),
    }
}

/// Whether `response` is the client's acceptance of [`register`].
pub(super) fn accepted(response: &Response) -> bool {
    response.id == RequestId::from(REGISTRATION.to_string()) && response.response_result.is_ok()
}

/// Whether `response` is the client's refusal of [`register`].
pub(super) fn refused(response: &Response) -> bool {
    response.id == RequestId::from(REGISTRATION.to_string()) && response.response_result.is_err()
}

/// The URIs of the files a `workspace/didChangeWatchedFiles` notification reports.
pub(super) fn changed_uris(params: &Value) -> Vec<String> {
    params
        .get("changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("uri").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// What the server's own watcher reports ([`start_own`]).
pub(super) enum Report {
    /// The watch over the workspace folders of setup `generation` is in place (or could not be
    /// set up: why).
    Ready {
        generation: u64,
        watch: Result<Own, String>,
    },
    /// Files or directories (absolute) were created, changed, removed or renamed.
    Changed(Vec<PathBuf>),
    /// Events were lost (the system's queue overflowed): no listing can be relied on.
    Lost,
    /// The watch stopped covering the workspace (the system's limit of watches was reached
    /// for a new directory): why.
    Failed(String),
}

/// The server's own watch, in place: dropping it stops it.
pub(super) struct Own {
    _watcher: notify::RecommendedWatcher,
    /// The workspace folders it covers.
    pub(super) roots: Vec<PathBuf>,
    /// Each folder's identity when it was watched.
    ids: Vec<Option<(u64, u64)>>,
}

impl Own {
    /// Whether a folder is no longer the directory watched (it, or a directory above it, was
    /// renamed or removed and made again: no event says so, since nothing above it is
    /// watched).
    pub(super) fn moved(&self) -> bool {
        self.roots
            .iter()
            .zip(&self.ids)
            .any(|(root, id)| dir_id(root) != *id)
    }
}

/// A directory's device and inode (`None` where the platform has none, or it is not there).
fn dir_id(path: &Path) -> Option<(u64, u64)> {
    crate::engine::stamp(path)
        .map(|s| s.id)
        .filter(|id| *id != (0, 0))
}

/// Watch `roots` (absolute) and everything below them, on a thread of its own (a large tree
/// takes a while to watch); `send` gets a [`Report::Ready`] with `generation` once the watch is
/// in place or has failed, and the changes as they happen. Changes below `skip` (the cache
/// directory) and inside `.git` directories are not reported: they change no listing (but
/// `.git/info/exclude`, which changes what is ignored, reported as its repository's `.git`).
pub(super) fn start_own(
    roots: Vec<PathBuf>,
    skip: Option<PathBuf>,
    generation: u64,
    send: impl Fn(Report) + Send + Clone + 'static,
) {
    let on_event = send.clone();
    let setup = move || {
        // A folder reached through a symbolic link may be reported under its own path (macOS's
        // FSEvents reports `/private/tmp` for `/tmp`): such paths are given back under the
        // folder's.
        let real: Vec<(PathBuf, PathBuf)> = roots
            .iter()
            .filter_map(|r| Some((std::fs::canonicalize(r).ok()?, r.clone())))
            .filter(|(real, root)| real != root)
            .collect();
        let handler = move |event: notify::Result<notify::Event>| {
            let event = event.map(|mut e| {
                for path in &mut e.paths {
                    if let Some((real, root)) = real.iter().find(|(real, _)| path.starts_with(real))
                        && let Ok(below) = path.strip_prefix(real)
                    {
                        *path = root.join(below);
                    }
                }
                e
            });
            if let Some(report) = report(event, skip.as_deref()) {
                on_event(report);
            }
        };
        // Not through symbolic links: one directory watched under two paths is reported
        // under one of them only (inotify keeps one watch per directory), and removing a link
        // would remove the watch of the directory it points to.
        let config = notify::Config::default().with_follow_symlinks(false);
        let watch = notify::RecommendedWatcher::new(handler, config)
            .and_then(|mut watcher| {
                // A folder that cannot be watched (not there any more) is left out: its
                // documents are listed at each check. The system's limit of watches fails all.
                let mut watched = Vec::new();
                for root in roots {
                    match watcher.watch(&root, notify::RecursiveMode::Recursive) {
                        Ok(()) => watched.push(root),
                        Err(e) if matches!(e.kind, notify::ErrorKind::MaxFilesWatch) => {
                            return Err(e);
                        }
                        Err(e) => super::log(format_args!(
                            "cannot watch {} ({e}): its documents are listed at each check",
                            root.display()
                        )),
                    }
                }
                if watched.is_empty() {
                    return Err(notify::Error::generic("no workspace folder can be watched"));
                }
                let ids = watched.iter().map(|r| dir_id(r)).collect();
                Ok(Own {
                    _watcher: watcher,
                    roots: watched,
                    ids,
                })
            })
            .map_err(|e| e.to_string());
        send(Report::Ready { generation, watch });
    };
    if let Err(e) = std::thread::Builder::new()
        .name("lsp-watch".to_string())
        .spawn(setup)
    {
        super::log(format_args!("cannot start the file watcher: {e}"));
    }
}

/// The ignore files that listings below a workspace folder depend on and no watch of it
/// covers: those of the directories above it (`.gitignore`, `.ignore`, a repository's
/// `.git/info/exclude`, read up to the file system's root) and git's global excludes file
/// (`core.excludesFile`, wherever git's configuration puts it). Their stamps are compared at
/// each check ([`Outside::changed`]): a handful of `stat` calls, and git's configuration
/// read.
#[derive(Default)]
pub(super) struct Outside {
    stamps: std::collections::HashMap<PathBuf, Vec<Option<crate::engine::Stamp>>>,
}

impl Outside {
    /// Whether one of the ignore files above `root` (absolute) changed since the last call for
    /// it (the first call: no).
    pub(super) fn changed(&mut self, root: &Path) -> bool {
        let now: Vec<Option<crate::engine::Stamp>> = outside_files(root)
            .iter()
            .map(|f| crate::engine::stamp(f))
            .collect();
        match self.stamps.insert(root.to_path_buf(), now.clone()) {
            Some(was) => was != now,
            None => false,
        }
    }
}

fn outside_files(root: &Path) -> Vec<PathBuf> {
    // The folder's own ignore files are watched; its repository's exclude file is not (a new
    // `.git/info` is watched only once the watcher has seen it made). The global file is
    // looked for again each time: git's configuration may have moved it.
    let global = ignore::gitignore::gitconfig_excludes_path();
    crate::engine::ignore_files(root, false, global.as_deref()).0
}

/// What an event from the watcher means for the listings (`None`: nothing).
fn report(event: notify::Result<notify::Event>, skip: Option<&Path>) -> Option<Report> {
    let event = match event {
        Ok(event) => event,
        Err(e) => return Some(Report::Failed(e.to_string())),
    };
    if event.need_rescan() {
        return Some(Report::Lost);
    }
    // Opening and reading change nothing (the server's own reads are among them).
    if matches!(event.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write))
    {
        return None;
    }
    let paths: Vec<PathBuf> = event
        .paths
        .into_iter()
        .filter(|p| !skip.is_some_and(|skip| p.starts_with(skip)))
        .filter_map(listing_change)
        .collect();
    (!paths.is_empty()).then_some(Report::Changed(paths))
}

/// The path whose change a listing may depend on, for a changed `path`: itself, but inside a
/// `.git` directory nothing (objects, refs, the index) except `info/exclude`, an ignore file
/// of the whole repository, and the `info` directory holding it, each reported as the `.git`
/// directory itself (see [`crate::engine::Listings::changed`]).
fn listing_change(path: PathBuf) -> Option<PathBuf> {
    let git = path
        .ancestors()
        .skip(1)
        .find(|a| a.file_name().is_some_and(|n| n == ".git"))
        .map(Path::to_path_buf);
    match git {
        None => Some(path),
        Some(git) if path == git.join("info/exclude") || path == git.join("info") => Some(git),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_registration_and_changes() {
        let caps = json!({"capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}});
        assert!(supported(&caps));
        assert!(!supported(&json!({"capabilities": {}})));
        let r = register();
        assert_eq!(r.method, "client/registerCapability");
        assert_eq!(
            r.params["registrations"][0]["method"],
            "workspace/didChangeWatchedFiles"
        );
        let ok = Response::new_ok(RequestId::from(REGISTRATION.to_string()), Value::Null);
        assert!(accepted(&ok));
        let refused = Response::new_err(
            RequestId::from(REGISTRATION.to_string()),
            -32601,
            "no".into(),
        );
        assert!(!accepted(&refused));
        let other = Response::new_ok(RequestId::from(7), Value::Null);
        assert!(!accepted(&other));
        let changes = json!({"changes": [{"uri": "file:///w/a.json", "type": 2}, {"type": 1}]});
        assert_eq!(changed_uris(&changes), ["file:///w/a.json"]);
    }

    /// What [`report`] makes of an event of `kind` on `paths`, below cache directory `skip`:
    /// the changed paths, `<lost>`, `<failed>`, or nothing.
    fn changed(event: notify::Result<notify::Event>, skip: Option<&str>) -> Vec<String> {
        let shown = |p: PathBuf| p.display().to_string();
        match report(event, skip.map(Path::new)) {
            Some(Report::Changed(paths)) => paths.into_iter().map(shown).collect(),
            Some(Report::Lost) => vec!["<lost>".to_string()],
            Some(Report::Failed(_)) => vec!["<failed>".to_string()],
            Some(Report::Ready { .. }) | None => Vec::new(),
        }
    }

    #[test]
    fn own_watch_events_are_the_changes_a_listing_depends_on() {
        use notify::event::{CreateKind, DataChange, Flag, ModifyKind, RemoveKind, RenameMode};
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let access = |kind| EventKind::Access(kind);
        let cache = Some("/w/.atlasgov-lint-cache");
        // An event's kind and paths, the cache directory, the changes reported.
        type Case<'a> = (EventKind, &'a [&'a str], Option<&'a str>, &'a [&'a str]);
        let cases: &[Case<'_>] = &[
            (modify, &["/w/a.json"], None, &["/w/a.json"]),
            (
                EventKind::Create(CreateKind::File),
                &["/w/d/b.tf"],
                None,
                &["/w/d/b.tf"],
            ),
            (
                EventKind::Remove(RemoveKind::Folder),
                &["/w/d"],
                None,
                &["/w/d"],
            ),
            // A write finished counts; opening, reading and closing after reading do not
            // (the server's own reads of context files are such events).
            (
                access(AccessKind::Close(AccessMode::Write)),
                &["/w/a.json"],
                None,
                &["/w/a.json"],
            ),
            (
                access(AccessKind::Close(AccessMode::Read)),
                &["/w/a.json"],
                None,
                &[],
            ),
            (
                access(AccessKind::Open(AccessMode::Any)),
                &["/w/a.json"],
                None,
                &[],
            ),
            // Inside `.git`, only `info/exclude`, as the `.git` directory; `.git` itself counts.
            (modify, &["/w/.git/index"], None, &[]),
            (modify, &["/w/.git/objects/ab/cdef"], None, &[]),
            (modify, &["/w/.git/info/exclude"], None, &["/w/.git"]),
            (
                EventKind::Create(CreateKind::Folder),
                &["/w/.git/info"],
                None,
                &["/w/.git"],
            ),
            (modify, &["/w/.git/info/refs"], None, &[]),
            (
                EventKind::Create(CreateKind::Folder),
                &["/w/.git"],
                None,
                &["/w/.git"],
            ),
            (modify, &["/w/.gitignore"], None, &["/w/.gitignore"]),
            // The cache directory's own writes are not reported; a rename reports both ends.
            (modify, &["/w/.atlasgov-lint-cache/index-1"], cache, &[]),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/w/a.json", "/w/b.json"],
                cache,
                &["/w/a.json", "/w/b.json"],
            ),
        ];
        for (kind, paths, skip, expected) in cases {
            let mut event = notify::Event::new(*kind);
            for p in *paths {
                event = event.add_path(PathBuf::from(p));
            }
            assert_eq!(changed(Ok(event), *skip), *expected, "{kind:?} {paths:?}");
        }
        // Lost events and a failed watch are reported as such.
        let lost = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(changed(Ok(lost), None), ["<lost>"]);
        let failed = Err(notify::Error::new(notify::ErrorKind::MaxFilesWatch));
        assert_eq!(changed(failed, None), ["<failed>"]);
    }
}
