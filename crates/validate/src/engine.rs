//! The rule engine: the rule list, the shared indexes, and running rules in parallel.

use std::any::Any;
use std::collections::{HashMap, HashSet};

use diagnostic::{Diagnostic, Related, RuleId, Severity};
use ingest::{Dataset, Row, RowPos, Table};
use model::{CountryCode, Flow, Record, TableId, TradeCommodity, TradeTotal, Year};
use rayon::prelude::*;

use crate::left_out::{Budget, KEPT_PER_ID, LeftOut};

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
    /// Checks the tables that are held whole ([`ingest::Dataset`]'s tables but
    /// [`ingest::STREAMED`]), once the streamed rows have been seen.
    pub(crate) check: fn(&Context<'_, '_>) -> Vec<Diagnostic>,
    /// What the rule does with the rows of [`ingest::STREAMED`], which a check never holds
    /// all at once; `None` when it reads none of them.
    pub(crate) watch: Option<&'static dyn Watching>,
}

impl Rule {
    /// Runs this rule alone over a dataset whose rows are all held ([`ingest::parse`]), e.g.
    /// to time it; [`crate::check`] runs them all.
    pub fn run(&self, context: &Context<'_, '_>) -> Vec<Diagnostic> {
        let mut found = (self.check)(context);
        if let Some(watch) = self.watch {
            let Watched { mut seen, found: looked, .. } = watch_held(context, std::slice::from_ref(&self), None);
            found.extend(looked);
            found.extend(watch.conclude(context, seen.pop().flatten().unwrap_or_else(|| watch.fresh())));
        }
        found
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

/// What a rule does with the rows of [`ingest::STREAMED`]: it looks at each block of rows
/// once, as they are read, finds what a row shows by itself, and keeps what it needs of them
/// ([`Watch::Seen`], compact: keys packed, sums per flow, sets of what is used); at the end it
/// concludes from what it kept. Rows are never all in memory.
pub(crate) trait Watch: Sync + std::fmt::Debug {
    /// What the rule keeps of the rows it has seen.
    type Seen: Default + Send + 'static;

    /// Looks at a block of rows, in file order, and adds what it keeps of them to `seen` (which
    /// starts empty for each block) and its findings about single rows to `found`. `table` is
    /// where the rows are, for a finding's place and lines (the block's bytes, when the file
    /// is not held). Blocks are looked at on all cores at once.
    fn look<'a>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        seen: &mut Self::Seen,
        found: &mut Vec<Diagnostic>,
    );

    /// Adds what was kept of a later block to what was kept of the blocks before it.
    fn join(&self, _seen: &mut Self::Seen, _later: Self::Seen) {}

    /// Replaces each placeholder this rule (`rule`) gave in `found` ([`Context::placeholder`])
    /// with the finding it stands for, from `rows`, the block it looked at: called once the
    /// block's findings that are left out have been taken out of `found`.
    fn complete<'a>(
        &self,
        _rule: &Rule,
        _context: &Context<'_, 'a>,
        _table: &Table<'a, TradeCommodity<'a>>,
        _rows: &[Row<TradeCommodity<'a>>],
        _found: &mut Vec<Diagnostic>,
    ) {
    }

    /// The findings that only every row together shows, once all have been seen; the
    /// dataset's streamed table then has its counts ([`Table::is_complete`] is known).
    fn conclude(&self, _context: &Context<'_, '_>, _seen: Self::Seen) -> Vec<Diagnostic> {
        Vec::new()
    }
}

/// A [`Watch`] whose kept state is type-erased, so that the rules can be listed together.
pub(crate) trait Watching: Sync + std::fmt::Debug {
    /// Nothing seen yet.
    fn fresh(&self) -> Box<dyn Any + Send>;
    /// [`Watch::look`].
    fn look<'a>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        seen: &mut (dyn Any + Send),
        found: &mut Vec<Diagnostic>,
    );
    /// [`Watch::join`].
    fn join(&self, seen: &mut (dyn Any + Send), later: Box<dyn Any + Send>);
    /// [`Watch::complete`].
    fn complete<'a>(
        &self,
        rule: &Rule,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        found: &mut Vec<Diagnostic>,
    );
    /// [`Watch::conclude`].
    fn conclude(&self, context: &Context<'_, '_>, seen: Box<dyn Any + Send>) -> Vec<Diagnostic>;
}

impl<W: Watch> Watching for W {
    fn fresh(&self) -> Box<dyn Any + Send> {
        Box::new(W::Seen::default())
    }

