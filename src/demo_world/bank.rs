//! Word banks of the built-in suite: task templates, topics, and the pools constraint
//! parameters and teacher sentences are drawn from.
//!
//! The pools are kept disjoint where a checker could be satisfied by accident: keywords never
//! occur in topics or sentences (the keyword checker searches substrings), and the filler
//! adjectives (the forbidden-word pool) occur only where the teacher puts them.

/// Task templates; `{t}` is the topic.
pub const TASKS: [&str; 8] = [
    "Write a short note about {t}.",
    "Describe {t} in a few sentences.",
    "Tell me why you like {t}.",
    "Write a brief story about {t}.",
    "Give a friend some advice about {t}.",
    "Explain {t} to a child.",
    "Write a short review of {t}.",
    "Share a memory about {t}.",
];

/// Topics. [`crate::demo_world::builtin_suite`] holds [`EVAL_TOPICS`] of them out (chosen by the
/// seed) for the evaluation split.
pub const TOPICS: [&str; 40] = [
    "the ocean",
    "coffee",
    "autumn",
    "city parks",
    "board games",
    "the moon",
    "old trains",
    "bicycles",
    "libraries",
    "rainy days",
    "green tea",
    "mountains",
    "cats",
    "dogs",
    "baking bread",
    "the night sky",
    "small towns",
    "summer camps",
    "snow",
    "music lessons",
    "the beach",
    "chess",
    "school trips",
    "hiking",
    "birds",
    "cooking soup",
    "the library card",
    "painting",
    "old photos",
    "the zoo",
    "swimming",
    "kites",
    "fresh fruit",
    "long walks",
    "the radio",
    "museums",
    "spring rain",
    "card games",
    "pottery",
    "sunrise",
];

/// How many topics the evaluation split holds out.
pub const EVAL_TOPICS: usize = 8;

/// Keywords for `keywords:existence` (never substrings of topics or teacher sentences).
pub const KEYWORDS: [&str; 12] = [
    "lantern", "compass", "harbor", "violin", "meadow", "pebble", "ribbon", "thunder", "velvet",
    "maple", "anchor", "feather",
];

/// Filler adjectives of teacher sentences; also the pool of `keywords:forbidden_words`.
pub const FILLERS: [&str; 8] = [
    "nice", "good", "useful", "simple", "lovely", "fun", "pleasant", "special",
];

/// End phrases for `startend:end_checker` (no commas, so `punctuation:no_comma` can hold).
pub const END_PHRASES: [&str; 4] = [
    "Is there anything else I can help with?",
    "Any other questions?",
    "Thank you for reading.",
    "That is all.",
];

/// Markers for `detectable_content:postscript` (the official checker special-cases both).
pub const POSTSCRIPT_MARKERS: [&str; 2] = ["P.S.", "P.P.S"];

/// Postscript texts the teacher writes after the marker.
pub const POSTSCRIPT_TEXTS: [&str; 4] = [
    "I hope this helps.",
    "Thanks for reading.",
    "More soon.",
    "Have a great day.",
];

/// Title templates (`{T}`: the topic, capitalised) for `detectable_format:title`.
pub const TITLES: [&str; 4] = ["{T} Notes", "All About {T}", "My {T} Story", "On {T}"];

/// Body sentence templates: `{t}` topic, `{T}` topic capitalised, `{a}` a filler adjective.
/// Each has a comma, so the teacher's default text breaks `punctuation:no_comma`.
pub const SENTENCES: [&str; 6] = [
    "{T} is {a}, and I enjoy it.",
    "I think {t} is {a}, even today.",
    "To me, {t} is {a}.",
    "{T} feels {a}, so I like it.",
    "When I think of {t}, I feel {a}.",
    "For me, {t} is {a} and calm.",
];

/// Sentences with `[...]` placeholders for `detectable_content:number_placeholders`, indexed
/// by how many placeholders they carry minus one.
pub const PLACEHOLDER_SENTENCES: [&str; 2] = [
    "You can find me at [address].",
    "Meet me at [place] on [date].",
];

/// Sentences naming a keyword (`{k}`).
pub const KEYWORD_SENTENCES: [&str; 2] = ["It makes me think of a {k}.", "I also picture a {k}."];

/// Words of `keywords:frequency` (hard world's held-out family): disjoint from [`KEYWORDS`],
/// and never substrings of topics, tasks, fillers or teacher sentences (the checker counts
/// case-insensitive substrings).
pub const FREQUENCY_WORDS: [&str; 6] = ["tulip", "falcon", "glacier", "orchid", "quartz", "wizard"];

/// Sentence naming a frequency word (`{k}`); the teacher repeats it as often as required.
pub const FREQUENCY_SENTENCE: &str = "I dream of the {k}.";

/// Bullet lines of `detectable_format:number_bullet_lists` (hard world's held-out family): no
/// commas, fillers, keywords or frequency words; the teacher writes them as `* item`.
pub const BULLET_ITEMS: [&str; 4] = [
    "It is worth a try.",
    "Start small.",
    "Take your time.",
    "Ask a friend to join.",
];
