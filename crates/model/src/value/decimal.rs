//! Decimal numbers that remember how they were written.

use std::cmp::Ordering;
use std::fmt;
use std::num::NonZeroU8;

use serde::{Deserialize, Serialize};

use super::CellError;

/// A decimal number as written in a cell: `2.9`, `142`, `0.25`.
///
/// The value is `units × 10^-scale`, and `scale` is the number of digits written after the
/// point. `2.9` and `2.90` are equal numbers but different figures: the first claims a
/// precision of a tenth, the second of a hundredth. Equality and hashing compare the written
/// form; [`Decimal::cmp_value`] compares the numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal {
    units: i64,
    /// The scale plus one: never zero, so that an `Option<Decimal>` takes no more room than a
    /// `Decimal` (16 bytes, not 24), which every commodity row holds two of.
    scale_plus_one: NonZeroU8,
}

/// The most digits after the point a cell may carry. Keeps all arithmetic inside `i128`.
pub const MAX_SCALE: u8 = 9;
/// The most significant digits a cell may carry.
pub const MAX_DIGITS: usize = 18;

impl Decimal {
    /// A decimal from its digits and the number of them after the point. A cell's scale is at
    /// most [`MAX_SCALE`]; one above 254 is taken as 254.
    pub const fn new(units: i64, scale: u8) -> Decimal {
        let scale_plus_one = match NonZeroU8::new(scale.saturating_add(1)) {
            Some(scale_plus_one) => scale_plus_one,
            None => NonZeroU8::MAX,
        };
        Decimal { units, scale_plus_one }
    }

    /// The integer formed by all written digits, sign included.
    pub const fn units(self) -> i64 {
        self.units
    }

    /// How many digits were written after the point.
    pub const fn scale(self) -> u8 {
        self.scale_plus_one.get() - 1
    }

    /// Whether the number is below zero.
    pub const fn is_negative(self) -> bool {
        self.units < 0
    }

    /// Compares the numbers, not the written forms: `2.9` equals `2.90` here.
    pub fn cmp_value(self, other: Decimal) -> Ordering {
        let scale = self.scale().max(other.scale());
        self.rescaled_units(scale).cmp(&other.rescaled_units(scale))
    }

    /// The value as an integer count of `10^-scale`, for a `scale` at least [`Decimal::scale`].
    pub fn rescaled_units(self, scale: u8) -> i128 {
        debug_assert!(scale >= self.scale());
        i128::from(self.units) * pow10(scale - self.scale())
    }

    /// Parses a cell. Accepts `-?digits(.digits)?` and nothing else, so that a figure is never
    /// read in a way its writer did not mean.
    #[inline]
    pub fn parse(text: &str) -> Result<Decimal, CellError> {
        Decimal::parse_plain(text.as_bytes()).map_or_else(|| Decimal::parse_written(text), Ok)
    }

