//! The command line as users and CI call it: exit codes, formats, hostile cell text.
//!
//! Every test works on a temporary copy of the frozen dataset (`tests/fixtures/dataset/`), never
//! on the live `data/`: checking that is `cargo xtask check`'s job, not the tests'.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures")
}

/// Runs `xtask` with `args` in `dir`.
fn xtask_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(dir).env_remove("NO_COLOR").output().unwrap()
}

/// Runs `xtask` with `args` in an empty temporary folder, so that nothing it reads by default
/// is there.
fn xtask(args: &[&str]) -> Output {
    xtask_in(&scratch("empty"), args)
}

/// A fresh temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bilat-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh temporary folder holding `data/`, a copy of the frozen dataset's tables.
fn project_copy(name: &str) -> PathBuf {
    let root = scratch(name);
    let data = root.join("data");
    std::fs::create_dir(&data).unwrap();
    for entry in std::fs::read_dir(fixtures().join("dataset")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, data.join(path.file_name().unwrap())).unwrap();
        }
    }
    root
}

/// A copy of the frozen dataset, with `edit` applied to one file; returns the data folder.
fn broken_copy(name: &str, file: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = project_copy(name).join("data");
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    std::fs::write(dir.join(file), edit(&text)).unwrap();
    dir
}

/// Appends the rows of every table of `tests/fixtures/added-rows/` (valid rows of every table)
/// to the tables of `data`, checking that each header is the table's.
fn add_rows(data: &Path) -> usize {
    let mut added = 0;
    for entry in std::fs::read_dir(fixtures().join("added-rows")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let rows = std::fs::read_to_string(&path).unwrap();
        let table = data.join(path.file_name().unwrap());
        let mut text = std::fs::read_to_string(&table).unwrap();
        let (header, body) = rows.split_once('\n').unwrap();
        assert_eq!(text.lines().next(), Some(header), "{}: not the table's header", path.display());
        assert!(text.ends_with('\n'), "{}", table.display());
        text.push_str(body);
        std::fs::write(&table, text).unwrap();
        added += body.lines().count();
    }
    added
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn the_default_data_folder_passes_with_exit_0_and_plain_text() {
    let output = xtask_in(&project_copy("default"), &["check"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.starts_with("ok: 0 errors"), "{text}");
    // Not a terminal: no escape codes, even without NO_COLOR.
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn errors_exit_1_and_name_file_line_and_column() {
    let dir = broken_copy("error", "residents.csv", |t| t.replace("NO,JP,2010,838,", "NO,JP,2010,8.38,"));
    let output = xtask(&["check", "--data", dir.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("residents.csv:3:12\ncell/invalid"), "{text}");
    assert!(text.contains("FAILED: 1 error"), "{text}");
}

#[test]
fn warnings_alone_exit_0() {
    let dir = broken_copy("warning", "residents.csv", |t| format!("{t}\n"));
    let output = xtask(&["check", "--data", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("csv/blank-row"));
}

#[test]
fn usage_and_io_problems_exit_2() {
    for args in [
        vec!["check", "--data", "/nonexistent/bilat"],
        vec!["check", "--format", "xml"],
        vec!["frobnicate"],
        vec![],
        vec!["check", "--data"],
    ] {
        let output = xtask(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("error:"), "{args:?}");
    }
}

#[test]
fn json_stays_valid_whatever_a_cell_holds() {
    let hostile = "\"Evil \u{1b}[31mred\u{7} \u{0}nul \"\"quoted\"\" \\back\"";
    let dir = broken_copy("json", "visits.csv", |t| {
        t.replace("khno-2008-1,KH,NO,2008-02,,,", &format!("khno-2008-1,KH,XX,2008-02,,{hostile},"))
    });
    let output = xtask(&["check", "--format", "json", "--data", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let document: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let findings = document["findings"].as_array().unwrap();
    let finding = findings.iter().find(|f| f["rule"] == "key/reference").unwrap();
    assert_eq!(finding["file"], format!("{}/visits.csv", dir.display()));
    assert_eq!(finding["line"], 3);
    assert_eq!(finding["column"], "guest");
    assert_eq!(finding["severity"], "error");
    assert_eq!(document["summary"]["errors"], 1);
    assert!(document["summary"]["records"].as_u64().unwrap() > 150);
}

#[test]
fn github_annotations_cannot_be_injected() {
    // A cell whose text lands in a message, holding a line break, a workflow command and an
    // escaped line break; and a quoted cell spanning two lines before the bad cell.
    let dir = broken_copy("github", "relations.csv", |t| {
        t.replace(
            "kh-rel-1,KH,diplomatic_relations,",
            "\"kh-rel-1\n::error file=x::pwned\",KH,\"treaty\n::error file=y::pwned%0A::warning::z\",",
        )
    });
    let output = xtask(&["check", "--format", "github", "--data", dir.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let ours = format!("::error file={}/relations.csv,line=3,col=", dir.display());
    let commands: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), 1, "{text}");
    assert!(commands[0].starts_with(&ours), "{text}");
    assert!(
        commands[0].contains("title=cell/invalid::`kind` is `treaty␊::error file=y::pwned%250A::warning::z`"),
        "{text}"
    );
}

#[test]
fn valid_rows_added_to_every_table_check_clean() {
    // A contributor's rows: a third partner with its source, relation, visit and participant,
    // a trade flow with two-digit figures and its commodity lines, a residents year, and an
    // exception for a figure the source really prints. The check accepts them, whatever their
    // precision; the tests, which read the frozen dataset, cannot see them (the tidy test
    // `no_test_reads_the_live_data_folder`, and `.ci/run` runs the suite with them in `data/`).
    let root = project_copy("added");
    let added = add_rows(&root.join("data"));
    assert_eq!(added, 11);
    let output = xtask_in(&root, &["check"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("ok: 0 errors, 0 warnings, 1 acknowledged in 9 files (167 rows)"), "{text}");

    let output = xtask_in(&root, &["check", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = document["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "trade/commodity-share");
    assert_eq!(
        (findings[0]["file"].as_str(), findings[0]["line"].as_u64()),
        (Some("data/trade_commodities.csv"), Some(13))
    );
    assert!(findings[0]["acknowledged"].is_string(), "{:?}", findings[0]);
}

#[test]
fn an_invalid_row_added_with_them_fails_the_check_at_its_cell() {
    let root = project_copy("added-invalid");
    let data = root.join("data");
    add_rows(&data);
    // A residents year that already exists: the same key twice.
    let residents = std::fs::read_to_string(data.join("residents.csv")).unwrap();
    std::fs::write(data.join("residents.csv"), format!("{residents}NO,JP,2012,871,added-rows\n")).unwrap();
    let output = xtask_in(&root, &["check"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("data/residents.csv:6:7\nkey/duplicate"), "{text}");
    assert!(text.contains("FAILED: 1 error, 0 warnings, 1 acknowledged"), "{text}");
}

#[test]
fn stray_files_in_the_data_folder_are_warned_about_and_readmes_are_not() {
    let dir = broken_copy("stray", "residents.csv", str::to_owned);
    for name in ["trade (1).csv", "~$visits.csv", "README.md", ".gitkeep"] {
        std::fs::write(dir.join(name), "").unwrap();
    }
    let output = xtask(&["check", "--format", "json", "--data", dir.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let stray: Vec<&str> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "file/stray")
        .map(|f| f["file"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(stray, ["trade (1).csv", "~$visits.csv"], "{text}");
}
