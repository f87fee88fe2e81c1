//! Development only: arbitrary bytes through the whole pipeline, with the invariants every
//! output must keep.
//!
//! [`data_dir`] decodes fuzzer input into a data folder; [`run`] parses it, runs every rule,
//! renders every output (terminal, JSON, GitHub, and the reviewers' HTML, Markdown and
//! report.json) and returns the first broken invariant. A panic anywhere is a bug too: the
//! fuzz target and the property tests let it propagate.
//!
//! The well-formed neighbours of a fuzzed table are the frozen fixture dataset
//! `tests/fixtures/dataset/`, never the live `data/`.

use diagnostic::{Diagnostic, text};
use ingest::DataDir;
use model::TableId;
use report::human::HumanOptions;
use validate::Report;

/// The frozen copy of the dataset (`tests/fixtures/dataset/`), as the well-formed neighbours of
/// a fuzzed table; never the live `data/`, so that new rows there change no test.
const SAMPLE: [(TableId, &[u8]); 9] = [
    (TableId::Countries, include_bytes!("../../../tests/fixtures/dataset/countries.csv")),
    (TableId::Sources, include_bytes!("../../../tests/fixtures/dataset/sources.csv")),
    (TableId::Relations, include_bytes!("../../../tests/fixtures/dataset/relations.csv")),
    (TableId::Visits, include_bytes!("../../../tests/fixtures/dataset/visits.csv")),
    (TableId::VisitParticipants, include_bytes!("../../../tests/fixtures/dataset/visit_participants.csv")),
    (TableId::Trade, include_bytes!("../../../tests/fixtures/dataset/trade.csv")),
    (TableId::TradeCommodities, include_bytes!("../../../tests/fixtures/dataset/trade_commodities.csv")),
    (TableId::Residents, include_bytes!("../../../tests/fixtures/dataset/residents.csv")),
    (TableId::Exceptions, include_bytes!("../../../tests/fixtures/dataset/exceptions.csv")),
];

/// The frozen dataset's bytes of a table.
pub fn sample(table: TableId) -> &'static [u8] {
    SAMPLE.iter().find(|(t, _)| *t == table).map_or(&[], |(_, bytes)| bytes)
}

/// Decodes fuzzer input: the first byte picks the table (its value modulo 9, in
/// [`TableId::ALL`] order) and whether the other tables are the frozen dataset's (high bit
/// clear) or missing (high bit set); the remaining bytes are that table's file.
pub fn data_dir(input: &[u8]) -> DataDir {
    let (selector, content) = match input.split_first() {
        Some((&first, rest)) => (first, rest),
        None => (0, input),
    };
    let target = TableId::ALL[usize::from(selector) % TableId::ALL.len()];
    let others_missing = selector & 0x80 != 0;
    DataDir::from_memory("data", |table| {
        if table == target {
            Some(content.to_vec())
        } else if others_missing {
            None
        } else {
            Some(sample(table).to_vec())
        }
    })
}

/// The data folder of the frozen dataset with `table` replaced by `content`.
pub fn with_table(table: TableId, content: &[u8]) -> DataDir {
    DataDir::from_memory("data", |t| Some(if t == table { content.to_vec() } else { sample(t).to_vec() }))
}

/// Decodes `input` with [`data_dir`] and checks it with [`run`].
pub fn fuzz_one(input: &[u8]) -> Result<Report, String> {
    run(&data_dir(input))
}

