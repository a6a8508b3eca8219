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
//!   the derived subgroup variants below, which the backend selects after checking
//!   `Features::SUBGROUP`.
//!
//! ## f16-storage variants
//!
//! A frozen weight uploaded in f16 (`Backend::upload_weight` with `WeightFormat::F16`, on an
//! adapter with `SHADER_F16`) is multiplied and gathered by variants of four kernels that
//! read it as f16 and compute in f32. They are not separate files: each [`F16Variant`]
//! derives its source from the f32 one by one documented textual substitution — the
//! declaration of the weight's binding (`array<vec4<f32>>` → `array<vec4<f16>>`, or
//! `array<f32>` → `array<f16>`; for `gate_up_swiglu`, whose two weight bindings share one
//! element type, the alias `W4` that types them) — and prepends `enable f16;`. The f32 sources read that
//! binding only through helpers that convert to f32 (`f32(…)`, `vec4<f32>(…)`: the identity
//! in the f32 kernel), so the kernel bodies are shared; `tests/validate.rs` validates the
//! derived sources too.
//!
//! ## Subgroup variants
//!
//! On an adapter with `Features::SUBGROUP`, a kernel that gains from subgroup operations
//! runs a [`SubgroupVariant`], again derived from the one source: the source is written for
//! subgroups of one invocation (small helpers such as `fn sg_add(x: f32) -> f32 { return
//! x; }`, and `(t, 256)` as the subgroup id and count), and the variant replaces exactly
//! those lines with the subgroup builtins (`subgroupAdd`, `@builtin(subgroup_id)`, …), each
//! replaced line occurring once. No `enable subgroups;` is prepended: naga 30 rejects that
//! directive as unimplemented and accepts subgroup builtins without it (wgpu checks the
//! device feature). Subgroup and f16-storage variants compose ([`variant`]): the subgroup
//! replacements applied to the f16 source (named `<f16 name>_sg`).
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

use alloc::format;
use alloc::string::String;

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
    /// The gate/up products of a SwiGLU MLP with `silu(gate) · up` in their epilogue (one
    /// dispatch; m = 1, few-row and tiled entry points).
    GATE_UP_SWIGLU = "gate_up_swiglu";
}

/// The shader registered under `name`, if any.
pub fn get(name: &str) -> Option<Shader> {
    shaders().iter().copied().find(|s| s.name == name)
}

/// An f16-storage variant of a shader (see the crate doc): `base`'s source with `f32_decl`
/// replaced by `f16_decl` and `enable f16;` prepended, registered under `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct F16Variant {
    /// The registry name of the derived shader (its pipeline-cache key).
    pub name: &'static str,
    /// The f32 shader it is derived from.
    pub base: Shader,
    /// The weight binding's declaration in `base` (it occurs exactly once).
    pub f32_decl: &'static str,
    /// Its declaration in the variant.
    pub f16_decl: &'static str,
}

impl F16Variant {
    /// The derived WGSL source, or `None` when `f32_decl` does not occur exactly once in the
    /// base source (then the derivation would be ambiguous; `tests/validate.rs` checks it
    /// never happens).
    pub fn source(&self) -> Option<String> {
        let src = self.base.source;
        if src.matches(self.f32_decl).count() != 1 {
            return None;
        }
        let mut out = String::from("enable f16;\n");
        out.push_str(&src.replacen(self.f32_decl, self.f16_decl, 1));
        Some(out)
    }
}

/// The f16-storage variants: the tiled matmul and matrix–vector kernels and the few-row
/// kernel with B (the weight) in f16, the embedding gather with the table in f16, and the
/// fused gate/up/SwiGLU kernel with both weights in f16 (through the alias `W4` that types
/// both weight bindings).
pub const F16_VARIANTS: [F16Variant; 4] = [
    F16Variant {
        name: "matmul_f16b",
        base: MATMUL,
        f32_decl: "var<storage, read> b: array<vec4<f32>>;",
        f16_decl: "var<storage, read> b: array<vec4<f16>>;",
    },
    F16Variant {
        name: "matmul_rows_f16b",
        base: MATMUL_ROWS,
        f32_decl: "var<storage, read> b: array<vec4<f32>>;",
        f16_decl: "var<storage, read> b: array<vec4<f16>>;",
    },
    F16Variant {
        name: "embedding_f16",
        base: EMBEDDING,
        f32_decl: "var<storage, read> f_table: array<f32>;",
        f16_decl: "var<storage, read> f_table: array<f16>;",
    },
    F16Variant {
        name: "gate_up_swiglu_f16w",
        base: GATE_UP_SWIGLU,
        f32_decl: "alias W4 = vec4<f32>;",
        f16_decl: "alias W4 = vec4<f16>;",
    },
];

