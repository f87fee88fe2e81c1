//! The rules, one per file. A new rule is a file here and a line in [`ALL`].

pub(crate) mod cell_formula;
mod country_iso_code;
mod country_unused;
mod date_after_source;
mod date_before_relations;
mod date_interval_order;
pub(crate) mod exception_stale;
mod field;
mod file_stray;
mod id_convention;
mod key_duplicate;
mod key_reference;
mod residents_jump;
mod sequence_gap;
mod source_unused;
mod trade_commodity_share;
mod trade_parts_exceed_total;
mod trade_reporter_total;
mod visit_no_participants;

use diagnostic::{Diagnostic, RuleId};
use ingest::{Row, Table, TableVisitor};
use model::{Record, TradeCommodity};

use crate::engine::{Context, Rule, Watch};

/// Every rule, in the order `docs/rules.md` lists them.
pub static ALL: &[&Rule] = &[
    &field::FIELD,
    &key_duplicate::DUPLICATE,
    &key_reference::REFERENCE,
    &country_iso_code::ISO_CODE,
    &id_convention::CONVENTION,
    &sequence_gap::GAP,
    &date_interval_order::INTERVAL_ORDER,
    &date_after_source::AFTER_SOURCE,
    &date_before_relations::BEFORE_RELATIONS,
    &visit_no_participants::NO_PARTICIPANTS,
    &source_unused::UNUSED,
    &country_unused::UNUSED,
    &residents_jump::JUMP,
    &cell_formula::FORMULA,
    &file_stray::STRAY,
    &trade_commodity_share::COMMODITY_SHARE,
    &trade_parts_exceed_total::PARTS_EXCEED_TOTAL,
    &trade_reporter_total::REPORTER_TOTAL,
    &exception_stale::STALE,
];

/// Whether two short texts (ids, codes) are equal, compared in place: for a few bytes, a call
/// to the C library's `memcmp` costs more than the comparison, and so does a loop over the
/// bytes. Up to 16 bytes, two overlapping words from either end cover the text.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    match n {
        0 => true,
        1 => a[0] == b[0],
        2..=3 => ends_match::<2>(a, b),
        4..=7 => ends_match::<4>(a, b),
        8..=16 => ends_match::<8>(a, b),
        _ => a == b,
    }
}

/// Whether the first `N` and the last `N` bytes of `a` and `b`, of one length of at least `N`,
/// are equal: for a length up to `2 × N`, whether they are equal.
fn ends_match<const N: usize>(a: &[u8], b: &[u8]) -> bool {
    let word = |bytes: &[u8], at: usize| -> [u8; N] { bytes[at..at + N].try_into().unwrap_or([0; N]) };
    let last = a.len() - N;
    word(a, 0) == word(b, 0) && word(a, last) == word(b, last)
}

/// A rule's check of one table, whatever its record type; [`each_table`] runs it on every
/// held table, and [`EachRow`] on the streamed rows.
pub(crate) trait PerTable: Sync + std::fmt::Debug {
    /// The findings in `rows`, some or all of the rows of `table`.
    fn check<'a, R: Record<'a>>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, R>,
        rows: &[Row<R>],
    ) -> Vec<Diagnostic>;

    /// [`PerTable::check`], where a finding whose id is one of `placeholders` may be given as
    /// a [`Context::placeholder`] ([`EachRow`] makes those kept in full again); by default,
    /// every finding in full.
    fn check_giving_placeholders<'a, R: Record<'a>>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, R>,
        rows: &[Row<R>],
        placeholders: &[RuleId],
    ) -> Vec<Diagnostic> {
        let _ = placeholders;
        self.check(context, table, rows)
    }
}

/// Runs `check` on every held table of the dataset (all but [`ingest::STREAMED`], which
/// [`EachRow`] checks block by block) and collects the findings.
pub(crate) fn each_table(context: &Context<'_, '_>, check: &impl PerTable) -> Vec<Diagnostic> {
    struct Collect<'c, 'd, 'a, C> {
        context: &'c Context<'d, 'a>,
        check: &'c C,
        found: Vec<Diagnostic>,
    }
    impl<'a, C: PerTable> TableVisitor<'a> for Collect<'_, '_, 'a, C> {
        fn visit<R: Record<'a>>(&mut self, table: &Table<'a, R>) {
            if R::TABLE != ingest::STREAMED {
                self.found.extend(self.check.check(self.context, table, &table.rows));
            }
        }
    }
    let mut collect = Collect { context, check, found: Vec::new() };
    context.data.visit_tables(&mut collect);
    collect.found
}

/// The ranks of the streamed commodity lines by flow: what `key/duplicate` and `sequence/gap`
/// keep of them.
pub(crate) type RanksByFlow = crate::engine::PerFlow<FlowRanks>;

