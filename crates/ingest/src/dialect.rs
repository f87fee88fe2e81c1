//! Spreadsheet exports recognised: a table's [`Dialect`] (encoding and delimiter) is detected
//! before it is parsed, and a file in another dialect than UTF-8 with commas is converted in
//! memory, so that its rows are read and checked as if it had been saved canonically.
//!
//! The delimiter is decided from the header line against the table's declared column names,
//! not guessed from character counts. Encodings are decoded with `encoding_rs`: UTF-8 (with or
//! without a byte-order mark), UTF-16 LE or BE (with or without one), and Windows-1252 when the
//! bytes are not UTF-8 but decode to plausible text. The conversion keeps every line break, so
//! the rows of a converted file are at their lines; a cell that holds a comma is quoted.
//!
//! A converted file gets one `file/dialect` diagnostic naming its dialect in plain words, with
//! a safe fix that replaces the whole file by its converted bytes. The other findings of that
//! file keep their lines, but their byte spans are in the converted text, so they carry no fix
//! until the file has been converted ([`keep_conversion_fix_alone`]).

use std::borrow::Cow;

use diagnostic::{Applicability, Diagnostic, Edit, Fix};
use model::{TableDef, TableId};

use crate::ErrorKind;

/// How a file's bytes encode its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark: the canonical form.
    Utf8,
    /// UTF-8 after a byte-order mark.
    Utf8Bom,
    /// UTF-16, least significant byte first; `bom` when it starts with a byte-order mark.
    Utf16Le {
        /// Whether the file starts with a byte-order mark.
        bom: bool,
    },
    /// UTF-16, most significant byte first; `bom` when it starts with a byte-order mark.
    Utf16Be {
        /// Whether the file starts with a byte-order mark.
        bom: bool,
    },
    /// Windows-1252 (the Western European code page; a superset of Latin-1's printable
    /// characters).
    Windows1252,
}

/// What separates the cells of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delimiter {
    /// `,`: the canonical form.
    Comma,
    /// `;`, as spreadsheet programs save CSV where the decimal separator is a comma.
    Semicolon,
    /// A tab, as spreadsheet programs save "Unicode text".
    Tab,
}

impl Delimiter {
    /// The delimiter's byte.
    pub const fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }
}

/// A file's encoding and delimiter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// How the bytes encode the text.
    pub encoding: Encoding,
    /// What separates cells.
    pub delimiter: Delimiter,
}

impl Dialect {
    /// Whether a file in this dialect is read as it is: UTF-8 with commas. A byte-order mark
    /// before UTF-8 is skipped by the parser; `fmt` removes it.
    pub fn is_readable_as_is(self) -> bool {
        matches!(self.encoding, Encoding::Utf8 | Encoding::Utf8Bom) && self.delimiter == Delimiter::Comma
    }

    /// The dialect in plain words, e.g. "semicolons between cells and Windows-1252 characters".
    pub fn describe(self) -> String {
        let mut parts = Vec::new();
        match self.delimiter {
            Delimiter::Comma => {}
            Delimiter::Semicolon => parts.push("semicolons between cells".to_owned()),
            Delimiter::Tab => parts.push("tabs between cells".to_owned()),
        }
        match self.encoding {
            Encoding::Utf8 => {}
            Encoding::Utf8Bom => parts.push("a UTF-8 byte-order mark".to_owned()),
            Encoding::Utf16Le { bom } => parts.push(format!("UTF-16 characters (little-endian{})", bom_words(bom))),
            Encoding::Utf16Be { bom } => parts.push(format!("UTF-16 characters (big-endian{})", bom_words(bom))),
            Encoding::Windows1252 => parts.push("Windows-1252 characters".to_owned()),
        }
        parts.join(" and ")
    }

