//! The SVG line-plot writer: well-formed XML (checked by a small hand-written parser), one
//! line path per series, escaping, NaN/empty safety, and a golden file for a fixed input.
//!
//! Regenerate the golden after an intentional change of the drawing with
//! `HIR_BLESS=1 cargo test --test plot_svg` and look at the result (e.g. `convert` it to PNG).

use hir::plot::{line_plot_svg, Series};

const GOLDEN: &str = "tests/golden/plot/line_plot.svg";

/// Checks XML 1.0 well-formedness of the subset an SVG writer produces: one root element,
/// properly nested and closed tags, quoted unique attributes, known entity references, no
/// stray `<` or `&` in text or attribute values. Returns the element names in document order.
fn check_well_formed(doc: &str) -> Result<Vec<String>, String> {
    let b = doc.as_bytes();
    let mut i = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut elements = Vec::new();
    let mut roots = 0;
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.');
    let check_text = |s: &str, at: usize| -> Result<(), String> {
        let mut rest = s;
        while let Some(p) = rest.find('&') {
            let end = rest[p..]
                .find(';')
                .ok_or(format!("unterminated entity at {at}"))?;
            let ent = &rest[p + 1..p + end];
            let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
                || (ent.starts_with('#') && ent.len() > 1);
            if !ok {
                return Err(format!("unknown entity &{ent}; at {at}"));
            }
            rest = &rest[p + end + 1..];
        }
        if s.contains('<') {
            return Err(format!("stray '<' at {at}"));
        }
        Ok(())
    };
    while i < b.len() {
        if b[i] != b'<' {
            let next = doc[i..].find('<').map_or(b.len(), |p| i + p);
            let text = &doc[i..next];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root at {i}"));
            }
            check_text(text, i)?;
            i = next;
            continue;
        }
        let close = b.get(i + 1) == Some(&b'/');
        let mut j = i + 1 + close as usize;
        let start = j;
        while j < b.len() && name_char(b[j]) {
            j += 1;
        }
        let name = doc[start..j].to_string();
        if name.is_empty() {
            return Err(format!("bad tag at {i}"));
        }
        let mut attrs: Vec<String> = Vec::new();
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match b.get(j) {
                None => return Err(format!("unterminated tag at {i}")),
                Some(b'>') => {
                    j += 1;
                    if close {
                        if stack.pop().as_deref() != Some(name.as_str()) {
                            return Err(format!("mismatched </{name}> at {i}"));
                        }
                    } else {
                        if stack.is_empty() {
                            roots += 1;
                        }
                        stack.push(name.clone());
                        elements.push(name.clone());
                    }
                    break;
                }
                Some(b'/') if !close && b.get(j + 1) == Some(&b'>') => {
                    j += 2;
                    if stack.is_empty() {
                        roots += 1;
                    }
                    elements.push(name.clone());
                    break;
                }
                Some(_) if !close => {
                    let s = j;
                    while j < b.len() && name_char(b[j]) {
                        j += 1;
                    }
                    let attr = doc[s..j].to_string();
                    if attr.is_empty() || b.get(j) != Some(&b'=') {
                        return Err(format!("bad attribute in <{name}> at {j}"));
                    }
                    let q = *b.get(j + 1).ok_or("eof")?;
                    if q != b'"' && q != b'\'' {
                        return Err(format!("unquoted attribute {attr} at {j}"));
                    }
                    let end = doc[j + 2..]
                        .find(q as char)
                        .ok_or(format!("unterminated value of {attr}"))?;
                    check_text(&doc[j + 2..j + 2 + end], j)?;
                    if attrs.contains(&attr) {
                        return Err(format!("duplicate attribute {attr} in <{name}>"));
                    }
                    attrs.push(attr);
                    j = j + 2 + end + 1;
                }
                Some(_) => return Err(format!("junk in closing tag at {j}")),
            }
        }
        i = j;
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(elements)
}

/// No non-finite number was formatted into the document (Rust writes them `NaN`, `inf`).
fn no_non_finite(svg: &str) -> bool {
    !svg.contains("NaN")
        && !["inf,", "inf\"", "inf ", "inf)"]
            .iter()
            .any(|p| svg.contains(p))
}

