//! atlasgov-lint: check MongoDB Atlas specs against Atlas for Government constraints.
//!
//! The pipeline runs one way, and so do the imports between these modules (ARCHITECTURE.md
//! gives the order; `tests/architecture.rs` enforces it):
//! files ([`source`]) → documents ([`document`]) → format adapters ([`adapters`]) → the
//! normalized model ([`model`]) → rules ([`rules`]) → the run ([`engine`]) → levels,
//! suppressions and baseline ([`filter`]) → reporters ([`report`]). [`lint()`] is the one entry
//! point for a check; the command line ([`commands`]) and the language server ([`server`]) call it.

#![forbid(unsafe_code)]

// Ground: no knowledge of specs.
pub mod date;
pub mod paths;
// Syntax.
pub mod document;
pub mod source;
// Atlas.
pub mod adapters;
pub mod model;
pub mod policy;
pub mod rules;
// The run.
pub mod config;
pub mod engine;
pub mod filter;
pub mod fix;
pub mod lint;
pub mod outcome;
pub mod report;
pub mod suppress;
// Commands.
pub mod commands;
pub mod server;

pub use commands::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, main, run};
pub use lint::{Checked, Settings, lint};
