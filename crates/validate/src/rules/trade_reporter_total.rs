//! The rows of `trade.csv` of one reporter, year and flow imply the same total of the
//! reporter's trade: each row's `value` divided by its `share_of_reporter_total_pct`.
//!
//! A row that says Norway's exports to Japan were 10.3 NOK billion, 1.2 % of Norway's
//! exports, implies that Norway exported 820–900 NOK billion in all that year (10.25 / 1.25 %
//! to 10.35 / 1.15 %). Every other partner's row for Norway's exports that year implies the
//! same total, so the implied ranges must overlap: when two cannot, one of the four figures is
//! wrong. Each figure stands for the range its written digits allow (an `approximately` value
//! ±10 %), and ranges are compared exactly, by cross-multiplication. A share written `0`
//! (anything below 0.5 %) gives its implied total no upper end.
//!
//! Rows are taken in file order; a row whose implied total cannot meet what the rows before it
//! agree on is reported at its share cell, with the row it contradicts as a related row. Rows
//! without a value or without a share are not part of the comparison.
//!
//! Failing (0.5 NOK billion at 0.04 % implies 1000–1572 NOK billion; Japan's row implies
//! 820–900):
//!
//! ```csv
//! reporter,partner,year,flow,value,unit,qualifier,share_of_reporter_total_pct,source
//! NO,KH,2011,export,0.5,NOK billion,exact,0.04,no-kh-2013
//! NO,JP,2011,export,10.3,NOK billion,exact,1.2,no-jp-2015
//! ```
//!
//! Passing (0.5 NOK billion at 0.06 % implies 692.3–1000 NOK billion, which meets 820–900):
//!
//! ```csv
//! reporter,partner,year,flow,value,unit,qualifier,share_of_reporter_total_pct,source
//! NO,KH,2011,export,0.5,NOK billion,exact,0.06,no-kh-2013
//! NO,JP,2011,export,10.3,NOK billion,exact,1.2,no-jp-2015
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::Row;
use model::{Flow, TableId, TradeTotal};
use rayon::prelude::*;

use crate::amount::{self, Bounds, QuotientBounds, TooLarge};
use crate::engine::{Context, Rule, group_by};

/// See the module documentation.
pub(crate) static REPORTER_TOTAL: Rule = Rule {
    id: RuleId::new("trade/reporter-total"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: true,
    reads: &[TableId::Trade],
    source: include_str!("trade_reporter_total.rs"),
    check,
    watch: None,
};

/// A row with the reporter total it implies.
struct Implied<'r, 'a> {
    row: &'r Row<TradeTotal<'a>>,
    total: QuotientBounds,
}

impl<'r, 'a> Implied<'r, 'a> {
    /// The reporter total a row implies: `value × 100 / share`. `None` when the row lacks
    /// either figure.
    fn of(row: &'r Row<TradeTotal<'a>>) -> Option<Implied<'r, 'a>> {
        let record = &row.record;
        let value = Bounds::of_trade_value(record.value, record.unit, record.qualifier)?;
        let share = Bounds::of_percent(record.share_of_reporter_total_pct?)?;
        Some(Implied { row, total: QuotientBounds::of(value.times_pow10(2), share) })
    }
}

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let table = &context.data.trade;
    let groups = group_by(&table.rows, |t| (t.reporter, t.year, t.flow));
    groups
        .into_par_iter()
        .flat_map_iter(|(_, rows)| {
            let implied: Vec<Implied<'_, '_>> = rows.into_iter().filter_map(Implied::of).collect();
            check_group(context, &implied)
        })
        .collect()
}

/// Compares each row, in file order, with what the rows before it agree on.
fn check_group(context: &Context<'_, '_>, rows: &[Implied<'_, '_>]) -> Vec<Diagnostic> {
    let mut agreement = Agreement::default();
    let mut findings = Vec::new();
    for current in rows {
        match agreement.admit(current) {
            Ok(None) => {}
            Ok(Some(other)) => findings.push(contradiction(context, current, other)),
            Err(TooLarge) => findings.push(too_large(context, current)),
        }
    }
    findings
}

