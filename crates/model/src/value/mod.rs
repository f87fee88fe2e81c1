//! Value types of the dataset's cells, and [`FromCell`], how a cell's text becomes one.

/// The text form of a value type: `FromStr`, and serde through `String`, all by its `parse`
/// and `Display`, so that a value serialises exactly as a cell writes it.
macro_rules! text_form {
    ($($ty:ident),* $(,)?) => {$(
        impl std::str::FromStr for $ty {
            type Err = $crate::value::CellError;
            fn from_str(text: &str) -> Result<$ty, $crate::value::CellError> {
                $ty::parse(text)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $crate::value::CellError;
            fn try_from(text: String) -> Result<$ty, $crate::value::CellError> {
                $ty::parse(&text)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.to_string()
            }
        }
    )*};
}

mod country;
mod date;
mod decimal;
mod enums;

use std::borrow::Cow;
use std::fmt;

pub use country::{CountryCode, Iso3Code, Iso3166, IsoCountry};
pub use date::{Certainty, DayRange, PartialDate, Period, Precision, days_in_month, is_leap_year};
pub use decimal::{CommaReading, Decimal, FigureInWords, MAX_DIGITS, MAX_SCALE, checked_pow10, pow10, read_comma};
pub use enums::{Answer, Basis, Flow, Qualifier, RelationKind, Unit};

/// What kind of value a column's cells hold, declared by the cell type ([`crate::FromCell::KIND`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// `true` or `false`, spelled so.
    Boolean,
    /// A whole number within the bounds.
    Integer {
        /// The least value.
        min: i64,
        /// The greatest value.
        max: i64,
    },
    /// A decimal number whose written digits are its precision: `2.90` is not `2.9`.
    Decimal,
    /// A four-digit calendar year.
    Year,
    /// A date at the precision its source gives: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    PartialDate,
    /// A partial date, or an interval of two joined by `/`.
    Period,
    /// Exactly this many upper-case ASCII letters, e.g. a country code.
    Letters(u8),
    /// One of these spellings.
    OneOf(&'static [&'static str]),
}

/// Why a cell's text is not a value of its column's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellError {
    /// What the column holds, e.g. "a decimal number such as 2.9 or 142".
    pub expected: &'static str,
    /// What is wrong with this text, e.g. "a decimal comma".
    pub reason: String,
    /// Advice, e.g. "write decimals with a point: `2.9`"; with a [`CellError::suggestion`]
    /// it is derived from it.
    pub help: Option<String>,
    /// The text the cell should hold instead, when it is mechanical to say.
    pub suggestion: Option<Suggestion>,
}

/// A replacement for a cell's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The cell's new text, unquoted.
    pub replacement: String,
    /// Whether writing it cannot change what the cell says (a decimal comma written as a
    /// point), as opposed to a guess a person must confirm (the nearest allowed word).
    pub safe: bool,
}

impl CellError {
    /// An error with no suggested fix.
    pub fn new(expected: &'static str, reason: &str) -> CellError {
        CellError { expected, reason: reason.to_owned(), help: None, suggestion: None }
    }

    /// Adds advice that names no replacement.
    #[must_use]
    pub fn with_help(mut self, help: String) -> CellError {
        self.help = Some(help);
        self
    }

    /// Adds a replacement that cannot change what the cell says; the help is `action`
    /// followed by the replacement, e.g. "write decimals with a point: `2.9`".
    #[must_use]
    pub fn with_safe_fix(self, action: &str, replacement: impl Into<String>) -> CellError {
        self.with_fix(action, replacement.into(), true)
    }

    /// Adds a replacement that is a guess a person must confirm.
    #[must_use]
    pub fn with_unsafe_fix(self, action: &str, replacement: impl Into<String>) -> CellError {
        self.with_fix(action, replacement.into(), false)
    }

    fn with_fix(mut self, action: &str, replacement: String, safe: bool) -> CellError {
        self.help = Some(format!("{action} `{replacement}`"));
        self.suggestion = Some(Suggestion { replacement, safe });
        self
    }