    fn look<'a>(
        &self,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        seen: &mut (dyn Any + Send),
        found: &mut Vec<Diagnostic>,
    ) {
        if let Some(seen) = seen.downcast_mut::<W::Seen>() {
            Watch::look(self, context, table, rows, seen, found);
        }
    }

    fn join(&self, seen: &mut (dyn Any + Send), later: Box<dyn Any + Send>) {
        if let (Some(seen), Ok(later)) = (seen.downcast_mut::<W::Seen>(), later.downcast::<W::Seen>()) {
            Watch::join(self, seen, *later);
        }
    }

    fn complete<'a>(
        &self,
        rule: &Rule,
        context: &Context<'_, 'a>,
        table: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        found: &mut Vec<Diagnostic>,
    ) {
        Watch::complete(self, rule, context, table, rows, found);
    }

    fn conclude(&self, context: &Context<'_, '_>, seen: Box<dyn Any + Send>) -> Vec<Diagnostic> {
        match seen.downcast::<W::Seen>() {
            Ok(seen) => Watch::conclude(self, context, *seen),
            Err(_) => Vec::new(),
        }
    }
}

/// What the watching rules kept of the streamed rows, one entry per rule: `None` for a rule
/// without a [`Rule::watch`].
pub(crate) type Seen = Vec<Option<Box<dyn Any + Send>>>;

/// What the watching rules kept of the streamed rows, and what they found in single rows.
#[derive(Debug)]
pub(crate) struct Watched {
    /// What each rule kept.
    pub(crate) seen: Seen,
    /// What the rules found in single rows, but for those left out.
    pub(crate) found: Vec<Diagnostic>,
    /// The findings left out of a flood (see [`crate::left_out`]).
    pub(crate) left_out: LeftOut,
    /// How many findings of each id were kept that could have been left out.
    kept: Map<RuleId, usize>,
}

impl Watched {
    fn new(rules: &[&Rule]) -> Watched {
        Watched {
            seen: rules.iter().map(|_| None).collect(),
            found: Vec::new(),
            left_out: LeftOut::default(),
            kept: Map::default(),
        }
    }
}

/// Every rule of `rules` looks at one block of rows; returns what each kept and what they
/// found, less what `budget` leaves out of the block alone.
pub(crate) fn look_at_block<'a>(
    context: &Context<'_, 'a>,
    rules: &[&Rule],
    table: &Table<'a, TradeCommodity<'a>>,
    rows: &[Row<TradeCommodity<'a>>],
    budget: Option<&Budget<'_>>,
) -> Watched {
    let mut watched = Watched::new(rules);
    for (rule, seen) in rules.iter().zip(&mut watched.seen) {
        *seen = rule.watch.map(|watch| {
            let mut seen = watch.fresh();
            watch.look(context, table, rows, &mut *seen, &mut watched.found);
            seen
        });
    }
    if let Some(budget) = budget {
        // A block's findings beyond the budget would be left out at the join as well: leaving
        // them out here, on all cores, spares holding them until then. So would those of an
        // id that the blocks joined before this one have filled: this block comes after them.
        let mut kept: Map<RuleId, usize> = context.full.ids().into_iter().map(|id| (id, KEPT_PER_ID)).collect();
        budget.leave_out(&mut watched.found, &mut kept, &mut watched.left_out);
    }
    for rule in rules {
        if let Some(watch) = rule.watch {
            watch.complete(rule, context, table, rows, &mut watched.found);
        }
    }
    watched
}

/// Joins what a block kept (`later`) to what was kept before (`kept`), in file order, leaving
/// out what `budget` leaves out of all the blocks so far.
fn join_block(
    context: &Context<'_, '_>,
    rules: &[&Rule],
    kept: &mut Watched,
    later: Watched,
    budget: Option<&Budget<'_>>,
) {
    for ((rule, seen), later) in rules.iter().zip(kept.seen.iter_mut()).zip(later.seen) {
        if let (Some(watch), Some(later)) = (rule.watch, later) {
            match seen {
                Some(seen) => watch.join(&mut **seen, later),
                None => *seen = Some(later),
            }
        }
    }
    let mut found = later.found;
    if let Some(budget) = budget {
        budget.leave_out(&mut found, &mut kept.kept, &mut kept.left_out);
        // The blocks are joined in file order: an id filled now is full for every block
        // looked at from now on, which comes later in the file.
        context.full.add(kept.kept.iter().filter(|&(_, &count)| count >= KEPT_PER_ID).map(|(&id, _)| id));
    }
    kept.found.extend(found);
    kept.left_out.join(later.left_out);
}

