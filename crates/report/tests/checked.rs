//! The page's "What was checked" section lists every rule that ran, the rows it examined and
//! whether it held.

#![allow(clippy::unwrap_used)]

mod common;

use report::{Base, Options, render};

/// The section's row of a rule.
fn row<'h>(html: &'h str, rule: &str) -> &'h str {
    let section = &html[html.find("id=\"checked\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    let start = section.find(&format!("<tr><td><code>{rule}</code>")).unwrap_or_else(|| panic!("{rule} is not listed"));
    &section[start..start + section[start..].find("</tr>").unwrap()]
}

#[test]
fn every_rule_is_listed_with_the_rows_it_examined_and_whether_it_held() {
    let base = common::fixture("review/base");
    let head = common::fixture("review/head");
    let html = render(&head, Some(Base { label: "main", dir: &base }), &Options::default()).html;
    for rule in validate::rules::ALL {
        row(&html, rule.id.as_str());
    }
    // residents.csv of the head has 2 rows; one jump of more than half is a warning.
    let jump = row(&html, "residents/jump");
    assert!(jump.contains("<td class=\"num\">2</td>"), "{jump}");
    assert!(jump.contains("<span class=\"badge warning\">1 warning</span>"), "{jump}");
    let total = row(&html, "trade/reporter-total");
    assert!(total.contains("✓ held"), "{total}");
    assert!(total.contains("<code>trade.csv</code>"), "{total}");
    // A rule of every table examines every typed row.
    let dataset = render(&common::dataset(), None, &Options::default());
    let html = dataset.html;
    let field = row(&html, "field");
    assert!(field.contains(&format!("<td class=\"num\">{}</td>", dataset.summary.records)), "{field}");
    assert!(field.contains("every table"));
}

#[test]
fn the_summary_for_github_says_what_was_checked_too() {
    let base = common::fixture("review/base");
    let head = common::fixture("review/head");
    let md = render(&head, Some(Base { label: "main", dir: &base }), &Options::default()).markdown;
    let section = &md[md.find("<details><summary>What was checked: ").unwrap()..];
    let section = &section[..section.find("</details>").unwrap()];
    let rules = validate::rules::ALL.len();
    assert!(section.contains(&format!("of {rules} rules held</summary>")), "{section}");
    for rule in validate::rules::ALL {
        assert!(section.contains(&format!("| `{}` |", rule.id.as_str())), "{} is not listed: {section}", rule.id);
    }
    // The same account as the page: residents.csv of the head has 2 rows and one warned jump.
    assert!(section.contains("| `residents/jump` | 2 | 1 warning |"), "{section}");
    assert!(section.contains("| `trade/reporter-total` |") && section.contains("✓ held"), "{section}");
}
