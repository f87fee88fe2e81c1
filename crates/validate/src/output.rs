//! Renders a [`Report`] for people, for tools and for GitHub Actions.
//!
//! - [`human`]: miette's graphical report, one diagnostic per finding with the CSV line and
//!   the cell underlined, then a summary line. Without colour, it contains no escape codes.
//! - [`json`]: one JSON document built with `serde_json`, valid whatever a cell holds.
//! - [`github`]: workflow commands (`::error file=…`), escaped so that no cell text can inject
//!   a command, limited to what GitHub shows, with the rest summed up.

use std::fmt::Write as _;

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

use crate::{Finding, Report, Severity, Summary};

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
    out
}

/// One finding as people read it: a header line naming the place, then the diagnostic.
pub fn human_finding(finding: &Finding, options: HumanOptions) -> String {
    let theme = if options.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width).with_links(false);
    let mut out = String::new();
    human_one(&handler, finding, &mut out);
    out
}

fn human_one(handler: &GraphicalReportHandler, finding: &Finding, out: &mut String) {
    let place = match (finding.line, finding.char_column()) {
        (0, _) => finding.file.clone(),
        (line, Some(col)) => format!("{}:{line}:{col}", finding.file),
        (line, None) => format!("{}:{line}", finding.file),
    };
    let _ = writeln!(out, "{place}");
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, finding).is_err() {
        rendered = format!("{}: {}\n", finding.rule, finding.message);
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
    let mut line = format!(
        "{verdict}: {}, {}, {} acknowledged in {} ({})",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        summary.acknowledged,
        plural(summary.files, "file"),
        plural(summary.records, "row"),
    );
    if summary.unlisted > 0 {
        let _ = write!(
            line,
            "; {} not listed (at most {} of one rule in one file are)",
            plural(summary.unlisted, "finding"),
            ingest::MAX_LISTED
        );
    }
    line
}

/// A finding as machine output shows it.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'r> {
    rule: &'r str,
    #[serde(serialize_with = "severity_name")]
    severity: Severity,
    file: &'r str,
    line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    col: Option<usize>,
    column: Option<&'r str>,
    key: Option<&'r str>,
    value: Option<&'r str>,
    message: &'r str,
    help: Option<&'r str>,
    acknowledged: Option<&'r str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'r>>,
}

fn severity_name<S: serde::Serializer>(severity: &Severity, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&severity.to_string())
}

#[derive(Debug, Serialize)]
struct JsonRelated<'r> {
    label: &'r str,
    file: &'r str,
    line: u32,
    column: Option<&'r str>,
}

impl<'r> JsonFinding<'r> {
    /// The JSON view of a finding.
    pub fn new(finding: &'r Finding) -> JsonFinding<'r> {
        JsonFinding {
            rule: finding.rule,
            severity: finding.severity,
            file: &finding.file,
            line: finding.line,
            col: finding.char_column(),
            column: finding.column.as_deref(),
            key: finding.key.as_deref(),
            value: finding.value.as_deref(),
            message: &finding.message,
            help: finding.help.as_deref(),
            acknowledged: finding.acknowledged.as_deref(),
            related: finding
                .related
                .iter()
                .map(|r| JsonRelated { label: &r.label, file: &r.file, line: r.line, column: r.column.as_deref() })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'r> {
    findings: Vec<JsonFinding<'r>>,
    /// Whether `findings` leaves some out (`summary.unlisted` says how many).
    truncated: bool,
    summary: &'r Summary,
}

/// The report as one JSON document.
pub fn json(report: &Report) -> String {
    let document = JsonReport {
        findings: report.findings.iter().map(JsonFinding::new).collect(),
        truncated: report.summary.unlisted > 0,
        summary: &report.summary,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}

/// How many annotations of each severity GitHub shows for one step.
pub const GITHUB_ANNOTATIONS_PER_SEVERITY: usize = 10;

/// The report as GitHub Actions workflow commands.
///
/// GitHub shows at most ten error and ten warning annotations per step, so findings are
/// ordered with `first` (e.g. those on rows a pull request changed) ahead, the first ten of
/// each severity become annotations, and one notice sums up the rest. Every finding is also
/// printed as a plain log line, so none is lost from the log.
pub fn github(report: &Report, first: &dyn Fn(&Finding) -> bool) -> String {
    let mut out = String::new();
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| !first(f));
    let (mut errors, mut warnings, mut left_out) = (0, 0, 0);
    for finding in &ordered {
        let shown = match (finding.severity, &finding.acknowledged) {
            (_, Some(_)) => continue,
            (Severity::Error, None) => &mut errors,
            (Severity::Warning, None) => &mut warnings,
        };
        if *shown == GITHUB_ANNOTATIONS_PER_SEVERITY {
            left_out += 1;
            continue;
        }
        *shown += 1;
        let command = if finding.severity == Severity::Error { "error" } else { "warning" };
        let _ = write!(out, "::{command} file={}", escape_property(&finding.file));
        if finding.line > 0 {
            let _ = write!(out, ",line={}", finding.line);
        }
        if let Some(col) = finding.char_column() {
            let _ = write!(out, ",col={col}");
        }
        let _ = write!(out, ",title={}::", escape_property(finding.rule));
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&escape_data(&message));
        out.push('\n');
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "::notice title=bilat::{}",
            escape_data(&format!(
                "{left_out} more findings are not annotated (GitHub shows {GITHUB_ANNOTATIONS_PER_SEVERITY} errors and {GITHUB_ANNOTATIONS_PER_SEVERITY} warnings per step); all are listed in the log"
            ))
        );
    }
    // The full list as plain lines. A line starting with `::` would be read as a command,
    // so each starts with the file name, and text is escaped as command data anyway.
    for finding in &report.findings {
        let state = match (&finding.acknowledged, finding.severity) {
            (Some(_), _) => "acknowledged",
            (None, Severity::Error) => "error",
            (None, Severity::Warning) => "warning",
        };
        let _ = writeln!(
            out,
            "{}:{}: {state} [{}] {}",
            escape_data(&finding.file),
            finding.line,
            finding.rule,
            escape_data(&finding.message)
        );
    }
    out.push_str(&summary_line(&report.summary));
    out.push('\n');
    out
}

/// Escapes a workflow command's message, as the Actions runner unescapes it.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    // The runner also reads the legacy `##[command]` syntax anywhere in a log line.
    if out.contains("##[") {
        out = out.replace("##[", "##\\[");
    }
    out
}

/// Escapes a workflow command's property value (`file=`, `title=`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_commands() {
        assert_eq!(escape_data("50%\n::error::x"), "50%25%0A::error::x");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
        assert_eq!(escape_data("\u{1b}[31m"), "\\u{001b}[31m");
        assert_eq!(escape_data("x ##[add-mask]secret"), "x ##\\[add-mask]secret");
    }
}
