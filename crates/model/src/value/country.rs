//! Country codes.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CellError;

/// An ISO 3166-1 alpha-2 code: two upper-case ASCII letters, `NO`, `JP`.
///
/// Whether the code names a country of `countries.csv` is a reference rule, not a matter of
/// syntax; this type only guarantees the shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

/// An ISO 3166-1 alpha-3 code: three upper-case ASCII letters, `NOR`, `JPN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iso3Code([u8; 3]);

/// `N` upper-case ASCII letters. Inlined where cells are read: a code cell is read for every
/// row, and is almost always right; what is wrong with one is told out of line.
#[inline]
fn parse_letters<const N: usize>(text: &str, expected: &'static str) -> Result<[u8; N], CellError> {
    plain_letters(text.as_bytes()).ok_or_else(|| letters_error::<N>(text, expected))
}

/// `N` upper-case ASCII letters, from the bytes of a cell; `None` for anything else.
#[inline(always)]
fn plain_letters<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    <[u8; N]>::try_from(bytes).ok().filter(|code| code.iter().all(u8::is_ascii_uppercase))
}

/// Why `text` is not `N` upper-case ASCII letters.
#[cold]
fn letters_error<const N: usize>(text: &str, expected: &'static str) -> CellError {
    let trimmed = text.trim();
    if trimmed.len() == N && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
        let upper = trimmed.to_ascii_uppercase();
        let reason = if trimmed != text { "spaces around the code" } else { "lower-case letters" };
        return CellError::new(expected, reason).with_safe_fix("write", upper);
    }
    CellError::new(expected, &format!("not {N} letters"))
}

impl CountryCode {
    /// Parses two upper-case ASCII letters.
    #[inline]
    pub fn parse(text: &str) -> Result<CountryCode, CellError> {
        parse_letters(text, "an ISO 3166-1 alpha-2 country code such as NO").map(CountryCode)
    }

    /// [`CountryCode::parse`] of a cell's bytes, for the usual cell; `None` for any other.
    #[inline(always)]
    pub(crate) fn parse_plain(bytes: &[u8]) -> Option<CountryCode> {
        plain_letters(bytes).map(CountryCode)
    }

    /// The code as text.
    #[inline]
    pub fn as_str(&self) -> &str {
        // Both bytes are upper-case ASCII letters by construction: the code is its slice of
        // every pair of them, which needs no check of its bytes (rules call this for every row).
        let [first, second] = self.0;
        let at = (usize::from(first.wrapping_sub(b'A')) * 26 + usize::from(second.wrapping_sub(b'A'))) * 2;
        LETTER_PAIRS.get(at..at + 2).unwrap_or("??")
    }
}

/// Every pair of upper-case ASCII letters, `AAABAC…ZYZZ`.
const LETTER_PAIRS: &str = match std::str::from_utf8(&LETTER_PAIR_BYTES) {
    Ok(text) => text,
    Err(_) => "",
};

const LETTER_PAIR_BYTES: [u8; 26 * 26 * 2] = {
    let mut bytes = [0; 26 * 26 * 2];
    let mut i = 0;
    while i < 26 * 26 {
        bytes[2 * i] = b'A' + (i / 26) as u8;
        bytes[2 * i + 1] = b'A' + (i % 26) as u8;
        i += 1;
    }
    bytes
};

impl Iso3Code {
    /// Parses three upper-case ASCII letters.
    pub fn parse(text: &str) -> Result<Iso3Code, CellError> {
        parse_letters(text, "an ISO 3166-1 alpha-3 country code such as NOR").map(Iso3Code)
    }

    /// [`Iso3Code::parse`] of a cell's bytes, for the usual cell; `None` for any other.
    #[inline(always)]
    pub(crate) fn parse_plain(bytes: &[u8]) -> Option<Iso3Code> {
        plain_letters(bytes).map(Iso3Code)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

/// A country of ISO 3166-1: its two codes and English short name, as the standard lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsoCountry {
    /// The alpha-2 code, e.g. `SE`.
    pub alpha2: CountryCode,
    /// The alpha-3 code, e.g. `SWE`.
    pub alpha3: Iso3Code,
    /// The English short name, e.g. `Sweden`.
    pub name: &'static str,
}

/// What ISO 3166-1 says about a two-letter code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Iso3166 {
    /// A code the standard assigns to a country.
    Assigned(IsoCountry),
    /// A code the standard leaves to its users (`AA`, `QM`–`QZ`, `XA`–`XZ`, `ZZ`), such as
    /// `XK`, which many use for Kosovo.
    UserAssigned,
    /// A code the standard withdrew (ISO 3166-3), e.g. `YU`.
    Withdrawn {
        /// The former country's name, or the names when the code stood for several in turn.
        former: String,
        /// The codes of the countries that took its place, where the standard names them.
        successors: Vec<CountryCode>,
    },
    /// A code the standard has never assigned, e.g. `JN`.
    Unassigned,
}

impl IsoCountry {
    /// How many countries the standard lists.
    pub const COUNT: usize = rust_iso3166::ALL.len();

    /// Every country the standard lists, in its order.
    pub fn all() -> impl Iterator<Item = IsoCountry> {
        rust_iso3166::ALL.iter().filter_map(IsoCountry::from_standard)
    }

    fn from_standard(country: &rust_iso3166::CountryCode) -> Option<IsoCountry> {
        Some(IsoCountry {
            alpha2: CountryCode::parse(country.alpha2).ok()?,
            alpha3: Iso3Code::parse(country.alpha3).ok()?,
            name: country.name,
        })
    }
}

