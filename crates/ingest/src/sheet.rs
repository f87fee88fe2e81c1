//! [`Sheet`]: a table's file as text cells, every data row included, typed or not.
//!
//! The data diff of two revisions reads tables through this, so that it splits records,
//! counts lines and skips blank lines exactly as [`crate::parse`] does: with the same scanner,
//! the same header rule (the first line that is not blank, after a byte-order mark) and the
//! same resumption after an unclosed quote (the next line).

use crate::SourceFile;
use crate::scan::{self, QuoteFault};
use crate::table::MAX_HEADER_FIELDS;

/// A table's file as text: the header's names and every data row's cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sheet {
    /// The header's names, as written.
    pub columns: Vec<String>,
    /// The data rows, in file order; rows whose cells are all empty are left out.
    pub rows: Vec<SheetRow>,
}

/// One data row of a [`Sheet`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetRow {
    /// The 1-based line where the row starts.
    pub line: u32,
    /// Its cells, unquoted, in the order of the file's fields.
    pub cells: Vec<String>,
}

impl Sheet {
    /// Reads `file` as text cells; a missing file gives an empty sheet. Any bytes give some
    /// rows, never an error: problems are [`crate::parse`]'s to report.
    pub fn read(file: &SourceFile) -> Sheet {
        let Some(bytes) = file.bytes.as_deref() else {
            return Sheet::default();
        };
        let mut sheet = Sheet::default();
        let mut at = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
        let mut line = 1u32;
        let mut header_seen = false;
        while at < bytes.len() {
            let record_start = skip_line_breaks(bytes, at);
            line += scan::count_line_breaks(&bytes[at..record_start], bytes.get(record_start).copied());
            if record_start >= bytes.len() {
                break;
            }
            let width = if header_seen { sheet.columns.len().max(1) * 4 + 64 } else { MAX_HEADER_FIELDS + 1 };
            let record = scan::scan_record(bytes, record_start, bytes.len(), width);
            let mut end = record.end;
            if let Some(QuoteFault::Unclosed { open }) = record.fault {
                // Resume where `parse` does: at the line after the opening quote.
                end = memchr::memchr2(b'\n', b'\r', &bytes[open..]).map_or(bytes.len(), |o| open + o);
            }
            let cells: Vec<String> = record
                .fields()
                .map(|span| scan::unquote(&String::from_utf8_lossy(&bytes[span.start..span.end.min(end)])).into_owned())
                .collect();
            if !header_seen {
                header_seen = true;
                sheet.columns = cells;
            } else if cells.iter().any(|c| !c.trim().is_empty()) {
                sheet.rows.push(SheetRow { line, cells });
            }
            line += scan::count_line_breaks(&bytes[record_start..end], bytes.get(end).copied());
            at = end;
        }
        sheet
    }

    /// The field index of the column named `column`.
    pub fn position(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == column)
    }
}

fn skip_line_breaks(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && scan::is_line_break(bytes[at]) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::TableId;

    fn sheet(bytes: &[u8]) -> Sheet {
        let dir = crate::DataDir::from_memory("data", |t| (t == TableId::Residents).then(|| bytes.to_vec()));
        Sheet::read(dir.file(TableId::Residents))
    }

    #[test]
    fn reads_every_row_with_its_line() {
        let s = sheet(b"\xef\xbb\xbfa,b\r\n\r\n1,\"x\r\ny\"\r\n2,3\r\n,\r\n");
        assert_eq!(s.columns, ["a", "b"]);
        assert_eq!(
            s.rows,
            [
                SheetRow { line: 3, cells: vec!["1".into(), "x\r\ny".into()] },
                SheetRow { line: 5, cells: vec!["2".into(), "3".into()] },
            ]
        );
    }

    #[test]
    fn resumes_after_an_unclosed_quote_at_the_next_line() {
        let s = sheet(b"a,b\n1,\"open\n2,3\n");
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[1], SheetRow { line: 3, cells: vec!["2".into(), "3".into()] });
    }
}
