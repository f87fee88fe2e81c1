//! An exception in `exceptions.csv` must still acknowledge a finding, on a cell that still
//! holds the value the exception names.
//!
//! An exception acknowledges one finding of one rule on one cell (`rule`, `file`, `key`,
//! `column`), and only while the cell holds `value`. When the data is corrected, or the cell
//! changes to another value, the exception must go: otherwise it would rot, or silently
//! cover a later, different mistake. The finding itself is then reported as usual.
//!
//! Failing (the share was corrected to 21, so nothing is left to acknowledge):
//!
//! ```csv
//! rule,file,key,column,value,reason
//! trade/commodity-share,trade_commodities.csv,NO/JP/2011/export/2,share_pct,22,The page rounds this share up.
//! ```
//!
//! Passing: an exception whose finding still occurs on a cell still holding `22`.

use diagnostic::{Diagnostic, RuleId, Severity};

use crate::engine::{Context, Rule};

/// Applied after all other rules have run, by `exceptions::apply`.
pub(crate) static STALE: Rule = Rule {
    id: RuleId::new("exception/stale"),
    emits: &[],
    severity: Severity::Error,
    source: include_str!("exception_stale.rs"),
    check: applied_after_all_rules,
};

fn applied_after_all_rules(_: &Context<'_, '_>) -> Vec<Diagnostic> {
    Vec::new()
}
