//! The six prompt layouts of the released HiR code (spec §4).

use alloc::format;
use alloc::string::String;

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
}

/// A layout name or number that is not one of the six.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown layout `{0}`: expected 1-6 or one of inline, newline, numbered, bullets, constraints_first, lines")]
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

    /// The spec's number (1-6).
    pub fn number(self) -> u8 {
        match self {
            Layout::Inline => 1,
            Layout::NewLine => 2,
            Layout::Numbered => 3,
            Layout::Bullets => 4,
            Layout::ConstraintsFirst => 5,
            Layout::Lines => 6,
        }
    }

    /// The snake-case name (`inline`, `newline`, `numbered`, `bullets`, `constraints_first`,
    /// `lines`).
    pub fn name(self) -> &'static str {
        match self {
            Layout::Inline => "inline",
            Layout::NewLine => "newline",
            Layout::Numbered => "numbered",
            Layout::Bullets => "bullets",
            Layout::ConstraintsFirst => "constraints_first",
            Layout::Lines => "lines",
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
            .find(|l| l.name() == s.trim())
            .ok_or_else(|| LayoutError(s.into()))
    }

    /// Renders task `x` with constraint texts `cs` (in order).
    pub fn render(self, task: &str, cs: &[&str]) -> String {
        match self {
            Layout::Inline => join_nonempty(task, " ", &sentences(cs)),
            Layout::NewLine => join_nonempty(task, "\n", &sentences(cs)),
            Layout::Numbered => {
                let mut list = String::from("The output must follow the following rules:\n");
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        list.push('\n');
                    }
                    list.push_str(&format!("{}. {}", i + 1, c));
                }
                join_nonempty(task, "\n\n", &list)
            }
            Layout::Bullets => {
                let list: String = lines(cs.iter().map(|c| format!("- {c}")));
                join_nonempty(task, "\n\n", &list)
            }
            Layout::ConstraintsFirst => join_nonempty(&sentences(cs), "\n\n", task),
            Layout::Lines => {
                join_nonempty(task, "\n\n", &lines(cs.iter().map(|c| String::from(*c))))
            }
        }
    }
}

/// Joins constraint texts as sentences: each text is followed by `". "` unless it already ends
/// in `,` `.` `?` or `!`, in which case a single space separates it from the next one.
fn sentences(cs: &[&str]) -> String {
    let mut out = String::new();
    for (i, c) in cs.iter().enumerate() {
        let c = c.trim();
        if i > 0 {
            out.push(' ');
        }
        out.push_str(c);
        if !c.ends_with([',', '.', '?', '!']) {
            out.push('.');
        }
    }
    out
}

fn lines(items: impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&s);
    }
    out
}

fn join_nonempty(a: &str, sep: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => String::from(b),
        (_, true) => String::from(a),
        _ => format!("{a}{sep}{b}"),
    }
}
