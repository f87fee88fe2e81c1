//! One loop over the fixture folders: each case's findings must match its snapshot, an `err/`
//! case must raise the rule it is named after, an `ok/` case must raise nothing, LF, CRLF and
//! CR versions of a case must give the same findings at the same places, and so must one
//! thread and several.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tests::{LineEnding, cases, facts, listing};

#[test]
fn every_fixture_case() {
    let cases = cases();
    assert!(cases.len() >= 20, "expected the fixture corpus, found {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let report = case.check(LineEnding::AsStored);
            match case.expected_rule() {
                Some(rule) => assert!(
                    report.findings.iter().any(|f| f.rule().as_str() == rule),
                    "{}/{}: expected a `{rule}` finding, got {:?}",
                    case.group,
                    case.name,
                    report.findings.iter().map(|f| f.rule().as_str()).collect::<Vec<_>>()
                ),
                None => assert!(
                    report.findings.iter().all(|f| f.acknowledged.is_some()),
                    "{}/{}: expected no finding, got:\n{}",
                    case.group,
                    case.name,
                    listing(&report)
                ),
            }
            for ending in [LineEnding::Crlf, LineEnding::Cr] {
                let other = case.check(ending);
                assert_eq!(facts(&report), facts(&other), "{}/{}: {ending:?} differs from LF", case.group, case.name);
            }
            for threads in [1, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let other = pool.install(|| case.check(LineEnding::AsStored));
                assert_eq!(listing(&report), listing(&other), "{}/{}: {threads} threads differ", case.group, case.name);
            }
            insta::with_settings!({
                snapshot_path => case.dir.clone(),
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("{}/{}", case.group, case.name),
            }, {
                insta::assert_snapshot!("expected", listing(&report));
            });
        }));
        if outcome.is_err() {
            failures.push(format!("{}/{}", case.group, case.name));
        }
    }
    assert!(failures.is_empty(), "failing fixture cases: {failures:?}");
}
