//! Exact interval arithmetic on written figures, for the numeric rules.
//!
//! A figure in the dataset stands for every number that rounds to it: `2.9` for [2.85, 2.95],
//! `28` (a percentage) for [27.5, 28.5], `142` (NOK million) for [141.5, 142.5]. [`Bounds`]
//! holds that range exactly, and the numeric rules decide on ranges only: a rule reports a
//! relation between figures (a share of a total, parts of a whole) only when *no* choice of
//! true values inside the written ranges satisfies it.
//!
//! # The range of a figure
//!
//! - `exact`: the figure ± half a unit of its last written digit.
//! - `approximately`: the figure ± the larger of half a unit of its last written digit and
//!   10 % of the figure; the qualifier's documented meaning ("may be off by up to 10 %").
//!   `10.3 NOK billion` approximately is [9.27, 11.33].
//! - `near_zero` (no figure, only words such as "close to zero"): [0, unbounded). No upper
//!   bound is known, so a relation that needs one cannot be refuted and the rule stays silent.
//!
//! Lower bounds are clamped at 0: trade figures and shares cannot be negative. A negative
//! figure has no range here ([`Bounds::of_money`] returns `None`); `field/format` reports it.
//! The qualifier of a `trade.csv` row qualifies its `value`; shares have no qualifier and are
//! exact to their last written digit.
//!
//! # Arithmetic
//!
//! Every number is an [`Exact`]: an `i128` numerator times a power of ten. Units convert by
//! adding their exponent (`NOK billion` is 10^9 `NOK`), so conversion is exact. Nothing is
//! divided to reach a verdict: quotients are compared by cross-multiplication ([`Ratio`]),
//! and binary floating point is not used at all.
//!
//! The share of each commodity line is first decided in 64 bits ([`share_fits_narrow`]): the
//! same integers, each step checked, so that the answer is the 128-bit one or there is none
//! and the 128-bit steps decide. The usual figures fit; the property tests compare the two.
//!
//! # Why nothing overflows on the cells the model accepts
//!
//! A parsed cell has at most 18 digits (|units| < 10^18) and at most 9 after the point
//! (`model::value::decimal`'s `MAX_DIGITS` and `MAX_SCALE`), and a unit is at most 10^9
//! kroner. So every verdict fits in an `i128`:
//!
//! - A figure's bounds are `(10·units ± w) × 10^(unit − scale − 1)` with
//!   `w ≤ max(5, |units|)`: every numerator is below 1.1 × 10^19, every exponent is in
//!   [−10, 8].
//! - A product of two bounds (a share times a total, a value times a share, the two sides of
//!   a cross-multiplication) has a numerator below 1.21 × 10^38 < `i128::MAX` ≈ 1.70 × 10^38.
//! - A sum aligns its terms to the finer exponent, a shift of at most 10^18, so each aligned
//!   term is below 1.1 × 10^37. Running sums are only extended while they do not exceed a
//!   bound of that same size, so they stay below 2.2 × 10^37.
//! - [`Exact`]'s comparison never overflows: when scaling one side by a power of ten would
//!   overflow, that side is larger than any `i128` the other side can be.
//!
//! A quotient shown in a help text can exceed every machine integer (a value of 10^27 kroner
//! at a share of 10^−9 %), so display rounds by long division into decimal digits
//! ([`Digits`]), of any length, and cannot fail.
//!
//! The verdicts' operations are checked nonetheless, because a [`Decimal`] built in code may
//! exceed the parser's limits: an overflow is [`TooLarge`], which a rule reports as a warning
//! ("too large to check exactly"), never as a verdict and never by skipping silently. No cell
//! the model accepts reaches it: the property tests below decide figures at the limits and
//! compare every verdict with exact arithmetic on decimal digits.
//!
//! # Display
//!
//! Help texts show the arithmetic. A computed range (a quotient) is rounded outward for
//! display only, lower bound down and upper bound up, to the fewest decimals that keep it
//! visibly apart from the range it contradicts ([`show_apart`]). Written ranges are shown
//! exactly ([`Bounds::render`]).

use std::cmp::Ordering;
use std::fmt;

use diagnostic::{Diagnostic, Severity};
use ingest::{Row, Table};
use model::{Decimal, Qualifier, Record, Unit, checked_pow10};

use crate::engine::{Context, Rule};

/// An arithmetic step whose result does not fit in 128 bits. See the module documentation:
/// it cannot happen with the figures the model accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooLarge;

/// `a × b` for non-negative `a` and `b`, or `None` when it does not fit in an `i128`.
fn checked_product(a: i128, b: i128) -> Option<i128> {
    // Figures are far below 2^63, and a product of two such is below 2^126: it needs no
    // overflow check, which for 128 bits costs more than the multiplication.
    if (a | b) >> 63 == 0 { Some(a * b) } else { a.checked_mul(b) }
}

/// A non-negative number held exactly: `numerator × 10^exponent`.
///
/// Equality and order compare the numbers, whatever their representation: `285 × 10^-1`
/// equals `2850 × 10^-2`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Exact {
    numerator: i128,
    exponent: i32,
}

impl Exact {
    /// Zero.
    pub(crate) const ZERO: Exact = Exact { numerator: 0, exponent: 0 };

    /// `numerator × 10^exponent`; `numerator` must not be negative.
    pub(crate) fn new(numerator: i128, exponent: i32) -> Exact {
        debug_assert!(numerator >= 0, "Exact holds non-negative numbers");
        Exact { numerator: numerator.max(0), exponent }
    }

    /// An integer.
    pub(crate) fn integer(value: i128) -> Exact {
        Exact::new(value, 0)
    }

    /// Whether the number is zero.
    pub(crate) fn is_zero(self) -> bool {
        self.numerator == 0
    }

    /// The number times `10^power`: exact, it only moves the decimal point.
    #[must_use]
    pub(crate) fn times_pow10(self, power: i32) -> Exact {
        Exact { numerator: self.numerator, exponent: self.exponent + power }
    }

    /// The numerator at a finer (smaller or equal) exponent.
    fn numerator_at(self, exponent: i32) -> Result<i128, TooLarge> {
        debug_assert!(exponent <= self.exponent);
        if self.numerator == 0 {
            return Ok(0);
        }
        let shift = u32::try_from(self.exponent - exponent).map_err(|_| TooLarge)?;
        checked_pow10(shift).and_then(|p| checked_product(self.numerator, p)).ok_or(TooLarge)
    }

    /// The exact sum.
    pub(crate) fn checked_add(self, other: Exact) -> Result<Exact, TooLarge> {
        // The usual case, terms written at one precision, needs no rescaling.
        if self.exponent == other.exponent {
            let sum = self.numerator.checked_add(other.numerator).ok_or(TooLarge)?;
            return Ok(Exact { numerator: sum, exponent: self.exponent });
        }
        let exponent = self.exponent.min(other.exponent);
        let sum = self.numerator_at(exponent)?.checked_add(other.numerator_at(exponent)?).ok_or(TooLarge)?;
        Ok(Exact { numerator: sum, exponent })
    }

    /// The exact product.
    pub(crate) fn checked_mul(self, other: Exact) -> Result<Exact, TooLarge> {
        let numerator = checked_product(self.numerator, other.numerator).ok_or(TooLarge)?;
        Ok(Exact { numerator, exponent: self.exponent + other.exponent })
    }

    /// The number in a unit worth `10^unit_exponent`, written exactly with no trailing zeros
    /// after the point: `2.85`, `142`, `0.1415`.
    pub(crate) fn render(self, unit_exponent: i32) -> String {
        let text = digits(self.numerator, self.exponent - unit_exponent);
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
    }
}

/// `numerator × 10^exponent` written out, with `-exponent` decimals when it is negative.
fn digits(numerator: i128, exponent: i32) -> String {
    if numerator == 0 && exponent >= 0 {
        return "0".to_owned();
    }
    place_point(numerator.to_string(), i64::from(exponent))
}

