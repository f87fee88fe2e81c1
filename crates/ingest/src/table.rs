//! Parsing one table: header, blocks of records in parallel, typed rows.

use std::borrow::Cow;
use std::ops::Range;

use model::{CellFault, Record, TableDef};
use rayon::prelude::*;

use diagnostic::{Applicability, Edit, Fix, Snippet};

use crate::error::{ErrorKind, Problem, cell_fix, csv_cell};
use crate::header::{self, Match};
use crate::scan::{self, PlainFields, QuoteFault, RawRecord};
use crate::{Row, RowPos, SourceFile, Table};

/// The size of the blocks a large file is cut into, to be parsed on all cores; files of at
/// most twice this size are parsed in one piece.
pub const DEFAULT_BLOCK_SIZE: usize = 128 << 10;
/// A header with more fields than this is not read further: no table has so many columns.
pub(crate) const MAX_HEADER_FIELDS: usize = 1024;

/// Where a file's header puts each declared column.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// For each declared column, its field index in the file.
    pub(crate) fields: Vec<Option<usize>>,
    /// How many fields the header has.
    pub(crate) width: usize,
    /// Whether rows can be typed: every declared column present exactly once.
    pub(crate) typable: bool,
    /// Whether rows can be checked against the header (their number of fields, the cells of
    /// the columns it has), even when they cannot be typed: the header, right or not, says
    /// which field is which column.
    pub(crate) checkable: bool,
    /// Whether every declared column is named exactly; a table read through a header that
    /// is not is not trusted as complete.
    pub(crate) exact: bool,
    /// Whether each declared column is the field of its own index (the header lists the
    /// columns in their declared order): a cell is then found without the look-up in `fields`.
    pub(crate) in_order: bool,
}

/// Parses a table's file: its header, then every row; with `hold` false only the header,
/// and the rows are read later, block by block, by [`Table::stream`].
pub(crate) fn parse_table<'a, R: Record<'a>>(
    file: &'a SourceFile,
    block_size: usize,
    hold: bool,
) -> (Table<'a, R>, Vec<Problem>) {
    let mut errors = Vec::new();
    let mut table = Table {
        file,
        rows: Vec::new(),
        data_rows: 0,
        rejected_rows: 0,
        unlisted_problems: Vec::new(),
        layout: None,
        body: None,
        block_size: block_size.max(1),
        held: hold,
    };
    // A file left on the disk has its header in its first bytes; its rows are streamed.
    let Some(bytes) = (if hold { file.bytes.as_deref() } else { file.head() }) else {
        return (table, errors);
    };
    let def = R::TABLE.def();
    let body = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };

    // The header is the first line that is not blank.
    let mut header_start = body;
    while header_start < bytes.len() && scan::is_line_break(bytes[header_start]) {
        header_start += 1;
    }
    if bytes[header_start..].iter().all(u8::is_ascii_whitespace) {
        errors.push(Problem {
            kind: ErrorKind::EmptyFile,
            file: file.name.clone(),
            line: 1,
            column: None,
            key: None,
            span: None,
            message: "the file is empty".to_owned(),
            help: Some(format!("the first line must be the header: {}", expected_header(def))),
            snippet: None,
            fix: None,
        });
        return (table, errors);
    }
    let header_line = 1 + scan::count_line_breaks(&bytes[body..header_start], bytes.get(header_start).copied());
    if header_line > 1 {
        errors.push(blank_lines_error(file, header_line - 1, 1));
    }
    let header = scan::scan_record(bytes, header_start, bytes.len(), MAX_HEADER_FIELDS + 1);
    // Data starts after the header's line break.
    let mut data_start = header.end;
    if data_start < bytes.len() && bytes[data_start] == b'\r' {
        data_start += 1;
    }
    if data_start < bytes.len() && bytes[data_start] == b'\n' {
        data_start += 1;
    }
    let layout = read_header(file, def, bytes, &header, header_line, data_start, &mut errors);
    // A quoted header name may hold line breaks: the data starts after the header's last line.
    let header_lines = 1 + scan::count_line_breaks(&bytes[header_start..header.end], None);
    table.body = Some(Body { start: data_start, first_line: header_line + header_lines });
    table.layout = Some(layout);
    if hold {
        let mut rows = Vec::new();
        let read = table.read_rows(
            |_| (),
            |(), block| {
                if rows.is_empty() {
                    std::mem::swap(&mut rows, block);
                } else {
                    rows.append(block);
                }
            },
        );
        table.rows = rows;
        errors.extend(table.absorb_counts(read));
    }
    (table, errors)
}

/// Where a table's rows start: after its header line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Body {
    /// The byte offset of the first row.
    pub(crate) start: usize,
    /// The line it is on.
    pub(crate) first_line: u32,
}

/// What reading a table's rows found besides the rows: how many there were, how many were
/// rejected, and the problems. [`Table::absorb`] adds it to the table.
#[derive(Debug, Default)]
pub struct RowsRead {
    pub(crate) data_rows: usize,
    pub(crate) rejected_rows: usize,
    pub(crate) errors: Listed,
    pub(crate) not_utf8: bool,
}

impl RowsRead {
    /// Whether reading stopped because a file left on the disk turned out not to be UTF-8
    /// throughout (only its first bytes are judged before it is streamed): its dialect must be
    /// judged on the whole file, as [`crate::read_dir`] judges it. Read the folder again with
    /// [`crate::DataDir::with_whole_file`] and check that instead; nothing read is valid.
    pub fn needs_whole_file(&self) -> bool {
        self.not_utf8
    }
}

impl<'a, R: Record<'a>> Table<'a, R> {
    /// Reads the rows, a round of blocks at a time on all cores: `look` sees each block's
    /// rows (with their file lines) on the core that parsed them, and `take` then gets what
    /// `look` returned and the block's rows, in file order; the rows are dropped after it.
    pub(crate) fn read_rows<T: Send>(
        &self,
        look: impl Fn(&Table<'a, R>) -> T + Sync,
        take: impl FnMut(T, &mut Vec<Row<R>>),
    ) -> RowsRead {
        let (Some(bytes), Some(layout), Some(body)) = (self.file.bytes.as_deref(), &self.layout, self.body) else {
            return RowsRead::default();
        };
        let mut merged =
            Merged { errors: Listed::default(), data_rows: 0, rejected_rows: 0, next_line: body.first_line };
        // Each block is looked at as a table of its own rows, where rules find their places.
        let look = |rows: &mut Vec<Row<R>>| {
            let view = self.with_rows(std::mem::take(rows));
            let seen = look(&view);
            *rows = view.rows;
            seen
        };
        parse_blocks::<R, T>(self.file, bytes, body.start, layout, self.block_size, &mut merged, look, take);
        merged.into_read()
    }

    /// This table read from `file` (a block of its file, or its file read again), without rows.
    pub(crate) fn rebased<'l, S: Record<'l>>(&self, file: &'l SourceFile) -> Table<'l, S> {
        Table {
            file,
            rows: Vec::new(),
            data_rows: self.data_rows,
            rejected_rows: self.rejected_rows,
            unlisted_problems: Vec::new(),
            layout: self.layout.clone(),
            body: self.body,
            block_size: self.block_size,
            held: true,
        }
    }

    /// This table with `rows` as its rows: a block of it, or some rows picked from it.
    pub(crate) fn with_rows(&self, rows: Vec<Row<R>>) -> Table<'a, R> {
        let mut table = self.rebased(self.file);
        table.rows = rows;
        table
    }

    /// Sets the counts of `read` and returns its problems.
    pub(crate) fn absorb_counts(&mut self, read: RowsRead) -> Vec<Problem> {
        self.data_rows = read.data_rows;
        self.rejected_rows = read.rejected_rows;
        self.unlisted_problems = read.errors.unlisted();
        read.errors.list
    }
}

/// Rows longer than this are reported without their text: a diagnostic that printed a 50 MB
/// cell would flood the reader's terminal, and cost that much memory for each finding.
pub(crate) const MAX_SNIPPET_BYTES: usize = 64 << 10;

/// The snippet of `range`, which starts line `first_line`; `None` when it is too long to show.
pub(crate) fn snippet_of(name: &str, bytes: &[u8], range: Range<usize>, first_line: u32) -> Option<Snippet> {
    (range.len() <= MAX_SNIPPET_BYTES).then(|| Snippet::new(name, bytes, range, first_line))
}

/// The header line a table expects, for help texts.
pub(crate) fn expected_header(def: &TableDef) -> String {
    def.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
}