fn fixed_input() -> Vec<Series> {
    let steps: Vec<f64> = (0..=10).map(f64::from).collect();
    let hir: Vec<(f64, f64)> = steps.iter().map(|&s| (s, 0.1 + 0.05 * s)).collect();
    let band = steps
        .iter()
        .map(|&s| (s, 0.05 + 0.05 * s, 0.15 + 0.05 * s))
        .collect();
    let base: Vec<(f64, f64)> = steps
        .iter()
        .map(|&s| (s, if s == 5.0 { f64::NAN } else { 0.1 + 0.02 * s }))
        .collect();
    vec![
        Series {
            name: "hir (mean ± std, 3 seeds)".into(),
            points: hir,
            band: Some(band),
        },
        Series {
            name: "reinforce_pp <no replay> & co".into(),
            points: base,
            band: None,
        },
        Series {
            name: "grpo".into(),
            points: vec![(10.0, 0.3)],
            band: None,
        },
    ]
}

#[test]
fn golden_svg() {
    let svg = line_plot_svg(
        "Held-out success \"all constraints\"",
        "step",
        "success rate",
        &fixed_input(),
    );
    if std::env::var_os("HIR_BLESS").is_some() {
        std::fs::write(GOLDEN, &svg).unwrap();
    }
    let want = std::fs::read_to_string(GOLDEN).expect("golden SVG (HIR_BLESS=1 writes it)");
    assert_eq!(svg, want, "SVG differs from {GOLDEN}");
}

#[test]
fn well_formed_with_one_line_path_per_series_and_escaped_text() {
    let series = fixed_input();
    let svg = line_plot_svg("a < b & c", "x \"q\"", "y 'r'", &series);
    let elements = check_well_formed(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    assert_eq!(elements[0], "svg");
    assert_eq!(svg.matches(r#"<path class="line""#).count(), series.len());
    assert_eq!(svg.matches(r#"<path class="band""#).count(), 1);
    assert!(svg.contains("a &lt; b &amp; c"));
    assert!(svg.contains("x &quot;q&quot;") && svg.contains("y &apos;r&apos;"));
    assert!(svg.contains("reinforce_pp &lt;no replay&gt; &amp; co"));
    // The NaN point splits the second line into two sub-paths; no NaN reaches the output.
    assert!(no_non_finite(&svg));
    let second = svg
        .lines()
        .filter(|l| l.starts_with(r#"<path class="line""#))
        .nth(1)
        .unwrap();
    assert_eq!(second.matches('M').count(), 2);
    // The single-point series is drawn as a dot.
    assert_eq!(svg.matches("<circle").count(), 1);
}

#[test]
fn empty_and_degenerate_inputs_are_safe() {
    let cases: Vec<Vec<Series>> = vec![
        vec![],
        vec![Series::default()],
        vec![Series {
            name: "nan".into(),
            points: vec![(f64::NAN, 1.0), (1.0, f64::INFINITY)],
            band: Some(vec![(f64::NAN, 0.0, 1.0)]),
        }],
        vec![Series {
            name: "flat".into(),
            points: vec![(0.0, 0.5), (0.0, 0.5)],
            band: None,
        }],
        (0..23)
            .map(|i| Series {
                name: format!("s{i}\u{1}"),
                points: vec![(0.0, i as f64), (1.0, -(i as f64) * 1e6)],
                band: None,
            })
            .collect(),
    ];
    for series in cases {
        let svg = line_plot_svg("", "", "", &series);
        check_well_formed(&svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert_eq!(svg.matches(r#"<path class="line""#).count(), series.len());
        assert!(no_non_finite(&svg), "{svg}");
    }
}

#[test]
fn the_checker_rejects_broken_xml() {
    for bad in [
        "<a><b></a></b>",
        "<a x=1/>",
        "<a>&foo;</a>",
        "<a>1 < 2</a>",
        "<a/><b/>",
        "<a x=\"1\" x=\"2\"/>",
        "<a>",
    ] {
        assert!(check_well_formed(bad).is_err(), "{bad}");
    }
    assert!(check_well_formed("<a x=\"1 &amp; 2\"><b/>text</a>").is_ok());
}
