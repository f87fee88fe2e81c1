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

#[test]
fn inserting_a_visit_renumbers_the_visits_after_it_and_their_participants_follow() {
    let base = common::fixture("renumbering/base");
    let head = common::fixture("renumbering/head");
    let diff = DataDiff::new(&base, &head);
    assert_eq!(
        diff.lines(),
        vec![
            "visits.csv: 1 row inserted, 3 rows renumbered".to_owned(),
            "visit_participants.csv: 1 row added; 2 rows follow renumbered keys".to_owned(),
        ]
    );
    assert_eq!(diff.tally(), "1 row inserted, 1 added, 3 renumbered");

    let visits = diff.table(TableId::Visits).unwrap();
    assert_eq!(visits.added.iter().map(|r| (r.key.as_str(), r.line)).collect::<Vec<_>>(), [("jpno-1997-1", 7)]);
    assert!(visits.is_inserted(&visits.added[0]));
    assert!(visits.removed.is_empty() && visits.changed.is_empty());
    let renumbered: Vec<(&str, &str, u32, u32)> =
        visits.renumbered.iter().map(|r| (r.old_key.as_str(), r.key.as_str(), r.base_line, r.line)).collect();
    assert_eq!(
        renumbered,
        [
            ("jpno-1997-1", "jpno-1997-2", 7, 8),
            ("jpno-1997-2", "jpno-1997-3", 8, 9),
            ("jpno-1997-3", "jpno-1997-4", 9, 10)
        ]
    );

    // The participants of the renumbered visits follow them: no change. The inserted visit's
    // participant is new.
    let participants = diff.table(TableId::VisitParticipants).unwrap();
    assert_eq!(participants.added.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["jpno-1997-1/1"]);
    assert!(!participants.is_inserted(&participants.added[0]));
    assert!(participants.removed.is_empty() && participants.changed.is_empty() && participants.renumbered.is_empty());
    let followed: Vec<(&str, &str)> =
        participants.followed.iter().map(|r| (r.old_key.as_str(), r.key.as_str())).collect();
    assert_eq!(followed, [("jpno-1997-1/1", "jpno-1997-2/1"), ("jpno-1997-2/1", "jpno-1997-3/1")]);
}

#[test]
fn a_finding_on_a_renumbered_row_is_already_present_not_introduced() {
    let base = common::fixture("renumbering/base");
    let head = common::fixture("renumbering/head");
    let outputs = render(&head, Some(Base { label: "main", dir: &base }), &Options::default());
    let json: serde_json::Value = serde_json::from_str(&outputs.json).unwrap();
    let findings = &json["base"]["findings"];
    // jpno-1997-3 had no participant; renumbered to jpno-1997-4, it still has none.
    let present: Vec<(&str, &str)> = findings["present"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["key"].as_str().unwrap_or_default()))
        .collect();
    assert!(present.contains(&("visit/no-participants", "jpno-1997-4")), "{present:?}");
    assert_eq!(findings["introduced"], serde_json::json!([]));
    assert_eq!(findings["fixed"], serde_json::json!([]));

    assert!(outputs.markdown.contains("· 1 row inserted, 1 added, 3 renumbered"), "{}", outputs.markdown);
    assert!(outputs.markdown.contains("🔢 renumbered `jpno-1997-1` → `jpno-1997-2` (line 8, was 7)"));
    assert!(outputs.markdown.contains("➕ inserted `jpno-1997-1` (line 7)"));
    assert!(
        outputs.html.contains("# renumbered</td><td><del><code>jpno-1997-1</code></del> → <code>jpno-1997-2</code>")
    );
    assert_eq!(json["base"]["diff"]["rows_renumbered"], 3);
    assert_eq!(json["base"]["diff"]["rows_inserted"], 1);
    assert_eq!(json["base"]["diff"]["tables"][0]["renumbered"][2]["old_key"], "jpno-1997-3");
    assert_eq!(json["base"]["diff"]["tables"][1]["rows_following"], 2);
}

#[test]
fn findings_and_the_diff_rows_they_sit_on_link_each_other_and_the_change_leads() {
    let base = common::fixture("review/base");
    let head = common::fixture("review/head");
    let html = render(&head, Some(Base { label: "main", dir: &base }), &Options::default()).html;
    // The visit added on line 7 has an invalid date, introduced by the change.
    let row_start = html.find("<tr class=\"added\" id=\"change-visits-7\">").expect("the added row has its anchor");
    let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
    let mark = row.find("<a class=\"badge error\" href=\"#finding-").expect("the row carries its finding's mark");
    let target = &row[mark + "<a class=\"badge error\" href=\"#".len()..];
    let target = &target[..target.find('"').unwrap()];
    assert!(row[mark..].contains(">cell/invalid</a>"), "{row}");
    let card_start =
        html.find(&format!("<article class=\"finding error\" id=\"{target}\">")).expect("the finding's card");
    let card = &html[card_start..card_start + html[card_start..].find("</article>").unwrap()];
    assert!(card.contains("<a class=\"badge changed\" href=\"#change-visits-7\">on a changed row</a>"), "{card}");
    // With a base, the change comes first: changes, findings, then the tables.
    let at = |id: &str| html.find(&format!("<section class=\"card\" id=\"{id}\">")).unwrap();
    assert!(at("changes") < at("findings") && at("findings") < at("tables"));
}

#[test]
fn charts_mark_the_figures_the_change_touched() {
    let base = common::dataset();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/dataset");
    let head = ingest::DataDir::from_memory("data", |table| {
        let text = std::fs::read_to_string(dir.join(table.file())).ok()?;
        Some(
            match table {
                TableId::TradeCommodities => text.replacen(
                    "NO,JP,2011,export,1,Sjømatprodukter og bearbeidede sjømatprodukter,2.9,",
                    "NO,JP,2011,export,1,Sjømatprodukter og bearbeidede sjømatprodukter,3.1,",
                    1,
                ),
                _ => text,
            }
            .into_bytes(),
        )
    });
    let html = render(&head, Some(Base { label: "main", dir: &base }), &Options::default()).html;
    let bar = html.find("3.1 NOK billion · 28 % · changed, was 2.9").expect("the changed figure says what it was");
    // The bar drawn just before its note is outlined; the bars of unchanged figures are not.
    let rect = &html[html[..bar].rfind("<rect").unwrap()..bar];
    assert!(rect.contains("stroke=\"#1f2328\" stroke-width=\"2\""), "{rect}");
    assert_eq!(html.matches("stroke-width=\"2\"><title>").count(), 1, "only the changed bar is outlined");
    let unchanged = render(&base, Some(Base { label: "main", dir: &base }), &Options::default()).html;
    assert!(!unchanged.contains("changed, was") && !unchanged.contains("new in this change"));
}