fn read_header(
    file: &SourceFile,
    def: &TableDef,
    bytes: &[u8],
    header: &RawRecord,
    line: u32,
    data_start: usize,
    errors: &mut Vec<Problem>,
) -> Layout {
    let mut layout = Layout {
        fields: vec![None; def.columns.len()],
        width: header.field_count,
        typable: false,
        checkable: false,
        exact: false,
        in_order: false,
    };
    let header_start = header.start();
    let snippet = snippet_of(&file.name, bytes, header_start..header.end, line);
    let mut push = |kind: ErrorKind,
                    span: Range<usize>,
                    column: Option<String>,
                    message: String,
                    help: Option<String>,
                    fix: Option<Fix>| {
        errors.push(Problem {
            kind,
            file: file.name.clone(),
            // A quoted header name may hold a line break: the span's own line.
            line: line + scan::count_line_breaks(&bytes[header_start..span.start.max(header_start)], None),
            column,
            key: None,
            span: Some(span),
            message,
            help,
            snippet: snippet.clone(),
            fix,
        });
    };
    let whole = header.start()..header.end;
    if let Some(fault) = header.fault {
        let (kind, at) = quote_fault_kind(fault);
        push(kind, at..at + 1, None, format!("the header has {}", quote_fault_words(fault)), None, None);
        return layout;
    }
    if header.field_count > MAX_HEADER_FIELDS {
        push(
            ErrorKind::UnknownColumn,
            whole,
            None,
            format!(
                "the header has {} fields; {} declares {} columns",
                header.field_count,
                def.file,
                def.columns.len()
            ),
            Some(format!("the header should be: {}", expected_header(def))),
            None,
        );
        return layout;
    }
    if let Err(e) = std::str::from_utf8(&bytes[whole.clone()]) {
        let at = whole.start + e.valid_up_to();
        push(
            ErrorKind::InvalidUtf8,
            at..at + 1,
            None,
            format!("the header is not valid UTF-8 at byte {at}"),
            None,
            None,
        );
        return layout;
    }
    let names: Vec<Cow<'_, str>> =
        header.fields().map(|raw| scan::unquote(std::str::from_utf8(&bytes[raw]).unwrap_or(""))).collect();
    let written: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    let declared: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
    let guessed = header::map(&written, &declared);
    let other_table = model::TableId::ALL
        .iter()
        .map(|t| t.def())
        .find(|other| other.file != def.file && other.columns.iter().map(|c| c.name).eq(written.iter().copied()));
    if let Some(other) = other_table {
        // One finding for a file that holds another table, not one per column of it.
        push(
            ErrorKind::MissingColumn,
            whole,
            None,
            format!("the header is that of {}: this file holds another table's rows", other.file),
            Some(format!(
                "move these rows to {}, and give {} its own header and rows: {}",
                other.file,
                def.file,
                expected_header(def)
            )),
            None,
        );
        return layout;
    }
    if guessed.recognises_nothing() && header.field_count > 1 {
        // One finding for a missing header line, not one per cell of the row in its place.
        let break_after = &bytes[header.end..];
        let line_break = if break_after.starts_with(b"\r\n") {
            "\r\n"
        } else if break_after.starts_with(b"\r") {
            "\r"
        } else {
            "\n"
        };
        let title = format!("insert the header line: {}", expected_header(def));
        // Only a line with the table's number of fields reads as its first row.
        let insert = (header.field_count == def.columns.len()).then(|| Fix {
            title: title.clone(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                file: file.name.clone(),
                span: header_start..header_start,
                replacement: format!("{}{line_break}", expected_header(def)),
            }],
        });
        let help = match insert {
            Some(_) => title,
            None => format!("{title}, if the lines below are rows of {}", def.file),
        };
        push(
            ErrorKind::MissingColumn,
            whole,
            None,
            format!(
                "the first line has no column name of {}: the header line is missing, or this is not the table's file",
                def.file
            ),
            Some(help),
            insert,
        );
        return layout;
    }
    // Rows are read with a header's guesses only when they are sensible, and when the rows
    // have the header's number of fields: a header that lost or gained a name describes
    // rows that did not, and checking them against it would fault every row.
    let checkable =
        guessed.is_sensible() && rows_follow_header(bytes, data_start, header.field_count, def.columns.len());
    let mapping = if checkable { guessed } else { guessed.certain() };
    let missing: Vec<&str> =
        def.columns.iter().zip(&mapping.columns).filter(|(_, m)| m.is_none()).map(|(c, _)| c.name).collect();
    let fix = |span: &Range<usize>, name: &str, applicability: Applicability| Fix {
        title: format!("write `{name}`"),
        applicability,
        edits: vec![Edit { file: file.name.clone(), span: span.clone(), replacement: csv_cell(name) }],
    };
    let should_be = || format!("the header should be: {}", expected_header(def));
    for (index, raw) in header.fields().enumerate() {
        let name = names[index].as_ref();
        // The header name as a message quotes it: one line, whatever it holds.
        let written = shown(name);
        let trimmed = name.trim();
        // What an unknown name holds that does not show.
        let hidden = header::invisible_in(name).map(|i| format!("; the name contains {i}")).unwrap_or_default();
        if mapping.duplicates.iter().any(|(field, _)| *field == index) {
            push(
                ErrorKind::DuplicateColumn,
                raw.clone(),
                Some(shown(trimmed)),
                format!("the column `{}` appears twice in the header", shown(trimmed)),
                Some("remove one of them: a cell must not depend on which copy is read".to_owned()),
                None,
            );
            continue;
        }
        match mapping.column_of(index) {
            Some((_, Match::Exact)) => {}
            Some((column, Match::Padded)) => {
                let column = declared[column];
                push(
                    ErrorKind::PaddedColumn,
                    raw.clone(),
                    Some(column.to_owned()),
                    format!("the column name `{written}` has spaces around it"),
                    Some(format!("write `{column}`")),
                    Some(fix(&raw, column, Applicability::Safe)),
                );
            }
            Some((column, Match::Spelling)) => {
                let column = declared[column];
                let message = match header::invisible_in(name) {
                    Some(invisible) => format!("the column name `{written}` contains {invisible}"),
                    None => format!("the column name `{written}` is `{column}` written in another case"),
                };
                push(
                    ErrorKind::UnknownColumn,
                    raw.clone(),
                    Some(column.to_owned()),
                    message,
                    Some(format!("write `{column}`")),
                    Some(fix(&raw, column, Applicability::Safe)),
                );
            }
            Some((column, Match::Similar)) => {
                let column = declared[column];
                push(
                    ErrorKind::UnknownColumn,
                    raw.clone(),
                    Some(written.clone()),
                    format!("unknown column `{written}`, read as `{column}`{hidden}"),
                    Some(format!("did you mean `{column}`? {}", should_be())),
                    Some(fix(&raw, column, Applicability::Unsafe)),
                );
            }
            Some((column, Match::Position)) => {
                let column = declared[column];
                let (kind, message) = if trimmed.is_empty() {
                    (ErrorKind::BlankColumn, format!("header field {} is empty", index + 1))
                } else {
                    (ErrorKind::UnknownColumn, format!("unknown column `{written}`"))
                };
                push(
                    kind,
                    raw.clone(),
                    (!trimmed.is_empty()).then(|| written.clone()),
                    format!("{message}, read as `{column}`, the column declared in its place{hidden}"),
                    Some(should_be()),
                    Some(fix(&raw, column, Applicability::Unsafe)),
                );
            }
            None if trimmed.is_empty() => {
                push(
                    ErrorKind::BlankColumn,
                    raw.clone(),
                    None,
                    format!("header field {} is empty", index + 1),
                    Some(should_be()),
                    None,
                );
            }
            None => {
                let help = match model::closest(trimmed, missing.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? {}", should_be()),
                    None => format!("{} declares: {}", def.file, expected_header(def)),
                };
                push(
                    ErrorKind::UnknownColumn,
                    raw.clone(),
                    Some(written.clone()),
                    format!("unknown column `{written}`{hidden}"),
                    Some(help),
                    None,
                );
            }
        }
    }
    if !missing.is_empty() {
        let names = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
        let plural = if missing.len() == 1 { "column" } else { "columns" };
        push(
            ErrorKind::MissingColumn,
            whole,
            None,
            format!("missing {plural} {names}"),
            Some(format!("expected: {}\n   found: {}", expected_header(def), text_of(bytes, header))),
            None,
        );
    }
    layout.fields = mapping.columns.iter().map(|m| m.map(|(field, _)| field)).collect();
    layout.checkable = checkable;
    layout.typable = checkable && missing.is_empty() && mapping.duplicates.is_empty();
    layout.exact = mapping.is_exact();
    layout.in_order = layout.fields.iter().enumerate().all(|(column, field)| *field == Some(column));
    layout
}

/// Whether the first rows after a header have its number of fields rather than the table's
/// declared number of columns. Always so when the two are the same.
fn rows_follow_header(bytes: &[u8], mut at: usize, width: usize, declared: usize) -> bool {
    /// Enough rows to tell a header that lost or gained a name from a few bad rows.
    const SAMPLE: usize = 16;
    if width == declared {
        return true;
    }
    let (mut as_header, mut as_declared) = (0, 0);
    for _ in 0..SAMPLE {
        while at < bytes.len() && scan::is_line_break(bytes[at]) {
            at += 1;
        }
        if at >= bytes.len() {
            break;
        }
        let record = scan::scan_record(bytes, at, bytes.len(), width.max(declared) + 1);
        if record.fault.is_some() {
            break;
        }
        as_header += usize::from(record.field_count == width);
        as_declared += usize::from(record.field_count == declared);
        at = record.end;
    }
    as_declared <= as_header
}

/// A record's text on one line: its line breaks (inside quoted fields) shown as `⏎`.
fn text_of(bytes: &[u8], record: &RawRecord) -> String {
    String::from_utf8_lossy(&bytes[record.start()..record.end]).replace("\r\n", "⏎").replace(['\r', '\n'], "⏎")
}

