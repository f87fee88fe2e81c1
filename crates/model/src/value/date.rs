//! Partial dates and intervals (ISO 8601 / EDTF level 0) and their three-valued comparison.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::CellError;

/// A calendar date written to the precision its source gives: `1976`, `2004-10` or
/// `2010-05-27`.
///
/// A partial date stands for every day it covers: `2004-10` is 1 to 31 October 2004. Use
/// [`PartialDate::days`] to get that range and [`DayRange::compare`] to compare two of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartialDate {
    year: u16,
    /// 0 when only the year is known.
    month: u8,
    /// 0 when only the year, or year and month, are known.
    day: u8,
}

/// How much of a [`PartialDate`] is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Precision {
    /// `1976`
    Year,
    /// `2004-10`
    Month,
    /// `2010-05-27`
    Day,
}

/// Years a date may name. Four digits, as ISO 8601 writes them without an expansion sign.
pub(crate) const YEARS: std::ops::RangeInclusive<u16> = 1000..=9999;

impl PartialDate {
    /// A year alone.
    #[inline]
    pub fn year_only(year: u16) -> Option<PartialDate> {
        YEARS.contains(&year).then_some(PartialDate { year, month: 0, day: 0 })
    }

    /// A year and a month.
    pub fn year_month(year: u16, month: u8) -> Option<PartialDate> {
        (YEARS.contains(&year) && (1..=12).contains(&month)).then_some(PartialDate { year, month, day: 0 })
    }