    /// The same error, told in terms of a wider type that wraps the one that failed.
    #[must_use]
    pub fn expecting(mut self, expected: &'static str) -> CellError {
        self.expected = expected;
        self
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: expected {}", self.reason, self.expected)
    }
}

impl std::error::Error for CellError {}

/// A type that a CSV cell can hold.
///
/// Ingest calls [`FromCell::from_cell`] with the cell's text, unescaped. An empty cell means
/// "no value": for a column of type `Option<T>` it is `None`; for any other column it is an
/// error that ingest reports before calling this.
pub trait FromCell<'a>: Sized {
    /// What the column holds, for diagnostics and the data dictionary.
    const EXPECTED: &'static str;
    /// Whether an empty cell is an error.
    const REQUIRED: bool = true;
    /// What kind of value this is, for descriptions of the tables in other terms.
    const KIND: Kind;
    /// Parses non-empty cell text.
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError>;
    /// Parses cell text that may be empty. Only `Option` overrides this.
    fn from_optional_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        Self::from_cell(text)
    }
    /// The value of a cell in its usual spelling, read from the bytes it is written as (no
    /// quotes to remove): what [`FromCell::from_optional_cell`] returns for that text, or
    /// `None` for any other cell, which is then read as text and, if wrong, explained. A cell
    /// is typed from its bytes so that the usual one needs no `str` made of it. For a
    /// [`FromCell::REQUIRED`] type an empty cell is `None`, so that it is reported missing.
    #[inline]
    fn from_plain(bytes: &'a [u8]) -> Option<Self> {
        let _ = bytes;
        None
    }
    /// The value's text when it is free text ([`Kind::Text`]), borrowed; `None` for other
    /// kinds and for an empty optional cell. Rules that look at the characters of text cells
    /// (invisible characters, formula starts) read them here, without formatting a value.
    fn as_text(&self) -> Option<&str> {
        None
    }
}

/// Free text: names, titles, descriptions. Borrowed from the file where the cell has no
/// escaped quotes, which is almost always. It reads as a `str`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Text<'a> {
        Text(Cow::Borrowed(text))
    }
}

impl From<String> for Text<'_> {
    fn from(text: String) -> Self {
        Text(Cow::Owned(text))
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl serde::Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Text<'_> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Text::from)
    }
}

impl validator::ValidateLength<u64> for Text<'_> {
    fn length(&self) -> Option<u64> {
        <str as validator::ValidateLength<u64>>::length(self)
    }

    /// As for a `str`, in characters. A character is one to four bytes, so the byte length
    /// alone settles most bounds, and the characters are counted only when it does not.
    fn validate_length(&self, min: Option<u64>, max: Option<u64>, equal: Option<u64>) -> bool {
        let bytes = self.len() as u64;
        let settled =
            equal.is_none() && min.is_none_or(|min| bytes.div_ceil(4) >= min) && max.is_none_or(|max| bytes <= max);
        settled || <str as validator::ValidateLength<u64>>::validate_length(self, min, max, equal)
    }
}

impl<'a> FromCell<'a> for Text<'a> {
    const EXPECTED: &'static str = "text";
    const KIND: Kind = Kind::Text;
    #[inline]
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        Ok(Text(text))
    }
    fn as_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<'a, T: FromCell<'a>> FromCell<'a> for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    const REQUIRED: bool = false;
    const KIND: Kind = T::KIND;
    #[inline]
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        T::from_cell(text).map(Some)
    }
    // Always inlined where cells are read: a wrapper, which costs more as a call than it does.
    #[inline(always)]
    fn from_optional_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        if text.is_empty() { Ok(None) } else { T::from_cell(text).map(Some) }
    }
    #[inline(always)]
    fn from_plain(bytes: &'a [u8]) -> Option<Self> {
        if bytes.is_empty() { Some(None) } else { T::from_plain(bytes).map(Some) }
    }
    fn as_text(&self) -> Option<&str> {
        self.as_ref().and_then(T::as_text)
    }
}

