//! [`ErrorKind`]: the kinds of problem ingest reports, each a rule id; and `Problem`, how
//! ingest notes one before it becomes a [`Diagnostic`].

use std::ops::Range;

use diagnostic::{Applicability, Diagnostic, Edit, Fix, RuleId, Severity, Snippet};
use model::TableId;

/// A problem found while reading a table, before it becomes a [`Diagnostic`].
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// What kind of problem this is.
    pub(crate) kind: ErrorKind,
    /// The file, as shown to the user (e.g. `data/visits.csv`).
    pub(crate) file: String,
    /// The 1-based line of the file (the header is line 1); 0 for a problem of the whole file.
    pub(crate) line: u32,
    /// The column's header name, for a problem of one cell or one header name.
    pub(crate) column: Option<String>,
    /// The key of the row, where it could be read (`NO/JP/2011/export`).
    pub(crate) key: Option<String>,
    /// Byte span in the file of what is wrong.
    pub(crate) span: Option<Range<usize>>,
    /// One sentence on what is wrong.
    pub(crate) message: String,
    /// How to fix it, where that is known.
    pub(crate) help: Option<String>,
    /// The lines the problem points into, for rendering.
    pub(crate) snippet: Option<Snippet>,
    /// The mechanical repair, where there is one.
    pub(crate) fix: Option<Fix>,
}

impl Problem {
    /// A problem of a whole file, at no line.
    pub(crate) fn of_file(kind: ErrorKind, file: &str, message: String, help: Option<String>) -> Problem {
        Problem {
            kind,
            file: file.to_owned(),
            line: 0,
            column: None,
            key: None,
            span: None,
            message,
            help,
            snippet: None,
            fix: None,
        }
    }

    /// The diagnostic a run reports.
    pub(crate) fn into_diagnostic(self, table: Option<TableId>) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(self.kind.rule(), self.kind.severity(), self.file, self.message);
        diagnostic.table = table;
        diagnostic.line = self.line;
        diagnostic.column = self.column;
        diagnostic.key = self.key;
        diagnostic.span = self.span;
        diagnostic.help = self.help;
        diagnostic.snippet = self.snippet;
        match self.fix {
            Some(fix) => diagnostic.with_fix(fix),
            None => diagnostic,
        }
    }
}

/// A fix that replaces the raw cell at `span` of `file` by `text`, quoted as CSV needs.
pub(crate) fn cell_fix(file: &str, span: Range<usize>, text: &str, safe: bool, title: String) -> Fix {
    let applicability = if safe { Applicability::Safe } else { Applicability::Unsafe };
    Fix { title, applicability, edits: vec![Edit { file: file.to_owned(), span, replacement: csv_cell(text) }] }
}

