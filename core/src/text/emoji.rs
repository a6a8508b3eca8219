//! `emoji.is_emoji` of the PyPI `emoji` package (2.16.0), which IFBench's `format:emoji`
//! checker calls: a string is an emoji iff it is exactly one key of the package's
//! `EMOJI_DATA` (single code points, keycaps, flags, skin-tone and ZWJ sequences, with the
//! variation-selector variants the package lists). The keys are `core/data/emoji/emoji_keys.txt`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use once_cell::race::OnceBox;

static KEYS_TXT: &str = include_str!("../../data/emoji/emoji_keys.txt");
static KEYS: OnceBox<Vec<&'static str>> = OnceBox::new();

/// The `EMOJI_DATA` keys in code-point (= UTF-8 byte) order.
fn keys() -> &'static [&'static str] {
    KEYS.get_or_init(|| {
        let mut keys: Vec<&'static str> = KEYS_TXT.split('\n').filter(|k| !k.is_empty()).collect();
        // The file is generated sorted; sorting again keeps the binary search valid regardless.
        keys.sort_unstable();
        Box::new(keys)
    })
}

/// `emoji.is_emoji(s)`: true iff the whole string is exactly one emoji of `EMOJI_DATA`.
pub fn is_emoji(s: &str) -> bool {
    keys().binary_search(&s).is_ok()
}

/// How many emoji `EMOJI_DATA` has (5244 in emoji 2.16.0).
pub fn emoji_count_in_data() -> usize {
    keys().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_emoji_only() {
        assert!(is_emoji("😀"));
        assert!(is_emoji("👍🏽"));
        assert!(is_emoji("🇫🇷"));
        assert!(is_emoji("👨‍👩‍👧"));
        assert!(is_emoji("#️⃣"));
        assert!(!is_emoji("😀😀"));
        assert!(!is_emoji("a"));
        assert!(!is_emoji(""));
        assert_eq!(emoji_count_in_data(), 5244);
    }
}