/// What the rows admitted so far agree on: the rows holding the greatest lower end and the
/// least upper end of their implied totals.
///
/// Implied totals are intervals, and intervals that overlap pairwise share a common point, so
/// these two rows are enough to find a contradicting pair in one pass. A contradicting row is
/// reported and not admitted, so that one wrong row does not turn every later row into a
/// finding.
#[derive(Default)]
struct Agreement<'i, 'r, 'a> {
    greatest_lo: Option<&'i Implied<'r, 'a>>,
    least_hi: Option<&'i Implied<'r, 'a>>,
}

impl<'i, 'r, 'a> Agreement<'i, 'r, 'a> {
    /// Admits `current` when its implied total meets the agreement; otherwise returns the
    /// admitted row it contradicts.
    fn admit(&mut self, current: &'i Implied<'r, 'a>) -> Result<Option<&'i Implied<'r, 'a>>, TooLarge> {
        let least_hi = self.least_hi.and_then(|row| row.total.hi.as_ref().map(|hi| (row, hi)));
        if let Some((other, hi)) = least_hi
            && current.total.lo.checked_cmp(hi)?.is_gt()
        {
            return Ok(Some(other));
        }
        if let (Some(other), Some(hi)) = (self.greatest_lo, &current.total.hi)
            && hi.checked_cmp(&other.total.lo)?.is_lt()
        {
            return Ok(Some(other));
        }
        let raises_lo = match self.greatest_lo {
            Some(best) => current.total.lo.checked_cmp(&best.total.lo)?.is_gt(),
            None => true,
        };
        let lowers_hi = match (&current.total.hi, least_hi) {
            (Some(mine), Some((_, theirs))) => mine.checked_cmp(theirs)?.is_lt(),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if raises_lo {
            self.greatest_lo = Some(current);
        }
        if lowers_hi {
            self.least_hi = Some(current);
        }
        Ok(None)
    }
}

fn too_large(context: &Context<'_, '_>, current: &Implied<'_, '_>) -> Diagnostic {
    let table = &context.data.trade;
    amount::too_large_to_check(context, &REPORTER_TOTAL, table, current.row, "share_of_reporter_total_pct")
}

/// `10.3 NOK billion to JP at 1.2 %`.
fn describe(record: &TradeTotal<'_>) -> String {
    let value = match (record.value, record.unit) {
        (Some(value), Some(unit)) => amount::written_money(value, unit, record.qualifier),
        _ => String::new(),
    };
    let share = record.share_of_reporter_total_pct.map(|s| s.to_string()).unwrap_or_default();
    let direction = match record.flow {
        Flow::Import => "from",
        _ => "to",
    };
    format!("{value} {direction} {} at {share} %", record.partner)
}

fn contradiction(context: &Context<'_, '_>, current: &Implied<'_, '_>, other: &Implied<'_, '_>) -> Diagnostic {
    let record = &current.row.record;
    let table = &context.data.trade;
    let flows = match record.flow {
        Flow::Import => "imports",
        _ => "exports",
    };
    let other_line = other.row.pos.line;
    let message = format!(
        "this row implies a total of {}'s {flows} in {} that the row on line {other_line} contradicts",
        record.reporter, record.year
    );
    // Both ranges are shown in this row's unit.
    let unit = record.unit.unwrap_or(model::Unit::Nok);
    let unit_exponent = i32::from(unit.exponent());
    let (mine, theirs) = amount::show_apart(&current.total, &other.total, unit_exponent, 0);
    let help = format!(
        "{} implies a total of {}; {} (line {other_line}) implies {}; no total lies in both ranges",
        describe(record),
        mine.with_unit_after(unit.as_str()),
        describe(&other.row.record),
        theirs.with_unit_after(unit.as_str()),
    );
    let column = "share_of_reporter_total_pct";
    let mut finding = context.finding(&REPORTER_TOTAL, table, current.row, column, message, Some(help));
    let label = describe(&other.row.record);
    finding.related.push(context.related(table, other.row.pos, Some(column), label));
    finding
}

#[cfg(test)]
mod tests {
    use model::{Decimal, TableId, Unit};
    use proptest::prelude::*;

    /// A `trade.csv` row for Norway's exports in 2012 with figures at the model's limits.
    fn row_at_the_limits() -> impl Strategy<Value = (Decimal, Unit, &'static str, Decimal)> {
        let largest = 10i64.pow(model::value::MAX_DIGITS as u32) - 1;
        let units = prop_oneof![Just(largest), Just(1i64), largest / 10..=largest, 0..=largest, 1i64..=1_000];
        let scale = prop_oneof![Just(0u8), Just(model::value::MAX_SCALE), 0..=model::value::MAX_SCALE];
        let figure = (units, scale).prop_map(|(units, scale)| Decimal::new(units, scale));
        let unit = prop::sample::select(vec![Unit::Nok, Unit::NokMillion, Unit::NokBillion]);
        let qualifier = prop::sample::select(vec!["exact", "approximately"]);
        (figure.clone(), unit, qualifier, figure)
    }

    /// The `trade/reporter-total` findings of a `trade.csv` of `rows` over the fixtures' base.
    fn findings_with_rows(rows: &[String]) -> Vec<diagnostic::Diagnostic> {
        let trade = format!(
            "reporter,partner,year,flow,value,unit,qualifier,share_of_reporter_total_pct,source\n{}",
            rows.concat()
        );
        let dir = ingest::DataDir::from_memory("data", |table| match table {
            TableId::Trade => Some(trade.clone().into_bytes()),
            TableId::TradeCommodities => {
                Some(table.def().columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",").into_bytes())
            }
            _ => {
                std::fs::read(format!("{}/../../tests/fixtures/base/{}", env!("CARGO_MANIFEST_DIR"), table.file())).ok()
            }
        });
        crate::check_dir(&dir).findings.into_iter().filter(|f| f.rule().as_str() == "trade/reporter-total").collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Two rows at the limits are decided (an error or nothing, never a warning), the same
        /// way in either order, and a contradiction is reported where the documentation says:
        /// at the later row, with the earlier one as the related row.
        #[test]
        fn a_contradiction_is_reported_at_the_later_row_in_either_order(
            (value_a, unit_a, qualifier_a, share_a) in row_at_the_limits(),
            (value_b, unit_b, qualifier_b, share_b) in row_at_the_limits(),
        ) {
            // A share over 100 % is `field/range`'s finding, which absorbs this rule's on the
            // same cell (one cause, one finding); the arithmetic is tested on valid shares.
            let within = |share: &model::Decimal| share.to_string().parse::<f64>().is_ok_and(|s| s <= 100.0);
            prop_assume!(within(&share_a) && within(&share_b));
            let japan = format!("NO,JP,2012,export,{value_a},{unit_a},{qualifier_a},{share_a},no-jp-2015\n");
            let cambodia = format!("NO,KH,2012,export,{value_b},{unit_b},{qualifier_b},{share_b},no-kh-2013\n");
            let forward = findings_with_rows(&[japan.clone(), cambodia.clone()]);
            let backward = findings_with_rows(&[cambodia, japan]);
            prop_assert_eq!(forward.len(), backward.len());
            prop_assert!(forward.len() <= 1);
            for (finding, later) in forward.iter().map(|f| (f, "KH")).chain(backward.iter().map(|f| (f, "JP"))) {
                prop_assert_eq!(finding.severity, diagnostic::Severity::Error, "{}", finding.message);
                prop_assert_eq!(finding.line, 3);
                prop_assert_eq!(finding.key.as_deref(), Some(&*format!("NO/{later}/2012/export")));
                prop_assert_eq!(finding.related.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2]);
            }
        }
    }
}
