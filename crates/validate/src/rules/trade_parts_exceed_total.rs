//! The commodity lines of a flow add up to no more than the whole: their values to no more
//! than the flow's total in `trade.csv`, their shares to no more than 100 %.
//!
//! A list of the largest exports is a part of the flow; its lines can leave out the rest,
//! but never add up to more than the total. A sum beyond it means a typo in a line or in the
//! total, or a line filed under the wrong flow. Each figure stands for the range its written
//! digits allow, so the rule adds the *lower* ends of the lines' ranges and compares them with
//! the *upper* end of the total's (an `approximately` total allows 10 % more; a `near_zero`
//! total has no upper end and is never exceeded). Shares are checked the same way against
//! 100. Lines are added in rank order (a repeated rank in file order), and the finding points
//! at the line where the running sum first exceeds the whole, with the total as a related row.
//! When `trade.csv` holds the flow twice (`key/duplicate` reports it), the first in file order
//! is the total.
//!
//! Failing (4.25 + 2.15 + 1.35 + 3.55 = 11.3 is more than 11.25, the most a total written
//! `11.2` allows):
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,import,1,Biler,4.3,NOK billion,,no-jp-2015
//! NO,JP,2011,import,2,Elektriske og elektroniske apparater,2.2,NOK billion,,no-jp-2015
//! NO,JP,2011,import,3,Jern og stål,1.4,NOK billion,,no-jp-2015
//! NO,JP,2011,import,4,Maskiner,3.6,NOK billion,,no-jp-2015
//! ```
//!
//! Passing (the written values add up to 11.4, but their lower ends to 11.2, which the total
//! `11.2` allows):
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,import,1,Biler,4.3,NOK billion,,no-jp-2015
//! NO,JP,2011,import,2,Elektriske og elektroniske apparater,2.2,NOK billion,,no-jp-2015
//! NO,JP,2011,import,3,Jern og stål,1.4,NOK billion,,no-jp-2015
//! NO,JP,2011,import,4,Maskiner,3.5,NOK billion,,no-jp-2015
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Row, Table};
use model::{Decimal, TableId, TradeCommodity, TradeTotal};
use rayon::prelude::*;

use crate::amount::{self, Bounds, Exact, NarrowBounds, TooLarge};
use crate::engine::{Context, FlowKey, PerFlow, Rule, Set, Watch, all_in_watch, flow_of, group_by, runs};

