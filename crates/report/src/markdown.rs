//! `report.md`: a compact summary in GitHub Flavored Markdown, for `$GITHUB_STEP_SUMMARY` and
//! pull-request comments.
//!
//! It stays well under GitHub's 1 MiB limit for a step summary: at most
//! [`Options::markdown_findings`] findings and [`Options::markdown_rows`] changed rows are
//! listed, every text is cut to a few hundred characters, and what is left out is counted.
//! Every value from the data is escaped with [`md_text`] or shown in a code span made by
//! [`md_code`].

use std::fmt::Write as _;

use diagnostic::{Diagnostic, Severity};

use crate::diff::{DiffRow, TableDiff};
use crate::escape::{md_code, md_rich, md_text, truncate};
use crate::{Comparison, Options, Review};

/// GitHub refuses a step summary larger than this.
pub const GITHUB_SUMMARY_LIMIT: usize = 1024 * 1024;
/// The summary is cut at this size, whatever the options say, with room to spare.
const HARD_LIMIT: usize = GITHUB_SUMMARY_LIMIT / 2;
/// Characters kept of a message or help text.
const TEXT_CHARS: usize = 300;
/// Characters kept of a key or cell value.
const VALUE_CHARS: usize = 60;

/// The Markdown summary.
pub fn summary(review: &Review<'_>, options: &Options) -> String {
    let mut out = String::with_capacity(8 * 1024);
    let report = review.report;
    let s = &report.summary;
    if report.passed() {
        out.push_str("## ✅ bilat data check passed\n\n");
    } else {
        out.push_str("## ❌ bilat data check failed\n\n");
    }
    let _ = writeln!(
        out,
        "**{}** · **{}** · {} acknowledged · {} tables · {} rows\n",
        count(s.errors, "error", "errors"),
        count(s.warnings, "warning", "warnings"),
        s.acknowledged,
        report.tables.len(),
        s.records
    );
    if let Some(base) = &review.base {
        let _ = writeln!(
            out,
            "**Since {}:** {} introduced, {} fixed, {} already present · {}\n",
            md_code(base.label, false, VALUE_CHARS),
            count(base.split.introduced.len(), "finding", "findings"),
            base.split.fixed.len(),
            base.split.present.len(),
            base.diff.tally(),
        );
    }
    out.push_str("<details><summary>Rows per table</summary>\n\n| table | rows | rejected |\n|---|--:|--:|\n");
    for table in &report.tables {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md_code(table.table.file(), true, VALUE_CHARS),
            table.rows,
            table.rejected
        );
    }
    out.push_str("\n</details>\n\n");

    // Findings the check counted without listing them (beyond 1,000 of one rule in one file)
    // are not listed here either.
    let mut budget = Budget {
        findings: options.markdown_findings,
        rows: options.markdown_rows,
        findings_left: report.summary.unlisted,
    };
    match &review.base {
        None => {
            out.push_str("### Findings\n\n");
            if report.findings.is_empty() {
                out.push_str("None: every rule passes on every row.\n\n");
            } else {
                let all: Vec<&Diagnostic> = report.findings.iter().collect();
                findings_table(&mut out, &all, &mut budget, &|_| false);
            }
        }
        Some(base) => {
            // What the change broke comes first, then the change itself, then the rest.
            introduced(&mut out, base, &mut budget);
            changes(&mut out, base, &mut budget);
            fixed_and_present(&mut out, base, &mut budget);
        }
    }
    if budget.findings_left > 0 {
        let _ = writeln!(
            out,
            "*{} not listed here (this summary lists {}): see `index.html` and `report.json` in the report artifact.*\n",
            count(budget.findings_left, "more finding is", "more findings are"),
            options.markdown_findings
        );
    }
    checked(&mut out, report);
    out.push_str("<sub>Written by `cargo xtask report`; the full report with charts is `index.html`.</sub>\n");
    if out.len() > HARD_LIMIT {
        let cut = out[..HARD_LIMIT].rfind('\n').unwrap_or(0);
        out.truncate(cut);
        out.push_str("\n\n*(The summary was cut here to stay within GitHub's size limit.)*\n");
    }
    out
}

/// Every rule that ran, the rows it examined and whether it held, folded away: the account
/// behind the verdict.
fn checked(out: &mut String, report: &validate::Report) {
    let outcomes = crate::checked::outcomes(report);
    let held = outcomes.iter().filter(|o| o.failing == 0).count();
    let _ = writeln!(
        out,
        "<details><summary>What was checked: {held} of {} rules held</summary>\n\n| rule | rows examined | result |\n|---|--:|---|",
        outcomes.len()
    );
    for outcome in &outcomes {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md_code(outcome.rule.id.as_str(), true, VALUE_CHARS),
            outcome.rows,
            outcome.result_text()
        );
    }
    out.push_str("\n</details>\n\n");
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// What is left to list.
struct Budget {
    findings: usize,
    rows: usize,
    findings_left: usize,
}

fn changes(out: &mut String, base: &Comparison<'_>, budget: &mut Budget) {
    out.push_str("### Data changes\n\n");
    if base.diff.is_empty() {
        out.push_str("No row of any table changed.\n\n");
        return;
    }
    let removed = base.diff.rows_removed();
    if removed > 0 {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> **{} removed.** This change deletes data: check that every removal is intended.\n",
            count(removed, "row", "rows")
        );
    }
    for table in base.diff.changed_tables() {
        table_changes(out, table, budget);
    }
    out.push('\n');
}

