//! The tables of the dataset, declared once: file names, columns, keys, record types.
//!
//! [`tables!`] turns each declaration into a record struct (with `serde` and `validator`
//! derives), an implementation of [`Record`], and a [`TableDef`] that ingest, the rules and
//! the data dictionary all read. Adding a column is one line here.

use std::borrow::Cow;
use std::fmt;
use std::hash::Hash;

use crate::value::CellError;

/// Identifies a table of the dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(into = "&'static str")]
pub enum TableId {
    /// `countries.csv`
    Countries,
    /// `sources.csv`
    Sources,
    /// `relations.csv`
    Relations,
    /// `visits.csv`
    Visits,
    /// `visit_participants.csv`
    VisitParticipants,
    /// `trade.csv`
    Trade,
    /// `trade_commodities.csv`
    TradeCommodities,
    /// `residents.csv`
    Residents,
    /// `exceptions.csv`
    Exceptions,
}

impl From<TableId> for &'static str {
    fn from(id: TableId) -> &'static str {
        id.file()
    }
}

/// A table's declaration.
#[derive(Debug)]
pub struct TableDef {
    /// Which table.
    pub id: TableId,
    /// Its file name inside the data folder.
    pub file: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// Its columns, in the order the header should list them.
    pub columns: &'static [ColumnDef],
    /// The columns whose values together identify a row.
    pub key: &'static [&'static str],
}

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
}

impl TableDef {
    /// The index of a column by header name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

impl TableId {
    /// The declaration of this table.
    pub fn def(self) -> &'static TableDef {
        crate::records::table_def(self)
    }

    /// The file name inside the data folder, e.g. `visits.csv`.
    pub fn file(self) -> &'static str {
        self.def().file
    }

    /// The table whose file name is `file`.
    pub fn from_file(file: &str) -> Option<TableId> {
        TableId::ALL.iter().copied().find(|t| t.file() == file)
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file())
    }
}

/// Why a cell did not become a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellFault {
    /// The column requires a value and the cell is empty.
    Missing,
    /// The text is not a value of the column's type.
    Invalid(CellError),
}

/// A row of a table, typed.
pub trait Record<'a>: Sized + Send + Sync + validator::Validate {
    /// The table the record belongs to.
    const TABLE: TableId;

    /// The table's columns, in declaration order.
    const COLUMNS: &'static [ColumnDef];

    /// Builds a record from the text of its cells. `cell(i)` returns column `i` of
    /// [`Record::TABLE`]'s declaration. Every faulty cell is reported, not only the first;
    /// the record is `None` when any cell is faulty.
    fn from_cells(cell: impl FnMut(usize) -> Cow<'a, str>, faults: &mut Vec<(usize, CellFault)>) -> Option<Self>;

    /// The row's primary key, for indexes.
    fn key(&self) -> impl Hash + Eq + Send + Sync + '_;

    /// The row's primary key as text: key values joined by `/`, e.g. `NO/JP/2011/export`.
    fn key_text(&self) -> String;

    /// The text of a column as it would be written, e.g. for comparing with an exception.
    fn cell_text(&self, column: usize) -> String;
}

/// Formats a cell for [`Record::cell_text`]: empty for `None`.
pub trait CellText {
    /// The text a cell holding this value shows.
    fn cell_text(&self) -> String;
}

impl<T: fmt::Display> CellText for T {
    fn cell_text(&self) -> String {
        self.to_string()
    }
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

impl<'t> AsCell for Cow<'t, str> {
    type View<'r>
        = &'r str
    where
        't: 'r;
    fn as_cell(&self) -> &str {
        self
    }
}

/// Declares the tables. See the module documentation.
macro_rules! tables {
    ($(
        $(#[doc = $tdoc:literal])*
        $(#[validate($($tv:tt)*)])*
        $variant:ident => $name:ident<$lt:lifetime> in $file:literal key($($key:ident),+) {
            $(
                $(#[doc = $cdoc:literal])*
                $(#[validate($($fv:tt)*)])*
                $field:ident : $ty:ty,
            )+
        }
    )+) => {
        $(
            $(#[doc = $tdoc])*
            #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, validator::Validate)]
            $(#[validate($($tv)*)])*
            pub struct $name<$lt> {
                $(
                    $(#[doc = $cdoc])*
                    $(#[validate($($fv)*)])*
                    pub $field: $ty,
                )+
            }

            impl<$lt> $crate::schema::Record<$lt> for $name<$lt> {
                const TABLE: TableId = TableId::$variant;

                const COLUMNS: &'static [$crate::schema::ColumnDef] = &[$(
                    $crate::schema::ColumnDef {
                        name: stringify!($field),
                        doc: concat!($($cdoc),*),
                        expected: <$ty as $crate::FromCell<$lt>>::EXPECTED,
                        required: <$ty as $crate::FromCell<$lt>>::REQUIRED,
                    },
                )+];

                #[allow(unused_assignments)]
                fn from_cells(
                    mut cell: impl FnMut(usize) -> std::borrow::Cow<$lt, str>,
                    faults: &mut Vec<(usize, $crate::schema::CellFault)>,
                ) -> Option<Self> {
                    let mut index = 0;
                    let mut ok = true;
                    $(
                        let $field = {
                            let text = cell(index);
                            let parsed = if text.is_empty() && <$ty as $crate::FromCell<$lt>>::REQUIRED {
                                Err($crate::schema::CellFault::Missing)
                            } else {
                                <$ty as $crate::FromCell<$lt>>::from_optional_cell(text).map_err($crate::schema::CellFault::Invalid)
                            };
                            let value = match parsed {
                                Ok(value) => Some(value),
                                Err(fault) => {
                                    faults.push((index, fault));
                                    ok = false;
                                    None
                                }
                            };
                            index += 1;
                            value
                        };
                    )+
                    if !ok {
                        return None;
                    }
                    Some($name { $($field: $field?,)+ })
                }

                fn key(&self) -> impl std::hash::Hash + Eq + Send + Sync + '_ {
                    ($(&self.$key,)+)
                }

                fn key_text(&self) -> String {
                    let parts: Vec<String> = vec![$($crate::schema::AsCell::as_cell(&self.$key).to_string()),+];
                    parts.join("/")
                }

                #[allow(unused_assignments)]
                fn cell_text(&self, column: usize) -> String {
                    let mut index = 0;
                    $(
                        if index == column {
                            return $crate::schema::AsCell::as_cell(&self.$field).to_string();
                        }
                        index += 1;
                    )+
                    String::new()
                }
            }
        )+

        impl TableId {
            /// Every table, in the order they are read and reported.
            pub const ALL: &'static [TableId] = &[$(TableId::$variant),+];
        }

        /// The declaration of a table.
        pub(crate) fn table_def(id: TableId) -> &'static $crate::schema::TableDef {
            match id {
                $(TableId::$variant => {
                    static DEF: $crate::schema::TableDef = $crate::schema::TableDef {
                        id: TableId::$variant,
                        file: $file,
                        doc: concat!($($tdoc, "\n"),*),
                        columns: <$name<'static> as $crate::schema::Record<'static>>::COLUMNS,
                        key: &[$(stringify!($key)),+],
                    };
                    &DEF
                })+
            }
        }
    };
}

pub(crate) use tables;
