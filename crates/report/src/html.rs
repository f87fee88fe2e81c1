//! `index.html`: one self-contained page for reviewers.
//!
//! The page has no script and loads nothing: the CSS is inline, the charts are inline SVG, and
//! a Content-Security-Policy forbids scripts and every network request, so that even a value
//! that escaped escaping could not run or fetch anything. Sections, in order: the verdict with
//! the counts, the tables, the changes since the base (with `--base`), the findings grouped by
//! rule, one section per partner country, and the data dictionary.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::ops::Range;

use diagnostic::Snippet;
use diagnostic::{Diagnostic, Severity};
use ingest::DataDir;
use model::{CountryCode, Flow, Qualifier, Record as _, TableId, TradeCommodity, TradeTotal, Unit, Year};

use crate::escape::{html, html_doc, push_html};
use crate::partners::{self, HOME, Lookup, Partner, axis_unit, kroner};
use crate::svg::{Bar, BarChart, ColumnChart, Event, Lane, Series, Timeline, Tone};
use crate::{Comparison, DataDiff, Options, Review};

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;background:#f3f5f8;color:#1f2328;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
.page{max-width:1040px;margin:0 auto;padding:28px 24px 64px}
header.top h1{font-size:26px;line-height:1.2;margin:0 0 4px;letter-spacing:-.01em}
header.top p{margin:0;color:#59636e}
h2{font-size:21px;line-height:1.3;margin:0 0 14px;padding-bottom:8px;border-bottom:1px solid #d8dee4}
h3{font-size:16.5px;margin:26px 0 8px}
h3:first-of-type{margin-top:8px}
p{margin:8px 0}
a{color:#0969da;text-decoration:none}
a:hover{text-decoration:underline}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}
code{background:#eef1f4;border-radius:4px;padding:.1em .35em;overflow-wrap:break-word}
.card{background:#fff;border:1px solid #d8dee4;border-radius:10px;padding:20px 24px;margin:18px 0}
.muted{color:#59636e}
.small{font-size:13px}
.verdict{border:1px solid;border-radius:10px;padding:18px 24px;margin:18px 0}
.verdict.pass{background:#e6f6ea;border-color:#8fd19e}
.verdict.fail{background:#fdecea;border-color:#f3a59f}
.verdict-head{display:flex;align-items:center;gap:14px;font-size:24px;font-weight:700}
.verdict-head .sub{font-size:15px;font-weight:400;color:#3d444d}
.icon{display:inline-flex;align-items:center;justify-content:center;width:38px;height:38px;border-radius:50%;color:#fff;font-size:21px;flex:none}
.pass .icon{background:#1a7f37}.fail .icon{background:#cf222e}
dl.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(118px,1fr));gap:10px;margin:16px 0 4px}
dl.stats div{background:rgba(255,255,255,.75);border-radius:8px;padding:8px 12px}
dl.stats dt{font-size:11.5px;text-transform:uppercase;letter-spacing:.06em;color:#59636e}
dl.stats dd{margin:0;font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
dl.stats dd.bad{color:#cf222e}dl.stats dd.warn{color:#9a6700}
.versus{margin:12px 0 0}
nav.toc{display:flex;flex-wrap:wrap;gap:6px 8px;margin:8px 0 0;font-size:14px}
nav.toc a{background:#fff;border:1px solid #d8dee4;border-radius:999px;padding:3px 12px;color:#1f2328}
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e6eaef;vertical-align:top}
th{font-size:11.5px;text-transform:uppercase;letter-spacing:.05em;color:#59636e;font-weight:600;border-bottom:1px solid #d0d7de}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.when{white-space:nowrap;font-variant-numeric:tabular-nums;font-weight:600}
tbody tr:hover{background:#f8fafc}
.badge{display:inline-block;font-size:12px;font-weight:600;line-height:18px;border-radius:999px;padding:0 9px;border:1px solid;white-space:nowrap}
.badge.error{color:#b42318;background:#fdecea;border-color:#f5b8b2}
.badge.warning{color:#8a5a00;background:#fff5cc;border-color:#ecd37a}
.badge.acknowledged{color:#6639ba;background:#f6efff;border-color:#dccbf6}
.badge.changed{color:#0b5cad;background:#e8f1fd;border-color:#b6d3f7}
.badge.state{color:#a14a00;background:#fff1e5;border-color:#f3c89c}
.rule-group{margin:16px 0 22px}
.rule-head{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px;margin-bottom:6px}
.rule-head>code{font-size:15px;font-weight:600}
.rule-head .count{font-size:12px;color:#59636e;background:#eef1f4;border-radius:999px;padding:0 8px}
.rule-head .doc{flex-basis:100%;color:#59636e;font-size:13.5px}
article.finding{border:1px solid #d8dee4;border-left:4px solid #cf222e;border-radius:8px;padding:10px 16px;margin:10px 0;background:#fff}
article.finding.warning{border-left-color:#d4a72c}
article.finding.acknowledged{border-left-color:#8250df}
.finding-head{display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;font-size:13.5px}
.finding-head .meta{color:#59636e}
.finding .message{font-weight:600;margin:6px 0}
.finding .help,.finding .ack{font-size:14px;margin:6px 0}
.label{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.06em;color:#59636e;margin-right:6px}
pre.csv{background:#f6f8fa;border:1px solid #e6eaef;border-radius:6px;padding:6px 0;margin:8px 0;line-height:1.6;white-space:pre-wrap;overflow-wrap:anywhere}
pre.csv .ln{display:inline-block;min-width:3.2em;padding:0 10px 0 6px;margin-right:10px;text-align:right;color:#656d76;border-right:1px solid #e1e6eb;user-select:none}
pre.csv .hdr{color:#57606a}
mark{background:#ffe3c2;color:inherit;border-radius:3px;box-shadow:0 0 0 1px #e16f24;padding:0 1px}
mark.gap::before{content:"\2205";color:#bc4c00}
.related{font-size:13.5px;margin:6px 0 2px;color:#3d444d}
.callout{border-radius:8px;padding:10px 14px;margin:12px 0;border:1px solid}
.callout.warn{background:#fff8d6;border-color:#e3c55b}
.callout strong{display:block}
table.diff td.kind{white-space:nowrap;font-weight:600}
table.diff td:nth-child(2) code{white-space:nowrap}
tr.added td.kind{color:#1a7f37}tr.removed td.kind{color:#cf222e}tr.changed td.kind{color:#0b5cad}
tr.removed{background:#fff6f5}
.kv{display:inline-block;margin:1px 10px 1px 0;white-space:pre-wrap}
.kv .k{color:#59636e;font-size:12px;margin-right:4px}
del{background:#fdecea;color:#8c1d18;text-decoration:line-through;border-radius:3px;padding:0 2px}
ins{background:#e1f5e6;color:#116329;text-decoration:none;border-radius:3px;padding:0 2px}
.country h2 .codes{font-size:14px;font-weight:400;color:#59636e;margin-left:8px}
.facts{color:#3d444d;margin-top:-4px}
figure{margin:10px 0 18px}
figcaption{font-size:13px;color:#59636e;margin-top:2px}
svg.chart{display:block;max-width:none;height:auto}
.scroll{overflow-x:auto;max-width:100%}
.scroll:focus-visible{outline:2px solid #0969da;outline-offset:2px}
details{margin:8px 0}
summary{cursor:pointer;color:#0969da;font-size:14px}
.empty{color:#59636e;font-style:italic}
.held{color:#1a7f37;font-weight:600}
.dict h3 code{font-size:15px}
footer{color:#59636e;font-size:13px;text-align:center;margin-top:28px}
@media (max-width:640px){.page{padding:16px 10px}.card{padding:14px}}
@media print{body{background:#fff}.card,.verdict{break-inside:avoid-page}}
"#;

/// The page.
pub fn page(review: &Review<'_>, options: &Options) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let verdict = if review.report.passed() { "passed" } else { "failed" };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         img-src data:; form-action 'none'; base-uri 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>bilat data report: {verdict}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<div class=\"page\">\n"
    );
    out.push_str("<header class=\"top\"><h1>bilat data report</h1><p>Norway's bilateral relations: ");
    let data_folder = review.head.files().first().map_or("data", |f| f.name.rsplit_once('/').map_or("", |(d, _)| d));
    if data_folder.is_empty() {
        out.push_str("the data folder");
    } else {
        let _ = write!(out, "<code>{}/</code>", html(data_folder));
    }
    if let Some(base) = &review.base {
        let _ = write!(out, " compared with <code>{}</code>", html(base.label));
    }
    out.push_str("</p></header>\n");
    toc(&mut out, review);
    out.push_str("<main>\n");
    verdict_banner(&mut out, review);
    // Against a base the page leads with the change: what changed, what it broke or fixed.
    if let Some(base) = &review.base {
        let links = Links { findings: &review.report.findings, diff: Some(base.diff) };
        changes_section(&mut out, base, options, &links);
        findings_section(&mut out, review, options);
        checked_section(&mut out, review);
        tables_section(&mut out, review);
    } else {
        tables_section(&mut out, review);
        findings_section(&mut out, review, options);
        checked_section(&mut out, review);
    }
    countries_section(&mut out, review, options);
    dictionary_section(&mut out);
    out.push_str(
        "</main>\n<footer>Written by <code>cargo xtask report</code>. The page runs no script and loads nothing.</footer>\n\
         </div>\n</body>\n</html>\n",
    );
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

fn verdict_banner(out: &mut String, review: &Review<'_>) {
    let summary = &review.report.summary;
    let passed = review.report.passed();
    let (class, icon, word) = if passed { ("pass", "✓", "Passed") } else { ("fail", "✗", "Failed") };
    let sub = if passed {
        if summary.warnings == 0 { "no errors, no warnings".to_owned() } else { "no errors".to_owned() }
    } else {
        format!("{} must be fixed", plural(summary.errors, "error", "errors"))
    };
    let _ = write!(
        out,
        "<section class=\"verdict {class}\" id=\"summary\"><div class=\"verdict-head\"><span class=\"icon\" \
         aria-hidden=\"true\">{icon}</span><span>{word}</span><span class=\"sub\">{sub}</span></div>\n<dl class=\"stats\">"
    );
    let stat = |out: &mut String, name: &str, value: usize, class: &str| {
        let class = if value > 0 && !class.is_empty() { format!(" class=\"{class}\"") } else { String::new() };
        let _ = write!(out, "<div><dt>{name}</dt><dd{class}>{value}</dd></div>");
    };
    stat(out, "Errors", summary.errors, "bad");
    stat(out, "Warnings", summary.warnings, "warn");
    stat(out, "Acknowledged", summary.acknowledged, "");
    stat(out, "Tables", review.report.tables.len(), "");
    stat(out, "Rows", summary.records, "");
    out.push_str("</dl>\n");
    if let Some(base) = &review.base {
        let diff = base.diff;
        let _ = writeln!(
            out,
            "<p class=\"versus\">Since <code>{}</code>: <strong>{}</strong> introduced, <strong>{}</strong> fixed, \
             {} already present · {}.</p>",
            html(base.label),
            plural(base.split.introduced.len(), "finding", "findings"),
            base.split.fixed.len(),
            base.split.present.len(),
            html(&diff.tally()),
        );
        if diff.rows_removed() > 0 {
            removed_callout(out, base);
        }
    }
    out.push_str("</section>\n");
}

fn removed_callout(out: &mut String, base: &Comparison<'_>) {
    let _ = write!(
        out,
        "<div class=\"callout warn\" role=\"note\"><strong>⚠ Warning: {} removed.</strong> This change deletes data; \
         check that every removal is intended.",
        plural(base.diff.rows_removed(), "row", "rows")
    );
    out.push_str(" <a href=\"#changes\">See the changes.</a></div>\n");
}

fn toc(out: &mut String, review: &Review<'_>) {
    out.push_str("<nav class=\"toc\" aria-label=\"Contents\">");
    let findings = format!("<a href=\"#findings\">Findings ({})</a>", review.report.findings.len());
    if review.base.is_some() {
        let _ = write!(
            out,
            "<a href=\"#changes\">Changes</a>{findings}<a href=\"#checked\">What was checked</a>\
             <a href=\"#tables\">Tables</a>"
        );
    } else {
        let _ = write!(out, "<a href=\"#tables\">Tables</a>{findings}<a href=\"#checked\">What was checked</a>");
    }
    let lookup = Lookup::new(review.data);
    for partner in partners::partners(review.data, &lookup) {
        let _ = write!(
            out,
            "<a href=\"#country-{}\">{}</a>",
            partner.code.as_str().to_ascii_lowercase(),
            html(&lookup.name(partner.code))
        );
    }
    out.push_str("<a href=\"#dictionary\">Data dictionary</a></nav>\n");
}

fn size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn tables_section(out: &mut String, review: &Review<'_>) {
    out.push_str(
        "<section class=\"card\" id=\"tables\"><h2>Tables</h2>\n<div class=\"scroll\" tabindex=\"0\" role=\"region\" \
         aria-label=\"Tables\"><table><thead><tr><th>Table</th><th class=\"num\">Rows\
         </th><th class=\"num\">Rejected</th><th class=\"num\">Errors</th><th class=\"num\">Warnings</th>\
         <th class=\"num\">Acknowledged</th><th class=\"num\">Size</th></tr></thead><tbody>\n",
    );
    for stats in &review.report.tables {
        let mut counts = [0usize; 3];
        for finding in review.report.findings.iter().filter(|f| f.file == stats.file) {
            counts[state(finding) as usize] += 1;
        }
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#table-{file}\"><code>{file}</code></a></td><td class=\"num\">{}</td><td class=\"num\">{}\
             </td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            stats.rows,
            stats.rejected,
            counts[0],
            counts[1],
            counts[2],
            if stats.bytes == 0 { "missing".to_owned() } else { size(stats.bytes) },
            file = html(stats.table.file()),
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// What a finding means for the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Error = 0,
    Warning = 1,
    Acknowledged = 2,
}

fn state(finding: &Diagnostic) -> State {
    match (finding.severity, &finding.acknowledged) {
        (_, Some(_)) => State::Acknowledged,
        (Severity::Error, None) => State::Error,
        (Severity::Warning, None) => State::Warning,
    }
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Error => "error",
            State::Warning => "warning",
            State::Acknowledged => "acknowledged",
        }
    }
}

fn changes_section(out: &mut String, base: &Comparison<'_>, options: &Options, links: &Links<'_>) {
    let _ = writeln!(
        out,
        "<section class=\"card\" id=\"changes\"><h2>Changes since <code>{}</code></h2>",
        html(base.label)
    );
    if base.diff.is_empty() {
        out.push_str("<p class=\"empty\">No row of any table changed.</p></section>\n");
        return;
    }
    if base.diff.rows_removed() > 0 {
        removed_callout(out, base);
    }
    out.push_str(
        "<p class=\"muted small\">Rows are matched by their primary key: a row that only moved is not a change.</p>\n",
    );
    for table in base.diff.changed_tables() {
        let _ = writeln!(out, "<h3 id=\"diff-{}\">{}</h3>", html(table.table.file()), html(&table.summary()));
        let _ = write!(out, "{}", scroll_region(&format!("Changes in {}", table.table.file())));
        out.push_str(
            "<table class=\"diff\"><thead><tr><th>Change</th><th>Key</th><th class=\"num\">Line</th><th>Cells</th>\
             </tr></thead><tbody>\n",
        );
        let mut shown = 0;
        let total = table.added.len() + table.removed.len() + table.changed.len() + table.renumbered.len();
        for row in &table.removed {
            if shown == options.html_rows {
                break;
            }
            shown += 1;
            let _ = write!(
                out,
                "<tr class=\"removed\" id=\"removed-{}-{}\"><td class=\"kind\">− removed</td><td>{}</td>\
                 <td class=\"num\">was {}</td><td>",
                table.table.file().trim_end_matches(".csv"),
                row.line,
                key_html(&row.key),
                row.line
            );
            cells_html(out, table.cells(row));
            out.push_str("</td></tr>\n");
        }
        for row in &table.added {
            if shown == options.html_rows {
                break;
            }
            shown += 1;
            let verb = if table.is_inserted(row) { "inserted" } else { "added" };
            let _ = write!(
                out,
                "<tr class=\"added\" id=\"{}\"><td class=\"kind\">+ {verb}</td><td>{}{}</td><td class=\"num\">{}</td>\
                 <td>",
                change_anchor(table.table, row.line),
                key_html(&row.key),
                links.marks(table.table, &row.key, row.line),
                row.line
            );
            cells_html(out, table.cells(row));
            out.push_str("</td></tr>\n");
        }
        for row in &table.renumbered {
            if shown == options.html_rows {
                break;
            }
            shown += 1;
            let _ = writeln!(
                out,
                "<tr class=\"renumbered\" id=\"{}\"><td class=\"kind\"># renumbered</td><td><del>{}</del> → {}{}</td>\
                 <td class=\"num\">{} <span class=\"muted\">(was {})</span></td>\
                 <td class=\"muted\">other cells unchanged</td></tr>",
                change_anchor(table.table, row.line),
                key_html(&row.old_key),
                key_html(&row.key),
                links.marks(table.table, &row.key, row.line),
                row.line,
                row.base_line
            );
        }
        for row in &table.changed {
            if shown == options.html_rows {
                break;
            }
            shown += 1;
            let moved = if row.base_line == row.line {
                String::new()
            } else {
                format!(" <span class=\"muted\">(was {})</span>", row.base_line)
            };
            let _ = write!(
                out,
                "<tr class=\"changed\" id=\"{}\"><td class=\"kind\">~ changed</td><td>{}{}</td>\
                 <td class=\"num\">{}{moved}</td><td>",
                change_anchor(table.table, row.line),
                key_html(&row.key),
                links.marks(table.table, &row.key, row.line),
                row.line
            );
            for cell in &row.cells {
                let _ = write!(
                    out,
                    "<span class=\"kv\"><span class=\"k\">{}</span><del>{}</del> → <ins>{}</ins></span>",
                    html(&cell.column),
                    shown_cell(&cell.old),
                    shown_cell(&cell.new)
                );
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table></div>\n");
        if shown < total {
            let _ =
                writeln!(out, "<p class=\"muted\">… and {} more rows; report.json lists them all.</p>", total - shown);
        }
    }
    out.push_str("</section>\n");
}

/// The start of a region that scrolls sideways when its table is wider than the screen: it
/// can be focused, to scroll it with the keyboard, and is named for screen readers. Closed by
/// `</div>`.
fn scroll_region(label: &str) -> String {
    format!("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"{}\">", html(label))
}

/// Opens a figure with a chart in a region of its own that scrolls sideways on a narrow screen,
/// so that its text is never drawn smaller than written; the caption and `</figure>` follow.
/// The region is named `Chart N: <the chart's title>`, numbered after the charts already in
/// `out`, so that no two regions have the same name. The chart is written once, never copied:
/// a label may quote a huge cell.
fn chart_figure(out: &mut String, svg: &str) {
    // Text from the data cannot hold the label's start: a `"` from the data is escaped.
    let number = out.matches(CHART_LABEL).count() + 1;
    // The chart's title, already escaped, names the region.
    let title = svg.split_once("<title>").and_then(|(_, rest)| rest.split_once("</title>")).map_or("", |(t, _)| t);
    let _ =
        write!(out, "<figure><div class=\"scroll\" tabindex=\"0\" role=\"region\" {CHART_LABEL}{number}: {title}\">");
    out.push_str(svg);
    out.push_str("</div>");
}

/// How a chart's region label starts.
const CHART_LABEL: &str = "aria-label=\"Chart ";

/// A row key for the diff table: cut to 60 characters, in full as the tooltip.
fn key_html(key: &str) -> String {
    let short = crate::escape::truncate(key, 60);
    if short.len() == key.len() {
        format!("<code>{}</code>", html(key))
    } else {
        format!("<code title=\"{}\">{}</code>", html(key), html(&short))
    }
}

/// A cell's text for the diff, with an empty cell shown as such.
fn shown_cell(text: &str) -> String {
    if text.is_empty() { "<i class=\"muted\">empty</i>".to_owned() } else { html(text) }
}

fn cells_html<'c>(out: &mut String, cells: impl Iterator<Item = (&'c str, &'c str)>) {
    for (column, value) in cells.filter(|(_, v)| !v.is_empty()) {
        let _ = write!(out, "<span class=\"kv\"><span class=\"k\">{}</span>{}</span>", html(column), html(value));
    }
}

/// The header line of every file of a data folder, by shown file name.
fn headers(dir: &DataDir) -> HashMap<String, String> {
    dir.files()
        .iter()
        .filter_map(|file| {
            let bytes = file.bytes.as_deref()?;
            let end = bytes.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(bytes.len());
            let line = String::from_utf8_lossy(&bytes[..end]).trim_start_matches('\u{feff}').to_owned();
            Some((file.name.clone(), line))
        })
        .collect()
}

/// The documentation line of a rule id, from ingest's kinds or the rule's own docs.
fn rule_summary(id: &str) -> Option<String> {
    ingest::ErrorKind::ALL.iter().find(|k| k.code() == id).map(|k| k.summary().to_owned()).or_else(|| {
        validate::rules::ALL.iter().find(|r| r.ids().iter().any(|rule| rule.as_str() == id)).map(|r| r.summary())
    })
}

/// Findings grouped by rule: the groups with the worst state first, then by rule id.
fn by_rule<'f>(findings: &[&'f Diagnostic]) -> Vec<(&'static str, Vec<&'f Diagnostic>)> {
    let mut groups: BTreeMap<&'static str, Vec<&'f Diagnostic>> = BTreeMap::new();
    for finding in findings {
        groups.entry(finding.rule().as_str()).or_default().push(finding);
    }
    let mut list: Vec<(&'static str, Vec<&'f Diagnostic>)> = groups.into_iter().collect();
    list.sort_by_key(|(rule, group)| (group.iter().map(|f| state(f)).min(), *rule));
    list
}

/// Renders findings by rule, at most `budget` cards; returns how many were left out.
struct Cards<'o> {
    budget: usize,
    left_out: usize,
    options: &'o Options,
    links: &'o Links<'o>,
}

/// The anchors that join findings and the diff rows they sit on: a finding of the data now is
/// `#finding-N` (its place in the report), a row of the diff `#change-TABLE-LINE` (its line now;
/// a removed row's `#removed-TABLE-LINE`, its line at the base).
struct Links<'r> {
    findings: &'r [Diagnostic],
    diff: Option<&'r DataDiff>,
}

impl Links<'_> {
    /// The place of a finding of the data now in the report, for its anchor.
    fn finding(&self, finding: &Diagnostic) -> Option<usize> {
        let start = self.findings.as_ptr() as usize;
        let at = std::ptr::from_ref(finding) as usize;
        let size = std::mem::size_of::<Diagnostic>();
        (at >= start && at < start + std::mem::size_of_val(self.findings)).then(|| (at - start) / size)
    }

    /// The anchor of the diff row a finding sits on: the added, changed or renumbered row of its
    /// key, or else of its line.
    fn row_of(&self, finding: &Diagnostic) -> Option<String> {
        let table = self.diff?.table(finding.table?)?;
        let rows = || {
            table
                .added
                .iter()
                .map(|r| (r.key.as_str(), r.line))
                .chain(table.changed.iter().map(|r| (r.key.as_str(), r.line)))
                .chain(table.renumbered.iter().map(|r| (r.key.as_str(), r.line)))
        };
        let line = match finding.key.as_deref() {
            Some(key) => rows().find(|(k, _)| *k == key).map(|(_, line)| line),
            None => None,
        }
        .or_else(|| rows().find(|(_, line)| *line == finding.line && finding.line > 0).map(|(_, line)| line))?;
        Some(change_anchor(table.table, line))
    }

    /// Marks linking to the findings of the data now on a diff row, by its key or its line.
    fn marks(&self, table: TableId, key: &str, line: u32) -> String {
        let mut marks = String::new();
        for (index, finding) in self.findings.iter().enumerate() {
            if finding.table != Some(table) || !(finding.key.as_deref() == Some(key) || finding.line == line) {
                continue;
            }
            let state = state(finding);
            let _ = write!(
                marks,
                " <a class=\"badge {}\" href=\"#finding-{index}\">{}</a>",
                state.name(),
                html(finding.rule().as_str())
            );
        }
        marks
    }
}

/// The anchor of the diff row at `line` of `table` now.
fn change_anchor(table: TableId, line: u32) -> String {
    format!("change-{}-{line}", table.file().trim_end_matches(".csv"))
}

impl Cards<'_> {
    fn groups(
        &mut self,
        out: &mut String,
        findings: &[&Diagnostic],
        headers: &HashMap<String, String>,
        touched: &dyn Fn(&Diagnostic) -> bool,
    ) {
        for (rule, group) in by_rule(findings) {
            let _ = write!(
                out,
                "<div class=\"rule-group\"><div class=\"rule-head\"><code>{}</code><span class=\"count\">{}</span>",
                html(rule),
                group.len()
            );
            if let Some(doc) = rule_summary(rule) {
                let _ = write!(out, "<span class=\"doc\">{}</span>", html_doc(&doc));
            }
            out.push_str("</div>\n");
            let mut skipped = 0;
            for finding in group {
                if self.budget == 0 {
                    skipped += 1;
                    continue;
                }
                self.budget -= 1;
                let row =
                    if touched(finding) { self.links.row_of(finding).or_else(|| Some(String::new())) } else { None };
                finding_card(out, finding, headers, row, self.links.finding(finding));
            }
            if skipped > 0 {
                self.left_out += skipped;
                let _ = writeln!(
                    out,
                    "<p class=\"muted\">… and {skipped} more (the page shows {} findings; report.json has all).</p>",
                    self.options.html_findings
                );
            }
            out.push_str("</div>\n");
        }
    }
}

fn findings_section(out: &mut String, review: &Review<'_>, options: &Options) {
    out.push_str("<section class=\"card\" id=\"findings\"><h2>Findings</h2>\n");
    let head_headers = headers(review.head);
    let links = Links { findings: &review.report.findings, diff: review.base.as_ref().map(|b| b.diff) };
    let mut cards = Cards { budget: options.html_findings, left_out: 0, options, links: &links };
    match &review.base {
        None => {
            if review.report.findings.is_empty() {
                out.push_str("<p class=\"empty\">No findings: every rule passes on every row.</p>\n");
            } else {
                let _ = writeln!(
                    out,
                    "<p class=\"muted\">{}.</p>",
                    html(&crate::human::summary_line(&review.report.summary))
                );
                let all: Vec<&Diagnostic> = review.report.findings.iter().collect();
                cards.groups(out, &all, &head_headers, &|_| false);
            }
        }
        Some(base) => {
            let base_headers = headers(base.dir);
            let touched = |f: &Diagnostic| base.diff.touches(f);
            let parts: [SplitPart<'_>; 3] = [
                (
                    "introduced",
                    "Introduced by this change",
                    &base.split.introduced,
                    &head_headers,
                    "No finding is new.",
                ),
                ("fixed", "Fixed by this change", &base.split.fixed, &base_headers, "No finding was fixed."),
                ("present", "Already present at the base", &base.split.present, &head_headers, "None."),
            ];
            for (id, title, findings, headers, none) in parts {
                let _ = writeln!(out, "<h3 id=\"findings-{id}\">{title} ({})</h3>", findings.len());
                if id == "fixed" && !findings.is_empty() {
                    let _ = writeln!(
                        out,
                        "<p class=\"muted small\">As found at <code>{}</code>; lines are the base's.</p>",
                        html(base.label)
                    );
                }
                if findings.is_empty() {
                    let _ = writeln!(out, "<p class=\"empty\">{none}</p>");
                } else if id == "fixed" {
                    cards.groups(out, findings, headers, &|_| false);
                } else {
                    cards.groups(out, findings, headers, &touched);
                }
            }
        }
    }
    out.push_str("</section>\n");
}

/// Every rule that ran: the tables it examined, how many rows they hold (typed, so checked), and
/// whether it held, in the manner of a data-docs page that lists every expectation.
fn checked_section(out: &mut String, review: &Review<'_>) {
    out.push_str(
        "<section class=\"card\" id=\"checked\"><h2>What was checked</h2>\n<p class=\"muted small\">Every rule \
         ran on every row it reads that was read without a problem; what ingest found in the files is under \
         Findings.</p>\n",
    );
    out.push_str(&scroll_region("What was checked"));
    out.push_str(
        "<table><thead><tr><th>Rule</th><th>Checks</th><th class=\"num\">Rows examined</th><th>Result</th></tr>\
         </thead><tbody>\n",
    );
    for outcome in crate::checked::outcomes(review.report) {
        let rule = outcome.rule;
        let result = if outcome.failing == 0 {
            let text = outcome.result_text();
            let rest = text.trim_start_matches("✓ held");
            format!("<span class=\"held\">✓ held</span>{}", html(rest))
        } else {
            let class = if rule.severity == Severity::Error { "error" } else { "warning" };
            format!("<span class=\"badge {class}\">{}</span>", html(&outcome.result_text()))
        };
        let tables = if rule.reads.is_empty() {
            "every table".to_owned()
        } else {
            rule.reads.iter().map(|t| format!("<code>{}</code>", html(t.file()))).collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{} <span class=\"muted small\">({tables})</span></td>\
             <td class=\"num\">{}</td><td>{result}</td></tr>",
            html(rule.id.as_str()),
            html_doc(&rule.summary()),
            outcome.rows,
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// One part of the finding split: anchor, heading, findings, their files' header lines, and
/// the text shown when it is empty.
type SplitPart<'p> = (&'p str, &'p str, &'p [&'p Diagnostic], &'p HashMap<String, String>, &'p str);

/// A finding as a card; `changed_row` is the anchor of the diff row it sits on (empty when that
/// row is not listed), `index` its place in the report of the data now.
fn finding_card(
    out: &mut String,
    finding: &Diagnostic,
    headers: &HashMap<String, String>,
    changed_row: Option<String>,
    index: Option<usize>,
) {
    let state = state(finding);
    let name = state.name();
    let id = index.map(|i| format!(" id=\"finding-{i}\"")).unwrap_or_default();
    let _ = write!(
        out,
        "<article class=\"finding {name}\"{id}><div class=\"finding-head\"><span class=\"badge {name}\">{name}</span>"
    );
    let place = match (finding.line, finding.char_column()) {
        (0, _) => finding.file.clone(),
        (line, Some(col)) => format!("{}:{line}:{col}", finding.file),
        (line, None) => format!("{}:{line}", finding.file),
    };
    let _ = write!(out, "<code>{}</code>", html(&place));
    let mut meta = Vec::new();
    if let Some(key) = &finding.key {
        meta.push(format!("key <code>{}</code>", html(key)));
    }
    if let Some(column) = &finding.column {
        meta.push(format!("column <code>{}</code>", html(column)));
    }
    if !meta.is_empty() {
        let _ = write!(out, "<span class=\"meta\">{}</span>", meta.join(" · "));
    }
    match changed_row.as_deref() {
        Some("") => out.push_str("<span class=\"badge changed\">on a changed row</span>"),
        Some(anchor) => {
            let _ = write!(out, "<a class=\"badge changed\" href=\"#{anchor}\">on a changed row</a>");
        }
        None => {}
    }
    out.push_str("</div>\n");
    let _ = writeln!(out, "<p class=\"message\">{}</p>", html_doc(&finding.message));
    if let Some(snippet) = &finding.snippet {
        csv_lines(out, snippet, finding.span.clone(), headers.get(&finding.file).map(String::as_str));
    }
    if let Some(help) = &finding.help {
        let _ = writeln!(out, "<p class=\"help\"><span class=\"label\">Help</span>{}</p>", html_doc(help));
    }
    if let Some(reason) = &finding.acknowledged {
        let _ = writeln!(
            out,
            "<p class=\"ack\"><span class=\"label\">Acknowledged in exceptions.csv</span>{}</p>",
            html(reason)
        );
    }
    for related in &finding.related {
        let _ = writeln!(
            out,
            "<div class=\"related\"><span class=\"label\">Related</span>{}: <code>{}:{}</code></div>",
            html_doc(&related.label),
            html(&related.file),
            related.line
        );
        if let Some(snippet) = &related.snippet {
            csv_lines(out, snippet, related.span.clone(), None);
        }
    }
    out.push_str("</article>\n");
}

/// The lines of a snippet with line numbers, the header line above them when given, and the
/// span's text marked.
fn csv_lines(out: &mut String, snippet: &Snippet, span: Option<Range<usize>>, header: Option<&str>) {
    out.push_str("<pre class=\"csv\">");
    if let Some(header) = header.filter(|_| snippet.first_line > 1) {
        let _ = writeln!(out, "<span class=\"ln\">1</span><span class=\"hdr\">{}</span>", html(header));
        if snippet.first_line > 2 {
            out.push_str("<span class=\"ln\">⋮</span>\n");
        }
    }
    let text = snippet.text.trim_end_matches(['\n', '\r']);
    let mark = span
        .map(|s| {
            let local = snippet.map_span(s);
            (local.offset().min(text.len()), (local.offset() + local.len()).min(text.len()))
        })
        .filter(|&(a, b)| text.is_char_boundary(a) && text.is_char_boundary(b));
    let mut gap_done = false;
    let mut line_no = snippet.first_line;
    let mut start = 0;
    let bytes = text.as_bytes();
    loop {
        let end = bytes[start..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(text.len(), |p| start + p);
        let _ = write!(out, "<span class=\"ln\">{line_no}</span>");
        match mark {
            Some((a, b)) if a == b => {
                if !gap_done && (start..=end).contains(&a) {
                    push_html(out, &text[start..a]);
                    out.push_str("<mark class=\"gap\" title=\"empty cell\"></mark>");
                    push_html(out, &text[a..end]);
                    gap_done = true;
                } else {
                    push_html(out, &text[start..end]);
                }
            }
            Some((a, b)) if a < end && b > start => {
                let (ma, mb) = (a.max(start), b.min(end));
                push_html(out, &text[start..ma]);
                out.push_str("<mark>");
                push_html(out, &text[ma..mb]);
                out.push_str("</mark>");
                push_html(out, &text[mb..end]);
            }
            _ => push_html(out, &text[start..end]),
        }
        if end >= text.len() {
            break;
        }
        out.push('\n');
        start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') { end + 2 } else { end + 1 };
        line_no += 1;
    }
    out.push_str("</pre>\n");
}

fn countries_section(out: &mut String, review: &Review<'_>, options: &Options) {
    let lookup = Lookup::new(review.data).with_changes(review.base.as_ref().map(|b| b.diff));
    let list = partners::partners(review.data, &lookup);
    if list.is_empty() {
        out.push_str(
            "<section class=\"card\" id=\"countries\"><h2>Partner countries</h2><p class=\"empty\">No partner country \
             has rows yet.</p></section>\n",
        );
        return;
    }
    for partner in &list {
        country_section(out, &lookup, partner, options);
    }
}

fn country_section(out: &mut String, lookup: &Lookup<'_, '_>, partner: &Partner<'_, '_>, options: &Options) {
    let name = lookup.name(partner.code);
    let _ = write!(
        out,
        "<section class=\"card country\" id=\"country-{}\"><h2>{}<span class=\"codes\">",
        partner.code.as_str().to_ascii_lowercase(),
        html(&name)
    );
    match lookup.country(partner.code) {
        Some(country) => {
            let _ = write!(
                out,
                "{} · {} · Norwegian: {}",
                html(partner.code.as_str()),
                html(country.iso3.as_str()),
                html(&country.name_nb)
            );
        }
        None => {
            let _ = write!(out, "{} · not in countries.csv", html(partner.code.as_str()));
        }
    }
    out.push_str("</span></h2>\n");
    if lookup.has_changes() {
        out.push_str(
            "<p class=\"muted small\">A mark with a dark outline is a figure the change added or changed; its \
             tooltip says how.</p>\n",
        );
    }
    let mut facts = vec![plural(partner.relations.len(), "relation", "relations")];
    facts.push(plural(partner.visits.len(), "visit", "visits"));
    let mut trade_years: Vec<u16> = partner.trade.iter().map(|t| t.year.0).collect();
    trade_years.sort_unstable();
    trade_years.dedup();
    if !trade_years.is_empty() {
        facts.push(format!("trade figures for {}", span_of_years(&trade_years)));
    }
    let mut resident_years: Vec<u16> = partner.residents.iter().map(|r| r.year.0).collect();
    resident_years.sort_unstable();
    resident_years.dedup();
    if !resident_years.is_empty() {
        facts.push(format!("residents {}", span_of_years(&resident_years)));
    }
    let _ = writeln!(out, "<p class=\"facts\">{}</p>", facts.join(" · "));

    relations_html(out, lookup, partner, &name);
    visits_html(out, lookup, partner, &name);
    trade_html(out, lookup, partner, options);
    residents_html(out, lookup, partner);

    let sources = partner.sources();
    if !sources.is_empty() {
        out.push_str("<p class=\"small muted\"><span class=\"label\">Sources</span>");
        let cited: Vec<String> = sources
            .iter()
            .map(|id| match lookup.source(id) {
                Some(source) => {
                    let date = match (source.last_updated, source.copyright_year) {
                        (Some(date), _) => format!(", updated {date}"),
                        (None, Some(year)) => format!(", © {year}"),
                        (None, None) => String::new(),
                    };
                    format!(
                        "<cite>{}</cite>, {}{} (<code>{}</code>)",
                        html(&source.title),
                        html(&source.publisher),
                        html(&date),
                        html(id)
                    )
                }
                None => format!("<code>{}</code> (not in sources.csv)", html(id)),
            })
            .collect();
        out.push_str(&cited.join("; "));
        out.push_str("</p>\n");
    }
    out.push_str("</section>\n");
}

/// `2011`, or `2009–2011` for several years.
fn span_of_years(years: &[u16]) -> String {
    match (years.first(), years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    }
}

fn kind_label(text: &str) -> String {
    let spaced = text.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

fn relations_html(out: &mut String, lookup: &Lookup<'_, '_>, partner: &Partner<'_, '_>, name: &str) {
    out.push_str("<h3>Relations</h3>\n");
    if partner.relations.is_empty() {
        out.push_str("<p class=\"empty\">No relations recorded.</p>\n");
        return;
    }
    let mut rows = partner.relations.clone();
    rows.sort_by_key(|r| (r.start.is_none(), r.start));
    out.push_str(&scroll_region(&format!("Relations with {name}")));
    out.push_str(
        "<table class=\"relations\"><thead><tr><th>When</th><th>Kind</th><th>What</th><th>Where</th><th>With</th>\
         </tr></thead><tbody>\n",
    );
    for relation in rows {
        // A start the source only implies says so, next to the date it qualifies.
        let start = relation.start.map(|start| match relation.start_basis {
            Some(model::Basis::Derived) => {
                format!("{} <span class=\"muted small\">(derived)</span>", html(&start.to_string()))
            }
            _ => html(&start.to_string()),
        });
        let when = match (start, relation.end) {
            (Some(start), Some(end)) => format!("{start} – {}", html(&end.to_string())),
            (Some(start), None) => start,
            (None, Some(end)) => html(&format!("until {end}")),
            (None, None) => "<span class=\"muted\">undated</span>".to_owned(),
        };
        let third = relation.third_country.map(|c| lookup.name(c)).unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td class=\"when\">{when}</td><td>{}</td><td>{} <span class=\"muted small\">{}</span></td><td>{}</td>\
             <td>{}</td></tr>",
            html(&kind_label(relation.kind.as_str())),
            html(&relation.detail),
            html(&relation.id),
            html(relation.place.as_deref().unwrap_or("")),
            html(&third)
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn visits_html(out: &mut String, lookup: &Lookup<'_, '_>, partner: &Partner<'_, '_>, name: &str) {
    out.push_str("<h3>Visits</h3>\n");
    if partner.visits.is_empty() {
        out.push_str("<p class=\"empty\">No visits recorded.</p>\n");
        return;
    }
    // Lanes: visits to the partner first, then visits to Norway.
    let mut lanes: BTreeMap<(bool, CountryCode, CountryCode), Vec<Event>> = BTreeMap::new();
    let (mut first_year, mut last_year) = (u16::MAX, 0);
    let mut sorted = partner.visits.clone();
    sorted.sort_by_key(|v| (v.date.start(), v.date.end()));
    for visit in &sorted {
        let days = visit.date.days();
        first_year = first_year.min(visit.date.start().year());
        last_year = last_year.max(visit.date.end().year());
        let mut label = format!("{} · {} → {}", visit.date, lookup.name(visit.guest), lookup.name(visit.host));
        let who = lookup.who(&visit.id);
        if !who.is_empty() {
            label.push_str(&format!(" · {who}"));
        }
        if let Some(occasion) = &visit.occasion {
            label.push_str(&format!(" · {occasion}"));
        }
        if let Some(place) = &visit.place {
            label.push_str(&format!(" · {place}"));
        }
        let state_visit = visit.state_visit == model::Answer::Yes;
        if state_visit {
            label.push_str(" · state visit");
        }
        let change = lookup.change(TableId::Visits, &visit.key_text());
        changed_note(&mut label, change);
        lanes.entry((visit.host.as_str() == HOME, visit.guest, visit.host)).or_default().push(Event {
            first: days.first,
            last: days.last,
            label,
            emphasis: state_visit,
            changed: change.is_some(),
        });
    }
    let timeline = Timeline {
        title: format!("Visits between Norway and {name}, {first_year}–{last_year}"),
        first_year,
        last_year,
        lanes: lanes
            .into_iter()
            .map(|((_, guest, host), events)| Lane {
                name: format!("{} → {}", lookup.name(guest), lookup.name(host)),
                events,
            })
            .collect(),
        emphasis: "state visit".to_owned(),
    };
    chart_figure(out, &timeline.svg());
    let _ = writeln!(
        out,
        "<figcaption>Each mark is a visit, at the date the source gives; hover for who went. Arrows point \
         from the visitors' country to the host.</figcaption></figure>",
    );
    let _ = write!(
        out,
        "<details><summary>All {} as a list</summary>\n{}<table><thead><tr><th>Date</th><th>Visitors → host</th>\
         <th>Who</th><th>Occasion</th></tr></thead><tbody>\n",
        plural(sorted.len(), "visit", "visits"),
        scroll_region(&format!("Visits, {name}"))
    );
    for visit in &sorted {
        let mut occasion = html(visit.occasion.as_deref().unwrap_or(""));
        if let Some(place) = &visit.place {
            if !occasion.is_empty() {
                occasion.push_str(", ");
            }
            occasion.push_str(&html(place));
        }
        if visit.state_visit == model::Answer::Yes {
            occasion.push_str(" <span class=\"badge state\">state visit</span>");
        }
        let _ = writeln!(
            out,
            "<tr><td class=\"when\">{}</td><td>{} → {}</td><td>{}</td><td>{occasion}</td></tr>",
            html(&visit.date.to_string()),
            html(&lookup.name(visit.guest)),
            html(&lookup.name(visit.host)),
            html(&lookup.who(&visit.id)),
        );
    }
    out.push_str("</tbody></table></div></details>\n");
}

/// A figure as a reader says it: `10.3 NOK billion`, `about 10 NOK billion`, `close to zero`.
fn figure(value: Option<model::Decimal>, unit: Option<Unit>, qualifier: Option<Qualifier>) -> String {
    let written = match (value, unit) {
        (Some(value), Some(unit)) => format!("{value} {unit}"),
        (Some(value), None) => value.to_string(),
        _ => String::new(),
    };
    match qualifier {
        Some(Qualifier::NearZero) => "close to zero (no figure given)".to_owned(),
        Some(Qualifier::Approximately) if !written.is_empty() => format!("about {written}"),
        _ if written.is_empty() => "no figure given".to_owned(),
        _ => written,
    }
}

fn flow_phrase(flow: Flow, reporter: &str, partner: &str) -> String {
    match flow {
        Flow::Import => format!("{reporter}'s imports from {partner}"),
        _ => format!("{reporter}'s exports to {partner}"),
    }
}

fn trade_html(out: &mut String, lookup: &Lookup<'_, '_>, partner: &Partner<'_, '_>, options: &Options) {
    out.push_str("<h3>Trade</h3>\n");
    if partner.trade.is_empty() && partner.commodities.is_empty() {
        out.push_str("<p class=\"empty\">No trade figures recorded.</p>\n");
        return;
    }
    let mut by_reporter: BTreeMap<CountryCode, Vec<&TradeTotal<'_>>> = BTreeMap::new();
    for row in &partner.trade {
        by_reporter.entry(row.reporter).or_default().push(row);
    }
    for (reporter, rows) in by_reporter {
        let reporter_name = lookup.name(reporter);
        let first = rows.iter().map(|r| r.year.0).min().unwrap_or(0);
        let latest = rows.iter().map(|r| r.year).max().unwrap_or(Year(0));
        if latest.0 > first {
            totals_over_years(out, lookup, &rows, &reporter_name, first, latest.0);
        }
        let mut year_rows: Vec<&TradeTotal<'_>> = rows.iter().copied().filter(|r| r.year == latest).collect();
        year_rows.sort_by_key(|r| r.flow);
        totals_chart(out, lookup, &year_rows, &reporter_name, latest);
    }
    // The commodity breakdown of each flow's latest year.
    let mut lines: BTreeMap<(CountryCode, Flow), BTreeMap<Year, Vec<&TradeCommodity<'_>>>> = BTreeMap::new();
    for row in &partner.commodities {
        lines.entry((row.reporter, row.flow)).or_default().entry(row.year).or_default().push(row);
    }
    for ((reporter, flow), mut years) in lines {
        let other_years = years.len() - 1;
        let Some((year, mut rows)) = years.pop_last() else {
            continue;
        };
        rows.sort_by_key(|r| r.rank);
        commodity_chart(out, lookup, partner, (reporter, flow, year), &rows, other_years, options);
    }
}

/// A [`Series`]' values per category, and what the change under review did to each.
type SeriesValues = (Vec<Option<f64>>, Vec<Option<String>>);

/// A column chart of a reporter's totals with the partner over the years, one series per flow.
fn totals_over_years(
    out: &mut String,
    lookup: &Lookup<'_, '_>,
    rows: &[&TradeTotal<'_>],
    reporter_name: &str,
    first: u16,
    last: u16,
) {
    let max = rows.iter().filter_map(|r| Some(kroner(r.value?, r.unit?))).fold(0.0, f64::max);
    let unit = axis_unit(max);
    let years: Vec<u16> = (first..=last).collect();
    let mut series: BTreeMap<Flow, SeriesValues> = BTreeMap::new();
    let mut partner_name = String::new();
    for row in rows {
        partner_name = lookup.name(row.partner);
        let (values, changes) =
            series.entry(row.flow).or_insert_with(|| (vec![None; years.len()], vec![None; years.len()]));
        let at = usize::from(row.year.0 - first);
        if let (Some(slot), Some(value), Some(row_unit)) = (values.get_mut(at), row.value, row.unit) {
            *slot = Some(kroner(value, row_unit) / unit.kroner() as f64);
            changes[at] = change_text(lookup.change(TableId::Trade, &row.key_text()));
        }
    }
    let chart = ColumnChart {
        title: format!("Trade totals {first}–{last}, {reporter_name}'s figures"),
        unit: unit.to_string(),
        categories: years.iter().map(u16::to_string).collect(),
        series: series
            .into_iter()
            .map(|(flow, (values, changes))| Series {
                name: flow_phrase(flow, reporter_name, &partner_name),
                values,
                changes,
            })
            .collect(),
    };
    chart_figure(out, &chart.svg());
    let _ = writeln!(
        out,
        "<figcaption>Trade totals by year, from {}'s statistics; axis in {unit}. A year without a figure \
         (none given, or only in words) is a gap.</figcaption></figure>",
        html(reporter_name)
    );
}

/// Says after a bar's figure that the change under review added or changed it.
fn changed_note(note: &mut String, change: Option<&Option<String>>) {
    if let Some(text) = change_text(change) {
        let _ = write!(note, " · {text}");
    }
}

/// What the change under review did to a figure: `changed, was 838`, `new in this change`.
fn change_text(change: Option<&Option<String>>) -> Option<String> {
    match change? {
        Some(old) if old.is_empty() => Some("changed, was empty".to_owned()),
        Some(old) => Some(format!("changed, was {old}")),
        None => Some("new in this change".to_owned()),
    }
}

/// Horizontal bars of a reporter's totals with the partner in one year, with their shares.
fn totals_chart(out: &mut String, lookup: &Lookup<'_, '_>, rows: &[&TradeTotal<'_>], reporter_name: &str, year: Year) {
    let max = rows.iter().filter_map(|r| Some(kroner(r.value?, r.unit?))).fold(0.0, f64::max);
    let unit = axis_unit(max);
    let bars = rows
        .iter()
        .map(|row| {
            let mut note = figure(row.value, row.unit, Some(row.qualifier));
            if let Some(share) = row.share_of_reporter_total_pct {
                let kind = if row.flow == Flow::Import { "imports" } else { "exports" };
                note.push_str(&format!(" · {share} % of {reporter_name}'s {kind}"));
            }
            let changed = lookup.change(TableId::Trade, &row.key_text());
            changed_note(&mut note, changed);
            Bar {
                label: flow_phrase(row.flow, reporter_name, &lookup.name(row.partner)),
                value: row.value.zip(row.unit).map(|(v, u)| kroner(v, u) / unit.kroner() as f64),
                note,
                tone: if row.flow == Flow::Import { Tone::Orange } else { Tone::Blue },
                changed: changed.is_some(),
            }
        })
        .collect();
    let chart = BarChart {
        title: format!("Trade totals {year}, {reporter_name}'s figures"),
        unit: unit.to_string(),
        bars,
        whole: None,
    };
    chart_figure(out, &chart.svg());
    let _ = writeln!(
        out,
        "<figcaption>Trade totals in {year}, from {}'s statistics; axis in {unit}.</figcaption></figure>",
        html(reporter_name)
    );
}

/// Horizontal bars of a flow's commodity lines in one year, against the flow's total.
fn commodity_chart(
    out: &mut String,
    lookup: &Lookup<'_, '_>,
    partner: &Partner<'_, '_>,
    (reporter, flow, year): (CountryCode, Flow, Year),
    rows: &[&TradeCommodity<'_>],
    other_years: usize,
    options: &Options,
) {
    let reporter_name = lookup.name(reporter);
    let other = rows.first().map(|r| lookup.name(r.partner)).unwrap_or_default();
    let total = partner
        .trade
        .iter()
        .find(|t| t.year == year && t.reporter == reporter && t.flow == flow)
        .and_then(|t| Some((t.value?, t.unit?)));
    let total_kroner = total.map(|(v, u)| kroner(v, u));
    let drawn = &rows[..rows.len().min(options.chart_bars)];
    let max = drawn.iter().filter_map(|r| Some(kroner(r.value?, r.unit?))).chain(total_kroner).fold(0.0, f64::max);
    let unit = axis_unit(max);
    let scale = unit.kroner() as f64;
    let tone = if flow == Flow::Import { Tone::Orange } else { Tone::Blue };
    let bars = drawn
        .iter()
        .map(|row| {
            let mut note = figure(row.value, row.unit, None);
            if let Some(share) = row.share_pct {
                note.push_str(&format!(" · {share} %"));
            }
            let changed = lookup.change(TableId::TradeCommodities, &row.key_text());
            changed_note(&mut note, changed);
            Bar {
                label: format!("{}. {}", row.rank, row.commodity),
                value: row.value.zip(row.unit).map(|(v, u)| kroner(v, u) / scale),
                note,
                tone,
                changed: changed.is_some(),
            }
        })
        .collect();
    let phrase = flow_phrase(flow, &reporter_name, &other);
    let chart = BarChart {
        title: format!("Goods in {phrase}, {year}"),
        unit: unit.to_string(),
        bars,
        whole: total_kroner.map(|k| k / scale),
    };
    let mut caption = format!("Goods in {phrase}, {year}, in the source's order");
    if let Some((value, unit)) = total {
        caption.push_str(&format!(", against the flow's total of {value} {unit} (grey track)"));
    }
    caption.push_str(". Percentages are each line's share of the flow as the source gives it.");
    if rows.len() > drawn.len() {
        caption.push_str(&format!(" {} more lines are not drawn.", rows.len() - drawn.len()));
    }
    if other_years > 0 {
        let years = if other_years == 1 { "1 earlier year".to_owned() } else { format!("{other_years} earlier years") };
        caption.push_str(&format!(" The data also breaks down this flow for {years}."));
    }
    chart_figure(out, &chart.svg());
    let _ = writeln!(out, "<figcaption>{}</figcaption></figure>", html(&caption));
}

fn residents_html(out: &mut String, lookup: &Lookup<'_, '_>, partner: &Partner<'_, '_>) {
    out.push_str("<h3>Residents</h3>\n");
    if partner.residents.is_empty() {
        out.push_str("<p class=\"empty\">No resident counts recorded.</p>\n");
        return;
    }
    let first = partner.residents.iter().map(|r| r.year.0).min().unwrap_or(0);
    let last = partner.residents.iter().map(|r| r.year.0).max().unwrap_or(0);
    let years: Vec<u16> = (first..=last).collect();
    let mut series: BTreeMap<(CountryCode, CountryCode), SeriesValues> = BTreeMap::new();
    for row in &partner.residents {
        let (values, changes) = series
            .entry((row.citizenship, row.country))
            .or_insert_with(|| (vec![None; years.len()], vec![None; years.len()]));
        let at = usize::from(row.year.0 - first);
        if let Some(slot) = values.get_mut(at) {
            *slot = Some(row.count as f64);
            changes[at] = change_text(lookup.change(TableId::Residents, &row.key_text()));
        }
    }
    let chart = ColumnChart {
        title: format!("Residents by year, {}", span_of_years(&[first, last])),
        unit: "persons".to_owned(),
        categories: years.iter().map(u16::to_string).collect(),
        series: series
            .into_iter()
            .map(|((citizenship, country), (values, changes))| Series {
                name: format!("Citizens of {} living in {}", lookup.name(citizenship), lookup.name(country)),
                values,
                changes,
            })
            .collect(),
    };
    chart_figure(out, &chart.svg());
    let _ = writeln!(
        out,
        "<figcaption>Persons by citizenship and country of residence, as the source counts them.</figcaption>\
         </figure>",
    );
}

fn dictionary_section(out: &mut String) {
    out.push_str(
        "<section class=\"card dict\" id=\"dictionary\"><h2>Data dictionary</h2>\n<p class=\"muted\">Generated from the \
         table declarations of the model: every table, its primary key and its columns, then the vocabularies.</p>\n",
    );
    for table in TableId::ALL {
        let def = table.def();
        let _ = writeln!(out, "<h3 id=\"table-{0}\"><code>{0}</code></h3>", html(def.file));
        let _ = writeln!(out, "<p>{}</p>", html_doc(def.doc.trim()));
        let key: Vec<String> = def.key.iter().map(|k| format!("<code>{}</code>", html(k))).collect();
        let _ = writeln!(out, "<p><span class=\"label\">Primary key</span>{}</p>", key.join(", "));
        out.push_str(&scroll_region(&format!("Columns of {}", def.file)));
        out.push_str(
            "<table><thead><tr><th>Column</th><th>Required</th><th>Holds</th><th>Meaning</th></tr></thead><tbody>\n",
        );
        for column in def.columns {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html(column.name),
                if column.required { "yes" } else { "no" },
                html_doc(column.expected),
                html_doc(column.doc.trim())
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("<h3 id=\"vocabularies\">Vocabularies</h3>\n");
    vocabulary(out, "Units (<code>unit</code>)", Unit::ALL.iter().map(|v| (v.as_str(), v.doc())));
    vocabulary(out, "Trade flows (<code>flow</code>)", Flow::ALL.iter().map(|v| (v.as_str(), v.doc())));
    vocabulary(out, "Qualifiers (<code>qualifier</code>)", Qualifier::ALL.iter().map(|v| (v.as_str(), v.doc())));
    vocabulary(
        out,
        "Relation kinds (<code>kind</code>)",
        model::RelationKind::ALL.iter().map(|v| (v.as_str(), v.doc())),
    );
    out.push_str("</section>\n");
}

fn vocabulary<'v>(out: &mut String, title: &str, values: impl Iterator<Item = (&'v str, &'v str)>) {
    let _ = write!(
        out,
        "<p><strong>{title}</strong></p>\n<div class=\"scroll\" tabindex=\"0\" role=\"region\" \
         aria-label=\"{}\"><table><thead><tr><th>Value</th><th>Meaning</th></tr>\
         </thead><tbody>\n",
        title.replace("<code>", "").replace("</code>", "")
    );
    for (value, doc) in values {
        let _ = writeln!(out, "<tr><td><code>{}</code></td><td>{}</td></tr>", html(value), html_doc(doc));
    }
    out.push_str("</tbody></table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(text: &str, first_line: u32) -> Snippet {
        Snippet::new("data/x.csv", text.as_bytes(), 0..text.len(), first_line)
    }

    #[test]
    fn marks_the_offending_cell() {
        let mut out = String::new();
        csv_lines(&mut out, &snippet("NO,JP,10,3,<b>\n", 4), Some(6..10), Some("a,b,c"));
        assert_eq!(
            out,
            "<pre class=\"csv\"><span class=\"ln\">1</span><span class=\"hdr\">a,b,c</span>\n<span class=\"ln\">⋮</span>\n\
             <span class=\"ln\">4</span>NO,JP,<mark>10,3</mark>,&lt;b&gt;</pre>\n"
        );
    }

    #[test]
    fn marks_an_empty_cell_and_spans_lines() {
        let mut out = String::new();
        csv_lines(&mut out, &snippet("a,,c", 2), Some(2..2), None);
        assert!(out.contains("a,<mark class=\"gap\" title=\"empty cell\"></mark>,c"), "{out}");
        let mut out = String::new();
        csv_lines(&mut out, &snippet("a,\"x\r\ny\",c", 2), Some(2..8), None);
        assert!(
            out.contains(
                "<span class=\"ln\">2</span>a,<mark>&quot;x</mark>\n<span class=\"ln\">3</span><mark>y&quot;</mark>,c"
            ),
            "{out}"
        );
    }

    #[test]
    fn figures_read_as_written() {
        let d = |text: &str| model::Decimal::parse(text).ok();
        assert_eq!(figure(d("10.3"), Some(Unit::NokBillion), Some(Qualifier::Exact)), "10.3 NOK billion");
        assert_eq!(figure(d("10"), Some(Unit::NokBillion), Some(Qualifier::Approximately)), "about 10 NOK billion");
        assert_eq!(figure(None, None, Some(Qualifier::NearZero)), "close to zero (no figure given)");
        assert_eq!(figure(None, None, None), "no figure given");
        assert_eq!(kind_label("diplomatic_relations"), "Diplomatic relations");
        assert_eq!(span_of_years(&[2009, 2010, 2011]), "2009–2011");
    }
}