/// See the module documentation.
pub(crate) static PARTS_EXCEED_TOTAL: Rule = Rule {
    id: RuleId::new("trade/parts-exceed-total"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: true,
    reads: &[TableId::Trade, TableId::TradeCommodities],
    source: include_str!("trade_parts_exceed_total.rs"),
    check: all_in_watch,
    watch: Some(&Sums),
};

/// How many terms of a sum the help lists before it abbreviates.
const MAX_LISTED_TERMS: usize = 6;

/// The sums of a flow's figures, in any order: the lower ends of the lines' values and of
/// their shares (`Err` once a sum is too large to compute exactly).
#[derive(Clone, Copy, Debug)]
struct FlowSums {
    values: Result<Exact, TooLarge>,
    shares: Result<Exact, TooLarge>,
}

impl FlowSums {
    /// Adds the sums of the flow's later lines. Every term is a lower end, never negative, so
    /// the sums of runs added up are the sum of their lines however the lines were grouped.
    fn add(&mut self, later: FlowSums) {
        self.values = later.values.and_then(|more| self.values?.checked_add(more));
        self.shares = later.shares.and_then(|more| self.shares?.checked_add(more));
    }
}

fn add(sum: Result<Exact, TooLarge>, term: Option<Bounds>) -> Result<Exact, TooLarge> {
    match term {
        Some(bounds) => sum?.checked_add(bounds.lo),
        None => sum,
    }
}

/// A sum of lower ends being added up: the terms since the last one at another exponent in 64
/// bits (`pending`), which is where a flow's usual terms stay; the sum before them exactly.
/// Exact sums are sums in any grouping, so the total is the one of adding each term exactly.
struct LowerEnds {
    before: Result<Exact, TooLarge>,
    pending: Option<(u64, i32)>,
}

impl LowerEnds {
    fn from(sum: Result<Exact, TooLarge>) -> LowerEnds {
        LowerEnds { before: sum, pending: None }
    }

    /// Adds the lower end of a figure written exactly.
    #[inline]
    fn add(&mut self, figure: Option<Written>) {
        let Some((figure, unit_exponent)) = figure else { return };
        let narrow = NarrowBounds::written(figure, unit_exponent).map(|bounds| bounds.lo());
        if let (Some((sum, exponent)), Some((term, term_exponent))) = (self.pending, narrow)
            && exponent == term_exponent
            && let Some(sum) = sum.checked_add(term)
        {
            self.pending = Some((sum, exponent));
            return;
        }
        self.settle();
        match narrow {
            Some(term) => self.pending = Some(term),
            // Negative (no range, so nothing to add) or beyond 64 bits: added exactly.
            None => self.before = add(self.before, range_of((figure, unit_exponent))),
        }
    }

    /// Adds the pending terms to the exact sum.
    fn settle(&mut self) {
        if let Some((sum, exponent)) = self.pending.take() {
            self.before = self.before.and_then(|before| before.checked_add(Exact::new(i128::from(sum), exponent)));
        }
    }

    fn total(mut self) -> Result<Exact, TooLarge> {
        self.settle();
        self.before
    }
}

/// A figure as written, with the exponent of its unit (0 for a percentage).
type Written = (Decimal, i32);

/// A line's value as written: `None` without a value, or without a unit, which leaves it
/// with no range (`field/coherence` reports that).
fn value_of(line: &TradeCommodity<'_>) -> Option<Written> {
    Some((line.value?, i32::from(line.unit?.exponent())))
}

/// A line's share as written, in percent.
fn share_of(line: &TradeCommodity<'_>) -> Option<Written> {
    Some((line.share_pct?, 0))
}

/// The range of a figure written exactly: `None` when negative, which has none.
fn range_of((figure, unit_exponent): Written) -> Option<Bounds> {
    Bounds::written(figure, unit_exponent, false)
}

/// Each flow's sums, kept as the lines are read. Lower ends are never negative, so the sum in
/// rank order exceeds a limit at some rank exactly when the whole sum exceeds it: the flows
/// whose whole sums exceed (or cannot be computed) are read again from the file, and only
/// their lines are added up in rank order, to say at which rank.
#[derive(Debug)]
struct Sums;

impl Watch for Sums {
    type Seen = PerFlow<FlowSums>;

    fn look<'a>(
        &self,
        _: &Context<'_, 'a>,
        _: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        sums: &mut Self::Seen,
        _: &mut Vec<Diagnostic>,
    ) {
        for (flow, run) in runs(rows, |row| flow_of(&row.record)) {
            // Added up in locals, which stay in registers, and kept once per run.
            let (mut values, mut shares) = (LowerEnds::from(Ok(Exact::ZERO)), LowerEnds::from(Ok(Exact::ZERO)));
            for line in run {
                values.add(value_of(&line.record));
                shares.add(share_of(&line.record));
            }
            sums.push_run(flow, FlowSums { values: values.total(), shares: shares.total() });
        }
    }

    fn join(&self, sums: &mut Self::Seen, later: Self::Seen) {
        sums.join(later, FlowSums::add);
    }

    fn conclude(&self, context: &Context<'_, '_>, sums: Self::Seen) -> Vec<Diagnostic> {
        let totals = &context.trade_totals;
        let exceeds = |sum: Result<Exact, TooLarge>, limit: Option<Exact>| match (sum, limit) {
            (Err(TooLarge), _) => true,
            (Ok(sum), Some(limit)) => sum > limit,
            (Ok(_), None) => false,
        };
        let failing: Set<FlowKey> = sums
            .into_flows(FlowSums::add)
            .into_iter()
            .filter(|(flow, sum)| {
                let total = totals.get(flow).map(|total| &total.record);
                let limit = total.and_then(|t| Bounds::of_trade_value(t.value, t.unit, t.qualifier)?.hi);
                exceeds(sum.shares, Some(Exact::integer(100))) || (total.is_some() && exceeds(sum.values, limit))
            })
            .map(|(flow, _)| flow)
            .collect();
        if failing.is_empty() {
            return Vec::new();
        }
        context
            .data
            .trade_commodities
            .pick(|line| failing.contains(&flow_of(line)), |picked| check_flows(context, picked))
            .unwrap_or_else(|unreadable| vec![*unreadable])
    }
}

