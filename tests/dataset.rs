//! The frozen copy of the dataset (`tests/fixtures/dataset/`, see its README): it holds what the
//! two source pages say, it checks clean, and broken copies of it are caught at the exact cell.
//! These tests never read the live `data/`: checking that is `cargo xtask check`'s job.

use tests::dataset;

#[test]
fn the_frozen_dataset_checks_clean() {
    let dir = dataset();
    let report = validate::check_dir(&dir);
    let listing = tests::listing(&report);
    assert!(report.findings.iter().all(|f| f.acknowledged.is_some()), "the frozen dataset has findings:\n{listing}");
    assert_eq!(report.summary.records, 156, "{listing}");
    assert_eq!(report.summary.files, model::TableId::ALL.len());
}

#[test]
fn the_frozen_dataset_holds_what_the_two_source_pages_say() {
    // The counts and figures of the two pages as transcribed: a test that fails here means the
    // copy (or ingest) lost or altered a fact.
    let dir = dataset();
    let (data, problems) = ingest::parse(&dir);
    assert!(problems.is_empty(), "{problems:?}");

    let visits = |source: &str, host: &str, guest: &str| {
        data.visits
            .rows
            .iter()
            .filter(|r| r.record.source == source && r.record.host.as_str() == host && r.record.guest.as_str() == guest)
            .count()
    };
    assert_eq!(
        [visits("no-kh-2013", "KH", "NO"), visits("no-kh-2013", "NO", "KH")],
        [3, 2],
        "Cambodia: Norwegian visits there, Cambodian visits to Norway"
    );
    assert_eq!(
        [visits("no-jp-2015", "JP", "NO"), visits("no-jp-2015", "NO", "JP")],
        [33, 12],
        "Japan: Norwegian visits there, Japanese visits to Norway"
    );

    let participants = |source: &str| {
        data.visit_participants
            .rows
            .iter()
            .filter(|p| data.visits.rows.iter().any(|v| v.record.id == p.record.visit && v.record.source == source))
            .count()
    };
    assert_eq!([participants("no-kh-2013"), participants("no-jp-2015")], [5, 59], "participants per page");

    let relations = |country: &str| data.relations.rows.iter().filter(|r| r.record.country.as_str() == country).count();
    assert_eq!([relations("KH"), relations("JP")], [11, 4], "bilateral facts per partner");

    let text = |value: &Option<model::Decimal>| value.as_ref().map_or(String::new(), ToString::to_string);
    let unit = |unit: &Option<model::Unit>| unit.as_ref().map_or(String::new(), ToString::to_string);
    let totals: Vec<String> = data
        .trade
        .rows
        .iter()
        .map(|r| {
            let t = &r.record;
            format!(
                "{} {} {} {} {} {} {} {} {}",
                t.reporter,
                t.partner,
                t.year,
                t.flow,
                text(&t.value),
                unit(&t.unit),
                t.qualifier,
                text(&t.share_of_reporter_total_pct),
                t.source
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            "NO KH 2011 export   near_zero  no-kh-2013",
            "NO KH 2011 import 142 NOK million exact  no-kh-2013",
            "NO JP 2011 export 10.3 NOK billion exact 1.2 no-jp-2015",
            "NO JP 2011 import 11.2 NOK billion exact 2.2 no-jp-2015",
        ]
    );
    let commodities: Vec<String> = data
        .trade_commodities
        .rows
        .iter()
        .map(|r| {
            let c = &r.record;
            format!(
                "{} {} {} {} {} {} | {} {} {}",
                c.partner,
                c.year,
                c.flow,
                c.rank,
                c.commodity,
                c.source,
                text(&c.value),
                unit(&c.unit),
                text(&c.share_pct)
            )
        })
        .collect();
    assert_eq!(
        commodities,
        [
            "KH 2011 import 1 klær og skotøy no-kh-2013 |   ",
            "JP 2011 export 1 Sjømatprodukter og bearbeidede sjømatprodukter no-jp-2015 | 2.9 NOK billion 28",
            "JP 2011 export 2 Kjemiske produkter no-jp-2015 | 2.2 NOK billion 22",
            "JP 2011 export 3 Metaller, unntatt jern og stål no-jp-2015 | 1.4 NOK billion 14",
            "JP 2011 export 4 Naturgass (LNG) no-jp-2015 | 1.2 NOK billion 11",
            "JP 2011 import 1 Biler no-jp-2015 | 4.3 NOK billion 39",
            "JP 2011 import 2 Elektriske og elektroniske apparater no-jp-2015 | 2.2 NOK billion 19",
            "JP 2011 import 3 Jern og stål no-jp-2015 | 1.4 NOK billion 12",
            "JP 2011 import 4 Maskiner no-jp-2015 | 1.3 NOK billion 12",
        ]
    );
    let residents: Vec<(u16, i64)> = data.residents.rows.iter().map(|r| (r.record.year.0, r.record.count)).collect();
    assert_eq!(residents, [(2009, 799), (2010, 838), (2011, 855)], "Japanese citizens living in Norway");
}

#[test]
fn making_any_typed_cell_unparseable_is_caught_at_that_cell() {
    // For every table, every row and every column whose type is not free text, write a value
    // no type accepts and expect exactly that file, line and column.
    let dir = dataset();
    let mut checked = 0;
    for file in dir.files() {
        let def = file.table.def();
        let text = String::from_utf8(file.bytes.clone().unwrap_or_default()).expect("data is UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        for (column_index, column) in def.columns.iter().enumerate() {
            if column.expected == "text" {
                continue;
            }
            for (line_index, line) in lines.iter().enumerate().skip(1) {
                // The data has no quoted cell in typed columns, so splitting on commas outside
                // quotes finds the cell.
                let cells = split_cells(line);
                let mut broken = cells.clone();
                broken[column_index] = "#?".to_owned();
                let mut new_lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
                new_lines[line_index] = broken.join(",");
                let new_text = new_lines.join("\n") + "\n";
                let copy = ingest::DataDir::from_memory("data", |t| {
                    if t == file.table {
                        Some(new_text.clone().into_bytes())
                    } else {
                        dir.files().iter().find(|f| f.table == t)?.bytes.clone()
                    }
                });
                let report = validate::check_dir(&copy);
                let line_no = u32::try_from(line_index + 1).unwrap();
                let hit = report.findings.iter().find(|f| f.rule().as_str() == "cell/invalid");
                let hit = hit.unwrap_or_else(|| panic!("{}:{line_no} {}: not caught", file.name, column.name));
                assert_eq!(
                    (hit.file.as_str(), hit.line, hit.column.as_deref()),
                    (file.name.as_str(), line_no, Some(column.name))
                );
                assert!(!report.passed());
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "only {checked} cells were tried");
}

fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => cells.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    cells.push(current);
    cells
}

/// The ids of the numeric rules of the trade tables.
const NUMERIC_RULES: [&str; 3] = ["trade/commodity-share", "trade/parts-exceed-total", "trade/reporter-total"];

/// The lines of one table of `dir`, header included.
fn table_lines(dir: &ingest::DataDir, table: model::TableId) -> Vec<String> {
    let file = dir.files().iter().find(|f| f.table == table).expect("read_dir loads every table");
    let text = String::from_utf8(file.bytes.clone().unwrap_or_default()).expect("data is UTF-8");
    text.lines().map(str::to_owned).collect()
}

/// `dir` with one table's lines replaced, checked.
fn check_with(dir: &ingest::DataDir, table: model::TableId, lines: &[String]) -> validate::Report {
    let text = lines.join("\n") + "\n";
    let copy = ingest::DataDir::from_memory("data", |t| {
        if t == table {
            Some(text.clone().into_bytes())
        } else {
            dir.files().iter().find(|f| f.table == t)?.bytes.clone()
        }
    });
    validate::check_dir(&copy)
}

/// `lines` with the cell of `column` on line `index` (0-based, header included) set to `value`.
fn with_cell(lines: &[String], index: usize, column: &str, table: model::TableId, value: &str) -> Vec<String> {
    let column = table.def().column_index(column).expect("a declared column");
    let mut cells = split_cells(&lines[index]);
    cells[column] = value.to_owned();
    let mut edited = lines.to_vec();
    edited[index] = cells.join(",");
    edited
}

/// A decimal cell times `numerator / denominator`, written exactly: `10.3` × 1/2 is `5.15`.
fn scaled(text: &str, numerator: i64, denominator: i64) -> String {
    let value = model::Decimal::parse(text).expect("a decimal cell");
    // Dividing by 2 needs one more decimal; multiplying needs none.
    let (units, scale) = (value.units() * 10 * numerator, value.scale() + 1);
    assert_eq!(units % denominator, 0, "{text} × {numerator}/{denominator} is not exact at one more decimal");
    model::Decimal::new(units / denominator, scale).to_string()
}

#[test]
fn every_trade_figure_is_within_the_numeric_rules_reach() {
    use model::TableId::{Countries, Trade, TradeCommodities};

    let dir = dataset();
    let clean = validate::check_dir(&dir);
    let numeric: Vec<_> = clean.findings.iter().filter(|f| NUMERIC_RULES.contains(&f.rule().as_str())).collect();
    assert!(numeric.is_empty(), "the frozen dataset has numeric findings: {numeric:?}");

    let totals = table_lines(&dir, Trade);
    let commodities = table_lines(&dir, TradeCommodities);
    let cell = |table: model::TableId, line: &str, column: &str| -> String {
        split_cells(line)[table.def().column_index(column).expect("a declared column")].clone()
    };
    let flow_key = |table: model::TableId, line: &str| -> Vec<String> {
        ["reporter", "partner", "year", "flow"].iter().map(|c| cell(table, line, c)).collect()
    };
    let line_number = |index: usize| u32::try_from(index + 1).expect("a small file");
    let finds = |report: &validate::Report, rule: &str, file: &str, line: u32, column: &str| {
        report.findings.iter().any(|f| {
            f.rule().as_str() == rule && f.file == file && f.line == line && f.column.as_deref() == Some(column)
        })
    };

    // Every commodity share, 5 points higher, is caught at its own cell.
    let mut shares = 0;
    for (index, line) in commodities.iter().enumerate().skip(1) {
        let share = cell(TradeCommodities, line, "share_pct");
        if share.is_empty() {
            continue;
        }
        let higher = model::Decimal::parse(&share).expect("a share");
        let higher = model::Decimal::new(higher.units() + 5 * 10i64.pow(u32::from(higher.scale())), higher.scale());
        let edited = with_cell(&commodities, index, "share_pct", TradeCommodities, &higher.to_string());
        let report = check_with(&dir, TradeCommodities, &edited);
        let line_no = line_number(index);
        assert!(
            finds(&report, "trade/commodity-share", "data/trade_commodities.csv", line_no, "share_pct"),
            "trade_commodities.csv:{line_no}: a share of {higher} instead of {share} is not caught:\n{}",
            tests::listing(&report)
        );
        shares += 1;
    }
    assert!(shares >= 8, "only {shares} commodity shares were tried");

    // Every total that commodity figures depend on: doubled, each commodity share of its flow
    // is caught, pointing at the total; halved, its parts exceed it.
    let mut reached_totals = 0;
    for (index, line) in totals.iter().enumerate().skip(1) {
        let value = cell(Trade, line, "value");
        let parts: Vec<usize> = (1..commodities.len())
            .filter(|&i| flow_key(TradeCommodities, &commodities[i]) == flow_key(Trade, line))
            .filter(|&i| !cell(TradeCommodities, &commodities[i], "value").is_empty())
            .collect();
        if value.is_empty() || parts.is_empty() {
            continue;
        }
        let total_line = line_number(index);
        let points_at_total =
            |f: &diagnostic::Diagnostic| f.related.iter().any(|r| r.file == "data/trade.csv" && r.line == total_line);
        let doubled = check_with(&dir, Trade, &with_cell(&totals, index, "value", Trade, &scaled(&value, 2, 1)));
        for &part in &parts {
            if cell(TradeCommodities, &commodities[part], "share_pct").is_empty() {
                continue;
            }
            let part_line = line_number(part);
            let hit = doubled.findings.iter().find(|f| {
                f.rule().as_str() == "trade/commodity-share"
                    && f.line == part_line
                    && f.column.as_deref() == Some("share_pct")
            });
            assert!(
                hit.is_some_and(points_at_total),
                "trade.csv:{total_line} doubled: commodity line {part_line} is not caught against it:\n{}",
                tests::listing(&doubled)
            );
        }
        let halved = check_with(&dir, Trade, &with_cell(&totals, index, "value", Trade, &scaled(&value, 1, 2)));
        assert!(
            halved.findings.iter().any(|f| f.rule().as_str() == "trade/parts-exceed-total" && points_at_total(f)),
            "trade.csv:{total_line} halved: its parts are not found to exceed it:\n{}",
            tests::listing(&halved)
        );
        reached_totals += 1;
    }
    assert!(reached_totals >= 2, "only {reached_totals} totals were reached through their commodity lines");

    // Every share of a reporter's total: a row for another partner with the same value at twice
    // the share implies half the reporter total, and contradicts it.
    let countries: Vec<String> =
        table_lines(&dir, Countries).iter().skip(1).map(|l| cell(Countries, l, "code")).collect();
    let mut reporter_shares = 0;
    for (index, line) in totals.iter().enumerate().skip(1) {
        let share = cell(Trade, line, "share_of_reporter_total_pct");
        if share.is_empty() {
            continue;
        }
        let key = flow_key(Trade, line);
        let taken = |code: &String| {
            *code == key[0]
                || totals.iter().skip(1).any(|l| {
                    let other = flow_key(Trade, l);
                    other[0] == key[0] && other[1] == *code && other[2] == key[2] && other[3] == key[3]
                })
        };
        let partner = countries.iter().find(|c| !taken(c)).expect("a country that is not yet a partner");
        let mut added = totals.clone();
        added.push(line.clone());
        let last = added.len() - 1;
        added = with_cell(&added, last, "partner", Trade, partner);
        added = with_cell(&added, last, "share_of_reporter_total_pct", Trade, &scaled(&share, 2, 1));
        let report = check_with(&dir, Trade, &added);
        let real_line = line_number(index);
        let hit = report.findings.iter().any(|f| {
            f.rule().as_str() == "trade/reporter-total"
                && (f.line == real_line || f.related.iter().any(|r| r.file == "data/trade.csv" && r.line == real_line))
        });
        assert!(
            hit,
            "trade.csv:{real_line}: a contradicting share for {partner} is not caught:\n{}",
            tests::listing(&report)
        );
        reporter_shares += 1;
    }
    assert!(reporter_shares >= 2, "only {reporter_shares} reporter shares were tried");
}

#[test]
fn a_deliberately_broken_copy_is_caught_at_each_cell() {
    // The five mistakes a reviewer fears most, made at once in a copy of the frozen dataset: one changed
    // share, a value that overflows its total, a visit moved after its source's date, a
    // dangling reference, a duplicated key. Each must be named at its exact cell, and nothing
    // else may be reported.
    let dir = dataset();
    let edit = |table: model::TableId, text: &str| -> String {
        match table {
            model::TableId::TradeCommodities => text
                .replace("Biler,4.3,NOK billion,39,", "Biler,4.3,NOK billion,34,")
                .replace("Jern og stål,1.4,NOK billion,12,", "Jern og stål,14,NOK billion,12,"),
            model::TableId::Visits => text
                .replace("khno-2011-1,KH,NO,2011-03/2011-04,", "khno-2011-1,KH,NO,2013-05,")
                .replace("nojp-2010-1,NO,JP,", "nojp-2010-1,NO,JN,"),
            model::TableId::Residents => text.replace("NO,JP,2011,855,", "NO,JP,2010,855,"),
            _ => text.to_owned(),
        }
    };
    let copy = ingest::DataDir::from_memory("data", |t| {
        let bytes = dir.files().iter().find(|f| f.table == t)?.bytes.clone()?;
        Some(edit(t, &String::from_utf8(bytes).ok()?).into_bytes())
    });
    let report = validate::check_dir(&copy);
    let mut found: Vec<(&str, &str, u32, Option<&str>)> =
        report.findings.iter().map(|f| (f.rule().as_str(), f.file.as_str(), f.line, f.column.as_deref())).collect();
    found.sort();
    let mut expected = vec![
        ("trade/commodity-share", "data/trade_commodities.csv", 7, Some("share_pct")),
        ("trade/commodity-share", "data/trade_commodities.csv", 9, Some("share_pct")),
        ("trade/parts-exceed-total", "data/trade_commodities.csv", 9, Some("value")),
        ("date/after-source", "data/visits.csv", 2, Some("date")),
        ("key/reference", "data/visits.csv", 51, Some("guest")),
        ("key/duplicate", "data/residents.csv", 4, Some("year")),
    ];
    expected.sort();
    assert_eq!(found, expected, "{}", tests::listing(&report));
    assert!(!report.passed());
}