/// A subgroup variant of a shader (see the crate doc): `base`'s source with each `(from,
/// to)` of `replacements` applied, registered under `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubgroupVariant {
    /// The registry name of the derived shader (its pipeline-cache key).
    pub name: &'static str,
    /// The shader it is derived from (written for subgroups of one invocation).
    pub base: Shader,
    /// `(line in base, its replacement)`: each `from` occurs exactly once in `base`.
    pub replacements: &'static [(&'static str, &'static str)],
}

impl SubgroupVariant {
    /// The derived WGSL source, or `None` when a replaced line does not occur exactly once.
    pub fn source(&self) -> Option<String> {
        self.apply(self.base.source)
    }

    /// The replacements applied to `src`: `base`'s source or one derived from it (its
    /// f16-storage variant), or `None` when a replaced line does not occur exactly once.
    pub fn apply(&self, src: &str) -> Option<String> {
        let mut out = String::from(src);
        for (from, to) in self.replacements {
            if out.matches(from).count() != 1 {
                return None;
            }
            out = out.replacen(from, to, 1);
        }
        Some(out)
    }
}

/// The replacement of entry point `$entry`'s line `let sg = vec2<u32>(t, $count); //
/// (subgroup id, number of subgroups) in `$entry`` (subgroups of one invocation, `$count` of
/// them): the subgroup builtins become parameters of the entry point and give `sg`.
macro_rules! sg_entry {
    ($count:literal, $entry:literal) => {
        (
            concat!(
                "    @builtin(local_invocation_index) t: u32,\n) {\n    let sg = vec2<u32>(t, ",
                $count,
                "); // (subgroup id, number of subgroups) in `",
                $entry,
                "`"
            ),
            concat!(
                "    @builtin(local_invocation_index) t: u32,\n    @builtin(subgroup_id) sg_id: u32,\n    ",
                "@builtin(num_subgroups) sg_num: u32,\n) {\n    let sg = vec2<u32>(sg_id, sg_num); ",
                "// (subgroup id, number of subgroups) in `",
                $entry,
                "`"
            ),
        )
    };
}

/// The subgroup variants: the few-row matmul and the fused gate/up product's few-row path,
/// whose cross-lane sums become `subgroupAdd`s, and RMSNorm (`rmsnorm`, `add_rmsnorm`,
/// `rmsnorm_backward_dx`), whose row sums fold one value per subgroup instead of one per
/// thread.
pub const SUBGROUP_VARIANTS: [SubgroupVariant; 3] = [
    SubgroupVariant {
        name: "matmul_rows_sg",
        base: MATMUL_ROWS,
        replacements: &[SG_ADD, SG_RANK, SG_ACTIVE, sg_entry!("256u", "matmul_rows")],
    },
    SubgroupVariant {
        name: "rmsnorm_sg",
        base: RMSNORM,
        replacements: &[
            SG_ADD,
            SG_RANK,
            sg_entry!("WG", "rmsnorm"),
            sg_entry!("WG", "add_rmsnorm"),
            sg_entry!("WG", "rmsnorm_backward_dx"),
        ],
    },
    SubgroupVariant {
        name: "gate_up_swiglu_sg",
        base: GATE_UP_SWIGLU,
        replacements: &[
            SG_ADD,
            SG_RANK,
            SG_ACTIVE,
            sg_entry!("256u", "gate_up_rows"),
        ],
    },
];

// The replacements the subgroup variants share: the one-invocation primitives of the base
// sources become subgroup builtins.
const SG_ADD: (&str, &str) = (
    "fn sg_add(x: f32) -> f32 { return x; }",
    "fn sg_add(x: f32) -> f32 { return subgroupAdd(x); }",
);
const SG_RANK: (&str, &str) = (
    "fn sg_rank() -> u32 { return 0u; }",
    "fn sg_rank() -> u32 { return subgroupExclusiveAdd(1u); }",
);
const SG_ACTIVE: (&str, &str) = (
    "fn sg_active() -> u32 { return 1u; }",
    "fn sg_active() -> u32 { return subgroupAdd(1u); }",
);

/// The name and source of `base` with its weight in f16 ([`F16_VARIANTS`]) and/or with
/// subgroup operations ([`SUBGROUP_VARIANTS`]); `None` when `base` has no such variant
/// (or its derivation is ambiguous, which `tests/validate.rs` rules out). With both, the
/// subgroup replacements apply to the f16 source, under the f16 name plus `_sg`.
pub fn variant(base: Shader, f16: bool, subgroups: bool) -> Option<(String, String)> {
    let f16v = F16_VARIANTS.iter().find(|v| v.base == base);
    let sgv = SUBGROUP_VARIANTS.iter().find(|v| v.base == base);
    match (f16, subgroups) {
        (false, false) => Some((String::from(base.name), String::from(base.source))),
        (true, false) => Some((String::from(f16v?.name), f16v?.source()?)),
        (false, true) => Some((String::from(sgv?.name), sgv?.source()?)),
        (true, true) => {
            let (f, g) = (f16v?, sgv?);
            Some((format!("{}_sg", f.name), g.apply(&f.source()?)?))
        }
    }
}