    /// Which program writes files like this, for the message.
    fn likely_origin(self) -> &'static str {
        match (self.delimiter, self.encoding) {
            (Delimiter::Tab, _) | (_, Encoding::Utf16Le { .. } | Encoding::Utf16Be { .. }) => {
                "as a spreadsheet program saves \"Unicode text\""
            }
            (Delimiter::Semicolon, _) => {
                "as a spreadsheet program saves CSV with a Norwegian locale (or another that writes decimal commas)"
            }
            _ => "as a spreadsheet program or an older editor on Windows saves text",
        }
    }
}

fn bom_words(bom: bool) -> &'static str {
    if bom { ", with a byte-order mark" } else { "" }
}

/// The dialect of `bytes`, a file of the table `def`, and its text decoded; `None` for text
/// when the bytes are in no encoding recognised (they are then read as they are, and the
/// parser reports the bytes that are not UTF-8).
pub fn detect<'b>(def: &TableDef, bytes: &'b [u8]) -> (Dialect, Option<Cow<'b, str>>) {
    let (encoding, text) = decode(bytes);
    let delimiter = text.as_deref().map_or(Delimiter::Comma, |t| delimiter_of(def, t));
    (Dialect { encoding, delimiter }, text)
}

/// `bytes` as the parser should read them, and the `file/dialect` diagnostic when they had to
/// be converted. Called once per file as it is loaded.
pub(crate) fn normalise(table: TableId, name: &str, bytes: Vec<u8>) -> (Vec<u8>, Option<Diagnostic>) {
    let (dialect, text) = detect(table.def(), &bytes);
    if dialect.is_readable_as_is() {
        return (bytes, None);
    }
    let Some(text) = text else {
        return (bytes, None);
    };
    let converted = with_commas(&text, dialect.delimiter);
    let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let message = format!("`{file_name}` uses {}, {}", dialect.describe(), dialect.likely_origin());
    let fix = Fix {
        title: "convert the file to UTF-8 with commas between cells: `cargo xtask fix`".to_owned(),
        applicability: Applicability::Safe,
        edits: vec![Edit { file: name.to_owned(), span: 0..bytes.len(), replacement: converted.clone() }],
    };
    let mut diagnostic =
        Diagnostic::new(ErrorKind::Dialect.rule(), ErrorKind::Dialect.severity(), name, message).with_fix(fix);
    diagnostic.table = Some(table);
    (converted.into_bytes(), Some(diagnostic))
}

/// Removes the fixes of every finding in a file that has a `file/dialect` finding, except
/// that one: their spans are in the converted text, not in the file. Once the file is
/// converted (the conversion's fix is safe), a new check gives them with their fixes.
pub fn keep_conversion_fix_alone(findings: &mut [Diagnostic]) {
    let rule = ErrorKind::Dialect.rule();
    let converted: Vec<String> = findings.iter().filter(|f| f.rule() == rule).map(|f| f.file.clone()).collect();
    if converted.is_empty() {
        return;
    }
    for finding in findings.iter_mut() {
        if finding.rule() != rule && converted.contains(&finding.file) {
            finding.fix = None;
        }
    }
}

/// Decodes `bytes`: the encoding, and the text without a byte-order mark.
fn decode(bytes: &[u8]) -> (Encoding, Option<Cow<'_, str>>) {
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return (Encoding::Utf8Bom, simdutf8::basic::from_utf8(rest).ok().map(Cow::Borrowed));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return (Encoding::Utf16Le { bom: true }, decode_utf16(encoding_rs::UTF_16LE, rest));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return (Encoding::Utf16Be { bom: true }, decode_utf16(encoding_rs::UTF_16BE, rest));
    }
    match utf16_without_bom(bytes) {
        Some(Encoding::Utf16Le { .. }) => {
            return (Encoding::Utf16Le { bom: false }, decode_utf16(encoding_rs::UTF_16LE, bytes));
        }
        Some(Encoding::Utf16Be { .. }) => {
            return (Encoding::Utf16Be { bom: false }, decode_utf16(encoding_rs::UTF_16BE, bytes));
        }
        _ => {}
    }
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return (Encoding::Utf8, Some(Cow::Borrowed(text)));
    }
    if is_plausibly_windows_1252(bytes) {
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        return (Encoding::Windows1252, Some(text));
    }
    (Encoding::Utf8, None)
}

