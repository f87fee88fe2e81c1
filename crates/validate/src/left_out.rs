//! Floods of findings in the streamed rows, counted as they are found instead of held.
//!
//! A report lists the first [`ingest::MAX_LISTED`] findings of one id in one file and counts
//! the rest (`keep_listed` in the crate root). The rules that look at the streamed commodity
//! lines would still build every finding and hold it until then: a file of a million lines
//! with one mistake each would hold a million diagnostics, many times the file's size. So the
//! engine keeps, of each id, the first [`KEPT_PER_ID`] findings it meets in the streamed file
//! (block by block in file order), and leaves out the others as the blocks are looked at,
//! keeping their count and first line by id, and their cells, 16 bytes a cell ([`LeftOut`]).
//!
//! The findings on one cell are left out together ([`Budget`]), as folding and
//! de-duplication, which go by the cell, would leave them: what stays of them (a `field/`
//! cause without the consequences it absorbs, say) is counted under its ids. They may be left
//! out only when none names a missing key (references to one fold into one finding, which
//! counts them) and no row of `exceptions.csv` names the rule, file, key and column of one;
//! every finding on a cell is in its row's block. What only the end of the check knows,
//! [`LeftOut::settle`] and [`LeftOut::lists_in_full`] settle on its outcome. A finding from
//! elsewhere (a rule's conclusion, a problem ingest found) on a cell with findings left out is
//! taken out when it would fold into the cell's range cause, as folding takes it out; should it
//! fold otherwise, or the listing of an id with findings left out not be full before the first
//! of them, the check runs again with nothing left out. Otherwise the report is the one
//! holding every finding would give, with the left-out findings among those counted.
//!
//! Building a finding (its message, snippet and related rows) costs more than the check of a
//! line. Once the blocks joined so far, in file order, keep all they may of an id, the blocks
//! looked at after them (which come later in the file) leave that id's findings out at once
//! ([`crate::engine::Context::full`]), and a rule may give placeholders for them
//! ([`crate::engine::Context::placeholder`]): a finding's id, place, key and column, which are
//! all that decides whether it is left out. A placeholder whose cell is kept after all (an
//! exception names it, or another finding on the cell is kept) is made in full by its rule
//! before its block is joined ([`crate::engine::Watch::complete`]). `trade/commodity-share`
//! and `field` give placeholders.

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::Dataset;

use crate::{Map, Set, Unlisted, fold};

/// How many findings of one id in the streamed file are kept: as many again as are listed. The
/// findings kept are never acknowledged or folded today, so 1,000 would fill the listing; the
/// margin keeps it full, and the check from running again, should a rule added later fold or
/// repeat some of them.
pub(crate) const KEPT_PER_ID: usize = 2 * ingest::MAX_LISTED;

/// What decides whether a finding may be left out.
#[derive(Debug)]
pub(crate) struct Budget<'d> {
    /// The streamed file, as findings name it.
    file: &'d str,
    /// The rule, file name, key and column of each row of `exceptions.csv`.
    excepted: Set<(&'d str, &'d str, &'d str, &'d str)>,
}

/// Findings left out, by id, and the cells they are on.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeftOut {
    ids: Map<RuleId, LeftOutOfId>,
    /// The cells with findings left out, 16 bytes each: a block's list holds its own cells
    /// only, whatever its place in the file.
    cells: Vec<LeftOutCell>,
}

/// A cell whose findings were left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct LeftOutCell {
    /// Where its span starts in the file.
    start: u64,
    /// How long its span is.
    len: u32,
    /// Whether one of its findings is a range cause, into which the other findings on the cell
    /// fold ([`fold::is_consequence`]).
    has_cause: bool,
}

impl LeftOutCell {
    fn of(span: &std::ops::Range<usize>, has_cause: bool) -> Option<LeftOutCell> {
        let start = u64::try_from(span.start).ok()?;
        let len = u32::try_from(span.end.checked_sub(span.start)?).ok()?;
        Some(LeftOutCell { start, len, has_cause })
    }
}

