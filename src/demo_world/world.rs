//! [`World`]: which built-in world a run trains and evaluates on (`--world`).

/// A built-in world: instructions, a warm-started policy and the trainer settings for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum World {
    /// The quick demo world (2–6 constraints per instruction; `hir train`'s default).
    #[default]
    Default,
    /// The hard world (5–8 constraints, a held-out split with in- and out-of-distribution
    /// parts): the regime HiR is for, where a binary reward is almost always 0.
    Hard,
}

impl World {
    /// The world's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            World::Default => "default",
            World::Hard => "hard",
        }
    }
}
