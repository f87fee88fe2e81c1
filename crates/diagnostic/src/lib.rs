//! The one diagnostic type of a bilat run, and the policy for showing text from the data.
//!
//! - [`Diagnostic`] is everything a run reports, whether ingest found it while reading a file
//!   or a rule found it in the typed rows: its [`RuleId`], [`Severity`], place (file, table,
//!   line, column, byte span of the cell, [`Snippet`] of the lines), message, help, the
//!   [`Related`] rows it depends on, and optionally a [`Fix`].
//! - A [`Fix`] is data: [`Edit`]s (a byte span of a file and its replacement) with an
//!   [`Applicability`], `Safe` when applying it cannot change what the data says, `Unsafe`
//!   when it is a guess a person must confirm. The help text of a fixable diagnostic is the
//!   fix's title.
//! - [`apply_fixes`] applies fixes to a file's bytes, keeping every byte outside their edits.
//! - [`text`] owns the character policy: which characters from the data are unsafe to show
//!   raw, and how they are made visible. Renderers add only their own syntax's escaping.
//!
//! This crate does no I/O. Rendering lives in the `report` crate.

mod apply;
mod snippet;
pub mod text;

use std::fmt;
use std::ops::Range;

use miette::{LabeledSpan, SourceCode, SourceSpan};
use model::TableId;

pub use apply::{Applied, apply_fixes};
pub use snippet::Snippet;

/// The stable id of a rule, e.g. `trade/commodity-share`. Exceptions, fingerprints and the
/// documentation use it. Each rule declares the ids it reports; the engine checks that a rule
/// reports no other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RuleId(&'static str);

impl RuleId {
    /// Declares an id. Ids are `family/name` in lower-case words joined by `-`.
    pub const fn new(id: &'static str) -> RuleId {
        RuleId(id)
    }

    /// The id as text.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The data is wrong: `check` fails.
    Error,
    /// Probably a mistake, but the data can stand: `check` passes.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Whether a fix can be applied without a person's judgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Applying it cannot change what the data says (a decimal comma written as a point).
    Safe,
    /// A guess that a person must confirm (the nearest key to a typo).
    Unsafe,
}

/// One replacement in a file: the bytes of `span` become `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    /// The file, as shown to users.
    pub file: String,
    /// The byte span replaced.
    pub span: Range<usize>,
    /// The new text, already written as the file needs it (quoted where CSV needs quotes).
    pub replacement: String,
}

/// A repair a diagnostic proposes: what it does, in words, and the edits that do it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    /// What the fix does, e.g. "write decimals with a point: `2.9`"; the diagnostic's help.
    pub title: String,
    /// Whether it can be applied without a person's judgement.
    pub applicability: Applicability,
    /// The edits, in file order, never overlapping.
    pub edits: Vec<Edit>,
}

/// Everything a run reports: a problem, at one place, with what is needed to show, identify
/// and repair it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    rule: RuleId,
    /// How serious it is.
    pub severity: Severity,
    /// The table the file holds, when the file is a table.
    pub table: Option<TableId>,
    /// The file, as shown to users (`data/visits.csv`).
    pub file: String,
    /// The 1-based physical line where the offending cell starts (the header is line 1); 0
    /// for a problem of the whole file.
    pub line: u32,
    /// The column's header name, for a problem of one cell or one header name.
    pub column: Option<String>,
    /// The row's key values joined by `/` (see [`model::Record::key_text`]), which with rule,
    /// table and column identifies the diagnostic across edits that move rows.
    pub key: Option<String>,
    /// The text of the cell, as the file holds it.
    pub value: Option<String>,
    /// Byte span of the offending cell (or text) in the file.
    pub span: Option<Range<usize>>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, with the arithmetic where there is some. For a fixable diagnostic
    /// without other advice this is the fix's title.
    pub help: Option<String>,
    /// Other rows it depends on (the total a share is checked against).
    pub related: Vec<Related>,
    /// The reason from `exceptions.csv`, when the dataset acknowledges this diagnostic.
    pub acknowledged: Option<String>,
    /// The lines it points into.
    pub snippet: Option<Snippet>,
    /// The repair it proposes, if one is mechanical.
    pub fix: Option<Fix>,
    /// For a reference to a key that no row defines: the table referred to and the key.
    pub missing_key: Option<(TableId, String)>,
    /// The findings folded into this one because they follow from it (the rows that refer
    /// to a bad key, a second finding on the same cell), in file order.
    pub consequences: Vec<Consequence>,
}

/// A finding folded into its cause: which rule would have reported it, and where.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Consequence {
    /// The rule that would have reported it.
    pub rule: RuleId,
    /// The file, as shown.
    pub file: String,
    /// The line of its cell.
    pub line: u32,
    /// The column's header name.
    pub column: Option<String>,
}

