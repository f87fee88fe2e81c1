//! Fixes for problems of a file's lines rather than of one cell's value, attached after a
//! table is parsed: empty lines and rows of empty cells are deleted, and a trailing comma
//! that makes a row one field too long, its extra field empty, is removed. Both are safe: no
//! value is lost or changed.

use std::ops::Range;

use diagnostic::{Applicability, Diagnostic, Edit, Fix};

use crate::error::csv_cell;
use crate::scan;
use crate::{DataDir, ErrorKind};

/// Attaches the fixes of this module to `problems`, the problems [`crate::parse`] found in
/// the files of `dir`.
pub(crate) fn attach(dir: &DataDir, problems: &mut [Diagnostic]) {
    for problem in problems.iter_mut() {
        if let Some(file) = dir.files().iter().find(|f| f.name == problem.file)
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
    for problem in problems.iter_mut().filter(|p| p.fix.is_none()) {
        let Some(file) = dir.files().iter().find(|f| f.name == problem.file) else { continue };
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
            let row = row_of(bytes, problem, columns + 64);
            let no_text = row.as_ref().is_some_and(|r| has_no_text(bytes, r));
            let comma = row.as_ref().and_then(|r| trailing_comma(r, columns));
            let curly = row.as_ref().and_then(|r| curly_quoted(bytes, r, columns));
            match (comma, curly) {
                // Only spaces, tabs or separators: a line with nothing to lose.
                _ if no_text => blank_lines(bytes, problem).map(|span| safe("delete the line", span, String::new())),
                (Some(span), _) => Some(safe("remove the comma at the end of the row", span, String::new())),
                (None, Some((span, cell))) => {
                    Some(safe(&format!("quote the cell with straight quotes: {cell}"), span, cell))
                }
                (None, None) => None,
            }
        } else if problem.rule() == ErrorKind::InvalidValue.rule() && problem.column.as_deref() == Some("value") {
            figure_in_words(bytes, problem, file.table.def())
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
    record.fields.len() == record.field_count
        && record.fields.iter().all(|f| bytes[f.clone()].iter().all(|b| matches!(b, b' ' | b'\t' | b'"')))
}

/// The comma to remove when a row has one field more than the table's columns and that field
/// is empty.
fn trailing_comma(record: &scan::RawRecord, columns: usize) -> Option<Range<usize>> {
    let last = record.fields.last()?;
    (record.field_count == columns + 1 && last.is_empty()).then(|| last.start - 1..last.end)
}

/// A cell between curly quotes (`“Metaller, unntatt jern”`) whose commas split the row into
/// too many fields: the span of its fields and the cell written with straight quotes.
fn curly_quoted(bytes: &[u8], record: &scan::RawRecord, columns: usize) -> Option<(Range<usize>, String)> {
    if record.field_count != record.fields.len() || record.field_count <= columns {
        return None;
    }
    let extra = record.field_count - columns;
    let text = |i: usize| std::str::from_utf8(&bytes[record.fields[i].clone()]).ok();
    let first = (0..record.fields.len() - extra).find(|&i| text(i).is_some_and(|t| t.trim_start().starts_with('“')))?;
    let last = first + extra;
    if !text(last)?.trim_end().ends_with('”') {
        return None;
    }
    let span = record.fields[first].start..record.fields[last].end;
    let whole = std::str::from_utf8(&bytes[span.clone()]).ok()?.trim();
    let inner = whole.strip_prefix('“')?.strip_suffix('”')?;
    Some((span, format!("\"{}\"", inner.replace('"', "\"\""))))
}

/// A figure written in words in the `value` column (`NOK 10,3 mrd.`, `ca. 142`): an unsafe
/// fix that writes the number in `value` and what the words said in `unit` and `qualifier`.
fn figure_in_words(bytes: &[u8], problem: &Diagnostic, def: &model::TableDef) -> Option<Fix> {
    let header = header_names(bytes)?;
    let row = row_of(bytes, problem, header.len() + 1)?;
    let cell = |name: &str| {
        let field = header.iter().position(|h| h == name)?;
        let span = row.fields.get(field)?.clone();
        let text = scan::unquote(std::str::from_utf8(&bytes[span.clone()]).ok()?).into_owned();
        Some((span, text))
    };
    let (value_span, value) = cell("value")?;
    let (number, unit, approximate) = read_figure(&value)?;
    let mut edits = vec![Edit { file: problem.file.clone(), span: value_span, replacement: csv_cell(&number) }];
    let mut title = format!("write the figure `{number}`");
    if let Some(unit) = unit {
        let (span, current) = cell("unit")?;
        if !current.is_empty() && current != unit {
            return None;
        }
        if current != unit {
            edits.push(Edit { file: problem.file.clone(), span, replacement: unit.to_owned() });
        }
        title.push_str(&format!(" with unit `{unit}`"));
    }
    if approximate {
        def.column_index("qualifier")?;
        let (span, current) = cell("qualifier")?;
        if !matches!(current.as_str(), "" | "exact" | "approximately") {
            return None;
        }
        if current != "approximately" {
            edits.push(Edit { file: problem.file.clone(), span, replacement: "approximately".to_owned() });
        }
        title.push_str(" and qualifier `approximately`");
    }
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
    header
        .fields
        .iter()
        .map(|f| std::str::from_utf8(&bytes[f.clone()]).ok().map(|t| scan::unquote(t).trim().to_owned()))
        .collect()
}

/// The number, the unit and whether it is approximate, of a figure written in words:
/// `NOK 10,3 mrd.`, `10,3 milliarder kroner`, `kr 142 mill.`, `ca. 142`, `~ 1.2`.
fn read_figure(text: &str) -> Option<(String, Option<&'static str>, bool)> {
    let mut rest = text.trim().to_lowercase();
    let mut approximate = false;
    for word in ["ca.", "ca ", "cirka", "omtrent", "approximately", "approx.", "about", "~"] {
        if let Some(after) = rest.strip_prefix(word) {
            approximate = true;
            rest = after.trim().to_owned();
            break;
        }
    }
    let mut currency = false;
    for word in ["nok", "kr.", "kr"] {
        if let Some(after) = rest.strip_prefix(word) {
            currency = true;
            rest = after.trim().to_owned();
            break;
        }
    }
    for word in ["kroner", "nok", "kr.", "kr"] {
        if let Some(before) = rest.strip_suffix(word) {
            currency = true;
            rest = before.trim().to_owned();
            break;
        }
    }
    let mut unit = None;
    let scales: [(&[&str], &str); 2] = [
        (&["milliarder", "milliard", "mrd.", "mrd", "billion", "bn"], "NOK billion"),
        (&["millioner", "million", "mill.", "mill", "mln.", "mln"], "NOK million"),
    ];
    'scales: for (words, scaled) in scales {
        for word in words {
            if let Some(before) = rest.strip_suffix(word) {
                unit = Some(scaled);
                rest = before.trim().to_owned();
                break 'scales;
            }
        }
    }
    if unit.is_none() && currency {
        unit = Some("NOK");
    }
    if unit.is_none() && !approximate {
        return None;
    }
    let number = if rest.matches(',').count() == 1 { rest.replace(',', ".") } else { rest };
    model::Decimal::parse(&number).ok()?;
    Some((number, unit, approximate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_in_words_keep_their_written_precision() {
        assert_eq!(read_figure("NOK 10,3 mrd."), Some(("10.3".to_owned(), Some("NOK billion"), false)));
        assert_eq!(read_figure("ca. 142"), Some(("142".to_owned(), None, true)));
        assert_eq!(read_figure("ca. 2,90 milliarder kroner"), Some(("2.90".to_owned(), Some("NOK billion"), true)));
        assert_eq!(read_figure("kr 142 mill."), Some(("142".to_owned(), Some("NOK million"), false)));
        assert_eq!(read_figure("142"), None);
        assert_eq!(read_figure("ca. mange"), None);
    }
}
