//! The partner countries of the dataset and their rows, gathered for the country sections.

use std::collections::BTreeMap;

use ingest::Dataset;
use model::{
    Country, CountryCode, Decimal, Relation, Resident, Source, TableId, TradeCommodity, TradeTotal, Unit, Visit,
    VisitParticipant,
};

/// Norway's code: one side of every relation.
pub(crate) const HOME: &str = "NO";

/// A partner country and every row about its relations with Norway.
#[derive(Debug)]
pub(crate) struct Partner<'d, 'a> {
    pub(crate) code: CountryCode,
    pub(crate) relations: Vec<&'d Relation<'a>>,
    pub(crate) visits: Vec<&'d Visit<'a>>,
    pub(crate) trade: Vec<&'d TradeTotal<'a>>,
    pub(crate) commodities: Vec<&'d TradeCommodity<'a>>,
    pub(crate) residents: Vec<&'d Resident<'a>>,
}

impl Partner<'_, '_> {
    fn new(code: CountryCode) -> Self {
        Partner {
            code,
            relations: Vec::new(),
            visits: Vec::new(),
            trade: Vec::new(),
            commodities: Vec::new(),
            residents: Vec::new(),
        }
    }

    /// The ids of the sources its rows cite, sorted.
    pub(crate) fn sources(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .relations
            .iter()
            .map(|r| r.source.to_string())
            .chain(self.visits.iter().map(|v| v.source.to_string()))
            .chain(self.trade.iter().map(|t| t.source.to_string()))
            .chain(self.commodities.iter().map(|c| c.source.to_string()))
            .chain(self.residents.iter().map(|r| r.source.to_string()))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Looks up countries, sources and visit participants of a dataset.
#[derive(Debug)]
pub(crate) struct Lookup<'d, 'a> {
    countries: BTreeMap<CountryCode, &'d Country<'a>>,
    sources: BTreeMap<&'d str, &'d Source<'a>>,
    participants: BTreeMap<&'d str, Vec<&'d VisitParticipant<'a>>>,
    /// Against a base: the figures a change touched, by table and row key, with the figure
    /// written at the base (`None` for a row the change added).
    changed: BTreeMap<(TableId, String), Option<String>>,
}

impl<'d, 'a> Lookup<'d, 'a> {
    pub(crate) fn new(data: &'d Dataset<'a>) -> Self {
        let mut countries = BTreeMap::new();
        for row in &data.countries.rows {
            countries.entry(row.record.code).or_insert(&row.record);
        }
        let mut sources = BTreeMap::new();
        for row in &data.sources.rows {
            sources.entry(&*row.record.id).or_insert(&row.record);
        }
        let mut participants: BTreeMap<&'d str, Vec<&'d VisitParticipant<'a>>> = BTreeMap::new();
        for row in &data.visit_participants.rows {
            participants.entry(&*row.record.visit).or_default().push(&row.record);
        }
        for list in participants.values_mut() {
            list.sort_by_key(|p| p.seq);
        }
        Lookup { countries, sources, participants, changed: BTreeMap::new() }
    }

    /// The same, knowing which figures `diff` added or changed since the base.
    pub(crate) fn with_changes(mut self, diff: Option<&crate::DataDiff>) -> Self {
        for table in diff.iter().flat_map(|d| d.tables.iter()) {
            for row in &table.added {
                self.changed.insert((table.table, row.key.clone()), None);
            }
            // The column a chart draws the row by.
            let charted = match table.table {
                TableId::Residents => "count",
                TableId::Visits => "date",
                _ => "value",
            };
            for row in &table.changed {
                if let Some(cell) = row.cells.iter().find(|c| c.column == charted) {
                    self.changed.insert((table.table, row.key.clone()), Some(cell.old.clone()));
                }
            }
        }
        self
    }

    /// Whether the change under review added or changed any figure a chart draws.
    pub(crate) fn has_changes(&self) -> bool {
        !self.changed.is_empty()
    }

    /// Whether the figure of a row changed since the base: `Some(None)` for a new row,
    /// `Some(Some(old))` for a figure that was `old`.
    pub(crate) fn change(&self, table: TableId, key: &str) -> Option<&Option<String>> {
        self.changed.get(&(table, key.to_owned()))
    }

    /// A country's English name, or its code when `countries.csv` does not have it.
    pub(crate) fn name(&self, code: CountryCode) -> String {
        self.countries.get(&code).map_or_else(|| code.to_string(), |c| c.name_en.to_string())
    }

    /// A country's row.
    pub(crate) fn country(&self, code: CountryCode) -> Option<&'d Country<'a>> {
        self.countries.get(&code).copied()
    }

    /// A source by id.
    pub(crate) fn source(&self, id: &str) -> Option<&'d Source<'a>> {
        self.sources.get(id).copied()
    }

    /// A visit's participants, in order, as `title name` joined by `; `.
    pub(crate) fn who(&self, visit: &str) -> String {
        let Some(list) = self.participants.get(visit) else {
            return String::new();
        };
        list.iter()
            .map(|p| {
                let parts: Vec<&str> = [p.title.as_deref(), p.name.as_deref()].into_iter().flatten().collect();
                let mut text = parts.join(" ");
                if let Some(note) = &p.note {
                    text.push_str(&format!(" ({note})"));
                }
                text
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The side of a pair that is not Norway, when the other one is.
fn other(a: CountryCode, b: CountryCode) -> Option<CountryCode> {
    match (a.as_str() == HOME, b.as_str() == HOME) {
        (true, false) => Some(b),
        (false, true) => Some(a),
        _ => None,
    }
}

/// Every partner country with its rows, ordered by English name, then code.
pub(crate) fn partners<'d, 'a>(data: &'d Dataset<'a>, lookup: &Lookup<'d, 'a>) -> Vec<Partner<'d, 'a>> {
    let mut by_code: BTreeMap<CountryCode, Partner<'d, 'a>> = BTreeMap::new();
    for row in &data.relations.rows {
        if row.record.country.as_str() != HOME {
            by_code
                .entry(row.record.country)
                .or_insert_with(|| Partner::new(row.record.country))
                .relations
                .push(&row.record);
        }
    }
    for row in &data.visits.rows {
        if let Some(code) = other(row.record.host, row.record.guest) {
            by_code.entry(code).or_insert_with(|| Partner::new(code)).visits.push(&row.record);
        }
    }
    for row in &data.trade.rows {
        if let Some(code) = other(row.record.reporter, row.record.partner) {
            by_code.entry(code).or_insert_with(|| Partner::new(code)).trade.push(&row.record);
        }
    }
    for row in &data.trade_commodities.rows {
        if let Some(code) = other(row.record.reporter, row.record.partner) {
            by_code.entry(code).or_insert_with(|| Partner::new(code)).commodities.push(&row.record);
        }
    }
    for row in &data.residents.rows {
        if let Some(code) = other(row.record.country, row.record.citizenship) {
            by_code.entry(code).or_insert_with(|| Partner::new(code)).residents.push(&row.record);
        }
    }
    let mut list: Vec<Partner<'d, 'a>> = by_code.into_values().collect();
    list.sort_by_cached_key(|p| (lookup.name(p.code), p.code));
    list
}

/// A decimal as a float, for drawing.
pub(crate) fn to_f64(value: Decimal) -> f64 {
    value.units() as f64 / 10f64.powi(i32::from(value.scale()))
}

/// A figure in kroner, for comparing figures written in different units.
pub(crate) fn kroner(value: Decimal, unit: Unit) -> f64 {
    to_f64(value) * unit.kroner() as f64
}

/// The largest unit in which `max_kroner` is at least 1, for an axis.
pub(crate) fn axis_unit(max_kroner: f64) -> Unit {
    [Unit::NokBillion, Unit::NokMillion].into_iter().find(|u| max_kroner >= u.kroner() as f64).unwrap_or(Unit::Nok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_axis_unit_by_size() {
        assert_eq!(axis_unit(11.2e9), Unit::NokBillion);
        assert_eq!(axis_unit(142e6), Unit::NokMillion);
        assert_eq!(axis_unit(999.0), Unit::Nok);
        assert_eq!(kroner(Decimal::new(103, 1), Unit::NokBillion), 10.3e9);
    }
}
