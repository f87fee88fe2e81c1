//! The typed model of the bilat dataset: record types and the value types of their cells.
//!
//! - [`TableId`] names a table and [`TableDef`] declares it (file, columns, key). All tables
//!   are declared once, in `records.rs`; everything else reads those declarations.
//! - [`Record`] is implemented by each table's row type ([`Country`], [`Source`],
//!   [`Relation`], [`Visit`], [`VisitParticipant`], [`TradeTotal`], [`TradeCommodity`],
//!   [`Resident`], [`Exception`]). Text fields ([`Text`]) borrow from the file's bytes.
//! - Value types: [`Decimal`] remembers its written precision, [`PartialDate`] and [`Period`]
//!   are dates at the precision a source gives, [`CountryCode`] (which knows what ISO 3166-1
//!   says about it), [`Unit`], [`Flow`], [`Qualifier`], [`RelationKind`], [`Basis`],
//!   [`Answer`]. [`FromCell`] turns cell text into them, with a [`CellError`] that says what
//!   was expected and, where obvious, the fix. [`Record::read_cells_into`] types a row from its
//!   [`Cells`], the usual cell from its bytes.
//!
//! This crate does no I/O.

pub mod dictionary;
mod records;
pub mod schema;
pub mod value;

pub use records::{Cells, ForeignKey, Record, TableDef, TableId};
pub use records::{
    Country, Exception, Relation, Resident, Source, TradeCommodity, TradeTotal, Visit, VisitParticipant,
};
pub use schema::{CellFault, ColumnDef};
pub use value::{
    Answer, Basis, CellError, Certainty, CommaReading, CountryCode, DayRange, Decimal, FigureInWords, Flow, FromCell,
    Iso3Code, Iso3166, IsoCountry, Kind, PartialDate, Period, Precision, Qualifier, RelationKind, Suggestion, Text,
    Unit, Year, checked_pow10,
};

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
///
/// "Close enough" is at most a third of the longer word's length, and at least one edit: the
/// suggestion must be worth reading.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(&word.to_lowercase(), &candidate.to_lowercase());
        let limit = (word.chars().count().max(candidate.chars().count()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        assert_eq!(closest("JN", ["JP", "NO", "KH"]).as_deref(), Some("JP"));
        assert_eq!(closest("reporterr", ["reporter", "partner"]).as_deref(), Some("reporter"));
        assert_eq!(closest("xyz", ["reporter", "partner"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn tables_declare_their_keys_among_their_columns() {
        for table in TableId::ALL {
            let def = table.def();
            assert_eq!(TableId::from_file(def.file), Some(*table));
            for key in def.key {
                assert!(def.column_index(key).is_some(), "{}: key column {key} is not a column", def.file);
            }
        }
    }

    #[test]
    fn builds_a_record_from_cells_and_reports_every_fault() {
        let cells = ["NO", "JP", "2011", "export", "10,3", "NOK billion", "exact", "1.2", "no-jp-2015"];
        let mut faults = Vec::new();
        let row = TradeTotal::from_cells(|i| cells[i].into(), &mut faults);
        assert!(row.is_none());
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].0, 4);

        let cells = ["NO", "JP", "2011", "export", "10.3", "NOK billion", "exact", "1.2", ""];
        faults.clear();
        assert!(TradeTotal::from_cells(|i| cells[i].into(), &mut faults).is_none());
        assert_eq!(faults, vec![(8, CellFault::Missing)]);

        // Several faulty cells, the first column among them: each is noted, in column order,
        // after any fault already noted.
        let cells = ["no", "JP", "20x1", "export", "", "NOK", "guess", "1,2", ""];
        faults.clear();
        faults.push((99, CellFault::Missing));
        assert!(TradeTotal::from_cells(|i| cells[i].into(), &mut faults).is_none());
        let columns: Vec<usize> = faults.iter().map(|(column, _)| *column).collect();
        assert_eq!(columns, [99, 0, 2, 6, 7, 8]);
        assert_eq!(faults.last(), Some(&(8, CellFault::Missing)));

        let cells = ["NO", "JP", "2011", "export", "10.3", "NOK billion", "exact", "", "no-jp-2015"];
        faults.clear();
        let row = TradeTotal::from_cells(|i| cells[i].into(), &mut faults).unwrap();
        assert_eq!(row.key_text(), "NO/JP/2011/export");
        assert_eq!(row.cell_text(4), "10.3");
        assert_eq!(row.cell_text(7), "");
    }
}
