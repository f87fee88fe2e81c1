//! Where records end, as the `csv` crate reads them, and the byte-level scanning it does not
//! do for us: line numbers, cell spans in the file, quote faults, and where a file can be cut
//! into blocks for parallel parsing.

use std::ops::Range;

use csv_core::ReadRecordResult;

/// Finds where records end with the `csv` crate's parser (`csv_core`, which `csv::Reader`
/// wraps): RFC 4180 quoting, and `\n`, `\r\n` or a lone `\r` ends a record.
///
/// `csv::Reader` itself is not used: it copies every record and keeps the end of every field,
/// so that a row of thirty million commas would cost 240 MB. Here the unescaped text goes to
/// a small buffer that is overwritten and never read, and the ends of the first fields are
/// kept, the others counted. The parser gives field ends in the unescaped text, not in the
/// file: for a record without quotes they give its spans in the file ([`Records::plain`],
/// where each is asked for, or [`Records::plain_fields`], written out); so they do for a record
/// whose every quote opens or closes a field ([`Records::quoted_fields`]), and any other record
/// with quotes is scanned again ([`scan_record_into`]).
/// Building the parser's tables costs more than parsing a small block (about 270,000
/// instructions), so a reader is reused from block to block ([`Records::restart`]), and a
/// dropped one's parser is kept by its thread for the next one made there: a check of a folder
/// makes one per table and per core. It is not cloned: `csv_core` 0.1.13 clones its tables
/// only in part, and a cloned reader misreads.
#[derive(Debug)]
pub(crate) struct Records {
    reader: csv_core::Reader,
    unescaped: Box<[u8]>,
    /// Where the first fields of the record read last end in its unescaped text.
    ends: Box<[usize]>,
    /// How many of `ends` hold a field's end.
    kept: usize,
    /// Field ends past `ends`, overwritten: only counted.
    overflow: Box<[usize]>,
    /// How many fields the record read last has.
    fields: usize,
    /// The length of its unescaped text (the end of its last field).
    unescaped_len: usize,
}

impl Records {
    /// A reader that keeps the ends of up to `max_fields` fields of a record.
    pub(crate) fn new(max_fields: usize) -> Records {
        let spare = SPARE_READERS.try_with(|spare| spare.borrow_mut().pop()).ok().flatten();
        // Not `unwrap_or_default`: `csv_core::Reader::default()` does not build the parser's
        // tables, and such a reader never ends a record.
        #[expect(clippy::unwrap_or_default, reason = "csv_core's Reader::default is not Reader::new")]
        let reader = spare.unwrap_or_else(csv_core::Reader::new);
        Records {
            reader,
            unescaped: vec![0; 4096].into_boxed_slice(),
            ends: vec![0; max_fields.max(1)].into_boxed_slice(),
            kept: 0,
            overflow: vec![0; 64].into_boxed_slice(),
            fields: 0,
            unescaped_len: 0,
        }
    }