/// Parses `dir`, runs every rule and every output, and checks the invariants:
///
/// - every finding names a file of the folder, a line within it, and a byte span within it
///   that starts on that line (or, for a file that is no table's, no position at all);
/// - the human report (without colour) holds no control character but line breaks and tabs,
///   and no character that reorders text on screen;
/// - the JSON report is valid JSON with one entry per finding, and so is the SARIF log (one
///   result per finding);
/// - the concise and statistics outputs hold no unsafe character raw, and the concise output
///   has one line per finding plus its summary;
/// - the GitHub report starts no line with a workflow command but its own annotations, whose
///   properties cell text cannot extend, and holds no legacy `##[` command anywhere;
/// - the reviewers' report: `index.html` holds no unsafe character raw, no `<script`, and no
///   data text outside escaping (no `<` from the data opens an element); `report.md` and
///   `report.json` hold no unsafe character raw, and `report.json` is valid JSON.
pub fn run(dir: &DataDir) -> Result<Report, String> {
    // The typed rows are dropped before the reviewers' report parses the folder again, so
    // that the two parses never hold memory at once.
    let report = validate::check_dir(dir);
    for finding in &report.findings {
        check_place(dir, finding).map_err(|e| format!("{e}\nfinding: {finding:?}"))?;
    }
    for unicode in [true, false] {
        let human = report::human::human(&report, HumanOptions { color: false, unicode, width: 100 });
        inert_in_terminal(&human)?;
    }
    let json = report::findings_json::json(&report);
    inert_raw(&json, "the JSON report")?;
    let parsed: serde_json::Value = serde_json::from_str(&json).map_err(|e| format!("invalid JSON report: {e}"))?;
    let listed = parsed.get("findings").and_then(serde_json::Value::as_array).map_or(0, Vec::len);
    if listed != report.findings.len() {
        return Err(format!("the JSON report lists {listed} of {} findings", report.findings.len()));
    }
    let options = report::sarif::SarifOptions { rules_uri: "https://example.invalid/docs/rules.md".to_owned() };
    let sarif = report::sarif::sarif(&report, &options, None);
    inert_raw(&sarif, "the SARIF log")?;
    let parsed: serde_json::Value = serde_json::from_str(&sarif).map_err(|e| format!("invalid SARIF log: {e}"))?;
    let results = parsed["runs"][0]["results"].as_array().map_or(0, Vec::len);
    if results != report.findings.len() {
        return Err(format!("the SARIF log has {results} results for {} findings", report.findings.len()));
    }
    let concise = report::concise::concise(&report, None);
    inert_raw(&concise, "the concise output")?;
    if concise.lines().count() != report.findings.len() + 1 {
        return Err(format!(
            "the concise output has {} lines for {} findings",
            concise.lines().count(),
            report.findings.len()
        ));
    }
    inert_raw(&report::concise::statistics(&report, None), "the statistics")?;
    inert_in_github(&report::github::github(&report, &|_| true))?;
    let reviewed = report::render(dir, None, &report::Options::default());
    inert_in_html(&reviewed.html)?;
    inert_raw(&reviewed.markdown, "report.md")?;
    inert_raw(&reviewed.json, "report.json")?;
    serde_json::from_str::<serde_json::Value>(&reviewed.json).map_err(|e| format!("invalid report.json: {e}"))?;
    Ok(report)
}

/// Checks that `text` holds no character of the policy's unsafe set raw, but line breaks and
/// tabs (which every output here writes itself).
fn inert_raw(text: &str, what: &str) -> Result<(), String> {
    inert_except(text, what, &['\n', '\t'])
}

/// Like [`inert_raw`], but also allowing the characters of `allowed`.
fn inert_except(text: &str, what: &str, allowed: &[char]) -> Result<(), String> {
    match text.char_indices().find(|&(_, c)| !allowed.contains(&c) && text::is_unsafe(c)) {
        Some((at, c)) => {
            let from = text[..at].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
            Err(format!("{what} holds {c:?} after {:?}", &text[from..at]))
        }
        None => Ok(()),
    }
}

/// Checks `index.html`: nothing unsafe raw, and no script, whatever the data holds. A carriage
/// return is white space to an HTML parser (it becomes a line feed), so CSV lines keep theirs.
pub fn inert_in_html(html: &str) -> Result<(), String> {
    inert_except(html, "index.html", &['\n', '\r', '\t'])?;
    if html.to_ascii_lowercase().contains("<script") {
        return Err("index.html holds a <script element".to_owned());
    }
    Ok(())
}

/// How many lines a file has, counting a last line without a line break.
pub fn line_count(bytes: &[u8]) -> usize {
    let mut lines = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => lines += 1,
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => lines += 1,
            _ => {}
        }
        i += 1;
    }
    lines
}

