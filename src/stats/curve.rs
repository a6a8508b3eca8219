//! Summaries of a learning curve given as points `(x, y)` sorted by `x` (for `hir compare`:
//! generated rollouts against held-out success), read as the piecewise-linear curve through
//! them.

/// The trapezoid area under the curve through `points` divided by its `x` span: the curve's
/// mean height over the budget. NaN for fewer than 2 points or a zero span.
///
/// Comparing areas rewards a method that gets to a success rate early, not only one that ends
/// there (the sample-efficiency claim).
pub fn normalized_area(points: &[(f64, f64)]) -> f64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return f64::NAN;
    };
    let span = last.0 - first.0;
    if points.len() < 2 || span <= 0.0 {
        return f64::NAN;
    }
    let area: f64 = points
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
        .sum();
    area / span
}

/// The first `x` at which the curve through `points` reaches `target` (linear interpolation
/// inside the segment that crosses it; the first point's `x` when it already does), or `None`
/// when it never does. NaN coordinates never reach a target.
pub fn first_crossing(points: &[(f64, f64)], target: f64) -> Option<f64> {
    let first = points.first()?;
    if first.1 >= target {
        return Some(first.0);
    }
    points.windows(2).find_map(|w| {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        (y0 < target && y1 >= target).then(|| x0 + (target - y0) / (y1 - y0) * (x1 - x0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_of_a_hand_computed_curve() {
        // Trapezoids: 100·(0.1+0.3)/2 = 20, 300·(0.3+0.2)/2 = 75; span 400 → 95/400.
        let pts = [(0.0, 0.1), (100.0, 0.3), (400.0, 0.2)];
        assert!((normalized_area(&pts) - 95.0 / 400.0).abs() < 1e-12);
        // A flat curve's mean height is its height.
        assert!((normalized_area(&[(5.0, 0.4), (9.0, 0.4), (20.0, 0.4)]) - 0.4).abs() < 1e-12);
    }

    #[test]
    fn area_needs_two_points_and_a_span() {
        assert!(normalized_area(&[]).is_nan());
        assert!(normalized_area(&[(1.0, 0.5)]).is_nan());
        assert!(normalized_area(&[(1.0, 0.5), (1.0, 0.7)]).is_nan());
    }

    /// `got` is `Some(x)` with `x` within rounding of `want`.
    fn near(got: Option<f64>, want: f64) -> bool {
        got.is_some_and(|x| (x - want).abs() < 1e-9)
    }

    #[test]
    fn crossing_interpolates_inside_the_segment() {
        let pts = [(0.0, 0.1), (100.0, 0.3), (400.0, 0.5)];
        // 0.2 is halfway from 0.1 to 0.3: x = 50 (0.1 and 0.2 are not exact in binary).
        assert!(near(first_crossing(&pts, 0.2), 50.0));
        // 0.4 is halfway from 0.3 to 0.5 in the second segment: x = 250.
        assert!(near(first_crossing(&pts, 0.4), 250.0));
        assert_eq!(first_crossing(&pts, 0.3), Some(100.0));
        assert_eq!(first_crossing(&pts, 0.05), Some(0.0));
        assert_eq!(first_crossing(&pts, 0.6), None);
        assert_eq!(first_crossing(&[], 0.1), None);
    }

    #[test]
    fn crossing_is_the_first_not_the_last() {
        // Up through 0.3, down, up again: the first crossing counts.
        let pts = [(0.0, 0.0), (10.0, 0.4), (20.0, 0.1), (30.0, 0.5)];
        assert!(near(first_crossing(&pts, 0.2), 5.0));
    }
}
