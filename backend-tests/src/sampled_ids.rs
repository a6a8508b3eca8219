//! Sampled ids kept on the device: `sample_to_index` (the same ids as `sample`),
//! `download_indices` (several index buffers read back at once, in order), `embedding` of
//! sampled ids (the next decode step's input, no readback), and the ops that need ids on the
//! host, which either take a sampled buffer as if it were uploaded or refuse it with a shape
//! error naming the op ([`host_ops`]; a backend that keeps sampled ids device-only, like
//! wgpu, must refuse: its runner calls it with `strict`).

use hir_core::backend::{Backend, Result, SampleParams};

use crate::inputs::{ints, normal};
use crate::kv_cache::{attention_cached, kv_cache_write, CacheDims};
use crate::suite::{shape_error, Failure, Outcome, Suite};

/// The sampled_ids family's cases (all checks: the reference is the backend's own `sample`,
/// `download_index` and `upload_index`).
pub fn cases<B: Backend, R: Backend>(s: &mut Suite<'_, B, R>) {
    s.check("sample_to_index draws sample's ids", |b| same_as_sample(b));
    s.check("download_indices reads every buffer, in order", |b| {
        download_indices(b)
    });
    s.check("embedding of sampled ids copies their rows", |b| {
        embedding_of_sampled(b)
    });
    s.check("embedding refuses sampled ids beyond its table", |b| {
        embedding_refuses_large_ids(b)
    });
    s.check("ops needing host ids take or refuse sampled ids", |b| {
        host_ops(b, false)
    });
}

/// Greedy, `T = 1`, and `T = 0.7` with `top_p = 0.9`.
const SETTINGS: [SampleParams; 3] = [
    SampleParams {
        temperature: 0.0,
        top_p: 1.0,
    },
    SampleParams {
        temperature: 1.0,
        top_p: 1.0,
    },
    SampleParams {
        temperature: 0.7,
        top_p: 0.9,
    },
];

/// Ids `targets` drawn on the device: greedy over logits with a 10 above the rest at each
/// row's target (`vocab` columns).
fn sampled<B: Backend>(b: &B, targets: &[u32], vocab: usize) -> Result<B::Index> {
    let mut z = normal(31, targets.len() * vocab, 1.0);
    for (r, &t) in targets.iter().enumerate() {
        z[r * vocab + t as usize] = 10.0;
    }
    let seeds: Vec<u64> = (0..targets.len() as u64).collect();
    b.sample_to_index(&b.upload(&z)?, vocab, &seeds, &SETTINGS[0])
}

fn same_as_sample<B: Backend>(b: &B) -> Outcome {
    for (rows, vocab) in [(1, 1), (13, 37), (64, 256)] {
        let z = b.upload(&normal(20, rows * vocab, 2.0))?;
        let seeds: Vec<u64> = (0..rows as u64).map(|s| s * 7919 + 1).collect();
        for p in &SETTINGS {
            let want = b.sample(&z, vocab, &seeds, p)?;
            let ids = b.sample_to_index(&z, vocab, &seeds, p)?;
            ensure!(
                b.index_len(&ids) == rows,
                "rows={rows}: {} ids",
                b.index_len(&ids)
            );
            let got = b.download_index(&ids)?;
            ensure!(
                got == want,
                "rows={rows} vocab={vocab} {p:?}: {got:?} vs {want:?}"
            );
        }
    }
    // Zero rows: an empty buffer.
    let ids = b.sample_to_index(&b.upload(&[])?, 5, &[], &SETTINGS[1])?;
    ensure!(
        b.index_len(&ids) == 0,
        "zero rows: {} ids",
        b.index_len(&ids)
    );
    ensure!(b.download_index(&ids)?.is_empty(), "zero rows read back");
    // The argument checks are `sample`'s.
    let z = b.upload(&[0.0; 6])?;
    shape_error(
        b.sample_to_index(&z, 3, &[1], &SETTINGS[0]),
        "sample",
        &["seeds"],
    )?;
    shape_error(
        b.sample_to_index(
            &z,
            3,
            &[1, 2],
            &SampleParams {
                temperature: 1.0,
                top_p: 0.0,
            },
        ),
        "sample",
        &["top_p"],
    )
}

