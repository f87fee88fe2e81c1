//! The tables of the dataset, declared once: file names, columns, keys, record types.
//!
//! `tables!` turns each declaration below into a record struct (with `serde` and `validator`
//! derives), an implementation of [`Record`], a [`TableDef`] that ingest, the rules and the
//! data dictionary all read, the [`TableId`] enum, and `model::for_each_table!`, which other
//! crates use to generate per-table code. Adding a column is one line here; adding a table is
//! one declaration here plus its rules.

use validator::ValidationError;

use std::borrow::Cow;
use std::hash::Hash;

use crate::schema::{CellFault, ColumnDef};
use crate::value::{
    Answer, Basis, CountryCode, Decimal, Flow, Iso3Code, PartialDate, Period, Qualifier, RelationKind, Text, Unit, Year,
};

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
    /// The table's references to the keys of other tables. The rule `key/reference` checks
    /// them and the data package declares them; a test keeps the two in agreement.
    pub foreign_keys: &'static [ForeignKey],
}

impl TableDef {
    /// The index of a column by header name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// A reference from some columns of a table to the key columns of another: every row's values
/// in `columns` (when none is empty) are the values of `target_columns` in some row of `target`.
#[derive(Debug)]
pub struct ForeignKey {
    /// The referring columns.
    pub columns: &'static [&'static str],
    /// The table referred to.
    pub target: TableId,
    /// The columns of `target` referred to, in the order of `columns`.
    pub target_columns: &'static [&'static str],
}

/// A row of a table, typed.
pub trait Record<'a>: Sized + Send + Sync + PartialEq + serde::Serialize + validator::Validate {
    /// The table the record belongs to.
    const TABLE: TableId;

    /// The table's columns, in declaration order.
    const COLUMNS: &'static [ColumnDef];

    /// Builds a record from the text of its cells. `cell(i)` returns column `i` of
    /// [`Record::TABLE`]'s declaration; it may be asked for a cell more than once (a row with
    /// a faulty cell is read again), and must give the same text each time. Every faulty cell
    /// is reported, not only the first; the record is `None` when any cell is faulty.
    #[inline]
    fn from_cells(cell: impl FnMut(usize) -> Cow<'a, str>, faults: &mut Vec<(usize, CellFault)>) -> Option<Self> {
        let mut record = None;
        Self::read_cells_into(&mut CellTexts(cell), faults, |read| record = Some(read));
        record
    }

    /// [`Record::from_cells`] from `cells`, which may also give a cell's bytes as written, so
    /// that the usual cell is typed without making a `str` of it ([`FromCell::from_plain`]).
    /// The record and the faults are those of [`Record::from_cells`] on the cells' texts. The
    /// record is handed to `keep` rather than returned: a table's parse, whose `keep` pushes it
    /// to the rows, measured faster so, the row being assembled and copied once, to its place.
    /// `false` when a cell is faulty, and `keep` is not called.
    ///
    /// [`FromCell::from_plain`]: crate::FromCell::from_plain
    fn read_cells_into(
        cells: &mut impl Cells<'a>,
        faults: &mut Vec<(usize, CellFault)>,
        keep: impl FnOnce(Self),
    ) -> bool;

    /// The row's primary key, for indexes.
    fn key(&self) -> impl Hash + Eq + Send + Sync + '_;

    /// The row's primary key as text: key values joined by `/`, e.g. `NO/JP/2011/export`.
    fn key_text(&self) -> String;

    /// The text of a column as it would be written, e.g. for comparing with an exception.
    fn cell_text(&self, column: usize) -> String;

    /// The text of a free-text column ([`crate::Kind::Text`]), borrowed; `None` for a column
    /// of another kind, or an empty optional one.
    fn text(&self, column: usize) -> Option<&str>;
}

/// The cells of a row, as [`Record::read_cells_into`] reads them: by column of the table's
/// declaration. A cell may be asked for more than once (a row with a faulty cell is read
/// again, to note every fault), and must give the same answer each time.
pub trait Cells<'a> {
    /// The text of column `column`'s cell, unquoted; empty when the row has no such cell.
    fn text(&mut self, column: usize) -> Cow<'a, str>;

    /// The bytes of column `column`'s cell when they are its text as written (nothing to
    /// unquote), for [`FromCell::from_plain`]; `None` otherwise, and then [`Cells::text`] is
    /// asked. Only a fast path: `None` is always right.
    ///
    /// [`FromCell::from_plain`]: crate::FromCell::from_plain
    #[inline]
    fn plain(&mut self, column: usize) -> Option<&'a [u8]> {
        let _ = column;
        None
    }
}

