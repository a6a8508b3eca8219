//! Close matches of an unknown instruction id, for error messages: an id that is one typo (or
//! one wrong group prefix) away from a registered id names it.

use super::registry::{ids, Suite};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The Levenshtein distance between `a` and `b` (insertions, deletions and substitutions of
/// one character each), case-sensitive.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = alloc::vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The part of an id after its group prefix (`length_constraints:number_words` →
/// `number_words`).
fn name_part(id: &str) -> &str {
    id.rsplit(':').next().unwrap_or(id)
}

/// How far `id` is from the registered `known`: the smaller of the distance between the
/// whole ids and between their names without the group prefix (ignoring case).
fn distance(id: &str, known: &str) -> usize {
    let id = id.to_lowercase();
    let whole = edit_distance(&id, known);
    let name = edit_distance(name_part(&id), name_part(known));
    whole.min(name)
}

/// Registered ids of IFEval and IFBench close to `id` (at most three, closest first; none
/// when nothing is within a few edits): what a typo in `id` most likely meant.
pub fn close_ids(id: &str) -> Vec<&'static str> {
    let limit = (name_part(id).chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = [Suite::IfEval, Suite::IfBench]
        .into_iter()
        .flat_map(|s| ids(s).iter().copied())
        .filter(|&k| k != id)
        .map(|k| (distance(id, k), k))
        .filter(|&(d, _)| d <= limit)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// The sentence that follows "unknown instruction id `id`" in an error: which benchmark has
/// the id when it belongs to the other one, else the close matches, and in every case where
/// the full lists are (`hir ids ifeval`, `hir ids ifbench`).
pub fn unknown_id_note(id: &str) -> String {
    let list = "`hir ids ifeval` and `hir ids ifbench` list every id";
    for (suite, name, cmd) in [
        (Suite::IfEval, "IFEval", "ifeval"),
        (Suite::IfBench, "IFBench", "ifbench"),
    ] {
        if ids(suite).contains(&id) {
            return format!("; it is an {name} id (scored by `hir eval {cmd}`); {list}");
        }
    }
    let close = close_ids(id);
    match close.as_slice() {
        [] => format!("; {list}"),
        [one] => format!("; did you mean `{one}`? ({list})"),
        many => {
            let quoted: Vec<String> = many.iter().map(|k| format!("`{k}`")).collect();
            let (last, rest) = quoted.split_last().expect("two or more");
            format!("; did you mean {} or {last}? ({list})", rest.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("no_coma", "no_comma"), 1);
        assert_eq!(edit_distance("é", "e"), 1);
    }

    #[test]
    fn a_typo_names_the_registered_id() {
        assert_eq!(close_ids("punctuation:no_coma"), ["punctuation:no_comma"]);
        assert_eq!(
            close_ids("length_constraints:number_word")[0],
            "length_constraints:number_words"
        );
        // A wrong group prefix: the name alone matches.
        assert_eq!(
            close_ids("format:number_highlighted_sections")[0],
            "detectable_format:number_highlighted_sections"
        );
        assert!(close_ids("completely:unrelated_thing_here").is_empty());
    }
}
