//! The report of a check as SARIF 2.1.0 (`cargo xtask check --format sarif`), the format that
//! GitHub code scanning, GitLab and editors read: one run, every rule id with its descriptions
//! and a link into `docs/rules.md`, and one result per finding with its cell as the region, the
//! rows it depends on as related locations, its fix, and partial fingerprints from rule, file,
//! row key and column, which survive edits that move rows.
//!
//! The document is built from the typed subset of SARIF below and serialised with serde_json,
//! so that no text from the data can break it. `tests/fixtures/sarif/` holds the SARIF 2.1.0
//! JSON schema that `.ci/run` validates a rendered document against.

use std::collections::BTreeMap;

use diagnostic::{Diagnostic, Severity, Snippet};
use serde::Serialize;
use validate::Report;

use crate::baseline::{Baseline, Change, mark};

/// The URI of the SARIF 2.1.0 schema, as the document names it.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`, versioned so that a change of its
/// recipe starts new alerts instead of matching old ones wrongly.
pub const FINGERPRINT_KEY: &str = "bilatFinding/v1";

/// Options for [`sarif`].
#[derive(Clone, Debug)]
pub struct SarifOptions {
    /// The absolute URI of `docs/rules.md`, e.g. on GitHub
    /// `https://github.com/OWNER/REPO/blob/SHA/docs/rules.md`; each rule's `helpUri` is it with
    /// the rule's anchor.
    pub rules_uri: String,
}

/// The report as a SARIF 2.1.0 log.
pub fn sarif(report: &Report, options: &SarifOptions, baseline: Option<&Baseline>) -> String {
    let rules = rule_descriptors(&options.rules_uri);
    let index: BTreeMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let results = report
        .findings
        .iter()
        .enumerate()
        .map(|(i, finding)| result(finding, index.get(finding.rule().as_str()).copied(), mark(baseline, i)))
        .collect();
    let mut properties = BTreeMap::new();
    if let Some(config) = report.config.describe() {
        properties.insert("configuration", serde_json::Value::from(config));
    }
    if !report.only.is_empty() {
        properties.insert("only", report.only.iter().map(|t| t.file()).collect::<Vec<_>>().into());
    }
    if let Some(baseline) = baseline {
        properties.insert("base", baseline.label.clone().into());
    }
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "bilat",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: &options.rules_uri,
                    rules,
                },
            },
            invocations: vec![Invocation { execution_successful: true }],
            column_kind: "unicodeCodePoints",
            results,
            properties,
        }],
    };
    crate::escape::json_pretty(&log)
}

/// Every id a finding can carry: ingest's, then each rule's, in `docs/rules.md`'s order.
fn rule_descriptors(rules_uri: &str) -> Vec<ReportingDescriptor> {
    let mut out = Vec::new();
    for kind in ingest::ErrorKind::ALL {
        out.push(ReportingDescriptor {
            id: kind.code(),
            short_description: Text { text: kind.summary().to_owned() },
            full_description: Text {
                text: format!(
                    "{} Found while reading the file; a row with this problem is left out of the \
                     consistency rules, and it cannot be acknowledged in exceptions.csv.",
                    kind.summary()
                ),
            },
            help_uri: format!("{rules_uri}#reading-the-files"),
            default_configuration: Configuration { level: level(kind.severity()) },
        });
    }
    for rule in validate::rules::ALL {
        for id in rule.ids() {
            out.push(ReportingDescriptor {
                id: id.as_str(),
                short_description: Text { text: rule.summary() },
                full_description: Text { text: rule.doc() },
                help_uri: format!("{rules_uri}#{}", anchor(rule.id.as_str())),
                default_configuration: Configuration { level: level(rule.severity) },
            });
        }
    }
    out
}

