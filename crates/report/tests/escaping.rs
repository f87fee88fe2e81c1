//! Hostile cell text shows as text in every output: the HTML page, the Markdown summary, the
//! JSON document and GitHub's workflow commands.
//!
//! The `hostile` fixture puts script tags, attribute breakers, Markdown table breakers,
//! mentions, links, HTML comments and workflow commands behind line breaks into cells that
//! every output shows: a country's name, a relation's detail and place, a visit's occasion, a
//! participant's name, a commodity, a row key, and an exception whose message quotes them.

#![allow(clippy::unwrap_used)]

mod common;

use report::{Base, Options, Outputs, render};

fn hostile() -> Outputs {
    let base = common::fixture("review/head");
    let head = common::fixture("hostile");
    render(&head, Some(Base { label: "main<script>x</script>", dir: &base }), &Options::default())
}

/// The tags of an HTML document, as `(name, whole tag)`.
fn tags(html: &str) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let tag = &after[..end];
        let name: String =
            tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '!').collect();
        tags.push((name.to_ascii_lowercase(), format!("<{tag}")));
        rest = &after[end..];
    }
    tags
}

#[test]
fn html_shows_hostile_cells_as_text() {
    let html = hostile().html;
    const ALLOWED: &[&str] = &[
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "div",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "code",
        "section",
        "span",
        "dl",
        "dt",
        "dd",
        "nav",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "article",
        "pre",
        "mark",
        "strong",
        "i",
        "del",
        "ins",
        "details",
        "summary",
        "figure",
        "figcaption",
        "svg",
        "rect",
        "line",
        "circle",
        "text",
        "cite",
        "footer",
        "main",
    ];
    for (name, tag) in tags(&html) {
        assert!(ALLOWED.contains(&name.as_str()), "unexpected tag {tag}");
        let lower = tag.to_ascii_lowercase();
        assert!(!lower.contains(" on") || !lower.split_whitespace().any(|a| a.starts_with("on")), "handler in {tag}");
        assert!(!lower.contains("javascript:") && !lower.contains(" src=") && !lower.contains("href=\"http"), "{tag}");
    }
    // Only the page's own stylesheet: no script, no second style, no external reference.
    assert_eq!(html.matches("<style>").count(), 1);
    assert!(!html.contains("<script") && !html.contains("<img"));
    // The hostile text is there, as text.
    for shown in [
        "Japan&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;",
        "&quot;&gt;&lt;img src=x onerror=&quot;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&quot;&gt;",
        "&lt;/svg&gt;&lt;/pre&gt;&lt;/code&gt;&lt;script&gt;",
        "&lt;b onmouseover=alert(1)&gt;Birkeland&lt;/b&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "| x | y | # Heading @octocat [link](https://evil.example)",
        "main&lt;script&gt;x&lt;/script&gt;",
    ] {
        assert!(html.contains(shown), "missing {shown}");
    }
    // The content security policy forbids scripts and requests even if escaping failed.
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'"));
}

/// A line with its Markdown code spans removed (runs of n backticks up to the next run of n).
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' && (i == 0 || chars[i - 1] != '\\') {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            let mut j = i + run;
            let mut closed = None;
            while j < chars.len() {
                let other = chars[j..].iter().take_while(|&&c| c == '`').count();
                if other == run {
                    closed = Some(j + run);
                    break;
                }
                j += other.max(1);
            }
            if let Some(end) = closed {
                out.push_str("CODE");
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn unescaped_pipes(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    (0..chars.len()).filter(|&i| chars[i] == '|' && (i == 0 || chars[i - 1] != '\\')).count()
}

#[test]
fn markdown_shows_hostile_cells_as_text() {
    let markdown = hostile().markdown;
    // Every table keeps its columns: each row has the header's number of cell separators.
    let lines: Vec<&str> = markdown.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') {
            let expected = unescaped_pipes(lines[i]);
            while i < lines.len() && lines[i].starts_with('|') {
                assert_eq!(unescaped_pipes(lines[i]), expected, "{}", lines[i]);
                i += 1;
            }
        }
        i += 1;
    }
    const OURS: &[&str] = &["<details>", "</details>", "<summary>", "</summary>", "<br>", "<sub>", "</sub>"];
    for line in &lines {
        assert!(!line.contains('\r'), "{line}");
        if line.starts_with('#') {
            assert!(line.starts_with("## ") || line.starts_with("### "), "{line}");
        }
        let prose = without_code_spans(line);
        let mut rest = prose.as_str();
        while let Some(at) = rest.find('<') {
            let escaped = at > 0 && rest.as_bytes()[at - 1] == b'\\';
            assert!(escaped || OURS.iter().any(|t| rest[at..].starts_with(t)), "raw HTML in {line}");
            rest = &rest[at + 1..];
        }
        assert!(!prose.contains("@octocat"), "mention in {line}");
        assert!(!prose.contains("https://"), "link in {line}");
        assert!(!prose.contains("]("), "link in {line}");
        assert!(!prose.contains(" $x$"), "maths in {line}");
    }
    // Shown, inside code spans, where GitHub links nothing.
    assert!(markdown.contains("@octocat`"), "{markdown}");
}

#[test]
fn github_annotations_cannot_inject_commands() {
    let base = common::fixture("review/head");
    let head = common::fixture("hostile");
    let diff = report::DataDiff::new(&base, &head);
    let report = validate::check_dir(&head);
    let text = report::github::github(&report, &|f| diff.touches(f));
    let mut commands = 0;
    for line in text.lines() {
        if !line.starts_with("::") {
            continue;
        }
        commands += 1;
        let ok = line.starts_with("::error file=data/")
            || line.starts_with("::warning file=data/")
            || line.starts_with("::notice title=bilat::");
        assert!(ok, "injected command: {line}");
        let (properties, message) = line[2..].split_once("::").unwrap();
        assert!(!properties.contains('\n') && !message.contains('\n'));
    }
    assert!(commands > 0 && commands <= 21, "{commands}");
    // The exception's hostile key is quoted in a message: its line break shown as `⏎`, and its
    // percent sign escaped, so that it stays text on its line.
    assert!(text.contains("%250A::error file=x::pwned⏎@octocat"), "{text}");
}

#[test]
fn json_keeps_hostile_text_exactly() {
    let json: serde_json::Value = serde_json::from_str(&hostile().json).unwrap();
    let keys: Vec<&str> = json["findings"].as_array().unwrap().iter().filter_map(|f| f["key"].as_str()).collect();
    assert!(keys.contains(&"<script>alert(1)</script>"), "{keys:?}");
    let added = &json["base"]["diff"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "relations.csv")
        .unwrap()["added"][0]["cells"];
    assert_eq!(added["detail"], "line one\n::error file=x,line=1::injected\n%0A::warning::also");
    assert_eq!(json["base"]["rev"], "main<script>x</script>");
}