/// The value of column `column`'s cell: typed from its bytes when they are its text as
/// written ([`Cells::plain`]), else from its text; a required cell that is empty is missing.
#[inline(always)]
fn read_cell<'a, T: crate::FromCell<'a>>(cells: &mut impl Cells<'a>, column: usize) -> Result<T, CellFault> {
    if let Some(value) = cells.plain(column).and_then(T::from_plain) {
        return Ok(value);
    }
    let text = cells.text(column);
    if text.is_empty() && T::REQUIRED {
        Err(CellFault::Missing)
    } else {
        T::from_optional_cell(text).map_err(CellFault::Invalid)
    }
}

/// [`read_cell`] for a row known to have a faulty cell: out of line, so that the typing of the
/// usual row does not carry a second inlined copy of the cells' parsers.
#[cold]
#[inline(never)]
fn read_faulty_cell<'a, T: crate::FromCell<'a>>(cells: &mut impl Cells<'a>, column: usize) -> Result<T, CellFault> {
    read_cell(cells, column)
}

/// Cells given by a function returning their text.
struct CellTexts<F>(F);

impl<'a, F: FnMut(usize) -> Cow<'a, str>> Cells<'a> for CellTexts<F> {
    #[inline(always)]
    fn text(&mut self, column: usize) -> Cow<'a, str> {
        (self.0)(column)
    }
}

/// Declares the tables. See the module documentation.
macro_rules! tables {
    ($(
        $(#[doc = $tdoc:literal])*
        $(#[validate($($tv:tt)*)])*
        $variant:ident => $name:ident<$lt:lifetime> in $file:literal as $table_field:ident key($($key:ident),+)
        $(references $(($($fk:ident),+) -> $target:ident($($target_key:ident),+)),+)?
        {
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

            impl<$lt> $crate::records::Record<$lt> for $name<$lt> {
                const TABLE: TableId = TableId::$variant;

                const COLUMNS: &'static [$crate::schema::ColumnDef] = &[$(
                    $crate::schema::ColumnDef {
                        name: stringify!($field),
                        doc: concat!($($cdoc),*),
                        expected: <$ty as $crate::FromCell<$lt>>::EXPECTED,
                        required: <$ty as $crate::FromCell<$lt>>::REQUIRED,
                        kind: <$ty as $crate::FromCell<$lt>>::KIND,
                    },
                )+];

                // Kept out of its caller: inlined into the parse loop, it was measured slower
                // (more instructions in all), and whether the compiler inlines it changed with
                // unrelated code elsewhere.
                #[inline(never)]
                #[allow(unused_assignments)]
                fn read_cells_into(
                    cells: &mut impl $crate::records::Cells<$lt>,
                    faults: &mut Vec<(usize, $crate::schema::CellFault)>,
                    keep: impl FnOnce(Self),
                ) -> bool {
                    // The usual row: its cells read in turn and the record made of them, with no
                    // `Option` kept for each. A row with a faulty cell is read again, cell by
                    // cell, to note every fault.
                    let mut column = 0;
                    let record = (|| {
                        Some($name {$(
                            $field: {
                                let value = $crate::records::read_cell::<$ty>(cells, column).ok()?;
                                column += 1;
                                value
                            },
                        )+})
                    })();
                    if let Some(record) = record {
                        keep(record);
                        return true;
                    }
                    let mut column = 0;
                    $(
                        if let Err(fault) = $crate::records::read_faulty_cell::<$ty>(cells, column) {
                            faults.push((column, fault));
                        }
                        column += 1;
                    )+
                    false
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

                #[allow(unused_assignments)]
                fn text(&self, column: usize) -> Option<&str> {
                    let mut index = 0;
                    $(
                        if index == column {
                            return <$ty as $crate::FromCell<$lt>>::as_text(&self.$field);
                        }
                        index += 1;
                    )+
                    None
                }
            }
        )+

        /// Identifies a table of the dataset.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(into = "&'static str")]
        pub enum TableId {
            $(
                #[doc = concat!("`", $file, "`")]
                $variant,
            )+
        }

        impl TableId {
            /// Every table, in the order they are read and reported.
            pub const ALL: &'static [TableId] = &[$(TableId::$variant),+];

            /// The declaration of this table.
            pub fn def(self) -> &'static $crate::records::TableDef {
                table_def(self)
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

        impl From<TableId> for &'static str {
            fn from(id: TableId) -> &'static str {
                id.file()
            }
        }

        impl std::fmt::Display for TableId {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.file())
            }
        }

        /// Calls the macro `$callback` with the list of tables, one `field: Record = Variant,`
        /// entry each, so that other crates generate per-table code (a dataset's fields, a
        /// loop over every table) from this one declaration.
        #[macro_export]
        macro_rules! for_each_table {
            ($callback:ident) => {
                $callback! { $($table_field: $name = $variant,)+ }
            };
        }

        /// The declaration of a table.
        fn table_def(id: TableId) -> &'static $crate::records::TableDef {
            match id {
                $(TableId::$variant => {
                    static DEF: $crate::records::TableDef = $crate::records::TableDef {
                        id: TableId::$variant,
                        file: $file,
                        doc: concat!($($tdoc, "\n"),*),
                        columns: <$name<'static> as $crate::records::Record<'static>>::COLUMNS,
                        key: &[$(stringify!($key)),+],
                        foreign_keys: &[$($(ForeignKey {
                            columns: &[$(stringify!($fk)),+],
                            target: TableId::$target,
                            target_columns: &[$(stringify!($target_key)),+],
                        }),+)?],
                    };
                    &DEF
                })+
            }
        }
    };
}