fn decode_utf16(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> Option<Cow<'static, str>> {
    encoding.decode_without_bom_handling_and_without_replacement(bytes).map(|text| Cow::Owned(text.into_owned()))
}

/// UTF-16 without a byte-order mark: text of the tables is mostly ASCII, so every other byte
/// is zero. UTF-8 text never holds a zero byte.
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<Encoding> {
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 4 {
        return None;
    }
    let pairs = head.len() / 2;
    let zeros_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 2 >= pairs && even == 0 {
        Some(Encoding::Utf16Le { bom: false })
    } else if even * 2 >= pairs && odd == 0 {
        Some(Encoding::Utf16Be { bom: false })
    } else {
        None
    }
}

/// Bytes that are not UTF-8 are taken for Windows-1252 when they hold no valid UTF-8 sequence
/// beyond ASCII (a UTF-8 file with a damaged byte has some: it stays UTF-8, and the damaged
/// byte is reported where it is) and decode to no control character but tab and line breaks.
fn is_plausibly_windows_1252(bytes: &[u8]) -> bool {
    let utf8_beyond_ascii = bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii());
    if utf8_beyond_ascii {
        return false;
    }
    let (text, had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    !had_errors && !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The delimiter under which the header line names the most declared columns; commas when
/// no other names more.
pub(crate) fn delimiter_of(def: &TableDef, text: &str) -> Delimiter {
    let header = text.trim_start_matches(['\r', '\n']);
    let header = header.split(['\r', '\n']).next().unwrap_or("");
    let known = |delimiter: Delimiter| {
        header
            .split(char::from(delimiter.byte()))
            .filter(|name| {
                let name = name.trim();
                let name = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).unwrap_or(name);
                def.column_index(name.trim()).is_some()
            })
            .count()
    };
    let mut best = (known(Delimiter::Comma), Delimiter::Comma);
    for delimiter in [Delimiter::Semicolon, Delimiter::Tab] {
        let count = known(delimiter);
        if count > best.0 {
            best = (count, delimiter);
        }
    }
    best.1
}

