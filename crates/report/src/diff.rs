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
//!
//! Ids such as `jpno-1997-2` are ordinal: inserting a 1997 visit before it shifts the ids of the
//! visits after it. In a table whose key holds such an id or a sequence number (a text or an
//! integer column), a row whose key changed while every other cell stayed the same is
//! *renumbered* (old key → new key), not removed and added, nor changed; a row that took a
//! renumbered row's key with other cells is *inserted*. Tables are compared in
//! [`TableId::ALL`] order, referred-to tables first, and a reference to a renumbered key is read
//! as the new key: a participant of a renumbered visit that is otherwise the same *follows* it
//! and is not a change.

use std::collections::{HashMap, HashSet, VecDeque};

use diagnostic::Diagnostic;
use ingest::{DataDir, Sheet, SourceFile};
use model::{Kind, TableId};

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
    /// Rows whose key changed while every other cell stayed the same, in the order of the
    /// head's file.
    pub renumbered: Vec<RenumberedRow>,
    /// Rows that are the same but for references to renumbered keys, which they follow: not
    /// changes. In the order of the head's file.
    pub followed: Vec<RenumberedRow>,
}

/// A row whose key changed while every other cell stayed the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenumberedRow {
    /// The key at the base.
    pub old_key: String,
    /// The key now.
    pub key: String,
    /// The row's first line at the base.
    pub base_line: u32,
    /// The row's first line now.
    pub line: u32,
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
        let mut renumbering = Renumbering::new();
        let tables: Vec<TableDiff> =
            TableId::ALL.iter().map(|&t| diff_table(t, base.file(t), head.file(t), &mut renumbering)).collect();
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
            for row in &diff.renumbered {
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

    /// Rows inserted (added under a key a renumbered row had), in all tables; they are among
    /// [`DataDiff::rows_added`].
    pub fn rows_inserted(&self) -> usize {
        self.tables.iter().map(TableDiff::inserted).sum()
    }

    /// Rows renumbered, in all tables.
    pub fn rows_renumbered(&self) -> usize {
        self.tables.iter().map(|t| t.renumbered.len()).sum()
    }

    /// The counts of every table together, e.g. `16 rows added, 1 removed, 2 changed`, or
    /// `1 row inserted, 3 renumbered`; see [`TableDiff::summary`].
    pub fn tally(&self) -> String {
        tally(
            self.rows_inserted(),
            self.rows_added() - self.rows_inserted(),
            self.rows_removed(),
            self.rows_changed(),
            self.rows_renumbered(),
        )
    }

    /// The key a row of `table` had at the base, when it was renumbered to `key` or followed a
    /// renumbered reference there.
    pub fn old_key(&self, table: TableId, key: &str) -> Option<&str> {
        let table = self.table(table)?;
        table.renumbered.iter().chain(&table.followed).find(|r| r.key == key).map(|r| r.old_key.as_str())
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

    /// Whether nothing changed in this table. Rows that only follow renumbered keys are no
    /// change.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty() && self.renumbered.is_empty()
    }

    /// Whether an added row is inserted: it took the key of a row that was renumbered.
    pub fn is_inserted(&self, row: &DiffRow) -> bool {
        self.renumbered.iter().any(|r| r.old_key == row.key)
    }

    /// How many added rows are inserted.
    pub fn inserted(&self) -> usize {
        self.added.iter().filter(|row| self.is_inserted(row)).count()
    }

    /// One line in the style of csv-diff: `residents.csv: 1 row added, 1 row removed, 1 row
    /// changed`, or `visits.csv: 1 row inserted, 3 rows renumbered`. Counts of zero are left
    /// out; a table without changes says `no changes`. Rows that follow renumbered keys are
    /// mentioned, not counted.
    pub fn summary(&self) -> String {
        let rows = |n: usize| if n == 1 { "1 row".to_owned() } else { format!("{n} rows") };
        let mut parts = Vec::new();
        let inserted = self.inserted();
        for (count, what) in [
            (inserted, "inserted"),
            (self.added.len() - inserted, "added"),
            (self.removed.len(), "removed"),
            (self.changed.len(), "changed"),
            (self.renumbered.len(), "renumbered"),
        ] {
            if count > 0 {
                parts.push(format!("{} {what}", rows(count)));
            }
        }
        let counts = if parts.is_empty() { "no changes".to_owned() } else { parts.join(", ") };
        let note = match (self.base_missing, self.head_missing) {
            (true, false) => " (a new table)",
            (false, true) => " (the file was deleted)",
            _ => "",
        };
        let followed = match self.followed.len() {
            0 => String::new(),
            1 => "; 1 row follows a renumbered key".to_owned(),
            n => format!("; {n} rows follow renumbered keys"),
        };
        format!("{}: {counts}{note}{followed}", self.table.file())
    }
}

