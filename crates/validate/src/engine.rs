//! The rule engine: the rule list, the shared indexes, and running rules in parallel.

use std::collections::{HashMap, HashSet};

use diagnostic::{Diagnostic, Related, RuleId, Severity};
use ingest::{Dataset, Row, RowPos, Table};
use model::{CountryCode, Flow, Record, TableId, TradeTotal, Year};

/// A consistency rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, e.g. `trade/commodity-share`. Exceptions and finding identities use it.
    pub id: RuleId,
    /// The ids its findings carry, when they are more specific than [`Rule::id`]; empty when
    /// findings carry `id` itself. The engine checks that a rule reports no other id.
    pub emits: &'static [RuleId],
    /// How serious its findings are.
    pub severity: Severity,
    /// Whether a finding can be acknowledged in `exceptions.csv`: `true` where it may be a
    /// value as a source writes it (a share that does not add up, a code the standard does not
    /// assign), `false` where the rule checks a convention of this dataset (ids, sequences,
    /// references, unused rows) that the data must follow. The human report offers an
    /// exception line, and an exception is accepted, only where this is `true`.
    pub acknowledgeable: bool,
    /// The tables whose rows it examines; empty for every table.
    pub reads: &'static [TableId],
    /// The rule's source file, whose leading `//!` comment is its documentation.
    pub(crate) source: &'static str,
    /// Runs the rule over the whole dataset.
    pub(crate) check: fn(&Context<'_, '_>) -> Vec<Diagnostic>,
}

impl Rule {
    /// Runs this rule alone over a dataset, e.g. to time it; [`crate::check`] runs them all.
    pub fn run(&self, context: &Context<'_, '_>) -> Vec<Diagnostic> {
        (self.check)(context)
    }

    /// The rule's documentation: the `//!` comment at the top of its file, as Markdown.
    pub fn doc(&self) -> String {
        self.source
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .map(|line| line.strip_prefix("//! ").unwrap_or(line.trim_start_matches("//!")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The tables whose rows it examines.
    pub fn tables(&self) -> &'static [TableId] {
        if self.reads.is_empty() { TableId::ALL } else { self.reads }
    }

    /// The ids this rule's findings carry.
    pub fn ids(&self) -> &[RuleId] {
        if self.emits.is_empty() { std::slice::from_ref(&self.id) } else { self.emits }
    }

    /// The first sentence of the documentation.
    pub fn summary(&self) -> String {
        let doc = self.doc();
        let first = doc.split("\n\n").next().unwrap_or("");
        first.replace('\n', " ")
    }
}

/// The key of a trade flow: reporter, partner, year, flow.
pub type FlowKey = (CountryCode, CountryCode, Year, Flow);

/// What rules read: the dataset and the indexes built once for all rules.
#[derive(Debug)]
pub struct Context<'d, 'a> {
    /// The typed tables.
    pub data: &'d Dataset<'a>,
    /// The rows of `trade.csv` by flow (the first row of a repeated key).
    pub trade_totals: Map<FlowKey, &'d Row<TradeTotal<'a>>>,
}

impl<'d, 'a> Context<'d, 'a> {
    /// Builds the shared indexes of `data`, once for all rules.
    pub fn new(data: &'d Dataset<'a>) -> Context<'d, 'a> {
        let trade_totals = index_by(&data.trade.rows, |t| (t.reporter, t.partner, t.year, t.flow));
        Context { data, trade_totals }
    }

    /// A finding of `rule` about one cell of one row.
    pub fn finding<R: Record<'a>>(
        &self,
        rule: &Rule,
        table: &Table<'a, R>,
        row: &Row<R>,
        column: &str,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        self.finding_with_id(rule, rule.id, table, row, column, message, help)
    }

    /// A finding about one cell of one row that carries `id`, one of the ids `rule` declares
    /// in [`Rule::emits`].
    #[allow(clippy::too_many_arguments)]
    pub fn finding_with_id<R: Record<'a>>(
        &self,
        rule: &Rule,
        id: RuleId,
        table: &Table<'a, R>,
        row: &Row<R>,
        column: &str,
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(id, rule.severity, table.name(), message);
        diagnostic.table = Some(R::TABLE);
        diagnostic.column = Some(column.to_owned());
        diagnostic.key = Some(row.record.key_text());
        diagnostic.span = table.cell_span_by_name(row.pos, column);
        // The cell's own line: in a row with a multi-line cell, a later cell is on a later line.
        diagnostic.line = diagnostic.span.as_ref().map_or(row.pos.line, |s| table.line_at(row.pos, s.start));
        diagnostic.value = diagnostic.span.clone().and_then(|span| table.raw_cell_text(span));
        diagnostic.help = help;
        diagnostic.snippet = table.snippet(row.pos);
        diagnostic
    }

    /// A row that a finding depends on.
    pub fn related<R: Record<'a>>(
        &self,
        table: &Table<'a, R>,
        pos: RowPos,
        column: Option<&str>,
        label: String,
    ) -> Related {
        let span = column.and_then(|c| table.cell_span_by_name(pos, c));
        Related {
            label,
            file: table.name().to_owned(),
            line: span.as_ref().map_or(pos.line, |s| table.line_at(pos, s.start)),
            column: column.map(str::to_owned),
            span,
            snippet: table.snippet(pos),
        }
    }
}

/// A hash map for the rules' indexes: `foldhash` is several times faster than the standard
/// SipHash on short keys, and still seeded per process against crafted collisions.
pub type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set, with [`Map`]'s hasher.
pub type Set<K> = HashSet<K, foldhash::fast::RandomState>;

/// Indexes a table's rows by a key, once. Rows whose key repeats keep the first.
pub fn index_by<'t, R, K: std::hash::Hash + Eq + Send>(
    rows: &'t [Row<R>],
    key: impl Fn(&'t R) -> K + Sync,
) -> Map<K, &'t Row<R>>
where
    R: Sync,
{
    let mut index = Map::with_capacity_and_hasher(rows.len(), Default::default());
    for row in rows {
        index.entry(key(&row.record)).or_insert(row);
    }
    index
}

/// Groups a table's rows by a key, keeping file order within each group.
///
/// Rows of one group usually stand together (a flow's commodity lines, one after another), so
/// a run of rows with the same key costs one map lookup, not one per row.
pub fn group_by<'t, R, K: std::hash::Hash + Eq>(
    rows: &'t [Row<R>],
    key: impl Fn(&'t R) -> K,
) -> Map<K, Vec<&'t Row<R>>> {
    let mut groups: Map<K, Vec<&'t Row<R>>> = Map::default();
    let mut run: Option<(K, Vec<&'t Row<R>>)> = None;
    let flush = |groups: &mut Map<K, Vec<&'t Row<R>>>, (key, rows): (K, Vec<&'t Row<R>>)| match groups.entry(key) {
        std::collections::hash_map::Entry::Vacant(slot) => {
            slot.insert(rows);
        }
        std::collections::hash_map::Entry::Occupied(mut slot) => slot.get_mut().extend(rows),
    };
    for row in rows {
        let row_key = key(&row.record);
        match &mut run {
            Some((run_key, run_rows)) if *run_key == row_key => run_rows.push(row),
            _ => {
                if let Some(done) = run.replace((row_key, vec![row])) {
                    flush(&mut groups, done);
                }
            }
        }
    }
    if let Some(done) = run {
        flush(&mut groups, done);
    }
    groups
}
