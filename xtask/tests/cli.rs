//! The command line as users and CI call it: exit codes, formats, hostile cell text.
//!
//! Every test works on a temporary copy of the frozen dataset (`tests/fixtures/dataset/`), never
//! on the live `data/`: checking that is `cargo xtask check`'s job, not the tests'.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures")
}

/// Runs `xtask` with `args` in `dir`.
fn xtask_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(dir).env_remove("NO_COLOR").output().unwrap()
}

/// Runs `xtask` with `args` in an empty temporary folder, so that nothing it reads by default
/// is there. Each call has its own folder: tests run in parallel.
fn xtask(args: &[&str]) -> Output {
    xtask_in(scratch("empty").path(), args)
}

/// A fresh temporary folder, removed when dropped (also when the test fails).
fn scratch(name: &str) -> TempDir {
    tempfile::Builder::new().prefix(&format!("bilat-cli-{name}-")).tempdir().unwrap()
}

/// A fresh temporary folder holding `data/`, a copy of the frozen dataset's tables: the guard
/// that removes the folder when dropped, and the folder.
fn project_copy(name: &str) -> (TempDir, PathBuf) {
    let scratch = scratch(name);
    let root = scratch.path().to_path_buf();
    let data = root.join("data");
    std::fs::create_dir(&data).unwrap();
    for entry in std::fs::read_dir(fixtures().join("dataset")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, data.join(path.file_name().unwrap())).unwrap();
        }
    }
    (scratch, root)
}