tables! {
    /// A country that any table names.
    Countries => Country<'a> in "countries.csv" as countries key(code) {
        /// ISO 3166-1 alpha-2 code, upper case.
        code: CountryCode,
        /// ISO 3166-1 alpha-3 code, upper case.
        iso3: Iso3Code,
        /// English short name.
        #[validate(length(min = 1, max = 100), custom(function = "trimmed"))]
        name_en: Text<'a>,
        /// Norwegian (Bokmål) short name.
        #[validate(length(min = 1, max = 100), custom(function = "trimmed"))]
        name_nb: Text<'a>,
    }

    /// A page or document that rows cite.
    Sources => Source<'a> in "sources.csv" as sources key(id) {
        /// Short identifier that other tables cite, e.g. `no-jp-2015`.
        #[validate(custom(function = "identifier"))]
        id: Text<'a>,
        /// The title as the source gives it.
        #[validate(length(min = 1, max = 300), custom(function = "trimmed"))]
        title: Text<'a>,
        /// Who publishes the source.
        #[validate(length(min = 1, max = 200), custom(function = "trimmed"))]
        publisher: Text<'a>,
        /// The source's language as a BCP 47 tag, e.g. `nb`.
        #[validate(custom(function = "language_tag"))]
        language: Text<'a>,
        /// The date the source says it was last updated; empty where it gives none.
        last_updated: Option<PartialDate>,
        /// The year of the source's copyright notice; empty where it gives none.
        copyright_year: Option<Year>,
        /// The address of the source, where known.
        #[validate(custom(function = "web_address"))]
        url: Option<Text<'a>>,
        /// How a reviewer finds the source again: site, section, title.
        #[validate(length(max = 500))]
        locator: Option<Text<'a>>,
    }

    /// A bilateral fact between Norway and a partner country, dated or not.
    #[validate(schema(function = "relation_is_coherent"))]
    Relations => Relation<'a> in "relations.csv" as relations key(id)
        references (country) -> Countries(code), (third_country) -> Countries(code), (source) -> Sources(id)
    {
        /// Short identifier, e.g. `kh-rel-1`.
        #[validate(custom(function = "identifier"))]
        id: Text<'a>,
        /// The partner country.
        country: CountryCode,
        /// What kind of fact this is.
        kind: RelationKind,
        /// When it began or happened; empty where the source gives no date.
        start: Option<PartialDate>,
        /// Whether the source states `start` or only implies it; empty exactly when `start` is.
        start_basis: Option<Basis>,
        /// When it ended; empty while it lasts or where the source gives no date.
        end: Option<PartialDate>,
        /// The city, as the source writes it.
        #[validate(length(min = 1, max = 100), custom(function = "trimmed"))]
        place: Option<Text<'a>>,
        /// A third country involved, e.g. the country whose embassy represents Norway.
        third_country: Option<CountryCode>,
        /// Our own short description in English.
        #[validate(length(min = 1, max = 500), custom(function = "trimmed"))]
        detail: Text<'a>,
        /// The source's `id`.
        source: Text<'a>,
    }

    /// A visit: who travelled where, and when.
    #[validate(schema(function = "visit_is_coherent"))]
    Visits => Visit<'a> in "visits.csv" as visits key(id)
        references (host) -> Countries(code), (guest) -> Countries(code), (source) -> Sources(id)
    {
        /// Short identifier, e.g. `jpno-1997-1`.
        #[validate(custom(function = "identifier"))]
        id: Text<'a>,
        /// The country visited.
        host: CountryCode,
        /// The visitors' country.
        guest: CountryCode,
        /// When, at the precision the source gives.
        date: Period,
        /// The city, where the source names it.
        #[validate(length(min = 1, max = 100), custom(function = "trimmed"))]
        place: Option<Text<'a>>,
        /// What the visit was for, in our own short English words.
        #[validate(length(min = 1, max = 300), custom(function = "trimmed"))]
        occasion: Option<Text<'a>>,
        /// Whether the source calls the visitors state guests; `not_stated` where it says nothing either way.
        state_visit: Answer,
        /// The source's `id`.
        source: Text<'a>,
    }

    /// A person, delegation or committee taking part in a visit.
    #[validate(schema(function = "participant_is_named"))]
    VisitParticipants => VisitParticipant<'a> in "visit_participants.csv" as visit_participants key(visit, seq)
        references (visit) -> Visits(id)
    {
        /// The visit's `id`.
        visit: Text<'a>,
        /// Order within the visit, from 1, as the source lists them.
        #[validate(range(min = 1))]
        seq: u16,
        /// Title or office as the source writes it, e.g. `statsminister`.
        #[validate(length(min = 1, max = 200), custom(function = "trimmed"))]
        title: Option<Text<'a>>,
        /// Name as the source writes it, e.g. `Bondevik`.
        #[validate(length(min = 1, max = 200), custom(function = "trimmed"))]
        name: Option<Text<'a>>,
        /// What the source says about this participant's role, as written.
        #[validate(length(min = 1, max = 300), custom(function = "trimmed"))]
        note: Option<Text<'a>>,
    }

    /// A trade total: one reporter's exports to or imports from one partner in one year.
    #[validate(schema(function = "trade_is_coherent"))]
    Trade => TradeTotal<'a> in "trade.csv" as trade key(reporter, partner, year, flow)
        references (reporter) -> Countries(code), (partner) -> Countries(code), (source) -> Sources(id)
    {
        /// The country whose statistics the figure comes from.
        reporter: CountryCode,
        /// The other country.
        partner: CountryCode,
        /// The calendar year.
        year: Year,
        /// `export` or `import`, seen from the reporter.
        flow: Flow,
        /// The figure as written; empty only with the qualifier `near_zero`.
        #[validate(custom(function = "not_negative"))]
        value: Option<Decimal>,
        /// The unit of `value`; empty exactly when `value` is.
        unit: Option<Unit>,
        /// How exactly the source states the figure.
        qualifier: Qualifier,
        /// The flow's share of the reporter's total flow of that kind, in percent.
        #[validate(custom(function = "percentage"))]
        share_of_reporter_total_pct: Option<Decimal>,
        /// The source's `id`.
        source: Text<'a>,
    }

    /// A commodity line of a trade total, e.g. the largest exports.
    #[validate(schema(function = "commodity_is_coherent"))]
    TradeCommodities => TradeCommodity<'a> in "trade_commodities.csv" as trade_commodities key(reporter, partner, year, flow, rank)
        references (reporter) -> Countries(code), (partner) -> Countries(code),
            (reporter, partner, year, flow) -> Trade(reporter, partner, year, flow), (source) -> Sources(id)
    {
        /// The country whose statistics the figure comes from.
        reporter: CountryCode,
        /// The other country.
        partner: CountryCode,
        /// The calendar year.
        year: Year,
        /// `export` or `import`, seen from the reporter.
        flow: Flow,
        /// Position in the source's list, from 1.
        #[validate(range(min = 1))]
        rank: u16,
        /// The goods, as the source names them.
        #[validate(length(min = 1, max = 200), custom(function = "trimmed"))]
        commodity: Text<'a>,
        /// The figure as written; empty where the source names the goods without one.
        #[validate(custom(function = "not_negative"))]
        value: Option<Decimal>,
        /// The unit of `value`; empty exactly when `value` is.
        unit: Option<Unit>,
        /// The line's share of the flow's total, in percent.
        #[validate(custom(function = "percentage"))]
        share_pct: Option<Decimal>,
        /// The source's `id`.
        source: Text<'a>,
    }

    /// How many citizens of one country lived in another in a year.
    Residents => Resident<'a> in "residents.csv" as residents key(country, citizenship, year)
        references (country) -> Countries(code), (citizenship) -> Countries(code), (source) -> Sources(id)
    {
        /// The country of residence.
        country: CountryCode,
        /// The residents' citizenship.
        citizenship: CountryCode,
        /// The calendar year.
        year: Year,
        /// The number of persons.
        #[validate(range(min = 0))]
        count: i64,
        /// The source's `id`.
        source: Text<'a>,
    }

    /// A finding the dataset acknowledges: a source's own inconsistency, kept as written.
    Exceptions => Exception<'a> in "exceptions.csv" as exceptions key(rule, file, key, column) {
        /// The rule's id, e.g. `trade/commodity-share`.
        #[validate(length(min = 1, max = 100))]
        rule: Text<'a>,
        /// The table's file name, e.g. `trade_commodities.csv`.
        #[validate(length(min = 1, max = 100))]
        file: Text<'a>,
        /// The row's key values joined by `/`, e.g. `NO/JP/2011/export/2`.
        #[validate(length(min = 1, max = 300))]
        key: Text<'a>,
        /// The column of the finding's cell.
        #[validate(length(min = 1, max = 100))]
        column: Text<'a>,
        /// The cell's value when the exception was written; the exception lapses when it changes.
        value: Option<Text<'a>>,
        /// Why the finding is not an error of the dataset.
        #[validate(length(min = 10, max = 1000))]
        reason: Text<'a>,
    }
}

