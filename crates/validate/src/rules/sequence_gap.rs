//! Numbers that count rows run 1, 2, 3, … without a gap within their group: `seq` within a
//! visit's participants, `rank` within a trade flow's commodity lines, the `n` of visit ids
//! (`jpno-1997-<n>`) within a host, guest and year, and the `n` of relation ids
//! (`kh-rel-<n>`) within a partner.
//!
//! These numbers keep the source's order, and a gap means a row was lost or a number
//! mistyped: participants 1, 2, 4 hide a third person, commodity ranks 1, 2, 4 a line of the
//! source's list. The finding is on the first row after the gap, naming the missing numbers.
//! A repeated number is a repeated key, which `key/duplicate` reports; when repeats could
//! fill the gap (1, 2, 2, 4 is likely 1, 2, 3, 4 with a typo), this rule stays silent, so that
//! one mistake makes one finding. A number of 0 is `field/range`'s: its group is not judged.
//! An id that breaks its convention or disagrees with its row is `id/convention`'s, and the
//! numbers of its table's ids are then not judged, since the row may belong in another group.
//! Nor is a table with a rejected row, which may hold the missing number.
//!
//! Failing (participant 2 of `jpno-1998-1` is missing):
//!
//! ```csv
//! visit,seq,title,name,note
//! jpno-1998-1,1,Statsminister,Bondevik,
//! jpno-1998-1,3,fiskeriminister,Angelsen,
//! ```
//!
//! Passing:
//!
//! ```csv
//! visit,seq,title,name,note
//! jpno-1998-1,1,Statsminister,Bondevik,
//! jpno-1998-1,2,kulturminister,Lahnstein,
//! jpno-1998-1,3,fiskeriminister,Angelsen,
//! ```

use std::hash::Hash;

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Row, Table};
use model::{Record, TableId, TradeCommodity};

use crate::engine::{Context, FlowKey, Map, Rule, Set, Watch, flow_of};
use crate::rules::id_convention::{Countries, relation_id, relation_id_agrees, visit_id, visit_id_agrees};

/// See the module documentation.
pub(crate) static GAP: Rule = Rule {
    id: RuleId::new("sequence/gap"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: false,
    reads: &[TableId::Relations, TableId::Visits, TableId::VisitParticipants, TableId::TradeCommodities],
    source: include_str!("sequence_gap.rs"),
    check,
    watch: Some(&Ranks),
};

/// What a sequence is, for messages.
struct Sequence {
    /// The column that holds the number.
    column: &'static str,
    /// How to renumber, for the help.
    help: &'static str,
}

const SEQ: Sequence = Sequence {
    column: "seq",
    help: "number a visit's participants 1, 2, 3, … in the source's order: renumber the rows from here, or add the \
           missing participant",
};
const RANK: Sequence = Sequence {
    column: "rank",
    help: "rank a flow's commodity lines 1, 2, 3, … in the source's order: renumber the lines from here, or add the \
           missing line",
};
const VISIT_ID: Sequence = Sequence {
    column: "id",
    help: "number the visits of one host, guest and year 1, 2, 3, … in the source's order: rename the visits from \
           here (and their rows in visit_participants.csv), or add the missing visit",
};
const RELATION_ID: Sequence = Sequence {
    column: "id",
    help: "number a partner's relations 1, 2, 3, …: rename the relations from here, or add the missing one",
};

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let data = context.data;
    let mut findings = Vec::new();
    if data.visit_participants.is_complete() {
        let numbered = data.visit_participants.rows.iter().map(|row| {
            let visit = &*row.record.visit;
            (visit, u32::from(row.record.seq), row)
        });
        findings.extend(gaps(context, &data.visit_participants, &SEQ, numbered, |visit| {
            format!("the `seq` numbers of visit `{visit}`")
        }));
    }
    // An id that breaks its convention or disagrees with its row is `id/convention`'s, and the
    // gap it leaves in its numbers is a consequence: such a table's id numbers are not judged.
    let countries = Countries::of(data);
    let visit_ids: Option<Vec<_>> = data
        .visits
        .rows
        .iter()
        .map(|row| {
            let id = visit_id(&row.record.id).filter(|_| visit_id_agrees(&row.record, &countries))?;
            Some(((id.pair, id.year), id.number, row))
        })
        .collect();
    if let Some(numbered) = visit_ids.filter(|_| data.visits.is_complete()) {
        findings.extend(gaps(context, &data.visits, &VISIT_ID, numbered.into_iter(), |(pair, year)| {
            format!("the numbers of the visit ids `{pair}-{year}-…`")
        }));
    }
    let relation_ids: Option<Vec<_>> = data
        .relations
        .rows
        .iter()
        .map(|row| {
            let (partner, number) =
                relation_id(&row.record.id).filter(|_| relation_id_agrees(&row.record, &countries))?;
            Some((partner, number, row))
        })
        .collect();
    if let Some(numbered) = relation_ids.filter(|_| data.relations.is_complete()) {
        findings.extend(gaps(context, &data.relations, &RELATION_ID, numbered.into_iter(), |partner| {
            format!("the numbers of the relation ids `{partner}-rel-…`")
        }));
    }
    findings
}

/// The ranks of the streamed commodity lines, by flow ([`super::FlowRanks`]: where they start
/// and end while they count up by one). A flow whose ranks have a gap is read again from the
/// file, to name the line after the gap.
#[derive(Debug)]
struct Ranks;