/// The findings of one id left out.
#[derive(Clone, Copy, Debug)]
struct LeftOutOfId {
    count: usize,
    severity: Severity,
    first_line: u32,
}

impl<'d> Budget<'d> {
    /// The budget of a check of `data`.
    pub(crate) fn new(data: &'d Dataset<'_>) -> Budget<'d> {
        let excepted = data
            .exceptions
            .rows
            .iter()
            .map(|row| {
                let e = &row.record;
                (&*e.rule, &*e.file, &*e.key, &*e.column)
            })
            .collect();
        Budget { file: data.trade_commodities.name(), excepted }
    }

    /// Leaves out of `found` (a block's findings, in the order its rules found them, each
    /// rule's in file order) the findings on a cell when those that would stay of them after
    /// de-duplication and folding are all beyond [`KEPT_PER_ID`] of their ids, counting in
    /// `kept` those kept so far and in `left_out` the others.
    pub(crate) fn leave_out(&self, found: &mut Vec<Diagnostic>, kept: &mut Map<RuleId, usize>, left_out: &mut LeftOut) {
        if found.is_empty() {
            return;
        }
        // The findings of the streamed file on each cell: all in this block, as a cell is.
        let mut on_cell: Map<(usize, usize), Vec<usize>> = Map::default();
        for (index, finding) in found.iter().enumerate() {
            if let Some(span) = finding.span.as_ref().filter(|_| finding.file == self.file) {
                on_cell.entry((span.start, span.end)).or_default().push(index);
            }
        }
        let mut cells: Vec<Vec<usize>> = on_cell.into_values().collect();
        cells.sort_unstable_by_key(|cell| cell[0]);
        let mut leave = vec![false; found.len()];
        for cell in cells {
            let Some(staying) = self.staying(found, cell.clone()) else { continue };
            let ids_full = |kept: &Map<RuleId, usize>| {
                staying.iter().all(|&i| kept.get(&found[i].rule()).is_some_and(|&n| n >= KEPT_PER_ID))
            };
            let has_cause = staying.iter().any(|&i| fold::is_range_cause(&found[i]));
            let left_out_cell = found[cell[0]].span.as_ref().and_then(|span| LeftOutCell::of(span, has_cause));
            if let (true, Some(left_out_cell)) = (ids_full(kept), left_out_cell) {
                cell.iter().for_each(|&i| leave[i] = true);
                staying.iter().for_each(|&i| left_out.add(&found[i]));
                left_out.cells.push(left_out_cell);
            } else {
                staying.iter().for_each(|&i| *kept.entry(found[i].rule()).or_default() += 1);
            }
        }
        let mut index = 0;
        found.retain(|_| {
            index += 1;
            !leave[index - 1]
        });
    }

    /// Of the findings `cell` (indexes into `found`) on one cell, those that stay findings of
    /// their own at the end of the check, as `conclude` de-duplicates and `fold` folds them;
    /// `None` when one of them may not be left out: it names a missing key (references to it
    /// fold into one finding that counts them) or an exception.
    fn staying(&self, found: &[Diagnostic], mut cell: Vec<usize>) -> Option<Vec<usize>> {
        let excepted = |f: &Diagnostic| {
            let (rule, file, key, column) = f.identity();
            self.excepted.contains(&(rule.as_str(), file, key, column))
        };
        if cell.iter().map(|&i| &found[i]).any(|f| f.missing_key.is_some() || f.acknowledged.is_some() || excepted(f)) {
            return None;
        }
        cell.sort_by(|&a, &b| found[a].sort_key().cmp(&found[b].sort_key()));
        cell.dedup_by(|a, b| found[*a].sort_key() == found[*b].sort_key());
        if cell.iter().any(|&i| fold::is_range_cause(&found[i])) {
            cell.retain(|&i| !fold::is_consequence(&found[i]));
        }
        Some(cell)
    }
}

impl LeftOut {
    /// Adds what a later block left out.
    pub(crate) fn join(&mut self, later: LeftOut) {
        for (id, more) in later.ids {
            self.ids
                .entry(id)
                .and_modify(|these| {
                    these.count += more.count;
                    these.first_line = these.first_line.min(more.first_line);
                })
                .or_insert(more);
        }
        self.cells.extend(later.cells);
    }