/// A field that may be optional: the custom checks below run on its value when there is one.
///
/// `validator`'s derive cannot see that a field declared through `tables!` is an `Option`, so
/// the checks accept both forms.
trait Field {
    type Value: ?Sized;
    fn value(&self) -> Option<&Self::Value>;
}

impl Field for Text<'_> {
    type Value = str;
    fn value(&self) -> Option<&str> {
        Some(self)
    }
}

impl Field for Option<Text<'_>> {
    type Value = str;
    fn value(&self) -> Option<&str> {
        self.as_deref()
    }
}

impl Field for Decimal {
    type Value = Decimal;
    fn value(&self) -> Option<&Decimal> {
        Some(self)
    }
}

impl Field for Option<Decimal> {
    type Value = Decimal;
    fn value(&self) -> Option<&Decimal> {
        self.as_ref()
    }
}

fn invalid(code: &'static str, message: String) -> ValidationError {
    ValidationError::new(code).with_message(message.into())
}

/// Names a column in a struct-level error, so that it can point at a cell.
fn at_column(error: ValidationError, column: &'static str) -> ValidationError {
    let mut error = error;
    error.add_param("column".into(), &column);
    error
}

// Inlined, so that the usual cell is passed without a `Result` being built and returned: this
// runs for a text cell of every row.
#[inline(always)]
fn trimmed(field: &impl Field<Value = str>) -> Result<(), ValidationError> {
    match field.value() {
        Some(text) if !ends_cannot_be_trimmed(text) || has_control_byte(text.as_bytes()) => untrimmed(text),
        _ => Ok(()),
    }
}

