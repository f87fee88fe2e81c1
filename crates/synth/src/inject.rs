//! The injector: known errors planted at known places.
//!
//! Each planted error is made so that it is reported exactly once, where it was planted, and
//! disturbs no other rule: every family gets rows of its own (its own partner for the
//! partner-level tables, its own flow for the commodity lines, its own year and flow for the
//! trade totals), and a change that would break a neighbouring rule is made whole (a
//! commodity line's value pushed past its total loses the shares that would disagree with
//! it).
//!
//! `source/unused` and `country/unused` are not planted: a rejected commodity line
//! (`cell/invalid`) leaves the table incomplete, and an unused source or country is then no
//! longer certain. Nor is `file/stray`, which is about the folder's other files, not the
//! tables.

use model::TableId;

use crate::generate::Dataset;
use crate::rng::Rng;

/// An error planted by [`inject`]: the finding `check` must report.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Planted {
    /// The table's file name, e.g. `trade_commodities.csv`.
    pub file: &'static str,
    /// The 1-based line.
    pub line: u32,
    /// The column the finding points at.
    pub column: &'static str,
    /// The rule id the finding carries.
    pub rule: &'static str,
}

/// Every family [`inject`] plants, by the rule id its finding carries.
pub const FAMILIES: &[&str] = &[
    "field/length",
    "field/format",
    "field/range",
    "field/coherence",
    "key/duplicate",
    "row/duplicate",
    "key/reference",
    "date/interval-order",
    "date/after-source",
    "date/before-relations",
    "visit/no-participants",
    "residents/jump",
    "country/iso-code",
    "id/convention",
    "sequence/gap",
    "exception/stale",
    "trade/commodity-share",
    "trade/parts-exceed-total",
    "trade/reporter-total",
    "cell/invalid",
    "cell/missing",
    "cell/formula",
];

/// A planted error before line numbers are known: rows may still be deleted above it.
struct Plant {
    rule: &'static str,
    table: TableId,
    row: usize,
    column: &'static str,
}

