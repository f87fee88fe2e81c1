//! Small SVG charts: horizontal bars ([`BarChart`]), columns over years ([`ColumnChart`]) and
//! a timeline of dated events in lanes ([`Timeline`]).
//!
//! Each chart renders to one self-contained `<svg>` element with its own fonts and colours,
//! an accessible name, axes with labelled ticks, and a `<title>` tooltip on every mark. All
//! text is escaped with [`crate::escape::html`]. Coordinates are written with one decimal, so
//! the output is the same on every machine.

use std::fmt::Write as _;

use crate::escape::html;

/// Text colour.
const INK: &str = "#1f2328";
/// Secondary text and axes.
const MUTED: &str = "#59636e";
/// Grid lines.
const GRID: &str = "#e3e8ee";
/// The track of a whole behind its parts.
const TRACK: &str = "#edf0f3";
/// The width of every chart, in SVG units.
pub const WIDTH: f64 = 920.0;

/// The colour of a bar or mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// The main colour (exports, visits).
    Blue,
    /// The second colour (imports, state visits).
    Orange,
    /// A third colour.
    Green,
    /// A fourth colour.
    Purple,
}

impl Tone {
    /// Tones in the order series use them.
    pub const SERIES: [Tone; 4] = [Tone::Blue, Tone::Orange, Tone::Green, Tone::Purple];

    fn fill(self) -> &'static str {
        match self {
            Tone::Blue => "#2f6fba",
            Tone::Orange => "#d46b08",
            Tone::Green => "#2e8b57",
            Tone::Purple => "#7e57c2",
        }
    }
}

/// A tick step of 1, 2, 2.5 or 5 times a power of ten that cuts `0..=max` into about `target`
/// intervals, and the top of the axis: the first multiple of the step at or above `max`.
pub fn nice_axis(max: f64, target: usize) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| raw <= s * (1.0 + 1e-9))
        .unwrap_or(10.0 * magnitude);
    let top = (max / step - 1e-9).ceil().max(1.0) * step;
    (step, top)
}

/// A number for an axis or a label: whole numbers grouped by thousands with a narrow space
/// from 10 000 up (`12 500`), others with up to two decimals (`2.5`).
pub fn format_number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 && value.abs() < 1e15 {
        let whole = value.round() as i64;
        let digits = whole.unsigned_abs().to_string();
        let sign = if whole < 0 { "-" } else { "" };
        if digits.len() <= 4 {
            return format!("{sign}{digits}");
        }
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('\u{202f}');
            }
            grouped.push(c);
        }
        return format!("{sign}{grouped}");
    }
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// One decimal, never `-0.0`.
fn n(value: f64) -> String {
    let text = format!("{:.1}", if value.abs() < 0.05 { 0.0 } else { value });
    text
}

/// An SVG element being written.
struct Svg {
    out: String,
}

