//! One loop over the fixture folders: each case's findings must match its snapshot, an `err/`
//! case must raise the rule it is named after, an `ok/` case must raise nothing, LF, CRLF and
//! CR versions of a case must give the same findings at the same places, and so must one
//! thread and several, and so must parsing each file in one piece and in many blocks, and
//! streaming the commodity lines (from memory and from the disk) and holding them.

use std::panic::{AssertUnwindSafe, catch_unwind};

use tests::{LineEnding, cases, facts, listing};

/// A block size that cuts every fixture file into blocks of a line or two, so that every
/// file is above the block size and is parsed block-parallel, as files above 256 KiB are: cuts
/// fall inside runs of empty lines, next to multi-line cells and to every kind of line break.
const SMALL_BLOCKS: usize = 16;

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
            for ending in [LineEnding::AsStored, LineEnding::Crlf, LineEnding::Cr] {
                let other = case.check_in_blocks(ending, SMALL_BLOCKS);
                let what = format!("{}/{}: {ending:?} in blocks of {SMALL_BLOCKS} bytes", case.group, case.name);
                assert_eq!(facts(&report), facts(&other), "{what} differs from LF in one piece");
                if ending == LineEnding::AsStored {
                    assert_eq!(listing(&report), listing(&other), "{what} differs from one piece");
                }
            }
            // Holding every row gives what streaming them gives, in one piece and in blocks.
            for block_size in [ingest::DEFAULT_BLOCK_SIZE, SMALL_BLOCKS] {
                let held = case.check_held(LineEnding::AsStored, block_size);
                let what = format!("{}/{}: held in blocks of {block_size} bytes", case.group, case.name);
                assert_eq!(listing(&report), listing(&held), "{what} differs from streamed");
            }
            // Read from the disk block by block, as `cargo xtask check` reads: the same.
            for block_size in [ingest::DEFAULT_BLOCK_SIZE, SMALL_BLOCKS] {
                let on_disk = case.check_on_disk(LineEnding::AsStored, block_size);
                let what = format!("{}/{}: on disk in blocks of {block_size} bytes", case.group, case.name);
                assert_eq!(listing(&report), listing(&on_disk), "{what} differs from in memory");
            }
            for ending in [LineEnding::Crlf, LineEnding::Cr] {
                let on_disk = case.check_on_disk(ending, SMALL_BLOCKS);
                let what =
                    format!("{}/{}: {ending:?} on disk in blocks of {SMALL_BLOCKS} bytes", case.group, case.name);
                assert_eq!(facts(&report), facts(&on_disk), "{what} differs from LF in memory");
            }
            for threads in [1, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let other = pool.install(|| case.check(LineEnding::AsStored));
                assert_eq!(listing(&report), listing(&other), "{}/{}: {threads} threads differ", case.group, case.name);
                // From the disk, called from a core of the pool: with four, that core reads the
                // blocks and works on them while it waits; with one, each block is read, parsed
                // and looked at before the next.
                let on_disk = pool.install(|| case.check_on_disk(LineEnding::AsStored, SMALL_BLOCKS));
                let what = format!("{}/{}: on disk on {threads} threads", case.group, case.name);
                assert_eq!(listing(&report), listing(&on_disk), "{what} differs from in memory");
                // Every line ending gives the same findings on the same lines, whether each
                // block's lines are counted as it is read (four) or by its parse alone (one).
                for ending in [LineEnding::Crlf, LineEnding::Cr] {
                    let on_disk = pool.install(|| case.check_on_disk(ending, SMALL_BLOCKS));
                    let what = format!("{}/{}: {ending:?} on disk on {threads} threads", case.group, case.name);
                    assert_eq!(facts(&report), facts(&on_disk), "{what} differs from LF in memory");
                }
            }
            // A tab or any other character from the data is shown by the character policy
            // (`␉`, `⟨U+200B⟩`), never in Rust's escape syntax.
            let shown = listing(&report);
            assert!(!shown.contains("\\u{"), "{}/{}: Rust escape syntax in\n{shown}", case.group, case.name);
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
