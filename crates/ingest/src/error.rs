//! [`Error`]: every problem ingest finds, with its place in the file.

use std::fmt;
use std::ops::Range;

use miette::{LabeledSpan, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A problem found while reading the data folder.
///
/// Each error names its file and, where it has one, its 1-based line, column name and the byte
/// span of the offending cell in the file. Ingest collects errors and goes on, so one run shows
/// every problem of every file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// What kind of problem this is.
    pub kind: ErrorKind,
    /// The file, as shown to the user (e.g. `data/visits.csv`).
    pub file: String,
    /// The 1-based line of the file (the header is line 1); 0 for a problem of the whole file.
    pub line: u32,
    /// The column's header name, for a problem of one cell or one header name.
    pub column: Option<String>,
    /// The key of the row, where it could be read (`NO/JP/2011/export`).
    pub key: Option<String>,
    /// Byte span in the file of what is wrong.
    pub span: Option<Range<usize>>,
    /// One sentence on what is wrong.
    pub message: String,
    /// How to fix it, where that is known.
    pub help: Option<String>,
    /// The lines the error points into, for rendering.
    pub snippet: Option<Snippet>,
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

/// How serious a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The data is wrong: `check` fails.
    Error,
    /// Probably a mistake, but the data can stand: `check` passes.
    Warning,
}

impl ErrorKind {
    /// Every kind, for documentation.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::MissingFile,
        ErrorKind::Unreadable,
        ErrorKind::TooLarge,
        ErrorKind::OutsideDataFolder,
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

    /// The stable rule id, e.g. `csv/unclosed-quote`.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::MissingFile => "file/missing",
            ErrorKind::Unreadable => "file/unreadable",
            ErrorKind::TooLarge => "file/too-large",
            ErrorKind::OutsideDataFolder => "file/outside-data-folder",
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
            ErrorKind::EmptyFile => "Every file starts with a header line.",
            ErrorKind::MissingColumn => "The header names every declared column.",
            ErrorKind::UnknownColumn => "The header names no column the table does not declare.",
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

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

impl miette::Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.kind.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.snippet.as_ref()?;
        let span = snippet.map_span(self.span.clone()?);
        let label = self.column.clone();
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(label, span))))
    }
}

/// The lines of a file that a diagnostic points into, cut out once so that rendering never
/// rescans the file.
///
/// Control characters are shown as visible symbols (`␛` for ESC, `␀` for NUL), so that a cell
/// cannot move the cursor or recolour a terminal; spans are mapped accordingly. A lone
/// carriage return is shown as the line break it is, so that the snippet's lines are the
/// file's lines whatever its line endings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The file's name, as shown.
    pub name: String,
    /// The lines, made safe to print.
    pub text: String,
    /// The 1-based line number of the first line.
    pub first_line: u32,
    /// Byte offset in the file of the first line's start.
    pub offset: usize,
    /// For each original byte of the lines, its offset in `text` (only when they differ).
    remap: Option<Vec<u32>>,
}

impl Snippet {
    /// Cuts `bytes[range]` out of a file whose `range.start` is the start of line `first_line`.
    pub fn new(name: &str, bytes: &[u8], range: Range<usize>, first_line: u32) -> Snippet {
        let raw = &bytes[range.clone()];
        let lossy = String::from_utf8_lossy(raw);
        let needs_escaping = matches!(lossy, std::borrow::Cow::Owned(_))
            || raw.iter().any(|&b| (b < 0x20 && b != b'\n' && b != b'\r' && b != b'\t') || b == 0x7f)
            || memchr::memchr_iter(b'\r', raw).any(|i| raw.get(i + 1) != Some(&b'\n'))
            || lossy.chars().any(|c| (c as u32 >= 0x80 && c.is_control()) || is_bidi_control(c));
        if !needs_escaping {
            return Snippet {
                name: name.to_owned(),
                text: lossy.into_owned(),
                first_line,
                offset: range.start,
                remap: None,
            };
        }
        // Rebuild the text character by character, noting where each original byte went.
        let mut text = String::with_capacity(raw.len() + 16);
        let mut remap = vec![0u32; raw.len() + 1];
        let mut i = 0;
        while i < raw.len() {
            let (shown, width) = if raw[i] < 0x80 {
                // A lone carriage return ends a line, as it does for the CSV reader and for
                // line numbers; printed raw, it would move the cursor back over the line.
                let lone_cr = raw[i] == b'\r' && raw.get(i + 1) != Some(&b'\n');
                (if lone_cr { '\n' } else { visible(raw[i] as char) }, 1)
            } else {
                match decode_one(&raw[i..]) {
                    Some((c, w)) if c.is_control() || is_bidi_control(c) => ('\u{fffd}', w),
                    Some((c, w)) => (c, w),
                    None => ('\u{fffd}', 1),
                }
            };
            for k in 0..width {
                remap[i + k] = u32::try_from(text.len()).unwrap_or(u32::MAX);
            }
            text.push(shown);
            i += width;
        }
        remap[raw.len()] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        Snippet { name: name.to_owned(), text, first_line, offset: range.start, remap: Some(remap) }
    }

