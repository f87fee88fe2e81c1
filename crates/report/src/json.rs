//! `report.json`: the findings exactly as `check --format json` gives them, with per-table
//! statistics and, against a base, the data diff and the findings split by what the change did.
//!
//! The document's top level:
//!
//! - `version`, `config`: the shape's version and the settings, as `check --format json`;
//! - `findings`, `summary`: as `check --format json` (each finding a
//!   [`crate::findings_json::JsonFinding`]);
//! - `passed`: whether the check passes;
//! - `tables`: one entry per table with its rows, rejected rows, findings and size;
//! - `base` (only with a base): `rev`, the base's `summary`, the `diff` (a csv-diff style `lines`
//!   list, totals and, for every changed table, its counts and rows, at most
//!   [`Options::json_rows`] of each kind, with `truncated` set when some were left out),
//!   `warnings` (rows removed), and
//!   `findings` split into `introduced`, `fixed` and `present`.

use diagnostic::Diagnostic;
use serde::Serialize;
use serde::ser::SerializeMap;
use validate::Summary;

use crate::findings_json::JsonFinding;

use crate::diff::{CellChange, DiffRow, TableDiff};
use crate::{Comparison, Options, Review};

#[derive(Serialize)]
struct Document<'r> {
    /// The shape's version, as in `check --format json`.
    version: u32,
    /// The settings the check ran with.
    config: &'r validate::Config,
    findings: Vec<JsonFinding<'r>>,
    summary: &'r Summary,
    passed: bool,
    tables: Vec<Table<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<Base<'r>>,
}

#[derive(Serialize)]
struct Table<'r> {
    table: &'static str,
    file: &'r str,
    rows: usize,
    rejected: usize,
    errors: usize,
    warnings: usize,
    acknowledged: usize,
    bytes: usize,
}

#[derive(Serialize)]
struct Base<'r> {
    rev: &'r str,
    summary: &'r Summary,
    diff: Diff<'r>,
    warnings: Vec<String>,
    findings: SplitFindings<'r>,
}

#[derive(Serialize)]
struct Diff<'r> {
    lines: Vec<String>,
    rows_added: usize,
    rows_removed: usize,
    rows_changed: usize,
    /// Of `rows_added`, those under a key a renumbered row had.
    rows_inserted: usize,
    rows_renumbered: usize,
    tables: Vec<JsonTableDiff<'r>>,
}

#[derive(Serialize)]
struct JsonTableDiff<'r> {
    table: &'static str,
    summary: String,
    base_missing: bool,
    head_missing: bool,
    rows_added: usize,
    rows_removed: usize,
    rows_changed: usize,
    rows_inserted: usize,
    rows_renumbered: usize,
    /// Rows that only follow references to renumbered keys: not changes.
    rows_following: usize,
    /// Whether a list below was cut at [`Options::json_rows`] entries.
    truncated: bool,
    added: Vec<Row<'r>>,
    removed: Vec<Row<'r>>,
    changed: Vec<Changed<'r>>,
    renumbered: Vec<Renumbered<'r>>,
}

#[derive(Serialize)]
struct Renumbered<'r> {
    old_key: &'r str,
    key: &'r str,
    base_line: u32,
    line: u32,
}

#[derive(Serialize)]
struct Row<'r> {
    key: &'r str,
    line: u32,
    cells: Cells<'r>,
}

/// Cells as a JSON object in column order: `(columns, values)`.
struct Cells<'r>(&'r [String], &'r [String]);

impl Serialize for Cells<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.1.len()))?;
        for (column, value) in self.0.iter().zip(self.1) {
            map.serialize_entry(column, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Changed<'r> {
    key: &'r str,
    base_line: u32,
    line: u32,
    cells: Vec<Cell<'r>>,
}

#[derive(Serialize)]
struct Cell<'r> {
    column: &'r str,
    old: &'r str,
    new: &'r str,
}

impl<'r> From<&'r CellChange> for Cell<'r> {
    fn from(change: &'r CellChange) -> Cell<'r> {
        Cell { column: &change.column, old: &change.old, new: &change.new }
    }
}

#[derive(Serialize)]
struct SplitFindings<'r> {
    introduced: Vec<JsonFinding<'r>>,
    fixed: Vec<JsonFinding<'r>>,
    present: Vec<JsonFinding<'r>>,
}

