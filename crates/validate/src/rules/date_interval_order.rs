//! A relation's `start` must not be after its `end`.
//!
//! Both are partial dates, so the rule compares the days they may mean: `2005` and `2005-03`
//! overlap and cannot be ordered, so they pass; a finding needs every day of `start` to lie
//! after every day of `end`. A reversed interval is almost always two years typed the wrong
//! way round. (A visit's `date` interval is checked when the cell is read: `2011-04/2011-03`
//! is not a valid period.)
//!
//! Failing:
//!
//! ```csv
//! id,country,kind,start,end,place,third_country,detail,source
//! kh-rel-2,KH,honorary_consulate,2005,1991,Phnom Penh,,Honorary consulate,no-kh-2013
//! ```
//!
//! Passing:
//!
//! ```csv
//! id,country,kind,start,end,place,third_country,detail,source
//! kh-rel-2,KH,honorary_consulate,1991,2005,Phnom Penh,,Honorary consulate,no-kh-2013
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use model::{Certainty, TableId};
use rayon::prelude::*;

use crate::engine::{Context, Rule};

/// See the module documentation.
pub(crate) static INTERVAL_ORDER: Rule = Rule {
    id: RuleId::new("date/interval-order"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: true,
    reads: &[TableId::Relations],
    source: include_str!("date_interval_order.rs"),
    check,
    watch: None,
};

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let table = &context.data.relations;
    table
        .rows
        .par_iter()
        .filter_map(|row| {
            let (start, end) = (row.record.start?, row.record.end?);
            if start.days().compare(end.days()) != Certainty::After {
                return None;
            }
            let message = format!("`start` {start} is after `end` {end}");
            let help = format!("an interval runs forward: did you mean start {end}, end {start}?");
            Some(context.finding(&INTERVAL_ORDER, table, row, "start", message, Some(help)))
        })
        .collect()
}
