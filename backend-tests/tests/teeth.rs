//! The shared suite must catch a backend that is wrong: a wrapper around `CpuBackend` that
//! breaks one op at a time (a 1e-3 relative error, a wrong sign, a lost term, an accepted bad
//! shape, an overwritten accumulator, a read of an ignored input) must make cases of that
//! op's family fail, and only those.

use hir_backend_cpu::{CpuBackend, CpuIndex, CpuTensor};
use hir_backend_tests::run_all;
use hir_core::backend::{
    AdamWParams, AttentionSaved, AttentionShape, Backend, CachedAttention, KvCacheShape, Matmul,
    PolicyLossParams, PolicyLossSums, Result, SampleParams,
};

/// Which op the mutant gets wrong.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    /// `dk` of the attention backward is off by 0.1%.
    AttentionDk,
    /// RoPE rotates the wrong way.
    RopeSign,
    /// `cross_entropy` loses the target term of the last row.
    CrossEntropyLastRow,
    /// `swiglu` accepts mismatched lengths (truncates instead of failing).
    SwigluAcceptsBadShape,
    /// `policy_loss` forgets the dual clip of negative-advantage tokens.
    PolicyLossNoDualClip,
    /// `rmsnorm_backward` overwrites `dw` instead of adding into it.
    RmsnormOverwritesDw,
    /// `matmul` with `beta = 0` still reads `C` (as `1e-30·C`, which NaN poisons).
    MatmulReadsCAtBetaZero,
}

struct Mutant {
    cpu: CpuBackend,
    fault: Fault,
}

fn scaled(b: &CpuBackend, t: CpuTensor, s: f32) -> Result<CpuTensor> {
    let mut t = t;
    b.scale(&mut t, s)?;
    Ok(t)
}

