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

/// The characters that show as nothing, or as an ordinary space, yet make a cell differ from
/// what it seems to say (`NO` and `NO` + ZERO WIDTH SPACE look alike and are different codes),
/// with their Unicode names. The names are declared here rather than taken from a crate of
/// Unicode names: `unicode_names2` (4.0) generates its tables in a build script that pulls in
/// `phf_codegen` and `rand`, and cost about a minute of cold build for this one list.
pub const INVISIBLE: &[(char, &str)] = &[
    ('\u{00a0}', "NO-BREAK SPACE"),
    ('\u{00ad}', "SOFT HYPHEN"),
    ('\u{034f}', "COMBINING GRAPHEME JOINER"),
    ('\u{061c}', "ARABIC LETTER MARK"),
    ('\u{115f}', "HANGUL CHOSEONG FILLER"),
    ('\u{1160}', "HANGUL JUNGSEONG FILLER"),
    ('\u{180e}', "MONGOLIAN VOWEL SEPARATOR"),
    ('\u{2007}', "FIGURE SPACE"),
    ('\u{200b}', "ZERO WIDTH SPACE"),
    ('\u{200c}', "ZERO WIDTH NON-JOINER"),
    ('\u{200d}', "ZERO WIDTH JOINER"),
    ('\u{200e}', "LEFT-TO-RIGHT MARK"),
    ('\u{200f}', "RIGHT-TO-LEFT MARK"),
    ('\u{202a}', "LEFT-TO-RIGHT EMBEDDING"),
    ('\u{202b}', "RIGHT-TO-LEFT EMBEDDING"),
    ('\u{202c}', "POP DIRECTIONAL FORMATTING"),
    ('\u{202d}', "LEFT-TO-RIGHT OVERRIDE"),
    ('\u{202e}', "RIGHT-TO-LEFT OVERRIDE"),
    ('\u{202f}', "NARROW NO-BREAK SPACE"),
    ('\u{2060}', "WORD JOINER"),
    ('\u{2061}', "FUNCTION APPLICATION"),
    ('\u{2062}', "INVISIBLE TIMES"),
    ('\u{2063}', "INVISIBLE SEPARATOR"),
    ('\u{2064}', "INVISIBLE PLUS"),
    ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
    ('\u{2067}', "RIGHT-TO-LEFT ISOLATE"),
    ('\u{2068}', "FIRST STRONG ISOLATE"),
    ('\u{2069}', "POP DIRECTIONAL ISOLATE"),
    ('\u{3164}', "HANGUL FILLER"),
    ('\u{feff}', "ZERO WIDTH NO-BREAK SPACE"),
    ('\u{ffa0}', "HALFWIDTH HANGUL FILLER"),
];

/// The Unicode name of `c` when it is one of the [`INVISIBLE`] characters.
pub fn invisible_name(c: char) -> Option<&'static str> {
    INVISIBLE.binary_search_by_key(&c, |(i, _)| *i).ok().map(|i| INVISIBLE[i].1)
}

/// Whether `c` is one of the [`INVISIBLE`] characters.
pub fn is_invisible(c: char) -> bool {
    invisible_name(c).is_some()
}

/// Whether `text` holds one of the [`INVISIBLE`] characters. Quick for the usual text: only
/// a string with a byte that starts the UTF-8 encoding of one of them (no ASCII byte does, nor
/// the bytes that start `æ`, `ø`, `å`) is decoded and looked up.
pub fn has_invisible(text: &str) -> bool {
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let bytes = text.as_bytes();
    let starts_one = |bytes: &[u8]| bytes.iter().any(|&b| INVISIBLE_FIRST_BYTES[usize::from(b)]);
    // Eight bytes at a time, and only the bytes of a word with a byte above ASCII are looked
    // up. A text of eight bytes or more ends with its last eight bytes as one more word, which
    // may overlap the one before: the test says whether there is such a byte, not where.
    let word_starts_one =
        |word: &[u8]| u64::from_ne_bytes(word.try_into().unwrap_or([0xff; 8])) & HIGHS != 0 && starts_one(word);
    let may_have = match bytes.len().checked_sub(8) {
        Some(last) => bytes.chunks_exact(8).any(word_starts_one) || word_starts_one(&bytes[last..]),
        None => starts_one(bytes),
    };
    may_have && text.chars().any(is_invisible)
}

/// Which bytes start the UTF-8 encoding of an [`INVISIBLE`] character, derived from the list.
const INVISIBLE_FIRST_BYTES: [bool; 256] = {
    let mut first = [false; 256];
    let mut i = 0;
    while i < INVISIBLE.len() {
        let mut encoded = [0; 4];
        first[INVISIBLE[i].0.encode_utf8(&mut encoded).as_bytes()[0] as usize] = true;
        i += 1;
    }
    first
};