/// How many held rows are looked at as one block, on one core.
const HELD_BLOCK_ROWS: usize = 16 << 10;

/// `rules` look at the held rows of [`ingest::STREAMED`] (a dataset from [`ingest::parse`]),
/// in blocks on all cores, as they would at rows streamed from the file.
pub(crate) fn watch_held(context: &Context<'_, '_>, rules: &[&Rule], budget: Option<&Budget<'_>>) -> Watched {
    context.full.clear();
    let table = &context.data.trade_commodities;
    let blocks: Vec<Watched> = table
        .rows
        .par_chunks(HELD_BLOCK_ROWS)
        .map(|block| look_at_block(context, rules, table, block, budget))
        .collect();
    let mut kept = Watched::new(rules);
    for block in blocks {
        join_block(context, rules, &mut kept, block, budget);
    }
    kept
}

/// `rules` look at the rows of [`ingest::STREAMED`] as they are read from its file, block by
/// block on all cores ([`Table::stream`]); returns what they kept and found, and what reading
/// found, for [`Table::absorb`].
pub(crate) fn watch_streamed(
    context: &Context<'_, '_>,
    rules: &[&Rule],
    budget: Option<&Budget<'_>>,
) -> (Watched, ingest::RowsRead) {
    context.full.clear();
    let mut kept = Watched::new(rules);
    let read = context.data.trade_commodities.stream(
        |block| look_at_block(context, rules, block, &block.rows, budget),
        |block| join_block(context, rules, &mut kept, block, budget),
    );
    (kept, read)
}

/// The key of a trade flow: reporter, partner, year, flow.
pub type FlowKey = (CountryCode, CountryCode, Year, Flow);

/// The flow a commodity line is part of.
pub fn flow_of(line: &TradeCommodity<'_>) -> FlowKey {
    (line.reporter, line.partner, line.year, line.flow)
}

/// The runs of adjacent items with one key, each with its key. Each item is compared with
/// its run's first, so that a run costs one key per item: `chunk_by` takes two.
pub(crate) fn runs<T, K: PartialEq>(items: &[T], key: impl Fn(&T) -> K) -> impl Iterator<Item = (K, &[T])> {
    let mut rest = items;
    std::iter::from_fn(move || {
        let (first, others) = rest.split_first()?;
        let run_key = key(first);
        let len = others.iter().position(|item| key(item) != run_key).map_or(rest.len(), |at| at + 1);
        let (run, after) = rest.split_at(len);
        rest = after;
        Some((run_key, run))
    })
}

/// Something a rule keeps for each flow of the streamed commodity lines. A block keeps a
/// list, one entry per run of lines of one flow in the order they were read, which costs no
/// lookup; joining files the entries by flow. A flow's lines mostly stand together, so a
/// block has few runs, and the work of a lookup per run is done once, at the join, and not
/// also in a map of the block's own that grows as it is filled.
#[derive(Debug)]
pub(crate) struct PerFlow<T> {
    /// The runs of the block, not yet filed.
    runs: Vec<(FlowKey, T)>,
    /// What the blocks joined so far keep, by flow.
    by_flow: Map<FlowKey, T>,
}

impl<T> Default for PerFlow<T> {
    fn default() -> PerFlow<T> {
        PerFlow { runs: Vec::new(), by_flow: Map::default() }
    }
}

impl<T> PerFlow<T> {
    /// Keeps `kept` for a run of lines of `flow`, read after those kept before.
    pub(crate) fn push_run(&mut self, flow: FlowKey, kept: T) {
        self.runs.push((flow, kept));
    }

    /// Files what a later block kept with what these blocks did: `merge` adds what was kept of
    /// a flow's later lines to what was kept of its earlier ones. `later` comes after these
    /// blocks in the file, and what either has filed comes before its runs not yet filed: so
    /// `merge` always adds later lines to earlier ones.
    pub(crate) fn join(&mut self, later: PerFlow<T>, merge: impl Fn(&mut T, T)) {
        let runs = std::mem::take(&mut self.runs);
        self.file(runs.into_iter().chain(later.by_flow).chain(later.runs), &merge);
    }

    /// What was kept, by flow.
    pub(crate) fn into_flows(mut self, merge: impl Fn(&mut T, T)) -> Map<FlowKey, T> {
        let runs = std::mem::take(&mut self.runs);
        self.file(runs, &merge);
        self.by_flow
    }