/// The findings of the flows of `lines`, each flow's lines added up in rank order.
fn check_flows<'a>(context: &Context<'_, 'a>, table: &Table<'a, TradeCommodity<'a>>) -> Vec<Diagnostic> {
    let totals = &context.trade_totals;
    let flows = group_by(&table.rows, flow_of);
    flows
        .into_par_iter()
        .flat_map_iter(|(key, mut lines)| {
            lines.sort_by_key(|line| (line.record.rank, line.pos));
            let total = totals.get(&key).copied();
            let mut findings = Vec::new();
            findings.extend(values_exceed_total(context, table, &lines, total));
            findings.extend(shares_exceed_hundred(context, table, &lines, total));
            findings
        })
        .collect()
}

/// The outcome of adding up the lower ends of a flow's figures in rank order.
enum RunningSum<'l, 'a> {
    /// The sum stays within the limit.
    Within,
    /// The sum first exceeds the limit at `line`.
    Exceeds { line: &'l Row<TradeCommodity<'a>>, sum: Exact, terms: Vec<Exact>, count: usize },
    /// The sum could not be computed exactly at `line`.
    TooLarge { line: &'l Row<TradeCommodity<'a>> },
}

/// Adds the lower end of `figure` of each line that has one, until the sum exceeds `limit`.
fn running_sum<'l, 'a>(
    lines: &[&'l Row<TradeCommodity<'a>>],
    figure: impl Fn(&TradeCommodity<'a>) -> Option<Bounds>,
    limit: Exact,
) -> RunningSum<'l, 'a> {
    let mut sum = Exact::ZERO;
    let mut terms = Vec::new();
    let mut count = 0;
    for &line in lines {
        let Some(bounds) = figure(&line.record) else { continue };
        sum = match sum.checked_add(bounds.lo) {
            Ok(sum) => sum,
            Err(TooLarge) => return RunningSum::TooLarge { line },
        };
        count += 1;
        if terms.len() < MAX_LISTED_TERMS {
            terms.push(bounds.lo);
        }
        if sum > limit {
            return RunningSum::Exceeds { line, sum, terms, count };
        }
    }
    RunningSum::Within
}

/// `4.25 + 2.15 + 1.35 + 3.55 = 11.3`, abbreviated after [`MAX_LISTED_TERMS`] terms.
fn sum_text(terms: &[Exact], count: usize, sum: Exact, unit_exponent: i32) -> String {
    let mut listed: Vec<String> = terms.iter().map(|term| term.render(unit_exponent)).collect();
    if count > terms.len() {
        listed.push(format!("… ({count} lines)"));
    }
    format!("{} = {}", listed.join(" + "), sum.render(unit_exponent))
}

fn values_exceed_total<'a>(
    context: &Context<'_, 'a>,
    table: &Table<'a, TradeCommodity<'a>>,
    lines: &[&Row<TradeCommodity<'a>>],
    total: Option<&Row<TradeTotal<'_>>>,
) -> Option<Diagnostic> {
    let total = total?;
    let flow = &total.record;
    // A `near_zero` total has no upper bound: no sum exceeds it.
    let limit = Bounds::of_trade_value(flow.value, flow.unit, flow.qualifier)?.hi?;
    let (total_value, total_unit) = (flow.value?, flow.unit?);
    let figure = |line: &TradeCommodity<'_>| range_of(value_of(line)?);
    let (line, sum, terms, count) = match running_sum(lines, figure, limit) {
        RunningSum::Within => return None,
        RunningSum::TooLarge { line } => {
            return Some(amount::too_large_to_check(context, &PARTS_EXCEED_TOTAL, table, line, "value"));
        }
        RunningSum::Exceeds { line, sum, terms, count } => (line, sum, terms, count),
    };
    let total_text = amount::written_money(total_value, total_unit, flow.qualifier);
    let unit_exponent = i32::from(total_unit.exponent());
    let rank = line.record.rank;
    let message = format!("the commodity values up to rank {rank} add up to more than the flow's total {total_text}");
    let help = format!(
        "the lower ends of their ranges add up to {} {total_unit}; the total {total_text} is at most {} {total_unit}",
        sum_text(&terms, count, sum, unit_exponent),
        limit.render(unit_exponent),
    );
    let mut finding = context.finding(&PARTS_EXCEED_TOTAL, table, line, "value", message, Some(help));
    let label = format!("the flow's total: {total_text}");
    finding.related.push(context.related(&context.data.trade, total.pos, Some("value"), label));
    Some(finding)
}

fn shares_exceed_hundred<'a>(
    context: &Context<'_, 'a>,
    table: &Table<'a, TradeCommodity<'a>>,
    lines: &[&Row<TradeCommodity<'a>>],
    total: Option<&Row<TradeTotal<'_>>>,
) -> Option<Diagnostic> {
    let figure = |line: &TradeCommodity<'_>| range_of(share_of(line)?);
    let (line, sum, terms, count) = match running_sum(lines, figure, Exact::integer(100)) {
        RunningSum::Within => return None,
        RunningSum::TooLarge { line } => {
            return Some(amount::too_large_to_check(context, &PARTS_EXCEED_TOTAL, table, line, "share_pct"));
        }
        RunningSum::Exceeds { line, sum, terms, count } => (line, sum, terms, count),
    };
    let rank = line.record.rank;
    let message = format!("the commodity shares up to rank {rank} add up to more than 100 %");
    let help = format!(
        "the lower ends of their ranges add up to {} %; the parts of a flow make at most 100 %",
        sum_text(&terms, count, sum, 0),
    );
    let mut finding = context.finding(&PARTS_EXCEED_TOTAL, table, line, "share_pct", message, Some(help));
    if let Some(total) = total {
        let label = match (total.record.value, total.record.unit) {
            (Some(value), Some(unit)) => {
                format!("the flow's total: {}", amount::written_money(value, unit, total.record.qualifier))
            }
            _ => "the flow's total".to_owned(),
        };
        finding.related.push(context.related(&context.data.trade, total.pos, Some("value"), label));
    }
    Some(finding)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Figures as lines write them: mostly one unit and scale, now and then another, a
    /// negative one, or one beyond 64 bits once its range is taken.
    fn written() -> impl Strategy<Value = Option<Written>> {
        let units = prop_oneof![8 => 0i64..1_000_000, 1 => any::<i64>(), 1 => Just(i64::MAX)];
        let scale = prop_oneof![8 => Just(1u8), 2 => 0u8..=9];
        let exponent = prop_oneof![8 => Just(9), 2 => prop::sample::select(vec![0, 6, 9])];
        proptest::option::weighted(0.9, (units, scale, exponent).prop_map(|(u, s, e)| (Decimal::new(u, s), e)))
    }

    proptest! {
        #[test]
        fn lower_ends_add_up_as_exact_sums_do(
            start in prop_oneof![Just(Ok(Exact::ZERO)), Just(Err(TooLarge)), (0i128..1_000_000_000, -10i32..0).prop_map(|(n, e)| Ok(Exact::new(n, e)))],
            figures in prop::collection::vec(written(), 0..80),
        ) {
            let mut narrow = LowerEnds::from(start);
            let mut exact = start;
            for &figure in &figures {
                narrow.add(figure);
                exact = add(exact, figure.and_then(range_of));
            }
            prop_assert_eq!(narrow.total(), exact);
        }
    }
}