fn rows<'r>(columns: &'r [String], list: &'r [DiffRow], limit: usize) -> Vec<Row<'r>> {
    list.iter().take(limit).map(|r| Row { key: &r.key, line: r.line, cells: Cells(columns, &r.values) }).collect()
}

fn table_diff<'r>(table: &'r TableDiff, limit: usize) -> JsonTableDiff<'r> {
    JsonTableDiff {
        table: table.table.file(),
        summary: table.summary(),
        base_missing: table.base_missing,
        head_missing: table.head_missing,
        rows_added: table.added.len(),
        rows_removed: table.removed.len(),
        rows_changed: table.changed.len(),
        rows_inserted: table.inserted(),
        rows_renumbered: table.renumbered.len(),
        rows_following: table.followed.len(),
        truncated: [table.added.len(), table.removed.len(), table.changed.len(), table.renumbered.len()]
            .iter()
            .any(|&n| n > limit),
        added: rows(&table.columns, &table.added, limit),
        removed: rows(&table.columns, &table.removed, limit),
        changed: table
            .changed
            .iter()
            .take(limit)
            .map(|c| Changed {
                key: &c.key,
                base_line: c.base_line,
                line: c.line,
                cells: c.cells.iter().map(Cell::from).collect(),
            })
            .collect(),
        renumbered: table
            .renumbered
            .iter()
            .take(limit)
            .map(|r| Renumbered { old_key: &r.old_key, key: &r.key, base_line: r.base_line, line: r.line })
            .collect(),
    }
}

fn findings<'r>(list: &[&'r Diagnostic]) -> Vec<JsonFinding<'r>> {
    list.iter().map(|f| JsonFinding::new(f)).collect()
}

fn base<'r>(base: &'r Comparison<'r>, options: &Options) -> Base<'r> {
    let diff = base.diff;
    let warnings = diff
        .changed_tables()
        .filter(|t| !t.removed.is_empty())
        .map(|t| {
            let keys: Vec<&str> = t.removed.iter().take(20).map(|r| r.key.as_str()).collect();
            let more = if t.removed.len() > keys.len() {
                format!(" and {} more", t.removed.len() - keys.len())
            } else {
                String::new()
            };
            format!(
                "{}: {} removed: {}{more}",
                t.table.file(),
                if t.removed.len() == 1 { "1 row".to_owned() } else { format!("{} rows", t.removed.len()) },
                keys.join(", ")
            )
        })
        .collect();
    Base {
        rev: base.label,
        summary: &base.report.summary,
        diff: Diff {
            lines: diff.lines(),
            rows_added: diff.rows_added(),
            rows_removed: diff.rows_removed(),
            rows_changed: diff.rows_changed(),
            rows_inserted: diff.rows_inserted(),
            rows_renumbered: diff.rows_renumbered(),
            tables: diff.changed_tables().map(|t| table_diff(t, options.json_rows)).collect(),
        },
        warnings,
        findings: SplitFindings {
            introduced: findings(&base.split.introduced),
            fixed: findings(&base.split.fixed),
            present: findings(&base.split.present),
        },
    }
}

/// The JSON document, pretty-printed, ending with a newline.
pub fn document(review: &Review<'_>, options: &Options) -> String {
    let report = review.report;
    let tables = report
        .tables
        .iter()
        .map(|stats| {
            let mut counts = [0usize; 3];
            for finding in report.findings.iter().filter(|f| f.file == stats.file) {
                let slot = match (finding.severity, &finding.acknowledged) {
                    (_, Some(_)) => 2,
                    (diagnostic::Severity::Error, None) => 0,
                    (diagnostic::Severity::Warning, None) => 1,
                };
                counts[slot] += 1;
            }
            Table {
                table: stats.table.file(),
                file: &stats.file,
                rows: stats.rows,
                rejected: stats.rejected,
                errors: counts[0],
                warnings: counts[1],
                acknowledged: counts[2],
                bytes: stats.bytes,
            }
        })
        .collect();
    let document = Document {
        version: crate::findings_json::FORMAT_VERSION,
        config: &report.config,
        findings: report.findings.iter().map(JsonFinding::new).collect(),
        summary: &report.summary,
        passed: report.passed(),
        tables,
        base: review.base.as_ref().map(|b| base(b, options)),
    };
    crate::escape::json_pretty(&document)
}