/// What [`parse_block`] found in one block. Lines are counted from the block's first line.
pub(crate) struct Block<R> {
    pub(crate) rows: Vec<Row<R>>,
    errors: Listed,
    pub(crate) line_breaks: u32,
    data_rows: usize,
    rejected_rows: usize,
    /// The block ends inside a quoted field: it was cut in the wrong place.
    pub(crate) cut_inside_quotes: bool,
    /// The block is UTF-8 throughout.
    pub(crate) utf8: bool,
}

impl<R> Block<R> {
    /// The block without its rows, once they are seen: what reading it found, free of the
    /// bytes the rows borrow.
    pub(crate) fn without_rows(self) -> Block<()> {
        Block {
            rows: Vec::new(),
            errors: self.errors,
            line_breaks: self.line_breaks,
            data_rows: self.data_rows,
            rejected_rows: self.rejected_rows,
            cut_inside_quotes: self.cut_inside_quotes,
            utf8: self.utf8,
        }
    }

    /// Moves the block's lines from block-relative to file lines, for a block that starts on
    /// line `first_line`.
    pub(crate) fn shift_lines(&mut self, first_line: u32) {
        for row in &mut self.rows {
            row.pos.line += first_line;
        }
        for error in &mut self.errors.list {
            error.line += first_line;
            if let Some(snippet) = &mut error.snippet {
                snippet.first_line += first_line;
            }
        }
    }

    /// Moves the block's offsets from block-relative to file offsets, for a block whose bytes
    /// were read from offset `base` of the file.
    pub(crate) fn shift_offsets(&mut self, base: usize) {
        if base == 0 {
            return;
        }
        for row in &mut self.rows {
            row.pos.offset = u32::try_from(row.pos.offset as usize + base).unwrap_or(u32::MAX);
        }
        for error in &mut self.errors.list {
            if let Some(span) = &mut error.span {
                *span = span.start + base..span.end + base;
            }
            if let Some(snippet) = &mut error.snippet {
                snippet.offset += base;
            }
            for edit in error.fix.iter_mut().flat_map(|fix| fix.edits.iter_mut()) {
                edit.span = edit.span.start + base..edit.span.end + base;
            }
        }
    }
}

/// What the blocks of a table parsed so far found, joined in file order.
pub(crate) struct Merged {
    errors: Listed,
    data_rows: usize,
    pub(crate) rejected_rows: usize,
    /// The line of the file where the next block starts.
    next_line: u32,
}

impl Merged {
    /// Nothing found yet; the first block starts on line `first_line`.
    pub(crate) fn starting_at(first_line: u32) -> Merged {
        Merged { errors: Listed::default(), data_rows: 0, rejected_rows: 0, next_line: first_line }
    }

    /// Adds a problem of the whole file.
    pub(crate) fn push(&mut self, problem: Problem) {
        self.errors.push(problem);
    }

    /// The line of the file where the next block starts.
    pub(crate) fn next_line(&self) -> u32 {
        self.next_line
    }

    /// What was found.
    pub(crate) fn into_read(self) -> RowsRead {
        RowsRead { data_rows: self.data_rows, rejected_rows: self.rejected_rows, errors: self.errors, not_utf8: false }
    }

    /// Counts the next block and moves its lines from block-relative to file lines. Its rows
    /// stay in the block.
    pub(crate) fn add<R>(&mut self, block: &mut Block<R>) {
        block.shift_lines(self.next_line);
        self.add_shifted(block);
    }

    /// Counts the next block, whose lines are already the file's ([`Block::shift_lines`]).
    pub(crate) fn add_shifted<R>(&mut self, block: &mut Block<R>) {
        self.next_line += block.line_breaks;
        self.data_rows += block.data_rows;
        self.rejected_rows += block.rejected_rows;
        self.errors.append(&mut block.errors);
    }
}

/// The most problems of one kind listed for one file; the rest are counted. A file of a
/// million bad lines must not cost a million diagnostics, each with its snippet, in memory
/// and in every output.
pub const MAX_LISTED: usize = 1000;

/// Problems found in a file, at most [`MAX_LISTED`] of each kind kept, in file order.
#[derive(Debug, Default)]
pub(crate) struct Listed {
    /// The problems kept.
    pub(crate) list: Vec<Problem>,
    /// How many problems of each kind (indexed as [`ErrorKind::ALL`]) were kept.
    kept: [usize; ErrorKind::ALL.len()],
    /// How many problems of each kind were found beyond those kept.
    pub(crate) unlisted: [usize; ErrorKind::ALL.len()],
}

impl Listed {
    /// Whether a problem of `kind` would be kept; when not, building it is wasted work.
    fn has_room(&self, kind: ErrorKind) -> bool {
        self.kept[kind as usize] < MAX_LISTED
    }

    /// Keeps `error`, or counts it when its kind is full.
    pub(crate) fn push(&mut self, error: Problem) {
        let kind = error.kind as usize;
        if self.kept[kind] < MAX_LISTED {
            self.kept[kind] += 1;
            self.list.push(error);
        } else {
            self.unlisted[kind] += 1;
        }
    }

    /// Counts a problem of `kind` without building it, when its kind is full.
    fn count(&mut self, kind: ErrorKind) {
        self.unlisted[kind as usize] += 1;
    }

    /// Moves the problems of a later part of the file here, in order.
    fn append(&mut self, later: &mut Listed) {
        for error in later.list.drain(..) {
            self.push(error);
        }
        for (total, more) in self.unlisted.iter_mut().zip(later.unlisted) {
            *total += more;
        }
        later.kept = [0; ErrorKind::ALL.len()];
        later.unlisted = [0; ErrorKind::ALL.len()];
    }

    /// The kinds with problems that were counted but not kept, and how many.
    pub(crate) fn unlisted(&self) -> Vec<(ErrorKind, usize)> {
        ErrorKind::ALL.iter().zip(self.unlisted).filter(|(_, n)| *n > 0).map(|(k, n)| (*k, n)).collect()
    }
}

/// Parses the records from `start` on: a small file in one piece, a large one in blocks on
/// all cores. Each block's rows are handed to `look` (in parallel) and then, with what it
/// returned, to `take` (in file order); see [`Table::read_rows`].
///
/// Blocks are parsed a round at a time, one per core, while the previous round's blocks are
/// looked at and taken. The row vectors of a round are then reused by the next rounds, so
/// that the memory of a block's rows is handed out by the kernel once, not once per block:
/// fresh pages cost more than the copy.
#[allow(clippy::too_many_arguments)]
fn parse_blocks<'a, R: Record<'a>, T: Send>(
    file: &'a SourceFile,
    bytes: &'a [u8],
    start: usize,
    layout: &Layout,
    block_size: usize,
    merged: &mut Merged,
    look: impl Fn(&mut Vec<Row<R>>) -> T + Sync,
    mut take: impl FnMut(T, &mut Vec<Row<R>>),
) {
    let mut hand_over = |blocks: &mut Vec<Block<R>>, spare: &mut Vec<Vec<Row<R>>>, seen: Vec<T>| {
        for (mut block, seen) in blocks.drain(..).zip(seen) {
            take(seen, &mut block.rows);
            block.rows.clear();
            spare.push(block.rows);
        }
    };
    let look_all = |blocks: &mut [Block<R>]| -> Vec<T> { blocks.par_iter_mut().map(|b| look(&mut b.rows)).collect() };
    let whole = |from: usize| {
        let rows = Vec::with_capacity((bytes.len() - from) / 64);
        let mut records = scan::Records::new(max_fields(layout));
        parse_block(file, bytes, from..bytes.len(), layout, true, &mut records, rows)
    };
    if bytes.len() - start <= block_size.saturating_mul(2) {
        let mut block = whole(start);
        merged.add(&mut block);
        let seen = look(&mut block.rows);
        take(seen, &mut block.rows);
        return;
    }
    let ranges = scan::split_blocks(bytes, start, block_size);
    let last = ranges.len() - 1;
    let lanes = rayon::current_num_threads().max(1);
    // One reader per block of a round, reused by the next rounds.
    let mut readers: Vec<scan::Records> =
        (0..lanes.min(ranges.len())).map(|_| scan::Records::new(max_fields(layout))).collect();
    let mut spare: Vec<Vec<Row<R>>> = Vec::new();
    let mut pending: Vec<Block<R>> = Vec::new();
    for (round, ranges) in ranges.chunks(lanes).enumerate() {
        let buffers: Vec<Vec<Row<R>>> =
            ranges.iter().map(|r| spare.pop().unwrap_or_else(|| Vec::with_capacity(r.len() / 64))).collect();
        let (parsed, seen) = rayon::join(
            || {
                ranges
                    .par_iter()
                    .zip(buffers)
                    .zip(readers.par_iter_mut())
                    .enumerate()
                    .map(|(i, ((range, rows), records))| {
                        let is_last = round * lanes + i == last;
                        parse_block(file, bytes, range.clone(), layout, is_last, records, rows)
                    })
                    .collect::<Vec<Block<R>>>()
            },
            || look_all(&mut pending),
        );
        hand_over(&mut pending, &mut spare, seen);
        // A block that ends inside a quoted field was cut in the wrong place by malformed
        // quoting: the blocks before it were read right, and the rest of the file is read in
        // one piece from its start, as a sequential reader would.
        let cut = parsed.iter().position(|b| b.cut_inside_quotes);
        for mut block in parsed.into_iter().take(cut.unwrap_or(usize::MAX)) {
            merged.add(&mut block);
            pending.push(block);
        }
        if let Some(cut) = cut {
            let mut block = whole(ranges[cut].start);
            merged.add(&mut block);
            pending.push(block);
            break;
        }
    }
    let seen = look_all(&mut pending);
    hand_over(&mut pending, &mut spare, seen);
}

