//! A commodity line's `share_pct` matches its `value` divided by the value of its flow's
//! total in `trade.csv`, within the precision the three figures are written to.
//!
//! A source that lists its largest exports usually gives each line's value and its share of
//! the total; the three figures check each other, and a typo in any of them breaks the
//! relation. Each figure stands for the range its written digits allow (`2.9` for
//! [2.85, 2.95], `28` % for [27.5, 28.5]; an `approximately` total for ±10 %), units convert
//! exactly, and the relation is decided with exact decimal arithmetic: the rule reports only
//! when no true values inside those ranges have `value = share × total`. So `2.2` of `10.3`
//! written as `22` % passes (2.15/10.35 to 2.25/10.25 is 20.77 %–21.95 %, which meets
//! [21.5, 22.5]), and `31` % for `2.9` of `10.3` does not.
//!
//! The finding is on the share cell, with the flow's total as a related row and the
//! arithmetic in the help. The rule is silent when the line has no value or no share, when
//! the flow has no total (`key/reference` reports that), and when the total is `near_zero`
//! (no upper bound, so no share can be refuted). When `trade.csv` holds the flow twice
//! (`key/duplicate` reports it), the line is checked against the first in file order.
//!
//! Failing (against the total `NO,JP,2011,export,10.3,NOK billion,exact,1.2,no-jp-2015`,
//! 2.9 / 10.3 is 27.5 %–28.8 %, not 31 %):
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,export,1,Sjømatprodukter og bearbeidede sjømatprodukter,2.9,NOK billion,31,no-jp-2015
//! ```
//!
//! Passing (against the same total):
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,export,1,Sjømatprodukter og bearbeidede sjømatprodukter,2.9,NOK billion,28,no-jp-2015
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Row, Table};
use model::{TableId, TradeCommodity, TradeTotal};

use crate::amount::{self, Bounds, QuotientBounds, TooLarge};
use crate::engine::{Context, Rule, Watch, all_in_watch, flow_of};

/// See the module documentation.
pub(crate) static COMMODITY_SHARE: Rule = Rule {
    id: RuleId::new("trade/commodity-share"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: true,
    reads: &[TableId::Trade, TableId::TradeCommodities],
    source: include_str!("trade_commodity_share.rs"),
    check: all_in_watch,
    watch: Some(&Shares),
};

/// Each commodity line against its flow's total, as the lines are read.
#[derive(Debug)]
struct Shares;

impl Watch for Shares {
    type Seen = ();

    fn look<'a>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        (): &mut (),
        found: &mut Vec<Diagnostic>,
    ) {
        let totals = &context.trade_totals;
        // Past the findings a check keeps of this rule, a finding is given as a placeholder,
        // which `complete` turns into the finding should it be kept after all.
        let placeholders = context.full.contains(COMMODITY_SHARE.id);
        // A flow's lines stand together: its total is looked up, and its range worked out,
        // once for them.
        let mut last = None;
        for line in rows {
            let flow = flow_of(&line.record);
            if last.as_ref().is_none_or(|(key, _)| *key != flow) {
                let total = totals.get(&flow).map(|&total| {
                    let whole = whole_of(total);
                    (total, whole, whole.and_then(|whole| whole.narrow()))
                });
                last = Some((flow, total));
            }
            // Borrowed, not copied: a flow's ranges are large, and the same for each of its lines.
            let Some((_, Some((total, whole, narrow)))) = &last else { continue };
            // The usual line fits, as 64 bits tell; any other is worked out in 128 bits.
            let record = &line.record;
            if let (Some(value), Some(unit), Some(share), Some(narrow)) =
                (record.value, record.unit, record.share_pct, narrow)
                && amount::share_fits_narrow(value, unit, share, *narrow) == Some(true)
            {
                continue;
            }
            let total = *total;
            match misfit(record, *whole) {
                Ok(None) => {}
                Ok(Some(misfit)) => found.extend(finding(context, table, line, total, misfit, placeholders)),
                Err(TooLarge) => {
                    found.push(amount::too_large_to_check(context, &COMMODITY_SHARE, table, line, "share_pct"));
                }
            }
        }
    }

    fn complete<'a>(
        &self,
        rule: &Rule,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        found: &mut Vec<Diagnostic>,
    ) {
        // The line is the one whose share cell the placeholder is on; the finding is made
        // again from it, as `look` would have made it.
        crate::engine::complete_placeholders(rule, found, |placeholder| {
            let line = super::row_holding(rows, placeholder)
                .filter(|row| table.cell_span_by_name(row.pos, "share_pct") == placeholder.span)?;
            let total = context.trade_totals.get(&flow_of(&line.record))?;
            let misfit = misfit(&line.record, whole_of(total)).ok()??;
            finding(context, table, line, total, misfit, false)
        });
    }
}