fn download_indices<B: Backend>(b: &B) -> Outcome {
    ensure!(b.download_indices(&[])?.is_empty(), "no buffers");
    let a = vec![3, 0, 36, 5, 17];
    let c = vec![1, 1, 2];
    let up = ints(5, 700, 1000);
    let bufs = [
        sampled(b, &a, 37)?,
        b.upload_index(&up)?,
        b.upload_index(&[])?,
        sampled(b, &c, 4)?,
        sampled(b, &[], 4)?,
        sampled(b, &a[..1], 37)?,
    ];
    let want: Vec<Vec<u32>> = vec![a.clone(), up, vec![], c, vec![], a[..1].to_vec()];
    let refs: Vec<&B::Index> = bufs.iter().collect();
    let got = b.download_indices(&refs)?;
    ensure!(got == want, "download_indices: {got:?}");
    for (t, w) in bufs.iter().zip(&want) {
        ensure!(&b.download_index(t)? == w, "download_index of one buffer");
    }
    // The same buffer twice, and the buffers still usable afterwards.
    let got = b.download_indices(&[&bufs[3], &bufs[0], &bufs[3]])?;
    ensure!(
        got == vec![want[3].clone(), a.clone(), want[3].clone()],
        "repeated buffers: {got:?}"
    );
    Ok(())
}

fn embedding_of_sampled<B: Backend>(b: &B) -> Outcome {
    for (vocab, dim) in [(1, 1), (37, 7), (256, 33)] {
        let targets = ints(8, 21, vocab as u32);
        let ids = sampled(b, &targets, vocab)?;
        let table = normal(6, vocab * dim, 1.0);
        let out = b.download(&b.embedding(&b.upload(&table)?, &ids, dim)?)?;
        let want: Vec<f32> = targets
            .iter()
            .flat_map(|&t| table[t as usize * dim..(t as usize + 1) * dim].to_vec())
            .collect();
        ensure!(out == want, "V={vocab} dim={dim}: rows of the sampled ids");
        // A table with more rows than the vocabulary the ids were drawn from.
        let big = normal(7, (vocab + 5) * dim, 1.0);
        let out = b.download(&b.embedding(&b.upload(&big)?, &ids, dim)?)?;
        let want: Vec<f32> = targets
            .iter()
            .flat_map(|&t| big[t as usize * dim..(t as usize + 1) * dim].to_vec())
            .collect();
        ensure!(out == want, "V={vocab} dim={dim}: larger table");
    }
    let none = sampled(b, &[], 5)?;
    ensure!(
        b.len(&b.embedding(&b.upload(&[1.0; 10])?, &none, 2)?) == 0,
        "no ids: an empty output"
    );
    Ok(())
}

fn embedding_refuses_large_ids<B: Backend>(b: &B) -> Outcome {
    // Ids 20 and 30 drawn from 37 columns; the table has 13 rows.
    let ids = sampled(b, &[2, 20, 30], 37)?;
    let table = b.upload(&normal(6, 13 * 4, 1.0))?;
    shape_error(b.embedding(&table, &ids, 4), "embedding", &["13"])
}

