//! The project's own IFEval-style training prompts: real writing tasks × IFEval constraints
//! with drawn parameters, in HIR style (so every row can be rewritten by the hindsight step).
//!
//! `hir data generate` writes them; the committed `assets/data/ifeval_style_train.jsonl` is
//! exactly `hir data generate --count 384 --seed 0` (a test regenerates it), and it is the
//! default training set of `hir train --model`. The task texts are written for this project;
//! the constraint wording is each verifier's own [`describe`](hir_core::constraint::Constraint::describe)
//! text (IFEval's phrasing). No row overlaps the IFEval benchmark prompts.

use hir_core::constraint::Kwargs;
use hir_core::instruct::Layout;
use hir_core::rng::Rng;
use serde_json::{json, Value};

/// Writing tasks (topics chosen to be answerable by a small model).
pub const TASKS: [&str; 48] = [
    "Write a short blog post about the benefits of walking to work.",
    "Write a product description for a reusable water bottle.",
    "Explain how photosynthesis works to a ten-year-old.",
    "Write a cover letter for a junior librarian position.",
    "Describe a typical morning at a busy farmers market.",
    "Write a short story about a lighthouse keeper who finds a message in a bottle.",
    "Give advice to a student who is nervous about their first exam.",
    "Write a review of a small neighborhood bakery.",
    "Explain why the sky is blue.",
    "Write an email to a landlord asking to fix a leaking faucet.",
    "Summarize the plot of a heist movie you invent.",
    "Describe the water cycle.",
    "Write a poem about the first snow of winter.",
    "Give tips for keeping houseplants alive.",
    "Write a speech for a friend's wedding toast.",
    "Explain the difference between weather and climate.",
    "Write a travel guide entry for a quiet mountain village.",
    "Describe how to make a simple vegetable soup.",
    "Write a letter to your future self.",
    "Explain what a budget is and why it helps.",
    "Write a short biography of an imaginary inventor.",
    "Describe the rules of a board game you invent.",
    "Write an advertisement for a community garden.",
    "Explain how bees make honey.",
    "Write a diary entry from the point of view of a cat.",
    "Give a beginner's guide to running a 5k race.",
    "Write a thank-you note to a teacher.",
    "Describe the life of a sailor in the 1800s.",
    "Explain why sleep is important for health.",
    "Write a news report about a town festival.",
    "Write a dialogue between a robot and a gardener.",
    "Describe your ideal weekend.",
    "Explain how a bicycle works.",
    "Write a job posting for a bakery assistant.",
    "Write a short fable with a moral about patience.",
    "Give advice on how to learn a new language.",
    "Write a pitch for a mobile app that helps people recycle.",
    "Describe a thunderstorm from the perspective of a tree.",
    "Explain what volcanoes are and why they erupt.",
    "Write a complaint letter about a delayed train.",
    "Write a motivational message for a sports team.",
    "Describe how libraries have changed over the last century.",
    "Write a recipe for pancakes.",
    "Explain the basics of saving money for a child.",
    "Write a short mystery story set in a museum.",
    "Give tips for a successful job interview.",
    "Write an invitation to a neighborhood picnic.",
    "Explain how the moon affects the tides.",
];

const KEYWORDS: [&str; 16] = [
    "sunshine",
    "journey",
    "balance",
    "community",
    "energy",
    "future",
    "history",
    "simple",
    "careful",
    "bright",
    "quiet",
    "market",
    "river",
    "friendly",
    "garden",
    "season",
];
const FORBIDDEN: [&str; 10] = [
    "very", "really", "thing", "good", "bad", "nice", "just", "actually", "great", "stuff",
];
const END_PHRASES: [&str; 4] = [
    "Is there anything else I can help with?",
    "Let me know if you have additional questions.",
    "Any other questions?",
    "That is all.",
];
const LETTERS: [&str; 6] = ["a", "e", "l", "n", "r", "t"];

fn pick<'a>(rng: &mut Rng, pool: &[&'a str]) -> &'a str {
    pool[rng.below(pool.len() as u64) as usize]
}

fn relation(rng: &mut Rng) -> &'static str {
    if rng.below(2) == 0 {
        "at least"
    } else {
        "less than"
    }
}

/// The IFEval ids drawn from, each with ids it cannot share an instruction with (the relation
/// is symmetric: [`conflicts`] checks both directions).
const FAMILIES: [(&str, &[&str]); 18] = [
    ("keywords:existence", &[]),
    ("keywords:frequency", &[]),
    ("keywords:forbidden_words", &[]),
    ("keywords:letter_frequency", &[CAPITAL]),
    ("length_constraints:number_words", &[]),
    ("length_constraints:number_sentences", &[]),
    ("length_constraints:number_paragraphs", &[BULLETS]),
    (BULLETS, &[]),
    ("detectable_format:title", &[QUOTATION]),
    ("detectable_format:number_highlighted_sections", &[]),
    // The markers ("P.S.") and end phrases have capitals.
    (POSTSCRIPT, &[END, QUOTATION, LOWER]),
    ("detectable_content:number_placeholders", &[]),
    (LOWER, &[CAPITAL, CAPITAL_FREQ, END]),
    (CAPITAL, &[CAPITAL_FREQ, END]),
    (CAPITAL_FREQ, &[]),
    ("punctuation:no_comma", &[]),
    (END, &[QUOTATION]),
    (QUOTATION, &[]),
];

