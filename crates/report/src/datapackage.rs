//! `data/datapackage.json`: the dataset as a Frictionless Data Package, so that the tools its
//! users already have (frictionless, pandas, R, Data Package viewers) read the tables with
//! their types, keys and references.
//!
//! Every table is a Tabular Data Resource whose Table Schema is generated from the model's
//! declarations ([`model::TableDef`]): the columns with their types and constraints, the
//! primary key, and the foreign keys, composite ones included. The rows of `sources.csv` are
//! the package's `sources`. [`package`] makes the document; `cargo xtask export` writes it and
//! `cargo xtask docs --check` fails when it is stale.
//!
//! Table Schema has a type for a column whose every cell is a year (`year`), and for one whose
//! every cell is a date (`date`), but none for a column whose cells are dates written at the
//! precision their source gives, some a year, some a month, some a day. Such a column is a
//! `string` with the pattern of the three forms, and says in the custom property
//! `bilat:dateTypes` which of the standard's types its cells are each written as (`year`,
//! `yearmonth`, `date`); a column of periods adds `bilat:intervalSeparator`, `/`, between a
//! start and an end. A figure is a `number` whose written decimals are its precision (`2.9`
//! means anything from 2.85 to 2.95): the custom property `bilat:writtenPrecision` is `true`
//! on such columns. A source adds `bilat:id` (what rows cite), `bilat:publisher` and
//! `bilat:locator` to the standard's `title` and `path`.

use serde::{Deserialize, Serialize};

use model::{ColumnDef, Kind, Source, TableDef, TableId};

/// The package's name.
pub const NAME: &str = "bilat";

/// `datapackage.json` for the tables as the model declares them, with `sources` as the
/// package's sources, in their order. Ends with a line break.
pub fn package(sources: &[Source<'_>]) -> String {
    document(sources.iter().map(package_source).collect())
}

/// `current`, a package this module wrote, made again from the model's declarations with the
/// sources it lists: equal to `current` exactly when everything but the sources is current.
/// `None` when `current` is not JSON with a list of sources.
pub fn remake_with_its_sources(current: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Listed {
        sources: Vec<PackageSource>,
    }
    let listed: Listed = serde_json::from_str(current).ok()?;
    Some(document(listed.sources))
}

fn document(sources: Vec<PackageSource>) -> String {
    let package = Package {
        profile: "tabular-data-package",
        name: NAME,
        title: "Norway's bilateral relations",
        description: "A hand-curated dataset of Norway's bilateral relations: diplomatic facts, visits, \
                      trade and residents, each row transcribed from a cited source. See README.md.",
        sources,
        resources: TableId::ALL.iter().map(|table| resource(table.def())).collect(),
    };
    crate::escape::json_pretty(&package)
}

/// The resource name of a table: its file name without `.csv`, e.g. `visit_participants`.
pub fn resource_name(table: TableId) -> &'static str {
    let file = table.file();
    file.strip_suffix(".csv").unwrap_or(file)
}

/// A partial date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, as a regular expression (XML Schema
/// flavour, anchored at both ends, as Table Schema reads `pattern`).
const PARTIAL_DATE: &str = "[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?";

/// The Table Schema types a partial date's cells are written as, from coarsest to finest.
const DATE_TYPES: &[&str] = &["year", "yearmonth", "date"];

#[derive(Serialize)]
struct Package {
    profile: &'static str,
    name: &'static str,
    title: &'static str,
    description: &'static str,
    sources: Vec<PackageSource>,
    resources: Vec<Resource>,
}

#[derive(Serialize, Deserialize)]
struct PackageSource {
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(rename = "bilat:id")]
    id: String,
    #[serde(rename = "bilat:publisher")]
    publisher: String,
    #[serde(rename = "bilat:locator", skip_serializing_if = "Option::is_none")]
    locator: Option<String>,
}

#[derive(Serialize)]
struct Resource {
    profile: &'static str,
    name: &'static str,
    path: &'static str,
    description: String,
    format: &'static str,
    mediatype: &'static str,
    encoding: &'static str,
    schema: Schema,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Schema {
    fields: Vec<Field>,
    missing_values: [&'static str; 1],
    primary_key: &'static [&'static str],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    foreign_keys: Vec<ForeignKey>,
}

#[derive(Serialize)]
struct ForeignKey {
    fields: &'static [&'static str],
    reference: Reference,
}

#[derive(Serialize)]
struct Reference {
    resource: &'static str,
    fields: &'static [&'static str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Field {
    name: &'static str,
    description: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    true_values: Option<[&'static str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    false_values: Option<[&'static str; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bare_number: Option<bool>,
    #[serde(rename = "bilat:dateTypes", skip_serializing_if = "Option::is_none")]
    date_types: Option<&'static [&'static str]>,
    #[serde(rename = "bilat:intervalSeparator", skip_serializing_if = "Option::is_none")]
    interval_separator: Option<&'static str>,
    #[serde(rename = "bilat:writtenPrecision", skip_serializing_if = "Option::is_none")]
    written_precision: Option<bool>,
    constraints: Constraints,
}

#[derive(Serialize, Default)]
struct Constraints {
    required: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unique: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<String>,
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    one_of: Option<&'static [&'static str]>,
}

fn package_source(source: &Source<'_>) -> PackageSource {
    PackageSource {
        title: source.title.to_string(),
        path: source.url.as_ref().map(ToString::to_string),
        id: source.id.to_string(),
        publisher: source.publisher.to_string(),
        locator: source.locator.as_ref().map(ToString::to_string),
    }
}

