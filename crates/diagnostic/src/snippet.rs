//! [`Snippet`]: the lines of a file that a diagnostic points into.

use std::ops::Range;

use miette::{MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::text;

/// The lines of a file that a diagnostic points into, cut out once so that rendering never
/// rescans the file.
///
/// Unsafe characters are made visible by the policy of [`crate::text`] (`␛` for ESC), and a
/// lone carriage return, which ends a line as LF does, is shown as a line break; spans are
/// mapped accordingly.
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
    /// Offsets in `text` where a line starts after a line break.
    line_starts: Vec<u32>,
    /// How many bytes of the file the snippet covers.
    raw_len: usize,
}

impl Snippet {
    /// Cuts `bytes[range]` out of a file whose `range.start` is the start of line `first_line`.
    pub fn new(name: &str, bytes: &[u8], range: Range<usize>, first_line: u32) -> Snippet {
        let raw = &bytes[range.clone()];
        let lossy = String::from_utf8_lossy(raw);
        let lone_cr = |i: usize| raw[i] == b'\r' && raw.get(i + 1) != Some(&b'\n');
        let needs_escaping = matches!(lossy, std::borrow::Cow::Owned(_))
            || memchr_lone_cr(raw)
            || lossy.chars().any(|c| c != '\n' && c != '\r' && c != '\t' && text::is_unsafe(c));
        if !needs_escaping {
            let line_starts = line_starts(raw).into_iter().map(|i| u32::try_from(i).unwrap_or(u32::MAX)).collect();
            return Snippet {
                name: name.to_owned(),
                text: lossy.into_owned(),
                first_line,
                offset: range.start,
                remap: None,
                line_starts,
                raw_len: raw.len(),
            };
        }
        // Rebuild the text character by character, noting where each original byte went.
        let mut shown = String::with_capacity(raw.len() + 16);
        let mut remap = vec![0u32; raw.len() + 1];
        let mut i = 0;
        while i < raw.len() {
            let at = u32::try_from(shown.len()).unwrap_or(u32::MAX);
            let width = match decode_one(&raw[i..]) {
                // A lone CR ends a line, as it does for line numbers: shown as the line break
                // it is, the snippet's lines are the file's lines whatever its line endings
                // (printed raw, it would move the cursor back over the line).
                Some(('\r', w)) if lone_cr(i) => {
                    shown.push('\n');
                    w
                }
                Some((c @ ('\n' | '\r' | '\t'), w)) => {
                    shown.push(c);
                    w
                }
                Some((c, w)) if text::is_unsafe(c) => {
                    text::push_visible(&mut shown, c);
                    w
                }
                Some((c, w)) => {
                    shown.push(c);
                    w
                }
                None => {
                    shown.push('\u{fffd}');
                    1
                }
            };
            for k in 0..width {
                remap[i + k] = at;
            }
            i += width;
        }
        remap[raw.len()] = u32::try_from(shown.len()).unwrap_or(u32::MAX);
        let line_starts = line_starts(raw).into_iter().map(|i| remap[i]).collect();
        Snippet {
            name: name.to_owned(),
            text: shown,
            first_line,
            offset: range.start,
            remap: Some(remap),
            line_starts,
            raw_len: raw.len(),
        }
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

    /// The 1-based line and character column where the byte `at` of the file is shown, if it
    /// lies within the snippet. Lines count every line break of the file: LF, CRLF, and a lone
    /// CR (shown as a line break), so that LF, CRLF and CR files give the same places.
    pub fn line_column(&self, at: usize) -> Option<(u32, u32)> {
        if at < self.offset || at > self.offset + self.raw_len {
            return None;
        }
        let local = self.map_span(at..at).offset();
        let starts_before = self.line_starts.partition_point(|&start| start as usize <= local);
        let line_start = match starts_before {
            0 => 0,
            n => self.line_starts[n - 1] as usize,
        };
        let line = self.first_line + u32::try_from(starts_before).unwrap_or(u32::MAX);
        let column = self.text.get(line_start..local)?.chars().count() + 1;
        Some((line, u32::try_from(column).unwrap_or(u32::MAX)))
    }
}

/// Offsets (in the raw bytes) where a line starts after a line break: after LF, after CRLF,
/// and after a CR that no LF follows.
fn line_starts(raw: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && raw.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

fn memchr_lone_cr(raw: &[u8]) -> bool {
    raw.iter().enumerate().any(|(i, &b)| b == b'\r' && raw.get(i + 1) != Some(&b'\n'))
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
    fn shows_controls_and_maps_spans() {
        let bytes = b"a,b\nx\x1b,y\n";
        let snippet = Snippet::new("t.csv", bytes, 4..bytes.len(), 2);
        assert_eq!(snippet.text, "x\u{241b},y\n");
        assert_eq!(snippet.line_column(7), Some((2, 4)));
    }

    #[test]
    fn counts_lines_inside_multi_line_cells() {
        let bytes = b"a,\"b\r\nc\",d\n";
        let snippet = Snippet::new("t.csv", bytes, 0..bytes.len(), 5);
        assert_eq!(snippet.line_column(9), Some((6, 4)));
        let lone = b"a,\"b\rc\",d\n";
        let snippet = Snippet::new("t.csv", lone, 0..lone.len(), 5);
        assert_eq!(snippet.line_column(8), Some((6, 4)));
    }
}
