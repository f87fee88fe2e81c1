//! Every renderer of bilat: what `cargo xtask check` prints and what `cargo xtask report`
//! writes. Checking ends at a [`validate::Report`]; everything a person or a tool reads of it
//! is made here.
//!
//! For `check`: [`human`] (miette, for a terminal), [`findings_json`] (one JSON document for
//! tools) and [`github`] (workflow commands).
//!
//! For `report`:
//! [`render`] takes the data folder now (and optionally a [`Base`]: the same folder at another
//! git revision, loaded by the caller) and returns the three [`Outputs`]:
//!
//! - [`html::page`]: `index.html`, one self-contained page with the verdict, the findings by
//!   rule with their CSV lines, a section per partner country with SVG charts ([`svg`]), and
//!   the data dictionary;
//! - [`markdown::summary`]: `report.md`, a compact summary for GitHub's step summary, ending
//!   with what was checked, rule by rule ([`checked`], the account the page shows too);
//! - [`json::document`]: `report.json`, the findings as `check --format json` gives them, with
//!   per-table statistics and the comparison with the base.
//!
//! Against a base, [`DataDiff`] lists the rows added, removed and changed per table, matched by
//! primary key, and [`Split`] sorts the findings into introduced, fixed and already present.
//! Both are pure: this crate reads no file and runs no command. [`Review`] bundles what the
//! renderers read; [`escape`] holds the escaping every output applies to data text.
//!
//! For `export`: [`datapackage`], the dataset described as a Frictionless Data Package.

pub mod baseline;
pub mod checked;
pub mod concise;
pub mod datapackage;
pub mod diff;
pub mod escape;
pub mod findings_json;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod markdown;
mod partners;
pub mod sarif;
pub mod split;
pub mod svg;

use ingest::{DataDir, Dataset};
use model::TableId;
use validate::{Report, Summary};

pub use diff::{CellChange, ChangedRow, DataDiff, DiffRow, RenumberedRow, TableDiff};
pub use split::Split;

/// Limits on what the outputs list.
#[derive(Clone, Debug)]
pub struct Options {
    /// Findings listed in `report.md`; the rest are counted.
    pub markdown_findings: usize,
    /// Changed rows listed in `report.md`; the rest are counted.
    pub markdown_rows: usize,
    /// Findings shown in `index.html`; the rest are counted.
    pub html_findings: usize,
    /// Changed rows shown per table in `index.html`; the rest are counted.
    pub html_rows: usize,
    /// Rows listed in `report.json` per table and kind of change (added, removed, changed);
    /// the counts are always complete.
    pub json_rows: usize,
    /// Commodity lines drawn per chart in `index.html`; the rest are counted.
    pub chart_bars: usize,
    /// The team's settings (`bilat.toml`) both checks run with.
    pub config: validate::Config,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            markdown_findings: 50,
            markdown_rows: 50,
            html_findings: 500,
            html_rows: 500,
            json_rows: 10_000,
            chart_bars: 20,
            config: validate::Config::default(),
        }
    }
}

/// The data folder at the base revision.
#[derive(Debug, Clone, Copy)]
pub struct Base<'a> {
    /// How the base is named in the outputs, e.g. `origin/main`.
    pub label: &'a str,
    /// The data folder as it was there.
    pub dir: &'a DataDir,
}

/// Everything the renderers read.
#[derive(Debug)]
pub struct Review<'r> {
    /// The data folder now.
    pub head: &'r DataDir,
    /// Its typed tables.
    pub data: &'r Dataset<'r>,
    /// Its check.
    pub report: &'r Report,
    /// The comparison with the base, when there is one.
    pub base: Option<Comparison<'r>>,
}

/// The data now compared with the base.
#[derive(Debug)]
pub struct Comparison<'r> {
    /// How the base is named, e.g. `origin/main`.
    pub label: &'r str,
    /// The data folder at the base.
    pub dir: &'r DataDir,
    /// The check of the base.
    pub report: &'r Report,
    /// The rows that changed.
    pub diff: &'r DataDiff,
    /// The findings by what the change did to them.
    pub split: Split<'r>,
}

/// The rendered report.
#[derive(Debug)]
pub struct Outputs {
    /// `index.html`.
    pub html: String,
    /// `report.md`.
    pub markdown: String,
    /// `report.json`.
    pub json: String,
    /// The counts of the check of the data now.
    pub summary: Summary,
    /// Whether the data now passes the check.
    pub passed: bool,
    /// The summary line, with the configuration when it is not the default.
    pub verdict: String,
    /// With a base: one csv-diff style line per changed table.
    pub diff_lines: Vec<String>,
    /// With a base: the rows removed, as table and key.
    pub removed: Vec<(TableId, String)>,
}

/// Checks the data now (and the base, when given), compares them, and renders every output.
pub fn render(head: &DataDir, base: Option<Base<'_>>, options: &Options) -> Outputs {
    let (data, problems) = ingest::parse(head);
    let mut report = validate::check(&data, problems);
    report.configure(options.config.clone());
    let compared = base.map(|base| {
        let mut base_report = validate::check_dir(base.dir);
        base_report.configure(options.config.clone());
        (base, base_report, DataDiff::new(base.dir, head))
    });
    let review = Review {
        head,
        data: &data,
        report: &report,
        base: compared.as_ref().map(|(base, base_report, diff)| Comparison {
            label: base.label,
            dir: base.dir,
            report: base_report,
            diff,
            split: Split::renumbered(base_report, &report, diff),
        }),
    };
    let (diff_lines, removed) = match compared.as_ref() {
        Some((_, _, diff)) => (
            diff.lines(),
            diff.tables.iter().flat_map(|t| t.removed.iter().map(|r| (t.table, r.key.clone()))).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Outputs {
        html: html::page(&review, options),
        markdown: markdown::summary(&review, options),
        json: json::document(&review, options),
        summary: report.summary,
        passed: report.passed(),
        verdict: human::verdict_line(&report, None),
        diff_lines,
        removed,
    }
}
