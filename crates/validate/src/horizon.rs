//! The latest day a source can speak of ([`Horizon`]): a page cannot report what had not
//! happened when it was written. `date/after-source` checks every dated cell against the
//! horizon of the source it cites, and `id/convention` defers to it for a visit's date; the horizons of all sources are worked out once for each
//! of the rules' `Context`s ([`horizons`]), not for every block of streamed lines, which all
//! look them up.

use ingest::{Dataset, Row};
use model::{DayRange, PartialDate, Source};

/// The latest day a source can speak of, and how the source says so.
#[derive(Debug)]
pub(crate) struct Horizon {
    pub(crate) last_day: DayRange,
    said: Said,
}

/// How a source gives its [`Horizon`]; put in words only for a finding, which few sources
/// ever have.
#[derive(Debug)]
enum Said {
    LastUpdated(PartialDate),
    Copyright(model::Year),
}

impl Horizon {
    /// What the source says that sets its horizon: "was last updated on 2013-04-29".
    pub(crate) fn described(&self) -> String {
        match self.said {
            Said::LastUpdated(updated) => format!("was last updated on {updated}"),
            Said::Copyright(year) => format!("is copyright {year}"),
        }
    }
}

/// The horizon of `source`: its last update, else the end of its copyright year; `None` when
/// it gives neither.
fn horizon(source: &Source<'_>) -> Option<Horizon> {
    if let Some(updated) = source.last_updated {
        return Some(Horizon { last_day: updated.days(), said: Said::LastUpdated(updated) });
    }
    let year = source.copyright_year?;
    let date = PartialDate::year_only(year.0)?;
    Some(Horizon { last_day: date.days(), said: Said::Copyright(year) })
}

/// Each source's horizon, and its row, by the source's id (of a repeated id, the last row with
/// a horizon). The map is the rules' `Map`, spelt out: this module is below the engine.
pub(crate) type Horizons<'d, 's> =
    std::collections::HashMap<&'d str, (Horizon, &'d Row<Source<'s>>), foldhash::fast::RandomState>;

/// [`Horizons`] of `data`'s sources.
pub(crate) fn horizons<'d, 's>(data: &'d Dataset<'s>) -> Horizons<'d, 's> {
    data.sources.rows.iter().filter_map(|row| Some((&*row.record.id, (horizon(&row.record)?, row)))).collect()
}
