//! CPython's built-in `sum()` over a list of floats, which langdetect's `_normalize_prob`
//! calls. CPython 3.12 switched it from plain left-to-right addition to Neumaier's
//! compensated summation, so langdetect's answers can depend on the Python version.

/// How CPython's `sum()` adds floats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PythonSum {
    /// CPython 3.11 and earlier: `((0 + x0) + x1) + ...`.
    #[default]
    Sequential,
    /// CPython 3.12 and later: Neumaier compensated summation (`Python/bltinmodule.c`).
    Compensated,
}

/// `sum(xs)` for a non-empty list of floats under the given CPython semantics.
pub fn py_sum(xs: &[f64], mode: PythonSum) -> f64 {
    match mode {
        PythonSum::Sequential => xs.iter().fold(0.0, |s, &x| s + x),
        PythonSum::Compensated => {
            // The integer start 0 plus the first float gives that float; the float loop
            // compensates from the second item on.
            let Some((&first, rest)) = xs.split_first() else {
                return 0.0;
            };
            let mut f = 0.0 + first;
            let mut c = 0.0;
            for &x in rest {
                let t = f + x;
                if libm::fabs(f) >= libm::fabs(x) {
                    c += (f - t) + x;
                } else {
                    c += (x - t) + f;
                }
                f = t;
            }
            if c != 0.0 && c.is_finite() {
                f += c;
            }
            f
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // CPython 3.11: sum([1e16, 1.0, -1e16]) == 0.0; CPython 3.12: 1.0.
    #[test]
    fn both_semantics() {
        let xs = [1e16, 1.0, -1e16];
        assert_eq!(py_sum(&xs, PythonSum::Sequential), 0.0);
        assert_eq!(py_sum(&xs, PythonSum::Compensated), 1.0);
        let tenth = [0.1; 10];
        assert_eq!(py_sum(&tenth, PythonSum::Sequential), 0.9999999999999999);
        assert_eq!(py_sum(&tenth, PythonSum::Compensated), 1.0);
    }
}
