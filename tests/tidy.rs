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
    assert!(
        readme.contains(validate::rules::ACKNOWLEDGEABLE_BEGIN)
            && readme == validate::rules::splice_acknowledgeable(&readme),
        "data/README.md's list of what can be acknowledged is stale: run `cargo xtask docs`"
    );
    // The package's sources are rows of data/sources.csv, which tests do not read (`cargo xtask
    // docs --check` compares them); everything else comes from the model and is checked here.
    let package = std::fs::read_to_string(workspace_root().join("data/datapackage.json")).unwrap_or_default();
    assert!(
        report::datapackage::remake_with_its_sources(&package).as_ref() == Some(&package),
        "data/datapackage.json is stale: run `cargo xtask docs`"
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
    let ids: BTreeSet<&str> = validate::rules::ALL.iter().flat_map(|r| r.ids().iter().map(|id| id.as_str())).collect();
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
            if !raised.contains(id.as_str()) {
                missing.push(id.to_string());
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
        if rule.id.as_str() == "field" || rule.id.as_str() == "exception/stale" {
            continue;
        }
        let family = rule.id.as_str().replace('/', ".");
        assert!(ok.iter().any(|name| name.starts_with(&family)), "{}: add an `ok/{family}…` fixture", rule.id);
    }
}

/// The crates of the workspace, each with the internal crates it may depend on (normal
/// dependencies). The arrows of ARCHITECTURE.md's map; a new arrow is a decision, made here.
const LAYERS: &[(&str, &[&str])] = &[
    ("crates/model", &[]),
    ("crates/diagnostic", &["model"]),
    ("crates/ingest", &["model", "diagnostic"]),
    ("crates/validate", &["model", "diagnostic", "ingest"]),
    ("crates/report", &["model", "diagnostic", "ingest", "validate"]),
    ("crates/synth", &["model", "ingest", "validate"]),
    ("crates/hostile", &["model", "diagnostic", "ingest", "validate", "report"]),
    ("tests", &["model", "diagnostic", "ingest", "validate", "report"]),
    ("xtask", &["model", "diagnostic", "ingest", "validate", "report", "synth"]),
];

const INTERNAL: &[&str] =
    &["model", "diagnostic", "ingest", "validate", "report", "synth", "hostile", "xtask", "tests"];

/// The names in a `[dependencies]` table of a Cargo.toml.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut in_dependencies = false;
    let mut names = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && let Some((name, _)) = line.split_once(['=', '.']) {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                names.push(name.to_owned());
            }
        }
    }
    names
}

#[test]
fn crates_depend_only_downwards() {
    let root = workspace_root();
    let mut wrong = Vec::new();
    for (folder, allowed) in LAYERS {
        let manifest = std::fs::read_to_string(root.join(folder).join("Cargo.toml")).unwrap_or_default();
        for name in dependencies(&manifest) {
            if INTERNAL.contains(&name.as_str()) && !allowed.contains(&name.as_str()) {
                wrong.push(format!("{folder} depends on {name}"));
            }
        }
    }
    assert!(wrong.is_empty(), "dependencies against ARCHITECTURE.md's map: {wrong:?}");
    // Every crate folder is in the map.
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        let folder = format!("crates/{}", entry.file_name().to_string_lossy());
        assert!(LAYERS.iter().any(|(f, _)| *f == folder), "{folder} is not in the layer map of tests/tidy.rs");
    }
}

#[test]
fn checking_crates_have_no_renderer_and_no_serde_json() {
    let root = workspace_root();
    for folder in ["crates/model", "crates/diagnostic", "crates/ingest", "crates/validate"] {
        let manifest = std::fs::read_to_string(root.join(folder).join("Cargo.toml")).unwrap_or_default();
        let deps = dependencies(&manifest);
        assert!(!deps.iter().any(|d| d == "serde_json"), "{folder}: machine output is the report crate's job");
        assert!(!manifest.contains("fancy"), "{folder}: miette's graphical handler belongs to the report crate");
    }
}