/// Implements [`FromCell`] for a type with `parse(&str) -> Result<Self, CellError>`.
macro_rules! from_cell_via_parse {
    ($($ty:ty => $expected:literal as $kind:expr $(, plain: $plain:path)?);* $(;)?) => {$(
        impl<'a> FromCell<'a> for $ty {
            const EXPECTED: &'static str = $expected;
            const KIND: Kind = $kind;
            #[inline]
            fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
                <$ty>::parse(&text)
            }
            $(
                #[inline(always)]
                fn from_plain(bytes: &'a [u8]) -> Option<Self> {
                    $plain(bytes)
                }
            )?
        }
    )*};
}

from_cell_via_parse! {
    Decimal => "a decimal number such as 2.9 or 142" as Kind::Decimal, plain: Decimal::parse_plain;
    PartialDate => "a date written YYYY, YYYY-MM or YYYY-MM-DD" as Kind::PartialDate;
    Period => "a date (YYYY, YYYY-MM, YYYY-MM-DD) or an interval of two (2011-03/2011-04)" as Kind::Period;
    CountryCode => "an ISO 3166-1 alpha-2 country code such as NO" as Kind::Letters(2), plain: CountryCode::parse_plain;
    Iso3Code => "an ISO 3166-1 alpha-3 country code such as NOR" as Kind::Letters(3), plain: Iso3Code::parse_plain;
    Unit => "a unit: NOK, NOK million or NOK billion" as Kind::OneOf(Unit::SPELLINGS), plain: Unit::parse_plain;
    Flow => "a trade flow: export or import" as Kind::OneOf(Flow::SPELLINGS), plain: Flow::parse_plain;
    Qualifier => "a qualifier: exact, approximately or near_zero" as Kind::OneOf(Qualifier::SPELLINGS), plain: Qualifier::parse_plain;
    RelationKind => "a relation kind (see data/README.md)" as Kind::OneOf(RelationKind::SPELLINGS), plain: RelationKind::parse_plain;
    Basis => "a basis: stated or derived" as Kind::OneOf(Basis::SPELLINGS), plain: Basis::parse_plain;
}

impl<'a> FromCell<'a> for Answer {
    const EXPECTED: &'static str = "true, false or not_stated";
    const KIND: Kind = Kind::OneOf(Answer::SPELLINGS);
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        let unknown = match Answer::parse(&text) {
            Ok(answer) => return Ok(answer),
            Err(unknown) => unknown,
        };
        // `yes`, `ja`, `1` and the like say `true` or `false` in other words: name the one meant.
        match bool::from_cell(text) {
            // `FALSE`, `Ja`: the same answer in another spelling, and the fix is safe.
            Err(boolean) if boolean.suggestion.as_ref().is_some_and(|s| s.safe) => {
                let mut err = CellError::new(Self::EXPECTED, "not one of the allowed values");
                err.help = boolean.help;
                err.suggestion = boolean.suggestion;
                Err(err)
            }
            Err(CellError { help: Some(help), suggestion, .. }) => {
                let mut err = CellError::new(Self::EXPECTED, "not one of the allowed values")
                    .with_help(format!("{help}, or `not_stated` where the source says nothing"));
                err.suggestion = suggestion;
                Err(err)
            }
            _ => Err(unknown),
        }
    }
}

impl<'a> FromCell<'a> for bool {
    const EXPECTED: &'static str = "true or false";
    const KIND: Kind = Kind::Boolean;
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        match &*text {
            "true" => Ok(true),
            "false" => Ok(false),
            other => {
                let lower = other.trim().to_ascii_lowercase();
                let fix = match lower.as_str() {
                    "true" | "yes" | "ja" | "y" | "1" => Some("true"),
                    "false" | "no" | "nei" | "n" | "0" => Some("false"),
                    _ => None,
                };
                let err = CellError::new(Self::EXPECTED, "not a boolean");
                Err(match fix {
                    // `TRUE` and `Ja` say the same as `true`; `1` or `y` are guesses.
                    Some(fix) if matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "ja" | "nei") => {
                        err.with_safe_fix("write", fix)
                    }
                    Some(fix) => err.with_unsafe_fix("write", fix),
                    None => err,
                })
            }
        }
    }
}

