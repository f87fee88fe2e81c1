//! Applies `exceptions.csv`: acknowledged findings, and exceptions that went stale.

use diagnostic::{Diagnostic, Severity};

use crate::rules::exception_stale::STALE;
use ingest::Dataset;

/// Marks the findings that an exception acknowledges, and returns a finding for each
/// exception that matches no finding or whose cell has changed since.
pub(crate) fn apply(data: &Dataset<'_>, findings: &mut [Diagnostic]) -> Vec<Diagnostic> {
    let table = &data.exceptions;
    let mut stale = Vec::new();
    for row in &table.rows {
        let exception = &row.record;
        let same_place = |f: &Diagnostic| {
            let (rule, file, key, column) = f.identity();
            rule.as_str() == exception.rule
                && file == exception.file
                && key == exception.key
                && column == exception.column
        };
        let wanted = exception.value.as_deref().unwrap_or("");
        let mut matched = false;
        let mut changed_to = None;
        for finding in findings.iter_mut().filter(|f| same_place(f)) {
            let value = finding.value.as_deref().unwrap_or("");
            if value == wanted {
                finding.acknowledged = Some(exception.reason.to_string());
                matched = true;
            } else {
                changed_to = Some(value.to_owned());
            }
        }
        if matched {
            continue;
        }
        let (message, help) = match changed_to {
            Some(now) => (
                format!("the exception is for the value `{wanted}`, but the cell now holds `{now}`"),
                "an exception covers one value only: check the new value, then update or delete the exception",
            ),
            None => (
                format!(
                    "no `{}` finding at {} `{}` column `{}` is left to acknowledge",
                    exception.rule, exception.file, exception.key, exception.column
                ),
                "the data or the rule changed: delete the exception",
            ),
        };
        let mut finding = Diagnostic::new(STALE.id, Severity::Error, table.name(), message);
        finding.table = Some(model::TableId::Exceptions);
        finding.line = row.pos.line;
        finding.column = Some("value".to_owned());
        finding.key = Some(model::Record::key_text(exception));
        finding.value = exception.value.as_deref().map(str::to_owned);
        finding.span = table.cell_span_by_name(row.pos, "value");
        finding.help = Some(help.to_owned());
        finding.snippet = table.snippet(row.pos);
        stale.push(finding);
    }
    stale
}
