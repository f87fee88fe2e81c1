//! Snapshots of `report.md` and `report.json`: on the frozen copy of the dataset, and on a
//! small fixture with known findings against a known base.

#![allow(clippy::unwrap_used)]

mod common;

use report::{Base, Options, render};

#[test]
fn frozen_dataset_markdown_and_json() {
    let outputs = render(&common::dataset(), None, &Options::default());
    insta::assert_snapshot!("dataset_markdown", outputs.markdown);
    insta::assert_snapshot!("dataset_json", outputs.json);
}

#[test]
fn fixture_against_its_base_markdown_and_json() {
    let base = common::fixture("review/base");
    let head = common::fixture("review/head");
    let outputs = render(&head, Some(Base { label: "main", dir: &base }), &Options::default());
    insta::assert_snapshot!("review_markdown", outputs.markdown);
    insta::assert_snapshot!("review_json", outputs.json);
}

#[test]
fn json_findings_are_those_of_check() {
    let head = common::fixture("review/head");
    let outputs = render(&head, None, &Options::default());
    let ours: serde_json::Value = serde_json::from_str(&outputs.json).unwrap();
    let check: serde_json::Value =
        serde_json::from_str(&report::findings_json::json(&validate::check_dir(&head))).unwrap();
    assert_eq!(ours["findings"], check["findings"]);
    assert_eq!(ours["summary"], check["summary"]);
    assert!(!ours["findings"].as_array().unwrap().is_empty());
}

#[test]
fn markdown_truncates_beyond_the_limit_and_stays_small() {
    // Many broken rows: every one a finding.
    let mut residents = String::from("country,citizenship,year,count,source\n");
    for year in 1000..9000 {
        residents.push_str(&format!("NO,JP,{year},{},no-jp-2015 {}\n", "9".repeat(40), "x".repeat(300)));
    }
    let head = ingest::DataDir::from_memory("data", |t| {
        (t == model::TableId::Residents).then(|| residents.clone().into_bytes())
    });
    let base = common::fixture("review/base");
    let outputs = render(&head, Some(Base { label: "main", dir: &base }), &Options::default());
    // Each broken row is counted; beyond 1,000 of one rule in one file, not listed.
    let summary = validate::check_dir(&head).summary;
    assert!(summary.errors > 8000 && summary.unlisted >= 7000, "{summary:?}");
    assert!(outputs.markdown.len() < report::markdown::GITHUB_SUMMARY_LIMIT / 4, "{}", outputs.markdown.len());
    assert!(outputs.markdown.contains("more findings are not listed here"), "{}", outputs.markdown);
    assert!(outputs.markdown.contains("more rows not listed here"));
    assert!(outputs.markdown.contains("> [!WARNING]"));
}

#[test]
fn html_marks_a_derived_start_and_only_that() {
    let outputs = render(&common::fixture("review/head"), None, &Options::default());
    let derived = "<span class=\"muted small\">(derived)</span>";
    assert!(outputs.html.contains(&format!("<td class=\"when\">1905 {derived}</td>")), "{}", outputs.html);
    assert!(outputs.html.contains("<td class=\"when\">2003</td>"), "{}", outputs.html);
    assert_eq!(outputs.html.matches(derived).count(), 1);
}