/// The most field spans a record keeps, the others only counted, so that a line of millions
/// of commas costs no memory: enough for the header's fields and one more, which the
/// field-count diagnostic looks at, and a margin for the columns of quote faults.
pub(crate) fn max_fields(layout: &Layout) -> usize {
    layout.width.max(1) * 4 + 64
}

/// Parses the records of `range`, which starts just after a line break.
pub(crate) fn parse_block<'a, R: Record<'a>>(
    file: &'a SourceFile,
    bytes: &'a [u8],
    range: Range<usize>,
    layout: &Layout,
    last_block: bool,
    records: &mut scan::Records,
    rows: Vec<Row<R>>,
) -> Block<R> {
    let mut block = Block {
        rows,
        errors: Listed::default(),
        line_breaks: 0,
        data_rows: 0,
        rejected_rows: 0,
        cut_inside_quotes: false,
        utf8: true,
    };
    let mut faults = Vec::new();
    // A block that is valid UTF-8 as a whole (almost every block) is validated once, here,
    // with vector instructions (`simdutf8`, several times as fast as `str::from_utf8` on such
    // text), and its cells are sliced from it; otherwise each record is validated on its own.
    let text = simdutf8::basic::from_utf8(&bytes[range.clone()]).ok().map(|text| (text, range.start));
    block.utf8 = text.is_some();
    // The fields of the record being read, a buffer reused from record to record.
    let mut fields = RawRecord::default();
    let max_fields = max_fields(layout);
    // The first quote at or after the record being read, if any: almost no record has one,
    // and one search finds it for every record up to it, rather than one search per record.
    let mut next_quote = memchr::memchr(b'"', &bytes[range.clone()]).map(|at| range.start + at);
    // Where each record ends is the `csv` crate's call (`records`); where it starts, after
    // the line breaks that end the one before (empty lines, which `csv` skips), and which line
    // that is, is counted here.
    records.restart();
    // `line` is the line, counted from the block's first, at byte `gap_from`.
    let mut line = 0u32;
    let mut gap_from = range.start;
    let mut after_record = false;
    loop {
        let mut start = gap_from;
        while start < range.end && scan::is_line_break(bytes[start]) {
            start += 1;
        }
        if start >= range.end {
            let breaks = scan::count_line_breaks(&bytes[gap_from..range.end], None);
            let blank = breaks.saturating_sub(u32::from(after_record));
            if blank > 0 {
                block.errors.push(blank_lines_error(file, blank, line + u32::from(after_record)));
            }
            block.line_breaks = line + breaks;
            break;
        }
        let breaks = scan::count_line_breaks(&bytes[gap_from..start], bytes.get(start).copied());
        let blank = breaks.saturating_sub(u32::from(after_record));
        if blank > 0 {
            block.errors.push(blank_lines_error(file, blank, line + u32::from(after_record)));
        }
        line += breaks;
        let record_line = line;

        let end = records.read(bytes, start, range.end);
        // The fields' spans in the file: from the parser's field ends for a record without
        // quotes or with well-formed ones, from a scan of its raw bytes for any other record
        // (or one whose byte-order mark the parser dropped).
        if next_quote.is_some_and(|at| at < start) {
            next_quote = memchr::memchr(b'"', &bytes[start..range.end]).map(|at| start + at);
        }
        let has_quote = next_quote.is_some_and(|at| at < end);
        let raw = if has_quote {
            if records.quoted_fields(bytes, start, end, &mut fields).is_none() {
                scan::scan_record_into(bytes, start, end, max_fields, &mut fields);
            }
            if let Some(QuoteFault::Unclosed { open }) = fields.fault {
                if !last_block {
                    block.cut_inside_quotes = true;
                    return block;
                }
                records.restart();
                // Report at the opening quote, then resume at the next line so that the
                // rows after it are read as rows, not swallowed into one field.
                let open_line = record_line + scan::count_line_breaks(&bytes[start..open], None);
                let line_end = memchr::memchr2(b'\n', b'\r', &bytes[open..range.end]).map(|o| open + o);
                let snippet_end = line_end.unwrap_or(range.end);
                let line_start =
                    bytes[..open].iter().rposition(|&b| scan::is_line_break(b)).map_or(start, |p| (p + 1).max(start));
                block.data_rows += 1;
                block.rejected_rows += 1;
                if block.errors.has_room(ErrorKind::UnclosedQuote) {
                    let column = column_of_offset(layout, file, &fields, open);
                    let snippet = snippet_of(&file.name, bytes, line_start..snippet_end, open_line);
                    block.errors.push(unclosed_quote_error(file, open_line, open, column, snippet));
                } else {
                    block.errors.count(ErrorKind::UnclosedQuote);
                }
                let Some(line_end) = line_end else {
                    block.line_breaks = open_line;
                    break;
                };
                let resume = if bytes[line_end] == b'\r' && bytes.get(line_end + 1) == Some(&b'\n') {
                    line_end + 2
                } else {
                    line_end + 1
                };
                line = open_line + 1;
                gap_from = resume;
                after_record = false;
                continue;
            }
            debug_assert_eq!(fields.end, end, "the raw scan ends the record where `csv` does");
            &fields
        } else {
            // The usual record is typed from the parser's field ends; only a record that is not
            // a row typed without a problem has its spans written out, and is read below (its
            // cells typed again, if they were) to be explained.
            let pos = RowPos { line: record_line, offset: u32::try_from(start).unwrap_or(u32::MAX) };
            if let Some(plain) = records.plain(start, end)
                && type_plain::<R>(bytes, text, plain, pos, layout, &mut faults, &mut block.rows)
            {
                gap_from = end;
                after_record = true;
                line = record_line;
                block.data_rows += 1;
                continue;
            }
            if records.plain_fields(start, end, &mut fields).is_none() {
                scan::scan_record_into(bytes, start, end, max_fields, &mut fields);
            }
            &fields
        };
        let inner_breaks = if has_quote { scan::count_line_breaks(&bytes[start..raw.end], None) } else { 0 };
        gap_from = raw.end;
        after_record = true;
        line = record_line + inner_breaks;
        let pos = RowPos { line: record_line, offset: u32::try_from(start).unwrap_or(u32::MAX) };
        match type_record::<R>(file, bytes, text, raw, pos, layout, &mut faults, &mut block.rows) {
            Typed::Row => block.data_rows += 1,
            Typed::Rejected(errors) => {
                block.data_rows += 1;
                block.rejected_rows += 1;
                errors.into_iter().for_each(|e| block.errors.push(e));
            }
            Typed::Blank(error) => block.errors.push(*error),
        }
    }
    block
}

/// The text of a cell, unquoted, from its field's raw span in the file: a slice of the text of
/// its record, which starts at byte `start`. Inlined: every cell of every row is read here.
#[inline]
fn cell_text(record_text: &str, start: usize, span: Range<usize>) -> Cow<'_, str> {
    // Fields are cut at ASCII bytes (commas, quotes, line breaks): char boundaries of the
    // record's text, which `get` checks and never fails on.
    let raw_text = record_text.get(span.start - start..span.end - start).unwrap_or("");
    // Only a cell that starts with a quote has quotes to remove.
    if raw_text.starts_with('"') { quoted_cell_text(raw_text) } else { Cow::Borrowed(raw_text) }
}

/// The cells of a record, for [`Record::read_cells_into`]: column `c` of the table is field
/// `field_of(c)` of the record, whose text starts at byte `start` of the file.
struct RecordCells<'a, S, F> {
    bytes: &'a [u8],
    record_text: &'a str,
    start: usize,
    spans: S,
    field_of: F,
}

/// Where the fields of a record are in the file: written out ([`RawRecord`]), or worked out
/// from the parser's field ends ([`PlainFields`]).
trait FieldSpans {
    /// The raw span of field `i`, quotes included; `None` past the fields kept.
    fn field(&self, i: usize) -> Option<Range<usize>>;
}

impl FieldSpans for &RawRecord {
    #[inline(always)]
    fn field(&self, i: usize) -> Option<Range<usize>> {
        RawRecord::field(self, i)
    }
}

impl FieldSpans for PlainFields<'_> {
    #[inline(always)]
    fn field(&self, i: usize) -> Option<Range<usize>> {
        PlainFields::field(self, i)
    }
}

