//! A warning for a visit or a bilateral fact dated before diplomatic relations with that
//! country were established.
//!
//! It happens (a royal visit can precede formal relations), but far more often it is a typo
//! in a year. The establishment date is the `start` of the country's `diplomatic_relations`
//! row in `relations.csv`; a visit is checked against those of its host and its guest. Only a
//! certain "before" counts: a visit in `1976` is not before relations established in `1976`.
//!
//! Failing (relations with KH were established in 1976):
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! khno-1966-1,KH,NO,1966-10,,,false,no-kh-2013
//! ```
//!
//! Passing:
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! khno-2004-1,KH,NO,2004-10,,,false,no-kh-2013
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Dataset, Row};
use model::{Certainty, CountryCode, PartialDate, Relation, RelationKind, TableId, Visit};
use rayon::prelude::*;

use crate::engine::{Context, Map, Rule};

/// See the module documentation.
pub(crate) static BEFORE_RELATIONS: Rule = Rule {
    id: RuleId::new("date/before-relations"),
    emits: &[],
    severity: Severity::Warning,
    acknowledgeable: true,
    reads: &[TableId::Relations, TableId::Visits],
    source: include_str!("date_before_relations.rs"),
    check,
    watch: None,
};

/// Whether a visit's date is before diplomatic relations with its host or guest: this rule's
/// finding, which rules that compare the date with something else defer to.
pub(crate) fn visit_before_relations<'d>(data: &'d Dataset<'_>) -> impl Fn(&Visit<'_>) -> bool + Sync + 'd {
    let mut established: Map<CountryCode, PartialDate> = Map::default();
    for row in &data.relations.rows {
        if let (RelationKind::DiplomaticRelations, Some(start)) = (row.record.kind, row.record.start) {
            established.entry(row.record.country).or_insert(start);
        }
    }
    move |visit| {
        [visit.host, visit.guest].iter().any(|country| {
            established.get(country).is_some_and(|start| visit.date.days().compare(start.days()) == Certainty::Before)
        })
    }
}

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let data = context.data;
    let mut established: Map<CountryCode, (PartialDate, &Row<Relation<'_>>)> = Map::default();
    for row in &data.relations.rows {
        if let (RelationKind::DiplomaticRelations, Some(start)) = (row.record.kind, row.record.start) {
            established.entry(row.record.country).or_insert((start, row));
        }
    }
    if established.is_empty() {
        return Vec::new();
    }
    let before = |days: model::DayRange, country: CountryCode| {
        established.get(&country).filter(|(start, _)| days.compare(start.days()) == Certainty::Before)
    };
    let note = |finding: &mut Diagnostic, country: CountryCode, start: PartialDate, row: &Row<Relation<'_>>| {
        finding.help = Some(format!(
            "diplomatic relations with {country} date from {start}; check the year (a visit before relations is possible, but rare)"
        ));
        finding.related.push(context.related(
            &data.relations,
            row.pos,
            Some("start"),
            format!("relations with {country} established"),
        ));
    };
    let mut findings: Vec<Diagnostic> = data
        .visits
        .rows
        .par_iter()
        .flat_map_iter(|row| {
            let visit = &row.record;
            let mut out = Vec::new();
            for country in [visit.host, visit.guest] {
                if let Some((start, relation)) = before(visit.date.days(), country) {
                    let message =
                        format!("visit dated {} is before diplomatic relations with {country} ({start})", visit.date);
                    let mut finding = context.finding(&BEFORE_RELATIONS, &data.visits, row, "date", message, None);
                    note(&mut finding, country, *start, relation);
                    out.push(finding);
                }
            }
            out
        })
        .collect();
    findings.extend(
        data.relations
            .rows
            .par_iter()
            .filter_map(|row| {
                let relation = &row.record;
                let start = relation.start.filter(|_| relation.kind != RelationKind::DiplomaticRelations)?;
                let (established_on, established_row) = before(start.days(), relation.country)?;
                let message = format!(
                    "`{}` fact dated {start} is before diplomatic relations with {} ({established_on})",
                    relation.kind, relation.country
                );
                let mut finding = context.finding(&BEFORE_RELATIONS, &data.relations, row, "start", message, None);
                note(&mut finding, relation.country, *established_on, established_row);
                Some(finding)
            })
            .collect::<Vec<_>>(),
    );
    findings
}
