//! Fixes for problems of a file's lines rather than of one cell's value, attached after a
//! table is parsed: empty lines and rows of empty cells are deleted, and a trailing comma
//! that makes a row one field too long, its extra field empty, is removed. Both are safe: no
//! value is lost or changed.

use std::ops::Range;

use diagnostic::{Applicability, Diagnostic, Edit, Fix};

use crate::scan;
use crate::{DataDir, ErrorKind};

/// Attaches the fixes of this module to `problems`, the problems [`crate::parse`] found in
/// the files of `dir`.
pub(crate) fn attach(dir: &DataDir, problems: &mut [Diagnostic]) {
    for problem in problems.iter_mut().filter(|p| p.fix.is_none()) {
        let Some(file) = dir.files().iter().find(|f| f.name == problem.file) else { continue };
        let Some(bytes) = file.bytes.as_deref() else { continue };
        let fix = if problem.rule() == ErrorKind::BlankRow.rule() {
            blank_lines(bytes, problem).map(|span| ("delete the empty lines", span))
        } else if problem.rule() == ErrorKind::FieldCount.rule() {
            trailing_comma(bytes, problem, file.table.def().columns.len())
                .map(|span| ("remove the comma at the end of the row", span))
        } else {
            None
        };
        if let Some((title, span)) = fix {
            let edit = Edit { file: problem.file.clone(), span, replacement: String::new() };
            if problem.rule() == ErrorKind::FieldCount.rule() {
                // The count's own help guesses at a comma inside a cell; this row's is certain.
                problem.help = Some(title.to_owned());
            }
            problem.fix = Some(Fix { title: title.to_owned(), applicability: Applicability::Safe, edits: vec![edit] });
        }
    }
}

/// The byte offset where 1-based `line` starts, counting line breaks as the scanner does.
fn line_start(bytes: &[u8], line: u32) -> Option<usize> {
    let mut at = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    for _ in 1..line {
        let next = memchr::memchr2(b'\n', b'\r', &bytes[at..])? + at;
        at = if bytes[next] == b'\r' && bytes.get(next + 1) == Some(&b'\n') { next + 2 } else { next + 1 };
    }
    Some(at)
}

/// The span to delete for a blank-row problem: a row of empty cells with its line break, or
/// a run of empty lines from the problem's line.
fn blank_lines(bytes: &[u8], problem: &Diagnostic) -> Option<Range<usize>> {
    if let Some(span) = &problem.span {
        let mut end = span.end;
        if bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        return Some(span.start..end);
    }
    let start = line_start(bytes, problem.line)?;
    let end = bytes[start..].iter().position(|b| !scan::is_line_break(*b)).map_or(bytes.len(), |o| start + o);
    (end > start).then_some(start..end)
}

/// The comma to remove when a row starting at the problem's line has one field more than the
/// table's columns and that field is empty.
fn trailing_comma(bytes: &[u8], problem: &Diagnostic, columns: usize) -> Option<Range<usize>> {
    if problem.snippet.as_ref().is_none_or(|s| s.first_line != problem.line) {
        return None;
    }
    let start = line_start(bytes, problem.line)?;
    let record = scan::scan_record(bytes, start, bytes.len(), columns + 2);
    let last = record.fields.last()?;
    (record.fault.is_none() && record.field_count == columns + 1 && last.is_empty()).then(|| last.start - 1..last.end)
}
