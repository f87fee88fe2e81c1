//! A warning for a country of `countries.csv` that no row names.
//!
//! The data dictionary lists a country when a table mentions it: as a partner, a third
//! country of a relation, a trade reporter or partner, a country of residence or citizenship,
//! or by its English name in a visit's `occasion` (a donors' conference for Sudan). A country
//! that nothing mentions was left behind when rows were removed, or the rows meant to name it
//! carry another code. A name counts as a whole word (`Sudan`, not `Sudanese`).
//!
//! The rule trusts only tables that were read completely: a country named on a rejected row
//! is not reported as unused.
//!
//! Failing (no row names `SD`, and no occasion names Sudan):
//!
//! ```csv
//! code,iso3,name_en,name_nb
//! SD,SDN,Sudan,Sudan
//! ```
//!
//! Passing (with a visit whose occasion is `Donors' conference for Sudan`):
//!
//! ```csv
//! code,iso3,name_en,name_nb
//! SD,SDN,Sudan,Sudan
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::{Row, Table};
use model::{CountryCode, TableId, TradeCommodity};

use crate::engine::{Context, Rule, Set, Watch, all_in_watch};

/// See the module documentation.
pub(crate) static UNUSED: Rule = Rule {
    id: RuleId::new("country/unused"),
    emits: &[],
    severity: Severity::Warning,
    acknowledgeable: false,
    reads: &[
        TableId::Countries,
        TableId::Relations,
        TableId::Visits,
        TableId::Trade,
        TableId::TradeCommodities,
        TableId::Residents,
    ],
    source: include_str!("country_unused.rs"),
    check: all_in_watch,
    watch: Some(&Named),
};

/// The countries the streamed commodity lines name.
#[derive(Debug)]
struct Named;

impl Watch for Named {
    type Seen = Set<CountryCode>;

    fn look<'a>(
        &self,
        _: &Context<'_, 'a>,
        _: &Table<'a, TradeCommodity<'a>>,
        rows: &[Row<TradeCommodity<'a>>],
        named: &mut Set<CountryCode>,
        _: &mut Vec<Diagnostic>,
    ) {
        // Lines of one flow stand together: a repeat of the line before costs no lookup.
        let mut last = None;
        for row in rows {
            let pair = (row.record.reporter, row.record.partner);
            if last != Some(pair) {
                named.extend([pair.0, pair.1]);
            }
            last = Some(pair);
        }
    }

    fn join(&self, named: &mut Set<CountryCode>, later: Set<CountryCode>) {
        named.extend(later);
    }

    fn conclude(&self, context: &Context<'_, '_>, by_lines: Set<CountryCode>) -> Vec<Diagnostic> {
        unused(context, by_lines)
    }
}

fn unused(context: &Context<'_, '_>, by_commodity_lines: Set<CountryCode>) -> Vec<Diagnostic> {
    let data = context.data;
    // The tables the rule reads besides `countries.csv` are those that name countries.
    let naming_complete = UNUSED.reads.iter().filter(|&&t| t != TableId::Countries).all(|&t| data.is_complete(t));
    if !naming_complete {
        return Vec::new();
    }
    let mut named = by_commodity_lines;
    for row in &data.relations.rows {
        named.insert(row.record.country);
        named.extend(row.record.third_country);
    }
    named.extend(data.visits.rows.iter().flat_map(|r| [r.record.host, r.record.guest]));
    named.extend(data.trade.rows.iter().flat_map(|r| [r.record.reporter, r.record.partner]));
    named.extend(data.residents.rows.iter().flat_map(|r| [r.record.country, r.record.citizenship]));
    let occasions: Vec<&str> = data.visits.rows.iter().filter_map(|r| r.record.occasion.as_deref()).collect();
    data.countries
        .rows
        .iter()
        .filter(|row| !named.contains(&row.record.code))
        .filter(|row| !occasions.iter().any(|occasion| mentions(occasion, &row.record.name_en)))
        .map(|row| {
            let country = &row.record;
            let message = format!("no row names country `{}` ({})", country.code, country.name_en);
            let help = format!(
                "a country is listed when a row names it by code, or a visit's `occasion` by its English name \
                 (`{}`): delete this row, or correct the code of the rows meant to name it",
                country.name_en
            );
            context.finding(&UNUSED, &data.countries, row, "code", message, Some(help))
        })
        .collect()
}

/// Whether `text` holds `name` as a whole word: not inside a longer word.
fn mentions(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn finds_names_as_whole_words() {
        assert!(mentions("Donors' conference for Sudan", "Sudan"));
        assert!(mentions("centenary of Norway–Japan diplomatic relations", "Japan"));
        assert!(!mentions("a Sudanese delegation", "Sudan"));
        assert!(!mentions("South Sudanese", "Sudan"));
        assert!(!mentions("anything", ""));
    }
}
