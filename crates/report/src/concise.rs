//! Compact terminal outputs of a check: one line per finding (`--format concise`), and a count
//! per rule (`--statistics`). Like the other renderers, they print text from the data only as
//! the character policy of `diagnostic::text` left it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use diagnostic::{Diagnostic, Severity};
use validate::Report;

use crate::baseline::{Baseline, mark};
use crate::human::{place, verdict_line};

/// One line per finding, `file:line:col: rule message`, with `[warning]`, `[acknowledged]`
/// and, against a base, `[introduced]` or `[already present]` after it; then the summary line.
pub fn concise(report: &Report, baseline: Option<&Baseline>) -> String {
    let mut out = String::new();
    for (index, finding) in report.findings.iter().enumerate() {
        let _ = write!(out, "{}: {} {}", place(finding), finding.rule(), one_line(&finding.message));
        for tag in tags(finding).into_iter().chain(mark(baseline, index).map(|c| c.label())) {
            let _ = write!(out, " [{tag}]");
        }
        out.push('\n');
    }
    out.push_str(&verdict_line(report, baseline));
    out.push('\n');
    out
}

/// The count of findings per rule id, most frequent first (then by id): how many fail, warn,
/// and are acknowledged; then the summary line.
pub fn statistics(report: &Report, baseline: Option<&Baseline>) -> String {
    #[derive(Default)]
    struct Counts {
        errors: usize,
        warnings: usize,
        acknowledged: usize,
        introduced: usize,
    }
    let mut by_rule: BTreeMap<&str, Counts> = BTreeMap::new();
    for (index, finding) in report.findings.iter().enumerate() {
        let counts = by_rule.entry(finding.rule().as_str()).or_default();
        match (finding.severity, &finding.acknowledged) {
            (_, Some(_)) => counts.acknowledged += 1,
            (Severity::Error, None) => counts.errors += 1,
            (Severity::Warning, None) => counts.warnings += 1,
        }
        if mark(baseline, index) == Some(crate::baseline::Change::Introduced) {
            counts.introduced += 1;
        }
    }
    for more in &report.unlisted {
        let counts = by_rule.entry(more.rule.as_str()).or_default();
        match more.severity {
            Severity::Error => counts.errors += more.count,
            Severity::Warning => counts.warnings += more.count,
        }
    }
    let mut rows: Vec<(&str, Counts)> = by_rule.into_iter().collect();
    let total = |c: &Counts| c.errors + c.warnings + c.acknowledged;
    rows.sort_by(|a, b| total(&b.1).cmp(&total(&a.1)).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (id, counts) in &rows {
        let mut parts = Vec::new();
        for (n, word) in [(counts.errors, "error"), (counts.warnings, "warning"), (counts.acknowledged, "acknowledged")]
        {
            match n {
                0 => {}
                1 => parts.push(format!("1 {word}")),
                n if word == "acknowledged" => parts.push(format!("{n} {word}")),
                n => parts.push(format!("{n} {word}s")),
            }
        }
        if baseline.is_some() {
            parts.push(format!("{} introduced", counts.introduced));
        }
        let _ = writeln!(out, "{:>5}  {id:<width$}  {}", total(counts), parts.join(", "));
    }
    out.push_str(&verdict_line(report, baseline));
    out.push('\n');
    out
}

/// `warning`, `acknowledged`, or nothing for an error that fails the check.
fn tags(finding: &Diagnostic) -> Option<&'static str> {
    match (finding.severity, &finding.acknowledged) {
        (_, Some(_)) => Some("acknowledged"),
        (Severity::Warning, None) => Some("warning"),
        (Severity::Error, None) => None,
    }
}

/// A message on one line: its line breaks become ` · `.
fn one_line(message: &str) -> String {
    message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" · ")
}
