//! Synthetic bilat datasets and hostile input, for benchmarks, tests and fuzzing.
//!
//! - [`generate()`] makes a complete dataset with the tables of `data/`, internally consistent
//!   so that `validate::check` finds nothing, and the same bytes for the same [`Params`].
//! - [`inject()`] plants known errors of every rule family into such a dataset and returns
//!   where each one must be reported.
//! - [`hostile`] turns arbitrary bytes into a data folder, runs ingest, every rule and every
//!   output over it, and checks that nothing escapes: findings point inside their files and
//!   no cell text can drive a terminal or inject a GitHub workflow command. The fuzz target,
//!   the property tests and the regression fixtures all go through it.

mod generate;
pub mod hostile;
mod inject;
mod rng;

pub use generate::{Dataset, MAX_PARTNERS, Params, generate, push_cell, push_row};
pub use inject::{FAMILIES, Planted, inject, planted_csv};
pub use rng::Rng;

/// Changes whenever [`generate()`] makes different bytes for the same [`Params`], so that
/// cached datasets (`target/bench-data/`) are made anew.
pub const GENERATOR_VERSION: u32 = 2;
