//! Arbitrary bytes through the whole pipeline, with the invariants every output must keep.
//!
//! [`data_dir`] decodes fuzzer input into a data folder; [`run`] parses it, runs every rule,
//! renders every output and returns the first broken invariant. A panic anywhere is a bug
//! too: the fuzz target and the property tests let it propagate.

use ingest::DataDir;
use model::TableId;
use validate::output::{self, HumanOptions};
use validate::{Finding, Report};

/// The real dataset's files, as the well-formed neighbours of a fuzzed table.
const SAMPLE: [(TableId, &[u8]); 9] = [
    (TableId::Countries, include_bytes!("../../../data/countries.csv")),
    (TableId::Sources, include_bytes!("../../../data/sources.csv")),
    (TableId::Relations, include_bytes!("../../../data/relations.csv")),
    (TableId::Visits, include_bytes!("../../../data/visits.csv")),
    (TableId::VisitParticipants, include_bytes!("../../../data/visit_participants.csv")),
    (TableId::Trade, include_bytes!("../../../data/trade.csv")),
    (TableId::TradeCommodities, include_bytes!("../../../data/trade_commodities.csv")),
    (TableId::Residents, include_bytes!("../../../data/residents.csv")),
    (TableId::Exceptions, include_bytes!("../../../data/exceptions.csv")),
];

/// The real dataset's bytes of a table.
pub fn sample(table: TableId) -> &'static [u8] {
    SAMPLE.iter().find(|(t, _)| *t == table).map_or(&[], |(_, bytes)| bytes)
}

/// Decodes fuzzer input: the first byte picks the table (its value modulo 9, in
/// [`TableId::ALL`] order) and whether the other tables are the real dataset's (high bit
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

/// The data folder of the real dataset with `table` replaced by `content`.
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
///   that starts on that line;
/// - the human report (without colour) holds no control character but line breaks and tabs,
///   and no character that reorders text on screen;
/// - the JSON report is valid JSON with one entry per finding;
/// - the GitHub report starts no line with a workflow command but its own annotations, whose
///   properties cell text cannot extend, and holds no legacy `##[` command anywhere.
pub fn run(dir: &DataDir) -> Result<Report, String> {
    let (data, problems) = ingest::parse(dir);
    let report = validate::check(&data, problems);
    for finding in &report.findings {
        check_place(dir, finding).map_err(|e| format!("{e}\nfinding: {finding:?}"))?;
    }
    for unicode in [true, false] {
        let human = output::human(&report, HumanOptions { color: false, unicode, width: 100 });
        inert_in_terminal(&human)?;
    }
    let json = output::json(&report);
    let parsed: serde_json::Value = serde_json::from_str(&json).map_err(|e| format!("invalid JSON report: {e}"))?;
    let listed = parsed.get("findings").and_then(serde_json::Value::as_array).map_or(0, Vec::len);
    if listed != report.findings.len() {
        return Err(format!("the JSON report lists {listed} of {} findings", report.findings.len()));
    }
    inert_in_github(&output::github(&report, &|_| true))?;
    Ok(report)
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

fn check_place(dir: &DataDir, finding: &Finding) -> Result<(), String> {
    let file = dir
        .files
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
        // carriage return. `exception/stale` still names its row's first line: it is placed in
        // validate's exceptions.rs, which is being reworked (issue 11, class 5).
        let span_line = line_count(&bytes[..span.start]);
        if finding.rule != "exception/stale" && span_line != finding.line as usize {
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
        if !dir.files.iter().any(|f| f.name == related.file) {
            return Err(format!("a related row in `{}`, which is not a file of the folder", related.file));
        }
    }
    Ok(())
}

/// A character that changes what a terminal shows beyond printing a glyph.
fn unsafe_on_screen(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
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
                "line" | "col" => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
                _ => false,
            };
            if !ok {
                return Err(format!("an annotation property `{property}` that cell text could extend: {line:?}"));
            }
        }
    }
    Ok(())
}