/// A row that a diagnostic depends on, possibly in another file.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{label}")]
pub struct Related {
    /// What this row is to the diagnostic, e.g. "the flow's total".
    pub label: String,
    /// The file, as shown.
    pub file: String,
    /// 1-based line where the cell (or, without a column, the row) starts.
    pub line: u32,
    /// The column, when one cell matters.
    pub column: Option<String>,
    /// Byte span of that cell.
    pub span: Option<Range<usize>>,
    /// The row's lines.
    pub snippet: Option<Snippet>,
}

impl Diagnostic {
    /// A diagnostic of `rule` about `file` (a whole-file problem until a line is set).
    pub fn new(rule: RuleId, severity: Severity, file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            table: None,
            file: file.into(),
            line: 0,
            column: None,
            key: None,
            value: None,
            span: None,
            message: message.into(),
            help: None,
            related: Vec::new(),
            acknowledged: None,
            snippet: None,
            fix: None,
            missing_key: None,
            consequences: Vec::new(),
        }
    }

    /// The rule that reported it.
    pub fn rule(&self) -> RuleId {
        self.rule
    }

    /// Attaches a fix; its title becomes the help unless the help says more.
    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        if self.help.is_none() {
            self.help = Some(fix.title.clone());
        }
        self.fix = Some(fix);
        self
    }

    /// Whether it fails a check: an error that the dataset does not acknowledge.
    pub fn is_failure(&self) -> bool {
        self.severity == Severity::Error && self.acknowledged.is_none()
    }

    /// The file's name without its folder, e.g. `visits.csv`.
    pub fn file_name(&self) -> &str {
        self.file.rsplit(['/', '\\']).next().unwrap_or(&self.file)
    }

    /// The identity of a diagnostic across versions of the data: rule, file name, row key and
    /// column (not line numbers, which shift when rows are added above).
    pub fn identity(&self) -> (RuleId, &str, &str, &str) {
        (self.rule, self.file_name(), self.key.as_deref().unwrap_or(""), self.column.as_deref().unwrap_or(""))
    }

    /// The 1-based character column where the span starts on its line, if known.
    pub fn char_column(&self) -> Option<u32> {
        let span = self.span.as_ref()?;
        self.snippet.as_ref()?.line_column(span.start).map(|(_, column)| column)
    }

    /// The 1-based character column just past the span's end, when the span ends on the line
    /// it starts on.
    pub fn end_column(&self) -> Option<u32> {
        let span = self.span.as_ref()?;
        let snippet = self.snippet.as_ref()?;
        let (start_line, _) = snippet.line_column(span.start)?;
        let (end_line, end) = snippet.line_column(span.end)?;
        (start_line == end_line).then_some(end)
    }

    /// Sort key: file, line, span, column, rule, then message for full determinism.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (&self.file, self.line, self.span.as_ref().map(|s| s.start), &self.column, self.rule, &self.message)
    }

    /// Applies the character policy to every text it shows: messages, help, labels and the
    /// reason keep their line breaks; text taken from the data (header names, keys, cell
    /// values, file names) is shown on one line. Overlong text is cut.
    pub fn make_inert(&mut self) {
        text::make_inert(&mut self.message);
        if let Some(help) = &mut self.help {
            text::make_inert(help);
        }
        if let Some(reason) = &mut self.acknowledged {
            text::make_inert(reason);
        }
        text::make_one_line(&mut self.file);
        for field in [&mut self.column, &mut self.key, &mut self.value].into_iter().flatten() {
            text::make_one_line(field);
        }
        if let Some(fix) = &mut self.fix {
            text::make_inert(&mut fix.title);
        }
        for consequence in &mut self.consequences {
            text::make_one_line(&mut consequence.file);
            if let Some(column) = &mut consequence.column {
                text::make_one_line(column);
            }
        }
        for related in &mut self.related {
            text::make_inert(&mut related.label);
            text::make_one_line(&mut related.file);
            if let Some(column) = &mut related.column {
                text::make_one_line(column);
            }
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
    // An empty cell at the end of a line has no character to point at, and miette draws no
    // label there: the label goes on the comma before it, while the cell's own place stays
    // the primary span, which the location miette prints is taken from.
    let at = span.offset();
    let at_line_end = snippet.text.as_bytes().get(at).is_none_or(|b| matches!(b, b'\n' | b'\r'));
    if span.is_empty() && at_line_end && at > 0 {
        let place = LabeledSpan::new_primary_with_span(None, span);
        let comma = LabeledSpan::new_with_span(label, SourceSpan::new((at - 1).into(), 0));
        return Some(Box::new([place, comma].into_iter()));
    }
    Some(Box::new(std::iter::once(LabeledSpan::new_with_span(label, span))))
}

impl miette::Diagnostic for Diagnostic {
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

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

impl miette::Diagnostic for Related {
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