impl Backend for Mutant {
    type Tensor = CpuTensor;
    type Index = CpuIndex;
    fn name(&self) -> String {
        "mutant".into()
    }
    fn upload(&self, d: &[f32]) -> Result<CpuTensor> {
        self.cpu.upload(d)
    }
    fn upload_index(&self, d: &[u32]) -> Result<CpuIndex> {
        self.cpu.upload_index(d)
    }
    fn zeros(&self, n: usize) -> Result<CpuTensor> {
        self.cpu.zeros(n)
    }
    fn download(&self, t: &CpuTensor) -> Result<Vec<f32>> {
        self.cpu.download(t)
    }
    fn download_index(&self, t: &CpuIndex) -> Result<Vec<u32>> {
        self.cpu.download_index(t)
    }
    fn len(&self, t: &CpuTensor) -> usize {
        self.cpu.len(t)
    }
    fn index_len(&self, t: &CpuIndex) -> usize {
        self.cpu.index_len(t)
    }
    fn copy(&self, t: &CpuTensor) -> Result<CpuTensor> {
        self.cpu.copy(t)
    }
    fn fill_zero(&self, t: &mut CpuTensor) -> Result<()> {
        self.cpu.fill_zero(t)
    }
    fn axpy(&self, a: f32, x: &CpuTensor, y: &mut CpuTensor) -> Result<()> {
        self.cpu.axpy(a, x, y)
    }
    fn scale(&self, x: &mut CpuTensor, a: f32) -> Result<()> {
        self.cpu.scale(x, a)
    }
    fn add_bias(&self, x: &mut CpuTensor, b: &CpuTensor, c: usize) -> Result<()> {
        self.cpu.add_bias(x, b, c)
    }
    fn bias_backward_acc(&self, dy: &CpuTensor, db: &mut CpuTensor, c: usize) -> Result<()> {
        self.cpu.bias_backward_acc(dy, db, c)
    }
    fn gather_rows(&self, x: &CpuTensor, r: &CpuIndex, c: usize) -> Result<CpuTensor> {
        self.cpu.gather_rows(x, r, c)
    }
    fn matmul(&self, a: &CpuTensor, b: &CpuTensor, c: &mut CpuTensor, mm: Matmul) -> Result<()> {
        let mut mm = mm;
        if mm.beta == 0.0 && self.fault == Fault::MatmulReadsCAtBetaZero {
            mm.beta = 1e-30;
        }
        self.cpu.matmul(a, b, c, mm)
    }
    fn embedding(&self, t: &CpuTensor, ids: &CpuIndex, d: usize) -> Result<CpuTensor> {
        self.cpu.embedding(t, ids, d)
    }
    fn embedding_backward_acc(
        &self,
        dout: &CpuTensor,
        ids: &CpuIndex,
        dt: &mut CpuTensor,
        d: usize,
    ) -> Result<()> {
        self.cpu.embedding_backward_acc(dout, ids, dt, d)
    }
    fn rmsnorm(
        &self,
        x: &CpuTensor,
        w: &CpuTensor,
        d: usize,
        eps: f32,
    ) -> Result<(CpuTensor, CpuTensor)> {
        self.cpu.rmsnorm(x, w, d, eps)
    }
    fn rmsnorm_backward(
        &self,
        dy: &CpuTensor,
        x: &CpuTensor,
        w: &CpuTensor,
        rstd: &CpuTensor,
        dw: &mut CpuTensor,
        d: usize,
    ) -> Result<CpuTensor> {
        if self.fault == Fault::RmsnormOverwritesDw {
            self.cpu.fill_zero(dw)?;
        }
        self.cpu.rmsnorm_backward(dy, x, w, rstd, dw, d)
    }
    fn rope(
        &self,
        x: &mut CpuTensor,
        pos: &CpuIndex,
        h: usize,
        e: usize,
        theta: f32,
        inverse: bool,
    ) -> Result<()> {
        let inverse = inverse ^ (self.fault == Fault::RopeSign);
        self.cpu.rope(x, pos, h, e, theta, inverse)
    }
    fn attention(
        &self,
        q: &CpuTensor,
        k: &CpuTensor,
        v: &CpuTensor,
        s: &[u32],
        shape: AttentionShape,
    ) -> Result<(CpuTensor, CpuTensor)> {
        self.cpu.attention(q, k, v, s, shape)
    }
    fn attention_backward(
        &self,
        d_o: &CpuTensor,
        saved: AttentionSaved<'_, CpuTensor>,
        s: &[u32],
        shape: AttentionShape,
    ) -> Result<(CpuTensor, CpuTensor, CpuTensor)> {
        let (dq, dk, dv) = self.cpu.attention_backward(d_o, saved, s, shape)?;
        let f = if self.fault == Fault::AttentionDk {
            1.001
        } else {
            1.0
        };
        Ok((dq, scaled(&self.cpu, dk, f)?, dv))
    }
    fn kv_cache_write(
        &self,
        c: &mut CpuTensor,
        x: &CpuTensor,
        slot: &CpuIndex,
        pos: &CpuIndex,
        shape: KvCacheShape,
    ) -> Result<()> {
        self.cpu.kv_cache_write(c, x, slot, pos, shape)
    }
    fn attention_cached(
        &self,
        q: &CpuTensor,
        kc: &CpuTensor,
        vc: &CpuTensor,
        slot: &CpuIndex,
        pos: &CpuIndex,
        shape: CachedAttention,
    ) -> Result<CpuTensor> {
        self.cpu.attention_cached(q, kc, vc, slot, pos, shape)
    }
    fn swiglu(&self, g: &CpuTensor, u: &CpuTensor) -> Result<CpuTensor> {
        if self.fault == Fault::SwigluAcceptsBadShape && g.len() != u.len() {
            return self.cpu.zeros(g.len().min(u.len()));
        }
        self.cpu.swiglu(g, u)
    }
    fn swiglu_backward(
        &self,
        dh: &CpuTensor,
        g: &CpuTensor,
        u: &CpuTensor,
    ) -> Result<(CpuTensor, CpuTensor)> {
        self.cpu.swiglu_backward(dh, g, u)
    }
    fn cross_entropy(
        &self,
        z: &CpuTensor,
        t: &CpuIndex,
        v: usize,
    ) -> Result<(CpuTensor, CpuTensor)> {
        let (loss, lse) = self.cpu.cross_entropy(z, t, v)?;
        if self.fault != Fault::CrossEntropyLastRow {
            return Ok((loss, lse));
        }
        let mut l = loss.into_vec();
        if let (Some(last), Some(&tgt)) = (l.last_mut(), t.as_slice().last()) {
            if tgt != u32::MAX {
                *last += z.as_slice()[z.len() - v + tgt as usize];
            }
        }
        Ok((CpuTensor::from_vec(l), lse))
    }
    fn cross_entropy_backward(
        &self,
        z: &CpuTensor,
        lse: &CpuTensor,
        t: &CpuIndex,
        dl: &CpuTensor,
        v: usize,
    ) -> Result<CpuTensor> {
        self.cpu.cross_entropy_backward(z, lse, t, dl, v)
    }
    fn token_logprobs_entropy(
        &self,
        z: &CpuTensor,
        t: &CpuIndex,
        v: usize,
        temp: f32,
    ) -> Result<(CpuTensor, CpuTensor)> {
        self.cpu.token_logprobs_entropy(z, t, v, temp)
    }
    fn sum_squares(&self, xs: &[&CpuTensor]) -> Result<f32> {
        self.cpu.sum_squares(xs)
    }
    fn adamw_step(
        &self,
        p: &mut CpuTensor,
        g: &CpuTensor,
        m: &mut CpuTensor,
        v: &mut CpuTensor,
        prm: &AdamWParams,
    ) -> Result<()> {
        self.cpu.adamw_step(p, g, m, v, prm)
    }
    fn sample(&self, z: &CpuTensor, v: usize, seeds: &[u64], p: &SampleParams) -> Result<Vec<u32>> {
        self.cpu.sample(z, v, seeds, p)
    }
    fn policy_loss(
        &self,
        logp: &CpuTensor,
        old: &CpuTensor,
        reference: &CpuTensor,
        adv: &CpuTensor,
        w: &CpuTensor,
        p: &PolicyLossParams,
    ) -> Result<(CpuTensor, PolicyLossSums)> {
        let mut p = *p;
        if self.fault == Fault::PolicyLossNoDualClip {
            p.clip.clip_ratio_c = f32::INFINITY;
        }
        self.cpu.policy_loss(logp, old, reference, adv, w, &p)
    }
}