    /// Reads the record that starts at `start` (a byte that is not a line break) and returns
    /// its end: the offset of the line break that ends it, or `limit` when it runs to `limit`,
    /// as a record with an unclosed quote does.
    pub(crate) fn read(&mut self, bytes: &[u8], start: usize, limit: usize) -> usize {
        let mut at = start;
        (self.kept, self.fields, self.unescaped_len) = (0, 0, 0);
        let reader = &mut self.reader;
        loop {
            let input_done = at >= limit;
            let room = if self.kept < self.ends.len() { &mut self.ends[self.kept..] } else { &mut self.overflow[..] };
            let (result, read, _, written) = reader.read_record(&bytes[at..limit], &mut self.unescaped, room);
            if let Some(&last) = room[..written].last() {
                self.unescaped_len = last;
            }
            if self.kept < self.ends.len() {
                self.kept += written;
            }
            self.fields += written;
            at += read;
            match result {
                // The last byte read ends the record: the line break.
                ReadRecordResult::Record if !input_done => return at - 1,
                ReadRecordResult::Record | ReadRecordResult::End => {
                    // The reader has seen the end of its input: ready it for the next block.
                    reader.reset();
                    return limit;
                }
                // A long field or many fields: read on, into the same buffers.
                ReadRecordResult::InputEmpty | ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }

    /// The fields of the record read last, `start..end`, which holds no quote: their spans in
    /// the file, from the parser's field ends (each comma before a field is one byte of the
    /// file that its unescaped text lacks). `None` when the unescaped text is not the raw text
    /// without its commas: the parser dropped a byte order mark at the start of its input.
    pub(crate) fn plain_fields(&self, start: usize, end: usize, record: &mut RawRecord) -> Option<()> {
        if !self.is_raw_without_commas(start, end) {
            return None;
        }
        // Field `i` ends `i` commas after its end in the unescaped text; the next starts after
        // its comma. Written from an iterator of known length: no capacity check per field.
        record.bounds.clear();
        record.bounds.push(start);
        record.bounds.extend(self.ends[..self.kept].iter().enumerate().map(|(i, &end)| start + end + i + 1));
        record.field_count = self.fields;
        record.end = end;
        record.fault = None;
        Some(())
    }

    /// The fields of the record read last, `start..end`, which holds quotes: their spans in the
    /// file, from the parser's field ends, when every quote in it opens or closes a quoted
    /// field, as in almost every such record (a quoted field's unescaped text is then its raw
    /// text without the two quotes). `None` when the record has a doubled quote or a stray one,
    /// a quoting fault, more fields than were kept, or a byte order mark the parser dropped:
    /// it is then scanned ([`scan_record_into`]), which also names its fault.
    pub(crate) fn quoted_fields(&self, bytes: &[u8], start: usize, end: usize, record: &mut RawRecord) -> Option<()> {
        if self.fields == 0 || self.kept != self.fields {
            return None;
        }
        record.bounds.clear();
        record.bounds.push(start);
        let mut at = start;
        let mut quoted_fields = 0;
        let mut unescaped_start = 0;
        for (i, &unescaped_end) in self.ends[..self.kept].iter().enumerate() {
            let len = unescaped_end.checked_sub(unescaped_start)?;
            unescaped_start = unescaped_end;
            let field_end = if at < end && bytes[at] == b'"' {
                quoted_fields += 1;
                let closing = at + len + 1;
                (closing < end && bytes[closing] == b'"').then_some(closing + 1)?
            } else {
                at + len
            };
            // Each field but the last is followed by its comma; the last ends the record.
            let ends_right =
                if i + 1 == self.kept { field_end == end } else { field_end < end && bytes[field_end] == b',' };
            if !ends_right {
                return None;
            }
            record.bounds.push(field_end + 1);
            at = field_end + 1;
        }
        // The quotes found above are all there are: none doubled inside a field, none stray.
        if memchr::memchr_iter(b'"', &bytes[start..end]).count() != 2 * quoted_fields {
            return None;
        }
        record.field_count = self.fields;
        record.end = end;
        record.fault = None;
        Some(())
    }

    /// The fields of the record read last, `start..end`, which holds no quote, read from the
    /// parser's field ends where each is asked for; `None` when [`Records::plain_fields`]
    /// would give `None`, or when the record has more fields than were kept.
    #[inline]
    pub(crate) fn plain(&self, start: usize, end: usize) -> Option<PlainFields<'_>> {
        if !self.is_raw_without_commas(start, end) || self.kept != self.fields {
            return None;
        }
        Some(PlainFields { start, ends: &self.ends[..self.kept], end })
    }

    /// Whether the unescaped text of the record read last, `start..end`, is its raw text
    /// without the commas between its fields, so that the parser's field ends give its spans.
    #[inline]
    fn is_raw_without_commas(&self, start: usize, end: usize) -> bool {
        self.fields > 0 && self.unescaped_len + self.fields - 1 == end - start
    }

    /// Forgets the state of the record read last, to read on from the start of another line:
    /// a new block, or the line after an unclosed quote.
    pub(crate) fn restart(&mut self) {
        self.reader.reset();
    }
}

impl Drop for Records {
    fn drop(&mut self) {
        // Left in its place: a reader without tables (`default` does not build them), cheap
        // to make, and dropped with the records.
        let mut reader = std::mem::take(&mut self.reader);
        reader.reset();
        // A thread being torn down has no spares to keep: the parser is dropped then.
        let _ = SPARE_READERS.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < MAX_SPARE_READERS {
                spare.push(reader);
            }
        });
    }
}

