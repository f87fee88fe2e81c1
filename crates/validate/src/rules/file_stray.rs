//! A warning for a file in the data folder that looks like data but is no table's file, with
//! the table it was probably meant for.
//!
//! Only the tables' own files are read (`trade.csv`, not `Trade.csv`), so rows saved under
//! another name are silently left out of every check and every report: a copy a file manager
//! made (`trade (1).csv`, `trade - Copy.csv`), a name whose case differs (on Linux and in CI
//! `Trade.csv` is not `trade.csv`), a spreadsheet saved in its own format (`trade.xlsx`), a
//! backup (`trade.csv.bak`, `trade.csv~`). A lock file that a spreadsheet leaves while it has a
//! table open (`~$trade.csv`, `.~lock.trade.csv#`) means the table is being edited, or that the
//! lock was left behind; it must not be committed either.
//!
//! Which names are judged: lock files, and names with a CSV-like or spreadsheet extension
//! anywhere after their first dot (`csv`, `tsv`, `tab`, `xlsx`, `xlsm`, `xls`, `ods`,
//! `numbers`), in any case. Everything else is the folder's own business and passes:
//! documentation such as `README.md`, other dotfiles (`.gitkeep`), sub-folders. The nearest
//! table is the one whose name the file's name starts with (`trade_commodities (1).csv`), else
//! the closest by spelling. Ingest lists the folder's files and reads none of these; the
//! finding is on the file as a whole.
//!
//! Failing (a data folder holding, besides the tables):
//!
//! ```text
//! Trade.csv
//! trade (1).csv
//! ~$trade.csv
//! ```
//!
//! Passing (a data folder holding, besides the tables):
//!
//! ```text
//! README.md
//! .gitkeep
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use model::TableId;

use crate::engine::{Context, Rule};

/// See the module documentation.
pub(crate) static STRAY: Rule = Rule {
    id: RuleId::new("file/stray"),
    emits: &[],
    severity: Severity::Warning,
    acknowledgeable: false,
    reads: &[],
    source: include_str!("file_stray.rs"),
    check,
    watch: None,
};

/// Extensions of files that hold tables: CSV-like text and spreadsheets.
const TABLE_LIKE: &[&str] = &["csv", "tsv", "tab", "xlsx", "xlsm", "xls", "ods", "numbers"];

/// Spreadsheet formats, which are never read even when named after a table.
const SPREADSHEET: &[&str] = &["xlsx", "xlsm", "xls", "ods", "numbers"];

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    context.data.other_files.iter().filter_map(|shown| judge(shown)).collect()
}

/// What a file name is, once a lock file's decoration is taken off.
struct Name<'n> {
    /// The name of the file a lock file locks, or the file's own name.
    locked_or_own: &'n str,
    is_lock: bool,
}

fn parse_name(name: &str) -> Name<'_> {
    // Excel writes `~$<name>`; LibreOffice `.~lock.<name>#`.
    if let Some(locked) = name.strip_prefix("~$") {
        return Name { locked_or_own: locked, is_lock: true };
    }
    if let Some(locked) = name.strip_prefix(".~lock.").and_then(|rest| rest.strip_suffix('#')) {
        return Name { locked_or_own: locked, is_lock: true };
    }
    Name { locked_or_own: name, is_lock: false }
}

