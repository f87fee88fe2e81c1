//! Consistency rules over the bilat dataset, and the findings they report.
//!
//! [`check`] runs every [`Rule`] of [`rules::ALL`] over an [`ingest::Dataset`] in parallel,
//! adds the problems ingest found, applies the acknowledged exceptions of `exceptions.csv`
//! and returns a [`Report`]: every [`Diagnostic`] in a deterministic order (file, line,
//! column, rule), made inert by the character policy of [`diagnostic::text`], and a
//! [`Summary`]. Rendering a report is the `report` crate's job.
//!
//! This crate never reads files: it works on what ingest loaded.

mod amount;
mod config;
mod engine;
mod exceptions;
mod fold;
mod horizon;
mod left_out;
pub mod repair;
pub mod rules;

pub use config::Config;
pub use engine::{Context, FlowKey, Map, Rule, Set, flow_of, group_by, index_by};

use diagnostic::RuleId;
use diagnostic::{Diagnostic, Severity};
use ingest::{Dataset, TableStats};
use model::TableId;
use rayon::prelude::*;
use serde::Serialize;

/// The outcome of a check.
#[derive(Debug)]
pub struct Report {
    /// Every finding, sorted by file, line, column and rule.
    pub findings: Vec<Diagnostic>,
    /// The counts.
    pub summary: Summary,
    /// Rows per table.
    pub tables: Vec<TableStats>,
    /// The settings it ran with ([`Report::configure`]).
    pub config: Config,
    /// The tables it reports on, when restricted to some ([`Report::restrict`]); all when
    /// empty.
    pub only: Vec<TableId>,
    /// Findings counted in [`Report::summary`] but not listed: beyond [`ingest::MAX_LISTED`] of
    /// one rule in one file.
    pub unlisted: Vec<Unlisted>,
}

/// Findings of one rule in one file that were counted, not listed, so that a file of a
/// million bad lines costs a count rather than a million diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unlisted {
    /// The file they are in, as shown.
    pub file: String,
    /// Their rule.
    pub rule: RuleId,
    /// Their severity, after the settings of [`Report::configure`].
    pub severity: Severity,
    /// How many.
    pub count: usize,
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

    /// Applies a team's settings: each finding gets the severity `config` gives it, and the
    /// counts follow.
    pub fn configure(&mut self, config: Config) {
        for finding in &mut self.findings {
            finding.severity = config.severity_of(finding.rule(), finding.severity);
        }
        for more in &mut self.unlisted {
            more.severity = config.severity_of(more.rule, more.severity);
        }
        self.config = config;
        self.summary = summarize(&self.findings, &self.unlisted, &self.tables);
    }

    /// Keeps the findings of `tables` only (and their counts of files and rows). The check
    /// itself saw every table, so references into the others were resolved.
    pub fn restrict(&mut self, tables: &[TableId]) {
        if tables.is_empty() {
            return;
        }
        let named = |table: Option<TableId>, file: &str| match table {
            Some(table) => tables.contains(&table),
            None => tables.iter().any(|t| t.file() == file),
        };
        self.findings.retain(|f| named(f.table, f.file_name()));
        self.unlisted.retain(|u| named(TableId::from_file(file_name(&u.file)), file_name(&u.file)));
        self.tables.retain(|t| tables.contains(&t.table));
        self.only = tables.to_vec();
        self.summary = summarize(&self.findings, &self.unlisted, &self.tables);
    }
}

/// Whether findings with this id can be acknowledged in `exceptions.csv`: those of the
/// consistency rules, except `exception/stale`.
pub fn can_be_acknowledged(id: RuleId) -> bool {
    exceptions::why_not_acknowledgeable(id.as_str()).is_none() && rules::ALL.iter().any(|r| r.ids().contains(&id))
}