/// Every `.rs` file below `folder`, with its text.
fn sources(folder: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The code of a source file without its `#[cfg(test)]` module and comments.
fn code_of(text: &str) -> String {
    let body = text.split("#[cfg(test)]").next().unwrap_or(text);
    body.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

#[test]
fn only_ingest_and_the_command_line_touch_files() {
    let root = workspace_root();
    for folder in ["crates/model/src", "crates/diagnostic/src", "crates/validate/src", "crates/report/src"] {
        for (path, text) in sources(&root.join(folder)) {
            let code = code_of(&text);
            for forbidden in ["std::fs", "File::", "std::process", "Command::new", "std::net"] {
                assert!(!code.contains(forbidden), "{}: `{forbidden}`: this crate does no I/O", path.display());
            }
        }
    }
}

#[test]
fn rules_never_hold_the_streamed_rows() {
    // A check streams the rows of `ingest::STREAMED` (the commodity lines) and never holds them:
    // rules see them block by block in their `Watch` and pick the few a finding needs. A rule
    // reading the table's held rows would see none in a check.
    let root = workspace_root();
    let rules = sources(&root.join("crates/validate/src/rules"));
    assert!(rules.len() > 15, "only {} rule files", rules.len());
    for (path, text) in rules {
        let code = code_of(&text);
        assert!(!code.contains("trade_commodities.rows"), "{}: reads the streamed table's held rows", path.display());
    }
}

#[test]
fn renderers_run_no_rule_and_commands_hold_no_rule_logic() {
    let root = workspace_root();
    for (path, text) in sources(&root.join("crates/report/src")) {
        let code = code_of(&text);
        for forbidden in ["Context::new", ".run(&", "rules::ALL.iter().map(|r| r.run"] {
            assert!(!code.contains(forbidden), "{}: a renderer runs a rule (`{forbidden}`)", path.display());
        }
    }
    // The product commands orchestrate; only the development tasks (bench) time rules alone.
    for (path, text) in sources(&root.join("xtask/src")) {
        if path.ends_with("bench.rs") {
            continue;
        }
        let code = code_of(&text);
        for forbidden in ["validate::Context", "rules::ALL", "Diagnostic::new", "::error file=", "::warning file="] {
            assert!(!code.contains(forbidden), "{}: `{forbidden}` belongs in a library crate", path.display());
        }
    }
}

/// The module a source file is, by its path below `src/`: `rules/field.rs` is `rules`
/// (child modules belong to their parent), `lib.rs` is the crate root.
fn top_module(src: &std::path::Path, path: &std::path::Path) -> String {
    let relative = path.strip_prefix(src).unwrap_or(path);
    let first = relative.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

#[test]
fn modules_import_each_other_one_way() {
    let root = workspace_root();
    let mut loops = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        let src = entry.path().join("src");
        let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
        for (path, text) in sources(&src) {
            let from = top_module(&src, &path);
            if from == "lib" || from == "main" {
                continue;
            }
            for (at, _) in code_of(&text).match_indices("crate::") {
                let rest = &code_of(&text)[at + "crate::".len()..];
                let to: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let is_module = src.join(format!("{to}.rs")).is_file() || src.join(&to).join("mod.rs").is_file();
                if is_module && to != from {
                    edges.insert((from.clone(), to));
                }
            }
        }
        for (a, b) in &edges {
            if edges.contains(&(b.clone(), a.clone())) && a < b {
                loops.push(format!("{}: {a} ↔ {b}", entry.file_name().to_string_lossy()));
            }
        }
    }
    assert!(loops.is_empty(), "modules that import each other: {loops:?}");
}

#[test]
fn rules_report_only_the_ids_they_declare() {
    for case in cases() {
        let dir = ingest::DataDir::from_memory("data", case.files(tests::LineEnding::AsStored));
        let (data, _) = ingest::parse(&dir);
        let wrong = validate::undeclared_ids(&data);
        assert!(wrong.is_empty(), "{}: rules report ids they do not declare: {wrong:?}", case.name);
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
/// neither `data/README.md` nor `data/datapackage.json` is data: what they hold generated from
/// the model is checked as code.
fn live_data_references(root: &Path, relative: &Path, text: &str) -> Vec<(usize, &'static str)> {
    let folder = "data";
    let live = root.join(folder);
    let climb = format!("../{folder}");
    let named = [format!("\"{folder}\""), format!("\"{folder}/")];
    let generated_docs = [format!("\"{folder}/README.md\""), format!("\"{folder}/datapackage.json\"")];
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
        } else if !in_test || generated_docs.iter().any(|doc| line.contains(doc.as_str())) {
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

#[test]
fn the_unsafe_character_set_is_written_once() {
    let root = workspace_root();
    let policy = root.join("crates/diagnostic/src/text.rs");
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        for (path, text) in sources(&entry.path().join("src")) {
            if path == policy {
                continue;
            }
            let code = code_of(&text).to_ascii_lowercase();
            for member in ["\\u{202a}", "\\u{2066}", "\\u{200e}", "\\u{061c}"] {
                assert!(!code.contains(member), "{}: the unsafe set belongs in diagnostic::text", path.display());
            }
        }
    }
}