/// Types the record `plain`, at `pos`, and pushes it to `rows` when it is a row typed without
/// a problem: `true` then. `false` when it is anything else (blank, of another number of
/// fields, with a cell that does not type, in a block that is not UTF-8, of a table whose
/// rows are not typed), with nothing pushed: [`type_record`] then reads the record and says
/// what is wrong with it, as it does for every record with quotes.
#[inline]
fn type_plain<'a, R: Record<'a>>(
    bytes: &'a [u8],
    text: Option<(&'a str, usize)>,
    plain: PlainFields<'_>,
    pos: RowPos,
    layout: &Layout,
    faults: &mut Vec<(usize, CellFault)>,
    rows: &mut Vec<Row<R>>,
) -> bool {
    let start = pos.offset as usize;
    let Some((text, base)) = text else { return false };
    // Without quotes, a record whose cells are all empty is its commas alone: a blank row.
    let blank = plain.end - start == plain.count().saturating_sub(1);
    if !layout.typable || !layout.checkable || plain.count() != layout.width || blank {
        return false;
    }
    let record_text = text.get(start - base..plain.end - base).unwrap_or("");
    faults.clear();
    let cells = (bytes, record_text, start, plain);
    read_cells(layout, cells, faults, |record: R| rows.push(Row { pos, record }))
}

/// [`Record::read_cells_into`] of a record's `(bytes, record_text, start, spans)`, its cells
/// found through `layout`.
#[inline(always)]
fn read_cells<'a, R: Record<'a>>(
    layout: &Layout,
    (bytes, record_text, start, spans): (&'a [u8], &'a str, usize, impl FieldSpans),
    faults: &mut Vec<(usize, CellFault)>,
    keep: impl FnOnce(R),
) -> bool {
    if layout.in_order {
        R::read_cells_into(&mut RecordCells { bytes, record_text, start, spans, field_of: Some }, faults, keep)
    } else {
        let columns = layout.fields.as_slice();
        let field_of = |column: usize| columns[column];
        R::read_cells_into(&mut RecordCells { bytes, record_text, start, spans, field_of }, faults, keep)
    }
}

impl<'a, S: FieldSpans, F: Fn(usize) -> Option<usize>> model::Cells<'a> for RecordCells<'a, S, F> {
    #[inline(always)]
    fn text(&mut self, column: usize) -> Cow<'a, str> {
        match (self.field_of)(column).and_then(|field| self.spans.field(field)) {
            Some(span) => cell_text(self.record_text, self.start, span),
            None => Cow::Borrowed(""),
        }
    }

    #[inline(always)]
    fn plain(&mut self, column: usize) -> Option<&'a [u8]> {
        let span = self.spans.field((self.field_of)(column)?)?;
        // A cell that starts with a quote has quotes to remove; no other cell has.
        self.bytes.get(span).filter(|cell| cell.first() != Some(&b'"'))
    }
}

/// A quoted cell's text: out of line, as almost no cell is quoted.
#[inline(never)]
fn quoted_cell_text(raw_text: &str) -> Cow<'_, str> {
    scan::unquote(raw_text)
}

/// Whether a field of a record without quote faults, from its raw bytes, is an empty cell:
/// nothing, or an empty quoted cell (a field that starts with a quote ends with the quote that
/// closes it, and only `""` leaves nothing when the quotes are removed).
fn is_empty_cell(raw: &[u8]) -> bool {
    raw.is_empty() || raw == b"\"\""
}

/// What became of a record.
enum Typed {
    /// It was typed, and pushed to the rows.
    Row,
    Rejected(Vec<Problem>),
    Blank(Box<Problem>),
}

/// Types the record `raw`, at `pos`, and pushes it to `rows` (there, not returned: a row is
/// then moved once, from where it is built to its place in the rows).
#[allow(clippy::too_many_arguments)]
fn type_record<'a, R: Record<'a>>(
    file: &'a SourceFile,
    bytes: &'a [u8],
    text: Option<(&'a str, usize)>,
    raw: &RawRecord,
    pos: RowPos,
    layout: &Layout,
    faults: &mut Vec<(usize, CellFault)>,
    rows: &mut Vec<Row<R>>,
) -> Typed {
    let start = pos.offset as usize;
    let line = pos.line;
    let whole = start..raw.end;
    let snippet = || snippet_of(&file.name, bytes, whole.clone(), line);
    let error =
        |kind: ErrorKind, span: Range<usize>, column: Option<String>, message: String, help: Option<String>| Problem {
            kind,
            file: file.name.clone(),
            line: line + scan::count_line_breaks(&bytes[start..span.start.max(start)], None),
            column,
            key: None,
            span: Some(span),
            message,
            help,
            snippet: snippet(),
            fix: None,
        };
    if let Some(fault) = raw.fault {
        let (kind, at) = quote_fault_kind(fault);
        let help = match fault {
            QuoteFault::TextAfterQuote { .. } => "put the whole cell inside the quotes: \"like this\"",
            _ => "quote the whole cell and write the quote twice: \"a \"\"quoted\"\" word\"",
        };
        let column = column_of_offset(layout, file, raw, at);
        let message = format!("this row has {}", quote_fault_words(fault));
        return Typed::Rejected(vec![error(kind, at..at + 1, column, message, Some(help.to_owned()))]);
    }
    // The record as text: sliced from its block when the block is UTF-8 as a whole (the
    // record starts and ends at line breaks, char boundaries), validated on its own otherwise.
    let record_text = match text {
        Some((text, base)) => text.get(start - base..raw.end - base).unwrap_or(""),
        None => match std::str::from_utf8(&bytes[whole.clone()]) {
            Ok(record_text) => record_text,
            Err(e) => {
                let at = start + e.valid_up_to();
                let column = column_of_offset(layout, file, raw, at);
                let message = format!("invalid UTF-8 at byte {at} of the file");
                let help = "save the file as UTF-8".to_owned();
                return Typed::Rejected(vec![error(ErrorKind::InvalidUtf8, at..at + 1, column, message, Some(help))]);
            }
        },
    };
    let cell = |field: usize| raw.field(field).map_or(Cow::Borrowed(""), |span| cell_text(record_text, start, span));
    // A row is blank when it has the header's fields and every one is empty. A row with
    // another number of fields is a field-count error whatever it holds, and a row with text
    // in any cell, even far to the right, is data.
    if raw.field_count == layout.width && raw.fields().all(|span| is_empty_cell(&bytes[span])) {
        return Typed::Blank(Box::new(error(
            ErrorKind::BlankRow,
            whole.clone(),
            None,
            "a row whose cells are all empty".to_owned(),
            Some("delete the line".to_owned()),
        )));
    }
    if !layout.checkable {
        return Typed::Rejected(Vec::new());
    }
    if raw.field_count != layout.width {
        return Typed::Rejected(vec![field_count_error::<R>(raw, layout, &cell, whole.clone(), error)]);
    }
    faults.clear();
    // `read_cells_into` reads every cell of every row through the cells it is given, whose methods
    // are inlined into it: a call per cell would cost more than reading most cells. The record
    // is pushed by `keep`, not returned: one copy, from where it is assembled.
    let typable = layout.typable;
    let read = read_cells(layout, (bytes, record_text, start, raw), faults, |record: R| {
        if typable {
            rows.push(Row { pos, record });
        }
    });
    // A column the header lacks is reported once, at the header, not in every row.
    if !faults.is_empty() {
        faults.retain(|(column, _)| layout.fields[*column].is_some());
    }
    match read {
        true if typable => Typed::Row,
        _ => {
            let def = R::TABLE.def();
            let key = key_text(def, layout, &cell);
            let errors = faults
                .drain(..)
                .map(|(column, fault)| {
                    let field = layout.fields[column].unwrap_or(0);
                    // Always kept: a row typed has the header's fields, fewer than the limit.
                    let span = raw.field(field).unwrap_or(start..start);
                    let name = def.columns[column].name;
                    let mut e = match fault {
                        CellFault::Missing => error(
                            ErrorKind::MissingValue,
                            span.start..span.start,
                            Some(name.to_owned()),
                            format!("`{name}` is empty, but every row needs it"),
                            Some(missing_value_help(&def.columns[column])),
                        ),
                        CellFault::Invalid(cell_error) => {
                            // An invisible character (`NO` and a ZERO WIDTH SPACE) is the cause:
                            // named, and deleted by the fix.
                            let text = cell(field);
                            let cell_error = match diagnostic::text::describe_invisible(&text) {
                                Some(invisible) => {
                                    let visible = diagnostic::text::without_invisible(&text);
                                    let mut e =
                                        model::CellError::new(cell_error.expected, &format!("it contains {invisible}"));
                                    e.help = Some(format!(
                                        "write `{}`, without the invisible characters",
                                        diagnostic::text::one_line(&visible)
                                    ));
                                    e.suggestion = Some(model::Suggestion { replacement: visible, safe: false });
                                    e
                                }
                                None => cell_error,
                            };
                            let fix = cell_error.suggestion.as_ref().zip(cell_error.help.as_ref()).map(
                                |(suggestion, title)| {
                                    let title = diagnostic::text::one_line(title).into_owned();
                                    cell_fix(&file.name, span.clone(), &suggestion.replacement, suggestion.safe, title)
                                },
                            );
                            let mut problem = error(
                                ErrorKind::InvalidValue,
                                span,
                                Some(name.to_owned()),
                                format!(
                                    "`{name}` is `{}`: {}; expected {}",
                                    shown(&cell(field)),
                                    cell_error.reason,
                                    cell_error.expected
                                ),
                                cell_error.help.map(|h| diagnostic::text::one_line(&h).into_owned()),
                            );
                            problem.fix = fix;
                            problem
                        }
                    };
                    e.key = key.clone();
                    e
                })
                .collect();
            Typed::Rejected(errors)
        }
    }
}

/// What to write in an empty required cell: the column's meaning and its type, e.g. "write
/// the source's `id` (text)".
fn missing_value_help(column: &model::ColumnDef) -> String {
    let doc = column.doc.trim().trim_end_matches('.');
    let mut chars = doc.chars();
    let doc = match (chars.next(), chars.next()) {
        // "The source's `id`" becomes "the source's `id`"; "ISO 3166-1 …" keeps its capitals.
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            format!("{}{}", first.to_lowercase(), &doc[first.len_utf8()..])
        }
        _ => doc.to_owned(),
    };
    format!("write {doc} ({})", column.expected)
}

