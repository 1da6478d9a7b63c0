//! Inline SVG: horizontal bar charts and a project's region view. Fills come from the page's
//! style (classes), and every bar carries its number as text, so a chart reads the same in
//! grayscale: errors solid, warnings hatched, gov solid, standard dotted.

use std::fmt::Write as _;

use super::{E, w};

/// The patterns the charts fill with, defined once per page.
pub(super) const DEFS: &str = "<svg class=\"svg-defs\" aria-hidden=\"true\" focusable=\"false\" \
    xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\"><defs>\
    <pattern id=\"hatch-warning\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
    <rect width=\"6\" height=\"6\" fill=\"#fff\"/><rect width=\"3\" height=\"6\" fill=\"#7a4300\"/></pattern>\
    <pattern id=\"dots-standard\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\">\
    <rect width=\"5\" height=\"5\" fill=\"#fff\"/><circle cx=\"2.5\" cy=\"2.5\" r=\"1.3\" fill=\"#4c6f9f\"/></pattern>\
    <pattern id=\"hatch-other\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">\
    <rect width=\"8\" height=\"8\" fill=\"#fff\"/><rect width=\"2\" height=\"8\" fill=\"#e6b3bb\"/></pattern>\
    </defs></svg>\n";

/// One bar: its label, and its segments (count, fill class) left to right.
pub(super) struct Bar {
    pub label: String,
    pub segments: Vec<(usize, &'static str)>,
    /// The bar's element id (its total is in `data-value`).
    pub id: String,
}

const LABEL_W: usize = 230;
const BAR_W: usize = 260;
const ROW_H: usize = 24;

/// A horizontal bar chart; each bar ends with its total.
pub(super) fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|(n, _)| n).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let width = LABEL_W + BAR_W + 50;
    let height = bars.len() * ROW_H + 8;
    let mut out = String::new();
    w!(
        out,
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-t\" \
         xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\"><title id=\"{id}-t\">{}</title>\n",
        E(title)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 4 + i * ROW_H;
        let total: usize = bar.segments.iter().map(|(n, _)| n).sum();
        w!(
            out,
            "<g id=\"{}\" data-value=\"{total}\"><text x=\"0\" y=\"{}\">{}</text>",
            E(&bar.id),
            y + 16,
            E(&truncate(&bar.label, 34))
        );
        let mut x = LABEL_W;
        for (n, class) in &bar.segments {
            if *n == 0 {
                continue;
            }
            let len = (n * BAR_W / max).max(2);
            w!(
                out,
                "<rect class=\"{class}\" x=\"{x}\" y=\"{}\" width=\"{len}\" height=\"{}\"/>",
                y + 3,
                ROW_H - 8
            );
            x += len;
        }
        if total == 0 {
            w!(
                out,
                "<line class=\"axis\" x1=\"{LABEL_W}\" x2=\"{LABEL_W}\" y1=\"{}\" y2=\"{}\"/>",
                y + 3,
                y + ROW_H - 5
            );
        }
        w!(
            out,
            "<text class=\"value\" x=\"{}\" y=\"{}\">{total}</text></g>\n",
            x + 6,
            y + 16
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A chip in the region view: its text and how it is drawn.
pub(super) struct Chip {
    pub text: String,
    /// `gov`, `standard` or `other`, plus ` mismatch` when the project may not use it.
    pub class: String,
}

/// The region view of a project: three columns (gov regions, standard regions, regions
/// AtlasGov does not offer or that cannot be read), the project's own partition's column
/// outlined, a chip per region used.
pub(super) fn region_view(
    id: &str,
    title: &str,
    own: Option<&str>,
    columns: [(&str, &str, Vec<Chip>); 3],
) -> String {
    const COL_W: usize = 250;
    const GAP: usize = 12;
    const CHIP_H: usize = 22;
    let rows = columns.iter().map(|c| c.2.len()).max().unwrap_or(0).max(1);
    let width = 3 * COL_W + 2 * GAP;
    let height = 30 + rows * (CHIP_H + 6) + 8;
    let mut out = String::new();
    w!(
        out,
        "<svg class=\"regions\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-t\" \
         xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\"><title id=\"{id}-t\">{}</title>\n",
        E(title)
    );
    for (c, (key, heading, chips)) in columns.iter().enumerate() {
        let x = c * (COL_W + GAP);
        let is_own = own == Some(*key);
        w!(
            out,
            "<rect class=\"col{}\" x=\"{}\" y=\"1\" width=\"{}\" height=\"{}\" rx=\"4\"/>\
             <text class=\"col-title\" x=\"{}\" y=\"19\">{}{}</text>\n",
            if is_own { " own" } else { "" },
            x + 1,
            COL_W - 2,
            height - 2,
            x + 10,
            E(heading),
            if is_own { " (this project)" } else { "" }
        );
        for (r, chip) in chips.iter().enumerate() {
            let y = 30 + r * (CHIP_H + 6);
            w!(
                out,
                "<rect class=\"chip {}\" x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{CHIP_H}\" rx=\"3\"/>\
                 <text x=\"{}\" y=\"{}\">{}</text>\n",
                E(&chip.class),
                x + 8,
                COL_W - 16,
                x + 14,
                y + 15,
                E(&truncate(&chip.text, 30))
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

/// At most `max` characters, with an ellipsis when cut.
pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}