#[test]
fn each_fault_fails_exactly_its_own_family() {
    // The families a fault may fail: its op's own, and for matmul also `weight` (the products
    // with a stored `b`, which this mutant, like any backend without stored formats, runs
    // through its f32 matmul).
    let expectations: [(Fault, &[&str]); 7] = [
        (Fault::AttentionDk, &["attention"]),
        (Fault::RopeSign, &["rope"]),
        (Fault::CrossEntropyLastRow, &["cross_entropy"]),
        (Fault::SwigluAcceptsBadShape, &["swiglu"]),
        (Fault::PolicyLossNoDualClip, &["policy_loss"]),
        (Fault::RmsnormOverwritesDw, &["rmsnorm"]),
        (Fault::MatmulReadsCAtBetaZero, &["matmul", "weight"]),
    ];
    for (fault, families) in expectations {
        let family = families[0];
        let mutant = Mutant {
            cpu: CpuBackend::new(),
            fault,
        };
        let reports = run_all(&mutant);
        let failed: Vec<String> = reports
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.to_string())
            .collect();
        println!("fault on `{family}`: {} cases failed", failed.len());
        for f in failed.iter().take(3) {
            println!("  {f}");
        }
        assert!(!failed.is_empty(), "fault on `{family}` went unnoticed");
        for r in reports.iter().filter(|r| !r.passed) {
            assert!(
                families.contains(&r.family),
                "fault on `{family}` failed an unrelated case: {r}"
            );
        }
    }
}