/// A copy of the frozen dataset, with `edit` applied to one file: the guard that removes the
/// copy when dropped, and the data folder.
fn broken_copy(name: &str, file: &str, edit: impl Fn(&str) -> String) -> (TempDir, PathBuf) {
    let (scratch, root) = project_copy(name);
    let dir = root.join("data");
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    std::fs::write(dir.join(file), edit(&text)).unwrap();
    (scratch, dir)
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
    let (_scratch, root) = project_copy("default");
    let output = xtask_in(&root, &["check"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.starts_with("ok: 0 errors"), "{text}");
    // Not a terminal: no escape codes, even without NO_COLOR.
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn errors_exit_1_and_name_file_line_and_column() {
    let (_scratch, dir) = broken_copy("error", "residents.csv", |t| t.replace("NO,JP,2010,838,", "NO,JP,2010,8.38,"));
    let output = xtask(&["check", "--data", dir.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("residents.csv:3:12\ncell/invalid"), "{text}");
    assert!(text.contains("FAILED: 1 error"), "{text}");
}

#[test]
fn warnings_alone_exit_0() {
    let (_scratch, dir) = broken_copy("warning", "residents.csv", |t| format!("{t}\n"));
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
    let (_scratch, dir) = broken_copy("json", "visits.csv", |t| {
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
    let (_scratch, dir) = broken_copy("github", "relations.csv", |t| {
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
        commands[0].contains("title=cell/invalid::`kind` is `treaty⏎::error file=y::pwned%250A::warning::z`"),
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
    let (_scratch, root) = project_copy("added");
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
    let (_scratch, root) = project_copy("added-invalid");
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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Makes `root` a repository root as `cargo xtask` finds it: a workspace `Cargo.toml` beside
/// `data/`.
fn make_workspace(root: &Path) {
    std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
}

/// A reference to no country in visits.csv, line 3, column 16 (`guest`).
fn plant_reference(data: &Path) {
    let text = std::fs::read_to_string(data.join("visits.csv")).unwrap();
    let planted = text.replace("khno-2008-1,KH,NO,2008-02,", "khno-2008-1,KH,XX,2008-02,");
    assert_ne!(text, planted);
    std::fs::write(data.join("visits.csv"), planted).unwrap();
}

/// A fraction where residents.csv wants a whole number, line 3, column 12.
fn plant_fraction(data: &Path) {
    let text = std::fs::read_to_string(data.join("residents.csv")).unwrap();
    let planted = text.replace("NO,JP,2010,838,", "NO,JP,2010,8.38,");
    assert_ne!(text, planted);
    std::fs::write(data.join("residents.csv"), planted).unwrap();
}

const REFERENCE_LINE: &str =
    "data/visits.csv:3:16: key/reference `guest` is `XX`, which is not a `code` of countries.csv";

#[test]
fn every_command_answers_help_with_its_own_usage() {
    for command in ["check", "report", "test", "docs", "synth", "bench"] {
        for flag in ["--help", "-h"] {
            let output = xtask(&[command, flag]);
            let text = stdout(&output);
            assert_eq!(output.status.code(), Some(0), "{command} {flag}: {}", stderr(&output));
            assert!(text.starts_with(&format!("usage: cargo xtask {command}")), "{command}: {text}");
            assert!(text.contains("exit status: 0"), "{command}: {text}");
        }
    }
    // The overview names every command.
    let text = stdout(&xtask(&["--help"]));
    for command in ["check", "report", "test", "docs", "synth", "bench"] {
        assert!(text.contains(&format!("usage: cargo xtask {command}")), "{command}: {text}");
    }
    // A usage error shows the command's usage, not every command's.
    let output = xtask(&["check", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown option `--frobnicate`"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("usage: cargo xtask bench"), "{}", stderr(&output));
}

#[test]
fn the_data_folder_is_found_from_any_folder_of_the_repository() {
    let (_scratch, root) = project_copy("inside");
    make_workspace(&root);
    plant_fraction(&root.join("data"));
    let nested = root.join("crates/deep");
    std::fs::create_dir_all(&nested).unwrap();
    let planted = root.join("data/residents.csv").canonicalize().unwrap();
    for dir in [&root, &root.join("data"), &nested] {
        let output = xtask_in(dir, &["check", "--format", "concise"]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{}: {text}{}", dir.display(), stderr(&output));
        // The file is named relative to where the command ran, so that it opens from there.
        let (file, rest) = text.split_once(':').unwrap();
        assert!(rest.starts_with("3:12: cell/invalid "), "{}: {text}", dir.display());
        assert!(Path::new(file).is_relative(), "{file}");
        assert_eq!(dir.join(file).canonicalize().unwrap(), planted, "{}: {file}", dir.display());
    }
}

#[test]
fn named_tables_are_checked_alone_against_the_whole_folder() {
    let (_scratch, root) = project_copy("tables");
    let data = root.join("data");
    plant_reference(&data);
    plant_fraction(&data);
    // By file: only visits.csv's finding, and its reference into countries.csv is resolved
    // against the whole folder (the other references of visits.csv hold).
    let output = xtask_in(&root, &["check", "--format", "concise", "data/visits.csv"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert_eq!(text.lines().filter(|l| l.contains(": key/reference ")).count(), 1, "{text}");
    assert!(text.starts_with(&format!("{REFERENCE_LINE}\n")), "{text}");
    assert!(!text.contains("residents.csv"), "{text}");
    assert!(text.contains("in 1 file (") && text.contains("(only visits.csv)"), "{text}");
    // By name: the residents' finding alone.
    let output = xtask_in(&root, &["check", "--format", "concise", "residents"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.starts_with("data/residents.csv:3:12: cell/invalid "), "{text}");
    assert!(!text.contains("visits.csv:"), "{text}");
    // A table without findings passes, though others have errors.
    let output = xtask_in(&root, &["check", "countries.csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // A file's folder is the data folder; an unknown table is a usage error.
    let output = xtask(&["check", "--format", "concise", data.join("visits.csv").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let output = xtask_in(&root, &["check", "data/visit.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`data/visit.csv` is no table"), "{}", stderr(&output));
}

#[test]
fn concise_and_statistics_print_a_line_per_finding_and_per_rule() {
    let (_scratch, root) = project_copy("concise");
    let data = root.join("data");
    plant_reference(&data);
    plant_fraction(&data);
    std::fs::write(
        data.join("sources.csv"),
        format!("{}\n", std::fs::read_to_string(data.join("sources.csv")).unwrap()),
    )
    .unwrap();
    let output = xtask_in(&root, &["check", "--format", "concise"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(
        lines[0],
        "data/residents.csv:3:12: cell/invalid `count` is `8.38`: a fraction where a whole number belongs; expected a whole number"
    );
    assert!(
        lines[1].starts_with("data/sources.csv:")
            && lines[1].contains(": csv/blank-row ")
            && lines[1].ends_with(" [warning]"),
        "{text}"
    );
    assert_eq!(lines[2], REFERENCE_LINE);
    assert!(lines[3].starts_with("FAILED: 2 errors, 1 warning"), "{text}");

    let output = xtask_in(&root, &["check", "--statistics"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows.len(), 4, "{text}");
    let mut counted: Vec<(&str, &str, &str)> = rows[..3].iter().map(|r| (r[0], r[1], r[3])).collect();
    counted.sort();
    assert_eq!(
        counted,
        vec![("1", "cell/invalid", "error"), ("1", "csv/blank-row", "warning"), ("1", "key/reference", "error")]
    );
}

#[test]
fn the_human_output_gives_the_row_key_and_a_ready_exception_line() {
    let (_scratch, root) = project_copy("exception-line");
    let data = root.join("data");
    plant_reference(&data);
    plant_fraction(&data);
    // A visit whose host is its guest: a value as a source could write it.
    let visits = std::fs::read_to_string(data.join("visits.csv")).unwrap();
    let planted = visits.replace("khno-2004-1,KH,NO,2004-10,", "khno-2004-1,KH,KH,2004-10,");
    assert_ne!(visits, planted);
    std::fs::write(data.join("visits.csv"), planted).unwrap();
    let text = stdout(&xtask_in(&root, &["check"]));
    assert!(text.contains("  row: khno-2008-1\n"), "{text}");
    assert!(text.contains("  row: NO/JP/2010\n"), "{text}");
    let offered: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("    ")).collect();
    // Only the finding of a rule that allows it can be acknowledged: not the cell's type, and
    // not a reference, which the data must follow.
    assert_eq!(
        offered,
        vec!["field/coherence,visits.csv,khno-2004-1,guest,KH,<why the source really gives this value>"]
    );
    assert!(text.contains("acknowledge it with this line in data/exceptions.csv:"), "{text}");
    // The line, with its reason written, acknowledges the finding.
    let exceptions = std::fs::read_to_string(data.join("exceptions.csv")).unwrap();
    let line = offered[0].replace("<why the source really gives this value>", "The source lists this visit so.");
    std::fs::write(data.join("exceptions.csv"), format!("{exceptions}{line}\n")).unwrap();
    let output = xtask_in(&root, &["check", "--format", "concise"]);
    let text = stdout(&output);
    assert!(text.lines().any(|l| l.contains("field/coherence") && l.ends_with("[acknowledged]")), "{text}");
    assert!(text.contains(&format!("{REFERENCE_LINE}\n")), "{text}");
    assert!(text.contains("FAILED: 2 errors, 0 warnings, 1 acknowledged"), "{text}");
}

#[test]
fn settings_raise_lower_and_deny_and_the_summary_states_them() {
    let (_scratch, root) = project_copy("settings");
    let data = root.join("data");
    plant_reference(&data);
    let run = |args: &[&str]| {
        let output = xtask_in(&root, args);
        (output.status.code(), stdout(&output), stderr(&output))
    };
    // The defaults: an error.
    let (code, text, _) = run(&["check", "--format", "concise"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(!text.contains("configuration"), "{text}");
    // Lowered to a warning: passes, and says why.
    std::fs::write(root.join("bilat.toml"), "[rules]\n\"key/reference\" = \"warning\"\n").unwrap();
    let (code, text, _) = run(&["check", "--format", "concise"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains(&format!("{REFERENCE_LINE} [warning]")), "{text}");
    assert!(text.ends_with("; configuration bilat.toml: key/reference = warning\n"), "{text}");
    // Warnings denied on the command line: fails.
    let (code, text, _) = run(&["check", "--format", "concise", "--deny", "warnings"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("configuration bilat.toml, --deny warnings: key/reference = warning; warnings denied"),
        "{text}"
    );
    // Denied in the file: fails, and JSON states the settings.
    std::fs::write(
        root.join("bilat.toml"),
        "[check]\ndeny = [\"warnings\"]\n[rules]\n\"key/reference\" = \"warning\"\n",
    )
    .unwrap();
    let (code, text, _) = run(&["check", "--format", "json"]);
    assert_eq!(code, Some(1), "{text}");
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["config"]["deny_warnings"], true);
    assert_eq!(document["config"]["severities"]["key/reference"], "warning");
    assert_eq!(document["config"]["source"], "bilat.toml");
    assert_eq!(document["findings"][0]["severity"], "error");
    // Raising a warning to an error.
    std::fs::write(data.join("visits.csv"), format!("{}\n", std::fs::read_to_string(data.join("visits.csv")).unwrap()))
        .unwrap();
    std::fs::write(
        root.join("bilat.toml"),
        "[rules]\n\"csv/blank-row\" = \"error\"\n\"key/reference\" = \"warning\"\n",
    )
    .unwrap();
    let (code, text, _) = run(&["check", "--format", "concise"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(": csv/blank-row ") && !text.contains("csv/blank-row] [warning]"), "{text}");
    assert!(text.contains("FAILED: 1 error, 1 warning"), "{text}");
    // What cannot be set is refused, with exit 2.
    std::fs::write(root.join("bilat.toml"), "[rules]\n\"cell/invalid\" = \"warning\"\n").unwrap();
    let (code, _, err) = run(&["check"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("bilat.toml: [rules] \"cell/invalid\": cannot be lowered to a warning"), "{err}");
}

#[test]
fn several_outputs_in_one_run() {
    let (_scratch, root) = project_copy("outputs");
    plant_reference(&root.join("data"));
    let out = root.join("out");
    let sarif = out.join("check.sarif");
    let json = out.join("findings.json");
    let output = xtask_in(
        &root,
        &[
            "check",
            "--format",
            "concise",
            "--output",
            &format!("sarif={}", sarif.display()),
            &format!("--output=json={}", json.display()),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).starts_with(REFERENCE_LINE), "{}", stdout(&output));
    let findings: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(findings["version"], 2);
    assert_eq!(findings["findings"][0]["rule"], "key/reference");
    assert_eq!(
        (findings["findings"][0]["col"].as_u64(), findings["findings"][0]["end_col"].as_u64()),
        (Some(16), Some(18))
    );
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["ruleId"], "key/reference");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "data/visits.csv");
    assert_eq!(
        (&location["region"]["startLine"], &location["region"]["startColumn"], &location["region"]["endColumn"]),
        (&serde_json::json!(3), &serde_json::json!(16), &serde_json::json!(18))
    );
    assert_eq!(
        result["partialFingerprints"]["bilatFinding/v1"],
        r#"["key/reference","visits.csv","khno-2008-1","guest"]"#
    );
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "key/reference");
    assert!(rule["helpUri"].as_str().unwrap().ends_with("docs/rules.md#keyreference"), "{rule}");
    // A bad output is a usage error, before anything is checked.
    let output = xtask_in(&root, &["check", "--output", "xml=x"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Runs git in `root` with a fixed identity.
fn git(root: &Path, args: &[&str]) {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn fail_on_new_fails_only_on_what_the_change_introduced() {
    // The base already has an error.
    let (_scratch, root) = project_copy("fail-on-new");
    let data = root.join("data");
    plant_reference(&data);
    git(&root, &["init", "--quiet"]);
    git(&root, &["add", "data"]);
    git(&root, &["commit", "--quiet", "-m", "base"]);
    // A change that adds a valid row: passes with --fail-on new, fails without.
    let residents = std::fs::read_to_string(data.join("residents.csv")).unwrap();
    std::fs::write(data.join("residents.csv"), format!("{residents}NO,JP,2012,871,no-jp-2015\n")).unwrap();
    let output = xtask_in(&root, &["check", "--format", "concise", "--base", "HEAD", "--fail-on", "new"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(text.contains(&format!("{REFERENCE_LINE} [already present]")), "{text}");
    assert!(text.contains("0 introduced, 1 already present since HEAD"), "{text}");
    assert_eq!(xtask_in(&root, &["check", "--base", "HEAD"]).status.code(), Some(1));
    // A change that adds an error: fails, the new one marked, the old one still shown.
    plant_fraction(&data);
    for format in ["concise", "human", "github"] {
        let output = xtask_in(&root, &["check", "--format", format, "--base", "HEAD", "--fail-on", "new"]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{format}: {text}");
        assert!(text.contains("introduced") && text.contains("already present"), "{format}: {text}");
    }
    let output = xtask_in(&root, &["check", "--format", "json", "--base", "HEAD", "--fail-on", "new"]);
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let changes: Vec<(&str, &str)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["change"].as_str().unwrap()))
        .collect();
    assert_eq!(changes, vec![("cell/invalid", "introduced"), ("key/reference", "present")]);
    assert_eq!(document["base"], "HEAD");
    let output = xtask_in(&root, &["check", "--format", "sarif", "--base", "HEAD"]);
    let log: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let states: Vec<&str> =
        log["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
    assert_eq!(states, vec!["new", "unchanged"]);
    // --fail-on new without a base is a usage error.
    assert_eq!(xtask_in(&root, &["check", "--fail-on", "new"]).status.code(), Some(2));
}

#[test]
fn github_plain_lines_read_as_written_and_annotations_end_at_the_cell() {
    let (_scratch, dir) = broken_copy("github-plain", "trade_commodities.csv", |t| {
        t.replace("NOK billion,28,no-jp-2015", "NOK billion,99,no-jp-2015")
    });
    let output = xtask(&["check", "--format", "github", "--data", dir.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let file = format!("{}/trade_commodities.csv", dir.display());
    let annotation = text.lines().find(|l| l.contains("title=trade/commodity-share")).unwrap();
    assert!(
        annotation.starts_with(&format!("::error file={file},line=3,col=84,endLine=3,endColumn=86,")),
        "{annotation}"
    );
    assert!(annotation.contains("the share 99 %25 does not match"), "{annotation}");
    let plain = text.lines().find(|l| l.starts_with(&format!("{file}:3:84: "))).unwrap();
    assert!(plain.contains("the share 99 % does not match"), "{plain}");
    assert!(!text.lines().filter(|l| !l.starts_with("::")).any(|l| l.contains("%25")), "{text}");
}

#[test]
fn the_report_runs_with_the_settings_and_states_them() {
    let (_scratch, root) = project_copy("report-settings");
    plant_reference(&root.join("data"));
    std::fs::write(root.join("bilat.toml"), "[rules]\n\"key/reference\" = \"warning\"\n").unwrap();
    let out = root.join("out");
    let output = xtask_in(&root, &["report", "--out", out.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.contains("ok: 0 errors, 1 warning")
            && text.contains("; configuration bilat.toml: key/reference = warning"),
        "{text}"
    );
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(document["version"], 2);
    assert_eq!(document["config"]["severities"]["key/reference"], "warning");
    assert_eq!(document["findings"][0]["severity"], "warning");
    assert_eq!(document["passed"], true);
}

#[test]
fn stray_files_in_the_data_folder_are_warned_about_and_readmes_are_not() {
    let (_scratch, dir) = broken_copy("stray", "residents.csv", str::to_owned);
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