thread_local! {
    /// Parsers of dropped [`Records`], for the next made on this thread.
    static SPARE_READERS: std::cell::RefCell<Vec<csv_core::Reader>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How many spare parsers a thread keeps: enough for one [`Records`] per core of the pool, as
/// many as a table's blocks are read with, at a few KiB each. They are kept by the thread that
/// drops them, which for the blocks of a held file is the one that made them, and for a
/// streamed file the thread that called `disk::stream`.
const MAX_SPARE_READERS: usize = 64;

/// Counts line breaks in `bytes`: `\n`, `\r\n` and a lone `\r` each count once.
///
/// `next` is the byte after `bytes` in the file, if any, so that a `\r` at the end of a slice
/// followed by `\n` in the next one is not counted twice.
#[inline]
pub(crate) fn count_line_breaks(bytes: &[u8], next: Option<u8>) -> u32 {
    match bytes {
        // The usual slice, the line break between two records: counted where it is asked for.
        [b'\n'] | [b'\r', b'\n'] => 1,
        [b'\r'] => u32::from(next != Some(b'\n')),
        _ => count_line_breaks_in(bytes, next),
    }
}

/// [`count_line_breaks`] of any slice.
fn count_line_breaks_in(bytes: &[u8], next: Option<u8>) -> u32 {
    /// Below this length a plain loop costs less than setting up a vector search.
    const SHORT: usize = 16;
    /// From this length (a block of a file), a search for `\r` first pays.
    const LONG: usize = 4096;
    let mut count = 0u32;
    if bytes.len() < SHORT {
        for (i, &byte) in bytes.iter().enumerate() {
            let ends_line = match byte {
                b'\n' => true,
                b'\r' => bytes.get(i + 1).copied().or(next) != Some(b'\n'),
                _ => false,
            };
            count += u32::from(ends_line);
        }
        return count;
    }
    if bytes.len() >= LONG && memchr::memchr(b'\r', bytes).is_none() {
        // Line feeds alone (a file with LF line breaks): each one counts, and the search for
        // one byte is quicker than that for two.
        return u32::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(u32::MAX);
    }
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\r' {
            let follower = bytes.get(i + 1).copied().or(next);
            if follower == Some(b'\n') {
                continue;
            }
        }
        count += 1;
    }
    count
}

/// Whether a byte ends a line.
pub(crate) fn is_line_break(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// The fields of one record as found in the raw bytes, and what is wrong with its quoting.
#[derive(Debug, Default)]
pub(crate) struct RawRecord {
    /// Where each field starts in the file, then where a field after the last one kept would
    /// start; at most the scan's limit of fields are kept. A comma ends every field but the
    /// record's last, and the next field starts right after it: field `i` is
    /// `bounds[i]..bounds[i + 1] - 1`, quotes included. Kept so rather than as a span per field
    /// because a record's bounds are written in one pass from the parser's field ends.
    bounds: Vec<usize>,
    /// How many fields the record has, including those past the limit.
    pub(crate) field_count: usize,
    /// The end of the record's content (before its line break).
    pub(crate) end: usize,
    /// The first quoting problem, if any.
    pub(crate) fault: Option<QuoteFault>,
}

impl RawRecord {
    /// The raw span of field `i` in the file, quotes included; `None` past the fields kept.
    #[inline]
    pub(crate) fn field(&self, i: usize) -> Option<Range<usize>> {
        match *self.bounds.get(i..i + 2)? {
            [start, next] => Some(start..next - 1),
            _ => None,
        }
    }

    /// The raw spans of the fields kept, in order.
    pub(crate) fn fields(&self) -> impl ExactSizeIterator<Item = Range<usize>> + '_ {
        self.bounds.windows(2).map(|pair| pair[0]..pair[1] - 1)
    }

    /// How many fields are kept: all of them, or the scan's limit.
    pub(crate) fn kept(&self) -> usize {
        self.bounds.len().saturating_sub(1)
    }

    /// Where the record starts: where its first field starts.
    pub(crate) fn start(&self) -> usize {
        self.bounds.first().copied().unwrap_or(self.end)
    }

    fn push(&mut self, field: Range<usize>, max_fields: usize) {
        if self.kept() < max_fields {
            if self.bounds.is_empty() {
                self.bounds.push(field.start);
            }
            debug_assert_eq!(
                self.bounds.last(),
                Some(&field.start),
                "a field starts after the comma that ends the one before"
            );
            self.bounds.push(field.end + 1);
        }
        self.field_count += 1;
    }
}

/// The fields of a record without quotes, as the parser ended them ([`Records::plain`]): the
/// same spans as the [`RawRecord`] that [`Records::plain_fields`] writes, worked out where a
/// field is asked for. A row that types without a problem, almost every row, is typed from
/// these, and its spans are never written out.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlainFields<'r> {
    /// Where the record starts in the file.
    start: usize,
    /// Where each field ends in the record's unescaped text, which lacks the commas.
    ends: &'r [usize],
    /// The end of the record's content (before its line break).
    pub(crate) end: usize,
}