    /// [`Decimal::parse`] of any text, step by step, with the explanation of a failure. Cold:
    /// only a cell that is not a plain figure gets here.
    #[cold]
    fn parse_written(text: &str) -> Result<Decimal, CellError> {
        const EXPECTED: &str = "a decimal number such as 2.9 or 142";
        let fail = |reason: &str| CellError::new(EXPECTED, reason);
        let (negative, body) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => {
                return Err(fail("a leading `+` is not allowed").with_safe_fix("write", &text[1..]));
            }
            _ => (false, text),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int_part) || !frac_part.is_none_or(all_digits) {
            return Err(Self::diagnose(text, EXPECTED));
        }
        let frac_part = frac_part.unwrap_or("");
        if frac_part.len() > usize::from(MAX_SCALE) {
            return Err(fail(&format!("more than {MAX_SCALE} digits after the point")));
        }
        if int_part.len() + frac_part.len() > MAX_DIGITS {
            return Err(fail(&format!("more than {MAX_DIGITS} digits")));
        }
        let mut units: i64 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            // Cannot overflow: at most 18 digits.
            units = units * 10 + i64::from(b - b'0');
        }
        if negative {
            units = -units;
        }
        // The length check above keeps the scale within MAX_SCALE, so it fits in u8.
        let scale = u8::try_from(frac_part.len()).unwrap_or(MAX_SCALE);
        Ok(Decimal::new(units, scale))
    }

    /// The usual cell, `-?digits(.digits)?` within [`MAX_SCALE`] and [`MAX_DIGITS`], read in one
    /// pass; `None` for any other text, which [`Decimal::parse`] then reads and explains.
    #[inline]
    pub(crate) fn parse_plain(bytes: &[u8]) -> Option<Decimal> {
        let (negative, body) = match bytes.split_first() {
            Some((b'-', body)) => (true, body),
            _ => (false, bytes),
        };
        // At most `MAX_DIGITS` digits and a point: the length is checked once, not each digit.
        if body.len() > MAX_DIGITS + 1 {
            return None;
        }
        // Cannot overflow: at most 19 digits, which a `u64` holds.
        let mut units: u64 = 0;
        let mut point = None;
        for (i, &b) in body.iter().enumerate() {
            match b {
                b'0'..=b'9' => units = units * 10 + u64::from(b - b'0'),
                b'.' if point.is_none() && i > 0 => point = Some(i),
                _ => return None,
            }
        }
        let scale = match point {
            // A point needs digits after it.
            Some(at) if at + 1 == body.len() => return None,
            Some(at) => body.len() - at - 1,
            None if body.is_empty() => return None,
            // Without a point every byte is a digit.
            None if body.len() > MAX_DIGITS => return None,
            None => 0,
        };
        let scale = u8::try_from(scale).ok().filter(|&scale| scale <= MAX_SCALE)?;
        // At most `MAX_DIGITS` digits: within an `i64`.
        let units = i64::try_from(units).ok()?;
        Some(Decimal::new(if negative { -units } else { units }, scale))
    }

    /// Explains the most common ways a hand-typed number goes wrong, with the fix.
    fn diagnose(text: &str, expected: &'static str) -> CellError {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return CellError::new(expected, "the cell holds only spaces");
        }
        if trimmed != text && Decimal::parse(trimmed).is_ok() {
            return CellError::new(expected, "spaces around the number").with_safe_fix("remove the spaces:", trimmed);
        }
        if let Some(number) = trimmed.strip_suffix('%') {
            let number = number.trim_end();
            if Decimal::parse(number).is_ok() {
                return CellError::new(expected, "a percent sign in the cell")
                    .with_safe_fix("the column is already in percent: write", number);
            }
            // `1,2%`, as a spreadsheet with a Norwegian locale saves a percentage.
            let pointed = number.replace(',', ".");
            if number.matches(',').count() == 1 && Decimal::parse(&pointed).is_ok() {
                return CellError::new(expected, "a percent sign and a decimal comma")
                    .with_safe_fix("the column is already in percent; write decimals with a point:", pointed);
            }
        }
        match read_comma(trimmed) {
            Some(CommaReading::Decimal(pointed)) => {
                return CellError::new(expected, "a decimal comma")
                    .with_safe_fix("write decimals with a point:", pointed);
            }
            Some(CommaReading::Ambiguous { decimal, thousands }) => {
                let mut err = CellError::new(expected, "a comma that may be a decimal comma or a thousands separator");
                err.help = Some(format!(
                    "`{trimmed}` is {decimal} if the comma is a decimal comma (as Norwegian writes it), or {thousands} \
                     if it separates thousands (as English writes it): write `{decimal}` or `{thousands}`, whichever \
                     the source means"
                ));
                err.suggestion = Some(super::Suggestion { replacement: decimal, safe: false });
                return err;
            }
            None => {}
        }
        if let Some(figure) = FigureInWords::read(trimmed) {
            let mut err = CellError::new(expected, "a figure written with words");
            err.help = Some(figure.help());
            err.suggestion = Some(super::Suggestion { replacement: figure.number, safe: false });
            return err;
        }
        let no_groups: String = trimmed.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_')).collect();
        if no_groups != trimmed && Decimal::parse(&no_groups).is_ok() {
            return CellError::new(expected, "digit group separators")
                .with_unsafe_fix("write the number without separators:", no_groups);
        }
        if trimmed.starts_with('.') && Decimal::parse(&format!("0{trimmed}")).is_ok() {
            return CellError::new(expected, "no digit before the point").with_safe_fix("write", format!("0{trimmed}"));
        }
        if trimmed.ends_with('.') && Decimal::parse(&trimmed[..trimmed.len() - 1]).is_ok() {
            return CellError::new(expected, "no digit after the point")
                .with_safe_fix("write", &trimmed[..trimmed.len() - 1]);
        }
        CellError::new(expected, "not a number")
    }
}

