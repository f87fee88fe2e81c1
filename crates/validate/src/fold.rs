//! Folds consequences into their causes, so that one mistake is one finding.
//!
//! Two shapes of cascade are folded:
//!
//! - **One missing key, many references.** When rows refer to a key that no row defines, the
//!   references are one finding. If the referred table has a row whose key is itself reported
//!   (not a valid code, used by nothing) and is the nearest to the missing one, that row is
//!   the likely cause (`JP` typed `JN` where it is defined): the references fold into its
//!   finding. Otherwise they fold into the first reference. Either way no help goes on
//!   suggesting the mistyped key to every referring row.
//! - **Several findings on one cell.** A value outside its column's allowed range (`field/*`)
//!   also breaks the arithmetic of the rules that read it (a share of 139 %); the range
//!   finding is the cause. A `cell/formula` warning is not folded: a spreadsheet would run the
//!   cell whatever else is wrong with it, and correcting the format may leave the formula.
//!
//! A folded finding is not lost: it is listed in its cause's [`Diagnostic::consequences`]
//! (every one in JSON, a compact list in the help).

use diagnostic::{Consequence, Diagnostic, RuleId, Severity};
use model::TableId;

use crate::engine::Map;
use crate::rules::cell_formula::FORMULA;

/// How many places of consequences the help lists before it counts the rest.
const PLACES_IN_HELP: usize = 12;

/// Folds `findings` (sorted) and returns them, still sorted.
pub(crate) fn fold(findings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut findings: Vec<Option<Diagnostic>> = findings.into_iter().map(Some).collect();
    same_cell(&mut findings);
    missing_keys(&mut findings);
    let mut kept: Vec<Diagnostic> = findings.into_iter().flatten().collect();
    for finding in &mut kept {
        describe_consequences(finding);
    }
    kept
}

/// Whether `finding` is a value outside its column's allowed range, which the other findings
/// on its cell are consequences of.
pub(crate) fn is_range_cause(finding: &Diagnostic) -> bool {
    is_range_cause_id(finding.rule())
}

/// Whether `finding`, on a cell with a range cause, is folded into it: all but other range
/// causes and `cell/formula` warnings (a spreadsheet runs a formula whatever else is wrong).
pub(crate) fn is_consequence(finding: &Diagnostic) -> bool {
    !is_range_cause(finding) && finding.rule() != FORMULA.id
}

/// Whether findings with this id are range causes ([`is_range_cause`]).
pub(crate) fn is_range_cause_id(id: RuleId) -> bool {
    id.as_str().starts_with("field/")
}

fn consequence(finding: &Diagnostic) -> Consequence {
    Consequence { rule: finding.rule(), file: finding.file.clone(), line: finding.line, column: finding.column.clone() }
}

/// Moves `from` into the consequences of `into`.
fn absorb(findings: &mut [Option<Diagnostic>], into: usize, from: usize) {
    let Some(folded) = findings[from].take() else { return };
    if let Some(cause) = findings[into].as_mut() {
        cause.consequences.push(consequence(&folded));
        cause.consequences.extend(folded.consequences);
    }
}

fn same_cell(findings: &mut [Option<Diagnostic>]) {
    let mut cells: Map<(&str, usize, usize), Vec<usize>> = Map::default();
    for (index, finding) in findings.iter().enumerate() {
        if let Some(finding) = finding
            && let Some(span) = &finding.span
        {
            cells.entry((finding.file.as_str(), span.start, span.end)).or_default().push(index);
        }
    }
    let mut moves = Vec::new();
    for (_, indices) in cells {
        if indices.len() < 2 {
            continue;
        }
        let is_cause = |i: &usize| findings[*i].as_ref().is_some_and(is_range_cause);
        let is_consequence = |i: &usize| findings[*i].as_ref().is_some_and(is_consequence);
        let Some(&cause) = indices.iter().find(|i| is_cause(i)) else { continue };
        moves.extend(indices.iter().filter(|i| is_consequence(i)).map(|&i| (cause, i)));
    }
    for (into, from) in moves {
        absorb(findings, into, from);
    }
}

