//! Axis ranges and "nice" tick positions (steps of 1, 2 or 5 times a power of ten).

/// A closed data interval `[lo, hi]` with `lo < hi`, extended to whole tick steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The lower end of the axis.
    pub lo: f64,
    /// The upper end of the axis.
    pub hi: f64,
    /// The tick positions, from `lo` to `hi` inclusive.
    pub ticks: Vec<f64>,
    /// Decimal places that show every tick distinctly.
    pub decimals: usize,
}

impl Axis {
    /// An axis covering the finite values in `values` with about `target` intervals.
    /// With no finite value the axis is `[0, 1]`; a single value `v` gets `[v − 1, v + 1]`
    /// (or a ±10 % band around a large `v`).
    pub fn covering(values: impl IntoIterator<Item = f64>, target: usize) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        } else if hi - lo <= f64::EPSILON * lo.abs().max(hi.abs()).max(1.0) {
            let pad = (lo.abs() * 0.1).max(1.0);
            (lo, hi) = (lo - pad, hi + pad);
        }
        let step = nice_step((hi - lo) / target.max(1) as f64);
        let first = (lo / step).floor();
        let last = (hi / step).ceil();
        let count = (last - first) as usize;
        let ticks = (0..=count).map(|i| (first + i as f64) * step).collect();
        let decimals = (-step.log10().floor()).clamp(0.0, 9.0) as usize;
        Axis {
            lo: first * step,
            hi: last * step,
            ticks,
            decimals,
        }
    }

    /// The tick label of `v`: fixed decimals, never `-0`.
    pub fn label(&self, v: f64) -> String {
        let s = format!("{v:.*}", self.decimals);
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_string()
        } else {
            s
        }
    }

    /// Maps `v` linearly from `[lo, hi]` to `[a, b]` (pixels).
    pub fn map(&self, v: f64, a: f64, b: f64) -> f64 {
        a + (v - self.lo) / (self.hi - self.lo) * (b - a)
    }
}

/// The smallest of `1, 2, 5 × 10^k` that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let exp = raw.log10().floor();
    let base = 10f64.powf(exp);
    let f = raw / base;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks() {
        let a = Axis::covering([0.13, 0.87], 5);
        assert_eq!((a.lo, a.hi, a.decimals), (0.0, 1.0, 1));
        assert_eq!(a.ticks.len(), 6);
        let a = Axis::covering([3.0, 97.0], 5);
        assert_eq!((a.lo, a.hi, a.ticks.len(), a.decimals), (0.0, 100.0, 6, 0));
        let a = Axis::covering([f64::NAN], 5);
        assert_eq!((a.lo, a.hi), (0.0, 1.0));
        let a = Axis::covering([2.0, 2.0], 4);
        assert_eq!((a.lo, a.hi), (1.0, 3.0));
        assert_eq!(Axis::covering([-1.0, 1.0], 4).label(-0.0), "0.0");
    }
}