/// `text` written as a CSV cell: quoted when it holds a comma, a quote, a line break or
/// leading or trailing spaces, with quotes doubled.
pub fn csv_cell(text: &str) -> String {
    let needs_quotes = text.contains([',', '"', '\n', '\r']) || text.trim() != text;
    if needs_quotes { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// The kinds of problem ingest reports. Each has a stable rule id ([`ErrorKind::code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A table's file is not in the data folder.
    MissingFile,
    /// A file could not be read.
    Unreadable,
    /// A file is larger than ingest accepts.
    TooLarge,
    /// A file is a symbolic link that leads out of the data folder.
    OutsideDataFolder,
    /// A file is saved in another encoding or with another delimiter than UTF-8 with commas.
    Dialect,
    /// A file has no header.
    EmptyFile,
    /// A declared column is not in the header.
    MissingColumn,
    /// The header names a column the table does not declare.
    UnknownColumn,
    /// The header names a column twice.
    DuplicateColumn,
    /// A header name is empty.
    BlankColumn,
    /// A header name has leading or trailing spaces.
    PaddedColumn,
    /// A row has more or fewer fields than the header.
    FieldCount,
    /// A quoted field is never closed.
    UnclosedQuote,
    /// Text follows the closing quote of a field.
    TextAfterQuote,
    /// A quote inside an unquoted field.
    StrayQuote,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// An empty line, or a row whose cells are all empty.
    BlankRow,
    /// A required cell is empty.
    MissingValue,
    /// A cell's text is not a value of its column's type.
    InvalidValue,
}

impl ErrorKind {
    /// Every kind, for documentation.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::MissingFile,
        ErrorKind::Unreadable,
        ErrorKind::TooLarge,
        ErrorKind::OutsideDataFolder,
        ErrorKind::Dialect,
        ErrorKind::EmptyFile,
        ErrorKind::MissingColumn,
        ErrorKind::UnknownColumn,
        ErrorKind::DuplicateColumn,
        ErrorKind::BlankColumn,
        ErrorKind::PaddedColumn,
        ErrorKind::FieldCount,
        ErrorKind::UnclosedQuote,
        ErrorKind::TextAfterQuote,
        ErrorKind::StrayQuote,
        ErrorKind::InvalidUtf8,
        ErrorKind::BlankRow,
        ErrorKind::MissingValue,
        ErrorKind::InvalidValue,
    ];

    /// The rule id, e.g. `csv/unclosed-quote`.
    pub const fn rule(self) -> RuleId {
        RuleId::new(self.code())
    }

    /// The rule id as text.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::MissingFile => "file/missing",
            ErrorKind::Unreadable => "file/unreadable",
            ErrorKind::TooLarge => "file/too-large",
            ErrorKind::OutsideDataFolder => "file/outside-data-folder",
            ErrorKind::Dialect => "file/dialect",
            ErrorKind::EmptyFile => "file/empty",
            ErrorKind::MissingColumn => "header/missing-column",
            ErrorKind::UnknownColumn => "header/unknown-column",
            ErrorKind::DuplicateColumn => "header/duplicate-column",
            ErrorKind::BlankColumn => "header/blank-column",
            ErrorKind::PaddedColumn => "header/padded-column",
            ErrorKind::FieldCount => "csv/field-count",
            ErrorKind::UnclosedQuote => "csv/unclosed-quote",
            ErrorKind::TextAfterQuote => "csv/text-after-quote",
            ErrorKind::StrayQuote => "csv/stray-quote",
            ErrorKind::InvalidUtf8 => "csv/invalid-utf8",
            ErrorKind::BlankRow => "csv/blank-row",
            ErrorKind::MissingValue => "cell/missing",
            ErrorKind::InvalidValue => "cell/invalid",
        }
    }

    /// How serious the problem is.
    pub const fn severity(self) -> Severity {
        match self {
            ErrorKind::BlankRow => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// One line on what the rule checks, for `docs/rules.md`.
    pub const fn summary(self) -> &'static str {
        match self {
            ErrorKind::MissingFile => "Every table's file exists in the data folder.",
            ErrorKind::Unreadable => "Every file can be read.",
            ErrorKind::TooLarge => "No file is larger than 4 GiB.",
            ErrorKind::OutsideDataFolder => "No file is a symbolic link to a place outside the data folder.",
            ErrorKind::Dialect => {
                "Files are UTF-8 with commas between cells; a spreadsheet export (semicolons or tabs, Windows-1252 or UTF-16) is recognised, read, and converted by a safe fix."
            }
            ErrorKind::EmptyFile => "Every file starts with a header line.",
            ErrorKind::MissingColumn => "The header names every declared column.",
            ErrorKind::UnknownColumn => {
                "The header names no column the table does not declare. A name that is a declared one in another case or with an invisible character, a near miss, or a name in a declared column's place is read as that column, so that the rows below are still checked."
            }
            ErrorKind::DuplicateColumn => "The header names each column once.",
            ErrorKind::BlankColumn => "No header name is empty.",
            ErrorKind::PaddedColumn => "No header name has leading or trailing spaces.",
            ErrorKind::FieldCount => "Every row has as many fields as the header.",
            ErrorKind::UnclosedQuote => "Every quoted field is closed.",
            ErrorKind::TextAfterQuote => "Nothing follows a closing quote but a comma or the line's end.",
            ErrorKind::StrayQuote => "A quote appears in a field only when the whole field is quoted.",
            ErrorKind::InvalidUtf8 => "Files are UTF-8.",
            ErrorKind::BlankRow => "No line is empty and no row has only empty cells.",
            ErrorKind::MissingValue => "Required cells are not empty.",
            ErrorKind::InvalidValue => "Every cell holds a value of its column's type.",
        }
    }
}