/// The counts of `findings` over `tables`.
fn summarize(findings: &[Diagnostic], unlisted: &[Unlisted], tables: &[TableStats]) -> Summary {
    let mut summary = Summary {
        files: tables.iter().filter(|t| t.bytes > 0).count(),
        records: tables.iter().map(|t| t.rows).sum(),
        ..Summary::default()
    };
    for more in unlisted {
        match more.severity {
            Severity::Error => summary.errors += more.count,
            Severity::Warning => summary.warnings += more.count,
        }
        summary.unlisted += more.count;
    }
    for finding in findings {
        match (finding.severity, &finding.acknowledged) {
            (_, Some(_)) => summary.acknowledged += 1,
            (Severity::Error, None) => summary.errors += 1,
            (Severity::Warning, None) => summary.warnings += 1,
        }
    }
    summary
}

/// Checks a dataset whose rows are all held ([`ingest::parse`]): every rule, plus the
/// problems ingest found while reading it. [`check_dir`] checks a folder without holding the
/// rows of [`ingest::STREAMED`], with the same findings.
pub fn check(data: &Dataset<'_>, ingest_problems: Vec<Diagnostic>) -> Report {
    let context = Context::new(data);
    let budget = left_out::Budget::new(data);
    let watched = engine::watch_held(&context, rules::ALL, Some(&budget));
    conclude(data, ingest_problems.clone(), watched)
        .or_else(|_| conclude(data, ingest_problems, engine::watch_held(&context, rules::ALL, None)))
        .unwrap_or_else(|LeftOutMattered(report)| *report)
}

/// Reads nothing: parses an already loaded data folder and checks it, streaming the rows of
/// [`ingest::STREAMED`]: the rules look at each block of them as it is read, keep what they
/// need, and the block is dropped.
pub fn check_dir(dir: &ingest::DataDir) -> Report {
    check_streamed(dir, true)
}

/// [`check_dir`]; `leave_out` says whether floods of findings in the streamed rows are left
/// out as they are found ([`left_out`]), which only tests turn off, to compare.
fn check_streamed(dir: &ingest::DataDir, leave_out: bool) -> Report {
    let (mut data, mut problems) = ingest::parse_streaming(dir);
    let budget = leave_out.then(|| left_out::Budget::new(&data));
    let (watched, read) = engine::watch_streamed(&Context::new(&data), rules::ALL, budget.as_ref());
    drop(budget);
    if read.needs_whole_file() {
        // Not UTF-8 throughout, so judged as a whole (it may be Windows-1252): read it whole.
        return check_streamed(&dir.with_whole_file(ingest::STREAMED), leave_out);
    }
    problems.extend(data.trade_commodities.absorb(read));
    ingest::settle(dir, &mut problems);
    match conclude(&data, problems, watched) {
        Ok(report) => report,
        // Checked again from the start, leaving nothing out, so that the rows and what reading
        // them found come from one read of the file.
        Err(LeftOutMattered(_)) if leave_out => check_streamed(dir, false),
        Err(LeftOutMattered(report)) => *report,
    }
}

/// A report for which findings left out of a flood (see [`left_out`]) might have mattered: it
/// may not be the report holding every finding gives, so the check runs again leaving
/// nothing out.
struct LeftOutMattered(Box<Report>);