/// [`trimmed`] of a cell that may fail it.
#[cold]
fn untrimmed(text: &str) -> Result<(), ValidationError> {
    if text.trim() != text {
        return Err(invalid("padded", "leading or trailing spaces".to_owned()));
    }
    if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_some() {
        return Err(invalid("multiline", "a line break inside the cell".to_owned()));
    }
    Ok(())
}

/// Whether `bytes` has a byte below 0x20 (an ASCII control character but DEL). Eight bytes at
/// a time: a byte `b` below 0x20 is one where `b - 0x20` borrows while `b` has its top bit
/// clear; a borrow can only mark a byte after one that is itself below 0x20, so the test
/// has no false positive.
fn has_control_byte(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let has = |word: &[u8]| {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0xff; 8]));
        word.wrapping_sub(0x20 * ONES) & !word & HIGHS != 0
    };
    let mut words = bytes.chunks_exact(8);
    // A text of eight bytes or more ends with its last eight bytes as one more word, which may
    // overlap the one before: the test says whether there is such a byte, not where.
    match bytes.len().checked_sub(8) {
        Some(last) => words.any(has) || has(&bytes[last..]),
        None => bytes.iter().any(|&b| b < 0x20),
    }
}

/// Whether `text` starts and ends with an ASCII character that is not white space (as
/// `char::is_whitespace` has it: tab, line feed, vertical tab, form feed, carriage return and
/// space), so that `str::trim` leaves it as it is; `false` says nothing.
fn ends_cannot_be_trimmed(text: &str) -> bool {
    let solid = |b: &u8| b.is_ascii() && !matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    text.as_bytes().first().is_some_and(solid) && text.as_bytes().last().is_some_and(solid)
}

