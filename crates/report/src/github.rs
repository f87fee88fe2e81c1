//! The report of a check as GitHub Actions workflow commands (`::error file=…`), escaped so
//! that no cell text can inject a command, limited to what GitHub shows, with the rest summed
//! up.

use std::fmt::Write as _;

use diagnostic::{Diagnostic, Severity};
use model::TableId;
use validate::Report;

use crate::baseline::{Baseline, Change, mark};
use crate::human::{place, verdict_line};

/// How many annotations of each severity GitHub shows for one step.
pub const GITHUB_ANNOTATIONS_PER_SEVERITY: usize = 10;

/// The report as GitHub Actions workflow commands.
///
/// GitHub shows at most ten error and ten warning annotations per step, so findings are
/// ordered with `first` (e.g. those on rows a pull request changed) ahead, the first ten of
/// each severity become annotations, and one notice sums up the rest. Every finding is also
/// printed as a plain log line, so none is lost from the log.
pub fn github(report: &Report, first: &dyn Fn(&Diagnostic) -> bool) -> String {
    github_with(report, first, None)
}

/// [`github`], with each finding marked introduced or already present against a `baseline`;
/// introduced findings are annotated first, then those on rows that `first` picks.
pub fn github_with(report: &Report, first: &dyn Fn(&Diagnostic) -> bool, baseline: Option<&Baseline>) -> String {
    let mut out = String::new();
    let mut ordered: Vec<(usize, &Diagnostic)> = report.findings.iter().enumerate().collect();
    ordered.sort_by_key(|(index, f)| (mark(baseline, *index) == Some(Change::Present), !first(f)));
    let (mut errors, mut warnings, mut left_out) = (0, 0, 0);
    for (index, finding) in ordered {
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
            // GitHub takes an end column on a single-line annotation only.
            if let Some(end) = finding.end_column() {
                let _ = write!(out, ",endLine={},endColumn={end}", finding.line);
            }
        }
        let _ = write!(out, ",title={}::", escape_property(finding.rule().as_str()));
        let mut message = match mark(baseline, index) {
            Some(change) => format!("({}) {}", change.label(), finding.message),
            None => finding.message.clone(),
        };
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
    // The full list as plain log lines, readable as they are (no percent codes), each made
    // unable to act as a command.
    for (index, finding) in report.findings.iter().enumerate() {
        let state = match (&finding.acknowledged, finding.severity) {
            (Some(_), _) => "acknowledged",
            (None, Severity::Error) => "error",
            (None, Severity::Warning) => "warning",
        };
        let change = mark(baseline, index).map(|c| format!(" ({})", c.label())).unwrap_or_default();
        let line = format!("{}: {state}{change} [{}] {}", place(finding), finding.rule(), finding.message);
        out.push_str(&plain_line(&line));
        out.push('\n');
    }
    out.push_str(&plain_line(&verdict_line(report, baseline)));
    out.push('\n');
    out
}

/// A plain log line that the Actions runner shows as it is: one line (line breaks become
/// ` · `), never starting with `::` (a workflow command) and never holding `##[` (the legacy
/// command syntax, read anywhere in a line); both are broken with a backslash, visibly.
pub fn plain_line(text: &str) -> String {
    let mut line = text.split(['\n', '\r']).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" · ");
    if line.contains("##[") {
        line = line.replace("##[", "##\\[");
    }
    if line.trim_start().starts_with("::") {
        line.insert(line.len() - line.trim_start().len(), '\\');
    }
    line
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

/// A warning about rows a change removed: one sentence, and the same as a workflow command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedRows {
    /// E.g. "2 rows removed from residents.csv: NO/JP/2009, NO/JP/2010".
    pub message: String,
    /// The `::warning` command that annotates the table's file with it.
    pub annotation: String,
}

/// One warning per table with removed rows, naming at most ten keys. `data` is the data
/// folder as shown, which the annotations' file names start with.
pub fn removed_rows(removed: &[(TableId, String)], data: &str) -> Vec<RemovedRows> {
    let mut by_table: Vec<(TableId, Vec<&str>)> = Vec::new();
    for (table, key) in removed {
        match by_table.iter_mut().find(|(t, _)| t == table) {
            Some((_, keys)) => keys.push(key),
            None => by_table.push((*table, vec![key])),
        }
    }
    by_table
        .into_iter()
        .map(|(table, keys)| {
            let rows = if keys.len() == 1 { "1 row".to_owned() } else { format!("{} rows", keys.len()) };
            let shown_keys: Vec<&str> = keys.iter().take(10).copied().collect();
            let more = if keys.len() > 10 { format!(" and {} more", keys.len() - 10) } else { String::new() };
            let message = format!("{rows} removed from {table}: {}{more}", shown_keys.join(", "));
            let file = format!("{}/{}", data.trim_end_matches('/'), table.file());
            let annotation =
                format!("::warning file={},title=rows removed::{}", escape_property(&file), escape_data(&message));
            RemovedRows { message: diagnostic::text::inert(&message).into_owned(), annotation }
        })
        .collect()
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

    #[test]
    fn plain_lines_are_readable_and_inert() {
        // Percent signs stay as they are: the log is read by people.
        assert_eq!(plain_line("the share 31 % does not match"), "the share 31 % does not match");
        assert_eq!(plain_line("::error file=x::pwned"), "\\::error file=x::pwned");
        assert_eq!(plain_line("  ::warning::x"), "  \\::warning::x");
        assert_eq!(plain_line("a\n::error::b"), "a · ::error::b");
        assert_eq!(plain_line("x ##[add-mask]secret"), "x ##\\[add-mask]secret");
    }
}
