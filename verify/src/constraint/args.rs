//! Reading typed arguments out of official `kwargs` maps, with errors that name the argument.
//!
//! The official JSONL files store absent arguments either as missing keys or as `null`
//! (IFBench lists every possible key with `null`); both count as absent here.

use super::{ConstraintError, Kwargs};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;

/// A view of one instruction's kwargs that produces typed values or named errors.
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    id: &'a str,
    kwargs: &'a Kwargs,
}

impl<'a> Args<'a> {
    /// Wraps the kwargs of instruction `id`.
    pub fn new(id: &'a str, kwargs: &'a Kwargs) -> Self {
        Self { id, kwargs }
    }

    /// The raw value of `name`, or `None` when missing or `null`.
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        match self.kwargs.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    fn missing(&self, name: &str, expected: &str) -> ConstraintError {
        ConstraintError::MissingArg {
            id: self.id.to_string(),
            arg: name.to_string(),
            expected: expected.to_string(),
        }
    }

    fn bad(&self, name: &str, expected: &str, found: &Value) -> ConstraintError {
        ConstraintError::BadArg {
            id: self.id.to_string(),
            arg: name.to_string(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    /// A required integer (a JSON integer, or a float with no fractional part).
    pub fn int(&self, name: &str) -> Result<i64, ConstraintError> {
        self.opt_int(name)?
            .ok_or_else(|| self.missing(name, "an integer"))
    }

    /// An optional integer.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, ConstraintError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => {
                if let Some(i) = v.as_i64() {
                    Ok(Some(i))
                } else if let Some(f) = v
                    .as_f64()
                    .filter(|f| libm::trunc(*f) == *f && libm::fabs(*f) < 9e15)
                {
                    Ok(Some(f as i64))
                } else {
                    Err(self.bad(name, "an integer", v))
                }
            }
        }
    }

    /// A required number.
    pub fn float(&self, name: &str) -> Result<f64, ConstraintError> {
        self.opt_float(name)?
            .ok_or_else(|| self.missing(name, "a number"))
    }

    /// An optional number.
    pub fn opt_float(&self, name: &str) -> Result<Option<f64>, ConstraintError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.bad(name, "a number", v)),
        }
    }

    /// A required string.
    pub fn string(&self, name: &str) -> Result<String, ConstraintError> {
        self.opt_string(name)?
            .ok_or_else(|| self.missing(name, "a string"))
    }

    /// An optional string.
    pub fn opt_string(&self, name: &str) -> Result<Option<String>, ConstraintError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.bad(name, "a string", v)),
        }
    }

    /// A required list of strings.
    pub fn strings(&self, name: &str) -> Result<Vec<String>, ConstraintError> {
        self.opt_strings(name)?
            .ok_or_else(|| self.missing(name, "a list of strings"))
    }

    /// An optional list of strings.
    pub fn opt_strings(&self, name: &str) -> Result<Option<Vec<String>>, ConstraintError> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|x| match x {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.bad(name, "a list of strings", other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => Err(self.bad(name, "a list of strings", v)),
        }
    }

    /// A required string that must be one of `allowed`.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Result<String, ConstraintError> {
        let s = self.string(name)?;
        if allowed.contains(&s.as_str()) {
            Ok(s)
        } else {
            let expected = alloc::format!("one of {allowed:?}");
            Err(self.bad(name, &expected, &Value::String(s)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kw(v: Value) -> Kwargs {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn null_counts_as_missing() {
        let k = kw(json!({"a": null, "b": 3, "c": 2.0, "d": "x", "e": ["p", "q"]}));
        let a = Args::new("t:id", &k);
        assert!(matches!(
            a.int("a"),
            Err(ConstraintError::MissingArg { .. })
        ));
        assert_eq!(a.int("b").unwrap(), 3);
        assert_eq!(a.int("c").unwrap(), 2);
        assert_eq!(a.string("d").unwrap(), "x");
        assert_eq!(a.strings("e").unwrap(), ["p", "q"]);
        let err = a.int("d").unwrap_err().to_string();
        assert_eq!(
            err,
            "instruction `t:id`: argument `d` should be an integer, found \"x\""
        );
        assert!(a.choice("d", &["y", "z"]).is_err());
    }
}
