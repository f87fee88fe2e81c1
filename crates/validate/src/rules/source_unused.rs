//! A warning for a source that no row cites.
//!
//! A source is listed so that rows can cite it; one that nothing cites was either left behind
//! when rows were removed, or the rows that should cite it name another id.
//!
//! Failing (no row cites `no-se-2020`):
//!
//! ```csv
//! id,title,publisher,language,last_updated,copyright_year,url,locator
//! no-se-2020,Bilaterale forbindelser,Norway's official websites abroad,nb,2020-01-01,,,Norway–Sweden page
//! ```
//!
//! Passing: every source id appears in the `source` column of some row.

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Row, Table};
use model::{TableId, TradeCommodity};

use crate::engine::{Context, Rule, Set, Watch, all_in_watch};
use crate::rules::same_text;

/// See the module documentation.
pub(crate) static UNUSED: Rule = Rule {
    id: RuleId::new("source/unused"),
    emits: &[],
    severity: Severity::Warning,
    acknowledgeable: false,
    reads: &[
        TableId::Relations,
        TableId::Residents,
        TableId::Sources,
        TableId::Trade,
        TableId::TradeCommodities,
        TableId::Visits,
    ],
    source: include_str!("source_unused.rs"),
    check: all_in_watch,
    watch: Some(&Cited),
};

/// The sources the streamed commodity lines cite: a few ids, however many the lines.
#[derive(Debug)]
struct Cited;

impl Watch for Cited {
    type Seen = Set<String>;

    fn look<'a>(
        &self,
        _: &Context<'_, 'a>,
        _: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        cited: &mut Set<String>,
        _: &mut Vec<Diagnostic>,
    ) {
        // Lines of one source stand together: a repeat of the line before costs no lookup.
        let mut last: Option<&str> = None;
        for row in rows {
            let source = &*row.record.source;
            if !last.is_some_and(|last| same_text(last, source)) && !cited.contains(source) {
                cited.insert(source.to_owned());
            }
            last = Some(source);
        }
    }

    fn join(&self, cited: &mut Set<String>, later: Set<String>) {
        cited.extend(later);
    }

    fn conclude(&self, context: &Context<'_, '_>, by_lines: Set<String>) -> Vec<Diagnostic> {
        unused(context, &by_lines)
    }
}

fn unused(context: &Context<'_, '_>, by_commodity_lines: &Set<String>) -> Vec<Diagnostic> {
    let data = context.data;
    // The tables the rule reads besides `sources.csv` are those that cite sources.
    let citing_complete = UNUSED.reads.iter().filter(|&&t| t != TableId::Sources).all(|&t| data.is_complete(t));
    if !citing_complete {
        return Vec::new();
    }
    let mut cited: Set<&str> = Set::default();
    cited.extend(data.relations.rows.iter().map(|r| &*r.record.source));
    cited.extend(data.visits.rows.iter().map(|r| &*r.record.source));
    cited.extend(data.trade.rows.iter().map(|r| &*r.record.source));
    cited.extend(by_commodity_lines.iter().map(String::as_str));
    cited.extend(data.residents.rows.iter().map(|r| &*r.record.source));
    data.sources
        .rows
        .iter()
        .filter(|row| !cited.contains(&*row.record.id))
        .map(|row| {
            let message = format!("no row cites source `{}`", diagnostic::text::one_line(&row.record.id));
            let help = "cite it in the `source` column of the rows it supports, or delete it".to_owned();
            context.finding(&UNUSED, &data.sources, row, "id", message, Some(help))
        })
        .collect()
}
