//! The report of a check as people read it in a terminal: miette's graphical report, one
//! diagnostic per finding with the CSV line and the cell underlined, then a summary line.
//! A finding whose fix is safe is marked `[*]` after its place, as ruff marks them, and the
//! report ends with how many `cargo xtask fix` would repair. Without colour, it contains no
//! escape codes.

use std::fmt::Write as _;

use diagnostic::{Applicability, Diagnostic};
use miette::{GraphicalReportHandler, GraphicalTheme};
use validate::{Report, Summary};

use crate::baseline::{Baseline, Change, mark};

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
    human_with(report, options, None)
}

/// The report as people read it in a terminal, each finding marked introduced or already
/// present when there is a `baseline`.
pub fn human_with(report: &Report, options: HumanOptions, baseline: Option<&Baseline>) -> String {
    let theme = match (options.color, options.unicode) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::ascii(),
        (false, true) => GraphicalTheme::unicode_nocolor(),
        (false, false) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width).with_links(false);
    let mut out = String::new();
    for (index, finding) in report.findings.iter().enumerate() {
        human_one(&handler, finding, mark(baseline, index), &mut out);
    }
    out.push_str(&verdict_line(report, baseline));
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

fn human_one(handler: &GraphicalReportHandler, finding: &Diagnostic, change: Option<Change>, out: &mut String) {
    let _ = write!(out, "{}", place(finding));
    if finding.fix.as_ref().is_some_and(|fix| fix.applicability == Applicability::Safe) {
        out.push_str(" [*]");
    }
    if let Some(change) = change {
        let _ = write!(out, " ({})", change.label());
    }
    out.push('\n');
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, finding).is_err() {
        rendered = format!("{}: {}\n", finding.rule(), finding.message);
    }
    out.push_str(&rendered);
    // A row whose key cells are all empty has no key to show (`//`).
    if let Some(key) = finding.key.as_ref().filter(|key| key.chars().any(|c| c != '/')) {
        let _ = writeln!(out, "  row: {key}");
    }
    if let Some(line) = exception_line(finding) {
        let exceptions = match finding.file.len() - finding.file_name().len() {
            0 => "exceptions.csv".to_owned(),
            folder => format!("{}exceptions.csv", &finding.file[..folder]),
        };
        let _ = writeln!(out, "  if the source really says so, acknowledge it with this line in {exceptions}:");
        let _ = writeln!(out, "    {line}");
    }
    out.push('\n');
}

/// Where a finding is: `file:line:col`, `file:line` or `file`.
pub fn place(finding: &Diagnostic) -> String {
    match (finding.line, finding.char_column()) {
        (0, _) => finding.file.clone(),
        (line, Some(col)) => format!("{}:{line}:{col}", finding.file),
        (line, None) => format!("{}:{line}", finding.file),
    }
}

/// What `exceptions.csv` would need to acknowledge an unacknowledged finding: its row with
/// the rule, file name, row key, column and value, quoted as CSV needs, and a reason to write.
/// `None` for a finding that cannot be acknowledged (ingest's, a convention rule's,
/// `exception/stale`'s), has no row key or cell, or whose value had to be made visible to be
/// shown (a control character, an overlong cell): its text as shown is not the text in the file.
pub fn exception_line(finding: &Diagnostic) -> Option<String> {
    if finding.acknowledged.is_some() || !validate::can_be_acknowledged(finding.rule()) {
        return None;
    }
    let key = finding.key.as_deref()?;
    let column = finding.column.as_deref()?;
    let value = finding.value.as_deref().unwrap_or("");
    let altered =
        |text: &str| text.chars().any(|c| ('\u{2400}'..='\u{2426}').contains(&c) || c == '\u{27e8}' || c == '\u{2026}');
    if altered(key) || altered(value) || altered(column) {
        return None;
    }
    let fields = [finding.rule().as_str(), finding.file_name(), key, column, value, EXCEPTION_REASON];
    Some(fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","))
}

/// The reason an exception line offers, to be replaced by the real one.
pub const EXCEPTION_REASON: &str = "<why the source really gives this value>";

/// A CSV field, quoted when it holds a comma, a quote, a line break or edge spaces.
fn csv_field(text: &str) -> String {
    let needs_quotes = text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// The summary line, with the configuration the check ran with when it is not the default,
/// the tables it was restricted to, and the counts against the base.
pub fn verdict_line(report: &Report, baseline: Option<&Baseline>) -> String {
    let mut line = summary_line(&report.summary);
    if !report.only.is_empty() {
        let tables: Vec<&str> = report.only.iter().map(|t| t.file()).collect();
        let _ = write!(line, " (only {})", tables.join(", "));
    }
    if let Some(baseline) = baseline {
        let _ = write!(line, "; {}", baseline.line());
    }
    if let Some(config) = report.config.describe() {
        let _ = write!(line, "; configuration {config}");
    }
    line
}

/// "2 errors, 1 warning, 1 acknowledged in 9 files (160 rows)".
pub fn summary_line(summary: &Summary) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
    };
    let verdict = if summary.errors == 0 { "ok" } else { "FAILED" };
    let mut line = format!(
        "{verdict}: {}, {}, {} acknowledged in {} ({})",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        summary.acknowledged,
        plural(summary.files, "file"),
        plural(summary.records, "row"),
    );
    if summary.unlisted > 0 {
        line.push_str(&format!(
            "; {} not listed (at most {} of one rule in one file are)",
            plural(summary.unlisted, "finding"),
            ingest::MAX_LISTED
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use diagnostic::{RuleId, Severity};

    use super::*;

    fn finding(rule: &'static str, key: &str, value: &str) -> Diagnostic {
        let mut finding = Diagnostic::new(RuleId::new(rule), Severity::Error, "data/visits.csv", "m");
        finding.key = Some(key.to_owned());
        finding.column = Some("purpose".to_owned());
        finding.value = Some(value.to_owned());
        finding
    }

    #[test]
    fn the_exception_line_quotes_as_csv_needs() {
        let line = exception_line(&finding("field/format", "khno-2008-1", "talks, \"state\" visit")).unwrap();
        assert_eq!(
            line,
            "field/format,visits.csv,khno-2008-1,purpose,\"talks, \"\"state\"\" visit\",<why the source really gives this value>"
        );
        assert!(exception_line(&finding("field/format", "k", " padded")).unwrap().contains(",\" padded\","));
    }

    #[test]
    fn no_exception_line_where_none_could_acknowledge() {
        // What ingest reports, and exceptions' own problems, cannot be acknowledged.
        assert_eq!(exception_line(&finding("cell/invalid", "k", "x")), None);
        assert_eq!(exception_line(&finding("exception/stale", "k", "x")), None);
        // Nor can a convention of the dataset: the data follows it.
        assert_eq!(exception_line(&finding("key/reference", "k", "x")), None);
        assert_eq!(exception_line(&finding("id/convention", "k", "x")), None);
        // A value made visible to be shown is not the file's text.
        assert_eq!(exception_line(&finding("field/format", "k", "a\u{240a}b")), None);
        let mut acknowledged = finding("field/format", "k", "x");
        acknowledged.acknowledged = Some("a reason".to_owned());
        assert_eq!(exception_line(&acknowledged), None);
    }
}