fn resource(def: &'static TableDef) -> Resource {
    Resource {
        profile: "tabular-data-resource",
        name: resource_name(def.id),
        path: def.file,
        description: one_line(def.doc),
        format: "csv",
        mediatype: "text/csv",
        encoding: "utf-8",
        schema: Schema {
            fields: def.columns.iter().map(|column| field(def, column)).collect(),
            missing_values: [""],
            primary_key: def.key,
            foreign_keys: def
                .foreign_keys
                .iter()
                .map(|key| ForeignKey {
                    fields: key.columns,
                    reference: Reference { resource: resource_name(key.target), fields: key.target_columns },
                })
                .collect(),
        },
    }
}

fn field(def: &TableDef, column: &'static ColumnDef) -> Field {
    let mut field = Field {
        name: column.name,
        description: one_line(column.doc),
        kind: "string",
        true_values: None,
        false_values: None,
        bare_number: None,
        date_types: None,
        interval_separator: None,
        written_precision: None,
        constraints: Constraints {
            required: column.required,
            // A one-column key is unique on its own; a composite key is the primary key's job.
            unique: def.key == [column.name],
            ..Constraints::default()
        },
    };
    match column.kind {
        Kind::Text => {}
        Kind::Boolean => {
            field.kind = "boolean";
            field.true_values = Some(["true"]);
            field.false_values = Some(["false"]);
        }
        Kind::Integer { min, max } => {
            field.kind = "integer";
            field.constraints.minimum = (min != i64::MIN).then_some(min);
            field.constraints.maximum = (max != i64::MAX).then_some(max);
        }
        Kind::Decimal => {
            field.kind = "number";
            field.bare_number = Some(true);
            field.written_precision = Some(true);
        }
        Kind::Year => field.kind = "year",
        Kind::PartialDate => {
            field.date_types = Some(DATE_TYPES);
            field.constraints.pattern = Some(PARTIAL_DATE.to_owned());
        }
        Kind::Period => {
            field.date_types = Some(DATE_TYPES);
            field.interval_separator = Some("/");
            field.constraints.pattern = Some(format!("{PARTIAL_DATE}(/{PARTIAL_DATE})?"));
        }
        Kind::Letters(count) => field.constraints.pattern = Some(format!("[A-Z]{{{count}}}")),
        Kind::OneOf(spellings) => field.constraints.one_of = Some(spellings),
    }
    field
}

fn one_line(doc: &str) -> String {
    doc.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> serde_json::Value {
        serde_json::from_str(&package(&[])).unwrap()
    }

    #[test]
    fn a_package_is_remade_with_the_sources_it_lists() {
        let source = Source {
            id: "no-jp-2015".into(),
            title: "Bilaterale relasjoner".into(),
            publisher: "Embassy of Japan in Norway".into(),
            language: "nb".into(),
            last_updated: None,
            copyright_year: None,
            url: Some("https://example.org/page".into()),
            locator: None,
        };
        let written = package(std::slice::from_ref(&source));
        let document: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(
            document["sources"],
            serde_json::json!([{
                "title": "Bilaterale relasjoner",
                "path": "https://example.org/page",
                "bilat:id": "no-jp-2015",
                "bilat:publisher": "Embassy of Japan in Norway",
            }])
        );
        assert_eq!(remake_with_its_sources(&written).as_deref(), Some(written.as_str()));
        let stale = written.replace("\"year\"", "\"integer\"");
        assert_ne!(remake_with_its_sources(&stale).as_deref(), Some(stale.as_str()));
        assert_eq!(remake_with_its_sources("not json"), None);
    }

    #[test]
    fn every_table_is_a_resource_with_its_columns_and_key() {
        let document = document();
        let resources = document["resources"].as_array().unwrap();
        assert_eq!(resources.len(), TableId::ALL.len());
        for (resource, table) in resources.iter().zip(TableId::ALL) {
            let def = table.def();
            assert_eq!(resource["path"], def.file);
            assert_eq!(resource["profile"], "tabular-data-resource");
            let names: Vec<&str> =
                resource["schema"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
            let declared: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
            assert_eq!(names, declared, "{}", def.file);
            assert_eq!(resource["schema"]["primaryKey"], serde_json::json!(def.key));
        }
    }

    #[test]
    fn types_enums_and_references_come_from_the_declarations() {
        let document = document();
        let trade = &document["resources"][TableId::ALL.iter().position(|t| *t == TableId::Trade).unwrap()];
        let field = |name: &str| {
            trade["schema"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap().clone()
        };
        assert_eq!(field("year")["type"], "year");
        assert_eq!(field("value")["type"], "number");
        assert_eq!(field("value")["bilat:writtenPrecision"], true);
        assert_eq!(field("value")["constraints"]["required"], false);
        assert_eq!(field("flow")["constraints"]["enum"], serde_json::json!(["export", "import"]));
        assert_eq!(field("reporter")["constraints"]["pattern"], "[A-Z]{2}");

        let commodities =
            &document["resources"][TableId::ALL.iter().position(|t| *t == TableId::TradeCommodities).unwrap()];
        let composite = commodities["schema"]["foreignKeys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["reference"]["resource"] == "trade")
            .unwrap();
        assert_eq!(composite["fields"], serde_json::json!(["reporter", "partner", "year", "flow"]));
        assert_eq!(composite["reference"]["fields"], serde_json::json!(["reporter", "partner", "year", "flow"]));
    }

    #[test]
    fn partial_dates_name_the_standard_types_they_are_written_as() {
        let document = document();
        let visits = &document["resources"][TableId::ALL.iter().position(|t| *t == TableId::Visits).unwrap()];
        let date = visits["schema"]["fields"].as_array().unwrap().iter().find(|f| f["name"] == "date").unwrap();
        assert_eq!(date["type"], "string");
        assert_eq!(date["bilat:dateTypes"], serde_json::json!(["year", "yearmonth", "date"]));
        assert_eq!(date["bilat:intervalSeparator"], "/");
    }
}
