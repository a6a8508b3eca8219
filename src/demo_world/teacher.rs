//! The teacher: writes a response to an instruction, following each constraint or not.
//!
//! [`perfect_response`] follows every constraint (it proves an instruction satisfiable);
//! [`imperfect_response`] follows each constraint independently with its family's
//! [`Family::teacher_follow_prob`] and records the real checkers' verdicts ([`verify`]) — a
//! constraint "followed" may still fail (a long title pushing a text over a word limit) and one
//! ignored may still hold by accident; the verdicts are never assumed.

use super::bank::{
    BULLET_ITEMS, FILLERS, FREQUENCY_SENTENCE, KEYWORD_SENTENCES, PLACEHOLDER_SENTENCES,
    POSTSCRIPT_TEXTS, SENTENCES, TITLES, TOPICS,
};
use super::family::Family;
use hir_core::instruct::Instruction;
use hir_core::rng::Rng;
use serde_json::Value;

/// A teacher response and the checkers' verdict on each constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherResponse {
    /// The response text.
    pub text: String,
    /// Whether the teacher tried to follow each constraint (instruction order).
    pub followed: Vec<bool>,
    /// The strict verdict of each constraint's checker on `text` (instruction order).
    pub judge: Vec<bool>,
}

impl TeacherResponse {
    /// 1 when every constraint holds.
    pub fn sparse(&self) -> bool {
        self.judge.iter().all(|&j| j)
    }

    /// The fraction of constraints that hold.
    pub fn dense(&self) -> f32 {
        dense(&self.judge)
    }
}

/// The fraction of `true` verdicts (1 for an empty list).
pub fn dense(judge: &[bool]) -> f32 {
    if judge.is_empty() {
        return 1.0;
    }
    judge.iter().filter(|&&j| j).count() as f32 / judge.len() as f32
}

/// The strict verdict of every constraint of `instr` on `response`, in order.
pub fn verify(instr: &Instruction, response: &str) -> Vec<bool> {
    instr
        .constraints
        .iter()
        .map(|c| c.constraint.check(response))
        .collect()
}

/// The topic of a suite task text (the longest topic it contains), if any.
pub fn topic_of(task: &str) -> Option<&'static str> {
    TOPICS
        .iter()
        .copied()
        .filter(|t| task.contains(t))
        .max_by_key(|t| t.len())
}

/// A response following every constraint (deterministic for `seed`).
pub fn perfect_response(instr: &Instruction, seed: u64) -> String {
    let follow = vec![true; instr.constraints.len()];
    compose(instr, &follow, &mut Rng::new(seed))
}

/// A response following each constraint with its family's probability, with the verdicts.
pub fn imperfect_response(instr: &Instruction, rng: &mut Rng) -> TeacherResponse {
    let followed: Vec<bool> = instr
        .constraints
        .iter()
        .map(|c| {
            let p = Family::from_id(c.constraint.id()).map_or(0.5, |f| f.teacher_follow_prob());
            rng.next_f32() < p
        })
        .collect();
    let text = compose(instr, &followed, rng);
    let judge = verify(instr, &text);
    TeacherResponse {
        text,
        followed,
        judge,
    }
}

/// What the teacher does about each family present in the instruction: `Some(follow)`.
#[derive(Default)]
struct Plan {
    keyword: Option<(bool, String)>,
    forbidden: Option<(bool, Vec<String>)>,
    lowercase: Option<bool>,
    capital: Option<bool>,
    no_comma: Option<bool>,
    end_phrase: Option<(bool, String)>,
    quotation: Option<bool>,
    title: Option<bool>,
    postscript: Option<(bool, String)>,
    /// `(follow, at_least, num_words)`.
    number_words: Option<(bool, bool, i64)>,
    highlights: Option<(bool, usize)>,
    placeholders: Option<(bool, usize)>,
    /// `(follow, num_bullets)`.
    bullets: Option<(bool, usize)>,
    /// `(follow, keyword, frequency)`.
    frequency: Option<(bool, String, usize)>,
}

fn kw_str(k: &serde_json::Map<String, Value>, name: &str) -> String {
    k.get(name)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn kw_int(k: &serde_json::Map<String, Value>, name: &str) -> i64 {
    k.get(name).and_then(|v| v.as_i64()).unwrap_or(0)
}

fn kw_list(k: &serde_json::Map<String, Value>, name: &str) -> Vec<String> {
    k.get(name)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn plan(instr: &Instruction, follow: &[bool]) -> Plan {
    let mut p = Plan::default();
    for (c, &f) in instr.constraints.iter().zip(follow) {
        let k = c.constraint.kwargs();
        match Family::from_id(c.constraint.id()) {
            Some(Family::KeywordExistence) => {
                let kw = kw_list(&k, "keywords")
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                p.keyword = Some((f, kw));
            }
            Some(Family::ForbiddenWords) => p.forbidden = Some((f, kw_list(&k, "forbidden_words"))),
            Some(Family::Lowercase) => p.lowercase = Some(f),
            Some(Family::Capital) => p.capital = Some(f),
            Some(Family::NoComma) => p.no_comma = Some(f),
            Some(Family::EndPhrase) => p.end_phrase = Some((f, kw_str(&k, "end_phrase"))),
            Some(Family::Quotation) => p.quotation = Some(f),
            Some(Family::Title) => p.title = Some(f),
            Some(Family::Postscript) => {
                p.postscript = Some((f, kw_str(&k, "postscript_marker")));
            }
            Some(Family::NumberWords) => {
                let at_least = kw_str(&k, "relation") == "at least";
                p.number_words = Some((f, at_least, kw_int(&k, "num_words")));
            }
            Some(Family::Highlights) => {
                p.highlights = Some((f, kw_int(&k, "num_highlights").max(0) as usize));
            }
            Some(Family::Placeholders) => {
                p.placeholders = Some((f, kw_int(&k, "num_placeholders").max(0) as usize));
            }
            Some(Family::BulletLists) => {
                p.bullets = Some((f, kw_int(&k, "num_bullets").max(0) as usize));
            }
            Some(Family::KeywordFrequency) => {
                let n = kw_int(&k, "frequency").max(0) as usize;
                p.frequency = Some((f, kw_str(&k, "keyword"), n));
            }
            None => {}
        }
    }
    p
}

fn capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

fn pick<'s>(rng: &mut Rng, pool: &[&'s str]) -> &'s str {
    pool[rng.below(pool.len() as u64) as usize]
}

