//! The keyed diff of two versions of a data folder: rows added, removed and changed, per table.
//!
//! [`DataDiff::new`] compares two [`DataDir`]s table by table. Rows are matched by their
//! primary key (the table's declared key columns, read as written), so a row that only moved
//! is not a change. Cells are compared as text, column by column by header name, so a reorder
//! of the header's columns is not a change either.
//!
//! The diff reads the raw CSV cells through ingest's [`Sheet`], not the typed records, so it
//! splits records and counts lines as `check` does, and a row that fails to type (a decimal
//! comma, a bad date) is still diffed like any other, instead of looking removed.
//! When a key occurs more than once in a file, the first occurrence in the base is matched with
//! the first in the head, the second with the second, and so on.

use std::collections::{HashMap, HashSet};

use diagnostic::Diagnostic;
use ingest::{DataDir, Sheet, SourceFile};
use model::TableId;

/// The difference between two versions of a data folder.
#[derive(Clone, Debug, Default)]
pub struct DataDiff {
    /// One entry per table, in [`TableId::ALL`] order, changed or not.
    pub tables: Vec<TableDiff>,
    touched_keys: HashMap<TableId, HashSet<String>>,
    touched_lines: HashMap<TableId, HashSet<u32>>,
}

/// The difference in one table.
#[derive(Clone, Debug)]
pub struct TableDiff {
    /// Which table.
    pub table: TableId,
    /// The table's file was missing at the base: every row is added.
    pub base_missing: bool,
    /// The table's file is missing now: every row is removed.
    pub head_missing: bool,
    /// The compared columns: the declared ones, then any other header names.
    pub columns: Vec<String>,
    /// Rows whose key is new, in the order of the head's file.
    pub added: Vec<DiffRow>,
    /// Rows whose key is gone, in the order of the base's file.
    pub removed: Vec<DiffRow>,
    /// Rows whose key is in both with some cell changed, in the order of the head's file.
    pub changed: Vec<ChangedRow>,
}

/// A row that is only on one side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    /// The row's key values joined by `/`, e.g. `NO/JP/2011`.
    pub key: String,
    /// The row's first line in its file (the head's for an added row, the base's for a removed one).
    pub line: u32,
    /// Every cell's text, in the order of [`TableDiff::columns`].
    pub values: Vec<String>,
}

/// A row on both sides with different cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedRow {
    /// The row's key values joined by `/`.
    pub key: String,
    /// The row's first line at the base.
    pub base_line: u32,
    /// The row's first line now.
    pub line: u32,
    /// The cells that differ, declared columns first.
    pub cells: Vec<CellChange>,
}

/// One changed cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellChange {
    /// The column's header name.
    pub column: String,
    /// The text at the base.
    pub old: String,
    /// The text now.
    pub new: String,
}

impl DataDiff {
    /// Compares every table of `base` with the same table of `head`. A table missing on one side
    /// counts as empty there.
    pub fn new(base: &DataDir, head: &DataDir) -> DataDiff {
        let tables: Vec<TableDiff> = TableId::ALL.iter().map(|&t| diff_table(t, base.file(t), head.file(t))).collect();
        let mut touched_keys: HashMap<TableId, HashSet<String>> = HashMap::new();
        let mut touched_lines: HashMap<TableId, HashSet<u32>> = HashMap::new();
        for diff in &tables {
            let keys = touched_keys.entry(diff.table).or_default();
            let lines = touched_lines.entry(diff.table).or_default();
            for row in &diff.added {
                keys.insert(row.key.clone());
                lines.insert(row.line);
            }
            for row in &diff.changed {
                keys.insert(row.key.clone());
                lines.insert(row.line);
            }
        }
        DataDiff { tables, touched_keys, touched_lines }
    }

    /// The diff of one table.
    pub fn table(&self, table: TableId) -> Option<&TableDiff> {
        self.tables.iter().find(|t| t.table == table)
    }

    /// The tables that changed, in [`TableId::ALL`] order.
    pub fn changed_tables(&self) -> impl Iterator<Item = &TableDiff> {
        self.tables.iter().filter(|t| !t.is_empty())
    }

