//! How much work one parallel task gets.
//!
//! Handing work to another rayon thread costs a few microseconds (a queue push, often a
//! futex wake-up of a sleeping worker, and the wait for it to finish), and while decoding the
//! row ops run on one to a few dozen rows of a few hundred elements each: split row by row,
//! they would spend more time handing off than computing, and more threads would make a
//! decode step slower. So row-parallel ops give each task at least [`MIN_TASK_WORK`] units of
//! work (about one element touched each) and run on the calling thread, with no hand-off at
//! all, when the whole op is smaller than that. The split never changes a result: these ops
//! compute every row (or element) on its own, in an order fixed within the row.

/// Work units (≈ elements read or written) below which an op is not split further: 16 Ki, the
/// same size as `elementwise::CHUNK`, a few microseconds of work.
pub(crate) const MIN_TASK_WORK: usize = 1 << 14;

/// The fewest rows one task takes when each row costs `work_per_row` units: enough rows for
/// [`MIN_TASK_WORK`] (at least one). Pass it to rayon's `with_min_len`.
pub(crate) fn rows_per_task(work_per_row: usize) -> usize {
    MIN_TASK_WORK.div_ceil(work_per_row.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_task_covers_the_minimum_work() {
        assert_eq!(rows_per_task(0), MIN_TASK_WORK);
        assert_eq!(rows_per_task(1), MIN_TASK_WORK);
        assert_eq!(rows_per_task(576), 29);
        assert_eq!(rows_per_task(MIN_TASK_WORK), 1);
        assert_eq!(rows_per_task(49_152), 1);
    }
}