/// The ranks of one flow's lines, in the order they were read: while they count up by one,
/// only where they start and end; from the first line that breaks the count, every rank, two
/// bytes a line. A flow's lines are mostly written rank after rank, so most flows keep no
/// list however many lines they have, and what is concluded from them needs no sort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FlowRanks {
    /// Every rank from `first` to `last`, each once, in that order.
    Counting { first: u16, last: u16 },
    /// The ranks as read.
    Listed(Vec<u16>),
}

impl FlowRanks {
    /// The ranks of a flow whose first line read has `rank`.
    pub(crate) fn starting_at(rank: u16) -> FlowRanks {
        FlowRanks::Counting { first: rank, last: rank }
    }

    /// Adds the rank of the flow's next line.
    pub(crate) fn push(&mut self, rank: u16) {
        match self {
            FlowRanks::Counting { last, .. } if last.checked_add(1) == Some(rank) => *last = rank,
            FlowRanks::Counting { first, last } => {
                let mut listed: Vec<u16> = (*first..=*last).collect();
                listed.push(rank);
                *self = FlowRanks::Listed(listed);
            }
            FlowRanks::Listed(listed) => listed.push(rank),
        }
    }

    /// Adds the ranks of the flow's lines read after these.
    pub(crate) fn append(&mut self, later: FlowRanks) {
        match (&mut *self, later) {
            (FlowRanks::Counting { last, .. }, FlowRanks::Counting { first: next, last: later_last })
                if last.checked_add(1) == Some(next) =>
            {
                *last = later_last;
            }
            (FlowRanks::Listed(listed), FlowRanks::Listed(more)) => listed.extend(more),
            (FlowRanks::Listed(listed), FlowRanks::Counting { first, last }) => listed.extend(first..=last),
            (_, later) => {
                let mut listed = self.listed();
                listed.extend(later.listed());
                *self = FlowRanks::Listed(listed);
            }
        }
    }

    /// What the two rules conclude from: the lowest and highest rank, how many lines, and how
    /// many distinct ranks.
    pub(crate) fn summary(self) -> RankSummary {
        match self {
            FlowRanks::Counting { first, last } => {
                debug_assert!(first <= last, "a count goes up");
                let lines = usize::from(last - first) + 1;
                RankSummary { lowest: first, highest: last, lines, distinct: lines }
            }
            FlowRanks::Listed(mut listed) => {
                listed.sort_unstable();
                let lines = listed.len();
                let (lowest, highest) = (listed.first().copied().unwrap_or(0), listed.last().copied().unwrap_or(0));
                listed.dedup();
                RankSummary { lowest, highest, lines, distinct: listed.len() }
            }
        }
    }

    fn listed(&self) -> Vec<u16> {
        match self {
            FlowRanks::Counting { first, last } => (*first..=*last).collect(),
            FlowRanks::Listed(listed) => listed.clone(),
        }
    }
}

/// A flow's ranks summed up ([`FlowRanks::summary`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RankSummary {
    pub(crate) lowest: u16,
    pub(crate) highest: u16,
    pub(crate) lines: usize,
    pub(crate) distinct: usize,
}

/// Looks at `rows` (with `look`, which adds its findings to `found`) run by run of adjacent
/// rows that are `alike`: at the first row of a run, and at the others only when the first
/// has a finding. For a check whose outcome for a row follows from what `alike` compares,
/// the first row of a run speaks for the others: adjacent commodity lines mostly share their
/// flow, year and source.
pub(crate) fn look_by_runs<R>(
    rows: &[Row<R>],
    alike: impl FnMut(&Row<R>, &Row<R>) -> bool,
    found: &mut Vec<Diagnostic>,
    mut look: impl FnMut(&[Row<R>], &mut Vec<Diagnostic>),
) {
    for run in rows.chunk_by(alike) {
        let before = found.len();
        look(&run[..1], found);
        if found.len() > before {
            look(&run[1..], found);
        }
    }
}

