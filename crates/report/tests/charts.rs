//! The charts of a review mark what the change under review added or changed: outlined, and
//! said in the mark's tooltip.

#![allow(clippy::unwrap_used)]

mod common;

use report::{Base, Options, render};

#[test]
fn a_changed_resident_count_is_outlined_on_its_column_chart() {
    let base = common::fixture("review/base");
    let head = common::fixture("review/head");
    let html = render(&head, Some(Base { label: "main", dir: &base }), &Options::default()).html;
    // residents.csv: NO/JP/2011 went from 855 to 1855 persons.
    let tip = "2011: 1855 · changed, was 855</title>";
    let at = html.find(tip).unwrap_or_else(|| panic!("no tooltip `{tip}`"));
    let mark = &html[html[..at].rfind("<rect").unwrap()..at];
    assert!(mark.contains("stroke-width=\"2\""), "{mark}");
    // The unchanged year beside it is not outlined.
    let tip = "2010: 838</title>";
    let at = html.find(tip).unwrap_or_else(|| panic!("no tooltip `{tip}`"));
    let mark = &html[html[..at].rfind("<rect").unwrap()..at];
    assert!(!mark.contains("stroke-width"), "{mark}");
    assert!(html.contains("A mark with a dark outline is a figure the change added or changed"));
    // Without a base nothing is marked as changed.
    let alone = render(&head, None, &Options::default()).html;
    assert!(!alone.contains("changed, was") && !alone.contains("dark outline"));
}