impl Watch for Ranks {
    type Seen = super::RanksByFlow;

    fn look<'a>(
        &self,
        _: &Context<'_, 'a>,
        _: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        ranks: &mut Self::Seen,
        _: &mut Vec<Diagnostic>,
    ) {
        super::keep_ranks(rows, ranks);
    }

    fn join(&self, ranks: &mut Self::Seen, later: Self::Seen) {
        super::join_ranks(ranks, later);
    }

    fn conclude(&self, context: &Context<'_, '_>, ranks: Self::Seen) -> Vec<Diagnostic> {
        let table = &context.data.trade_commodities;
        if !table.is_complete() {
            return Vec::new();
        }
        let gapped: Set<FlowKey> = super::ranks_by_flow(ranks)
            .into_iter()
            .filter_map(|(flow, ranks)| has_gap(ranks.summary()).then_some(flow))
            .collect();
        if gapped.is_empty() {
            return Vec::new();
        }
        table
            .pick(
                |line| gapped.contains(&flow_of(line)),
                |picked| {
                    let numbered =
                        picked.rows.iter().map(|row| (flow_of(&row.record), u32::from(row.record.rank), row));
                    gaps(context, picked, &RANK, numbered, |(reporter, partner, year, flow)| {
                        format!("the `rank` numbers of the {flow} flow {reporter} → {partner} in {year}")
                    })
                },
            )
            .unwrap_or_else(|unreadable| vec![*unreadable])
    }
}

/// Whether a group whose numbers are summed up so gets a finding from [`gaps`], which decides
/// it the same way.
fn has_gap(ranks: super::RankSummary) -> bool {
    if ranks.lines == 0 || ranks.lowest == 0 {
        return false;
    }
    let repeats = ranks.lines - ranks.distinct;
    let missing = usize::from(ranks.highest) - ranks.distinct;
    missing > 0 && missing > repeats
}

/// The gaps of every group: at most one finding per group, on the first row after its first gap.
fn gaps<'t, 'a: 't, K: Hash + Eq, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &'t Table<'a, R>,
    sequence: &Sequence,
    numbered: impl Iterator<Item = (K, u32, &'t Row<R>)>,
    group_name: impl Fn(&K) -> String,
) -> Vec<Diagnostic> {
    let mut groups: Map<K, Vec<(u32, &'t Row<R>)>> = Map::default();
    for (key, number, row) in numbered {
        groups.entry(key).or_default().push((number, row));
    }
    let mut findings = Vec::new();
    for (key, mut members) in groups {
        members.sort_by_key(|(number, row)| (*number, row.pos));
        if members.first().is_some_and(|(number, _)| *number == 0) {
            continue;
        }
        let mut numbers: Vec<u32> = members.iter().map(|(number, _)| *number).collect();
        numbers.dedup();
        let repeats = members.len() - numbers.len();
        let highest = numbers.last().copied().unwrap_or(0);
        let missing = usize::try_from(highest).unwrap_or(usize::MAX) - numbers.len();
        if missing == 0 || missing <= repeats {
            continue;
        }
        // The first missing number is the first place where the numbers stop counting by one.
        let first_missing = numbers.iter().zip(1..).find(|(number, expected)| **number != *expected).map(|(_, e)| e);
        let Some(first_missing) = first_missing else { continue };
        let Some((_, after)) = members.iter().find(|(number, _)| *number > first_missing) else { continue };
        let absent = absent_numbers(&numbers);
        let message = format!("{} skip {absent}: they run {}", group_name(&key), runs(&numbers));
        findings.push(context.finding(&GAP, table, after, sequence.column, message, Some(sequence.help.to_owned())));
    }
    findings
}

/// At most this many runs of numbers are listed in a message.
const MAX_RUNS: usize = 6;

/// Sorted distinct numbers as runs: `1–2, 4, 6–9`.
fn runs(numbers: &[u32]) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &number in numbers {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == number => *last = number,
            _ => runs.push((number, number)),
        }
    }
    show_runs(&runs)
}

/// The numbers from 1 to the highest that sorted distinct `numbers` lack, as runs.
fn absent_numbers(numbers: &[u32]) -> String {
    let mut gaps = Vec::new();
    let mut expected = 1;
    for &number in numbers {
        if number > expected {
            gaps.push((expected, number - 1));
        }
        expected = number + 1;
    }
    show_runs(&gaps)
}

fn show_runs(runs: &[(u32, u32)]) -> String {
    let mut shown: Vec<String> = runs
        .iter()
        .take(MAX_RUNS)
        .map(|&(first, last)| if first == last { first.to_string() } else { format!("{first}–{last}") })
        .collect();
    if runs.len() > MAX_RUNS {
        shown.push("…".to_owned());
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_numbers_and_gaps_as_runs() {
        assert_eq!(runs(&[1, 2, 4, 6, 7, 8]), "1–2, 4, 6–8");
        assert_eq!(absent_numbers(&[1, 2, 4, 6, 7, 8]), "3, 5");
        assert_eq!(absent_numbers(&[3, 4, 9]), "1–2, 5–8");
        assert_eq!(absent_numbers(&[1, 1_000_000]), "2–999999");
        assert_eq!(runs(&[1, 3, 5, 7, 9, 11, 13]), "1, 3, 5, 7, 9, 11, …");
    }
}
