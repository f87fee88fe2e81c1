//! Hostile inputs of issue 11, class 7, and its blank-line runs, at full size, through the
//! command line: memory stays within the bound `docs/performance.md` states, findings beyond
//! the listing limit are counted, not materialised, and nine million empty lines are one
//! finding whatever the line endings.
//!
//! Peak memory is measured by the command itself, as the benchmark does: `xtask bench --child
//! check DIR` reads the folder, checks it, renders the human report and prints its own peak
//! resident memory (`VmHWM`), so each input is measured alone, in its own process.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const MIB: u64 = 1 << 20;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The fixtures' small consistent dataset in a fresh temporary folder, with `residents.csv`
/// replaced by `residents`; the folder is removed when dropped (also when the test fails).
fn dataset(name: &str, residents: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(&format!("bilat-bounds-{name}-")).tempdir().unwrap();
    for entry in std::fs::read_dir(workspace().join("tests/fixtures/base")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join("residents.csv"), residents).unwrap();
    dir
}

fn base_residents() -> Vec<u8> {
    std::fs::read(workspace().join("tests/fixtures/base/residents.csv")).unwrap()
}

/// The folder's size in bytes.
fn size_of(dir: &Path) -> u64 {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum()
}

/// Checks `dir` in a child process and returns its peak resident memory in bytes.
fn peak_of_check(dir: &Path) -> u64 {
    let output =
        Command::new(env!("CARGO_BIN_EXE_xtask")).args(["bench", "--child", "check"]).arg(dir).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let kib: u64 = stdout
        .split_whitespace()
        .find_map(|word| word.strip_prefix("peak_kib="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no peak in {stdout}"));
    kib * 1024
}

/// The JSON report of `xtask check` on `dir`, and its size in bytes.
fn json_of_check(dir: &Path) -> (serde_json::Value, usize) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check", "--format", "json", "--data"])
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    (serde_json::from_str(&text).unwrap(), text.len())
}

/// The bound of `docs/performance.md` for input that is rejected rows or a few huge rows.
fn bound(input: u64) -> u64 {
    2 * input + 32 * MIB
}

#[test]
fn a_row_of_thirty_million_commas_costs_about_its_size() {
    let mut residents = base_residents();
    residents.extend(std::iter::repeat_n(b',', 30_000_000));
    residents.push(b'\n');
    let dir = dataset("commas", &residents);
    let input = size_of(dir.path());
    let peak = peak_of_check(dir.path());
    assert!(peak <= bound(input), "peak {} MiB for {} MiB of input", peak / MIB, input / MIB);

    let (json, _) = json_of_check(dir.path());
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert_eq!(findings[0]["rule"], "csv/field-count");
    assert_eq!(findings[0]["file"], format!("{}/residents.csv", dir.path().display()));
    assert_eq!((findings[0]["line"].as_u64(), findings[0]["col"].as_u64()), (Some(5), None));
    assert_eq!(findings[0]["message"], "this row has 30000001 fields, the header has 5");
    dir.close().unwrap();
}

#[test]
fn a_million_bad_lines_are_counted_not_materialised() {
    let mut residents = b"country,citizenship,year,count,source\n".to_vec();
    residents.extend(b"x\n".repeat(1_000_000));
    let dir = dataset("bad-lines", &residents);
    let input = size_of(dir.path());
    let peak = peak_of_check(dir.path());
    assert!(peak <= bound(input), "peak {} MiB for {} MiB of input", peak / MIB, input / MIB);

    let (json, size) = json_of_check(dir.path());
    assert_eq!(json["truncated"], true);
    assert_eq!(json["summary"]["errors"], 1_000_000);
    assert_eq!(json["summary"]["unlisted"], 1_000_000 - ingest::MAX_LISTED);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), ingest::MAX_LISTED);
    // The first lines of the file are the ones listed.
    assert_eq!(findings[0]["line"], 2);
    assert_eq!(findings[ingest::MAX_LISTED - 1]["line"], 1 + ingest::MAX_LISTED);
    assert!(findings.iter().all(|f| f["rule"] == "csv/field-count"));
    assert!(size < MIB as usize, "{size} bytes of JSON");
    dir.close().unwrap();
}

#[test]
fn nine_million_empty_lines_are_one_finding_in_every_line_ending() {
    for (name, ending) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let text = String::from_utf8(base_residents()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let residents =
            format!("{}{ending}{}{ending}{}{}{ending}", lines[0], lines[1], ending.repeat(9_000_000), lines[2]);
        let dir = dataset(&format!("blank-{name}"), residents.as_bytes());
        let (json, _) = json_of_check(dir.path());
        let findings = json["findings"].as_array().unwrap();
        let found: Vec<_> =
            findings.iter().map(|f| (f["rule"].clone(), f["line"].clone(), f["message"].clone())).collect();
        assert_eq!(found, vec![("csv/blank-row".into(), 3.into(), "9000000 empty lines".into())], "{name}: {json}");
        dir.close().unwrap();
    }
}