fn missing_keys(findings: &mut [Option<Diagnostic>]) {
    let mut groups: Map<(TableId, String), Vec<usize>> = Map::default();
    for (index, finding) in findings.iter().enumerate() {
        if let Some(Some(missing)) = finding.as_ref().map(|f| f.missing_key.clone()) {
            groups.entry(missing).or_default().push(index);
        }
    }
    let mut groups: Vec<((TableId, String), Vec<usize>)> = groups.into_iter().collect();
    groups.sort_by_key(|(_, indices)| indices[0]);
    for ((table, key), indices) in groups {
        let (cause, reported) = match likely_cause(findings, table, &key) {
            // The nearest key is in error itself: that row is the cause.
            Some((cause, Severity::Error)) => (Some(cause), None),
            // It is only warned about (a visit with no participants): the references stay
            // the error, and the warning is the same mistake seen from the other side.
            Some((warned, Severity::Warning)) => (None, Some(warned)),
            None => (None, None),
        };
        let (into, rest) = match cause {
            Some(cause) => (cause, &indices[..]),
            None => (indices[0], &indices[1..]),
        };
        let count = indices.len();
        for &from in rest {
            absorb(findings, into, from);
        }
        let near = reported.and_then(|warned| {
            let warned_key = findings[warned].as_ref()?.value.clone()?;
            absorb(findings, into, warned);
            Some(warned_key)
        });
        let Some(finding) = findings[into].as_mut() else { continue };
        if cause.is_some() {
            let rows = if count == 1 { "1 row refers".to_owned() } else { format!("{count} rows refer") };
            finding.message.push_str(&format!("; {rows} to `{key}`, which no row of {table} defines"));
            let advice = format!("if this key should be `{key}`, correcting it here resolves the references");
            finding.help = Some(match finding.help.take() {
                Some(help) => format!("{help}\n{advice}"),
                None => advice,
            });
            continue;
        }
        if count > 1 {
            let more = count - 1;
            let rows = if more == 1 { "1 more row refers".to_owned() } else { format!("{more} more rows refer") };
            finding.message.push_str(&format!(" ({rows} to it)"));
        }
        if let Some(near) = near {
            finding.help =
                Some(format!("did you mean `{near}`? its row in {table} is reported too, as nothing refers to it"));
        }
    }
}

/// The finding on a key cell of `table` whose key is the nearest to `missing` and is itself
/// reported: the row where the key was probably mistyped, with its severity. Errors before
/// warnings.
fn likely_cause(findings: &[Option<Diagnostic>], table: TableId, missing: &str) -> Option<(usize, Severity)> {
    let key_column = *table.def().key.first()?;
    if table.def().key.len() != 1 {
        return None;
    }
    let candidates: Vec<(usize, &Diagnostic)> = findings
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((i, f.as_ref()?)))
        .filter(|(_, f)| f.table == Some(table) && f.column.as_deref() == Some(key_column) && f.missing_key.is_none())
        .collect();
    let keys: Vec<&str> = candidates.iter().filter_map(|(_, f)| f.value.as_deref()).collect();
    let nearest = model::closest(missing, keys.iter().copied())?;
    candidates
        .iter()
        .filter(|(_, f)| f.value.as_deref() == Some(nearest.as_str()))
        .min_by_key(|(_, f)| f.severity != Severity::Error)
        .map(|(i, f)| (*i, f.severity))
}