    /// Files `entries`, in file order.
    fn file(&mut self, entries: impl IntoIterator<Item = (FlowKey, T)>, merge: &impl Fn(&mut T, T)) {
        for (flow, more) in entries {
            match self.by_flow.entry(flow) {
                std::collections::hash_map::Entry::Occupied(mut kept) => merge(kept.get_mut(), more),
                std::collections::hash_map::Entry::Vacant(place) => {
                    place.insert(more);
                }
            }
        }
    }
}

/// What rules read: the dataset and the indexes built once for all rules.
#[derive(Debug)]
pub struct Context<'d, 'a> {
    /// The typed tables.
    pub data: &'d Dataset<'a>,
    /// The rows of `trade.csv` by flow (the first row of a repeated key).
    pub trade_totals: Map<FlowKey, &'d Row<TradeTotal<'a>>>,
    /// The codes of `countries.csv`, which most tables refer to.
    pub(crate) country_codes: Set<&'d str>,
    /// The ids of `sources.csv`, which most tables refer to.
    pub(crate) source_ids: Set<&'d str>,
    /// The latest day each source can speak of, for `date/after-source`.
    pub(crate) source_horizons: crate::horizon::Horizons<'d, 'a>,
    /// One hasher for the whole run, so that what rules hash in one block compares with what
    /// they hash in another.
    pub(crate) hasher: foldhash::fast::RandomState,
    /// The ids of which the streamed blocks joined so far keep all they may
    /// ([`crate::left_out`]): their findings in the blocks looked at from now on are left out
    /// but where a cell keeps them (an exception names one, another finding on the cell is
    /// kept), so a rule may give [`Context::placeholder`]s for them.
    pub(crate) full: FullIds,
}

/// Ids whose findings are left out from here on ([`Context::full`]), and how many
/// placeholders were given for them.
#[derive(Debug, Default)]
pub(crate) struct FullIds {
    ids: std::sync::Mutex<Vec<RuleId>>,
    placeholders: std::sync::atomic::AtomicUsize,
}

impl FullIds {
    /// The ids, as they are now.
    pub(crate) fn ids(&self) -> Vec<RuleId> {
        self.ids.lock().map(|ids| ids.clone()).unwrap_or_default()
    }

    /// Whether `id` is one of them.
    pub(crate) fn contains(&self, id: RuleId) -> bool {
        self.ids.lock().is_ok_and(|ids| ids.contains(&id))
    }