/// `text` as it looks: a space-like [`INVISIBLE`] character (a no-break space) becomes an
/// ordinary space, every other one is left out.
pub fn without_invisible(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\u{00a0}' | '\u{2007}' | '\u{202f}' => Some(' '),
            c if is_invisible(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Names the invisible characters of `text` and where they are, for a message:
/// "an invisible ZERO WIDTH SPACE (U+200B) after `country`"; `None` when it has none. The
/// position is told by the visible text before the character (or "at the start").
pub fn describe_invisible(text: &str) -> Option<String> {
    const LISTED: usize = 3;
    const CONTEXT: usize = 24;
    if !has_invisible(text) {
        return None;
    }
    let found: Vec<(usize, char, &str)> =
        text.char_indices().filter_map(|(at, c)| invisible_name(c).map(|name| (at, c, name))).collect();
    if found.is_empty() {
        return None;
    }
    let one = |&(at, c, name): &(usize, char, &str)| {
        let before = without_invisible(&text[..at]);
        let place = if before.is_empty() {
            "at the start".to_owned()
        } else {
            let skip = before.chars().count().saturating_sub(CONTEXT);
            let tail: String = before.chars().skip(skip).collect();
            let cut = if skip > 0 { "\u{2026}" } else { "" };
            format!("after `{cut}{}`", one_line(&tail))
        };
        // U+FEFF is better known as a byte-order mark, which a file may carry at its start.
        let also = if c == '\u{feff}' { ", a byte-order mark" } else { "" };
        format!("{name} (U+{:04X}{also}) {place}", c as u32)
    };
    let mut described: Vec<String> = found.iter().take(LISTED).map(one).collect();
    if found.len() > LISTED {
        described.push(format!("{} more", found.len() - LISTED));
    }
    Some(match found.len() {
        1 => format!("an invisible {}", described[0]),
        n => format!("{n} invisible characters: {}", described.join(", ")),
    })
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
    fn names_invisible_characters_and_where_they_are() {
        assert!(INVISIBLE.windows(2).all(|w| w[0].0 < w[1].0), "sorted, for the binary search");
        assert_eq!(
            describe_invisible("country\u{200b}").as_deref(),
            Some("an invisible ZERO WIDTH SPACE (U+200B) after `country`")
        );
        assert_eq!(
            describe_invisible("\u{feff}NO").as_deref(),
            Some("an invisible ZERO WIDTH NO-BREAK SPACE (U+FEFF, a byte-order mark) at the start")
        );
        assert_eq!(
            describe_invisible("Ja\u{200d}pan\u{ad}").as_deref(),
            Some("2 invisible characters: ZERO WIDTH JOINER (U+200D) after `Ja`, SOFT HYPHEN (U+00AD) after `Japan`")
        );
        assert_eq!(describe_invisible("Phnom Penh"), None);
        for text in [
            "",
            "Fisk",
            "Sjømatprodukter",
            "Ærfugl og ål",
            "\u{a0}",
            "a\u{200b}b",
            "\u{feff}Fisk",
            "Fisk\u{ad}",
            "日本",
            "a\u{202e}b",
            "\u{3164}",
            "é\u{301}",
            "Fisk\u{2007}",
            "\u{ffa0}",
        ] {
            assert_eq!(has_invisible(text), text.chars().any(is_invisible), "{text:?}");
        }
        for &(c, name) in INVISIBLE {
            assert!(has_invisible(&format!("x{c}y")), "{name}");
        }
        // Each invisible character at each place of texts to past two words long, among
        // ASCII and among other characters above ASCII, which start with other bytes.
        for filler in ["a", "ø", "日"] {
            for len in 0..=18 {
                for at in 0..=len {
                    for &(c, name) in INVISIBLE.iter().chain(&[('x', "x"), ('å', "å")]) {
                        let text = format!("{}{c}{}", filler.repeat(at), filler.repeat(len - at));
                        assert_eq!(has_invisible(&text), is_invisible(c), "{name} in {text:?}");
                    }
                }
            }
        }
        assert_eq!(without_invisible("no-jp-2015\u{2060}"), "no-jp-2015");
        assert_eq!(without_invisible("Phnom\u{a0}Penh"), "Phnom Penh");
        // A bidirectional control is named too, and the text around it stays inert.
        assert!(
            describe_invisible("a\u{202e}b").is_some_and(|d| d.contains("RIGHT-TO-LEFT OVERRIDE (U+202E) after `a`"))
        );
    }

    #[test]
    fn cuts_overlong_text() {
        let long = "x".repeat(MAX_CHARS + 10);
        assert_eq!(inert(&long).chars().count(), MAX_CHARS + 1);
    }
}