/// GitHub's anchor of the heading "### `id`": lower case, only letters, digits, `-` and `_`.
fn anchor(id: &str) -> String {
    id.chars().filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_').flat_map(char::to_lowercase).collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(finding: &Diagnostic, rule_index: Option<usize>, change: Option<Change>) -> SarifResult<'_> {
    let mut text = finding.message.clone();
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let identity = finding.identity();
    let fingerprint = serde_json::to_string(&[identity.0.as_str(), identity.1, identity.2, identity.3])
        .unwrap_or_else(|_| finding.rule().to_string());
    let mut properties = BTreeMap::new();
    if let Some(key) = &finding.key {
        properties.insert("key", key.as_str());
    }
    if let Some(column) = &finding.column {
        properties.insert("column", column.as_str());
    }
    SarifResult {
        rule_id: finding.rule().as_str(),
        rule_index,
        level: level(finding.severity),
        message: Text { text },
        locations: vec![Location {
            id: None,
            physical_location: physical(&finding.file, finding.line, finding.span.clone(), finding.snippet.as_ref()),
            message: None,
        }],
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| Location {
                id: Some(i),
                physical_location: physical(&r.file, r.line, r.span.clone(), r.snippet.as_ref()),
                message: Some(Text { text: r.label.clone() }),
            })
            .collect(),
        fixes: finding
            .fix
            .iter()
            .map(|fix| {
                let mut by_file: BTreeMap<&str, Vec<Replacement<'_>>> = BTreeMap::new();
                for edit in &fix.edits {
                    by_file.entry(&edit.file).or_default().push(Replacement {
                        deleted_region: ByteRegion {
                            byte_offset: edit.span.start,
                            byte_length: edit.span.end.saturating_sub(edit.span.start),
                        },
                        inserted_content: Content { text: &edit.replacement },
                    });
                }
                SarifFix {
                    description: Text { text: fix.title.clone() },
                    artifact_changes: by_file
                        .into_iter()
                        .map(|(file, replacements)| ArtifactChange {
                            artifact_location: ArtifactLocation { uri: uri(file) },
                            replacements,
                        })
                        .collect(),
                }
            })
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        suppressions: finding
            .acknowledged
            .iter()
            .map(|reason| Suppression { kind: "external", justification: reason })
            .collect(),
        baseline_state: change.map(|c| match c {
            Change::Introduced => "new",
            Change::Present => "unchanged",
        }),
        properties,
    }
}

/// A place in a file: the cell's region where the span is known, the line otherwise, the
/// file alone for a problem of the whole file.
fn physical(file: &str, line: u32, span: Option<std::ops::Range<usize>>, snippet: Option<&Snippet>) -> Physical {
    let cell = span.zip(snippet).and_then(|(span, snippet)| {
        let start = snippet.line_column(span.start)?;
        let end = snippet.line_column(span.end)?;
        Some(Region {
            start_line: start.0,
            start_column: Some(start.1),
            end_line: Some(end.0),
            end_column: Some(end.1),
        })
    });
    let region = cell.or_else(|| {
        (line > 0).then_some(Region { start_line: line, start_column: None, end_line: None, end_column: None })
    });
    Physical { artifact_location: ArtifactLocation { uri: uri(file) }, region }
}

/// A file name as a relative URI reference: `/` separated, everything but unreserved
/// characters and `/` percent-encoded.
fn uri(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    for byte in file.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(char::from(byte)),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[derive(Serialize)]
struct Log<'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'r>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'r> {
    tool: Tool<'r>,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'r>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, serde_json::Value>,
}

