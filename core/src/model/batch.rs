//! Packed batches: several token sequences of different lengths laid back to back.

use alloc::vec::Vec;

/// Target id that marks a position without a next-token target (ignored by the loss).
pub const IGNORE: u32 = u32::MAX;

/// Sequences packed back to back: sequence `s` is `ids[seq_starts[s] .. seq_starts[s+1]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedBatch {
    /// All token ids, sequence after sequence.
    pub ids: Vec<u32>,
    /// `len + 1` offsets into `ids`; starts at 0 and ends at `ids.len()`.
    pub seq_starts: Vec<u32>,
}

impl PackedBatch {
    /// Packs `seqs` in order.
    pub fn new<S: AsRef<[u32]>>(seqs: &[S]) -> Self {
        let mut ids = Vec::new();
        let mut seq_starts = Vec::with_capacity(seqs.len() + 1);
        seq_starts.push(0);
        for s in seqs {
            ids.extend_from_slice(s.as_ref());
            seq_starts.push(ids.len() as u32);
        }
        Self { ids, seq_starts }
    }

    /// Number of tokens over all sequences.
    pub fn num_tokens(&self) -> usize {
        self.ids.len()
    }

    /// Number of sequences.
    pub fn num_seqs(&self) -> usize {
        self.seq_starts.len().saturating_sub(1)
    }

    /// The position of every token inside its own sequence (0-based).
    pub fn positions(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.ids.len());
        for w in self.seq_starts.windows(2) {
            out.extend(0..w[1] - w[0]);
        }
        out
    }

    /// The next-token target of every position: `ids[i+1]` inside the same sequence,
    /// [`IGNORE`] at the last token of each sequence.
    pub fn next_token_targets(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.ids.len());
        for w in self.seq_starts.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            out.extend_from_slice(&self.ids[(a + 1).min(b)..b]);
            if b > a {
                out.push(IGNORE);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_targets() {
        let b = PackedBatch::new(&[&[5u32, 6, 7][..], &[9], &[1, 2]]);
        assert_eq!(b.seq_starts, [0, 3, 4, 6]);
        assert_eq!(b.positions(), [0, 1, 2, 0, 0, 1]);
        assert_eq!(b.next_token_targets(), [6, 7, IGNORE, IGNORE, 2, IGNORE]);
    }
}
