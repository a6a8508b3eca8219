//! The PyPI `emoji` package (2.16.0) as IFBench uses it: [`is_emoji`] is `emoji.is_emoji` (a
//! string is an emoji iff it is exactly one key of the package's `EMOJI_DATA`: single code
//! points, keycaps, flags, skin-tone and ZWJ sequences, with the variation-selector variants
//! the package lists), and [`emoji_list`] is `emoji.emoji_list` (as byte spans). The keys are
//! `verify/data/emoji/emoji_keys.txt`.

mod list;

use alloc::boxed::Box;
use alloc::vec::Vec;
use hashbrown::HashMap;
use once_cell::race::OnceBox;

pub use list::emoji_list;

static KEYS_TXT: &str = include_str!("../../../data/emoji/emoji_keys.txt");
static COMPONENTS_TXT: &str = include_str!("../../../data/emoji/emoji_components.txt");
static TABLES: OnceBox<Tables> = OnceBox::new();

/// The `EMOJI_DATA` keys, and the character trie `emoji.tokenizer.get_search_tree()` builds.
struct Tables {
    /// Keys in code-point (= UTF-8 byte) order.
    keys: Vec<&'static str>,
    /// Keys whose `status` is `component` (skin tones, hair styles).
    components: Vec<&'static str>,
    /// Trie edges: (node, next character) → child node; node 0 is the root.
    edges: HashMap<(u32, char), u32>,
    /// Whether a key ends at the node (the tree's `'data'` entry).
    terminal: Vec<bool>,
}

fn lines(text: &'static str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = text.split('\n').filter(|k| !k.is_empty()).collect();
    // The files are generated sorted; sorting again keeps the binary searches valid regardless.
    v.sort_unstable();
    v
}

fn tables() -> &'static Tables {
    TABLES.get_or_init(|| {
        let keys = lines(KEYS_TXT);
        let mut edges = HashMap::new();
        let mut terminal = alloc::vec![false];
        for key in &keys {
            let mut node = 0u32;
            for c in key.chars() {
                let next = terminal.len() as u32;
                node = *edges.entry((node, c)).or_insert_with(|| {
                    terminal.push(false);
                    next
                });
            }
            terminal[node as usize] = true;
        }
        Box::new(Tables {
            keys,
            components: lines(COMPONENTS_TXT),
            edges,
            terminal,
        })
    })
}

impl Tables {
    fn child(&self, node: u32, c: char) -> Option<u32> {
        self.edges.get(&(node, c)).copied()
    }

    fn is_key(&self, s: &str) -> bool {
        self.keys.binary_search(&s).is_ok()
    }

    fn is_component(&self, s: &str) -> bool {
        self.components.binary_search(&s).is_ok()
    }
}

/// `emoji.is_emoji(s)`: true iff the whole string is exactly one emoji of `EMOJI_DATA`.
pub fn is_emoji(s: &str) -> bool {
    tables().is_key(s)
}

/// How many emoji `EMOJI_DATA` has (5244 in emoji 2.16.0).
pub fn emoji_count_in_data() -> usize {
    tables().keys.len()
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
        assert_eq!(tables().components.len(), 9);
    }
}
