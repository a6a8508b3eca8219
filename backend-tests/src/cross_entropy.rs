//! The losses over the vocabulary: `cross_entropy`, `cross_entropy_backward`,
//! `token_logprobs`, `token_logprobs_backward` and `token_logprobs_entropy`.

use hir_core::backend::{Backend, Result};

use crate::finite_difference::{fd_check, weighted_sum};
use crate::inputs::{ints, normal};
use crate::report::{Expected, Outputs, Tolerance, F32_REDUCTION};
use crate::suite::{shape_error, Case, Outcome, Suite};

/// The ignored-row marker of the targets.
const IGNORE: u32 = u32::MAX;

/// The cross_entropy family's cases.
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    for (rows, vocab) in [(1, 1), (3, 2), (17, 37), (40, 256)] {
        s.table(&CrossEntropy { rows, vocab });
        for temperature in [1.0, 0.7] {
            s.table(&LogProbs {
                rows,
                vocab,
                temperature,
            });
            s.table(&TrainLogProbs {
                rows,
                vocab,
                temperature,
            });
        }
    }
    s.table(&Precise);
    s.check(
        "cross_entropy_backward with an ignored row against finite differences",
        |b| backward_fd(b),
    );
    s.check(
        "token_logprobs_backward at T=1, 0.7 with an ignored row against finite differences",
        |b| token_logprobs_fd(b),
    );
    s.check("error message names the op and the argument", |b| {
        error_message(b)
    });
    s.check("rejects inconsistent shapes", |b| shape_errors(b));
}

/// Per row of `logits: [rows, vocab]` divided by `temperature` (in f32, as the op does):
/// `(z, lse, entropy)` in f64, `z` the scaled logits.
fn softmax_rows(logits: &[f32], vocab: usize, temperature: f32) -> Vec<(Vec<f64>, f64, f64)> {
    logits
        .chunks(vocab)
        .map(|row| {
            let z: Vec<f64> = row.iter().map(|&x| (x / temperature) as f64).collect();
            let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = max + z.iter().map(|x| (x - max).exp()).sum::<f64>().ln();
            let entropy = -z.iter().map(|x| (x - lse).exp() * (x - lse)).sum::<f64>();
            (z, lse, entropy)
        })
        .collect()
}

/// Targets with every third row (1, 4, 7, …) ignored.
fn targets(rows: usize, vocab: usize) -> Vec<u32> {
    let mut t = ints(61, rows, vocab as u32);
    for r in (1..rows).step_by(3) {
        t[r] = IGNORE;
    }
    t
}

/// `cross_entropy` of seeded logits (scale 3), then its backward for a seeded `dloss`.
struct CrossEntropy {
    rows: usize,
    vocab: usize,
}

impl Case for CrossEntropy {
    fn name(&self) -> String {
        format!("cross_entropy rows={} vocab={}", self.rows, self.vocab)
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (rows, vocab) = (self.rows, self.vocab);
        let logits = b.upload(&normal(60, rows * vocab, 3.0))?;
        let t = b.upload_index(&targets(rows, vocab))?;
        let (loss, lse) = b.cross_entropy(&logits, &t, vocab)?;
        let dloss = b.upload(&normal(62, rows, 1.0))?;
        let dlogits = b.cross_entropy_backward(&logits, &lse, &t, &dloss, vocab)?;
        Ok(vec![
            ("loss", b.download(&loss)?),
            ("lse", b.download(&lse)?),
            ("dlogits", b.download(&dlogits)?),
        ])
    }
    /// `loss = lse − z_target` (0 when ignored); `dlogits = dloss·(softmax − onehot)` (zero
    /// rows when ignored).
    fn expected(&self) -> Expected {
        let (rows, vocab) = (self.rows, self.vocab);
        let logits = normal(60, rows * vocab, 3.0);
        let t = targets(rows, vocab);
        let dloss = normal(62, rows, 1.0);
        let (mut loss, mut lse, mut dlogits) = (Vec::new(), Vec::new(), Vec::new());
        for (r, (z, l, _)) in softmax_rows(&logits, vocab, 1.0).into_iter().enumerate() {
            lse.push(l);
            if t[r] == IGNORE {
                loss.push(0.0);
                dlogits.extend(vec![0.0; vocab]);
                continue;
            }
            loss.push(l - z[t[r] as usize]);
            for (j, zj) in z.iter().enumerate() {
                let onehot = if j == t[r] as usize { 1.0 } else { 0.0 };
                dlogits.push(dloss[r] as f64 * ((zj - l).exp() - onehot));
            }
        }
        vec![("loss", loss), ("lse", lse), ("dlogits", dlogits)]
    }
}

