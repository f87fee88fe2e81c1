//! Makes the text of findings inert before any output shows it.
//!
//! Rules quote cells in their messages, and a cell can hold anything: a NUL, an ANSI escape
//! that recolours a terminal, a character that reorders text on screen, megabytes of text.
//! Every output (terminal, JSON, GitHub annotations, reports) reads the same [`Finding`], so
//! the text is escaped once here rather than in each rule or each output.

use std::borrow::Cow;

use crate::finding::Finding;

/// The longest message, help or label kept; longer ones are cut with `…`.
const MAX_CHARS: usize = 2000;

/// Escapes control and text-reordering characters (`\u{1b}`) and cuts overlong text.
pub(crate) fn inert(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_CHARS && !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 4) + 16);
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CHARS {
            out.push('…');
            break;
        }
        if needs_escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Line breaks are kept: messages and help texts use them, and every output handles them.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn make_inert(text: &mut String) {
    if let Cow::Owned(escaped) = inert(text) {
        *text = escaped;
    }
}

/// Escapes every text of a finding that an output prints.
pub(crate) fn finding(finding: &mut Finding) {
    make_inert(&mut finding.message);
    // A file name comes from the folder's listing (`file/stray`), where it can be anything;
    // it stands on one line, so its line breaks are escaped too.
    make_inert(&mut finding.file);
    if finding.file.contains('\n') {
        finding.file = finding.file.replace('\n', "\\u{a}");
    }
    // A header name is cell text too, and labels show it.
    if let Some(column) = &mut finding.column {
        make_inert(column);
    }
    if let Some(help) = &mut finding.help {
        make_inert(help);
    }
    if let Some(reason) = &mut finding.acknowledged {
        make_inert(reason);
    }
    // The cell's text is data, escaped by each output's own syntax, but a 50 MB cell must
    // not become a 50 MB line of output: cut it like the rest.
    if let Some(value) = &mut finding.value
        && let Some((cut, _)) = value.char_indices().nth(MAX_CHARS)
    {
        value.truncate(cut);
        value.push('…');
    }
    for related in &mut finding.related {
        make_inert(&mut related.label);
        if let Some(column) = &mut related.column {
            make_inert(column);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_cuts_long_text() {
        assert_eq!(inert("plain\ntext"), "plain\ntext");
        assert_eq!(inert("a\u{1b}[31mred\u{0}"), "a\\u{1b}[31mred\\u{0}");
        assert_eq!(inert("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(inert("\r"), "\\u{d}");
        let long = "x".repeat(MAX_CHARS + 10);
        assert_eq!(inert(&long).chars().count(), MAX_CHARS + 1);
    }
}
