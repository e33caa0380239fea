//! copydesk: a corpus quality and consistency linter for news-like articles.
//!
//! The pipeline: `walk` (which files) → `input` (bytes to `Document`) → `checks` (rules run in a
//! parallel map, corpus rules reduced once) → `diagnostic` (sorted findings) → `emit` (formats).
//! `engine` is the glue; `cli` is the command line around it; `memory` picks the allocator.

pub mod baseline;
pub mod checks;
pub mod cli;
pub mod diagnostic;
pub mod document;
pub mod emit;
pub mod engine;
pub mod input;
pub mod memory;
pub mod rules;
pub mod simd;
pub mod swar;
pub mod text;
pub mod walk;