/// How a number written with one comma reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommaReading {
    /// The comma can only be a decimal comma (`10,3`, `0,25`, `1,2345`): the number with a
    /// point instead, the same digits.
    Decimal(String),
    /// One to three digits, a comma and exactly three digits (`1,838`): a Norwegian decimal
    /// comma (`1.838`) or an English thousands separator (`1838`); only the source can say.
    Ambiguous {
        /// The number read with a decimal comma, written with a point.
        decimal: String,
        /// The number read with a thousands separator, written without it.
        thousands: String,
    },
}

/// How `text`, a number written with one comma between digits, reads; `None` for any other
/// text.
pub fn read_comma(text: &str) -> Option<CommaReading> {
    let (sign, body) = text.strip_prefix('-').map_or(("", text), |rest| ("-", rest));
    let (before, after) = body.split_once(',')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(before) || !digits(after) {
        return None;
    }
    let decimal = format!("{sign}{before}.{after}");
    Decimal::parse(&decimal).ok()?;
    if after.len() == 3 && before.len() <= 3 && before != "0" {
        return Some(CommaReading::Ambiguous { decimal, thousands: format!("{sign}{before}{after}") });
    }
    Some(CommaReading::Decimal(decimal))
}

/// A figure written as a source prints it, with words: `NOK 10,3 mrd.`, `ca. 142`,
/// `10,3 milliarder kroner`, `kr 142 mill.`. data/README.md documents the conversions: the
/// unit words move to `unit`, an approximate marker becomes the qualifier `approximately`, a
/// decimal comma becomes a point, and the digits stay as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureInWords {
    /// The number as the cell should write it, with every written digit.
    pub number: String,
    /// The unit the words name, if any.
    pub unit: Option<super::Unit>,
    /// Whether the words mark the figure as approximate (`ca.`, `about`, `~`).
    pub approximate: bool,
    /// The number as written, when its comma may also be a thousands separator (`1,838`).
    pub ambiguous: Option<CommaReading>,
}

impl FigureInWords {
    /// Reads a figure with words; `None` when `text` is not a number with unit or
    /// approximation words around it.
    pub fn read(text: &str) -> Option<FigureInWords> {
        let mut rest = text.trim().to_lowercase();
        let mut approximate = false;
        for word in ["ca.", "ca ", "cirka", "omtrent", "approximately", "approx.", "about", "~"] {
            if let Some(after) = rest.strip_prefix(word) {
                approximate = true;
                rest = after.trim().to_owned();
                break;
            }
        }
        let mut currency = false;
        for word in ["nok", "kr.", "kr"] {
            if let Some(after) = rest.strip_prefix(word) {
                currency = true;
                rest = after.trim().to_owned();
                break;
            }
        }
        for word in ["kroner", "nok", "kr.", "kr"] {
            if let Some(before) = rest.strip_suffix(word) {
                currency = true;
                rest = before.trim().to_owned();
                break;
            }
        }
        let mut unit = None;
        let scales: [(&[&str], super::Unit); 2] = [
            (&["milliarder", "milliard", "mrd.", "mrd", "billion", "bn"], super::Unit::NokBillion),
            (&["millioner", "million", "mill.", "mill", "mln.", "mln"], super::Unit::NokMillion),
        ];
        'scales: for (words, scaled) in scales {
            for word in words {
                if let Some(before) = rest.strip_suffix(word) {
                    unit = Some(scaled);
                    rest = before.trim().to_owned();
                    break 'scales;
                }
            }
        }
        if unit.is_none() && currency {
            unit = Some(super::Unit::Nok);
        }
        if unit.is_none() && !approximate {
            return None;
        }
        let (number, ambiguous) = match read_comma(&rest) {
            Some(CommaReading::Decimal(pointed)) => (pointed, None),
            Some(CommaReading::Ambiguous { decimal, thousands }) => {
                (decimal.clone(), Some(CommaReading::Ambiguous { decimal, thousands }))
            }
            None => (rest, None),
        };
        Decimal::parse(&number).ok()?;
        Some(FigureInWords { number, unit, approximate, ambiguous })
    }

    /// What to write instead, as data/README.md converts such a figure.
    pub fn help(&self) -> String {
        let mut help = format!("write the number alone, `{}`", self.number);
        if let Some(unit) = self.unit {
            help.push_str(&format!(", with `{unit}` in `unit`"));
        }
        if self.approximate {
            help.push_str(", and mark it `approximately` in `qualifier` where the table has one");
        }
        help.push_str(self.ambiguity_note().as_str());
        help
    }

    /// A note on a comma that may separate thousands, or nothing.
    pub fn ambiguity_note(&self) -> String {
        match &self.ambiguous {
            Some(CommaReading::Ambiguous { decimal, thousands }) => format!(
                " (if the comma separates thousands, as English writes them, the number is `{thousands}`, not `{decimal}`)"
            ),
            _ => String::new(),
        }
    }
}

