//! The tile table of the tiled matmul kernel (`matmul_tiled` in `hir_kernels::MATMUL`): the
//! tile sizes the host picks by adapter class and by shape.
//!
//! A [`TileConfig`] is `BM × BN` outputs per workgroup, k slices of `BK`, and a `TM × TN`
//! register block per thread (so `BN/TN × BM/TM` threads). Its workgroup memory is two
//! buffers (double buffering) of a `BK × BM` slice of op(A) and a `BK × BN` slice of op(B),
//! each row padded by 4 floats: `2·BK·(BM + 4)·4 + 2·BK·(BN + 4)·4` bytes.
//!
//! | name | BM×BN×BK | block | threads | workgroup memory | picked for |
//! |---|---|---|---|---|---|
//! | `wide` | 128×128×8 | 8×8 | 256 | 16 896 B | discrete GPUs (NVIDIA, AMD), ≥ 64 such tiles |
//! | `mid` | 64×64×8 | 4×4 | 256 | 8 704 B | discrete GPUs with fewer tiles, integrated GPUs, unknown adapters |
//! | `block8` | 64×64×8 | 8×8 | 64 | 8 704 B | software rasterizers (llvmpipe), m and n ≥ 64 |
//! | `small` | 32×32×8 | 4×4 | 64 | 4 608 B | every adapter, when the shape has too few larger tiles |
//!
//! Reasoning:
//! - Discrete GPUs have many compute units (an H100 has 132 SMs, a mid-range AMD card 32–60
//!   CUs) with large register files; an 8×8 block per thread does 64 FMAs per 4 + 4 vec4
//!   reads of workgroup memory, and a 128×128 tile halves the storage traffic per FMA of a
//!   64×64 one. `wide` needs more than WebGPU's default 16 KiB of workgroup memory (NVIDIA
//!   and AMD drivers offer 32–64 KiB through Vulkan/DX12/Metal); when the device's limit is
//!   lower the next entry is used. It is picked only when the grid has enough workgroups to
//!   fill such a GPU (64), otherwise `mid` (4× as many workgroups for the same shape).
//! - Integrated GPUs (Intel Xe, Apple, AMD APUs) have fewer, narrower cores and smaller
//!   register files per thread: `mid` (16 registers of accumulators per thread) keeps
//!   occupancy up; unknown adapters (virtual GPUs, "other") get the same safe middle.
//! - Software rasterizers (llvmpipe/lavapipe, SwiftShader) run a workgroup as a loop over
//!   SIMD batches of 4–16 invocations on one CPU thread, and every barrier is a coroutine
//!   switch: fewer invocations with a bigger register block (`block8`: 64 invocations, 64
//!   accumulators each) amortise the barriers and keep the SIMD lanes busy.
//! - Small shapes (fewer tiles than the adapter has cores, or m or n below the tile) get
//!   `small`, so that less of each tile is masked and more workgroups run in parallel.
//!
//! The kernel's `k` loop walks slices of 8 whatever the table (BK = 8 keeps two buffers of
//! 128-wide tiles near 16 KiB); every config keeps one accumulator per output, summed in
//! ascending p, so the choice changes speed, not results beyond FMA contraction.

use crate::device::AdapterSummary;

/// Tile sizes of one variant of the tiled matmul kernel (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileConfig {
    /// Short name, for tests and logs.
    pub name: &'static str,
    /// Rows of C per workgroup.
    pub bm: u32,
    /// Columns of C per workgroup.
    pub bn: u32,
    /// k slice staged per step.
    pub bk: u32,
    /// Rows of the per-thread register block (4 or 8).
    pub tm: u32,
    /// Columns of the per-thread register block (4 or 8).
    pub tn: u32,
}

impl TileConfig {
    /// Threads per workgroup along x (columns).
    pub fn wg_x(&self) -> u32 {
        self.bn / self.tn
    }

    /// Threads per workgroup along y (rows).
    pub fn wg_y(&self) -> u32 {
        self.bm / self.tm
    }

    /// Threads per workgroup.
    pub fn threads(&self) -> u32 {
        self.wg_x() * self.wg_y()
    }

    /// Bytes of workgroup memory: two padded buffers of each slice.
    pub fn workgroup_bytes(&self) -> u32 {
        2 * self.bk * (self.bm / 4 + 1) * 16 + 2 * self.bk * (self.bn / 4 + 1) * 16
    }

    /// Whether the kernel can run this config: blocks of 4 or 8, tiles that are multiples
    /// of the blocks and of 4, a slice of whole vec4s, and at most 4 staged units per
    /// thread and slice (the kernel's register arrays).
    pub fn is_valid(&self) -> bool {
        let block = |x: u32| x == 4 || x == 8;
        block(self.tm)
            && block(self.tn)
            && self.bm.is_multiple_of(self.tm)
            && self.bn.is_multiple_of(self.tn)
            && self.bk.is_multiple_of(4)
            && self.bk > 0
            && (self.bm * self.bk / 4).div_ceil(self.threads()) <= 4
            && (self.bk * self.bn / 4).div_ceil(self.threads()) <= 4
    }
}