    fn add(&mut self, finding: &Diagnostic) {
        let line = finding.line;
        self.ids
            .entry(finding.rule())
            .and_modify(|these| {
                these.count += 1;
                these.first_line = these.first_line.min(line);
            })
            .or_insert(LeftOutOfId { count: 1, severity: finding.severity, first_line: line });
    }

    /// Settles the findings of `others`, found elsewhere than in the streamed rows (a rule's
    /// conclusion, a problem ingest found), that are on a cell of `file` with findings left
    /// out: one that folds into the cell's range cause, as a consequence, is taken out of
    /// `others`, as folding would take it out of the listing and the counts. Returns `false`
    /// when one could instead have folded or been de-duplicated otherwise with them (it is a
    /// range cause itself, or it has an id with findings left out): then only holding every
    /// finding says what the report is.
    pub(crate) fn settle(&mut self, file: &str, others: &mut Vec<Diagnostic>) -> bool {
        if self.cells.is_empty() {
            return true;
        }
        self.cells.sort_unstable();
        let mut settled = true;
        others.retain(|f| {
            let Some(span) = f.span.as_ref().filter(|_| f.file == file) else { return true };
            let Some(probe) = LeftOutCell::of(span, false) else { return true };
            let at = self.cells.partition_point(|c| (c.start, c.len) < (probe.start, probe.len));
            let Some(cell) = self.cells.get(at).filter(|c| (c.start, c.len) == (probe.start, probe.len)) else {
                return true;
            };
            match (cell.has_cause, fold::is_range_cause(f)) {
                // Folded into the cell's cause, left out: gone from the listing and the counts.
                (true, false) if fold::is_consequence(f) => return false,
                // A cause of its own would fold what was left out into it.
                (_, true) => settled = false,
                // Otherwise nothing folds; only a finding of the same id could be its repeat.
                _ => settled &= !self.ids.contains_key(&f.rule()),
            }
            true
        });
        settled
    }

    /// Whether, of each id with findings left out of `file`, `listed` (the findings listed,
    /// after folding, exceptions and the listing limit) lists [`ingest::MAX_LISTED`] open
    /// ones, all on lines before the first left out: then those left out would not have
    /// been listed, only counted.
    pub(crate) fn lists_in_full(&self, file: &str, listed: &[Diagnostic]) -> bool {
        self.ids.iter().all(|(&id, left_out)| {
            let open = listed.iter().filter(|f| f.rule() == id && f.file == file && f.acknowledged.is_none());
            let (count, last_line) = open.fold((0, 0), |(n, last), f| (n + 1, last.max(f.line)));
            count == ingest::MAX_LISTED && last_line < left_out.first_line
        })
    }

    /// Counts the findings left out of `file` among `unlisted`, the findings of rules left
    /// out of the listing, sorted by file and rule.
    pub(crate) fn count_in(self, file: &str, unlisted: &mut Vec<Unlisted>) {
        for (id, left_out) in self.ids {
            match unlisted.iter_mut().find(|u| u.rule == id && u.file == file) {
                Some(more) => more.count += left_out.count,
                None => unlisted.push(Unlisted {
                    file: file.to_owned(),
                    rule: id,
                    severity: left_out.severity,
                    count: left_out.count,
                }),
            }
        }
        unlisted.sort_by(|a, b| (&a.file, a.rule).cmp(&(&b.file, b.rule)));
    }
}

#[cfg(test)]
mod tests {
    use model::TableId;

    use crate::engine::{self, Context};
    use crate::{Report, rules};

    /// A table's header line.
    fn header(table: TableId) -> String {
        table.def().columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
    }

    /// A data folder in memory: the fixtures' base, with `commodities` as the commodity lines
    /// (after the header) and `exceptions` as the exceptions (after theirs).
    fn folder(commodities: &str, exceptions: &str) -> ingest::DataDir {
        folder_with_totals(commodities, exceptions, None)
    }

