//! The runner's side of a case: [`Case`] (a table case: outputs of a generic function of the
//! backend against an f64 reference), [`Suite`] (runs table cases and checks on one backend
//! and collects a [`CaseReport`] for each) and [`Outcome`] (what a check returns).

use hir_core::backend::{Backend, BackendError, Result};

use crate::report::{compare, CaseReport, Expected, Outputs, Tolerance, EXACT};

/// A table case: one op (or a short chain of ops) on seeded inputs, run on the backend under
/// test and compared with a plain f64 reference of the same inputs.
///
/// `run` is generic, so the same case also runs on a second backend of a bit-identity run
/// ([`crate::run_against`]).
pub trait Case {
    /// The case's name: the op and the shape it runs on.
    fn name(&self) -> String;
    /// The tolerance against the f64 reference.
    fn tolerance(&self) -> Tolerance;
    /// The outputs on backend `b`.
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs>;
    /// The same outputs computed in f64 with plain loops, from the same inputs.
    fn expected(&self) -> Expected;
    /// For outputs that are draws (sampled token ids): how many elements may differ from the
    /// reference. `None` (the default) compares elementwise with [`Case::tolerance`].
    fn allowed_mismatches(&self, _output: &str) -> Option<usize> {
        None
    }
}

/// Why a check failed: a failed assertion's message or a backend error.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure(pub String);

impl From<BackendError> for Failure {
    fn from(e: BackendError) -> Self {
        Failure(format!("backend error: {e}"))
    }
}

/// What a check returns: `Ok` when every assertion held.
pub type Outcome = core::result::Result<(), Failure>;

/// Requires `r` to be a shape error of `op` whose message contains every one of `needles`;
/// otherwise a failure saying what came instead.
pub fn shape_error<T>(r: Result<T>, op: &str, needles: &[&str]) -> Outcome {
    let (got, detail) = match r {
        Err(BackendError::Shape { op, detail }) => (op, detail),
        Err(e) => return Err(Failure(format!("expected a shape error, got {e:?}"))),
        Ok(_) => return Err(Failure("expected a shape error, got success".into())),
    };
    ensure!(got == op, "op {got}, expected {op}");
    for needle in needles {
        ensure!(detail.contains(needle), "{detail} (no `{needle}`)");
    }
    Ok(())
}

/// Runs the cases of every op family on one backend and collects their reports.
///
/// In a plain run ([`crate::run_all`]) table cases are compared with their f64 reference and
/// checks run. In a bit-identity run ([`crate::run_against`]) table cases are compared with
/// the same case on the `twin` backend, bit for bit, and checks are skipped (they ran in the
/// plain run).
pub struct Suite<'a, B: Backend, R: Backend = B> {
    backend: &'a B,
    twin: Option<&'a R>,
    family: &'static str,
    reports: Vec<CaseReport>,
}

impl<'a, B: Backend, R: Backend> Suite<'a, B, R> {
    /// A suite for `backend`, bit-identical against `twin` when given.
    pub(crate) fn new(backend: &'a B, twin: Option<&'a R>) -> Self {
        Suite {
            backend,
            twin,
            family: "",
            reports: Vec::new(),
        }
    }

    /// Runs one op family's cases (`cases` is the family's `cases` function), naming their
    /// reports after `family`.
    pub(crate) fn family(&mut self, family: &'static str, cases: fn(&mut Self)) {
        self.family = family;
        cases(self);
    }

    /// Runs a table case and records the comparison.
    pub fn table<C: Case>(&mut self, case: &C) {
        let got = case.run(self.backend);
        let report = match self.twin {
            None => compare(
                self.family,
                case.name(),
                case.tolerance(),
                got,
                Ok(case.expected()),
                &|o| case.allowed_mismatches(o),
            ),
            Some(twin) => compare(
                self.family,
                case.name(),
                EXACT,
                got,
                case.run(twin).map(widen),
                &|o| case.allowed_mismatches(o).map(|_| 0),
            ),
        };
        self.reports.push(report);
    }

    /// Runs a check (skipped in a bit-identity run) and records its outcome.
    pub fn check(&mut self, name: impl Into<String>, check: impl FnOnce(&B) -> Outcome) {
        if self.twin.is_some() {
            return;
        }
        let outcome = check(self.backend);
        self.reports.push(CaseReport {
            family: self.family,
            name: name.into(),
            max_abs_diff: 0.0,
            worst_ratio: 0.0,
            tolerance: None,
            passed: outcome.is_ok(),
            detail: outcome.err().map(|f| f.0),
        });
    }

    /// The reports so far.
    pub(crate) fn into_reports(self) -> Vec<CaseReport> {
        self.reports
    }
}

/// A backend's outputs as f64 values (exactly), to serve as the reference of a bit-identity
/// run.
fn widen(outputs: Outputs) -> Expected {
    outputs
        .into_iter()
        .map(|(name, v)| (name, v.into_iter().map(f64::from).collect()))
        .collect()
}
