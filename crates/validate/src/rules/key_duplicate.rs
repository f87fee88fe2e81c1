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

use ingest::{Row, Severity, Table};
use model::Record;
use rayon::prelude::*;

use crate::engine::{Context, Map, Rule};
use crate::finding::Finding;
use crate::rules::for_each_table;

/// See the module documentation.
pub(crate) static DUPLICATE: Rule = Rule {
    id: "key/duplicate",
    emits: &["key/duplicate", "row/duplicate"],
    severity: Severity::Error,
    source: include_str!("key_duplicate.rs"),
    check,
};

fn check(context: &Context<'_, '_>) -> Vec<Finding> {
    for_each_table!(context.data, |table| duplicates(context, table))
}

fn duplicates<'a, R: Record<'a> + PartialEq>(context: &Context<'_, 'a>, table: &Table<'a, R>) -> Vec<Finding> {
    // Hash every key on all cores and sort the hashes, rather than inserting a million keys
    // into one map: the sort is parallel and walks memory in order. Keys are compared only
    // within a run of equal hashes, where duplicates (or rare collisions) are.
    let hasher = foldhash::fast::RandomState::default();
    let mut hashed: Vec<(u64, usize)> =
        table.rows.par_iter().enumerate().map(|(index, row)| (hasher.hash_one(row.record.key()), index)).collect();
    hashed.par_sort_unstable();
    let mut findings = Vec::new();
    for run in hashed.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        // Within a run rows are in file order: the first row of each key is kept.
        let mut first_of_key = Map::default();
        for &(_, index) in run {
            let row = &table.rows[index];
            let first = *first_of_key.entry(row.record.key()).or_insert(index);
            if first != index {
                findings.push(duplicate(context, table, &table.rows[first], row));
            }
        }
    }
    findings
}

fn duplicate<'a, R: Record<'a> + PartialEq>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    first: &Row<R>,
    row: &Row<R>,
) -> Finding {
    let def = R::TABLE.def();
    let identical = first.record == row.record;
    let column = def.key[def.key.len() - 1];
    let key = ingest::cell_in_message(&row.record.key_text());
    let (message, help) = if identical {
        (format!("this row repeats line {} exactly", first.pos.line), "delete one of the two rows".to_owned())
    } else {
        let columns = def.key.join(", ");
        (
            format!("the key `{key}` ({columns}) is already used on line {}", first.pos.line),
            "give each row its own key, or merge the two rows".to_owned(),
        )
    };
    let mut finding = context.finding(&DUPLICATE, table, row, column, message, Some(help));
    if identical {
        finding.rule = "row/duplicate";
    }
    finding.related.push(context.related(table, first.pos, Some(column), format!("first row with key `{key}`")));
    finding
}
