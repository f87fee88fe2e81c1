//! Fixes for problems of a file's lines rather than of one cell's value, attached after a
//! table is parsed: empty lines and rows of empty cells or only spaces are deleted (safe: no
//! value is lost or changed), and a figure written with words is written as the number, the
//! unit and the qualifier its words say (unsafe: a person confirms it). A row's extra fields
//! (a comma at its end, curly quotes) are explained and fixed where the row is read.

use std::ops::Range;

use diagnostic::{Applicability, Diagnostic, Edit, Fix};

use crate::error::csv_cell;
use crate::scan;
use crate::{ErrorKind, SourceFile};

/// Whether [`attach`] may change `problem`, reading the file's bytes: empty lines, rows with
/// the wrong number of fields, and invalid cells in a `value` column or with a fix (a `%`
/// outside a percentage).
pub(crate) fn may_attach(problem: &Diagnostic) -> bool {
    let rule = problem.rule();
    rule == ErrorKind::BlankRow.rule()
        || rule == ErrorKind::FieldCount.rule()
        || (rule == ErrorKind::InvalidValue.rule()
            && (problem.column.as_deref() == Some("value") || problem.fix.is_some()))
}

/// Attaches the fixes of this module to `problems`, the problems [`crate::parse`] found in
/// `files`, the files of a data folder.
pub(crate) fn attach(files: &[&SourceFile], problems: &mut [Diagnostic]) {
    for problem in problems.iter_mut() {
        if let Some(file) = files.iter().find(|f| f.name == problem.file)
            && let Some(bytes) = file.bytes.as_deref()
            && is_percent_outside_percentages(bytes, problem)
        {
            problem.fix = None;
            problem.help = Some(
                "this column is not a percentage (those end in `_pct`): write the figure the source gives, in its unit"
                    .to_owned(),
            );
        }
    }
    // A figure written with words in a `value` column: the fix writes the number, the unit and
    // the qualifier its words say, where the row's cells take them; the cell's own fix writes
    // the number alone.
    for problem in problems.iter_mut() {
        if problem.rule() != ErrorKind::InvalidValue.rule() || problem.column.as_deref() != Some("value") {
            continue;
        }
        let Some(file) = files.iter().find(|f| f.name == problem.file) else { continue };
        let Some(bytes) = file.bytes.as_deref() else { continue };
        if let Some(fix) = figure_in_words(bytes, problem, file.table.def()) {
            problem.help = Some(fix.title.clone());
            problem.fix = Some(fix);
        }
    }
    for problem in problems.iter_mut().filter(|p| p.fix.is_none()) {
        let Some(file) = files.iter().find(|f| f.name == problem.file) else { continue };
        let Some(bytes) = file.bytes.as_deref() else { continue };
        let columns = file.table.def().columns.len();
        let safe = |title: &str, span: Range<usize>, replacement: String| Fix {
            title: title.to_owned(),
            applicability: Applicability::Safe,
            edits: vec![Edit { file: problem.file.clone(), span, replacement }],
        };
        let fix = if problem.rule() == ErrorKind::BlankRow.rule() {
            blank_lines(bytes, problem).map(|span| safe("delete the empty lines", span, String::new()))
        } else if problem.rule() == ErrorKind::FieldCount.rule() {
            // Only spaces, tabs or separators: a line with nothing to lose. (The other shapes
            // of a row's fields are explained, and fixed, where the row is read.)
            let row = row_of(bytes, problem, columns + 64);
            row.as_ref()
                .is_some_and(|r| has_no_text(bytes, r))
                .then(|| blank_lines(bytes, problem).map(|span| safe("delete the line", span, String::new())))
                .flatten()
        } else {
            None
        };
        if let Some(fix) = fix {
            if problem.rule() == ErrorKind::FieldCount.rule() || problem.help.is_none() {
                // The count's own help guesses at a comma inside a cell; this row's is certain.
                problem.help = Some(fix.title.clone());
            }
            problem.fix = Some(fix);
        }
    }
}