/// The row's key as text, from raw cells, for rows that could not be typed.
fn key_text<'a>(def: &TableDef, layout: &Layout, cell: &impl Fn(usize) -> Cow<'a, str>) -> Option<String> {
    let parts: Option<Vec<String>> = def
        .key
        .iter()
        .map(|k| def.column_index(k).and_then(|c| layout.fields[c]).map(|f| cell(f).into_owned()))
        .collect();
    parts.map(|p| p.join("/"))
}

/// The `csv/field-count` problem of a row: what most likely went wrong, at its place, with
/// the fix where it is certain. A row with too many fields is read as a spreadsheet or a hand
/// writes one: commas at the end of the row, curly quotes (`“a, b”`) that CSV does not read as
/// quotes, and a comma inside a cell (a decimal comma, or text that was not quoted), each
/// explained in turn, so that a row with several of them is told all of them.
fn field_count_error<'a, R: Record<'a>>(
    raw: &RawRecord,
    layout: &Layout,
    cell: &impl Fn(usize) -> Cow<'a, str>,
    whole: Range<usize>,
    error: impl Fn(ErrorKind, Range<usize>, Option<String>, String, Option<String>) -> Problem,
) -> Problem {
    let (found, expected) = (raw.field_count, layout.width);
    let fields = if found == 1 { "1 field".to_owned() } else { format!("{found} fields") };
    let message = format!("this row has {fields}, the header has {expected}");
    let every_field_kept = raw.kept() == found;
    if every_field_kept && (0..found).all(|i| cell(i).trim().is_empty()) {
        let message = format!("this row has {fields} and no text, the header has {expected}");
        return error(ErrorKind::FieldCount, whole, None, message, Some("delete the line".to_owned()));
    }
    let def = R::TABLE.def();
    let column_of = |field: usize| {
        def.columns.iter().zip(&layout.fields).find(|(_, f)| **f == Some(field)).map(|(c, _)| c.name.to_owned())
    };
    if found < expected {
        let (what, help) = missing_fields::<R>(layout, cell, found);
        return error(ErrorKind::FieldCount, whole, None, format!("{message}: {what}"), Some(help));
    }
    if !every_field_kept {
        let help = "a cell that contains a comma must be quoted: \"like, this\"".to_owned();
        return error(ErrorKind::FieldCount, whole, None, message, Some(help));
    }
    // The row's cells as they would be after each repair so far: span in the file and text.
    let mut cells: Vec<(Range<usize>, Cow<'a, str>)> =
        raw.fields().enumerate().map(|(i, span)| (span, cell(i))).collect();
    let mut steps: Vec<Step> = Vec::new();

    // Commas at the end of the row: empty fields past the header's, nothing lost with them.
    let trailing = cells.iter().rev().take_while(|(span, _)| span.is_empty()).count().min(found - expected);
    if trailing > 0 {
        let keep = found - trailing;
        let span = cells[keep - 1].0.end..cells[found - 1].0.end;
        let commas = if trailing == 1 { "the comma".to_owned() } else { format!("the {trailing} commas") };
        let cause = if trailing == 1 { "a comma" } else { "commas" };
        steps.push(Step {
            cause: format!("{cause} at the end of the row"),
            help: format!("remove {commas} at the end of the row"),
            column: None,
            span: span.clone(),
            edit: Some((span, String::new(), true)),
        });
        cells.truncate(keep);
    }
    // Curly quotes around a cell with commas: CSV quotes are straight (`"`).
    while cells.len() > expected {
        let extra = cells.len() - expected;
        let opening = |text: &str| text.trim_start().starts_with('\u{201c}');
        let closing = |text: &str| text.trim_end().ends_with('\u{201d}');
        let Some((first, last)) = (0..cells.len()).filter(|&i| opening(&cells[i].1)).find_map(|first| {
            (first + 1..=(first + extra).min(cells.len() - 1))
                .find(|&last| closing(&cells[last].1))
                .map(|last| (first, last))
        }) else {
            break;
        };
        let span = cells[first].0.start..cells[last].0.end;
        let joined = cells[first..=last].iter().map(|(_, text)| &**text).collect::<Vec<_>>().join(",");
        let inner = joined.trim().trim_start_matches('\u{201c}').trim_end_matches('\u{201d}').to_owned();
        let quoted = format!("\"{}\"", inner.replace('"', "\"\""));
        steps.push(Step {
            cause: "curly quotes, which CSV does not read as quotes, around a cell with a comma".to_owned(),
            help: format!("quote the cell with straight quotes: {}", shown(&quoted)),
            column: column_of(first),
            span: span.clone(),
            edit: Some((span.clone(), quoted, true)),
        });
        cells.splice(first..=last, [(span, Cow::Owned(inner))]);
    }
    // One field too many is usually a comma inside a cell: a decimal comma, or text with a
    // comma that was not quoted. Find the pair of fields that, joined again, makes the row
    // with the fewest faulty cells.
    if cells.len() == expected + 1 {
        let mut faults = Vec::new();
        let mut best: Option<(usize, Vec<(usize, CellFault)>)> = None;
        let is_digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        for join in 0..cells.len() - 1 {
            let joined = |field: usize| -> Cow<'a, str> {
                match field.cmp(&join) {
                    std::cmp::Ordering::Less => cells[field].1.clone(),
                    std::cmp::Ordering::Equal => format!("{},{}", cells[join].1, cells[join + 1].1).into(),
                    std::cmp::Ordering::Greater => cells[field + 1].1.clone(),
                }
            };
            faults.clear();
            let _ = R::from_cells(|c| layout.fields[c].map(&joined).unwrap_or_default(), &mut faults);
            faults.retain(|(column, _)| layout.fields[*column].is_some());
            // The joined cell's own fault, when its help says what to write (`10,3`: a decimal
            // comma), is the story, not against it. Between equally good joins, digits on both
            // sides of the comma are the likelier story: a decimal comma.
            let score = |faults: &[(usize, CellFault)], join: usize| {
                let at_join = |c: usize| layout.fields[c] == Some(join);
                let explained = |fault: &CellFault| matches!(fault, CellFault::Invalid(e) if e.help.is_some());
                let other = faults.iter().filter(|(c, f)| !at_join(*c) || !explained(f)).count();
                (other, !is_digits(&cells[join].1) || !is_digits(&cells[join + 1].1))
            };
            if faults.len() <= 1 && best.as_ref().is_none_or(|(j, f)| score(&faults, join) < score(f, *j)) {
                best = Some((join, faults.clone()));
            }
        }
        if let Some((join, faults)) = best {
            let text = format!("{},{}", cells[join].1, cells[join + 1].1);
            let span = cells[join].0.start..cells[join + 1].0.end;
            let column = layout.fields.iter().position(|f| *f == Some(join)).map(|c| def.columns[c].name.to_owned());
            let step = match faults.first() {
                Some((_, CellFault::Invalid(e))) if e.help.is_some() => Step {
                    cause: "a comma inside a cell?".to_owned(),
                    help: format!("`{}` reads as two cells; {}", shown(&text), e.help.clone().unwrap_or_default()),
                    column,
                    span: span.clone(),
                    // Which two fields belong together is a guess: a person confirms it.
                    edit: e.suggestion.as_ref().map(|s| (span, crate::error::csv_cell(&s.replacement), false)),
                },
                _ => Step {
                    cause: "a comma inside a cell?".to_owned(),
                    help: format!(
                        "a cell that contains a comma must be quoted: \"{}\"",
                        shown(&text.replace('"', "\"\""))
                    ),
                    column,
                    span,
                    edit: None,
                },
            };
            steps.push(step);
            cells.truncate(expected);
        }
    }
    if steps.is_empty() {
        let help = "a cell that contains a comma must be quoted: \"like, this\"".to_owned();
        return error(ErrorKind::FieldCount, whole, None, message, Some(help));
    }
    let mut help = steps.iter().map(|s| s.help.as_str()).collect::<Vec<_>>().join("; then ");
    if cells.len() != expected {
        // The rest has no story: say how far the repairs go.
        help.push_str(&format!(
            "; the row then still has {} fields, the header has {expected}: a cell that contains a comma must be \
             quoted: \"like, this\"",
            cells.len()
        ));
    }
    let causes = steps.iter().map(|s| s.cause.as_str()).collect::<Vec<_>>().join(", and ");
    let first = steps.iter().min_by_key(|s| s.span.start).unwrap_or(&steps[0]);
    let mut problem = error(
        ErrorKind::FieldCount,
        first.span.clone(),
        first.column.clone(),
        format!("{message}: {causes}"),
        Some(help.clone()),
    );
    let complete = cells.len() == expected && steps.iter().all(|s| s.edit.is_some());
    if complete {
        let safe = steps.iter().all(|s| s.edit.as_ref().is_some_and(|e| e.2));
        let mut edits: Vec<Edit> = steps
            .into_iter()
            .filter_map(|s| s.edit)
            .map(|(span, replacement, _)| Edit { file: problem.file.clone(), span, replacement })
            .collect();
        edits.sort_by_key(|e| e.span.start);
        let applicability = if safe { Applicability::Safe } else { Applicability::Unsafe };
        problem.fix = Some(Fix { title: help, applicability, edits });
    }
    problem
}

