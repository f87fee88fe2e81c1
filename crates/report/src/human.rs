//! The report of a check as people read it in a terminal: miette's graphical report, one
//! diagnostic per finding with the CSV line and the cell underlined, then a summary line.
//! A finding whose fix is safe is marked `[*]` after its place, as ruff marks them, and the
//! report ends with how many `cargo xtask fix` would repair. Without colour, it contains no
//! escape codes.

use std::fmt::Write as _;

use diagnostic::{Applicability, Diagnostic};
use miette::{GraphicalReportHandler, GraphicalTheme};
use validate::{Report, Summary};

/// Options for [`human`].
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    /// Whether to use colour (ANSI escapes).
    pub color: bool,
    /// Whether to use Unicode box-drawing characters.
    pub unicode: bool,
    /// The width to wrap at.
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> HumanOptions {
        HumanOptions { color: false, unicode: true, width: 100 }
    }
}

/// The report as people read it in a terminal.
pub fn human(report: &Report, options: HumanOptions) -> String {
    let theme = match (options.color, options.unicode) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::ascii(),
        (false, true) => GraphicalTheme::unicode_nocolor(),
        (false, false) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width).with_links(false);
    let mut out = String::new();
    for finding in &report.findings {
        human_one(&handler, finding, &mut out);
    }
    out.push_str(&summary_line(&report.summary));
    out.push('\n');
    out.push_str(&fixable_line(report));
    out
}

/// "[*] 3 fixable with `cargo xtask fix` (1 more with `cargo xtask fix --unsafe`)", and a
/// line break; nothing when no finding has a fix.
pub fn fixable_line(report: &Report) -> String {
    let count = |applicability| {
        report.findings.iter().filter(|f| f.fix.as_ref().is_some_and(|fix| fix.applicability == applicability)).count()
    };
    let (safe, unsafe_only) = (count(Applicability::Safe), count(Applicability::Unsafe));
    match (safe, unsafe_only) {
        (0, 0) => String::new(),
        (safe, 0) => format!("[*] {safe} fixable with `cargo xtask fix`\n"),
        (0, more) => format!("{more} fixable with `cargo xtask fix --unsafe`\n"),
        (safe, more) => {
            format!("[*] {safe} fixable with `cargo xtask fix` ({more} more with `cargo xtask fix --unsafe`)\n")
        }
    }
}

fn human_one(handler: &GraphicalReportHandler, finding: &Diagnostic, out: &mut String) {
    let place = match (finding.line, finding.char_column()) {
        (0, _) => finding.file.clone(),
        (line, Some(col)) => format!("{}:{line}:{col}", finding.file),
        (line, None) => format!("{}:{line}", finding.file),
    };
    let safe = finding.fix.as_ref().is_some_and(|fix| fix.applicability == Applicability::Safe);
    let _ = writeln!(out, "{place}{}", if safe { " [*]" } else { "" });
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, finding).is_err() {
        rendered = format!("{}: {}\n", finding.rule(), finding.message);
    }
    out.push_str(&rendered);
    out.push('\n');
}

/// "2 errors, 1 warning, 1 acknowledged in 9 files (160 rows)".
pub fn summary_line(summary: &Summary) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
    };
    let verdict = if summary.errors == 0 { "ok" } else { "FAILED" };
    format!(
        "{verdict}: {}, {}, {} acknowledged in {} ({})",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        summary.acknowledged,
        plural(summary.files, "file"),
        plural(summary.records, "row"),
    )
}
