//! Every reference resolves: country codes to `countries.csv`, source ids to `sources.csv`,
//! visit ids to `visits.csv`, commodity lines to their flow's total in `trade.csv`, and each
//! exception to a real table, column and rule.
//!
//! A reference that resolves nowhere is a typo (`JN` for `JP`) or a row that was forgotten.
//! The finding suggests the nearest existing key; when exactly one key is nearest, it carries
//! the replacement as an unsafe fix (a guess: `cargo xtask fix --unsafe`). A reference is only judged against a table
//! that was read completely: when a row of `countries.csv` was rejected, a code that may be
//! on that row is not reported as missing (the rejected row's own problem is). A reference
//! that differs from a key only by invisible characters (`no-jp-2015` and a ZERO WIDTH
//! SPACE) names them, and its fix deletes them (safe: the key it then names is the one it
//! showed).
//!
//! The references between tables are the foreign keys declared with each table in the model,
//! which the data package (`data/datapackage.json`) declares too; a test keeps this rule and
//! those declarations in agreement.
//!
//! Failing:
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! nojp-2008-1,NO,JN,2008-12,Oslo,,false,no-jp-2015
//! ```
//!
//! Passing:
//!
//! ```csv
//! id,host,guest,date,place,occasion,state_visit,source
//! nojp-2008-1,NO,JP,2008-12,Oslo,,false,no-jp-2015
//! ```

use diagnostic::{Applicability, Diagnostic, Edit, Fix, RuleId, Severity};
use ingest::{Row, Table};
use model::{Record, TableId, TradeCommodity};

use crate::engine::{Context, Rule, Set, Watch, flow_of};
use crate::rules::same_text;

/// See the module documentation.
pub(crate) static REFERENCE: Rule = Rule {
    id: RuleId::new("key/reference"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: false,
    reads: &[],
    source: include_str!("key_reference.rs"),
    check,
    watch: Some(&StreamedReferences),
};

/// Suggestions are searched among at most this many keys, to keep a flood of misses linear.
const MAX_SUGGESTION_CANDIDATES: usize = 10_000;

/// The keys a reference may point to.
struct Target<'k> {
    /// The table referred to.
    table: model::TableId,
    /// What the keys are, e.g. "a code of countries.csv".
    described: String,
    keys: &'k Set<&'k str>,
    /// Whether every row of the target table was read: only then is a miss certain.
    complete: bool,
}

impl<'k> Target<'k> {
    /// The target `table`, whose keys, in `column`, are `keys`: an index of the [`Context`], or
    /// one built for the check.
    fn new<'a: 'k, R: Record<'a>>(table: &'k Table<'a, R>, column: &str, keys: &'k Set<&'k str>) -> Target<'k> {
        Target {
            table: R::TABLE,
            described: format!("`{column}` of {}", R::TABLE.file()),
            keys,
            complete: table.is_complete(),
        }
    }

    /// The nearest key, and whether no other key is as near.
    fn suggestion(&self, value: &str) -> Option<(String, bool)> {
        if self.keys.len() > MAX_SUGGESTION_CANDIDATES {
            return None;
        }
        let mut keys: Vec<&str> = self.keys.iter().copied().collect();
        keys.sort_unstable();
        let near = model::closest(value, keys.iter().copied())?;
        let distance = |key: &str| model::edit_distance(&value.to_lowercase(), &key.to_lowercase());
        let best = distance(&near);
        let unique = keys.iter().filter(|k| distance(k) == best).count() == 1;
        Some((near, unique))
    }
}

/// One reference of a row: the column and the value it holds.
type Reference<'r> = (&'static str, Option<&'r str>);

/// The references of a row to one target table: at most two, e.g. host and guest. An array,
/// not a `Vec`, because this runs for every row.
type References<'r> = [Reference<'r>; 2];