impl CountryCode {
    /// What ISO 3166-1 says about this code.
    pub fn iso3166(self) -> Iso3166 {
        if let Some(country) = rust_iso3166::from_alpha2(self.as_str()).as_ref().and_then(IsoCountry::from_standard) {
            return Iso3166::Assigned(country);
        }
        // The ranges that clause 8.1.3 of ISO 3166-1 leaves to users.
        let user_assigned = matches!(self.0, [b'A', b'A'] | [b'Q', b'M'..=b'Z'] | [b'X', _] | [b'Z', b'Z']);
        if user_assigned {
            return Iso3166::UserAssigned;
        }
        let withdrawn: Vec<_> =
            rust_iso3166::iso3166_3::ALL.iter().filter(|former| former.former.alpha2 == self.as_str()).collect();
        if withdrawn.is_empty() {
            return Iso3166::Unassigned;
        }
        let former = withdrawn.iter().map(|w| w.name).collect::<Vec<_>>().join("; ");
        let mut successors = Vec::new();
        for entry in withdrawn {
            todays_countries(entry.new_countries, 0, &mut successors);
        }
        successors.sort();
        successors.dedup();
        Iso3166::Withdrawn { former, successors }
    }
}

/// The countries of today that `countries` became: a successor that was itself withdrawn (as
/// Serbia and Montenegro, which followed Yugoslavia) is followed to its own successors. The
/// alpha-3 code tells apart two former countries that shared an alpha-2 code (`CS`).
fn todays_countries(countries: &[rust_iso3166::CountryCode], depth: u8, out: &mut Vec<CountryCode>) {
    for country in countries {
        let current = rust_iso3166::from_alpha3(country.alpha3).is_some_and(|c| c.alpha2 == country.alpha2);
        let withdrawn = rust_iso3166::iso3166_3::ALL.iter().find(|w| w.former.alpha3 == country.alpha3);
        match withdrawn {
            // The standard's chains are short; the depth only guards against a cycle in its data.
            Some(withdrawn) if !current && depth < 4 => todays_countries(withdrawn.new_countries, depth + 1, out),
            _ => out.extend(CountryCode::parse(country.alpha2).ok()),
        }
    }
}

impl Iso3Code {
    /// The country of ISO 3166-1 whose alpha-3 code this is.
    pub fn iso3166(self) -> Option<IsoCountry> {
        rust_iso3166::from_alpha3(self.as_str()).as_ref().and_then(IsoCountry::from_standard)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Iso3Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

text_form!(CountryCode, Iso3Code);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_upper_case_letters() {
        assert_eq!(CountryCode::parse("NO").unwrap().as_str(), "NO");
        assert_eq!(Iso3Code::parse("JPN").unwrap().to_string(), "JPN");
        assert_eq!(CountryCode::parse("jp").unwrap_err().help.as_deref(), Some("write `JP`"));
        assert_eq!(CountryCode::parse(" JP").unwrap_err().reason, "spaces around the code");
        for bad in ["", "N", "NOR", "N0", "ÅÆ", "no "] {
            assert!(CountryCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    fn code(text: &str) -> CountryCode {
        CountryCode::parse(text).unwrap()
    }

    #[test]
    fn knows_what_iso_3166_says_about_a_code() {
        let Iso3166::Assigned(sweden) = code("SE").iso3166() else { panic!("SE is Sweden") };
        assert_eq!((sweden.alpha3.as_str(), sweden.name), ("SWE", "Sweden"));
        for user in ["XK", "ZZ", "AA", "QM", "QZ", "XA"] {
            assert_eq!(code(user).iso3166(), Iso3166::UserAssigned, "{user}");
        }
        assert_eq!(code("JN").iso3166(), Iso3166::Unassigned);
        assert_eq!(code("QL").iso3166(), Iso3166::Unassigned);
        let Iso3166::Withdrawn { former, successors } = code("AN").iso3166() else { panic!("AN was withdrawn") };
        assert_eq!(former, "Netherlands Antilles");
        assert!(successors.contains(&code("CW")), "{successors:?}");
        // Yugoslavia became Serbia and Montenegro, which split into Serbia and Montenegro.
        let Iso3166::Withdrawn { successors, .. } = code("YU").iso3166() else { panic!("YU was withdrawn") };
        assert_eq!(successors, [code("ME"), code("RS")]);
        // A withdrawn code that was assigned again is today's country.
        assert!(matches!(code("SK").iso3166(), Iso3166::Assigned(IsoCountry { name: "Slovakia", .. })));
        assert_eq!(Iso3Code::parse("NOR").unwrap().iso3166().map(|c| c.alpha2), Some(code("NO")));
        assert_eq!(Iso3Code::parse("XKX").unwrap().iso3166(), None);
        assert_eq!(IsoCountry::all().count(), IsoCountry::COUNT);
        const { assert!(IsoCountry::COUNT > 240) };
    }

    #[test]
    fn every_code_reads_back_as_written() {
        let mut codes = 0;
        for first in b'A'..=b'Z' {
            for second in b'A'..=b'Z' {
                let text = String::from_utf8(vec![first, second]).unwrap();
                assert_eq!(code(&text).as_str(), text);
                codes += 1;
            }
        }
        assert_eq!(codes, 26 * 26);
        assert_eq!(LETTER_PAIRS.len(), 26 * 26 * 2);
    }
}
