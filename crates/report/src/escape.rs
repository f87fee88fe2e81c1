//! Escaping of data text, one function per output language.
//!
//! Every value that comes from the data (cells, keys, messages that quote cells, file names,
//! the base revision's name) goes through one of these before it is written:
//!
//! - [`html`] for HTML and SVG text and attribute values;
//! - [`md_text`] for Markdown prose, and [`md_code`] for a Markdown code span;
//! - [`json_pretty`] for every JSON document (the findings, `report.json`, SARIF, the data
//!   package), whose strings keep data exact, as `\u` escapes where it is unsafe;
//! - GitHub workflow commands use [`crate::github::escape_data`] and
//!   [`crate::github::escape_property`].
//!
//! Characters unsafe on screen are made visible by the one policy of [`diagnostic::text`]
//! (`␛` for ESC, `⟨U+202E⟩` for a bidirectional control), so that what a reviewer reads is
//! what the file holds.

use std::fmt::Write as _;

use diagnostic::text;

/// `value` as pretty-printed JSON, with every character unsafe on screen written as a `\u`
/// escape. `serde_json` escapes the C0 controls but writes DEL, the C1 controls and the
/// bidirectional controls raw; a JSON string must keep data exact (a fix's replacement is
/// applied as it reads), so they are escaped, not made visible. Such a character can only be
/// inside a string: the rest of the document is ASCII punctuation, names and white space.
pub fn json_pretty(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": {}}}", serde_json::Value::String(e.to_string())));
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if text::is_unsafe(c) && !matches!(c, '\n' | '\t') {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

/// Escapes text for HTML (and SVG) element content and quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_html(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped as [`html`] does.
pub fn push_html(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(c),
            c if text::is_unsafe(c) => text::push_visible(out, c),
            c => out.push(c),
        }
    }
}

/// HTML for documentation text and rule messages: escaped, with `` `code` `` spans turned into
/// `<code>`. Text with an odd number of backticks is escaped as a whole.
pub fn html_doc(text: &str) -> String {
    if text.matches('`').count() % 2 == 1 {
        return html(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            push_html(&mut out, part);
            out.push_str("</code>");
        } else {
            push_html(&mut out, part);
        }
    }
    out
}

/// U+2060 WORD JOINER: invisible, and breaks what GitHub would otherwise link.
const JOINER: char = '\u{2060}';

/// Escapes text for Markdown prose (GitHub Flavored Markdown), also inside a table cell.
///
/// Every character with inline meaning is backslash-escaped (so a cell cannot open a link,
/// emphasis, HTML, a code span, maths, or end a table cell); a word joiner follows `@` and
/// `#` (no @-mention, no issue link) and splits `://` and `www.` (no automatic link); line
/// breaks become spaces; and a leading character that would start a block (`-`, `+`, `=`,
/// `1.`) is escaped, should the text ever open a line.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    let leading_digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let next = |k: usize| chars.get(i + k).copied();
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '!' | '~' | '&' | '$' | '{' | '}' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '#' => {
                out.push('\\');
                out.push(c);
                out.push(JOINER);
            }
            ':' if next(1) == Some('/') && next(2) == Some('/') => {
                out.push(':');
                out.push(JOINER);
            }
            'w' | 'W'
                if chars[i..].len() >= 4
                    && chars[i..i + 3].iter().all(|w| w.eq_ignore_ascii_case(&'w'))
                    && chars[i + 3] == '.' =>
            {
                out.push(c);
                out.push(JOINER);
            }
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i > 0 && i == leading_digits && next(1).is_none_or(|n| n == ' ' || n == '\t') => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if text::is_unsafe(c) => text::push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Markdown for a rule's message or help, which quote cells and names in backticks: each
/// `` `quoted` `` part becomes a code span made by [`md_code`], the rest is escaped by
/// [`md_text`]. Text with an odd number of backticks is escaped as a whole.
pub fn md_rich(text: &str, in_table: bool) -> String {
    if text.matches('`').count() % 2 == 1 {
        return md_text(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&md_code(part, in_table, 200));
        } else {
            out.push_str(&md_text(part));
        }
    }
    out
}