/// `10^exp` as an `i128`, or `None` beyond `10^38`, the largest power an `i128` holds. A
/// lookup: figures are compared and added up for every row.
#[inline]
pub const fn checked_pow10(exp: u32) -> Option<i128> {
    const POWERS: [i128; 39] = {
        let mut powers = [1i128; 39];
        let mut i = 1;
        while i < powers.len() {
            powers[i] = powers[i - 1] * 10;
            i += 1;
        }
        powers
    };
    if (exp as usize) < POWERS.len() { Some(POWERS[exp as usize]) } else { None }
}

/// `10^exp` as an `i128`; `exp` is small (scales are at most [`MAX_SCALE`] plus a unit's shift).
#[inline]
pub const fn pow10(exp: u8) -> i128 {
    match checked_pow10(exp as u32) {
        Some(power) => power,
        // A scale is at most `MAX_SCALE`; a unit shifts by at most 9.
        None => panic!("a power of ten beyond an i128"),
    }
}

// By hand: the derive would show the scale as it is kept, one more than it is.
impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decimal").field("units", &self.units).field("scale", &self.scale()).finish()
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let magnitude = self.units.unsigned_abs();
        let scale = self.scale();
        if scale == 0 {
            return write!(f, "{sign}{magnitude}");
        }
        let divisor = 10u64.pow(u32::from(scale));
        let width = usize::from(scale);
        write!(f, "{sign}{}.{:0width$}", magnitude / divisor, magnitude % divisor)
    }
}

