//! The f32 peak that `hir bench matmul` reports its GFLOP/s against.
//!
//! A GPU's peak is looked up by adapter name in [`KNOWN_PEAKS`] (vendor data sheets: FP32
//! without tensor cores, at boost clock), unless `--peak-gflops` gives one (any device, the CPU
//! included). Without either the percentage is left out rather than guessed.

/// Known f32 peaks: (a case-insensitive substring of the adapter name, the peak in GFLOP/s,
/// the product it stands for). The longest matching substring wins, so "H100 PCIe" is not
/// read as an SXM H100.
pub const KNOWN_PEAKS: &[(&str, f64, &str)] = &[
    ("H200", 66_900.0, "NVIDIA H200 (SXM), 66.9 TFLOP/s FP32"),
    (
        "H100 80GB HBM3",
        66_900.0,
        "NVIDIA H100 SXM5, 66.9 TFLOP/s FP32",
    ),
    ("H100 SXM", 66_900.0, "NVIDIA H100 SXM5, 66.9 TFLOP/s FP32"),
    ("H100 PCIe", 51_200.0, "NVIDIA H100 PCIe, 51.2 TFLOP/s FP32"),
    ("H100 NVL", 60_000.0, "NVIDIA H100 NVL, 60 TFLOP/s FP32"),
    ("A100", 19_500.0, "NVIDIA A100, 19.5 TFLOP/s FP32"),
    ("L40S", 91_600.0, "NVIDIA L40S, 91.6 TFLOP/s FP32"),
    ("L40", 90_500.0, "NVIDIA L40, 90.5 TFLOP/s FP32"),
    ("L4", 30_300.0, "NVIDIA L4, 30.3 TFLOP/s FP32"),
    ("A10G", 31_200.0, "NVIDIA A10G, 31.2 TFLOP/s FP32"),
    ("Tesla T4", 8_100.0, "NVIDIA T4, 8.1 TFLOP/s FP32"),
    (
        "RTX 4090",
        82_600.0,
        "NVIDIA GeForce RTX 4090, 82.6 TFLOP/s FP32",
    ),
    (
        "RTX 3090",
        35_600.0,
        "NVIDIA GeForce RTX 3090, 35.6 TFLOP/s FP32",
    ),
    (
        "RTX 3080",
        29_800.0,
        "NVIDIA GeForce RTX 3080, 29.8 TFLOP/s FP32",
    ),
    (
        "MI300X",
        163_400.0,
        "AMD Instinct MI300X, 163.4 TFLOP/s FP32",
    ),
    (
        "Apple M2",
        3_600.0,
        "Apple M2 (10-core GPU), 3.6 TFLOP/s FP32",
    ),
];

/// Where a peak came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Peak {
    /// The peak, GFLOP/s.
    pub gflops: f64,
    /// `--peak-gflops`, or the table entry's product.
    pub source: String,
}

/// The peak of the device named `device` (a backend's `name()`): `given` (from
/// `--peak-gflops`) when set, else the longest [`KNOWN_PEAKS`] entry whose key occurs in the
/// name, else `None`.
pub fn peak_for(device: &str, given: Option<f64>) -> Option<Peak> {
    if let Some(g) = given {
        return Some(Peak {
            gflops: g,
            source: "--peak-gflops".into(),
        });
    }
    let name = device.to_ascii_lowercase();
    KNOWN_PEAKS
        .iter()
        .filter(|(key, _, _)| name.contains(&key.to_ascii_lowercase()))
        .max_by_key(|(key, _, _)| key.len())
        .map(|&(_, gflops, product)| Peak {
            gflops,
            source: format!("table: {product}"),
        })
}

/// Parses `--peak-gflops`: a finite number above 0.
pub fn parse_peak(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!(
            "`{s}`: expected the device's f32 peak in GFLOP/s, a number above 0 (e.g. 66900)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_name_wins_and_given_peak_overrides() {
        let sxm = peak_for("wgpu: NVIDIA H100 80GB HBM3 (Vulkan, DiscreteGpu)", None).unwrap();
        assert_eq!(sxm.gflops, 66_900.0);
        let pcie = peak_for("wgpu: NVIDIA H100 PCIe (Vulkan)", None).unwrap();
        assert_eq!(pcie.gflops, 51_200.0);
        assert_eq!(
            peak_for("wgpu: llvmpipe (LLVM 15.0.6, 256 bits)", None),
            None
        );
        let given = peak_for("cpu (2 threads)", Some(150.0)).unwrap();
        assert_eq!(
            (given.gflops, given.source.as_str()),
            (150.0, "--peak-gflops")
        );
    }

    #[test]
    fn bad_peaks_are_refused() {
        for s in ["0", "-3", "nan", "inf", "fast"] {
            assert!(parse_peak(s).is_err(), "{s}");
        }
        assert_eq!(parse_peak(" 66900 "), Ok(66_900.0));
    }
}