impl PlainFields<'_> {
    /// How many fields the record has.
    pub(crate) fn count(&self) -> usize {
        self.ends.len()
    }

    /// The raw span of field `i` in the file, as [`RawRecord::field`] gives it: field `i` ends
    /// `i` commas after its end in the unescaped text, and starts after the comma before it.
    #[inline]
    pub(crate) fn field(&self, i: usize) -> Option<Range<usize>> {
        let end = self.start + self.ends.get(i)? + i;
        let start = match i.checked_sub(1) {
            Some(before) => self.start + self.ends[before] + i,
            None => self.start,
        };
        Some(start..end)
    }
}

/// A quoting problem of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QuoteFault {
    /// A quoted field opened at this offset runs to the end of the input.
    Unclosed { open: usize },
    /// Text follows a closing quote, at this offset.
    TextAfterQuote { at: usize },
    /// A quote inside an unquoted field, at this offset.
    StrayQuote { at: usize },
}

/// Scans one record starting at `start` with RFC 4180 quoting, up to `limit`.
///
/// This is how the cell spans of quoted records are found: the `csv` crate reports the
/// unescaped fields, not where they are in the file. At most `max_fields` spans are kept, so
/// that a hostile line of millions of fields costs no memory.
pub(crate) fn scan_record(bytes: &[u8], start: usize, limit: usize, max_fields: usize) -> RawRecord {
    let mut record = RawRecord::default();
    scan_record_into(bytes, start, limit, max_fields, &mut record);
    record
}

/// [`scan_record`] into `record`, whose buffer is reused: a block's records with quotes are
/// scanned into one, not each into a new one.
pub(crate) fn scan_record_into(bytes: &[u8], start: usize, limit: usize, max_fields: usize, record: &mut RawRecord) {
    record.bounds.clear();
    record.field_count = 0;
    record.fault = None;
    let mut field_start = start;
    let mut i = start;
    loop {
        if i < limit && bytes[i] == b'"' {
            // A quoted field: find its closing quote, skipping doubled quotes.
            let open = i;
            i += 1;
            loop {
                match memchr::memchr(b'"', &bytes[i..limit]) {
                    None => {
                        record.fault.get_or_insert(QuoteFault::Unclosed { open });
                        record.push(field_start..limit, max_fields);
                        record.end = limit;
                        return;
                    }
                    Some(offset) => {
                        i += offset + 1;
                        if i < limit && bytes[i] == b'"' {
                            i += 1;
                            continue;
                        }
                        break;
                    }
                }
            }
            // After the closing quote only a delimiter or the end of the record may follow.
            if i < limit && bytes[i] != b',' && !is_line_break(bytes[i]) {
                record.fault.get_or_insert(QuoteFault::TextAfterQuote { at: i });
            }
        }
        // Unquoted remainder of the field (or the text after a closing quote).
        let (stop, quote) = unquoted_end(bytes, i, limit);
        // A field that starts at `limit` is an empty last field (`a,b,` at the end of the input).
        if record.fault.is_none()
            && (field_start >= limit || bytes[field_start] != b'"')
            && let Some(at) = quote
        {
            record.fault = Some(QuoteFault::StrayQuote { at });
        }
        i = stop;
        record.push(field_start..i, max_fields);
        if i < limit && bytes[i] == b',' {
            i += 1;
            field_start = i;
            continue;
        }
        record.end = i;
        return;
    }
}

/// Where unquoted text from `from` ends, at its first comma or line break or at `limit`, and
/// the first quote before that, if any.
fn unquoted_end(bytes: &[u8], from: usize, limit: usize) -> (usize, Option<usize>) {
    /// Most cells are shorter: a loop over their bytes costs less than setting up two vector
    /// searches, which take over for a longer cell.
    const SHORT: usize = 32;
    let short_end = limit.min(from + SHORT);
    let mut quote = None;
    for (at, &byte) in bytes[from..short_end].iter().enumerate() {
        match byte {
            b',' | b'\n' | b'\r' => return (from + at, quote),
            b'"' => {
                quote.get_or_insert(from + at);
            }
            _ => {}
        }
    }
    let stop = memchr::memchr3(b',', b'\n', b'\r', &bytes[short_end..limit]).map_or(limit, |at| short_end + at);
    (stop, quote.or_else(|| memchr::memchr(b'"', &bytes[short_end..stop]).map(|at| short_end + at)))
}