/// One thing that explains part of a row's extra fields.
struct Step {
    /// What went wrong, for the message.
    cause: String,
    /// How to repair it, for the help and the fix's title.
    help: String,
    /// The column of the cell it is in, if it is in one.
    column: Option<String>,
    /// Where it is in the file.
    span: Range<usize>,
    /// The repair: the span, its replacement and whether it is safe; `None` where a person
    /// must decide.
    edit: Option<(Range<usize>, String, bool)>,
}

/// What is missing from a row with `found` fields, fewer than the header's, and the help.
/// When the row's cells are all of their columns' types as the first `found` columns, the
/// missing ones are the last; otherwise which ones are missing cannot be told.
fn missing_fields<'a, R: Record<'a>>(
    layout: &Layout,
    cell: &impl Fn(usize) -> Cow<'a, str>,
    found: usize,
) -> (String, String) {
    let def = R::TABLE.def();
    let expected = layout.width;
    let mut faults = Vec::new();
    let _ = R::from_cells(|c| layout.fields[c].filter(|&f| f < found).map(cell).unwrap_or_default(), &mut faults);
    let misplaced = faults
        .iter()
        .any(|(c, fault)| matches!(fault, CellFault::Invalid(_)) && layout.fields[*c].is_some_and(|f| f < found));
    let mut last: Vec<(usize, &str)> = def
        .columns
        .iter()
        .zip(&layout.fields)
        .filter_map(|(c, f)| f.filter(|&f| f >= found).map(|f| (f, c.name)))
        .collect();
    last.sort_unstable();
    let names = last.iter().map(|(_, name)| format!("`{name}`")).collect::<Vec<_>>().join(", ");
    if misplaced || last.is_empty() {
        return (
            format!(
                "{} missing, and the cells do not say which",
                if expected - found == 1 { "one field is" } else { "fields are" }
            ),
            format!(
                "every row needs {expected} fields, in the header's order ({}); an empty cell is written as \
                 nothing between two commas",
                expected_header(def)
            ),
        );
    }
    let (what, them) = if last.len() == 1 {
        (format!("the last column, {names}, is missing"), "add it at the end of the row, after a comma")
    } else {
        (format!("the last columns, {names}, are missing"), "add them at the end of the row, each after a comma")
    };
    (what, format!("{them}; an empty cell is written as nothing between two commas"))
}

/// Cell text as it may appear inside a message: control characters escaped, so that a cell
/// cannot drive a terminal, and long text cut short.
pub(crate) fn shown(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    let mut cut: String = text.chars().take(MAX_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('\u{2026}');
    }
    diagnostic::text::one_line(&cut).into_owned()
}

fn quote_fault_kind(fault: QuoteFault) -> (ErrorKind, usize) {
    match fault {
        QuoteFault::Unclosed { open } => (ErrorKind::UnclosedQuote, open),
        QuoteFault::TextAfterQuote { at } => (ErrorKind::TextAfterQuote, at),
        QuoteFault::StrayQuote { at } => (ErrorKind::StrayQuote, at),
    }
}

fn quote_fault_words(fault: QuoteFault) -> &'static str {
    match fault {
        QuoteFault::Unclosed { .. } => "a quote that is never closed",
        QuoteFault::TextAfterQuote { .. } => "text after a closing quote",
        QuoteFault::StrayQuote { .. } => "a quote inside an unquoted cell",
    }
}

/// The declared column whose field contains byte `at`.
fn column_of_offset(layout: &Layout, file: &SourceFile, raw: &RawRecord, at: usize) -> Option<String> {
    let field = raw.fields().position(|f| f.start <= at && at <= f.end)?;
    let column = layout.fields.iter().position(|f| *f == Some(field))?;
    Some(file.table.def().columns[column].name.to_owned())
}

fn unclosed_quote_error(
    file: &SourceFile,
    line: u32,
    open: usize,
    column: Option<String>,
    snippet: Option<Snippet>,
) -> Problem {
    const HELP: &str = "close the quote at the end of the cell; a quote inside a quoted cell is written twice (\"\")";
    Problem {
        kind: ErrorKind::UnclosedQuote,
        file: file.name.clone(),
        line,
        column,
        key: None,
        span: Some(open..open + 1),
        message: "this quote is never closed".to_owned(),
        help: Some(HELP.to_owned()),
        snippet,
        fix: None,
    }
}

