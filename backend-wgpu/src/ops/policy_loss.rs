//! The PPO-clip policy loss (kernel `policy_loss` in `hir_kernels::POLICY_LOSS`): one thread
//! per token computes `dlogp` and its contributions to the six token sums; each workgroup
//! reduces them, and the host adds the per-workgroup partials in f64 (the op's contract asks
//! for f64 accumulation, which WGSL lacks), in workgroup order.

use hir_core::backend::{PolicyLossParams, PolicyLossSums, Result};
use hir_core::rl::KlEstimator;
use hir_kernels::POLICY_LOSS;

use crate::dispatch::{grid_1d, Binding, Kernel, Params};
use crate::gpu::Gpu;
use crate::ops::memory::download;
use hir_core::backend::policy_loss::check;

use crate::dispatch::to_u32;
use crate::tensor::WgpuTensor;

/// Tokens per workgroup (`WG` in the WGSL).
const WG: usize = 256;
/// Sums per workgroup in `partials`.
const SUMS: usize = 6;

/// See `Backend::policy_loss`.
pub(crate) fn policy_loss(
    gpu: &Gpu,
    logp: &WgpuTensor,
    old_logp: &WgpuTensor,
    ref_logp: &WgpuTensor,
    adv: &WgpuTensor,
    weight: &WgpuTensor,
    p: &PolicyLossParams,
) -> Result<(WgpuTensor, PolicyLossSums)> {
    const OP: &str = "policy_loss";
    let n = check(logp.len, [old_logp.len, ref_logp.len, adv.len, weight.len])?;
    let dlogp = gpu.alloc(n);
    if n == 0 {
        return Ok((dlogp, PolicyLossSums::default()));
    }
    let blocks = n.div_ceil(WG);
    let partials = gpu.alloc(blocks * SUMS);
    let kl = match p.kl {
        KlEstimator::K1 => 1,
        KlEstimator::K2 => 2,
        KlEstimator::K3 => 3,
    };
    gpu.dispatch(
        Kernel::new(POLICY_LOSS, "policy_loss"),
        &[
            Binding::read(logp),
            Binding::read(old_logp),
            Binding::read(ref_logp),
            Binding::read(adv),
            Binding::read(weight),
            Binding::write(&dlogp),
            Binding::write(&partials),
        ],
        &Params::new()
            .u32(to_u32(OP, "len", n)?)
            .f32(p.clip.clip_ratio_low)
            .f32(p.clip.clip_ratio_high)
            .f32(p.clip.clip_ratio_c)
            .f32(p.kl_coef)
            .u32(kl),
        grid_1d(n, WG as u32),
    )?;
    let part = download(gpu, &partials)?;
    let mut s = [0.0f64; SUMS];
    for block in part.chunks_exact(SUMS) {
        for (acc, &x) in s.iter_mut().zip(block) {
            *acc += x as f64;
        }
    }
    let sums = PolicyLossSums {
        pg_loss: s[0] as f32,
        kl_loss: s[1] as f32,
        tokens: s[2] as f32,
        clipped: s[3] as f32,
        clipped_lower: s[4] as f32,
        neg_log_ratio: s[5] as f32,
    };
    Ok((dlogp, sums))
}