/// Parses a whole number written with ASCII digits and an optional leading `-`.
fn parse_integer(text: &str, expected: &'static str) -> Result<i64, CellError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = text.trim();
        if trimmed != text && parse_integer(trimmed, expected).is_ok() {
            return Err(
                CellError::new(expected, "spaces around the number").with_safe_fix("remove the spaces:", trimmed)
            );
        }
        if Decimal::parse(text).is_ok() {
            return Err(CellError::new(expected, "a fraction where a whole number belongs"));
        }
        if let Some(decimal::CommaReading::Ambiguous { decimal, thousands }) = decimal::read_comma(text.trim()) {
            // A count is whole: `1,838` persons is 1838, unless the source wrote 1.838 of
            // something else; a person confirms which.
            let mut err = CellError::new(expected, "a comma in a whole number");
            err.help = Some(format!(
                "`{}` is {thousands} if the comma separates thousands (as English writes it); read as a \
                 Norwegian decimal comma it would be {decimal}, which is not a whole number: write `{thousands}` \
                 if the source means that many",
                text.trim()
            ));
            err.suggestion = Some(Suggestion { replacement: thousands, safe: false });
            return Err(err);
        }
        let grouped: String =
            text.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_' | '.' | ',')).collect();
        if grouped != text && !grouped.is_empty() && grouped.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CellError::new(expected, "digit group separators")
                .with_unsafe_fix("write the number without separators:", grouped));
        }
        return Err(CellError::new(expected, "not a whole number"));
    }
    text.parse::<i64>().map_err(|_| CellError::new(expected, "too large"))
}

impl<'a> FromCell<'a> for i64 {
    const EXPECTED: &'static str = "a whole number";
    const KIND: Kind = Kind::Integer { min: i64::MIN, max: i64::MAX };
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        parse_integer(&text, Self::EXPECTED)
    }
}

impl<'a> FromCell<'a> for u16 {
    const EXPECTED: &'static str = "a whole number from 0 to 65535";
    const KIND: Kind = Kind::Integer { min: 0, max: u16::MAX as i64 };
    #[inline]
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        plain_u16(text.as_bytes()).map_or_else(|| u16_written(&text), Ok)
    }
    #[inline(always)]
    fn from_plain(bytes: &'a [u8]) -> Option<Self> {
        plain_u16(bytes)
    }
}

/// A `u16` cell read step by step, with the explanation of a failure. Cold: only a cell
/// that is not plain digits gets here.
#[cold]
fn u16_written(text: &str) -> Result<u16, CellError> {
    const EXPECTED: &str = <u16 as FromCell<'_>>::EXPECTED;
    let value = parse_integer(text, EXPECTED)?;
    u16::try_from(value).map_err(|_| CellError::new(EXPECTED, "out of range"))
}

/// The usual cell of a `u16` column, one to five ASCII digits within range, read in one pass;
/// `None` for any other text, which [`parse_integer`] then reads and explains.
#[inline]
fn plain_u16(bytes: &[u8]) -> Option<u16> {
    if bytes.is_empty() || bytes.len() > 5 {
        return None;
    }
    let mut value: u32 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    u16::try_from(value).ok()
}

/// A calendar year such as `2011`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Year(pub u16);

impl Year {
    /// A year written with four ASCII digits, from a cell's bytes; `None` for anything else.
    #[inline(always)]
    fn plain(bytes: &[u8]) -> Option<Year> {
        let [a, b, c, d] = *bytes else { return None };
        if ![a, b, c, d].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let year = [a, b, c, d].iter().fold(0u16, |year, digit| year * 10 + u16::from(digit - b'0'));
        PartialDate::year_only(year).map(|date| Year(date.year()))
    }

