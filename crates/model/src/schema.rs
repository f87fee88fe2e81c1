//! What a column is ([`ColumnDef`]), why a cell did not become a value ([`CellFault`]), and
//! how a typed cell is written back as text ([`AsCell`]). The tables themselves are declared
//! in `records.rs`.

use std::fmt;

use crate::value::{CellError, Kind};

/// A column's declaration.
#[derive(Debug)]
pub struct ColumnDef {
    /// The header name.
    pub name: &'static str,
    /// What the column means.
    pub doc: &'static str,
    /// What a cell holds, e.g. "a decimal number such as 2.9 or 142".
    pub expected: &'static str,
    /// Whether an empty cell is an error.
    pub required: bool,
    /// What kind of value a cell holds, for descriptions of the table in other terms (the
    /// data package's Table Schema).
    pub kind: Kind,
}

/// Why a cell did not become a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellFault {
    /// The column requires a value and the cell is empty.
    Missing,
    /// The text is not a value of the column's type.
    Invalid(CellError),
}

/// Options print as their value, or as an empty cell.
#[derive(Debug)]
pub struct OptionCell<'r, T>(pub &'r Option<T>);

impl<T: fmt::Display> fmt::Display for OptionCell<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(value) => value.fmt(f),
            None => Ok(()),
        }
    }
}

/// Wraps a field for display: the identity for plain values, [`OptionCell`] for options.
pub trait AsCell {
    /// The displayable view.
    type View<'r>: fmt::Display
    where
        Self: 'r;
    /// Borrows the view.
    fn as_cell(&self) -> Self::View<'_>;
}

impl<T: fmt::Display> AsCell for Option<T> {
    type View<'r>
        = OptionCell<'r, T>
    where
        T: 'r;
    fn as_cell(&self) -> OptionCell<'_, T> {
        OptionCell(self)
    }
}

macro_rules! plain_cell {
    ($($ty:ty),*) => {$(
        impl AsCell for $ty {
            type View<'r> = &'r $ty;
            fn as_cell(&self) -> &$ty {
                self
            }
        }
    )*};
}
plain_cell!(
    crate::CountryCode,
    crate::Iso3Code,
    crate::Year,
    crate::Flow,
    crate::Unit,
    crate::Qualifier,
    crate::RelationKind,
    crate::Basis,
    crate::Answer,
    crate::Decimal,
    crate::PartialDate,
    crate::Period,
    bool,
    u16,
    i64
);

impl<'t> AsCell for crate::Text<'t> {
    type View<'r>
        = &'r str
    where
        't: 'r;
    fn as_cell(&self) -> &str {
        self
    }
}