fn identifier(field: &impl Field<Value = str>) -> Result<(), ValidationError> {
    let Some(text) = field.value() else {
        return Ok(());
    };
    let ok = !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(invalid("identifier", "an id is lower-case letters, digits and inner hyphens, at most 64".to_owned()))
    }
}

fn language_tag(field: &impl Field<Value = str>) -> Result<(), ValidationError> {
    let Some(text) = field.value() else {
        return Ok(());
    };
    // A BCP 47 language tag: a 2–3 letter primary language, then subtags of 1–8 letters or digits.
    let mut parts = text.split('-');
    let primary_ok =
        parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    let rest_ok = parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok {
        Ok(())
    } else {
        Err(invalid("language_tag", "not a BCP 47 language tag such as `nb` or `en-GB`".to_owned()))
    }
}

fn web_address(field: &impl Field<Value = str>) -> Result<(), ValidationError> {
    let Some(text) = field.value() else {
        return Ok(());
    };
    let ok = (text.starts_with("https://") || text.starts_with("http://")) && !text.contains(char::is_whitespace);
    if ok { Ok(()) } else { Err(invalid("web_address", "not an http(s) address".to_owned())) }
}

// Inlined, with the usual figure decided on its digits alone: this runs for every row.
#[inline(always)]
fn not_negative(field: &impl Field<Value = Decimal>) -> Result<(), ValidationError> {
    match field.value() {
        Some(value) if value.is_negative() => negative(*value),
        _ => Ok(()),
    }
}

/// The failure of [`not_negative`].
#[cold]
fn negative(value: Decimal) -> Result<(), ValidationError> {
    Err(invalid("negative", format!("{value} is negative; trade figures are not")))
}

#[inline(always)]
fn percentage(field: &impl Field<Value = Decimal>) -> Result<(), ValidationError> {
    match field.value() {
        // Digits from 0 to 100, whatever the scale, are a value from 0 to 100.
        Some(value) if !(0..=100).contains(&value.units()) => outside_percentage(*value),
        _ => Ok(()),
    }
}

/// [`percentage`] of a figure that may fail it.
#[cold]
fn outside_percentage(value: Decimal) -> Result<(), ValidationError> {
    if value.is_negative() || value.cmp_value(Decimal::new(100, 0)).is_gt() {
        Err(invalid("percentage", format!("{value} % is outside 0–100")))
    } else {
        Ok(())
    }
}

fn relation_is_coherent(row: &Relation<'_>) -> Result<(), ValidationError> {
    if row.third_country == Some(row.country) {
        return Err(at_column(
            invalid(
                "third_country",
                "`third_country` is the partner itself: name another country involved, or leave it empty".to_owned(),
            ),
            "third_country",
        ));
    }
    match (row.start, row.start_basis) {
        (Some(_), None) => Err(at_column(
            invalid(
                "basis_missing",
                "a start date without its basis: write `stated`, or `derived` where the source only implies the date"
                    .to_owned(),
            ),
            "start_basis",
        )),
        (None, Some(_)) => Err(at_column(
            invalid("basis_without_date", "a basis without a start date: leave `start_basis` empty".to_owned()),
            "start_basis",
        )),
        _ => Ok(()),
    }
}

fn visit_is_coherent(row: &Visit<'_>) -> Result<(), ValidationError> {
    if row.host == row.guest {
        return Err(at_column(
            invalid(
                "host_is_guest",
                format!(
                    "`host` and `guest` are both {}, but a visit goes from one country to another: `host` is the \
                     country visited and `guest` the visitors' country (a Norwegian minister in Japan is host JP, \
                     guest NO)",
                    row.host
                ),
            ),
            "guest",
        ));
    }
    Ok(())
}

