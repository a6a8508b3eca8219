//! Integer kwargs that the official checkers use as Python list indices or slice bounds
//! (`words:keywords_specific_position`'s `n` and `m`, `repeat:repeat_span`'s `n_start` and
//! `n_end`).
//!
//! Unlike the count parameters, these are never compared as numbers only: a JSON float such as
//! `2.0` reaches `sentences[self._n - 1]` or `words[n_start:n_end]` and raises `TypeError`,
//! so the official strict verdict is `False` for every response. [`IndexArg`] keeps that
//! distinction so the checkers can reproduce it.

use super::ratio::fmt_num;
use crate::constraint::args::Args;
use crate::constraint::params::bad_arg;
use crate::constraint::ConstraintError;
use alloc::string::String;
use serde_json::Value;

/// An index argument as the official code receives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexArg {
    /// The value (a float's integer part; only used for display when `float` is set).
    pub value: i64,
    /// Given as a JSON float (`2.0`): Python raises `TypeError` when it indexes with it.
    pub float: bool,
    raw: f64,
}

impl IndexArg {
    /// Reads the required argument `name`. `zero_ok = false` refuses 0 (and `0.0`), which the
    /// official code treats as absent and replaces by a random value.
    pub fn read(args: &Args, id: &str, name: &str, zero_ok: bool) -> Result<Self, ConstraintError> {
        let v = args.raw(name);
        let arg = match v {
            Some(Value::Number(n)) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if !f.is_finite() || libm::fabs(f) >= 9e15 {
                    return Err(bad_arg(id, name, "an integer", &fmt_num(f)));
                }
                IndexArg {
                    value: libm::trunc(f) as i64,
                    float: true,
                    raw: f,
                }
            }
            _ => {
                let i = args.int(name)?;
                IndexArg {
                    value: i,
                    float: false,
                    raw: i as f64,
                }
            }
        };
        if arg.raw == 0.0 && zero_ok {
            // `if not n_start:` replaces 0 and 0.0 alike by a random integer; we take 0.
            return Ok(IndexArg {
                value: 0,
                float: false,
                raw: 0.0,
            });
        }
        if arg.raw == 0.0 {
            return Err(bad_arg(
                id,
                name,
                "a non-zero integer (the official checker replaces 0 by a random value)",
                "0",
            ));
        }
        Ok(arg)
    }

    /// The value as the kwargs JSON held it.
    pub fn to_value(self) -> Value {
        if self.float {
            Value::from(self.raw)
        } else {
            Value::from(self.value)
        }
    }

    /// The value as Python's `str.format` shows it.
    pub fn display(self) -> String {
        if self.float {
            let s = fmt_num(self.raw);
            // Python prints a float with a fraction part: `2.0`.
            if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
                s
            } else {
                alloc::format!("{s}.0")
            }
        } else {
            alloc::format!("{}", self.value)
        }
    }
}
