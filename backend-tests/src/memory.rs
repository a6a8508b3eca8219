//! Memory ops: `upload`, `upload_index`, `zeros`, `download`, `download_index`, `len`,
//! `index_len`, `copy`, `fill_zero`. Pure data movement: exact.

use hir_core::backend::{Backend, Result};

use crate::inputs::{ints, normal, wide};
use crate::report::{Expected, Outputs, Tolerance, EXACT};
use crate::suite::{Case, Suite};

/// The memory family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    s.table(&RoundTrip { n: 37 });
    s.table(&RoundTrip { n: 1 });
}

/// Every memory op on `n` seeded values.
struct RoundTrip {
    n: usize,
}

impl Case for RoundTrip {
    fn name(&self) -> String {
        format!("memory round trip n={}", self.n)
    }
    fn tolerance(&self) -> Tolerance {
        EXACT
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let n = self.n;
        let x = normal(1, n, 1.0);
        let t = b.upload(&x)?;
        let c = b.copy(&t)?;
        let mut z = b.upload(&x)?;
        b.fill_zero(&mut z)?;
        let zeros = b.zeros(n)?;
        let idx = b.upload_index(&ints(2, n, 1000))?;
        let lens = vec![b.len(&t) as f32, b.index_len(&idx) as f32];
        let ids: Vec<f32> = b.download_index(&idx)?.iter().map(|&i| i as f32).collect();
        Ok(vec![
            ("download", b.download(&t)?),
            ("copy", b.download(&c)?),
            ("fill_zero", b.download(&z)?),
            ("zeros", b.download(&zeros)?),
            ("lens", lens),
            ("download_index", ids),
        ])
    }
    fn expected(&self) -> Expected {
        let n = self.n;
        let x = wide(&normal(1, n, 1.0));
        vec![
            ("download", x.clone()),
            ("copy", x),
            ("fill_zero", vec![0.0; n]),
            ("zeros", vec![0.0; n]),
            ("lens", vec![n as f64, n as f64]),
            (
                "download_index",
                ints(2, n, 1000).iter().map(|&i| i as f64).collect(),
            ),
        ]
    }
}
