//! Applies `exceptions.csv`: acknowledged findings, and exceptions that went stale or name
//! a finding that cannot be acknowledged.
//!
//! Only the findings of consistency rules that declare them acknowledgeable (values as a
//! source writes them) can be acknowledged; a convention of this dataset (ids, sequences,
//! references, unused rows) is followed, not acknowledged. What ingest reports (a missing
//! or unreadable file, a wrong header, a broken CSV row, an empty required cell, a cell that
//! is not of its column's type) leaves rows out of every rule: acknowledging it would let a
//! check pass on a table the rules did not see whole. An exception naming one of those ids,
//! or `exception/stale` itself, is reported, and the finding stays what it was.
//!
//! Findings are indexed once by identity (rule, file, key, column), so each exception costs
//! one lookup, whatever the number of findings.

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Dataset, Row};
use model::Exception;

use crate::engine::{Map, Set};
use crate::rules::exception_stale::STALE;

/// Marks the findings that an exception acknowledges, and returns a finding for each
/// exception that names a finding that cannot be acknowledged, matches no finding, or whose
/// cell has changed since.
pub(crate) fn apply(data: &Dataset<'_>, findings: &mut [Diagnostic]) -> Vec<Diagnostic> {
    let acknowledgeable: Set<RuleId> = crate::rules::ALL
        .iter()
        .filter(|rule| rule.id != STALE.id)
        .flat_map(|rule| rule.ids().iter().copied())
        .collect();
    let mut by_identity: Map<(&str, &str, &str, &str), Vec<usize>> = Map::default();
    for (index, finding) in findings.iter().enumerate() {
        if acknowledgeable.contains(&finding.rule()) {
            let (rule, file, key, column) = finding.identity();
            by_identity.entry((rule.as_str(), file, key, column)).or_default().push(index);
        }
    }
    let table = &data.exceptions;
    let mut acknowledged = Vec::new();
    let mut stale = Vec::new();
    for row in &table.rows {
        let exception = &row.record;
        if let Some(why) = why_not_acknowledgeable(&exception.rule) {
            stale.push(unacknowledgeable(data, row, why));
            continue;
        }
        let identity = (&*exception.rule, &*exception.file, &*exception.key, &*exception.column);
        let same_place = by_identity.get(&identity).map_or(&[][..], Vec::as_slice);
        let wanted = exception.value.as_deref().unwrap_or("");
        let mut matched = false;
        let mut changed_to = None;
        for &index in same_place {
            let value = findings[index].value.as_deref().unwrap_or("");
            if value == wanted {
                acknowledged.push((index, &exception.reason));
                matched = true;
            } else {
                changed_to = Some(value);
            }
        }
        if !matched {
            stale.push(lapsed(data, row, changed_to));
        }
    }
    for (index, reason) in acknowledged {
        findings[index].acknowledged = Some(reason.to_string());
    }
    stale
}

/// Why the findings of a known id cannot be acknowledged, and what to do instead; `None`
/// for an id that names nothing, which `key/reference` reports (and such an exception
/// acknowledges nothing). A rule declares whether its findings can be ([`Rule::acknowledgeable`]).
///
/// [`Rule::acknowledgeable`]: crate::engine::Rule::acknowledgeable
pub(crate) fn why_not_acknowledgeable(rule: &str) -> Option<(&'static str, &'static str)> {
    if let Some(why) = why_not_lowerable(rule) {
        return Some(why);
    }
    let convention =
        crate::rules::ALL.iter().any(|r| !r.acknowledgeable && r.ids().iter().any(|id| id.as_str() == rule));
    convention.then_some((
        "it checks a convention of this dataset, not a value as a source writes it",
        "fix the data to follow the convention instead",
    ))
}

/// Why the findings of a known id cannot be lowered to a warning in `bilat.toml`: what ingest
/// reports, and exceptions' own problems. (A convention rule's findings can be lowered by a
/// team, though no single one can be acknowledged.)
pub(crate) fn why_not_lowerable(rule: &str) -> Option<(&'static str, &'static str)> {
    if ingest::ErrorKind::ALL.iter().any(|kind| kind.code() == rule) {
        Some((
            "it is found while reading the file, and keeps rows out of every rule",
            "the file, its header or the row must be fixed instead",
        ))
    } else if STALE.ids().iter().any(|id| id.as_str() == rule) {
        Some(("it is a problem of an exception itself", "fix or delete the exception it is about instead"))
    } else {
        None
    }
}