/// Describes the consequences in the help: those on the finding's own cell by their rules
/// ("the same cell also fails `trade/commodity-share`"), the others by their places,
/// compactly (`visits.csv:3, 7; trade.csv:2`).
fn describe_consequences(finding: &mut Diagnostic) {
    if finding.consequences.is_empty() {
        return;
    }
    finding.consequences.sort_by(|a, b| (&a.file, a.line, a.rule).cmp(&(&b.file, b.line, b.rule)));
    let here = |c: &Consequence| c.file == finding.file && c.line == finding.line && c.column == finding.column;
    let mut lines = Vec::new();
    let mut rules: Vec<String> =
        finding.consequences.iter().filter(|c| here(c)).map(|c| format!("`{}`", c.rule)).collect();
    rules.dedup();
    if !rules.is_empty() {
        lines.push(format!("the same cell also fails {}", rules.join(" and ")));
    }
    let elsewhere: Vec<&Consequence> = finding.consequences.iter().filter(|c| !here(c)).collect();
    if !elsewhere.is_empty() {
        let mut text = String::from("also at ");
        let mut current: Option<&str> = None;
        for (shown, place) in elsewhere.iter().enumerate() {
            if shown == PLACES_IN_HELP {
                text.push_str(&format!(" and {} more", elsewhere.len() - PLACES_IN_HELP));
                break;
            }
            let name = place.file.rsplit('/').next().unwrap_or(&place.file);
            if current == Some(name) {
                text.push_str(&format!(", {}", place.line));
            } else {
                if current.is_some() {
                    text.push_str("; ");
                }
                text.push_str(&format!("{name}:{}", place.line));
                current = Some(name);
            }
        }
        lines.push(text);
    }
    let text = lines.join("\n");
    finding.help = Some(match finding.help.take() {
        Some(help) => format!("{help}\n{text}"),
        None => text,
    });
}

#[cfg(test)]
mod tests {
    use diagnostic::RuleId;

    use super::*;

    fn reference(file: &str, line: u32, key: &str) -> Diagnostic {
        let mut d = Diagnostic::new(RuleId::new("key/reference"), Severity::Error, file, format!("`x` is `{key}`"));
        d.line = line;
        d.missing_key = Some((TableId::Countries, key.to_owned()));
        d.help = Some(format!("did you mean `{key}`?"));
        d
    }

    #[test]
    fn references_to_one_missing_key_are_one_finding() {
        let found = fold(vec![
            reference("data/visits.csv", 3, "JP"),
            reference("data/visits.csv", 7, "JP"),
            reference("data/trade.csv", 2, "JP"),
            reference("data/trade.csv", 4, "KH"),
        ]);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].consequences.len(), 2);
        assert!(found[0].message.ends_with("(2 more rows refer to it)"), "{}", found[0].message);
        assert!(found[0].help.as_deref().unwrap().ends_with("also at trade.csv:2; visits.csv:7"));
        assert!(found[1].consequences.is_empty());
    }

    #[test]
    fn a_reported_key_near_the_missing_one_is_the_cause() {
        let mut typo = Diagnostic::new(RuleId::new("country/code"), Severity::Error, "data/countries.csv", "bad");
        typo.table = Some(TableId::Countries);
        typo.column = Some("code".to_owned());
        typo.value = Some("JN".to_owned());
        typo.line = 4;
        let found = fold(vec![typo, reference("data/visits.csv", 3, "JP"), reference("data/visits.csv", 9, "JP")]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, "data/countries.csv");
        assert_eq!(found[0].consequences.len(), 2);
        assert!(found[0].message.contains("2 rows refer to `JP`"), "{}", found[0].message);
    }

    #[test]
    fn a_range_finding_absorbs_the_rules_that_read_its_cell() {
        let mut range = Diagnostic::new(RuleId::new("field/range"), Severity::Error, "data/t.csv", "over 100");
        range.span = Some(10..13);
        let mut share = Diagnostic::new(RuleId::new("trade/commodity-share"), Severity::Error, "data/t.csv", "no");
        share.span = Some(10..13);
        let found = fold(vec![range, share]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule().as_str(), "field/range");
        assert_eq!(found[0].consequences[0].rule.as_str(), "trade/commodity-share");
        assert_eq!(found[0].help.as_deref(), Some("the same cell also fails `trade/commodity-share`"));
    }
}
