//! [`Finding`]: one problem, at one place, with everything needed to show and identify it.

use std::fmt;
use std::ops::Range;

use ingest::{Severity, Snippet};
use miette::{Diagnostic, LabeledSpan, SourceCode};
use serde::Serialize;

/// A problem in the data: which rule, where, what, and how to fix it.
///
/// Ingest problems become findings too, so that every output deals with one type.
#[derive(Clone, Debug, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct Finding {
    /// The rule's stable id, e.g. `trade/commodity-share`.
    pub rule: &'static str,
    /// How serious the rule says it is.
    #[serde(serialize_with = "severity_name")]
    pub severity: Severity,
    /// The file, as shown to users.
    pub file: String,
    /// 1-based line in the file; 0 for a problem of the whole file.
    pub line: u32,
    /// The column's header name, for a problem of one cell.
    pub column: Option<String>,
    /// The row's key values joined by `/`, which with rule, file and column identifies the
    /// finding across edits that move rows.
    pub key: Option<String>,
    /// The text of the cell the finding is about, as the table holds it.
    pub value: Option<String>,
    /// Byte span of the offending cell in the file.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, with the arithmetic where there is some.
    pub help: Option<String>,
    /// Other rows this finding depends on (the total a share is checked against).
    pub related: Vec<Related>,
    /// The reason from `exceptions.csv`, when the dataset acknowledges this finding.
    pub acknowledged: Option<String>,
    /// The lines the finding points into.
    #[serde(skip)]
    pub snippet: Option<Snippet>,
}

/// A row that a finding depends on, possibly in another file.
#[derive(Clone, Debug, thiserror::Error, Serialize)]
#[error("{label}")]
pub struct Related {
    /// What this row is to the finding, e.g. "the flow's total".
    pub label: String,
    /// The file, as shown.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The column, when one cell matters.
    pub column: Option<String>,
    /// Byte span of that cell.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
    /// The row's lines.
    #[serde(skip)]
    pub snippet: Option<Snippet>,
}

impl Finding {
    /// Whether the finding fails a check: an error that the dataset does not acknowledge.
    pub fn is_failure(&self) -> bool {
        self.severity == Severity::Error && self.acknowledged.is_none()
    }

    /// The identity of a finding across versions of the data: rule, file name, row key and
    /// column (not line numbers, which shift when rows are added above).
    pub fn identity(&self) -> (&'static str, &str, &str, &str) {
        let file = self.file.rsplit('/').next().unwrap_or(&self.file);
        (self.rule, file, self.key.as_deref().unwrap_or(""), self.column.as_deref().unwrap_or(""))
    }

    /// The 1-based character column where the finding's span starts on its line, if known.
    pub fn char_column(&self) -> Option<usize> {
        char_column(self.snippet.as_ref()?, self.span.clone()?)
    }

    /// Sort key: file, line, column, rule, then message for full determinism.
    pub(crate) fn sort_key(&self) -> impl Ord + '_ {
        (&self.file, self.line, self.span.as_ref().map(|s| s.start), &self.column, self.rule, &self.message)
    }
}

fn severity_name<S: serde::Serializer>(severity: &Severity, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&severity.to_string())
}

pub(crate) fn char_column(snippet: &Snippet, span: Range<usize>) -> Option<usize> {
    let local = snippet.map_span(span);
    let before = snippet.text.get(..local.offset())?;
    let line_start = before.rfind(['\n', '\r']).map_or(0, |p| p + 1);
    Some(before[line_start..].chars().count() + 1)
}

impl From<ingest::Error> for Finding {
    fn from(error: ingest::Error) -> Finding {
        Finding {
            rule: error.kind.code(),
            severity: error.kind.severity(),
            file: error.file,
            line: error.line,
            column: error.column,
            key: error.key,
            value: None,
            span: error.span,
            message: error.message,
            help: error.help,
            related: Vec::new(),
            acknowledged: None,
            snippet: error.snippet,
        }
    }
}

fn labels<'a>(
    snippet: Option<&'a Snippet>,
    span: Option<Range<usize>>,
    label: Option<String>,
) -> Option<Box<dyn Iterator<Item = LabeledSpan> + 'a>> {
    let snippet = snippet?;
    let span = snippet.map_span(span?);
    Some(Box::new(std::iter::once(LabeledSpan::new_with_span(label, span))))
}

impl Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match (self.severity, &self.acknowledged) {
            (_, Some(_)) => miette::Severity::Advice,
            (Severity::Error, None) => miette::Severity::Error,
            (Severity::Warning, None) => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match (&self.help, &self.acknowledged) {
            (Some(help), Some(reason)) => Some(Box::new(format!("{help}\nacknowledged in exceptions.csv: {reason}"))),
            (None, Some(reason)) => Some(Box::new(format!("acknowledged in exceptions.csv: {reason}"))),
            (Some(help), None) => Some(Box::new(help)),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        labels(self.snippet.as_ref(), self.span.clone(), self.column.clone())
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

impl Diagnostic for Related {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        labels(self.snippet.as_ref(), self.span.clone(), self.column.clone())
    }
}
