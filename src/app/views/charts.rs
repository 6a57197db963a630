//! Small SVG charts rendered on the server: horizontal bars (also used as a
//! funnel), a line of scores over time and a five-axis radar. Every label is
//! escaped; the SVG goes into pages as markup, so it must never carry input as-is.

use crate::site::html_escape as esc;
use std::fmt::Write;

const BLUE: &str = "#2b79a2";

/// Horizontal bars with a label and value each; `max` fixes the scale (e.g. 100).
/// Each value is shown followed by `unit` (e.g. "%").
pub fn bars(title: &str, rows: &[(String, f64)], max: Option<f64>, unit: &str) -> String {
    bars_labelled(title, rows, max, &|v| format!("{v}{unit}"))
}

/// [`bars`] with each value's text made by `value` from the number (e.g. "12 人"
/// from a message of the course's language).
pub fn bars_labelled(title: &str, rows: &[(String, f64)], max: Option<f64>, value: &dyn Fn(&str) -> String) -> String {
    let w = 560.0;
    let label_w = 190.0;
    let row_h = 28.0;
    let h = 30.0 + row_h * rows.len().max(1) as f64;
    let top = max.unwrap_or_else(|| rows.iter().map(|r| r.1).fold(0.0, f64::max)).max(1e-9);
    let mut s = format!(
        r#"<svg class="cb-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="14" font-weight="600">{t}</text>"#,
        t = esc(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 26.0 + i as f64 * row_h;
        let bw = ((w - label_w - 70.0) * (v / top)).max(0.0);
        let _ = write!(
            s,
            r#"<text x="0" y="{ty}" font-size="13">{l}</text><rect x="{label_w}" y="{y}" width="{bw:.1}" height="18" fill="{BLUE}" rx="3"/><text x="{tx:.1}" y="{ty}" font-size="12">{v}</text>"#,
            ty = y + 14.0,
            l = esc(label),
            tx = label_w + bw + 6.0,
            v = esc(&value(&trim(*v)))
        );
    }
    s.push_str("</svg>");
    s
}

/// [`line`] that says `empty` when there are no points.
pub fn line_or(title: &str, points: &[(String, f64)], empty: &str) -> String {
    let (w, h, l, b) = (560.0, 220.0, 36.0, 30.0);
    let mut s = format!(
        r#"<svg class="cb-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="14" font-weight="600">{t}</text>"#,
        t = esc(title)
    );
    let plot_h = h - b - 30.0;
    for g in [0.0, 50.0, 100.0] {
        let y = 30.0 + plot_h * (1.0 - g / 100.0);
        let _ = write!(
            s,
            r##"<line x1="{l}" x2="{w}" y1="{y}" y2="{y}" stroke="#ddd"/><text x="0" y="{ty}" font-size="11">{g}</text>"##,
            ty = y + 4.0
        );
    }
    let n = points.len().max(2) as f64 - 1.0;
    let xy: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            (
                l + (w - l - 10.0) * i as f64 / n,
                30.0 + plot_h * (1.0 - v.clamp(0.0, 100.0) / 100.0),
            )
        })
        .collect();
    if xy.len() > 1 {
        let pts: Vec<String> = xy.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{BLUE}" stroke-width="2"/>"#,
            pts.join(" ")
        );
    }
    for ((x, y), (label, v)) in xy.iter().zip(points) {
        let _ = write!(
            s,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{BLUE}"><title>{} {}</title></circle>"#,
            esc(label),
            trim(*v)
        );
    }
    if points.is_empty() {
        let _ = write!(
            s,
            r##"<text x="{l}" y="{}" font-size="13" fill="#666">{}</text>"##,
            h / 2.0,
            esc(empty)
        );
    }
    s.push_str("</svg>");
    s
}

/// A radar of named axes scored 0–100 (the five rubric dimensions).
pub fn radar(title: &str, axes: &[(String, f64)]) -> String {
    let (w, h, cx, cy, r) = (360.0, 320.0, 180.0, 170.0, 110.0);
    let n = axes.len().max(3) as f64;
    let at = |i: usize, frac: f64| {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n;
        (cx + r * frac * a.cos(), cy + r * frac * a.sin())
    };
    let mut s = format!(
        r#"<svg class="cb-chart cb-radar" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="14" font-weight="600">{t}</text>"#,
        t = esc(title)
    );
    for ring in [0.25, 0.5, 0.75, 1.0] {
        let pts: Vec<String> = (0..axes.len())
            .map(|i| at(i, ring))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(s, r##"<polygon points="{}" fill="none" stroke="#ddd"/>"##, pts.join(" "));
    }
    for (i, (label, v)) in axes.iter().enumerate() {
        let (x, y) = at(i, 1.0);
        let (lx, ly) = at(i, 1.22);
        let _ = write!(
            s,
            r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{lx:.1}" y="{ly:.1}" font-size="12" text-anchor="middle">{} {}</text>"##,
            esc(label),
            trim(*v)
        );
    }
    let pts: Vec<String> = axes
        .iter()
        .enumerate()
        .map(|(i, (_, v))| at(i, v.clamp(0.0, 100.0) / 100.0))
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = write!(
        s,
        r#"<polygon points="{}" fill="{BLUE}" fill-opacity=".35" stroke="{BLUE}" stroke-width="2"/>"#,
        pts.join(" ")
    );
    s.push_str("</svg>");
    s
}

fn trim(v: f64) -> String {
    crate::sandbox::format_number(v, 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped() {
        let svg = super::bars("<b>", &[("<script>".into(), 3.0)], None, "人");
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        let r = super::radar("r", &[("a".into(), 50.0), ("b".into(), 100.0), ("c".into(), 0.0)]);
        assert_eq!(r.matches("<polygon").count(), 5);
    }
}
