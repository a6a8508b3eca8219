//! # hir-kernels
//!
//! The WGSL compute kernels of hir's wgpu backend (`hir-backend-wgpu`), one file per op
//! family under `src/wgsl/`, embedded with `include_str!` and exposed as [`Shader`] constants.
//! A family has the same name as its contract in `hir_core::backend`, its CPU reference in
//! `hir-backend-cpu` and its host code in `hir-backend-wgpu/src/ops/`. [`all`] lists every shader by name; the test `tests/validate.rs` parses and validates each
//! one with naga (the shader compiler wgpu uses).
//!
//! Conventions every kernel follows (the Rust side of `hir-backend-wgpu` relies on them):
//! - `@group(0) @binding(0)` is a `var<uniform>` struct of 4-byte scalars (`u32`, `i32`,
//!   `f32`): the op's parameters, in the order the Rust side pushes them.
//! - `@group(0) @binding(1..)` are the storage buffers, in the order the Rust side passes
//!   them; `var<storage, read>` for inputs, `var<storage, read_write>` for outputs. Different
//!   entry points of one file may reuse a binding number with another variable.
//! - One-dimensional kernels run 256 threads per workgroup on a 2-D grid of workgroups
//!   (`x ≤ 65535`), flattened as `gid.x + gid.y · num_workgroups.x · 256`.
//! - No kernel assumes a subgroup size (lavapipe's is 8); subgroup builtins are only used by
//!   entry points that the backend selects after checking `Features::SUBGROUP`.
#![no_std]
#![warn(missing_docs)]

/// One WGSL source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shader {
    /// The registry name (the file name without `.wgsl`); also the pipeline-cache key.
    pub name: &'static str,
    /// The WGSL source.
    pub source: &'static str,
}

macro_rules! shaders {
    ($($(#[$doc:meta])* $id:ident = $name:literal;)*) => {
        $(
            $(#[$doc])*
            pub const $id: Shader = Shader {
                name: $name,
                source: include_str!(concat!("wgsl/", $name, ".wgsl")),
            };
        )*

        /// Every shader as `(name, WGSL source)`, in registry order.
        pub fn all() -> &'static [(&'static str, &'static str)] {
            &[$(($id.name, $id.source)),*]
        }

        /// Every shader as a [`Shader`], in registry order.
        pub fn shaders() -> &'static [Shader] {
            &[$($id),*]
        }
    };
}

shaders! {
    /// `axpy`, `scale`, `add_bias`, `bias_backward_acc`, `gather_rows`.
    ELEMENTWISE = "elementwise";
    /// Register-blocked, double-buffered tiled matrix product (transposes, alpha/beta, tile
    /// sizes, vec4 and unchecked variants as override constants) and matrix–vector.
    MATMUL = "matmul";
    /// The few-row matrix product (2 ≤ m ≤ 64 rows against a weight stored `[n, k]`).
    MATMUL_ROWS = "matmul_rows";
    /// Embedding lookup and its deterministic (atomic-free, token-ordered) backward.
    EMBEDDING = "embedding";
    /// RMSNorm forward, backward `dx` and `dw`.
    RMSNORM = "rmsnorm";
    /// Rotary position embedding (forward and inverse) from a host-computed cos/sin table.
    ROPE = "rope";
    /// SwiGLU gating forward and backward.
    SWIGLU = "swiglu";
    /// Causal grouped-query attention for training, forward and backward.
    ATTENTION = "attention";
    /// The KV cache: writing new keys/values and attention against the cache.
    KV_CACHE = "kv_cache";
    /// Softmax cross-entropy, per-token log-prob and entropy.
    CROSS_ENTROPY = "cross_entropy";
    /// Sum of squares (global grad norm) and AdamW.
    OPTIM = "optim";
    /// Seeded temperature / top-p sampling.
    SAMPLE = "sample";
    /// PPO-clip policy loss with KL estimators, forward and backward.
    POLICY_LOSS = "policy_loss";
}

/// The shader registered under `name`, if any.
pub fn get(name: &str) -> Option<Shader> {
    shaders().iter().copied().find(|s| s.name == name)
}
