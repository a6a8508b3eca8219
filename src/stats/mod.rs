//! Statistics for comparing training methods: paired bootstrap confidence intervals
//! ([`paired`]) and summaries of a learning curve ([`curve`]).
//!
//! `hir compare` evaluates every method on the same held-out items with the same seeds, so a
//! method's difference from a baseline is measured pairwise (seed `s`, item `i` against seed
//! `s`, item `i`), not as two independent means with independent errors: most of the variance
//! of a success rate comes from which items are hard, and pairing cancels it.

pub mod curve;
pub mod paired;

pub use curve::{first_crossing, normalized_area};
pub use paired::{paired_bootstrap, percentile, PairedCi};
