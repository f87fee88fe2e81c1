//! The report of a check as GitHub Actions workflow commands (`::error file=…`), escaped so
//! that no cell text can inject a command, limited to what GitHub shows, with the rest summed
//! up.

use std::fmt::Write as _;

use diagnostic::{Diagnostic, Severity};
use model::TableId;
use validate::Report;

use crate::human::summary_line;

/// How many annotations of each severity GitHub shows for one step.
pub const GITHUB_ANNOTATIONS_PER_SEVERITY: usize = 10;

/// The report as GitHub Actions workflow commands.
///
/// GitHub shows at most ten error and ten warning annotations per step, so findings are
/// ordered with `first` (e.g. those on rows a pull request changed) ahead, the first ten of
/// each severity become annotations, and one notice sums up the rest. Every finding is also
/// printed as a plain log line, so none is lost from the log.
pub fn github(report: &Report, first: &dyn Fn(&Diagnostic) -> bool) -> String {
    let mut out = String::new();
    let mut ordered: Vec<&Diagnostic> = report.findings.iter().collect();
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
        let _ = write!(out, ",title={}::", escape_property(finding.rule().as_str()));
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
            finding.rule(),
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
}
