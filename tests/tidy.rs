//! Keeps the codebase in shape: generated documents are current, every rule is documented
//! and has fixtures that fail and pass it.

use std::collections::BTreeSet;

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