/// `token_logprobs` of seeded logits (scale 3) at `temperature`, then its backward for a
/// seeded `dlogp`.
struct TrainLogProbs {
    rows: usize,
    vocab: usize,
    temperature: f32,
}

impl Case for TrainLogProbs {
    fn name(&self) -> String {
        format!(
            "token_logprobs rows={} vocab={} T={}",
            self.rows, self.vocab, self.temperature
        )
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (rows, vocab, temp) = (self.rows, self.vocab, self.temperature);
        let logits = b.upload(&normal(64, rows * vocab, 3.0))?;
        let t = b.upload_index(&targets(rows, vocab))?;
        let (logp, lse) = b.token_logprobs(&logits, &t, vocab, temp)?;
        let dlogp = b.upload(&normal(65, rows, 1.0))?;
        let dlogits = b.token_logprobs_backward(&logits, &lse, &t, &dlogp, vocab, temp)?;
        Ok(vec![
            ("logp", b.download(&logp)?),
            ("lse", b.download(&lse)?),
            ("dlogits", b.download(&dlogits)?),
        ])
    }
    /// With `z = logits · (1/T)`: `logp = z_target − lse` (0 when ignored), `lse` of `z`,
    /// `dlogits = dlogp · (onehot − softmax(z)) / T` (zero rows when ignored).
    fn expected(&self) -> Expected {
        let (rows, vocab) = (self.rows, self.vocab);
        let logits = normal(64, rows * vocab, 3.0);
        let t = targets(rows, vocab);
        let dlogp = normal(65, rows, 1.0);
        let inv_t = 1.0 / self.temperature as f64;
        let (mut logp, mut lse, mut dlogits) = (Vec::new(), Vec::new(), Vec::new());
        for (r, (z, l, _)) in softmax_rows(&logits, vocab, self.temperature)
            .into_iter()
            .enumerate()
        {
            lse.push(l);
            if t[r] == IGNORE {
                logp.push(0.0);
                dlogits.extend(vec![0.0; vocab]);
                continue;
            }
            logp.push(z[t[r] as usize] - l);
            for (j, zj) in z.iter().enumerate() {
                let onehot = if j == t[r] as usize { 1.0 } else { 0.0 };
                dlogits.push(dlogp[r] as f64 * (onehot - (zj - l).exp()) * inv_t);
            }
        }
        vec![("logp", logp), ("lse", lse), ("dlogits", dlogits)]
    }
}

/// `token_logprobs_entropy` of seeded logits (scale 3) at `temperature`.
struct LogProbs {
    rows: usize,
    vocab: usize,
    temperature: f32,
}

impl Case for LogProbs {
    fn name(&self) -> String {
        format!(
            "token_logprobs_entropy rows={} vocab={} T={}",
            self.rows, self.vocab, self.temperature
        )
    }
    fn tolerance(&self) -> Tolerance {
        F32_REDUCTION
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (rows, vocab) = (self.rows, self.vocab);
        let logits = b.upload(&normal(63, rows * vocab, 3.0))?;
        let t = b.upload_index(&targets(rows, vocab))?;
        let (logp, ent) = b.token_logprobs_entropy(&logits, &t, vocab, self.temperature)?;
        Ok(vec![
            ("logp", b.download(&logp)?),
            ("entropy", b.download(&ent)?),
        ])
    }
    /// `logp = z_target − lse` (0 when ignored) and `entropy = −Σ p log p` of `z = logits/T`.
    fn expected(&self) -> Expected {
        let (rows, vocab) = (self.rows, self.vocab);
        let logits = normal(63, rows * vocab, 3.0);
        let t = targets(rows, vocab);
        let (mut logp, mut ent) = (Vec::new(), Vec::new());
        for (r, (z, l, h)) in softmax_rows(&logits, vocab, self.temperature)
            .into_iter()
            .enumerate()
        {
            logp.push(if t[r] == IGNORE {
                0.0
            } else {
                z[t[r] as usize] - l
            });
            ent.push(h);
        }
        vec![("logp", logp), ("entropy", ent)]
    }
}

