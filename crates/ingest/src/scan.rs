//! Byte-level scanning the `csv` crate does not do for us: line numbers, cell spans in the
//! file, quote structure, and where a file can be cut into blocks for parallel parsing.

use std::ops::Range;

/// Counts line breaks in `bytes`: `\n`, `\r\n` and a lone `\r` each count once.
///
/// `next` is the byte after `bytes` in the file, if any, so that a `\r` at the end of a slice
/// followed by `\n` in the next one is not counted twice.
pub(crate) fn count_line_breaks(bytes: &[u8], next: Option<u8>) -> u32 {
    let mut count = 0u32;
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
    /// Raw span of each field in the file, quotes included; at most the scan's limit of them.
    pub(crate) fields: Vec<Range<usize>>,
    /// How many fields the record has, including those past the limit.
    pub(crate) field_count: usize,
    /// The end of the record's content (before its line break).
    pub(crate) end: usize,
    /// The first quoting problem, if any.
    pub(crate) fault: Option<QuoteFault>,
}

impl RawRecord {
    fn push(&mut self, field: Range<usize>, max_fields: usize) {
        if self.fields.len() < max_fields {
            self.fields.push(field);
        }
        self.field_count += 1;
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
                        return record;
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
        let rest = &bytes[i..limit];
        let stop = memchr::memchr3(b',', b'\n', b'\r', rest).map_or(limit, |o| i + o);
        // A field that starts at `limit` is an empty last field (`a,b,` at the end of the input).
        if record.fault.is_none()
            && (field_start >= limit || bytes[field_start] != b'"')
            && let Some(q) = memchr::memchr(b'"', &bytes[i..stop])
        {
            record.fault = Some(QuoteFault::StrayQuote { at: i + q });
        }
        i = stop;
        record.push(field_start..i, max_fields);
        if i < limit && bytes[i] == b',' {
            i += 1;
            field_start = i;
            continue;
        }
        record.end = i;
        return record;
    }
}

/// The text of a field from its raw span: quotes removed and doubled quotes undone.
pub(crate) fn unquote(raw: &str) -> std::borrow::Cow<'_, str> {
    match raw.strip_prefix('"') {
        Some(inner) => {
            let inner = inner.strip_suffix('"').unwrap_or(inner);
            if inner.contains("\"\"") { inner.replace("\"\"", "\"").into() } else { inner.into() }
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
    let mut counted_to = start;
    let mut quotes_odd = false;
    while bytes.len() - block_start > target + target / 2 {
        let wanted = block_start + target;
        quotes_odd ^= memchr::memchr_iter(b'"', &bytes[counted_to..wanted]).count() % 2 == 1;
        let mut cut = None;
        let mut i = wanted;
        while let Some(offset) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[i..]) {
            let at = i + offset;
            match bytes[at] {
                b'"' => quotes_odd = !quotes_odd,
                _ if !quotes_odd => {
                    // The next block starts at a record, never inside a run of empty lines,
                    // so that the run is one finding at the line where it starts, as when the
                    // file is read in one piece.
                    let end = at + bytes[at..].iter().take_while(|&&b| is_line_break(b)).count();
                    cut = Some(end);
                    break;
                }
                _ => {}
            }
            i = at + 1;
        }
        let Some(end) = cut else { break };
        blocks.push(block_start..end);
        block_start = end;
        counted_to = end;
    }
    if block_start < bytes.len() || blocks.is_empty() {
        blocks.push(block_start..bytes.len());
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_of_line_break_once() {
        assert_eq!(count_line_breaks(b"a\nb\r\nc\rd", None), 3);
        assert_eq!(count_line_breaks(b"a\r", Some(b'\n')), 0);
        assert_eq!(count_line_breaks(b"\n", None), 1);
    }

    #[test]
    fn finds_spans_and_quote_faults() {
        let bytes = b"a,\"b,\"\"c\"\"\",d\nnext";
        let record = scan_record(bytes, 0, bytes.len(), 100);
        assert_eq!(record.fields, vec![0..1, 2..11, 12..13]);
        assert_eq!(record.end, 13);
        assert_eq!(record.fault, None);
        assert_eq!(unquote("\"b,\"\"c\"\"\""), "b,\"c\"");

        let bytes = b"a,\"bc\"x,d\n";
        assert_eq!(scan_record(bytes, 0, bytes.len(), 100).fault, Some(QuoteFault::TextAfterQuote { at: 6 }));
        let bytes = b"a,b\"c,d\n";
        assert_eq!(scan_record(bytes, 0, bytes.len(), 100).fault, Some(QuoteFault::StrayQuote { at: 3 }));
        let bytes = b"a,\"b\nc,d\n";
        assert_eq!(scan_record(bytes, 0, bytes.len(), 100).fault, Some(QuoteFault::Unclosed { open: 2 }));
        // Found by fuzzing: a trailing comma at the very end of the input.
        let bytes = b"a,b,";
        let record = scan_record(bytes, 0, bytes.len(), 100);
        assert_eq!((record.fields, record.fault), (vec![0..1, 2..3, 4..4], None));
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