/// `text` with `delimiter` between cells written as commas, RFC 4180 quoting kept: a quoted
/// cell is copied as it is, an unquoted cell that holds a comma is quoted. Line breaks are
/// copied, so every row stays at its line. After a quote that is never closed, the scan
/// resumes at the next line, as the parser does.
fn with_commas(text: &str, delimiter: Delimiter) -> String {
    let bytes = text.as_bytes();
    let delimiter = delimiter.byte();
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let is_stop = |b: u8| b == delimiter || b == b'\n' || b == b'\r';
    let mut i = 0;
    while i < bytes.len() {
        // One field, from `i`.
        let start = i;
        if bytes[i] == b'"' {
            i += 1;
            loop {
                match bytes[i..].iter().position(|b| *b == b'"') {
                    Some(offset) if bytes.get(i + offset + 1) == Some(&b'"') => i += offset + 2,
                    Some(offset) => {
                        i += offset + 1;
                        break;
                    }
                    None => {
                        // Never closed: copy up to the end of the quote's line, resume after.
                        let line_end = bytes[start..]
                            .iter()
                            .position(|b| *b == b'\n' || *b == b'\r')
                            .map_or(bytes.len(), |o| start + o);
                        i = line_end;
                        break;
                    }
                }
            }
            while i < bytes.len() && !is_stop(bytes[i]) {
                i += 1;
            }
            out.push_str(&text[start..i]);
        } else {
            while i < bytes.len() && !is_stop(bytes[i]) {
                i += 1;
            }
            let cell = &text[start..i];
            if cell.contains(',') && !cell.contains('"') {
                out.push('"');
                out.push_str(cell);
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        match bytes.get(i) {
            Some(&b) if b == delimiter => {
                out.push(',');
                i += 1;
                if i == bytes.len() {
                    break;
                }
            }
            Some(b'\r' | b'\n') => {
                let breaks = bytes[i..].iter().position(|b| *b != b'\n' && *b != b'\r').map_or(bytes.len(), |o| i + o);
                out.push_str(&text[i..breaks]);
                i = breaks;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visits() -> &'static TableDef {
        TableId::Visits.def()
    }

    #[test]
    fn semicolons_and_windows_1252_are_read_as_commas_and_utf_8() {
        let bytes = b"a;b\r\nSj\xf8mat;\"x;y\"\r\n\r\n2,9;\"q\"\"\"\r\n".to_vec();
        let def = TableId::Residents.def();
        let header: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
        let mut file = header.join(";").into_bytes();
        file.extend_from_slice(&bytes[3..]);
        let (dialect, text) = detect(def, &file);
        assert_eq!(dialect, Dialect { encoding: Encoding::Windows1252, delimiter: Delimiter::Semicolon });
        let converted = with_commas(&text.unwrap(), dialect.delimiter);
        assert_eq!(converted, format!("{}\r\nSjømat,\"x;y\"\r\n\r\n\"2,9\",\"q\"\"\"\r\n", header.join(",")));
    }

    #[test]
    fn utf_16_with_and_without_a_byte_order_mark() {
        let text = "code\tiso3\tname_en\tname_nb\nNO\tNOR\tNorway\tNorge\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let def = TableId::Countries.def();
        let with_bom = [b"\xff\xfe".as_slice(), &le].concat();
        for (bytes, encoding) in [
            (with_bom, Encoding::Utf16Le { bom: true }),
            (le, Encoding::Utf16Le { bom: false }),
            (be, Encoding::Utf16Be { bom: false }),
        ] {
            let (dialect, decoded) = detect(def, &bytes);
            assert_eq!(dialect, Dialect { encoding, delimiter: Delimiter::Tab });
            assert_eq!(decoded.as_deref(), Some(text));
        }
    }

    #[test]
    fn utf_8_with_one_damaged_byte_stays_utf_8() {
        let mut bytes = "id,name\nNO,Sør".as_bytes().to_vec();
        bytes.extend_from_slice(b"\xe9\n");
        let (dialect, text) = detect(visits(), &bytes);
        assert_eq!((dialect.encoding, text), (Encoding::Utf8, None));
    }

    #[test]
    fn a_comma_file_whose_cells_hold_semicolons_stays_a_comma_file() {
        let def = TableId::Countries.def();
        let bytes = b"code,iso3,name_en,name_nb\nNO,NOR,\"a;b;c;d\",x\n";
        assert_eq!(detect(def, bytes).0, Dialect { encoding: Encoding::Utf8, delimiter: Delimiter::Comma });
    }

    #[test]
    fn one_diagnostic_with_a_safe_fix_that_converts_the_whole_file() {
        let bytes = b"code;iso3;name_en;name_nb\nNO;NOR;Norway;Norge\n".to_vec();
        let len = bytes.len();
        let (converted, diagnostic) = normalise(TableId::Countries, "data/countries.csv", bytes);
        assert_eq!(converted, b"code,iso3,name_en,name_nb\nNO,NOR,Norway,Norge\n");
        let diagnostic = diagnostic.unwrap();
        assert_eq!(diagnostic.rule().as_str(), "file/dialect");
        assert!(diagnostic.message.starts_with("`countries.csv` uses semicolons between cells, as a spreadsheet"));
        let fix = diagnostic.fix.unwrap();
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(fix.edits[0].span, 0..len);
    }
}