/// All three ops on one `[5, 37]` batch of logits of scale 4 (row 3 ignored), within 1e-5
/// absolute of the f64 softmax, at temperatures 1 and 0.6.
struct Precise;

impl Precise {
    const ROWS: usize = 5;
    const VOCAB: usize = 37;
    fn inputs() -> (Vec<f32>, Vec<u32>) {
        let mut targets = ints(18, Self::ROWS, Self::VOCAB as u32);
        targets[3] = IGNORE;
        (normal(17, Self::ROWS * Self::VOCAB, 4.0), targets)
    }
}

impl Case for Precise {
    fn name(&self) -> String {
        format!(
            "cross_entropy and token_logprobs_entropy rows={} vocab={} T=1, 0.6 (abs 1e-5)",
            Self::ROWS,
            Self::VOCAB
        )
    }
    fn tolerance(&self) -> Tolerance {
        Tolerance {
            abs: 1e-5,
            rel: 0.0,
        }
    }
    fn run<B: Backend>(&self, b: &B) -> Result<Outputs> {
        let (logits, targets) = Self::inputs();
        let (z, t) = (b.upload(&logits)?, b.upload_index(&targets)?);
        let (loss, lse) = b.cross_entropy(&z, &t, Self::VOCAB)?;
        let (lp1, h1) = b.token_logprobs_entropy(&z, &t, Self::VOCAB, 1.0)?;
        let (lp6, h6) = b.token_logprobs_entropy(&z, &t, Self::VOCAB, 0.6)?;
        Ok(vec![
            ("loss", b.download(&loss)?),
            ("lse", b.download(&lse)?),
            ("logp T=1", b.download(&lp1)?),
            ("entropy T=1", b.download(&h1)?),
            ("logp T=0.6", b.download(&lp6)?),
            ("entropy T=0.6", b.download(&h6)?),
        ])
    }
    fn expected(&self) -> Expected {
        let (logits, targets) = Self::inputs();
        let at = |temperature: f32| {
            let rows = softmax_rows(&logits, Self::VOCAB, temperature);
            let logp: Vec<f64> = rows
                .iter()
                .zip(&targets)
                .map(|((z, l, _), &t)| if t == IGNORE { 0.0 } else { z[t as usize] - l })
                .collect();
            let lse: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let ent: Vec<f64> = rows.iter().map(|r| r.2).collect();
            (logp, lse, ent)
        };
        let (lp1, lse, h1) = at(1.0);
        let (lp6, _, h6) = at(0.6);
        let loss = lp1.iter().map(|l| -l).collect();
        vec![
            ("loss", loss),
            ("lse", lse),
            ("logp T=1", lp1),
            ("entropy T=1", h1),
            ("logp T=0.6", lp6),
            ("entropy T=0.6", h6),
        ]
    }
}

/// `L = Σ dloss ⊙ cross_entropy(z)`: the backward against finite differences; an ignored
/// row's gradient is exactly zero.
fn backward_fd<B: Backend>(b: &B) -> Outcome {
    for (rows, vocab) in [(1, 1), (4, 7), (3, 33)] {
        let logits = normal(15, rows * vocab, 2.0);
        let mut targets = ints(16, rows, vocab as u32);
        if rows > 1 {
            targets[1] = IGNORE;
        }
        let t = b.upload_index(&targets)?;
        let dloss = normal(17, rows, 1.0);
        let obj = |z: &[f32]| {
            let (loss, _) = b.cross_entropy(&b.upload(z)?, &t, vocab)?;
            Ok(weighted_sum(&dloss, &b.download(&loss)?))
        };
        let z = b.upload(&logits)?;
        let (_, lse) = b.cross_entropy(&z, &t, vocab)?;
        let d = b.cross_entropy_backward(&z, &lse, &t, &b.upload(&dloss)?, vocab)?;
        let d = b.download(&d)?;
        if rows > 1 {
            ensure!(
                d[vocab..2 * vocab].iter().all(|&x| x == 0.0),
                "ignored row {rows}x{vocab}: {:?}",
                &d[vocab..2 * vocab]
            );
        }
        fd_check(
            &format!("cross_entropy {rows}x{vocab}"),
            &logits,
            &d,
            1.0,
            obj,
        )?;
    }
    Ok(())
}