/// `16 rows added, 1 removed, 2 changed`: the non-zero counts, the first with its noun.
fn tally(inserted: usize, added: usize, removed: usize, changed: usize, renumbered: usize) -> String {
    let mut parts = Vec::new();
    for (count, what) in [
        (inserted, "inserted"),
        (added, "added"),
        (removed, "removed"),
        (changed, "changed"),
        (renumbered, "renumbered"),
    ] {
        if count == 0 {
            continue;
        }
        let noun = match (parts.is_empty(), count) {
            (false, _) => "",
            (true, 1) => " row",
            (true, _) => " rows",
        };
        parts.push(format!("{count}{noun} {what}"));
    }
    if parts.is_empty() { "no row changed".to_owned() } else { parts.join(", ") }
}

/// The keys renumbered so far, per table: key cells at the base → key cells now.
type Renumbering = HashMap<TableId, HashMap<Vec<String>, Vec<String>>>;

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

fn diff_table(table: TableId, base: &SourceFile, head: &SourceFile, renumbering: &mut Renumbering) -> TableDiff {
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
    let mut base_rows = keyed(base_sheet, def.key, &columns);
    let head_rows = keyed(head_sheet, def.key, &columns);
    // The key's places among the columns: the declared ones come first, in declaration order.
    let key_places: Vec<usize> = def.key.iter().filter_map(|k| def.column_index(k)).collect();
    let followers = follow_renumbered_references(table, &mut base_rows, &key_places, renumbering);

    // (key, occurrence) → index into base_rows.
    let mut index: HashMap<(String, usize), usize> = HashMap::with_capacity(base_rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in base_rows.iter().enumerate() {
        let n = seen.entry(row.key.clone()).or_default();
        index.insert((row.key.clone(), *n), i);
        *n += 1;
    }
    seen.clear();
    // The rows of each side that are not the same on the other: the head's with the index of
    // the base row of the same key, if any.
    let mut head_open: Vec<(Keyed, Option<usize>)> = Vec::new();
    let mut base_matched = vec![false; base_rows.len()];
    let mut followed = Vec::new();
    for row in head_rows {
        let n = seen.entry(row.key.clone()).or_default();
        let occurrence = *n;
        *n += 1;
        let partner = index.remove(&(row.key.clone(), occurrence));
        if let Some(i) = partner {
            base_matched[i] = true;
            if base_rows[i].values == row.values {
                if let Some(old_key) = followers.get(&i) {
                    followed.push(RenumberedRow {
                        old_key: old_key.clone(),
                        key: row.key,
                        base_line: base_rows[i].line,
                        line: row.line,
                    });
                }
                continue;
            }
        }
        head_open.push((row, partner));
    }
    let base_open: Vec<usize> = (0..base_rows.len())
        .filter(|&i| !base_matched[i] || head_open.iter().any(|(_, partner)| *partner == Some(i)))
        .collect();

    // Renumbered: an open head row whose cells other than the ordinal parts of the key (ids and
    // sequence numbers) are those of an open base row with another key. A key of natural
    // values (a country, a year) is never renumbered: a row under another year is another fact.
    let ordinal: Vec<usize> = key_places
        .iter()
        .copied()
        .filter(|&i| matches!(def.columns[i].kind, Kind::Text | Kind::Integer { .. }))
        .collect();
    let others = |row: &Keyed| -> Vec<String> {
        row.values.iter().enumerate().filter(|(i, _)| !ordinal.contains(i)).map(|(_, v)| v.clone()).collect()
    };
    let mut by_content: HashMap<Vec<String>, VecDeque<usize>> = HashMap::new();
    if !ordinal.is_empty() && ordinal.len() < columns.len() {
        for &i in &base_open {
            by_content.entry(others(&base_rows[i])).or_default().push_back(i);
        }
    }
    let mut base_taken = vec![false; base_rows.len()];
    let mut head_taken = vec![false; head_open.len()];
    let mut renumbered = Vec::new();
    let mut new_keys = HashMap::new();
    for (h, (row, _)) in head_open.iter().enumerate() {
        let Some(i) = by_content.get_mut(&others(row)).and_then(VecDeque::pop_front) else {
            continue;
        };
        base_taken[i] = true;
        head_taken[h] = true;
        let old = &base_rows[i];
        let cells = |row: &Keyed| key_places.iter().map(|&p| row.values[p].clone()).collect::<Vec<_>>();
        new_keys.insert(cells(old), cells(row));
        renumbered.push(RenumberedRow {
            old_key: old.key.clone(),
            key: row.key.clone(),
            base_line: old.line,
            line: row.line,
        });
    }
    if !new_keys.is_empty() {
        renumbering.insert(table, new_keys);
    }

    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (h, (row, partner)) in head_open.into_iter().enumerate() {
        if head_taken[h] {
            continue;
        }
        match partner.filter(|&i| !base_taken[i]) {
            Some(i) => {
                base_taken[i] = true;
                let old = &base_rows[i];
                let cells: Vec<CellChange> = columns
                    .iter()
                    .zip(old.values.iter().zip(row.values))
                    .filter(|(_, (a, b))| *a != b)
                    .map(|(column, (old, new))| CellChange { column: column.clone(), old: old.clone(), new })
                    .collect();
                changed.push(ChangedRow { key: row.key, base_line: old.line, line: row.line, cells });
            }
            None => added.push(DiffRow { key: row.key, line: row.line, values: row.values }),
        }
    }
    let removed = base_open
        .into_iter()
        .filter(|&i| !base_taken[i])
        .map(|i| {
            let row = &base_rows[i];
            DiffRow { key: row.key.clone(), line: row.line, values: row.values.clone() }
        })
        .collect();
    TableDiff {
        table,
        base_missing: base.bytes.is_none(),
        head_missing: head.bytes.is_none(),
        columns,
        added,
        removed,
        changed,
        renumbered,
        followed,
    }
}

/// Rewrites the base rows' references to keys renumbered in the tables compared before, so
/// that a row that followed its referred row compares equal. Returns the rows rewritten, with
/// their keys as written.
fn follow_renumbered_references(
    table: TableId,
    rows: &mut [Keyed],
    key_places: &[usize],
    renumbering: &Renumbering,
) -> HashMap<usize, String> {
    let def = table.def();
    let mut followers = HashMap::new();
    for foreign in def.foreign_keys {
        let Some(new_keys) = renumbering.get(&foreign.target) else { continue };
        // Only a reference to the whole key of its target can follow a renumbered key.
        if foreign.target_columns != foreign.target.def().key {
            continue;
        }
        let places: Vec<usize> = foreign.columns.iter().filter_map(|c| def.column_index(c)).collect();
        for (i, row) in rows.iter_mut().enumerate() {
            let cells: Vec<String> = places.iter().map(|&p| row.values[p].clone()).collect();
            let Some(new) = new_keys.get(&cells) else { continue };
            for (&p, value) in places.iter().zip(new) {
                row.values[p].clone_from(value);
            }
            followers.entry(i).or_insert_with(|| row.key.clone());
        }
    }
    for &i in followers.keys() {
        let row = &mut rows[i];
        row.key = key_places.iter().map(|&p| row.values[p].as_str()).collect::<Vec<_>>().join("/");
    }
    followers
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
    fn a_row_under_another_natural_key_is_not_renumbered() {
        // Residents are keyed by country, citizenship and year: the same count in another year
        // is another fact, not a renumbered row.
        let base = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2009,799,s\n"))]);
        let head = dir(&[(TableId::Residents, &format!("{HEADER}NO,JP,2012,799,s\n"))]);
        let diff = DataDiff::new(&base, &head);
        assert_eq!(diff.lines(), vec!["residents.csv: 1 row added, 1 row removed".to_owned()]);
        assert_eq!(diff.tally(), "1 row added, 1 removed");
    }

    #[test]
    fn swapped_ids_are_two_renumbered_rows() {
        let header = "id,host,guest,date,place,occasion,state_visit,source\n";
        let base = dir(&[(TableId::Visits, &format!("{header}a-1,JP,NO,1997,,,false,s\na-2,JP,NO,1998,,,false,s\n"))]);
        let head = dir(&[(TableId::Visits, &format!("{header}a-2,JP,NO,1997,,,false,s\na-1,JP,NO,1998,,,false,s\n"))]);
        let diff = DataDiff::new(&base, &head);
        assert_eq!(diff.lines(), vec!["visits.csv: 2 rows renumbered".to_owned()]);
        let visits = diff.table(TableId::Visits).unwrap();
        assert_eq!(diff.old_key(TableId::Visits, "a-2"), Some("a-1"));
        assert_eq!((visits.renumbered[0].base_line, visits.renumbered[0].line), (2, 2));
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