#[derive(Serialize)]
struct Tool<'r> {
    driver: Driver<'r>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'r> {
    name: &'static str,
    version: &'static str,
    information_uri: &'r str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'r> {
    rule_id: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'r>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'r>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, &'r str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'r> {
    description: Text,
    artifact_changes: Vec<ArtifactChange<'r>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'r> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'r>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'r> {
    deleted_region: ByteRegion,
    inserted_content: Content<'r>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ByteRegion {
    byte_offset: usize,
    byte_length: usize,
}

#[derive(Serialize)]
struct Content<'r> {
    text: &'r str,
}

#[derive(Serialize)]
struct Suppression<'r> {
    kind: &'static str,
    justification: &'r str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ingest::DataDir;
    use model::TableId;

    const RULES: &str = "https://example.invalid/docs/rules.md";

    fn residents(rows: &str) -> Report {
        let dir = DataDir::from_memory("data", |t| {
            (t == TableId::Residents).then(|| format!("country,citizenship,year,count,source\n{rows}").into_bytes())
        });
        let mut report = validate::check_dir(&dir);
        report.findings.retain(|f| f.file.ends_with("residents.csv"));
        report
    }

    fn render(report: &Report, baseline: Option<&Baseline>) -> serde_json::Value {
        let text = sarif(report, &SarifOptions { rules_uri: RULES.to_owned() }, baseline);
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn a_cell_is_the_region_and_a_fix_its_replacement() {
        // Line 3, the citizenship `jp` in lower case: `cell/invalid` with a fix.
        let report = residents("NO,JP,2009,799,s\nNO,jp,2010,838,s\n");
        let log = render(&report, None);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        let result = results.iter().find(|r| r["ruleId"] == "cell/invalid").unwrap();
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "data/residents.csv");
        // The cell `jp` is columns 4 and 5; the end column is just past it.
        assert_eq!(location["region"]["startLine"], 3);
        assert_eq!(location["region"]["startColumn"], 4);
        assert_eq!(location["region"]["endLine"], 3);
        assert_eq!(location["region"]["endColumn"], 6);
        // The rule it names is in the run, with its link.
        let rule = &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], "cell/invalid");
        assert_eq!(rule["helpUri"], format!("{RULES}#reading-the-files"));
        assert_eq!(
            result["partialFingerprints"][FINGERPRINT_KEY],
            r#"["cell/invalid","residents.csv","NO/jp/2010","citizenship"]"#
        );
        let fix = &result["fixes"][0]["artifactChanges"][0];
        assert_eq!(fix["artifactLocation"]["uri"], "data/residents.csv");
        let replacement = &fix["replacements"][0];
        assert_eq!(replacement["insertedContent"]["text"], "JP");
        // The deleted bytes are the cell's: the start of line 3 plus 3.
        let line_3 = "country,citizenship,year,count,source\n".len() + "NO,JP,2009,799,s\n".len();
        assert_eq!(replacement["deletedRegion"]["byteOffset"], line_3 + 3);
        assert_eq!(replacement["deletedRegion"]["byteLength"], 2);
    }

    #[test]
    fn every_rule_id_has_descriptions_and_an_anchor() {
        let log = render(&residents("NO,JP,2009,799,s\n"), None);
        let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        for id in ["file/missing", "field/range", "trade/commodity-share", "exception/stale"] {
            assert!(ids.contains(&id), "{id}");
        }
        let share = rules.iter().find(|r| r["id"] == "trade/commodity-share").unwrap();
        assert_eq!(share["helpUri"], format!("{RULES}#tradecommodity-share"));
        assert!(!share["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(
            share["fullDescription"]["text"].as_str().unwrap().len()
                > share["shortDescription"]["text"].as_str().unwrap().len()
        );
        assert_eq!(rules.iter().find(|r| r["id"] == "field/range").unwrap()["helpUri"], format!("{RULES}#field"));
    }

    #[test]
    fn marks_findings_against_a_base() {
        let base = residents("NO,JP,2009,7 99,s\n");
        let head = residents("NO,JP,2009,7 99,s\nNO,JP,2010,8 38,s\n");
        let baseline = Baseline::new("main", &base, &head);
        let log = render(&head, Some(&baseline));
        let results = log["runs"][0]["results"].as_array().unwrap();
        let state = |key: &str| {
            results.iter().find(|r| r["properties"]["key"] == key).map(|r| r["baselineState"].clone()).unwrap()
        };
        assert_eq!(state("NO/JP/2009"), "unchanged");
        assert_eq!(state("NO/JP/2010"), "new");
        assert_eq!(log["runs"][0]["properties"]["base"], "main");
    }

    #[test]
    fn file_names_are_uri_references() {
        assert_eq!(uri("data/visits.csv"), "data/visits.csv");
        assert_eq!(uri("my data\\trade (1).csv"), "my%20data/trade%20%281%29.csv");
        assert_eq!(uri("dåta/#x.csv"), "d%C3%A5ta/%23x.csv");
        assert_eq!(anchor("trade/commodity-share"), "tradecommodity-share");
    }
}
