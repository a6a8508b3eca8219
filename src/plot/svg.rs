//! The SVG writer behind [`line_plot_svg`].

use std::fmt::Write as _;

use super::ticks::Axis;
use super::Series;

const PLOT_WIDTH: f64 = 500.0;
const PLOT_HEIGHT: f64 = 338.0;
const LEFT: f64 = 72.0;
/// Width reserved right of the plot area besides the legend's text.
const LEGEND_PAD: f64 = 60.0;
/// Rough advance of one character at font size 12 (sans-serif), for sizing the legend.
const CHAR_WIDTH: f64 = 7.0;
/// Legend names longer than this many characters are shortened with "…".
const MAX_NAME: usize = 48;
const TOP: f64 = 44.0;
const BOTTOM: f64 = 58.0;

/// Matplotlib's `tab10` palette: ten colours that are easy to tell apart.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];
/// Dash patterns for the second, third, ... pass through the palette.
const DASHES: [&str; 3] = ["6 3", "2 2", "8 3 2 3"];

/// Renders `series` as a standalone SVG document (UTF-8 text).
///
/// Axes cover every finite point and band value, extended to "nice" tick steps; an empty or
/// all-NaN input gives `[0, 1]` axes. Each series yields exactly one `<path class="line">`
/// (its `d` is empty when it has no finite point), a `<path class="band">` when it has a band,
/// a dot for each isolated finite point, and a legend entry right of the plot (the document widens to fit names of up to 48
/// characters; longer ones are shortened with "…"). All text is XML-escaped.
pub fn line_plot_svg(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let xs = series.iter().flat_map(|s| {
        let band = s.band.iter().flatten().map(|b| b.0);
        s.points.iter().map(|p| p.0).chain(band)
    });
    let ys = series.iter().flat_map(|s| {
        let band = s.band.iter().flatten().flat_map(|b| [b.1, b.2]);
        s.points.iter().map(|p| p.1).chain(band)
    });
    let (xa, ya) = (Axis::covering(xs, 6), Axis::covering(ys, 5));
    let names: Vec<String> = series.iter().map(|s| shorten(&s.name)).collect();
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let width = (LEFT + PLOT_WIDTH + LEGEND_PAD + CHAR_WIDTH * longest as f64).round();
    let (x0, x1) = (LEFT, LEFT + PLOT_WIDTH);
    let (y0, y1) = (TOP + PLOT_HEIGHT, TOP);
    let height = (y0 + BOTTOM).max(TOP + 20.0 * (series.len() as f64 + 1.0));
    let px = |x: f64| xa.map(x, x0, x1);
    let py = |y: f64| ya.map(y, y0, y1);

    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(w, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        w,
        r#"<text x="{:.2}" y="24" text-anchor="middle" font-size="15">{}</text>"#,
        (x0 + x1) / 2.0,
        escape(title)
    );
    // Grid and ticks.
    for &t in &xa.ticks {
        let x = px(t);
        let _ = writeln!(
            w,
            r##"<line x1="{x:.2}" y1="{y1:.2}" x2="{x:.2}" y2="{y0:.2}" stroke="#e0e0e0"/><line x1="{x:.2}" y1="{y0:.2}" x2="{x:.2}" y2="{:.2}" stroke="black"/><text x="{x:.2}" y="{:.2}" text-anchor="middle">{}</text>"##,
            y0 + 5.0,
            y0 + 19.0,
            escape(&xa.label(t))
        );
    }
    for &t in &ya.ticks {
        let y = py(t);
        let _ = writeln!(
            w,
            r##"<line x1="{x0:.2}" y1="{y:.2}" x2="{x1:.2}" y2="{y:.2}" stroke="#e0e0e0"/><line x1="{:.2}" y1="{y:.2}" x2="{x0:.2}" y2="{y:.2}" stroke="black"/><text x="{:.2}" y="{:.2}" text-anchor="end">{}</text>"##,
            x0 - 5.0,
            x0 - 8.0,
            y + 4.0,
            escape(&ya.label(t))
        );
    }
    let _ = writeln!(
        w,
        r#"<rect x="{x0:.2}" y="{y1:.2}" width="{:.2}" height="{:.2}" fill="none" stroke="black"/>"#,
        x1 - x0,
        y0 - y1
    );
    let _ = writeln!(
        w,
        r#"<text x="{:.2}" y="{:.2}" text-anchor="middle">{}</text>"#,
        (x0 + x1) / 2.0,
        y0 + BOTTOM - 14.0,
        escape(x_label)
    );
    let (lx, ly) = (18.0, (y0 + y1) / 2.0);
    let _ = writeln!(
        w,
        r#"<text x="{lx:.2}" y="{ly:.2}" text-anchor="middle" transform="rotate(-90 {lx:.2} {ly:.2})">{}</text>"#,
        escape(y_label)
    );

    for (i, s) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let dash = match i / PALETTE.len() {
            0 => String::new(),
            k => format!(r#" stroke-dasharray="{}""#, DASHES[(k - 1) % DASHES.len()]),
        };
        if let Some(band) = &s.band {
            let d = band_path(band, &px, &py);
            let _ = writeln!(
                w,
                r#"<path class="band" d="{d}" fill="{color}" fill-opacity="0.2" stroke="none"/>"#
            );
        }
        let (d, dots) = line_path(&s.points, &px, &py);
        let _ = writeln!(
            w,
            r#"<path class="line" d="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"#
        );
        for (x, y) in dots {
            let _ = writeln!(
                w,
                r#"<circle cx="{x:.2}" cy="{y:.2}" r="2.5" fill="{color}"/>"#
            );
        }
        let ey = TOP + 10.0 + 20.0 * i as f64;
        let ex = x1 + 14.0;
        let _ = writeln!(
            w,
            r#"<line x1="{ex:.2}" y1="{ey:.2}" x2="{:.2}" y2="{ey:.2}" stroke="{color}" stroke-width="2"{dash}/><text x="{:.2}" y="{:.2}">{}</text>"#,
            ex + 24.0,
            ex + 30.0,
            ey + 4.0,
            escape(&names[i])
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The `d` of a polyline through the finite points (a non-finite point starts a new
/// sub-path), and the isolated finite points (a sub-path of one point draws nothing).
fn line_path(
    points: &[(f64, f64)],
    px: &impl Fn(f64) -> f64,
    py: &impl Fn(f64) -> f64,
) -> (String, Vec<(f64, f64)>) {
    let mut d = String::new();
    let mut dots = Vec::new();
    for run in points.split(|p| !(p.0.is_finite() && p.1.is_finite())) {
        if run.is_empty() {
            continue;
        }
        if run.len() == 1 {
            dots.push((px(run[0].0), py(run[0].1)));
        }
        for (k, p) in run.iter().enumerate() {
            if !d.is_empty() {
                d.push(' ');
            }
            let _ = write!(
                d,
                "{}{:.2},{:.2}",
                if k == 0 { 'M' } else { 'L' },
                px(p.0),
                py(p.1)
            );
        }
    }
    (d, dots)
}

/// The `d` of a closed polygon per run of finite band entries: along `hi`, back along `lo`.
fn band_path(
    band: &[(f64, f64, f64)],
    px: &impl Fn(f64) -> f64,
    py: &impl Fn(f64) -> f64,
) -> String {
    let mut d = String::new();
    for run in band.split(|b| !(b.0.is_finite() && b.1.is_finite() && b.2.is_finite())) {
        if run.is_empty() {
            continue;
        }
        let upper = run.iter().map(|b| (b.0, b.2));
        let lower = run.iter().rev().map(|b| (b.0, b.1));
        for (k, (x, y)) in upper.chain(lower).enumerate() {
            if !d.is_empty() {
                d.push(' ');
            }
            let _ = write!(
                d,
                "{}{:.2},{:.2}",
                if k == 0 { 'M' } else { 'L' },
                px(x),
                py(y)
            );
        }
        d.push_str(" Z");
    }
    d
}

/// `name` cut to [`MAX_NAME`] characters (the last one replaced by "…").
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(MAX_NAME - 1).collect();
        s.push('…');
        s
    }
}

/// Escapes the five XML special characters (and drops control characters XML 1.0 forbids).
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => o.push(c),
        }
    }
    o
}