    /// Whether no table changed.
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(TableDiff::is_empty)
    }

    /// Rows added, in all tables.
    pub fn rows_added(&self) -> usize {
        self.tables.iter().map(|t| t.added.len()).sum()
    }

    /// Rows removed, in all tables.
    pub fn rows_removed(&self) -> usize {
        self.tables.iter().map(|t| t.removed.len()).sum()
    }

    /// Rows changed, in all tables.
    pub fn rows_changed(&self) -> usize {
        self.tables.iter().map(|t| t.changed.len()).sum()
    }

    /// One line per changed table, e.g. `residents.csv: 1 row added, 1 row changed`.
    pub fn lines(&self) -> Vec<String> {
        self.changed_tables().map(TableDiff::summary).collect()
    }

    /// Whether a finding is about a row that was added or changed: its key, or else its line,
    /// is one of them. A finding about a whole file counts when the file changed at all.
    pub fn touches(&self, finding: &Diagnostic) -> bool {
        let file = finding.file.rsplit('/').next().unwrap_or(&finding.file);
        let Some(table) = TableId::from_file(file) else {
            return false;
        };
        if let Some(key) = &finding.key
            && self.touched_keys.get(&table).is_some_and(|keys| keys.contains(key))
        {
            return true;
        }
        if finding.line == 0 {
            return self.table(table).is_some_and(|t| !t.is_empty());
        }
        self.touched_lines.get(&table).is_some_and(|lines| lines.contains(&finding.line))
    }
}

impl TableDiff {
    /// A row's cells as `(column, text)`.
    pub fn cells<'d>(&'d self, row: &'d DiffRow) -> impl Iterator<Item = (&'d str, &'d str)> {
        self.columns.iter().map(String::as_str).zip(row.values.iter().map(String::as_str))
    }

    /// Whether nothing changed in this table.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// One line in the style of csv-diff: `residents.csv: 1 row added, 1 row removed, 1 row
    /// changed`. Counts of zero are left out; a table without changes says `no changes`.
    pub fn summary(&self) -> String {
        let rows = |n: usize| if n == 1 { "1 row".to_owned() } else { format!("{n} rows") };
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("{} added", rows(self.added.len())));
        }
        if !self.removed.is_empty() {
            parts.push(format!("{} removed", rows(self.removed.len())));
        }
        if !self.changed.is_empty() {
            parts.push(format!("{} changed", rows(self.changed.len())));
        }
        let counts = if parts.is_empty() { "no changes".to_owned() } else { parts.join(", ") };
        let note = match (self.base_missing, self.head_missing) {
            (true, false) => " (a new table)",
            (false, true) => " (the file was deleted)",
            _ => "",
        };
        format!("{}: {counts}{note}", self.table.file())
    }
}

/// A row of one side, keyed, with its cells in the order of the compared columns.
struct Keyed {
    key: String,
    line: u32,
    values: Vec<String>,
}

/// The rows of a sheet with their keys and their cells in `columns` order. Cells are moved out
/// of the sheet, not copied.
fn keyed(sheet: Sheet, key: &[&str], columns: &[String]) -> Vec<Keyed> {
    let places: Vec<Option<usize>> = columns.iter().map(|c| sheet.position(c)).collect();
    let key_places: Vec<Option<usize>> = key.iter().map(|k| sheet.position(k)).collect();
    sheet
        .rows
        .into_iter()
        .map(|mut row| {
            let key = key_places
                .iter()
                .map(|&p| p.and_then(|p| row.cells.get(p)).map_or("", String::as_str))
                .collect::<Vec<_>>()
                .join("/");
            let values = places
                .iter()
                .map(|&p| p.and_then(|p| row.cells.get_mut(p)).map(std::mem::take).unwrap_or_default())
                .collect();
            Keyed { key, line: row.line, values }
        })
        .collect()
}