/// Every op that reads ids on the host (`gather_rows`, `embedding_backward_acc`,
/// `cross_entropy`, `cross_entropy_backward`, `token_logprobs`, `token_logprobs_backward`,
/// `token_logprobs_entropy`, `rope`,
/// `kv_cache_write`, `attention_cached`) given a sampled index buffer: either the result of
/// the same ids uploaded (bit for bit), or a shape error naming the op and saying the ids are
/// not on the host. With `strict`, only the refusal passes.
pub fn host_ops<B: Backend>(b: &B, strict: bool) -> Outcome {
    let ids = [2u32, 0, 3];
    let dev = sampled(b, &ids, 4)?;
    let host = b.upload_index(&ids)?;
    let x = normal(40, 4 * 6, 1.0);
    let z = b.upload(&normal(41, 3 * 4, 1.0))?;
    let one = |r: Result<Vec<f32>>, want: Result<Vec<f32>>, op: &str| -> Outcome {
        match r {
            Ok(got) if !strict => {
                let want = want?;
                ensure!(
                    got == want,
                    "{op}: sampled ids give {got:?}, uploaded {want:?}"
                );
                Ok(())
            }
            Ok(_) => Err(Failure(format!(
                "{op} took device-only ids without a refusal"
            ))),
            Err(e) => shape_error::<()>(Err(e), op, &["host"]),
        }
    };
    let gather = |i: &B::Index| b.download(&b.gather_rows(&b.upload(&x)?, i, 6)?);
    one(gather(&dev), gather(&host), "gather_rows")?;
    let emb_back = |i: &B::Index| {
        let mut dt = b.upload(&x)?;
        b.embedding_backward_acc(&b.upload(&x[..18])?, i, &mut dt, 6)?;
        b.download(&dt)
    };
    one(emb_back(&dev), emb_back(&host), "embedding_backward_acc")?;
    let ce = |i: &B::Index| b.download(&b.cross_entropy(&z, i, 4)?.0);
    one(ce(&dev), ce(&host), "cross_entropy")?;
    let ce_back = |i: &B::Index| {
        let (_, lse) = b.cross_entropy(&z, &host, 4)?;
        b.download(&b.cross_entropy_backward(&z, &lse, i, &b.upload(&[1.0; 3])?, 4)?)
    };
    one(ce_back(&dev), ce_back(&host), "cross_entropy_backward")?;
    let lp = |i: &B::Index| b.download(&b.token_logprobs_entropy(&z, i, 4, 1.0)?.0);
    one(lp(&dev), lp(&host), "token_logprobs_entropy")?;
    let lp = |i: &B::Index| b.download(&b.token_logprobs(&z, i, 4, 0.7)?.0);
    one(lp(&dev), lp(&host), "token_logprobs")?;
    let lp_back = |i: &B::Index| {
        let (_, lse) = b.token_logprobs(&z, &host, 4, 0.7)?;
        let dlogp = b.upload(&[1.0, -0.5, 2.0])?;
        b.download(&b.token_logprobs_backward(&z, &lse, i, &dlogp, 4, 0.7)?)
    };
    one(lp_back(&dev), lp_back(&host), "token_logprobs_backward")?;
    let rope = |i: &B::Index| {
        let mut t = b.upload(&x[..18])?;
        b.rope(&mut t, i, 1, 6, 10_000.0, false)?;
        b.download(&t)
    };
    one(rope(&dev), rope(&host), "rope")?;
    // Slots 2, 0, 3 of a 4-slot cache, positions 0, 1, 2 (max_len 3, one head of 2).
    let d = CacheDims {
        max_len: 3,
        heads: 1,
        kv_heads: 1,
        head_dim: 2,
    };
    let pos = b.upload_index(&[0, 1, 2])?;
    let write = |i: &B::Index| {
        let mut cache = b.zeros(4 * 3 * 2)?;
        kv_cache_write(b, &mut cache, &b.upload(&x[..6])?, (i, &pos), d)?;
        b.download(&cache)
    };
    one(write(&dev), write(&host), "kv_cache_write")?;
    let (kc, vc) = (
        b.upload(&normal(42, 24, 1.0))?,
        b.upload(&normal(43, 24, 1.0))?,
    );
    let attend = |i: &B::Index| {
        let q = b.upload(&x[..6])?;
        b.download(&attention_cached(b, &q, (&kc, &vc), (i, &pos), d)?)
    };
    one(attend(&dev), attend(&host), "attention_cached")
}
