//! The keyed diff on a fixture pair: one row added, one removed, one changed and one moved give
//! exactly three changes, shown in every output.

#![allow(clippy::unwrap_used)]

mod common;

use model::TableId;
use report::{Base, CellChange, DataDiff, Options, render};

#[test]
fn added_removed_changed_and_moved_rows_give_three_changes() {
    let base = common::fixture("diff/base");
    let head = common::fixture("diff/head");
    let diff = DataDiff::new(&base, &head);
    assert_eq!(diff.lines(), vec!["residents.csv: 1 row added, 1 row removed, 1 row changed".to_owned()]);
    assert_eq!(diff.rows_added() + diff.rows_removed() + diff.rows_changed(), 3);

    let residents = diff.table(TableId::Residents).unwrap();
    assert_eq!(residents.added.iter().map(|r| (r.key.as_str(), r.line)).collect::<Vec<_>>(), [("NO/JP/2013", 5)]);
    assert_eq!(residents.removed.iter().map(|r| (r.key.as_str(), r.line)).collect::<Vec<_>>(), [("NO/JP/2012", 5)]);
    assert_eq!(residents.changed.len(), 1);
    let changed = &residents.changed[0];
    assert_eq!((changed.key.as_str(), changed.base_line, changed.line), ("NO/JP/2010", 3, 4));
    assert_eq!(changed.cells, [CellChange { column: "count".into(), old: "838".into(), new: "840".into() }]);
    // The other tables are missing on both sides: no change.
    assert_eq!(diff.changed_tables().count(), 1);
}

#[test]
fn every_output_shows_the_diff() {
    let base = common::fixture("diff/base");
    let head = common::fixture("diff/head");
    let outputs = render(&head, Some(Base { label: "main", dir: &base }), &Options::default());
    let line = "residents.csv: 1 row added, 1 row removed, 1 row changed";
    assert!(outputs.html.contains(line));
    assert!(outputs.markdown.contains("**residents.csv: 1 row added, 1 row removed, 1 row changed**"));
    assert!(outputs.markdown.contains("count `838` → `840`"));
    assert!(outputs.html.contains("<del>838</del> → <ins>840</ins>"));
    let json: serde_json::Value = serde_json::from_str(&outputs.json).unwrap();
    assert_eq!(json["base"]["diff"]["lines"][0], line);
    assert_eq!(json["base"]["diff"]["rows_removed"], 1);
    assert_eq!(outputs.removed, [(TableId::Residents, "NO/JP/2012".to_owned())]);
    // The removed row is called out as a warning in each output.
    assert!(outputs.html.contains("Warning: 1 row removed."));
    assert!(outputs.markdown.contains("> [!WARNING]\n> **1 row removed.**"));
    assert_eq!(json["base"]["warnings"][0], "residents.csv: 1 row removed: NO/JP/2012");
}

#[test]
fn an_unchanged_folder_has_no_diff() {
    let base = common::fixture("review/base");
    let diff = DataDiff::new(&base, &common::fixture("review/base"));
    assert!(diff.is_empty());
    let outputs = render(&base, Some(Base { label: "main", dir: &base }), &Options::default());
    assert!(outputs.markdown.contains("No row of any table changed."));
    assert!(outputs.markdown.contains("**Since `main`:** 0 findings introduced, 0 fixed"), "{}", outputs.markdown);
}
