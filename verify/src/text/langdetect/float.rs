//! The transcendental functions `random.gauss` needs, taken from the same place CPython takes
//! them where possible.
//!
//! CPython calls the platform C library (`sin`, `cos`, `log`); with the `std` feature we call
//! it too (Rust's `f64` methods lower to the same libm calls), so results are bit-identical to
//! Python on the same platform. Without `std` the pure-Rust `libm` crate is used; it agrees
//! with glibc to within one ulp, which moves the smoothing parameter `alpha` by ~1e-17 at most.

/// Natural logarithm.
#[cfg(feature = "std")]
pub fn ln(x: f64) -> f64 {
    x.ln()
}

/// Natural logarithm.
#[cfg(not(feature = "std"))]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// Square root (correctly rounded everywhere).
pub fn sqrt(x: f64) -> f64 {
    libm::sqrt(x)
}

/// Cosine.
#[cfg(feature = "std")]
pub fn cos(x: f64) -> f64 {
    x.cos()
}

/// Cosine.
#[cfg(not(feature = "std"))]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// Sine.
#[cfg(feature = "std")]
pub fn sin(x: f64) -> f64 {
    x.sin()
}

/// Sine.
#[cfg(not(feature = "std"))]
pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}
