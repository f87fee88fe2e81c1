//! An exception in `exceptions.csv` must acknowledge a finding that can be acknowledged,
//! that still occurs, on a cell that still holds the value the exception names.
//!
//! An exception acknowledges one finding of one consistency rule on one cell (`rule`, `file`,
//! `key`, `column`), and only while the cell holds `value`: the cell's text as written in the
//! file, quotes removed (`085500` is not `85500`). When the data is corrected, or the cell
//! changes to another value, the exception must go: otherwise it would rot, or silently cover
//! a later, different mistake. The finding itself is then reported as usual.
//!
//! Only findings of the consistency rules can be acknowledged. What ingest reports while
//! reading the files (`file/*`, `header/*`, `csv/*`, `cell/missing`, `cell/invalid`) cannot:
//! a row that was not read is checked by no rule, and rules that look for something absent
//! stop trusting its table, so acknowledging it would pass a check on data no rule saw. Nor
//! can `exception/stale` itself. An exception naming one of those is reported at its `rule`
//! cell, and the problem it names is reported as usual: fix the file, header or row instead.
//!
//! Failing (the share was corrected to 21, so nothing is left to acknowledge):
//!
//! ```csv
//! rule,file,key,column,value,reason
//! trade/commodity-share,trade_commodities.csv,NO/JP/2011/export/2,share_pct,22,The page rounds this share up.
//! ```
//!
//! Failing (a figure that does not parse must be fixed, not acknowledged):
//!
//! ```csv
//! rule,file,key,column,value,reason
//! cell/invalid,trade.csv,NO/KH/2011/import,value,999y,The page prints the letter y after the figure.
//! ```
//!
//! Passing: an exception whose finding still occurs on a cell still holding `22`.

use diagnostic::{Diagnostic, RuleId, Severity};
use model::TableId;

use crate::engine::{Context, Rule};

/// Applied after all other rules have run, by `exceptions::apply`.
pub(crate) static STALE: Rule = Rule {
    id: RuleId::new("exception/stale"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: false,
    reads: &[TableId::Exceptions],
    source: include_str!("exception_stale.rs"),
    check: applied_after_all_rules,
    watch: None,
};

fn applied_after_all_rules(_: &Context<'_, '_>) -> Vec<Diagnostic> {
    Vec::new()
}
