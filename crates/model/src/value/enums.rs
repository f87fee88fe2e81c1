//! Closed vocabularies: units, trade flows, qualifiers, relation kinds.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{CellError, pow10};

/// Declares a closed vocabulary: the enum, its cell spellings and their documentation.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident expecting $expected:literal {
            $( $(#[doc = $doc:literal])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[doc = $doc])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Every value's spelling in the CSV files, in declaration order.
            pub const SPELLINGS: &'static [&'static str] = &[$($text),*];

            /// The spelling used in the CSV files.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The documentation of a value, for the data dictionary.
            pub const fn doc(self) -> &'static str {
                match self { $($name::$variant => concat!($($doc),*),)* }
            }

            /// Parses the exact spelling; a near miss is answered with the closest one.
            ///
            /// Inlined where cells are read: a cell is almost always spelled exactly, and a
            /// near miss is looked for out of line.
            #[inline]
            pub fn parse(text: &str) -> Result<$name, CellError> {
                Self::parse_plain(text.as_bytes()).ok_or_else(|| Self::near_miss(text))
            }

            /// [`Self::parse`] of a cell's bytes, for an exact spelling; `None` for any other.
            #[inline(always)]
            pub(crate) fn parse_plain(bytes: &[u8]) -> Option<$name> {
                match bytes {
                    $(b if b == $text.as_bytes() => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// Why `text`, which is no spelling of a value, is not one: the closest spelling, if
            /// any, and the spellings allowed.
            #[cold]
            fn near_miss(text: &str) -> CellError {
                let spellings = [$($text),*];
                let err = CellError::new($expected, "not one of the allowed values");
                let folded = text.trim().to_lowercase().replace(['-', ' '], "_");
                let near = spellings
                    .iter()
                    .find(|s| s.to_lowercase().replace(['-', ' '], "_") == folded)
                    .or_else(|| crate::closest(text, spellings.iter().copied()).as_ref().and_then(|c| spellings.iter().find(|s| *s == c)));
                match near {
                    Some(near) => {
                        // Only case or separators differ: the same word, so the fix is safe.
                        let same_word = near.to_lowercase().replace(['-', ' '], "_") == folded;
                        let mut err = if same_word {
                            err.with_safe_fix("did you mean", *near)
                        } else {
                            err.with_unsafe_fix("did you mean", *near)
                        };
                        err.help = Some(format!("did you mean `{near}`? allowed: {}", spellings.join(", ")));
                        err
                    }
                    None => err.with_help(format!("allowed: {}", spellings.join(", "))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The unit a money figure is written in.
    pub enum Unit expecting "a unit: NOK, NOK million or NOK billion" {
        /// Norwegian kroner.
        Nok = "NOK",
        /// Millions of Norwegian kroner (`NOK 142 millioner`).
        NokMillion = "NOK million",
        /// Billions (10^9) of Norwegian kroner (`NOK 2,9 mrd.`).
        NokBillion = "NOK billion",
    }
}

impl Unit {
    /// The power of ten that takes a figure in this unit to kroner.
    pub const fn exponent(self) -> u8 {
        match self {
            Unit::Nok => 0,
            Unit::NokMillion => 6,
            Unit::NokBillion => 9,
        }
    }

    /// How many kroner one of this unit is.
    pub const fn kroner(self) -> i128 {
        pow10(self.exponent())
    }
}

vocabulary! {
    /// The direction of trade, seen from the reporting country.
    pub enum Flow expecting "a trade flow: export or import" {
        /// Goods leaving the reporter for the partner.
        Export = "export",
        /// Goods reaching the reporter from the partner.
        Import = "import",
    }
}

vocabulary! {
    /// How exactly a source states a figure.
    pub enum Qualifier expecting "a qualifier: exact, approximately or near_zero" {
        /// The figure as written, precise to its last written digit.
        Exact = "exact",
        /// The source says "about" or "approximately": the figure may be off by up to 10 % (at least half its last digit).
        Approximately = "approximately",
        /// The source gives no figure, only words such as "close to zero": the value cell stays empty.
        NearZero = "near_zero",
    }
}

vocabulary! {
    /// What kind of bilateral fact a row of `relations.csv` records.
    pub enum RelationKind expecting "a relation kind (see data/README.md)" {
        /// Diplomatic relations established (`start` is when).
        DiplomaticRelations = "diplomatic_relations",
        /// An honorary consulate of Norway in the partner country, or of the partner in Norway.
        HonoraryConsulate = "honorary_consulate",
        /// Who looks after Norway's consular interests in the partner country.
        ConsularRepresentation = "consular_representation",
        /// Who issues Schengen visas on Norway's behalf in the partner country.
        VisaRepresentation = "visa_representation",
        /// Where the partner's embassy accredited to Norway sits.
        EmbassyAccreditation = "embassy_accreditation",
        /// A bilateral agreement (`start` is when it was concluded).
        Agreement = "agreement",
        /// Cooperation under a multilateral convention.
        Convention = "convention",
        /// Development cooperation, its scaling down or its phase-out.
        DevelopmentCooperation = "development_cooperation",
        /// A Norwegian organisation's office in the partner country.
        OrganisationOffice = "organisation_office",
        /// A Norwegian company's presence in the partner country.
        CompanyPresence = "company_presence",
        /// A Norwegian contribution, e.g. funding of an institution.
        Contribution = "contribution",
        /// Joint work for peace and stability.
        PeaceBuilding = "peace_building",
        /// The sectors that carry economic and trade relations.
        EconomicTies = "economic_ties",
    }
}

vocabulary! {
    /// How a source gives a value that a row records.
    pub enum Basis expecting "a basis: stated or derived" {
        /// The source states the value.
        Stated = "stated",
        /// The source implies the value without stating it (a founding year worked out from a centenary); the row's `detail` gives the reasoning.
        Derived = "derived",
    }
}

vocabulary! {
    /// A source's answer to a yes-or-no question, or its silence.
    pub enum Answer expecting "true, false or not_stated" {
        /// The source says so.
        Yes = "true",
        /// The source says not, or answers it for the entries it singles out and this is not one of them.
        No = "false",
        /// The source says nothing either way.
        NotStated = "not_stated",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_spellings_and_suggests_near_misses() {
        assert_eq!(Unit::parse("NOK billion").unwrap(), Unit::NokBillion);
        assert_eq!(Flow::parse("import").unwrap(), Flow::Import);
        let err = Unit::parse("NOK mrd").unwrap_err();
        assert!(err.help.unwrap().starts_with("allowed: NOK, NOK million, NOK billion"));
        let err = Flow::parse("Export").unwrap_err();
        assert!(err.help.unwrap().starts_with("did you mean `export`?"));
        let err = RelationKind::parse("agreemnt").unwrap_err();
        assert!(err.help.unwrap().starts_with("did you mean `agreement`?"));
        let err = Qualifier::parse("near-zero").unwrap_err();
        assert!(err.help.unwrap().starts_with("did you mean `near_zero`?"));
        assert_eq!(Unit::NokMillion.kroner(), 1_000_000);
        assert_eq!(Basis::parse("derived").unwrap(), Basis::Derived);
        assert_eq!(Answer::parse("not_stated").unwrap(), Answer::NotStated);
        let err = Answer::parse("not stated").unwrap_err();
        assert!(err.help.unwrap().starts_with("did you mean `not_stated`?"));
        // `ja` is `true` in Norwegian: the same answer, a safe fix. `1` is a guess.
        let err = <Answer as crate::FromCell<'_>>::from_cell("ja".into()).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("write `true`"));
        assert!(err.suggestion.is_some_and(|s| s.safe));
        let err = <Answer as crate::FromCell<'_>>::from_cell("1".into()).unwrap_err();
        assert_eq!(err.help.as_deref(), Some("write `true`, or `not_stated` where the source says nothing"));
        assert!(err.suggestion.is_some_and(|s| !s.safe));
    }
}