    /// [`folder`], with `totals` as the rows of `trade.csv` when given.
    fn folder_with_totals(commodities: &str, exceptions: &str, totals: Option<&str>) -> ingest::DataDir {
        let (commodities, exceptions) = (commodities.to_owned(), exceptions.to_owned());
        let totals = totals.map(str::to_owned);
        ingest::DataDir::from_memory("data", move |table| match (table, &totals) {
            (TableId::TradeCommodities, _) => Some(format!("{}\n{commodities}", header(table)).into_bytes()),
            (TableId::Exceptions, _) => Some(format!("{}\n{exceptions}", header(table)).into_bytes()),
            (TableId::Trade, Some(totals)) => Some(format!("{}\n{totals}", header(table)).into_bytes()),
            _ => {
                std::fs::read(format!("{}/../../tests/fixtures/base/{}", env!("CARGO_MANIFEST_DIR"), table.file())).ok()
            }
        })
        .with_block_size(4096)
    }

    /// `count` lines of the Japanese export flow, ranked from 1, each `line(rank)` after the rank.
    fn lines(count: usize, line: impl Fn(usize) -> String) -> String {
        (1..=count).map(|rank| format!("NO,JP,2011,export,{rank},{}\n", line(rank))).collect()
    }

    /// Everything a report says, to compare two reports.
    fn said(report: &Report) -> String {
        format!("{:?}\n{:?}\n{:?}", report.findings, report.unlisted, report.summary)
    }

    /// How many findings of each id the streamed rows left out of a check of `dir`.
    fn left_out(dir: &ingest::DataDir) -> Vec<(String, usize)> {
        let (data, _) = ingest::parse_streaming(dir);
        let budget = super::Budget::new(&data);
        let (watched, _) = engine::watch_streamed(&Context::new(&data), rules::ALL, Some(&budget));
        let mut counts: Vec<(String, usize)> =
            watched.left_out.ids.iter().map(|(id, l)| (id.to_string(), l.count)).collect();
        counts.sort();
        counts
    }

    #[test]
    fn a_flood_is_counted_as_it_is_found_and_reported_as_if_held() {
        // 5,000 lines whose shares do not fit their figures: 3,000 of them are left out.
        let dir = folder(&lines(5000, |_| "Fisk,0.001,NOK billion,50,no-jp-2015".to_owned()), "");
        assert_eq!(left_out(&dir), vec![("trade/commodity-share".to_owned(), 5000 - super::KEPT_PER_ID)]);
        let report = crate::check_dir(&dir);
        assert_eq!(said(&report), said(&crate::check_streamed(&dir, false)));
        let shares = |f: &&diagnostic::Diagnostic| f.rule().as_str() == "trade/commodity-share";
        let listed: Vec<u32> = report.findings.iter().filter(shares).map(|f| f.line).collect();
        assert_eq!(listed, (2..2 + ingest::MAX_LISTED as u32).collect::<Vec<_>>());
        let unlisted = report.unlisted.iter().find(|u| u.rule.as_str() == "trade/commodity-share");
        assert_eq!(unlisted.map(|u| (u.file.as_str(), u.count)), Some(("data/trade_commodities.csv", 4000)));
        // The blocks joined mark the id full, for the blocks looked at after them; a check
        // that leaves nothing out marks nothing.
        let (data, _) = ingest::parse_streaming(&dir);
        let context = Context::new(&data);
        let share = diagnostic::RuleId::new("trade/commodity-share");
        engine::watch_streamed(&context, rules::ALL, Some(&super::Budget::new(&data)));
        assert_eq!(context.full.ids(), vec![share]);
        engine::watch_streamed(&context, rules::ALL, None);
        assert_eq!(context.full.ids(), Vec::new());
    }