    /// A full date.
    pub fn ymd(year: u16, month: u8, day: u8) -> Option<PartialDate> {
        let valid = YEARS.contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(PartialDate { year, month, day })
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, when known.
    pub const fn month(self) -> Option<u8> {
        if self.month == 0 { None } else { Some(self.month) }
    }

    /// The day of the month, when known.
    pub const fn day(self) -> Option<u8> {
        if self.day == 0 { None } else { Some(self.day) }
    }

    /// How much of the date is known.
    pub const fn precision(self) -> Precision {
        match (self.month, self.day) {
            (0, _) => Precision::Year,
            (_, 0) => Precision::Month,
            _ => Precision::Day,
        }
    }

    /// The days this date covers.
    pub fn days(self) -> DayRange {
        let (first_month, last_month) = if self.month == 0 { (1, 12) } else { (self.month, self.month) };
        let first_day = if self.day == 0 { 1 } else { self.day };
        let last_day = if self.day == 0 { days_in_month(self.year, last_month) } else { self.day };
        DayRange {
            first: day_number(self.year, first_month, first_day),
            last: day_number(self.year, last_month, last_day),
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<PartialDate, CellError> {
        const EXPECTED: &str = "a date written YYYY, YYYY-MM or YYYY-MM-DD";
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = bytes.get(range)?;
            if !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(part.iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0')))
        };
        let shape_ok = match bytes.len() {
            4 => true,
            7 => bytes[4] == b'-',
            10 => bytes[4] == b'-' && bytes[7] == b'-',
            _ => false,
        };
        let parsed = if shape_ok { (digits(0..4), digits(5..7), digits(8..10)) } else { (None, None, None) };
        match (bytes.len(), parsed) {
            (4, (Some(year), _, _)) => {
                PartialDate::year_only(year).ok_or_else(|| CellError::new(EXPECTED, "year out of range"))
            }
            (7, (Some(year), Some(month), _)) => PartialDate::year_month(year, month as u8)
                .ok_or_else(|| CellError::new(EXPECTED, &format!("there is no month {month}"))),
            (10, (Some(year), Some(month), Some(day))) => {
                PartialDate::ymd(year, month as u8, day as u8).ok_or_else(|| {
                    if (1..=12).contains(&month) {
                        CellError::new(EXPECTED, &format!("{year}-{month:02} has no day {day}"))
                    } else {
                        CellError::new(EXPECTED, &format!("there is no month {month}"))
                    }
                })
            }
            _ => Err(Self::diagnose(text, EXPECTED)),
        }
    }

    fn diagnose(text: &str, expected: &'static str) -> CellError {
        let trimmed = text.trim();
        if trimmed != text && PartialDate::parse(trimmed).is_ok() {
            return CellError::new(expected, "spaces around the date").with_safe_fix("remove the spaces:", trimmed);
        }
        // Day-first forms as Norwegian pages write them: 29.04.2013, 27.5.2010.
        let parts: Vec<&str> = trimmed.split(['.', '/']).collect();
        if parts.len() == 3
            && let (Ok(day), Ok(month), Ok(year)) =
                (parts[0].parse::<u8>(), parts[1].parse::<u8>(), parts[2].parse::<u16>())
            && let Some(date) = PartialDate::ymd(year, month, day)
        {
            return CellError::new(expected, "a day-first date")
                .with_safe_fix("write dates year first:", date.to_string());
        }
        if trimmed.contains('/') {
            return CellError::new(expected, "an interval where a single date belongs");
        }
        CellError::new(expected, "not a date")
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether a year of the Gregorian calendar has 29 February.
pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days since 0000-03-01, a count in which comparisons are plain integer comparisons.
fn day_number(year: u16, month: u8, day: u8) -> i32 {
    // Shift the year to start in March so that the leap day is the year's last.
    let (y, m) =
        if month <= 2 { (i32::from(year) - 1, i32::from(month) + 9) } else { (i32::from(year), i32::from(month) - 3) };
    365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + i32::from(day) - 1
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if self.month != 0 {
            write!(f, "-{:02}", self.month)?;
        }
        if self.day != 0 {
            write!(f, "-{:02}", self.day)?;
        }
        Ok(())
    }
}

/// A date or an interval of two partial dates: `2010-05-27` or `2011-03/2011-04`.
///
/// "In March or April 2011" is written `2011-03/2011-04` and covers 1 March to 30 April 2011.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    start: PartialDate,
    /// Equal to `start` for a single date.
    end: PartialDate,
}

impl Period {
    /// A single partial date.
    pub const fn at(date: PartialDate) -> Period {
        Period { start: date, end: date }
    }

    /// An interval; `None` when `end` is certainly before `start`.
    pub fn between(start: PartialDate, end: PartialDate) -> Option<Period> {
        (start.days().compare(end.days()) != Certainty::After).then_some(Period { start, end })
    }

    /// The first partial date.
    pub const fn start(self) -> PartialDate {
        self.start
    }

    /// The last partial date; the same as [`Period::start`] for a single date.
    pub const fn end(self) -> PartialDate {
        self.end
    }

    /// Whether this is an interval rather than a single date.
    pub fn is_interval(self) -> bool {
        self.start != self.end
    }

    /// Every day the period may refer to.
    pub fn days(self) -> DayRange {
        DayRange { first: self.start.days().first, last: self.end.days().last }
    }

    /// Parses a partial date or two of them joined by `/`.
    pub fn parse(text: &str) -> Result<Period, CellError> {
        const EXPECTED: &str = "a date (YYYY, YYYY-MM, YYYY-MM-DD) or an interval of two (2011-03/2011-04)";
        let Some((start, end)) = text.split_once('/') else {
            return PartialDate::parse(text).map(Period::at).map_err(|e| e.expecting(EXPECTED));
        };
        let start = PartialDate::parse(start).map_err(|e| e.expecting(EXPECTED))?;
        let end = PartialDate::parse(end).map_err(|e| e.expecting(EXPECTED))?;
        Period::between(start, end).ok_or_else(|| {
            CellError::new(EXPECTED, "the interval ends before it starts")
                .with_unsafe_fix("write", format!("{end}/{start}"))
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_interval() { write!(f, "{}/{}", self.start, self.end) } else { write!(f, "{}", self.start) }
    }
}

/// A closed range of days, the meaning of a partial date or period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DayRange {
    /// The first day, as a day number.
    pub first: i32,
    /// The last day, as a day number.
    pub last: i32,
}

/// The answer to "is this before that?" when both may be vague.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Certainty {
    /// Every day of the first range is before every day of the second.
    Before,
    /// Every day of the first range is after every day of the second.
    After,
    /// The ranges share a day: either order is possible.
    CannotTell,
}

impl DayRange {
    /// Compares two ranges of days, answering only what is certain.
    pub fn compare(self, other: DayRange) -> Certainty {
        if self.last < other.first {
            Certainty::Before
        } else if self.first > other.last {
            Certainty::After
        } else {
            Certainty::CannotTell
        }
    }
}

text_form!(PartialDate, Period);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn period(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    #[test]
    fn parses_each_precision() {
        assert_eq!(PartialDate::parse("1976").unwrap().precision(), Precision::Year);
        assert_eq!(PartialDate::parse("2004-10").unwrap().precision(), Precision::Month);
        assert_eq!(PartialDate::parse("2010-05-27").unwrap().precision(), Precision::Day);
        assert_eq!(period("2011-03/2011-04").to_string(), "2011-03/2011-04");
        assert!(PartialDate::parse("2012-02-29").is_ok());
        assert!(PartialDate::parse("2011-02-29").is_err());
        assert!(PartialDate::parse("1900-02-29").is_err());
        assert!(PartialDate::parse("2000-02-29").is_ok());
    }

    #[test]
    fn explains_bad_dates() {
        let err = PartialDate::parse("2011-13").unwrap_err();
        assert_eq!(err.reason, "there is no month 13");
        let err = PartialDate::parse("29.04.2013").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("write dates year first: `2013-04-29`"));
        let err = Period::parse("2011-04/2011-03").unwrap_err();
        assert_eq!(err.reason, "the interval ends before it starts");
        for bad in ["", "abc", "201", "20111", "2011-1", "2011-01-1", "2011/", "/2011", "２０１１", "2011-00"] {
            assert!(Period::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn month_covers_its_days() {
        let october = PartialDate::parse("2004-10").unwrap().days();
        assert_eq!(october.last - october.first, 30);
        let spring = period("2011-03/2011-04").days();
        assert_eq!(spring.last - spring.first, 30 + 30);
        let leap = PartialDate::parse("2012").unwrap().days();
        assert_eq!(leap.last - leap.first, 365);
    }

    #[test]
    fn compares_three_ways() {
        let updated = period("2013-04-29").days();
        assert_eq!(period("2013-04").days().compare(updated), Certainty::CannotTell);
        assert_eq!(period("2013-05").days().compare(updated), Certainty::After);
        assert_eq!(period("2013-04-28").days().compare(updated), Certainty::Before);
        assert_eq!(period("2013").days().compare(updated), Certainty::CannotTell);
        assert_eq!(period("2012-12/2013-04").days().compare(updated), Certainty::CannotTell);
    }

    fn any_date() -> impl Strategy<Value = PartialDate> {
        (1000u16..=9999, 0u8..=12, 0u8..=31).prop_filter_map("valid date", |(y, m, d)| match (m, d) {
            (0, _) => PartialDate::year_only(y),
            (m, 0) => PartialDate::year_month(y, m),
            (m, d) => PartialDate::ymd(y, m, d),
        })
    }

    proptest! {
        #[test]
        fn display_round_trips(date in any_date()) {
            prop_assert_eq!(PartialDate::parse(&date.to_string()).unwrap(), date);
        }

        #[test]
        fn day_numbers_follow_the_calendar(date in any_date()) {
            // Consecutive days differ by one, also across month and year ends.
            let days = date.days();
            prop_assert!(days.first <= days.last);
            if let (Some(m), Some(d)) = (date.month(), date.day()) {
                let next = PartialDate::ymd(date.year(), m, d + 1)
                    .or_else(|| PartialDate::ymd(date.year(), m + 1, 1))
                    .or_else(|| PartialDate::ymd(date.year() + 1, 1, 1));
                if let Some(next) = next {
                    prop_assert_eq!(next.days().first, days.first + 1);
                }
            }
        }

        #[test]
        fn comparison_is_sound(a in any_date(), b in any_date()) {
            // "Before" must hold for every pair of days the two dates may mean.
            let (x, y) = (a.days(), b.days());
            match x.compare(y) {
                Certainty::Before => prop_assert!(x.last < y.first),
                Certainty::After => prop_assert!(x.first > y.last),
                Certainty::CannotTell => prop_assert!(x.first <= y.last && y.first <= x.last),
            }
            prop_assert_eq!(x.compare(y) == Certainty::Before, y.compare(x) == Certainty::After);
        }

        #[test]
        fn never_panics(text in "\\PC{0,24}") {
            let _ = Period::parse(&text);
        }
    }
}
