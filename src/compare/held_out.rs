//! [`HeldOut`]: which held-out items a comparison evaluates, and the part of the split each
//! belongs to (in-distribution, out-of-distribution kinds).

/// The held-out items of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOut {
    /// Indices into the world's held-out split of the items evaluated, ascending.
    pub keep: Vec<usize>,
    /// Per evaluated item (in `keep` order): its part.
    pub item_parts: Vec<String>,
    /// The parts, in the order they first appear in the split.
    pub parts: Vec<String>,
}

impl HeldOut {
    /// The first `per_part` items of every part (`None`: every item), given each held-out
    /// item's part in split order.
    pub fn select(labels: &[&str], per_part: Option<usize>) -> Self {
        let mut parts: Vec<String> = Vec::new();
        let mut taken: Vec<usize> = Vec::new();
        let mut keep = Vec::new();
        let mut item_parts = Vec::new();
        for (i, &label) in labels.iter().enumerate() {
            let p = match parts.iter().position(|p| p == label) {
                Some(p) => p,
                None => {
                    parts.push(label.to_string());
                    taken.push(0);
                    parts.len() - 1
                }
            };
            if per_part.is_none_or(|n| taken[p] < n) {
                taken[p] += 1;
                keep.push(i);
                item_parts.push(label.to_string());
            }
        }
        Self {
            keep,
            item_parts,
            parts,
        }
    }

    /// The evaluated items of `all` (the world's held-out split), in order.
    pub fn apply<T: Clone>(&self, all: &[T]) -> Vec<T> {
        self.keep.iter().map(|&i| all[i].clone()).collect()
    }

    /// The positions (among the evaluated items) of the items of `part`.
    pub fn indices_of(&self, part: &str) -> Vec<usize> {
        self.item_parts
            .iter()
            .enumerate()
            .filter_map(|(i, p)| (p == part).then_some(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_first_items_of_each_part_in_split_order() {
        let labels = ["id", "ood", "id", "id", "ood", "ood", "id"];
        let h = HeldOut::select(&labels, Some(2));
        assert_eq!(h.keep, vec![0, 1, 2, 4]);
        assert_eq!(h.item_parts, vec!["id", "ood", "id", "ood"]);
        assert_eq!(h.parts, vec!["id", "ood"]);
        assert_eq!(h.indices_of("ood"), vec![1, 3]);
        assert_eq!(h.apply(&labels), vec!["id", "ood", "id", "ood"]);
        let all = HeldOut::select(&labels, None);
        assert_eq!(all.keep, (0..7).collect::<Vec<_>>());
    }
}