/// `L = Σ dlogp ⊙ token_logprobs(z, T)`: the backward (with respect to the unscaled logits)
/// against finite differences; an ignored row's gradient is exactly zero.
fn token_logprobs_fd<B: Backend>(b: &B) -> Outcome {
    for temperature in [1.0, 0.7] {
        for (rows, vocab) in [(1, 1), (4, 7), (3, 33)] {
            let logits = normal(19, rows * vocab, 2.0);
            let mut targets = ints(20, rows, vocab as u32);
            if rows > 1 {
                targets[1] = IGNORE;
            }
            let t = b.upload_index(&targets)?;
            let dlogp = normal(21, rows, 1.0);
            let obj = |z: &[f32]| {
                let (logp, _) = b.token_logprobs(&b.upload(z)?, &t, vocab, temperature)?;
                Ok(weighted_sum(&dlogp, &b.download(&logp)?))
            };
            let z = b.upload(&logits)?;
            let (_, lse) = b.token_logprobs(&z, &t, vocab, temperature)?;
            let d =
                b.token_logprobs_backward(&z, &lse, &t, &b.upload(&dlogp)?, vocab, temperature)?;
            let d = b.download(&d)?;
            if rows > 1 {
                ensure!(
                    d[vocab..2 * vocab].iter().all(|&x| x == 0.0),
                    "ignored row {rows}x{vocab} T={temperature}: {:?}",
                    &d[vocab..2 * vocab]
                );
            }
            let name = format!("token_logprobs {rows}x{vocab} T={temperature}");
            fd_check(&name, &logits, &d, 1.0, obj)?;
        }
    }
    Ok(())
}

/// A target past the vocabulary names the target and the ignore marker.
fn error_message<B: Backend>(b: &B) -> Outcome {
    let r = b.cross_entropy(&b.upload(&[0.0; 6])?, &b.upload_index(&[1, 7])?, 3);
    shape_error(r, "cross_entropy", &["targets[1]", "u32::MAX"])
}

/// Every call with inconsistent sizes (or a temperature of 0) is an error, not a panic or a
/// success.
fn shape_errors<B: Backend>(b: &B) -> Outcome {
    let t = |n: usize| b.upload(&normal(70, n, 1.0));
    let ix = |v: &[u32]| b.upload_index(v);
    ensure!(
        b.cross_entropy(&t(6)?, &ix(&[0, 3])?, 3).is_err(),
        "cross_entropy with target 3 of vocab 3"
    );
    ensure!(
        b.cross_entropy_backward(&t(6)?, &t(2)?, &ix(&[0, 1])?, &t(3)?, 3)
            .is_err(),
        "cross_entropy_backward with dloss of 3 for 2 rows"
    );
    ensure!(
        b.token_logprobs_entropy(&t(6)?, &ix(&[0])?, 3, 1.0)
            .is_err(),
        "token_logprobs_entropy with 1 target for 2 rows"
    );
    ensure!(
        b.token_logprobs_entropy(&t(6)?, &ix(&[0, 0])?, 3, 0.0)
            .is_err(),
        "token_logprobs_entropy at temperature 0"
    );
    ensure!(
        b.token_logprobs(&t(6)?, &ix(&[0, 0])?, 3, 0.0).is_err(),
        "token_logprobs at temperature 0"
    );
    ensure!(
        b.token_logprobs(&t(6)?, &ix(&[0, 5])?, 3, 1.0).is_err(),
        "token_logprobs with target 5 of vocab 3"
    );
    ensure!(
        b.token_logprobs_backward(&t(6)?, &t(2)?, &ix(&[0, 1])?, &t(3)?, 3, 1.0)
            .is_err(),
        "token_logprobs_backward with dlogp of 3 for 2 rows"
    );
    ensure!(
        b.token_logprobs_backward(&t(6)?, &t(2)?, &ix(&[0, 1])?, &t(2)?, 3, f32::NAN)
            .is_err(),
        "token_logprobs_backward at temperature NaN"
    );
    Ok(())
}