/// A cell ending in `%` in a column whose name does not end in `_pct`: dropping the sign, as
/// in a percentage column, would turn a share into an amount.
fn is_percent_outside_percentages(bytes: &[u8], problem: &Diagnostic) -> bool {
    problem.rule() == ErrorKind::InvalidValue.rule()
        && problem.fix.is_some()
        && problem.column.as_deref().is_some_and(|c| !c.ends_with("_pct"))
        && problem
            .span
            .as_ref()
            .and_then(|span| std::str::from_utf8(bytes.get(span.clone())?).ok())
            .is_some_and(|raw| scan::unquote(raw).trim().ends_with('%'))
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

/// The fields of the row a problem is on, when the row starts on the problem's line.
fn row_of(bytes: &[u8], problem: &Diagnostic, max_fields: usize) -> Option<scan::RawRecord> {
    let first_line = problem.snippet.as_ref()?.first_line;
    if first_line != problem.line {
        return None;
    }
    let record = scan::scan_record(bytes, line_start(bytes, first_line)?, bytes.len(), max_fields);
    record.fault.is_none().then_some(record)
}

/// Whether every field of a row is empty or white space, with every field kept.
fn has_no_text(bytes: &[u8], record: &scan::RawRecord) -> bool {
    record.kept() == record.field_count
        && record.fields().all(|f| bytes[f].iter().all(|b| matches!(b, b' ' | b'\t' | b'"')))
}

/// A figure written in words in the `value` column (`NOK 10,3 mrd.`, `ca. 142`): an unsafe
/// fix that writes the number in `value` and what the words said in `unit` and `qualifier`.
fn figure_in_words(bytes: &[u8], problem: &Diagnostic, def: &model::TableDef) -> Option<Fix> {
    let header = header_names(bytes)?;
    let row = row_of(bytes, problem, header.len() + 1)?;
    let cell = |name: &str| {
        let field = header.iter().position(|h| h == name)?;
        let span = row.field(field)?;
        let text = scan::unquote(std::str::from_utf8(&bytes[span.clone()]).ok()?).into_owned();
        Some((span, text))
    };
    let (value_span, value) = cell("value")?;
    let figure = model::FigureInWords::read(&value)?;
    let number = figure.number.clone();
    let mut edits = vec![Edit { file: problem.file.clone(), span: value_span, replacement: csv_cell(&number) }];
    let mut title = format!("write the number alone, `{number}`");
    if let Some(unit) = figure.unit {
        let unit = unit.as_str();
        let (span, current) = cell("unit")?;
        if !current.is_empty() && current != unit {
            return None;
        }
        if current != unit {
            edits.push(Edit { file: problem.file.clone(), span, replacement: unit.to_owned() });
        }
        title.push_str(&format!(", with `{unit}` in `unit`"));
    }
    if figure.approximate {
        match def.column_index("qualifier").and_then(|_| cell("qualifier")) {
            Some((span, current)) => {
                if !matches!(current.as_str(), "" | "exact" | "approximately") {
                    return None;
                }
                if current != "approximately" {
                    edits.push(Edit { file: problem.file.clone(), span, replacement: "approximately".to_owned() });
                }
                title.push_str(", and `approximately` in `qualifier`");
            }
            // `trade_commodities.csv` records no qualifier: the words are the source's, the
            // figure is what the table keeps.
            None => title.push_str(&format!(" ({} has no `qualifier` column to say it is approximate)", def.file)),
        }
    }
    title.push_str(&figure.ambiguity_note());
    edits.sort_by_key(|e| e.span.start);
    Some(Fix { title, applicability: Applicability::Unsafe, edits })
}

/// The header's names, unquoted and trimmed.
fn header_names(bytes: &[u8]) -> Option<Vec<String>> {
    let mut start = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    while start < bytes.len() && scan::is_line_break(bytes[start]) {
        start += 1;
    }
    let header = scan::scan_record(bytes, start, bytes.len(), 1025);
    header.fields().map(|f| std::str::from_utf8(&bytes[f]).ok().map(|t| scan::unquote(t).trim().to_owned())).collect()
}