    /// Adds `more` to them.
    pub(crate) fn add(&self, more: impl Iterator<Item = RuleId>) {
        if let Ok(mut ids) = self.ids.lock() {
            for id in more {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// How many placeholders were given since the run began.
    #[cfg_attr(not(test), allow(dead_code, reason = "told by tests only"))]
    pub(crate) fn placeholders(&self) -> usize {
        self.placeholders.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn clear(&self) {
        if let Ok(mut ids) = self.ids.lock() {
            ids.clear();
        }
        self.placeholders.store(0, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Replaces each placeholder of `rule` in `found` with the finding `make` makes of it
/// ([`Watch::complete`]), in its place. A placeholder is known by its empty message
/// ([`Context::placeholder`]).
pub(crate) fn complete_placeholders(
    rule: &Rule,
    found: &mut Vec<Diagnostic>,
    mut make: impl FnMut(&Diagnostic) -> Option<Diagnostic>,
) {
    let is_placeholder = |f: &Diagnostic| f.message.is_empty() && rule.ids().contains(&f.rule());
    if !found.iter().any(&is_placeholder) {
        return;
    }
    for finding in std::mem::take(found) {
        if !is_placeholder(&finding) {
            found.push(finding);
            continue;
        }
        let made = make(&finding);
        // A placeholder is made from what makes the finding: it is always made again.
        debug_assert!(made.is_some(), "a placeholder stands for a finding: {finding:?}");
        found.extend(made);
    }
}

impl<'d, 'a> Context<'d, 'a> {
    /// Builds the shared indexes of `data`, once for all rules.
    pub fn new(data: &'d Dataset<'a>) -> Context<'d, 'a> {
        let trade_totals = index_by(&data.trade.rows, |t| (t.reporter, t.partner, t.year, t.flow));
        Context {
            data,
            trade_totals,
            country_codes: data.countries.rows.iter().map(|row| row.record.code.as_str()).collect(),
            source_ids: data.sources.rows.iter().map(|row| &*row.record.id).collect(),
            source_horizons: crate::horizon::horizons(data),
            hasher: foldhash::fast::RandomState::default(),
            full: FullIds::default(),
        }
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
        let mut diagnostic = Self::on_cell(rule, id, table, row, column, message);
        diagnostic.value = diagnostic.span.clone().and_then(|span| table.raw_cell_text(span));
        diagnostic.help = help;
        diagnostic.snippet = table.snippet(row.pos);
        diagnostic
    }

    /// A finding about one cell of one row with its id, place, key, column and message: all
    /// of a [`Context::placeholder`], the start of any other.
    fn on_cell<R: Record<'a>>(
        rule: &Rule,
        id: RuleId,
        table: &Table<'a, R>,
        row: &Row<R>,
        column: &str,
        message: String,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(id, rule.severity, table.name(), message);
        diagnostic.table = Some(R::TABLE);
        diagnostic.column = Some(column.to_owned());
        diagnostic.key = Some(row.record.key_text());
        diagnostic.span = table.cell_span_by_name(row.pos, column);
        // The cell's own line: in a row with a multi-line cell, a later cell is on a later line.
        diagnostic.line = table.line_of(row.pos, diagnostic.span.as_ref());
        diagnostic
    }

    /// A stand-in for a finding of `rule`, with `id`, about one cell of one row: what decides
    /// whether it is left out ([`crate::left_out`]: its id, place, key and column), and an
    /// empty message, by which [`Watch::complete`] knows it (no finding has an empty message).
    /// For a finding whose id [`Context::full`] holds: costly to build, and most likely left
    /// out.
    pub(crate) fn placeholder<R: Record<'a>>(
        &self,
        rule: &Rule,
        id: RuleId,
        table: &Table<'a, R>,
        row: &Row<R>,
        column: &str,
    ) -> Diagnostic {
        self.full.placeholders.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self::on_cell(rule, id, table, row, column, String::new())
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
            line: table.line_of(pos, span.as_ref()),
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

/// The [`Rule::check`] of a rule that does all its work in its [`Rule::watch`]: its
/// conclusion, which sees the held tables too.
pub(crate) fn all_in_watch(_: &Context<'_, '_>) -> Vec<Diagnostic> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_are_the_adjacent_items_with_one_key() {
        let runs = |items: &[u32]| -> Vec<(bool, Vec<u32>)> {
            super::runs(items, |n| n % 2 == 0).map(|(even, run)| (even, run.to_vec())).collect()
        };
        assert_eq!(runs(&[]), vec![]);
        assert_eq!(runs(&[7]), vec![(false, vec![7])]);
        assert_eq!(
            runs(&[1, 3, 2, 4, 6, 5, 8]),
            vec![(false, vec![1, 3]), (true, vec![2, 4, 6]), (false, vec![5]), (true, vec![8])]
        );
    }

    #[test]
    fn what_blocks_keep_per_flow_is_filed_by_flow_in_file_order() {
        use model::{CountryCode, Flow, Year};
        let flow = |partner: &str| -> super::FlowKey {
            let code = |text: &str| CountryCode::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            (code("NO"), code(partner), Year(2011), Flow::Export)
        };
        let block = |runs: &[(&str, &str)]| {
            let mut kept = super::PerFlow::default();
            runs.iter().for_each(|&(partner, text)| kept.push_run(flow(partner), text.to_owned()));
            kept
        };
        let append = |kept: &mut String, later: String| kept.push_str(&later);
        // Blocks joined in file order, the first not joined to anything, as the engine does;
        // a flow in two runs of one block, and in blocks apart.
        let mut kept = block(&[("JP", "a"), ("KH", "b"), ("JP", "c")]);
        kept.join(block(&[("KH", "d")]), append);
        kept.join(block(&[("SE", "e"), ("JP", "f")]), append);
        let flows = kept.into_flows(append);
        let mut filed: Vec<(String, &str)> =
            flows.iter().map(|(key, text)| (key.1.to_string(), text.as_str())).collect();
        filed.sort();
        assert_eq!(filed, [("JP".to_owned(), "acf"), ("KH".to_owned(), "bd"), ("SE".to_owned(), "e")]);
        // A single block, never joined, is filed when its flows are asked for.
        let single = block(&[("JP", "a"), ("JP", "b")]).into_flows(append);
        assert_eq!(single.get(&flow("JP")).map(String::as_str), Some("ab"));
        assert_eq!(single.len(), 1);
    }
}
