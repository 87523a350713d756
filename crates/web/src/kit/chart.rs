//! Charts drawn as accessible SVG from numbers only.

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A bar chart as accessible SVG: `points` are `(label, value)`, values
/// between 0 and `max`; the caller shows the same data as a table.
///
/// ```ignore
/// let svg = bar_chart("Satisfaction", &[("2026-01".into(), 7.5)], 10.0, Some(6.0));
/// assert!(svg.starts_with("<svg"));
/// ```
pub fn bar_chart(
    title: &str,
    points: &[(String, f64)],
    max: f64,
    threshold: Option<f64>,
) -> String {
    described_bar_chart(title, None, points, max, threshold)
}

/// [`bar_chart`] with a `<desc>`: a sentence saying what the chart shows
/// (its value over the period…), read by screen readers after the title.
///
/// ```ignore
/// let svg = described_bar_chart("Backlog", Some("42 tickets le 30/11"), &points, 50.0, None);
/// assert!(svg.contains("<desc>"));
/// ```
pub fn described_bar_chart(
    title: &str,
    desc: Option<&str>,
    points: &[(String, f64)],
    max: f64,
    threshold: Option<f64>,
) -> String {
    let w = 640.0;
    let h = 200.0;
    let left = 30.0;
    let bottom = 30.0;
    let n = points.len().max(1) as f64;
    let step = (w - left) / n;
    let bw = (step * 0.7).max(2.0);
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    );
    if let Some(d) = desc {
        s.push_str(&format!("<desc>{}</desc>", esc(d)));
    }
    s.push_str(&format!(
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{w}\" y2=\"{y}\" stroke=\"#555\"/>",
        y = h - bottom
    ));
    s.push_str(&format!(
        "<text x=\"0\" y=\"12\">{}</text><text x=\"0\" y=\"{}\">0</text>",
        max,
        h - bottom
    ));
    for (i, (label, v)) in points.iter().enumerate() {
        let bh = if max > 0.0 {
            (v / max).clamp(0.0, 1.0) * (h - bottom - 10.0)
        } else {
            0.0
        };
        let x = left + i as f64 * step + (step - bw) / 2.0;
        s.push_str(&format!(
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\"><title>{}: {}</title></rect>",
            h - bottom - bh,
            esc(label),
            (v * 10.0).round() / 10.0
        ));
        if points.len() <= 12 || i % 3 == 0 {
            s.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{:.1}\">{}</text>",
                h - 10.0,
                esc(label.get(2..).unwrap_or(label))
            ));
        }
    }
    if let Some(t) = threshold.filter(|_| max > 0.0) {
        let y = h - bottom - (t / max).clamp(0.0, 1.0) * (h - bottom - 10.0);
        s.push_str(&format!(
            "<line class=\"threshold\" x1=\"{left}\" y1=\"{y:.1}\" x2=\"{w}\" y2=\"{y:.1}\"/>"
        ));
    }
    s.push_str("</svg>");
    s
}
