//! The command line as users and CI call it: exit codes, formats, hostile cell text.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(workspace())
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// A copy of `data/` in a fresh temporary folder, with `edit` applied to one file.
fn broken_copy(name: &str, file: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bilat-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(workspace().join("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    std::fs::write(dir.join(file), edit(&text)).unwrap();
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn the_bundled_data_passes_with_exit_0_and_plain_text() {
    let output = xtask(&["check"]);
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
        commands[0].contains("title=cell/invalid::`kind` is `treaty⏎::error file=y::pwned%250A::warning::z`"),
        "{text}"
    );
}
