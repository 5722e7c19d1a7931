//! A STARS funnel drawn as bars: the console's Features view and `bucket-console stars`.

use crate::api::stars::{Funnel, StepRow, Usage};

/// A bar `fraction` (0–1) of `width` cells, in eighths of a cell.
pub fn bar(fraction: f64, width: usize) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (fraction.clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    out.push_str(EIGHTHS[eighths % 8]);
    out
}

/// `67%`, rounded, except that a step short of everyone never reads 100% nor a step with
/// someone 0%.
pub fn percent(fraction: f64) -> String {
    let mut n = (fraction * 100.0).round() as u64;
    if fraction < 1.0 {
        n = n.min(99);
    }
    if fraction > 0.0 {
        n = n.max(1);
    }
    format!("{n}%")
}

/// One step's text after its bar: `6  86% of Segment · 86% of Segment` trimmed to what differs.
pub fn step_figures(row: &StepRow) -> String {
    match row.share {
        None => format!("{:>6}  100%", row.count),
        Some((share, crate::api::stars::Step::Segment)) => {
            format!("{:>6}  {:>4}", row.count, percent(share.of_segment))
        }
        Some((share, previous)) => format!(
            "{:>6}  {:>4}  {} of {}",
            row.count,
            percent(share.of_segment),
            percent(share.of_previous),
            previous.title()
        ),
    }
}

/// What the feature counts as a use, its feedback id and who it is for, sanitized:
/// `events: Exported report, Exported CSV · feedback: export · for plan = "enterprise"`.
pub fn usage_text(f: &Funnel) -> String {
    let Some(def) = &f.definition else {
        return String::new();
    };
    let what = match &def.usage {
        Usage::Event { events } => {
            format!("events: {} · feedback: {}", events.join(", "), def.feedback)
        }
        Usage::Attribute { attribute } => format!("company attribute: {attribute}"),
    };
    let segment = def.segment.as_ref().map_or_else(String::new, |s| {
        format!(" · for {} = {}", s.attribute, s.equals)
    });
    crate::sanitize::sanitize(&format!("{what}{segment}"))
}

/// `28 days: 2026-11-03 to 2026-11-30 12:32 UTC`.
pub fn window_text(f: &Funnel) -> String {
    let days = f.definition.as_ref().map_or(28, |d| d.rules.window_days);
    let from = f.window.from.get(..10).unwrap_or(&f.window.from);
    let to = f
        .window
        .to
        .get(..16)
        .unwrap_or(&f.window.to)
        .replace('T', " ");
    crate::sanitize::sanitize(&format!("{days} days: {from} to {to} UTC"))
}

/// The bar's fraction for a row: its share of Segment.
pub fn fraction(funnel: &Funnel, row: &StepRow) -> f64 {
    row.share
        .map_or(if funnel.segment > 0 { 1.0 } else { 0.0 }, |(s, _)| {
            s.of_segment
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_grow_in_eighths_and_stay_inside_their_width() {
        assert_eq!(bar(0.0, 10), "");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 3), "█▌");
        assert_eq!(bar(7.0, 2), "██");
        assert_eq!(percent(0.999), "99%");
        assert_eq!(percent(2.0 / 3.0), "67%");
        assert_eq!(percent(0.001), "1%");
        assert_eq!(percent(0.0), "0%");
    }
}
