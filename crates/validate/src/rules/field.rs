//! Field-level constraints declared on the record types with `validator`: lengths, ranges,
//! formats of single cells, and the coherence of cells within one row.
//!
//! Each table's record type in `crates/model/src/records.rs` declares these next to its
//! columns, e.g. `#[validate(length(min = 1, max = 100))]` on a name or a schema function
//! that requires a unit whenever a figure is given. One rule id per kind of constraint:
//!
//! - `field/length`: text too short or too long.
//! - `field/range`: a number outside its range (a rank of 0, a negative count).
//! - `field/format`: text in the wrong shape (an id with capitals, padding spaces, a language
//!   tag that is not BCP 47, a share above 100 %, an invisible character such as a ZERO WIDTH
//!   SPACE, named with its place).
//! - `field/coherence`: cells of one row that contradict each other (a figure without a unit,
//!   a visit whose host is its guest).
//!
//! Failing (`field/range`, `rank` must be at least 1):
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,export,0,Biler,4.3,NOK billion,39,no-jp-2015
//! ```
//!
//! Passing:
//!
//! ```csv
//! reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source
//! NO,JP,2011,export,1,Biler,4.3,NOK billion,39,no-jp-2015
//! ```

use diagnostic::{Applicability, Diagnostic, Edit, Fix, RuleId, Severity};
use ingest::Table;
use model::Record;
use validator::{ValidationError, ValidationErrorsKind};

use crate::engine::{Context, Rule};

/// Field-level constraints, one `validate()` call per row.
pub(crate) static FIELD: Rule = Rule {
    id: RuleId::new("field"),
    emits: &[LENGTH, RANGE, FORMAT, COHERENCE],
    severity: Severity::Error,
    acknowledgeable: true,
    reads: &[],
    source: include_str!("field.rs"),
    check: check_all,
    watch: Some(&super::EachRow(Fields)),
};

fn check_all(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    super::each_table(context, &Fields)
}

/// The findings in `rows`; one whose id is among `placeholders` is given as a placeholder
/// ([`Context::placeholder`]).
fn check_table<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    rows: &[ingest::Row<R>],
    placeholders: &[RuleId],
) -> Vec<Diagnostic> {
    let text_columns = text_columns(R::TABLE.def());
    // A loop, not a `flat_map`: this runs for every row, and almost every row yields nothing.
    let mut findings = Vec::new();
    for row in rows {
        let first = findings.len();
        // Validated first, which reads the row's text, so that the search for invisible
        // characters finds its bytes in the cache; its findings are listed first, as an
        // invisible character is the cause of whatever else its cell fails.
        let validated = row.record.validate();
        invisible_characters(context, table, row, &text_columns, placeholders, &mut findings);
        let Err(errors) = validated else { continue };
        for (field, kind) in errors.errors() {
            let ValidationErrorsKind::Field(list) = kind else {
                continue;
            };
            for error in list {
                let (id, column) = classify(field, error);
                if findings[first..].iter().any(|f| f.column.as_deref() == Some(column)) {
                    continue;
                }
                if placeholders.contains(&id) {
                    findings.push(context.placeholder(&FIELD, id, table, row, column));
                    continue;
                }
                let message = describe(column, error);
                findings.push(context.finding_with_id(&FIELD, id, table, row, column, message, None));
            }
        }
    }
    findings
}

