//! The canonical form of a table's file, which `cargo xtask fmt` writes and `fmt --check`
//! expects: UTF-8 without a byte-order mark, `\n` line breaks, the header in the declared
//! column order with each value moved with its column, quotes only where a cell needs them
//! (a comma, a quote, a line break, or spaces at either end), no blank line, one final line
//! break. Values are never changed: each cell's text, read as the parser reads it, is written
//! back the same; rows keep their order.
//!
//! A file whose structure is in doubt (a header problem, a quote fault, a row with too many or
//! too few fields, bytes that are not text) is not formatted: where its cells are is exactly
//! what `check` reports, and a person decides.

use diagnostic::Diagnostic;

use crate::error::csv_cell;
use crate::{ErrorKind, Sheet, SourceFile};

/// Ingest's findings that leave a file's cells certain, so that it can be formatted: an
/// empty line (which formatting removes), a cell whose value is wrong (kept as it is), and
/// a file in a spreadsheet's dialect (whose cells were read in it).
const FORMATTABLE_DESPITE: &[ErrorKind] =
    &[ErrorKind::BlankRow, ErrorKind::InvalidValue, ErrorKind::MissingValue, ErrorKind::Dialect];

/// The canonical bytes of `file`, or why it cannot be formatted. `problems` are ingest's
/// findings ([`crate::parse`]); those of other files are ignored. A missing file gives
/// `Ok(None)`.
pub fn canonical(file: &SourceFile, problems: &[Diagnostic]) -> Result<Option<Vec<u8>>, String> {
    if file.bytes.is_none() {
        return Ok(None);
    }
    let blocking: Vec<&Diagnostic> = problems
        .iter()
        .filter(|p| p.file == file.name && !FORMATTABLE_DESPITE.iter().any(|k| k.rule() == p.rule()))
        .collect();
    if let Some(first) = blocking.first() {
        let place = if first.line == 0 { String::new() } else { format!(" at line {}", first.line) };
        return Err(format!(
            "{} problem{} of the file's structure ({}{place}); `cargo xtask check` shows where",
            blocking.len(),
            if blocking.len() == 1 { "" } else { "s" },
            first.rule()
        ));
    }
    let sheet = Sheet::read(file);
    let def = file.table.def();
    let order: Vec<usize> = def
        .columns
        .iter()
        .map(|c| sheet.position(c.name).ok_or_else(|| format!("the header has no column `{}`", c.name)))
        .collect::<Result<_, _>>()?;
    if sheet.columns.len() != order.len() {
        return Err(format!("the header has {} names; the table declares {}", sheet.columns.len(), order.len()));
    }
    let mut out = String::with_capacity(file.bytes.as_ref().map_or(0, Vec::len));
    out.push_str(&def.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(","));
    out.push('\n');
    for row in &sheet.rows {
        if row.cells.len() != order.len() {
            return Err(format!("line {} has {} fields; the header has {}", row.line, row.cells.len(), order.len()));
        }
        for (i, &field) in order.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&csv_cell(&row.cells[field]));
        }
        out.push('\n');
    }
    Ok(Some(out.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::TableId;

    fn canonical_of(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let dir = crate::DataDir::from_memory("data", |t| (t == TableId::Countries).then(|| bytes.to_vec()));
        let (_, problems) = crate::parse(&dir);
        canonical(dir.file(TableId::Countries), &problems)
    }

    #[test]
    fn one_form_with_the_values_as_they_were() {
        let messy = "\u{feff}name_nb,code,\"iso3\",name_en\r\n\r\n\"Norge\",NO,NOR,\"Norway \"\r\n\"Sør, og\",\"SE\",SWE,\"a \"\"b\"\"\"\r\n\r\n";
        let expected = "code,iso3,name_en,name_nb\nNO,NOR,\"Norway \",Norge\nSE,SWE,\"a \"\"b\"\"\",\"Sør, og\"\n";
        assert_eq!(canonical_of(messy.as_bytes()), Ok(Some(expected.as_bytes().to_vec())));
        assert_eq!(canonical_of(expected.as_bytes()), Ok(Some(expected.as_bytes().to_vec())));
    }

    #[test]
    fn a_file_whose_cells_are_in_doubt_is_left_alone() {
        let unclosed = "code,iso3,name_en,name_nb\nNO,NOR,\"Norway,Norge\nSE,SWE,Sweden,Sverige\n";
        let reason = canonical_of(unclosed.as_bytes()).unwrap_err();
        assert!(reason.contains("csv/unclosed-quote at line 2"), "{reason}");
        let long_row = "code,iso3,name_en,name_nb\nNO,NOR,Norway,Norge,\n";
        assert!(canonical_of(long_row.as_bytes()).unwrap_err().contains("csv/field-count"));
    }
}