/// The integer `text` (ASCII digits) times `10^exponent`, written out: zeros appended for a
/// positive exponent, a point placed `-exponent` digits from the end for a negative one.
fn place_point(mut text: String, exponent: i64) -> String {
    let count = usize::try_from(exponent.unsigned_abs()).unwrap_or(usize::MAX);
    if exponent >= 0 {
        text.extend(std::iter::repeat_n('0', count));
        return text;
    }
    if text.len() <= count {
        text.insert_str(0, &"0".repeat(count + 1 - text.len()));
    }
    text.insert(text.len() - count, '.');
    text
}

/// Compares `a × 10^shift` with `b`, for non-negative `a` and `b`, without overflowing.
#[inline]
fn compare_shifted(a: i128, shift: u32, b: i128) -> Ordering {
    if a == 0 {
        return 0.cmp(&b);
    }
    if shift == 0 {
        return a.cmp(&b);
    }
    match checked_pow10(shift).and_then(|p| checked_product(a, p)) {
        Some(scaled) => scaled.cmp(&b),
        // The scaled `a` exceeds `i128::MAX`, hence `b`.
        None => Ordering::Greater,
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Exact) -> Ordering {
        let shift = self.exponent.abs_diff(other.exponent);
        if self.exponent >= other.exponent {
            compare_shifted(self.numerator, shift, other.numerator)
        } else {
            compare_shifted(other.numerator, shift, self.numerator).reverse()
        }
    }
}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Exact) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Exact {
    fn eq(&self, other: &Exact) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exact {}

/// The range of true values a written figure allows, `[lo, hi]`; `hi` is `None` when no
/// upper bound is known (`near_zero`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bounds {
    /// The smallest value the figure allows, at least 0.
    pub(crate) lo: Exact,
    /// The largest value the figure allows; `None` for no known upper bound.
    pub(crate) hi: Option<Exact>,
}

impl Bounds {
    /// A money figure in kroner: `value` written in `unit`, as `qualifier` says. `None` for a
    /// negative figure, which is not a trade figure (`field/format` reports it).
    pub(crate) fn of_money(value: Decimal, unit: Unit, qualifier: Qualifier) -> Option<Bounds> {
        let approximate = qualifier != Qualifier::Exact;
        Bounds::written(value, i32::from(unit.exponent()), approximate)
    }

    /// A percentage, exact to its last written digit, in percent. `None` when negative.
    pub(crate) fn of_percent(value: Decimal) -> Option<Bounds> {
        Bounds::written(value, 0, false)
    }

    /// What `near_zero` allows: [0, unbounded).
    pub(crate) fn near_zero() -> Bounds {
        Bounds { lo: Exact::ZERO, hi: None }
    }

    /// The range of a `trade.csv` value: the written figure, or [`Bounds::near_zero`] for
    /// `near_zero` without one. `None` when there is nothing to range over: no figure (or no
    /// unit) without `near_zero`, or a negative figure; `field/coherence` and `field/format`
    /// report those.
    pub(crate) fn of_trade_value(value: Option<Decimal>, unit: Option<Unit>, qualifier: Qualifier) -> Option<Bounds> {
        match (value, unit) {
            (Some(value), Some(unit)) => Bounds::of_money(value, unit, qualifier),
            (None, _) if qualifier == Qualifier::NearZero => Some(Bounds::near_zero()),
            _ => None,
        }
    }

    /// A written figure whose unit is `10^unit_exponent`. See the module documentation.
    pub(crate) fn written(value: Decimal, unit_exponent: i32, approximate: bool) -> Option<Bounds> {
        if value.is_negative() {
            return None;
        }
        // In tenths of the last written digit, `value` is `10 × units`, and half a digit is 5.
        let units = i128::from(value.units());
        let center = 10 * units;
        let half_width = if approximate { units.max(5) } else { 5 };
        let exponent = unit_exponent - i32::from(value.scale()) - 1;
        Some(Bounds {
            lo: Exact::new((center - half_width).max(0), exponent),
            hi: Some(Exact::new(center + half_width, exponent)),
        })
    }

    /// The range times `10^power`, e.g. `2` to turn a fraction into percent.
    #[must_use]
    #[inline]
    pub(crate) fn times_pow10(self, power: i32) -> Bounds {
        Bounds { lo: self.lo.times_pow10(power), hi: self.hi.map(|hi| hi.times_pow10(power)) }
    }

    /// Every product of a value of `self` and a value of `other`: both are non-negative, so
    /// it is `[lo × lo', hi × hi']`.
    #[inline]
    pub(crate) fn checked_mul(self, other: Bounds) -> Result<Bounds, TooLarge> {
        let hi = match (self.hi, other.hi) {
            (Some(a), Some(b)) => Some(a.checked_mul(b)?),
            _ => None,
        };
        Ok(Bounds { lo: self.lo.checked_mul(other.lo)?, hi })
    }

    /// Whether some value lies in both ranges (the ranges are closed).
    #[inline]
    pub(crate) fn overlaps(&self, other: &Bounds) -> bool {
        self.hi.is_none_or(|hi| other.lo <= hi) && other.hi.is_none_or(|hi| self.lo <= hi)
    }

    /// The range in a unit worth `10^unit_exponent`, exactly: `30.5–31.5`.
    pub(crate) fn render(&self, unit_exponent: i32) -> String {
        match self.hi {
            Some(hi) => format!("{}–{}", self.lo.render(unit_exponent), hi.render(unit_exponent)),
            None => format!("at least {}", self.lo.render(unit_exponent)),
        }
    }
}

/// Whether a share of a whole is possible: some `part`, `whole` and `share` (in percent) in
/// their ranges have `part × 100 = share × whole`.
///
/// Decided without division: the products `share × whole` form the range
/// `[share.lo × whole.lo, share.hi × whole.hi]`, which must meet `part × 100`. Inlined, with
/// the steps it takes, into the check of every commodity line.
#[inline]
pub(crate) fn share_fits(part: Bounds, whole: Bounds, share: Bounds) -> Result<bool, TooLarge> {
    Ok(part.times_pow10(2).overlaps(&share.checked_mul(whole)?))
}

/// A range `[lo, hi] × 10^exponent` in 64 bits, for [`share_fits_narrow`]; `hi` is `None`
/// when there is no upper bound.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NarrowBounds {
    lo: u64,
    hi: Option<u64>,
    exponent: i32,
}

impl Bounds {
    /// The range in 64 bits, when its ends share an exponent (as every written figure's do)
    /// and fit.
    pub(crate) fn narrow(&self) -> Option<NarrowBounds> {
        let hi = match self.hi {
            Some(hi) if hi.exponent != self.lo.exponent => return None,
            Some(hi) => Some(u64::try_from(hi.numerator).ok()?),
            None => None,
        };
        Some(NarrowBounds { lo: u64::try_from(self.lo.numerator).ok()?, hi, exponent: self.lo.exponent })
    }
}

impl NarrowBounds {
    /// The range of a figure written exactly, in 64 bits: [`Bounds::of_money`] with
    /// `Qualifier::Exact` for a unit worth `10^unit_exponent`, [`Bounds::of_percent`] for 0.
    /// `None` for a negative figure, which has no range, and for one beyond 64 bits.
    #[inline]
    pub(crate) fn written(figure: Decimal, unit_exponent: i32) -> Option<NarrowBounds> {
        // In tenths of the last written digit: [10 × units − 5, 10 × units + 5], at least 0.
        let center = u64::try_from(figure.units()).ok()?.checked_mul(10)?;
        let exponent = unit_exponent - i32::from(figure.scale()) - 1;
        Some(NarrowBounds { lo: center.saturating_sub(5), hi: Some(center.checked_add(5)?), exponent })
    }