impl Svg {
    fn new(width: f64, height: f64, title: &str) -> Svg {
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
             height=\"{h}\" role=\"img\" aria-label=\"{t}\" font-family=\"system-ui, -apple-system, 'Segoe UI', \
             Roboto, 'Helvetica Neue', Arial, sans-serif\" font-size=\"12\" fill=\"{INK}\"><title>{t}</title>",
            w = n(width),
            h = n(height),
            t = html(title)
        );
        Svg { out }
    }

    fn text(&mut self, x: f64, y: f64, anchor: &str, extra: &str, content: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{extra}>{}</text>",
            n(x),
            n(y),
            html(content)
        );
    }

    fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"1\"/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2)
        );
    }

    /// A rectangle `[x, y, width, height]`, with a tooltip when `tip` is not empty.
    fn rect(&mut self, [x, y, w, h]: [f64; 4], fill: &str, extra: &str, tip: &str) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
        self.close(tip, "rect");
    }

    fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: &str, extra: &str, tip: &str) {
        let _ = write!(self.out, "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\"{extra}", n(cx), n(cy), n(r));
        self.close(tip, "circle");
    }

    fn close(&mut self, tip: &str, element: &str) {
        if tip.is_empty() {
            self.out.push_str("/>");
        } else {
            let _ = write!(self.out, "><title>{}</title></{element}>", html(tip));
        }
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// How a mark whose figure the change under review added or changed is outlined, in every
/// chart.
const CHANGED_OUTLINE: &str = " stroke=\"#1f2328\" stroke-width=\"2\"";

/// One bar of a [`BarChart`].
#[derive(Clone, Debug)]
pub struct Bar {
    /// What the bar is, written above it.
    pub label: String,
    /// Its length in the chart's unit; `None` draws no bar (a figure the source does not give).
    pub value: Option<f64>,
    /// The text after the bar: the figure as written, a share.
    pub note: String,
    /// Its colour.
    pub tone: Tone,
    /// Whether the change under review added or changed its figure: the bar is outlined.
    pub changed: bool,
}

/// Horizontal bars, each with its label above and its figure after it, on an axis from zero.
#[derive(Clone, Debug)]
pub struct BarChart {
    /// The accessible name.
    pub title: String,
    /// The axis's unit, e.g. `NOK billion`.
    pub unit: String,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
    /// The whole the bars are parts of, e.g. a flow's total: drawn as a track behind each bar,
    /// so that a bar's length against its track shows its share.
    pub whole: Option<f64>,
}

/// Where the bars of a [`BarChart`] start.
const BAR_X: f64 = 16.0;
/// The longest a bar can be.
const BAR_SPAN: f64 = 560.0;
const BAR_ROW: f64 = 44.0;

impl BarChart {
    /// The axis's top: a round number at or above every bar and the whole.
    pub fn axis_top(&self) -> f64 {
        let max = self.bars.iter().filter_map(|b| b.value).chain(self.whole).fold(0.0, f64::max);
        nice_axis(max, 5).1
    }

    /// The length of a bar of `value`, in SVG units.
    pub fn bar_length(&self, value: f64) -> f64 {
        (value.max(0.0) / self.axis_top() * BAR_SPAN).min(BAR_SPAN)
    }

    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let (step, top) = {
            let max = self.bars.iter().filter_map(|b| b.value).chain(self.whole).fold(0.0, f64::max);
            nice_axis(max, 5)
        };
        let plot_top = 8.0;
        let axis_y = plot_top + self.bars.len() as f64 * BAR_ROW + 4.0;
        let height = axis_y + 38.0;
        let mut svg = Svg::new(WIDTH, height, &self.title);
        let x_of = |v: f64| BAR_X + (v.max(0.0) / top * BAR_SPAN).min(BAR_SPAN);
        // Grid and axis.
        let mut tick = 0.0;
        while tick <= top * (1.0 + 1e-9) {
            let x = x_of(tick);
            svg.line(x, plot_top, x, axis_y, GRID);
            svg.line(x, axis_y, x, axis_y + 4.0, MUTED);
            svg.text(x, axis_y + 17.0, "middle", &format!(" fill=\"{MUTED}\" font-size=\"11\""), &format_number(tick));
            tick += step;
        }
        svg.line(BAR_X, axis_y, BAR_X + BAR_SPAN, axis_y, MUTED);
        svg.text(BAR_X + BAR_SPAN, axis_y + 32.0, "end", &format!(" fill=\"{MUTED}\" font-size=\"11\""), &self.unit);
        for (i, bar) in self.bars.iter().enumerate() {
            let y = plot_top + i as f64 * BAR_ROW;
            svg.text(BAR_X, y + 13.0, "start", " font-weight=\"600\"", &bar.label);
            let tip = format!("{}: {}", bar.label, bar.note);
            if let Some(whole) = self.whole {
                svg.rect([BAR_X, y + 19.0, x_of(whole) - BAR_X, 16.0], TRACK, " rx=\"2\"", "");
            }
            let end = match bar.value {
                Some(value) => {
                    let length = self.bar_length(value);
                    let outline =
                        if bar.changed { format!(" rx=\"2\"{CHANGED_OUTLINE}") } else { " rx=\"2\"".to_owned() };
                    svg.rect([BAR_X, y + 19.0, length.max(1.0), 16.0], bar.tone.fill(), &outline, &tip);
                    BAR_X + length.max(1.0)
                }
                None => BAR_X,
            };
            let note_x = end.max(self.whole.map_or(BAR_X, x_of)) + 8.0;
            svg.text(note_x, y + 31.5, "start", &format!(" fill=\"{INK}\""), &bar.note);
        }
        svg.finish()
    }
}