/// `field/format` findings for text cells holding an invisible character (a ZERO WIDTH
/// SPACE, a SOFT HYPHEN, a byte-order mark): the cell looks like text it is not. References
/// are left to `key/reference`. The fix
/// deletes the characters, which a person confirms (a source may print a soft hyphen).
fn invisible_characters<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    row: &ingest::Row<R>,
    text_columns: &[usize],
    placeholders: &[RuleId],
    findings: &mut Vec<Diagnostic>,
) {
    let def = R::TABLE.def();
    for &index in text_columns {
        let column = &def.columns[index];
        let Some(text) = row.record.text(index) else { continue };
        // Most cells have no invisible character: the quick test spares them a call to
        // `describe_invisible`, which makes the same test after setting up for more.
        if !diagnostic::text::has_invisible(text) {
            continue;
        }
        let Some(invisible) = diagnostic::text::describe_invisible(text) else { continue };
        if placeholders.contains(&FORMAT) {
            findings.push(context.placeholder(&FIELD, FORMAT, table, row, column.name));
            continue;
        }
        let visible = diagnostic::text::without_invisible(text);
        let message = format!("`{}` contains {invisible}", column.name);
        let title = format!("write `{}`, without the invisible characters", diagnostic::text::one_line(&visible));
        let mut finding =
            context.finding_with_id(&FIELD, FORMAT, table, row, column.name, message, Some(title.clone()));
        if let Some(span) = finding.span.clone() {
            finding.fix = Some(Fix {
                title,
                applicability: Applicability::Unsafe,
                edits: vec![Edit { file: finding.file.clone(), span, replacement: ingest::csv_cell(&visible) }],
            });
        }
        findings.push(finding);
    }
}

/// The text columns of a table that are not references: a reference is judged by
/// `key/reference`, which says which key it looks like.
fn text_columns(def: &model::TableDef) -> Vec<usize> {
    (0..def.columns.len())
        .filter(|&index| {
            let column = &def.columns[index];
            let reference = def.foreign_keys.iter().any(|fk| fk.columns == [column.name]);
            column.kind == model::Kind::Text && !reference
        })
        .collect()
}

const LENGTH: RuleId = RuleId::new("field/length");
const RANGE: RuleId = RuleId::new("field/range");
const FORMAT: RuleId = RuleId::new("field/format");
const COHERENCE: RuleId = RuleId::new("field/coherence");

fn classify<'e>(field: &'e str, error: &'e ValidationError) -> (RuleId, &'e str) {
    if field == "__all__" {
        let column = error.params.get("column").and_then(|v| v.as_str()).unwrap_or("");
        return (COHERENCE, column);
    }
    match &*error.code {
        "length" => (LENGTH, field),
        "range" => (RANGE, field),
        _ => (FORMAT, field),
    }
}

fn describe(column: &str, error: &ValidationError) -> String {
    if let Some(message) = &error.message {
        // A sentence that names its columns stands alone; a short one is said of its column.
        return if message.starts_with('`') { message.to_string() } else { format!("`{column}`: {message}") };
    }
    let param = |name: &str| error.params.get(name).map(ToString::to_string);
    match &*error.code {
        "length" => {
            let length = error.params.get("value").and_then(|v| v.as_str()).map_or(0, |s| s.chars().count());
            match (param("min"), param("max")) {
                (Some(min), Some(max)) => {
                    format!("`{column}` has {length} characters; it takes {min} to {max}")
                }
                (Some(min), None) => {
                    format!("`{column}` has {length} characters; it takes at least {min}")
                }
                (None, Some(max)) => {
                    format!("`{column}` has {length} characters; it takes at most {max}")
                }
                (None, None) => format!("`{column}` has the wrong length"),
            }
        }
        "range" => {
            let value = param("value").unwrap_or_default();
            match (param("min"), param("max")) {
                (Some(min), Some(max)) => {
                    format!("`{column}` is {value}; it must be from {min} to {max}")
                }
                (Some(min), None) => format!("`{column}` is {value}; it must be at least {min}"),
                (None, Some(max)) => format!("`{column}` is {value}; it must be at most {max}"),
                (None, None) => format!("`{column}` is out of range"),
            }
        }
        code => format!("`{column}` fails the `{code}` constraint"),
    }
}

#[derive(Debug)]
struct Fields;

impl super::PerTable for Fields {
    fn check<'a, R: Record<'a>>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, R>,
        rows: &[ingest::Row<R>],
    ) -> Vec<Diagnostic> {
        check_table(context, table, rows, &[])
    }

    fn check_giving_placeholders<'a, R: Record<'a>>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, R>,
        rows: &[ingest::Row<R>],
        placeholders: &[RuleId],
    ) -> Vec<Diagnostic> {
        check_table(context, table, rows, placeholders)
    }
}