    /// The lower end, `numerator × 10^exponent`.
    pub(crate) fn lo(&self) -> (u64, i32) {
        (self.lo, self.exponent)
    }
}

/// [`share_fits`] for a commodity line's written `value` in `unit` and its `share`, against a
/// whole's range, in 64-bit arithmetic: the integers of [`Bounds::of_money`],
/// [`Bounds::of_percent`] and [`share_fits`], compared the same way, so the same answer; or
/// `None` when a figure is negative or a step does not fit in 64 bits, and [`share_fits`]
/// decides. The usual figures fit, and are spared the 128-bit steps.
#[inline]
pub(crate) fn share_fits_narrow(value: Decimal, unit: Unit, share: Decimal, whole: NarrowBounds) -> Option<bool> {
    let part = NarrowBounds::written(value, i32::from(unit.exponent()))?;
    let stated = NarrowBounds::written(share, 0)?;
    let (part_lo, part_hi, share_lo, share_hi) = (part.lo, part.hi?, stated.lo, stated.hi?);
    // The part in percent of the whole: times 100.
    let part_exponent = part.exponent + 2;
    let product_exponent = stated.exponent + whole.exponent;
    // The ranges meet when the least product is at most the greatest part, and the least
    // part at most the greatest product.
    let from_below = at_most(share_lo.checked_mul(whole.lo)?, product_exponent, part_hi, part_exponent)?;
    let from_above = match whole.hi {
        Some(hi) => at_most(part_lo, part_exponent, share_hi.checked_mul(hi)?, product_exponent)?,
        None => true,
    };
    Some(from_below && from_above)
}

/// Whether `a × 10^a_exponent ≤ b × 10^b_exponent`; `None` when scaling either to the other's
/// exponent does not fit in 64 bits.
#[inline]
fn at_most(a: u64, a_exponent: i32, b: u64, b_exponent: i32) -> Option<bool> {
    let scaled = |n: u64, by: i32| n.checked_mul(u64::try_from(checked_pow10(by.unsigned_abs())?).ok()?);
    if a_exponent >= b_exponent {
        Some(scaled(a, a_exponent - b_exponent)? <= b)
    } else {
        Some(a <= scaled(b, b_exponent - a_exponent)?)
    }
}

/// An exact quotient `numerator / denominator` of non-negative numbers, `denominator > 0`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ratio {
    numerator: Exact,
    denominator: Exact,
}

/// Which way [`Ratio::rounded`] rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rounding {
    /// Towards zero: for lower bounds.
    Down,
    /// Away from zero: for upper bounds.
    Up,
}

impl Ratio {
    /// `numerator / denominator`; `denominator` must not be zero.
    pub(crate) fn new(numerator: Exact, denominator: Exact) -> Ratio {
        debug_assert!(!denominator.is_zero(), "a ratio's denominator is positive");
        Ratio { numerator, denominator }
    }

    /// A number as a ratio over 1.
    pub(crate) fn whole(value: Exact) -> Ratio {
        Ratio::new(value, Exact::integer(1))
    }

    /// Compares by cross-multiplication: `a/b` against `c/d` is `a·d` against `c·b`.
    pub(crate) fn checked_cmp(&self, other: &Ratio) -> Result<Ordering, TooLarge> {
        let left = self.numerator.checked_mul(other.denominator)?;
        let right = other.numerator.checked_mul(self.denominator)?;
        Ok(left.cmp(&right))
    }

    /// The quotient in a unit worth `10^unit_exponent`, rounded to `decimals` decimals: the
    /// digits of `quotient × 10^decimals`. By long division into decimal digits, so that it
    /// never overflows, however large the quotient or fine the rounding.
    pub(crate) fn rounded(&self, unit_exponent: i32, decimals: u32, rounding: Rounding) -> Digits {
        let numerator = self.numerator.numerator.unsigned_abs();
        let denominator = self.denominator.numerator.unsigned_abs();
        // quotient × 10^decimals in the unit = numerator × 10^shift / denominator.
        let shift =
            i64::from(self.numerator.exponent) - i64::from(self.denominator.exponent) - i64::from(unit_exponent)
                + i64::from(decimals);
        let mut text = (numerator / denominator).to_string();
        let mut remainder = numerator % denominator;
        let exact = if shift >= 0 {
            for _ in 0..shift {
                let (digit, rest) = next_digit(remainder, denominator);
                text.push(char::from(b'0' + digit));
                remainder = rest;
            }
            remainder == 0
        } else {
            // Dropping the last `-shift` digits of the integer quotient divides it by 10^-shift,
            // rounding down.
            let dropped = usize::try_from(shift.unsigned_abs()).unwrap_or(usize::MAX).min(text.len());
            let tail = text.split_off(text.len() - dropped);
            remainder == 0 && tail.bytes().all(|b| b == b'0')
        };
        let mut digits = Digits::new(&text);
        if rounding == Rounding::Up && !exact {
            digits.increment();
        }
        digits
    }
}

/// The next digit of a long division and the remainder after it: `10 × remainder` divided by
/// `divisor`, for `remainder < divisor`. By ten additions that each stay below `divisor`, so
/// that nothing overflows whatever the divisor.
fn next_digit(remainder: u128, divisor: u128) -> (u8, u128) {
    let (mut digit, mut rest) = (0, 0u128);
    for _ in 0..10 {
        // `rest + remainder` reaches `divisor` exactly when `remainder ≥ divisor − rest`.
        let room = divisor - rest;
        if remainder >= room {
            rest = remainder - room;
            digit += 1;
        } else {
            rest += remainder;
        }
    }
    (digit, rest)
}

/// A non-negative integer as its decimal digits, without leading zeros (`0` for zero): a
/// quotient rounded for display, which may have more digits than any machine integer holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Digits(String);

impl Digits {
    /// The number `text` spells in ASCII digits.
    fn new(text: &str) -> Digits {
        let significant = text.trim_start_matches('0');
        Digits(if significant.is_empty() { "0" } else { significant }.to_owned())
    }

    /// How many digits the number has: 1 for 0 to 9.
    fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds one.
    fn increment(&mut self) {
        let mut digits = std::mem::take(&mut self.0).into_bytes();
        let mut carry = true;
        for digit in digits.iter_mut().rev() {
            if *digit == b'9' {
                *digit = b'0';
            } else {
                *digit += 1;
                carry = false;
                break;
            }
        }
        if carry {
            digits.insert(0, b'1');
        }
        self.0 = digits.into_iter().map(char::from).collect();
    }

    /// The number divided by `10^decimals`, with exactly `decimals` decimals: `2750` with 2 is
    /// `27.50`.
    fn with_decimals(&self, decimals: u32) -> String {
        place_point(self.0.clone(), -i64::from(decimals))
    }
}

impl Ord for Digits {
    fn cmp(&self, other: &Digits) -> Ordering {
        // Without leading zeros, the longer number is the larger.
        (self.0.len(), &self.0).cmp(&(other.0.len(), &other.0))
    }
}

