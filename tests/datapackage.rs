//! The data package (`report::datapackage`): the reference implementation, `frictionless
//! validate`, accepts the frozen dataset with its package and reports a planted enum error,
//! duplicate key and dangling reference; and the foreign keys the model declares for the
//! package are the references the rule `key/reference` checks.
//!
//! `cargo xtask test` installs frictionless into `target/` and names it in
//! `BILAT_FRICTIONLESS`; without that variable the frictionless test fails with one line that
//! says how to get it.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use model::{Kind, TableId};

/// The variable naming the `frictionless` executable.
const FRICTIONLESS: &str = "BILAT_FRICTIONLESS";

/// The `frictionless` executable `cargo xtask test` installed.
fn frictionless() -> PathBuf {
    match std::env::var_os(FRICTIONLESS).filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "{FRICTIONLESS} is not set: run `cargo xtask test`, which installs frictionless into target/, \
             or set it to a frictionless executable (pip install frictionless)"
        ),
    }
}

/// A copy of `tests/fixtures/dataset/` in a fresh folder named after `case`, with its data
/// package and with `plant` applied to the text of each table file. The folder is removed when
/// dropped (also when the test fails).
fn copy_with_package(case: &str, plant: impl Fn(TableId, String) -> String) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(&format!("bilat-datapackage-{case}-")).tempdir().unwrap();
    for table in TableId::ALL {
        let text = std::fs::read_to_string(tests::dataset_root().join(table.file())).unwrap();
        std::fs::write(dir.path().join(table.file()), plant(*table, text)).unwrap();
    }
    let data = tests::dataset();
    let (dataset, problems) = ingest::parse(&data);
    assert!(problems.is_empty(), "the frozen dataset does not read cleanly: {problems:?}");
    let sources: Vec<model::Source<'_>> = dataset.sources.rows.iter().map(|row| row.record.clone()).collect();
    std::fs::write(dir.path().join("datapackage.json"), report::datapackage::package(&sources)).unwrap();
    dir
}

/// One error `frictionless validate` reports: its type, the resource, row and field.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Reported {
    kind: String,
    resource: String,
    row: Option<u64>,
    field: Option<String>,
}

/// Runs `frictionless validate --json datapackage.json` in `dir`: whether the package is
/// valid, and every error of every table.
fn validate(dir: &Path) -> (bool, Vec<Reported>) {
    let program = frictionless();
    let output = Command::new(&program)
        .args(["validate", "--json", "datapackage.json"])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("frictionless printed no JSON report ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    });
    let package_errors = report["errors"].as_array().cloned().unwrap_or_default();
    assert!(package_errors.is_empty(), "frictionless rejects the package itself: {package_errors:#?}");
    let mut errors = Vec::new();
    for task in report["tasks"].as_array().unwrap_or(&Vec::new()) {
        for error in task["errors"].as_array().unwrap_or(&Vec::new()) {
            errors.push(Reported {
                kind: error["type"].as_str().unwrap_or_default().to_owned(),
                resource: task["name"].as_str().unwrap_or_default().to_owned(),
                row: error["rowNumber"].as_u64(),
                field: error["fieldName"].as_str().map(str::to_owned),
            });
        }
    }
    errors.sort();
    (report["valid"] == true, errors)
}

/// `text` with the first occurrence of `from` on its line `line` (1-based) replaced by `to`.
fn replace_on_line(text: &str, line: usize, from: &str, to: &str) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    assert!(lines[line - 1].contains(from), "line {line} has no `{from}`: {}", lines[line - 1]);
    lines[line - 1] = lines[line - 1].replacen(from, to, 1);
    lines.concat()
}

fn error(kind: &str, resource: &str, row: u64, field: Option<&str>) -> Reported {
    Reported { kind: kind.to_owned(), resource: resource.to_owned(), row: Some(row), field: field.map(str::to_owned) }
}

#[test]
fn frictionless_accepts_the_dataset_and_reports_each_planted_error() {
    let dir = copy_with_package("clean", |_, text| text);
    let (valid, errors) = validate(dir.path());
    assert_eq!(errors, Vec::new());
    assert!(valid);

    // A relation kind that is not in the vocabulary.
    let dir = copy_with_package("enum", |table, text| match table {
        TableId::Relations => replace_on_line(&text, 2, ",diplomatic_relations,", ",diplomatic-relations,"),
        _ => text,
    });
    let (valid, errors) = validate(dir.path());
    assert!(!valid);
    assert_eq!(errors, vec![error("constraint-error", "relations", 2, Some("kind"))]);

    // A residents row written twice: the composite key (country, citizenship, year) repeats.
    let dir = copy_with_package("duplicate", |table, text| match table {
        TableId::Residents => {
            let second = text.lines().nth(1).unwrap().to_owned();
            format!("{text}{second}\n")
        }
        _ => text,
    });
    let rows = std::fs::read_to_string(tests::dataset_root().join("residents.csv")).unwrap().lines().count() as u64;
    let (valid, errors) = validate(dir.path());
    assert!(!valid);
    assert_eq!(errors, vec![error("primary-key", "residents", rows + 1, None)]);

    // A participant of a visit that does not exist, and a commodity line of a year without a
    // total: a one-column and a composite foreign key.
    let dir = copy_with_package("dangling", |table, text| match table {
        TableId::VisitParticipants => {
            let visit = text.lines().nth(1).unwrap().split(',').next().unwrap().to_owned();
            replace_on_line(&text, 2, &format!("{visit},"), "zz-no-such-visit,")
        }
        TableId::TradeCommodities => replace_on_line(&text, 2, ",2011,", ",1001,"),
        _ => text,
    });
    let (valid, errors) = validate(dir.path());
    assert!(!valid);
    assert_eq!(
        errors,
        vec![error("foreign-key", "trade_commodities", 2, None), error("foreign-key", "visit_participants", 2, None)]
    );
}

