//! Synthetic bilat datasets, for benchmarks and tests.
//!
//! - [`generate()`] makes a complete dataset with the tables of `data/`, internally consistent
//!   so that `validate::check` finds nothing, and the same bytes for the same [`Params`].
//! - [`inject()`] plants known errors of every rule family into such a dataset and returns
//!   where each one must be reported.

mod generate;
mod inject;
mod rng;

pub use generate::{Dataset, MAX_PARTNERS, Params, generate, push_cell, push_row};
pub use inject::{FAMILIES, Planted, inject, planted_csv};
pub use rng::Rng;

/// Changes whenever [`generate()`] makes different bytes for the same [`Params`], so that
/// cached datasets (`target/bench-data/`) are made anew.
pub const GENERATOR_VERSION: u32 = 2;