impl PartialOrd for Digits {
    fn partial_cmp(&self, other: &Digits) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The range of a quotient of two ranges, `[lo, hi]`; `hi` is `None` when unbounded (the
/// divisor may be 0, or the dividend has no upper bound).
#[derive(Clone, Copy, Debug)]
pub(crate) struct QuotientBounds {
    /// The smallest quotient.
    pub(crate) lo: Ratio,
    /// The largest quotient, if bounded.
    pub(crate) hi: Option<Ratio>,
}

impl QuotientBounds {
    /// Every `a / b` for `a` in `dividend` and `b > 0` in `divisor`: `[a.lo / b.hi, a.hi / b.lo]`.
    pub(crate) fn of(dividend: Bounds, divisor: Bounds) -> QuotientBounds {
        let lo = match divisor.hi {
            Some(hi) if !hi.is_zero() => Ratio::new(dividend.lo, hi),
            _ => Ratio::whole(Exact::ZERO),
        };
        let hi = match dividend.hi {
            Some(hi) if !divisor.lo.is_zero() => Some(Ratio::new(hi, divisor.lo)),
            _ => None,
        };
        QuotientBounds { lo, hi }
    }

    /// A written range as a quotient range over 1.
    pub(crate) fn whole(bounds: Bounds) -> QuotientBounds {
        QuotientBounds { lo: Ratio::whole(bounds.lo), hi: bounds.hi.map(Ratio::whole) }
    }

    /// The range rounded outward to `decimals` in a unit worth `10^unit_exponent`.
    pub(crate) fn shown(&self, unit_exponent: i32, decimals: u32) -> ShownRange {
        ShownRange {
            lo: self.lo.rounded(unit_exponent, decimals, Rounding::Down),
            hi: self.hi.map(|hi| hi.rounded(unit_exponent, decimals, Rounding::Up)),
            decimals,
        }
    }
}

/// The most decimals [`show_apart`] goes to.
const MAX_SHOWN_DECIMALS: u32 = 12;

/// How many significant digits a shown range gives its lower bound, at least.
const SHOWN_SIGNIFICANT_DIGITS: usize = 3;

/// Shows two disjoint quotient ranges, rounded outward, with the fewest decimals at which
/// the shown ranges stay apart: so that people reading the help see the gap that the finding
/// is about, not a rounding artefact that seems to close it. The decimals are at least
/// `at_least`, and enough for [`SHOWN_SIGNIFICANT_DIGITS`] digits of `first`'s lower bound
/// (`0.0275 %`, not `0.0 %`). Ranges that stay together at [`MAX_SHOWN_DECIMALS`] are shown
/// at that many.
pub(crate) fn show_apart(
    first: &QuotientBounds,
    second: &QuotientBounds,
    unit_exponent: i32,
    at_least: u32,
) -> (ShownRange, ShownRange) {
    let mut decimals = at_least.min(MAX_SHOWN_DECIMALS);
    if !first.lo.numerator.is_zero() {
        while decimals < MAX_SHOWN_DECIMALS
            && first.lo.rounded(unit_exponent, decimals, Rounding::Down).len() < SHOWN_SIGNIFICANT_DIGITS
        {
            decimals += 1;
        }
    }
    loop {
        let shown = (first.shown(unit_exponent, decimals), second.shown(unit_exponent, decimals));
        if !shown.0.overlaps(&shown.1) || decimals >= MAX_SHOWN_DECIMALS {
            return shown;
        }
        decimals += 1;
    }
}

/// A range rounded for display, with a fixed number of decimals: its bounds are the digits
/// of `bound × 10^decimals`.
#[derive(Clone, Debug)]
pub(crate) struct ShownRange {
    lo: Digits,
    hi: Option<Digits>,
    decimals: u32,
}

impl ShownRange {
    fn overlaps(&self, other: &ShownRange) -> bool {
        debug_assert_eq!(self.decimals, other.decimals, "ranges shown alike compare alike");
        self.hi.as_ref().is_none_or(|hi| other.lo <= *hi) && other.hi.as_ref().is_none_or(|hi| self.lo <= *hi)
    }

    /// A bound with exactly the shown number of decimals, trailing zeros included.
    fn bound(&self, value: &Digits) -> String {
        value.with_decimals(self.decimals)
    }

    /// `27.5 %–28.8 %` with `unit` "%", or `at least 27.5 %` when unbounded.
    pub(crate) fn with_unit_on_each(&self, unit: &str) -> String {
        match &self.hi {
            Some(hi) => format!("{} {unit}–{} {unit}", self.bound(&self.lo), self.bound(hi)),
            None => format!("at least {} {unit}", self.bound(&self.lo)),
        }
    }

    /// `820–900 NOK billion`, or `at least 820 NOK billion` when unbounded.
    pub(crate) fn with_unit_after(&self, unit: &str) -> String {
        match &self.hi {
            Some(hi) => format!("{}–{} {unit}", self.bound(&self.lo), self.bound(hi)),
            None => format!("at least {} {unit}", self.bound(&self.lo)),
        }
    }
}

impl fmt::Display for ShownRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.hi {
            Some(hi) => write!(f, "{}–{}", self.bound(&self.lo), self.bound(hi)),
            None => write!(f, "at least {}", self.bound(&self.lo)),
        }
    }
}

/// A figure with its unit as written: `2.9 NOK billion`, or `approximately 10.3 NOK billion`.
pub(crate) fn written_money(value: Decimal, unit: Unit, qualifier: Qualifier) -> String {
    match qualifier {
        Qualifier::Exact => format!("{value} {unit}"),
        _ => format!("approximately {value} {unit}"),
    }
}

