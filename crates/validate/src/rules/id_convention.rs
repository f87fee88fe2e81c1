//! Every id is written as the data dictionary's conventions say, and says what its row says.
//!
//! A visit's id is `<host><guest>-<year>-<n>` (`jpno-1997-1`: host JP, guest NO, 1997), a
//! relation's `<partner>-rel-<n>` (`kh-rel-3`: partner KH), codes in lower case and `n` a whole
//! number from 1 without leading zeros. Ids are read by people long before any tool: an id
//! that says `nojp` on a row whose host is JP, or `1998` on a visit dated 1997, sends a reader
//! to the wrong visit, and usually means that the id or the row was copied and only half
//! edited. The year of a visit is the year its date (or, for an interval, its start) falls in.
//!
//! The finding is on the id, naming every part that disagrees with the row and the prefix the
//! row calls for; whether the id or the row is wrong is for the editor to tell. The id is not
//! compared with a cell that another rule already finds wrong, so that one mistake makes one
//! finding: a visit whose host is its guest (`field/coherence`), a code that names no country
//! of `countries.csv` (`key/reference`), a date after its source or before diplomatic
//! relations (`date/after-source`, `date/before-relations`). Source ids follow
//! `no-<partner>-<year>` by habit only, since a source may cover several partners; they are
//! not checked. Whether the numbers `n` run 1, 2, 3 without gaps is `sequence/gap`'s.
//!
//! Failing (the host and guest are the wrong way round, and the date is in 1997):
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! nojp-1998-1,JP,NO,1997-04,,,false,no-jp-2015
//! ```
//!
//! Passing:
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! jpno-1997-1,JP,NO,1997-04,,,false,no-jp-2015
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::Dataset;
use model::{CountryCode, Relation, TableId, Visit};
use rayon::prelude::*;

use crate::engine::{Context, Rule, Set};
use crate::rules::date_after_source::visit_after_source;
use crate::rules::date_before_relations::visit_before_relations;

/// See the module documentation.
pub(crate) static CONVENTION: Rule = Rule {
    id: RuleId::new("id/convention"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: false,
    reads: &[TableId::Countries, TableId::Relations, TableId::Visits],
    source: include_str!("id_convention.rs"),
    check,
    watch: None,
};

/// A visit id's parts: `jpno-1997-1` is (`jpno`, 1997, 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct VisitId<'i> {
    /// Host and guest, lower case.
    pub(crate) pair: &'i str,
    pub(crate) year: u16,
    pub(crate) number: u32,
}

/// A visit id's parts, if it has the convention's shape.
pub(crate) fn visit_id(id: &str) -> Option<VisitId<'_>> {
    let mut parts = id.split('-');
    let (pair, year, number) = (parts.next()?, parts.next()?, parts.next()?);
    let pair_ok = pair.len() == 4 && pair.bytes().all(|b| b.is_ascii_lowercase());
    let year_ok = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !pair_ok || !year_ok {
        return None;
    }
    Some(VisitId { pair, year: year.parse().ok()?, number: sequence_number(number)? })
}

/// A relation id's partner and number: `kh-rel-3` is (`kh`, 3), if it has the convention's shape.
pub(crate) fn relation_id(id: &str) -> Option<(&str, u32)> {
    let mut parts = id.split('-');
    let (partner, rel, number) = (parts.next()?, parts.next()?, parts.next()?);
    let partner_ok = partner.len() == 2 && partner.bytes().all(|b| b.is_ascii_lowercase());
    if parts.next().is_some() || !partner_ok || rel != "rel" {
        return None;
    }
    Some((partner, sequence_number(number)?))
}

/// A whole number from 1, written without leading zeros.
fn sequence_number(text: &str) -> Option<u32> {
    let canonical = !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
    if !canonical || text.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

fn lower(code: CountryCode) -> String {
    code.as_str().to_ascii_lowercase()
}

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let data = context.data;
    let countries = Countries::of(data);
    let after_source = visit_after_source(context);
    let before_relations = visit_before_relations(data);
    let mut findings: Vec<Diagnostic> = data
        .visits
        .rows
        .par_iter()
        .filter_map(|row| {
            let date_judged = after_source(&row.record) || before_relations(&row.record);
            let (message, help) = visit_problem(&row.record, &countries, date_judged)?;
            Some(context.finding(&CONVENTION, &data.visits, row, "id", message, Some(help)))
        })
        .collect();
    findings.par_extend(data.relations.rows.par_iter().filter_map(|row| {
        let (message, help) = relation_problem(&row.record, &countries)?;
        Some(context.finding(&CONVENTION, &data.relations, row, "id", message, Some(help)))
    }));
    findings
}

