//! Python's `csv.reader(io.StringIO(value), delimiter=...)` (the excel dialect) and the three
//! `custom:csv_*` constraints built on it.

use crate::text::python::strip;
use alloc::string::String;
use alloc::vec::Vec;

/// Why Python's `csv` module would raise (the official checker would then crash; here the
/// constraint fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvError {
    /// "new-line character seen in unquoted field".
    NewlineInUnquotedField,
    /// "field larger than field limit (131072)".
    FieldTooLarge,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    StartRecord,
    StartField,
    InField,
    InQuotedField,
    QuoteInQuotedField,
    EatCrnl,
}

const FIELD_LIMIT: usize = 131_072;

struct Parser {
    delim: char,
    state: State,
    field: String,
    field_len: usize,
    fields: Vec<String>,
}

impl Parser {
    fn save_field(&mut self) {
        self.fields.push(core::mem::take(&mut self.field));
        self.field_len = 0;
    }

    fn add_char(&mut self, c: char) -> Result<(), CsvError> {
        if self.field_len >= FIELD_LIMIT {
            return Err(CsvError::FieldTooLarge);
        }
        self.field.push(c);
        self.field_len += 1;
        Ok(())
    }

    /// `parse_process_char` of CPython's `_csv.c`; `None` is the end-of-line marker.
    fn process(&mut self, c: Option<char>) -> Result<(), CsvError> {
        let nl = matches!(c, Some('\n' | '\r'));
        match self.state {
            State::StartRecord if c.is_none() => {}
            State::StartRecord if nl => self.state = State::EatCrnl,
            State::StartRecord | State::StartField => {
                if nl || c.is_none() {
                    self.save_field();
                    self.state = if c.is_none() {
                        State::StartRecord
                    } else {
                        State::EatCrnl
                    };
                } else if c == Some('"') {
                    self.state = State::InQuotedField;
                } else if c == Some(self.delim) {
                    self.save_field();
                    self.state = State::StartField;
                } else if let Some(ch) = c {
                    self.add_char(ch)?;
                    self.state = State::InField;
                }
            }
            State::InField => {
                if nl || c.is_none() {
                    self.save_field();
                    self.state = if c.is_none() {
                        State::StartRecord
                    } else {
                        State::EatCrnl
                    };
                } else if c == Some(self.delim) {
                    self.save_field();
                    self.state = State::StartField;
                } else if let Some(ch) = c {
                    self.add_char(ch)?;
                }
            }
            State::InQuotedField => match c {
                None => {}
                Some('"') => self.state = State::QuoteInQuotedField,
                Some(ch) => self.add_char(ch)?,
            },
            State::QuoteInQuotedField => {
                if c == Some('"') {
                    self.add_char('"')?;
                    self.state = State::InQuotedField;
                } else if c == Some(self.delim) {
                    self.save_field();
                    self.state = State::StartField;
                } else if nl || c.is_none() {
                    self.save_field();
                    self.state = if c.is_none() {
                        State::StartRecord
                    } else {
                        State::EatCrnl
                    };
                } else if let Some(ch) = c {
                    self.add_char(ch)?;
                    self.state = State::InField;
                }
            }
            State::EatCrnl => {
                if nl {
                } else if c.is_none() {
                    self.state = State::StartRecord;
                } else {
                    return Err(CsvError::NewlineInUnquotedField);
                }
            }
        }
        Ok(())
    }
}

/// `list(csv.reader(io.StringIO(text), delimiter=delim))`: blank lines give empty rows,
/// quoted fields may span lines, `""` inside quotes is a quote.
pub fn read(text: &str, delim: char) -> Result<Vec<Vec<String>>, CsvError> {
    let mut p = Parser {
        delim,
        state: State::StartRecord,
        field: String::new(),
        field_len: 0,
        fields: Vec::new(),
    };
    let mut rows = Vec::new();
    // `io.StringIO` (newline='\n') yields lines ending at, and keeping, each '\n'.
    let mut lines = text.split_inclusive('\n').peekable();
    loop {
        // `Reader_iternext`: one record per call, reading lines until back in StartRecord.
        p.fields.clear();
        p.field.clear();
        p.field_len = 0;
        p.state = State::StartRecord;
        let mut produced = false;
        for line in lines.by_ref() {
            for c in line.chars() {
                p.process(Some(c))?;
            }
            p.process(None)?;
            produced = true;
            if p.state == State::StartRecord {
                break;
            }
        }
        if !produced {
            return Ok(rows);
        }
        if p.state != State::StartRecord {
            // Input ended inside a record (an open quoted field): save what is there.
            if p.field_len != 0 || p.state == State::InQuotedField {
                p.save_field();
            } else {
                return Ok(rows);
            }
        }
        rows.push(core::mem::take(&mut p.fields));
        if lines.peek().is_none() {
            return Ok(rows);
        }
    }
}