    /// The whole year as a partial date.
    pub fn as_date(self) -> Option<PartialDate> {
        PartialDate::year_only(self.0)
    }
}

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'a> FromCell<'a> for Year {
    const EXPECTED: &'static str = "a four-digit year such as 2011";
    const KIND: Kind = Kind::Year;
    // Always inlined where cells are read: the usual year is a few instructions, fewer than a
    // call, and what is wrong with another is told out of line.
    #[inline(always)]
    fn from_cell(text: Cow<'a, str>) -> Result<Self, CellError> {
        Year::plain(text.as_bytes()).ok_or_else(|| Year::error(&text))
    }
    #[inline(always)]
    fn from_plain(bytes: &'a [u8]) -> Option<Self> {
        Year::plain(bytes)
    }
}

impl Year {
    /// Why `text` is not a year of the calendar written with four ASCII digits.
    #[cold]
    fn error(text: &str) -> CellError {
        const EXPECTED: &str = <Year as FromCell<'_>>::EXPECTED;
        if let Ok(date) = PartialDate::parse(text) {
            return CellError::new(EXPECTED, "a date where only a year belongs")
                .with_unsafe_fix("write the year alone:", date.year().to_string());
        }
        if text.trim() != text && text.trim().len() == 4 && text.trim().bytes().all(|b| b.is_ascii_digit()) {
            return CellError::new(EXPECTED, "spaces around the year").with_safe_fix("remove the spaces:", text.trim());
        }
        CellError::new(EXPECTED, "not a year")
    }
}

/// A serde helper for validator's `range` on [`Year`].
impl From<Year> for u16 {
    fn from(year: Year) -> u16 {
        year.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_length_is_judged_as_validator_judges_a_str() {
        use validator::ValidateLength;
        // One-, two-, three- and four-byte characters, at lengths around the bounds.
        let texts: Vec<String> = ["a", "é", "€", "𝄞"]
            .iter()
            .flat_map(|c| (0..=13).map(move |n| c.repeat(n)))
            .chain(["a€", "€a𝄞", " é ", "ab𝄞𝄞"].map(str::to_owned))
            .collect();
        let bounds = [None, Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), Some(8), Some(12), Some(13)];
        for text in &texts {
            let as_text = Text::from(text.as_str());
            assert_eq!(as_text.length(), text.as_str().length(), "{text:?}");
            for min in bounds {
                for max in bounds {
                    for equal in [None, Some(0), Some(1), Some(3), Some(13)] {
                        assert_eq!(
                            as_text.validate_length(min, max, equal),
                            text.as_str().validate_length(min, max, equal),
                            "{text:?} min {min:?} max {max:?} equal {equal:?}"
                        );
                    }
                }
            }
        }
    }

    /// Cells that a hand-edited file or a spreadsheet may hold, for the one-pass readings.
    const TRICKY: &[&str] = &[
        "",
        "0",
        "1",
        "-0",
        "-1",
        "+1",
        "+0",
        " 1",
        "1 ",
        "007",
        "00000",
        "000001",
        "65535",
        "65536",
        "99999",
        "100000",
        "1.0",
        "1,000",
        "1 000",
        "1e3",
        "١",
        "１",
        "\"1\"",
        "0x1",
        "2011",
        "1999",
        "0999",
        "9999",
        "2011 ",
        " 2011",
        "2011-05",
        "20111",
        "+2011",
        "-2011",
        "２０１１",
        "201",
        "18446744073709551616",
    ];

    #[test]
    fn one_pass_u16_agrees_with_the_explained_reading() {
        for text in TRICKY {
            assert_eq!(u16::from_cell((*text).into()), u16_written(text), "{text:?}");
        }
        assert_eq!(plain_u16(b"65535"), Some(65535));
        assert_eq!(plain_u16(b"007"), Some(7));
        for text in ["", "65536", "-0", "+1", " 1", "000001", "\u{661}", "\"1\""] {
            assert_eq!(plain_u16(text.as_bytes()), None, "{text:?}");
        }
        assert_eq!(u16::from_cell("65536".into()).unwrap_err().reason, "out of range");
        assert_eq!(u16::from_cell(" 7".into()).unwrap_err().reason, "spaces around the number");
        assert_eq!(u16::from_cell("-0".into()), Ok(0));
        assert_eq!(u16::from_cell("000001".into()), Ok(1));
    }