/// A named row of values of a [`ColumnChart`], one per category.
#[derive(Clone, Debug)]
pub struct Series {
    /// The legend's text.
    pub name: String,
    /// One value per category; `None` for a gap.
    pub values: Vec<Option<f64>>,
    /// Per category, what the change under review did to the value (`changed, was 838`, `new
    /// in this change`): said in its tooltip, and the column is outlined. Empty when nothing
    /// changed.
    pub changes: Vec<Option<String>>,
}

/// Vertical columns over categories (years), one per series side by side, on an axis from zero.
#[derive(Clone, Debug)]
pub struct ColumnChart {
    /// The accessible name.
    pub title: String,
    /// The vertical axis's unit, e.g. `persons`.
    pub unit: String,
    /// The categories along the bottom, left to right.
    pub categories: Vec<String>,
    /// The series, each drawn in its own colour.
    pub series: Vec<Series>,
}

const COLUMN_LEFT: f64 = 64.0;
const COLUMN_PLOT_HEIGHT: f64 = 180.0;

impl ColumnChart {
    /// The axis's top: a round number at or above every value.
    pub fn axis_top(&self) -> f64 {
        let max = self.series.iter().flat_map(|s| s.values.iter().flatten()).copied().fold(0.0, f64::max);
        nice_axis(max, 4).1
    }