/// Adds the ranks of `rows` to `ranks`, run by run of lines of one flow.
pub(crate) fn keep_ranks(rows: &[Row<TradeCommodity<'_>>], ranks: &mut RanksByFlow) {
    use crate::engine::{flow_of, runs};
    for (flow, run) in runs(rows, |row| flow_of(&row.record)) {
        let Some((first, others)) = run.split_first() else { continue };
        let mut kept = FlowRanks::starting_at(first.record.rank);
        others.iter().for_each(|row| kept.push(row.record.rank));
        ranks.push_run(flow, kept);
    }
}

/// Adds the ranks of a later block to those of the blocks before it.
pub(crate) fn join_ranks(ranks: &mut RanksByFlow, later: RanksByFlow) {
    ranks.join(later, FlowRanks::append);
}

/// The ranks of every flow.
pub(crate) fn ranks_by_flow(ranks: RanksByFlow) -> crate::engine::Map<crate::engine::FlowKey, FlowRanks> {
    ranks.into_flows(FlowRanks::append)
}

/// A [`PerTable`] check, whose findings are each about one row, run on the streamed rows as
/// they are read: it keeps nothing.
#[derive(Debug)]
pub(crate) struct EachRow<C>(pub(crate) C);

impl<C: PerTable> Watch for EachRow<C> {
    type Seen = ();

    fn look<'a>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        (): &mut (),
        found: &mut Vec<Diagnostic>,
    ) {
        found.extend(self.0.check_giving_placeholders(context, table, rows, &context.full.ids()));
    }

    fn complete<'a>(
        &self,
        rule: &Rule,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        found: &mut Vec<Diagnostic>,
    ) {
        // The row's findings made in full again, and of them the one the placeholder stands
        // for: its id, on its cell.
        crate::engine::complete_placeholders(rule, found, |placeholder| {
            let same = |f: &Diagnostic| {
                f.rule() == placeholder.rule() && f.column == placeholder.column && f.span == placeholder.span
            };
            let row = row_holding(rows, placeholder)?;
            self.0.check(context, table, std::slice::from_ref(row)).into_iter().find(same)
        });
    }
}

/// The row of `rows` (in file order) that holds the cell `finding` is on.
pub(crate) fn row_holding<'r, R>(rows: &'r [Row<R>], finding: &Diagnostic) -> Option<&'r Row<R>> {
    let start = finding.span.as_ref()?.start;
    rows[..rows.partition_point(|row| row.pos.offset as usize <= start)].last()
}

/// `docs/rules.md`: every rule id, its severity and its documentation.
pub fn markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Rules\n\n<!-- Generated by `cargo xtask docs` from the rule sources; a test fails when it is stale. -->\n\n\
         Every finding names one of these ids. `cargo xtask check` fails on an error, not on a warning. \
         An error that a source really contains is acknowledged in `data/exceptions.csv` (see the \
         `exception/stale` rule), where the rule says it can be; a convention of this dataset cannot be acknowledged.\n\n## Reading the files\n\nIngest reports these while reading the CSV files; \
         a row with one of them is left out of the consistency rules. They cannot be acknowledged in \
         `exceptions.csv`: the data must be fixed.\n\n| id | severity | checks |\n|---|---|---|\n",
    );
    for kind in ingest::ErrorKind::ALL {
        let _ = writeln!(out, "| `{}` | {} | {} |", kind.code(), kind.severity(), kind.summary());
    }
    out.push_str("\n## Consistency rules\n");
    for rule in ALL {
        let ids = rule.ids().iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ");
        let acknowledge = if rule.acknowledgeable { "can be acknowledged" } else { "cannot be acknowledged" };
        let _ = write!(
            out,
            "\n### `{}`\n\n*{}* · ids: {ids} · {acknowledge}\n\n{}\n",
            rule.id,
            rule.severity,
            rule.doc().trim()
        );
    }
    out
}

/// Where the generated list of what can be acknowledged starts in `data/README.md`.
pub const ACKNOWLEDGEABLE_BEGIN: &str = "<!-- acknowledgeable:begin -->";
/// Where it ends.
pub const ACKNOWLEDGEABLE_END: &str = "<!-- acknowledgeable:end -->";

