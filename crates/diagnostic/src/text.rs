//! The character policy: which characters from the data are unsafe to show raw, and how they
//! are made visible. Every output uses this module; each renderer adds only its own syntax's
//! escaping (HTML entities, JSON strings, workflow-command percent codes).
//!
//! A cell can hold anything: a NUL, an ANSI escape that recolours a terminal, a C1 control
//! (U+009B is an 8-bit CSI), a character that reorders text on screen so that what is shown
//! differs from what is stored. Such a character is never written raw: C0 controls and DEL
//! become their Unicode control pictures (`␛` for ESC), and every other unsafe character is
//! written as its code point, `⟨U+202E⟩`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The longest message, help, label or quoted value kept; longer ones are cut with `…`.
pub const MAX_CHARS: usize = 2000;

/// Whether `c` is unsafe to show raw: a control character (C0, DEL, C1, including U+0085), or
/// a bidirectional formatting character that reorders text (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Whether `c` is a bidirectional formatting character.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Appends the visible form of an unsafe character to `out`: a control picture for C0
/// controls and DEL, the code point in brackets for the rest.
pub fn push_visible(out: &mut String, c: char) {
    match c {
        '\u{7f}' => out.push('\u{2421}'),
        c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
        c => {
            let _ = write!(out, "\u{27e8}U+{:04X}\u{27e9}", c as u32);
        }
    }
}

/// Text composed by the tool (a message, a help, a label) made safe to show: line breaks are
/// kept, since messages use them and every output handles them; every other unsafe character
/// is made visible; overlong text is cut.
pub fn inert(text: &str) -> Cow<'_, str> {
    escape(text, |c| c != '\n' && is_unsafe(c))
}

/// Text taken from the data (a cell, a key, a header name) made safe to show on one line:
/// a line break of any kind (LF, CRLF, a lone CR) becomes `⏎`, so a multi-line cell shows
/// where its lines break, the same whatever the file's line endings; every other unsafe
/// character is made visible.
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape(text, is_unsafe)
}

/// How a line break in text from the data is shown on one line.
pub const LINE_BREAK: char = '\u{23ce}';

fn escape(text: &str, unsafe_here: impl Fn(char) -> bool) -> Cow<'_, str> {
    if text.len() <= MAX_CHARS && !text.chars().any(&unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MAX_CHARS * 4) + 16);
    let mut chars = text.chars().peekable();
    let mut shown = 0;
    while let Some(c) = chars.next() {
        if shown == MAX_CHARS {
            out.push('\u{2026}');
            break;
        }
        shown += 1;
        if !unsafe_here(c) {
            out.push(c);
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push(LINE_BREAK);
        } else {
            push_visible(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// Replaces `text` by its [`inert`] form, in place.
pub fn make_inert(text: &mut String) {
    if let Cow::Owned(escaped) = inert(text) {
        *text = escaped;
    }
}

/// Replaces `text` by its [`one_line`] form, in place.
pub fn make_one_line(text: &mut String) {
    if let Cow::Owned(escaped) = one_line(text) {
        *text = escaped;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_controls_and_reordering_visible() {
        assert_eq!(inert("plain\ntext"), "plain\ntext");
        assert_eq!(inert("a\u{1b}[31mred\u{0}"), "a\u{241b}[31mred\u{2400}");
        assert_eq!(inert("\u{202e}txt.exe"), "\u{27e8}U+202E\u{27e9}txt.exe");
        assert_eq!(inert("\u{9b}31m \u{85}"), "\u{27e8}U+009B\u{27e9}31m \u{27e8}U+0085\u{27e9}");
        assert_eq!(inert("\r"), "\u{23ce}");
        assert_eq!(inert("a\r\nb"), "a\u{23ce}b", "the CR of a CRLF in a message is not shown on its own");
        for text in ["Phnom\nPenh", "Phnom\r\nPenh", "Phnom\rPenh"] {
            assert_eq!(one_line(text), "Phnom\u{23ce}Penh", "{text:?}");
        }
        assert_eq!(one_line("\t=1"), "\u{2409}=1");
        for c in ['\u{61c}', '\u{200e}', '\u{200f}', '\u{2066}', '\u{2069}'] {
            assert!(is_unsafe(c), "{c:?}");
        }
        assert!(!is_unsafe('å'));
    }

    #[test]
    fn cuts_overlong_text() {
        let long = "x".repeat(MAX_CHARS + 10);
        assert_eq!(inert(&long).chars().count(), MAX_CHARS + 1);
    }
}
