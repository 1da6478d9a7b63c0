//! Watching the workspace's files through the client (`workspace/didChangeWatchedFiles`), so
//! that a check of an edited document reuses what earlier checks listed of its directories
//! (see [`crate::engine::Listings`]) instead of listing and scanning them again: in a
//! directory of ten thousand spec files, that listing is most of a check's time.
//!
//! The server asks to watch (`client/registerCapability`) after `initialized`, when the client
//! says it can register watchers dynamically, and relies on its listings only once the client
//! has accepted. A change the client reports forgets the listings of the changed file's
//! directory (see [`crate::engine::Listings::changed`]); a client that cannot watch gets what
//! it had before, a fresh listing for every check.

use lsp_server::{Request, RequestId, Response};
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
}