    /// The height of a column of `value`, in SVG units.
    pub fn column_height(&self, value: f64) -> f64 {
        (value.max(0.0) / self.axis_top() * COLUMN_PLOT_HEIGHT).min(COLUMN_PLOT_HEIGHT)
    }

    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let max = self.series.iter().flat_map(|s| s.values.iter().flatten()).copied().fold(0.0, f64::max);
        let (step, top) = nice_axis(max, 4);
        let legend_height = 26.0;
        let plot_top = legend_height + 14.0;
        let base_y = plot_top + COLUMN_PLOT_HEIGHT;
        let height = base_y + 34.0;
        let plot_width = WIDTH - COLUMN_LEFT - 16.0;
        let mut svg = Svg::new(WIDTH, height, &self.title);
        // Legend.
        let mut x = COLUMN_LEFT;
        for (series, tone) in self.series.iter().zip(Tone::SERIES.iter().cycle()) {
            svg.rect([x, 8.0, 12.0, 12.0], tone.fill(), " rx=\"2\"", "");
            svg.text(x + 17.0, 18.5, "start", "", &series.name);
            x += 17.0 + series.name.chars().count() as f64 * 6.6 + 24.0;
        }
        // Grid and vertical axis.
        let y_of = |v: f64| base_y - (v.max(0.0) / top * COLUMN_PLOT_HEIGHT).min(COLUMN_PLOT_HEIGHT);
        let mut tick = 0.0;
        while tick <= top * (1.0 + 1e-9) {
            let y = y_of(tick);
            svg.line(COLUMN_LEFT, y, COLUMN_LEFT + plot_width, y, GRID);
            svg.text(
                COLUMN_LEFT - 8.0,
                y + 4.0,
                "end",
                &format!(" fill=\"{MUTED}\" font-size=\"11\""),
                &format_number(tick),
            );
            tick += step;
        }
        svg.line(COLUMN_LEFT, plot_top - 4.0, COLUMN_LEFT, base_y, MUTED);
        svg.line(COLUMN_LEFT, base_y, COLUMN_LEFT + plot_width, base_y, MUTED);
        svg.text(
            12.0,
            plot_top + COLUMN_PLOT_HEIGHT / 2.0,
            "middle",
            &format!(
                " fill=\"{MUTED}\" font-size=\"11\" transform=\"rotate(-90 12 {})\"",
                n(plot_top + COLUMN_PLOT_HEIGHT / 2.0)
            ),
            &self.unit,
        );
        // Columns.
        let groups = self.categories.len().max(1) as f64;
        let group_width = plot_width / groups;
        let per_series = self.series.len().max(1) as f64;
        let column_width = (group_width * 0.72 / per_series).min(56.0);
        let label_every = (self.categories.len() / 14).max(1);
        // Value labels only where the widest fits over its column (about 6.2 units a character).
        let widest =
            self.series.iter().flat_map(|s| s.values.iter().flatten()).map(|v| format_number(*v).chars().count()).max();
        let show_values = widest.is_some_and(|chars| column_width >= chars as f64 * 6.2 + 2.0);
        for (c, category) in self.categories.iter().enumerate() {
            let center = COLUMN_LEFT + group_width * (c as f64 + 0.5);
            if c % label_every == 0 {
                svg.text(center, base_y + 17.0, "middle", &format!(" fill=\"{MUTED}\""), category);
            }
            let first = center - column_width * per_series / 2.0;
            for (s, (series, tone)) in self.series.iter().zip(Tone::SERIES.iter().cycle()).enumerate() {
                let Some(value) = series.values.get(c).copied().flatten() else {
                    continue;
                };
                let x = first + column_width * s as f64;
                let h = self.column_height(value);
                let mut tip = format!("{}, {category}: {}", series.name, format_number(value));
                let change = series.changes.get(c).and_then(Option::as_deref);
                if let Some(change) = change {
                    tip.push_str(" · ");
                    tip.push_str(change);
                }
                let outline = if change.is_some() { CHANGED_OUTLINE } else { "" };
                svg.rect([x + 1.0, base_y - h, column_width - 2.0, h], tone.fill(), outline, &tip);
                if show_values {
                    svg.text(
                        x + column_width / 2.0,
                        base_y - h - 5.0,
                        "middle",
                        " font-size=\"11\"",
                        &format_number(value),
                    );
                }
            }
        }
        svg.finish()
    }
}

/// A dated event of a [`Timeline`], as a closed range of day numbers (see
/// [`model::DayRange`]).
#[derive(Clone, Debug)]
pub struct Event {
    /// The first day it may have been.
    pub first: i32,
    /// The last day it may have been.
    pub last: i32,
    /// The tooltip.
    pub label: String,
    /// Drawn in the emphasis colour (a state visit).
    pub emphasis: bool,
    /// Whether the change under review added it or changed its date: the mark is outlined
    /// (the label says how).
    pub changed: bool,
}

/// A named row of a [`Timeline`].
#[derive(Clone, Debug)]
pub struct Lane {
    /// Written above the lane.
    pub name: String,
    /// Its events, in any order.
    pub events: Vec<Event>,
}

/// Events in lanes along a time axis of whole years. An event known to the day or month is a
/// dot; one known only to the year, or spanning more than six weeks, is a bar over its range.
/// Events that would overlap are stacked, so that every one stays visible.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// The accessible name.
    pub title: String,
    /// The first year on the axis.
    pub first_year: u16,
    /// The last year on the axis.
    pub last_year: u16,
    /// The lanes, top to bottom.
    pub lanes: Vec<Lane>,
    /// The legend's name for an emphasised event, e.g. `state visit`.
    pub emphasis: String,
}

