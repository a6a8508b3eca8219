//! CPython's `random.Random`, bit for bit, for the calls langdetect makes: `seed(int)`,
//! `random()`, `gauss(0.0, 1.0)` and `choice(seq)`.
//!
//! The generator is MT19937 seeded through `init_by_array` with the absolute value of the seed
//! split into 32-bit words, exactly as `Modules/_randommodule.c` does; `random()` is
//! `genrand_res53`, `choice` uses `_randbelow_with_getrandbits`, and `gauss` is the Box–Muller
//! variant of `Lib/random.py` that caches its second value.

use super::float;

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// A `random.Random` instance.
pub struct PyRandom {
    mt: [u32; N],
    mti: usize,
    gauss_next: Option<f64>,
}

impl PyRandom {
    /// `random.Random(seed)` for a non-negative integer seed below 2^32.
    pub fn new(seed: u32) -> Self {
        let mut r = PyRandom {
            mt: [0; N],
            mti: N + 1,
            gauss_next: None,
        };
        r.init_by_array(&[seed]);
        r
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.mti = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let mut i = 1usize;
        let mut j = 0usize;
        let mut k = if N > key.len() { N } else { key.len() };
        while k > 0 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            k -= 1;
        }
        self.mt[0] = 0x8000_0000;
    }

    /// `genrand_uint32`: the next raw 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.mti >= N {
            let mag01 = |y: u32| if y & 1 == 0 { 0 } else { MATRIX_A };
            for kk in 0..N - M {
                let y = (self.mt[kk] & UPPER_MASK) | (self.mt[kk + 1] & LOWER_MASK);
                self.mt[kk] = self.mt[kk + M] ^ (y >> 1) ^ mag01(y);
            }
            for kk in N - M..N - 1 {
                let y = (self.mt[kk] & UPPER_MASK) | (self.mt[kk + 1] & LOWER_MASK);
                self.mt[kk] = self.mt[kk + M - N] ^ (y >> 1) ^ mag01(y);
            }
            let y = (self.mt[N - 1] & UPPER_MASK) | (self.mt[0] & LOWER_MASK);
            self.mt[N - 1] = self.mt[M - 1] ^ (y >> 1) ^ mag01(y);
            self.mti = 0;
        }
        let mut y = self.mt[self.mti];
        self.mti += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// `random.random()`: a float in [0, 1) with 53 random bits.
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (a as f64 * 67_108_864.0 + b as f64) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.getrandbits(k)` for `1 <= k <= 32`.
    fn getrandbits(&mut self, k: u32) -> u32 {
        self.next_u32() >> (32 - k)
    }

    /// `random._randbelow(n)` (the `getrandbits` variant) for `1 <= n < 2^32`.
    pub fn randbelow(&mut self, n: u32) -> u32 {
        let k = 32 - n.leading_zeros();
        let mut r = self.getrandbits(k);
        while r >= n {
            r = self.getrandbits(k);
        }
        r
    }

    /// `random.choice(seq)` for a non-empty slice; `None` for an empty one (Python raises).
    pub fn choice<'a, T>(&mut self, seq: &'a [T]) -> Option<&'a T> {
        let n = u32::try_from(seq.len()).ok()?;
        if n == 0 {
            return None;
        }
        seq.get(self.randbelow(n) as usize)
    }

    /// `random.gauss(0.0, 1.0)`.
    pub fn gauss(&mut self) -> f64 {
        if let Some(z) = self.gauss_next.take() {
            return z;
        }
        let x2pi = self.random() * core::f64::consts::TAU;
        let g2rad = float::sqrt(-2.0 * float::ln(1.0 - self.random()));
        let z = float::cos(x2pi) * g2rad;
        self.gauss_next = Some(float::sin(x2pi) * g2rad);
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    // Reference values printed by CPython 3.11 `random.Random(0)`.
    #[test]
    fn raw_words_match_cpython() {
        let mut r = PyRandom::new(0);
        let w: Vec<u32> = (0..3).map(|_| r.next_u32()).collect();
        assert_eq!(w, [3626764237, 1654615998, 3255389356]);
    }

    #[test]
    fn random_matches_cpython() {
        let mut r = PyRandom::new(0);
        assert_eq!(r.random(), 0.8444218515250481);
        assert_eq!(r.random(), 0.7579544029403025);
        assert_eq!(r.random(), 0.420571580830845);
    }

    #[test]
    fn gauss_matches_cpython() {
        let mut r = PyRandom::new(0);
        assert_eq!(r.gauss(), 0.9417154046806644);
        assert_eq!(r.gauss(), -1.3965781047011498);
        assert_eq!(r.gauss(), -0.6797144480784211);
    }

    #[test]
    fn choice_matches_cpython() {
        let mut r = PyRandom::new(0);
        let picks: Vec<u32> = [1u32, 2, 3, 10, 1000, 30000, 5, 7]
            .iter()
            .map(|&n| r.randbelow(n))
            .collect();
        assert_eq!(picks, [0, 1, 0, 4, 988, 16753, 3, 3]);
    }
}
