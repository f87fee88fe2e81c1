//! A warning when the number of residents of one citizenship in one country changes by more
//! than half from one year to the next.
//!
//! Populations move slowly; a jump from 838 to 8380 is far more likely a typed digit than a
//! migration. Only consecutive years are compared (2010 with 2011, not 2009 with 2011), with
//! exact integer arithmetic: a change from `a` to `b` is flagged when `|b − a| > a / 2`.
//!
//! Failing:
//!
//! ```csv
//! country,citizenship,year,count,source
//! NO,JP,2010,838,no-jp-2015
//! NO,JP,2011,8550,no-jp-2015
//! ```
//!
//! Passing:
//!
//! ```csv
//! country,citizenship,year,count,source
//! NO,JP,2010,838,no-jp-2015
//! NO,JP,2011,855,no-jp-2015
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use model::TableId;

use crate::engine::{Context, Rule, group_by};

/// See the module documentation.
pub(crate) static JUMP: Rule = Rule {
    id: RuleId::new("residents/jump"),
    emits: &[],
    severity: Severity::Warning,
    acknowledgeable: true,
    reads: &[TableId::Residents],
    source: include_str!("residents_jump.rs"),
    check,
    watch: None,
};

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let table = &context.data.residents;
    let mut findings = Vec::new();
    for (_, mut rows) in group_by(&table.rows, |r| (r.country, r.citizenship)) {
        rows.sort_by_key(|row| row.record.year);
        for pair in rows.windows(2) {
            let (earlier, later) = (&pair[0].record, &pair[1].record);
            // A negative count is `field/range`'s finding; a jump computed from it says nothing more.
            if later.year.0 != earlier.year.0 + 1 || earlier.count <= 0 || later.count < 0 {
                continue;
            }
            let change = i128::from(later.count) - i128::from(earlier.count);
            if 2 * change.abs() <= i128::from(earlier.count) {
                continue;
            }
            let percent = change * 100 / i128::from(earlier.count);
            let message = format!(
                "residents of {} citizenship in {} went from {} in {} to {} in {} ({percent:+} %)",
                later.citizenship, later.country, earlier.count, earlier.year, later.count, later.year
            );
            let help = "a change of more than half in one year is rare: check for a typed or missing digit".to_owned();
            let mut finding = context.finding(&JUMP, table, pair[1], "count", message, Some(help));
            finding.related.push(context.related(table, pair[0].pos, Some("count"), format!("{}", earlier.year)));
            findings.push(finding);
        }
    }
    findings
}