/// Plants up to `per_family` errors of every family of [`FAMILIES`] into `data` and returns
/// where each must be reported, sorted by file and line. A family gets fewer when the
/// dataset has too few partners, years or flows to give each its own rows.
pub fn inject(data: &mut Dataset, per_family: usize) -> Vec<Planted> {
    if per_family == 0 {
        return Vec::new();
    }
    let mut rng = Rng::new(data.params.seed).fork(0x1d_ec7);
    let n = data.params.partners;
    let years = data.params.year_count();
    let first = *data.params.years.start();
    let last = *data.params.years.end();

    let mut partners: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut partners);
    let mut partners = partners.into_iter();
    // Flows of the commodity lines, never of the first year: exceptions point there.
    let mut flows: Vec<(usize, usize, bool)> =
        (0..n).flat_map(|p| (1..years).flat_map(move |y| [(p, y, true), (p, y, false)])).collect();
    rng.shuffle(&mut flows);
    let mut flows = flows.into_iter();
    let mut groups: Vec<(usize, bool)> = (0..years).flat_map(|y| [(y, true), (y, false)]).collect();
    rng.shuffle(&mut groups);
    let mut groups = groups.into_iter();

    let mut plants = Vec::new();
    let mut plant = |rule, table, row, column| plants.push(Plant { rule, table, row, column });

    for i in 0..per_family {
        // Partner-level families: one partner each.
        if let Some(p) = partners.next() {
            let code = data.codes[p].clone();
            let row = &mut data.rows_mut(TableId::Countries)[p + 1];
            set(
                row,
                col(TableId::Countries, "name_en"),
                format!("Partner {code} {}", "with a name far too long ".repeat(5).trim_end()),
            );
            plant("field/length", TableId::Countries, p + 1, "name_en");
        }
        if let Some(p) = partners.next() {
            let row = &mut data.rows_mut(TableId::Relations)[3 * p + 2];
            let detail = format!("{} ", get(row, col(TableId::Relations, "detail")));
            set(row, col(TableId::Relations, "detail"), detail);
            plant("field/format", TableId::Relations, 3 * p + 2, "detail");
        }
        if let Some(p) = partners.next() {
            let visit = data.visits_of[p].start;
            let first_participant = data.participants_of[visit].start;
            set(
                &mut data.rows_mut(TableId::VisitParticipants)[first_participant],
                col(TableId::VisitParticipants, "seq"),
                "0".to_owned(),
            );
            plant("field/range", TableId::VisitParticipants, first_participant, "seq");
        }
        if let Some(p) = partners.next() {
            let visit = data.visits_of[p].start;
            let row = &mut data.rows_mut(TableId::Visits)[visit];
            let host = get(row, col(TableId::Visits, "host"));
            set(row, col(TableId::Visits, "guest"), host);
            plant("field/coherence", TableId::Visits, visit, "guest");
        }
        if let Some(p) = partners.next() {
            let rows = data.rows_mut(TableId::Relations);
            let id = get(&rows[3 * p + 1], col(TableId::Relations, "id"));
            set(&mut rows[3 * p + 2], col(TableId::Relations, "id"), id);
            plant("key/duplicate", TableId::Relations, 3 * p + 2, "id");
        }
        if let Some(p) = partners.next() {
            let visit = data.visits_of[p].start;
            let range = data.participants_of[visit].clone();
            let rows = data.rows_mut(TableId::VisitParticipants);
            rows[range.start + 1] = rows[range.start].clone();
            plant("row/duplicate", TableId::VisitParticipants, range.start + 1, "seq");
        }
        if let Some(p) = partners.next() {
            let row = &mut data.rows_mut(TableId::Relations)[3 * p + 1];
            let end: u16 = get(row, col(TableId::Relations, "end")).parse().unwrap_or(last);
            set(row, col(TableId::Relations, "start"), (end + 1).to_string());
            plant("date/interval-order", TableId::Relations, 3 * p + 1, "start");
        }
        if let Some(p) = partners.next() {
            let visit = data.visits_of[p].start;
            set(&mut data.rows_mut(TableId::Visits)[visit], col(TableId::Visits, "date"), format!("{}-06", last + 2));
            plant("date/after-source", TableId::Visits, visit, "date");
        }
        if let Some(p) = partners.next() {
            let visit = data.visits_of[p].start;
            let year = data.established[p] - 3;
            set(&mut data.rows_mut(TableId::Visits)[visit], col(TableId::Visits, "date"), format!("{year}-05"));
            plant("date/before-relations", TableId::Visits, visit, "date");
        }
        if let Some(p) = partners.next() {
            let visit = data.visits_of[p].start;
            let range = data.participants_of[visit].clone();
            for row in &mut data.rows_mut(TableId::VisitParticipants)[range] {
                *row = None;
            }
            plant("visit/no-participants", TableId::Visits, visit, "id");
        }
        if years >= 2
            && let Some(p) = partners.next()
        {
            let from = 1 + rng.index(years - 1);
            for y in from..years {
                let row = &mut data.rows_mut(TableId::Residents)[p * years + y];
                let count: u64 = get(row, col(TableId::Residents, "count")).parse().unwrap_or(0);
                set(row, col(TableId::Residents, "count"), (count * 3 + 10).to_string());
            }
            plant("residents/jump", TableId::Residents, p * years + from, "count");
        }
        if let Some(p) = partners.next() {
            // Norway's alpha-3 code on another country's row.
            set(&mut data.rows_mut(TableId::Countries)[p + 1], col(TableId::Countries, "iso3"), "NOR".to_owned());
            plant("country/iso-code", TableId::Countries, p + 1, "iso3");
        }
        if let Some(p) = partners.next() {
            // A leading zero: the id no longer follows `<partner>-rel-<n>`, and collides with none.
            let row = &mut data.rows_mut(TableId::Relations)[3 * p + 2];
            let id = get(row, col(TableId::Relations, "id")).replace("-rel-", "-rel-0");
            set(row, col(TableId::Relations, "id"), id);
            plant("id/convention", TableId::Relations, 3 * p + 2, "id");
        }
        if let Some(p) = partners.next() {
            // The last participant of the partner's first visit numbered one too high.
            let visit = data.visits_of[p].start;
            let last_participant = data.participants_of[visit].end - 1;
            let row = &mut data.rows_mut(TableId::VisitParticipants)[last_participant];
            let seq: u32 = get(row, col(TableId::VisitParticipants, "seq")).parse().unwrap_or(1);
            set(row, col(TableId::VisitParticipants, "seq"), (seq + 1).to_string());
            plant("sequence/gap", TableId::VisitParticipants, last_participant, "seq");
        }
        if i < n {
            // An exception for a finding that does not occur: the first year's lines are never
            // planted with errors.
            let code = data.codes[i].clone();
            let rows = data.rows_mut(TableId::Exceptions);
            rows.push(Some(vec![
                "trade/commodity-share".to_owned(),
                "trade_commodities.csv".to_owned(),
                format!("NO/{code}/{first}/export/1"),
                "share_pct".to_owned(),
                "12.5".to_owned(),
                "Planted: the page is said to round this share.".to_owned(),
            ]));
            plant("exception/stale", TableId::Exceptions, rows.len() - 1, "value");
        }

        // Commodity lines: one flow each.
        if let Some((p, y, export)) = flows.next() {
            let index = data.line_index(p, y, export, 1);
            data.lines[index].share_tenths /= 2;
            plant("trade/commodity-share", TableId::TradeCommodities, index, "share_pct");
        }
        if let Some((p, y, export)) = flows.next() {
            let k = data.params.commodities;
            let total_tenths = data.values[(p * years + y) * 2 + usize::from(!export)] * 10;
            for rank in 1..=k {
                let index = data.line_index(p, y, export, rank);
                let mut cells = data.line_cells(index);
                set(&mut cells, col(TableId::TradeCommodities, "share_pct"), String::new());
                if rank == k {
                    let value = data.lines[index].value_tenths + total_tenths;
                    set(&mut cells, col(TableId::TradeCommodities, "value"), format!("{}.{}", value / 10, value % 10));
                }
                data.line_overrides.insert(index, cells);
            }
            let index = data.line_index(p, y, export, k);
            plant("trade/parts-exceed-total", TableId::TradeCommodities, index, "value");
        }
        if let Some((p, y, export)) = flows.next() {
            let index = data.line_index(p, y, export, 1);
            let mut cells = data.line_cells(index);
            let share = get(&cells, col(TableId::TradeCommodities, "share_pct"));
            set(&mut cells, col(TableId::TradeCommodities, "share_pct"), format!("{share}%"));
            data.line_overrides.insert(index, cells);
            plant("cell/invalid", TableId::TradeCommodities, index, "share_pct");
        }
        if let Some((p, y, export)) = flows.next() {
            let index = data.line_index(p, y, export, 1);
            let mut cells = data.line_cells(index);
            set(&mut cells, col(TableId::TradeCommodities, "commodity"), String::new());
            data.line_overrides.insert(index, cells);
            plant("cell/missing", TableId::TradeCommodities, index, "commodity");
        }
        if let Some((p, y, export)) = flows.next() {
            let index = data.line_index(p, y, export, 1);
            let mut cells = data.line_cells(index);
            set(&mut cells, col(TableId::TradeCommodities, "source"), "syn-nowhere".to_owned());
            data.line_overrides.insert(index, cells);
            plant("key/reference", TableId::TradeCommodities, index, "source");
        }
        if let Some((p, y, export)) = flows.next() {
            let index = data.line_index(p, y, export, 1);
            let mut cells = data.line_cells(index);
            let name = get(&cells, col(TableId::TradeCommodities, "commodity"));
            set(
                &mut cells,
                col(TableId::TradeCommodities, "commodity"),
                format!("{}{name}", ["=", "+", "-", "@"][i % 4]),
            );
            data.line_overrides.insert(index, cells);
            plant("cell/formula", TableId::TradeCommodities, index, "commodity");
        }

        // Trade totals: one year and flow each, on a row after that group's first.
        if n >= 2
            && let Some((y, export)) = groups.next()
        {
            let p = 1 + rng.index(n - 1);
            let index = (p * years + y) * 2 + usize::from(!export);
            let row = &mut data.rows_mut(TableId::Trade)[index];
            let share = get(row, col(TableId::Trade, "share_of_reporter_total_pct"));
            let milli: u64 = share.replace('.', "").parse().unwrap_or(0) * 2 + 500;
            set(
                row,
                col(TableId::Trade, "share_of_reporter_total_pct"),
                format!("{}.{:03}", milli / 1000, milli % 1000),
            );
            plant("trade/reporter-total", TableId::Trade, index, "share_of_reporter_total_pct");
        }
    }

    let mut planted: Vec<Planted> = plants
        .into_iter()
        .map(|p| Planted { rule: p.rule, file: p.table.file(), line: data.file_line(p.table, p.row), column: p.column })
        .collect();
    planted.sort();
    planted
}

/// The position of `table`'s column `name`: plants address columns by name, so that a column
/// added to a table moves no plant to another column.
fn col(table: TableId, name: &str) -> usize {
    table.def().column_index(name).unwrap_or_else(|| panic!("{} declares no column `{name}`", table.file()))
}

fn get(row: &Option<Vec<String>>, column: usize) -> String {
    row.as_ref().and_then(|cells| cells.get(column)).cloned().unwrap_or_default()
}

fn set(row: &mut Option<Vec<String>>, column: usize, text: String) {
    if let Some(cell) = row.as_mut().and_then(|cells| cells.get_mut(column)) {
        *cell = text;
    }
}

/// The planted errors as CSV: `file,line,column,rule`.
pub fn planted_csv(planted: &[Planted]) -> String {
    let mut out = Vec::new();
    crate::push_row(&mut out, &["file", "line", "column", "rule"]);
    for p in planted {
        crate::push_row(&mut out, &[p.file, &p.line.to_string(), p.column, p.rule]);
    }
    String::from_utf8_lossy(&out).into_owned()
}