/// The second slot of a row that refers to the target once.
const NONE: Reference<'static> = ("", None);

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let data = context.data;
    let countries = Target::new(&data.countries, "code", &context.country_codes);
    let sources = Target::new(&data.sources, "id", &context.source_ids);
    let visit_ids: Set<&str> = data.visits.rows.iter().map(|row| &*row.record.id).collect();
    let visits = Target::new(&data.visits, "id", &visit_ids);
    let mut findings = Vec::new();
    findings.extend(resolve(context, &data.relations, &data.relations.rows, &countries, |r| {
        [("country", Some(r.country.as_str())), ("third_country", r.third_country.as_ref().map(|c| c.as_str()))]
    }));
    findings.extend(resolve(context, &data.visits, &data.visits.rows, &countries, |r| {
        [("host", Some(r.host.as_str())), ("guest", Some(r.guest.as_str()))]
    }));
    findings.extend(resolve(context, &data.trade, &data.trade.rows, &countries, |r| {
        [("reporter", Some(r.reporter.as_str())), ("partner", Some(r.partner.as_str()))]
    }));
    findings.extend(resolve(context, &data.residents, &data.residents.rows, &countries, |r| {
        [("country", Some(r.country.as_str())), ("citizenship", Some(r.citizenship.as_str()))]
    }));
    findings.extend(resolve(context, &data.relations, &data.relations.rows, &sources, |r| {
        [("source", Some(&*r.source)), NONE]
    }));
    findings
        .extend(resolve(context, &data.visits, &data.visits.rows, &sources, |r| [("source", Some(&*r.source)), NONE]));
    findings
        .extend(resolve(context, &data.trade, &data.trade.rows, &sources, |r| [("source", Some(&*r.source)), NONE]));
    findings.extend(resolve(context, &data.residents, &data.residents.rows, &sources, |r| {
        [("source", Some(&*r.source)), NONE]
    }));
    findings.extend(resolve(context, &data.visit_participants, &data.visit_participants.rows, &visits, |r| {
        [("visit", Some(&*r.visit)), NONE]
    }));
    findings.extend(exceptions(context));
    findings
}

/// The references of the streamed commodity lines, checked block by block as they are read.
#[derive(Debug)]
struct StreamedReferences;

impl Watch for StreamedReferences {
    type Seen = ();

    fn look<'a>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        (): &mut (),
        found: &mut Vec<Diagnostic>,
    ) {
        let data = context.data;
        let countries = Target::new(&data.countries, "code", &context.country_codes);
        let sources = Target::new(&data.sources, "id", &context.source_ids);
        let look_at = |rows: &[Row<TradeCommodity<'a>>], found: &mut Vec<Diagnostic>| {
            found.extend(resolve(context, table, rows, &countries, |r| {
                [("reporter", Some(r.reporter.as_str())), ("partner", Some(r.partner.as_str()))]
            }));
            found.extend(resolve(context, table, rows, &sources, |r| [("source", Some(&*r.source)), NONE]));
            found.extend(commodity_totals(context, table, rows));
        };
        // Lines of one flow from one source cite the same keys.
        let cite_alike = |a: &Row<TradeCommodity<'_>>, b: &Row<TradeCommodity<'_>>| {
            flow_of(&a.record) == flow_of(&b.record) && same_text(&a.record.source, &b.record.source)
        };
        super::look_by_runs(rows, cite_alike, found, look_at);
    }
}

fn resolve<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    rows: &[Row<R>],
    target: &Target<'_>,
    references: impl for<'r> Fn(&'r R) -> References<'r>,
) -> Vec<Diagnostic> {
    if !target.complete {
        return Vec::new();
    }
    // Adjacent rows mostly cite the same keys (the lines of one flow, one source): a value
    // equal to the last one found in a slot needs no lookup.
    let mut found: [Option<&str>; 2] = [None, None];
    let mut findings = Vec::new();
    for row in rows {
        for (slot, (column, value)) in references(&row.record).into_iter().enumerate() {
            let Some(value) = value else { continue };
            if found[slot].is_some_and(|found| same_text(found, value)) {
                continue;
            }
            if target.keys.contains(value) {
                found[slot] = Some(value);
                continue;
            }
            findings.push(missing(context, table, row, column, value, target));
        }
    }
    findings
}

