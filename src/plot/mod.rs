//! A dependency-free SVG line-plot writer for reward curves and method comparisons.
//!
//! [`line_plot_svg`] draws one or more [`Series`] on shared axes with ticks, grid lines, axis
//! labels, a title and a legend; each series has its own colour (ten distinct colours, then
//! the cycle repeats with a dash pattern) and an optional shaded band (e.g. mean ± std over
//! seeds). Output is deterministic, so it can be compared with a golden file.

mod svg;
mod ticks;

pub use svg::line_plot_svg;
pub use ticks::Axis;

/// One line of a plot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// The legend entry.
    pub name: String,
    /// `(x, y)` points, joined in the given order. A non-finite coordinate breaks the line.
    pub points: Vec<(f64, f64)>,
    /// An optional shaded band `(x, lo, hi)` drawn under the line (non-finite entries break it).
    pub band: Option<Vec<(f64, f64, f64)>>,
}
