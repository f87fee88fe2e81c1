//! Properties of `fmt` and `fix` over generated tables: `fmt` never changes a value (each
//! column's cells, read back, are the same, in the same order) and is idempotent; `fix` changes
//! only the cells whose findings carry a fix, and keeps every row; on arbitrary bytes, neither
//! panics and a second `fix` changes nothing.

use ingest::{DataDir, Sheet};
use model::TableId;
use proptest::prelude::*;
use proptest::test_runner::Config;
use validate::repair::{RepairOptions, repair};

/// Cell text with what makes CSV hard: commas, quotes, semicolons, tabs, line breaks, spaces
/// at either end, curly quotes, non-ASCII letters.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9æøåÆØÅ .,;\t\"“”%-]{0,10}",
        1 => "[a-z]{0,3}(\n|\r\n|\r)[a-z ]{0,3}",
        1 => Just(String::new()),
    ]
}

/// A cell as CSV writes it: quoted when it must be, or always when `quote_all`.
fn written(cell: &str, quote_all: bool) -> String {
    let must = cell.contains([',', '"', '\n', '\r']) || cell.trim() != cell;
    if must || quote_all { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell.to_owned() }
}

/// `countries.csv` with its columns in the order `order` (a permutation of 0..4), rows of
/// `cells`, line break `newline`, quote-all or not, a blank line after some rows, and
/// optionally a byte-order mark.
fn countries_file(
    order: &[usize],
    rows: &[Vec<String>],
    newline: &str,
    quote_all: bool,
    blank_after: &[bool],
    bom: bool,
) -> Vec<u8> {
    let names = ["code", "iso3", "name_en", "name_nb"];
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    out.push_str(&order.iter().map(|&i| written(names[i], quote_all)).collect::<Vec<_>>().join(","));
    out.push_str(newline);
    for (row, blank) in rows.iter().zip(blank_after.iter().chain(std::iter::repeat(&false))) {
        out.push_str(&order.iter().map(|&i| written(&row[i], quote_all)).collect::<Vec<_>>().join(","));
        out.push_str(newline);
        if *blank {
            out.push_str(newline);
        }
    }
    out.into_bytes()
}

/// Each declared column's cells, in row order, as a sheet of `file` holds them.
fn columns(sheet: &Sheet) -> Vec<(String, Vec<String>)> {
    let mut named: Vec<(String, Vec<String>)> = sheet
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), sheet.rows.iter().map(|r| r.cells[i].clone()).collect()))
        .collect();
    named.sort();
    named
}