/// A Markdown code span showing `text` verbatim, cut to `max_chars` characters.
///
/// The fence is one backtick longer than the longest run of backticks in the text, with
/// padding where the text begins or ends with a backtick or a space, so that no cell can close
/// the span early. Line breaks and other control characters show as control pictures (`␊`).
/// Inside a table (`in_table`), `|` is written `\|`, which GitHub reads as a literal pipe even
/// within a code span. An empty text shows as *(empty)*.
pub fn md_code(text: &str, in_table: bool, max_chars: usize) -> String {
    if text.is_empty() {
        return "*(empty)*".to_owned();
    }
    let mut body = String::with_capacity(text.len() + 4);
    let mut cut = false;
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            cut = true;
            break;
        }
        match c {
            '|' if in_table => body.push_str("\\|"),
            '\t' => text::push_visible(&mut body, c),
            c if text::is_unsafe(c) => text::push_visible(&mut body, c),
            c => body.push(c),
        }
    }
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let spaced = body.starts_with(' ') && body.ends_with(' ') && body.chars().any(|c| c != ' ');
    let pad = if body.starts_with('`') || body.ends_with('`') || spaced { " " } else { "" };
    let ellipsis = if cut { "…" } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}{ellipsis}")
}

/// `text` cut to at most `max_chars` characters, with `…` when cut.
pub fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_data_exact_and_writes_no_unsafe_character_raw() {
        let data = "a\u{7f}b\u{9b}c\u{202e}d\u{1b}e\nf\t\"g\\";
        let json = json_pretty(&serde_json::json!({ "replacement": data }));
        assert!(json.contains(r#""a\u007fb\u009bc\u202ed\u001be\nf\t\"g\\""#), "{json}");
        assert!(!json.chars().any(|c| text::is_unsafe(c) && c != '\n'), "{json:?}");
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(parsed["replacement"], data);
        assert!(json.ends_with("}\n"));
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(html(r#""><img src=x onerror=alert(1)>"#), "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(html("<script>'&'</script>"), "&lt;script&gt;&#39;&amp;&#39;&lt;/script&gt;");
        assert_eq!(html("a\u{1b}[31mb\u{202e}c\u{0}"), "a\u{241b}[31mb\u{27e8}U+202E\u{27e9}c\u{2400}");
    }

    #[test]
    fn html_doc_marks_code_spans() {
        assert_eq!(html_doc("e.g. `no-jp-2015` <b>"), "e.g. <code>no-jp-2015</code> &lt;b&gt;");
    }

    #[test]
    fn markdown_text_cannot_format_link_or_mention() {
        assert_eq!(md_text("a|b"), "a\\|b");
        assert_eq!(md_text("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(md_text("[x](javascript:1)"), "\\[x\\](javascript:1)");
        assert_eq!(md_text("@octocat"), "\\@\u{2060}octocat");
        assert_eq!(md_text("#12"), "\\#\u{2060}12");
        assert_eq!(md_text("see https://x.example"), "see https:\u{2060}//x.example");
        assert_eq!(md_text("www.x.example"), "w\u{2060}ww.x.example");
        assert_eq!(md_text("- item"), "\\- item");
        assert_eq!(md_text("12. item"), "12\\. item");
        assert_eq!(md_text("2.9 NOK"), "2.9 NOK");
        assert_eq!(md_text("1)"), "1\\)");
        assert_eq!(md_text("two\nlines"), "two lines");
        assert_eq!(md_text("`code` *em* $x$"), "\\`code\\` \\*em\\* \\$x\\$");
    }

    #[test]
    fn markdown_code_spans_hold_any_text() {
        assert_eq!(md_code("NO/JP", true, 80), "`NO/JP`");
        assert_eq!(md_code("a`b", false, 80), "``a`b``");
        assert_eq!(md_code("`x", false, 80), "`` `x ``");
        assert_eq!(md_code("a|b", true, 80), "`a\\|b`");
        assert_eq!(md_code("a|b", false, 80), "`a|b`");
        assert_eq!(md_code("a\nb", false, 80), "`a\u{240a}b`");
        assert_eq!(md_code("", true, 80), "*(empty)*");
        assert_eq!(md_code("abcdef", true, 3), "`abc`…");
        assert_eq!(md_code(" x ", true, 80), "`  x  `");
    }

    #[test]
    fn rich_text_quotes_code_safely() {
        assert_eq!(md_rich("`date` is `a|b`", true), "`date` is `a\\|b`");
        assert_eq!(md_rich("`x` is ``", false), "`x` is *(empty)*");
        assert_eq!(md_rich("odd ` tick <b>", false), "odd \\` tick \\<b\\>");
        assert_eq!(html_doc("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("blåbær", 3), "blå…");
        assert_eq!(truncate("kort", 10), "kort");
    }
}
