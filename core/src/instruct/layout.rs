//! The six prompt layouts of the released HiR code (spec §4).

use alloc::format;
use alloc::string::String;

use crate::text::python::strip;

/// How an instruction's task text `x` and constraint texts `c_1..c_n` become one prompt.
///
/// Numbered as in spec §4; [`Layout::from_number`] and [`Layout::from_name`] parse either
/// form (the `hir replay` input accepts both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Layout {
    /// 1: `x` + `" "` + the constraints as sentences.
    #[default]
    Inline,
    /// 2: `x` + `"\n"` + the constraints as sentences.
    NewLine,
    /// 3: `x` + `"\n\n"` + `"The output must follow the following rules:\n"` + `"1. c_1\n2. c_2"`.
    Numbered,
    /// 4: `x` + `"\n\n"` + `"- c_1\n- c_2"`.
    Bullets,
    /// 5: the constraints as sentences + `"\n\n"` + `x`.
    ConstraintsFirst,
    /// 6: `x` + `"\n\n"` + one constraint per line.
    Lines,
    /// Not one of the spec's six: the task text already states every constraint in its own
    /// words (an IFEval-format row, `prompt` + `instruction_id_list`), so the prompt is the
    /// task verbatim. No template can remove a constraint from free text, so such an
    /// instruction is never rewritten (see [`Layout::is_rewritable`]): it trains on its own
    /// rollouts only.
    Embedded,
}

/// A layout name or number that is not one of the six numbered layouts or `embedded`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown layout `{0}`: expected a number 1-6 or its name (1 inline, 2 newline, 3 numbered, 4 bullets, 5 constraints_first, 6 lines), or `embedded` (a task that states its constraints itself; it has no number)")]
pub struct LayoutError(pub String);

impl Layout {
    /// All six layouts, in spec order.
    pub const ALL: [Layout; 6] = [
        Layout::Inline,
        Layout::NewLine,
        Layout::Numbered,
        Layout::Bullets,
        Layout::ConstraintsFirst,
        Layout::Lines,
    ];

    /// The spec's number (1-6; 0 for [`Layout::Embedded`]).
    pub fn number(self) -> u8 {
        match self {
            Layout::Inline => 1,
            Layout::NewLine => 2,
            Layout::Numbered => 3,
            Layout::Bullets => 4,
            Layout::ConstraintsFirst => 5,
            Layout::Lines => 6,
            Layout::Embedded => 0,
        }
    }

    /// Whether an instruction with this layout can be re-rendered with fewer constraints
    /// (every layout but [`Layout::Embedded`]).
    pub fn is_rewritable(self) -> bool {
        self != Layout::Embedded
    }

    /// The snake-case name (`inline`, `newline`, `numbered`, `bullets`, `constraints_first`,
    /// `lines`, `embedded`).
    pub fn name(self) -> &'static str {
        match self {
            Layout::Inline => "inline",
            Layout::NewLine => "newline",
            Layout::Numbered => "numbered",
            Layout::Bullets => "bullets",
            Layout::ConstraintsFirst => "constraints_first",
            Layout::Lines => "lines",
            Layout::Embedded => "embedded",
        }
    }

    /// Parses the spec's number 1-6.
    pub fn from_number(n: u64) -> Result<Layout, LayoutError> {
        match n {
            1..=6 => Ok(Layout::ALL[n as usize - 1]),
            _ => Err(LayoutError(format!("{n}"))),
        }
    }

    /// Parses a name (see [`Layout::name`]) or a number written as text.
    pub fn from_name(s: &str) -> Result<Layout, LayoutError> {
        if let Ok(n) = s.trim().parse::<u64>() {
            return Layout::from_number(n);
        }
        Layout::ALL
            .iter()
            .copied()
            .chain([Layout::Embedded])
            .find(|l| l.name() == s.trim())
            .ok_or_else(|| LayoutError(s.into()))
    }

    /// Renders task `x` with constraint texts `cs` (in order), exactly as the released HiR
    /// code's `RayPPOTrainer._concat_question` does (sastpg/HIR,
    /// `HIR/verl/trainer/ppo/ray_trainer.py`, commit ffd6919; `type1`..`type6` are layouts
    /// 1..6):
    ///
    /// - the constraint block is built item by item and then Python-`strip()`ped as a whole
    ///   (so trailing whitespace of the last item, and leading whitespace of the first, go);
    /// - sentence join (1, 2, 5): each text is followed by `". "`, or by `" "` when its last
    ///   character is `,` `.` `?` or `!` (the texts themselves are not trimmed);
    /// - numbered (3): `"The output must follow the following rules:\n"` then `"{i}. c_i\n"`;
    ///   bullets (4): `"- c_i\n"`; lines (6): `"c_i\n"`;
    /// - the task is joined with `" "` (1), `"\n"` (2) or `"\n\n"` (3, 4, 6), or follows the
    ///   constraints after `"\n\n"` (5), verbatim, even when it is empty.
    ///
    /// With no constraints at all (the released code never renders that: a rewrite keeps at
    /// least one) the prompt is the task alone.
    ///
    /// [`Layout::Embedded`] renders the task alone, whatever the constraints.
    pub fn render(self, task: &str, cs: &[&str]) -> String {
        if cs.is_empty() || self == Layout::Embedded {
            return String::from(task);
        }
        let block = match self {
            Layout::Inline | Layout::NewLine | Layout::ConstraintsFirst => sentences(cs),
            Layout::Numbered => {
                let mut b = String::from("The output must follow the following rules:\n");
                for (i, c) in cs.iter().enumerate() {
                    b.push_str(&format!("{}. {c}\n", i + 1));
                }
                b
            }
            Layout::Bullets => cs.iter().map(|c| format!("- {c}\n")).collect(),
            Layout::Lines => cs.iter().map(|c| format!("{c}\n")).collect(),
            Layout::Embedded => String::new(),
        };
        let block = strip(&block);
        match self {
            Layout::Inline => format!("{task} {block}"),
            Layout::NewLine => format!("{task}\n{block}"),
            Layout::ConstraintsFirst => format!("{block}\n\n{task}"),
            Layout::Numbered | Layout::Bullets | Layout::Lines => format!("{task}\n\n{block}"),
            Layout::Embedded => String::from(task),
        }
    }
}

/// The sentence join of layouts 1, 2 and 5 (before the final strip): each text followed by
/// `". "`, or by `" "` when it already ends in `,` `.` `?` or `!`. An empty text (on which the
/// released code stops at an assertion) counts as not ending in punctuation.
fn sentences(cs: &[&str]) -> String {
    let mut out = String::new();
    for c in cs {
        out.push_str(c);
        if c.ends_with([',', '.', '?', '!']) {
            out.push(' ');
        } else {
            out.push_str(". ");
        }
    }
    out
}