/// 128×128×8, 8×8 per thread, 256 threads (discrete GPUs).
pub const WIDE: TileConfig = TileConfig {
    name: "wide",
    bm: 128,
    bn: 128,
    bk: 8,
    tm: 8,
    tn: 8,
};
/// 64×64×8, 4×4 per thread, 256 threads (the general-purpose middle).
pub const MID: TileConfig = TileConfig {
    name: "mid",
    bm: 64,
    bn: 64,
    bk: 8,
    tm: 4,
    tn: 4,
};
/// 64×64×8, 8×8 per thread, 64 threads (software rasterizers).
pub const BLOCK8: TileConfig = TileConfig {
    name: "block8",
    bm: 64,
    bn: 64,
    bk: 8,
    tm: 8,
    tn: 8,
};
/// 32×32×8, 4×4 per thread, 64 threads (small shapes).
pub const SMALL: TileConfig = TileConfig {
    name: "small",
    bm: 32,
    bn: 32,
    bk: 8,
    tm: 4,
    tn: 4,
};

/// Every config of the table, largest first.
pub const ALL: [TileConfig; 4] = [WIDE, MID, BLOCK8, SMALL];

/// The kind of adapter the table is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdapterClass {
    /// A discrete GPU (NVIDIA, AMD, Intel Arc).
    Discrete,
    /// An integrated GPU (Intel, Apple, AMD APUs).
    Integrated,
    /// A rasterizer on the CPU (llvmpipe/lavapipe, SwiftShader, WARP).
    Software,
    /// Anything else (virtual GPUs, unknown).
    Other,
}

impl AdapterClass {
    /// The class of `summary`, from its device type (and its name, for software
    /// rasterizers that do not report the type `Cpu`).
    pub fn of(summary: &AdapterSummary) -> Self {
        let name = summary.name.to_lowercase();
        if summary.device_type == "Cpu"
            || ["llvmpipe", "lavapipe", "swiftshader", "warp"]
                .iter()
                .any(|s| name.contains(s))
        {
            return Self::Software;
        }
        match summary.device_type.as_str() {
            "DiscreteGpu" => Self::Discrete,
            "IntegratedGpu" => Self::Integrated,
            _ => Self::Other,
        }
    }
}

/// Workgroups of `cfg` covering an `m × n` output.
fn tiles(cfg: &TileConfig, m: usize, n: usize) -> usize {
    m.div_ceil(cfg.bm as usize) * n.div_ceil(cfg.bn as usize)
}

/// The config for an `m × n` output on an adapter of `class` whose device allows
/// `max_bytes` of workgroup memory and `max_threads` invocations per workgroup (see the
/// module doc). Always returns a config that fits those limits when `SMALL` does (WebGPU's
/// minimum limits: 16 KiB, 256 invocations).
pub fn choose(
    class: AdapterClass,
    m: usize,
    n: usize,
    max_bytes: u32,
    max_threads: u32,
) -> TileConfig {
    let fits = |c: &TileConfig| c.workgroup_bytes() <= max_bytes && c.threads() <= max_threads;
    let wanted: &[(TileConfig, usize)] = match class {
        AdapterClass::Discrete => &[(WIDE, 64), (MID, 16)],
        AdapterClass::Integrated | AdapterClass::Other => &[(MID, 8)],
        AdapterClass::Software => &[(BLOCK8, 1)],
    };
    for (cfg, min_tiles) in wanted {
        let big_enough = m >= cfg.bm as usize && n >= cfg.bn as usize;
        if fits(cfg) && big_enough && tiles(cfg, m, n) >= *min_tiles {
            return *cfg;
        }
    }
    SMALL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_is_valid_and_fits_or_is_wide() {
        for c in ALL {
            assert!(c.is_valid(), "{c:?}");
            assert!(c.threads() <= 256, "{c:?}");
            if c != WIDE {
                assert!(c.workgroup_bytes() <= 16384, "{c:?}");
            }
        }
        assert_eq!(WIDE.workgroup_bytes(), 16896);
    }

    #[test]
    fn table_picks_by_class_and_shape() {
        let big = 48 * 1024;
        assert_eq!(choose(AdapterClass::Discrete, 2048, 2048, big, 1024), WIDE);
        // The default 16 KiB limit rules out `wide`.
        assert_eq!(choose(AdapterClass::Discrete, 2048, 2048, 16384, 256), MID);
        assert_eq!(choose(AdapterClass::Discrete, 256, 256, big, 1024), MID);
        assert_eq!(choose(AdapterClass::Discrete, 100, 100, big, 1024), SMALL);
        assert_eq!(choose(AdapterClass::Integrated, 512, 512, 16384, 256), MID);
        assert_eq!(choose(AdapterClass::Other, 64, 64, 16384, 256), SMALL);
        assert_eq!(choose(AdapterClass::Software, 64, 64, 16384, 256), BLOCK8);
        assert_eq!(choose(AdapterClass::Software, 63, 640, 16384, 256), SMALL);
    }
}
