//! A warning for a text cell that starts with `=`, `+`, `-`, `@`, a tab or a line break: a
//! spreadsheet that opens the file reads it as a formula.
//!
//! Reviewers open CSV files in spreadsheets. A cell such as `=HYPERLINK("http://…")` or
//! `@SUM(A1)` is then not shown but run: it can fetch addresses, leak other cells or, in older
//! programs, start commands (CSV injection). A tab or a carriage return before the formula
//! hides it from a check of the first character but not from every spreadsheet, so OWASP's
//! list of formula starts has them too; a line feed counts as a carriage return, since a line
//! break is one whatever the file's line endings. No name, title or description of this
//! dataset needs to start that way. Only text columns are checked: a `-` in a number column
//! is a negative number, which the number's own rules judge.
//!
//! Failing (`commodity` starts with `=`):
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,export,1,=Biler,4.3,NOK billion,39,no-jp-2015
//! ```
//!
//! Passing:
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,export,1,Biler,4.3,NOK billion,39,no-jp-2015
//! ```

use std::fmt;

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::Table;
use model::Record;
use rayon::prelude::*;
use serde::ser::{self, Impossible, Serialize};

use crate::engine::{Context, Rule};

/// See the module documentation.
pub(crate) static FORMULA: Rule = Rule {
    id: RuleId::new("cell/formula"),
    emits: &[],
    severity: Severity::Warning,
    acknowledgeable: false,
    reads: &[],
    source: include_str!("cell_formula.rs"),
    check,
    watch: Some(&super::EachRow(Formulas)),
};

/// The first characters that make a spreadsheet read a cell as a formula: OWASP's list, and a
/// line feed, which is the carriage return of the same file saved with other line endings.
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\n'];

/// A formula start as a message names it.
fn described(first: char) -> String {
    match first {
        '\t' => "a tab".to_owned(),
        '\r' | '\n' => "a line break".to_owned(),
        c => format!("`{c}`"),
    }
}

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    super::each_table(context, &Formulas)
}

fn formulas<'a, R: Record<'a> + Serialize>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    rows: &[ingest::Row<R>],
) -> Vec<Diagnostic> {
    // Fields are serialized in declaration order, so a field's index says whether it is text.
    let text_columns: Vec<bool> =
        R::COLUMNS.iter().map(|c| c.expected == <model::Text<'_> as model::FromCell<'_>>::EXPECTED).collect();
    if !text_columns.contains(&true) {
        return Vec::new();
    }
    rows.par_iter()
        .flat_map_iter(|row| {
            let mut hits = Vec::new();
            let _ = row.record.serialize(RecordProbe { text_columns: &text_columns, next: 0, hits: &mut hits });
            hits.into_iter().map(move |(column, first)| {
                let message =
                    format!("`{column}` starts with {}: a spreadsheet would read the cell as a formula", described(first));
                let help = "spreadsheets run a cell that starts with =, +, -, @, a tab or a line break when they open the file; reword the cell so that it starts otherwise".to_owned();
                context.finding(&FORMULA, table, row, column, message, Some(help))
            })
        })
        .collect()
}

/// The error of the probes: never raised for record types, required by `serde`.
#[derive(Debug)]
struct NotText;

impl fmt::Display for NotText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a record of text cells")
    }
}

impl std::error::Error for NotText {}

impl ser::Error for NotText {
    fn custom<T: fmt::Display>(_: T) -> NotText {
        NotText
    }
}

/// Walks a record's fields through its `Serialize` derive, looking only at text columns, so
/// that no cell is copied or formatted.
struct RecordProbe<'p> {
    /// Whether each column, in declaration order, holds text.
    text_columns: &'p [bool],
    /// The index of the next field.
    next: usize,
    hits: &'p mut Vec<(&'static str, char)>,
}

impl ser::SerializeStruct for RecordProbe<'_> {
    type Ok = ();
    type Error = NotText;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), NotText> {
        let index = self.next;
        self.next += 1;
        if self.text_columns.get(index).copied().unwrap_or(false)
            && let Ok(Some(first)) = value.serialize(CellProbe)
            && FORMULA_STARTS.contains(&first)
        {
            self.hits.push((key, first));
        }
        Ok(())
    }

    fn end(self) -> Result<(), NotText> {
        Ok(())
    }
}

