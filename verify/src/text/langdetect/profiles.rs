//! The 55 language profiles of langdetect 1.0.9: for every 1-, 2- and 3-gram, the probability
//! `freq / n_words[len - 1]` of each language that has it (`DetectorFactory.add_profile`).
//!
//! The data is `verify/data/langdetect/profiles.bin` (see `make_profiles.py` next to it for the
//! format); languages are in sorted order of their names.

use alloc::string::String;
use alloc::vec::Vec;
use hashbrown::HashMap;

static PROFILES_BIN: &[u8] = include_bytes!("../../../data/langdetect/profiles.bin");

/// Packs an n-gram of one to three characters into a map key (21 bits per code point).
/// N-grams never contain U+0000 (normalisation maps it to a space), so keys are unambiguous.
pub fn ngram_key(chars: &[char]) -> u64 {
    chars
        .iter()
        .fold(0u64, |k, &c| (k << 21) | u64::from(u32::from(c)))
}

/// Where the parse of the embedded profile data failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorruptProfiles(pub &'static str);

/// The loaded profiles: language names and the sparse n-gram → language-probability table.
pub struct Profiles {
    /// Language codes (`"en"`, `"zh-cn"`, ...), in index order.
    pub langs: Vec<String>,
    index: HashMap<u64, (u32, u32)>,
    entries: Vec<(u8, f64)>,
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CorruptProfiles> {
        let end = self.pos.checked_add(n).ok_or(CorruptProfiles(what))?;
        let s = self.data.get(self.pos..end).ok_or(CorruptProfiles(what))?;
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, CorruptProfiles> {
        Ok(self.bytes(1, what)?[0])
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, CorruptProfiles> {
        let b = self.bytes(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn varint(&mut self, what: &'static str) -> Result<u64, CorruptProfiles> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.u8(what)?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
            if shift > 56 {
                return Err(CorruptProfiles(what));
            }
        }
    }
}

impl Profiles {
    /// Parses the embedded `profiles.bin`.
    pub fn load() -> Result<Profiles, CorruptProfiles> {
        Self::parse(PROFILES_BIN)
    }

    fn parse(data: &[u8]) -> Result<Profiles, CorruptProfiles> {
        let mut r = Reader { data, pos: 0 };
        if r.bytes(4, "magic")? != b"LDP1" {
            return Err(CorruptProfiles("magic"));
        }
        let nlang = usize::from(r.u8("language count")?);
        let mut langs = Vec::with_capacity(nlang);
        let mut n_words = Vec::with_capacity(nlang);
        for _ in 0..nlang {
            let len = usize::from(r.u8("name length")?);
            let name = core::str::from_utf8(r.bytes(len, "name")?)
                .map_err(|_| CorruptProfiles("name utf-8"))?;
            langs.push(String::from(name));
            let mut nw = [0f64; 3];
            for slot in &mut nw {
                *slot = f64::from(r.u32("n_words")?);
            }
            n_words.push(nw);
        }
        let ngrams = r.u32("n-gram count")? as usize;
        let mut index = HashMap::with_capacity(ngrams);
        let mut entries = Vec::new();
        let mut chars: Vec<char> = Vec::with_capacity(3);
        for _ in 0..ngrams {
            let len = usize::from(r.u8("n-gram length")?);
            let gram = core::str::from_utf8(r.bytes(len, "n-gram")?)
                .map_err(|_| CorruptProfiles("n-gram utf-8"))?;
            chars.clear();
            chars.extend(gram.chars());
            if chars.is_empty() || chars.len() > 3 || chars.contains(&'\0') {
                return Err(CorruptProfiles("n-gram length"));
            }
            let count = r.u8("language count of n-gram")?;
            let start = entries.len() as u32;
            for _ in 0..count {
                let lang = r.u8("language index")?;
                let freq = r.varint("frequency")?;
                let nw = n_words
                    .get(usize::from(lang))
                    .ok_or(CorruptProfiles("language index"))?;
                // Python: 1.0 * freq / n_words[len - 1], both exact in f64.
                entries.push((lang, freq as f64 / nw[chars.len() - 1]));
            }
            index.insert(ngram_key(&chars), (start, u32::from(count)));
        }
        if r.pos != data.len() {
            return Err(CorruptProfiles("trailing bytes"));
        }
        Ok(Profiles {
            langs,
            index,
            entries,
        })
    }

    /// The id of an n-gram that some profile has, or `None`.
    pub fn lookup(&self, key: u64) -> Option<(u32, u32)> {
        self.index.get(&key).copied()
    }

    /// The `(language index, probability)` pairs of an n-gram id from [`Profiles::lookup`].
    pub fn probs(&self, id: (u32, u32)) -> &[(u8, f64)] {
        let (start, len) = (id.0 as usize, id.1 as usize);
        self.entries.get(start..start + len).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profiles_load() {
        let p = Profiles::load().expect("profiles.bin parses");
        assert_eq!(p.langs.len(), 55);
        assert_eq!(p.langs[0], "af");
        assert!(p.langs.iter().any(|l| l == "zh-cn"));
        assert_eq!(p.index.len(), 87598);
        let the = p
            .lookup(ngram_key(&['t', 'h', 'e']))
            .expect("'the' is an n-gram");
        assert!(!p.probs(the).is_empty());
    }
}