    #[test]
    fn findings_on_one_cell_are_left_out_together_and_acknowledged_ones_never() {
        // A share over 100 % is a `field/` finding, which absorbs the share's finding on its
        // cell: past the budget the two are left out together, counted as the `field/` one.
        // The one acknowledged line, far past the budget, stays acknowledged.
        let commodities = lines(3000, |_| "Fisk,0.001,NOK billion,150,no-jp-2015".to_owned())
            + &lines(3000, |rank| format!("Fisk {rank},0.001,NOK billion,50,no-jp-2015"))
                .replace(",export,", ",import,");
        let exception = "trade/commodity-share,trade_commodities.csv,NO/JP/2011/import/2900,share_pct,50,\
                         The source gives this share as printed.\n";
        let dir = folder(&commodities, exception);
        let past_the_budget = 3000 - super::KEPT_PER_ID;
        assert_eq!(
            left_out(&dir),
            vec![
                ("field/format".to_owned(), past_the_budget),
                ("trade/commodity-share".to_owned(), past_the_budget - 1)
            ]
        );
        let report = crate::check_dir(&dir);
        assert_eq!(said(&report), said(&crate::check_streamed(&dir, false)));
        assert!(report.findings.iter().any(|f| f.acknowledged.is_some() && f.line == 3000 + 2900 + 1));
        let ranges: Vec<&diagnostic::Diagnostic> =
            report.findings.iter().filter(|f| f.rule().as_str().starts_with("field/")).collect();
        assert_eq!(ranges.len(), ingest::MAX_LISTED);
        assert!(ranges.iter().all(|f| f.help.as_deref().is_some_and(|h| h.contains("trade/commodity-share"))));
        let unlisted = report.unlisted.iter().find(|u| u.rule.as_str() == "field/format").map(|u| u.count);
        assert_eq!(unlisted, Some(2000));
    }

    /// `count` shares that do not fit their lines of the Japanese export flow, and an exception
    /// that names the share of line `excepted`; the share of line `over` is above 100 %, also a
    /// `field/format` finding, which absorbs the share's. The lines and the exception.
    fn flood(count: usize, excepted: usize, over: usize) -> (String, String) {
        let commodities = lines(count, |rank| {
            let share = if rank == over { "150" } else { "50" };
            format!("Fisk {rank},0.001,NOK billion,{share},no-jp-2015")
        });
        let exception = format!(
            "trade/commodity-share,trade_commodities.csv,NO/JP/2011/export/{excepted},share_pct,50,\
             The source gives this share as printed.\n"
        );
        (commodities, exception)
    }