/// The codes of `countries.csv`: an id is compared only with codes that name a country, since
/// a code that names none is `key/reference`'s finding, and the id's disagreement with it a
/// consequence.
pub(crate) struct Countries(Set<CountryCode>);

impl Countries {
    pub(crate) fn of(data: &Dataset<'_>) -> Countries {
        Countries(data.countries.rows.iter().map(|row| row.record.code).collect())
    }

    fn known(&self, codes: &[CountryCode]) -> bool {
        codes.iter().all(|code| self.0.contains(code))
    }
}

/// Whether a visit's id follows the convention and agrees with its row.
pub(crate) fn visit_id_agrees(visit: &Visit<'_>, countries: &Countries) -> bool {
    visit_problem(visit, countries, false).is_none()
}

/// Whether a relation's id follows the convention and agrees with its row.
pub(crate) fn relation_id_agrees(relation: &Relation<'_>, countries: &Countries) -> bool {
    relation_problem(relation, countries).is_none()
}

/// The message and help of a visit whose id breaks the convention or disagrees with its row.
/// The year is not compared with a date that a date rule finds wrong (`date_judged`).
fn visit_problem(visit: &Visit<'_>, countries: &Countries, date_judged: bool) -> Option<(String, String)> {
    if visit.host == visit.guest {
        return None;
    }
    let codes_known = countries.known(&[visit.host, visit.guest]);
    let (host, guest) = (visit.host, visit.guest);
    let (pair, year) = (format!("{}{}", lower(host), lower(guest)), visit.date.start().year());
    let prefix = format!("{pair}-{year}-");
    let Some(id) = visit_id(&visit.id) else {
        let message = format!("the visit id `{}` is not written `<host><guest>-<year>-<n>`", visit.id);
        let help = format!(
            "this visit (host {host}, guest {guest}, {year}) has an id `{prefix}<n>`, with `n` counting 1, 2, 3 \
             within that host, guest and year in the source's order; rename its rows in visit_participants.csv too"
        );
        return Some((message, help));
    };
    let mut disagreements = Vec::new();
    if id.pair != pair && codes_known {
        let reversed = format!("{}{}", lower(guest), lower(host));
        disagreements.push(if id.pair == reversed {
            format!("it has host and guest the wrong way round (host {host} and guest {guest} make `{pair}`)")
        } else {
            format!("it says `{}` where host {host} and guest {guest} make `{pair}`", id.pair)
        });
    }
    if id.year != year && !date_judged {
        disagreements.push(format!("it says {} where the date {} is in {year}", id.year, visit.date));
    }
    if disagreements.is_empty() {
        return None;
    }
    let message = format!("the visit id `{}` does not match its row: {}", visit.id, disagreements.join("; "));
    let help = format!(
        "the row calls for an id `{prefix}<n>`: rename the visit (and its rows in visit_participants.csv), or \
         correct the host, guest or date if they are what is wrong"
    );
    Some((message, help))
}

/// The message and help of a relation whose id breaks the convention or names another partner.
fn relation_problem(relation: &Relation<'_>, countries: &Countries) -> Option<(String, String)> {
    let partner = lower(relation.country);
    let message = match relation_id(&relation.id) {
        Some((said, _)) if said == partner || !countries.known(&[relation.country]) => return None,
        Some((said, _)) => format!(
            "the relation id `{}` says partner `{said}`, but the row's country is {}",
            relation.id, relation.country
        ),
        None => format!("the relation id `{}` is not written `<partner>-rel-<n>`", relation.id),
    };
    let help = format!(
        "a relation of {} has an id `{partner}-rel-<n>`, continuing that partner's numbers; rename it, or correct \
         `country` if that is what is wrong",
        relation.country
    );
    Some((message, help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_parts_of_well_formed_ids_only() {
        assert_eq!(visit_id("jpno-1997-12"), Some(VisitId { pair: "jpno", year: 1997, number: 12 }));
        for bad in ["jpno-1997-0", "jpno-1997-01", "jpno-97-1", "jpn-1997-1", "jpno-1997-1-2", "JPNO-1997-1", "jpno"] {
            assert_eq!(visit_id(bad), None, "{bad}");
        }
        assert_eq!(relation_id("kh-rel-11"), Some(("kh", 11)));
        for bad in ["kh-rel-0", "kh-relation-1", "khm-rel-1", "kh-rel", "kh-rel-1-a"] {
            assert_eq!(relation_id(bad), None, "{bad}");
        }
    }
}
