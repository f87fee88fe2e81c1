//! Every row's primary key is unique in its table, and no row repeats another exactly.
//!
//! The key of each table is stated in the data dictionary (`data/README.md`): `id` for
//! countries' `code`, sources, relations and visits; (`visit`, `seq`) for participants;
//! (`reporter`, `partner`, `year`, `flow`) for trade totals, plus `rank` for commodity lines;
//! (`country`, `citizenship`, `year`) for residents. Two rows with one key make every
//! reference to it ambiguous; a row pasted twice counts a fact twice. The finding is on the
//! later row, with the earlier one as related: `key/duplicate` when the rows differ,
//! `row/duplicate` when they are identical.
//!
//! Failing (`row/duplicate`):
//!
//! ```csv
//! country,citizenship,year,count,source
//! NO,JP,2010,838,no-jp-2015
//! NO,JP,2010,838,no-jp-2015
//! ```
//!
//! Passing:
//!
//! ```csv
//! country,citizenship,year,count,source
//! NO,JP,2010,838,no-jp-2015
//! NO,JP,2011,855,no-jp-2015
//! ```

use std::hash::BuildHasher;

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Row, Table};
use model::{Record, TradeCommodity};
use rayon::prelude::*;

use crate::engine::{Context, FlowKey, Map, Rule, Set, Watch, flow_of};

const KEY_DUPLICATE: RuleId = RuleId::new("key/duplicate");
const ROW_DUPLICATE: RuleId = RuleId::new("row/duplicate");

/// See the module documentation.
pub(crate) static DUPLICATE: Rule = Rule {
    id: RuleId::new("key/duplicate"),
    emits: &[KEY_DUPLICATE, ROW_DUPLICATE],
    severity: Severity::Error,
    acknowledgeable: false,
    reads: &[],
    source: include_str!("key_duplicate.rs"),
    check,
    watch: Some(&StreamedDuplicates),
};

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    super::each_table(context, &Duplicates)
}

fn duplicates<'a, R: Record<'a> + PartialEq>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    rows: &[Row<R>],
) -> Vec<Diagnostic> {
    // Hash every key on all cores and sort the hashes, rather than inserting a million keys
    // into one map: the sort is parallel and walks memory in order. Keys are compared only
    // within a run of equal hashes, where duplicates (or rare collisions) are.
    let mut hashed: Vec<(u64, usize)> =
        rows.par_iter().enumerate().map(|(index, row)| (context.hasher.hash_one(row.record.key()), index)).collect();
    hashed.par_sort_unstable();
    let mut findings = Vec::new();
    for run in hashed.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        // Within a run rows are in file order: the first row of each key is kept.
        let mut first_of_key = Map::default();
        for &(_, index) in run {
            let row = &rows[index];
            let first = *first_of_key.entry(row.record.key()).or_insert(index);
            if first != index {
                findings.push(duplicate(context, table, &rows[first], row));
            }
        }
    }
    findings
}

/// The streamed commodity lines: their key is a flow and a rank, so each flow's ranks are
/// kept ([`super::FlowRanks`]: where they start and end while they count up by one), and the
/// flows with a repeated rank are read again from the file to name the rows.
#[derive(Debug)]
struct StreamedDuplicates;

impl Watch for StreamedDuplicates {
    type Seen = super::RanksByFlow;

    fn look<'a>(
        &self,
        _: &Context<'_, 'a>,
        _: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        ranks: &mut Self::Seen,
        _: &mut Vec<Diagnostic>,
    ) {
        super::keep_ranks(rows, ranks);
    }

    fn join(&self, ranks: &mut Self::Seen, later: Self::Seen) {
        super::join_ranks(ranks, later);
    }

    fn conclude(&self, context: &Context<'_, '_>, ranks: Self::Seen) -> Vec<Diagnostic> {
        let repeated: Set<FlowKey> = super::ranks_by_flow(ranks)
            .into_par_iter()
            .filter_map(|(flow, ranks)| {
                let summary = ranks.summary();
                (summary.distinct < summary.lines).then_some(flow)
            })
            .collect();
        if repeated.is_empty() {
            return Vec::new();
        }
        let wanted = |line: &TradeCommodity<'_>| repeated.contains(&flow_of(line));
        let picked = context.data.trade_commodities.pick(wanted, |picked| duplicates(context, picked, &picked.rows));
        // A file that cannot be read again to show the rows is reported as such.
        picked.unwrap_or_else(|unreadable| vec![*unreadable])
    }
}

fn duplicate<'a, R: Record<'a> + PartialEq>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    first: &Row<R>,
    row: &Row<R>,
) -> Diagnostic {
    let def = R::TABLE.def();
    let identical = first.record == row.record;
    let column = def.key[def.key.len() - 1];
    let key = diagnostic::text::one_line(&row.record.key_text()).into_owned();
    let (message, help) = if identical {
        (format!("this row repeats line {} exactly", first.pos.line), "delete one of the two rows".to_owned())
    } else {
        let columns = def.key.join(", ");
        (
            format!("the key `{key}` ({columns}) is already used on line {}", first.pos.line),
            "give each row its own key, or merge the two rows".to_owned(),
        )
    };
    let id = if identical { ROW_DUPLICATE } else { KEY_DUPLICATE };
    let mut finding = context.finding_with_id(&DUPLICATE, id, table, row, column, message, Some(help));
    finding.related.push(context.related(table, first.pos, Some(column), format!("first row with key `{key}`")));
    finding
}

#[derive(Debug)]
struct Duplicates;

impl super::PerTable for Duplicates {
    fn check<'a, R: Record<'a>>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, R>,
        rows: &[Row<R>],
    ) -> Vec<Diagnostic> {
        duplicates(context, table, rows)
    }
}