const TIMELINE_LEFT: f64 = 16.0;
const TIMELINE_SPAN: f64 = WIDTH - 32.0;
const DOT: f64 = 4.5;
const STACK: f64 = 13.0;
/// Events longer than this many days are drawn as bars.
const LONG_EVENT_DAYS: i32 = 45;

/// A mark placed on the timeline: its horizontal extent and its stack row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// The left edge.
    pub x0: f64,
    /// The right edge.
    pub x1: f64,
    /// The stack row, from 0.
    pub row: usize,
}

impl Timeline {
    fn day_range(&self) -> (i32, i32) {
        let day = |year: u16| model::PartialDate::year_only(year).map_or(0, |d| d.days().first);
        let first = self.first_year.min(self.last_year);
        (day(first), day(self.last_year.saturating_add(1)).max(day(first) + 1))
    }

    /// The horizontal position of a day number.
    pub fn x_of(&self, day: i32) -> f64 {
        let (start, end) = self.day_range();
        let fraction = f64::from(day - start) / f64::from(end - start);
        TIMELINE_LEFT + fraction.clamp(0.0, 1.0) * TIMELINE_SPAN
    }

    /// Where each event of a lane goes, in the order of `events`: rows are filled greedily from
    /// the earliest event, each event in the first row where it clears the one before.
    pub fn place(&self, events: &[Event]) -> Vec<Placed> {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| (events[i].first, events[i].last, i));
        let mut row_ends: Vec<f64> = Vec::new();
        let mut placed = vec![Placed { x0: 0.0, x1: 0.0, row: 0 }; events.len()];
        for i in order {
            let event = &events[i];
            let (x0, x1) = if event.last - event.first > LONG_EVENT_DAYS {
                (self.x_of(event.first), self.x_of(event.last + 1).max(self.x_of(event.first) + 2.0))
            } else {
                let center = (self.x_of(event.first) + self.x_of(event.last + 1)) / 2.0;
                (center - DOT, center + DOT)
            };
            let row = match row_ends.iter().position(|&end| end + 1.5 <= x0) {
                Some(row) => row,
                None => {
                    row_ends.push(f64::NEG_INFINITY);
                    row_ends.len() - 1
                }
            };
            row_ends[row] = x1;
            placed[i] = Placed { x0, x1, row };
        }
        placed
    }

    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> String {
        let placements: Vec<Vec<Placed>> = self.lanes.iter().map(|l| self.place(&l.events)).collect();
        let legend_height = 24.0;
        let mut lane_tops = Vec::new();
        let mut y = legend_height + 8.0;
        for placed in &placements {
            lane_tops.push(y);
            let rows = placed.iter().map(|p| p.row + 1).max().unwrap_or(1);
            y += 22.0 + rows as f64 * STACK + 10.0;
        }
        let axis_y = y;
        let height = axis_y + 26.0;
        let mut svg = Svg::new(WIDTH, height, &self.title);
        // Legend.
        let blue = Tone::Blue.fill();
        let orange = Tone::Orange.fill();
        svg.circle(TIMELINE_LEFT + 5.0, 12.0, DOT, blue, "", "");
        svg.text(TIMELINE_LEFT + 15.0, 16.0, "start", &format!(" fill=\"{MUTED}\""), "visit");
        svg.circle(TIMELINE_LEFT + 65.0, 12.0, DOT, orange, "", "");
        svg.text(TIMELINE_LEFT + 75.0, 16.0, "start", &format!(" fill=\"{MUTED}\""), &self.emphasis);
        let legend_x = TIMELINE_LEFT + 85.0 + self.emphasis.chars().count() as f64 * 6.6 + 16.0;
        svg.rect([legend_x, 8.0, 22.0, 8.0], blue, " fill-opacity=\"0.35\" stroke=\"#2f6fba\" rx=\"2\"", "");
        svg.text(
            legend_x + 28.0,
            16.0,
            "start",
            &format!(" fill=\"{MUTED}\""),
            "date known only to the year, or a span",
        );
        // Year grid and axis.
        let years = u32::from(self.last_year.saturating_sub(self.first_year)) + 1;
        let label_step = match years {
            0..=18 => 1,
            19..=40 => 2,
            41..=90 => 5,
            _ => 10,
        };
        for year in self.first_year..=self.last_year.saturating_add(1) {
            let Some(start) = model::PartialDate::year_only(year) else {
                continue;
            };
            let x = self.x_of(start.days().first);
            svg.line(x, legend_height + 4.0, x, axis_y, GRID);
            svg.line(x, axis_y, x, axis_y + 4.0, MUTED);
            if year <= self.last_year && u32::from(year - self.first_year) % label_step == 0 {
                let next =
                    model::PartialDate::year_only(year.saturating_add(1)).map_or(x, |d| self.x_of(d.days().first));
                svg.text((x + next) / 2.0, axis_y + 17.0, "middle", &format!(" fill=\"{MUTED}\""), &year.to_string());
            }
        }
        svg.line(TIMELINE_LEFT, axis_y, TIMELINE_LEFT + TIMELINE_SPAN, axis_y, MUTED);
        // Lanes.
        for ((lane, placed), top) in self.lanes.iter().zip(&placements).zip(&lane_tops) {
            let count = lane.events.len();
            let title = if count == 1 { format!("{} (1)", lane.name) } else { format!("{} ({count})", lane.name) };
            svg.text(TIMELINE_LEFT, top + 12.0, "start", " font-weight=\"600\"", &title);
            for (event, place) in lane.events.iter().zip(placed) {
                let tone = if event.emphasis { orange } else { blue };
                let cy = top + 22.0 + place.row as f64 * STACK + STACK / 2.0;
                if event.last - event.first > LONG_EVENT_DAYS {
                    let stroke = if event.changed { CHANGED_OUTLINE.to_owned() } else { format!(" stroke=\"{tone}\"") };
                    let extra = format!(" fill-opacity=\"0.35\"{stroke} rx=\"2\"");
                    svg.rect([place.x0, cy - 4.0, place.x1 - place.x0, 8.0], tone, &extra, &event.label);
                } else {
                    let stroke = if event.changed { CHANGED_OUTLINE } else { " stroke=\"#fff\"" };
                    svg.circle((place.x0 + place.x1) / 2.0, cy, DOT, tone, stroke, &event.label);
                }
            }
        }
        svg.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr_values(svg: &str, element: &str, attr: &str) -> Vec<f64> {
        svg.split(&format!("<{element} "))
            .skip(1)
            .filter_map(|rest| {
                let start = rest.find(&format!(" {attr}=\"")).map(|p| p + attr.len() + 3)?;
                let end = rest[start..].find('"')? + start;
                rest[start..end].parse().ok()
            })
            .collect()
    }

    #[test]
    fn axes_use_round_steps() {
        assert_eq!(nice_axis(855.0, 4), (250.0, 1000.0));
        assert_eq!(nice_axis(11.2, 5), (2.5, 12.5));
        assert_eq!(nice_axis(10.0, 5), (2.0, 10.0));
        assert_eq!(nice_axis(0.0, 5), (1.0, 1.0));
        assert_eq!(nice_axis(f64::NAN, 5), (1.0, 1.0));
        assert_eq!(nice_axis(142_000_000.0, 5), (50_000_000.0, 150_000_000.0));
    }

    #[test]
    fn formats_numbers_for_axes() {
        assert_eq!(format_number(855.0), "855");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(12_500.0), "12\u{202f}500");
        assert_eq!(format_number(1_000_000.0), "1\u{202f}000\u{202f}000");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
    }

    fn bars(values: &[Option<f64>]) -> BarChart {
        BarChart {
            title: "t".into(),
            unit: "NOK billion".into(),
            bars: values
                .iter()
                .map(|&value| Bar { label: "b".into(), value, note: String::new(), tone: Tone::Blue, changed: false })
                .collect(),
            whole: None,
        }
    }

    #[test]
    fn bars_scale_to_their_values() {
        let chart = bars(&[Some(10.0), Some(5.0), None, Some(0.0)]);
        assert_eq!(chart.axis_top(), 10.0);
        assert_eq!(chart.bar_length(5.0) * 2.0, chart.bar_length(10.0));
        let svg = chart.svg();
        // Bars are drawn with the bar colour; the missing one is not drawn.
        let widths: Vec<f64> = svg
            .split("<rect ")
            .skip(1)
            .filter(|r| r.contains(Tone::Blue.fill()))
            .filter_map(|r| attr_values(&format!("<rect {r}"), "rect", "width").first().copied())
            .collect();
        assert_eq!(widths, vec![560.0, 280.0, 1.0]);
    }

    #[test]
    fn a_whole_sets_the_scale_and_draws_tracks() {
        let mut chart = bars(&[Some(2.9), Some(2.2)]);
        chart.whole = Some(10.3);
        assert_eq!(chart.axis_top(), 12.5);
        let svg = chart.svg();
        assert_eq!(svg.matches(&format!("fill=\"{TRACK}\" rx=\"2\"")).count(), 2);
        assert!((chart.bar_length(10.3) - 461.44).abs() < 0.01);
    }

    #[test]
    fn chart_text_is_escaped() {
        let mut chart = bars(&[Some(1.0)]);
        chart.title = "<script>alert(1)</script>".into();
        chart.bars[0].label = "\"><img src=x onerror=alert(1)>".into();
        chart.bars[0].note = "a & b".into();
        let svg = chart.svg();
        assert!(!svg.contains("<script") && !svg.contains("<img"), "{svg}");
        assert!(svg.contains("&lt;script&gt;") && svg.contains("&quot;&gt;&lt;img") && svg.contains("a &amp; b"));

        let columns = ColumnChart {
            title: "<b>".into(),
            unit: "<i>".into(),
            categories: vec!["<u>".into()],
            series: vec![Series { name: "<s>".into(), values: vec![Some(1.0)], changes: Vec::new() }],
        };
        let svg = columns.svg();
        for tag in ["<b>", "<i>", "<u>", "<s>"] {
            assert!(!svg.contains(tag), "{tag} in {svg}");
        }
        let timeline = Timeline {
            title: "<b>".into(),
            first_year: 2000,
            last_year: 2001,
            lanes: vec![Lane {
                name: "<i>".into(),
                events: vec![Event { first: 0, last: 0, label: "<u>".into(), emphasis: false, changed: false }],
            }],
            emphasis: "<s>".into(),
        };
        let svg = timeline.svg();
        for tag in ["<b>", "<i>", "<u>", "<s>"] {
            assert!(!svg.contains(tag), "{tag} in {svg}");
        }
    }

    #[test]
    fn columns_scale_to_their_values() {
        let chart = ColumnChart {
            title: "residents".into(),
            unit: "persons".into(),
            categories: vec!["2009".into(), "2010".into(), "2011".into()],
            series: vec![Series {
                name: "JP in NO".into(),
                values: vec![Some(855.0), None, Some(400.0)],
                changes: Vec::new(),
            }],
        };
        assert_eq!(chart.axis_top(), 1000.0);
        assert!((chart.column_height(500.0) - 90.0).abs() < 1e-9);
        let svg = chart.svg();
        let heights: Vec<f64> = svg
            .split("<rect ")
            .skip(2) // the legend's swatch
            .filter_map(|r| attr_values(&format!("<rect {r}"), "rect", "height").first().copied())
            .collect();
        assert_eq!(heights, vec![153.9, 72.0]);
        assert!(svg.contains(">855</text>") && svg.contains(">2010</text>"));
    }

    #[test]
    fn narrow_columns_leave_out_value_labels() {
        let chart = |years: usize| ColumnChart {
            title: "t".into(),
            unit: "u".into(),
            categories: (0..years).map(|y| y.to_string()).collect(),
            series: vec![
                Series { name: "a".into(), values: vec![Some(13.65); years], changes: Vec::new() },
                Series { name: "b".into(), values: vec![Some(13.54); years], changes: Vec::new() },
            ],
        };
        assert!(chart(3).svg().contains(">13.65</text>"));
        assert!(!chart(40).svg().contains(">13.65</text>"));
    }

    fn day(year: u16, month: u8) -> (i32, i32) {
        let days = model::PartialDate::year_month(year, month).unwrap().days();
        (days.first, days.last)
    }

    #[test]
    fn timeline_places_events_by_date_and_stacks_overlaps() {
        let event =
            |(first, last): (i32, i32)| Event { first, last, label: String::new(), emphasis: false, changed: false };
        let year = model::PartialDate::year_only(2001).unwrap().days();
        let timeline = Timeline {
            title: "visits".into(),
            first_year: 2000,
            last_year: 2003,
            lanes: Vec::new(),
            emphasis: "state visit".into(),
        };
        let events =
            vec![event(day(2000, 1)), event(day(2000, 1)), event(day(2002, 12)), event((year.first, year.last))];
        let placed = timeline.place(&events);
        assert_eq!(placed.iter().map(|p| p.row).collect::<Vec<_>>(), vec![0, 1, 0, 0]);
        // The axis spans 2000-01-01 to 2004-01-01: a year is a quarter of it.
        assert!((placed[3].x0 - (TIMELINE_LEFT + TIMELINE_SPAN / 4.0)).abs() < 0.5);
        assert!((placed[3].x1 - placed[3].x0 - TIMELINE_SPAN / 4.0).abs() < 0.5);
        assert!(placed[0].x1 < placed[2].x0);
    }

    #[test]
    fn timeline_draws_dots_bars_and_labelled_years() {
        let (first, last) = day(2001, 3);
        let year = model::PartialDate::year_only(2002).unwrap().days();
        let timeline = Timeline {
            title: "visits".into(),
            first_year: 2001,
            last_year: 2002,
            lanes: vec![Lane {
                name: "Norway → Japan".into(),
                events: vec![
                    Event { first, last, label: "2001-03".into(), emphasis: true, changed: false },
                    Event { first: year.first, last: year.last, label: "2002".into(), emphasis: false, changed: true },
                ],
            }],
            emphasis: "state visit".into(),
        };
        let svg = timeline.svg();
        assert!(svg.contains("<title>2001-03</title></circle>"));
        assert!(svg.contains("<title>2002</title></rect>"));
        assert!(svg.contains(">2001</text>") && svg.contains(">2002</text>"));
        assert!(svg.contains("Norway → Japan (2)"));
        // The changed event, and only it, is outlined.
        assert_eq!(svg.matches(CHANGED_OUTLINE).count(), 1, "{svg}");
        let changed = &svg[..svg.find("<title>2002</title>").unwrap()];
        assert!(changed[changed.rfind("<rect").unwrap()..].contains(CHANGED_OUTLINE), "{svg}");
    }

    #[test]
    fn a_changed_column_is_outlined_and_says_how_in_its_tooltip() {
        let chart = ColumnChart {
            title: "t".into(),
            unit: "persons".into(),
            categories: vec!["2009".into(), "2010".into()],
            series: vec![Series {
                name: "JP in NO".into(),
                values: vec![Some(799.0), Some(838.0)],
                changes: vec![None, Some("changed, was 830".into())],
            }],
        };
        let svg = chart.svg();
        assert_eq!(svg.matches(CHANGED_OUTLINE).count(), 1, "{svg}");
        let tip = "<title>JP in NO, 2010: 838 · changed, was 830</title>";
        let at = svg.find(tip).unwrap_or_else(|| panic!("{svg}"));
        assert!(svg[svg[..at].rfind("<rect").unwrap()..at].contains(CHANGED_OUTLINE), "{svg}");
    }
}
