//! Every row of `countries.csv` has a country code that ISO 3166-1 assigns, and the alpha-3
//! code the standard pairs with it.
//!
//! Every other table names countries by the codes of `countries.csv` (`key/reference` checks
//! that), so a code that exists nowhere but here (`JN` typed for `JP`) would pass unnoticed
//! everywhere. The codes are looked up in the standard's list as the `rust_iso3166` crate
//! carries it, not in a table typed by hand. The finding is on `code` when the standard does
//! not assign it, saying whether it is unassigned (`JN`), withdrawn (`YU`, with the codes that
//! replaced it) or left to users (`AA`, `QM`–`QZ`, `XA`–`XZ`, `ZZ`); and on `iso3` when the
//! code is assigned but the alpha-3 code is another (`SE,NOR`).
//!
//! A user-assigned code such as `XK`, which many use for Kosovo, is an error like any other
//! code the standard lacks: a dataset that needs it acknowledges it in `exceptions.csv`
//! (`country/iso-code,countries.csv,XK,code,XK,<why>`), and its alpha-3 code is then not
//! checked, since the standard has none to compare with.
//!
//! Failing (`SE` is Sweden, whose alpha-3 code is `SWE`; `JN` is no country's code):
//!
//! ```csv
//! code,iso3,name_en,name_nb
//! SE,NOR,Sweden,Sverige
//! JN,JPN,Japan,Japan
//! ```
//!
//! Passing:
//!
//! ```csv
//! code,iso3,name_en,name_nb
//! SE,SWE,Sweden,Sverige
//! JP,JPN,Japan,Japan
//! ```

use diagnostic::{Diagnostic, RuleId, Severity};
use ingest::Row;
use model::{Country, Iso3166, TableId};
use rayon::prelude::*;

use crate::engine::{Context, Rule};

/// See the module documentation.
pub(crate) static ISO_CODE: Rule = Rule {
    id: RuleId::new("country/iso-code"),
    emits: &[],
    severity: Severity::Error,
    acknowledgeable: true,
    reads: &[TableId::Countries],
    source: include_str!("country_iso_code.rs"),
    check,
    watch: None,
};

fn check(context: &Context<'_, '_>) -> Vec<Diagnostic> {
    context.data.countries.rows.par_iter().filter_map(|row| check_row(context, row)).collect()
}

fn check_row(context: &Context<'_, '_>, row: &Row<Country<'_>>) -> Option<Diagnostic> {
    let table = &context.data.countries;
    let country = &row.record;
    let code = country.code;
    let (message, help) = match code.iso3166() {
        Iso3166::Assigned(standard) if standard.alpha3 == country.iso3 => return None,
        Iso3166::Assigned(standard) => {
            let message = format!(
                "`iso3` is `{}`, but ISO 3166-1 pairs `{code}` ({}) with `{}`",
                country.iso3, standard.name, standard.alpha3
            );
            let help = match country.iso3.iso3166() {
                Some(other) => format!(
                    "write `{}`; `{}` is the alpha-3 code of {} (`{}`), so check which country the row means",
                    standard.alpha3, country.iso3, other.name, other.alpha2
                ),
                None => format!("write `{}`", standard.alpha3),
            };
            let finding = context.finding(&ISO_CODE, table, row, "iso3", message, Some(help));
            return Some(finding);
        }
        Iso3166::UserAssigned => (
            format!("`{code}` is a code that ISO 3166-1 leaves to its users, not a country code of the standard"),
            format!(
                "write the country's ISO 3166-1 code; if the dataset needs this code (e.g. `XK` for Kosovo), \
                 acknowledge it in exceptions.csv with the row\n{},countries.csv,{code},code,{code},<why>",
                ISO_CODE.id
            ),
        ),
        Iso3166::Withdrawn { former, successors } => {
            let codes: Vec<String> = successors.iter().map(|c| format!("`{c}`")).collect();
            let help = match codes.as_slice() {
                [] => "write the code of the country the row means today".to_owned(),
                [one] => format!("write the code of the country the row means today: {one}"),
                [several @ .., last] => {
                    format!("write the code of the country the row means today: {} or {last}", several.join(", "))
                }
            };
            (format!("`{code}` was withdrawn from ISO 3166-1; it stood for {former}"), help)
        }
        Iso3166::Unassigned => {
            let message = format!("`{code}` is not a country code of ISO 3166-1");
            let help = match country.iso3.iso3166() {
                Some(meant) => format!(
                    "the row's alpha-3 code `{}` is {}'s, whose alpha-2 code is `{}`; did you mean `{}`?",
                    country.iso3, meant.name, meant.alpha2, meant.alpha2
                ),
                None => "look the country up in ISO 3166-1 and write its alpha-2 and alpha-3 codes".to_owned(),
            };
            (message, help)
        }
    };
    Some(context.finding(&ISO_CODE, table, row, "code", message, Some(help)))
}
