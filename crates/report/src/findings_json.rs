//! The report of a check as one JSON document for tools, built with `serde_json`, valid
//! whatever a cell holds: `cargo xtask check --format json`.

use diagnostic::{Applicability, Consequence, Diagnostic, Severity};
use serde::Serialize;
use validate::{Report, Summary};

use crate::baseline::{Baseline, Change, mark};

/// The version of the JSON document's shape; it changes when a field changes meaning or is
/// removed, not when one is added.
pub const FORMAT_VERSION: u32 = 2;

/// A finding as machine output shows it.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'r> {
    rule: &'r str,
    severity: Severity,
    file: &'r str,
    line: u32,
    /// 1-based character column where the cell starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    col: Option<u32>,
    /// 1-based character column just past the cell, when it ends on its first line.
    #[serde(skip_serializing_if = "Option::is_none")]
    end_col: Option<u32>,
    column: Option<&'r str>,
    key: Option<&'r str>,
    value: Option<&'r str>,
    message: &'r str,
    help: Option<&'r str>,
    acknowledged: Option<&'r str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'r>>,
    /// The findings folded into this one, as rule, file, line and column.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    consequences: &'r [Consequence],
    /// Against a base (`--base`): `introduced` or `present`.
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<Change>,
}

#[derive(Debug, Serialize)]
struct JsonRelated<'r> {
    label: &'r str,
    file: &'r str,
    line: u32,
    column: Option<&'r str>,
}

#[derive(Debug, Serialize)]
struct JsonFix<'r> {
    title: &'r str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'r>>,
}

/// An edit: replace the bytes `offset..end_offset` of `file` by `replacement`; `line`, `col`
/// and `end_col` say the same in characters where the edit lies on one line of the snippet.
#[derive(Debug, Serialize)]
struct JsonEdit<'r> {
    file: &'r str,
    offset: usize,
    end_offset: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    col: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_col: Option<u32>,
    replacement: &'r str,
}

impl<'r> JsonFinding<'r> {
    /// The JSON view of a finding.
    pub fn new(finding: &'r Diagnostic) -> JsonFinding<'r> {
        JsonFinding {
            rule: finding.rule().as_str(),
            severity: finding.severity,
            file: &finding.file,
            line: finding.line,
            col: finding.char_column(),
            end_col: finding.end_column(),
            column: finding.column.as_deref(),
            key: finding.key.as_deref(),
            value: finding.value.as_deref(),
            message: &finding.message,
            help: finding.help.as_deref(),
            acknowledged: finding.acknowledged.as_deref(),
            related: finding
                .related
                .iter()
                .map(|r| JsonRelated { label: &r.label, file: &r.file, line: r.line, column: r.column.as_deref() })
                .collect(),
            consequences: &finding.consequences,
            fix: finding.fix.as_ref().map(|fix| JsonFix {
                title: &fix.title,
                applicability: fix.applicability,
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| {
                        let place = |at: usize| finding.snippet.as_ref().and_then(|s| s.line_column(at));
                        let (start, end) = (place(edit.span.start), place(edit.span.end));
                        let same_line = start.zip(end).filter(|(s, e)| s.0 == e.0);
                        JsonEdit {
                            file: &edit.file,
                            offset: edit.span.start,
                            end_offset: edit.span.end,
                            line: same_line.map(|(s, _)| s.0),
                            col: same_line.map(|(s, _)| s.1),
                            end_col: same_line.map(|(_, e)| e.1),
                            replacement: &edit.replacement,
                        }
                    })
                    .collect(),
            }),
            change: None,
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'r> {
    version: u32,
    findings: Vec<JsonFinding<'r>>,
    /// Whether `findings` leaves some out: beyond `ingest::MAX_LISTED` findings of one rule
    /// in one file are counted, not listed (`unlisted` says where and how many).
    truncated: bool,
    /// The findings counted but not listed, per file and rule; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unlisted: Vec<JsonUnlisted<'r>>,
    summary: &'r Summary,
    /// Whether the check passes.
    passed: bool,
    /// The settings the check ran with: `source` (e.g. `bilat.toml`), `deny_warnings` and
    /// `severities` by id.
    config: &'r validate::Config,
    /// The tables reported on, when `check` was given some; absent for all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    only: Vec<&'static str>,
    /// The base revision the findings are marked against (`--base`).
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<&'r str>,
}

#[derive(Serialize)]
struct JsonUnlisted<'r> {
    file: &'r str,
    rule: &'static str,
    severity: Severity,
    count: usize,
}

/// The report as one JSON document.
pub fn json(report: &Report) -> String {
    json_with(report, None)
}

/// The report as one JSON document, each finding marked `introduced` or `present` against a
/// `baseline`.
pub fn json_with(report: &Report, baseline: Option<&Baseline>) -> String {
    let document = JsonReport {
        version: FORMAT_VERSION,
        findings: report
            .findings
            .iter()
            .enumerate()
            .map(|(index, f)| JsonFinding { change: mark(baseline, index), ..JsonFinding::new(f) })
            .collect(),
        truncated: !report.unlisted.is_empty(),
        unlisted: report
            .unlisted
            .iter()
            .map(|u| JsonUnlisted { file: &u.file, rule: u.rule.as_str(), severity: u.severity, count: u.count })
            .collect(),
        summary: &report.summary,
        passed: report.passed(),
        config: &report.config,
        only: report.only.iter().map(|t| t.file()).collect(),
        base: baseline.map(|b| b.label.as_str()),
    };
    crate::escape::json_pretty(&document)
}
