//! The instruction sets the kernels are written for, and the choice at run time.

/// An instruction set a kernel of [`crate::matmul_xwt`] is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Plain Rust, no explicit SIMD: runs everywhere (the compiler may still vectorize).
    Portable,
    /// x86-64 AVX2 + FMA + F16C.
    Avx2,
    /// x86-64 AVX-512 F + BW (+ the AVX2 set).
    Avx512,
    /// aarch64 NEON.
    Neon,
}

impl Isa {
    /// The best instruction set this CPU supports (portable without the `std` feature).
    ///
    /// `HIR_SIMD=portable|avx2|avx512|neon` in the environment caps the choice (a request the
    /// CPU cannot run falls back to the best one it can).
    pub fn detect() -> Isa {
        let best = Self::best_supported();
        #[cfg(feature = "std")]
        if let Ok(want) = std::env::var("HIR_SIMD") {
            if let Some(isa) = Self::from_name(&want) {
                if isa.is_supported() {
                    return isa;
                }
            }
        }
        best
    }

    /// The best instruction set this CPU supports.
    fn best_supported() -> Isa {
        [Isa::Avx512, Isa::Avx2, Isa::Neon]
            .into_iter()
            .find(|i| i.is_supported())
            .unwrap_or(Isa::Portable)
    }

    /// Every instruction set this CPU can run, the portable one included.
    pub fn available() -> alloc::vec::Vec<Isa> {
        [Isa::Portable, Isa::Avx2, Isa::Avx512, Isa::Neon]
            .into_iter()
            .filter(|i| i.is_supported())
            .collect()
    }

    /// Whether this CPU can run kernels written for `self`.
    pub fn is_supported(self) -> bool {
        match self {
            Isa::Portable => true,
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            Isa::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                    && std::arch::is_x86_feature_detected!("f16c")
            }
            #[cfg(all(feature = "std", target_arch = "x86_64"))]
            Isa::Avx512 => {
                Isa::Avx2.is_supported()
                    && std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
            }
            #[cfg(target_arch = "aarch64")]
            Isa::Neon => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// Lower-case name (`"avx512"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
            Isa::Neon => "neon",
        }
    }

    /// The instruction set named `name` (see [`Isa::name`]).
    pub fn from_name(name: &str) -> Option<Isa> {
        [Isa::Portable, Isa::Avx2, Isa::Avx512, Isa::Neon]
            .into_iter()
            .find(|i| i.name().eq_ignore_ascii_case(name.trim()))
    }
}