    #[test]
    fn years_are_four_ascii_digits_within_the_calendar() {
        assert_eq!(Year::from_cell("2011".into()), Ok(Year(2011)));
        for text in TRICKY {
            let year = Year::from_cell((*text).into());
            // The year as the standard library reads four ASCII digits, if the calendar has it.
            let expected = (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u16>().ok())
                .flatten()
                .and_then(PartialDate::year_only)
                .map(|date| Year(date.year()));
            assert_eq!(year.as_ref().ok(), expected.as_ref(), "{text:?}");
        }
        assert_eq!(Year::from_cell(" 2011".into()).unwrap_err().reason, "spaces around the year");
        assert_eq!(Year::from_cell("2011-05".into()).unwrap_err().reason, "a date where only a year belongs");
        assert_eq!(Year::from_cell("２０１１".into()).unwrap_err().reason, "not a year");
    }

    /// `from_plain` of `text`'s bytes is `None` or what `from_optional_cell` reads in `text`;
    /// returns whether it read a value, for tests that the fast path is taken at all.
    fn plain_agrees<'a, T: FromCell<'a> + PartialEq + fmt::Debug>(text: &'a str) -> bool {
        let plain = T::from_plain(text.as_bytes());
        if let Some(value) = &plain {
            assert_eq!(Some(value), T::from_optional_cell(text.into()).ok().as_ref(), "{text:?}");
        }
        plain.is_some()
    }

    /// `plain_agrees` for every type a cell is read from its bytes as, alone and optional.
    fn plain_agrees_for_all(text: &str) -> usize {
        fn both<'a, T: FromCell<'a> + PartialEq + fmt::Debug>(text: &'a str) -> usize {
            usize::from(plain_agrees::<T>(text)) + usize::from(plain_agrees::<Option<T>>(text))
        }
        both::<Decimal>(text)
            + both::<CountryCode>(text)
            + both::<Iso3Code>(text)
            + both::<Unit>(text)
            + both::<Flow>(text)
            + both::<Qualifier>(text)
            + both::<RelationKind>(text)
            + both::<Basis>(text)
            + both::<u16>(text)
            + both::<Year>(text)
            + both::<Text<'_>>(text)
    }

    #[test]
    fn a_cell_read_from_its_bytes_is_what_its_text_reads() {
        // Each usual spelling is read from its bytes, as the one type and as an optional one.
        for text in
            ["2.9", "-0.50", "142", "NO", "NOR", "NOK million", "export", "near_zero", "stated", "65535", "2011"]
        {
            assert!(plain_agrees_for_all(text) >= 2, "{text:?} is read from its bytes");
        }
        // An empty cell is read from its bytes only as an empty optional one: a required cell
        // that is empty is the text path's to report as missing.
        assert_eq!(plain_agrees_for_all(""), 11, "every optional type, and no required one, reads an empty cell");
        for wrong in ["2.", ".5", "+1", "1,5", "no", "Export", "NOK  million", "2011 ", "ＮＯ", "1e3"] {
            assert_eq!(plain_agrees_for_all(wrong), 0, "{wrong:?} goes to the text path");
        }
        assert_eq!(u16::from_plain(b"65536"), None, "out of range goes to the text path");
    }

    proptest::proptest! {
        #[test]
        fn one_pass_u16_agrees_on_any_text(text in "[-+0-9 .,]{0,8}|\\PC{0,8}") {
            proptest::prop_assert_eq!(u16::from_cell(text.as_str().into()), u16_written(&text));
        }

        #[test]
        fn a_cell_read_from_its_bytes_agrees_on_any_text(
            text in "-?[0-9]{0,20}(\\.[0-9]{0,10})?|[A-Z]{0,4}|[a-z_ ]{0,14}|(NOK|export|import|exact)[ a-z]{0,8}|\\PC{0,8}"
        ) {
            plain_agrees_for_all(&text);
        }
    }
}