const BULLETS: &str = "detectable_format:number_bullet_lists";
const POSTSCRIPT: &str = "detectable_content:postscript";
const LOWER: &str = "change_case:english_lowercase";
const CAPITAL: &str = "change_case:english_capital";
const CAPITAL_FREQ: &str = "change_case:capital_word_frequency";
const END: &str = "startend:end_checker";
const QUOTATION: &str = "startend:quotation";

/// Whether two ids may not share an instruction (the same id twice, or a listed conflict in
/// either direction).
fn conflicts(a: &str, b: &str) -> bool {
    a == b
        || FAMILIES
            .iter()
            .any(|(id, cs)| (*id == a && cs.contains(&b)) || (*id == b && cs.contains(&a)))
}

/// Draws the official kwargs of IFEval instruction `id`.
fn draw_kwargs(id: &str, rng: &mut Rng) -> Kwargs {
    let v = match id {
        "keywords:existence" => {
            let a = pick(rng, &KEYWORDS);
            let b = pick(rng, &KEYWORDS);
            let kws: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
            json!({ "keywords": kws })
        }
        "keywords:frequency" => json!({
            "keyword": pick(rng, &KEYWORDS),
            "frequency": 1 + rng.below(3),
            "relation": relation(rng),
        }),
        "keywords:forbidden_words" => {
            let a = pick(rng, &FORBIDDEN);
            let b = pick(rng, &FORBIDDEN);
            let ws: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
            json!({ "forbidden_words": ws })
        }
        "keywords:letter_frequency" => json!({
            "letter": pick(rng, &LETTERS),
            "let_frequency": 3 + rng.below(8),
            "let_relation": relation(rng),
        }),
        "length_constraints:number_words" => json!({
            "num_words": ([50, 80, 100, 150, 200][rng.below(5) as usize]),
            "relation": relation(rng),
        }),
        "length_constraints:number_sentences" => json!({
            "num_sentences": 3 + rng.below(6),
            "relation": relation(rng),
        }),
        "length_constraints:number_paragraphs" => json!({ "num_paragraphs": 2 + rng.below(3) }),
        "detectable_format:number_bullet_lists" => json!({ "num_bullets": 2 + rng.below(4) }),
        "detectable_format:number_highlighted_sections" => {
            json!({ "num_highlights": 1 + rng.below(3) })
        }
        "detectable_content:postscript" => {
            json!({ "postscript_marker": (["P.S.", "P.P.S"][rng.below(2) as usize]) })
        }
        "detectable_content:number_placeholders" => {
            json!({ "num_placeholders": 1 + rng.below(3) })
        }
        "change_case:capital_word_frequency" => json!({
            "capital_frequency": 2 + rng.below(5),
            "capital_relation": relation(rng),
        }),
        "startend:end_checker" => json!({ "end_phrase": pick(rng, &END_PHRASES) }),
        _ => json!({}),
    };
    v.as_object().cloned().unwrap_or_default()
}

/// The most rows `hir data generate` writes in one file (about 30 GB of JSONL).
pub const MAX_GENERATED_ROWS: u64 = 100_000_000;

/// HIR-style rows (JSON objects) drawn from `seed`, one at a time: a task, 1 to 4
/// non-conflicting IFEval constraints with drawn parameters, and one of the six layouts. The
/// first `n` rows are the same for any `n`.
pub struct GeneratedRows {
    rng: Rng,
}

impl GeneratedRows {
    /// The rows of `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
        }
    }
}

impl Iterator for GeneratedRows {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        let rng = &mut self.rng;
        let task = pick(rng, &TASKS);
        let n = 1 + rng.below(4) as usize;
        let mut ids: Vec<&str> = Vec::with_capacity(n);
        while ids.len() < n {
            let id = FAMILIES[rng.below(FAMILIES.len() as u64) as usize].0;
            if !ids.iter().any(|&other| conflicts(id, other)) {
                ids.push(id);
            }
        }
        let constraints: Vec<Value> = ids
            .iter()
            .map(|&id| json!({ "instruction_id": id, "kwargs": draw_kwargs(id, rng) }))
            .collect();
        let layout = Layout::ALL[rng.below(Layout::ALL.len() as u64) as usize];
        Some(json!({ "task": task, "layout": layout.number(), "constraints": constraints }))
    }
}

/// `count` rows of [`GeneratedRows`] in memory (see [`write_jsonl`] for a file).
pub fn generate_rows(count: usize, seed: u64) -> Vec<Value> {
    GeneratedRows::new(seed).take(count).collect()
}

/// [`generate_rows`] as JSONL text (one row per line, newline-terminated).
pub fn generate_jsonl(count: usize, seed: u64) -> String {
    let mut out = String::new();
    for row in GeneratedRows::new(seed).take(count) {
        out.push_str(&row.to_string());
        out.push('\n');
    }
    out
}

/// Streams `count` rows of `seed` as JSONL into `out`, one row in memory at a time (the same
/// bytes as [`generate_jsonl`]).
pub fn write_jsonl(out: &mut impl std::io::Write, count: u64, seed: u64) -> std::io::Result<()> {
    let mut line = Vec::new();
    for row in GeneratedRows::new(seed).take(usize::try_from(count).unwrap_or(usize::MAX)) {
        line.clear();
        serde_json::to_writer(&mut line, &row)?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}
