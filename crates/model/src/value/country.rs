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

fn parse_letters<const N: usize>(text: &str, expected: &'static str) -> Result<[u8; N], CellError> {
    let bytes = text.as_bytes();
    if bytes.len() == N && bytes.iter().all(u8::is_ascii_uppercase) {
        let mut code = [0; N];
        code.copy_from_slice(bytes);
        return Ok(code);
    }
    let trimmed = text.trim();
    if trimmed.len() == N && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
        let upper = trimmed.to_ascii_uppercase();
        let reason = if trimmed != text { "spaces around the code" } else { "lower-case letters" };
        return Err(CellError::new(expected, reason).with_safe_fix("write", upper));
    }
    Err(CellError::new(expected, &format!("not {N} letters")))
}

impl CountryCode {
    /// Parses two upper-case ASCII letters.
    pub fn parse(text: &str) -> Result<CountryCode, CellError> {
        parse_letters(text, "an ISO 3166-1 alpha-2 country code such as NO").map(CountryCode)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl Iso3Code {
    /// Parses three upper-case ASCII letters.
    pub fn parse(text: &str) -> Result<Iso3Code, CellError> {
        parse_letters(text, "an ISO 3166-1 alpha-3 country code such as NOR").map(Iso3Code)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
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
}
