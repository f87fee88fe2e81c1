//! No fact may be dated after the source that reports it was last updated, or after the end of
//! its copyright year where that is all the source gives.
//!
//! A page cannot report a visit that had not happened when it was written; such a date is a
//! typo, or the row cites the wrong source. Dates are partial, so the rule only fires when
//! the fact is *certainly* later: a visit in `2013-04` is not after a page updated on
//! 2013-04-29 (it may have been on the 1st), a visit in `2013-05` is. Checked: relations'
//! `start` and `end`, visits' `date`, and the `year` of trade totals, commodity lines and
//! residents.
//!
//! Failing (the source was last updated on 2013-04-29):
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! khno-2013-1,KH,NO,2013-05,,,false,no-kh-2013
//! ```
//!
//! Passing:
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! khno-2013-1,KH,NO,2013-04,,,false,no-kh-2013
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Row, Table};
use model::{Certainty, DayRange, Record, Source, TableId, TradeCommodity, Visit};

use crate::engine::{Context, Rule, Watch};
use crate::horizon::{Horizon, Horizons};
use crate::rules::same_text;

/// See the module documentation.
pub(crate) static AFTER_SOURCE: Rule = Rule {
    id: RuleId::new("date/after-source"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: true,
    reads: &[
        TableId::Relations,
        TableId::Residents,
        TableId::Sources,
        TableId::Trade,
        TableId::TradeCommodities,
        TableId::Visits,
    ],
    source: include_str!("date_after_source.rs"),
    check,
    watch: Some(&StreamedDates),
};

/// Whether a visit's date is after its source's horizon: this rule's finding, which rules that
/// compare the date with something else defer to.
pub(crate) fn visit_after_source<'c>(context: &'c Context<'_, '_>) -> impl Fn(&Visit<'_>) -> bool + Sync + 'c {
    move |visit| {
        context
            .source_horizons
            .get(&*visit.source)
            .is_some_and(|(horizon, _)| visit.date.days().compare(horizon.last_day) == Certainty::After)
    }
}

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let data = context.data;
    let horizons = &context.source_horizons;
    let mut findings = Vec::new();
    findings.extend(dated(
        context,
        &data.relations,
        &data.relations.rows,
        horizons,
        |r| [r.start.map(|d| (d.days(), "start")), r.end.map(|d| (d.days(), "end"))],
        |r| &r.source,
    ));
    findings.extend(dated(
        context,
        &data.visits,
        &data.visits.rows,
        horizons,
        |r| [Some((r.date.days(), "date")), None],
        |r| &r.source,
    ));
    findings.extend(dated(context, &data.trade, &data.trade.rows, horizons, |r| year(r.year), |r| &r.source));
    findings.extend(dated(context, &data.residents, &data.residents.rows, horizons, |r| year(r.year), |r| &r.source));
    findings
}

/// The years of the streamed commodity lines, checked block by block as they are read.
#[derive(Debug)]
struct StreamedDates;

impl Watch for StreamedDates {
    type Seen = ();

    fn look<'a>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        (): &mut (),
        found: &mut Vec<Diagnostic>,
    ) {
        let horizons = &context.source_horizons;
        // Lines of one year from one source are late or not alike.
        let alike = |a: &Row<TradeCommodity<'_>>, b: &Row<TradeCommodity<'_>>| {
            a.record.year == b.record.year && same_text(&a.record.source, &b.record.source)
        };
        super::look_by_runs(rows, alike, found, |run, found| {
            found.extend(dated(context, table, run, horizons, |r| year(r.year), |r| &r.source));
        });
    }
}

/// The dated cells of a row, at most two: the days each may mean, and its column.
type Dates = [Option<(DayRange, &'static str)>; 2];

fn year(year: model::Year) -> Dates {
    [year.as_date().map(|d| (d.days(), "year")), None]
}

/// Checks the dates of one table's rows against their sources' horizons. Runs for every row,
/// so nothing is allocated until a date is found too late.
fn dated<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    rows: &[Row<R>],
    horizons: &Horizons<'_, '_>,
    dates: impl Fn(&R) -> Dates,
    source: impl Fn(&R) -> &model::Text<'a>,
) -> Vec<Diagnostic> {
    // Adjacent rows mostly cite one source: its horizon is looked up once for them.
    let mut last = None;
    let mut findings = Vec::new();
    for row in rows {
        let cited: &str = source(&row.record);
        let entry = match last {
            Some((id, entry)) if same_text(id, cited) => entry,
            _ => {
                let entry = horizons.get(cited);
                last = Some((cited, entry));
                entry
            }
        };
        let Some((horizon, source_row)) = entry else { continue };
        for (days, column) in dates(&row.record).into_iter().flatten() {
            if days.compare(horizon.last_day) == Certainty::After {
                findings.push(late(context, table, row, column, horizon, source_row));
            }
        }
    }
    findings
}

/// The finding of a row's date in `column`, after its source's horizon.
fn late<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    row: &Row<R>,
    column: &'static str,
    horizon: &Horizon,
    source_row: &Row<Source<'_>>,
) -> Diagnostic {
    let id = &source_row.record.id;
    let shown = R::TABLE.def().column_index(column).map(|c| row.record.cell_text(c)).unwrap_or_default();
    let message = format!("`{column}` {shown} is after its source `{id}` {}", horizon.described());
    let help =
        "a source cannot report what happened after it was written: check the date, or cite the source that reports it"
            .to_owned();
    let mut finding = context.finding(&AFTER_SOURCE, table, row, column, message, Some(help));
    finding.related.push(context.related(
        &context.data.sources,
        source_row.pos,
        Some(horizon_column(&source_row.record)),
        format!("source `{id}`"),
    ));
    finding
}

fn horizon_column(source: &Source<'_>) -> &'static str {
    if source.last_updated.is_some() { "last_updated" } else { "copyright_year" }
}