    #[test]
    fn past_a_full_id_findings_are_placeholders_and_those_kept_are_made_in_full() {
        let (commodities, exception) = flood(300, 150, 200);
        let dir = folder(&commodities, &exception);
        let (data, _) = ingest::parse(&dir);
        let context = Context::new(&data);
        let table = &data.trade_commodities;
        let rule = |id: &str| rules::ALL.iter().copied().find(|r| r.id.as_str() == id).expect("a rule");
        let share = rule("trade/commodity-share");
        let findings = |watched: &engine::Watched| format!("{:?}", watched.found);
        let rules = [share, rule("field")];
        let in_full = engine::look_at_block(&context, &rules, table, &table.rows, None);
        assert_eq!(in_full.found.iter().filter(|f| f.rule() == share.id).count(), 300);

        // As if the blocks before had filled the share's findings: each is a placeholder,
        // and without a budget every one is made in full again.
        context.full.add(std::iter::once(share.id));
        let watch = share.watch.expect("the rule looks at streamed lines");
        let mut looked = Vec::new();
        watch.look(&context, table, &table.rows, &mut *watch.fresh(), &mut looked);
        assert_eq!(looked.len(), 300);
        assert!(looked.iter().all(|f| f.message.is_empty() && f.snippet.is_none()), "placeholders only");
        let placeholders = engine::look_at_block(&context, &[share], table, &table.rows, None);
        assert!(placeholders.found.iter().all(|f| !f.message.is_empty()));
        let shares_in_full: Vec<String> =
            in_full.found.iter().filter(|f| f.rule() == share.id).map(|f| format!("{f:?}")).collect();
        assert_eq!(placeholders.found.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>(), shares_in_full);

        // With the budget, those left out are counted, and the two kept are made in full: the
        // excepted one, and the one on the cell whose `field/format` finding is kept.
        let budget = super::Budget::new(&data);
        let kept = engine::look_at_block(&context, &rules, table, &table.rows, Some(&budget));
        let expected: Vec<String> = in_full
            .found
            .iter()
            .filter(|f| f.rule() != share.id || f.line == 1 + 150 || f.line == 1 + 200)
            .map(|f| format!("{f:?}"))
            .collect();
        assert_eq!(kept.found.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>(), expected, "{}", findings(&kept));
        assert_eq!(kept.left_out.ids.get(&share.id).map(|l| l.count), Some(298));

        // `field` gives placeholders too, made in full again without a budget; with one, the
        // cell of the 200th line is left out now, counted as its `field/format` finding.
        let format = diagnostic::RuleId::new("field/format");
        context.full.add(std::iter::once(format));
        let mut looked = Vec::new();
        let field = rule("field").watch.expect("the rule looks at streamed lines");
        field.look(&context, table, &table.rows, &mut *field.fresh(), &mut looked);
        let placeholder: Vec<(u32, bool)> = looked.iter().map(|f| (f.line, f.message.is_empty())).collect();
        assert_eq!(placeholder, vec![(1 + 200, true)]);
        let again = engine::look_at_block(&context, &rules, table, &table.rows, None);
        assert_eq!(findings(&again), findings(&in_full));
        let kept = engine::look_at_block(&context, &rules, table, &table.rows, Some(&budget));
        let expected: Vec<String> = in_full
            .found
            .iter()
            .filter(|f| f.rule() == share.id && f.line == 1 + 150)
            .map(|f| format!("{f:?}"))
            .collect();
        assert_eq!(kept.found.iter().map(|f| format!("{f:?}")).collect::<Vec<_>>(), expected, "{}", findings(&kept));
        let counted = |id| kept.left_out.ids.get(&id).map(|l| l.count);
        assert_eq!((counted(share.id), counted(format)), (Some(298), Some(1)));
    }