/// A value that no table of `tests/fixtures/base/` holds in a column of this kind, yet a valid
/// cell of it; `None` for kinds no reference is made of.
fn dangling(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Letters(2) => Some("ZZ"),
        Kind::Text => Some("zz-dangling"),
        Kind::Year => Some("1001"),
        _ => None,
    }
}

/// The `key/reference` findings on `tests/fixtures/base/` with the first row's cell of
/// `column` in `table` set to `value`: (table, line, column) of each.
fn reference_findings(table: TableId, column: &str, value: &str) -> Vec<(TableId, u32, String)> {
    let index = table.def().column_index(column).unwrap();
    let dir = ingest::DataDir::from_memory("data", |id| {
        let text = std::fs::read_to_string(tests::fixtures_root().join("base").join(id.file())).ok()?;
        if id != table {
            return Some(text.into_bytes());
        }
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        assert!(!lines[1].contains('"'), "{}: the first row has quotes", id.file());
        let mut cells: Vec<&str> = lines[1].split(',').collect();
        cells[index] = value;
        lines[1] = cells.join(",");
        Some(format!("{}\n", lines.join("\n")).into_bytes())
    });
    let report = validate::check_dir(&dir);
    report
        .findings
        .iter()
        .filter(|f| f.rule().as_str() == "key/reference")
        .map(|f| (f.table.unwrap(), f.line, f.column.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn the_declared_foreign_keys_are_what_key_reference_checks() {
    let base = ingest::DataDir::from_memory("data", |id| {
        std::fs::read(tests::fixtures_root().join("base").join(id.file())).ok()
    });
    assert!(validate::check_dir(&base).findings.iter().all(|f| f.rule().as_str() != "key/reference"));

    let mut tried = 0;
    let mut referred = Vec::new();
    for table in TableId::ALL {
        let def = table.def();
        for key in def.foreign_keys {
            referred.extend(key.target_columns.iter().map(|column| (key.target, *column)));
            // A composite key is left dangling through a column that no one-column key covers.
            let column = *key
                .columns
                .iter()
                .find(|c| key.columns.len() == 1 || def.foreign_keys.iter().all(|k| k.columns != [**c]))
                .unwrap();
            let kind = def.columns[def.column_index(column).unwrap()].kind;
            let value = dangling(kind).unwrap_or_else(|| panic!("{}: no dangling value for {kind:?}", def.file));
            let found = reference_findings(*table, column, value);
            // Reported for this key, and for no reference the column is not part of (a
            // dangling `reporter` is also a commodity line without its total).
            assert!(
                found.iter().any(|(at, line, reported)| (*at, *line) == (*table, 2)
                    && key.columns.contains(&reported.as_str())),
                "{}: `{column}` = {value} is not reported: {found:?}",
                def.file
            );
            for (at, line, reported) in &found {
                let declared = def
                    .foreign_keys
                    .iter()
                    .any(|k| k.columns.contains(&column) && k.columns.contains(&reported.as_str()));
                assert!(
                    (*at, *line) == (*table, 2) && declared,
                    "{}: `{column}` = {value} is reported where no declared key says: {found:?}",
                    def.file
                );
            }
            tried += 1;
        }
    }
    assert!(tried >= 15, "only {tried} foreign keys");

    // The converse: a column in no declared reference, and referred to by none, is not checked
    // as one. (exceptions.csv names tables, columns and rules, not rows: it has no foreign key,
    // and the base has no exception to mutate.)
    let mut unchecked = 0;
    for table in TableId::ALL {
        let def = table.def();
        for column in def.columns {
            let in_key = def.foreign_keys.iter().any(|k| k.columns.contains(&column.name));
            let is_target = referred.contains(&(*table, column.name));
            let Some(value) = dangling(column.kind) else { continue };
            if in_key || is_target || *table == TableId::Exceptions {
                continue;
            }
            let found = reference_findings(*table, column.name, value);
            assert_eq!(found, Vec::new(), "{}: `{}` = {value} is checked as a reference", def.file, column.name);
            unchecked += 1;
        }
    }
    assert!(unchecked >= 10, "only {unchecked} columns tried");
}