fn blank_lines_error(file: &SourceFile, count: u32, first_blank_line: u32) -> Problem {
    let message = if count == 1 { "an empty line".to_owned() } else { format!("{count} empty lines") };
    Problem {
        kind: ErrorKind::BlankRow,
        file: file.name.clone(),
        line: first_blank_line,
        column: None,
        key: None,
        span: None,
        message,
        help: Some("delete empty lines: a row of the table is never empty".to_owned()),
        snippet: None,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_inside_the_file_is_text_of_its_cell() {
        // A BOM inside a file (two files pasted together) is text of its cell, and the cell's
        // span counts its three bytes, also where a block or a restarted reader begins.
        let bytes = "code,iso3,name_en,name_nb\n\u{feff}FR,FRA,France,Frankrike\n".as_bytes().to_vec();
        let file = SourceFile::held(model::TableId::Countries, "countries.csv".to_owned(), Some(bytes));
        let (table, errors) = parse_table::<model::Country<'_>>(&file, DEFAULT_BLOCK_SIZE, true);
        assert_eq!((table.data_rows, table.rejected_rows), (1, 1));
        let found: Vec<_> = errors.iter().map(|e| (e.kind, e.line, e.column.as_deref(), e.span.clone())).collect();
        assert_eq!(found, vec![(ErrorKind::InvalidValue, 2, Some("code"), Some(26..31))]);
    }

    /// The commodity lines of `csv` as ingest types them (its cells read from their bytes where
    /// they are plain), against what `from_cells` makes of the cells' texts as the `csv` crate
    /// reads them: the same rows, and the same faulty cells (line, column, missing or invalid).
    fn typed_as_texts_type(csv: &str) -> usize {
        use model::{Record, TradeCommodity};
        let file =
            SourceFile::held(model::TableId::TradeCommodities, "trade_commodities.csv".to_owned(), Some(csv.into()));
        let (table, errors) = parse_table::<TradeCommodity<'_>>(&file, DEFAULT_BLOCK_SIZE, true);
        let typed: Vec<&TradeCommodity<'_>> = table.rows.iter().map(|row| &row.record).collect();
        let faulty: Vec<(u32, Option<String>, ErrorKind)> = errors
            .iter()
            .filter(|e| matches!(e.kind, ErrorKind::MissingValue | ErrorKind::InvalidValue))
            .map(|e| (e.line, e.column.clone(), e.kind))
            .collect();

        let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
        let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_owned).collect();
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
        let mut expected_rows = Vec::new();
        let mut expected_faults = Vec::new();
        for (index, record) in records.iter().enumerate() {
            let mut faults = Vec::new();
            let row = TradeCommodity::from_cells(
                |column| {
                    let name = TradeCommodity::COLUMNS[column].name;
                    let field = header.iter().position(|h| h == name).expect("every column in the header");
                    Cow::Owned(record[field].to_owned())
                },
                &mut faults,
            );
            expected_rows.extend(row);
            let line = u32::try_from(index).expect("a few lines") + 2;
            expected_faults.extend(faults.into_iter().map(|(column, fault)| {
                let kind = match fault {
                    CellFault::Missing => ErrorKind::MissingValue,
                    CellFault::Invalid(_) => ErrorKind::InvalidValue,
                };
                (line, Some(TradeCommodity::COLUMNS[column].name.to_owned()), kind)
            }));
        }
        assert_eq!(typed, expected_rows.iter().collect::<Vec<_>>(), "{csv}");
        assert_eq!(faulty, expected_faults, "{csv}");
        typed.len()
    }

    #[test]
    fn cells_read_from_their_bytes_are_typed_as_their_texts_are() {
        let header = "reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source";
        let rows = [
            "NO,BJ,1988,export,1,Kakao og sjokolade,292.2,NOK million,2.6,syn-bj",
            // Quoted cells of every kind, a comma and a quote inside text.
            "\"NO\",\"BJ\",\"1988\",\"export\",\"2\",\"Fisk, fersk og \"\"frosset\"\"\",\"0.5\",\"NOK billion\",\"007\",\"syn-bj\"",
            // Empty optional cells, and an empty quoted one.
            "NO,BJ,1988,export,3,Maskiner,,,\"\",syn-bj",
            "NO,BJ,1988,import,1,Olje,-0,NOK,100.000000000,syn-bj",
            // Empty required cells, plain and quoted: missing.
            "NO,,1988,import,,Olje,1,NOK,1,\"\"",
            // Near misses of every plain reading: invalid, and told as the text path tells them.
            "no,BJ,88,Export,0,Olje,1.,NOK  million,.5,syn-bj",
            "NO,BJ,1988,import,65536,Olje,+1,nok,1e3,syn-bj",
            "NO,BJ,1988,import,4, Olje ,1234567890123456789,NOK,0.0000000001,syn-bj",
            "NO,BJ,1988,import,5,Ølje,2,NOK,\u{00a0}1,syn-bj",
            // The longest figures read, and text as it is, spaces and all.
            "NO,BJ,1988,import,6, Olje ,123456789012345678,NOK,0.000000001,syn-bj",
            "JP,NO,2023,export,7,Fisk,7,NOK,5,syn-jp",
        ];
        let in_order = format!("{header}\n{}\n", rows.join("\n"));
        assert_eq!(typed_as_texts_type(&in_order), 6, "the rows without a faulty cell");
        assert_eq!(typed_as_texts_type(&in_order.replace('\n', "\r\n")), 6);
        // The same columns in other orders: cells are found by the header. Swapping columns of
        // one type (the two countries, the two figures) would type a cell read from the wrong
        // field as well as the right one.
        let reorder = |line: &str, order: &dyn Fn(&mut Vec<String>)| {
            let mut cells: Vec<String> = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes())
                .records()
                .next()
                .expect("a line")
                .expect("a record")
                .iter()
                .map(|cell| {
                    if cell.is_empty() || cell.contains([',', '"']) {
                        format!("\"{}\"", cell.replace('"', "\"\""))
                    } else {
                        cell.to_owned()
                    }
                })
                .collect();
            order(&mut cells);
            cells.join(",")
        };
        let reversed = |cells: &mut Vec<String>| cells.reverse();
        let swapped = |cells: &mut Vec<String>| {
            cells.swap(0, 1);
            cells.swap(6, 8);
        };
        for order in [&reversed as &dyn Fn(&mut Vec<String>), &swapped] {
            let lines: Vec<String> = std::iter::once(header).chain(rows).map(|line| reorder(line, order)).collect();
            assert_eq!(typed_as_texts_type(&format!("{}\n", lines.join("\n"))), 6);
        }
    }

    fn residents(body: &[u8]) -> SourceFile {
        residents_under(b"country,citizenship,year,count,source\n", body)
    }

    fn residents_under(header: &[u8], body: &[u8]) -> SourceFile {
        let mut bytes = header.to_vec();
        bytes.extend_from_slice(body);
        SourceFile::held(model::TableId::Residents, "residents.csv".to_owned(), Some(bytes))
    }

    /// A problem's kind, line and column label.
    type Found = (ErrorKind, u32, Option<String>);

    /// What a header makes of the rows below it: the problems, the rows typed, and whether
    /// the table is trusted as complete.
    fn read_under(header: &str, body: &str) -> (Vec<Found>, usize, bool) {
        let file = residents_under(header.as_bytes(), body.as_bytes());
        let (table, errors) = parse_table::<model::Resident<'_>>(&file, DEFAULT_BLOCK_SIZE, true);
        let found = errors.into_iter().map(|e| (e.kind, e.line, e.column)).collect();
        (found, table.rows.len(), table.is_complete())
    }

    const ROWS: &str = "NO,JP,2009,799,no-jp-2015\nNO,JP,2010,838\nNO,JP,2011,855,no-jp-2015\n";

    #[test]
    fn a_renamed_header_is_one_finding_and_the_rows_below_are_still_checked() {
        let (found, typed, complete) = read_under("country,citizenshp,year,count,source\n", ROWS);
        assert_eq!(
            found,
            vec![(ErrorKind::UnknownColumn, 1, Some("citizenshp".to_owned())), (ErrorKind::FieldCount, 3, None),]
        );
        // The rows are typed, but a table read through a guessed header is not trusted.
        assert_eq!((typed, complete), (2, false));
        let (_, typed, complete) = read_under("country,citizenship,year,count,source\n", "NO,JP,2009,799,no-jp-2015\n");
        assert_eq!((typed, complete), (1, true));
        let (found, typed, complete) =
            read_under(" country,citizenship,year,count,source\n", "NO,JP,2009,799,no-jp-2015\n");
        assert_eq!(found, vec![(ErrorKind::PaddedColumn, 1, Some("country".to_owned()))]);
        assert_eq!((typed, complete), (1, false));
    }

    #[test]
    fn a_header_missing_a_column_checks_the_rows_without_typing_them() {
        let (found, typed, _) =
            read_under("country,citizenship,year,source\n", "NO,JP,2009,no-jp-2015\nNO,JP,20x0,no-jp-2015\nNO,JP\n");
        assert_eq!(
            found,
            vec![
                (ErrorKind::MissingColumn, 1, None),
                (ErrorKind::InvalidValue, 3, Some("year".to_owned())),
                (ErrorKind::FieldCount, 4, None),
            ]
        );
        assert_eq!(typed, 0);
        // Rows that still have the column do not fault one by one against the header.
        let (found, typed, _) =
            read_under("country,citizenship,year,source\n", "NO,JP,2009,799,no-jp-2015\nNO,JP,2010,838,no-jp-2015\n");
        assert_eq!((found, typed), (vec![(ErrorKind::MissingColumn, 1, None)], 0));
    }

    #[test]
    fn a_header_that_is_data_lets_no_row_be_read() {
        let (found, typed, complete) = read_under("NO,JP,2009,799,no-jp-2015\n", ROWS);
        assert!(
            found.iter().all(
                |(kind, line, _)| *line == 1 && matches!(kind, ErrorKind::UnknownColumn | ErrorKind::MissingColumn)
            )
        );
        assert_eq!(found.iter().filter(|(kind, ..)| *kind == ErrorKind::MissingColumn).count(), 1);
        assert_eq!((typed, complete), (0, false));
    }

    #[test]
    fn an_invisible_character_in_a_name_is_named_and_fixed_safely() {
        let file = residents_under("country,citizenship\u{200b},year,count,source\n".as_bytes(), ROWS.as_bytes());
        let (table, errors) = parse_table::<model::Resident<'_>>(&file, DEFAULT_BLOCK_SIZE, true);
        assert_eq!(table.rows.len(), 2);
        let header = &errors[0];
        assert_eq!((header.kind, header.column.as_deref()), (ErrorKind::UnknownColumn, Some("citizenship")));
        assert_eq!(
            header.message,
            "the column name `citizenship\u{200b}` contains an invisible ZERO WIDTH SPACE (U+200B) after `citizenship`"
        );
        let fix = header.fix.as_ref().expect("a fix");
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!((fix.edits[0].span.clone(), fix.edits[0].replacement.as_str()), (8..22, "citizenship"));
        // A guessed name says what it hides too.
        let file = residents_under("country,citizenshp\u{200b},year,count,source\n".as_bytes(), ROWS.as_bytes());
        let (_, errors) = parse_table::<model::Resident<'_>>(&file, DEFAULT_BLOCK_SIZE, true);
        assert_eq!(
            errors[0].message,
            "unknown column `citizenshp\u{200b}`, read as `citizenship`; the name contains an invisible ZERO WIDTH SPACE (U+200B) after `citizenshp`"
        );
        assert_eq!(errors[0].fix.as_ref().map(|f| f.applicability), Some(Applicability::Unsafe));
    }

    #[test]
    fn problems_of_one_kind_beyond_the_limit_are_counted_not_kept() {
        let extra = 1500;
        let file = residents(&b"x\n".repeat(MAX_LISTED + extra));
        for block_size in [DEFAULT_BLOCK_SIZE, 64] {
            let (table, errors) = parse_table::<model::Resident<'_>>(&file, block_size, true);
            assert_eq!(errors.len(), MAX_LISTED, "blocks of {block_size}");
            assert!(errors.iter().all(|e| e.kind == ErrorKind::FieldCount));
            // The first ones in the file are kept, whatever the blocks.
            assert_eq!(errors.last().map(|e| e.line), Some(1 + MAX_LISTED as u32));
            assert_eq!(table.unlisted_problems, vec![(ErrorKind::FieldCount, extra)]);
            assert_eq!((table.data_rows, table.rejected_rows), (MAX_LISTED + extra, MAX_LISTED + extra));
        }
    }

    #[test]
    fn a_row_is_blank_only_with_the_header_fields_all_empty() {
        let check = |body: &[u8]| {
            let file = residents(body);
            let (_, errors) = parse_table::<model::Resident<'_>>(&file, DEFAULT_BLOCK_SIZE, true);
            errors.iter().map(|e| (e.kind, e.message.clone())).collect::<Vec<_>>()
        };
        let blank = (ErrorKind::BlankRow, "a row whose cells are all empty".to_owned());
        assert_eq!(check(b",,,,\n"), vec![blank.clone()]);
        assert_eq!(check(b",\"\",,,\n"), vec![blank]);
        // Text far to the right: a field-count error, not a blank row.
        let mut far = b",".repeat(84);
        far.extend_from_slice(b"\"NO\"\n");
        assert_eq!(check(&far), vec![(ErrorKind::FieldCount, "this row has 85 fields, the header has 5".to_owned())]);
        let mut far = b",".repeat(3000);
        far.extend_from_slice(b"NO\n");
        assert_eq!(check(&far)[0].0, ErrorKind::FieldCount);
        // Too few or too many empty fields, or only spaces: the wrong number of fields.
        let found = check(b",,,\n   \n,,,,,,\n");
        assert!(found.iter().all(|(kind, message)| *kind == ErrorKind::FieldCount && message.contains("no text")));
        assert_eq!(found.len(), 3);
    }
}
