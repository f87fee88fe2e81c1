//! `fix` cases: each folder of `tests/fixtures/fix/` holds files that differ from
//! `tests/fixtures/base/` (a file named `UNSAFE` asks for unsafe fixes too). Its snapshot
//! shows every finding with a fix (rule, place, applicability, title, edits), then every file
//! that `fix` changes as it is after the fix, then what is left. Each case must change some
//! file, give the same files with CRLF and CR line breaks and with 1 or 4 threads, and a
//! second `fix` must change nothing.

use std::panic::{AssertUnwindSafe, catch_unwind};

use diagnostic::Applicability;
use model::TableId;
use tests::{Case, LineEnding, convert, fixtures_root, listing};
use validate::repair::{RepairOptions, repair};

fn fix_cases() -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(fixtures_root().join("fix"))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| Case {
                    group: "fix".to_owned(),
                    name: e.file_name().to_string_lossy().into_owned(),
                    dir: e.path(),
                })
                .collect()
        })
        .unwrap_or_default();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn shown(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_fix_case() {
    let cases = fix_cases();
    assert!(cases.len() >= 10, "expected the fix cases, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let options = RepairOptions { unsafe_fixes: case.dir.join("UNSAFE").exists(), tables: Vec::new() };
            let mut content = case.files(LineEnding::AsStored);
            let before: Vec<Option<Vec<u8>>> = TableId::ALL.iter().map(|&t| content(t)).collect();
            let report = validate::check_dir(&ingest::DataDir::from_memory("data", |t| before[t as usize].clone()));
            let mut out = String::from("findings with a fix:\n");
            for finding in report.findings.iter().filter(|f| f.fix.is_some()) {
                let fix = finding.fix.as_ref().expect("filtered");
                let applicability = match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                };
                let column = finding.char_column().map_or(String::new(), |c| format!(":{c}"));
                out.push_str(&format!(
                    "  {} @ {}:{}{column} [{}] {applicability}: {}\n",
                    finding.rule(),
                    finding.file,
                    finding.line,
                    finding.column.as_deref().unwrap_or(""),
                    fix.title
                ));
                for edit in &fix.edits {
                    let replacement = if edit.replacement.len() > 60 { "(the whole file)" } else { &edit.replacement };
                    out.push_str(&format!("    {}..{} -> {replacement:?}\n", edit.span.start, edit.span.end));
                }
            }
            let fixed = repair("data", before.clone(), &options);
            let mut changed = 0;
            for &table in TableId::ALL {
                let (old, new) = (&before[table as usize], &fixed.files[table as usize]);
                if old != new {
                    changed += 1;
                    out.push_str(&format!("\n{} after fix:\n{}", table.file(), shown(new.as_deref().unwrap_or(b""))));
                }
            }
            assert!(changed > 0, "fix/{}: fix changed no file", case.name);
            // The same fixes whatever the line breaks (a UTF-16 file's bytes are not lines)
            // and however many threads.
            if !case.name.contains("utf-16") {
                let as_crlf = |files: &[Option<Vec<u8>>]| -> Vec<Option<Vec<u8>>> {
                    files.iter().map(|f| f.as_deref().map(|b| convert(b, LineEnding::Crlf))).collect()
                };
                for ending in [LineEnding::Crlf, LineEnding::Cr] {
                    let mut content = case.files(ending);
                    let files: Vec<Option<Vec<u8>>> = TableId::ALL.iter().map(|&t| content(t)).collect();
                    let other = repair("data", files, &options);
                    assert_eq!(as_crlf(&other.files), as_crlf(&fixed.files), "fix/{}: {ending:?} differs", case.name);
                }
            }
            for threads in [1, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
                let other = pool.install(|| repair("data", before.clone(), &options));
                assert_eq!(other.files, fixed.files, "fix/{}: {threads} threads differ", case.name);
            }
            let again = repair("data", fixed.files.clone(), &options);
            assert_eq!(again.files, fixed.files, "fix/{}: a second fix changed something", case.name);
            assert!(again.fixed.is_empty(), "fix/{}: a second fix applied fixes", case.name);
            out.push_str("\nleft after fix:\n");
            out.push_str(&listing(&fixed.report));
            insta::with_settings!({
                snapshot_path => case.dir.clone(),
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("fix/{}", case.name),
            }, {
                insta::assert_snapshot!("expected", out);
            });
        }));
        if outcome.is_err() {
            failures.push(case.name.clone());
        }
    }
    assert!(failures.is_empty(), "failing fix cases: {failures:?}");
}
