//! What a check examined, rule by rule: the one account that the page's "What was checked"
//! section and `report.md`'s share.

use diagnostic::Severity;
use validate::{Report, Rule};

/// One rule's part in a check.
pub struct RuleOutcome {
    /// The rule.
    pub rule: &'static Rule,
    /// The rows of the tables it reads that were typed, so examined.
    pub rows: usize,
    /// Its findings that count against the check (listed or only counted).
    pub failing: usize,
    /// Its findings acknowledged in `exceptions.csv`.
    pub acknowledged: usize,
}

impl std::fmt::Debug for RuleOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleOutcome")
            .field("rule", &self.rule.id)
            .field("rows", &self.rows)
            .field("failing", &self.failing)
            .field("acknowledged", &self.acknowledged)
            .finish()
    }
}

impl RuleOutcome {
    /// `✓ held`, `✓ held (2 acknowledged)`, `3 errors` or `1 warning`.
    pub fn result_text(&self) -> String {
        match (self.failing, self.acknowledged) {
            (0, 0) => "✓ held".to_owned(),
            (0, n) => format!("✓ held ({n} acknowledged)"),
            (n, _) => {
                let word = if self.rule.severity == Severity::Error { "error" } else { "warning" };
                if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
            }
        }
    }
}

/// Every rule of [`validate::rules::ALL`], in order, with what it examined and found.
pub fn outcomes(report: &Report) -> Vec<RuleOutcome> {
    validate::rules::ALL
        .iter()
        .map(|rule| {
            let ids = rule.ids();
            let rows = report
                .tables
                .iter()
                .filter(|t| rule.tables().contains(&t.table))
                .map(|t| t.rows.saturating_sub(t.rejected))
                .sum();
            let mine = report.findings.iter().filter(|f| ids.contains(&f.rule()));
            let (acknowledged, listed_failing) =
                mine.fold((0, 0), |(a, f), d| if d.acknowledged.is_some() { (a + 1, f) } else { (a, f + 1) });
            let unlisted: usize = report.unlisted.iter().filter(|u| ids.contains(&u.rule)).map(|u| u.count).sum();
            RuleOutcome { rule, rows, failing: listed_failing + unlisted, acknowledged }
        })
        .collect()
}
