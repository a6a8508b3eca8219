//! The reference dequantizer pinned to hand-computed values: a few blocks per format whose
//! outputs were worked out from ggml's block layouts by hand (scales, mins, nibble and
//! high-bit placement, the K formats' 6-bit scale packing), so the kernels' reference is
//! itself checked.

use hir_quant::{dequant::dequantize_row, WeightFormat};

const H_HALF: [u8; 2] = [0x00, 0x38]; // f16 0.5
const H_ONE: [u8; 2] = [0x00, 0x3C]; // f16 1.0
const H_TWO: [u8; 2] = [0x00, 0x40]; // f16 2.0
const H_NEG_ONE: [u8; 2] = [0x00, 0xBC]; // f16 -1.0

fn deq(f: WeightFormat, b: &[u8]) -> Vec<f32> {
    let mut y = vec![f32::NAN; b.len() / f.block_bytes() * f.block_elems()];
    dequantize_row(f, b, &mut y);
    y
}

#[test]
fn plain_formats() {
    assert_eq!(deq(WeightFormat::F32, &1.5f32.to_le_bytes()), [1.5]);
    assert_eq!(deq(WeightFormat::F16, &[0x00, 0x3E]), [1.5]);
    assert_eq!(deq(WeightFormat::BF16, &[0xC0, 0x3F]), [1.5]);
    assert_eq!(deq(WeightFormat::BF16, &[0x00, 0xC0]), [-2.0]);
}

#[test]
fn q8_0() {
    let mut b = [0u8; 34];
    b[..2].copy_from_slice(&H_HALF);
    b[2] = 1;
    b[3] = (-2i8) as u8;
    b[4] = 127;
    b[5] = (-128i8) as u8;
    let y = deq(WeightFormat::Q8_0, &b);
    assert_eq!(&y[..5], [0.5, -1.0, 63.5, -64.0, 0.0]);
}

#[test]
fn q4_0() {
    let mut b = [0u8; 18];
    b[..2].copy_from_slice(&H_TWO);
    b[2] = 0x1F; // y[0] = (15 - 8)·2, y[16] = (1 - 8)·2
    b[3] = 0x80; // y[1] = (0 - 8)·2, y[17] = (8 - 8)·2
    let y = deq(WeightFormat::Q4_0, &b);
    assert_eq!(
        [y[0], y[16], y[1], y[17], y[2]],
        [14.0, -14.0, -16.0, 0.0, -16.0]
    );
}

#[test]
fn q4_1() {
    let mut b = [0u8; 20];
    b[..2].copy_from_slice(&H_HALF);
    b[2..4].copy_from_slice(&H_NEG_ONE);
    b[4] = 0x3A; // y[0] = 10·0.5 - 1, y[16] = 3·0.5 - 1
    let y = deq(WeightFormat::Q4_1, &b);
    assert_eq!([y[0], y[16], y[1]], [4.0, 0.5, -1.0]);
}

/// Scale bytes of Q4_K / Q5_K giving sub-block 0 scale 3, min 5 and sub-block 4 scale 49
/// (low 4 bits 1 from byte 8, high 2 bits 3 from byte 0's top bits), min 18 (low 2 from
/// byte 8's high nibble, high 1 from byte 4's top bits); the others 0.
fn k4_scales() -> [u8; 12] {
    let mut s = [0u8; 12];
    s[0] = 0b11_000011;
    s[4] = 0b01_000101;
    s[8] = 0x21;
    s
}

#[test]
fn q4_k() {
    let mut b = [0u8; 144];
    b[..2].copy_from_slice(&H_ONE);
    b[2..4].copy_from_slice(&H_HALF);
    b[4..16].copy_from_slice(&k4_scales());
    b[16] = 0x97; // sub-block 0 value 0: 7 (low nibble); sub-block 1 value 0: 9
    b[16 + 64] = 0x0A; // sub-block 4 value 0: 10
    let y = deq(WeightFormat::Q4_K, &b);
    // (d·sc)·q - dmin·m
    assert_eq!(y[0], 3.0 * 7.0 - 0.5 * 5.0);
    assert_eq!(y[1], -2.5);
    assert_eq!(y[32], 0.0); // sub-block 1: scale 0, min 0
    assert_eq!(y[128], 49.0 * 10.0 - 0.5 * 18.0);
    assert_eq!(y[129], -9.0);
    assert_eq!(y[255], 0.0);
}

#[test]
fn q5_k() {
    let mut b = [0u8; 176];
    b[..2].copy_from_slice(&H_ONE);
    b[2..4].copy_from_slice(&H_HALF);
    b[4..16].copy_from_slice(&k4_scales());
    b[16] = 0b0001_0001; // qh[0]: fifth bit of value 0 in sub-blocks 0 and 4
    b[48] = 0x97;
    b[48 + 64] = 0x0A;
    let y = deq(WeightFormat::Q5_K, &b);
    assert_eq!(y[0], 3.0 * (7.0 + 16.0) - 2.5);
    assert_eq!(y[1], -2.5);
    assert_eq!(y[32], 0.0);
    assert_eq!(y[128], 49.0 * (10.0 + 16.0) - 9.0);
    assert_eq!(y[160], 0.0); // sub-block 5: scale 0
}

#[test]
fn q6_k() {
    let mut b = [0u8; 210];
    b[208..210].copy_from_slice(&H_HALF);
    let sc = &mut b[192..208];
    sc[0] = 2;
    sc[1] = (-3i8) as u8;
    sc[2] = 4;
    sc[4] = 5;
    sc[8] = (-1i8) as u8;
    b[0] = 0x5F; // ql[0]: value 0 low nibble 15, value 64 high nibble 5
    b[128] = 0b10_01_00_11; // qh[0]: bits for values 0 (3), 32 (0), 64 (1), 96 (2)
    b[64] = 0x01; // second half, value 128: low nibble 1
    let y = deq(WeightFormat::Q6_K, &b);
    // (d·sc)·(q - 32)
    assert_eq!(y[0], 0.5 * 2.0 * (63.0 - 32.0));
    assert_eq!(y[32], 0.5 * 4.0 * -32.0);
    assert_eq!(y[64], 0.5 * 5.0 * ((5 + 16) as f32 - 32.0));
    assert_eq!(y[96], 0.0); // (0 | 2 << 4) - 32 = 0, scale 6 = 0
    assert_eq!(y[16], 0.5 * -3.0 * -32.0);
    // d · sc = 0.5 · -1
    assert_eq!(y[128], -0.5 * (1.0 - 32.0));
}
