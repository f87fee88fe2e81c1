//! `cargo xtask bench --markdown`: the measured section of `docs/performance.md` is what the
//! generator writes. No timing is compared (timings vary): the test measures a tiny dataset
//! once, with this test build, and checks where the section goes and what its tables are made
//! of, and that the document's section has the same tables.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BEGIN: &str =
    "<!-- begin: measured by `cargo xtask bench --markdown docs/performance.md`; not edited by hand -->";
const END: &str = "<!-- end: measured by `cargo xtask bench` -->";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A fresh temporary folder, removed when dropped (also when the test fails).
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("bilat-bench-{name}-")).tempdir().unwrap()
}

/// The text between the markers.
fn section(text: &str) -> &str {
    let start = text.find(BEGIN).unwrap_or_else(|| panic!("no {BEGIN}")) + BEGIN.len();
    let end = text[start..].find(END).unwrap_or_else(|| panic!("no {END}")) + start;
    &text[start..end]
}

/// The header rows of the section's tables: a row followed by a `|---` row.
fn table_headers(section: &str) -> Vec<&str> {
    let lines: Vec<&str> = section.lines().collect();
    lines.windows(2).filter(|w| w[0].starts_with('|') && w[1].starts_with("|---")).map(|w| w[0]).collect()
}

/// The rows of the table whose header starts with `| {first} |`.
fn rows_of<'t>(section: &'t str, first: &str) -> Vec<Vec<&'t str>> {
    let header = format!("| {first} |");
    section
        .lines()
        .skip_while(|l| !l.starts_with(&header))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect()
}

#[test]
fn markdown_regenerates_the_measured_section_and_the_document_has_its_tables() {
    let dir = scratch("section");
    let doc = dir.path().join("performance.md");
    std::fs::write(&doc, format!("# Before\n\nprose\n\n{BEGIN}\nold numbers\n{END}\n\n## After\n\nmore prose\n"))
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--sizes", "1k", "--runs", "1", "--retries", "0", "--exe", env!("CARGO_BIN_EXE_xtask")])
        .arg("--data")
        .arg(workspace().join("tests/fixtures/dataset"))
        .arg("--markdown")
        .arg(&doc)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));

    let text = std::fs::read_to_string(&doc).unwrap();
    assert!(text.starts_with("# Before\n\nprose\n\n"), "{text}");
    assert!(text.ends_with(&format!("{END}\n\n## After\n\nmore prose\n")), "{text}");
    assert!(!text.contains("old numbers"), "{text}");
    let generated = section(&text);
    assert_eq!(generated.trim(), stdout.trim(), "the section is what the bench prints");

    // One row per stage at the one size, every column filled.
    let stages = rows_of(generated, "size");
    let names: Vec<&str> = stages.iter().map(|r| r[1]).collect();
    assert_eq!(
        names,
        ["floor: `csv` `ByteRecord` reads", "ingest, all cores", "full check, 1 thread", "full check, all cores"]
    );
    for row in &stages {
        assert_eq!(row.len(), 11, "{row:?}");
        assert_eq!(row[0], "1k");
        assert!(row[2..10].iter().all(|cell| cell.parse::<f64>().is_ok()), "{row:?}");
        assert_eq!(row[10], "0 of 1", "{row:?}");
    }
    assert_eq!(stages[0][6], "1.00", "the floor is 1 × itself");
    let targets: Vec<String> = rows_of(generated, "target (issue 14)").iter().map(|r| r[0].to_owned()).collect();
    for target in ["full check on all cores", "full check on 1 thread", "peak memory ≤ 0.5 × the input"] {
        assert!(targets.iter().any(|t| t.starts_with(target)), "no target `{target}` in {targets:?}");
    }
    assert!(generated.contains("| the synthetic datasets check clean | 0 findings | met |"), "{generated}");
    let parts: Vec<String> = rows_of(generated, "part").iter().map(|r| r[0].to_owned()).collect();
    assert_eq!(parts.first().map(String::as_str), Some("ingest"));
    assert!(parts.iter().any(|p| p == "key/duplicate"), "{parts:?}");

    // The document's measured section was written by this generator: the same tables.
    let performance = std::fs::read_to_string(workspace().join("docs/performance.md")).unwrap();
    assert_eq!(table_headers(section(&performance)), table_headers(generated));
}

#[test]
fn markdown_into_a_file_without_the_markers_fails_before_measuring() {
    let dir = scratch("no-markers");
    let doc = dir.path().join("notes.md");
    std::fs::write(&doc, "# Notes\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--sizes", "1k", "--runs", "1", "--exe", env!("CARGO_BIN_EXE_xtask"), "--markdown"])
        .arg(&doc)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("has no measured section to regenerate"), "{stderr}");
    assert!(!stderr.contains("round 1/1"), "measured before failing: {stderr}");
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), "# Notes\n");
}