fn table_changes(out: &mut String, table: &TableDiff, budget: &mut Budget) {
    let _ = writeln!(out, "- **{}**", md_text(&table.summary()));
    let total = table.added.len() + table.removed.len() + table.changed.len() + table.renumbered.len();
    let mut listed = 0;
    let cells = |row: &DiffRow| -> String {
        table
            .cells(row)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{} {}", md_text(k), md_code(v, false, VALUE_CHARS)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // One line per row, in this order, as many as the budget allows; a line is only
    // formatted when it is listed.
    let key = |key: &str| md_code(key, false, VALUE_CHARS);
    let removed =
        table.removed.iter().map(|row| format!("➖ removed {} (was line {}): {}", key(&row.key), row.line, cells(row)));
    let added = table.added.iter().map(|row| {
        let verb = if table.is_inserted(row) { "inserted" } else { "added" };
        format!("➕ {verb} {} (line {}): {}", key(&row.key), row.line, cells(row))
    });
    let renumbered = table.renumbered.iter().map(|row| {
        format!(
            "🔢 renumbered {} → {} (line {}, was {}), its other cells unchanged",
            key(&row.old_key),
            key(&row.key),
            row.line,
            row.base_line
        )
    });
    let changed = table.changed.iter().map(|row| {
        let edits: Vec<String> =
            row.cells.iter().map(|c| format!("{} {} → {}", md_text(&c.column), key(&c.old), key(&c.new))).collect();
        format!("✏️ changed {} (line {}): {}", key(&row.key), row.line, edits.join(", "))
    });
    for line in removed.chain(added).chain(renumbered).chain(changed).take(budget.rows) {
        let _ = writeln!(out, "  - {line}");
        listed += 1;
    }
    budget.rows -= listed;
    if listed < total {
        let _ = writeln!(out, "  - … and {} not listed here", count(total - listed, "more row", "more rows"));
    }
}

fn introduced(out: &mut String, base: &Comparison<'_>, budget: &mut Budget) {
    let touched = |f: &Diagnostic| base.diff.touches(f);
    let _ = writeln!(out, "### Introduced by this change ({})\n", base.split.introduced.len());
    if base.split.introduced.is_empty() {
        out.push_str("None.\n\n");
    } else {
        findings_table(out, &base.split.introduced, budget, &touched);
    }
}

fn fixed_and_present(out: &mut String, base: &Comparison<'_>, budget: &mut Budget) {
    let touched = |f: &Diagnostic| base.diff.touches(f);
    let _ = writeln!(out, "### Fixed by this change ({})\n", base.split.fixed.len());
    if base.split.fixed.is_empty() {
        out.push_str("None.\n\n");
    } else {
        findings_table(out, &base.split.fixed, budget, &|_| false);
    }
    if base.split.present.is_empty() {
        out.push_str("### Already present at the base (0)\n\nNone.\n\n");
    } else {
        let _ =
            writeln!(out, "<details><summary>Already present at the base ({})</summary>\n", base.split.present.len());
        findings_table(out, &base.split.present, budget, &touched);
        out.push_str("</details>\n\n");
    }
}

fn findings_table(
    out: &mut String,
    findings: &[&Diagnostic],
    budget: &mut Budget,
    touched: &dyn Fn(&Diagnostic) -> bool,
) {
    out.push_str("| | rule | where | finding |\n|---|---|---|---|\n");
    // Failures first, then warnings, then acknowledged findings; the report's order within each.
    let mut findings = findings.to_vec();
    findings.sort_by_key(|f| match (f.severity, &f.acknowledged) {
        (_, Some(_)) => 2,
        (Severity::Error, None) => 0,
        (Severity::Warning, None) => 1,
    });
    for finding in findings {
        if budget.findings == 0 {
            budget.findings_left += 1;
            continue;
        }
        budget.findings -= 1;
        let state = match (finding.severity, &finding.acknowledged) {
            (_, Some(_)) => "☑️ acknowledged",
            (Severity::Error, None) => "❌ error",
            (Severity::Warning, None) => "⚠️ warning",
        };
        let place = match (finding.line, finding.char_column()) {
            (0, _) => finding.file.clone(),
            (line, Some(col)) => format!("{}:{line}:{col}", finding.file),
            (line, None) => format!("{}:{line}", finding.file),
        };
        let mut place = md_code(&place, true, 120);
        if let Some(key) = &finding.key {
            let _ = write!(place, "<br>{}", md_code(key, true, VALUE_CHARS));
        }
        if let Some(column) = &finding.column {
            let _ = write!(place, " · {}", md_code(column, true, VALUE_CHARS));
        }
        let mut text = md_rich(&truncate(&finding.message, TEXT_CHARS), true);
        if let Some(help) = &finding.help {
            let _ = write!(text, "<br>*help:* {}", md_rich(&truncate(help, TEXT_CHARS), true));
        }
        if let Some(reason) = &finding.acknowledged {
            let _ = write!(text, "<br>*acknowledged:* {}", md_text(&truncate(reason, TEXT_CHARS)));
        }
        if touched(finding) {
            text.push_str("<br>*on a row this change touches*");
        }
        let _ = writeln!(out, "| {state} | {} | {place} | {text} |", md_code(finding.rule().as_str(), true, 80));
    }
    out.push('\n');
}