/// The list, for `data/README.md`'s exceptions section, of the rules whose findings can be
/// acknowledged and those that cannot, from [`Rule::acknowledgeable`].
pub fn acknowledgeable_markdown() -> String {
    let list = |acknowledgeable: bool| {
        ALL.iter()
            .filter(|r| r.acknowledgeable == acknowledgeable)
            .flat_map(|r| r.ids().iter().map(|id| format!("`{id}`")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "<!-- Generated by `cargo xtask docs` from the rules' declarations; do not edit by hand. -->\n\n\
         - Can be acknowledged (a value as a source writes it): {}.\n\
         - Cannot be acknowledged (a convention of this dataset, which the data must follow): {}.\n",
        list(true),
        list(false)
    )
}

/// `readme` with its list of what can be acknowledged replaced by [`acknowledgeable_markdown`];
/// unchanged when it has no such list.
pub fn splice_acknowledgeable(readme: &str) -> String {
    match (readme.find(ACKNOWLEDGEABLE_BEGIN), readme.find(ACKNOWLEDGEABLE_END)) {
        (Some(begin), Some(end)) if begin < end => {
            format!("{}{ACKNOWLEDGEABLE_BEGIN}\n{}{}", &readme[..begin], acknowledgeable_markdown(), &readme[end..])
        }
        _ => readme.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use model::TableId;

    #[test]
    fn same_text_is_equality() {
        for (a, b) in [("", ""), ("no-jp-2015", "no-jp-2015"), ("NO", "NO"), ("ø", "ø")] {
            assert!(super::same_text(a, b), "{a:?} {b:?}");
        }
        for (a, b) in [("", "a"), ("no-jp-2015", "no-jp-2016"), ("NO", "NOR"), ("ø", "o"), ("ab", "ba")] {
            assert!(!super::same_text(a, b), "{a:?} {b:?}");
        }
        // Every length up to past the longest overlapping compare, with one byte changed at
        // every place, against a comparison by definition.
        let text: String = ('a'..='z').chain('A'..='Z').collect();
        for len in 0..=40 {
            let a = &text[..len];
            let copy = String::from_utf8(a.as_bytes().to_vec()).unwrap_or_default();
            assert!(super::same_text(a, &copy), "{a:?}");
            for at in 0..len {
                let mut b = a.as_bytes().to_vec();
                b[at] = b'#';
                let b = String::from_utf8(b).unwrap_or_default();
                assert_eq!(super::same_text(a, &b), a == b, "{a:?} {b:?}");
                assert!(!super::same_text(a, &b), "{a:?} {b:?}");
            }
        }
    }

    /// A flow's ranks summed up by definition: sorted, counted, deduplicated.
    fn summary_by_definition(ranks: &[u16]) -> super::RankSummary {
        let mut sorted = ranks.to_vec();
        sorted.sort_unstable();
        let (lowest, highest) = (sorted[0], sorted[sorted.len() - 1]);
        sorted.dedup();
        super::RankSummary { lowest, highest, lines: ranks.len(), distinct: sorted.len() }
    }

    #[test]
    fn ranks_kept_as_a_count_or_a_list_sum_up_as_a_sort_would() {
        use super::FlowRanks;
        let sequences: [&[u16]; 12] = [
            &[1],
            &[1, 2, 3, 4],
            &[3, 4, 5],
            &[0, 1, 2],
            &[1, 2, 2, 3],
            &[1, 3, 4],
            &[4, 3, 2, 1],
            &[2, 1, 3, 4, 5],
            &[1, 2, 3, 1, 2, 3],
            &[65534, 65535],
            &[65535, 0, 1],
            &[5, 5, 5],
        ];
        for ranks in sequences {
            // Every cut into a block before and a block after, each kept as `keep_ranks` keeps
            // a run, and the later appended to the earlier, as joining blocks does.
            for cut in 1..=ranks.len() {
                let keep = |part: &[u16]| {
                    let mut kept = FlowRanks::starting_at(part[0]);
                    part[1..].iter().for_each(|&rank| kept.push(rank));
                    kept
                };
                let mut kept = keep(&ranks[..cut]);
                if cut < ranks.len() {
                    kept.append(keep(&ranks[cut..]));
                }
                let counting = matches!(kept, FlowRanks::Counting { .. });
                let consecutive = ranks.windows(2).all(|pair| u32::from(pair[0]) + 1 == u32::from(pair[1]));
                assert_eq!(counting, consecutive, "{ranks:?} cut at {cut}: {kept:?}");
                assert_eq!(kept.summary(), summary_by_definition(ranks), "{ranks:?} cut at {cut}");
            }
        }
    }

    /// The field of `ingest::Dataset` that holds a table, e.g. `trade_commodities`.
    fn field(table: TableId) -> &'static str {
        table.file().trim_end_matches(".csv")
    }

    #[test]
    fn every_rule_declares_the_tables_it_reads() {
        let mut compared = 0;
        for rule in super::ALL {
            let code = rule.source.split_once("\n\n").map_or(rule.source, |(_, code)| code);
            // `file/stray` judges the folder's listing, not the rows of any table.
            if code.contains("data.other_files") {
                assert!(rule.reads.is_empty(), "{}: reads no table's rows; declare `reads: &[]`", rule.id);
                continue;
            }
            let every = code.contains("each_table") || code.contains("visit_tables");
            // A rule that watches the streamed rows reads that table.
            let named: Vec<TableId> = TableId::ALL
                .iter()
                .copied()
                .filter(|&t| {
                    (t == ingest::STREAMED && rule.watch.is_some())
                        || code.contains(&format!("data.{}.", field(t)))
                        || code.contains(&format!("data.{},", field(t)))
                        || code.contains(&format!("data.{})", field(t)))
                        || code.contains(&format!("data.{};", field(t)))
                })
                .collect();
            if every || named.len() == TableId::ALL.len() {
                assert!(rule.reads.is_empty(), "{}: reads every table; declare `reads: &[]`", rule.id);
            } else if !named.is_empty() {
                let mut declared = rule.reads.to_vec();
                declared.sort();
                assert_eq!(declared, named, "{}: `reads` is not the tables its code reads", rule.id);
                compared += 1;
            } else {
                assert!(!rule.reads.is_empty(), "{}: declares no table and names none", rule.id);
            }
        }
        assert!(compared >= 9, "only {compared} rules' tables were compared with their code");
    }
}