fn check_place(dir: &DataDir, finding: &Diagnostic) -> Result<(), String> {
    // A listed name is shown by the character policy, on one line.
    let shown = |name: &str| text::one_line(name).into_owned();
    if dir.other_files().iter().any(|name| shown(name) == finding.file) {
        // A file that is no table's is never read: the finding is about the file as a whole.
        let whole_file = finding.line == 0 && finding.span.is_none() && finding.snippet.is_none();
        return if whole_file { Ok(()) } else { Err("a position inside a file that was not read".to_owned()) };
    }
    let file = dir
        .files()
        .iter()
        .find(|f| f.name == finding.file)
        .ok_or_else(|| format!("the finding names `{}`, which is not a file of the folder", finding.file))?;
    let bytes = file.bytes.as_deref().unwrap_or_default();
    let lines = line_count(bytes);
    if finding.line as usize > lines {
        return Err(format!("line {} of a file of {lines} lines", finding.line));
    }
    if let Some(span) = &finding.span {
        if span.start > span.end || span.end > bytes.len() {
            return Err(format!("span {span:?} in a file of {} bytes", bytes.len()));
        }
        if finding.line == 0 {
            return Err("a span without a line".to_owned());
        }
        // The line is the one the span starts on, also after a multi-line cell or a lone
        // carriage return.
        let span_line = line_count(&bytes[..span.start]);
        if span_line != finding.line as usize {
            return Err(format!("line {}, but the span starts on line {span_line}", finding.line));
        }
    }
    if let Some(snippet) = &finding.snippet {
        if snippet.name != finding.file {
            return Err(format!("the snippet is of `{}`", snippet.name));
        }
        if let Some(span) = &finding.span
            && span.start < snippet.offset
        {
            return Err(format!("span {span:?} starts before the snippet at {}", snippet.offset));
        }
        if snippet.text.chars().any(|c| unsafe_on_screen(c) && c != '\r') {
            return Err(format!("the snippet holds a control character: {:?}", snippet.text));
        }
    }
    if finding.char_column() == Some(0) {
        return Err("column 0".to_owned());
    }
    for related in &finding.related {
        if !dir.files().iter().any(|f| f.name == related.file) {
            return Err(format!("a related row in `{}`, which is not a file of the folder", related.file));
        }
    }
    Ok(())
}

/// A character that changes what a terminal shows beyond printing a glyph: the policy's
/// unsafe set, less the line breaks and tabs that outputs write themselves.
fn unsafe_on_screen(c: char) -> bool {
    c != '\n' && c != '\t' && text::is_unsafe(c)
}

/// Checks text meant for a terminal: only printable characters, line breaks and tabs.
pub fn inert_in_terminal(text: &str) -> Result<(), String> {
    match text.char_indices().find(|(_, c)| unsafe_on_screen(*c)) {
        Some((at, c)) => {
            let from = text[..at].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
            Err(format!("the human report holds {c:?} after {:?}", &text[from..at]))
        }
        None => Ok(()),
    }
}

/// Checks text meant for a GitHub Actions log: see [`run`].
pub fn inert_in_github(text: &str) -> Result<(), String> {
    if text.contains('\r') {
        return Err("a carriage return in the GitHub report".to_owned());
    }
    for line in text.lines() {
        if line.contains("##[") {
            return Err(format!("a legacy workflow command in the GitHub report: {line:?}"));
        }
        if line.chars().any(unsafe_on_screen) {
            return Err(format!("a control character in the GitHub report: {line:?}"));
        }
        let trimmed = line.trim_start();
        if !trimmed.starts_with("::") {
            continue;
        }
        if trimmed.starts_with("::notice title=bilat::") {
            continue;
        }
        let Some(rest) = trimmed.strip_prefix("::error ").or_else(|| trimmed.strip_prefix("::warning ")) else {
            return Err(format!("an unexpected workflow command: {line:?}"));
        };
        let Some((properties, _message)) = rest.split_once("::") else {
            return Err(format!("an annotation without a message: {line:?}"));
        };
        for property in properties.split(',') {
            let (name, value) = property.split_once('=').unwrap_or((property, ""));
            let ok = match name {
                "file" | "title" => !value.contains([':', ',']),
                "line" | "col" | "endLine" | "endColumn" => {
                    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
                }
                _ => false,
            };
            if !ok {
                return Err(format!("an annotation property `{property}` that cell text could extend: {line:?}"));
            }
        }
    }
    Ok(())
}