text_form!(Decimal);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_decimal_takes_no_more_room_than_a_decimal() {
        assert_eq!(std::mem::size_of::<Option<Decimal>>(), std::mem::size_of::<Decimal>());
        assert_eq!(std::mem::size_of::<Decimal>(), 16);
    }

    #[test]
    fn debug_shows_the_scale_written() {
        assert_eq!(format!("{:?}", Decimal::new(290, 2)), "Decimal { units: 290, scale: 2 }");
    }

    #[test]
    fn a_scale_is_kept_as_given() {
        for scale in [0, 1, MAX_SCALE, 200, 254] {
            assert_eq!(Decimal::new(7, scale).scale(), scale);
        }
        assert_eq!(Decimal::new(7, 255).scale(), 254, "the one scale not kept");
    }

    #[test]
    fn powers_of_ten_are_looked_up_as_computed() {
        for exp in 0..=130 {
            assert_eq!(checked_pow10(exp), 10i128.checked_pow(exp), "10^{exp}");
        }
        assert_eq!(pow10(0), 1);
        assert_eq!(pow10(18), 1_000_000_000_000_000_000);
    }

    #[test]
    fn keeps_written_precision() {
        let d = Decimal::parse("2.90").unwrap();
        assert_eq!((d.units(), d.scale()), (290, 2));
        assert_eq!(d.to_string(), "2.90");
        assert_eq!(Decimal::parse("-0.05").unwrap().to_string(), "-0.05");
        assert_eq!(Decimal::parse("142").unwrap().to_string(), "142");
        assert_eq!(d.cmp_value(Decimal::parse("2.9").unwrap()), Ordering::Equal);
        assert_ne!(d, Decimal::parse("2.9").unwrap());
    }

    #[test]
    fn explains_common_mistakes() {
        let help = |text: &str| Decimal::parse(text).unwrap_err().help;
        assert_eq!(help("2,9").as_deref(), Some("write decimals with a point: `2.9`"));
        // One to three digits, a comma and three digits: a decimal comma or a thousands
        // separator, and only the source can say which; the fix is never safe.
        let ambiguous = Decimal::parse("1,838").unwrap_err();
        assert!(ambiguous.help.as_deref().is_some_and(|h| h.contains("`1.838`") && h.contains("`1838`")));
        assert_eq!(ambiguous.suggestion.map(|s| s.safe), Some(false));
        assert_eq!(Decimal::parse("0,838").unwrap_err().suggestion.map(|s| s.safe), Some(true));
        assert_eq!(Decimal::parse("10,3").unwrap_err().suggestion.map(|s| s.safe), Some(true));
        assert_eq!(
            help("NOK 10,3 mrd.").as_deref(),
            Some("write the number alone, `10.3`, with `NOK billion` in `unit`")
        );
        assert_eq!(
            help("ca. 142").as_deref(),
            Some("write the number alone, `142`, and mark it `approximately` in `qualifier` where the table has one")
        );
        assert_eq!(Decimal::parse("ca. 142").unwrap_err().suggestion.map(|s| s.safe), Some(false));
        assert_eq!(help("28%").as_deref(), Some("the column is already in percent: write `28`"));
        assert_eq!(
            help("2,90 %").as_deref(),
            Some("the column is already in percent; write decimals with a point: `2.90`")
        );
        assert_eq!(help(" 4.3").as_deref(), Some("remove the spaces: `4.3`"));
        assert_eq!(help("1 200").as_deref(), Some("write the number without separators: `1200`"));
        assert_eq!(help(".5").as_deref(), Some("write `0.5`"));
        assert_eq!(Decimal::parse("abc").unwrap_err().reason, "not a number");
        assert!(Decimal::parse("1e5").is_err());
        assert!(Decimal::parse("1.2.3").is_err());
        assert!(Decimal::parse("").is_err());
        assert!(Decimal::parse("-").is_err());
        assert!(Decimal::parse("1234567890123456789").is_err());
        assert!(Decimal::parse("0.1234567891").is_err());
    }

    /// Cells that a hand-edited file or a spreadsheet may hold, for the one-pass reading.
    const TRICKY: &[&str] = &[
        "",
        "-",
        "+",
        ".",
        "-.",
        "0",
        "-0",
        "-0.0",
        "00",
        "007",
        "0.0",
        "142",
        "2.90",
        "-0.05",
        "+1",
        "+0",
        " 1",
        "1 ",
        "1 000",
        "1.",
        ".5",
        "-.5",
        "1..2",
        "1.2.3",
        "1e5",
        "1E-3",
        "1,5",
        "1,838",
        "0x10",
        "١٢",
        "１２",
        "1\u{a0}000",
        "12%",
        "\"1\"",
        "\"1.5\"",
        "--1",
        "-+1",
        "1-",
        "ca. 142",
        "NOK 10,3 mrd.",
        "inf",
        "NaN",
        "123456789012345678",
        "1234567890123456789",
        "-123456789012345678",
        "99999999999999999999999999",
        "0.123456789",
        "0.1234567891",
        "123456789.123456789",
        "1234567890.12345678",
        "0000000000000000001",
        "000000000000000000.1",
    ];

    #[test]
    fn one_pass_reading_agrees_with_the_explained_reading() {
        for text in TRICKY {
            assert_eq!(Decimal::parse(text), Decimal::parse_written(text), "{text:?}");
            // The one pass accepts only what the step-by-step reading accepts, as it reads it.
            if let Some(plain) = Decimal::parse_plain(text.as_bytes()) {
                assert_eq!(Ok(plain), Decimal::parse_written(text), "{text:?}");
            }
        }
        // The usual cells take the one pass.
        for (text, units, scale) in [("142", 142, 0), ("2.90", 290, 2), ("-0.05", -5, 2), ("-0", 0, 0), ("007", 7, 0)] {
            assert_eq!(Decimal::parse_plain(text.as_bytes()), Some(Decimal::new(units, scale)), "{text:?}");
        }
        let longest = "123456789.123456789";
        assert_eq!(Decimal::parse_plain(longest.as_bytes()), Some(Decimal::new(123_456_789_123_456_789, 9)));
        // Too many digits, a leading `+`, spaces, exponents and other digits go to the reading
        // that explains them.
        for text in ["1234567890123456789", "0.1234567891", "+1", " 1", "1e5", "١٢", "\"1\""] {
            assert_eq!(Decimal::parse_plain(text.as_bytes()), None, "{text:?}");
            assert!(Decimal::parse(text).is_err(), "{text:?}");
        }
        assert_eq!(Decimal::parse("+1").unwrap_err().help.as_deref(), Some("write `1`"));
    }

    proptest::proptest! {
        #[test]
        fn one_pass_agrees_on_any_text(text in "[-+0-9. ,e]{0,24}|\\PC{0,24}") {
            proptest::prop_assert_eq!(Decimal::parse(&text), Decimal::parse_written(&text));
        }

        #[test]
        fn display_round_trips(units in -999_999_999_999i64..999_999_999_999, scale in 0u8..=MAX_SCALE) {
            let d = Decimal::new(units, scale);
            proptest::prop_assert_eq!(Decimal::parse(&d.to_string()).unwrap(), d);
        }

        #[test]
        fn never_panics(text in "\\PC{0,24}") {
            let _ = Decimal::parse(&text);
        }
    }
}