/// The text of a field from its raw span: quotes removed and doubled quotes undone.
pub(crate) fn unquote(raw: &str) -> std::borrow::Cow<'_, str> {
    match raw.strip_prefix('"') {
        Some(inner) => {
            let inner = inner.strip_suffix('"').unwrap_or(inner);
            // A quote inside a well-formed quoted cell is written twice: each is found by a byte
            // search and kept once, where `str::replace` would set up a string searcher per cell.
            let Some(mut at) = memchr::memchr(b'"', inner.as_bytes()) else {
                return inner.into();
            };
            let mut unquoted = String::with_capacity(inner.len());
            let mut rest = inner;
            loop {
                unquoted.push_str(&rest[..=at]);
                // The quote's pair, if it has one, is dropped; a lone quote is kept as it is.
                rest = rest[at + 1..].strip_prefix('"').unwrap_or(&rest[at + 1..]);
                match memchr::memchr(b'"', rest.as_bytes()) {
                    Some(next) => at = next,
                    None => break,
                }
            }
            unquoted.push_str(rest);
            unquoted.into()
        }
        None => raw.into(),
    }
}

/// Cuts `bytes[start..]` into blocks of about `target` bytes, each ending just after a line
/// break that lies outside quotes and after the empty lines that follow it, so that each block
/// can be parsed on its own and starts with a record.
///
/// Being outside quotes is judged by the parity of the quotes before the break, which is
/// exact for well-formed CSV. For malformed quoting the parser notices the cut (a block that
/// ends inside a quoted field) and the caller parses the file as one block instead.
pub(crate) fn split_blocks(bytes: &[u8], start: usize, target: usize) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut block_start = start;
    while bytes.len() - block_start > target + target / 2 {
        let Some(end) = cut_after(bytes, block_start, block_start + target) else { break };
        blocks.push(block_start..end);
        block_start = end;
    }
    if block_start < bytes.len() || blocks.is_empty() {
        blocks.push(block_start..bytes.len());
    }
    blocks
}