    #[test]
    fn a_flood_read_from_the_disk_gives_placeholders_on_any_number_of_cores() {
        let (commodities, exception) = flood(5000, 3500, 4000);
        let folder = tempfile::tempdir().expect("a temporary folder");
        for &table in TableId::ALL {
            let path = folder.path().join(table.file());
            let written = match table {
                TableId::TradeCommodities => std::fs::write(path, format!("{}\n{commodities}", header(table))),
                TableId::Exceptions => std::fs::write(path, format!("{}\n{exception}", header(table))),
                _ => std::fs::copy(
                    format!("{}/../../tests/fixtures/base/{}", env!("CARGO_MANIFEST_DIR"), table.file()),
                    path,
                )
                .map(|_| ()),
            };
            written.expect("a table written");
        }
        let dir = ingest::read_dir_streaming(folder.path()).expect("the folder").with_block_size(4096);
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
            pool.install(|| {
                let (data, _) = ingest::parse_streaming(&dir);
                let context = Context::new(&data);
                engine::watch_streamed(&context, rules::ALL, Some(&super::Budget::new(&data)));
                assert!(context.full.placeholders() > 0, "{threads} threads: placeholders were given");
                assert!(settles(&dir), "{threads} threads: settled without holding every finding");
                let report = crate::check_dir(&dir);
                assert_eq!(said(&report), said(&crate::check_streamed(&dir, false)), "{threads} threads");
                let excepted = |f: &diagnostic::Diagnostic| {
                    f.acknowledged.is_some()
                        && f.rule().to_string() == "trade/commodity-share"
                        && f.file.ends_with("trade_commodities.csv")
                        && f.line == 1 + 3500
                        && f.column.as_deref() == Some("share_pct")
                };
                assert!(report.findings.iter().any(excepted), "{threads} threads: the excepted finding");
            });
        }
    }

    /// Whether the end of a check of `dir` settles the findings it left out without holding
    /// every finding; the report must be the one holding them gives, either way.
    fn settles(dir: &ingest::DataDir) -> bool {
        let (data, problems) = ingest::parse_streaming(dir);
        let budget = super::Budget::new(&data);
        let (watched, _) = engine::watch_streamed(&Context::new(&data), rules::ALL, Some(&budget));
        assert!(!watched.left_out.ids.is_empty(), "something is left out");
        let settled = crate::conclude(&data, problems, watched).is_ok();
        assert_eq!(said(&crate::check_dir(dir)), said(&crate::check_streamed(dir, false)));
        settled
    }

    #[test]
    fn a_conclusion_on_a_cell_with_findings_left_out_is_settled() {
        // Negative figures are `field/format`'s, left out past the budget; a gap in the ranks
        // is found at the end on the rank cell of one of their lines: another cell, settled.
        let gap: String = (1..=4000)
            .map(|n| if n < 3500 { n } else { n + 1 })
            .map(|rank| format!("NO,JP,2011,export,{rank},Fisk,-1,NOK million,,no-jp-2015\n"))
            .collect();
        assert!(settles(&folder(&gap, "")));
        // Shares of 150 % are `field/format`'s; each flow's shares add up to more than 100 %
        // at its second line, on the share cell, which the `field/` finding there absorbs.
        let flows: String =
            (0..3000).map(|n| format!("NO,JP,{},export,{},Fisk,,,150,no-jp-2015\n", 1990 + n / 2, 1 + n % 2)).collect();
        let totals: String =
            (0..1500).map(|n| format!("NO,JP,{},export,1,NOK billion,exact,,no-jp-2015\n", 1990 + n)).collect();
        assert!(settles(&folder_with_totals(&flows, "", Some(&totals))));
        // Wrong shares are `trade/commodity-share`'s, with no range cause on their cells: the
        // flow whose shares pass 100 % on a cell left out is another rule's finding, which
        // neither folds with them nor repeats one.
        let over = lines(3000, |_| "Fisk,0.001,NOK billion,0.02,no-jp-2015".to_owned())
            + &lines(10, |rank| format!("Fisk {rank},0.001,NOK billion,50,no-jp-2015")).replace(",export,", ",import,");
        assert!(settles(&folder(&over, "")));
    }

    #[test]
    fn what_settles_a_finding_on_a_cell_with_findings_left_out() {
        use diagnostic::{Diagnostic, RuleId, Severity};
        let file = "data/trade_commodities.csv";
        let finding = |id: &'static str, span: std::ops::Range<usize>| {
            let mut f = Diagnostic::new(RuleId::new(id), Severity::Error, file, "m".to_owned());
            f.line = 7;
            f.span = Some(span);
            f
        };
        // Left out: a `field/format` cause on 10..12 (with the share it absorbed), and a share
        // alone on 20..22.
        let mut left_out = super::LeftOut::default();
        for (f, has_cause) in
            [(finding("field/format", 10..12), true), (finding("trade/commodity-share", 20..22), false)]
        {
            left_out.add(&f);
            left_out.cells.extend(f.span.as_ref().and_then(|span| super::LeftOutCell::of(span, has_cause)));
        }
        let settle = |others: Vec<Diagnostic>| {
            let mut others = others;
            let settled = left_out.clone().settle(file, &mut others);
            (settled, others.iter().map(|f| f.rule().to_string()).collect::<Vec<_>>())
        };
        // A consequence on the cause's cell folds into it: taken out.
        assert_eq!(settle(vec![finding("sequence/gap", 10..12)]), (true, vec![]));
        // Another cell, or another file: nothing to do with them.
        assert_eq!(settle(vec![finding("sequence/gap", 10..13)]), (true, vec!["sequence/gap".to_owned()]));
        // Another rule's finding on the share's cell: no cause, no repeat.
        assert_eq!(settle(vec![finding("sequence/gap", 20..22)]), (true, vec!["sequence/gap".to_owned()]));
        // A cause would absorb the share; a share there might repeat it: hold every finding.
        assert!(!settle(vec![finding("field/range", 20..22)]).0);
        assert!(!settle(vec![finding("trade/commodity-share", 20..22)]).0);
        assert!(!settle(vec![finding("field/range", 10..12)]).0);
    }
}
