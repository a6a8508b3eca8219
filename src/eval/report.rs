//! Accuracy numbers and the text of the official `print_report`.

use super::score::OutputExample;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Prompt- and instruction-level accuracy of one mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// Fraction of prompts whose instructions are all followed.
    pub prompt_level: f64,
    /// Fraction of instructions followed.
    pub instruction_level: f64,
}

/// Computes the accuracies of `outputs` (which must not be empty).
pub fn accuracy(outputs: &[OutputExample]) -> Accuracy {
    let prompts = outputs.len().max(1) as f64;
    let prompt_correct = outputs
        .iter()
        .filter(|o| o.follow_instruction_list.iter().all(|&b| b));
    let total: usize = outputs.iter().map(|o| o.instruction_id_list.len()).sum();
    let correct: usize = outputs
        .iter()
        .map(|o| o.follow_instruction_list.iter().filter(|&&b| b).count())
        .sum();
    Accuracy {
        prompt_level: prompt_correct.count() as f64 / prompts,
        instruction_level: correct as f64 / total.max(1) as f64,
    }
}

/// Python's `repr(float)` (shortest round-trip digits; exponent form below 1e-4 and from
/// 1e16 on).
pub fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{x:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    let s = format!("{x}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Per-key (followed, total) counts.
fn tally<'a>(pairs: impl Iterator<Item = (&'a str, bool)>) -> BTreeMap<&'a str, (usize, usize)> {
    let mut m: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (k, ok) in pairs {
        let e = m.entry(k).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        }
    }
    m
}

/// The text the official `print_report` prints for `outputs` (one `\n` per line).
pub fn print_report(outputs: &[OutputExample]) -> String {
    let acc = accuracy(outputs);
    let mut s = String::new();
    let _ = writeln!(s, "prompt-level: {}", py_float(acc.prompt_level));
    let _ = writeln!(s, "instruction-level: {}", py_float(acc.instruction_level));
    let pairs = || {
        outputs.iter().flat_map(|o| {
            o.instruction_id_list
                .iter()
                .map(String::as_str)
                .zip(o.follow_instruction_list.iter().copied())
        })
    };
    let tier0 = tally(pairs().map(|(id, ok)| (id.split(':').next().unwrap_or(id), ok)));
    let tier1 = tally(pairs());
    for tier in [tier0, tier1] {
        s.push('\n');
        for (id, (correct, total)) in tier {
            let _ = writeln!(s, "{id} {}", py_float(correct as f64 / total as f64));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::py_float;

    #[test]
    fn float_repr_like_python() {
        assert_eq!(py_float(1.0), "1.0");
        assert_eq!(py_float(0.0), "0.0");
        assert_eq!(py_float(0.7024029574861368), "0.7024029574861368");
        assert_eq!(py_float(2.0 / 3.0), "0.6666666666666666");
        assert_eq!(py_float(1e-5), "1e-05");
        assert_eq!(py_float(0.000123), "0.000123");
        assert_eq!(py_float(1.5e-7), "1.5e-07");
    }
}
