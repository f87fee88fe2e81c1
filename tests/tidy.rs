//! Keeps the codebase in shape: generated documents are current, every rule is documented
//! and has fixtures that fail and pass it, and no test reads the live `data/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tests::{cases, workspace_root};

#[test]
fn generated_docs_are_current() {
    let rules = std::fs::read_to_string(workspace_root().join("docs/rules.md")).unwrap_or_default();
    assert!(rules == validate::rules::markdown(), "docs/rules.md is stale: run `cargo xtask docs`");
    let readme = std::fs::read_to_string(workspace_root().join("data/README.md")).unwrap_or_default();
    assert!(
        readme == model::dictionary::splice_into_readme(&readme),
        "data/README.md's column reference is stale: run `cargo xtask docs`"
    );
}

#[test]
fn every_rule_is_documented_with_examples() {
    for rule in validate::rules::ALL {
        let doc = rule.doc();
        assert!(doc.len() > 80, "{}: the rule's file needs a `//!` doc at its top", rule.id);
        assert!(doc.contains("Failing"), "{}: the doc needs a failing example", rule.id);
        assert!(doc.contains("Passing"), "{}: the doc needs a passing example", rule.id);
    }
    let ids: BTreeSet<&str> = validate::rules::ALL.iter().flat_map(|r| r.ids()).collect();
    assert_eq!(ids.len(), validate::rules::ALL.iter().map(|r| r.ids().len()).sum::<usize>(), "rule ids repeat");
}

#[test]
fn every_rule_and_ingest_problem_has_a_failing_fixture() {
    let raised: BTreeSet<String> = cases().iter().filter_map(|c| c.expected_rule()).collect();
    let mut missing = Vec::new();
    for kind in ingest::ErrorKind::ALL {
        // Problems of the file system itself are tested where files are created on purpose.
        let on_disk_only = matches!(
            kind,
            ingest::ErrorKind::Unreadable | ingest::ErrorKind::TooLarge | ingest::ErrorKind::OutsideDataFolder
        );
        if !on_disk_only && !raised.contains(kind.code()) {
            missing.push(kind.code().to_owned());
        }
    }
    for rule in validate::rules::ALL {
        for id in rule.ids() {
            if !raised.contains(id) {
                missing.push(id.to_owned());
            }
        }
    }
    assert!(missing.is_empty(), "no `err/` fixture raises: {missing:?}");
}

#[test]
fn rules_with_cross_row_logic_have_a_passing_fixture() {
    // A rule that compares rows must also be shown to stay silent on data that satisfies it,
    // e.g. figures that are merely rounded.
    let ok: Vec<String> = cases().iter().filter(|c| c.group == "ok").map(|c| c.name.clone()).collect();
    for rule in validate::rules::ALL {
        if rule.id == "field" || rule.id == "exception/stale" {
            continue;
        }
        let family = rule.id.replace('/', ".");
        assert!(ok.iter().any(|name| name.starts_with(&family)), "{}: add an `ok/{family}…` fixture", rule.id);
    }
}

#[test]
fn no_test_reads_the_live_data_folder() {
    // Checking `data/` is `cargo xtask check`'s job: a test that read it would fail on a
    // contributor's valid rows, or report a data error a second time. Tests and benchmarks read
    // the frozen copy in `tests/fixtures/dataset/`. This scan catches the ways a test reaches
    // the folder in this code base; `.ci/run` proves the whole property by running the suite
    // again with rows added to `data/`.
    let root = workspace_root();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 50, "only {} Rust files under {}", files.len(), root.display());
    let mut offences = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let relative = file.strip_prefix(&root).unwrap_or(file);
        for (line, reason) in live_data_references(&root, relative, &text) {
            offences.push(format!("{}:{line}: {reason}", relative.display()));
        }
    }
    assert!(offences.is_empty(), "tests must read tests/fixtures/dataset/, not data/:\n{}", offences.join("\n"));
}

#[test]
fn the_live_data_scan_flags_how_tests_used_to_read_data() {
    // Each line of the fixture is `flag` or `pass`, a tab, and a line of test code as if in
    // `crates/example/src/lib.rs` after `#[cfg(test)]`.
    let root = workspace_root();
    let cases = std::fs::read_to_string(tests::fixtures_root().join("live-data-references.txt")).unwrap_or_default();
    let mut tried = 0;
    for case in cases.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (verdict, code) = case.split_once('\t').unwrap_or_else(|| panic!("no tab in {case:?}"));
        let text = format!("#[cfg(test)]\n{code}\n");
        let found = live_data_references(&root, Path::new("crates/example/src/lib.rs"), &text);
        match verdict {
            "flag" => assert_eq!(found.len(), 1, "not flagged: {code}"),
            "pass" => assert!(found.is_empty(), "flagged: {code}: {found:?}"),
            _ => panic!("unknown verdict in {case:?}"),
        }
        tried += 1;
    }
    assert!(tried >= 10, "only {tried} cases");
    // Outside test code, the command line's default folder is `data/`, as it should be.
    let product = "let data = workspace_root().join(\"data\");\n";
    assert!(live_data_references(&root, Path::new("xtask/src/bench.rs"), product).is_empty());
    assert_eq!(live_data_references(&root, Path::new("xtask/tests/cli.rs"), product).len(), 1);
}

/// Every `.rs` file under `dir`, leaving out build output and hidden folders.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The lines (1-based) of `text`, the file `relative` of the workspace at `root`, that reach
/// the live `data/` folder, with why.
///
/// Anywhere: an `include_bytes!` or `include_str!` of a file in `data/`. In test code (a file of
/// a `tests` or `benches` folder, or what follows `#[cfg(test)]` in a source file): a path that
/// climbs up into `data`, the workspace root joined with `data`, or a command run in the
/// workspace root, where the command line reads `data/` by default. Comments are not code, and
/// `data/README.md` is not data: its generated column reference is checked as code.
fn live_data_references(root: &Path, relative: &Path, text: &str) -> Vec<(usize, &'static str)> {
    let folder = "data";
    let live = root.join(folder);
    let climb = format!("../{folder}");
    let named = [format!("\"{folder}\""), format!("\"{folder}/")];
    let generated_docs = format!("\"{folder}/README.md\"");
    let whole_file_is_test = relative.components().any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "benches")));
    let mut in_test = whole_file_is_test;
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        in_test |= line.trim_start().starts_with("#[cfg(test)]");
        let dir = root.join(relative.parent().unwrap_or(Path::new("")));
        let included = ["include_bytes!(\"", "include_str!(\""].iter().find_map(|m| {
            let start = line.find(m)? + m.len();
            let end = line[start..].find('"')? + start;
            Some(normalize(&dir.join(&line[start..end])))
        });
        let comment = line.trim_start().starts_with("//");
        let reason = if comment {
            None
        } else if included.is_some_and(|path| path.starts_with(&live)) {
            Some("includes a file of data/")
        } else if !in_test || line.contains(&generated_docs) {
            None
        } else if line.contains(&climb) {
            Some("a path climbs into data/")
        } else if ["workspace_root()", "workspace()"].iter().any(|w| line.contains(w)) {
            if named.iter().any(|n| line.contains(n.as_str())) {
                Some("joins the workspace root with data/")
            } else if line.contains("current_dir(") {
                Some("runs a command in the workspace root, where data/ is the default folder")
            } else {
                None
            }
        } else {
            None
        };
        if let Some(reason) = reason {
            found.push((index + 1, reason));
        }
    }
    found
}

/// `path` with `.` and `..` resolved without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