/// Everything after the streamed rows were seen: the rules' checks of the held tables and
/// their conclusions, then folding, exceptions, the listing limit and the order.
fn conclude(
    data: &Dataset<'_>,
    ingest_problems: Vec<Diagnostic>,
    watched: engine::Watched,
) -> Result<Report, LeftOutMattered> {
    let engine::Watched { seen, found, mut left_out, .. } = watched;
    let streamed = data.trade_commodities.name();
    let mut findings = ingest_problems;
    findings.extend(run_rules(data, seen));
    // A finding from elsewhere on a cell with findings left out folds into them, or might.
    let settled = left_out.settle(streamed, &mut findings);
    findings.extend(found);
    ingest::dialect::keep_conversion_fix_alone(&mut findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    let mut findings = fold::fold(findings);
    let stale = exceptions::apply(data, &mut findings);
    if !stale.is_empty() {
        findings.extend(stale);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    let mut unlisted: Vec<Unlisted> = data
        .unlisted_problems()
        .into_iter()
        .map(|(file, kind, count)| Unlisted {
            file: file.to_owned(),
            rule: kind.rule(),
            severity: kind.severity(),
            count,
        })
        .collect();
    let mut rules_unlisted = keep_listed(&mut findings);
    let fits = settled && left_out.lists_in_full(streamed, &findings);
    left_out.count_in(streamed, &mut rules_unlisted);
    unlisted.extend(rules_unlisted);
    findings.iter_mut().for_each(Diagnostic::make_inert);
    let tables = data.stats();
    let summary = summarize(&findings, &unlisted, &tables);
    let report = Report { findings, summary, tables, config: Config::default(), only: Vec::new(), unlisted };
    if fits { Ok(report) } else { Err(LeftOutMattered(Box::new(report))) }
}

/// Keeps the first [`ingest::MAX_LISTED`] open findings of each rule in each file, in sorted
/// order, as ingest does for its problems, and returns what was left out. Acknowledged
/// findings are all kept: each has its row in `exceptions.csv`, so they are bounded by the
/// input.
fn keep_listed(findings: &mut Vec<Diagnostic>) -> Vec<Unlisted> {
    // Counted on borrowed keys, so that a million findings cost no copy of their file names.
    let mut seen: Map<(RuleId, &str), usize> = Map::default();
    let mut unlisted: Map<(RuleId, &str), Unlisted> = Map::default();
    let keep: Vec<bool> = findings
        .iter()
        .map(|f| {
            if f.acknowledged.is_some() {
                return true;
            }
            let n = seen.entry((f.rule(), &f.file)).or_insert(0);
            *n += 1;
            if *n <= ingest::MAX_LISTED {
                return true;
            }
            let more = unlisted.entry((f.rule(), &f.file)).or_insert_with(|| Unlisted {
                file: f.file.clone(),
                rule: f.rule(),
                severity: f.severity,
                count: 0,
            });
            more.count += 1;
            false
        })
        .collect();
    let mut unlisted: Vec<Unlisted> = unlisted.into_values().collect();
    unlisted.sort_by(|a, b| (&a.file, a.rule).cmp(&(&b.file, b.rule)));
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
    unlisted
}

/// Runs every rule's check and conclusion in parallel, given what the rules kept of the
/// streamed rows, and returns their findings, unsorted.
///
/// A rule that reports an id it does not declare is a bug in the rule; the finding is kept
/// (nothing is lost) and a test over every fixture fails on it ([`undeclared_ids`]).
fn run_rules(data: &Dataset<'_>, seen: engine::Seen) -> Vec<Diagnostic> {
    let context = Context::new(data);
    rules::ALL
        .par_iter()
        .zip(seen)
        .flat_map_iter(|(rule, seen)| {
            let mut findings = (rule.check)(&context);
            if let (Some(watch), Some(seen)) = (rule.watch, seen) {
                findings.extend(watch.conclude(&context, seen));
            }
            findings
        })
        .collect()
}

/// The ids that rules report without declaring them, over `data`. Empty when every rule
/// keeps to its declaration.
pub fn undeclared_ids(data: &Dataset<'_>) -> Vec<(RuleId, RuleId)> {
    let context = Context::new(data);
    let mut wrong: Vec<(RuleId, RuleId)> = rules::ALL
        .iter()
        .flat_map(|rule| {
            rule.run(&context)
                .into_iter()
                // A problem ingest reports to a rule (a file that cannot be read again) is passed on.
                .filter(|d| {
                    !rule.ids().contains(&d.rule()) && !ingest::ErrorKind::ALL.iter().any(|k| k.rule() == d.rule())
                })
                .map(|d| (rule.id, d.rule()))
                .collect::<Vec<_>>()
        })
        .collect();
    wrong.sort();
    wrong.dedup();
    wrong
}

/// A file's name without its folder, e.g. `visits.csv`.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