/// The range of a flow's total.
fn whole_of(total: &Row<TradeTotal<'_>>) -> Option<Bounds> {
    let flow = &total.record;
    Bounds::of_trade_value(flow.value, flow.unit, flow.qualifier)
}

/// A commodity line's figures that do not fit its flow's total: the line's figures as
/// written, its value as a range, the total's range and the stated share's.
struct Misfit {
    value: model::Decimal,
    unit: model::Unit,
    share: model::Decimal,
    part: Bounds,
    whole: Bounds,
    stated: Bounds,
}

/// Whether a commodity line's share contradicts its value and its flow's total (`whole`, the
/// total's range): this runs for every line, so it builds nothing but the ranges.
fn misfit(commodity: &TradeCommodity<'_>, whole: Option<Bounds>) -> Result<Option<Misfit>, TooLarge> {
    let (Some(value), Some(unit), Some(share)) = (commodity.value, commodity.unit, commodity.share_pct) else {
        return Ok(None);
    };
    let (Some(part), Some(whole), Some(stated)) =
        (Bounds::of_money(value, unit, model::Qualifier::Exact), whole, Bounds::of_percent(share))
    else {
        return Ok(None);
    };
    if amount::share_fits(part, whole, stated)? {
        return Ok(None);
    }
    Ok(Some(Misfit { value, unit, share, part, whole, stated }))
}

/// The finding for a commodity line whose share does not fit its flow's total.
#[cold]
fn finding<'a>(
    context: &Context<'_, 'a>,
    table: &Table<'a, TradeCommodity<'a>>,
    line: &Row<TradeCommodity<'a>>,
    total: &Row<TradeTotal<'_>>,
    Misfit { value, unit, share, part, whole, stated }: Misfit,
    placeholder: bool,
) -> Option<Diagnostic> {
    let flow = &total.record;
    // A `near_zero` total has no upper bound and fits every share, so the total has a figure here.
    let (Some(total_value), Some(total_unit)) = (flow.value, flow.unit) else {
        return None;
    };
    if placeholder {
        return Some(context.placeholder(&COMMODITY_SHARE, COMMODITY_SHARE.id, table, line, "share_pct"));
    }

    let implied = QuotientBounds::of(part.times_pow10(2), whole);
    let at_least_decimals = u32::from(share.scale()) + 1;
    let (implied_shown, _) = amount::show_apart(&implied, &QuotientBounds::whole(stated), 0, at_least_decimals);
    let total_text = amount::written_money(total_value, total_unit, flow.qualifier);
    let quotient = match (unit == total_unit, flow.qualifier) {
        (true, model::Qualifier::Exact) => format!("{value} / {total_text}"),
        (false, model::Qualifier::Exact) => format!("{value} {unit} / {total_text}"),
        // Show the range an approximate total stands for, since it is wider than its digits say.
        _ => format!("{value} {unit} / {total_text} ({})", whole.render(i32::from(total_unit.exponent()))),
    };
    let message = format!("the share {share} % does not match {value} {unit} of the flow's total {total_text}");
    let help = format!(
        "{quotient} is {}; the stated {share} % ({}) lies outside",
        implied_shown.with_unit_on_each("%"),
        stated.render(0),
    );
    let mut finding = context.finding(&COMMODITY_SHARE, table, line, "share_pct", message, Some(help));
    let label = format!("the flow's total: {total_text}");
    finding.related.push(context.related(&context.data.trade, total.pos, Some("value"), label));
    Some(finding)
}