/// The finding for an exception that names a finding that cannot be acknowledged.
fn unacknowledgeable(data: &Dataset<'_>, row: &Row<Exception<'_>>, (why, instead): (&str, &str)) -> Diagnostic {
    let message = format!("`{}` cannot be acknowledged: {why}", diagnostic::text::one_line(&row.record.rule));
    let help = format!("{instead}; then delete this exception");
    exception_finding(data, row, "rule", message, help)
}

/// The finding for an exception that acknowledges nothing: no finding is left at its place,
/// or the cell now holds another value (`changed_to`).
fn lapsed(data: &Dataset<'_>, row: &Row<Exception<'_>>, changed_to: Option<&str>) -> Diagnostic {
    let exception = &row.record;
    // Cells from the data, shown on one line: a line break in one is shown as `⏎`.
    let shown = |text: &str| diagnostic::text::one_line(text).into_owned();
    let wanted = shown(exception.value.as_deref().unwrap_or(""));
    let (message, help) = match changed_to {
        Some(now) => (
            format!("the exception is for the value `{wanted}`, but the cell now holds `{}`", shown(now)),
            "an exception covers one value only: check the new value, then update or delete the exception",
        ),
        None => (
            format!(
                "no `{}` finding at {} `{}` column `{}` is left to acknowledge",
                shown(&exception.rule),
                shown(&exception.file),
                shown(&exception.key),
                shown(&exception.column)
            ),
            "the data or the rule changed: delete the exception",
        ),
    };
    exception_finding(data, row, "value", message, help.to_owned())
}

