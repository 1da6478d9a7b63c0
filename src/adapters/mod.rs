//! Format adapters: document trees in, normalized model out. Adapters recognise what a
//! document is and copy its values, with locations, into the model; they never decide what is
//! compliant.

pub mod api;
pub mod cloudformation;

use crate::document::{Cursor, Node};
use crate::model::{LocCtx, Model};

/// Byte strings at least one of which occurs in any file an adapter can read something from.
/// Files with none of them are counted as checked without being parsed.
pub fn needles() -> Vec<&'static str> {
    let mut all = Vec::new();
    all.extend_from_slice(api::NEEDLES);
    all.extend_from_slice(cloudformation::NEEDLES);
    all
}

/// Run every adapter over one parsed document root.
pub fn adapt(ctx: &LocCtx<'_>, root: &Node, out: &mut Model) {
    let cur = Cursor::root(root);
    api::adapt(ctx, &cur, out);
    cloudformation::adapt(ctx, &cur, out);
}