fn participant_is_named(row: &VisitParticipant<'_>) -> Result<(), ValidationError> {
    if row.title.is_none() && row.name.is_none() {
        return Err(at_column(
            invalid(
                "unnamed",
                "`title` and `name` are both empty: write the title or the name, or both, as the source gives them"
                    .to_owned(),
            ),
            "title",
        ));
    }
    Ok(())
}

// Inlined, so that a row whose figure and unit agree passes without a `Result` being built
// and returned: this runs for every trade and commodity row.
#[inline(always)]
fn figure_matches_unit(value: Option<Decimal>, unit: Option<crate::Unit>) -> Result<(), ValidationError> {
    if value.is_some() == unit.is_some() { Ok(()) } else { figure_without_unit(value.is_some()) }
}

/// The failure of [`figure_matches_unit`]: a figure without its unit, or a unit without a figure.
#[cold]
fn figure_without_unit(has_figure: bool) -> Result<(), ValidationError> {
    let error = if has_figure {
        invalid(
            "unit_missing",
            "`value` has a figure but `unit` is empty: write the unit the source gives the figure in, `NOK`, \
             `NOK million` or `NOK billion`"
                .to_owned(),
        )
    } else {
        invalid(
            "unit_without_value",
            "`unit` is given but `value` is empty: write the figure in `value`, or leave `unit` empty where the \
             source gives no figure"
                .to_owned(),
        )
    };
    Err(at_column(error, "unit"))
}

/// A trade row whose reporter is also its partner.
fn self_trade(reporter: CountryCode) -> ValidationError {
    let message = format!(
        "`reporter` and `partner` are both {reporter}, but trade is between two countries: `partner` is the other \
         country"
    );
    at_column(invalid("self_trade", message), "partner")
}

fn trade_is_coherent(row: &TradeTotal<'_>) -> Result<(), ValidationError> {
    if row.reporter == row.partner {
        return Err(self_trade(row.reporter));
    }
    match (row.value, row.qualifier) {
        (None, Qualifier::Exact | Qualifier::Approximately) => {
            return Err(at_column(
                invalid(
                    "value_missing",
                    format!(
                        "no figure, yet the qualifier is `{}`; a figure given only in words is `near_zero`",
                        row.qualifier
                    ),
                ),
                "value",
            ));
        }
        (Some(_), Qualifier::NearZero) => {
            return Err(at_column(invalid("near_zero_with_value", "`near_zero` is for figures the source gives only in words; leave value empty or use `approximately`".to_owned()), "qualifier"));
        }
        _ => {}
    }
    if row.value.is_none() && row.share_of_reporter_total_pct.is_some() {
        return Err(at_column(
            invalid(
                "share_without_value",
                "a share is given but `value` is empty: write the figure the share belongs to, or leave the \
                 share empty"
                    .to_owned(),
            ),
            "share_of_reporter_total_pct",
        ));
    }
    figure_matches_unit(row.value, row.unit)
}