fn missing<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    table: &Table<'a, R>,
    row: &Row<R>,
    column: &str,
    value: &str,
    target: &Target<'_>,
) -> Diagnostic {
    let shown = diagnostic::text::one_line(value);
    // `no-jp-2015` with a ZERO WIDTH SPACE looks like the key it misses: name the character.
    let visible = diagnostic::text::without_invisible(value);
    if let Some(invisible) = diagnostic::text::describe_invisible(value)
        && target.keys.contains(visible.as_str())
    {
        let message = format!(
            "`{column}` is `{shown}`, which contains {invisible}, so it is not `{}`, the {} it looks like",
            diagnostic::text::one_line(&visible),
            target.described
        );
        let title = format!("write `{}`, without the invisible characters", diagnostic::text::one_line(&visible));
        let mut finding = context.finding(&REFERENCE, table, row, column, message, Some(title.clone()));
        finding.missing_key = Some((target.table, value.to_owned()));
        if let Some(span) = finding.span.clone() {
            finding.fix = Some(Fix {
                title,
                applicability: Applicability::Safe,
                edits: vec![Edit { file: finding.file.clone(), span, replacement: ingest::csv_cell(&visible) }],
            });
        }
        return finding;
    }
    let mut message = format!("`{column}` is `{shown}`, which is not a {}", target.described);
    if let Some(invisible) = diagnostic::text::describe_invisible(value) {
        message.push_str(&format!(", and contains {invisible}"));
    }
    let suggestion = target.suggestion(value);
    let help = match &suggestion {
        Some((near, _)) => format!("did you mean `{}`?", diagnostic::text::one_line(near)),
        None => format!("add a row with `{shown}` to the table it refers to, or correct the reference"),
    };
    let mut finding = context.finding(&REFERENCE, table, row, column, message, Some(help));
    finding.missing_key = Some((target.table, value.to_owned()));
    if let (Some((near, true)), Some(span)) = (suggestion, finding.span.clone()) {
        finding.fix = Some(Fix {
            title: format!("write `{near}`"),
            applicability: Applicability::Unsafe,
            edits: vec![Edit { file: finding.file.clone(), span, replacement: ingest::csv_cell(&near) }],
        });
    }
    finding
}

/// A commodity line is part of a flow: its (reporter, partner, year, flow) must have a total.
fn commodity_totals<'a>(
    context: &Context<'_, 'a>,
    table: &Table<'a, TradeCommodity<'a>>,
    rows: &[Row<TradeCommodity<'a>>],
) -> Vec<Diagnostic> {
    let data = context.data;
    if !data.trade.is_complete() {
        return Vec::new();
    }
    let totals = &context.trade_totals;
    // A flow's lines stand together: a line of the flow last found needs no lookup.
    let mut found = None;
    let mut findings = Vec::new();
    for row in rows {
        let r = &row.record;
        let flow = flow_of(r);
        if found == Some(flow) {
            continue;
        }
        if totals.contains_key(&flow) {
            found = Some(flow);
            continue;
        }
        let message = format!("no {} total in trade.csv for {} → {} in {}", r.flow, r.reporter, r.partner, r.year);
        let help = format!(
            "add the row `{},{},{},{},…` to trade.csv, or correct this line's reporter, partner, year or flow",
            r.reporter, r.partner, r.year, r.flow
        );
        findings.push(context.finding(&REFERENCE, table, row, "flow", message, Some(help)));
    }
    findings
}

/// An exception names a table file, one of its columns and a rule id that exist.
fn exceptions(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    let table = &context.data.exceptions;
    let rule_ids: Vec<&str> = crate::rules::ALL
        .iter()
        .flat_map(|r| r.ids().iter().map(|id| id.as_str()))
        .chain(ingest::ErrorKind::ALL.iter().map(|k| k.code()))
        .collect();
    let files: Vec<&str> = TableId::ALL.iter().map(|t| t.file()).collect();
    let mut findings = Vec::new();
    for row in &table.rows {
        let exception = &row.record;
        let mut miss = |column: &str, value: &str, candidates: &[&str], described: &str| {
            let message = format!("`{column}` is `{}`, which is not {described}", diagnostic::text::one_line(value));
            let help = match model::closest(value, candidates.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("one of: {}", candidates.join(", ")),
            };
            findings.push(context.finding(&REFERENCE, table, row, column, message, Some(help)));
        };
        if !rule_ids.contains(&&*exception.rule) {
            miss("rule", &exception.rule, &rule_ids, "a rule id");
        }
        match TableId::from_file(&exception.file) {
            None => miss("file", &exception.file, &files, "a table's file"),
            Some(target) => {
                let columns: Vec<&str> = target.def().columns.iter().map(|c| c.name).collect();
                if !columns.contains(&&*exception.column) {
                    miss("column", &exception.column, &columns, &format!("a column of {}", target.file()));
                }
            }
        }
    }
    findings
}
