//! Consistency rules over the bilat dataset, and the findings they report.
//!
//! [`check`] runs every [`Rule`] of [`rules::ALL`] over an [`ingest::Dataset`] in parallel,
//! adds the problems ingest found, applies the acknowledged exceptions of `exceptions.csv`
//! and returns a [`Report`]: the [`Finding`]s in a deterministic order (file, line, column,
//! rule) and a [`Summary`]. [`output`] renders a report for people (miette), for tools (JSON)
//! and for GitHub Actions (workflow commands).
//!
//! This crate never reads files: it works on what ingest loaded.

mod amount;
mod engine;
mod exceptions;
mod finding;
mod inert;
pub mod output;
pub mod rules;

pub use engine::{Context, Map, Rule, Set, group_by, index_by};
pub use finding::{Finding, Related};
pub use ingest::Severity;

use ingest::{Dataset, TableStats};
use serde::Serialize;

/// The outcome of a check.
#[derive(Debug)]
pub struct Report {
    /// Every finding, sorted by file, line, column and rule.
    pub findings: Vec<Finding>,
    /// The counts.
    pub summary: Summary,
    /// Rows per table.
    pub tables: Vec<TableStats>,
}

/// Counts of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Errors not acknowledged by an exception: each fails the check.
    pub errors: usize,
    /// Warnings not acknowledged by an exception.
    pub warnings: usize,
    /// Findings acknowledged in `exceptions.csv`.
    pub acknowledged: usize,
    /// Files read.
    pub files: usize,
    /// Data rows read, in all files.
    pub records: usize,
    /// Findings counted in the numbers above but not listed in [`Report::findings`]: beyond
    /// [`ingest::MAX_LISTED`] findings of one rule in one file, the rest are only counted.
    /// Left out of machine output when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub unlisted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    /// Whether the data passes: no unacknowledged error.
    pub fn passed(&self) -> bool {
        self.summary.errors == 0
    }
}

/// Checks a dataset: every rule, plus the problems ingest found while reading it.
pub fn check(data: &Dataset<'_>, ingest_problems: Vec<ingest::Error>) -> Report {
    let mut findings: Vec<Finding> = ingest_problems.into_iter().map(Finding::from).collect();
    findings.extend(engine::run(data));
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    let stale = exceptions::apply(data, &mut findings);
    if !stale.is_empty() {
        findings.extend(stale);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    let tables = data.stats();
    let mut summary = Summary {
        files: tables.iter().filter(|t| t.bytes > 0).count(),
        records: tables.iter().map(|t| t.rows).sum(),
        ..Summary::default()
    };
    for (_, kind, count) in data.unlisted_problems() {
        match kind.severity() {
            Severity::Error => summary.errors += count,
            Severity::Warning => summary.warnings += count,
        }
        summary.unlisted += count;
    }
    for finding in &findings {
        match (finding.severity, &finding.acknowledged) {
            (_, Some(_)) => summary.acknowledged += 1,
            (Severity::Error, None) => summary.errors += 1,
            (Severity::Warning, None) => summary.warnings += 1,
        }
    }
    summary.unlisted += keep_listed(&mut findings);
    findings.iter_mut().for_each(inert::finding);
    Report { findings, summary, tables }
}

/// Keeps the first [`ingest::MAX_LISTED`] findings of each rule in each file, in sorted order,
/// as ingest does for its problems, and returns how many were left out.
fn keep_listed(findings: &mut Vec<Finding>) -> usize {
    let keep: Vec<bool> = {
        let mut seen: Map<(&str, &str), usize> = Map::default();
        findings
            .iter()
            .map(|f| {
                let n = seen.entry((f.rule, &f.file)).or_insert(0);
                *n += 1;
                *n <= ingest::MAX_LISTED
            })
            .collect()
    };
    let before = findings.len();
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
    before - findings.len()
}

/// Reads nothing: parses an already loaded data folder and checks it.
pub fn check_dir(dir: &ingest::DataDir) -> Report {
    let (data, problems) = ingest::parse(dir);
    check(&data, problems)
}