fn commodity_is_coherent(row: &TradeCommodity<'_>) -> Result<(), ValidationError> {
    if row.reporter == row.partner {
        return Err(self_trade(row.reporter));
    }
    figure_matches_unit(row.value, row.unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_are_found_wherever_they_are() {
        assert!(!has_control_byte(b""));
        // Every length to past two words, each place holding each byte from a set at the
        // edges (below, at and above 0x20, DEL, high bytes), the rest filler: against the
        // definition.
        for filler in [b'a', b' ', 0x80, 0xff, 0x21] {
            for len in 0..=20 {
                for at in 0..len {
                    for byte in [0x00, 0x01, 0x0a, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xa0, 0xff] {
                        let mut bytes = vec![filler; len];
                        bytes[at] = byte;
                        let expected = bytes.iter().any(|&b| b < 0x20);
                        assert_eq!(has_control_byte(&bytes), expected, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn padding_is_found_at_either_end_whatever_the_space() {
        let padded = |text: &str| trimmed(&Text::from(text)).err().map(|e| e.code.to_string());
        for text in ["Fisk", "a", "Sjømat", "ø", "a b", "\u{1f}x\u{1f}", "x\u{85}y", "\"quoted\""] {
            assert_eq!(padded(text), None, "{text:?}");
        }
        for text in [
            " Fisk",
            "Fisk ",
            "\tFisk",
            "Fisk\u{b}",
            "\u{c}Fisk",
            " ",
            "\u{a0}Fisk",
            "Fisk\u{a0}",
            "\u{85}Fisk",
            "Fisk\u{2003}",
            "\u{3000}Fisk",
            "\u{2028}",
        ] {
            assert_eq!(padded(text).as_deref(), Some("padded"), "{text:?}");
        }
        assert_eq!(padded("a\nb").as_deref(), Some("multiline"));
        assert_eq!(padded("a\rb").as_deref(), Some("multiline"));
        assert_eq!(trimmed(&None::<Text<'_>>), Ok(()));
    }

    #[test]
    fn solid_ends_are_never_trimmed() {
        // Every ASCII byte at both ends: where the quick test says the ends are solid, `trim`
        // agrees; where it says nothing, `trim` decides.
        for byte in 0u8..0x80 {
            let text = format!("{}x{}", char::from(byte), char::from(byte));
            if ends_cannot_be_trimmed(&text) {
                assert_eq!(text.trim(), text, "{byte:#x}");
            } else {
                assert_ne!(text.trim(), text, "{byte:#x}");
            }
        }
        assert!(!ends_cannot_be_trimmed(""));
        assert!(!ends_cannot_be_trimmed("ø"));
    }

    #[test]
    fn cell_texts_are_the_cells_read() {
        let mut faults = Vec::new();
        let cells = ["NO", "JP", "2011", "export", "1", "Sjømat", "2.90", "NOK billion", "", "no-jp-2015"];
        let line = TradeCommodity::from_cells(|i| Cow::Borrowed(cells[i]), &mut faults).unwrap();
        for (column, cell) in cells.iter().enumerate() {
            assert_eq!(line.cell_text(column), *cell);
        }
    }

    #[test]
    fn text_is_given_for_text_columns_only() {
        let mut faults = Vec::new();
        let cells = ["NO", "JP", "2011", "export", "1", "Sjømat", "2.90", "NOK billion", "", "no-jp-2015"];
        let line = TradeCommodity::from_cells(|i| Cow::Borrowed(cells[i]), &mut faults).unwrap();
        let texts: Vec<Option<&str>> = (0..cells.len()).map(|column| line.text(column)).collect();
        let expected = [None, None, None, None, None, Some("Sjømat"), None, None, None, Some("no-jp-2015")];
        assert_eq!(texts, expected);
        for (column, def) in TradeCommodity::COLUMNS.iter().enumerate() {
            assert_eq!(def.kind == crate::Kind::Text, texts[column].is_some(), "{}", def.name);
        }
        let source = ["s", "Title", "Pub", "nb", "", "", "", "here"];
        let source = Source::from_cells(|i| Cow::Borrowed(source[i]), &mut faults).unwrap();
        assert_eq!((source.text(6), source.text(7), source.text(8)), (None, Some("here"), None));
    }

    #[test]
    fn share_trim_and_sign_checks_decide_alike_on_either_path() {
        let share = |text: &str| percentage(&Decimal::parse(text).unwrap()).err().map(|e| e.code.to_string());
        for text in ["0", "0.0", "7", "39.5", "100", "100.0", "100.000", "0.001", "1.00"] {
            assert_eq!(share(text), None, "{text}");
        }
        for text in ["100.01", "101", "1000.0", "-0.1", "-1", "139"] {
            assert_eq!(share(text).as_deref(), Some("percentage"), "{text}");
        }
        let sign = |text: &str| not_negative(&Some(Decimal::parse(text).unwrap())).is_err();
        assert_eq!((sign("0"), sign("4.3"), sign("-0.5")), (false, false, true));
        let trim = |text: &str| trimmed(&Text::from(text)).err().map(|e| e.code.to_string());
        for text in ["Biler", "Sjømat", "Fisk, fersk", "ø", "a\tb"] {
            assert_eq!(trim(text), None, "{text:?}");
        }
        for text in [" Biler", "Biler ", "Sjømat\u{2003}", "\tx"] {
            assert_eq!(trim(text).as_deref(), Some("padded"), "{text:?}");
        }
        for text in ["a\nb", "a\r\nb", "ø\rø"] {
            assert_eq!(trim(text).as_deref(), Some("multiline"), "{text:?}");
        }
    }
}