fixed_constraint!(
    /// `custom:csv_city`: CSV with the header `ID,Country,City,Year,Count` and 7 rows of 5
    /// fields.
    CsvCity,
    "custom:csv_city",
    "Generate CSV data: The column names are [\"ID\", \"Country\", \"City\", \"Year\", \"Count\"], the data should be comma delimited. Please generate 7 rows.",
    |r| {
        let Ok(data) = read(r, ',') else { return false };
        data.len() == 8
            && data[0] == ["ID", "Country", "City", "Year", "Count"]
            && data[1..].iter().all(|row| row.len() == 5)
    }
);

/// `re.match('^' + 'A,[ \t]*B,[ \t]*...' + '$', header)` where each column name may be quoted.
fn header_matches(header: &str, names: &[&str], sep: char, pad: &[char]) -> bool {
    let mut rest = header;
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            let Some(r) = rest.strip_prefix(sep) else {
                return false;
            };
            rest = r.trim_start_matches(pad);
        }
        let quoted = alloc::format!("\"{name}\"");
        if let Some(r) = rest.strip_prefix(name) {
            rest = r;
        } else if let Some(r) = rest.strip_prefix(quoted.as_str()) {
            rest = r;
        } else {
            return false;
        }
    }
    // `$` also matches before one final '\n'.
    rest.is_empty() || rest == "\n"
}

fn first_line(r: &str) -> &str {
    strip(r.split('\n').next().unwrap_or(""))
}

/// `re.match(r'".*[^\d\w\s].*"', field)`.
fn quoted_special(field: &str) -> bool {
    let Some(rest) = field.strip_prefix('"') else {
        return false;
    };
    let line = rest.split('\n').next().unwrap_or("");
    let Some(last_quote) = line.rfind('"') else {
        return false;
    };
    line[..last_quote]
        .chars()
        .any(|c| !crate::text::python::is_word(c) && !crate::text::python::is_space(c))
}

fixed_constraint!(
    /// `custom:csv_special_character`: the header `ProductID,Category,Brand,Price,Stock`, 14
    /// rows of 5 fields, one field a quoted text with a special character (read the official
    /// way, with every `"` tripled).
    CsvSpecialCharacter,
    "custom:csv_special_character",
    "Generate CSV data: The column names are [\"ProductID\", \"Category\", \"Brand\", \"Price\", \"Stock\"], the data should be comma delimited. Please generate 14 rows. Add one field which contains a special character and enclose it in double quotes.",
    |r| {
        const NAMES: [&str; 5] = ["ProductID", "Category", "Brand", "Price", "Stock"];
        if !header_matches(first_line(r), &NAMES, ',', &[' ', '\t']) {
            return false;
        }
        let Ok(data) = read(&r.replace('"', "\"\"\""), ',') else { return false };
        if data.len() != 15 {
            return false;
        }
        for row in &data[1..] {
            if row.len() != 5 {
                return false;
            }
            if row.iter().any(|f| quoted_special(f)) {
                return true;
            }
        }
        false
    }
);

fixed_constraint!(
    /// `custom:csv_quotes`: tab-separated, header `StudentID Subject Grade Semester Score`, 3
    /// rows, every field (read with every `"` tripled) wrapped in quotes.
    CsvQuotes,
    "custom:csv_quotes",
    "Generate CSV data: The column names are [\"StudentID\", \"Subject\", \"Grade\", \"Semester\", \"Score\"], the data should be tab delimited. Please generate 3 rows and enclose each single field in double quotes.",
    |r| {
        const NAMES: [&str; 5] = ["StudentID", "Subject", "Grade", "Semester", "Score"];
        if !header_matches(first_line(r), &NAMES, '\t', &[' ']) {
            return false;
        }
        let Ok(data) = read(&r.replace('"', "\"\"\""), '\t') else { return false };
        // An empty field would raise IndexError in the official code; it fails here.
        data.len() == 4
            && data.iter().all(|row| {
                row.len() == 5
                    && row.iter().all(|f| {
                        let f = strip(f);
                        f.starts_with('"') && f.ends_with('"')
                    })
            })
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn rows(t: &str) -> Vec<Vec<String>> {
        read(t, ',').unwrap()
    }

    #[test]
    fn reads_like_python_csv() {
        assert_eq!(
            rows("a,b\n\nc,\"d\"\"e\"\n"),
            [vec!["a", "b"], vec![], vec!["c", "d\"e"]]
        );
        assert_eq!(rows("\"x\ny\",z"), [vec!["x\ny", "z"]]);
        assert_eq!(rows("\"open"), [vec!["open"]]);
        assert_eq!(rows(""), Vec::<Vec<String>>::new());
        assert_eq!(rows("a\r\nb"), [vec!["a"], vec!["b"]]);
        assert_eq!(rows("\"a\"b,c"), [vec!["ab", "c"]]);
        assert_eq!(read("a\rb\n", ','), Err(CsvError::NewlineInUnquotedField));
    }
}
