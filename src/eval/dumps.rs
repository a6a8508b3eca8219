//! Python's `json.dumps` (default settings: `ensure_ascii=True`, `", "` and `": "`
//! separators), for the output records.

use super::score::OutputExample;
use std::fmt::Write;

/// A JSON string literal as Python's `json.dumps` writes it with `ensure_ascii=True`.
pub fn py_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// One output line as the official `write_outputs` writes it: the `OutputExample` attributes
/// in `dir()` (alphabetical) order, `json.dumps` formatting, no trailing newline.
pub fn output_line(o: &OutputExample) -> String {
    let mut s = String::with_capacity(o.prompt.len() + o.response.len() + 256);
    s.push_str("{\"follow_all_instructions\": ");
    s.push_str(py_bool(o.follow_all_instructions));
    s.push_str(", \"follow_instruction_list\": [");
    for (i, b) in o.follow_instruction_list.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(py_bool(*b));
    }
    s.push_str("], \"instruction_id_list\": [");
    for (i, id) in o.instruction_id_list.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        py_str(id, &mut s);
    }
    s.push_str("], \"prompt\": ");
    py_str(&o.prompt, &mut s);
    s.push_str(", \"response\": ");
    py_str(&o.response, &mut s);
    s.push('}');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_python_json_dumps() {
        let o = OutputExample {
            instruction_id_list: vec!["a:b".into()],
            prompt: "é\"\n\u{1}\u{7f}".into(),
            response: "😀\\".into(),
            follow_all_instructions: false,
            follow_instruction_list: vec![false, true],
        };
        // json.dumps({...}) in CPython 3.
        assert_eq!(
            output_line(&o),
            r#"{"follow_all_instructions": false, "follow_instruction_list": [false, true], "instruction_id_list": ["a:b"], "prompt": "\u00e9\"\n\u0001\u007f", "response": "\ud83d\ude00\\"}"#
        );
    }
}
