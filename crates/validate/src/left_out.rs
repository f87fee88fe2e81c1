//! Floods of findings in the streamed rows, counted as they are found instead of held.
//!
//! A report lists the first [`ingest::MAX_LISTED`] findings of one id in one file and counts
//! the rest (`keep_listed` in the crate root). The rules that look at the streamed commodity
//! lines would still build every finding and hold it until then: a file of a million lines
//! with one mistake each would hold a million diagnostics, many times the file's size. So the
//! engine keeps, of each id, the first [`KEPT_PER_ID`] findings it meets in the streamed file
//! (block by block in file order) that can only ever be listed or counted, and leaves out the
//! others as the blocks are looked at, keeping their count, their first line and the lines
//! they are on, 4 bytes a finding ([`LeftOut`]).
//!
//! A finding may be left out ([`Budget`]) only when nothing at the end of the check depends on
//! it: no other finding of its block is on its cell (folding and de-duplication go by the
//! cell), it names no missing key (references to one fold into one finding, which counts
//! them), and no row of `exceptions.csv` names its rule, file, key and column. What only the
//! end of the check knows, [`LeftOut::clashes_with`] and [`LeftOut::lists_in_full`] check on
//! its outcome: that no finding from elsewhere (a rule's conclusion, a problem ingest found) is
//! on the line of a left-out finding while either could be the cause of a fold or both have
//! one id, and that each id with findings left out lists its full [`ingest::MAX_LISTED`], all
//! on lines before the first left out. When that holds, the report is the one holding every
//! finding would give, with the left-out findings among those counted; when it does not, the
//! check runs again with nothing left out. The test goes by lines, not cells: a flood of
//! `field/` findings with a rank gap on one of their lines is read and looked at twice, the
//! second time holding every finding.

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

/// Findings left out, by id, and the lines they are on.
#[derive(Debug, Default)]
pub(crate) struct LeftOut {
    ids: Map<RuleId, LeftOutOfId>,
    /// The line of each finding left out, 4 bytes each: a block's list holds its own lines
    /// only, whatever its place in the file.
    lines: Vec<u32>,
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
    /// rule's in file order) those beyond [`KEPT_PER_ID`] of their id that may be left out,
    /// counting in `kept` those kept so far and in `left_out` the others.
    pub(crate) fn leave_out(&self, found: &mut Vec<Diagnostic>, kept: &mut Map<RuleId, usize>, left_out: &mut LeftOut) {
        if found.is_empty() {
            return;
        }
        let mut on_cell: Map<(usize, usize), u32> = Map::default();
        for span in found.iter().filter(|f| f.file == self.file).filter_map(|f| f.span.as_ref()) {
            *on_cell.entry((span.start, span.end)).or_default() += 1;
        }
        found.retain(|finding| {
            if !self.may_leave_out(finding, &on_cell) {
                return true;
            }
            let count = kept.entry(finding.rule()).or_default();
            if *count < KEPT_PER_ID {
                *count += 1;
                return true;
            }
            left_out.add(finding);
            false
        });
    }

    /// Whether `finding` is in the streamed file, alone on its cell, names no missing key and
    /// no exception.
    fn may_leave_out(&self, finding: &Diagnostic, on_cell: &Map<(usize, usize), u32>) -> bool {
        let Some(span) = &finding.span else { return false };
        let (rule, file, key, column) = finding.identity();
        finding.file == self.file
            && finding.missing_key.is_none()
            && finding.acknowledged.is_none()
            && on_cell.get(&(span.start, span.end)) == Some(&1)
            && !self.excepted.contains(&(rule.as_str(), file, key, column))
    }
}