fn countries_dir(bytes: Vec<u8>) -> DataDir {
    DataDir::from_memory("data", |t| (t == TableId::Countries).then(|| bytes.clone()))
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn fmt_never_changes_a_value(
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
        rows in prop::collection::vec(prop::collection::vec(cell(), 4), 0..8),
        newline in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        quote_all in any::<bool>(),
        blank_after in prop::collection::vec(any::<bool>(), 0..8),
        bom in any::<bool>(),
    ) {
        let bytes = countries_file(&order, &rows, newline, quote_all, &blank_after, bom);
        let dir = countries_dir(bytes);
        let (_, problems) = ingest::parse(&dir);
        let formatted = ingest::canonical::canonical(dir.file(TableId::Countries), &problems)
            .map_err(TestCaseError::fail)?
            .expect("the file is there");
        let again_dir = countries_dir(formatted.clone());
        prop_assert_eq!(columns(&Sheet::read(again_dir.file(TableId::Countries))), columns(&Sheet::read(dir.file(TableId::Countries))));
        let (_, problems) = ingest::parse(&again_dir);
        let twice = ingest::canonical::canonical(again_dir.file(TableId::Countries), &problems).map_err(TestCaseError::fail)?;
        prop_assert_eq!(twice, Some(formatted));
    }

    #[test]
    fn fix_changes_only_the_cells_its_edits_name(
        rows in prop::collection::vec(
            (
                prop::sample::select(vec!["NO", "no", " NO", "No"]),
                prop::sample::select(vec!["JP", "jp", "JP "]),
                prop::sample::select(vec!["2009", " 2009", "2009-01-01"]),
                prop::sample::select(vec!["799", "799 ", "7 99", "799.0", "abc"]),
            ),
            1..8,
        ),
        unsafe_fixes in any::<bool>(),
    ) {
        let mut text = String::from("country,citizenship,year,count,source\n");
        for (country, citizenship, year, count) in &rows {
            let cells = [*country, *citizenship, *year, *count, "no-jp-2015"];
            text.push_str(&cells.iter().map(|c| written(c, false)).collect::<Vec<_>>().join(","));
            text.push('\n');
        }
        let base = tests::fixtures_root().join("base");
        let files: Vec<Option<Vec<u8>>> = TableId::ALL
            .iter()
            .map(|&t| if t == TableId::Residents { Some(text.clone().into_bytes()) } else { std::fs::read(base.join(t.file())).ok() })
            .collect();
        let before = validate::check_dir(&DataDir::from_memory("data", |t| files[t as usize].clone()));
        let named: Vec<(u32, String)> = before
            .findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| unsafe_fixes || x.applicability == diagnostic::Applicability::Safe))
            .filter_map(|f| Some((f.line, f.column.clone()?)))
            .collect();
        let fixed = repair("data", files.clone(), &RepairOptions { unsafe_fixes, tables: Vec::new() });
        let sheet = |bytes: &Option<Vec<u8>>| Sheet::read(DataDir::from_memory("data", |t| (t == TableId::Residents).then(|| bytes.clone().unwrap_or_default())).file(TableId::Residents));
        let (old, new) = (sheet(&files[TableId::Residents as usize]), sheet(&fixed.files[TableId::Residents as usize]));
        prop_assert_eq!(old.rows.len(), new.rows.len());
        prop_assert_eq!(&old.columns, &new.columns);
        for (old_row, new_row) in old.rows.iter().zip(&new.rows) {
            prop_assert_eq!(old_row.line, new_row.line);
            for ((column, old_cell), new_cell) in old.columns.iter().zip(&old_row.cells).zip(&new_row.cells) {
                if old_cell != new_cell {
                    prop_assert!(
                        named.contains(&(old_row.line, column.clone())),
                        "line {} `{}`: `{}` became `{}` without a fix naming it", old_row.line, column, old_cell, new_cell
                    );
                }
            }
        }
        for &table in TableId::ALL {
            if table != TableId::Residents {
                prop_assert_eq!(&files[table as usize], &fixed.files[table as usize]);
            }
        }
    }

    #[test]
    fn fix_and_fmt_take_any_bytes(
        bytes in prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(b"NO,jp;\t\"\r\n 2,9%.\xe9\xff\x00\xef\xbb\xbf\xe2\x80\x9c".to_vec()),
                1 => any::<u8>(),
            ],
            0..200,
        ),
        header in prop::sample::select(vec!["code,iso3,name_en,name_nb\n", "code;iso3;name_en;name_nb\r\n", ""]),
    ) {
        let file = [header.as_bytes(), &bytes].concat();
        let files: Vec<Option<Vec<u8>>> = TableId::ALL.iter().map(|&t| (t == TableId::Countries).then(|| file.clone())).collect();
        let options = RepairOptions { unsafe_fixes: true, tables: Vec::new() };
        let fixed = repair("data", files, &options);
        let dir = DataDir::from_memory("data", |t| fixed.files[t as usize].clone());
        let (_, problems) = ingest::parse(&dir);
        let _ = ingest::canonical::canonical(dir.file(TableId::Countries), &problems);
        let again = repair("data", fixed.files.clone(), &options);
        prop_assert_eq!(again.files, fixed.files);
    }
}