/// Where a block that starts at a record at `start` ends when it should hold at least the bytes
/// up to `wanted`: just after the first line break at or after `wanted` that lies outside quotes,
/// and after the empty lines that follow it, so that the next block starts at a record, never
/// inside a run of empty lines (a run is one finding, at the line where it starts, as when
/// the file is read in one piece). `None` when `bytes` has no such line break.
pub(crate) fn cut_after(bytes: &[u8], start: usize, wanted: usize) -> Option<usize> {
    let wanted = wanted.min(bytes.len());
    let mut quotes_odd = memchr::memchr_iter(b'"', &bytes[start..wanted]).count() % 2 == 1;
    let mut i = wanted;
    while let Some(offset) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[i..]) {
        let at = i + offset;
        match bytes[at] {
            b'"' => quotes_odd = !quotes_odd,
            _ if !quotes_odd => {
                return Some(at + bytes[at..].iter().take_while(|&&b| is_line_break(b)).count());
            }
            _ => {}
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parser_given_back_is_taken_by_the_next_records_made_on_its_thread() {
        let spares = || SPARE_READERS.with(|spare| spare.borrow().len());
        // A thread of its own, whose spares are known: none at first.
        std::thread::spawn(move || {
            assert_eq!(spares(), 0);
            let bytes = b"a,\"b\nc\",d\ne,f\n";
            // The parser given back has read a record that ends in a lone `\r` and the start
            // of an unclosed quote, whose end it never saw.
            let mut first = Records::new(4);
            let used = b"x,y\rz,\"w";
            assert_eq!(first.read(used, 0, used.len()), 3);
            assert_eq!(first.read(used, 4, used.len()), used.len());
            drop(first);
            assert_eq!(spares(), 1);
            let mut records = Records::new(4);
            assert_eq!(spares(), 0, "the spare parser is taken");
            assert_eq!(records.read(bytes, 0, bytes.len()), 9);
            assert_eq!(records.read(bytes, 10, bytes.len()), 13);
            drop(records);
            assert_eq!(spares(), 1);
        })
        .join()
        .expect("the thread's assertions hold");
    }

    #[test]
    fn records_end_where_the_csv_parser_ends_them() {
        let bytes = b"a,b\nc,\"d\ne\"\r\n\r\nf\rg,\"h\"\"\"";
        let mut records = Records::new(100);
        let mut ends = Vec::new();
        let mut start = 0;
        while start < bytes.len() {
            let end = records.read(bytes, start, bytes.len());
            ends.push(end);
            start = end;
            while start < bytes.len() && is_line_break(bytes[start]) {
                start += 1;
            }
        }
        assert_eq!(ends, vec![3, 11, 16, bytes.len()]);
        // A restarted reader reads the same way, also many fields and long fields, which go
        // through its small buffers in several calls.
        let mut long = b",".repeat(1000);
        long.extend_from_slice(&[b'x'; 10_000]);
        long.extend_from_slice(b"\nz");
        records.restart();
        assert_eq!(records.read(&long, 0, long.len()), 11_000);
        let mut fields = RawRecord::default();
        assert_eq!(records.plain_fields(0, 11_000, &mut fields), Some(()));
        assert_eq!((fields.field_count, fields.kept()), (1001, 100));
        assert_eq!((fields.field(0), fields.field(99), fields.field(100)), (Some(0..0), Some(99..99), None));
        assert_eq!(records.read(&long, 11_001, long.len()), long.len());
        assert_eq!(records.plain_fields(11_001, long.len(), &mut fields), Some(()));
        assert_eq!((fields.field_count, fields.kept()), (1, 1));
        assert_eq!(fields.field(0), Some(11_001..11_002));
        // A byte order mark where the reader starts is not in the unescaped text.
        records.restart();
        let bom = "\u{feff}a,b\n".as_bytes();
        assert_eq!(records.read(bom, 0, bom.len()), 6);
        assert_eq!(records.plain_fields(0, 6, &mut fields), None);
        // Fields of a record ending at the end of the input, the last one empty.
        records.restart();
        assert_eq!(records.read(b"ab,c,", 0, 5), 5);
        assert_eq!(records.plain_fields(0, 5, &mut fields), Some(()));
        assert_eq!(fields.fields().collect::<Vec<_>>(), vec![0..2, 3..4, 5..5]);
    }

    #[test]
    fn plain_fields_read_where_asked_for_are_the_fields_written_out() {
        let mut records = Records::new(8);
        let mut written = RawRecord::default();
        let lines = ["a", ",", "ab,c,", ",,x,,", "NO,JP,2011,export,1,Biler,4.3,NOK billion,39,no-jp-2015", "é,øå,"];
        // Each line first, then after another line, and at the end of the input without a
        // line break.
        let inputs = lines.iter().flat_map(|line| {
            [
                (String::new(), format!("{line}\n")),
                ("x,y\r\n".to_owned(), format!("{line}\n")),
                ("z\n".to_owned(), line.to_string()),
            ]
        });
        for (before, line) in inputs {
            let bytes = format!("{before}{line}");
            let bytes = bytes.as_bytes();
            let start = before.len();
            records.restart();
            let end = records.read(bytes, start, bytes.len());
            assert_eq!(end, bytes.len() - usize::from(line.ends_with('\n')), "{line:?}");
            let plain = records.plain(start, end);
            if records.plain_fields(start, end, &mut written).is_some() && written.kept() == written.field_count {
                let plain = plain.unwrap_or_else(|| panic!("{line:?} has plain fields"));
                assert_eq!((plain.count(), plain.end), (written.field_count, written.end), "{line:?}");
                for i in 0..=plain.count() {
                    assert_eq!(plain.field(i), written.field(i), "field {i} of {line:?}");
                }
            } else {
                assert!(plain.is_none(), "{line:?}");
            }
        }
        // The spans are the file's: those of a record after another one, written out.
        records.restart();
        let bytes = b"x,y\r\nab,c,\n";
        let end = records.read(bytes, 5, bytes.len());
        let plain = records.plain(5, end).unwrap_or_else(|| panic!("a record without quotes is plain"));
        let spans: Vec<_> = (0..4).map(|i| plain.field(i)).collect();
        assert_eq!(spans, vec![Some(5..7), Some(8..9), Some(10..10), None]);
        // More fields than are kept, and a byte order mark the parser drops: not plain.
        for line in [",,,,,,,,,", "\u{feff}a,b"] {
            records.restart();
            let bytes = format!("{line}\n");
            let end = records.read(bytes.as_bytes(), 0, bytes.len());
            assert!(records.plain(0, end).is_none(), "{line:?}");
        }
    }

    #[test]
    fn quoted_fields_from_the_parser_are_the_fields_scanned() {
        let mut from_parser = RawRecord::default();
        let mut taken = 0;
        // Every record of up to six bytes of `a`, a comma, a quote, a line feed and a carriage
        // return: at the start of the input, after another record, or after a byte order mark;
        // ended by each kind of line break, or by the end of the input; with more fields than
        // are kept, or not. What the parser's field ends give, when they give anything, is what
        // a scan of the bytes gives, and never for a record with a quoting fault.
        let alphabet = [b'a', b',', b'"', b'\n', b'\r'];
        let befores: [(&[u8], usize); 3] = [(b"", 0), (b"x\r\n", 3), ("\u{feff}".as_bytes(), 0)];
        for max_fields in [2, 8] {
            let mut records = Records::new(max_fields);
            for (before, start) in befores {
                for ending in [&b"\n"[..], b"\r\n", b""] {
                    for len in 1..=6u32 {
                        for n in 0..5usize.pow(len) {
                            let record: Vec<u8> = (0..len).map(|i| alphabet[n / 5usize.pow(i) % 5]).collect();
                            if is_line_break(record[0]) {
                                continue;
                            }
                            let bytes = [before, &record, ending].concat();
                            records.restart();
                            let end = records.read(&bytes, start, bytes.len());
                            if records.quoted_fields(&bytes, start, end, &mut from_parser).is_none() {
                                continue;
                            }
                            taken += 1;
                            let scanned = scan_record(&bytes, start, end, max_fields);
                            let shown = String::from_utf8_lossy(&bytes);
                            assert_eq!(scanned.fault, None, "{shown:?}");
                            let counts = (from_parser.field_count, from_parser.end);
                            assert_eq!(counts, (scanned.field_count, scanned.end), "{shown:?}");
                            let spans = from_parser.fields().collect::<Vec<_>>();
                            assert_eq!(spans, scanned.fields().collect::<Vec<_>>(), "{shown:?}");
                        }
                    }
                }
            }
        }
        assert!(taken > 10_000, "only {taken} records were read from the parser's ends");
        // Quoted fields, one holding a comma and one a line break, after another record.
        let mut records = Records::new(8);
        let bytes = b"x\nab,\"c,d\",\"\",\"e\nf\"\r\n";
        records.restart();
        let end = records.read(bytes, 2, bytes.len());
        assert_eq!(records.quoted_fields(bytes, 2, end, &mut from_parser), Some(()));
        assert_eq!(from_parser.fields().collect::<Vec<_>>(), vec![2..4, 5..10, 11..13, 14..19]);
        // A doubled quote, a stray one, text after a closing quote, an unclosed quote, and a
        // byte order mark the parser drops: scanned.
        for line in ["\"a\"\"b\",c", "a\"b,\"c\"", "\"a\"b,c", "\"ab,c", "\u{feff}\"a\",b"] {
            let bytes = format!("{line}\n");
            records.restart();
            let end = records.read(bytes.as_bytes(), 0, bytes.len());
            assert_eq!(records.quoted_fields(bytes.as_bytes(), 0, end, &mut from_parser), None, "{line:?}");
        }
    }

    #[test]
    fn counts_each_kind_of_line_break_once() {
        assert_eq!(count_line_breaks(b"a\nb\r\nc\rd", None), 3);
        assert_eq!(count_line_breaks(b"a\r", Some(b'\n')), 0);
        assert_eq!(count_line_breaks(b"\n", None), 1);
    }

    #[test]
    fn short_and_long_slices_count_line_breaks_alike() {
        // Every text of `a`, `\r` and `\n` up to 6 bytes, alone (the short loop), repeated past
        // 16 bytes (the vector search) and, up to 3 bytes, past 4096 (a block, which may have
        // line feeds alone), against a count of the definition.
        let by_definition = |bytes: &[u8], next: Option<u8>| {
            let followers = bytes.iter().copied().skip(1).map(Some).chain([next]);
            let ends = bytes.iter().zip(followers).filter(|&(&b, f)| b == b'\n' || (b == b'\r' && f != Some(b'\n')));
            u32::try_from(ends.count()).unwrap_or(u32::MAX)
        };
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        let mut longest = texts.clone();
        for _ in 0..6 {
            longest =
                longest.iter().flat_map(|t| [b'a', b'\r', b'\n'].map(|b| [t.as_slice(), &[b]].concat())).collect();
            texts.extend(longest.iter().cloned());
        }
        assert_eq!(texts.len(), 1 + 3 + 9 + 27 + 81 + 243 + 729);
        for text in &texts {
            for next in [None, Some(b'\n'), Some(b'a')] {
                assert_eq!(count_line_breaks(text, next), by_definition(text, next), "{text:?} {next:?}");
                let long = text.repeat(16 / text.len().max(1) + 1);
                assert_eq!(count_line_breaks(&long, next), by_definition(&long, next), "{long:?} {next:?}");
                if text.len() <= 3 {
                    let block = text.repeat(4096 / text.len().max(1) + 1);
                    assert_eq!(count_line_breaks(&block, next), by_definition(&block, next), "{text:?} {next:?}");
                }
            }
        }
    }

    #[test]
    fn a_quoted_cell_keeps_one_of_each_pair_of_quotes_and_every_lone_quote() {
        for inner in ["", "b", "\"\"", "a\"\"b", "\"\"\"", "\"", "a\"b", "\"\"a\"\"", "ø\"\"ß\"", "\"\"\"\"\""] {
            let quoted = format!("\"{inner}\"");
            assert_eq!(unquote(&quoted), inner.replace("\"\"", "\""), "{quoted:?}");
        }
        // A cell that does not start with a quote is its text.
        assert_eq!(unquote("a\"\"b"), "a\"\"b");
    }

    #[test]
    fn finds_spans_and_quote_faults() {
        let bytes = b"a,\"b,\"\"c\"\"\",d\nnext";
        let record = scan_record(bytes, 0, bytes.len(), 100);
        assert_eq!(record.fields().collect::<Vec<_>>(), vec![0..1, 2..11, 12..13]);
        assert_eq!(record.end, 13);
        assert_eq!(record.fault, None);
        assert_eq!(unquote("\"b,\"\"c\"\"\""), "b,\"c\"");

        let bytes = b"a,\"bc\"x,d\n";
        assert_eq!(scan_record(bytes, 0, bytes.len(), 100).fault, Some(QuoteFault::TextAfterQuote { at: 6 }));
        let bytes = b"a,b\"c,d\n";
        assert_eq!(scan_record(bytes, 0, bytes.len(), 100).fault, Some(QuoteFault::StrayQuote { at: 3 }));
        let bytes = b"a,\"b\nc,d\n";
        assert_eq!(scan_record(bytes, 0, bytes.len(), 100).fault, Some(QuoteFault::Unclosed { open: 2 }));
        // A quote in a long unquoted cell, before and after its first 32 bytes (read byte by
        // byte; the rest is searched).
        for at in [5, 31, 32, 40] {
            let mut bytes = b"a,".to_vec();
            bytes.extend((0..50).map(|i| if i == at { b'"' } else { b'x' }));
            bytes.extend_from_slice(b",d\n");
            let record = scan_record(&bytes, 0, bytes.len(), 100);
            assert_eq!(record.fields().collect::<Vec<_>>(), vec![0..1, 2..52, 53..54], "{at}");
            assert_eq!(record.fault, Some(QuoteFault::StrayQuote { at: 2 + at }), "{at}");
        }
        let bytes = [b"a,".as_slice(), &[b'x'; 50], b"\r\nz"].concat();
        let record = scan_record(&bytes, 0, bytes.len(), 100);
        assert_eq!((record.fields().collect::<Vec<_>>(), record.end, record.fault), (vec![0..1, 2..52], 52, None));
        // Found by fuzzing: a trailing comma at the very end of the input.
        let bytes = b"a,b,";
        let record = scan_record(bytes, 0, bytes.len(), 100);
        assert_eq!((record.fields().collect::<Vec<_>>(), record.fault), (vec![0..1, 2..3, 4..4], None));
    }

    #[test]
    fn blocks_end_after_line_breaks_outside_quotes() {
        let mut file = Vec::new();
        for i in 0..1000 {
            file.extend_from_slice(format!("{i},\"multi\nline, {i}\"\r\n").as_bytes());
        }
        let blocks = split_blocks(&file, 0, 512);
        assert!(blocks.len() > 10);
        assert_eq!(blocks.first().unwrap().start, 0);
        assert_eq!(blocks.last().unwrap().end, file.len());
        for pair in blocks.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert_eq!(&file[pair[0].end - 2..pair[0].end], b"\r\n");
            let quotes = file[..pair[0].end].iter().filter(|b| **b == b'"').count();
            assert_eq!(quotes % 2, 0);
        }
    }

    #[test]
    fn a_run_of_empty_lines_is_never_cut() {
        for ending in ["\n", "\r\n", "\r"] {
            let file = format!("a,b{ending}{}c,d{ending}{}e,f{ending}", ending.repeat(3000), ending.repeat(50));
            let blocks = split_blocks(file.as_bytes(), 0, 512);
            assert!(blocks.len() > 1, "{ending:?}");
            for block in &blocks[1..] {
                assert!(!is_line_break(file.as_bytes()[block.start]), "{ending:?}: a block starts with a line break");
            }
        }
    }
}