fn diff_table(table: TableId, base: &SourceFile, head: &SourceFile) -> TableDiff {
    let def = table.def();
    let base_sheet = Sheet::read(base);
    let head_sheet = Sheet::read(head);
    // Declared columns first, then any other header names, the head's before the base's.
    let mut columns: Vec<String> = def.columns.iter().map(|c| c.name.to_owned()).collect();
    for name in head_sheet.columns.iter().chain(&base_sheet.columns) {
        if !name.is_empty() && !columns.contains(name) {
            columns.push(name.clone());
        }
    }
    let mut base_rows: Vec<Option<Keyed>> = keyed(base_sheet, def.key, &columns).into_iter().map(Some).collect();
    let head_rows = keyed(head_sheet, def.key, &columns);

    // (key, occurrence) → index into base_rows.
    let mut index: HashMap<(String, usize), usize> = HashMap::with_capacity(base_rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in base_rows.iter().enumerate() {
        let key = row.as_ref().map_or("", |r| r.key.as_str());
        let n = seen.entry(key.to_owned()).or_default();
        index.insert((key.to_owned(), *n), i);
        *n += 1;
    }
    seen.clear();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for row in head_rows {
        let n = seen.entry(row.key.clone()).or_default();
        let occurrence = *n;
        *n += 1;
        let old = index.remove(&(row.key.clone(), occurrence)).and_then(|i| base_rows[i].take());
        let Some(old) = old else {
            added.push(DiffRow { key: row.key, line: row.line, values: row.values });
            continue;
        };
        let cells: Vec<CellChange> = columns
            .iter()
            .zip(old.values.into_iter().zip(row.values))
            .filter(|(_, (a, b))| a != b)
            .map(|(column, (old, new))| CellChange { column: column.clone(), old, new })
            .collect();
        if !cells.is_empty() {
            changed.push(ChangedRow { key: row.key, base_line: old.line, line: row.line, cells });
        }
    }
    let removed = base_rows
        .into_iter()
        .flatten()
        .map(|row| DiffRow { key: row.key, line: row.line, values: row.values })
        .collect();
    TableDiff {
        table,
        base_missing: base.bytes.is_none(),
        head_missing: head.bytes.is_none(),
        columns,
        added,
        removed,
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(files: &[(TableId, &str)]) -> DataDir {
        DataDir::from_memory("data", |t| {
            files.iter().find(|(id, _)| *id == t).map(|(_, text)| text.as_bytes().to_vec())
        })
    }

    const HEADER: &str = "country,citizenship,year,count,source\n";

    #[test]
    fn matches_rows_by_key_not_position() {
        let base = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,799,s\nNO,JP,2010,838,s\n"))]);
        let head = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2010,838,s\nNO,JP,2009,799,s\n"))]);
        let diff = DataDiff::new(&base, &head);
        assert!(diff.is_empty(), "{diff:?}");
        assert_eq!(diff.lines(), Vec::<String>::new());
    }

    #[test]
    fn reports_added_removed_and_changed_cells() {
        let base = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,799,s\nNO,JP,2010,838,s\n"))]);
        let head = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2010,840,s\nNO,JP,2011,855,s\n"))]);
        let diff = DataDiff::new(&base, &head);
        let table = diff.table(TableId::Residents).unwrap();
        assert_eq!(table.summary(), "residents.csv: 1 row added, 1 row removed, 1 row changed");
        assert_eq!(table.added[0].key, "NO/JP/2011");
        assert_eq!(table.added[0].line, 3);
        assert_eq!(table.removed[0].key, "NO/JP/2009");
        assert_eq!(table.removed[0].line, 2);
        assert_eq!(
            table.changed[0].cells,
            vec![CellChange { column: "count".into(), old: "838".into(), new: "840".into() }]
        );
        assert_eq!((table.changed[0].base_line, table.changed[0].line), (3, 2));
    }

    #[test]
    fn a_table_missing_at_the_base_is_all_added() {
        let base = dir(&[]);
        let head = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,799,s\n"))]);
        let diff = DataDiff::new(&base, &head);
        assert_eq!(diff.lines(), vec!["residents.csv: 1 row added (a new table)".to_owned()]);
        let back = DataDiff::new(&head, &base);
        assert_eq!(back.lines(), vec!["residents.csv: 1 row removed (the file was deleted)".to_owned()]);
    }

    #[test]
    fn header_order_quotes_and_line_ends_are_not_changes() {
        let base = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,799,s\n"))]);
        let head =
            dir(&[(TableId::Residents, "source,country,citizenship,year,count\r\n\r\n\"s\",NO,JP,2009,799\r\n")]);
        assert!(DataDiff::new(&base, &head).is_empty());
    }

    #[test]
    fn counts_lines_across_quoted_breaks_and_blank_lines() {
        let text = "a,b\n\"x\ny\",1\n\nz,2\r\nw,3\rv,4\n";
        let folder = dir(&[(TableId::Residents, text)]);
        let sheet = Sheet::read(folder.file(TableId::Residents));
        let lines: Vec<u32> = sheet.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 5, 6, 7]);
    }

    #[test]
    fn repeated_keys_pair_up_in_order() {
        let base = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,1,s\nNO,JP,2009,2,s\n"))]);
        let head = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,1,s\nNO,JP,2009,2,s\nNO,JP,2009,3,s\n"))]);
        let diff = DataDiff::new(&base, &head);
        assert_eq!(diff.lines(), vec!["residents.csv: 1 row added".to_owned()]);
    }

    #[test]
    fn unreadable_bytes_still_diff() {
        let base = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,\"799,s\n"))]);
        let head = dir(&[(TableId::Residents, "\u{feff}country\n")]);
        let diff = DataDiff::new(&base, &head);
        assert_eq!(diff.rows_removed(), 1);
    }

    #[test]
    fn findings_on_added_or_changed_rows_are_touched() {
        let base = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,799,s\nNO,JP,2010,838,s\n"))]);
        let head = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,799,s\nNO,JP,2010,8 38,s\n"))]);
        let diff = DataDiff::new(&base, &head);
        let report = validate::check_dir(&head);
        let on_count: Vec<&Diagnostic> = report.findings.iter().filter(|f| f.file == "data/residents.csv").collect();
        assert!(!on_count.is_empty());
        assert!(on_count.iter().all(|f| diff.touches(f)), "{on_count:?}");
        let elsewhere = report.findings.iter().find(|f| f.file == "data/visits.csv").unwrap();
        assert!(!diff.touches(elsewhere));
    }
}