impl LeftOut {
    /// Whether nothing was left out.
    pub(crate) fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

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
        self.lines.extend(later.lines);
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
        self.lines.push(line);
    }

    /// Whether a finding of `others`, found elsewhere than in the streamed rows (a rule's
    /// conclusion, a problem ingest found), might have been folded with or de-duplicated
    /// against a left-out finding: it is in `file`, on a line with one, and either one of
    /// them could be the cause in a fold, or it has an id with findings left out.
    pub(crate) fn clashes_with(&mut self, file: &str, others: &[Diagnostic]) -> bool {
        if self.is_empty() {
            return false;
        }
        self.lines.sort_unstable();
        self.lines.dedup();
        let left_out_cause = self.ids.keys().any(|&id| fold::is_range_cause_id(id));
        others.iter().any(|f| {
            f.file == file
                && self.lines.binary_search(&f.line).is_ok()
                && (left_out_cause || fold::is_range_cause(f) || self.ids.contains_key(&f.rule()))
        })
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

    /// A data folder in memory: the fixtures' base, with `commodities` as the commodity lines
    /// (after the header) and `exceptions` as the exceptions (after theirs).
    fn folder(commodities: &str, exceptions: &str) -> ingest::DataDir {
        let header = |table: TableId| table.def().columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
        let (commodities, exceptions) = (commodities.to_owned(), exceptions.to_owned());
        ingest::DataDir::from_memory("data", move |table| match table {
            TableId::TradeCommodities => Some(format!("{}\n{commodities}", header(table)).into_bytes()),
            TableId::Exceptions => Some(format!("{}\n{exceptions}", header(table)).into_bytes()),
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
    }

    #[test]
    fn findings_that_fold_or_are_acknowledged_are_never_left_out() {
        // A share over 100 % is a `field/` finding, which absorbs the share's finding on its cell:
        // neither is left out. The one acknowledged line, far past the budget, stays acknowledged.
        let commodities = lines(3000, |_| "Fisk,0.001,NOK billion,150,no-jp-2015".to_owned())
            + &lines(3000, |rank| format!("Fisk {rank},0.001,NOK billion,50,no-jp-2015"))
                .replace(",export,", ",import,");
        let exception = "trade/commodity-share,trade_commodities.csv,NO/JP/2011/import/2900,share_pct,50,\
                         The source gives this share as printed.\n";
        let dir = folder(&commodities, exception);
        assert_eq!(left_out(&dir), vec![("trade/commodity-share".to_owned(), 3000 - super::KEPT_PER_ID - 1)]);
        let report = crate::check_dir(&dir);
        assert_eq!(said(&report), said(&crate::check_streamed(&dir, false)));
        assert!(report.findings.iter().any(|f| f.acknowledged.is_some() && f.line == 3000 + 2900 + 1));
        let ranges = report.findings.iter().filter(|f| f.rule().as_str().starts_with("field/")).count();
        assert_eq!(ranges, ingest::MAX_LISTED);
    }

    #[test]
    fn a_conclusion_on_the_line_of_a_left_out_finding_makes_the_check_hold_every_finding() {
        // Negative figures are `field/format`'s, alone on their cells: left out past the budget.
        // A gap in the ranks is found at the end, on the line of one of them; it could have
        // been on its cell, so the check is run again holding every finding.
        let commodities: String = (1..=4000)
            .map(|n| if n < 3500 { n } else { n + 1 })
            .map(|rank| format!("NO,JP,2011,export,{rank},Fisk,-1,NOK million,,no-jp-2015\n"))
            .collect();
        let dir = folder(&commodities, "");
        assert!(!left_out(&dir).is_empty());
        let (data, problems) = ingest::parse_streaming(&dir);
        let budget = super::Budget::new(&data);
        let (watched, _) = engine::watch_streamed(&Context::new(&data), rules::ALL, Some(&budget));
        assert!(crate::conclude(&data, problems, watched).is_err(), "the gap is on a line left out");
        let report = crate::check_dir(&dir);
        assert_eq!(said(&report), said(&crate::check_streamed(&dir, false)));
        let gaps: Vec<(u32, &str)> = report
            .findings
            .iter()
            .filter(|f| f.rule().as_str() == "sequence/gap")
            .map(|f| (f.line, f.column.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(gaps, vec![(3501, "rank")]);
    }
}