/// An `exception/stale` finding at a cell of an exception's row.
fn exception_finding(
    data: &Dataset<'_>,
    row: &Row<Exception<'_>>,
    column: &str,
    message: String,
    help: String,
) -> Diagnostic {
    let table = &data.exceptions;
    let exception = &row.record;
    let value = match column {
        "rule" => Some(exception.rule.to_string()),
        _ => exception.value.as_deref().map(str::to_owned),
    };
    let mut finding = Diagnostic::new(STALE.id, Severity::Error, table.name(), message);
    finding.table = Some(model::TableId::Exceptions);
    finding.column = Some(column.to_owned());
    finding.key = Some(model::Record::key_text(exception));
    finding.value = value;
    finding.span = table.cell_span_by_name(row.pos, column);
    // The cell's own line: after a cell with a line break, a later cell is on a later line.
    finding.line = table.line_of(row.pos, finding.span.as_ref());
    finding.help = Some(help);
    finding.snippet = table.snippet(row.pos);
    finding
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use model::TableId;

    use super::*;

    #[test]
    fn only_consistency_findings_can_be_acknowledged() {
        for kind in ingest::ErrorKind::ALL {
            assert!(why_not_acknowledgeable(kind.code()).is_some(), "{}", kind.code());
        }
        for rule in crate::rules::ALL {
            for id in rule.ids() {
                assert_eq!(why_not_acknowledgeable(id.as_str()).is_some(), !rule.acknowledgeable, "{id}");
                assert_eq!(why_not_lowerable(id.as_str()).is_some(), rule.id == STALE.id, "{id}");
            }
        }
        assert!(!STALE.acknowledgeable);
        // A naming convention of our own is followed, not acknowledged; a source's figure is.
        assert!(why_not_acknowledgeable("id/convention").is_some());
        assert!(why_not_acknowledgeable("sequence/gap").is_some());
        assert_eq!(why_not_acknowledgeable("trade/commodity-share"), None);
        assert_eq!(why_not_acknowledgeable("trade/comodity-share"), None);
    }

    /// Residents of citizenship `AA`, `AB`, … in `NO` every year from 1916 to 2015, alternating
    /// between 100 and 1000, so that every year but the first is a `residents/jump` finding;
    /// and an exception for every third finding, a wrong value for every third, and one for
    /// each citizenship's first year, which has no finding.
    fn residents_with_exceptions(codes: usize) -> ingest::DataDir {
        let code = |i: usize| format!("{}{}", char::from(b'A' + (i / 26) as u8), char::from(b'A' + (i % 26) as u8));
        let mut countries = String::from("code,iso3,name_en,name_nb\nNO,NOR,Norway,Norge\n");
        let mut residents = String::from("country,citizenship,year,count,source\n");
        let mut exceptions = String::from("rule,file,key,column,value,reason\n");
        for i in 0..codes {
            let code = code(i);
            let _ = writeln!(countries, "{code},{code}X,Partner {code},Partner {code}");
            for year in 1916..2016 {
                let count = if year % 2 == 0 { 100 } else { 1000 };
                let _ = writeln!(residents, "NO,{code},{year},{count},no-jp-2015");
                let (rule, key) = ("residents/jump,residents.csv", format!("NO/{code}/{year}"));
                match (year == 1916, (i + year) % 3) {
                    (true, _) => {
                        let _ = writeln!(exceptions, "{rule},{key},count,{count},No jump in the first year.");
                    }
                    (false, 0) => {
                        let _ = writeln!(exceptions, "{rule},{key},count,{count},Acknowledged {code} {year}.");
                    }
                    (false, 1) => {
                        let _ = writeln!(exceptions, "{rule},{key},count,7,An outdated value.");
                    }
                    _ => {}
                }
            }
        }
        // The one source the rows cite, from the fixtures' base dataset.
        let base =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/base/sources.csv"));
        let sources: String = base
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("id,") || l.starts_with("no-jp-2015,"))
            .map(|l| format!("{l}\n"))
            .collect();
        ingest::DataDir::from_memory("data", |table| match table {
            TableId::Countries => Some(countries.clone().into_bytes()),
            TableId::Residents => Some(residents.clone().into_bytes()),
            TableId::Exceptions => Some(exceptions.clone().into_bytes()),
            TableId::Sources => Some(sources.clone().into_bytes()),
            _ => Some(table.def().columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",").into_bytes()),
        })
    }

    #[test]
    fn many_exceptions_each_acknowledge_their_own_finding() {
        // Enough for more open findings than are listed, few enough that every stale
        // exception is.
        let codes = 25;
        let report = crate::check_dir(&residents_with_exceptions(codes));
        let remainder =
            |r: usize| (0..codes).flat_map(|i| (1917..2016).map(move |y| (i + y) % 3)).filter(|&m| m == r).count();
        let (mut acknowledged, mut open, mut lapsed, mut changed) = (0, 0, 0, 0);
        for finding in &report.findings {
            let key = finding.key.as_deref().unwrap_or("");
            let parts: Vec<&str> = key.split('/').collect();
            match finding.rule().as_str() {
                "residents/jump" => {
                    let (code, year) = (parts[1].as_bytes(), parts[2].parse::<usize>().unwrap());
                    let i = usize::from(code[0] - b'A') * 26 + usize::from(code[1] - b'A');
                    if (i + year) % 3 == 0 {
                        let reason = format!("Acknowledged {} {year}.", parts[1]);
                        assert_eq!(finding.acknowledged.as_deref(), Some(&*reason), "{key}");
                        acknowledged += 1;
                    } else {
                        assert_eq!(finding.acknowledged, None, "{key}");
                        open += 1;
                    }
                }
                // The exception's own key: `residents/jump/residents.csv/NO/AA/1917/count`.
                "exception/stale" if parts[5] == "1916" => {
                    assert!(finding.message.starts_with("no `residents/jump` finding at residents.csv"), "{key}");
                    lapsed += 1;
                }
                "exception/stale" => {
                    let now = if parts[5].parse::<usize>().unwrap() % 2 == 0 { 100 } else { 1000 };
                    let message = format!("the exception is for the value `7`, but the cell now holds `{now}`");
                    assert_eq!(finding.message, message, "{key}");
                    changed += 1;
                }
                // The synthetic codes (`AA`, `AB`, …) are not ISO 3166-1 countries; that
                // rule's findings are about the codes, not about exceptions.
                "country/iso-code" => {}
                other => panic!("unexpected `{other}` finding: {}", finding.message),
            }
        }
        assert_eq!(acknowledged, remainder(0));
        assert_eq!(changed, remainder(1));
        // Beyond `ingest::MAX_LISTED` open findings of the rule are counted, not listed.
        let unlisted: usize =
            report.unlisted.iter().filter(|u| u.rule.as_str() == "residents/jump").map(|u| u.count).sum();
        assert!(open <= ingest::MAX_LISTED, "{open}");
        assert_eq!(open + unlisted, remainder(1) + remainder(2));
        assert_eq!(lapsed, codes);
        assert_eq!(report.summary.acknowledged, acknowledged);
    }
}