/// Declares `serde::Serializer` methods that reject their value.
macro_rules! reject {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<Self::Ok, NotText> {
            Err(NotText)
        }
    )*};
}

macro_rules! reject_compound {
    () => {
        type SerializeSeq = Impossible<Self::Ok, NotText>;
        type SerializeTuple = Impossible<Self::Ok, NotText>;
        type SerializeTupleStruct = Impossible<Self::Ok, NotText>;
        type SerializeTupleVariant = Impossible<Self::Ok, NotText>;
        type SerializeMap = Impossible<Self::Ok, NotText>;
        type SerializeStructVariant = Impossible<Self::Ok, NotText>;

        reject!(
            serialize_bool(bool),
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_bytes(&[u8]),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str),
        );

        fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<Self::Ok, NotText> {
            Err(NotText)
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, NotText> {
            Err(NotText)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotText> {
            Err(NotText)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotText> {
            Err(NotText)
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotText> {
            Err(NotText)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, NotText> {
            Err(NotText)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotText> {
            Err(NotText)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, NotText> {
            Err(NotText)
        }
    };
}

impl<'p> ser::Serializer for RecordProbe<'p> {
    type Ok = ();
    type Error = NotText;
    type SerializeStruct = RecordProbe<'p>;

    reject_compound!();
    reject!(serialize_str(&str), serialize_none());

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), NotText> {
        Err(NotText)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<RecordProbe<'p>, NotText> {
        Ok(self)
    }
}

/// Reads the first character of a text cell, `None` for an empty optional one.
struct CellProbe;

impl ser::Serializer for CellProbe {
    type Ok = Option<char>;
    type Error = NotText;
    type SerializeStruct = Impossible<Option<char>, NotText>;

    reject_compound!();

    fn serialize_str(self, text: &str) -> Result<Option<char>, NotText> {
        Ok(text.chars().next())
    }

    fn serialize_none(self) -> Result<Option<char>, NotText> {
        Ok(None)
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Option<char>, NotText> {
        value.serialize(CellProbe)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotText> {
        Err(NotText)
    }
}

#[derive(Debug)]
struct Formulas;

impl super::PerTable for Formulas {
    fn check<'a, R: Record<'a>>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, R>,
        rows: &[ingest::Row<R>],
    ) -> Vec<Diagnostic> {
        formulas(context, table, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(record: &impl Serialize, columns: &[bool]) -> Vec<(&'static str, char)> {
        let mut hits = Vec::new();
        let _ = record.serialize(RecordProbe { text_columns: columns, next: 0, hits: &mut hits });
        hits
    }

    const COMMODITY_TEXT: [bool; 10] = [false, false, false, false, false, true, false, false, false, true];

    #[test]
    fn finds_formula_starts_in_text_columns_only() {
        let cells = ["NO", "JP", "2011", "export", "1", "=Biler", "-4.3", "NOK billion", "", "@src"];
        let row = model::TradeCommodity::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert_eq!(starts(&row, &COMMODITY_TEXT), vec![("commodity", '='), ("source", '@')]);
        let cells = ["NO", "JP", "2011", "export", "1", "Biler", "4.3", "NOK billion", "", "no-jp-2015"];
        let row = model::TradeCommodity::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert!(starts(&row, &COMMODITY_TEXT).is_empty());
        let cells = ["x", "1", "", "+47 statsminister", ""];
        let row = model::VisitParticipant::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert_eq!(starts(&row, &[true, false, true, true, true]), vec![("name", '+')]);
        let cells = ["x", "1", "\t=1+1", "\r@SUM(A1)", "\n+1"];
        let row = model::VisitParticipant::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        let found = starts(&row, &[true, false, true, true, true]);
        assert_eq!(found, vec![("title", '\t'), ("name", '\r'), ("note", '\n')]);
        let cells = ["x", "1", " =1", "a\t=1", ""];
        let row = model::VisitParticipant::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert!(starts(&row, &[true, false, true, true, true]).is_empty());
    }
}