    /// Maps a byte span of the file to a span of [`Snippet::text`].
    pub fn map_span(&self, span: Range<usize>) -> SourceSpan {
        let local = |at: usize| {
            let at = at.saturating_sub(self.offset);
            match &self.remap {
                Some(remap) => remap.get(at).copied().unwrap_or(u32::MAX) as usize,
                None => at,
            }
            .min(self.text.len())
        };
        let (start, end) = (local(span.start), local(span.end));
        SourceSpan::new(start.into(), end.saturating_sub(start))
    }
}

/// Cell text as it may appear inside a message: control characters shown as symbols (a line
/// break of any kind as `⏎`, a tab as `␉`, ESC as `␛`), other invisible or text-reordering
/// characters escaped (`\u{202e}`), and long text cut short, so that a quoted cell can
/// neither drive a terminal nor break the message's line.
pub fn cell_in_message(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let mut count = 0;
    while let Some(c) = chars.next() {
        if count == MAX_CHARS {
            out.push('…');
            break;
        }
        count += 1;
        match c {
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('⏎');
            }
            '\t' => out.push('\u{2409}'),
            c if c.is_ascii_control() => out.push(visible(c)),
            c if c.is_control() || is_bidi_control(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Decodes the first UTF-8 character of `bytes`.
fn decode_one(bytes: &[u8]) -> Option<(char, usize)> {
    let len = match bytes.first()? {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(bytes.get(..len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

/// Characters that reorder text on screen, so that what is shown differs from what is stored.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// An ASCII character as it may be shown in a terminal: control characters become the
/// Unicode "control pictures".
fn visible(c: char) -> char {
    match c {
        '\n' | '\r' | '\t' => c,
        '\u{7f}' => '\u{2421}',
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        c => c,
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, context_lines_before, context_lines_after)?;
        let line = self.first_line.saturating_sub(1) as usize + inner.line();
        // miette counts the column in bytes; people and editors count characters.
        let line_start =
            self.text.get(..span.offset()).and_then(|before| before.rfind(['\n', '\r'])).map_or(0, |p| p + 1);
        let column =
            self.text.get(line_start..line_start + inner.column()).map_or(inner.column(), |s| s.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_cell_shows_its_line_breaks_and_controls_as_symbols() {
        assert_eq!(cell_in_message("Phnom\nPenh"), "Phnom⏎Penh");
        assert_eq!(cell_in_message("Phnom\r\nPenh"), "Phnom⏎Penh");
        assert_eq!(cell_in_message("Phnom\rPenh"), "Phnom⏎Penh");
        assert_eq!(cell_in_message("\t=1+1"), "␉=1+1");
        assert_eq!(cell_in_message("\u{1b}[31mred\u{7f}"), "␛[31mred␡");
        assert_eq!(cell_in_message("\u{202e}txt\u{85}"), "\\u{202e}txt\\u{85}");
        assert_eq!(cell_in_message(&"x".repeat(100)).chars().count(), 81);
    }

    #[test]
    fn a_snippet_shows_a_lone_carriage_return_as_the_line_break_it_is() {
        let bytes = b"a,\"Phnom\rPenh\",c\x1b";
        let snippet = Snippet::new("f.csv", bytes, 0..bytes.len(), 7);
        assert_eq!(snippet.text, "a,\"Phnom\nPenh\",c␛");
        // `c` is on the snippet's second line (line 8 of the file), at character 7; miette
        // counts both from 0.
        let span = snippet.map_span(15..16);
        assert_eq!(&snippet.text[span.offset()..span.offset() + span.len()], "c");
        let contents = snippet.read_span(&span, 0, 0).unwrap();
        assert_eq!((contents.line() + 1, contents.column() + 1), (8, 7));
    }
}