/// The random choices of one response, drawn once so that re-composing with another number of
/// body sentences keeps everything else.
struct Draws {
    sentences: Vec<usize>,
    fillers: Vec<&'static str>,
    title: &'static str,
    ps_text: &'static str,
    keyword_sentence: &'static str,
}

fn draws(rng: &mut Rng, banned: &[String]) -> Draws {
    let mut order: Vec<usize> = (0..SENTENCES.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let allowed: Vec<&'static str> = FILLERS
        .iter()
        .copied()
        .filter(|f| !banned.iter().any(|b| b == f))
        .collect();
    let fillers = (0..SENTENCES.len()).map(|_| pick(rng, &allowed)).collect();
    Draws {
        sentences: order,
        fillers,
        title: pick(rng, &TITLES),
        ps_text: pick(rng, &POSTSCRIPT_TEXTS),
        keyword_sentence: pick(rng, &KEYWORD_SENTENCES),
    }
}

/// Writes the response for `follow` (one flag per constraint, instruction order).
fn compose(instr: &Instruction, follow: &[bool], rng: &mut Rng) -> String {
    let p = plan(instr, follow);
    let topic = topic_of(&instr.task).unwrap_or("it");
    // Filler words avoid every forbidden word when following; when ignoring, the first
    // sentence uses the first forbidden word.
    let banned: Vec<String> = p.forbidden.clone().map(|(_, w)| w).unwrap_or_default();
    let d = draws(rng, &banned);
    let forced_filler = match &p.forbidden {
        Some((false, words)) => words.first().cloned(),
        _ => None,
    };
    let min_sentences = match p.highlights {
        Some((true, n)) => n.max(1),
        _ => 1,
    };
    let render = |k: usize| {
        render_text(
            &p,
            topic,
            &d,
            forced_filler.as_deref(),
            k.max(min_sentences),
        )
    };
    let k = match p.number_words {
        Some((true, true, n)) => (1..=SENTENCES.len())
            .find(|&k| hir_core::constraint::ifeval::machinery::count_words(&render(k)) as i64 >= n)
            .unwrap_or(SENTENCES.len()),
        Some((true, false, _)) => 1,
        Some((false, true, _)) => 1,
        Some((false, false, _)) => 4,
        None => 2,
    };
    render(k)
}

fn render_text(p: &Plan, topic: &str, d: &Draws, forced_filler: Option<&str>, k: usize) -> String {
    let topic_cap = capitalize(topic);
    let mut body: Vec<String> = Vec::new();
    for (i, &s) in d.sentences.iter().take(k).enumerate() {
        let filler = match (i, forced_filler) {
            (0, Some(f)) => f,
            _ => d.fillers[i],
        };
        body.push(
            SENTENCES[s]
                .replace("{T}", &topic_cap)
                .replace("{t}", topic)
                .replace("{a}", filler),
        );
    }
    if let Some((true, n)) = p.highlights {
        for s in body.iter_mut().take(n) {
            *s = format!("*{s}*");
        }
    }
    if let Some((true, kw)) = &p.keyword {
        body.push(d.keyword_sentence.replace("{k}", kw));
    }
    if let Some((true, n)) = p.placeholders {
        body.push(PLACEHOLDER_SENTENCES[n.clamp(1, 2) - 1].to_string());
    }
    if let Some((true, kw, n)) = &p.frequency {
        for _ in 0..*n {
            body.push(FREQUENCY_SENTENCE.replace("{k}", kw));
        }
    }
    let mut lines: Vec<String> = Vec::new();
    if p.title == Some(true) {
        lines.push(format!("<<{}>>", d.title.replace("{T}", &topic_cap)));
    }
    lines.push(body.join(" "));
    // Bullet items come from the sentence order already drawn (no extra random draws, so
    // responses without bullets are exactly what they were before bullets existed).
    if let Some((true, n)) = p.bullets {
        let first = d.sentences.first().copied().unwrap_or(0);
        for i in 0..n {
            lines.push(format!(
                "* {}",
                BULLET_ITEMS[(first + i) % BULLET_ITEMS.len()]
            ));
        }
    }
    if let Some((true, marker)) = &p.postscript {
        lines.push(format!("{marker} {}", d.ps_text));
    }
    if let Some((true, phrase)) = &p.end_phrase {
        lines.push(phrase.clone());
    }
    let mut text = lines.join("\n");
    if p.no_comma == Some(true) {
        text = text.replace(',', "");
    }
    if p.lowercase == Some(true) {
        text = text.to_lowercase();
    }
    if p.capital == Some(true) {
        text = text.to_uppercase();
    }
    if p.quotation == Some(true) {
        text = format!("\"{text}\"");
    }
    text
}