/// The finding for a file of the folder, if its name is one this rule judges.
fn judge(shown: &str) -> Option<Diagnostic> {
    let file_name = shown.rsplit('/').next().unwrap_or(shown);
    let name = parse_name(file_name);
    let lower = name.locked_or_own.to_lowercase();
    let extensions: Vec<&str> = lower.split('.').skip(1).map(|e| e.trim_end_matches('~')).collect();
    let table_like = extensions.iter().any(|e| TABLE_LIKE.contains(e));
    if !name.is_lock && (file_name.starts_with('.') || !table_like) {
        return None;
    }
    let nearest = nearest_table(&lower);
    // Names quoted in the message on one line, whatever they hold.
    let quoted = diagnostic::text::one_line(file_name);
    let (message, help) = if name.is_lock {
        let locked = diagnostic::text::one_line(name.locked_or_own);
        (
            format!("`{quoted}` is a spreadsheet's lock file for `{locked}`, not a table"),
            format!(
                "a spreadsheet has `{locked}` open, or closed without removing its lock: save and close it, delete the \
                 lock file if it stays, and do not commit it"
            ),
        )
    } else if let Some(table) = nearest.filter(|t| t.file().eq_ignore_ascii_case(file_name)) {
        (
            format!("`{quoted}` is not read: file names are case-sensitive, and the table's file is `{table}`"),
            format!("rename it to `{table}` (merging its rows into that file if both exist)"),
        )
    } else if extensions.last().is_some_and(|e| SPREADSHEET.contains(e)) {
        let target = nearest.map_or("the table's CSV file".to_owned(), |t| format!("`{t}`"));
        (
            format!("`{quoted}` is a spreadsheet file, and only the tables' CSV files are read"),
            format!("save it as CSV (UTF-8, comma-separated) over {target}, then delete `{quoted}`"),
        )
    } else {
        let help = match nearest {
            Some(table) => format!("the nearest table is `{table}`: move the rows it should add there, then delete it"),
            None => format!(
                "the tables are {}: move its rows into one of them, or move the file out of the data folder",
                TableId::ALL.iter().map(|t| t.file()).collect::<Vec<_>>().join(", ")
            ),
        };
        (format!("`{quoted}` is not a table's file, so no check or report reads it"), help)
    };
    let mut finding = Diagnostic::new(STRAY.id, STRAY.severity, shown, message);
    finding.help = Some(help);
    Some(finding)
}

/// The table a lower-case file name most likely stands for: the longest table name it starts
/// with, followed by something other than a letter or digit (`trade (1).csv`,
/// `trade_commodities-old.csv`), else the closest by spelling.
fn nearest_table(lower: &str) -> Option<TableId> {
    let stem = lower.split('.').next().unwrap_or(lower);
    let stem_of = |table: &TableId| table.file().trim_end_matches(".csv");
    let prefixed = TableId::ALL
        .iter()
        .filter(|table| {
            let table_stem = stem_of(table);
            stem.strip_prefix(table_stem).is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
        })
        .max_by_key(|table| stem_of(table).len());
    if let Some(table) = prefixed {
        return Some(*table);
    }
    let closest = model::closest(stem, TableId::ALL.iter().map(stem_of))?;
    TableId::ALL.iter().copied().find(|table| stem_of(table) == closest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(name: &str) -> Option<(String, String)> {
        judge(&format!("data/{name}")).map(|f| (f.message, f.help.unwrap_or_default()))
    }

    #[test]
    fn judges_only_table_like_names_and_lock_files() {
        for passing in ["README.md", ".gitkeep", ".DS_Store", "notes.txt", "LICENSE", ".trade.csv.swp"] {
            assert_eq!(verdict(passing), None, "{passing}");
        }
        for flagged in ["Trade.csv", "trade (1).csv", "~$trade.csv", ".~lock.trade.csv#", "trade.xlsx", "x.TSV"] {
            assert!(verdict(flagged).is_some(), "{flagged}");
        }
    }

    #[test]
    fn names_the_nearest_table() {
        assert_eq!(nearest_table("trade (1).csv"), Some(TableId::Trade));
        assert_eq!(nearest_table("trade_commodities - copy.csv"), Some(TableId::TradeCommodities));
        assert_eq!(nearest_table("visit.csv"), Some(TableId::Visits));
        assert_eq!(nearest_table("budget.csv"), None);
        let (message, help) = verdict("Trade.csv").unwrap();
        assert!(message.contains("case-sensitive") && help.contains("rename it to `trade.csv`"), "{message} {help}");
        let (message, help) = verdict("trade.csv.bak").unwrap();
        assert!(message.contains("not a table's file") && help.contains("`trade.csv`"), "{message} {help}");
        let (_, help) = verdict("residents.ods").unwrap();
        assert!(help.contains("over `residents.csv`"), "{help}");
    }
}
