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

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::Table;
use model::Record;

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

/// Which first bytes start a formula, from [`FORMULA_STARTS`]: one lookup per cell.
const STARTS_FORMULA: [bool; 256] = {
    let mut starts = [false; 256];
    let mut i = 0;
    while i < FORMULA_STARTS.len() {
        assert!(FORMULA_STARTS[i].is_ascii(), "`formula_starts` reads the first byte of a cell");
        starts[FORMULA_STARTS[i] as usize] = true;
        i += 1;
    }
    starts
};

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

fn formulas<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    rows: &[ingest::Row<R>],
) -> Vec<Diagnostic> {
    let text_columns = text_columns::<R>();
    if text_columns.is_empty() {
        return Vec::new();
    }
    // A loop, not a `flat_map`: this runs for every row, and almost every row yields nothing.
    let mut findings = Vec::new();
    for row in rows {
        for (column, first) in formula_starts(&row.record, &text_columns) {
            let message =
                format!("`{column}` starts with {}: a spreadsheet would read the cell as a formula", described(first));
            let help = "spreadsheets run a cell that starts with =, +, -, @, a tab or a line break when they open the file; reword the cell so that it starts otherwise".to_owned();
            findings.push(context.finding(&FORMULA, table, row, column, message, Some(help)));
        }
    }
    findings
}

/// The indexes of a table's free-text columns: a `-` in a number column is a sign.
fn text_columns<'a, R: Record<'a>>() -> Vec<usize> {
    (0..R::COLUMNS.len()).filter(|&i| R::COLUMNS[i].kind == model::Kind::Text).collect()
}

/// The text cells of `record` among `text_columns` that start as a formula, with that start.
fn formula_starts<'r, 'a, R: Record<'a>>(
    record: &'r R,
    text_columns: &'r [usize],
) -> impl Iterator<Item = (&'static str, char)> + 'r {
    text_columns.iter().filter_map(move |&column| {
        // Every formula start is ASCII, so the first byte decides; it is the first character.
        let first = *record.text(column)?.as_bytes().first()?;
        STARTS_FORMULA[usize::from(first)].then_some((R::COLUMNS[column].name, char::from(first)))
    })
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

    fn starts<'a, R: Record<'a>>(record: &R) -> Vec<(&'static str, char)> {
        formula_starts(record, &text_columns::<R>()).collect()
    }

    #[test]
    fn the_table_of_first_bytes_is_the_list_of_formula_starts() {
        for byte in 0..=u8::MAX {
            let listed = FORMULA_STARTS.contains(&char::from(byte));
            assert_eq!(STARTS_FORMULA[usize::from(byte)], listed, "byte {byte:#04x}");
        }
    }

    #[test]
    fn finds_formula_starts_in_text_columns_only() {
        let cells = ["NO", "JP", "2011", "export", "1", "=Biler", "-4.3", "NOK billion", "", "@src"];
        let row = model::TradeCommodity::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert_eq!(starts(&row), vec![("commodity", '='), ("source", '@')]);
        let cells = ["NO", "JP", "2011", "export", "1", "Biler", "4.3", "NOK billion", "", "no-jp-2015"];
        let row = model::TradeCommodity::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert!(starts(&row).is_empty());
        let cells = ["x", "1", "", "+47 statsminister", ""];
        let row = model::VisitParticipant::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert_eq!(starts(&row), vec![("name", '+')]);
        let cells = ["x", "1", "\t=1+1", "\r@SUM(A1)", "\n+1"];
        let row = model::VisitParticipant::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert_eq!(starts(&row), vec![("title", '\t'), ("name", '\r'), ("note", '\n')]);
        // A minus in a text column is a formula start; a first byte above ASCII is none.
        let cells = ["x", "1", "-1", "ørret", ""];
        let row = model::VisitParticipant::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert_eq!(starts(&row), vec![("title", '-')]);
        let cells = ["x", "1", " =1", "a\t=1", ""];
        let row = model::VisitParticipant::from_cells(|i| cells[i].into(), &mut Vec::new()).unwrap();
        assert!(starts(&row).is_empty());
    }
}