/// The warning a rule reports instead of a verdict when its figures are too large to check
/// exactly (see the module documentation: not for figures read from CSV).
pub(crate) fn too_large_to_check<'a, R: Record<'a>>(
    context: &Context<'_, 'a>,
    rule: &Rule,
    table: &Table<'a, R>,
    row: &Row<R>,
    column: &str,
) -> Diagnostic {
    let message = "the figures are too large to check exactly".to_owned();
    let help = "the rule's exact arithmetic works on at most 18 digits with at most 9 after the point".to_owned();
    let mut finding = context.finding(rule, table, row, column, message, Some(help));
    finding.severity = Severity::Warning;
    finding
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn decimal(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    fn money(text: &str, unit: Unit) -> Bounds {
        Bounds::of_money(decimal(text), unit, Qualifier::Exact).unwrap()
    }

    fn billions(text: &str) -> Bounds {
        money(text, Unit::NokBillion)
    }

    fn percent(text: &str) -> Bounds {
        Bounds::of_percent(decimal(text)).unwrap()
    }

    #[test]
    fn products_agree_with_checked_arithmetic() {
        let edges = [0, 1, 7, (1 << 62) + 3, (1 << 63) - 1, 1 << 63, (1 << 64) + 1, 1 << 100, i128::MAX / 3, i128::MAX];
        for a in edges {
            for b in edges {
                assert_eq!(checked_product(a, b), a.checked_mul(b), "{a} × {b}");
            }
        }
    }

    #[test]
    fn exact_numbers_compare_across_exponents() {
        assert_eq!(Exact::new(285, -1), Exact::new(2850, -2));
        assert!(Exact::new(285, -1) < Exact::new(2851, -2));
        assert!(Exact::new(1, 39) > Exact::new(i128::MAX, 0));
        assert!(Exact::new(1, 38) < Exact::new(i128::MAX, 0));
        assert!(Exact::new(i128::MAX, 0) < Exact::new(1, 40));
        assert!(Exact::ZERO < Exact::new(1, -300));
        assert_eq!(Exact::ZERO, Exact::new(0, 300));
        assert_eq!(Exact::new(15, -1).checked_add(Exact::new(2, 0)), Ok(Exact::new(35, -1)));
        assert_eq!(Exact::new(15, -1).checked_mul(Exact::new(3, 2)), Ok(Exact::new(450, 0)));
    }

    #[test]
    fn sums_and_comparisons_at_one_exponent_agree_with_rescaling() {
        assert_eq!(Exact::new(15, -1).checked_add(Exact::new(25, -1)), Ok(Exact::new(4, 0)));
        assert_eq!(Exact::ZERO.checked_add(Exact::new(7, -3)), Ok(Exact::new(7, -3)));
        assert_eq!(Exact::new(i128::MAX, 2).checked_add(Exact::new(1, 2)), Err(TooLarge));
        assert!(Exact::new(3, -2) < Exact::new(4, -2));
        assert!(Exact::new(i128::MAX, 5) > Exact::new(i128::MAX - 1, 5));
        assert_eq!(Exact::new(0, 7).cmp(&Exact::new(0, 7)), Ordering::Equal);
    }

    proptest! {
        #[test]
        fn one_exponent_is_one_case_of_many(a in 0i128..1_000_000_000_000, b in 0i128..1_000_000_000_000, exponent in -12i32..12) {
            let (x, y) = (Exact::new(a, exponent), Exact::new(b, exponent));
            // The same numbers written at a finer exponent take the rescaling path.
            let (x_fine, y_fine) = (Exact::new(a * 10, exponent - 1), Exact::new(b * 100, exponent - 2));
            prop_assert_eq!(x.cmp(&y), x_fine.cmp(&y_fine));
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(x.checked_add(y), x_fine.checked_add(y_fine));
            prop_assert_eq!(x.checked_add(y).map(|sum| sum.numerator), Ok(a + b));
        }
    }

    /// A whole of every kind a flow's total gives: written exactly, approximately, or only as
    /// near zero.
    fn whole_of(units: i64, scale: u8, unit: Unit, qualifier: usize) -> Bounds {
        let value = Decimal::new(units, scale);
        match qualifier {
            0 => Bounds::of_money(value, unit, Qualifier::Exact),
            1 => Bounds::of_money(value, unit, Qualifier::Approximately),
            _ => Some(Bounds::near_zero()),
        }
        .unwrap_or_else(Bounds::near_zero)
    }

    /// The 64-bit answer, when there is one, is the exact one; returns it.
    fn narrow_agrees(value: Decimal, unit: Unit, share: Decimal, whole: Bounds) -> Result<Option<bool>, TestCaseError> {
        let exact = match (Bounds::of_money(value, unit, Qualifier::Exact), Bounds::of_percent(share)) {
            (Some(part), Some(stated)) => share_fits(part, whole, stated).ok(),
            _ => None,
        };
        let narrow = whole.narrow().and_then(|whole| share_fits_narrow(value, unit, share, whole));
        if narrow.is_some() {
            prop_assert_eq!(narrow, exact, "{} {:?} at {} % of {:?}", value, unit, share, whole);
        }
        Ok(narrow)
    }

    proptest! {
        #[test]
        fn the_narrow_share_check_answers_as_the_exact_one(
            value in 0i64..=10_000_000, value_scale in 0u8..=6, unit in 0usize..3,
            share in 0i64..=20_000, share_scale in 0u8..=3,
            whole in 0i64..=100_000_000, whole_scale in 0u8..=6, whole_unit in 0usize..3, qualifier in 0usize..3,
        ) {
            let whole = whole_of(whole, whole_scale, UNITS[whole_unit], qualifier);
            narrow_agrees(Decimal::new(value, value_scale), UNITS[unit], Decimal::new(share, share_scale), whole)?;
        }

        #[test]
        fn the_narrow_share_check_answers_as_the_exact_one_at_any_size(
            value in any::<i64>(), value_scale in 0u8..=9, unit in 0usize..3,
            share in any::<i64>(), share_scale in 0u8..=9,
            whole in any::<i64>(), whole_scale in 0u8..=9, whole_unit in 0usize..3, qualifier in 0usize..3,
        ) {
            let whole = whole_of(whole, whole_scale, UNITS[whole_unit], qualifier);
            narrow_agrees(Decimal::new(value, value_scale), UNITS[unit], Decimal::new(share, share_scale), whole)?;
        }
    }

    #[test]
    fn the_narrow_share_check_answers_as_the_exact_one_at_the_edges() {
        // Every small figure against totals whose products meet the parts exactly at the
        // ends of their ranges: 2.2 of 10.3 at 21.5 %–22.5 %, and around.
        let mut answers = [0usize; 2];
        for total in ["10.3", "10", "0.5", "1", "1234.5"] {
            for qualifier in 0..3 {
                let whole = whole_of(decimal(total).units(), decimal(total).scale(), Unit::NokBillion, qualifier);
                for value in 0..=60 {
                    for share in 0..=250 {
                        for (value_scale, share_scale) in [(0, 0), (1, 0), (1, 1), (2, 1)] {
                            let value = Decimal::new(value, value_scale);
                            let share = Decimal::new(share, share_scale);
                            for unit in UNITS {
                                let narrow = narrow_agrees(value, unit, share, whole).map_err(|e| e.to_string());
                                if let Some(fits) = narrow.unwrap() {
                                    answers[usize::from(fits)] += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        // Both answers are given in 64 bits, many times each.
        assert!(answers.iter().all(|&count| count > 10_000), "{answers:?}");
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let huge = Exact::new(i128::MAX / 2, 0);
        assert_eq!(huge.checked_add(huge.times_pow10(1)), Err(TooLarge));
        assert_eq!(huge.checked_mul(Exact::integer(3)), Err(TooLarge));
        // Out of the parser's limits: 19 digits. The bounds still build; their product does not fit.
        let beyond = Bounds::of_money(Decimal::new(i64::MAX, 0), Unit::NokBillion, Qualifier::Approximately).unwrap();
        assert_eq!(share_fits(beyond, beyond, beyond), Err(TooLarge));
    }

    #[test]
    fn the_largest_parsable_figures_do_not_overflow() {
        // The module documentation's bounds, at their extremes.
        let largest = decimal("999999999999999999");
        let finest = decimal("0.999999999");
        for (a, b) in [(largest, largest), (largest, finest), (finest, largest)] {
            let a_money = Bounds::of_money(a, Unit::NokBillion, Qualifier::Approximately).unwrap();
            let b_money = Bounds::of_money(b, Unit::Nok, Qualifier::Approximately).unwrap();
            let b_share = Bounds::of_percent(b).unwrap();
            assert!(share_fits(a_money, b_money, b_share).is_ok());
            assert!(share_fits(b_money, a_money, b_share).is_ok());
            let sum = a_money.lo.checked_add(b_money.lo).and_then(|s| s.checked_add(a_money.hi.unwrap()));
            assert!(sum.is_ok());
            let implied_a = QuotientBounds::of(a_money.times_pow10(2), b_share);
            let implied_b = QuotientBounds::of(b_money.times_pow10(2), b_share);
            assert!(overlaps(&implied_a, &implied_b).is_ok());
        }
    }

    #[test]
    fn written_figures_stand_for_their_rounding_range() {
        assert_eq!(billions("2.9").render(9), "2.85–2.95");
        assert_eq!(percent("28").render(0), "27.5–28.5");
        assert_eq!(money("142", Unit::NokMillion).render(6), "141.5–142.5");
        assert_eq!(money("142", Unit::NokMillion).render(9), "0.1415–0.1425");
        assert_eq!(percent("0").render(0), "0–0.5");
        let about = |text: &str| Bounds::of_money(decimal(text), Unit::NokBillion, Qualifier::Approximately).unwrap();
        assert_eq!(about("10.3").render(9), "9.27–11.33");
        // Half a digit is wider than 10 % of a small figure.
        assert_eq!(about("3").render(9), "2.5–3.5");
        assert_eq!(about("0").render(9), "0–0.5");
        assert_eq!(Bounds::near_zero().render(9), "at least 0");
        assert!(Bounds::of_percent(decimal("-1")).is_none());
    }

    #[test]
    fn units_convert_exactly() {
        assert_eq!(money("2900", Unit::NokMillion), billions("2900").times_pow10(-3));
        assert!(money("2900", Unit::NokMillion).overlaps(&billions("2.9")));
        assert!(!money("2.9", Unit::NokMillion).overlaps(&billions("2.9")));
        assert_eq!(money("1", Unit::Nok).lo, Exact::new(5, -1));
    }

    #[test]
    fn japan_export_shares_fit_within_rounding() {
        // 2.2 / 10.3 = 21.36 %, written 22: [2.15/10.35, 2.25/10.25] = [20.77 %, 21.95 %] meets [21.5, 22.5].
        let total = billions("10.3");
        for (value, share) in [("2.9", "28"), ("2.2", "22"), ("1.4", "14"), ("1.2", "11")] {
            assert_eq!(share_fits(billions(value), total, percent(share)), Ok(true), "{value} at {share} %");
        }
        assert_eq!(share_fits(billions("2.9"), total, percent("31")), Ok(false));
        assert_eq!(share_fits(billions("2.2"), total, percent("23")), Ok(false));
    }

    #[test]
    fn touching_ranges_overlap() {
        // 1.1787 / 10.3 is at most 1.17875 / 10.25 = 11.5 % exactly: the lower end of 12 %.
        assert_eq!(share_fits(billions("1.1787"), billions("10.3"), percent("12")), Ok(true));
        assert_eq!(share_fits(billions("1.1786"), billions("10.3"), percent("12")), Ok(false));
    }

    #[test]
    fn near_zero_refutes_nothing() {
        assert_eq!(share_fits(billions("2.9"), Bounds::near_zero(), percent("99")), Ok(true));
        assert_eq!(share_fits(Bounds::near_zero(), billions("10.3"), percent("99")), Ok(true));
    }

    #[test]
    fn quotients_round_outward_for_display() {
        let implied = QuotientBounds::of(billions("2.9").times_pow10(2), billions("10.3"));
        let stated = QuotientBounds::whole(percent("31"));
        assert_eq!(overlaps(&implied, &stated), Ok(false));
        let (shown, _) = show_apart(&implied, &stated, 0, 1);
        assert_eq!(shown.with_unit_on_each("%"), "27.5 %–28.8 %");
        // 11.3869… %–11.4990… %: at 3 decimals the upper end would read 11.500, touching 11.5.
        let implied = QuotientBounds::of(billions("1.1786").times_pow10(2), billions("10.3"));
        let (shown, stated) = show_apart(&implied, &QuotientBounds::whole(percent("12")), 0, 1);
        assert_eq!(shown.to_string(), "11.3869–11.4991");
        assert_eq!(stated.to_string(), "11.5000–12.5000");
        let ratio = Ratio::new(Exact::integer(2), Exact::integer(3));
        assert_eq!(ratio.rounded(0, 2, Rounding::Down).with_decimals(2), "0.66");
        assert_eq!(ratio.rounded(0, 2, Rounding::Up).with_decimals(2), "0.67");
        // In thousandths: 666.66… rounds up to 667.
        assert_eq!(ratio.rounded(-3, 0, Rounding::Up).with_decimals(0), "667");
        assert_eq!(Ratio::whole(Exact::integer(5)).rounded(3, 1, Rounding::Up).with_decimals(1), "0.1");
        assert_eq!(Ratio::whole(Exact::integer(5)).rounded(30, 1, Rounding::Down).with_decimals(1), "0.0");
        assert_eq!(Ratio::whole(Exact::integer(995)).rounded(0, 0, Rounding::Up).with_decimals(2), "9.95");
        // Exact multiples of the last shown digit are not rounded up.
        assert_eq!(
            Ratio::new(Exact::integer(3), Exact::integer(4)).rounded(0, 2, Rounding::Up).with_decimals(2),
            "0.75"
        );
        // 9.99… rounds up to a number with one more digit.
        assert_eq!(
            Ratio::new(Exact::integer(999), Exact::integer(100)).rounded(0, 0, Rounding::Up).with_decimals(0),
            "10"
        );
        let unbounded = QuotientBounds::of(billions("1"), Bounds::of_percent(decimal("0")).unwrap());
        assert_eq!(unbounded.shown(0, 0).with_unit_after("NOK"), "at least 1000000000 NOK");
    }

    #[test]
    fn implied_totals_overlap_when_some_total_fits_both() {
        // Japan 2011: 10.3 NOK billion is 1.2 % of Norway's exports: 820–900 NOK billion.
        let japan = QuotientBounds::of(billions("10.3").times_pow10(2), percent("1.2"));
        assert_eq!(japan.shown(9, 1).with_unit_after("NOK billion"), "820.0–900.0 NOK billion");
        let close = QuotientBounds::of(billions("0.5").times_pow10(2), percent("0.06"));
        assert_eq!(overlaps(&japan, &close), Ok(true));
        let far = QuotientBounds::of(billions("0.5").times_pow10(2), percent("0.04"));
        assert_eq!(overlaps(&japan, &far), Ok(false));
        assert_eq!(overlaps(&far, &japan), Ok(false));
    }

    /// A true value `numerator / denominator` written with `scale` decimals in a unit worth
    /// `10^unit_exponent`, rounded to nearest: the figure a careful writer would give.
    fn write(numerator: i128, denominator: i128, unit_exponent: u32, scale: u8) -> Decimal {
        // value / 10^unit × 10^scale, rounded half up.
        let scaled_numerator = numerator * 10i128.pow(u32::from(scale));
        let scaled_denominator = denominator * 10i128.pow(unit_exponent);
        let units = (2 * scaled_numerator + scaled_denominator) / (2 * scaled_denominator);
        Decimal::new(i64::try_from(units).unwrap(), scale)
    }

    /// Whether two quotient ranges meet, by the comparisons the rules use.
    fn overlaps(a: &QuotientBounds, b: &QuotientBounds) -> Result<bool, TooLarge> {
        let below = |lo: &Ratio, hi: Option<&Ratio>| hi.map_or(Ok(true), |hi| Ok(lo.checked_cmp(hi)?.is_le()));
        Ok(below(&a.lo, b.hi.as_ref())? && below(&b.lo, a.hi.as_ref())?)
    }

    const UNITS: [Unit; 3] = [Unit::Nok, Unit::NokMillion, Unit::NokBillion];

    proptest! {
        /// Soundness: true values satisfying `part = share × whole` never raise a finding,
        /// whatever precision and unit each figure is written in.
        #[test]
        fn correct_shares_are_never_refuted(
            part in 0i128..=1_000_000_000_000,
            extra in 1i128..=1_000_000_000_000,
            part_unit in 0usize..3, whole_unit in 0usize..3,
            part_scale in 0u8..=4, whole_scale in 0u8..=4, share_scale in 0u8..=3,
        ) {
            // True values in kroner; the share is exact as a fraction.
            let whole = part + extra;
            let (part_unit, whole_unit) = (UNITS[part_unit], UNITS[whole_unit]);
            let part_written = write(part, 1, u32::from(part_unit.exponent()), part_scale);
            let whole_written = write(whole, 1, u32::from(whole_unit.exponent()), whole_scale);
            let share_written = write(100 * part, whole, 0, share_scale);
            let part_bounds = Bounds::of_money(part_written, part_unit, Qualifier::Exact).unwrap();
            let whole_bounds = Bounds::of_money(whole_written, whole_unit, Qualifier::Exact).unwrap();
            let share_bounds = Bounds::of_percent(share_written).unwrap();
            prop_assert_eq!(share_fits(part_bounds, whole_bounds, share_bounds), Ok(true));
        }

        /// Soundness for `approximately`: whatever the true total within 10 % of the written
        /// one, true parts and shares of it are never refuted.
        #[test]
        fn approximate_totals_within_ten_percent_are_never_refuted(
            stated_units in 1i64..=10_000_000,
            stated_scale in 0u8..=3,
            off_per_mille in -100i128..=100,
            part_per_mille in 0i128..=1000,
        ) {
            // The source writes `stated` NOK million "approximately".
            let stated = Decimal::new(stated_units, stated_scale);
            // True values, in thousandths of a krone: the total is the stated one off by up to 10 %.
            let whole = i128::from(stated_units) * 10i128.pow(6 - u32::from(stated_scale)) * (1000 + off_per_mille);
            let part = whole * part_per_mille / 1000;
            let whole_bounds = Bounds::of_money(stated, Unit::NokMillion, Qualifier::Approximately).unwrap();
            let part_bounds = Bounds::of_money(write(part, 1000, 6, 3), Unit::NokMillion, Qualifier::Exact).unwrap();
            let share_bounds = Bounds::of_percent(write(100 * part, whole, 0, 2)).unwrap();
            prop_assert_eq!(share_fits(part_bounds, whole_bounds, share_bounds), Ok(true));
        }

        /// Completeness where it matters: with value and total written to at least three
        /// significant digits, the implied share is known to within ±1.01 points, so a share
        /// written 3 points off is always caught.
        #[test]
        fn clearly_wrong_shares_are_caught(
            part_digits in 100i64..=999_999,
            whole_extra in 0i64..=999_999,
            scale in 0u8..=3,
            offset in prop::sample::select(vec![-3i64, 3, 5, -5, 12]),
        ) {
            let whole_digits = part_digits + whole_extra;
            let (part, whole) = (Decimal::new(part_digits, scale), Decimal::new(whole_digits, scale));
            let true_share = write(100 * i128::from(part_digits), i128::from(whole_digits), 0, 0);
            let wrong = true_share.units() + offset;
            prop_assume!((0..=100).contains(&wrong));
            let part_bounds = Bounds::of_money(part, Unit::NokMillion, Qualifier::Exact).unwrap();
            let whole_bounds = Bounds::of_money(whole, Unit::NokMillion, Qualifier::Exact).unwrap();
            let share_bounds = Bounds::of_percent(Decimal::new(wrong, 0)).unwrap();
            prop_assert_eq!(share_fits(part_bounds, whole_bounds, share_bounds), Ok(false));
        }

        /// Soundness of the implied reporter total: rows whose values are true shares of one
        /// true total always imply overlapping totals.
        #[test]
        fn shares_of_one_total_imply_overlapping_totals(
            total in 1_000i128..=1_000_000_000_000,
            first in 1i128..=1_000_000,
            second in 1i128..=1_000_000,
            value_scale in 0u8..=3,
            share_scale in 0u8..=3,
        ) {
            let implied = |value: i128| {
                let value_bounds = Bounds::of_money(write(value, 1, 6, value_scale), Unit::NokMillion, Qualifier::Exact).unwrap();
                let share_bounds = Bounds::of_percent(write(100 * value, total, 0, share_scale)).unwrap();
                QuotientBounds::of(value_bounds.times_pow10(2), share_bounds)
            };
            let (a, b) = (implied(first.min(total)), implied(second.min(total)));
            prop_assert_eq!(overlaps(&a, &b), Ok(true));
        }

        /// Sums of lower bounds never exceed a total that the true parts fit in.
        #[test]
        fn parts_within_their_total_are_never_refuted(
            parts in prop::collection::vec(0i128..=1_000_000_000, 1..20),
            slack in 0i128..=1_000,
            scale in 0u8..=3,
            unit in 0usize..3,
        ) {
            let unit = UNITS[unit];
            let total: i128 = parts.iter().sum::<i128>() + slack;
            let total_bounds = Bounds::of_money(write(total, 1, u32::from(unit.exponent()), scale), unit, Qualifier::Exact).unwrap();
            let mut sum = Exact::ZERO;
            for part in parts {
                let bounds = Bounds::of_money(write(part, 1, u32::from(unit.exponent()), scale), unit, Qualifier::Exact).unwrap();
                sum = sum.checked_add(bounds.lo).unwrap();
            }
            prop_assert!(sum <= total_bounds.hi.unwrap());
        }

        /// Outward rounding for display never shows a range narrower than the exact one.
        #[test]
        fn shown_ranges_contain_the_exact_range(
            numerator in 0i128..=1_000_000_000_000,
            denominator in 1i128..=1_000_000_000_000,
            exponent in -12i32..=12,
            unit_exponent in 0i32..=9,
            decimals in 0u32..=6,
        ) {
            let ratio = Ratio::new(Exact::new(numerator, exponent), Exact::new(denominator, 0));
            let exponent = unit_exponent - i32::try_from(decimals).unwrap();
            let down = Exact::new(ratio.rounded(unit_exponent, decimals, Rounding::Down).0.parse().unwrap(), exponent);
            let up = Exact::new(ratio.rounded(unit_exponent, decimals, Rounding::Up).0.parse().unwrap(), exponent);
            prop_assert!(Ratio::whole(down).checked_cmp(&ratio).unwrap().is_le());
            prop_assert!(Ratio::whole(up).checked_cmp(&ratio).unwrap().is_ge());
            let step = Exact::new(1, exponent);
            prop_assert!(down.checked_add(step).unwrap() >= up);
        }
    }

    /// Exact arithmetic by another route, to check verdicts on figures at the model's limits,
    /// whose products exceed every machine integer: a non-negative `digits × 10^exponent`,
    /// one decimal digit per element, least significant first.
    #[derive(Clone, Debug)]
    struct Big {
        digits: Vec<u64>,
        exponent: i64,
    }

    impl Big {
        fn of(value: Exact) -> Big {
            Big::spelled(&value.numerator.to_string(), i64::from(value.exponent))
        }

        fn spelled(text: &str, exponent: i64) -> Big {
            Big { digits: text.bytes().rev().map(|b| u64::from(b - b'0')).collect(), exponent }
        }

        fn times(&self, other: &Big) -> Big {
            let mut digits = vec![0u64; self.digits.len() + other.digits.len()];
            for (i, a) in self.digits.iter().enumerate() {
                for (j, b) in other.digits.iter().enumerate() {
                    digits[i + j] += a * b;
                }
            }
            Big { digits: carried(digits), exponent: self.exponent + other.exponent }
        }

        fn plus(&self, other: &Big) -> Big {
            let exponent = self.exponent.min(other.exponent);
            let (mut a, b) = (self.digits_at(exponent), other.digits_at(exponent));
            a.resize(a.len().max(b.len()), 0);
            b.iter().enumerate().for_each(|(i, d)| a[i] += d);
            Big { digits: carried(a), exponent }
        }

        /// The digits at a finer exponent, with no zeros above the most significant digit.
        fn digits_at(&self, exponent: i64) -> Vec<u64> {
            let mut digits = vec![0; usize::try_from(self.exponent - exponent).unwrap()];
            digits.extend(&self.digits);
            while digits.len() > 1 && digits.last() == Some(&0) {
                digits.pop();
            }
            digits
        }

        fn compare(&self, other: &Big) -> Ordering {
            let exponent = self.exponent.min(other.exponent);
            let (a, b) = (self.digits_at(exponent), other.digits_at(exponent));
            a.len().cmp(&b.len()).then_with(|| a.iter().rev().cmp(b.iter().rev()))
        }
    }

    fn carried(mut digits: Vec<u64>) -> Vec<u64> {
        let mut carry = 0;
        for digit in &mut digits {
            let total = *digit + carry;
            *digit = total % 10;
            carry = total / 10;
        }
        while carry > 0 {
            digits.push(carry % 10);
            carry /= 10;
        }
        digits
    }

    /// `a/b` against `c/d` by the oracle: `a·d` against `c·b`.
    fn oracle_cmp(left: &Ratio, right: &Ratio) -> Ordering {
        let cross = Big::of(left.numerator).times(&Big::of(right.denominator));
        cross.compare(&Big::of(right.numerator).times(&Big::of(left.denominator)))
    }

    /// A shown bound as a number: its digits times `10^(unit_exponent − decimals)`.
    fn shown_bound(digits: &Digits, unit_exponent: i32, decimals: u32) -> Big {
        Big::spelled(&digits.0, i64::from(unit_exponent) - i64::from(decimals))
    }

    #[test]
    fn the_oracle_agrees_with_small_numbers() {
        let big = |n: i128, e: i32| Big::of(Exact::new(n, e));
        assert_eq!(big(285, -1).compare(&big(2850, -2)), Ordering::Equal);
        assert_eq!(big(99, 0).times(&big(99, 1)).compare(&big(98010, 0)), Ordering::Equal);
        assert_eq!(big(15, -1).plus(&big(2, 0)).compare(&big(35, -1)), Ordering::Equal);
        assert_eq!(big(0, 5).compare(&big(0, -5)), Ordering::Equal);
        assert_eq!(big(1, 40).compare(&big(i128::MAX, 0)), Ordering::Greater);
        let third = Ratio::new(Exact::integer(1), Exact::integer(3));
        assert_eq!(oracle_cmp(&third, &Ratio::new(Exact::integer(33), Exact::integer(100))), Ordering::Greater);
    }

    #[test]
    fn disjoint_totals_at_the_limits_are_decided_and_shown() {
        // 999999 NOK billion at 0.000000001 % of the reporter's exports, against
        // 0.000000001 NOK at 50 %: totals of 6.7 × 10^25 NOK and more, against 3 × 10^-9 NOK
        // at most.
        let japan = QuotientBounds::of(billions("999999").times_pow10(2), percent("0.000000001"));
        let cambodia = QuotientBounds::of(money("0.000000001", Unit::Nok).times_pow10(2), percent("50"));
        assert_eq!(overlaps(&japan, &cambodia), Ok(false));
        let (mine, theirs) = show_apart(&cambodia, &japan, 0, 0);
        assert_eq!(mine.with_unit_after("NOK"), "0.000000000990–0.000000003031 NOK");
        assert_eq!(
            theirs.with_unit_after("NOK"),
            "66666566666666666666666666.666666666666–199999900000000000000000000.000000000000 NOK"
        );
        let (mine, theirs) = show_apart(&japan, &cambodia, 9, 0);
        assert_eq!(mine.with_unit_after("NOK billion"), "66666566666666666–199999900000000000 NOK billion");
        assert_eq!(theirs.with_unit_after("NOK billion"), "0–1 NOK billion");
    }

    /// The largest number of significant digits a cell may carry, as a number of units.
    const LARGEST_UNITS: i64 = 10i64.pow(model::value::MAX_DIGITS as u32) - 1;

    /// A figure the model accepts, weighted towards its limits: up to [`model::value::MAX_DIGITS`]
    /// digits, up to [`model::value::MAX_SCALE`] of them after the point.
    fn figure_at_the_limits() -> impl Strategy<Value = Decimal> {
        let units = prop_oneof![
            Just(LARGEST_UNITS),
            Just(1i64),
            Just(0i64),
            LARGEST_UNITS / 10..=LARGEST_UNITS,
            0..=LARGEST_UNITS,
            1i64..=1_000,
        ];
        let scale = prop_oneof![Just(0u8), Just(model::value::MAX_SCALE), 0..=model::value::MAX_SCALE];
        (units, scale).prop_map(|(units, scale)| Decimal::new(units, scale))
    }

    /// A money figure at the limits, in any unit, exact or approximate.
    fn money_at_the_limits() -> impl Strategy<Value = (Decimal, Bounds)> {
        (figure_at_the_limits(), 0usize..3, any::<bool>()).prop_map(|(figure, unit, approximate)| {
            let qualifier = if approximate { Qualifier::Approximately } else { Qualifier::Exact };
            (figure, Bounds::of_money(figure, UNITS[unit], qualifier).unwrap())
        })
    }

    /// Whether the model's parser accepts a figure as written.
    fn accepted(figure: Decimal) -> bool {
        Decimal::parse(&figure.to_string()) == Ok(figure)
    }

    proptest! {
        /// A share at the limits is decided, never "too large", and exactly: as the oracle
        /// decides `part × 100 ∈ [share.lo × whole.lo, share.hi × whole.hi]`.
        #[test]
        fn shares_at_the_limits_are_decided_exactly(
            (part_figure, part) in money_at_the_limits(),
            (whole_figure, whole) in money_at_the_limits(),
            share_figure in figure_at_the_limits(),
        ) {
            prop_assert!(accepted(part_figure) && accepted(whole_figure) && accepted(share_figure));
            let share = Bounds::of_percent(share_figure).unwrap();
            let (part_hi, whole_hi, share_hi) = (part.hi.unwrap(), whole.hi.unwrap(), share.hi.unwrap());
            let lowest = Big::of(share.lo).times(&Big::of(whole.lo));
            let highest = Big::of(share_hi).times(&Big::of(whole_hi));
            let fits = Big::of(part.lo.times_pow10(2)).compare(&highest).is_le()
                && lowest.compare(&Big::of(part_hi.times_pow10(2))).is_le();
            prop_assert_eq!(share_fits(part, whole, share), Ok(fits));
        }

        /// Implied totals at the limits compare exactly, every pair of bounds the reporter
        /// total rule compares, and their help text shows ranges that contain the exact ones.
        #[test]
        fn implied_totals_at_the_limits_compare_exactly(
            (value_a, money_a) in money_at_the_limits(),
            (value_b, money_b) in money_at_the_limits(),
            share_a in figure_at_the_limits(),
            share_b in figure_at_the_limits(),
            unit in 0usize..3,
        ) {
            prop_assert!(accepted(value_a) && accepted(value_b) && accepted(share_a) && accepted(share_b));
            let implied = |money: Bounds, share: Decimal| {
                QuotientBounds::of(money.times_pow10(2), Bounds::of_percent(share).unwrap())
            };
            let (a, b) = (implied(money_a, share_a), implied(money_b, share_b));
            let bounds = |q: &QuotientBounds| std::iter::once(q.lo).chain(q.hi).collect::<Vec<_>>();
            for left in bounds(&a) {
                for right in bounds(&b) {
                    prop_assert_eq!(left.checked_cmp(&right), Ok(oracle_cmp(&left, &right)));
                }
            }
            let unit_exponent = i32::from(UNITS[unit].exponent());
            let (shown_a, shown_b) = show_apart(&a, &b, unit_exponent, 0);
            for (shown, exact) in [(&shown_a, &a), (&shown_b, &b)] {
                let lo = shown_bound(&shown.lo, unit_exponent, shown.decimals);
                let exact_lo = Big::of(exact.lo.numerator);
                prop_assert!(lo.times(&Big::of(exact.lo.denominator)).compare(&exact_lo).is_le());
                prop_assert_eq!(shown.hi.is_some(), exact.hi.is_some());
                if let (Some(hi), Some(exact_hi)) = (&shown.hi, exact.hi) {
                    let hi = shown_bound(hi, unit_exponent, shown.decimals);
                    let scaled = hi.times(&Big::of(exact_hi.denominator));
                    prop_assert!(scaled.compare(&Big::of(exact_hi.numerator)).is_ge());
                }
            }
        }

        /// Sums of lower ends at the limits, as `trade/parts-exceed-total` adds them (each
        /// addition to a sum that does not exceed the total yet), are exact and never "too
        /// large".
        #[test]
        fn running_sums_at_the_limits_are_exact(
            (total_figure, total) in money_at_the_limits(),
            parts in prop::collection::vec(money_at_the_limits(), 1..12),
            shares in prop::collection::vec(figure_at_the_limits(), 1..12),
        ) {
            prop_assert!(accepted(total_figure));
            let share_bounds = shares.iter().map(|&share| Bounds::of_percent(share).unwrap());
            for (terms, limit) in [
                (parts.iter().map(|(_, bounds)| *bounds).collect::<Vec<_>>(), total.hi.unwrap()),
                (share_bounds.collect(), Exact::integer(100)),
            ] {
                let (mut sum, mut oracle) = (Exact::ZERO, Big::of(Exact::ZERO));
                for term in terms {
                    sum = sum.checked_add(term.lo).unwrap();
                    oracle = oracle.plus(&Big::of(term.lo));
                    prop_assert_eq!(Big::of(sum).compare(&oracle), Ordering::Equal);
                    prop_assert_eq!(sum > limit, oracle.compare(&Big::of(limit)).is_gt());
                    if sum > limit {
                        break;
                    }
                }
            }
        }
    }
}
